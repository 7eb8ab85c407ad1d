"""The column paths' dynamic programme, against the straightforward formulation it replaced."""
import numpy as np
import pytest

from grader.photo.bubble_outlines import _best_move, _best_scores, _path_grid


def _best_moves_reference(total, cost_y, cost_x):
    """The forward step as first written: every state's best predecessor and its score, at every step."""
    a = total[:, :, None, :] - cost_y[None, :, :, None]
    by = a.argmax(axis=1)
    b = np.take_along_axis(a, by[:, None], 1)[:, 0][..., None] - cost_x[None, None]
    bx = b.argmax(axis=2)
    score = np.take_along_axis(b, bx[:, :, None, :], 2)[:, :, 0, :]
    return np.take_along_axis(by, bx, 2) * len(cost_x) + bx, score


def _states_reference(unary, cost_y, cost_x):
    """Back pointers stored for every state during the forward pass, then followed from the best end."""
    k, n, my, mx = unary.shape
    total = unary[:, 0].copy()
    back = np.zeros((k, n, my * mx), int)
    for i in range(1, n):
        prev, score = _best_moves_reference(total, cost_y, cost_x)
        back[:, i] = prev.reshape(k, -1)
        total = score + unary[:, i]
    states = np.zeros((k, n), int)
    states[:, -1] = total.reshape(k, -1).argmax(axis=1)
    for i in range(n - 1, 0, -1):
        states[:, i - 1] = back[np.arange(k), i, states[:, i]]
    return states


@pytest.mark.parametrize("shape, grid_px, quantise", [((3, 10, 29, 29), 2, False), ((4, 12, 59, 25), 2, False),
                                                      ((2, 6, 15, 11), 1, False), ((3, 10, 29, 29), 2, True),
                                                      ((1, 5, 31, 31), 4, True)])
def test_path_states_match_stored_back_pointers(shape, grid_px, quantise):
    """The path found from the scores alone (moves recovered along it) is the one stored back pointers give,
    state for state, ties included (quantised responses tie often)."""
    rng = np.random.default_rng(sum(shape) + grid_px)
    for _ in range(20):
        k, n, sy, sx = shape
        gy, gx, cost_y, cost_x = _path_grid(sy, sx, 4.0, 0.15, grid_px)
        my, mx = len(cost_y), len(cost_x)
        unary = rng.normal(size=(k, n, my, mx)).astype(np.float32)
        if quantise:
            unary = np.round(unary * 2) / 2
        expected = _states_reference(unary, cost_y, cost_x)
        totals = [unary[:, 0]]
        for i in range(1, n):
            prev, score = _best_moves_reference(totals[-1], cost_y, cost_x)
            got = _best_scores(totals[-1], cost_y, cost_x)
            assert got.dtype == score.dtype and np.array_equal(got, score)
            totals.append(got + unary[:, i])
        states = np.zeros((k, n), int)
        states[:, -1] = totals[-1].reshape(k, -1).argmax(axis=1)
        for i in range(n - 1, 0, -1):
            states[:, i - 1] = _best_move(totals[i - 1], states[:, i], cost_y, cost_x)
        assert np.array_equal(states, expected)


def _column_paths_reference(resp, *, px_per_mm, step_cost=0.15, grid_px=2):
    """column_paths as first written: np.pad's -inf rows, back pointers stored at every step."""
    import cv2

    from grader.order_stats import median
    k, n, sy, sx = resp.shape
    scale = median(resp.reshape(k, n, -1).max(axis=2), axis=1)
    r = (resp / np.maximum(scale, 1e-6)[:, None, None, None]).astype(np.float32)
    g = max(1, int(grid_px))
    h = g // 2
    padded = np.pad(r.reshape(k * n, sy, sx), ((0, 0), (h, h), (0, 0)), constant_values=-np.inf)
    pooled = cv2.dilate(padded.reshape(-1, sx), np.ones((2 * h + 1, 2 * h + 1), np.uint8),
                        borderType=cv2.BORDER_REPLICATE)
    pooled = pooled.reshape(k * n, sy + 2 * h, sx)[:, h:h + sy].reshape(k, n, sy, sx)
    gy, gx, cost_y, cost_x = _path_grid(sy, sx, float(px_per_mm), float(step_cost), g)
    unary = pooled[:, :, gy, gx].reshape(k, n, len(cost_y), len(cost_x))
    states = _states_reference(unary, cost_y, cost_x)
    y0, x0 = gy[states], gx[states]
    dy, dx = np.meshgrid(np.arange(-h, h + 1), np.arange(-h, h + 1), indexing="ij")
    yy = np.clip(y0[..., None, None] + dy, 0, sy - 1)
    xx = np.clip(x0[..., None, None] + dx, 0, sx - 1)
    vals = r[np.arange(k)[:, None, None, None], np.arange(n)[None, :, None, None], yy, xx].reshape(k, n, -1)
    best = vals.argmax(axis=2)
    return np.stack([np.take_along_axis(yy.reshape(k, n, -1), best[..., None], 2)[..., 0] - sy // 2,
                     np.take_along_axis(xx.reshape(k, n, -1), best[..., None], 2)[..., 0] - sx // 2], axis=-1)


@pytest.mark.parametrize("shape, ppm, grid_px", [((3, 10, 29, 29), 8.0, 2), ((18, 11, 45, 19), 4.0, 2),
                                                 ((2, 6, 15, 11), 8.0, 1), ((1, 5, 31, 31), 4.0, 4)])
def test_column_paths_are_the_first_formulation(shape, ppm, grid_px):
    from grader.photo.bubble_outlines import column_paths
    rng = np.random.default_rng(shape[0] * 7 + grid_px)
    for _ in range(10):
        resp = (rng.gamma(1.5, 1.0, shape) - 0.3).astype(np.float32)
        assert np.array_equal(column_paths(resp, px_per_mm=ppm, grid_px=grid_px),
                              _column_paths_reference(resp, px_per_mm=ppm, grid_px=grid_px))
