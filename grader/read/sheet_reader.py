"""Read every field of an aligned page in one pass.

All digit boxes of the page go through the classifier in one batch; bubble
columns and tally grids are read by their own modules, on worker threads
meanwhile (:func:`field_pool`). Each field comes back with a value, a
confidence, a status and the pixels it was read from.
"""
from __future__ import annotations

import logging
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Protocol, Sequence

import numpy as np

from grader.read.across_borders import straddled_borders
from grader.read.box_check import border_shifts, hidden_borders_in_place, page_out_of_place, suspect_fields
from grader.read.numbers import (BLANK_STATUS, NOTE_ACROSS_BORDERS, NOTE_BOX_OUT_OF_PLACE, NOTE_FAINT_INK,
                                  NOTE_ONE_BY_SHAPE, NOTE_PAGE_OUT_OF_PLACE, OK, REVIEW, UNREADABLE, BoxLabel,
                                  assemble_number)
from grader.recognize.box_preprocess import DEFAULT_SETTINGS, PreprocessSettings
from grader.recognize.bubbles import read_bubbles
from grader.recognize.tally import read_tally
from grader.sheet.layout import FieldLayout, PageLayout, Rect

log = logging.getLogger(__name__)

OVERWRITE_SECOND_PROB = 0.35  # a runner-up digit this likely: two digits in one box, i.e. a correction
# A box with no ink at all, whose borders are where they should be, is blank. Set by policy, not fitted: the
# network's own answer to an empty input is a fixed 0.994 with the shipped calibration. Checked on the boxes of
# 800 generated photos (dev seed 21, evaluation seed 1): every empty input there was truly blank. Empty inputs that were not came from a
# misaligned calibration photo (gaps between boxes), which the border check refuses.
EMPTY_BLANK_CONFIDENCE = 0.9995
# ... on a photo no blurrier than this (the quality gate's ``blur_mm``: the Gaussian sigma of a printed edge, mm of
# paper). Those 800 photos' edges were blurred at most about 0.14 mm; the gate accepts up to 0.35 mm, and at 0.31 mm
# (attack blur_hard, seed 3816: defocus and hand shake on a small, chat-app sheet) a ballpoint 1 and 0 were blurred
# below the ink threshold, their boxes "surely blank", and a trainee who wrote 183 was told off for a blank box.
BLANK_MAX_BLUR_MM = 0.2
# Bubble and tally fields are read on this many threads while the digit boxes are classified. Their readers are
# mostly OpenCV and NumPy calls on crops too small for OpenCV's own threads to help much, and those calls let
# other Python threads run: the fields overlap on a second core.
FIELD_THREADS = 2
_pool: tuple[int, ThreadPoolExecutor] | None = None
_pool_lock = threading.Lock()


class BoxClassifier(Protocol):
    def classify(self, crops: Sequence[np.ndarray], *, faint_floor: float = 0.0) -> list: ...


@dataclass(frozen=True)
class FieldReading:
    """What one field says, before any grading."""

    id: str
    kind: str
    page: int
    value: int | None
    confidence: float
    status: str                       # ok | review | blank | unreadable
    boxes: tuple[str, ...] = ()
    box_confidence: tuple[float, ...] = ()
    notes: tuple[str, ...] = ()
    detail: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        # Confidences are kept to 4 places from the start, as results store them: a regrade that reads a stored
        # result back then tests the context thresholds on the very numbers the first grading tested.
        object.__setattr__(self, "confidence", round(float(self.confidence), 4))
        object.__setattr__(self, "box_confidence", tuple(round(float(c), 4) for c in self.box_confidence))

    def to_json(self) -> dict:
        return {"value": self.value, "confidence": self.confidence, "status": self.status,
                "boxes": list(self.boxes), "notes": list(self.notes)}


def crop_rect(gray: np.ndarray, rect: Rect, px_per_mm: float, *, margin_mm: float = 0.0,
              margin_y_mm: float | None = None) -> np.ndarray:
    """The pixels of ``rect`` (mm) grown by ``margin_mm`` (above and below by ``margin_y_mm``, when given), clipped
    to the image."""
    grown = rect.grow(margin_mm) if margin_y_mm is None or margin_y_mm == margin_mm else Rect(
        rect.x - margin_mm, rect.y - margin_y_mm, rect.w + 2 * margin_mm, rect.h + 2 * margin_y_mm)
    x, y, w, h = grown.to_px(px_per_mm)
    x0, y0 = max(x, 0), max(y, 0)
    return gray[y0:min(y + h, gray.shape[0]), x0:min(x + w, gray.shape[1])]


def digit_box_crops(gray: np.ndarray, fields: Sequence[FieldLayout], px_per_mm: float, *,
                    settings: PreprocessSettings = DEFAULT_SETTINGS) -> list[np.ndarray]:
    """Every digit box of ``fields``, cut just outside its printed border (by the margins of the model's
    preprocessing ``settings``), in field then box order.

    The one place box crops are cut: the reader and the recognizer's training data both use it.
    """
    margin_x, margin_y = settings.margins_mm
    return [crop_rect(gray, b, px_per_mm, margin_mm=margin_x, margin_y_mm=margin_y) for f in fields for b in f.boxes]


def read_page_fields(gray: np.ndarray, page: PageLayout, *, px_per_mm: float, classifier: BoxClassifier,
                     kinds: tuple[str, ...] = ("digits", "bubbles", "tally"), blur_mm: float = 0.0,
                     faint_floor: float = 0.0) -> dict[str, FieldReading]:
    """Read the fields of ``page`` from the aligned grayscale image ``gray``.

    Parameters
    ----------
    gray : the page warped into the template frame (``page`` mm × ``px_per_mm``).
    page : its layout.
    classifier : anything with ``classify(crops) -> [BoxReading]`` (the CNN, or tesseract for the baseline).
    kinds : which field kinds to read.
    blur_mm : the photo's measured blur (:mod:`grader.photo.quality`); above :data:`BLANK_MAX_BLUR_MM` no box is
        called blank with confidence.
    faint_floor : on a page whose back shows through the paper, the least ink the digit boxes' faint views take for
        a stroke (:func:`grader.read.show_through.faint_floor`; 0 on a page printed on one side).
    """
    out: dict[str, FieldReading] = {}
    # (slowest first: a tally grid takes about twice a bubble field's time, so tally grids are queued first and
    # the threads finish together, instead of one waiting on a last tally grid)
    readers = {"tally": _read_tally, "bubbles": _read_bubbles}
    others = [f for f in page.fields if f.kind in readers and f.kind in kinds]
    queued = sorted(others, key=lambda f: list(readers).index(f.kind))
    pending = {f.id: field_pool().submit(readers[f.kind], gray, f, page.number, px_per_mm) for f in queued}
    try:
        digit_fields = [f for f in page.fields if f.kind == "digits" and "digits" in kinds]
        # (cut as the classifier's model asks: its preprocessing settings; tesseract's baseline takes the default)
        crops = digit_box_crops(gray, digit_fields, px_per_mm,
                                settings=getattr(classifier, "preprocessing", DEFAULT_SETTINGS))
        printed = [b for f in digit_fields for b in f.boxes]
        seen, found = border_shifts(gray, page, printed, px_per_mm=px_per_mm)
        sharp = blur_mm <= BLANK_MAX_BLUR_MM
        # (a box is confirmed blank only with its own borders seen in place; its field is suspect only when the
        # boxes around leave a whole-period shift possible)
        # (the floor is given only where the back shows through: a classifier without faint views takes none)
        found_boxes = (classifier.classify(crops, faint_floor=faint_floor) if faint_floor else
                       classifier.classify(crops)) if crops else []
        readings = confirm_blanks(found_boxes, seen.all(axis=1) & sharp)
        placed = hidden_borders_in_place(page, printed, seen, found)
        suspect = suspect_fields(digit_fields, placed, near=[f for f in others if f.kind == "tally"],
                                 page_only=[f for f in others if f.kind == "bubbles"])
        # (every field of a page out of place says so, for the page's retake advice: grader.pipeline.retake_advice)
        off_notes = (NOTE_BOX_OUT_OF_PLACE, NOTE_PAGE_OUT_OF_PLACE) if page_out_of_place(digit_fields, placed) else (
            NOTE_BOX_OUT_OF_PLACE,)
        widths = dict(page.frames)
        i = 0
        for f in digit_fields:
            boxes = readings[i:i + len(f.boxes)]
            off = f.id in suspect
            i += len(f.boxes)
            labels = [BoxLabel(r.label, r.confidence, r.ambiguous or off, _looks_overwritten(r)) for r in boxes]
            num = assemble_number(labels)
            unsure = [k for k, b in enumerate(labels) if b.ambiguous or b.overwritten]
            by_shape = (NOTE_ONE_BY_SHAPE,) if any(r.by_shape for r in boxes) else ()
            faint = (NOTE_FAINT_INK,) if any(r.faint for r in boxes) else ()
            across = (NOTE_ACROSS_BORDERS,) if straddled_borders(gray, f.boxes, line_mm=widths[f.boxes[0]],
                                                                 px_per_mm=px_per_mm) else ()
            # (a box a digit straddles holds half of it, so no reading of the field is accepted; on the photos measured
            # every such field was in review already: grader.read.across_borders)
            status = _held_for_review(num.status) if across else num.status
            out[f.id] = FieldReading(f.id, "digits", page.number, num.value, num.confidence, status, num.boxes,
                                     num.box_confidence, num.notes + by_shape + faint + across
                                     + (off_notes if off else ()),
                                     detail={"unsure_boxes": unsure} if unsure else {})
        for f in others:
            out[f.id] = pending[f.id].result()
            if f.id in suspect:     # a tally grid or bubble column beside boxes out of place may be read off its print
                r = out[f.id]       # (and "nothing written" would be held against the trainee as much as a value)
                out[f.id] = replace(r, status=_held_for_review(r.status), notes=r.notes + off_notes)
    finally:
        for reading in pending.values():   # a job stopped by its time limit (or a failed field) leaves no reads queued
            reading.cancel()
    return out


def _held_for_review(status: str) -> str:
    """A reading's status once it may not be taken as read: accepted, or read blank ("nothing written" is held
    against a trainee as much as a value), it waits for a trainer; review and unreadable stay as they are."""
    return REVIEW if status in (OK, BLANK_STATUS) else status


def field_pool() -> ThreadPoolExecutor:
    """The threads that read bubble and tally fields: one pool per process (a forked worker makes its own)."""
    global _pool
    with _pool_lock:
        if _pool is None or _pool[0] != os.getpid():
            _pool = (os.getpid(), ThreadPoolExecutor(FIELD_THREADS, thread_name_prefix="read-fields"))
        return _pool[1]


def confirm_blanks(readings: list, placed: np.ndarray) -> list:
    """Make a box blank with confidence ``EMPTY_BLANK_CONFIDENCE`` when no ink survived preprocessing *and*
    its printed borders are verified in place on the warped page (``placed``, per box: :mod:`grader.read.box_check`;
    none on a photo blurrier than :data:`BLANK_MAX_BLUR_MM`).

    The network answers an all-paper input with one fixed, middling confidence (it cannot know more), which
    left every blank leading box, and so every field holding one, in review. Emptiness is decided by the
    ink detection, not the network; what it cannot rule out is a crop cut off its box (the gap between two
    boxes is empty paper too), so the borders must be in place.
    """
    out = list(readings)
    for i, r in enumerate(readings):
        if r.empty and placed[i]:
            probs = {k: (EMPTY_BLANK_CONFIDENCE if k == "" else (1 - EMPTY_BLANK_CONFIDENCE) / (len(r.probs) - 1))
                     for k in r.probs}
            out[i] = replace(r, label="", confidence=EMPTY_BLANK_CONFIDENCE, probs=probs, ambiguous=False)
    return out


def _looks_overwritten(reading) -> bool:
    """Two digit classes both substantial: the signature of a corrected box."""
    probs = sorted((p for k, p in reading.probs.items() if k.isdigit()), reverse=True)
    return len(probs) > 1 and probs[1] >= OVERWRITE_SECOND_PROB and reading.label.isdigit()


def _read_bubbles(gray: np.ndarray, f: FieldLayout, page: int, px_per_mm: float) -> FieldReading:
    try:
        r = read_bubbles(gray, f, px_per_mm=px_per_mm)
    except ValueError as exc:   # e.g. the field lies outside the aligned image
        log.warning("bubbles %s unreadable: %s", f.id, exc)
        return FieldReading(f.id, f.kind, page, None, 0.0, UNREADABLE, notes=("outside_image",))
    digits = tuple("" if d is None else str(d) for d in r.digits)
    return FieldReading(f.id, f.kind, page, r.value, r.confidence, r.status, digits,
                        notes=tuple(n for n in r.column_notes if n), detail={"fill": r.fill})


def _read_tally(gray: np.ndarray, f: FieldLayout, page: int, px_per_mm: float) -> FieldReading:
    try:
        r = read_tally(gray, f, px_per_mm=px_per_mm)
    except ValueError as exc:
        log.warning("tally %s unreadable: %s", f.id, exc)
        return FieldReading(f.id, f.kind, page, None, 0.0, UNREADABLE, notes=("outside_image",))
    # (the doubtful cells named by their place in the grid, with the count read there: "row 2, column 3: 4")
    unsure = [{"cell": i, "row": row, "col": col, "read": r.per_cell[i]}
              for i in r.unsure_cells for row, col in [f.cell_place(i)]]
    return FieldReading(f.id, f.kind, page, r.count, r.confidence, r.status, notes=r.reasons,
                        detail={"per_cell": list(r.per_cell), **({"unsure_cells": unsure} if unsure else {})})
