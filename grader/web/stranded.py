"""Sheets waiting on a grading job that is not coming: queued as their caller would have queued them, or failed as
their job was.

A sheet is marked ``queued`` (stored, released from its held code, graded again, moved to another exercise), then
its ``grade`` job is recorded (:func:`grader.web.grading_queue.queue_grading`). Those are two commits, made by every
caller; an error between them (a database locked past its timeout, a bug) or a crash leaves the sheet waiting with
no job. Folding each caller's claim into the job's transaction would mean reworking every caller (and each new one
could open the gap again); one sweep closes it for all of them: the start's recovery once
(:func:`grader.web.page_merge.merge_finished_batches`), and the job runner every ``JOBS_SWEEP_S`` seconds
(:func:`watch`), so a sheet is not left waiting until the next start. Either queues a sheet as its caller would
have: a trainee's (or a retake, sent from a trainee's page) before the batches, and one whose last job killed its
worker (``worker_crashed``) alone, as :func:`grader.web.grade_again.grade_failed_again` does; a request that chose
another priority than the sheet's source gives (a trainer's "grade again" of a trainee's sheet: with the batches)
marked the sheet with it (``submissions.queue_priority``).

A sheet is also left waiting when its job failed for good but its failure hook could not mark it failed (the database
locked past its timeout, in the worker and again in the runner): it stays marked ``running``, which nothing else looks
at, not even a restart. The sweep gives it its job's reason, as the hook would have (:func:`fail_left_running`).
"""
from __future__ import annotations

import logging
from contextlib import closing

from grader.web.db import ago_iso, connect, now_iso
from grader.web.grading_queue import priority_of, queue_grading
from grader.web.job_worker import WORKER_CRASHED

__all__ = ["STRANDED_AFTER_S", "SWEEP_EVERY_S", "fail_left_running", "queue_stranded", "watch"]
log = logging.getLogger(__name__)

#: seconds between the running server's sweeps: one indexed query, cheap; a stranded trainee waits at most this
#: (plus :data:`STRANDED_AFTER_S`) for grading to start
SWEEP_EVERY_S = 30.0
#: a sheet marked queued this recently may still be queued by its own request, which may wait out a lock
#: (``db.BUSY_TIMEOUT_MS``, 30 s) between its two commits: the sweep leaves it to it, with the priority it chose
STRANDED_AFTER_S = 60.0


def queue_stranded(runner, *, older_than_s: float = STRANDED_AFTER_S) -> int:
    """Queue every sheet marked ``queued`` at least ``older_than_s`` seconds ago whose job is missing or finished, and
    fail every sheet left ``running`` by a job failed as long ago (:func:`fail_left_running`); returns how many were
    queued. (The start's recovery passes 0: every request waits for it, so none is between its two commits.)"""
    cutoff = ago_iso(older_than_s)
    with closing(connect(runner.ctx.database)) as conn:
        failed = fail_left_running(conn, cutoff)
        rows = conn.execute(
            "SELECT s.id, s.source, s.retake_of, s.queue_priority, j.error_code AS last_error FROM submissions s "
            "LEFT JOIN jobs j ON j.id = s.job_id WHERE s.state = 'queued' AND s.updated_at <= ? "
            "AND (s.job_id IS NULL OR j.state IN ('done', 'failed')) ORDER BY s.id", (cutoff,)).fetchall()
        queued = 0
        for row in rows:
            priority = row["queue_priority"] if row["queue_priority"] is not None else priority_of(row)
            alone = row["last_error"] == WORKER_CRASHED[0]
            # (queue_grading checks again, in its transaction: a request or another sweep may have queued it since)
            if queue_grading(conn, row["id"], priority=priority, runner=runner, run_alone=alone) is not None:
                queued += 1
                log.warning("sheet %s was marked queued but had no grading job; queued now%s", row["id"],
                            " (alone: its last job killed its worker)" if alone else "")
    for job_id in failed:
        runner.run_after(job_id)        # (its batch, if this was its last sheet graded, is merged)
    return queued


def fail_left_running(conn, cutoff: str) -> list[int]:
    """Mark failed, with their job's reason, the sheets still ``running`` whose job failed for good before ``cutoff``
    (a time as :func:`grader.web.db.now_iso` writes it); returns those jobs' ids.

    Not queued again: the job has had its attempts, or gave a reason that would come again. Failed, its page says
    why and, for a failure of the server, offers to grade it again (:mod:`grader.web.grade_again`), within that
    limit. A sheet whose job is queued or running is left to it."""
    rows = conn.execute(
        "UPDATE submissions SET state='failed', (error_code, error_id, error_en) = (SELECT error_code, error_id, "
        "error_en FROM jobs j WHERE j.id = submissions.job_id), updated_at=? WHERE state='running' AND job_id IN "
        "(SELECT id FROM jobs WHERE state='failed' AND finished_at <= ?) RETURNING id, job_id, error_code",
        (now_iso(), cutoff)).fetchall()
    for row in rows:
        log.warning("sheet %s was left marked running though its grading job %s failed; failed now (%s)", row["id"],
                    row["job_id"], row["error_code"])
    return [row["job_id"] for row in rows]


def watch(runner, *, every_s: float = SWEEP_EVERY_S, older_than_s: float = STRANDED_AFTER_S) -> None:
    """Have ``runner`` run :func:`queue_stranded` every ``every_s`` seconds until it is shut down. Not inline (tests):
    there a job runs in its caller's thread, and a sweep would grade behind the test's back."""
    if runner.mode != "inline":
        runner.every(every_s, lambda: queue_stranded(runner, older_than_s=older_than_s))
