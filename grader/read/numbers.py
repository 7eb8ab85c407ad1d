"""Assemble digit-box readings into the number a trainee wrote.

The writing convention (DOMAIN.md): one digit per box, unused leading boxes
filled with X (or a dash). "X47", "-47", "047" and " 47" all mean 47, "XXX"
means 0. A blank leading box still reads, but is reported, because the
trainee should have written X. Anything that does not fit the convention, and
any box the classifier is unsure of, makes the field ``review``: we never
guess a number for a trainee.
"""
from __future__ import annotations

import functools
import itertools
from dataclasses import dataclass
from typing import Sequence

FILLERS = ("X", "-")
BLANK = ""

# Field statuses a reading can have (grading adds "wrong").
OK, REVIEW, BLANK_STATUS, UNREADABLE = "ok", "review", "blank", "unreadable"

# Notes: stable codes the grader turns into convention findings.
NOTE_BLANK_LEADING = "blank_leading_box"
NOTE_IMPOSSIBLE = "impossible_pattern"
NOTE_TRAILING_BLANK = "trailing_blank_box"
NOTE_UNSURE_BOX = "unsure_box"
NOTE_OVERWRITTEN = "overwritten_box"
# A "1" the network was unsure of, accepted because its ink is one upright stroke (grader.recognize.box_shape): the
# field is read, below the confidence that could call a trainee wrong.
NOTE_ONE_BY_SHAPE = "one_by_its_shape"
# A box whose faint ink reads otherwise than its dark ink (a pen running dry: grader.recognize.box_preprocess): the
# field is in review and context never backs it up, since the pale strokes may be the digit the trainee meant.
NOTE_FAINT_INK = "faint_ink"
# A field some of whose printed boxes are not where its crops were cut on the warped page (grader.read.box_check):
# paper folded or bent more than the alignment followed. A crop may then hold a neighbouring box's digit, read at
# 1.0 (folded sheets, attack seed 3800: "134" read "341"), so no box of the field counts as read, and context never
# backs it up.
NOTE_BOX_OUT_OF_PLACE = "box_out_of_place"
# A number written across its boxes, a digit straddling a printed border between two (grader.read.across_borders):
# its boxes hold halves of digits, so the field is in review, and the trainee is told to write one digit per box.
NOTE_ACROSS_BORDERS = "across_borders"
# The notes of a field not read from its printed boxes: its boxes are not reasoned about one by one
# (grader.grading.certainty.box_reasoned), and a blank box in it is no remark against the trainee
# (grader.grading.findings.conventions), before or after a trainer's correction.
NOT_READ_FROM_ITS_BOXES = frozenset({NOTE_BOX_OUT_OF_PLACE, NOTE_ACROSS_BORDERS})
# ... and on a page whose alignment is off as a whole (grader.read.box_check.page_out_of_place): every field of it
NOTE_PAGE_OUT_OF_PLACE = "page_out_of_place"


@dataclass(frozen=True)
class BoxLabel:
    """What the classifier said about one box (a small, serialisable subset of its reading)."""

    label: str
    confidence: float
    ambiguous: bool
    overwritten: bool = False


@dataclass(frozen=True)
class NumberReading:
    value: int | None
    confidence: float
    status: str
    boxes: tuple[str, ...]
    box_confidence: tuple[float, ...]
    notes: tuple[str, ...] = ()


def assemble_number(boxes: Sequence[BoxLabel]) -> NumberReading:
    """Turn per-box labels into a field value, status and notes.

    Parameters
    ----------
    boxes : the boxes left to right.

    Returns
    -------
    NumberReading
        ``status`` is ``ok``, ``review`` or ``blank``. ``value`` is given
        whenever the pattern is valid, even under review (a trainer sees our
        best reading); it is ``None`` for an impossible pattern or a blank field.
    """
    labels = tuple(b.label for b in boxes)
    confs = tuple(float(b.confidence) for b in boxes)
    confidence = 1.0
    for c in confs:
        confidence *= c
    notes: list[str] = []
    if any(b.ambiguous for b in boxes):
        notes.append(NOTE_UNSURE_BOX)
    if any(b.overwritten for b in boxes):
        notes.append(NOTE_OVERWRITTEN)

    digits_at = [i for i, lab in enumerate(labels) if lab.isdigit()]
    if not digits_at:
        if all(lab == BLANK for lab in labels):
            return NumberReading(None, confidence, REVIEW if notes else BLANK_STATUS, labels, confs, tuple(notes))
        if labels[-1] in FILLERS:
            # "XXX" is 0; " XX" and "X X" are 0 with an unused box left blank instead of X, like " 47" and "X 7"
            value, status = 0, OK
            if BLANK in labels:
                notes.append(NOTE_BLANK_LEADING)
        else:  # e.g. "XX ": was the 0 forgotten, the last X, or a digit?
            value, status = None, REVIEW
            notes.append(NOTE_TRAILING_BLANK)
        unsure = NOTE_UNSURE_BOX in notes or NOTE_OVERWRITTEN in notes or status == REVIEW
        return NumberReading(value, confidence, REVIEW if unsure else status, labels, confs, tuple(notes))

    first = digits_at[0]
    body, lead = labels[first:], labels[:first]
    if not all(lab.isdigit() for lab in body):
        rest = body[_first_non_digit(body):]
        notes.append(NOTE_TRAILING_BLANK if all(lab == BLANK for lab in rest) else NOTE_IMPOSSIBLE)
        return NumberReading(None, confidence, REVIEW, labels, confs, tuple(notes))
    if any(lab == BLANK for lab in lead):
        notes.append(NOTE_BLANK_LEADING)
    value = int("".join(body))
    unsure = NOTE_UNSURE_BOX in notes or NOTE_OVERWRITTEN in notes
    return NumberReading(value, confidence, REVIEW if unsure else OK, labels, confs, tuple(notes))


def _first_non_digit(labels: Sequence[str]) -> int:
    return next(i for i, lab in enumerate(labels) if not lab.isdigit())


# Free boxes (read below the bar) are tried as every digit and as an unused box; more than this many in one
# field and the field could be almost anything: it is not worth enumerating (the caller treats it as unknown).
MAX_FREE_BOXES = 4


def values_within(labels: Sequence[str], fixed: Sequence[bool]) -> frozenset[int] | None:
    """Every number the boxes can spell when the ``fixed`` boxes are what they were read as and the others
    may be anything (a digit, X, a dash, or left blank), under the writing convention.

    Used to ask whether a rule can hold at all whatever our unsure boxes really say (grading decides what
    counts as fixed). A spelling that breaks the convention ("51X" written from the left, "1X6") would be read
    ``review`` with no value, and a trainer would settle it as the trainee meant it: it counts as each number a
    person could take it for (51; 16 or 106), so that what the trainee may have meant is never ruled out.
    None when more than :data:`MAX_FREE_BOXES` boxes are free.
    """
    return _values_within(tuple(labels), tuple(bool(f) for f in fixed))


@functools.lru_cache(maxsize=4096)
def _values_within(labels: tuple[str, ...], fixed: tuple[bool, ...]) -> frozenset[int] | None:
    free = [i for i, f in enumerate(fixed) if not f]
    if len(free) > MAX_FREE_BOXES:
        return None
    choices = [tuple("0123456789") + ("X",) if not f else (("X",) if lab in FILLERS or lab == BLANK else (lab,))
               for lab, f in zip(labels, fixed)]
    out: set[int] = set()
    for spelled in itertools.product(*choices):
        text = "".join(spelled)
        digits = text.lstrip("X")
        if not digits:
            out.add(0)
        elif digits.isdigit():
            out.add(int(digits))
        else:                                   # off the convention: as a person might read it
            out.update((int(text.replace("X", "0")), int(text.replace("X", "") or "0")))
    return frozenset(out)


def sure_spelling(labels: Sequence[str], sure: Sequence[bool]) -> str:
    """The number as far as it is read surely, for people: the number itself when the sure boxes leave only one
    ("XX" and an unsure last box that can only be X is 0); else the boxes, "?" for each one that is not read
    surely ("1?6", "X?7"), a blank box read surely left out."""
    values = values_within(labels, sure)
    if values is not None and len(values) == 1:
        return str(next(iter(values)))
    return "".join((lab if lab.isdigit() or lab in FILLERS else "") if s else "?" for lab, s in zip(labels, sure))
