"""A trainee's dispute of a field marked wrong or blank ("that is not what I wrote"): the field goes to review until
a trainer checks it. A dispute saying a number other than the key's is answered at once: the field is wrong
whatever we read."""
from __future__ import annotations

import json
import re

from flask import current_app, flash, redirect, request, session, url_for

from grader.errors import GraderError
from grader.grading.grade import NOTE_WRONG_BY_OWN_WORD
from grader.web import busy_response
from grader.web.db import get_db
from grader.grading.typed_value import parse_value
from grader.web.review_actions import DISPUTABLE, MARKS_WRITTEN_RE, WRITTEN_RE, dispute_field
from grader.web.i18n import error_text
from grader.web.i18n import gettext as _
from grader.web.present import field_name
from grader.web.trainee import bp, get_submission

FIELD_ID_RE = re.compile(r"^[A-Za-z0-9.]{1,40}$")
DRAFT_KEY = "dispute_draft"


def written_number(written: str, kind: str | None) -> int | None:
    """The number a trainee says they wrote, as the boxes mean it ("X47" and "047" are 47, "XXX" is 0: read as a
    trainer's correction is, :func:`parse_value`); None for nothing said, or what a dispute may not say (left to
    :func:`dispute_field` to refuse, with its reason)."""
    if kind in ("bubbles", "tally"):                 # a count: digits only
        return int(written) if written and MARKS_WRITTEN_RE.match(written) else None
    ok, value = parse_value(written) if WRITTEN_RE.match(written) else (False, None)
    return value if ok else None


def still_wrong(row, field_id: str, written: str):
    """The key's value of ``field_id`` when what the trainee says they wrote differs from it: the field is wrong
    whether or not we misread it, so a dispute would only take a real mistake out of the score (shown as "perlu
    dicek", the sheet at 100) and cost a trainer's look. None otherwise (nothing said, or the key's value said), and
    for a field in a broken rule or a cross-check error that says another number than we read: those were judged on
    what we read, which the trainee says is not what they wrote (their sum may hold with it), so a trainer settles
    it, as any dispute; the field itself stays wrong on the trainee's word until then (``grade.NOTE_WRONG_BY_OWN_WORD``:
    helper-136's "04" against a key of 24 took it out of the score). Saying just what we read, the trainee disputes
    nothing: the rule was judged on what they wrote. It was stored, a trainer's look for nothing, and the pair's note
    said "Anda menyanggah bacaan kami" of a tally of 114 confirmed as read (rehearsal helper-185)."""
    if row["state"] != "done" or not row["result"]:
        return None
    result = json.loads(row["result"])
    field = next((f for f in result.get("fields", []) if f.get("id") == field_id), None)
    if field is None or field.get("status") not in DISPUTABLE or field.get("corrected_by"):
        return None
    said, expected = written_number(written, field.get("kind")), field.get("expected")
    if said is None or not isinstance(expected, int) or isinstance(expected, bool) or said == expected:
        return None
    if said != field.get("value") and _judged_on_reading(result, field_id):
        return None
    return expected


def _judged_on_reading(result: dict, field_id: str) -> bool:
    """Whether ``field_id`` is in a rule broken, or a pair's cross-check error, on what we read."""
    return any(field_id in r.get("fields", ()) and r.get("status") == "violated" for r in result.get("rules") or ()) \
        or any(field_id in x.get("fields", ()) and x.get("severity") == "error" for x in result.get("findings") or ())


@bp.post("/hasil/<token>/sanggah")
def dispute(token: str):
    """The trainee says a field marked wrong or blank is not what they wrote: a trainer will check it."""
    row = get_submission(token)
    field_id = request.form.get("field", "")
    written = (request.form.get("written") or "").strip()[:20]
    expected = still_wrong(row, field_id, written)
    if expected is not None:
        # (said at the top, as a refused dispute is: the field is still marked wrong, so nothing at it changes)
        # (not "even if we misread it": what they say may be just what we read, helper-147)
        flash(_("Isian {field}: Anda menulis {written}, padahal seharusnya {expected}, jadi isian ini tetap salah, "
                "apa pun yang kami baca. Tidak perlu dicek pelatih; periksa lagi hitungan Anda.",
                field=field_name(field_id), written=written, expected=expected), "error")
        return redirect(url_for("trainee.result", token=token), code=303)
    try:
        graded = dispute_field(get_db(), submission_id=row["id"], field_id=field_id, written=written,
                               data_dir=current_app.config["DATA_DIR"], pipeline_ref=current_app.config["PIPELINE"])
    except GraderError as exc:
        # (shown at the top of the page, where the messages are: at the field, a phone would show none of it;
        # named once: "Entry II.3: Entry II.3 is already disputed" said it twice)
        said, named = error_text(exc), field_name(field_id)
        if exc.code != "busy":
            flash(said if field_id and named in said else _("Isian {field}: ", field=named) + said, "error")
        # what they typed waits in the field's form, opened, to mend ("4O" for 40), not to type again (the page
        # still opens at the top, where the message is)
        session[DRAFT_KEY] = {"token": token, "field": field_id, "written": written}
        if exc.code == "busy":
            # (the database locked past its timeout: NOT stored; 503 with Retry-After, the page saying what they
            # wrote, and its way back opening the field's form with it, from the draft)
            return busy_response(exc, back=(url_for("trainee.result", token=token) + _anchor(field_id),
                                             _("Kembali ke hasil dan kirim lagi")))
        return redirect(url_for("trainee.result", token=token), code=303)
    field = next((f for f in graded.get("fields") or () if f.get("id") == field_id), {})
    if NOTE_WRONG_BY_OWN_WORD in (field.get("notes") or ()):
        # (a field in a broken rule or a cross-check error, still_wrong: the rule waits for a trainer, but the
        # regrade kept the field wrong on the trainee's own word, and the page must not say it is not counted)
        flash(_("Terima kasih. Anda menulis {written}, padahal seharusnya {expected}, jadi isian {field} tetap "
                "dihitung salah; pelatih akan memeriksa hitungan yang memakai isian ini.", written=written,
                expected=field.get("expected"), field=field_name(field_id)), "ok")
    else:
        flash(_("Terima kasih. Isian {field} tidak dihitung salah sampai pelatih memeriksanya.",
                field=field_name(field_id)), "ok")
    return redirect(url_for("trainee.result", token=token) + _anchor(field_id), code=303)


def _anchor(field_id: str) -> str:
    """The field's row on the result page, where the browser is brought back to."""
    return f"#f-{field_id}" if FIELD_ID_RE.match(field_id) else ""


def dispute_draft(token: str) -> dict | None:
    """A dispute this browser sent for ``token`` that was refused (``{"field", "written"}``), taken from the session:
    shown once, in its field's form, opened."""
    draft = session.get(DRAFT_KEY)
    if not isinstance(draft, dict) or draft.get("token") != token:
        return None
    session.pop(DRAFT_KEY)
    return draft
