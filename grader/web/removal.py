"""Removing a sheet a trainer does not want graded (a test photo, a selfie, a sheet sent to the wrong class).

It is the only way anything stored leaves the app, and only on a trainer's explicit, confirmed request. The
sheet goes with the sheets it replaced, which hold the same photos: a batch's single pages merged into it, or the
pair it was split from. A later attempt that retook it stays, as an attempt of its own.

The sheet's row stays behind as a tombstone (state ``removed``, its result and photos gone): SQLite would
otherwise give its id to the next upload, and a trainer's page still open on the old sheet would then correct
or remove someone else's.
"""
from __future__ import annotations

import logging
import shutil
import sqlite3
from pathlib import Path

from grader.web.db import REMOVED, now_iso
from grader.web.grading import MERGING
from grader.web.uploads import submission_dir

log = logging.getLogger(__name__)

#: states in which a sheet may be removed: no grading job is working on it
REMOVABLE_STATES = ("done", "failed", "held")


def sheets_to_remove(conn: sqlite3.Connection, sid: int) -> list[dict]:
    """``sid`` and every replaced sheet holding one of the same photos, as dicts with ``id`` and ``token``.

    Replaced sheets are found through ``superseded_by`` (the pages merged into a sheet, recursively) and by
    their photos' content within the batch (a pair split into single pages points at only one of its halves).
    """
    out = [dict(r) for r in conn.execute("SELECT id, token, batch_id FROM submissions WHERE id=?", (sid,))]
    todo = [sid]
    while todo:
        marks = ",".join("?" * len(todo))
        seen = {r["id"] for r in out}
        parts = [dict(r) for r in conn.execute(
            f"SELECT DISTINCT s.id, s.token, s.batch_id FROM submissions s WHERE s.state='merged' AND ("
            f"s.superseded_by IN ({marks}) OR (s.batch_id IS NOT NULL AND EXISTS ("
            f"SELECT 1 FROM uploads u JOIN uploads v ON v.sha256 = u.sha256 JOIN submissions t ON t.id = v.submission_id "
            f"WHERE u.submission_id = s.id AND t.id IN ({marks}) AND t.batch_id = s.batch_id)))", todo + todo)
            if r["id"] not in seen]
        out += parts
        todo = [r["id"] for r in parts]
    return out


def remove_sheet(conn: sqlite3.Connection, data_dir: Path, sid: int) -> list[int] | None:
    """Remove sheet ``sid`` (and the sheets it replaced): photos, result, corrections and disputes.

    Returns the ids removed, or None when it cannot be now: the sheet is being graded, or its batch's merge
    step is running (it reads the batch's photos). The database goes first, in one transaction; the files
    after it, so a crash between the two leaves files without a sheet (logged), never a sheet without its
    photos.
    """
    conn.execute("BEGIN IMMEDIATE")     # the merge step claims its batch by a write, so it waits for us, or we see it
    try:
        row = conn.execute("SELECT s.state, b.merged FROM submissions s LEFT JOIN batches b ON b.id = s.batch_id "
                           "WHERE s.id=?", (sid,)).fetchone()
        if row is None or row["state"] not in REMOVABLE_STATES or row["merged"] == MERGING:
            conn.execute("ROLLBACK")
            return None
        sheets = sheets_to_remove(conn, sid)
        ids = [s["id"] for s in sheets]
        marks = ",".join("?" * len(ids))
        for table in ("uploads", "corrections", "disputes"):
            conn.execute(f"DELETE FROM {table} WHERE submission_id IN ({marks})", ids)
        # (the names go too: a tombstone keeps only its id, token and dates)
        conn.execute(f"UPDATE submissions SET state='{REMOVED}', result=NULL, result_original=NULL, score=NULL, "
                     f"client_token=NULL, trainee=NULL, trainee_name=NULL, group_key=NULL, updated_at=? "
                     f"WHERE id IN ({marks})", [now_iso(), *ids])
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    for s in sheets:
        folder = submission_dir(data_dir, s["token"])
        shutil.rmtree(folder, ignore_errors=True)
        if folder.exists():
            log.warning("sheet %s removed, but its files could not be: %s", s["id"], folder)
    log.info("removed sheet %s (with %s)", sid, ids)
    return ids
