"""Batch grading: many photos or one zip, grouped per trainee, stored, then graded in the background.

The batch page polls a JSON status endpoint, so its progress bar survives a
reload (the state is in the database, not in the page).
"""
from __future__ import annotations

import hashlib
import json
import logging
import secrets
import sqlite3
from collections import Counter
from pathlib import Path, PurePosixPath

from flask import abort, current_app, flash, jsonify, redirect, render_template, request, url_for

from grader.batch import earlier_copies, refusal_messages
from grader.errors import GraderError
from grader.photo.pdf_pages import photos_of
from grader.web.batch_storing import held_by_batch, recently_sent, store_batch
from grader.web.db import REMOVED, STORING, get_db, now_iso
from grader.web.i18n import error_text, get_lang
from grader.web.i18n import gettext as _
from grader.web.i18n import pick
from grader.web.present import status_label, unread_pages
from grader.web.safezip import ZipLimits, read_zip
from grader.web.security import current_trainer
from grader.web.trainer import bp
from grader.web.trainee import normalise_code
from grader.web.trainer.exercises import get_key, has_exercise
from grader.web.trainer.results import ident_url, printed_for, regrade_under
from grader.web.uploads import DUPLICATE_WINDOW_S, StorageError, ago_iso, check_photo

log = logging.getLogger(__name__)
#: A new form (the page opened again) completes a batch cut short this long ago at most, and only its trainer's.
COMPLETE_WITHIN_S = 24 * 3600

ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
#: A PDF in a batch (a copier's or a scanner app's stack of a class's sheets) may be this many photos' limit.
PDF_PHOTOS = 20
#: Room in a batch's request for all but its files: the other fields and each file's multipart headers.
BATCH_FORM_ROOM_BYTES = 1024 * 1024


@bp.app_template_global()
def batch_limits() -> dict[str, int]:
    """What a batch takes, in bytes: ``photo``, one photo (a loose one or one in a zip); ``pdf``, one PDF;
    ``zip``, one zip, which only the request's limit bounds (its photos are each held to ``photo``); ``request``,
    all the files of one upload together (the app's limit on a batch, less :data:`BATCH_FORM_ROOM_BYTES`).

    :func:`_collect` skips a photo or a PDF past its limit, and the app refuses a request past its own (413). The
    batch input carries them (``_result.html``'s ``batch_limits_of``), so that the browser refuses first.
    """
    photo = current_app.config["MAX_PHOTO_BYTES"]
    request_bytes = current_app.config["MAX_CONTENT_LENGTH"] - BATCH_FORM_ROOM_BYTES
    return {"photo": photo, "pdf": photo * PDF_PHOTOS, "zip": request_bytes, "request": request_bytes}


# Reasons a photo of a batch is left out after it was taken in: (code, Indonesian, English).
ALREADY_SENT = ("already_sent",
                f"Foto ini sudah dikirim dalam {DUPLICATE_WINDOW_S // 60} menit terakhir, jadi tidak disimpan dua kali.",
                f"This photo was already sent in the last {DUPLICATE_WINDOW_S // 60} minutes, so it is not stored "
                "twice.")
NESTED_ZIP = ("nested_zip", "Zip di dalam zip tidak dibuka. Ekstrak dulu, lalu kirim isinya.",
              "A zip inside a zip is not opened. Extract it first, then send what it holds.")
NOT_STORED = ("storage_full", "Penyimpanan server penuh; foto ini belum tersimpan. Kosongkan ruang disk, lalu "
              "kirim lagi.", "The server's storage is full; this photo was not stored. Free disk space, then "
              "send it again.")
STORE_FAILED = ("store_failed", "Server mengalami kesalahan saat menyimpan; foto ini belum tersimpan. Kirim lagi "
                "formulir yang sama.", "The server hit an error while storing; this photo was not stored. Send the "
                "same form again.")
#: what a batch cut short lists for a photo left out: it is dropped from the list once a sending stores it
LEFT_OUT = {reason[0]: reason for reason in (NOT_STORED, STORE_FAILED)}


def skipped_entry(name: str, reason, *, sha256: str | None = None) -> dict:
    """One line of a batch's list of files left out; ``reason`` is a GraderError or ``(code, id, en)``. A photo
    that a full disk or an error left out keeps its ``sha256``: sent again from a new form, it completes the batch."""
    if isinstance(reason, GraderError):
        reason = (reason.code, reason.message_id, reason.message)
    code, mid, men = reason
    return {"file": name, "code": code, "message_id": mid, "message_en": men, **({"sha256": sha256} if sha256 else {})}


def _collect(uploads) -> tuple[list[tuple[str, bytes]], list[dict], list[str]]:
    """Photos from plain files and zips, every skipped file with its reason, and where each photo came from
    (its zip and folder in it; plain files share one place), so names pair only within one place."""
    limits = batch_limits()
    photos: list[tuple[str, bytes]] = []
    skipped: list[dict] = []
    places: list[str] = []

    def skip(name: str, reason) -> None:
        skipped.append(skipped_entry(name, reason))

    for n, up in enumerate(uploads):
        if not up or not up.filename:
            continue
        data = up.read()
        if data[:4] in ZIP_MAGIC:
            try:
                contents = read_zip(data, limits=ZipLimits(max_member_bytes=limits["photo"]), keep_folders=True)
            except GraderError as exc:
                skip(up.filename, exc)
                continue
            for s in contents.skipped:
                skip(f"{up.filename}: {s.name}", (s.code, s.message_id, s.message_en))
            members, where = contents.files, f"{up.filename}: "     # a skipped member is named with its zip
        else:
            members, where = [(up.filename, data)], ""
        for member, content in members:
            if where and content[:4] in ZIP_MAGIC and member.lower().endswith(".zip"):   # (an .xlsx is a zip too)
                skip(where + member, NESTED_ZIP)
                continue
            try:
                # (a PDF: the photos a scanner app or a copier saved; a class's stack may be large)
                pages = photos_of(member, content, max_bytes=limits["pdf"])
            except GraderError as exc:
                skip(where + member, exc)
                continue
            for name, page in pages:
                try:
                    check_photo(page, max_bytes=limits["photo"])
                except GraderError as exc:
                    skip(where + name, exc)
                    continue
                photos.append((name, page))
                # one place per zip and folder in it (two zips may share a name, "WhatsApp Chat.zip": the upload's
                # index, before the first colon, keeps them apart), one per folder of loose files
                # (batch_storing.place_kept: what the batch keeps of it)
                folder = PurePosixPath(name).parent
                places.append(f"{n}:{where}{folder}" if where else f":{folder}")
    return photos, skipped, places


def _one_of_each(photos: list[tuple[str, bytes]], places: list[str], digests: list[str]
                 ) -> tuple[list, list, list[str], list[dict]]:
    """The photos, their places and digests with a byte-identical copy of an earlier one left out, and a skipped
    entry for each copy. A chat
    export often holds a photo twice (forwarded again, ``IMG-…-WA0006 (1).jpg``): graded twice, one page became two
    sheets, and a page whose trainee number was read unsure was then joined to none of the trainee's pages."""
    kept, kept_places, kept_digests, twice = [], [], [], []
    for photo, place, digest, copy in zip(photos, places, digests, earlier_copies(digests)):
        if copy is not None:
            first = photos[copy][0]
            twice.append(skipped_entry(photo[0], (
                "same_photo", f"Foto ini sama persis dengan {first} dalam unggahan ini; dinilai sekali saja.",
                f"This photo is the same as {first} in this upload; it is graded once.")))
            continue
        kept.append(photo)
        kept_places.append(place)
        kept_digests.append(digest)
    return kept, kept_places, kept_digests, twice


@bp.post("/latihan/<code>/batch")
def batch_new(code: str):
    key = get_key(code)
    db = get_db()
    client_token = request.form.get("client_token") or None
    mine = _form_batch(client_token, key.exercise) if client_token else None
    if mine is not None and (mine["client_token"] or "").startswith(STORING):
        # a double click, or another form (the page opened again) storing into this batch right now: that request
        # stores it; storing beside it could store the same missing photos twice
        return redirect(url_for("trainer.batch", token=mine["token"]))
    photos, skipped, places = _collect(request.files.getlist("photos"))
    digests = [hashlib.sha256(data).hexdigest() for _, data in photos]     # (each photo hashed once)
    # A batch's form sent again after a failure (a crash, a full disk or an error cut its sending short, or its answer
    # was lost on the way), however late and whatever it holds now (the photos that were missing added, a wrong one
    # left out, the folder chosen again in another order), is that batch; so is a new form (the page opened again)
    # holding photos of a batch cut short. What the batch holds is not stored twice, but grouped with the rest as if
    # everything were sent at once; the batch's merge step then pairs its pages across the sendings.
    earlier = mine or (_cut_short_holding(key.exercise, digests) if client_token else None)
    held_by = held_by_batch(db, earlier["id"], digests) if earlier else [False] * len(digests)
    sent = [None if held else ALREADY_SENT if recent else None
            for held, recent in zip(held_by, recently_sent(db, key.exercise, digests))]
    skipped += [skipped_entry(name, why) for (name, _data), why in zip(photos, sent) if why]
    kept = [i for i, why in enumerate(sent) if not why]
    photos, places, digests = [photos[i] for i in kept], [places[i] for i in kept], [digests[i] for i in kept]
    held = frozenset(d for d, i in zip(digests, kept) if held_by[i])
    photos, places, digests, twice = _one_of_each(photos, places, digests)
    skipped += twice
    new = [name for (name, _data), digest in zip(photos, digests) if digest not in held]
    if not new and held:
        # every photo is in the batch already: that batch, as for a double submit (and whole now, if it was cut short)
        _claim(earlier["id"], client_token, was=None, done=True)
        return redirect(url_for("trainer.batch", token=earlier["token"]))
    if not new:
        flash(_("Tidak ada foto yang bisa dinilai dalam unggahan ini."), "error")
        for s in skipped:
            flash(f"{s['file']}: {pick(s)}", "error")
        return redirect(url_for("trainer.exercise", code=key.exercise), code=303)
    if earlier:
        batch_id, token = earlier["id"], earlier["token"]
        if not _claim(batch_id, client_token, was=earlier["client_token"]):   # another request is storing into it
            dup = _sent_before(client_token)
            return redirect(url_for("trainer.batch", token=dup["token"] if dup else token))
    else:
        token = secrets.token_urlsafe(12)
        try:
            # (marked as storing until every photo is stored: see _sent_before)
            batch_id = db.execute("INSERT INTO batches(token, client_token, form_token, exercise, created_by, "
                                  "skipped, created_at) VALUES (?,?,?,?,?,?,?)",
                                  (token, client_token and STORING + client_token, client_token, key.exercise,
                                   current_trainer(), json.dumps(skipped, ensure_ascii=False), now_iso())).lastrowid
        except Exception:  # noqa: BLE001 - a concurrent double submit inserted the same client token first
            dup = _sent_before(client_token) if client_token else None
            if dup:
                return redirect(url_for("trainer.batch", token=dup["token"]))
            raise
    try:
        _store_into(batch_id, earlier, key.exercise, client_token, photos=photos, places=places, digests=digests,
                    held=held, skipped=skipped, new=new)
    except StorageError:
        raise                               # (what it left is said and done: _store_into)
    except Exception:
        # An unexpected error once the batch was marked as being stored (after its photos were, too): it must not stay
        # so until the next start, which the form sent again would take for a batch stored whole
        log.exception("batch %s: an error after its storing began", batch_id)
        _give_up(batch_id, client_token, keep=earlier is not None)
        raise
    return redirect(url_for("trainer.batch", token=token))


def _store_into(batch_id: int, earlier, exercise: str, client_token: str | None, *, photos: list[tuple[str, bytes]],
                places: list[str], digests: list[str], held: frozenset[str], skipped: list[dict],
                new: list[str]) -> None:
    """Store a sending's photos (:func:`store_batch`) into the batch it marked as being stored, then mark it stored
    whole, or cut short with the photos left out listed with what it ``skipped``. ``earlier``: the batch's row, when
    an earlier sending made it; ``new``: the names of the photos it does not hold."""
    db = get_db()
    listed = json.loads(earlier["skipped"]) if earlier else []
    try:
        store_batch(db, Path(current_app.config["DATA_DIR"]), batch_id=batch_id, exercise=exercise,
                    photos=photos, places=places, digests=digests, held=held)
    except StorageError as exc:
        if not exc.stored:
            if earlier:
                _claim(batch_id, client_token, release=True)        # still cut short: sending again stores the rest
            else:
                db.execute("DELETE FROM batches WHERE id=?", (batch_id,))
            raise
        # The photos left out are listed on the batch page until they are stored, and the batch gives up its client
        # token, so sending them again (from the same form, or a new one: _cut_short_holding) stores them into it.
        left = [skipped_entry(name, LEFT_OUT.get(exc.code, STORE_FAILED), sha256=digest)
                for name, digest in exc.left_out]
        db.execute("UPDATE batches SET client_token=NULL WHERE id=?", (batch_id,))
        _list_skipped(batch_id, listed, skipped + left, set(new) - {name for name, _ in exc.left_out})
        if exc.code == NOT_STORED[0]:
            flash(_("Penyimpanan server penuh: {n} dari {total} lembar tersimpan; kirim lagi foto yang dilewati.",
                    n=exc.stored, total=exc.total), "error")
        else:                               # an unexpected error, logged where it happened (batch_storing.store_batch)
            flash(_("Server gagal menyimpan: {n} dari {total} lembar tersimpan; kirim lagi formulir yang sama.",
                    n=exc.stored, total=exc.total), "error")
        return
    db.execute("UPDATE batches SET client_token=? WHERE id=?", (client_token, batch_id))
    if earlier:
        _list_skipped(batch_id, listed, skipped, set(new))
        flash(_("Foto yang belum tersimpan sebelumnya kini tersimpan di unggahan ini: {n} foto.", n=len(new)), "ok")


def _give_up(batch_id: int, client_token: str | None, *, keep: bool) -> None:
    """After an unexpected error, a batch this request marked as being stored is cut short (sending the form again
    stores what is missing), or, when it is new and holds nothing, not kept. Best effort: logged if even that fails
    (the next start clears the mark)."""
    db = get_db()
    try:
        if client_token:
            _claim(batch_id, client_token, release=True)
        if not keep:
            db.execute("DELETE FROM batches WHERE id=? AND NOT EXISTS (SELECT 1 FROM submissions WHERE batch_id=?)",
                       (batch_id, batch_id))
    except Exception:  # noqa: BLE001 - the error that brought us here is what the sender is told of
        log.exception("batch %s could not be marked cut short; the next start does it", batch_id)


def _form_batch(form_token: str, exercise: str):
    """The batch this form made (``id``, ``token``, ``client_token``, ``skipped``), still listed: stored whole
    (``client_token`` is the form's token), being stored (:data:`STORING` and the token) or cut short (None)."""
    return get_db().execute("SELECT id, token, client_token, skipped FROM batches WHERE (form_token=? OR "
                            "client_token IN (?, ?)) AND exercise=? AND removed_at IS NULL ORDER BY id DESC LIMIT 1",
                            (form_token, form_token, STORING + form_token, exercise)).fetchone()


def _cut_short_holding(exercise: str, digests: list[str]):
    """The latest batch of this exercise cut short (by a crash, a full disk or an error) that holds one of these
    photos or lists one as left out: the class sent again from a new form (the page opened again after the
    failure) completes it, as its own form would. Only this trainer's, of the last :data:`COMPLETE_WITHIN_S`: a
    class sent again weeks later, or by another trainer, is a new batch."""
    db, chosen = get_db(), set(digests)
    for row in db.execute("SELECT id, token, client_token, skipped FROM batches WHERE exercise=? AND client_token IS "
                          "NULL AND form_token IS NOT NULL AND removed_at IS NULL AND created_by IS ? AND "
                          "created_at >= ? ORDER BY id DESC", (exercise, current_trainer(), ago_iso(COMPLETE_WITHIN_S))).fetchall():
        left_out = {s.get("sha256") for s in json.loads(row["skipped"])}
        if chosen & left_out or any(held_by_batch(db, row["id"], digests)):
            return row
    return None


def _claim(batch_id: int, form_token: str, *, was: str | None = None, done: bool = False,
           release: bool = False) -> bool:
    """Mark a batch as being stored into by this request (see :func:`_sent_before`), if its client token is still
    ``was`` (None: cut short; the form's token: stored whole): False when another request has it. ``done``: as
    stored whole, at once; ``release``: back to cut short."""
    if was is not None and was.startswith(STORING):
        return False                        # another request is storing into it (its own form, or a page reopened)
    db = get_db()
    if release:
        db.execute("UPDATE batches SET client_token=NULL WHERE id=? AND client_token=?",
                   (batch_id, STORING + form_token))
        return True
    try:
        return db.execute("UPDATE batches SET client_token=? WHERE id=? AND client_token IS ? RETURNING id",
                          (form_token if done else STORING + form_token, batch_id, was)).fetchone() is not None
    except sqlite3.IntegrityError:          # another batch holds this form's token (made before this one)
        return False


def _list_skipped(batch_id: int, listed: list[dict], skipped: list[dict], stored: set[str]) -> None:
    """A batch's list of files left out, once a sending stored ``stored`` (file names) into it: what it ``listed``,
    less the photos a full disk or an error left out that are stored now, and what this sending left out
    (``skipped``), each once. Not on a batch retired with its exercise meanwhile (its list was emptied: the names may
    be trainees')."""
    keep = [s for s in listed if not (s["code"] in LEFT_OUT and s["file"] in stored)]
    seen = {(s["file"], s["code"]) for s in keep}
    now = keep + [s for s in skipped if (s["file"], s["code"]) not in seen]
    get_db().execute("UPDATE batches SET skipped=? WHERE id=? AND removed_at IS NULL",
                     (json.dumps(now, ensure_ascii=False), batch_id))


@bp.get("/kiriman/<form_token>.json")
def batch_arrived(form_token: str):
    """Whether a batch form's sending arrived (its answer lost on the way): the batch, stored whole or still being
    stored, so the page opens it instead of sending every file again (the server would lead that sending to this
    same batch: :func:`_sent_before`). A batch cut short is not: sending again stores the rest into it."""
    row = _sent_before(form_token[:100])
    if row is None:
        return jsonify({"url": None}), 404
    return jsonify({"url": url_for("trainer.batch", token=row["token"])})


def _sent_before(client_token: str):
    """The batch this form was already sent as: stored, or being stored by another request (a double click)."""
    return get_db().execute("SELECT token FROM batches WHERE client_token IN (?, ?)",
                            (client_token, STORING + client_token)).fetchone()


def batch_progress(batch_id: int) -> dict:
    rows = get_db().execute("SELECT state, SUM(result_status='refused') AS refused, COUNT(*) AS n FROM submissions "
                            "WHERE batch_id=? GROUP BY state", (batch_id,)).fetchall()
    counts = {r["state"]: r["n"] for r in rows}
    refused = sum(r["refused"] or 0 for r in rows if r["state"] == "done")
    total = sum(n for s, n in counts.items() if s not in ("merged", REMOVED))
    finished = counts.get("done", 0) + counts.get("failed", 0)
    return {"total": total, "done": counts.get("done", 0), "failed": counts.get("failed", 0), "refused": refused,
            "pending": counts.get("queued", 0) + counts.get("running", 0), "finished": finished,
            "percent": round(100 * finished / total) if total else 100, "complete": finished == total}


def item_status(r) -> dict:
    """A batch row's badge class, label and reason: a sheet whose photos were refused (all or some) says so and
    why, so the trainer sees who must retake without opening every sheet."""
    en = get_lang() == "en"
    if r["state"] == "failed":
        return {"badge": "failed", "label": status_label("failed"), "reason": r["error_en"] if en else r["error_id"]}
    if r["state"] == "done" and r["result_status"] in ("refused", "partial"):
        result = json.loads(r["result"]) if r["result"] else {}
        reasons = refusal_messages(result, lang="en" if en else "id")
        missing = unread_pages(result).missing
        if missing:
            reasons.append(_("Halaman {pages} belum dikirim.", pages=", ".join(map(str, missing))))
        return {"badge": r["result_status"], "label": status_label(r["result_status"]), "reason": " ".join(reasons)}
    return {"badge": r["state"], "label": status_label(r["state"]), "reason": ""}


def _batch(token: str):
    row = get_db().execute("SELECT * FROM batches WHERE token=?", (token,)).fetchone()
    if row is None:
        abort(404)
    if row["removed_at"]:                 # its exercise was removed, with its sheets
        abort(410, _("Unggahan ini sudah dihapus bersama latihannya."))
    return row


def _items(batch_id: int) -> list:
    return get_db().execute(
        "SELECT s.id, s.token, s.updated_at, s.state, s.group_key, s.trainee, s.trainee_name, s.score, s.result_status, s.error_id, "
        "s.error_en, s.n_wrong, s.n_review, s.n_blank, "
        # (the full result only where the row must say why: a poll of a big batch stays cheap)
        "CASE WHEN s.result_status IN ('refused', 'partial') THEN s.result END AS result, "
        "(SELECT GROUP_CONCAT(filename, ', ') FROM uploads u WHERE u.submission_id=s.id) AS files "
        "FROM submissions s WHERE s.batch_id=? AND s.state NOT IN ('merged', ?) ORDER BY s.id",
        (batch_id, REMOVED)).fetchall()


@bp.get("/batch/<token>")
def batch(token: str):
    row = _batch(token)
    rows = _items(row["id"])
    items = [{**dict(r), "status": item_status(r), "ident_url": ident_url(r)} for r in rows]
    return render_template("trainer/batch.html", batch=row, progress=batch_progress(row["id"]),
                           items=items, skipped=json.loads(row["skipped"]), movable=_movable(rows))


def _movable(rows) -> dict[str, int]:
    """``exercise -> sheets``: the batch's sheets refused as printed for another exercise that is here (a class's
    photos sent under the wrong exercise), so they can all be graded under it at once."""
    counts = Counter(code for r in rows if r["state"] == "done" for code in printed_for(r))
    return {code: n for code, n in sorted(counts.items()) if has_exercise(code)}


@bp.post("/batch/<token>/latihan")
def batch_move(token: str):
    """Grade every sheet of a batch that was printed for exercise ``code`` under it, instead of one page at a time."""
    row = _batch(token)
    code = normalise_code(request.form.get("code"))
    get_key(code or "-")                          # 404 if that exercise is not in this app
    db = get_db()
    moved = sum(regrade_under(db, r["id"], code) for r in _items(row["id"]) if code in printed_for(r))
    flash(_("{n} lembar dinilai ulang dengan latihan {code}.", n=moved, code=code), "ok")
    return redirect(url_for("trainer.batch", token=token), code=303)


@bp.get("/batch/<token>.json")
def batch_json(token: str):
    row = _batch(token)
    progress = batch_progress(row["id"])
    items = []
    for r in _items(row["id"]):
        st = item_status(r)
        items.append({"id": r["id"], "state": r["state"], "badge": st["badge"], "state_label": st["label"],
                      "error": st["reason"], "trainee": r["trainee"] or r["group_key"], "name": r["trainee_name"],
                      "score": r["score"], "status": r["result_status"], "ident_url": ident_url(r),
                      "url": url_for("trainer.submission", sid=r["id"])})
    return jsonify({**progress, "items": items})


@bp.errorhandler(GraderError)
def grader_error(exc: GraderError):
    flash(error_text(exc), "error")
    return redirect(request.referrer or url_for("trainer.index"))
