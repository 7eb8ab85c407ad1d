"""Second alignment pass for curled paper: bend the page mapping to the printed box grid.

A single homography from the corner markers is exact for flat paper only. A
lifted edge or corner moves the print by up to a few millimetres. Every
printed digit box and tally grid is looked for near where the homography put
it (:mod:`grader.photo.print_grid`), every line of the tally grids piece by
piece, reaching further (:mod:`grader.photo.tally_lines`: a grid is wide and
bends), and then every printed bubble ring around
the field those give (:mod:`grader.photo.bubble_grid`: the bubble columns lie
far from any border); the measured shifts are screened against
a broad fit of their neighbourhood, spread into a smooth displacement field
(locally linear normalised Gaussian convolution on a 2 mm grid), and the page
is resampled once, straight from the photo, through ``H^-1(u + d(u))``.
"""
from __future__ import annotations

import functools
import logging
from dataclasses import dataclass

import cv2
import numpy as np

from grader.order_stats import percentile
from grader.photo.bubble_grid import bubble_points
from grader.photo.print_grid import (SEARCH_MM, WIDE_SEARCH_MM, Sampler, border_points, border_rects,
                                     measure_shifts)
from grader.photo.tally_lines import tally_line_points
from grader.sheet.layout import PageLayout, Rect

log = logging.getLogger(__name__)

GRID_MM = 2.0            # displacement grid spacing (the field is smooth; maps interpolate it)
SMOOTH_MM = 4.0          # Gaussian spreading of the measurements
MIN_SHIFT_MM = 0.15      # below this everywhere, the homography alone is kept (measurement noise)
SCREEN_SIGMA_FACTOR = 2.0  # the outlier screen fits twice as broadly as the field
MAX_DISAGREE_MM = 0.5    # a measurement this far from the broad fit of its neighbourhood is dropped
TALLY_KEEP_MM = 2.0      # the field of the tally grids' own measurements is kept this far around each grid
TALLY_FEATHER_MM = 4.0   # ... and blended into the one the bubble rings bend over this distance


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


@dataclass(frozen=True)
class CurlFit:
    """How the printed box grid sits under one homography: :func:`fit_curl_field`'s answer.

    ``field`` is the bending to apply, or None when the page is flat under the homography (every shift below
    the flat threshold, none near the search limit). Flat is kept apart from "too little measured to tell" (then
    :func:`fit_curl_field` returns no ``CurlFit`` at all) because the two mean opposite things when homographies
    are compared: one the print agrees with everywhere is the best there is, not a failed one (a None for both
    once made the caller drop a box-grid refit that was flat and keep a marker fit boxes were 4 mm off under).
    """

    field: CurlField | None
    points: int                  # border measurements used (not tally lines or rings: this compares fits)
    max_shift_mm: float          # the field's shift where it was measured (95th percentile)
    saturated: bool = False      # some shifts reached the search limit: the homography may be far off

    def nearer_than(self, other: CurlFit) -> bool:
        """Does this homography sit nearer the page: more borders measured, or as many and less bending?"""
        return (self.points, -self.max_shift_mm) > (other.points, -other.max_shift_mm)


def _grid_at(grid: np.ndarray, pts: np.ndarray, step: float) -> np.ndarray:
    """Grid values at the nodes nearest to frame points ``pts``."""
    return grid[_nodes(pts, grid.shape, step)]


def _nodes(pts: np.ndarray, shape: tuple[int, int], step: float) -> tuple[np.ndarray, np.ndarray]:
    """Row and column indices of the grid nodes nearest to frame points ``pts``."""
    ny, nx = shape
    gx = np.clip(np.rint((pts[:, 0] + 0.5) / step - 0.5).astype(int), 0, nx - 1)
    gy = np.clip(np.rint((pts[:, 1] + 0.5) / step - 0.5).astype(int), 0, ny - 1)
    return gy, gx


def fit_curl_field(sample: Sampler, page: PageLayout, *, px_per_mm: float, frame_size: tuple[int, int],
                   anchors: tuple[np.ndarray, np.ndarray] | None = None,
                   borders: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
                   flat_mm: float = MIN_SHIFT_MM) -> CurlFit | None:
    """Measure the print's shifts in the homography frame and smooth them into a field.

    ``sample`` reads the homography-warped page (:func:`photo_sampler`);
    ``frame_size`` is the template frame's ``(width, height)``.
    ``anchors`` are ``(points, shifts)`` known exactly, frame px: the marker
    corners, whose shift is the homography's residual there. ``borders`` is
    :func:`measure_borders` of the same ``sample``, when the caller has it.
    Returns None when there is too little to measure; a :class:`CurlFit` without a
    field when the page is flat under the homography (every shift below ``flat_mm``).
    A homography fitted to the borders themselves (:func:`refit_homography`) passes
    ``flat_mm=0``: they agree with it by construction, which says nothing of the print
    away from them (a hidden marker's corner, the tally lines, the bubble rings).
    """
    rects = border_rects(page)
    centres, pair, side = borders if borders is not None else measure_borders(sample, page, px_per_mm=px_per_mm)
    if len(centres) == 0:
        return None
    w, h = frame_size
    step = GRID_MM * px_per_mm
    nx, ny = int(np.ceil(w / step)), int(np.ceil(h / step))
    sigma = SMOOTH_MM * px_per_mm / step
    # The tally grids' lines are measured strip by strip around the homography's place, reaching further
    # than the border search (:mod:`grader.photo.tally_lines`): once, whatever the borders gave.
    lines = tally_line_points(sample, page, px_per_mm=px_per_mm)
    samples, grids, n_used = _field_from(rects, centres, side, lines, anchors, (ny, nx), step=step, sigma=sigma,
                                         px_per_mm=px_per_mm)
    finite = np.isfinite(pair)
    far = bool(finite.any() and np.max(np.abs(pair[finite])) >= 0.8 * SEARCH_MM * px_per_mm)
    if far or np.mean(~finite.all(axis=1)) > 0.05:
        # Borders moved to the edge of the search or were not found (strong curl): search again
        # around the field found so far, which reaches further where the curl keeps growing.
        first = _as_field(grids, step)
        centres, pair2, side2 = measure_shifts(sample, rects, px_per_mm=px_per_mm, sides=True,
                                               prior=first.at(centres), search_mm=WIDE_SEARCH_MM,
                                               last_reach=True)
        samples2, grids2, n2 = _field_from(rects, centres, side2, lines, anchors, (ny, nx), step=step,
                                           sigma=sigma, px_per_mm=px_per_mm)
        if n2 >= n_used:
            samples, grids, n_used, pair = samples2, grids2, n2, pair2 - first.at(centres)
    if n_used < 4:
        return None
    # Judge the field where it was measured: its extrapolation beyond the data says little.
    at_data = np.concatenate([border_points(rects, centres, side, px_per_mm=px_per_mm)[k][0] for k in (0, 1)])
    max_shift = float(percentile(np.hypot(_grid_at(grids[0], at_data, step), _grid_at(grids[1], at_data, step)),
                                    95)) / px_per_mm
    finite = np.isfinite(pair)
    near_limit = bool(finite.any() and np.max(np.abs(pair[finite])) / px_per_mm >= 0.9 * SEARCH_MM)
    log.debug("curl field: %d measurements, max shift %.3f mm", n_used, max_shift)
    if max_shift < flat_mm and not near_limit:
        return CurlFit(field=None, points=n_used, max_shift_mm=max_shift)
    if any(f.kind == "bubbles" for f in page.fields):
        # The bubble columns lie far from any border (:mod:`grader.photo.bubble_grid`): on curled paper the
        # field can be off there by half a bubble or more. Their printed rings, searched around the field
        # found so far, join the samples for the final fit.
        rings = _measure(bubble_points, grids, sample, page, step, px_per_mm)
        if len(rings[0][1]):
            bent, _ = _fit_grids(samples, anchors, (ny, nx), step=step, sigma=sigma, px_per_mm=px_per_mm,
                                 extra=_joined(lines, rings))
            # The tally grids were measured line by line: there the field keeps to those measurements,
            # which the rings (a few millimetres away, through the smoothing) would otherwise pull at.
            keep = _near_tally(page, (ny, nx), step=step, px_per_mm=px_per_mm)
            grids = [keep * g + (1.0 - keep) * b for g, b in zip(grids, bent)]
    field = CurlField(dx=grids[0].astype(np.float32), dy=grids[1].astype(np.float32), step=step)
    return CurlFit(field=field, points=n_used, max_shift_mm=max_shift, saturated=near_limit)


def measure_borders(sample: Sampler, page: PageLayout, *, px_per_mm: float
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The first search for the printed borders of ``page`` (:func:`measure_shifts` of :func:`border_rects`, with
    each border's own shift): both :func:`fit_curl_field` and :func:`refit_homography` start from it."""
    return measure_shifts(sample, border_rects(page), px_per_mm=px_per_mm, sides=True)


def _near_tally(page: PageLayout, shape: tuple[int, int], *, step: float, px_per_mm: float) -> np.ndarray:
    """Per grid node, 1 within ``TALLY_KEEP_MM`` of a tally grid, falling to 0 over ``TALLY_FEATHER_MM`` beyond."""
    grids = tuple(Rect.union(f.cells) for f in page.fields if f.kind == "tally" and f.cells)
    return _tally_weight(grids, shape, float(step), float(px_per_mm))


@functools.lru_cache(maxsize=8)
def _tally_weight(grids: tuple[Rect, ...], shape: tuple[int, int], step: float, px_per_mm: float) -> np.ndarray:
    """:func:`_near_tally` of the tally grids ``grids`` (mm): the same for every photo of a page (read-only)."""
    ny, nx = shape
    gx = (np.arange(nx) + 0.5) * step / px_per_mm          # node positions, mm (frame px + 0.5, over px/mm)
    gy = (np.arange(ny) + 0.5) * step / px_per_mm
    weight = np.zeros(shape)
    for r in grids:
        dx = np.maximum(np.maximum(r.x - gx, gx - r.x2), 0.0)
        dy = np.maximum(np.maximum(r.y - gy, gy - r.y2), 0.0)
        dist = np.hypot(dy[:, None], dx[None, :])
        weight = np.maximum(weight, np.clip(1.0 - (dist - TALLY_KEEP_MM) / TALLY_FEATHER_MM, 0.0, 1.0))
    weight.flags.writeable = False
    return weight


def _field_from(rects, centres, side, lines, anchors, shape, *, step, sigma, px_per_mm):
    """The field from the border measurements and the tally grids' lines; with the border samples and how many
    of them it agrees with."""
    samples = list(border_points(rects, centres, side, px_per_mm=px_per_mm))
    grids, n_used = _fit_grids(samples, anchors, shape, step=step, sigma=sigma, px_per_mm=px_per_mm, extra=lines)
    return samples, grids, n_used


def _as_field(grids: list, step: float) -> CurlField:
    """The field found so far as a :class:`CurlField`, to predict shifts from (not a result)."""
    return CurlField(dx=grids[0].astype(np.float32), dy=grids[1].astype(np.float32), step=step)


def _measure(measure, grids, sample, page, step, px_per_mm):
    """``measure(sample, page, predict)`` around the field ``grids`` found so far."""
    return list(measure(sample, page, _as_field(grids, step).at, px_per_mm=px_per_mm))


def _joined(a, b):
    """Two per-axis lists of ``(pts, vals)`` samples, concatenated axis by axis."""
    return [(np.concatenate([a[k][0], b[k][0]]), np.concatenate([a[k][1], b[k][1]])) for k in (0, 1)]


def _fit_grids(samples, anchors, shape, *, step: float, sigma: float, px_per_mm: float,
               extra=None) -> tuple[list, int]:
    """Both displacement components on the grid from scattered samples (outliers dropped), and how many were used.

    ``extra`` samples join the fit but not the count: the count compares fits by the borders they agree with.
    """
    grids, n_used = [], 0
    for k, (pts, vals) in enumerate(samples):
        ok = ~np.isnan(vals)
        pts, vals = pts[ok], vals[ok]
        n_meas = len(vals)
        if extra is not None:
            pts = np.concatenate([pts, extra[k][0]])
            vals = np.concatenate([vals, extra[k][1]])
        if anchors is not None and len(anchors[0]):
            pts = np.concatenate([pts, anchors[0]])
            vals = np.concatenate([vals, anchors[1][:, k]])
        # Drop what disagrees with a broader fit of its neighbourhood (a digit stroke or an edge
        # mistaken for a border): a single bad box cannot bend a field this wide. Twice, then
        # the fine fit on what is left.
        agree = np.ones(len(vals), bool)
        for _ in range(2):
            broad = _spread_linear(pts[agree], vals[agree], shape, step=step, sigma=SCREEN_SIGMA_FACTOR * sigma,
                                   at=_nodes(pts, shape, step))
            kept = np.abs(vals - broad) <= MAX_DISAGREE_MM * px_per_mm
            if np.array_equal(kept, agree):      # (the very points this fit was made from: the next is this one)
                break
            agree = kept
        grid = _spread_linear(pts[agree], vals[agree], shape, step=step, sigma=sigma)
        n_used = max(n_used, int(agree[:n_meas].sum()))
        grids.append(grid)
    return grids, n_used


def _spread_linear(pts: np.ndarray, vals: np.ndarray, shape: tuple[int, int], *, step: float,
                   sigma: float, at: tuple[np.ndarray, np.ndarray] | None = None) -> np.ndarray:
    """Locally linear normalised convolution of scattered values onto the grid.

    At every node a plane is fitted to the samples, weighted by a Gaussian of
    their distance: unlike a weighted mean, it follows a steady gradient out to
    the edge of the data (a box's outer corner) instead of flattening it. Far
    from any data the value falls back to 0 (the homography alone).
    With ``at`` (row and column indices of some nodes), only those nodes' values: the plane fits are solved
    node by node, so they are the very numbers the whole grid has there.
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
    names = ("1", "x", "y", "xx", "xy", "yy", "v", "vx", "vy")
    weights = np.stack([np.ones_like(gx), gx, gy, gx * gx, gx * gy, gy * gy, vals, vals * gx, vals * gy], axis=1)
    # (all moments as the channels of one image: one scatter and one blur instead of nine, the same numbers)
    img = np.zeros((ny, nx, len(names)), np.float32)
    np.add.at(img, (iy, ix), weights.astype(np.float32))
    blurred = cv2.GaussianBlur(img, (k, k), sigma, borderType=cv2.BORDER_CONSTANT)
    X, Y = _centred_nodes(nx, ny)
    if at is not None:
        blurred, X, Y = blurred[at], X[at], Y[at]
    m = {name: blurred[..., c].astype(np.float64) for c, name in enumerate(names)}
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


@functools.lru_cache(maxsize=4)
def _centred_nodes(nx: int, ny: int) -> tuple[np.ndarray, np.ndarray]:
    """Every grid node's column and row, centred (as :func:`_spread_linear` takes them): (ny, nx) each, read-only."""
    X, Y = np.meshgrid(np.arange(nx, dtype=np.float64) - (nx - 1) / 2, np.arange(ny, dtype=np.float64) - (ny - 1) / 2)
    X.flags.writeable = Y.flags.writeable = False
    return X, Y


def curl_maps(homography: np.ndarray, field: CurlField, size: tuple[int, int], *,
              out: tuple[np.ndarray, np.ndarray] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Photo sampling maps for ``cv2.remap``: frame pixel u -> photo ``H^-1(u + d(u))``.

    ``out``: two float32 arrays of :func:`curl_maps_shape` to fill (the maps returned are then views of them).
    """
    w, h = size
    ny, nx = field.dx.shape
    step = field.step
    cx = (np.arange(nx) + 0.5) * step - 0.5
    cy = (np.arange(ny) + 0.5) * step - 0.5
    gx, gy = np.meshgrid(cx, cy)
    pts = np.stack([gx + field.dx, gy + field.dy], axis=-1).reshape(-1, 1, 2)
    photo = cv2.perspectiveTransform(pts, np.linalg.inv(homography)).reshape(ny, nx, 2).astype(np.float32)
    # cv2.resize samples source (x + 0.5) * nx / w - 0.5: exactly the node layout above when w = nx * step.
    full_h, full_w = curl_maps_shape(field)
    dst = out or (None, None)
    map_x = cv2.resize(photo[..., 0], (full_w, full_h), dst=dst[0], interpolation=cv2.INTER_LINEAR)[:h, :w]
    map_y = cv2.resize(photo[..., 1], (full_w, full_h), dst=dst[1], interpolation=cv2.INTER_LINEAR)[:h, :w]
    return map_x, map_y


def curl_maps_shape(field: CurlField) -> tuple[int, int]:
    """``(rows, columns)`` of the maps :func:`curl_maps` makes before cutting them to the frame: whole grid cells."""
    ny, nx = field.dx.shape
    return round(ny * field.step), round(nx * field.step)


def refit_homography(homography: np.ndarray, sample: Sampler, page: PageLayout, *, px_per_mm: float,
                     anchors: tuple[np.ndarray, np.ndarray] | None = None,
                     borders: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None) -> np.ndarray | None:
    """A better homography when the markers' one is far off (three markers on a strongly curled page).

    Every border rectangle found near its predicted place becomes a point
    correspondence (its measured position, mapped back to the photo, and its
    template position); with the marker corners, a robust fit then follows
    the flat majority of the page instead of its curled corner. ``borders``
    is :func:`measure_borders` of the same ``sample``, when the caller has it.
    Returns None when there are too few measurements.
    """
    centres, shifts, _ = borders if borders is not None else measure_borders(sample, page, px_per_mm=px_per_mm)
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
