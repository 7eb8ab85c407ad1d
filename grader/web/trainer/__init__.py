"""Trainer pages under ``/trainer``, all behind the login except the login page itself."""
from __future__ import annotations

from flask import Blueprint, flash, jsonify, redirect, request, url_for

from grader.errors import GraderError
from grader.web.i18n import error_text
from grader.web.i18n import gettext as _
from grader.web.security import current_trainer

bp = Blueprint("trainer", __name__, url_prefix="/trainer")
#: open without a live login: logging in, and logging out (a login already over still has its cookie cleared)
PUBLIC_ENDPOINTS = {"trainer.login", "trainer.logout"}


@bp.before_request
def require_login():
    if request.endpoint in PUBLIC_ENDPOINTS or current_trainer():
        return None
    if request.path.endswith(".json") or request.headers.get("X-Requested-With") == "fetch":
        # (said beside the field a review queue's script was saving: in the page's language)
        text = _("Anda belum masuk sebagai pelatih. Masuk lagi, lalu coba lagi.")
        return jsonify({"error": 401, "message": text}), 401
    nxt = request.full_path.rstrip("?") if request.method == "GET" else None
    return redirect(url_for("trainer.login", next=nxt))


def back_to(default: str) -> str:
    """Where a trainer's form goes back to: the page its ``back`` names (the queue, the sheet), if it is a trainer page
    of this site (never another site, whatever the form says), else ``default``."""
    back = request.form.get("back") or ""
    return back if back.startswith("/trainer/") else default


@bp.errorhandler(GraderError)
def grader_error(exc: GraderError):
    """A refusal on a trainer page (a batch with nothing to grade, an exercise that is not here): said on the page
    the trainer came from."""
    flash(error_text(exc), "error")
    return redirect(request.referrer or url_for("trainer.index"))


from grader.web.trainer import (auth, batch_files, batch_status, batch_upload, exercises, export,  # noqa: E402,F401
                                results, review, screen, trainee_number)
