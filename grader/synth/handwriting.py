"""Handwriting for synthetic sheets: real digit glyphs and pen-drawn marks.

Digits come from ARDIS (``../shared/data/ardis_iv``), the one handwriting
source reserved for synthesis: the recogniser never trains on it, so reading
these photos measures it on writers it has never seen. Everything else a
trainee draws (X and dash fillers, tally strokes, ticks, bubble fills, the
name) is simulated as jittered pen strokes.

All shapes are returned in *local* pixel coordinates of the box or cell they
go in, as ``(points, width_px, density)`` strokes for :mod:`grader.synth.ink`,
or as alpha masks.
"""
from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from grader.synth.ink import SUPERSAMPLE, bezier_path, pressure_profile

REPO = Path(__file__).resolve().parents[2]
ARDIS_PATH = REPO.parent / "shared" / "data" / "ardis_iv" / "ardis_iv_28x28.npz"
FONT_PATH = REPO / "grader" / "fonts" / "DejaVuSans.ttf"

Stroke = tuple[np.ndarray, float, np.ndarray]
_THIN_SCALE = 2          # glyphs are thinned at twice their 28-px size


@dataclass(frozen=True)
class GlyphBank:
    """Labelled 28x28 digit images (white ink on black), grouped by digit."""

    images: np.ndarray                 # (n, 28, 28) uint8
    labels: np.ndarray                 # (n,) int
    by_digit: tuple[np.ndarray, ...]   # indices per digit 0..9
    source: str

    def pick(self, digit: int, rng: np.random.Generator) -> tuple[int, np.ndarray]:
        """A random sample of ``digit``: its index in the bank and its image."""
        idx = int(rng.choice(self.by_digit[digit]))
        return idx, self.images[idx]


def ardis_path() -> Path:
    """Where the ARDIS digits are; ``GRADER_ARDIS`` overrides the default beside the repo."""
    return Path(os.environ.get("GRADER_ARDIS", ARDIS_PATH))


@functools.lru_cache(maxsize=2)
def load_glyph_bank(path: str | None = None) -> GlyphBank:
    """Load ARDIS (train and test splits together), dropping exact duplicates."""
    p = Path(path) if path else ardis_path()
    with np.load(p) as data:
        images = np.concatenate([data["X_train"], data["X_test"]])
        labels = np.concatenate([data["y_train"], data["y_test"]]).astype(int)
    _, first = np.unique(images.reshape(len(images), -1), axis=0, return_index=True)
    keep = np.sort(first)
    images, labels = images[keep], labels[keep]
    by_digit = tuple(np.flatnonzero(labels == d) for d in range(10))
    return GlyphBank(images=images, labels=labels, by_digit=by_digit, source=str(p))


def _deslant(img: np.ndarray, amount: float) -> np.ndarray:
    """Shear a glyph towards upright (block numerals are written upright; ARDIS leans)."""
    pad = 8
    g = cv2.copyMakeBorder(img, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=0)
    m = cv2.moments(g)
    if abs(m["mu02"]) < 1e-3:
        return g
    skew = m["mu11"] / m["mu02"] * amount
    cy = m["m01"] / m["m00"] if m["m00"] else g.shape[0] / 2
    shear = np.float32([[1, -skew, skew * cy], [0, 1, 0]])
    return cv2.warpAffine(g, shear, (g.shape[1], g.shape[0]), flags=cv2.INTER_LINEAR)


def digit_alpha(img: np.ndarray, *, height_px: float, max_width_px: float, stroke_px: float,
                rng: np.random.Generator, rotate_deg: float = 0.0, deslant: float = 0.8) -> np.ndarray:
    """Turn a 28x28 glyph into a pen-drawn alpha mask about ``height_px`` tall.

    The glyph is partly deslanted and rotated, thinned to its centre line, and
    the centre line is redrawn with a round pen ``stroke_px`` wide, so every
    sample gets a ballpoint's even line whatever brush the scan had.
    Returns a tight float32 mask (0..1) with a margin of about one pen width.
    """
    g = _deslant(img, deslant)
    if rotate_deg:
        g = _rotate(g, rotate_deg)
    up = cv2.resize(g, None, fx=_THIN_SCALE, fy=_THIN_SCALE, interpolation=cv2.INTER_CUBIC)
    up = cv2.GaussianBlur(up, (0, 0), 0.8)
    ink = up > max(60, int(np.percentile(up, 99)) * 0.4)
    if not ink.any():
        return np.zeros((max(2, int(height_px)), max(2, int(max_width_px))), np.float32)
    skel = _thin(ink)
    ys, xs = np.nonzero(ink)
    y0, y1, x0, x1 = ys.min(), ys.max() + 1, xs.min(), xs.max() + 1
    scale = height_px / (y1 - y0)
    if (x1 - x0) * scale > max_width_px:
        scale = max_width_px / (x1 - x0)
    margin = int(np.ceil(stroke_px)) + 1
    out_w = int(np.ceil((x1 - x0) * scale)) + 2 * margin
    out_h = int(np.ceil((y1 - y0) * scale)) + 2 * margin
    ss = SUPERSAMPLE
    canvas = np.zeros((out_h * ss, out_w * ss), np.uint8)
    thick = max(1, int(round(stroke_px * ss)))

    def fixed(yy: np.ndarray, xx: np.ndarray) -> np.ndarray:   # skeleton pixel -> supersampled fixed point
        px = np.stack([(xx - x0 + 0.5) * scale - 0.5 + margin, (yy - y0 + 0.5) * scale - 0.5 + margin], 1)
        return np.round((px * ss + (ss - 1) / 2) * 16).astype(np.int32)

    # Pressure varies slowly along the writing: a smooth random field over the glyph.
    field = cv2.resize(rng.uniform(0.75, 1.0, (3, 3)).astype(np.float32), (out_w, out_h),
                       interpolation=cv2.INTER_CUBIC)
    hh, ww = skel.shape
    padded = np.pad(skel, 1)
    for dy, dx in ((0, 1), (1, -1), (1, 0), (1, 1)):   # each 8-neighbour pair of skeleton pixels once
        yy, xx = np.nonzero(skel & padded[1 + dy:1 + dy + hh, 1 + dx:1 + dx + ww])
        a, b = fixed(yy, xx), fixed(yy + dy, xx + dx)
        fx = np.clip(a[:, 0] // (16 * ss), 0, out_w - 1)
        fy = np.clip(a[:, 1] // (16 * ss), 0, out_h - 1)
        values = (255 * np.clip(field[fy, fx], 0, 1)).astype(int)
        for p, q, v in zip(a.tolist(), b.tolist(), values.tolist()):
            cv2.line(canvas, p, q, v, thick, cv2.LINE_AA, 4)
    neighbours = cv2.filter2D(skel.astype(np.uint8), -1, np.ones((3, 3), np.float32),
                              borderType=cv2.BORDER_CONSTANT) - skel
    for p in fixed(*np.nonzero(skel & (neighbours == 0))).tolist():   # lone dots
        cv2.circle(canvas, p, thick * 8, 255, -1, cv2.LINE_AA, 4)
    alpha = cv2.resize(canvas, (out_w, out_h), interpolation=cv2.INTER_AREA).astype(np.float32) / 255.0
    # Round off the skeleton's pixel staircase.
    alpha = cv2.GaussianBlur(alpha, (0, 0), max(0.6, scale / _THIN_SCALE * 0.35))
    return np.clip((alpha - 0.15) / 0.55, 0, 1).astype(np.float32)


def _thinning_tables() -> tuple[np.ndarray, np.ndarray]:
    """Zhang-Suen deletion rules for both sub-steps, indexed by the 8-neighbour code (p2 = bit 0 ... p9 = bit 7)."""
    tables = np.zeros((2, 256), bool)
    for code in range(256):
        n = [(code >> i) & 1 for i in range(8)]
        b = sum(n)
        a = sum(1 for i in range(8) if n[i] == 0 and n[(i + 1) % 8] == 1)
        p2, p4, p6, p8 = n[0], n[2], n[4], n[6]
        ok = 2 <= b <= 6 and a == 1
        tables[0, code] = ok and p2 * p4 * p6 == 0 and p4 * p6 * p8 == 0
        tables[1, code] = ok and p2 * p4 * p8 == 0 and p2 * p6 * p8 == 0
    return tables[0], tables[1]


_THIN_TABLES = _thinning_tables()


def _thin(binary: np.ndarray) -> np.ndarray:
    """Zhang-Suen thinning of a boolean image to one-pixel centre lines."""
    img = np.pad(binary, 1).astype(np.uint8)
    changed = True
    while changed:
        changed = False
        for table in _THIN_TABLES:
            p = img
            code = (p[:-2, 1:-1] | (p[:-2, 2:] << 1) | (p[1:-1, 2:] << 2) | (p[2:, 2:] << 3) | (p[2:, 1:-1] << 4) |
                    (p[2:, :-2] << 5) | (p[1:-1, :-2] << 6) | (p[:-2, :-2] << 7))
            remove = (p[1:-1, 1:-1] == 1) & table[code]
            if remove.any():
                img[1:-1, 1:-1][remove] = 0
                changed = True
    return img[1:-1, 1:-1].astype(bool)


def _rotate(g: np.ndarray, deg: float) -> np.ndarray:
    h, w = g.shape
    m = cv2.getRotationMatrix2D((w / 2, h / 2), deg, 1.0)
    return cv2.warpAffine(g, m, (w, h), flags=cv2.INTER_LINEAR)


def _stroke(p0, p1, width: float, rng: np.random.Generator, *, bow: float = 0.0, jitter: float = 0.0,
            pressure: float = 1.0, n: int = 14) -> Stroke:
    pts = bezier_path(np.asarray(p0), np.asarray(p1), bow=bow, n=n, rng=rng, jitter=jitter)
    return pts, width, pressure_profile(n, rng, base=pressure)


def cross_strokes(w: float, h: float, width: float, rng: np.random.Generator) -> list[Stroke]:
    """An X filling an unused box: two jittered diagonals, not quite symmetric."""
    cx, cy = w / 2 + rng.normal(0, w * 0.04), h / 2 + rng.normal(0, h * 0.04)
    sx, sy = w * rng.uniform(0.26, 0.4), h * rng.uniform(0.26, 0.4)
    j = width * 0.6
    s1 = _stroke((cx - sx + rng.normal(0, j), cy - sy + rng.normal(0, j)),
                 (cx + sx + rng.normal(0, j), cy + sy + rng.normal(0, j)), width, rng,
                 bow=rng.normal(0, 0.05), jitter=width * 0.3)
    s2 = _stroke((cx + sx + rng.normal(0, j), cy - sy + rng.normal(0, j)),
                 (cx - sx + rng.normal(0, j), cy + sy + rng.normal(0, j)), width, rng,
                 bow=rng.normal(0, 0.05), jitter=width * 0.3)
    return [s1, s2]


def dash_strokes(w: float, h: float, width: float, rng: np.random.Generator) -> list[Stroke]:
    """A dash filling an unused box."""
    cx, cy = w / 2 + rng.normal(0, w * 0.05), h / 2 + rng.normal(0, h * 0.06)
    half = w * rng.uniform(0.2, 0.34)
    tilt = rng.normal(0, 0.05) * half
    return [_stroke((cx - half, cy + tilt), (cx + half, cy - tilt), width, rng, bow=rng.normal(0, 0.04),
                    jitter=width * 0.2)]


def tally_strokes(w: float, h: float, count: int, width: float, rng: np.random.Generator) -> list[Stroke]:
    """``count`` (1..5) tally strokes in a cell: four uprights, the fifth crossing them."""
    strokes = []
    top, bottom = h * rng.uniform(0.1, 0.2), h * rng.uniform(0.8, 0.9)
    left, right = w * rng.uniform(0.14, 0.24), w * rng.uniform(0.76, 0.86)
    for i in range(min(count, 4)):
        x = left + (right - left) * i / 3 + rng.normal(0, w * 0.025)
        lean = rng.normal(0.02, 0.04) * h
        strokes.append(_stroke((x + lean, top + rng.normal(0, h * 0.03)), (x - lean, bottom + rng.normal(0, h * 0.03)),
                               width, rng, bow=rng.normal(0, 0.03), jitter=width * 0.2, n=10))
    if count >= 5:
        strokes.append(_stroke((left - w * rng.uniform(0.04, 0.12), bottom - h * rng.uniform(0.05, 0.2)),
                               (right + w * rng.uniform(0.04, 0.12), top + h * rng.uniform(0.05, 0.2)),
                               width, rng, bow=rng.normal(0, 0.04), jitter=width * 0.25, n=12))
    return strokes


def tick_strokes(w: float, h: float, width: float, rng: np.random.Generator) -> list[Stroke]:
    """A check mark in a checkbox, often overshooting the box."""
    a = (w * rng.uniform(0.1, 0.3), h * rng.uniform(0.45, 0.6))
    b = (w * rng.uniform(0.4, 0.5), h * rng.uniform(0.8, 0.95))
    c = (w * rng.uniform(0.85, 1.25), -h * rng.uniform(0.0, 0.35))
    down = bezier_path(np.array(a), np.array(b), bow=0.05, n=8, rng=rng, jitter=width * 0.2)
    up = bezier_path(np.array(b), np.array(c), bow=-0.08, n=14, rng=rng, jitter=width * 0.3)
    pts = np.concatenate([down, up[1:]])
    return [(pts, width, pressure_profile(len(pts), rng))]


def bubble_fill_strokes(d: float, width: float, rng: np.random.Generator, *, coverage: float = 1.0,
                        spill: float = 1.0, light: bool = False) -> tuple[list[Stroke], float]:
    """Scribble filling a bubble of diameter ``d`` centred in a ``d`` x ``d`` square.

    ``coverage`` (0..1) is the share of the bubble's height covered (a partial
    fill stops early); ``spill`` > 1 scribbles past the printed outline.
    Returns the strokes and the ink density to use.
    """
    r = d / 2 * spill
    c = np.array([d / 2, d / 2]) + rng.normal(0, d * 0.04, 2) * spill
    step = width * (rng.uniform(0.55, 0.85) if not light else rng.uniform(1.0, 1.6))
    angle = rng.uniform(-0.5, 0.5)
    rot = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    pts = []
    y = -r * 0.9
    end = -r * 0.9 + 1.8 * r * coverage
    side = 1
    while y <= end:
        half = np.sqrt(max(r * r - y * y, 0)) * rng.uniform(0.8, 1.0)
        pts.append(c + rot @ np.array([side * half, y]))
        side = -side
        y += step
    if len(pts) < 2:
        pts = [c - np.array([r * 0.5, 0]), c + np.array([r * 0.5, 0])]
    pts = np.asarray(pts)
    density = rng.uniform(0.45, 0.7) if light else rng.uniform(0.85, 1.0)
    return [(pts, width, np.full(len(pts), 1.0))], density


def name_alpha(name: str, *, height_px: float, stroke_px: float, rng: np.random.Generator) -> np.ndarray:
    """A handwritten-looking name: letters drawn one by one, slanted, wavy and warped.

    Uses the shipped DejaVu font so the result does not depend on the host.
    """
    size = max(8, int(round(height_px)))
    font = ImageFont.truetype(str(FONT_PATH), size)
    slant = rng.uniform(0.1, 0.35)
    x = size * 0.3
    canvas = Image.new("L", (int(size * (0.75 * len(name) + 2)), int(size * 2.2)), 0)
    draw = ImageDraw.Draw(canvas)
    base = size * 1.4
    phase, freq = rng.uniform(0, 6.28), rng.uniform(0.05, 0.15)
    for i, ch in enumerate(name):
        s = int(size * rng.uniform(0.88, 1.12) * (1.15 if i == 0 or name[i - 1] == " " else 1.0))
        f = font if s == size else ImageFont.truetype(str(FONT_PATH), s)
        y = base + np.sin(phase + i * freq * 6) * size * 0.08 + rng.normal(0, size * 0.03)
        draw.text((x, y), ch, fill=255, font=f, anchor="ls")
        x += f.getlength(ch) * rng.uniform(0.85, 1.0)
    mask = np.asarray(canvas, np.float32)[:, : int(x + size * 0.5)] / 255.0
    h, w = mask.shape
    shear = np.float32([[1, -slant, slant * base], [0, 1, 0]])
    mask = cv2.warpAffine(mask, shear, (w, h), flags=cv2.INTER_LINEAR)
    # Smooth elastic warp: handwriting is never as even as type.
    dx = cv2.resize(rng.normal(0, size * 0.05, (4, max(2, w // size))).astype(np.float32), (w, h),
                    interpolation=cv2.INTER_CUBIC)
    dy = cv2.resize(rng.normal(0, size * 0.05, (4, max(2, w // size))).astype(np.float32), (w, h),
                    interpolation=cv2.INTER_CUBIC)
    gx, gy = np.meshgrid(np.arange(w, dtype=np.float32), np.arange(h, dtype=np.float32))
    mask = cv2.remap(mask, gx + dx, gy + dy, cv2.INTER_LINEAR)
    # Re-stroke to pen width: type strokes scale with size, pen strokes don't.
    font_stroke = size * 0.11
    if stroke_px < font_stroke:
        k = max(1, int(round((font_stroke - stroke_px) / 2)))
        mask = cv2.erode(mask, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * k + 1, 2 * k + 1)))
    return np.clip(mask, 0, 1)
