"""Queueing a stored sheet's ``grade`` job: a trainee waiting at the result page before a trainer's batch; an
upload held for its exercise code, released to be graded."""
from __future__ import annotations

import sqlite3

from grader.web.db import now_iso

TRAINEE_PRIORITY, BATCH_PRIORITY = 0, 1


def release_held(conn: sqlite3.Connection, submission_id: int, exercise: str | None) -> bool:
    """Grade an upload held for its exercise code under ``exercise`` (None: the sheet's QR decides); False when it
    is no longer held (a second tap, or the other side released it first), or a later sending of its form, with the
    code corrected, replaced it (:mod:`grader.web.resent`: that one is graded, not this one a second time)."""
    claimed = conn.execute("UPDATE submissions SET state='queued', exercise=?, error_code=NULL, error_id=NULL, "
                           "error_en=NULL, updated_at=? WHERE id=? AND state='held' AND superseded_by IS NULL "
                           "RETURNING id",
                           (exercise, now_iso(), submission_id)).fetchone()
    if claimed:
        queue_grading(conn, submission_id)
    return claimed is not None


def queue_grading(conn: sqlite3.Connection, submission_id: int, *, priority: int = TRAINEE_PRIORITY,
                  runner=None, run_alone: bool = False) -> int:
    """Queue the ``grade`` job for a stored submission and link it.

    A trainee waiting at the result page goes before a trainer's batch (``BATCH_PRIORITY``). ``runner`` is the
    job runner when there is no app context (the merge step runs after a job, in the runner's thread).
    ``run_alone``: its photos killed a worker before (:meth:`grader.web.jobs.JobRunner.submit`).
    """
    from grader.web import jobs

    def link(job_id: int) -> None:
        conn.execute("UPDATE submissions SET job_id=? WHERE id=?", (job_id, submission_id))

    submit = runner.submit if runner is not None else jobs.submit
    return submit("grade", {"submission_id": submission_id}, priority=priority, on_queued=link, run_alone=run_alone)
