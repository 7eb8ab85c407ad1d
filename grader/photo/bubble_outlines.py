"""Printed bubble outlines: a matched filter for one ring, and the placement of a column of them.

Shared by the bubble reader (:mod:`grader.recognize.bubbles`), which finds the
rings on the aligned page, and the aligner's curl correction
(:mod:`grader.photo.bubble_grid`), which finds them in the photo to bend the
page mapping. Pure functions on numpy arrays.
"""
from __future__ import annotations

import functools

import cv2
import numpy as np

from grader.order_stats import median


@functools.lru_cache(maxsize=16)
def ring_template(d_px: float, stretch: float = 1.0) -> np.ndarray:
    """One bubble outline as a matched filter: + on the printed ring, - just outside it, 0 inside.

    ``d_px`` is the bubble's diameter (round it, the filters are cached). ``stretch`` > 1 makes it an
    upright ellipse that much taller (< 1: wider), of the same size (a column that the page, or the
    aligner's curl correction, stretched or squeezed). The filter has a margin of 0.3 diameters around it.
    """
    margin = max(2, int(round(d_px * 0.3)))
    n = (int(round(d_px * max(stretch, 1 / stretch))) + 2 * margin) | 1          # odd, so the centre is a pixel
    yy, xx = np.mgrid[0:n, 0:n].astype(np.float32)
    c = (n - 1) / 2
    dist = np.hypot((yy - c) / np.sqrt(stretch), (xx - c) * np.sqrt(stretch))
    r = d_px / 2
    t = ((dist > r * 0.8) & (dist <= r * 1.02)).astype(np.float32)
    t -= 0.6 * ((dist > r * 1.18) & (dist <= r * 1.45)).astype(np.float32)
    return t


def windows(img: np.ndarray, cy: np.ndarray, cx: np.ndarray, half: int, half_x: int | None = None) -> np.ndarray:
    """Windows of ``2*half+1`` rows and ``2*half_x+1`` columns (square by default) centred on integer pixels
    (cy, cx), as an (n, rows, columns) stack."""
    hx = half if half_x is None else half_x
    ys = np.clip(cy[:, None] + np.arange(-half, half + 1)[None, :], 0, img.shape[0] - 1)
    xs = np.clip(cx[:, None] + np.arange(-hx, hx + 1)[None, :], 0, img.shape[1] - 1)
    return img[ys[:, :, None], xs[:, None, :]]


def mean_window(img: np.ndarray, cy: np.ndarray, cx: np.ndarray, half: int) -> np.ndarray:
    """``windows(img, cy, cx, half).mean(axis=0)`` to the bit, for a float ``img``: NumPy's mean adds the windows
    one after the other in ``img``'s type and divides by their count; so does this, on slices of ``img`` (no
    gathered copy of every window). Where a window reaches past the image (whose edge ``windows`` repeats),
    the windows are gathered."""
    h, w = img.shape
    if not ((cy >= half) & (cy + half < h) & (cx >= half) & (cx + half < w)).all():
        return windows(img, cy, cx, half).mean(axis=0)
    total = img[cy[0] - half:cy[0] + half + 1, cx[0] - half:cx[0] + half + 1].copy()
    for y, x in zip(cy[1:], cx[1:]):
        total += img[y - half:y + half + 1, x - half:x + half + 1]
    return total / len(cy)


def responses_near(img: np.ndarray, d_px: float, stretches: tuple[float, ...], cy: np.ndarray, cx: np.ndarray
                   ) -> np.ndarray | None:
    """Per outline shape ``ring_template(d_px, stretch)`` (``stretches`` other than 1: shapes of one size), its
    largest TM_CCORR response at the nine places within a pixel of each centre (``cy``, ``cx``) of ``img``:
    (shapes, centres). None when some of those places lie where ``cv2.matchTemplate`` gives no response (the
    shape would reach past the image). The sums are taken in float64 and rounded to float32 once."""
    index, weight, n = _ring_taps(d_px, stretches)
    c = n // 2
    h, w = img.shape
    if not ((cy - c >= 1) & (cy + c + 2 <= h) & (cx - c >= 1) & (cx + c + 2 <= w)).all():
        return None
    patches = windows(img, cy, cx, c + 1).reshape(len(cy), -1)                 # (centres, (n + 2) ** 2)
    resp = np.einsum("bfk,fk->bf", patches[:, index], weight)
    return resp.astype(np.float32).reshape(len(cy), -1, 9).max(axis=2).T


@functools.lru_cache(maxsize=8)
def _ring_taps(d_px: float, stretches: tuple[float, ...]) -> tuple[np.ndarray, np.ndarray, int]:
    """The outline shapes as taps on a patch of n + 2 pixels a side (n: the shapes' size), one row per shape and
    each of the nine places within a pixel of the patch's centre: the flat patch indices and weights of the
    shapes' nonzero pixels (rows padded with zero weights; the rings are mostly zero), and n."""
    shapes = [ring_template(d_px, s) for s in stretches]
    n = shapes[0].shape[0]
    if any(t.shape[0] != n for t in shapes):
        raise ValueError("the shapes must be of one size (stretches s and 1/s are)")
    rows = []
    for t in shapes:
        ys, xs = np.nonzero(t)
        rows += [((ys + dy) * (n + 2) + xs + dx, t[ys, xs]) for dy in range(3) for dx in range(3)]
    width = max(len(i) for i, _ in rows)
    index = np.stack([np.pad(i, (0, width - len(i))) for i, _ in rows])
    weight = np.stack([np.pad(t, (0, width - len(t))) for _, t in rows]).astype(np.float64)
    return index, weight, n


@functools.lru_cache(maxsize=8)
def _path_grid(sy: int, sx: int, px_per_mm: float, step_cost: float,
               grid_px: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The ``grid_px`` grid of offsets a column path may take (states ``y * mx + x`` of an my x mx grid), and
    the cost of moving between two grid positions along y and along x, ``(from, to)``: the cost of a move is
    the sum of its y and x parts, so the best move is found one axis at a time."""
    grid_y, grid_x = np.arange(0, sy, grid_px), np.arange(0, sx, grid_px)
    gy, gx = np.meshgrid(grid_y, grid_x, indexing="ij")
    cost_y = (grid_y[:, None] - grid_y[None, :]) ** 2 / px_per_mm ** 2 * step_cost
    cost_x = (grid_x[:, None] - grid_x[None, :]) ** 2 / px_per_mm ** 2 * step_cost
    return gy.ravel(), gx.ravel(), cost_y, cost_x


def _best_scores(total: np.ndarray, cost_y: np.ndarray, cost_x: np.ndarray) -> np.ndarray:
    """For every state of each column's my x mx grid, the best score one move can bring from ``total``
    (columns, my, mx): the largest ``total`` minus the move cost over all predecessors.

    Exact max-plus step with a separable cost: the best row first for each (target row, source column), then the
    best column (about m times less work than comparing all state pairs). Scores only: which move won is asked
    afterwards, for the states on the best path alone (:func:`_best_move`)."""
    best_y = (total[:, :, None, :] - cost_y[None, :, :, None]).max(axis=1)      # (col, to y, from x)
    return (best_y[..., None] - cost_x[None, None]).max(axis=2)                # (col, to y, to x)


def _best_move(total: np.ndarray, to: np.ndarray, cost_y: np.ndarray, cost_x: np.ndarray) -> np.ndarray:
    """Per column, the predecessor state in ``total`` (columns, my, mx) of its state ``to`` that
    :func:`_best_scores` took: the same sums compared in the same order (the first of equal ones wins)."""
    mx = len(cost_x)
    ty, tx = to // mx, to % mx
    a = total - cost_y[:, ty].T[:, :, None]                                     # (col, from y, from x)
    by = a.argmax(axis=1)                                                       # (col, from x)
    b = a.max(axis=1) - cost_x[:, tx].T                                         # (the values at ``by``)
    bx = b.argmax(axis=1)
    return by[np.arange(len(to)), bx] * mx + bx


def column_paths(resp: np.ndarray, *, px_per_mm: float, step_cost: float = 0.15, grid_px: int = 2) -> np.ndarray:
    """Where the outlines of each column are: the best path through their outline responses.

    Parameters
    ----------
    resp : (columns, bubbles, sy, sx) outline-filter response around each bubble's expected place
        (centre = no offset; odd sides).
    px_per_mm : resolution, for the cost of moving.
    step_cost : cost of a millimetre squared of difference between neighbouring bubbles' offsets, in units
        of the column's typical outline response.
    grid_px : spacing of the offsets the path is searched on; the work grows with its inverse cubed, so
        wide searches use a coarser grid.

    Returns
    -------
    (columns, bubbles, 2) integer (dy, dx) offsets from the window centres.

    The path is found on a ``grid_px`` grid (dynamic programming down each column, all columns at once),
    each grid point standing for the best response around it; then each bubble is refined to the best
    pixel within half a grid step of it.
    """
    k, n, sy, sx = resp.shape
    scale = median(resp.reshape(k, n, -1).max(axis=2), axis=1)
    r = (resp / np.maximum(scale, 1e-6)[:, None, None, None]).astype(np.float32)
    g = max(1, int(grid_px))
    h = g // 2
    # Each grid point stands for the best response around it: one dilation of all windows stacked, with
    # rows of -inf between them so that no window borrows from its neighbour.
    padded = np.full((k * n, sy + 2 * h, sx), -np.inf, np.float32)
    padded[:, h:h + sy] = r.reshape(k * n, sy, sx)
    pooled = cv2.dilate(padded.reshape(-1, sx), np.ones((2 * h + 1, 2 * h + 1), np.uint8),
                        borderType=cv2.BORDER_REPLICATE)
    pooled = pooled.reshape(k * n, sy + 2 * h, sx)[:, h:h + sy].reshape(k, n, sy, sx)
    gy, gx, cost_y, cost_x = _path_grid(sy, sx, float(px_per_mm), float(step_cost), g)
    my, mx = len(cost_y), len(cost_x)
    unary = pooled[:, :, gy, gx].reshape(k, n, my, mx)                    # (col, bubble, grid y, grid x)
    totals = [unary[:, 0]]
    for i in range(1, n):
        totals.append(_best_scores(totals[-1], cost_y, cost_x) + unary[:, i])
    states = np.zeros((k, n), int)
    states[:, -1] = totals[-1].reshape(k, -1).argmax(axis=1)
    for i in range(n - 1, 0, -1):
        states[:, i - 1] = _best_move(totals[i - 1], states[:, i], cost_y, cost_x)
    cols = np.arange(k)
    # Refine each grid point to the best pixel around it (windows clipped at the edges).
    y0, x0 = gy[states], gx[states]                                        # (col, bubble)
    dy, dx = np.meshgrid(np.arange(-h, h + 1), np.arange(-h, h + 1), indexing="ij")
    yy = np.clip(y0[..., None, None] + dy, 0, sy - 1)
    xx = np.clip(x0[..., None, None] + dx, 0, sx - 1)
    vals = r[cols[:, None, None, None], np.arange(n)[None, :, None, None], yy, xx].reshape(k, n, -1)
    best = vals.argmax(axis=2)
    out = np.stack([np.take_along_axis(yy.reshape(k, n, -1), best[..., None], 2)[..., 0] - sy // 2,
                    np.take_along_axis(xx.reshape(k, n, -1), best[..., None], 2)[..., 0] - sx // 2], axis=-1)
    return out
