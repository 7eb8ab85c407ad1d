"""Background jobs: a small interface (``submit``, ``status``) over a local process pool.

Job state lives in SQLite (table ``jobs``), not in memory, so a page reload
shows progress and a restart loses nothing: :meth:`JobRunner.recover` puts
every job left ``running`` back in the queue (or marks it failed with a reason
once it has been tried :data:`MAX_ATTEMPTS` times) and dispatches the queued
ones again. The running server does the same without a restart: a job stopped by
an unexpected error (:data:`grader.web.job_worker.RETRY`), one whose worker
died, and one the pool could not take (it could not start a worker process) are
dispatched again a few seconds later, until each has been tried
:data:`MAX_ATTEMPTS` times; then it is failed with its reason, which its item's
page shows, and logged. A distributed queue can replace :class:`JobRunner` later
without touching the pages: they only call :func:`submit` and :func:`status`.

A job kind names a handler ``run(payload, ctx)``, a failure hook
``fail(payload, ctx, code, message_id, message_en)`` and a follow-up run here
after the job (see :data:`grader.web.job_worker.KINDS`). Handlers run in
worker processes (:mod:`grader.web.job_worker`), open their own database
connection and write their results themselves, so a finished result survives
a crash of the web process. Waiting jobs are kept here, in (priority,
arrival) order, and handed to the pool only as workers free up.
"""
from __future__ import annotations

import concurrent.futures as cf
import heapq
import itertools
import json
import logging
import multiprocessing
import os
import threading
from dataclasses import dataclass
from typing import Callable

from flask import current_app

from grader.web.db import connect, now_iso
from grader.web.job_worker import (INTERNAL_ERROR, INTERRUPTED, KINDS, MAX_ATTEMPTS, RETRY, SERVER_FAILURES,
                                   WORKER_CRASHED, JobContext, _after_hook, _resolve, _warm_up, execute_job)

__all__ = ["JobContext", "JobRunner", "JobStatus", "MAX_ATTEMPTS", "execute_job", "runner", "status", "submit"]
log = logging.getLogger(__name__)

#: seconds before a job that failed unexpectedly is dispatched again, times the attempts it has had (3 s, then 6 s):
#: long enough for a lock to be released or memory to be freed, short for a trainee waiting at the page
RETRY_DELAY_S = 3.0


@dataclass(frozen=True)
class JobStatus:
    id: int
    kind: str
    state: str                    # queued | running | done | failed
    attempts: int
    error_code: str | None
    error_id: str | None
    error_en: str | None
    created_at: str
    started_at: str | None
    finished_at: str | None



class JobRunner:
    """Dispatches jobs to an executor: ``process`` (default), ``thread`` or ``inline`` (tests)."""

    def __init__(self, ctx: JobContext, *, mode: str = "process", workers: int | None = None,
                 retry_delay_s: float = RETRY_DELAY_S):
        if mode not in ("process", "thread", "inline"):
            raise ValueError(f"unknown job executor mode {mode!r}")
        self.ctx = ctx
        self.mode = mode
        self.workers = workers or max(1, min(4, os.cpu_count() or 1))
        self.retry_delay_s = retry_delay_s
        self._executor: cf.Executor | None = None
        self._lock = threading.Lock()
        # follow-ups (after-job hooks, crash handling) run here, never in the pool's own management thread
        self._followups = cf.ThreadPoolExecutor(max_workers=1, thread_name_prefix="grader-job-followup")
        self._queue_lock = threading.Lock()
        self._waiting: list[tuple[int, int, int]] = []      # heap of (priority, arrival, job id)
        self._arrival = itertools.count()
        self._in_flight = 0
        self._closed = False

    # -- the interface the pages use -------------------------------------------------------
    def submit(self, kind: str, payload: dict, *, priority: int = 0,
               on_queued: Callable[[int], None] | None = None) -> int:
        """Record a job as ``queued`` and dispatch it; lower ``priority`` runs first.

        ``on_queued(job_id)`` runs before dispatch.
        """
        if kind not in KINDS:
            raise ValueError(f"unknown job kind {kind!r}")
        conn = connect(self.ctx.database)
        try:
            job_id = conn.execute("INSERT INTO jobs(kind, payload, priority, created_at) VALUES (?, ?, ?, ?)",
                                  (kind, json.dumps(payload), priority, now_iso())).lastrowid
        finally:
            conn.close()
        if on_queued:
            on_queued(job_id)
        self.dispatch(job_id, priority)
        return job_id

    def status(self, job_id: int) -> JobStatus | None:
        conn = connect(self.ctx.database)
        try:
            row = conn.execute("SELECT * FROM jobs WHERE id=?", (job_id,)).fetchone()
        finally:
            conn.close()
        if row is None:
            return None
        return JobStatus(**{k: row[k] for k in JobStatus.__dataclass_fields__})

    # -- machinery ---------------------------------------------------------------------------
    def _get_executor(self) -> cf.Executor:
        with self._lock:
            if self._executor is None:
                if self.mode == "process":
                    self._executor = cf.ProcessPoolExecutor(
                        max_workers=self.workers, mp_context=multiprocessing.get_context("spawn"),
                        initializer=_warm_up, initargs=(self.ctx.pipeline, self.ctx.data_dir))
                else:
                    self._executor = cf.ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="grader-job")
            return self._executor

    def dispatch(self, job_id: int, priority: int | None = None) -> None:
        """Run ``job_id`` when a worker is free; waiting jobs start in (priority, arrival) order."""
        if self.mode == "inline":
            while execute_job(self.ctx, job_id) == RETRY:     # (at once: each run counts one of its attempts)
                pass
            self._run_after(job_id)
            return
        if self._closed:                # shut down: the job stays queued in the database for the next start
            return
        if priority is None:
            conn = connect(self.ctx.database)
            try:
                row = conn.execute("SELECT priority FROM jobs WHERE id=?", (job_id,)).fetchone()
            finally:
                conn.close()
            priority = row["priority"] if row else 0
        with self._queue_lock:
            heapq.heappush(self._waiting, (priority, next(self._arrival), job_id))
        self._pump()

    def _pump(self) -> None:
        """Hand waiting jobs to the pool while it has a free worker (the pool never queues behind our back).

        A pool that cannot take a job (a broken one is replaced once; a new one could not start its worker
        processes: too many open files, memory short) costs that job an attempt: it is dispatched again a little
        later, or failed once it has had them all, and the worker's place is given back. The error never reaches
        the caller (a trainee's upload, stored already) and the jobs waiting behind it are not lost."""
        while True:
            with self._queue_lock:
                if self._in_flight >= self.workers or not self._waiting:
                    return
                _, _, job_id = heapq.heappop(self._waiting)
                self._in_flight += 1
            try:
                executor = self._get_executor()
                try:
                    future = executor.submit(execute_job, self.ctx, job_id)
                except (RuntimeError, cf.BrokenExecutor):   # a broken pool: start a new one, once
                    self._forget(executor)
                    executor = self._get_executor()
                    future = executor.submit(execute_job, self.ctx, job_id)
            except Exception:  # noqa: BLE001 - logged; the job is tried again later or failed, never left queued
                with self._queue_lock:
                    self._in_flight -= 1
                log.exception("job %s could not be handed to a grading worker", job_id)
                try:
                    self._followups.submit(self._followup, self._try_again_later, job_id, INTERNAL_ERROR)
                except RuntimeError:    # shutting down: the job stays queued for the next start
                    pass
                return                  # (the next attempt, or the next job's submit, pumps the rest)
            future.add_done_callback(lambda f, job_id=job_id, ex=executor: self._after(job_id, f, ex))

    def _try_again_later(self, job_id: int, error: tuple[str, str, str]) -> None:
        """``job_id`` did not run to an outcome: the pool could not take it, or its worker raised outside the job
        (a database locked while claiming or recording it). Count that as one of its attempts (a claimed job has
        counted it), and dispatch it again a little later, or fail it with ``error`` once it has had
        :data:`MAX_ATTEMPTS`: a job is never left queued with nothing to dispatch it."""
        conn = connect(self.ctx.database)
        try:
            row = conn.execute("UPDATE jobs SET state='queued', attempts=attempts+(state='queued') WHERE id=? AND "
                               "state IN ('queued', 'running') RETURNING attempts", (job_id,)).fetchone()
        finally:
            conn.close()
        if row is not None and row["attempts"] < MAX_ATTEMPTS:
            self._later(self.retry_delay_s * row["attempts"], self.dispatch, job_id)
            return
        if row is not None:
            self.fail_unfinished(job_id, error)
        self._later(self.retry_delay_s, self._pump)      # (the jobs waiting behind it)

    def _later(self, seconds: float, fn: Callable, *args) -> None:
        """``fn(*args)`` as a follow-up, ``seconds`` from now (unless the runner has been shut down meanwhile: what is
        queued in the database is dispatched at the next start)."""
        def due() -> None:
            if self._closed:
                return
            try:
                self._followups.submit(self._followup, fn, *args)
            except RuntimeError:        # shut down meanwhile
                pass
        timer = threading.Timer(max(0.0, seconds), due)
        timer.daemon = True
        timer.start()

    @staticmethod
    def _followup(fn: Callable, *args) -> None:
        """Run a follow-up; an error is logged, never lost in the follow-up thread's futures. What it left undone is
        in the database as it was (a job queued or running), for the next start to take up."""
        try:
            fn(*args)
        except Exception:  # noqa: BLE001 - a follow-up must never take the runner down
            log.exception("job follow-up %s%r failed; the next start takes up what it left undone",
                          getattr(fn, "__name__", fn), args)

    def warm_up(self) -> None:
        """Start the worker processes now (each imports the pipeline once), so the first trainee does not wait."""
        if self.mode == "process":
            executor = self._get_executor()
            for _ in range(self.workers):
                executor.submit(os.getpid)

    def waiting(self) -> int:
        """Jobs queued here and not yet handed to a worker."""
        with self._queue_lock:
            return len(self._waiting)

    def _forget(self, executor: cf.Executor) -> None:
        """Drop a broken pool (only if it is still the current one); the next dispatch starts a new one."""
        with self._lock:
            if self._executor is executor:
                self._executor = None

    def _after(self, job_id: int, future: cf.Future, executor: cf.Executor) -> None:
        """Runs in the pool's own thread: hand the follow-up to the follow-up thread and return at once."""
        with self._queue_lock:
            self._in_flight -= 1
        if future.cancelled():          # shutting down: the job stays queued and is recovered at the next start
            return
        exc = future.exception()
        if exc is not None:
            log.error("job %s: worker failed: %r", job_id, exc)
            if isinstance(exc, cf.BrokenExecutor):
                self._forget(executor)
        outcome = future.result() if exc is None else None
        try:
            self._followups.submit(self._followup, self._pump)
            if outcome == RETRY:        # an unexpected error, not its last attempt: again in a few seconds
                self._followups.submit(self._followup, self._dispatch_again_later, job_id)
            elif exc is None:
                if outcome == "failed":
                    self._followups.submit(self._followup, self._log_failed, job_id)
                self._followups.submit(self._followup, self._run_after, job_id)
            elif isinstance(exc, cf.BrokenExecutor):
                self._followups.submit(self._followup, self._retry_or_fail, job_id)
            else:                       # (raised outside the job: a database locked while claiming or recording it)
                self._followups.submit(self._followup, self._try_again_later, job_id, INTERNAL_ERROR)
        except RuntimeError:            # shutting down: what is unfinished is recovered at the next start
            log.info("job %s finished during shutdown; follow-up left to the next start", job_id)

    def _dispatch_again_later(self, job_id: int) -> None:
        """Dispatch a job its worker put back in the queue (:data:`RETRY`) again, later each time it is tried."""
        job = self.status(job_id)
        if job is not None and job.state == "queued":
            self._later(self.retry_delay_s * max(1, job.attempts), self.dispatch, job_id)

    def _log_failed(self, job_id: int) -> None:
        """Say in this process's log (the workers' own go to their stderr) that a job failed for good, and why: an
        error for a failure of the server, a warning for a reason the job gave (a file that is not a photo)."""
        job = self.status(job_id)
        if job is not None and job.state == "failed":
            log.log(logging.ERROR if job.error_code in SERVER_FAILURES else logging.WARNING,
                    "job %s (%s) failed for good after %d attempt(s): %s: %s", job_id, job.kind, job.attempts,
                    job.error_code, job.error_en)

    def _retry_or_fail(self, job_id: int) -> None:
        """A worker process died. Jobs it never started go to a new pool; a started one is tried again (it may have
        died with a neighbour) until it has been tried :data:`MAX_ATTEMPTS` times, then marked failed with the
        reason."""
        conn = connect(self.ctx.database)
        try:
            row = conn.execute("UPDATE jobs SET state='queued' WHERE id=? AND (state='queued' OR "
                               "(state='running' AND attempts < ?)) RETURNING id", (job_id, MAX_ATTEMPTS)).fetchone()
        finally:
            conn.close()
        if row is None:
            self.fail_unfinished(job_id, WORKER_CRASHED)
        else:
            self.dispatch(job_id)

    def _run_after(self, job_id: int) -> None:
        """The kind's follow-up in this process (it may submit more jobs); its errors are logged, not raised."""
        try:
            conn = connect(self.ctx.database)
            try:
                row = conn.execute("SELECT kind, payload FROM jobs WHERE id=?", (job_id,)).fetchone()
            finally:
                conn.close()
            if row is not None:
                _after_hook(row["kind"])(json.loads(row["payload"]), self)
        except Exception:  # noqa: BLE001 - a follow-up must never take the runner down
            log.exception("after-job hook for job %s failed", job_id)

    def fail_unfinished(self, job_id: int, error: tuple[str, str, str]) -> None:
        """Mark a job its worker did not finish failed with ``error``, and its item with it (the failure hook)."""
        conn = connect(self.ctx.database)
        try:
            row = conn.execute("UPDATE jobs SET state='failed', error_code=?, error_id=?, error_en=?, finished_at=? "
                               "WHERE id=? AND state IN ('queued', 'running') RETURNING kind, payload",
                               (*error, now_iso(), job_id)).fetchone()
        finally:
            conn.close()
        if row is not None:
            _, fail = _resolve(row["kind"])
            fail(json.loads(row["payload"]), self.ctx, *error)
            self._log_failed(job_id)

    def recover(self) -> tuple[int, int]:
        """After a restart: re-queue interrupted jobs (or fail them after MAX_ATTEMPTS) and dispatch the queue.

        Returns ``(dispatched, failed)``.
        """
        conn = connect(self.ctx.database)
        try:
            stuck = conn.execute("SELECT id, attempts FROM jobs WHERE state='running'").fetchall()
            give_up = [r["id"] for r in stuck if r["attempts"] >= MAX_ATTEMPTS]
            conn.executemany("UPDATE jobs SET state='queued' WHERE id=? AND state='running'",
                             [(r["id"],) for r in stuck if r["attempts"] < MAX_ATTEMPTS])
            queued = [r["id"] for r in conn.execute("SELECT id FROM jobs WHERE state='queued' ORDER BY id")]
        finally:
            conn.close()
        for job_id in give_up:
            self.fail_unfinished(job_id, INTERRUPTED)
        for job_id in queued:
            self.dispatch(job_id)
        if stuck or queued:
            log.warning("recovered jobs: %d re-dispatched, %d marked failed", len(queued), len(give_up))
        return len(queued), len(give_up)

    def shutdown(self, wait: bool = True) -> None:
        """Stop the pool; queued jobs stay queued in the database and are recovered at the next start."""
        self._closed = True
        with self._lock:
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=wait, cancel_futures=not wait)
        self._followups.shutdown(wait=wait)


def runner() -> JobRunner:
    """The current app's runner."""
    return current_app.extensions["grader.jobs"]


def submit(job_kind: str, payload: dict, *, priority: int = 0,
           on_queued: Callable[[int], None] | None = None) -> int:
    """Queue a job of ``job_kind`` with a JSON-serialisable ``payload``; returns its id. Lower priority runs first."""
    return runner().submit(job_kind, payload, priority=priority, on_queued=on_queued)


def status(job_id: int) -> JobStatus | None:
    """The job's state as stored (``queued``, ``running``, ``done``, ``failed`` and why)."""
    return runner().status(job_id)
