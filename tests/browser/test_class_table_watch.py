"""The class table, left open on the trainer's screen while the class sends its photos."""
import pytest

from tests.browser.test_browser import DESKTOP, phone_result, trainer_page

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_an_open_class_table_shows_a_sheet_sent_after_it_was_opened(browser, fake_live_server, shots, tmp_path):
    """Rehearsal (helper-89): the class table stayed "Belum ada lembar untuk latihan ini." while the class sent
    their sheets; it took them only once the trainer reloaded it. It now takes them by itself, within seconds."""
    srv = fake_live_server
    ctx, page = trainer_page(browser, srv, DESKTOP)
    page.goto(srv["url"] + f"/trainer/latihan/{srv['code']}/hasil")
    page.wait_for_selector("text=Belum ada lembar untuk latihan ini.")
    page.evaluate("window.notReloaded = true")
    trainee, _ = phone_result(browser, srv, tmp_path)                  # a trainee sends a sheet, graded
    trainee.close()
    page.wait_for_selector("#class-table tbody tr", timeout=20_000)
    assert page.evaluate("window.notReloaded === undefined")             # (taken by the page itself)
    shots(page, "class-table-filled-while-open")
    ctx.close()
