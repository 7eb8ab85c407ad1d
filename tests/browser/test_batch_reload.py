"""A trainer's batch form reloaded after a sending whose answer was lost: this tab remembers that sending's token.

The fake pipeline (grader.web.testing) is enough: what is tested is the page and the batches it makes.
"""
import pytest

from tests.browser.test_browser import PHONE, trainer_page
from tests.browser.test_weak_network import batch_answer_lost_once

pytestmark = [pytest.mark.browser, pytest.mark.slow]
FORM = "form[action$='/batch']"


def _photos(tmp_path, names, *, shade=0):
    """The photos ``names``, each of its own colour (``shade``: another set's, not the same photos again)."""
    from grader.web.testing import jpeg_bytes
    for n, name in enumerate(names, start=shade):
        (tmp_path / name).write_bytes(jpeg_bytes(color=f"#e{n}e{n}e{n}"))
    return [str(tmp_path / name) for name in names]


def _batches(srv):
    """The batches' tokens, and the files of the sheets as they are (a merge replaces two)."""
    from grader.web.db import get_db
    with srv["app"].app_context():
        db = get_db()
        tokens = [r["token"] for r in db.execute("SELECT token FROM batches ORDER BY id")]
        files = sorted(r["filename"] for r in db.execute(
            "SELECT u.filename FROM uploads u JOIN submissions s ON s.id = u.submission_id WHERE s.state != 'merged'"))
    return tokens, files


def test_a_batch_whose_answer_is_lost_then_the_page_reloaded_and_the_photos_sent_again_completes_that_batch(
        browser, fake_live_server, tmp_path, monkeypatch):
    """Review: the batch was stored but its answer lost on a weak link, and so was the page's "did it arrive?". The
    trainer reloaded the page (a new form, a new token), chose the class again with a page that was missing, and
    sent: a second batch held the added page alone, apart from its page 1 (the rest skipped as already sent). The
    tab now remembers the token of the sending not answered; the reloaded page takes it back and says the earlier
    upload arrived, linking it: one batch, every photo once. The answer forgets it."""
    batch_answer_lost_once(monkeypatch)
    srv = fake_live_server
    ctx, page = trainer_page(browser, srv, PHONE)
    page.goto(srv["url"] + f"/trainer/latihan/{srv['code']}")
    photos = _photos(tmp_path, ["017_1.jpg", "021_1.jpg", "017_2.jpg"])
    page.set_input_files("input[name=photos]", photos[:2])
    sent = page.get_attribute(f"{FORM} input[name=client_token]", "value")
    page.locator(FORM).evaluate("f => { f.dataset.stallSeconds = '1'; f.dataset.answerSeconds = '1'; }")
    page.route("**/kiriman/*.json", lambda route: route.abort())      # "did it arrive?" lost too
    page.click(f"{FORM} button[type=submit]")
    page.locator(f"{FORM} [role=alert]").wait_for(state="visible", timeout=10_000)
    page.unroute("**/kiriman/*.json")
    page.reload()
    assert page.get_attribute(f"{FORM} input[name=client_token]", "value") == sent      # taken back
    note = page.locator(f"{FORM} [data-arrived-note]")
    note.wait_for(timeout=10_000)
    tokens, _ = _batches(srv)
    assert note.inner_text().startswith("Unggahan sebelumnya sudah sampai, walau jawabannya terputus."), \
        note.inner_text()
    assert note.locator("a").get_attribute("href") == f"/trainer/batch/{tokens[0]}"
    page.set_input_files("input[name=photos]", photos)                 # the class again, with the page missing
    page.click(f"{FORM} button[type=submit]")
    page.wait_for_url("**/trainer/batch/**", timeout=20_000)
    tokens, files = _batches(srv)
    assert len(tokens) == 1 and page.url.endswith("/trainer/batch/" + tokens[0]), (tokens, page.url)
    assert files == ["017_1.jpg", "017_2.jpg", "021_1.jpg"], files                   # each photo once
    assert page.evaluate("sessionStorage.length") == 0                                # answered: forgotten
    ctx.close()


def test_a_batch_answered_then_its_page_reloaded_sends_the_next_photos_as_a_new_batch(browser, fake_live_server,
                                                                                      tmp_path):
    """A sending answered is forgotten: back on the exercise page and reloaded, the next class's photos are a new
    batch, not added to the last one. So is a page opened anew while a sending went unanswered."""
    srv = fake_live_server
    ctx, page = trainer_page(browser, srv, PHONE)
    exercise = srv["url"] + f"/trainer/latihan/{srv['code']}"
    page.goto(exercise)
    first = _photos(tmp_path, ["017_1.jpg", "021_1.jpg"])
    page.set_input_files("input[name=photos]", first)
    token = page.get_attribute(f"{FORM} input[name=client_token]", "value")
    page.click(f"{FORM} button[type=submit]")
    page.wait_for_url("**/trainer/batch/**", timeout=15_000)
    page.go_back()
    page.wait_for_selector(FORM)
    page.reload()
    again = page.get_attribute(f"{FORM} input[name=client_token]", "value")
    assert again != token and page.locator(f"{FORM} [data-arrived-note]").count() == 0
    page.set_input_files("input[name=photos]", _photos(tmp_path, ["030_1.jpg", "031_1.jpg"], shade=5))
    page.click(f"{FORM} button[type=submit]")
    page.wait_for_url("**/trainer/batch/**", timeout=15_000)
    tokens, files = _batches(srv)
    assert len(tokens) == 2 and page.url.endswith("/trainer/batch/" + tokens[1]), (tokens, page.url)
    assert files == ["017_1.jpg", "021_1.jpg", "030_1.jpg", "031_1.jpg"], files
    # a sending unanswered (its page left before the answer), then the page opened anew and reloaded: a new form
    page.goto(exercise)
    unanswered = page.get_attribute(f"{FORM} input[name=client_token]", "value")
    remember(page, unanswered, seconds_ago=0)
    page.goto(exercise)
    page.reload()
    assert page.get_attribute(f"{FORM} input[name=client_token]", "value") != unanswered
    ctx.close()


def remember(page, token, *, seconds_ago):
    """This tab remembering ``token`` as a sending left unanswered ``seconds_ago``, as the form's script does."""
    page.evaluate(f"sessionStorage.setItem('grader.unanswered:' + document.querySelector(\"{FORM}\").action, "
                  f"'{token} ' + (Date.now() - {seconds_ago * 1000}))")


def test_a_sending_left_unanswered_longer_ago_than_the_tab_keeps_it_is_not_taken_back_by_a_reload(
        browser, fake_live_server):
    """The token is kept UNANSWERED_KEPT_S from its last sending: a reload then completes that batch; a reload the
    next hour in the same tab (the next class) makes a new batch, not more of the last class's."""
    from grader.web.trainer.batch_files import UNANSWERED_KEPT_S
    srv = fake_live_server
    ctx, page = trainer_page(browser, srv, PHONE)
    page.goto(srv["url"] + f"/trainer/latihan/{srv['code']}")
    assert page.get_attribute(FORM, "data-keep-token") == str(UNANSWERED_KEPT_S)
    for seconds_ago, taken_back in ((UNANSWERED_KEPT_S - 60, True), (UNANSWERED_KEPT_S + 60, False)):
        token = page.get_attribute(f"{FORM} input[name=client_token]", "value")
        remember(page, token, seconds_ago=seconds_ago)
        page.reload()
        again = page.get_attribute(f"{FORM} input[name=client_token]", "value")
        assert (again == token) == taken_back, (seconds_ago, token, again)
    ctx.close()
