"""Synthetic glyphs for the digit-box CNN: crosses, dashes and font numerals.

Every function returns a 96x96 float ink map (ink = 1) that
:func:`training.digit_data.render_box` places into a realistic box crop.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

REPO_ROOT = Path(__file__).resolve().parents[1]

# --------------------------------------------------------------------------
# Synthetic strokes
# --------------------------------------------------------------------------

_CANVAS = 96


def _stroke(canvas: np.ndarray, p0, p1, thickness: int, rng: np.random.Generator) -> None:
    """Draw a slightly curved, ballpoint-like stroke from p0 to p1."""
    p0, p1 = np.asarray(p0, float), np.asarray(p1, float)
    n = 12
    t = np.linspace(0, 1, n)[:, None]
    d = p1 - p0
    normal = np.array([-d[1], d[0]]) / (np.linalg.norm(d) + 1e-6)
    bow = rng.normal(0, 0.06) * np.linalg.norm(d)
    wobble = rng.normal(0, 0.8, size=(n, 1))
    pts = p0 + t * d + (np.sin(np.pi * t) * bow + wobble) * normal
    pts = np.round(pts * 16).astype(np.int32)
    cv2.polylines(canvas, [pts], False, 1.0, thickness, cv2.LINE_AA, shift=4)


def synth_cross(rng: np.random.Generator) -> np.ndarray:
    """A hand-drawn cross ``X`` on a 96x96 ink canvas."""
    c = np.zeros((_CANVAS, _CANVAS), np.float32)
    th = int(rng.integers(3, 11))
    cx, cy = _CANVAS / 2 + rng.normal(0, 3, 2)
    for base in (45.0, 135.0):
        ang = np.deg2rad(base + rng.normal(0, 10))
        l1, l2 = rng.uniform(18, 44, 2)
        off = rng.normal(0, 3, 2)
        dx, dy = np.cos(ang), -np.sin(ang)
        _stroke(c, (cx + off[0] - l1 * dx, cy + off[1] - l1 * dy),
                (cx + off[0] + l2 * dx, cy + off[1] + l2 * dy), th, rng)
    if rng.random() < 0.3:  # squash: crosses are often wider than tall or v.v.
        f = rng.uniform(0.55, 1.0)
        c = cv2.resize(c, (_CANVAS, int(_CANVAS * f))) if rng.random() < 0.5 else cv2.resize(
            c, (int(_CANVAS * f), _CANVAS))
    return np.clip(c, 0, 1)


def synth_dash(rng: np.random.Generator) -> np.ndarray:
    """A hand-drawn dash ``-`` on a 96x96 ink canvas."""
    c = np.zeros((_CANVAS, _CANVAS), np.float32)
    th = int(rng.integers(3, 12))
    half = rng.uniform(14, 44)
    ang = np.deg2rad(rng.normal(0, 6))
    cx, cy = _CANVAS / 2 + rng.normal(0, 2, 2)
    dx, dy = np.cos(ang) * half, -np.sin(ang) * half
    _stroke(c, (cx - dx, cy - dy), (cx + dx, cy + dy), th, rng)
    return np.clip(c, 0, 1)


_HERSHEY = [
    cv2.FONT_HERSHEY_SIMPLEX, cv2.FONT_HERSHEY_PLAIN, cv2.FONT_HERSHEY_DUPLEX,
    cv2.FONT_HERSHEY_COMPLEX, cv2.FONT_HERSHEY_TRIPLEX, cv2.FONT_HERSHEY_COMPLEX_SMALL,
    cv2.FONT_HERSHEY_SCRIPT_SIMPLEX, cv2.FONT_HERSHEY_SCRIPT_COMPLEX,
]
_FONT_DIR = REPO_ROOT / "grader" / "fonts"


def elastic(img: np.ndarray, rng: np.random.Generator, alpha: float, sigma: float) -> np.ndarray:
    """Smooth random displacement of an image (handwriting-like wobble).

    ``alpha`` is the standard deviation of the displacement in pixels and
    ``sigma`` its smoothness; the blurred noise is rescaled, since blurring
    alone shrinks it to a fraction of a pixel.
    """
    h, w = img.shape

    def field() -> np.ndarray:
        f = cv2.GaussianBlur(rng.uniform(-1, 1, (h, w)).astype(np.float32), (0, 0), sigma)
        return f * (alpha / (float(f.std()) + 1e-6))

    dx, dy = field(), field()
    gx, gy = np.meshgrid(np.arange(w, dtype=np.float32), np.arange(h, dtype=np.float32))
    return cv2.remap(img, gx + dx, gy + dy, cv2.INTER_LINEAR, borderValue=0)


def add_regional_strokes(c: np.ndarray, digit: int, rng: np.random.Generator, *,
                         p_cross7: float = 0.3, p_flag1: float = 0.4) -> np.ndarray:
    """Sometimes cross a 7 through its stem, or give a 1 a flag and/or a foot.

    These are common in Indonesian (and European) handwriting and rare in
    MNIST. Sizes follow the glyph's own height, so any canvas works. In place.
    """
    ys, xs = np.nonzero(c > 0.3)
    if not len(ys):
        return c
    top, bot = ys.min(), ys.max()
    h = float(bot - top + 1)
    th = max(2, int(round(h * rng.uniform(0.05, 0.12))))
    if digit == 7 and rng.random() < p_cross7:
        ym = int(top + h * rng.uniform(0.45, 0.6))
        row = xs[np.abs(ys - ym) <= 1]
        xm = float(row.mean()) if len(row) else float(xs.mean())
        half = h * rng.uniform(0.18, 0.3)
        _stroke(c, (xm - half, ym), (xm + half, ym + rng.normal(0, h * 0.03)), th, rng)
    if digit == 1 and rng.random() < p_flag1:
        xm = float(np.median(xs))
        if rng.random() < 0.8:
            d = h * rng.uniform(0.15, 0.3)
            _stroke(c, (xm - d, top + d), (xm, top), th, rng)
        if rng.random() < 0.4:
            _stroke(c, (xm - h * 0.2, bot), (xm + h * 0.2, bot), th, rng)
    return c


def synth_font_digit(digit: int, rng: np.random.Generator) -> np.ndarray:
    """A block numeral (angka balok) from a stroke or outline font, distorted.

    Uses OpenCV's Hershey stroke fonts and the DejaVu fonts shipped in
    ``grader/fonts``; adds the crossed 7 and the flagged/footed 1 common in
    Indonesian handwriting, then an elastic distortion.
    """
    c = np.zeros((_CANVAS, _CANVAS), np.float32)
    if rng.random() < 0.7:
        font = _HERSHEY[int(rng.integers(0, len(_HERSHEY)))]
        if rng.random() < 0.25:
            font |= cv2.FONT_ITALIC
        th = int(rng.integers(2, 9))
        scale = cv2.getFontScaleFromHeight(font, 56, th)
        (tw, tht), _ = cv2.getTextSize(str(digit), font, scale, th)
        org = (int((_CANVAS - tw) / 2), int((_CANVAS + tht) / 2))
        cv2.putText(c, str(digit), org, font, scale, 1.0, th, cv2.LINE_AA)
    else:
        from PIL import Image, ImageDraw, ImageFont

        fonts = sorted(_FONT_DIR.glob("*.ttf"))
        font = ImageFont.truetype(str(fonts[int(rng.integers(0, len(fonts)))]), 64)
        im = Image.new("L", (_CANVAS, _CANVAS), 0)
        ImageDraw.Draw(im).text((_CANVAS / 2, _CANVAS / 2), str(digit), fill=255, font=font,
                                anchor="mm")
        c = np.asarray(im, np.float32) / 255.0
    c = add_regional_strokes(c, digit, rng)
    c = elastic(c, rng, alpha=rng.uniform(1.0, 3.5), sigma=rng.uniform(7, 11))
    return np.clip(c, 0, 1)
