"""The end of the review queue: the trainer is told the queue is done, or what waits that the page does not list."""
import pytest

from tests.browser.test_browser import (DESKTOP, PHONE, _review_queue_after_batch, _three_sheets_zip, trainer_page,
                                        wait_until)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

END = "[data-review-end]"


def _focused(page) -> str:
    return page.evaluate("(() => { const a = document.activeElement; return a.dataset.reviewEnd !== undefined ? "
                         "'end' : a.tagName === 'A' ? 'link:' + a.textContent : (a.closest('form') || {dataset: {}})"
                         ".dataset.field || a.tagName; })()")


def test_the_last_save_says_the_queue_is_done(browser, fake_live_server, tmp_path):
    """Walk-through (trainer, 42 items at 1280 and 390 px): after the last item's Enter nothing changed but its
    fading, the focus left on it: no word that the queue was done, and a field a correction's regrade had put in
    review ("1 isian lain kini perlu dicek; muat ulang halaman", on an item 40 saves up) was easy to miss. The
    last save ends on a card saying the queue is done, focused and in view; the last item settled by the regrade
    of a save (not saved itself) ends it too."""
    from grader.exercise.store import load_key
    from grader.web.testing import jpeg_bytes
    srv, code = fake_live_server, fake_live_server["code"]
    right = str(load_key(code).fields["V.B"])
    ctx, page = _review_queue_after_batch(browser, srv, code, _three_sheets_zip(tmp_path))
    assert page.locator(END).is_hidden()
    for i in range(3):
        page.keyboard.type(right)
        page.keyboard.press("Enter")
        wait_until(page, f"document.querySelectorAll('form[data-review-item]')[{i}].classList.contains('done')")
    wait_until(page, f"!document.querySelector('{END}').hidden")
    end = page.locator(END)
    assert end.inner_text().strip() == "Selesai: semua isian di antrean ini sudah Anda cek. ✓"
    assert page.locator("[data-review-reload]").is_hidden() and _focused(page) == "end"
    assert page.locator("form.current").count() == 0
    ctx.close()

    # on a phone: the sheet's second field is settled by the first's correction; that save ends the queue
    (tmp_path / "sums_1.jpg").write_bytes(jpeg_bytes(color="#e0e0e0"))
    ctx, page = trainer_page(browser, srv, PHONE)
    page.goto(srv["url"] + f"/trainer/latihan/{code}")
    page.set_input_files("input[name=photos]", str(tmp_path / "sums_1.jpg"))
    page.click("form[action$='/batch'] button[type=submit]")
    page.wait_for_selector("[data-show-when=complete]:not([hidden])", timeout=30_000)
    page.goto(srv["url"] + f"/trainer/latihan/{code}/periksa")
    assert page.locator("form[data-review-item]").count() == 2
    page.keyboard.type(right)
    page.keyboard.press("Enter")
    wait_until(page, f"!document.querySelector('{END}').hidden")
    assert "Selesai" in page.locator(END).inner_text() and _focused(page) == "end"
    box = page.locator(END).bounding_box()
    wait_until(page, f"(() => {{ const r = document.querySelector('{END}').getBoundingClientRect(); "
                     f"return r.top >= 0 && r.bottom <= innerHeight; }})()")
    assert box["width"] <= PHONE["width"]
    ctx.close()


def test_a_saves_status_is_one_line_under_its_input_on_a_desktop(browser, fake_live_server, tmp_path):
    """Rehearsal (helper-139, 1366 px): "✓ nilai lembar kini 100" stood beside the save button in a column a word
    wide, four lines high. It goes under the input, on one line."""
    from grader.exercise.store import load_key
    srv, code = fake_live_server, fake_live_server["code"]
    ctx, page = _review_queue_after_batch(browser, srv, code, _three_sheets_zip(tmp_path))
    page.keyboard.type(str(load_key(code).fields["V.B"]))
    page.keyboard.press("Enter")
    wait_until(page, "document.querySelector('form[data-review-item]').classList.contains('done')")
    first = page.locator("form[data-review-item]").first
    status, value = first.locator("[data-review-status]"), first.locator("input[name=value]")
    assert status.inner_text().startswith("✓ nilai lembar kini")
    line = float(status.evaluate("e => parseFloat(getComputedStyle(e).lineHeight) || 20"))
    box, under = status.bounding_box(), value.bounding_box()
    assert box["height"] < 1.5 * line and box["y"] >= under["y"] + under["height"] - 1, (box, under, line)
    ctx.close()


def test_the_end_of_a_queue_cut_at_its_length_offers_the_reload_that_shows_the_rest(browser, fake_live_server,
                                                                                     tmp_path, monkeypatch):
    """A class with more waiting than the page lists (MAX_QUEUE): at its end, the card says how many wait, in the
    page's language, and Enter on its focused link reloads the queue with them."""
    import grader.web.trainer.review as review
    from grader.exercise.store import load_key
    srv, code = fake_live_server, fake_live_server["code"]
    monkeypatch.setattr(review, "MAX_QUEUE", 2)
    right = str(load_key(code).fields["V.B"])
    ctx, page = _review_queue_after_batch(browser, srv, code, _three_sheets_zip(tmp_path))
    page.goto(srv["url"] + f"/trainer/latihan/{code}/periksa?lang=en")
    assert page.locator("form[data-review-item]").count() == 2
    for i in range(2):
        page.keyboard.type(right)
        page.keyboard.press("Enter")
        wait_until(page, f"document.querySelectorAll('form[data-review-item]')[{i}].classList.contains('done')")
    wait_until(page, f"!document.querySelector('{END}').hidden")
    assert "The entries on this page are checked. Other entries that now need checking: 1." in \
        page.locator(END).inner_text()
    assert _focused(page) == "link:Reload the queue"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("form[data-review-item]").count() == 1
    ctx.close()
