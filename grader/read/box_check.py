"""Are a field's printed digit boxes where the template puts them on the warped page?

Digit boxes are cut from the warped page at their template positions. Where the
warp is off (a strongly curled or badly aligned page), a crop may hold the gap
between two boxes, or the neighbouring box's digit, and the classifier cannot
know. The printed borders can tell: each box's pair of opposite borders is
searched a little around its template place, on the warped page itself
(:func:`grader.photo.print_grid.measure_shifts`), and the box is *in place* when
both pairs are found within ``IN_PLACE_MM``, or one pair is hidden (:func:`hidden_borders_in_place`). A field
with a box out of place, and the fields near it, are *suspect* (:func:`suspect_fields`): read, but none of their
boxes is held against the trainee.
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
    """Per box and axis, ``(n, 2)`` bool: are its left and right borders (column 0), and its top and bottom ones
    (column 1), where the template puts them? A box is in place when both are (``.all(axis=1)``).

    Parameters
    ----------
    gray : the page warped into the template frame, uint8, at ``px_per_mm``.
    page : its layout (for the printed line widths).
    boxes : printed boxes of ``page`` (template mm).

    A border that cannot be found (ink along it can hide it) counts as not in place: this
    verifies, it never assumes (:func:`hidden_borders_in_place` weighs it against the boxes around).
    """
    return border_shifts(gray, page, boxes, px_per_mm=px_per_mm, in_place_mm=in_place_mm, search_mm=search_mm)[0]


def border_shifts(gray: np.ndarray, page: PageLayout, boxes: Sequence[Rect], *, px_per_mm: float,
                  in_place_mm: float = IN_PLACE_MM, search_mm: float = SEARCH_MM) -> tuple[np.ndarray, np.ndarray]:
    """Per box and axis (as :func:`boxes_in_place`), ``(placed, found)``: in place, and found at all."""
    widths = dict(page.frames)
    rects = [centre_line_rect(b, widths[b]) for b in boxes]
    if not rects:
        return np.zeros((0, 2), bool), np.zeros((0, 2), bool)
    _, shifts = measure_shifts(frame_sampler(gray), rects, px_per_mm=px_per_mm, search_mm=search_mm)
    found = np.isfinite(shifts)
    return found & (np.abs(np.nan_to_num(shifts)) <= in_place_mm * px_per_mm), found


# A pair of borders not found at all is either hidden (correction fluid, heavy ink along it) or the print is off
# there: by a whole box or row period, so that the pair falls on paper the template leaves blank (the end of a run of
# boxes), or bent out of shape on top of that. Print does not jump a period between boxes a few millimetres apart (a
# fold or roll bends it smoothly), so the boxes around, found in place, say which: when no shift of the print other
# than none would show each of them where it was found, the print is in place there and the pair is hidden. When
# one is left (between rows alike, a row up or down shows them all the same), the box stays out of place: on a
# folded sheet (attack "fold", seed 3800) a column a row up and stretched hid its pairs while the boxes around it
# matched that shift, and counting them hidden charged a trainee with the next row's "XXX".
# On the development photos (seed 61) 25 fields were out of place, each with one pair found within 0.03 mm and the
# other under fluid or ink; this leaves 13 of them.
WITNESS_MM = 10.0      # boxes this close (edge to edge) witness for a box's place
SHIFT_MM = 20.0        # shifts looked at: up to about two row periods (a rolled sheet's was one, 10.5 mm)
MATCH_MM = 1.0         # print counts as where a shift puts it this close (a witness is in place within 0.5 mm)
COVER = 0.5            # ... and along at least this share of the sampled border (its median must be dark)


def hidden_borders_in_place(page: PageLayout, boxes: Sequence[Rect], placed: np.ndarray, found: np.ndarray
                            ) -> np.ndarray:
    """``placed`` (from :func:`border_shifts`), with each pair of borders not found counted in place when the boxes
    within :data:`WITNESS_MM`, found in place, rule out every shift of the print but none."""
    out = placed.copy()
    missing = np.argwhere(~found)
    if not len(missing):
        return out
    frames = np.array([(r.x, r.y, r.w, r.h) for r, _ in page.frames])
    rects = np.array([(b.x, b.y, b.w, b.h) for b in boxes])
    lo, hi = rects[:, :2], rects[:, :2] + rects[:, 2:]
    settled: dict[tuple[bytes, int], bool] = {}       # (the boxes of a field mostly share their witnesses)
    for i, axis in missing:
        around = np.flatnonzero(((lo < hi[i] + WITNESS_MM) & (lo[i] - WITNESS_MM < hi)).all(axis=1))
        key = (around.tobytes(), int(axis))
        if key not in settled:
            near = [(j, b) for j in around for b in (0, 1) if placed[j, b]]
            # (print found off its place nearby: the page is off here)
            settled[key] = (bool(near) and not (found[around] & ~placed[around]).any()
                            and not len(_other_shifts(frames, rects, near, axis)))
        out[i, axis] = settled[key]
    return out


def _other_shifts(frames: np.ndarray, rects: np.ndarray, near: list, axis: int) -> np.ndarray:
    """The shifts of the print, other than none, that would hide a pair of borders across ``axis`` (0: a box's
    left and right ones) and show every witness's borders where they were found.

    Only a shift along ``axis`` hides that pair: one across it brings the same pair of the box above or below (or
    beside) where the hidden one is, and it would show. Between rows alike a row up or down is always possible,
    so it kept every box whose left and right borders lay under correction fluid out of place, and its row in
    review (h42a's sets, seeds 4201-4217: 64 of the 82 fields flagged on 3,080 pages were within 0.35 mm of their
    place; in the six looked at, fluid over an overwritten box hid one pair, in four of them the left and right).
    A box whose top and bottom are hidden between rows alike stays out of place, as on the folded sheet above.
    """
    s = _shifts(frames, rects, near)
    s = s[np.abs(s[:, axis]) > MATCH_MM]
    for j, b in near:
        s = s[_shows(frames, rects[j], b, s, MATCH_MM, COVER)]
    return s


def _shifts(frames: np.ndarray, rects: np.ndarray, near: list) -> np.ndarray:
    """Shifts of the print (mm, x and y) that put a printed rectangle like a witness box where that box is,
    whole or along the witnessed axis only; none near zero (that is the print in place)."""
    out = []
    for j, b in near:
        r = rects[j]
        alike = np.abs(frames[:, 2 + b] - r[2 + b]) <= MATCH_MM
        d = r[None, :2] - frames[alike, :2]
        out += [d, np.where(np.arange(2) == b, d, 0.0)]      # (the whole box; only along its axis)
    tenths = np.round(np.concatenate(out) * 10).astype(np.int64)     # (distinct to 0.1 mm; a 1-D unique is fast)
    key = np.unique(tenths[:, 0] * 100_000 + tenths[:, 1])
    s = np.stack([np.floor_divide(key + 50_000, 100_000), (key + 50_000) % 100_000 - 50_000], axis=1) / 10.0
    keep = (np.abs(s).max(axis=1) <= SHIFT_MM) & (np.abs(s).max(axis=1) > MATCH_MM)
    return s[keep]


def _shows(frames: np.ndarray, r: np.ndarray, axis: int, s: np.ndarray, tol: float, cover: float) -> np.ndarray:
    """Per shift of ``s`` ``(m, 2)``: does some printed rectangle, shifted by it, have a pair of borders along
    ``axis`` where ``r``'s are (within ``tol`` mm, covering ``cover`` of their length)?"""
    a, p = axis, 1 - axis
    alike = frames[np.abs(frames[:, 2 + a] - r[2 + a]) <= tol]
    pos = alike[None, :, a] + s[:, None, a]
    lo = np.maximum(alike[None, :, p] + s[:, None, p], r[p])
    hi = np.minimum(alike[None, :, p] + s[:, None, p] + alike[None, :, 2 + p], r[p] + r[2 + p])
    return ((np.abs(pos - r[a]) <= tol) & (hi - lo >= cover * r[2 + p])).any(axis=1)


# Print misregistered by a whole box or row period (paper folded or bent more than the alignment followed) puts
# the neighbouring box's borders where a box's own should be: only the fields where the periodic grid ends show it,
# the ones between them look in place and are read from the next box or row (attack "roll", seed 3801: a page
# shifted one row down, "XX1" read "XX3" at 1.0 from the row above). The shift is smooth, so a field this close to
# one out of place (edge to edge; the columns L, P and J stand 7.5 mm apart, the rows 1.5 mm) is as suspect.
# Only along the axis whose borders are missing, though: a row shifted sideways moves the fields of its own row onto
# each other's boxes, and one shifted up or down those of its own column; a field across the other axis is either
# shifted too (and then out of place itself) or not at all. On the development photos (seed 61) every box out of
# place had one pair of borders hidden under ink or correction fluid and the other within 0.03 mm: spreading every
# way sent 89 fields to review, 84 of them read right.
NEIGHBOUR_MM = 10.0
# And when this many fields of a page are out of place, the alignment is not to be trusted anywhere on it: on the
# 200 development photos (dev seed 21) no page had more than one (6 had one, a border hidden under ink), while on
# folded and rolled sheets (attacks "fold" and "roll", seeds 3800 and 3801) 21 of the 31 pages with any had 3 or more,
# up to every field of the page.
PAGE_OFF_FIELDS = 3


def fields_out_of_place(fields: Sequence, placed: np.ndarray) -> list:
    """The digit ``fields`` some of whose boxes are not in place (``placed``: per box and axis, in the fields'
    order, from :func:`boxes_in_place`)."""
    return [f for f, axes in _field_axes(fields, placed) if not axes.all()]


def _field_axes(fields: Sequence, placed: np.ndarray):
    """Per field, whether all its boxes are in place along x and along y."""
    i = 0
    for f in fields:
        yield f, placed[i:i + len(f.boxes)].all(axis=0)
        i += len(f.boxes)


def page_out_of_place(fields: Sequence, placed: np.ndarray) -> bool:
    """Is the alignment of the page holding the digit ``fields`` off as a whole (:data:`PAGE_OFF_FIELDS`)? Then
    a flat retake, not a trainer, is what lets its fields be read."""
    return len(fields_out_of_place(fields, placed)) >= PAGE_OFF_FIELDS


def suspect_fields(fields: Sequence, placed: np.ndarray, near: Sequence = (), page_only: Sequence = ()) -> set[str]:
    """Ids of the digit ``fields`` some of whose boxes are not in place (``placed``: per box and axis, in the
    fields' order, from :func:`boxes_in_place`); of every other digit field within :data:`NEIGHBOUR_MM` of one in
    the same row (its left or right borders missing) or the same column (its top or bottom ones); of every field of
    ``near`` within :data:`NEIGHBOUR_MM` of one; and of all of them and of ``page_only`` when
    :data:`PAGE_OFF_FIELDS` or more are out of place (fields that check their own print, as bubble columns their
    rings, are suspect only when the page's alignment is)."""
    off = [(f, axes) for f, axes in _field_axes(fields, placed) if not axes.all()]
    if len(off) >= PAGE_OFF_FIELDS:
        return {g.id for g in (*fields, *near, *page_only)}

    def along(f, axes, g) -> bool:
        same_row = f.rect.y < g.rect.y + g.rect.h and g.rect.y < f.rect.y + f.rect.h
        same_column = f.rect.x < g.rect.x + g.rect.w and g.rect.x < f.rect.x + f.rect.w
        return (not axes[0] and same_row) or (not axes[1] and same_column)

    return ({f.id for f, _ in off}
            | {g.id for g in fields if any(f.rect.grow(NEIGHBOUR_MM).overlaps(g.rect) and along(f, axes, g)
                                           for f, axes in off)}
            | {g.id for g in near if any(f.rect.grow(NEIGHBOUR_MM).overlaps(g.rect) for f, _ in off)})
