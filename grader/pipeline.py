"""The one pipeline every caller uses (CLI, web app, batch workers).

photo bytes → align (load, gate, locate, identify, warp) → read fields →
context policy → grade against the key and the rules → feedback files.
"""
from __future__ import annotations

import logging
import time
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from grader.errors import GraderError
from grader.exercise.store import AnswerKey, load_key_by_code
from grader.grading.certainty import WRONG_MIN_CONFIDENCE
from grader.grading.feedback_files import redraw_feedback, write_feedback_files  # noqa: F401 - redraw_feedback:
#   part of the pipeline's contract with the web app (grader.web.grading calls pipeline.redraw_feedback)
from grader.grading.grade import grade_sheet, reader_view
from grader.grading.review_queue import on_unread_page
from grader.file_names import photo_name, trainee_from_filename
from grader.page_groups import normalise_id, number_text
from grader.photo.identify import code_read_as
from grader.photo.refusal import Refusal
from grader.read.context import undo_context
from grader.read.numbers import NOTE_ACROSS_BORDERS, NOTE_BOX_OUT_OF_PLACE, NOTE_OVERWRITTEN
from grader.read.sheet_reader import FieldReading, read_page_fields
from grader.read.show_through import faint_floor, show_through_level
from grader.retake_advice import advice_without, retake_advice
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
    sheet_trainee: tuple[str, str | None] | None = None    # the trainee (number, name) a refused page's QR names
    qr_exercise: str | None = None         # the exercise a page refused by the photo checks names by its QR
    refused_page: int | None = None        # the page a refused photo showed (as not belonging, or by the gate)

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
        # (a page refused once located says which page it is, and whose sheet by its QR: align._located)
        ident = getattr(exc, "identity", None)
        return PhotoRead(file=filename, refusal=exc, timings_ms={"total": (time.perf_counter() - t0) * 1000},
                         refused_page=getattr(exc, "page", None), qr_exercise=ident.exercise if ident else None,
                         sheet_trainee=(ident.trainee, ident.trainee_name) if ident and ident.trainee else None)
    t1 = time.perf_counter()
    # (a sheet printed on both sides shows its back through the paper: grader.read.show_through)
    level = show_through_level(aligned.gray, aligned.sheet, aligned.page, px_per_mm=aligned.px_per_mm)
    readings = read_page_fields(aligned.gray, aligned.page, px_per_mm=aligned.px_per_mm,
                                classifier=classifier_for(engine), blur_mm=aligned.quality.blur_mm or 0.0,
                                faint_floor=faint_floor(level))
    t2 = time.perf_counter()
    timings = dict(aligned.timings_ms)
    timings.update({"read": (t2 - t1) * 1000, "total": (t2 - t0) * 1000})
    return PhotoRead(file=filename, aligned=aligned, readings=readings, timings_ms=timings)


def refusal_json(err: GraderError) -> dict:
    return {"code": err.code, "message_id": err.message_id, "message_en": err.message}


def read_json(pr: PhotoRead) -> dict:
    """The ``grader read --json`` object for one photo."""
    if pr.aligned is None:
        quality = getattr(pr.refusal, "quality", None)
        return {"file": pr.file, "template": None, "page": pr.page, "exercise": None, "trainee": None,
                # (the code first, then what else the gate measured: a steep angle's blur)
                "quality": {"ok": False, "reasons": [pr.refusal.code, *(r for r in getattr(pr.refusal, "reasons", ())
                                                                        if r != pr.refusal.code)],
                            **({"measures": quality.measures} if quality is not None and hasattr(quality, "measures")
                               else {})},
                "refusal": refusal_json(pr.refusal), "fields": {},
                # (a page of another exercise than --exercise names: as grade's pages say it)
                **({"sheet_exercise": pr.sheet_exercise} if pr.sheet_exercise else {})}
    a = pr.aligned
    return {"file": pr.file, "template": a.identity.template, "page": a.page.number,
            # (as grade names the trainee: a QR's "6" is "006", the boxes' way; helper-150 saw both)
            "exercise": a.identity.exercise, "trainee": number_text(a.identity.trainee) if a.identity.trainee else None,
            "identity_source": a.identity_source, **({"mirrored": True} if a.mirrored else {}),
            "quality": {"ok": bool(a.quality.ok), "reasons": list(a.quality.reasons)},
            "fields": {fid: r.to_json() for fid, r in pr.readings.items()},
            "timings_ms": {k: round(v, 1) for k, v in pr.timings_ms.items()}}


def _trainee_from_sheet(reads: list[PhotoRead]) -> str | None:
    """The trainee number written on the sheet and read ``ok``: on any page read, even one refused as the same page
    again, but never on a page refused as another trainee's (its number is theirs: the sheet of 015 whose 070 page
    was refused was named 070)."""
    for pr in reads:
        if pr.refusal is not None and pr.refusal.code == "other_trainee":
            continue
        r = pr.readings.get(TRAINEE_FIELD)
        if r is not None and r.status == "ok" and r.value is not None:
            return number_text(r.value)
    return None


def _trainee_number_read(pr: PhotoRead) -> dict:
    """``{"trainee_number": {"value", "status", "sure"}}`` for a read page whose number boxes hold a number, sure
    or not: a batch joins one trainee's single pages by it (:mod:`grader.page_groups`)."""
    # (also on a page refused after it was read, as the same page again: a batch splits a pair by it)
    r = pr.readings.get(TRAINEE_FIELD) if pr.aligned is not None or pr.refused_page is not None else None
    if r is None or r.value is None:
        return {}
    return {"trainee_number": {"value": number_text(r.value), "status": r.status, "sure": sure_digits(r)}}


def sure_digits(r: FieldReading, unsure: set[int] | None = None) -> str:
    """A number's boxes as the reader is sure of them: a digit, ``0`` for a leading X, dash or blank, ``?`` for a
    box it was unsure of (``"06?"``: two numbers that differ only there may be one trainee's); or ``?`` for the
    boxes ``unsure`` names, where another bar decides."""
    unsure = set(r.detail.get("unsure_boxes", ())) if unsure is None else unsure
    return "".join("?" if k in unsure else (b if b.isdigit() else "0") for k, b in enumerate(r.boxes))


def identify_trainee(reads: list[PhotoRead], *, caller: str | None = None) -> tuple[str | None, str | None, str | None]:
    """(trainee, name, source): the QR first, then the number written on the sheet, then the uploader's, then the QR
    of a page the photo checks refused, then the file name."""
    for pr in reads:
        if pr.aligned is not None and pr.aligned.identity.trainee:
            return number_text(pr.aligned.identity.trainee), pr.aligned.identity.trainee_name, "qr"
    # a personalised sheet refused whole as another exercise's still says whose it is: the trainer must tell that
    # trainee which code to use (helper-141: it was "043, from the number on the sheet", the name lost)
    for pr in reads:
        if pr.sheet_trainee is not None and not _refused_by_photo_checks(pr):
            return number_text(pr.sheet_trainee[0]), pr.sheet_trainee[1], "qr"
    number = _trainee_from_sheet(reads)
    if number:
        return number, None, "trainee_number"
    if caller:
        return caller, None, "caller"
    # a page too dark (or blurred, glared) to grade, its QR read, names a sheet nothing else names (helper-150); never
    # over a page graded or the uploader's word, as no page checked against them (_refuse_pages_that_do_not_belong)
    for pr in reads:
        if pr.sheet_trainee is not None:
            return number_text(pr.sheet_trainee[0]), pr.sheet_trainee[1], "qr"
    for pr in reads:
        t = trainee_from_filename(pr.file)
        if t:
            return t, None, "filename"
    return None, None, None


def _refused_by_photo_checks(pr: PhotoRead) -> bool:
    """Whether a photo was refused by the photo checks once located (:func:`grader.photo.align.align_photo`), not as
    another exercise's or trainee's page after it was read."""
    return pr.aligned is None and isinstance(pr.refusal, Refusal)


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
                 keep_aligned: bool = False, kept: Collection[int] = (), own_sheet: bool = False) -> dict:
    """Grade one trainee's photos (one per page) and write feedback files into ``out_dir``.

    Returns the result dict documented in the README ("Result JSON"). Refused
    photos are reported per page; the pages that could be read are still graded. ``kept``: the places (0-based) of
    photos graded before, kept from an earlier sheet (a web retake's other pages), whose page a new photo of it does
    not replace (:func:`_refuse_pages_that_do_not_belong`). ``own_sheet``: the photos are a trainee's sending of
    their own sheet (the web's upload page), not a trainer's: a refusal says what to do in words for them.
    """
    reads = [read_photo(data, filename=name, template=key.template if key else None,
                        exercise=(key.exercise if key else exercise), contest=key.contest if key else None,
                        pairs=key.pairs if key else None, engine=engine) for name, data in files]
    return grade_reads(reads, key=key, exercise=exercise, trainee=trainee, out_dir=out_dir, keep_aligned=keep_aligned,
                       kept=kept, own_sheet=own_sheet)


def grade_reads(reads: list[PhotoRead], *, key: AnswerKey | None, exercise: str | None = None,
                trainee: str | None = None, out_dir: Path | None = None, keep_aligned: bool = False,
                kept: Collection[int] = (), own_sheet: bool = False) -> dict:
    """Grade already-read photos of one trainee (see :func:`grade_upload`)."""
    good = [pr for pr in reads if pr.aligned is not None]
    unkeyed = None      # the exercise code printed on the sheet (its QR), when no key was found for it
    if key is None:
        code = exercise or next((pr.aligned.identity.exercise for pr in good if pr.aligned.identity.exercise), None)
        if not good:
            # every photo refused (too dark): the exercise a located page's QR named files the sending under it, as
            # its trainee is (helper-157: a trainee's refused sending, no code typed, was under no exercise, so its
            # trainer never saw it); never over a page read, whose own code is the sheet's
            code = code or next((pr.qr_exercise for pr in reads if pr.qr_exercise), None)
        if code:
            try:
                key = load_key_by_code(code)     # (a code, from the sheet or the caller: never a path)
            except GraderError as exc:
                log.warning("grading without a key: %s", exc.message)
                unkeyed = None if exercise else code
    if key is not None:     # a page printed for another exercise or variant cannot be graded against this key
        for pr in good:
            refuse_another_exercise(pr, key)
    _refuse_pages_that_do_not_belong(reads, caller=trainee, kept=kept, own_sheet=own_sheet)
    good = [pr for pr in reads if pr.aligned is not None]
    who, name, source = identify_trainee(reads, caller=trainee)
    read = {pr.page for pr in good}
    pages = [{"file": pr.file, "page": pr.page, "refusal": refusal_json(pr.refusal) if pr.refusal else None,
              "advice": retake_advice(pr.aligned.page, pr.readings, file=pr.file, unsent_other=_unsent_other(pr, read))
              if pr.aligned is not None else None, "annotated": None,
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


def _unsent_other(pr: PhotoRead, read: set[int]) -> int | None:
    """The other page of the sheet that ``pr``'s photo shows too (both pages in one photo), when no photo of the
    sending was read as that page: only one page of a photo is read, and the trainee was told the other was never
    sent."""
    other = pr.aligned.other_page
    return other if other is not None and other not in read else None


def refuse_another_exercise(pr: PhotoRead, key: AnswerKey) -> None:
    """Refuse a read page printed for another exercise or variant than ``key`` (``wrong_exercise``), keeping the
    exercise and trainee it names: it cannot be graded against this key, nor read as this exercise's."""
    ident = pr.aligned.identity
    # (a code read by OCR, the QR unreadable, may be a character or two off: code_read_as)
    if (ident.template != key.template or ident.pairs != key.pairs or
            (ident.exercise and not code_read_as(ident.exercise, key.exercise, source=pr.aligned.identity_source))):
        pr.sheet_exercise = ident.exercise
        pr.sheet_trainee = (ident.trainee, ident.trainee_name) if ident.trainee else None
        _refuse(pr, wrong_exercise_error(ident.exercise, ident.pairs, key.exercise, key.pairs))


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


@dataclass(frozen=True)
class _PageOwner:
    """The trainee a read page names (:func:`_page_owner`)."""

    trainee: str                 # the QR's trainee, or the number written on the page ("015")
    name: str | None = None      # the QR's roster name
    by_qr: bool = True
    sure: str | None = None      # a written number's boxes as read surely enough to tell it apart ("01?")


def _page_owner(pr: PhotoRead) -> _PageOwner | None:
    """Whom a read page names: its QR's trainee, else the trainee number written on it, read ``ok``, or in
    ``review`` for boxes the reader was unsure of while others were read surely; None for nobody (a blank sheet's
    QR beside an overwritten, missing or wholly unsure number).

    A number in review still tells another trainee by its sure boxes (helper-185: Wayan's page 1, her 093 read
    ``0?3``, sent with a classmate's page 2, a firm 145, was graded as one sheet). Its boxes count as sure only by
    the bar that could call a trainee wrong, and not where the field's boxes may be misplaced or a digit straddles
    two boxes (the whole field is doubtful there, not one box)."""
    ident = pr.aligned.identity
    if ident.trainee:
        return _PageOwner(number_text(ident.trainee), ident.trainee_name)
    r = pr.readings.get(TRAINEE_FIELD)
    if r is None or r.value is None or NOTE_OVERWRITTEN in r.notes:
        return None
    unsure = {k for k, c in enumerate(r.box_confidence) if c < WRONG_MIN_CONFIDENCE}
    if r.status == "ok":
        return _PageOwner(number_text(r.value), by_qr=False, sure=sure_digits(r, unsure))
    doubtful = {NOTE_ACROSS_BORDERS, NOTE_BOX_OUT_OF_PLACE} & set(r.notes)
    unsure |= set(r.detail.get("unsure_boxes", ()))
    if r.status != "review" or doubtful or not r.detail.get("unsure_boxes") or len(unsure) >= len(r.boxes):
        return None
    sure = sure_digits(r, unsure)
    # (named by its sure boxes, "0?3": which digit the pixels favour in the others is not said as if it were read)
    return _PageOwner(sure, by_qr=False, sure=sure)


def _not_one_trainee(a: _PageOwner, b: _PageOwner) -> bool:
    """Whether two pages name two trainees. Two QRs must name one; a number written on a page must differ from
    the other page's in a box it read as surely as a box that could call a trainee wrong: a number read ``ok``
    is misread now and then (on the development photos, seed 61, 2 of the 275 read ``ok`` had a box misread at
    0.9988 and 0.9995, one of them written over), and a trainee's own page must not be refused for it."""
    if a.by_qr and b.by_qr:
        return normalise_id(a.trainee) != normalise_id(b.trainee)
    spelled = [o.sure if not o.by_qr else (o.trainee.zfill(3) if o.trainee.isascii() and o.trainee.isdigit()
                                           else None) for o in (a, b)]
    if None in spelled or len(spelled[0]) != len(spelled[1]):
        return False            # (a QR naming someone by a name, not a number, cannot be set against digits)
    return any("?" not in (x, y) and x != y for x, y in zip(*spelled))


def _is_caller(owner: _PageOwner, caller: str | None) -> bool:
    """Whether what the uploader typed names the trainee a page names (:func:`_page_owner`): the number (with or
    without leading zeros, "063" for 63), or the roster name in any case and spacing ("sri  siregar" for
    "Sri Siregar")."""
    typed = normalise_id(caller)
    if typed is None:
        return False
    if "?" in owner.trainee:    # a number read in part ("0?3") fits the number typed in its sure boxes ("93")
        digits = typed.rjust(len(owner.trainee), "0")
        return typed.isascii() and typed.isdigit() and len(digits) == len(owner.trainee) and all(
            s in ("?", d) for s, d in zip(owner.trainee, digits))
    return typed in (normalise_id(owner.trainee), normalise_id(owner.name))


def _refuse_pages_that_do_not_belong(reads: list[PhotoRead], *, caller: str | None, kept: Collection[int] = (),
                                     own_sheet: bool = False) -> None:
    """Refuse the pages that cannot be one trainee's one sheet, instead of mixing them into one result.

    - Pages that name another trainee than the rest: a page-2 photo of a classmate's sheet must not be graded as
      this trainee's work. A page names its QR's trainee, else the trainee number written on it and read ``ok``
      (the evidence a batch groups pages by: :mod:`grader.page_groups`), which tells another trainee only by a
      box read surely (:func:`_not_one_trainee`). The trainee kept is the one the uploader typed (their number or
      their roster name), if a page names them, else the one on the first page that names anyone.
    - An earlier photo of a page photographed again: the last is graded, and the trainee learns that the other
      page is the one to send if it is missing; but a photo ``kept`` from an earlier sheet (places in ``reads``) is
      graded over a new one of its page: a retake of page 2 made with page 1 by mistake must not replace the page
      1 graded (retake rehearsal: it did, and page 2's refusal was lost).

    ``own_sheet``: a trainee's sending of their own sheet, whose new photos' refusals say what to do in words for
    them (:func:`other_trainee_error`).
    """
    owners = [(pr, owner) for pr in reads if pr.aligned is not None and (owner := _page_owner(pr)) is not None]
    # a page the photo checks refused once located (too dark, glare) whose QR names another trainee is refused as
    # theirs, as that page photographed well is: a retake of it in better light would not make it this trainee's
    # (rehearsal: a classmate's dark page 2 sent as a retake was only "too dark"). Its QR never decides whose sheet
    # it is over a page read, unless the uploader names that trainee (fe40100).
    dim = [(pr, _PageOwner(number_text(pr.sheet_trainee[0]), pr.sheet_trainee[1])) for pr in reads
           if pr.sheet_trainee is not None and pr.refused_page is not None and _refused_by_photo_checks(pr)]
    keep = next((o for _, o in owners + dim if _is_caller(o, caller)), owners[0][1] if owners else None)
    if keep is not None:
        for pr, o in owners + dim:
            if _not_one_trainee(o, keep):
                # a new photo beside photos kept from an earlier sheet (a web retake, a page added) is one photo
                # the trainee took again: their own page is to be photographed, not a batch's pages sorted
                # (helper-164: a retake page said "Kirim halaman setiap peserta secara terpisah"); so is any new
                # photo of a trainee's own sending (helper-166: their two-page upload said it too). (A kept photo
                # refused, the retake naming the uploader, is not told so.)
                own = (own_sheet or kept) and not any(reads[i] is pr for i in kept)
                _refuse(pr, other_trainee_error(pr.page, o.name, o.trainee, by_qr=o.by_qr, own=bool(own)))
                pr.sheet_trainee = None     # (not the sheet's trainee: identify_trainee must not name it by them)
    # The last photo of a page counts, as a retake replaces a page on the web: a trainee photographs a page again
    # because the first photo was poor or to show a number they mended, and a class's chat export holds both, the
    # retake later (rehearsal, helper-137: the first was graded, the retake refused).
    last = {pr.page: pr for pr in reads if pr.aligned is not None}
    last.update({pr.page: pr for i, pr in enumerate(reads) if i in kept and pr.aligned is not None})
    for pr in reads:
        if pr.aligned is None or last[pr.page] is pr:
            continue
        graded = photo_name(last[pr.page].file)   # (the photo as the trainee knows it, on their feedback sheet too)
        # the page still to photograph, if any (a whole sheet needs no advice: helper-138)
        unsent = sorted({p.number for p in pr.aligned.sheet.pages} - set(last))
        _refuse(pr, page_again_error(pr.page, graded, unsent, kept=any(reads[i] is last[pr.page] for i in kept)))


def other_trainee_error(page: int, name: str | None, trainee: str, *, by_qr: bool, own: bool) -> GraderError:
    """Page ``page`` names another trainee (``name``, number ``trainee``) than the sheet's: by its QR (``by_qr``),
    else by the number written on it. What to do is said to whoever sent it: a trainee sending their ``own`` sheet
    (a web upload or retake) photographs their own page; a trainer's pile of photos sends each trainee's apart."""
    other = f"{name} (No. {trainee})" if name else f"No. {trainee}"
    written_en, written_id = ("", "") if by_qr else (" (the number written on it)", " (nomor peserta yang tertulis)")
    do_en, do_id = ((f"Photograph page {page} of your own sheet, then send it again.",
                     f"Foto halaman {page} dari lembar Anda sendiri, lalu kirim lagi.") if own else
                    ("Send each trainee's pages separately.", "Kirim halaman setiap peserta secara terpisah."))
    return GraderError("other_trainee", f"Page {page} is from another trainee's sheet: {other}{written_en}. {do_en}",
                       f"Halaman {page} ini dari lembar peserta lain: {other}{written_id}. {do_id}")


def page_again_error(page: int, graded: str, unsent: Iterable[int], *, kept: bool = False) -> GraderError:
    """``duplicate_page``: a photo of ``page`` beside the photo of it that is graded (``graded``, named): the last one
    of the sending, or one ``kept`` from an earlier sheet, which a new photo of its page does not replace. ``unsent``:
    the pages still to photograph."""
    # ("Foto juga halaman 2." read oddly after the file name: helper-149)
    also_en = "".join(f" Page {n} is not sent yet: take a photo of it too." for n in unsent)
    also_id = "".join(f" Halaman {n} belum terkirim: foto juga halaman itu." for n in unsent)
    if kept:
        return GraderError(
            "duplicate_page", f"This is page {page}, already graded from the photo kept ({graded}); this photo does "
                              f"not replace it.{also_en}",
            f"Foto ini halaman {page}, yang sudah dinilai dari foto yang tersimpan ({graded}); foto ini tidak "
            f"menggantikannya.{also_id}")
    return GraderError(
        "duplicate_page", f"This is page {page} again: the last photo of it ({graded}) is graded instead.{also_en}",
        f"Foto ini halaman {page} lagi: yang dinilai foto terakhir halaman itu ({graded}).{also_id}")


def regrade(result: dict, corrections: dict[str, int | None], key: AnswerKey | None, *,
            by: str = "trainer", at: str | None = None, disputed: Iterable[str] = (),
            said: Mapping[str, int] | None = None) -> dict:
    """Re-grade a stored result after a trainer's corrections, without reading the photos again.

    Earlier corrections stored in ``result`` are kept; ``corrections`` add to or replace them.
    ``disputed`` fields (the trainee says we misread them) go to review until corrected; one whose number the
    trainee says (``said``) is not the key's is wrong on their word (:func:`grader.grading.grade.grade_sheet`).
    """
    sheet = shared_layout(resolve_template(result["template"]), contest=result["contest"], pairs=result["pairs"])
    readings = {f["id"]: _as_read(f) for f in result["fields"] if not on_unread_page(f)}
    stamp = at or time.strftime("%Y-%m-%dT%H:%M:%S")
    kept = {f["id"]: {"value": f["value"], "by": f["corrected_by"], "at": f["corrected_at"]}
            for f in result["fields"] if f.get("corrected_by")}
    kept.update({fid: {"value": v, "by": by, "at": stamp} for fid, v in corrections.items()})
    # The readings as the reader gave them, graded along the same path as the first time (grade_sheet), now
    # with the corrections and disputes: context runs again on the corrected readings.
    graded = grade_sheet(sheet, readings, key, corrections=kept, disputed=disputed, said=said)
    crops = {f["id"]: f.get("crop") for f in result["fields"]}
    for f in graded["fields"]:
        f["crop"] = crops.get(f["id"])
    # A retake is no longer advised for fields a trainer has settled.
    pages = [{**p, "advice": advice_without(p["advice"], p["page"], kept)} if p.get("advice") else p
             for p in result.get("pages", [])]
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
