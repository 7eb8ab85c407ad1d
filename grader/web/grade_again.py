"""A sheet the server failed on, graded again from its stored photos: by a trainer at any time, by its trainee a few
times.

The job runner tries a grading job :data:`~grader.web.job_worker.MAX_ATTEMPTS` times, then leaves its sheet failed
with the reason (README, "What happens to an upload"). A trainer's "grade again" (``POST /trainer/lembar/<id>/
nilai-ulang``) and the trainee's "Coba proses lagi" (``POST /hasil/<token>/nilai-ulang``) both queue it here, as a
new job with attempts of its own. The trainee's is limited, so that a page left open cannot keep a photo that kills
its worker in the class's queue: only a failure of the server (:data:`~grader.web.job_worker.SERVER_FAILURES`; a
reason the photo gave, a file that is not a photo or is missing from the disk, grading too long, would come again,
and a photo refused as blurry is a result, with its retake), at most :data:`TRAINEE_RETRIES` times per sheet (then
the page says to ask the trainer), and not on a sheet a later sending of its form replaced.
"""
from __future__ import annotations

import logging
import sqlite3

from grader.web.db import now_iso
from grader.web.grading_queue import BATCH_PRIORITY, TRAINEE_PRIORITY, queue_grading
from grader.web.job_worker import SERVER_FAILURES, WORKER_CRASHED

__all__ = ["TRAINEE_RETRIES", "grade_failed_again", "trainee_retry"]
log = logging.getLogger(__name__)

#: times a trainee may have a sheet the server failed on graded again; then a trainer decides
TRAINEE_RETRIES = 2


def trainee_retry(row: sqlite3.Row) -> str | None:
    """What a sheet's trainee may do about its failure: ``"offer"`` (grade it again), ``"used_up"`` (tried
    :data:`TRAINEE_RETRIES` times: ask the trainer), or None (not failed, failed for a reason of the photo's, or
    replaced by a later sending). :func:`grade_failed_again` checks the same, in the update that claims the sheet."""
    if row["state"] != "failed" or row["error_code"] not in SERVER_FAILURES or row["superseded_by"] is not None:
        return None
    return "offer" if row["trainee_retries"] < TRAINEE_RETRIES else "used_up"


def grade_failed_again(conn: sqlite3.Connection, submission_id: int, *, by_trainee: bool = False) -> bool:
    """Queue a failed sheet's grading again; False when it is not one to queue: not failed (any more: a second tap,
    or the other side queued it first), or, asked ``by_trainee``, not one :func:`trainee_retry` offers.

    A trainee waits at the page, so their sheet goes before a batch; a trainer's goes with the batches, also when
    the sweep queues it (``submissions.queue_priority``)."""
    limits, args = "", ()
    if by_trainee:
        codes = sorted(SERVER_FAILURES)
        limits = (f" AND error_code IN ({','.join('?' * len(codes))}) AND trainee_retries < ? "
                  f"AND superseded_by IS NULL")
        args = (*codes, TRAINEE_RETRIES)
    priority = TRAINEE_PRIORITY if by_trainee else BATCH_PRIORITY
    before = conn.execute("SELECT error_code FROM submissions WHERE id=?", (submission_id,)).fetchone()
    claimed = conn.execute("UPDATE submissions SET state='queued', error_code=NULL, error_id=NULL, error_en=NULL, "
                           "trainee_retries=trainee_retries+?, queue_priority=?, updated_at=? WHERE id=? AND "
                           "state='failed'" + limits + " RETURNING trainee_retries, batch_id",
                           (int(by_trainee), priority, now_iso(), submission_id, *args)).fetchone()
    if claimed is None:
        return False
    if claimed["batch_id"] is not None:
        # once graded, its batch's pages are put together again (:func:`grader.web.page_merge.merge_batch`): the merge
        # ran without it, a page failed then, and it stayed a page alone, blind to its trainee's other page and to
        # the note that its file name's other photo is in a classmate's sheet (rehearsal helper-192)
        conn.execute("UPDATE batches SET merged=0 WHERE id=?", (claimed["batch_id"],))
    if by_trainee:
        log.info("sheet %s failed (%s) and is graded again at its trainee's request (%d of %d allowed)",
                 submission_id, before["error_code"], claimed["trainee_retries"], TRAINEE_RETRIES)
    else:
        log.info("sheet %s failed (%s) and is graded again at a trainer's request", submission_id,
                 before["error_code"])
    # (a photo that killed its worker runs alone from the start: its neighbours are not thrown out with it again)
    queue_grading(conn, submission_id, priority=priority, run_alone=before["error_code"] == WORKER_CRASHED[0])
    return True
