"""Photo folders that no sheet holds, met at start and then every :data:`UNRECORDED_SWEEP_S` by the job runner: a
crash (kill -9, a power cut) between writing a sending's photos and recording it
(:func:`grader.web.sheet_storing.store_sheets`) leaves one. Its sender was never told it was stored. The server
itself need not have stopped: another process on the same data folder (a WSGI server's worker killed mid-request, a
second server) may have crashed, so the running server looks again, with the same rule as a start: only a folder
untouched for :data:`UNRECORDED_AFTER_S`, which no request is still writing.

A trainee's sending writes, after its photos, what it was sent with (:data:`MANIFEST`: its code, name, form token,
each photo's name and digest), synced with them. A folder holding that and every photo it names is the whole
sending: it is recorded as the sheet it was to be (waiting to be graded; the start queues it), unless its trainee
sent the exercise again since (their later sheet is the one that counts; recorded, this older one would take its place
in the class table): the same form, or the same name typed from the same browser (two Sitis of a class send from two
phones). Anything else (no record of the sending, a photo missing or not as written, a trainer's batch or a
retake, whose sending did more than store a sheet) is moved to :data:`QUARANTINE`, not deleted, and the log and the
trainer's exercises page say so, for the administrator to check and delete."""
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

from grader.web.db import REMOVED, connect, immediate, now_iso
from grader.web.corrections import carry_over_same_photos
from grader.web.sheet_storing import MANIFEST, NewSheet, record_sheets, submissions_root

__all__ = ["QUARANTINE", "UNRECORDED_AFTER_S", "UNRECORDED_SWEEP_S", "set_aside_unrecorded", "set_aside_count",
           "sweep_unrecorded", "watch"]
log = logging.getLogger(__name__)

#: a sheet folder that no sheet holds is met at start only once untouched this long (seconds): one being stored
#: by another process on the same data folder (a second server, a command) is recorded within a minute of its photos
UNRECORDED_AFTER_S = 3600
#: seconds between the running server's looks for such folders (:func:`watch`): a sending a crash of another process
#: left unrecorded is recorded and graded within this of turning :data:`UNRECORDED_AFTER_S` old, not at the next start
UNRECORDED_SWEEP_S = 600.0
#: where the folders that cannot be recorded go, under the data folder: ``quarantine/submissions/<token>``, as they were
QUARANTINE = Path("quarantine") / "submissions"
#: a sheet folder's name, as :func:`grader.web.sheet_storing._write_photos` makes it (``secrets.token_urlsafe(16)``)
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{22}$")


def set_aside_unrecorded(conn: sqlite3.Connection, data_dir: Path | str, older_than_s: float = UNRECORDED_AFTER_S, *,
                         on_recorded: Callable[[int], object] | None = None) -> int:
    """Record the sheet folders that no sheet holds, untouched for ``older_than_s``, as the sheets they were to be
    where they hold the whole sending (``on_recorded(its id)`` then: the running server's sweep queues its grading;
    at start the stranded sheets' step does); move the others to :data:`QUARANTINE`. Both said in the log. Returns
    how many were moved. Safe beside requests and another process: a folder is recorded or moved only while
    holding the database's write lock, and only if no sheet holds it by then."""
    root = submissions_root(data_dir)
    cutoff = time.time() - older_than_s
    old = [d for d in (root.iterdir() if root.is_dir() else ()) if TOKEN_RE.match(d.name) and _untouched(d, cutoff)]
    old.sort(key=_written)           # (the oldest first: a later sending of the same trainee's is recorded after it)
    held = {r[0] for r in conn.execute("SELECT token FROM submissions")} if old else set()
    moved, why = [], {}
    for folder in (d for d in old if d.name not in held):
        reason = _record_again(conn, data_dir, folder)
        if reason is None or isinstance(reason, int):   # (held meanwhile, or recorded now: its id)
            if reason is not None and on_recorded is not None:
                on_recorded(reason)
            continue
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
            if _sent_since(conn, sheet, sent.get("sent_at") or ""):
                return "its trainee sent the exercise again since"
            [sid] = record_sheets(conn, [sheet], [(folder.name, stored)], sent.get("sent_at") or now_iso())
            carry_over_same_photos(conn, sid)       # (as store_sheets does)
    except sqlite3.IntegrityError as exc:           # (what it names is not as it was: a batch, a sheet removed)
        return f"it cannot be recorded ({exc})"
    log.warning("photo folder %s, which no sheet held (a crash between storing a sending's photos and recording it), "
                "holds the whole sending: recorded as sheet %s, to be graded", folder.name, sid)
    return sid


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
    who = sheet.typed_trainee or sheet.trainee
    if not who:
        return False
    same_sender = "" if sheet.sender is None else " AND sender IS ?"
    return bool(conn.execute(
        "SELECT 1 FROM submissions WHERE exercise IS ? AND (typed_trainee=? OR trainee=?) AND created_at >= ? "
        f"AND state != ?{same_sender}",
        (sheet.exercise, who, who, sent_at, REMOVED, *((sheet.sender,) if same_sender else ()))).fetchone())


def sweep_unrecorded(runner, *, older_than_s: float = UNRECORDED_AFTER_S) -> int:
    """:func:`set_aside_unrecorded` on ``runner``'s data, each sending recorded queued for grading at once (a trainee's
    priority: its sender is waiting for it); returns how many folders were moved."""
    from grader.web.grading_queue import queue_grading

    with closing(connect(runner.ctx.database)) as conn:
        return set_aside_unrecorded(conn, runner.ctx.data_dir, older_than_s,
                                    on_recorded=lambda sid: queue_grading(conn, sid, runner=runner))


def watch(runner, *, every_s: float = UNRECORDED_SWEEP_S) -> None:
    """Have ``runner`` run :func:`sweep_unrecorded` every ``every_s`` seconds until it is shut down (after the start's
    own look). Not inline (tests): there a job runs in its caller's thread, and a sweep would grade behind the test's
    back."""
    if runner.mode != "inline":
        runner.every(every_s, lambda: sweep_unrecorded(runner))


def set_aside_count(data_dir: Path | str) -> int:
    """How many photo folders are in :data:`QUARANTINE`: what the trainer's exercises page says, until the
    administrator has looked at them and deleted them."""
    try:
        return sum(1 for d in (Path(data_dir) / QUARANTINE).iterdir() if d.is_dir())
    except OSError:
        return 0


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
