"""The curl field's spreading of scattered shifts onto its grid: the values at a few nodes are the whole grid's."""
import numpy as np
import pytest

from grader.photo.curl import _grid_at, _nodes, _spread_linear


@pytest.mark.parametrize("sigma", [2.0, 4.0, 1.3])
def test_spread_at_nodes_is_the_whole_grid_there(sigma):
    rng = np.random.default_rng(int(sigma * 10))
    shape, step = (149, 105), 16.0
    for n in (1, 7, 300):
        pts = rng.uniform(-30, 1700, size=(n, 2)) * [1.0, 1.41]
        vals = rng.normal(scale=8.0, size=n)
        whole = _spread_linear(pts, vals, shape, step=step, sigma=sigma)
        query = rng.uniform(-30, 2400, size=(50, 2))
        got = _spread_linear(pts, vals, shape, step=step, sigma=sigma, at=_nodes(query, shape, step))
        assert np.array_equal(got, _grid_at(whole, query, step))


def test_centred_nodes_are_the_meshgrid():
    from grader.photo.curl import _centred_nodes
    for nx, ny in ((105, 149), (1, 3), (8, 8)):
        X, Y = _centred_nodes(nx, ny)
        X0, Y0 = np.meshgrid(np.arange(nx, dtype=np.float64) - (nx - 1) / 2,
                             np.arange(ny, dtype=np.float64) - (ny - 1) / 2)
        assert np.array_equal(X, X0) and np.array_equal(Y, Y0) and not X.flags.writeable


def test_tally_weight_is_the_per_field_loop(sheet):
    """The kept weight around the tally grids (cached per layout) is what the loop over the page's fields gave."""
    from grader.photo.curl import TALLY_FEATHER_MM, TALLY_KEEP_MM, _near_tally
    from grader.sheet.layout import Rect
    page, shape, step, ppm = sheet.pages[1], (149, 105), 16.0, 8.0
    gx = (np.arange(shape[1]) + 0.5) * step / ppm
    gy = (np.arange(shape[0]) + 0.5) * step / ppm
    want = np.zeros(shape)
    for f in page.fields:
        if f.kind == "tally" and f.cells:
            r = Rect.union(f.cells)
            dist = np.hypot(np.maximum(np.maximum(r.y - gy, gy - r.y2), 0.0)[:, None],
                            np.maximum(np.maximum(r.x - gx, gx - r.x2), 0.0)[None, :])
            want = np.maximum(want, np.clip(1.0 - (dist - TALLY_KEEP_MM) / TALLY_FEATHER_MM, 0.0, 1.0))
    assert want.max() == 1.0
    for _ in range(2):                                    # (the second from the cache)
        assert np.array_equal(_near_tally(page, shape, step=step, px_per_mm=ppm), want)
