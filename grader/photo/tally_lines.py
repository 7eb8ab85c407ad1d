"""Where the printed lines of each tally grid really are, in the homography frame.

A tally grid is 52 x 37.5 mm. On curled paper its lines tilt and bend by a
millimetre or more along their length, and the whole grid may sit 3 mm from
where the homography puts it: a search for a straight border then finds
nothing, and the field fitted without the grid leaves the reader's own grid
search (a millimetre) out of reach. So the lines are measured piece by piece:

- the horizontal lines in strips one cell wide. Across a strip, a printed
  line is dark all along; tally uprights and the crossing stroke are dark at
  some places only, so the profile keeps what is dark nearly all across;
- the vertical lines in bands along each horizontal line, as measured: near
  a crossing no tally stroke goes, so nothing there stands like a vertical
  line but the lines themselves (inside a cell, uprights do, a millimetre
  apart). Their shifts are recorded at the crossings' template places.

All the lines crossing a strip are first slid together as a comb: their
spacing is printed, while a label, a neighbouring box or a pen stroke matches
one tooth at most. The comb is slid over the whole grid first, stretched or
squeezed as curled paper foreshortens it, then strip by strip less than half
a cell around that. Reaching further than half a cell, the first step can
slip by one when the grid lies beyond its reach; a line a cell beyond the
comb's end then shows in the strips, and nothing is measured. Each line is
finally refined on its own, within a short reach.

Used by :mod:`grader.photo.curl`.
"""
from __future__ import annotations

import cv2
import numpy as np

from grader.order_stats import median, ranked
from grader.photo.no_ipp import without_ipp
from grader.photo.print_grid import PRINT_PIXEL_MM, Sampler, centre_line_rect, tally_line_mm
from grader.sheet.layout import FieldLayout, PageLayout, Rect
from grader.subpixel import parabola_offset

COMB_SEARCH_MM = 4.5   # the whole grid's comb is slid this far around the homography's place
COMB_STRETCH = 0.06    # ... stretched or squeezed by up to this share of its size
COMB_STRETCH_STEP = 0.005
STRIP_SEARCH_MM = 2.0  # each strip's comb this far around the grid's (less than half a cell: no slip)
TOOTH_MM = 0.6         # a tooth takes a line this far from it (the grid stretches on curled paper)
TOOTH_CAP = 60         # one tooth's most say, gray levels (a dark label or box border must not outweigh lines)
LINE_REACH_MM = 0.7    # each line refined this far around its strip's comb (the stretch left over)
SAMPLES = 11           # profiles across a strip; a printed line is dark in all of them, a pen stroke in some
BAND_MM = 1.2          # the vertical lines are measured this far above and below each horizontal line
BRIGHT_PERCENTILE = 80  # of the profiles, per position: only what is dark all across the strip stays dark
MIN_DIP = 20           # gray levels a line must stand below the paper around it
LINE_CONTEXT_MM = 1.5  # ... within this much: anything wider is shading, not a printed line
MIN_TEETH = 0.5        # share of the comb's lines that must show at its place for the strip to count
SLIPPED = 0.8          # share of strips showing a line a cell beyond the grid's end: the comb slipped by a cell
STEP_PX = 1.0          # profile sampling step, frame px


def tally_line_points(sample: Sampler, page: PageLayout, *, px_per_mm: float
                      ) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Shifts of every tally grid line, one sample per line and strip, frame px.

    ``sample(map_x, map_y)`` reads the homography-warped page at frame coordinates
    (:func:`~grader.photo.print_grid.photo_sampler`). Returns ``((pts, dx), (pts, dy))``
    like :func:`~grader.photo.print_grid.border_points`.
    """
    ppm = float(px_per_mm)
    out: dict[int, tuple[list, list]] = {0: ([], []), 1: ([], [])}
    for f in page.fields:
        if f.kind != "tally" or not f.cells:
            continue
        xs, x_starts, cw = line_layout(f, page, 0)
        ys, _, _ = line_layout(f, page, 1)
        # Horizontal lines, in strips one cell column wide.
        cols = (x_starts[:, None] + cw * np.linspace(0.15, 0.85, SAMPLES)[None, :]) * ppm - 0.5   # (strips, samples)
        h_pts, h_shift = _measure_axis(sample, ys * ppm - 0.5, cols, cols[:, SAMPLES // 2], axis=1, ppm=ppm)
        # Vertical lines, in bands along each horizontal line where it was found.
        pos = _profile_positions(xs * ppm - 0.5, ppm)
        rows, measured = _along_lines(ys * ppm - 0.5, h_pts, h_shift, pos)                        # (lines, positions)
        # (the outer lines' bands lie inside the grid: the vertical lines stop at them)
        spread = np.repeat(np.linspace(-1, 1, SAMPLES)[None, :], len(ys), axis=0)
        spread[0], spread[-1] = np.linspace(0, 1, SAMPLES), np.linspace(-1, 0, SAMPLES)
        bands = (rows[:, None, :] + BAND_MM * ppm * spread[:, :, None])[measured]
        # (recorded at the crossings' template places: the field is indexed by where print was meant to be)
        v_pts, v_shift = (_measure_axis(sample, xs * ppm - 0.5, bands, (ys * ppm - 0.5)[measured], axis=0, ppm=ppm,
                                        pos=pos) if len(bands) else (np.zeros((0, 2)), np.zeros(0)))
        for axis, pts, shifts in ((0, v_pts, v_shift), (1, h_pts, h_shift)):
            out[axis][0].append(pts)
            out[axis][1].append(shifts)
    return tuple((np.concatenate(p) if p else np.zeros((0, 2)), np.concatenate(v) if v else np.zeros(0))
                 for p, v in (out[0], out[1]))


def line_layout(f: FieldLayout, page: PageLayout, axis: int) -> tuple[np.ndarray, np.ndarray, float]:
    """The grid's printed line centres along ``axis`` (mm), its cells' starts along it (mm) and their size.

    Each cell draws its own borders inside its rectangle, the right and bottom one a print pixel further
    out (:func:`~grader.photo.print_grid.centre_line_rect`, whose outer frame gives the first and last
    line): an inner line is two cells' borders side by side.
    """
    outer = centre_line_rect(Rect.union(f.cells), tally_line_mm(page, f))
    starts = sorted({round(c.x if axis == 0 else c.y, 4) for c in f.cells})
    size = f.cells[0].w if axis == 0 else f.cells[0].h
    first, last = (outer.x, outer.x2) if axis == 0 else (outer.y, outer.y2)
    inner = [s + PRINT_PIXEL_MM / 2 for s in starts[1:]]
    return np.array([first, *inner, last]), np.array(starts), size


def _profile_positions(lines: np.ndarray, ppm: float) -> np.ndarray:
    """Where a profile across ``lines`` (frame px) is sampled: as far as the comb reaches, stretched, and a cell
    beyond."""
    reach = (COMB_SEARCH_MM + LINE_REACH_MM + TOOTH_MM) * ppm + COMB_STRETCH * (lines[-1] - lines[0]) + 2 * STEP_PX
    return np.arange(2 * lines[0] - lines[1] - reach, 2 * lines[-1] - lines[-2] + reach + 1e-6, STEP_PX)


def _along_lines(lines: np.ndarray, pts: np.ndarray, shifts: np.ndarray, pos: np.ndarray
                 ) -> tuple[np.ndarray, np.ndarray]:
    """Each horizontal line's measured position at x = ``pos`` (frame px), interpolated between its strips;
    and which lines were measured at all (a band cannot be placed along the others)."""
    out = np.empty((len(lines), len(pos)))
    measured = np.zeros(len(lines), bool)
    for k, y in enumerate(lines):
        on = np.isclose(pts[:, 1], y)
        measured[k] = on.any()
        if measured[k]:
            order = np.argsort(pts[on, 0])
            out[k] = y + np.interp(pos, pts[on, 0][order], shifts[on][order])
    return out, measured


def _measure_axis(sample: Sampler, lines: np.ndarray, across: np.ndarray, record: np.ndarray, *, axis: int,
                  ppm: float, pos: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The lines at ``lines`` (frame px along ``axis``), in strips: ``(pts, shifts)`` of those found, frame px.

    ``across`` holds each strip's sample coordinates across the lines, ``(strips, samples)``, or
    ``(strips, samples, positions)`` when they vary along the profile at ``pos``. A line's shift is
    recorded at its template coordinate and the strip's ``record`` coordinate across it (template).
    """
    if pos is None:
        pos = _profile_positions(lines, ppm)
    dip = _line_dips(sample, across, pos, axis=axis, ppm=ppm)
    comb = _place_comb(dip, lines, pos, ppm=ppm)
    if comb is None:
        return np.zeros((0, 2)), np.zeros(0)
    placed, offsets, shown = comb
    found, where = _refine_lines(dip, placed, offsets, pos, ppm=ppm)
    s_idx, l_idx = np.nonzero(found & shown[:, None])
    along, at = lines[l_idx], record[s_idx]
    pts = np.stack([along, at], 1) if axis == 0 else np.stack([at, along], 1)
    return pts, (where - lines[None, :])[s_idx, l_idx]


def _line_dips(sample: Sampler, across: np.ndarray, pos: np.ndarray, *, axis: int, ppm: float) -> np.ndarray:
    """Per strip and position along it, how much darker than the paper just around it the print is there,
    counting only what is dark nearly all across the strip: ``(strips, positions)``."""
    n = across.shape[0]
    a = np.broadcast_to(across[..., None] if across.ndim == 2 else across, (n, SAMPLES, len(pos)))
    p = np.broadcast_to(pos, a.shape)
    mx, my = (p, a) if axis == 0 else (a, p)
    gray = sample(np.ascontiguousarray(mx, np.float32).reshape(n * SAMPLES, -1),
                  np.ascontiguousarray(my, np.float32).reshape(n * SAMPLES, -1))
    rank = int(round(BRIGHT_PERCENTILE / 100 * (SAMPLES - 1)))                 # (the percentile, without its cost)
    prof = ranked(gray.reshape(n, SAMPLES, len(pos)), rank).astype(np.float32)
    # A top-hat: a line is narrow; shading and the paper's edge are broad.
    dip = median(prof, axis=1, keepdims=True) - prof
    wide = int(round(LINE_CONTEXT_MM * ppm / STEP_PX)) | 1
    with without_ipp():
        return cv2.morphologyEx(dip, cv2.MORPH_TOPHAT, np.ones((1, wide), np.uint8))


def _place_comb(dip: np.ndarray, lines: np.ndarray, pos: np.ndarray, *, ppm: float
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """Every line at once, slid together: first over the whole grid, also stretched or squeezed about its
    middle (curled paper foreshortens a grid by several per cent), then strip by strip around that.

    Returns the comb's teeth (frame px, before each strip's offset), each strip's offset and whether the
    strip shows the grid; None when the grid is not within reach. The teeth are tolerant (what stretch is
    left) and capped (no one dark thing decides).
    """
    t = int(round(TOOTH_MM * ppm / STEP_PX))
    tolerant = cv2.dilate(dip, np.ones((1, 2 * t + 1), np.uint8))
    # (smoothed, not max-filtered, so that the best offset is the middle of the tolerance, not its end)
    capped = cv2.GaussianBlur(np.minimum(dip, TOOTH_CAP), (0, 0), sigmaX=t / 2, sigmaY=1e-3)
    offs = np.arange(-COMB_SEARCH_MM * ppm, COMB_SEARCH_MM * ppm + 1e-6, STEP_PX)
    scales = 1 + np.arange(-COMB_STRETCH, COMB_STRETCH + 1e-9, COMB_STRETCH_STEP)
    middle = (lines[0] + lines[-1]) / 2
    teeth_at = middle + scales[:, None] * (lines - middle)[None, :]            # (scales, lines)
    # (the strips summed first: where the whole grid's comb goes does not depend on the strip)
    grid = _interp(capped.sum(axis=0, keepdims=True), (teeth_at[..., None] + offs - pos[0]) / STEP_PX)
    si, whole = np.unravel_index(int(np.argmax(grid[0].sum(axis=1))), (len(scales), len(offs)))
    placed = teeth_at[si]
    if whole in (0, len(offs) - 1):                                             # at the edge of its reach
        return None
    at = (placed[:, None] + offs[None, :] - pos[0]) / STEP_PX                   # (lines, offsets), profile index
    near = np.abs(offs - offs[whole]) <= STRIP_SEARCH_MM * ppm
    best = np.argmax(np.where(near[None, :], _interp(capped, at).sum(axis=1), -np.inf), axis=1)
    strips = np.arange(len(best))
    teeth = _interp_rows(tolerant, at[:, best].T)                               # (strips, lines)
    shown = (teeth >= MIN_DIP).mean(axis=1) >= MIN_TEETH
    # The whole grid's comb reaches further than half a cell, so it may have slipped by one (the grid lies
    # further than it reaches, and the best it found matches all lines but one). Then, at each strip's own
    # place (which follows a bent line), a line runs a cell beyond one end of the comb, where a true
    # placement has paper (or, beside a few strips, a label or a box): nothing is measured. (A line hidden
    # there, off the photo or under glare, would hide a slip too: such photos are refused, cut off or glared.)
    ends = np.array([2 * placed[0] - placed[1], 2 * placed[-1] - placed[-2]])
    beyond = np.rint((ends[None, :] + offs[best][:, None] - pos[0]) / STEP_PX).astype(int)   # (strips, 2)
    beyond = np.clip(beyond, 0, dip.shape[1] - 1)
    line_beyond = tolerant[strips[:, None], beyond] >= MIN_DIP
    if not shown.any() or line_beyond[shown].any(axis=1).mean() >= SLIPPED:
        return None
    return placed, offs[best], shown


def _refine_lines(dip: np.ndarray, placed: np.ndarray, offsets: np.ndarray, pos: np.ndarray, *, ppm: float
                  ) -> tuple[np.ndarray, np.ndarray]:
    """Each line on its own: the dip nearest to its comb tooth within a short reach, among those at least half
    as deep as the deepest there (paper noise is no line), to a fraction of a pixel.

    Returns whether each (strip, line) was found and where (frame px).
    """
    k = int(round(LINE_REACH_MM * ppm / STEP_PX))
    centre = np.rint((placed[None, :] + offsets[:, None] - pos[0]) / STEP_PX).astype(int)   # (strips, lines)
    win = centre[..., None] + np.arange(-k - 1, k + 2)                          # one extra each side for the peak test
    s_idx, l_idx = np.arange(len(dip))[:, None], np.arange(len(placed))[None, :]
    vals = dip[s_idx[..., None], np.clip(win, 0, dip.shape[1] - 1)]
    inner = vals[..., 1:-1]
    deep = np.maximum(MIN_DIP, 0.5 * inner.max(axis=2, keepdims=True))
    peak = (inner >= vals[..., :-2]) & (inner > vals[..., 2:]) & (inner >= deep)
    dist = np.where(peak, np.abs(np.arange(-k, k + 1))[None, None, :], np.inf)
    pick = np.argmin(dist, axis=2)
    found = np.isfinite(dist.min(axis=2))                                       # (the distance at ``pick``)
    f0, f1, f2 = (vals[s_idx, l_idx, pick + 1 + d] for d in (-1, 0, 1))
    return found, pos[0] + (centre + pick - k + parabola_offset(f0, f1, f2, extremum="max", limit=0.5)) * STEP_PX


def _interp(profiles: np.ndarray, at: np.ndarray) -> np.ndarray:
    """``profiles`` (strips, n) linearly interpolated at fractional indices ``at`` (any shape): (strips, *at.shape)."""
    i0, t = _interp_weights(at, profiles.shape[1])
    return np.take(profiles, i0, axis=1) * (1 - t) + np.take(profiles[:, 1:], i0, axis=1) * t


def _interp_rows(profiles: np.ndarray, at: np.ndarray) -> np.ndarray:
    """Each row of ``profiles`` (strips, n) interpolated as :func:`_interp` does at its own row of ``at``
    (strips, m): what ``_interp(profiles, at)`` has on its diagonal of strips, without the rest."""
    i0, t = _interp_weights(at, profiles.shape[1])
    rows = np.arange(len(profiles))[:, None]
    return profiles[rows, i0] * (1 - t) + profiles[rows, i0 + 1] * t


def _interp_weights(at: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """The sample left of each fractional index ``at`` into n samples, and the weight of the one right of it."""
    i0 = np.floor(at).astype(int)
    np.clip(i0, 0, n - 2, out=i0)
    t = at - i0
    np.clip(t, 0.0, 1.0, out=t)
    return i0, t
