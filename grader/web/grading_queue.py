"""Queueing a stored sheet's ``grade`` job: a trainee waiting at the result page before a trainer's batch; an
upload held for its exercise code, and released to be graded."""
from __future__ import annotations

import logging
import sqlite3

from grader.errors import GraderError
from grader.web.db import immediate, now_iso

log = logging.getLogger(__name__)

TRAINEE_PRIORITY, BATCH_PRIORITY = 0, 1


def priority_of(row) -> int:
    """The priority a sheet's own request gives its grading (``row``'s ``source`` and ``retake_of``): a trainee's
    sending, or a retake sent from a trainee's page, before a trainer's batch."""
    return TRAINEE_PRIORITY if row["source"] == "trainee" or row["retake_of"] is not None else BATCH_PRIORITY


#: Why a trainee's sheet is held for its exercise code after its QR gave no answer key (:func:`no_key_error`).
SHEET_CODE_HOLDS = ("sheet_exercise_unknown", "sheet_exercise_unread")


def no_key_error(sheet_code: str | None) -> GraderError:
    """Why a trainee's sheet waits for its exercise code: its QR named ``sheet_code``, unknown here, or nothing."""
    if sheet_code:
        # (no code the trainee can type fixes this: the sheet can only be graded against its own exercise, or under
        # another one by a trainer, from the sheet's page. So the trainee is sent to the trainer, not round the form)
        return GraderError(SHEET_CODE_HOLDS[0], f"This sheet is printed for exercise {sheet_code}, which this server "
                           f"does not have. Ask your trainer: once they add exercise {sheet_code}, type {sheet_code} "
                           "here; or they can grade the sheet under another exercise.",
                           f"Lembar ini dicetak untuk latihan {sheet_code}, yang tidak ada di server ini. Tanyakan "
                           f"kepada pelatih Anda: setelah latihan {sheet_code} ditambahkan, ketik {sheet_code} di sini; "
                           f"atau pelatih dapat menilai lembar ini dengan latihan lain.")
    return GraderError(SHEET_CODE_HOLDS[1], "The exercise code could not be read from the sheet. Type the "
                       "exercise code given with the exercise, then grade the sheet.",
                       "Kode latihan tidak terbaca dari lembar. Ketik kode latihan yang tertera pada soal, lalu "
                       "nilai lembar ini.")


def hold_for_code(conn: sqlite3.Connection, sid: int, why: GraderError, *, printed: str | None = None) -> None:
    """Hold a trainee's upload for its exercise code, saying ``why`` (:func:`release_held` lets it go): a code that
    names no exercise, a sheet printed for another, or no answer key found from its QR (:func:`no_key_error`).
    ``printed``: the code its sheet's QR names, which the trainer's page offers first."""
    conn.execute("UPDATE submissions SET state='held', error_code=?, error_id=?, error_en=?, printed_code=?, "
                 "updated_at=? WHERE id=?", (why.code, why.message_id, why.message, printed, now_iso(), sid))


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
                  runner=None, run_alone: bool = False) -> int | None:
    """Queue the ``grade`` job for a stored submission marked ``queued``, and link it; the job's id, or None.

    A trainee waiting at the result page goes before a trainer's batch (``BATCH_PRIORITY``). ``runner`` is the
    job runner when there is no app context (the merge step runs after a job, in the runner's thread).
    ``run_alone``: its photos killed a worker before (:meth:`grader.web.jobs.JobRunner.submit`). A caller that gives
    a priority other than its sheet's source would (a trainer's request for a trainee's sheet) marks it queued with
    it (``submissions.queue_priority``), for the sweep should the job not be made here; linked, it is cleared.

    The job is recorded and linked in one transaction, and only for a sheet still ``queued`` with no job waiting or
    running: a job recorded but not linked would wait in the database with nothing to dispatch it, and a sheet queued
    twice (a request and :mod:`grader.web.stranded`'s sweep) would be graded twice. None: the sheet needs no job
    (removed meanwhile, or its job is waiting), or recording it failed (a database locked past its timeout). That
    error is logged, not raised: the sheet is stored and marked queued, and the sweep queues it shortly, so its
    sender is shown its page waiting rather than an error that would have them send the photos again.
    """
    from grader.web import jobs

    runner = runner if runner is not None else jobs.runner()
    try:
        with immediate(conn):
            row = conn.execute("SELECT s.state, j.state AS job_state FROM submissions s "
                               "LEFT JOIN jobs j ON j.id = s.job_id WHERE s.id=?", (submission_id,)).fetchone()
            if row is None or row["state"] != "queued" or row["job_state"] in ("queued", "running"):
                return None
            job_id = runner.record(conn, "grade", {"submission_id": submission_id}, priority=priority,
                                   run_alone=run_alone)
            conn.execute("UPDATE submissions SET job_id=?, queue_priority=NULL WHERE id=?", (job_id, submission_id))
    except Exception:  # noqa: BLE001 - logged; the sheet stays queued for the sweep (grader.web.stranded)
        log.exception("sheet %s is stored but its grading job could not be recorded; the job runner's sweep for "
                      "sheets without a job queues it", submission_id)
        return None
    runner.enqueue(job_id, priority, run_alone=run_alone)
    return job_id
