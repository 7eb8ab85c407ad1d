"""The marked pages of a result hold their place while they load (a weak link: a page image takes seconds)."""
import pytest

from tests.browser.test_browser import PHONE, no_horizontal_scroll

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_a_marked_page_still_loading_holds_its_place_and_its_caption_stays_under_it(browser, fake_live_server,
                                                                                  shots, tmp_path):
    """Walk-through on a phone: the marked pages, loaded lazily with no size, were a line high while they loaded, the
    captions under them bunched together and the page jumped as each arrived. Held back here, each image already
    takes the height of its template's page at the card's width, its caption below it."""
    from grader.sheet.schema import resolve_template
    from grader.web.testing import jpeg_bytes
    from grader.web.trainer.exercises import TEMPLATE_ID
    srv = fake_live_server
    spec = resolve_template(TEMPLATE_ID)
    (tmp_path / "h_1.jpg").write_bytes(jpeg_bytes())
    (tmp_path / "h_2.jpg").write_bytes(jpeg_bytes(color="#f7f7f7"))
    ctx = browser.new_context(viewport=PHONE, device_scale_factor=1, is_mobile=True, has_touch=True)
    held = []
    ctx.route("**/gambar/page*", lambda route: held.append(route))                 # the marked pages never arrive
    page = ctx.new_page()
    page.goto(srv["url"] + "/")
    page.fill("#code", srv["code"])
    page.set_input_files("#photo_1", str(tmp_path / "h_1.jpg"))
    page.set_input_files("#photo_2", str(tmp_path / "h_2.jpg"))
    page.click("button[type=submit]")
    page.wait_for_selector("text=Hasil penilaian", timeout=30_000)
    figures = page.locator("figure:has(img.sheet-img)")
    assert figures.count() == 2
    for i in range(2):
        figures.nth(i).scroll_into_view_if_needed()
        img = figures.nth(i).locator("img.sheet-img")
        assert not img.evaluate("i => i.complete && i.naturalWidth > 0")         # still loading
        box, caption = img.bounding_box(), figures.nth(i).locator("figcaption").bounding_box()
        assert abs(box["height"] - box["width"] * spec.page_h_mm / spec.page_w_mm) < 3, (i, box)
        assert caption["y"] >= box["y"] + box["height"] - 1, (i, box, caption)
    assert no_horizontal_scroll(page)
    shots(page, "phone-trainee-result-pages-loading")
    for route in held:
        route.abort()
    ctx.close()
