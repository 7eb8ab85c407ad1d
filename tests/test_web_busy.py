"""A trainer's correction, a trainee's dispute or a trainee's sending that meets the database locked past its timeout
(another writer holding it: a second connection's ``BEGIN IMMEDIATE``) is answered 503 with ``Retry-After``, and
its sender is told plainly whether what they sent was saved, and what to do (rehearsal, helper-198: each got the
generic 500 "coba lagi" page, a sending's photos deleted, a correction's typed value gone)."""
import io
import json

import pytest

import grader.web.db as db
from grader.web.db import connect
from grader.web.sheet_storing import MANIFEST, submissions_root
from grader.web.testing import REVIEW_FIELD, WRONG_FIELD, csrf_of, jpeg_bytes, log_in, make_test_app
from grader.web.unrecorded import set_aside_unrecorded


@pytest.fixture
def locked(monkeypatch):
    """Hold an app's database (``BEGIN IMMEDIATE`` on a second connection) past every other one's timeout, 0.2 s
    here: ``with locked(app): ...``."""
    monkeypatch.setattr(db, "BUSY_TIMEOUT_MS", 200)

    class Holding:
        def __init__(self, app):
            self.conn = connect(app.config["DATABASE"])

        def __enter__(self):
            self.conn.execute("BEGIN IMMEDIATE")

        def __exit__(self, *exc):
            self.conn.execute("ROLLBACK")
            self.conn.close()
    return Holding


def send(client, code, *, token="form-1", photo=None, name="Siti"):
    data = {"csrf_token": csrf_of(client), "code": code, "trainee": name, "client_token": token,
            "photo_1": (io.BytesIO(photo or jpeg_bytes()), "siti_1.jpg")}
    return client.post("/", data=data, content_type="multipart/form-data")


def rows(app, sql, *args):
    conn = connect(app.config["DATABASE"])
    try:
        return conn.execute(sql, args).fetchall()
    finally:
        conn.close()


def started():
    """An app and a client, the app's first request (the start's recovery, which the lock would stop) made."""
    app = make_test_app()
    client = app.test_client()
    client.get("/")
    return app, client


def sweep(app, data_dir):
    """The sweep of sendings left unrecorded, as a start or the running server's look (once a folder is 5 minutes
    old) runs it."""
    conn = connect(app.config["DATABASE"])
    try:
        set_aside_unrecorded(conn, data_dir, whole_after_s=0)
    finally:
        conn.close()


def graded(code):
    """A trainee's sheet graded (the fake pipeline) and a trainer logged in: app, trainee, trainer, the sheet's page."""
    app = make_test_app()
    trainee, trainer = app.test_client(), app.test_client()
    page = send(trainee, code).location
    log_in(trainer)
    return app, trainee, trainer, page


def assert_busy(resp):
    assert resp.status_code == 503
    assert int(resp.headers["Retry-After"]) > 0
    text = resp.get_data(as_text=True)
    assert "Terjadi kesalahan pada server" not in text and "Server sedang sibuk" in text
    return text


def test_a_correction_that_meets_the_database_locked_says_it_is_not_saved_and_what_was_typed(code, locked):
    app, _trainee, trainer, _page = graded(code)
    form = {"csrf_token": csrf_of(trainer, "/trainer/lembar/1"), "field": REVIEW_FIELD, "value": "77",
            "back": "/trainer/lembar/1", "seen": ""}
    with locked(app):
        text = assert_busy(trainer.post("/trainer/lembar/1/koreksi", data=form))
        said = assert_busy(trainer.post("/trainer/lembar/1/koreksi", data=form,
                                        headers={"X-Requested-With": "fetch"})).strip()
    assert "BELUM tersimpan" in text and "77" in text and REVIEW_FIELD in text
    assert f'href="/trainer/lembar/1#f-{REVIEW_FIELD}"' in text          # back to the form, the value kept there
    answer = json.loads(said)
    assert answer["ok"] is False and answer["code"] == "busy" and "BELUM tersimpan" in answer["message"]
    assert "77" in answer["message"]
    assert rows(app, "SELECT * FROM corrections") == []                  # truly not saved
    # once the lock is gone, the same form saves it
    assert trainer.post("/trainer/lembar/1/koreksi", data=form).status_code == 303
    assert [tuple(r) for r in rows(app, "SELECT field_id, value FROM corrections")] == [(REVIEW_FIELD, 77)]


def test_a_dispute_that_meets_the_database_locked_says_it_is_not_saved_and_keeps_what_was_written(code, locked):
    app, trainee, _trainer, page = graded(code)
    csrf = csrf_of(trainee, page)
    with locked(app):
        text = assert_busy(trainee.post(page + "/sanggah", data={"csrf_token": csrf, "field": WRONG_FIELD,
                                                                 "written": "4321"}))
    assert "BELUM tersimpan" in text and "4321" in text
    assert f'href="{page}#f-{WRONG_FIELD}"' in text
    assert rows(app, "SELECT * FROM disputes") == []
    again = trainee.get(page).get_data(as_text=True)                     # its form opened with what they wrote
    assert 'value="4321"' in again and "BELUM tersimpan" not in again


def test_a_sending_that_meets_the_database_locked_keeps_its_photos_for_the_sweep_and_says_so(code, locked,
                                                                                           isolated_data_dir):
    app, client = started()
    photo = jpeg_bytes(color="#345")
    with locked(app):
        text = assert_busy(send(client, code, photo=photo))
    assert "belum tercatat" in text and "sudah sampai dan disimpan" in text and "Kiriman dari perangkat ini" in text
    assert rows(app, "SELECT * FROM submissions") == []
    [folder] = list(submissions_root(isolated_data_dir).iterdir())      # the photos are on the disk, with their record
    assert (folder / MANIFEST).is_file() and [p.read_bytes() for p in (folder / "upload").iterdir()] == [photo]
    # the sweep of sendings left unrecorded records it (a start, or every 2 minutes once it is 5 minutes old)
    sweep(app, isolated_data_dir)
    [(token, name)] = [tuple(r) for r in rows(app, "SELECT token, typed_trainee FROM submissions")]
    assert (token, name) == (folder.name, "Siti")
    # and the upload page of the browser that sent it lists it, as the 503 page said
    assert f"/hasil/{token}" in client.get("/").get_data(as_text=True)
    # the form sent again (as the page offers) leads to that sheet: not graded twice
    again = send(client, code, photo=photo)
    assert again.status_code == 302 and again.location.endswith(f"/hasil/{token}")
    assert len(rows(app, "SELECT * FROM submissions")) == 1


def test_a_sending_sent_again_before_the_sweep_is_the_sheet_and_the_kept_photos_are_not_recorded_twice(
        code, locked, isolated_data_dir):
    app, client = started()
    with locked(app):
        assert_busy(send(client, code))
    assert send(client, code).status_code == 302                        # sent again at once, the lock gone
    sweep(app, isolated_data_dir)
    assert len(rows(app, "SELECT * FROM submissions")) == 1


def test_an_upload_held_for_its_code_that_meets_the_database_locked_says_its_photos_are_not_saved(
        code, locked, isolated_data_dir):
    app, client = started()
    with locked(app):
        text = assert_busy(send(client, "ZZZZZZ"))                       # no such exercise: held for its code
    assert "BELUM tersimpan" in text
    assert not submissions_root(isolated_data_dir).exists() or not any(submissions_root(isolated_data_dir).iterdir())


def test_a_retake_that_meets_the_database_locked_keeps_its_photo_for_the_sweep_and_says_so(code, locked,
                                                                                          isolated_data_dir):
    app, client = started()
    page = send(client, code).location
    [first] = rows(app, "SELECT id, token FROM submissions")
    csrf = csrf_of(client, page)
    with locked(app):
        text = assert_busy(client.post(page + "/ulang", content_type="multipart/form-data", data={
            "csrf_token": csrf, "position": "1", "photo": (io.BytesIO(jpeg_bytes(color="#567")), "siti_1b.jpg")}))
    assert "belum tercatat" in text and "sudah sampai dan disimpan" in text
    sweep(app, isolated_data_dir)
    [(retake_of,)] = [tuple(r) for r in rows(app, "SELECT retake_of FROM submissions WHERE id != ?", first["id"])]
    assert retake_of == first["id"]                                     # recorded as the retake it was sent as
