"""Pages read in English on a narrow phone (400 px): what is hidden stays hidden, and nothing is wider than the
screen. The fake pipeline (grader.web.testing) is enough: what is tested is the page."""
import pytest

from tests.browser.test_browser import no_horizontal_scroll, trainer_page

pytestmark = [pytest.mark.browser, pytest.mark.slow]

NARROW = {"width": 400, "height": 860}


def test_a_refused_photos_card_offers_the_retake_only_until_a_sending_fails(browser, fake_live_server, shots,
                                                                            tmp_path):
    """The retake form's "Send again" button is for after a failed sending (its `hidden` attribute, app.js): the
    stylesheet's `button { display: inline-block }` showed it from the start, a second big button under "Retake
    photo" that sent the form with no photo."""
    from grader.web.testing import jpeg_bytes
    srv = fake_live_server
    ctx = browser.new_context(viewport=NARROW)
    page = ctx.new_page()
    page.goto(srv["url"] + "/?lang=en")
    page.fill("#code", srv["code"])
    (tmp_path / "p1_blur.jpg").write_bytes(jpeg_bytes())
    page.set_input_files("#photo_1", str(tmp_path / "p1_blur.jpg"))
    page.click("button[type=submit]")
    page.wait_for_selector("#retake-1", state="attached", timeout=15_000)
    assert page.locator("label[for=retake-1]").is_visible() and page.locator("label[for=retake-1]").inner_text() \
        == "Retake photo"
    assert not page.locator("[data-resend]").is_visible()
    assert no_horizontal_scroll(page)
    shots(page, "narrow-en-trainee-retake")
    ctx.close()


def test_the_trainers_exercise_list_fits_a_narrow_screen(browser, fake_live_server, shots):
    """The new-exercise form's contest names ("PEMILIHAN GUBERNUR DAN WAKIL GUBERNUR") widened its column past
    the screen, and both cards with it."""
    ctx, page = trainer_page(browser, fake_live_server, NARROW)
    page.goto(fake_live_server["url"] + "/trainer/?lang=en")
    assert no_horizontal_scroll(page)
    shots(page, "narrow-en-trainer-exercises")
    ctx.close()


def test_a_batchs_refusal_reasons_are_readable_on_a_narrow_screen(browser, fake_live_server, shots, tmp_path):
    """The batch table's last columns were squeezed to the width of one letter on a phone: a refusal's reason
    stood one word, or a few letters, to a line."""
    srv = fake_live_server
    ctx, page = _narrow_trainer_after_a_batch(browser, srv, tmp_path, "017_1_blur.jpg")
    page.reload()
    state = page.locator("#items td[data-col=state]").first
    assert "too blurry" in state.inner_text() and state.bounding_box()["width"] >= 160
    assert no_horizontal_scroll(page)                 # (the table scrolls in its own frame)
    shots(page, "narrow-en-trainer-batch")
    ctx.close()


def test_the_class_table_fits_a_narrow_screen_in_english(browser, fake_live_server, shots, tmp_path):
    """Its English headers ("Score", "Wrong", "To check", "Blank") are longer than the Indonesian ones: the last
    column was off the screen of a 400 px phone."""
    srv = fake_live_server
    ctx, page = _narrow_trainer_after_a_batch(browser, srv, tmp_path, "017_1.jpg")
    page.goto(srv["url"] + f"/trainer/latihan/{srv['code']}/hasil")
    wrap = page.evaluate("(() => { const w = document.querySelector('#class-table').closest('.table-wrap');"
                         " return [w.scrollWidth, w.clientWidth]; })()")
    assert wrap[0] <= wrap[1], wrap
    shots(page, "narrow-en-trainer-class-table")
    ctx.close()


def _narrow_trainer_after_a_batch(browser, srv, tmp_path, name):
    """A trainer on a narrow screen, in English, who has batch-graded one photo ``name``: on that batch's page."""
    from grader.web.testing import jpeg_bytes
    ctx, page = trainer_page(browser, srv, NARROW)
    page.goto(srv["url"] + f"/trainer/latihan/{srv['code']}?lang=en")
    (tmp_path / name).write_bytes(jpeg_bytes())
    page.set_input_files("input[name=photos]", str(tmp_path / name))
    page.click("form[action$='/batch'] button[type=submit]")
    page.wait_for_selector("[data-show-when=complete]:not([hidden])", timeout=30_000)
    return ctx, page
