"""A number written across its boxes (a digit straddling a printed border) is noticed, and said as a writing
convention for the trainer to check; digits one per box, X's touching a border, and a 1 against it are not."""
from __future__ import annotations

import cv2
import numpy as np
import pytest

from grader.grading.findings import ACROSS_BORDERS, conventions
from grader.read.across_borders import straddled_borders
from grader.read.numbers import NOTE_ACROSS_BORDERS
from grader.read.sheet_reader import FieldReading
from grader.sheet.layout import layout_sheet
from grader.sheet.schema import resolve_template

PPM = 8.0


def _field():
    sheet = layout_sheet(resolve_template("chasil-kwk"), contest="bupati", pairs=3)
    page = sheet.pages[0]
    f = next(f for f in page.fields if f.kind == "digits" and len(f.boxes) == 3)
    return sheet, page, f, dict(page.frames)[f.boxes[0]]


def _page_with(draw) -> tuple[np.ndarray, object, float]:
    """A warped page (white, at PPM) with the field's printed boxes and what ``draw(img, boxes_px)`` writes."""
    sheet, page, f, line_mm = _field()
    img = np.full((round(page.height_mm * PPM), round(page.width_mm * PPM)), 235, np.uint8)
    boxes_px = []
    for b in f.boxes:
        x, y, w, h = b.to_px(PPM)
        cv2.rectangle(img, (x, y), (x + w - 1, y + h - 1), 30, max(1, round(line_mm * PPM)))
        boxes_px.append((x, y, w, h))
    draw(img, boxes_px)
    return img, f, line_mm


def _digit(img, text, cx, box):
    """A handwritten-sized digit (two thirds of the box's height) centred at x = ``cx``."""
    _, y, _, h = box
    scale = cv2.getFontScaleFromHeight(cv2.FONT_HERSHEY_SIMPLEX, int(h * 0.6), 3)
    (tw, th), _ = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, scale, 3)
    cv2.putText(img, text, (int(cx - tw / 2), int(y + h / 2 + th / 2)), cv2.FONT_HERSHEY_SIMPLEX, scale, 40, 3,
                cv2.LINE_AA)


def _cross(img, box):
    x, y, w, h = box
    cv2.line(img, (x + 1, y + 1), (x + w - 2, y + h - 2), 40, 3, cv2.LINE_AA)
    cv2.line(img, (x + w - 2, y + 1), (x + 1, y + h - 2), 40, 3, cv2.LINE_AA)


def test_a_number_centred_over_three_boxes_straddles_both_inner_borders():
    """'47' centred over three boxes, as a trainee who ignores the boxes writes it: each digit on a border."""
    def draw(img, boxes):
        for text, (x, _, _, _), box in zip("47", boxes[1:], boxes[1:]):
            _digit(img, text, x, box)
    img, f, line_mm = _page_with(draw)
    assert straddled_borders(img, f.boxes, line_mm=line_mm, px_per_mm=PPM) == [0, 1]


@pytest.mark.parametrize("case", ["X47", "XX7", "1 against the border", "blank"])
def test_digits_one_per_box_straddle_nothing(case):
    """Written as the convention asks, or an X's arms touching the border the next X touches, or a 1 written against
    a border: the middles of the boxes hold ink, or only one side of the border does."""
    def draw(img, boxes):
        if case == "1 against the border":
            x, _, w, _ = boxes[1]
            _digit(img, "1", x + w * 0.2, boxes[1])
            _digit(img, "7", boxes[2][0] + boxes[2][2] / 2, boxes[2])
            return
        for c, box in zip(case if case != "blank" else "", boxes):
            if c == "X":
                _cross(img, box)
            else:
                _digit(img, c, box[0] + box[2] / 2, box)
    img, f, line_mm = _page_with(draw)
    assert straddled_borders(img, f.boxes, line_mm=line_mm, px_per_mm=PPM) == []


def test_a_number_across_the_boxes_is_said_as_a_convention_for_review_never_a_charge():
    sheet, _, f, _ = _field()
    r = FieldReading(f.id, "digits", 1, None, 0.5, "review", ("", "4", ""), (0.99, 0.6, 0.99),
                     (NOTE_ACROSS_BORDERS,))
    found = [x for x in conventions(sheet, {f.id: r}) if x.code == ACROSS_BORDERS]
    assert len(found) == 1 and found[0].severity == "review" and found[0].fields == (f.id,)
    assert "satu angka per kotak" in found[0].message_id and "one digit per box" in found[0].message_en


def test_the_reader_notes_a_number_across_the_boxes_on_its_field_alone_and_keeps_it_in_review(sheet, blank_page):
    """On the printed page: '47' centred over one field's three boxes, '120' written one per box in another."""
    from grader.read.sheet_reader import read_page_fields
    from grader.recognize.digit_classifier import default_classifier

    gray = (blank_page * 255).astype(np.uint8)
    fields = [f for f in sheet.pages[1].fields if f.kind == "digits" and len(f.boxes) == 3]
    across, proper = fields[0], fields[1]
    boxes = [b.to_px(PPM) for b in across.boxes]
    for text, box in zip("47", boxes[1:]):
        _digit(gray, text, box[0], box)
    for text, b in zip("120", proper.boxes):
        box = b.to_px(PPM)
        _digit(gray, text, box[0] + box[2] / 2, box)
    out = read_page_fields(gray, sheet.pages[1], px_per_mm=PPM, classifier=default_classifier(), kinds=("digits",))
    assert NOTE_ACROSS_BORDERS in out[across.id].notes and out[across.id].status == "review"
    assert [fid for fid, r in out.items() if NOTE_ACROSS_BORDERS in r.notes] == [across.id]
    assert out[proper.id].value == 120
