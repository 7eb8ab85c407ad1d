"""What a crash (kill -9, power cut) in the middle of a request leaves behind, and what the next start makes of it."""
import io
import json
import re
import time
from contextlib import contextmanager

import pytest

from grader.exercise.store import load_key
from grader.web.db import connect
from grader.web.testing import (REVIEW_FIELD, WRONG_FIELD, csrf_of, jpeg_bytes, log_in, make_test_app,
                                stored_an_hour_ago)


class PowerCut(BaseException):
    """The process stops here (raised where kill -9 would land)."""


@contextmanager
def crash_after(module, name: str):
    """Within the block, ``module.name`` does its work and then the process stops (kill -9 right after it)."""
    real = getattr(module, name)

    def done_then_cut(*a, **k):
        real(*a, **k)
        raise PowerCut()
    with pytest.MonkeyPatch.context() as m:
        m.setattr(module, name, done_then_cut)
        with pytest.raises(PowerCut):
            yield


@contextmanager
def cut_while_storing(sheets: int):
    """Within the block, a batch's sheets are stored one by one until ``sheets`` of them are; then the process
    stops (a power cut while the rest is being stored)."""
    import grader.web.batch_storing as batch_storing
    real, calls = batch_storing.store_submission, []

    def store_then_cut(*a, **k):
        if len(calls) == sheets:
            raise PowerCut()
        calls.append(1)
        return real(*a, **k)
    with pytest.MonkeyPatch.context() as m:
        m.setattr(batch_storing, "store_submission", store_then_cut)
        with pytest.raises(PowerCut):
            yield


def upload(client, code, name="017_1.jpg", photo=None):
    photo = jpeg_bytes() if photo is None else photo
    data = {"csrf_token": csrf_of(client), "code": code, "trainee": "017", "photo_1": (io.BytesIO(photo), name)}
    return client.post("/", data=data, content_type="multipart/form-data").location


def sheet(app, sid=1):
    conn = connect(app.config["DATABASE"])
    try:
        row = conn.execute("SELECT * FROM submissions WHERE id=?", (sid,)).fetchone()
    finally:
        conn.close()
    return row, {f["id"]: f for f in json.loads(row["result"])["fields"]}


def restart():
    app = make_test_app()
    app.test_client().get("/")                     # the first request runs the recovery
    return app


def untouched_for_an_hour(*folders) -> None:
    """Make photo folders (and their photos' folders) look untouched for over an hour: old enough for the look for
    folders no sheet holds (grader.web.unrecorded) to set aside those it cannot record."""
    untouched_for(3700, *folders)


def untouched_for(seconds: float, *folders) -> None:
    import os

    then = time.time() - seconds
    for folder in folders:
        for d in (folder, folder / "upload"):
            os.utime(d, (then, then))


def graded_for_review(code, **config):
    """A trainee's sheet graded and a trainer logged in: the app, the trainee's and the trainer's clients, the sheet's
    page and row, what the key says of REVIEW_FIELD (the trainer's correction) and of WRONG_FIELD (what the trainee
    says they wrote: we misread it)."""
    app = make_test_app(**config)
    trainee, trainer = app.test_client(), app.test_client()
    page = upload(trainee, code)
    log_in(trainer)
    key = load_key(code)
    return app, trainee, trainer, page, sheet(app)[0], key.fields[REVIEW_FIELD], str(key.fields[WRONG_FIELD])


def test_a_correction_and_a_dispute_stored_just_before_a_crash_are_in_the_score_after_the_restart(code, monkeypatch,
                                                                                                 caplog):
    """Both are stored first; a crash before the regrade stored the new result must not leave the score without them
    (the trainee could not dispute again: 'already disputed'; the field would not be in the trainer's queue)."""
    import grader.web.review_actions as review_actions

    app, trainee, trainer, page, before, right, said = graded_for_review(code)

    def cut(*a, **k):
        raise PowerCut()
    with monkeypatch.context() as m:
        m.setattr(review_actions, "_regrade_stored", cut)
        with pytest.raises(PowerCut):
            trainee.post(page + "/sanggah", data={"csrf_token": csrf_of(trainee, page), "field": WRONG_FIELD,
                                                  "written": said})
        with pytest.raises(PowerCut):
            trainer.post("/trainer/lembar/1/koreksi", data={"csrf_token": csrf_of(trainer, "/trainer/"),
                                                            "field": REVIEW_FIELD, "value": str(right)})
    assert sheet(app)[0]["score"] == before["score"]               # (the crash: stored, not yet in the score)
    app = restart()
    row, fields = sheet(app)
    assert fields[WRONG_FIELD]["status"] == "review" and fields[WRONG_FIELD]["trainee_says"] == said
    assert fields[REVIEW_FIELD]["value"] == right and fields[REVIEW_FIELD]["corrected_by"] == "Ibu Sari"
    assert row["score"] == 100 > before["score"]
    trainer = app.test_client()
    log_in(trainer)
    assert f"Disanggah peserta: menulis {said}" in trainer.get(f"/trainer/latihan/{code}/periksa").get_data(as_text=True)
    caplog.clear()
    restart()                                      # settled: the next start regrades nothing
    assert "regrading it" not in caplog.text


def test_a_correction_while_a_sheet_is_graded_again_after_a_crash_says_so_and_what_was_typed(code, monkeypatch):
    """h35b: a crash after a sheet's grading stored its result but before its job was marked done re-runs it at
    start; a trainer correcting the sheet meanwhile (its page loaded before) was refused as "replaced (merged or
    split)", and a trainee's dispute as "replaced", which sent them looking for a sheet that does not exist. Both are
    told the sheet is being graded again, with what they typed, to send it again in a moment; then it goes in."""
    import threading

    import grader.web.grading as grading
    import grader.web.review_actions  # noqa: F401 - (imported before its store_result is cut below)
    import grader.web.testing as fake

    with crash_after(grading, "store_result"):
        upload(make_test_app().test_client(), code)
    row, _ = sheet(make_test_app())
    assert row["state"] == "done"                  # (graded; its job left running by the crash)
    started, release, real = threading.Event(), threading.Event(), fake.grade_upload

    def slow(*a, **k):
        started.set()
        release.wait(30)
        return real(*a, **k)
    monkeypatch.setattr(fake, "grade_upload", slow)
    app = make_test_app(JOBS_MODE="thread", JOBS_WORKERS=1)
    try:
        trainer, trainee = app.test_client(), app.test_client()
        log_in(trainer)                            # (the first request: the start's recovery re-runs the job)
        assert started.wait(20) and sheet(app)[0]["state"] == "running"
        headers = {"X-Requested-With": "fetch", "X-CSRF-Token": csrf_of(trainer, "/trainer/")}
        said = trainer.post("/trainer/lembar/1/koreksi", data={"field": REVIEW_FIELD, "value": "X47"}, headers=headers)
        message = said.get_json()["message"]
        # (409 by fetch as by the form: it was 400 by fetch, as if the value typed were bad; helper-196)
        assert said.status_code == 409 and "sedang dinilai ulang" in message and "menjadi 47" in message
        assert "diganti" not in message and "Simpan lagi sebentar lagi" in message
        page = trainer.post("/trainer/lembar/1/koreksi", data={"csrf_token": headers["X-CSRF-Token"],
                                                                "field": REVIEW_FIELD, "value": "",
                                                                "back": "/trainer/lembar/1"})
        text = page.get_data(as_text=True)         # (no form: a page of its own, not the one reloading itself)
        assert page.status_code == 409 and "sedang dinilai ulang" in text and "menjadi kosong" in text
        disputed = trainee.post(f"/hasil/{row['token']}/sanggah", data={"csrf_token": csrf_of(trainee),
                                                                       "field": WRONG_FIELD, "written": "X12"},
                                follow_redirects=True).get_data(as_text=True)
        assert "sedang dinilai ulang" in disputed and "Anda menulis X12" in disputed and "diganti" not in disputed
        conn = connect(app.config["DATABASE"])
        assert conn.execute("SELECT (SELECT COUNT(*) FROM corrections) + (SELECT COUNT(*) FROM disputes)"
                            ).fetchone()[0] == 0
        release.set()
        for _ in range(200):
            if sheet(app)[0]["state"] == "done":
                break
            time.sleep(0.05)
        conn.close()
        again = trainer.post("/trainer/lembar/1/koreksi", data={"field": REVIEW_FIELD, "value": "47"},
                             headers=headers)
        assert again.status_code == 200 and sheet(app)[1][REVIEW_FIELD]["value"] == 47
    finally:
        release.set()
        app.extensions["grader.jobs"].shutdown()


def test_a_sheet_whose_grading_re_run_failed_says_so_not_replaced_and_what_happens_next(code, monkeypatch):
    """h35b: a sheet graded, its job left running by a crash, is graded again at start; when that fails (here the disk
    full), the sheet is failed and still holds its earlier result. A correction of it (the trainer's page loaded
    before) was refused as "replaced (merged or split)", a dispute as "this result has been replaced", and the
    trainee's page said "not graded yet" of a sheet that was. They now say that grading it again failed, that the
    earlier result is kept, and what to do: grade it again from the stored photos, then send it again."""
    import errno

    import grader.web.grading as grading
    import grader.web.review_actions  # noqa: F401 - (imported before its store_result is cut below)
    import grader.web.testing as fake

    with crash_after(grading, "store_result"):
        upload(make_test_app().test_client(), code)

    def disk_full(*a, **k):
        raise OSError(errno.ENOSPC, "No space left on device")
    with monkeypatch.context() as m:
        m.setattr(fake, "grade_upload", disk_full)
        app = restart()                            # (the re-run fails: storage_full)
    row, _ = sheet(app)
    assert row["state"] == "failed" and row["error_code"] == "storage_full" and row["result"]
    trainee, trainer, page = app.test_client(), app.test_client(), f"/hasil/{row['token']}"
    text = trainee.get(page).get_data(as_text=True)
    assert "Penilaian ulang gagal" in text and "sudah pernah dinilai" in text and "Lembar belum dinilai" not in text
    assert "Coba proses lagi" in text                # (what to do: a failure of the server, graded again from photos)
    log_in(trainer)
    text = trainer.get("/trainer/lembar/1").get_data(as_text=True)
    assert "Penilaian ulang gagal" in text and "Hasil sebelumnya masih tersimpan" in text
    assert "Nilai ulang dari foto yang tersimpan" in text
    said = trainer.post("/trainer/lembar/1/koreksi", data={"field": REVIEW_FIELD, "value": "X47"},
                        headers={"X-Requested-With": "fetch", "X-CSRF-Token": csrf_of(trainer, "/trainer/")})
    message = said.get_json()["message"]
    assert said.status_code == 400 and "diganti" not in message
    assert "Penilaian ulang lembar ini gagal" in message and "menjadi 47 belum tersimpan" in message
    assert "Nilai ulang lembar ini dari foto yang tersimpan" in message
    disputed = trainee.post(page + "/sanggah", data={"csrf_token": csrf_of(trainee, page), "field": WRONG_FIELD,
                                                     "written": "X12"}, follow_redirects=True).get_data(as_text=True)
    assert "diganti" not in disputed and "Penilaian ulang lembar ini gagal" in disputed
    assert "Anda menulis X12) belum tersimpan" in disputed
    conn = connect(app.config["DATABASE"])
    assert conn.execute("SELECT (SELECT COUNT(*) FROM corrections) + (SELECT COUNT(*) FROM disputes)").fetchone()[0] == 0
    conn.close()
    assert trainer.post("/trainer/lembar/1/nilai-ulang", data={"csrf_token": csrf_of(trainer, "/trainer/")}
                        ).status_code == 303            # (graded again: then the correction goes in)
    again = trainer.post("/trainer/lembar/1/koreksi", data={"field": REVIEW_FIELD, "value": "47"},
                         headers={"X-Requested-With": "fetch", "X-CSRF-Token": csrf_of(trainer, "/trainer/")})
    assert again.status_code == 200 and sheet(app)[1][REVIEW_FIELD]["value"] == 47


def _wait_for(condition, seconds: float = 10.0) -> bool:
    for _ in range(int(seconds / 0.05)):
        if condition():
            return True
        time.sleep(0.05)
    return condition()


@pytest.mark.parametrize("fails", ["once", "always"])
@pytest.mark.parametrize("table", ["corrections", "disputes"])
def test_a_correction_whose_regrade_fails_is_kept_and_counts_once_the_server_tried_again(code, monkeypatch, caplog,
                                                                                        table, fails):
    """h35b: a correction (or a dispute) is stored, then its sheet regraded; a regrade failing otherwise than by a
    crash (a bug, a database locked past its timeout) answered "a server error, try again in a moment", though the
    correction was kept (saving it again stored it twice). Its sender is told just that: kept, not yet in the score.
    h37b: it then counted only at the sheet's next correction or the next start; the job runner now regrades the
    sheet again a moment later (``fails="once"``: in the score with no restart), a few times, and only if all of
    those fail (``"always"``: logged) is it left to the next start, which puts it there."""
    import sqlite3

    import grader.web.testing as fake

    app, trainee, trainer, page, before, right, said = graded_for_review(code, JOBS_RETRY_DELAY_S=0.02)
    real, calls = fake.regrade, []

    def locked(*a, **k):
        calls.append(1)
        if fails == "once" and len(calls) > 1:
            return real(*a, **k)
        raise sqlite3.OperationalError("database is locked")

    def scored(fields) -> bool:
        if table == "corrections":
            return fields[REVIEW_FIELD]["value"] == right and fields[REVIEW_FIELD]["corrected_by"] == "Ibu Sari"
        return fields[WRONG_FIELD]["status"] == "review" and fields[WRONG_FIELD]["trainee_says"] == said
    with monkeypatch.context() as m:
        m.setattr(fake, "regrade", locked)
        if table == "corrections":
            resp = trainer.post("/trainer/lembar/1/koreksi", data={"field": REVIEW_FIELD, "value": str(right)},
                                headers={"X-Requested-With": "fetch", "X-CSRF-Token": csrf_of(trainer, "/trainer/")})
            text = resp.get_json()["message"]
            assert "Koreksi" in text and "sudah tersimpan" in text and "belum dihitung ulang" in text
        else:
            text = trainee.post(page + "/sanggah", data={"csrf_token": csrf_of(trainee, page), "field": WRONG_FIELD,
                                                         "written": said}, follow_redirects=True).get_data(as_text=True)
            assert "Sanggahan Anda" in text and "sudah tersimpan" in text and "belum sampai ke pelatih" in text
        assert "mencobanya lagi sendiri dalam beberapa detik" in text
        assert "dinyalakan ulang" in text and "Coba lagi sebentar lagi" not in text
        assert "is stored, but regrading the sheet with it failed" in caplog.text
        if fails == "once":
            assert _wait_for(lambda: scored(sheet(app)[1]))        # (no restart: the job runner's regrade)
            assert sheet(app)[0]["score"] != before["score"] or table == "disputes"
            return
        assert _wait_for(lambda: "failed 6 times" in caplog.text)
    assert sheet(app)[0]["score"] == before["score"] and not scored(sheet(app)[1])
    assert scored(sheet(restart())[1])


@pytest.mark.parametrize("table", ["corrections", "disputes"])
def test_a_correction_whose_regrade_meets_a_full_disk_says_the_storage_not_a_server_error(code, monkeypatch, table):
    """Rehearsal (helper-193, the data folder on a tmpfs with a few kilobytes left, real server): the correction's
    row went in, its regrade's result did not ("database or disk is full"), and the trainer was told "karena
    kesalahan server" (a server error). It is said as the storage's trouble, as every page says a full disk; that
    it is kept, and when it counts, as before."""
    import sqlite3

    import grader.web.testing as fake

    app, trainee, trainer, page, before, right, said = graded_for_review(code, JOBS_RETRY_DELAY_S=30)

    def full(*a, **k):
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(fake, "regrade", full)
    if table == "corrections":
        text = trainer.post("/trainer/lembar/1/koreksi", data={"field": REVIEW_FIELD, "value": str(right)},
                            headers={"X-Requested-With": "fetch", "X-CSRF-Token": csrf_of(trainer, "/trainer/")}
                            ).get_json()["message"]
        assert text.startswith(f"Koreksi {REVIEW_FIELD} sudah tersimpan, tetapi karena penyimpanan server penuh atau "
                               f"tidak bisa ditulisi nilai lembar ini belum dihitung ulang.")
    else:
        text = trainee.post(page + "/sanggah", data={"csrf_token": csrf_of(trainee, page), "field": WRONG_FIELD,
                                                     "written": said}, follow_redirects=True).get_data(as_text=True)
        assert "tetapi karena penyimpanan server penuh atau tidak bisa ditulisi belum sampai ke pelatih" in text
    assert "kesalahan server" not in text and "tidak hilang" in text
    with app.app_context():
        from grader.web.db import get_db
        assert get_db().execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] == 1


@pytest.mark.parametrize("grading", ["finished", "started"])
def test_a_grading_run_while_a_correction_is_regraded_loses_neither(code, monkeypatch, grading):
    """h37b: a graded sheet's grading may run again while it is still 'done' (its job left running by a crash is re-run
    at start; the sheet is marked running only once a worker takes it), and a trainer's correction arriving then is
    stored. If that grading started and stored its reading while the correction's regrade was computing
    (``"finished"``), the regrade then stored its result, computed from the earlier reading, over it: the re-run's
    reading was lost (the sheet's result and its stored original disagreed). The regrade now computes again from the
    reading stored, holding both. A grading that has started and not finished (``"started"``) applies the correction
    itself: the trainer is told it is saved and counts once that grading has finished (not "replaced")."""
    import grader.web.grading as grading_module
    import grader.web.review_actions as review_actions
    import grader.web.testing as fake

    app, trainee, trainer, page, before, right, said = graded_for_review(code)
    assert before["n_wrong"] >= 1
    ctx = app.extensions["grader.jobs"].ctx
    real_apply, real_grade, hooked = review_actions.apply_corrections, fake.grade_upload, []

    def reads_it_right(*a, **k):             # the grading run again reads WRONG_FIELD as written this time
        result = real_grade(*a, **k)
        for f in result["fields"]:
            if f["id"] == WRONG_FIELD:
                f.update(value=f["expected"], status="ok")
        return fake._summarise(result)

    def regrade_with_a_grading_meanwhile(*a, **k):     # (the correction is stored; its regrade computes)
        if not hooked:
            hooked.append(1)
            conn = connect(app.config["DATABASE"])
            if grading == "started":                   # (as run_grade_job marks it, first)
                conn.execute("UPDATE submissions SET state='running' WHERE id=1")
            else:
                with monkeypatch.context() as m:
                    m.setattr(fake, "grade_upload", reads_it_right)
                    grading_module.run_grade_job({"submission_id": 1}, ctx)
            conn.close()
        return real_apply(*a, **k)
    monkeypatch.setattr(review_actions, "apply_corrections", regrade_with_a_grading_meanwhile)
    said = trainer.post("/trainer/lembar/1/koreksi", data={"field": REVIEW_FIELD, "value": str(right)},
                        headers={"X-Requested-With": "fetch", "X-CSRF-Token": csrf_of(trainer, "/trainer/")})
    if grading == "started":
        message = said.get_json()["message"]
        # (409, `being_graded`, by fetch as by the form: 6c4377a)
        assert said.status_code == 409 and "diganti" not in message and "sudah tersimpan" in message
        assert "sedang dinilai ulang" in message and "begitu penilaiannya selesai" in message
        monkeypatch.setattr(fake, "grade_upload", reads_it_right)
        grading_module.run_grade_job({"submission_id": 1}, ctx)      # (that grading finishes)
    else:
        assert said.status_code == 200
    row, fields = sheet(app)
    assert fields[REVIEW_FIELD]["value"] == right and fields[REVIEW_FIELD]["corrected_by"] == "Ibu Sari"
    assert fields[WRONG_FIELD]["status"] == "ok" and row["n_wrong"] == before["n_wrong"] - 1
    original = {f["id"]: f for f in json.loads(row["result_original"])["fields"]}
    assert original[WRONG_FIELD]["value"] == fields[WRONG_FIELD]["value"]


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/status") as fh:
            return "\nState:\tZ" not in fh.read()
    except FileNotFoundError:
        return False


def test_worker_processes_end_when_the_web_process_is_killed(tmp_path):
    """kill -9 (or the OOM killer) of the web process alone must not leave its grading workers running: each holds
    the pipeline in memory, and a restarted server starts its own."""
    import os
    import signal
    import subprocess
    import sys
    import time

    script = ("import os, sys, time\n"
              "from grader.web.jobs import JobContext, JobRunner\n"
              f"r = JobRunner(JobContext({str(tmp_path / 'db')!r}, {str(tmp_path)!r}, 'grader.web.testing'), "
              "mode='process', workers=1)\n"
              "print(r._current_pool().executor.submit(os.getpid).result(), flush=True)\n"
              "time.sleep(60)\n")
    web = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    worker = int(web.stdout.readline())
    try:
        web.send_signal(signal.SIGKILL)
        web.wait()
        end = time.time() + 10
        while _alive(worker) and time.time() < end:
            time.sleep(0.1)
        assert not _alive(worker)
    finally:
        if _alive(worker):
            os.kill(worker, signal.SIGKILL)


def batch_cut_by_a_crash(code, client_token: str):
    """The app restarted after a crash cut short the storing of a trainer's batch (test_web_trainer.CLASS, one sheet
    stored) sent with form token ``client_token``."""
    from test_web_trainer import CLASS as photos
    from test_web_trainer import batch

    app = make_test_app()
    trainer = app.test_client()
    log_in(trainer)
    with cut_while_storing(sheets=1):
        batch(trainer, code, photos, client_token=client_token)
    return restart()


def trainer_at_a_batch_cut_by_a_crash(code):
    """:func:`batch_cut_by_a_crash` (form token "crashed"): the app, a trainer logged in, the batch's token."""
    app = batch_cut_by_a_crash(code, client_token="crashed")
    trainer = app.test_client()
    log_in(trainer)
    conn = connect(app.config["DATABASE"])
    try:
        return app, trainer, conn.execute("SELECT token FROM batches").fetchone()["token"]
    finally:
        conn.close()


@pytest.mark.parametrize("later", [False, True], ids=["at_once", "an_hour_later"])
def test_a_batch_cut_short_by_a_crash_takes_the_rest_when_the_same_form_is_sent_again(code, monkeypatch, later):
    """A crash while a batch's photos are being stored: the trainer reloads ('send the form again', the same form
    token). That must not lead to the half-stored batch as if it were all there: the photos never stored are
    stored now, and those stored before are not stored twice, however long after the crash the form comes back
    (review: after ten minutes they were stored again, a second sheet for the same trainee)."""
    from test_web_trainer import CLASS as photos
    from test_web_trainer import batch

    app = batch_cut_by_a_crash(code, client_token="reload")
    if later:
        stored_an_hour_ago(app)                    # the trainer sends the form again after the lesson
    trainer = app.test_client()
    log_in(trainer)
    resent = batch(trainer, code, photos, client_token="reload")
    assert resent.status_code == 302
    conn = connect(app.config["DATABASE"])
    try:
        sheets = sorted(r[0] for r in conn.execute("SELECT trainee FROM submissions WHERE state='done'"))
    finally:
        conn.close()
    assert sheets == ["017", "021", "033"]


def test_a_batch_a_crash_cut_short_says_so_until_it_is_sent_again(code):
    """Rehearsal (helper-139): killed while a zip of 32 photos was being stored, the batch said "2 / 2 lembar
    selesai … Selesai" after the restart, and nothing told the trainer that 30 photos were never stored. It says it
    was cut short (its page, its JSON, the exercise's list of uploads) until the same photos are sent again."""
    from test_web_trainer import CLASS as photos
    from test_web_trainer import batch

    _, trainer, token = trainer_at_a_batch_cut_by_a_crash(code)
    page = trainer.get(f"/trainer/batch/{token}").get_data(as_text=True)
    assert "terputus sebelum semua fotonya tersimpan" in page and f'href="/trainer/latihan/{code}"' in page
    assert trainer.get(f"/trainer/batch/{token}.json").get_json()["cut_short"] is True
    assert "terputus: kirim lagi" in trainer.get(f"/trainer/latihan/{code}").get_data(as_text=True)
    english = trainer.get(f"/trainer/batch/{token}?lang=en").get_data(as_text=True)
    assert "Sending this upload was cut short" in english
    # a new form (the page opened again) holding the same photos completes it
    assert batch(trainer, code, photos, client_token="anew").location.endswith(f"/trainer/batch/{token}")
    page = trainer.get(f"/trainer/batch/{token}").get_data(as_text=True)
    assert "terputus" not in page and trainer.get(f"/trainer/batch/{token}.json").get_json()["cut_short"] is False
    assert "terputus" not in trainer.get(f"/trainer/latihan/{code}").get_data(as_text=True)


def test_a_batch_cut_short_says_what_was_stored_is_graded_only_once_it_is(code):
    """Rehearsal (helper-195, follow-up by helper-196): a batch a crash cut short said "Yang tersimpan sudah dinilai"
    above "0 / 18 lembar selesai", its photos waiting for grading. It says they are being graded until they are."""
    app, trainer, token = trainer_at_a_batch_cut_by_a_crash(code)
    conn = connect(app.config["DATABASE"])
    try:
        with conn:
            conn.execute("UPDATE submissions SET state='queued'")     # (as at the restart: waiting to be graded)

        def said(lang="id"):
            page = trainer.get(f"/trainer/batch/{token}?lang={lang}").get_data(as_text=True)
            return re.search(r"data-cut-short><p[^>]*>(.*?)<a ", page, re.S).group(1)
        assert "Yang tersimpan sedang dinilai." in said() and "sudah dinilai" not in said()
        assert "What was stored is being graded." in said("en")
        with conn:
            conn.execute("UPDATE submissions SET state='done'")
    finally:
        conn.close()
    assert "Yang tersimpan sudah dinilai." in said() and "What was stored is graded." in said("en")


def test_a_batch_stored_whole_just_before_a_crash_is_that_batch_when_its_form_comes_back_later(code):
    """The crash came after every photo of a batch was stored but before the batch was marked sent (the next start
    clears what it was marked with): the same form sent again, however late, leads to that batch. Nothing is stored
    twice, and the trainer is not told there was nothing to grade."""
    import grader.web.trainer.batch_upload as batch_upload
    from test_web_trainer import CLASS, batch

    app = make_test_app()
    trainer = app.test_client()
    log_in(trainer)
    with crash_after(batch_upload, "store_batch"):
        batch(trainer, code, CLASS, client_token="reload")
    app = restart()
    stored_an_hour_ago(app)
    trainer = app.test_client()
    log_in(trainer)
    resent = batch(trainer, code, CLASS, client_token="reload")
    conn = connect(app.config["DATABASE"])
    try:
        [first] = conn.execute("SELECT token FROM batches").fetchall()
        assert conn.execute("SELECT COUNT(*) FROM submissions").fetchone()[0] == 3
    finally:
        conn.close()
    assert resent.status_code == 302 and resent.location.endswith(f"/trainer/batch/{first['token']}")


#: a class sent as a chat export: trainee 063's two pages carry no page number in their names, and only the number
#: written on them, read unsure, pairs them (evidence that names nobody, so it pairs pages within one batch only);
#: "Foto 3/1/2" are a camera's count, each its own sheet. A cut after two sheets splits 063's pages, and leaves
#: "Foto 1" and "Foto 2", which sent alone would read as one sheet's page 1 and page 2.
SPLIT_CLASS = [("unsure-063-WA0001_p1.jpg", jpeg_bytes()), ("Foto 3.jpg", jpeg_bytes(color="#eeeeee")),
               ("Foto 1.jpg", jpeg_bytes(color="#e0e0e0")), ("Foto 2.jpg", jpeg_bytes(color="#d8d8d8")),
               ("unsure-063-WA0002_p2.jpg", jpeg_bytes(color="#d0d0d0"))]


def error_at_photo(monkeypatch, n: int):
    """The ``n``-th photo file written raises a RuntimeError once created (a bug in the middle of storing)."""
    import builtins

    import grader.web.sheet_storing as sheet_storing
    opened = []

    def open_then_fail(path, mode, **kw):
        fh = builtins.open(path, mode, **kw)
        if str(path).endswith(sheet_storing.MANIFEST):      # (what a sending was sent with: not a photo)
            return fh
        opened.append(path)
        if len(opened) == n:
            fh.close()
            raise RuntimeError("a bug while writing a photo")
        return fh
    monkeypatch.setattr(sheet_storing, "open", open_then_fail, raising=False)


@pytest.mark.parametrize("cut", ["crash", "full_disk", "error"])
def test_a_batch_cut_short_and_sent_again_is_one_batch_paired_as_if_sent_at_once(code, monkeypatch, caplog, cut):
    """QA: the rest of a batch cut short (a crash, a full disk or an unexpected error while storing), sent again from
    the same form, was stored as a second batch: a trainee's page 1 in the first and page 2 in the second stayed two
    half sheets (an unsure number pairs pages within one batch only), and the rest was grouped by file name on its
    own ("Foto 1", "Foto 2" made one sheet). The rest now joins the first batch, grouped with what that stored, and
    is merged with it; every photo is stored once. An unexpected error (a bug, an odd I/O error) left the batch
    marked "being stored" until the next start, so sending the form again led to it as if whole; it is now cut
    short as a full disk leaves it, and the error is logged with its traceback."""
    import hashlib

    from test_web_trainee import full_disk_after
    from test_web_trainer import batch

    app = make_test_app()
    trainer = app.test_client()
    log_in(trainer)
    if cut == "crash":
        with cut_while_storing(sheets=2):
            batch(trainer, code, SPLIT_CLASS, client_token="cut")
        app = restart()
        trainer = app.test_client()
        log_in(trainer)
    elif cut == "full_disk":
        with monkeypatch.context() as m:
            full_disk_after(m, writes=2)                 # two of five sheets fit
            assert "/trainer/batch/" in batch(trainer, code, SPLIT_CLASS, client_token="cut").location
    else:
        with monkeypatch.context() as m:
            error_at_photo(m, 3)                         # two of five sheets are stored, then a bug raises
            first = batch(trainer, code, SPLIT_CLASS, client_token="cut")
        assert first.status_code == 302 and "/trainer/batch/" in first.location
        page = trainer.get(first.location).get_data(as_text=True)
        assert "Server gagal menyimpan: 2 dari 5 lembar tersimpan; kirim lagi foto yang sama." in page
        assert "Foto 1.jpg" in page and "Kirim lagi foto yang sama." in page        # the photos left out, named
        assert "a bug while writing a photo" in caplog.text and "Traceback" in caplog.text    # logged for the admin
        assert trainer.get("/trainer/kiriman/cut.json").status_code == 404   # not "arrived": it is not whole
        assert sum(1 for _ in (app.config["DATA_DIR"] / "submissions").iterdir()) == 2   # no half-written photo
    conn = connect(app.config["DATABASE"])
    assert conn.execute("SELECT COUNT(*) FROM submissions").fetchone()[0] == 2       # the cut: two sheets stored
    assert conn.execute("SELECT client_token FROM batches").fetchone()[0] is None    # cut short, not being stored
    conn.close()

    resent = batch(trainer, code, SPLIT_CLASS, client_token="cut")                    # the same form, sent again
    conn = connect(app.config["DATABASE"])
    try:
        [first] = conn.execute("SELECT * FROM batches").fetchall()                     # one batch
        kept = conn.execute("SELECT s.id, s.state, s.batch_id, GROUP_CONCAT(u.filename, '|') AS files, "
                            "GROUP_CONCAT(u.sha256, '|') AS digests FROM submissions s JOIN uploads u ON "
                            "u.submission_id = s.id WHERE s.state != 'merged' GROUP BY s.id").fetchall()
        stored = conn.execute("SELECT COUNT(*) FROM submissions WHERE superseded_by IS NOT NULL").fetchone()[0]
    finally:
        conn.close()
    assert resent.status_code == 302 and resent.location.endswith(f"/trainer/batch/{first['token']}")
    assert first["client_token"] == "cut"            # stored whole now: "did it arrive?" opens it
    assert {r["state"] for r in kept} == {"done"} and {r["batch_id"] for r in kept} == {first["id"]}
    digests = [d for r in kept for d in r["digests"].split("|")]
    assert sorted(digests) == sorted(hashlib.sha256(data).hexdigest() for _, data in SPLIT_CLASS)   # each once
    assert sorted(sorted(r["files"].split("|")) for r in kept) == [
        ["Foto 1.jpg"], ["Foto 2.jpg"], ["Foto 3.jpg"], ["unsure-063-WA0001_p1.jpg", "unsure-063-WA0002_p2.jpg"]]
    assert stored == 2                               # 063's two single pages, replaced by the merged sheet
    page = trainer.get(resent.location).get_data(as_text=True)
    assert "sudah tersimpan saat formulir ini dikirim sebelumnya" not in page      # they are this batch's own
    assert "Penyimpanan server penuh" not in page                                  # nothing is left out now
    status = trainer.get(resent.location + ".json").get_json()
    assert status["complete"] and status["total"] == 4
    again = batch(trainer, code, SPLIT_CLASS, client_token="cut")                  # once more: that batch, as it is
    assert again.location == resent.location
    conn = connect(app.config["DATABASE"])
    assert conn.execute("SELECT COUNT(*) FROM submissions").fetchone()[0] == 6
    conn.close()


def test_an_error_before_any_photo_of_a_batch_is_stored_keeps_nothing_and_the_same_form_sends_it_all(code,
                                                                                                     monkeypatch):
    """An unexpected error on a batch's first photo: no batch is left "being stored" (nor an empty one), the trainer
    is told to send the same form again, and that sending stores every photo once."""
    from test_web_trainer import CLASS, batch

    app = make_test_app()
    trainer = app.test_client()
    log_in(trainer)
    with monkeypatch.context() as m:
        error_at_photo(m, 1)
        first = batch(trainer, code, CLASS, client_token="again")
    assert first.status_code == 302
    assert "Kirim lagi foto yang sama" in trainer.get(first.location).get_data(as_text=True)
    assert trainer.get("/trainer/kiriman/again.json").status_code == 404
    conn = connect(app.config["DATABASE"])
    try:
        assert conn.execute("SELECT COUNT(*) FROM batches").fetchone()[0] == 0
        assert conn.execute("SELECT COUNT(*) FROM submissions").fetchone()[0] == 0
    finally:
        conn.close()
    assert not any((app.config["DATA_DIR"] / "submissions").iterdir())       # no half-written photo left behind
    resent = batch(trainer, code, CLASS, client_token="again")
    assert "/trainer/batch/" in resent.location
    conn = connect(app.config["DATABASE"])
    try:
        assert conn.execute("SELECT COUNT(*) FROM uploads").fetchone()[0] == 3
        assert conn.execute("SELECT client_token FROM batches").fetchone()[0] == "again"
    finally:
        conn.close()


def test_a_disk_that_fills_up_while_grading_is_named_as_the_reason(code, monkeypatch):
    """Grading writes pictures; a full disk then is no 'server error, send again' (sending again fills it more): the
    sheet is failed as storage_full, its photos are kept, and it is graded again from them once there is room."""
    import errno

    import grader.web.testing as fake

    app = make_test_app()
    client = app.test_client()
    real = fake.grade_upload
    with monkeypatch.context() as m:
        m.setattr(fake, "grade_upload", lambda *a, **k: (_ for _ in ()).throw(OSError(errno.ENOSPC, "No space left")))
        upload(client, code)
    conn = connect(app.config["DATABASE"])
    row = conn.execute("SELECT * FROM submissions WHERE id=1").fetchone()
    conn.close()
    assert row["state"] == "failed" and row["error_code"] == "storage_full"
    assert "Penyimpanan server penuh" in row["error_id"] and "full" in row["error_en"]
    assert fake.grade_upload is real
    trainer = app.test_client()
    log_in(trainer)
    trainer.post("/trainer/lembar/1/nilai-ulang", data={"csrf_token": csrf_of(trainer, "/trainer/")})
    assert sheet(app)[0]["state"] == "done"


def test_a_stored_photo_is_on_the_disk_before_the_database_says_it_is(code, monkeypatch, isolated_data_dir):
    """Power cut in class: a sheet recorded as stored must have its photo's bytes and name on the disk (fsync of the
    file and of its folder before the commit), and the commit itself must survive (synchronous = FULL)."""
    import os

    import grader.web.sheet_storing as sheet_storing

    synced, order = [], []
    real_fsync = os.fsync

    def fsync(fd):
        synced.append(os.readlink(f"/proc/self/fd/{fd}"))
        return real_fsync(fd)
    app = make_test_app()
    client = app.test_client()
    real_execute_begin = sheet_storing.now_iso
    monkeypatch.setattr(sheet_storing.os, "fsync", fsync)
    monkeypatch.setattr(sheet_storing, "now_iso", lambda: order.append(len(synced)) or real_execute_begin())
    upload(client, code)
    photo = next(p for p in synced if p.endswith("017_1.jpg"))
    folder = os.path.dirname(photo)
    assert folder in synced and synced.index(photo) < synced.index(folder)
    assert order and order[0] == len(synced)            # every fsync happened before the row was written
    conn = connect(app.config["DATABASE"])
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2          # FULL
    conn.close()


def test_photos_a_crash_left_unrecorded_are_set_aside_at_a_later_start_not_deleted(code, caplog):
    """h35b (kill -9 between writing an upload's photos and recording its row): the photo folder stayed for good,
    held by no sheet. Never said to be stored, so nothing is lost to its sender, but the disk fills. A start moves
    such a folder that cannot be recorded, once an hour old (a younger one may be another process's sending on its way
    to its row), to quarantine/ beside the database, and says so in the log; a stored sheet's folder stays, however old."""
    import grader.web.sheet_storing as sheet_storing

    app = make_test_app()
    trainee = app.test_client()
    with crash_after(sheet_storing, "_write_photos"):
        upload(trainee, code)
    upload(trainee, code)                          # sent again (from the same phone): stored, graded
    data = app.config["DATA_DIR"]
    stored = sheet(app)[0]["token"]
    [orphan] = [d.name for d in (data / "submissions").iterdir() if d.name != stored]
    restart()
    assert (data / "submissions" / orphan / "upload").is_dir()       # (young: kept where it is)
    untouched_for_an_hour(*(data / "submissions").iterdir())
    caplog.clear()
    restart()
    assert not (data / "submissions" / orphan).exists()
    assert [p.name for p in (data / "quarantine" / "submissions" / orphan / "upload").iterdir()] == ["01-017_1.jpg"]
    assert (data / "submissions" / stored / "upload" / "01-017_1.jpg").is_file()
    assert make_test_app().test_client().get(f"/hasil/{stored}").status_code == 200
    assert f"moved 1 photo folder(s) that no sheet holds to {data / 'quarantine' / 'submissions'}" in caplog.text
    assert orphan in caplog.text
    caplog.clear()
    restart()
    assert "photo folder" not in caplog.text


def test_a_whole_sending_a_crash_left_unrecorded_is_recorded_and_graded_at_a_later_start(code, caplog):
    """h37b: a kill -9 between writing a trainee's sending's photos and recording its row left a folder that a start
    moved to quarantine/ and no one saw again: in practice a lost submission (its sender, never answered, may not
    send again). The sending now writes what it was sent with beside its photos, after them (sheet.json); a start
    records such a whole folder as the sheet it was to be, which is then graded, and the trainee's link to it (the
    form's token) finds it. A folder without that record (here removed: a crash before it was written) cannot be
    recorded: it is set aside as before, and the trainer's exercises page says so."""
    import grader.web.sheet_storing as sheet_storing

    app = make_test_app()
    trainee = app.test_client()
    with crash_after(sheet_storing, "_write_photos"):
        upload(trainee, code)
    with crash_after(sheet_storing, "_write_photos"):    # (a photo of its own: 017's would stand for it)
        upload(app.test_client(), code, name="018_1.jpg", photo=jpeg_bytes(color="#eeeeee"))
    data = app.config["DATA_DIR"]
    folders = sorted((data / "submissions").iterdir(), key=lambda d: (d / "upload").iterdir().__next__().name)
    whole, cut = [d.name for d in folders]          # (017's, 018's)
    assert (data / "submissions" / whole / "sheet.json").is_file()
    (data / "submissions" / cut / "sheet.json").unlink()
    untouched_for_an_hour(*folders)
    caplog.clear()
    app = restart()
    row, fields = sheet(app)
    assert row["token"] == whole and row["state"] == "done" and row["trainee"] == "017" and row["exercise"] == code
    assert fields[WRONG_FIELD]["status"] == "wrong"                  # (graded by the normal job)
    assert f"photo folder {whole}, which no sheet held" in caplog.text and "recorded as sheet 1" in caplog.text
    page = app.test_client().get(f"/hasil/{whole}").get_data(as_text=True)
    assert "Hasil penilaian" in page
    assert not (data / "submissions" / cut).exists()
    assert (data / "quarantine" / "submissions" / cut / "upload" / "01-018_1.jpg").is_file()
    assert f"{cut} (no record of its sending)" in caplog.text
    trainer = app.test_client()
    log_in(trainer)
    assert "1 kiriman foto disisihkan" in trainer.get("/trainer/").get_data(as_text=True)
    caplog.clear()
    restart()
    assert "photo folder" not in caplog.text and sheet(app)[0]["state"] == "done"


def test_a_sending_set_aside_is_no_longer_asked_for_once_its_photos_are_sent_again(code):
    """Rehearsal (helper-195, follow-up by helper-196): the trainer's exercises page went on saying "1 kiriman foto
    disisihkan ... unggah lagi foto lembar itu" after the trainer had uploaded that photo again. A folder set aside
    whose every photo a sheet holds since is no longer counted (it stays in quarantine/ for the administrator)."""
    import grader.web.sheet_storing as sheet_storing
    from test_web_trainer import batch

    app = make_test_app()
    with crash_after(sheet_storing, "_write_photos"):
        upload(app.test_client(), code, name="018_1.jpg")
    data = app.config["DATA_DIR"]
    [cut] = (data / "submissions").iterdir()
    (cut / "sheet.json").unlink()                   # (cut before its record was written: it cannot be recorded)
    untouched_for_an_hour(cut)
    app = restart()
    assert (data / "quarantine" / "submissions" / cut.name).is_dir()
    trainer = app.test_client()
    log_in(trainer)
    assert "1 kiriman foto disisihkan" in trainer.get("/trainer/").get_data(as_text=True)
    batch(trainer, code, [("018_1.jpg", jpeg_bytes(color="#dddddd"))])         # another photo: still asked for
    assert "1 kiriman foto disisihkan" in trainer.get("/trainer/").get_data(as_text=True)
    batch(trainer, code, [("018_1.jpg", jpeg_bytes())], client_token="b2")      # that photo, sent again
    assert "disisihkan" not in trainer.get("/trainer/").get_data(as_text=True)
    assert (data / "quarantine" / "submissions" / cut.name).is_dir()


def test_a_whole_sending_a_crash_left_unrecorded_is_graded_minutes_after_the_restart_not_an_hour(code, caplog):
    """h39 (helper-139's crash rehearsal): a trainee's sending a crash left unrecorded was picked up only once an hour
    old, even at a restart: the trainee, who never saw a result, waited an hour, maybe past the end of class. A folder
    holding its sending's record (written last: its request records the row within 30 s of it, or fails) is now
    recorded five minutes after; one without that record, or one that cannot be recorded (its trainee sent again
    since), still waits for the hour, for it may be another process's sending on its way."""
    import grader.web.sheet_storing as sheet_storing
    from grader.web.unrecorded import WHOLE_AFTER_S

    app = make_test_app()
    with crash_after(sheet_storing, "_write_photos"):
        upload(app.test_client(), code)                             # (phone A: never sent again)
    with crash_after(sheet_storing, "_write_photos"):
        upload(app.test_client(), code, name="018_1.jpg")           # (its record lost: cut before it was written)
    again = app.test_client()                                       # (phone B: sent again, that sheet counts)
    with crash_after(sheet_storing, "_write_photos"):
        upload(again, code, name="019_1.jpg")
    data = app.config["DATA_DIR"]
    by_photo = {next((d / "upload").iterdir()).name: d for d in (data / "submissions").iterdir()}
    whole, cut, resent = by_photo["01-017_1.jpg"], by_photo["01-018_1.jpg"], by_photo["01-019_1.jpg"]
    (cut / "sheet.json").unlink()
    upload(again, code, name="019_1b.jpg")
    untouched_for(WHOLE_AFTER_S - 30, whole, cut, resent)
    restart()
    assert connect(app.config["DATABASE"]).execute("SELECT COUNT(*) FROM submissions").fetchone()[0] == 1
    untouched_for(WHOLE_AFTER_S + 30, whole, cut, resent)
    caplog.clear()
    app = restart()
    conn = connect(app.config["DATABASE"])
    rows = conn.execute("SELECT token, state FROM submissions ORDER BY id").fetchall()
    conn.close()
    assert [(r["token"], r["state"]) for r in rows][1:] == [(whole.name, "done")]
    assert f"photo folder {whole.name}, which no sheet held" in caplog.text
    assert cut.is_dir() and resent.is_dir() and not (data / "quarantine").exists()     # (kept where they are)
    assert "Hasil penilaian" in app.test_client().get(f"/hasil/{whole.name}").get_data(as_text=True)
    untouched_for_an_hour(cut, resent)
    restart()
    assert sorted(d.name for d in (data / "quarantine" / "submissions").iterdir()) == sorted([cut.name, resent.name])


def test_a_request_that_stalls_past_the_sweep_keeps_the_photos_the_sweep_recorded(code, monkeypatch):
    """helper-144's doubt on h39: with sendings recorded five minutes after, a request stalled that long between
    writing its photos and recording its row (a laptop asleep mid-request) finds its folder recorded by a start or
    another process's sweep; its own recording then fails, and its error path deleted the folder that sheet holds.
    It now deletes only what no sheet holds."""
    import grader.web.sheet_storing as sheet_storing
    from grader.web.unrecorded import set_aside_unrecorded

    app = make_test_app()
    data = app.config["DATA_DIR"]
    real = sheet_storing._write_photos

    def stalled(*args, **kw):
        written = real(*args, **kw)
        other = connect(app.config["DATABASE"])          # (the sweep of another process, meanwhile)
        try:
            set_aside_unrecorded(other, data, whole_after_s=-1)
        finally:
            other.close()
        return written
    monkeypatch.setattr(sheet_storing, "_write_photos", stalled)
    upload(app.test_client(), code)
    monkeypatch.setattr(sheet_storing, "_write_photos", real)
    conn = connect(app.config["DATABASE"])
    [row] = conn.execute("SELECT token FROM submissions").fetchall()
    [(path,)] = conn.execute("SELECT path FROM uploads").fetchall()
    conn.close()
    assert (data / path).is_file() and (data / "submissions" / row["token"] / "sheet.json").is_file()


def test_a_sending_left_unrecorded_while_the_server_runs_is_recorded_and_graded_without_a_restart(code, caplog):
    """h38: photo folders no sheet holds were looked for only at start. A crash of another process on the data folder
    (a WSGI worker killed mid-request) while the server ran on left the sending unrecorded until the next restart,
    its trainee waiting for nothing. The job runner now looks again every UNRECORDED_SWEEP_S, with the start's rule:
    a folder still young (maybe still being written) is left alone, one old enough is recorded and graded."""
    import grader.web.sheet_storing as sheet_storing

    app = make_test_app(JOBS_MODE="thread", JOBS_WORKERS=1, UNRECORDED_SWEEP_S=0.1)
    try:
        trainee = app.test_client()
        trainee.get("/")                        # (the start's recovery: the sweeps begin)
        with crash_after(sheet_storing, "_write_photos"):
            upload(trainee, code)
        data = app.config["DATA_DIR"]
        [folder] = list((data / "submissions").iterdir())
        time.sleep(0.5)                         # several sweeps: a young folder is left where it is, as written
        assert (folder / "sheet.json").is_file() and not (data / "quarantine").exists()
        assert connect(app.config["DATABASE"]).execute("SELECT COUNT(*) FROM submissions").fetchone()[0] == 0
        untouched_for_an_hour(folder)
        assert _wait_for(lambda: (row := sheet_row(app)) is not None and row["state"] == "done")
        row = sheet_row(app)
        assert row["token"] == folder.name and row["trainee"] == "017" and row["result_status"] == "graded"
        assert f"photo folder {folder.name}, which no sheet held" in caplog.text
        assert not (data / "quarantine").exists()
    finally:
        app.extensions["grader.jobs"].shutdown()


def test_a_folder_another_process_records_meanwhile_is_left_to_its_sheet_not_set_aside(code, monkeypatch):
    """With the running server looking for unrecorded folders too, two processes on one data folder may meet the
    same folder at once: the one that finds it recorded by the other (by the time it holds the write lock) leaves
    it to its sheet; before, it was set aside as "cannot be recorded", its sheet's photos moved to quarantine."""
    import grader.web.sheet_storing as sheet_storing
    import grader.web.unrecorded as unrecorded

    app = make_test_app()
    with crash_after(sheet_storing, "_write_photos"):
        upload(app.test_client(), code)
    data = app.config["DATA_DIR"]
    [folder] = list((data / "submissions").iterdir())
    untouched_for_an_hour(folder)
    real = unrecorded._record_again

    def other_process_first(conn, data_dir, folder):
        other = connect(app.config["DATABASE"])
        try:
            real(other, data_dir, folder)                              # (the other process records it)
        finally:
            other.close()
        return real(conn, data_dir, folder)
    monkeypatch.setattr(unrecorded, "_record_again", other_process_first)
    conn = connect(app.config["DATABASE"])
    try:
        assert unrecorded.set_aside_unrecorded(conn, data) == 0
        assert conn.execute("SELECT COUNT(*) FROM submissions").fetchone()[0] == 1
    finally:
        conn.close()
    assert (folder / "upload").is_dir() and not (data / "quarantine").exists()


def sheet_row(app, sid=1):
    conn = connect(app.config["DATABASE"])
    try:
        return conn.execute("SELECT * FROM submissions WHERE id=?", (sid,)).fetchone()
    finally:
        conn.close()


def test_a_lost_sending_is_superseded_only_by_its_own_trainees_later_one_not_by_a_namesakes(code, caplog):
    """h38: a sending a crash left unrecorded was set aside as sent again since when any later sheet of the exercise
    had its trainee's name: two trainees named Siti in a class (common in Indonesia), and one Siti's lost sending
    was dropped for the other's. The sender is told by its browser too (a random id in its session, kept with the
    sheet and in sheet.json): another browser's Siti leaves it to be recorded; the same browser's Siti sending
    again supersedes it, as before."""
    import grader.web.sheet_storing as sheet_storing

    def send(client, color):
        data = {"csrf_token": csrf_of(client), "code": code, "trainee": "Siti",
                "photo_1": (io.BytesIO(jpeg_bytes(color=color)), "siti.jpg")}
        return client.post("/", data=data, content_type="multipart/form-data")

    app = make_test_app()
    siti_a, siti_b = app.test_client(), app.test_client()
    with crash_after(sheet_storing, "_write_photos"):
        send(siti_a, "#f0f0f0")                 # (Siti A's sending, cut before its row)
    assert send(siti_b, "#e0e0e0").status_code == 302      # the other Siti, from her own phone, after it
    data = app.config["DATA_DIR"]
    [lost] = [d for d in (data / "submissions").iterdir() if d.name != sheet(app)[0]["token"]]
    untouched_for_an_hour(lost)
    caplog.clear()
    app = restart()
    recorded = sheet(app, 2)[0]
    assert recorded["token"] == lost.name and recorded["typed_trainee"] == "Siti"
    assert not (data / "quarantine").exists() and "sent the exercise again since" not in caplog.text

    with crash_after(sheet_storing, "_write_photos"):
        send(siti_a, "#d0d0d0")                 # Siti A again, cut again; she sends it again from the same phone
    assert send(siti_a, "#c0c0c0").status_code == 302
    held = {r[0] for r in connect(app.config["DATABASE"]).execute("SELECT token FROM submissions")}
    [lost] = [d for d in (data / "submissions").iterdir() if d.name not in held]
    untouched_for_an_hour(lost)
    caplog.clear()
    restart()
    assert (data / "quarantine" / "submissions" / lost.name).is_dir()
    assert f"{lost.name} (its trainee sent the exercise again since)" in caplog.text


def test_a_retake_or_a_batch_sheet_a_crash_left_unrecorded_is_recorded_and_graded_not_set_aside(code, caplog):
    """h38: only a trainee's first sending wrote what it was sent with (sheet.json); a retake's folder, or a
    trainer's batch's sheet's, that a crash left unrecorded was set aside in quarantine/ at the next start, the
    photos lost to the class table until an administrator looked. They write it too now (the retaken sheet, the
    batch, its place in it) and are recorded as their sheets: the retake follows its sheet, the batch sheet joins
    its batch (merged again with it), each graded. A batch sheet whose photos the batch holds by then (the trainer
    sent the form again) is set aside as before: stored twice it would be a duplicate."""
    import grader.web.sheet_storing as sheet_storing
    from test_web_trainer import batch

    app = make_test_app()
    trainee = app.test_client()
    page = upload(trainee, code, name="017_1_blur.jpg")                      # refused: a retake is offered
    with crash_after(sheet_storing, "_write_photos"):
        trainee.post(page + "/ulang", data={"csrf_token": csrf_of(trainee, page), "position": "1",
                                           "photo": (io.BytesIO(jpeg_bytes(color="#eee")), "017_1.jpg")},
                     content_type="multipart/form-data")
    trainer = app.test_client()
    log_in(trainer)
    with crash_after(sheet_storing, "_write_photos"):
        batch(trainer, code, [("021_1.jpg", jpeg_bytes(color="#ddd"))], client_token="b1")
    with crash_after(sheet_storing, "_write_photos"):
        batch(trainer, code, [("033_1.jpg", jpeg_bytes(color="#ccc"))], client_token="b2")
    data = app.config["DATA_DIR"]
    held = {r[0] for r in connect(app.config["DATABASE"]).execute("SELECT token FROM submissions")}
    lost = sorted((d for d in (data / "submissions").iterdir() if d.name not in held),
                  key=lambda d: next((d / "upload").iterdir()).name)
    assert [next((d / "upload").iterdir()).name for d in lost] == ["01-017_1.jpg", "01-021_1.jpg", "01-033_1.jpg"]
    retake, in_batch, resent = lost
    app = restart()                              # (033's batch form is sent again: its photo is stored with it)
    trainer = app.test_client()
    log_in(trainer)
    batch(trainer, code, [("033_1.jpg", jpeg_bytes(color="#ccc"))], client_token="b2")
    untouched_for_an_hour(*lost)
    caplog.clear()
    app = restart()
    conn = connect(app.config["DATABASE"])
    try:
        rows = {r["token"]: r for r in conn.execute("SELECT * FROM submissions")}
        batches = {r["client_token"] or r["form_token"]: r for r in conn.execute("SELECT * FROM batches")}
    finally:
        conn.close()
    first = next(r for r in rows.values() if r["id"] == 1)
    assert rows[retake.name]["retake_of"] == first["id"] and rows[retake.name]["state"] == "done"
    assert rows[retake.name]["result_status"] == "graded" and rows[retake.name]["trainee"] == "017"
    assert rows[in_batch.name]["batch_id"] == batches["b1"]["id"] and rows[in_batch.name]["state"] == "done"
    assert rows[in_batch.name]["trainee"] == "021" and rows[in_batch.name]["source"] == "batch"
    assert resent.name not in rows and (data / "quarantine" / "submissions" / resent.name).is_dir()
    assert f"{resent.name} (its batch holds its photos since: the form was sent again)" in caplog.text
    assert not (data / "quarantine" / "submissions" / retake.name).exists()
    table = trainer.get(f"/trainer/latihan/{code}/hasil").get_data(as_text=True)
    assert re.findall(r'/trainer/lembar/\d+">([^<]+)</a>', table) == ["017", "021", "033"]


def test_a_photo_missing_from_the_disk_is_named_not_a_server_error(code):
    """QA: a stored photo lost after a crash failed as internal_error ('send again' was right, but 'grade again' then
    failed the same way for ever without saying why)."""
    app = make_test_app()
    client = app.test_client()
    page = upload(client, code)
    conn = connect(app.config["DATABASE"])
    path = conn.execute("SELECT path FROM uploads WHERE submission_id=1").fetchone()["path"]
    conn.execute("UPDATE submissions SET state='failed', error_code='interrupted' WHERE id=1")   # cut by the crash
    conn.close()
    (app.config["DATA_DIR"] / path).unlink()
    trainer = app.test_client()
    log_in(trainer)
    trainer.post("/trainer/lembar/1/nilai-ulang", data={"csrf_token": csrf_of(trainer, "/trainer/")})
    conn = connect(app.config["DATABASE"])
    row = conn.execute("SELECT * FROM submissions WHERE id=1").fetchone()
    conn.close()
    assert row["error_code"] == "photo_missing" and "017_1.jpg" in row["error_id"] and "Kirim ulang" in row["error_id"]
    html = client.get(page).get_data(as_text=True)
    assert "tidak ada lagi di penyimpanan server" in html


def test_a_crash_while_merging_pages_leaves_them_single_and_the_next_start_merges_them_once(code, monkeypatch):
    """QA: a merge stored the merged sheet, then marked its pages merged in a later write: a crash between the two
    left the pages single, so the next start merged them again into a second sheet. Both writes are one now."""
    import grader.web.page_merge as page_merge

    app = make_test_app()
    trainer = app.test_client()
    log_in(trainer)
    files = [("qr-12-a_p1.jpg", jpeg_bytes()), ("qr-12-b_p2.jpg", jpeg_bytes(color="#eee"))]
    token = csrf_of(trainer, f"/trainer/latihan/{code}")

    def cut(*a, **k):
        raise PowerCut()
    with monkeypatch.context() as m:
        m.setattr(page_merge, "carry_over_reviews", cut)     # the step after the pages are marked merged
        with pytest.raises(PowerCut):
            trainer.post(f"/trainer/latihan/{code}/batch", content_type="multipart/form-data",
                         data={"csrf_token": token, "client_token": "c1",
                               "photos": [(io.BytesIO(content), name) for name, content in files]})
    conn = connect(app.config["DATABASE"])
    states = [r["state"] for r in conn.execute("SELECT state FROM submissions ORDER BY id")]
    conn.execute("UPDATE batches SET merged=0")          # (the merge claim a crash leaves is reset at start too)
    conn.close()
    assert states == ["done", "done"]                    # no merged sheet without its pages marked merged
    restart()
    conn = connect(app.config["DATABASE"])
    states = [r["state"] for r in conn.execute("SELECT state FROM submissions ORDER BY id")]
    conn.close()
    assert sorted(states) == ["done", "merged", "merged"]


def test_a_photo_missing_at_the_merge_step_leaves_its_pages_single_and_merges_the_others(code, monkeypatch):
    """Review: a merge cut by a crash is finished at the next start; one stored photo lost meanwhile raised
    photo_missing out of the start (`grader serve` stopped with a traceback, the first request was a 500), and the
    batch's other trainees stayed half sheets, their merge marked done."""
    import grader.web.page_merge as page_merge

    app = make_test_app()
    trainer = app.test_client()
    log_in(trainer)
    files = [("qr-12-a_p1.jpg", jpeg_bytes()), ("qr-12-b_p2.jpg", jpeg_bytes(color="#eee")),
             ("qr-13-a_p1.jpg", jpeg_bytes(color="#ddd")), ("qr-13-b_p2.jpg", jpeg_bytes(color="#ccc"))]
    token = csrf_of(trainer, f"/trainer/latihan/{code}")
    with monkeypatch.context() as m:
        m.setattr(page_merge, "merge_batch", lambda *a, **k: None)          # the crash came before the merge step
        trainer.post(f"/trainer/latihan/{code}/batch", content_type="multipart/form-data",
                     data={"csrf_token": token, "client_token": "c1",
                           "photos": [(io.BytesIO(content), name) for name, content in files]})
    conn = connect(app.config["DATABASE"])
    lost = conn.execute("SELECT u.path FROM uploads u JOIN submissions s ON s.id = u.submission_id "
                        "WHERE u.filename='qr-12-a_p1.jpg'").fetchone()["path"]
    conn.close()
    (app.config["DATA_DIR"] / lost).unlink()
    app = make_test_app()
    assert app.test_client().get("/").status_code == 200                    # the start's recovery runs
    conn = connect(app.config["DATABASE"])
    rows = conn.execute("SELECT trainee, state, (SELECT COUNT(*) FROM uploads u WHERE u.submission_id = s.id) AS n "
                        "FROM submissions s ORDER BY id").fetchall()
    conn.close()
    assert sorted((r["trainee"], r["state"], r["n"]) for r in rows if r["trainee"] == "13") == [
        ("13", "done", 2), ("13", "merged", 1), ("13", "merged", 1)]
    assert sorted(r["state"] for r in rows if r["trainee"] == "12") == ["done", "done"]   # left as they were


def test_the_start_checks_corrected_sheets_one_at_a_time(tmp_path):
    """Review: the start's check for corrections a crash left out of a score loaded every corrected sheet of the
    database at once, with both its results (a season's thousands of sheets: hundreds of MB before serving)."""
    import tracemalloc

    from grader.web.db import init_schema, now_iso
    from grader.web.review_actions import settle_stored_reviews
    from grader.web.job_worker import JobContext

    at = "2026-12-02T02:10:00+00:00"
    result = json.dumps({"exercise": None, "fields": [{"id": "II.3", "corrected_by": "Ibu Sari", "corrected_at": at}],
                         "padding": "x" * 100_000})               # a real result, its fields and crops, is ~35 kB
    conn = connect(tmp_path / "db.sqlite3")
    init_schema(conn)
    with conn:
        for i in range(200):
            sid = conn.execute("INSERT INTO submissions(token, content_hash, source, state, result, result_original, "
                               "created_at, updated_at) VALUES (?, 'h', 'batch', 'done', ?, ?, ?, ?)",
                               (f"t{i}", result, result, now_iso(), now_iso())).lastrowid
            conn.execute("INSERT INTO corrections(submission_id, field_id, value, previous, corrected_by, corrected_at) "
                         "VALUES (?, 'II.3', 1, 2, 'Ibu Sari', ?)", (sid, at))
    conn.close()
    tracemalloc.start()
    try:
        assert settle_stored_reviews(JobContext(str(tmp_path / "db.sqlite3"), str(tmp_path), "grader.web.testing")) == 0
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 5_000_000                     # a few sheets' worth, not 200 x 2 results (40 MB)


def test_an_upload_held_for_its_code_is_still_held_after_a_crash(code):
    """Review: a mistyped code's upload was stored, then marked held in a second write; a crash between the two left
    it queued with no exercise, and the next start graded it so instead of asking for the code."""
    import grader.web.trainee.upload as trainee_upload

    app = make_test_app()
    client = app.test_client()
    with crash_after(trainee_upload, "store_submission"):
        upload(client, "KQXW7")
    restart()
    conn = connect(app.config["DATABASE"])
    row = conn.execute("SELECT state, typed_code FROM submissions").fetchone()
    conn.close()
    assert (row["state"], row["typed_code"]) == ("held", "KQXW7")


def test_a_second_correction_in_the_same_second_lost_to_a_crash_is_caught_up(code):
    """Review: the start compared who and when only; two corrections of one field within a second by one trainer
    share both, so the second, stored just before a crash, looked settled and never reached the score."""
    app = make_test_app()
    upload(app.test_client(), code)
    trainer = app.test_client()
    log_in(trainer)
    right = load_key(code).fields[REVIEW_FIELD]
    trainer.post("/trainer/lembar/1/koreksi", data={"csrf_token": csrf_of(trainer, "/trainer/"),
                                                    "field": REVIEW_FIELD, "value": str(right + 1)})
    conn = connect(app.config["DATABASE"])
    first = conn.execute("SELECT * FROM corrections").fetchone()
    conn.execute("INSERT INTO corrections(submission_id, field_id, value, previous, corrected_by, corrected_at) "
                 "VALUES (?,?,?,?,?,?)", (1, REVIEW_FIELD, right, right + 1, first["corrected_by"],
                                          first["corrected_at"]))      # stored, then the crash: no regrade
    conn.close()
    assert sheet(app)[1][REVIEW_FIELD]["value"] == right + 1
    app = restart()
    assert sheet(app)[1][REVIEW_FIELD]["value"] == right



def _store_a_correction_then_crash(app, code, monkeypatch) -> tuple[str, dict]:
    """A trainee's sheet whose trainer correction was stored, then the crash came before the regrade stored the new
    score. Returns the sheet's result page and the row as it was before."""
    import grader.web.review_actions as review_actions

    page = upload(app.test_client(), code)
    trainer = app.test_client()
    log_in(trainer)
    before, _ = sheet(app)
    with monkeypatch.context() as m:
        m.setattr(review_actions, "_regrade_stored", lambda *a, **k: (_ for _ in ()).throw(PowerCut()))
        with pytest.raises(PowerCut):
            trainer.post("/trainer/lembar/1/koreksi", data={"csrf_token": csrf_of(trainer, "/trainer/"),
                                                            "field": REVIEW_FIELD,
                                                            "value": str(load_key(code).fields[REVIEW_FIELD])})
    return page, before


def test_a_request_during_the_start_recovery_waits_until_it_has_finished(code, monkeypatch):
    """Review: under a WSGI server other than `grader serve` (waitress or gunicorn importing create_app), the first
    request runs the start's recovery; it was marked done before it ran, so a second request arriving meanwhile
    went straight on and saw (or acted on) half-recovered state: here, the score without the correction the
    recovery is putting back in."""
    import threading

    import grader.web.review_actions as review_actions

    page, before = _store_a_correction_then_crash(make_test_app(), code, monkeypatch)
    started, release = threading.Event(), threading.Event()
    real = review_actions.settle_stored_reviews

    def slow_settle(ctx):
        started.set()
        release.wait(10)
        return real(ctx)
    monkeypatch.setattr(review_actions, "settle_stored_reviews", slow_settle)
    app = make_test_app()                          # the restart, under a WSGI server: nothing recovered yet
    seen = {}

    def first():
        seen["first"] = app.test_client().get("/").status_code

    def second():
        seen["second"] = app.test_client().get(page + ".json").get_json()
    threads = [threading.Thread(target=first)]
    threads[0].start()
    assert started.wait(10)                        # the recovery is running, held at its last step
    threads.append(threading.Thread(target=second))
    threads[1].start()
    threads[1].join(1.0)
    waited = threads[1].is_alive()
    release.set()
    for t in threads:
        t.join(10)
    assert seen["first"] == 200
    # the recovered score (the correction's field is right now), not the half-recovered one
    assert seen["second"]["score"] == sheet(app)[0]["score"] > before["score"]
    assert waited


def test_a_start_recovery_that_fails_is_tried_again_and_never_wedges_the_app(code, monkeypatch, caplog):
    """The recovery is marked finished only when it has finished. A step that fails is logged and tried again by
    the next request (the request whose attempt failed is told to try again in a moment: 503); a step that keeps
    failing is given up after a few attempts, logged, and the app serves on (the next start tries again)."""
    import logging

    import grader.web.review_actions as review_actions

    _store_a_correction_then_crash(make_test_app(), code, monkeypatch)
    real, calls = review_actions.settle_stored_reviews, []

    def fails_once(ctx):
        calls.append(1)
        if len(calls) == 1:
            raise OSError("database disk image is malformed")
        return real(ctx)
    monkeypatch.setattr(review_actions, "settle_stored_reviews", fails_once)
    app = make_test_app()
    client = app.test_client()
    with caplog.at_level(logging.ERROR):
        first = client.get("/", headers={"Accept": "application/json"})
    assert first.status_code == 503 and first.headers["Retry-After"]
    assert "startup recovery" in caplog.text and "database disk image is malformed" in caplog.text
    assert client.get("/").status_code == 200                  # tried again, and finished
    assert sheet(app)[1][REVIEW_FIELD]["corrected_by"] == "Ibu Sari"
    assert len(calls) == 2
    client.get("/")
    assert len(calls) == 2                                     # finished: not run again

    monkeypatch.setattr(review_actions, "settle_stored_reviews", lambda ctx: calls.append(1) or 1 / 0)
    app = make_test_app()
    client = app.test_client()
    caplog.clear()
    statuses = [client.get("/").status_code for _ in range(5)]
    assert statuses[-1] == 200 and statuses.count(503) < 5     # given up after a few attempts: the app serves
    assert "giving up" in caplog.text


def test_a_start_recovery_step_that_hangs_keeps_no_request_waiting_past_the_bound(code, monkeypatch, caplog):
    """A step that hangs (a database another process holds locked, a stuck disk) rather than fails kept every
    request waiting behind it for good, and with them every thread of the server. A request now waits up to the
    app's RECOVERY_WAIT_S and is told to try again in a moment (503, as for a failed attempt); the hang is logged
    once, naming the step; the recovery keeps running, and once it has finished, requests are served as usual."""
    import logging
    import threading
    import time

    import grader.web.review_actions as review_actions

    page, before = _store_a_correction_then_crash(make_test_app(), code, monkeypatch)
    real, release, calls = review_actions.settle_stored_reviews, threading.Event(), []

    def hangs(ctx):
        calls.append(1)
        assert release.wait(30)
        return real(ctx)
    monkeypatch.setattr(review_actions, "settle_stored_reviews", hangs)
    app = make_test_app(RECOVERY_WAIT_S=0.5)
    client = app.test_client()
    with caplog.at_level(logging.WARNING, logger="grader.web.recovery"):
        started = time.monotonic()
        first = client.get("/", headers={"Accept": "application/json"})
        waited = time.monotonic() - started
        assert first.status_code == 503 and first.headers["Retry-After"] and 0.4 < waited < 5
        assert first.get_json()["message"].startswith("Server baru dinyalakan ulang")
        started = time.monotonic()
        second = client.get(page + "?lang=en")                   # past the bound already: told at once
        assert second.status_code == 503 and time.monotonic() - started < 0.4
        assert "The server has just restarted" in second.get_data(as_text=True)
        hung = [r.getMessage() for r in caplog.records if "still trying to" in r.getMessage()]
        assert hung == [hung[0]] and "regrade the sheets missing a stored correction or dispute" in hung[0]
        assert sheet(app)[0]["score"] == before["score"]         # not recovered yet
        release.set()
        deadline = time.monotonic() + 10
        while client.get("/").status_code != 200 and time.monotonic() < deadline:
            time.sleep(0.05)
    assert client.get(page + ".json").get_json()["score"] == sheet(app)[0]["score"] > before["score"]
    assert len(calls) == 1                                       # it ran on: not started again by the requests
    assert len([r for r in caplog.records if "still trying to" in r.getMessage()]) == 1


def test_static_files_are_served_while_the_start_recovery_runs_and_nothing_else_is(code, monkeypatch):
    """QA: the stylesheet and app.js waited behind a slow start recovery like every page, and past the bound were
    answered 503: the page the trainee finally saw had no style and no uploader. Static files do not read or change
    what the recovery puts right, so they are served at once; every other request still waits for it."""
    import threading
    import time

    import grader.web.review_actions as review_actions

    release = threading.Event()
    monkeypatch.setattr(review_actions, "settle_stored_reviews", lambda ctx: release.wait(30))
    app = make_test_app(RECOVERY_WAIT_S=3)
    client = app.test_client()
    page = {}
    waiting = threading.Thread(target=lambda: page.update(status=app.test_client().get("/").status_code))
    try:
        waiting.start()                             # the first request starts the recovery, which hangs
        for path in ("/static/style.css", "/static/app.js", "/static/favicon.svg"):
            started = time.monotonic()
            resp = client.get(path)
            assert resp.status_code == 200 and time.monotonic() - started < 1, path
            resp.close()
        assert client.get("/static/no-such-file.css").status_code == 404
        waiting.join(0.5)
        assert waiting.is_alive()                   # a page still waits for the recovery
    finally:
        release.set()
        waiting.join(10)
    assert page["status"] in (200, 503)
    assert client.get("/").status_code == 200


def test_a_write_transaction_whose_commit_fails_is_rolled_back_and_its_connection_usable(tmp_path):
    """db.immediate committed outside its try: a COMMIT refused (the disk full at the last moment) left the
    connection inside the transaction, its next BEGIN failing (helper-86's review of the job runner)."""
    import sqlite3

    from grader.web.db import immediate

    class FullAtCommit(sqlite3.Connection):
        full = True

        def execute(self, sql, *args):
            if sql == "COMMIT" and self.full:
                raise sqlite3.OperationalError("database or disk is full")
            return super().execute(sql, *args)

    conn = sqlite3.connect(tmp_path / "t.sqlite3", factory=FullAtCommit, isolation_level=None)
    conn.execute("CREATE TABLE t (x INTEGER)")
    with pytest.raises(sqlite3.OperationalError, match="full"):
        with immediate(conn):
            conn.execute("INSERT INTO t VALUES (1)")
    assert not conn.in_transaction and conn.execute("SELECT COUNT(*) FROM t").fetchone()[0] == 0
    conn.full = False
    with immediate(conn):                       # the connection goes on
        conn.execute("INSERT INTO t VALUES (2)")
    assert conn.execute("SELECT x FROM t").fetchall() == [(2,)]
