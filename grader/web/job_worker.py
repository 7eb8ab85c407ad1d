"""What runs inside a worker: claim a job, run its handler under a time limit, record the outcome.

Every outcome is written to the ``jobs`` table by the worker itself: ``done``,
or ``failed`` with a reason code and Indonesian and English messages. The
scheduling side (pools, priorities, recovery) is :mod:`grader.web.jobs`.
"""
from __future__ import annotations

import contextlib
import errno
import importlib
import json
import logging
import multiprocessing
import os
import signal
import threading
from dataclasses import dataclass
from typing import Any, Callable

from grader.errors import GraderError
from grader.web.db import connect, now_iso

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 2
#: kind -> (module, run function, failure hook, hook run in the web process after the job is done)
KINDS: dict[str, tuple[str, str, str, str]] = {
    "grade": ("grader.web.grading", "run_grade_job", "fail_grade_job", "after_grade_job"),
}
INTERNAL_ERROR = ("internal_error", "Terjadi kesalahan pada server saat menilai. Coba kirim ulang; jika tetap gagal, "
                  "hubungi pelatih.", "The server failed while grading. Try again; if it keeps failing, tell the "
                  "trainer.")
INTERRUPTED = ("interrupted", "Penilaian terhenti karena server dimulai ulang. Kirim ulang foto ini.",
               "Grading stopped because the server restarted. Send this photo again.")
TIMED_OUT = ("too_slow", "Penilaian foto ini terlalu lama dan dihentikan. Kirim foto yang lebih kecil atau lebih jelas.",
             "Grading this photo took too long and was stopped. Send a smaller or clearer photo.")
STORAGE_FULL = ("storage_full", "Penyimpanan server penuh, jadi foto ini belum bisa dinilai. Fotonya tetap tersimpan: "
                "beri tahu pelatih agar ruang disk dikosongkan lalu lembar ini dinilai ulang.",
                "The server's storage is full, so this photo could not be graded. The photo is kept: free disk "
                "space, then grade the sheet again.")
WORKER_CRASHED = ("worker_crashed", "Proses penilaian berhenti mendadak. Kirim ulang foto ini.",
                  "The grading process stopped unexpectedly. Send this photo again.")


@dataclass(frozen=True)
class JobContext:
    """What a worker needs, picklable: where the data is and which pipeline to use."""

    database: str
    data_dir: str
    pipeline: Any = None          # None = grader.pipeline; a module name; or a picklable object
    timeout_s: int = 120          # per job, enforced in worker processes (SIGALRM)


class JobTimeout(Exception):
    pass


def _alarm(signum, frame):
    raise JobTimeout()


def _time_limit(seconds: int):
    """A context manager that interrupts the job after ``seconds`` (only in a worker process's main thread)."""
    if seconds <= 0 or threading.current_thread() is not threading.main_thread() \
            or multiprocessing.parent_process() is None:
        return contextlib.nullcontext()

    @contextlib.contextmanager
    def limit():
        old = signal.signal(signal.SIGALRM, _alarm)
        signal.alarm(seconds)
        try:
            yield
        finally:
            signal.alarm(0)
            signal.signal(signal.SIGALRM, old)
    return limit()


def _resolve(kind: str) -> tuple[Callable, Callable]:
    module, run, fail, _ = KINDS[kind]
    mod = importlib.import_module(module)
    return getattr(mod, run), getattr(mod, fail)


def _after_hook(kind: str) -> Callable:
    module, _, _, after = KINDS[kind]
    return getattr(importlib.import_module(module), after)


def _finish(conn, job_id: int, state: str, error: tuple[str, str, str] | None = None) -> None:
    code, msg_id, msg_en = error or (None, None, None)
    conn.execute("UPDATE jobs SET state=?, error_code=?, error_id=?, error_en=?, finished_at=? WHERE id=?",
                 (state, code, msg_id, msg_en, now_iso(), job_id))


def execute_job(ctx: JobContext, job_id: int) -> str:
    """Run one queued job to completion (in a worker). Returns the final state.

    The job is claimed atomically (``queued`` -> ``running``), so a job
    dispatched twice runs once. Every outcome is written to the database:
    ``done``, or ``failed`` with a reason code and messages.
    """
    conn = connect(ctx.database)
    try:
        row = conn.execute("UPDATE jobs SET state='running', attempts=attempts+1, started_at=? "
                           "WHERE id=? AND state='queued' RETURNING kind, payload", (now_iso(), job_id)).fetchone()
        if row is None:
            return "skipped"
        payload = json.loads(row["payload"])
        run, fail = _resolve(row["kind"])
        try:
            with _time_limit(ctx.timeout_s):
                run(payload, ctx)
        except JobTimeout:
            log.error("job %s (%s) stopped after %s s", job_id, row["kind"], ctx.timeout_s)
            error = TIMED_OUT
        except GraderError as exc:
            error = (exc.code, exc.message_id, exc.message)
        except OSError as exc:
            log.exception("job %s (%s) failed", job_id, row["kind"])
            error = STORAGE_FULL if exc.errno in (errno.ENOSPC, errno.EDQUOT) else INTERNAL_ERROR
        except Exception:  # noqa: BLE001 - a worker must record every failure, never lose the item
            log.exception("job %s (%s) failed", job_id, row["kind"])
            error = INTERNAL_ERROR
        else:
            _finish(conn, job_id, "done")
            return "done"
        fail(payload, ctx, *error)
        _finish(conn, job_id, "failed", error)
        return "failed"
    finally:
        conn.close()


def _warm_up(pipeline: Any, data_dir: str) -> None:
    """Worker initializer: the app's data folder for the exercise store, and the heavy imports, once."""
    os.environ["GRADER_DATA_DIR"] = data_dir
    parent = multiprocessing.parent_process()
    if parent is not None:
        threading.Thread(target=_exit_with_parent, args=(parent,), name="grader-parent-watch", daemon=True).start()
    if pipeline is None or isinstance(pipeline, str):
        try:
            importlib.import_module(pipeline or "grader.pipeline")
        except ImportError:
            log.warning("pipeline %s not importable yet", pipeline or "grader.pipeline")


def _exit_with_parent(parent) -> None:
    """End this worker when the web process is gone (kill -9, the OOM killer): the pool would otherwise wait for
    work forever, holding the pipeline in memory. A job it was running is re-queued at the next start."""
    parent.join()
    log.error("the web process %s ended; this grading worker stops too", parent.pid)
    os._exit(1)
