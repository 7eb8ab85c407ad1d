"""The job runner's follow-ups: what it does itself about a job, in this process, once a worker has given it back.

A follow-up sends a job back to the queue, dispatches it again a little later, fails it for good, settles the jobs of
a broken pool, runs a job kind's after-job hook (a batch's merge). They run one at a time in a thread of their own,
never in a pool's management thread (which must only note that a job came back), now or after a delay.

Each one holds a job that nothing else holds: the worker has given it back. If a follow-up met the database locked
past its timeout (a long write elsewhere; or a disk that stalls or is full: :data:`REFUSALS`) and were dropped, its job
would stay ``queued`` or ``running`` in the database with nothing to send it to a worker, and its sheet would wait for
the next start. So a follow-up that raises that error is run again later, a little later each time, until it runs
(or the runner is shut down: the next start takes the job up). That is safe because a follow-up raises it only before
it has changed anything: its one write comes first, and each step after it that may meet the database again is run
with :meth:`Followups.now`, which gives that step the same treatment on its own. (A job failed for good whose failure
hook is then refused is the one exception: run again, it finds the job failed and does nothing; the sweep fails its
sheet, :func:`grader.web.stranded.fail_left_running`.) Any other error is logged: it would come again. A follow-up
holding one job (:func:`fails_its_job`) fails that job then, rather than leave it queued or running with nothing to
run it: its page says the server failed and offers to grade the photos, which are kept, again.
"""
from __future__ import annotations

import concurrent.futures as cf
import functools
import logging
import sqlite3
import threading
from typing import Callable

from grader.web.job_worker import INTERNAL_ERROR

__all__ = ["MAX_WAIT_S", "REFUSALS", "Followups", "fails_its_job", "refused"]
log = logging.getLogger(__name__)

#: the database's answers that may not be its answer later: busy or locked, an I/O error, a full disk, a file it could
#: not open (too many open files). Another error (a mistake in a statement) would come again: it is logged, not retried.
REFUSALS = frozenset({sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED, sqlite3.SQLITE_IOERR, sqlite3.SQLITE_FULL,
                      sqlite3.SQLITE_CANTOPEN})

#: the longest wait before a follow-up the database refused is tried again (each try may wait out a lock as well)
MAX_WAIT_S = 30.0


class Followups:
    """One thread running the runner's follow-ups, ``retry_s`` seconds (doubling, at most :data:`MAX_WAIT_S`) between
    the tries of one the database refused."""

    def __init__(self, *, retry_s: float):
        self.retry_s = retry_s
        self._closed = False
        self._executor = cf.ThreadPoolExecutor(max_workers=1, thread_name_prefix="grader-job-followup")

    def submit(self, fn: Callable, *args) -> None:
        """Run ``fn(*args)`` in the follow-up thread."""
        self._submit(fn, args, 0)

    def now(self, fn: Callable, *args) -> None:
        """Run ``fn(*args)`` here, as a step of a follow-up: if the database refuses it, it is tried again later on
        its own, and the follow-up goes on with its other jobs."""
        self._run(fn, args, 0)

    def later(self, seconds: float, fn: Callable, *args) -> None:
        """Run ``fn(*args)`` in the follow-up thread ``seconds`` from now (unless shut down meanwhile: what is queued
        in the database is dispatched at the next start)."""
        self._timer(seconds, fn, args, 0)

    def every(self, seconds: float, fn: Callable[[], object]) -> None:
        """Run ``fn()`` in the follow-up thread every ``seconds`` (the first ``seconds`` from now) until shut down; an
        error in one run is logged, and the next runs all the same (a run is never tried again: the next one is)."""
        def again() -> None:
            self.later(seconds, again)
            try:
                fn()
            except Exception:  # noqa: BLE001 - logged; the next run comes all the same
                log.exception("periodic job follow-up %s failed; it runs again in %.0f s", _name(fn), seconds)
        self.later(seconds, again)

    def close(self) -> None:
        """Start no more delayed follow-ups (shutting down); those submitted still run, until :meth:`shutdown`."""
        self._closed = True

    def shutdown(self, wait: bool = True) -> None:
        self._closed = True
        self._executor.shutdown(wait=wait)

    def _submit(self, fn: Callable, args: tuple, tries: int) -> None:
        try:
            self._executor.submit(self._run, fn, args, tries)
        except RuntimeError:            # shut down: what is unfinished is in the database for the next start
            log.info("job follow-up %s%r left to the next start (shutting down)", _name(fn), args)

    def _timer(self, seconds: float, fn: Callable, args: tuple, tries: int) -> None:
        def due() -> None:
            if not self._closed:
                self._submit(fn, args, tries)
        timer = threading.Timer(max(0.0, seconds), due)
        timer.daemon = True
        timer.start()

    def _run(self, fn: Callable, args: tuple, tries: int) -> None:
        try:
            fn(*args)
        except Exception as exc:  # noqa: BLE001 - a follow-up must never take the runner down
            if not refused(exc):
                log.exception("job follow-up %s%r failed; the next start takes up what it left undone", _name(fn),
                              args)
                return
            wait_s = min(self.retry_s * 2 ** min(tries, 16), MAX_WAIT_S)
            log.warning("job follow-up %s%r: the database refused it (%s); tried again in %.1f s", _name(fn), args,
                        exc, wait_s)
            self._timer(wait_s, fn, args, tries + 1)


def refused(exc: BaseException) -> bool:
    """Whether ``exc`` is the database refusing for now (:data:`REFUSALS`), not for good."""
    return isinstance(exc, sqlite3.OperationalError) and (exc.sqlite_errorcode or 0) & 0xFF in REFUSALS


def fails_its_job(method: Callable) -> Callable:
    """Mark a follow-up of the runner (a method ``method(runner, job_id, ...)``) as holding the job ``job_id``: nothing
    else will send it to a worker or fail it.

    The database refusing it for now is raised, to be tried again later (:class:`Followups`). Any other error (a bug,
    memory short, no thread to be had for a timer) would most likely come again, and tried again forever it would keep
    the trainee's page "being graded" with nothing happening: it is logged with its traceback, and the job is failed
    for good, as a failure of the server (``internal_error``), with its item (the failure hook: a sheet's photos stay
    stored, and its page offers to grade them again) and its kind's follow-up (``runner.fail_unfinished``). A job
    finished meanwhile is left as it is."""
    @functools.wraps(method)
    def follow_up(runner, job_id: int, *args):
        try:
            return method(runner, job_id, *args)
        except Exception as exc:  # noqa: BLE001 - logged, and its job failed rather than left waiting
            if refused(exc):
                raise
            log.exception("job %s: the job runner's follow-up %s failed (%s); the job is failed for good, as a "
                          "failure of the server (its photos are kept)", job_id, method.__name__, exc)
            runner.now(runner.fail_unfinished, job_id, INTERNAL_ERROR)
    return follow_up


def _name(fn: Callable) -> str:
    return getattr(fn, "__name__", repr(fn))
