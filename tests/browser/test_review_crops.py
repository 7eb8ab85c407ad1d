"""The review queue's crops at a size a trainer can judge them by."""
import pytest
from PIL import Image

from tests.browser.test_browser import DESKTOP, PHONE, _review_queue_after_batch, _three_sheets_zip, trainer_page

pytestmark = [pytest.mark.browser, pytest.mark.slow]

#: what the reader crops, in pixels: a pair's bubble column (three columns of 0-9) and its tally grid (8 x 5 cells)
BUBBLES, TALLY = (168, 329), (440, 324)


def test_a_bubbles_or_tally_crop_in_the_review_queue_is_big_enough_to_count(browser, fake_live_server,
                                                                             isolated_data_dir, tmp_path):
    """Walk-through: a trainee disputed a tally count, and the queue showed the tally grid 122 x 90 px (a bubble
    column 46 x 90 px: 9 px a bubble), every crop held to the height of a row of digit boxes. Nobody can count 68
    strokes or see which bubble is filled at that size, and the crop is all the queue shows. A taller crop keeps
    its height up to the width a digits crop has; a digits crop is as before."""
    srv, code = fake_live_server, fake_live_server["code"]
    ctx, page = _review_queue_after_batch(browser, srv, code, _three_sheets_zip(tmp_path))
    ctx.close()
    with srv["app"].app_context():
        from grader.web.db import get_db
        tokens = {r["group_key"]: r["token"] for r in get_db().execute("SELECT group_key, token FROM submissions")}
    for group, size in (("a", BUBBLES), ("b", TALLY)):
        Image.new("L", size, 200).save(isolated_data_dir / "submissions" / tokens[group] / "derived" / "crops" / "V.B.png")
    for viewport in (DESKTOP, PHONE):
        ctx, page = trainer_page(browser, srv, viewport)
        page.goto(srv["url"] + f"/trainer/latihan/{code}/periksa")
        shown = {}
        for item in page.locator("form[data-review-item]").all():
            img = item.locator("img.crop")
            img.scroll_into_view_if_needed()
            page.wait_for_function("i => i.complete && i.naturalWidth > 0", arg=img.element_handle())
            shown[(img.evaluate("i => i.naturalWidth"), img.evaluate("i => i.naturalHeight"))] = img.bounding_box()
        bubbles, tally, digits = shown[BUBBLES], shown[TALLY], shown[(90, 36)]
        assert bubbles["height"] >= 200, bubbles                           # 20 px a bubble
        assert tally["width"] >= 210, tally
        assert (round(digits["width"]), round(digits["height"])) == (90 + 2, 36 + 2)   # as it is, with its border
        ctx.close()
