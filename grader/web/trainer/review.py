"""The review queue: every field the reader was unsure of, confirmed or corrected with the keyboard.

A correction is stored first (with who and when), then the sheet is regraded
at once. The page works without JavaScript (one form per field); with it,
Enter saves and moves to the next field without a reload.
"""
from __future__ import annotations

from urllib.parse import quote

from flask import current_app, flash, jsonify, redirect, render_template, request, url_for

from grader.errors import GraderError
from grader.web import busy_response, error_response
from grader.grading.review_queue import disputes_first, waiting
from grader.grading.shown import full_score
from grader.web.classroom import (failed_latest, graded_again, latest_sheets, newer_being_graded, queue_fields,
                                  unnamed_sheets)
from grader.web.db import get_db
from grader.grading.typed_value import parse_value
from grader.web.review_actions import CorrectedMeanwhile, correct_field
from grader.web.i18n import error_text
from grader.web.i18n import gettext as _
from grader.web.present import doubting_rules, field_name
from grader.web.security import current_trainer
from grader.web.trainer import back_to, bp
from grader.web.trainer.exercises import get_key
from grader.web.trainer.trainee_number import number_prefill, sheet_label

MAX_QUEUE = 300
def review_items(exercise: str, *, latest: list[dict] | None = None) -> tuple[list[dict], int]:
    """The class's waiting fields: every trainee's disputes first (wherever their sheet is in the class), then
    sheet by sheet, each sheet's in :func:`queue_order`; at most ``MAX_QUEUE``, with how many wait in all.

    A dispute on a sheet that no longer stands for its trainee (``earlier``) is listed too
    (:func:`grader.web.classroom.queue_fields`, which the exercise page counts), said to be an earlier sheet, or a
    later one read in part (``half``: its row's ``partial_later``; the complete sheet before it stands). ``latest``:
    the class's :func:`grader.web.classroom.latest_sheets`, as the page read it."""
    latest = latest_sheets(get_db(), exercise) if latest is None else latest
    half = {s["id"] for r in latest for s in r["partial_later"]}
    items = [{"sid": row["id"], "trainee": row["trainee"] or row["group_key"], "name": row["trainee_name"], "field": f,
              "rules": doubting_rules(res, f), "earlier": earlier, "half": row["id"] in half}
             for row, res, f, earlier in queue_fields(get_db(), exercise, latest=latest)]
    return disputes_first(items, lambda it: it["field"])[:MAX_QUEUE], len(items)


@bp.get("/latihan/<code>/periksa")
def review(code: str):
    key = get_key(code)
    db = get_db()
    latest = latest_sheets(db, key.exercise)           # (once for the page: the queue and both notes take it)
    items, waiting_in_all = review_items(key.exercise, latest=latest)
    return render_template("trainer/review.html", key=key, items=items, beyond=waiting_in_all - len(items),
                           failed=failed_latest(db, key.exercise, latest=latest),
                           being_graded=newer_being_graded(db, key.exercise, latest=latest),
                           graded_again=graded_again(db, key.exercise, latest=latest),
                           disputed=sum(1 for it in items if it["field"].get("disputed_at")),
                           unnamed=[_unnamed_item(row, res) for row, res in unnamed_sheets(db, key.exercise,
                                                                                             latest=latest)])


def _unnamed_item(row, res: dict) -> dict:
    """A sheet nothing names, as the queue offers its trainee number: the number and name cut from its pages, and
    the number read there, "?" where unsure (as on the sheet's page)."""
    return {"sid": row["id"], "label": sheet_label(row), "prefill": number_prefill(row, res),
            "idents": [(p.get("page"), p["identity_crop"]) for p in res.get("pages") or () if p.get("identity_crop")]}


def _back_to(sid: int) -> str:
    """Where a correction's form goes back to: the page it names, else the sheet."""
    return back_to(url_for("trainer.submission", sid=sid))


@bp.post("/lembar/<int:sid>/koreksi")
def correct(sid: int):
    wants_json = request.headers.get("X-Requested-With") == "fetch"
    field_id = request.form.get("field", "")
    # ("written": the queue's button saving what a disputing trainee says they wrote, instead of the input)
    typed = request.form.get("written") or request.form.get("value") or ""
    ok, value = parse_value(typed)
    if not ok:
        # (a "?" is a box we did not read surely, left in the input for the trainer: present.correction_prefill)
        message = (_("Ganti setiap tanda ? dengan isi kotak itu seperti tertulis di lembar.") if "?" in typed
                   else _("Ketik angka saja (atau kosongkan untuk kotak kosong)."))
        if wants_json:
            return jsonify({"ok": False, "message": message}), 400
        flash(message, "error")
        return redirect(_back_to(sid), code=303)
    try:
        new = correct_field(get_db(), submission_id=sid, field_id=field_id, value=value, by=current_trainer(),
                            data_dir=current_app.config["DATA_DIR"], pipeline_ref=current_app.config["PIPELINE"],
                            seen=request.form.get("seen"))
    except CorrectedMeanwhile as exc:
        # (the form takes the newer correction's id: saved again, it replaces that correction knowingly)
        if wants_json:
            return jsonify({"ok": False, "message": error_text(exc), "seen": exc.stamp}), 409
        flash(error_text(exc), "error")
        return redirect(_back_to(sid), code=303)
    except GraderError as exc:
        if exc.code == "busy":
            # (the database locked past its timeout: NOT stored; 503 with Retry-After, as a script is told too, and
            # the page says what was typed, its way back leading to the form, where the browser keeps it)
            back = _back_to(sid) + "#" + quote(f"f-{field_id}", safe=".-_")
            return busy_response(exc, ok=False, back=(back, _("Kembali ke isian ini")))
        if wants_json:
            # ("gone": the sheet was removed, in another tab: the queue stops offering its other entries too)
            # (a sheet being graded: 409, as the form's own page says it; it was 400 here, as if the value were bad)
            gone = exc.code == "removed"
            status = 410 if gone else 409 if exc.code == "being_graded" else 400
            return jsonify({"ok": False, "message": error_text(exc), "gone": gone}), status
        if exc.code == "being_graded":
            # (a page of its own, saying what was typed: the sheet's page, being graded, reloads itself in a few
            # seconds and would drop the message; Back returns to the form as it was typed)
            return error_response(409, error_text(exc))
        flash(error_text(exc), "error")
        return redirect(_back_to(sid), code=303)
    field = next((f for f in new.get("fields", []) if f.get("id") == field_id), {})
    if wants_json:
        # "open": what still waits on this sheet; the regrade may have settled other fields (a corrected misread
        # lets the sums back up its neighbours), and the page marks those done too
        # (a half sheet's score is no score of the sheet: nothing is said, as in the class table)
        return jsonify({"ok": True, "score": full_score(new.get("status"), new.get("score")),
                        "status": field.get("status"),
                        "seen": str(field.get("correction_id") or field.get("corrected_at") or ""),
                        "value": field.get("value"),
                        "open": sorted(f["id"] for f in new.get("fields", []) if waiting(f))})
    flash(_("Koreksi {field} disimpan.", field=field_name(field_id)), "ok")
    back = _back_to(sid)
    if back == url_for("trainer.submission", sid=sid):
        # back at the row just corrected (its new status, "✎ who"), not at the top of a sheet page 4,000 px (on a
        # phone 9,000 px) above it; a refused value goes back to the top, where its message is
        back += "#" + quote(f"f-{field_id}", safe=".-_")
    return redirect(back, code=303)
