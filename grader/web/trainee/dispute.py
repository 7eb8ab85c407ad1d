"""A trainee's dispute of a field marked wrong or blank ("that is not what I wrote"): the field goes to review until
a trainer checks it."""
from __future__ import annotations

import re

from flask import current_app, flash, redirect, request, url_for

from grader.errors import GraderError
from grader.web.db import get_db
from grader.web.review_actions import dispute_field
from grader.web.i18n import error_text
from grader.web.i18n import gettext as _
from grader.web.present import field_name
from grader.web.trainee import bp, get_submission

FIELD_ID_RE = re.compile(r"^[A-Za-z0-9.]{1,40}$")


@bp.post("/hasil/<token>/sanggah")
def dispute(token: str):
    """The trainee says a field marked wrong or blank is not what they wrote: a trainer will check it."""
    row = get_submission(token)
    field_id = request.form.get("field", "")
    written = (request.form.get("written") or "").strip()[:20]
    try:
        dispute_field(get_db(), submission_id=row["id"], field_id=field_id, written=written,
                      data_dir=current_app.config["DATA_DIR"], pipeline_ref=current_app.config["PIPELINE"])
    except GraderError as exc:
        # (shown at the top of the page, where the messages are: at the field, a phone would show none of it;
        # named once: "Entry II.3: Entry II.3 is already disputed" said it twice)
        said, named = error_text(exc), field_name(field_id)
        flash(said if field_id and named in said else _("Isian {field}: ", field=named) + said, "error")
        return redirect(url_for("trainee.result", token=token), code=303)
    flash(_("Terima kasih. Isian {field} tidak dihitung salah sampai pelatih memeriksanya.",
            field=field_name(field_id)), "ok")
    anchor = f"#f-{field_id}" if FIELD_ID_RE.match(field_id) else ""
    return redirect(url_for("trainee.result", token=token) + anchor, code=303)
