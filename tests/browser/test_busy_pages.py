"""What a phone's sending and the review queue's save show when the database stays locked past its busy timeout
(another writer holding it): said in the page, the photos still chosen and the value still typed, to send again."""
import contextlib

import pytest

import grader.web.db as db
from tests.browser.test_browser import PHONE, _review_queue_after_batch, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@contextlib.contextmanager
def locked(srv):
    """The live server's database held by a second connection (``BEGIN IMMEDIATE``) within the block."""
    conn = db.connect(srv["app"].config["DATABASE"])
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        conn.execute("ROLLBACK")
        conn.close()


def test_a_phones_sending_that_meets_the_database_locked_says_its_photos_are_kept_and_keeps_the_form(
        browser, fake_live_server, shots, tmp_path, monkeypatch):
    from grader.web.testing import jpeg_bytes
    srv = fake_live_server
    (tmp_path / "s1.jpg").write_bytes(jpeg_bytes(color="#e8e8e8"))
    ctx = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = ctx.new_page()
    page.goto(srv["url"] + "/")                        # (the start's recovery, before the lock)
    monkeypatch.setattr(db, "BUSY_TIMEOUT_MS", 300)
    page.fill("#code", srv["code"])
    page.fill("#trainee", "Siti")
    page.set_input_files("#photo_1", str(tmp_path / "s1.jpg"))
    with locked(srv):
        page.click("button[type=submit]")
        page.wait_for_selector("text=belum tercatat", timeout=30_000)
    said = page.locator("main").inner_text()
    assert "Foto Anda sudah sampai dan disimpan di server" in said and "Terjadi kesalahan pada server" not in said
    assert page.evaluate("document.querySelector('#photo_1').files.length") == 1     # the photo still chosen
    assert page.input_value("#trainee") == "Siti"
    shots(page, "phone-upload-busy")
    page.click("button[type=submit]")                  # sent again, the lock gone: its result
    page.wait_for_url("**/hasil/**", timeout=30_000)
    ctx.close()


def test_a_save_in_the_review_queue_that_meets_the_database_locked_says_not_saved_and_keeps_the_value(
        browser, fake_live_server, shots, tmp_path, monkeypatch):
    from grader.web.testing import jpeg_bytes
    srv, code = fake_live_server, fake_live_server["code"]
    (tmp_path / "a_1.jpg").write_bytes(jpeg_bytes(color="#e0e0e0"))
    ctx, page = _review_queue_after_batch(browser, srv, code, tmp_path / "a_1.jpg")
    item = page.locator("form[data-review-item]").first
    monkeypatch.setattr(db, "BUSY_TIMEOUT_MS", 300)
    with locked(srv):
        item.locator("input[name=value]").fill("7")
        page.keyboard.press("Enter")
        wait_until(page, "!document.querySelector('form[data-review-item] [data-review-error]').hidden")
    said = item.locator("[data-review-error]").inner_text()
    assert "BELUM tersimpan" in said and "menjadi 7" in said
    assert item.locator("input[name=value]").input_value() == "7"                  # still typed
    assert not item.evaluate("f => f.classList.contains('done')")
    shots(page, "desktop-review-busy")
    page.keyboard.press("Enter")                       # saved again, the lock gone
    wait_until(page, "document.querySelector('form[data-review-item]').classList.contains('done')")
    ctx.close()
