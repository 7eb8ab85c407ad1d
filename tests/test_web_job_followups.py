"""What the job runner does itself when a worker has not finished a job: a job it fails for good has its kind's
follow-up (a batch's merge), once; a job it could not send on because the database was locked is sent on later."""
import concurrent.futures.process as cfp
import io
import sqlite3
import threading
import time

import pytest

import grader.web.db as db
import grader.web.grading as grading
import grader.web.job_worker as job_worker
import grader.web.testing as fake
from grader.web.db import connect
from grader.web.job_followups import Followups
from grader.web.jobs import MAX_ATTEMPTS, JobRunner
from grader.web.testing import csrf_of, jpeg_bytes, log_in, make_test_app
from test_web_job_pools import context
from test_web_jobs import stored, wait_for, wait_for_job


def batch_of(client, code, names):
    """Send ``names`` (one photo each, one sheet each) as a trainer's batch; returns the batch page's address."""
    log_in(client)
    token = csrf_of(client, f"/trainer/latihan/{code}")
    photos = [(io.BytesIO(jpeg_bytes(color=f"#{i:x}{i:x}{i:x}")), name) for i, name in enumerate(names, start=1)]
    return client.post(f"/trainer/latihan/{code}/batch", data={"csrf_token": token, "photos": photos},
                       content_type="multipart/form-data").location


def sheet_of_job(conn, job_id) -> str:
    return conn.execute("SELECT u.filename FROM jobs j JOIN uploads u ON u.submission_id = "
                        "json_extract(j.payload, '$.submission_id') WHERE j.id=?", (job_id,)).fetchone()[0]


@pytest.mark.parametrize("stop", [lambda: sqlite3.OperationalError("database is locked"),
                                  lambda: cfp.BrokenProcessPool("a worker process died")],
                         ids=["locked_each_time", "worker_died_each_time"])
def test_a_batch_whose_last_sheet_the_runner_fails_is_merged_and_complete(code, monkeypatch, stop):
    """Review: a job the runner failed for good itself, on its last attempt (its worker raised outside it every time:
    the database locked while recording it; or it killed its worker every time, run alone), had no follow-up: the
    batch whose last sheet it was was never merged, and its page never said it was complete, until a restart. The
    follow-up runs once now, as after a job its worker failed."""
    def recording(conn, job_id, state, error=None):          # (the worker stops while recording its outcome)
        if sheet_of_job(conn, job_id) == "bad_1.jpg":
            raise stop()
        return real_finish(conn, job_id, state, error)
    real_finish = job_worker._finish
    monkeypatch.setattr(job_worker, "_finish", recording)
    real_after, after = grading.after_grade_job, []
    monkeypatch.setattr(grading, "after_grade_job", lambda payload, runner: (after.append(payload["submission_id"]),
                                                                           real_after(payload, runner)))
    app = make_test_app(JOBS_MODE="thread", JOBS_WORKERS=1, JOBS_RETRY_DELAY_S=0.05, JOBS_RECOVER=False)
    client = app.test_client()
    try:
        page = batch_of(client, code, ["017_1.jpg", "bad_1.jpg"])
        conn = connect(app.config["DATABASE"])
        good, bad = [r["id"] for r in conn.execute("SELECT id FROM submissions ORDER BY id")]
        row = wait_for(conn, bad, states=("failed",), timeout=30)
        end = time.time() + 10
        while not (status := client.get(page + ".json").get_json())["complete"] and time.time() < end:
            time.sleep(0.05)
        job = app.extensions["grader.jobs"].status(row["job_id"])
    finally:
        app.extensions["grader.jobs"].shutdown()
    assert row["error_code"] == ("internal_error" if "locked" in str(stop()) else "worker_crashed")
    assert (job.state, job.attempts) == ("failed", MAX_ATTEMPTS)
    assert status["complete"] and status["paired"] and (status["done"], status["failed"]) == (1, 1)
    assert sorted(after) == [good, bad]                      # each sheet's follow-up, once
    html = client.get(page).get_data(as_text=True)
    assert "data-complete" in html and "2 / 2 lembar selesai" in html and row["error_id"] in html


def another_writer(app, monkeypatch) -> sqlite3.Connection:
    """A connection for holding ``app``'s database (``BEGIN IMMEDIATE``) past every other one's timeout: 0.2 s here."""
    monkeypatch.setattr(db, "BUSY_TIMEOUT_MS", 200)
    return connect(app.config["DATABASE"])


def runner_noting_refusals(app, step: str) -> tuple[JobRunner, threading.Event]:
    """A runner of one worker thread on ``app``'s data whose ``step`` sets the event it returns when the database
    refuses it (it raises as before)."""
    runner = JobRunner(context(app, "grader.web.testing"), mode="thread", workers=1, retry_delay_s=0.05)
    refused, real = threading.Event(), getattr(runner, step)

    def noting(*args, **kwargs):
        try:
            return real(*args, **kwargs)
        except sqlite3.OperationalError:
            refused.set()
            raise
    setattr(runner, step, noting)
    return runner, refused


@pytest.mark.parametrize("locked_while", ["claiming", "recording"])
def test_a_job_the_runner_could_not_send_back_to_the_queue_is_sent_again_later(code, monkeypatch, locked_while):
    """Review: a worker that raised outside its job (the database locked past its timeout while it claimed the job,
    or while it recorded that the job is to be tried again) hands the job back to the runner, which sends it back to
    the queue with one write; when that write met the database still locked, the job was left queued or running in
    the database with nothing to send it to a worker, and its sheet waited for a restart. The runner writes it again
    later now, and the sheet is graded, once at a time."""
    app = make_test_app(JOBS_RECOVER=False)
    conn, sid = stored(app, code)
    lock = another_writer(app, monkeypatch)
    runs, real_grade = [], fake.grade_upload

    def grade(*args, **kwargs):
        runs.append(1)
        if locked_while == "recording" and len(runs) == 1:
            lock.execute("BEGIN IMMEDIATE")                  # (the job's result and its retry cannot be recorded)
        return real_grade(*args, **kwargs)
    monkeypatch.setattr(fake, "grade_upload", grade)
    runner, unsent = runner_noting_refusals(app, "_try_again_later")
    try:
        job = runner.record(conn, "grade", {"submission_id": sid})
        conn.execute("UPDATE submissions SET job_id=? WHERE id=?", (job, sid))
        if locked_while == "claiming":
            lock.execute("BEGIN IMMEDIATE")
        runner.enqueue(job, 0)
        assert unsent.wait(20)                               # the runner's write met the lock too
        lock.execute("ROLLBACK")                             # the lock is released
        row = wait_for(conn, sid, timeout=10)
        status = runner.status(job)
    finally:
        lock.close()
        runner.shutdown()
    assert row["state"] == "done" and status.state == "done"
    assert len(runs) == (1 if locked_while == "claiming" else 2)
    assert status.attempts == 2                              # the attempt that could not run counts


def test_a_job_on_a_broken_pool_the_runner_could_not_settle_is_settled_later(code, monkeypatch):
    """The same for a job its worker died under: the runner's write giving it its attempt back (it ran beside idle
    workers, so it may not be the one that died) met the database locked, and the job was left running with nothing
    to run it again until a restart. It is settled later now, and run again alone, uncharged."""
    app = make_test_app(JOBS_RECOVER=False)
    conn, sid = stored(app, code)
    lock = another_writer(app, monkeypatch)
    real_finish, died = job_worker._finish, []

    def dying(worker_conn, job_id, state, error=None):     # (the first run's worker dies as the database is locked)
        if not died:
            died.append(job_id)
            lock.execute("BEGIN IMMEDIATE")
            raise cfp.BrokenProcessPool("a worker process died")
        return real_finish(worker_conn, job_id, state, error)
    monkeypatch.setattr(job_worker, "_finish", dying)
    runner, unsettled = runner_noting_refusals(app, "_carry_out")
    try:
        job = runner.submit("grade", {"submission_id": sid})
        assert unsettled.wait(20)
        lock.execute("ROLLBACK")
        status = wait_for_job(runner, job, timeout=10)
    finally:
        lock.close()
        runner.shutdown()
    assert (status.state, status.attempts) == ("done", 1)


def test_only_the_database_refusing_for_now_has_a_follow_up_tried_again():
    """A lock (or a stalled disk) is tried again, until it goes through; a mistake in a statement would come again:
    logged once."""
    followups, tries, through = Followups(retry_s=0.01), [], threading.Event()

    def send_back():
        tries.append("send_back")
        if tries.count("send_back") < 3:            # (refused twice)
            locked = sqlite3.OperationalError("database is locked")
            locked.sqlite_errorcode = sqlite3.SQLITE_BUSY
            raise locked
        through.set()

    def mistaken():
        tries.append("mistaken")
        sqlite3.connect(":memory:").execute("SELECT no_such_column")
    try:
        followups.now(mistaken)
        followups.now(send_back)
        assert through.wait(10)
    finally:
        followups.shutdown()
    assert tries == ["mistaken", "send_back", "send_back", "send_back"]
