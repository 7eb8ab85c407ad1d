"""What a trainee did besides each field's value: a pair whose tally, digits and bubbles disagree (cross-checks),
and the writing conventions (a blank leading box instead of X, an overwritten box, a number written across the boxes).

A finding is against the trainee only on readings we are sure of (:mod:`grader.grading.certainty`); where the
disagreement may be our misreading it is a review item.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from grader.grading.certainty import WRONG_MIN_CONFIDENCE, held, possible_values, read_surely
from grader.grading.shown import EN_MARK, UNSURE_DIGIT
from grader.read.context import NOTE_DISPUTED
from grader.read.numbers import NOT_READ_FROM_ITS_BOXES, NOTE_ACROSS_BORDERS, NOTE_BLANK_LEADING, NOTE_OVERWRITTEN
from grader.read.sheet_reader import FieldReading
from grader.sheet.layout import EMPTY_COLUMN_ID, SheetLayout


# What a finding is about, as a stable code (its messages carry one sheet's numbers): the class insight counts them.
PAIR_MISMATCH = "pair_mismatch"            # a pair's tally, digits and bubbles disagree: the trainee's
PAIR_UNSURE = "pair_unsure"                # ... or may only be our misreading: a trainer checks
BLANK_LEADING = "blank_leading_box"        # an unused leading box left blank instead of X
BLANK_LEADING_UNSURE = "blank_leading_unsure"   # ... or so it seems, on a blank box we did not read surely
OVERWRITTEN = "overwritten_box"            # a box read as either of two digits (unclear, or written over)
ACROSS_BORDERS = "across_borders"          # a number written across the boxes, a digit on a border between two


@dataclass(frozen=True)
class Finding:
    kind: str          # cross_check | convention
    severity: str      # error | warning | review
    message_id: str
    message_en: str
    fields: tuple[str, ...]
    code: str = ""     # PAIR_MISMATCH, PAIR_UNSURE, BLANK_LEADING, BLANK_LEADING_UNSURE, OVERWRITTEN or ACROSS_BORDERS

    def to_json(self) -> dict:
        return {"kind": self.kind, "code": self.code, "severity": self.severity, "message_id": self.message_id,
                "message_en": self.message_en, "fields": list(self.fields)}


def finding_code(finding: dict) -> str:
    """A stored finding's code; a result stored before findings carried one is told by its kind and severity."""
    if finding.get("code"):
        return finding["code"]
    if finding.get("kind") == "cross_check":
        return PAIR_MISMATCH if finding.get("severity") == "error" else PAIR_UNSURE
    if finding.get("kind") == "convention":
        return BLANK_LEADING if finding.get("severity") == "warning" else OVERWRITTEN
    return ""


#: what a pair whose tally, digits and bubbles disagree is told to do (helper-143: it named the mistake, not the fix)
MUST_AGREE_ID = "Turus, angka dan bulatan harus sama: hitung ulang surat suaranya, lalu samakan ketiganya."
MUST_AGREE_EN = "Tally, digits and bubbles must agree: count the ballots again, then make all three match."
# a pair whose readings disagree through a field the trainee disputes: said to a trainer (the review queue, the
# trainer's sheet page), and, on the trainee's own pages (their result page and its printout), to the trainee
# (:func:`as_worded_now`; helper-164: their page said "Peserta menyanggah bacaan kami" of their own dispute)
DISPUTED_ID = "Peserta menyanggah bacaan kami; pelatih akan memeriksanya."
DISPUTED_EN = "The trainee disputes our reading; a trainer will check."
DISPUTED_TO_TRAINEE = {DISPUTED_ID: "Anda menyanggah bacaan kami; pelatih akan memeriksanya.",
                       DISPUTED_EN: "You dispute our reading; a trainer will check."}


def pair_name(pid: str) -> str:
    return "Kolom kosong" if pid == EMPTY_COLUMN_ID else f"Paslon {pid}"


def pair_name_en(pid: str) -> str:
    return "Empty column" if pid == EMPTY_COLUMN_ID else f"Pair {pid}"


def pair_base(field: dict) -> str:
    """``IV.2`` for ``IV.2``, ``IV.2.tally`` and ``IV.2.bubbles``: the number a pair's three ways of writing share."""
    suffix = f".{field['kind']}"
    return field["id"][:-len(suffix)] if field["id"].endswith(suffix) else field["id"]


def cross_checks(sheet: SheetLayout, readings: dict[str, FieldReading],
                 shown: Callable[[FieldReading], str] = read_surely,
                 shown_doubt: Callable[[FieldReading], str] | None = None) -> list[Finding]:
    """Tally = digits = bubbles for each pair: the trainee's own inconsistency, or our doubt. ``shown`` writes a
    digits reading not taken exactly (by default as read surely, "?52"); ``shown_doubt``, if given, writes it in a
    note of our doubt (as its row names its doubt: :func:`~grader.grading.certainty.read_as_its_row`)."""
    out = []
    for pid in sheet.pair_ids:
        fid = f"IV.{pid}"
        trio = {"turus": readings.get(f"{fid}.tally"), "angka": readings.get(fid),
                "bulatan": readings.get(f"{fid}.bubbles")}
        present = {k: r for k, r in trio.items() if r is not None and r.value is not None}
        if len({r.value for r in present.values()}) <= 1:
            continue
        # Two readings we are sure of that disagree prove the trainee's own inconsistency, whatever the
        # third says; then only the sure ones are cited. Otherwise the disagreement may be our misreading. (Digits
        # firm as a whole with a box below SURE_BOX count by their sure boxes, below: certainty.held.)
        firm = {k: r for k, r in present.items() if held(r)}
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
        # (a note of our doubt shows the digits as their row names its doubt: ``shown_doubt``)
        show = shown if error or shown_doubt is None else shown_doubt
        said = {k: show(r) if k == "angka" else str(r.value) for k, r in cited.items()}
        ids = tuple(r.id for r in cited.values())
        said_id = ", ".join(f"{k} {said[k]}" for k in cited)
        said_en = ", ".join(f"{EN_MARK[k]} {said[k]}" for k in cited)
        if "?" in said.get("angka", ""):        # (as a fix and a rule say it: "16?" is not a number of its own)
            said_id, said_en = said_id + f" ({UNSURE_DIGIT[0]})", said_en + f" ({UNSURE_DIGIT[1]})"
        if error:
            out.append(Finding("cross_check", "error",
                               f"{pair_name(pid)}: {said_id}. {MUST_AGREE_ID}",
                               f"{pair_name_en(pid)}: {said_en}. {MUST_AGREE_EN}", ids,
                               PAIR_MISMATCH))
        elif any(NOTE_DISPUTED in r.notes for r in cited.values()):
            # (the trainee says we misread one of them: it waits for that, not for a doubt of ours, helper-147)
            out.append(Finding("cross_check", "review",
                               f"{pair_name(pid)}: {said_id}. {DISPUTED_ID}",
                               f"{pair_name_en(pid)}: {said_en}. {DISPUTED_EN}", ids, PAIR_UNSURE))
        else:
            out.append(Finding("cross_check", "review",
                               f"{pair_name(pid)}: {said_id}. Kami belum yakin dengan bacaan kami; pelatih akan memeriksanya.",
                               f"{pair_name_en(pid)}: {said_en}. Our reading is unsure; a trainer will check.", ids,
                               PAIR_UNSURE))
    return out


def conventions(sheet: SheetLayout, readings: dict[str, FieldReading]) -> list[Finding]:
    """Writing conventions: a blank leading box instead of X, overwritten boxes, a number across the boxes."""
    # A remark about the trainee's writing is a finding against them: only on a very confident reading.
    leading = [r for r in readings.values() if NOTE_BLANK_LEADING in r.notes and r.value is not None
               and NOTE_DISPUTED not in r.notes]
    sure = {r.id: _blank_boxes_sure(r) for r in leading}
    blank = [fid for fid, ok in sure.items() if ok]
    # A blank box read unsurely (a copier's specks in it; an X so faint it may be none) is said as our doubt, not
    # held against the trainee. It is said whatever became of the field: arithmetic that backs up its value, or a
    # trainer who confirms it, settles the number, which is the same with X or nothing before it, never the box.
    unsure = [fid for fid, ok in sure.items() if not ok]
    over = [r.id for r in readings.values() if NOTE_OVERWRITTEN in r.notes]
    out = []
    if blank:
        out.append(Finding("convention", "warning",
                           f"Kotak depan dibiarkan kosong ({', '.join(blank)}). Isi kotak yang tidak terpakai "
                           f"dengan X, misalnya X47.",
                           f"Leading box left blank ({', '.join(blank)}). Fill unused boxes with X, e.g. X47.",
                           tuple(blank), BLANK_LEADING))
    if unsure:
        out.append(Finding("convention", "review",
                           f"Kotak depan tampak kosong ({', '.join(unsure)}), tetapi bacaan kami belum pasti. Jika "
                           f"memang kosong: isi kotak yang tidak terpakai dengan X, misalnya X47.",
                           f"Leading box looks blank ({', '.join(unsure)}), but our reading is not certain. If it "
                           f"is: fill unused boxes with X, e.g. X47.",
                           tuple(unsure), BLANK_LEADING_UNSURE))
    if over:
        # (what the reader sees is two digits in a box: a correction, or a digit it cannot tell between two. On the
        # development photos most such boxes held one unclear digit, so the message does not say the trainee wrote
        # over it, and the class insight does not count it as a habit)
        out.append(Finding("convention", "review", *overwritten_message(over), tuple(over), OVERWRITTEN))
    across = [r.id for r in readings.values() if NOTE_ACROSS_BORDERS in r.notes]
    if across:
        # (a hint, never a charge: the reader put the field in review, and the message says what to write instead,
        # with the convention's example)
        listed = ", ".join(across)
        out.append(Finding("convention", "review",
                           f"Angka tampak ditulis melintasi garis kotak ({listed}); pelatih akan memeriksanya. Tulis "
                           f"satu angka per kotak, rata kanan, dan isi kotak yang tidak terpakai dengan X, "
                           f"misalnya X47.",
                           f"The number looks written across the box borders ({listed}); a trainer will check it. "
                           f"Write one digit per box, right-aligned, and fill unused boxes with X, e.g. X47.",
                           tuple(across), ACROSS_BORDERS))
    return out


def overwritten_message(ids) -> tuple[str, str]:
    """What a finding about boxes read as either of two digits says (Indonesian, English). It names our doubt, not
    the trainee's writing: on the development photos (seed 61, 300 sheets; throwaway script, s44) 6 of the 288 digit
    boxes the reader saw so held the generator's correction (an old digit under correction fluid, a new one on it),
    the rest one unclear digit. "A box that looks as if it holds two digits" told trainees with a clean "-24" that
    they had written two there (helper-134's rehearsal)."""
    ids = list(ids)
    listed = ", ".join(ids)
    entries = "entry" if len(ids) == 1 else "entries"
    return (f"Kami ragu membaca satu kotak di isian {listed}: bisa terbaca sebagai dua angka yang berbeda. Pelatih "
            f"akan memeriksanya. Tulis setiap angka dengan jelas; jika Anda mengoreksi angka, tutup angka yang salah "
            f"dengan cairan koreksi lalu tulis ulang.",
            f"We are unsure how to read a box in {entries} {listed}: it could be either of two digits. A trainer will "
            f"check it. Write each digit clearly; if you correct a digit, cover the wrong one with correction fluid "
            f"and write it again.")


def as_worded_now(finding: dict, to_trainee: bool = False) -> dict:
    """A stored finding with today's words where they changed: results stored before said the trainee had written
    over a box the reader could read as either of two digits, later that the box looked as if it held two digits;
    both were mostly untrue (README, ``overwritten_box``). ``to_trainee``: as the trainee's own pages say it, a
    dispute theirs ("Anda menyanggah bacaan kami", :data:`DISPUTED_TO_TRAINEE`), not the trainer's third person."""
    if finding_code(finding) == OVERWRITTEN:
        finding = dict(finding, **dict(zip(("message_id", "message_en"),
                                           overwritten_message(finding.get("fields") or ()))))
    if to_trainee:
        for key in ("message_id", "message_en"):
            text = finding.get(key) or ""
            said = next((s for s in DISPUTED_TO_TRAINEE if text.endswith(s)), None)
            if said is not None:
                finding = dict(finding, **{key: text[:-len(said)] + DISPUTED_TO_TRAINEE[said]})
    return finding


def _blank_boxes_sure(r: FieldReading) -> bool:
    """The field reads as a number (so something is written after its blank boxes), and every blank box is
    surely blank. How sure its digits are does not matter: whatever they are, a box before them was left empty."""
    blanks = [c for lab, c in zip(r.boxes, r.box_confidence) if lab == ""]
    # (not a field whose boxes were not read from their print: a crop off its box may hold the blank margin beside
    # it, read blank at 1.0, and a box a digit straddles holds half of it; web fuzzer seed 30000222, "XX0" read "_60"
    # across the borders at 1.0, was told to fill its leading box with X)
    if NOT_READ_FROM_ITS_BOXES & set(r.notes):
        return False
    return r.value is not None and bool(blanks) and min(blanks) >= WRONG_MIN_CONFIDENCE
