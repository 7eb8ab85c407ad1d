"""A sheet marked ``queued`` whose grading job could not be made (grader.web.stranded): graded without a restart, and
queued as its caller would have queued it (a trainee's before a batch's, a photo that killed its worker alone)."""
import io
import json
import sqlite3
import time

from grader.web import grade_again
from grader.web.db import connect
from grader.web.jobs import MAX_ATTEMPTS, JobRunner
from grader.web.testing import csrf_of, failing_first, jpeg_bytes, log_in, make_test_app
from grader.web.grading_queue import queue_grading
from grader.web.sheet_storing import store_submission

# a sweep every 0.1 s, taking any sheet at once (the default waits a minute: a request may still be queueing it)
SWEEPING = {"JOBS_MODE": "thread", "JOBS_WORKERS": 1, "JOBS_SWEEP_S": 0.1, "JOBS_STRANDED_AFTER_S": 0,
            "PROPAGATE_EXCEPTIONS": False}


def upload(client, code, name="017_1.jpg", trainee="017"):
    return client.post("/", data={"csrf_token": csrf_of(client), "code": code, "trainee": trainee,
                                  "photo_1": (io.BytesIO(jpeg_bytes()), name)}, content_type="multipart/form-data")


def query(app, sql, args=()):
    conn = connect(app.config["DATABASE"])
    try:
        return conn.execute(sql, args).fetchall()
    finally:
        conn.close()


def jobs_of(app, sid):
    return query(app, "SELECT * FROM jobs WHERE payload=? ORDER BY id", (json.dumps({"submission_id": sid}),))


def wait_for(app, sid, states=("done", "failed"), timeout=10):
    end = time.time() + timeout
    while (row := query(app, "SELECT * FROM submissions WHERE id=?", (sid,))[0])["state"] not in states \
            and time.time() < end:
        time.sleep(0.05)
    return row


def crashed_its_worker(app, sid):
    """Leave sheet ``sid`` (graded) failed as its job would be after killing its worker three times."""
    conn = connect(app.config["DATABASE"])
    conn.execute("UPDATE jobs SET state='failed', error_code='worker_crashed', run_alone=1 WHERE id="
                 "(SELECT job_id FROM submissions WHERE id=?)", (sid,))
    conn.execute("UPDATE submissions SET state='failed', error_code='worker_crashed', error_id='Server gagal.', "
                 "error_en='The server failed.' WHERE id=?", (sid,))
    conn.close()


def queue_grading_locked_once(monkeypatch) -> list:
    """A "grade again" request's queueing of its job finds the database locked past its timeout, once (then it is
    released); returns the list of its calls."""
    real, calls = grade_again.queue_grading, []

    def locked_once(*a, **k):
        calls.append(a)
        if len(calls) == 1:
            raise sqlite3.OperationalError("database is locked")
        return real(*a, **k)
    monkeypatch.setattr(grade_again, "queue_grading", locked_once)
    return calls


def test_a_sheet_queued_again_whose_job_could_not_be_made_is_graded_without_a_restart(code, monkeypatch):
    """Review: "Coba proses lagi" marks the sheet queued (one commit), then makes its job (another); an error between
    them (the database locked past its timeout) left it queued with no job until the next start, which then queued
    it behind the batches and beside other sheets, though its photo had killed its worker."""
    # (a sheet marked queued 2 s ago at least: the state the request left is seen before the sweep mends it)
    app = make_test_app(**{**SWEEPING, "JOBS_STRANDED_AFTER_S": 2})
    client = app.test_client()
    try:
        page = upload(client, code).location
        sid = query(app, "SELECT id FROM submissions")[0]["id"]
        assert wait_for(app, sid)["state"] == "done"
        crashed_its_worker(app, sid)
        queue_grading_locked_once(monkeypatch)
        # (the lock's answer: 503, "server sibuk", since b575615; it was the generic 500)
        assert client.post(page + "/nilai-ulang", data={"csrf_token": csrf_of(client)}).status_code == 503
        # the state the review found: queued, and its only job the one that failed
        assert wait_for(app, sid, timeout=0)["state"] == "queued"
        assert [j["state"] for j in jobs_of(app, sid)] == ["failed"]
        done = wait_for(app, sid)
    finally:
        app.extensions["grader.jobs"].shutdown()
    assert done["state"] == "done"
    jobs = jobs_of(app, sid)
    assert [j["state"] for j in jobs] == ["failed", "done"] and done["job_id"] == jobs[1]["id"]
    assert (jobs[1]["priority"], jobs[1]["run_alone"]) == (0, 1)     # a trainee's, and alone: it killed its worker


def test_a_trainers_grade_again_queued_by_the_sweep_goes_with_the_batches(code, monkeypatch):
    """Review: a trainer's "grade again" of a trainee's sheet is queued with the batches (no trainee waits at its
    page), but when its job could not be made the sweep, which could not tell who had asked, queued it before them,
    as a trainee's. The sheet keeps the priority its request chose until its job is made."""
    app = make_test_app(**SWEEPING)
    client, trainer = app.test_client(), app.test_client()
    log_in(trainer)
    try:
        upload(client, code)
        sid = query(app, "SELECT id FROM submissions")[0]["id"]
        assert wait_for(app, sid)["state"] == "done"
        crashed_its_worker(app, sid)
        calls = queue_grading_locked_once(monkeypatch)
        resp = trainer.post(f"/trainer/lembar/{sid}/nilai-ulang", data={"csrf_token": csrf_of(trainer, "/trainer/")})
        assert resp.status_code == 503                  # (the lock's answer, since b575615)
        done = wait_for(app, sid)
    finally:
        app.extensions["grader.jobs"].shutdown()
    jobs = jobs_of(app, sid)
    assert done["state"] == "done" and [j["state"] for j in jobs] == ["failed", "done"]
    assert len(calls) == 1 and done["job_id"] == jobs[-1]["id"]      # (queued by the sweep, not the request)
    assert (jobs[-1]["priority"], jobs[-1]["run_alone"]) == (1, 1)    # the trainer's: with the batches; and alone


def test_a_job_whose_link_to_its_sheet_failed_is_not_left_behind(code):
    """The job was recorded (committed) before the sheet was linked to it: a link that failed left a job queued in
    the database that nothing dispatched (until the next start, which then graded the sheet twice), and the upload
    answered with an error though its photo was stored. The job and its link are one transaction now; the sheet,
    stored, waits for the sweep, and its sender sees the page waiting for it."""
    app = make_test_app(**SWEEPING)
    client = app.test_client()
    conn = connect(app.config["DATABASE"])
    conn.execute("CREATE TRIGGER locked BEFORE UPDATE OF job_id ON submissions "
                 "BEGIN SELECT RAISE(ABORT, 'database is locked'); END")
    try:
        resp = upload(client, code)
        sid = query(app, "SELECT id FROM submissions")[0]["id"]
        assert jobs_of(app, sid) == []                              # no job without its sheet's link
        conn.execute("DROP TRIGGER locked")                          # (the lock is released)
        done = wait_for(app, sid)
    finally:
        conn.close()
        app.extensions["grader.jobs"].shutdown()
    assert resp.status_code == 302                                  # the sender's page waits, as for any sheet
    assert done["state"] == "done" and [j["state"] for j in jobs_of(app, sid)] == ["done"]


def test_a_sheet_with_a_live_job_is_left_to_it(code):
    """The sweep (and a request sending a form twice) does not make a second job for a sheet whose job is waiting."""
    from grader.web.stranded import queue_stranded

    app = make_test_app(JOBS_RECOVER=False)
    runner = JobRunner(app.extensions["grader.jobs"].ctx, mode="thread", workers=1)
    runner.shutdown()                               # (it dispatches nothing: its jobs wait, as behind a long batch)
    conn = connect(app.config["DATABASE"])
    try:
        sid = store_submission(conn, app.config["DATA_DIR"], files=[("017_1.jpg", jpeg_bytes())], source="trainee",
                               exercise=code, dedupe=False).id
        first = queue_grading(conn, sid, runner=runner)
        assert queue_grading(conn, sid, runner=runner) is None and queue_stranded(runner, older_than_s=0) == 0
    finally:
        conn.close()
    assert [j["id"] for j in jobs_of(app, sid)] == [first]


def test_the_start_queues_a_stranded_sheet_as_it_would_have_been_queued(code):
    """What a crash between the two commits left: at the next start, a trainee's sheet goes before the batches, and
    one whose photo killed its worker runs alone (the start queued every such sheet as a batch's, beside others)."""
    app = make_test_app()
    client = app.test_client()
    upload(client, code)
    upload(client, code, name="018_1.jpg", trainee="018")
    trainee, other = [r["id"] for r in query(app, "SELECT id FROM submissions ORDER BY id")]
    crashed_its_worker(app, trainee)
    conn = connect(app.config["DATABASE"])
    conn.execute("UPDATE submissions SET source='batch' WHERE id=?", (other,))
    conn.execute("UPDATE submissions SET state='queued', error_code=NULL WHERE id IN (?, ?)", (trainee, other))
    conn.close()
    make_test_app().test_client().get("/")                          # the restart: its first request recovers
    assert wait_for(app, trainee)["state"] == "done" and wait_for(app, other)["state"] == "done"
    assert [(j["priority"], j["run_alone"]) for j in jobs_of(app, trainee)][-1] == (0, 1)
    assert [(j["priority"], j["run_alone"]) for j in jobs_of(app, other)][-1] == (1, 0)


def test_a_sheet_left_running_after_its_job_failed_is_failed_with_its_reason(code, monkeypatch):
    """Review: a job that failed for good whose failure hook could not mark its sheet failed (the database locked
    past its timeout, in the worker and again in the runner) left the sheet "being graded" for good: its page
    waited, and neither the sweep (queued sheets only) nor a restart (running jobs only) looked at it again. The
    sweep gives it its job's reason now, and its page offers to grade it again."""
    import grader.web.grading as grading

    runs = failing_first(monkeypatch, None, lambda: ZeroDivisionError("division by zero"))
    real, hooks = grading.fail_grade_job, []

    def locked_twice(*a, **k):
        hooks.append(a)
        if len(hooks) <= 2:
            raise sqlite3.OperationalError("database is locked")
        return real(*a, **k)
    monkeypatch.setattr(grading, "fail_grade_job", locked_twice)
    app = make_test_app(**{**SWEEPING, "JOBS_RETRY_DELAY_S": 0.05})
    client = app.test_client()
    try:
        page = upload(client, code).location
        sid = query(app, "SELECT id FROM submissions")[0]["id"]
        row = wait_for(app, sid, states=("failed",))
    finally:
        app.extensions["grader.jobs"].shutdown()
    assert (row["state"], row["error_code"]) == ("failed", "internal_error")
    assert len(hooks) == 2 and len(runs) == MAX_ATTEMPTS          # both hooks failed; the photo was not graded again
    assert [(j["state"], j["attempts"]) for j in jobs_of(app, sid)] == [("failed", MAX_ATTEMPTS)]
    html = client.get(page).get_data(as_text=True)
    assert "Server gagal menilai lembar ini" in html and "Coba proses lagi" in html


def test_a_sheet_running_under_a_live_job_is_left_to_it(code):
    """The sweep fails a sheet marked running only when its job has failed: a job queued again (an error it will be
    tried again for) or running, however long, keeps its sheet."""
    from grader.web.stranded import queue_stranded

    app = make_test_app(JOBS_RECOVER=False)
    runner = JobRunner(app.extensions["grader.jobs"].ctx, mode="thread", workers=1)
    runner.shutdown()                               # (it dispatches nothing)
    conn = connect(app.config["DATABASE"])
    try:
        sheets = []
        for n, state in enumerate(("queued", "running")):
            sid = store_submission(conn, app.config["DATA_DIR"], files=[(f"01{n}_1.jpg", jpeg_bytes())],
                                   source="trainee", exercise=code, dedupe=False).id
            queue_grading(conn, sid, runner=runner)
            conn.execute("UPDATE jobs SET state=?, attempts=1 WHERE id=(SELECT job_id FROM submissions WHERE id=?)",
                         (state, sid))
            sheets.append(sid)
        conn.execute("UPDATE submissions SET state='running', updated_at='2000-01-01T00:00:00+00:00'")
        assert queue_stranded(runner, older_than_s=0) == 0
        assert [r["state"] for r in conn.execute("SELECT state FROM submissions ORDER BY id")] == ["running"] * 2
    finally:
        conn.close()
