"""Measuring where the printed bubble columns are, for the aligner's curl correction.

A bubble column far from any printed border can sit more than half a bubble away from where the
borders put it. Its rings must then be found where they are, never one bubble off, and a column that
cannot be followed must measure nothing.
"""
import cv2
import numpy as np

from grader.photo.bubble_grid import bubble_points
from grader.photo.print_grid import frame_sampler
from test_bubbles import PX, filled, spelled

FID = "IV.1.bubbles"


def _measured(gray: np.ndarray, sheet) -> dict:
    """Per bubble centre (frame px, rounded), the measured (dx, dy) in mm; no prior shift."""
    (px_pts, dxs), (_, dys) = bubble_points(frame_sampler(gray), sheet.pages[1], lambda p: np.zeros_like(p),
                                            px_per_mm=PX)
    return {(round(float(p[0])), round(float(p[1]))): (dx / PX, dy / PX) for p, dx, dy in zip(px_pts, dxs, dys)}


def _column(sheet, col: int) -> list:
    return [(round(b.center[0] * PX - 0.5), round(b.center[1] * PX - 0.5)) for b in sheet.field(FID).bubbles[col]]


def _as_u8(gray: np.ndarray) -> np.ndarray:
    return gray if gray.dtype == np.uint8 else np.clip(gray * 255, 0, 255).astype(np.uint8)


def _page(sheet, blank_page, value: int, seed: int) -> np.ndarray:
    """Page 2 with ``value`` filled in the bubbles of ``FID``, photographed gently, as uint8."""
    return _as_u8(filled(sheet, blank_page, {FID: spelled(value)}, np.random.default_rng(seed), hard=False))


def _strip(sheet, col: int, first: int = 0) -> tuple[int, int, int, int]:
    """``(x, y, w, y2)`` px of column ``col`` of ``FID`` from bubble ``first`` to its end, with a margin."""
    f = sheet.field(FID)
    x, y, w, h = f.bubbles[col][first].grow(0.6).to_px(PX)
    return x, y, w, f.bubbles[col][-1].grow(0.6).to_px(PX)[1] + h


def test_rings_are_found_where_they_are_when_the_estimate_is_off_by_more_than_half_a_bubble(sheet, blank_page):
    """The estimate is right at the top of the columns and 1.2 bubble pitches (4.7 mm) too high at the
    bottom, as a border-only field left one curled photo: every ring is still measured where it is printed,
    never one bubble off (a half-pitch search lands on the neighbouring ring there)."""
    gray = _page(sheet, blank_page, 275, 51)
    f = sheet.field(FID)
    pitch = f.bubbles[0][1].y - f.bubbles[0][0].y
    y0, y9 = f.bubbles[0][0].center[1] * PX, f.bubbles[0][-1].center[1] * PX

    def bad_estimate(p: np.ndarray) -> np.ndarray:
        out = np.zeros_like(p)
        out[:, 1] = -1.2 * pitch * PX * np.clip((p[:, 1] - y0) / (y9 - y0), 0, 1)
        return out

    (pts, dxs), (_, dys) = bubble_points(frame_sampler(gray), sheet.pages[1], bad_estimate, px_per_mm=PX)
    got = {(round(float(p[0])), round(float(p[1]))): (dx / PX, dy / PX) for p, dx, dy in zip(pts, dxs, dys)}
    for col in range(3):
        for p in _column(sheet, col):
            assert max(abs(v) for v in got[p]) < 0.25, (col, p, got[p])


def test_a_stretched_column_is_followed(sheet, blank_page):
    """The middle column stretched downwards by 9% (bubble 9 lower by 0.8 pitch): each ring where it is."""
    gray = _page(sheet, blank_page, 275, 55)
    f = sheet.field(FID)
    top = f.bubbles[1][0].center[1] * PX
    x, _, w, _ = f.bubbles[1][0].grow(0.6).to_px(PX)
    ys = np.arange(gray.shape[0], dtype=np.float32)
    src_y = np.where(ys > top, top + (ys - top) / 1.09, ys).astype(np.float32)
    map_y = np.repeat(src_y[:, None], w, axis=1)
    map_x = np.repeat(np.arange(x, x + w, dtype=np.float32)[None, :], gray.shape[0], axis=0)
    gray[:, x:x + w] = cv2.remap(gray, map_x, map_y, cv2.INTER_LINEAR)
    got = _measured(gray, sheet)
    for k, p in enumerate(_column(sheet, 1)):
        want = 0.09 * (f.bubbles[1][k].center[1] * PX - top) / PX
        assert abs(got[p][1] - want) < 0.25 and abs(got[p][0]) < 0.25, (k, got[p], want)


def test_a_column_that_cannot_be_followed_measures_nothing(sheet, blank_page):
    """The lower half of a column covered with paper: no ring for half its bubbles, no measurement."""
    gray = _page(sheet, blank_page, 275, 52)
    x, y, w, y2 = _strip(sheet, 2, first=5)
    gray[y:y2, x:x + w] = int(np.median(gray[y:y2, x:x + w]))
    got = _measured(gray, sheet)
    assert not any(p in got for p in _column(sheet, 2))
    assert all(p in got for p in _column(sheet, 0))


def test_a_squeezed_column_measures_nothing_rather_than_a_slip(sheet, blank_page):
    """A column squeezed to 0.7 of its height (bubble 9 moved up 2.7 pitches) cannot be followed: nothing."""
    gray = _page(sheet, blank_page, 186, 53)
    x, y, w, y2 = _strip(sheet, 1)
    strip = gray[y:y2, x:x + w]
    short = cv2.resize(strip, (w, int(strip.shape[0] * 0.7)), interpolation=cv2.INTER_AREA)
    gray[y:y2, x:x + w] = int(np.median(strip))
    gray[y:y + short.shape[0], x:x + w] = short
    got = _measured(gray, sheet)
    assert not any(p in got for p in _column(sheet, 1))
    assert all(p in got for p in _column(sheet, 2))


def test_a_ring_like_mark_beyond_the_column_never_makes_it_slip(sheet, blank_page):
    """A drawn circle one pitch below bubble 9, the bubble-0 ring covered: the rings 1-9 plus the circle
    look like a whole column one bubble lower. The column measures nothing, or where it really is."""
    gray = _page(sheet, blank_page, 275, 54)
    f = sheet.field(FID)
    last, first = f.bubbles[1][-1], f.bubbles[1][0]
    pitch = last.y - f.bubbles[1][-2].y
    cx, cy = last.center[0] * PX - 0.5, (last.center[1] + pitch) * PX - 0.5
    cv2.circle(gray, (int(round(cx)), int(round(cy))), int(round(last.w / 2 * PX)), 70, max(1, int(0.25 * PX)),
               cv2.LINE_AA)
    x, y, w, h = first.grow(0.3).to_px(PX)
    gray[y:y + h, x:x + w] = int(np.median(gray[y:y + h, x - 2 * w:x - w]))
    got = _measured(gray, sheet)
    for p in _column(sheet, 1)[1:]:
        if p in got:
            assert abs(got[p][1]) < 0.5 * pitch, (p, got[p])
