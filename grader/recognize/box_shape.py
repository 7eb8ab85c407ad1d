"""Second looks at the ink of a box the network has read: is a ``1`` one upright stroke, is a dash one stroke?

The network is unsure of plain ``1``s that lean or bow: trained on MNIST's upright 1s, it gives a ``(`` or a ``/``
0.9 to 0.99 with a ``7``, ``9`` or ``6`` behind, below the review threshold. On the development photos (seed 21,
ARDIS writers) 1,218 of 1,232 boxes it read as ``1`` below the threshold were 1s, and the 1 was the largest single
cause of digit fields sent to review. What tells a ``1`` from those runners-up is its shape, which the pixels show
plainly: a ``7`` has a bar, a ``2`` a base, a ``6`` or ``9`` a loop, a flagged ``1`` a flag. So a box the network
already reads as ``1`` (at :data:`ONE_FLOOR` or more) is accepted when its ink, in the network's own input, is one
stroke as tall as a digit, a single run of ink in every row, of even width, drifting smoothly, and narrow.

This only accepts a reading the pixels already favour; it never changes a label and never raises a confidence, so
a box accepted here stays below the grader's bar for calling a trainee wrong (its field is "ok" when it matches
the key, "review" when it does not), and below ``grading.certainty.SURE_BOX`` in the rules and cross-checks.

Measured on the boxes of the development photos (ARDIS writers, as every generated photo; never the evaluation
set): of the boxes the network read as ``1`` below the threshold that were 1s, 1,054 of 1,218 accepted on seed 21,
979 of 1,091 on seed 31 and 242 of 273 on seed 29; 1 box accepted that was not a ``1``, a ``7`` written with no
bar (a bare slanted stroke, as a person would read it). :data:`MAX_ASPECT` and :data:`MAX_DRIFT_PX` were chosen
among a few settings on seed 21 (a wider or looser stroke let a ``2`` or a second ``7`` through); seeds 31 and 29
checked them. On MNIST's 8,873 non-1 digits the shape alone holds for 14 (0.16%), and the network must also read
them as ``1``.

A dash, the other way round, is doubted for its shape (:func:`split_dash`): the dash class is where the remains of a
digit land when part of it is lost (a pen running dry leaves a 2's dark base and the dot where the pen touched down),
and the network reads those as a dash at 0.999 or more, which grading takes as a surely unused box.
"""
from __future__ import annotations

import cv2
import numpy as np

from grader.recognize.box_preprocess import DIGIT_SIZE

ONE_FLOOR = 0.8          # the network's own probability of "1" needed (context.CONFIDENT: confident on its own)
INK = 0.3                # input value counted as ink (inputs are 0..1, the stroke's core near 1)
MIN_ROWS = 0.7 * DIGIT_SIZE   # as tall as a digit scaled to the input (a small mark is not magnified: not here)
EVEN_WIDTH = 2.0         # no row's run wider than this many times the median (a bar, a base, a flag)
EVEN_EXTRA_PX = 3        # ... or than the median plus this (a thin stroke's runs vary by a pixel or two)
MAX_DRIFT_PX = 1.5       # the run's centre moves at most this much from one row to the next (a corner, a hook)
MAX_ASPECT = 0.6         # the ink is at most this wide for its height


def one_upright_stroke(x: np.ndarray) -> bool:
    """Whether a preprocessed box input (28x28, ink near 1 on 0) is one upright stroke, as a ``1`` is."""
    ink = x > INK
    rows = np.flatnonzero(ink.any(axis=1))
    if len(rows) < MIN_ROWS or rows[-1] - rows[0] + 1 != len(rows):
        return False
    cols = np.flatnonzero(ink.any(axis=0))
    if (cols[-1] - cols[0] + 1) > MAX_ASPECT * len(rows):
        return False
    # Runs of ink per row: a row with more than one (a loop, a flag beside the stem, a second stroke) is no 1.
    edges = np.diff(np.pad(ink[rows].astype(np.int8), ((0, 0), (1, 1))), axis=1)
    starts, ends = np.nonzero(edges == 1), np.nonzero(edges == -1)
    if len(starts[0]) != len(rows):
        return False
    width = (ends[1] - starts[1]).astype(float)
    centre = (starts[1] + ends[1] - 1) / 2.0
    median = float(np.median(width))
    return bool(width.max() <= max(EVEN_WIDTH * median, median + EVEN_EXTRA_PX)
                and np.abs(np.diff(centre)).max() <= MAX_DRIFT_PX)


def accepted_by_shape(label: str, probability: float, x: np.ndarray) -> bool:
    """A box read as ``1`` at :data:`ONE_FLOOR` or more whose input is :func:`one_upright_stroke`."""
    return label == "1" and probability >= ONE_FLOOR and one_upright_stroke(x)


# A dash whose input holds two inks of this many pixels or more is two marks, not one stroke.
SPLIT_MIN_PX = 2


def split_dash(label: str, x: np.ndarray) -> bool:
    """A box read as a dash whose input (28x28) holds more than one separate ink: a dash is one stroke.

    On the development photos (seed 61) all 2,349 dashes read at 0.999 or more are one ink (3 read less surely are
    two or three); the dry-pen fragment that charged a clean sheet ("211" read "-11", the 2's base read as a dash at
    0.9991) is two: its base and the dot where the pen touched down.
    """
    if label != "-":
        return False
    _, _, stats, _ = cv2.connectedComponentsWithStats((x > INK).astype(np.uint8), connectivity=8)
    return int((stats[1:, cv2.CC_STAT_AREA] >= SPLIT_MIN_PX).sum()) > 1
