"""Exports of a class's results: one table of sheets and one of fields, as CSV or XLSX, for a trainer.

A trainer opens them in a spreadsheet: the headers are in the trainer's language, and what the pages say in words
(a status, a field's kind, why a field waits for review) is said in the same words. The codes behind those words
(``wrong``, ``unsure_box``, ``file=too_blurry``) follow at the end of each row, for whoever processes the file; the
command line's CSV (:mod:`grader.result_rows`) stays in English codes.

Cells that a spreadsheet would run as a formula are defused (:mod:`grader.spreadsheet`).
"""
from __future__ import annotations

from grader.grading.review_queue import on_unread_page
from grader.grading.shown import (MARK_OF_KIND, full_score, in_language, note_codes, score_may_change, score_text,
                                  sheet_scores, unread_page_advice, unread_page_notes, value_as_read)
from grader.result_rows import field_counts, retake_advised, retake_codes, retake_messages
from grader.spreadsheet import spreadsheet_safe
from grader.web.classroom import being_graded_again, counts_count, earlier_result_only
from grader.web.i18n import gettext as _
from grader.web.local_time import DEFAULT_ZONE, exported
from grader.web.present import (STATUS_LABELS, field_name, field_reasons, partial_row_short, refused_row_short,
                                status_label)

#: The sheets' worded columns, key -> header (Indonesian; English from ``i18n_en``), then the columns holding the
#: codes behind the words of some of them, headed "Hasil (kode)".
SHEET_HEADERS = {
    "trainee": "Peserta", "name": "Nama", "other_names": "Juga dengan nama", "state": "Penilaian", "status": "Hasil",
    "score": "Nilai", "partial_score": "Nilai halaman yang terbaca", "provisional": "Nilai sementara",
    **{k: STATUS_LABELS[k] for k in ("ok", "wrong", "review", "blank", "unreadable")}, "not_read": "Belum terbaca",
    "attempts": "Percobaan", "refused_later": "Kiriman berikutnya ditolak",
    "partial_later": "Kiriman berikutnya belum lengkap", "source": "Dikirim oleh", "submitted_at": "Dikirim",
    "error": "Alasan", "retake_advised": "Sebaiknya foto ulang"}
SHEET_CODES = ("state", "status", "source", "error", "retake_advised")
FIELD_HEADERS = {
    "trainee": "Peserta", "name": "Nama", "field": "Isian", "page": "Halaman", "section": "Bagian", "label": "Uraian",
    "kind": "Jenis", "value": "Terbaca", "expected": "Seharusnya", "status": "Status", "confidence": "Keyakinan",
    "notes": "Alasan", "trainee_says": "Menurut peserta", "disputed_at": "Waktu sanggahan",
    "corrected_by": "Dikoreksi oleh", "corrected_at": "Waktu koreksi"}
FIELD_CODES = ("field", "kind", "status", "notes")
SHEET_COLUMNS = (*SHEET_HEADERS, *(f"{c}_code" for c in SHEET_CODES))
FIELD_COLUMNS = (*FIELD_HEADERS, *(f"{c}_code" for c in FIELD_CODES))
#: Who sent a sheet: the trainee, from the upload page, or a trainer, in a batch.
SOURCE_LABELS = {"trainee": "Peserta", "batch": "Pelatih"}


def headers(names: dict[str, str], codes: tuple[str, ...], *, lang: str) -> tuple[str, ...]:
    """A table's header row in ``lang`` ("id" or "en"): its worded columns, then its code columns, "Hasil (kode)"."""
    worded = {k: _(v, lang=lang) for k, v in names.items()}
    return (*worded.values(), *(_("{column} (kode)", lang=lang, column=worded[c]) for c in codes))


def sheet_headers(lang: str) -> tuple[str, ...]:
    return headers(SHEET_HEADERS, SHEET_CODES, lang=lang)


def field_headers(lang: str) -> tuple[str, ...]:
    return headers(FIELD_HEADERS, FIELD_CODES, lang=lang)


def sheet_rows(sheets: list[dict], results: dict[int, dict] | None = None, *, lang: str = "id",
               zone: str = DEFAULT_ZONE, inputs: dict[int, list[str | None]] | None = None) -> list[tuple]:
    """One row per sheet, in :data:`SHEET_COLUMNS`' order; ``results`` (sheet id -> result) fills the refused pages
    (their reasons in ``error``; ``file=code`` in its code column, as in ``grader grade``'s CSV) and the retake advice.

    Words in ``lang`` ("id" or "en"), the trainer's, as the pages say them; the codes at the row's end. Times carry
    ``zone``'s offset (:func:`~grader.web.local_time.exported`).
    A sheet with a page unread (``partial``) has no ``score``, as the class table shows none: its score over the
    pages read is ``partial_score``, so a spreadsheet's mean of ``score`` is the class mean. A score with fields
    still to check is marked ``provisional``, as the class table marks it "sementara". ``inputs`` (sheet id -> its
    photos' ``uploads.sent_in``, in order) tells a trainee's page in a batch's sheet (:func:`sent_by`)."""
    results, inputs = results or {}, inputs or {}
    return [_sheet_row(r, results.get(r["id"]), lang, zone, inputs.get(r["id"])) for r in sheets]


def sent_by(row, result: dict | None, inputs: list[str | None] | None, lang: str) -> tuple[str, str]:
    """Who sent a sheet, in words and as a code: "Pelatih" (``batch``) for a trainer's batch, "Peserta"
    (``trainee``) for a trainee's sending. A batch's sheet holding a page its trainee sent from its result page (a
    retake, a page added: the photo's ``sent_in`` is kept, a batch photo's is none) names each page's sender,
    "Pelatih (halaman 1), Peserta (halaman 2)" (``page1=batch;page2=trainee``): it said "Pelatih" of the trainee's
    page too. A photo whose page is not known is named by its file."""
    source = row["source"]
    if source != "batch" or not any(inputs or ()):
        return _(SOURCE_LABELS.get(source, source), lang=lang), source
    pages = (result or {}).get("pages") or []
    words: dict[str, list[str]] = {}
    codes = []
    for i, sent_in in enumerate(inputs):
        page = pages[i] if i < len(pages) else {}
        who = "trainee" if sent_in else "batch"
        where = page.get("page")
        words.setdefault(who, []).append(_("halaman {n}", lang=lang, n=where) if where is not None
                                         else page.get("file") or str(i + 1))
        codes.append(f"{f'page{where}' if where is not None else page.get('file') or i + 1}={who}")
    said = ", ".join(f"{_(SOURCE_LABELS[who], lang=lang)} ({', '.join(places)})" for who, places in words.items())
    return said, ";".join(codes)


def _sheet_row(r, result: dict | None, lang: str, zone: str, inputs: list[str | None] | None) -> tuple:
    """:func:`sheet_rows`' row of one sheet. A sheet whose grading again failed, or is under way
    (:func:`earlier_result_only`), keeps its earlier result, which does not count until it is graded again, as the
    class table says: no result, score or counts, and its reason says so first."""
    counted = None if earlier_result_only(r) else r
    status = counted and r["result_status"]
    not_read = field_counts(result)[4] if result else 0
    # (a page no photo showed, too: the sheet has no score, and the row says why, as grader grade's CSV does)
    why = r["error_" + lang] or " ".join(retake_messages(result, lang=lang)) or None
    if counted is None:
        why = " ".join(filter(None, (earlier_not_counted(r, lang), why)))
    sender, sender_code = sent_by(r, result, inputs, lang)
    return tuple(spreadsheet_safe(v) for v in (
        # (the other names the trainee's attempts carried, as the class table says them: two people in one row?)
        r["trainee"] or r["group_key"], r["trainee_name"], ", ".join(r.get("other_names") or ()) or None,
        status_label(r["state"], lang),
        status and status_label(status, lang),
        *sheet_scores(status, r["score"]), counted and provisional_word(r, lang),
        *((r[k] if counts_count(r) else None) for k in ("n_ok", "n_wrong", "n_review", "n_blank")),
        # (a page not read, not sent or refused, apart from the unreadable fields of a page read: "Belum terbaca", as
        # the result page says it; result_rows.field_counts)
        *((r["n_unreadable"] - not_read, not_read) if counts_count(r) else (None, None)),
        r["attempts"], refused_later_words(r, lang, zone) or None, partial_later_words(r, lang, zone) or None, sender,
        exported(r["created_at"], zone), why, retake_advice_words(result, lang) or None,
        r["state"], status, sender_code, r.get("error_code") or retake_codes(result) or None,
        retake_advised(result) or None))


def refused_later_words(row, lang: str, zone: str) -> str:
    """The sendings refused whole after the sheet a row counts (:func:`grader.web.standing_sheets.standing_sheet`),
    each as its time and why in short, "2026-12-07T06:05:40+07:00 (Foto kabur)": the row keeps the graded sheet's
    score, and says that the trainee sent again, as the class table does."""
    return _later_words(row.get("refused_later"), refused_row_short, lang, zone)


def partial_later_words(row, lang: str, zone: str) -> str:
    """The sendings read in part after the complete sheet a row counts
    (:func:`~grader.web.standing_sheets.standing_sheet`), as :func:`refused_later_words` says those refused whole:
    "2026-12-07T06:05:40+07:00 (halaman 2 belum dikirim)"."""
    return _later_words(row.get("partial_later"), partial_row_short, lang, zone)


def _later_words(sendings, why, lang: str, zone: str) -> str:
    """Each of ``sendings`` (a row's later sendings) as its time and ``why(sending, lang)``, joined by "; "."""
    return "; ".join(f"{exported(s['created_at'], zone)} ({why(s, lang)})" for s in sendings or ())


def earlier_not_counted(row, lang: str) -> str:
    """What a sheet whose grading again failed, or is under way (:func:`being_graded_again`), says of its earlier
    result, with its score if it had one."""
    score = full_score(row["result_status"], row["score"])
    if being_graded_again(row):
        if score is None:
            return _("Sedang dinilai ulang: hasil sebelumnya tidak dihitung sampai selesai dinilai ulang.", lang=lang)
        return _("Sedang dinilai ulang: hasil sebelumnya (nilai {score}) tidak dihitung sampai selesai dinilai ulang.",
                 lang=lang, score=score_text(score))
    if score is None:
        return _("Penilaian ulang gagal: hasil sebelumnya tidak dihitung sampai lembar ini dinilai ulang.", lang=lang)
    return _("Penilaian ulang gagal: hasil sebelumnya (nilai {score}) tidak dihitung sampai lembar ini dinilai ulang.",
             lang=lang, score=score_text(score))


def earlier_score_waits(row, lang: str | None = None) -> str:
    """What a sheet being graded again (:func:`being_graded_again`) says of its earlier result beside "Sedang dinilai
    ulang" (its batch row, its page): not counted until then, with its score if it had one."""
    score = full_score(row["result_status"], row["score"])
    if score is None:
        return _("Hasil sebelumnya tidak dihitung sampai selesai dinilai ulang.", lang=lang)
    return _("Hasil sebelumnya (nilai {score}) tidak dihitung sampai selesai dinilai ulang.", lang=lang,
             score=score_text(score))


def provisional_word(row, lang: str) -> str | None:
    """"ya" beside a score that fields still waiting for review may change (the class table's "sementara"): a
    trainer copying scores from a spreadsheet would otherwise take it as final."""
    return _("ya", lang=lang) if score_may_change(row["result_status"], row["score"], row["n_review"]) else None


def retake_advice_words(result: dict | None, lang: str) -> str:
    """The pages graded with retake advice as a trainer reads them: "s_2.jpg: IV.1 bulatan, IV.2 bulatan" (the
    fields by :func:`field_name`; ``file=IV.1.bubbles`` is the code column's, as in ``grader grade``'s CSV)."""
    # (advice about no field, a photo of both pages: its words)
    return "; ".join(f"{p['file']}: " + (", ".join(field_name(f, lang) for f in p["advice"]["fields"])
                                         or in_language(p["advice"], lang))
                     for p in (result or {}).get("pages") or () if p.get("advice"))


def field_rows(results: list[tuple[dict, dict]], *, lang: str = "id", zone: str = DEFAULT_ZONE) -> list[tuple]:
    """One row per field of each ``(sheet row, result)``, in :data:`FIELD_COLUMNS`' order: words in ``lang``, as the
    sheet's page says them (its place, "IV.1 turus", label, kind, status and why it waits for review), then their
    codes (the field's id, ``IV.1.tally``)."""
    out = []
    for row, res in results:
        who, unread = row["trainee"] or row["group_key"], unread_page_notes(res)
        for f in res.get("fields") or []:
            kind, notes = f.get("kind"), ";".join(note_codes(f, unread))
            out.append(tuple(spreadsheet_safe(v) for v in (
                who, row["trainee_name"], f.get("id") and field_name(f["id"], lang), f.get("page"), f.get("section"),
                in_language(f, lang, "label") or None, _(MARK_OF_KIND.get(kind, kind or ""), lang=lang) or None,
                # (a field wrong by its sure boxes: what was read surely, "?41", never our guess at the rest)
                # (an entry of a page not sent or refused: "Belum terbaca", as the sheet's page and the printed sheet
                # say it; "Tak terbaca" there read as our failure on a page we never had: helper-141)
                value_as_read(f), f.get("expected"),
                _("Belum terbaca", lang=lang) if on_unread_page(f) else f.get("status") and status_label(f["status"], lang),
                # (a dispute still open, or one a trainer answered by correcting or confirming the field)
                f.get("confidence"),
                field_reasons(f, lang) or unread_page_advice(f, unread, lang),
                f.get("trainee_says") or f.get("trainee_said"),
                exported(f.get("disputed_at") or f.get("trainee_said_at"), zone),
                f.get("corrected_by"), exported(f.get("corrected_at"), zone),
                f.get("id"), kind, f.get("status"), notes)))
    return out
