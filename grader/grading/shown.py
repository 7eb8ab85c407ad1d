"""A result as people see it, the one rule for every page, printout, image and export: the score in whole points,
the value written (what we read surely, never our guess at an unsure digit) and a text in the reader's language."""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from grader.grading.review_queue import NOTE_PAGE_MISSING, on_unread_page
from grader.read.numbers import sure_spelling

#: A field's kind as people say it: the mark a pair's number is written with (Indonesian; English below).
MARK_OF_KIND = {"tally": "turus", "digits": "angka", "bubbles": "bulatan"}
EN_MARK = {"turus": "tally", "angka": "digits", "bulatan": "bubbles"}
#: what a "?" in a number a message shows means (Indonesian, English): a fix's and a pair's message say it alike
UNSURE_DIGIT = ("? = angka yang belum terbaca pasti", "? = a digit not read for certain")
#: A result's and a field's status as every page, printout and export says it (Indonesian, English): the badges'
#: words (``grader.web.present.STATUS_LABELS`` takes them, and ``i18n_en`` their English).
STATUS_WORDS = {"ok": ("Benar", "Correct"), "wrong": ("Salah", "Wrong"), "review": ("Perlu dicek", "To check"),
                "blank": ("Kosong", "Blank"), "unreadable": ("Tidak terbaca", "Unreadable"),
                "graded": ("Dinilai", "Graded"), "partial": ("Sebagian", "Partial"), "refused": ("Ditolak", "Refused")}
#: The same, on what a trainee reads (their web pages and the printed feedback): a field we left for the trainer
#: waits for the trainer. "Perlu dicek" read as the trainee's own job to check (helper-143, s47).
TRAINEE_STATUS_WORDS = {**STATUS_WORDS, "review": ("Menunggu pelatih", "Waiting for the trainer")}
# a pair's tally or bubbles field's id inside a text stored before ids were worded ("IV.1.tally", "IV.KK.bubbles")
_MARKED_ID_RE = re.compile(r"\b([A-Z]+(?:\.[A-Za-z0-9]+)+?)\.(" + "|".join(MARK_OF_KIND) + r")\b")


def field_name(field_id: str, lang: str = "id") -> str:
    """A field's id as people read it, in ``lang`` ("id" or "en"): a pair's tally and bubbles fields by the number
    they share and their mark, "IV.1 turus", "IV.1 bulatan" ("IV.1 tally", "IV.1 bubbles"); any other id as it is
    ("IV.1", "I.A.1.L"). The id itself stays the code in data, JSON, URLs, form values and the exports' code
    columns."""
    base, dot, kind = (field_id or "").rpartition(".")
    if not (dot and base and kind in MARK_OF_KIND and kind != "digits"):
        return field_id
    mark = MARK_OF_KIND[kind]
    return f"{base} {EN_MARK[mark] if lang == 'en' else mark}"


def field_names_in(text: str, lang: str = "id") -> str:
    """``text`` with every tally or bubbles field id in it worded by :func:`field_name`: a text stored before ids
    were worded ("Halaman 2, IV.1.tally (Turus Paslon 1)") reads as one written today."""
    return _MARKED_ID_RE.sub(lambda m: field_name(m[0], lang), text) if text else text


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
    digit), else the value read (0 is a value); None when nothing was read. A number is an ``int`` however it was
    kept (a ``read_as`` read surely in full, "142"): a spreadsheet compares it with the expected number."""
    read_as = field.get("read_as")
    if read_as in (None, ""):
        return field.get("value")
    return int(read_as) if read_as.isascii() and read_as.isdigit() else read_as


#: A tally field names its doubtful cells only up to this many: past it (a bent grid puts every cell near the writing in
#: doubt) a list of places is no shorter than counting the field again, and the reason alone says why.
MAX_CELLS_NAMED = 3


def cells_to_name(field: dict) -> list[dict]:
    """The tally cells a field in review names as counted unsurely (the reader's ``unsure_cells``: each with its
    ``row``, ``col`` and the count ``read`` there), as :func:`boxes_to_name` names a digits field's boxes; none on a
    field the trainee disputes (a trainer looks at the whole field), or past :data:`MAX_CELLS_NAMED`."""
    cells = list(field.get("unsure_cells") or [])
    if field.get("status") != "review" or field.get("disputed_at") or len(cells) > MAX_CELLS_NAMED:
        return []
    return cells


def boxes_to_name(field: dict) -> list[int]:
    """The boxes (0-based) a field in review names as not read surely: the reader's ``unsure_boxes``. None on a field
    the trainee disputes (a trainer looks at the whole field) or one shown as read surely (``read_as``: its "?" marks
    follow the stricter bar for holding a digit against the trainee, and must not disagree with the names); none either
    on a field not in review."""
    if field.get("status") != "review" or field.get("disputed_at") or field.get("read_as"):
        return []
    return list(field.get("unsure_boxes") or [])


def shown_value(field: dict, empty: str = "—") -> str:
    """:func:`value_read` as text, ``empty`` when nothing was read: "—" on the pages and in the fixes, "" in a
    table cell or CSV, "?" on the feedback image."""
    value = value_read(field)
    return empty if value is None else str(value)


def shown_reading(field: dict, empty: str = "—") -> str:
    """A field's "read as" cell on the result page and the printed feedback sheet: :func:`shown_value`, but a digits
    field in review shows "?" at each box it names as not read surely ("X?8", not "8"). The printed sheet's
    "Terbaca 8 · Seharusnya 68 · Perlu dicek (kotak ke-2)" read as "I wrote 8" (helper-140), when the box we were
    unsure of may hold the 6: a reading we are unsure of is not said as a number."""
    named, boxes = boxes_to_name(field), field.get("boxes") or []
    if field.get("kind") == "digits" and named and boxes:
        return sure_spelling(boxes, [i not in named for i in range(len(boxes))])
    return shown_value(field, empty)


def value_as_read(field: dict) -> str | int | None:
    """A field's "read as" cell in an export (CLI and web): :func:`value_read`, a number as a number, but a digits field
    in review with boxes named unsure as its page shows it (:func:`shown_reading`, "-7?"): the fields export said 74,
    our guess, where the page said "-7?" (helper-146)."""
    if field.get("kind") == "digits" and boxes_to_name(field) and field.get("boxes"):
        return shown_reading(field, "")
    return value_read(field)


def in_language(obj: dict | None, lang: str, base: str = "message") -> str:
    """A result's text in ``lang`` (``"id"`` or ``"en"``): ``obj[base + "_" + lang]``, falling back to the other
    language. A bare ``base`` key (e.g. ``where``) is the Indonesian text, as in the result JSON."""
    if not obj:
        return ""
    first, second = ("en", "id") if lang == "en" else ("id", "en")
    value = obj.get(f"{base}_{first}") or (obj.get(base) if first == "id" else None)
    return value or obj.get(f"{base}_{second}") or obj.get(base) or ""


def full_score(status: str | None, score: float | None) -> float | None:
    """A sheet's score as a score of the whole sheet: None while a page of it is unread (status ``partial``). Its
    score then covers the fields read so far: a class's mean, its ranking and a headline "100 / 100" must not take
    it for the sheet's."""
    return score if status == "graded" else None


def sheet_scores(status: str | None, score: float | None) -> tuple[int | None, int | None]:
    """``(score, partial_score)`` of a sheet as exported: the whole sheet's, and the read pages' of a sheet with a
    page unread (:func:`full_score`); one of them is None."""
    return shown_score(full_score(status, score)), (shown_score(score) if status == "partial" else None)


def score_may_change(status: str | None, score: float | None, n_review: int) -> bool:
    """A sheet's exported score (:func:`sheet_scores`, whole or of the read pages) that fields still waiting for
    review may change: "sementara" beside it, or a trainer copying scores would take it as final."""
    return bool(n_review) and any(v is not None for v in sheet_scores(status, score))


def score_text(score: float | None) -> str:
    """:func:`shown_score` as text, with a dash for a sheet that has no score."""
    shown = shown_score(score)
    return "—" if shown is None else str(shown)


#: What a sheet is told of a page no photo showed (:attr:`UnreadPages.missing`), after the page's number: the
#: printable report and the command line's output and CSV.
MISSING_PAGE_ADVICE = {"id": "foto halaman ini belum dikirim; foto dan kirim bersama halaman lainnya",
                       "en": "no photo of this page was sent; photograph it and send it with the others"}
#: after the reason of a refused photo whose page another photo of the sheet shows graded (:func:`graded_from`)
GRADED_FROM = {"en": "Page {n} is graded from the photo {file}; this photo need not be taken again.",
               "id": "Halaman {n} sudah dinilai dari foto {file}; foto ini tidak perlu diulang."}


#: after the reason of a photo refused before its page was known, on a sheet whose every page other photos read
#: (:func:`whole_without`)
WHOLE_WITHOUT = {"en": "Every page of the sheet is graded from the other photos; this photo need not be taken again.",
                 "id": "Semua halaman lembar ini sudah dinilai dari foto lain; foto ini tidak perlu diulang."}


def whole_without(result: dict, p: dict) -> bool:
    """Whether ``p``, a photo of ``result``'s sheet refused before its page was known (too blurry to tell), needs no
    retake: every page of the sheet was read from its other photos (``graded``). Its reason alone asked for one on
    the web's card, the printed feedback and ``grader grade``'s lines (rehearsal helper-187: a blurred
    ``eka_p1 (1).jpg`` beside the ``eka_p1.jpg`` her page 1 was graded from); :func:`graded_from` says so of a
    refused photo whose page is known."""
    return bool(p.get("refusal")) and p.get("page") is None and result.get("status") == "graded"


def graded_from(pages: list[dict], p: dict) -> str | None:
    """The file of the photo that a refused photo's page is graded from: the last photo of the sheet (``pages``, its
    result's) that read that page, for ``p`` refused for its own sake (too dark, say; a ``duplicate_page`` says so in
    its own words); None when no other photo read it. Such a photo needs no retake, which its reason alone asked for
    on the web's card, the printed feedback and ``grader grade``'s lines (rehearsals helper-168 and helper-170: a
    chat export's page 2 too dark, then sent again fine)."""
    refusal = p.get("refusal")
    if not refusal or p.get("page") is None or refusal.get("code") == "duplicate_page":
        return None
    graded = [q["file"] for q in pages if not q.get("refusal") and q.get("page") == p["page"]]
    return graded[-1] if graded else None


@dataclass(frozen=True)
class UnreadPages:
    """Pages whose fields are out of the score, and why: no photo sent, a photo refused, or not known which."""
    missing: tuple[int, ...] = ()      # no photo of this page
    refused: tuple[int, ...] = ()      # its photo was refused (it has its own retake card)
    unknown: tuple[int, ...] = ()      # not read, and some photo was refused before its page was known

    def __bool__(self) -> bool:
        return bool(self.missing or self.refused or self.unknown)


def unread_pages(result: dict) -> UnreadPages:
    """Which pages of the sheet were not read, so the score (which leaves their fields out) is only partial.

    A trainee whose page 1 was refused or never sent must not take the score of page 2 alone for a full one.
    """
    unread = {f.get("page") for f in result.get("fields") or [] if on_unread_page(f)}
    unread.discard(None)
    refused = [p.get("page") for p in result.get("pages") or [] if p.get("refusal")]
    refused_known = unread & set(refused)
    rest = tuple(sorted(unread - refused_known))
    if None in refused:     # refused before its page was known: it may be any of the others
        return UnreadPages(refused=tuple(sorted(refused_known)), unknown=rest)
    return UnreadPages(missing=rest, refused=tuple(sorted(refused_known)))


#: The codes and words the tables (``grader grade``'s fields CSV, the web export) give a field on a page not read
#: other than for want of a photo, in place of ``page_missing``: the page's photo was refused (its sheet's row says
#: why), or a photo refused before its page was known (blurred, dark, cut off: most refusals) may have shown it.
NOTE_PAGE_REFUSED = "page_refused"
NOTE_PAGE_NOT_READ = "page_not_read"
#: (its photo, by the file name that gave it this sheet, shows another trainee's page: ``other_trainee_pages``, the
#: code the sheet's ``refusal`` column gives that page, ``pageN=other_trainee``)
NOTE_OTHER_TRAINEE = "other_trainee"
UNREAD_PAGE_ADVICE = {
    NOTE_PAGE_REFUSED: {"id": "foto halaman ini ditolak; alasannya ada di baris lembar ini",
                        "en": "the photo of this page was refused; the sheet's row says why"},
    NOTE_PAGE_NOT_READ: {"id": "halaman ini belum terbaca: ada foto lembar ini yang ditolak (alasannya di baris "
                                "lembar ini); jika foto itu halaman ini, foto ulang",
                         "en": "this page was not read: a photo of this sheet was refused (the sheet's row says "
                               "why); if it showed this page, take it again"},
    NOTE_OTHER_TRAINEE: {"id": "foto halaman ini dari lembar peserta lain; baris lembar ini menyebut lembar siapa",
                         "en": "the photo of this page is from another trainee's sheet; the sheet's row says whose"},
    NOTE_PAGE_MISSING: MISSING_PAGE_ADVICE}


def unread_page_notes(result: dict) -> dict[int, str]:
    """``page -> note code`` for the pages of a sheet not read (:func:`unread_pages`), as the tables give them to
    its fields: ``page_missing`` only where no photo of the sheet was refused that may have shown it (rehearsals,
    helper-137 and helper-138: the fields of a blurry page 2 said the page was never sent), nor where a photo was
    sent that shows another trainee's page (helper-184). Once per sheet."""
    unread = unread_pages(result)
    elsewhere = {p.get("page") for p in result.get("other_trainee_pages") or ()}
    return {**{n: NOTE_OTHER_TRAINEE if n in elsewhere else NOTE_PAGE_MISSING for n in unread.missing},
            **dict.fromkeys(unread.unknown, NOTE_PAGE_NOT_READ), **dict.fromkeys(unread.refused, NOTE_PAGE_REFUSED)}


def note_codes(field: dict, unread: Mapping[int, str]) -> list[str]:
    """A field's note codes as the tables give them, its sheet's pages not read being ``unread``
    (:func:`unread_page_notes`)."""
    why = unread.get(field.get("page"), NOTE_PAGE_MISSING)
    return [why if n == NOTE_PAGE_MISSING else n for n in field.get("notes") or ()]


def unread_page_advice(field: dict, unread: Mapping[int, str], lang: str) -> str | None:
    """What the tables say of a field on a page not read, in ``lang`` (``None`` on a page read)."""
    if not on_unread_page(field):
        return None
    return UNREAD_PAGE_ADVICE[unread.get(field.get("page"), NOTE_PAGE_MISSING)][lang]
