"""Taking in photos: check them up front, store them on disk and in the database before any processing.

A submission is one trainee's sheet (one photo per page). Its files go to
``<instance>/submissions/<token>/upload/`` and a row per file to ``uploads``;
only then is a grading job queued. Submitting the same form twice (same
client token, same details and photos) or the same photos again returns the first submission; the same form sent
again with its details or photos changed is a new submission, which replaces the first (:mod:`grader.web.resent`).
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
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from PIL import Image

from grader.errors import GraderError
from grader.photo.load import sniff_format
from grader.web.db import REMOVED, now_iso

log = logging.getLogger(__name__)

MAX_PIXELS = 80_000_000
SAFE_NAME_RE = re.compile(r"[^A-Za-z0-9._-]+")
CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")
DUPLICATE_WINDOW_S = 600
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


# One magic-byte sniffer for the whole app: the photo loader's.
sniff_image = sniff_format


def check_photo(data: bytes, *, max_bytes: int) -> str:
    """Refuse what is clearly not a usable photo before storing it; returns the format.

    Raises ``GraderError`` with code ``empty_file``, ``too_large`` or ``not_an_image``.
    The pipeline checks again when it decodes (truncated files, bombs in HEIC).
    Every caller has opened a PDF first (:func:`grader.photo.pdf_pages.photos_of`), so what is refused as
    ``not_an_image`` is neither a photo nor a PDF, and the message offers both.
    """
    if not data:
        raise GraderError("empty_file", "The file is empty. Choose a photo of the practice sheet.",
                          "Berkas kosong. Pilih foto lembar latihan.")
    if len(data) > max_bytes:
        raise GraderError("too_large", f"The photo is larger than {max_bytes // (1024 * 1024)} MB. Send an ordinary "
                          f"phone photo.",
                          f"Foto lebih besar dari {max_bytes // (1024 * 1024)} MB. Kirim foto ponsel biasa.")
    fmt = sniff_image(data)
    if fmt is None:
        raise GraderError("not_an_image", "This file is not a photo or a PDF. Send a photo of the practice sheet "
                          "(JPEG, PNG, WebP or HEIC) or a scanner app's PDF of it.",
                          "Berkas ini bukan foto atau PDF. Kirim foto lembar latihan (JPEG, PNG, WebP atau HEIC) "
                          "atau PDF-nya dari aplikasi pemindai.")
    if fmt in ("jpeg", "png", "webp"):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                import io

                w, h = Image.open(io.BytesIO(data)).size   # reads the header only
        except Image.DecompressionBombError:
            w, h = MAX_PIXELS, 2
        except Exception:  # noqa: BLE001 - a damaged file: the pipeline reports it precisely
            if fmt != "png" or len(data) < 24:
                return fmt
            w, h = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
        if w * h > MAX_PIXELS:
            raise GraderError("too_large", f"The image is {w}x{h} pixels: that is not a phone photo. Send an ordinary "
                              f"phone photo.",
                              "Ukuran gambar tidak wajar (terlalu banyak piksel). Kirim foto ponsel biasa.")
    return fmt


def safe_filename(name: str, fallback: str) -> str:
    """A file name safe to show and to put in a path (never a path itself)."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = SAFE_NAME_RE.sub("_", base).strip("._")[:80]
    return base or fallback


def display_name(name: str, fallback: str) -> str:
    """A photo's name as sent, with its folders in a zip (``kelas/Lestari/hal1.jpg``: a folder may name the
    trainee, as in ``grader grade``): shown (escaped) and read for identity and page numbers (``C.Hasil (2).jpg``
    as grouping read it), never used as a path; control characters and ``.``/``..`` parts are dropped."""
    parts = [CONTROL_RE.sub("", p).strip()[:80] for p in (name or "").replace("\\", "/").split("/")]
    return "/".join(p for p in parts if p and p not in (".", ".."))[-200:].lstrip("/") or fallback


@dataclass(frozen=True)
class NewSubmission:
    id: int
    token: str
    created: bool          # False: an earlier identical submission was returned instead


def content_hash(exercise: str | None, trainee: str | None, photo_digests: list[bytes],
                 retake_of: int | None = None, left_out: tuple[str, ...] = ()) -> str:
    """What makes two submissions the same sending, from the photos' sha256 digests. A retake or a completed sheet
    names the sheet it follows: the same photos as an older sheet are then a new, latest sheet, not that older one
    sent again. ``left_out`` names the files sent with them that were not graded (``"page:code"``,
    :attr:`NewSheet.left_out`): the same photo with a document for page 2 is told of that document."""
    head = f"{exercise or ''}|{(trainee or '').strip().lower()}" + (f"|after {retake_of}" if retake_of else "") + \
        (f"|left out {','.join(left_out)}" if left_out else "")
    h = hashlib.sha256(head.encode())
    for digest in photo_digests:
        h.update(digest)
    return h.hexdigest()


def sent_with_form(conn: sqlite3.Connection, client_token: str) -> sqlite3.Row | None:
    """The sheet (``id``, ``token``, ``content_hash``, ``typed_trainee``, ``state``, ``superseded_by``) the form
    with this token made last, unless removed: a form's token is recorded with what it sent, so a double submit, and
    a page whose answer was lost, find it."""
    return conn.execute("SELECT id, token, content_hash, typed_trainee, state, superseded_by FROM submissions "
                        "WHERE client_token=? AND state != ?", (client_token, REMOVED)).fetchone()


def same_name_typed(earlier: str | None, now: str | None) -> bool:
    """Whether two sendings carry the same name as typed (``submissions.typed_trainee``): exactly, case included.
    A name not known (None: a batch's sheet, a sheet stored before the column was added) is not told apart: such
    a sheet is the same sending by its digest alone, which ignores the name's case, as before."""
    return earlier is None or now is None or earlier == now


def find_duplicate(conn: sqlite3.Connection, *, client_token: str | None, digest: str,
                   batch_id: int | None = None, typed_trainee: str | None = None,
                   replaces: tuple[str, ...] = ()) -> sqlite3.Row | None:
    """An earlier submission this one repeats: what the same form sent, if it is the same sending (``digest``,
    :func:`content_hash`), or the same photos recently.

    The same form sent again with another name, code or photo (a sending that failed, corrected before it was sent
    again) is not the sheet it made first: that would be returned with the details the trainee has just corrected.
    It is a new sending, which takes the form's token over and replaces the first sheet (:func:`store_sheets`).
    A sheet a later sending replaced is not what the same photos sent again from another form are: those are a
    new sheet, not one the class no longer counts.

    The digest ignores the name's case (two forms' "budi" and "Budi" within minutes are one sending), so the name
    as typed (``typed_trainee``) is compared too (:func:`same_name_typed`): the same form sent again with only its
    case corrected, under its token or a new one naming it in ``replaces``, is a correction like any other. It is
    compared with the name the form typed (``submissions.typed_trainee``), never with the sheet's trainee column,
    which grading rewrites (the QR's trainee, the number read on the sheet): the form sent again as it was after
    grading is still its sheet (helper-69's review of aa0cf17)."""
    if client_token:
        row = sent_with_form(conn, client_token)
        if row and row["content_hash"] == digest and same_name_typed(row["typed_trainee"], typed_trainee):
            return row
    tokens = [t for t in (client_token, *replaces) if t]
    corrected = [r["id"] for r in conn.execute(     # (a NULL typed name, not known, is never "other": SQL's NULL)
        f"SELECT id FROM submissions WHERE client_token IN ({','.join('?' * len(tokens))}) AND typed_trainee != ?",
        (*tokens, typed_trainee))] if tokens and typed_trainee is not None else []
    return conn.execute(
        f"SELECT id, token FROM submissions WHERE content_hash=? AND state NOT IN ('failed', ?) AND batch_id IS ? "
        f"AND created_at >= ? AND superseded_by IS NULL AND id NOT IN ({','.join('?' * len(corrected))}) "
        f"ORDER BY id DESC LIMIT 1",
        (digest, REMOVED, batch_id, ago_iso(DUPLICATE_WINDOW_S), *corrected)).fetchone()


def submission_dir(data_dir: Path | str, token: str) -> Path:
    """A sheet's folder: its photos under ``upload/``, what grading drew under ``derived/``."""
    return Path(data_dir) / "submissions" / token


def ago_iso(seconds: int) -> str:
    """``seconds`` before now, as the database stores times (:func:`grader.web.db.now_iso`)."""
    from datetime import datetime, timedelta, timezone

    return (datetime.now(timezone.utc) - timedelta(seconds=seconds)).replace(microsecond=0).isoformat()


def store_submission(conn: sqlite3.Connection, data_dir: Path, *, files: list[tuple[str, bytes]], source: str,
                     exercise: str | None = None, trainee: str | None = None, trainee_name: str | None = None,
                     typed_trainee: str | None = None, client_token: str | None = None, batch_id: int | None = None,
                     group_key: str | None = None, retake_of: int | None = None, typed_code: str | None = None,
                     pairs_with: int | None = None, places: tuple[str, ...] = (), replaces: tuple[str, ...] = (),
                     left_out: tuple[dict, ...] = (), dedupe: bool = True,
                     then: Callable[[sqlite3.Connection, int], None] | None = None) -> NewSubmission:
    """Write ``files`` to disk, then record the submission and its uploads in one transaction.

    ``files`` are ``(original name, bytes)`` in page order. ``typed_trainee`` is the name exactly as typed on the
    upload form (``""`` for none; None when no name was typed: a batch). ``typed_code`` is the code typed for an
    upload held because no exercise has it (``exercise`` is then None). ``places`` are a batch's photos' places in
    it, one per file (:func:`grader.web.batch_storing.store_batch`). ``replaces`` are the tokens of earlier
    sendings of the same form that this one corrects (:mod:`grader.web.resent`). ``left_out`` are the files sent
    with ``files`` that are not graded (:attr:`NewSheet.left_out`). Returns the existing submission instead when
    this is a double submit. ``then(conn, new id)`` runs inside the same transaction: what the new sheet replaces
    (pages merged into it, corrections carried over) is recorded with it or not at all, so a crash between the two
    cannot leave a merge to be done twice or a correction behind.
    """
    sheet = NewSheet(files=files, source=source, exercise=exercise, trainee=trainee, trainee_name=trainee_name,
                     typed_trainee=typed_trainee, client_token=client_token, batch_id=batch_id, group_key=group_key,
                     retake_of=retake_of, typed_code=typed_code, pairs_with=pairs_with, places=places,
                     replaces=replaces, left_out=tuple(left_out))
    if dedupe:
        from grader.web.resent import completed_since

        dup = find_duplicate(conn, client_token=client_token, digest=sheet.digest, batch_id=batch_id,
                             typed_trainee=typed_trainee, replaces=replaces) or completed_since(conn, sheet)
        if dup:
            return NewSubmission(dup["id"], dup["token"], False)
    try:
        [new] = store_sheets(conn, data_dir, [sheet], then=(lambda c, ids: then(c, ids[0])) if then else None)
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

    def __post_init__(self) -> None:
        if self.places and len(self.places) != len(self.files):
            raise ValueError(f"{len(self.places)} places for {len(self.files)} photos")

    @functools.cached_property
    def photo_digests(self) -> list[bytes]:
        """Each photo's sha256, once: the content hash and the uploads' rows both use them."""
        return [hashlib.sha256(data).digest() for _, data in self.files]

    @functools.cached_property
    def digest(self) -> str:
        """:func:`content_hash` (of the code as typed, for an upload held for it: two codes are two sendings)."""
        return content_hash(self.exercise or self.typed_code, self.trainee, self.photo_digests, self.retake_of,
                            self.left_out_codes)

    @property
    def left_out_codes(self) -> tuple[str, ...]:
        """What was left out, as the content hash takes it: ``"page:code"``."""
        return tuple(f"{n['page']}:{n['code']}" for n in self.left_out)


def store_sheets(conn: sqlite3.Connection, data_dir: Path, sheets: list[NewSheet], *,
                 then: Callable[[sqlite3.Connection, list[int]], None] | None = None) -> list[NewSubmission]:
    """Write every sheet's photos to disk, then record all the sheets and ``then(conn, their ids)`` in one
    transaction (a split's two halves and the pair they replace: all or nothing). No double-submit check.

    A sheet sent with a form token that an earlier sheet holds (the form sent again with other details or photos:
    :func:`find_duplicate`) takes it over, so that the form's token leads to the latest sheet it made; the earlier
    sheet is kept, without it, and replaced by the new one, as are the sheets holding the tokens it ``replaces``
    (:func:`grader.web.resent.supersede`). A sheet whose sending a later one already replaced (its form token in
    that one's ``replaces``: it arrived after its correction; or a retake of a replaced sheet) is stored replaced
    by it (:func:`grader.web.resent.replaced_on_arrival`)."""
    written: list[tuple[str, list[tuple]]] = []
    try:
        for sheet in sheets:
            written.append(_write_photos(data_dir, sheet.files, sheet.photo_digests))
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
        conn.execute("BEGIN IMMEDIATE")
        ids = []
        for sheet, (token, stored) in zip(sheets, written):
            earlier = _sent_before(conn, sheet)
            if sheet.client_token:       # (the same sending, a double submit that raced this one, keeps it)
                conn.execute(f"UPDATE submissions SET client_token=NULL WHERE client_token=? AND {_OTHER_SENDING}",
                             (sheet.client_token, sheet.digest, sheet.typed_trainee))
            sid = conn.execute(
                "INSERT INTO submissions(token, client_token, content_hash, source, batch_id, group_key, exercise, "
                "trainee, trainee_name, typed_trainee, retake_of, typed_code, pairs_with, left_out, replaces, "
                "created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (token, sheet.client_token, sheet.digest, sheet.source, sheet.batch_id, sheet.group_key,
                 sheet.exercise, sheet.trainee or None, sheet.trainee_name or None, sheet.typed_trainee,
                 sheet.retake_of, sheet.typed_code, sheet.pairs_with,
                 json.dumps(list(sheet.left_out), ensure_ascii=False) if sheet.left_out else None,
                 " ".join(sheet.replaces) or None, now, now)).lastrowid
            conn.executemany("INSERT INTO uploads(submission_id, position, filename, path, sha256, size, place, "
                             "created_at) VALUES (?,?,?,?,?,?,?,?)",
                             [(sid, *s, place, now) for s, place in zip(stored, sheet.places or [None] * len(stored))])
            from grader.web.resent import replaced_on_arrival, supersede

            for earlier_id in earlier:
                supersede(conn, earlier_id, sid)
            if (later := replaced_on_arrival(conn, sheet)) is not None:
                supersede(conn, sid, later["id"])      # (a sending slower than its correction: never live)
            ids.append(sid)
        if then is not None:
            then(conn, ids)
        conn.execute("COMMIT")
    except BaseException as exc:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        _drop(data_dir, written)         # no photo on disk that no submission holds
        if isinstance(exc, sqlite3.OperationalError) and "full" in str(exc):
            log.error("could not record an upload: %s", exc)     # "database or disk is full"
            raise storage_error() from exc
        raise
    return [NewSubmission(sid, token, True) for sid, (token, _) in zip(ids, written)]


#: a sheet holding a form's token is another sending of that form than ``(digest, typed name)``: other details or
#: photos, or the name typed otherwise (its case: the digest ignores it). A typed name not known on either side
#: (NULL) is not "other" (SQL's NULL: :func:`same_name_typed`)
_OTHER_SENDING = "(content_hash != ? OR typed_trainee != ?)"


def _sent_before(conn: sqlite3.Connection, sheet: NewSheet) -> list[int]:
    """The sheets earlier sendings of ``sheet``'s form made, which it corrects and replaces: the one holding its
    form token with other details or photos, and those holding a token it ``replaces``."""
    tokens = ([sheet.client_token] if sheet.client_token else []) + list(sheet.replaces)
    if not tokens:
        return []
    marks = ",".join("?" * len(tokens))
    return [r["id"] for r in conn.execute(
        f"SELECT id FROM submissions WHERE client_token IN ({marks}) AND (client_token != ? OR {_OTHER_SENDING}) "
        f"AND superseded_by IS NULL AND state NOT IN ('merged', ?) ORDER BY id",
        (*tokens, sheet.client_token or "", sheet.digest, sheet.typed_trainee, REMOVED))]


def _write_photos(data_dir: Path, files: list[tuple[str, bytes]], digests: list[bytes]) -> tuple[str, list[tuple]]:
    """A new sheet folder holding ``files`` (whose sha256 ``digests`` are known), synced to the disk:
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
        _sync_folder(folder)
    except BaseException:
        shutil.rmtree(folder.parent, ignore_errors=True)     # no half-written photo that no sheet holds
        raise
    return token, stored


def _drop(data_dir: Path, written: list[tuple[str, list[tuple]]]) -> None:
    for token, _stored in written:
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


TRAINEE_PRIORITY, BATCH_PRIORITY = 0, 1


def release_held(conn: sqlite3.Connection, submission_id: int, exercise: str | None) -> bool:
    """Grade an upload held for its exercise code under ``exercise`` (None: the sheet's QR decides); False when it
    is no longer held (a second tap, or the other side released it first), or a later sending of its form, with the
    code corrected, replaced it (:mod:`grader.web.resent`: that one is graded, not this one a second time)."""
    claimed = conn.execute("UPDATE submissions SET state='queued', exercise=?, error_code=NULL, error_id=NULL, "
                           "error_en=NULL, updated_at=? WHERE id=? AND state='held' AND superseded_by IS NULL "
                           "RETURNING id",
                           (exercise, now_iso(), submission_id)).fetchone()
    if claimed:
        queue_grading(conn, submission_id)
    return claimed is not None


def queue_grading(conn: sqlite3.Connection, submission_id: int, *, priority: int = TRAINEE_PRIORITY,
                  runner=None, run_alone: bool = False) -> int:
    """Queue the ``grade`` job for a stored submission and link it.

    A trainee waiting at the result page goes before a trainer's batch (``BATCH_PRIORITY``). ``runner`` is the
    job runner when there is no app context (the merge step runs after a job, in the runner's thread).
    ``run_alone``: its photos killed a worker before (:meth:`grader.web.jobs.JobRunner.submit`).
    """
    from grader.web import jobs

    def link(job_id: int) -> None:
        conn.execute("UPDATE submissions SET job_id=? WHERE id=?", (job_id, submission_id))

    submit = runner.submit if runner is not None else jobs.submit
    return submit("grade", {"submission_id": submission_id}, priority=priority, on_queued=link, run_alone=run_alone)


class StorageError(GraderError):
    """The server could not write an upload (disk full, data folder not writable; for a batch, any error while
    storing it: :func:`grader.web.batch_storing.store_failed_error`): nothing of it was kept. ``stored`` of ``total`` sheets of a batch did
    get in; ``left_out`` names the photos that did not, each ``(name, sha256)``."""

    stored = total = 0
    left_out: list[tuple[str, str]] = []


def storage_error() -> StorageError:
    """What the sender is told (the cause, with the server's paths, goes to the log only)."""
    return StorageError("storage_full",
                        "The server could not store the photos (its storage is full or not writable), so they "
                        "were not kept. Tell your trainer, then send them again later.",
                        "Server tidak bisa menyimpan foto (penyimpanan penuh atau tidak bisa ditulisi), jadi foto "
                        "belum tersimpan. Beri tahu pelatih atau pengelola, lalu kirim lagi nanti.")
