"""The bubble reader's outline check, against matching every outline shape over the whole crop (as first written)."""
import cv2
import numpy as np
import pytest

from grader.photo.bubble_outlines import ring_template
from grader.recognize.bubbles import OUTLINE_STRETCHES, _outline_responses


def _reference(dark, d_px, by, bx):
    """Each shape matched over the whole crop, dilated 3 x 3, read at the placed centres."""
    out = []
    for stretch in OUTLINE_STRETCHES:
        t = ring_template(d_px, stretch)
        ct = t.shape[0] // 2
        r = cv2.matchTemplate(dark, t, cv2.TM_CCORR)
        r = cv2.dilate(r, np.ones((3, 3), np.uint8)) / max(float((t * (t > 0)).sum()), 1e-6)
        out.append(r[np.clip(by - ct, 0, r.shape[0] - 1), np.clip(bx - ct, 0, r.shape[1] - 1)])
    return out


@pytest.mark.parametrize("d_px, edge", [(24.0, False), (24.0, True), (17.6, False), (31.25, True)])
def test_outline_responses_are_the_whole_crop_filters_read_at_the_bubbles(d_px, edge):
    rng = np.random.default_rng(int(d_px * 4) + edge)
    dark = (rng.random((385, 224)) ** 3).astype(np.float32)
    n = 30
    lo = 0 if edge else 40
    by = rng.integers(lo, 385 - lo, n)
    bx = rng.integers(lo, 224 - lo, n)
    resp = cv2.matchTemplate(dark, ring_template(d_px), cv2.TM_CCORR)
    got = _outline_responses(dark, resp, d_px, by, bx)
    want = _reference(dark, d_px, by, bx)
    assert got[0].dtype == want[0].dtype and np.array_equal(got[0], want[0])      # the round shape: the same numbers
    for g, w in zip(got[1:], want[1:]):                    # the stretched ones: matched where needed, float32 rounding
        assert g.dtype == w.dtype
        np.testing.assert_allclose(g, w, rtol=2e-6, atol=1e-6 * float(np.abs(w).max()))
        if edge:                                           # (near the edge, over the whole crop: the same numbers)
            assert np.array_equal(g, w)


@pytest.mark.parametrize("n_cols, n_rows, half, edge", [(3, 10, 25, False), (1, 10, 25, False), (4, 12, 31, False),
                                                       (3, 10, 25, True), (2, 3, 7, False)])
def test_mean_window_is_the_mean_of_the_gathered_windows(n_cols, n_rows, half, edge):
    """The field's mean bubble window, summed from slices, is NumPy's mean of the gathered windows to the bit
    (values of very different sizes, so that another order of the sums would round differently)."""
    from grader.photo.bubble_outlines import windows
    from grader.photo.bubble_outlines import mean_window
    rng = np.random.default_rng(n_cols * 100 + half + edge)
    for _ in range(20):
        img = (rng.random((385, 224)) * 10.0 ** rng.integers(-3, 4, (385, 224))).astype(np.float32)
        lo = 0 if edge else half
        cy = rng.integers(lo, 385 - lo, n_cols * n_rows)
        cx = rng.integers(lo, 224 - lo, n_cols * n_rows)
        want = windows(img, cy, cx, half).reshape(n_cols, n_rows, 2 * half + 1, 2 * half + 1).mean(axis=(0, 1))
        got = mean_window(img, cy, cx, half)
        assert got.dtype == want.dtype and np.array_equal(got, want)
