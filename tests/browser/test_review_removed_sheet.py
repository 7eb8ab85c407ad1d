"""The review queue when a sheet it lists is removed meanwhile, in another tab."""
import io
import zipfile

import pytest

from tests.browser.test_browser import _review_queue_after_batch, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_a_save_on_a_sheet_removed_in_another_tab_says_so_and_the_keyboard_goes_on(browser, fake_live_server, shots,
                                                                                    tmp_path):
    """Rehearsal (helper-139): the sheet removed in another tab, Enter on its entry said "Lembar ini belum punya
    hasil" and the keyboard path stopped there; each of the sheet's other entries failed the same way in turn. Now
    the entry says the sheet was removed, the sheet's other entries are marked so, and the focus goes on to the
    next sheet's entry."""
    from grader.web.testing import jpeg_bytes
    srv, code = fake_live_server, fake_live_server["code"]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:          # (the fake pipeline: two entries to review on "sums", one on "b")
        zf.writestr("sums_1.jpg", jpeg_bytes(color="#e0e0e0"))
        zf.writestr("b_1.jpg", jpeg_bytes(color="#f0f0f0"))
    (tmp_path / "k.zip").write_bytes(buf.getvalue())
    ctx, page = _review_queue_after_batch(browser, srv, code, tmp_path / "k.zip")
    items = page.locator("form[data-review-item]")
    assert items.count() == 3
    sids = [items.nth(i).get_attribute("data-sid") for i in range(3)]
    gone = next(s for s in sids if sids.count(s) == 2)      # the sheet with two entries
    first = sids.index(gone)

    other = ctx.new_page()                                  # another tab removes that sheet
    other.goto(srv["url"] + f"/trainer/lembar/{gone}")
    other.click("details.danger summary")
    other.check("input[name=confirm]")
    other.click("form[action$='/hapus'] button[type=submit]")
    other.wait_for_load_state()
    other.close()

    items.nth(first).locator("input[name=value]").fill("7")
    page.keyboard.press("Enter")
    wait_until(page, f"document.querySelectorAll('form[data-review-item]')[{first}].classList.contains('done')")
    said = items.nth(first).locator("[data-review-error]")
    assert said.is_visible() and said.inner_text() == "Lembar ini sudah dihapus oleh pelatih, beserta fotonya."
    for i, sid in enumerate(sids):
        done = items.nth(i).evaluate("f => f.classList.contains('done')")
        assert done == (sid == gone), (i, sid)
    focused = page.evaluate("document.activeElement.closest('form') && document.activeElement.closest('form')"
                            ".dataset.sid")
    assert focused != gone and focused in sids
    shots(page, "desktop-review-sheet-removed")
    ctx.close()
