"""A sheet graded before and being graded again (a trainer's "Nilai ulang" after grading it again failed; its earlier
result kept meanwhile: standing_sheets.being_graded_again), or whose grading again failed: what the batch page, the
class rows and the trainee's pages say meanwhile (rehearsal, helper-198, real pipeline)."""
import re

import pytest

import grader.web.testing as fake
from grader.web.db import connect
from grader.web.sheet_storing import submission_dir
from grader.web.testing import jpeg_bytes, log_in
from test_web_trainer import batch, send_as_trainee


@pytest.fixture
def trainer(app):
    client = app.test_client()
    assert log_in(client).status_code == 302
    return client


def update(app, sql, *args):
    conn = connect(app.config["DATABASE"])
    try:
        conn.execute(sql, args)
    finally:
        conn.close()


def two_sheet_batch(trainer, code):
    """A batch of two trainees' sheets, graded and paired: its page's address and its JSON."""
    resp = batch(trainer, code, [("017_1.jpg", jpeg_bytes()), ("017_2.jpg", jpeg_bytes(color="#eee")),
                                 ("018_1.jpg", jpeg_bytes(color="#ddd")), ("018_2.jpg", jpeg_bytes(color="#ccc"))])
    status = trainer.get(resp.location + ".json").get_json()
    assert status["complete"] and status["counter"] == "2 / 2 lembar selesai"
    return resp.location, status


def graded_again(app, sid, state="queued"):
    """Sheet ``sid`` as a trainer's "Nilai ulang" leaves it (grade_again.grade_failed_again): queued (then running),
    its earlier result kept, and its batch's pages to be paired again."""
    update(app, "UPDATE submissions SET state=? WHERE id=?", state, sid)
    update(app, "UPDATE batches SET merged=0 WHERE id=(SELECT batch_id FROM submissions WHERE id=?)", sid)


@pytest.mark.parametrize("state", ["queued", "running"])
def test_a_done_batch_with_a_sheet_graded_again_says_it_is_done_but_for_that_sheet(app, trainer, code, state):
    """Its counter fell from "2 / 2 lembar selesai" to "… foto dibaca" (the grading again marks the batch's pages to
    be paired again), or "1 / 2" had it not: the batch was done, and one sheet is graded again."""
    page, before = two_sheet_batch(trainer, code)
    graded_again(app, before["items"][0]["id"], state)
    status = trainer.get(page + ".json").get_json()
    assert status["counter"] == "Selesai; 1 lembar sedang dinilai ulang" and status["percent"] == 100
    assert (status["graded_again"], status["paired"], status["complete"]) == (1, True, False)   # (polled on)
    html = trainer.get(page).get_data(as_text=True)
    assert re.search(r'id="batch-counter"[^>]*>([^<]*)<', html).group(1) == "Selesai; 1 lembar sedang dinilai ulang"
    english = trainer.get(page + ".json?lang=en").get_json()["counter"]
    assert english == "Done; 1 sheet being graded again"
    trainer.get("/?lang=id")
    update(app, "UPDATE submissions SET state='done' WHERE id=?", before["items"][0]["id"])
    update(app, "UPDATE batches SET merged=1")
    assert trainer.get(page + ".json").get_json()["counter"] == "2 / 2 lembar selesai"


def test_a_sheet_graded_again_keeps_the_picture_of_its_written_number_and_name_in_its_row(app, trainer, code,
                                                                                       monkeypatch):
    """The picture left the batch row (and the class table's, for a sheet not named) while the sheet was graded again,
    and came back after: its row said nothing of whose sheet it was meanwhile. It stays, the last one cut, until the
    grading cuts it again (a picture that grading did not cut again goes then)."""
    page, before = two_sheet_batch(trainer, code)
    sid, picture = before["items"][0]["id"], before["items"][0]["ident_url"]
    assert picture
    for state in ("queued", "running"):
        graded_again(app, sid, state)
        item = trainer.get(page + ".json").get_json()["items"][0]
        assert item["ident_url"] and item["ident_url"].split("?")[0] == picture.split("?")[0], state
        assert trainer.get(item["ident_url"]).status_code == 200
        assert f'src="{item["ident_url"]}"'.replace("&", "&amp;") in trainer.get(page).get_data(as_text=True)
    # the grading job itself leaves the earlier picture there while it runs
    seen, real = [], fake.grade_upload

    def grading(files, **kw):
        seen.append(sorted(p.name for p in kw["out_dir"].glob("ident*.png")))
        return real(files, **kw)
    monkeypatch.setattr(fake, "grade_upload", grading)
    update(app, "UPDATE submissions SET state='failed', error_code='internal_error', error_id='x', error_en='x' "
                "WHERE id=?", sid)
    assert trainer.get(page + ".json").get_json()["items"][0]["ident_url"]      # (failed again: still there)
    [token] = [r[0] for r in connect(app.config["DATABASE"]).execute("SELECT token FROM submissions WHERE id=?",
                                                                       (sid,))]
    derived = submission_dir(app.config["DATA_DIR"], token) / "derived"
    (derived / "ident3.png").write_bytes((derived / "ident1.png").read_bytes())     # (a page this grading won't cut)
    trainer.post(f"/trainer/lembar/{sid}/nilai-ulang", data={"csrf_token": _csrf(trainer, sid)})
    assert seen and seen[0] == ["ident1.png", "ident2.png", "ident3.png"]
    assert sorted(p.name for p in derived.glob("ident*.png")) == ["ident1.png", "ident2.png"]     # (cut again)
    assert trainer.get(page + ".json").get_json()["items"][0]["ident_url"]


def _csrf(client, sid):
    html = client.get(f"/trainer/lembar/{sid}").get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def test_a_trainees_complete_sheet_being_graded_again_says_so_on_its_page(app, code):
    """The trainee's page of a sheet graded before and graded again said "Sedang dinilai…", as for a photo just
    sent, where the trainer's pages say "Sedang dinilai ulang" and that its earlier score does not count meanwhile."""
    from grader.grading.shown import shown_score
    phone = app.test_client()
    page = send_as_trainee(phone, code, "Wati", [("a_1.jpg", jpeg_bytes()), ("a_2.jpg", jpeg_bytes(color="#f7f7f7"))])
    conn = connect(app.config["DATABASE"])
    old = conn.execute("SELECT score FROM submissions WHERE id=1").fetchone()[0]
    conn.close()
    for state in ("queued", "running"):
        update(app, "UPDATE submissions SET state=? WHERE id=1", state)
        for lang, said, waits in (
                ("id", "Sedang dinilai ulang…",
                 f"Hasil sebelumnya (nilai {shown_score(old)}) tidak dihitung sampai selesai dinilai ulang."),
                ("en", "Being graded again…",
                 f"The earlier result (score {shown_score(old)}) does not count until it is graded again.")):
            text = phone.get(f"{page}?lang={lang}").get_data(as_text=True)
            assert said in text and waits in text and "data-poll" in text, (state, lang)
    # a sheet never graded, being graded, says what it said
    update(app, "UPDATE submissions SET result_status=NULL WHERE id=1")
    text = phone.get(f"{page}?lang=id").get_data(as_text=True)
    assert "Sedang dinilai…" in text and "dinilai ulang" not in text


def test_a_half_or_refused_sending_says_the_earlier_sheet_that_stands_failed_its_grading_again(app, trainer, code):
    """Wati's half sending's page said nothing of her complete sheet once grading it again failed (it said "still
    counted" while it was done, and "being graded again" while it was): the class table keeps it standing, its
    score not counted until it is graded again. Her page says so, and to tell her trainer."""
    phone = app.test_client()
    send_as_trainee(phone, code, "Wati", [("a_1.jpg", jpeg_bytes()), ("a_2.jpg", jpeg_bytes(color="#f7f7f7"))])
    half = send_as_trainee(phone, code, "Wati", [("asolo_1.jpg", jpeg_bytes(color="#ccc"))])
    refused = send_as_trainee(phone, code, "Wati", [("a_1_blur.jpg", jpeg_bytes(color="#ddd"))])
    update(app, "UPDATE submissions SET state='failed', error_code='internal_error', error_id='x', error_en='x' "
                "WHERE id=1")
    [row] = trainer.get(f"/trainer/latihan/{code}/hasil.json").get_json()["rows"]
    assert (row["url"], row["regrade_failed"]) == ("/trainer/lembar/1", True)         # (it still stands)
    for url, said in (
            (half, ("Penilaian ulang lembar lengkap Anda sebelumnya gagal, jadi nilainya belum dihitung sampai "
                    "lembar itu berhasil dinilai ulang;",
                    "Grading your earlier complete sheet again failed, so its score is not counted until it is "
                    "graded again;")),
            (refused, ("Penilaian ulang lembar Anda sebelumnya yang sudah dinilai gagal,",
                       "Grading your earlier graded sheet again failed,"))):
        for lang, words in zip(("id", "en"), said):
            page = phone.get(f"{url}?lang={lang}").get_data(as_text=True)
            assert words in page and "data-earlier-stands" not in page, (url, lang)
            assert ("Beri tahu pelatih Anda agar lembar itu dinilai ulang." if lang == "id" else
                    "Tell your trainer, so that it is graded again.") in page
