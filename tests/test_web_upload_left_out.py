"""A trainee's sending with one good page and one file that cannot be graded (not a photo, too large, the same photo
as the other page's): the good page is kept and graded, and the result says what was left out, where the missing
page is added. Through the Flask test client, with the fake pipeline run inline."""
import io

import pytest

from grader.web.testing import csrf_of, jpeg_bytes, make_test_app

NOT_A_PHOTO = ("rekap.docx", b"PK\x03\x04 a word document, not a photo")
SAID = "Berkas ini bukan foto atau PDF."


def upload(client, *, code, trainee="Wati", photos, client_token=None, lang=None):
    data = {"csrf_token": csrf_of(client), "code": code, "trainee": trainee}
    if client_token:
        data["client_token"] = client_token
    for page, photo in enumerate(photos, start=1):
        if photo is not None:
            data[f"photo_{page}"] = (io.BytesIO(photo[1]), photo[0])
    return client.post("/?lang=en" if lang else "/", data=data, content_type="multipart/form-data")


def _rows(app) -> list[dict]:
    from grader.web.db import get_db
    with app.app_context():
        return [dict(r) for r in get_db().execute(
            "SELECT id, token, state, result_status, superseded_by, retake_of FROM submissions ORDER BY id")]


def _stored(app, location: str) -> list[tuple[str, bytes]]:
    from grader.web.db import get_db
    with app.app_context():
        db = get_db()
        sid = db.execute("SELECT id FROM submissions WHERE token=?", (location.rsplit("/", 1)[1],)).fetchone()["id"]
        return [(u["filename"], (app.config["DATA_DIR"] / u["path"]).read_bytes()) for u in db.execute(
            "SELECT filename, path FROM uploads WHERE submission_id=? ORDER BY position", (sid,))]


def _card(html: str) -> str:
    """The "complete this sheet" card (#lengkapi) of a result page."""
    start = html.index('id="lengkapi"')
    return html[start:html.index('<div class="card', start)] if '<div class="card' in html[start:] else html[start:]


def test_a_good_page_is_kept_and_graded_when_the_other_file_is_not_a_photo(app, client, code):
    """QA: page 1 a good photo, page 2 ``rekap.docx``: the form came back with both photo inputs empty (a file input
    cannot be refilled), so on a weak link page 1 had been sent for nothing. Now page 1 is kept and graded as a
    half sheet, exactly as if it had been sent alone, and the result says in its "complete this sheet" card that
    page 2 was not a photo and takes page 2 there."""
    page1 = jpeg_bytes(color="#fdfdfd")
    resp = upload(client, code=code, photos=[("wsolo_1.jpg", page1), NOT_A_PHOTO])
    assert resp.status_code == 302 and resp.location.startswith("/hasil/")
    assert _stored(app, resp.location) == [("wsolo_1.jpg", page1)]
    alone = upload(app.test_client(), code=code, trainee="Wati2", photos=[("wsolo_1.jpg", jpeg_bytes(color="#fefefe"))])
    assert [r["result_status"] for r in _rows(app)] == ["partial", "partial"]       # as page 1 sent alone
    html = client.get(resp.location).get_data(as_text=True)
    card = _card(html)
    assert "Lengkapi lembar ini" in card and "Foto halaman 2" in card
    assert "Halaman 2 belum dinilai (rekap.docx)." in card and SAID in card and html.count(SAID) == 1
    assert "tidak perlu dikirim lagi" in card                   # page 1 is not to be sent again
    assert "rekap.docx" not in client.get(alone.location).get_data(as_text=True)
    # the score card says page 2 is not graded, not that it was never sent (it was, as a .docx)
    assert "Halaman 2 belum dinilai." in html and "Halaman 2 belum dikirim." not in html
    assert "Halaman 2 belum dikirim." in client.get(alone.location).get_data(as_text=True)
    en = client.get(resp.location + "?lang=en").get_data(as_text=True)
    assert "Page 2 was not graded (rekap.docx)." in _card(en) and "This file is not a photo or a PDF." in _card(en)
    # page 2 added there: the sheet is whole, and says nothing more of the file left out
    done = client.post(resp.location + "/lengkapi", data={"csrf_token": csrf_of(client),
                                                          "photo": (io.BytesIO(jpeg_bytes(color="#fcfcfc")), "w_2.jpg")},
                       content_type="multipart/form-data")
    assert done.status_code == 302 and [n for n, _ in _stored(app, done.location)] == ["wsolo_1.jpg", "w_2.jpg"]
    whole = client.get(done.location).get_data(as_text=True)
    assert "Lengkapi lembar ini" not in whole and "rekap.docx" not in whole


def test_a_bad_page_1_beside_a_good_page_2_keeps_page_2(app, client, code):
    resp = upload(client, code=code, photos=[("catatan.txt", b"just some text"), ("wsolo_2.jpg", jpeg_bytes())])
    assert resp.status_code == 302 and [n for n, _ in _stored(app, resp.location)] == ["wsolo_2.jpg"]
    card = _card(client.get(resp.location).get_data(as_text=True))
    assert "Halaman 1 belum dinilai (catatan.txt)." in card and "Foto halaman 1" in card


def test_a_refused_page_beside_a_left_out_one_says_both_and_its_retake_keeps_saying_it(app, client, code):
    """Page 1 too blurry, page 2 a document: the retake card of page 1, and what became of page 2 in a card of its
    own (there is no page to add to a sheet nothing was read of); page 1 retaken, the half sheet says it where
    page 2 is added."""
    resp = upload(client, code=code, photos=[("wsolo_1_blur.jpg", jpeg_bytes()), NOT_A_PHOTO])
    html = client.get(resp.location).get_data(as_text=True)
    assert "Foto perlu diulang" in html and 'id="lengkapi"' not in html
    notes = html[html.index('id="tidak-dinilai"'):]
    assert "Halaman 2 belum dinilai (rekap.docx)." in notes and html.count(SAID) == 1
    retake = client.post(resp.location + "/ulang", data={"csrf_token": csrf_of(client), "position": "1",
                                                         "photo": (io.BytesIO(jpeg_bytes(color="#eee")), "wsolo_1.jpg")},
                         content_type="multipart/form-data")
    assert retake.status_code == 302
    card = _card(client.get(retake.location).get_data(as_text=True))
    assert "Halaman 2 belum dinilai (rekap.docx)." in card and "Foto halaman 2" in card


def test_the_left_out_page_is_said_while_the_sheet_is_being_graded(app, client, code):
    """The trainee sees the waiting page first: it says at once that page 2 was not taken, and where to add it."""
    resp = upload(client, code=code, photos=[("wsolo_1.jpg", jpeg_bytes()), NOT_A_PHOTO])
    from grader.web.db import get_db
    with app.app_context():
        get_db().execute("UPDATE submissions SET state='queued'")
    html = client.get(resp.location).get_data(as_text=True)
    assert "Sedang dinilai" in html and "Halaman 2 belum dinilai (rekap.docx)." in html and SAID in html


@pytest.mark.parametrize("photos, said", [
    ([NOT_A_PHOTO, ("x.txt", b"hello")], ["Halaman 1: Berkas ini bukan foto", "Halaman 2: Berkas ini bukan foto"]),
    ([None, NOT_A_PHOTO], ["Halaman 2: Berkas ini bukan foto"]),
], ids=["both_bad", "only_a_bad_one"])
def test_nothing_is_stored_when_every_file_is_bad(app, client, code, photos, said):
    resp = upload(client, code=code, photos=photos)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 400 and all(s in html for s in said) and _rows(app) == []


@pytest.mark.parametrize("typed, said", [("ZZZZZZ", "tidak ditemukan"), ("REMOVED", "sudah dihapus")])
def test_nothing_is_stored_when_the_code_is_wrong_and_a_file_is_bad(app, client, code, typed, said):
    """As before: the form says both, and keeps nothing (held for its code, the sheet would lose page 2 silently)."""
    if typed == "REMOVED":
        from grader.web.testing import log_in
        typed, trainer = code, app.test_client()
        log_in(trainer)
        assert trainer.post(f"/trainer/latihan/{code}/hapus", data={
            "csrf_token": csrf_of(trainer, f"/trainer/latihan/{code}"), "confirm_code": code}).status_code == 303
    resp = upload(client, code=typed, photos=[("wsolo_1.jpg", jpeg_bytes()), NOT_A_PHOTO])
    html = resp.get_data(as_text=True)
    assert resp.status_code == 400 and said in html and "Halaman 2: Berkas ini bukan foto" in html
    assert _rows(app) == []


def test_a_too_large_page_beside_a_good_one_is_left_out_as_a_bad_file_is(code):
    """A file past the photo limit is a bad file like another: the good page is kept and the result names the
    limit. A request past the server's limit is still refused whole (413), nothing stored."""
    app = make_test_app(MAX_PHOTO_BYTES=300_000, MAX_UPLOAD_BYTES=1_000_000)
    client = app.test_client()
    big = ("besar.jpg", jpeg_bytes().ljust(300_001, b"\0"))
    resp = upload(client, code=code, photos=[("wsolo_1.jpg", jpeg_bytes()), big])
    assert resp.status_code == 302 and [n for n, _ in _stored(app, resp.location)] == ["wsolo_1.jpg"]
    card = _card(client.get(resp.location).get_data(as_text=True))
    assert "Halaman 2 belum dinilai (besar.jpg)." in card and "Foto lebih besar dari" in card
    huge = upload(client, code=code, photos=[("wsolo_1.jpg", jpeg_bytes(color="#eee")),
                                             ("besar.jpg", jpeg_bytes().ljust(1_100_000, b"\0"))])
    assert huge.status_code == 413 and len(_rows(app)) == 1


def test_the_same_form_sent_again_as_it_was_is_the_same_half_sheet(app, client, code):
    """Its answer lost, the form is sent again as it was (page 2 still the document): the sheet it made, once."""
    photos = [("wsolo_1.jpg", jpeg_bytes()), NOT_A_PHOTO]
    first = upload(client, code=code, photos=photos, client_token="form-1")
    assert upload(client, code=code, photos=photos, client_token="form-1").location == first.location
    assert client.get("/kiriman/form-1.json").get_json()["url"] == first.location and len(_rows(app)) == 1


def test_the_same_form_sent_again_with_page_2_fixed_replaces_the_half_sheet(app, client, code):
    """Before the half sheet was completed (a browser without the script, Back, page 2 chosen again): the whole
    sheet, which replaces the half one (grader.web.resent); its old link leads there."""
    page1 = jpeg_bytes(color="#fdfdfd")
    first = upload(client, code=code, photos=[("wsolo_1.jpg", page1), NOT_A_PHOTO], client_token="form-1")
    fixed = upload(client, code=code, photos=[("w_1.jpg", page1), ("w_2.jpg", jpeg_bytes(color="#fcfcfc"))],
                   client_token="form-1")
    assert fixed.status_code == 302 and fixed.location != first.location
    half, whole = _rows(app)
    assert half["superseded_by"] == whole["id"] and whole["result_status"] == "graded"
    assert client.get("/kiriman/form-1.json").get_json()["url"] == fixed.location
    old = client.get(first.location).get_data(as_text=True)
    assert "sudah diganti" in old and 'id="lengkapi"' not in old


@pytest.mark.parametrize("form", ["same_form", "new_form"])
def test_the_form_sent_again_after_the_sheet_was_completed_is_the_completed_sheet(app, client, code, form):
    """The intended path is the half sheet completed on its result page. Then the upload form sent again with both
    pages (Back, page 2 chosen: under the same token without the script, a new one with it) must not grade the
    same photos a third time as another sheet of the class: it is the completed sheet."""
    page1, page2 = jpeg_bytes(color="#fdfdfd"), jpeg_bytes(color="#fcfcfc")
    first = upload(client, code=code, photos=[("wsolo_1.jpg", page1), NOT_A_PHOTO], client_token="form-1")
    done = client.post(first.location + "/lengkapi", data={"csrf_token": csrf_of(client),
                                                           "photo": (io.BytesIO(page2), "w_2.jpg")},
                       content_type="multipart/form-data")
    assert done.status_code == 302
    rows = _rows(app)
    again = upload(client, code=code, photos=[("wsolo_1.jpg", page1), ("w_2.jpg", page2)],
                   client_token="form-1" if form == "same_form" else "form-2")
    assert again.status_code == 302 and again.location == done.location
    assert _rows(app) == rows                                   # nothing stored, nothing replaced
    # another page 2 than the one added is a new sending of the form, graded as such
    other = upload(client, code=code, photos=[("wsolo_1.jpg", page1), ("w_2.jpg", jpeg_bytes(color="#fbfbfb"))],
                   client_token="form-1" if form == "same_form" else "form-3")
    assert other.location not in (first.location, done.location) and len(_rows(app)) == 3
    if form == "same_form":     # (a correction of the form's sending: the sheet completed from it goes with it)
        half, completed, latest = _rows(app)
        assert half["superseded_by"] == completed["superseded_by"] == latest["id"]


def test_the_form_sent_again_after_completion_with_only_the_name_s_case_corrected_is_a_new_sending(app, client,
                                                                                                  code):
    """The completed sheet keeps the name its upload form typed (``typed_trainee``): the same form sent again with
    only the name's case corrected is a corrected sending, graded with it, as another page 2 is above; a new form
    (no script: it names no sending it corrects) within minutes is the completed sheet, the case ignored as the
    same photos from another form are (earlier_sendings.find_duplicate)."""
    page1, page2 = jpeg_bytes(color="#fdfdfd"), jpeg_bytes(color="#fcfcfc")
    first = upload(client, code=code, trainee="wati", photos=[("wsolo_1.jpg", page1), NOT_A_PHOTO],
                   client_token="form-1")
    done = client.post(first.location + "/lengkapi", data={"csrf_token": csrf_of(client),
                                                           "photo": (io.BytesIO(page2), "w_2.jpg")},
                       content_type="multipart/form-data")
    both = [("wsolo_1.jpg", page1), ("w_2.jpg", page2)]
    assert upload(client, code=code, trainee="wati", photos=both, client_token="form-1").location == done.location
    assert upload(client, code=code, trainee="Wati", photos=both, client_token="form-2").location == done.location
    corrected = upload(client, code=code, trainee="Wati", photos=both, client_token="form-1")
    assert corrected.location not in (first.location, done.location) and len(_rows(app)) == 3
    half, completed, latest = _rows(app)          # (the sheet completed from the sending corrected goes with it)
    assert half["superseded_by"] == completed["superseded_by"] == latest["id"]
    from grader.web.db import get_db
    with app.app_context():
        assert get_db().execute("SELECT trainee FROM submissions WHERE token=?",
                                (corrected.location.rsplit("/", 1)[1],)).fetchone()[0] == "Wati"


# -- the same photo chosen for both pages ------------------------------------------------------------------------

def test_the_same_photo_for_both_pages_is_said_once_with_the_one_action_that_helps(app, client, code):
    """QA: the same photo chosen for page 1 and page 2 showed a "this page is not graded — page 1" card with "Retake"
    and, below, "Complete this sheet / Photo of page 2": two actions for one mistake. It is graded once, and the
    trainee is told so, once, in the card that takes page 2."""
    photo = jpeg_bytes(color="#fdfdfd")
    resp = upload(client, code=code, photos=[("wsolo_1.jpg", photo), ("wsolo_1.jpg", photo)])
    assert resp.status_code == 302 and _stored(app, resp.location) == [("wsolo_1.jpg", photo)]
    html = client.get(resp.location).get_data(as_text=True)
    said = "Foto yang sama (wsolo_1.jpg) dipilih untuk halaman 1 dan halaman 2, jadi hanya dinilai sekali."
    assert html.count(said) == 1 and said in _card(html)
    assert "Foto ulang" not in html and "Halaman ini tidak dinilai" not in html and "Foto halaman 2" in _card(html)
    en = client.get(resp.location + "?lang=en").get_data(as_text=True)
    assert "The same photo (wsolo_1.jpg) was chosen for page 1 and page 2, so it was graded once." in en


def test_a_second_photo_of_the_same_page_is_said_where_the_missing_page_is_added(app, client, code, monkeypatch):
    """Two different photos of page 1 (the pipeline refuses the earlier as ``duplicate_page``, grading the later):
    no "Retake" card beside "Photo of page 2"; the refusal is said in the card that takes page 2, once."""
    _first_of_two_replaced(monkeypatch, "Foto ini halaman 1 lagi: yang dinilai foto terakhir halaman itu (xsolo_1.jpg). "
                           "Halaman 2 belum terkirim: foto juga halaman itu.", "This is page 1 again: the last photo of "
                           "it (xsolo_1.jpg) is graded instead. Page 2 is not sent yet: take a photo of it too.")
    resp = upload(client, code=code, photos=[("wsolo_1.jpg", jpeg_bytes()), ("xsolo_1.jpg", jpeg_bytes(color="#eee"))])
    html = client.get(resp.location).get_data(as_text=True)
    assert html.count("Foto ini halaman 1 lagi") == 1 and "Foto ini halaman 1 lagi" in _card(html)
    assert "Foto ulang" not in html and "Halaman ini tidak dinilai" not in html and "Foto halaman 2" in _card(html)


def test_a_photo_replaced_by_a_later_one_of_its_page_is_no_red_card(app, client, code, monkeypatch):
    """Rehearsal (helper-138): on a whole sheet with page 1 photographed twice, the earlier photo's card was a red
    "Halaman ini tidak dinilai", alarming for a photo nothing is wrong with (a later one of its page is graded). It
    is an amber card, "Diganti foto terakhirnya", with the pipeline's words."""
    _first_of_two_replaced(monkeypatch, "Foto ini halaman 1 lagi: yang dinilai foto terakhir halaman itu (b_1.jpg).",
                           "This is page 1 again: the last photo of it (b_1.jpg) is graded instead.")
    resp = upload(client, code=code, photos=[("a_1.jpg", jpeg_bytes()), ("b_1.jpg", jpeg_bytes(color="#eee"))])
    html = client.get(resp.location).get_data(as_text=True)
    assert '<div class="card advice" id="ulang-1">' in html
    card = html[html.index('id="ulang-1"'):]
    assert "Diganti foto terakhirnya" in card and "yang dinilai foto terakhir halaman itu (b_1.jpg)" in card
    assert "Halaman ini tidak dinilai" not in html and '<div class="card refused"' not in html
    assert "Foto ulang" not in card[:card.index("</div>\n")]        # nothing to retake: its page is graded


def _first_of_two_replaced(monkeypatch, message_id: str, message_en: str) -> None:
    """The web's stand-in grading refuses the first of two photos as ``duplicate_page``, as the pipeline refuses an
    earlier photo of a page photographed again (with these words)."""
    import grader.web.testing as fake
    real = fake.grade_upload

    def replaced(files, **kw):
        res = real(files, **kw)
        if len(files) == 2:
            res["pages"][0].update(annotated=None, refusal={"code": "duplicate_page", "message_id": message_id,
                                                            "message_en": message_en})
        return res
    monkeypatch.setattr(fake, "grade_upload", replaced)
