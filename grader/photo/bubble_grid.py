"""Where the printed bubble columns really are: ring shifts measured in the homography frame.

A bubble column hangs up to 40 mm below its digit boxes, beside the tally
grids, where no printed border is measured: on curled paper the field fitted
to the borders can be off there by half a bubble or more, and the bubble
reader's own search (less than half a bubble, so it cannot jump to a
neighbour) then fails or the page's warp stretches the column. Each printed
ring is located with an outline filter around the field found so far,
reaching more than a bubble, and the rings of a column are placed together
(neighbours move together). A placement slipped by a whole bubble is refused
two ways in each direction: a bubble without its ring or a ring a pitch
below the last bubble (where nothing is printed), and the top ring, which
sits just under the digit boxes the field already follows, found far from
where the field says. A column like that measures nothing. Used by
:mod:`grader.photo.curl`.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import cv2
import numpy as np

from grader.order_stats import median, percentile
from grader.photo.print_grid import PRINT_PIXEL_MM, Sampler
from grader.photo.bubble_outlines import column_paths, ring_template, windows
from grader.sheet.layout import PageLayout
from grader.subpixel import parabola_offset

REACH_PITCHES = 1.45      # search around the estimate, in bubble pitches: a slip by one bubble is within reach
REACH_X_PITCHES = 0.6     # across the column nothing repeats within reach: a narrower search suffices
MIN_RING = 0.5            # a ring responding less than this share of the column's typical one is not found
END_RING = 0.45           # a ring-like response a pitch below the last bubble: the column may have slipped
END_NEAR_PITCHES = 0.2    # ... looked for this far around the place a pitch below
MEASURE_PX_PER_MM = 4.0   # the rings are measured at this resolution (the frame's is 8)
PATH_GRID_PX = 2          # the wide search's path grid, measuring px (refined to the pixel after)
TOP_SLACK = 0.35          # the top ring further than this (in pitches) from the estimate: the column slipped


def bubble_points(sample: Sampler, page: PageLayout, predict: Callable[[np.ndarray], np.ndarray], *,
                  px_per_mm: float) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Shifts of every printed bubble around a first estimate ``predict(points)``, frame px.

    Returns ``((pts, dx), (pts, dy))`` like :func:`~grader.photo.print_grid.border_points`,
    with one sample per bubble of each column that was measured.
    """
    ppm = float(px_per_mm)
    fields = []
    for f in page.fields:
        if f.kind != "bubbles" or not f.bubbles or min(len(col) for col in f.bubbles) < 3 or \
                len({len(col) for col in f.bubbles}) > 1:
            continue
        # The renderer's outlines include their right and bottom pixel: a ring's centre sits half a print
        # pixel right of and below its rectangle's (as border centre lines do, :func:`centre_line_rect`).
        printed = np.array([[b.center for b in col] for col in f.bubbles], np.float64) + PRINT_PIXEL_MM / 2
        fields.append(_ring_windows(sample, printed * ppm - 0.5, predict, d_px=f.bubbles[0][0].w * ppm,
                                    px_per_mm=ppm))
    pts_out, dx_out, dy_out = [], [], []
    for rings, offs in zip(fields, _paths(fields)):
        for c, (dx, dy) in _column_shifts(rings, offs):
            pts_out.append(rings.frame_centres[c])
            dx_out.append(dx)
            dy_out.append(dy)
    if not pts_out:
        empty = np.zeros((0, 2)), np.zeros(0)
        return empty, empty
    pts = np.concatenate(pts_out)
    return (pts, np.concatenate(dx_out)), (pts, np.concatenate(dy_out))


@dataclass(frozen=True)
class _Rings:
    """One field's ring responses around each bubble (and a pitch below each column), measuring px."""

    frame_centres: np.ndarray   # (columns, bubbles, 2) printed ring centres, frame px
    centres: np.ndarray         # ... measuring px
    pred: np.ndarray            # (columns, bubbles, 2) the estimate's shifts there, measuring px
    at: np.ndarray              # (columns, bubbles + 1, 2) window centres (x, y), response px
    origin: np.ndarray          # (x, y) of the response's ring centre (0, 0), measuring px
    win: np.ndarray             # (columns, bubbles + 1, 2 reach + 1, 2 reach_x + 1) ring filter responses
    signed: np.ndarray          # ``win``, with a ring below the last bubble counting against (the path's input)
    reach: int
    reach_x: int
    near: int
    pitch: float
    scale: float                # frame px per measuring px
    ppm: float                  # measuring px per mm


def _ring_windows(sample: Sampler, centres: np.ndarray, predict: Callable[[np.ndarray], np.ndarray], *,
                  d_px: float, px_per_mm: float) -> _Rings:
    """The ring filter's responses around each bubble of one field (``centres`` ``(columns, bubbles, 2)``, the
    printed ring centres, frame px, of columns that run down the page: the search reaches further along y
    than along x).

    The field is sampled once, at ``MEASURE_PX_PER_MM`` (rings 0.25 mm wide stay visible there, and the search
    costs a sixteenth of what it would at the frame's 8 px/mm), as one strip around where the estimate puts it
    (its mean shift: the windows stay evenly spaced, so the path's moves are the column's own deformation).
    """
    frame_centres = centres
    scale = max(1.0, px_per_mm / MEASURE_PX_PER_MM)                  # frame px per measuring px
    pred = predict(centres.reshape(-1, 2)).reshape(centres.shape) / scale
    centres = (centres + 0.5) / scale - 0.5
    d_px, ppm = d_px / scale, px_per_mm / scale
    step = centres[0, 1] - centres[0, 0]
    pitch = float(np.hypot(*step))
    reach = max(1, int(round(REACH_PITCHES * pitch)))
    reach_x = max(1, int(round(REACH_X_PITCHES * pitch)))
    near = max(1, int(round(END_NEAR_PITCHES * pitch)))     # a stretched column's next ring is not exactly a pitch on
    tmpl = ring_template(round(d_px, 2))
    c = tmpl.shape[0] // 2
    shift = pred.mean(axis=(0, 1))
    # One more place a pitch below the last bubble of every column, where no ring is printed. (Above the
    # first, the digit boxes' border and ink answer the ring filter too: that end is the top-ring check's.)
    ext = np.concatenate([centres, centres[:, -1:] + step], axis=1) + shift
    margin = np.array([reach_x, reach]) + c
    lo = np.floor(ext.reshape(-1, 2).min(axis=0)) - margin
    hi = np.ceil(ext.reshape(-1, 2).max(axis=0)) + margin + 1
    gx, gy = np.meshgrid(*((np.arange(lo[k], hi[k] + 1) + 0.5) * scale - 0.5 for k in (0, 1)))
    strip = sample(gx.astype(np.float32), gy.astype(np.float32)).astype(np.float32)
    paper = max(float(percentile(strip[::3, ::3], 90)), 1.0)      # every ninth pixel tells the paper
    dark = np.clip(1.0 - strip / paper, 0.0, 1.0)
    resp = cv2.matchTemplate(dark, tmpl, cv2.TM_CCORR)            # resp[y, x]: the ring centred at (x + c, y + c)
    at = np.rint(ext - lo).astype(int) - c                        # (columns, bubbles + 1, 2) in resp coordinates
    win = windows(resp, at[..., 1].ravel(), at[..., 0].ravel(), reach, reach_x)
    n_cols, n_rows = centres.shape[:2]
    win = win.reshape(n_cols, n_rows + 1, *win.shape[1:])      # (columns, bubbles + 1, 2 reach + 1, 2 reach_x + 1)
    signed = win.copy()
    signed[:, -1] = -np.maximum(win[:, -1], 0.0)               # a ring below the last bubble counts against
    return _Rings(frame_centres, centres, pred, at, lo + c, win, signed, reach, reach_x, near, pitch, scale, ppm)


def _paths(fields: list[_Rings]) -> list[np.ndarray]:
    """:func:`~grader.photo.bubble_outlines.column_paths` of each field's columns: those of all fields whose
    windows are alike in one call (each column's path is its own; one call costs less than several)."""
    out: list[np.ndarray | None] = [None] * len(fields)
    groups: dict[tuple, list[int]] = {}
    for i, r in enumerate(fields):
        groups.setdefault((r.signed.shape[1:], r.ppm), []).append(i)
    for (_, ppm), members in groups.items():
        offs = column_paths(np.concatenate([fields[i].signed for i in members]), px_per_mm=ppm, grid_px=PATH_GRID_PX)
        ends = np.cumsum([len(fields[i].signed) for i in members])[:-1]
        for i, part in zip(members, np.split(offs, ends)):
            out[i] = part
    return out


def _column_shifts(rings: _Rings, offs: np.ndarray) -> list[tuple[int, tuple[np.ndarray, np.ndarray]]]:
    """Per measured column: its index and the (dx, dy) shift of each bubble, frame px, from its path ``offs``
    (columns, bubbles + 1, 2) through the ring responses. (All columns at once, each judged on its own.)"""
    r = rings
    n_cols, n_rows = r.centres.shape[:2]
    centre = np.array([r.reach, r.reach_x])
    place = offs + centre                                         # (columns, bubbles + 1, 2) window (y, x)
    got = r.win[np.arange(n_cols)[:, None], np.arange(n_rows), place[:, :-1, 0], place[:, :-1, 1]]
    typical = median(got, axis=1).astype(np.float64)
    # The bottom end is judged a pitch below where the path put the last bubble (the path itself is free
    # to step its end place off a ring, and would).
    span = np.arange(-r.near, r.near + 1)
    ys = np.clip(place[:, -2, :1] + span, 0, r.win.shape[2] - 1)       # (each column's window clipped to itself)
    xs = np.clip(place[:, -2, 1:] + span, 0, r.win.shape[3] - 1)
    beyond = r.win[np.arange(n_cols)[:, None, None], -1, ys[:, :, None], xs[:, None, :]].max(axis=(1, 2))
    beyond = beyond.astype(np.float64)
    # (the limits as they were compared column by column: the ring's in the responses' float32)
    lost = (got.min(axis=1) < (MIN_RING * typical).astype(np.float32)) | (beyond >= END_RING * typical)
    sub = _subpixel(r.win[:, :-1].reshape(-1, *r.win.shape[2:]), place[:, :-1].reshape(-1, 2))
    found = (r.at[:, :-1] + r.origin + offs[:, :-1, ::-1] + sub.reshape(n_cols, n_rows, 2)
             - r.centres)                                         # measured shift (dx, dy), measuring px
    # The top ring lies a few millimetres under the field's digit boxes, whose borders the estimate
    # already follows: found far from the estimate there, the placement has slipped.
    slipped = np.hypot(*(found[:, 0] - r.pred[:, 0]).T) > TOP_SLACK * r.pitch
    return [(col, (found[col, :, 0] * r.scale, found[col, :, 1] * r.scale)) for col in range(n_cols)
            if not (typical[col] <= 0 or lost[col] or slipped[col])]


def _subpixel(win: np.ndarray, at: np.ndarray) -> np.ndarray:
    """(dx, dy) of the response peak around integer ``at`` (rows of (y, x)) in each window, by a parabola
    through the neighbours along each axis (0 at the window's edge or where the peak is flat)."""
    n, sy, sx = win.shape
    i = np.arange(n)
    out = np.zeros((n, 2))
    for k, (size, axis) in enumerate(((sx, 1), (sy, 0))):
        p = np.clip(at[:, axis], 1, size - 2)
        prev, next_ = at.copy(), at.copy()
        prev[:, axis], next_[:, axis] = p - 1, p + 1
        mid = at.copy()
        mid[:, axis] = p
        f0, f1, f2 = win[i, prev[:, 0], prev[:, 1]], win[i, mid[:, 0], mid[:, 1]], win[i, next_[:, 0], next_[:, 1]]
        inside = (at[:, axis] >= 1) & (at[:, axis] <= size - 2)
        out[:, k] = np.where(inside, parabola_offset(f0, f1, f2, extremum="max", limit=0.5), 0.0)
    return out
