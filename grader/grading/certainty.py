"""How sure a reading is, for holding it against a trainee: firm readings, sure boxes, and what the unsure boxes
of a digits reading cannot change.

A digits reading is *firm* when it is sure enough as a whole to call a trainee wrong (:func:`is_firm`). Below that,
each box read at :data:`SURE_BOX` or more still counts as read, and every other box could say anything (any digit,
X or blank): a verdict that holds whatever those boxes say (:func:`wrong_whatever_unsure`,
:func:`fails_whatever_unsure`) rests only on what was read surely. Grading (:mod:`grader.grading.grade`) applies it.
"""
from __future__ import annotations

from grader.read.context import MARKS_BACKED_UP, NOTE_BACKED_UP, NOTE_CORRECTED, NOTE_DISPUTED, NOTE_PINNED
from grader.read.numbers import NOT_READ_FROM_ITS_BOXES, NOTE_OVERWRITTEN, sure_spelling, values_within
from grader.read.sheet_reader import FieldReading
from grader.rules import Rule, can_hold

# Saying a trainee is wrong needs more certainty than saying they are right: a field that differs from
# the key, or breaks a rule, with a reading below this goes to review instead (never "wrong"/"violated").
# This is a verdict threshold on our own confidence; the reading itself (value, status) is never changed.
WRONG_MIN_CONFIDENCE = 0.999
# That bar is for digit fields, whose confidence is a calibrated probability. The bubble and tally
# readers score confidence heuristically (bubbles top out at 0.99) and send anything doubtful to review
# themselves, so for them an accepted ("ok") reading is the bar: on 600 generated photos
# (grader eval, seed 1) none of their 1,600 accepted fields was misread.
MARKS_KINDS = ("bubbles", "tally")
# A firm reading that differs from the key, in a rule that fails while another of its readings is unsure: the
# failure may be our misread of this very field (a 3 read 2 at 0.9994 beside a sum that holds with 3), so it is
# not called wrong. Dev photos (seed 23): the one right answer marked wrong was such a field.
NOTE_RULE_SUSPECT = "in_failing_rule_with_unsure"
# A firm digits reading that differs from the key where the pair's bubbles and tally, both firm, give the key's
# number: our misread (a looped 2 read as 9 at 1.0, adversarial clean sheet seed 3750) or the trainee's slip in the
# digits alone; a trainer's look either way, not a "wrong".
NOTE_MARKS_SUSPECT = "contradicted_by_own_marks"
# A field not read firmly as a whole, whose surely read boxes already differ from the key (the field's
# ``read_as`` shows them, "?" where unsure): wrong whatever the unsure boxes say. Such a box must be surer than
# the network is of the writing styles it misreads (calibrated on other writers, it is overconfident on those
# styles: see training/README.md). On the development photos
# (seeds 21, 29, 31; 14,744 graded fields) a bar of 0.999 marked 3 right answers wrong (a 3 read 5 at 0.9996,
# a 6 read 2 at 0.9993 and at 0.999); 0.9998 did not. On seed 41 (300 more sheets) it marked 4 right answers on
# 2 clean sheets wrong: a looped 6 read 2 at 0.9998 and 0.9999 (three times, one writer), a 3 read 5 at 0.9998.
# So a box counts as sure only when its confidence, as readings keep it (rounded to four places), is 1.0: the
# bar lies between 0.9999 and 1.0. On seeds 21 and 41 (400 sheets) no right answer is then marked wrong and no
# clean sheet charged; 3 of the 85 planted mistakes found go to review instead (a sum off by one, two swapped L
# and P), and the fields in review go from 2,219 to 2,243.
SURE_BOX = 0.99995
# That bar guards against one digit read as another. An X or a dash in an unused box is another matter: the network
# does not read a digit as either surely. On the development photos' 84,747 boxes (seeds 21, 41, 61; never the
# evaluation set) 57 digit boxes were read as X, the surest at 0.976, and one as a dash at 0.787, while no X or dash
# was read as anything else; 90.9% of the 30,812 Xs and 92.6% of the 5,763 dashes were read at 0.999 or more (at
# SURE_BOX, 14% and 47%). So an X or a dash is sure at the bar for "wrong": a field "X47" is then held to its
# value when its 4 and 7 are.
SURE_FILLER = WRONG_MIN_CONFIDENCE
FILLERS = ("X", "-")
NOTE_WRONG_BY_SURE_BOXES = "wrong_by_its_sure_boxes"


def is_firm(reading: FieldReading) -> bool:
    """Read surely enough to hold against the trainee: the bar for ``wrong`` and for cross-check errors."""
    return reading.status == "ok" and ((reading.kind in MARKS_KINDS and not MARKS_BACKED_UP & set(reading.notes))
                                       or reading.confidence >= WRONG_MIN_CONFIDENCE or NOTE_PINNED in reading.notes
                                       or NOTE_BACKED_UP in reading.notes)


def held(r: FieldReading) -> bool:
    """Firm, and held against the trainee at its value (a field ``wrong``, a pair's own inconsistency). A digits
    reading firm as a whole may still hold a box below :data:`SURE_BOX` (1, 1 and 0.9996 make 0.9996): the network
    misreads some writers' styles that surely (a looped 6 read 2 at 0.9998, above), so such a field is held only to
    what its sure boxes say (:func:`wrong_whatever_unsure`, :func:`possible_values`). Digits backed up by their pair's
    bubbles and tally are held at the marks' number: two readings sure on their own show it."""
    if not is_firm(r):
        return False
    if r.kind != "digits" or not r.box_confidence:
        return True
    return exact(r) or NOTE_BACKED_UP in r.notes


def sure_boxes(r: FieldReading) -> list[bool]:
    """Which boxes of a digits reading are read surely enough to hold against the trainee (:data:`SURE_BOX`; an X or
    a dash at :data:`SURE_FILLER`)."""
    labels = r.boxes if len(r.boxes) == len(r.box_confidence) else ("",) * len(r.box_confidence)
    return [c >= SURE_BOX or (b in FILLERS and c >= SURE_FILLER) for b, c in zip(labels, r.box_confidence)]


def box_reasoned(r: FieldReading | None) -> bool:
    """A digits reading with a number and box-level confidences, that nobody has called into question (a trainee's
    dispute, a suspected misread), that no trainer is promised to look at (an overwritten box, a number across the
    boxes), and whose crops were cut from their printed boxes (a box out of place may hold its neighbour's digit,
    surely read; a box a digit straddles holds half of it)."""
    return (r is not None and r.kind == "digits" and r.value is not None and r.status in ("ok", "review")
            and bool(r.boxes) and len(r.boxes) == len(r.box_confidence)
            and not ({NOTE_DISPUTED, NOTE_RULE_SUSPECT, NOTE_MARKS_SUSPECT, NOTE_OVERWRITTEN} | NOT_READ_FROM_ITS_BOXES)
            & set(r.notes))


def exact(r: FieldReading) -> bool:
    """Taken at its value in the rules and cross-checks: corrected by a trainer; firm by independent evidence that
    agrees with the value its pixels favour (pinned by arithmetic: ``grader.read.context``); or accepted with every
    box sure (firm as a whole or not). A field firm as a whole with a
    box below SURE_BOX (1, 0.9993, 1) may hold exactly the misread a rule would blame on the trainee, so its boxes
    are reasoned about like any other's."""
    # (not one backed up by its bubbles and tally: they show the number the trainee meant, and the digits' unsure box
    # may hold a slip of theirs that our misread undid; taken at the marks' value, a sum that holds on what they wrote
    # was "violated": fuzzer seed 11008466)
    if NOTE_CORRECTED in r.notes or (is_firm(r) and NOTE_PINNED in r.notes):
        return True
    if not r.box_confidence:
        return is_firm(r)
    # (an accepted digits reading whose every box is sure is exact even when it is under the bar as a whole: its Xs,
    # each sure from SURE_FILLER, bring "XX5" read at 0.9993, 0.9993 and 1.0 to 0.9986, and a failing rule with an
    # unsure misread of another field put it in review, though nothing about it is unsure; fuzzer seed 10003993)
    return (is_firm(r) or (r.kind == "digits" and r.status == "ok")) and all(sure_boxes(r))


def read_surely(r: FieldReading) -> str:
    """A digits reading for people: its value when taken exactly, else its boxes as read surely ("?39"); "?" for
    an unsure reading without boxes."""
    if exact(r):
        return str(r.value)
    return sure_spelling(r.boxes, sure_boxes(r)) if r.boxes and len(r.boxes) == len(r.box_confidence) else "?"


def read_as_its_row(r: FieldReading) -> str:
    """A digits reading as its own row names its doubt: its value when taken exactly, else its boxes with "?" at those
    the reader itself was unsure of (``unsure_boxes``: the boxes the row names), as read surely
    (:func:`read_surely`) when the reader named none. For a message that says we are unsure (a pair's marks to
    check): "?" at every box below the stricter bar for holding it against the trainee said "angka ???" beside a row
    that named only "kotak ke-3"."""
    unsure = (r.detail or {}).get("unsure_boxes")
    if exact(r) or not unsure or not r.boxes or len(r.boxes) != len(r.box_confidence):
        return read_surely(r)
    return sure_spelling(r.boxes, [k not in unsure for k in range(len(r.boxes))])


def shown_term(r: FieldReading, expected: int | None, *, doubt: bool = False) -> str:
    """A digits reading as a message about a rule or a pair shows it: its value when it is read as the key has it
    (the field's own row says "Benar" with that value: "?3?" beside "132 Benar" only confused trainees; were it a
    misread, it would be one landing exactly on the key), else as read surely (:func:`read_surely`), never with
    our guess at an unsure box. With ``doubt`` (a message that says we are unsure, not that the trainee is wrong), as
    its row names its doubt (:func:`read_as_its_row`)."""
    if r.status == "ok" and r.value is not None and r.value == expected:
        return str(r.value)
    return read_as_its_row(r) if doubt else read_surely(r)


def possible_values(r: FieldReading) -> frozenset[int] | None:
    """What a digits reading could really say: its value when taken exactly, every spelling its unsure boxes allow
    when reasoned about box by box, or None (anything)."""
    if exact(r):
        return frozenset({r.value})
    return values_within(r.boxes, sure_boxes(r)) if box_reasoned(r) else None


def wrong_whatever_unsure(r: FieldReading | None, expected: int | None) -> bool:
    """A digits field that differs from the key whatever its unsure boxes say: its sure boxes already spell
    something else (key 117; boxes "1", "1" read unsurely, "6" read at 1.0: the trainee wrote 1?6, not 117).

    Each box below :data:`SURE_BOX` is tried as every digit, X and blank (:func:`possible_values`).
    """
    values = possible_values(r) if expected is not None and box_reasoned(r) else None
    return values is not None and expected not in values


def fails_whatever_unsure(rule: Rule, readings: dict[str, FieldReading]) -> bool:
    """A rule that fails on the boxes we read surely, whatever our unsure boxes really say.

    An unsure field leaves its rules "not checkable yet" (we must not blame the trainee for our misreading).
    But when even every value its unsure boxes could spell (any digit, X or blank in each box read below
    :data:`SURE_BOX`; the boxes above it as read) leaves the rule failing, the failure rests only on boxes
    as sure as those of a field firm enough to call wrong: a sum off by one in its last digit, with an unsure
    first digit elsewhere, is the trainee's. A field we have no box-level reading for, one the trainee disputes,
    a suspected misread, or one left blank or unreadable keeps the rule not checkable.
    """
    options: dict[str, frozenset[int] | None] = {}
    for fid in rule.fields:
        r = readings.get(fid)
        if (r is None or r.kind != "digits" or r.value is None or r.status not in ("ok", "review")
                or NOTE_DISPUTED in r.notes):
            return False
        options[fid] = possible_values(r)
    return not can_hold(rule, options)
