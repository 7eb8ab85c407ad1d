"""A sheet whose stored corrections or disputes are not all in its stored result, regraded with them: at start, for
what a crash left (:func:`grader.web.review_actions.settle_stored_reviews`), and at once, by the job runner, after a
regrade that failed without a crash (:func:`regrade_later`), so that what a trainer or a trainee sent counts as soon
as the server can, not at the next start."""
from __future__ import annotations

import json
import logging
import sqlite3

from grader.web.corrections import corrections_for, disputes_for, open_disputes
from grader.web.grading import load_exercise_key
from grader.web.job_followups import MAX_WAIT_S
from grader.web.job_worker import JobContext

__all__ = ["REGRADE_TRIES", "regrade_later", "settle_sheet"]
log = logging.getLogger(__name__)

#: times the job runner tries again to regrade a sheet whose regrade failed after a correction or a dispute was
#: stored, ``retry_delay_s`` apart and doubling (at most :data:`~grader.web.job_followups.MAX_WAIT_S`; about two
#: minutes in all); then it is left to the sheet's next regrade or the next start, which apply it all the same
REGRADE_TRIES = 6


def settle_sheet(conn: sqlite3.Connection, submission_id: int, ctx: JobContext, *, why: str) -> bool:
    """Regrade the graded sheet ``submission_id`` if its stored result lacks a correction or an open dispute stored
    for it (logged, with ``why`` it does); True if it did. A sheet not graded (any more: removed, replaced, being
    graded again, failed) is left to what comes of it (a grading applies them all)."""
    from grader.web.review_actions import _regrade_stored

    sub = conn.execute("SELECT * FROM submissions WHERE id=? AND state='done' AND result IS NOT NULL AND "
                       "superseded_by IS NULL", (submission_id,)).fetchone()
    if sub is None:
        return False
    result = json.loads(sub["result"])
    fields = {f.get("id"): f for f in result.get("fields", [])}
    corrections = corrections_for(conn, sub["id"])
    disputes = open_disputes(disputes_for(conn, sub["id"]), corrections)
    # (the value too: two corrections of one field by one trainer within a second share who and when)
    if all(f not in fields or (fields[f].get("value"), fields[f].get("corrected_by"),
                               fields[f].get("corrected_at")) == (v, by, at)
           for f, (v, by, at) in corrections.items()) and \
            all(f not in fields or fields[f].get("disputed_at") == at for f, (_, at) in disputes.items()):
        return False
    key = load_exercise_key(result.get("exercise") or sub["exercise"], ctx.data_dir)
    if key is None:
        return False
    log.warning("sheet %s: %s; regrading it", submission_id, why)
    _regrade_stored(conn, sub, key, ctx.pipeline, ctx.data_dir)
    return True


def regrade_later(runner, submission_id: int) -> None:
    """Have the job runner regrade sheet ``submission_id`` with its stored corrections and disputes a moment from now
    (its regrade just failed: a database locked past its timeout, a bug), and again, a little later each time, until
    it goes through or :data:`REGRADE_TRIES` tries failed (logged; its next regrade or the next start applies them)."""
    runner.later(runner.retry_delay_s, _try_again, runner, submission_id, 1)


def _try_again(runner, submission_id: int, tries: int) -> None:
    from grader.web.db import connect

    try:
        conn = connect(runner.ctx.database)
        try:
            settle_sheet(conn, submission_id, runner.ctx, why=f"its regrade with a correction or dispute just stored "
                                                              f"failed (try {tries} of {REGRADE_TRIES})")
        finally:
            conn.close()
    except Exception:  # noqa: BLE001 - tried again, then left to the next regrade or start
        if tries >= REGRADE_TRIES:
            log.exception("sheet %s: regrading it with its stored corrections and disputes failed %d times; its "
                          "score lacks them until its next regrade or the next start", submission_id, tries)
            return
        wait_s = min(runner.retry_delay_s * 2 ** tries, MAX_WAIT_S)
        log.warning("sheet %s: regrading it with its stored corrections and disputes failed (try %d of %d); tried "
                    "again in %.1f s", submission_id, tries, REGRADE_TRIES, wait_s, exc_info=True)
        runner.later(wait_s, _try_again, runner, submission_id, tries + 1)
