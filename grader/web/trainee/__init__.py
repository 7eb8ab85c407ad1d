"""Trainee pages at ``/``: the blueprint, and what its modules share (the exercise code typed, a sheet by its token).

Results are addressed by an unguessable token. A browser remembers the
tokens of its own attempts (in the signed session, :mod:`.attempts`), which is how a trainee
sees their earlier attempts without anyone else seeing them.
"""
from __future__ import annotations

from pathlib import Path

from flask import Blueprint, current_app, flash, redirect, url_for

from grader.errors import GraderError
from grader.exercise.store import canonical_code
from grader.invisible import INVISIBLE_RE
from grader.web.db import get_db, sheet_or_abort
from grader.web.i18n import gettext as _
from grader.web.resent import replacement_of

bp = Blueprint("trainee", __name__)


MAX_CODE_CHARS = 32      # a code is 6 characters; what is longer is a paste gone wrong, kept short to say so


def normalise_code(text: str | None) -> str | None:
    """An exercise code as typed or pasted: as stored (:func:`grader.exercise.store.canonical_code`: upper case, G
    read as 6), without any space (a no-break one too) or invisible character (a zero-width space from a chat app),
    at most :data:`MAX_CODE_CHARS` long."""
    code = canonical_code("".join(INVISIBLE_RE.sub("", text or "").split()))[:MAX_CODE_CHARS]
    return code or None


def check_exercise(code: str | None) -> None:
    """Raise ``unknown_exercise`` (with the Indonesian message from the store) for a code that does not exist."""
    if code:
        from grader.exercise.store import load_key_by_code

        try:
            load_key_by_code(code, base=Path(current_app.config["DATA_DIR"]))
        except GraderError as exc:
            if exc.code != "unknown_exercise":
                raise
            # (the store's English is for the command line: it names the server's folder it looked in)
            raise GraderError(exc.code, f"Exercise code {code} was not found. Check the code on the handout.",
                              exc.message_id) from None


def similar_codes(typed: str | None) -> list[str]:
    """The exercises' codes one slip from a code typed that names none (:func:`grader.exercise.store.codes_like`),
    offered on the held sheet's page as "Maksud Anda …?"."""
    from grader.exercise.store import codes_like

    return codes_like(typed or "", base=Path(current_app.config["DATA_DIR"]))


def get_submission(token: str):
    """The sheet with this token; 404 if there is none, 410 if a trainer removed it."""
    return sheet_or_abort("token", token)


def replaced_sending(row):
    """For a page of a sending that a later sending of its form replaced (:mod:`grader.web.resent`): its result page,
    saying so, instead of a new sheet made of it (opened before, it still offered a retake or a missing page)."""
    if replacement_of(get_db(), row) is None:
        return None
    flash(_("Kiriman ini sudah diganti oleh kiriman Anda berikutnya; buka kiriman terbaru Anda dan kirim dari sana."), "error")
    return redirect(url_for("trainee.result", token=row["token"]), code=303)


from grader.web.trainee import attempts, dispute, photos, results, retake, retry, upload  # noqa: E402,F401
# (the trainer's pages show a sheet's result and images as the trainee's do)
from grader.web.trainee.results import image_version, printable_feedback, send_derived  # noqa: E402,F401
