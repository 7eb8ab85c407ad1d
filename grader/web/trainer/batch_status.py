"""A batch's page and its status as JSON (polled, so the progress bar survives a reload: the state is in the
database, not in the page), and its sheets printed for another exercise graded under that one at once."""
from __future__ import annotations

import json
from collections import Counter

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from markupsafe import Markup, escape

from grader.grading.shown import full_score
from grader.result_rows import other_trainee_messages, refusal_messages
from grader.web.batch_storing import sheet_label, sheets_holding
from grader.web.classroom import being_graded_again, earlier_result_only
from grader.web.db import REMOVED, RETAKEN, batch_cut_short, get_db
from grader.web.export import earlier_not_counted, earlier_score_waits
from grader.web.i18n import get_lang
from grader.web.i18n import gettext as _
from grader.web.i18n import pick
from grader.web.present import status_label, unread_pages
from grader.web.trainee import normalise_code
from grader.web.trainer import bp
from grader.web.trainer.batch_upload import ALREADY_SENT_ON
from grader.web.trainer.exercises import get_key, has_exercise
from grader.web.trainer.results import ident_url, printed_for, regrade_under


def batch_progress(batch_id: int) -> dict:
    """How far a batch is. Its rows are the photos (or file-name pairs) as stored until its pages are ``paired``
    per trainee (:func:`grader.web.page_merge.merge_batch`, once every photo is read), then its sheets: ``counter``
    says so, in photos read, then in sheets done, and ``percent`` follows it. ``complete``: every sheet is graded
    and paired (the merged sheets are graded again before that). ``total``, ``finished``: the rows, as listed.
    ``graded_again``: when every other sheet is finished, how many sheets graded before are being graded again (the
    counter then says the batch is done but for those; 0 otherwise), which ``complete`` waits for."""
    db = get_db()
    row = db.execute("SELECT exercise, merged, client_token, form_token FROM batches WHERE id=?",
                     (batch_id,)).fetchone()
    # (a sheet its trainee retook or completed since needs no retake: its newer sheet, a row too, says how it went;
    # nor does this batch owe one for a sheet graded under another exercise since, which its row lists as moved there
    # (:func:`row_status`): its retake is that class's, whose table says it; "sebagian: 1" with no row saying
    # "Sebagian" sent the trainer looking for a half sheet of this class: rehearsal helper-168)
    owed = f"NOT {RETAKEN} AND (s.exercise IS NULL OR s.exercise = '' OR s.exercise = :exercise)"
    rows = db.execute(f"SELECT state, SUM(result_status='refused' AND {owed}) AS refused, "
                      f"SUM(result_status='partial' AND {owed}) AS partial, "
                      "SUM(result_status IS NOT NULL) AS graded_before, "
                      "COUNT(*) AS n, SUM((SELECT COUNT(*) "
                      "FROM uploads u WHERE u.submission_id = s.id)) AS photos FROM submissions s WHERE batch_id=:batch "
                      "GROUP BY state", {"batch": batch_id, "exercise": row["exercise"]}).fetchall()
    counts = {r["state"]: r["n"] for r in rows}
    photos = {r["state"]: r["photos"] or 0 for r in rows}
    refused = sum(r["refused"] or 0 for r in rows if r["state"] == "done")
    # Sheets graded in part (a page refused or not sent) need a retake as a refused one does: "ditolak: 0" alone
    # read as "nothing to retake". Before pairing, a page alone is only waiting for its other page.
    partial = sum(r["partial"] or 0 for r in rows if r["state"] == "done")
    total = sum(n for s, n in counts.items() if s not in ("merged", REMOVED))
    finished = counts.get("done", 0) + counts.get("failed", 0)
    photos_total = sum(n for s, n in photos.items() if s not in ("merged", REMOVED))
    photos_read = photos.get("done", 0) + photos.get("failed", 0)
    # sheets graded before and being graded again, their earlier result kept (classroom.being_graded_again: a
    # trainer's "Nilai ulang" after grading them again failed): the batch was done, and its page says so, with how
    # many are graded again, rather than falling back to "4 / 6" or to the photos read (the grading again marks the
    # batch's pages to be paired again, grade_again: every page was read and paired before; rehearsal, helper-198)
    again = sum(r["graded_before"] or 0 for r in rows if r["state"] in ("queued", "running"))
    again = again if again and finished + again == total else 0
    paired = row["merged"] == 1 or bool(again)
    if again:
        counter, percent = _("Selesai; {n} lembar sedang dinilai ulang", n=again), 100
    elif paired:
        counter, percent = _("{finished} / {total} lembar selesai", finished=finished, total=total), (
            round(100 * finished / total) if total else 100)
    else:
        counter, percent = _("{read} / {total} foto dibaca", read=photos_read, total=photos_total), (
            round(100 * photos_read / photos_total) if photos_total else 100)
    return {"total": total, "done": counts.get("done", 0), "failed": counts.get("failed", 0), "refused": refused,
            "partial": partial if paired else 0,
            "pending": counts.get("queued", 0) + counts.get("running", 0), "finished": finished,
            "photos": photos_total, "photos_read": photos_read, "paired": paired, "counter": counter,
            "percent": percent, "complete": finished == total and paired, "cut_short": batch_cut_short(row),
            "graded_again": again}


def item_status(r, *, paired: bool = True) -> dict:
    """A batch row's badge class, label and reason: a sheet whose photos were refused (all or some) says so and
    why, so the trainer sees who must retake without opening every sheet. A page whose other page is missing is
    looked for among the batch's photos until its pages are ``paired`` (:func:`batch_progress`)."""
    en = get_lang() == "en"
    if r["state"] == "failed":
        return {"badge": "failed", "label": status_label("failed"), "reason": r["error_en"] if en else r["error_id"]}
    if r["state"] == "done" and r["result_status"] in ("refused", "partial"):
        result = json.loads(r["result"]) if r["result"] else {}
        reasons = refusal_messages(result, lang="en" if en else "id")
        elsewhere = other_trainee_messages(result, lang="en" if en else "id") if paired else {}
        missing = ", ".join(str(n) for n in unread_pages(result).missing if n not in elsewhere)
        reasons += elsewhere.values()         # (its photo shows another trainee's sheet: not "belum dikirim")
        if missing and paired:
            reasons.append(_("Halaman {pages} belum dikirim.", pages=missing))
        elif missing:
            reasons.append(_("Halaman {pages} dicari di antara foto lain unggahan ini.", pages=missing))
        return {"badge": r["result_status"], "label": status_label(r["result_status"]), "reason": " ".join(reasons)}
    return {"badge": r["state"], "label": status_label(r["state"]), "reason": ""}


def row_status(r, batch_exercise: str, *, paired: bool) -> dict:
    """A batch row as its page and its JSON show it: :func:`item_status`, the score, and ``moved_to``. A sheet graded
    under another exercise than its batch's (from its own page, or the batch's "grade all under X") is that
    exercise's now: its row says so and links that class's table rather than showing its grading and score as if
    they were this exercise's (a moved "054 Selesai 100" read as a score for the batch's exercise)."""
    if r["retaken_by"] is not None:
        # (its trainee retook or completed it from its result page since: the newer sheet, a row of the batch too,
        # is the one that counts; this one's "Sebagian — Halaman 2 belum dikirim" read as a page still to chase,
        # and the counter's "sebagian: 1" as a retake still owed: rehearsal helper-168)
        newer = {"code": None, "url": url_for("trainer.submission", sid=r["retaken_by"]),
                 "text": _("Lihat lembar terbaru")}
        return {"badge": "retaken", "label": _("Dikirim ulang oleh peserta"), "reason": "", "score": None,
                "provisional": False, "moved_to": newer}
    status = item_status(r, paired=paired)
    code = r["exercise"]
    if not code or code == batch_exercise:
        if earlier_result_only(r):
            # (graded before, and being graded again or failing so: its earlier score does not count, as the class
            # table strikes it out; "Sedang dinilai" beside "100 sementara" read as its score: rehearsal helper-195)
            if being_graded_again(r):           # (the badge says it: the reason, only what of its earlier score)
                status = {**status, "label": _("Sedang dinilai ulang"), "reason": earlier_score_waits(r)}
            else:
                why = (earlier_not_counted(r, get_lang()), status["reason"])      # (then the failure's own)
                status = {**status, "reason": " ".join(filter(None, why))}
            return {**status, "score": None, "provisional": False, "moved_to": None}
        score = full_score(r["result_status"], r["score"])
        # (a score that fields waiting for review may change: "sementara", as the class table says it)
        return {**status, "score": score, "provisional": score is not None and bool(r["n_review"]), "moved_to": None}
    if r["state"] in ("queued", "running"):
        reason = _("Sedang dinilai dengan latihan {code}.", code=code)
    else:                                       # graded there, or why not: failed, refused, a page missing
        reason = f"{status['label']}: {status['reason']}" if status["reason"] else ""
    moved_to = {"code": code, "url": url_for("trainer.results", code=code),
                "text": _("Lihat di hasil kelas {code}", code=code)}
    return {"badge": "moved", "label": _("Dipindah ke latihan {code}", code=code), "reason": reason, "score": None,
            "provisional": False, "moved_to": moved_to}


def _batch(token: str):
    row = get_db().execute("SELECT * FROM batches WHERE token=?", (token,)).fetchone()
    if row is None:
        abort(404)
    if row["removed_at"]:                 # its exercise was removed, with its sheets
        abort(410, _("Unggahan ini sudah dihapus bersama latihannya."))
    return row


def _items(batch_id: int) -> list:
    return get_db().execute(
        "SELECT s.id, s.token, s.updated_at, s.state, s.exercise, s.group_key, s.trainee, s.trainee_name, s.score, "
        "s.result_status, s.error_id, "
        "s.error_en, s.n_wrong, s.n_review, s.n_blank, "
        # (the full result only where the row must say why: a poll of a big batch stays cheap)
        "CASE WHEN s.result_status IN ('refused', 'partial') THEN s.result END AS result, "
        "(SELECT GROUP_CONCAT(filename, ', ') FROM uploads u WHERE u.submission_id=s.id) AS files, "
        f"(SELECT MAX(f.id) FROM submissions f WHERE f.retake_of = s.id AND f.state != '{REMOVED}') AS retaken_by "
        "FROM submissions s WHERE s.batch_id=? AND s.state NOT IN ('merged', ?) ORDER BY s.id",
        (batch_id, REMOVED)).fetchall()


@bp.get("/batch/<token>")
def batch(token: str):
    row = _batch(token)
    progress = batch_progress(row["id"])
    rows = _items(row["id"])
    items = [{**dict(r), "status": row_status(r, row["exercise"], paired=progress["paired"]), "ident_url": ident_url(r),
              "written": written_on(r)} for r in rows]
    return render_template("trainer/batch.html", batch=row, progress=progress, items=items,
                           skipped=skipped_lines(json.loads(row["skipped"]), row["exercise"]), movable=_movable(rows),
                           elsewhere=_movable(rows, here=False))


def written_on(r) -> str | None:
    """What is known of what a sheet says of itself when its written number and name were not cut out (a sheet
    refused whole, as another exercise's): the exercise code printed on its pages and the trainee number read on
    them ("kode latihan ABC123 · nomor peserta 061"), with "?" at the boxes read unsure, as the sheet page's number
    input starts with it (no picture shows the trainer what is written: a guessed "631" for a written 131 read as a
    fact, rehearsal helper-168; nothing of a number no box of which was read sure); None when nothing is known, or the
    picture is there."""
    if not r["result"] or ident_url(r):
        return None
    pages = json.loads(r["result"]).get("pages") or ()
    codes = list(dict.fromkeys(p["sheet_exercise"] for p in pages if p.get("sheet_exercise")))
    read = [p.get("trainee_number") or {} for p in pages]
    numbers = list(dict.fromkeys(n.get("sure") or n["value"] for n in read
                                 if n.get("value") and any(c.isdigit() for c in n.get("sure") or n["value"])))
    said = ([_("kode latihan {code}", code=", ".join(codes))] if codes else []) + \
        ([_("nomor peserta {n}", n=", ".join(numbers))] if numbers else [])
    return " · ".join(said) or None


def skipped_lines(entries: list[dict], exercise: str) -> list[dict]:
    """A batch's files left out, each ``file`` with its reason as ``text`` (markup) in the page's language: a photo
    sent before names the sheet that holds it now, linked (it may have been merged or graded since)."""
    holders = sheets_holding(get_db(), exercise, [s["same_as"] for s in entries if s.get("same_as")])
    lines = []
    for s in entries:
        holder = holders.get(s.get("same_as"))
        if holder is None:
            text = escape(pick(s))
        else:
            link = Markup('<a href="{}">{}</a>').format(url_for("trainer.submission", sid=holder["id"]),
                                                       sheet_label(holder, exercise))
            text = Markup(_(ALREADY_SENT_ON, sheet=link))
        lines.append({"file": s["file"], "text": text})
    return lines


def _movable(rows, *, here: bool = True) -> dict[str, int]:
    """``exercise -> sheets``: the batch's sheets refused as printed for another exercise that is here (a class's
    photos sent under the wrong exercise), so they can all be graded under it at once; with ``here=False``, those
    printed for an exercise this server does not have (removed, or printed from another server), which the page
    says cannot be graded here rather than leave the trainer with the trainee's "use the same sheet and code"."""
    counts = Counter(code for r in rows if r["state"] == "done" for code in _stray_of(r))
    return {code: n for code, n in sorted(counts.items()) if has_exercise(code) == here}


def _stray_of(r) -> set[str]:
    """:func:`printed_for` of a batch row, whose ``retaken_by`` says whether its trainee sent it again since (rehearsal
    helper-169: "Nilai lembar itu dengan latihan OTHER01" still offered, and took, such a sheet)."""
    return printed_for(r, retaken=r["retaken_by"] is not None)


@bp.post("/batch/<token>/latihan")
def batch_move(token: str):
    """Grade every sheet of a batch that was printed for exercise ``code`` under it, instead of one page at a time."""
    row = _batch(token)
    code = normalise_code(request.form.get("code"))
    get_key(code or "-")                          # 404 if that exercise is not in this app
    db = get_db()
    moved = sum(regrade_under(db, r["id"], code) for r in _items(row["id"]) if code in _stray_of(r))
    flash(_("{n} lembar dinilai ulang dengan latihan {code}.", n=moved, code=code), "ok")
    return redirect(url_for("trainer.batch", token=token), code=303)


@bp.get("/batch/<token>.json")
def batch_json(token: str):
    row = _batch(token)
    progress = batch_progress(row["id"])
    items = []
    for r in _items(row["id"]):
        st = row_status(r, row["exercise"], paired=progress["paired"])
        items.append({"id": r["id"], "state": r["state"], "badge": st["badge"], "state_label": st["label"],
                      "error": st["reason"], "trainee": r["trainee"] or r["group_key"], "name": r["trainee_name"],
                      "score": st["score"], "provisional": st["provisional"], "status": r["result_status"],
                      "moved_to": st["moved_to"],
                      "ident_url": ident_url(r), "written": written_on(r),
                      "url": url_for("trainer.submission", sid=r["id"])})
    return jsonify({**progress, "items": items})

