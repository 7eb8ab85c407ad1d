"""Blank digit boxes: empty *and* verified in place is blank; an empty crop off its box is not trusted."""
import cv2
import numpy as np

from grader.read.box_check import boxes_in_place
from grader.read.sheet_reader import EMPTY_BLANK_CONFIDENCE, read_page_fields
from grader.recognize.digit_classifier import default_classifier

PX = 8.0


def _digits(sheet):
    return [f for f in sheet.pages[1].fields if f.kind == "digits"]


def test_printed_boxes_are_found_in_place_and_a_shifted_page_is_not(sheet, blank_page):
    gray = (blank_page * 255).astype(np.uint8)
    boxes = [b for f in _digits(sheet) for b in f.boxes]
    assert boxes_in_place(gray, sheet.pages[1], boxes, px_per_mm=PX).all()
    shifted = np.roll(gray, int(1.5 * PX), axis=1)          # 1.5 mm off: the crops still look like boxes
    moved = boxes_in_place(shifted, sheet.pages[1], boxes, px_per_mm=PX)
    assert not moved[:, 0].any() and moved[:, 1].all()      # sideways: left and right borders off, top and bottom not


def test_empty_boxes_in_place_read_blank_with_confidence(sheet, blank_page):
    gray = (blank_page * 255).astype(np.uint8)
    out = read_page_fields(gray, sheet.pages[1], px_per_mm=PX, classifier=default_classifier(), kinds=("digits",))
    for f in _digits(sheet):
        r = out[f.id]
        assert r.status == "blank" and set(r.boxes) == {""}, f.id
        assert r.box_confidence == (EMPTY_BLANK_CONFIDENCE,) * len(f.boxes)


def test_empty_crops_off_their_boxes_are_not_called_blank_with_confidence(sheet, blank_page):
    gray = np.roll((blank_page * 255).astype(np.uint8), int(4.5 * PX), axis=1)   # half a box off
    out = read_page_fields(gray, sheet.pages[1], px_per_mm=PX, classifier=default_classifier(), kinds=("digits",))
    for f in _digits(sheet):
        assert EMPTY_BLANK_CONFIDENCE not in out[f.id].box_confidence, f.id
        assert out[f.id].status != "blank", f.id       # "nothing written" is a finding against the trainee


def test_a_page_read_that_fails_leaves_no_field_reads_queued(monkeypatch):
    """Review: a job stopped by its time limit (an exception in the main thread) left its bubble and tally reads
    running on the shared pool, ahead of the next job's."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    import numpy as np
    import pytest

    import grader.read.sheet_reader as reader
    from grader.sheet.layout import layout_sheet
    from grader.sheet.schema import resolve_template

    page = next(p for p in layout_sheet(resolve_template("chasil-kwk"), pairs=3).pages if p.number == 2)
    gate, calls = threading.Event(), []

    def slow_read(gray, f, number, px):
        calls.append(f.id)
        gate.wait(5)

    class Stopped(Exception):
        pass

    class Classifier:
        def classify(self, crops):
            raise Stopped            # as SIGALRM's JobTimeout in the worker's main thread

    pool = ThreadPoolExecutor(1)
    monkeypatch.setattr(reader, "field_pool", lambda: pool)
    monkeypatch.setattr(reader, "_read_tally", slow_read)
    monkeypatch.setattr(reader, "_read_bubbles", slow_read)
    with pytest.raises(Stopped):
        reader.read_page_fields(np.full((2400, 1700), 255, np.uint8), page, px_per_mm=8.0, classifier=Classifier())
    gate.set()
    pool.shutdown(wait=True)
    assert len(calls) == 1           # only the read already running finished; the queued ones were cancelled


def _draw_in_box(gray, box, draw):
    """Draw into a printed box of the page image with ``draw(crop)``, the crop 66 x 80 px like the classifier tests."""
    x, y, w, h = box.to_px(PX)
    patch = np.ascontiguousarray(gray[y:y + h, x:x + w])
    big = cv2.resize(patch, (66, 80), interpolation=cv2.INTER_LINEAR)
    before = big.copy()
    draw(big)
    ink = cv2.resize(big.astype(np.float32) - before, (w, h), interpolation=cv2.INTER_AREA)
    gray[y:y + h, x:x + w] = np.clip(patch + ink, 0, 255).astype(np.uint8)


def test_a_dry_pen_digit_is_review_with_its_reason_not_a_sure_number_or_a_blank_box(sheet, blank_page):
    """A pen running dry: "--3" with the 3 pale but its tail, and a pale 1 before "47". Before the faint view the
    first read "---" (a sure 0) and the second a confirmed blank leading box; both charged a trainee who wrote well."""
    from tests.test_digit_classifier import _dash, _dry_three, _pale_one
    gray = (blank_page * 255).astype(np.uint8)
    first, second = _digits(sheet)[1:3]
    for box, draw in zip(first.boxes, (_dash, _dash, _dry_three(192))):
        _draw_in_box(gray, box, draw)
    four = lambda img: cv2.putText(img, "4", (18, 60), cv2.FONT_HERSHEY_SIMPLEX, 1.6, 40, 3, cv2.LINE_AA)
    seven = lambda img: cv2.putText(img, "7", (18, 60), cv2.FONT_HERSHEY_SIMPLEX, 1.6, 40, 3, cv2.LINE_AA)
    for box, draw in zip(second.boxes, (lambda img: _pale_one(img, 207), four, seven)):   # (this paper is white)
        _draw_in_box(gray, box, draw)
    out = read_page_fields(gray, sheet.pages[1], px_per_mm=PX, classifier=default_classifier(), kinds=("digits",))
    a, b = out[first.id], out[second.id]
    assert a.status == "review" and a.box_confidence[2] < 0.5, a
    assert b.status == "review" and EMPTY_BLANK_CONFIDENCE not in b.box_confidence and b.box_confidence[0] < 0.5, b
    from grader.read.numbers import NOTE_BLANK_LEADING, NOTE_FAINT_INK
    assert NOTE_FAINT_INK in a.notes and {NOTE_FAINT_INK, NOTE_BLANK_LEADING} <= set(b.notes), (a, b)
