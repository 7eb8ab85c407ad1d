"""A trainer's batch page watched live while its pages are graded, then paired per trainee and graded again."""
import pytest

from grader.web.testing import jpeg_bytes
from tests.browser.test_browser import PHONE, trainer_page

pytestmark = [pytest.mark.browser, pytest.mark.slow]
DESKTOP = {"width": 1280, "height": 800}


@pytest.fixture
def slow_live_server(isolated_data_dir, monkeypatch):
    """The fake pipeline, a second a sheet, one at a time: the page is watched while its rows change."""
    from tests.browser import slow_pipeline
    from tests.browser.conftest import _serve
    monkeypatch.setattr(slow_pipeline, "DELAY_S", 1.0)
    yield from _serve({"JOBS_MODE": "thread", "JOBS_WORKERS": 1, "PIPELINE": "tests.browser.slow_pipeline"})


def rows_of(page) -> list[tuple[str, str, str, str, str]]:
    """The batch table as shown: each row's id, trainee, files, state and score."""
    return page.eval_on_selector_all("#items tbody tr", """rows => rows.map(r => [r.dataset.id,
        r.cells[0].innerText.trim(), r.cells[2].innerText.trim(), r.cells[3].innerText.trim(),
        r.cells[4].innerText.trim()])""")


def test_the_live_batch_page_shows_what_a_reload_shows_once_pages_are_paired(browser, slow_live_server, shots,
                                                                             tmp_path):
    """Usability review: watched without a reload, the page said "9 / 9 lembar selesai … Selesai" while rows
    merged away still said "Antre" and "Halaman 2 belum dikirim", and the merged sheets were missing; the counter
    counted rows (photos) as sheets. The page now follows the server's rows (taken anew when they change), counts
    photos read until the pages are paired, keeps the focus on a row that stays, and announces only the end."""
    srv = slow_live_server
    names = ["qr-12-a_p1.jpg", "qr-13-a_p1.jpg", "017_1.jpg", "017_2.jpg", "qr-12-b_p2.jpg", "qr-13-b_p2.jpg"]
    for i, name in enumerate(names):
        (tmp_path / name).write_bytes(jpeg_bytes(color=f"#e{i}e{i}e{i}"))
    ctx, page = trainer_page(browser, srv, DESKTOP)
    page.goto(srv["url"] + f"/trainer/latihan/{srv['code']}")
    page.set_input_files("input[name=photos]", [str(tmp_path / n) for n in names])
    page.click("form[action$='/batch'] button[type=submit]")
    page.wait_for_selector("#batch")
    assert "/ 6 foto dibaca" in page.inner_text("#batch-counter")          # six photos, five rows
    # what a screen reader would be told: changes inside the page's live regions
    page.evaluate("""() => { window.announced = 0;
        const regions = document.querySelectorAll('[role=status], [role=alert], [aria-live]');
        regions.forEach(r => new MutationObserver(m => { window.announced += 1; })
            .observe(r, {subtree: true, childList: true, attributes: true, characterData: true})); }""")
    page.focus("#items tbody tr:has-text('017') a")
    shots(page, "desktop-trainer-batch-reading")
    page.wait_for_selector("[data-show-when=complete]:not([hidden])", timeout=60_000)
    shown = rows_of(page)
    assert len(shown) == 3 and [r[1] for r in shown if r[1] in ("12", "13")] == ["12", "13"]
    assert all(r[3].startswith("Selesai") for r in shown), shown
    # 017's page 2 holds a field in review (the fake pipeline's V.B): its score may change, and the row says so
    assert next(r for r in shown if r[1] == "017")[4].endswith("sementara"), shown
    assert page.inner_text("#batch-counter") == "3 / 3 lembar selesai"
    assert page.is_hidden("[data-show-when=pairing]")
    assert page.evaluate("document.activeElement.closest('tr').innerText").startswith("017")
    assert page.evaluate("window.announced") == 1                          # "Selesai", once
    shots(page, "desktop-trainer-batch-paired")
    page.reload()
    assert rows_of(page) == shown and page.inner_text("#batch-counter") == "3 / 3 lembar selesai"
    ctx.close()



def test_a_batch_rows_status_and_score_are_seen_on_a_phone_without_scrolling_sideways(browser, slow_live_server,
                                                                                     shots, tmp_path):
    """Walk-through on a phone: the batch table's five columns ran past the screen's right edge (inside a sideways
    scrolling box), so a trainer saw whose sheet each row was and its files, but not its state, why it was refused,
    or its score. On a phone each row is now one block: the trainee and the score on a line, what is written on
    the sheet, the files and the state below at the full width."""
    srv = slow_live_server
    names = ["017_1.jpg", "017_2.jpg", "kelas/Andi/IMG-20241127-WA0006.jpg"]
    paths = []
    for i, name in enumerate(names):
        path = tmp_path / name.replace("/", "_")
        path.write_bytes(jpeg_bytes(color=f"#e{i}e{i}e{i}"))
        paths.append(str(path))
    ctx, page = trainer_page(browser, srv, PHONE)
    page.goto(srv["url"] + f"/trainer/latihan/{srv['code']}")
    page.set_input_files("input[name=photos]", paths)
    page.click("form[action$='/batch'] button[type=submit]")
    page.wait_for_selector("[data-show-when=complete]:not([hidden])", timeout=60_000)
    width = page.evaluate("window.innerWidth")
    rows = page.locator("#items tbody tr")
    assert rows.count() == 2
    for i in range(rows.count()):
        row = rows.nth(i)
        for cell in ("[data-col=state] .badge", "[data-col=score]"):
            box = row.locator(cell).bounding_box()
            assert box and box["x"] >= 0 and box["x"] + box["width"] <= width, (i, cell, box, width)
        assert "Nilai" in row.locator("[data-col=score]").evaluate("e => getComputedStyle(e, '::before').content")
    wrap = page.locator("#items").evaluate("t => [t.scrollWidth, t.parentElement.clientWidth]")
    assert wrap[0] <= wrap[1], wrap                                       # nothing to scroll sideways to
    shots(page, "phone-trainer-batch")
    page.set_viewport_size(DESKTOP)                                       # a desktop keeps the table and its header
    assert page.locator("#items thead").is_visible()
    assert page.locator("#items [data-col=score]").first.evaluate(
        "e => getComputedStyle(e, '::before').content") in ("none", "normal")
    ctx.close()
