"""“Coba proses lagi”: a sheet the server failed on, graded again from its stored photos at its trainee's request
(a few times: :mod:`grader.web.grade_again`)."""
from __future__ import annotations

from flask import flash, redirect, url_for

from grader.web.db import get_db
from grader.web.grade_again import grade_failed_again
from grader.web.i18n import gettext as _
from grader.web.trainee import bp, get_submission, replaced_sending


@bp.post("/hasil/<token>/nilai-ulang")
def retry_failed(token: str):
    """Grade a sheet the server failed on again from its stored photos, at its trainee's request (a few times: then
    the page says to ask the trainer). The page then waits for the result, as after an upload."""
    row = get_submission(token)
    if (gone := replaced_sending(row)) is not None:
        return gone
    if grade_failed_again(get_db(), row["id"], by_trainee=True):
        flash(_("Lembar Anda diproses lagi dari foto yang sudah tersimpan."), "ok")
        return redirect(url_for("trainee.result", token=token), code=303)
    # (tried too often, or failed for a reason of the photo's: the page says what to do instead; a second tap finds
    # the sheet queued already, with nothing to say)
    if get_submission(token)["state"] == "failed":
        flash(_("Lembar ini tidak bisa diproses lagi dari sini; lihat keterangannya di bawah."), "error")
    return redirect(url_for("trainee.result", token=token), code=303)
