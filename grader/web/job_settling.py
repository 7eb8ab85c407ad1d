"""What becomes of the jobs a worker's death or a restart interrupted: which one is charged an attempt, which run alone.

A worker process that dies (a photo that makes OpenCV segfault, memory exhausted) breaks its pool and takes every
job in flight on it down; once the pool's processes have ended (:mod:`grader.web.job_pools`), :func:`settle_jobs`
sorts what was on it, and :class:`CrashSettling`, a part of :class:`grader.web.jobs.JobRunner`, carries that out.
Only the suspect run alone (in a pool of its own) is charged; any other job running is given its attempt back and
becomes a *suspect*, run alone (:class:`grader.web.job_queue.JobQueue`) until it is finished. Suspects are marked in the database
(``jobs.run_alone``), and so are the jobs a restart finds running: after a restart they still run alone.
"""
from __future__ import annotations

import logging
from contextlib import closing
from dataclasses import dataclass, field

from grader.web.db import connect
from grader.web.job_followups import fails_its_job, refused as database_refused
from grader.web.job_pools import WorkerPool
from grader.web.job_worker import INTERNAL_ERROR, INTERRUPTED, MAX_ATTEMPTS, WORKER_CRASHED

__all__ = ["CrashSettling", "Settlement", "settle_jobs"]
log = logging.getLogger(__name__)


@dataclass
class Settlement:
    """What becomes of the jobs left on a retired pool (:func:`settle_jobs`)."""

    finished: list[int] = field(default_factory=list)       # recorded done or failed; their answer was lost with it
    crashed_alone: list[int] = field(default_factory=list)  # running alone (a suspect) when a worker died
    suspects: list[int] = field(default_factory=list)       # running otherwise when a worker died
    again: list[int] = field(default_factory=list)          # not started
    charged: list[int] = field(default_factory=list)        # not started, and the pool broke with no job running
    refused: list[int] = field(default_factory=list)        # the pool could not take them
    left: list[int] = field(default_factory=list)           # running in a process that could not be stopped


def settle_jobs(states: dict[int, str], *, jobs: list[int], refused: list[int], broke: bool, stuck: list[int],
                alone: int | None) -> Settlement:
    """Sort the jobs left on a retired pool, now that its processes have ended, by their ``states`` in the database.

    - Finished: the worker recorded it (its answer was lost with the pool); only its follow-up is left.
    - Running when the pool broke as the suspect run ``alone`` (``crashed_alone``), in a pool of its own of one
      worker (:func:`grader.web.job_pools.start_pool`): the worker that died was its own, so it killed it. The attempt
      counts; it is tried again, alone, and failed (``worker_crashed``) once it has had its attempts.
    - Running otherwise (``suspects``): beside others, any of them may have killed it; even the one job running
      may not have, as the process that died may have been an idle worker (the OOM killer's choice). None is charged
      (the attempt is given back); each is run again alone, one at a time, until it is finished. A suspect that
      kills its worker then is the one running alone, and charged. Each run alone costs an attempt or finishes the
      job, so this ends.
    - Not started (``again``): dispatched again as it was, without a charge; but when the pool broke with no job
      running (a worker could not even start), each is ``charged`` an attempt, so a pool that cannot start ends too.
    - One the pool could not take (``refused``): it costs an attempt.
    - Running in a process that could not be stopped (``stuck``), even killed: ``left`` as it is, for the next start
      (a sheet is never graded by two processes at once).
    """
    out = Settlement()
    running = [j for j in (*jobs, *refused) if states.get(j) == "running"]
    for job_id in (*jobs, *refused):
        state = states.get(job_id)
        if state in ("done", "failed"):
            out.finished.append(job_id)
        elif state == "running":
            (out.left if stuck else out.crashed_alone if job_id == alone else out.suspects).append(job_id)
        elif state != "queued":
            continue                    # (no such job)
        elif job_id in refused:
            out.refused.append(job_id)
        elif broke and not running:
            out.charged.append(job_id)
        else:
            out.again.append(job_id)
    return out


class CrashSettling:
    """The part of :class:`grader.web.jobs.JobRunner` that settles a retired pool's jobs and recovers a restart's.

    It uses the runner's ``ctx``, ``retry_delay_s``, ``_queue``, ``_closed``, ``_followups``, ``_dispatch_held``,
    ``_pump``, ``_try_again_later``, ``fail_unfinished``, ``_answer_lost`` and ``now``. Each job's step that may meet
    the database locked is run with ``_followups.now``: tried again later on its own, never dropped, nor keeping the
    other jobs waiting (:mod:`grader.web.job_followups`)."""

    def _settle(self, pool: WorkerPool, stuck: list[int]) -> None:
        """Decide what becomes of the jobs left on a retired pool (:func:`settle_jobs`), now that its processes have
        ended; then let the queue go on."""
        jobs, refused, ends_hold = pool.take_left()
        alone = self._queue.running_alone()         # (before it is back)
        self._queue.back(*jobs)
        try:
            if not self._closed and (jobs or refused):
                self._followups.now(self._carry_out, jobs, refused, pool.broke, stuck, alone)
        finally:
            if ends_hold:
                self._queue.release()
            self._pump()

    def _carry_out(self, jobs: list[int], refused: list[int], broke: bool, stuck: list[int],
                   alone: int | None) -> None:
        """Read the jobs' states and give the suspects their attempt back (one write: if the database refuses it or
        the read, nothing has changed, and this runs again later), then pass each job on.

        Another error before the jobs are passed on (a bug; memory short) would come again, and nothing else holds
        them: each is failed for good, as a failure of the server, with its sheet (:meth:`_fail_unsettled`), rather
        than left queued or running with nothing to run it, its sheet "being graded" until a restart."""
        try:
            to, rows = self._sort_left(jobs, refused, broke, stuck, alone)
        except Exception as exc:
            if database_refused(exc):
                raise
            self._fail_unsettled(jobs + refused, stuck, exc)
            return
        if to.left:
            log.error("job(s) %s were running in grading worker process(es) %s that could not be stopped; they are "
                      "left running, for the next start", ", ".join(map(str, to.left)), ", ".join(map(str, stuck)))
        for job_id in to.finished:
            self._answer_lost(job_id)
        for job_id in to.crashed_alone:
            self._followups.now(self._crashed_alone, job_id)
        for job_id in to.suspects:
            beside = ", ".join(str(j) for j in to.suspects if j != job_id)
            log.warning("job %s (%s) was running %s when a grading worker process died: not counted as an attempt; it "
                        "is run again alone, to find the job that stops its worker", job_id, rows[job_id]["kind"],
                        f"beside job(s) {beside}" if beside else "not alone (the worker that died may have been idle)")
            self._queue.suspect(job_id)
            self._followups.now(self._dispatch_held, job_id)
        for job_id in to.again:
            self._followups.now(self._dispatch_held, job_id)
        for job_id in to.charged:
            log.warning("job %s (%s) had not started when its grading worker pool broke with no job running (a "
                        "worker could not start?): counted as an attempt", job_id, rows[job_id]["kind"])
            self._followups.now(self._try_again_later, job_id, WORKER_CRASHED)
        for job_id in to.refused:
            self._followups.now(self._try_again_later, job_id, INTERNAL_ERROR)

    def _sort_left(self, jobs: list[int], refused: list[int], broke: bool, stuck: list[int],
                   alone: int | None) -> tuple[Settlement, dict]:
        """:func:`settle_jobs` on the jobs' states as stored, the suspects given their attempt back (the one write);
        returns that and the jobs' rows (``id``, ``kind``, ``state``)."""
        with closing(connect(self.ctx.database)) as conn:
            rows = {r["id"]: r for r in conn.execute(
                f"SELECT id, kind, state FROM jobs WHERE id IN ({','.join('?' * len(jobs + refused))})",
                (*jobs, *refused))}
            to = settle_jobs({j: r["state"] for j, r in rows.items()}, jobs=jobs, refused=refused, broke=broke,
                             stuck=stuck, alone=alone)
            if to.suspects:
                conn.execute(f"UPDATE jobs SET state='queued', attempts=MAX(attempts - 1, 0), run_alone=1 WHERE id IN "
                             f"({','.join('?' * len(to.suspects))}) AND state='running'", to.suspects)
        return to, rows

    def _fail_unsettled(self, jobs: list[int], stuck: list[int], exc: Exception) -> None:
        """The jobs left on a retired pool could not be sorted (``exc``, not the database refusing): fail each for
        good, as a failure of the server (``internal_error``), its sheet with it (photos kept, "Coba proses lagi"),
        and its follow-up run (:meth:`fail_unfinished`). A job finished meanwhile is left as it is; so is one running
        when a process of the pool could not be stopped (``stuck``: it may still write), for the next start."""
        log.error("the job(s) %s left on a retired grading worker pool could not be settled (%r); they are failed, as "
                  "a failure of the server (their photos are kept)%s", ", ".join(map(str, jobs)), exc,
                  "; one running is left, for the next start: a process of the pool could not be stopped"
                  if stuck else "", exc_info=exc)
        for job_id in jobs:
            self._followups.now(self.fail_unfinished, job_id, INTERNAL_ERROR, not stuck)

    @fails_its_job
    def _crashed_alone(self, job_id: int) -> None:
        """``job_id`` was running alone when its worker process died: the attempt counts. It is tried again alone a
        little later, or failed once it has had :data:`MAX_ATTEMPTS`."""
        with closing(connect(self.ctx.database)) as conn:
            row = conn.execute("UPDATE jobs SET state='queued', run_alone=1 WHERE id=? AND state='running' AND "
                               "attempts < ? RETURNING kind, attempts", (job_id, MAX_ATTEMPTS)).fetchone()
        if row is None:
            self._followups.now(self.fail_unfinished, job_id, WORKER_CRASHED)
            return
        log.warning("job %s (%s) stopped its grading worker process while running alone (attempt %d of %d); it is "
                    "tried again alone", job_id, row["kind"], row["attempts"], MAX_ATTEMPTS)
        self._queue.suspect(job_id)
        self._followups.later(self.retry_delay_s * row["attempts"], self._dispatch_held, job_id)

    def recover(self) -> tuple[int, int] | None:
        """After a restart: re-queue interrupted jobs (or fail them after MAX_ATTEMPTS) and dispatch the queue.

        The attempt an interrupted job was on counts. It runs alone from now on (``jobs.run_alone``), as do the
        suspects of the last run: the server may have died with the worker it ran in (a service manager stopping the
        whole service when the OOM killer strikes one of its processes), before it could see the pool break. A job
        failed here has its follow-up run (a batch whose last sheet it was is merged).

        If the database refuses it for now (locked at start-up past its timeout), the runner tries again later, until
        it goes through (:meth:`_recover_later`), rather than leave those jobs to the next start; the start goes on.
        Meanwhile no job goes to a worker: a job sent in the meantime, running when it went through, would be taken
        for one the restart interrupted, and run twice at once.

        Returns ``(dispatched, failed)``, or None when it is left to the runner's retry.
        """
        try:
            interrupted = self._requeue_interrupted()
        except Exception as exc:
            if not database_refused(exc):
                raise
            log.warning("the jobs a restart interrupted could not be queued again: the database refused it (%s); the "
                        "job runner tries again in %.1f s, and sends no job to a worker until then", exc,
                        self.retry_delay_s)
            self._queue.hold()
            self._followups.later(self.retry_delay_s, self._recover_later)
            return None
        return self._take_up(*interrupted)

    def _recover_later(self) -> None:
        """:meth:`recover`, tried again as a follow-up (the database refusing it again: later again), then the queue
        let go. Another error is raised, to be logged, and lets the queue go all the same: the jobs it left are the
        next start's, as they would have been; the others must not wait for good."""
        try:
            interrupted = self._requeue_interrupted()
        except Exception as exc:
            if not database_refused(exc):
                self._queue.release()
                self._pump()
            raise
        self._queue.release()
        self._take_up(*interrupted)

    def _requeue_interrupted(self) -> tuple[list[int], list]:
        """In one transaction, so that it changes all or nothing (run again, it must not take a job sent to a worker
        since for an interrupted one): queue again the jobs left ``running`` with attempts left, marked to run alone;
        return those past their attempts (to fail) and every queued job (``id``, ``run_alone``, ``priority``)."""
        with closing(connect(self.ctx.database)) as conn:
            try:
                conn.execute("BEGIN IMMEDIATE")
                stuck = conn.execute("SELECT id, attempts FROM jobs WHERE state='running'").fetchall()
                conn.executemany("UPDATE jobs SET state='queued', run_alone=1 WHERE id=? AND state='running'",
                                 [(r["id"],) for r in stuck if r["attempts"] < MAX_ATTEMPTS])
                queued = conn.execute("SELECT id, run_alone, priority FROM jobs WHERE state='queued' "
                                      "ORDER BY id").fetchall()
                conn.execute("COMMIT")
            finally:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
        return [r["id"] for r in stuck if r["attempts"] >= MAX_ATTEMPTS], queued

    def _take_up(self, give_up: list[int], queued: list) -> tuple[int, int]:
        """Fail the interrupted jobs past their attempts and dispatch the queued ones. Nothing here raises (each
        failure is tried again on its own; a dispatch given its priority reads nothing, and one that fails otherwise
        fails its job, :meth:`_dispatch_held`): :meth:`_requeue_interrupted` must not run again once it has gone
        through (it would take the jobs sent to a worker since for interrupted ones, and run them twice at once)."""
        for job_id in give_up:
            self._followups.now(self.fail_unfinished, job_id, INTERRUPTED)
        for row in queued:
            if row["run_alone"]:
                self._queue.suspect(row["id"])
            self._followups.now(self._dispatch_held, row["id"], row["priority"])
        if give_up or queued:
            log.warning("recovered jobs: %d re-dispatched (%d to run alone), %d marked failed", len(queued),
                        sum(row["run_alone"] for row in queued), len(give_up))
        return len(queued), len(give_up)
