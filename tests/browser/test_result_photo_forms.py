"""A result's photo cards ("Foto ulang", "Foto halaman 2") on a phone, with the pages' script on and off."""
import pytest

from tests.browser.test_browser import PHONE

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _refused_page_2(browser, srv, tmp_path, *, js):
    """A phone that sent page 1 and a blurry page 2 (the fake pipeline refuses it), on the result page."""
    from grader.web.testing import jpeg_bytes
    ctx = browser.new_context(viewport=PHONE, device_scale_factor=1, is_mobile=True, has_touch=True,
                              java_script_enabled=js)
    page = ctx.new_page()
    page.goto(srv["url"] + "/")
    page.fill("#code", srv["code"])
    page.fill("#trainee", "017")
    for n, name in ((1, "017solo_p1.jpg"), (2, "017solo_blur_p2.jpg")):
        (tmp_path / name).write_bytes(jpeg_bytes(color=f"#e{n}e{n}e{n}"))
        page.set_input_files(f"#photo_{n}", str(tmp_path / name))
    page.tap("button[type=submit]")
    # (page 2 is the one photo refused: its card is the first; without the script the page comes by its refresh)
    page.wait_for_selector("#retake-1", state="attached", timeout=15_000)
    return ctx, page


def _on_screen(page, selector) -> bool:
    box = page.locator(selector).bounding_box()
    return box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"] and box["height"] > 0


def test_without_the_script_the_photo_chosen_for_a_retake_is_seen_before_kirim(browser, fake_live_server, tmp_path):
    """Rehearsal (helper-185, script off): "Foto ulang" opened the picker, but its input sat 9999 px off the screen,
    so once a photo was chosen nothing on the page changed, and "Kirim" was tapped not knowing whether one was
    (a tap without one said "Berkas kosong"). Without the script the input shows, with the chosen photo's name."""
    ctx, page = _refused_page_2(browser, fake_live_server, tmp_path, js=False)
    (tmp_path / "ulang_p2.jpg").write_bytes(b"\xff\xd8 not sent")
    page.set_input_files("#retake-1", str(tmp_path / "ulang_p2.jpg"))
    assert _on_screen(page, "#retake-1")
    assert page.locator("#retake-1").evaluate("i => i.files[0].name") == "ulang_p2.jpg"
    assert page.locator("form:has(#retake-1) button[type=submit]:not([hidden])").is_visible()     # then "Kirim"
    ctx.close()


def test_with_the_script_a_retakes_input_stays_behind_its_button(browser, fake_live_server, tmp_path):
    """With the script the photo is sent as soon as it is chosen: the card shows its "Foto ulang" button only."""
    ctx, page = _refused_page_2(browser, fake_live_server, tmp_path, js=True)
    assert not _on_screen(page, "#retake-1") and page.locator("label[for=retake-1]").is_visible()
    ctx.close()
