"""Read OMR bubble columns: which bubble of each column the trainee filled.

Each column of a ``bubbles`` field holds the ten digits 0..9 of one decimal
place, most significant column first. A bubble counts as filled from the
share of ink inside it, measured against the local paper (so shadows and
uneven light do not matter) and against the *other* bubbles of the same
column: every bubble carries the same printed outline and a small gray digit,
so only what stands out from the column's typical empty bubble is ink. The
printed digits differ in ink (an "8" is darker than a "1"); the reader
expects that difference from the shipped font, scaled by the field's own
contrast (:func:`grader.recognize.bubble_print.empty_bubble_scores`). The printed outlines are located
first (alignment is good to about half a millimetre, not to a pixel).

Policy (what the reader decides, and when it refuses to):

- one clearly filled bubble in a column gives that digit;
- a bubble much lighter than the column's real fill (less than
  ``erased_ratio`` of it, and below ``light_level``) is an erased mistake: the
  digit is still read, with the note ``erased_second``; so is a somewhat darker
  residue beside a firm fill when even its darkest part stays far below the
  fill's (no pen strokes in it);
- a single light fill that stands clearly above the empty bubbles is read,
  with the note ``light_fill`` and a lower confidence; a light fill that
  does not stand out clearly goes to review;
- two comparable fills in a column (``multiple_filled``) go to review;
- leading zeros: trainees are taught to fill bubble 0 in unused leading
  columns (47 → 0, 4, 7). An *empty* leading column is also accepted as a
  leading zero, with the note ``none_filled`` on that column and
  ``digits[col] = None``; an empty column after a filled one (4 _ 7 or 47 _)
  cannot be a leading zero and sends the field to review;
- no bubble filled anywhere is ``blank``; but a column with nothing inside its bubbles and pen ink in a ring
  around one of them (circled instead of filled) is ``marked_around``: review, never a leading zero or a blank;
- a field in review still says the value its pixels favour when every doubtful column is a single light mark
  with a clear favourite (at least ``1 / FAVOUR_RATIO`` times as dark as any other of the column: a light fill
  that does not stand out by the light-fill margin), as the digit and tally readers do. It stays in review: only
  context may accept it (:mod:`grader.read.context`), when the pair's digits and tally, each read surely on their
  own, say the same. A column with two marks (``multiple_filled``) favours nothing, however much darker one of
  them is: beside a firm fill, a second mark past the erasure rules' reach may be a pale but real second fill
  (the tests' even pale fills are 0.30-0.44 of the firm fill, light ones 0.32-0.59; the development photos'
  erasures that reach review 0.26-0.63), and which of two filled bubbles the trainee meant is for a trainer to
  see, not for the digits and tally to settle;
- a column whose printed outlines are not found where they should be (a
  bent or badly aligned page) is ``misaligned``: review. An outline missing
  with no printed ink around it at all was faded away (a pale photocopy), not
  moved: its column is read when the rest of the column places it, a digit
  is read there and the faint bubbles are clean; otherwise it is
  ``faint_print``: review, with no word of a misplaced page. A column whose only faint ring is its first or
  last moved by one bubble (each bubble on its neighbour's ring): ``misaligned``.

Nothing here guesses: every doubtful column makes the field ``review``.
"""
from __future__ import annotations

import functools
import logging
from dataclasses import dataclass

import cv2
import numpy as np

from grader.order_stats import median, percentile
from grader.photo.bubble_outlines import column_paths, mean_window, responses_near, ring_template, windows
from grader.recognize.bubble_print import empty_bubble_scores
from grader.recognize.paper_darkness import paper_darkness
from grader.sheet.layout import FieldLayout

log = logging.getLogger(__name__)

NOTE_NONE = "none_filled"
NOTE_MULTIPLE = "multiple_filled"
NOTE_LIGHT = "light_fill"
NOTE_ERASED = "erased_second"
NOTE_MISALIGNED = "misaligned"      # the printed outlines are not where they should be (bent page)
NOTE_FAINT = "faint_print"          # printed outlines too pale to place the column's bubbles surely (a faded copy)
OUTLINE_STRETCHES = (1.0, 1.3, 1 / 1.3)    # outline shapes tried when checking that a bubble is where it was placed
# A light mark short of its margin is its column's favourite when every other mark is at most this share of it. On
# the development photos (seeds 21, 41, 61: 2,500 bubbles fields) the 8 fields in review had their true digit
# darkest, the other mark at 0.13-0.63 of it; but a real pale second fill beside a firm one comes to 0.30-0.59 of it
# too, so a column with two marks is never favoured (see the module docstring).
FAVOUR_RATIO = 2 / 3
# A column read empty (nothing inside any bubble) with pen ink in a ring around one bubble: the trainee circled it
# instead of filling it (``marked_around``, review). The ring runs from the measured disk's edge out past the
# printed outline (shares of the bubble's radius); a bubble's ring darkness is taken above the column's typical
# (every ring holds its printed outline). Measured on generated page-2 photos (grader synth sheets, seeds 3601,
# 3607 and 3608, never the evaluation set) with the generator's pen drawing a loop 1.0-1.4 radii out instead of
# each fill: the 304 circled bubbles scored 0.081 and up (208 of their columns were read empty: 13 and 18 of 20
# sheets were then charged, a circled 4 read as a leading zero or a field of circles as blank); leading columns
# left empty (48) at most 0.014; bubbles beside a pen fill, which this rule never looks at, up to 0.072 (dev seed
# 21, 60 page-2 photos, 612 columns). 0.04 lies between, about three times the empty columns' most.
NOTE_AROUND = "marked_around"
AROUND_RING = (0.75, 1.55)
AROUND_MARK = 0.04


@dataclass(frozen=True)
class BubbleReading:
    """What a bubbles field says.

    Attributes
    ----------
    value : the number the filled bubbles spell (columns = digits, most
        significant first); in review, the number its pixels favour (see the
        module docstring), or None when they favour none.
    digits : per column, the filled digit, or None (no bubble, or unsure).
    confidence : in [0, 1]; low when any column is doubtful.
    status : ``ok``, ``review`` or ``blank`` (no bubble filled anywhere).
    column_notes : per column, ``""`` or one of ``none_filled``,
        ``multiple_filled``, ``light_fill``, ``erased_second``, ``misaligned``
        (the printed outlines were not found where expected: review), ``faint_print`` (some printed
        outlines too pale to see, and the column not clear enough to read without them: review).
    fill : per column, the fill score of each bubble 0..9 (ink darkness above
        the column's empty bubbles; about 0.5-0.9 for a pen fill).
    """

    value: int | None
    digits: tuple[int | None, ...]
    confidence: float
    status: str
    column_notes: tuple[str, ...]
    fill: tuple[tuple[float, ...], ...]


@functools.lru_cache(maxsize=32)
def _annulus(inner: float, outer: float) -> tuple[np.ndarray, int]:
    """A mask of the pixels from ``inner`` to ``outer`` pixels from the centre (0 to r: a disk), and its half-size."""
    k = int(np.ceil(outer))
    yy, xx = np.mgrid[-k:k + 1, -k:k + 1]
    d = np.hypot(yy, xx)
    return ((d >= inner) & (d <= outer)).astype(np.float32), k


@dataclass(frozen=True)
class BubbleMeasure:
    """Where the bubbles of a field were found, and what is inside them (arrays of (columns, bubbles))."""

    fill: np.ndarray        # mean darkness of the inner disk, 0..1
    peak: np.ndarray        # 80th percentile of the inner disk's darkness (pen strokes, even sparse ones)
    outline: np.ndarray     # how strongly a printed outline is where the bubble was placed (see locate_bubbles)
    centres: np.ndarray     # (columns, bubbles, 2) placed centres (x, y), page pixels
    pitch_px: float         # the template distance between neighbouring bubbles of a column
    ink: np.ndarray         # the darkest printed ink around the placed centre, wherever it lies (see locate_bubbles)
    around: np.ndarray      # mean darkness of a ring around the inner disk, over the printed outline (AROUND_RING)
    beyond: np.ndarray      # (columns,) the best round outline a bubble's place past each column's last (none: ~0)


def locate_bubbles(gray: np.ndarray, field: FieldLayout, *, px_per_mm: float, search_mm: float = 0.7,
                   local_mm: float = 1.8, inner: float = 0.7) -> BubbleMeasure:
    """Find the printed bubbles of ``field`` and measure the darkness inside each.

    The printed outlines are first located together within ``search_mm`` of
    their template position (the average of all the field's bubbles is
    matched against an outline filter, so filled bubbles cannot pull the
    fit), then each within ``local_mm`` of that; then the mean darkness of a
    disk inside each outline is taken.

    Parameters
    ----------
    gray : the aligned page, uint8, at ``px_per_mm``.
    field : a ``bubbles`` field.
    px_per_mm : resolution of ``gray``.
    search_mm : search radius of the whole field around the template position.
    local_mm : search radius of each bubble around the field's position.
    inner : radius of the measured disk as a share of the bubble radius.

    Returns
    -------
    BubbleMeasure
    """
    if gray.ndim != 2 or gray.dtype != np.uint8:
        raise ValueError("gray must be a 2-D uint8 image")
    if not field.bubbles or not field.bubbles[0]:
        raise ValueError(f"field {field.id} has no bubbles")
    px = float(px_per_mm)
    n_cols, n_rows = len(field.bubbles), len(field.bubbles[0])
    centres = np.array([[r.center for r in col] for col in field.bubbles], np.float64) * px - 0.5
    pitch = (np.hypot(*np.diff(centres[0, :2], axis=0)[0]) if n_rows >= 2 else 2 * field.bubbles[0][0].w * px)
    x, y, w, h = field.rect.grow(search_mm + local_mm + 2.5).to_px(px)
    h += int(np.ceil(pitch))            # (and a bubble's place below the last, for the ring there: ``beyond``)
    H, W = gray.shape
    xa, ya, xb, yb = max(0, x), max(0, y), min(W, x + w), min(H, y + h)
    if xb - xa < 8 or yb - ya < 8:
        raise ValueError(f"field {field.id} lies outside the image")
    d_mm = field.bubbles[0][0].w
    dark = paper_darkness(np.ascontiguousarray(gray[ya:yb, xa:xb]), window_px=int(round((d_mm + 1.5) * px)))
    cx = np.rint(centres[..., 0]).astype(int).ravel() - xa
    cy = np.rint(centres[..., 1]).astype(int).ravel() - ya
    search = max(1, int(round(search_mm * px)))
    d_px = d_mm * px
    tmpl = ring_template(round(d_px, 2))
    half = tmpl.shape[0] // 2 + search
    disk, k = _annulus(0.0, d_px / 2 * inner)
    area = float(disk.sum())
    # One shift for the whole field (a few centimetres: page curl is negligible at that scale),
    # found on the average of all its bubbles so that fills cannot pull the fit.
    mean_win = mean_window(dark, cy, cx, half)
    views = np.lib.stride_tricks.sliding_window_view(mean_win, tmpl.shape)
    score = np.einsum("yxij,ij->yx", views, tmpl)
    dy, dx = np.unravel_index(int(score.argmax()), score.shape)
    cy0, cx0 = int(dy) + tmpl.shape[0] // 2, int(dx) + tmpl.shape[1] // 2
    # Then each bubble on its own, within ``local_mm`` of that: the page may curl within a field, and the
    # aligner's curl correction can leave a column bent, stretched or stepped by a millimetre or more.
    # Down each column the outlines are placed together (``column_paths``): strong outline evidence at
    # each bubble, and neighbours that move together, so a filled or faint outline follows its
    # neighbours instead of jumping.
    fy, fx = cy + (cy0 - half), cx + (cx0 - half)
    resp = cv2.matchTemplate(np.ascontiguousarray(dark), tmpl, cv2.TM_CCORR)
    c = tmpl.shape[0] // 2
    loc = max(1, int(round(min(local_mm * px, 0.45 * pitch))))
    rwin = windows(resp, fy - c, fx - c, loc).reshape(n_cols, n_rows, 2 * loc + 1, 2 * loc + 1)
    off = column_paths(rwin, px_per_mm=px).reshape(-1, 2)
    patches = windows(dark, fy + off[:, 0], fx + off[:, 1], k).reshape(n_cols, n_rows, 2 * k + 1, 2 * k + 1)
    fill = (np.einsum("cbij,ij->cb", patches, disk) / area).astype(np.float32)
    peak = percentile(patches[..., disk > 0], 80, axis=-1).astype(np.float32)
    # How strongly an outline is where the bubble was placed: the best of a round outline and a
    # stretched or squeezed one (a bent page leaves the outlines oval, still around their bubble),
    # within a pixel of the place. Normalised by each filter's own response to a clean outline.
    by, bx = fy + off[:, 0], fx + off[:, 1]
    outline = np.zeros(n_cols * n_rows, np.float32)
    for near in _outline_responses(dark, resp, round(d_px, 2), by, bx):
        outline = np.maximum(outline, near)
    placed = np.stack([bx + xa, by + ya], axis=-1).reshape(n_cols, n_rows, 2).astype(np.float64)
    # How dark the printed ink around each placed bubble is, wherever it lies within half a pitch (its own
    # outline and digit, not its neighbours'): a ring that is printed but not where the bubble was placed
    # still shows here; a ring the copier faded away does not.
    ink_half = max(1, int(pitch / 2))
    around = windows(dark, by, bx, ink_half).reshape(n_cols * n_rows, -1)
    ink = percentile(around, 95, axis=-1).astype(np.float32)
    # The ring where a bubble is circled rather than filled: from the measured disk's edge out past the outline.
    ring, kr = _annulus(d_px / 2 * AROUND_RING[0], d_px / 2 * AROUND_RING[1])
    near_ring = windows(dark, by, bx, kr).reshape(n_cols, n_rows, 2 * kr + 1, 2 * kr + 1)
    ringed = (np.einsum("cbij,ij->cb", near_ring, ring) / float(ring.sum())).astype(np.float32)
    # A printed ring one bubble past each column's last placed bubble, along the column: a column placed a bubble
    # higher than printed leaves its last ring there, unread (helper-151: a cockled sheet's column read 43 as 44).
    beyond = np.zeros(n_cols, np.float32)
    if n_rows >= 2:
        ends = 2 * placed[:, -1] - placed[:, -2] - np.array([xa, ya])
        ey, ex = np.rint(ends[:, 1]).astype(int), np.rint(ends[:, 0]).astype(int)
        inside = ((ey - c - loc >= 0) & (ey - c + loc < resp.shape[0]) & (ex - c - loc >= 0)
                  & (ex - c + loc < resp.shape[1]))
        best = np.where(inside, windows(resp, ey - c, ex - c, loc).max(axis=(1, 2)), 0.0)
        beyond = (best / _clean_response(tmpl)).astype(np.float32)
    return BubbleMeasure(fill=fill, peak=peak, outline=outline.reshape(n_cols, n_rows), centres=placed,
                         pitch_px=float(pitch), ink=ink.reshape(n_cols, n_rows), around=ringed, beyond=beyond)


def _outline_responses(dark: np.ndarray, resp: np.ndarray, d_px: float, by: np.ndarray, bx: np.ndarray
                       ) -> list[np.ndarray]:
    """Per outline shape of ``OUTLINE_STRETCHES``, its best response within a pixel of each placed centre
    (``by``, ``bx``) of ``dark``, normalised by the shape's own response to a clean outline.

    ``resp`` is the round outline's response (``cv2.matchTemplate`` TM_CCORR) over all of ``dark``. The stretched
    shapes are asked only there, so they are matched at those nine places a bubble alone, on one patch of ``dark``
    around each bubble (:func:`~grader.photo.bubble_outlines.responses_near`: ``cv2.matchTemplate``'s response
    up to its float32 rounding, a few parts in 10^7). Near the crop's edge, where the response stops, they are
    matched over the whole crop.
    """
    out = []
    stretched = tuple(s for s in OUTLINE_STRETCHES if s != 1.0)
    near = responses_near(dark, d_px, stretched, by, bx)
    for stretch in OUTLINE_STRETCHES:
        t = ring_template(d_px, stretch)
        if stretch != 1.0 and near is not None:
            best = near[stretched.index(stretch)]
        else:
            r = resp if stretch == 1.0 else cv2.matchTemplate(np.ascontiguousarray(dark), t, cv2.TM_CCORR)
            ct = t.shape[0] // 2
            ry, rx = np.clip(by - ct, 0, r.shape[0] - 1), np.clip(bx - ct, 0, r.shape[1] - 1)
            best = windows(r, ry, rx, 1).max(axis=(1, 2))       # (a 3 x 3 dilation: the edge repeats a pixel in reach)
        out.append(best / _clean_response(t))
    return out


def _clean_response(template: np.ndarray) -> float:
    """An outline filter's response to a clean printed outline (the sum of its positive weights), which outline
    responses are measured against."""
    return max(float((template * (template > 0)).sum()), 1e-6)


def decide_column(scores: np.ndarray, *, peaks: np.ndarray | None = None, fill_level: float = 0.25,
                  mark_level: float = 0.07, empty_level: float = 0.04, erased_ratio: float = 0.4,
                  light_level: float = 0.15, light_margin: float = 0.08, erased_peak: float = 0.15,
                  erased_peak_ratio: float = 0.5, residue_level: float = 0.2,
                  residue_ratio: float = 0.27) -> tuple[int | None, str, float, bool]:
    """Decide one column from its fill scores (darkness above the column's empty bubbles).

    Parameters
    ----------
    scores : fill score per bubble (0..9) of one column.
    peaks : optional, per bubble, the darkest part of its disk above the column's empty bubbles (80th
        percentile). Pen strokes, even sparse ones, stay dark there; an erased fill is a pale even smudge.
    fill_level : a score at or above this is a firm pen fill.
    mark_level : below this nothing was marked (printed digit, noise, shadow).
    empty_level : a second bubble below this is clean.
    erased_ratio, light_level : a second bubble below ``erased_ratio`` times the
        main fill and below ``light_level`` is an erased mistake.
    light_margin : a light fill (below ``fill_level``) is read only if it is at
        least this much darker than every other bubble, and 2.5 times as dark.
    erased_peak, erased_peak_ratio : with ``peaks``, a second bubble marked at all (``empty_level`` or more)
        but below ``light_level``, whose darkest
        part stays below ``erased_peak`` and below ``erased_peak_ratio`` of the main fill's is also an
        erased mistake, even next to a light main fill (a pale smudge has no pen strokes in it). The main
        fill must still stand ``light_margin`` above it.
    residue_level, residue_ratio : with ``peaks``, beside a firm fill, a second mark below
        ``residue_level`` whose mean *and* darkest part are both below ``residue_ratio`` of the main fill's
        is also an erased mistake (correction fluid leaves a pale, even film). A real second fill is darker:
        hatching by the same pen reaches half its darkness, and the tests' even pale fills from 0.28 of the
        ink's darkness (0.30 of the fill or more) stay in review. Fainter than that, a deliberately pale
        second fill cannot be told from a residue; the rule moves that line only a little from where
        ``light_level`` and ``erased_ratio`` already put it (even fills up to about 0.2 of the ink's darkness).

    Returns
    -------
    digit : the filled digit, or None.
    note : ``""`` or a column note.
    confidence : in [0, 1].
    accepted : whether the column may be used without review.
    """
    order = np.argsort(scores)[::-1]
    k1 = int(order[0])
    s1, s2 = float(scores[order[0]]), float(scores[order[1]])
    if s1 < mark_level:
        # Nothing stands out. The closer the best bubble comes to a mark, the less sure "empty" is.
        conf = float(np.clip(1.0 - max(s1 - empty_level, 0.0) / (mark_level - empty_level), 0.0, 1.0))
        return None, NOTE_NONE, 0.5 + 0.49 * conf, conf > 0.5
    strength = float(np.clip((s1 - mark_level) / (fill_level - mark_level), 0.0, 1.0))
    k2 = int(order[1])
    smudge = (peaks is not None and empty_level <= s2 < light_level and s1 - s2 >= light_margin
              and float(peaks[k2]) < erased_peak and float(peaks[k2]) < erased_peak_ratio * float(peaks[k1])
              and float(peaks[k1]) >= erased_peak + light_margin and float(scores[order[2]]) < empty_level)
    if s1 >= fill_level:
        if s2 < empty_level:
            return k1, "", 0.99, True
        if s2 < erased_ratio * s1 and s2 < light_level:
            sep = 1.0 - s2 / (erased_ratio * s1)
            return k1, NOTE_ERASED, 0.8 + 0.15 * sep, True
        residue = (peaks is not None and s2 < residue_level and s2 < residue_ratio * s1
                   and float(peaks[k2]) < residue_ratio * float(peaks[k1]) and float(scores[order[2]]) < empty_level)
        if smudge or residue:
            return k1, NOTE_ERASED, 0.75, True
        return None, NOTE_MULTIPLE, 0.3 * (1.0 - min(s2 / s1, 1.0)), False
    # A light fill: accepted only when it clearly stands alone (or beside a pale smudge without strokes).
    if smudge and s1 >= mark_level + light_margin:
        return k1, NOTE_ERASED, 0.7, True
    if s2 < 0.4 * s1 and s1 - s2 >= light_margin:
        sep = 1.0 - s2 / (0.4 * s1)
        return k1, NOTE_LIGHT, 0.7 + 0.15 * strength + 0.1 * sep, True
    note = NOTE_MULTIPLE if s2 >= 0.6 * s1 else NOTE_LIGHT
    return None, note, 0.3 * strength, False


def read_bubbles(gray: np.ndarray, field: FieldLayout, *, px_per_mm: float, search_mm: float = 0.7,
                 outline_min: float = 0.45, pitch_tolerance: float = 0.3, faint_ink: float = 0.6,
                 empty_level: float = 0.04, around_mark: float = AROUND_MARK) -> BubbleReading:
    """Read a ``bubbles`` field of an aligned sheet.

    Parameters
    ----------
    gray : the aligned page, uint8 grayscale, at ``px_per_mm``.
    field : the ``bubbles`` field from the template layout.
    px_per_mm : resolution of ``gray``.
    search_mm : how far the printed bubbles are searched around their template position.
    outline_min : an empty bubble whose printed outline responds less than this share of the field's
        typical outline marks its column ``misaligned`` (the page is bent there): review; so does a ring
        responding at least this much a bubble past the column's last (:func:`_moved_a_bubble`).
    pitch_tolerance : neighbouring bubbles placed closer than ``1 - pitch_tolerance`` or further than
        ``1 + pitch_tolerance`` times their printed distance also mark the column ``misaligned``.
    faint_ink : an outline not found where expected is faint, not misplaced, when the darkest printed ink
        within half a pitch of the bubble is below this share of the field's typical: no ring is printed
        anywhere near (a pale copy). Moved rings keep about all of it (0.95 on the tests' bent columns);
        the light copies' faded rings have 0.15-0.55.
    empty_level : a column with faint outlines is read only when :func:`decide_column` read a digit in
        it and each faint bubble scores less than this (clean, as :func:`decide_column` has it).
    around_mark : a column read empty whose darkest ring around a bubble (:data:`AROUND_RING`) is this much
        darker than the column's typical ring holds a mark around that bubble: ``marked_around``, review.

    Returns
    -------
    BubbleReading
        See the module docstring for the policy on leading zeros, erased and
        light fills. ``status`` is ``review`` whenever any column is doubtful.
    """
    if field.kind != "bubbles":
        raise ValueError(f"field {field.id} is a {field.kind} field, not bubbles")
    m = locate_bubbles(gray, field, px_per_mm=px_per_mm, search_mm=search_mm)
    outline = m.outline
    scores = empty_bubble_scores(m.fill, d_px=field.bubbles[0][0].w * px_per_mm)
    peaks = m.peak - median(m.peak, axis=1, keepdims=True)
    decided = [decide_column(col, peaks=pk) for col, pk in zip(scores, peaks)]
    around = m.around - median(m.around, axis=1, keepdims=True)     # (the printed outline is in every bubble's)
    # Where an empty bubble's printed outline is not found where the reader put it, the sheet is bent
    # (or badly aligned) there, and nothing in that column can be trusted. Neither can it when two
    # neighbouring bubbles were placed much closer together or further apart than printed: the column
    # is stretched or squeezed more than the search can follow, and one outline may have been taken
    # for two bubbles (or a bubble skipped), which would shift the digits.
    # Every bubble short of a firm fill is checked, faint marks included: a bubble placed on the edge of
    # a neighbour's outline measures some darkness, and must not pass as an erased or light mark.
    looks_empty = scores < 0.07
    typical = float(median(outline[looks_empty])) if looks_empty.any() else float(median(outline))
    lost = (scores < 0.25) & (outline < outline_min * max(typical, 1e-6))
    # A ring missing where the reader put it may also have been faded away rather than moved: a copy whose
    # toner ran short (or whose contrast curve washes out grey print) leaves some rings too pale to see, with
    # no printed ink around them at all, while a ring that the page moved is still printed nearby. Only the
    # latter is ``misaligned``; a faint ring says nothing about where the page is.
    seen = looks_empty & ~lost
    typical_ink = float(median(m.ink[seen])) if seen.any() else float(median(m.ink))
    faint = lost & (m.ink < faint_ink * max(typical_ink, 1e-6))
    misplaced = lost & ~faint
    if m.centres.shape[1] >= 2:
        gaps = np.linalg.norm(np.diff(m.centres, axis=1), axis=-1) / m.pitch_px        # (columns, bubbles - 1)
        bad_gap = (gaps < 1 - pitch_tolerance) | (gaps > 1 + pitch_tolerance)
        misplaced = misplaced | np.pad(bad_gap, ((0, 0), (1, 0))) | np.pad(bad_gap, ((0, 0), (0, 1)))
    ring_past_end = m.beyond >= outline_min * max(typical, 1e-6)
    n_rows = scores.shape[1]
    for c in range(len(decided)):
        digit, note, conf, accepted = decided[c]
        if misplaced[c].any() or _moved_a_bubble(faint[c], ring_past_end[c]):
            decided[c] = (None, NOTE_MISALIGNED, min(conf, 0.3), False)
        elif faint[c].any():
            # The faint bubbles were placed by their neighbours' rings (the column's path), which must hold
            # most of the column; the column is read only when it was read without them (a pen fill, which
            # the copier does not fade, decided as on any page) and every faint bubble is clean. An empty
            # column, or a mark in a faint bubble, could hide what the pale print hides: review, saying why.
            read = accepted and digit is not None
            if not (read and faint[c].sum() <= n_rows // 2 and (scores[c, faint[c]] < empty_level).all()):
                decided[c] = (None, NOTE_FAINT, min(conf, 0.3), False)
        elif note == NOTE_NONE and around[c].max() >= around_mark:
            # Nothing inside any bubble, but pen ink around one: a bubble circled (or ringed) instead of filled.
            # Read as empty, a leading column would pass as a leading zero (a circled 4, 0 and 0 read as 0).
            decided[c] = (None, NOTE_AROUND, min(conf, 0.3), False)
    digits = tuple(d for d, _, _, _ in decided)
    notes = tuple(n for _, n, _, _ in decided)
    confs = [c for _, _, c, _ in decided]
    fill = tuple(tuple(round(float(v), 4) for v in col) for col in scores)
    empty = [n == NOTE_NONE for n in notes]
    if all(empty):
        conf = min(confs)
        return BubbleReading(None, digits, conf, "blank" if all(a for *_, a in decided) else "review", notes, fill)
    first = empty.index(False)
    ok = all(a for *_, a in decided[first:]) and all(d is not None for d in digits[first:])
    ok = ok and all(a for *_, a in decided[:first])      # leading empties must be confidently empty
    conf = float(min(confs))
    if not ok:
        return BubbleReading(_favoured_value(decided, notes, scores), digits, min(conf, 0.5), "review", notes, fill)
    return BubbleReading(_spelled(digits), digits, conf, "ok", notes, fill)


def _moved_a_bubble(faint: np.ndarray, ring_past_end: bool) -> bool:
    """Whether a column was placed one bubble off its printed rings, each bubble on its neighbour's: read, it is a
    neighbour's digit, surely (helper-151: strongly curved photos, an ultra-wide lens or a cockled sheet, read 34 as
    33 and 43 as 44 at 0.99, marked wrong). Placed a bubble low (34 read 33), its last bubble sits on bare paper
    below the print, its only faint ring (a copier's pale band fades a row of rings across the field, seldom one end
    ring alone; if it does, the column waits for a trainer). Placed a bubble high (43 read 44), its last printed ring
    is left one bubble past its last bubble (``ring_past_end``: nothing is printed there; 0.17 of a typical ring at
    most on the development photos, seed 21, 924 columns), and its first bubble may sit on bare paper too."""
    return ring_past_end or (int(faint.sum()) == 1 and bool(faint[0] or faint[-1]))


def _favoured_value(decided: list, notes: tuple[str, ...], scores: np.ndarray) -> int | None:
    """The number a field in review favours: each column's accepted digit, or the clear favourite of a column in
    doubt only for a light mark (``light_fill``); None when any column has none (two marks, ``multiple_filled``:
    which one the trainee meant is theirs to say; misplaced or faint print; a mark too faint to tell from empty) or
    an empty column follows a digit."""
    picked: list[int | None] = []
    for (digit, _, _, accepted), note, col in zip(decided, notes, scores):
        if accepted and (digit is not None or note == NOTE_NONE):
            picked.append(digit)
            continue
        order = np.argsort(col)[::-1]
        s1, s2 = float(col[order[0]]), float(col[order[1]])
        if note != NOTE_LIGHT or s2 > FAVOUR_RATIO * s1:
            return None
        picked.append(int(order[0]))
    return _spelled(picked)


def _spelled(digits) -> int | None:
    """The number per-column ``digits`` spell, empty (None) leading columns being leading zeros; None when no column
    holds a digit or an empty one follows a digit."""
    first = next((i for i, d in enumerate(digits) if d is not None), None)
    if first is None or any(d is None for d in digits[first:]):
        return None
    return int("".join(str(d) for d in digits[first:]))
