"""The background job runner: real worker processes, failures recorded with reasons, recovery after a restart."""
import errno
import io
import sqlite3
import time

import pytest

from grader.errors import GraderError
from grader.web.db import connect
from grader.web.job_pools import WorkerPool
from grader.web.jobs import MAX_ATTEMPTS, JobContext, JobRunner
from grader.web.sheet_storing import store_submission
from grader.web.testing import csrf_of, failing_first, jpeg_bytes, make_test_app


def stored(app, code, name="017_1.jpg", data=None):
    conn = connect(app.config["DATABASE"])
    sub = store_submission(conn, app.config["DATA_DIR"], files=[(name, data or jpeg_bytes())], source="trainee",
                           exercise=code, dedupe=False)
    return conn, sub.id


def wait_for(conn, sid, states=("done", "failed"), timeout=60):
    end = time.time() + timeout
    while time.time() < end:
        row = conn.execute("SELECT * FROM submissions WHERE id=?", (sid,)).fetchone()
        if row["state"] in states:
            return row
        time.sleep(0.1)
    raise AssertionError(f"submission {sid} still {row['state']}")


def wait_for_job(runner, job_id, states=("done", "failed"), timeout=20):
    """The job's status once it is in one of ``states`` (the worker records a sheet's outcome, then its job's)."""
    end = time.time() + timeout
    while (job := runner.status(job_id)).state not in states and time.time() < end:
        time.sleep(0.05)
    return job


def test_process_pool_grades_in_a_worker_process(code):
    app = make_test_app(JOBS_MODE="process", JOBS_WORKERS=1)
    client = app.test_client()
    resp = client.post("/", data={"csrf_token": csrf_of(client), "code": code, "trainee": "7",
                                  "photo_1": (io.BytesIO(jpeg_bytes()), "7_1.jpg")},
                       content_type="multipart/form-data")
    try:
        conn = connect(app.config["DATABASE"])
        row = wait_for(conn, 1)
        assert row["state"] == "done" and row["score"] > 90
        job = wait_for_job(app.extensions["grader.jobs"], row["job_id"])     # (recorded after its sheet)
        assert job.state == "done" and job.attempts == 1
    finally:
        app.extensions["grader.jobs"].shutdown()
    assert client.get(resp.location + ".json").get_json()["state"] == "done"


def test_pipeline_error_marks_the_item_failed_with_its_reason(code, monkeypatch):
    from grader.errors import GraderError
    import grader.web.testing as fake

    def refuse(*a, **k):
        raise GraderError("not_an_image", "not a photo", "Berkas ini bukan foto.")
    monkeypatch.setattr(fake, "grade_upload", refuse)
    app = make_test_app()
    conn, sid = stored(app, code)
    app.extensions["grader.jobs"].submit("grade", {"submission_id": sid})
    row = wait_for(conn, sid)
    assert row["state"] == "failed" and row["error_code"] == "not_an_image" and row["error_id"] == "Berkas ini bukan foto."


def test_a_crash_inside_the_pipeline_is_recorded_not_lost(code, monkeypatch):
    import grader.web.testing as fake
    monkeypatch.setattr(fake, "grade_upload", lambda *a, **k: 1 / 0)
    app = make_test_app()
    conn, sid = stored(app, code)
    app.extensions["grader.jobs"].submit("grade", {"submission_id": sid})
    row = wait_for(conn, sid)
    assert row["state"] == "failed" and row["error_code"] == "internal_error" and "server" in row["error_id"]


@pytest.mark.parametrize("error", [lambda: sqlite3.OperationalError("database is locked"),
                                   lambda: OSError(errno.EIO, "Input/output error"), lambda: MemoryError()],
                         ids=["database_locked", "io_error", "out_of_memory"])
def test_a_transient_failure_is_tried_again_without_a_restart(code, monkeypatch, error):
    """QA: an unexpected error in a grading job (a database locked for a moment, a read error, memory short while a
    class sends at once) failed the sheet at once, for good: 'the server failed while grading', and the trainee had
    to send the photos again, or wait for a trainer. It is tried again now, a few seconds later, by the running
    server: no restart, nothing sent again."""
    runs = failing_first(monkeypatch, 1, error)
    app = make_test_app(JOBS_MODE="thread", JOBS_WORKERS=1, JOBS_RETRY_DELAY_S=0.05, JOBS_RECOVER=False)
    try:
        conn, sid = stored(app, code)
        job = app.extensions["grader.jobs"].submit("grade", {"submission_id": sid})
        row = wait_for(conn, sid, timeout=20)
        assert row["state"] == "done" and row["score"] > 90 and len(runs) == 2
        assert app.extensions["grader.jobs"].status(job).attempts == 2
    finally:
        app.extensions["grader.jobs"].shutdown()


def test_a_failure_that_persists_is_given_up_with_a_clear_message_and_the_photos_kept(code, monkeypatch, caplog):
    """Tried MAX_ATTEMPTS times, then the sheet is failed: the trainee's result page says in Indonesian that the
    server could not grade it and that the photos are kept, the log says so in English, and the photos stay for a
    trainer's 'grade again'."""
    runs = failing_first(monkeypatch, None, lambda: ZeroDivisionError("division by zero"))
    app = make_test_app(JOBS_MODE="thread", JOBS_WORKERS=1, JOBS_RETRY_DELAY_S=0.05, JOBS_RECOVER=False)
    client = app.test_client()
    try:
        resp = client.post("/", data={"csrf_token": csrf_of(client), "code": code, "trainee": "7",
                                      "photo_1": (io.BytesIO(jpeg_bytes()), "7_1.jpg")},
                           content_type="multipart/form-data")
        conn = connect(app.config["DATABASE"])
        row = wait_for(conn, 1, states=("failed",), timeout=20)
        job = wait_for_job(app.extensions["grader.jobs"], row["job_id"])
    finally:
        app.extensions["grader.jobs"].shutdown()
    assert len(runs) == MAX_ATTEMPTS and job.state == "failed" and job.attempts == MAX_ATTEMPTS > 1
    assert row["error_code"] == "internal_error"
    html = client.get(resp.location).get_data(as_text=True)
    assert "Server gagal menilai lembar ini" in html and "Foto Anda tetap tersimpan" in html, html
    assert "Foto tidak dapat dinilai" not in html          # (the photo is not what failed)
    folder = app.config["DATA_DIR"] / "submissions" / row["token"] / "upload"
    assert [p.name for p in folder.iterdir()] == ["01-7_1.jpg"]
    said = [r.getMessage() for r in caplog.records]
    assert any(f"attempt 1 of {MAX_ATTEMPTS}" in m and "tried again" in m for m in said), said
    assert any(f"failed for good after {MAX_ATTEMPTS} attempt(s): internal_error" in m for m in said), said


def test_a_disk_full_for_the_database_too_while_grading_is_named_as_the_reason(code, monkeypatch):
    """h35b, on a data folder filled up while a sheet was being graded: the pictures could not be written (ENOSPC),
    and then neither could the database record the failure ("database or disk is full"): the worker raised outside
    the job, and once tried out the sheet was failed as 'the server failed while grading' (internal_error), not as
    the full disk it was (storage_full: free disk space, then grade it again)."""
    import grader.web.grading as grading

    failing_first(monkeypatch, None, lambda: OSError(errno.ENOSPC, "No space left on device"))
    real, refused = grading.fail_grade_job, []

    def full(*args):
        if len(refused) < MAX_ATTEMPTS:       # (the workers' own tries; the runner's last one goes through)
            refused.append(1)
            raise sqlite3.OperationalError("database or disk is full")
        return real(*args)
    monkeypatch.setattr(grading, "fail_grade_job", full)
    app = make_test_app(JOBS_MODE="thread", JOBS_WORKERS=1, JOBS_RETRY_DELAY_S=0.05, JOBS_RECOVER=False)
    try:
        conn, sid = stored(app, code)
        app.extensions["grader.jobs"].submit("grade", {"submission_id": sid})
        row = wait_for(conn, sid, states=("failed",), timeout=20)
    finally:
        app.extensions["grader.jobs"].shutdown()
    assert len(refused) == MAX_ATTEMPTS
    assert (row["error_code"], row["error_id"].split(",")[0]) == ("storage_full", "Penyimpanan server penuh")


def test_a_full_disk_is_told_by_one_test_wherever_it_is_met(tmp_path):
    """h36b: the words "disk is full" were matched twice, by db.storage_refused (a request storing an upload: 507)
    and by job_worker.failed_outside (a job tried out: storage_full), and ENOSPC and EDQUOT by the worker apart from
    both. One test, db.disk_full, serves them all: SQLite's full by its code, or by its words where it crossed from a
    worker process without it, and a file's write refused for space; not a lock, nor another error of the disk."""
    from grader.web.db import disk_full, storage_refused
    from grader.web.job_worker import failed_outside

    conn = sqlite3.connect(tmp_path / "small.sqlite3")
    conn.execute("CREATE TABLE t(x)")
    conn.execute("PRAGMA max_page_count=3")
    with pytest.raises(sqlite3.OperationalError) as real:        # a real one, with its code
        conn.execute("INSERT INTO t VALUES (?)", (b"x" * 100_000,))
    conn.close()
    words = sqlite3.OperationalError("database or disk is full")
    full = [real.value, words, OSError(errno.ENOSPC, "No space left on device"), OSError(errno.EDQUOT, "Disk quota")]
    other = [sqlite3.OperationalError("database is locked"), OSError(errno.EACCES, "Permission denied"), None]
    assert [disk_full(e) for e in full] == [True] * 4 and [disk_full(e) for e in other] == [False] * 3
    assert [failed_outside(e)[0] for e in full + other] == ["storage_full"] * 4 + ["internal_error"] * 3
    assert storage_refused(real.value) and storage_refused(words) and not storage_refused(other[0])


def test_a_photo_refused_for_a_reason_is_not_tried_again(code, monkeypatch):
    """A refusal is a result, not a failure: a blurry photo is graded once (its retake advice is the result), and a
    file the pipeline refuses is failed with its reason after one run."""
    runs = failing_first(monkeypatch, None, lambda: GraderError("not_an_image", "not a photo", "Berkas ini bukan foto."))
    app = make_test_app(JOBS_MODE="thread", JOBS_WORKERS=1, JOBS_RETRY_DELAY_S=0.05, JOBS_RECOVER=False)
    try:
        conn, sid = stored(app, code)
        job = app.extensions["grader.jobs"].submit("grade", {"submission_id": sid})
        row = wait_for(conn, sid, timeout=20)
        time.sleep(0.3)                                  # (time for a retry that must not come)
        assert row["state"] == "failed" and row["error_code"] == "not_an_image" and len(runs) == 1
        assert app.extensions["grader.jobs"].status(job).attempts == 1
        monkeypatch.undo()
        _, blurry = stored(app, code, "017_1_blur.jpg", jpeg_bytes(color="#eee"))
        job = app.extensions["grader.jobs"].submit("grade", {"submission_id": blurry})
        row = wait_for(conn, blurry, timeout=20)
        assert row["state"] == "done" and row["result_status"] == "refused"
        assert app.extensions["grader.jobs"].status(job).attempts == 1
    finally:
        app.extensions["grader.jobs"].shutdown()


class RefusingPool:
    """A pool that cannot take work (it could not start a worker process: too many open files, memory short)."""

    def __init__(self):
        self.submits = 0

    def submit(self, *args, **kwargs):
        self.submits += 1
        raise OSError(errno.EMFILE, "Too many open files")

    def shutdown(self, *args, **kwargs):
        pass


def test_a_sheet_the_pool_could_not_take_is_tried_again_and_the_queue_goes_on(code, caplog):
    """QA: when the pool could not take a job (it could not start a worker process), the error went up to the
    trainee's upload (a 500 after the photos were stored), the sheet stayed queued until the next start, and its
    worker's place was never given back: with one worker, no sheet was graded again until a restart. Now the job
    is tried again a moment later (at most MAX_ATTEMPTS times), and the queue goes on. QA: the pool itself was kept
    and handed the next job too, so a pool left broken failed every sheet for good; it is replaced now."""
    app = make_test_app(JOBS_RECOVER=False)
    conn, first = stored(app, code, "a_1.jpg")
    _, second = stored(app, code, "b_1.jpg", jpeg_bytes(color="#eee"))
    ctx = JobContext(database=app.config["DATABASE"], data_dir=str(app.config["DATA_DIR"]),
                     pipeline="grader.web.testing")
    runner = JobRunner(ctx, mode="thread", workers=1, retry_delay_s=0.05)
    real, refused = runner._current_pool, []

    def pool():                                  # the first job handed over finds the pool unable to take any
        if not refused:
            refused.append(WorkerPool(RefusingPool()))
        return refused[0] if not refused[0].retired else real()
    runner._current_pool = pool
    try:
        job = runner.submit("grade", {"submission_id": first})          # (no error for the sender: it is stored)
        runner.submit("grade", {"submission_id": second})
        assert wait_for(conn, first, timeout=20)["state"] == "done"
        assert wait_for(conn, second, timeout=20)["state"] == "done"
        assert runner.status(job).attempts == 2
    finally:
        runner.shutdown()
    assert refused[0].executor.submits == 1                      # retired at once, never handed a job again
    assert any("could not be handed to a grading worker" in r.getMessage() for r in caplog.records)


def test_a_job_whose_outcome_could_not_be_recorded_is_tried_again(code, monkeypatch):
    """QA: a worker that raised outside the job (the database locked past its wait while recording the outcome) had
    its sheet failed at once as 'the grading process stopped'. That is as transient as an error in the job: it is
    tried again."""
    import grader.web.job_worker as job_worker

    real, calls = job_worker._finish, []

    def locked_once(conn, job_id, state, error=None):
        calls.append(state)
        if len(calls) == 1:
            raise sqlite3.OperationalError("database is locked")
        return real(conn, job_id, state, error)
    monkeypatch.setattr(job_worker, "_finish", locked_once)
    app = make_test_app(JOBS_MODE="thread", JOBS_WORKERS=1, JOBS_RETRY_DELAY_S=0.05, JOBS_RECOVER=False)
    try:
        conn, sid = stored(app, code)
        job = app.extensions["grader.jobs"].submit("grade", {"submission_id": sid})
        assert wait_for_job(app.extensions["grader.jobs"], job, states=("done",)).state == "done"
        assert calls == ["done", "done"]
        assert wait_for(conn, sid)["state"] == "done"
    finally:
        app.extensions["grader.jobs"].shutdown()


def test_restart_requeues_interrupted_jobs_and_fails_those_tried_too_often(code):
    app = make_test_app(JOBS_RECOVER=False)
    conn, first = stored(app, code, "a_1.jpg")
    _, second = stored(app, code, "b_1.jpg", jpeg_bytes(color="#eee"))
    _, third = stored(app, code, "c_1.jpg", jpeg_bytes(color="#ddd"))
    for sid, attempts, state in ((first, 1, "running"), (second, MAX_ATTEMPTS, "running"), (third, 0, "queued")):
        job = conn.execute("INSERT INTO jobs(kind, payload, state, attempts, created_at) VALUES "
                           "('grade', ?, ?, ?, 'x')", (f'{{"submission_id": {sid}}}', state, attempts)).lastrowid
        conn.execute("UPDATE submissions SET job_id=?, state=? WHERE id=?", (job, state, sid))
    restarted = make_test_app()          # a restart: recovery runs before the first request is served
    assert wait_for(conn, first, timeout=1, states=("running",))["state"] == "running"   # not at creation
    restarted.test_client().get("/")
    assert wait_for(conn, first)["state"] == "done"
    assert wait_for(conn, third)["state"] == "done"
    failed = wait_for(conn, second)
    assert failed["state"] == "failed" and failed["error_code"] == "interrupted"
    assert "dimulai ulang" in failed["error_id"]


class DyingPipeline:
    """A pipeline whose worker process dies mid-job on files named ``die*`` (as if killed by the OOM killer)."""

    def grade_upload(self, files, **kwargs):
        import os
        if files[0][0].startswith("die"):
            os._exit(3)
        import grader.web.testing as fake
        return fake.grade_upload(files, **kwargs)

    def regrade(self, *args):
        import grader.web.testing as fake
        return fake.regrade(*args)


def test_a_killed_worker_marks_its_item_failed(code, tmp_path):
    """If the worker process dies, the runner records the item as failed instead of leaving it running."""
    app = make_test_app(JOBS_RECOVER=False)
    conn, sid = stored(app, code, "die_1.jpg")
    _, innocent = stored(app, code, "ok_1.jpg", jpeg_bytes(color="#eee"))
    ctx = JobContext(database=app.config["DATABASE"], data_dir=str(app.config["DATA_DIR"]),
                     pipeline=DyingPipeline())
    runner = JobRunner(ctx, mode="process", workers=1)
    try:
        job = runner.submit("grade", {"submission_id": sid})
        runner.submit("grade", {"submission_id": innocent})
        row = wait_for(conn, sid)
        assert row["state"] == "failed" and row["error_code"] == "worker_crashed"
        assert wait_for_job(runner, job).state == "failed" and runner.status(job).attempts == MAX_ATTEMPTS
        assert wait_for(conn, innocent)["state"] == "done"          # its neighbour is not taken down with it
    finally:
        runner.shutdown(wait=False)


def test_job_is_claimed_once(code):
    app = make_test_app(JOBS_MODE="thread")
    conn, sid = stored(app, code)
    runner = app.extensions["grader.jobs"]
    job = runner.submit("grade", {"submission_id": sid})
    wait_for(conn, sid)
    from grader.web.jobs import execute_job
    assert execute_job(runner.ctx, job) == "skipped"
    runner.shutdown()


class SlowPipeline:
    """A pipeline that never finishes (a pathological photo)."""

    def grade_upload(self, *args, **kwargs):
        time.sleep(60)


def test_a_job_that_runs_too_long_is_stopped_and_marked_failed(code):
    app = make_test_app(JOBS_RECOVER=False)
    conn, sid = stored(app, code)
    ctx = JobContext(database=app.config["DATABASE"], data_dir=str(app.config["DATA_DIR"]),
                     pipeline=SlowPipeline(), timeout_s=1)
    runner = JobRunner(ctx, mode="process", workers=1)
    try:
        job = runner.submit("grade", {"submission_id": sid})
        row = wait_for(conn, sid, timeout=30)
        assert row["state"] == "failed" and row["error_code"] == "too_slow" and "terlalu lama" in row["error_id"]
        assert runner.status(job).attempts == 1            # the same photo would take as long again: not retried
    finally:
        runner.shutdown(wait=False)


def test_batch_merge_by_qr_runs_with_worker_processes(code):
    from grader.web.testing import log_in
    app = make_test_app(JOBS_MODE="process", JOBS_WORKERS=2)
    client = app.test_client()
    log_in(client)
    token = csrf_of(client, f"/trainer/latihan/{code}")
    files = [(io.BytesIO(jpeg_bytes(color=c)), n) for n, c in (("qr-12-a_p1.jpg", "#fff"), ("qr-12-b_p2.jpg", "#eee"))]
    try:
        resp = client.post(f"/trainer/latihan/{code}/batch", data={"csrf_token": token, "photos": files},
                           content_type="multipart/form-data")
        end = time.time() + 60
        while time.time() < end:
            status = client.get(resp.location + ".json").get_json()
            if status["complete"] and status["total"] == 1:
                break
            time.sleep(0.2)
        assert status["complete"] and status["total"] == 1 and status["items"][0]["trainee"] == "12"
    finally:
        app.extensions["grader.jobs"].shutdown()


class GatedPipeline:
    """Records the order sheets are graded in; the sheet named ``first`` waits for a gate."""

    def __init__(self):
        import threading
        self.order, self.gate = [], threading.Event()

    def grade_upload(self, files, **kwargs):
        if files[0][0].startswith("first"):
            assert self.gate.wait(20)
        self.order.append(files[0][0].split("_")[0])
        import grader.web.testing as fake
        return fake.grade_upload(files, **kwargs)


def test_a_waiting_trainee_goes_before_a_batch(code):
    """Trainee uploads (priority 0) overtake batch items (priority 1) that have not started yet."""
    app = make_test_app(JOBS_RECOVER=False)
    conn = connect(app.config["DATABASE"])
    pipeline = GatedPipeline()
    ctx = JobContext(database=app.config["DATABASE"], data_dir=str(app.config["DATA_DIR"]), pipeline=pipeline)
    runner = JobRunner(ctx, mode="thread", workers=1)
    ids = []
    try:
        for name, priority in (("first", 1), ("batch1", 1), ("batch2", 1), ("trainee", 0)):
            sid = store_submission(conn, app.config["DATA_DIR"], files=[(f"{name}_1.jpg", jpeg_bytes())],
                                   source="batch", exercise=code, dedupe=False).id
            runner.submit("grade", {"submission_id": sid}, priority=priority)
            ids.append(sid)
        assert runner.waiting() == 3                   # one running, the rest wait with us, not in the pool
        pipeline.gate.set()
        for sid in ids:
            assert wait_for(conn, sid)["state"] == "done"
        assert pipeline.order == ["first", "trainee", "batch1", "batch2"]
    finally:
        runner.shutdown()


def test_a_sheet_stored_but_never_queued_is_graded_at_the_next_start(tmp_path):
    """Review: a crash between storing a split's (or merge's) new sheets and queueing them left the batch
    waiting for ever; at startup such sheets are queued."""
    from pathlib import Path

    from grader.web.page_merge import merge_finished_batches
    from grader.web.testing import jpeg_bytes, make_test_app
    from grader.web.sheet_storing import store_submission
    app = make_test_app()
    with app.app_context():
        from grader.web.db import get_db
        db = get_db()
        sid = store_submission(db, Path(app.config["DATA_DIR"]), files=[("budi_p1.jpg", jpeg_bytes())],
                               source="batch", exercise=None, dedupe=False).id
        db.commit()
        assert db.execute("SELECT state FROM submissions WHERE id=?", (sid,)).fetchone()["state"] == "queued"
    merge_finished_batches(app.extensions["grader.jobs"])
    with app.app_context():
        from grader.web.db import get_db
        assert get_db().execute("SELECT state FROM submissions WHERE id=?", (sid,)).fetchone()["state"] == "done"


def test_a_split_pair_carries_each_correction_to_the_half_holding_its_page(tmp_path):
    """Review: a trainer's correction on a pair later split by its trainee numbers applied nowhere any more."""
    from grader.web.db import now_iso
    from grader.web.page_merge import merge_batch
    from grader.web.testing import make_test_app
    app = make_test_app()
    runner = app.extensions["grader.jobs"]
    bid, sid = graded_pair_of_two_trainees(app, [{"id": "II.1", "page": 1}, {"id": "V.B", "page": 2}])
    with app.app_context():
        from grader.web.db import get_db
        db = get_db()
        db.execute("INSERT INTO corrections(submission_id, field_id, value, previous, corrected_by, corrected_at) "
                   "VALUES (?, 'V.B', 3, 2, 'Ibu Sari', ?)", (sid, now_iso()))
        db.commit()
    from grader.web.db import connect
    conn = connect(app.config["DATABASE"])
    merge_batch(conn, bid, runner)
    rows = conn.execute("SELECT s.id, u.filename, (SELECT GROUP_CONCAT(field_id) FROM corrections c "
                        "WHERE c.submission_id = s.id) AS fixed FROM submissions s JOIN uploads u "
                        "ON u.submission_id = s.id WHERE s.id != ?", (sid,)).fetchall()
    assert {r["filename"]: r["fixed"] for r in rows} == {"budi_p1.jpg": None, "budi_p2.jpg": "V.B"}
    assert conn.execute("SELECT state FROM submissions WHERE id=?", (sid,)).fetchone()["state"] == "merged"
    conn.close()


def test_a_crash_while_splitting_a_pair_leaves_it_whole_and_the_next_start_splits_it_once(tmp_path, monkeypatch):
    """A pair of two trainees' pages was split in three writes (each half, then the pair marked replaced): a crash
    between them left a half sheet beside the whole pair, and the next start split the pair again. All or nothing
    now, photos included."""
    import grader.web.page_merge as page_merge
    from grader.web.db import connect
    from grader.web.page_merge import merge_batch, merge_finished_batches
    from grader.web.testing import make_test_app

    class PowerCut(BaseException):
        pass

    app = make_test_app()
    runner = app.extensions["grader.jobs"]
    bid, sid = graded_pair_of_two_trainees(app, [{"id": "II.1", "page": 1}])
    conn = connect(app.config["DATABASE"])

    def cut(*a, **k):
        raise PowerCut()
    with monkeypatch.context() as m:
        m.setattr(page_merge, "carry_over_reviews", cut)      # inside the split's transaction, after both halves
        with pytest.raises(PowerCut):
            merge_batch(conn, bid, runner)
    assert [r["state"] for r in conn.execute("SELECT state FROM submissions")] == ["done"]
    assert len(list((app.config["DATA_DIR"] / "submissions").iterdir())) == 1        # no half's photo left over
    conn.execute("UPDATE batches SET merged=2")     # as kill -9 leaves it (the exception here let `finally` run)
    merge_finished_batches(runner)                                                     # the next start
    states = sorted(r["state"] for r in conn.execute("SELECT state FROM submissions"))
    conn.close()
    assert states.count("merged") == 1 and len(states) == 3


@pytest.mark.parametrize("half", [0, 1])
def test_removing_either_half_of_a_split_pair_removes_the_pair_that_held_its_photo(tmp_path, half):
    """Review: the pair points at its first half only, so removing the second left its photo behind."""
    from pathlib import Path

    from grader.web.db import connect
    from grader.web.page_merge import merge_batch
    from grader.web.sheet_storing import submission_dir
    from grader.web.removal import remove_sheet
    from grader.web.testing import make_test_app
    app = make_test_app()
    bid, pair_id = graded_pair_of_two_trainees(app)
    conn = connect(app.config["DATABASE"])
    merge_batch(conn, bid, app.extensions["grader.jobs"])
    pair_token = conn.execute("SELECT token FROM submissions WHERE id=?", (pair_id,)).fetchone()[0]
    halves = [r["id"] for r in conn.execute("SELECT id FROM submissions WHERE id != ? ORDER BY id", (pair_id,))]
    assert len(halves) == 2 and conn.execute("SELECT state FROM submissions WHERE id=?", (pair_id,)).fetchone()[0] == "merged"
    conn.execute("UPDATE submissions SET state='done' WHERE id IN (?, ?)", halves)
    assert sorted(remove_sheet(conn, Path(app.config["DATA_DIR"]), halves[half])) == sorted([halves[half], pair_id])
    assert not submission_dir(app.config["DATA_DIR"], pair_token).exists()
    other = conn.execute("SELECT state FROM submissions WHERE id=?", (halves[1 - half],)).fetchone()[0]
    assert other == "done"                               # the other trainee's half stays, with its own photo
    conn.close()


@pytest.mark.parametrize("first, second, split", [("06?", "069", False), ("?63", "068", True)])
def test_a_pair_is_split_only_by_numbers_that_differ_where_both_were_read_surely(tmp_path, first, second, split):
    """QA: a pair named s0008-p1/-p2 whose pages read 063 (last box unsure) and 069 was split into two partial
    sheets, and page 1 then dropped out of the class table and the review queue."""
    from grader.web.db import connect
    from grader.web.page_merge import merge_batch
    from grader.web.testing import make_test_app
    app = make_test_app()
    bid, sid = graded_pair_of_two_trainees(app, numbers=({"value": "063", "status": "review", "sure": first},
                                                         {"value": second, "status": "review", "sure": second}))
    conn = connect(app.config["DATABASE"])
    merge_batch(conn, bid, app.extensions["grader.jobs"])
    state = conn.execute("SELECT state FROM submissions WHERE id=?", (sid,)).fetchone()[0]
    assert state == ("merged" if split else "done")
    assert conn.execute("SELECT COUNT(*) FROM submissions").fetchone()[0] == (3 if split else 1)
    if split:   # review: the halves kept the name that paired them, so the class table showed one and hid the other
        from grader.web.standing_sheets import identity_key
        halves = conn.execute("SELECT * FROM submissions WHERE id != ?", (sid,)).fetchall()
        assert {r["state"] for r in halves} == {"done"} and len({identity_key(r) for r in halves}) == 2
    conn.close()


@pytest.mark.parametrize("second, split", [
    ({"value": "130", "status": "review", "sure": "13?"}, False),   # its unsure box may be the 3 page 1 reads
    ({"value": "130", "status": "review", "sure": "1?0"}, True),    # the box that differs was read surely
    ({"value": "104", "status": "ok"}, True),
])
def test_a_named_pair_with_a_firm_number_is_kept_when_the_other_page_may_be_it(tmp_path, second, split):
    """Trainer walk-through (zip of kelas/s0014-p1.jpg and -p2.jpg): page 1 read 133 surely, page 2 read 130 with
    its last box unsure. ``grader grade`` keeps such a plainly named pair one sheet (a firm number admits an unsure
    one that may be it), but the web batch split it into two partial sheets, each "page N not sent"."""
    from grader.web.page_merge import merge_batch
    app = make_test_app()
    bid, sid = graded_pair_of_two_trainees(app, numbers=({"value": "133", "status": "ok"}, second))
    conn = connect(app.config["DATABASE"])
    merge_batch(conn, bid, app.extensions["grader.jobs"])
    assert conn.execute("SELECT state FROM submissions WHERE id=?", (sid,)).fetchone()[0] == ("merged" if split else "done")
    conn.close()


@pytest.mark.parametrize("refusal, number, split", [
    ("other_trainee", None, True),                                  # its QR names another trainee
    ("duplicate_page", {"value": "104", "status": "ok"}, True),     # page 1 again, of trainee 104 (not 103)
    ("duplicate_page", None, False),                                # page 1 again, nothing says whose: a retake
])
def test_a_named_pair_holding_a_page_that_is_not_its_own_is_split(tmp_path, refusal, number, split):
    """QA: C.Hasil (1).jpg and C.Hasil (2).jpg, two trainees' page 1s, were paired by name; the second was refused
    inside the pair as 'page 1 again', so that trainee had no sheet, no row and no review. Review: a trainee's own
    retake of page 1 must stay their sheet, and a correction of page 1 must not follow the refused photo."""
    import json
    from grader.web.db import now_iso
    from grader.web.page_merge import merge_batch
    app = make_test_app()
    bid, sid = graded_pair_of_two_trainees(app, [{"id": "II.1", "page": 1}])
    conn = connect(app.config["DATABASE"])
    res = json.loads(conn.execute("SELECT result FROM submissions WHERE id=?", (sid,)).fetchone()[0])
    res["pages"][0]["trainee_number"] = {"value": "103", "status": "ok"}
    res["pages"][1] = {"file": "budi_p2.jpg", "page": 1, "refusal": {"code": refusal, "message_id": "x",
                                                                       "message_en": "x"},
                       **({"trainee_number": number} if number else {})}
    conn.execute("UPDATE submissions SET result=? WHERE id=?", (json.dumps(res), sid))
    conn.execute("INSERT INTO corrections(submission_id, field_id, value, previous, corrected_by, corrected_at) "
                 "VALUES (?, 'II.1', 3, 2, 'Ibu Sari', ?)", (sid, now_iso()))
    merge_batch(conn, bid, app.extensions["grader.jobs"])
    state = conn.execute("SELECT state FROM submissions WHERE id=?", (sid,)).fetchone()[0]
    assert state == ("merged" if split else "done")
    if split:
        halves = conn.execute("SELECT u.filename, (SELECT GROUP_CONCAT(field_id) FROM corrections c WHERE "
                              "c.submission_id = s.id) FROM submissions s JOIN uploads u ON u.submission_id = s.id "
                              "WHERE s.id != ? AND s.state != 'merged'", (sid,)).fetchall()
        assert sorted(tuple(h) for h in halves) == [("budi_p1.jpg", "II.1"), ("budi_p2.jpg", None)]
    conn.close()


def graded_pair_of_two_trainees(app, fields=(), numbers=None) -> tuple[int, int]:
    """(batch id, sheet id) of a pair ``budi_p1``/``budi_p2`` graded as one sheet whose pages read 009 and 104
    (or the trainee-number readings ``numbers``)."""
    import json
    from pathlib import Path

    from grader.web.db import get_db, now_iso
    from grader.web.testing import jpeg_bytes
    from grader.web.sheet_storing import store_submission
    numbers = numbers or ({"value": "009", "status": "ok"}, {"value": "104", "status": "ok"})
    with app.app_context():
        db = get_db()
        bid = db.execute("INSERT INTO batches(token, exercise, created_by, skipped, created_at) VALUES "
                         "('b', NULL, 't', '[]', ?)", (now_iso(),)).lastrowid
        sid = store_submission(db, Path(app.config["DATA_DIR"]), files=[("budi_p1.jpg", jpeg_bytes()),
                               ("budi_p2.jpg", jpeg_bytes(color="#eee"))], source="batch", batch_id=bid,
                               group_key="budi", dedupe=False).id
        result = {"identity_source": "filename", "trainee": "budi", "status": "graded",
                  "pages": [{"file": "budi_p1.jpg", "page": 1, "refusal": None, "trainee_number": numbers[0]},
                            {"file": "budi_p2.jpg", "page": 2, "refusal": None, "trainee_number": numbers[1]}],
                  "fields": list(fields)}
        db.execute("UPDATE submissions SET state='done', result=? WHERE id=?", (json.dumps(result), sid))
        db.commit()
    return bid, sid


class QrOfPipeline:
    """The stand-in pipeline, but every sheet's QR names exercise ``code`` (a personalised sheet sent without one)."""

    def __init__(self, code):
        self.code = code

    def grade_upload(self, files, **kwargs):
        import grader.web.testing as fake
        return {**fake.grade_upload(files, **kwargs), "exercise": self.code}


def test_a_sheet_whose_qr_names_a_removed_exercise_is_not_scored_and_says_why(code):
    """QA: after removing exercise 6ARJET, its personalised sheet sent with the code left empty was graded without a
    key ('100 / 100') and said the code could not be read from the sheet."""
    from grader.web.grading import run_grade_job
    from grader.web.removal import remove_exercise
    app = make_test_app(JOBS_RECOVER=False)
    conn = connect(app.config["DATABASE"])
    assert remove_exercise(conn, app.config["DATA_DIR"], code) == []
    sid = store_submission(conn, app.config["DATA_DIR"], files=[("a_1.jpg", jpeg_bytes())], source="trainee",
                           exercise=None, dedupe=False).id
    ctx = JobContext(database=app.config["DATABASE"], data_dir=str(app.config["DATA_DIR"]), pipeline=QrOfPipeline(code))
    with pytest.raises(Exception) as info:
        run_grade_job({"submission_id": sid}, ctx)
    assert getattr(info.value, "code", None) == "exercise_removed"
    assert f"Latihan {code} sudah dihapus oleh pelatihnya" in info.value.message_id
    assert conn.execute("SELECT score, result FROM submissions WHERE id=?", (sid,)).fetchone()[:] == (None, None)
    token = conn.execute("SELECT token FROM submissions WHERE id=?", (sid,)).fetchone()[0]
    assert conn.execute("SELECT COUNT(*) FROM uploads").fetchone()[0] == 0        # review: nor its photos kept
    assert not (app.config["DATA_DIR"] / "submissions" / token).exists()
    conn.close()


def test_a_split_half_whose_number_is_read_firmly_is_that_trainees(code):
    """QA: the half of a split pair that read 104 firmly stayed 'Lembar_2_.jpg' in the class table (its photo
    name was taken for typed text, whose '2' is not 104)."""
    from grader.web.grading import store_result
    app = make_test_app(JOBS_RECOVER=False)
    conn = connect(app.config["DATABASE"])
    sid = store_submission(conn, app.config["DATA_DIR"], files=[("Lembar (2).jpg", jpeg_bytes())], source="batch",
                           exercise=code, trainee="Lembar (2).jpg", group_key="Lembar (2).jpg", dedupe=False).id
    assert store_result(conn, sid, {"identity_source": "trainee_number", "trainee": "104", "counts": {}})
    assert tuple(conn.execute("SELECT trainee, trainee_name FROM submissions WHERE id=?", (sid,)).fetchone()) == \
        ("104", None)
    conn.close()


def test_a_batch_label_with_a_copys_marks_names_whom_the_marks_leave():
    """A batch's folder "Budi - Copy/" is labelled "Budi" now (file_names.uncopied); a sheet stored under the label
    "Budi - Copy" before that, and graded after, named nobody: the label had to name itself exactly. It names Budi,
    as a new batch's would; labels that are no name, or a file's page stem, still name nobody."""
    from grader.web.grading import named_by_its_group
    blank = {"trainee": None, "identity_source": None}
    for label, named in (("Budi - Copy", "Budi"), ("Budi", "Budi"), ("Copy of Sri Wahyuni", "Sri Wahyuni"),
                         ("IMG-20261207-WA0001", None), ("budi_p1", None), (None, None)):
        assert named_by_its_group(blank, label).get("trainee") == named, label
    assert named_by_its_group({"trainee": "061"}, "Budi - Copy")["trainee"] == "061"     # the sheet names first


def test_a_sheet_labelled_with_a_copys_marks_is_one_trainee_with_the_label_without():
    """The class table's identity of a sheet nothing else names is its batch label: "Budi - Copy" (stored before
    batches dropped a copy's marks) and "Budi" (after) are one trainee's attempts, not two rows."""
    from grader.web.standing_sheets import identity_key
    rows = [{"trainee": None, "group_key": key, "token": f"t{n}"} for n, key in enumerate(("Budi - Copy", "Budi"))]
    assert identity_key(rows[0]) == identity_key(rows[1]) == "budi"
