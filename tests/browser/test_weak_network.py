"""A trainee's phone on a crowded Wi-Fi or a hotspot: an upload cut off, a proxy's error, a link that stalls.

The fake pipeline (grader.web.testing) is enough: what is tested is the page, not the grading.
"""
import pytest

from tests.browser.test_browser import PHONE, trainer_page, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PROXY_502 = ("<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center>"
             "<hr><center>nginx</center></body></html>")


def _phone(browser):
    ctx = browser.new_context(viewport=PHONE, device_scale_factor=1, is_mobile=True, has_touch=True)
    return ctx, ctx.new_page()


def _fill_upload(page, srv, tmp_path):
    from grader.web.testing import jpeg_bytes
    for n in (1, 2):
        (tmp_path / f"h{n}.jpg").write_bytes(jpeg_bytes(color=f"#e{n}e{n}e{n}"))
    page.goto(srv["url"] + "/")
    page.fill("#code", srv["code"])
    page.fill("#trainee", "Budi")
    page.set_input_files("#photo_1", str(tmp_path / "h1.jpg"))
    page.set_input_files("#photo_2", str(tmp_path / "h2.jpg"))


def _form_kept(page):
    return page.evaluate("""() => { const f = document.querySelector('form[data-progress]');
        const b = f.querySelector('button[type=submit]');
        return {code: f.code.value, trainee: f.trainee.value, photos: f.photo_1.files.length + f.photo_2.files.length,
                button: b.textContent.trim(), disabled: b.disabled,
                focused: document.activeElement.getAttribute('role')}; }""")


@pytest.mark.parametrize("how", ["proxy_502", "connection_reset", "stalled"])
def test_an_upload_that_fails_on_the_way_keeps_the_form_for_one_tap_again(browser, fake_live_server, shots,
                                                                           tmp_path, how):
    srv = fake_live_server
    ctx, page = _phone(browser)
    posts = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)

    def cut(route):
        if route.request.method != "POST":
            return route.continue_()
        if how == "proxy_502":
            return route.fulfill(status=502, content_type="text/html", body=PROXY_502)
        if how == "connection_reset":
            return route.abort("connectionreset")
        # "stalled": the request is never answered (a hotspot that lost its uplink)
    page.route("**/", cut)
    _fill_upload(page, srv, tmp_path)
    if how == "stalled":
        page.evaluate("document.querySelector('form[data-progress]').dataset.stallSeconds = '1'")
    page.tap("button[type=submit]")
    if how == "stalled":
        page.tap("button[type=submit]", force=True)                    # a nervous double tap sends once
    alert = page.locator("form[data-progress] [role=alert]")
    alert.wait_for(state="visible", timeout=10_000)
    text = alert.inner_text()
    assert "Foto, kode, dan nama Anda masih di sini" in text, text
    assert ("502" in text) == (how == "proxy_502")
    kept = _form_kept(page)
    assert kept == {"code": srv["code"], "trainee": "Budi", "photos": 2, "button": "Kirim dan nilai",
                    "disabled": False, "focused": "alert"}, kept
    assert len(posts) == 1, posts                                     # no plain submit behind the trainee's back
    shots(page, f"phone-trainee-upload-{how.replace('_', '-')}")
    page.unroute("**/")
    page.tap("button[type=submit]")                                   # the network is back: one tap
    page.wait_for_selector("text=Hasil penilaian", timeout=15_000)
    ctx.close()


# The result page's photo forms: a retake of a refused page, and the missing page of a half sheet. Each is sent by
# choosing its photo (no button): (photos for the first upload, the form's file input, its address, what it keeps)
RESULT_FORMS = {
    "retake": (("017_1.jpg", "017_2_blur.jpg"), "#retake-1", "**/ulang", "Foto ulang Anda masih di sini"),
    "add_page": (("bsolo_1.jpg",), "#add-page", "**/lengkapi", "Foto halaman 2 Anda masih di sini"),
}


def _result_with_form(page, srv, tmp_path, form):
    """Upload a sheet whose result offers ``form``; the page is left on that result."""
    from grader.web.testing import jpeg_bytes
    names, selector, _, _ = RESULT_FORMS[form]
    page.goto(srv["url"] + "/")
    page.fill("#code", srv["code"])
    for n, name in enumerate(names, start=1):
        (tmp_path / name).write_bytes(jpeg_bytes(color=f"#e{n}e{n}e{n}"))
        page.set_input_files(f"#photo_{n}", str(tmp_path / name))
    page.tap("button[type=submit]")
    page.wait_for_selector(selector, state="attached", timeout=15_000)
    return page.locator("form", has=page.locator(selector))


@pytest.mark.parametrize("how", ["proxy_502", "connection_reset", "stalled"])
@pytest.mark.parametrize("form", sorted(RESULT_FORMS))
def test_a_retake_or_an_added_page_that_fails_on_the_way_keeps_its_photo(browser, fake_live_server, shots, tmp_path,
                                                                         form, how):
    """A retake (or the missing page of a half sheet) is sent as soon as its photo is chosen. Cut off, it ended on
    the browser's own error page and the trainee chose the photo again; now the photo stays, the page says why in
    Indonesian, and one tap on 'Kirim ulang' sends it again."""
    from grader.web.testing import jpeg_bytes
    srv = fake_live_server
    _, selector, address, kept_text = RESULT_FORMS[form]
    ctx, page = _phone(browser)
    sent = []
    page.on("request", lambda r: sent.append(r.url) if r.method == "POST" and "/hasil/" in r.url else None)
    html_form = _result_with_form(page, srv, tmp_path, form)
    result_url = page.url

    def cut(route):
        if how == "proxy_502":
            return route.fulfill(status=502, content_type="text/html", body=PROXY_502)
        if how == "connection_reset":
            return route.abort("connectionreset")
        # "stalled": never answered
    page.route(address, cut)
    if how == "stalled":
        html_form.evaluate("f => { f.dataset.stallSeconds = '1'; }")
    (tmp_path / "baru.jpg").write_bytes(jpeg_bytes(color="#fafafa"))
    page.set_input_files(selector, str(tmp_path / "baru.jpg"))           # choosing the photo sends it
    alert = html_form.locator("[role=alert]")
    alert.wait_for(state="visible", timeout=10_000)
    text = alert.inner_text()
    assert kept_text in text and "Kirim ulang" in text, text
    assert ("502" in text) == (how == "proxy_502") and "undefined" not in text
    assert page.url == result_url and len(sent) == 1, (page.url, sent)   # no plain submit behind the trainee's back
    state = html_form.evaluate("""f => ({photos: f.photo.files.length, focused: document.activeElement.getAttribute('role'),
        resend: !f.querySelector('[data-resend]').hidden, label: f.querySelector('label.button').textContent.trim()})""")
    assert state["photos"] == 1 and state["focused"] == "alert" and state["resend"], state
    assert state["label"] in ("Foto ulang", "Foto halaman 2"), state        # not left saying 'Mengunggah…'
    shots(page, f"phone-trainee-{form.replace('_', '-')}-{how.replace('_', '-')}")
    page.unroute(address)
    html_form.locator("[data-resend]").tap()                                  # the network is back: one tap
    page.wait_for_url(lambda url: url != result_url, timeout=15_000)
    page.wait_for_selector("text=Hasil penilaian", timeout=15_000)
    assert "Foto perlu diulang" not in page.inner_text("main") and "Lengkapi lembar ini" not in page.inner_text("main")
    ctx.close()


@pytest.mark.parametrize("address", ["#lengkapi", "?lang=en"])
def test_a_refused_added_page_says_why_through_the_uploader(browser, fake_live_server, tmp_path, address):
    """The server refuses the chosen file (not a photo) by flashing its reason on the same result page: the uploader
    is handed the redirect and loads that page (it wrote the page it had followed the redirect to, since loading it
    again then lost the reason), also when the page's address carries a #fragment (going there would only scroll)
    or a ?lang=."""
    ctx, page = _phone(browser)
    _result_with_form(page, fake_live_server, tmp_path, "add_page")
    page.goto(page.url + address)
    (tmp_path / "catatan.jpg").write_bytes(b"not a photo at all")
    page.set_input_files("#add-page", str(tmp_path / "catatan.jpg"))
    page.wait_for_selector("text=Berkas ini bukan foto" if address == "#lengkapi" else "text=this file is not a photo",
                           timeout=10_000)
    ctx.close()


def test_a_trainers_batch_upload_that_fails_on_the_way_keeps_the_files_too(browser, fake_live_server, tmp_path):
    """The batch form shares the upload script: a proxy's 502 says so in Indonesian and keeps the files (it has its
    own words; without them the script showed 'undefined')."""
    from grader.web.testing import jpeg_bytes
    srv = fake_live_server
    ctx, page = trainer_page(browser, srv, PHONE)
    page.goto(srv["url"] + f"/trainer/latihan/{srv['code']}")
    (tmp_path / "017_1.jpg").write_bytes(jpeg_bytes())
    page.set_input_files("input[name=photos]", str(tmp_path / "017_1.jpg"))
    page.route("**/batch", lambda route: route.fulfill(status=502, content_type="text/html", body=PROXY_502))
    page.click("form[action$='/batch'] button[type=submit]")
    alert = page.locator("form[action$='/batch'] [role=alert]")
    alert.wait_for(state="visible", timeout=10_000)
    text = alert.inner_text()
    assert "502" in text and "Berkas yang dipilih masih di sini" in text and "undefined" not in text, text
    assert page.evaluate("document.querySelector('input[name=photos]').files.length") == 1
    ctx.close()


def _slow_answer(monkeypatch):
    """``hold["next"] = s``: the server's next storing of an upload answers ``s`` seconds late (a big PDF being split,
    a slow disk), with the photos stored; ``hold["before"] = s``: it stores them only ``s`` seconds after the upload
    (still reading it). Returns ``hold`` and what each storing returned."""
    import time

    import grader.web.trainee.retake as trainee_retake
    import grader.web.trainee.upload as trainee_upload
    real, hold, stored = trainee_upload.store_submission, {}, []

    def slow(*args, **kw):
        time.sleep(hold.pop("before", 0))
        sub = real(*args, **kw)
        stored.append(sub)
        time.sleep(hold.pop("next", 0))
        return sub
    for module in (trainee_upload, trainee_retake):      # (the upload form; a retake or a page added)
        monkeypatch.setattr(module, "store_submission", slow)
    return hold, stored


def _send(page, srv, tmp_path, form):
    """Fill the upload form, or open a result with ``form`` (RESULT_FORMS); then a function that sends it."""
    from grader.web.testing import jpeg_bytes
    if form == "upload":
        _fill_upload(page, srv, tmp_path)
        return page.locator("form[data-progress]"), lambda: page.tap("button[type=submit]")
    html_form = _result_with_form(page, srv, tmp_path, form)
    (tmp_path / "baru.jpg").write_bytes(jpeg_bytes(color="#fafafa"))
    return html_form, lambda: page.set_input_files(RESULT_FORMS[form][1], str(tmp_path / "baru.jpg"))


@pytest.mark.parametrize("form", ["upload", "retake"])
def test_an_upload_the_server_is_slow_to_answer_shows_processing_not_a_dropped_link(browser, fake_live_server, shots,
                                                                                    tmp_path, monkeypatch, form):
    """All sent, the server takes longer than the stall check to answer: the trainee was told the connection had
    dropped or stalled although the photos had arrived. Now the form says they are being processed, and waits."""
    srv = fake_live_server
    hold, stored = _slow_answer(monkeypatch)
    ctx, page = _phone(browser)
    html_form, send = _send(page, srv, tmp_path, form)
    start_url = page.url
    html_form.evaluate("f => { f.dataset.stallSeconds = '1'; }")       # (45 s on a phone)
    hold["next"] = 4
    send()
    busy = html_form.locator("button[type=submit]" if form == "upload" else "label.button")
    page.wait_for_function("b => b.textContent.trim() === 'Sedang diproses…'", arg=busy.element_handle(), timeout=5_000)
    bar = html_form.locator("progress")
    assert bar.is_visible() and bar.get_attribute("value") is None, bar.evaluate("b => b.outerHTML")  # (moving)
    if form == "upload":
        shots(page, "phone-trainee-upload-processing")
    page.wait_for_timeout(2_000)                                       # past the stall check: still waiting
    assert html_form.locator("[role=alert]").is_hidden() and busy.inner_text().strip() == "Sedang diproses…"
    page.wait_for_url(lambda url: url != start_url, timeout=15_000)
    page.wait_for_selector("text=Hasil penilaian", timeout=15_000)
    assert page.url.endswith("/hasil/" + stored[-1].token)
    ctx.close()


def test_a_slow_answer_says_the_server_is_still_at_it_and_leaving_meanwhile_is_asked_first(
        browser, fake_live_server, shots, tmp_path, monkeypatch):
    """helper-142: all sent, the answer slow (a stalled link's last bytes), the phone showed "Sedang diproses…" and an
    endless bar for minutes, untold; and a reload or Back while sending cut the sending off without a word, the form
    coming back empty. A line now says the photos are sent and the server is at them; leaving is asked first (the
    browser's own prompt), and the answer, once it comes, opens the result without a prompt."""
    srv = fake_live_server
    hold, stored = _slow_answer(monkeypatch)
    ctx, page = _phone(browser)
    html_form, send = _send(page, srv, tmp_path, "upload")
    html_form.evaluate("f => { f.dataset.stallSeconds = '1'; f.dataset.waitNoteSeconds = '1'; }")
    hold["next"] = 5
    asked = []
    page.on("dialog", lambda d: (asked.append(d.type), d.dismiss()))
    send()
    note = html_form.locator("p[role=status]")
    note.wait_for(state="visible", timeout=5_000)
    assert note.inner_text() == ("Foto sudah terkirim semua; server masih memprosesnya. Tunggu sebentar dan jangan "
                                 "tutup halaman ini.")
    shots(page, "phone-trainee-upload-still-waiting")
    page.evaluate("() => { window.location.reload(); }")               # (a reload while it is sending)
    page.wait_for_timeout(500)
    assert asked == ["beforeunload"]
    page.wait_for_selector("text=Hasil penilaian", timeout=20_000)       # (dismissed: the sending went on)
    assert page.url.endswith("/hasil/" + stored[-1].token) and asked == ["beforeunload"]
    ctx.close()


def _impatient_upload(page, srv, tmp_path, monkeypatch):
    """The upload form filled, waiting 1 s for an answer once all is sent; the server slowed by ``hold``
    (_slow_answer). Returns ``hold``, the storings, the POSTs the page sends, the form and what sends it."""
    hold, stored = _slow_answer(monkeypatch)
    posts = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    html_form, send = _send(page, srv, tmp_path, "upload")
    html_form.evaluate("f => { f.dataset.stallSeconds = '1'; f.dataset.answerSeconds = '1'; }")
    return hold, stored, posts, html_form, send


def test_an_answer_that_never_comes_after_all_was_sent_says_the_photos_most_likely_arrived(
        browser, fake_live_server, shots, tmp_path, monkeypatch):
    """Past the longer wait for the answer, the form says the photos most likely arrived (not that the connection
    dropped) and that sending again opens the result. The tap asks first whether they arrived, and opens the first
    sheet without sending the photos again."""
    srv = fake_live_server
    ctx, page = _phone(browser)
    hold, stored, posts, html_form, send = _impatient_upload(page, srv, tmp_path, monkeypatch)
    hold["before"] = 4                                                 # not stored yet when the page gives up
    send()
    alert = html_form.locator("[role=alert]")
    alert.wait_for(state="visible", timeout=10_000)
    assert alert.inner_text() == ("Semua sudah terkirim dan kemungkinan besar sudah sampai, tetapi server belum "
                                  "menjawab. Kirim lagi untuk membuka hasilnya: yang sudah sampai tidak disimpan dua "
                                  "kali. Foto, kode, dan nama Anda masih di sini: ketuk “Kirim dan nilai” lagi.")
    kept = _form_kept(page)
    assert kept == {"code": srv["code"], "trainee": "Budi", "photos": 2, "button": "Kirim dan nilai",
                    "disabled": False, "focused": "alert"}, kept
    assert html_form.locator("progress").is_hidden()
    shots(page, "phone-trainee-upload-no-answer")
    page.wait_for_timeout(4_500)                                       # meanwhile the server stored the sheet
    assert len(stored) == 1 and page.url.endswith("/")                 # (the page did not leave by itself)
    page.tap("button[type=submit]")                                   # one tap: the first sheet's result
    page.wait_for_selector("text=Hasil penilaian", timeout=15_000)
    assert page.url.endswith("/hasil/" + stored[0].token) and len(stored) == 1
    assert len(posts) == 1, posts                                      # the photos were not sent again
    ctx.close()


def test_an_upload_whose_answer_is_lost_opens_its_result_without_sending_again(browser, fake_live_server, tmp_path,
                                                                                monkeypatch):
    """Review: a link that dropped after the photos had been stored said the connection failed, and the trainee's
    tap sent every photo again (13 MB on a weak link) only to get the first sheet back. The page now asks whether
    they arrived, and opens the result. (Here the answer never comes; Playwright cannot pass a file upload on and
    then cut its answer.)"""
    srv = fake_live_server
    ctx, page = _phone(browser)
    hold, stored, posts, html_form, send = _impatient_upload(page, srv, tmp_path, monkeypatch)
    hold["next"] = 20                                                  # stored; its answer lost
    send()
    page.wait_for_url("**/hasil/*", timeout=15_000)                   # (being graded: its request is still held)
    assert page.url.endswith("/hasil/" + stored[0].token) and len(posts) == 1, (page.url, posts)
    # the sheet is listed among this browser's attempts, as if the answer had come
    result = page.url.replace(srv["url"], "")
    page.goto(srv["url"] + "/")
    assert page.locator(f"a[href='{result}']").count() == 1
    ctx.close()


def test_a_batch_whose_answer_is_lost_opens_its_batch_without_sending_again(browser, fake_live_server, tmp_path,
                                                                             monkeypatch):
    import time

    import grader.web.trainer.batch_upload as batch_upload
    from grader.web.testing import jpeg_bytes
    real = batch_upload.redirect

    def late(location, *args, **kw):                                  # the batch is stored; its answer is lost
        if "/trainer/batch/" in location:
            time.sleep(20)
        return real(location, *args, **kw)
    monkeypatch.setattr(batch_upload, "redirect", late)
    srv = fake_live_server
    ctx, page = trainer_page(browser, srv, PHONE)
    page.goto(srv["url"] + f"/trainer/latihan/{srv['code']}")
    (tmp_path / "017_1.jpg").write_bytes(jpeg_bytes())
    page.set_input_files("input[name=photos]", str(tmp_path / "017_1.jpg"))
    posts = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    page.evaluate("document.querySelector(\"form[action$='/batch']\").dataset.answerSeconds = '1'")
    page.click("form[action$='/batch'] button[type=submit]")
    page.wait_for_url("**/trainer/batch/**", timeout=15_000)
    assert len(posts) == 1, posts
    ctx.close()


def batch_answer_lost_once(monkeypatch, seconds=8):
    """The server's first batch answer comes ``seconds`` late, the batch stored: with the page's answer wait cut to
    a second, its answer is lost."""
    import time

    import grader.web.trainer.batch_upload as batch_upload
    real, late = batch_upload.redirect, []

    def answer_lost_once(location, *args, **kw):
        if "/trainer/batch/" in location and not late:
            late.append(location)
            time.sleep(seconds)                                       # stored; its answer lost
        return real(location, *args, **kw)
    monkeypatch.setattr(batch_upload, "redirect", answer_lost_once)


def test_a_batch_whose_answer_is_lost_then_chosen_again_with_a_page_added_completes_that_batch(
        browser, fake_live_server, tmp_path, monkeypatch):
    """Review: the batch was stored but its answer lost; the trainer added the page that was missing and sent again.
    The changed selection made the page take a new form token, so the server saw a new batch: the photos stored
    the first time were skipped as already sent and the added page 2 was stored alone in a second batch, apart from
    its page 1. A batch form now keeps its token after a failure, whatever is chosen: one batch, every photo once."""
    from grader.web.db import get_db
    from grader.web.testing import jpeg_bytes
    batch_answer_lost_once(monkeypatch)
    srv = fake_live_server
    ctx, page = trainer_page(browser, srv, PHONE)
    page.goto(srv["url"] + f"/trainer/latihan/{srv['code']}")
    for n, name in enumerate(["017_1.jpg", "021_1.jpg", "017_2.jpg"]):
        (tmp_path / name).write_bytes(jpeg_bytes(color=f"#e{n}e{n}e{n}"))
    page.set_input_files("input[name=photos]", [str(tmp_path / n) for n in ("017_1.jpg", "021_1.jpg")])
    html_form = page.locator("form[action$='/batch']")
    html_form.evaluate("f => { f.dataset.stallSeconds = '1'; f.dataset.answerSeconds = '1'; }")
    lookups = []
    page.route("**/kiriman/*.json", lambda route: lookups.append(route))     # "did it arrive?", answered later
    html_form.locator("button[type=submit]").click()
    html_form.locator("[role=alert]").wait_for(state="visible", timeout=10_000)
    page.set_input_files("input[name=photos]", [str(tmp_path / n) for n in ("017_1.jpg", "017_2.jpg", "021_1.jpg")])
    for route in lookups:
        route.continue_()                                             # it arrived: too late to open it
    page.unroute("**/kiriman/*.json")
    html_form.locator("button[type=submit]").click()
    page.wait_for_url("**/trainer/batch/**", timeout=15_000)
    with srv["app"].app_context():
        db = get_db()
        tokens = [r["token"] for r in db.execute("SELECT token FROM batches")]
        files = sorted(r["filename"] for r in db.execute(        # (the sheets as they are: a merge replaces two)
            "SELECT u.filename FROM uploads u JOIN submissions s ON s.id = u.submission_id WHERE s.state != 'merged'"))
    assert len(tokens) == 1 and page.url.endswith("/trainer/batch/" + tokens[0]), (tokens, page.url)
    assert files == ["017_1.jpg", "017_2.jpg", "021_1.jpg"], files                   # each photo once
    ctx.close()


@pytest.fixture
def slow_live_server(isolated_data_dir):
    """The fake pipeline, 3 s a sheet: the trainee sees the pending page first."""
    from tests.browser.conftest import _serve
    yield from _serve({"JOBS_MODE": "thread", "JOBS_WORKERS": 1, "PIPELINE": "tests.browser.slow_pipeline"})


def _pending(browser, srv, tmp_path):
    from grader.web.testing import jpeg_bytes
    (tmp_path / "h1.jpg").write_bytes(jpeg_bytes())
    ctx, page = _phone(browser)
    page.goto(srv["url"] + "/")
    page.fill("#code", srv["code"])
    page.set_input_files("#photo_1", str(tmp_path / "h1.jpg"))
    page.tap("button[type=submit]")
    page.wait_for_selector("text=Sedang dinilai")
    return ctx, page


def test_the_pending_page_polls_on_when_one_poll_is_never_answered(browser, slow_live_server, tmp_path):
    """A poll lost on a crowded Wi-Fi (no answer, no error) is given up after a while; the next one finds the result."""
    ctx, page = _pending(browser, slow_live_server, tmp_path)
    page.evaluate("document.querySelector('[data-poll]').dataset.pollTimeout = '1'")
    polls = []

    def lose_second(route):
        polls.append(route.request.url)
        if len(polls) != 2:
            route.continue_()
    page.route("**/*.json", lose_second)
    page.wait_for_selector("text=Hasil penilaian", timeout=10_000)
    ctx.close()


def test_the_pending_page_of_a_sheet_removed_meanwhile_says_so(browser, slow_live_server, tmp_path):
    """A trainer removed the sheet while it waited: the page says so instead of 'Sedang dinilai…' for ever."""
    from grader.web.db import REMOVED
    ctx, page = _pending(browser, slow_live_server, tmp_path)
    token = page.url.rsplit("/", 1)[1]
    with slow_live_server["app"].app_context():
        from grader.web.db import get_db
        db = get_db()
        db.execute("UPDATE submissions SET state=? WHERE token=?", (REMOVED, token))
        db.commit()
    page.wait_for_selector("text=sudah dihapus", timeout=2_500)
    ctx.close()


@pytest.mark.parametrize("js", [True, False])
def test_a_refused_upload_puts_focus_on_its_errors(browser, fake_live_server, js):
    """A screen reader (or a trainee with a magnifier) lands on what went wrong, with or without the script."""
    ctx = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, java_script_enabled=js)
    page = ctx.new_page()
    page.goto(fake_live_server["url"] + "/")
    page.fill("#code", fake_live_server["code"])
    page.tap("button[type=submit]")                                   # no photo chosen
    page.wait_for_selector("text=Pilih foto lembar latihan")
    # (without the script, autofocus is applied once the page has loaded, which can lag the text on a busy machine:
    # the suite saw it fail once with two helper sessions running; a page that never focuses still fails here)
    page.wait_for_function("document.activeElement && document.activeElement.getAttribute('role') === 'alert'",
                           timeout=5_000)
    assert page.input_value("#code") == fake_live_server["code"]
    ctx.close()


def test_the_language_links_are_large_enough_to_tap(browser, fake_live_server):
    """ID and EN sit side by side in the header: each at least 24 x 24 CSS px (WCAG 2.2 target size)."""
    ctx, page = _phone(browser)
    page.goto(fake_live_server["url"] + "/")
    for link in page.locator(".lang a").all():
        box = link.bounding_box()
        assert box["width"] >= 24 and box["height"] >= 24, (link.inner_text(), box)
    ctx.close()


def test_a_lookup_after_one_forms_failure_does_not_leave_while_another_form_is_sending(
        browser, fake_live_server, tmp_path, monkeypatch):
    """Review: both pages refused, the trainee retook page 1 (its answer lost: the page gave up waiting) and, at
    once, page 2. The lookup after page 1's failure found its sheet and opened it, leaving while page 2's retake was
    still being sent: that photo was cut off on the way, or stored in a sheet the trainee was never shown. The
    page now stays for the sending under way, which opens its own result."""
    from grader.web.testing import jpeg_bytes
    srv = fake_live_server
    hold, stored = _slow_answer(monkeypatch)
    ctx, page = _phone(browser)
    page.goto(srv["url"] + "/")
    page.fill("#code", srv["code"])
    for n in (1, 2):
        (tmp_path / f"a_{n}_blur.jpg").write_bytes(jpeg_bytes(color=f"#e{n}e{n}e{n}"))
        page.set_input_files(f"#photo_{n}", str(tmp_path / f"a_{n}_blur.jpg"))
    page.tap("button[type=submit]")
    page.wait_for_selector("#retake-2", state="attached", timeout=15_000)
    start = page.url
    del stored[:]
    first = page.locator("form", has=page.locator("#retake-1"))
    first.evaluate("f => { f.dataset.answerSeconds = '2'; }")
    hold["next"] = 20                                                  # page 1's retake: stored, its answer lost
    (tmp_path / "baru_1.jpg").write_bytes(jpeg_bytes(color="#fafafa"))
    page.set_input_files("#retake-1", str(tmp_path / "baru_1.jpg"))
    wait_until(page, "document.querySelector('#retake-1').form.querySelector('progress').value === null "
                     "|| !document.querySelector('#retake-1').form.querySelector('progress').hasAttribute('value')")
    hold["before"] = 7                                                 # page 2's: still being read when page 1 fails
    (tmp_path / "baru_2.jpg").write_bytes(jpeg_bytes(color="#f9f9f9"))
    page.set_input_files("#retake-2", str(tmp_path / "baru_2.jpg"))
    page.wait_for_timeout(3_500)                   # page 1 has given up, and its lookup answered that it arrived
    assert len(stored) == 1 and page.url == start, (page.url, start)
    assert first.locator("[role=alert]").is_visible()
    first.locator("[data-resend]").tap()           # nor does a tap on page 1's 'Kirim ulang' meanwhile leave
    page.wait_for_timeout(1_000)
    assert len(stored) == 1 and page.url == start, (page.url, start)
    assert first.locator("[role=alert]").is_visible() and first.locator("[data-resend]").is_visible()
    page.wait_for_url(lambda url: len(stored) == 2 and url.endswith("/hasil/" + stored[1].token), timeout=15_000)
    ctx.close()


def _first_sending_fails(page, html_form, send, hold, stored, lookup):
    """Send the form and let it fail while the server stores its sheet all the same: its answer lost (``late``: the
    page's lookup, "did it arrive?", is held), or stored only after the page gave up and its lookup said no
    (``said_no``). Returns what answers a held lookup (it says the first sending arrived) and checks the page has
    not left for it."""
    start = page.url
    html_form.evaluate("f => { f.dataset.stallSeconds = '1'; f.dataset.answerSeconds = '1'; }")
    lookups = []
    if lookup == "late":
        page.route("**/kiriman/*.json", lambda route: lookups.append(route))   # the lookup, answered only later
        hold["next"] = 20                               # stored; its answer lost
    else:
        hold["before"] = 4                              # not stored yet when the page gives up and asks
    send()
    html_form.locator("[role=alert]").wait_for(state="visible", timeout=10_000)
    for _ in range(50):
        if lookups or lookup != "late":
            break
        page.wait_for_timeout(100)
    page.wait_for_timeout(4_500 if lookup == "said_no" else 0)   # meanwhile the first sending was stored
    assert len(stored) == 1 and page.url == start, (stored, page.url)

    def answer_late():
        if lookup == "late":
            lookups[0].continue_()
            page.unroute("**/kiriman/*.json")
            page.wait_for_timeout(1_500)
            assert page.url == start and len(stored) == 1, (page.url, stored)
    return answer_late


@pytest.mark.parametrize("form, lookup", [("upload", "said_no"), ("upload", "late"), ("retake", "said_no")])
def test_a_photo_changed_after_a_failed_sending_is_sent_and_graded_not_the_first_one(
        browser, fake_live_server, tmp_path, monkeypatch, form, lookup):
    """QA: the sending failed, the trainee chose another photo and sent again, and got the first sending's result
    back: the form's token was the same, so the lookup ("did it arrive?") opened the first sheet, and the server
    would have led the same token to it too. The chosen photo changed, so the page now sends under a new token,
    and a lookup about the first sending, answered late, no longer opens its result; it names the first token, so
    the first sheet, which arrived, is replaced by the new one (not a second sheet in the trainer's class)."""
    from grader.web.db import get_db
    from grader.web.testing import jpeg_bytes
    srv = fake_live_server
    hold, stored = _slow_answer(monkeypatch)
    ctx, page = _phone(browser)
    html_form, send = _send(page, srv, tmp_path, form)
    del stored[:]                                       # (a retake's result page came from an upload of its own)
    answer_late = _first_sending_fails(page, html_form, send, hold, stored, lookup)
    (tmp_path / "lagi.jpg").write_bytes(jpeg_bytes(color="#f0f0f0"))
    page.set_input_files("#photo_1" if form == "upload" else "#retake-1", str(tmp_path / "lagi.jpg"))
    answer_late()                                       # (it says the first arrived: too late to open it)
    if form == "upload":
        page.tap("button[type=submit]")                 # (a retake is sent as soon as its photo is chosen)
    page.wait_for_url(lambda url: len(stored) == 2 and url.endswith("/hasil/" + stored[1].token), timeout=15_000)
    with srv["app"].app_context():
        files = [r[0] for r in get_db().execute("SELECT filename FROM uploads WHERE submission_id=? ORDER BY "
                                                "position", (stored[1].id,))]
        replaced_by = get_db().execute("SELECT superseded_by FROM submissions WHERE id=?",
                                       (stored[0].id,)).fetchone()[0]
    assert stored[1].created and "lagi.jpg" in files, files          # the new photo is what is graded
    assert replaced_by == stored[1].id                               # and the first sheet is replaced by it
    ctx.close()


@pytest.mark.parametrize("lookup", ["said_no", "late"])
@pytest.mark.parametrize("field", ["trainee", "code"])
def test_a_name_or_code_corrected_after_a_failed_sending_is_sent_with_the_correction(
        browser, fake_live_server, tmp_path, monkeypatch, field, lookup):
    """QA: the sending failed, the trainee corrected only the name (or the code) and sent again, and got the first
    sending back with the old name: the lookup ("did it arrive?") opened it, and the server led the same form token
    to it too. What the form holds changed, so the page now sends under a new token, a lookup about the first
    sending answered late no longer opens it, and the corrected details are what the new sheet is stored under;
    the first sheet is kept, replaced by the new one: the sending names the token it corrects, so the trainer's
    class does not show "Budy" beside "Budi" (nor the list of uploads waiting for a code the first one)."""
    from grader.web.db import get_db
    srv = fake_live_server
    hold, stored = _slow_answer(monkeypatch)
    ctx, page = _phone(browser)
    html_form, send = _send(page, srv, tmp_path, "upload")
    typo, corrected = ("Budy", "Budi") if field == "trainee" else ("ZZZZZZ", srv["code"])
    page.fill(f"#{field}", typo)
    answer_late = _first_sending_fails(page, html_form, send, hold, stored, lookup)
    page.fill(f"#{field}", corrected)                   # only the name (or the code) is corrected
    answer_late()                                       # (it says the first arrived: too late to open it)
    page.tap("button[type=submit]")
    page.wait_for_url(lambda url: len(stored) == 2 and url.endswith("/hasil/" + stored[1].token), timeout=15_000)
    page.wait_for_selector("text=Hasil penilaian", timeout=15_000)
    assert stored[1].created
    with srv["app"].app_context():
        rows = get_db().execute("SELECT id, token, exercise, trainee, state, superseded_by FROM submissions "
                                "ORDER BY id").fetchall()
    assert [r["token"] for r in rows] == [s.token for s in stored]       # the first sheet is kept
    new = rows[1]
    assert new["trainee"] == "Budi" and new["exercise"] == srv["code"], dict(new)   # with the correction
    assert rows[0]["trainee"] == ("Budy" if field == "trainee" else "Budi")   # (its grading may not have started:
    assert rows[0]["state"] in (("held",) if field == "code" else ("queued", "running", "done"))   # answer held)
    assert rows[0]["superseded_by"] == new["id"] and new["superseded_by"] is None
    ctx.close()
