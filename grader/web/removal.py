"""Removing a sheet a trainer does not want graded (a test photo, a selfie, a sheet sent to the wrong class).

It is the only way anything stored leaves the app, and only on a trainer's explicit, confirmed request. The
sheet goes with the sheets it replaced (a batch's single pages merged into it, or the pair it was split from):
they hold the same photos, and left alone they would point at a sheet that no longer exists. A later attempt
that retook it stays, as an attempt of its own.
"""
from __future__ import annotations

import logging
import shutil
import sqlite3
from pathlib import Path

from grader.web.grading import submission_dir

log = logging.getLogger(__name__)

#: states in which a sheet may be removed: no grading job is working on it
REMOVABLE_STATES = ("done", "failed", "held")


def sheets_to_remove(conn: sqlite3.Connection, sid: int) -> list[dict]:
    """``sid`` and, recursively, every sheet it replaced (``superseded_by``), as dicts with ``id`` and ``token``."""
    out = [dict(r) for r in conn.execute("SELECT id, token FROM submissions WHERE id=?", (sid,))]
    todo = [sid]
    while todo:
        parts = [dict(r) for r in conn.execute(
            f"SELECT id, token FROM submissions WHERE superseded_by IN ({','.join('?' * len(todo))})", todo)]
        out += parts
        todo = [r["id"] for r in parts]
    return out


def remove_sheet(conn: sqlite3.Connection, data_dir: Path, sid: int) -> list[int] | None:
    """Delete sheet ``sid`` (and the sheets it replaced) with their photos, corrections and disputes.

    Returns the ids removed, or None when the sheet is being graded (it is left alone). The database goes
    first, in one transaction; the files after it, so a crash between the two leaves files without a sheet
    (logged), never a sheet without its photos.
    """
    conn.execute("BEGIN IMMEDIATE")
    try:
        row = conn.execute("SELECT state FROM submissions WHERE id=?", (sid,)).fetchone()
        if row is None or row["state"] not in REMOVABLE_STATES:
            conn.execute("ROLLBACK")
            return None
        sheets = sheets_to_remove(conn, sid)
        ids = [s["id"] for s in sheets]
        marks = ",".join("?" * len(ids))
        conn.execute(f"UPDATE submissions SET retake_of=NULL WHERE retake_of IN ({marks})", ids)
        for table in ("uploads", "corrections", "disputes"):
            conn.execute(f"DELETE FROM {table} WHERE submission_id IN ({marks})", ids)
        conn.execute(f"UPDATE submissions SET superseded_by=NULL WHERE id IN ({marks})", ids)
        conn.execute(f"DELETE FROM submissions WHERE id IN ({marks})", ids)
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
