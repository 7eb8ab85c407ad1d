"""Runs of True in boolean arrays, measured over whole slices at once.

The tally reader measures how long strokes hold along rows and columns, and the box preprocessing how far a
pen stroke runs along a cleared border; both over many cells or boxes in one call.
"""
from __future__ import annotations

import numpy as np


def longest_true_run(b: np.ndarray, axis: int = -1) -> np.ndarray:
    """Length of the longest run of True along ``axis`` of a boolean array (int64, that axis removed).

    Each place's distance past the last False before it: the positions of the Falses (from 1, 0 at a True)
    carried forward by a running maximum, taken by doubling over whole slices of the other axes (a handful of
    vector steps, where NumPy's ``maximum.accumulate`` steps one element at a time), in the smallest integers
    that hold the axis (the least memory moved).
    """
    b = np.moveaxis(b, axis, 0)
    m = len(b)
    kind = np.int8 if m < 2 ** 7 else np.int16 if m < 2 ** 15 else np.int64
    pos = np.arange(1, m + 1, dtype=kind).reshape((m,) + (1,) * (b.ndim - 1))
    last_false = np.multiply(~b, pos, order="C")       # (laid out with the axis first, whatever b's layout)
    step = 1
    while step < m:     # (the output overlaps the input: NumPy reads the input as it was, as a running maximum needs)
        np.maximum(last_false[step:], last_false[:-step], out=last_false[step:])
        step *= 2
    return (pos - last_false).max(axis=0).astype(np.int64)
