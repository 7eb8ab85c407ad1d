"""Are a field's printed digit boxes where the template puts them on the warped page?

Digit boxes are cut from the warped page at their template positions. Where the
warp is off (a strongly curled or badly aligned page), a crop may hold the gap
between two boxes, or the neighbouring box's digit, and the classifier cannot
know. The printed borders can tell: each box's pair of opposite borders is
searched a little around its template place, on the warped page itself
(:func:`grader.photo.print_grid.measure_shifts`), and the box is *in place* when
both pairs are found within ``IN_PLACE_MM``. A field with a box out of place, and the fields near it, are
*suspect* (:func:`suspect_fields`): read, but none of their boxes is held against the trainee.
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


# Print misregistered by a whole box or row period (paper folded or bent more than the alignment followed) puts
# the neighbouring box's borders where a box's own should be: only the fields where the periodic grid ends show it,
# the ones between them look in place and are read from the next box or row (attack "roll", seed 3801: a page
# shifted one row down, "XX1" read "XX3" at 1.0 from the row above). The shift is smooth, so a field this close to
# one out of place (edge to edge; the columns L, P and J stand 7.5 mm apart, the rows 1.5 mm) is as suspect.
NEIGHBOUR_MM = 10.0
# And when this many fields of a page are out of place, the alignment is not to be trusted anywhere on it: on the
# 200 development photos (dev seed 21) no page had more than one (6 had one, a border hidden under ink), while on
# folded and rolled sheets (attacks "fold" and "roll", seeds 3800 and 3801) 21 of the 31 pages with any had 3 or more,
# up to every field of the page.
PAGE_OFF_FIELDS = 3


def fields_out_of_place(fields: Sequence, placed: np.ndarray) -> list:
    """The digit ``fields`` some of whose boxes are not in place (``placed``: per box, in the fields' order)."""
    off, i = [], 0
    for f in fields:
        if not placed[i:i + len(f.boxes)].all():
            off.append(f)
        i += len(f.boxes)
    return off


def page_out_of_place(fields: Sequence, placed: np.ndarray) -> bool:
    """Is the alignment of the page holding the digit ``fields`` off as a whole (:data:`PAGE_OFF_FIELDS`)? Then
    a flat retake, not a trainer, is what lets its fields be read."""
    return len(fields_out_of_place(fields, placed)) >= PAGE_OFF_FIELDS


def suspect_fields(fields: Sequence, placed: np.ndarray, near: Sequence = (), page_only: Sequence = ()) -> set[str]:
    """Ids of the digit ``fields`` some of whose boxes are not in place (``placed``: per box, in the fields' order,
    from :func:`boxes_in_place`), and of every field of ``fields`` or ``near`` within :data:`NEIGHBOUR_MM` of one;
    of all of them and of ``page_only`` when :data:`PAGE_OFF_FIELDS` or more are out of place (fields that check
    their own print, as bubble columns their rings, are suspect only when the page's alignment is)."""
    off = fields_out_of_place(fields, placed)
    if len(off) >= PAGE_OFF_FIELDS:
        return {g.id for g in (*fields, *near, *page_only)}
    return {f.id for f in off} | {g.id for g in (*fields, *near)
                                  if any(f.rect.grow(NEIGHBOUR_MM).overlaps(g.rect) for f in off)}
