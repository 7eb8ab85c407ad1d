"""Order statistics along an axis, exact, without NumPy's per-call overhead.

The measurements take medians and ranks of many small arrays (a profile, a strip's samples). NumPy's own
functions are exact but pay for their generality on every call (``np.median`` goes through a partition, a NaN
check and ``np.mean``: some 40 µs on a few hundred values; ``np.sort`` along a short middle axis works one
element of the other axes at a time). These give the very same numbers, faster.
"""
from __future__ import annotations

import numpy as np


# Along an axis this short that is not the last, selection by compare-and-swap beats a sort (which NumPy does
# one element of the other axes at a time there).
SHORT_AXIS = 16


def median(a: np.ndarray, axis: int | None = None, *, keepdims: bool = False):
    """``np.median(a, axis, keepdims=keepdims)`` to the bit, for ``a`` without NaN (NumPy would answer NaN where
    there is one; here it is just a large value).

    The middle value, or the mean of the two middle values as ``np.mean`` takes it (in float64 for integers and
    booleans, else in ``a``'s own type): by one sort, or by selection along a short inner axis.
    """
    a = np.asarray(a)
    if axis is None:
        if keepdims:
            raise ValueError("keepdims needs an axis")
        a, axis = a.ravel(), 0
    axis = axis % a.ndim
    n = a.shape[axis]
    if n == 0:
        return np.median(a, axis=axis, keepdims=keepdims)
    if axis < a.ndim - 1 and n <= SHORT_AXIS:
        top = _largest(a, n // 2 + 1, axis)
        low, high = top[-1], top[-2 if n % 2 == 0 else -1]
    else:
        s = np.sort(a, axis=axis)
        low, high = np.take(s, (n - 1) // 2, axis=axis), np.take(s, n // 2, axis=axis)
    kind = np.float64 if a.dtype.kind in "biu" else a.dtype
    out = low.astype(kind) if n % 2 else (low.astype(kind) + high.astype(kind)) / 2
    if keepdims:
        out = np.expand_dims(out, axis)
    return out[()] if out.ndim == 0 else out


def ranked(values: np.ndarray, rank: int, axis: int = 1) -> np.ndarray:
    """The ``rank``-th smallest (from 0) of ``values`` along ``axis``: ``np.sort(values, axis)`` there.

    For a short axis other than the last (a tally strip's 11 samples: NumPy sorts there one element of the other
    axes at a time, half a millisecond a strip set), some fifteen times faster than the sort.
    """
    m = values.shape[axis]
    if not 0 <= rank < m:
        raise ValueError(f"rank {rank} out of range for {m} values")
    return _largest(values, m - rank, axis)[-1]


def _largest(values: np.ndarray, keep: int, axis: int) -> list[np.ndarray]:
    """The ``keep`` largest of ``values`` along ``axis``, largest first, each with that axis removed."""
    top: list[np.ndarray] = []
    for i in range(values.shape[axis]):
        x = np.take(values, i, axis=axis)
        for t in top:                           # (insert x: each place keeps the larger, passes the smaller on)
            smaller = np.minimum(t, x)
            np.maximum(t, x, out=t)
            x = smaller
        if len(top) < keep:
            top.append(x)
    return top


def median_kept(values: np.ndarray, keep: np.ndarray) -> np.ndarray:
    """Median along the last axis of the ``values`` that ``keep`` (broadcast to them) marks, 0 where none is kept:
    ``np.nanmedian`` with the others as NaN, to the bit (its masked-array path for short rows costs a sort and
    more than tenfold around it). For ``values`` without NaN.

    The others become +inf, and one sort in place puts them last (see :func:`median_of_first`).
    """
    ordered = np.where(keep, values, np.inf)
    ordered.sort(axis=-1)
    return median_of_first(ordered, np.count_nonzero(keep, axis=-1))


def median_of_first(ordered: np.ndarray, n: np.ndarray) -> np.ndarray:
    """Median of the first ``n`` values along the last axis of ``ordered`` (sorted along it; ``n`` broadcast to
    its other axes), 0 where ``n`` is 0: the middle value, or the mean of the two middle ones as ``np.nanmedian``
    takes it."""
    n = np.broadcast_to(n, ordered.shape[:-1])
    first = np.arange(n.size).reshape(n.shape) * ordered.shape[-1]
    flat = ordered.ravel()
    low, high = flat[first + np.maximum(n - 1, 0) // 2], flat[first + n // 2]
    return np.where(n > 0, (low + high) / 2, 0.0)


def percentile(a: np.ndarray, q: float, axis: int | None = None):
    """``np.percentile(a, q, axis)`` (its default, linear method) to the bit, for floating-point ``a`` without NaN.

    The two order statistics around the quantile's place (by one partition, or by selection along a short inner
    axis), interpolated as NumPy does it: in ``a``'s type, from the lower one below half-way, from the upper one
    from half-way on. NumPy moves the axis first and partitions along it, some 100 µs a call on a field's windows.
    """
    a = np.asarray(a)
    if a.dtype.kind != "f":
        raise TypeError("percentile takes floating-point values")
    if axis is None:
        a, axis = a.ravel(), 0
    axis = axis % a.ndim
    n = a.shape[axis]
    place = (n - 1) * np.true_divide(q, a.dtype.type(100))       # (NumPy's quantile and place, in a's type)
    below = int(np.floor(place)) if place < n - 1 else n - 1
    above = min(below + 1, n - 1)
    if axis < a.ndim - 1 and n <= SHORT_AXIS:
        top = _largest(a, n - below, axis)
        low, high = top[-1], top[-2] if above > below else top[-1]
    else:
        part = np.partition(a, sorted({below, above}), axis=axis)
        low, high = np.take(part, below, axis=axis), np.take(part, above, axis=axis)
    t = place - below if above > below else place - (-1)        # (NumPy's weight: to index -1 at the top end)
    diff = high - low
    return high - diff * (1 - t) if t >= 0.5 else low + diff * t
