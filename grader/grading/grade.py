"""Turn readings into a verdict a trainee can learn from.

Inputs are the readings of one trainee's pages and the answer key; the output
is the result dict documented in the README ("Result JSON"). The one rule
above all: only a confident reading can make a field ``wrong`` or a rule
``violated``; anything we are unsure of is ``review``.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace

from grader.exercise.store import AnswerKey
from grader.grading.certainty import (NOTE_MARKS_SUSPECT, NOTE_RULE_SUSPECT, NOTE_WRONG_BY_SURE_BOXES, exact,
                                      fails_whatever_unsure, held, is_firm, read_surely, shown_term, wrong_whatever_unsure)
from grader.grading.findings import conventions, cross_checks
from grader.grading.review_queue import NOTE_PAGE_MISSING
from grader.grading.shown import shown_reading
from grader.grading.summary import score, top_fixes
from grader.read.context import NOTE_BACKED_UP, NOTE_CORRECTED, NOTE_DISPUTED, READER_DOUBT_NOTES, apply_context
from grader.read.numbers import NOT_READ_FROM_ITS_BOXES, NOTE_BLANK_LEADING
from grader.read.sheet_reader import FieldReading
from grader.rules import RuleResult, evaluate_rules, expand_rules
from grader.sheet.layout import FieldLayout, SheetLayout

# NOTE_DISPUTED: the trainee says we misread this field ("that is not what I wrote"): until a trainer looks, it
# is in review (and context relies on it for nothing).
# Why the grader (not the reader) left a field to review: it differs from the key but is not read surely enough
# to call wrong; or a rule fails and this field is one of its unsure readings.
NOTE_NOT_SURE_ENOUGH = "not_sure_enough_for_wrong"
NOTE_RULE_DOUBT = "in_failing_rule_unsure"
#: Notes the grader adds (a regrade starts from the readings without them).
# A field the trainee disputes, saying they wrote a number other than the key's: wrong on their own word, whatever we
# read, until a trainer settles what was written (helper-136: a dispute saying "04" where the key has 24 took the
# field out of the score, 99 -> 100). Its reading stays disputed: the rules and cross-checks it is in wait.
NOTE_WRONG_BY_OWN_WORD = "wrong_by_trainees_word"
GRADER_NOTES = (NOTE_DISPUTED, NOTE_NOT_SURE_ENOUGH, NOTE_RULE_DOUBT, NOTE_RULE_SUSPECT, NOTE_MARKS_SUSPECT,
                NOTE_WRONG_BY_SURE_BOXES, NOTE_WRONG_BY_OWN_WORD)
STATUSES = ("ok", "wrong", "review", "blank", "unreadable")


def field_status(reading: FieldReading | None, expected: int | None) -> str:
    """The verdict of one field: only a very confident reading can be ``wrong`` (:func:`certainty.held`; one firm as a
    whole with a box below SURE_BOX is ``review`` here, and wrong below only if its sure boxes already differ)."""
    if reading is None:
        return "unreadable"
    if reading.status == "blank" and reading.kind == "tally" and expected == 0:
        return "ok"          # (an empty tally grid is how a count of zero is tallied: nothing belongs there)
    if reading.status != "ok":
        return reading.status
    if expected is None or reading.value == expected:
        return "ok"
    return "wrong" if held(reading) else "review"


def reader_view(field: dict) -> tuple[str, tuple[str, ...]]:
    """The reader's status and notes behind a graded field (undoing what grading did), for a regrade.

    ``wrong`` and a review the grader decided (not sure enough, an unsure field in a failing rule, a
    trainee's dispute) were read ``ok`` (or ``blank``, for a disputed empty field).
    """
    notes = tuple(field.get("notes") or ())
    status = field["status"]
    if status == "ok" and field.get("value") is None:
        status = "blank"                 # (an empty tally grid, right for a count of zero: field_status)
    if status == "wrong" or (status == "review" and set(notes) & set(GRADER_NOTES)):
        status = "blank" if field.get("value") is None else "ok"
        # ... unless the reader itself had it in review: a digits reading it accepted never carries an unsure or
        # overwritten box, nor a number across its boxes (one accepted by context is put back in review by
        # undo_context as well). A field wrong by its sure boxes, or disputed, may have been read so.
        if READER_DOUBT_NOTES & set(notes):
            status = "review"
    return status, tuple(n for n in notes if n not in GRADER_NOTES)


def _terms_read(rule, readings: dict[str, FieldReading], expected: dict[str, int | None]) -> tuple[str, str]:
    """A violated rule's two sides as its message shows them, term by term (:func:`certainty.shown_term`: a field
    taken exactly at its value, any other as read surely, "?39 + 96")."""
    return tuple(" + ".join(shown_term(readings[f], expected.get(f)) for f in side) for side in (rule.lhs, rule.rhs))


def graded_fields(sheet: SheetLayout) -> list[FieldLayout]:
    return [f for f in sheet.fields() if f.graded and f.kind in ("digits", "bubbles", "tally")]


def expected_for(f: FieldLayout, key: AnswerKey | None) -> int | None:
    if key is None:
        return None
    return key.fields.get(f.mirrors or f.id)


def reviewed_readings(readings: dict[str, FieldReading], corrections: dict[str, dict] | None = None,
                      disputed: Iterable[str] = ()) -> dict[str, FieldReading]:
    """Readings with a trainee's disputes and a trainer's corrections applied (see :func:`grade_sheet`)."""
    corrections = corrections or {}
    readings = dict(readings)
    for fid in set(disputed) - set(corrections):
        r = readings.get(fid)
        # (whatever its status: a field shown as wrong may have been in review for the reader, made firm by context)
        if r is not None and NOTE_DISPUTED not in r.notes:
            readings[fid] = replace(r, status="review", notes=r.notes + (NOTE_DISPUTED,))
    for fid, c in corrections.items():
        old = readings.get(fid)
        kind = old.kind if old else "digits"
        # A blank leading box stays what it was read as when the trainer's value still fits in the boxes after
        # it: a correction fixes the digits we misread, not the box the trainee left empty before them. (Not of a
        # field not read from its boxes: its blank box may be a neighbour's margin or half a digit, and the corrected
        # reading no longer says so; web fuzzer seed 30001498: "XX0" read "X_3" across the borders, corrected to 0.)
        kept = (NOTE_BLANK_LEADING,) if old and NOTE_BLANK_LEADING in old.notes and _fits_after_blanks(
            c["value"], old.boxes) and not NOT_READ_FROM_ITS_BOXES & set(old.notes) else ()
        readings[fid] = FieldReading(fid, kind, old.page if old else 0, c["value"], 1.0,
                                     "blank" if c["value"] is None else "ok",
                                     old.boxes if old else (), old.box_confidence if old else (),
                                     notes=(NOTE_CORRECTED,) + kept)
    return readings


def grade_sheet(sheet: SheetLayout, readings: dict[str, FieldReading], key: AnswerKey | None, *,
                corrections: dict[str, dict] | None = None, disputed: Iterable[str] = (),
                said: Mapping[str, int] | None = None) -> dict:
    """Grade one trainee's merged page readings, as the reader gave them: the one entry point.

    The trainee's disputes and the trainer's corrections are applied first, then cross-field context
    (``grader.read.context``) on the result, then :func:`grade_readings`. A first grading and every regrade
    take this same path, so a corrected misread backs up (or stops backing up) its neighbours exactly as if
    it had been read right the first time.

    Parameters
    ----------
    sheet : the layout of the sheet variant.
    readings : field id → reading, over all pages received (a missing page's fields are absent), before
        context.
    key : the answer key, or None to check only the form's own rules.
    corrections : field id → {"value", "by", "at"} made by a trainer; a corrected field is confident.
    disputed : fields whose reading the trainee disputes. Each goes to review (so it, and every rule or
        cross-check it is in, stops counting against the trainee, and context relies on it for nothing, nor lets
        it lift the doubt it cast on another field: what the trainee says is unchecked) until a trainer corrects it;
        a correction settles the dispute.
    said : of the disputed fields, the number the trainee says they wrote, where they said one. One that is not the
        key's is ``wrong`` on their own word (:data:`NOTE_WRONG_BY_OWN_WORD`), shown at what they said; its reading
        stays disputed, so its rules and cross-checks still wait for a trainer.
    """
    reviewed = reviewed_readings(readings, corrections, disputed)
    return grade_readings(sheet, apply_context(reviewed, expand_rules(sheet.spec.rules, sheet)), key,
                          corrections=corrections, said=said)


def grade_readings(sheet: SheetLayout, readings: dict[str, FieldReading], key: AnswerKey | None, *,
                   corrections: dict[str, dict] | None = None, said: Mapping[str, int] | None = None) -> dict:
    """Grade readings that disputes, corrections and context have already been applied to (see :func:`grade_sheet`).

    Parameters
    ----------
    sheet : the layout of the sheet variant.
    readings : field id → final reading.
    key : the answer key, or None to check only the form's own rules.
    corrections : the trainer's corrections, only to say who corrected a field and when (a field whose
        reading does not carry the ``corrected`` note was not corrected, whatever this says).

    Returns
    -------
    dict with ``fields``, ``rules``, ``findings``, ``score``, ``counts`` and ``top_fixes``.
    """
    corrections = corrections or {}
    rules = expand_rules(sheet.spec.rules, sheet)
    # A suspected misread is unsure from here on, for everything: its own verdict, the rules it is in (not
    # checkable rather than violated) and its pair's cross-checks (a review item, not the trainee's error).
    suspects = misread_suspects(rules, readings, key)
    contradicted = contradicted_by_marks(readings, key) - suspects
    readings = {fid: replace(r, status="review", notes=r.notes + (NOTE_RULE_SUSPECT,)) if fid in suspects else
                replace(r, status="review", notes=r.notes + (NOTE_MARKS_SUSPECT,)) if fid in contradicted else r
                for fid, r in readings.items()}
    values = {fid: r.value for fid, r in readings.items() if r.kind == "digits" and r.status == "ok"}
    # the key's value per field: for the verdicts below, and for showing a reading in a message (never for reading)
    expected = {f.id: expected_for(f, key) for f in graded_fields(sheet)}
    rule_results = evaluate_rules(rules, values)
    doubted: dict[str, list[str]] = {}           # field -> the failing rules that put it in doubt (their ids)
    checked: list[RuleResult] = []
    for rr in rule_results:
        # Every field of a violated rule must be taken at its value (firm, each box sure) for the failure to be
        # the trainee's as it stands; otherwise it is theirs only if no value our unsure boxes allow makes it hold.
        inexact = tuple(f for f in rr.rule.fields if f not in readings or not exact(readings[f]))
        if rr.status == "violated" and not inexact:
            # (its terms said, not only its sums: "82 ≠ 82 + 74 = 156" shows the kolom kosong left out of V.A, where
            # "82 ≠ 156" read as the key's answer: helper-146)
            rr = replace(rr, terms_read=_terms_read(rr.rule, readings, expected))
        elif rr.status == "ok" or not inexact:
            pass
        elif fails_whatever_unsure(rr.rule, readings):
            rr = RuleResult(rr.rule, "violated", None, None, unsure=inexact,
                            terms_read=_terms_read(rr.rule, readings, expected))
        elif rr.status == "violated":
            # context policy: a conflict with a weak reading sends it to review, never to "violated"; so does one
            # with a firm reading that has a box below certainty.SURE_BOX (the failure may be our misread of that box)
            for f in inexact:
                doubted.setdefault(f, []).append(rr.rule.id)
            rr = RuleResult(rr.rule, "not_checkable", None, None, inexact)
        checked.append(rr)

    fields_out = []
    for f in graded_fields(sheet):
        r = readings.get(f.id)
        exp = expected[f.id]
        status = field_status(r, exp)
        why: tuple[str, ...] = ()
        if status == "review" and r is not None and r.status == "ok":
            why = (NOTE_NOT_SURE_ENOUGH,)            # read, differs from the key, but not surely enough to say so
        if f.id in doubted:                          # (read ok: rules only take accepted values)
            status, why = "review", why + (NOTE_RULE_DOUBT,)
        read_as = None
        if status == "review" and wrong_whatever_unsure(r, exp):
            # (a field in a failing rule with unsure readings, doubted above, is wrong here on its own sure boxes)
            status, why = "wrong", (NOTE_WRONG_BY_SURE_BOXES,)
            read_as = read_surely(r)
        elif status == "wrong" and r.kind == "digits" and not exact(r):
            # Held at its bubbles' and tally's number (certainty.held), not at what its own boxes say surely: what it
            # says was written is what we read surely ("13?"), never our guess at its unsure box. Web fuzzer seed
            # 34003492: digits written 139, marks 130, the last box misread "0" at 0.94: "written 130" in top_fixes.
            read_as = read_surely(r)
        own = (said or {}).get(f.id)
        if r is not None and NOTE_DISPUTED in r.notes and own is not None and exp is not None and own != exp:
            status, why, read_as = "wrong", (NOTE_WRONG_BY_OWN_WORD,), str(own)
        c = corrections.get(f.id) if r is not None and NOTE_CORRECTED in r.notes else None
        fields_out.append({
            "id": f.id, "page": f.page, "section": f.section, "label": f.label, "label_en": f.label_en or f.label,
            "kind": f.kind,
            "value": r.value if r else None, "confidence": r.confidence if r else 0.0,   # (kept to 4 places)
            "read_as": read_as,
            "status": status, "expected": exp, "boxes": list(r.boxes) if r else [],
            # (the rules whose failure put it in review: a trainer checks their terms, not the crop alone)
            "doubted_by": doubted.get(f.id, []) if status == "review" else [],
            "box_confidence": list(r.box_confidence) if r else [],
            # (which boxes the reader was unsure of, or saw overwritten: a trainer looks at those first)
            "unsure_boxes": sorted(r.detail.get("unsure_boxes", ())) if r else [],
            # (a tally's cells in doubt, each with its place in the grid and the count read there: a trainer checks
            # those instead of counting the whole field again; none once a trainer has given the count)
            "unsure_cells": list(r.detail.get("unsure_cells", ())) if r else [],
            "notes": list(r.notes) + list(why) if r else [NOTE_PAGE_MISSING], "crop": None,
            "corrected_by": c.get("by") if c else None, "corrected_at": c.get("at") if c else None})

    findings = (cross_checks(sheet, readings, shown=lambda r: shown_term(r, expected.get(r.id)),
                             shown_doubt=_as_its_row({f["id"]: f for f in fields_out}, expected))
                + conventions(sheet, readings))
    counts = {s: sum(1 for x in fields_out if x["status"] == s) for s in STATUSES}
    rules_out = [{"id": rr.rule.id, "base_id": rr.rule.base_id, "severity": rr.rule.severity, "status": rr.status,
                  "message_id": rr.message("id"), "message_en": rr.message("en"), "fields": list(rr.rule.fields),
                  "lhs": rr.lhs_value, "rhs": rr.rhs_value, "op": rr.rule.op, "expression": rr.rule.expression(),
                  "unsure": list(rr.unsure), "text_id": rr.rule.text_id, "text_en": rr.rule.text_en}
                 for rr in checked]
    return {"fields": fields_out, "rules": rules_out, "findings": [x.to_json() for x in findings],
            "counts": counts, "score": score(fields_out, rules_out),
            "top_fixes": top_fixes(sheet, fields_out, rules_out, findings)}


def _as_its_row(rows: dict[str, dict], expected: dict[str, int | None]):
    """How a note of our doubt (a pair's marks to check) writes a digits reading: as the field's own row shows it
    (:func:`~grader.grading.shown.shown_reading`, what the result page and the printed feedback put under "Terbaca").
    Such a note says we are unsure, so it may show what the row shows, and must show no other number: a field in
    review for digits across its borders, with no box named unsure, showed "111" in its row while the pair's note
    said "angka ???" (rehearsal helper-185). A field the trainee disputes is written as before
    (:func:`~grader.grading.certainty.shown_term`): its row shows our whole reading, or their own number, and the note
    that they dispute our reading keeps to the boxes read surely."""
    def show(r: FieldReading) -> str:
        row = rows.get(r.id)
        if row is None or NOTE_DISPUTED in r.notes:
            return shown_term(r, expected.get(r.id), doubt=True)
        return shown_reading(row)
    return show


def _fits_after_blanks(value: int | None, boxes: tuple[str, ...]) -> bool:
    """``value`` fits in the boxes after the last blank box that comes before the digits read."""
    first = next((i for i, b in enumerate(boxes) if b.isdigit()), len(boxes))
    blanks = [i for i, b in enumerate(boxes[:first]) if b == ""]
    return value is not None and bool(blanks) and len(str(value)) <= len(boxes) - blanks[-1] - 1


def contradicted_by_marks(readings: dict[str, FieldReading], key: AnswerKey | None) -> set[str]:
    """Digits readings held against the trainee (firm, or wrong by their sure boxes alone) that differ from the key
    while the pair's bubbles and tally, both firm, give the key's number.

    Either we misread a digit the trainee wrote right three ways (a looped 2 read as 9 at confidence 1.0), or the
    trainee slipped in the digits alone; both deserve a trainer's look rather than a "wrong" and a cross-check
    error. One mark agreeing with the key is not enough (the other repeats the digits: the slip is the trainee's).
    The key decides a verdict here, never a reading: values are not changed.
    """
    if key is None:
        return set()
    out = set()
    for fid, r in readings.items():
        expected = key.fields.get(fid)
        # (a dash read surely from a dry pen's faded 2 made "26" "X-6": wrong by its sure boxes, 0.998 as a whole)
        if (r.kind != "digits" or expected is None or r.value == expected or NOTE_CORRECTED in r.notes
                or not (is_firm(r) or wrong_whatever_unsure(r, expected))):
            continue
        marks = (readings.get(f"{fid}.bubbles"), readings.get(f"{fid}.tally"))
        if all(m is not None and is_firm(m) and m.value == expected for m in marks):
            out.add(fid)
    return out


def misread_suspects(rules, readings: dict[str, FieldReading], key: AnswerKey | None) -> set[str]:
    """Firm digits readings that differ from the key where an unsure neighbour says we may have misread them.

    A field is a suspect when an equality rule it is in, taken with the values the pixels favour (unsure
    readings included), fails with this field as read and holds with the key's value for it, while some
    other field of the rule is not read firmly, and nothing firm of the trainee's agrees with it as read
    (see ``corroborated``). Either we misread it, or the trainee wrote a wrong number and a total that only
    the key could give; both deserve a trainer's look rather than a "wrong". (With every reading of the
    rule firm, the failure is the trainee's, reported as a violated rule.) The key decides a verdict here,
    never a reading: values are not changed.
    """
    if key is None:
        return set()
    equalities = [rule for rule in rules if rule.op == "==" and all(
        readings.get(f) is not None and readings[f].kind == "digits" and readings[f].value is not None
        for f in rule.fields)]

    def sides(rule, fid=None, value=None) -> tuple[int, int]:
        val = {f: readings[f].value for f in rule.fields} | ({fid: value} if fid else {})
        return sum(val[f] for f in rule.lhs), sum(val[f] for f in rule.rhs)

    def by_marks(fid: str) -> bool:
        """Firm only because the pair's bubbles and tally show the number its unsure pixels favour (context's
        back-up): the marks then cannot vouch for it again, nor other firm readings blame the trainee for a rule
        it fails. The trainee's marks may both be off where the digits are right, and our misread land on them
        (fuzzer seed 4001078: IV.1 written right, tally and bubbles one too low, the digits' last box misread at
        0.81 as the same; V.A, written as the key's sum, was violated and IV.1 marked wrong)."""
        return NOTE_BACKED_UP in readings[fid].notes

    def corroborated(fid: str) -> bool:
        """The trainee's own marks agree with what we read: a rule holds on this reading with every other field
        read firmly (a swapped L and P still add up to their firm row total), or the pair's bubbles or tally,
        read firmly, show the same number (a wrong count written the same way three times)."""
        marks = (readings.get(f"{fid}.bubbles"), readings.get(f"{fid}.tally"))
        return (not by_marks(fid) and any(m is not None and is_firm(m) and m.value == readings[fid].value
                                          for m in marks)) or any(
            fid in rule.fields and len(set(sides(rule))) == 1
            and all(is_firm(readings[g]) for g in rule.fields if g != fid) for rule in equalities)

    def read_firmly(r: FieldReading) -> bool:
        """Firm by its own pixels. Not a neighbour a trainer confirmed: it is certain, but nobody has looked at the
        suspect, and confirming unsure totals must not turn our possible misread into the trainee's mistake
        unseen. But a disputed one: only a field read firmly as wrong or blank can be disputed, and the trainee's
        own dispute must not make another of their mistakes a suspect."""
        return (is_firm(r) and NOTE_CORRECTED not in r.notes) or NOTE_DISPUTED in r.notes

    out: set[str] = set()
    for rule in equalities:
        if len(set(sides(rule))) == 1:
            continue
        for fid in rule.fields:
            r, expected = readings[fid], key.fields.get(fid)
            if not is_firm(r) or expected is None or r.value == expected or NOTE_CORRECTED in r.notes:
                continue            # (a trainer's correction is what was written: no misread to suspect)
            if wrong_whatever_unsure(r, expected):
                # (its sure boxes already rule the key's number out, a leading X before "29" where 141 belongs: no
                # misread of its unsure boxes explains the difference, and a neighbour a trainer confirmed made it a
                # suspect, "Menunggu pelatih" where it was rightly "Salah"; helper-149)
                continue
            if all(read_firmly(readings[g]) for g in rule.fields if g != fid) and not by_marks(fid):
                continue
            if len(set(sides(rule, fid, expected))) == 1 and not corroborated(fid):
                out.add(fid)
    return out


