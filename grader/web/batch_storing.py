"""Storing a trainer's batch: one sheet per file-name group, what a batch already holds, and what its sender is told
when storing stops part way. Built on :mod:`grader.web.uploads`, which stores each sheet."""
from __future__ import annotations

import hashlib
import logging
import sqlite3
from pathlib import Path, PurePosixPath
from typing import NamedTuple

from grader.web.db import REMOVED
from grader.web.uploads import (BATCH_PRIORITY, DUPLICATE_WINDOW_S, StorageError, ago_iso, queue_grading,
                                store_submission)

log = logging.getLogger(__name__)


def recently_sent(conn: sqlite3.Connection, exercise: str, digests: list[str]) -> list[bool]:
    """Which photos (by their sha256 ``digests``) a trainer's batch for ``exercise`` already stored in the last
    ``DUPLICATE_WINDOW_S``, whatever its form: the page reloaded (a new form) and the same photos chosen and sent
    again. Later, the same photos from a new form are a new sending, stored again as the trainer asks (what a batch
    holds is recognised at any time: :func:`held_by_batch`)."""
    if not digests:
        return []
    marks = ",".join("?" * len(digests))
    seen = {r[0] for r in conn.execute(
        f"SELECT u.sha256 FROM uploads u JOIN submissions s ON s.id = u.submission_id WHERE s.exercise=? AND "
        f"s.source='batch' AND s.state != '{REMOVED}' AND u.created_at >= ? AND u.sha256 IN ({marks})",
        (exercise, ago_iso(DUPLICATE_WINDOW_S), *digests))}
    return [d in seen for d in digests]


def held_by_batch(conn: sqlite3.Connection, batch_id: int, digests: list[str]) -> list[bool]:
    """Which photos (by their sha256 ``digests``) the batch ``batch_id`` holds, however long ago it stored them: its
    form sent again after a failure (the trainer back after the lesson) stores only what is missing. A new form
    with the same photos is a new sending: see :func:`recently_sent`."""
    if not digests:
        return []
    marks = ",".join("?" * len(digests))
    seen = {r[0] for r in conn.execute(
        f"SELECT u.sha256 FROM uploads u JOIN submissions s ON s.id = u.submission_id WHERE s.batch_id=? AND "
        f"s.state != '{REMOVED}' AND u.sha256 IN ({marks})", (batch_id, *digests))}
    return [d in seen for d in digests]


def store_batch(conn: sqlite3.Connection, data_dir: Path, *, batch_id: int, exercise: str,
                photos: list[tuple[str, bytes]], places: list[str] | None = None, digests: list[str] | None = None,
                held: frozenset[str] = frozenset()) -> list[int]:
    """Store a trainer's batch, one sheet per file-name group (:func:`grader.web.batching.group_by_filename`),
    then queue every sheet: everything is on disk and in the database before any grading starts.
    Returns the sheets' ids.

    ``digests`` are the photos' sha256 digests (hex), when the caller has them; ``held`` are those of the photos
    that the batch holds already: its form was sent before, and cut short or its answer lost. They are grouped with
    the rest, as are the photos the batch holds that this sending does not (page 1 stored the first time, page 2
    chosen the second), as if everything were sent at once (a file name's page number is read among all of its
    folder's names), but none is stored again (nor hashed again: the request did). A new photo whose file name
    pairs it with a single page the batch holds is a sheet that names that page (``pairs_with``), and the batch's
    merge step pairs them once they are graded (:func:`grader.web.page_merge.merge_batch`). Each sheet is stored
    with the merge step marked due."""
    sheets: list[_BatchSheet] = []
    stored: list[int] = []

    def merge_due(c: sqlite3.Connection, _sheet_id: int) -> None:
        # (with the sheet, before any is graded: a merge of the batch's earlier sheets that is running keeps this
        # mark, so the batch is merged again once the new ones are graded)
        c.execute("UPDATE batches SET merged=0 WHERE id=?", (batch_id,))
    try:
        sheets = _batch_sheets(conn, batch_id, photos, places or [""] * len(photos),
                               digests or [hashlib.sha256(data).hexdigest() for _, data in photos], held)
        for sheet in sheets:
            stored.append(store_submission(conn, data_dir, files=sheet.files, source="batch", exercise=exercise,
                                           batch_id=batch_id, group_key=sheet.key, pairs_with=sheet.pairs_with,
                                           dedupe=False, then=merge_due).id)
    except StorageError as exc:
        # what did get in is graded; the trainer is told which photos to send again (the same form stores them)
        _cut_short(exc, stored, sheets)
        raise
    except Exception as exc:  # noqa: BLE001 - any other error (a bug, another I/O error) cuts it short the same way
        log.exception("storing batch %s failed after %d of %d sheets", batch_id, len(stored), len(sheets))
        raise _cut_short(store_failed_error(), stored, sheets) from exc
    finally:
        for sid in stored:
            try:
                queue_grading(conn, sid, priority=BATCH_PRIORITY)
            except Exception:  # noqa: BLE001 - the sheet is stored: the next start queues it (page_merge)
                log.exception("sheet %s of batch %s was stored but could not be queued for grading", sid, batch_id)
    return stored


class _BatchSheet(NamedTuple):
    """One sheet of a batch's sending to store: its file-name group's key, the new photos and their sha256 digests,
    and the single page stored before that file names pair it with."""

    key: str
    files: list[tuple[str, bytes]]
    digests: list[str]
    pairs_with: int | None


def _batch_sheets(conn: sqlite3.Connection, batch_id: int, photos: list[tuple[str, bytes]], places: list[str],
                  digests: list[str], held: frozenset[str]) -> list[_BatchSheet]:
    """The sheets a sending's new photos make, grouped by file name with all the photos the batch holds
    (:func:`store_batch`)."""
    from grader.web.batching import group_by_filename

    holds = _photos_held(conn, batch_id)
    chosen = set(digests)
    others = [(d, name) for d, (name, _sheet, _n) in holds.items() if d not in chosen]
    groups = group_by_filename(photos + [(name, b"") for _, name in others],
                               places + [str(PurePosixPath(name).parent) for _, name in others])
    every = digests + [d for d, _ in others]
    sheets = []
    for g in groups:
        new = [i for i in g.positions if i < len(photos) and digests[i] not in held]
        if not new:
            continue
        partners = {holds[every[i]][1:] for i in g.positions if every[i] in holds}     # (sheet id, its photos)
        pair = next((sheet for sheet, n in partners if n == 1), None) if len(partners) == 1 else None
        sheets.append(_BatchSheet(g.key, [photos[i] for i in new], [digests[i] for i in new], pair))
    return sheets


def _photos_held(conn: sqlite3.Connection, batch_id: int) -> dict[str, tuple[str, int, int]]:
    """The photos a batch's sheets hold now (not merged into another, not removed), by sha256: ``(name, sheet id,
    how many photos that sheet holds)``."""
    return {r["sha256"]: (r["filename"], r["id"], r["n"]) for r in conn.execute(
        "SELECT u.sha256, u.filename, s.id, (SELECT COUNT(*) FROM uploads v WHERE v.submission_id = s.id) AS n "
        "FROM uploads u JOIN submissions s ON s.id = u.submission_id WHERE s.batch_id=? AND s.superseded_by IS NULL "
        "AND s.state NOT IN ('merged', ?) ORDER BY s.id, u.position", (batch_id, REMOVED))}


def _cut_short(exc: StorageError, stored: list[int], sheets: list[_BatchSheet]) -> StorageError:
    """``exc`` for a batch whose storing stopped once ``stored`` of its ``sheets`` were stored."""
    exc.stored, exc.total = len(stored), len(sheets)
    exc.left_out = [(name, digest) for sheet in sheets[len(stored):]
                    for (name, _data), digest in zip(sheet.files, sheet.digests)]
    return exc


def store_failed_error() -> StorageError:
    """What the sender of a batch is told when an unexpected error (a bug, an I/O error of another kind) stopped
    its storing: as for a full disk, what was stored is kept and the same form sent again stores the rest."""
    return StorageError("store_failed",
                        "The server hit an error while storing the photos, so they were not all kept. Send the "
                        "same form again; if it fails again, tell the server's administrator.",
                        "Server mengalami kesalahan saat menyimpan foto, jadi belum semua foto tersimpan. Kirim "
                        "lagi formulir yang sama; bila gagal lagi, beri tahu pengelola server.")
