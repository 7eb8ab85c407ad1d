"""The trainer's class table and a sheet's corrections on a phone: one block per row, nothing past the card's edge."""
import pytest

from grader.web.testing import jpeg_bytes
from tests.browser.test_browser import DESKTOP, PHONE, no_horizontal_scroll, trainer_page

pytestmark = [pytest.mark.browser, pytest.mark.slow]

#: a class as a walk-through had it: a trainee by number, a chat photo whose name names nobody (what is written on
#: the sheet is shown instead, beside a long name), and a refused photo (its badge)
BATCH = ["017_1.jpg", "IMG_20241127_101530.jpg", "021_1_blur.jpg"]


def _graded_class(browser, srv, tmp_path, viewport):
    """A trainer on ``viewport`` who has batch-graded :data:`BATCH`."""
    paths = []
    for i, name in enumerate(BATCH):
        (tmp_path / name).write_bytes(jpeg_bytes(color=f"#e{i}e{i}e{i}"))
        paths.append(str(tmp_path / name))
    ctx, page = trainer_page(browser, srv, viewport)
    page.goto(srv["url"] + f"/trainer/latihan/{srv['code']}")
    page.set_input_files("input[name=photos]", paths)
    page.click("form[action$='/batch'] button[type=submit]")
    page.wait_for_selector("[data-show-when=complete]:not([hidden])", timeout=30_000)
    return ctx, page


def _inside(box, card):
    return box["x"] >= card["x"] - 0.5 and box["x"] + box["width"] <= card["x"] + card["width"] + 0.5


def _fits(table):
    """Nothing of ``table`` to scroll sideways to in its frame."""
    wrap = table.evaluate("t => [t.scrollWidth, t.closest('.table-wrap').clientWidth]")
    return wrap[0] <= wrap[1], wrap


def _label(cell):
    return cell.evaluate("e => getComputedStyle(e, '::before').content")


def test_the_class_table_is_one_block_per_sheet_on_a_phone_and_still_sorts(browser, fake_live_server, shots,
                                                                           tmp_path):
    """Walk-through at 390 px: the class table was wider than its card, "Kosong" cut off at its edge (a sheet whose
    photo's name names nobody shows what is written on it, a picture as wide as a column). On a phone each sheet is
    now one block: whose it is and its score on a line, its wrong, to-check and blank counts labelled below, when it
    came under them. The header stays, as a line of sort links: a trainer sorts by score on a phone too. A desktop
    keeps the table."""
    srv = fake_live_server
    ctx, page = _graded_class(browser, srv, tmp_path, PHONE)
    page.goto(srv["url"] + f"/trainer/latihan/{srv['code']}/hasil")
    table = page.locator("#class-table")
    fits, wrap = _fits(table)
    assert fits, wrap
    assert no_horizontal_scroll(page)
    shots(page, "phone-trainer-class-table")
    card = page.locator(".card:has(#class-table)").bounding_box()
    rows = table.locator("tbody tr")
    assert rows.count() == 3
    line = page.evaluate("parseFloat(getComputedStyle(document.querySelector('#class-table td')).lineHeight)")
    for i in range(3):
        row = rows.nth(i)
        who, score, wrong, review, blank, when = cells = [row.locator(f"td[data-col={c}]").bounding_box() for c in
                                                          ("who", "score", "wrong", "review", "blank", "time")]
        assert all(_inside(c, card) for c in cells), (i, cells, card)
        assert abs(who["y"] - score["y"]) < 4 and score["x"] > who["x"] + who["width"] - 1, (i, cells)
        assert abs(wrong["y"] - review["y"]) < 4 and abs(wrong["y"] - blank["y"]) < 4, (i, cells)
        assert wrong["y"] >= who["y"] + who["height"] - 1 and when["y"] >= wrong["y"] + wrong["height"] - 1, (i, cells)
        assert max(wrong["height"], review["height"], blank["height"], when["height"]) < 1.6 * line, (i, cells)
        for col, label in (("score", "Nilai"), ("wrong", "Salah"), ("review", "Perlu dicek"), ("blank", "Kosong")):
            assert label in _label(row.locator(f"td[data-col={col}]")), (i, col)
    assert "IMG_20241127_101530" in rows.nth(2).inner_text() and rows.nth(2).locator("img.ident-img").is_visible()
    # the sort links, on a line above the blocks, each one a finger's tap
    head = table.locator("tr.head")
    assert head.is_visible() and "Urutkan menurut" in _label(head)
    links = head.locator("th a")
    assert links.count() == 6
    for k in range(6):
        box = links.nth(k).bounding_box()
        assert _inside(box, card) and box["height"] >= 24, (k, box)
    head.locator("a", has_text="Nilai").click()
    page.wait_for_url("**sort=score**")
    assert "▼" in table.locator("tr.head th", has_text="Nilai").inner_text()      # highest first
    assert [rows.nth(i).locator("td[data-col=score] b").inner_text() for i in range(3)] == ["97", "97", "—"]
    rows.nth(0).locator("td[data-col=blank]").click()                           # anywhere on the block opens it
    page.wait_for_url("**/trainer/lembar/**")

    page.set_viewport_size(DESKTOP)                                             # a desktop keeps the table
    page.go_back()
    table.wait_for()
    shots(page, "desktop-trainer-class-table")
    head = table.locator("tr.head th").all()
    assert len(head) == 6 and len({round(th.bounding_box()["y"]) for th in head}) == 1
    assert _label(table.locator("tr.head")) in ("none", "normal")
    cells = rows.nth(0).locator("td").all()
    assert len({round(td.bounding_box()["y"]) for td in cells}) == 1               # one row, six columns
    assert _label(rows.nth(0).locator("td[data-col=wrong]")) in ("none", "normal")
    ctx.close()


def test_a_sheets_corrections_are_one_block_each_on_a_phone(browser, fake_live_server, shots, tmp_path):
    """Walk-through at 390 px: the sheet page's "Koreksi" table scrolled sideways, its "Waktu" column cut off at the
    card's edge. On a phone each correction is one block: the field, before and after on a line, who and when
    below. A desktop keeps the table."""
    from grader.web.testing import REVIEW_FIELD
    srv = fake_live_server
    ctx, page = _graded_class(browser, srv, tmp_path, PHONE)
    page.goto(srv["url"] + "/trainer/lembar/1")
    row = page.locator(f"tr[id='f-{REVIEW_FIELD}']")
    row.locator("input[name=value]").fill("7")
    row.locator("button[type=submit]").click()
    table = page.locator(".card:has(h2:text-is('Koreksi')) table")
    table.wait_for()
    table.scroll_into_view_if_needed()
    fits, wrap = _fits(table)
    assert fits, wrap
    assert no_horizontal_scroll(page)
    table.locator("xpath=ancestor::div[contains(@class, 'card')]").screenshot(
        path=str(shots(page, "phone-trainer-sheet").with_name("phone-trainer-corrections.png")))
    card = page.locator(".card:has(h2:text-is('Koreksi'))").bounding_box()
    fix = table.locator("tr:has(td)")
    assert fix.count() == 1 and "Pak Budi" in fix.inner_text()
    field, before, after, by, when = cells = [fix.locator(f"td[data-col={c}]").bounding_box() for c in
                                              ("field", "before", "after", "by", "when")]
    assert all(_inside(c, card) for c in cells), (cells, card)
    assert abs(field["y"] - before["y"]) < 4 and abs(field["y"] - after["y"]) < 4, cells
    assert abs(by["y"] - when["y"]) < 4 and by["y"] >= field["y"] + field["height"] - 1, cells
    line = fix.locator("td").first.evaluate("e => parseFloat(getComputedStyle(e).lineHeight)")
    assert when["height"] < 1.6 * line, (when, line)                    # the time on one line
    assert "Sebelum" in _label(fix.locator("td[data-col=before]"))

    page.set_viewport_size(DESKTOP)
    head = table.locator("tr.head th").all()
    assert len(head) == 5 and head[0].is_visible() and len({round(th.bounding_box()["y"]) for th in head}) == 1
    assert len({round(td.bounding_box()["y"]) for td in fix.locator("td").all()}) == 1
    table.locator("xpath=ancestor::div[contains(@class, 'card')]").screenshot(
        path=str(shots(page, "desktop-trainer-sheet-corrected").with_name("desktop-trainer-corrections.png")))
    ctx.close()


def test_the_answer_key_names_each_rows_box_on_a_phone(browser, fake_live_server, shots):
    """h38b walkthrough at 390 px: the answer key's code column is hidden on a phone, as on every table of fields,
    but its rows did not carry the code inline as the others do, so section I's "4. Jumlah (1 + 2 + 3) (L)" of A and
    of B were two identical rows, and a trainer could not match a review item's I.B.4.L to its number. Each row
    shows its code on a phone now."""
    srv = fake_live_server
    ctx, page = trainer_page(browser, srv, PHONE)
    page.goto(srv["url"] + f"/trainer/latihan/{srv['code']}/kunci")
    assert no_horizontal_scroll(page)
    shots(page, "phone-trainer-answer-key")
    assert not page.locator("td.col-id").first.is_visible()
    totals = page.locator("td.label", has_text="4. Jumlah (1 + 2 + 3)")
    assert totals.count() == 2
    assert [totals.nth(i).inner_text().split("\n")[0].strip() for i in range(2)] == ["I.A.4", "I.B.4"]
    # (a row's L, P and J on one line since helper-140: each number is labelled with its column on a phone)
    row = page.locator("tr", has=page.locator("td.label", has_text="4. Jumlah (1 + 2 + 3)")).first
    said = [row.locator(f"td[data-col={c}]").evaluate("e => getComputedStyle(e, '::before').content") for c in "LPJ"]
    assert said == ['"L"', '"P"', '"J"']
    ctx.close()
