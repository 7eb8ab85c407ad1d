"""Trainer pages under ``/trainer``, all behind the login except the login page itself."""
from __future__ import annotations

from flask import Blueprint, jsonify, redirect, request, url_for

from grader.web.i18n import gettext as _
from grader.web.security import current_trainer

bp = Blueprint("trainer", __name__, url_prefix="/trainer")
PUBLIC_ENDPOINTS = {"trainer.login"}


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


from grader.web.trainer import auth, batches, exercises, export, results, review, screen  # noqa: E402,F401
