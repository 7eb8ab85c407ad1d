"""Where the printed box grid really is: border shifts measured in the homography frame.

For each digit box (and each tally grid as a whole) the pair of opposite
borders, a known distance apart, is slid along each axis and the darkest
position wins, which is robust to handwriting crossing a border and cannot
confuse a border with the neighbouring row's. Each border is then refined on
its own (the lines of tally grids: :mod:`grader.photo.tally_lines`). Used by
:mod:`grader.photo.curl` to bend the page mapping on curled paper.
"""
from __future__ import annotations

from typing import Callable

import cv2
import numpy as np

from grader.order_stats import median, percentile
from grader.photo.no_ipp import without_ipp
from grader.sheet.layout import FieldLayout, PageLayout, Rect
from grader.subpixel import parabola_offset

SEARCH_MM = 3.0          # how far a border may have moved (less than half a box width)
WIDE_SEARCH_MM = 3.6     # second search, around the first field (just under half a box width)
SIDE_SAMPLES = 7         # profiles per border; their median resists ink crossing the border
SIDE_SLACK_MM = 0.6      # each border's own place is searched this far from the pair's (paper bent inside a box)
SHOW_SLACK_MM = 1.0      # ... and must show as a line this close to it (a box stretched by a curl near the page's edge)
VALLEY_RISE = 10.0       # gray levels a line's profile rises on each side of it within that window,
VALLEY_MM = 0.5          # ... when it lies this close to the pair's place (a border in place, not one a curl moved)
SHARED_LINE_MM = 1.0     # two boxes side by side measure the line between them this alike, or one of them is wrong
ROW_LINE_MM = 1.3        # ... and the shift across their row (its top and bottom lines run through both) this alike
PRINT_PIXEL_MM = 25.4 / 300   # sheets are rendered for print at 300 dpi
WIDE_MM = 15.0           # rectangles wider than this have their borders measured one by one


def border_rects(page: PageLayout, *, print_pixel_mm: float = PRINT_PIXEL_MM) -> list[Rect]:
    """Centre lines of printed rectangles whose borders can be measured.

    Digit boxes and checkboxes, and each tally grid as a whole (the outer
    frame: a cell's own borders are too easily confused with the tally strokes
    written in it). :func:`~grader.sheet.render.render_page` draws each border
    inside its rectangle, and Pillow's outlines include their right and bottom
    pixel, so those two borders sit one print pixel further out.
    """
    cells = {c for f in page.fields if f.kind == "tally" for c in f.cells}
    out = [(r, lw) for r, lw in page.frames if r not in cells]
    for f in page.fields:
        if f.kind == "tally" and f.cells:
            out.append((Rect.union(f.cells), tally_line_mm(page, f)))
    return [centre_line_rect(r, lw, print_pixel_mm=print_pixel_mm) for r, lw in out]


def tally_line_mm(page: PageLayout, f: FieldLayout) -> float:
    """The printed line width of tally field ``f``'s cells, mm."""
    return next((w for r, w in page.frames if r == f.cells[0]), 0.2)


def centre_line_rect(r: Rect, line_mm: float, *, print_pixel_mm: float = PRINT_PIXEL_MM) -> Rect:
    """The centre lines of the border printed for rectangle ``r`` with lines ``line_mm`` wide (see above)."""
    return Rect(r.x + line_mm / 2, r.y + line_mm / 2, r.w - line_mm + print_pixel_mm, r.h - line_mm + print_pixel_mm)


Sampler = Callable[[np.ndarray, np.ndarray], np.ndarray]


def frame_sampler(gray: np.ndarray) -> Sampler:
    """Sample an already-warped frame image at frame coordinates (float32 maps of equal shape)."""
    def sample(mx: np.ndarray, my: np.ndarray) -> np.ndarray:
        return cv2.remap(gray, mx, my, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=255)
    return sample


def photo_sampler(gray: np.ndarray, homography: np.ndarray) -> Sampler:
    """Sample the photo itself at frame coordinates, through the inverse homography (no full warp needed)."""
    inv = np.linalg.inv(homography)

    def sample(mx: np.ndarray, my: np.ndarray) -> np.ndarray:
        # (one two-channel map: the same sampling as two maps, without copying each out of the interleaved points)
        pts = np.empty((mx.shape if mx.ndim == 2 else (mx.size, 1)) + (2,))
        pts[..., 0], pts[..., 1] = mx.reshape(pts.shape[:2]), my.reshape(pts.shape[:2])
        with without_ipp():     # (a few thousand points a call: IPP's toll outweighs its speed)
            photo = cv2.perspectiveTransform(pts.reshape(-1, 1, 2), inv).reshape(pts.shape).astype(np.float32)
            return cv2.remap(gray, photo, None, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=255)
    return sample


def measure_shifts(sample: Sampler, rects: list[Rect], *, px_per_mm: float, sides: bool = False,
                   prior: np.ndarray | None = None, search_mm: float = SEARCH_MM, last_reach: bool = False
                   ) -> tuple[np.ndarray, np.ndarray] | tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per rectangle (of border centre lines), its centre and measured shift ``(dx, dy)``, frame px (NaN: not found).

    ``sample(map_x, map_y)`` returns the page's gray values at frame coordinates
    (see :func:`frame_sampler`, :func:`photo_sampler`). The two opposite borders
    are slid together, which cannot confuse a border with a neighbouring box's.
    With ``sides``, also returns each border's own shift, ``(n, 4)`` for left,
    right, top, bottom, searched within 0.6 mm of the pair's: paper that bends
    inside a box moves its borders by different amounts. ``prior`` ``(n, 2)``
    centres each search on an earlier estimate (frame px), extending its reach. ``last_reach``: no search reaches
    further than this one, so with ``sides`` a box one of whose borders still darkens at the search's end is not
    measured along that axis (the other side is not kept alone).
    """
    if not rects:
        empty = np.zeros((0, 2))
        return (empty, empty, np.zeros((0, 4))) if sides else (empty, empty)
    ppm = px_per_mm
    r = np.array([(b.x, b.y, b.w, b.h) for b in rects]) * ppm
    x0, y0, w, h = r[:, 0] - 0.5, r[:, 1] - 0.5, r[:, 2], r[:, 3]
    step = 0.5
    offs = np.arange(-search_mm * ppm, search_mm * ppm + 1e-6, step)
    along = np.linspace(0.15, 0.85, SIDE_SAMPLES)
    n = len(rects)
    idx = np.arange(n)
    shifts = np.full((n, 2), np.nan)
    side_shifts = np.full((n, 4), np.nan)
    # Vertical borders (left x0, right x0 + w) slid along x; horizontal ones along y.
    base = np.zeros((n, 2)) if prior is None else np.nan_to_num(np.asarray(prior, dtype=np.float64))
    for axis in (0, 1):
        if axis == 0:
            a_pos = [x0 + base[:, 0], x0 + w + base[:, 0]]   # border coordinate along the sliding axis
            b_pos = y0[:, None] + along[None] * h[:, None]   # positions along the border
        else:
            a_pos = [y0 + base[:, 1], y0 + h + base[:, 1]]
            b_pos = x0[:, None] + along[None] * w[:, None]
        profiles, strict = [], []
        for a in a_pos:
            along_c = np.broadcast_to(b_pos[:, :, None], (n, SIDE_SAMPLES, len(offs)))
            coord = np.broadcast_to(a[:, None, None] + offs[None, None, :], along_c.shape)
            mx, my = (coord, along_c) if axis == 0 else (along_c, coord)
            prof = sample(mx.reshape(-1, len(offs)).astype(np.float32), my.reshape(-1, len(offs)).astype(np.float32))
            prof = prof.reshape(n, SIDE_SAMPLES, len(offs)).astype(np.float32)
            profiles.append(median(prof, axis=1))
            # A long lone border must be dark nearly all along: printed labels beside it are not.
            strict.append(percentile(prof, 85, axis=1))
        total = profiles[0] + profiles[1]                    # medians: robust to ink crossing a border
        best = np.argmin(total, axis=1)
        depth = median(total, axis=1) - total[idx, best]
        # Both borders must show at the found place: correction fluid over one border, or a
        # paper lying over the box, must not let ink or an edge pose as the missing line.
        apart_from_best = np.abs(offs[None, :] - offs[best][:, None])
        each = np.minimum(*(_dip_near(p, apart_from_best <= SHOW_SLACK_MM * ppm, apart_from_best <= VALLEY_MM * ppm)
                            for p in profiles))
        ok = (best > 0) & (best < len(offs) - 1) & (depth > 40) & (each > 15)
        # Borders far apart (a whole tally grid) may move differently on curled paper and have no
        # look-alike neighbour within reach: those are searched one by one.
        apart = (w if axis == 0 else h) > WIDE_MM * ppm
        singles = []
        for prof in strict:
            b1 = np.argmin(prof, axis=1)
            good = apart & (b1 > 0) & (b1 < len(offs) - 1) & (median(prof, axis=1) - prof[idx, b1] > 20)
            singles.append(np.where(good, _subpixel(prof, b1, offs, step), np.nan))
        pair_shift = np.where(apart, (singles[0] + singles[1]) / 2, _subpixel(total, best, offs, step))
        shifts[:, axis] = np.where(apart | ok, pair_shift, np.nan)
        if sides:
            near = apart_from_best <= SIDE_SLACK_MM * ppm
            beyond = np.zeros(n, bool)
            for k, prof in enumerate(profiles):
                b, dip = _darkest_near(prof, near)
                good = ok & (b > 0) & (b < len(offs) - 1) & (dip > 20)
                beyond |= (b == 0) | (b == len(offs) - 1)
                side_shifts[:, 2 * axis + k] = np.where(apart, singles[k],
                                                        np.where(good, _subpixel(prof, b, offs, step), np.nan))
            # A border whose profile still darkens at the end of the last search lies beyond any reach: the pair's
            # place is not one where both borders show, and the other side is not measured alone. (Dev photo s0126-p2
            # of dev50: correction fluid hid a box's right border, and the strokes of the 7 beside it and of the 1 on
            # the fluid, a box width apart, passed for its borders 3.5 mm left, the 7's still darkening at the end of
            # the wide search; the 1's side, kept alone, bent the page by 3.5 mm around the box and sheared the bubble
            # column below, and with one side no neighbour could contradict it. Not in the first search: a border
            # beyond its reach there is what the wider search is for, and a box on a strongly curled page keeps its
            # one side until then, dev21 s0053-p1. A border merely faint or hidden leaves the other measured.)
            lone = ok & ~apart & beyond & last_reach
            shifts[lone, axis] = np.nan
            side_shifts[lone, 2 * axis:2 * axis + 2] = np.nan
    centres = np.stack([x0 + w / 2, y0 + h / 2], axis=1)
    shifts += base
    side_shifts += np.repeat(base, 2, axis=1)
    if sides:
        _drop_contradicted(r, shifts, side_shifts, px_per_mm=ppm)     # (it compares sides: none measured without)
        return centres, shifts, side_shifts
    return centres, shifts


def _drop_contradicted(r: np.ndarray, shifts: np.ndarray, side_shifts: np.ndarray, *, px_per_mm: float) -> None:
    """Forget (NaN, in place) a box's measurement along an axis that its neighbours contradict.

    Boxes side by side share the printed line between them, which each measures. A pair of handwritten strokes
    a box width apart can pass for a box's two borders (a row of three trainee-number boxes: the last one's found
    2.5 mm left, on the strokes of the 3 and the 9 inside); its neighbour then puts their shared line elsewhere.
    Boxes side by side also continue each other's top and bottom lines, so they measure the shift across their row
    alike: a box found a row gap off (its top border on the bottom line of the row above, its bottom border on a
    digit's stroke inside it: dev photo s0030-p2 of seed 194, a 6's loop, put the last V.C box 1.7 mm up, and the
    curl field bent the page by 2 mm there) disagrees with the box beside it. On the development sets (dev21, dev49c,
    s194) the boxes of a row measured right differed across it by at most 1.14 mm (a strongly curled page, 1.27 mm
    in truth), a box found a row gap off from its neighbour by 1.47 mm or more: :data:`ROW_LINE_MM` lies between.
    The box that disagrees with a neighbour and agrees with none is the odd one out; when several are, the one most
    contradicted goes first (a row of three whose middle box is off keeps its two ends, which then contradict
    nothing). ``r`` is ``(x, y, w, h)`` per box's border centre lines (px); sides are left, right, top, bottom.
    (Each box's border is printed inside it, so the shared line is two lines' width, their centres a line width
    apart.)
    """
    eps = 0.5 * px_per_mm
    touching = [_touching(r, axis, eps) for axis in (0, 1)]
    for axis in (0, 1):
        i_s, j_s, differ, limit = [], [], [], []
        for along in (0, 1):
            i, j = touching[along]
            if along == axis:       # i's far side is j's near side: the line they share
                a, b, tol = side_shifts[i, 2 * axis + 1], side_shifts[j, 2 * axis], SHARED_LINE_MM
            else:                   # side by side across this axis: the lines that run through both
                a, b, tol = shifts[i, axis], shifts[j, axis], ROW_LINE_MM
            i_s.append(i)
            j_s.append(j)
            differ.append(np.abs(a - b))
            limit.append(np.full(len(i), tol * px_per_mm))
        i, j, d, tol = (np.concatenate(x) for x in (i_s, j_s, differ, limit))
        odd = _odd_ones(len(r), i, j, agree=d <= tol, disagree=d > tol)     # (NaN on either side: neither)
        shifts[odd, axis] = np.nan
        side_shifts[odd, 2 * axis:2 * axis + 2] = np.nan


def _touching(r: np.ndarray, axis: int, eps: float) -> tuple[np.ndarray, np.ndarray]:
    """Pairs ``(i, j)`` of boxes where i ends along ``axis`` where j begins, in the same row (column) and of the same
    height (width)."""
    pos, size, other, other_size = (r[:, 0], r[:, 2], r[:, 1], r[:, 3]) if axis == 0 else \
        (r[:, 1], r[:, 3], r[:, 0], r[:, 2])
    touch = ((np.abs(pos[:, None] + size[:, None] - pos[None, :]) < eps)
             & (np.abs(other[:, None] - other[None, :]) < eps)
             & (np.abs(other_size[:, None] - other_size[None, :]) < eps))
    return np.nonzero(touch)


def _odd_ones(n: int, i: np.ndarray, j: np.ndarray, *, agree: np.ndarray, disagree: np.ndarray) -> np.ndarray:
    """Of ``n`` boxes compared in pairs ``(i, j)``, those that disagree with some and agree with none, the most
    contradicted first: once they are out, what they contradicted is asked again."""
    out = np.zeros(n, bool)
    while True:
        live = ~out[i] & ~out[j]
        agrees = np.bincount(i[live & agree], minlength=n) + np.bincount(j[live & agree], minlength=n)
        disagrees = np.bincount(i[live & disagree], minlength=n) + np.bincount(j[live & disagree], minlength=n)
        odd = (disagrees > 0) & (agrees == 0) & ~out
        if not odd.any():
            return out
        out |= odd & (disagrees == disagrees[odd].max())


def _darkest_near(prof: np.ndarray, near: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per profile, the index of its darkest point within ``near`` (a window around the pair's place), and how far
    it dips there below the profile's median."""
    b = np.argmin(np.where(near, prof, np.inf), axis=1)
    return b, median(prof, axis=1) - prof[np.arange(len(prof)), b]


def _dip_near(prof: np.ndarray, near: np.ndarray, close: np.ndarray) -> np.ndarray:
    """How far each profile dips below its median at its darkest point within ``near`` (a window around the pair's
    place), or 0 when that point is at the window's end: there the profile is still falling, the side of a shadow or
    a finger, not a printed line. Unless a valley lies within ``close`` (nearer the pair's place): a point the
    profile rises from by :data:`VALLEY_RISE` on both sides inside ``near``. Then the darkest such valley counts: a
    border in place beside a darker line just beyond the window (a row's rule 1.1 mm from its boxes, thickened on a
    photocopy of a photocopy) is still a border."""
    b, dip = _darkest_near(prof, near)
    i = np.arange(len(prof))
    # (the search's own first and last samples count as inside the window: taking them for its ends, as the
    # window's own are, moved one field each on the development sets, to the good, and refused a readable photo of
    # the held-out set, markers_not_found (s53, 6dffa21, reverted); the wide search drops such a box instead)
    inside = near[i, np.clip(b - 1, 0, None)] & near[i, np.clip(b + 1, None, prof.shape[1] - 1)]
    within = np.where(near, prof, -np.inf)
    left = np.maximum.accumulate(within, axis=1)
    right = np.maximum.accumulate(within[:, ::-1], axis=1)[:, ::-1]
    valley = close & (left - prof >= VALLEY_RISE) & (right - prof >= VALLEY_RISE)
    darkest_valley = np.min(np.where(valley, prof, np.inf), axis=1)
    valley_dip = np.where(np.isfinite(darkest_valley), median(prof, axis=1) - darkest_valley, 0.0)
    return np.where(inside, dip, valley_dip)


def _subpixel(f: np.ndarray, best: np.ndarray, offs: np.ndarray, step: float) -> np.ndarray:
    """Offset of each row's minimum at ``best``, refined by a parabola through its neighbours."""
    i = np.arange(len(best))
    b = np.clip(best, 1, f.shape[1] - 2)
    f0, f1, f2 = f[i, b - 1], f[i, b], f[i, b + 1]
    return offs[b] + parabola_offset(f0, f1, f2, extremum="min", limit=1.0) * step


def border_points(rects: list[Rect], centres: np.ndarray, side_shifts: np.ndarray, *,
                  px_per_mm: float) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Per-border measurements as scattered samples: ``((pts, dx) for x, (pts, dy) for y)``, frame px."""
    r = np.array([(b.x, b.y, b.w, b.h) for b in rects]) * px_per_mm
    x0, y0, w, h = r[:, 0] - 0.5, r[:, 1] - 0.5, r[:, 2], r[:, 3]
    cx, cy = centres[:, 0], centres[:, 1]
    xs = (np.concatenate([np.stack([x0, cy], 1), np.stack([x0 + w, cy], 1)]),
          np.concatenate([side_shifts[:, 0], side_shifts[:, 1]]))
    ys = (np.concatenate([np.stack([cx, y0], 1), np.stack([cx, y0 + h], 1)]),
          np.concatenate([side_shifts[:, 2], side_shifts[:, 3]]))
    return xs, ys
