"""A trainee's "Coba proses lagi": a sheet the server failed on, graded again from its stored photos
(grader.web.grade_again), a few times, from the trainee's own result page."""
import io
import json
import logging
import re
import threading
import time

import pytest

import grader.web.testing as fake
from grader.errors import GraderError
from grader.web.db import connect
from grader.web.grade_again import TRAINEE_RETRIES
from grader.web.job_worker import SERVER_FAILURES
from grader.web.jobs import MAX_ATTEMPTS
from grader.web.testing import csrf_of, failing_first, jpeg_bytes, log_in, make_test_app

BUTTON = "Coba proses lagi"


def upload(client, code, name="017_1.jpg", trainee="017") -> str:
    """Send one photo as a trainee; the result page's address."""
    resp = client.post("/", data={"csrf_token": csrf_of(client), "code": code, "trainee": trainee,
                                  "photo_1": (io.BytesIO(jpeg_bytes()), name)}, content_type="multipart/form-data")
    assert resp.status_code == 302, resp.get_data(as_text=True)
    return resp.location


def sheet(app, page: str):
    conn = connect(app.config["DATABASE"])
    try:
        return conn.execute("SELECT * FROM submissions WHERE token=?", (page.rsplit("/", 1)[1],)).fetchone()
    finally:
        conn.close()


def jobs_of(app, row) -> list:
    conn = connect(app.config["DATABASE"])
    try:
        return conn.execute("SELECT * FROM jobs WHERE payload=? ORDER BY id",
                            (json.dumps({"submission_id": row["id"]}),)).fetchall()
    finally:
        conn.close()


def try_again(client, page: str, **data):
    """The result page's "Coba proses lagi" form, posted as a browser without the script does."""
    return client.post(page + "/nilai-ulang", data={"csrf_token": csrf_of(client), **data})


def wait_for_state(app, page: str, states: tuple[str, ...], timeout: float = 20):
    end = time.time() + timeout
    while (row := sheet(app, page))["state"] not in states and time.time() < end:
        time.sleep(0.05)
    return row


def test_a_sheet_the_server_failed_on_is_graded_again_at_its_trainees_request(code, monkeypatch, caplog):
    """The job failed MAX_ATTEMPTS times (the runner's own retries): the page offers "Coba proses lagi"; the stored
    photo is graded again (no upload), the page waits for it as after an upload, then shows the result."""
    caplog.set_level(logging.INFO, logger="grader.web.grade_again")
    runs = failing_first(monkeypatch, MAX_ATTEMPTS, lambda: ZeroDivisionError("division by zero"))
    app = make_test_app(JOBS_MODE="thread", JOBS_WORKERS=1, JOBS_RETRY_DELAY_S=0.05, JOBS_RECOVER=False)
    client = app.test_client()
    try:
        page = upload(client, code)
        failed = wait_for_state(app, page, ("done", "failed"))
        assert failed["state"] == "failed" and failed["error_code"] == "internal_error" and len(runs) == MAX_ATTEMPTS
        html = client.get(page).get_data(as_text=True)
        assert "Server gagal menilai lembar ini" in html and BUTTON in html and f'action="{page}/nilai-ulang"' in html
        assert "<h1>Lembar belum dinilai</h1>" in html          # not "Hasil penilaian" over a sheet not graded
        assert f"Sisa kesempatan: {TRAINEE_RETRIES}." in html
        gate = threading.Event()                         # (holds the grading until the waiting page is seen)
        flaky = fake.grade_upload
        monkeypatch.setattr(fake, "grade_upload", lambda *a, **k: gate.wait(10) and flaky(*a, **k))
        resp = try_again(client, page)
        assert resp.status_code == 303 and resp.location == page
        waiting = client.get(page).get_data(as_text=True)
        assert "Lembar Anda diproses lagi dari foto yang sudah tersimpan." in waiting
        assert "Sedang dinilai…" in waiting and "data-poll=" in waiting and 'http-equiv="refresh"' in waiting
        assert client.get(page + ".json").get_json()["state"] in ("queued", "running")
        gate.set()
        done = wait_for_state(app, page, ("done", "failed"))
    finally:
        app.extensions["grader.jobs"].shutdown()
    assert done["state"] == "done" and done["score"] > 90 and len(runs) == MAX_ATTEMPTS + 1
    assert done["trainee_retries"] == 1 and done["error_code"] is None
    jobs = jobs_of(app, done)
    assert [j["state"] for j in jobs] == ["failed", "done"] and done["job_id"] == jobs[1]["id"]
    assert jobs[1]["priority"] == 0                      # (the trainee waits at the page: before a batch)
    result = client.get(page).get_data(as_text=True)
    assert re.search(r"<b>9\d</b>", result) and "Server gagal" not in result and BUTTON not in result
    assert sheet(app, page)["content_hash"] == failed["content_hash"]      # the same photos, no new sheet
    assert any("graded again at its trainee's request (1 of 2 allowed)" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize("error_code", sorted(SERVER_FAILURES))
def test_each_failure_of_the_server_is_offered_again_in_both_languages(code, error_code):
    """A sheet left failed by the server for any of its reasons (a worker that died under the photo too) offers
    the button, in English as well, and is graded when it is pressed."""
    app = make_test_app()
    client = app.test_client()
    page = upload(client, code)
    conn = connect(app.config["DATABASE"])
    conn.execute("UPDATE submissions SET state='failed', error_code=?, error_id='Server gagal.', "
                 "error_en='The server failed.' WHERE id=?", (error_code, sheet(app, page)["id"]))
    conn.close()
    assert BUTTON in client.get(page).get_data(as_text=True)
    english = client.get(page + "?lang=en").get_data(as_text=True)
    assert "Try processing again" in english and "Tries left: 2." in english and BUTTON not in english
    client.get(page + "?lang=id")
    assert try_again(client, page).status_code == 303
    assert sheet(app, page)["state"] == "done" and len(jobs_of(app, sheet(app, page))) == 2
    # a photo that killed its worker runs alone from the start this time (helper-60's finding: it was handed to
    # the pool beside the class's sheets, and took them down with it again)
    assert [j["run_alone"] for j in jobs_of(app, sheet(app, page))] == [0, int(error_code == "worker_crashed")]


def test_another_trainees_link_cannot_have_a_sheet_graded_again(code, monkeypatch):
    """The sheet's own link is what lets its trainee act on it, as for its page: another trainee's link (of a sheet
    of their own), whatever its form says, or a guessed one, queues nothing; nor does a form from another site."""
    app = make_test_app()
    other = app.test_client()
    theirs = upload(other, code, name="018_1.jpg", trainee="018")      # graded: the pipeline works for them
    failing_first(monkeypatch, None, lambda: ZeroDivisionError("division by zero"))
    owner = app.test_client()
    mine = upload(owner, code)
    failed = sheet(app, mine)
    assert failed["state"] == "failed" and len(jobs_of(app, failed)) == 1
    resp = try_again(other, theirs, token=mine.rsplit("/", 1)[1], submission_id=str(failed["id"]))
    assert resp.status_code == 303 and resp.location == theirs
    guessed = mine[:-4] + ("aaaa" if not mine.endswith("aaaa") else "bbbb")
    assert try_again(other, guessed).status_code == 404
    assert other.post(mine + "/nilai-ulang").status_code == 400        # no CSRF token: a form from another site
    assert sheet(app, mine)["state"] == "failed" and sheet(app, mine)["trainee_retries"] == 0
    assert len(jobs_of(app, failed)) == 1 and len(jobs_of(app, sheet(app, theirs))) == 1
    assert try_again(owner, mine).status_code == 303                   # (its own link does)
    assert len(jobs_of(app, failed)) == 2 and sheet(app, mine)["trainee_retries"] == 1


@pytest.mark.parametrize("name, error", [
    ("017_1_blur.jpg", None),                                          # refused as blurry: a result, with a retake
    ("017_1.jpg", lambda: GraderError("not_an_image", "This file is not a photo.", "Berkas ini bukan foto.")),
])
def test_a_sheet_refused_or_failed_for_its_photo_is_not_graded_again(code, monkeypatch, name, error):
    """Grading the same photo again would give the same: a photo refused for its quality is told to retake it, and
    a file the grader cannot take to send another; neither is offered the button, and a forged post queues nothing."""
    if error:
        failing_first(monkeypatch, None, error)
    app = make_test_app()
    client = app.test_client()
    page = upload(client, code, name=name)
    before = sheet(app, page)
    assert before["state"] == ("done" if error is None else "failed")
    html = client.get(page).get_data(as_text=True)
    assert BUTTON not in html and "/nilai-ulang" not in html
    assert ("foto ulang" in html.lower()) if error is None else ("Berkas ini bukan foto." in html)
    resp = try_again(client, page)
    assert resp.status_code == 303
    after = client.get(page).get_data(as_text=True)
    assert ("tidak bisa diproses lagi dari sini" in after) == (error is not None)
    row = sheet(app, page)
    assert (row["state"], row["error_code"], row["trainee_retries"]) == (before["state"], before["error_code"], 0)
    assert len(jobs_of(app, row)) == 1


def test_a_trainee_may_have_a_sheet_graded_again_twice_then_the_page_sends_them_to_the_trainer(code, monkeypatch):
    real = fake.grade_upload
    runs = failing_first(monkeypatch, None, lambda: ZeroDivisionError("division by zero"))
    app = make_test_app()
    client = app.test_client()
    page = upload(client, code)
    for tried in range(1, TRAINEE_RETRIES + 1):
        assert try_again(client, page).status_code == 303
        row = sheet(app, page)
        assert row["state"] == "failed" and row["trainee_retries"] == tried
        html = client.get(page).get_data(as_text=True)
        # (honest: it failed again, and says so, with the server's reason)
        assert f"Anda sudah {tried} kali meminta lembar ini diproses lagi, tetapi server gagal lagi." in html
        assert "Terjadi kesalahan pada server saat menilai" in html
    assert len(runs) == (TRAINEE_RETRIES + 1) * MAX_ATTEMPTS
    assert BUTTON not in html and "/nilai-ulang" not in html
    assert "Kesempatan dari halaman ini sudah habis. Minta pelatih menilai ulang lembar ini" in html
    resp = try_again(client, page)                                     # (a page left open, or a forged post)
    assert resp.status_code == 303
    assert "tidak bisa diproses lagi dari sini" in client.get(page).get_data(as_text=True)
    assert len(runs) == (TRAINEE_RETRIES + 1) * MAX_ATTEMPTS and len(jobs_of(app, row)) == TRAINEE_RETRIES + 1
    assert sheet(app, page)["trainee_retries"] == TRAINEE_RETRIES
    monkeypatch.setattr(fake, "grade_upload", real)                    # (mended)
    trainer = app.test_client()                                        # the trainer's "grade again" is not limited
    log_in(trainer)
    trainer.post(f"/trainer/lembar/{row['id']}/nilai-ulang", data={"csrf_token": csrf_of(trainer, "/trainer/")})
    assert sheet(app, page)["state"] == "done"


def test_a_graded_sheet_offers_no_grading_again(code):
    app = make_test_app()
    client = app.test_client()
    page = upload(client, code)
    html = client.get(page).get_data(as_text=True)
    assert sheet(app, page)["state"] == "done" and re.search(r"<b>9\d</b>", html)
    assert BUTTON not in html and "/nilai-ulang" not in html
    assert try_again(client, page).status_code == 303
    assert "tidak bisa diproses lagi" not in client.get(page).get_data(as_text=True)
    assert len(jobs_of(app, sheet(app, page))) == 1 and sheet(app, page)["trainee_retries"] == 0
