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
