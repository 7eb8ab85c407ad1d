"""Which sheet is this? Read the QR code, else OCR the printed identification line.

Both are read from the aligned page, where the QR and the header text are
upright, at a known place and a known size: small crops, fast and robust.
"""
from __future__ import annotations

import difflib
import logging
import re

import cv2
import numpy as np

from grader.sheet.identity import IDENT_LINE_RE, SheetIdentity, decode_payload
from grader.sheet.layout import PageLayout, Rect
from grader.sheet.render import QR_BORDER
from grader.sheet.schema import TemplateSpec
from grader.photo.no_ipp import without_ipp
from grader.photo.qr_grid import SIZES, decode_square, read_qr_grid
from grader.photo.warp import warp_region

log = logging.getLogger(__name__)

QR_MARGIN_MM = 4.0       # generous: paper curl may have moved the code a little
OCR_LINE_PAD_MM = 1.5
# OCR misreads of the fixed words and of digits in the identification line.
_LENIENT_RE = re.compile(r"[I1l|]D\s+(?P<template>[A-Za-z0-9-]+)\s+V\s*(?P<version>[\dOoIl]+)\s+HAL\s*"
                         r"(?P<page>[\dOoIl]+)\s+PAS\s*LON\s*(?P<pairs>[\dOoIl]+)\s+KODE\s+(?P<exercise>[A-Za-z0-9-]+)")
_DIGIT_FIX = str.maketrans({"O": "0", "o": "0", "I": "1", "l": "1"})


def _crop(gray: np.ndarray, rect: Rect, *, px_per_mm: float, homography: np.ndarray | None) -> np.ndarray:
    """``rect`` (template mm) of the aligned page ``gray``, or warped out of the photo ``gray`` via ``homography``."""
    if homography is not None:
        return warp_region(gray, homography, rect, px_per_mm=px_per_mm)
    x, y, w, h = rect.to_px(px_per_mm)
    return gray[max(y, 0):y + h, max(x, 0):x + w]


def read_qr(gray: np.ndarray, page: PageLayout, *, px_per_mm: float, homography: np.ndarray | None = None) -> str | None:
    """The QR payload text, or None.

    ``gray`` is the aligned page, or the photo when ``homography`` (photo px ->
    template frame at ``px_per_mm``) is given. OpenCV's decoder reads the code where
    the template prints it first (:func:`_decode_where_printed`), then OpenCV finds
    and reads it in the crop (as it is, thresholded, upscaled); only when that fails is
    the module grid sampled directly (:mod:`grader.photo.qr_grid`), which reads codes
    bent by a curled sheet.
    """
    crop = _crop(gray, page.qr.grow(QR_MARGIN_MM), px_per_mm=px_per_mm, homography=homography)
    if crop.size == 0:
        return None
    detector = cv2.QRCodeDetector()
    text = _decode_where_printed(detector, crop, square_px=page.qr.w * px_per_mm, margin_px=QR_MARGIN_MM * px_per_mm)
    if text:
        return text
    attempts = (lambda c: c,
                lambda c: cv2.threshold(cv2.GaussianBlur(c, (3, 3), 0), 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)[1],
                lambda c: cv2.resize(c, None, fx=2, fy=2, interpolation=cv2.INTER_CUBIC))
    for attempt in attempts:
        try:
            with without_ipp():
                text, _, _ = detector.detectAndDecode(attempt(crop))
        except cv2.error:
            text = ""
        if text:
            return text
    # The code's square starts QR_MARGIN_MM into the crop; the grid reader counts in pixel centres (pixel 0
    # spans -0.5..0.5), so an edge at e px from the crop's border lies at e - 0.5.
    edge = QR_MARGIN_MM * px_per_mm - 0.5
    return read_qr_grid(crop, expected=(edge, edge, page.qr.w * px_per_mm)) or None


def _decode_where_printed(detector: cv2.QRCodeDetector, crop: np.ndarray, *, square_px: float, margin_px: float) -> str:
    """The payload read by OpenCV's decoder at the symbol's corners as printed, ``""`` when it does not read there.

    The printed square (``square_px`` wide, ``margin_px`` into the crop) holds the symbol inside a ``QR_BORDER``
    quiet zone, so its corners follow from its size, tried for each version a payload can take (one decode,
    about 1 ms, each). OpenCV's detector costs some 4 ms whatever the crop (it enlarges it to 512 px and blurs
    it); on a flat page the code is where the template says, which the decoder needs to within a fraction of a
    module. On 280 photos (dev seed 21, the 12 MP bench set) this read 239 codes, each the payload the detector
    gives; a code it misses (mostly a curled page's) is found by the detector as before, some 5 ms later. A wrong
    size does not decode: Reed-Solomon refuses it.
    """
    for n in SIZES[1:]:                   # (version 1 holds no payload of ours)
        module = square_px / (n + 2 * QR_BORDER)
        # corners in pixel centres (pixel 0 spans -0.5..0.5): the outer edge of the symbol's first and last module
        lo, hi = margin_px + QR_BORDER * module - 0.5, margin_px + (QR_BORDER + n) * module - 0.5
        text = decode_square(crop, lo, hi, detector)
        if text:
            return text
    return ""


def identity_from_qr(gray: np.ndarray, page: PageLayout, *, px_per_mm: float,
                     homography: np.ndarray | None = None) -> SheetIdentity | None:
    """The sheet identity from its QR code, or None when it is missing, unreadable or not ours."""
    text = read_qr(gray, page, px_per_mm=px_per_mm, homography=homography)
    if text is None:
        return None
    try:
        return decode_payload(text)
    except ValueError as exc:
        log.info("QR is not a practice-sheet payload: %s", exc)
        return None


def header_region(page: PageLayout) -> Rect | None:
    """The printed identification line plus the contest subtitle above it (template mm)."""
    ident = [lb for lb in page.labels if lb.slot == "ident"]
    if not ident:
        return None
    lb = ident[0]
    subtitle = [o for o in page.labels if o.y < lb.y and o.x == lb.x and not o.slot]
    top = max(o.y for o in subtitle) if subtitle else lb.y
    x0 = lb.x - OCR_LINE_PAD_MM
    x1 = page.qr.x - OCR_LINE_PAD_MM if page.qr.x > lb.x else page.width_mm - OCR_LINE_PAD_MM
    y0 = top - 0.6 * lb.size_mm - 1.0 if subtitle else lb.y - lb.size_mm / 2 - OCR_LINE_PAD_MM
    y1 = lb.y + lb.size_mm / 2 + OCR_LINE_PAD_MM
    return Rect(x0, y0, x1 - x0, y1 - y0)


def ocr_header(gray: np.ndarray, page: PageLayout, *, px_per_mm: float, homography: np.ndarray | None = None) -> str:
    """Tesseract's reading of the header lines (empty when tesseract is unavailable)."""
    import pytesseract

    region = header_region(page)
    if region is None:
        return ""
    crop = _crop(gray, region, px_per_mm=px_per_mm, homography=homography)
    if crop.size == 0:
        return ""
    crop = cv2.copyMakeBorder(crop, 10, 10, 10, 10, cv2.BORDER_CONSTANT, value=255)
    try:
        return pytesseract.image_to_string(crop, config="--psm 6")
    except (pytesseract.TesseractError, pytesseract.TesseractNotFoundError, OSError) as exc:
        log.warning("tesseract failed: %s", exc)
        return ""


def parse_header(text: str, *, specs: dict[str, TemplateSpec]) -> SheetIdentity | None:
    """Parse the OCR'd header into an identity, repairing the usual OCR confusions.

    ``specs`` maps known template ids to their specs: the template id is
    snapped to the closest known one and the contest is read from the subtitle.
    """
    m = IDENT_LINE_RE.search(text) or _LENIENT_RE.search(text)
    if not m:
        return None
    template = m["template"].lower()
    if template not in specs:
        close = difflib.get_close_matches(template, list(specs), n=1, cutoff=0.6)
        if not close:
            log.info("OCR template id %r matches no known template", template)
            return None
        template = close[0]
    try:
        version, page, pairs = (int(m[k].translate(_DIGIT_FIX)) for k in ("version", "page", "pairs"))
    except ValueError:
        return None
    spec = specs[template]
    contest = _contest_from_text(text, spec)
    exercise = m["exercise"].upper()
    return SheetIdentity(template=template, version=version, page=page, contest=contest, pairs=pairs,
                         exercise=None if exercise in ("-", "") else exercise)


#: Edits (a character misread, dropped or added) within which an exercise code tesseract read off the printed
#: header line is taken for the code of the key it is graded against. OCR of a pale or speckled photocopy's header
#: misreads a character or two (attack copy_heavy, seed 3901: "6DWUR6" read "GDWURS", "44P7DY" read "44P7Y"), and
#: an exact comparison refused those pages as another exercise's. Two keys' codes (6 characters of 24) lie this
#: close with odds of about 1 in 10,000, and the template and the number of pairs must agree as well.
OCR_CODE_EDITS = 2


def code_read_as(read: str, code: str, *, source: str) -> bool:
    """Can the exercise code ``read`` off a page be ``code``? Exactly, when a QR (or the caller) said it; within
    :data:`OCR_CODE_EDITS` edits of it when tesseract read it (``source == "ocr"``)."""
    read, code = read.strip().upper(), code.strip().upper()
    if read == code:
        return True
    return source == "ocr" and len(code) > 2 * OCR_CODE_EDITS and edit_distance(read, code) <= OCR_CODE_EDITS


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance: the fewest characters replaced, dropped or added to turn ``a`` into ``b``."""
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        prev, row[0] = row[0], i
        for j, cb in enumerate(b, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (ca != cb))
    return row[-1]


def _contest_from_text(text: str, spec: TemplateSpec) -> str:
    """The contest whose printed name best matches the OCR'd subtitle (the default if none does)."""
    first = text.upper().splitlines()
    best, score = spec.default_contest, 0.0
    for key, name in spec.contest_names.items():
        for line in first:
            s = difflib.SequenceMatcher(None, name.upper(), line[:len(name) + 4]).ratio()
            if s > score:
                best, score = key, s
    return best if score >= 0.6 else spec.default_contest


def identity_from_ocr(gray: np.ndarray, page: PageLayout, *, px_per_mm: float, specs: dict[str, TemplateSpec],
                      homography: np.ndarray | None = None) -> SheetIdentity | None:
    """The identity from the printed header line, or None."""
    text = ocr_header(gray, page, px_per_mm=px_per_mm, homography=homography)
    ident = parse_header(text, specs=specs) if text else None
    if ident is None and text.strip():
        log.info("could not parse OCR header %r", text[:120])
    return ident
