"""The review queue when another tab changed the sheets it lists meanwhile: a sheet removed, a field corrected."""
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


def test_a_field_corrected_in_another_tab_is_named_and_enter_again_replaces_it(browser, fake_live_server, tmp_path):
    """Rehearsal (helper-139): two tabs of the queue, A saved 53, then B (not reloaded) saved 58 and was told
    "saved", replacing A's correction unsaid. B is told what A saved, and Enter again replaces it."""
    from grader.web.testing import jpeg_bytes
    srv, code = fake_live_server, fake_live_server["code"]
    (tmp_path / "a_1.jpg").write_bytes(jpeg_bytes(color="#e0e0e0"))
    ctx, tab_b = _review_queue_after_batch(browser, srv, code, tmp_path / "a_1.jpg")
    tab_a = ctx.new_page()
    tab_a.goto(srv["url"] + f"/trainer/latihan/{code}/periksa")
    for tab, value in ((tab_a, "53"), (tab_b, "58")):
        tab.locator("form[data-review-item] input[name=value]").first.fill(value)
        tab.keyboard.press("Enter")
        wait_until(tab, "(() => { const f = document.querySelector('form[data-review-item]'); return "
                        "f.classList.contains('done') || !f.querySelector('[data-review-error]').hidden; })()")
    said = tab_b.locator("form[data-review-item] [data-review-error]")
    assert said.is_visible() and said.inner_text() == (
        "Pak Budi sudah mengoreksi isian V.B menjadi 53 setelah halaman ini dibuka. Simpan lagi untuk menggantinya "
        "dengan 58.")
    assert "done" not in (tab_b.locator("form[data-review-item]").get_attribute("class") or "")
    tab_b.locator("form[data-review-item] input[name=value]").first.focus()
    tab_b.keyboard.press("Enter")
    wait_until(tab_b, "document.querySelector('form[data-review-item]').classList.contains('done')")
    sheet = tab_a.locator("form[data-review-item] a").first.get_attribute("href").split("#")[0]
    tab_a.goto(srv["url"] + sheet)
    row = tab_a.locator("[id='f-V.B']").first.inner_text()
    assert "58" in row and "53" not in row, row
    ctx.close()
