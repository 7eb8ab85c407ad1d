"""Measuring where the printed lines of a tally grid are, for the aligner's curl correction.

On curled paper a whole grid can sit 3 mm or more from where the homography puts it, tilted, with
its cells full of uprights that stand like grid lines. Every line must then be found where it is
printed, never a cell off and never on a pen stroke.
"""
import cv2
import numpy as np

from grader.photo.print_grid import frame_sampler
from grader.photo.tally_lines import line_layout, tally_line_points
from grader.sheet.layout import Rect
from test_tally import INKS, PX, draw_group

FID = "IV.1.tally"


def _page(sheet, blank_page, rows_filled: int, seed: int) -> np.ndarray:
    """Page 2 with the first ``rows_filled`` rows of ``FID``'s cells full of groups of five, inked and
    blurred as a phone would, but not moved (the tests move it by a known amount)."""
    rng = np.random.default_rng(seed)
    alpha = np.zeros_like(blank_page)
    f = sheet.field(FID)
    n_cols = len(line_layout(f, sheet.pages[1], 0)[1])
    for cell in f.cells[:rows_filled * n_cols]:
        draw_group(alpha, cell, 5, rng, width_mm=0.4)
    img = blank_page * (1 - alpha * (1 - INKS[1])) * 225 + 15
    img = cv2.GaussianBlur(img, (0, 0), 0.7) + rng.normal(0, 2.5, img.shape)
    return np.clip(img, 0, 255).astype(np.uint8)


def _moved(gray: np.ndarray, sheet, shift_mm: tuple[float, float], angle_deg: float):
    """``gray`` with the print turned by ``angle_deg`` about the grid's centre and moved by ``shift_mm``;
    and ``true(pts, axis)``: the displacement along ``axis`` that puts template points ``pts`` (frame px)
    where they are printed now (the curl field's own definition)."""
    c = np.array(Rect.union(sheet.field(FID).cells).center) * PX - 0.5
    t = np.array(shift_mm) * PX
    a = np.deg2rad(angle_deg)
    cos, sin = np.cos(a), np.sin(a)
    h, w = gray.shape
    vx, vy = np.meshgrid(np.arange(w, dtype=np.float64), np.arange(h, dtype=np.float64))
    # Each output pixel reads the page at R^T (v - c - t) + c.
    sx = cos * (vx - c[0] - t[0]) + sin * (vy - c[1] - t[1]) + c[0]
    sy = -sin * (vx - c[0] - t[0]) + cos * (vy - c[1] - t[1]) + c[1]
    out = cv2.remap(gray, sx.astype(np.float32), sy.astype(np.float32), cv2.INTER_LINEAR,
                    borderMode=cv2.BORDER_REPLICATE)

    def true(pts: np.ndarray, axis: int) -> np.ndarray:
        u = pts - c
        printed = np.stack([cos * u[:, 0] - sin * u[:, 1], sin * u[:, 0] + cos * u[:, 1]], 1) + c + t
        return (printed - pts)[:, axis]
    return out, true


def _errors(gray: np.ndarray, sheet, true) -> tuple[np.ndarray, int]:
    """Per measured sample of ``FID``, |measured - true| shift in mm; and how many samples there are."""
    page = sheet.pages[1]
    one = type(page)(**{**page.__dict__, "fields": (sheet.field(FID),)})
    (px_, dx), (py, dy) = tally_line_points(frame_sampler(gray), one, px_per_mm=PX)
    err = np.concatenate([np.abs(dx - true(px_, 0)), np.abs(dy - true(py, 1))]) / PX
    return err, len(dx) + len(dy)


def _expected(sheet) -> int:
    """Samples when every line is found in every strip: horizontal lines x columns, vertical lines x rows of
    crossings (one more than the rows of cells)."""
    f, page = sheet.field(FID), sheet.pages[1]
    xs, cols, _ = line_layout(f, page, 0)
    ys, rows, _ = line_layout(f, page, 1)
    return len(ys) * len(cols) + len(xs) * len(ys)


def test_a_grid_far_off_and_tilted_is_found_line_by_line(sheet, blank_page):
    """3 mm down, 1 mm left and turned 2 degrees (its corners 1 mm further apart still), the first row
    full: every line is measured where it is, to a tenth of a millimetre."""
    gray, d = _moved(_page(sheet, blank_page, 1, 3), sheet, (-1.0, 3.0), 2.0)
    err, n = _errors(gray, sheet, d)
    assert n >= 0.9 * _expected(sheet), (n, _expected(sheet))
    assert err.max() < 0.15, np.sort(err)[-5:]


def test_cells_full_of_uprights_do_not_pull_the_vertical_lines(sheet, blank_page):
    """Four rows of five-stroke groups (uprights about a millimetre apart, parallel to the grid's
    vertical lines), the grid a millimetre aside: no line is taken for a stroke."""
    gray, d = _moved(_page(sheet, blank_page, 4, 5), sheet, (1.0, 0.5), 0.3)
    err, n = _errors(gray, sheet, d)
    assert n >= 0.9 * _expected(sheet)
    assert err.max() < 0.15, np.sort(err)[-5:]


def test_a_grid_nearly_a_cell_away_is_not_matched_a_cell_off(sheet, blank_page):
    """Moved 4 mm down, more than half a cell but within the comb's reach: the placement that matches
    every line wins over the one a cell up, which matches all but one. (The slip check itself is tested
    below, on grids beyond reach.)"""
    gray, d = _moved(_page(sheet, blank_page, 1, 7), sheet, (0.0, 4.0), 0.5)
    err, n = _errors(gray, sheet, d)
    assert n >= 0.9 * _expected(sheet)
    assert err.max() < 0.15, np.sort(err)[-5:]


def test_nothing_is_measured_where_no_grid_is_within_reach(sheet, blank_page):
    """The grid 9 mm away (beyond the comb's reach): no sample rather than a wrong one."""
    gray, d = _moved(_page(sheet, blank_page, 1, 9), sheet, (0.0, 9.0), 0.0)
    err, n = _errors(gray, sheet, d)
    assert (err < 0.3).all(), np.sort(err)[-5:]


def test_a_grid_squeezed_by_curl_is_found_line_by_line(sheet, blank_page):
    """Curled paper foreshortens a grid: 4.5% narrower (its right border 2.3 mm nearer its left) and 1.5 mm
    left. A comb of the printed spacing would fit one end only, or slip a cell: every line is found."""
    gray = _page(sheet, blank_page, 2, 11)
    c = np.array(Rect.union(sheet.field(FID).cells).center) * PX - 0.5
    sx, t = 0.955, -1.5 * PX
    h, w = gray.shape
    vx, vy = np.meshgrid(np.arange(w, dtype=np.float32), np.arange(h, dtype=np.float32))
    src_x = ((vx - c[0] - t) / sx + c[0]).astype(np.float32)
    squeezed = cv2.remap(gray, src_x, vy, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)

    def true(pts: np.ndarray, axis: int) -> np.ndarray:
        return (c[0] + t + sx * (pts[:, 0] - c[0]) - pts[:, 0]) if axis == 0 else np.zeros(len(pts))

    err, n = _errors(squeezed, sheet, true)
    assert n >= 0.9 * _expected(sheet)
    assert err.max() < 0.15, np.sort(err)[-5:]


def _bowed(gray: np.ndarray, sheet, down_mm: float, bow_mm: float):
    """``gray`` with the print moved ``down_mm`` down and its horizontal lines bowed by ``bow_mm`` from the
    grid's middle to its ends (a lifted edge); and the true displacement of template points."""
    c = np.array(Rect.union(sheet.field(FID).cells).center) * PX - 0.5
    half = Rect.union(sheet.field(FID).cells).w / 2 * PX

    def dy(x: np.ndarray) -> np.ndarray:
        return PX * (down_mm + bow_mm * (((x - c[0]) / half) ** 2 - 0.5))
    h, w = gray.shape
    vx, vy = np.meshgrid(np.arange(w, dtype=np.float32), np.arange(h, dtype=np.float32))
    out = cv2.remap(gray, vx, (vy - dy(vx)).astype(np.float32), cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    return out, lambda pts, axis: dy(pts[:, 0]) if axis == 1 else np.zeros(len(pts))


def test_a_bent_grid_beyond_reach_is_never_measured_a_cell_off(sheet, blank_page):
    """6 to 7 mm down, its lines bowed by 2 mm: beyond the comb's reach, and the best placement within
    reach matches every line but one, a cell off. At each strip's own place the grid's last line shows a
    cell beyond the comb: nothing is measured rather than a cell off."""
    page = _page(sheet, blank_page, 1, 13)
    for down in (6.0, 6.5, 7.0):
        gray, true = _bowed(page, sheet, down, 2.0)
        err, _ = _errors(gray, sheet, true)
        assert (err < 0.3).all(), (down, np.sort(err)[-5:])


def test_interpolation_is_the_first_formulation():
    """_interp (np.take) and _interp_rows (each strip at its own places) give what the fancy-indexed
    interpolation gave, to the bit, indices beyond either end included."""
    from grader.photo.tally_lines import _interp, _interp_rows

    def reference(profiles, at):
        i0 = np.clip(np.floor(at).astype(int), 0, profiles.shape[1] - 2)
        t = np.clip(at - i0, 0.0, 1.0)
        return profiles[:, i0] * (1 - t) + profiles[:, i0 + 1] * t

    rng = np.random.default_rng(5)
    for strips, n in ((1, 551), (8, 551), (6, 40), (3, 2)):
        profiles = (rng.random((strips, n)) * 60).astype(np.float32)
        for shape in ((25, 6, 73), (9, 73), (17,)):
            at = rng.uniform(-3, n + 2, shape)
            at[..., :2] = np.floor(at[..., :2])                   # whole indices too
            assert np.array_equal(_interp(profiles, at), reference(profiles, at))
        at = rng.uniform(-3, n + 2, (strips, 9))
        full = reference(profiles, at)                            # (strips, strips, 9): strip s at row s of at
        assert np.array_equal(_interp_rows(profiles, at), full[np.arange(strips), np.arange(strips)])


def test_refine_lines_is_the_first_formulation():
    """_refine_lines (plain indexing) gives what it gave with np.take_along_axis, to the bit."""
    from grader.photo.tally_lines import LINE_REACH_MM, MIN_DIP, STEP_PX, _refine_lines
    from grader.subpixel import parabola_offset

    def reference(dip, placed, offsets, pos, ppm):
        k = int(round(LINE_REACH_MM * ppm / STEP_PX))
        centre = np.rint((placed[None, :] + offsets[:, None] - pos[0]) / STEP_PX).astype(int)
        win = centre[..., None] + np.arange(-k - 1, k + 2)
        vals = np.take_along_axis(dip[:, None, :], np.clip(win, 0, dip.shape[1] - 1), axis=2)
        inner = vals[..., 1:-1]
        deep = np.maximum(MIN_DIP, 0.5 * inner.max(axis=2, keepdims=True))
        peak = (inner >= vals[..., :-2]) & (inner > vals[..., 2:]) & (inner >= deep)
        dist = np.where(peak, np.abs(np.arange(-k, k + 1))[None, None, :], np.inf)
        pick = np.argmin(dist, axis=2)
        found = np.isfinite(np.take_along_axis(dist, pick[..., None], axis=2)[..., 0])
        j = pick[..., None] + 1
        f0, f1, f2 = (np.take_along_axis(vals, j + d, axis=2)[..., 0] for d in (-1, 0, 1))
        return found, pos[0] + (centre + pick - k + parabola_offset(f0, f1, f2, extremum="max", limit=0.5)) * STEP_PX

    rng = np.random.default_rng(9)
    for _ in range(50):
        strips, n = int(rng.integers(1, 10)), 551
        dip = (rng.gamma(1.0, 8.0, (strips, n)) * rng.integers(0, 2, (strips, n))).astype(np.float32)
        pos = np.arange(n) * STEP_PX + rng.uniform(-50, 50)
        placed = np.sort(rng.uniform(pos[0] - 10, pos[-1] + 10, int(rng.integers(2, 10))))
        offsets = rng.uniform(-20, 20, strips)
        got, want = _refine_lines(dip, placed, offsets, pos, ppm=8.0), reference(dip, placed, offsets, pos, 8.0)
        assert np.array_equal(got[0], want[0]) and np.array_equal(got[1], want[1])
