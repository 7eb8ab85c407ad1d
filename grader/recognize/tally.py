"""Count tally marks (turus): strokes in groups of five, the fifth crossing the four.

How a field is read (all steps vectorised over the field's cells):

1. Darkness relative to the local paper (:func:`~grader.recognize.bubbles.paper_darkness_u8`).
2. The printed grid is removed: a grayscale opening with a line longer than
   any pen stroke keeps only the printed lines (they run the whole grid),
   which are subtracted. The lines' true positions are then found near the
   template positions, for the whole grid and again for each row and column
   of cells (page curl), and give each cell's window.
3. Oriented openings separate the strokes: what survives a long diagonal
   line (at half resolution, max-pooled) is the crossing stroke; what
   survives a near-vertical line is the uprights.
4. Uprights are counted as separate ink runs along each pixel row; a count
   must hold over a few consecutive rows (leaning strokes may touch, never
   along their whole length), at one of a few thresholds (strokes that
   nearly touch separate at a higher one). The crossing stroke is present
   when, at one angle, it covers most of the uprights' width without a gap.
5. Cross-checks set the confidence: the shape of a group (a crossing stroke
   lies over four uprights), the evidence margins, the amount of ink against
   the field's own full groups, and the filling order (cells are filled left
   to right, top to bottom; only the last used cell may hold fewer than
   five). Anything doubtful sends the field to review; counts are never
   "fixed" to fit the order.
"""
from __future__ import annotations

import functools
import logging
from dataclasses import dataclass

import cv2
import numpy as np

from grader.recognize.bubbles import paper_darkness_u8
from grader.sheet.layout import FieldLayout

log = logging.getLogger(__name__)

FULL_GROUP = 5
DIAGONAL_ANGLES = (18, 30, 42, 54, -18, -30, -42, -54)   # degrees from the x axis
UPRIGHT_ANGLES = (63, 75, 90, 105, 117)
UPRIGHT_LEVELS = (1.0, 1.4, 1.9)
MERGED_WIDTH = 1.7                         # an upright this much wider than the others is two
BENT_GRID = 0.2                            # straightness below which a cell's borders count as bent
DIAGONAL_LEVEL = 1.0                       # crossing-stroke threshold, x the field's ink threshold     # thresholds tried for separating uprights, x the field's ink threshold


@dataclass(frozen=True)
class TallyReading:
    """What a tally field says.

    Attributes
    ----------
    count : total strokes (the sum over cells), or None when undecidable.
    confidence : in [0, 1]; the weakest cell bounds it.
    status : ``ok``, ``review`` or ``blank`` (no stroke anywhere).
    per_cell : strokes counted in each cell, 0..5, in layout order.
    cell_confidence : confidence of each cell's count.
    """

    count: int | None
    confidence: float
    status: str
    per_cell: tuple[int, ...]
    cell_confidence: tuple[float, ...]


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


def _refine_lines(profiles: np.ndarray, expected: np.ndarray, *, search: int, local: int = 2) -> np.ndarray:
    """Where printed lines really are: one common shift, then a small per-line correction.

    Parameters
    ----------
    profiles : (k, n) darkness profiles across the lines (k independent parts of the grid), or (n,).
    expected : (lines,) or (k, lines) expected positions.

    Returns
    -------
    (k, lines) positions (or (lines,) for a 1-D profile).
    """
    one = profiles.ndim == 1
    prof = np.atleast_2d(profiles)
    k, n = prof.shape
    exp = np.broadcast_to(np.rint(expected).astype(int), (k, np.shape(expected)[-1]))
    rows = np.arange(k)[:, None, None]
    shifts = np.arange(-search, search + 1)
    idx = np.minimum(np.maximum(exp[:, None, :] + shifts[None, :, None], 0), n - 1)       # (k, shifts, lines)
    common = shifts[prof[rows, idx].sum(axis=2).argmax(axis=1)]                         # (k,)
    base = np.minimum(np.maximum(exp + common[:, None], 0), n - 1)                       # (k, lines)
    offs = np.arange(-local, local + 1)
    idx = np.minimum(np.maximum(base[:, :, None] + offs, 0), n - 1)                      # (k, lines, offs)
    vals = prof[rows, idx]
    best = offs[vals.argmax(axis=2)]
    peak = vals.max(axis=2)
    # A line too faint to see (worn print, glare) keeps the common shift.
    strong = peak > 0.3 * np.median(peak, axis=1, keepdims=True)
    out = np.where(strong, base + best, base).astype(float)
    return out[0] if one else out


def _runs(b: np.ndarray) -> np.ndarray:
    """Number of separate runs of True along the last axis of a (cells, rows, columns) array."""
    return (b[:, :, 1:] & ~b[:, :, :-1]).sum(axis=2) + b[:, :, 0]


def _persistent_count(counts: np.ndarray, hold: int, top: int = 7) -> np.ndarray:
    """The largest k that ``counts`` (cells, rows) reaches over at least ``hold`` consecutive rows."""
    above = counts[:, None, :] >= np.arange(1, top + 1)[None, :, None]
    longest = _longest_true_run(above.reshape(-1, above.shape[-1])).reshape(len(counts), top)
    ok = longest >= hold
    return np.where(ok.any(axis=1), top - ok[:, ::-1].argmax(axis=1), 0)


def _max_pool2(img: np.ndarray) -> np.ndarray:
    """Half resolution keeping the darkest value of each 2x2 block (thin lines keep their darkness)."""
    return np.ascontiguousarray(cv2.dilate(img, np.ones((2, 2), np.uint8))[::2, ::2])


def _straightness(dark: np.ndarray, lines_map: np.ndarray, pos: np.ndarray, *, band: int) -> np.ndarray:
    """Per vertical line: darkness kept by the straight-line filter / darkness of the line itself.

    The line itself is, in every row, the darkest pixel within ``band`` of its position.
    """
    h, w = dark.shape
    offs = np.arange(-band, band + 1)
    cols = np.clip(np.rint(pos).astype(int)[:, None] + offs, 0, w - 1)              # (lines, offs)
    own = dark[:, cols].max(axis=2).sum(axis=0, dtype=np.float64)                     # (lines,)
    kept = lines_map[:, cols].max(axis=2).sum(axis=0, dtype=np.float64)
    return kept / np.maximum(own, 1.0)


def _widest_ratio(b: np.ndarray, uprights: np.ndarray) -> np.ndarray:
    """Per cell, the median over rows that see exactly ``uprights`` runs of: widest run / mean of the others.

    Two strokes drawn over each other show as one run about twice as wide as its neighbours.
    """
    n, h, _ = b.shape
    d = np.diff(np.pad(b, ((0, 0), (0, 0), (1, 1))).astype(np.int8), axis=2)
    cs, rs, xs = np.nonzero(d == 1)
    widths = (np.nonzero(d == -1)[2] - xs).astype(np.float64)
    count = np.zeros((n, h))
    total = np.zeros((n, h))
    widest = np.zeros((n, h))
    np.add.at(count, (cs, rs), 1)
    np.add.at(total, (cs, rs), widths)
    np.maximum.at(widest, (cs, rs), widths)
    ratio = widest / np.maximum((total - widest) / np.maximum(count - 1, 1), 1e-6)
    rows = (count == uprights[:, None]) & (count >= 2)
    ratio = np.where(rows, ratio, np.nan)
    out = np.zeros(n)
    has = rows.any(axis=1)
    if has.any():
        out[has] = np.nanmedian(ratio[has], axis=1)
    return out


def _longest_true_run(b: np.ndarray) -> np.ndarray:
    """Length of the longest run of True along the last axis of a boolean (n, m) array."""
    n, m = b.shape
    idx = np.arange(1, m + 1)[None, :]
    last_false = np.maximum.accumulate(np.where(b, 0, idx), axis=1)
    return (idx - last_false).max(axis=1)


def _windows(img: np.ndarray, cy: np.ndarray, cx: np.ndarray, hy: int, hx: int) -> np.ndarray:
    """Windows of (2*hy+1, 2*hx+1) centred on integer pixels, as an (n, h, w) stack (edges padded with 0)."""
    pad = np.pad(img, [(0, 0)] * (img.ndim - 2) + [(hy, hy), (hx, hx)])
    views = np.lib.stride_tricks.sliding_window_view(pad, (2 * hy + 1, 2 * hx + 1), axis=(-2, -1))
    ys = np.clip(cy, 0, img.shape[-2] - 1)
    xs = np.clip(cx, 0, img.shape[-1] - 1)
    return views[..., ys, xs, :, :]


@dataclass(frozen=True)
class CellMeasure:
    """Per-cell measurements behind a tally reading (arrays over cells, layout order)."""

    uprights: np.ndarray        # most separate upright strokes seen over enough consecutive rows
    agreement: np.ndarray       # 1 - (rows seeing more) / (rows seeing that many)
    diagonal: np.ndarray        # width of the crossing-stroke evidence / width of the uprights
    ink: np.ndarray             # total ink (darkness sum) in the cell
    band_rows: np.ndarray       # consecutive rows that saw that many uprights
    column_span: np.ndarray     # longest unbroken vertical run of upright ink, as a share of the cell height
    straightness: np.ndarray    # of the cell's printed borders after alignment (see TallyMaps)
    widest: np.ndarray          # widest upright / the others' mean width, on rows that see all uprights


@dataclass(frozen=True)
class TallyMaps:
    """Intermediate images of a tally field (uint8 darkness, crop coordinates) and its cell centres."""

    ink: np.ndarray          # pen ink, printed grid removed
    up: np.ndarray           # what survives an upright line opening
    diag: np.ndarray         # what survives a diagonal line opening, per angle, at half resolution
    cx: np.ndarray           # cell centres (crop pixels), layout order
    cy: np.ndarray
    hx: int                  # half-size of a cell window
    hy: int
    thr: float               # ink threshold for this field
    origin: tuple[int, int]  # crop origin in the page
    straightness: np.ndarray  # per cell, the least straight of its four printed borders (1 = straight)


def tally_maps(gray: np.ndarray, field: FieldLayout, *, px_per_mm: float, search_mm: float = 1.0,
               border_mm: float = 0.12, line_mm: float = 0.6) -> TallyMaps:
    """Remove the printed grid of a tally field and separate upright from crossing strokes.

    Parameters
    ----------
    gray : the aligned page, uint8 grayscale, at ``px_per_mm``.
    field : a ``tally`` field.
    px_per_mm : resolution of ``gray``.
    search_mm : how far the printed grid lines are searched around their template position.
    border_mm : margin inside each printed border that is not looked at.
    line_mm : sideways tolerance of the printed-line filter (bending, tilt).
    """
    if gray.ndim != 2 or gray.dtype != np.uint8:
        raise ValueError("gray must be a 2-D uint8 image")
    if not field.cells:
        raise ValueError(f"field {field.id} has no tally cells")
    px = float(px_per_mm)
    cells = field.cells
    x, y, w, h = field.rect.grow(search_mm + 1.5).to_px(px)
    H, W = gray.shape
    xa, ya, xb, yb = max(0, x), max(0, y), min(W, x + w), min(H, y + h)
    if xb - xa < 16 or yb - ya < 16:
        raise ValueError(f"field {field.id} lies outside the image")
    cw, ch = cells[0].w * px, cells[0].h * px
    d8 = paper_darkness_u8(np.ascontiguousarray(gray[ya:yb, xa:xb]), window_px=int(round(2.0 * px)))

    # Printed grid: a grayscale opening with a line longer than any pen stroke keeps only the printed
    # lines (they run the whole grid); done on a sideways-dilated image it also covers lines that bend
    # or tilt by a pixel or two over that length. The result is subtracted.
    xs_mm = np.unique(np.round([c.x for c in cells] + [c.x2 for c in cells], 3))
    ys_mm = np.unique(np.round([c.y for c in cells] + [c.y2 for c in cells], 3))
    search = max(1, int(round(search_mm * px)))
    lv, lh = int(1.3 * ch) | 1, int(1.3 * cw) | 1
    wide = max(3, int(round(line_mm * px)) | 1)
    gv = cv2.morphologyEx(cv2.dilate(d8, np.ones((1, wide), np.uint8)), cv2.MORPH_OPEN, np.ones((lv, 1), np.uint8))
    gh = cv2.morphologyEx(cv2.dilate(d8, np.ones((wide, 1), np.uint8)), cv2.MORPH_OPEN, np.ones((1, lh), np.uint8))
    ink = cv2.subtract(d8, cv2.max(gv, gh))
    ex, ey = xs_mm * px - 0.5 - xa, ys_mm * px - 0.5 - ya
    cum_v = np.vstack([np.zeros((1, gv.shape[1]), np.int32), np.cumsum(gv, axis=0, dtype=np.int32)])
    cum_h = np.hstack([np.zeros((gh.shape[0], 1), np.int32), np.cumsum(gh, axis=1, dtype=np.int32)])
    xl = _refine_lines(cum_v[-1].astype(np.float64), ex, search=search)
    yl = _refine_lines(cum_h[:, -1].astype(np.float64), ey, search=search)
    # Page curl shifts the grid differently along it: the vertical lines are placed again for each row
    # of cells, the horizontal ones for each column, near their grid-wide position.
    local = max(1, int(round(0.5 * px)))
    yb = np.clip(np.rint(yl).astype(int), 0, gv.shape[0] - 1)
    xb = np.clip(np.rint(xl).astype(int), 0, gh.shape[1] - 1)
    row_profiles = (cum_v[yb[1:]] - cum_v[yb[:-1]]).astype(np.float64)        # one per row of cells
    col_profiles = (cum_h[:, xb[1:]] - cum_h[:, xb[:-1]]).T.astype(np.float64)
    x_by_row = _refine_lines(row_profiles, xl, search=local, local=1)
    y_by_col = _refine_lines(col_profiles, yl, search=local, local=1)

    col = np.searchsorted(xs_mm, np.round([c.x for c in cells], 3))
    row = np.searchsorted(ys_mm, np.round([c.y for c in cells], 3))
    ccx = np.rint((x_by_row[row, col] + x_by_row[row, col + 1]) / 2).astype(int)
    ccy = np.rint((y_by_col[col, row] + y_by_col[col, row + 1]) / 2).astype(int)
    # How straight the printed lines are: the share of each line's darkness the straight-line filter
    # explains. A line the page (or the alignment) bent is not removed well, and its cells are doubtful.
    sv = _straightness(d8, gv, xl, band=search)
    sh = _straightness(np.ascontiguousarray(d8.T), np.ascontiguousarray(gh.T), yl, band=search)
    grid_ok = np.minimum(np.minimum(sv[col], sv[col + 1]), np.minimum(sh[row], sh[row + 1]))
    # Cell windows stop short of the printed borders (their residue is not ink).
    inset = border_mm * px
    hx, hy = int(cw / 2 - inset), int(ch / 2 - inset)

    # Threshold from the field's own ink (pen colour, pressure, blur).
    hist = np.bincount(ink.ravel(), minlength=256)[41:]
    level = float(41 + np.searchsorted(np.cumsum(hist), 0.8 * hist.sum())) if hist.sum() > 50 else 120.0
    thr = float(np.clip(0.45 * level, 40, 100))

    # Uprights survive an opening with a near-vertical line (after a short vertical smoothing that
    # closes ink skips); a crossing stroke survives an opening with a long line at its own angle. The
    # crossing stroke is long, so it is looked for at half resolution (max-pooled, so thin strokes keep
    # their darkness), one angle at a time. Only the rows of cells that hold ink are filtered.
    up = np.zeros_like(ink)
    diag = np.zeros((len(DIAGONAL_ANGLES), (ink.shape[0] + 1) // 2, (ink.shape[1] + 1) // 2), np.uint8)
    rows_with_ink = np.flatnonzero((ink > thr).sum(axis=1) >= 2)
    if rows_with_ink.size:
        margin = int(round(0.3 * ch))
        y0 = max(0, (int(rows_with_ink[0]) - margin) // 2 * 2)
        y1 = min(ink.shape[0], int(rows_with_ink[-1]) + margin + 1)
        part = ink[y0:y1]
        lu = int(round(0.3 * ch)) | 1
        smooth = cv2.blur(part, (1, 5))
        for a in UPRIGHT_ANGLES:
            cv2.max(up[y0:y1], cv2.morphologyEx(smooth, cv2.MORPH_OPEN, line_element(lu, a)), dst=up[y0:y1])
        half = _max_pool2(part)
        ld = int(round(0.45 * cw / 2)) | 1
        for k, a in enumerate(DIAGONAL_ANGLES):
            diag[k, y0 // 2:y0 // 2 + half.shape[0], :half.shape[1]] = cv2.morphologyEx(half, cv2.MORPH_OPEN,
                                                                                          line_element(ld, a))
    return TallyMaps(ink=ink, up=up, diag=diag, cx=ccx, cy=ccy, hx=hx, hy=hy, thr=thr, origin=(xa, ya),
                     straightness=grid_ok)


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
    win_up8 = _windows(up, ccy, ccx, hy, hx)

    # Uprights: the most separate ink runs that a row sees, held over a few consecutive rows
    # (leaning strokes may touch over part of their length, never over all of it). Strokes that
    # nearly touch stay apart at a higher threshold, so a few thresholds are tried.
    hold = max(3, int(round(persist_mm * px)))
    edge = max(1, int(round(0.12 * px)))
    n = len(ccx)
    longest = np.zeros((n, 7), int)
    b_first = None
    for factor in UPRIGHT_LEVELS:
        b = win_up8 > thr * factor
        b[:, :, :edge] = False          # a run at the window edge is a stroke end or a border, not an upright
        b[:, :, -edge:] = False
        b[:, :, 1:] &= b[:, :, :-1]     # one-pixel slivers (print residue) are no pen stroke
        b_first = b if b_first is None else b_first
        runs = _runs(b)
        above = runs[:, None, :] >= np.arange(1, 8)[None, :, None]                    # (n, 7, rows)
        longest = np.maximum(longest, _longest_true_run(above.reshape(-1, above.shape[-1])).reshape(n, 7))
    win_up = win_up8 > thr
    ok = longest >= hold
    uprights = np.where(ok.any(axis=1), 7 - ok[:, ::-1].argmax(axis=1), 0)
    # An upright is long: ink that holds for less than a third of the cell's height (a waving printed
    # line, a neighbour's stroke end) is no upright at all.
    uprights = np.where(longest[:, 0] >= 0.3 * win_up8.shape[1], uprights, 0)
    widest = _widest_ratio(b_first, uprights)
    idx = np.clip(uprights - 1, 0, 6)
    held = longest[np.arange(n), idx]
    more = longest[np.arange(n), np.clip(uprights, 0, 6)]
    agreement = np.where(uprights > 0, 1.0 - more / np.maximum(held, 1), 1.0)
    band_rows = held

    up_cols = win_up.any(axis=1)
    up_width = np.where(up_cols.any(axis=1),
                        up_cols.shape[1] - up_cols[:, ::-1].argmax(axis=1) - up_cols.argmax(axis=1), 0)
    # The crossing stroke: the longest unbroken run of columns it covers at any one angle.
    dx, dy = np.clip(ccx // 2, 0, None), np.clip(ccy // 2, 0, None)
    cover = _windows(diag > DIAGONAL_LEVEL * thr, dy, dx, hy // 2, hx // 2).any(axis=-2)   # (angles, n, w)
    diag_width = 2 * _longest_true_run(cover.reshape(-1, cover.shape[-1])).reshape(cover.shape[:2]).max(axis=0)
    diagonal = diag_width / np.maximum(up_width, 0.5 * cw)
    inner = win_ink[:, 2:-2, 2:-2]                                 # the border residue is not ink
    strong = np.where(inner > thr * 0.5, inner, 0)
    return CellMeasure(uprights=uprights, agreement=agreement, diagonal=diagonal,
                       ink=strong.sum(axis=(1, 2), dtype=np.float64) / 255.0, band_rows=band_rows,
                       straightness=m.straightness, widest=widest,
                       column_span=_longest_true_run(b_first.transpose(0, 2, 1).reshape(-1, b_first.shape[1]))
                       .reshape(n, -1).max(axis=1) / b_first.shape[1])


def _cell_counts(m: CellMeasure, *, diagonal_min: float) -> tuple[np.ndarray, np.ndarray]:
    """Stroke count and confidence per cell from the measurements (no field context)."""
    has_diag = m.diagonal >= diagonal_min
    # Three uprights under a crossing stroke, one of them about twice as wide as the others: two strokes
    # drawn over each other, so a group of five (with less confidence).
    merged = has_diag & (m.uprights == FULL_GROUP - 2) & (m.widest >= MERGED_WIDTH)
    uprights = np.where(merged, FULL_GROUP - 1, m.uprights)
    raw = uprights + has_diag.astype(int)
    count = np.minimum(raw, FULL_GROUP)
    # Evidence margins: how clearly the row counts agree, how clearly the diagonal is (not) there.
    diag_margin = np.clip(np.abs(m.diagonal - diagonal_min) / (0.5 * diagonal_min), 0.0, 1.0)
    conf = 0.55 + 0.45 * np.minimum(np.clip(m.agreement, 0.0, 1.0), diag_margin)
    held = np.clip(m.band_rows / 12.0, 0.0, 1.0)             # uprights seen over few rows only: weaker
    conf = np.where(uprights > 0, conf * (0.7 + 0.3 * held), conf)
    # The shape of a group: a crossing stroke means four uprights under it. Five "uprights" under a
    # crossing stroke is usually a steep crossing stroke seen once more as an upright: still a group of
    # five, with less confidence. Anything else with a crossing stroke is not a well-formed group.
    conf = np.where(merged, np.minimum(conf, 0.65), conf)
    doubled = has_diag & (uprights == FULL_GROUP)
    conf = np.where(doubled, np.minimum(conf, 0.7), conf)
    odd = (has_diag & (uprights < FULL_GROUP - 1)) | (uprights > FULL_GROUP) | (~has_diag & (raw > FULL_GROUP - 1)
                                                                                      & (uprights > 4))
    conf = np.where(odd, np.minimum(conf, 0.35), conf)
    # A cell whose printed borders are badly bent (curled page, failed alignment) cannot be read well.
    conf = np.where(m.straightness < BENT_GRID, np.minimum(conf, 0.5), conf)
    return count, conf


def _ink_check(count: np.ndarray, conf: np.ndarray, ink: np.ndarray, *, stroke_min: float) -> np.ndarray:
    """Lower the confidence of cells whose amount of ink does not match their count.

    The reference is the field's own full groups (same pen, same light), so
    this only works when there are some; a full group is about 5.4 strokes of
    ink (the crossing stroke is longer).
    """
    tiny = (count > 0) & (ink < count * stroke_min)        # less ink than the thinnest plausible strokes
    conf = np.where(tiny, np.minimum(conf, 0.5), conf)
    full = (count == FULL_GROUP) & (conf > 0.7)
    if full.sum() < 2:
        return conf
    unit = float(np.median(ink[full])) / 5.4
    expected = np.where(count == FULL_GROUP, 5.4, count) * unit
    ratio = np.where(count > 0, ink / np.maximum(expected, 1e-6), 0.0)
    bad = (count > 0) & ((ratio > 1.7) | (ratio < 0.6))
    stray = (count == 0) & (ink > 0.6 * unit)             # ink the counter did not see as strokes
    return np.where(bad | stray, np.minimum(conf, 0.5), conf)


def read_tally(gray: np.ndarray, field: FieldLayout, *, px_per_mm: float, search_mm: float = 1.0,
               diagonal_min: float = 0.6, last_cell_diagonal: float = 0.8, accept: float = 0.6) -> TallyReading:
    """Count the tally strokes of a ``tally`` field on an aligned sheet.

    Parameters
    ----------
    gray : the aligned page, uint8 grayscale, at ``px_per_mm``.
    field : the ``tally`` field from the template layout.
    px_per_mm : resolution of ``gray``.
    search_mm : how far the printed grid is searched around its template position.
    diagonal_min : a crossing stroke must span at least this share of the uprights' width.
    last_cell_diagonal : in the last used cell (the only one that may be short of five), a group of
        five is accepted only with a crossing stroke this clear.
    accept : the lowest cell confidence that still lets the field be ``ok``.

    Returns
    -------
    TallyReading
        ``count`` is the sum over cells (0 and ``blank`` when nothing is
        written). The field goes to ``review`` when a cell is doubtful or when
        the filling order is broken (an empty cell before a used one, or a
        cell short of five that is not the last one used); the counts are
        reported as read, never corrected.
    """
    if field.kind != "tally":
        raise ValueError(f"field {field.id} is a {field.kind} field, not tally")
    m = measure_tally_cells(gray, field, px_per_mm=px_per_mm, search_mm=search_mm)
    count, conf = _cell_counts(m, diagonal_min=diagonal_min)
    # The thinnest plausible stroke: a third of the cell high, a quarter millimetre wide, half dark.
    stroke_min = (field.cells[0].h / 3) * 0.25 * 0.5 * px_per_mm ** 2
    conf = _ink_check(count, conf, m.ink, stroke_min=stroke_min)
    used = np.flatnonzero(count > 0)
    if len(used):
        # The last used cell is the one that may hold fewer than five, so there (and only there) a
        # crossing stroke must be clear to read five, and an unclear one must not be missed.
        last = int(used[-1])
        if count[last] == FULL_GROUP and m.diagonal[last] < last_cell_diagonal:
            conf[last] = min(conf[last], 0.5)
        if count[last] == FULL_GROUP - 1 and m.diagonal[last] >= 0.75 * diagonal_min:
            conf[last] = min(conf[last], 0.5)
        # Its uprights must be told apart over a millimetre at least (a bent printed line's residue or a
        # neighbour's stroke end is seen over a few rows only), and ink running straight down the whole
        # cell is a printed line, not a tally mark.
        if m.band_rows[last] < px_per_mm or m.column_span[last] > 0.9:
            conf[last] = min(conf[last], 0.5)
    per_cell = tuple(int(c) for c in count)
    cell_conf = tuple(round(float(c), 4) for c in conf)
    field_conf = float(conf.min()) if len(conf) else 1.0
    if len(used) == 0:
        status = "blank" if field_conf >= accept else "review"
        return TallyReading(0 if status == "blank" else None, field_conf, status, per_cell, cell_conf)
    last = int(used[-1])
    in_order = len(used) == last + 1 and bool(np.all(count[:last] == FULL_GROUP))
    if not in_order:
        log.debug("%s: tally cells out of filling order: %s", field.id, per_cell)
        field_conf = min(field_conf, 0.4)
    status = "ok" if field_conf >= accept and in_order else "review"
    return TallyReading(int(count.sum()), field_conf, status, per_cell, cell_conf)
