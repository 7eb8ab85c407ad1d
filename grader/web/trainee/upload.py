"""The upload form and sending a sheet (held, photos kept, when its code names no exercise), and fixing the code of
a held upload."""
from __future__ import annotations

import logging
import secrets
from pathlib import Path

from flask import current_app, flash, redirect, render_template, request, session, url_for

from grader.errors import GraderError
from grader.invisible import visible_words
from grader.web.db import REMOVED, get_db
from grader.web.earlier_sendings import SAME_PHOTO
from grader.web.grading_queue import SHEET_CODE_HOLDS, hold_for_code, queue_grading, release_held
from grader.web.i18n import error_text, pick
from grader.web.i18n import gettext as _
from grader.web.photo_checks import display_name
from grader.web.resent import replaced_tokens
from grader.web.sheet_storing import store_submission
from grader.web.trainee import bp, check_exercise, get_submission, normalise_code, similar_codes
from grader.web.trainee.attempts import later_sheet_of, remember_attempt, sender_id
from grader.web.trainee.photos import upload_input, uploaded_photos

log = logging.getLogger(__name__)

PAGES = (1, 2)
bp.add_app_template_global(SAME_PHOTO, "SAME_PHOTO")
bp.add_app_template_global(SHEET_CODE_HOLDS, "SHEET_CODE_HOLDS")


def _form(errors: list[str] | None = None, status: int = 200, **values):
    values.setdefault("code", normalise_code(request.args.get("kode") or request.cookies.get("code")) or "")
    values.setdefault("trainee", request.cookies.get("trainee", ""))
    sender_id()     # (kept in the session now: a sending cut short by a crash has the one the next sending has)
    mine = session.get("mine", [])
    attempts = []
    if mine:
        marks = ",".join("?" * len(mine))
        # a sheet completed or retaken since is said so beside its old state ("Sebagian" alone read as work still
        # to finish, with the completed sheet just above it)
        attempts = get_db().execute(
            f"SELECT token, exercise, trainee, trainee_name, state, score, result_status, n_review, n_unreadable, "
            f"created_at, "
            f"EXISTS(SELECT 1 FROM submissions n WHERE {later_sheet_of('s.id')}) "
            f"AS followed FROM submissions s WHERE token IN ({marks}) AND state != '{REMOVED}' ORDER BY id DESC "
            f"LIMIT 10", mine).fetchall()
    return render_template("trainee/upload.html", errors=errors or [], attempts=attempts,
                           client_token=secrets.token_urlsafe(16), max_pages=len(PAGES),
                           blank_sheet=_blank_sheet_url(values["code"]), **values), status


def _blank_sheet_url(code: str) -> str | None:
    """The blank sheet of the exercise ``code`` names (its form, contest and pairs; the code in its QR), or None: the
    list of every form left a trainee to pick one of eighteen (helper-142)."""
    from grader.exercise.store import load_key_by_code
    if not code:
        return None
    try:
        key = load_key_by_code(code, base=Path(current_app.config["DATA_DIR"]))
    except GraderError:
        return None
    return url_for("forms.form_pdf", template_id=key.template, contest=key.contest, pairs=key.pairs, exercise=code)


@bp.get("/")
def upload_form():
    return _form()


@bp.post("/")
def upload():
    code = normalise_code(request.form.get("code"))
    # (a name pasted from a chat may hold control characters: they would reach the cookie and the exports)
    trainee = visible_words(request.form.get("trainee"))[:80] or None
    errors: list[str] = []
    code_error: GraderError | None = None
    try:
        check_exercise(code)
    except GraderError as exc:
        code_error = exc
    files, inputs, left_out = _chosen_photos()
    errors += [_("Halaman {page}: ", page=n["page"]) + pick(n) for n in left_out if n["code"] != SAME_PHOTO]
    if not files and not errors:
        errors.append(_("Pilih foto lembar latihan (minimal satu halaman)."))
    if len(files) > len(PAGES):
        errors.append(_too_many_pages(inputs))
    if code_error and code_error.code == "exercise_removed":      # no code fixes that: nothing is kept
        errors.insert(0, error_text(code_error))
        return _form(errors, 400, code=code or "", trainee=trainee or "")
    # A bad file beside a good photo does not cost the good one: on a weak link it was sent for nothing, and a file
    # input cannot be filled again. The good photos are graded as if sent alone, a sheet lacking that page, and the
    # result says why where the page is added ("Lengkapi lembar ini"). With nothing to keep, too many photos, or a
    # code to fix as well, the form comes back saying what to fix, and nothing is kept (as before).
    if errors and (not files or len(files) > len(PAGES) or code_error):
        if code_error:
            errors.insert(0, error_text(code_error))
        return _form(errors, 400, code=code or "", trainee=trainee or "")
    def hold(conn, sid: int) -> None:
        # the photos are kept: the trainee only fixes the code (see hold_code), nothing is chosen again; held in
        # the transaction that stores them, so a crash cannot leave them queued without their code
        hold_for_code(conn, sid, code_error)

    db = get_db()
    # (the form's token finds the sheet it made only if it is sent again as it was, the name as typed, case and all:
    # with the name or the code corrected after a failed sending, it is a new sheet with them, which replaces the
    # first; earlier_sendings.find_duplicate, grader.web.resent)
    sub = store_submission(db, Path(current_app.config["DATA_DIR"]), files=files, source="trainee",
                           exercise=None if code_error else code, trainee=trainee, typed_trainee=trainee or "",
                           sender=sender_id(),
                           typed_code=code if code_error else None,
                           client_token=request.form.get("client_token") or None,
                           replaces=replaced_tokens(request.form.get("replaces")), left_out=tuple(left_out),
                           sent_in=tuple(upload_input(page) for page in inputs), then=hold if code_error else None,
                           keep_if_busy=True)      # (the database locked: kept for the sweep, said so: busy_said)
    if sub.created and not code_error:
        queue_grading(db, sub.id)
    if sub.created and left_out:
        log.info("sheet %s stored without the file of page(s) %s: %s", sub.token,
                 ", ".join(str(n["page"]) for n in left_out), ", ".join(n["code"] for n in left_out))
    if sub.held:       # (its result: these photos again are no newer attempt hiding it in the class table)
        log.info("an upload of exercise %s held only photos sheet %s holds: led to it", code, sub.token)
        flash(_("Foto yang Anda kirim sudah dinilai di lembar ini, jadi tidak dinilai lagi sebagai kiriman baru. "
                "Untuk memperbaiki satu halaman, ambil foto baru halaman itu dengan kamera."), "ok")
    remember_attempt(sub.token)
    resp = redirect(url_for("trainee.result", token=sub.token))
    if code and not code_error:     # (a code naming no exercise, remembered, would hold the next sheet sent too)
        resp.set_cookie("code", code, max_age=30 * 24 * 3600, samesite="Lax", httponly=True)
    if trainee:
        resp.set_cookie("trainee", trainee, max_age=30 * 24 * 3600, samesite="Lax", httponly=True)
    return resp


def _too_many_pages(inputs: list[int]) -> str:
    """Why the form's files, more pages than the sheet has, were refused, ``inputs`` naming each page's box. Each box
    takes one photo, so only a scanner app's PDF (or a TIFF) of several pages makes more: said as "ada 3 foto" of two
    files chosen, a PDF of both pages beside a photo of page 2, it sent the trainee looking for a third photo
    (rehearsal helper-185). The box whose file holds several pages is named."""
    several = [page for page in PAGES if inputs.count(page) > 1]
    if len(several) == 1:
        return _("Berkas di kotak “{box}” sudah berisi {m} halaman; dengan kotak lainnya ada {k} halaman, padahal "
                 "lembar ini {n} halaman. Kirim berkas itu saja, atau satu foto per halaman.",
                 box=_("Foto halaman {n}@@kotak", n=several[0]), m=inputs.count(several[0]), k=len(inputs),
                 n=len(PAGES))
    return _("Setiap berkas yang dipilih berisi beberapa halaman: semuanya {k} halaman, padahal lembar ini {n} "
             "halaman. Kirim satu berkas saja yang berisi halaman lembar ini, atau satu foto per halaman.",
             k=len(inputs), n=len(PAGES))


def _chosen_photos() -> tuple[list[tuple[str, bytes]], list[int], list[dict]]:
    """The photos chosen in the form's page inputs, checked, in page order (a scanner app's PDF may hold both
    pages), the page input each came from (a refused photo's card names it), and what was left out of them, as
    ``submissions.left_out`` keeps it: a file that is not a usable photo, ``{"page", "file", "code", "message_id",
    "message_en"}`` (the GraderError's words), and a photo that an earlier input holds already, ``{"page", "file",
    "code": SAME_PHOTO, "same_as"}`` (the same photo chosen for both pages: graded once, and said so, rather than
    refused as "page 1 again" beside the missing page 2)."""
    files: list[tuple[str, bytes]] = []
    inputs: list[int] = []                 # the page input each photo came from
    left_out: list[dict] = []
    for page in PAGES:
        upload = request.files.get(upload_input(page))
        if upload is None or not upload.filename:
            continue
        name = display_name(upload.filename, f"halaman-{page}")
        try:
            photos = uploaded_photos(upload, max_pages=len(PAGES))
        except GraderError as exc:
            left_out.append({"page": page, "file": name, "code": exc.code, "message_id": exc.message_id,
                             "message_en": exc.message})
            continue
        for photo in photos:
            same = next((i for i, (_, data) in enumerate(files) if data == photo[1]), None)
            if same is None:
                files.append(photo)
                inputs.append(page)
            else:
                left_out.append({"page": page, "file": name, "code": SAME_PHOTO, "same_as": inputs[same]})
    return files, inputs, left_out


@bp.post("/hasil/<token>/kode")
def hold_code(token: str):
    """Fix the exercise code of a held upload (or leave it empty to use the sheet's QR), then grade it."""
    row = get_submission(token)
    if row["state"] != "held" or row["superseded_by"] is not None:    # (replaced: the corrected sending is graded)
        return redirect(url_for("trainee.result", token=token))
    code = normalise_code(request.form.get("code"))
    try:
        if code is None and row["error_code"] in SHEET_CODE_HOLDS:    # (its QR gave no key: only a typed code can)
            raise GraderError("code_required", "Type the exercise code.", "Ketik kode latihan.")
        if code is not None and code == row["exercise"] and row["error_code"] == "wrong_exercise":
            # (graded again under it, the sheet would come back to this page: say why at once)
            raise GraderError("wrong_exercise", f"This sheet is not printed for exercise {code}: photograph a sheet "
                              f"of {code}, or leave the code empty.",
                              f"Lembar ini tetap bukan lembar latihan {code}: foto lembar latihan {code}, atau "
                              f"kosongkan kodenya.")
        check_exercise(code)
    except GraderError as exc:
        return render_template("trainee/held.html", sub=row, code=code or "", error=error_text(exc),
                               similar=similar_codes(code) if exc.code == "unknown_exercise" else []), 400
    release_held(get_db(), row["id"], code)
    resp = redirect(url_for("trainee.result", token=token))
    if code:
        resp.set_cookie("code", code, max_age=30 * 24 * 3600, samesite="Lax", httponly=True)
    return resp
