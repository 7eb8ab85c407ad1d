"""A graded sheet in brief: its score out of 100 and the three most important things to fix, each with its place
on the sheet."""
from __future__ import annotations

import re

from grader.grading.findings import Finding, pair_base
from grader.grading.shown import EN_MARK, MARK_OF_KIND, UNSURE_DIGIT, field_name, field_names_in, shown_value, value_read
from grader.rules import expand_rules
from grader.sheet.layout import SheetLayout

# Score weights (README "Score"): points per graded item; review/unreadable items and
# not-checkable rules are left out of both the earned and the possible points.
WEIGHTS = {"digits": 1.0, "bubbles": 0.5, "tally": 0.5, "rule": 1.0}
MAGIC_RULES = ("ballots_used_equal_voters", "votes_equal_voters")


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


def _where(sheet: SheetLayout, field_id: str) -> dict:
    """The place on the sheet, in Indonesian (``where``) and English (``where_en``): "Halaman 2, IV.1 turus (Turus
    Paslon 1)", the id worded (:func:`~grader.grading.shown.field_name`)."""
    name_id, name_en = field_name(field_id, "id"), field_name(field_id, "en")
    try:
        f = sheet.field(field_id)
    except KeyError:
        return {"where": name_id, "where_en": name_en}
    return {"where": f"Halaman {f.page}, {name_id} ({f.label})",
            "where_en": f"Page {f.page}, {name_en} ({f.label_en or f.label})"}


#: A place as :func:`_where` writes it, "Halaman 1, I.A.3.J (3. Pemilih tambahan (DPTb) (J))": the page and the
#: field's worded id (no spaces but " turus"/" bulatan", " tally"/" bubbles"), then its label in brackets.
_PLACE_RE = re.compile(r"^((?:Halaman|Page) \d+, \S+(?: (?:turus|bulatan|tally|bubbles))?) \((.+)\)$")


def fix_as_worded_now(fix: dict) -> dict:
    """A stored fix with today's words, as every page and printout shows it after its message ("... X47. — Halaman
    1, I.A.3.J: 3. Pemilih tambahan (DPTb) (J)").

    One stored before ids were worded named a pair's tally or bubbles field by its code ("Halaman 2, IV.1.tally
    (Turus Paslon 1)", "isian kosong (IV.1.bubbles)"); as :func:`top_fixes` says it now, "IV.1 turus", "IV.1
    bulatan". The place's label follows a colon, not brackets around brackets (a label has its own: "(DPTb) (J)"),
    and a place whose field's label the message already starts with does not say it again ("4. Jumlah (P):
    tertulis 114, seharusnya 113. — Halaman 1, I.A.4.P", not "... I.A.4.P: 4. Jumlah (P)")."""
    worded = {k: field_names_in(fix[k], "en" if k.endswith("_en") else "id")
              for k in ("message_id", "message_en", "where", "where_en") if isinstance(fix.get(k), str)}
    for message, where in (("message_id", "where"), ("message_en", "where_en")):
        said, place = worded.get(message), worded.get(where)
        m = _PLACE_RE.match(place or "")
        if m:
            head, label = m.groups()
            said_label = said.partition(": ")[0] if said and ": " in said else None
            worded[where] = head if label == said_label else f"{head}: {label}"
    return dict(fix, **worded)


def shown_fixes(result: dict) -> list[dict]:
    """The things to fix a result's page and its printable sheet show: its first three, in today's words
    (:func:`fix_as_worded_now`)."""
    return [fix_as_worded_now(f) for f in (result.get("top_fixes") or [])[:3]]


#: how a blank field of each kind is filled, for a count of zero too: XXX is written in digit boxes only (helper-143:
#: "nol ditulis XXX" was said of blank bubbles and tally grids as well)
_HOW_TO_FILL = {
    "digits": ("angka di kotak, XXX bila nol", "the number in its boxes, XXX for zero"),
    "bubbles": ("satu bulatan hitam di setiap kolom bulatan, bulatan 0 di bawah kotak X",
                "one filled bubble in every bubble column, bubble 0 under a box with X"),
    "tally": ("turus sebanyak surat suaranya", "a tally mark for every ballot"),
}


def _how_to_fill(blanks: list[dict]) -> tuple[str, str]:
    """How the kinds of field among ``blanks`` are filled in, in Indonesian and English."""
    kinds = dict.fromkeys(f["kind"] for f in blanks)           # (each once, in the fields' order)
    return tuple("; ".join(_HOW_TO_FILL[k][lang] for k in kinds) for lang in (0, 1))


#: The smallest term a total written without it is said to leave out: a term of 1 is what a sum off by one would also
#: look like, and there the fix's expected number says enough.
MIN_LEFT_OUT = 2


def left_out_term(field: dict, sums: list, by_id: dict[str, dict]) -> str | None:
    """The one term of a sum the trainee seems to have left out of ``field``, a total written wrong: what was written
    (as the reader read it) is the other terms as read added up, and that term, as read, is the key's and not 0 or 1.
    Only a rule whose left side the trainee adds up (:attr:`grader.rules.Rule.summed`; not the ballots received,
    copied from the exercise). None when nothing explains it so, or more than one term would (an L equal to its P).

    helper-146's trainee wrote V.A as the pair's votes alone, the kolom kosong left out (the trap's lesson), and was
    told only "tertulis 82, seharusnya 156". What it says rests on the trainee's own numbers (a kolom kosong written 0
    and added is not "left out"); the key only confirms that the term left out was written right. The field is already
    wrong on what we read surely: this says how its number may have come about, never what was read.
    """
    # (as read, where the fix shows only the boxes read surely, "X??": wrong on its sure X, V.A written X29 for 141
    # said the kolom kosong lesson only once a trainer had confirmed its boxes; helper-149)
    written = value_read(field)
    written = written if isinstance(written, int) else field.get("value")
    if field.get("kind") != "digits" or field.get("status") != "wrong" or not isinstance(written, int):
        return None
    found = set()
    for rule in sums:
        if not (rule.summed and rule.op == "==" and rule.lhs == (field["id"],) and len(rule.rhs) >= 2):
            continue
        terms = [by_id.get(t) for t in rule.rhs]
        read = [t.get("value") if t and t.get("status") not in ("blank", "unreadable") else None for t in terms]
        if None in read:
            continue
        for term, value, t in zip(rule.rhs, read, terms):
            if value >= MIN_LEFT_OUT and value == t.get("expected") and sum(read) - value == written:
                found.add(term)
    return found.pop() if len(found) == 1 else None


def _swap_fixes(sheet: SheetLayout, fields: list[dict], named: set[str]) -> list[tuple[dict, set[str]]]:
    """L and P written in each other's place, one fix a row, with the two fields it mends (two wrong values read as
    two counts are one mistake, said as such). Adds the fields to ``named``."""
    out = []
    by_id = {f["id"]: f for f in fields}
    for f in fields:
        other = by_id.get(f["id"][:-1] + "P") if f["id"].endswith(".L") else None
        if (other is not None and f["status"] == other["status"] == "wrong" and f["id"] not in named
                and other["id"] not in named and f["value"] == other["expected"] and other["value"] == f["expected"]):
            row_id, row_en = (x.removesuffix(" (L)") for x in (f["label"], f["label_en"]))
            out.append(({"message_id": f"{row_id}: laki-laki (L) dan perempuan (P) tertukar: tertulis L {f['value']}, "
                                       f"P {other['value']}; seharusnya L {f['expected']}, P {other['expected']}.",
                         "message_en": f"{row_en}: men (L) and women (P) swapped: written L {f['value']}, "
                                       f"P {other['value']}; expected L {f['expected']}, P {other['expected']}.",
                         **_where(sheet, f["id"])}, {f["id"], other["id"]}))
            named |= {f["id"], other["id"]}
    return out


def _value_fixes(sheet: SheetLayout, fields: list[dict], named: set[str]) -> list[tuple[dict, set[str]]]:
    """Each wrong value not already named, with what to write, and the fields it mends: one pair's digits, tally and
    bubbles all wrong the same way are one mistake (a wrong count), said once."""
    by_id = {f["id"]: f for f in fields}
    sums = [r for r in expand_rules(sheet.spec.rules, sheet) if r.summed]
    same_mistake: dict[tuple, list[dict]] = {}
    for f in fields:
        if f["status"] == "wrong" and f["id"] not in named:
            same_mistake.setdefault((pair_base(f), shown_value(f), f["expected"]), []).append(f)
    out = []
    for group in same_mistake.values():
        f = next((g for g in group if g["kind"] == "digits"), group[0])
        parts_id = parts_en = ""
        if len(group) > 1:
            marks = [MARK_OF_KIND[g["kind"]] for g in group]
            parts_id = f" ({', '.join(marks[:-1])} dan {marks[-1]})"
            parts_en = f" ({', '.join(EN_MARK[m] for m in marks[:-1])} and {EN_MARK[marks[-1]]})"
        written = shown_value(f)
        # (what we read surely, "?" for a box we did not: say so, as a rule's message does)
        unsure_id, unsure_en = (f"; {UNSURE_DIGIT[0]}", f"; {UNSURE_DIGIT[1]}") if "?" in str(written) else ("", "")
        term = left_out_term(f, sums, by_id)
        if term is not None:
            label, label_en = by_id[term]["label"], by_id[term]["label_en"]      # (a term found is a field of by_id)
            unsure_id += f"; sepertinya {field_name(term)} ({label}) tidak ikut dijumlahkan"
            unsure_en += f"; {field_name(term, 'en')} ({label_en}) seems to have been left out of the sum"
        out.append(({"message_id": f"{f['label']}: tertulis {written}, seharusnya {f['expected']}{parts_id}"
                                   f"{unsure_id}.",
                     "message_en": f"{f['label_en']}: written {written}, expected {f['expected']}{parts_en}"
                                   f"{unsure_en}.",
                     **_where(sheet, f["id"])}, {g["id"] for g in group}))
    return out


def _breaks_only_by(rule: dict, mended: set[str], status: dict[str, str]) -> bool:
    """Whether a broken rule tells the same lesson as the fix that mends the fields ``mended``: every field of the
    rule not written as the key has it is one of them, so that fix mends the rule too (the key keeps every rule).
    helper-147: a miscount's fix and the rule its total breaks took two of the three places, one lesson."""
    off = {f for f in rule["fields"] if status.get(f) != "ok"}
    return bool(off) and off <= mended


def _with_rule(fix: dict, rule: dict) -> dict:
    """A field's fix followed by the rule it breaks, one place of the three: what to write, then the check that
    shows it."""
    return dict(fix, message_id=f"{fix['message_id']} {rule['message_id']}.",
                message_en=f"{fix['message_en']} {rule['message_en']}.")


def _at_wrong(ids, wrong: set[str]) -> str:
    """The field of ``ids`` a fix of them points at: the first wrong one (``turus 71, bulatan 571`` at the bubbles,
    not the tally), the first of all when none is."""
    return next((i for i in ids if i in wrong), ids[0])


def _rule_fixes(sheet: SheetLayout, rules: list[dict], fields: list[dict],
                lessons: list[tuple[dict, set[str]]]) -> tuple[list[dict], set[int]]:
    """The broken rules' fixes, the magic numbers' first, and which of ``lessons`` they say: one rule per place, and a
    rule a lesson's fix mends said with that fix (:func:`_breaks_only_by`), once.

    A sum off by one breaks its row's rule and its column's, both at its cell, and with its own wrong value it filled
    the list and pushed the sheet's other mistakes out. The first rule there is said (the page's list of rules still
    names every one), with the cell's fix, which says what to write."""
    wrong = {f["id"] for f in fields if f["status"] == "wrong"}
    status = {f["id"]: f["status"] for f in fields}
    violated = [r for r in rules if r["status"] == "violated" and r["severity"] == "error"]
    violated.sort(key=lambda r: (r["base_id"] not in MAGIC_RULES, r["id"]))
    fixes, ruled, said = [], set(), set()
    for r in violated:
        lesson = next((i for i, (_, mended) in enumerate(lessons) if _breaks_only_by(r, mended, status)), None)
        fix = (_with_rule(lessons[lesson][0], r) if lesson is not None else
               {"message_id": r["message_id"], "message_en": r["message_en"],
                **_where(sheet, _at_wrong(r["fields"], wrong))})
        if fix["where"] in ruled or (lesson is not None and lesson in said):
            continue        # (a rule no one fix mends has a place of its own, however many came before it)
        ruled.add(fix["where"])
        fixes.append(fix)
        if lesson is not None:
            said.add(lesson)
    return fixes, said


def top_fixes(sheet: SheetLayout, fields: list[dict], rules: list[dict], findings: list[Finding]) -> list[dict]:
    """The three most important things to fix, most important first: the broken rules (:func:`_rule_fixes`), the
    cross-checks, the wrong values, the blank fields, the writing habits.

    A wrong field that a cross-check already names is not listed again on its own.
    """
    wrong = {f["id"] for f in fields if f["status"] == "wrong"}
    named = set()
    crossed = []
    for x in findings:
        if x.kind == "cross_check" and x.severity == "error":
            crossed.append({"message_id": x.message_id, "message_en": x.message_en,
                            **_where(sheet, _at_wrong(x.fields, wrong))})
            named |= set(x.fields)
    lessons = _swap_fixes(sheet, fields, named) + _value_fixes(sheet, fields, named)
    fixes, said = _rule_fixes(sheet, rules, fields, lessons)
    fixes += crossed + [fix for i, (fix, _) in enumerate(lessons) if i not in said]
    blanks = [f for f in fields if f["status"] == "blank"]
    if blanks:
        more = " …" if len(blanks) > 5 else ""
        ids_id, ids_en = (", ".join(field_name(f["id"], lang) for f in blanks[:5]) + more for lang in ("id", "en"))
        how_id, how_en = _how_to_fill(blanks)
        fixes.append({"message_id": f"Ada {len(blanks)} isian kosong ({ids_id}). Setiap isian harus diisi: {how_id}.",
                      "message_en": f"{len(blanks)} fields left blank ({ids_en}). Every field must be filled in: "
                                    f"{how_en}.", **_where(sheet, blanks[0]["id"])})
    for x in findings:
        if x.kind == "convention" and x.severity == "warning":
            fixes.append({"message_id": x.message_id, "message_en": x.message_en, **_where(sheet, x.fields[0])})
    seen, out = set(), []
    for fx in fixes:
        if fx["message_id"] not in seen:
            seen.add(fx["message_id"])
            out.append(fx)
    return out[:3]
