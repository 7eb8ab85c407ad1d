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
        job = wait_for_job(app.extensions["grader.jobs"], row["job_id"])     # (recorded after its sheet)
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


def noting_refusals(monkeypatch, owner, name: str) -> threading.Event:
    """``owner.name`` (a module's function, a runner's step) as it was, but setting the event returned when the
    database refuses it (it raises as before)."""
    refused, real = threading.Event(), getattr(owner, name)

    def noting(*args, **kwargs):
        try:
            return real(*args, **kwargs)
        except sqlite3.OperationalError:
            refused.set()
            raise
    monkeypatch.setattr(owner, name, noting)
    return refused


def runner_noting_refusals(app, monkeypatch, step: str) -> tuple[JobRunner, threading.Event]:
    """A runner of one worker thread on ``app``'s data whose ``step`` sets the event it returns when the database
    refuses it (it raises as before)."""
    runner = JobRunner(context(app, "grader.web.testing"), mode="thread", workers=1, retry_delay_s=0.05)
    return runner, noting_refusals(monkeypatch, runner, step)


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
    runner, unsent = runner_noting_refusals(app, monkeypatch, "_try_again_later")
    try:
        job = runner.record(conn, "grade", {"submission_id": sid})
        conn.execute("UPDATE submissions SET job_id=? WHERE id=?", (job, sid))
        if locked_while == "claiming":
            lock.execute("BEGIN IMMEDIATE")
        runner.enqueue(job, 0)
        assert unsent.wait(20)                               # the runner's write met the lock too
        lock.execute("ROLLBACK")                             # the lock is released
        row = wait_for(conn, sid, timeout=10)
        status = wait_for_job(runner, job, timeout=10)          # (a job's outcome is recorded after its sheet's)
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
    runner, unsettled = runner_noting_refusals(app, monkeypatch, "_carry_out")
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


def wait_until_complete(client, page, timeout=10) -> dict:
    end = time.time() + timeout
    while not (status := client.get(page + ".json").get_json())["complete"] and time.time() < end:
        time.sleep(0.05)
    return status


@pytest.mark.parametrize("locked_while", ["claiming", "merging"])
def test_a_batch_whose_merge_the_database_refused_is_merged_later(code, monkeypatch, locked_while):
    """Review: the follow-up that merges a batch once its last sheet is graded met the database locked past its
    timeout (claiming the merge, or storing the merged sheet) and was logged and dropped: the batch was never merged
    (claimed, or not), and its page kept polling, never "Selesai.", until a restart. It is tried again later now, the
    merge a refusal cut short resumed, and the batch is merged once."""
    import grader.web.page_merge as page_merge

    app = make_test_app(JOBS_MODE="thread", JOBS_WORKERS=1, JOBS_RETRY_DELAY_S=0.05, JOBS_RECOVER=False)
    lock = another_writer(app, monkeypatch)
    real_after = grading.after_grade_job

    def after(payload, runner):                     # (the merge's turn: the last sheet of the batch is graded)
        conn = connect(runner.ctx.database)
        last = not conn.execute("SELECT 1 FROM submissions WHERE state IN ('queued', 'running')").fetchone()
        conn.close()
        if last and not lock.in_transaction and not refused.is_set():
            lock.execute("BEGIN IMMEDIATE")
        return real_after(payload, runner)
    if locked_while == "claiming":
        monkeypatch.setattr(grading, "after_grade_job", after)
        refused = noting_refusals(monkeypatch, grading, "after_grade_job")
    else:
        refused = noting_refusals(monkeypatch, page_merge, "store_submission")
        # (locked once the merge has read its batch's single pages, after the note of pages in classmates' sheets,
        # which writes in a transaction of its own: so the refusal meets the storing of the merged sheet)
        real_singles = page_merge._single_pages
        monkeypatch.setattr(page_merge, "_single_pages", lambda conn, where, params: (
            real_singles(conn, where, params),
            lock.in_transaction or refused.is_set() or lock.execute("BEGIN IMMEDIATE"))[0])
    client = app.test_client()
    try:
        page = batch_of(client, code, ["qr-12-a_p1.jpg", "qr-12-b_p2.jpg"])
        assert refused.wait(20)
        lock.execute("ROLLBACK")
        status = wait_until_complete(client, page)
        conn = connect(app.config["DATABASE"])
        states = sorted(r["state"] for r in conn.execute("SELECT state FROM submissions"))
        merged = conn.execute("SELECT merged FROM batches").fetchone()["merged"]
    finally:
        lock.close()
        app.extensions["grader.jobs"].shutdown()
    assert status["complete"] and status["paired"] and merged == 1
    assert states == ["done", "merged", "merged"]            # merged once, and the merged sheet graded


def test_a_job_recorded_done_whose_worker_then_raised_has_its_follow_up(code, monkeypatch):
    """Review: a worker that recorded its job's outcome and then raised (its answer lost) handed the job back as
    unfinished; the runner found it finished, did nothing more, and the job's follow-up never ran: the batch whose
    last sheet it was was never merged, its page never complete. The follow-up runs now, once, and the sheet is not
    graded again."""
    real_finish, raised = job_worker._finish, []

    def recorded_then_raised(conn, job_id, state, error=None):
        real_finish(conn, job_id, state, error)
        if sheet_of_job(conn, job_id) == "b_1.jpg" and not raised:
            raised.append(job_id)
            raise RuntimeError("the worker's answer was lost after it recorded the outcome")
    monkeypatch.setattr(job_worker, "_finish", recorded_then_raised)
    real_after, after = grading.after_grade_job, []
    monkeypatch.setattr(grading, "after_grade_job", lambda payload, runner: (after.append(payload["submission_id"]),
                                                                           real_after(payload, runner)))
    runs = fake.failing_first(monkeypatch, 0, RuntimeError)
    app = make_test_app(JOBS_MODE="thread", JOBS_WORKERS=1, JOBS_RETRY_DELAY_S=0.05, JOBS_RECOVER=False)
    client = app.test_client()
    try:
        page = batch_of(client, code, ["a_1.jpg", "b_1.jpg"])
        status = wait_until_complete(client, page)
        job = wait_for_job(app.extensions["grader.jobs"], raised[0])
    finally:
        app.extensions["grader.jobs"].shutdown()
    assert status["complete"] and (status["done"], status["failed"]) == (2, 0)
    assert (job.state, job.attempts) == ("done", 1) and len(runs) == 2       # not graded again
    assert sorted(after) == [1, 2]                           # each sheet's follow-up, once


def test_a_follow_up_that_fails_for_another_reason_fails_its_job_and_keeps_the_photos(code, monkeypatch, caplog):
    """Review: a follow-up of the runner that raised anything but the database refusing (a bug; no thread to be had
    for its timer) was logged and dropped, its job left queued with nothing to run it: the trainee's page said
    "being graded" until a restart. Such an error would come again: the job is failed now, with the reason the page
    shows for a failure of the server (the photos are kept, "Coba proses lagi"), and the log has the traceback."""
    import logging

    fake.failing_first(monkeypatch, 1, lambda: ZeroDivisionError("division by zero"))   # (tried again: a follow-up)
    app = make_test_app(JOBS_MODE="thread", JOBS_WORKERS=1, JOBS_RETRY_DELAY_S=0.05, JOBS_RECOVER=False)
    runner = app.extensions["grader.jobs"]
    real_later = runner._followups.later

    def later(seconds, fn, *args):
        if getattr(fn, "__name__", "") == "_dispatch_held":     # (the runner dispatching a job again)
            raise RuntimeError("can't start new thread")
        return real_later(seconds, fn, *args)
    monkeypatch.setattr(runner._followups, "later", later)
    with caplog.at_level(logging.ERROR):
        row, job, photos, html = sent_until_it_ends(app, code)
    assert (row["state"], row["error_code"], job.state) == ("failed", "internal_error", "failed")
    assert photos and all(p.is_file() for p in photos)
    assert "Coba proses lagi" in html
    assert "can't start new thread" in caplog.text and "Traceback" in caplog.text


def sent_until_it_ends(app, code) -> tuple:
    """A trainee's sheet sent to ``app`` and graded (its runner shut down then): its row, its job's status, its
    stored photos' paths and its page's HTML."""
    from pathlib import Path

    runner, client = app.extensions["grader.jobs"], app.test_client()
    try:
        resp = client.post("/", data={"csrf_token": csrf_of(client), "code": code, "trainee": "017",
                                      "photo_1": (io.BytesIO(jpeg_bytes()), "017_1.jpg")},
                           content_type="multipart/form-data")
        conn = connect(app.config["DATABASE"])
        row = wait_for(conn, 1, timeout=10)
        job = wait_for_job(runner, row["job_id"], timeout=10)
        photos = [Path(app.config["DATA_DIR"]) / r["path"] for r in conn.execute("SELECT path FROM uploads")]
        html = client.get(resp.location).get_data(as_text=True)
        conn.close()
    finally:
        runner.shutdown()
    return row, job, photos, html


class CountingPipeline:
    """The fake pipeline, noting each sheet it grades (``runs``); a photo named ``slow*`` takes 1 s (threads only)."""

    def __init__(self):
        self.runs = []

    def grade_upload(self, files, **kwargs):
        self.runs.append(files[0][0])
        if files[0][0].startswith("slow"):
            time.sleep(1.0)
        return fake.grade_upload(files, **kwargs)


def test_a_start_that_finds_the_database_locked_recovers_the_jobs_once_it_is_free(code, monkeypatch):
    """Review: the start's recovery of the jobs a crash left running or queued met the database locked past its
    timeout and raised; the requests retrying it gave up after three attempts, and those jobs never ran until the next
    start. The runner tries again later now, until it goes through; a job sent meanwhile waits for it (were it running
    then, it would be taken for one the crash interrupted and graded twice)."""
    app = make_test_app(JOBS_RECOVER=False)
    conn, first = stored(app, code, "a_1.jpg")
    _, second = stored(app, code, "b_1.jpg", jpeg_bytes(color="#eee"))
    _, later = stored(app, code, "slow_1.jpg", jpeg_bytes(color="#ddd"))
    jobs = []
    for sid, state in ((first, "running"), (second, "queued")):
        jobs.append(conn.execute("INSERT INTO jobs(kind, payload, state, attempts, created_at) VALUES ('grade', ?, ?, "
                                 "?, 'x')", (f'{{"submission_id": {sid}}}', state, int(state == "running"))).lastrowid)
        conn.execute("UPDATE submissions SET job_id=?, state=? WHERE id=?", (jobs[-1], state, sid))
    lock = another_writer(app, monkeypatch)
    pipeline = CountingPipeline()
    runner = JobRunner(context(app, pipeline), mode="thread", workers=2, retry_delay_s=0.3)
    try:
        lock.execute("BEGIN IMMEDIATE")
        assert runner.recover() is None                      # refused: tried again later
        lock.execute("ROLLBACK")
        jobs.append(runner.submit("grade", {"submission_id": later}))      # (sent before the retry)
        for sid in (first, second, later):
            assert wait_for(conn, sid, timeout=10)["state"] == "done"
        statuses = [wait_for_job(runner, job, timeout=10) for job in jobs]
        alone = [conn.execute("SELECT run_alone FROM jobs WHERE id=?", (job,)).fetchone()[0] for job in jobs]
    finally:
        lock.close()
        runner.shutdown()
    # (the attempt the crash cut short counts; the job sent meanwhile is not taken for an interrupted one)
    assert [(s.state, s.attempts) for s in statuses] == [("done", 2), ("done", 1), ("done", 1)]
    assert alone == [1, 0, 0]
    assert sorted(pipeline.runs) == ["a_1.jpg", "b_1.jpg", "slow_1.jpg"]     # each graded once


def single_pages_of_a_batch(app, code, names) -> int:
    """A trainer's batch of ``names`` (one page each) graded as single sheets, its merge not run yet; its id."""
    import grader.web.page_merge as page_merge

    client = app.test_client()
    with pytest.MonkeyPatch.context() as m:
        m.setattr(page_merge, "merge_batch", lambda *a, **k: None)
        batch_of(client, code, names)
    conn = connect(app.config["DATABASE"])
    try:
        return conn.execute("SELECT id FROM batches").fetchone()["id"]
    finally:
        conn.close()


def merged_twice_at_once(app, monkeypatch, batch_id, step: str) -> None:
    """Run the claimed merge of ``batch_id`` as a refused merge resuming does, and, once it has read the batch's
    pages, as the start's :func:`merge_finished_batches` does after resetting the claim: the second runs to its end
    before the first stores what it read (the start's merge runs in the recovery's thread, the resumed one in the
    runner's). ``step``: what the first has got to, ``store_submission`` (a merge) or ``store_sheets`` (a split)."""
    import grader.web.page_merge as page_merge
    from grader.web.db import MERGING

    runner, real, ran = app.extensions["grader.jobs"], getattr(page_merge, step), []

    def other_run_first(*args, **kwargs):
        if not ran:
            ran.append(1)
            conn = connect(app.config["DATABASE"])
            conn.execute(f"UPDATE batches SET merged={MERGING} WHERE id=?", (batch_id,))   # (reset, claimed again)
            conn.close()
            page_merge.merge_claimed_batch(runner, batch_id)
        return real(*args, **kwargs)
    monkeypatch.setattr(page_merge, step, other_run_first)
    conn = connect(app.config["DATABASE"])
    conn.execute(f"UPDATE batches SET merged={MERGING} WHERE id=?", (batch_id,))
    conn.close()
    page_merge.merge_claimed_batch(runner, batch_id)
    assert ran


def sheets_and_photos(app) -> tuple[list, int]:
    conn = connect(app.config["DATABASE"])
    try:
        sheets = [(r["state"], r["n"]) for r in conn.execute(
            "SELECT state, (SELECT COUNT(*) FROM uploads u WHERE u.submission_id = s.id) AS n FROM submissions s "
            "ORDER BY id")]
    finally:
        conn.close()
    return sheets, len(list((app.config["DATA_DIR"] / "submissions").iterdir()))


def test_a_batch_merged_twice_at_once_is_merged_once(code, monkeypatch):
    """Review: at start, :func:`merge_finished_batches` resets the batches claimed for a merge and merges them; a merge
    the database had refused, resuming then in the runner's thread, merged the same batch at the same time. Both
    read the same single pages, and each stored a merged sheet of them: the trainee had two sheets, both graded. A
    page is merged once now, whatever else merges it at the same time; the other run stores nothing (no photo left
    behind)."""
    app = make_test_app()
    batch_id = single_pages_of_a_batch(app, code, ["qr-12-a_p1.jpg", "qr-12-b_p2.jpg"])
    merged_twice_at_once(app, monkeypatch, batch_id, "store_submission")
    sheets, folders = sheets_and_photos(app)
    assert sheets == [("merged", 1), ("merged", 1), ("done", 2)]
    assert folders == 3


def test_a_pair_split_twice_at_once_is_split_once(code, monkeypatch):
    """The same for a pair of two trainees' pages split by the merge step: split by both runs, it made four halves,
    each graded, and two sheets of each trainee once merged again."""
    from test_web_jobs import graded_pair_of_two_trainees

    app = make_test_app()
    batch_id, _ = graded_pair_of_two_trainees(app)
    merged_twice_at_once(app, monkeypatch, batch_id, "store_sheets")
    sheets, folders = sheets_and_photos(app)
    assert [state for state, _ in sheets].count("merged") == 1 and len(sheets) == 3
    assert folders == 3


def putting_fails_for(monkeypatch, runner, job_ids, *, after: int = 0) -> list:
    """``runner``'s queue raises a bug putting one of ``job_ids`` in it, past its first ``after`` times; returns the
    ids it raised for."""
    real_put, puts, raised = runner._queue.put, [], []

    def put(job_id, priority):
        if job_id in job_ids:
            puts.append(job_id)
            if puts.count(job_id) > after:
                raised.append(job_id)
                raise RuntimeError("a bug in the job queue")
        return real_put(job_id, priority)
    monkeypatch.setattr(runner._queue, "put", put)
    return raised


def test_a_job_the_runner_could_not_dispatch_again_is_failed_and_its_photos_kept(code, monkeypatch):
    """Review: a job dispatched again by the runner (tried again after an unexpected error) whose dispatch failed
    otherwise than the database refusing (a bug in the queue, memory short) was only logged: the job stayed queued
    with nothing to send it to a worker, and the trainee's page said "being graded" until a restart (the sweep looks
    only at sheets whose job is missing or finished). The job is failed now, as a failure of the server: the photos
    are kept and the page offers "Coba proses lagi"."""
    fake.failing_first(monkeypatch, 1, lambda: OSError("a read error"))        # (tried again: a follow-up)
    app = make_test_app(JOBS_MODE="thread", JOBS_WORKERS=1, JOBS_RETRY_DELAY_S=0.05, JOBS_RECOVER=False)
    raised = putting_fails_for(monkeypatch, app.extensions["grader.jobs"], [1], after=1)   # (its first put goes)
    row, job, photos, html = sent_until_it_ends(app, code)
    assert raised == [1]
    assert (row["state"], row["error_code"], job.state) == ("failed", "internal_error", "failed")
    assert photos and all(p.is_file() for p in photos)
    assert "Coba proses lagi" in html


def two_jobs(app, code) -> tuple[sqlite3.Connection, list[tuple[int, int]]]:
    """Two stored sheets with a grading job each, the first running (claimed), the second queued: ``(sheet, job)``."""
    conn, first = stored(app, code, "a_1.jpg")
    _, second = stored(app, code, "b_1.jpg", jpeg_bytes(color="#eee"))
    pairs = []
    for sid, state in ((first, "running"), (second, "queued")):
        job = conn.execute("INSERT INTO jobs(kind, payload, state, attempts, created_at) VALUES ('grade', ?, ?, ?, "
                           "'x')", (f'{{"submission_id": {sid}}}', state, int(state == "running"))).lastrowid
        conn.execute("UPDATE submissions SET job_id=?, state=? WHERE id=?", (job, state, sid))
        pairs.append((sid, job))
    return conn, pairs


@pytest.mark.parametrize("stuck", [[], [4242]], ids=["stopped", "a_process_could_not_be_stopped"])
def test_jobs_left_on_a_broken_pool_that_could_not_be_sorted_are_failed(code, monkeypatch, stuck):
    """Review: settling the jobs left on a retired pool failed, before any was passed on, otherwise than the database
    refusing (a bug): it was only logged, and the jobs stayed running or queued with nothing to run them, their
    sheets "being graded" until a restart. Each is failed now, as a failure of the server (photos kept); but a job
    running when a process of the pool could not be stopped is left for the next start, as it would have been."""
    import grader.web.job_settling as job_settling

    app = make_test_app(JOBS_RECOVER=False)
    conn, [(running_sheet, running), (queued_sheet, queued)] = two_jobs(app, code)

    def sorting(*args, **kwargs):
        raise RuntimeError("a bug in sorting the jobs")
    monkeypatch.setattr(job_settling, "settle_jobs", sorting)
    runner = JobRunner(context(app, "grader.web.testing"), mode="thread", workers=1, retry_delay_s=0.05)
    try:
        runner._followups.now(runner._carry_out, [running, queued], [], True, stuck, None)
        states = {job: wait_for_job(runner, job, timeout=5).state for job in (running, queued)}
        sheets = {sid: conn.execute("SELECT state, error_code FROM submissions WHERE id=?", (sid,)).fetchone()
                  for sid in (running_sheet, queued_sheet)}
    finally:
        runner.shutdown()
    assert states == {running: "running" if stuck else "failed", queued: "failed"}
    assert tuple(sheets[queued_sheet]) == ("failed", "internal_error")
    assert tuple(sheets[running_sheet]) == (("running", None) if stuck else ("failed", "internal_error"))


def test_a_job_a_restart_could_not_dispatch_is_failed_and_the_others_run(code, monkeypatch):
    """Review: at start, a job the restart's recovery could not dispatch (a bug, not the database refusing) raised
    out of the recovery, leaving that job and those after it queued with nothing to dispatch them; the next request's
    attempt would then take the jobs it had dispatched, running by then, for interrupted ones and run them twice at
    once. That job is failed now (photos kept), and the others run, once."""
    app = make_test_app(JOBS_RECOVER=False)
    conn, [(first_sheet, first), (second_sheet, second)] = two_jobs(app, code)
    runner = JobRunner(context(app, "grader.web.testing"), mode="thread", workers=1, retry_delay_s=0.05)
    raised = putting_fails_for(monkeypatch, runner, [first])
    try:
        runner.recover()
        statuses = [wait_for_job(runner, job, timeout=10) for job in (first, second)]
        sheets = [wait_for(conn, sid, timeout=10) for sid in (first_sheet, second_sheet)]
    finally:
        runner.shutdown()
    assert raised == [first]
    assert [(s.state, s.error_code) for s in statuses] == [("failed", "internal_error"), ("done", None)]
    assert [(r["state"], r["error_code"]) for r in sheets] == [("failed", "internal_error"), ("done", None)]
