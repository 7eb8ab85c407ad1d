"""What is around and over the sheet: table or cloth, other papers, light, shadows, fingers.

All functions work in photo pixels and return float32 arrays in 0..1. Slowly
varying fields are drawn at a fraction of the photo size and resized, which
keeps a 12 MP photo cheap.
"""
from __future__ import annotations

import cv2
import numpy as np

BACKGROUNDS = ("wood", "cloth", "laminate", "tiles", "plaid")
CASTS = {"neutral": (1.0, 1.0, 1.0), "warm": (1.08, 1.0, 0.8), "cool": (0.9, 1.0, 1.12),
         "fluorescent": (0.94, 1.05, 0.93), "evening": (1.15, 0.98, 0.72)}
_LOW = 4     # background textures are drawn at 1/_LOW resolution


def _smooth_noise(shape: tuple[int, int], cells: int, rng: np.random.Generator) -> np.ndarray:
    h, w = shape
    small = rng.normal(0, 1, (max(2, cells * h // max(h, w)), max(2, cells * w // max(h, w)))).astype(np.float32)
    return cv2.resize(small, (w, h), interpolation=cv2.INTER_CUBIC)


def _muted_color(rng: np.random.Generator) -> np.ndarray:
    """A household colour: any hue, low to middling saturation."""
    hsv = np.uint8([[[rng.integers(0, 180), rng.integers(20, 140), rng.integers(60, 215)]]])
    return cv2.cvtColor(hsv, cv2.COLOR_HSV2RGB)[0, 0].astype(np.float32) / 255.0


def background(kind: str, size: tuple[int, int], rng: np.random.Generator) -> np.ndarray:
    """A procedural table or cloth texture filling a ``size`` = (width, height) frame (uint8 RGB)."""
    w, h = size
    lw, lh = max(8, w // _LOW), max(8, h // _LOW)
    yy, xx = np.mgrid[0:lh, 0:lw].astype(np.float32)
    ang = rng.uniform(0, np.pi)
    u = xx * np.cos(ang) + yy * np.sin(ang)
    v = -xx * np.sin(ang) + yy * np.cos(ang)
    if kind == "wood":
        base = np.array([0.55, 0.36, 0.2]) * rng.uniform(0.6, 1.2) + rng.normal(0, 0.03, 3)
        warp = _smooth_noise((lh, lw), 6, rng) * rng.uniform(4, 12)
        grain = np.sin((v + warp) / rng.uniform(2.0, 5.0)) * 0.5 + 0.5
        fine = _smooth_noise((lh, lw), 200, rng) * 0.04
        tex = 0.8 + 0.25 * grain[..., None] + fine[..., None] + 0.05 * np.sin(u / 40)[..., None]
        img = base[None, None, :] * tex
    elif kind == "cloth" or kind == "plaid":
        c1 = _muted_color(rng)
        c2 = _muted_color(rng) if rng.random() < 0.6 else c1 * rng.uniform(0.6, 0.85)
        period = rng.uniform(6, 25)
        stripes = (np.sin(u / period * 2 * np.pi) > rng.uniform(-0.3, 0.5)).astype(np.float32)
        if kind == "plaid":
            stripes = np.maximum(stripes, (np.sin(v / period * 2 * np.pi) > 0.4).astype(np.float32) * 0.7)
        stripes = cv2.GaussianBlur(stripes, (0, 0), 1.0)
        weave = (np.sin(u * 2.2) * np.sin(v * 2.2) * 0.04)[..., None]
        img = c1 * (1 - stripes[..., None]) + c2 * stripes[..., None]
        img = img * (0.95 + weave + 0.05 * _smooth_noise((lh, lw), 12, rng)[..., None])
    elif kind == "tiles":
        base = rng.uniform(0.45, 0.85, 3) * np.array([1.0, 0.97, 0.9])
        pitch = rng.uniform(60, 150)
        grout = ((np.abs(((u + pitch / 2) % pitch) - pitch / 2) < 1.2) | (np.abs(((v + pitch / 2) % pitch) - pitch / 2)
                                                                          < 1.2)).astype(np.float32)
        img = base * (1 - 0.35 * cv2.GaussianBlur(grout, (0, 0), 0.8)[..., None])
        img = img * (1 + 0.06 * _smooth_noise((lh, lw), 30, rng)[..., None])
    else:   # laminate / plastic table
        base = _muted_color(rng)
        img = base * (1 + 0.05 * _smooth_noise((lh, lw), 8, rng)[..., None] +
                      0.03 * rng.normal(0, 1, (lh, lw, 1)).astype(np.float32))
    small = (np.clip(img, 0, 1) * 255 + 0.5).astype(np.uint8)
    return cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR)


def draw_other_papers(img: np.ndarray, count: int, scale_px_per_mm: float, rng: np.random.Generator) -> list[dict]:
    """Other sheets lying on the table (under ours): printed or lined, partly out of frame.

    Draws in place on a uint8 RGB image.
    """
    h, w = img.shape[:2]
    placed = []
    for _ in range(count):
        pw, ph = 210 * scale_px_per_mm * rng.uniform(0.5, 1.0), 297 * scale_px_per_mm * rng.uniform(0.4, 1.0)
        c = np.array([rng.uniform(-0.1, 1.1) * w, rng.uniform(-0.1, 1.1) * h])
        a = rng.uniform(0, np.pi)
        rot = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
        corners = np.array([[-pw / 2, -ph / 2], [pw / 2, -ph / 2], [pw / 2, ph / 2], [-pw / 2, ph / 2]]) @ rot.T + c
        tone = np.array([237.0, 234.0, 224.0]) * rng.uniform(0.85, 1.02)
        cv2.fillConvexPoly(img, np.round(corners * 16).astype(np.int32), tuple(float(t) for t in tone), cv2.LINE_AA, 4)
        # Lines of "text" or ruling.
        pitch = rng.uniform(5, 9) * scale_px_per_mm
        ruled = rng.random() < 0.4
        for k in range(int(ph / pitch) - 2):
            y = -ph / 2 + (k + 1.5) * pitch
            x1 = pw / 2 - pw * (0.08 if ruled else rng.uniform(0.1, 0.5))
            seg = np.array([[-pw / 2 + pw * 0.08, y], [x1, y]]) @ rot.T + c
            ink = (140.0, 153.0, 190.0) if ruled else tuple(float(v) for v in tone * rng.uniform(0.2, 0.5))
            cv2.line(img, tuple(np.round(seg[0] * 16).astype(int)), tuple(np.round(seg[1] * 16).astype(int)), ink,
                     max(1, int(scale_px_per_mm * (0.2 if ruled else 1.2))), cv2.LINE_AA, 4)
        placed.append({"center_px": [round(float(v), 1) for v in c], "ruled": bool(ruled)})
    return placed


def lighting(xn: np.ndarray, yn: np.ndarray, rng: np.random.Generator, *, exposure: float, gradient: float,
             vignette: float, shadow: float) -> tuple[np.ndarray, dict]:
    """Multiplicative light: exposure, a gradient, vignetting and an optional soft shadow.

    ``xn, yn`` are frame coordinates in -0.5..0.5 of a (coarse) grid; the
    result has the grid's shape.
    """
    a = rng.uniform(0, 2 * np.pi)
    light = exposure * (1 + gradient * (xn * np.cos(a) + yn * np.sin(a)) * 2)
    light *= 1 - vignette * (xn ** 2 + yn ** 2) * 2
    info = {"exposure": round(exposure, 3), "gradient": round(gradient, 3), "vignette": round(vignette, 3),
            "shadow": round(shadow, 3)}
    if shadow > 0:   # the phone's or the photographer's shadow: a big soft blob
        c = rng.uniform(-0.5, 0.5, 2)
        axes = rng.uniform(0.2, 0.6, 2)
        ang = rng.uniform(0, np.pi)
        u = ((xn - c[0]) * np.cos(ang) + (yn - c[1]) * np.sin(ang)) / axes[0]
        v = (-(xn - c[0]) * np.sin(ang) + (yn - c[1]) * np.cos(ang)) / axes[1]
        r = np.sqrt(u ** 2 + v ** 2)
        soft = rng.uniform(0.08, 0.4)
        light *= 1 - shadow * np.clip((1 + soft - r) / (2 * soft), 0, 1)
    return np.clip(light, 0.01, 3).astype(np.float32), info


def draw_occluder(planes: list[np.ndarray], polygon_px: np.ndarray, rng: np.random.Generator, *,
                  kind: str) -> None:
    """A finger or another paper lying over part of the frame, with a soft edge.

    Draws in place on the R, G, B uint8 planes of the photo.
    """
    h, w = planes[0].shape
    x0, y0 = np.floor(polygon_px.min(axis=0)).astype(int) - 8
    x1, y1 = np.ceil(polygon_px.max(axis=0)).astype(int) + 8
    x0, y0, x1, y1 = max(0, x0), max(0, y0), min(w, x1), min(h, y1)
    if x0 >= x1 or y0 >= y1:
        return
    mask = np.zeros((y1 - y0, x1 - x0), np.float32)
    cv2.fillPoly(mask, [np.round((polygon_px - [x0, y0]) * 16).astype(np.int32)], 1.0, cv2.LINE_AA, 4)
    mask = cv2.GaussianBlur(mask, (0, 0), 1.5 if kind == "paper" else 3.0)
    if kind == "finger":   # skin, darker towards the outline (a rounded surface)
        color = np.array([0.8, 0.58, 0.45]) * rng.uniform(0.55, 1.0)
        inside = cv2.distanceTransform((mask > 0.5).astype(np.uint8), cv2.DIST_L2, 3)
        shade = 0.6 + 0.45 * np.sqrt(np.clip(inside / max(float(inside.max()), 1.0), 0, 1))
    else:
        color = np.array([0.94, 0.93, 0.9]) * rng.uniform(0.9, 1.0)
        shade = np.ones_like(mask)
    for plane, c in zip(planes, color):
        roi = plane[y0:y1, x0:x1]
        roi[:] = np.clip(roi * (1 - mask) + c * 255 * shade * mask, 0, 255).astype(np.uint8)
