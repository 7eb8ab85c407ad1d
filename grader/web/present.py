"""Shape a pipeline result for the pages: sections, statuses, rules and fixes, in the reader's language.

Pure functions on the result dict (see ``grader.pipeline``); no Flask here
except the language chosen by :mod:`grader.web.i18n`.
"""
from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field

from grader.errors import GraderError
from grader.grading import shown
from grader.grading.findings import as_worded_now
from grader.grading.certainty import NOTE_WRONG_BY_SURE_BOXES
from grader.grading.grade import NOTE_WRONG_BY_OWN_WORD
from grader.grading.review_queue import on_unread_page
from grader.grading.shown import (STATUS_WORDS, TRAINEE_STATUS_WORDS, boxes_to_name, cells_to_name, full_score, score_text, shown_reading,
                                  unread_pages)
from grader.grading.summary import shown_fixes
from grader.result_rows import other_trainee_messages
from grader.photo.warp import frame_size
from grader.rules import BROKEN_SIGN, SIGN
from grader.sheet.layout import shared_layout
from grader.sheet.schema import resolve_template
from grader.web.i18n import gettext as _
from grader.web.i18n import for_trainee, get_lang, pick
from grader.web.sheet_storing import answer_wait_s
from grader.web.trainee_shown import trainee_shown

SECTION_TITLES = {
    "I": "I. Data pemilih dan pengguna hak pilih",
    "II": "II. Data penggunaan surat suara",
    "III": "III. Pemilih disabilitas",
    "IV": "IV. Perolehan suara",
    "V": "V. Suara sah dan tidak sah",
}
# (a result's and a field's statuses in the words of grader.grading.shown.STATUS_WORDS; what a trainee reads, their
# pages and the printable sheet, says "review" in TRAINEE_STATUS_WORDS': status_label)
STATUS_LABELS = {
    **{status: words[0] for status, words in STATUS_WORDS.items()},
    "queued": "Antre", "running": "Sedang dinilai", "done": "Selesai", "failed": "Gagal",
    "held": "Menunggu kode latihan",
}
# A finding's severity (grader.grading.findings.Finding), as its badge says it: the trainee's mistake (a cross-check
# that fails), a writing convention not followed, or a reading left for the trainer; another one, a note.
SEVERITY_LABELS = {"error": "Salah", "warning": "Peringatan", "review": STATUS_LABELS["review"]}
#: ``wrong_by_its_sure_boxes`` said of a field whose every box was read surely ("---" read at 0.9989, under the bar
#: a field needs on its own): no "?" is shown for the note to explain (helper-157).
WRONG_BY_SURE_DIGITS = "wrong_by_its_sure_digits"
# Why the reader (or the context policy) left a field for the trainer: the readers' note codes, in words.
NOTE_LABELS = {
    "unsure_box": "ada kotak yang belum kami baca dengan yakin",
    "overwritten_box": "ada kotak yang kami ragukan: bisa terbaca sebagai dua angka yang berbeda",
    "across_borders": "angka tampak ditulis melintasi garis kotak (tulis satu angka per kotak)",
    "faint_ink": "ada kotak bertinta pucat (pena hampir habis?) yang bisa terbaca lain",
    "box_out_of_place": "kotak tercetak di isian ini atau di dekatnya tidak terlihat di tempatnya (kertas terlipat atau melengkung? garis kotak tertutup cairan koreksi?)",
    "page_out_of_place": "cetakan halaman ini di foto tidak terlihat di tempatnya (kertas terlipat? garis kotak tertutup cairan koreksi?): bila kertas terlipat, foto ulang halaman ini dengan kertas rata",
    "impossible_pattern": "ada X di antara dua angka (mis. 4X7)",
    "trailing_blank_box": "kotak paling kanan kosong",
    "none_filled": "tidak ada bulatan terisi",
    "multiple_filled": "lebih dari satu bulatan terisi",
    "light_fill": "bulatan dihitamkan terlalu tipis",
    "erased_second": "ada bekas bulatan yang dihapus",
    "misaligned": "bulatan tercetak tidak di tempatnya (kertas melengkung?)",
    "faint_print": "cetakan bulatan terlalu pucat (fotokopi pudar?)",
    "marked_around": "ada tanda di sekeliling bulatan, bukan dihitamkan (dilingkari?)",
    "disagrees_with_weak_reading": "berbeda dengan bacaan lain pasangan ini",
    "disputed_by_trainee": "disanggah peserta",
    "not_sure_enough_for_wrong": "berbeda dengan kunci, tetapi kami belum cukup yakin dengan bacaannya untuk menyatakannya salah",
    "in_failing_rule_unsure": "aturan hitungan tidak cocok dan kami kurang yakin membaca isian ini",
    "in_failing_rule_with_unsure": "berbeda dengan kunci, tetapi hitungannya memuat isian lain yang belum kami baca dengan yakin; pelatih memeriksanya dulu",
    "contradicted_by_own_marks": "berbeda dengan kunci, tetapi turus dan bulatan pasangan ini sama dengan kunci; pelatih memeriksanya dulu",
    "wrong_by_its_sure_boxes": "angka yang terbaca pasti sudah berbeda dengan kunci (? = angka yang belum terbaca pasti)",
    WRONG_BY_SURE_DIGITS: "angka yang terbaca pasti sudah berbeda dengan kunci",
    "wrong_by_trainees_word": "menurut peserta sendiri, angka yang ditulis berbeda dengan kunci; pelatih tetap memeriksa bacaannya",
    "malformed_group": "ada kelompok turus yang tidak berisi lima garis",
    "joined_strokes": "dua garis turus bersentuhan",
    "strokes_drawn_over": "garis turus bertumpuk",
    "ink_mismatch": "jumlah garis yang terlihat tidak cocok dengan hitungan",
    "unclear_crossing": "garis silang kelompok terakhir kurang jelas",
    "short_strokes": "garis turus terakhir pendek atau terpotong garis",
    "bent_grid": "kotak turus tercetak tidak di tempatnya (kertas melengkung?)",
    "faint_stroke": "mungkin ada garis turus tipis",
    "print_streak": "ada garis tercetak yang melintasi kotak turus (goresan mesin fotokopi?)",
    "out_of_order": "kotak turus tidak diisi berurutan",
    "unclear_strokes": "garis turus kurang jelas",
}


@dataclass
class Section:
    id: str
    title: str
    fields: list[dict] = field(default_factory=list)

    @property
    def n_wrong(self) -> int:
        """Entries the trainee must fix (a wrong or missing value)."""
        return sum(1 for f in self.fields if f.get("status") in ("wrong", "blank"))

    @property
    def n_check(self) -> int:
        """Entries we could not read surely: a trainer checks them; they are not the trainee's mistakes."""
        return sum(1 for f in self.fields if f.get("status") in ("review", "unreadable") and not on_unread_page(f))

    @property
    def n_unread(self) -> int:
        """Entries on a page that was not sent or whose photo was refused: nobody can check them yet."""
        return sum(1 for f in self.fields if on_unread_page(f))


def status_label(status: str | None, lang: str | None = None) -> str:
    """A status in words; on a trainee's page a field left for the trainer "waits for the trainer" (:func:`for_trainee`),
    where the trainer's pages, the exports and the command line say it is "to check"."""
    if status == "review" and for_trainee():
        return _(TRAINEE_STATUS_WORDS["review"][0], lang=lang)
    return _(STATUS_LABELS.get(status or "", status or "—"), lang=lang)


def severity_label(severity: str | None) -> str:
    return status_label("review") if severity == "review" else _(SEVERITY_LABELS.get(severity or "", "Catatan"))


def field_name(field_id: str, lang: str | None = None) -> str:
    """A field's id as the reader reads it, in their language (or ``lang``): "IV.1 turus" for ``IV.1.tally``
    (:func:`grader.grading.shown.field_name`)."""
    return shown.field_name(field_id, lang or get_lang())


def label_after_name(field_id: str, label: str | None, lang: str | None = None) -> str:
    """A field's label as it follows :func:`field_name`, without the mark that name already says: "Paslon 1" after
    "IV.1 turus" (its label "Turus Paslon 1"; "Pair 1" after "IV.1 tally", from "Tally, Pair 1"), not "IV.1 turus
    Turus Paslon 1"; any other label as it is."""
    label = label or ""
    name = field_name(field_id, lang)
    if name == field_id:
        return label
    mark = name.rpartition(" ")[2]
    if label[:len(mark)].casefold() == mark.casefold() and label[len(mark):len(mark) + 1] in (" ", ","):
        return label[len(mark):].lstrip(", ")
    return label


def contest_choice(name: str) -> str:
    """A contest's name as a choice under "Jenis pemilihan": without the "PEMILIHAN" that label says, in title case
    ("Gubernur dan Wakil Gubernur"): a select cannot wrap, and "PEMILIHAN GUBERNUR DAN WAKIL GUBERNUR" was cut at
    "WAKIL G…" on a 390 px phone."""
    words = name.split()
    if words and words[0].casefold() == "pemilihan" and len(words) > 1:
        words = words[1:]
    return " ".join(w.lower() if w.casefold() == "dan" else w.capitalize() if w.isupper() else w for w in words)


def section_title(section_id: str) -> str:
    return _(SECTION_TITLES.get(section_id, section_id))


def sections(result: dict) -> list[Section]:
    """Fields grouped by section, in sheet order (page, then the order the pipeline gave)."""
    out: dict[str, Section] = {}
    for f in result.get("fields") or []:
        sid = f.get("section") or (f.get("id") or "?").split(".")[0]
        out.setdefault(sid, Section(sid, section_title(sid))).fields.append(f)
    return list(out.values())


def note_text(notes, unsure_boxes=(), lang: str | None = None, unsure_cells=()) -> str:
    """The reasons among ``notes`` a trainer can act on, in the reader's language (or ``lang``; "" if none).

    With the field's ``unsure_boxes`` (0-based, from the left), an unsure box is named: "kami belum yakin membaca
    kotak ke-2" tells the trainer where to look first. A tally's ``unsure_cells`` (:func:`cells_to_name`) are
    named after the reasons, with the count read in each: "kami belum yakin menghitung turus di kotak baris 2, kolom 3
    (terbaca 4)".
    """
    notes = tuple(notes or ())
    if "page_out_of_place" in notes:       # (the page's words say the boxes' too)
        notes = tuple(n for n in notes if n != "box_out_of_place")
    said = dict.fromkeys(unsure_box_text(unsure_boxes, lang) if n == "unsure_box" and unsure_boxes
                         else _(NOTE_LABELS[n], lang=lang) for n in notes if n in NOTE_LABELS)
    if unsure_cells:
        said[unsure_cell_text(unsure_cells, lang)] = None
    return "; ".join(said)


def field_reasons(field: dict, lang: str | None = None) -> str:
    """What a field's row says under its status (:func:`note_text`), in the reader's language (or ``lang``): why it
    waits for a trainer, or why it reads "?41"; nothing on a field the trainee disputes (its row says that instead)
    or on one read surely."""
    if (field.get("status") in ("review", "unreadable") or field.get("read_as")) and not field.get("disputed_at"):
        notes = field.get("notes") or ()
        if "?" not in str(field.get("read_as") or "?"):   # (every box read surely: no "?" shown to explain)
            notes = tuple(WRONG_BY_SURE_DIGITS if n == NOTE_WRONG_BY_SURE_BOXES else n for n in notes)
        return note_text(notes, boxes_to_name(field), lang, cells_to_name(field))
    return ""


def unsure_box_text(boxes, lang: str | None = None) -> str:
    """ "kami belum yakin membaca kotak ke-2", "... kotak ke-1 dan 3" (boxes counted from the left, 1-based).

    Our doubt, said as ours: most boxes we are unsure of hold a digit written plainly enough (on the sample sheets 69
    of 96 such boxes were read right), so the words never tell the trainee their writing was unclear."""
    n = [str(b + 1) for b in sorted(boxes)]
    return _("kami belum yakin membaca kotak ke-{ns}", lang=lang, ns=_listed(n, lang), n=len(n))


def unsure_cell_text(cells, lang: str | None = None) -> str:
    """ "kami belum yakin menghitung turus di kotak baris 2, kolom 3 (terbaca 4)", several joined by "dan": where a
    trainer looks, and what we counted there, so that one cell is checked instead of every stroke of the field. Our
    doubt, said as ours, as :func:`unsure_box_text` says it of digit boxes."""
    places = [_("baris {row}, kolom {col} (terbaca {read})", lang=lang, row=c["row"], col=c["col"], read=c["read"])
              for c in cells]
    return _("kami belum yakin menghitung turus di kotak {places}", lang=lang, places=_listed(places, lang),
             n=len(places))


def _listed(items: list[str], lang: str | None) -> str:
    """ "a", "a dan b", "a, b dan c" ("and" in English)."""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} {_('dan', lang=lang)} {items[-1]}"


def fmt_value(value) -> str:
    return "—" if value is None else str(value)


#: A reading in review is offered for Enter-to-confirm only at this field confidence or more. The queue holds the
#: fields grading left in review, after context accepted the readings it backs up: among those with a box read
#: unsurely, the reading was wrong on 27% of the ones at 0.7 or more (100 of 367 on the dev photos, seed 21; 82 of 306
#: on the copies set, seed 49), 7% at 0.98, none of 93 at 0.99 (55 and 38). At 0.7, one Enter in four confirmed a
#: misread, which then marked a right answer wrong (helper-155 found 16 of about 61 so; the bar of 0.7 was measured
#: on every field the reader left unsure, most of which context settles before the queue).
PREFILL_SURE = 0.99


def correction_prefill(field: dict) -> str:
    """What a correction's input holds when the trainer comes to it (the review queue, a sheet's rows), where Enter
    alone saves what it holds.

    Never a guess of ours that is as likely wrong as right: each box not read surely is a ``?``, which a save
    refuses until the trainer types what the box holds (``1?5``, ``???`` for a field not read at all). So Enter can
    confirm a reading that is probably right, never a blank or a coin flip over a box. A field read blank, and a
    reading we are sure of (a field ``ok`` or ``wrong``, which a trainer rarely changes), are offered as they are.
    A field the trainee disputes starts the same way (it was all ``?``, which looked like a value to keep and hid
    what we read); the review queue offers what the trainee says they wrote beside it, a button of its own."""
    boxes = list(field.get("boxes") or []) if field.get("kind") == "digits" else []
    unread = "?" * (len(boxes) or 1)
    # wrong by its sure boxes: "??4"; not a field held wrong on the trainee's word, whose read_as is their number
    # (offered as its own button) and whose input starts as we read it, as any disputed field's
    if field.get("read_as") and NOTE_WRONG_BY_OWN_WORD not in (field.get("notes") or ()):
        return str(field["read_as"])
    value = field.get("value")
    if value is None:     # (an empty tally grid right for a count of zero is "ok" with nothing read: grade.field_status)
        return "" if field.get("status") in ("blank", "ok") else unread
    # (the page names no box of a disputed field, but its unsure boxes are still a "?" here: no coin flip on Enter)
    named = list(field.get("unsure_boxes") or []) if field.get("disputed_at") else boxes_to_name(field)
    if named and boxes and float(field.get("confidence") or 0.0) < PREFILL_SURE:
        return "".join("?" if i in named else b for i, b in enumerate(boxes))
    return str(value)


BROKEN = {SIGN[op]: sign for op, sign in BROKEN_SIGN.items()}     # "=" -> "≠", "≤" -> ">"


def doubting_rules(result: dict, field: dict) -> list[dict]:
    """The failing rules that put ``field`` in review (its ``doubted_by``), each with its own text and its terms as
    read ("183 = 71 + 112": ``terms``, a list of ``(text, is_this_field)``): the trainer sees which sum does not
    add up and which of its readings may be the misread one, rather than a crop alone."""
    values = {f.get("id"): f.get("value") for f in result.get("fields") or []}
    rules = {r.get("id"): r for r in result.get("rules") or []}
    out = []
    for rule_id in field.get("doubted_by") or ():
        rule = rules.get(rule_id)
        if rule is None or not rule.get("expression"):
            continue
        # (the expression is field ids joined by " + " and its sign: each id becomes the value read there, and the
        # sign the one that says it fails as read, "183 ≠ 71 + 111")
        terms = [(fmt_value(values[t]) if t in values else BROKEN.get(t, t), t == field.get("id"))
                 for t in rule["expression"].split(" ")]
        out.append({"text_id": rule.get("text_id") or rule_id, "text_en": rule.get("text_en") or rule_id,
                    "terms": terms})
    return out


def remarks_by_field(result: dict) -> dict[str, list[str]]:
    """The trainee's own slips (cross-checks, writing conventions) by the field they name, in the reader's language.

    A field can be right and still carry one (a blank leading box before a right number): its row must say so,
    or the list of fixes and the row contradict each other.
    """
    out: dict[str, list[str]] = {}
    for x in result.get("findings") or ():
        if x.get("severity") in ("error", "warning"):
            for fid in x.get("fields") or ():
                out.setdefault(fid, []).append(pick(x))
    return out


def other_findings(result: dict) -> list[dict]:
    """Findings not already said by one of the fixes shown above them, in today's words (:func:`as_worded_now`), on a
    trainee's page as said to the trainee (:func:`~grader.web.i18n.for_trainee`)."""
    said = {f.get("message_id") for f in (result.get("top_fixes") or [])[:3]}
    return [as_worded_now(f, for_trainee()) for f in result.get("findings") or [] if f.get("message_id") not in said]


def rule_pages(result: dict, rule: dict) -> list[int]:
    """The sheet pages a rule's boxes are on, in order (``[1]``, or ``[1, 2]`` for a sum across the sheet): the
    result page says where to look beside the box codes, as each fix says its page."""
    page_of = {f["id"]: f.get("page") for f in result.get("fields") or ()}
    return sorted({page_of[x] for x in rule.get("fields") or () if page_of.get(x)})


#: Refusals a better photo does not fix: the page is fine, but not this sheet's or this exercise's (or twice).
def left_out_of(row) -> list[dict]:
    """The files sent with a sheet that were not graded with it (``submissions.left_out``, written by the upload:
    a page's file that is not a usable photo, or the same photo as another page's), to say where its missing page is
    added; none for a sheet stored before they were kept, or a row without the column."""
    text = row["left_out"] if "left_out" in row.keys() else None
    return json.loads(text) if text else []


def left_out_pages(sub) -> set[int]:
    """The pages whose file a trainee sent but that were not graded with the sheet (:func:`left_out_of`): "not
    graded", not "not sent"."""
    return {n["page"] for n in left_out_of(sub)}


@functools.lru_cache(maxsize=8)
def marked_page_size(template: str | None) -> tuple[int, int] | None:
    """``(width, height)`` in px of a marked page of ``template`` (a result's ``template``): the aligned page the
    marks are drawn on: the frame the reader warps a photo to (``grader.photo.warp.frame_size`` of the template's
    page at its reading resolution). The pages' ``<img>`` take it as their width and height, so a page still
    loading holds its place and the captions under it stay put. None for a template not known here."""
    try:
        spec = resolve_template(template) if template else None
    except (GraderError, OSError):
        return None
    return frame_size(shared_layout(spec).pages[0], px_per_mm=spec.read_px_per_mm) if spec else None


NOT_A_PHOTO_PROBLEM = ("wrong_exercise", "other_trainee", "duplicate_page")

#: A refused page's reason in a few words, for a row of the class table (the sheet's page says it in full, with
#: what to do): the trainer sees why without opening the sheet.
REFUSAL_SHORT = {
    "not_an_image": "Bukan foto", "corrupt_file": "Berkas rusak", "too_large": "Berkas terlalu besar",
    "binarized_scan": "Pindaian hitam-putih", "too_blurry": "Foto kabur", "too_dark": "Foto terlalu gelap",
    "glare": "Foto silau", "sheet_too_small": "Lembar terlalu kecil untuk dibaca", "sheet_cut_off": "Lembar terpotong",
    "corner_covered": "Sudut lembar tertutup",
    "markers_not_found": "Sudut lembar tidak terlihat", "mirrored_photo": "Foto terbalik kiri-kanan",
    "steep_angle": "Foto terlalu miring",
    "not_practice_sheet": "Lembar latihan tidak ditemukan di foto",     # a close-up too: not "wrong paper"
    "unknown_template": "Jenis lembar tidak dikenal", "sheet_unidentified": "Kode lembar tidak terbaca",
    "wrong_exercise": "Lembar latihan lain", "other_trainee": "Lembar peserta lain",
    "duplicate_page": "Halaman terkirim dua kali",
}


def refusal_short(result: dict | None, lang: str | None = None) -> str:
    """Why a sheet's pages were refused, in short ("Foto kabur, Lembar terpotong"), each reason once, in the order its
    pages came; a code with no short words here says "Ditolak" rather than nothing."""
    said: list[str] = []
    for p in (result or {}).get("pages") or ():
        code = (p.get("refusal") or {}).get("code")
        if code:
            text = _(REFUSAL_SHORT.get(code, "Ditolak"), lang=lang)
            if text not in said:
                said.append(text)
    return ", ".join(said)


def refused_row_short(row, lang: str | None = None) -> str:
    """:func:`refusal_short` of a sheet refused whole, from its class-table row's ``refused_result`` (the result
    :func:`grader.web.classroom.latest_sheets` keeps on such a row and on each of its ``refused_later``)."""
    return refusal_short(json.loads(row["refused_result"]), lang)


def unread_short(result: dict, lang: str | None = None) -> str:
    """Why a sheet read in part (``partial``) lacks a page, in short, page by page: "halaman 2 belum dikirim",
    "halaman 1: Foto terlalu miring" (a photo refused before its page was known: "halaman 2 belum terbaca: Foto
    kabur"), for a class-table row that notes it (:func:`partial_row_short`). A refused photo is said by the page it
    showed, as its refusal names it, not by the fields left unread."""
    unread = unread_pages(result)
    # (a page whose photo, by its file name, shows another trainee's sheet: said as that sheet's page refused is)
    elsewhere = other_trainee_messages(result)
    said = [_("halaman {n}: {why}", lang=lang, n=n, why=_(REFUSAL_SHORT["other_trainee"], lang=lang))
            if n in elsewhere else _("halaman {n} belum dikirim", lang=lang, n=n) for n in unread.missing]
    refused: dict[int | None, list[dict]] = {}
    for p in result.get("pages") or ():
        if p.get("refusal"):
            refused.setdefault(p.get("page"), []).append(p)
    for page, photos in refused.items():
        why = refusal_short({"pages": photos}, lang)
        if page is not None:
            said.append(_("halaman {n}: {why}", lang=lang, n=page, why=why))
        elif unread.unknown:
            said.append(_("halaman {pages} belum terbaca", lang=lang, pages=", ".join(map(str, unread.unknown)),
                          n=len(unread.unknown)) + f": {why}")
        else:
            said.append(why)
    return "; ".join(said)


def partial_row_short(row, lang: str | None = None) -> str:
    """:func:`unread_short` of a sheet read in part, from its ``partial_result`` (as
    :func:`grader.web.classroom.latest_sheets` gives each of a row's ``partial_later``)."""
    return unread_short(json.loads(row["partial_result"]), lang)


#: Refusals of a file with no picture to show (not an image, damaged, or past the size a server opens).
NO_PHOTO_TO_SHOW = ("not_an_image", "corrupt_file", "too_large")


def init_app(app) -> None:
    app.jinja_env.globals.update(NOT_A_PHOTO_PROBLEM=NOT_A_PHOTO_PROBLEM, NO_PHOTO_TO_SHOW=NO_PHOTO_TO_SHOW,
                                 trainee_shown=trainee_shown, for_trainee=for_trainee,
                                 status_label=status_label, severity_label=severity_label, fmt_value=fmt_value,
                                 doubting_rules=doubting_rules,
                                 shown_reading=shown_reading, note_text=note_text, field_reasons=field_reasons,
                                 boxes_to_name=boxes_to_name, cells_to_name=cells_to_name,
                                 correction_prefill=correction_prefill,
                                 score_text=score_text, full_score=full_score,
                                 section_title=section_title, field_name=field_name,
                                 label_after_name=label_after_name, top_fixes=shown_fixes,
                                 unread_pages=unread_pages, left_out_pages=left_out_pages, remarks_by_field=remarks_by_field,
                                 other_trainee_messages=other_trainee_messages,
                                 on_unread_page=on_unread_page, other_findings=other_findings, rule_pages=rule_pages,
                                 graded_from=shown.graded_from, whole_without=shown.whole_without,
                                 answer_wait_s=answer_wait_s, marked_page_size=marked_page_size)
    app.jinja_env.filters["sections"] = sections
    app.jinja_env.filters["contest_choice"] = contest_choice
