"""What a trainer's batch upload holds: the photos of its loose files, zips and PDFs with where each came from, every
file left out with why, and a photo that is in it twice taken once."""
from __future__ import annotations

from pathlib import PurePosixPath

from flask import current_app

from grader.batch import earlier_copies
from grader.errors import GraderError
from grader.photo.pdf_pages import ZIP_MAGIC, photos_of
from grader.photo.tiff_pages import TiffPartlyRead
from grader.web import batch_max_files
from grader.web.photo_checks import check_photo
from grader.web.safezip import ZipLimits, read_zip
from grader.web.trainer import bp

#: A PDF in a batch (a copier's or a scanner app's stack of a class's sheets) may be this many photos' limit.
PDF_PHOTOS = 20
#: Room in a batch's request for all but its files: the other fields and each file's multipart headers.
BATCH_FORM_ROOM_BYTES = 1024 * 1024
#: How long a trainer's tab keeps the token of a batch sending left unanswered (static/app.js), counted from its last
#: sending: a reload soon after a lost answer completes that batch; one the next hour (the next class, in the same
#: tab) makes a new batch, not more of the last class's.
UNANSWERED_KEPT_S = 30 * 60


@bp.app_template_global()
def batch_limits() -> dict[str, int]:
    """What a batch takes, in bytes: ``photo``, one photo (a loose one or one in a zip); ``pdf``, one PDF;
    ``zip``, one zip, which only the request's limit bounds (its photos are each held to ``photo``); ``request``,
    all the files of one upload together (the app's limit on a batch, less :data:`BATCH_FORM_ROOM_BYTES`); and
    ``files``, how many files one upload may hold (:func:`grader.web.batch_max_files`).

    :func:`collect_photos` skips a photo or a PDF past its limit, and the app refuses a request past its own (413). The
    batch input carries them (``_result.html``'s ``batch_limits_of``), so that the browser refuses first.
    """
    photo = current_app.config["MAX_PHOTO_BYTES"]
    request_bytes = current_app.config["MAX_CONTENT_LENGTH"] - BATCH_FORM_ROOM_BYTES
    # A PDF past the upload's limit cannot arrive, loose or in a zip: its own limit is said no higher.
    return {"photo": photo, "pdf": min(photo * PDF_PHOTOS, request_bytes), "zip": request_bytes,
            "request": request_bytes,
            "files": batch_max_files(current_app.config)}


#: Why a zip found in a batch's zip is left out: (code, Indonesian, English).
NESTED_ZIP = ("nested_zip", "Zip di dalam zip tidak dibuka. Ekstrak dulu, lalu kirim isinya.",
              "A zip inside a zip is not opened. Extract it first, then send what it holds.")
#: A photo check's reasons said to a trainer, who skips the file, where its own words ask a trainee for a photo
#: of their sheet (:func:`grader.web.photo_checks.check_photo`): (code, Indonesian, English).
FOR_TRAINER = {reason[0]: reason for reason in (
    ("not_an_image", "Berkas ini bukan foto atau PDF. Dilewati: lembar dinilai dari foto (JPEG, PNG, WebP atau "
     "HEIC) atau hasil pindaian PDF atau TIFF.", "This file is not a photo or a PDF. Skipped: sheets are graded "
     "from photos (JPEG, PNG, WebP or HEIC) or scans (PDF or TIFF)."),
    ("empty_file", "Berkas ini kosong; dilewati.", "This file is empty; skipped."),
)}


def skipped_entry(name: str, reason, *, sha256: str | None = None) -> dict:
    """One line of a batch's list of files left out; ``reason`` is a GraderError or ``(code, id, en)``. A photo
    that a full disk or an error left out keeps its ``sha256``: sent again from a new form, it completes the batch."""
    if isinstance(reason, GraderError):
        reason = (reason.code, reason.message_id, reason.message)
    code, mid, men = reason
    return {"file": name, "code": code, "message_id": mid, "message_en": men, **({"sha256": sha256} if sha256 else {})}


def shown_as(place: str, name: str) -> str:
    """How a batch's list of files left out names a photo (:func:`collect_photos` gives its ``place`` and
    ``name``): ``kelas.zip: kelas/Sari/hal1.jpg`` for a zip's member, as a member the zip reader skipped is named;
    the name alone for a loose file."""
    upload, folder = place.partition(":")[2], str(PurePosixPath(name).parent)     # (the upload's index dropped)
    return (upload[:-len(folder)] if upload.endswith(folder) else "") + name


def collect_photos(uploads) -> tuple[list[tuple[str, bytes]], list[dict], list[str]]:
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
                # (a PDF or a TIFF in it is held to a scan's limit, as a loose one is: at a photo's, a zipped scanner
                # folder's class stack was skipped as "too large")
                held = ZipLimits(max_member_bytes=limits["photo"], max_scan_bytes=limits["pdf"])
                contents = read_zip(data, limits=held, keep_folders=True)
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
                pages = photos_of(member, content, max_bytes=limits["pdf"], max_photo_bytes=limits["photo"])
            except TiffPartlyRead as exc:    # a TIFF damaged after its first page: the pages before it are graded
                skip(where + member, exc)   # (the file the trainer has; its words say which page)
                pages = exc.pages
            except GraderError as exc:
                skip(where + member, exc)
                continue
            for name, page in pages:
                try:
                    check_photo(page, max_bytes=limits["photo"])
                except GraderError as exc:
                    skip(where + name, FOR_TRAINER.get(exc.code, exc))
                    continue
                photos.append((name, page))
                # one place per zip and folder in it (two zips may share a name, "WhatsApp Chat.zip": the upload's
                # index, before the first colon, keeps them apart), one per folder of loose files
                # (batch_storing.place_kept: what the batch keeps of it)
                folder = PurePosixPath(name).parent
                places.append(f"{n}:{where}{folder}" if where else f":{folder}")
    return photos, skipped, places


def drop_same_photos(photos: list[tuple[str, bytes]], places: list[str], digests: list[str]
                 ) -> tuple[list, list, list[str], list[dict]]:
    """The photos, their places and digests with a byte-identical copy of an earlier one left out, and a skipped
    entry for each copy. A chat
    export often holds a photo twice (forwarded again, ``IMG-…-WA0006 (1).jpg``): graded twice, one page became two
    sheets, and a page whose trainee number was read unsure was then joined to none of the trainee's pages."""
    kept, kept_places, kept_digests, twice = [], [], [], []
    for photo, place, digest, copy in zip(photos, places, digests, earlier_copies(digests)):
        if copy is not None:
            first = shown_as(places[copy], photos[copy][0])
            twice.append(skipped_entry(shown_as(place, photo[0]), (
                "same_photo", f"Foto ini sama persis dengan {first} dalam unggahan ini; dinilai sekali saja.",
                f"This photo is the same as {first} in this upload; it is graded once.")))
            continue
        kept.append(photo)
        kept_places.append(place)
        kept_digests.append(digest)
    return kept, kept_places, kept_digests, twice

