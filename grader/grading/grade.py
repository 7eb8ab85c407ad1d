"""Turn readings into a verdict a trainee can learn from.

Inputs are the readings of one trainee's pages and the answer key; the output
is the result dict documented in the README ("Result JSON"). The one rule
above all: only a confident reading can make a field ``wrong`` or a rule
``violated``; anything we are unsure of is ``review``.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from grader.exercise.store import AnswerKey
from grader.grading.certainty import (NOTE_RULE_SUSPECT, NOTE_WRONG_BY_SURE_BOXES, WRONG_MIN_CONFIDENCE, exact,
                                      fails_whatever_unsure, is_firm, possible_values, read_surely,
                                      wrong_whatever_unsure)
from grader.grading.review_queue import NOTE_PAGE_MISSING
from grader.read.context import NOTE_CORRECTED, NOTE_DISPUTED, apply_context
from grader.read.numbers import NOTE_BLANK_LEADING, NOTE_OVERWRITTEN, NOTE_UNSURE_BOX
from grader.read.sheet_reader import FieldReading
from grader.rules import RuleResult, evaluate_rules, expand_rules
from grader.sheet.layout import EMPTY_COLUMN_ID, FieldLayout, SheetLayout

# Score weights (README "Score"): points per graded item; review/unreadable items and
# not-checkable rules are left out of both the earned and the possible points.
WEIGHTS = {"digits": 1.0, "bubbles": 0.5, "tally": 0.5, "rule": 1.0}
# NOTE_DISPUTED: the trainee says we misread this field ("that is not what I wrote"): until a trainer looks, it
# is in review (and context relies on it for nothing).
# Why the grader (not the reader) left a field to review: it differs from the key but is not read surely enough
# to call wrong; or a rule fails and this field is one of its unsure readings.
NOTE_NOT_SURE_ENOUGH = "not_sure_enough_for_wrong"
NOTE_RULE_DOUBT = "in_failing_rule_unsure"
#: Notes the grader adds (a regrade starts from the readings without them).
GRADER_NOTES = (NOTE_DISPUTED, NOTE_NOT_SURE_ENOUGH, NOTE_RULE_DOUBT, NOTE_RULE_SUSPECT, NOTE_WRONG_BY_SURE_BOXES)
MAGIC_RULES = ("ballots_used_equal_voters", "votes_equal_voters")
STATUSES = ("ok", "wrong", "review", "blank", "unreadable")


@dataclass(frozen=True)
class Finding:
    kind: str          # cross_check | convention
    severity: str      # error | warning | review
    message_id: str
    message_en: str
    fields: tuple[str, ...]

    def to_json(self) -> dict:
        return {"kind": self.kind, "severity": self.severity, "message_id": self.message_id,
                "message_en": self.message_en, "fields": list(self.fields)}


def field_status(reading: FieldReading | None, expected: int | None) -> str:
    """The verdict of one field: only a very confident reading can be ``wrong``."""
    if reading is None:
        return "unreadable"
    if reading.status != "ok":
        return reading.status
    if expected is None or reading.value == expected:
        return "ok"
    return "wrong" if is_firm(reading) else "review"


def reader_view(field: dict) -> tuple[str, tuple[str, ...]]:
    """The reader's status and notes behind a graded field (undoing what grading did), for a regrade.

    ``wrong`` and a review the grader decided (not sure enough, an unsure field in a failing rule, a
    trainee's dispute) were read ``ok`` (or ``blank``, for a disputed empty field).
    """
    notes = tuple(field.get("notes") or ())
    status = field["status"]
    if status == "wrong" or (status == "review" and set(notes) & set(GRADER_NOTES)):
        status = "blank" if field.get("value") is None else "ok"
        # ... unless the reader itself had it in review: a digits reading it accepted never carries an unsure or
        # overwritten box (one accepted by context is put back in review by undo_context as well). A field wrong by
        # its sure boxes, or disputed, may have been read so.
        if {NOTE_UNSURE_BOX, NOTE_OVERWRITTEN} & set(notes):
            status = "review"
    return status, tuple(n for n in notes if n not in GRADER_NOTES)


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
        # it: a correction fixes the digits we misread, not the box the trainee left empty before them.
        kept = (NOTE_BLANK_LEADING,) if old and NOTE_BLANK_LEADING in old.notes and _fits_after_blanks(
            c["value"], old.boxes) else ()
        readings[fid] = FieldReading(fid, kind, old.page if old else 0, c["value"], 1.0,
                                     "blank" if c["value"] is None else "ok",
                                     old.boxes if old else (), old.box_confidence if old else (),
                                     notes=(NOTE_CORRECTED,) + kept)
    return readings


def grade_sheet(sheet: SheetLayout, readings: dict[str, FieldReading], key: AnswerKey | None, *,
                corrections: dict[str, dict] | None = None, disputed: Iterable[str] = ()) -> dict:
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
        cross-check it is in, stops counting against the trainee, and context relies on it for nothing)
        until a trainer corrects it; a correction settles the dispute.
    """
    reviewed = reviewed_readings(readings, corrections, disputed)
    return grade_readings(sheet, apply_context(reviewed, expand_rules(sheet.spec.rules, sheet)), key,
                          corrections=corrections)


def grade_readings(sheet: SheetLayout, readings: dict[str, FieldReading], key: AnswerKey | None, *,
                   corrections: dict[str, dict] | None = None) -> dict:
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
    readings = {fid: replace(r, status="review", notes=r.notes + (NOTE_RULE_SUSPECT,)) if fid in suspects else r
                for fid, r in readings.items()}
    values = {fid: r.value for fid, r in readings.items() if r.kind == "digits" and r.status == "ok"}
    rule_results = evaluate_rules(rules, values)
    doubted: set[str] = set()
    checked: list[RuleResult] = []
    for rr in rule_results:
        # Every field of a violated rule must be taken at its value (firm, each box sure) for the failure to be
        # the trainee's as it stands; otherwise it is theirs only if no value our unsure boxes allow makes it hold.
        inexact = tuple(f for f in rr.rule.fields if f not in readings or not exact(readings[f]))
        if rr.status == "ok" or not inexact:
            pass
        elif fails_whatever_unsure(rr.rule, readings):
            lhs, rhs = (" + ".join(read_surely(readings[f]) for f in side) for side in (rr.rule.lhs, rr.rule.rhs))
            rr = RuleResult(rr.rule, "violated", None, None, unsure=inexact, terms_read=(lhs, rhs))
        elif rr.status == "violated":
            # context policy: a conflict with a weak reading sends it to review, never to "violated"; so does one
            # with a firm reading that has a box below certainty.SURE_BOX (the failure may be our misread of that box)
            doubted.update(inexact)
            rr = RuleResult(rr.rule, "not_checkable", None, None, inexact)
        checked.append(rr)

    fields_out = []
    for f in graded_fields(sheet):
        r = readings.get(f.id)
        exp = expected_for(f, key)
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
        c = corrections.get(f.id) if r is not None and NOTE_CORRECTED in r.notes else None
        fields_out.append({
            "id": f.id, "page": f.page, "section": f.section, "label": f.label, "label_en": f.label_en or f.label,
            "kind": f.kind,
            "value": r.value if r else None, "confidence": r.confidence if r else 0.0,   # (kept to 4 places)
            "read_as": read_as,
            "status": status, "expected": exp, "boxes": list(r.boxes) if r else [],
            "box_confidence": list(r.box_confidence) if r else [],
            # (which boxes the reader was unsure of, or saw overwritten: a trainer looks at those first)
            "unsure_boxes": sorted(r.detail.get("unsure_boxes", ())) if r else [],
            "notes": list(r.notes) + list(why) if r else [NOTE_PAGE_MISSING], "crop": None,
            "corrected_by": c.get("by") if c else None, "corrected_at": c.get("at") if c else None})

    findings = cross_checks(sheet, readings) + conventions(sheet, readings)
    counts = {s: sum(1 for x in fields_out if x["status"] == s) for s in STATUSES}
    rules_out = [{"id": rr.rule.id, "base_id": rr.rule.base_id, "severity": rr.rule.severity, "status": rr.status,
                  "message_id": rr.message("id"), "message_en": rr.message("en"), "fields": list(rr.rule.fields),
                  "lhs": rr.lhs_value, "rhs": rr.rhs_value, "op": rr.rule.op, "expression": rr.rule.expression(),
                  "unsure": list(rr.unsure), "text_id": rr.rule.text_id, "text_en": rr.rule.text_en}
                 for rr in checked]
    return {"fields": fields_out, "rules": rules_out, "findings": [x.to_json() for x in findings],
            "counts": counts, "score": score(fields_out, rules_out),
            "top_fixes": top_fixes(sheet, fields_out, rules_out, findings)}


def pair_name(pid: str) -> str:
    return "Kolom kosong" if pid == EMPTY_COLUMN_ID else f"Paslon {pid}"


def pair_name_en(pid: str) -> str:
    return "Empty column" if pid == EMPTY_COLUMN_ID else f"Pair {pid}"


EN_MARK = {"turus": "tally", "angka": "digits", "bulatan": "bubbles"}
MARK_OF_KIND = {"tally": "turus", "digits": "angka", "bubbles": "bulatan"}


def _pair_base(field: dict) -> str:
    """``IV.2`` for ``IV.2``, ``IV.2.tally`` and ``IV.2.bubbles``: the number a pair's three ways of writing share."""
    suffix = f".{field['kind']}"
    return field["id"][:-len(suffix)] if field["id"].endswith(suffix) else field["id"]


def cross_checks(sheet: SheetLayout, readings: dict[str, FieldReading]) -> list[Finding]:
    """Tally = digits = bubbles for each pair: the trainee's own inconsistency, or our doubt."""
    out = []
    for pid in sheet.pair_ids:
        fid = f"IV.{pid}"
        trio = {"turus": readings.get(f"{fid}.tally"), "angka": readings.get(fid),
                "bulatan": readings.get(f"{fid}.bubbles")}
        present = {k: r for k, r in trio.items() if r is not None and r.value is not None}
        if len({r.value for r in present.values()}) <= 1:
            continue
        # Two readings we are sure of that disagree prove the trainee's own inconsistency, whatever the
        # third says; then only the sure ones are cited. Otherwise the disagreement may be our misreading.
        firm = {k: r for k, r in present.items() if is_firm(r)}
        error = len({r.value for r in firm.values()}) > 1
        cited = firm if error else present
        digits = present.get("angka")
        possible = possible_values(digits) if not error and digits is not None and "angka" not in firm else None
        if possible is not None:
            # Digits not read firmly as a whole, whose sure boxes already rule out what a firm mark shows: the
            # trainee's inconsistency whatever the unsure boxes say (tally 10, digits "X?4").
            against = {k: r for k, r in firm.items() if r.value not in possible}
            if against:
                error, cited = True, {**against, "angka": digits}
        # (digits not taken exactly are shown as read surely, "?52", never with our guess at an unsure box)
        shown = {k: read_surely(r) if k == "angka" else str(r.value) for k, r in cited.items()}
        ids = tuple(r.id for r in cited.values())
        said_id = ", ".join(f"{k} {shown[k]}" for k in cited)
        said_en = ", ".join(f"{EN_MARK[k]} {shown[k]}" for k in cited)
        if error:
            out.append(Finding("cross_check", "error",
                               f"{pair_name(pid)}: {said_id}. Turus, angka dan bulatan harus sama.",
                               f"{pair_name_en(pid)}: {said_en}. Tally, digits and bubbles must agree.", ids))
        else:
            out.append(Finding("cross_check", "review",
                               f"{pair_name(pid)}: {said_id}. Bacaan kami belum yakin; pelatih akan memeriksa.",
                               f"{pair_name_en(pid)}: {said_en}. Our reading is unsure; a trainer will check.", ids))
    return out


def conventions(sheet: SheetLayout, readings: dict[str, FieldReading]) -> list[Finding]:
    """Writing conventions: a blank leading box instead of X, and overwritten boxes."""
    # A remark about the trainee's writing is a finding against them: only on a very confident reading.
    blank = [r.id for r in readings.values() if NOTE_BLANK_LEADING in r.notes and _blank_boxes_sure(r)
             and NOTE_DISPUTED not in r.notes]
    over = [r.id for r in readings.values() if NOTE_OVERWRITTEN in r.notes]
    out = []
    if blank:
        out.append(Finding("convention", "warning",
                           f"Kotak depan dibiarkan kosong ({', '.join(blank)}). Isi kotak yang tidak terpakai "
                           f"dengan X, misalnya X47.",
                           f"Leading box left blank ({', '.join(blank)}). Fill unused boxes with X, e.g. X47.",
                           tuple(blank)))
    if over:
        out.append(Finding("convention", "review",
                           f"Kotak yang ditimpa/dikoreksi ({', '.join(over)}) akan diperiksa pelatih. Koreksi "
                           f"dengan cairan koreksi lalu tulis ulang dengan jelas.",
                           f"Overwritten boxes ({', '.join(over)}) will be checked by a trainer. Cover a mistake "
                           f"with correction fluid, then write it again clearly.", tuple(over)))
    return out


def _fits_after_blanks(value: int | None, boxes: tuple[str, ...]) -> bool:
    """``value`` fits in the boxes after the last blank box that comes before the digits read."""
    first = next((i for i, b in enumerate(boxes) if b.isdigit()), len(boxes))
    blanks = [i for i, b in enumerate(boxes[:first]) if b == ""]
    return value is not None and bool(blanks) and len(str(value)) <= len(boxes) - blanks[-1] - 1


def _blank_boxes_sure(r: FieldReading) -> bool:
    """The field reads as a number (so something is written after its blank boxes), and every blank box is
    surely blank. How sure its digits are does not matter: whatever they are, a box before them was left empty."""
    blanks = [c for lab, c in zip(r.boxes, r.box_confidence) if lab == ""]
    return r.value is not None and bool(blanks) and min(blanks) >= WRONG_MIN_CONFIDENCE


def score(fields: list[dict], rules: list[dict]) -> float | None:
    """Points earned over points possible, out of 100 (see WEIGHTS)."""
    earned = possible = 0.0
    for f in fields:
        if f["status"] in ("ok", "wrong", "blank"):
            w = WEIGHTS[f["kind"]]
            possible += w
            earned += w if f["status"] == "ok" else 0.0
    for r in rules:
        if r["severity"] == "error" and r["status"] in ("ok", "violated"):
            possible += WEIGHTS["rule"]
            earned += WEIGHTS["rule"] if r["status"] == "ok" else 0.0
    return round(100.0 * earned / possible, 1) if possible else None


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

    def corroborated(fid: str) -> bool:
        """The trainee's own marks agree with what we read: a rule holds on this reading with every other field
        read firmly (a swapped L and P still add up to their firm row total), or the pair's bubbles or tally,
        read firmly, show the same number (a wrong count written the same way three times)."""
        marks = (readings.get(f"{fid}.bubbles"), readings.get(f"{fid}.tally"))
        return any(m is not None and is_firm(m) and m.value == readings[fid].value for m in marks) or any(
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
            if all(read_firmly(readings[g]) for g in rule.fields if g != fid):
                continue
            if len(set(sides(rule, fid, expected))) == 1 and not corroborated(fid):
                out.add(fid)
    return out


def shown_score(score: float | None) -> int | None:
    """A score as shown anywhere (web pages, printed report, CLI, CSV and XLSX exports): whole points,
    rounded *down*.

    One rule everywhere, so a sheet never shows 99 on one page and 98 on another (or 98.8 in the export);
    and rounding down means a 99.5 never reads as a perfect 100.
    """
    return None if score is None else int(float(score) + 1e-9)


def value_read(field: dict) -> str | int | None:
    """What a result field says was written, the one rule for everything that shows or exports it: what we read
    surely, "?" for a digit we did not (``read_as``, on a field wrong by its sure boxes: never our guess at that
    digit), else the value read (0 is a value); None when nothing was read."""
    read_as = field.get("read_as")
    return read_as if read_as not in (None, "") else field.get("value")


def shown_value(field: dict, empty: str = "—") -> str:
    """:func:`value_read` as text, ``empty`` when nothing was read: "—" on the pages and in the fixes, "" in a
    table cell or CSV, "?" on the feedback image."""
    value = value_read(field)
    return empty if value is None else str(value)


def in_language(obj: dict | None, lang: str, base: str = "message") -> str:
    """A result's text in ``lang`` (``"id"`` or ``"en"``): ``obj[base + "_" + lang]``, falling back to the other
    language. A bare ``base`` key (e.g. ``where``) is the Indonesian text, as in the result JSON."""
    if not obj:
        return ""
    first, second = ("en", "id") if lang == "en" else ("id", "en")
    value = obj.get(f"{base}_{first}") or (obj.get(base) if first == "id" else None)
    return value or obj.get(f"{base}_{second}") or obj.get(base) or ""


def score_text(score: float | None) -> str:
    """:func:`shown_score` as text, with a dash for a sheet that has no score."""
    shown = shown_score(score)
    return "—" if shown is None else str(shown)


def _where(sheet: SheetLayout, field_id: str) -> dict:
    """The place on the sheet, in Indonesian (``where``) and English (``where_en``)."""
    try:
        f = sheet.field(field_id)
    except KeyError:
        return {"where": field_id, "where_en": field_id}
    return {"where": f"Halaman {f.page}, {field_id} ({f.label})",
            "where_en": f"Page {f.page}, {field_id} ({f.label_en or f.label})"}


def top_fixes(sheet: SheetLayout, fields: list[dict], rules: list[dict], findings: list[Finding]) -> list[dict]:
    """The three most important things to fix, most important first.

    A finding points at the field of it that is wrong (``turus 71, bulatan 571`` at the bubbles, not the tally),
    and a wrong field that a cross-check already names is not listed again on its own.
    """
    fixes: list[dict] = []
    wrong = {f["id"] for f in fields if f["status"] == "wrong"}

    def place(ids) -> str:
        return next((i for i in ids if i in wrong), ids[0])

    violated = [r for r in rules if r["status"] == "violated" and r["severity"] == "error"]
    violated.sort(key=lambda r: (r["base_id"] not in MAGIC_RULES, r["id"]))
    for r in violated:
        fixes.append({"message_id": r["message_id"], "message_en": r["message_en"],
                      **_where(sheet, place(r["fields"]))})
    named = set()
    for x in findings:
        if x.kind == "cross_check" and x.severity == "error":
            fixes.append({"message_id": x.message_id, "message_en": x.message_en, **_where(sheet, place(x.fields))})
            named |= set(x.fields)
    # One pair's digits, tally and bubbles all wrong the same way are one mistake (a wrong count), said once.
    same_mistake: dict[tuple, list[dict]] = {}
    for f in fields:
        if f["status"] == "wrong" and f["id"] not in named:
            same_mistake.setdefault((_pair_base(f), shown_value(f), f["expected"]), []).append(f)
    for group in same_mistake.values():
        f = next((g for g in group if g["kind"] == "digits"), group[0])
        parts_id = parts_en = ""
        if len(group) > 1:
            marks = [MARK_OF_KIND[g["kind"]] for g in group]
            parts_id = f" ({', '.join(marks[:-1])} dan {marks[-1]})"
            parts_en = f" ({', '.join(EN_MARK[m] for m in marks[:-1])} and {EN_MARK[marks[-1]]})"
        written = shown_value(f)
        fixes.append({"message_id": f"{f['label']}: tertulis {written}, seharusnya {f['expected']}{parts_id}.",
                      "message_en": f"{f['label_en']}: written {written}, expected {f['expected']}{parts_en}.",
                      **_where(sheet, f["id"])})
    blanks = [f for f in fields if f["status"] == "blank"]
    if blanks:
        ids = ", ".join(f["id"] for f in blanks[:5]) + (" …" if len(blanks) > 5 else "")
        fixes.append({"message_id": f"Ada {len(blanks)} isian kosong ({ids}). Setiap angka harus diisi; "
                                    f"nol ditulis XXX.",
                      "message_en": f"{len(blanks)} fields left blank ({ids}). Every number must be written; "
                                    f"zero is XXX.", **_where(sheet, blanks[0]["id"])})
    for x in findings:
        if x.kind == "convention" and x.severity == "warning":
            fixes.append({"message_id": x.message_id, "message_en": x.message_en, **_where(sheet, x.fields[0])})
    seen, out = set(), []
    for fx in fixes:
        if fx["message_id"] not in seen:
            seen.add(fx["message_id"])
            out.append(fx)
    return out[:3]
