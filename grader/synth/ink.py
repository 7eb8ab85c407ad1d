"""A ballpoint pen on paper: stroke rasterisation and ink compositing.

Strokes are polylines with a width and an ink density along them. They are
rasterised with anti-aliasing on a supersampled canvas into an *alpha* mask
(0 = no ink, 1 = full ink), and the mask is laid onto the page by
multiplying with the ink colour, the way transparent ballpoint ink darkens
paper (and darkens printed lines further where it crosses them).
"""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

SUPERSAMPLE = 4          # rasterisation supersampling factor (sub-pixel stroke widths)
_SHIFT = 4               # cv2 fixed-point bits for sub-pixel coordinates

# Typical ballpoint and felt-tip colours (linear-ish RGB in 0..1, full-density ink).
_BLUE_INKS = ((0.10, 0.16, 0.55), (0.14, 0.20, 0.62), (0.08, 0.12, 0.42), (0.18, 0.22, 0.58))
_BLACK_INKS = ((0.09, 0.09, 0.11), (0.13, 0.12, 0.15), (0.07, 0.08, 0.10))


@dataclass(frozen=True)
class Pen:
    """What a writer holds.

    Attributes
    ----------
    color : RGB of full-density ink, 0..1.
    width_mm : nominal line width.
    pressure : overall ink density, 0..1 (light writers leave paler strokes).
    kind : ``ballpoint`` or ``felt``.
    """

    color: tuple[float, float, float]
    width_mm: float
    pressure: float
    kind: str = "ballpoint"

    def to_json(self) -> dict:
        return {"color": [round(c, 3) for c in self.color], "width_mm": round(self.width_mm, 3),
                "pressure": round(self.pressure, 3), "kind": self.kind}


def random_pen(rng: np.random.Generator) -> Pen:
    """A blue or black ballpoint (mostly), sometimes a felt-tip pen."""
    if rng.random() < 0.08:
        return Pen(tuple(float(c) for c in _BLACK_INKS[rng.integers(len(_BLACK_INKS))]),
                   float(rng.uniform(0.55, 0.8)), float(rng.uniform(0.85, 1.0)), "felt")
    inks = _BLUE_INKS if rng.random() < 0.6 else _BLACK_INKS
    color = np.asarray(inks[rng.integers(len(inks))]) + rng.normal(0, 0.02, 3)
    return Pen(tuple(float(c) for c in np.clip(color, 0, 1)), float(rng.uniform(0.3, 0.5)),
               float(rng.uniform(0.7, 1.0)))


def bezier_path(p0: np.ndarray, p1: np.ndarray, *, bow: float = 0.0, n: int = 16,
                rng: np.random.Generator | None = None, jitter: float = 0.0) -> np.ndarray:
    """A quadratic Bézier from ``p0`` to ``p1`` bent sideways by ``bow`` (a fraction of its length).

    ``jitter`` adds a small smooth wobble (in the same units as the points).
    """
    p0, p1 = np.asarray(p0, float), np.asarray(p1, float)
    d = p1 - p0
    normal = np.array([-d[1], d[0]])
    ctrl = (p0 + p1) / 2 + normal * bow
    t = np.linspace(0.0, 1.0, n)[:, None]
    pts = (1 - t) ** 2 * p0 + 2 * (1 - t) * t * ctrl + t ** 2 * p1
    if rng is not None and jitter > 0:
        wobble = np.cumsum(rng.normal(0, jitter / np.sqrt(n), (n, 2)), axis=0)
        wobble -= np.linspace(0, 1, n)[:, None] * wobble[-1]   # keep the end points
        pts += wobble
    return pts


def pressure_profile(n: int, rng: np.random.Generator, *, base: float = 1.0) -> np.ndarray:
    """Ink density along a stroke: a light touch-down and lift-off, and slow variation."""
    t = np.linspace(0, 1, n)
    ramp = np.minimum(1.0, np.minimum(t / rng.uniform(0.05, 0.2), (1 - t) / rng.uniform(0.05, 0.25)) * 0.6 + 0.4)
    slow = 1 + 0.12 * np.sin(2 * np.pi * (t * rng.uniform(0.5, 1.5) + rng.random()))
    return np.clip(base * ramp * slow, 0.05, 1.0)


def rasterize_strokes(shape: tuple[int, int], strokes: list[tuple[np.ndarray, float, np.ndarray]]) -> np.ndarray:
    """Rasterise strokes into an alpha mask of ``shape`` (height, width).

    Parameters
    ----------
    shape : output size in pixels.
    strokes : ``(points (n, 2) in px, width in px, density (n,) in 0..1)`` each.
        Crossing strokes add ink like real ballpoint strokes do.

    Returns
    -------
    float32 array in 0..1.
    """
    h, w = shape
    ss = SUPERSAMPLE
    one = 1 << _SHIFT
    out = np.zeros((h, w), np.float32)
    for pts, width, density in strokes:
        pts = np.asarray(pts, float)
        pad = width / 2 + 2
        x0, y0 = max(0, int(np.floor(pts[:, 0].min() - pad))), max(0, int(np.floor(pts[:, 1].min() - pad)))
        x1, y1 = min(w, int(np.ceil(pts[:, 0].max() + pad))), min(h, int(np.ceil(pts[:, 1].max() + pad)))
        if x0 >= x1 or y0 >= y1:
            continue
        canvas = np.zeros(((y1 - y0) * ss, (x1 - x0) * ss), np.uint8)
        local = (pts - [x0, y0]) * ss + (ss - 1) / 2
        fixed = np.round(local * one).astype(np.int32)
        thick = max(1, int(round(width * ss)))
        for i in range(len(fixed) - 1):
            value = int(round(255 * float(density[min(i, len(density) - 1)])))
            cv2.line(canvas, (int(fixed[i, 0]), int(fixed[i, 1])), (int(fixed[i + 1, 0]), int(fixed[i + 1, 1])),
                     value, thick, cv2.LINE_AA, _SHIFT)
        a = cv2.resize(canvas, (x1 - x0, y1 - y0), interpolation=cv2.INTER_AREA).astype(np.float32) / 255.0
        roi = out[y0:y1, x0:x1]
        roi[:] = 1 - (1 - roi) * (1 - a)
    return out


def ink_texture(shape: tuple[int, int], rng: np.random.Generator, *, kind: str = "ballpoint") -> np.ndarray:
    """Multiplicative density texture: ballpoint ink is grainy and skips a little."""
    h, w = shape
    grain = rng.normal(1.0, 0.12 if kind == "ballpoint" else 0.05, (h, w)).astype(np.float32)
    grain = cv2.GaussianBlur(grain, (0, 0), 0.7)
    if kind == "ballpoint":
        skips = rng.random((max(1, h // 3), max(1, w // 3))).astype(np.float32)
        skips = cv2.resize(skips, (w, h), interpolation=cv2.INTER_LINEAR)
        grain *= np.where(skips > 0.93, 0.55, 1.0).astype(np.float32)
    return np.clip(grain, 0.0, 1.15)


def apply_ink(page: np.ndarray, alpha: np.ndarray, origin: tuple[int, int], pen: Pen,
              rng: np.random.Generator, *, density: float = 1.0) -> None:
    """Lay ink with ``alpha`` onto ``page`` (uint8 RGB) at ``origin`` = (x, y), in place.

    ``alpha`` may extend past the page; it is clipped. ``density`` scales the
    pen's pressure (0.25 gives a faint stroke, such as an old digit under
    correction fluid).
    """
    clip = _overlap(page, alpha, origin)
    if clip is None:
        return
    page_part, layer_part = clip
    a = alpha[layer_part]
    a = np.clip(a * ink_texture(a.shape, rng, kind=pen.kind) * (pen.pressure * density), 0, 1)[..., None]
    color = np.asarray(pen.color, np.float32)
    roi = page[page_part]
    roi[:] = (roi * (1 - a * (1 - color)) + 0.5).astype(np.uint8)


def paint_patch(page: np.ndarray, mask: np.ndarray, origin: tuple[int, int], color: tuple[float, float, float],
                opacity: float) -> None:
    """Paint an opaque-ish layer (correction fluid, colour in 0..1) with ``mask`` over ``page`` (uint8 RGB) in place."""
    clip = _overlap(page, mask, origin)
    if clip is None:
        return
    page_part, layer_part = clip
    m = (mask[layer_part] * opacity)[..., None]
    roi = page[page_part]
    roi[:] = (roi * (1 - m) + np.asarray(color, np.float32) * 255 * m + 0.5).astype(np.uint8)


def _overlap(page: np.ndarray, layer: np.ndarray, origin: tuple[int, int]):
    """Slices ``(of page, of layer)`` where ``layer`` placed at ``origin`` covers the page, or None."""
    x0, y0 = origin
    h, w = layer.shape[:2]
    ph, pw = page.shape[:2]
    xa, ya, xb, yb = max(0, x0), max(0, y0), min(pw, x0 + w), min(ph, y0 + h)
    if xa >= xb or ya >= yb:
        return None
    return (slice(ya, yb), slice(xa, xb)), (slice(ya - y0, yb - y0), slice(xa - x0, xb - x0))
