"""Storing a trainer's batch: one sheet per file-name group, what a batch already holds, and what its sender is told
when storing stops part way. Built on :mod:`grader.web.sheet_storing`, which stores each sheet."""
from __future__ import annotations

import hashlib
import logging
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath
from typing import NamedTuple

from grader.web.db import REMOVED
from grader.web.grading_queue import BATCH_PRIORITY, queue_grading
from grader.web.sheet_storing import StorageError, store_submission

log = logging.getLogger(__name__)


_SENDINGS_LOCK = threading.Lock()
_SENDINGS: dict[str, threading.Lock] = {}


@contextmanager
def one_sending_at_a_time(exercise: str) -> Iterator[None]:
    """Hold a trainer's batch sending for ``exercise`` until no other one of it is being stored in this process:
    what it finds already sent (:func:`already_stored`, :func:`held_by_batch`) is then all that was stored before it.
    (The web app serves from one process, its request threads; grading's workers never store a sending.)"""
    with _SENDINGS_LOCK:
        lock = _SENDINGS.setdefault(exercise, threading.Lock())
    with lock:
        yield


#: A sheet (``s``) of an exercise, or stored by one of its batches and graded under another (the exercise printed on
#: it): the exercise is given twice.
OF_EXERCISE = "(s.exercise=? OR s.batch_id IN (SELECT id FROM batches WHERE exercise=?))"


def already_stored(conn: sqlite3.Connection, exercise: str, digests: list[str]) -> list[bool]:
    """Which photos (by their sha256 ``digests``) a trainer's batch for ``exercise`` already stored, however long ago
    and whatever its form: the page reloaded and the same photos sent again, or a class's chat exported again later
    (a chat app exports the whole chat each time: at lunch, the morning's photos come again with the new ones). The
    same bytes read the same, so grading them again only made every trainee a second attempt and every refused
    photo a second row (helper-135's class day). Not a removed sheet's, nor one whose grading failed: sent again,
    those are graded. A batch cut short and sent again is :func:`held_by_batch`'s.

    Nor one that a batch of this exercise stored and a trainer then graded under another (the sheet printed for
    it): sent again, it was refused here once more, and moved again it made a one-page sheet that hid the complete
    one from that exercise's table (helper-147)."""
    return _photos_among(conn, f"{OF_EXERCISE} AND s.source='batch' AND s.state NOT IN ('failed', '{REMOVED}')",
                         (exercise, exercise), digests)


def sheets_holding(conn: sqlite3.Connection, exercise: str, digests: list[str]) -> dict[str, sqlite3.Row]:
    """``digest -> sheet`` (``id``, ``trainee``, ``group_key``): the sheet of ``exercise`` that holds each photo now
    (by its sha256), the latest where several do; not one that a merge or a later sending replaced, nor a removed
    one. A photo sent again is said to be on it (the page reloaded, the class chosen again). Also the sheet of
    another exercise a batch of this one's photo was graded under (:func:`already_stored`), with its ``exercise``:
    a sheet of this exercise is named before such a one, whatever their order (the rows sort the other exercise's
    first, and the dict keeps the last row per photo)."""
    if not digests:
        return {}
    marks = ",".join("?" * len(digests))
    return {r["sha256"]: r for r in conn.execute(
        f"SELECT u.sha256, s.id, s.trainee, s.group_key, s.exercise FROM uploads u JOIN submissions s ON "
        f"s.id = u.submission_id WHERE {OF_EXERCISE} AND s.state NOT IN ('merged', '{REMOVED}') AND s.superseded_by IS NULL AND "
        f"u.sha256 IN ({marks}) ORDER BY s.exercise = ?, s.id", (exercise, exercise, *digests, exercise))}


def sheet_label(row, exercise: str | None = None) -> str:
    """What the trainer's pages call a sheet: its trainee, else its file-name group's label, else its number; with
    its exercise when that is not ``exercise`` (a sheet a batch of this exercise stored, graded under another)."""
    label = row["trainee"] or row["group_key"] or f"#{row['id']}"
    other = exercise is not None and "exercise" in row.keys() and row["exercise"] not in (None, exercise)
    return f"{label} ({row['exercise']})" if other else label


def held_by_batch(conn: sqlite3.Connection, batch_id: int, digests: list[str]) -> list[bool]:
    """Which photos (by their sha256 ``digests``) the batch ``batch_id`` holds, however long ago it stored them: its
    form sent again after a failure (the trainer back after the lesson) stores only what is missing, grouped with
    what it holds. A new form with photos stored before skips them: see :func:`already_stored`."""
    return _photos_among(conn, f"s.batch_id=? AND s.state != '{REMOVED}'", (batch_id,), digests)


def held_by_a_sheet(conn: sqlite3.Connection, digests: list[str]) -> list[bool]:
    """Which photos (by their sha256 ``digests``) any sheet not removed holds, whatever its exercise or source: a
    sending set aside after a crash, sent again since (:func:`grader.web.unrecorded.set_aside_count`)."""
    return _photos_among(conn, f"s.state != '{REMOVED}'", (), digests)


def _photos_among(conn: sqlite3.Connection, sheets: str, params: tuple, digests: list[str]) -> list[bool]:
    """Which photos (by their sha256 ``digests``) a sheet matching SQL condition ``sheets`` (on ``s``, with
    ``params``) holds."""
    if not digests:
        return []
    marks = ",".join("?" * len(digests))
    seen = {r[0] for r in conn.execute(
        f"SELECT u.sha256 FROM uploads u JOIN submissions s ON s.id = u.submission_id WHERE {sheets} AND "
        f"u.sha256 IN ({marks})", (*params, *digests))}
    return [d in seen for d in digests]


def store_batch(conn: sqlite3.Connection, data_dir: Path, *, batch_id: int, exercise: str,
                photos: list[tuple[str, bytes]], places: list[str] | None = None, digests: list[str] | None = None,
                held: frozenset[str] = frozenset()) -> list[int]:
    """Store a trainer's batch, one sheet per file-name group (:func:`grader.web.batching.group_by_filename`),
    then queue every sheet: everything is on disk and in the database before any grading starts.
    Returns the sheets' ids.

    ``places`` say where each photo came from in this sending (:func:`place_kept`); none: loose files.
    ``digests`` are the photos' sha256 digests (hex), when the caller has them; ``held`` are those of the photos
    that the batch holds already: its form was sent before, and cut short or its answer lost. They are grouped with
    the rest, as are the photos the batch holds that this sending does not (page 1 stored the first time, page 2
    chosen the second), as if everything were sent at once (a file name's page number is read among all of its
    folder's names), but none is stored again (nor hashed again: the request did). Those are grouped in the place
    they came from, kept with them: a page sent later pairs only with a page of its own zip and folder (two
    trainees' chat exports hold the same names), and with none when two held pages of its place have its name. A
    new photo whose file name pairs it with a single page the batch holds is a sheet that names that page
    (``pairs_with``), and the batch's merge step pairs them once they are graded
    (:func:`grader.web.page_merge.merge_batch`). Each sheet is stored with the merge step marked due."""
    sheets: list[_BatchSheet] = []
    stored: list[int] = []

    def merge_due(c: sqlite3.Connection, _sheet_id: int) -> None:
        # (with the sheet, before any is graded: a merge of the batch's earlier sheets that is running keeps this
        # mark, so the batch is merged again once the new ones are graded)
        c.execute("UPDATE batches SET merged=0 WHERE id=?", (batch_id,))
    try:
        sheets = _batch_sheets(conn, batch_id, photos, places or [f":{PurePosixPath(n).parent}" for n, _ in photos],
                               digests or [hashlib.sha256(data).hexdigest() for _, data in photos], held)
        for sheet in sheets:
            stored.append(store_submission(conn, data_dir, files=sheet.files, source="batch", exercise=exercise,
                                           batch_id=batch_id, group_key=sheet.key, pairs_with=sheet.pairs_with,
                                           places=sheet.places, dedupe=False, then=merge_due,
                                           recoverable=True).id)     # (unrecorded.py marks its merge due)
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
            except Exception:  # noqa: BLE001 - the sheet is stored: the sweep queues it (grader.web.stranded)
                log.exception("sheet %s of batch %s was stored but could not be queued for grading", sid, batch_id)
    return stored


def place_kept(place: str) -> str:
    """A photo's place as the batch keeps it (``uploads.place``), from its place in a sending: ``<upload>:<zip>:
    <folder>`` for a zip's member (the upload's index keeps two zips of one name apart in that sending), ``:<folder>``
    for a loose file (:func:`grader.web.trainer.batch_files.collect_photos`). Kept without the index, which another
    sending numbers anew: ``kelas.zip: Budi``, ``.``."""
    return place.partition(":")[2]


class _BatchSheet(NamedTuple):
    """One sheet of a batch's sending to store: its file-name group's key, the new photos, their sha256 digests and
    places kept (:func:`place_kept`), and the single page stored before that file names pair it with."""

    key: str
    files: list[tuple[str, bytes]]
    digests: list[str]
    places: tuple[str, ...]
    pairs_with: int | None


def _batch_sheets(conn: sqlite3.Connection, batch_id: int, photos: list[tuple[str, bytes]], places: list[str],
                  digests: list[str], held: frozenset[str]) -> list[_BatchSheet]:
    """The sheets a sending's new photos make, grouped by file name with all the photos the batch holds
    (:func:`store_batch`)."""
    from grader.file_names import named_pages
    from grader.web.batching import group_by_filename

    holds = _photos_held(conn, batch_id)
    chosen = set(digests)
    others = [(d, h) for d, h in holds.items() if d not in chosen]
    # a held photo this sending does not hold joins this sending's place of its zip and folder, whatever the zip's
    # index now; none (a place of its own) when two zips of this sending have its zip's name, or its place is not
    # known (a merge's or a split's page, or stored before places were): then no name pairs a page with it
    now_at: dict[str, set[str]] = {}
    for place in places:
        now_at.setdefault(place_kept(place), set()).add(place)
    found = [now_at.get(h.place, set()) if h.place is not None else set() for _, h in others]
    names = [name for name, _ in photos] + [h.name for _, h in others]
    folders = places + [next(iter(f)) if len(f) == 1 else f"held:{d}" for f, (d, _) in zip(found, others)]
    groups = group_by_filename([(name, b"") for name in names], folders)
    every = digests + [d for d, _ in others]
    # the held sheets whose photos bear each name (folder and stem, as grouping reads it): two of them, and a page
    # of that name could be either's (two chat exports of one name, sent before as two zips)
    named = named_pages(list(zip(folders, names)))
    bearing: dict[tuple[str, str], set[int]] = {}
    for name_key, d in zip(named, every):
        if name_key is not None and d in holds:
            bearing.setdefault(name_key[:2], set()).add(holds[d].sheet)
    sheets = []
    for g in groups:
        new = [i for i in g.positions if i < len(photos) and digests[i] not in held]
        if not new:
            continue
        partners = {(holds[every[i]].sheet, holds[every[i]].photos) for i in g.positions if every[i] in holds}
        pair = next((sheet for sheet, n in partners if n == 1), None) if len(partners) == 1 else None
        name_key = named[g.positions[0]]
        if pair is not None and name_key is not None and len(bearing[name_key[:2]]) > 1:
            pair = None
        sheets.append(_BatchSheet(g.key, [photos[i] for i in new], [digests[i] for i in new],
                                  tuple(place_kept(places[i]) for i in new), pair))
    return sheets


class _Held(NamedTuple):
    """A photo a batch holds: its name as stored, its sheet, how many photos that sheet holds, and its place kept
    (:func:`place_kept`; None when not known)."""

    name: str
    sheet: int
    photos: int
    place: str | None


def _photos_held(conn: sqlite3.Connection, batch_id: int) -> dict[str, _Held]:
    """The photos a batch's sheets hold now (not merged into another, not removed), by sha256."""
    return {r["sha256"]: _Held(r["filename"], r["id"], r["n"], r["place"]) for r in conn.execute(
        "SELECT u.sha256, u.filename, u.place, s.id, (SELECT COUNT(*) FROM uploads v WHERE v.submission_id = s.id) "
        "AS n FROM uploads u JOIN submissions s ON s.id = u.submission_id WHERE s.batch_id=? AND s.superseded_by IS "
        "NULL AND s.state NOT IN ('merged', ?) ORDER BY s.id, u.position", (batch_id, REMOVED))}


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
                        "same photos again; if it fails again, tell the server's administrator.",
                        "Server mengalami kesalahan saat menyimpan foto, jadi belum semua foto tersimpan. Kirim "
                        "lagi foto yang sama; bila gagal lagi, beri tahu pengelola server.")
