"""A name typed with no space, longer than a phone's line, on the trainee's pages."""
import pytest

from tests.browser.test_browser import PHONE, no_horizontal_scroll

pytestmark = [pytest.mark.browser, pytest.mark.slow]

LONG = "Raden_Mas_Muhammad_Abdurrahman_Kusumawardhani_Prawirodirjo"


@pytest.mark.parametrize("photos", [("017solo_p1.jpg",), ("a_blur_p1.jpg", "a_blur_p2.jpg")],
                         ids=["graded", "refused"])
def test_a_long_name_typed_with_no_space_keeps_the_result_page_within_a_phone(browser, fake_live_server, tmp_path,
                                                                                photos):
    """Rehearsal (helper-185, 390 px): "Raden_Mas_Muhammad_…" (59 characters, no space) widened a graded result to
    584 px (the sheet's facts, a grid whose column took the whole word) and a sheet refused whole to 572 px
    ("Peserta: …"), the page sliding sideways under the thumb. The name is broken to fit."""
    from grader.web.testing import jpeg_bytes
    srv = fake_live_server
    ctx = browser.new_context(viewport=PHONE, device_scale_factor=1, is_mobile=True, has_touch=True)
    page = ctx.new_page()
    page.goto(srv["url"] + "/")
    page.fill("#code", srv["code"])
    page.fill("#trainee", LONG)
    for n, name in enumerate(photos, start=1):
        (tmp_path / name).write_bytes(jpeg_bytes(color=f"#e{n}e{n}e{n}"))
        page.set_input_files(f"#photo_{n}", str(tmp_path / name))
    page.tap("button[type=submit]")
    page.wait_for_selector("text=Kirim lembar lain", timeout=15_000)
    assert LONG[:20] in page.inner_text("main")
    assert no_horizontal_scroll(page), page.evaluate("document.documentElement.scrollWidth")
    ctx.close()
