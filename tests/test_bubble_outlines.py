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
