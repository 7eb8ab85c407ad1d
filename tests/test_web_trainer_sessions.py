"""A trainer's login is kept on the server: "Keluar" ends it for a copied cookie too (a walkthrough replayed a
cookie saved before logging out and was still let in), other devices stay logged in, and a long idle ends it."""
from grader.web.db import ago_iso, connect
from grader.web.testing import csrf_of, log_in


def log_out(client) -> None:
    token = csrf_of(client, "/trainer/")
    assert client.post("/trainer/keluar", data={"csrf_token": token}).status_code == 302


def copy_of(client, app):
    """Another browser holding the same session cookie (a cookie copied off a shared computer or a proxy log)."""
    copy = app.test_client()
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
