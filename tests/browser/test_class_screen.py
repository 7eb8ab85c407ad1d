"""The class screen (trainer/screen.html) on a projector and on a phone, with its QR code."""
import pytest

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
from grader.web.testing import TEST_PASSWORD
from tests.browser.test_browser import no_horizontal_scroll

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.mark.parametrize("size", [(1024, 768), (1366, 768), (1024, 650), (390, 844)],
                         ids=["projector", "laptop", "projector_with_toolbars", "phone"])
def test_the_qr_the_address_and_the_code_are_seen_without_scrolling(live_server, shots, size):
    """Rehearsal (helper-140): on a 1024 x 768 projector the page was 892 px high; the exercise code, which a phone
    that cannot scan types, was below the fold, and a browser's toolbars hid more. The QR stands beside the words on
    a landscape screen, as large as the height allows; on a phone, above them."""
    from playwright.sync_api import sync_playwright
    host = "kelas.local"          # (a name, as phones on the class's network reach it: the QR is shown)
    url = live_server["url"].replace("127.0.0.1", host)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                                    args=[*CHROMIUM_ARGS, f"--host-resolver-rules=MAP {host} 127.0.0.1"])
        page = browser.new_context(viewport={"width": size[0], "height": size[1]}).new_page()
        page.goto(url + "/trainer/masuk")
        page.fill("#name", "Pak Budi")
        page.fill("#password", TEST_PASSWORD)
        page.click("button[type=submit]")
        page.goto(url + f"/trainer/latihan/{live_server['code']}/layar")
        shots(page, f"class-screen-{size[0]}x{size[1]}")
        boxes = {name: page.locator(sel).bounding_box() for name, sel in
                 (("qr", ".screen-qr svg"), ("url", ".screen-url"), ("code", ".screen-code code"))}
        if size[0] > size[1]:
            for name, box in boxes.items():
                assert box["y"] >= 0 and box["y"] + box["height"] <= size[1], (name, box)
            assert boxes["qr"]["height"] >= 0.6 * size[1] - 120, boxes["qr"]      # large: read from the back
        else:
            assert boxes["qr"]["y"] + boxes["qr"]["height"] <= size[1] and boxes["qr"]["width"] >= 0.8 * size[0]
        assert no_horizontal_scroll(page)
        # (helper-142: at 1024 px the address broke inside its code, "…/?kod" / "e=67RUA6"; it breaks before "?")
        query_lines = page.evaluate("""() => { const r = document.createRange();
            r.selectNodeContents(document.querySelector('.screen-url span'));
            return new Set([...r.getClientRects()].map(x => Math.round(x.top))).size; }""")
        assert page.locator(".screen-url").inner_text().endswith(f"?kode={live_server['code']}") and query_lines == 1
        browser.close()
