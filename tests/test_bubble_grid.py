"""Measuring where the printed bubble columns are, for the aligner's curl correction.

A bubble column far from any printed border can sit more than half a bubble away from where the
borders put it. Its rings must then be found where they are, never one bubble off, and a column that
cannot be followed must measure nothing.
"""
import cv2
import numpy as np

from grader.photo.bubble_grid import bubble_points
from grader.photo.print_grid import frame_sampler
from test_bubbles import PX, filled, spelled

FID = "IV.1.bubbles"


def _measured(gray: np.ndarray, sheet, predict=lambda p: np.zeros_like(p)) -> dict:
    """Per bubble ``(column, digit)`` of ``FID``, the measured (dx, dy) in mm."""
    (pts, dxs), (_, dys) = bubble_points(frame_sampler(gray), sheet.pages[1], predict, px_per_mm=PX)
    out = {}
    for col, bubbles in enumerate(sheet.field(FID).bubbles):
        for k, b in enumerate(bubbles):
            d = np.hypot(*(pts - (np.array(b.center) * PX - 0.5)).T) if len(pts) else np.zeros(0)
            if len(d) and d.min() < 2:
                i = int(d.argmin())
                out[(col, k)] = (dxs[i] / PX, dys[i] / PX)
    return out


def _column(sheet, col: int) -> list:
    return [(col, k) for k in range(len(sheet.field(FID).bubbles[col]))]


def _as_u8(gray: np.ndarray) -> np.ndarray:
    return gray if gray.dtype == np.uint8 else np.clip(gray * 255, 0, 255).astype(np.uint8)


def _page(sheet, blank_page, value: int, seed: int) -> np.ndarray:
    """Page 2 with ``value`` filled in the bubbles of ``FID``, photographed gently, as uint8."""
    return _as_u8(filled(sheet, blank_page, {FID: spelled(value)}, np.random.default_rng(seed), hard=False))


def _strip(sheet, col: int, first: int = 0) -> tuple[int, int, int, int]:
    """``(x, y, w, y2)`` px of column ``col`` of ``FID`` from bubble ``first`` to its end, with a margin."""
    f = sheet.field(FID)
    x, y, w, h = f.bubbles[col][first].grow(0.6).to_px(PX)
    return x, y, w, f.bubbles[col][-1].grow(0.6).to_px(PX)[1] + h


def test_rings_are_found_where_they_are_when_the_estimate_is_off_by_more_than_half_a_bubble(sheet, blank_page):
    """The estimate is right at the top of the columns and 1.2 bubble pitches (4.7 mm) too high at the
    bottom, as a border-only field left one curled photo: every ring is still measured where it is printed,
    never one bubble off (a half-pitch search lands on the neighbouring ring there)."""
    gray = _page(sheet, blank_page, 275, 51)
    f = sheet.field(FID)
    pitch = f.bubbles[0][1].y - f.bubbles[0][0].y
    y0, y9 = f.bubbles[0][0].center[1] * PX, f.bubbles[0][-1].center[1] * PX

    def bad_estimate(p: np.ndarray) -> np.ndarray:
        out = np.zeros_like(p)
        out[:, 1] = -1.2 * pitch * PX * np.clip((p[:, 1] - y0) / (y9 - y0), 0, 1)
        return out

    got = _measured(gray, sheet, bad_estimate)
    for col in range(3):
        for p in _column(sheet, col):
            assert max(abs(v) for v in got[p]) < 0.25, (col, p, got[p])


def test_a_stretched_column_is_followed(sheet, blank_page):
    """The middle column stretched downwards by 9% (bubble 9 lower by 0.8 pitch): each ring where it is."""
    gray = _page(sheet, blank_page, 275, 55)
    f = sheet.field(FID)
    top = f.bubbles[1][0].center[1] * PX
    x, _, w, _ = f.bubbles[1][0].grow(0.6).to_px(PX)
    ys = np.arange(gray.shape[0], dtype=np.float32)
    src_y = np.where(ys > top, top + (ys - top) / 1.09, ys).astype(np.float32)
    map_y = np.repeat(src_y[:, None], w, axis=1)
    map_x = np.repeat(np.arange(x, x + w, dtype=np.float32)[None, :], gray.shape[0], axis=0)
    gray[:, x:x + w] = cv2.remap(gray, map_x, map_y, cv2.INTER_LINEAR)
    got = _measured(gray, sheet)
    for k, p in enumerate(_column(sheet, 1)):
        want = 0.09 * (f.bubbles[1][k].center[1] * PX - top) / PX
        assert abs(got[p][1] - want) < 0.25 and abs(got[p][0]) < 0.25, (k, got[p], want)


def test_a_column_that_cannot_be_followed_measures_nothing(sheet, blank_page):
    """The lower half of a column covered with paper: no ring for half its bubbles, no measurement."""
    gray = _page(sheet, blank_page, 275, 52)
    x, y, w, y2 = _strip(sheet, 2, first=5)
    gray[y:y2, x:x + w] = int(np.median(gray[y:y2, x:x + w]))
    got = _measured(gray, sheet)
    assert not any(p in got for p in _column(sheet, 2))
    assert all(p in got for p in _column(sheet, 0))


def test_a_squeezed_column_measures_nothing_rather_than_a_slip(sheet, blank_page):
    """A column squeezed to 0.7 of its height (bubble 9 moved up 2.7 pitches) cannot be followed: nothing."""
    gray = _page(sheet, blank_page, 186, 53)
    x, y, w, y2 = _strip(sheet, 1)
    strip = gray[y:y2, x:x + w]
    short = cv2.resize(strip, (w, int(strip.shape[0] * 0.7)), interpolation=cv2.INTER_AREA)
    gray[y:y2, x:x + w] = int(np.median(strip))
    gray[y:y + short.shape[0], x:x + w] = short
    got = _measured(gray, sheet)
    assert not any(p in got for p in _column(sheet, 1))
    assert all(p in got for p in _column(sheet, 2))


def test_a_ring_like_mark_beyond_the_column_never_makes_it_slip(sheet, blank_page):
    """A drawn circle one pitch below bubble 9, the bubble-0 ring covered: the rings 1-9 plus the circle
    look like a whole column one bubble lower. The column measures nothing, or where it really is."""
    gray = _page(sheet, blank_page, 275, 54)
    f = sheet.field(FID)
    last, first = f.bubbles[1][-1], f.bubbles[1][0]
    pitch = last.y - f.bubbles[1][-2].y
    cx, cy = last.center[0] * PX - 0.5, (last.center[1] + pitch) * PX - 0.5
    cv2.circle(gray, (int(round(cx)), int(round(cy))), int(round(last.w / 2 * PX)), 70, max(1, int(0.25 * PX)),
               cv2.LINE_AA)
    x, y, w, h = first.grow(0.3).to_px(PX)
    gray[y:y + h, x:x + w] = int(np.median(gray[y:y + h, x - 2 * w:x - w]))
    got = _measured(gray, sheet)
    for p in _column(sheet, 1)[1:]:
        if p in got:
            assert abs(got[p][1]) < 0.5 * pitch, (p, got[p])
    assert all(p in got for p in _column(sheet, 0))


def _one_field_shifts(sample, centres, predict, *, d_px, px_per_mm):
    """What :func:`bubble_points` measures of one field's columns (``centres``: printed ring centres, frame px),
    that field alone: per measured column, its index and the (dx, dy) shift of each bubble."""
    from grader.photo import bubble_grid
    rings = bubble_grid._ring_windows(sample, centres, predict, d_px=d_px, px_per_mm=px_per_mm)
    return bubble_grid._column_shifts(rings, bubble_grid._paths([rings])[0])


def test_the_ring_below_the_column_stops_an_upward_slip_even_without_the_top_check(monkeypatch):
    """A drawn column of ten rings with a darker eleventh a pitch above it: rings -1..8 look like a whole column
    one bubble higher, and darker. With the top-ring check switched off, ring 9, a pitch below that
    placement's last bubble, must stop it (on the sheet the digit boxes sit there, so this is drawn)."""
    import grader.photo.bubble_grid as bubble_grid
    monkeypatch.setattr(bubble_grid, "TOP_SLACK", 99.0)
    pitch, d = 3.9 * PX, 3.0 * PX
    canvas = np.full((int(20 * pitch), int(6 * pitch)), 235, np.uint8)
    centres = np.array([[[3 * pitch, (k + 5) * pitch] for k in range(10)]])
    for k in range(-1, 10):
        cx, cy = 3 * pitch, (k + 5) * pitch
        cv2.circle(canvas, (int(round(cx)), int(round(cy))), int(round(d / 2)), 40 if k < 0 else 110,
                   3 if k < 0 else 2, cv2.LINE_AA)
    got = _one_field_shifts(frame_sampler(canvas), centres, lambda p: np.zeros_like(p), d_px=d,
                                    px_per_mm=PX)
    assert len(got) <= 1                              # nothing, or the column where it is
    for _, (dx, dy) in got:
        assert np.max(np.abs(dy)) < 0.5 * pitch, dy


def test_ring_shifts_are_measured_to_a_fraction_of_a_pixel(sheet, blank_page):
    """The whole page moved by (1.3, -2.7) frame px: the measured shifts move by that, within 0.15 px on
    average and half a pixel for every bubble (the rings are measured at 4 px/mm, half the frame's)."""
    gray = _page(sheet, blank_page, 275, 57)
    moved = cv2.warpAffine(gray, np.float32([[1, 0, 1.3], [0, 1, -2.7]]), gray.shape[::-1],
                           flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    zero = lambda p: np.zeros_like(p)      # noqa: E731
    (pts, dx0), (_, dy0) = bubble_points(frame_sampler(gray), sheet.pages[1], zero, px_per_mm=PX)
    (pts1, dx1), (_, dy1) = bubble_points(frame_sampler(moved), sheet.pages[1], zero, px_per_mm=PX)
    assert len(pts) >= 60 and np.array_equal(pts, pts1)
    ddx, ddy = dx1 - dx0, dy1 - dy0
    assert abs(float(np.mean(ddx)) - 1.3) < 0.15 and abs(float(np.mean(ddy)) + 2.7) < 0.15
    assert np.max(np.abs(ddx - 1.3)) < 0.5 and np.max(np.abs(ddy + 2.7)) < 0.5


def test_all_fields_measured_together_are_each_field_measured_alone(sheet, blank_page):
    """:func:`bubble_points` finds the paths of all fields' columns in one call: the very shifts that measuring
    each field on its own gives (a column's path is its own), under an estimate that differs from field to field."""
    from grader.photo import bubble_grid
    gray = _page(sheet, blank_page, 275, 58)
    page = sheet.pages[1]
    predict = lambda p: np.stack([0.4 * np.sin(p[:, 1] / 90.0), 1.5 * np.cos(p[:, 0] / 70.0)], axis=1)  # noqa: E731
    (pts, dx), (_, dy) = bubble_points(frame_sampler(gray), page, predict, px_per_mm=PX)
    alone_pts, alone_dx, alone_dy = [], [], []
    for f in page.fields:
        if f.kind != "bubbles":
            continue
        centres = np.array([[b.center for b in col] for col in f.bubbles]) + bubble_grid.PRINT_PIXEL_MM / 2
        centres = centres * PX - 0.5
        for c, (x, y) in _one_field_shifts(frame_sampler(gray), centres, predict, d_px=f.bubbles[0][0].w * PX,
                                                   px_per_mm=PX):
            alone_pts.append(centres[c])
            alone_dx.append(x)
            alone_dy.append(y)
    assert len(alone_pts) >= 2
    assert np.array_equal(pts, np.concatenate(alone_pts))
    assert np.array_equal(dx, np.concatenate(alone_dx)) and np.array_equal(dy, np.concatenate(alone_dy))


def _column_shifts_reference(r, offs):
    """The columns judged one by one, as first written."""
    from grader.photo import bubble_grid as bg
    out = []
    for col in range(len(r.centres)):
        off = offs[col]
        got = r.win[col, np.arange(r.centres.shape[1]), off[:-1, 0] + r.reach, off[:-1, 1] + r.reach_x]
        typical = float(bg.median(got))
        y, x = int(off[-2, 0] + r.reach), int(off[-2, 1] + r.reach_x)
        beyond = float(r.win[col, -1][max(0, y - r.near):y + r.near + 1, max(0, x - r.near):x + r.near + 1].max())
        if typical <= 0 or got.min() < bg.MIN_RING * typical or beyond >= bg.END_RING * typical:
            continue
        found = (r.at[col, :-1] + r.origin + off[:-1, ::-1]
                 + bg._subpixel(r.win[col, :-1], off[:-1] + [r.reach, r.reach_x]) - r.centres[col])
        if np.hypot(*(found[0] - r.pred[col, 0])) > bg.TOP_SLACK * r.pitch:
            continue
        out.append((col, (found[:, 0] * r.scale, found[:, 1] * r.scale)))
    return out


def test_columns_judged_together_are_the_columns_judged_one_by_one():
    """Random responses and paths (paths at the windows' edges, faint, negative and ring-below columns): the
    columns :func:`_column_shifts` keeps and their shifts are those of judging each column alone."""
    from grader.photo import bubble_grid as bg
    rng = np.random.default_rng(11)
    kept = dropped = 0
    for trial in range(300):
        n_cols, n_rows, reach, reach_x, near = int(rng.integers(1, 7)), 10, 22, 9, 3
        win = rng.gamma(2.0, 1.0, (n_cols, n_rows + 1, 2 * reach + 1, 2 * reach_x + 1)).astype(np.float32)
        offs = np.stack([rng.integers(-reach, reach + 1, (n_cols, n_rows + 1)),
                         rng.integers(-reach_x, reach_x + 1, (n_cols, n_rows + 1))], axis=-1)
        c, i = np.meshgrid(np.arange(n_cols), np.arange(n_rows), indexing="ij")
        win[c, i, offs[:, :-1, 0] + reach, offs[:, :-1, 1] + reach_x] += rng.uniform(2, 12, (n_cols, n_rows))  # rings
        win *= rng.choice([1.0, 1.0, 0.3, -1.0], size=(n_cols, 1, 1, 1)).astype(np.float32)
        win[:, -1] *= np.float32(rng.uniform(0, 0.6))
        centres = rng.uniform(50, 400, (n_cols, n_rows, 2))
        rings = bg._Rings(frame_centres=centres * 2, centres=centres, pred=rng.normal(0, 2, (n_cols, n_rows, 2)),
                          at=rng.integers(0, 300, (n_cols, n_rows + 1, 2)), origin=np.array([17.0, 23.0]), win=win,
                          signed=win, reach=reach, reach_x=reach_x, near=near, pitch=15.6 if trial % 3 == 0 else 1e4,
                          scale=2.0, ppm=4.0)
        got, want = bg._column_shifts(rings, offs), _column_shifts_reference(rings, offs)
        assert [c for c, _ in got] == [c for c, _ in want]
        kept += len(want)
        dropped += n_cols - len(want)
        for (_, (gx, gy)), (_, (wx, wy)) in zip(got, want):
            assert np.array_equal(gx, wx) and np.array_equal(gy, wy)
    assert kept > 100 and dropped > 100, (kept, dropped)
