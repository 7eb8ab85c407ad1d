"""Why a trainer's correction or a trainee's dispute did not go into its sheet's result, in words for its sender
(:class:`~grader.errors.GraderError`, Indonesian and English): the sheet removed, replaced (merged, split, or its
form sent again corrected), retaken, being graded again, or its grading again failed; and whether what was sent is
kept all the same, or is said back to be sent again. Raised by :mod:`grader.web.review_actions`."""
from __future__ import annotations

import sqlite3

from grader.errors import GraderError
from grader.grading.shown import field_name
from grader.web.db import REMOVED

__all__ = ["busy_not_stored", "not_stored"]


def _gone() -> GraderError:
    return GraderError("removed", "A trainer removed this sheet, with its photos.",
                       "Lembar ini sudah dihapus oleh pelatih, beserta fotonya.")


def not_stored(conn: sqlite3.Connection, submission_id: int, *, kept: bool, table: str = "corrections",
               sent: dict | None = None) -> GraderError:
    """Why a correction or a dispute could not go into the sheet's result: removed, no longer its current sheet
    (merged or split, sent again), or being graded again. ``kept``: it was stored all the same, and counts there;
    else ``sent`` is what was sent (its row's ``field_id`` and ``value`` or ``written``), said back where it must be
    sent again."""
    row = conn.execute("SELECT state, superseded_by FROM submissions WHERE id=?", (submission_id,)).fetchone()
    if row is None or row["state"] == REMOVED:
        return _gone()
    if row["state"] != "merged" and row["superseded_by"] is not None and not kept:
        return _resent(table)
    if row["state"] == "done" and not kept:          # (what _record refuses a current sheet for: a newer attempt)
        if table == "disputes":
            return GraderError("retaken", "This sheet was sent again; open its latest result and tap “Not what I wrote?” "
                               "there.",
                               "Lembar ini sudah dikirim ulang; buka hasil terbarunya lalu ketuk “Bukan ini yang saya tulis?” di sana.")
        return GraderError("retaken", "The trainee sent this sheet again; correct the latest sheet.",
                           "Peserta sudah mengirim ulang lembar ini; koreksi di lembar terbarunya")
    if row["state"] == "failed":
        return _grading_failed(table, None if kept else sent)
    if kept and row["state"] in ("queued", "running"):     # (that grading applies what is stored)
        return GraderError("being_graded", "What you sent is saved. This sheet is being graded again just now; what "
                           "you sent counts once that grading has finished.",
                           "Yang Anda kirim sudah tersimpan. Lembar ini sedang dinilai ulang; yang Anda kirim ikut "
                           "dihitung begitu penilaiannya selesai.")
    if kept:
        return GraderError("not_current", "This sheet was just replaced or graded again. What you sent is saved and "
                           "counts on its latest sheet.",
                           "Lembar ini baru saja diganti atau dinilai ulang. Yang Anda kirim sudah tersimpan dan "
                           "ikut dihitung di lembar terbarunya.")
    if row["state"] in ("queued", "running") and sent is not None:
        return _being_graded(table, sent)
    return _replaced(table)


def busy_not_stored(table: str, sent: dict) -> GraderError:
    """A correction (``table="corrections"``) or a dispute (``"disputes"``) that met the database locked past its
    timeout (another writer holding it: :func:`grader.web.db.database_busy`): NOT stored, its transaction rolled
    back, and to be sent again in a moment. What was typed is said back, so that nothing is lost if the form is not
    there any more (code ``busy``: answered 503 with ``Retry-After``)."""
    named, said, named_en, said_en = _said(table, sent)
    if table == "disputes":
        return GraderError("busy", f"The server is busy just now, so your dispute of {named_en} (you wrote "
                           f"{said_en}) is NOT saved. Send it again in a minute: your text waits in its form.",
                           f"Server sedang sibuk, jadi sanggahan Anda untuk {named} (Anda menulis {said}) BELUM "
                           f"tersimpan. Kirim lagi satu menit lagi: tulisan Anda menunggu di formulirnya.")
    return GraderError("busy", f"The server is busy just now, so the correction of {named_en} to {said_en} is NOT "
                       f"saved. Save it again in a minute: type {said_en} in entry {named_en} if the form no longer "
                       f"shows it.",
                       f"Server sedang sibuk, jadi koreksi {named} menjadi {said} BELUM tersimpan. Simpan lagi "
                       f"satu menit lagi: ketik {said} di isian {named} bila formulirnya tidak lagi menunjukkannya.")


def _being_graded(table: str, sent: dict) -> GraderError:
    """A correction (``table="corrections"``) or a dispute (``"disputes"``) sent while its sheet is being graded
    again (its grading, interrupted by a crash, re-run at start; or the sheet moved to another exercise): not stored,
    as that grading may store its result without it, and to be sent again in a moment, once it has finished. What
    was typed is said back: the sheet's page, reloading itself while it is graded, no longer holds it."""
    named, said, named_en, said_en = _said(table, sent)
    if table == "disputes":
        return GraderError("being_graded", f"This sheet is being graded again, so your dispute of {named_en} (you "
                           f"wrote {said_en}) is not saved yet. Send it again in a moment, once the result shows.",
                           f"Lembar ini sedang dinilai ulang, jadi sanggahan Anda untuk {named} (Anda menulis "
                           f"{said}) belum tersimpan. Kirim lagi sebentar lagi, setelah hasilnya muncul.")
    return GraderError("being_graded", f"This sheet is being graded again, so the correction of {named_en} to "
                       f"{said_en} is not saved yet. Save it again in a moment, once the grading has finished.",
                       f"Lembar ini sedang dinilai ulang, jadi koreksi {named} menjadi {said} belum tersimpan. "
                       f"Simpan lagi sebentar lagi, setelah penilaiannya selesai.")


def _said(table: str, sent: dict) -> tuple[str, str, str, str]:
    """What a correction or a dispute said, to say it back: the field as its row names it and the value (or what the
    trainee wrote), in Indonesian and in English: ``(named, said, named_en, said_en)``."""
    named, named_en = field_name(sent["field_id"]), field_name(sent["field_id"], "en")
    if table == "disputes":
        return named, sent["written"] or "kosong", named_en, sent["written"] or "blank"
    value = sent["value"]
    return (named, "kosong", named_en, "blank") if value is None else (named, str(value), named_en, str(value))


def _grading_failed(table: str, sent: dict | None) -> GraderError:
    """A correction (``table="corrections"``) or a dispute (``"disputes"``) of a sheet whose grading failed since its
    page was loaded, or while it was being regraded: graded once, then graded again (its grading, interrupted by a
    crash, re-run at start; a trainer's "grade again") and that failed. Its earlier result is still stored, but the
    sheet is ``failed`` until it is graded again from its stored photos. ``sent`` (what was sent) when it was not
    stored: said back, to send again once the sheet is graded; None when it was stored all the same: a grading
    applies it."""
    if sent is None:
        return GraderError("grading_failed", "What you sent is saved, but grading this sheet again has just failed, "
                           "so its result does not hold it yet. It counts once the sheet is graded again from its "
                           "stored photos.",
                           "Yang Anda kirim sudah tersimpan, tetapi penilaian ulang lembar ini baru saja gagal, jadi "
                           "hasilnya belum memuatnya. Yang Anda kirim ikut dihitung begitu lembar ini dinilai ulang "
                           "dari foto yang tersimpan.")
    named, said, named_en, said_en = _said(table, sent)
    if table == "disputes":
        return GraderError("grading_failed", f"Grading this sheet again failed, so your dispute of {named_en} (you "
                           f"wrote {said_en}) is not saved. Send it again once the sheet has been graded again; this "
                           f"page says how.",
                           f"Penilaian ulang lembar ini gagal, jadi sanggahan Anda untuk {named} (Anda menulis "
                           f"{said}) belum tersimpan. Kirim lagi sanggahan Anda setelah lembar ini berhasil dinilai "
                           f"lagi; halaman ini menjelaskan caranya.")
    return GraderError("grading_failed", f"Grading this sheet again failed, so the correction of {named_en} to "
                       f"{said_en} is not saved. Grade the sheet again from its stored photos (on its page), then save "
                       f"the correction again.",
                       f"Penilaian ulang lembar ini gagal, jadi koreksi {named} menjadi {said} belum tersimpan. "
                       f"Nilai ulang lembar ini dari foto yang tersimpan (di halaman lembar ini), lalu simpan lagi "
                       f"koreksinya.")


def _replaced(table: str) -> GraderError:
    """A correction (``table="corrections"``) or a dispute (``"disputes"``) sent to a sheet that has been replaced:
    merged into a two-page sheet or split into its pages, since its page was loaded."""
    if table == "disputes":
        return GraderError("not_current", "This result has been replaced; open the latest result and tap “Not what I "
                           "wrote?” there.",
                           "Hasil ini sudah diganti; buka hasil terbarunya lalu ketuk “Bukan ini yang saya tulis?” di sana.")
    return GraderError("not_current", "This sheet has been replaced (merged or split); correct the sheet that "
                       "replaced it.",
                       "Lembar ini sudah diganti (digabung atau dipisah); koreksi di lembar penggantinya")


def _resent(table: str) -> GraderError:
    """A correction (``table="corrections"``) or a dispute (``"disputes"``) sent to a sending that a later sending
    of its form, with the name, the code or a photo corrected, replaced (:mod:`grader.web.resent`)."""
    if table == "disputes":
        return GraderError("resent", "This sending was replaced by your later one; open it and tap “Not what I wrote?” "
                           "there.",
                           "Kiriman ini sudah diganti oleh kiriman Anda berikutnya; buka kiriman itu lalu ketuk "
                           "“Bukan ini yang saya tulis?” di sana.")
    return GraderError("resent", "The trainee sent this form again with the name, code or photo corrected; correct "
                       "the latest sheet.",
                       "Peserta sudah mengirim ulang kiriman ini dengan nama, kode atau foto yang dibetulkan; "
                       "koreksi di lembar terbarunya")
