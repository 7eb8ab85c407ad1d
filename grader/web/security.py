"""Trainer login and CSRF protection, with nothing beyond Flask and werkzeug.

The trainer password comes from ``GRADER_TRAINER_PASSWORD`` and is kept only
as a werkzeug hash. A login is kept in the database (:mod:`grader.web.trainer_sessions`)
and the session cookie carries only its id, so logging out ends it for every copy of
the cookie; logging out everywhere, or starting with another password, ends every
login. Every state-changing request (any POST) must carry the
session's CSRF token, in the form field ``csrf_token`` or the header
``X-CSRF-Token``.
"""
from __future__ import annotations

import contextlib
import functools
import hmac
import logging
import secrets
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

from flask import Flask, abort, current_app, g, make_response, redirect, request, session, url_for
from werkzeug.security import check_password_hash

from grader.web import trainer_sessions
from grader.web.db import connect, get_db, storage_refused

log = logging.getLogger(__name__)
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
FAILED_LOGIN_DELAY_S = 0.5
#: the session key holding the id of the browser's login (a cookie from before logins were kept holds only
#: ``trainer``, a name: it is not let in, see :func:`current_trainer`)
LOGIN_KEY = "trainer_login"
#: what a request the database kept from checking or changing a login is told to wait, in seconds (``Retry-After``)
RETRY_AFTER_S = 5


class LoginCheckFailed(Exception):
    """The database refused a read or write of the logins: the request cannot tell whether its trainer is logged in
    (or cannot log in or out), so it is answered 503 with ``message`` (Indonesian, translated when shown), rather
    than taken for logged out (a correction being sent would be lost on the way to the login page)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@contextlib.contextmanager
def _answered_503(doing: str, message: str) -> Iterator[None]:
    """A read or write of the logins that the database refuses: logged (``could not {doing}``) and raised as
    :class:`LoginCheckFailed` with ``message``, the 503 page's words, rather than taken for logged out."""
    try:
        yield
    except sqlite3.Error as exc:
        log.error("could not %s in the database (answered %d): %s", doing, 507 if storage_refused(exc) else 503,
                  exc)
        raise LoginCheckFailed(message) from exc


def trainer_password_hash(configured: str | None, instance: Path, database: Path | str) -> str:
    """Hash of the configured password; without one, of a generated password kept in the instance folder. The
    database keeps it: a password other than the last start's ends every trainer login
    (:func:`grader.web.trainer_sessions.password_hash`)."""
    conn = connect(database)
    try:
        return trainer_sessions.password_hash(conn, configured or _instance_password(instance))
    finally:
        conn.close()


def _instance_password(instance: Path) -> str:
    """The password kept in ``<instance>/trainer-password.txt``, generated there on the first start."""
    path = Path(instance) / "trainer-password.txt"
    if path.is_file():
        password = path.read_text(encoding="utf-8").strip()
    else:
        password = secrets.token_urlsafe(9)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(password + "\n", encoding="utf-8")
        path.chmod(0o600)
    log.warning("GRADER_TRAINER_PASSWORD is not set; trainer password (kept in %s): %s", path, password)
    return password


def check_trainer_password(password: str) -> bool:
    ok = bool(password) and check_password_hash(current_app.config["TRAINER_PASSWORD_HASH"], password)
    if not ok:
        time.sleep(FAILED_LOGIN_DELAY_S)   # slows down guessing; the hash check is already slow
    return ok


def csrf_token() -> str:
    if CSRF_FIELD not in session:
        session[CSRF_FIELD] = secrets.token_urlsafe(24)
    return session[CSRF_FIELD]


def check_csrf() -> None:
    """``before_request``: reject a POST without the session's token (400, with a reload hint)."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    expected = session.get(CSRF_FIELD)
    sent = request.headers.get(CSRF_HEADER) or request.form.get(CSRF_FIELD, "")
    if not expected or not hmac.compare_digest(str(expected), str(sent)):
        abort(400, description="csrf")


def current_trainer() -> str | None:
    """The trainer logged in on this request's session: only while its login is live in the database (looked up
    once per request). Raises :class:`LoginCheckFailed` if the database refuses the lookup."""
    if "trainer" not in g:
        g.trainer = _live_trainer()
    return g.trainer


def _live_trainer() -> str | None:
    login_id = session.get(LOGIN_KEY)
    if not login_id:
        return None
    with _answered_503("check a trainer's login", "Server belum dapat memeriksa sesi masuk Anda. Tidak ada yang "
                       "hilang: coba lagi sebentar lagi."):
        return trainer_sessions.live_trainer(get_db(), str(login_id), lifetime_s=_lifetime_s())


def trainer_shown() -> str | None:
    """The trainer a page's header names (with the log-out button), or nobody when the database cannot tell: a
    trainee's page, or the error page saying so, is still shown."""
    try:
        return current_trainer()
    except LoginCheckFailed:
        return None


def _lifetime_s() -> float:
    return current_app.permanent_session_lifetime.total_seconds()


def log_in(name: str) -> None:
    """A new login for ``name`` in a fresh session (no fixation), keeping the CSRF token and the language."""
    with _answered_503("record a trainer's login", "Server belum dapat mencatat Anda masuk. Coba lagi sebentar "
                       "lagi."):
        login_id = trainer_sessions.start(get_db(), name, lifetime_s=_lifetime_s())
    kept = {key: session[key] for key in (CSRF_FIELD, "lang") if session.get(key)}
    session.clear()
    session.permanent = True
    session.update(kept)
    session[LOGIN_KEY] = login_id
    g.trainer = name


def log_out() -> None:
    """End this browser's login in the database, then in its cookie; the trainer's other devices stay logged in.
    If the database refuses, the login stays whole and the trainer is told they are not logged out yet."""
    login_id = session.get(LOGIN_KEY)
    if login_id:
        with _answered_503("end a trainer's login", "Server belum dapat mengakhiri sesi masuk Anda, jadi Anda "
                           "belum keluar. Coba lagi sebentar lagi."):
            trainer_sessions.end(get_db(), str(login_id))
    _forget_login()


def log_out_everywhere() -> None:
    """End every trainer login in the database, on every device (one password is shared: every login is a
    trainer's), then this browser's cookie. If the database refuses, every login stays and the trainer is told that
    no device is logged out yet."""
    name = current_trainer()
    with _answered_503("end every trainer login", "Server belum dapat mengakhiri sesi masuk di semua perangkat, jadi "
                       "belum ada perangkat yang keluar. Tidak ada yang hilang: coba lagi sebentar lagi."):
        ended = trainer_sessions.end_all(get_db())
    log.warning("trainer %r logged out on every device: trainer logins ended (this one included): %d", name, ended)
    _forget_login()


def _forget_login() -> None:
    """Clear this browser's login from its cookie (its CSRF token and language stay)."""
    session.pop(LOGIN_KEY, None)
    session.pop("trainer", None)               # a cookie from before logins were kept
    g.trainer = None


def login_check_failed(exc: LoginCheckFailed):
    """Error handler: the 503 page (or JSON, to a script) saying what could not be done; logged where it failed."""
    from grader.web import error_response, storage_refused_response
    from grader.web.i18n import gettext as _

    if storage_refused(exc.__cause__):
        # (a full or read-only disk is not cured in a moment, and a batch's photos were not kept: said as every page
        # says it, not "nothing is lost, try again in a moment"; rehearsal, helper-193)
        return storage_refused_response()
    response = make_response(error_response(503, _(exc.message)))
    response.headers["Retry-After"] = str(RETRY_AFTER_S)
    return response


def login_required(view):
    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        if not current_trainer():
            return redirect(url_for("trainer.login", next=request.full_path if request.method == "GET" else None))
        return view(*args, **kwargs)
    return wrapped


def init_app(app: Flask) -> None:
    app.before_request(check_csrf)
    app.register_error_handler(LoginCheckFailed, login_check_failed)
    app.jinja_env.globals["csrf_token"] = csrf_token
    app.jinja_env.globals["current_trainer"] = trainer_shown
