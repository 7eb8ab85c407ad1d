"""A trainer's login is kept on the server: "Keluar" ends it for a copied cookie too (a walkthrough replayed a
cookie saved before logging out and was still let in), other devices stay logged in, and a long idle ends it.
"Keluar dari semua perangkat", and a start with another trainer password, end every login."""
from grader.web.db import ago_iso, connect
from grader.web.testing import TEST_PASSWORD, csrf_of, log_in, make_test_app


def log_out(client) -> None:
    token = csrf_of(client, "/trainer/")
    assert client.post("/trainer/keluar", data={"csrf_token": token}).status_code == 302


def copy_of(client, app, into=None):
    """Another browser holding the same session cookie (a cookie copied off a shared computer or a proxy log); of
    ``into``, another app on the same data folder (the server started again), when given."""
    copy = (into or app).test_client()
    copy.set_cookie(app.config["SESSION_COOKIE_NAME"], client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value)
    return copy


def is_let_in(client) -> bool:
    page = client.get("/trainer/")
    assert page.status_code in (200, 302)
    return page.status_code == 200


def test_a_cookie_copied_before_logging_out_no_longer_opens_the_trainer_pages(app):
    trainer = app.test_client()
    assert log_in(trainer).status_code == 302
    copy = copy_of(trainer, app)
    assert is_let_in(copy)
    log_out(trainer)
    assert not is_let_in(trainer)
    page = copy.get("/trainer/")
    assert page.status_code == 302 and "/trainer/masuk" in page.location
    assert copy.get("/trainer/latihan/X/hasil.json").status_code == 401


def test_logging_out_on_one_device_keeps_the_trainers_other_devices_logged_in(app):
    laptop, phone = app.test_client(), app.test_client()
    assert log_in(laptop).status_code == 302 and log_in(phone).status_code == 302
    log_out(phone)
    said = phone.get("/trainer/masuk").get_data(as_text=True)       # where the other logins end, said at once
    assert "Anda sudah keluar di perangkat ini" in said and "Keluar dari semua perangkat" in said
    assert is_let_in(laptop) and not is_let_in(phone)
    assert log_in(phone).status_code == 302 and is_let_in(phone)       # the same browser logs in again


def test_a_login_idle_past_the_sessions_lifetime_is_over_and_one_in_use_lasts(app):
    trainer = app.test_client()
    assert log_in(trainer).status_code == 302
    lifetime = app.permanent_session_lifetime.total_seconds()
    conn = connect(app.config["DATABASE"])
    conn.execute("UPDATE trainer_sessions SET last_seen=?", (ago_iso(lifetime - 600),))
    assert is_let_in(trainer)                   # used now: its idle time starts again
    assert conn.execute("SELECT last_seen FROM trainer_sessions").fetchone()[0] > ago_iso(60)
    conn.execute("UPDATE trainer_sessions SET last_seen=?", (ago_iso(lifetime + 60),))
    conn.close()
    assert not is_let_in(trainer)


def test_a_cookie_signed_in_before_the_upgrade_asks_for_one_new_login(app):
    """A cookie from before logins were kept on the server names a trainer but no login: it could be a copy of one
    logged out before, which nothing revoked, so it is not let in; the trainer logs in once."""
    trainer = app.test_client()
    with trainer.session_transaction() as session:
        session["trainer"] = "Ibu Sari"
        session.permanent = True
    assert not is_let_in(trainer)
    assert log_in(trainer).status_code == 302 and is_let_in(trainer)


def test_the_login_keeps_its_csrf_protection(app):
    trainer = app.test_client()
    assert log_in(trainer).status_code == 302
    assert trainer.post("/trainer/keluar").status_code == 400          # no token: refused, still logged in
    assert is_let_in(trainer)
    log_out(trainer)
    assert log_in(trainer).status_code == 302 and is_let_in(trainer)


def logins_table_gone(app, gone: bool) -> None:
    """A database error on every read or write of the logins (its table renamed away), the sheets' tables readable."""
    conn = connect(app.config["DATABASE"])
    names = ("trainer_sessions", "logins_away") if gone else ("logins_away", "trainer_sessions")
    conn.execute("ALTER TABLE %s RENAME TO %s" % names)
    conn.close()


def test_a_full_or_read_only_disk_at_the_login_check_is_said_as_the_storage_not_try_again_in_a_moment(app, code,
                                                                                                     monkeypatch,
                                                                                                     caplog):
    """Rehearsal (helper-193, the data folder on a full tmpfs): a trainer's correction, a batch of photos and a
    login were answered 503 "Server belum dapat memeriksa sesi masuk Anda. Tidak ada yang hilang: coba lagi sebentar
    lagi", while a trainee's page said "Penyimpanan server penuh" (507): the batch's photos were not kept, and a
    moment later the disk is just as full. The login check's database refused by its disk (full, read-only, not
    openable: db.storage_refused) is said as every page says it, 507, the photos not kept when photos were sent."""
    import io
    import sqlite3

    import grader.web.db as db
    from grader.web.testing import jpeg_bytes

    trainer, newcomer = app.test_client(), app.test_client()
    assert log_in(trainer).status_code == 302
    token, fresh = csrf_of(trainer, f"/trainer/latihan/{code}"), csrf_of(newcomer, "/trainer/masuk")
    opened = db.connect

    def not_openable(path):          # (the folder remounted read-only after a disk error: WAL cannot open)
        sqlite3.connect(f"file:{path}-gone/x?mode=ro", uri=True)             # raises SQLITE_CANTOPEN
        return opened(path)

    monkeypatch.setattr(db, "connect", not_openable)
    page = trainer.get("/trainer/")
    text = page.get_data(as_text=True)
    assert page.status_code == 507 and "Penyimpanan server penuh atau tidak bisa ditulisi" in text
    assert "Tidak ada yang hilang" not in text and "sebentar lagi" not in text and "Retry-After" not in page.headers
    saved = trainer.post("/trainer/lembar/1/koreksi", data={"field": "V.B", "value": "7"},
                         headers={"X-Requested-With": "fetch", "X-CSRF-Token": token})
    assert saved.status_code == 507 and "Penyimpanan server penuh" in saved.get_json()["message"]
    sent = trainer.post(f"/trainer/latihan/{code}/batch", content_type="multipart/form-data", data={
        "csrf_token": token, "client_token": "b1", "photos": [(io.BytesIO(jpeg_bytes()), "budi_1.jpg")]})
    assert sent.status_code == 507 and "foto belum tersimpan" in sent.get_data(as_text=True)
    login = newcomer.post("/trainer/masuk", data={"csrf_token": fresh, "name": "Pak Budi", "password": TEST_PASSWORD})
    assert login.status_code == 507 and "Penyimpanan server penuh" in login.get_data(as_text=True)
    assert "answered 507" in caplog.text
    monkeypatch.undo()
    assert is_let_in(trainer)                   # the login was neither lost nor ended


def test_a_database_error_checking_the_login_is_a_clear_page_and_loses_nothing(app, caplog):
    trainer = app.test_client()
    assert log_in(trainer).status_code == 302
    token = csrf_of(trainer, "/trainer/")
    logins_table_gone(app, True)
    page = trainer.get("/trainer/")
    text = page.get_data(as_text=True)
    assert page.status_code == 503 and "Traceback" not in text
    assert "Server belum dapat memeriksa sesi masuk Anda" in text and "Tidak ada yang hilang" in text
    assert "could not check a trainer's login" in caplog.text
    answer = trainer.get("/trainer/latihan/X/hasil.json")
    assert answer.status_code == 503 and "Tidak ada yang hilang" in answer.get_json()["message"]
    assert trainer.get("/trainer/?lang=en").status_code == 503
    assert "Nothing is lost" in trainer.get("/trainer/?lang=en").get_data(as_text=True)
    refused = trainer.post("/trainer/keluar?lang=id", data={"csrf_token": token})
    assert refused.status_code == 503 and "Anda belum keluar" in refused.get_data(as_text=True)
    assert trainer.get("/").status_code == 200      # a trainee's page is not the login's to refuse
    logins_table_gone(app, False)
    assert is_let_in(trainer)                   # the login was neither lost nor ended
    log_out(trainer)
    assert not is_let_in(trainer)


def log_out_everywhere(client, **form):
    """Press "Keluar dari semua perangkat" on the trainer's page, the box ticked (``confirm``) unless ``form`` says."""
    return client.post("/trainer/keluar-semua", data={"csrf_token": csrf_of(client, "/trainer/"), "confirm": "1",
                                                      **form})


def logins_left(app) -> int:
    conn = connect(app.config["DATABASE"])
    try:
        return conn.execute("SELECT count(*) FROM trainer_sessions").fetchone()[0]
    finally:
        conn.close()


def test_logging_out_on_every_device_ends_every_trainers_login_and_a_new_one_works(app, caplog):
    """The laptop borrowed for the class still logged in, the phone presses "Keluar dari semua perangkat": both are
    sent to the login page, told so, and a cookie copied from either before that lets no one in."""
    laptop, phone = app.test_client(), app.test_client()
    assert log_in(laptop, name="Pak Budi").status_code == 302 and log_in(phone).status_code == 302
    copies = copy_of(laptop, app), copy_of(phone, app)
    assert "Keluar dari semua perangkat" in phone.get("/trainer/").get_data(as_text=True)
    done = log_out_everywhere(phone)
    assert done.status_code == 302 and done.location.endswith("/trainer/masuk")
    login_page = phone.get(done.location).get_data(as_text=True)
    assert "Anda sudah keluar dari semua perangkat" in login_page
    for device in (laptop, phone, *copies):
        page = device.get("/trainer/")
        assert page.status_code == 302 and "/trainer/masuk" in page.location
        assert device.get("/trainer/latihan/X/hasil.json").status_code == 401
    assert logins_left(app) == 0
    assert "'Ibu Sari' logged out on every device: trainer logins ended (this one included): 2" in caplog.text
    assert log_in(phone).status_code == 302 and is_let_in(phone)        # a new login works
    assert not is_let_in(laptop) and not any(is_let_in(copy) for copy in copies)
    assert log_in(laptop).status_code == 302 and is_let_in(laptop)


def test_logging_out_on_every_device_takes_the_csrf_token_a_ticked_box_and_a_trainers_login(app):
    laptop, phone = app.test_client(), app.test_client()
    assert log_in(laptop).status_code == 302 and log_in(phone).status_code == 302
    assert phone.post("/trainer/keluar-semua", data={"confirm": "1"}).status_code == 400     # no token
    unticked = log_out_everywhere(phone, confirm="")
    assert unticked.status_code == 302 and unticked.location.endswith("/trainer/")
    assert "Centang konfirmasi dulu" in phone.get(unticked.location).get_data(as_text=True)
    trainee = app.test_client()                 # a CSRF token of its own, from the upload page, but no login
    refused = trainee.post("/trainer/keluar-semua", data={"csrf_token": csrf_of(trainee, "/"), "confirm": "1"})
    assert refused.status_code == 302 and "/trainer/masuk" in refused.location
    assert is_let_in(laptop) and is_let_in(phone) and logins_left(app) == 2
    in_english = phone.post("/trainer/keluar-semua?lang=en", data={"csrf_token": csrf_of(phone, "/trainer/"),
                                                                   "confirm": "1"})
    assert "You are logged out on every device" in phone.get(in_english.location).get_data(as_text=True)
    assert not is_let_in(laptop) and not is_let_in(phone)


def test_a_database_error_logging_out_on_every_device_is_a_clear_page_and_ends_no_login(app, caplog):
    laptop, phone = app.test_client(), app.test_client()
    assert log_in(laptop).status_code == 302 and log_in(phone).status_code == 302
    conn = connect(app.config["DATABASE"])      # the database refuses to delete a login (a disk error)
    conn.execute("CREATE TRIGGER refuse BEFORE DELETE ON trainer_sessions BEGIN SELECT RAISE(ABORT, 'disk"
                 " I/O error'); END")
    refused = log_out_everywhere(phone)
    text = refused.get_data(as_text=True)
    assert refused.status_code == 503 and refused.headers["Retry-After"] and "Traceback" not in text
    assert "belum ada perangkat yang keluar" in text and "Tidak ada yang hilang" in text
    assert "could not end every trainer login in the database" in caplog.text
    assert is_let_in(laptop) and is_let_in(phone)       # no login was ended, this one's cookie neither
    in_english = phone.post("/trainer/keluar-semua?lang=en", data={"csrf_token": csrf_of(phone, "/trainer/"),
                                                                   "confirm": "1"})
    assert in_english.status_code == 503 and "Nothing is lost" in in_english.get_data(as_text=True)
    conn.execute("DROP TRIGGER refuse")
    conn.close()
    logins_table_gone(app, True)                # checking the login fails first: the checking's own page
    unchecked = phone.post("/trainer/keluar-semua?lang=id", data={"csrf_token": csrf_of(phone, "/"), "confirm": "1"})
    assert unchecked.status_code == 503 and "Tidak ada yang hilang" in unchecked.get_data(as_text=True)
    logins_table_gone(app, False)
    assert is_let_in(laptop) and is_let_in(phone)
    assert log_out_everywhere(phone).status_code == 302
    assert not is_let_in(laptop) and not is_let_in(phone)


def test_a_new_trainer_password_ends_every_login_and_a_restart_with_the_same_one_none(monkeypatch,
                                                                                      isolated_data_dir, caplog):
    """The password is changed because it leaked, or someone who knew it should no longer log in: the logins the
    old one let in end with it. Here the generated password in trainer-password.txt, edited, and the server started
    again."""
    monkeypatch.delenv("GRADER_TRAINER_PASSWORD", raising=False)
    first = make_test_app(TRAINER_PASSWORD=None)
    old_password = (isolated_data_dir / "trainer-password.txt").read_text().strip()
    trainer = first.test_client()
    assert log_in(trainer, password=old_password).status_code == 302
    same = make_test_app(TRAINER_PASSWORD=None)             # started again with the same password: still logged in
    assert is_let_in(copy_of(trainer, first, into=same))
    (isolated_data_dir / "trainer-password.txt").write_text("sandi-baru-kelas-2\n")
    changed = make_test_app(TRAINER_PASSWORD=None)
    assert "every trainer login is ended (1)" in caplog.text
    assert not is_let_in(copy_of(trainer, first, into=changed)) and logins_left(changed) == 0
    newcomer = changed.test_client()
    assert log_in(newcomer, password=old_password).status_code == 401
    assert log_in(newcomer, password="sandi-baru-kelas-2").status_code == 302 and is_let_in(newcomer)
    again = make_test_app(TRAINER_PASSWORD=None)
    assert is_let_in(copy_of(newcomer, changed, into=again))
    configured = make_test_app(TRAINER_PASSWORD="dari-env")  # GRADER_TRAINER_PASSWORD set: another password too
    assert not is_let_in(copy_of(newcomer, changed, into=configured))
