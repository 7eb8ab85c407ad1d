"""Sheets marked ``queued`` with no job to grade them: queued as their caller would have queued them.

A sheet is marked ``queued`` (stored, released from its held code, graded again, moved to another exercise), then
its ``grade`` job is recorded (:func:`grader.web.grading_queue.queue_grading`). Those are two commits, made by every
caller; an error between them (a database locked past its timeout, a bug) or a crash leaves the sheet waiting with
no job. Folding each caller's claim into the job's transaction would mean reworking every caller (and each new one
could open the gap again); one sweep closes it for all of them: the start's recovery once
(:func:`grader.web.page_merge.merge_finished_batches`), and the job runner every ``JOBS_SWEEP_S`` seconds
(:func:`watch`), so a sheet is not left waiting until the next start. Either queues a sheet as its caller would
have: a trainee's (or a retake, sent from a trainee's page) before the batches, and one whose last job killed its
worker (``worker_crashed``) alone, as :func:`grader.web.grade_again.grade_failed_again` does. (The sheet does not
say who asked: a trainer's "grade again" of a trainee's sheet, which its request queues with the batches, goes
before them here.)
"""
from __future__ import annotations

import logging
from contextlib import closing

from grader.web.db import ago_iso, connect
from grader.web.grading_queue import BATCH_PRIORITY, TRAINEE_PRIORITY, queue_grading
from grader.web.job_worker import WORKER_CRASHED

__all__ = ["STRANDED_AFTER_S", "SWEEP_EVERY_S", "queue_stranded", "watch"]
log = logging.getLogger(__name__)

#: seconds between the running server's sweeps: one indexed query, cheap; a stranded trainee waits at most this
#: (plus :data:`STRANDED_AFTER_S`) for grading to start
SWEEP_EVERY_S = 30.0
#: a sheet marked queued this recently may still be queued by its own request, which may wait out a lock
#: (``db.BUSY_TIMEOUT_MS``, 30 s) between its two commits: the sweep leaves it to it, with the priority it chose
STRANDED_AFTER_S = 60.0


def queue_stranded(runner, *, older_than_s: float = STRANDED_AFTER_S) -> int:
    """Queue every sheet marked ``queued`` at least ``older_than_s`` seconds ago whose job is missing or finished;
    returns how many were queued. (The start's recovery passes 0: every request waits for it, so none is between
    its two commits.)"""
    cutoff = ago_iso(older_than_s)
    with closing(connect(runner.ctx.database)) as conn:
        rows = conn.execute(
            "SELECT s.id, s.source, s.retake_of, j.error_code AS last_error FROM submissions s "
            "LEFT JOIN jobs j ON j.id = s.job_id WHERE s.state = 'queued' AND s.updated_at <= ? "
            "AND (s.job_id IS NULL OR j.state IN ('done', 'failed')) ORDER BY s.id", (cutoff,)).fetchall()
        queued = 0
        for row in rows:
            trainee = row["source"] == "trainee" or row["retake_of"] is not None
            alone = row["last_error"] == WORKER_CRASHED[0]
            # (queue_grading checks again, in its transaction: a request or another sweep may have queued it since)
            if queue_grading(conn, row["id"], priority=TRAINEE_PRIORITY if trainee else BATCH_PRIORITY,
                             runner=runner, run_alone=alone) is not None:
                queued += 1
                log.warning("sheet %s was marked queued but had no grading job; queued now%s", row["id"],
                            " (alone: its last job killed its worker)" if alone else "")
    return queued


def watch(runner, *, every_s: float = SWEEP_EVERY_S, older_than_s: float = STRANDED_AFTER_S) -> None:
    """Have ``runner`` run :func:`queue_stranded` every ``every_s`` seconds until it is shut down. Not inline (tests):
    there a job runs in its caller's thread, and a sweep would grade behind the test's back."""
    if runner.mode != "inline":
        runner.every(every_s, lambda: queue_stranded(runner, older_than_s=older_than_s))
