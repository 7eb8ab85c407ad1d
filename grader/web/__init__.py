"""The Flask web app: an application factory with one blueprint per audience.

Trainee pages are at ``/``, trainer pages under ``/trainer`` (behind a login),
printable blank sheets under ``/forms/``. Configuration is read once, here:
defaults, then an optional JSON file (``GRADER_CONFIG``, default
``<instance>/config.json``, keys as in ``app.config``), then ``GRADER_*``
environment variables, then ``test_config``.

Environment variables:

- ``GRADER_DATA_DIR``: the instance folder (database, uploads, exercise store); default ``./instance``.
- ``GRADER_TRAINER_PASSWORD``: the trainer password (kept only hashed). Unset: one is generated, kept in
  ``<instance>/trainer-password.txt`` and logged at startup. A start with another password than the last one ends
  every trainer login.
- ``GRADER_SECRET_KEY``: signs session cookies. Unset: generated once into ``<instance>/secret-key.txt``.
- ``GRADER_SECURE_COOKIES=1``: session cookie only over HTTPS (set it behind a TLS proxy).
- ``GRADER_MAX_UPLOAD_MB`` (25): per photo; a trainee upload may carry two. ``GRADER_MAX_BATCH_MB`` (400).
- ``GRADER_JOBS`` (``process``; ``thread``/``inline`` for tests), ``GRADER_WORKERS`` (default: CPUs, at most 4),
  ``GRADER_JOB_TIMEOUT_S`` (120).
- ``GRADER_RECOVERY_WAIT_S`` (20): how long requests wait for the start's recovery (:mod:`grader.web.recovery`)
  before they are answered 503, "try again in a moment", while it runs on.
"""
from __future__ import annotations

import json
import logging
import os
import sqlite3
from datetime import timedelta
from pathlib import Path

from flask import Flask, jsonify, make_response, render_template, request
from werkzeug.exceptions import HTTPException

from grader.config import data_dir
from grader.errors import SettingError

log = logging.getLogger(__name__)
MB = 1024 * 1024
#: endpoints that accept a batch (many photos or a zip); every other request gets the single-sheet limit
BATCH_ENDPOINTS = {"trainer.batch_new"}
#: Files one batch upload may hold (a class of 60 sends 120 pages; a zip holds up to 400 photos). The form parser
#: counts every part of a request; past ``MAX_FORM_PARTS`` it refuses with a 413, said as too many files.
BATCH_MAX_FILES = 900
FORM_PARTS_ROOM = 100                       # (the form's own fields besides the files)


def batch_max_files(config) -> int:
    """How many files one batch upload may hold, by the app's ``MAX_FORM_PARTS``."""
    return max(1, config["MAX_FORM_PARTS"] - FORM_PARTS_ROOM)
#: The request header the uploader (static/app.js, form[data-progress]) sends a form with, and the header that hands
#: it a redirect to open instead of one it would follow itself (:func:`_redirect_for_the_uploader`).
UPLOADER_HEADER = "X-Uploader"
UPLOADER_REDIRECT = "X-Uploader-Redirect"


def settings_from_env(env: os._Environ | dict = os.environ) -> dict:
    """The app's settings from ``GRADER_*`` variables, with defaults for a local install; a value that cannot be
    used is a :class:`SettingError` naming it."""
    from grader.web.jobs import MODES as JOBS_MODES

    photo_mb = _whole_number(env, "GRADER_MAX_UPLOAD_MB", "25", least=1)
    jobs_mode = env.get("GRADER_JOBS", "process")
    if jobs_mode not in JOBS_MODES:
        raise SettingError(f"GRADER_JOBS={jobs_mode!r}: use one of {', '.join(JOBS_MODES)}")
    return {
        "SECRET_KEY": env.get("GRADER_SECRET_KEY"),
        "TRAINER_PASSWORD": env.get("GRADER_TRAINER_PASSWORD"),
        "MAX_PHOTO_BYTES": photo_mb * MB,
        "MAX_UPLOAD_BYTES": (2 * photo_mb + 1) * MB,                       # one sheet: two photos
        "MAX_CONTENT_LENGTH": _whole_number(env, "GRADER_MAX_BATCH_MB", "400", least=1) * MB,
        "JOBS_MODE": jobs_mode,
        "JOBS_WORKERS": _whole_number(env, "GRADER_WORKERS", None, least=1),
        "JOB_TIMEOUT_S": _whole_number(env, "GRADER_JOB_TIMEOUT_S", "120", least=1),
        "RECOVERY_WAIT_S": _whole_number(env, "GRADER_RECOVERY_WAIT_S", "20", least=0),
        "SESSION_COOKIE_SECURE": _flag(env, "GRADER_SECURE_COOKIES"),
        "TIMEZONE": env.get("GRADER_TIMEZONE") or None,                   # WIB, WITA or WIT (None: WIB)
    }


def _flag(env, name: str) -> bool:
    """The variable ``name`` as on (``1``) or off (``0``, unset or empty). Anything else stops the start: a ``true``
    or ``yes`` read as off would serve a site behind HTTPS with cookies that also travel over plain HTTP."""
    text = (env.get(name) or "0").strip()
    if text not in ("0", "1"):
        raise SettingError(f"{name}={text!r}: use 1 (on) or 0 (off)")
    return text == "1"


def _whole_number(env, name: str, default: str | None, *, least: int) -> int | None:
    """The variable ``name`` as a whole number of at least ``least`` (``default`` when unset or empty)."""
    text = env.get(name) or default
    if text is None:
        return None
    try:
        value = int(text)
    except ValueError:
        value = None
    if value is None or value < least:
        raise SettingError(f"{name}={text!r}: expected a whole number, {least} or more")
    return value


ENV_NAMES = {"SECRET_KEY": "GRADER_SECRET_KEY", "TRAINER_PASSWORD": "GRADER_TRAINER_PASSWORD",
             "MAX_PHOTO_BYTES": "GRADER_MAX_UPLOAD_MB", "MAX_UPLOAD_BYTES": "GRADER_MAX_UPLOAD_MB",
             "MAX_CONTENT_LENGTH": "GRADER_MAX_BATCH_MB", "JOBS_MODE": "GRADER_JOBS", "JOBS_WORKERS": "GRADER_WORKERS",
             "JOB_TIMEOUT_S": "GRADER_JOB_TIMEOUT_S", "RECOVERY_WAIT_S": "GRADER_RECOVERY_WAIT_S",
             "SESSION_COOKIE_SECURE": "GRADER_SECURE_COOKIES",
             "TIMEZONE": "GRADER_TIMEZONE"}


def _env_sets(key: str) -> bool:
    """Whether the environment sets ``key`` explicitly (it then wins over the config file)."""
    return bool(os.environ.get(ENV_NAMES.get(key, "")))


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app. Configuration: defaults, then ``GRADER_*`` environment variables, then ``test_config``."""
    app = Flask(__name__, instance_path=str(data_dir()), instance_relative_config=True)
    app.config.from_mapping(
        DATA_DIR=Path(app.instance_path),
        PIPELINE=None,                          # None: grader.pipeline; tests inject a fake
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        PERMANENT_SESSION_LIFETIME=timedelta(hours=12),
        JOBS_RECOVER=True,
        MAX_FORM_PARTS=BATCH_MAX_FILES + FORM_PARTS_ROOM,
    )
    env = settings_from_env()
    app.config.update(env)
    config_file = Path(os.environ.get("GRADER_CONFIG") or Path(app.instance_path) / "config.json")
    if config_file.is_file():                   # optional: the same settings as JSON, e.g. {"JOBS_WORKERS": 4}
        app.config.from_file(str(config_file), load=json.load)
        app.config.update({k: v for k, v in env.items() if _env_sets(k)})     # the environment wins
    if test_config:
        app.config.update(test_config)
    data = Path(app.config["DATA_DIR"])
    data.mkdir(parents=True, exist_ok=True)
    app.config.setdefault("DATABASE", str(data / "grader.sqlite3"))
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret(data)

    from grader.web import db, i18n, jobs, local_time, security

    local_time.init_app(app)        # (first: a zone it cannot use stops the start before a password is made, said)
    db.init_app(app)
    if not app.config.get("TRAINER_PASSWORD_HASH"):     # (another password than the last start's ends every login)
        app.config["TRAINER_PASSWORD_HASH"] = security.trainer_password_hash(
            app.config.get("TRAINER_PASSWORD"), data, app.config["DATABASE"])
    app.config["TRAINER_PASSWORD"] = None       # keep only the hash
    i18n.init_app(app)
    app.before_request(_limit_upload_size)
    app.after_request(_security_headers)
    app.after_request(_redirect_for_the_uploader)
    security.init_app(app)

    pipeline = app.config["PIPELINE"]
    ref = pipeline.__name__ if hasattr(pipeline, "__spec__") and hasattr(pipeline, "__name__") else pipeline
    ctx = jobs.JobContext(database=app.config["DATABASE"], data_dir=str(data), pipeline=ref,
                          timeout_s=app.config["JOB_TIMEOUT_S"])
    runner = jobs.JobRunner(ctx, mode=app.config["JOBS_MODE"], workers=app.config["JOBS_WORKERS"],
                            retry_delay_s=app.config.get("JOBS_RETRY_DELAY_S", jobs.RETRY_DELAY_S))
    app.extensions["grader.jobs"] = runner

    from grader.web import forms, present, recovery, trainee, trainer

    app.register_blueprint(trainee.bp)
    app.register_blueprint(trainer.bp)
    app.register_blueprint(forms.bp)
    present.init_app(app)
    app.add_url_rule("/favicon.ico", "favicon", _favicon)
    _register_errors(app)
    if app.config["JOBS_RECOVER"]:
        recovery.init_app(app, runner)          # what a crash left unfinished: every request waits for it
    return app


def _instance_secret(data: Path) -> str:
    """A random secret key kept in the instance folder, so sessions survive restarts."""
    import secrets

    path = data / "secret-key.txt"
    if path.is_file():
        return path.read_text(encoding="utf-8").strip()
    key = secrets.token_hex(32)
    path.write_text(key + "\n", encoding="utf-8")
    path.chmod(0o600)
    log.info("generated a secret key in %s (set GRADER_SECRET_KEY to choose one)", path)
    return key


SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
                               "script-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'self'; "
                               "form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


def _security_headers(response):
    """Nothing from elsewhere runs on these pages, and they cannot be framed."""
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def _redirect_for_the_uploader(response):
    """A redirect answering the uploader's sending is handed to the page (204, :data:`UPLOADER_REDIRECT`: where to),
    which opens it: the browser then asks for the page, as when a form is sent without the script, and a message
    flashed for that page (a batch cut short by a full disk, or completed by a sending again) is shown on it. A
    redirect the script's request followed itself used the message up on a page no one saw."""
    if request.headers.get(UPLOADER_HEADER) == "1" and response.status_code in (301, 302, 303, 307, 308) \
            and response.location:
        response.headers[UPLOADER_REDIRECT] = response.location
        del response.headers["Location"]
        response.status_code = 204              # (with its cookies: the session's flashed messages, the remembered code)
        response.set_data(b"")
        del response.headers["Content-Type"]
    return response


def _favicon():
    """The pages link their icon; a browser showing a PDF or JSON of ours still asks for /favicon.ico."""
    from flask import current_app

    return current_app.send_static_file("favicon.svg")


def _limit_upload_size() -> None:
    from flask import current_app

    if request.endpoint not in BATCH_ENDPOINTS:
        request.max_content_length = current_app.config["MAX_UPLOAD_BYTES"]


def _wants_json() -> bool:
    return request.path.endswith(".json") or request.accept_mimetypes.best == "application/json" \
        or request.headers.get("X-Requested-With") == "fetch"


def error_response(status: int, text: str, *, back: tuple[str, str] | None = None, retry_after: int | None = None,
                   **extra):
    """An error as JSON (``error``: the HTTP status, ``message``, and ``extra``) to a script, as a page to a person.
    ``back``: ``(address, words)`` of the page's way back, instead of the exercises (a trainer) or the upload form;
    ``retry_after``: seconds, sent as ``Retry-After`` (a 503)."""
    if _wants_json():
        response = make_response(jsonify({"error": status, **extra, "message": text}), status)
    else:
        response = make_response(render_template("error.html", code=status, message=text, back=back), status)
    if retry_after is not None:
        response.headers["Retry-After"] = str(retry_after)
    return response


def busy_response(said, **extra):
    """What a request that met the database locked past its timeout is answered (:func:`grader.web.db.database_busy`):
    503 with ``Retry-After``, ``said`` (a :class:`~grader.errors.GraderError`, code ``busy`` or what its caller
    kept: whether what was sent is saved, and what to do) in the page's language, and ``code``, as 507 answers a
    full disk (:func:`storage_refused_response`)."""
    from grader.web.db import BUSY_RETRY_AFTER_S
    from grader.web.i18n import error_text

    return error_response(503, error_text(said), retry_after=BUSY_RETRY_AFTER_S, code=said.code, **extra)


def storage_refused_response():
    """What a request that met the database refused by its disk (full, read-only, not openable:
    :func:`grader.web.db.storage_refused`) is answered, wherever it met it (a page, a correction, the trainer's login
    check): 507, the storage's trouble, and that its photos were not kept when it sent some; sending again will not
    help until someone makes room, so it is not "try again in a moment"."""
    from grader.web.i18n import error_text
    from grader.web.sheet_storing import storage_error, storage_trouble

    said = storage_error() if request.files else storage_trouble()
    return error_response(507, error_text(said), code=said.code)


def busy_said(exc: sqlite3.OperationalError):
    """:func:`busy_response` to a request that met the database locked past its timeout where no caller said what
    it kept: a sending whose photos were kept for the sweep of unrecorded sendings
    (:data:`~grader.web.sheet_storing.KEPT_WHEN_BUSY`; a trainee's is remembered as this browser's, so the upload
    page lists it once recorded), photos sent and not kept, or nothing claimed of what was sent."""
    from grader.web.sheet_storing import KEPT_WHEN_BUSY, busy_kept, busy_not_kept, busy_unsaid

    kept = getattr(exc, KEPT_WHEN_BUSY, None)
    if kept:
        if not request.path.startswith("/trainer/"):
            from grader.web.trainee.attempts import remember_attempt
            remember_attempt(kept)
        return busy_response(busy_kept(), kept=True)
    if request.files:
        return busy_response(busy_not_kept(), kept=False)
    return busy_response(busy_unsaid())


def _register_errors(app: Flask) -> None:
    from grader.web.i18n import error_text
    from grader.web.i18n import gettext as _
    from grader.web.db import database_busy, storage_refused
    from grader.web.sheet_storing import StorageError

    messages = {
        400: "Permintaan tidak valid.",
        403: "Anda tidak berhak membuka halaman ini.",
        404: "Halaman tidak ditemukan.",
        410: "Lembar ini sudah dihapus oleh pelatih, beserta fotonya.",
        405: "Cara membuka halaman ini tidak didukung.",
        413: "Berkas terlalu besar. Batasnya {mb} MB per unggahan; kirim foto ponsel biasa.",
        500: "Terjadi kesalahan pada server. Coba lagi sebentar lagi.",
    }

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        code = exc.code or 500
        limit = request.max_content_length or app.config["MAX_CONTENT_LENGTH"]
        if code == 400 and exc.description == "csrf":
            text = _("Formulir kedaluwarsa. Muat ulang halaman lalu kirim lagi.")
        elif code == 413 and (request.content_length or 0) <= limit:
            # not too many bytes: too many parts (files), or a form field past the parser's memory limit
            text = (_("Terlalu banyak berkas dalam satu unggahan: paling banyak {n}. Unggah dalam beberapa bagian.",
                      n=batch_max_files(app.config)) if request.endpoint in BATCH_ENDPOINTS else
                    _("Formulir ini tidak bisa diterima: terlalu banyak berkas atau isian terlalu panjang. Muat ulang "
                      "halaman, pilih foto lembar Anda, lalu kirim lagi."))
        elif code == 413 and request.endpoint not in BATCH_ENDPOINTS:
            # a trainee upload: the limit that matters to them is the one per photo, not the request's
            text = _("Foto terlalu besar: setiap foto paling besar {mb} MB. Kirim foto ponsel biasa.",
                     mb=app.config["MAX_PHOTO_BYTES"] // MB)
        else:
            text = _(messages.get(code, "Terjadi kesalahan."), mb=limit // MB)
        if code == 400 and exc.description not in (None, "csrf") and not str(exc.description).startswith("The browser"):
            text = str(exc.description)
        if code == 410 and exc.description and exc.description != type(exc).description:
            text = str(exc.description)         # what was removed, said by the page that knows
        return error_response(code, text)

    @app.errorhandler(StorageError)
    def storage_error(exc: StorageError):
        # logged where it happened (sheet_storing.store_submission); the sender keeps their photos and sends again
        return error_response(507, error_text(exc), code=exc.code)

    @app.errorhandler(500)
    def server_error(exc):
        log.exception("internal error on %s", request.path)
        return error_response(500, _(messages[500]))

    @app.errorhandler(sqlite3.OperationalError)
    def database_refused(exc: sqlite3.OperationalError):
        # (a data folder gone read-only or full, met outside the storing that says so itself: sending again will
        # not help until someone makes room, so it is not "try again in a moment"; a lock met where no caller says
        # what it kept is: 503, with nothing claimed of what the request sent)
        if database_busy(exc):
            log.error("the database stayed locked past its timeout on %s %s: %s", request.method, request.path, exc)
            return busy_said(exc)
        if not storage_refused(exc):
            return server_error(exc)
        log.error("the database's disk refused %s %s: %s", request.method, request.path, exc)
        return storage_refused_response()
