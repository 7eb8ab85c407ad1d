"""Is a number written across its row of boxes, a digit straddling the printed border between two boxes?

A trainee who writes "47" centred over three boxes puts each digit on an inner border: every box then holds halves
of digits, which the reader cannot read (the field goes to review), and the trainee is never told why. The printed
borders say it: such a digit's ink lies around the border, on both sides of the printed line and over much of the
box's height, while the middles of the two boxes it joins stay (nearly) empty. Digits written one per box put
their ink in the middles of their boxes (a "1" too), and an X spreads over its whole box, middle included, so
neither looks so. Measured with the reader: attack ``across_borders`` (harness seeds 3900 and 3901, 10 sheets each),
75 of the 131 graded fields with a digit on a border are found, none of the 526 others; attacks ``overflow`` (digits
drawn wide and pushed 10-20 % into the next box, seed 3900) and ``habits`` (seed 3907), none of 798 other fields;
the 200 development photos (dev21: 4,008 digits fields), none.

Only geometry from the template: box rectangles and printed line width, on the page warped at ``px_per_mm``.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from grader.read.box_check import IN_PLACE_MM
from grader.sheet.layout import Rect

INK_DARKNESS = 0.4       # ink: this share darker than the paper of the field's row of boxes, or more
PAPER_PERCENTILE = 75    # a row of boxes is mostly paper, even one full of digits
SIDE_MM = 1.0            # the strip beside a printed line in which a straddling digit's ink must show, each side
MIN_INK_MM2 = 1.0        # ink around the border: a digit's strokes, not a stray touch (a digit is ~3-8 mm2)
MAX_MIDDLE_SHARE = 0.5   # the fuller middle of the two boxes holds at most this share of the ink around the border
MIN_HEIGHT_SHARE = 0.3   # the ink around the border spans this share of the box's inner height, or more
MIN_SIDE_SHARE = 0.15    # ... and shows beside the line, on either side, over this share of it


def straddled_borders(gray: np.ndarray, boxes: Sequence[Rect], *, line_mm: float, px_per_mm: float) -> list[int]:
    """The inner borders of a field's row of ``boxes`` (k: between box k and k + 1) that a digit straddles.

    Parameters
    ----------
    gray : the page warped into the template frame, uint8, at ``px_per_mm``.
    boxes : the field's printed boxes left to right, adjoining (template mm).
    line_mm : the printed border's line width.
    """
    if len(boxes) < 2:
        return []
    # Rows inside the boxes, clear of the top and bottom borders (where the alignment may put them: IN_PLACE_MM).
    clear = line_mm + IN_PLACE_MM
    y0, y1 = round((boxes[0].y + clear) * px_per_mm), round((boxes[0].y2 - clear) * px_per_mm)
    x0 = round(boxes[0].x * px_per_mm)
    rows = gray[max(y0, 0):y1, max(x0, 0):round(boxes[-1].x2 * px_per_mm)].astype(np.float32)
    if rows.size == 0 or rows.shape[0] < 4:
        return []
    ink = rows < np.percentile(rows, PAPER_PERCENTILE) * (1 - INK_DARKNESS)
    # Printed vertical lines are no handwriting: each border is a line either side of the boxes' common edge.
    edges = [(b.x - boxes[0].x) * px_per_mm for b in boxes] + [(boxes[-1].x2 - boxes[0].x) * px_per_mm]
    for e in edges:
        ink[:, max(0, int(e - clear * px_per_mm)):int(np.ceil(e + clear * px_per_mm))] = False
    mm2 = px_per_mm ** 2
    out = []
    for k in range(len(boxes) - 1):
        edge, quarter = edges[k + 1], boxes[k].w * px_per_mm / 4
        around = _cols(ink, edge - quarter, edge + quarter)
        middles = [_cols(ink, (c - boxes[0].x) * px_per_mm - quarter, (c - boxes[0].x) * px_per_mm + quarter)
                   for c in (boxes[k].center[0], boxes[k + 1].center[0])]
        side = SIDE_MM * px_per_mm
        left = _cols(ink, edge - clear * px_per_mm - side, edge - clear * px_per_mm).any(axis=1).mean()
        right = _cols(ink, edge + clear * px_per_mm, edge + clear * px_per_mm + side).any(axis=1).mean()
        if (around.sum() / mm2 >= MIN_INK_MM2 and max(m.sum() for m in middles) <= MAX_MIDDLE_SHARE * around.sum()
                and around.any(axis=1).mean() >= MIN_HEIGHT_SHARE and min(left, right) >= MIN_SIDE_SHARE):
            out.append(k)
    return out


def _cols(ink: np.ndarray, a: float, b: float) -> np.ndarray:
    """The columns of ``ink`` from ``a`` to ``b`` (px, clipped)."""
    return ink[:, max(0, int(round(a))):max(0, int(round(b)))]
