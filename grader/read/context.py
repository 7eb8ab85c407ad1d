"""Cross-field context: the one place where one field's reading may affect another's status.

POLICY (issue 4; read before changing anything here)
----------------------------------------------------
The trainee is graded on exactly the things context would assume: that the
bubbles and the tally of a number repeat its digits, and that the arithmetic
rules hold. So context is allowed to do only two things:

1. Send a field to ``review`` (we became less sure), for example when the
   digits, bubbles and tally of one pair disagree and the disagreeing reading
   is a weak one.
2. Back up a reading the pixels already favour: a digits field that is in
   ``review`` only because a box was below the confidence threshold may be
   accepted when every box's top class already spells that value, every box is
   above a floor, and the bubbles *and* the tally of the same pair, each read
   confidently on their own, show the same number (an accepted digits field
   below the grader's bar for ``wrong`` is backed up the same way, and stays
   accepted); or when the field takes part in an equality rule (``L + P = J``,
   a column sum) that holds on the values the pixels favour, every other field
   of that rule being accepted or in review for the same reason, no equality
   rule it takes part in fails on those values, and neither the bubbles nor
   the tally of the same pair, read confidently, show another number. A
   misread that survives this needs a second misread that exactly compensates
   it. That does happen when one hand writes the same digit in the same place
   on both sides of a sum (a row and its column total) and both are misread
   alike: on the development photos 6 of 1,343 arithmetic back-ups were such
   misreads with digit model v3, none of them pinned (0 of 1,189 with v8, whose
   preprocessing no longer strips a 2's flat base). A back-up alone never makes a reading firm,
   so such a misread goes to review, not against the trainee. A rule that
   fails backs nothing up: the trainee's own arithmetic mistake must never be
   papered over. Inequalities (``<=``) back nothing up.
   The same holds for a tally in review whose count is still the one its
   strokes favour (confidence above ``TALLY_BACKUP_FLOOR``; at or below it
   the groups were malformed or out of filling order and the count itself is
   a guess): it is accepted when the digits, read confidently by their own
   pixels (not themselves backed up), and the bubbles, read confidently, both
   show that count. A trainee's tally mismatch is hidden only if our misread
   of the tally exactly cancels it. Bubbles likewise: a bubbles field in
   review only for a light mark (a light fill short of its margin) whose
   pixels still favour a number
   (:data:`grader.recognize.bubbles.FAVOUR_RATIO`) is accepted when the
   digits (read confidently, or in review only for an unsure box whose top
   classes spell the number) and the tally (accepted by its reader) both show
   that number by their own pixels. Three readers that share nothing would
   have to land on one number for a misread to pass: on the development
   photos (seeds 21, 41, 61) every bubbles field in review favoured its true
   number. The digits are not accepted by this: the bubbles back them up only
   when read firmly on their own. A column with two marks
   (``multiple_filled``) is never accepted so: a second fill the trainee
   made is not our misreading, and the digits and tally showing the darker
   mark do not make it go away (a pale but real second fill beside a firm
   one reaches 0.30-0.59 of it, as dark as the erasures that reach review).

A backed-up field keeps its (low) confidence, so the grader can accept it as
matching the key but will not call it wrong on that strength: a mismatch with
the key stays in review. There are two exceptions, both digits fields:

* backed up by its bubbles *and* its tally: two readings sure on their own
  show the value its pixels favour, so for the digits to hold another number
  the trainee would have to have written the pair inconsistently *and* our
  misread would have to land exactly on the marks' value (the grader still
  suspects such digits where a failing sum holds with the key's number, and
  reasons about their boxes in the rules: the marks show what the trainee
  meant, not what an unsure box of the digits holds);
* *pinned* by arithmetic: two rules that hold, each with every other field
  read confidently by its own pixels, fix this field's value independently
  of its pixels, and the pixels favour the same value, while every other
  equality rule it is in holds too, and every one can be checked. One rule
  alone can hold only because the trainee's slip in it offsets our misread
  (III.A.J one too high, III.A.P misread one too high), and one whose other
  weak field is a second misread of ours proves nothing. For such a field to
  be misread, the trainee would have to make arithmetic mistakes that
  exactly match our misread in two rules at once.

The grader may call either wrong. A backed-up tally or bubbles field is never called wrong.

A reading the trainee disputes (``disputed_by_trainee``: "that is not what I wrote") is relied on for nothing,
and what they say they wrote is unchecked: it is not a trainer's correction. So a dispute may add doubt, never
take it away from another field: an equality rule with a disputed term backs none of its other fields up (as one
failing on it would not), and the weak readings of a pair whose disputed field disagrees with them stay in
review (:func:`_contested`), unless the reader itself was unsure of that field, which then cast no doubt to keep. Otherwise the sums a disputed field broke stopped counting against their unsure
terms, which the other sums then backed up: disputing I.A.3.L, read firmly and in two failing sums, turned
I.A.3.J and I.A.4.L, in review for an unsure box, into "Benar" on the trainee's word (rehearsal helper-185).

Context never changes a value, never turns a reading into a different number,
and never sees the answer key: this module takes readings only. A
disagreement between three confident readings is left alone; the grader
reports it as the trainee's inconsistency.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Sequence

from grader.read.numbers import (NOTE_ACROSS_BORDERS, NOTE_BLANK_LEADING, NOTE_ONE_BY_SHAPE, NOTE_OVERWRITTEN,
                                 NOTE_UNSURE_BOX, OK, REVIEW)
from grader.read.sheet_reader import FieldReading
from grader.recognize.bubbles import NOTE_ERASED, NOTE_LIGHT, NOTE_NONE
from grader.rules import Rule

BACKUP_BOX_FLOOR = 0.6        # each box's own probability must still be at least this
# A reading counts as "confident on its own" from here. Accepted bubble and tally readings (their readers send
# doubt to review themselves) were right at every confidence: on 700 generated page-2 photos outside the
# evaluation set (600 from the digit model's training photos, 100 dev photos), 4,561 accepted, 0 wrong, 451 of
# them between 0.8 and 0.9 (0.9 was the line before). Accepted digits readings are above 0.99 anyway.
CONFIDENT = 0.8
NOTE_BACKED_UP = "backed_up_by_bubbles_and_tally"
NOTE_BACKED_UP_RULES = "backed_up_by_arithmetic"
NOTE_PINNED = "pinned_by_arithmetic"
PIN_MIN_CONFIDENCE = 0.999    # the grader's bar for a "wrong" verdict (grading.certainty.WRONG_MIN_CONFIDENCE)
NOTE_DISAGREES_WEAK = "disagrees_with_weak_reading"
# Notes the grader puts on readings (grader.grading.grade.reviewed_readings): a trainer's correction makes a
# reading certain; a reading the trainee disputes ("that is not what I wrote") is never relied on or backed up.
NOTE_CORRECTED = "corrected"
NOTE_DISPUTED = "disputed_by_trainee"
NOTE_TALLY_BACKED_UP = "backed_up_by_digits_and_bubbles"
# Tally confidences at or below this come from malformed groups (grader.recognize.tally_groups: a crossing
# stroke over too few uprights 0.35, two strokes joined 0.4, cells out of filling order 0.4): the count is a
# guess, not what the strokes favour. Above it the doubt is about one cell (a bent printed line, a faint stroke,
# an unclear last crossing stroke; 0.5 and up) and the count is the reader's best. On the development photos
# (seed 21, 100 page-2 photos) 12 of the 13 tally reviews above 0.4 had the right count; all 5 below 0.4 were
# wrong. Backed up: 6 of 6 right there, and 19 of 19 on the 600 page-2 photos of the digit model's training set
# (never the evaluation set).
TALLY_BACKUP_FLOOR = 0.4
NOTE_BUBBLES_BACKED_UP = "backed_up_by_digits_and_tally"
# The bubble reader's notes of a field in doubt only for a light mark (grader.recognize.bubbles): never a column
# whose printed bubbles were not found where they belong, nor one with two marks (``multiple_filled``: a second fill
# is the trainee's, whatever the digits and tally say; results stored while such columns were favoured carry a
# value), nor a trainee's dispute.
BUBBLE_DOUBTS = frozenset({NOTE_LIGHT, NOTE_ERASED, NOTE_NONE})
# A mark accepted by context on the strength of the other two readings of its pair: it backs nothing up in turn, and
# is never called wrong (grader.grading.certainty.is_firm).
MARKS_BACKED_UP = frozenset({NOTE_TALLY_BACKED_UP, NOTE_BUBBLES_BACKED_UP})


#: Every note this module adds (see :func:`undo_context`).
CONTEXT_NOTES = (NOTE_BACKED_UP, NOTE_BACKED_UP_RULES, NOTE_PINNED, NOTE_DISAGREES_WEAK, NOTE_TALLY_BACKED_UP,
                 NOTE_BUBBLES_BACKED_UP)


def undo_context(r: FieldReading) -> FieldReading:
    """The reading as its reader gave it, before :func:`apply_context`.

    Context only ever changes a status and adds notes from :data:`CONTEXT_NOTES`, so the notes tell
    what it did: a weak reading it doubted was accepted; a backed-up tally, and digits backed up
    while in review for an unsure box, were in review.
    """
    notes = set(r.notes)
    if not notes & set(CONTEXT_NOTES):
        return r
    status = r.status
    if NOTE_DISAGREES_WEAK in notes:
        status = OK
    elif (notes & {NOTE_TALLY_BACKED_UP, NOTE_BUBBLES_BACKED_UP, NOTE_BACKED_UP_RULES}
          or {NOTE_BACKED_UP, NOTE_UNSURE_BOX} <= notes):
        status = REVIEW
    return replace(r, status=status, notes=tuple(n for n in r.notes if n not in CONTEXT_NOTES))


def apply_context(readings: dict[str, FieldReading], rules: Sequence[Rule] = ()) -> dict[str, FieldReading]:
    """Return readings with statuses adjusted by the policy above (values untouched).

    ``rules`` are the sheet's expanded arithmetic rules (``grader.rules.expand_rules``).
    """
    return _back_up_by_rules(_mirror_context(readings), rules)


def _mirror_context(readings: dict[str, FieldReading]) -> dict[str, FieldReading]:
    """Digits against the bubbles and tally of the same pair."""
    out = dict(readings)
    for fid, r in readings.items():
        if r.kind != "digits":
            continue
        mirrors = [readings.get(f"{fid}.bubbles"), readings.get(f"{fid}.tally")]
        mirrors = [m for m in mirrors if m is not None]
        if not mirrors:
            continue
        tally, bubbles = readings.get(f"{fid}.tally"), readings.get(f"{fid}.bubbles")
        if tally is not None and bubbles is not None and _tally_can_be_backed_up(tally, r, bubbles):
            out[tally.id] = replace(tally, status=OK, notes=tally.notes + (NOTE_TALLY_BACKED_UP,))
            mirrors = [bubbles, out[tally.id]]
        elif tally is not None and bubbles is not None and _bubbles_can_be_backed_up(bubbles, r, tally):
            out[bubbles.id] = replace(bubbles, status=OK, notes=bubbles.notes + (NOTE_BUBBLES_BACKED_UP,))
            mirrors = [out[bubbles.id], tally]
        if _can_back_up(r, mirrors):
            out[fid] = replace(r, status=OK, notes=r.notes + (NOTE_BACKED_UP,))
            continue
        group = [r] + mirrors
        # (a disputed reading disagrees as it was read: the trainee's word does not end the doubt it cast; one the
        # reader itself was unsure of cast none, and casts none now: helper-190, a weak tally and bubbles at 51 beside
        # digits read 6? went to review when the digits were disputed)
        values = {g.value for g in group if g.value is not None
                  and (g.status == OK or (_contested(g) and not _reader_unsure(g)))}
        if len(values) > 1:
            # Readings disagree. If one of them is weak, we cannot tell the trainee's
            # inconsistency from our misreading: review the weak ones, unless a confident reading of
            # the same pair says the same number (the odd one out is then another reading: a misread
            # of the weak one would have had to land on exactly that number).
            confident = {g.value for g in group if g.status == OK and g.confidence >= CONFIDENT}
            for g in group:
                if g.status == OK and g.confidence < CONFIDENT and g.value not in confident:
                    out[g.id] = replace(g, status=REVIEW, notes=g.notes + (NOTE_DISAGREES_WEAK,))
    return out


def _weak(r: FieldReading) -> bool:
    """Digits context may back up: in review only for an unsure box, or accepted below the bar for ``wrong``."""
    return _only_unsure(r) or (r.kind == "digits" and r.status == OK and r.value is not None
                               and r.confidence < PIN_MIN_CONFIDENCE)


def _only_unsure(r: FieldReading) -> bool:
    """In review only because a box fell below the threshold, and the pixels still favour a value."""
    # (a blank leading box does not change the value: " 47" is 47, so it may be backed up like "X47"; nor does a 1
    # accepted for its shape, "1" beside an unsure "5")
    return (r.kind == "digits" and r.status == REVIEW and r.value is not None
            and set(r.notes) - {NOTE_BLANK_LEADING, NOTE_ONE_BY_SHAPE} == {NOTE_UNSURE_BOX}
            and bool(r.box_confidence) and min(r.box_confidence) >= BACKUP_BOX_FLOOR)


def _back_up_by_rules(readings: dict[str, FieldReading], rules: Sequence[Rule]) -> dict[str, FieldReading]:
    """Accept, and maybe pin, weak digits readings whose favoured values satisfy every equality rule they are in.

    Weak: in review only for an unsure box (see :func:`_only_unsure`), or accepted with a field
    confidence below :data:`PIN_MIN_CONFIDENCE`. A weak field is *pinned* when, in addition, two or more
    holding rules each have every other field read confidently by its own pixels: the arithmetic then fixes
    the value independently of this field's pixels, twice, and both agree; and every equality rule it is in can be
    checked (a rule left unchecked might be the one that fails).
    """
    # (a pair's digits that its bubbles or tally, read surely, contradict are not backed up: a misread hundreds
    # digit repeated in a column total by the same hand can still satisfy the sum)
    weak = {fid for fid, r in readings.items() if _weak(r) and not _contradicted_by_marks(readings, fid)}
    if not weak:
        return readings

    def usable(fid: str) -> bool:
        r = readings.get(fid)
        return r is not None and r.value is not None and (r.status == OK or fid in weak)

    def confident(fid: str) -> bool:
        return readings[fid].status == OK and readings[fid].confidence >= PIN_MIN_CONFIDENCE

    holds: dict[str, list[bool]] = {fid: [] for fid in weak}
    pins: dict[str, int] = {}       # weak field -> the rules that hold with every other field of them confident
    unchecked: set[str] = set()     # weak fields in an equality rule that cannot be checked (a term unread or blank)
    for rule in rules:
        if rule.op != "==":
            continue
        if any(_contested(readings.get(f)) for f in rule.fields):
            # (it may have failed on the disputed reading: a dispute lifts no doubt, so it backs up nothing here)
            for f in set(rule.fields) & weak:
                holds[f].append(False)
            continue
        if not all(usable(f) for f in rule.fields):
            # A pin stands on every equality rule of the field holding: the trainee's own slip in one rule may
            # exactly offset our misread there (row total one too high, L misread one too high), and only another
            # rule catches it. A rule we cannot check catches nothing, so it leaves the field unpinned (a row holding
            # alone pinned such a misread with the column total not checkable, and it was marked wrong: fuzzer
            # .cache/fuzz_grading.py, seed 2002626).
            unchecked.update(set(rule.fields) & weak)
            continue
        ok = sum(readings[f].value for f in rule.lhs) == sum(readings[f].value for f in rule.rhs)
        for f in set(rule.fields) & weak:
            holds[f].append(ok)
            if ok and all(confident(g) for g in rule.fields if g != f):
                pins[f] = pins.get(f, 0) + 1
    out = dict(readings)
    # (a pin also needs two rules that hold with every other field of each confident: one such rule can hold only
    # because the trainee's slip in it offsets our misread, III.A.J written one too high beside III.A.P misread one
    # too high; and a rule with another weak field can hold only because we misread that one too, L one too high and
    # P one too low in a row whose column totals a swapped L and P in another row had put out by one each)
    for fid, results in holds.items():
        if not results or not all(results):
            continue
        r = readings[fid]
        notes = r.notes + ((NOTE_BACKED_UP_RULES,) if r.status != OK else ()) + \
            ((NOTE_PINNED,) if pins.get(fid, 0) >= 2 and fid not in unchecked else ())
        if notes != r.notes:
            out[fid] = replace(r, status=OK, notes=notes)
    return out


def _contested(r: FieldReading | None) -> bool:
    """A reading the trainee disputes that was read as a number: until a trainer settles it, it counts as what was
    read where it casts doubt on another field, and nowhere as evidence (see the policy above)."""
    return r is not None and r.value is not None and NOTE_DISPUTED in r.notes


#: The notes by which a digits reading shows the reader itself held it in review (an unsure or overwritten box, a
#: number across its boxes), after grading has put it in review or called it wrong as well: a disputed field's
#: doubt (:func:`_reader_unsure`) and a regrade's reader view (:func:`grader.grading.grade.reader_view`).
READER_DOUBT_NOTES = frozenset({NOTE_UNSURE_BOX, NOTE_OVERWRITTEN, NOTE_ACROSS_BORDERS})


def _reader_unsure(r: FieldReading) -> bool:
    """Whether the reader itself held a digits reading in review (:data:`READER_DOUBT_NOTES`): such a reading
    disagreed with nothing before it was disputed."""
    return bool(READER_DOUBT_NOTES & set(r.notes))


def _sure(r: FieldReading) -> bool:
    """Accepted, and read confidently on its own (:data:`CONFIDENT`)."""
    return r.status == OK and r.confidence >= CONFIDENT


def _contradicted_by_marks(readings: dict[str, FieldReading], fid: str) -> bool:
    """The bubbles or the tally of this pair, read confidently, show another number."""
    value = readings[fid].value
    return any(m is not None and _sure(m) and m.value != value
               for m in (readings.get(f"{fid}.bubbles"), readings.get(f"{fid}.tally")))


def _sure_by_own_pixels(digits: FieldReading) -> bool:
    """Digits read confidently by their own pixels (or corrected), not accepted by context."""
    return _sure(digits) and set(digits.notes) <= {NOTE_BLANK_LEADING, NOTE_CORRECTED}


def _tally_can_be_backed_up(tally: FieldReading, digits: FieldReading, bubbles: FieldReading) -> bool:
    return (tally.status == REVIEW and tally.value is not None and tally.confidence > TALLY_BACKUP_FLOOR
            and NOTE_DISPUTED not in tally.notes
            and _sure_by_own_pixels(digits)
            and _sure(bubbles)
            and tally.value == digits.value == bubbles.value)


def _bubbles_can_be_backed_up(bubbles: FieldReading, digits: FieldReading, tally: FieldReading) -> bool:
    return (bubbles.status == REVIEW and bubbles.value is not None and set(bubbles.notes) <= BUBBLE_DOUBTS
            and (_sure_by_own_pixels(digits) or _only_unsure(digits))
            and tally.status == OK and NOTE_TALLY_BACKED_UP not in tally.notes
            and bubbles.value == digits.value == tally.value)


def _can_back_up(r: FieldReading, mirrors: list[FieldReading]) -> bool:
    """Weak digits (in review for an unsure box, or accepted below the bar for ``wrong``) that both marks repeat.

    Each mark must be sure on its own: a tally backed up by these very digits backs nothing up.
    On generated page-2 photos outside the evaluation set, the accepted weak digits that both
    marks repeat were never misread (0 of 177 on the dev photos, 0 of 1,086 on the 600 page-2
    photos of the digit model's training set).
    """
    return _weak(r) and len(mirrors) == 2 and all(
        _sure(m) and m.value == r.value and not MARKS_BACKED_UP & set(m.notes) for m in mirrors)
