"""The ``grade`` job: run the pipeline on a stored submission and keep the result.

Runs in worker processes (see :mod:`grader.web.jobs`). The uploads were
written to disk and recorded before the job was queued, so a job can always
be re-run from the database alone. Corrections and disputes live in their own
tables (:mod:`grader.web.corrections`) and are re-applied after every
(re-)grading, so they are never lost; :mod:`grader.web.review_actions` records
them and regrades at once.
"""
from __future__ import annotations

import importlib
import json
import re
import logging
import sqlite3
from pathlib import Path
from typing import Any

from grader.errors import GraderError
from grader.page_groups import normalise_id
from grader.grading.feedback_files import IDENTITY_NAME
from grader.web.batching import TYPED_BY_TRAINER
from grader.web.corrections import apply_corrections, disputes_for, latest_corrections
from grader.web.db import REMOVED, connect, now_iso
from grader.web.grading_queue import hold_for_code, no_key_error
from grader.web.job_worker import JobContext
from grader.web.removal import drop_photos, remove_late_sheet
from grader.web.sheet_storing import read_stored, submission_dir

log = logging.getLogger(__name__)

COUNT_KEYS = ("ok", "wrong", "review", "blank", "unreadable")


def stored_photos(conn: sqlite3.Connection, data_dir: Path | str, submission_id: int) -> list[tuple[str, bytes]]:
    """A sheet's photos as stored, ``(file name, bytes)`` in page order: what grading, a merge and a split read."""
    return [photo for photo, _ in stored_photos_sent_in(conn, data_dir, submission_id)]


def stored_photos_sent_in(conn: sqlite3.Connection, data_dir: Path | str,
                          submission_id: int) -> list[tuple[tuple[str, bytes], str | None]]:
    """:func:`stored_photos`, each with the input its trainee chose it in (``uploads.sent_in``; None for a
    trainer's batch photo), which a merge and a split keep."""
    return [((u["filename"], read_stored(data_dir, u["path"], u["filename"])), u["sent_in"]) for u in conn.execute(
        "SELECT filename, path, sent_in FROM uploads WHERE submission_id=? ORDER BY position", (submission_id,))]


def resolve_pipeline(ref: Any):
    """``None`` -> :mod:`grader.pipeline`; a module name -> that module; anything else is used as is."""
    if ref is None:
        return importlib.import_module("grader.pipeline")
    if isinstance(ref, str):
        return importlib.import_module(ref)
    return ref


def load_exercise_key(code: str | None, data_dir: Path | str):
    """The answer key for ``code`` from the exercise store under ``data_dir`` (``None`` if no code)."""
    if not code:
        return None
    from grader.exercise.store import load_key_by_code

    return load_key_by_code(code, base=Path(data_dir))


def store_result(conn: sqlite3.Connection, submission_id: int, result: dict, *, original: dict | None = None,
                 current_only: bool = False) -> bool:
    """Write a pipeline result and its summary columns; identity found on the sheet fills empty columns (a QR's
    trainee replaces a typed one). Returns False, writing nothing, when the sheet was removed meanwhile (a
    correction or a dispute racing a removal must not bring the sheet back), or, with ``current_only``, when it
    is no longer a graded sheet (merged or split meanwhile, or queued to be graded again)."""
    row = conn.execute("SELECT trainee, group_key, trainer_number FROM submissions WHERE id=?",
                       (submission_id,)).fetchone()
    result = named_by_trainer(result, row["trainer_number"] if row else None)
    counts = result.get("counts") or {}
    cols = {
        "result": json.dumps(result, ensure_ascii=False),
        "result_status": result.get("status"),
        "score": result.get("score"),
        **{f"n_{k}": int(counts.get(k, 0)) for k in COUNT_KEYS},
        "state": "done", "error_code": None, "error_id": None, "error_en": None, "updated_at": now_iso(),
    }
    if original is not None:
        cols["result_original"] = json.dumps(original, ensure_ascii=False)
    source = result.get("identity_source")
    if source == "qr" and result.get("trainee"):
        # The QR of a personalised sheet names its trainee: it wins over what the uploader typed (issue 5's order:
        # QR, then the number written on the sheet, then the file name), so one trainee is one row in the class.
        cols.update(trainee=result["trainee"], trainee_name=result.get("trainee_name"))
    elif source == "trainee_number" and result.get("trainee"):
        typed = row["trainee"] if row else None
        if typed and (typed_number(typed) == normalise_id(result["trainee"]) or typed == row["group_key"]
                      or not has_digits(typed)):
            # The number read on the sheet wins over what was typed (issue 5's order), which stays as the name: a
            # name typed without a number ("Fitri", "fitri r." on a retake) and the number in "Fitri 104" agreeing
            # with it make the trainee 104, one row with her other attempts however she spelt her name. A number
            # that disagrees with the typed one (a misread 104 -> 164?) leaves the typed text as it is: her sheet
            # must not become trainee 164's latest. An attempt whose number was not read firmly keeps the name
            # typed, which the class table joins to the one number that name was read with
            # (grader.web.standing_sheets.identity_keys). (A label the app gave, a split half's photo name, is no one's
            # typing: the number wins over it.)
            cols["trainee"] = result["trainee"]
            if normalise_id(typed) != normalise_id(result["trainee"]) and typed != row["group_key"]:
                cols["trainee_name"] = typed
    sets = ", ".join(f"{k}=?" for k in cols)
    fill = ", ".join(f"{k}=COALESCE({k}, ?)" for k in ("exercise", "trainee", "trainee_name") if k not in cols)
    only = " AND state='done' AND superseded_by IS NULL" if current_only else ""
    return conn.execute(
        f"UPDATE submissions SET {sets}, {fill} WHERE id=? AND state != ?{only}",
        (*cols.values(), *(result.get(k) for k in ("exercise", "trainee", "trainee_name") if k not in cols),
         submission_id, REMOVED)).rowcount > 0


def named_by_trainer(result: dict, number: str | None) -> dict:
    """``result`` naming the trainee ``number`` that a trainer typed for its sheet (``submissions.trainer_number``),
    said as typed by the trainer (``TYPED_BY_TRAINER``), unless its QR names the trainee. Graded again from its
    photos, the pipeline takes the number for what the sender typed ("caller"), and a correction's regrade starts
    from the first reading (its file name): either way the number stopped counting as the trainer's, so the merge
    step no longer paired the sheet by it and its printout said "the name typed when sending"."""
    if not number or result.get("identity_source") == "qr":
        return result
    return {**result, "trainee": number, "identity_source": TYPED_BY_TRAINER}


def has_digits(text: str) -> bool:
    """Whether what an uploader typed holds a number (``Fitri 104``), not only a name (``Fitri``)."""
    return any(ch.isdigit() for ch in text)


def typed_number(text: str) -> str | None:
    """The one number in what an uploader typed (``Fitri 104`` -> ``104``, ``061`` -> ``61``), normalised as trainee
    ids are; None without exactly one."""
    numbers = re.findall(r"\d+", text)
    return normalise_id(numbers[0]) if len(numbers) == 1 and numbers[0].isascii() else None


def run_grade_job(payload: dict, ctx: JobContext) -> None:
    """Grade submission ``payload["submission_id"]`` and store the result (or raise GraderError)."""
    sid = int(payload["submission_id"])
    conn = connect(ctx.database)
    try:
        sub = conn.execute("SELECT * FROM submissions WHERE id=?", (sid,)).fetchone()
        if sub is None or sub["state"] in ("merged", REMOVED):
            return
        conn.execute("UPDATE submissions SET state='running', updated_at=? WHERE id=?", (now_iso(), sid))
        try:
            key = load_exercise_key(sub["exercise"], ctx.data_dir)
        except GraderError as exc:
            if exc.code != "exercise_removed":
                raise
            # stored for an exercise removed meanwhile: it goes with its class
            remove_late_sheet(conn, Path(ctx.data_dir), sub)
            return
        files = stored_photos(conn, ctx.data_dir, sid)
        pipeline = resolve_pipeline(ctx.pipeline)
        out_dir = submission_dir(ctx.data_dir, sub["token"]) / "derived"
        out_dir.mkdir(parents=True, exist_ok=True)
        # (an earlier run's pictures of the written number and name stay while this one runs: the class table and
        # the batch page show them in the sheet's row while it is graded again, trainer.results.ident_url; those
        # this run did not cut again are deleted once it has, below)
        earlier_idents = list(out_dir.glob(IDENTITY_NAME.format(page="*")))
        kept = kept_photos(conn, sub)
        # (a trainee's own sending: a refusal tells them what to do, not a trainer sorting a class's photos)
        result = pipeline.grade_upload(files, key=key, exercise=sub["exercise"], trainee=sub["trainee"],
                                       out_dir=out_dir, keep_aligned=True, **({"kept": kept} if kept else {}),
                                       **({"own_sheet": True} if sub["source"] == "trainee" else {}))
        cut = {p.get("identity_crop") for p in result.get("pages") or ()}
        for old in earlier_idents:                    # found on disk (trainer.results.ident_url): none may be left
            if old.name not in cut:                   # from an earlier run that this one did not cut again
                old.unlink(missing_ok=True)
        if sub["source"] == "batch":
            result = named_by_its_group(result, sub["group_key"])
        if key is None and result.get("exercise"):
            try:
                key = load_exercise_key(result["exercise"], ctx.data_dir)
            except GraderError as exc:
                if exc.code == "exercise_removed":
                    # the QR names an exercise its trainer removed: no score, the sender is told why, and its
                    # photos are not kept for a class that was removed for good
                    drop_photos(conn, Path(ctx.data_dir), sub)
                    raise
                key = None
        if sub["source"] == "trainee" and only_wrong_exercise(result):
            # The photos are fine and kept; the code the trainee typed is not the one printed on the sheet. A
            # retake cannot fix that: hold the upload for the trainee to fix the code (trainee.hold_code), unless
            # the sheet's own exercise is unknown here too: then no code helps, and the trainee is sent to the
            # trainer (otherwise the held page's "leave it empty" leads to that very hold, and back).
            printed = printed_exercise(result)
            if printed and _unknown_here(printed, ctx.data_dir):
                hold_for_code(conn, sid, no_key_error(printed))
                return
            refusal = result["pages"][0]["refusal"]
            hold_for_code(conn, sid, GraderError(refusal["code"], refusal["message_en"], refusal["message_id"]),
                          printed=printed)
            return
        if sub["source"] == "trainee" and key is None and result.get("status") != "refused":
            # No answer key: the sheet's QR could not be read, or names an exercise unknown here, and no code was
            # typed. Graded so, every field read would show as right and the score as 100 (the form's own
            # arithmetic is all there is to check). The photos are kept; the trainee types the code.
            hold_for_code(conn, sid, no_key_error(result.get("sheet_exercise")))
            return
        (corrections, ids), disputes = latest_corrections(conn, sid), disputes_for(conn, sid)
        graded = apply_corrections(pipeline, result, corrections, key, disputes, ids=ids)
        store_result(conn, sid, graded, original=result)
        if corrections or disputes:      # graded again after a crash: the marks must show the corrections
            redraw(pipeline, graded, out_dir, sid)
    finally:
        conn.close()


def kept_photos(conn: sqlite3.Connection, sub) -> list[int]:
    """Places (0-based, in upload order) of the photos of a retake or a completed sheet that the sheet it was made
    from holds too: graded there, they are not replaced by a new photo showing their page (``kept`` of
    :func:`grader.pipeline.grade_upload`): page 1 sent by mistake as the retake of page 2 is refused as page 1
    again, and the page 1 graded stays."""
    if not sub["retake_of"]:
        return []
    held: dict[str, int] = {}
    for r in conn.execute("SELECT sha256 FROM uploads WHERE submission_id=?", (sub["retake_of"],)):
        held[r["sha256"]] = held.get(r["sha256"], 0) + 1
    rows = conn.execute("SELECT sha256, sent_in FROM uploads WHERE submission_id=? ORDER BY position",
                        (sub["id"],)).fetchall()
    # A photo is kept as often as the earlier sheet holds it, the one sent from the result page last: the very photo
    # of page 2 chosen again from the gallery as the retake of page 1 is the new photo, not a second kept one (the
    # page then said "Halaman 1 belum dikirim", not that the photo was page 2).
    def sent_here(i: int) -> bool:
        return (rows[i]["sent_in"] or "") == "retake" or (rows[i]["sent_in"] or "").startswith("add_")
    kept = []
    for i in sorted(range(len(rows)), key=lambda i: (sent_here(i), i)):
        if held.get(rows[i]["sha256"], 0) > 0:
            held[rows[i]["sha256"]] -= 1
            kept.append(i)
    return sorted(kept)


def graded_nothing_new(conn: sqlite3.Connection, sub, result: dict | None) -> bool:
    """Whether a retake or a completed sheet (``sub``: ``id``, ``retake_of``; ``result``, its result) graded no photo
    of its own: each photo it did not keep from the sheet it was made from (:func:`kept_photos`) was refused as a
    page those show (``duplicate_page``): page 1 sent as page 2's retake (or as page 2 added). It grades what that
    sheet graded, and is no attempt of its own (:func:`grader.web.classroom.latest_sheets`), as the same photo
    chosen again as a retake makes no sheet at all."""
    if not sub["retake_of"] or not result:
        return False
    kept = set(kept_photos(conn, sub))
    new = [p for i, p in enumerate(result.get("pages") or []) if i not in kept]
    return bool(new) and all((p.get("refusal") or {}).get("code") == "duplicate_page" for p in new)


def named_by_its_group(result: dict, group_key: str | None) -> dict:
    """A batch's sheet that nothing names (no QR trainee, no number written on it, no name in its photos' own
    file names) named by the label its file-name group was given, where that names someone: the folder per
    trainee that a chat's or a camera's photos sit in (``kelas/Andi/foto.jpg`` is Andi's,
    :func:`grader.file_names.trainee_folders`), which the pipeline, seeing one sheet's photos, cannot tell from a
    folder around a whole class. The identity order stays: QR, number on the sheet, then the file name."""
    from grader.file_names import trainee_from_filename, uncopied
    from grader.pipeline import named_by_folder

    # (a label a copy's marks are on names whom the marks leave, as batches label such folders now: a sheet stored
    # under "Budi - Copy" before they did, and graded after, is Budi's too, not nobody's)
    named = trainee_from_filename(group_key) if group_key else None
    return named_by_folder(result, named if named and named == uncopied(group_key) else None)


def printed_exercise(result: dict) -> str | None:
    """The exercise code the sheet's QR names, when its pages were refused as printed for another exercise."""
    codes = {p.get("sheet_exercise") for p in result.get("pages") or []} - {None}
    return codes.pop() if len(codes) == 1 else None


def _unknown_here(code: str, data_dir) -> bool:
    """No exercise ``code`` in this server's store (removed counts as unknown: nothing can be graded against it)."""
    try:
        load_exercise_key(code, data_dir)
    except GraderError as exc:
        if exc.code in ("unknown_exercise", "exercise_removed"):
            return True
        raise
    return False


def only_wrong_exercise(result: dict) -> bool:
    """Every photo was refused only because the sheet is printed for another exercise than the code given."""
    pages = result.get("pages") or []
    return result.get("status") == "refused" and bool(pages) and all(
        (p.get("refusal") or {}).get("code") == "wrong_exercise" for p in pages)


def fail_grade_job(payload: dict, ctx: JobContext, code: str, message_id: str, message_en: str) -> None:
    """Mark the submission failed with its reason; its uploads stay on disk for a re-run."""
    conn = connect(ctx.database)
    try:
        conn.execute("UPDATE submissions SET state='failed', error_code=?, error_id=?, error_en=?, updated_at=? "
                     "WHERE id=? AND state != 'merged'",
                     (code, message_id, message_en, now_iso(), int(payload["submission_id"])))
    finally:
        conn.close()


def redraw(pipeline, result: dict, out_dir: Path, sid: int) -> None:
    """Redraw the marked pages after a regrade; the stored result is what counts if this fails."""
    if not result.get("template"):
        return
    try:
        pipeline.redraw_feedback(result, out_dir)
    except Exception:  # noqa: BLE001 - never lose a correction over a picture
        log.exception("could not redraw the marked pages of sheet %s", sid)


def after_grade_job(payload: dict, runner) -> None:
    """When the last sheet of a batch is done, merge its single pages by trainee
    (:func:`grader.web.page_merge.merge_batch`)."""
    from grader.web.page_merge import merge_batch

    conn = connect(runner.ctx.database)
    try:
        sub = conn.execute("SELECT batch_id FROM submissions WHERE id=?", (int(payload["submission_id"]),)).fetchone()
        if sub is not None and sub["batch_id"] is not None:
            merge_batch(conn, sub["batch_id"], runner)
    finally:
        conn.close()
