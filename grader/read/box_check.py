"""Are a field's printed digit boxes where the template puts them on the warped page?

Digit boxes are cut from the warped page at their template positions. Where the
warp is off (a strongly curled or badly aligned page), a crop may hold the gap
between two boxes, or the neighbouring box's digit, and the classifier cannot
know. The printed borders can tell: each box's pair of opposite borders is
searched a little around its template place, on the warped page itself
(:func:`grader.photo.print_grid.measure_shifts`), and the box is *in place* when
both pairs are found within ``IN_PLACE_MM``.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from grader.photo.print_grid import centre_line_rect, frame_sampler, measure_shifts
from grader.sheet.layout import PageLayout, Rect

IN_PLACE_MM = 0.5     # a crop cut this far off still holds its whole box (the crop margin is 0.6 mm)
SEARCH_MM = 1.5       # how far the borders are looked for (about a sixth of a box width)


def boxes_in_place(gray: np.ndarray, page: PageLayout, boxes: Sequence[Rect], *, px_per_mm: float,
                   in_place_mm: float = IN_PLACE_MM, search_mm: float = SEARCH_MM) -> np.ndarray:
    """Per box: are its printed borders where the template puts them?

    Parameters
    ----------
    gray : the page warped into the template frame, uint8, at ``px_per_mm``.
    page : its layout (for the printed line widths).
    boxes : printed boxes of ``page`` (template mm).

    A border that cannot be found (ink along it can hide it) counts as not in place: this
    verifies, it never assumes.
    """
    widths = dict(page.frames)
    rects = [centre_line_rect(b, widths[b]) for b in boxes]
    if not rects:
        return np.zeros(0, bool)
    _, shifts = measure_shifts(frame_sampler(gray), rects, px_per_mm=px_per_mm, search_mm=search_mm)
    found = np.isfinite(shifts).all(axis=1)
    return found & (np.abs(np.nan_to_num(shifts)).max(axis=1) <= in_place_mm * px_per_mm)
