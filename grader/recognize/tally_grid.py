"""Find the printed grid of a tally field and take it out of the picture.

A tally grid is a table of cells; on a photo its lines may be shifted, tilted
and bent (page curl, or a curl correction in the aligner that bends what was
straight). Pen strokes are removed from consideration by where the lines are
measured, not by tracing the lines through the cells:

1. A grayscale opening with a line longer than any pen stroke keeps only the
   printed lines (with a sideways tolerance of a millimetre, so that bent
   lines survive); their profiles give each line's position over the whole
   grid, then along each row (vertical lines) and column (horizontal lines)
   of cells. These only guide the next step.
2. Each crossing of two lines is measured on the darkness itself, in a thin
   band along the other line: near a crossing (a cell's corner) tally strokes
   never reach, so nothing but the printed lines is seen there.
3. The crop is resampled so that every crossing goes to its place on a
   straight grid (piecewise bilinear between the crossings). The lines are
   then straight, the straight-line opening removes them, and every cell is
   an axis-aligned window.
4. How much of each cell's borders is then really in its place is measured:
   where a line is still bent (between crossings) or a crossing was
   misplaced, its residue may look like a stroke, and the cell is doubtful.
5. A straight line that the line filter took for a printed one but that is not
   (a copier streak through every row or column of cells) is measured, so that
   the cells it crosses can be doubted: any stroke under it went with it.
"""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from grader.order_stats import median, median_of_first
from grader.photo.no_ipp import without_ipp
from grader.recognize.paper_darkness import paper_darkness_u8
from grader.sheet.layout import FieldLayout
from grader.subpixel import parabola_offset

# A copier streak's darkness is measured against the columns (rows) beside it, out to this many times its
# distance from the printed lines: far enough to see the paper around a 0.4 mm streak, near enough to share its fog.
BESIDE_REACH = 3
# Share of each row (column) of cells left out at either end when a streak is measured: the residue of the
# printed border across it lies there, not the streak.
PART_INSET = 0.15


@dataclass(frozen=True)
class GridFit:
    """A tally field's crop with the printed grid removed (uint8 darkness, straightened crop coordinates).

    Attributes
    ----------
    ink : pen ink, printed grid removed, in the straightened crop.
    cx, cy : cell centres (straightened crop pixels), layout order.
    hx, hy : half-size of a cell window (inside the printed borders).
    origin : crop origin in the page (the straightened crop maps onto the crop that starts there).
    straightness : per cell, the least of its four printed borders' presence at their place after
        straightening, against the field's usual border (about 1 = in place, lower = still bent there,
        or a crossing was misplaced).
    corners_x, corners_y : where each crossing of the printed lines was found in the page crop,
        (horizontal lines, vertical lines), before straightening.
    streak : per cell, how dark (uint8 scale, against the columns or rows beside it) a straight line is that
        crosses the cell's window, is no printed line (over a millimetre from every border) and runs through
        every row (a vertical line) or column (a horizontal one) of the grid: a copier streak. The line filter
        removes it like a printed line, and a stroke along it with it. 0 where there is none.
    """

    ink: np.ndarray
    cx: np.ndarray
    cy: np.ndarray
    hx: int
    hy: int
    origin: tuple[int, int]
    straightness: np.ndarray
    corners_x: np.ndarray
    corners_y: np.ndarray
    streak: np.ndarray


def refine_lines(profiles: np.ndarray, expected: np.ndarray, *, search: int, local: int = 2) -> np.ndarray:
    """Where printed lines really are: one common shift, then a small per-line correction.

    Parameters
    ----------
    profiles : (k, n) darkness profiles across the lines (k independent parts of the grid), or (n,).
    expected : (lines,) or (k, lines) expected positions.
    search : the common shift is searched within +-search pixels.
    local : each line then moves by at most +-local pixels.

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
    strong = peak > 0.3 * median(peak, axis=1, keepdims=True)
    out = np.where(strong, base + best, base).astype(float)
    return out[0] if one else out


def _at_borders(seg: np.ndarray) -> np.ndarray:
    """Line positions measured in the middle of k parts (k, lines) -> at the k+1 part borders (linear)."""
    if len(seg) == 1:
        return np.vstack([seg, seg])
    return np.vstack([1.5 * seg[0] - 0.5 * seg[1], (seg[1:] + seg[:-1]) / 2, 1.5 * seg[-1] - 0.5 * seg[-2]])


def _subpixel_peak(profile: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sub-pixel position of the maximum along the last axis, and its height above the median."""
    n = profile.shape[-1]
    k = profile.argmax(axis=-1)
    kk = np.clip(k, 1, n - 2)[..., None]
    a, b, c = (np.take_along_axis(profile, kk + d, -1)[..., 0] for d in (-1, 0, 1))
    pos = np.where((k > 0) & (k < n - 1), k + parabola_offset(a, b, c, extremum="max", limit=0.5), k)
    return pos, profile.max(axis=-1) - median(profile, axis=-1)


def grid_crossings(dark: np.ndarray, x_guess: np.ndarray, y_guess: np.ndarray, *, band: int,
                   search: int) -> tuple[np.ndarray, np.ndarray]:
    """Measure every crossing of the printed lines near its guessed position.

    Each horizontal line's y is found in a band of ``2 * band + 1`` columns
    along the vertical line (which adds the same darkness at every y), then the
    vertical line's x in a band of rows along the horizontal line where it was
    found, then the y again along the vertical line where that was found.
    Tally strokes keep away from a cell's corners, so the bands see the printed
    lines only.

    Parameters
    ----------
    dark : uint8 darkness of the crop.
    x_guess, y_guess : (horizontal lines, vertical lines) guessed crossing positions.
    band, search : half-width of the band and of the search, pixels.

    Returns
    -------
    x, y : (horizontal lines, vertical lines) positions; a crossing whose line is
    too faint to see keeps its guess.
    """
    offs = np.arange(-search, search + 1)
    across = np.arange(-band, band + 1)

    def find_x(img: np.ndarray, xg: np.ndarray, yc: np.ndarray, inward: np.ndarray) -> np.ndarray:
        # vertical lines near xg, in a band of rows around yc (moved in by ``inward`` on the edges)
        h, w = img.shape
        xi = np.rint(xg).astype(int)
        rows = np.clip((np.rint(yc).astype(int) + inward)[..., None, None] + across[:, None], 0, h - 1)
        cols = np.clip(xi[..., None, None] + offs[None, :], 0, w - 1)
        pos, strength = _subpixel_peak(img[rows, cols].astype(np.float32).sum(axis=2))
        return np.where(strength > 0.3 * median(strength), xi + pos - search, xg)

    # On the grid's edges the lines only run inwards, so there the bands are moved in by half.
    row_in = np.zeros((len(x_guess), 1), int)
    row_in[0], row_in[-1] = band // 2, -(band // 2)
    col_in = np.zeros((x_guess.shape[1], 1), int)
    col_in[0], col_in[-1] = band // 2, -(band // 2)

    def find_y(xc: np.ndarray, yg: np.ndarray) -> np.ndarray:
        return find_x(dark.T, yg.T, xc.T, col_in).T

    # The horizontal lines first, then the vertical ones where those were found, then the horizontal
    # ones again where the vertical ones were found.
    y = find_y(x_guess, y_guess)
    x = find_x(dark, x_guess, y, row_in)
    y = find_y(x, y_guess)
    return x, y


def straightening_maps(shape: tuple[int, int], xl: np.ndarray, yl: np.ndarray, cx: np.ndarray,
                       cy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``cv2.remap`` maps that move the crossings ``(cx, cy)`` onto the straight grid ``xl`` x ``yl``.

    Between crossings the map is bilinear (each cell's borders become the
    chords between its corners); outside the grid the nearest cells extend.
    """
    h, w = shape
    u = np.arange(w, dtype=np.float32)
    v = np.arange(h, dtype=np.float32)
    c = np.clip(np.searchsorted(xl, u) - 1, 0, len(xl) - 2)
    r = np.clip(np.searchsorted(yl, v) - 1, 0, len(yl) - 2)
    s = ((u - xl[c]) / (xl[c + 1] - xl[c])).astype(np.float32)
    t = ((v - yl[r]) / (yl[r + 1] - yl[r])).astype(np.float32)[:, None]
    p = np.stack([cx, cy]).astype(np.float32)                          # (both maps at once)
    along = (1 - s) * p[:, :, c] + s * p[:, :, c + 1]                  # (2, horizontal lines, w)
    maps = (1 - t) * along.take(r, axis=1) + t * along.take(r + 1, axis=1)
    return maps[0], maps[1]


def _band_sums(img: np.ndarray, edges: np.ndarray, *, axis: int) -> np.ndarray:
    """Sums of ``img`` across ``axis`` over each band ``[edges[k], edges[k + 1])`` of rows (axis 0) or columns
    (axis 1), int32, one row per band: differences of a cumulative sum at ``edges``, without all of it."""
    if np.all(np.diff(edges) > 0):
        return _row_sums(img if axis == 0 else img.T, edges[:-1], edges[1:])
    cum = np.cumsum(img, axis=axis, dtype=np.int32)     # (bands that do not move forward: as the differences say)
    cum = np.concatenate([np.zeros_like(np.take(cum, [0], axis=axis)), cum], axis=axis)
    return (np.take(cum, edges[1:], axis=axis) - np.take(cum, edges[:-1], axis=axis)).swapaxes(0, axis)


def _row_sums(img: np.ndarray, starts: np.ndarray, stops: np.ndarray) -> np.ndarray:
    """Per column, the int32 sum of ``img`` over the rows ``[starts[k], stops[k])``, one row per band (0 where the band
    is empty). (Band by band: a ``reduceat`` casting to int32 on the way took twice as long.)"""
    return np.stack([img[a:b].sum(axis=0, dtype=np.int32) for a, b in zip(starts, stops)])


def _line_presence(dark: np.ndarray, pos: np.ndarray, ends: np.ndarray, *, tolerance: int) -> np.ndarray:
    """Per vertical line and part of it: how much of the line is within ``tolerance`` of ``pos``.

    In every row, the darkest pixel within ``tolerance`` of the line's position;
    its mean over the rows of a part (between consecutive ``ends``, one part
    per row of cells), against the median over all parts of the field (worn,
    dashed or pale print is then not mistaken for a misplaced line). Returns
    (parts, lines), about 1 where the line is in its place.
    """
    h, w = dark.shape
    offs = np.arange(-tolerance, tolerance + 1)
    cols = np.clip(np.rint(pos).astype(int)[:, None] + offs, 0, w - 1)              # (lines, offs)
    near = np.vstack([np.zeros((1, len(pos))), np.cumsum(dark[:, cols].max(axis=2), axis=0, dtype=np.float64)])
    e = np.clip(np.rint(ends).astype(int), 0, h)
    mass = (near[e[1:]] - near[e[:-1]]) / np.maximum(e[1:] - e[:-1], 1)[:, None]
    # The grid's outer border is printed like the inner lines but sits next to the paper on one side
    # (blur spreads it less), so it is compared with the outer border only.
    inner = np.zeros(mass.shape[1], bool)
    inner[1:-1] = True
    typical = np.where(inner, median(mass[:, inner]) if inner.any() else median(mass), median(mass[:, ~inner]))
    return mass / np.maximum(typical, 1.0)


def _windows_max(profile: np.ndarray, centres: np.ndarray, half: int) -> np.ndarray:
    """The maximum of a 1-D ``profile`` over ``[c - half, c + half]`` around each centre."""
    idx = np.clip(np.asarray(centres)[:, None] + np.arange(-half, half + 1), 0, len(profile) - 1)
    return profile[idx].max(axis=1)


def line_across(opened: np.ndarray, lines: np.ndarray, ends: np.ndarray, *, near_px: float,
                beside_px: tuple[float, float]) -> np.ndarray:
    """Per column, how dark a straight vertical line is that runs through every part, and is no printed line.

    ``opened`` is the darkness after an opening with a vertical line longer than
    a cell (only lines survive it: the printed ones and a copier streak; pen
    strokes stay within their cell). In each part (between consecutive ``ends``,
    one part per row of cells, its borders left out) a column's mean is taken
    against the median of the columns beside it (``beside_px`` either side, away
    from the printed lines), so a grey background or fog does not count; the
    least of these over the parts is what a line running through all of them
    has everywhere. Columns within ``near_px`` of a printed line (``lines``) or
    outside the grid are 0.

    Returns
    -------
    (columns,) float darkness (uint8 scale).
    """
    h, w = opened.shape
    e = np.clip(np.rint(ends).astype(int), 0, h)
    pad = int(round(PART_INSET * median(np.diff(e)))) if len(e) > 1 else 0
    starts = e[:-1] + pad
    means = _part_means(opened, starts, np.maximum(e[1:] - pad, starts + 1))
    xs = np.arange(w)
    printed = np.min(np.abs(xs[:, None] - np.asarray(lines)[None, :]), axis=1) < near_px
    inside = (xs > lines.min()) & (xs < lines.max())
    kept = xs[inside & ~printed]            # (the other columns are 0 whatever their neighbours: not measured)
    lo, hi = int(round(beside_px[0])), int(round(beside_px[1]))
    offs = np.r_[np.arange(-hi, -lo + 1), np.arange(lo, hi + 1)]
    idx = kept[:, None] + offs[None, :]
    usable = (idx >= 0) & (idx < w)
    idx = np.clip(idx, 0, w - 1)
    usable &= ~printed[idx]
    # A column no darker than its baseline in the first part is no streak whatever the others say (the least
    # contrast is at most that), so the other parts are measured only where it is: some 40 % of the columns.
    contrast = means[0, kept] - _median_where(means[:1], idx, usable)[0]     # (kept columns,)
    live = np.flatnonzero(contrast > 0)
    if live.size and len(means) > 1:
        rest = means[1:, kept[live]] - _median_where(means[1:], idx[live], usable[live])
        contrast[live] = np.minimum(contrast[live], rest.min(axis=0))
    out = np.zeros(w)
    out[kept] = np.maximum(contrast, 0.0)
    return out


def _part_means(img: np.ndarray, starts: np.ndarray, stops: np.ndarray) -> np.ndarray:
    """Mean of each band of rows ``img[starts[k]:stops[k]]`` of a uint8 image, per column: (bands, columns), 0 for an
    empty band (one that starts below the image). ``np.mean`` of the slice to the bit: its float64 sum of integers
    is the exact integer sum, taken here in int32, then divided by the same count."""
    sums = _row_sums(img, starts, stops)
    count = np.minimum(stops, img.shape[0]) - starts
    return np.where(count[:, None] > 0, sums / np.maximum(count, 1)[:, None], 0.0)


def _median_where(rows: np.ndarray, idx: np.ndarray, usable: np.ndarray) -> np.ndarray:
    """Median of ``rows[:, idx]`` (parts, columns, offsets) over the last axis, of the offsets ``usable`` (columns,
    offsets) marks, 0 for a column with none: ``np.nanmedian`` with the unusable ones as NaN, to the bit.

    The unusable offsets are gathered from a column of +inf added to ``rows`` (no masking pass over the gathered
    values), one sort in place puts them last, and the median is that of the usable ones before them. (NumPy's
    nanmedian of short rows goes through masked arrays: it took a third of a tally field's time.)
    """
    parts, w = rows.shape
    padded = np.empty((parts, w + 1))
    padded[:, :w] = rows
    padded[:, w] = np.inf
    ordered = padded.take(np.where(usable, idx, w), axis=1)                   # (parts, columns, offsets)
    ordered.sort(axis=2)
    return median_of_first(ordered, np.count_nonzero(usable, axis=1))


def remove_grid(gray: np.ndarray, field: FieldLayout, *, px_per_mm: float, search_mm: float = 1.0,
                border_mm: float = 0.12, line_mm: float = 0.6, locate_mm: float = 1.0, segment_mm: float = 1.5,
                corner_band_mm: float = 0.4, corner_search_mm: float = 1.0, streak_mm: float = 1.0) -> GridFit:
    """Find the printed grid of a tally field, straighten it and subtract it.

    Parameters
    ----------
    gray : the aligned page, uint8 grayscale, at ``px_per_mm``.
    field : a ``tally`` field.
    px_per_mm : resolution of ``gray``.
    search_mm : how far the grid as a whole is searched around its template position.
    border_mm : margin inside each printed border that is not looked at.
    line_mm : sideways tolerance of the printed-line filter that removes the (straightened) lines.
    locate_mm : sideways tolerance of the printed-line filter that first locates the (bent) lines.
    segment_mm : how far each row's (column's) lines may be from the grid-wide position.
    corner_band_mm, corner_search_mm : band and search of the crossing measurement.
    streak_mm : how far from every printed line a copier streak must lie to be one (closer, it is the line's own
        residue); its baseline is taken between one and :data:`BESIDE_REACH` times that to either side.
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
    dark = paper_darkness_u8(np.ascontiguousarray(gray[ya:yb, xa:xb]), window_px=int(round(2.0 * px)))
    xs_mm = np.unique(np.round([c.x for c in cells] + [c.x2 for c in cells], 3))
    ys_mm = np.unique(np.round([c.y for c in cells] + [c.y2 for c in cells], 3))
    search = max(1, int(round(search_mm * px)))
    lv, lh = int(1.3 * ch) | 1, int(1.3 * cw) | 1
    wide = max(3, int(round(line_mm * px)) | 1)

    def printed_lines(d: np.ndarray, wide: int, lv: int, lh: int) -> tuple[np.ndarray, np.ndarray]:
        # An opening with a line longer than any pen stroke keeps only the printed lines (they run the
        # whole grid); on a sideways-dilated image it also keeps them where they lean or bend a little.
        # The horizontal lines are filtered as vertical ones in the transposed image, and returned so
        # (``gh_t``): OpenCV's column filters are the fast ones, and what is read of them is read across.
        with without_ipp():     # (small images: IPP's toll per call outweighs its speed, see grader.photo.no_ipp)
            gv = cv2.morphologyEx(cv2.dilate(d, np.ones((1, wide), np.uint8)), cv2.MORPH_OPEN,
                                  np.ones((lv, 1), np.uint8))
            gh_t = cv2.morphologyEx(cv2.dilate(cv2.transpose(d), np.ones((1, wide), np.uint8)), cv2.MORPH_OPEN,
                                    np.ones((lh, 1), np.uint8))
        return gv, gh_t

    # 1. Lines over the whole grid, then along each row / column of cells. The filter is more tolerant
    # here (bent lines must survive it to be located) and is eroded back (its dilation would otherwise
    # make each line a plateau whose first pixel, not its middle, is taken as the line).
    wide1 = max(wide, int(round(locate_mm * px)) | 1)
    gv, gh_t = printed_lines(dark, wide1, lv, lh)
    gv = cv2.erode(gv, np.ones((1, wide1), np.uint8))
    gh_t = cv2.erode(gh_t, np.ones((1, wide1), np.uint8))
    xl = refine_lines(gv.sum(axis=0, dtype=np.int32).astype(np.float64), xs_mm * px - 0.5 - xa, search=search)
    yl = refine_lines(gh_t.sum(axis=0, dtype=np.int32).astype(np.float64), ys_mm * px - 0.5 - ya, search=search)
    seg = max(1, int(round(segment_mm * px)))
    yi = np.clip(np.rint(yl).astype(int), 0, gv.shape[0] - 1)
    xi = np.clip(np.rint(xl).astype(int), 0, gh_t.shape[0] - 1)
    x_by_row = refine_lines(_band_sums(gv, yi, axis=0).astype(np.float64), xl, search=seg, local=1)
    y_by_col = refine_lines(_band_sums(gh_t, xi, axis=0).astype(np.float64), yl, search=seg, local=1)

    # 2. The crossings, where no pen goes.
    corners_x, corners_y = grid_crossings(dark, _at_borders(x_by_row), _at_borders(y_by_col).T,
                                          band=max(1, int(round(corner_band_mm * px))),
                                          search=max(2, int(round(corner_search_mm * px))))

    # 3. Straighten, then remove the (now straight) lines.
    # (The maps are smooth between crossings: computed at half resolution, then enlarged.)
    hh, hw = (dark.shape[0] + 1) // 2, (dark.shape[1] + 1) // 2
    map_x, map_y = straightening_maps((hh, hw), (xl - 0.5) / 2, (yl - 0.5) / 2, (corners_x - 0.5) / 2,
                                      (corners_y - 0.5) / 2)
    size = (2 * hw, 2 * hh)
    map_x = cv2.resize(2 * map_x + 0.5, size, interpolation=cv2.INTER_LINEAR)[:dark.shape[0], :dark.shape[1]]
    map_y = cv2.resize(2 * map_y + 0.5, size, interpolation=cv2.INTER_LINEAR)[:dark.shape[0], :dark.shape[1]]
    with without_ipp():
        dark = cv2.remap(dark, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=0)
    gv, gh_t = printed_lines(dark, wide, lv, lh)
    ink = cv2.subtract(dark, cv2.max(gv, cv2.transpose(gh_t)))

    col = np.searchsorted(xs_mm, np.round([c.x for c in cells], 3))
    row = np.searchsorted(ys_mm, np.round([c.y for c in cells], 3))
    ccx = np.rint((xl[col] + xl[col + 1]) / 2).astype(int)
    ccy = np.rint((yl[row] + yl[row + 1]) / 2).astype(int)
    # 4. How much of each border is now within the straight-line filter's tolerance of its place. A line
    # still bent (between crossings, or where a crossing was misplaced) is not removed there, and its
    # cells are doubtful.
    sv = _line_presence(dark, xl, yl, tolerance=wide // 2)                                  # (rows, lines)
    sh = _line_presence(cv2.transpose(dark), yl, xl, tolerance=wide // 2)
    straight = np.minimum(np.minimum(sv[row, col], sv[row, col + 1]), np.minimum(sh[col, row], sh[col, row + 1]))
    # Cell windows stop short of the printed borders (their residue is not ink).
    inset = border_mm * px
    hx, hy = int(cw / 2 - inset), int(ch / 2 - inset)
    # 5. A straight line that is no printed line but runs through every row (column) of cells: a copier
    # streak, which the line filter took away with the strokes under it.
    near = streak_mm * px
    beside = (near, BESIDE_REACH * near)
    streak_cols = line_across(gv, xl, yl, near_px=near, beside_px=beside)                 # (columns,)
    streak_rows = line_across(gh_t, yl, xl, near_px=near, beside_px=beside)
    cols = _windows_max(streak_cols, ccx, hx)
    rows = _windows_max(streak_rows, ccy, hy)
    return GridFit(ink=ink, cx=ccx, cy=ccy, hx=hx, hy=hy, origin=(xa, ya),
                   straightness=straight, corners_x=corners_x, corners_y=corners_y, streak=np.maximum(cols, rows))
