"""The class table per exercise, one trainee's full result, its images, and the class insight chart."""
from __future__ import annotations

import json
import secrets

from pathlib import Path

from flask import abort, current_app, flash, redirect, render_template, request, send_file, url_for

from grader.exercise.store import list_exercises
from grader.grading.feedback_files import IDENTITY_NAME
from grader.web.classroom import (SORT_COLUMNS, earlier_result_only, failed_latest, graded_again, latest_sheets,
                                  newer_being_graded, table_version, trainees_insight)
from grader.web.db import RETAKEN, get_db, now_iso, sheet_or_abort
from grader.web.grade_again import grade_failed_again
from grader.web.grading_queue import BATCH_PRIORITY, queue_grading, release_held
from grader.web.i18n import get_lang
from grader.web.i18n import gettext as _
from grader.web.images import photo_preview
from grader.web.present import partial_row_short, refused_row_short
from grader.web.resent import replaced_by_sheet, replacement_of
from grader.web.sheet_storing import submission_dir
from grader.web.export import earlier_score_waits
from grader.web.standing_sheets import attempts_of, being_graded_again
from grader.web.trainee import image_version, normalise_code, printable_feedback, send_derived
from grader.web.trainer import bp
from grader.web.trainer.exercises import get_key, has_exercise
from grader.web.trainer.trainee_number import can_set_trainee, number_prefill


@bp.get("/latihan/<code>/hasil")
def results(code: str):
    key = get_key(code)
    sort = request.args.get("sort", "trainee")
    sort = sort if sort in SORT_COLUMNS else "trainee"
    desc = request.args.get("dir") == "desc"
    rows = latest_sheets(get_db(), key.exercise, sort=sort, descending=desc)
    # a sheet that names nobody (a chat export's IMG-…-WA0006) shows what is written on it instead
    rows = [{**r, "ident_url": None if r["trainee"] else ident_url(r), "refused_why": refused_why(r),
             "partial_why": partial_why(r),
             # (the later sendings a row notes, refused whole or read in part, in the order they came)
             "later": sorted([{**s, "why": refused_row_short(s), "refused": True} for s in r["refused_later"]] +
                             [{**s, "why": partial_row_short(s), "refused": False} for s in r["partial_later"]],
                             key=lambda s: s["id"])}
            for r in rows]
    return render_template("trainer/results.html", key=key, rows=rows, sort=sort, desc=desc,
                           version=table_version(rows))


def refused_why(row) -> str | None:
    """Why a sheet refused whole was refused, in a few words for its row (``present.refusal_short``); its page says
    it in full. Only such rows carry their result (``refused_result``, as ``latest_sheets`` read it; a class has
    few)."""
    if row["state"] != "done" or not row["refused_result"]:
        return None
    return refused_row_short(row)


def partial_why(row) -> str | None:
    """Which page of a half sheet that stands for its trainee is unread, and why, in a few words for its row
    ("halaman 2 belum dikirim"), the words of its later half sendings' notes (``present.partial_row_short``):
    "Sebagian" alone sent the trainer to open it (helper-183/189). Only such rows carry their result
    (``partial_result``, as ``latest_sheets`` read it)."""
    return partial_row_short(row) if row["partial_result"] else None


def ident_url(row) -> str | None:
    """The picture of the number and name written on a graded sheet's first read page, if there is one
    (:func:`grader.grading.feedback_files.identity_rect`), found on disk: a poll of a big batch, or the class table,
    reads no result. (Each grading of the sheet cuts it again; ``updated_at`` tells the cache.) Also of a sheet
    graded before whose grading again is under way or failed (:func:`~grader.web.classroom.earlier_result_only`):
    the last one cut stays in its row, which names whose sheet it is (rehearsal, helper-198: it left the class table's
    and the batch's row while the sheet was graded again, and came back after)."""
    if row["state"] != "done" and not earlier_result_only(row):
        return None
    derived = submission_dir(current_app.config["DATA_DIR"], row["token"]) / "derived"
    for page in (1, 2):
        name = IDENTITY_NAME.format(page=page)
        if (derived / name).is_file():
            return url_for("trainer.image", sid=row["id"], name=name, v=row["updated_at"])
    return None


@bp.get("/latihan/<code>/hasil.json")
def results_json(code: str):
    key = get_key(code)
    rows = latest_sheets(get_db(), key.exercise)
    return {"exercise": key.exercise, "version": table_version(rows), "rows": [_json_row(r) for r in rows]}


def _json_row(r: dict) -> dict:
    """A class table's row as ``hasil.json`` gives it. A sheet whose grading again failed (``regrade_failed``), or is
    under way (``graded_again``), has no result, score or counts there, as the table and the exports show none: its
    earlier result does not count; nor has a sheet refused whole counts (``classroom.counts_count``)."""
    counted = None if r["regrade_failed"] or r["graded_again"] else r
    return {"trainee": r["trainee"] or r["group_key"], "name": r["trainee_name"], "state": r["state"],
            "status": counted and r["result_status"], "score": r["full_score"], "regrade_failed": r["regrade_failed"],
            "graded_again": r["graded_again"],
            # (a half sheet's score is its read pages', no score of the sheet: as the page and the exports say)
            "partial_score": r["score"] if counted and r["result_status"] == "partial" else None,
            # (no counts for a sheet refused whole either: "—" in the table, not zero mistakes)
            **{k: r[f"n_{k}"] if r["counts_count"] else None for k in ("wrong", "review", "blank")},
            "url": url_for("trainer.submission", sid=r["id"]),
            # (sheets of another exercise sent under this trainee's number: not counted here, listed to be moved)
            "strays": [{"exercise": s["exercise"], "url": url_for("trainer.submission", sid=s["id"])}
                       for s in r["strays"]],
            # (sendings refused whole after the graded sheet shown: counted as attempts, not hiding its score)
            "refused_later": [{"url": url_for("trainer.submission", sid=s["id"]),
                               "why": refused_row_short(s)} for s in r["refused_later"]],
            # (sendings read in part after the complete sheet shown: it still counts until one is completed)
            "partial_later": [{"url": url_for("trainer.submission", sid=s["id"]),
                               "why": partial_row_short(s)} for s in r["partial_later"]]}


def image_urls(row):
    """``name -> URL`` of a sheet's derived images for the trainer's pages (``w=`` for a smaller copy)."""
    return lambda name, **kw: url_for("trainer.image", sid=row["id"], name=name, v=image_version(row), **kw)


def _sheet(sid: int):
    return sheet_or_abort("id", sid)


@bp.get("/lembar/<int:sid>")
def submission(sid: int):
    row = _sheet(sid)
    res = json.loads(row["result"]) if row["result"] else None
    db = get_db()
    uploads = db.execute("SELECT position, filename, sent_in FROM uploads WHERE submission_id=? ORDER BY position",
                         (sid,)).fetchall()
    corrections = db.execute("SELECT field_id, value, previous, corrected_by, corrected_at FROM corrections "
                             "WHERE submission_id=? ORDER BY id DESC", (sid,)).fetchall()
    # a later sending of its form, corrected, replaced it: shown as it was, said so, and nothing to act on but removal
    replaced_by = replacement_of(db, row)
    movable = {code for code in printed_for(row, retaken=is_retaken(db, sid))   # (what move_to_exercise takes)
               if has_exercise(code)}
    elsewhere = {p["sheet_exercise"] for p in (res or {}).get("pages") or ()
                 if p.get("sheet_exercise") and (p.get("refusal") or {}).get("code") == "wrong_exercise"
                 and not has_exercise(p["sheet_exercise"])}
    keys = list_exercises(base=current_app.config["DATA_DIR"]) if row["state"] == "held" else []
    return render_template("trainer/submission.html", sub=row, res=res, uploads=uploads, corrections=corrections,
                           replaced_by=replaced_by, replaces=replaced_by_sheet(db, sid),
                           movable=movable, elsewhere=elsewhere, exercises=[k.exercise for k in reversed(keys)],
                           client_token=secrets.token_urlsafe(16),
                           trainee_form=not replaced_by and can_set_trainee(row, res),
                           attempts=attempts_of(db, row["exercise"], sid) if row["exercise"] and not replaced_by else [],
                           # (graded before, being graded again: its earlier score waits, as the class table says)
                           earlier_waits=earlier_score_waits(row) if being_graded_again(row) else None,
                           number_prefill=number_prefill(row, res) if res else "",
                           image_url=image_urls(row),
                           photo_url=lambda position: url_for("trainer.photo", sid=sid, position=position))


@bp.post("/lembar/<int:sid>/nilai-ulang")
def regrade_failed(sid: int):
    """Grade a failed sheet again from its stored photos (after a crash, a restart or a time-out)."""
    if not grade_failed_again(get_db(), sid):
        _sheet(sid)                               # 404 if it does not exist; otherwise nothing to do
    return redirect(url_for("trainer.submission", sid=sid), code=303)


@bp.post("/lembar/<int:sid>/hapus")
def remove(sid: int):
    """Remove a sheet for good, with its photos (a test photo, a sheet sent to the wrong class), once confirmed."""
    from grader.web.removal import remove_sheet

    row = _sheet(sid)
    if request.form.get("confirm") != "1":
        flash(_("Centang konfirmasi dulu untuk menghapus lembar ini."), "error")
        return redirect(url_for("trainer.submission", sid=sid), code=303)
    if remove_sheet(get_db(), current_app.config["DATA_DIR"], sid) is None:
        flash(_("Lembar ini sedang dinilai; hapus setelah selesai."), "error")
        return redirect(url_for("trainer.submission", sid=sid), code=303)
    flash(_("Lembar {name} dan fotonya sudah dihapus.", name=row["trainee"] or row["group_key"] or sid), "ok")
    if row["exercise"] and has_exercise(row["exercise"]):
        return redirect(url_for("trainer.results", code=row["exercise"]), code=303)
    return redirect(url_for("trainer.index"), code=303)


@bp.post("/lembar/<int:sid>/latihan")
def move_to_exercise(sid: int):
    """Grade a sheet refused as another exercise's under the exercise its QR names (a batch sent to the wrong one)."""
    row = _sheet(sid)
    code = normalise_code(request.form.get("code"))
    if not code or code not in printed_for(row, retaken=is_retaken(get_db(), sid)):
        abort(400, _("Lembar ini tidak dicetak untuk latihan itu."))
    get_key(code)                                 # 404 if that exercise is not in this app
    regrade_under(get_db(), row["id"], code)
    return redirect(url_for("trainer.submission", sid=sid), code=303)


def printed_for(row, *, retaken: bool = False) -> set[str]:
    """The exercises a sheet refused whole as another exercise's was printed for (its pages' QR codes); empty for
    any other sheet (moving one with a graded page would drop that page's grading), and for one its trainee sent
    again since from its result page (``retaken``, :func:`is_retaken`): the newer sheet is the one that counts, and the
    stray photo replaced is no sheet of theirs to grade under the other exercise (rehearsal helper-169: graded there,
    it stood in that class's table as the trainee's)."""
    res = json.loads(row["result"]) if row["result"] else {}
    if row["state"] != "done" or res.get("status") != "refused" or retaken:
        return set()
    return {p["sheet_exercise"] for p in res.get("pages") or ()
            if p.get("sheet_exercise") and (p.get("refusal") or {}).get("code") == "wrong_exercise"}


def is_retaken(db, sid: int) -> bool:
    """Whether sheet ``sid``'s trainee sent it again since from its result page (:data:`~grader.web.db.RETAKEN`)."""
    return bool(db.execute(f"SELECT {RETAKEN} FROM submissions s WHERE s.id=?", (sid,)).fetchone()[0])


def regrade_under(db, sid: int, code: str) -> bool:
    """Grade a sheet again under exercise ``code`` (checked by the caller); False when it changed meanwhile."""
    claimed = db.execute("UPDATE submissions SET exercise=?, state='queued', queue_priority=?, updated_at=? WHERE "
                         "id=? AND state='done' RETURNING id, batch_id",
                         (code, BATCH_PRIORITY, now_iso(), sid)).fetchone()      # (the sweep's, too: with the batches)
    if claimed:
        if claimed["batch_id"] is not None:    # once graded, its batch merges single pages of one trainee again
            db.execute("UPDATE batches SET merged=0 WHERE id=?", (claimed["batch_id"],))
        queue_grading(db, sid, priority=BATCH_PRIORITY)
    return claimed is not None


@bp.post("/lembar/<int:sid>/kode")
def assign_exercise(sid: int):
    """Grade an upload held for its code under the exercise a trainer picks (the trainee mistyped it, or left)."""
    row = _sheet(sid)
    code = normalise_code(request.form.get("code"))
    if not code:
        abort(400, _("Pilih latihannya dulu."))
    get_key(code)                                 # 404 if that exercise is not in this app
    release_held(get_db(), row["id"], code)
    return redirect(url_for("trainer.submission", sid=sid), code=303)


@bp.get("/latihan/<code>/cetak")
def class_printable(code: str):
    """Every trainee's printable feedback in one document, a page each, in the class table's order as it was sorted
    (its latest graded sheet): a class of 20 was 20 tabs to print (helper-147). A trainee whose latest sheet is not
    graded, refused whole or failed has no page, and is named above the first, on the screen. On the screen it offers a
    print button and a link back to the class table as it was sorted, as a sheet's printout does (it opens in a new
    tab, and a phone's browser hides its print in a menu)."""
    from grader.grading.report import render_reports
    from grader.web.trainee.results import printable_result, result_link

    key = get_key(code)
    sort = request.args.get("sort", "trainee")
    sort = sort if sort in SORT_COLUMNS else "trainee"
    desc = request.args.get("dir") == "desc"
    db = get_db()
    sheets, skipped = [], []
    for r in latest_sheets(db, key.exercise, sort=sort, descending=desc):
        row = db.execute("SELECT * FROM submissions WHERE id=?", (r["id"],)).fetchone()
        res = printable_result(row) if row is not None else None
        if res is not None:
            sheets.append((res, image_urls(row), result_link(row)))
        else:
            skipped.append(r["trainee_name"] or r["trainee"] or r["group_key"] or f"#{r['id']}")
    if not sheets:
        flash(_("Belum ada lembar yang dinilai untuk dicetak."), "error")
        return redirect(url_for("trainer.results", code=key.exercise), code=303)
    return render_reports(sheets, lang=get_lang(), skipped=skipped, script=url_for("static", filename="print.js"),
                          back=url_for("trainer.results", code=key.exercise, sort=sort, dir="desc" if desc else "asc"))


@bp.get("/lembar/<int:sid>/cetak")
def printable(sid: int):
    row = _sheet(sid)
    return printable_feedback(row, image_urls(row), back=url_for("trainer.submission", sid=sid), link=True)


@bp.get("/lembar/<int:sid>/gambar/<path:name>")
def image(sid: int, name: str):
    row = _sheet(sid)
    return send_derived(submission_dir(current_app.config["DATA_DIR"], row["token"]) / "derived", name)


@bp.get("/lembar/<int:sid>/foto/<int:position>")
def photo(sid: int, position: int):
    """An uploaded photo as sent (a smaller upright copy): what a held sheet, or a refused page, shows, having no
    marks."""
    row = _sheet(sid)
    upload = get_db().execute("SELECT path FROM uploads WHERE submission_id=? AND position=?",
                              (sid, position)).fetchone()
    if upload is None:
        abort(404)
    folder = submission_dir(current_app.config["DATA_DIR"], row["token"])
    preview = photo_preview(Path(current_app.config["DATA_DIR"]) / upload["path"],
                            folder / "derived" / "_photos" / f"{position:02d}.jpg")
    if preview is None:
        abort(404)
    return send_file(preview, mimetype="image/jpeg", max_age=3600)


@bp.get("/latihan/<code>/wawasan")
def insight(code: str):
    key = get_key(code)
    db = get_db()
    latest = latest_sheets(db, key.exercise)           # (once for the page: each of the three counts from it)
    return render_template("trainer/insight.html", key=key,
                           insight=trainees_insight(db, key.exercise, latest=latest),
                           failed=failed_latest(db, key.exercise, latest=latest),
                           being_graded=newer_being_graded(db, key.exercise, latest=latest),
                           graded_again=graded_again(db, key.exercise, latest=latest))
