"""The one pipeline every caller uses (CLI, web app, batch workers).

photo bytes → align (load, gate, locate, identify, warp) → read fields →
context policy → grade against the key and the rules → feedback files.
"""
from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from grader.errors import GraderError
from grader.exercise.store import AnswerKey, load_key_by_code
from grader.grading.feedback_files import redraw_feedback, write_feedback_files  # noqa: F401 - redraw_feedback:
#   part of the pipeline's contract with the web app (grader.web.grading calls pipeline.redraw_feedback)
from grader.grading.grade import grade_sheet, reader_view
from grader.grading.review_queue import on_unread_page
from grader.file_names import photo_name, trainee_from_filename
from grader.page_groups import normalise_id
from grader.photo.identify import code_read_as
from grader.read.context import undo_context
from grader.read.numbers import NOTE_BOX_OUT_OF_PLACE, NOTE_PAGE_OUT_OF_PLACE
from grader.read.sheet_reader import FieldReading, read_page_fields
from grader.sheet.layout import shared_layout
from grader.sheet.schema import resolve_template

log = logging.getLogger(__name__)

TRAINEE_FIELD = "H.TRAINEE"


@dataclass
class PhotoRead:
    """One photo after reading: its aligned page and field readings, or why it was refused."""

    file: str
    aligned: object | None = None          # grader.photo.align.AlignedPage
    readings: dict[str, FieldReading] = field(default_factory=dict)
    refusal: GraderError | None = None
    timings_ms: dict[str, float] = field(default_factory=dict)
    sheet_exercise: str | None = None      # the exercise printed on a page refused for being another exercise's
    refused_page: int | None = None        # the page a photo showed before it was refused as not belonging

    @property
    def page(self) -> int | None:
        return self.aligned.page.number if self.aligned is not None else self.refused_page


def classifier_for(engine: str = "cnn"):
    """The digit-box classifier: our CNN, or tesseract as the evaluation baseline."""
    if engine == "tesseract":
        from grader.recognize.tesseract_boxes import TesseractBoxClassifier
        return TesseractBoxClassifier()
    from grader.recognize.digit_classifier import default_classifier
    return default_classifier()


def read_photo(data: bytes, *, filename: str = "", template: str | None = None, exercise: str | None = None,
               contest: str | None = None, pairs: int | None = None, engine: str = "cnn") -> PhotoRead:
    """Align one photo and read every field on it; a refusal is returned, not raised."""
    from grader.photo.align import align_photo

    t0 = time.perf_counter()
    try:
        aligned = align_photo(data, filename=filename, template=template, exercise=exercise, contest=contest,
                              pairs=pairs)
    except GraderError as exc:
        return PhotoRead(file=filename, refusal=exc, timings_ms={"total": (time.perf_counter() - t0) * 1000})
    t1 = time.perf_counter()
    readings = read_page_fields(aligned.gray, aligned.page, px_per_mm=aligned.px_per_mm,
                                classifier=classifier_for(engine), blur_mm=aligned.quality.blur_mm or 0.0)
    t2 = time.perf_counter()
    timings = dict(aligned.timings_ms)
    timings.update({"read": (t2 - t1) * 1000, "total": (t2 - t0) * 1000})
    return PhotoRead(file=filename, aligned=aligned, readings=readings, timings_ms=timings)


# The bubble reader's note that a column's printed rings are not where the template puts them on the warped
# page. (The tally reader's "bent_grid" is not used: on 400 dev photos it fired on 8 grids that were all aligned
# within 0.2 mm, for strokes over the printed lines, where a retake would not help. Nor is its "faint_print": rings
# a pale photocopy faded away are no sign of a misplaced page, and a retake would not bring them back.)
PRINT_OUT_OF_PLACE_NOTES = frozenset({"misaligned"})
# The advice's code when the alignment of the whole page is off (the fields' note NOTE_PAGE_OUT_OF_PLACE).
PAGE_OUT_OF_PLACE_ADVICE = NOTE_PAGE_OUT_OF_PLACE


def refusal_json(err: GraderError) -> dict:
    return {"code": err.code, "message_id": err.message_id, "message_en": err.message}


def retake_advice(pr: PhotoRead) -> dict | None:
    """Advice to retake an accepted photo whose print is out of place in some graded fields, or None.

    The page passed the quality gate and is graded, but where the bubble reader found the printed rings away
    from their place (curled or folded paper that the alignment could not follow), those fields (and perhaps
    their neighbours) wait for a trainer. A flat retake lets them be read, so the trainee is told. Where the
    alignment of the whole page is off (``page_out_of_place``: a folded sheet), every field of the page waits,
    and the advice says so: lay the sheet flat and photograph that page again.
    """
    if pr.aligned is None:
        return None
    graded = {f.id for f in pr.aligned.page.fields if f.graded}
    notes = {fid: set(r.notes or ()) for fid, r in pr.readings.items() if fid in graded}
    page_off = any(NOTE_PAGE_OUT_OF_PLACE in n for n in notes.values())
    shown = PRINT_OUT_OF_PLACE_NOTES | ({NOTE_BOX_OUT_OF_PLACE} if page_off else set())
    if page_off:
        log.warning("%s: page %d has many printed boxes out of place (folded paper, or box lines covered); "
                    "a flat retake is advised if it is folded",
                    pr.file, pr.aligned.page.number)
    return print_out_of_place_advice(pr.aligned.page.number, sorted(fid for fid, n in notes.items() if shown & n),
                                     page_off=page_off)


def print_out_of_place_advice(page: int, fields: list[str], *, page_off: bool = False) -> dict | None:
    """The retake advice for page ``page`` naming ``fields`` (None for no fields): one text, wherever it is built.

    ``page_off``: the alignment of the whole page is off (code ``page_out_of_place``), not a few bubble columns.
    """
    if not fields:
        return None
    n = len(fields)
    if page_off:
        return {"code": PAGE_OUT_OF_PLACE_ADVICE, "fields": fields,
                "message_id": f"Di foto halaman {page}, kotak-kotak cetakan di banyak isian tidak terlihat di "
                              f"tempatnya (kertas terlipat atau melengkung, atau garis kotaknya tertutup tip-ex atau "
                              f"pita koreksi?), jadi {n} isian halaman ini belum bisa dibaca dengan pasti dan "
                              f"menunggu pelatih. Bila kertas terlipat, buka lipatannya, tekan hingga rata di atas "
                              f"meja, lalu foto ulang halaman {page}.",
                "message_en": f"On the photo of page {page}, the printed boxes of many fields are not seen in their "
                              f"place (folded or curled paper, or box lines under correction fluid or tape?), so {n} "
                              f"field(s) of this page could not be read surely and wait for a trainer. If the sheet "
                              f"is folded, unfold it, press it flat on a table and photograph page {page} again."}
    return {"code": "print_out_of_place", "fields": fields,
            "message_id": f"Di foto halaman {page}, bulatan di {n} isian tidak tepat di tempat cetakannya (kertas "
                          f"melengkung atau terlipat?), jadi isian itu (dan mungkin isian di sekitarnya) belum "
                          f"bisa dibaca dengan pasti dan menunggu pelatih. Foto ulang dengan lembar rata di "
                          f"permukaan datar agar semua isian terbaca.",
            "message_en": f"On the photo of page {page}, the bubbles of {n} field(s) are not where the sheet prints "
                          f"them (curled or folded paper?), so those fields (and perhaps the ones around them) "
                          f"could not be read surely and wait for a trainer. Retake it with the sheet lying flat "
                          f"so that every field can be read."}


def read_json(pr: PhotoRead) -> dict:
    """The ``grader read --json`` object for one photo."""
    if pr.aligned is None:
        quality = getattr(pr.refusal, "quality", None)
        return {"file": pr.file, "template": None, "page": None, "exercise": None, "trainee": None,
                "quality": {"ok": False, "reasons": [pr.refusal.code],
                            **({"measures": quality.measures} if quality is not None and hasattr(quality, "measures")
                               else {})},
                "refusal": refusal_json(pr.refusal), "fields": {}}
    a = pr.aligned
    return {"file": pr.file, "template": a.identity.template, "page": a.page.number,
            "exercise": a.identity.exercise, "trainee": a.identity.trainee, "identity_source": a.identity_source,
            "quality": {"ok": bool(a.quality.ok), "reasons": list(a.quality.reasons)},
            "fields": {fid: r.to_json() for fid, r in pr.readings.items()},
            "timings_ms": {k: round(v, 1) for k, v in pr.timings_ms.items()}}


def _trainee_from_sheet(reads: list[PhotoRead]) -> str | None:
    for pr in reads:
        r = pr.readings.get(TRAINEE_FIELD)
        if r is not None and r.status == "ok" and r.value is not None:
            return f"{r.value:03d}"
    return None


def _trainee_number_read(pr: PhotoRead) -> dict:
    """``{"trainee_number": {"value", "status", "sure"}}`` for a read page whose number boxes hold a number, sure
    or not: a batch joins one trainee's single pages by it (:mod:`grader.page_groups`)."""
    # (also on a page refused after it was read, as the same page again: a batch splits a pair by it)
    r = pr.readings.get(TRAINEE_FIELD) if pr.aligned is not None or pr.refused_page is not None else None
    if r is None or r.value is None:
        return {}
    return {"trainee_number": {"value": f"{r.value:03d}", "status": r.status, "sure": sure_digits(r)}}


def sure_digits(r: FieldReading) -> str:
    """A number's boxes as the reader is sure of them: a digit, ``0`` for a leading X, dash or blank, ``?`` for a
    box it was unsure of (``"06?"``: two numbers that differ only there may be one trainee's)."""
    unsure = set(r.detail.get("unsure_boxes", ()))
    return "".join("?" if k in unsure else (b if b.isdigit() else "0") for k, b in enumerate(r.boxes))


def identify_trainee(reads: list[PhotoRead], *, caller: str | None = None) -> tuple[str | None, str | None, str | None]:
    """(trainee, name, source): the QR first, then the number written on the sheet, then the file name."""
    for pr in reads:
        if pr.aligned is not None and pr.aligned.identity.trainee:
            return pr.aligned.identity.trainee, pr.aligned.identity.trainee_name, "qr"
    number = _trainee_from_sheet(reads)
    if number:
        return number, None, "trainee_number"
    if caller:
        return caller, None, "caller"
    for pr in reads:
        t = trainee_from_filename(pr.file)
        if t:
            return t, None, "filename"
    return None, None, None


def named_by_folder(result: dict, folder: str | None) -> dict:
    """A sheet that nothing names (no QR trainee, no number written on it, no name in its photos' own file names)
    named by the folder per trainee its photos sit in (``kelas/Andi/foto.jpg`` is Andi's:
    :func:`grader.file_names.trainee_folders`), which grading one sheet's photos cannot tell from a folder around a
    whole class. The identity order stays: the QR, the number on the sheet, then the file name."""
    if result.get("trainee") or not folder:
        return result
    return {**result, "trainee": folder, "identity_source": "filename"}


def grade_upload(files: list[tuple[str, bytes]], *, key: AnswerKey | None, exercise: str | None = None,
                 trainee: str | None = None, out_dir: Path | None = None, engine: str = "cnn",
                 keep_aligned: bool = False) -> dict:
    """Grade one trainee's photos (one per page) and write feedback files into ``out_dir``.

    Returns the result dict documented in the README ("Result JSON"). Refused
    photos are reported per page; the pages that could be read are still graded.
    """
    reads = [read_photo(data, filename=name, template=key.template if key else None,
                        exercise=(key.exercise if key else exercise), contest=key.contest if key else None,
                        pairs=key.pairs if key else None, engine=engine) for name, data in files]
    return grade_reads(reads, key=key, exercise=exercise, trainee=trainee, out_dir=out_dir, keep_aligned=keep_aligned)


def grade_reads(reads: list[PhotoRead], *, key: AnswerKey | None, exercise: str | None = None,
                trainee: str | None = None, out_dir: Path | None = None, keep_aligned: bool = False) -> dict:
    """Grade already-read photos of one trainee (see :func:`grade_upload`)."""
    good = [pr for pr in reads if pr.aligned is not None]
    unkeyed = None      # the exercise code printed on the sheet (its QR), when no key was found for it
    if key is None:
        code = exercise or next((pr.aligned.identity.exercise for pr in good if pr.aligned.identity.exercise), None)
        if code:
            try:
                key = load_key_by_code(code)     # (a code, from the sheet or the caller: never a path)
            except GraderError as exc:
                log.warning("grading without a key: %s", exc.message)
                unkeyed = None if exercise else code
    for pr in good:  # a page printed for another exercise or variant cannot be graded against this key
        ident = pr.aligned.identity
        # (a code read by OCR, the QR unreadable, may be a character or two off: code_read_as)
        if key is not None and (ident.template != key.template or ident.pairs != key.pairs or
                                (ident.exercise and not code_read_as(ident.exercise, key.exercise,
                                                                      source=pr.aligned.identity_source))):
            pr.sheet_exercise = ident.exercise
            _refuse(pr, wrong_exercise_error(ident.exercise, ident.pairs, key.exercise, key.pairs))
    _refuse_pages_that_do_not_belong(reads, caller=trainee)
    good = [pr for pr in reads if pr.aligned is not None]
    who, name, source = identify_trainee(reads, caller=trainee)
    pages = [{"file": pr.file, "page": pr.page, "refusal": refusal_json(pr.refusal) if pr.refusal else None,
              "advice": retake_advice(pr), "annotated": None,
              **({"sheet_exercise": pr.sheet_exercise} if pr.sheet_exercise else {}),
              **_trainee_number_read(pr)} for pr in reads]
    base = {"exercise": key.exercise if key else (exercise or None), "trainee": who, "trainee_name": name,
            "identity_source": source, "pages": pages, **({"sheet_exercise": unkeyed} if unkeyed else {})}
    if not good:
        return {**base, "template": key.template if key else None, "contest": key.contest if key else None,
                "pairs": key.pairs if key else None, "status": "refused", "score": None,
                "counts": {s: 0 for s in ("ok", "wrong", "review", "blank", "unreadable")},
                "fields": [], "rules": [], "findings": [], "top_fixes": []}

    sheet = good[0].aligned.sheet if key is None else shared_layout(resolve_template(key.template),
                                                                    contest=key.contest, pairs=key.pairs)
    readings: dict[str, FieldReading] = {}
    for pr in good:
        on_page = {f.id for f in sheet.pages[pr.page - 1].fields if f.graded}
        readings.update({fid: r for fid, r in pr.readings.items() if fid in on_page})
    graded = grade_sheet(sheet, readings, key)
    # graded when every page was read (a refused extra photo, e.g. the same page twice, leaves nothing out)
    status = "graded" if {pr.page for pr in good} == {p.number for p in sheet.pages} else "partial"
    result = {**base, "template": sheet.spec.id, "contest": sheet.contest, "pairs": sheet.pairs,
              "status": status, **graded}
    if out_dir is not None:
        write_feedback_files(result, good, sheet, Path(out_dir), keep_aligned=keep_aligned)
    return result


def wrong_exercise_error(sheet_exercise: str | None, sheet_pairs: int, exercise: str, pairs: int) -> GraderError:
    """A page printed for another exercise (or another number of pairs) than the key it is graded against."""
    return GraderError(
        "wrong_exercise",
        f"This sheet is for exercise {sheet_exercise or '-'} ({_pairs(sheet_pairs)}), not {exercise} "
        f"({_pairs(pairs)}). Use the sheet and the exercise code of the same exercise.",
        f"Lembar ini untuk latihan {sheet_exercise or '-'} ({sheet_pairs} paslon), bukan {exercise} "
        f"({pairs} paslon). Pakai lembar dan kode latihan yang sama.")


def _pairs(n: int) -> str:
    """ "1 pair", "3 pairs": a one-pair exercise (kolom kosong) is one (Indonesian says "1 paslon" either way)."""
    return f"{n} pair" if n == 1 else f"{n} pairs"


def _refuse(pr: PhotoRead, err: GraderError) -> None:
    """Refuse an aligned photo after the fact; the page it showed is kept, so the trainee is told which one."""
    pr.refused_page = pr.page
    pr.refusal, pr.aligned = err, None


def _is_caller(identity, caller: str | None) -> bool:
    """Whether what the uploader typed names this QR's trainee: the number (with or without leading zeros,
    "063" for 63), or the roster name in any case and spacing ("sri  siregar" for "Sri Siregar")."""
    typed = normalise_id(caller)
    return typed is not None and typed in (normalise_id(identity.trainee), normalise_id(identity.trainee_name))


def _refuse_pages_that_do_not_belong(reads: list[PhotoRead], *, caller: str | None) -> None:
    """Refuse the pages that cannot be one trainee's one sheet, instead of mixing them into one result.

    - Pages whose QR names another trainee than the rest: a page-2 photo of a classmate's sheet must not be
      graded as this trainee's work. The trainee kept is the one the uploader typed (their number or their
      roster name), if a QR names them, else the one on the first page that names anyone.
    - A second photo of a page already read: the first is graded, and the trainee learns that the other page
      is the one still missing.
    """
    good = [pr for pr in reads if pr.aligned is not None]
    owners = [pr.aligned.identity for pr in good if pr.aligned.identity.trainee]
    if len({normalise_id(o.trainee) for o in owners}) > 1:
        keep = normalise_id(next((o.trainee for o in owners if _is_caller(o, caller)), owners[0].trainee))
        for pr in good:
            ident = pr.aligned.identity
            if ident.trainee and normalise_id(ident.trainee) != keep:
                other = f"{ident.trainee_name} (No. {ident.trainee})" if ident.trainee_name else f"No. {ident.trainee}"
                _refuse(pr, GraderError(
                    "other_trainee",
                    f"Page {pr.page} is from another trainee's sheet: {other}. Send each trainee's pages separately.",
                    f"Halaman {pr.page} ini dari lembar peserta lain: {other}. Kirim halaman setiap peserta "
                    f"secara terpisah."))
    seen: dict[int, str] = {}
    for pr in reads:
        if pr.aligned is None:
            continue
        if pr.page in seen:          # (the first photo as the trainee knows it, on their feedback sheet too)
            _refuse(pr, GraderError(
                "duplicate_page",
                f"This is page {pr.page} again (already in {seen[pr.page]}). Take a photo of the other page.",
                f"Foto ini halaman {pr.page} lagi (sudah ada di {seen[pr.page]}). Foto halaman yang lain."))
        else:
            seen[pr.page] = photo_name(pr.file)


def regrade(result: dict, corrections: dict[str, int | None], key: AnswerKey | None, *,
            by: str = "trainer", at: str | None = None, disputed: Iterable[str] = ()) -> dict:
    """Re-grade a stored result after a trainer's corrections, without reading the photos again.

    Earlier corrections stored in ``result`` are kept; ``corrections`` add to or replace them.
    ``disputed`` fields (the trainee says we misread them) go to review until corrected.
    """
    sheet = shared_layout(resolve_template(result["template"]), contest=result["contest"], pairs=result["pairs"])
    readings = {f["id"]: _as_read(f) for f in result["fields"] if not on_unread_page(f)}
    stamp = at or time.strftime("%Y-%m-%dT%H:%M:%S")
    kept = {f["id"]: {"value": f["value"], "by": f["corrected_by"], "at": f["corrected_at"]}
            for f in result["fields"] if f.get("corrected_by")}
    kept.update({fid: {"value": v, "by": by, "at": stamp} for fid, v in corrections.items()})
    # The readings as the reader gave them, graded along the same path as the first time (grade_sheet), now
    # with the corrections and disputes: context runs again on the corrected readings.
    graded = grade_sheet(sheet, readings, key, corrections=kept, disputed=disputed)
    crops = {f["id"]: f.get("crop") for f in result["fields"]}
    for f in graded["fields"]:
        f["crop"] = crops.get(f["id"])
    # A retake is no longer advised for fields a trainer has settled.
    pages = [{**p, "advice": print_out_of_place_advice(p["page"], [f for f in p["advice"]["fields"] if f not in kept],
                                                       page_off=p["advice"]["code"] == PAGE_OUT_OF_PLACE_ADVICE)}
             if p.get("advice") else p for p in result.get("pages", [])]
    return {**result, "pages": pages, **graded}


def _as_read(f: dict) -> FieldReading:
    """A stored field as the reader gave it (what grading and context added undone, see :func:`reader_view`)."""
    status, notes = reader_view(f)
    return undo_context(FieldReading(f["id"], f["kind"], f["page"], f["value"], f["confidence"], status,
                                     boxes=tuple(f.get("boxes", [])),
                                     box_confidence=tuple(f.get("box_confidence", [])), notes=notes,
                                     detail=_reader_detail(f)))


def _reader_detail(f: dict) -> dict:
    """What a stored field keeps of its reading's detail: the digit boxes and the tally cells the reader doubted."""
    return {k: list(f[k]) for k in ("unsure_boxes", "unsure_cells") if f.get(k)}
