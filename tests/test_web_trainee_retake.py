"""A trainee's retake through the Flask test client, with the fake pipeline run inline (grader.web.testing)."""
import io
import json
import re

from grader.web.testing import csrf_of, jpeg_bytes


def _send(client, code, photos, trainee="017"):
    data = {"csrf_token": csrf_of(client), "code": code, "trainee": trainee}
    for i, (name, content) in enumerate(photos, start=1):
        data[f"photo_{i}"] = (io.BytesIO(content), name)
    return client.post("/", data=data, content_type="multipart/form-data")


def _retake(client, location, position, name, content):
    return client.post(location + "/ulang", content_type="multipart/form-data", data={
        "csrf_token": csrf_of(client), "position": str(position), "photo": (io.BytesIO(content), name)})


def _text(client, location, lang="id"):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", client.get(f"{location}?lang={lang}").get_data(as_text=True)))


def test_a_retake_of_page_2_made_with_page_1_says_so_keeps_page_1_and_page_2s_reason(app, client, code):
    """Retake rehearsal: page 2 refused as blurry, its "Foto ulang" taken of page 1 by mistake. The new sheet graded
    that photo as page 1 in place of the page 1 graded, said "Halaman 2 belum dikirim", and page 2's reason was gone.
    The trainee is told the photo is page 1, not page 2, and why page 2 was refused; page 1 stays graded from its
    first photo, with what was said of its fields."""
    first = _send(client, code, [("017solo_p1.jpg", jpeg_bytes()), ("017solo_blur_p2.jpg", jpeg_bytes(color="#eee"))])
    retake = _retake(client, first.location, 2, "ulang-solo_p1.jpg", jpeg_bytes(color="#ddd"))
    assert retake.status_code == 302 and retake.location != first.location
    with app.app_context():
        from grader.web.db import get_db
        res = json.loads(get_db().execute("SELECT result FROM submissions WHERE token=?",
                                          (retake.location.rsplit("/", 1)[1],)).fetchone()["result"])
    assert [(p["file"], p["page"], (p["refusal"] or {}).get("code")) for p in res["pages"]] == [
        ("017solo_p1.jpg", 1, None), ("ulang-solo_p1.jpg", 1, "duplicate_page")]      # page 1: its first photo
    text = _text(client, retake.location)
    assert "Foto yang Anda kirim adalah halaman 1, bukan halaman 2." in text
    assert "Halaman 1 tetap dinilai dari foto sebelumnya; foto ini tidak menggantikannya." in text
    assert "Foto halaman 2 sebelumnya ditolak: Foto terlalu buram" in text
    assert "Halaman 2 belum dikirim" not in text and "Halaman 2 belum dinilai." in text
    assert 'href="#lengkapi"' in client.get(retake.location).get_data(as_text=True)      # where page 2 is sent
    english = _text(client, retake.location, "en")
    assert "The photo you sent is page 1, not page 2." in english
    assert "The earlier photo of page 2 was refused: The photo is too blurry" in english
    # page 2 sent where the card leads: the sheet is whole
    right = client.post(retake.location + "/lengkapi", content_type="multipart/form-data", data={
        "csrf_token": csrf_of(client), "photo": (io.BytesIO(jpeg_bytes(color="#ccc")), "ulang-solo_p2.jpg")})
    assert client.get(right.location + ".json").get_json()["status"] == "graded"
    assert "bukan halaman" not in _text(client, right.location)


def test_a_retake_made_with_the_same_photo_as_the_page_kept_still_says_it_is_not_the_page_asked_for(app, client, code):
    """Class rehearsal (reh163): page 1 refused (too dark there; blurry here), its "Foto ulang" chosen from the gallery as the very photo
    of page 2 sent before (the same bytes). The new photo was told from the kept one by its digest only, so the card
    "Foto ini bukan halaman 1" was not shown and the page said "Halaman 1 belum dikirim", page 1's reason gone."""
    page_2 = jpeg_bytes(color="#eee")
    first = _send(client, code, [("017solo_blur_p1.jpg", jpeg_bytes(color="#222")), ("017solo_p2.jpg", page_2)])
    retake = _retake(client, first.location, 1, "017solo_p2.jpg", page_2)
    assert retake.status_code == 302 and retake.location != first.location
    with app.app_context():
        from grader.web.db import get_db
        res = json.loads(get_db().execute("SELECT result FROM submissions WHERE token=?",
                                          (retake.location.rsplit("/", 1)[1],)).fetchone()["result"])
    assert [(p["page"], (p["refusal"] or {}).get("code")) for p in res["pages"]] == [
        (2, "duplicate_page"), (2, None)]           # the photo sent as the retake, then page 2 kept
    text = _text(client, retake.location)
    assert "Foto yang Anda kirim adalah halaman 2, bukan halaman 1." in text
    assert "Foto halaman 1 sebelumnya ditolak: Foto terlalu buram" in text
    assert "Halaman 1 belum dikirim" not in text


def test_a_wrong_page_retake_still_says_so_on_its_old_page_once_the_sheet_is_completed(app, client, code):
    """Class rehearsal (reh166, real pipeline): page 2 refused as too dark, page 1 sent as its retake ("Foto ini
    bukan halaman 2"), then page 2 added there. The retake's page, opened again from a chat or the history, said
    "Diganti foto terakhirnya — halaman 1 … Halaman 2 belum terkirim: foto juga halaman itu" and "Halaman 2 belum
    dikirim", page 2's refusal gone: the card was worked out only for a sheet still lacking a page. It says what it
    said before, leading to the newer result rather than to a page-adding form it no longer has."""
    first = _send(client, code, [("017solo_p1.jpg", jpeg_bytes()), ("017solo_blur_p2.jpg", jpeg_bytes(color="#eee"))])
    retake = _retake(client, first.location, 2, "ulang-solo_p1.jpg", jpeg_bytes(color="#ddd"))
    done = client.post(retake.location + "/lengkapi", content_type="multipart/form-data", data={
        "csrf_token": csrf_of(client), "photo": (io.BytesIO(jpeg_bytes(color="#ccc")), "ulang-solo_p2.jpg")})
    assert done.status_code == 302 and client.get(done.location + ".json").get_json()["status"] == "graded"
    text = _text(client, retake.location)
    assert "Lihat hasil terbaru" in text                      # the newer result, the completed sheet
    assert "Foto yang Anda kirim adalah halaman 1, bukan halaman 2." in text
    assert "Foto halaman 2 sebelumnya ditolak: Foto terlalu buram" in text
    assert "Diganti foto terakhirnya" not in text and "belum terkirim" not in text
    assert "Halaman 2 belum dikirim" not in text and "Halaman 2 belum dinilai." in text
    assert 'href="#lengkapi"' not in client.get(retake.location).get_data(as_text=True)    # no such card there


def _class(app, code):
    from grader.web.classroom import latest_sheets
    from grader.web.standing_sheets import attempts_of
    from grader.web.db import get_db
    with app.app_context():
        rows = latest_sheets(get_db(), code)
        return [(r["token"], r["attempts"], [a["id"] for a in attempts_of(get_db(), code, r["id"])]) for r in rows]


def _id(app, location):
    from grader.web.db import get_db
    with app.app_context():
        return get_db().execute("SELECT id FROM submissions WHERE token=?", (location.rsplit("/", 1)[1],)).fetchone()[0]


def test_a_wrong_page_retake_is_no_attempt_of_its_own(app, client, code):
    """Rehearsal (helper-164): page 1 sent as page 2's retake, refused as page 1 again (page 1 kept from its first
    photo), counted as an attempt: "(3×)" and a "Sebagian" more in the trainer's list once page 2 was added, "(2×)"
    before, for a photo that graded nothing the sheet had not. As the same photo chosen again as a retake makes no
    sheet, it is no attempt: the class table, its count, the exports and the trainer's list go by the sheet it was
    made from, and by the sheet completed from it."""
    first = _send(client, code, [("017solo_p1.jpg", jpeg_bytes()), ("017solo_blur_p2.jpg", jpeg_bytes(color="#eee"))])
    wrong = _retake(client, first.location, 2, "ulang-solo_p1.jpg", jpeg_bytes(color="#ddd"))
    assert "Foto yang Anda kirim adalah halaman 1, bukan halaman 2." in _text(client, wrong.location)
    assert _class(app, code) == [(first.location.rsplit("/", 1)[1], 1, [])]
    done = client.post(wrong.location + "/lengkapi", content_type="multipart/form-data", data={
        "csrf_token": csrf_of(client), "photo": (io.BytesIO(jpeg_bytes(color="#ccc")), "ulang-solo_p2.jpg")})
    assert client.get(done.location + ".json").get_json()["status"] == "graded"
    assert _class(app, code) == [(done.location.rsplit("/", 1)[1], 2, [_id(app, first.location),
                                                                        _id(app, done.location)])]


def test_a_retake_refused_as_blurry_again_is_still_an_attempt(app, client, code):
    """A retake of the page asked for, refused for its photo (blurry again), is an attempt at that page, as before."""
    first = _send(client, code, [("017solo_p1.jpg", jpeg_bytes()), ("017solo_blur_p2.jpg", jpeg_bytes(color="#eee"))])
    again = _retake(client, first.location, 2, "ulang-solo_blur_p2.jpg", jpeg_bytes(color="#ddd"))
    assert again.location != first.location
    assert _class(app, code) == [(again.location.rsplit("/", 1)[1], 2, [_id(app, first.location),
                                                                         _id(app, again.location)])]


def test_a_retake_or_added_page_sent_with_no_photo_chosen_says_none_was_chosen_not_that_the_file_is_empty(
        client, code):
    """Rehearsal (helper-185, a phone with the script off): the "Foto ulang" card's "Kirim" tapped before choosing
    the photo answered "Berkas kosong. Pilih foto lembar latihan." (the file is empty) of a file never chosen; so
    did the "Foto halaman 2" card of a sheet lacking its page. Both say no photo was chosen and what to do; a
    chosen file that is empty is still "Berkas kosong"."""
    first = _send(client, code, [("017solo_p1.jpg", jpeg_bytes()), ("017solo_blur_p2.jpg", jpeg_bytes(color="#eee"))])
    # (a browser sends a file input left empty as a part with no file name and no bytes)
    none_chosen = client.post(first.location + "/ulang", content_type="multipart/form-data", data={
        "csrf_token": csrf_of(client), "position": "2", "photo": (io.BytesIO(b""), "")})
    said = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", none_chosen.get_data(as_text=True)))
    assert none_chosen.status_code == 400
    assert "Belum ada foto yang dipilih. Pilih foto halamannya dulu, lalu ketuk “Kirim”." in said
    assert "Berkas kosong" not in said
    empty = _retake(client, first.location, 2, "ulang_p2.jpg", b"")
    assert "Berkas kosong. Pilih foto lembar latihan." in empty.get_data(as_text=True)
    lacking = _send(client, code, [("017solo_p1.jpg", jpeg_bytes(color="#ccc"))])
    added = client.post(lacking.location + "/lengkapi", content_type="multipart/form-data", data={
        "csrf_token": csrf_of(client), "photo": (io.BytesIO(b""), "")})
    assert added.status_code == 303 and added.location.endswith("#lengkapi")
    text = _text(client, lacking.location)
    assert "Belum ada foto yang dipilih. Pilih foto halamannya dulu, lalu ketuk “Kirim”." in text
    assert "Berkas kosong" not in text
    english = client.post(first.location + "/ulang?lang=en", content_type="multipart/form-data", data={
        "csrf_token": csrf_of(client), "position": "2"}).get_data(as_text=True)
    assert "No photo was chosen. Choose the page&#39;s photo first, then tap “Send”." in english
