"""Log in (shared trainer password + the trainer's name, used to sign corrections), log out, and log out on every
device."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for

from grader.web.i18n import gettext as _
from grader.web.security import check_trainer_password, log_in, log_out, log_out_everywhere
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
    """This browser's login ends; the login page says so, and where the others end (a phone left logged in)."""
    log_out()
    flash(_("Anda sudah keluar di perangkat ini. Perangkat lain yang masuk tetap masuk; untuk mengakhirinya, masuk "
            "lalu pilih “Keluar dari semua perangkat” di bagian bawah halaman pelatih."), "ok")
    return redirect(url_for("trainer.login"))


@bp.post("/keluar-semua")
def logout_everywhere():
    """Every trainer login ends, this one too: a login left open on a borrowed laptop or a lost phone. Only a trainer
    logged in may (not a trainee, who has a CSRF token too), and only with the box ticked: a tap by mistake would log
    out a whole room of trainers."""
    if request.form.get("confirm") != "1":
        flash(_("Centang konfirmasi dulu untuk keluar dari semua perangkat."), "error")
        return redirect(url_for("trainer.index"))
    log_out_everywhere()
    flash(_("Anda sudah keluar dari semua perangkat: setiap sesi masuk pelatih berakhir, termasuk yang ini."), "ok")
    return redirect(url_for("trainer.login"))
