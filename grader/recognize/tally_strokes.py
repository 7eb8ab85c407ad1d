"""Separate the pen strokes of a tally field and measure them, cell by cell.

Works on the field's ink with the printed grid removed
(:func:`grader.recognize.tally_grid.remove_grid`); everything is vectorised
over the field's cells.

1. Oriented openings separate the strokes: what survives a long diagonal line
   (at half resolution, max-pooled) is the crossing stroke; what survives a
   near-vertical line is the uprights.
2. Uprights are counted as separate ink runs along each pixel row; a count
   must hold over a few consecutive rows (leaning strokes may touch, never
   along their whole length), at one of a few thresholds (strokes that nearly
   touch separate at a higher one).
3. The crossing stroke is measured as the longest unbroken run of columns it
   covers at one angle, against the uprights' width.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass

import cv2
import numpy as np

from grader.order_stats import median_kept
from grader.photo.no_ipp import without_ipp
from grader.recognize.tally_grid import remove_grid
from grader.true_runs import longest_true_run
from grader.sheet.layout import FieldLayout

DIAGONAL_ANGLES = (18, 30, 42, 54, -18, -30, -42, -54)   # degrees from the x axis
UPRIGHT_ANGLES = (63, 75, 90, 105, 117)
UPRIGHT_LEVELS = (1.0, 1.4, 1.9)           # thresholds tried for separating uprights, x the field's ink threshold
DIAGONAL_LEVEL = 1.0                       # crossing-stroke threshold, x the field's ink threshold
FAINT_LEVEL = 0.4                          # faint-stroke threshold, x the field's ink threshold


@functools.lru_cache(maxsize=32)
def line_element(length: int, angle_deg: float) -> np.ndarray:
    """A one-pixel-wide line structuring element; ``angle_deg`` from the x axis, counter-clockwise."""
    n = length | 1
    k = np.zeros((n, n), np.uint8)
    c = n // 2
    t = np.deg2rad(angle_deg)
    s = np.linspace(-c, c, 4 * n)
    xs = np.rint(c + s * np.cos(t)).astype(int)
    ys = np.rint(c - s * np.sin(t)).astype(int)
    k[ys, xs] = 1
    return k


def _runs(b: np.ndarray, axis: int) -> np.ndarray:
    """Number of separate runs of True along ``axis`` (that axis removed).

    Counted as the rising edges plus a True at the start, over whole slices of the other axes at once (so
    ``axis`` is best an outer one), in bytes where they hold the count (an axis under 510 long: a window's).
    """
    b = np.moveaxis(b, axis, 0)
    rising = (b[1:] > b[:-1]).view(np.uint8)
    return rising.sum(axis=0, dtype=np.uint8 if len(b) < 510 else np.int64) + b[0]


def _max_pool2(img: np.ndarray) -> np.ndarray:
    """Half resolution keeping the darkest value of each 2x2 block (thin lines keep their darkness)."""
    return np.ascontiguousarray(cv2.dilate(img, np.ones((2, 2), np.uint8))[::2, ::2])


def _run_widths(b: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per cell and row of ``b`` (cells, rows, columns): the number of ink runs, their total width and the widest."""
    n, h, _ = b.shape
    d = np.diff(np.pad(b, ((0, 0), (0, 0), (1, 1))).astype(np.int8), axis=2)
    cs, rs, xs = np.nonzero(d == 1)
    widths = (np.nonzero(d == -1)[2] - xs).astype(np.float64)
    cell_row = cs * h + rs
    count = np.bincount(cell_row, minlength=n * h).reshape(n, h).astype(np.float64)
    total = np.bincount(cell_row, weights=widths, minlength=n * h).reshape(n, h)
    widest = np.zeros(n * h)
    if len(cell_row):
        order = np.lexsort((widths, cell_row))                  # runs grouped by (cell, row), widest last
        last = np.r_[cell_row[order][1:] != cell_row[order][:-1], True]
        widest[cell_row[order][last]] = widths[order][last]
    return count, total, widest.reshape(n, h)


def _widest_ratio(runs: tuple[np.ndarray, np.ndarray, np.ndarray], uprights: np.ndarray) -> np.ndarray:
    """Per cell, the median over rows that see exactly ``uprights`` runs of: widest run / mean of the others
    (``runs``: :func:`_run_widths` of these cells).

    Two strokes drawn over each other show as one run about twice as wide as its neighbours.
    """
    count, total, widest = runs
    ratio = widest / np.maximum((total - widest) / np.maximum(count - 1, 1), 1e-6)
    rows = (count == uprights[:, None]) & (count >= 2)
    return median_kept(ratio, rows)


def _lone_width_ratio(runs: tuple[np.ndarray, np.ndarray, np.ndarray], uprights: np.ndarray) -> np.ndarray:
    """Per cell of one upright, the median width of its run over the rows that see one, against the median width of
    the uprights of the field's cells of two or more (over their rows that see them all); 0 elsewhere, and where the
    field has no such cell. Beside no other upright of its cell, a lone upright's width is told against the others
    the same pen drew: two strokes drawn over each other show as one run about twice as wide. (On drawn fields of
    one full group and one stroke, tests/test_tally.py's pen, 120 lone strokes measured 0.44-1.58, median 0.87; two
    strokes overlapping by half their width 1.33-2.0, so the ink check in tally_groups is the other half of it.)
    ``runs``: :func:`_run_widths` of the field's cells."""
    count, total, _ = runs
    seen = (count == uprights[:, None]) & (uprights[:, None] >= 2)
    lone = uprights == 1
    if not seen.any() or not lone.any():
        return np.zeros(len(uprights))
    reference = float(np.median((total / np.maximum(count, 1))[seen]))
    width = median_kept(total, count == 1)
    return np.where(lone, width / max(reference, 1e-6), 0.0)


def _window_view(img: np.ndarray, hy: int, hx: int) -> np.ndarray:
    """Every (2*hy+1, 2*hx+1) window of ``img`` (over its last two axes, edges padded with 0), as a view indexed
    by the window's centre: (..., rows, columns, window rows, window columns)."""
    pad = np.zeros(img.shape[:-2] + (img.shape[-2] + 2 * hy, img.shape[-1] + 2 * hx), img.dtype)
    pad[..., hy:hy + img.shape[-2], hx:hx + img.shape[-1]] = img
    return np.lib.stride_tricks.sliding_window_view(pad, (2 * hy + 1, 2 * hx + 1), axis=(-2, -1))


def _windows(img: np.ndarray, cy: np.ndarray, cx: np.ndarray, hy: int, hx: int) -> np.ndarray:
    """Windows of (2*hy+1, 2*hx+1) centred on integer pixels, as an (n, h, w) stack (edges padded with 0)."""
    ys = np.clip(cy, 0, img.shape[-2] - 1)
    xs = np.clip(cx, 0, img.shape[-1] - 1)
    return _window_view(img, hy, hx)[..., ys, xs, :, :]


def _windows_by_column(img: np.ndarray, cy: np.ndarray, cx: np.ndarray, hy: int, hx: int) -> np.ndarray:
    """The windows of :func:`_windows` of a 2-D ``img`` as a (window columns, window rows, n) array, laid out so in
    memory (one transposing copy): what is taken along a window's columns or rows is then taken on whole
    contiguous slices of every window at once."""
    return np.ascontiguousarray(_windows(img, cy, cx, hy, hx).transpose(2, 1, 0))


def _window_columns_max(img: np.ndarray, cy: np.ndarray, cx: np.ndarray, hy: int, hx: int) -> np.ndarray:
    """``_windows(img, cy, cx, hy, hx).max(axis=-2)``: per window column, the largest value in the window's rows, as
    an (..., n, 2*hx+1) stack (for a boolean ``img``: whether any is True).

    Taken once per row band (the cells of a grid row share theirs), not over every window's own copy.
    """
    h, w = img.shape[-2:]
    ys = np.clip(cy, 0, h - 1)
    xs = np.clip(cx, 0, w - 1)
    rows, band = np.unique(ys, return_inverse=True)
    bands = np.zeros(img.shape[:-2] + (len(rows), w + 2 * hx), img.dtype)     # (edges padded with 0, as _windows)
    for k, y in enumerate(rows):
        bands[..., k, hx:hx + w] = img[..., max(y - hy, 0):y + hy + 1, :].max(axis=-2)
    return bands[..., band.reshape(-1, 1), xs[:, None] + np.arange(2 * hx + 1)]


def _above(levels) -> np.ndarray:
    """uint8 bounds ``u`` with ``x > u`` exactly where ``x > level`` for every uint8 ``x``: floor(level), for levels
    in [0, 255) (the field's ink threshold is at least 40). The test then runs on bytes, not on a float copy."""
    return np.floor(np.asarray(levels, dtype=np.float64)).astype(np.uint8)


@dataclass(frozen=True)
class TallyMaps:
    """Intermediate images of a tally field (uint8 darkness, straightened crop coordinates) and its cell centres."""

    ink: np.ndarray          # pen ink, printed grid removed
    up: np.ndarray           # what survives an upright line opening
    diag: np.ndarray         # what survives a diagonal line opening, per angle, at half resolution
    cx: np.ndarray           # cell centres (crop pixels), layout order
    cy: np.ndarray
    hx: int                  # half-size of a cell window
    hy: int
    thr: float               # ink threshold for this field
    origin: tuple[int, int]  # crop origin in the page
    straightness: np.ndarray  # per cell, how much of its printed borders is in place (see GridFit)
    streak: np.ndarray        # per cell, darkness of a line printed across it that is no grid line (see GridFit)


@dataclass(frozen=True)
class CellMeasure:
    """Per-cell measurements behind a tally reading (arrays over cells, layout order)."""

    uprights: np.ndarray        # most separate upright strokes seen over enough consecutive rows
    agreement: np.ndarray       # 1 - (rows seeing more) / (rows seeing that many)
    diagonal: np.ndarray        # width of the crossing-stroke evidence / width of the uprights
    ink: np.ndarray             # total ink (darkness sum) in the cell
    band_rows: np.ndarray       # consecutive rows that saw that many uprights
    column_span: np.ndarray     # longest unbroken vertical run of upright ink, as a share of the cell height
    straightness: np.ndarray    # how much of the cell's printed borders is in place (see GridFit)
    widest: np.ndarray          # widest upright / the others' mean width, for 2 or 3 uprights; a lone upright's
                                # width / the field's other uprights' (see _lone_width_ratio); 0 elsewhere
    faint_uprights: np.ndarray  # uprights counted at a low threshold (faint strokes), over a third of the cell
    streak: np.ndarray          # darkness of a line printed across the cell that is no grid line, x the ink threshold
    stray_mm2: np.ndarray       # area (mm²) of ink that is neither an upright nor a crossing stroke (see _stray_ink)


def tally_maps(gray: np.ndarray, field: FieldLayout, *, px_per_mm: float, search_mm: float = 1.0) -> TallyMaps:
    """Remove the printed grid of a tally field and separate upright from crossing strokes.

    Parameters
    ----------
    gray : the aligned page, uint8 grayscale, at ``px_per_mm``.
    field : a ``tally`` field.
    px_per_mm : resolution of ``gray``.
    search_mm : how far the printed grid is searched around its template position.
    """
    px = float(px_per_mm)
    grid = remove_grid(gray, field, px_per_mm=px, search_mm=search_mm)
    ink = grid.ink
    cw, ch = field.cells[0].w * px, field.cells[0].h * px
    with without_ipp():     # (some thirty small filters a field: IPP's toll per call outweighs its speed)
        thr, up, diag = _stroke_maps(ink, cw=cw, ch=ch)
    return TallyMaps(ink=ink, up=up, diag=diag, cx=grid.cx, cy=grid.cy, hx=grid.hx, hy=grid.hy, thr=thr,
                     origin=grid.origin, straightness=grid.straightness, streak=grid.streak)


def _stroke_maps(ink: np.ndarray, *, cw: float, ch: float) -> tuple[float, np.ndarray, np.ndarray]:
    """The field's ink threshold, and what survives the upright and the diagonal line openings (see
    :func:`tally_maps`); ``cw``, ``ch``: a cell's size, px."""
    # Threshold from the field's own ink (pen colour, pressure, blur).
    # (OpenCV's histogram counts in float32, exact to 2**24 a bin: a tally crop holds some 150 000 pixels)
    hist = cv2.calcHist([ink], [0], None, [256], (0, 256)).ravel().astype(np.int64)[41:]
    level = float(41 + np.searchsorted(np.cumsum(hist), 0.8 * hist.sum())) if hist.sum() > 50 else 120.0
    thr = float(np.clip(0.45 * level, 40, 100))

    # Uprights survive an opening with a near-vertical line (after a short vertical smoothing that
    # closes ink skips); a crossing stroke survives an opening with a long line at its own angle. The
    # crossing stroke is long, so it is looked for at half resolution (max-pooled, so thin strokes keep
    # their darkness), one angle at a time. Only the rows of cells that hold ink are filtered.
    up = np.zeros_like(ink)
    diag = np.zeros((len(DIAGONAL_ANGLES), (ink.shape[0] + 1) // 2, (ink.shape[1] + 1) // 2), np.uint8)
    rows_with_ink = np.flatnonzero(np.count_nonzero(ink > _above(thr), axis=1) >= 2)
    if rows_with_ink.size:
        margin = int(round(0.3 * ch))
        y0 = max(0, (int(rows_with_ink[0]) - margin) // 2 * 2)
        y1 = min(ink.shape[0], int(rows_with_ink[-1]) + margin + 1)
        part = ink[y0:y1]
        lu = int(round(0.3 * ch)) | 1
        smooth = cv2.blur(part, (1, 5))
        for a in UPRIGHT_ANGLES:
            # (upright: the same line as a column kernel, which OpenCV filters much faster)
            kernel = np.ones((lu, 1), np.uint8) if a == 90 else line_element(lu, a)
            cv2.max(up[y0:y1], cv2.morphologyEx(smooth, cv2.MORPH_OPEN, kernel), dst=up[y0:y1])
        half = _max_pool2(part)
        ld = int(round(0.45 * cw / 2)) | 1
        for k, a in enumerate(DIAGONAL_ANGLES):
            diag[k, y0 // 2:y0 // 2 + half.shape[0], :half.shape[1]] = cv2.morphologyEx(half, cv2.MORPH_OPEN,
                                                                                          line_element(ld, a))
    return thr, up, diag


def _stray_ink(ink: np.ndarray, up: np.ndarray, diag: np.ndarray, *, thr: float, px_per_mm: float) -> np.ndarray:
    """Ink (over the field's threshold) farther than a quarter millimetre from anything the upright or the
    crossing-stroke opening kept, as uint8 0/1: a stroke that is neither, such as a horizontal one (a "box"
    tally's top and bottom sides), which the count would otherwise pass over in silence."""
    kept = up > _above(thr)
    crossing = diag.max(axis=0) > _above(DIAGONAL_LEVEL * thr)
    kept |= np.repeat(np.repeat(crossing, 2, axis=0), 2, axis=1)[:ink.shape[0], :ink.shape[1]]
    r = max(1, int(round(0.25 * px_per_mm)))
    near = cv2.dilate(kept.view(np.uint8), np.ones((2 * r + 1, 2 * r + 1), np.uint8))
    return ((ink > _above(thr)) & (near == 0)).view(np.uint8)


def measure_tally_cells(gray: np.ndarray, field: FieldLayout, *, px_per_mm: float, search_mm: float = 1.0,
                        persist_mm: float = 0.5) -> CellMeasure:
    """Remove the printed grid and measure the strokes in every cell of a tally field.

    Parameters
    ----------
    gray : the aligned page, uint8 grayscale, at ``px_per_mm``.
    field : a ``tally`` field.
    px_per_mm : resolution of ``gray``.
    search_mm : how far the printed grid lines are searched around their template position.
    persist_mm : how long (vertically) a row count of uprights must hold to count.
    """
    px = float(px_per_mm)
    m = tally_maps(gray, field, px_per_mm=px, search_mm=search_mm)
    ink, up, diag, ccx, ccy, hx, hy, thr = m.ink, m.up, m.diag, m.cx, m.cy, m.hx, m.hy, m.thr
    cw = field.cells[0].w * px
    win_ink = _windows(ink, ccy, ccx, hy, hx)
    win_up8 = _windows_by_column(up, ccy, ccx, hy, hx)          # (columns, rows, cells): see _windows_by_column
    rows = win_up8.shape[1]

    # Uprights: the most separate ink runs that a row sees, held over a few consecutive rows
    # (leaning strokes may touch over part of their length, never over all of it). Strokes that
    # nearly touch stay apart at a higher threshold, so a few thresholds are tried. All at once, with
    # the faint level last: (levels, columns, rows, cells).
    hold = max(3, int(round(persist_mm * px)))
    edge = max(1, int(round(0.12 * px)))
    n = len(ccx)
    levels = len(UPRIGHT_LEVELS)
    b = win_up8 > _above([thr * f for f in UPRIGHT_LEVELS + (FAINT_LEVEL,)])[:, None, None, None]
    b[:, :edge] = False                 # a run at the window edge is a stroke end or a border, not an upright
    b[:, -edge:] = False
    b[:levels, 1:] &= b[:levels, :-1]   # one-pixel slivers (print residue) are no pen stroke
    b_first = b[0]
    # Per level, count and cell: the longest run of rows seeing at least 1..7 uprights.
    runs = _runs(b, axis=1).transpose(1, 0, 2)                                       # (rows, levels, cells)
    above = runs[:, :, None, :] >= np.arange(1, 8, dtype=np.uint8)[:, None]          # (rows, levels, 7, cells)
    held_rows = longest_true_run(above, axis=0).transpose(0, 2, 1)                  # (levels, cells, 7)
    longest = held_rows[:levels].max(axis=0)
    # The same count at a low threshold, keeping one-pixel slivers, held over a third of the cell: a
    # faint or thin stroke (little pen pressure) that the count above missed shows here.
    faint_held = held_rows[levels] >= 0.3 * rows
    faint_uprights = np.where(faint_held.any(axis=1), 7 - faint_held[:, ::-1].argmax(axis=1), 0)
    ok = longest >= hold
    uprights = np.where(ok.any(axis=1), 7 - ok[:, ::-1].argmax(axis=1), 0)
    # An upright is long: ink that holds for less than a third of the cell's height (a waving printed
    # line, a neighbour's stroke end) is no upright at all.
    uprights = np.where(longest[:, 0] >= 0.3 * rows, uprights, 0)
    # Two or three uprights may hide one more drawn over one of them (see tally_groups): measured there; and so
    # may a lone upright, against the uprights of the field's other cells.
    widest = np.zeros(n)
    few = np.flatnonzero((uprights == 2) | (uprights == 3))
    if few.size or (uprights == 1).any():
        runs = _run_widths(b_first.transpose(2, 1, 0))          # (once for the field: both ratios read it)
        if few.size:
            widest[few] = _widest_ratio(tuple(r[few] for r in runs), uprights[few])
        widest += _lone_width_ratio(runs, uprights)
    idx = np.clip(uprights - 1, 0, 6)
    held = longest[np.arange(n), idx]
    more = longest[np.arange(n), np.clip(uprights, 0, 6)]
    agreement = np.where(uprights > 0, 1.0 - more / np.maximum(held, 1), 1.0)
    band_rows = held

    up_cols = (win_up8.max(axis=1) > _above(thr)).T                                  # (cells, columns)
    up_width = np.where(up_cols.any(axis=1),
                        up_cols.shape[1] - up_cols[:, ::-1].argmax(axis=1) - up_cols.argmax(axis=1), 0)
    # The crossing stroke: the longest unbroken run of columns it covers at any one angle.
    dx, dy = np.clip(ccx // 2, 0, None), np.clip(ccy // 2, 0, None)
    cover = _window_columns_max(diag, dy, dx, hy // 2, hx // 2) > _above(DIAGONAL_LEVEL * thr)   # (angles, n, w)
    diag_width = 2 * longest_true_run(cover).max(axis=0)
    diagonal = diag_width / np.maximum(up_width, 0.5 * cw)
    inner = win_ink[:, 2:-2, 2:-2]                                 # the border residue is not ink
    stray = _windows(_stray_ink(ink, up, diag, thr=thr, px_per_mm=px), ccy, ccx, hy, hx)[:, 2:-2, 2:-2]
    # (its sum of whole numbers, exact in int64 as in the float64 it is then divided in)
    strong = inner * (inner > _above(thr * 0.5))
    return CellMeasure(uprights=uprights, agreement=agreement, diagonal=diagonal,
                       ink=strong.sum(axis=(1, 2), dtype=np.int64) / 255.0, band_rows=band_rows,
                       straightness=m.straightness, widest=widest, faint_uprights=faint_uprights,
                       streak=m.streak / thr, stray_mm2=stray.sum(axis=(1, 2), dtype=np.int64) / px ** 2,
                       column_span=longest_true_run(b_first, axis=1).max(axis=0) / rows)
