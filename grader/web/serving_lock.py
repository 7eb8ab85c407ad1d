"""One ``grader serve`` per data folder: the lock a server holds on its data folder for as long as it runs.

Two servers on one data folder (``make run`` started twice, or again with another ``PORT`` or ``HOST``) would each
run the start's recovery as if the other had crashed: the second re-queued the first's running jobs as interrupted
and graded those sheets again beside it, both at once (:meth:`grader.web.jobs.JobRunner.recover`), and its other
steps (the removals, the photo folders no sheet holds, the stored corrections) would act on the first's work in
progress; a second start with another trainer password would end the first's logins. A second server on the same
port stops at its port (``grader.commands.serve``); on another port it stops here, before it touches the folder,
naming the server that holds it.

The lock is the operating system's (``flock`` on a file in the folder, ``msvcrt.locking`` on Windows), held on an
open file: it goes with the process that holds it, however that process ends (kill -9, a power cut), so a crashed
server never leaves a stale lock behind for the next start to trip on. The file itself stays, and says which server
(process id, address) holds it now or held it last.
"""
from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import IO

from grader.errors import GraderError

log = logging.getLogger(__name__)

__all__ = ["LOCK_FILE", "hold_data_folder"]

#: the lock's file, in the data folder
LOCK_FILE = "serving.lock"


def hold_data_folder(folder: Path, address: str) -> IO:
    """Take ``folder``'s lock for a server serving at ``address`` (a URL, said to a second server), and return the
    open file that holds it: keep it open for as long as the server runs. The folder is made if it is missing.

    Raises :class:`GraderError` (``bad_usage``) when another server holds it, naming that server, or when the folder
    cannot be made or the lock's file written."""
    folder = Path(folder)
    path = folder / LOCK_FILE
    try:
        folder.mkdir(parents=True, exist_ok=True)
        held = open(path, "a+", encoding="utf-8")     # (not "w": that would empty the holder's file first)
    except OSError as exc:
        raise GraderError("bad_usage", f"Cannot use the data folder {folder} ({exc.strerror or exc}): set "
                                       "GRADER_DATA_DIR to a folder this user can write.") from None
    if not _lock(held):
        held.close()
        # (a sentence, as every GraderError of grader.web is; said by `grader serve` only)
        raise GraderError("bad_usage", f"Another grader server ({_holder(path)}) is already serving the data folder "
                                       f"{folder}: open that one, or stop it first (Ctrl-C in its window), or give "
                                       "this one a folder of its own with GRADER_DATA_DIR.")
    held.seek(0)
    held.truncate()
    held.write(f"pid {os.getpid()} {address}\n")
    held.flush()
    return held


def _lock(held: IO) -> bool:
    """Lock the file ``held`` without waiting: False when another open file (another process) holds it."""
    try:
        import fcntl
    except ImportError:                     # Windows
        import msvcrt
        try:
            held.seek(0)
            msvcrt.locking(held.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    try:
        fcntl.flock(held.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    except OSError as exc:      # (a folder on a share that has no locks, ENOLCK: serve, unguarded, and say so)
        log.warning("cannot lock %s (%s): a second grader server on this data folder would not be stopped",
                    held.name, exc.strerror or exc)
    return True


def _holder(path: Path) -> str:
    """Which server holds the lock, as its file says ("process 123 at http://127.0.0.1:8000/")."""
    try:
        words = path.read_text(encoding="utf-8").split()
    except OSError:
        words = []
    if len(words) == 3 and words[0] == "pid":
        return f"process {words[1]} at {words[2]}"
    return "its address unknown"        # (it has not written it yet, or the file was edited)
