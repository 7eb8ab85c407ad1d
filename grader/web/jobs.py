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
page shows, and logged. A sheet marked queued whose job could not be recorded
is queued by a sweep the runner makes every so often (:mod:`grader.web.stranded`,
:meth:`JobRunner.every`). A distributed queue can replace :class:`JobRunner` later
without touching the pages: they only call :func:`submit` and :func:`status`.

A worker that dies (a photo that makes OpenCV segfault, memory exhausted) breaks
its pool and takes every job in flight on it down. Only a suspect that was
running alone when its worker died is charged an attempt; the jobs running
otherwise are not (beside each other, any may be the culprit; beside idle
workers, the one that died may have been idle), and each becomes a suspect, run
again alone, one at a time, in a pool of its own of one worker (an idle worker
of the main pool dying meanwhile is not its doing), until the one that kills
its worker is found (:mod:`grader.web.job_settling`). Suspects are kept in the
database (``jobs.run_alone``), with the jobs a restart interrupted: they run
alone after a restart too, where a photo that took the server down with its
worker would otherwise break the new pool with its neighbours again. A broken
pool, and one that could not take a job, is replaced, and the jobs that were on
it are run again only once all its processes have ended: a sheet is never graded
by two processes at once.

A job kind names a handler ``run(payload, ctx)``, a failure hook
``fail(payload, ctx, code, message_id, message_en)`` and a follow-up run here
once the job has ended, whoever ended it: its worker, or this runner failing it
for good (see :data:`grader.web.job_worker.KINDS`). What the runner does itself
about a job runs in a thread of its own; a step the database refuses (locked
past its timeout) is tried again later, never dropped with its job left queued
or running (:mod:`grader.web.job_followups`). Handlers run in
worker processes (:mod:`grader.web.job_worker`), open their own database
connection and write their results themselves, so a finished result survives
a crash of the web process. Waiting jobs are kept here, in (priority,
arrival) order, and handed to the pool only as workers free up
(:mod:`grader.web.job_queue`).
"""
from __future__ import annotations

import concurrent.futures as cf
import json
import logging
import os
import sqlite3
import threading
from contextlib import closing
from dataclasses import dataclass
from typing import Callable

from flask import current_app

from grader.web.db import connect, now_iso
from grader.web.job_followups import Followups, fails_its_job
from grader.web.job_pools import STOP_GRACE_S, WorkerPool, retire, start_pool
from grader.web.job_queue import JobQueue
from grader.web.job_settling import CrashSettling
from grader.web.job_worker import (INTERNAL_ERROR, KINDS, MAX_ATTEMPTS, RETRY, SERVER_FAILURES, JobContext,
                                   _after_hook, _resolve, execute_job, failed_outside)

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



#: how jobs run: worker processes (the server), threads or inline in the request (tests); ``GRADER_JOBS``
MODES = ("process", "thread", "inline")


class JobRunner(CrashSettling):
    """Dispatches jobs to an executor: ``process`` (default), ``thread`` or ``inline`` (tests). What becomes of the
    jobs a worker's death or a restart interrupted (``_settle``, ``recover``): :class:`CrashSettling`."""

    def __init__(self, ctx: JobContext, *, mode: str = "process", workers: int | None = None,
                 retry_delay_s: float = RETRY_DELAY_S, stop_grace_s: float = STOP_GRACE_S):
        if mode not in MODES:
            raise ValueError(f"unknown job executor mode {mode!r}")
        self.ctx = ctx
        self.mode = mode
        self.workers = workers or max(1, min(4, os.cpu_count() or 1))
        self.retry_delay_s = retry_delay_s
        self.stop_grace_s = stop_grace_s
        self._pool: WorkerPool | None = None
        self._alone_pool: WorkerPool | None = None          # the last suspect's own (:meth:`_pool_for`)
        self._lock = threading.Lock()
        # what the runner does itself about a job (send it back, fail it, its after-job hook), in a thread of its own
        self._followups = Followups(retry_s=retry_delay_s)
        self._queue = JobQueue(self.workers)
        self._closed = False

    # -- the interface the pages use -------------------------------------------------------
    def submit(self, kind: str, payload: dict, *, priority: int = 0, run_alone: bool = False) -> int:
        """Record a job as ``queued`` and dispatch it; lower ``priority`` runs first.

        ``run_alone``: the job is known to have killed its worker before (a sheet failed as ``worker_crashed``,
        graded again), so it runs alone from the start, as a suspect. A caller that must link the job to its item in
        the same transaction records it with :meth:`record` and dispatches it with :meth:`enqueue` once committed.
        """
        with closing(connect(self.ctx.database)) as conn:
            job_id = self.record(conn, kind, payload, priority=priority, run_alone=run_alone)
        self.enqueue(job_id, priority, run_alone=run_alone)
        return job_id

    @staticmethod
    def record(conn, kind: str, payload: dict, *, priority: int = 0, run_alone: bool = False) -> int:
        """Insert a ``queued`` job on ``conn`` (in the caller's transaction) and return its id; nothing runs it until
        :meth:`enqueue`, which the caller calls once the transaction is committed (a worker could not see it before)."""
        if kind not in KINDS:
            raise ValueError(f"unknown job kind {kind!r}")
        return conn.execute("INSERT INTO jobs(kind, payload, priority, run_alone, created_at) VALUES (?, ?, ?, ?, ?)",
                            (kind, json.dumps(payload), priority, int(run_alone), now_iso())).lastrowid

    def enqueue(self, job_id: int, priority: int, *, run_alone: bool = False) -> None:
        """Dispatch a job :meth:`record` stored (``run_alone``: as a suspect, alone)."""
        if run_alone:
            self._queue.suspect(job_id)
        self.dispatch(job_id, priority)

    def status(self, job_id: int) -> JobStatus | None:
        with closing(connect(self.ctx.database)) as conn:
            row = conn.execute("SELECT * FROM jobs WHERE id=?", (job_id,)).fetchone()
        if row is None:
            return None
        return JobStatus(**{k: row[k] for k in JobStatus.__dataclass_fields__})

    # -- machinery ---------------------------------------------------------------------------
    def _current_pool(self) -> WorkerPool:
        with self._lock:
            if self._pool is None:
                self._pool = start_pool(self.ctx, mode=self.mode, workers=self.workers)
            return self._pool

    def _pool_for(self, job_id: int) -> WorkerPool:
        """The pool to hand ``job_id`` to: the current one, or, for the suspect the queue lets go alone, a new pool of
        one worker, ended once its job is back (:func:`grader.web.job_pools.start_pool`)."""
        if self._queue.running_alone() != job_id:
            return self._current_pool()
        pool = start_pool(self.ctx, mode=self.mode, workers=1, alone=True)
        with self._lock:
            self._alone_pool = pool
        return pool

    def dispatch(self, job_id: int, priority: int | None = None) -> None:
        """Run ``job_id`` when a worker is free (:class:`grader.web.job_queue.JobQueue`)."""
        if self.mode == "inline":
            while execute_job(self.ctx, job_id) == RETRY:     # (at once: each run counts one of its attempts)
                pass
            self.run_after(job_id)
            return
        if self._closed:                # shut down: the job stays queued in the database for the next start
            return
        self._line_up(job_id, priority)
        self._pump()

    def _line_up(self, job_id: int, priority: int | None) -> None:
        """Put ``job_id`` in the queue, with ``priority`` (None: its own, read from the database)."""
        if priority is None:
            with closing(connect(self.ctx.database)) as conn:
                row = conn.execute("SELECT priority FROM jobs WHERE id=?", (job_id,)).fetchone()
            priority = row["priority"] if row else 0
        self._queue.put(job_id, priority)

    @fails_its_job
    def _dispatch_held(self, job_id: int, priority: int | None = None) -> None:
        """:meth:`dispatch`, as a follow-up of the runner's (sending a job back, dispatching it again later, the
        jobs left on a retired pool, those a restart interrupted): no request and no worker holds the job, so an error
        putting it in the queue that is not the database refusing for now (a bug; memory short) fails it for good,
        as a failure of the server, with its sheet (:func:`grader.web.job_followups.fails_its_job`), rather than leave
        it queued with nothing to send it to a worker, its sheet "being graded" until a restart. An error once it is
        in the queue, handing the queue's jobs on, is not this job's (it may be running already): logged, and the
        next job to come back or be sent hands it on."""
        if self.mode == "inline" or self._closed:
            self.dispatch(job_id, priority)
            return
        self._line_up(job_id, priority)
        self.now(self._pump)

    def _pump(self) -> None:
        """Hand the queue's jobs to the pool while it lets them go."""
        while not self._closed and (job_id := self._queue.take()) is not None:
            if not self._hand_over(job_id):
                return                  # (the next attempt, or the next job's submit, pumps the rest)

    def _hand_over(self, job_id: int) -> bool:
        """Give ``job_id`` to the current pool; False if it would not take it.

        A pool that broke or was retired meanwhile did not take the job: it goes to a new pool at once. A pool whose
        ``submit`` raised otherwise (it could not start a worker process: too many open files, memory short) may be
        broken and may still run the job: it is retired, and once it has ended (:meth:`_settle`) the job costs an
        attempt, is dispatched again a little later, or failed once it has had them all. The error never reaches the
        caller (a trainee's upload, stored already) and the jobs waiting behind it are not lost."""
        pool = None
        try:
            pool = self._pool_for(job_id)
            try:
                future = pool.executor.submit(execute_job, self.ctx, job_id)
            except Exception as exc:    # it broke, or was retired, meanwhile: it did not take it; a new pool, once
                if not (isinstance(exc, cf.BrokenExecutor) or pool.retired):
                    raise
                self._forget(pool)
                pool = self._pool_for(job_id)
                future = pool.executor.submit(execute_job, self.ctx, job_id)
        except Exception:  # noqa: BLE001 - logged; the job is tried again later or failed, never left queued
            log.exception("job %s could not be handed to a grading worker; the pool is replaced", job_id)
            self._queue.back(job_id)
            if pool is not None and pool.refuse(job_id):
                self._retire(pool, grace_s=self.ctx.timeout_s + self.stop_grace_s)
            else:
                self._followups.submit(self._try_again_later, job_id, INTERNAL_ERROR)
            return False
        pool.took(job_id)
        future.add_done_callback(lambda f, job_id=job_id, pool=pool: self._after(job_id, f, pool))
        return True

    def _retire(self, pool: WorkerPool, *, grace_s: float) -> None:
        """Hand ``pool`` no more jobs; once all its processes have ended (killed if they are still running
        ``grace_s`` seconds on), settle the jobs left on it (:meth:`_settle`)."""
        self._forget(pool)
        if pool.retire_once():
            retire(pool, grace_s=grace_s, then=lambda stuck: self._followups.submit(self._settle, pool, stuck),
                   fallback=self._followups.submit)

    @fails_its_job
    def _try_again_later(self, job_id: int, error: tuple[str, str, str]) -> None:
        """``job_id`` did not run to an outcome: the pool could not take it, or its worker raised outside the job
        (a database locked while claiming or recording it). Count that as one of its attempts (a claimed job has
        counted it), and dispatch it again a little later, or fail it with ``error`` once it has had
        :data:`MAX_ATTEMPTS`: a job is never left queued with nothing to dispatch it. (A follow-up: if the database
        refuses this write too, it is made again later, :mod:`grader.web.job_followups`.)

        A worker may also raise after it recorded the job ``done`` or ``failed`` (its answer lost on the way back):
        then only the job's follow-up is left (:meth:`_answer_lost`), and the job is not run again."""
        with closing(connect(self.ctx.database)) as conn:
            row = conn.execute("UPDATE jobs SET state='queued', attempts=attempts+(state='queued') WHERE id=? AND "
                               "state IN ('queued', 'running') RETURNING attempts", (job_id,)).fetchone()
            finished = row is None and conn.execute("SELECT 1 FROM jobs WHERE id=? AND state IN ('done', 'failed')",
                                                    (job_id,)).fetchone() is not None
        if row is not None and row["attempts"] < MAX_ATTEMPTS:
            self._followups.later(self.retry_delay_s * row["attempts"], self._dispatch_held, job_id)
            return
        if row is not None:
            self._followups.now(self.fail_unfinished, job_id, error)
        elif finished:
            self._answer_lost(job_id)
        self._followups.later(self.retry_delay_s, self._pump)      # (the jobs waiting behind it)

    def _answer_lost(self, job_id: int) -> None:
        """``job_id`` was recorded ``done`` or ``failed`` by its worker, whose answer never came back (it raised
        after recording it, or its pool broke): what the answer would have led to, its follow-up (a batch's merge)."""
        self._queue.clear(job_id)
        self._log_failed(job_id)
        self.run_after(job_id)

    def every(self, seconds: float, fn: Callable[[], object]) -> None:
        """``fn()`` as a follow-up every ``seconds`` (the first ``seconds`` from now), until the runner is shut down;
        an error in one run is logged, and the next runs all the same."""
        self._followups.every(seconds, fn)

    def later(self, seconds: float, fn: Callable, *args) -> None:
        """``fn(*args)`` as a follow-up ``seconds`` from now (unless the runner is shut down meanwhile); an error in it
        is logged (:meth:`grader.web.job_followups.Followups.later`)."""
        self._followups.later(seconds, fn, *args)

    def now(self, fn: Callable, *args) -> None:
        """``fn(*args)`` here, as a step of a follow-up (an after-job hook's merge): if the database refuses it for
        now, the runner runs it again later, on its own, until it goes through; another error is logged, not raised
        (:meth:`grader.web.job_followups.Followups.now`)."""
        self._followups.now(fn, *args)

    def warm_up(self) -> None:
        """Start the worker processes now (each imports the pipeline once), so the first trainee does not wait."""
        if self.mode == "process":
            executor = self._current_pool().executor
            for _ in range(self.workers):
                executor.submit(os.getpid)

    def waiting(self) -> int:
        """Jobs queued here and not yet handed to a worker."""
        return self._queue.waiting()

    def _forget(self, pool: WorkerPool) -> None:
        """Drop a pool (only if it is still the current one); the next dispatch starts a new one."""
        with self._lock:
            if self._pool is pool:
                self._pool = None

    def _after(self, job_id: int, future: cf.Future, pool: WorkerPool) -> None:
        """Runs in the pool's own thread: hand the follow-up to the follow-up thread and return at once.

        A job that comes back because its pool broke stays on the pool until the pool's processes have ended and
        :meth:`_settle` decides about it; until then no job goes to any pool."""
        broken = not future.cancelled() and isinstance(future.exception(), cf.BrokenExecutor)
        came = pool.came_back(job_id, broken=broken)
        if came in ("first_break", "late"):
            self._queue.hold()
        if came == "first_break":
            log.error("job %s: a grading worker process died; the jobs on its pool are run again once its "
                      "processes have stopped", job_id)
            self._retire(pool, grace_s=self.stop_grace_s)
        elif came == "late":
            self._followups.submit(self._settle, pool, [])
        if came != "back":
            return
        if pool.alone:                  # (a suspect's own pool: its one job is back, its worker is not needed)
            self._followups.submit(pool.executor.shutdown, False)
        self._queue.back(job_id)
        if future.cancelled():          # never started: shut down (queued for the next start), or its pool retired
            if not self._closed:
                self._followups.submit(self._dispatch_held, job_id)
            return
        exc = future.exception()
        if exc is not None:
            log.error("job %s: worker failed: %r", job_id, exc)
        outcome = future.result() if exc is None else None
        if outcome in ("done", "failed"):
            self._queue.clear(job_id)
        self._followups.submit(self._pump)
        if outcome == RETRY:            # an unexpected error, not its last attempt: again in a few seconds
            self._followups.submit(self._dispatch_again_later, job_id)
        elif outcome in ("done", "failed"):     # (not "skipped": whoever has that job ends it and runs its follow-up)
            if outcome == "failed":
                self._followups.submit(self._log_failed, job_id)
            self._followups.submit(self.run_after, job_id)
        elif exc is not None:           # (raised outside the job: a database locked while claiming or recording it)
            self._followups.submit(self._try_again_later, job_id, failed_outside(exc))

    @fails_its_job
    def _dispatch_again_later(self, job_id: int) -> None:
        """Dispatch a job its worker put back in the queue (:data:`RETRY`) again, later each time it is tried."""
        job = self.status(job_id)
        if job is not None and job.state == "queued":
            self._followups.later(self.retry_delay_s * max(1, job.attempts), self._dispatch_held, job_id)

    def _log_failed(self, job_id: int) -> None:
        """Say in this process's log (the workers' own go to their stderr) that a job failed for good, and why: an
        error for a failure of the server, a warning for a reason the job gave (a file that is not a photo). Never
        raises: it is said after the job has been failed, and must not keep its follow-up from running."""
        try:
            job = self.status(job_id)
        except sqlite3.Error as exc:
            log.error("job %s failed for good (its reason could not be read: %s)", job_id, exc)
            return
        if job is not None and job.state == "failed":
            log.log(logging.ERROR if job.error_code in SERVER_FAILURES else logging.WARNING,
                    "job %s (%s) failed for good after %d attempt(s): %s: %s", job_id, job.kind, job.attempts,
                    job.error_code, job.error_en)

    def run_after(self, job_id: int) -> None:
        """The kind's follow-up in this process (it may submit more jobs). Never raises: if the database refuses it
        (locked past its timeout), it is run again later, until it goes through (a batch whose last sheet this was
        would otherwise never be merged, its page never complete); another error is logged with its traceback."""
        self._followups.now(self._run_after_hook, job_id)

    def _run_after_hook(self, job_id: int) -> None:
        """Run the job kind's after-job hook. The hook changes nothing before a step the database may refuse, or
        runs that step with :meth:`now` (a batch's merge, once claimed), so it can be run again from the start."""
        with closing(connect(self.ctx.database)) as conn:
            row = conn.execute("SELECT kind, payload FROM jobs WHERE id=?", (job_id,)).fetchone()
        if row is not None:
            _after_hook(row["kind"])(json.loads(row["payload"]), self)

    def fail_unfinished(self, job_id: int, error: tuple[str, str, str], running: bool = True) -> None:
        """Mark a job its worker did not finish failed with ``error``, its item with it (the failure hook), and run its
        follow-up (:meth:`run_after`: a batch whose last sheet it was is merged): no worker will answer for it.

        A job already finished is left as it is (its worker ran the hook, and its answer the follow-up); so is one
        running, unless ``running`` (not: it may be running in a process that could not be stopped). If the
        failure hook raises (the database locked past its timeout), the item is left marked running and the follow-up
        is not run here: the sweep fails the item with the job's reason, then runs it
        (:func:`grader.web.stranded.fail_left_running`). Either way the follow-up runs once."""
        with closing(connect(self.ctx.database)) as conn:
            row = conn.execute("UPDATE jobs SET state='failed', error_code=?, error_id=?, error_en=?, finished_at=? "
                               "WHERE id=? AND (state='queued' OR state='running' AND ?) RETURNING kind, payload",
                               (*error, now_iso(), job_id, running)).fetchone()
        if row is not None:
            self._queue.clear(job_id)
            _, fail = _resolve(row["kind"])
            fail(json.loads(row["payload"]), self.ctx, *error)
            self._log_failed(job_id)
            self.run_after(job_id)

    def shutdown(self, wait: bool = True) -> None:
        """Stop the pool; queued jobs stay queued in the database and are recovered at the next start."""
        self._closed = True
        self._followups.close()
        with self._lock:
            pools, self._pool, self._alone_pool = (self._pool, self._alone_pool), None, None
        for pool in pools:
            if pool is not None:
                pool.executor.shutdown(wait=wait, cancel_futures=not wait)
        self._followups.shutdown(wait=wait)


def runner() -> JobRunner:
    """The current app's runner."""
    return current_app.extensions["grader.jobs"]


def submit(job_kind: str, payload: dict, *, priority: int = 0, run_alone: bool = False) -> int:
    """Queue a job of ``job_kind`` with a JSON-serialisable ``payload``; returns its id. Lower priority runs first
    (``run_alone``: see :meth:`JobRunner.submit`)."""
    return runner().submit(job_kind, payload, priority=priority, run_alone=run_alone)


def status(job_id: int) -> JobStatus | None:
    """The job's state as stored (``queued``, ``running``, ``done``, ``failed`` and why)."""
    return runner().status(job_id)
