"""A trainer's correction and a trainee's dispute of a graded sheet: recorded first, so it is never lost, then the
sheet regraded at once (:func:`correct_field`, :func:`dispute_field`); at startup, the sheets a crash left
without a correction or dispute stored before it (:func:`settle_stored_reviews`). Why one could not go into the
result is worded in :mod:`grader.web.review_refusals`."""
from __future__ import annotations

import json
import logging
import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from grader.errors import GraderError
from grader.grading.review_queue import on_unread_page
from grader.grading.shown import field_name, value_read
from grader.web.corrections import (apply_corrections, corrections_for, disputes_for, latest_corrections,
                                    open_disputes)
from grader.web.db import REMOVED, connect, database_busy, disk_full, immediate, now_iso, storage_refused
from grader.web.grading import load_exercise_key, redraw, resolve_pipeline, store_result
from grader.web.job_worker import JobContext
from grader.web.review_refusals import busy_not_stored, not_stored
from grader.web.sheet_storing import submission_dir

log = logging.getLogger(__name__)


def _stored_field(conn: sqlite3.Connection, submission_id: int, field_id: str) -> tuple[sqlite3.Row, dict, dict]:
    """The submission row, its current result and one of its fields; GraderError if any is missing."""
    sub = conn.execute("SELECT * FROM submissions WHERE id=?", (submission_id,)).fetchone()
    if sub is None or sub["state"] == REMOVED:      # (a removed sheet keeps no result: say it is gone, not "not yet")
        raise not_stored(conn, submission_id, kept=False)
    if not sub["result"]:
        raise GraderError("no_result", "This sheet has no result yet.", "Lembar ini belum punya hasil")
    result = json.loads(sub["result"])
    field = next((f for f in result.get("fields", []) if f.get("id") == field_id), None)
    named, named_en = field_name(field_id), field_name(field_id, "en")
    if field is None:
        raise GraderError("unknown_field", f"There is no entry {named_en} on this sheet.",
                          f"Isian {named} tidak ada di lembar ini")
    return sub, result, field


def _regrade_stored(conn: sqlite3.Connection, sub: sqlite3.Row, key, pipeline_ref: Any, data_dir: Path | str) -> dict:
    """Regrade the reader's original result with every stored correction and dispute, and store it.

    Two corrections of one sheet may arrive at once (a trainer typing through the review queue), and a grading of
    the sheet may store its own reading meanwhile (a job a crash left running, re-run at start while the sheet was
    still graded, then the correction stored): the result is stored only if no correction or dispute came in and no
    reading was stored while it was computed, else it is computed again, so the last result stored always holds
    every correction, on the latest reading (it was stored under the write lock that a later one's insert, and a
    grading's store, waits for)."""
    pipeline = resolve_pipeline(pipeline_ref)
    sid = sub["id"]
    while True:
        reading = _reading(conn, sid)
        (corrections, ids), disputes = latest_corrections(conn, sid), disputes_for(conn, sid)
        new = reading and apply_corrections(pipeline, json.loads(reading), corrections, key, disputes, ids=ids)
        with immediate(conn):
            current = latest_corrections(conn, sid) == (corrections, ids) and disputes_for(conn, sid) == disputes and \
                _reading(conn, sid) == reading
            # (only while the sheet is current: a merge or a split that replaced it meanwhile carried what was
            # stored over to the sheet replacing it, and a regrade was not to write the page back as 'done')
            stored = current and new is not None and store_result(conn, sid, new, current_only=True)
        if current:
            break
    if not stored:
        raise not_stored(conn, sid, kept=True)
    redraw(pipeline, new, submission_dir(data_dir, sub["token"]) / "derived", sub["id"])
    return new


def _reading(conn: sqlite3.Connection, submission_id: int) -> str | None:
    """The sheet's result as its last grading read it, before any correction (as stored); None without one."""
    row = conn.execute("SELECT COALESCE(result_original, result) FROM submissions WHERE id=?",
                       (submission_id,)).fetchone()
    return row[0] if row else None


def settle_stored_reviews(ctx: JobContext) -> int:
    """At startup: regrade the graded sheets whose stored result lacks a correction or an open dispute that was
    stored before it (a crash between storing one and storing the regrade: the score would go on without it, and
    a disputed field would wait in no trainer's queue). Returns how many sheets were regraded."""
    from grader.web.review_settling import settle_sheet

    conn = connect(ctx.database)
    settled = 0
    try:
        # one sheet at a time: a season's database holds thousands of corrected sheets, each result tens of kB
        # (not a sheet a later sending replaced: its result counts nowhere, and it takes no correction any more)
        for (sid,) in conn.execute("SELECT id FROM submissions s WHERE state='done' AND result IS NOT NULL AND "
                                   "superseded_by IS NULL AND ("
                                   "EXISTS (SELECT 1 FROM corrections c WHERE c.submission_id=s.id) OR "
                                   "EXISTS (SELECT 1 FROM disputes d WHERE d.submission_id=s.id))").fetchall():
            try:
                settled += settle_sheet(conn, sid, ctx, why="a correction or dispute stored before a crash is not "
                                                             "in its result")
            except Exception:  # noqa: BLE001 - one sheet must not stop the server from starting
                log.exception("could not regrade sheet %s with its stored corrections", sid)
        return settled
    finally:
        conn.close()


def _record(conn: sqlite3.Connection, submission_id: int, table: str, row: dict) -> None:
    """Insert a correction or a dispute, only while the sheet is current: a removal may have just committed, or
    the trainee's retake (which carries over what was stored before it, in the same transaction as it is stored),
    or a later sending of its form that replaced it (which carries over the same photos' in the same way)."""
    cols = ", ".join(row)
    added = conn.execute(f"INSERT INTO {table}(submission_id, {cols}) SELECT ?, {', '.join('?' * len(row))} "
                         f"WHERE EXISTS (SELECT 1 FROM submissions WHERE id=? AND state='done' AND "
                         f"superseded_by IS NULL) AND NOT EXISTS "
                         f"(SELECT 1 FROM submissions WHERE retake_of=? AND state != '{REMOVED}')",
                         (submission_id, *row.values(), submission_id, submission_id)).rowcount
    if not added:
        raise not_stored(conn, submission_id, kept=False, table=table, sent=row)


class CorrectedMeanwhile(GraderError):
    """The field was corrected since the form was loaded (another tab, another trainer): ``stamp`` is that
    correction's id, which the form sends as ``seen`` to replace it after all."""

    def __init__(self, stamp: str, message: str, message_id: str):
        super().__init__("corrected_meanwhile", message, message_id)
        self.stamp = stamp


def correct_field(conn: sqlite3.Connection, *, submission_id: int, field_id: str, value: int | None, by: str,
                  data_dir: Path | str, pipeline_ref: Any, seen: str | None = None) -> dict:
    """Record a trainer's correction first (so it is never lost), then regrade the sheet at once.

    ``seen``: the id of the field's latest correction as the form showed it ("" for none; a form loaded before the
    id was shown, or showing a result stored before it was stamped, sends that correction's time instead); a
    correction stored since is not overwritten unsaid (:class:`CorrectedMeanwhile`). None: not checked.

    Returns the new result. Raises GraderError if the field does not exist or
    the sheet has no result to correct.
    """
    sub, result, field = _stored_field(conn, submission_id, field_id)
    named, named_en = field_name(field_id), field_name(field_id, "en")     # as its row says it: "IV.1 turus"
    if sub["state"] != "done" or sub["superseded_by"] is not None:     # since its page was loaded
        raise not_stored(conn, submission_id, kept=False, sent={"field_id": field_id, "value": value})
    if on_unread_page(field):
        raise GraderError("page_not_read", f"Entry {named_en} is on a page that was not read (its photo was refused or "
                          f"not sent). Ask the trainee to photograph that page again.",
                          f"Isian {named} ada di halaman yang belum terbaca (foto ditolak atau belum dikirim). "
                          f"Minta peserta memotret ulang halaman itu.")
    largest = largest_value(result, field_id)
    if value is not None and largest is not None and value > largest:
        raise GraderError("value_too_large", f"Entry {named_en} can hold at most {largest}; {value} cannot be what "
                          f"the trainee wrote there.",
                          f"Isian {named} paling besar {largest}; {value} tidak mungkin tertulis di situ.")
    # (read, checked and stored in one write transaction: apart, two tabs saving the field at once each read "no
    # correction yet" and were both told "saved", the later one standing unsaid; rehearsal, helper-193)
    with _not_stored_if_busy("corrections", {"field_id": field_id, "value": value}), immediate(conn):
        corrections, ids = latest_corrections(conn, submission_id)
        latest = corrections.get(field_id)
        if seen is not None:
            _not_corrected_since(latest, ids.get(field_id), field_id, seen, value)
        # (the same trainer saving the same number again, Enter pressed twice on the queue's last item, is one
        # correction: the sheet's history listed it twice, helper-147; a regrade follows all the same)
        if latest is None or latest[:2] != (value, by):
            # (a field wrong by its sure boxes was shown as "?41": that, not our guess at its unsure box, is what
            # was changed)
            _record(conn, submission_id, "corrections", {"field_id": field_id, "value": value,
                                                         "previous": value_read(field),
                                                         "corrected_by": by, "corrected_at": now_iso()})
    with _stored_if_not_scored("corrections", sub["id"], field_id):
        key = load_exercise_key(result.get("exercise") or sub["exercise"], data_dir)
        if key is None:
            raise GraderError("unknown_exercise", "This sheet has no exercise code; the correction is saved, but the "
                              "score is not recalculated.",
                              "Lembar ini tanpa kode latihan; koreksi disimpan tetapi nilai belum dihitung ulang")
        return _regrade_stored(conn, sub, key, pipeline_ref, data_dir)


def _not_corrected_since(latest: tuple[int | None, str, str] | None, latest_id: int | None, field_id: str,
                         seen: str, value: int | None) -> None:
    """Refuse a correction whose form was loaded before the field's ``latest`` correction (``(value, by, at)``, as
    :func:`~grader.web.corrections.corrections_for` gives it, whose id is ``latest_id``; rehearsal, helper-139: the
    review queue open in two tabs, the later tab's save replaced the earlier one's without a word to either).

    ``seen`` is compared to the id: by its time, two corrections stored within one second were one, and a tab
    loaded with the earlier replaced the later unsaid (rehearsal, helper-196). A time (a form loaded before the id
    was shown) is compared to the time, as it was."""
    if latest is None or (str(latest_id) == seen if seen.isdigit() else latest[2] == seen):
        return
    was, who, _ = latest
    named, named_en = field_name(field_id), field_name(field_id, "en")
    shown_id, shown_en = ("kosong", "blank") if was is None else (str(was), str(was))
    typed_id, typed_en = ("kosong", "blank") if value is None else (str(value), str(value))
    raise CorrectedMeanwhile(
        str(latest_id), f"{who} corrected entry {named_en} to {shown_en} after this page was loaded. Save again to "
                        f"replace it with {typed_en}.",
        f"{who} sudah mengoreksi isian {named} menjadi {shown_id} setelah halaman ini dibuka. Simpan lagi untuk "
        f"menggantinya dengan {typed_id}.")


@contextmanager
def _not_stored_if_busy(table: str, sent: dict) -> Iterator[None]:
    """Around the write transaction recording a correction or a dispute: the database locked past its timeout by
    another writer rolled it back, and its sender is told it is NOT stored, with what they typed
    (:func:`~grader.web.review_refusals.busy_not_stored`), not the generic "server error" (rehearsal, helper-198:
    a lock held by a second connection answered the correction form 500, its typed value gone)."""
    try:
        yield
    except sqlite3.OperationalError as exc:
        if not database_busy(exc):
            raise
        log.error("could not record a %s of %s: the database is locked (%s); its sender is told it is not saved",
                  table[:-1], sent.get("field_id"), exc)
        raise busy_not_stored(table, sent) from exc


@contextmanager
def _stored_if_not_scored(table: str, submission_id: int, field_id: str) -> Iterator[None]:
    """Around the regrade of a correction (``table="corrections"``) or a dispute (``"disputes"``) just stored: an
    unexpected error there (a bug, a database locked past its timeout, a full disk) is logged, and its sender told
    that what they sent is kept and when it will count, not "a server error, try again" (which would store it
    twice, and say nothing of the score that lacks it meanwhile). The job runner regrades the sheet again in a
    moment, a few times (:func:`grader.web.review_settling.regrade_later`); failing that, it counts at the sheet's
    next regrade (another correction or dispute of it, a grading) or at the next start
    (:func:`settle_stored_reviews`)."""
    try:
        yield
    except GraderError:
        raise
    except Exception as exc:
        retried = _regrade_later(submission_id)
        log.exception("sheet %s: the %s of %s is stored, but regrading the sheet with it failed; its score lacks it "
                      "until %s", submission_id, table[:-1], field_id,
                      "the job runner's regrade in a moment" if retried else "its next regrade or the next start")
        named, named_en = field_name(field_id), field_name(field_id, "en")
        soon_en, soon = (("the server tries again by itself in a few seconds, and if that fails too, ", "server "
                          "mencobanya lagi sendiri dalam beberapa detik, dan bila tetap gagal, ") if retried
                         else ("", ""))
        # (a disk with room for the row but not for the result: said as the storage's, as every page says it, not
        # as a server error; rehearsal, helper-193)
        cause_en, cause = (("the server's storage, full or not writable,", "penyimpanan server penuh atau tidak bisa "
                            "ditulisi") if storage_refused(exc) or disk_full(exc) else
                           ("the server being busy", "server sedang sibuk") if database_busy(exc) else
                           ("a server error", "kesalahan server"))
        if table == "disputes":
            raise GraderError("not_scored", f"Your dispute of {named_en} is saved, but {cause_en} kept it from "
                              f"reaching the trainer yet. It is not lost: {soon_en}it reaches the trainer when the "
                              f"sheet is next checked or the server restarts. If it is urgent, tell the trainer.",
                              f"Sanggahan Anda untuk {named} sudah tersimpan, tetapi karena {cause} belum "
                              f"sampai ke pelatih. Sanggahan ini tidak hilang: {soon}sanggahan sampai ke pelatih "
                              f"saat lembar ini diperiksa lagi atau server dinyalakan ulang. Bila mendesak, beri tahu "
                              f"pelatih.") from exc
        raise GraderError("not_scored", f"The correction of {named_en} is saved, but {cause_en} kept the score "
                          f"from being recalculated. It is not lost: {soon_en}the score takes it at this sheet's "
                          f"next correction or when the server restarts. Reload the sheet in a moment to see its "
                          f"score. If this keeps happening, tell the administrator.",
                          f"Koreksi {named} sudah tersimpan, tetapi karena {cause} nilai lembar ini belum "
                          f"dihitung ulang. Koreksi ini tidak hilang: {soon}nilainya ikut dihitung pada koreksi "
                          f"berikutnya di lembar ini atau saat server dinyalakan ulang. Muat ulang lembar ini "
                          f"sebentar lagi untuk melihat nilainya. Bila terus begini, beri tahu pengelola server.") \
            from exc


def _regrade_later(submission_id: int) -> bool:
    """Have this app's job runner regrade the sheet again in a moment (:func:`grader.web.review_settling.regrade_later`);
    False outside an app, or if it cannot (said by the caller as left to the next regrade or start)."""
    from grader.web.jobs import runner
    from grader.web.review_settling import regrade_later

    try:
        regrade_later(runner(), submission_id)
    except Exception:  # noqa: BLE001 - (outside a request, no thread to be had): the next regrade or start
        log.exception("sheet %s: could not have its regrade tried again", submission_id)
        return False
    return True


def largest_value(result: dict, field_id: str) -> int | None:
    """The largest number ``field_id`` can hold on the sheet ``result`` was graded on (its boxes, bubble columns or
    tally cells, from the template); None when the result names no template we know."""
    from grader.sheet.layout import shared_layout
    from grader.sheet.schema import resolve_template

    try:
        sheet = shared_layout(resolve_template(result["template"]), contest=result.get("contest"),
                              pairs=result.get("pairs"))
        return sheet.field(field_id).largest_value
    except (KeyError, LookupError, TypeError, ValueError, GraderError):
        return None


DISPUTABLE = ("wrong", "blank")


# A misread touches a few fields; a trainee disputing more than this many at once is more likely disputing
# their mistakes than ours, and each dispute costs a trainer's look. (Settled disputes do not count.)
MAX_OPEN_DISPUTES = 5




# What a trainee may say they wrote: what boxes hold (digits, X, dash; a few characters, as a number field has a
# few boxes), or nothing. Free text would reach the trainer's queue as "menulis <text>".
WRITTEN_RE = re.compile(r"^[0-9xX-]{0,4}$")


MARKS_WRITTEN_RE = re.compile(r"^[0-9]{0,3}$")      # a pair's bubbles or tally: the count they show


def dispute_field(conn: sqlite3.Connection, *, submission_id: int, field_id: str, written: str,
                  data_dir: Path | str, pipeline_ref: Any) -> dict:
    """Record a trainee's "that is not what I wrote" first (so it is never lost), then regrade at once.

    Only a field held against the trainee (``wrong`` or ``blank``) that no trainer has corrected can be
    disputed: it goes to review, out of the score, and into the trainer's queue. Returns the new result.
    """
    sub, result, field = _stored_field(conn, submission_id, field_id)
    named, named_en = field_name(field_id), field_name(field_id, "en")
    if field.get("kind") in ("bubbles", "tally"):       # a count, not boxes: digits only
        if not MARKS_WRITTEN_RE.match(written):
            raise GraderError("bad_written", "Write the count you marked, in digits only (e.g. 47); or leave this "
                              "box empty and a trainer will look at what you marked.",
                              "Tulis jumlah yang Anda tandai, dengan angka saja (mis. 47); atau biarkan kotak ini "
                              "kosong, dan pelatih akan melihat tanda Anda.")
    elif not WRITTEN_RE.match(written):
        # (no X in the example: a phone's number pad, which this box opens, has none, and 47 says the same as X47)
        raise GraderError("bad_written", "Write the number you wrote on the sheet (e.g. 47); or leave this box "
                          "empty and a trainer will look at what you wrote.",
                          "Tulis bilangan yang Anda tulis di lembar (mis. 47); atau biarkan kotak ini kosong, dan "
                          "pelatih akan melihat tulisan Anda.")
    key = load_exercise_key(result.get("exercise") or sub["exercise"], data_dir)
    if key is None:                # nothing is graded against a key, so there is nothing to take back
        raise GraderError("unknown_exercise", "This sheet has no exercise code, so it cannot be disputed yet. Send it "
                          "again with the exercise code.",
                          "Lembar ini tanpa kode latihan, jadi belum bisa disanggah. Kirim ulang dengan kode "
                          "latihan.")
    if sub["state"] != "done" or sub["superseded_by"] is not None:     # since its page was loaded
        raise not_stored(conn, submission_id, kept=False, table="disputes",
                          sent={"field_id": field_id, "written": written})
    # (read, checked and stored in one write transaction: apart, the same dispute sent from two tabs at once was
    # stored twice, both told "thank you", and disputes sent together passed the cap; rehearsal, helper-193)
    with _not_stored_if_busy("disputes", {"field_id": field_id, "written": written}), immediate(conn):
        open_now = open_disputes(disputes_for(conn, submission_id), corrections_for(conn, submission_id))
        if field_id in open_now:       # e.g. sent again from a page opened before the first one
            raise GraderError("already_disputed", f"Entry {named_en} is already disputed and waits for a trainer "
                              f"to check it.",
                              f"Isian {named} sudah disanggah dan menunggu pelatih memeriksanya.")
        if field.get("status") not in DISPUTABLE or field.get("corrected_by"):
            raise GraderError("not_disputable", f"Entry {named_en} is not marked wrong or blank, so there is "
                              f"nothing to dispute.",
                              f"Isian {named} tidak ditandai salah atau kosong oleh aplikasi, jadi tidak perlu "
                              f"disanggah.")
        if len(open_now) >= MAX_OPEN_DISPUTES:
            raise GraderError("too_many_disputes", f"{len(open_now)} disputes of this sheet are already waiting for "
                              f"a trainer. Wait until the trainer has checked them, or ask the trainer directly.",
                              f"Sudah ada {len(open_now)} sanggahan yang menunggu pelatih. Tunggu pelatih "
                              f"memeriksanya dulu, atau tanyakan langsung kepada pelatih.")
        _record(conn, submission_id, "disputes", {"field_id": field_id, "written": written,
                                                  "disputed_at": now_iso()})
    with _stored_if_not_scored("disputes", sub["id"], field_id):
        return _regrade_stored(conn, sub, key, pipeline_ref, data_dir)
