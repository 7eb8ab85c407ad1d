"""Draw a laid-out sheet as a raster page, and write pages to PDF.

Everything drawn comes from :class:`~grader.sheet.layout.PageLayout`; this
module only turns millimetres into pixels at the requested dpi.
"""
from __future__ import annotations

import functools
import io
import zlib
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from grader.page_groups import number_text
from grader.photo.pdf_pages import OWN_PDF_PRODUCER
from grader.sheet.identity import SheetIdentity, encode_payload, ident_line
from grader.sheet.layout import PageLayout, SheetLayout

FONT_DIR = Path(__file__).resolve().parents[1] / "fonts"
MM_PER_INCH = 25.4


@functools.lru_cache(maxsize=64)
def font(size_px: int, *, bold: bool = False, mono: bool = False) -> ImageFont.FreeTypeFont:
    """A shipped DejaVu font (so rendering never depends on the host's fonts)."""
    name = "DejaVuSansMono.ttf" if mono else ("DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf")
    return ImageFont.truetype(str(FONT_DIR / name), max(size_px, 6))


def aruco_dictionary(name: str) -> "cv2.aruco.Dictionary":
    return cv2.aruco.getPredefinedDictionary(getattr(cv2.aruco, name))


#: Quiet zone around the code, in modules: the sheet's white margin around the QR rectangle adds to it.
QR_BORDER = 2


def qr_matrix(text: str) -> np.ndarray:
    """The QR code for ``text`` as a 0/255 module matrix (255 = white) with a ``QR_BORDER`` quiet zone.

    Error correction level M, the smallest version that holds ``text``. segno encodes it in about 3 ms; OpenCV's
    encoder took about 190 ms, which made a class's personalised sheets (two codes a trainee) wait half a minute.
    """
    import segno

    code = segno.make_qr(text, error="m", boost_error=False)
    dark = np.array(list(code.matrix_iter(scale=1, border=QR_BORDER)), dtype=bool)
    return np.where(dark, 0, 255).astype(np.uint8)


def render_page(sheet: SheetLayout, page: PageLayout, ident: SheetIdentity, *, dpi: float = 300) -> Image.Image:
    """Render one page at ``dpi`` as an 8-bit grayscale image.

    Parameters
    ----------
    sheet, page : the layout to draw.
    ident : what the QR code and the identification line say.
    dpi : output resolution; 300 for print, lower for previews.
    """
    s = dpi / MM_PER_INCH
    img = Image.new("L", (round(page.width_mm * s), round(page.height_mm * s)), 255)
    draw = ImageDraw.Draw(img)

    def px(v: float) -> int:
        return round(v * s)

    for rect, width in page.frames:
        draw.rectangle([px(rect.x), px(rect.y), px(rect.x2), px(rect.y2)], outline=0, width=max(1, px(width)))
    for f in page.fields:
        for col in f.bubbles:
            for b in col:
                draw.ellipse([px(b.x), px(b.y), px(b.x2), px(b.y2)], outline=60,
                             width=max(1, px(sheet.spec.style["bubble"]["line_mm"])))
    for ln in page.lines:
        draw.line([px(ln.x1), px(ln.y1), px(ln.x2), px(ln.y2)], fill=ln.gray, width=max(1, px(ln.width_mm)))
    number_boxes = next((len(f.boxes) for f in page.fields if f.id == sheet.spec.header["trainee"]["id"]), 0)
    slots = {"ident": (ident_line(ident), ""), "trainee_name": _name_slot(ident),
             "trainee_hint": _hint_slot(ident, number_boxes)}
    for lb in page.labels:
        head, tail = slots.get(lb.slot, ("", "")) if lb.slot else (lb.text, "")
        if head or tail:
            face, lines = font(px(lb.size_mm), bold=lb.bold, mono=lb.mono), [head + tail]
            if lb.max_w_mm is not None:
                lines, face = fit_lines(draw, head, tail, px(lb.max_w_mm), px(lb.max_h_mm or 0), px(lb.size_mm),
                                        bold=lb.bold, mono=lb.mono)
            pitch = face.size * LINE_PITCH
            for i, text in enumerate(lines):       # (two lines sit either side of the one line's place)
                y = lb.y * s + (i - (len(lines) - 1) / 2) * pitch
                draw.text((px(lb.x), round(y)), text, fill=lb.gray, anchor=lb.anchor, font=face)
    dictionary = aruco_dictionary(sheet.spec.marker_dictionary)
    for m in page.markers:
        side = px(m.rect.w)
        tile = cv2.aruco.generateImageMarker(dictionary, m.id, side)
        img.paste(Image.fromarray(tile), (px(m.rect.x), px(m.rect.y)))
    q = qr_matrix(encode_payload(ident.for_page(page.number)))
    side = px(page.qr.w)
    img.paste(Image.fromarray(q).resize((side, side), Image.NEAREST), (px(page.qr.x), px(page.qr.y)))
    return img


#: A slot's text may shrink to this share of its size before it is cut short instead.
MIN_TEXT_SCALE = 0.6
#: ... to this share on one line before it takes two, where its room is tall enough (a long roster name: helper-140
#: found 1.5 mm letters on one line)
ONE_LINE_SCALE = 0.85
#: distance between two lines of a slot's text, in font sizes
LINE_PITCH = 1.15


def fit_lines(draw: ImageDraw.ImageDraw, head: str, tail: str, max_px: int, max_h_px: int, size_px: int, *,
              bold: bool = False, mono: bool = False) -> tuple[list[str], ImageFont.FreeTypeFont]:
    """The lines (one or two) and a font for ``head + tail`` to fit ``max_px`` wide and ``max_h_px`` tall.

    One line if it fits at ONE_LINE_SCALE; else two, broken between words with ``tail`` on the second, as large
    as they fit; else :func:`fit_text`'s one line, shrunk and cut."""
    for scale in np.linspace(1.0, ONE_LINE_SCALE, 4):
        face = font(round(size_px * scale), bold=bold, mono=mono)
        if draw.textlength(head + tail, font=face) <= max_px:
            return [head + tail], face
    words = head.split()
    for scale in np.linspace(1.0, MIN_TEXT_SCALE, 9):
        face = font(round(size_px * scale), bold=bold, mono=mono)
        if len(words) < 2 or 2 * face.size * LINE_PITCH > max_h_px:
            continue
        splits = [(" ".join(words[:k]), " ".join(words[k:]) + tail) for k in range(1, len(words))]
        fitting = [pair for pair in splits if max(draw.textlength(t, font=face) for t in pair) <= max_px]
        if fitting:       # (the most even break: neither line much longer than the other)
            return list(min(fitting, key=lambda pair: max(draw.textlength(t, font=face) for t in pair))), face
    head, face = fit_text(draw, head, tail, max_px, size_px, bold=bold, mono=mono)
    return [head + tail], face


def fit_text(draw: ImageDraw.ImageDraw, head: str, tail: str, max_px: int, size_px: int, *, bold: bool = False,
             mono: bool = False) -> tuple[str, ImageFont.FreeTypeFont]:
    """``head`` (cut short if it must be) and a font for ``head + tail`` to fit ``max_px``.

    The font shrinks down to MIN_TEXT_SCALE first; then ``head`` is cut with "…", ``tail`` always kept. A
    long roster name must stay on its line, clear of the QR code beside it, and keep the trainee's number.
    """
    for scale in np.linspace(1.0, MIN_TEXT_SCALE, 9):
        face = font(round(size_px * scale), bold=bold, mono=mono)
        if draw.textlength(head + tail, font=face) <= max_px:
            return head, face
    while len(head) > 1 and draw.textlength(head + "…" + tail, font=face) > max_px:
        head = head[:-1]
    return head.rstrip() + "…", face


def _name_slot(ident: SheetIdentity) -> tuple[str, str]:
    """Personalised sheets print the roster name and number on the name line: (name, number part)."""
    if ident.trainee_name and ident.trainee:
        # (as its three boxes hold it and every page of the app says it: "No. 003", not "No. 3": helper-140)
        return ident.trainee_name, f"  (No. {number_text(ident.trainee)})"
    return ident.trainee_name or "", ""


def _hint_slot(ident: SheetIdentity, boxes: int) -> tuple[str, str]:
    """A personalised sheet's number as its ``boxes`` are to hold it, under their label, an unused box crossed as the
    sheet's own instructions say ("47 ditulis X 4 7"): "(tulis X81)" (helper-149: "tulis 081" beside that instruction
    left a trainee between 081 and X81); nothing on a sheet for anyone (the trainer gives the number)."""
    if not (ident.trainee_name and ident.trainee):
        return "", ""
    number = str(ident.trainee).strip()
    number = str(int(number)) if number.isascii() and number.isdigit() else number
    return f"(tulis {number:X>{boxes}})", ""


def render_sheet(sheet: SheetLayout, ident: SheetIdentity, *, dpi: float = 300) -> list[Image.Image]:
    """All pages of a sheet, in order."""
    return [render_page(sheet, p, ident.for_page(p.number), dpi=dpi) for p in sheet.pages]


def write_pdf(pages: list[Image.Image], out: Path | io.BytesIO, *, dpi: float) -> None:
    """Write grayscale pages as a lossless (Flate) PDF at their physical size.

    Pillow's own PDF writer stores grayscale as JPEG, which softens marker
    edges; a 30-line writer keeps the print crisp.
    """
    objects: list[bytes] = []
    page_refs = []
    n = len(pages)
    # Object numbers: 1 catalog, 2 pages, then per page: page, image, content.
    for i, im in enumerate(pages):
        w_pt, h_pt = im.width * 72 / dpi, im.height * 72 / dpi
        page_no, img_no, content_no = 3 + 3 * i, 4 + 3 * i, 5 + 3 * i
        page_refs.append(f"{page_no} 0 R")
        data = zlib.compress(np.asarray(im.convert("L")).tobytes(), 6)
        content = f"q {w_pt:.3f} 0 0 {h_pt:.3f} 0 0 cm /Im0 Do Q".encode()
        objects.append((f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {w_pt:.3f} {h_pt:.3f}] "
                        f"/Resources << /XObject << /Im0 {img_no} 0 R >> >> /Contents {content_no} 0 R >>").encode())
        objects.append(f"<< /Type /XObject /Subtype /Image /Width {im.width} /Height {im.height} "
                       f"/ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode /Length {len(data)} >>\n"
                       f"stream\n".encode() + data + b"\nendstream")
        objects.append(f"<< /Length {len(content)} >>\nstream\n".encode() + content + b"\nendstream")
    head = [b"<< /Type /Catalog /Pages 2 0 R >>",
            f"<< /Type /Pages /Kids [{' '.join(page_refs)}] /Count {n} >>".encode()]
    objects.append(f"<< /Producer ({OWN_PDF_PRODUCER}) >>".encode())     # (sent back as a scan, it is said as ours)
    buf = io.BytesIO()
    buf.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for num, body in enumerate(head + objects, start=1):
        offsets.append(buf.tell())
        buf.write(f"{num} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = buf.tell()
    buf.write(f"xref\n0 {len(offsets) + 1}\n0000000000 65535 f \n".encode())
    for off in offsets:
        buf.write(f"{off:010d} 00000 n \n".encode())
    buf.write(f"trailer\n<< /Size {len(offsets) + 1} /Root 1 0 R /Info {len(offsets)} 0 R >>\nstartxref\n{xref}\n"
              f"%%EOF\n".encode())
    if isinstance(out, io.BytesIO):
        out.write(buf.getvalue())
    else:
        Path(out).write_bytes(buf.getvalue())
