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
