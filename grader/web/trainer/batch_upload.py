"""A trainer's batch upload (many photos or a zip), stored and queued for grading: a new batch, or, sent again after
a failure (from its form or a new one), the batch it made, completed with what it does not hold yet. And whether a
batch form's sending arrived."""
from __future__ import annotations

import hashlib
import json
import logging
import secrets
import sqlite3
from pathlib import Path

from flask import current_app, flash, jsonify, redirect, request, url_for

from grader.web.batch_storing import (already_stored, held_by_batch, one_sending_at_a_time, sheet_label,
                                     sheets_holding, store_batch)
from grader.web.db import STORING, ago_iso, get_db, now_iso
from grader.web.i18n import gettext as _
from grader.web.i18n import pick
from grader.web.i18n_en import EN
from grader.web.security import current_trainer
from grader.web.sheet_storing import StorageError
from grader.web.trainer import bp
from grader.web.trainer.batch_files import collect_photos, drop_same_photos, shown_as, skipped_entry
from grader.web.trainer.exercises import get_key

log = logging.getLogger(__name__)
#: A new form (the page opened again) completes a batch cut short this long ago at most, and only its trainer's.
COMPLETE_WITHIN_S = 24 * 3600

# Reasons a photo of a batch is left out after it was taken in: (code, Indonesian, English).
ALREADY_SENT = ("already_sent", "Foto ini sudah pernah dikirim untuk latihan ini dan sudah dinilai, jadi tidak dinilai "
                "dua kali.", "This photo was already sent for this exercise and graded, so it is not graded twice.")
#: ALREADY_SENT naming the sheet that holds the photo (``{sheet}``); English in i18n_en
ALREADY_SENT_ON = "Foto ini sudah pernah dikirim dan ada di lembar {sheet}; tidak dinilai dua kali."
NOT_STORED = ("storage_full", "Penyimpanan server penuh; foto ini belum tersimpan. Kosongkan ruang disk, lalu "
              "kirim lagi.", "The server's storage is full; this photo was not stored. Free disk space, then "
              "send it again.")
STORE_FAILED = ("store_failed", "Server mengalami kesalahan saat menyimpan; foto ini belum tersimpan. Kirim lagi "
                "foto yang sama.", "The server hit an error while storing; this photo was not stored. Send the "
                "same photos again.")
#: what a batch cut short lists for a photo left out: it is dropped from the list once a sending stores it
LEFT_OUT = {reason[0]: reason for reason in (NOT_STORED, STORE_FAILED)}


@bp.post("/latihan/<code>/batch")
def batch_new(code: str):
    key = get_key(code)
    # (two sendings of one exercise's photos from two forms at once would each look for the other's photos before
    # they are stored, and both store them: one stores at a time, and the next skips what it stored; the answer is
    # made once it is let go, so the next need not wait for it)
    with one_sending_at_a_time(key.exercise):
        location, status = _store_sending(key)
    return redirect(location, code=status)


def _store_sending(key) -> tuple[str, int]:
    """:func:`batch_new` for exercise ``key``, the only sending of its exercise being stored: where its answer leads,
    and with which status."""
    db = get_db()
    client_token = request.form.get("client_token") or None
    mine = _form_batch(client_token, key.exercise) if client_token else None
    if mine is not None and (mine["client_token"] or "").startswith(STORING):
        # a double click, or another form (the page opened again) storing into this batch right now: that request
        # stores it; storing beside it could store the same missing photos twice
        return url_for("trainer.batch", token=mine["token"]), 302
    photos, skipped, places = collect_photos(request.files.getlist("photos"))
    digests = [hashlib.sha256(data).hexdigest() for _, data in photos]     # (each photo hashed once)
    # A batch's form sent again after a failure (a crash, a full disk or an error cut its sending short, or its answer
    # was lost on the way), however late and whatever it holds now (the photos that were missing added, a wrong one
    # left out, the folder chosen again in another order), is that batch; so is a new form (the page opened again)
    # holding photos of a batch cut short. What the batch holds is not stored twice, but grouped with the rest as if
    # everything were sent at once; the batch's merge step then pairs its pages across the sendings.
    earlier = mine or (_cut_short_holding(key.exercise, digests) if client_token else None)
    held_by = held_by_batch(db, earlier["id"], digests) if earlier else [False] * len(digests)
    sent = [not held and before for held, before in zip(held_by, already_stored(db, key.exercise, digests))]
    holders = sheets_holding(db, key.exercise, [d for d, why in zip(digests, sent) if why])
    skipped += [already_sent_entry(shown_as(place, name), holders.get(digest), digest, key.exercise)
                for (name, _data), place, digest, why in zip(photos, places, digests, sent) if why]
    kept = [i for i, why in enumerate(sent) if not why]
    photos, places, digests = [photos[i] for i in kept], [places[i] for i in kept], [digests[i] for i in kept]
    held = frozenset(d for d, i in zip(digests, kept) if held_by[i])
    photos, places, digests, twice = drop_same_photos(photos, places, digests)
    skipped += twice
    new = [digest for digest in digests if digest not in held]
    if not new and held:
        # every photo is in the batch already: that batch, as for a double submit (and whole now, if it was cut short)
        _claim(earlier["id"], client_token, was=None, done=True)
        return url_for("trainer.batch", token=earlier["token"]), 302
    if not new:
        if skipped and all(s["code"] == ALREADY_SENT[0] for s in skipped):   # (each line says which sheet has it)
            flash(_("Semua foto dalam unggahan ini sudah pernah dikirim dan dinilai; tidak ada yang dinilai lagi."),
                  "error")
        else:
            flash(_("Tidak ada foto yang bisa dinilai dalam unggahan ini."), "error")
        for s in skipped:      # (why, file by file: said when the screen reader is free, after the one alert above)
            flash(f"{s['file']}: {pick(s)}", "warn")
        return url_for("trainer.exercise", code=key.exercise), 303
    if earlier:
        batch_id, token = earlier["id"], earlier["token"]
        if not _claim(batch_id, client_token, was=earlier["client_token"]):   # another request is storing into it
            dup = _sent_before(client_token)
            return url_for("trainer.batch", token=dup["token"] if dup else token), 302
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
                return url_for("trainer.batch", token=dup["token"]), 302
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
    return url_for("trainer.batch", token=token), 302


def _store_into(batch_id: int, earlier, exercise: str, client_token: str | None, *, photos: list[tuple[str, bytes]],
                places: list[str], digests: list[str], held: frozenset[str], skipped: list[dict],
                new: list[str]) -> None:
    """Store a sending's photos (:func:`store_batch`) into the batch it marked as being stored, then mark it stored
    whole, or cut short with the photos left out listed with what it ``skipped``. ``earlier``: the batch's row, when
    an earlier sending made it; ``new``: the digests of the photos it does not hold."""
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
        shown = {digest: shown_as(place, name) for (name, _data), place, digest in zip(photos, places, digests)}
        left = [skipped_entry(shown.get(digest, name), LEFT_OUT.get(exc.code, STORE_FAILED), sha256=digest)
                for name, digest in exc.left_out]
        db.execute("UPDATE batches SET client_token=NULL WHERE id=?", (batch_id,))
        _list_skipped(batch_id, listed, skipped + left, set(new) - {digest for _, digest in exc.left_out})
        if exc.code == NOT_STORED[0]:
            flash(_("Penyimpanan server penuh: {n} dari {total} lembar tersimpan; kirim lagi foto yang dilewati.",
                    n=exc.stored, total=exc.total), "error")
        else:                               # an unexpected error, logged where it happened (batch_storing.store_batch)
            flash(_("Server gagal menyimpan: {n} dari {total} lembar tersimpan; kirim lagi foto yang sama.",
                    n=exc.stored, total=exc.total), "error")
        return
    db.execute("UPDATE batches SET client_token=? WHERE id=?", (client_token, batch_id))
    if earlier:
        _list_skipped(batch_id, listed, skipped, set(new))
        flash(_("Foto yang belum tersimpan sebelumnya kini tersimpan di unggahan ini: {n} foto.", n=len(new)), "ok")


def already_sent_entry(name: str, holder, digest: str, exercise: str) -> dict:
    """The line of a batch's list of files left out for a photo a batch of the exercise stored before (by another
    form: the page opened again and the class chosen again, or the chat exported again), naming the sheet that
    holds it now (``holder``, a row of :func:`sheets_holding`; the batch page links it,
    :func:`grader.web.trainer.batch_status.skipped_lines`).
    ``same_as`` keeps the photo's digest, to find that sheet again once it is merged or replaced."""
    if holder is None:
        return {**skipped_entry(name, ALREADY_SENT), "same_as": digest}
    values = {"sheet": sheet_label(holder, exercise)}
    return {**skipped_entry(name, (ALREADY_SENT[0], ALREADY_SENT_ON.format(**values),
                                   EN[ALREADY_SENT_ON].format(**values))), "same_as": digest}


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
    """A batch's list of files left out, once a sending stored ``stored`` (the photos' digests) into it: what it
    ``listed``, less the photos a full disk or an error left out that are stored now (whatever the zip or folder
    they came in this time), and what this sending left out (``skipped``), each once. Not on a batch retired with
    its exercise meanwhile (its list was emptied: the names may be trainees')."""
    keep = [s for s in listed if not (s["code"] in LEFT_OUT and s.get("sha256") in stored)]
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

