"""The marked page: captions are readable where they are drawn (grader.grading.annotate)."""
import numpy as np
import pytest

from grader.grading.annotate import COLOURS, FRAME_MARGIN_MM, annotate_page
from grader.sheet.identity import SheetIdentity
from grader.sheet.render import MM_PER_INCH, render_page

PX = 8.0


@pytest.fixture(scope="module")
def page1(sheet):
    ident = SheetIdentity(template="chasil-kwk", version=1, page=1, contest="bupati", pairs=4, exercise="T3ST01")
    gray = np.asarray(render_page(sheet, sheet.pages[0], ident, dpi=PX * MM_PER_INCH).convert("L"))
    return sheet.pages[0], np.dstack([gray] * 3)


def _colour_pixels(img, colour, x0_mm, x1_mm, y0_mm, y1_mm):
    a = np.asarray(img, np.int16)[int(y0_mm * PX):int(y1_mm * PX), int(x0_mm * PX):int(x1_mm * PX)]
    return int((np.abs(a - np.array(colour)).sum(axis=2) < 60).sum())


def test_a_wrong_fields_expected_value_is_drawn_before_the_next_columns_frame(page1):
    """QA: "112 → 113" beside an L field ran under the P field's frame, hiding the expected value."""
    page, image = page1
    fields = {f.id: f for f in page.fields}
    lf, pf = fields["I.A.1.L"], fields["I.A.1.P"]
    red = COLOURS["wrong"]
    gap = (lf.rect.x2 + FRAME_MARGIN_MM + 0.3, pf.rect.x - FRAME_MARGIN_MM - 0.3)
    inside_p = (pf.rect.x, pf.rect.x2, pf.rect.y - 0.5, pf.rect.y2 + 0.5)           # P's boxes
    wrong_l = {"id": "I.A.1.L", "status": "wrong", "value": 112, "expected": 113}
    for res in ([wrong_l], [wrong_l, {"id": "I.A.1.P", "status": "ok", "value": 5}]):
        img = annotate_page(image, page, res, px_per_mm=PX)
        assert _colour_pixels(img, red, *gap, lf.rect.y, lf.rect.y2) > 40      # the caption is in the gap
        assert _colour_pixels(img, red, *inside_p) == 0                       # and none of it on P's boxes
    # a blank field says so inside its own (empty) frame
    img = annotate_page(image, page, [{"id": "I.A.1.L", "status": "blank", "value": None, "expected": 7}], px_per_mm=PX)
    amber = COLOURS["blank"]
    assert _colour_pixels(img, amber, lf.rect.x + 1, lf.rect.x2 - 1, lf.rect.y + 1, lf.rect.y2 - 1) > 40


def test_the_boxes_we_were_unsure_of_are_marked_inside_their_fields_frame(page1):
    """A field in review marks the boxes the reader was unsure of (the page names them: "kami belum yakin membaca
    kotak ke-3"), where a trainer looks first; the other boxes keep the field's light tint."""
    page, image = page1
    f = {x.id: x for x in page.fields}["I.A.1.L"]
    review = {"id": "I.A.1.L", "status": "review", "value": 71, "expected": 71}
    boxes = f.boxes

    def tinted(img, b):      # mean shift of a box's inner paper towards amber (its middle, away from the border)
        a = np.asarray(img, np.float64)[int((b.y + 2) * PX):int((b.y2 - 2) * PX), int((b.x + 2) * PX):int((b.x2 - 2) * PX)]
        return float(np.abs(a - np.asarray(image, np.float64)[int((b.y + 2) * PX):int((b.y2 - 2) * PX),
                                                                 int((b.x + 2) * PX):int((b.x2 - 2) * PX)]).mean())

    plain = annotate_page(image, page, [review], px_per_mm=PX)
    marked = annotate_page(image, page, [{**review, "unsure_boxes": [2]}], px_per_mm=PX)
    assert tinted(marked, boxes[2]) > 2 * tinted(plain, boxes[2])
    assert tinted(marked, boxes[0]) == pytest.approx(tinted(plain, boxes[0])) == pytest.approx(tinted(marked, boxes[1]))
    # a field not in review (a trainer settled it) has no box marked
    settled = annotate_page(image, page, [{**review, "status": "ok", "unsure_boxes": [2]}], px_per_mm=PX)
    assert tinted(settled, boxes[2]) == pytest.approx(tinted(settled, boxes[0]))


def test_the_tally_cells_in_doubt_are_marked_inside_their_fields_frame(sheet):
    """A tally in review marks the cells its reader doubted (the queue names them: "baris 2, kolom 3"), so that a
    trainer checks one cell instead of counting the whole field; the field's other cells keep its light tint."""
    ident = SheetIdentity(template="chasil-kwk", version=1, page=2, contest="bupati", pairs=4, exercise="T3ST01")
    page = sheet.pages[1]
    gray = np.asarray(render_page(sheet, page, ident, dpi=PX * MM_PER_INCH).convert("L"))
    image = np.dstack([gray] * 3)
    f = {x.id: x for x in page.fields}["IV.1.tally"]
    review = {"id": "IV.1.tally", "status": "review", "value": 54, "expected": 54}

    def tinted(img, b):
        rows, cols = slice(int((b.y + 1.5) * PX), int((b.y2 - 1.5) * PX)), slice(int((b.x + 1.5) * PX), int((b.x2 - 1.5) * PX))
        return float(np.abs(np.asarray(img, np.float64)[rows, cols] - image[rows, cols]).mean())

    plain = annotate_page(image, page, [review], px_per_mm=PX)
    marked = annotate_page(image, page, [{**review, "unsure_cells": [{"cell": 10, "row": 2, "col": 3, "read": 4}]}],
                           px_per_mm=PX)
    assert f.cell_place(10) == (2, 3)
    assert tinted(marked, f.cells[10]) > 2 * tinted(plain, f.cells[10])
    assert tinted(marked, f.cells[9]) == pytest.approx(tinted(plain, f.cells[9]))
    # settled by a trainer: nothing marked
    settled = annotate_page(image, page, [{**review, "status": "ok", "unsure_cells": [{"cell": 10}]}], px_per_mm=PX)
    assert tinted(settled, f.cells[10]) == pytest.approx(tinted(annotate_page(image, page, [{**review, "status": "ok"}],
                                                                              px_per_mm=PX), f.cells[10]))
