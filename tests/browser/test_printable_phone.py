"""The printable feedback (``/hasil/<token>/cetak``) opened on a phone."""
import pytest

from tests.browser.test_browser import no_horizontal_scroll, phone_result

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SMALL_PHONE = {"width": 320, "height": 640}


def test_the_printable_feedback_fits_a_phone_and_offers_print_and_a_way_back(browser, fake_live_server, tmp_path):
    """Rehearsal (helper-185): the printout opened on a 320 px phone was 326 px wide (the picture of the number and
    name written, a wide crop 8 mm high), and had no print button (a phone's browser hides printing in a menu) nor a
    link back to the result. On paper neither shows."""
    srv = fake_live_server
    ctx, page = phone_result(browser, srv, tmp_path)
    page.set_viewport_size(SMALL_PHONE)
    result_url = page.url.split("#")[0]
    page.goto(result_url + "/cetak")
    page.wait_for_selector("img.ident")
    assert no_horizontal_scroll(page), page.evaluate("document.documentElement.scrollWidth")
    button, back = page.locator("button[data-print]"), page.locator("nav.actions a")
    assert button.is_visible() and button.inner_text() == "Cetak"
    assert back.is_visible() and back.get_attribute("href").split("#")[0] in (result_url, result_url[len(srv["url"]):])
    page.evaluate("window.print = () => { window.printed = true; }")
    button.tap()
    assert page.evaluate("window.printed === true")
    page.emulate_media(media="print")
    assert not button.is_visible() and not back.is_visible()
    back_target = back.get_attribute("href")
    page.emulate_media(media="screen")
    page.goto(srv["url"] + back_target if back_target.startswith("/") else back_target)
    page.wait_for_selector("text=Hasil penilaian")
    ctx.close()


def test_the_class_printout_offers_print_and_a_way_back_to_the_class_table(browser, fake_live_server, tmp_path):
    """helper-188: the whole class's printout, opened in a new tab from the class table (on a phone too), had neither a
    print button nor a way back; it has both as a sheet's printout does, on the screen only, back to the table."""
    from tests.browser.test_phone_tables import _graded_class

    srv = fake_live_server
    ctx, page = _graded_class(browser, srv, tmp_path, SMALL_PHONE)
    table = f"/trainer/latihan/{srv['code']}/hasil"
    page.goto(srv["url"] + table + "?sort=score&dir=desc")
    page.goto(srv["url"] + page.locator("a[data-class-printout]").get_attribute("href"))     # (its new tab)
    page.wait_for_selector("section.sheet")
    assert no_horizontal_scroll(page), page.evaluate("document.documentElement.scrollWidth")
    button, back = page.locator("button[data-print]"), page.locator("nav.actions a")
    assert button.is_visible() and button.inner_text() == "Cetak" and back.is_visible()
    page.evaluate("window.print = () => { window.printed = true; }")
    button.click()
    assert page.evaluate("window.printed === true")
    page.emulate_media(media="print")
    assert not button.is_visible() and not back.is_visible()
    page.emulate_media(media="screen")
    back.click()
    page.wait_for_url(f"**{table}?sort=score&dir=desc")
    ctx.close()
