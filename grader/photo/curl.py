"""Second alignment pass for curled paper: measure the printed box grid, bend the mapping to it.

A single homography from the corner markers is exact for flat paper only. A
lifted edge or corner moves the print by up to a few millimetres. After the
first warp, every printed digit box and tally cell is looked for near where
the homography put it: for each axis, the pair of opposite borders (a known
distance apart) is slid along the axis and the darkest position wins, which is
robust to handwriting crossing a border and cannot confuse a border with the
neighbouring row's. The measured shifts are spread into a smooth displacement
field (normalised Gaussian convolution on a 1 mm grid) and the page is
resampled once more, straight from the photo, through ``H^-1(u + d(u))``.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Callable

import cv2
import numpy as np

from grader.sheet.layout import PageLayout, Rect

log = logging.getLogger(__name__)

SEARCH_MM = 3.0          # how far a border may have moved (less than half a box width)
WIDE_SEARCH_MM = 3.6     # second search, around the first field (just under half a box width)
SIDE_SAMPLES = 7         # profiles per border; their median resists ink crossing the border
PRINT_PIXEL_MM = 25.4 / 300   # sheets are rendered for print at 300 dpi
GRID_MM = 2.0            # displacement grid spacing (the field is smooth; maps interpolate it)
SMOOTH_MM = 4.0          # Gaussian spreading of the measurements
MIN_SHIFT_MM = 0.15      # below this everywhere, the homography alone is kept (measurement noise)
SCREEN_SIGMA_FACTOR = 2.0  # the outlier screen fits twice as broadly as the field
WIDE_MM = 15.0           # rectangles wider than this have their borders measured one by one
MAX_DISAGREE_MM = 0.5    # a measurement this far from its neighbours' median is dropped


@dataclass(frozen=True)
class CurlField:
    """Displacement of the print in the homography-warped frame, on a grid (frame px).

    ``dx[j, i]``/``dy[j, i]`` hold the shift at frame coordinate
    ``((i + 0.5) * step - 0.5, (j + 0.5) * step - 0.5)``: the print meant for
    template position ``u`` is found at ``u + d(u)``.
    """

    dx: np.ndarray
    dy: np.ndarray
    step: float                  # frame px between grid nodes
    points: int                  # measurements used
    max_shift_mm: float
    saturated: bool = False      # some shifts reached the search limit: the homography may be far off

    def at(self, pts: np.ndarray) -> np.ndarray:
        """Bilinear displacement at frame points ``(n, 2)``."""
        pts = np.asarray(pts, dtype=np.float64).reshape(-1, 2)
        n = len(pts)
        cols = 1024
        pad = (-n) % cols
        gx = np.pad((pts[:, 0] + 0.5) / self.step - 0.5, (0, pad)).astype(np.float32).reshape(-1, cols)
        gy = np.pad((pts[:, 1] + 0.5) / self.step - 0.5, (0, pad)).astype(np.float32).reshape(-1, cols)
        out = np.empty_like(pts)
        for k, grid in enumerate((self.dx, self.dy)):
            out[:, k] = cv2.remap(grid, gx, gy, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE).ravel()[:n]
        return out

    def frame_from_warped(self, v: np.ndarray, *, iterations: int = 4) -> np.ndarray:
        """Template-frame position ``u`` of homography-frame points ``v`` (solves ``u + d(u) = v``)."""
        v = np.asarray(v, dtype=np.float64).reshape(-1, 2)
        u = v.copy()
        for _ in range(iterations):
            u = v - self.at(u)
        return u


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
            lw = next((w for r, w in page.frames if r == f.cells[0]), 0.2)
            out.append((Rect.union(f.cells), lw))
    return [Rect(r.x + lw / 2, r.y + lw / 2, r.w - lw + print_pixel_mm, r.h - lw + print_pixel_mm) for r, lw in out]


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
        pts = np.stack([mx.ravel(), my.ravel()], axis=1).astype(np.float64).reshape(-1, 1, 2)
        photo = cv2.perspectiveTransform(pts, inv).reshape(mx.shape + (2,)).astype(np.float32)
        return cv2.remap(gray, photo[..., 0], photo[..., 1], cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT,
                         borderValue=255)
    return sample


def measure_shifts(sample: Sampler, rects: list[Rect], *, px_per_mm: float, sides: bool = False,
                   prior: np.ndarray | None = None, search_mm: float = SEARCH_MM) -> tuple[np.ndarray, np.ndarray] | tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per rectangle (of border centre lines), its centre and measured shift ``(dx, dy)``, frame px (NaN: not found).

    ``sample(map_x, map_y)`` returns the page's gray values at frame coordinates
    (see :func:`frame_sampler`, :func:`photo_sampler`). The two opposite borders
    are slid together, which cannot confuse a border with a neighbouring box's.
    With ``sides``, also returns each border's own shift, ``(n, 4)`` for left,
    right, top, bottom, searched within 0.6 mm of the pair's: paper that bends
    inside a box moves its borders by different amounts. ``prior`` ``(n, 2)``
    centres each search on an earlier estimate (frame px), extending its reach.
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
        profiles = []
        for a in a_pos:
            along_c = np.broadcast_to(b_pos[:, :, None], (n, SIDE_SAMPLES, len(offs)))
            coord = np.broadcast_to(a[:, None, None] + offs[None, None, :], along_c.shape)
            mx, my = (coord, along_c) if axis == 0 else (along_c, coord)
            prof = sample(mx.reshape(-1, len(offs)).astype(np.float32), my.reshape(-1, len(offs)).astype(np.float32))
            profiles.append(np.median(prof.reshape(n, SIDE_SAMPLES, len(offs)).astype(np.float32), axis=1))
        total = profiles[0] + profiles[1]                    # medians: robust to ink crossing a border
        best = np.argmin(total, axis=1)
        depth = np.median(total, axis=1) - total[idx, best]
        # Both borders must show at the found place: correction fluid over one border, or a
        # paper lying over the box, must not let ink or an edge pose as the missing line.
        each = np.minimum(*(np.median(p, axis=1) - p[idx, best] for p in profiles))
        ok = (best > 0) & (best < len(offs) - 1) & (depth > 40) & (each > 15)
        # Borders far apart (a whole tally grid) may move differently on curled paper and have no
        # look-alike neighbour within reach: those are searched one by one.
        apart = (w if axis == 0 else h) > WIDE_MM * ppm
        singles = []
        for prof in profiles:
            b1 = np.argmin(prof, axis=1)
            good = apart & (b1 > 0) & (b1 < len(offs) - 1) & (np.median(prof, axis=1) - prof[idx, b1] > 20)
            singles.append(np.where(good, _subpixel(prof, b1, offs, step), np.nan))
        pair_shift = np.where(apart, (singles[0] + singles[1]) / 2, _subpixel(total, best, offs, step))
        shifts[:, axis] = np.where(apart | ok, pair_shift, np.nan)
        if sides:
            for k, prof in enumerate(profiles):
                near = np.abs(offs[None, :] - offs[best][:, None]) <= 0.6 * ppm
                masked = np.where(near, prof, np.inf)
                b = np.argmin(masked, axis=1)
                dip = np.median(prof, axis=1) - prof[idx, b]
                good = ok & (b > 0) & (b < len(offs) - 1) & (dip > 20)
                side_shifts[:, 2 * axis + k] = np.where(apart, singles[k],
                                                        np.where(good, _subpixel(prof, b, offs, step), np.nan))
    centres = np.stack([x0 + w / 2, y0 + h / 2], axis=1)
    shifts += base
    side_shifts += np.repeat(base, 2, axis=1)
    if sides:
        return centres, shifts, side_shifts
    return centres, shifts


def _subpixel(f: np.ndarray, best: np.ndarray, offs: np.ndarray, step: float) -> np.ndarray:
    """Offset of each row's minimum at ``best``, refined by a parabola through its neighbours."""
    i = np.arange(len(best))
    b = np.clip(best, 1, f.shape[1] - 2)
    f0, f1, f2 = f[i, b - 1], f[i, b], f[i, b + 1]
    den = f0 - 2 * f1 + f2
    frac = np.where(den > 0, 0.5 * (f0 - f2) / np.where(den > 0, den, 1), 0.0)
    return offs[b] + np.clip(frac, -1, 1) * step


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


def grid_line_points(sample: Sampler, page: PageLayout, predict: Callable[[np.ndarray], np.ndarray], *,
                     px_per_mm: float, window_mm: float = 1.25) -> tuple[tuple[np.ndarray, np.ndarray],
                                                                      tuple[np.ndarray, np.ndarray]]:
    """Shifts along the inner lines of every tally grid, around a first estimate ``predict(points)``.

    A grid line runs through all rows (or columns) of the grid, tally strokes
    only through single cells: so each line is measured as a whole, with the
    median over samples in every cell, as one correction of the first estimate.
    The estimate inside a grid is interpolated between the grid's outer borders
    (where ``predict`` is backed by measurements). Returns
    ``((pts, dx), (pts, dy))`` like :func:`border_points`.
    """
    ppm = px_per_mm
    step = 0.5
    offs = np.arange(-window_mm * ppm, window_mm * ppm + 1e-6, step)
    out = {0: ([], []), 1: ([], [])}
    for f in page.fields:
        if f.kind != "tally" or not f.cells:
            continue
        xs = sorted({round(c.x, 4) for c in f.cells})
        ys = sorted({round(c.y, 4) for c in f.cells})
        cw, ch = f.cells[0].w, f.cells[0].h
        lw = next((w for r, w in page.frames if r == f.cells[0]), 0.2)
        # (axis, line coordinate mm, sample positions along the line mm)
        lo = {0: xs[0] + lw / 2, 1: ys[0] + lw / 2}
        hi = {0: xs[-1] + cw - lw / 2, 1: ys[-1] + ch - lw / 2}
        lines = [(0, x + lw / 2, [y + ch * t for y in ys for t in (0.25, 0.5, 0.75)]) for x in xs[1:]]
        lines += [(1, y + lw / 2, [x + cw * t for x in xs for t in (0.25, 0.5, 0.75)]) for y in ys[1:]]

        def at(axis: int, coord: float, along: np.ndarray) -> np.ndarray:
            pts_mm = np.stack([np.full_like(along, coord), along], 1) if axis == 0 else \
                np.stack([along, np.full_like(along, coord)], 1)
            return pts_mm * ppm - 0.5

        for axis, coord, along in lines:
            along = np.array(along)
            pts = at(axis, coord, along)
            u = (coord - lo[axis]) / (hi[axis] - lo[axis])
            base = ((1 - u) * predict(at(axis, lo[axis], along))[:, axis] +
                    u * predict(at(axis, hi[axis], along))[:, axis])           # first estimate, frame px
            c = pts[:, axis][:, None] + base[:, None] + offs[None, :]
            a = np.broadcast_to(pts[:, 1 - axis][:, None], c.shape)
            mx, my = (c, a) if axis == 0 else (a, c)
            prof = sample(mx.astype(np.float32), my.astype(np.float32)).astype(np.float32)
            med = np.median(prof, axis=0)
            best = int(np.argmin(med))
            if not 0 < best < len(offs) - 1 or np.median(med) - med[best] < 20:
                continue
            corr = float(_subpixel(med[None], np.array([best]), offs, step)[0])
            out[axis][0].append(pts)
            out[axis][1].append(base + corr)
    return tuple((np.concatenate(p) if p else np.zeros((0, 2)), np.concatenate(v) if v else np.zeros(0))
                 for p, v in (out[0], out[1]))


def _grid_at(grid: np.ndarray, pts: np.ndarray, step: float) -> np.ndarray:
    """Grid values at the nodes nearest to frame points ``pts``."""
    ny, nx = grid.shape
    gx = np.clip(np.rint((pts[:, 0] + 0.5) / step - 0.5).astype(int), 0, nx - 1)
    gy = np.clip(np.rint((pts[:, 1] + 0.5) / step - 0.5).astype(int), 0, ny - 1)
    return grid[gy, gx]


def fit_curl_field(sample: Sampler, page: PageLayout, *, px_per_mm: float, frame_size: tuple[int, int],
                   anchors: tuple[np.ndarray, np.ndarray] | None = None) -> CurlField | None:
    """Measure the print's shifts in the homography frame and smooth them into a field.

    ``sample`` reads the homography-warped page (:func:`photo_sampler`);
    ``frame_size`` is the template frame's ``(width, height)``.
    ``anchors`` are ``(points, shifts)`` known exactly, frame px: the marker
    corners, whose shift is the homography's residual there. Returns None when
    there is nothing to measure or every shift is below ``MIN_SHIFT_MM``.
    """
    rects = border_rects(page)
    centres, pair, side = measure_shifts(sample, rects, px_per_mm=px_per_mm, sides=True)
    if len(centres) == 0:
        return None
    w, h = frame_size
    step = GRID_MM * px_per_mm
    nx, ny = int(np.ceil(w / step)), int(np.ceil(h / step))
    sigma = SMOOTH_MM * px_per_mm / step
    grids, n_used = _field_from(sample, page, rects, centres, side, anchors, (ny, nx), step=step, sigma=sigma,
                                px_per_mm=px_per_mm)
    finite = np.isfinite(pair)
    far = bool(finite.any() and np.max(np.abs(pair[finite])) >= 0.8 * SEARCH_MM * px_per_mm)
    if far or np.mean(~finite.all(axis=1)) > 0.05:
        # Borders moved to the edge of the search or were not found (strong curl): search again
        # around the field found so far, which reaches further where the curl keeps growing.
        first = CurlField(dx=grids[0].astype(np.float32), dy=grids[1].astype(np.float32), step=step, points=0,
                          max_shift_mm=0.0)
        centres, pair2, side2 = measure_shifts(sample, rects, px_per_mm=px_per_mm, sides=True,
                                               prior=first.at(centres), search_mm=WIDE_SEARCH_MM)
        grids2, n2 = _field_from(sample, page, rects, centres, side2, anchors, (ny, nx), step=step, sigma=sigma,
                                 px_per_mm=px_per_mm)
        if n2 >= n_used:
            grids, n_used, pair = grids2, n2, pair2 - first.at(centres)
    if n_used < 4:
        return None
    # Judge the field where it was measured: its extrapolation beyond the data says little.
    at_data = np.concatenate([border_points(rects, centres, side, px_per_mm=px_per_mm)[k][0] for k in (0, 1)])
    max_shift = float(np.percentile(np.hypot(_grid_at(grids[0], at_data, step), _grid_at(grids[1], at_data, step)),
                                    95)) / px_per_mm
    finite = np.isfinite(pair)
    near_limit = bool(finite.any() and np.max(np.abs(pair[finite])) / px_per_mm >= 0.9 * SEARCH_MM)
    log.debug("curl field: %d measurements, max shift %.3f mm", n_used, max_shift)
    if max_shift < MIN_SHIFT_MM and not near_limit:
        return None
    return CurlField(dx=grids[0].astype(np.float32), dy=grids[1].astype(np.float32), step=step, points=n_used,
                     max_shift_mm=max_shift, saturated=near_limit)


def _field_from(sample, page, rects, centres, side, anchors, shape, *, step, sigma, px_per_mm):
    """The field from the border measurements, plus the tally grids' inner lines searched around it."""
    samples = list(border_points(rects, centres, side, px_per_mm=px_per_mm))
    grids, n_used = _fit_grids(samples, anchors, shape, step=step, sigma=sigma, px_per_mm=px_per_mm)
    if any(f.kind == "tally" for f in page.fields):
        first = CurlField(dx=grids[0].astype(np.float32), dy=grids[1].astype(np.float32), step=step, points=0,
                          max_shift_mm=0.0)
        extra = grid_line_points(sample, page, first.at, px_per_mm=px_per_mm)
        samples = [(np.concatenate([samples[k][0], extra[k][0]]), np.concatenate([samples[k][1], extra[k][1]]))
                   for k in (0, 1)]
        grids, n_used = _fit_grids(samples, anchors, shape, step=step, sigma=sigma, px_per_mm=px_per_mm)
    return grids, n_used


def _fit_grids(samples, anchors, shape, *, step: float, sigma: float, px_per_mm: float) -> tuple[list, int]:
    """Both displacement components on the grid from scattered samples (outliers dropped), and how many were used."""
    grids, n_used = [], 0
    for k, (pts, vals) in enumerate(samples):
        ok = ~np.isnan(vals)
        pts, vals = pts[ok], vals[ok]
        n_meas = len(vals)
        if anchors is not None and len(anchors[0]):
            pts = np.concatenate([pts, anchors[0]])
            vals = np.concatenate([vals, anchors[1][:, k]])
        # Drop what disagrees with a broader fit of its neighbourhood (a digit stroke or an edge
        # mistaken for a border): a single bad box cannot bend a field this wide. Twice, then
        # the fine fit on what is left.
        agree = np.ones(len(vals), bool)
        for _ in range(2):
            broad = _spread_linear(pts[agree], vals[agree], shape, step=step, sigma=SCREEN_SIGMA_FACTOR * sigma)
            agree = np.abs(vals - _grid_at(broad, pts, step)) <= MAX_DISAGREE_MM * px_per_mm
        grid = _spread_linear(pts[agree], vals[agree], shape, step=step, sigma=sigma)
        n_used = max(n_used, int(agree[:n_meas].sum()))
        grids.append(grid)
    return grids, n_used


def _spread_linear(pts: np.ndarray, vals: np.ndarray, shape: tuple[int, int], *, step: float,
                   sigma: float) -> np.ndarray:
    """Locally linear normalised convolution of scattered values onto the grid.

    At every node a plane is fitted to the samples, weighted by a Gaussian of
    their distance: unlike a weighted mean, it follows a steady gradient out to
    the edge of the data (a box's outer corner) instead of flattening it. Far
    from any data the value falls back to 0 (the homography alone).
    """
    ny, nx = shape
    # Grid units, centred so that float32 moments keep their precision.
    ox, oy = (nx - 1) / 2, (ny - 1) / 2
    gx = (pts[:, 0] + 0.5) / step - 0.5
    gy = (pts[:, 1] + 0.5) / step - 0.5
    ix = np.clip(np.rint(gx).astype(int), 0, nx - 1)
    iy = np.clip(np.rint(gy).astype(int), 0, ny - 1)
    gx, gy = gx - ox, gy - oy
    k = int(np.ceil(3 * sigma)) * 2 + 1
    m = {}
    for name, weight in (("1", np.ones_like(gx)), ("x", gx), ("y", gy), ("xx", gx * gx), ("xy", gx * gy),
                         ("yy", gy * gy), ("v", vals), ("vx", vals * gx), ("vy", vals * gy)):
        img = np.zeros(shape, np.float32)
        np.add.at(img, (iy, ix), weight.astype(np.float32))
        m[name] = cv2.GaussianBlur(img, (k, k), sigma, borderType=cv2.BORDER_CONSTANT).astype(np.float64)
    X, Y = np.meshgrid(np.arange(nx, dtype=np.float64) - ox, np.arange(ny, dtype=np.float64) - oy)
    s0 = m["1"]
    sx, sy = m["x"] - X * s0, m["y"] - Y * s0
    sxx = m["xx"] - 2 * X * m["x"] + X * X * s0
    syy = m["yy"] - 2 * Y * m["y"] + Y * Y * s0
    sxy = m["xy"] - X * m["y"] - Y * m["x"] + X * Y * s0
    v = m["v"]
    vx, vy = m["vx"] - X * v, m["vy"] - Y * v
    eps = 1e-3 / (2 * np.pi * sigma ** 2)       # pull towards 0 where there is no data
    ridge = 0.5 * s0 + eps                      # keeps the slope tame where data lie on a line
    # Solve [[p, q, r], [q, s, t], [r, t, u]] @ [a, bx, by] = [v, vx, vy] for a (Cramer's rule).
    p, q, r, s_, t, u = s0 + eps, sx, sy, sxx + ridge, sxy, syy + ridge
    minor = s_ * u - t * t
    det = p * minor - q * (q * u - t * r) + r * (q * t - s_ * r)
    num = v * minor - q * (vx * u - t * vy) + r * (vx * t - s_ * vy)
    return num / det


def curl_maps(homography: np.ndarray, field: CurlField, size: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """Photo sampling maps for ``cv2.remap``: frame pixel u -> photo ``H^-1(u + d(u))``."""
    w, h = size
    ny, nx = field.dx.shape
    step = field.step
    cx = (np.arange(nx) + 0.5) * step - 0.5
    cy = (np.arange(ny) + 0.5) * step - 0.5
    gx, gy = np.meshgrid(cx, cy)
    pts = np.stack([gx + field.dx, gy + field.dy], axis=-1).reshape(-1, 1, 2)
    photo = cv2.perspectiveTransform(pts, np.linalg.inv(homography)).reshape(ny, nx, 2).astype(np.float32)
    # cv2.resize samples source (x + 0.5) * nx / w - 0.5: exactly the node layout above when w = nx * step.
    full_w, full_h = round(nx * step), round(ny * step)
    map_x = cv2.resize(photo[..., 0], (full_w, full_h), interpolation=cv2.INTER_LINEAR)[:h, :w]
    map_y = cv2.resize(photo[..., 1], (full_w, full_h), interpolation=cv2.INTER_LINEAR)[:h, :w]
    return map_x, map_y


def refit_homography(homography: np.ndarray, sample: Sampler, page: PageLayout, *, px_per_mm: float,
                     anchors: tuple[np.ndarray, np.ndarray] | None = None) -> np.ndarray | None:
    """A better homography when the markers' one is far off (three markers on a strongly curled page).

    Every border rectangle found near its predicted place becomes a point
    correspondence (its measured position, mapped back to the photo, and its
    template position); with the marker corners, a robust fit then follows
    the flat majority of the page instead of its curled corner. Returns None
    when there are too few measurements.
    """
    centres, shifts = measure_shifts(sample, border_rects(page), px_per_mm=px_per_mm)
    ok = ~np.isnan(shifts).any(axis=1)
    if ok.sum() < 12:
        return None
    seen = centres[ok] + shifts[ok]
    expected = centres[ok]
    if anchors is not None and len(anchors[0]):
        seen = np.concatenate([seen, anchors[0] + anchors[1]])
        expected = np.concatenate([expected, anchors[0]])
    inv = np.linalg.inv(homography)
    photo = cv2.perspectiveTransform(seen.reshape(-1, 1, 2), inv)
    H, _ = cv2.findHomography(photo, expected.reshape(-1, 1, 2), cv2.RANSAC, 0.5 * px_per_mm)
    return H
