"""Trainer login and CSRF protection, with nothing beyond Flask and werkzeug.

The trainer password comes from ``GRADER_TRAINER_PASSWORD`` and is kept only
as a werkzeug hash. Every state-changing request (any POST) must carry the
session's CSRF token, in the form field ``csrf_token`` or the header
``X-CSRF-Token``.
"""
from __future__ import annotations

import functools
import hmac
import logging
import secrets
import time
from pathlib import Path

from flask import Flask, abort, current_app, redirect, request, session, url_for
from werkzeug.security import check_password_hash, generate_password_hash

log = logging.getLogger(__name__)
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
FAILED_LOGIN_DELAY_S = 0.5


def trainer_password_hash(configured: str | None, instance: Path) -> str:
    """Hash of the configured password; without one, a generated password kept in the instance folder."""
    if configured:
        return generate_password_hash(configured)
    path = Path(instance) / "trainer-password.txt"
    if path.is_file():
        password = path.read_text(encoding="utf-8").strip()
    else:
        password = secrets.token_urlsafe(9)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(password + "\n", encoding="utf-8")
        path.chmod(0o600)
    log.warning("GRADER_TRAINER_PASSWORD is not set; trainer password (kept in %s): %s", path, password)
    return generate_password_hash(password)


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
    return session.get("trainer")


def log_in(name: str) -> None:
    token = session.get(CSRF_FIELD)
    lang = session.get("lang")
    session.clear()           # a fresh session at login: no fixation
    session.permanent = True
    session["trainer"] = name
    if token:
        session[CSRF_FIELD] = token
    if lang:
        session["lang"] = lang


def log_out() -> None:
    session.pop("trainer", None)


def login_required(view):
    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        if not current_trainer():
            return redirect(url_for("trainer.login", next=request.full_path if request.method == "GET" else None))
        return view(*args, **kwargs)
    return wrapped


def init_app(app: Flask) -> None:
    app.before_request(check_csrf)
    app.jinja_env.globals["csrf_token"] = csrf_token
    app.jinja_env.globals["current_trainer"] = current_trainer
