"""The trainer's list of exercises (and of uploads held for their code), on a phone and on a desktop."""
import pytest

from grader.web.testing import jpeg_bytes
from tests.browser.test_browser import DESKTOP, PHONE, phone_result, trainer_page

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _boxes(row, n):
    return [row.locator("td").nth(k).bounding_box() for k in range(n)]


def _inside(box, card):
    return box["x"] >= card["x"] and box["x"] + box["width"] <= card["x"] + card["width"]


def test_each_exercise_is_one_compact_block_on_a_phone_and_a_table_row_on_a_desktop(browser, fake_live_server,
                                                                                    shots, tmp_path):
    """Walk-through at 390 px: as five columns "Daftar latihan" ran past the card's edge (the mean score in a box
    scrolled sideways) and the contest's name stood a word to a line ("PEMILIHAN / BUPATI / DAN / WAKIL / BUPATI");
    an upload held for its code gave its time a word to a line too. On a phone each exercise is now one block: its
    code and contest (with the exercise's place) on a line or two, its pairs, sheets and mean labelled below; a held
    upload is whose and "Lihat" on a line, when below, why at the full width. A desktop keeps both tables."""
    srv = fake_live_server
    trainee, page = phone_result(browser, srv, tmp_path)                 # a graded sheet of the demo exercise
    (tmp_path / "m1.jpg").write_bytes(jpeg_bytes(color="#fdfdfd"))
    page.goto(srv["url"] + "/")                                           # and an upload held for its code
    page.fill("#code", "ZZZZZZ")
    page.fill("#trainee", "Maya Sari Wulandari")
    page.set_input_files("#photo_1", str(tmp_path / "m1.jpg"))
    page.click("button[type=submit]")
    page.wait_for_selector("text=Periksa kode latihan", timeout=30_000)
    trainee.close()

    ctx, page = trainer_page(browser, srv, PHONE)
    page.goto(srv["url"] + "/trainer/")                                   # a second exercise, the longest contest
    page.select_option("#contest", "gubernur")
    page.click("form[action$='/latihan'] button[type=submit]")
    page.wait_for_selector("text=dibuat")
    page.goto(srv["url"] + "/trainer/")
    card = page.locator(".card:has(h2:text-is('Daftar latihan'))")
    table = card.locator("table")
    table.scroll_into_view_if_needed()
    shots(page, "phone-trainer-exercises")
    wrap = table.evaluate("t => [t.scrollWidth, t.parentElement.clientWidth]")
    assert wrap[0] <= wrap[1], wrap                                       # nothing to scroll sideways to
    box = card.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    line = page.evaluate("parseFloat(getComputedStyle(document.querySelector('#exercises td')).lineHeight)")
    assert table.locator("tr.head").bounding_box()["height"] <= 1        # no header row over the blocks
    rows = table.locator("tr:has(td)")
    assert rows.count() == 2
    texts = [rows.nth(i).inner_text() for i in range(2)]
    assert all("TPS" in t for t in texts), texts                          # where each exercise's polling station is
    for i in range(2):
        code, contest, pairs, sheets, mean = cells = _boxes(rows.nth(i), 5)
        assert all(_inside(c, box) for c in cells), (i, cells, box)
        assert abs(code["y"] - contest["y"]) < 4, (i, cells)               # the code and the contest on a line
        assert contest["width"] > 0.6 * box["width"], (i, contest, box)   # not a word to a line
        assert abs(pairs["y"] - sheets["y"]) < 4 and abs(pairs["y"] - mean["y"]) < 4, (i, cells)
        assert pairs["y"] >= contest["y"] + contest["height"] - 1, (i, cells)
        assert max(pairs["height"], sheets["height"], mean["height"]) < 1.6 * line, (i, cells, line)
        height = rows.nth(i).bounding_box()["height"]
        assert height < 5.6 * line + 16, (i, height, line)               # contest (2 lines), place, date, counts
        for k, label in ((2, "Paslon"), (3, "Peserta"), (4, "Rata-rata")):
            assert label in rows.nth(i).locator("td").nth(k).evaluate("e => getComputedStyle(e, '::before').content")
    demo = table.locator(f"tr:has(a[href$='/{srv['code']}'])")
    assert demo.locator("[data-col=mean]").inner_text() != "—"           # the demo exercise's graded sheet

    held = page.locator("#menunggu-kode table")
    held.scroll_into_view_if_needed()
    shots(page, "phone-trainer-held")
    wrap = held.evaluate("t => [t.scrollWidth, t.parentElement.clientWidth]")
    assert wrap[0] <= wrap[1], wrap
    box = page.locator("#menunggu-kode").bounding_box()
    row = held.locator("tr:has(td)")
    assert row.count() == 1 and "Maya Sari Wulandari" in row.inner_text()
    when, who, why, link = cells = _boxes(row, 4)
    assert all(_inside(c, box) for c in cells), (cells, box)
    assert abs(who["y"] - link["y"]) < 4 and when["y"] >= who["y"] + who["height"] - 1, cells
    assert when["height"] < 1.6 * line, (when, line)                     # the time on one line
    assert why["width"] > 0.8 * box["width"] - 32, (why, box)            # why, at the card's width

    page.set_viewport_size(DESKTOP)                                       # a desktop keeps the tables and headers
    shots(page, "desktop-trainer-exercises")
    for t, n in ((table, 5), (held, 4)):
        assert t.locator("th").first.is_visible()
        wrap = t.evaluate("t => [t.scrollWidth, t.parentElement.clientWidth]")
        assert wrap[0] <= wrap[1], wrap
        rows = t.locator("tr:has(td)")
        for i in range(rows.count()):
            cells = _boxes(rows.nth(i), n)
            assert len({round(c["y"]) for c in cells}) == 1, (i, cells)  # one row, a column each
            assert [c["x"] for c in cells] == sorted(c["x"] for c in cells), (i, cells)
    assert table.locator("[data-col=mean]").first.evaluate(
        "e => getComputedStyle(e, '::before').content") in ("none", "normal")
    ctx.close()


def test_logging_out_on_every_device_from_a_phone_ends_the_other_browsers_login_too(browser, fake_live_server, shots):
    """At the foot of the list, folded: the button does nothing until its box is ticked (a tap by mistake would log
    out every trainer); then this phone lands on the login page saying so, and a laptop logged in before it is sent
    to the login page at its next click."""
    srv = fake_live_server
    laptop_ctx, laptop = trainer_page(browser, srv, DESKTOP)
    phone_ctx, phone = trainer_page(browser, srv, PHONE)
    assert phone.url.endswith("/trainer/") and laptop.url.endswith("/trainer/")
    phone.click("#keluar-semua summary")
    button = phone.locator("#keluar-semua button[type=submit]")
    assert button.is_visible()
    shots(phone, "phone-trainer-logout-everywhere")
    button.click()                                                    # the box not ticked: the browser stops it
    assert phone.url.endswith("/trainer/") and phone.locator("#keluar-semua input[name=confirm]").evaluate(
        "box => !box.validity.valid")
    phone.check("#keluar-semua input[name=confirm]")
    button.click()
    phone.wait_for_url("**/trainer/masuk**")
    assert "Anda sudah keluar dari semua perangkat" in phone.inner_text("main")
    laptop.goto(srv["url"] + "/trainer/")
    assert "/trainer/masuk" in laptop.url and laptop.locator("#password").is_visible()
    laptop_ctx.close()
    phone_ctx.close()


def test_every_contest_choice_fits_its_select_on_a_phone(browser, fake_live_server, shots):
    """Walk-through at 390 px: the create form's contest select cut "PEMILIHAN GUBERNUR DAN WAKIL G…" (a select cannot
    wrap). Each choice now says the contest without the "PEMILIHAN" its label says, and fits with the select's arrow;
    its value and the full name (its title) are as before."""
    srv = fake_live_server
    ctx, page = trainer_page(browser, srv, PHONE)
    page.goto(srv["url"] + "/trainer/")
    select = page.locator("#contest")
    select.scroll_into_view_if_needed()
    shots(page, "phone-trainer-create-exercise")
    widths = select.evaluate("""s => {
        const st = getComputedStyle(s), c = document.createElement("canvas").getContext("2d");
        c.font = st.font || `${st.fontWeight} ${st.fontSize} ${st.fontFamily}`;
        const room = s.clientWidth - parseFloat(st.paddingLeft) - parseFloat(st.paddingRight) - 24;   // the arrow
        return Array.from(s.options).map(o => [o.value, o.text, o.title, c.measureText(o.text).width, room]);
    }""")
    assert [w[0] for w in widths] == ["gubernur", "bupati", "walikota"]
    assert widths[0][1:3] == ["Gubernur dan Wakil Gubernur", "PEMILIHAN GUBERNUR DAN WAKIL GUBERNUR"]
    for value, text, title, width, room in widths:
        assert width <= room, (text, width, room)
    ctx.close()
