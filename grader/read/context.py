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
   confidently on their own, show the same number.

Context never changes a value, never turns a reading into a different number,
and never sees the answer key: this module takes readings only. A
disagreement between three confident readings is left alone; the grader
reports it as the trainee's inconsistency.
"""
from __future__ import annotations

from dataclasses import replace

from grader.read.numbers import NOTE_UNSURE_BOX, OK, REVIEW
from grader.read.sheet_reader import FieldReading

BACKUP_BOX_FLOOR = 0.6        # each box's own probability must still be at least this
CONFIDENT = 0.9               # a mirror reading counts as "confident on its own" above this
NOTE_BACKED_UP = "backed_up_by_bubbles_and_tally"
NOTE_DISAGREES_WEAK = "disagrees_with_weak_reading"


def apply_context(readings: dict[str, FieldReading]) -> dict[str, FieldReading]:
    """Return readings with statuses adjusted by the policy above (values untouched)."""
    out = dict(readings)
    for fid, r in readings.items():
        if r.kind != "digits":
            continue
        mirrors = [readings.get(f"{fid}.bubbles"), readings.get(f"{fid}.tally")]
        mirrors = [m for m in mirrors if m is not None]
        if not mirrors:
            continue
        if _can_back_up(r, mirrors):
            out[fid] = replace(r, status=OK, notes=r.notes + (NOTE_BACKED_UP,))
            continue
        group = [r] + mirrors
        values = {g.value for g in group if g.value is not None and g.status == OK}
        if len(values) > 1:
            # Readings disagree. If one of them is weak, we cannot tell the trainee's
            # inconsistency from our misreading: review the weak ones.
            for g in group:
                if g.status == OK and g.confidence < CONFIDENT:
                    out[g.id] = replace(g, status=REVIEW, notes=g.notes + (NOTE_DISAGREES_WEAK,))
    return out


def _can_back_up(r: FieldReading, mirrors: list[FieldReading]) -> bool:
    if r.status != REVIEW or r.value is None or set(r.notes) != {NOTE_UNSURE_BOX}:
        return False
    if not r.box_confidence or min(r.box_confidence) < BACKUP_BOX_FLOOR:
        return False
    return len(mirrors) == 2 and all(m.status == OK and m.confidence >= CONFIDENT and m.value == r.value
                                     for m in mirrors)
