"""Log in (shared trainer password + the trainer's name, used to sign corrections) and log out."""
from __future__ import annotations

from flask import redirect, render_template, request, url_for

from grader.web.i18n import gettext as _
from grader.web.security import check_trainer_password, log_in, log_out
from grader.web.trainer import bp


def _safe_next(target: str | None) -> str:
    """Only local paths under /trainer: never an open redirect."""
    if target and target.startswith("/trainer") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("trainer.index")


@bp.route("/masuk", methods=["GET", "POST"])
def login():
    error = None
    name = ""
    if request.method == "POST":
        name = (request.form.get("name") or "").strip()[:60]
        if not name:
            error = _("Isi nama Anda (dicatat pada setiap koreksi).")
        elif not check_trainer_password(request.form.get("password", "")):
            error = _("Kata sandi salah.")
        else:
            log_in(name)
            return redirect(_safe_next(request.form.get("next")))
    return render_template("trainer/login.html", error=error, name=name,
                           next=request.values.get("next", "")), (401 if error else 200)


@bp.post("/keluar")
def logout():
    log_out()
    return redirect(url_for("trainer.login"))
