"""What the job runner does itself when a worker has not finished a job: a job it fails for good has its kind's
follow-up (a batch's merge), once."""
import concurrent.futures.process as cfp
import io
import sqlite3
import time

import pytest

import grader.web.grading as grading
import grader.web.job_worker as job_worker
from grader.web.db import connect
from grader.web.jobs import MAX_ATTEMPTS
from grader.web.testing import csrf_of, jpeg_bytes, log_in, make_test_app
from test_web_jobs import wait_for


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
