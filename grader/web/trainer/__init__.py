"""Trainer pages under ``/trainer``, all behind the login except the login page itself."""
from __future__ import annotations

from flask import Blueprint, redirect, request, url_for

from grader.web.security import current_trainer

bp = Blueprint("trainer", __name__, url_prefix="/trainer")
PUBLIC_ENDPOINTS = {"trainer.login"}


@bp.before_request
def require_login():
    if request.endpoint in PUBLIC_ENDPOINTS or current_trainer():
        return None
    if request.path.endswith(".json") or request.headers.get("X-Requested-With") == "fetch":
        from flask import jsonify

        return jsonify({"error": 401, "message": "login required"}), 401
    nxt = request.full_path.rstrip("?") if request.method == "GET" else None
    return redirect(url_for("trainer.login", next=nxt))


from grader.web.trainer import auth, batches, exercises, export, results, review, screen  # noqa: E402,F401
