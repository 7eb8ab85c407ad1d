"""Pen-stroke block numerals in many writing styles, for the digit-box CNN's weights.

MNIST's writers are mostly American students; the officers who fill our sheets write the
Indonesian (and European) way: a 1 with a flag and often a foot, a crossed or serifed 7, an open
4, a flat-topped 3, a 9 with a straight or hooked stem. A 1 read as a 6 or 7 is exactly the
Sirekap failure (117 read as 617). Here each digit has a few stroke skeletons, one per style;
every control point, the slant, aspect, size, pen width and wobble are drawn at random, so no two
samples are alike and no real writer's glyph is copied.

Coordinates are in a unit glyph box (x right, y down, both 0..1); angles are in degrees with y
down (0 = right, 90 = bottom, 180 = left, 270 = top). :func:`synth_stroke_digit` returns a 96x96
float ink map like the other synthetic glyphs (:mod:`training.digit_synth`).
"""
from __future__ import annotations

from typing import Callable

import cv2
import numpy as np

from training.digit_synth import elastic

_CANVAS = 96
Stroke = np.ndarray           # (n, 2) points in the unit glyph box


def _arc(cx: float, cy: float, rx: float, ry: float, a0: float, a1: float, n: int = 24) -> Stroke:
    t = np.deg2rad(np.linspace(a0, a1, n))
    return np.stack([cx + rx * np.cos(t), cy + ry * np.sin(t)], 1)


def _line(*pts) -> Stroke:
    return np.asarray(pts, float)


def _join(*parts: Stroke) -> Stroke:
    return np.concatenate(parts)


def _u(rng, lo, hi) -> float:
    return float(rng.uniform(lo, hi))


def _zero(rng) -> list[Stroke]:
    start = _u(rng, 230, 300)
    return [_arc(0.5, 0.5, _u(rng, 0.22, 0.36), _u(rng, 0.4, 0.47), start, start + _u(rng, 350, 385), 40)]


def _one(rng) -> list[Stroke]:
    x = _u(rng, 0.45, 0.6)
    style = rng.choice(4, p=[0.4, 0.3, 0.15, 0.15])   # the plain stroke stays the commonest 1
    if style == 0:                                     # plain stem
        return [_line((x, 0.04), (x + _u(rng, -0.05, 0.05), 0.96))]
    d = _u(rng, 0.12, 0.25)                            # a flag steeper than 45 degrees: no "r", no "7"
    flag = _line((x - d, 0.04 + d * _u(rng, 1.1, 2.2)), (x, 0.04), (x + _u(rng, -0.05, 0.05), 0.96))
    if style == 1:                                     # flag
        return [flag]
    if style == 2:                                     # flag and foot
        return [flag, _line((x - _u(rng, 0.15, 0.25), 0.96), (x + _u(rng, 0.15, 0.25), 0.96))]
    # a long, curved up-stroke: the "(-shaped" continental 1
    up = _arc(x, 0.5, _u(rng, 0.15, 0.28), 0.45, _u(rng, 180, 200), 270, 12)
    return [_join(up, _line((x + _u(rng, -0.04, 0.04), 0.96)))]


def _two(rng) -> list[Stroke]:
    style = rng.integers(3)
    if style == 2:                                     # angular, Z-like
        return [_line((0.18, _u(rng, 0.05, 0.2)), (0.78, 0.06), (0.2, 0.95), (0.85, _u(rng, 0.9, 0.97)))]
    top = _arc(0.5, _u(rng, 0.27, 0.33), _u(rng, 0.26, 0.33), _u(rng, 0.2, 0.27), _u(rng, 170, 200),
               _u(rng, 370, 400))
    if style == 0:
        return [_join(top, _line((0.18, 0.95), (0.85, _u(rng, 0.9, 0.98))))]
    loop = _arc(0.27, 0.86, 0.1, 0.08, 270, -90, 14)   # a small loop at the bottom-left turn
    return [_join(top, _line((0.25, 0.78)), loop, _line((0.85, _u(rng, 0.9, 0.98))))]


def _three(rng) -> list[Stroke]:
    mid = _u(rng, 0.42, 0.52)
    low = _arc(0.48, (mid + 0.96) / 2, _u(rng, 0.27, 0.34), (0.96 - mid) / 2, 270, _u(rng, 480, 520))
    if rng.random() < 0.4:                             # flat top: a Z-like upper half
        return [_join(_line((0.2, 0.05), (0.78, 0.05), (0.42, mid)), low)]
    up = _arc(0.48, mid / 2 + 0.02, _u(rng, 0.22, 0.3), mid / 2 - 0.02, _u(rng, 190, 220), 450)
    return [_join(up, low)]


def _four(rng) -> list[Stroke]:
    bar, x = _u(rng, 0.55, 0.7), _u(rng, 0.6, 0.72)
    style = rng.integers(3)
    if style == 0:                                     # open: a slanted arm, then a stem that crosses the bar
        return [_line((x - _u(rng, 0.05, 0.2), 0.04), (0.12, bar), (0.9, bar)),
                _line((x, _u(rng, 0.25, 0.45)), (x, 0.96))]
    if style == 1:                                     # closed triangle, one stroke
        return [_line((x, 0.96), (x, 0.04), (0.1, bar), (0.9, bar))]
    return [_line((0.2, 0.04), (0.18, bar), (0.9, bar)), _line((x, 0.04), (x, 0.96))]   # upright "L" and stem


def _five(rng) -> list[Stroke]:
    x0, mid = _u(rng, 0.25, 0.35), _u(rng, 0.4, 0.5)
    bowl = _arc(0.48, (mid + 0.96) / 2, _u(rng, 0.26, 0.33), (0.96 - mid) / 2, _u(rng, 215, 240),
                _u(rng, 480, 510))
    body = _join(_line((x0 + 0.02, 0.06), (x0, mid + 0.04)), bowl)
    flag = _line((x0 + 0.02, 0.06), (_u(rng, 0.7, 0.85), _u(rng, 0.03, 0.1)))
    if rng.random() < 0.5:
        return [body, flag]
    return [_join(flag[::-1], body)]                   # written in one go, flag first


def _six(rng) -> list[Stroke]:
    cy, r = _u(rng, 0.68, 0.74), _u(rng, 0.2, 0.26)
    loop = _arc(0.5, cy, _u(rng, 0.22, 0.3), r, 180, _u(rng, 500, 550))
    if rng.random() < 0.5:
        stem = _arc(0.75, cy, 0.47, cy - 0.05, _u(rng, 250, 265), 180, 14)
    else:
        stem = _line((_u(rng, 0.6, 0.75), 0.05), (0.28, cy))
    return [_join(stem, loop)]


def _seven(rng) -> list[Stroke]:
    top = _u(rng, 0.04, 0.12)
    end = (_u(rng, 0.3, 0.55), 0.96)
    if rng.random() < 0.35:                            # curved stem
        stem = _arc(0.85, 0.96, 1.6 * (0.85 - end[0]), 0.96 - top, 270, 180, 14)   # from the bar's end, bowing
    else:
        stem = _line((0.85, top), end)
    head = _line((0.15, top + _u(rng, -0.03, 0.03)), (0.85, top))
    if rng.random() < 0.3:                             # a serif down at the left end
        head = _join(_line((0.15, top + _u(rng, 0.1, 0.2))), head)
    strokes = [_join(head, stem)]
    if rng.random() < 0.4:                             # crossed through the stem
        y = _u(rng, 0.45, 0.6)
        x = float(np.interp(y, strokes[0][len(head):, 1], strokes[0][len(head):, 0]))
        strokes.append(_line((x - _u(rng, 0.15, 0.25), y), (x + _u(rng, 0.15, 0.25), y + _u(rng, -0.04, 0.04))))
    return strokes


def _eight(rng) -> list[Stroke]:
    t = np.linspace(0, 2 * np.pi + _u(rng, 0, 0.4), 60)
    up, lo = _u(rng, 0.35, 0.48), _u(rng, 0.42, 0.5)
    wu, wl = _u(rng, 0.18, 0.26), _u(rng, 0.22, 0.32)
    c = np.cos(t)
    y = 0.5 - np.where(c > 0, up, lo) * c
    x = 0.5 + np.where(c > 0, wu, wl) * np.sin(2 * t)
    if rng.random() < 0.3:                             # two loops drawn separately (a "snowman")
        return [_arc(0.5, 0.5 - up / 2, wu * 1.1, up / 2, 0, 360, 30),
                _arc(0.5, 0.5 + lo / 2, wl * 1.1, lo / 2, 0, 360, 30)]
    return [np.stack([x, y], 1)]


def _nine(rng) -> list[Stroke]:
    cy, ry = _u(rng, 0.25, 0.32), _u(rng, 0.18, 0.25)
    rx = _u(rng, 0.22, 0.3)
    loop = _arc(0.45, cy, rx, ry, 0, -360 + _u(rng, -20, 20))
    x = 0.45 + rx
    style = rng.integers(3)
    if style == 0:                                     # straight stem
        stem = _line((x, cy), (x - _u(rng, 0.0, 0.15), 0.96))
    elif style == 1:                                   # hooked at the foot
        stem = _join(_line((x, cy), (x, 0.78)), _arc(x - 0.2, 0.78, 0.2, 0.18, 0, 150, 10))
    else:                                              # long curve, like a "g"
        stem = _arc(x - 0.35, cy, 0.35, 0.96 - cy, 0, 110, 16)
    return [loop, stem]


_STYLES: dict[int, Callable] = {0: _zero, 1: _one, 2: _two, 3: _three, 4: _four, 5: _five, 6: _six,
                                7: _seven, 8: _eight, 9: _nine}


def _densify(s: Stroke, step: float = 0.02) -> Stroke:
    """Points at most ``step`` apart, so the wobble below bends straight strokes too."""
    out = [s[0]]
    for a, b in zip(s[:-1], s[1:]):
        n = max(1, int(np.ceil(np.linalg.norm(b - a) / step)))
        out.extend(a + (b - a) * (np.arange(1, n + 1)[:, None] / n))
    return np.asarray(out)


def synth_stroke_digit(digit: int, rng: np.random.Generator) -> np.ndarray:
    """One handwritten-looking ``digit`` on a 96x96 ink canvas (ink = 1), in a random style."""
    strokes = [_densify(s) for s in _STYLES[digit](rng)]
    h = _u(rng, 46, 66)
    w = h * _u(rng, 0.55, 0.95)
    lean, rot = _u(rng, -0.15, 0.5), np.deg2rad(rng.normal(0, 4))    # most hands lean right (top to the right)
    m = np.array([[np.cos(rot), -np.sin(rot)], [np.sin(rot), np.cos(rot)]]) @ np.array([[w, -lean * h], [0, h]])
    centre = _CANVAS / 2 + rng.normal(0, 2, 2)
    canvas = np.zeros((_CANVAS, _CANVAS), np.float32)
    th = int(rng.integers(3, 10))
    for s in strokes:
        pts = (s - 0.5) @ m.T + centre
        pts += cv2.GaussianBlur(rng.normal(0, 1.2, (len(pts), 2)).astype(np.float32), (1, 0), 3).reshape(-1, 2)
        cv2.polylines(canvas, [np.round(pts * 16).astype(np.int32)], False, 1.0, th, cv2.LINE_AA, shift=4)
    if rng.random() < 0.7:
        canvas = elastic(canvas, rng, alpha=_u(rng, 0.8, 2.5), sigma=_u(rng, 7, 11))
    return np.clip(canvas, 0, 1)
