"""Photo folders that no sheet holds, met at start and then every :data:`UNRECORDED_SWEEP_S` by the job runner: a
crash (kill -9, a power cut) between writing a sending's photos and recording it
(:func:`grader.web.sheet_storing.store_sheets`) leaves one. Its sender was never told it was stored. The server
itself need not have stopped: another process on the same data folder (a WSGI server's worker killed mid-request, a
second server) may have crashed, so the running server looks again, with the same rule as a start: only a folder
untouched for :data:`UNRECORDED_AFTER_S`, which no request is still writing; a whole sending (below) as soon as it is
untouched for :data:`WHOLE_AFTER_S`, since no request still means to record it by then.

A trainee's sending or retake, and a trainer's batch's sheet, write, after their photos, what they were sent with
(:data:`MANIFEST`: its code, name, browser, form token, the sheet it retakes, its batch and its place in it, each
photo's name and digest), synced with them. A folder holding that and every photo it names is the whole sending: it
is recorded as the sheet it was to be (waiting to be graded; the start queues it; a batch's sheet marks its batch's
merge due, as storing it would have; a retake's photos bring the corrections and disputes of the pages it kept,
by :func:`~grader.web.corrections.carry_over_same_photos`), unless it was sent again since (the later sheet is the
one that counts; recorded, this older one would take its place in the class table): the same form, the sheet it
retakes retaken again, or the same name typed from the same browser (two Sitis of a class send from two phones);
for a batch's sheet, its photos stored in its batch (the trainer sent the form again). Anything else (no record of
the sending, a photo missing or not as written, its batch or retaken sheet removed, a merge's or a split's sheet,
an upload held for its code, whose storing did more than store a sheet) is moved to :data:`QUARANTINE`, not
deleted, and the log and the trainer's exercises page say so, for the administrator to check and delete (and the
trainer, to ask a trainee without a result to send again, or upload again a batch's sheet the table lacks)."""
from __future__ import annotations

import hashlib
import json
import logging
import re
import sqlite3
import time
from contextlib import closing
from pathlib import Path
from typing import Callable

from grader.web.batch_storing import held_by_a_sheet, held_by_batch
from grader.web.db import REMOVED, connect, immediate, now_iso
from grader.web.corrections import carry_over_same_photos
from grader.web.sheet_storing import MANIFEST, NewSheet, record_sheets, submissions_root

__all__ = ["QUARANTINE", "UNRECORDED_AFTER_S", "UNRECORDED_SWEEP_S", "WHOLE_AFTER_S", "set_aside_unrecorded", "set_aside_count",
           "sweep_unrecorded", "watch"]
log = logging.getLogger(__name__)

#: a sheet folder that no sheet holds is set aside only once untouched this long (seconds): one being stored by
#: another process on the same data folder (a second server, a command) is recorded within a minute of its photos
UNRECORDED_AFTER_S = 3600
#: a folder holding a whole sending (its :data:`MANIFEST` and every photo it names) is recorded once untouched this
#: long, not an hour: its request writes that record last, then waits at most
#: :data:`~grader.web.db.BUSY_TIMEOUT_MS` for the write lock to record its row, or fails and deletes the folder. A
#: trainee whose sending a crash cut off is graded minutes after the restart, not an hour later, when the class may
#: have gone home. Such a folder that cannot be recorded (sent again since, ...) waits for the hour like any other
WHOLE_AFTER_S = 300
#: seconds between the running server's looks for such folders (:func:`watch`): a sending a crash of another process
#: left unrecorded is recorded and graded within this of turning :data:`WHOLE_AFTER_S` old, not at the next start
UNRECORDED_SWEEP_S = 120.0
#: where the folders that cannot be recorded go, under the data folder: ``quarantine/submissions/<token>``, as they were
QUARANTINE = Path("quarantine") / "submissions"
#: a sheet folder's name, as :func:`grader.web.sheet_storing._write_photos` makes it (``secrets.token_urlsafe(16)``)
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{22}$")


def set_aside_unrecorded(conn: sqlite3.Connection, data_dir: Path | str, older_than_s: float = UNRECORDED_AFTER_S, *,
                         whole_after_s: float = WHOLE_AFTER_S,
                         on_recorded: Callable[[int], object] | None = None) -> int:
    """Record the sheet folders that no sheet holds, untouched for ``whole_after_s`` (or ``older_than_s``, if
    sooner), as the sheets they were to be where they hold the whole sending (``on_recorded(its id)`` then: the
    running server's sweep queues its grading; at start the stranded sheets' step does); move the others to
    :data:`QUARANTINE` once untouched for ``older_than_s``. Both said in the log. Returns how many were moved. Safe
    beside requests and another process: a folder is recorded or moved only while holding the database's write
    lock, and only if no sheet holds it by then."""
    root = submissions_root(data_dir)
    now = time.time()
    cutoff = now - min(older_than_s, whole_after_s)
    old = [d for d in (root.iterdir() if root.is_dir() else ()) if TOKEN_RE.match(d.name) and _untouched(d, cutoff)]
    old.sort(key=_written)           # (the oldest first: a later sending of the same trainee's is recorded after it)
    held = {r[0] for r in conn.execute("SELECT token FROM submissions")} if old else set()
    moved, why = [], {}
    for folder in (d for d in old if d.name not in held):
        hour_old = _untouched(folder, now - older_than_s)
        if not hour_old and not (folder / MANIFEST).is_file():
            continue                    # (no record to go by yet: maybe still being written, by a slow process)
        reason = _record_again(conn, data_dir, folder)
        if reason is None or isinstance(reason, int):   # (held meanwhile, or recorded now: its id)
            if reason is not None and on_recorded is not None:
                on_recorded(reason)
            continue
        if not hour_old:
            continue                    # (cannot be recorded: set aside at the hour, as a folder without a record)
        to = Path(data_dir) / QUARANTINE / folder.name
        try:
            to.parent.mkdir(parents=True, exist_ok=True)
            with immediate(conn):       # (recorded meanwhile by another process's sweep: left to its sheet)
                if _held(conn, folder):
                    continue
                folder.rename(to)
            moved.append(folder.name)
            why[folder.name] = reason
        except OSError as exc:          # (left where it is, and said; the next sweep or start tries again)
            log.error("could not move the photo folder %s, which no sheet holds, to %s: %s", folder, to.parent, exc)
    if moved:
        log.warning("moved %d photo folder(s) that no sheet holds to %s (a crash between storing a sending's photos "
                    "and recording it; its sender was never told it was stored): %s. Check them, then delete them",
                    len(moved), Path(data_dir) / QUARANTINE, ", ".join(f"{t} ({why[t]})" for t in moved))
    return len(moved)


def _record_again(conn: sqlite3.Connection, data_dir: Path | str, folder: Path) -> int | str | None:
    """Record the sending ``folder`` holds as its sheet (its id), or say why it cannot be; None when a sheet holds
    the folder by now (another process's sweep recorded it meanwhile)."""
    try:
        sent = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        columns, photos = sent["sheet"], sent["photos"]
        files = []
        for p in photos:
            data = (folder / "upload" / p["file"]).read_bytes()
            if hashlib.sha256(data).hexdigest() != p["sha256"]:
                return f"photo {p['file']} is not as written"
            files.append((p["name"], data))
        sheet = NewSheet(files=files, **{k: tuple(v) if isinstance(v, list) else v for k, v in columns.items()})
        stored = [(i, p["display"], str((folder / "upload" / p["file"]).relative_to(data_dir)), p["sha256"],
                   p["size"]) for i, p in enumerate(photos, start=1)]
    except FileNotFoundError as exc:
        return "no record of its sending" if exc.filename and exc.filename.endswith(MANIFEST) else "a photo is missing"
    except (OSError, ValueError, KeyError, TypeError) as exc:
        return f"its record cannot be read ({exc})"
    try:
        with immediate(conn):
            if _held(conn, folder):
                return None
            if (why := _cannot_follow(conn, sheet)) is not None:
                return why
            if sheet.batch_id is not None and sheet.retake_of is None:
                if any(held_by_batch(conn, sheet.batch_id, [d.hex() for d in sheet.photo_digests])):
                    return "its batch holds its photos since: the form was sent again"
            elif _sent_since(conn, sheet, sent.get("sent_at") or ""):
                return "its trainee sent the exercise again since"
            [sid] = record_sheets(conn, [sheet], [(folder.name, stored)], sent.get("sent_at") or now_iso())
            # (as store_sheets does; a retake's photos bring the corrections of the pages it kept, as its storing did)
            carry_over_same_photos(conn, sid)
            if sheet.batch_id is not None:          # (as store_batch does: the batch is merged again once graded)
                conn.execute("UPDATE batches SET merged=0 WHERE id=?", (sheet.batch_id,))
    except sqlite3.IntegrityError as exc:           # (what it names is not as it was: a batch, a sheet removed)
        return f"it cannot be recorded ({exc})"
    log.warning("photo folder %s, which no sheet held (a crash between storing a sending's photos and recording it), "
                "holds the whole sending: recorded as sheet %s, to be graded", folder.name, sid)
    return sid


def _cannot_follow(conn: sqlite3.Connection, sheet: NewSheet) -> str | None:
    """Why a retake or a batch's sheet cannot be recorded now: the sheet it retakes, or its batch, was removed."""
    if sheet.retake_of is not None and conn.execute("SELECT 1 FROM submissions WHERE id=? AND state != ?",
                                                    (sheet.retake_of, REMOVED)).fetchone() is None:
        return "the sheet it retakes was removed"
    if sheet.batch_id is not None and conn.execute("SELECT 1 FROM batches WHERE id=? AND removed_at IS NULL",
                                                   (sheet.batch_id,)).fetchone() is None:
        return "its batch was removed"
    return None


def _held(conn: sqlite3.Connection, folder: Path) -> bool:
    return conn.execute("SELECT 1 FROM submissions WHERE token=?", (folder.name,)).fetchone() is not None


def _sent_since(conn: sqlite3.Connection, sheet: NewSheet, sent_at: str) -> bool:
    """Whether the sender stored this sending, or this exercise for this trainee, after it was written: the form
    sent again (its token), or a sheet of the same exercise and trainee since. The trainee is the name typed *from
    the same browser* (:attr:`NewSheet.sender`): two trainees of one name (two Sitis in a class) send from two
    phones, and one's later sheet must not drop the other's lost sending. A sending written before senders were
    kept (none in its record) is told by its name alone, as it was then."""
    if sheet.client_token and conn.execute("SELECT 1 FROM submissions WHERE client_token=? AND state != ?",
                                           (sheet.client_token, REMOVED)).fetchone():
        return True
    if sheet.retake_of is not None and conn.execute(      # (its sheet retaken again since: that retake counts)
            "SELECT 1 FROM submissions WHERE retake_of=? AND created_at >= ? AND state != ?",
            (sheet.retake_of, sent_at, REMOVED)).fetchone():
        return True
    who = sheet.typed_trainee or sheet.trainee
    if not who:
        return False
    same_sender = "" if sheet.sender is None else " AND sender IS ?"
    # (times are to the second: the sheet a retake retakes, stored in the same second, is not a later sending)
    return bool(conn.execute(
        "SELECT 1 FROM submissions WHERE exercise IS ? AND (typed_trainee=? OR trainee=?) AND created_at >= ? "
        f"AND state != ? AND id IS NOT ?{same_sender}",
        (sheet.exercise, who, who, sent_at, REMOVED, sheet.retake_of,
         *((sheet.sender,) if same_sender else ()))).fetchone())


def sweep_unrecorded(runner, *, older_than_s: float = UNRECORDED_AFTER_S) -> int:
    """:func:`set_aside_unrecorded` on ``runner``'s data, each sending recorded queued for grading at once, as its
    request would have (a trainee's or a retake before the batches); returns how many folders were moved."""
    from grader.web.grading_queue import priority_of, queue_grading

    def queue(conn: sqlite3.Connection, sid: int) -> None:
        row = conn.execute("SELECT source, retake_of FROM submissions WHERE id=?", (sid,)).fetchone()
        queue_grading(conn, sid, runner=runner, priority=priority_of(row))

    with closing(connect(runner.ctx.database)) as conn:
        return set_aside_unrecorded(conn, runner.ctx.data_dir, older_than_s, on_recorded=lambda sid: queue(conn, sid))


def watch(runner, *, every_s: float = UNRECORDED_SWEEP_S) -> None:
    """Have ``runner`` run :func:`sweep_unrecorded` every ``every_s`` seconds until it is shut down (after the start's
    own look). Not inline (tests): there a job runs in its caller's thread, and a sweep would grade behind the test's
    back."""
    if runner.mode != "inline":
        runner.every(every_s, lambda: sweep_unrecorded(runner))


def set_aside_count(data_dir: Path | str, conn: sqlite3.Connection | None = None) -> int:
    """How many photo folders are in :data:`QUARANTINE`: what the trainer's exercises page says, until the
    administrator has looked at them and deleted them. With ``conn``, only those still to be sent again: a folder
    whose every photo a sheet holds since (the trainer sent the batch again, the trainee the same photos) asks
    nothing more of the trainer, and the page kept asking for it to be sent again after it was (helper-196)."""
    try:
        folders = [d for d in (Path(data_dir) / QUARANTINE).iterdir() if d.is_dir()]
    except OSError:
        return 0
    return sum(1 for d in folders if conn is None or not _sent_again(conn, d))


def _sent_again(conn: sqlite3.Connection, folder: Path) -> bool:
    """Whether every photo of the set-aside ``folder`` is held by a sheet (not removed): by the digests its record
    (:data:`MANIFEST`) gives, else by its photos' own."""
    try:
        digests = [p["sha256"] for p in json.loads((folder / MANIFEST).read_text(encoding="utf-8"))["photos"]]
    except (OSError, ValueError, KeyError, TypeError):
        try:
            digests = [hashlib.sha256(p.read_bytes()).hexdigest() for p in (folder / "upload").iterdir()
                       if p.is_file()]
        except OSError:
            return False
    return bool(digests) and all(held_by_a_sheet(conn, digests))


def _written(folder: Path) -> float:
    try:
        return folder.stat().st_mtime
    except OSError:
        return 0.0


def _untouched(folder: Path, since: float) -> bool:
    """Whether nothing was added to the sheet folder ``folder`` or to its photos' folder since ``since`` (a time.time();
    False for a folder gone meanwhile, or not a folder)."""
    try:
        return folder.is_dir() and all(d.stat().st_mtime < since for d in (folder, folder / "upload") if d.exists())
    except OSError:
        return False
