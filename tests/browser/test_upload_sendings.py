"""The upload page's list of this phone's sendings, on a phone."""
import pytest

from grader.web.testing import jpeg_bytes
from tests.browser.test_browser import PHONE, phone_result

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_the_sendings_list_fits_a_phone_with_an_upload_held_for_its_code(browser, fake_live_server, shots, tmp_path):
    """A sending held for its code says so in the list ("Menunggu kode latihan"); on one line that badge pushed the
    table's score and its "Lihat" link past the right edge of a 390 px screen."""
    ctx, page = phone_result(browser, fake_live_server, tmp_path)      # a graded sheet, then one held for its code
    (tmp_path / "m1.jpg").write_bytes(jpeg_bytes(color="#fdfdfd"))
    page.goto(fake_live_server["url"] + "/")
    page.fill("#code", "ZZZZZZ")
    page.fill("#trainee", "Maya Sari Wulandari")
    page.set_input_files("#photo_1", str(tmp_path / "m1.jpg"))
    page.click("button[type=submit]")
    page.wait_for_selector("text=Periksa kode latihan", timeout=30_000)
    page.goto(fake_live_server["url"] + "/")
    table = page.locator("main table")
    assert "Menunggu kode latihan" in table.inner_text()
    widths = table.evaluate("t => [t.scrollWidth, t.parentElement.clientWidth]")
    assert widths[0] <= widths[1], widths                                 # nothing past the edge to scroll to
    link = table.locator("a").first.bounding_box()
    assert link["x"] + link["width"] <= PHONE["width"]
    table.scroll_into_view_if_needed()
    shots(page, "phone-trainee-sendings")
    ctx.close()


def test_each_sending_is_one_compact_block_on_a_phone_and_a_table_row_on_a_desktop(browser, fake_live_server, shots,
                                                                                   tmp_path):
    """Walk-through at 390 px: as five narrow columns each sending wrapped over four lines (the time a word per
    line, the trainee's name and its badge beside it), so three sendings filled the screen. On a phone each sending
    is now one block: whose it was and its score on a line (the score labelled, as the header is hidden), the badge
    under the name, and when, the code and "Lihat" on a line below. A desktop keeps the table with its header."""
    srv = fake_live_server
    ctx, page = phone_result(browser, srv, tmp_path)                   # a graded sheet (no name)
    for name, code, trainee, wait in (("d_1_blur.jpg", srv["code"], "Dewi Lestari", "Lembar belum dinilai"),
                                      ("m1.jpg", "ZZZZZZ", "Maya Sari Wulandari", "Periksa kode latihan")):
        (tmp_path / name).write_bytes(jpeg_bytes(color="#fdfdfd" if code == "ZZZZZZ" else "#fcfcfc"))
        page.goto(srv["url"] + "/")
        page.fill("#code", code)
        page.fill("#trainee", trainee)
        page.set_input_files("#photo_1", str(tmp_path / name))
        page.click("button[type=submit]")
        page.wait_for_selector(f"text={wait}", timeout=30_000)
    page.goto(srv["url"] + "/")
    table = page.locator("table.sendings")
    table.scroll_into_view_if_needed()
    shots(page, "phone-trainee-sendings-blocks")
    rows = table.locator("tr:has(td)")
    assert rows.count() == 3
    line = page.evaluate("parseFloat(getComputedStyle(document.querySelector('table.sendings td')).lineHeight)")
    assert table.locator("tr.head").bounding_box()["height"] <= 1      # no header row over the blocks
    for i in range(3):
        cells = [rows.nth(i).locator("td").nth(k).bounding_box() for k in range(5)]
        when, who, code, score, link = cells
        # whose and the score on a line, the time, the code and the link on the next: one block, at the width
        assert abs(who["y"] - score["y"]) < 4 and abs(when["y"] - code["y"]) < 4 and abs(when["y"] - link["y"]) < 4
        assert when["y"] >= who["y"] + who["height"] - 1, (i, cells)
        assert when["height"] < 1.6 * line, (i, when, line)              # the time on one line
        assert max(c["x"] + c["width"] for c in cells) <= PHONE["width"]
        badge = rows.nth(i).locator(".badge").count()
        height = rows.nth(i).bounding_box()["height"]
        assert height < (3.6 if badge else 2.6) * line + 16, (i, height, line)
    assert "Nilai" in rows.nth(0).locator("td").nth(3).evaluate("e => getComputedStyle(e, '::before').content")
    widths = table.evaluate("t => [t.scrollWidth, t.parentElement.clientWidth]")
    assert widths[0] <= widths[1], widths
    page.set_viewport_size({"width": 1280, "height": 800})             # a desktop keeps the table and its header
    assert table.locator("th").first.is_visible()
    tops = {round(rows.nth(0).locator("td").nth(k).bounding_box()["y"]) for k in range(5)}
    assert len(tops) == 1, tops
    shots(page, "desktop-trainee-sendings")
    assert rows.nth(0).locator("td").nth(3).evaluate("e => getComputedStyle(e, '::before').content") in ("none", "normal")
    ctx.close()
