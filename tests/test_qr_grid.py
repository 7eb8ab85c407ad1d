"""Reading a sheet's QR code that OpenCV's own sampling misses: bent by a curled sheet, crossed by a copier streak."""
from __future__ import annotations

import cv2
import numpy as np
import pytest

from grader.photo.identify import identity_from_qr, read_qr
from grader.photo.qr_grid import function_patterns, read_qr_grid
from grader.sheet.identity import SheetIdentity, encode_payload
from grader.sheet.layout import shared_layout
from grader.sheet.render import QR_BORDER, qr_matrix, render_page
from grader.sheet.schema import resolve_template

IDENT = SheetIdentity(template="chasil-kwk", version=1, page=1, contest="gubernur", pairs=3, exercise="EY3NKJ",
                      trainee="86", trainee_name="Yanti Wulandari")


@pytest.fixture(scope="module")
def aligned():
    """A rendered page 1 as the aligned page the reader gets (the template frame at the reading resolution)."""
    spec = resolve_template("chasil-kwk")
    ppm = spec.read_px_per_mm
    sheet = shared_layout(spec, contest=IDENT.contest, pairs=IDENT.pairs)
    page = sheet.pages[0]
    return np.array(render_page(sheet, page, IDENT, dpi=ppm * 25.4)), page, ppm


def _region(page, ppm):
    return page.qr.grow(4).to_px(ppm)


def bent(img, page, ppm, *, amount=6.0, shear=0.0, blur=0.0):
    """The code bowed by ``amount`` px (columns curve, rows sag: a curled sheet), sheared and blurred."""
    x, y, w, h = _region(page, ppm)
    out = img.copy()
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    mx = xx + shear * (yy - h / 2) + amount * (4 * (yy / h - 0.5) ** 2 - 1)
    my = yy + amount / 2 * (4 * (xx / w - 0.5) ** 2 - 1)
    reg = cv2.remap(img[y:y + h, x:x + w].astype(np.float32), mx, my, cv2.INTER_LINEAR,
                    borderMode=cv2.BORDER_REPLICATE)
    if blur:
        reg = cv2.GaussianBlur(reg, (0, 0), blur)
    out[y:y + h, x:x + w] = np.clip(reg, 0, 255).astype(np.uint8)
    return out


def streaked(img, page, ppm):
    """A copier's dark streak down through the left finder patterns."""
    qx, _, qw, _ = page.qr.to_px(ppm)
    n = qr_matrix(encode_payload(IDENT)).shape[0]
    cx = int(qx + (QR_BORDER + 3.5) * qw / n)
    x, y, w, h = _region(page, ppm)
    out = img.copy()
    out[y:y + h, cx - 1:cx + 1] = 40
    return out


def opencv_only(img, page, ppm):
    """What the reader did before the grid fallback."""
    x, y, w, h = _region(page, ppm)
    crop = img[y:y + h, x:x + w]
    detector = cv2.QRCodeDetector()
    for attempt in (crop, cv2.threshold(cv2.GaussianBlur(crop, (3, 3), 0), 0, 255,
                                        cv2.THRESH_BINARY | cv2.THRESH_OTSU)[1],
                    cv2.resize(crop, None, fx=2, fy=2, interpolation=cv2.INTER_CUBIC)):
        text, _, _ = detector.detectAndDecode(attempt)
        if text:
            return text
    return None


@pytest.mark.parametrize("damage", ["bent", "bent_sheared_blurred", "streak", "streak_bent"])
def test_a_code_opencv_misses_is_read_from_its_module_grid(aligned, damage):
    img, page, ppm = aligned
    degraded = {"bent": lambda: bent(img, page, ppm),
                "bent_sheared_blurred": lambda: bent(img, page, ppm, shear=0.08, blur=1.0),
                "streak": lambda: streaked(img, page, ppm),
                "streak_bent": lambda: bent(streaked(img, page, ppm), page, ppm, shear=0.08, blur=1.0)}[damage]()
    assert opencv_only(degraded, page, ppm) is None     # the case this fallback is for
    assert read_qr(degraded, page, px_per_mm=ppm) == encode_payload(IDENT)
    assert identity_from_qr(degraded, page, px_per_mm=ppm) == IDENT


def test_a_clean_code_is_read_by_opencv_without_the_fallback(aligned, monkeypatch):
    import grader.photo.identify as identify

    img, page, ppm = aligned
    monkeypatch.setattr(identify, "read_qr_grid", lambda *a, **k: pytest.fail("fallback ran on a clean code"))
    assert read_qr(img, page, px_per_mm=ppm) == encode_payload(IDENT)


def test_a_code_where_the_template_prints_it_is_read_without_the_detector(aligned, monkeypatch):
    """The decoder alone, at the corners the printed square gives, reads a code in its place; one moved a few modules
    off that place is not read there but found by the detector, with the same payload."""
    import grader.photo.identify as identify

    img, page, ppm = aligned
    x, y, w, h = _region(page, ppm)
    square, margin = page.qr.w * ppm, identify.QR_MARGIN_MM * ppm
    where = identify._decode_where_printed(cv2.QRCodeDetector(), img[y:y + h, x:x + w], square_px=square,
                                           margin_px=margin)
    assert where == encode_payload(IDENT)
    moved = img.copy()
    moved[y:y + h, x:x + w] = np.roll(img[y:y + h, x:x + w], (9, 14), axis=(0, 1))
    assert identify._decode_where_printed(cv2.QRCodeDetector(), moved[y:y + h, x:x + w], square_px=square,
                                          margin_px=margin) == ""
    monkeypatch.setattr(identify, "read_qr_grid", lambda *a, **k: pytest.fail("fallback ran on a clean code"))
    assert read_qr(moved, page, px_per_mm=ppm) == encode_payload(IDENT)


@pytest.mark.parametrize("share", [0.3, 0.45])
def test_a_code_smudged_beyond_its_error_correction_gives_no_payload(aligned, share):
    img, page, ppm = aligned
    degraded = bent(img, page, ppm, shear=0.08, blur=1.0)
    qx, qy, qw, qh = page.qr.to_px(ppm)
    s, cx, cy = int(qw * share), int(qx + qw * 0.55), int(qy + qh * 0.45)
    degraded[cy - s // 2:cy + s // 2, cx - s // 2:cx + s // 2] = 30
    assert read_qr(degraded, page, px_per_mm=ppm) is None
    assert identity_from_qr(degraded, page, px_per_mm=ppm) is None


def test_random_modules_inside_correct_fixed_patterns_give_no_payload():
    """The fixed patterns are right, the data is noise: error correction refuses it, nothing is guessed."""
    n, px = 33, 6
    known, dark = function_patterns(n)
    rng = np.random.default_rng(4)
    for _ in range(5):
        bits = np.where(known, dark, rng.random((n, n)) < 0.5)
        real = qr_matrix(encode_payload(IDENT))[QR_BORDER:-QR_BORDER, QR_BORDER:-QR_BORDER] == 0
        bits[8, :9], bits[:9, 8] = real[8, :9], real[:9, 8]          # a valid format field too
        img = np.pad(np.where(bits, 0, 255).astype(np.uint8), 4, constant_values=255)
        img = cv2.resize(img, None, fx=px, fy=px, interpolation=cv2.INTER_NEAREST)
        assert read_qr_grid(img) is None


def test_the_fixed_patterns_match_a_real_code():
    for text in ("KPPS1;chasil-kwk;1;2;bupati;2;NEPETF;;", encode_payload(IDENT), "KPPS1;" + "x" * 70):
        real = qr_matrix(text)[QR_BORDER:-QR_BORDER, QR_BORDER:-QR_BORDER] == 0
        known, dark = function_patterns(real.shape[0])
        assert np.array_equal(real[known], dark[known])


def test_a_very_long_roster_name_is_cut_in_the_qr_so_the_code_stays_small():
    """Print review (s34): a 300-character roster name went whole into the QR (version 14, 0.32 mm modules in the
    25 mm code), which phone photos could not read: the sheet lost its trainee. The name is cut to 60 characters
    (the printed line cuts it too); the code stays the size of a sheet with an ordinary name."""
    from dataclasses import replace
    from grader.sheet.identity import MAX_QR_NAME_CHARS, decode_payload
    long = replace(IDENT, trainee="17", trainee_name="Sri Rahayu binti Ahmad, Jl. Merdeka " * 9)
    ordinary = replace(IDENT, trainee="17", trainee_name="Sri Rahayu binti Ahmad Sulaiman Wibowo Kusuma")
    assert len(long.trainee_name) > 300
    back = decode_payload(encode_payload(long))
    assert back.trainee == "17" and back.trainee_name == long.trainee_name[:MAX_QR_NAME_CHARS].rstrip()
    assert qr_matrix(encode_payload(long)).shape[0] <= qr_matrix(encode_payload(ordinary)).shape[0] + 4
    assert decode_payload(encode_payload(ordinary)).trainee_name == ordinary.trainee_name       # kept whole
