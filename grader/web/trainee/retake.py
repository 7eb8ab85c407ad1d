"""New photos for a graded sheet: one page retaken, or a page it lacks added (a new photo, or the page an earlier
attempt read). Either makes a new sheet, graded with the photos of the other pages kept."""
from __future__ import annotations

import hashlib
import json
import secrets
from pathlib import Path

from flask import abort, current_app, flash, redirect, render_template, request, url_for

from grader.errors import GraderError
from grader.web.corrections import carry_over_reviews, fields_on_pages
from grader.web.db import get_db
from grader.web.grading import stored_photos
from grader.web.grading_queue import queue_grading
from grader.web.i18n import error_text
from grader.web.i18n import gettext as _
from grader.web.present import left_out_of
from grader.web.resent import replaced_tokens
from grader.web.sheet_storing import read_stored, store_submission
from grader.web.trainee import bp, get_submission, replaced_sending
from grader.web.trainee.attempts import (earlier_attempts, missing_pages, pages_for, read_pages, remember_attempt,
                                         sender_id)
from grader.web.trainee.photos import RETAKE, added_input, chosen, uploaded_photos
from grader.web.trainee.results import image_urls

#: The flash category of why a page could not be added to a sheet: said in the "complete this sheet" card, where the
#: answer opens the page (#lengkapi), not at the page's top (base.html leaves "error@…" messages to their card).
COMPLETE_ERROR = "error@lengkapi"
bp.add_app_template_global(COMPLETE_ERROR, "COMPLETE_ERROR")


@bp.post("/hasil/<token>/ulang")
def retake(token: str):
    """Replace one page's photo and grade again; the other page's photo is reused."""
    row = get_submission(token)
    if (gone := replaced_sending(row)) is not None:
        return gone
    position = request.form.get("position", type=int)
    db = get_db()
    uploads = db.execute("SELECT position, filename, path, sent_in, sha256 FROM uploads WHERE submission_id=? "
                         "ORDER BY position", (row["id"],)).fetchall()
    if position is None or not any(u["position"] == position for u in uploads):
        abort(400, description=_("Halaman yang akan difoto ulang tidak dikenal."))
    upload = request.files.get("photo")
    res = json.loads(row["result"]) if row["result"] else None
    try:
        [(name, data)] = uploaded_photos(chosen(upload), max_pages=1)
        if any(u["position"] == position and u["sha256"] == hashlib.sha256(data).hexdigest() for u in uploads):
            # (picked again from the gallery: graded again, it was refused again for the same reason, untold)
            raise GraderError("same_photo", "This is the same photo as before. Take a new one with the camera, "
                              "as the advice above says.",
                              "Ini foto yang sama dengan sebelumnya. Ambil foto baru dengan kamera, sesuai petunjuk "
                              "di atas.")
    except GraderError as exc:
        return _retake_refused(row, res, uploads, exc), 400
    base = Path(current_app.config["DATA_DIR"])
    try:
        files = [(name, data) if u["position"] == position else
                 (u["filename"], read_stored(base, u["path"], u["filename"])) for u in uploads]
    except GraderError as exc:                              # (a photo of the other page is gone from the disk)
        return _retake_refused(row, res, uploads, exc), 409
    kept = {p.get("page") for i, p in enumerate((res or {}).get("pages") or ()) if i + 1 != position}
    # (a page's file the upload left out is still missing: the new sheet says so where that page is added; the
    # photos kept were sent in the inputs they were, the new one with this card's "Foto ulang")
    return _grade_again(row, files, [(row["id"], res, kept - {None})], left_out=left_out_of(row),
                        sent_in=[RETAKE if u["position"] == position else u["sent_in"] for u in uploads])


def _retake_refused(row, res: dict | None, uploads, exc: GraderError) -> str:
    """The result page again, saying why the retake was not taken."""
    return render_template("trainee/result.html", sub=row, res=res, uploads=uploads, attempts=[],
                           client_token=secrets.token_urlsafe(16), retake_error=error_text(exc),
                           image_url=image_urls(row), pages_read=sorted(read_pages(res)) if res else [])


def _grade_again(row, files: list[tuple[str, bytes]], reused: list[tuple[int, dict | None, set[int]]], *,
                 sent_in: list[str | None], left_out: list[dict] = ()):
    """Store ``files`` as a new sheet following ``row`` (same exercise and trainee), grade it, and show it.

    ``reused`` names the sheets whose photos of some pages are used again, ``(sheet id, its result, pages)``: the
    trainer's corrections and the trainee's disputes of those pages' fields come along (the photo is the same, so
    what was said about it still holds; a retaken page starts afresh). ``left_out``: the files of ``row``'s upload
    that were not graded (:func:`~grader.web.present.left_out_of`), still not in the new sheet. ``sent_in``: the
    input each of ``files`` was chosen in (``uploads.sent_in``), which its card names if it is refused.
    """
    def carry_over(conn, new_id: int) -> None:
        # (a trainee number a trainer typed for the sheet names the new one as typed by the trainer, not by its
        # sender: grading.named_by_trainer)
        conn.execute("UPDATE submissions SET trainer_number=? WHERE id=?", (row["trainer_number"], new_id))
        for sheet_id, res, pages in reused:
            fields = fields_on_pages(res, pages)
            if fields:
                carry_over_reviews(conn, [sheet_id], new_id, fields)

    db = get_db()
    sub = store_submission(db, Path(current_app.config["DATA_DIR"]), files=files, source=row["source"],
                           exercise=row["exercise"], trainee=row["trainee"], trainee_name=row["trainee_name"],
                           typed_trainee=row["typed_trainee"],     # (the upload form's, for resent.completed_since)
                           sender=row["sender"] or sender_id(),    # (whose sheet it is: the first sending's browser)
                           batch_id=row["batch_id"], group_key=row["group_key"], retake_of=row["id"],
                           client_token=request.form.get("client_token") or None,
                           replaces=replaced_tokens(request.form.get("replaces")), left_out=tuple(left_out),
                           sent_in=tuple(sent_in), then=carry_over,
                           recoverable=True,     # (recorded again, its photos bring their corrections along)
                           keep_if_busy=True)    # (the database locked: kept for the sweep, said so: busy_said)
    if sub.created:
        queue_grading(db, sub.id)
    remember_attempt(sub.token)
    return redirect(url_for("trainee.result", token=sub.token))


@bp.post("/hasil/<token>/lengkapi")
def complete(token: str):
    """Grade a sheet again with a page it lacks: a new photo of it, or the page this browser sent in an earlier
    sheet of the same exercise (``dari``). The sheet's own photos are reused; the new sheet is the latest."""
    row = get_submission(token)
    if (gone := replaced_sending(row)) is not None:
        return gone
    res = json.loads(row["result"]) if row["result"] else None
    missing = missing_pages(row, res)
    if not missing:          # already complete (or a second tap after the first one went through)
        return redirect(url_for("trainee.result", token=token))
    db = get_db()
    base = Path(current_app.config["DATA_DIR"])
    origin = request.form.get("dari")
    if origin:
        # (only this browser's own sheets of this exercise are looked at: a token alone lends no one's photos)
        earlier = next((a for a in earlier_attempts(row) if a["token"] == origin), None)
        pages = pages_for(row, earlier, missing) if earlier is not None else set()
        if not pages:
            abort(400, description=_("Halaman dari kiriman itu tidak bisa dipakai untuk lembar ini."))
        photos = _stored_or_flash(db, base, earlier["id"])
        if photos is None:
            return redirect(url_for("trainee.result", token=token) + "#lengkapi", code=303)
        earlier_res = json.loads(earlier["result"])
        earlier_shown, earlier_inputs = read_pages(earlier_res), _sent_in(db, earlier["id"])
        added = [(page, photos[earlier_shown[page]], earlier_inputs[earlier_shown[page]]) for page in sorted(pages)]
        reused = [(earlier["id"], earlier_res, pages)]
    else:
        upload = request.files.get("photo")
        try:
            # (its button says the first page missing: "Foto halaman 2")
            added = [(page, photo, added_input(min(missing)))
                     for page, photo in zip(sorted(missing), uploaded_photos(chosen(upload), max_pages=len(missing)))]
            reused = []
        except GraderError as exc:
            flash(error_text(exc), COMPLETE_ERROR)
            return redirect(url_for("trainee.result", token=token) + "#lengkapi", code=303)
    shown = read_pages(res)
    own = _stored_or_flash(db, base, row["id"])
    if own is None:
        return redirect(url_for("trainee.result", token=token) + "#lengkapi", code=303)
    own_inputs = _sent_in(db, row["id"])
    by_page = sorted([(page, own[i], own_inputs[i]) for page, i in shown.items()] + added, key=lambda kept: kept[0])
    return _grade_again(row, [photo for _, photo, _ in by_page], [(row["id"], res, set(shown))] + reused,
                        sent_in=[sent_in for _, _, sent_in in by_page])


def _sent_in(db, submission_id: int) -> list[str | None]:
    """The input each of a sheet's stored photos was chosen in (``uploads.sent_in``), in the order of its photos."""
    return [u["sent_in"] for u in db.execute("SELECT sent_in FROM uploads WHERE submission_id=? ORDER BY position",
                                             (submission_id,))]


def _stored_or_flash(db, base: Path, submission_id: int) -> list[tuple[str, bytes]] | None:
    """A sheet's stored photos, or None with the reason flashed (a photo missing from the disk)."""
    try:
        return stored_photos(db, base, submission_id)
    except GraderError as exc:
        flash(error_text(exc), COMPLETE_ERROR)
        return None
