"""From per-cell stroke measurements to a tally field's count, confidence and status.

Cross-checks set the confidence: the shape of a group (a crossing stroke lies
over four uprights), the evidence margins, the amount of ink against the
field's own full groups, and the filling order (cells are filled left to
right, top to bottom; only the last used cell may hold fewer than five).
Anything doubtful sends the field to review; counts are never "fixed" to fit
the order.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

from grader.recognize.tally_strokes import CellMeasure

log = logging.getLogger(__name__)

FULL_GROUP = 5
MERGED_WIDTH = 1.7                         # an upright this much wider than the others is two
LONG_DIAGONAL = 0.9                        # a diagonal this long (x the uprights' width) spans a whole group
BENT_GRID = 0.5                            # border presence (see GridFit.straightness) below which a cell is doubtful
# A line printed across a cell (no grid line: a copier streak, see GridFit.streak) this dark, x the field's ink
# threshold, makes the cell doubtful. Drawn streaks through a stroke lost it from about 1.4 on (and the darkest
# copies' streaks measure 2-3); real streaks on ordinary copies measured up to 0.95 with every count right, and
# other lines (a crease, shadows) up to 0.45.
PRINT_STREAK = 1.0
# Ink that is neither an upright nor a crossing stroke (CellMeasure.stray_mm2), mm², that makes a cell doubtful: a
# stroke the count does not see (a horizontal side of a "box" tally: 1.3-3 mm² measured), not most pen-rest dots (at
# most 0.6 in 99% of fields with drawn dots, one 1.2) nor a blurred crossing stroke too flat for the diagonal opening
# (clean dev photos: at most 0.8).
STRAY_INK_MM2 = 1.0
# How long (mm, down the cell) the last used cell's uprights must be seen apart at their count. At 1 mm, three thick
# felt-pen strokes whose pale tops split into four runs over exactly 1 mm were accepted as four (synth seed 4217, a
# right tally of 18 read 19 and charged). On the synth sets of seeds 4202-4217 (2,456 tally fields accepted), the
# last cells held 1-1.5 mm were 17, that one wrong; held 1.5 mm or more, 2,439, none wrong. (At 1.5 mm the cell's
# count is also held in full in its confidence, 12 rows at the reading's 8 px/mm: ``held`` in cell_counts.)
LAST_CELL_HOLD_MM = 1.5

# Why a tally field went to review, for the trainer who checks it (codes; the web page words them).
WHY_MALFORMED = "malformed_group"           # a crossing stroke over too few uprights, or too many uprights
WHY_JOINED = "joined_strokes"               # two strokes touching, not a crossing stroke
WHY_DRAWN_OVER = "strokes_drawn_over"       # an upright about twice as wide as the others
WHY_INK = "ink_mismatch"                    # more or less ink than the count explains
WHY_LAST_CROSSING = "unclear_crossing"      # the last group's crossing stroke is unclear
WHY_SHORT = "short_strokes"                 # the last cell's strokes are short, or a line runs through it
WHY_BENT = "bent_grid"                      # the printed grid is not where it should be (curled paper)
WHY_FAINT = "faint_stroke"                  # more strokes at a low threshold: one may be missed
WHY_ORDER = "out_of_order"                  # cells not filled left to right, five per cell
WHY_UNCLEAR = "unclear_strokes"             # the rows of a cell disagree on the count
WHY_STREAK = "print_streak"                 # a line printed across the cells (a copier streak) may hide a stroke


@dataclass(frozen=True)
class TallyReading:
    """What a tally field says.

    Attributes
    ----------
    count : total strokes (the sum over cells), or None when undecidable.
    confidence : in [0, 1]; the weakest cell bounds it.
    status : ``ok``, ``review`` or ``blank`` (no stroke anywhere).
    per_cell : strokes counted in each cell, 0..5, in layout order.
    cell_confidence : confidence of each cell's count.
    reasons : for a field in review, why (``WHY_*`` codes); empty otherwise.
    unsure_cells : for a field in review, the cells (layout order, 0-based) whose count is in doubt or which break
        the filling order: where a trainer looks first, instead of counting every stroke of the field again.
    """

    count: int | None
    confidence: float
    status: str
    per_cell: tuple[int, ...]
    cell_confidence: tuple[float, ...]
    reasons: tuple[str, ...] = ()
    unsure_cells: tuple[int, ...] = ()


Caps = list[tuple[np.ndarray, float, str]]   # (cells, the confidence they were capped at, why)


def _cap(conf: np.ndarray, mask: np.ndarray, value: float, why: str, caps: Caps) -> np.ndarray:
    """Cap the confidence of the ``mask`` cells at ``value``, remembering why."""
    caps.append((mask, value, why))
    return np.where(mask, np.minimum(conf, value), conf)


def cell_counts(m: CellMeasure, *, diagonal_min: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, Caps]:
    """Stroke count, confidence, "read as five from three uprights" per cell (no field context), and the caps."""
    caps: Caps = []
    has_diag = m.diagonal >= diagonal_min
    # Three uprights under a crossing stroke, one of them about twice as wide as the others, or under a
    # crossing stroke long enough to span a whole group: two strokes drawn over each other, so a group
    # of five (with less confidence).
    merged = has_diag & (m.uprights == FULL_GROUP - 2) & ((m.widest >= MERGED_WIDTH) | (m.diagonal >= LONG_DIAGONAL))
    uprights = np.where(merged, FULL_GROUP - 1, m.uprights)
    # Fewer uprights under a short diagonal: that is two strokes touching (a joint, a hook, a leaning
    # stroke), not a crossing stroke, which only comes to close a group. Counted as uprights, doubtful.
    joint = has_diag & (uprights < FULL_GROUP - 1) & (m.diagonal < LONG_DIAGONAL) & (uprights > 0)
    has_diag = has_diag & ~joint
    raw = uprights + has_diag.astype(int)
    count = np.minimum(raw, FULL_GROUP)
    # Evidence margins: how clearly the row counts agree, how clearly the diagonal is (not) there.
    diag_margin = np.clip(np.abs(m.diagonal - diagonal_min) / (0.5 * diagonal_min), 0.0, 1.0)
    conf = 0.55 + 0.45 * np.minimum(np.clip(m.agreement, 0.0, 1.0), diag_margin)
    held = np.clip(m.band_rows / 12.0, 0.0, 1.0)             # uprights seen over few rows only: weaker
    conf = np.where(uprights > 0, conf * (0.7 + 0.3 * held), conf)
    # The shape of a group: a crossing stroke means four uprights under it. Five "uprights" under a
    # crossing stroke is usually a steep crossing stroke seen once more as an upright: still a group of
    # five, with less confidence. Anything else with a crossing stroke is not a well-formed group.
    conf = _cap(conf, merged, 0.65, WHY_DRAWN_OVER, caps)
    doubled = has_diag & (uprights == FULL_GROUP)
    conf = _cap(conf, doubled, 0.7, WHY_MALFORMED, caps)
    odd = (has_diag & (uprights < FULL_GROUP - 1)) | (uprights > FULL_GROUP) | (~has_diag & (raw > FULL_GROUP - 1)
                                                                                      & (uprights > 4))
    conf = _cap(conf, odd, 0.35, WHY_MALFORMED, caps)
    conf = _cap(conf, joint, 0.4, WHY_JOINED, caps)
    # Without a crossing stroke, an upright about twice as wide as the others (of its cell, or for a lone one, of
    # the field) may be two drawn over each other (one stroke more than counted): doubtful, the count stays as seen.
    hidden = ~has_diag & (uprights >= 1) & (uprights <= 3) & (m.widest >= MERGED_WIDTH)
    conf = _cap(conf, hidden, 0.5, WHY_DRAWN_OVER, caps)
    return count, conf, merged, caps


def ink_check(count: np.ndarray, conf: np.ndarray, ink: np.ndarray, *, stroke_min: float,
              caps: Caps | None = None) -> np.ndarray:
    """Lower the confidence of cells whose amount of ink does not match their count.

    The reference is the field's own full groups (same pen, same light), so
    this only works when there is one at least; a full group is about 5.4
    strokes of ink (the crossing stroke is longer).
    """
    caps = [] if caps is None else caps
    tiny = (count > 0) & (ink < count * stroke_min)        # less ink than the thinnest plausible strokes
    conf = _cap(conf, tiny, 0.5, WHY_INK, caps)
    full = (count == FULL_GROUP) & (conf > 0.7)
    # One full group is reference enough, and so, when the field has no other, is one read less clearly but accepted
    # (five uprights under its crossing stroke: a steep crossing stroke seen once more, as much ink as any group).
    # A field of 6 to 9 strokes has only one group, and two strokes drawn over each other in its last cell, seen as
    # one upright with twice its ink, were accepted one short (a 2 MP photo of a six-pair sheet, seed 4210; the
    # width of such a lone upright against the field's others is a second check, in cell_counts).
    if not full.any():
        full = (count == FULL_GROUP) & (conf >= 0.7)
    if not full.any():
        return conf
    unit = float(np.median(ink[full])) / 5.4
    expected = np.where(count == FULL_GROUP, 5.4, count) * unit
    ratio = np.where(count > 0, ink / np.maximum(expected, 1e-6), 0.0)
    bad = (count > 0) & ((ratio > 1.7) | (ratio < 0.6))
    stray = (count == 0) & (ink > 0.6 * unit)             # ink the counter did not see as strokes
    return _cap(conf, bad | stray, 0.5, WHY_INK, caps)


def assemble_reading(m: CellMeasure, *, field_id: str, cell_h_mm: float, px_per_mm: float,
                     diagonal_min: float = 0.6, last_cell_diagonal: float = 0.8,
                     accept: float = 0.6) -> TallyReading:
    """Count, confidence and status of a tally field from its cells' measurements.

    Parameters
    ----------
    m : the field's cell measurements.
    field_id : for logging.
    cell_h_mm : height of a cell.
    px_per_mm : resolution the measurements were made at.
    diagonal_min, last_cell_diagonal, accept : see :func:`grader.recognize.tally.read_tally`.
    """
    count, conf, merged, caps = cell_counts(m, diagonal_min=diagonal_min)
    # The thinnest plausible stroke: a third of the cell high, a quarter millimetre wide, half dark.
    stroke_min = (cell_h_mm / 3) * 0.25 * 0.5 * px_per_mm ** 2
    conf = ink_check(count, conf, m.ink, stroke_min=stroke_min, caps=caps)
    used = np.flatnonzero(count > 0)
    if len(used):
        # The last used cell is the one that may hold fewer than five, so there (and only there) a
        # crossing stroke must be clear to read five, and an unclear one must not be missed.
        last = int(used[-1])
        at_last = np.arange(len(conf)) == last
        if count[last] == FULL_GROUP and (m.diagonal[last] < last_cell_diagonal or merged[last]):
            conf = _cap(conf, at_last, 0.5, WHY_LAST_CROSSING, caps)
        if count[last] == FULL_GROUP - 1 and m.diagonal[last] >= 0.75 * diagonal_min:
            conf = _cap(conf, at_last, 0.5, WHY_LAST_CROSSING, caps)
        # Its uprights must be told apart over LAST_CELL_HOLD_MM at least (a bent printed line's residue or a
        # neighbour's stroke end is seen over a few rows only), and ink running straight down the whole
        # cell is a printed line, not a tally mark. A full group with a clear crossing stroke is held to it
        # too: three thick felt-pen strokes, the middle one leaning, were read as four uprights (their pale
        # tops, over 7 rows) under a crossing stroke (the leaning one), and a right 13 was charged as 15 (dev
        # photocopies, seed 49, s0093). On dev21 and dev49c, 4 of 174 such groups are held under 1.5 mm:
        # that one, and three right ones now sent to review.
        if m.band_rows[last] < LAST_CELL_HOLD_MM * px_per_mm or m.column_span[last] > 0.9:
            conf = _cap(conf, at_last, 0.5, WHY_SHORT, caps)
    # A cell whose printed borders are not where the straightened grid puts them (a bend between the
    # crossings, a misplaced crossing, a failed alignment) may show line residue as a stroke or lose a
    # stroke to the line filter. That matters up to the cell after the last used one (which may have lost
    # its strokes); further on, a false stroke breaks the filling order anyway.
    # Likewise a cell that shows more uprights at a low threshold: a faint stroke may have been missed.
    near = np.arange(len(conf)) < (int(used[-1]) if len(used) else -1) + 2
    conf = _cap(conf, near & (m.straightness < BENT_GRID), 0.5, WHY_BENT, caps)
    # A straight line that is no printed grid line runs through the cell and through every row (or column)
    # of the grid, written or not: a copier streak. The line filter takes it away like a printed line,
    # and with it any stroke along it, or cuts a stroke in two: the count is not to be trusted there.
    conf = _cap(conf, near & (m.streak >= PRINT_STREAK), 0.5, WHY_STREAK, caps)
    conf = _cap(conf, near & (count < FULL_GROUP) & (m.faint_uprights > count), 0.5, WHY_FAINT, caps)
    # Ink that is no upright and no crossing stroke: a mark the count did not see (a horizontal stroke, a
    # "box" tally's side), so the count may be short.
    conf = _cap(conf, near & (m.stray_mm2 >= STRAY_INK_MM2), 0.5, WHY_INK, caps)
    per_cell = tuple(int(c) for c in count)
    cell_conf = tuple(round(float(c), 4) for c in conf)
    field_conf = float(conf.min()) if len(conf) else 1.0
    weak = conf < accept
    reasons = [why for mask, value, why in caps if value < accept and (mask & weak).any()]
    if weak.any() and not reasons:
        reasons.append(WHY_UNCLEAR)
    if len(used) == 0:
        status = "blank" if field_conf >= accept else "review"
        return TallyReading(0 if status == "blank" else None, field_conf, status, per_cell, cell_conf,
                            _why(status, reasons), _cells(status, weak))
    last = int(used[-1])
    short = np.arange(len(count)) < last
    short &= count != FULL_GROUP        # (a cell before the last used one short of five: out of filling order)
    in_order = not short.any()
    if not in_order:
        log.debug("%s: tally cells out of filling order: %s", field_id, per_cell)
        field_conf = min(field_conf, 0.4)
        reasons.append(WHY_ORDER)
    status = "ok" if field_conf >= accept and in_order else "review"
    return TallyReading(int(count.sum()), field_conf, status, per_cell, cell_conf, _why(status, reasons),
                        _cells(status, weak | short))


def _why(status: str, reasons: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(reasons)) if status == "review" else ()


def _cells(status: str, doubtful: np.ndarray) -> tuple[int, ...]:
    return tuple(int(i) for i in np.flatnonzero(doubtful)) if status == "review" else ()
