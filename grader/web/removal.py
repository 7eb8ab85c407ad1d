"""Removing what a trainer no longer wants kept: one sheet (a test photo, a selfie, a sheet sent to the wrong
class), or a whole exercise with its class's sheets once the training is over.

These are the only ways anything stored leaves the app, and only on a trainer's explicit, confirmed request. A
sheet goes with the sheets it replaced, which hold the same photos: a batch's single pages merged into it, or the
pair it was split from; and the earlier sendings of its form that it replaced, corrected (:mod:`grader.web.resent`:
no page lists them any more). A later attempt that retook it stays, as an attempt of its own.

The sheet's row stays behind as a tombstone (state ``removed``, its result and photos gone): SQLite would
otherwise give its id to the next upload, and a trainer's page still open on the old sheet would then correct
or remove someone else's.
"""
from __future__ import annotations

import logging
import shutil
from collections.abc import Iterable
import sqlite3
from pathlib import Path

from grader.exercise.store import KEY_NAME, REMOVED_MARK, exercises_dir, removed_exercises
from grader.web.db import MERGING, REMOVED, immediate, now_iso
from grader.web.pages_elsewhere import name_pages_in_other_sheets
from grader.web.sheet_storing import submission_dir

log = logging.getLogger(__name__)

#: states in which a sheet may be removed: no grading job is working on it
REMOVABLE_STATES = ("done", "failed", "held")


def sheets_to_remove(conn: sqlite3.Connection, sid: int) -> list[dict]:
    """``sid`` and every sheet it replaced, as dicts with ``id``, ``token`` and ``state``.

    Replaced sheets are found through ``superseded_by`` (the pages merged into a sheet, the earlier sendings of its
    form: recursively) and by their photos' content within the batch (a pair split into single pages points at
    only one of its halves).
    """
    out = [dict(r) for r in conn.execute("SELECT id, token, batch_id, state FROM submissions WHERE id=?", (sid,))]
    todo = [sid]
    while todo:
        marks = ",".join("?" * len(todo))
        seen = {r["id"] for r in out}
        parts = [dict(r) for r in conn.execute(
            f"SELECT DISTINCT s.id, s.token, s.batch_id, s.state FROM submissions s WHERE s.state != '{REMOVED}' AND ("
            f"s.superseded_by IN ({marks}) OR (s.state='merged' AND s.batch_id IS NOT NULL AND EXISTS ("
            f"SELECT 1 FROM uploads u JOIN uploads v ON v.sha256 = u.sha256 JOIN submissions t ON t.id = v.submission_id "
            f"WHERE u.submission_id = s.id AND t.id IN ({marks}) AND t.batch_id = s.batch_id)))", todo + todo)
            if r["id"] not in seen]
        out += parts
        todo = [r["id"] for r in parts]
    return out


def remove_sheet(conn: sqlite3.Connection, data_dir: Path, sid: int) -> list[int] | None:
    """Remove sheet ``sid`` (and the sheets it replaced): photos, result, corrections and disputes.

    Returns the ids removed (none when another request removed it first), or None when it cannot be now: the
    sheet (or an earlier sending it replaced) is being graded, or its batch's merge step is running (it reads the
    batch's photos). The database goes
    first, in one transaction; the files after it, so a crash between the two leaves files without a sheet
    (logged), never a sheet without its photos.

    A classmate's sheet of its batch that said one of its photos showed their page (``other_trainee_pages``) says so
    no more, in that transaction (:func:`grader.web.pages_elsewhere.name_pages_in_other_sheets`).
    """
    with immediate(conn):           # (the merge step claims its batch by a write: it waits for us, or we see it)
        # (a merge reads the photos of its batch, and the single pages of its exercise's other batches)
        row = conn.execute("SELECT s.state, EXISTS (SELECT 1 FROM batches b WHERE b.merged=? AND (b.id = s.batch_id "
                           "OR b.exercise = s.exercise)) AS merging FROM submissions s WHERE s.id=?",
                           (MERGING, sid)).fetchone()
        if row is not None and row["state"] == REMOVED:
            return []          # (two trainers pressed "Hapus" together: the other one removed it)
        if row is None or row["state"] not in REMOVABLE_STATES or row["merging"]:
            return None
        sheets = sheets_to_remove(conn, sid)
        if any(s["state"] in ("queued", "running") for s in sheets):
            return None
        ids = [s["id"] for s in sheets]
        _tombstone(conn, ids)
        # (a classmate's sheet that named one of its photos as their page's says so no more: that photo is gone)
        for batch_id in sorted({s["batch_id"] for s in sheets} - {None}):
            name_pages_in_other_sheets(conn, batch_id)
    _remove_files(data_dir, sheets)
    log.info("removed sheet %s (with %s)", sid, ids)
    return ids


def remove_exercise(conn: sqlite3.Connection, data_dir: Path, code: str) -> list[int] | None:
    """Remove exercise ``code``: its answer key, and every sheet graded against it with photos, corrections and
    disputes; its batches keep no file names and are no longer listed.

    Returns the ids of the sheets removed, or None when it cannot be now: a sheet of it is queued or being
    graded, or one of its batches is being merged.

    In one database transaction, once the class is found not busy, the key becomes the removal mark
    (:data:`grader.exercise.store.REMOVED_MARK`), so from then on no upload for the code is taken in, and the
    sheets become tombstones; an upload already past that check and stored after it is removed when its grading
    job finds the mark (:func:`remove_late_sheet`). Then the files: a crash part-way is finished at the
    next start (:func:`finish_removals`).
    """
    folder = exercises_dir(Path(data_dir)) / code
    key, mark = folder / KEY_NAME, folder / REMOVED_MARK
    # Holding the write lock, nothing can queue a sheet of it: once it is not busy here, the key can go.
    with immediate(conn):
        if _busy(conn, code):
            return None
        try:
            key.replace(mark)                 # (holds the key until the removal commits; given back if it fails)
        except FileNotFoundError:             # removed meanwhile (a second click)
            return []
        try:
            sheets = _tombstone_exercise(conn, code)
        except BaseException:
            mark.replace(key)
            raise
    mark.write_text("")
    _remove_files(data_dir, sheets)
    log.info("removed exercise %s with %d sheets", code, len(sheets))
    return [s["id"] for s in sheets]


def remove_late_sheet(conn: sqlite3.Connection, data_dir: Path, sheet: sqlite3.Row) -> None:
    """A grading job's sheet whose exercise was removed after the upload passed its check (its key load said
    ``exercise_removed``): it goes too, the trainer removed the class. So does its batch, if it was recorded after
    the removal: it is retired as the class's other batches were (its skipped files' names go)."""
    with immediate(conn):
        _tombstone(conn, [sheet["id"]])
        if sheet["batch_id"] is not None:
            _retire_batches(conn, "id=?", (sheet["batch_id"],))
    _remove_files(data_dir, [dict(sheet)])
    log.info("sheet %s arrived for removed exercise %s; removed", sheet["id"], sheet["exercise"])


def drop_photos(conn: sqlite3.Connection, data_dir: Path, sheet: sqlite3.Row) -> None:
    """Delete a sheet's photos and what grading drew, keeping its row (and the reason it failed) for its sender."""
    conn.execute("DELETE FROM uploads WHERE submission_id=?", (sheet["id"],))
    _remove_files(data_dir, [dict(sheet)])


def finish_removals(conn: sqlite3.Connection, data_dir: Path) -> int:
    """At startup: finish the exercise removals a crash cut short (sheets of a removed exercise still kept), and
    delete the folders left behind removed sheets, whose rows went first. Returns how many sheets had files left."""
    for code in removed_exercises(base=Path(data_dir)):
        with immediate(conn):
            sheets = _tombstone_exercise(conn, code)
        if sheets:
            log.warning("finishing the removal of exercise %s: %d sheets", code, len(sheets))
    left = [dict(r) for r in conn.execute("SELECT id, token FROM submissions WHERE state=?", (REMOVED,))
            if submission_dir(data_dir, r["token"]).exists()]
    if left:
        log.warning("removing the files %d removed sheets left behind", len(left))
        _remove_files(data_dir, left)
    return len(left)


# SQL: ``class(id)``, every kept sheet of the exercise bound to ``?``, and the sheets they replaced (an earlier
# sending of a form, corrected: held for a wrong code, it has no exercise; see grader.web.resent), recursively
_CLASS_SHEETS = (f"WITH RECURSIVE class(id) AS (SELECT id FROM submissions WHERE exercise=? AND state != '{REMOVED}' "
                 f"UNION SELECT s.id FROM submissions s JOIN class c ON s.superseded_by = c.id "
                 f"WHERE s.state != '{REMOVED}') ")


def _busy(conn: sqlite3.Connection, code: str) -> bool:
    """A sheet of the exercise (or one it replaced) is queued or being graded, or a batch holding one of its sheets
    is being merged."""
    return conn.execute(
        _CLASS_SHEETS + "SELECT 1 FROM submissions s JOIN class USING (id) WHERE s.state IN ('queued', 'running') "
        "UNION ALL SELECT 1 FROM batches b WHERE b.merged=? AND (b.exercise=? OR EXISTS (SELECT 1 FROM submissions s "
        "WHERE s.batch_id = b.id AND s.exercise=?))", (code, MERGING, code, code)).fetchone() is not None


def _tombstone_exercise(conn: sqlite3.Connection, code: str) -> list[dict]:
    """Within the caller's transaction: tombstone every kept sheet of ``code`` (and the earlier sendings they
    replaced) and retire its batches (a batch's skipped list names the photos it left out, and file names often
    name a trainee). Returns the sheets."""
    sheets = [dict(r) for r in conn.execute(_CLASS_SHEETS + "SELECT s.id, s.token FROM submissions s JOIN class "
                                            "USING (id)", (code,))]
    _tombstone(conn, [s["id"] for s in sheets])
    _retire_batches(conn, "exercise=?", (code,))
    return sheets


def _retire_batches(conn: sqlite3.Connection, where: str, params: tuple) -> None:
    """Within the caller's transaction: the batches ``where`` selects are no longer listed, and forget their
    skipped files' names."""
    conn.execute(f"UPDATE batches SET skipped='[]', client_token=NULL, removed_at=COALESCE(removed_at, ?) "
                 f"WHERE {where}", (now_iso(), *params))


def _tombstone(conn: sqlite3.Connection, ids: list[int]) -> None:
    """Within the caller's transaction: delete the sheets' uploads, corrections and disputes, and keep each row as
    a tombstone (only its id, token and dates: the names go too)."""
    for start in range(0, len(ids), 500):           # (SQLite's limit on bound parameters)
        part = ids[start:start + 500]
        marks = ",".join("?" * len(part))
        for table in ("uploads", "corrections", "disputes"):
            conn.execute(f"DELETE FROM {table} WHERE submission_id IN ({marks})", part)
        conn.execute(f"UPDATE submissions SET state='{REMOVED}', result=NULL, result_original=NULL, score=NULL, "
                     f"client_token=NULL, trainee=NULL, trainee_name=NULL, group_key=NULL, updated_at=? "
                     f"WHERE id IN ({marks})", [now_iso(), *part])


def _remove_files(data_dir: Path, sheets: Iterable[dict]) -> None:
    """The removed sheets' folders (photos and what grading drew); a folder that cannot go is logged."""
    for s in sheets:
        folder = submission_dir(data_dir, s["token"])
        shutil.rmtree(folder, ignore_errors=True)
        if folder.exists():
            log.warning("sheet %s removed, but its files could not be: %s", s["id"], folder)
