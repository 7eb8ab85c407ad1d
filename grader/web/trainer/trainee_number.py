"""A sheet's trainee number set by a trainer, where the sheet did not say it surely.

A sheet names its trainee by its QR, else by the number written on it, read surely, else by what its sender typed
or its file name (issue 5's order). A number written but read unsure left a batch's sheet under its file name
("s0001", "IMG-…-WA0006"): a row of its own in the class table that no correction could name, since the number is
no graded field (rehearsal, helper-139: after the whole review queue, 6 of a class's 15 sheets were still unnamed).
The trainer reads the number off the sheet's picture and types it here. It is stored in the sheet's ``trainee``
column, which a later grading keeps (:func:`grader.web.grading.store_result` lets only a QR replace it), and in
``trainer_number``, by which every later grading says the number was typed by the trainer
(:func:`grader.web.grading.named_by_trainer`).
"""
from __future__ import annotations

import json
import re

from flask import flash, redirect, request, url_for

from grader.page_groups import normalise_id, number_text
from grader.web.batching import TYPED_BY_TRAINER
from grader.web.standing_sheets import printed_elsewhere
from grader.web.db import REMOVED, get_db, now_iso, sheet_or_abort
from grader.web.jobs import runner
from grader.web.page_merge import merge_after_numbering
from grader.web.i18n import gettext as _
from grader.web.trainer import back_to, bp

MAX_DIGITS = 6          # (the practice sheets have three boxes; a roster's numbers may run longer)
NUMBER_RE = re.compile(rf"\d{{1,{MAX_DIGITS}}}")


def can_set_trainee(sub, res: dict | None) -> bool:
    """Whether the sheet page offers the trainee number: a graded sheet whose QR did not name its trainee."""
    return sub["state"] == "done" and bool(res) and res.get("identity_source") != "qr"


def number_prefill(sub, res: dict) -> str:
    """What the number input starts with: the sheet's trainee when it is a number, else the number read on its
    pages with "?" at the boxes read unsure (the trainer replaces them, as in a correction)."""
    if sub["trainee"] and NUMBER_RE.fullmatch(sub["trainee"]):
        return sub["trainee"]
    read = [(p.get("trainee_number") or {}) for p in res.get("pages") or ()]
    return next((n.get("sure") or n.get("value") or "" for n in read if n.get("value")), "")


@bp.post("/lembar/<int:sid>/peserta")
def set_trainee(sid: int):
    sub = sheet_or_abort("id", sid)
    typed = (request.form.get("number") or "").strip()
    sheet_page, label = url_for("trainer.submission", sid=sid), sheet_label(sub)
    back = back_to(sheet_page + "#peserta")                 # (or the review queue's list)
    if not NUMBER_RE.fullmatch(typed):
        flash(_("Ketik nomor peserta dengan angka saja (paling banyak {n} angka), seperti tertulis di lembar.",
                n=MAX_DIGITS) if "?" not in typed else
              _("Ganti setiap tanda ? dengan angka yang tertulis di lembar."), "error")
        return redirect(back, code=303)
    number = number_text(typed)                    # as a number read off the sheet or a QR is written ("061")
    # A name the trainee typed in place of a number ("Fitri") stays, as the sheet's name; a file name does not.
    res = json.loads(sub["result"]) if sub["result"] else {}
    typed_name = res.get("identity_source") == "caller" and sub["trainee"] and not NUMBER_RE.fullmatch(sub["trainee"])
    name = sub["trainee_name"] or (sub["trainee"] if typed_name else None)
    # (its result says so too, as every grading again will: grading.named_by_trainer; a QR's trainee stays)
    done = get_db().execute(
        "UPDATE submissions SET trainee=?, trainee_name=?, trainer_number=?, result=CASE WHEN "
        "json_extract(result, '$.identity_source') = 'qr' THEN result ELSE json_set(result, '$.trainee', ?, "
        "'$.identity_source', ?) END, updated_at=? WHERE id=? AND state != ? AND superseded_by IS NULL",
        (number, name, number, number, TYPED_BY_TRAINER, now_iso(), sub["id"], REMOVED)).rowcount
    if not done and get_db().execute("SELECT superseded_by FROM submissions WHERE id=?",
                                     (sub["id"],)).fetchone()["superseded_by"] is not None:
        # (its page open since, or in another tab: merged into a sheet, or replaced by a later sending, the number
        # would name a sheet no table shows, and the page said it was merged with that trainee's other page)
        flash(_("Lembar {sheet} sudah digabung ke lembar lain atau diganti: nomor {n} tidak disimpan. Ketik nomornya "
                "di lembar yang menggantikannya.", sheet=label, n=number), "error")
    elif done and merge_after_numbering(get_db(), sub["id"], runner()):
        # (naming the sheet it joined: a slip of the keyboard shows there, where the class table would hide it)
        mates = [sheet_label(r) for r in get_db().execute(
            "SELECT id, group_key FROM submissions WHERE superseded_by=(SELECT superseded_by FROM submissions WHERE "
            "id=?) AND id != ? ORDER BY id", (sub["id"], sub["id"]))]
        flash(_("Lembar {sheet} digabung dengan halaman lain peserta {n} ({mates}) menjadi satu lembar, yang sedang "
                "dinilai.", sheet=label, n=number, mates=", ".join(mates)), "ok")
    elif done:
        # (said on the review queue too, whose list the sheet has just left: there it is named, helper-154)
        flash(_("Nomor peserta lembar ini kini {n}.", n=number) if back.startswith(sheet_page) else
              _("Nomor peserta lembar {sheet} kini {n}.", sheet=label, n=number), "ok")
        others = sheets_numbered(sub["exercise"], number, but=sub["id"])
        if others:
            # (a slip of the keyboard put another trainee's number on it: the two became one trainee's attempts, and
            # the other's sheet left the class table unsaid, helper-147; on purpose, it is that trainee's retake)
            flash(_("Nomor {n} juga ada di lembar lain latihan ini ({who}): keduanya kini dihitung sebagai percobaan "
                    "peserta yang sama, dan tabel kelas memakai yang terbaru. Bila salah ketik, ganti nomornya.",
                    n=number, who=", ".join(others)), "warn")
    return redirect(back, code=303)


def sheet_label(row) -> str:
    """A sheet as a trainer finds it in the class table when nothing names it: the file it came from
    ("IMG-…-WA0005"), else its id."""
    return row["group_key"] or f"#{row['id']}"


def sheets_numbered(exercise: str | None, number: str, *, but: int) -> list[str]:
    """The other sheets of ``exercise`` that name trainee ``number`` (as an id compares: "39" is "039") and count as
    their attempts, each as a trainer finds it: the name on it, else the file it came from (the class table's
    "IMG-…-WA0005"). Not one merged into another, replaced by a later sending, or removed, nor one refused as another
    exercise's sheet, which is no attempt at this one (:func:`grader.web.classroom.latest_sheets`' strays)."""
    rows = get_db().execute(
        "SELECT id, trainee, trainee_name, group_key, CASE WHEN result_status='refused' THEN result END AS "
        "refused_result FROM submissions WHERE exercise=? AND id != ? AND trainee IS NOT NULL AND state NOT IN "
        "('merged', ?) AND superseded_by IS NULL ORDER BY id", (exercise, but, REMOVED)).fetchall()
    return [r["trainee_name"] or sheet_label(r) for r in rows
            if normalise_id(r["trainee"]) == normalise_id(number) and printed_elsewhere(r) is None]
