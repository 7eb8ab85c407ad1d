"""The fast order statistics give NumPy's own numbers, to the bit."""
import numpy as np
import pytest

import warnings

from grader.order_stats import median, median_kept, median_of_first, ranked


def test_ranked_is_the_sorted_value_at_every_rank():
    """The compare-and-swap selection gives what a sort gives, ties and extremes included."""
    rng = np.random.default_rng(3)
    values = rng.integers(0, 256, (4, 11, 37), dtype=np.uint8)
    values[0, :, :6] = 7                      # all equal
    values[1, :5, 6:9] = 255                  # ties at the top
    for rank in range(values.shape[1]):
        assert np.array_equal(ranked(values, rank), np.sort(values, axis=1)[:, rank])
    floats = rng.normal(size=(2, 3, 5)).astype(np.float32)
    assert np.array_equal(ranked(floats, 0), floats.min(axis=1))
    assert np.array_equal(ranked(values, 2, axis=2), np.sort(values, axis=2)[..., 2])
    with pytest.raises(ValueError):
        ranked(values, 11)


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.int64, np.int32, np.uint8, bool])
@pytest.mark.parametrize("n", [1, 2, 3, 7, 8, 17, 18])
def test_median_is_numpys_to_the_bit(dtype, n):
    """Odd and even lengths, every axis (short inner ones by selection, the rest by sorting), keepdims, integer
    and float types (the middle two's mean as np.mean takes it: float64 for integers, float32 stays float32) and
    a whole-array median."""
    rng = np.random.default_rng(n)
    a = (rng.normal(size=(3, n, 5)) * 1000 / 7).astype(dtype) if dtype is not bool else rng.random((3, n, 5)) > 0.5
    for axis in (0, 1, 2, -1):
        for keepdims in (False, True):
            want = np.median(a, axis=axis, keepdims=keepdims)
            got = median(a, axis=axis, keepdims=keepdims)
            assert got.dtype == want.dtype and got.shape == want.shape
            assert np.array_equal(got, want)
    want, got = np.median(a), median(a)
    assert type(got) is type(want) and got == want


@pytest.mark.parametrize("k", [1, 2, 5, 34, 59, 700])
def test_median_kept_is_nanmedian_to_the_bit(k):
    """Kept counts of every parity, none kept (0), repeated values and infinities, a mask broadcast over the leading
    axis; rows short and long enough for each of NumPy's nanmedian paths (masked arrays, then per row)."""
    rng = np.random.default_rng(k)
    values = np.round(rng.normal(0, 50, (3, 6, k)), 1) + 0.0      # (no -0.0: a sort may put it either side of 0.0)
    values[0, 0, ::3] = np.inf
    keep = rng.random((6, k)) < rng.random((6, 1))
    keep[1] = False
    keep[2] = True
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        want = np.nan_to_num(np.nanmedian(np.where(keep, values, np.nan), axis=-1), nan=0.0, posinf=np.inf)
    got = median_kept(values, keep)
    assert got.dtype == want.dtype and got.tobytes() == want.tobytes()
    first = np.sort(values, axis=-1)
    assert np.array_equal(median_of_first(first, np.full(6, k)), np.median(values, axis=-1))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_percentile_is_numpys_to_the_bit(dtype):
    from grader.order_stats import percentile
    rng = np.random.default_rng(7)
    cases = [((30, 961), -1), ((30, 221), 1), ((40, 7, 73), 1), ((7, 5), 0), ((123,), None), ((45, 19), None),
             ((3, 4, 5), 2), ((1,), None), ((2, 9), 1)]
    for shape, axis in cases:
        for q in (0, 12.5, 50, 75, 80, 85, 90, 95, 99.9, 100):
            for values in (rng.normal(size=shape), rng.integers(0, 6, size=shape) / 4.0):
                x = values.astype(dtype)
                want = np.percentile(x, q, axis=axis)
                got = percentile(x, q, axis=axis)
                assert np.asarray(got).dtype == np.asarray(want).dtype, (shape, axis, q)
                assert np.array_equal(got, want), (shape, axis, q)
