"""What runs inside a worker: claim a job, run its handler under a time limit, record the outcome.

Every outcome is written to the ``jobs`` table by the worker itself: ``done``,
or ``failed`` with a reason code and Indonesian and English messages, or back to
``queued`` to be tried again (:data:`RETRY`). The scheduling side (pools,
priorities, retries, recovery) is :mod:`grader.web.jobs`.

What stops a job decides whether it is tried again. A reason the job gives (a
``GraderError``: a file that is not a photo, a photo missing from the disk), a
job that runs too long and a full disk are outcomes: trying again would give
the same. An unexpected error (a database locked for a moment, a read error,
memory short, a bug) may not recur: the job is tried again, as it is when its
worker dies or the server restarts under it, until it has been tried
:data:`MAX_ATTEMPTS` times. (A photo refused as blurry or of another form is not
a failure at all: it is the job's result.)
"""
from __future__ import annotations

import contextlib
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
from grader.web.db import connect, disk_full, now_iso

log = logging.getLogger(__name__)

#: times a job is tried, whatever stopped it before (an unexpected error, its worker dying, a restart)
MAX_ATTEMPTS = 3
#: what :func:`execute_job` returns for a job stopped by an unexpected error and put back in the queue
RETRY = "retry"
#: kind -> (module, run function, failure hook, hook run in the web process after the job is done)
KINDS: dict[str, tuple[str, str, str, str]] = {
    "grade": ("grader.web.grading", "run_grade_job", "fail_grade_job", "after_grade_job"),
}
# (what a trainee reads once a job has been tried MAX_ATTEMPTS times: the photos are kept, a trainer can grade the
# sheet again from them, and the trainee a few times: grader.web.grade_again)
INTERNAL_ERROR = ("internal_error", "Terjadi kesalahan pada server saat menilai, juga saat dicoba lagi. Foto Anda "
                  "tetap tersimpan: beri tahu pelatih, yang dapat menilainya ulang tanpa Anda mengirim foto lagi.",
                  "The server failed while grading, also when it tried again. Your photos are kept: tell the "
                  "trainer, who can grade the sheet again without you sending them again.")
INTERRUPTED = ("interrupted", "Penilaian terhenti karena server dimulai ulang, juga saat dicoba lagi. Foto Anda tetap "
               "tersimpan: beri tahu pelatih agar menilainya ulang, atau kirim foto ini lagi.",
               "Grading stopped because the server restarted, also when it tried again. Your photos are kept: ask "
               "the trainer to grade the sheet again, or send this photo again.")
TIMED_OUT = ("too_slow", "Penilaian foto ini terlalu lama dan dihentikan. Kirim foto yang lebih kecil atau lebih jelas.",
             "Grading this photo took too long and was stopped. Send a smaller or clearer photo.")
STORAGE_FULL = ("storage_full", "Penyimpanan server penuh, jadi foto ini belum bisa dinilai. Fotonya tetap tersimpan: "
                "beri tahu pelatih agar ruang disk dikosongkan lalu lembar ini dinilai ulang.",
                "The server's storage is full, so this photo could not be graded. The photo is kept: free disk "
                "space, then grade the sheet again.")
WORKER_CRASHED = ("worker_crashed", "Proses penilaian berhenti mendadak, juga saat dicoba lagi. Foto Anda tetap "
                  "tersimpan: beri tahu pelatih agar menilainya ulang, atau kirim foto yang lebih kecil atau lebih "
                  "jelas.",
                  "The grading process stopped unexpectedly, also when it tried again. Your photos are kept: ask the "
                  "trainer to grade the sheet again, or send a smaller or clearer photo.")
#: the failures of the server, not of the photo: the trainee's page says the photos are kept (trainee/result.html)
SERVER_FAILURES = frozenset(e[0] for e in (INTERNAL_ERROR, INTERRUPTED, STORAGE_FULL, WORKER_CRASHED))


def failed_outside(exc: BaseException | None) -> tuple[str, str, str]:
    """What a job is failed with, once tried out, whose worker raised ``exc`` outside it (recording its outcome): a
    full disk as such (a disk that took no picture takes no failure either: "database or disk is full",
    :func:`grader.web.db.disk_full`), else a failure of the server."""
    return STORAGE_FULL if disk_full(exc) else INTERNAL_ERROR


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
    """Run one queued job (in a worker). Returns its state: ``done``, ``failed``, :data:`RETRY` (an unexpected error
    stopped it before its last attempt: it is ``queued`` again, for the runner to dispatch it again a little later)
    or ``skipped`` (not queued: another worker has it).

    The job is claimed atomically (``queued`` -> ``running``), so a job
    dispatched twice runs once. Every outcome is written to the database:
    ``done``, ``failed`` with a reason code and messages (the failure hook marks its item), or ``queued`` again
    with the reason it was stopped.
    """
    conn = connect(ctx.database)
    try:
        row = conn.execute("UPDATE jobs SET state='running', attempts=attempts+1, started_at=? WHERE id=? AND "
                           "state='queued' RETURNING kind, payload, attempts", (now_iso(), job_id)).fetchone()
        if row is None:
            return "skipped"
        payload = json.loads(row["payload"])
        run, fail = _resolve(row["kind"])
        transient = False
        try:
            with _time_limit(ctx.timeout_s):
                run(payload, ctx)
        except JobTimeout:
            log.error("job %s (%s) stopped after %s s", job_id, row["kind"], ctx.timeout_s)
            error = TIMED_OUT
        except GraderError as exc:
            error = (exc.code, exc.message_id, exc.message)
        except OSError as exc:
            transient = not disk_full(exc)
            log.exception("job %s (%s) failed on attempt %d of %d", job_id, row["kind"], row["attempts"],
                          MAX_ATTEMPTS)
            error = INTERNAL_ERROR if transient else STORAGE_FULL
        except Exception:  # noqa: BLE001 - a worker must record every failure, never lose the item
            log.exception("job %s (%s) failed on attempt %d of %d", job_id, row["kind"], row["attempts"],
                          MAX_ATTEMPTS)
            error, transient = INTERNAL_ERROR, True
        else:
            _finish(conn, job_id, "done")
            return "done"
        if transient and row["attempts"] < MAX_ATTEMPTS:
            # (its item stays as it is, being graded: the trainee's page waits on)
            conn.execute("UPDATE jobs SET state='queued', error_code=?, error_id=?, error_en=? WHERE id=?",
                         (*error, job_id))
            log.warning("job %s (%s) is tried again (attempt %d of %d failed)", job_id, row["kind"],
                        row["attempts"], MAX_ATTEMPTS)
            return RETRY
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
