"""A sheet's result: its page (waiting, held for its code, or graded), the printable feedback sheet, its state as
JSON for polling, its images, and whether a form's sending arrived."""
from __future__ import annotations

import hashlib
import json
import secrets
from pathlib import Path

from flask import (current_app, jsonify, redirect, render_template, request, send_file, send_from_directory,
                   url_for)

from grader.page_groups import normalise_id
from grader.web.db import get_db
from grader.web.grade_again import TRAINEE_RETRIES, trainee_retry
from grader.web.i18n import get_lang
from grader.web.images import scaled_copy
from grader.web.job_worker import SERVER_FAILURES
from grader.web.present import left_out_of
from grader.web.resent import replacement_of
from grader.web.export import earlier_score_waits
from grader.web.standing_sheets import (another_sheet_stands, being_graded_again, counted_attempt,
                                       earlier_sheet_graded_again, earlier_sheet_regrade_failed, earlier_sheet_stands)
from grader.web.trainee import bp, get_submission, normalise_code, similar_codes
from grader.web.trainee.dispute import dispute_draft
from grader.web.trainee.attempts import (duplicate_photos, missing_pages, newer_sheet, own_attempts, page_offers,
                                         read_pages, remember_attempt, wrong_page_photos)
from grader.web.earlier_sendings import sent_with_form
from grader.web.sheet_storing import submission_dir

bp.add_app_template_global(SERVER_FAILURES, "SERVER_FAILURES")
bp.add_app_template_global(TRAINEE_RETRIES, "TRAINEE_RETRIES")


def _held_code(row) -> str:
    """The code to offer for fixing on a held upload's page: what was typed for this upload when no exercise had
    it (its typo is one character to fix; not the browser's latest code, which may be another upload's), else
    nothing (the sheet's QR then decides)."""
    typed = request.args.get("kode") or (row["typed_code"] if row["error_code"] == "unknown_exercise" else "")
    return normalise_code(typed) or ""


@bp.get("/hasil/<token>")
def result(token: str):
    row = get_submission(token)
    # a later sending of the same form, corrected, replaced it: what it was, said so, with a link to that one
    replaced_by = replacement_of(get_db(), row)
    if row["state"] in ("queued", "running") and replaced_by is None:
        # (a sheet graded before, graded again: said so, with its earlier score not counted meanwhile, as the
        # trainer's pages say it; "Sedang dinilai…" read as a sheet just sent: rehearsal, helper-198)
        return render_template("trainee/pending.html", sub=row, left_out=left_out_of(row),
                               earlier_waits=earlier_score_waits(row) if being_graded_again(row) else None)
    if row["state"] == "held" and replaced_by is None:
        code = _held_code(row)
        return render_template("trainee/held.html", sub=row, code=code,
                               similar=similar_codes(code) if row["error_code"] == "unknown_exercise" else [])
    if row["state"] == "merged":
        merged = get_db().execute("SELECT token FROM submissions WHERE id=?", (row["superseded_by"],)).fetchone()
        if merged:
            return redirect(url_for("trainee.result", token=merged["token"]))
    res = json.loads(row["result"]) if row["result"] else None
    uploads = get_db().execute("SELECT position, filename, sent_in FROM uploads WHERE submission_id=? ORDER BY "
                               "position", (row["id"],)).fetchall()
    # A retake (or a completed sheet) is a newer sheet: an old link, kept in a chat or a history, leads to it.
    newer = newer_sheet(row)
    # (completed already: no page is offered again, which graded a third sheet of the same photos: helper-138)
    latest = replaced_by is None and newer is None
    missing = missing_pages(row, res) if latest else set()
    # (page 1 sent as the retake of page 2: said so, with page 2's earlier refusal, also once a newer sheet
    # completed it: the old link said "Diganti foto terakhirnya … Halaman 2 belum terkirim", page 2's reason gone)
    wrong_pages = wrong_page_photos(row, res) if res and replaced_by is None else []
    # (a second photo of a page read already: said where the missing page is added, not as a retake of its own)
    folded = duplicate_photos(res) if missing else [w["pos"] for w in wrong_pages]
    # (the attempt that stands for the trainee, read once for the two notes below, and only where one is said)
    counted = counted_attempt(get_db(), row) if missing or (latest and row["state"] == "done" and
                                                            row["result_status"] in ("refused", "partial")) else None
    return render_template("trainee/result.html", sub=row, res=res, uploads=uploads, newer=newer,
                           replaced_by=replaced_by, attempts=own_attempts(row), retry=trainee_retry(row),
                           client_token=secrets.token_urlsafe(16),
                           image_url=image_urls(row), missing=sorted(missing), offers=page_offers(row, missing),
                           left_out=[] if replaced_by else left_out_of(row), folded=folded,
                           wrong_pages=wrong_pages,
                           kept=sorted(read_pages(res)) if missing else [],
                           pages_read=sorted(read_pages(res)) if res and latest else [],
                           draft=dispute_draft(token),
                           earlier_stands=latest and earlier_sheet_stands(row, counted),
                           # (that sheet being graded again: it still stands, its score counted once it is graded)
                           earlier_graded_again=latest and earlier_sheet_graded_again(row, counted),
                           # (or its grading again failed: it still stands, its score counted once graded again)
                           earlier_regrade_failed=latest and earlier_sheet_regrade_failed(row, counted),
                           # (the "Lengkapi" card's words: only a sheet that stands is what the trainer sees)
                           other_stands=bool(missing) and another_sheet_stands(row, counted))


@bp.get("/hasil/<token>/cetak")
def printable(token: str):
    """The one-page printable feedback sheet of a graded result (the same page ``grader grade --out`` writes)."""
    row = get_submission(token)
    return printable_feedback(row, image_urls(row), back=url_for("trainee.result", token=token))


def printable_feedback(row, image_url, *, back: str, link: bool = False):
    """The printable sheet of ``row``'s result; for a sheet with nothing to print (still being graded, or every page
    refused), its page (``back``), which says why and updates itself: a link to the printout opened while the
    grading ran said "Halaman tidak ditemukan" (helper-136). On the screen it offers a print button and a link back
    to ``back`` (on a phone, the browser's print is in a menu, and the printout, opened in a new tab, had no way back).

    ``link``: print the trainee's result page on it, with its QR code (the trainer's printout), when the address it
    was opened at is one phones can open (:func:`grader.web.trainer.screen.reachable_by_phones`)."""
    from grader.grading.report import render_report

    res = printable_result(row)
    if res is None:
        return redirect(back, code=303)
    return render_report(res, image_url=image_url, lang=get_lang(), link=result_link(row) if link else None,
                         back=back, script=url_for("static", filename="print.js"))


def printable_result(row) -> dict | None:
    """``row``'s result as its printout shows it, naming whom the class table names; None for a sheet with nothing to
    print (not graded, or every page refused)."""
    res = json.loads(row["result"]) if row["result"] else None
    if row["state"] != "done" or not res or res.get("status") == "refused":
        return None
    if row["trainee"] and normalise_id(row["trainee"]) != normalise_id(res.get("trainee")):
        # the sheet's row kept what the sender typed (grading.store_result): the paper names whom the table names
        res = {**res, "trainee": row["trainee"], "trainee_name": row["trainee_name"], "identity_source": "caller"}
    elif row["trainee_name"] and not res.get("trainee_name"):
        # the name typed beside the number read on the sheet (grading.store_result): the paper names her as the
        # table does, "Fitri · no. peserta 104"
        res = {**res, "trainee_name": row["trainee_name"]}
    return res


def result_link(row) -> dict | None:
    """``{"url", "qr"}``: the trainee's result page of ``row`` as an address a phone opens, and its QR code; None when
    this page was opened at an address phones cannot reach (127.0.0.1), whose link would lead nowhere."""
    from markupsafe import Markup

    from grader.web.trainer.screen import qr_svg, reachable_by_phones
    if not reachable_by_phones(request.host):
        return None
    url = url_for("trainee.result", token=row["token"], _external=True)
    return {"url": url, "qr": Markup(qr_svg(url, module_px=2))}


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
    remember_attempt(row["token"])             # (the answer that would have listed it among this browser's is lost)
    latest = replacement_of(db, row) or row    # (replaced by a later sending, corrected: its page leads there too)
    return jsonify({"url": url_for("trainee.result", token=latest["token"])})


@bp.get("/hasil/<token>.json")
def result_json(token: str):
    row = get_submission(token)
    return jsonify({"state": row["state"], "status": row["result_status"], "score": row["score"],
                    "url": url_for("trainee.result", token=token)})


@bp.get("/hasil/<token>/gambar/<path:name>")
def image(token: str, name: str):
    row = get_submission(token)
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
