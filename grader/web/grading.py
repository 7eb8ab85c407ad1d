"""The ``grade`` job and trainer corrections: run the pipeline on a stored submission, keep the result.

Runs in worker processes (see :mod:`grader.web.jobs`). The uploads were
written to disk and recorded before the job was queued, so a job can always
be re-run from the database alone. Corrections live in their own table and
are re-applied after every (re-)grading, so they are never lost.
"""
from __future__ import annotations

import importlib
import json
import re
import logging
import sqlite3
from pathlib import Path
from typing import Any

from grader.errors import GraderError
from grader.grading.shown import value_read
from grader.grading.review_queue import on_unread_page
from grader.page_groups import normalise_id
from grader.pipeline import IDENTITY_NAME
from grader.web.db import REMOVED, connect, now_iso
from grader.web.job_worker import JobContext
from grader.web.removal import drop_photos, remove_late_sheet
from grader.web.uploads import read_stored, submission_dir

log = logging.getLogger(__name__)

COUNT_KEYS = ("ok", "wrong", "review", "blank", "unreadable")


def stored_photos(conn: sqlite3.Connection, data_dir: Path | str, submission_id: int) -> list[tuple[str, bytes]]:
    """A sheet's photos as stored, ``(file name, bytes)`` in page order: what grading, a merge and a split read."""
    return [(u["filename"], read_stored(data_dir, u["path"], u["filename"])) for u in conn.execute(
        "SELECT filename, path FROM uploads WHERE submission_id=? ORDER BY position", (submission_id,))]


def resolve_pipeline(ref: Any):
    """``None`` -> :mod:`grader.pipeline`; a module name -> that module; anything else is used as is."""
    if ref is None:
        return importlib.import_module("grader.pipeline")
    if isinstance(ref, str):
        return importlib.import_module(ref)
    return ref


def load_exercise_key(code: str | None, data_dir: Path | str):
    """The answer key for ``code`` from the exercise store under ``data_dir`` (``None`` if no code)."""
    if not code:
        return None
    from grader.exercise.store import load_key

    return load_key(code, base=Path(data_dir))


def corrections_for(conn: sqlite3.Connection, submission_id: int) -> dict[str, tuple[int | None, str, str]]:
    """The latest correction per field: ``field -> (value, by, at)``."""
    out: dict[str, tuple[int | None, str, str]] = {}
    for r in conn.execute("SELECT field_id, value, corrected_by, corrected_at FROM corrections "
                          "WHERE submission_id=? ORDER BY id", (submission_id,)):
        out[r["field_id"]] = (r["value"], r["corrected_by"], r["corrected_at"])
    return out


def disputes_for(conn: sqlite3.Connection, submission_id: int) -> dict[str, tuple[str, str]]:
    """The latest dispute per field: ``field -> (what the trainee says they wrote, at)``."""
    return {r["field_id"]: (r["written"], r["disputed_at"]) for r in conn.execute(
        "SELECT field_id, written, disputed_at FROM disputes WHERE submission_id=? ORDER BY id", (submission_id,))}


def open_disputes(disputes: dict[str, tuple[str, str]] | None, corrections: dict) -> dict[str, tuple[str, str]]:
    """The disputes still open: a dispute is open while its field has no correction (the trainer's word settles it)."""
    return {f: d for f, d in (disputes or {}).items() if f not in corrections}


def apply_corrections(pipeline, result: dict, corrections: dict[str, tuple[int | None, str, str]], key,
                      disputes: dict[str, tuple[str, str]] | None = None) -> dict:
    """Regrade ``result`` with the trainer's corrections and the trainee's open disputes; stamp who and when."""
    still_open = open_disputes(disputes, corrections)
    if (not corrections and not still_open) or key is None:
        return result
    new = pipeline.regrade(result, {f: v for f, (v, _, _) in corrections.items()}, key, disputed=set(still_open))
    for field in new.get("fields", []):
        if field.get("id") in corrections:
            _, by, at = corrections[field["id"]]
            field["corrected_by"] = by
            field["corrected_at"] = at
        elif field.get("id") in still_open:
            field["trainee_says"], field["disputed_at"] = still_open[field["id"]]
    return new


def store_result(conn: sqlite3.Connection, submission_id: int, result: dict, *, original: dict | None = None,
                 current_only: bool = False) -> bool:
    """Write a pipeline result and its summary columns; identity found on the sheet fills empty columns (a QR's
    trainee replaces a typed one). Returns False, writing nothing, when the sheet was removed meanwhile (a
    correction or a dispute racing a removal must not bring the sheet back), or, with ``current_only``, when it
    is no longer a graded sheet (merged or split meanwhile, or queued to be graded again)."""
    counts = result.get("counts") or {}
    cols = {
        "result": json.dumps(result, ensure_ascii=False),
        "result_status": result.get("status"),
        "score": result.get("score"),
        **{f"n_{k}": int(counts.get(k, 0)) for k in COUNT_KEYS},
        "state": "done", "error_code": None, "error_id": None, "error_en": None, "updated_at": now_iso(),
    }
    if original is not None:
        cols["result_original"] = json.dumps(original, ensure_ascii=False)
    source = result.get("identity_source")
    if source == "qr" and result.get("trainee"):
        # The QR of a personalised sheet names its trainee: it wins over what the uploader typed (issue 5's order:
        # QR, then the number written on the sheet, then the file name), so one trainee is one row in the class.
        cols.update(trainee=result["trainee"], trainee_name=result.get("trainee_name"))
    elif source == "trainee_number" and result.get("trainee"):
        row = conn.execute("SELECT trainee, group_key FROM submissions WHERE id=?", (submission_id,)).fetchone()
        typed = row["trainee"] if row else None
        if typed and (typed_number(typed) == normalise_id(result["trainee"]) or typed == row["group_key"]):
            # The number read on the sheet agrees with the one typed in "Fitri 104": the trainee is 104 (one row with
            # the attempts typed "104"), and the rest of what was typed is the name. A number that disagrees with the
            # typed one (a misread 104 -> 164?), or typed text without one, leaves the typed text as it is: an
            # attempt's row must not depend on how surely its number was read. (A label the app gave, a split
            # half's photo name, is no one's typing: the number wins over it.)
            cols["trainee"] = result["trainee"]
            if normalise_id(typed) != normalise_id(result["trainee"]) and typed != row["group_key"]:
                cols["trainee_name"] = typed
    sets = ", ".join(f"{k}=?" for k in cols)
    fill = ", ".join(f"{k}=COALESCE({k}, ?)" for k in ("exercise", "trainee", "trainee_name") if k not in cols)
    only = " AND state='done' AND superseded_by IS NULL" if current_only else ""
    return conn.execute(
        f"UPDATE submissions SET {sets}, {fill} WHERE id=? AND state != ?{only}",
        (*cols.values(), *(result.get(k) for k in ("exercise", "trainee", "trainee_name") if k not in cols),
         submission_id, REMOVED)).rowcount > 0


def typed_number(text: str) -> str | None:
    """The one number in what an uploader typed (``Fitri 104`` -> ``104``, ``061`` -> ``61``), normalised as trainee
    ids are; None without exactly one."""
    numbers = re.findall(r"\d+", text)
    return normalise_id(numbers[0]) if len(numbers) == 1 and numbers[0].isascii() else None


def run_grade_job(payload: dict, ctx: JobContext) -> None:
    """Grade submission ``payload["submission_id"]`` and store the result (or raise GraderError)."""
    sid = int(payload["submission_id"])
    conn = connect(ctx.database)
    try:
        sub = conn.execute("SELECT * FROM submissions WHERE id=?", (sid,)).fetchone()
        if sub is None or sub["state"] in ("merged", REMOVED):
            return
        conn.execute("UPDATE submissions SET state='running', updated_at=? WHERE id=?", (now_iso(), sid))
        try:
            key = load_exercise_key(sub["exercise"], ctx.data_dir)
        except GraderError as exc:
            if exc.code != "exercise_removed":
                raise
            # stored for an exercise removed meanwhile: it goes with its class
            remove_late_sheet(conn, Path(ctx.data_dir), sub)
            return
        files = stored_photos(conn, ctx.data_dir, sid)
        pipeline = resolve_pipeline(ctx.pipeline)
        out_dir = submission_dir(ctx.data_dir, sub["token"]) / "derived"
        out_dir.mkdir(parents=True, exist_ok=True)
        for old in out_dir.glob(IDENTITY_NAME.format(page="*")):   # found on disk (trainer.results.ident_url):
            old.unlink(missing_ok=True)                              # none may be left from an earlier run
        result = pipeline.grade_upload(files, key=key, exercise=sub["exercise"], trainee=sub["trainee"],
                                       out_dir=out_dir, keep_aligned=True)
        if key is None and result.get("exercise"):
            try:
                key = load_exercise_key(result["exercise"], ctx.data_dir)
            except GraderError as exc:
                if exc.code == "exercise_removed":
                    # the QR names an exercise its trainer removed: no score, the sender is told why, and its
                    # photos are not kept for a class that was removed for good
                    drop_photos(conn, Path(ctx.data_dir), sub)
                    raise
                key = None
        if sub["source"] == "trainee" and _only_wrong_exercise(result):
            # The photos are fine and kept; the code the trainee typed is not the one printed on the sheet. A
            # retake cannot fix that: hold the upload for the trainee to fix the code (trainee.hold_code).
            refusal = result["pages"][0]["refusal"]
            conn.execute("UPDATE submissions SET state='held', error_code=?, error_id=?, error_en=?, updated_at=? "
                         "WHERE id=?", (refusal["code"], refusal["message_id"], refusal["message_en"], now_iso(), sid))
            return
        corrections, disputes = corrections_for(conn, sid), disputes_for(conn, sid)
        graded = apply_corrections(pipeline, result, corrections, key, disputes)
        store_result(conn, sid, graded, original=result)
        if corrections or disputes:      # graded again after a crash: the marks must show the corrections
            redraw(pipeline, graded, out_dir, sid)
    finally:
        conn.close()


def _only_wrong_exercise(result: dict) -> bool:
    """Every photo was refused only because the sheet is printed for another exercise than the code given."""
    pages = result.get("pages") or []
    return result.get("status") == "refused" and bool(pages) and all(
        (p.get("refusal") or {}).get("code") == "wrong_exercise" for p in pages)


def fail_grade_job(payload: dict, ctx: JobContext, code: str, message_id: str, message_en: str) -> None:
    """Mark the submission failed with its reason; its uploads stay on disk for a re-run."""
    conn = connect(ctx.database)
    try:
        conn.execute("UPDATE submissions SET state='failed', error_code=?, error_id=?, error_en=?, updated_at=? "
                     "WHERE id=? AND state != 'merged'",
                     (code, message_id, message_en, now_iso(), int(payload["submission_id"])))
    finally:
        conn.close()


def _stored_field(conn: sqlite3.Connection, submission_id: int, field_id: str) -> tuple[sqlite3.Row, dict, dict]:
    """The submission row, its current result and one of its fields; GraderError if any is missing."""
    sub = conn.execute("SELECT * FROM submissions WHERE id=?", (submission_id,)).fetchone()
    if sub is None or not sub["result"]:
        raise GraderError("no_result", "This sheet has no result yet.", "Lembar ini belum punya hasil")
    result = json.loads(sub["result"])
    field = next((f for f in result.get("fields", []) if f.get("id") == field_id), None)
    if field is None:
        raise GraderError("unknown_field", f"There is no entry {field_id} on this sheet.",
                          f"Isian {field_id} tidak ada di lembar ini")
    return sub, result, field


def _regrade_stored(conn: sqlite3.Connection, sub: sqlite3.Row, key, pipeline_ref: Any, data_dir: Path | str) -> dict:
    """Regrade the reader's original result with every stored correction and dispute, and store it.

    Two corrections of one sheet may arrive at once (a trainer typing through the review queue): the result is
    stored only if no correction or dispute came in while it was computed, else it is computed again, so the
    last result stored always holds every correction (it was stored under the write lock that a later one's
    insert waits for)."""
    base = json.loads(sub["result_original"] or sub["result"])
    pipeline = resolve_pipeline(pipeline_ref)
    sid = sub["id"]
    while True:
        corrections, disputes = corrections_for(conn, sid), disputes_for(conn, sid)
        new = apply_corrections(pipeline, base, corrections, key, disputes)
        conn.execute("BEGIN IMMEDIATE")
        try:
            current = corrections_for(conn, sid) == corrections and disputes_for(conn, sid) == disputes
            # (only while the sheet is current: a merge or a split that replaced it meanwhile carried what was
            # stored over to the sheet replacing it, and a regrade was not to write the page back as 'done')
            stored = current and store_result(conn, sid, new, current_only=True)
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        if current:
            break
    if not stored:
        raise _not_stored(conn, sid, kept=True)
    redraw(pipeline, new, submission_dir(data_dir, sub["token"]) / "derived", sub["id"])
    return new


def settle_stored_reviews(ctx: JobContext) -> int:
    """At startup: regrade the graded sheets whose stored result lacks a correction or an open dispute that was
    stored before it (a crash between storing one and storing the regrade: the score would go on without it, and
    a disputed field would wait in no trainer's queue). Returns how many sheets were regraded."""
    conn = connect(ctx.database)
    settled = 0
    try:
        # one sheet at a time: a season's database holds thousands of corrected sheets, each result tens of kB
        # (not a sheet a later sending replaced: its result counts nowhere, and it takes no correction any more)
        for (sid,) in conn.execute("SELECT id FROM submissions s WHERE state='done' AND result IS NOT NULL AND "
                                   "superseded_by IS NULL AND ("
                                   "EXISTS (SELECT 1 FROM corrections c WHERE c.submission_id=s.id) OR "
                                   "EXISTS (SELECT 1 FROM disputes d WHERE d.submission_id=s.id))").fetchall():
            sub = conn.execute("SELECT * FROM submissions WHERE id=? AND state='done'", (sid,)).fetchone()
            if sub is None:
                continue
            result = json.loads(sub["result"])
            fields = {f.get("id"): f for f in result.get("fields", [])}
            corrections = corrections_for(conn, sub["id"])
            disputes = open_disputes(disputes_for(conn, sub["id"]), corrections)
            # (the value too: two corrections of one field by one trainer within a second share who and when)
            if all(f not in fields or (fields[f].get("value"), fields[f].get("corrected_by"),
                                       fields[f].get("corrected_at")) == (v, by, at)
                   for f, (v, by, at) in corrections.items()) and \
                    all(f not in fields or fields[f].get("disputed_at") == at for f, (_, at) in disputes.items()):
                continue
            try:
                key = load_exercise_key(result.get("exercise") or sub["exercise"], ctx.data_dir)
                if key is not None:
                    log.warning("sheet %s: a correction or dispute stored before a crash is not in its result; "
                                "regrading it", sub["id"])
                    _regrade_stored(conn, sub, key, ctx.pipeline, ctx.data_dir)
                    settled += 1
            except Exception:  # noqa: BLE001 - one sheet must not stop the server from starting
                log.exception("could not regrade sheet %s with its stored corrections", sub["id"])
        return settled
    finally:
        conn.close()


def _gone() -> GraderError:
    return GraderError("removed", "A trainer removed this sheet, with its photos.",
                       "Lembar ini sudah dihapus oleh pelatih, beserta fotonya.")


def _not_stored(conn: sqlite3.Connection, submission_id: int, *, kept: bool, table: str = "corrections") -> GraderError:
    """Why a correction or a dispute could not go into the sheet's result: removed, or no longer its current sheet
    (merged or split, or queued to be graded again). ``kept``: it was stored all the same, and counts there."""
    row = conn.execute("SELECT state, superseded_by FROM submissions WHERE id=?", (submission_id,)).fetchone()
    if row is None or row["state"] == REMOVED:
        return _gone()
    if row["state"] != "merged" and row["superseded_by"] is not None and not kept:
        return _resent(table)
    if row["state"] == "done" and not kept:          # (what _record refuses a current sheet for: a newer attempt)
        if table == "disputes":
            return GraderError("retaken", "This sheet was sent again; open its latest result and dispute the entry "
                               "there.",
                               "Lembar ini sudah dikirim ulang; buka hasil terbarunya lalu sanggah di sana")
        return GraderError("retaken", "The trainee sent this sheet again; correct the latest sheet.",
                           "Peserta sudah mengirim ulang lembar ini; koreksi di lembar terbarunya")
    if kept:
        return GraderError("not_current", "This sheet was just replaced or graded again. What you sent is saved and "
                           "counts on its latest sheet.",
                           "Lembar ini baru saja diganti atau dinilai ulang. Yang Anda kirim sudah tersimpan dan "
                           "ikut dihitung di lembar terbarunya.")
    return _replaced(table)


def _replaced(table: str) -> GraderError:
    """A correction (``table="corrections"``) or a dispute (``"disputes"``) sent to a sheet that has been replaced:
    merged into a two-page sheet or split into its pages, since its page was loaded."""
    if table == "disputes":
        return GraderError("not_current", "This result has been replaced; open the latest result and dispute the "
                           "entry there.",
                           "Hasil ini sudah diganti; buka hasil terbarunya lalu sanggah di sana")
    return GraderError("not_current", "This sheet has been replaced (merged or split); correct the sheet that "
                       "replaced it.",
                       "Lembar ini sudah diganti (digabung atau dipisah); koreksi di lembar penggantinya")


def _resent(table: str) -> GraderError:
    """A correction (``table="corrections"``) or a dispute (``"disputes"``) sent to a sending that a later sending
    of its form, with the name, the code or a photo corrected, replaced (:mod:`grader.web.resent`)."""
    if table == "disputes":
        return GraderError("resent", "This sending was replaced by your later one; open it and dispute the entry "
                           "there.",
                           "Kiriman ini sudah diganti oleh kiriman Anda berikutnya; buka kiriman itu lalu sanggah "
                           "di sana")
    return GraderError("resent", "The trainee sent this form again with the name, code or photo corrected; correct "
                       "the latest sheet.",
                       "Peserta sudah mengirim ulang formulir ini dengan nama, kode atau foto yang dibetulkan; "
                       "koreksi di lembar terbarunya")


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
        raise _not_stored(conn, submission_id, kept=False, table=table)


def redraw(pipeline, result: dict, out_dir: Path, sid: int) -> None:
    """Redraw the marked pages after a regrade; the stored result is what counts if this fails."""
    if not result.get("template"):
        return
    try:
        pipeline.redraw_feedback(result, out_dir)
    except Exception:  # noqa: BLE001 - never lose a correction over a picture
        log.exception("could not redraw the marked pages of sheet %s", sid)


def correct_field(conn: sqlite3.Connection, *, submission_id: int, field_id: str, value: int | None, by: str,
                  data_dir: Path | str, pipeline_ref: Any) -> dict:
    """Record a trainer's correction first (so it is never lost), then regrade the sheet at once.

    Returns the new result. Raises GraderError if the field does not exist or
    the sheet has no result to correct.
    """
    sub, result, field = _stored_field(conn, submission_id, field_id)
    if sub["state"] != "done":     # merged into a two-page sheet, or split into its pages, since it was loaded
        raise _replaced("corrections")
    if sub["superseded_by"] is not None:         # a later sending of its form replaced it
        raise _resent("corrections")
    if on_unread_page(field):
        raise GraderError("page_not_read", f"Entry {field_id} is on a page that was not read (its photo was refused or "
                          f"not sent). Ask the trainee to photograph that page again.",
                          f"Isian {field_id} ada di halaman yang belum terbaca (foto ditolak atau belum dikirim). "
                          f"Minta peserta memotret ulang halaman itu.")
    # (a field wrong by its sure boxes was shown as "?41": that, not our guess at its unsure box, is what was changed)
    _record(conn, submission_id, "corrections", {"field_id": field_id, "value": value,
                                                 "previous": value_read(field),
                                                 "corrected_by": by, "corrected_at": now_iso()})
    key = load_exercise_key(result.get("exercise") or sub["exercise"], data_dir)
    if key is None:
        raise GraderError("unknown_exercise", "This sheet has no exercise code; the correction is saved, but the score "
                          "is not recalculated.",
                          "Lembar ini tanpa kode latihan; koreksi disimpan tetapi nilai belum dihitung ulang")
    return _regrade_stored(conn, sub, key, pipeline_ref, data_dir)


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
    if field.get("kind") in ("bubbles", "tally"):       # a count, not boxes: digits only
        if not MARKS_WRITTEN_RE.match(written):
            raise GraderError("bad_written", "Write the count you marked (e.g. 47), or leave it empty.",
                              "Tulis jumlah yang Anda tandai (mis. 47), atau kosongkan.")
    elif not WRITTEN_RE.match(written):
        raise GraderError("bad_written", "Write what is in the boxes as you wrote it on the sheet (e.g. 47 or X47), "
                          "or leave it empty.",
                          "Tulis isi kotak seperti yang Anda tulis di lembar (mis. 47 atau X47), atau kosongkan.")
    key = load_exercise_key(result.get("exercise") or sub["exercise"], data_dir)
    if key is None:                # nothing is graded against a key, so there is nothing to take back
        raise GraderError("unknown_exercise", "This sheet has no exercise code, so it cannot be disputed yet. Send it "
                          "again with the exercise code.",
                          "Lembar ini tanpa kode latihan, jadi belum bisa disanggah. Kirim ulang dengan kode "
                          "latihan.")
    if sub["state"] != "done":     # e.g. merged into a two-page sheet since the page was loaded
        raise _replaced("disputes")
    if sub["superseded_by"] is not None:         # a later sending of its form replaced it
        raise _resent("disputes")
    open_now = open_disputes(disputes_for(conn, submission_id), corrections_for(conn, submission_id))
    if field_id in open_now:       # e.g. sent again from a page opened before the first one
        raise GraderError("already_disputed", f"Entry {field_id} is already disputed and waits for a trainer to "
                          f"check it.",
                          f"Isian {field_id} sudah disanggah dan menunggu pelatih memeriksanya.")
    if field.get("status") not in DISPUTABLE or field.get("corrected_by"):
        raise GraderError("not_disputable", f"Entry {field_id} is not marked wrong or blank, so there is nothing "
                          f"to dispute.",
                          f"Isian {field_id} tidak ditandai salah atau kosong oleh pembaca, jadi tidak perlu "
                          f"disanggah")
    if len(open_now) >= MAX_OPEN_DISPUTES:
        raise GraderError("too_many_disputes", f"{len(open_now)} disputes of this sheet are already waiting for a "
                          f"trainer. Wait until the trainer has checked them, or ask the trainer directly.",
                          f"Sudah ada {len(open_now)} sanggahan yang menunggu pelatih. Tunggu pelatih "
                          f"memeriksanya dulu, atau tanyakan langsung kepada pelatih.")
    _record(conn, submission_id, "disputes", {"field_id": field_id, "written": written, "disputed_at": now_iso()})
    return _regrade_stored(conn, sub, key, pipeline_ref, data_dir)


def carry_over_reviews(conn: sqlite3.Connection, old_ids: list[int], new_id: int,
                       fields: list[str] | None = None) -> None:
    """Copy the corrections and disputes of merged single pages onto the sheet that replaces them (in their
    order, so the latest still wins): a trainer's or trainee's word is never lost to a merge or a split.
    ``fields`` keeps only those fields (a split's half takes the fields of its own page)."""
    marks = ",".join("?" * len(old_ids))
    only = f" AND field_id IN ({','.join('?' * len(fields))})" if fields is not None else ""
    args = (new_id, *old_ids, *(fields or ()))
    conn.execute(f"INSERT INTO corrections(submission_id, field_id, value, previous, corrected_by, corrected_at) "
                 f"SELECT ?, field_id, value, previous, corrected_by, corrected_at FROM corrections "
                 f"WHERE submission_id IN ({marks}){only} ORDER BY id", args)
    conn.execute(f"INSERT INTO disputes(submission_id, field_id, written, disputed_at) "
                 f"SELECT ?, field_id, written, disputed_at FROM disputes WHERE submission_id IN ({marks}){only} "
                 f"ORDER BY id", args)


def after_grade_job(payload: dict, runner) -> None:
    """When the last sheet of a batch is done, merge its single pages by trainee
    (:func:`grader.web.page_merge.merge_batch`)."""
    from grader.web.page_merge import merge_batch

    conn = connect(runner.ctx.database)
    try:
        sub = conn.execute("SELECT batch_id FROM submissions WHERE id=?", (int(payload["submission_id"]),)).fetchone()
        if sub is not None and sub["batch_id"] is not None:
            merge_batch(conn, sub["batch_id"], runner)
    finally:
        conn.close()
