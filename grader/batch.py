"""Batch grading: many photos in (files, folders, zips), one result per trainee out.

Photos are read in worker processes (the heavy part), grouped by trainee and
exercise, and each group is graded as one sheet. A photo that fails never
stops the batch: it becomes a refused page in its trainee's row.
"""
from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import logging
import multiprocessing
import os
import re
import shutil
import sys
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path, PurePosixPath
from typing import Callable, Hashable, Iterable, Iterator, Sequence

import numpy as np

from grader.errors import GraderError
from grader.exercise.store import AnswerKey
from grader.file_names import (BARE_PAGE_RE, CHAT_STICKER_RE, PHOTO_SUFFIXES, member_path, named_pages,
                                page_said_plainly, shown_name, split_member, taken_order,
                                trainee_folders)
from grader.grading.shown import unread_pages
from grader.page_groups import PageEvidence, group_pages, normalise_id, number_evidence
from grader.photo.decoder_messages import decoder_messages_logged
from grader.photo.load import DEFAULT_MAX_BYTES
from grader.pipeline import (TRAINEE_FIELD, PhotoRead, grade_reads, identify_trainee, named_by_folder, read_photo,
                             sure_digits)

log = logging.getLogger(__name__)

#: A photo's limit, told by the file's size before it is read: the photo loader's own (helper-170: a 27 MB photo passed
#: a 30 MB check here, was read, and was refused by the loader's 25 MB in other words).
MAX_FILE_BYTES = DEFAULT_MAX_BYTES
#: A PDF or TIFF scan may be this large: a copier's scan of a whole class (about 60 pages) is one file, which the web's
#: batch form takes up to 20 photos' worth (``grader.web.trainer.batch_files.PDF_PHOTOS`` times its 25 MB photo limit).
#: Held to a photo's limit, a 40 MB class scan was refused as "larger than 30 MB ... or a PDF of fewer pages".
MAX_SCAN_BYTES = 20 * 25 * 1024 * 1024
SCAN_SUFFIXES = (".pdf", ".tif", ".tiff")
#: Left in every ``grader grade --out`` folder: a later batch over a folder holding it leaves it out, so the marked
#: pages and crops of an earlier run are never read (and graded) as trainees' photos.
OUTPUT_MARK = ".grader-feedback"
# A class's chat export may hold far more than a web upload's 400 files (stickers, voice notes, other media),
# and a photo in it may be as large as one given as a file.
ZIP_MAX_MEMBERS, ZIP_MAX_TOTAL_BYTES = 5000, 2 * 1024 ** 3


def iter_inputs(paths: Iterable[str | Path]) -> Iterator[tuple[str, bytes | GraderError]]:
    """``(name, bytes)`` for every photo under ``paths`` (files, folders, zips), or ``(name, error)`` for a photo
    that cannot be read (it becomes a refused page). Files that are not photos, a zip that cannot be read and the
    members the zip reader skips (unsafe paths, links, bombs...) are named in a warning instead: they are not
    sheets."""
    from grader.web.safezip import ZipLimits, read_zip

    limits = ZipLimits(max_members=ZIP_MAX_MEMBERS, max_total_bytes=ZIP_MAX_TOTAL_BYTES, max_member_bytes=MAX_FILE_BYTES,
                       max_scan_bytes=MAX_SCAN_BYTES)

    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            listed = files_under(p)      # (a broken link or a pipe named like a photo is said below: not_a_file)
            ours = {x.parent for x in listed if x.name == OUTPUT_MARK}
            for folder in sorted(ours):
                _say_left_out(str(folder), "feedback_folder", "feedback written by grader grade --out, not photos")
            files = [x for x in listed if ours.isdisjoint(x.parents)]
            wanted = [x for x in files if x.suffix.lower() in PHOTO_SUFFIXES | {".zip"}]
            _say_skipped([str(x) for x in files if x not in wanted])
            stickers = [x for x in wanted if CHAT_STICKER_RE.match(x.name)]    # (a chat export unzipped)
            _say_stickers([str(x) for x in stickers])
            wanted = [x for x in wanted if x not in stickers]
            yield from iter_inputs(wanted)
            continue
        if not p.is_file():
            _say_left_out(str(p), "not_a_file", "not a regular file or folder")
            continue
        if p.suffix.lower() not in PHOTO_SUFFIXES | {".zip"}:
            _say_skipped([str(p)])
            continue
        if p.suffix.lower() == ".zip":       # a class's chat export: its photos' limits apply to each of them
            if p.stat().st_size > ZIP_MAX_TOTAL_BYTES:
                _say_left_out(str(p), "bad_zip", f"larger than {ZIP_MAX_TOTAL_BYTES >> 30} GB; split it into smaller "
                                                 "zips")
                continue
            try:
                # keep_folders: "Lestari/hal1.jpg" names her
                contents = read_zip(p.read_bytes(), limits=limits, keep_folders=True)
            except GraderError as exc:
                _say_left_out(str(p), exc.code, exc.message)
                continue
            # (the files a chat export holds besides its photos, voice notes and its _chat.txt, are counted in one
            # line, as a folder's are: a line each buried the warnings that matter; and so are its stickers)
            listed = {"not_an_image": [], "chat_sticker": []}
            for s in contents.skipped:
                if s.code in listed:
                    listed[s.code].append(f"{p}:{s.name}")
                else:
                    _say_left_out(f"{p}:{s.name}", s.code, s.message_en)
            for name, content in contents.files:
                if Path(name).suffix.lower() in PHOTO_SUFFIXES:
                    for shown, photo in photos_in(f"{p}:{name}", content):
                        # A PDF of a chat export without a photo in it (the handout or the sheets the trainer shared,
                        # a document) is left out, said in a line, as the web's batch leaves it: no trainee sent it
                        # as a sheet, and as a refused row it counted among the sheets to retake (helper-150).
                        if isinstance(photo, GraderError) and photo.code in PDF_NOT_A_SHEET:
                            _say_left_out(shown, photo.code, photo.message)
                            continue
                        yield shown, photo
            _say_skipped(listed["not_an_image"] + [f"{p}:{n}" for n, _ in contents.files
                                                   if Path(n).suffix.lower() not in PHOTO_SUFFIXES])
            _say_stickers(listed["chat_sticker"])
            continue
        data = read_photo_file(p)
        if isinstance(data, GraderError):
            yield shown_name(str(p)), data
        elif p.parent == Path(".") and BARE_PAGE_RE.match(p.stem.strip()) and Path.cwd().name:
            # "hal1.jpg" typed inside Budi/ is Budi's page, as "Budi/hal1.jpg" typed from outside is: name it
            # "../Budi/hal1.jpg" (still a path to it, and no trainer folders in the trainee's report)
            yield from photos_in(str(Path("..") / Path.cwd().name / p), data)
        else:
            yield from photos_in(str(p), data)


#: The refusals of a PDF that holds no photo of a sheet: in a chat export, a document shared in the class's group.
PDF_NOT_A_SHEET = ("pdf_no_photo", "pdf_unreadable")


def files_under(folder: Path) -> list[Path]:
    """Every path under ``folder`` that is no folder, in the order their names say they were taken
    (:func:`~grader.file_names.taken_order`): files, and a broken link or a pipe (left out unsaid
    before, now named). A linked folder is followed (``kelas/Budi``, a link to a USB stick's folder, was left out
    unsaid), each folder once by where it leads, so a link back up (``a/atas -> ..``) ends."""
    found, seen = [], set()
    for top, dirs, names in os.walk(folder, followlinks=True):
        real = os.path.realpath(top)
        if real in seen:
            dirs[:] = []
            continue
        seen.add(real)
        found += [Path(top) / name for name in names]
    return sorted(found, key=taken_order)


def mark_output_folder(folder: Path) -> None:
    """Mark ``folder`` as a batch's feedback output (:data:`OUTPUT_MARK`)."""
    (folder / OUTPUT_MARK).write_text("Feedback written by `grader grade --out`: marked pages, crops and reports, not "
                                      "photos. A batch over this folder leaves it out.\n", encoding="utf-8")


def clear_earlier_feedback(folder: Path) -> int:
    """Remove what an earlier run wrote into the ``--out`` folder ``folder`` (its reports, and its sheets' marked
    pages, header pictures and crops, by the names :mod:`grader.grading.feedback_files` gives them), and say how many
    reports went: a sheet's folder kept the first run's page 2 beside a report saying page 2 was never sent, and a
    sheet of the first run only kept its report as if graded again. Only a marked folder's files are touched, only
    in a sheet's folder (one with its ``NAME-feedback.html`` beside it: not a folder of the trainer's own), and only
    those names; a folder left empty goes. Returns the number of reports removed."""
    if not (folder / OUTPUT_MARK).is_file():
        return 0
    reports = list(folder.glob("*-feedback.html"))
    sheets = {p.name.removesuffix("-feedback.html") for p in reports}
    for sub in [d for d in folder.iterdir() if d.name in sheets and d.is_dir() and not d.is_symlink()]:
        crops = sub / "crops"
        ours = [*(crops.glob("*.png") if crops.is_dir() else ()),
                *(p for p in sub.iterdir() if EARLIER_FEEDBACK_RE.fullmatch(p.name))]
        for p in ours:
            p.unlink()
        for d in (crops, sub):
            if d.is_dir() and not any(d.iterdir()):
                d.rmdir()
    for p in reports:
        p.unlink()
    if reports:
        log.warning("--out %s: replaced the feedback of an earlier run (%d report(s)) with this batch's", folder,
                    len(reports))
    return len(reports)


#: The files a sheet's feedback folder holds (feedback_files: page{n}.jpg, ident{n}.png, aligned{n}.jpg, and the
#: temporary name of a marked page being written)
EARLIER_FEEDBACK_RE = re.compile(r"(page\d+\.jpg|ident\d+\.png|aligned\d+\.jpg|tmp\w+\.tmp)")


def read_photo_file(path: Path) -> bytes | GraderError:
    """The bytes of a photo or a scanned PDF or TIFF, or a ``too_large`` refusal for a photo over
    :data:`MAX_FILE_BYTES` or a scan over :data:`MAX_SCAN_BYTES`, told by its size without reading it."""
    scan = path.suffix.lower() in SCAN_SUFFIXES
    if path.stat().st_size > (MAX_SCAN_BYTES if scan else MAX_FILE_BYTES):
        if scan:
            mb = MAX_SCAN_BYTES >> 20
            if path.suffix.lower() != ".pdf":
                # (a scanner's TIFF was told to be "a PDF of fewer pages"; an uncompressed one is made smaller by its
                # compression too)
                from grader.photo.tiff_pages import tiff_too_large
                return tiff_too_large(mb)
            return GraderError("too_large", f"The PDF is larger than {mb} MB. Scan the class in parts, a PDF each.",
                               f"PDF lebih besar dari {mb} MB. Pindai kelas dalam beberapa bagian, satu PDF per bagian.")
        mb = MAX_FILE_BYTES >> 20
        # (one limit said: "(at most 25 MB)", the web's photo limit, beside this one read as two)
        return GraderError("too_large", f"The file is larger than {mb} MB. Send an ordinary phone photo, "
                                        "or a PDF of fewer pages.",
                           f"Berkas lebih besar dari {mb} MB. Kirim foto ponsel biasa, atau PDF "
                           "dengan lebih sedikit halaman.")
    return path.read_bytes()


def earlier_copies(digests: Sequence[Hashable | None]) -> list[int | None]:
    """For each photo, the index of an earlier one with the same digest (the same bytes: a file named as well as
    its folder, one photo forwarded twice in a chat export), None for the first of its kind or no digest. The CLI
    and the web batch both grade each photo once."""
    first: dict[Hashable, int] = {}
    out: list[int | None] = []
    for i, digest in enumerate(digests):
        out.append(first.get(digest) if digest is not None else None)
        if digest is not None:
            first.setdefault(digest, i)
    return out


def one_of_each(items: list[tuple[str, bytes | GraderError]]) -> list[tuple[str, bytes | GraderError]]:
    """``items`` without the photos seen earlier in the batch, byte for byte: each copy is named in a warning."""
    # (not empty files: two trainees' unfinished downloads are not "the same photo", each is its own refused page)
    copies = earlier_copies([hashlib.sha256(d).digest() if isinstance(d, bytes) and d else None for _, d in items])
    said = [(name, items[copy][0]) for (name, _data), copy in zip(items, copies) if copy is not None]
    for name, first in said[:SAME_PHOTOS_NAMED]:
        _say_left_out(name, "same_photo", f"the same photo as {first}; graded once")
    if len(said) > SAME_PHOTOS_NAMED:
        # (a chat export beside the folder it was unzipped to: a line per photo buried the warnings that matter)
        log.warning("and %d more photo(s) the batch already holds byte for byte [same_photo], each graded once (a "
                    "zip given with the folder it was unzipped to?)", len(said) - SAME_PHOTOS_NAMED,
                    extra={"left_out": True})
    return [item for item, copy in zip(items, copies) if copy is None]


#: Copies of photos already in the batch named one by one; the rest are counted
SAME_PHOTOS_NAMED = 5


def photos_in(name: str, data: bytes) -> Iterator[tuple[str, bytes | GraderError]]:
    """The photo, or a PDF's page photos; a PDF that holds none is one refused page, named."""
    from grader.photo.pdf_pages import photos_of

    from grader.photo.tiff_pages import TiffPartlyRead

    name = shown_name(name)           # a name that is not UTF-8 would fail every CSV, JSON or HTML writer
    if not data:
        yield name, GraderError("empty_file", "The file is empty (0 bytes): a download or copy that did not finish. "
                                "Send the photo again.",
                                "Berkas kosong (0 byte): unduhan atau salinan yang belum selesai. Kirim ulang fotonya.")
        return
    try:
        yield from photos_of(name, data)
    except TiffPartlyRead as exc:     # a TIFF damaged after its first page: the pages before it, and that one refused
        yield from exc.pages
        yield exc.damaged_name, exc
    except GraderError as exc:
        yield name, exc


def _say_left_out(name: str, code: str, reason: str) -> None:
    """Name a file the batch could not safely open, with its reason code (a zip that is not one, a member with a
    ``../`` path): it is not a trainee's photo, so it is no sheet and no refused page."""
    log.warning("skipped %s [%s]: %s", name, code, reason, extra={"left_out": True})


def _say_skipped(names: list[str]) -> None:
    """Name the files a batch leaves out, so a trainer is not left wondering why a page is missing
    (hidden files such as ``.DS_Store`` are left out silently)."""
    names = [n for n in names if not member_path(n).name.startswith(".")]
    if not names:
        return
    nested = [n for n in names if n.lower().endswith(".zip") and ":" in n]
    other = [n for n in names if n not in nested]
    if nested:
        log.warning("not opened (a zip inside a zip; unzip it first): %s", ", ".join(nested))
    if other:
        # a generated or exported folder may hold many JSON/text files: count them by kind, name a few
        kinds = Counter(Path(n).suffix.lower() or "(no extension)" for n in other)
        shown = _a_few(other)
        log.warning("skipped %d file(s) that are not photos (%s) or zips [%s]: %s", len(other),
                    " ".join(sorted(PHOTO_SUFFIXES)), ", ".join(f"{k} {v}" for k, v in kinds.most_common()), shown)


def _say_stickers(names: list[str]) -> None:
    """Count a chat export's stickers left out, in one line (a folder's or a zip's alike)."""
    if names:
        log.warning("skipped %d chat sticker(s), not photos: %s", len(names), _a_few(names), extra={"left_out": True})


def _a_few(names: list[str]) -> str:
    """The first five of ``names``, and how many more."""
    return ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")


def slim(pr: PhotoRead, *, keep_page: bool) -> PhotoRead:
    """A read as the rest of the batch needs it, before it crosses a process boundary and waits for the others.

    A batch holds every read until all are done (pages pair across the whole batch), so each keeps only what
    grading needs: its readings, identity and layout. With ``keep_page`` (feedback files to write: the marked page
    and the fields' crops), also its page in the template frame, gray, and the photo's file, from which the colour
    page is warped again when it is drawn (:func:`release_pages` lets it go after). A read held its colour page,
    warped eagerly, and a class of 172 photos took 3 GB (helper-137); the photo's file is a tenth of that page.
    """
    if pr.aligned is not None:
        gray = pr.aligned.gray if keep_page else np.empty((0, 0), np.uint8)
        image = pr.aligned.image if keep_page and not pr.aligned.data else None    # (no file to warp it from again)
        aligned = dataclasses.replace(pr.aligned, gray=gray, photo_gray=np.empty((0, 0), np.uint8),
                                      data=pr.aligned.data if keep_page else b"")
        if image is not None:
            aligned.__dict__["image"] = image   # the cached BGR frame
        pr = dataclasses.replace(pr, aligned=aligned)
    return pr


def release_pages(reads: list[PhotoRead]) -> None:
    """Let go of the colour pages (and decoded photos) that drawing ``reads``' feedback warped and cached."""
    for pr in reads:
        if pr.aligned is not None:
            for cached in ("image", "photo"):
                pr.aligned.__dict__.pop(cached, None)


def _read_one(args: tuple) -> PhotoRead:
    name, data, hints, keep_page = args
    if isinstance(data, GraderError):
        return PhotoRead(file=name, refusal=data)
    try:
        with decoder_messages_logged(name):
            return slim(read_photo(data, filename=name, **hints), keep_page=keep_page)
    except Exception as exc:  # a bug must not lose the rest of the batch; say which photo
        log.exception("failed to read %s", name)
        return PhotoRead(file=name, refusal=GraderError("internal_error", f"internal error: {exc}",
                                                        "Terjadi kesalahan pada sistem saat membaca foto ini (bukan karena fotonya). Kirim foto ini lagi; bila masih "
                                                        "gagal, beri tahu pelatih."))


def read_all(items: list[tuple[str, bytes | GraderError]], *, key: AnswerKey | None, workers: int = 1,
             progress: Callable[[int, int], None] | None = None, keep_pages: bool = False) -> list[PhotoRead]:
    """Read every photo of ``items`` (``workers`` processes), in order; ``keep_pages`` for feedback files
    (:func:`slim`)."""
    hints = {"template": key.template, "exercise": key.exercise, "contest": key.contest,
             "pairs": key.pairs} if key else {}
    jobs = [(name, data, hints, keep_pages) for name, data in items]
    out: list[PhotoRead] = []
    if workers <= 1:
        for i, job in enumerate(jobs):
            out.append(_read_one(job))
            if progress:
                progress(i + 1, len(jobs))
        return out
    # spawn, not fork: forking a process that has OpenCV's thread pools running can kill the child.
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                               initializer=_leave_interrupts_to_parent)
    try:
        with _spawned_deaf_to_interrupts():     # (map spawns every worker as it hands out the photos)
            read = pool.map(_read_one, jobs, chunksize=1)
        for i, pr in enumerate(read):
            out.append(pr)
            if progress:
                progress(i + 1, len(jobs))
    except BaseException as exc:
        # Ctrl-C (or any failure here): drop the queued photos; the workers finish the few already handed to them
        # (seconds) and stop. Left to the executor, a shutdown would wait for every queued photo. The workers ignore
        # SIGINT: one killed by the terminal's Ctrl-C, or by us, breaks the pool, and on Python 3.11 its clean-up
        # then fails on the cancelled photos (CPython gh-107219) and can hang the exit for good.
        pool.shutdown(wait=False, cancel_futures=True)
        if isinstance(exc, KeyboardInterrupt):
            _deaf_to_further_interrupts()
        raise
    pool.shutdown()
    return out


@contextlib.contextmanager
def _spawned_deaf_to_interrupts() -> Iterator[None]:
    """SIGINT ignored while the workers are spawned: an ignored signal stays ignored across the spawn's exec, so each
    worker is deaf to it from its first instruction, where :func:`_leave_interrupts_to_parent` runs only once it has
    imported grader (seconds); a Ctrl-C in those seconds killed the workers, broke the pool and hung the exit for
    good (gh-107219). (A blocked signal would not do: the spawn resets the mask.) A Ctrl-C within this window, the
    milliseconds of spawning, is lost; off the main thread no handler can be set, and nothing changes."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    before = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, before)


def _deaf_to_further_interrupts() -> None:
    """Once a Ctrl-C stops a batch (the command is ending), SIGINT ignored: a second Ctrl-C (an impatient trainer's)
    interrupted the executor's clean-up at exit, which then hung for good; that clean-up takes the seconds the workers
    need to finish the photo in hand. Off the main thread no handler can be set."""
    import signal
    import threading

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.SIG_IGN)


def _leave_interrupts_to_parent() -> None:
    """A worker's initializer: Ctrl-C is the parent's to handle (:func:`read_all`)."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)


def page_evidence(pr: PhotoRead, file_key: tuple[str, str] | None) -> PageEvidence:
    """What one read says about whose sheet it is (see :mod:`grader.page_groups`); ``file_key`` is its folder and
    the stem its file name gives without the page number (:func:`grader.file_names.named_pages`), or its folder
    per trainee."""
    ev = PageEvidence(file_key=file_key)
    if pr.aligned is None:
        # a page the gate refused once its QR was read is that trainee's (their blurred page 1 beside their page 2
        # is one sheet with a page to retake, not a refused photo of nobody's: helper-150)
        ident = getattr(pr.refusal, "identity", None)
        qr = normalise_id(ident.trainee) if ident is not None else None
        return dataclasses.replace(ev, page=pr.page, exercise=ident.exercise, trainee=qr, by_qr=True) if qr else ev
    ident = pr.aligned.identity
    number = pr.readings.get(TRAINEE_FIELD)
    said = number_evidence(number.value, number.status, sure_digits(number)) if number is not None else {}
    qr = normalise_id(ident.trainee)                          # a QR's trainee first
    return dataclasses.replace(ev, page=pr.page, exercise=ident.exercise,
                               **({"trainee": qr, "by_qr": True} if qr else said))


def _place(file: str) -> tuple[str, str]:
    """(folder or zip, file name) of a batch photo: a zip by its path, then the folder inside it."""
    zip_path, member = split_member(file)
    if zip_path:
        return f"{Path(zip_path).resolve()}:{PurePosixPath(member).parent}", member
    return str(Path(member).resolve().parent), member


def group_reads(reads: list[PhotoRead], folders: list[str | None] | None = None, *,
                named: tuple[list, list[bool]] | None = None) -> list[list[PhotoRead]]:
    """One group per trainee's sheet, from the QR, the trainee number and the file names (:mod:`grader.page_groups`).

    Photos whose own names name nobody, in a folder per trainee (``kelas/Andi/foto.jpg``), are named by their
    folder (:func:`grader.file_names.trainee_folders`, as the web batch does): that folder's photos are one sheet by
    file name. ``folders`` are :func:`folder_names` of ``reads``, and ``named`` their :func:`file_keys`, when the
    caller has them."""
    keys, plain = named or file_keys(reads, folders)
    evidence = [dataclasses.replace(page_evidence(pr, k), named_page=p) for pr, k, p in zip(reads, keys, plain)]
    return [[reads[i] for i in group] for group in group_pages(evidence)]


def file_keys(reads: list[PhotoRead], folders: list[str | None] | None = None
              ) -> tuple[list[tuple[str, str] | None], list[bool]]:
    """Each read's sheet by its file name, ``(folder or zip, stem)`` (:func:`grader.file_names.named_pages`, or its
    folder per trainee: ``folders``, :func:`folder_names`), else None; and whether that name says its page plainly."""
    places = [_place(pr.file) for pr in reads]
    named = named_pages(places)
    keys = place_keys(places, folder_names(reads) if folders is None else folders, named=named)
    # (a folder per trainee names its photos' sheet as plainly as "budi_p1" does)
    plain = [bool(n and page_said_plainly(name)) or bool(k and not n) for n, (_, name), k in zip(named, places, keys)]
    return keys, plain


def place_keys(places: list[tuple[str, str]], folders: list[str | None], *,
               named: list[tuple[str, str, int] | None] | None = None) -> list[tuple[str, str] | None]:
    """Each photo's sheet by its file name, ``(folder or zip, stem)``, from its ``(folder or zip, file name)``
    (:func:`grader.file_names.named_pages`: ``named``, when the caller has them), or its folder per trainee
    (``folders``: :func:`grader.file_names.trainee_folders`), else None: :func:`file_keys`, and the web's batch for
    the photos it stored (:func:`grader.web.pages_elsewhere.name_pages_in_other_sheets`)."""
    named = named_pages(places) if named is None else named
    return [n[:2] if n else ((place, "") if folder else None) for n, (place, _), folder in zip(named, places, folders)]


def pages_in_other_sheets(results: list[dict], keys: dict[str, tuple[str, str] | None]) -> None:
    """Add ``other_trainee_pages`` to each sheet of ``results`` whose missing page another trainee's sheet holds by
    a photo its own file names gave it (``keys``: each photo's :func:`file_keys`, by its file): Eka's ``eka_p2.jpg``
    that shows Dewi's page 2, by its QR or the number written on it, is graded as Dewi's (the QR wins), and Eka's row
    said her page 2 was never sent, so a trainer hunted a photo that was there (rehearsal helper-182). The web's batch
    refuses such a page in Eka's sheet as ``other_trainee`` (:func:`grader.pipeline.other_trainee_error`); here it
    stays graded with its trainee's, and Eka's row names it: ``{"page", "file", "trainee", "trainee_name",
    "identity_source"}``."""
    for r in results:
        missing = set(unread_pages(r).missing)
        if not missing:
            continue
        mine = {keys.get(p.get("file")) for p in r.get("pages") or ()} - {None}
        found = [{"page": p["page"], "file": p["file"], "trainee": s["trainee"], "trainee_name": s.get("trainee_name"),
                  "identity_source": s["identity_source"]}
                 for s in results if s is not r and _named_by_the_sheet(s) and not _one_trainee(s, r)
                 for p in s.get("pages") or () if p.get("page") in missing and keys.get(p.get("file")) in mine
                 and _strays_from(r, s, keys[p["file"]], keys)]
        if found:
            r["other_trainee_pages"] = found


def _strays_from(r: dict, s: dict, key: tuple[str, str], keys: dict[str, tuple[str, str] | None]) -> bool:
    """Whether sheet ``s``'s photo of file name ``key`` strayed from sheet ``r``, which holds that name's other page:
    where ``s`` holds other photos (Dewi's own beside Eka's ``eka_p2``), or the name is ``r``'s trainee's and not
    ``s``'s. Two sheets of one name's photos alone (``eka_p1`` Eka's, ``eka_p2`` Dewi's) are otherwise either one's
    stray: each row would name the other's photo."""
    if any(keys.get(p.get("file")) != key for p in s.get("pages") or ()):
        return True
    return _name_of(key[1], r) and not _name_of(key[1], s)


def _name_of(stem: str, result: dict) -> bool:
    """Whether a file name's stem (``named_pages``', lower case) is a sheet's trainee's: their number, or words of the
    name the QR carries (``eka``, ``eka putri`` for "Eka Putri")."""
    words = re.findall(r"[^\W_]+", stem)
    name = re.findall(r"[^\W_]+", (result.get("trainee_name") or "").casefold())
    return bool(words) and (normalise_id(stem) == normalise_id(result.get("trainee")) or set(words) <= set(name))


def _named_by_the_sheet(result: dict) -> bool:
    """Whether a graded sheet's trainee is the one its pages name (their QR, or the number written on them), not one
    its photos' file names or folder give."""
    return bool(result.get("trainee")) and result.get("identity_source") in ("qr", "trainee_number")


def _one_trainee(a: dict, b: dict) -> bool:
    """Whether two graded sheets name one trainee (one trainee's two exercises, or a sheet kept apart by its names)."""
    return normalise_id(a.get("trainee")) == normalise_id(b.get("trainee"))


def folder_names(reads: list[PhotoRead]) -> list[str | None]:
    """The trainee's folder that names each photo (:func:`grader.file_names.trainee_folders`), else None: a zip's
    members are looked at within their zip, the loose files together."""
    return trainee_folders([(zip_path or "", member) for zip_path, member in (split_member(pr.file) for pr in reads)])


def grade_batch(paths: list[str], *, key: AnswerKey | None, workers: int = 1, out_dir: Path | None = None,
                progress: Callable[[int, int], None] | None = None, keep_aligned: bool = False) -> list[dict]:
    """Every sheet of ``paths`` graded, its feedback files in ``out_dir`` (with each clean aligned page too when
    ``keep_aligned``: a trainer's corrections redraw the marks on it, :func:`grader.corrections_file.apply_corrections`)."""
    items = one_of_each(list(iter_inputs(paths)))
    reads = read_all(items, key=key, workers=workers, progress=progress, keep_pages=out_dir is not None)
    del items                                      # (the photos' files: each read that needs its own keeps it)
    if out_dir is not None and reads:
        # (after the reading: a Ctrl-C during it, or a batch that finds no photo, keeps the earlier run's)
        clear_earlier_feedback(out_dir)
    results = []
    used: set[str] = set()
    folders = folder_names(reads)                  # (over the whole upload: a folder around it names nobody)
    folder_of = dict(zip((pr.file for pr in reads), folders))
    named = file_keys(reads, folders)              # (by file name: the groups, and the strays told after grading)
    keys = dict(zip((pr.file for pr in reads), named[0]))
    for group in group_reads(reads, folders, named=named):
        folder = {folder_of[pr.file] for pr in group}
        # (the folder per trainee names the sheet where its photos name nobody: after the QR and the number read,
        # in the identity order; the pipeline, seeing one sheet, cannot tell it from a folder around a class)
        by_folder = folder.pop() if len(folder) == 1 else None
        sub = None
        if out_dir is not None:
            who, name, _ = identify_trainee(group)   # the same identity grade_reads will report
            sub = out_dir / unique_name(output_label(who or by_folder, name, group[0].file), used)
        result = named_by_folder(grade_reads(group, key=key, out_dir=sub, keep_aligned=keep_aligned), by_folder)
        release_pages(group)
        if sub is not None and sub.is_dir():    # (its pages' and crops' paths are relative to it: say where it is)
            result["feedback_dir"] = str(sub)
        results.append(result)
    pages_in_other_sheets(results, keys)
    return results


def sheet_label(result: dict) -> str:
    """What to call a graded sheet's output files (see :func:`output_label`)."""
    files = [p["file"] for p in result.get("pages") or ()]
    return output_label(result.get("trainee"), result.get("trainee_name"), files[0] if files else None)


def output_label(trainee: str | None, name: str | None, first_file: str | None) -> str:
    """What to call a sheet's output files: its trainee, with the name the QR carried (a roster's numbers, ``7``,
    mean little to a trainer on their own), else its first photo's file name (a chat's ``IMG-…-WA0006`` names
    nobody, but it tells the trainer which photos these are)."""
    if trainee:
        return " ".join(filter(None, (trainee, name)))
    return member_path(first_file).stem if first_file else "unknown"


def unique_name(text: str, used: set[str]) -> str:
    """A file-safe name for one sheet's output, ``-2``, ``-3``... when another sheet of the batch has it (two
    chat exports' ``IMG-…-WA0001``, one trainee's two exercises), so no sheet's feedback overwrites another's."""
    base = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in text)[:60] or "unknown"
    name, n = base, 1
    while name.casefold() in used:
        n += 1
        name = f"{base}-{n}"
    used.add(name.casefold())
    return name


def progress_bar(stream=None) -> Callable[[int, int], None] | None:
    """A one-line progress bar when ``stream`` (default: stderr) is a terminal, else nothing."""
    stream = stream or sys.stderr
    if not stream.isatty():
        return None

    def show(done: int, total: int) -> None:
        # Never wider than the terminal: a line that wraps leaves one line per update, "\r" going back to the
        # last part only (rehearsal, s44: a phone's terminal of 40 columns filled with bars).
        text = f" {done}/{total} photos"
        width = min(30, shutil.get_terminal_size().columns - len(text) - 3)
        if width >= 5:
            filled = int(width * done / max(total, 1))
            text = f"[{'#' * filled}{'.' * (width - filled)}]{text}"
        stream.write(f"\r{text.strip()}")
        if done == total:
            stream.write("\n")
        stream.flush()
    return show


def default_workers() -> int:
    return max(1, min(4, os.cpu_count() or 1))
