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
SIDE_SAMPLES = 7         # profiles per border; their median resists ink crossing the border
PRINT_PIXEL_MM = 25.4 / 300   # sheets are rendered for print at 300 dpi
GRID_MM = 1.0            # displacement grid spacing
SMOOTH_MM = 4.0          # Gaussian spreading of the measurements
MIN_SHIFT_MM = 0.15      # below this everywhere, the homography alone is kept (measurement noise)
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
    """Centre lines of the printed rectangles (digit boxes, tally cells, checkboxes).

    :func:`~grader.sheet.render.render_page` draws each border inside its
    rectangle, and Pillow's outlines include their right and bottom pixel, so
    those two borders sit one print pixel further out.
    """
    return [Rect(r.x + lw / 2, r.y + lw / 2, r.w - lw + print_pixel_mm, r.h - lw + print_pixel_mm)
            for r, lw in page.frames]


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


def measure_shifts(sample: Sampler, rects: list[Rect], *, px_per_mm: float) -> tuple[np.ndarray, np.ndarray]:
    """Per rectangle (of border centre lines), its centre and measured shift ``(dx, dy)``, frame px (NaN: not found).

    ``sample(map_x, map_y)`` returns the page's gray values at frame coordinates
    (see :func:`frame_sampler`, :func:`photo_sampler`).
    """
    if not rects:
        return np.zeros((0, 2)), np.zeros((0, 2))
    ppm = px_per_mm
    r = np.array([(b.x, b.y, b.w, b.h) for b in rects]) * ppm
    x0, y0, w, h = r[:, 0] - 0.5, r[:, 1] - 0.5, r[:, 2], r[:, 3]
    step = 0.5
    offs = np.arange(-SEARCH_MM * ppm, SEARCH_MM * ppm + 1e-6, step)
    along = np.linspace(0.15, 0.85, SIDE_SAMPLES)
    shifts = np.full((len(rects), 2), np.nan)
    # Vertical borders (left x0, right x0 + w) slid along x; horizontal ones along y.
    for axis in (0, 1):
        if axis == 0:
            a_pos = [x0, x0 + w]                       # border coordinate along the sliding axis
            b_pos = y0[:, None] + along[None] * h[:, None]   # positions along the border
        else:
            a_pos = [y0, y0 + h]
            b_pos = x0[:, None] + along[None] * w[:, None]
        total = 0.0
        for a in a_pos:
            coord = a[:, None, None] + offs[None, None, :]              # (n, 1, k)
            along_c = np.broadcast_to(b_pos[:, :, None], (len(rects), SIDE_SAMPLES, len(offs)))
            coord = np.broadcast_to(coord, along_c.shape)
            mx, my = (coord, along_c) if axis == 0 else (along_c, coord)
            prof = sample(mx.reshape(-1, len(offs)).astype(np.float32), my.reshape(-1, len(offs)).astype(np.float32))
            prof = prof.reshape(len(rects), SIDE_SAMPLES, len(offs)).astype(np.float32)
            total = total + np.median(prof, axis=1)                   # robust to ink crossing the border
        best = np.argmin(total, axis=1)
        depth = np.median(total, axis=1) - total[np.arange(len(rects)), best]
        ok = (best > 0) & (best < len(offs) - 1) & (depth > 40)
        i = np.arange(len(rects))
        b = np.clip(best, 1, len(offs) - 2)
        f0, f1, f2 = total[i, b - 1], total[i, b], total[i, b + 1]
        den = f0 - 2 * f1 + f2
        frac = np.where(den > 0, 0.5 * (f0 - f2) / np.where(den > 0, den, 1), 0.0)
        shifts[ok, axis] = offs[b[ok]] + np.clip(frac[ok], -1, 1) * step
    centres = np.stack([x0 + w / 2, y0 + h / 2], axis=1)
    return centres, shifts


def _drop_outliers(centres: np.ndarray, shifts: np.ndarray, *, px_per_mm: float) -> np.ndarray:
    """NaN-out shifts that disagree with the median of their neighbours within 15 mm."""
    out = shifts.copy()
    d = np.linalg.norm(centres[:, None] - centres[None], axis=2)
    near = d < 15 * px_per_mm
    for k in range(2):
        v = shifts[:, k]
        nb = np.where(near & ~np.isnan(v)[None, :], v[None, :], np.nan)
        enough = np.sum(~np.isnan(nb), axis=1) >= 3
        with np.errstate(all="ignore"):
            med = np.nanmedian(np.where(enough[:, None], nb, 0.0), axis=1)
        out[enough & (np.abs(v - med) > MAX_DISAGREE_MM * px_per_mm), k] = np.nan
    return out


def fit_curl_field(sample: Sampler, page: PageLayout, *, px_per_mm: float, frame_size: tuple[int, int],
                   anchors: tuple[np.ndarray, np.ndarray] | None = None) -> CurlField | None:
    """Measure the print's shifts in the homography frame and smooth them into a field.

    ``sample`` reads the homography-warped page (:func:`photo_sampler`);
    ``frame_size`` is the template frame's ``(width, height)``.

    ``anchors`` are ``(points, shifts)`` known exactly, frame px: the marker
    corners, whose shift is the homography's residual there. Returns None when
    there is nothing to measure or every shift is below ``MIN_SHIFT_MM``.
    """
    centres, shifts = measure_shifts(sample, border_rects(page), px_per_mm=px_per_mm)
    if len(centres) == 0:
        return None
    shifts = _drop_outliers(centres, shifts, px_per_mm=px_per_mm)
    w, h = frame_size
    step = GRID_MM * px_per_mm
    nx, ny = int(np.ceil(w / step)), int(np.ceil(h / step))
    grids = []
    n_used = 0
    for k in range(2):
        ok = ~np.isnan(shifts[:, k])
        pts, vals = centres[ok], shifts[ok, k]
        if anchors is not None and len(anchors[0]):
            pts = np.concatenate([pts, anchors[0]])
            vals = np.concatenate([vals, anchors[1][:, k]])
        n_used = max(n_used, int(ok.sum()))
        grids.append(_spread(pts, vals, (ny, nx), step=step, sigma=SMOOTH_MM * px_per_mm / step))
    if n_used < 4:
        return None
    mag = np.hypot(*grids)
    max_shift = float(mag.max()) / px_per_mm
    near_limit = float(np.nanmax(np.abs(shifts))) / px_per_mm >= 0.9 * SEARCH_MM if np.isfinite(shifts).any() else False
    log.debug("curl field: %d measurements, max shift %.3f mm", n_used, max_shift)
    if max_shift < MIN_SHIFT_MM:
        return None
    return CurlField(dx=grids[0].astype(np.float32), dy=grids[1].astype(np.float32), step=step, points=n_used,
                     max_shift_mm=max_shift, saturated=near_limit)


def _spread(pts: np.ndarray, vals: np.ndarray, shape: tuple[int, int], *, step: float, sigma: float) -> np.ndarray:
    """Normalised Gaussian convolution of scattered values onto the grid (0 far from any data)."""
    ny, nx = shape
    gx = np.clip(np.rint((pts[:, 0] + 0.5) / step - 0.5).astype(int), 0, nx - 1)
    gy = np.clip(np.rint((pts[:, 1] + 0.5) / step - 0.5).astype(int), 0, ny - 1)
    num = np.zeros(shape, np.float64)
    den = np.zeros(shape, np.float64)
    np.add.at(num, (gy, gx), vals)
    np.add.at(den, (gy, gx), 1.0)
    k = int(np.ceil(3 * sigma)) * 2 + 1
    num = cv2.GaussianBlur(num, (k, k), sigma, borderType=cv2.BORDER_CONSTANT)
    den = cv2.GaussianBlur(den, (k, k), sigma, borderType=cv2.BORDER_CONSTANT)
    eps = 1e-3 / (2 * np.pi * sigma ** 2)
    return num / (den + eps)


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
