"""Trainee pages: upload a photographed sheet, see the result, retake a refused photo, see earlier attempts,
dispute a field we marked wrong ("that is not what I wrote"), which sends it to the trainer, and have a sheet the
server failed on graded again from its stored photos (a few times: :mod:`grader.web.grade_again`).

Results are addressed by an unguessable token. A browser remembers the
tokens of its own attempts (in the signed session), which is how a trainee
sees their earlier attempts without anyone else seeing them.
"""
from __future__ import annotations

import hashlib
import json
import re
import secrets
from pathlib import Path

from flask import (Blueprint, abort, current_app, flash, jsonify, redirect, render_template, request, send_file,
                   send_from_directory, session, url_for)

from grader.errors import GraderError
from grader.page_groups import normalise_id
from grader.web.db import REMOVED, get_db
from grader.web.grade_again import TRAINEE_RETRIES, grade_failed_again, trainee_retry
from grader.web.corrections import carry_over_reviews
from grader.web.grading import stored_photos
from grader.web.review_actions import dispute_field
from grader.web.i18n import error_text, get_lang
from grader.web.images import scaled_copy
from grader.web.job_worker import SERVER_FAILURES
from grader.web.i18n import gettext as _
from grader.web.present import unread_pages
from grader.web.resent import replaced_tokens, replacement_of
from grader.web.uploads import (CONTROL_RE, check_photo, queue_grading, read_stored, release_held, sent_with_form,
                                store_submission, submission_dir)

bp = Blueprint("trainee", __name__)
FIELD_ID_RE = re.compile(r"^[A-Za-z0-9.]{1,40}$")
PAGES = (1, 2)
MY_ATTEMPTS = 40
#: What the trainee's photo inputs offer: photos, and the PDF a scanner app (CamScanner, Adobe Scan, Microsoft Lens)
#: saves by default, whose page photos are graded like photos (:func:`_photos`).
PHOTO_ACCEPT = "image/*,.pdf,application/pdf"
bp.add_app_template_global(PHOTO_ACCEPT, "PHOTO_ACCEPT")
bp.add_app_template_global(SERVER_FAILURES, "SERVER_FAILURES")
bp.add_app_template_global(TRAINEE_RETRIES, "TRAINEE_RETRIES")
#: The flash category of why a page could not be added to a sheet: said in the "complete this sheet" card, where the
#: answer opens the page (#lengkapi), not at the page's top (base.html leaves "error@…" messages to their card).
COMPLETE_ERROR = "error@lengkapi"
bp.add_app_template_global(COMPLETE_ERROR, "COMPLETE_ERROR")
#: Room in a trainee's request for all but its files: the other fields and each part's multipart headers.
FORM_ROOM_BYTES = 64 * 1024


def normalise_code(text: str | None) -> str | None:
    code = (text or "").strip().upper().replace(" ", "")
    return code or None


def check_exercise(code: str | None) -> None:
    """Raise ``unknown_exercise`` (with the Indonesian message from the store) for a code that does not exist."""
    if code:
        from grader.exercise.store import load_key

        try:
            load_key(code, base=Path(current_app.config["DATA_DIR"]))
        except GraderError as exc:
            if exc.code != "unknown_exercise":
                raise
            # (the store's English is for the command line: it names the server's folder it looked in)
            raise GraderError(exc.code, f"Exercise code {code} was not found. Check the code on the handout.",
                              exc.message_id) from None


def _remember(token: str) -> None:
    mine = [t for t in session.get("mine", []) if t != token]
    session["mine"] = (mine + [token])[-MY_ATTEMPTS:]


def _submission(token: str):
    row = get_db().execute("SELECT * FROM submissions WHERE token=?", (token,)).fetchone()
    if row is None:
        abort(404)
    if row["state"] == REMOVED:
        abort(410)
    return row


def _form(errors: list[str] | None = None, status: int = 200, **values):
    values.setdefault("code", normalise_code(request.args.get("kode") or request.cookies.get("code")) or "")
    values.setdefault("trainee", request.cookies.get("trainee", ""))
    mine = session.get("mine", [])
    attempts = []
    if mine:
        marks = ",".join("?" * len(mine))
        attempts = get_db().execute(
            f"SELECT token, exercise, trainee, trainee_name, state, score, result_status, created_at "
            f"FROM submissions WHERE token IN ({marks}) AND state != '{REMOVED}' ORDER BY id DESC LIMIT 10", mine).fetchall()
    return render_template("trainee/upload.html", errors=errors or [], attempts=attempts,
                           client_token=secrets.token_urlsafe(16), max_pages=len(PAGES), **values), status


@bp.get("/")
def upload_form():
    return _form()


@bp.post("/")
def upload():
    code = normalise_code(request.form.get("code"))
    # (a name pasted from a chat may hold control characters: they would reach the cookie and the exports)
    trainee = " ".join(CONTROL_RE.sub(" ", request.form.get("trainee") or "").split())[:80] or None
    errors: list[str] = []
    code_error: GraderError | None = None
    try:
        check_exercise(code)
    except GraderError as exc:
        code_error = exc
    files = []
    for page in PAGES:
        upload = request.files.get(f"photo_{page}")
        if upload is None or not upload.filename:
            continue
        try:
            files += _photos(upload, max_pages=len(PAGES))    # (a scanner app's PDF may hold both pages)
        except GraderError as exc:
            errors.append(_("Halaman {page}: ", page=page) + (error_text(exc)))
    if not files and not errors:
        errors.append(_("Pilih foto lembar latihan (minimal satu halaman)."))
    if len(files) > len(PAGES):
        errors.append(_("Lembar ini {n} halaman, tetapi ada {k} foto. Kirim satu foto per halaman.",
                        n=len(PAGES), k=len(files)))
    if code_error and code_error.code == "exercise_removed":      # no code fixes that: nothing is kept
        errors.insert(0, error_text(code_error))
        return _form(errors, 400, code=code or "", trainee=trainee or "")
    if errors:
        if code_error:
            errors.insert(0, error_text(code_error))
        return _form(errors, 400, code=code or "", trainee=trainee or "")
    def hold(conn, sid: int) -> None:
        # the photos are kept: the trainee only fixes the code (see hold_code), nothing is chosen again; held in
        # the transaction that stores them, so a crash cannot leave them queued without their code
        conn.execute("UPDATE submissions SET state='held', error_code=?, error_id=?, error_en=? WHERE id=?",
                     (code_error.code, code_error.message_id, code_error.message, sid))

    db = get_db()
    # (the form's token finds the sheet it made only if it is sent again as it was: with the name or the code
    # corrected after a failed sending, it is a new sheet with them, which replaces the first; uploads.find_duplicate,
    # grader.web.resent)
    sub = store_submission(db, Path(current_app.config["DATA_DIR"]), files=files, source="trainee",
                           exercise=None if code_error else code, trainee=trainee,
                           typed_code=code if code_error else None,
                           client_token=request.form.get("client_token") or None,
                           replaces=replaced_tokens(request.form.get("replaces")), then=hold if code_error else None)
    if sub.created and not code_error:
        queue_grading(db, sub.id)
    _remember(sub.token)
    resp = redirect(url_for("trainee.result", token=sub.token))
    if code:
        resp.set_cookie("code", code, max_age=30 * 24 * 3600, samesite="Lax", httponly=True)
    if trainee:
        resp.set_cookie("trainee", trainee, max_age=30 * 24 * 3600, samesite="Lax", httponly=True)
    return resp


def _held_code(row) -> str:
    """The code to offer for fixing on a held upload's page: what was typed for this upload when no exercise had
    it (its typo is one character to fix; not the browser's latest code, which may be another upload's), else
    nothing (the sheet's QR then decides)."""
    typed = request.args.get("kode") or (row["typed_code"] if row["error_code"] == "unknown_exercise" else "")
    return normalise_code(typed) or ""


def _earlier_attempts(row) -> list:
    mine = [t for t in session.get("mine", []) if t != row["token"]]
    if not mine or not row["exercise"]:
        return []
    marks = ",".join("?" * len(mine))
    return get_db().execute(
        f"SELECT id, token, trainee, trainee_name, score, state, result_status, n_wrong, n_review, n_blank, "
        f"created_at, result FROM submissions WHERE token IN ({marks}) AND exercise=? AND state != '{REMOVED}' "
        f"AND superseded_by IS NULL ORDER BY id", (*mine, row["exercise"])).fetchall()     # (not one replaced)


@bp.app_template_global()
def photo_limits(max_pages: int) -> dict[str, int]:
    """What a trainee's photo input for ``max_pages`` pages takes, in bytes: ``photo``, one photo; ``pdf``, a
    scanner app's PDF (of up to ``max_pages`` pages, each page's photo within ``photo``); ``request``, all the
    files of one form together (the app's limit on the request, less :data:`FORM_ROOM_BYTES`).

    :func:`_photos` refuses past the first two and the app past the last (413). The forms' inputs carry them
    (``_result.html``'s ``photo_limits_of``), so that the browser refuses first: on a weak network, before
    minutes of upload end in a refusal.
    """
    photo = current_app.config["MAX_PHOTO_BYTES"]
    return {"photo": photo, "pdf": photo * max_pages,
            "request": current_app.config["MAX_UPLOAD_BYTES"] - FORM_ROOM_BYTES}


def _photos(upload, *, max_pages: int) -> list[tuple[str, bytes]]:
    """An uploaded photo, or the page photos of an uploaded PDF (a scanner app's), each checked
    (:func:`~grader.web.uploads.check_photo`); raises GraderError."""
    from grader.photo.pdf_pages import photos_of

    limits = photo_limits(max_pages)
    try:
        out = photos_of(upload.filename, upload.read(), max_pages=max_pages, max_bytes=limits["pdf"])
    except GraderError as exc:
        if exc.code == "too_many_pages":
            raise _too_many_pdf_pages(max_pages) from None
        raise
    for _name, data in out:
        check_photo(data, max_bytes=limits["photo"])
    return out


def _too_many_pdf_pages(max_pages: int) -> GraderError:
    """A scanner app's PDF with more pages than this form takes: the whole sheet sent to a one-page retake, or a
    stack of sheets to the upload form."""
    if max_pages == 1:
        return GraderError("too_many_pages", "This PDF holds more than one page. Here, send one page only: its photo, "
                           "or a one-page PDF. To send the whole sheet again, use “Send a photo”.",
                           "PDF ini berisi lebih dari satu halaman. Di sini kirim satu halaman saja: fotonya, atau "
                           "PDF satu halaman. Untuk mengirim ulang seluruh lembar, pakai halaman Kirim foto.")
    return GraderError("too_many_pages", f"This PDF holds more than {max_pages} pages, but a sheet has "
                       f"{max_pages}. Send a PDF of this sheet's pages only.",
                       f"PDF ini berisi lebih dari {max_pages} halaman, padahal lembar ini {max_pages} halaman. "
                       f"Kirim PDF yang berisi halaman lembar ini saja.")


def _missing_pages(row, res: dict | None) -> set[int]:
    """Pages of a graded sheet that no photo of it showed (never sent, not refused): the trainee may add them."""
    if row["state"] != "done" or not res or res.get("status") != "partial":
        return set()
    return set(unread_pages(res).missing)


def _read_pages(res: dict) -> dict[int, int]:
    """``page -> index`` of the photo that showed it, for the pages a result read (photos are in upload order)."""
    return {p["page"]: i for i, p in reversed(list(enumerate(res.get("pages") or []))) if p.get("page") and not p.get("refusal")}


def _page_offers(row, missing: set[int]) -> list[dict]:
    """This browser's earlier graded sheets of the same exercise that read a page this one lacks, newest first, one
    per page. A trainee who sent page 2 again on its own (to fix it) can grade it together with the page 1 they
    sent before, instead of leaving a half sheet as their latest. Each offer names whom that sheet names, and the
    page links to it: on a phone lent round, neither sheet may name anyone, and the trainee decides by looking."""
    offers: dict[int, dict] = {}
    for a in reversed(_earlier_attempts(row)):
        for page in sorted(_pages_for(row, a, missing)):
            offers.setdefault(page, {"page": page, "token": a["token"], "created_at": a["created_at"],
                                     "who": a["trainee_name"] or a["trainee"]})
    return [offers[p] for p in sorted(offers)]


def _pages_for(row, attempt, missing: set[int]) -> set[int]:
    """The missing pages that an earlier ``attempt`` (a row of :func:`_earlier_attempts`) read. None from a sheet
    naming another trainee: a phone lent to a friend remembers the friend's attempts too."""
    if attempt["state"] != "done" or not attempt["result"]:
        return set()
    if row["trainee"] and attempt["trainee"] and normalise_id(row["trainee"]) != normalise_id(attempt["trainee"]):
        return set()
    return missing & set(_read_pages(json.loads(attempt["result"])))


@bp.get("/hasil/<token>")
def result(token: str):
    row = _submission(token)
    # a later sending of the same form, corrected, replaced it: what it was, said so, with a link to that one
    replaced_by = replacement_of(get_db(), row)
    if row["state"] in ("queued", "running") and replaced_by is None:
        return render_template("trainee/pending.html", sub=row)
    if row["state"] == "held" and replaced_by is None:
        return render_template("trainee/held.html", sub=row, code=_held_code(row))
    if row["state"] == "merged":
        merged = get_db().execute("SELECT token FROM submissions WHERE id=?", (row["superseded_by"],)).fetchone()
        if merged:
            return redirect(url_for("trainee.result", token=merged["token"]))
    res = json.loads(row["result"]) if row["result"] else None
    uploads = get_db().execute("SELECT position, filename FROM uploads WHERE submission_id=? ORDER BY position",
                               (row["id"],)).fetchall()
    missing = _missing_pages(row, res) if replaced_by is None else set()
    # A retake (or a completed sheet) is a newer sheet: an old link, kept in a chat or a history, leads to it.
    newer = get_db().execute(f"SELECT token, created_at FROM submissions WHERE retake_of=? AND state NOT IN "
                             f"('{REMOVED}', 'merged') ORDER BY id DESC LIMIT 1", (row["id"],)).fetchone()
    return render_template("trainee/result.html", sub=row, res=res, uploads=uploads, newer=newer,
                           replaced_by=replaced_by, attempts=_earlier_attempts(row), retry=trainee_retry(row),
                           client_token=secrets.token_urlsafe(16),
                           image_url=image_urls(row), missing=sorted(missing), offers=_page_offers(row, missing))


@bp.get("/hasil/<token>/cetak")
def printable(token: str):
    """The one-page printable feedback sheet of a graded result (the same page ``grader grade --out`` writes)."""
    row = _submission(token)
    return printable_feedback(row, image_urls(row))


def printable_feedback(row, image_url):
    from grader.grading.report import render_report

    res = json.loads(row["result"]) if row["result"] else None
    if row["state"] != "done" or not res or res.get("status") == "refused":
        abort(404)
    if row["trainee"] and normalise_id(row["trainee"]) != normalise_id(res.get("trainee")):
        # the sheet's row kept what the sender typed (grading.store_result): the paper names whom the table names
        res = {**res, "trainee": row["trainee"], "trainee_name": row["trainee_name"], "identity_source": "caller"}
    return render_report(res, image_url=image_url, lang=get_lang())


@bp.get("/kiriman/<form_token>.json")
def arrived(form_token: str):
    """Whether a photo form's sending arrived, asked by the page when its answer was lost (a weak link that dropped
    after the last byte): the sheet it made, so the page opens it instead of sending the photos all over again.

    The form token is random and only in that page, so it is the proof, as a result's own address is.
    """
    db = get_db()
    row = sent_with_form(db, form_token[:100])
    if row is None:
        return jsonify({"url": None}), 404
    _remember(row["token"])                    # (the answer that would have listed it among this browser's is lost)
    latest = replacement_of(db, row) or row    # (replaced by a later sending, corrected: its page leads there too)
    return jsonify({"url": url_for("trainee.result", token=latest["token"])})


@bp.get("/hasil/<token>.json")
def result_json(token: str):
    row = _submission(token)
    return jsonify({"state": row["state"], "status": row["result_status"], "score": row["score"],
                    "url": url_for("trainee.result", token=token)})


@bp.get("/hasil/<token>/gambar/<path:name>")
def image(token: str, name: str):
    row = _submission(token)
    return send_derived(submission_dir(current_app.config["DATA_DIR"], row["token"]) / "derived", name)


def image_urls(row):
    """``name -> URL`` of a result's derived images for the trainee's pages (``w=`` for a smaller copy)."""
    return lambda name, **kw: url_for("trainee.image", token=row["token"], name=name, v=image_version(row), **kw)


def image_version(row) -> str:
    """Changes whenever the stored result does: marked pages are cached an hour, and a regrade redraws them."""
    return hashlib.sha1((row["result"] or row["updated_at"] or "").encode()).hexdigest()[:10]


def send_derived(folder: Path, name: str):
    """A derived image, or its smaller copy with ``?w=480`` / ``?w=900``; 404 outside ``folder``."""
    width = request.args.get("w", type=int)
    if width:
        small = scaled_copy(folder, name, width)
        if small is not None:
            return send_file(small, mimetype="image/jpeg", max_age=3600)
    return send_from_directory(folder, name, max_age=3600)


@bp.post("/hasil/<token>/ulang")
def retake(token: str):
    """Replace one page's photo and grade again; the other page's photo is reused."""
    row = _submission(token)
    if (gone := _replaced_sending(row)) is not None:
        return gone
    position = request.form.get("position", type=int)
    db = get_db()
    uploads = db.execute("SELECT position, filename, path FROM uploads WHERE submission_id=? ORDER BY position",
                         (row["id"],)).fetchall()
    if position is None or not any(u["position"] == position for u in uploads):
        abort(400, description=_("Halaman yang akan difoto ulang tidak dikenal."))
    upload = request.files.get("photo")
    res = json.loads(row["result"]) if row["result"] else None
    try:
        if upload is None or not upload.filename:
            check_photo(b"", max_bytes=0)                   # (says: choose a photo)
        [(name, data)] = _photos(upload, max_pages=1)
    except GraderError as exc:
        return _retake_refused(row, res, uploads, exc), 400
    base = Path(current_app.config["DATA_DIR"])
    try:
        files = [(name, data) if u["position"] == position else
                 (u["filename"], read_stored(base, u["path"], u["filename"])) for u in uploads]
    except GraderError as exc:                              # (a photo of the other page is gone from the disk)
        return _retake_refused(row, res, uploads, exc), 409
    kept = {p.get("page") for i, p in enumerate((res or {}).get("pages") or ()) if i + 1 != position}
    return _grade_again(row, files, [(row["id"], res, kept - {None})])


def _replaced_sending(row):
    """For a page of a sending that a later sending of its form replaced (:mod:`grader.web.resent`): its result page,
    saying so, instead of a new sheet made of it (opened before, it still offered a retake or a missing page)."""
    if replacement_of(get_db(), row) is None:
        return None
    flash(_("Kiriman ini sudah diganti oleh kiriman Anda berikutnya; kirim dari kiriman itu."), "error")
    return redirect(url_for("trainee.result", token=row["token"]), code=303)


def _retake_refused(row, res: dict | None, uploads, exc: GraderError) -> str:
    """The result page again, saying why the retake was not taken."""
    return render_template("trainee/result.html", sub=row, res=res, uploads=uploads, attempts=[],
                           client_token=secrets.token_urlsafe(16), retake_error=error_text(exc),
                           image_url=image_urls(row))


def _grade_again(row, files: list[tuple[str, bytes]], reused: list[tuple[int, dict | None, set[int]]]):
    """Store ``files`` as a new sheet following ``row`` (same exercise and trainee), grade it, and show it.

    ``reused`` names the sheets whose photos of some pages are used again, ``(sheet id, its result, pages)``: the
    trainer's corrections and the trainee's disputes of those pages' fields come along (the photo is the same, so
    what was said about it still holds; a retaken page starts afresh).
    """
    def carry_over(conn, new_id: int) -> None:
        for sheet_id, res, pages in reused:
            fields = [f["id"] for f in (res or {}).get("fields") or () if f.get("page") in pages]
            if fields:
                carry_over_reviews(conn, [sheet_id], new_id, fields)

    db = get_db()
    sub = store_submission(db, Path(current_app.config["DATA_DIR"]), files=files, source=row["source"],
                           exercise=row["exercise"], trainee=row["trainee"], trainee_name=row["trainee_name"],
                           batch_id=row["batch_id"], group_key=row["group_key"], retake_of=row["id"],
                           client_token=request.form.get("client_token") or None,
                           replaces=replaced_tokens(request.form.get("replaces")), then=carry_over)
    if sub.created:
        queue_grading(db, sub.id)
    _remember(sub.token)
    return redirect(url_for("trainee.result", token=sub.token))


@bp.post("/hasil/<token>/nilai-ulang")
def retry_failed(token: str):
    """Grade a sheet the server failed on again from its stored photos, at its trainee's request (a few times: then
    the page says to ask the trainer). The page then waits for the result, as after an upload."""
    row = _submission(token)
    if (gone := _replaced_sending(row)) is not None:
        return gone
    if grade_failed_again(get_db(), row["id"], by_trainee=True):
        flash(_("Lembar Anda diproses lagi dari foto yang sudah tersimpan."), "ok")
        return redirect(url_for("trainee.result", token=token), code=303)
    # (tried too often, or failed for a reason of the photo's: the page says what to do instead; a second tap finds
    # the sheet queued already, with nothing to say)
    if _submission(token)["state"] == "failed":
        flash(_("Lembar ini tidak bisa diproses lagi dari sini; lihat keterangannya di bawah."), "error")
    return redirect(url_for("trainee.result", token=token), code=303)


@bp.post("/hasil/<token>/lengkapi")
def complete(token: str):
    """Grade a sheet again with a page it lacks: a new photo of it, or the page this browser sent in an earlier
    sheet of the same exercise (``dari``). The sheet's own photos are reused; the new sheet is the latest."""
    row = _submission(token)
    if (gone := _replaced_sending(row)) is not None:
        return gone
    res = json.loads(row["result"]) if row["result"] else None
    missing = _missing_pages(row, res)
    if not missing:          # already complete (or a second tap after the first one went through)
        return redirect(url_for("trainee.result", token=token))
    db = get_db()
    base = Path(current_app.config["DATA_DIR"])
    origin = request.form.get("dari")
    if origin:
        # (only this browser's own sheets of this exercise are looked at: a token alone lends no one's photos)
        earlier = next((a for a in _earlier_attempts(row) if a["token"] == origin), None)
        pages = _pages_for(row, earlier, missing) if earlier is not None else set()
        if not pages:
            abort(400, description=_("Halaman dari kiriman itu tidak bisa dipakai untuk lembar ini."))
        photos = _stored_or_flash(db, base, earlier["id"])
        if photos is None:
            return redirect(url_for("trainee.result", token=token) + "#lengkapi", code=303)
        earlier_res = json.loads(earlier["result"])
        earlier_shown = _read_pages(earlier_res)
        added = [(page, photos[earlier_shown[page]]) for page in sorted(pages)]
        reused = [(earlier["id"], earlier_res, pages)]
    else:
        upload = request.files.get("photo")
        try:
            if upload is None or not upload.filename:
                check_photo(b"", max_bytes=0)               # (says: choose a photo)
            added = list(zip(sorted(missing), _photos(upload, max_pages=len(missing))))
            reused = []
        except GraderError as exc:
            flash(error_text(exc), COMPLETE_ERROR)
            return redirect(url_for("trainee.result", token=token) + "#lengkapi", code=303)
    shown = _read_pages(res)
    own = _stored_or_flash(db, base, row["id"])
    if own is None:
        return redirect(url_for("trainee.result", token=token) + "#lengkapi", code=303)
    by_page = sorted([(page, own[i]) for page, i in shown.items()] + added, key=lambda pair: pair[0])
    return _grade_again(row, [photo for _, photo in by_page], [(row["id"], res, set(shown))] + reused)


def _stored_or_flash(db, base: Path, submission_id: int) -> list[tuple[str, bytes]] | None:
    """A sheet's stored photos, or None with the reason flashed (a photo missing from the disk)."""
    try:
        return stored_photos(db, base, submission_id)
    except GraderError as exc:
        flash(error_text(exc), COMPLETE_ERROR)
        return None


@bp.post("/hasil/<token>/sanggah")
def dispute(token: str):
    """The trainee says a field marked wrong or blank is not what they wrote: a trainer will check it."""
    row = _submission(token)
    field_id = request.form.get("field", "")
    written = (request.form.get("written") or "").strip()[:20]
    try:
        dispute_field(get_db(), submission_id=row["id"], field_id=field_id, written=written,
                      data_dir=current_app.config["DATA_DIR"], pipeline_ref=current_app.config["PIPELINE"])
    except GraderError as exc:
        # (shown at the top of the page, where the messages are: at the field, a phone would show none of it;
        # named once: "Entry II.3: Entry II.3 is already disputed" said it twice)
        said = error_text(exc)
        flash(said if field_id and field_id in said else _("Isian {field}: ", field=field_id) + said, "error")
        return redirect(url_for("trainee.result", token=token), code=303)
    flash(_("Terima kasih. Isian {field} tidak dihitung salah sampai pelatih memeriksanya.", field=field_id), "ok")
    anchor = f"#f-{field_id}" if FIELD_ID_RE.match(field_id) else ""
    return redirect(url_for("trainee.result", token=token) + anchor, code=303)


@bp.post("/hasil/<token>/kode")
def hold_code(token: str):
    """Fix the exercise code of a held upload (or leave it empty to use the sheet's QR), then grade it."""
    row = _submission(token)
    if row["state"] != "held" or row["superseded_by"] is not None:    # (replaced: the corrected sending is graded)
        return redirect(url_for("trainee.result", token=token))
    code = normalise_code(request.form.get("code"))
    try:
        check_exercise(code)
    except GraderError as exc:
        return render_template("trainee/held.html", sub=row, code=code or "", error=error_text(exc)), 400
    release_held(get_db(), row["id"], code)
    resp = redirect(url_for("trainee.result", token=token))
    if code:
        resp.set_cookie("code", code, max_age=30 * 24 * 3600, samesite="Lax", httponly=True)
    return resp
