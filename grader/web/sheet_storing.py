"""Storing a sheet: its photos written to the disk and synced, then its rows recorded in one transaction, before any
processing.

A submission is one trainee's sheet (one photo per page). Its files go to
``<instance>/submissions/<token>/upload/`` and a row per file to ``uploads``;
only then is a grading job queued (:mod:`grader.web.grading_queue`). Submitting the same form twice (same
client token, same details and photos) or the same photos again returns the first submission
(:mod:`grader.web.earlier_sendings`); the same form sent again with its details or photos changed is a new
submission, which replaces the first (:mod:`grader.web.resent`).
"""
from __future__ import annotations

import functools
import hashlib
import json
import logging
import os
import re
import secrets
import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from grader.errors import GraderError
from grader.web.corrections import carry_over_same_photos
from grader.web.db import database_busy, immediate, now_iso, storage_refused
# (the manifest's time, taken while the photos are still being written: a name of its own, as ``now_iso`` here
# stamps the row, which tests/test_web_crash.py watches to see every fsync come before it)
from grader.web.db import now_iso as written_at
from grader.web.earlier_sendings import OTHER_SENDING, content_hash, find_duplicate, held_already, sent_before
from grader.web.photo_checks import display_name, sniff_image
from grader.web.resent import completed_since, replaced_on_arrival, supersede

log = logging.getLogger(__name__)

SAFE_NAME_RE = re.compile(r"[^A-Za-z0-9._-]+")
# How long a page waits for the server's answer once all of a form is sent (static/app.js, data-answer-seconds): see
# answer_wait_s.
ANSWER_WAIT_BASE_S = 120
SLOW_STORAGE_BYTES_PER_S = 1024 * 1024


def answer_wait_s(max_request_bytes: int) -> int:
    """Seconds a page waits for the answer to a form of at most ``max_request_bytes``, once all of it is sent.

    Until then the uploader gives up after 45 s without progress (a link that dropped); after it, no progress comes
    while the server works, and the wait is for its worst case, which has no limit of its own: two minutes for a
    free request thread (a class sending at once) and for the start's recovery, which every request waits for;
    then a second for each MB the request may carry, a slow SD card's pace at reading the photos (a PDF's pages, a
    zip's members) and writing and syncing each. About 3 minutes for a trainee's sheet (51 MB), 9 for a trainer's
    batch (400 MB). Past that, the page says the photos most likely arrived: sending again under the same form
    token is safe and leads to them.
    """
    return ANSWER_WAIT_BASE_S + max_request_bytes // SLOW_STORAGE_BYTES_PER_S


def safe_filename(name: str, fallback: str) -> str:
    """A file name safe to show and to put in a path (never a path itself)."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = SAFE_NAME_RE.sub("_", base).strip("._")[:80]
    return base or fallback


@dataclass(frozen=True)
class NewSubmission:
    id: int
    token: str
    created: bool          # False: an earlier identical submission was returned instead
    # (not created) its photos are held by this sheet of the trainee's, which it was returned for
    # (:func:`~grader.web.earlier_sendings.held_already`), not sent twice at once
    held: bool = False


def submission_dir(data_dir: Path | str, token: str) -> Path:
    """A sheet's folder: its photos under ``upload/``, what grading drew under ``derived/``."""
    return submissions_root(data_dir) / token


def submissions_root(data_dir: Path | str) -> Path:
    """The folder of every sheet's folder."""
    return Path(data_dir) / "submissions"


def store_submission(conn: sqlite3.Connection, data_dir: Path, *, files: list[tuple[str, bytes]], source: str,
                     exercise: str | None = None, trainee: str | None = None, trainee_name: str | None = None,
                     typed_trainee: str | None = None, sender: str | None = None,
                     client_token: str | None = None, batch_id: int | None = None,
                     group_key: str | None = None, retake_of: int | None = None, typed_code: str | None = None,
                     pairs_with: int | None = None, places: tuple[str, ...] = (), replaces: tuple[str, ...] = (),
                     left_out: tuple[dict, ...] = (), sent_in: tuple[str | None, ...] = (), dedupe: bool = True,
                     then: Callable[[sqlite3.Connection, int], None] | None = None,
                     recoverable: bool = False, keep_if_busy: bool = False) -> NewSubmission:
    """Write ``files`` to disk, then record the submission and its uploads in one transaction.

    ``files`` are ``(original name, bytes)`` in page order. ``typed_trainee`` is the name exactly as typed on the
    upload form (``""`` for none; None when no name was typed: a batch), ``sender`` the trainee's browser that sent it
    (:attr:`NewSheet.sender`). ``typed_code`` is the code typed for an
    upload held because no exercise has it (``exercise`` is then None). ``places`` are a batch's photos' places in
    it, one per file (:func:`grader.web.batch_storing.store_batch`). ``replaces`` are the tokens of earlier
    sendings of the same form that this one corrects (:mod:`grader.web.resent`). ``left_out`` are the files sent
    with ``files`` that are not graded (:attr:`NewSheet.left_out`). ``sent_in`` are a trainee's photos' inputs,
    one per file (:attr:`NewSheet.sent_in`). Returns the existing submission instead when
    this is a double submit. ``then(conn, new id)`` runs inside the same transaction: what the new sheet replaces
    (pages merged into it, corrections carried over) is recorded with it or not at all, so a crash between the two
    cannot leave a merge to be done twice or a correction behind. ``recoverable``: a start can do ``then`` again from
    the sheet's record (:func:`store_sheets`). ``keep_if_busy``: :func:`store_sheets`'.
    """
    sheet = NewSheet(files=files, source=source, exercise=exercise, trainee=trainee, trainee_name=trainee_name,
                     typed_trainee=typed_trainee, sender=sender, client_token=client_token, batch_id=batch_id,
                     group_key=group_key,
                     retake_of=retake_of, typed_code=typed_code, pairs_with=pairs_with, places=places,
                     replaces=replaces, left_out=tuple(left_out), sent_in=tuple(sent_in))
    def sent_already(c: sqlite3.Connection) -> sqlite3.Row | None:
        return find_duplicate(c, client_token=client_token, digest=sheet.digest, batch_id=batch_id,
                              typed_trainee=typed_trainee, replaces=replaces) or completed_since(c, sheet) or \
            held_already(c, sheet)

    def earlier(dup: sqlite3.Row) -> NewSubmission:
        return NewSubmission(dup["id"], dup["token"], False, held="photos_held" in dup.keys())

    if dedupe and (dup := sent_already(conn)):
        return earlier(dup)
    try:
        # (looked for again where the sheet is recorded: the same photos from another form, sent while these were
        # being written, are one sheet, not two)
        [new] = store_sheets(conn, data_dir, [sheet], then=(lambda c, ids: then(c, ids[0])) if then else None,
                             unless=sent_already if dedupe else None, recoverable=recoverable,
                             keep_if_busy=keep_if_busy)
    except SentBefore as exc:
        return earlier(exc.sheet)
    except sqlite3.IntegrityError:
        dup = find_duplicate(conn, client_token=client_token, digest=sheet.digest, batch_id=batch_id,
                             typed_trainee=typed_trainee, replaces=replaces)
        if dup is None:
            raise
        return NewSubmission(dup["id"], dup["token"], False)
    return new


@dataclass(frozen=True)
class NewSheet:
    """One sheet to store: its photos ``(original name, bytes)`` in page order and its columns."""

    files: list[tuple[str, bytes]]
    source: str
    exercise: str | None = None
    trainee: str | None = None
    trainee_name: str | None = None
    typed_trainee: str | None = None     # the name exactly as typed on the upload form (submissions.typed_trainee)
    sender: str | None = None            # a trainee's browser (submissions.sender): with the name, who sent it
    client_token: str | None = None
    batch_id: int | None = None
    group_key: str | None = None
    retake_of: int | None = None
    typed_code: str | None = None        # held for it: no exercise has this code (``exercise`` is None)
    pairs_with: int | None = None        # a batch's single page stored before that file names pair this one with
    places: tuple[str, ...] = ()         # a batch's photos: each one's zip and folder (uploads.place); else none
    replaces: tuple[str, ...] = ()       # form tokens of earlier sendings this one corrects (grader.web.resent)
    # a trainee's files sent with these that are not graded: {"page" (the input's), "file", "code", "message_id",
    # "message_en"}, said on the sheet's pages (submissions.left_out; grader.web.trainee.upload)
    left_out: tuple[dict, ...] = ()
    # a trainee's photos: each one's input (uploads.sent_in, worded by grader.web.trainee.photos.sent_in_words;
    # None: not known)
    sent_in: tuple[str | None, ...] = ()

    def __post_init__(self) -> None:
        if self.places and len(self.places) != len(self.files):
            raise ValueError(f"{len(self.places)} places for {len(self.files)} photos")
        if self.sent_in and len(self.sent_in) != len(self.files):
            raise ValueError(f"{len(self.sent_in)} inputs for {len(self.files)} photos")

    @functools.cached_property
    def photo_digests(self) -> list[bytes]:
        """Each photo's sha256, once: the content hash and the uploads' rows both use them."""
        return [hashlib.sha256(data).digest() for _, data in self.files]

    @functools.cached_property
    def digest(self) -> str:
        """:func:`~grader.web.earlier_sendings.content_hash` (of the code as typed, for an upload held for it: two codes are two sendings)."""
        return content_hash(self.exercise or self.typed_code, self.trainee, self.photo_digests, self.retake_of,
                            self.left_out_codes)

    @property
    def left_out_codes(self) -> tuple[str, ...]:
        """What was left out, as the content hash takes it: ``"page:code"``."""
        return tuple(f"{n['page']}:{n['code']}" for n in self.left_out)


class SentBefore(Exception):
    """Raised by :func:`store_sheets` when its ``unless`` found the sheet already stored (nothing is kept)."""

    def __init__(self, sheet: sqlite3.Row):
        super().__init__(sheet["id"])
        self.sheet = sheet


def store_sheets(conn: sqlite3.Connection, data_dir: Path, sheets: list[NewSheet], *,
                 then: Callable[[sqlite3.Connection, list[int]], None] | None = None,
                 unless: Callable[[sqlite3.Connection], sqlite3.Row | None] | None = None,
                 recoverable: bool = False, keep_if_busy: bool = False) -> list[NewSubmission]:
    """Write every sheet's photos to disk, then record all the sheets and ``then(conn, their ids)`` in one
    transaction (a split's two halves and the pair they replace: all or nothing). No double-submit check but
    ``unless(conn)``, asked inside that transaction: a sheet it returns (another request stored the same sending
    while these photos were written) is raised as :class:`SentBefore`, and nothing is kept.

    A sheet sent with a form token that an earlier sheet holds (the form sent again with other details or photos:
    :func:`~grader.web.earlier_sendings.find_duplicate`) takes it over, so that the form's token leads to the latest sheet it made; the earlier
    sheet is kept, without it, and replaced by the new one, as are the sheets holding the tokens it ``replaces``
    (:func:`grader.web.resent.supersede`). A sheet whose sending a later one already replaced (its form token in
    that one's ``replaces``: it arrived after its correction; or a retake of a replaced sheet) is stored replaced
    by it (:func:`grader.web.resent.replaced_on_arrival`). A sheet holding a photo that another sheet of its
    exercise holds takes the corrections and disputes of that photo's fields
    (:func:`grader.web.corrections.carry_over_same_photos`).

    A single sheet's photos are followed by :data:`MANIFEST`, for a start to record it should a crash come before
    its row: a sheet stored with nothing ``then``, or one whose ``then`` the start can do again from that record
    alone (``recoverable``: a batch's merge marked due, a retake's corrections carried over with its photos);
    not a merge's or a split's, whose storing replaces other sheets. With ``keep_if_busy`` (a trainee's sending),
    such a sheet whose recording meets the database locked past its timeout keeps its photos and that record for
    :mod:`grader.web.unrecorded`'s sweep to record, and the error raised names its folder (:data:`KEPT_WHEN_BUSY`);
    else its photos are deleted, as on any error."""
    written: list[tuple[str, list[tuple]]] = []
    with_record = len(sheets) == 1 and (then is None or recoverable)
    try:
        for sheet in sheets:
            written.append(_write_photos(data_dir, sheet.files, sheet.photo_digests,
                                         _manifest(sheet) if with_record else None))
    except OSError as exc:
        # a full disk or a read-only data folder: say so, and leave no half-written photo behind
        log.error("could not store an upload under %s: %s", data_dir, exc)
        _drop(data_dir, written)
        raise storage_error() from exc
    except BaseException:
        _drop(data_dir, written)         # (an unexpected error: the caller says so; no photo left behind either)
        raise
    now = now_iso()
    try:
        with immediate(conn):
            if unless is not None and (earlier := unless(conn)) is not None:
                raise SentBefore(earlier)
            ids = record_sheets(conn, sheets, written, now)
            if then is not None:
                then(conn, ids)
            for sid in ids:     # (a photo already on a corrected sheet: what the trainer said of it holds here too)
                carry_over_same_photos(conn, sid)
    except BaseException as exc:
        if database_busy(exc) and with_record and keep_if_busy:
            # (the database locked past its timeout by another writer: the photos stay, with their record, for the
            # sweep of sendings left unrecorded to record and grade once the lock is gone; deleted, they were lost
            # while the page said only "server error"; rehearsal, helper-198)
            log.error("could not record an upload: the database is locked (%s); its photos are kept in %s for the "
                      "sweep of unrecorded sendings to record", exc, written[0][0])
            setattr(exc, KEPT_WHEN_BUSY, written[0][0])       # (said by the app's answer: grader.web.busy_said)
            raise
        _drop(data_dir, written, unless_held_in=conn)    # no photo on disk that no submission holds
        if storage_refused(exc):
            log.error("could not record an upload: %s", exc)     # "database or disk is full", read-only, ...
            raise storage_error() from exc
        raise
    return [NewSubmission(sid, token, True) for sid, (token, _) in zip(ids, written)]


def record_sheets(conn: sqlite3.Connection, sheets: list[NewSheet], written: list[tuple[str, list[tuple]]],
                  now: str) -> list[int]:
    """Insert each sheet and its uploads (already written to ``written``), superseding what each replaces; their ids.
    Inside the caller's write transaction (:func:`store_sheets`; at start, a sending a crash left unrecorded:
    :mod:`grader.web.unrecorded`)."""
    ids = []
    for sheet, (token, stored) in zip(sheets, written):
        earlier = sent_before(conn, sheet)
        if sheet.client_token:       # (the same sending, a double submit that raced this one, keeps it)
            conn.execute(f"UPDATE submissions SET client_token=NULL WHERE client_token=? AND {OTHER_SENDING}",
                         (sheet.client_token, sheet.digest, sheet.typed_trainee))
        sid = conn.execute(
            "INSERT INTO submissions(token, client_token, content_hash, source, batch_id, group_key, exercise, "
            "trainee, trainee_name, typed_trainee, sender, retake_of, typed_code, pairs_with, left_out, replaces, "
            "created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (token, sheet.client_token, sheet.digest, sheet.source, sheet.batch_id, sheet.group_key,
             sheet.exercise, sheet.trainee or None, sheet.trainee_name or None, sheet.typed_trainee, sheet.sender,
             sheet.retake_of, sheet.typed_code, sheet.pairs_with,
             json.dumps(list(sheet.left_out), ensure_ascii=False) if sheet.left_out else None,
             " ".join(sheet.replaces) or None, now, now)).lastrowid
        conn.executemany("INSERT INTO uploads(submission_id, position, filename, path, sha256, size, place, "
                         "sent_in, created_at) VALUES (?,?,?,?,?,?,?,?,?)",
                         [(sid, *s, place, sent_in, now) for s, place, sent_in in
                          zip(stored, sheet.places or [None] * len(stored), sheet.sent_in or [None] * len(stored))])
        for earlier_id in earlier:
            supersede(conn, earlier_id, sid)
        if (later := replaced_on_arrival(conn, sheet)) is not None:
            supersede(conn, sid, later["id"])      # (a sending slower than its correction: never live)
        ids.append(sid)
    return ids


#: beside a sending's photos, written after them: what it was sent with, so that a start can record it if a crash
#: came before its row was (:mod:`grader.web.unrecorded`): a trainee's sending or retake, a trainer's batch's sheet
MANIFEST = "sheet.json"
#: the columns of a sheet (:class:`NewSheet`) that :data:`MANIFEST` keeps
MANIFEST_COLUMNS = ("source", "exercise", "trainee", "trainee_name", "typed_trainee", "sender", "client_token",
                    "group_key", "typed_code", "replaces", "left_out", "sent_in", "batch_id", "retake_of",
                    "pairs_with", "places")


def _manifest(sheet: NewSheet) -> dict:
    """What :data:`MANIFEST` keeps of ``sheet``."""
    return {k: getattr(sheet, k) for k in MANIFEST_COLUMNS}


def _write_photos(data_dir: Path, files: list[tuple[str, bytes]], digests: list[bytes],
                  manifest: dict | None = None) -> tuple[str, list[tuple]]:
    """A new sheet folder holding ``files`` (whose sha256 ``digests`` are known), and then ``manifest`` (a sheet's
    columns, :func:`_manifest`) with each photo's name and digest as :data:`MANIFEST`, synced to the disk:
    ``(token, upload rows)``."""
    token = secrets.token_urlsafe(16)
    folder = submission_dir(data_dir, token) / "upload"
    stored = []
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for i, ((name, data), digest) in enumerate(zip(files, digests), start=1):
            fmt = sniff_image(data) or "bin"
            display = display_name(name, f"foto-{i}.{fmt}")
            path = folder / f"{i:02d}-{safe_filename(name, f'foto-{i}.{fmt}')}"
            with open(path, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())      # on the disk before the database says it is (a power cut in class)
            stored.append((i, display, str(path.relative_to(data_dir)), digest.hex(), len(data)))
        if manifest is not None:
            _write_manifest(folder.parent / MANIFEST, manifest, files, stored)
        _sync_folder(folder)
    except BaseException:
        shutil.rmtree(folder.parent, ignore_errors=True)     # no half-written photo that no sheet holds
        raise
    return token, stored


def _write_manifest(path: Path, columns: dict, files: list[tuple[str, bytes]], stored: list[tuple]) -> None:
    """:data:`MANIFEST`: ``columns``, when, and each photo as sent and as stored, synced (its name with the folder)."""
    photos = [{"name": name, "file": Path(rel).name, "display": display, "sha256": digest, "size": size}
              for (name, _), (_, display, rel, digest, size) in zip(files, stored)]
    with open(path, "w", encoding="utf-8") as fh:
        json.dump({"sent_at": written_at(), "sheet": columns, "photos": photos}, fh, ensure_ascii=False)
        fh.flush()
        os.fsync(fh.fileno())


def _drop(data_dir: Path, written: list[tuple[str, list[tuple]]], *,
          unless_held_in: sqlite3.Connection | None = None) -> None:
    """Delete the sheet folders ``written``; with ``unless_held_in``, not one a submission row holds by now: a start
    or another process's sweep for sendings a crash left unrecorded (:mod:`grader.web.unrecorded`) recorded it, this
    request having stalled for minutes (a laptop asleep mid-request), and its photos are that sheet's."""
    held: set[str] = set()
    if unless_held_in is not None and written:
        try:
            marks = ",".join("?" * len(written))
            held = {r[0] for r in unless_held_in.execute(f"SELECT token FROM submissions WHERE token IN ({marks})",
                                                         [token for token, _ in written])}
        except sqlite3.Error:
            pass                         # (the database refused even that: nothing can hold them)
    for token, _stored in written:
        if token not in held:
            shutil.rmtree(submission_dir(data_dir, token), ignore_errors=True)


def _sync_folder(folder: Path) -> None:
    """Make the photos' names in ``folder`` (and the folder's in its parent) durable, as their bytes are."""
    for d in (folder, folder.parent, folder.parent.parent):
        fd = os.open(d, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def read_stored(data_dir: Path | str, path: str, filename: str) -> bytes:
    """A stored photo's bytes; ``photo_missing`` when its file is gone (deleted by hand, or lost to a crash of
    the disk): grading it again cannot help, sending it again can."""
    try:
        return (Path(data_dir) / path).read_bytes()
    except FileNotFoundError:
        log.error("stored photo %s is missing", path)
        raise GraderError("photo_missing", f"The stored photo {filename} of this sheet is missing from the server's "
                          "disk. Send the photo again.",
                          f"Foto {filename} dari lembar ini tidak ada lagi di penyimpanan server. Kirim ulang "
                          "fotonya.") from None


class StorageError(GraderError):
    """The server could not write an upload (disk full, data folder not writable; for a batch, any error while
    storing it: :func:`grader.web.batch_storing.store_failed_error`): nothing of it was kept. ``stored`` of ``total`` sheets of a batch did
    get in; ``left_out`` names the photos that did not, each ``(name, sha256)``."""

    stored = total = 0
    left_out: list[tuple[str, str]] = []


def storage_trouble() -> GraderError:
    """What a request that met the database refused by its disk is told, when it sent no photos (a page, a
    correction): the cause goes to the log only."""
    return GraderError("storage_unavailable",
                       "The server's storage is full or not writable. Tell your trainer or the administrator, then "
                       "try again later.",
                       "Penyimpanan server penuh atau tidak bisa ditulisi. Beri tahu pelatih atau pengelola, lalu "
                       "coba lagi nanti.")


def storage_error() -> StorageError:
    """What the sender is told (the cause, with the server's paths, goes to the log only)."""
    return StorageError("storage_full",
                        "The server could not store the photos (its storage is full or not writable), so they "
                        "were not kept. Tell your trainer, then send them again later.",
                        "Server tidak bisa menyimpan foto (penyimpanan penuh atau tidak bisa ditulisi), jadi foto "
                        "belum tersimpan. Beri tahu pelatih atau pengelola, lalu kirim lagi nanti.")



#: the attribute naming the folder (a token) of a sending whose photos were kept though its recording met the
#: database locked (:func:`store_sheets`' ``keep_if_busy``), set on the error it raised
KEPT_WHEN_BUSY = "grader_kept_photos"


def busy_kept() -> GraderError:
    """What a trainee is told whose sending met the database locked past its timeout, its photos kept on the disk
    with their record (:data:`KEPT_WHEN_BUSY`): :mod:`grader.web.unrecorded`'s sweep records and grades them within
    minutes unless the form is sent again meanwhile (then that sending is the sheet, and this folder is set aside,
    not counted twice)."""
    return GraderError(
        "busy_kept",
        "The server is busy just now, so your sending is not recorded yet. Your photos did arrive and are kept on "
        "the server: it records and grades them by itself within a few minutes, and they then show on the sending "
        "page under \u201cSent from this device\u201d. Or send this form again in a minute to see the result at "
        "once; the photos are not graded twice.",
        "Server sedang sibuk, jadi kiriman Anda belum tercatat. Foto Anda sudah sampai dan disimpan di server: "
        "server mencatat dan menilainya sendiri dalam beberapa menit, lalu hasilnya muncul di halaman kirim foto, di "
        "bagian \u201cKiriman dari perangkat ini\u201d. Atau kirim lagi formulir ini satu menit lagi untuk langsung "
        "melihat hasilnya; foto tidak dinilai dua kali.")


def busy_not_kept() -> GraderError:
    """What a sender of photos is told whose sending met the database locked past its timeout, nothing kept."""
    return GraderError("busy_not_kept",
                       "The server is busy just now, so your photos were NOT saved. Send them again in a minute.",
                       "Server sedang sibuk, jadi foto Anda BELUM tersimpan. Kirim lagi satu menit lagi.")

def busy_unsaid() -> GraderError:
    """What a request that met the database locked past its timeout is told where no caller says what it kept (a
    page, a form without its own answer): the server is busy, nothing claimed of what it sent."""
    return GraderError("busy", "The server is busy just now. Try again in a minute; if you sent something, check "
                       "whether it shows before sending it again.",
                       "Server sedang sibuk. Coba lagi satu menit lagi; bila Anda mengirim sesuatu, periksa dulu "
                       "apakah sudah muncul sebelum mengirim lagi.")
