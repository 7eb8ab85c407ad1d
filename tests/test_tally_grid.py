"""Finding, straightening and removing the printed tally grid."""
import cv2
import numpy as np

from grader.recognize.tally import read_tally
import warnings

from grader.recognize.tally_grid import _band_sums, _median_where, _part_means, grid_crossings, straightening_maps
from test_tally import PX, groups, tallied


def test_crossings_are_found_on_bent_lines_and_not_on_pen_strokes():
    # A 3 x 3 grid of 52 x 60 px cells; the middle vertical line bends 6 px to the right towards the
    # bottom, and a pen stroke runs down a cell 8 px from a border.
    xs, ys = np.array([20, 72, 124, 176]), np.array([20, 80, 140, 200])
    dark = np.zeros((220, 200), np.uint8)
    for y in ys:
        dark[y - 1:y + 1, xs[0]:xs[-1] + 1] = 180
    bend = lambda y: 6.0 * max(0.0, (y - 80) / 120) ** 2     # noqa: E731
    for k, x in enumerate(xs):
        for y in range(ys[0], ys[-1] + 1):
            c = int(round(x + (bend(y) if k == 1 else 0)))
            dark[y, c - 1:c + 1] = 180
    cv2.line(dark, (80, 90), (81, 130), 200, 3)                 # the pen, inside the cell, clear of its corners
    true_x = np.array([[x + (bend(y) if k == 1 else 0) for k, x in enumerate(xs)] for y in ys]) - 0.5
    true_y = np.broadcast_to(ys[:, None] - 0.5, true_x.shape)
    guess_x = np.broadcast_to(xs[None, :] + 3.0, true_x.shape)   # where the straight grid would put them
    guess_y = np.broadcast_to(ys[:, None] - 2.0, true_x.shape)
    x, y = grid_crossings(dark, guess_x, guess_y, band=3, search=8)
    assert np.abs(x - true_x).max() <= 1.0, x - true_x
    assert np.abs(y - true_y).max() <= 1.0, y - true_y


def test_straightening_maps_take_every_crossing_to_the_straight_grid():
    rng = np.random.default_rng(1)
    xl, yl = np.array([10.0, 62.0, 114.0]), np.array([12.0, 72.0, 132.0, 192.0])
    cx = xl[None, :] + rng.uniform(-5, 5, (4, 3))
    cy = yl[:, None] + rng.uniform(-5, 5, (4, 3))
    mx, my = straightening_maps((210, 130), xl, yl, cx, cy)
    ii, jj = np.meshgrid(yl.astype(int), xl.astype(int), indexing="ij")
    assert np.allclose(mx[ii, jj], cx, atol=1e-3) and np.allclose(my[ii, jj], cy, atol=1e-3)


def test_curl_bending_the_last_rows_adds_no_strokes(sheet, blank_page):
    # The aligner's curl correction can leave a grid's lower rows bent sideways (here up to 1 mm at the
    # bottom edge). What a straight-line filter leaves of such lines used to read as uprights in empty
    # cells, a "1" after the last used cell; the grid is now straightened between its crossings first.
    rng = np.random.default_rng(102)
    truth = {f"IV.{p}.tally": int(rng.integers(1, 60)) for p in "1234"}
    gray = tallied(sheet, blank_page, {k: groups(v) for k, v in truth.items()}, rng)
    h, w = gray.shape
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    amp = PX * rng.choice([-1, 1])
    shift = np.zeros_like(yy)
    for fid in truth:
        f = sheet.field(fid)
        y0, y1 = (f.rect.y + 3 * 7.5) * PX, (f.rect.y + f.rect.h + 1) * PX
        x0, x1 = (f.rect.x - 2) * PX, (f.rect.x + f.rect.w + 2) * PX
        t = np.clip((yy - y0) / (y1 - y0), 0, 1)
        inside = (xx >= x0) & (xx <= x1) & (yy >= y0 - 20) & (yy <= y1)
        shift += np.where(inside, amp * t ** 2 * (0.5 + 0.5 * np.cos(np.pi * (xx - x0) / (x1 - x0))), 0)
    curled = cv2.remap(gray, xx + shift, yy, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    for fid, count in truth.items():
        r = read_tally(curled, sheet.field(fid), px_per_mm=PX)
        used = len(groups(count))
        assert set(r.per_cell[used:]) == {0}, (fid, r.per_cell)
        assert r.count == count, (fid, r.per_cell)
        assert r.status == "ok" or r.confidence < 0.6


def test_band_sums_are_the_differences_of_a_cumulative_sum():
    # What remove_grid reads of a filtered crop: its sums between line positions, rows and columns; also where
    # the positions do not move forward (the differences are then 0 or negative, as a cumulative sum gives them).
    img = np.random.default_rng(2).integers(0, 256, (90, 70), dtype=np.uint8)
    for edges in ([5, 30, 61, 89], [0, 0, 40], [50, 20, 60], [3, 69]):
        for axis in (0, 1):
            e = np.clip(np.array(edges), 0, img.shape[axis] - 1)
            cum = np.concatenate([np.zeros_like(np.take(img, [0], axis=axis), dtype=np.int32),
                                  np.cumsum(img, axis=axis, dtype=np.int32)], axis=axis)
            expected = (np.take(cum, e[1:], axis=axis) - np.take(cum, e[:-1], axis=axis)).swapaxes(0, axis)
            got = _band_sums(img, e, axis=axis)
            assert got.dtype == np.int32 and np.array_equal(got, expected), (edges, axis)


def test_part_means_are_numpys_means_to_the_bit():
    # What line_across reads of a filtered crop: each band's column means; an empty band (below the image) is 0.
    rng = np.random.default_rng(3)
    for _ in range(30):
        h, w = rng.integers(5, 80, 2)
        img = rng.integers(0, 256, (h, w), dtype=np.uint8)
        starts = np.sort(rng.integers(0, h + 6, 5))
        stops = np.maximum(starts + rng.integers(-3, 30, 5), starts + 1)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            want = np.nan_to_num(np.stack([img[a:b].mean(axis=0) for a, b in zip(starts, stops)]))
        got = _part_means(img, starts, stops)
        assert got.dtype == want.dtype and got.tobytes() == want.tobytes()


def test_median_where_is_nanmedian_to_the_bit():
    # Usable offsets of every count (none, one, odd, even), repeated values. (No -0.0: a sort may put it either
    # side of 0.0; the means measured are never negative.)
    rng = np.random.default_rng(4)
    for _ in range(30):
        parts, w, cols, k = rng.integers(1, 9), rng.integers(2, 60), rng.integers(1, 50), rng.integers(1, 12)
        rows = np.round(rng.normal(0, 30, (parts, w)), int(rng.integers(0, 3))) + 0.0
        idx = rng.integers(0, w, (cols, k))
        usable = rng.random((cols, k)) < rng.random()
        usable[0] = False
        gathered = np.where(usable, rows[:, idx], np.nan)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            want = np.nan_to_num(np.nanmedian(gathered, axis=2))
        got = _median_where(rows, idx, usable)
        assert got.tobytes() == want.tobytes()
