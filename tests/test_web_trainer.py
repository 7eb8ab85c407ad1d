"""Trainer pages through the Flask test client: the login wall, exercises, batches, results, review, export."""
import csv
import json
import io
import re
import zipfile
from pathlib import Path

import pytest

from grader.web.present import refusal_short
from grader.web.testing import csrf_of, jpeg_bytes, log_in, make_test_app, stored_an_hour_ago


@pytest.fixture
def trainer(app):
    client = app.test_client()
    assert log_in(client).status_code == 302
    return client


def zip_of(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def batch(client, code, files, client_token="b1", headers=None):
    token = csrf_of(client, f"/trainer/latihan/{code}")
    data = {"csrf_token": token, "client_token": client_token,
            "photos": [(io.BytesIO(content), name) for name, content in files]}
    return client.post(f"/trainer/latihan/{code}/batch", data=data, content_type="multipart/form-data",
                       headers=headers)


TRAINER_GETS = ["/trainer/", "/trainer/latihan/{code}", "/trainer/latihan/{code}/hasil", "/trainer/latihan/{code}/kunci",
                "/trainer/latihan/{code}/hasil.json", "/trainer/latihan/{code}/periksa",
                "/trainer/latihan/{code}/wawasan", "/trainer/latihan/{code}/soal.pdf",
                "/trainer/latihan/{code}/lembar.pdf", "/trainer/latihan/{code}/ekspor/hasil.xlsx",
                "/trainer/latihan/{code}/ekspor/lembar.csv", "/trainer/lembar/1", "/trainer/lembar/1/gambar/page1.png",
                "/trainer/batch/x", "/trainer/batch/x.json"]
TRAINER_POSTS = ["/trainer/latihan", "/trainer/latihan/{code}/batch", "/trainer/latihan/{code}/lembar.pdf",
                 "/trainer/lembar/1/nilai-ulang", "/trainer/lembar/1/hapus", "/trainer/latihan/{code}/hapus",
                 "/trainer/lembar/1/koreksi"]


def test_every_trainer_page_is_behind_the_login(app, code):
    client = app.test_client()
    for url in TRAINER_GETS:
        resp = client.get(url.format(code=code))
        if url.endswith(".json"):
            assert resp.status_code == 401, url
        else:
            assert resp.status_code == 302 and "/trainer/masuk" in resp.location, url
            assert not resp.location.endswith("?"), url
    token = csrf_of(client)
    for url in TRAINER_POSTS:
        resp = client.post(url.format(code=code), data={"csrf_token": token})
        assert resp.status_code in (302, 401) and b"%PDF" not in resp.data, url


def test_wrong_password_and_logout(app):
    client = app.test_client()
    bad = log_in(client, password="nope")
    assert bad.status_code == 401 and "Kata sandi salah" in bad.get_data(as_text=True)
    assert client.get("/trainer/").status_code == 302
    assert log_in(client).status_code == 302
    assert client.get("/trainer/").status_code == 200
    token = csrf_of(client, "/trainer/")
    assert client.post("/trainer/keluar", data={"csrf_token": token}).status_code == 302
    assert client.get("/trainer/").status_code == 302


def test_password_is_kept_only_as_a_hash(app):
    assert app.config["TRAINER_PASSWORD"] is None
    assert app.config["TRAINER_PASSWORD_HASH"].startswith(("scrypt:", "pbkdf2:"))


def test_generated_password_when_none_is_configured(monkeypatch, isolated_data_dir):
    monkeypatch.delenv("GRADER_TRAINER_PASSWORD", raising=False)
    app = make_test_app(TRAINER_PASSWORD=None)
    password = (isolated_data_dir / "trainer-password.txt").read_text().strip()
    assert len(password) >= 10
    assert log_in(app.test_client(), password=password).status_code == 302


def test_login_redirect_is_never_offsite(app):
    client = app.test_client()
    token = csrf_of(client, "/trainer/masuk")
    resp = client.post("/trainer/masuk", data={"csrf_token": token, "name": "A", "password": "latihan-rahasia",
                                               "next": "//evil.example/x"})
    assert resp.location == "/trainer/"


def test_session_cookie_is_httponly(app):
    client = app.test_client()
    resp = client.get("/trainer/masuk")
    cookie = resp.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_create_exercise_then_download_handout_and_sheets(trainer):
    token = csrf_of(trainer, "/trainer/")
    resp = trainer.post("/trainer/latihan", data={"csrf_token": token, "contest": "bupati", "pairs": "2",
                                                  "seed": "42", "trap": ["damaged"]})
    assert resp.status_code == 302
    new_code = resp.location.rsplit("/", 1)[1]
    assert new_code in trainer.get("/trainer/").get_data(as_text=True)
    handout = trainer.get(f"/trainer/latihan/{new_code}/soal.pdf")
    assert handout.status_code == 200 and handout.data[:4] == b"%PDF"
    from pypdf import PdfReader
    sheets = trainer.get(f"/trainer/latihan/{new_code}/lembar.pdf")
    assert sheets.data[:4] == b"%PDF" and len(PdfReader(io.BytesIO(sheets.data)).pages) == 2     # one blank sheet
    roster = "no,nama\n001,Budi\n002,Siti\n".encode()
    named = trainer.post(f"/trainer/latihan/{new_code}/lembar.pdf",
                         data={"csrf_token": token, "roster": (io.BytesIO(roster), "roster.csv")},
                         content_type="multipart/form-data")
    assert named.status_code == 200 and named.data[:4] == b"%PDF"
    assert len(PdfReader(io.BytesIO(named.data)).pages) == 4          # two personalised sheets, not one blank
    # the class's named sheets download as a file (helper-140: opened in the tab, a reload posted the roster again);
    # the blank sheets and the handout open in the browser to print
    assert named.headers["Content-Disposition"].startswith("attachment") and \
        f"lembar-{new_code}-peserta.pdf" in named.headers["Content-Disposition"]
    assert sheets.headers["Content-Disposition"].startswith("inline")


def test_the_kolom_kosong_trap_with_two_pairs_says_it_made_a_single_pair_exercise(app, trainer):
    """A kolom kosong exists only where a single pair runs: the exercise gets one pair, and the trainer is told,
    instead of finding a one-pair exercise they did not ask for."""
    token = csrf_of(trainer, "/trainer/")
    resp = trainer.post("/trainer/latihan", data={"csrf_token": token, "contest": "bupati", "pairs": "2",
                                                  "seed": "5", "trap": ["kolom_kosong"]})
    new_code = resp.location.rsplit("/", 1)[1]
    page = trainer.get(resp.location).get_data(as_text=True)
    assert ('<div class="flash warn" role="status">Kolom kosong hanya ada bila paslon tunggal: latihan ini dibuat '
            'dengan 1 paslon, bukan 2.</div>') in page
    from grader.exercise.store import load_key
    assert load_key(new_code, base=app.config["DATA_DIR"]).pairs == 1
    resp = trainer.post("/trainer/latihan?lang=en", data={"csrf_token": token, "pairs": "3", "seed": "6",
                                                          "trap": ["kolom_kosong"]}, follow_redirects=True)
    assert "only where a single pair runs: this exercise was made with 1 pair, not 3." in resp.get_data(as_text=True)
    resp = trainer.post("/trainer/latihan", data={"csrf_token": token, "pairs": "1", "seed": "7",
                                                  "trap": ["kolom_kosong"]}, follow_redirects=True)
    assert "Kolom kosong hanya ada" not in resp.get_data(as_text=True)             # what was chosen: nothing to say

def test_bad_roster_and_bad_seed_are_explained(trainer, code):
    token = csrf_of(trainer, "/trainer/")
    resp = trainer.post(f"/trainer/latihan/{code}/lembar.pdf",
                        data={"csrf_token": token, "roster": (io.BytesIO(b"foo,bar\n1,2\n"), "r.csv")},
                        content_type="multipart/form-data", follow_redirects=True)
    said = resp.get_data(as_text=True)        # QA: it did not say which column names it takes
    assert ("Daftar peserta harus punya kolom nomor (id/no/nomor/trainee/no_peserta) dan kolom nama (name/nama); "
            "yang ada: foo, bar") in said
    resp = trainer.post("/trainer/latihan", data={"csrf_token": token, "seed": "abc"}, follow_redirects=True)
    assert "Nomor variasi soal harus berupa angka" in resp.get_data(as_text=True)


def test_unknown_exercise_is_404(trainer):
    assert trainer.get("/trainer/latihan/QQQQQQ").status_code == 404


def test_batch_of_files_and_a_zip_groups_pages_per_trainee(app, trainer, code):
    photos = zip_of({"kelas/017_1.jpg": jpeg_bytes(), "kelas/017_2.jpg": jpeg_bytes(color="#f0f0f0"),
                     "kelas/021_hal1.jpg": jpeg_bytes(color="#eeeeee"), "notes.txt": b"hello",
                     "../evil.jpg": jpeg_bytes(), "/abs.jpg": jpeg_bytes()})
    resp = batch(trainer, code, [("kelas.zip", photos), ("033_1.jpg", jpeg_bytes(color="#e0e0e0"))])
    assert resp.status_code == 302 and "/trainer/batch/" in resp.location
    page = trainer.get(resp.location).get_data(as_text=True)
    assert "Berkas yang dilewati (3)" in page                       # notes.txt, ../evil.jpg, /abs.jpg
    assert "mengandung &#39;..&#39;" in page and "jalur absolut" in page and "Berkas ini bukan foto" in page
    assert "<code>kelas.zip: notes.txt</code>" in page                # every skipped member is named with its zip
    status = trainer.get(resp.location + ".json").get_json()
    assert status["total"] == 3 and status["complete"] and status["percent"] == 100
    assert sorted(i["trainee"] for i in status["items"]) == ["017", "021", "033"]
    nothing_outside = list(app.config["DATA_DIR"].parent.glob("evil*")) + list(app.config["DATA_DIR"].glob("**/evil*"))
    assert nothing_outside == []
    table = trainer.get(f"/trainer/latihan/{code}/hasil").get_data(as_text=True)
    assert table.count('data-href="/trainer/lembar/') == 3
    # each graded sheet shows the number and name written on it, as a picture the trainer can tell sheets by
    urls = [i["ident_url"] for i in status["items"]]
    assert all(u and "/gambar/ident1.png" in u for u in urls)
    assert trainer.get(urls[0]).data[:4] == b"\x89PNG"
    assert page.count('class="ident-img"') == 3
    sheet = trainer.get(status["items"][0]["url"]).get_data(as_text=True)
    assert "Tertulis di lembar" in sheet and "/gambar/ident1.png" in sheet
    assert 'class="ident-img"' not in table            # the class table shows it only for a sheet naming nobody


def test_a_batch_file_that_is_not_a_photo_is_told_a_scanned_pdf_would_do(trainer, code):
    """The batch takes scanned PDFs too: a file left out as neither a photo nor a PDF says both, in either language."""
    resp = batch(trainer, code, [("017_1.jpg", jpeg_bytes()), ("daftar hadir.docx", b"not a photo")])
    page = trainer.get(resp.location).get_data(as_text=True)
    assert "<code>daftar hadir.docx</code>: Berkas ini bukan foto atau PDF." in page
    english = trainer.get(resp.location + "?lang=en").get_data(as_text=True)
    assert "<code>daftar hadir.docx</code>: This file is not a photo or a PDF." in english


def test_the_batch_form_waits_for_its_answer_as_long_as_storing_a_whole_batch_may_take(trainer, code):
    """A batch may carry 400 MB to read and store before the server answers: the uploader waits two minutes and a
    second a MB for it once all is sent (sheet_storing.answer_wait_s), not the 45 s of a stalled link."""
    html = trainer.get(f"/trainer/latihan/{code}").get_data(as_text=True)
    assert 'data-answer-seconds="520"' in html and 'data-processing="Sedang diproses…"' in html


def test_the_class_table_shows_what_is_written_on_a_sheet_that_names_nobody(trainer, code):
    resp = batch(trainer, code, [("IMG-20241127-WA0006.jpg", jpeg_bytes()), ("017_1.jpg", jpeg_bytes(color="#eee"))])
    items = trainer.get(resp.location + ".json").get_json()["items"]
    assert sorted(i["trainee"] for i in items) == ["017", "IMG-20241127-WA0006"]
    table = trainer.get(f"/trainer/latihan/{code}/hasil").get_data(as_text=True)
    unnamed = next(i for i in items if i["trainee"].startswith("IMG"))
    assert table.count('class="ident-img"') == 1 and f'src="{unnamed["ident_url"]}"' in table.replace("&amp;", "&")


def test_batch_double_submit_is_one_batch(trainer, code):
    first = batch(trainer, code, [("017_1.jpg", jpeg_bytes())], client_token="same")
    second = batch(trainer, code, [("017_1.jpg", jpeg_bytes())], client_token="same")
    assert first.location == second.location


def test_batch_with_nothing_gradable_says_so(trainer, code):
    resp = batch(trainer, code, [("a.txt", b"text")], client_token="t2")
    assert resp.status_code == 303
    page = trainer.get(resp.location).get_data(as_text=True)
    assert "Tidak ada foto yang bisa dinilai" in page and "a.txt" in page


def test_a_zip_of_one_folder_per_trainee_pairs_and_names_each_trainees_pages(app, trainer, code):
    """QA: members lost their folders, so kelas/Lestari/hal1.jpg and kelas/Budi/hal1.jpg were three unnamed
    'hal1'/'hal2' sheets; a folder now names the trainee and keeps its pages together, as in grader grade."""
    photos = zip_of({"kelas/Lestari/hal1.jpg": jpeg_bytes(), "kelas/Lestari/hal2.jpg": jpeg_bytes(color="#eee"),
                     "kelas/Budi/hal1.jpg": jpeg_bytes(color="#ddd")})
    resp = batch(trainer, code, [("kelas.zip", photos), ("C.Hasil (1).jpg", jpeg_bytes(color="#bbb"))])
    status = trainer.get(resp.location + ".json").get_json()
    assert {"Budi", "Lestari"} <= {i["trainee"] for i in status["items"]} and status["complete"]
    assert "C.Hasil (1).jpg" in trainer.get(resp.location).get_data(as_text=True)     # QA: it showed C.Hasil_1_.jpg
    with app.app_context():
        from grader.web.db import get_db
        rows = get_db().execute("SELECT s.group_key, u.filename, u.path FROM submissions s JOIN uploads u "
                                "ON u.submission_id = s.id ORDER BY u.id").fetchall()
    assert [(r["group_key"], r["filename"]) for r in rows] == [      # (a zip's photos in their names' order)
        ("Budi", "kelas/Budi/hal1.jpg"), ("Lestari", "kelas/Lestari/hal1.jpg"), ("Lestari", "kelas/Lestari/hal2.jpg"),
        ("C.Hasil", "C.Hasil (1).jpg")]
    assert all(Path(r["path"]).parent.name == "upload" for r in rows)     # on disk: no folder of the sender's
    table = trainer.get(f"/trainer/latihan/{code}/hasil").get_data(as_text=True)
    assert {"Budi", "Lestari"} <= set(re.findall(r'/trainer/lembar/\d+">([^<]+)</a>', table))


def test_a_folder_per_trainee_names_the_photos_in_it_whose_names_name_nobody(app, trainer, code):
    """Usability review: kelas/Andi/foto.jpg was the sheet of "foto". A photo whose own name names nobody (a
    camera's or a chat's name, or only a page) takes the name of its trainee's folder, and a folder's two such
    photos are one sheet; a folder around the whole class, or holding a wave's photos, names nobody."""
    photos = zip_of({"kelas/Andi/foto.jpg": jpeg_bytes(), "kelas/Sari/hal1.jpg": jpeg_bytes(color="#eee"),
                     "kelas/Budi/IMG-20241127-WA0006.jpg": jpeg_bytes(color="#ddd"),
                     "kelas/Budi/IMG-20241127-WA0007.jpg": jpeg_bytes(color="#ccc"),
                     **{f"kelas/gelombang 2/IMG-20241128-WA00{i}.jpg": jpeg_bytes(color=f"#a{i}a{i}a{i % 10}")
                        for i in (11, 12, 13)}})
    resp = batch(trainer, code, [("kelas.zip", photos)])
    items = trainer.get(resp.location + ".json").get_json()["items"]
    assert sorted(i["trainee"] for i in items) == ["Andi", "Budi", "IMG-20241128-WA0011", "IMG-20241128-WA0012",
                                                   "IMG-20241128-WA0013", "Sari"]
    page = trainer.get(resp.location).get_data(as_text=True)
    assert "kelas/Budi/IMG-20241127-WA0006.jpg, kelas/Budi/IMG-20241127-WA0007.jpg" in page    # one sheet
    with app.app_context():
        from grader.web.db import get_db
        named = {r["group_key"]: (r["trainee"], json.loads(r["result"])["identity_source"]) for r in get_db().execute(
            "SELECT group_key, trainee, result FROM submissions WHERE group_key IN ('Andi', 'Budi')")}
    assert named == {"Andi": ("Andi", "filename"), "Budi": ("Budi", "filename")}   # the result names them too
    table = trainer.get(f"/trainer/latihan/{code}/hasil").get_data(as_text=True)
    assert {"Andi", "Budi", "Sari"} <= set(re.findall(r'/trainer/lembar/\d+">([^<]+)</a>', table))
    # a folder zipped as it is, around all its photos, is the class's, not a trainee's
    whole = batch(trainer, code, [("foto kelas.zip", zip_of({"foto kelas/IMG-20241129-WA0001.jpg": jpeg_bytes(
        color="#b0b0b0"), "foto kelas/IMG-20241129-WA0002.jpg": jpeg_bytes(color="#b1b1b1")}))], client_token="b2")
    assert sorted(i["trainee"] for i in trainer.get(whole.location + ".json").get_json()["items"]) == [
        "IMG-20241129-WA0001", "IMG-20241129-WA0002"]


def sheets_files(app) -> list[list[str]]:
    """The file names of each sheet stored, in upload order, the sheets in name order."""
    with app.app_context():
        from grader.web.db import get_db
        rows = get_db().execute("SELECT s.id, u.filename FROM submissions s JOIN uploads u "
                                "ON u.submission_id = s.id ORDER BY s.id, u.id").fetchall()
    sheets: dict[int, list[str]] = {}
    for r in rows:
        sheets.setdefault(r["id"], []).append(r["filename"])
    return sorted(sheets.values())


def test_a_name_without_a_page_number_is_one_sheet_with_the_same_name_numbered_2(app, trainer, code):
    """Rehearsal (helper-170, helper-171): eko.jpg with eko_2.jpg (or budi.jpg with "budi (2).jpg") were two sheets
    both named eko, each said to miss its other page. A trainer names the first photo plainly and the second with a
    2: they are one sheet, page 1 first. Not a browser's second download of one name ("C.Hasil (1).jpg" beside
    "C.Hasil.jpg", possibly two trainees'), nor a name beside two numbered ones (which page would it be?)."""
    resp = batch(trainer, code, [("eko_2.jpg", jpeg_bytes()), ("eko.jpg", jpeg_bytes(color="#eee")),
                                 ("budi.jpg", jpeg_bytes(color="#ddd")), ("budi (2).jpg", jpeg_bytes(color="#ccc")),
                                 ("C.Hasil.jpg", jpeg_bytes(color="#bbb")), ("C.Hasil (1).jpg", jpeg_bytes(color="#aaa")),
                                 ("sari.jpg", jpeg_bytes(color="#999")), ("sari_1.jpg", jpeg_bytes(color="#989898")),
                                 ("sari_2.jpg", jpeg_bytes(color="#979797"))], client_token="e1")
    status = trainer.get(resp.location + ".json").get_json()
    assert status["complete"] and sorted(i["trainee"] for i in status["items"]) == [
        "C.Hasil", "C.Hasil (1)", "budi", "eko", "sari", "sari"]
    assert sheets_files(app) == [["C.Hasil (1).jpg"], ["C.Hasil.jpg"], ["budi.jpg", "budi (2).jpg"],
                                 ["eko.jpg", "eko_2.jpg"], ["sari.jpg"], ["sari_1.jpg", "sari_2.jpg"]]
    page = trainer.get(resp.location).get_data(as_text=True)
    assert "eko.jpg, eko_2.jpg" in page and "budi.jpg, budi (2).jpg" in page


def test_a_copy_of_a_numbered_page_is_that_page_in_a_batch(app, trainer, code):
    """Rehearsal (helper-176): "budi_p2 (1).jpg", a browser's or WhatsApp Web's second download of budi_p2.jpg, was a
    sheet of trainee "budi_p2" of its own, and budi_p1.jpg one missing its page 2 ("sari_1 - Copy.jpg" likewise). A
    copy's mark after a page number leaves the page in force: one sheet each, page 1 first."""
    resp = batch(trainer, code, [("budi_p2 (1).jpg", jpeg_bytes()), ("budi_p1.jpg", jpeg_bytes(color="#eee")),
                                 ("sari_1 - Copy.jpg", jpeg_bytes(color="#ddd")), ("sari_2.jpg", jpeg_bytes(color="#ccc")),
                                 ("eko.jpg", jpeg_bytes(color="#bbb")), ("eko (1).jpg", jpeg_bytes(color="#aaa"))],
                 client_token="c1")
    status = trainer.get(resp.location + ".json").get_json()
    assert status["complete"] and sorted(i["trainee"] for i in status["items"]) == ["budi", "eko", "eko (1)", "sari"]
    assert sheets_files(app) == [["budi_p1.jpg", "budi_p2 (1).jpg"], ["eko (1).jpg"], ["eko.jpg"],
                                 ["sari_1 - Copy.jpg", "sari_2.jpg"]]


def test_a_copy_of_a_page_its_pair_holds_joins_that_sheet_in_a_batch(app, trainer, code):
    """Probe (helper-178), with the real pipeline: a class's zip held kelas/Budi/Budi_p1.jpg, a blurred Budi_p2.jpg
    and Budi_p2 (1).jpg, its second download. grader grade made one graded sheet of the three (the last photo of a
    page is graded); the web batch made Budi_p1 and the blurred page 2 a sheet and the copy a one-page sheet of its
    own: two half sheets of trainee 061, the class table showing the half with page 2 only. A copy of a page that its
    pair holds is that page again, in that sheet."""
    from grader.web.batching import group_by_filename
    names = ["budi_p1.jpg", "budi_p2.jpg", "budi_p2 (1).jpg", "Copy of budi_p1.jpg", "sari_1.jpg", "sari_2.jpg"]
    groups = group_by_filename([(n, n.encode()) for n in names], ["k.zip: ."] * 6)
    assert [[n for n, _ in g.files] for g in groups] == [
        ["budi_p1.jpg", "Copy of budi_p1.jpg", "budi_p2.jpg", "budi_p2 (1).jpg"], ["sari_1.jpg", "sari_2.jpg"]]
    resp = batch(trainer, code, [("budi_solo_p1.jpg", jpeg_bytes()), ("budi_solo_p2.jpg", jpeg_bytes(color="#eee")),
                                 ("budi_solo_p2 (1).jpg", jpeg_bytes(color="#ddd"))], client_token="c2")
    assert trainer.get(resp.location + ".json").get_json()["complete"]
    rows = trainer.get(f"/trainer/latihan/{code}/hasil.json").get_json()["rows"]
    assert [(r["trainee"], r["status"]) for r in rows] == [("budi", "graded")]
    assert "×)" not in trainer.get(f"/trainer/latihan/{code}/hasil").get_data(as_text=True)


def test_a_new_folders_default_name_names_nobody_in_a_batch(trainer, code):
    """Rehearsal (helper-173): kelas/New folder/IMG_1001.jpg (Windows' new folder; "Folder baru" in Indonesian) was
    the sheet of trainee "New folder". Such a folder names nobody; a trainee's folder still names them."""
    photos = zip_of({"kelas/New folder/IMG_1001.jpg": jpeg_bytes(), "kelas/Folder baru/IMG_1002.jpg":
                     jpeg_bytes(color="#eee"), "kelas/Andi/IMG_1003.jpg": jpeg_bytes(color="#ddd")})
    resp = batch(trainer, code, [("kelas.zip", photos)])
    items = trainer.get(resp.location + ".json").get_json()["items"]
    assert sorted(i["trainee"] for i in items) == ["Andi", "IMG_1001", "IMG_1002"]


def test_which_folder_names_a_trainee():
    from grader.file_names import trainee_folders
    entries = [("z", "kelas/Andi/foto.jpg"), ("z", "kelas/Andi/foto (2).jpg"), ("z", "kelas/Sari/budi_1.jpg"),
               ("z", "kelas/Photos/IMG_0001.jpg"), ("z", "kelas/DCIM/scan.jpg"), ("z", "kelas/IMG_0002.jpg"),
               ("y", "Rina/hal2.jpg"), ("y", "Tono/IMG_0003.jpg"), ("x", "Rina/hal1.jpg"), ("x", "Rina/p2.jpg"),
               ("w", "scan.jpg")]
    # (z: a name, a phone's folder, the class's own folder; x: one folder zipped as it is; w: the zip's root)
    assert trainee_folders(entries) == ["Andi", "Andi", None, None, None, None, "Rina", "Tono", None, None, None]


def test_zip_bomb_is_refused(trainer, code):
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("bomb_1.jpg", b"\xff\xd8\xff" + b"\0" * (20 * 1024 * 1024))
    resp = batch(trainer, code, [("bomb.zip", bomb.getvalue())], client_token="t3")
    page = trainer.get(resp.location).get_data(as_text=True)
    assert "bom zip" in page


def test_a_zip_inside_a_zip_is_said_to_be_unopened_not_a_bad_photo(trainer, code):
    """QA: a nested zip was listed as 'Berkas ini bukan foto', which sends a trainer looking for a broken photo."""
    inner, outer = io.BytesIO(), io.BytesIO()
    with zipfile.ZipFile(inner, "w") as zf:
        zf.writestr("a_1.jpg", jpeg_bytes())
    with zipfile.ZipFile(outer, "w") as zf:
        zf.writestr("kelas-b.zip", inner.getvalue())
        zf.writestr("b_1.jpg", jpeg_bytes())
    page = trainer.get(batch(trainer, code, [("kelas.zip", outer.getvalue())], client_token="nz").location)
    html = page.get_data(as_text=True)
    assert "kelas.zip: kelas-b.zip" in html and "Zip di dalam zip tidak dibuka" in html
    assert "Berkas ini bukan foto" not in html


def test_results_table_sorts(trainer, code):
    batch(trainer, code, [("b_1.jpg", jpeg_bytes()), ("a_1.jpg", jpeg_bytes(color="#eee")),
                          ("c_1_blur.jpg", jpeg_bytes(color="#ddd"))])
    html = trainer.get(f"/trainer/latihan/{code}/hasil?sort=trainee").get_data(as_text=True)
    names = re.findall(r'/trainer/lembar/\d+">([^<]+)</a>', html)
    assert names == ["a", "b", "c"]
    html = trainer.get(f"/trainer/latihan/{code}/hasil?sort=trainee&dir=desc").get_data(as_text=True)
    assert re.findall(r'/trainer/lembar/\d+">([^<]+)</a>', html) == ["c", "b", "a"]
    html = trainer.get(f"/trainer/latihan/{code}/hasil?sort=score&dir=desc").get_data(as_text=True)
    assert re.findall(r'/trainer/lembar/\d+">([^<]+)</a>', html)[-1] == "c"     # refused: no score, last
    refused = re.search(r'/trainer/lembar/\d+">c</a>.*?</tr>', html, re.S).group(0)
    assert re.findall(r'<td class="num"[^>]*>([^<]*)</td>', refused) == ["—", "—", "—"]   # nothing counted, not 0 / 0 / 0
    graded = re.search(r'/trainer/lembar/\d+">a</a>.*?</tr>', html, re.S).group(0)
    assert re.findall(r'<td class="num"[^>]*>([^<]*)</td>', graded) == ["1", "1", "0"]


def test_a_refused_row_of_the_class_table_says_why_in_a_few_words(trainer, code):
    """Walk-through (trainer): a refused row said "Ditolak" and nothing more; the trainer had to open the sheet. Its
    row says why in a few words (the sheet's page in full), in the page's language; a graded row says nothing."""
    batch(trainer, code, [("b_1.jpg", jpeg_bytes()), ("c_1_blur.jpg", jpeg_bytes(color="#ddd"))])
    for lang, said in (("id", "Foto kabur"), ("en", "Blurry photo")):
        html = trainer.get(f"/trainer/latihan/{code}/hasil?lang={lang}").get_data(as_text=True)
        refused = re.search(r'/trainer/lembar/\d+">c</a>.*?</tr>', html, re.S).group(0)
        assert f'<span class="small" data-refused-why>{said}</span>' in refused
        assert "data-refused-why" not in re.search(r'/trainer/lembar/\d+">b</a>.*?</tr>', html, re.S).group(0)
    sheet = trainer.get(re.search(r'href="(/trainer/lembar/\d+)">c<', html).group(1) + "?lang=id").get_data(as_text=True)
    assert "Foto terlalu buram. Pegang ponsel lebih stabil" in sheet       # the full text, on the sheet's page


def test_a_half_sheets_row_of_the_class_table_says_which_page_is_unread_and_why(app, trainer, code):
    """helper-183/189: a half sheet standing for its trainee said only "Sebagian" in the class table, though the
    note of a later half sending says why in a few words ("halaman 2 belum dikirim"). Its row says so too, in the
    same words (present.unread_short), in the page's language: Rina's page 2 not sent, 104's page 2 a classmate's
    sheet; a complete row says nothing. The export's reason column names the unread page of each."""
    import html as html_text
    phone = app.test_client()
    send_as_trainee(phone, code, "Wati", [("a_1.jpg", jpeg_bytes()), ("a_2.jpg", jpeg_bytes(color="#f7f7f7"))])
    send_as_trainee(phone, code, "Rina", [("rsolo_1.jpg", jpeg_bytes(color="#bbb"))])
    send_as_trainee(phone, code, "y", [("qr-104-y_1.jpg", jpeg_bytes(color="#e1e1e1")),
                                       ("qr-105-y_2.jpg", jpeg_bytes(color="#e2e2e2"))])
    for lang, said in (("id", {"Rina": "halaman 2 belum dikirim", "104": "halaman 2: Lembar peserta lain"}),
                       ("en", {"Rina": "page 2 not sent", "104": "page 2: Another trainee's sheet"})):
        html = html_text.unescape(trainer.get(f"/trainer/latihan/{code}/hasil?lang={lang}").get_data(as_text=True))
        for who, why in said.items():
            row = re.search(rf'/trainer/lembar/\d+">{who}</a>.*?</tr>', html, re.S).group(0)
            assert f'<span class="small" data-partial-why>{why}</span>' in row and "badge partial" in row
        assert "data-partial-why" not in re.search(r'/trainer/lembar/\d+">Wati</a>.*?</tr>', html, re.S).group(0)
    sheets = {r["Peserta"]: r for r in csv.DictReader(io.StringIO(
        trainer.get(f"/trainer/latihan/{code}/ekspor/lembar.csv?lang=id").data.decode("utf-8-sig")))}
    assert sheets["Rina"]["Alasan"].startswith("halaman 2: foto halaman ini belum dikirim")
    assert sheets["104"]["Alasan"].startswith("qr-105-y_2.jpg (halaman 2): Halaman 2 ini dari lembar peserta lain")
    assert sheets["Wati"]["Alasan"] == ""


def test_a_close_up_is_not_called_no_practice_sheet_in_the_class_table():
    """Found by helper-165: a close-up of the middle of a practice sheet (no corner square, no QR) is refused
    ``not_practice_sheet``, whose words tell the trainee to photograph the whole sheet; the class table's short words
    still said "Bukan lembar latihan" of it, which a trainer reads as "wrong paper". They say what the photo lacks."""
    result = {"pages": [{"refusal": {"code": "not_practice_sheet"}}]}
    assert refusal_short(result, lang="id") == "Lembar latihan tidak ditemukan di foto"
    assert refusal_short(result, lang="en") == "No practice sheet found in the photo"


def test_a_batchs_pdf_is_never_said_to_be_allowed_past_the_uploads_own_limit():
    """Found by a README walk-through (helper-174): the batch form told a trainer with a 550 MB scan "one PDF at most
    500 MB" while one upload takes 400 MB in all: re-scanned to 450 MB, it was refused again with another limit. A
    loose PDF is held to the upload's limit whatever its own, and a PDF in a zip to the zip's, so the PDF's limit
    said (and applied) is never past the upload's."""
    from grader.web.trainer.batch_files import batch_limits

    for mb in (400, 30):
        with make_test_app(MAX_CONTENT_LENGTH=mb * 1024 * 1024).app_context():
            lim = batch_limits()
            assert lim["pdf"] == min(lim["request"], 20 * lim["photo"])
            assert lim["pdf"] <= lim["request"]


def test_batch_page_says_what_is_written_on_a_sheet_refused_as_another_exercises(trainer, code):
    """Walk-through (trainer): the batch's "Tertulis di lembar" cell was empty for a sheet refused as another
    exercise's (no picture of its number and name is cut from a refused page). It says what is known: the exercise
    code printed on it and the trainee number read, in the page's language, on the page and in its JSON."""
    resp = batch(trainer, code, [("num-061-otherex_1.jpg", jpeg_bytes()), ("t_1.jpg", jpeg_bytes(color="#eee"))])
    page = trainer.get(resp.location + "?lang=id").get_data(as_text=True)
    assert '<span class="small" data-written>kode latihan OTHER01 · nomor peserta 061</span>' in page
    assert page.count("data-written>") == 1                       # the graded sheet has its picture instead
    items = trainer.get(resp.location + ".json?lang=en").get_json()["items"]
    assert [i["written"] for i in items] == ["exercise code OTHER01 · trainee number 061", None]
    assert "exercise code OTHER01 · trainee number 061" in trainer.get(resp.location + "?lang=en").get_data(as_text=True)


def test_a_stray_sheet_of_another_exercise_never_hides_a_trainees_score(trainer, code):
    """Walk-through (trainer's day): a photo of another exercise's sheet in the class's batch, refused and stored under
    the number written on it (061), became trainee 061's latest sheet: the class table said "Ditolak" and hid the
    score of 061's real sheet, in either order. It is no attempt at this exercise: 061's row keeps the graded sheet,
    counts one attempt, and lists the stray to be moved. A trainee with only a stray (062) is still shown by it."""
    batch(trainer, code, [("num-062-otherex_1.jpg", jpeg_bytes(color="#ddd")), ("061_1.jpg", jpeg_bytes()),
                          ("num-061-otherex_1.jpg", jpeg_bytes(color="#eee"))])
    rows = {r["trainee"]: r for r in trainer.get(f"/trainer/latihan/{code}/hasil.json").get_json()["rows"]}
    assert set(rows) == {"061", "062"}
    assert rows["061"]["status"] == "graded" and rows["061"]["score"] is not None
    stray_url = rows["061"]["strays"][0]["url"]
    assert rows["061"]["strays"] == [{"exercise": "OTHER01", "url": stray_url}] and stray_url != rows["061"]["url"]
    assert "OTHER01" in trainer.get(stray_url).get_data(as_text=True)          # the stray, kept, to be moved
    assert rows["062"]["status"] == "refused" and rows["062"]["strays"] == []
    for lang, said in (("id", "juga lembar latihan OTHER01:"), ("en", "also a sheet of exercise OTHER01:")):
        html = trainer.get(f"/trainer/latihan/{code}/hasil?lang={lang}").get_data(as_text=True)
        row = re.search(r'/trainer/lembar/\d+">061</a>.*?</tr>', html, re.S).group(0)
        assert said in row and f'href="{stray_url}"' in row and "data-refused-why" not in row and "×)" not in row
        assert "data-stray" not in re.search(r'/trainer/lembar/\d+">062</a>.*?</tr>', html, re.S).group(0)


def send_as_trainee(phone, code, trainee, photos):
    """A trainee's upload from the upload page: its result page's address."""
    data = {"csrf_token": csrf_of(phone), "code": code, "trainee": trainee,
            **{f"photo_{i}": (io.BytesIO(content), name) for i, (name, content) in enumerate(photos, start=1)}}
    resp = phone.post("/", data=data, content_type="multipart/form-data")
    assert resp.status_code == 302, resp.status_code
    return resp.location


def send_failed_then_refused(app, phone, code, trainee):
    """A trainee's sheet whose grading failed (never graded), then a sending of theirs refused whole (a blurred
    photo): ``(the failed sheet's id, the refused sending's result page)``."""
    from grader.web.db import get_db
    send_as_trainee(phone, code, trainee, [("d_1.jpg", jpeg_bytes(color="#abc")), ("d_2.jpg", jpeg_bytes(color="#cba"))])
    with app.app_context():
        get_db().execute("UPDATE submissions SET state='failed', error_code='too_slow', result=NULL, "
                         "result_status=NULL, score=NULL, error_id='Penilaian terlalu lama', error_en='Grading took "
                         "too long' WHERE trainee=?", (trainee,))
        get_db().commit()
        (failed,) = get_db().execute("SELECT id FROM submissions WHERE trainee=?", (trainee,)).fetchone()
    return failed, send_as_trainee(phone, code, trainee, [("d_1_blur.jpg", jpeg_bytes(color="#bca"))])


def wati_row_notes_later(trainer, code, later_url, said: dict[str, str], *, absent: str, mark: str):
    """Wati's class-table row, in each language of ``said`` (language -> its words), keeps her graded score (9x),
    counts two attempts and notes her later sending in those words, linking it (``later_url``), without ``absent``;
    Rina's row has no such note (``mark``)."""
    for lang, words in said.items():
        html = trainer.get(f"/trainer/latihan/{code}/hasil?lang={lang}").get_data(as_text=True)
        row = re.search(r'/trainer/lembar/\d+">Wati</a>.*?</tr>', html, re.S).group(0)
        assert words in row and f'href="{later_url}"' in row and "(2×)" in row and absent not in row
        assert re.search(r'data-col="score"[^>]*><b>9\d</b>', row)
        assert mark not in re.search(r'/trainer/lembar/\d+">Rina</a>.*?</tr>', html, re.S).group(0)


def test_a_later_sending_refused_whole_never_hides_a_trainees_graded_score(app, trainer, code):
    """Known as "policy" until helper-175: Wati's sheet was graded, then she sent two blurred photos of it, refused
    whole (no page read). The class table showed her "(2×) Ditolak", her score gone from the table, the class mean,
    the insight ("1 peserta dinilai") and the exports, though the refused sending held nothing of hers to grade.
    Her row keeps the graded sheet, counts both attempts and says that a later sending was refused, linking it; its
    page and the graded sheet's say which one counts. Rina, who only sent refused photos, is still "Ditolak"; and a
    sheet Wati then gets graded is hers again, as before."""
    phone = app.test_client()
    graded = send_as_trainee(phone, code, "Wati", [("a_1.jpg", jpeg_bytes()), ("a_2.jpg", jpeg_bytes(color="#f7f7f7"))])
    send_as_trainee(phone, code, "Budi", [("b_1.jpg", jpeg_bytes(color="#eee")), ("b_2.jpg", jpeg_bytes(color="#e7e7e7"))])
    send_as_trainee(phone, code, "Rina", [("r_1_blur.jpg", jpeg_bytes(color="#bbb"))])
    refused = send_as_trainee(phone, code, "Wati", [("a_1_blur.jpg", jpeg_bytes(color="#ddd")),
                                                    ("a_2_blur.jpg", jpeg_bytes(color="#ccc"))])
    assert phone.get(refused + ".json").get_json()["status"] == "refused"
    rows = {r["trainee"]: r for r in trainer.get(f"/trainer/latihan/{code}/hasil.json").get_json()["rows"]}
    assert rows["Wati"]["status"] == "graded" and rows["Wati"]["score"] == rows["Budi"]["score"] is not None
    later_url = rows["Wati"]["refused_later"][0]["url"]
    assert rows["Wati"]["refused_later"] == [{"url": later_url, "why": "Foto kabur"}] and later_url != rows["Wati"]["url"]
    assert rows["Rina"]["status"] == "refused" and rows["Rina"]["refused_later"] == []
    wati_row_notes_later(trainer, code, later_url, {"id": "kiriman berikutnya ditolak (",
                                                    "en": "a later sending refused ("},
                         absent="data-refused-why", mark="data-refused-later")
    # (the class counts her: the exercise page, the insight)
    exercise = trainer.get(f"/trainer/latihan/{code}?lang=id").get_data(as_text=True)
    assert "Hasil kelas (3 peserta)" in exercise and "Periksa (2)" in exercise      # (her sheet's field to check too)
    assert "2 peserta dinilai" in trainer.get(f"/trainer/latihan/{code}/wawasan").get_data(as_text=True)
    # (the refused sending's page, and the graded sheet's, say which one counts)
    later = trainer.get(later_url).get_data(as_text=True)
    assert "tetap memakai lembar peserta ini sebelumnya, yang bertanda “yang dihitung”" in later
    first = trainer.get(rows["Wati"]["url"]).get_data(as_text=True)
    assert "tetap memakai lembar ini." in first
    assert re.search(r"<b>[^<]*· lembar ini</b>\s*· nilai 9\d · yang dihitung</li>", first)
    assert "Every photo of this sending was refused" in trainer.get(later_url + "?lang=en").get_data(as_text=True)
    # (Dedi's first sheet failed, never graded: his refused sending leaves it to be graded again, not "Ditolak")
    send_failed_then_refused(app, phone, code, "Dedi")
    dedi = next(r for r in trainer.get(f"/trainer/latihan/{code}/hasil.json").get_json()["rows"] if r["trainee"] == "Dedi")
    assert (dedi["state"], dedi["status"], len(dedi["refused_later"])) == ("failed", None, 1)
    # (a sheet she then gets graded stands for her, the refused sending an earlier attempt)
    send_as_trainee(phone, code, "Wati", [("a_1.jpg", jpeg_bytes(color="#aaa")), ("a_2.jpg", jpeg_bytes(color="#999"))])
    rows = {r["trainee"]: r for r in trainer.get(f"/trainer/latihan/{code}/hasil.json").get_json()["rows"]}
    assert rows["Wati"]["refused_later"] == [] and rows["Wati"]["url"] not in (later_url, graded)
    assert "(3×)" in trainer.get(f"/trainer/latihan/{code}/hasil").get_data(as_text=True)


def test_a_later_sending_read_in_part_never_hides_a_trainees_complete_sheet(app, trainer, code):
    """Rehearsal (helper-182): Wati's complete sheet was graded, then she sent page 1 again alone; trainee 104 sent
    again with a classmate's page 2 (its QR names 105). Each row went "Sebagian", its score out of the table, the
    mean and the exports until page 2 came. Their complete sheets stand, each row notes the later sending incomplete
    (when, which page, why) and links it, in the table, hasil.json, the exports and both sheets' pages; Rina, who only
    sent page 1, is "Sebagian" as before. Once Wati completes that sending with her earlier page 2 (her result page's
    "Pakai halaman 2 dari kiriman …"), the sheet so put together stands."""
    phone = app.test_client()
    whole = send_as_trainee(phone, code, "Wati", [("a_1.jpg", jpeg_bytes()), ("a_2.jpg", jpeg_bytes(color="#f7f7f7"))])
    send_as_trainee(phone, code, "x", [("qr-104-x_1.jpg", jpeg_bytes(color="#eee")),
                                       ("qr-104-x_2.jpg", jpeg_bytes(color="#e7e7e7"))])
    send_as_trainee(phone, code, "Rina", [("rsolo_1.jpg", jpeg_bytes(color="#bbb"))])
    half = send_as_trainee(phone, code, "Wati", [("asolo_1.jpg", jpeg_bytes(color="#ddd"))])
    send_as_trainee(phone, code, "y", [("qr-104-y_1.jpg", jpeg_bytes(color="#e1e1e1")),
                                       ("qr-105-y_2.jpg", jpeg_bytes(color="#e2e2e2"))])
    assert phone.get(half + ".json").get_json()["status"] == "partial"
    rows = {r["trainee"]: r for r in trainer.get(f"/trainer/latihan/{code}/hasil.json").get_json()["rows"]}
    for who, why in (("Wati", "halaman 2 belum dikirim"), ("104", "halaman 2: Lembar peserta lain")):
        assert rows[who]["status"] == "graded" and rows[who]["score"] is not None and rows[who]["refused_later"] == []
        assert [s["why"] for s in rows[who]["partial_later"]] == [why]
    later_url = rows["Wati"]["partial_later"][0]["url"]
    assert later_url not in (rows["Wati"]["url"], rows["104"]["partial_later"][0]["url"])
    assert rows["Rina"]["status"] == "partial" and rows["Rina"]["partial_later"] == []
    wati_row_notes_later(trainer, code, later_url, {"id": "kiriman berikutnya belum lengkap (",
                                                    "en": "a later sending incomplete ("},
                         absent="data-refused-later", mark="data-partial-later")
    sheets = list(csv.DictReader(io.StringIO(
        trainer.get(f"/trainer/latihan/{code}/ekspor/lembar.csv?lang=id").data.decode("utf-8-sig"))))
    wati = next(r for r in sheets if r["Peserta"] == "Wati")
    assert float(wati["Nilai"]) > 90 and wati["Kiriman berikutnya belum lengkap"].endswith("(halaman 2 belum dikirim)")
    assert wati["Kiriman berikutnya ditolak"] == "" and wati["Percobaan"] == "2"
    english = list(csv.DictReader(io.StringIO(
        trainer.get(f"/trainer/latihan/{code}/ekspor/lembar.csv?lang=en").data.decode("utf-8-sig"))))
    assert next(r for r in english if r["Trainee"] == "104")["Later sending incomplete"].endswith(
        "(page 2: Another trainee's sheet)")
    # (a sending of 104's refused whole after that: the row notes both, as they came)
    send_as_trainee(phone, code, "y", [("qr-104-z_1_blur.jpg", jpeg_bytes(color="#e3e3e3"))])
    html = trainer.get(f"/trainer/latihan/{code}/hasil?lang=id").get_data(as_text=True)
    row = re.search(r'/trainer/lembar/\d+">104</a>.*?</tr>', html, re.S).group(0)
    assert row.index("data-partial-later") < row.index("data-refused-later")
    # (the sending read in part, and the complete sheet, say which one counts)
    assert "tetap memakai lembar lengkap peserta ini sebelumnya" in trainer.get(later_url + "?lang=id").get_data(
        as_text=True)
    first = trainer.get(rows["Wati"]["url"]).get_data(as_text=True)
    assert "tetap memakai lembar ini, yang lengkap." in first
    assert re.search(r"<b>[^<]*· lembar ini</b>\s*· nilai 9\d · yang dihitung</li>", first)
    # (completed with her earlier page 2, the sending put together stands; the half one is an earlier attempt)
    page = phone.get(half).get_data(as_text=True)
    form = re.search(r'<form method="post" action="([^"]+/lengkapi)"[^>]*>.*?name="dari" value="([^"]+)"', page, re.S)
    assert form and form.group(2) == whole.rsplit("/", 1)[1]
    done = phone.post(form.group(1), data={"csrf_token": csrf_of(phone), "dari": form.group(2),
                                           "client_token": re.search(r'name="client_token" value="([^"]+)"',
                                                                     page).group(1)})
    assert phone.get(done.location + ".json").get_json()["status"] == "graded"
    rows = {r["trainee"]: r for r in trainer.get(f"/trainer/latihan/{code}/hasil.json").get_json()["rows"]}
    assert rows["Wati"]["partial_later"] == [] and rows["Wati"]["url"] not in (later_url,)
    assert rows["Wati"]["url"] != whole and rows["Wati"]["status"] == "graded"
    assert "(3×)" in re.search(r'">Wati</a>.*?</tr>', trainer.get(f"/trainer/latihan/{code}/hasil").get_data(
        as_text=True), re.S).group(0)


def test_a_half_sending_never_stands_over_a_complete_sheet_whose_grading_again_failed(app, trainer, code):
    """helper-183/189: only a sheet graded whole (state done) counted as complete, so Wati's complete sheet whose
    grading again failed (its result kept: classroom.regrade_failed) was stood over by her page 1 sent alone after it:
    "Sebagian", the half sending's score of page 1 in the table and the exports, as if she had never sent page 2.
    Her complete sheet still stands: "Penilaian ulang gagal" as for any such sheet, its score struck out and not
    counted, the half sending noted as the later one, incomplete, in the table, hasil.json, the exports, the insight
    and the sheets' pages; her half page does not say the trainer counts the earlier sheet (it is not counted until
    graded again) nor that the trainer sees the half sending. Being graded again, it still stands, and graded again,
    it counts again."""
    from grader.web.db import get_db
    from grader.web.standing_sheets import attempts_of
    phone = app.test_client()
    send_as_trainee(phone, code, "Wati", [("a_1.jpg", jpeg_bytes()), ("a_2.jpg", jpeg_bytes(color="#f7f7f7"))])
    with app.app_context():
        get_db().execute("UPDATE submissions SET state='failed', error_code='storage_full', error_id='Penyimpanan "
                         "penuh.', error_en='The storage is full.' WHERE id=1")
        get_db().commit()
    half = send_as_trainee(phone, code, "Wati", [("asolo_1.jpg", jpeg_bytes(color="#ddd"))])
    assert phone.get(half + ".json").get_json()["status"] == "partial"
    [row] = trainer.get(f"/trainer/latihan/{code}/hasil.json").get_json()["rows"]
    assert (row["url"], row["state"], row["regrade_failed"], row["status"]) == ("/trainer/lembar/1", "failed", True, None)
    assert row["partial_score"] is None and [s["why"] for s in row["partial_later"]] == ["halaman 2 belum dikirim"]
    html = trainer.get(f"/trainer/latihan/{code}/hasil?lang=id").get_data(as_text=True)
    shown = re.search(r'/trainer/lembar/1">Wati</a>.*?</tr>', html, re.S).group(0)
    assert "Penilaian ulang gagal" in shown and "badge partial" not in shown and "(2×)" in shown
    assert "kiriman berikutnya belum lengkap (" in shown and f'href="{row["partial_later"][0]["url"]}"' in shown
    sheets = list(csv.DictReader(io.StringIO(
        trainer.get(f"/trainer/latihan/{code}/ekspor/lembar.csv?lang=id").data.decode("utf-8-sig"))))
    [wati] = sheets
    assert (wati["Hasil"], wati["Nilai"], wati["Nilai halaman yang terbaca"]) == ("", "", "")
    assert wati["Alasan"].startswith("Penilaian ulang gagal") and wati["Percobaan"] == "2"
    assert wati["Kiriman berikutnya belum lengkap"].endswith("(halaman 2 belum dikirim)")
    insight = trainer.get(f"/trainer/latihan/{code}/wawasan?lang=id").get_data(as_text=True)
    note = re.search(r'<p class="flash warn" id="not-counted">(.*?)</p>', insight, re.S).group(1)
    assert 'href="/trainer/lembar/1">Wati</a>' in note and "0 peserta dinilai" in insight
    with app.app_context():
        assert [a["counted"] for a in attempts_of(get_db(), code, 2)] == [True, False]
    assert "tetap memakai lembar lengkap peserta ini sebelumnya" in trainer.get(
        row["partial_later"][0]["url"] + "?lang=id").get_data(as_text=True)
    for lang in ("id", "en"):
        page = phone.get(half + "?lang=" + lang).get_data(as_text=True)
        assert 'id="lengkapi"' in page and "data-earlier-stands" not in page
        assert "Pelatih melihat kiriman terakhir Anda" not in page and "Your trainer sees your latest upload" not in page
    # (being graded again, it still stands, not the half sending; graded again, it counts)
    with app.app_context():
        get_db().execute("UPDATE submissions SET state='running' WHERE id=1")
        get_db().commit()
    [row] = trainer.get(f"/trainer/latihan/{code}/hasil.json").get_json()["rows"]
    assert (row["url"], row["state"], len(row["partial_later"])) == ("/trainer/lembar/1", "running", 1)
    with app.app_context():
        get_db().execute("UPDATE submissions SET state='failed' WHERE id=1")
        get_db().commit()
    trainer.post("/trainer/lembar/1/nilai-ulang", data={"csrf_token": csrf_of(trainer, "/trainer/lembar/1")})
    [row] = trainer.get(f"/trainer/latihan/{code}/hasil.json").get_json()["rows"]
    assert (row["url"], row["status"], row["regrade_failed"]) == ("/trainer/lembar/1", "graded", False)
    assert row["score"] is not None and len(row["partial_later"]) == 1


def test_sorting_the_class_table_by_time_takes_each_trainees_newest_sending(app, trainer, code):
    """helper-178: sorted by time, the class table ordered trainees by the sheet that stands for them, so Wati, who
    had just sent again (refused whole), and Rina (page 1 alone, after her complete sheet) stayed below Budi, whose
    last sending was long before. Time is each trainee's newest sending, newest first when turned round; the rows
    still show and count their standing sheets."""
    from grader.web.db import get_db
    phone = app.test_client()
    for who, photos in (("Wati", [("a_1.jpg", jpeg_bytes()), ("a_2.jpg", jpeg_bytes(color="#f7f7f7"))]),
                        ("Budi", [("b_1.jpg", jpeg_bytes(color="#eee")), ("b_2.jpg", jpeg_bytes(color="#e7e7e7"))]),
                        ("Rina", [("r_1.jpg", jpeg_bytes(color="#e1e1e1")), ("r_2.jpg", jpeg_bytes(color="#e2e2e2"))]),
                        ("Wati", [("a_1_blur.jpg", jpeg_bytes(color="#ddd"))]),
                        ("Rina", [("rsolo_1.jpg", jpeg_bytes(color="#bbb"))])):
        send_as_trainee(phone, code, who, photos)
    with app.app_context():             # (sent ten minutes apart, in this order, Rina's half sheet before Wati's)
        for sid, minute in ((1, "00"), (2, "10"), (3, "20"), (4, "40"), (5, "30")):
            get_db().execute("UPDATE submissions SET created_at=? WHERE id=?", (f"2026-12-07T01:{minute}:00+00:00", sid))
        get_db().commit()

    def order(direction):
        html = trainer.get(f"/trainer/latihan/{code}/hasil?sort=time&dir={direction}").get_data(as_text=True)
        return [n for n in re.findall(r'/trainer/lembar/\d+">([^<]+)</a>', html) if n != "buka"]
    assert order("desc") == ["Wati", "Rina", "Budi"] and order("asc") == ["Budi", "Rina", "Wati"]
    # the time column shows the counted sheet's time and, under it, the newest sending's the rows are sorted by
    html = trainer.get(f"/trainer/latihan/{code}/hasil?sort=time&dir=desc").get_data(as_text=True)
    assert re.findall(r'data-last-sent>([^<]+)<', html) == ["kiriman terakhir 7 Des 2026, 08.40 WIB",
                                                           "kiriman terakhir 7 Des 2026, 08.30 WIB"]
    rows = {r["trainee"]: r for r in trainer.get(f"/trainer/latihan/{code}/hasil.json").get_json()["rows"]}
    assert (rows["Wati"]["url"], rows["Rina"]["url"]) == ("/trainer/lembar/1", "/trainer/lembar/3")


def test_a_trainees_refused_or_half_sending_says_their_earlier_graded_sheet_still_counts(app, code):
    """helper-175: Wati's page of her blurred sending said only "Lembar belum dinilai" and how to retake, not that
    the trainer still counts her graded sheet; nor did her page 1 sent alone after it (the class table's rule,
    standing_sheets.standing_sheet). Each says so now, in either language; Rina's first sending, refused, and her
    half sheet after it, have no earlier graded sheet to speak of."""
    phone = app.test_client()
    send_as_trainee(phone, code, "Wati", [("a_1.jpg", jpeg_bytes()), ("a_2.jpg", jpeg_bytes(color="#f7f7f7"))])
    refused = send_as_trainee(phone, code, "Wati", [("a_1_blur.jpg", jpeg_bytes(color="#ddd"))])
    half = send_as_trainee(phone, code, "Wati", [("asolo_1.jpg", jpeg_bytes(color="#ccc"))])
    alone = [send_as_trainee(phone, code, "Rina", [("r_1_blur.jpg", jpeg_bytes(color="#bbb"))]),
             send_as_trainee(phone, code, "Rina", [("rsolo_1.jpg", jpeg_bytes(color="#aaa"))])]
    for url, said in ((refused, ("Pelatih tetap menghitung lembar Anda sebelumnya yang sudah dinilai",
                                 "The trainer still counts your earlier graded sheet")),
                      (half, ("Pelatih tetap menghitung lembar lengkap Anda sebelumnya sampai kiriman ini dilengkapi",
                              "The trainer still counts your earlier complete sheet until this sending is completed"))):
        assert said[0] in phone.get(url + "?lang=id").get_data(as_text=True)
        assert said[1] in phone.get(url + "?lang=en").get_data(as_text=True)
    assert not any("data-earlier-stands" in phone.get(url).get_data(as_text=True) for url in alone)
    # the half sending's "complete this sheet" card no longer says the trainer sees the latest sending (it said so
    # under the words above); Rina's half sheet, with nothing earlier that counts, still does
    for lang, latest in (("id", "Pelatih melihat kiriman terakhir Anda"), ("en", "Your trainer sees your latest upload")):
        assert "id=\"lengkapi\"" in phone.get(half + "?lang=" + lang).get_data(as_text=True)
        assert latest not in phone.get(half + "?lang=" + lang).get_data(as_text=True)
        assert latest in phone.get(alone[1] + "?lang=" + lang).get_data(as_text=True)


def test_a_trainees_half_or_refused_sending_says_their_earlier_sheet_being_graded_again_still_stands(app, trainer,
                                                                                                       code):
    """helper-195 (rehearsal, real pipeline): Yanti's page 1 sent alone after her complete sheet said "Pelatih tetap
    menghitung lembar lengkap Anda sebelumnya…", until that sheet was graded again (the trainer's "Nilai ulang"):
    then nothing, though the class table keeps it standing for her (standing_sheets.standing_sheet), its earlier score
    not counted until it is graded. Her page says so then, in either language, as does a sending refused whole; once
    graded, the earlier words come back."""
    from grader.web.db import get_db
    phone = app.test_client()
    send_as_trainee(phone, code, "Wati", [("a_1.jpg", jpeg_bytes()), ("a_2.jpg", jpeg_bytes(color="#f7f7f7"))])
    half = send_as_trainee(phone, code, "Wati", [("asolo_1.jpg", jpeg_bytes(color="#ccc"))])
    refused = send_as_trainee(phone, code, "Wati", [("a_1_blur.jpg", jpeg_bytes(color="#ddd"))])
    for state in ("queued", "running"):
        with app.app_context():         # (graded again: as grade_again leaves it, its earlier result kept)
            get_db().execute("UPDATE submissions SET state=? WHERE id=1", (state,))
            get_db().commit()
        [row] = trainer.get(f"/trainer/latihan/{code}/hasil.json").get_json()["rows"]
        assert (row["url"], row["graded_again"]) == ("/trainer/lembar/1", True)     # (it still stands)
        for url, said in (
                (half, ("Lembar lengkap Anda sebelumnya sedang dinilai ulang; nilainya belum dihitung sampai selesai "
                        "dinilai. Setelah itu, pelatih tetap menghitung lembar itu sampai kiriman ini dilengkapi.",
                        "Your earlier complete sheet is being graded again; its score is not counted until that is "
                        "done. Then the trainer still counts that sheet until this sending is completed.")),
                (refused, ("Lembar Anda sebelumnya yang sudah dinilai sedang dinilai ulang;",
                           "Your earlier graded sheet is being graded again;"))):
            for lang, words in zip(("id", "en"), said):
                page = phone.get(f"{url}?lang={lang}").get_data(as_text=True)
                assert words in page and "data-earlier-stands" not in page, (state, url, lang)
    with app.app_context():
        get_db().execute("UPDATE submissions SET state='done' WHERE id=1")
        get_db().commit()
    page = phone.get(f"{half}?lang=id").get_data(as_text=True)
    assert "Pelatih tetap menghitung lembar lengkap Anda sebelumnya" in page and "sedang dinilai ulang" not in page


def test_a_sheets_page_says_it_is_being_graded_again_and_its_earlier_score_waits(app, trainer, code):
    """helper-195 (rehearsal, real pipeline): while Yanti's complete sheet was graded again ("Nilai ulang"), its page
    said "Sedang dinilai…" as for a sheet just sent, and its list of her attempts "Sedang dinilai · yang dihitung",
    while the class table strikes its earlier score out until it is graded. Its page says it is being graded again,
    with its earlier score not counted until then, and the attempts list of her half sending's page too."""
    from grader.grading.shown import shown_score
    from grader.web.db import get_db
    phone = app.test_client()
    send_as_trainee(phone, code, "Wati", [("a_1.jpg", jpeg_bytes()), ("a_2.jpg", jpeg_bytes(color="#f7f7f7"))])
    send_as_trainee(phone, code, "Wati", [("asolo_1.jpg", jpeg_bytes(color="#ccc"))])
    with app.app_context():
        old = get_db().execute("SELECT score FROM submissions WHERE id=1").fetchone()[0]
        get_db().execute("UPDATE submissions SET state='running' WHERE id=1")
        get_db().commit()
    for lang, said, waits, listed in (
            ("id", "Sedang dinilai ulang…",
             f"Hasil sebelumnya (nilai {shown_score(old)}) tidak dihitung sampai selesai dinilai ulang.",
             "Sedang dinilai ulang · yang dihitung"),
            ("en", "Being graded again…",
             f"The earlier result (score {shown_score(old)}) does not count until it is graded again.",
             "Being graded again · the one counted")):
        page = trainer.get(f"/trainer/lembar/1?lang={lang}").get_data(as_text=True)
        note = re.search(r'<p style="margin:0" data-graded-again>(.*?)</p>', page, re.S).group(1)
        assert said in note and waits in note, lang
        half = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", trainer.get(f"/trainer/lembar/2?lang={lang}").get_data(
            as_text=True)))
        assert listed in half, lang
    trainer.get("/?lang=id")


def test_a_half_sending_followed_by_a_complete_sheet_is_not_said_to_be_what_the_trainer_sees(app, code):
    """Rehearsal (helper-187): Eko's page 1 sent alone, then his complete sheet graded after it (the trainer's batch,
    here his other phone). The complete one stands for him in the class; the half sending's "Lengkapi" card still said
    "Pelatih melihat kiriman terakhir Anda", which it is not: the trainer sees the complete sheet."""
    phone, other = app.test_client(), app.test_client()
    half = send_as_trainee(phone, code, "Eko", [("esolo_1.jpg", jpeg_bytes(color="#ccc"))])
    send_as_trainee(other, code, "Eko", [("e_1.jpg", jpeg_bytes()), ("e_2.jpg", jpeg_bytes(color="#f7f7f7"))])
    for lang, latest in (("id", "Pelatih melihat kiriman terakhir Anda"), ("en", "Your trainer sees your latest upload")):
        html = phone.get(half + "?lang=" + lang).get_data(as_text=True)
        assert "id=\"lengkapi\"" in html and latest not in html


def test_a_dispute_on_a_later_half_sending_is_not_said_to_be_on_an_earlier_sheet(app, trainer, code):
    """A dispute on a sheet that does not stand for its trainee was badged "lembar sebelumnya" in the review queue
    ("this trainee has sent another sheet since"). Wati's half sending after her complete sheet does not stand
    either (standing_sheets.standing_sheet), but nothing came after it: her dispute there is badged as the later
    sending, incomplete, that it is; a dispute on her complete sheet has no badge."""
    from grader.exercise.store import load_key
    from grader.web.testing import WRONG_FIELD
    phone = app.test_client()
    whole = send_as_trainee(phone, code, "Wati", [("a_1.jpg", jpeg_bytes()), ("a_2.jpg", jpeg_bytes(color="#f7f7f7"))])
    half = send_as_trainee(phone, code, "Wati", [("asolo_1.jpg", jpeg_bytes(color="#ccc"))])
    said = str(load_key(code).fields[WRONG_FIELD])
    for url in (whole, half):
        assert phone.post(url + "/sanggah", data={"csrf_token": csrf_of(phone, url), "field": WRONG_FIELD,
                                                  "written": said}).status_code in (302, 303)
    for lang, badge, other in (("id", "kiriman berikutnya, belum lengkap", "lembar sebelumnya"),
                               ("en", "later sending, incomplete", "earlier sheet")):
        html = trainer.get(f"/trainer/latihan/{code}/periksa?lang={lang}").get_data(as_text=True)
        assert html.count(f'">{badge}</span>') == 1 and f'">{other}</span>' not in html


def test_a_stray_whose_pages_name_two_exercises_is_said_as_another_exercises(app, trainer, code):
    """h38b (s40): a stray sheet whose two pages are printed for two other exercises was listed as "juga lembar
    latihan ?:". It says "another exercise" instead, and hasil.json gives no code."""
    import json as _json

    from grader.web.db import connect
    batch(trainer, code, [("061_1.jpg", jpeg_bytes()), ("num-061-otherex_1.jpg", jpeg_bytes(color="#eee"))])
    conn = connect(app.config["DATABASE"])
    row = conn.execute("SELECT id, result FROM submissions WHERE result_status='refused'").fetchone()
    result = _json.loads(row["result"])
    result["pages"] = [{**result["pages"][0], "page": 1}, {**result["pages"][0], "page": 2, "sheet_exercise": "LAIN02"}]
    with conn:
        conn.execute("UPDATE submissions SET result=? WHERE id=?", (_json.dumps(result), row["id"]))
    conn.close()
    [only] = trainer.get(f"/trainer/latihan/{code}/hasil.json").get_json()["rows"]
    assert only["status"] == "graded" and [s["exercise"] for s in only["strays"]] == [None]
    for lang, said in (("id", "juga lembar latihan lain:"), ("en", "also a sheet of another exercise:")):
        html = trainer.get(f"/trainer/latihan/{code}/hasil?lang={lang}").get_data(as_text=True)
        assert said in html and "latihan ?" not in html and "exercise ?" not in html


def test_the_batch_counter_counts_sheets_graded_in_part_beside_the_refused(trainer, code):
    """Rehearsal (helper-138): the batch page said "ditolak: 0" for a class with a sheet whose page was refused, as
    if no one had to retake anything. A sheet graded in part is counted, once its pages are paired."""
    resp = batch(trainer, code, [("b_1.jpg", jpeg_bytes()), ("d_solo_1.jpg", jpeg_bytes(color="#eee")),
                                 ("c_1_blur.jpg", jpeg_bytes(color="#ddd"))])     # (d: page 2 never sent)
    status = trainer.get(resp.location + ".json").get_json()
    assert status["complete"] and (status["refused"], status["partial"], status["failed"]) == (1, 1, 0)
    page = trainer.get(resp.location).get_data(as_text=True)
    assert 'ditolak: <span data-field="refused">1</span> · sebagian: <span data-field="partial">1</span>' in page
    english = trainer.get(resp.location + "?lang=en").get_data(as_text=True)
    assert 'refused: <span data-field="refused">1</span> · partial: <span data-field="partial">1</span>' in english


def test_batch_page_and_exports_say_which_sheets_were_refused_and_why(trainer, code):
    """A refused sheet is not just "done": the batch page counts it, its row says why, the export names the page."""
    resp = batch(trainer, code, [("b_1.jpg", jpeg_bytes()), ("c_1_blur.jpg", jpeg_bytes(color="#ddd"))])
    status = trainer.get(resp.location + ".json").get_json()
    assert status["complete"] and status["refused"] == 1 and status["failed"] == 0
    row = next(i for i in status["items"] if i["trainee"] == "c")
    assert row["badge"] == "refused" and row["state_label"] == "Ditolak"
    # (and which page of the sheet, where the photo was located: a chat photo's name says none)
    assert row["error"] == "c_1_blur.jpg (halaman 1): Foto terlalu buram. Pegang ponsel lebih stabil, lalu foto ulang."
    assert next(i for i in status["items"] if i["trainee"] == "b")["error"] == ""
    page = trainer.get(resp.location).get_data(as_text=True)
    assert 'ditolak: <span data-field="refused">1</span>' in page and "Foto terlalu buram" in page
    table = trainer.get(f"/trainer/latihan/{code}/hasil").get_data(as_text=True)
    assert '<span class="badge refused">Ditolak</span>' in table
    sheets = list(csv.DictReader(io.StringIO(
        trainer.get(f"/trainer/latihan/{code}/ekspor/lembar.csv").data.decode("utf-8-sig"))))
    assert {r["Peserta"]: r["Alasan (kode)"] for r in sheets} == {"b": "", "c": "c_1_blur.jpg=too_blurry"}
    assert {r["Peserta"]: r["Alasan"] for r in sheets} == {                # and why, in the trainer's words
        "b": "", "c": "c_1_blur.jpg (halaman 1): Foto terlalu buram. Pegang ponsel lebih stabil, lalu foto ulang."}
    assert "c_1_blur.jpg (page 1): The photo is too blurry" in trainer.get(
        resp.location + ".json?lang=en").get_json()["items"][1]["error"]
    sheets = list(csv.DictReader(io.StringIO(                            # the language switch, remembered
        trainer.get(f"/trainer/latihan/{code}/ekspor/lembar.csv").data.decode("utf-8-sig"))))
    assert {r["Trainee"]: r["Why"] for r in sheets}["c"] == (
        "c_1_blur.jpg (page 1): The photo is too blurry. Hold the phone steady and take it again.")


def test_class_counts_agree_and_trainee_numbers_sort_as_numbers(trainer, code):
    """A trainee's second attempt is one sheet in the class, on every page: table, button, list of exercises."""
    batch(trainer, code, [("10_1.jpg", jpeg_bytes()), ("9_1.jpg", jpeg_bytes(color="#eee"))], client_token="c1")
    batch(trainer, code, [("10_1.jpg", jpeg_bytes(color="#ddd"))], client_token="c2")      # 10 tries again
    table = trainer.get(f"/trainer/latihan/{code}/hasil?sort=trainee").get_data(as_text=True)
    assert re.findall(r'/trainer/lembar/\d+">([^<]+)</a>', table) == ["9", "10"]
    page = trainer.get(f"/trainer/latihan/{code}").get_data(as_text=True)
    assert "Hasil kelas (2 peserta)" in page
    index = trainer.get("/trainer/").get_data(as_text=True)
    row = re.search(rf"<code>{code}</code>.*?</tr>", index, re.S).group(0)
    assert re.search(r'<td class="num" data-col="sheets"[^>]*>([^<]*)</td>', row).group(1) == "2"


def test_refused_photos_that_name_nobody_are_counted_apart_from_the_trainees(trainer, code):
    """A rehearsal: a class of 20 read "Hasil kelas (24)", its 4 refused photos that named nobody counted as trainees
    (each a row of the table, which it stays, for the trainer to see). The button counts the trainees and says the
    refused photos apart; a refused photo that names its trainee is that trainee's row, counted as one."""
    batch(trainer, code, [("10_1.jpg", jpeg_bytes()), ("9_1.jpg", jpeg_bytes(color="#eee")),
                          ("11_1_blur.jpg", jpeg_bytes(color="#ccc")),
                          ("IMG-20241127-WA0091-blur.jpg", jpeg_bytes(color="#ddd")),
                          ("IMG-20241127-WA0092-blur.jpg", jpeg_bytes(color="#bbb"))])
    table = trainer.get(f"/trainer/latihan/{code}/hasil").get_data(as_text=True)
    assert len(re.findall(r'<tr data-href="/trainer/lembar/\d+"', table)) == 5          # (every photo still a row)
    page = trainer.get(f"/trainer/latihan/{code}").get_data(as_text=True)
    button = re.search(r'>Hasil kelas \((.*?)\)</a>', page, re.S).group(1)
    assert re.sub(r"<[^>]+>", "", button) == "3 peserta · 2 foto ditolak"
    index = trainer.get("/trainer/").get_data(as_text=True)                 # the list of exercises counts alike
    row = re.search(rf"<code>{code}</code>.*?</tr>", index, re.S).group(0)
    cell = re.search(r'<td class="num" data-col="sheets"[^>]*>(.*?)</td>', row, re.S).group(1)
    assert re.sub(r"<[^>]+>", "", cell) == "3 · 2 foto ditolak"
    english = trainer.get(f"/trainer/latihan/{code}?lang=en").get_data(as_text=True)
    assert re.search(r'>Class results \(3 trainees · <span title="Photos refused that name no trainee: in the table, '
                     r'not counted as trainees.">2 photos refused</span>\)</a>', english)


def test_the_list_of_exercises_names_each_ones_place_as_its_page_does(trainer, code, isolated_data_dir):
    """Two exercises of one contest differ only by their code in the list: each shows where its polling station is
    (from its key), as the exercise's page does; a key without a place shows none, not a stray ", TPS"."""
    from grader.exercise.store import exercises_dir, load_key
    key = load_key(code)
    place = f"{key.raw['village']}, TPS&nbsp;{key.raw['tps']}"
    index = trainer.get("/trainer/").get_data(as_text=True)
    row = re.search(rf"<code>{code}</code>.*?</tr>", index, re.S).group(0)
    assert f'<span class="place small muted">{place}</span>' in row
    assert key.raw["village"] in trainer.get(f"/trainer/latihan/{code}").get_data(as_text=True)
    path = exercises_dir() / code / "answer_key.json"
    older = {k: v for k, v in json.loads(path.read_text()).items() if k not in ("village", "tps")}
    path.write_text(json.dumps(older))
    row = re.search(rf"<code>{code}</code>.*?</tr>", trainer.get("/trainer/").get_data(as_text=True), re.S).group(0)
    assert "place" not in row and "TPS" not in row


def test_the_list_of_exercises_shows_the_newest_first_and_one_made_again_goes_to_the_top(trainer, code):
    """Codes are in no order: the exercise a trainer just made (for today's class) is at the top, and so is one made
    again with the same seed (the same code)."""
    import os

    from grader.exercise.store import exercises_dir
    token = csrf_of(trainer, "/trainer/")
    made = [trainer.post("/trainer/latihan", data={"csrf_token": token, "contest": "bupati", "pairs": "2",
                                                   "seed": str(seed)}).location.rsplit("/", 1)[1] for seed in (7, 8)]
    for age, made_code in enumerate(reversed([code, *made])):   # made one after another: code, then 7, then 8
        key = exercises_dir() / made_code / "answer_key.json"
        os.utime(key, (key.stat().st_atime, key.stat().st_mtime - 3600 * (age + 1)))

    def listed() -> list[str]:
        return re.findall(r"<code>([A-Z0-9]{6})</code>", trainer.get("/trainer/").get_data(as_text=True))

    assert listed()[:3] == [made[1], made[0], code]
    again = trainer.post("/trainer/latihan", data={"csrf_token": token, "contest": "bupati", "pairs": "2",
                                                   "seed": "7"})
    assert again.location.endswith(made[0]) and listed()[:3] == [made[0], made[1], code]


def test_an_exercise_shows_its_traps_and_when_it_was_made_in_the_list_and_on_its_page(trainer, code):
    """Two exercises of one contest, one with traps: the list and the exercise's page say which traps each has
    (in the form's words) and when it was made, on the trainer's clock; one without traps shows no traps line."""
    import os

    from grader.exercise.store import exercises_dir
    token = csrf_of(trainer, "/trainer/")
    trapped = trainer.post("/trainer/latihan", data={"csrf_token": token, "contest": "bupati", "pairs": "2",
                                                     "seed": "5", "trap": ["dptb", "damaged"]}).location.rsplit("/", 1)[1]
    key = exercises_dir() / trapped / "answer_key.json"
    os.utime(key, (1764740400, 1764740400))          # 2025-12-03 05:40 UTC = 12:40 WIB
    index = trainer.get("/trainer/").get_data(as_text=True)
    row = re.search(rf"<code>{trapped}</code>.*?</tr>", index, re.S).group(0)
    assert '<span class="traps small">Jebakan: surat suara rusak, pemilih DPTb</span>' in row
    assert '<span class="made small muted">dibuat 3 Des 2025, 12.40 WIB</span>' in row
    plain = re.search(rf"<code>{code}</code>.*?</tr>", index, re.S).group(0)
    assert "Jebakan" not in plain and "dibuat" in plain
    page = trainer.get(f"/trainer/latihan/{trapped}").get_data(as_text=True)
    assert "Jebakan: surat suara rusak, pemilih DPTb" in page and "dibuat 3 Des 2025, 12.40 WIB" in page
    assert "Jebakan:" not in trainer.get(f"/trainer/latihan/{code}").get_data(as_text=True)
    english = trainer.get("/trainer/?lang=en").get_data(as_text=True)
    assert "Traps: damaged ballots, DPTb voters" in english and "made 3 Dec 2025, 12:40 WIB" in english


def test_a_partly_graded_sheet_in_a_batch_says_which_page_is_missing(app):
    import json as _json

    from grader.web.trainer.batch_status import item_status
    result = {"pages": [{"file": "a_1.jpg", "page": 1, "refusal": None}],
              "fields": [{"id": "IV.1", "page": 2, "status": "unreadable", "notes": ["page_missing"]}]}
    row = {"state": "done", "result_status": "partial", "result": _json.dumps(result), "error_id": None,
           "error_en": None}
    with app.test_request_context("/"):
        assert item_status(row) == {"badge": "partial", "label": "Sebagian", "reason": "Halaman 2 belum dikirim."}


def test_a_held_upload_offers_first_the_exercise_its_sheet_was_printed_for(app, trainer, code):
    """Review: a trainee's upload held because its sheet was printed for another exercise offered the trainer the
    first exercise of the list, preselected; "Nilai sekarang" as shown graded it under that one, and it was held
    again. The code the sheet's QR names is now the one chosen."""
    import json as _json

    from grader.exercise.store import exercises_dir
    with app.app_context():
        base = app.config["DATA_DIR"]
    key = _json.loads((exercises_dir(base) / code / "answer_key.json").read_text())
    for other in ("AAAA01", "OTHER01"):           # AAAA01 sorts first: it would be the one preselected before
        (exercises_dir(base) / other).mkdir()
        (exercises_dir(base) / other / "answer_key.json").write_text(_json.dumps({**key, "exercise": other}))
    client = app.test_client()
    resp = client.post("/", data={"csrf_token": csrf_of(client), "code": code, "trainee": "017",
                                  "photo_1": (io.BytesIO(jpeg_bytes()), "017_1_otherex.jpg")},
                       content_type="multipart/form-data")
    with app.app_context():
        from grader.web.db import get_db
        sid, state = get_db().execute("SELECT id, state FROM submissions ORDER BY id DESC").fetchone()
    assert state == "held"
    page = trainer.get(f"/trainer/lembar/{sid}").get_data(as_text=True)
    assert re.search(r'<option value="OTHER01" selected>', page)
    assert not re.search(r'<option value="(AAAA01|%s)" selected>' % code, page)


def test_a_batch_sheet_of_another_exercise_can_be_graded_under_it(app, trainer, code):
    """A class's photo sent to the wrong exercise's batch: the trainer grades it under the exercise its QR names."""
    import json as _json

    from grader.exercise.store import exercises_dir
    with app.app_context():
        base = app.config["DATA_DIR"]
    key = _json.loads((exercises_dir(base) / code / "answer_key.json").read_text())
    (exercises_dir(base) / "OTHER01").mkdir()
    (exercises_dir(base) / "OTHER01" / "answer_key.json").write_text(_json.dumps({**key, "exercise": "OTHER01"}))
    batch(trainer, code, [("s_1_otherex.jpg", jpeg_bytes()), ("t_1.jpg", jpeg_bytes(color="#eee"))])
    page = trainer.get("/trainer/lembar/1").get_data(as_text=True)
    assert "Halaman ini tidak dinilai" in page and "Nilai dengan latihan OTHER01" in page
    token = csrf_of(trainer, "/trainer/lembar/1")
    assert trainer.post("/trainer/lembar/2/latihan", data={"csrf_token": token, "code": "OTHER01"}).status_code == 400
    resp = trainer.post("/trainer/lembar/1/latihan", data={"csrf_token": token, "code": "OTHER01"})
    assert resp.status_code == 303
    with app.app_context():
        from grader.web.db import get_db
        row = get_db().execute("SELECT exercise, state, result_status FROM submissions WHERE id=1").fetchone()
    assert (row["exercise"], row["state"], row["result_status"]) == ("OTHER01", "done", "graded")
    assert "s" in re.findall(r'/trainer/lembar/\d+">([^<]+)</a>',
                             trainer.get("/trainer/latihan/OTHER01/hasil").get_data(as_text=True))


def test_a_sheet_moved_to_another_exercise_is_listed_by_its_batch_as_moved_there(app, trainer, code):
    """A sheet of exercise Y's batch graded under X from its own page was still listed on Y's batch page as
    "054 Selesai 100", as if Y's. Its row says where it went, links X's class table and shows no score for Y; the
    JSON the open page polls says the same."""
    import json as _json

    from grader.exercise.store import exercises_dir
    base = app.config["DATA_DIR"]
    key = _json.loads((exercises_dir(base) / code / "answer_key.json").read_text())
    (exercises_dir(base) / "OTHER01").mkdir()
    (exercises_dir(base) / "OTHER01" / "answer_key.json").write_text(_json.dumps({**key, "exercise": "OTHER01"}))
    sent = batch(trainer, code, [("054_1_otherex.jpg", jpeg_bytes()), ("055_1.jpg", jpeg_bytes(color="#eee"))])
    token = csrf_of(trainer, "/trainer/lembar/1")
    assert trainer.post("/trainer/lembar/1/latihan", data={"csrf_token": token, "code": "OTHER01"}).status_code == 303
    page = trainer.get(sent.location).get_data(as_text=True)
    moved = re.search(r'<tr data-id="1"[^>]*>.*?</tr>', page, re.S).group(0)
    assert '<span class="badge moved">Dipindah ke latihan OTHER01</span>' in moved
    assert 'href="/trainer/latihan/OTHER01/hasil"' in moved and "Selesai" not in moved
    assert re.search(r'data-col="score"[^>]*>([^<]*)</td>', moved).group(1) == "—"
    stayed = re.search(r'<tr data-id="2"[^>]*>.*?</tr>', page, re.S).group(0)
    assert '<span class="badge done">Selesai</span>' in stayed and "Dipindah" not in stayed
    items = {it["id"]: it for it in trainer.get(sent.location + ".json").get_json()["items"]}
    assert (items[1]["badge"], items[1]["state_label"], items[1]["score"]) == ("moved", "Dipindah ke latihan OTHER01",
                                                                              None)
    assert items[1]["moved_to"] == {"code": "OTHER01", "url": "/trainer/latihan/OTHER01/hasil",
                                    "text": "Lihat di hasil kelas OTHER01"}
    assert (items[2]["badge"], items[2]["moved_to"]) == ("done", None) and items[2]["score"] is not None
    from grader.web.trainer.batch_status import row_status
    sheet = {"exercise": "OTHER01", "result_status": None, "score": None, "result": None, "retaken_by": None}
    with app.test_request_context("/"):
        waiting = row_status({**sheet, "state": "queued", "error_id": None, "error_en": None}, code, paired=False)
        failed = row_status({**sheet, "state": "failed", "error_id": "Penilaian terlalu lama.", "error_en": "x"}, code,
                            paired=True)
    assert waiting["reason"] == "Sedang dinilai dengan latihan OTHER01." and waiting["badge"] == "moved"
    assert failed["reason"] == "Gagal: Penilaian terlalu lama." and failed["score"] is None


def test_a_batch_counter_owes_no_retake_for_a_sheet_moved_to_another_exercise(app, trainer, code):
    """Rehearsal (helper-168): a stray sheet of another exercise, its page 2 not sent, graded under that exercise
    from its page ("Nilai lembar itu dengan latihan X"), is half a sheet there; its batch's counter said "sebagian: 1"
    though its row says "Dipindah ke latihan X" and no row "Sebagian": the trainer looked for a half sheet of this
    class. The counter counts the batch's own sheets, as its rows show them: the moved one's retake is X's, its row
    still says why ("Sebagian: Halaman 2 belum dikirim.") and X's class table says it too."""
    import json as _json

    from grader.exercise.store import exercises_dir
    base = app.config["DATA_DIR"]
    key = _json.loads((exercises_dir(base) / code / "answer_key.json").read_text())
    (exercises_dir(base) / "OTHER01").mkdir()
    (exercises_dir(base) / "OTHER01" / "answer_key.json").write_text(_json.dumps({**key, "exercise": "OTHER01"}))
    sent = batch(trainer, code, [("054_1_solo_otherex.jpg", jpeg_bytes()), ("055_1.jpg", jpeg_bytes(color="#eee")),
                                 ("056_1_solo.jpg", jpeg_bytes(color="#ddd"))])
    before = trainer.get(sent.location + ".json").get_json()
    assert (before["refused"], before["partial"]) == (1, 1)         # the stray sheet, refused here; 056's half
    token = csrf_of(trainer, "/trainer/lembar/1")
    assert trainer.post("/trainer/lembar/1/latihan", data={"csrf_token": token, "code": "OTHER01"}).status_code == 303
    after = trainer.get(sent.location + ".json").get_json()
    items = {it["id"]: it for it in after["items"]}
    assert (items[1]["badge"], items[1]["status"]) == ("moved", "partial")
    assert items[1]["error"] == "Sebagian: Halaman 2 belum dikirim."
    assert (after["refused"], after["partial"]) == (0, 1)           # 056's half only, as the rows show it
    assert [it["badge"] for it in after["items"]].count("partial") == after["partial"]
    page = trainer.get(sent.location).get_data(as_text=True)
    assert '<span data-field="partial">1</span>' in page and '<span data-field="refused">0</span>' in page
    table = trainer.get("/trainer/latihan/OTHER01/hasil.json").get_json()["rows"]
    assert [(r["trainee"], r["status"]) for r in table] == [("054", "partial")]


def test_a_batch_sent_under_the_wrong_exercise_is_moved_in_one_go(app, trainer, code):
    """QA: 14 pages of another exercise sent under this one each needed their own click on their own page."""
    import json as _json

    from grader.exercise.store import exercises_dir
    base = app.config["DATA_DIR"]
    key = _json.loads((exercises_dir(base) / code / "answer_key.json").read_text())
    (exercises_dir(base) / "OTHER01").mkdir()
    (exercises_dir(base) / "OTHER01" / "answer_key.json").write_text(_json.dumps({**key, "exercise": "OTHER01"}))
    resp = batch(trainer, code, [("a_1_otherex.jpg", jpeg_bytes()), ("b_1_otherex.jpg", jpeg_bytes(color="#eee")),
                                 ("c_1_otherex.jpg", jpeg_bytes(color="#ddd")), ("t_1.jpg", jpeg_bytes(color="#ccc"))])
    page = trainer.get(resp.location).get_data(as_text=True)
    assert f"3 lembar di unggahan ini dicetak untuk latihan OTHER01, bukan {code}." in page
    token = csrf_of(trainer, resp.location)
    assert trainer.post(resp.location + "/latihan", data={"csrf_token": token, "code": "NOPE99"}).status_code == 404
    moved = trainer.post(resp.location + "/latihan", data={"csrf_token": token, "code": "other01"})
    assert moved.status_code == 303
    page = trainer.get(resp.location).get_data(as_text=True)
    assert "3 lembar dinilai ulang dengan latihan OTHER01." in page and "dicetak untuk latihan OTHER01" not in page
    from grader.web.db import get_db
    with app.app_context():
        rows = get_db().execute("SELECT exercise, COUNT(*) AS n FROM submissions GROUP BY exercise").fetchall()
    assert {r["exercise"]: r["n"] for r in rows} == {"OTHER01": 3, code: 1}


def test_a_sheet_with_a_graded_page_offers_no_move_it_would_refuse(app, trainer, code):
    """The sheet page offered 'Nilai dengan latihan' for any page printed for another exercise; moving refuses a
    sheet with a graded page (its grading would be dropped), so the button only led to an error."""
    import json as _json

    from grader.exercise.store import exercises_dir
    base = app.config["DATA_DIR"]
    key = _json.loads((exercises_dir(base) / code / "answer_key.json").read_text())
    (exercises_dir(base) / "OTHER01").mkdir()
    (exercises_dir(base) / "OTHER01" / "answer_key.json").write_text(_json.dumps({**key, "exercise": "OTHER01"}))
    trainee = app.test_client()
    trainee.post("/", data={"csrf_token": csrf_of(trainee), "code": code, "trainee": "Siti",
                            "photo_1": (io.BytesIO(jpeg_bytes()), "s_1.jpg"),
                            "photo_2": (io.BytesIO(jpeg_bytes(color="#eee")), "s_2_otherex.jpg")},
                 content_type="multipart/form-data")
    page = trainer.get("/trainer/lembar/1").get_data(as_text=True)
    assert "Lembar ini untuk latihan OTHER01" in page and "Nilai dengan latihan OTHER01" not in page


def test_moved_pages_of_one_trainee_are_merged_again(app, trainer, code):
    """A chat export sent to the wrong exercise: each photo a sheet, all refused; moved, they become one sheet."""
    import json as _json

    from grader.exercise.store import exercises_dir
    base = app.config["DATA_DIR"]
    key = _json.loads((exercises_dir(base) / code / "answer_key.json").read_text())
    (exercises_dir(base) / "OTHER01").mkdir()
    (exercises_dir(base) / "OTHER01" / "answer_key.json").write_text(_json.dumps({**key, "exercise": "OTHER01"}))
    resp = batch(trainer, code, [("qr-12-otherex-WA0001_p1.jpg", jpeg_bytes()),
                                 ("qr-12-otherex-WA0002_p2.jpg", jpeg_bytes(color="#eee"))], client_token="mv")
    items = trainer.get(resp.location + ".json").get_json()["items"]
    assert len(items) == 2 and {i["badge"] for i in items} == {"refused"}
    token = csrf_of(trainer, "/trainer/")
    for it in items:
        trainer.post(f"/trainer/lembar/{it['id']}/latihan", data={"csrf_token": token, "code": "OTHER01"})
    table = trainer.get("/trainer/latihan/OTHER01/hasil").get_data(as_text=True)
    assert re.findall(r'/trainer/lembar/\d+">([^<]+)</a>', table) == ["12"]
    sheet = trainer.get(re.search(r'href="(/trainer/lembar/\d+)"', table).group(1)).get_data(as_text=True)
    assert "qr-12-otherex-WA0001_p1.jpg, qr-12-otherex-WA0002_p2.jpg" in sheet


def test_review_queue_correction_regrades_and_records_who(app, trainer, code):
    batch(trainer, code, [("017_1.jpg", jpeg_bytes())])
    queue = trainer.get(f"/trainer/latihan/{code}/periksa").get_data(as_text=True)
    assert 'src="/trainer/lembar/1/gambar/crops/V.B.png"' in queue
    # no "keyakinan 97%" beside "not sure of box 3" (a walk-through read it as a contradiction): the page says once
    # why a reading short of near-certain is the trainer's to decide, in the page's language
    assert "keyakinan" not in queue and "hanya bila bacaan kami hampir pasti" in queue
    assert queue.count('loading="lazy"') == queue.count('<img class="crop"')   # a class's queue: crops load as reached
    assert "Alasan: kami belum yakin membaca kotak ke-3" in queue      # why it is there, in words: which box
    assert re.search(r'<mark title="belum terbaca dengan yakin">\d</mark></span>', queue)   # that box marked
    # the ✓ button is named for a screen reader, in the page's language (QA: it had no accessible name)
    assert 'aria-label="Simpan angka V.B"' in queue
    english = trainer.get(f"/trainer/latihan/{code}/periksa?lang=en").get_data(as_text=True)
    assert 'aria-label="Save the number of V.B"' in english and "Why: we are not sure how to read box 3" in english
    assert "confidence" not in english and "only when we are almost certain of our reading" in english
    assert 'aria-label="Simpan angka V.B"' in trainer.get("/trainer/lembar/1?lang=id").get_data(as_text=True)
    assert trainer.get("/trainer/lembar/1/gambar/crops/V.B.png").status_code == 200
    version_before = re.search(r"gambar/page1.png\?v=(\w+)", trainer.get("/trainer/lembar/1").get_data(as_text=True)).group(1)
    token = csrf_of(trainer, "/trainer/")
    from grader.exercise.store import load_key
    expected = load_key(code).fields["V.B"]
    resp = trainer.post("/trainer/lembar/1/koreksi", data={"field": "V.B", "value": str(expected)},
                        headers={"X-Requested-With": "fetch", "X-CSRF-Token": token})
    body = resp.get_json()
    assert resp.status_code == 200 and body["ok"] and body["status"] == "ok"
    assert "Tidak ada isian yang perlu dicek" in trainer.get(f"/trainer/latihan/{code}/periksa").get_data(as_text=True)
    assert version_before != re.search(r"gambar/page1.png\?v=(\w+)", trainer.get("/trainer/lembar/1").get_data(
        as_text=True)).group(1)                                          # the redrawn page is not served from cache
    sheet = trainer.get("/trainer/lembar/1").get_data(as_text=True)
    assert "Ibu Sari" in sheet                                          # who corrected, in the table and history
    with app.app_context():
        from grader.web.db import get_db
        row = get_db().execute("SELECT * FROM corrections").fetchone()
    assert row["field_id"] == "V.B" and row["corrected_by"] == "Ibu Sari" and row["corrected_at"]


def test_correction_prefill_offers_enter_only_a_reading_likely_right():
    """Enter alone saves what a correction's input holds. A box read unsurely in a field below PREFILL_SURE is a "?"
    (a save refuses it), so Enter cannot confirm a coin flip; nor a blank for a field we could not read, nor our
    reading of a field the trainee disputes."""
    from grader.web.present import PREFILL_SURE, correction_prefill
    unsure = {"kind": "digits", "status": "review", "value": 185, "boxes": ["1", "8", "5"], "unsure_boxes": [1]}
    assert correction_prefill({**unsure, "confidence": 0.24}) == "1?5"
    assert correction_prefill({**unsure, "confidence": PREFILL_SURE - 0.01, "boxes": ["X", "8", "5"],
                               "unsure_boxes": [1, 2]}) == "X??"
    assert correction_prefill({**unsure, "confidence": PREFILL_SURE}) == "185"
    # helper-155: at 0.7 a quarter of the queue's readings offered whole were misreads, confirmed by one Enter
    assert correction_prefill({**unsure, "confidence": 0.95}) == "1?5"
    assert correction_prefill({**unsure, "confidence": 0.24, "unsure_boxes": []}) == "185"   # no box named
    assert correction_prefill({**unsure, "confidence": 0.24, "disputed_at": "t"}) == "1?5"   # as any other field
    assert correction_prefill({**unsure, "status": "wrong", "confidence": 0.99, "read_as": "??4"}) == "??4"
    assert correction_prefill({**unsure, "status": "unreadable", "value": None, "confidence": 0.0}) == "???"
    assert correction_prefill({"kind": "tally", "status": "review", "value": None, "confidence": 0.2}) == "?"
    assert correction_prefill({**unsure, "status": "blank", "value": None, "boxes": ["", "", ""]}) == ""
    assert correction_prefill({**unsure, "status": "ok", "value": 0, "confidence": 0.99}) == "0"
    for sure in correction_prefill({**unsure, "confidence": 0.24}), "X??", "???", "?":
        from grader.grading.typed_value import parse_value
        assert parse_value(sure) == (False, None)        # never saved as it is


def test_a_queue_item_read_unsurely_asks_for_the_box_and_enter_alone_saves_nothing(app, trainer, code):
    """Walk-through (trainer): the queue put our reading in the input, selected, and Enter alone saved it. For a
    field read at 24% ("185", written 125) that confirmed our misread against the trainee. Its unsure box is now a
    "?", and saving it as it is is refused with what to do, in the page's language; nothing is stored."""
    from grader.web.testing import REVIEW_FIELD
    batch(trainer, code, [("017_1.jpg", jpeg_bytes())])
    queue = trainer.get(f"/trainer/latihan/{code}/periksa?lang=id").get_data(as_text=True)
    held = re.search(r'<input type="text" name="value" [^>]*value="([^"]*)" aria-label="Angka yang benar untuk '
                     + re.escape(REVIEW_FIELD), queue).group(1)
    assert len(held) == 3 and held[2] == "?" and "?" not in held[:2]     # the fake's box 3 is unsure, at 40%
    assert "ganti ? dengan isi kotak yang belum terbaca pasti" in queue
    token = csrf_of(trainer, "/trainer/")
    for lang, said in (("id", "Ganti setiap tanda ? dengan isi kotak itu seperti tertulis di lembar."),
                       ("en", "Replace each ? with what that box holds on the sheet.")):
        trainer.get(f"/trainer/?lang={lang}")
        resp = trainer.post("/trainer/lembar/1/koreksi", data={"field": REVIEW_FIELD, "value": held},
                            headers={"X-Requested-With": "fetch", "X-CSRF-Token": token})
        assert resp.status_code == 400 and resp.get_json() == {"ok": False, "message": said}
    with app.app_context():
        from grader.web.db import get_db
        assert get_db().execute("SELECT COUNT(*) FROM corrections").fetchone()[0] == 0
        # the same reading at PREFILL_SURE (99%) is offered as it is: Enter confirms it
        from grader.web.present import PREFILL_SURE
        db = get_db()
        res = json.loads(db.execute("SELECT result FROM submissions WHERE id=1").fetchone()["result"])
        field = next(f for f in res["fields"] if f["id"] == REVIEW_FIELD)
        field["confidence"] = PREFILL_SURE
        db.execute("UPDATE submissions SET result=? WHERE id=1", (json.dumps(res),))
        db.commit()
    queue = trainer.get(f"/trainer/latihan/{code}/periksa?lang=id").get_data(as_text=True)
    assert f'value="{field["value"]}" aria-label="Angka yang benar untuk {REVIEW_FIELD}' in queue


def test_a_review_item_opens_its_whole_sheet_at_that_field(trainer, code):
    """Walk-through (trainer): the queue showed one crop per field and the trainee's number as plain text. A crop of
    "-21" whose 2 is the trainee's way of writing 7 cannot be told apart from the crop alone, and the sheet (the
    trainee's other 7s, the marked page, the sums) was three pages away. The number links the sheet at that
    field's row, in a new tab, so the queue keeps its place."""
    from grader.web.testing import REVIEW_FIELD
    batch(trainer, code, [("017_1.jpg", jpeg_bytes())])
    queue = trainer.get(f"/trainer/latihan/{code}/periksa?lang=id").get_data(as_text=True)
    link = re.search(rf'<a href="/trainer/lembar/1#f-{re.escape(REVIEW_FIELD)}" target="_blank" rel="noopener" '
                     r'title="([^"]*)"><b>017</b></a>', queue)
    assert link and link.group(1) == "Buka lembar 017 di tab baru", queue
    assert f'id="f-{REVIEW_FIELD}"' in trainer.get("/trainer/lembar/1").get_data(as_text=True)
    english = trainer.get(f"/trainer/latihan/{code}/periksa?lang=en").get_data(as_text=True)
    assert 'title="Open sheet 017 in a new tab"' in english


def test_a_crop_in_the_review_queue_is_named_by_its_fields_label_and_what_was_read(app, trainer, code):
    """Usability review (accessibility): a crop's alt text was only the field id ("V.B"). It names the field's label
    and what was read, in the page's language; a field with nothing read says so."""
    import json
    from grader.web.testing import REVIEW_FIELD
    batch(trainer, code, [("017_1.jpg", jpeg_bytes())])
    with app.app_context():
        from grader.web.db import get_db
        value = next(f for f in json.loads(get_db().execute("SELECT result FROM submissions").fetchone()["result"])
                     ["fields"] if f["id"] == REVIEW_FIELD)["value"]
    crop = r'<img class="crop" [^>]*alt="([^"]*)"'
    queue = trainer.get(f"/trainer/latihan/{code}/periksa?lang=id").get_data(as_text=True)
    assert re.findall(crop, queue) == [f"{REVIEW_FIELD} Isian {REVIEW_FIELD}: terbaca {value}"]
    english = trainer.get(f"/trainer/latihan/{code}/periksa?lang=en").get_data(as_text=True)
    assert re.findall(crop, english) == [f"{REVIEW_FIELD} Entry {REVIEW_FIELD}: read as {value}"]
    with app.app_context():
        db = get_db()
        res = json.loads(db.execute("SELECT result FROM submissions").fetchone()["result"])
        next(f for f in res["fields"] if f["id"] == REVIEW_FIELD)["value"] = None
        db.execute("UPDATE submissions SET result=?", (json.dumps(res),))
        db.commit()
    queue = trainer.get(f"/trainer/latihan/{code}/periksa?lang=id").get_data(as_text=True)
    assert re.findall(crop, queue) == [f"{REVIEW_FIELD} Isian {REVIEW_FIELD}: belum terbaca"]


def test_a_review_item_put_in_doubt_by_a_failing_sum_shows_that_sum_as_read(app, trainer, code):
    """Review walk-through: an item's reason was "aturan hitungan tidak cocok dan bacaan isian ini kurang yakin",
    without which rule; the trainer opened the sheet to find it. The item shows the rule and its terms as read, the
    reading in question marked: which of them is the misread one is a look at the crop away."""
    import json
    from grader.web.testing import REVIEW_FIELD
    batch(trainer, code, [("017_1.jpg", jpeg_bytes())])
    with app.app_context():
        from grader.web.db import get_db
        db = get_db()
        res = json.loads(db.execute("SELECT result FROM submissions").fetchone()["result"])
        values = {f["id"]: f["value"] for f in res["fields"]}
        field = next(f for f in res["fields"] if f["id"] == REVIEW_FIELD)
        field["doubted_by"] = ["valid_total"]
        res["rules"].append({"id": "valid_total", "base_id": "valid_total", "severity": "error",
                             "status": "not_checkable", "fields": ["V.C", "V.A", REVIEW_FIELD],
                             "expression": f"V.C = V.A + {REVIEW_FIELD}", "text_id": "Jumlah suara (C = A + B)",
                             "text_en": "Total votes (C = A + B)", "message_id": "", "message_en": ""})
        db.execute("UPDATE submissions SET result=?", (json.dumps(res),))
        db.commit()
    said = f"Jumlah suara (C = A + B) · terbaca: {values['V.C']} ≠ {values['V.A']} + <mark>{values[REVIEW_FIELD]}</mark>"
    assert said in trainer.get(f"/trainer/latihan/{code}/periksa?lang=id").get_data(as_text=True)
    english = trainer.get(f"/trainer/latihan/{code}/periksa?lang=en").get_data(as_text=True)
    assert f"Total votes (C = A + B) · read: {values['V.C']} ≠" in english


def test_fields_waiting_for_a_trainer_are_said_to_need_checking_on_every_page(app, trainer, code):
    """Usability review: the class table's column "Dicek", the section badges "1 dicek pelatih" and the printed
    sheet's "Diperiksa pelatih 3" / "diperiksa pelatih (kotak ke-2)" read as already checked. A field in review
    "perlu dicek" (to check) everywhere a trainer reads, as its status badge says; in English "to check" throughout.
    What the trainee reads, the result page and the printed sheet, says it "waits for the trainer" ("Perlu dicek" read
    as the trainee's job: helper-143, s47)."""
    batch(trainer, code, [("017_1.jpg", jpeg_bytes())])         # (its one field in review is in section V)
    table = trainer.get(f"/trainer/latihan/{code}/hasil?lang=id").get_data(as_text=True)
    assert re.search(r'<th class="num"[^>]*><a href="\?sort=review&dir=desc">Perlu dicek</a></th>', table)
    english = trainer.get(f"/trainer/latihan/{code}/hasil?lang=en").get_data(as_text=True)
    assert re.search(r'<a href="\?sort=review&dir=desc">To check</a>', english)
    trainee = app.test_client()
    printed = trainer.get("/trainer/lembar/1/cetak?lang=id").get_data(as_text=True)
    assert "Menunggu pelatih 1" in printed and 'class="review">Menunggu pelatih (kotak ke-3)</td>' in printed
    assert "Isian yang menunggu pelatih belum dihitung dalam nilai" in printed
    with app.app_context():
        from grader.web.db import get_db
        result_url = "/hasil/" + get_db().execute("SELECT token FROM submissions WHERE id=1").fetchone()["token"]
    pages = {"trainer's sheet": trainer.get("/trainer/lembar/1?lang=id").get_data(as_text=True),
             "trainee's result": trainee.get(f"{result_url}?lang=id").get_data(as_text=True),
             "class table": table, "printed sheet": printed,
             "trainee's printed sheet": trainee.get(f"{result_url}/cetak?lang=id").get_data(as_text=True),
             "review queue": trainer.get(f"/trainer/latihan/{code}/periksa?lang=id").get_data(as_text=True)}
    assert '<span class="badge review">1 perlu dicek</span>' in pages["trainer's sheet"]
    assert '<span class="badge review">1 menunggu pelatih</span>' in pages["trainee's result"]
    assert 'data-more-text="{n} isian lain kini perlu dicek; muat ulang halaman"' in pages["review queue"]
    for name, html in pages.items():
        assert not re.search(r"(?i)\bdicek pelatih|diperiksa|>Dicek<", html.replace("Minta dicek pelatih", "")), name
    sheet = trainer.get("/trainer/lembar/1?lang=en").get_data(as_text=True)
    assert '<span class="badge review">1 to check</span>' in sheet and "for the trainer to check" not in sheet
    assert 'class="review">Waiting for the trainer (box 3)</td>' in trainer.get("/trainer/lembar/1/cetak?lang=en").get_data(
        as_text=True)


def test_the_class_table_says_a_score_with_fields_still_to_check_is_provisional(app, trainer, code):
    """Review walk-through: the class table showed 100 for a sheet with 9 fields waiting (a score counts only what is
    graded), where the trainee's page says "sementara". The table says so too, until the last field is checked."""
    from grader.exercise.store import load_key
    from grader.web.testing import REVIEW_FIELD
    batch(trainer, code, [("017_1.jpg", jpeg_bytes())])         # (its one field in review)

    def score_cell(lang="id") -> str:
        table = trainer.get(f"/trainer/latihan/{code}/hasil?lang={lang}").get_data(as_text=True)
        return re.search(r'<tr data-href="/trainer/lembar/1"[^>]*>.*?<td class="num"[^>]*>(.*?)</td>', table, re.S).group(1)

    assert score_cell().endswith('<br><span class="muted small" data-provisional>sementara</span>')
    assert score_cell("en").endswith(">provisional</span>")
    trainer.post("/trainer/lembar/1/koreksi", data={"csrf_token": csrf_of(trainer, "/trainer/"), "field": REVIEW_FIELD,
                                                    "value": str(load_key(code).fields[REVIEW_FIELD])})
    assert "data-provisional" not in score_cell()


def test_the_review_queue_announces_what_a_save_did_and_alerts_why_it_failed(trainer, code):
    """QA: each field's status line ("✓ nilai lembar kini 92", "beres oleh koreksi tadi", "1 isian lain ...") changed
    after a save with no live region, so a screen reader said nothing. It is a polite status; why a save failed
    goes to an alert of its own, hidden until then (said once, assertively, and not again by the status)."""
    batch(trainer, code, [("sums_1.jpg", jpeg_bytes())])
    for lang, failed in (("id", "Belum tersimpan. Coba lagi."), ("en", "Not saved. Try again.")):
        queue = trainer.get(f"/trainer/latihan/{code}/periksa?lang={lang}").get_data(as_text=True)
        items = re.findall(r"<form[^>]*data-review-item.*?</form>", queue, re.S)
        assert len(items) == 2
        for item in items:
            status = re.findall(r"<span[^>]*data-review-status[^>]*>", item)
            assert status == ['<span class="small" role="status" aria-live="polite" data-review-status>'], status
            assert re.findall(r"<span[^>]*data-review-error[^>]*>", item) == [
                '<span class="small" role="alert" data-review-error hidden>']
            assert item.count('role="status"') == item.count('role="alert"') == 1   # one of each, neither inside the other
            assert re.search(r"data-review-status>\s*</span>", item) and re.search(r"data-review-error hidden>\s*</span>", item)
        assert f'data-failed-text="{failed}"' in queue
        assert "aria-live" not in queue.split("data-review-item")[0].split("<main")[-1]   # nothing around them is live


def test_a_correction_reports_what_else_the_regrade_settled(trainer, code):
    """Correcting one misread can let the sums back up its neighbours: the reply says what still waits."""
    batch(trainer, code, [("sums_1.jpg", jpeg_bytes())])
    queue = trainer.get(f"/trainer/latihan/{code}/periksa").get_data(as_text=True)
    assert queue.count("data-review-item") == 2 and 'data-field="V.C"' in queue
    from grader.exercise.store import load_key
    token = csrf_of(trainer, "/trainer/")
    body = trainer.post("/trainer/lembar/1/koreksi", data={"field": "V.B", "value": str(load_key(code).fields["V.B"])},
                        headers={"X-Requested-With": "fetch", "X-CSRF-Token": token}).get_json()
    assert body["ok"] and body["open"] == []                           # V.C was settled by the regrade
    queue = trainer.get(f"/trainer/latihan/{code}/periksa").get_data(as_text=True)
    assert "Tidak ada isian yang perlu dicek" in queue
    # corrected to another value, the sum fails: V.C waits again and V.A joins it
    body = trainer.post("/trainer/lembar/1/koreksi", data={"field": "V.B", "value": "1"},
                        headers={"X-Requested-With": "fetch", "X-CSRF-Token": token}).get_json()
    assert body["ok"] and body["open"] == ["V.A", "V.C"]


def test_the_queue_shows_a_sheets_disputed_then_least_sure_fields_first():
    from grader.grading.review_queue import queue_order
    fields = [{"id": "A", "status": "review", "confidence": 0.9},
              {"id": "B", "status": "ok", "confidence": 0.1},
              {"id": "C", "status": "review", "confidence": 0.5},
              {"id": "D", "status": "unreadable", "confidence": 0.0, "corrected_by": "t"},
              {"id": "E", "status": "review", "confidence": 0.95, "disputed_at": "2026-12-01T10:00:00"},
              {"id": "F", "status": "unreadable", "confidence": 0.0}]
    assert [f["id"] for f in queue_order(fields)] == ["E", "F", "C", "A"]


def _dispute(app, sid: int, field: str, written: str):
    """The trainee of sheet ``sid`` says ``field`` is not what they wrote (from their result page)."""
    with app.app_context():
        from grader.web.db import get_db
        token = get_db().execute("SELECT token FROM submissions WHERE id=?", (sid,)).fetchone()["token"]
    trainee = app.test_client()
    resp = trainee.post(f"/hasil/{token}/sanggah", data={"csrf_token": csrf_of(trainee, f"/hasil/{token}"),
                                                         "field": field, "written": written})
    assert resp.status_code == 303


def test_a_disputed_entry_starts_as_read_and_offers_what_the_trainee_wrote_as_a_button(app, trainer, code):
    """Walk-through (trainer): a disputed entry's input started as "???", unlike every other entry, hiding what we
    read. It starts as read, as the others do (Enter confirms the reading), and what the trainee says they wrote is
    a button of its own beside ✓ (after it: Enter in the input still saves the input), in the page's language."""
    from grader.web.testing import WRONG_FIELD
    batch(trainer, code, [("017_1.jpg", jpeg_bytes())])
    _dispute(app, 1, WRONG_FIELD, "30")
    html = trainer.get(f"/trainer/latihan/{code}/periksa?lang=id").get_data(as_text=True)
    item = re.search(r'data-field="' + re.escape(WRONG_FIELD) + r'".*?</form>', html, re.S).group(0)
    held = re.search(r'name="value" [^>]*value="([^"]*)"', item).group(1)
    assert held and "?" not in held and held != "30"          # our reading, as a sure reading starts
    assert item.index(">✓</button>") < item.index('name="written" value="30"')
    assert "Simpan tulisan peserta: 30" in item
    english = trainer.get(f"/trainer/latihan/{code}/periksa?lang=en").get_data(as_text=True)
    assert "Save what the trainee wrote: 30" in english
    token = csrf_of(trainer, "/trainer/")
    resp = trainer.post("/trainer/lembar/1/koreksi", data={"field": WRONG_FIELD, "value": held, "written": "30"},
                        headers={"X-Requested-With": "fetch", "X-CSRF-Token": token})
    assert resp.get_json()["ok"] and resp.get_json()["value"] == 30   # the button's value, not the input's


class ReadingsPipeline:
    """The pipeline with the reader's readings given (``readings(sheet, key)``: no photo is read); grading and every
    regrade are the real ones (grader.grading.grade.grade_sheet, grader.pipeline.regrade)."""

    def __init__(self, readings):
        self.readings = readings

    def grade_upload(self, files, *, key, exercise=None, trainee=None, out_dir=None, keep_aligned=False, **_):
        from grader.grading.grade import grade_sheet
        from grader.sheet.layout import layout_sheet
        from grader.sheet.schema import resolve_template

        sheet = layout_sheet(resolve_template(key.template), contest=key.contest, pairs=key.pairs)
        pages = [{"file": name, "page": n, "refusal": None, "advice": None, "annotated": None}
                 for n, (name, _data) in enumerate(files, start=1)]
        return {"exercise": key.exercise, "trainee": trainee, "trainee_name": None, "identity_source": "caller",
                "pages": pages, "template": key.template, "contest": key.contest, "pairs": key.pairs,
                "status": "graded", **grade_sheet(sheet, self.readings(sheet, key), key)}

    def regrade(self, result, corrections, key, **kwargs):
        from grader.pipeline import regrade
        return regrade(result, corrections, key, **kwargs)

    def redraw_feedback(self, result, out_dir):
        """(no page image is drawn)"""


def test_what_the_reader_was_unsure_of_stays_unsure_through_the_disputes_and_corrections_of_the_web(code):
    """The first promise through the routes, with the real grading and regrade: fields the reader had in review (a
    bubble column beside boxes out of place read as the key's number, a light fill, a tally cell in doubt, an
    impossible pattern; test_grading.readings_the_reader_was_unsure_of) stay in review while the trainee
    disputes the two fields marked wrong (one wrong by its sure boxes), a trainer confirms one, corrects another field
    and settles the other. A field in review cannot be disputed (nothing is held against the trainee there), and
    every stored result is the first reading regraded with what was said, never a regrade of a regrade."""
    from test_grading import readings_the_reader_was_unsure_of

    from grader.exercise.store import load_key_by_code
    from grader.pipeline import regrade
    from grader.web.db import connect

    key = load_key_by_code(code)
    app = make_test_app(PIPELINE=ReadingsPipeline(lambda sheet, key: readings_the_reader_was_unsure_of(sheet, key)[0]))
    trainee, trainer = app.test_client(), app.test_client()
    assert log_in(trainer).status_code == 302
    sent = trainee.post("/", data={"csrf_token": csrf_of(trainee), "code": code, "trainee": "017",
                                   "photo_1": (io.BytesIO(jpeg_bytes(color="#eeeeee")), "017_1.jpg"),
                                   "photo_2": (io.BytesIO(jpeg_bytes(color="#dddddd")), "017_2.jpg")},
                        content_type="multipart/form-data")
    token = sent.location.split("/hasil/")[1]

    def stored() -> dict:
        conn = connect(app.config["DATABASE"])
        try:
            row = conn.execute("SELECT result, result_original FROM submissions WHERE token=?", (token,)).fetchone()
            said = {r["field_id"]: r["value"] for r in conn.execute("SELECT field_id, value FROM corrections")}
            open_ = {r["field_id"] for r in conn.execute("SELECT field_id FROM disputes")} - set(said)
        finally:
            conn.close()
        result, original = json.loads(row["result"]), json.loads(row["result_original"])
        own = {fid: key.fields[fid] for fid in open_}             # (each dispute below says the key's number)
        pure = regrade(original, said, key, disputed=open_, said=own)
        assert [(f["id"], f["status"]) for f in result["fields"]] == [(f["id"], f["status"]) for f in pure["fields"]]
        return {f["id"]: f for f in result["fields"]}

    fields = stored()
    unsure = {"IV.1.bubbles", "IV.2.bubbles", "IV.3.tally", "I.A.2.L"}
    assert {fid: fields[fid]["status"] for fid in unsure | {"I.A.3.P", "I.A.1.L"}} == {
        **dict.fromkeys(unsure, "review"), "I.A.3.P": "wrong", "I.A.1.L": "wrong"}
    refused = trainee.post(f"/hasil/{token}/sanggah", data={"csrf_token": csrf_of(trainee), "field": "IV.1.bubbles",
                                                            "written": str(key.fields["IV.1"])}, follow_redirects=True)
    assert "Isian IV.1 bulatan tidak ditandai salah atau kosong" in refused.get_data(as_text=True)
    for fid in ("I.A.1.L", "I.A.3.P"):
        said = trainee.post(f"/hasil/{token}/sanggah", data={"csrf_token": csrf_of(trainee), "field": fid,
                                                             "written": str(key.fields[fid])})
        assert said.status_code == 303
    fields = stored()
    assert {fid: fields[fid]["status"] for fid in unsure | {"I.A.3.P", "I.A.1.L"}} == dict.fromkeys(
        unsure | {"I.A.3.P", "I.A.1.L"}, "review")
    for fid, value in (("I.A.1.L", fields["I.A.1.L"]["value"]), ("IV.2", key.fields["IV.2"]),
                       ("I.A.3.P", key.fields["I.A.3.P"])):
        done = trainer.post("/trainer/lembar/1/koreksi", data={"field": fid, "value": str(value)},
                            headers={"X-Requested-With": "fetch", "X-CSRF-Token": csrf_of(trainer, "/trainer/")})
        assert done.get_json()["ok"], done.get_json()
        fields = stored()
        assert all(fields[f]["status"] == "review" for f in unsure), {f: fields[f]["status"] for f in unsure}
    assert (fields["I.A.3.P"]["status"], fields["I.A.1.L"]["status"]) == ("ok", "wrong")


def test_the_class_queue_lists_the_trainees_disputes_first_the_longest_waiting_first(app, trainer, code, monkeypatch):
    """Usability review: a trainee's dispute ("Disanggah peserta: menulis 54") was item 79 of 93, since the queue
    went sheet by sheet. A dispute is a trainee waiting on the trainer, contesting a verdict against them: every
    dispute of the class comes first, the one made first at the top; then the rest, sheet by sheet, as before.
    A dispute past the queue's length is not cut off either."""
    from grader.web.testing import REVIEW_FIELD, WRONG_FIELD
    import grader.web.review_actions as review_actions
    batch(trainer, code, [(f"{who}_1.jpg", jpeg_bytes(color=f"#e{n}e{n}e{n}")) for n, who in enumerate("abc")])
    for sid, at in ((3, "2026-12-01T09:00:00+00:00"), (2, "2026-12-01T09:05:00+00:00")):   # c disputes first
        monkeypatch.setattr(review_actions, "now_iso", lambda at=at: at)
        _dispute(app, sid, WRONG_FIELD, str(sid * 10))

    def queue(lang="id"):
        html = trainer.get(f"/trainer/latihan/{code}/periksa?lang={lang}").get_data(as_text=True)
        return html, re.findall(r'data-sid="(\d+)" data-field="([^"]+)"', html)

    html, order = queue()
    assert order == [("3", WRONG_FIELD), ("2", WRONG_FIELD),
                     ("1", REVIEW_FIELD), ("2", REVIEW_FIELD), ("3", REVIEW_FIELD)]
    assert html.index("Disanggah peserta: menulis 30") < html.index("Disanggah peserta: menulis 20")
    # headed as such, so the trainer sees why the queue does not start with the first sheet
    assert html.index("<h2>Sanggahan peserta (2)</h2>") < html.index('data-sid="3"')
    assert html.index("<h2>Isian lain yang meragukan</h2>") < html.index(f'data-sid="1" data-field="{REVIEW_FIELD}"')
    english = queue("en")[0]
    assert "<h2>Disputes from trainees (2)</h2>" in english and "<h2>Other uncertain entries</h2>" in english

    # a queue cut at its length keeps every dispute (they were the last items of a long class's queue)
    import grader.web.trainer.review as review
    monkeypatch.setattr(review, "MAX_QUEUE", 3)
    assert queue()[1] == [("3", WRONG_FIELD), ("2", WRONG_FIELD), ("1", REVIEW_FIELD)]


def test_a_dispute_stays_in_the_queue_after_its_trainee_sends_a_later_sheet(app, trainer, code):
    """Review (s33): trainee a disputed a field, then sent a retake. The queue lists each trainee's latest sheet only,
    so the dispute vanished from it while a's first result page still said "menunggu pelatih". It stays, marked as
    on an earlier sheet (without that sheet's other unsure fields, which no longer count), until a trainer answers;
    the exercise page counts it too."""
    from grader.web.testing import REVIEW_FIELD, WRONG_FIELD, csrf_of
    batch(trainer, code, [("a_1.jpg", jpeg_bytes())], client_token="b1")
    _dispute(app, 1, WRONG_FIELD, "7")
    batch(trainer, code, [("a_1.jpg", jpeg_bytes(color="#eaeaea"))], client_token="b2")   # a's retake: sheet 2

    def queue():
        html = trainer.get(f"/trainer/latihan/{code}/periksa").get_data(as_text=True)
        return html, re.findall(r'data-sid="(\d+)" data-field="([^"]+)"', html)

    html, order = queue()
    assert order == [("1", WRONG_FIELD), ("2", REVIEW_FIELD)]
    assert "lembar sebelumnya" in html and "Disanggah peserta: menulis 7" in html
    page = trainer.get(f"/trainer/latihan/{code}").get_data(as_text=True)
    assert f'/trainer/latihan/{code}/periksa">Periksa (2)</a>' in page     # the earlier sheet's dispute counted
    english = trainer.get(f"/trainer/latihan/{code}/periksa?lang=en").get_data(as_text=True)
    assert "earlier sheet" in english

    resp = trainer.post("/trainer/lembar/1/koreksi", data={"csrf_token": csrf_of(trainer, "/trainer/"),
                                                           "field": WRONG_FIELD, "value": "7"})
    assert resp.status_code == 303
    html, order = queue()
    assert order == [("2", REVIEW_FIELD)] and "lembar sebelumnya" not in html


def test_a_queue_without_disputes_has_no_dispute_heading(trainer, code):
    batch(trainer, code, [("a_1.jpg", jpeg_bytes())])
    html = trainer.get(f"/trainer/latihan/{code}/periksa").get_data(as_text=True)
    assert "Sanggahan peserta" not in html and "Isian lain yang meragukan" not in html


def test_the_trainers_sheet_page_shows_the_photo_of_a_refused_page(app, trainer, code):
    """Usability review: a refused sheet (too blurry; a chat-named IMG-…-WA0091 naming nobody) showed only "Foto
    perlu diulang …": the trainer could not tell whose it was nor judge the refusal. Each refused page's card shows
    its photo as sent (lazy-loaded, named for a screen reader by its page), as a held sheet's page does; a page read
    and marked shows its marked image instead, and a file with no picture in it shows none."""
    import json
    from PIL import Image
    batch(trainer, code, [("IMG-20241127-WA0091-blur.jpg", jpeg_bytes())], client_token="b1")
    html = trainer.get("/trainer/lembar/1").get_data(as_text=True)
    assert "Foto perlu diulang" in html
    card = re.search(r'<div class="card refused" id="ulang-1">.*?</div>', html, re.S).group(0)
    img = re.search(r'<img class="sent-photo" [^>]*>', card).group(0)
    assert 'src="/trainer/lembar/1/foto/1"' in img and 'loading="lazy"' in img
    assert 'alt="Foto halaman 1 yang ditolak (IMG-20241127-WA0091-blur.jpg)"' in img
    photo = trainer.get("/trainer/lembar/1/foto/1")
    assert photo.status_code == 200 and Image.open(io.BytesIO(photo.data)).size == (600, 800)
    english = trainer.get("/trainer/lembar/1?lang=en").get_data(as_text=True)
    assert 'alt="The refused photo of page 1 (IMG-20241127-WA0091-blur.jpg)"' in english

    # partly refused: the refused page 2 is shown as sent, page 1 as marked (not twice)
    trainee = app.test_client()
    trainee.post("/", data={"csrf_token": csrf_of(trainee), "code": code, "trainee": "Siti",
                            "photo_1": (io.BytesIO(jpeg_bytes(color="#eee")), "siti_1.jpg"),
                            "photo_2": (io.BytesIO(jpeg_bytes(color="#ddd")), "siti_2-blur.jpg")},
                 content_type="multipart/form-data")
    html = trainer.get("/trainer/lembar/2?lang=id").get_data(as_text=True)
    assert "Foto perlu diulang — halaman 2" in html
    assert re.findall(r'<img class="sent-photo" src="([^"]+)"', html) == ["/trainer/lembar/2/foto/2"]
    assert 'alt="Foto halaman 2 yang ditolak (siti_2-blur.jpg)"' in html and "Lembar bertanda" in html

    # a photo refused before its page was known is named by its place among those sent; a file with no picture in
    # it (damaged) has nothing to show: no broken image
    with app.app_context():
        from grader.web.db import get_db
        db = get_db()
        for sid, change in ((2, lambda page: page.update(page=None)),
                            (1, lambda page: page["refusal"].update(code="corrupt_file"))):
            res = json.loads(db.execute("SELECT result FROM submissions WHERE id=?", (sid,)).fetchone()["result"])
            change(next(page for page in res["pages"] if page["refusal"]))
            db.execute("UPDATE submissions SET result=? WHERE id=?", (json.dumps(res), sid))
        db.commit()
    assert 'alt="Foto ke-2 yang ditolak (siti_2-blur.jpg)"' in trainer.get("/trainer/lembar/2").get_data(as_text=True)
    assert "sent-photo" not in trainer.get("/trainer/lembar/1").get_data(as_text=True)


def test_correction_form_path_and_bad_values(trainer, code):
    batch(trainer, code, [("017_1.jpg", jpeg_bytes())])
    token = csrf_of(trainer, "/trainer/")
    resp = trainer.post("/trainer/lembar/1/koreksi", data={"csrf_token": token, "field": "II.3", "value": "abc"},
                        follow_redirects=True)
    assert "Ketik angka saja" in resp.get_data(as_text=True)
    resp = trainer.post("/trainer/lembar/1/koreksi", data={"csrf_token": token, "field": "NOPE", "value": "1"},
                        follow_redirects=True)
    assert "Isian NOPE tidak ada" in resp.get_data(as_text=True)
    resp = trainer.post("/trainer/lembar/1/koreksi", data={"csrf_token": token, "field": "II.3", "value": "",
                                                           "back": "/trainer/lembar/1"})
    assert resp.status_code == 303 and resp.location == "/trainer/lembar/1#f-II.3"
    # a form naming another site goes back to the sheet, refused or not (review s34: a refused one followed it)
    for value in ("abc", "1"):
        resp = trainer.post("/trainer/lembar/1/koreksi", data={"csrf_token": token, "field": "II.3", "value": value,
                                                               "back": "https://elsewhere.example/x"})
        assert resp.status_code == 303 and resp.location.startswith("/trainer/lembar/1")


def test_a_correction_on_the_sheet_page_lands_back_at_its_row(trainer, code):
    """Walk-through (trainer): a correction made in the sheet page's table (IV.2, 3,450 px down at 1280 px, 8,000 on
    a phone) reloaded the page at its top, and the trainer scrolled back down to see what it did and go on. It lands
    at the row corrected, which the page has under that id; a value refused goes to the top, where its message is."""
    batch(trainer, code, [("017_1.jpg", jpeg_bytes())])
    token = csrf_of(trainer, "/trainer/")
    resp = trainer.post("/trainer/lembar/1/koreksi", data={"csrf_token": token, "field": "V.B", "value": "7",
                                                           "back": "/trainer/lembar/1"})
    assert resp.status_code == 303 and resp.location == "/trainer/lembar/1#f-V.B"
    assert 'id="f-V.B"' in trainer.get("/trainer/lembar/1").get_data(as_text=True)
    refused = trainer.post("/trainer/lembar/1/koreksi", data={"csrf_token": token, "field": "II.3", "value": "abc",
                                                              "back": "/trainer/lembar/1"})
    assert refused.status_code == 303 and refused.location == "/trainer/lembar/1"
    # the queue's form (without the script) goes back to the queue, where the field is no longer listed
    queue = f"/trainer/latihan/{code}/periksa"
    resp = trainer.post("/trainer/lembar/1/koreksi", data={"csrf_token": token, "field": "II.3", "value": "1",
                                                           "back": queue})
    assert resp.location == queue


def test_a_correction_the_field_cannot_hold_is_refused_and_x_fills_as_on_the_form(app, trainer, code):
    """QA: the review queue saved "1000" in a field of three boxes as the trainer's correction. And a trainer typing
    "x" (the form's filler: "XXX" is 0) made the field blank."""
    from grader.web.trainer.review import parse_value

    assert [parse_value(t) for t in ("47", "X47", "-47", "xxx", "x", "---", "", "kosong", "4x7", "xxxx1")] == [
        (True, 47), (True, 47), (True, 47), (True, 0), (True, 0), (True, 0), (True, None), (True, None),
        (False, None), (False, None)]
    batch(trainer, code, [("017_1.jpg", jpeg_bytes()), ("017_2.jpg", jpeg_bytes(color="#eee"))])
    token = csrf_of(trainer, "/trainer/")
    resp = trainer.post("/trainer/lembar/1/koreksi", data={"field": "II.3", "value": "1000"},
                        headers={"X-Requested-With": "fetch", "X-CSRF-Token": token})
    assert resp.status_code == 400 and "Isian II.3 paling besar 999" in resp.get_json()["message"]
    resp = trainer.post("/trainer/lembar/1/koreksi", data={"csrf_token": token, "field": "II.3", "value": "999"},
                        follow_redirects=True)                     # (the form path: said on the page)
    assert "Isian II.3 paling besar" not in resp.get_data(as_text=True)
    resp = trainer.post("/trainer/lembar/1/koreksi", data={"csrf_token": token, "field": "II.3", "value": "9999"},
                        follow_redirects=True)
    assert "Isian II.3 paling besar 999; 9999 tidak mungkin tertulis di situ." in resp.get_data(as_text=True)
    with app.app_context():
        from grader.web.db import get_db
        assert get_db().execute("SELECT COUNT(*) FROM corrections").fetchone()[0] == 1      # (the 999)
    resp = trainer.post("/trainer/lembar/1/koreksi", data={"field": "II.3", "value": "xxx"},
                        headers={"X-Requested-With": "fetch", "X-CSRF-Token": token})
    assert resp.status_code == 200 and resp.get_json()["value"] == 0


def test_the_largest_value_a_field_holds_comes_from_the_template():
    from grader.sheet.layout import shared_layout
    from grader.sheet.schema import resolve_template
    from grader.web.review_actions import largest_value

    sheet = shared_layout(resolve_template("chasil-kwk"))
    result = {"template": "chasil-kwk", "contest": sheet.contest, "pairs": sheet.pairs}
    tally, bubbles = sheet.field("IV.1.tally"), sheet.field("IV.1.bubbles")
    assert largest_value(result, "IV.1.tally") == 5 * len(tally.cells) < 999
    assert largest_value(result, "IV.1.bubbles") == 10 ** len(bubbles.bubbles) - 1
    assert largest_value(result, "II.3") == 10 ** len(sheet.field("II.3").boxes) - 1
    assert largest_value({"template": None}, "II.3") is None and largest_value(result, "NOPE") is None


def test_corrections_survive_a_regrade(app, trainer, code):
    """A re-run of the grading job (e.g. after a crash) re-applies the stored corrections."""
    batch(trainer, code, [("017_1.jpg", jpeg_bytes())])
    token = csrf_of(trainer, "/trainer/")
    trainer.post("/trainer/lembar/1/koreksi", data={"csrf_token": token, "field": "II.3", "value": "7"})
    from grader.web.grading import run_grade_job
    run_grade_job({"submission_id": 1}, app.extensions["grader.jobs"].ctx)
    html = trainer.get("/trainer/lembar/1").get_data(as_text=True)
    row = re.search(r"<code>II.3</code>.*?</tr>", html, re.S).group(0)
    assert re.search(r'<td class="num"[^>]*data-label="Terbaca">7</td>', row) and "Ibu Sari" in row


def test_insight_chart_lists_the_most_wrong_field_and_rule(trainer, code):
    batch(trainer, code, [("a_1.jpg", jpeg_bytes()), ("b_1.jpg", jpeg_bytes(color="#eee"))])
    html = trainer.get(f"/trainer/latihan/{code}/wawasan").get_data(as_text=True)
    assert "<code>II.3</code>" in html and "2 (100%)" in html and "Surat suara diterima" in html
    assert "<svg" in html or 'class="bars"' in html
    # the writing habits card: the stand-in pipeline's sheets leave boxes blank in no field and show no finding
    assert "Kebiasaan menulis yang perlu dibahas" in html and "Tidak ada: setiap lembar mengikuti" in html
    english = trainer.get(f"/trainer/latihan/{code}/wawasan?lang=en").get_data(as_text=True)
    assert "Writing habits to go over with the class" in english and "None: every sheet follows" in english


def test_insight_names_a_tally_or_bubbles_field_without_saying_its_mark_twice(trainer, code, monkeypatch):
    """Walk-through (trainer): the insight chart read "IV.1 turus Turus Paslon 1": the field's name says the mark,
    and its label said it again. The label follows without it, in either language; other labels stay whole."""
    import grader.web.trainer.results as results
    batch(trainer, code, [("a_1.jpg", jpeg_bytes())])
    real = results.trainees_insight

    def with_marked(db, exercise, **kw):
        out = real(db, exercise, **kw)
        return {**out, "fields": [
            {"id": "IV.1.tally", "label": "Turus Paslon 1", "label_en": "Tally, Pair 1", "count": 1, "share": 1.0},
            {"id": "IV.1.bubbles", "label": "Bulatan Paslon 1", "label_en": "Bubbles, Pair 1", "count": 1, "share": 1.0},
            {"id": "IV.1", "label": "Suara Paslon 1", "label_en": "Votes, Pair 1", "count": 1, "share": 1.0}]}
    monkeypatch.setattr(results, "trainees_insight", with_marked)
    html = trainer.get(f"/trainer/latihan/{code}/wawasan?lang=id").get_data(as_text=True)
    assert re.findall(r'<div class="lbl"><code>([^<]+)</code> ([^<]+)</div>', html) == [
        ("IV.1 turus", "Paslon 1"), ("IV.1 bulatan", "Paslon 1"), ("IV.1", "Suara Paslon 1")]
    # (a pair's miscount is one bar, at its digits: helper-147)
    assert "Kesalahan yang sama di angka, turus dan bulatan satu paslon (salah hitung, atau dibiarkan kosong) dihitung sekali, pada angkanya." in html
    english = trainer.get(f"/trainer/latihan/{code}/wawasan?lang=en").get_data(as_text=True)
    assert re.findall(r'<div class="lbl"><code>([^<]+)</code> ([^<]+)</div>', english) == [
        ("IV.1 tally", "Pair 1"), ("IV.1 bubbles", "Pair 1"), ("IV.1", "Votes, Pair 1")]
    from grader.web.present import label_after_name
    assert label_after_name("IV.1.tally", "Turusan lain", "id") == "Turusan lain"     # only the whole word


def test_class_insight_says_its_figures_are_provisional_while_fields_wait_for_a_trainer(trainer, code):
    """Walk-through (trainer): the insight showed "rata-rata 99" and its bars with 42 fields of the class still in the
    review queue, as if final; the class table already says "sementara" under such a score. The insight says how
    many fields wait, on how many sheets, and links the queue; once they are checked, the note is gone."""
    from grader.exercise.store import load_key
    from grader.web.testing import REVIEW_FIELD
    batch(trainer, code, [("017_1.jpg", jpeg_bytes()), ("018_1.jpg", jpeg_bytes(color="#ddd"))])
    html = trainer.get(f"/trainer/latihan/{code}/wawasan?lang=id").get_data(as_text=True)
    note = re.search(r'<p class="flash warn" id="provisional">(.*?)</p>', html, re.S).group(1)
    assert ("Sementara: 2 isian pada lembar 2 peserta masih perlu dicek, jadi angka di halaman ini masih bisa "
            "berubah.") in note
    assert f'href="/trainer/latihan/{code}/periksa">Periksa (2)</a>' in note
    english = trainer.get(f"/trainer/latihan/{code}/wawasan?lang=en").get_data(as_text=True)
    assert "Provisional: 2 entries still need checking, on 2 of the sheets counted here" in english
    token = csrf_of(trainer, "/trainer/")
    for sid in (1, 2):
        assert trainer.post(f"/trainer/lembar/{sid}/koreksi", data={"field": REVIEW_FIELD,
                                                                    "value": str(load_key(code).fields[REVIEW_FIELD])},
                            headers={"X-Requested-With": "fetch", "X-CSRF-Token": token}).get_json()["ok"]
        english = trainer.get(f"/trainer/latihan/{code}/wawasan?lang=en").get_data(as_text=True)
        assert ("Provisional: 1 entry still needs checking, on 1 of the sheets" in english) == (sid == 1)
    assert 'id="provisional"' not in trainer.get(f"/trainer/latihan/{code}/wawasan?lang=id").get_data(as_text=True)


def test_class_insight_says_no_rule_broken_only_when_every_rule_could_be_checked(app, trainer, code):
    """Rehearsal (helper-168): the insight said "Tidak ada aturan yang dilanggar" while a trainee's sum failed behind
    entries in review: a failing rule with an unsure term is not checkable yet, never "violated", and may be the
    trainee's broken rule. The rules card now says how many rules are not checkable yet, on how many trainees'
    sheets, waiting for the review queue (or for a page not read), and says "none broken" only of those checked;
    once the trainer corrects the entry, the rule is checked (here: broken) and the note is gone."""
    import json
    from grader.exercise.store import load_key
    from grader.web.db import get_db
    from grader.web.testing import WRONG_FIELD
    batch(trainer, code, [("017_1.jpg", jpeg_bytes()), ("solo_1.jpg", jpeg_bytes(color="#ddd"))])
    with app.app_context():
        db = get_db()
        for row in db.execute("SELECT id, trainee, result FROM submissions").fetchall():
            res = json.loads(row["result"])
            fields = {f["id"]: f for f in res["fields"]}
            if row["trainee"] == "017":           # II.3 read unsure: the sum it is in cannot be checked yet
                fields[WRONG_FIELD].update(status="review", confidence=0.4, notes=["in_failing_rule_unsure"])
                res["rules"][0]["status"] = "not_checkable"
            else:                                 # the half sheet: a rule of its page 2, not read, nor checked
                res["rules"][0]["status"] = "ok"
                res["rules"].append({**res["rules"][0], "id": "votes", "status": "not_checkable",
                                     "fields": ["IV.1", "V.A"]})
                assert "page_missing" in fields["V.A"]["notes"]
            db.execute("UPDATE submissions SET result=? WHERE id=?", (json.dumps(res), row["id"]))
        db.commit()
    html = trainer.get(f"/trainer/latihan/{code}/wawasan?lang=id").get_data(as_text=True)
    card = re.search(r"Aturan yang paling sering dilanggar</h2>(.*?)</div>\s*</div>", html, re.S).group(1)
    assert "Tidak ada aturan yang dilanggar" not in card
    assert "Belum ada aturan yang dilanggar di antara yang sudah bisa dicek." in card
    review = re.search(r'<p class="flash warn small" id="rules-unchecked-review">(.*?)</p>', card, re.S).group(1)
    assert ("Belum bisa dicek: 1 aturan pada lembar 1 peserta, karena isiannya masih perlu dicek pelatih. Aturan "
            "itu bisa saja dilanggar.") in review and f'href="/trainer/latihan/{code}/periksa">Periksa</a>' in review
    assert ("Belum bisa dicek: 1 aturan pada lembar 1 peserta, karena halamannya belum terbaca (belum dikirim atau "
            "fotonya ditolak).") in card
    from html import unescape
    english = unescape(trainer.get(f"/trainer/latihan/{code}/wawasan?lang=en").get_data(as_text=True))
    assert "No rule is broken." not in english and "No rule broken so far among those checked." in english
    assert ("Not checkable yet: 1 rule, on 1 of the sheets counted here, as entries in it still need a trainer's "
            "check. It may be broken.") in english
    assert "Not checkable yet: 1 rule, on 1 of the sheets counted here, as its page is not read" in english
    # the trainer reads II.3 as written, off the key: the sum is checked, and broken
    with app.app_context():
        sheet = get_db().execute("SELECT id FROM submissions WHERE trainee='017'").fetchone()["id"]
    token = csrf_of(trainer, "/trainer/")
    assert trainer.post(f"/trainer/lembar/{sheet}/koreksi",
                        data={"field": WRONG_FIELD, "value": str(load_key(code).fields[WRONG_FIELD] + 1)},
                        headers={"X-Requested-With": "fetch", "X-CSRF-Token": token}).get_json()["ok"]
    html = trainer.get(f"/trainer/latihan/{code}/wawasan?lang=id").get_data(as_text=True)
    assert 'id="rules-unchecked-review"' not in html and "Surat suara diterima" in html
    assert "Belum ada aturan yang dilanggar" not in html and 'id="rules-unchecked-unread"' in html


def test_the_open_class_table_can_tell_when_what_it_shows_has_changed(trainer, code):
    """Rehearsal (helper-89): a trainer kept the class table open while the class sent their photos, and it stayed
    "Belum ada lembar untuk latihan ini." as sheets arrived and were graded: it reloaded itself only while a sheet it
    already listed was being graded. The page now carries the table's version and where to ask for it
    (``hasil.json``'s ``version``), which changes when a sheet arrives, is graded or corrected, whatever the sort."""
    json_url = f"/trainer/latihan/{code}/hasil.json"
    empty = trainer.get(f"/trainer/latihan/{code}/hasil").get_data(as_text=True)
    assert f'data-watch="{json_url}"' in empty
    v0 = re.search(r'data-version="([0-9a-f]+)"', empty).group(1)
    assert trainer.get(json_url).get_json()["version"] == v0
    batch(trainer, code, [("a_1.jpg", jpeg_bytes())])
    v1 = trainer.get(json_url).get_json()["version"]
    assert v1 != v0 and trainer.get(json_url).get_json()["version"] == v1       # the same while nothing changes
    table = trainer.get(f"/trainer/latihan/{code}/hasil?sort=score&dir=desc").get_data(as_text=True)
    assert f'data-version="{v1}"' in table
    batch(trainer, code, [("b_1.jpg", jpeg_bytes(color="#eee"))], client_token="b2")
    assert trainer.get(json_url).get_json()["version"] not in (v0, v1)


def test_insight_says_how_many_trainees_its_average_and_spread_count(trainer, code):
    """Rehearsal (helper-89): with one trainee's sheet missing a page, the insight said "8 peserta dinilai ·
    rata-rata 98" while its score spread held 7: a half sheet has no score, so the average and the spread leave it
    out, and the page did not say so. It now says over how many trainees the average is, and how many have none."""
    batch(trainer, code, [("a_1.jpg", jpeg_bytes()), ("a_2.jpg", jpeg_bytes(color="#eee")),
                          ("solo_1.jpg", jpeg_bytes(color="#ddd"))])
    html = trainer.get(f"/trainer/latihan/{code}/wawasan?lang=id").get_data(as_text=True)
    assert "2 peserta dinilai" in html
    assert re.search(r"rata-rata \d+ dari 1 peserta yang lembarnya lengkap", html)
    assert "Tanpa nilai karena lembarnya belum lengkap: 1 peserta" in html
    english = trainer.get(f"/trainer/latihan/{code}/wawasan?lang=en").get_data(as_text=True)
    assert re.search(r"average \d+ over the 1 trainee whose sheet is complete", english)
    assert "No score yet, their sheet missing a page: 1 trainee" in english


def test_class_table_json_gives_a_half_sheet_no_score_as_the_page_and_exports_do(trainer, code):
    """Rehearsal (helper-89): Nur's sheet with page 2 not sent showed "Sebagian —" in the class table and no score in
    the exports (its read pages' 100 as ``partial_score``), but ``hasil.json`` gave it ``"score": 100.0``: whatever
    reads the JSON took a half sheet for a perfect one. Its score is now null there too, the read pages' score
    ``partial_score``, with the sheet's ``status``."""
    batch(trainer, code, [("a_1.jpg", jpeg_bytes()), ("a_2.jpg", jpeg_bytes(color="#eee")),
                          ("solo_1.jpg", jpeg_bytes(color="#ddd"))])
    rows = {r["trainee"]: r for r in trainer.get(f"/trainer/latihan/{code}/hasil.json").get_json()["rows"]}
    half, whole = rows["solo"], rows["a"]
    assert half["status"] == "partial" and half["score"] is None and half["partial_score"] is not None
    assert whole["status"] == "graded" and whole["score"] is not None and whole["partial_score"] is None
    table = trainer.get(f"/trainer/latihan/{code}/hasil").get_data(as_text=True)
    assert "Sebagian" in table


def test_class_insight_counts_each_trainee_once_and_says_peserta(app, trainer, code):
    """Usability review: "Kotak depan dibiarkan kosong 6 lembar (35%)" read as six sendings, some of them one
    person's. The insight counts per trainee, as the class table lists them (each one's latest graded sheet): Budi's
    three attempts count once, a form sent again corrected does not count the sending it replaced (its "Budy" would
    be a trainee of its own), and a trainer's batch photo whose number is read on the sheet counts with the trainee
    who typed it. The page says so, in trainees ("peserta"), not sheets."""
    import json
    from tests.test_web_trainee import upload
    from grader.web.testing import WRONG_FIELD
    client = app.test_client()
    for n in range(2):
        upload(client, code=code, trainee="Budi", photos=[("budi.jpg", jpeg_bytes(color=f"#e{n}e{n}e{n}"))])
    upload(client, code=code, trainee="Budy", photos=[("budi.jpg", jpeg_bytes(color="#ddd"))], client_token="form-1")
    upload(client, code=code, trainee="Budi", photos=[("budi.jpg", jpeg_bytes(color="#ddd"))], client_token="form-1")
    upload(client, code=code, trainee="Siti", photos=[("siti.jpg", jpeg_bytes(color="#ccc"))])
    upload(client, code=code, trainee="017", photos=[("a.jpg", jpeg_bytes(color="#bbb"))])
    batch(trainer, code, [("num-017-kirim-ulang.jpg", jpeg_bytes(color="#aaa"))])
    with app.app_context():
        from grader.web.db import get_db
        db = get_db()
        sheets = db.execute("SELECT id, trainee, superseded_by, result FROM submissions ORDER BY id").fetchall()
        assert len(sheets) == 7 and sheets[2]["superseded_by"] == sheets[3]["id"]
        for row in sheets:
            if row["trainee"] in ("Budi", "Budy"):      # each of Budi's sendings leaves a box blank
                res = json.loads(row["result"])
                next(f for f in res["fields"] if f["id"] != WRONG_FIELD)["status"] = "blank"
                db.execute("UPDATE submissions SET result=? WHERE id=?", (json.dumps(res), row["id"]))
        db.commit()
    table = trainer.get(f"/trainer/latihan/{code}/hasil.json").get_json()["rows"]
    assert sorted(r["trainee"] for r in table) == ["017", "Budi", "Siti"]
    html = trainer.get(f"/trainer/latihan/{code}/wawasan?lang=id").get_data(as_text=True)
    assert "3 peserta dinilai" in html and "lembar dinilai" not in html
    assert "dari lembar yang dipakai tabel kelas untuknya" in html
    assert f"<code>{WRONG_FIELD}</code>" in html and "<em>3 (100%)</em>" in html
    habit = re.search(r"Isian dibiarkan kosong</div>\s*<div class=\"bar\">.*?<em>([^<]*)</em>",
                      html, re.S).group(1)
    assert habit == "1 peserta (33%)"
    english = trainer.get(f"/trainer/latihan/{code}/wawasan?lang=en").get_data(as_text=True)
    assert "3 trainees graded" in english and "<em>1 trainee (33%)</em>" in english
    assert "Each trainee counts once, by the sheet the class table uses for them" in english


def test_exports_csv_and_xlsx(app, trainer, code):
    batch(trainer, code, [("b_1.jpg", jpeg_bytes(color="#eee")), ("b_2-bent.jpg", jpeg_bytes(color="#ddd"))])
    trainee = app.test_client()
    trainee.post("/", data={"csrf_token": csrf_of(trainee), "code": code, "trainee": "=cmd|' /C calc'!A0",
                            "photo_1": (io.BytesIO(jpeg_bytes()), "p1-solo.jpg")}, content_type="multipart/form-data")
    sheets = trainer.get(f"/trainer/latihan/{code}/ekspor/lembar.csv")
    assert sheets.headers["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(sheets.data.decode("utf-8-sig"))))
    assert rows[0][:5] == ["Peserta", "Nama", "Juga dengan nama", "Penilaian", "Hasil"] and len(rows) == 3
    assert {r[0] for r in rows[1:]} == {"'=cmd|' /C calc'!A0", "b"}                  # no formula injection
    advised = {r[0]: r[rows[0].index("Sebaiknya foto ulang")] for r in rows[1:]}     # the print sat out of place
    assert advised == {"'=cmd|' /C calc'!A0": "", "b": "b_2-bent.jpg: IV.1 bulatan"}
    # a sheet with no score says why, as grader grade's CSV does (class day, helper-135: "Nilai" and "Alasan" empty)
    why = {r[0]: (r[rows[0].index("Alasan")], r[rows[0].index("Alasan (kode)")]) for r in rows[1:]}
    assert why["'=cmd|' /C calc'!A0"] == ("halaman 2: foto halaman ini belum dikirim; foto dan kirim bersama halaman "
                                           "lainnya", "page2=page_missing")
    assert why["b"] == ("", "")
    fields = trainer.get(f"/trainer/latihan/{code}/ekspor/isian.csv").data.decode("utf-8-sig")
    assert "II.3" in fields and fields.count("\n") > 40
    table = list(csv.DictReader(io.StringIO(fields)))
    assert {r["Alasan (kode)"] for r in table if r["Isian"] == "V.B" and r["Peserta"] == "b"} == {"unsure_box"}
    unread = [r for r in table if r["Alasan (kode)"] == "page_missing"]
    assert unread and {r["Alasan"] for r in unread} == {"foto halaman ini belum dikirim; foto dan kirim bersama "
                                                        "halaman lainnya"}
    from openpyxl import load_workbook
    wb = load_workbook(io.BytesIO(trainer.get(f"/trainer/latihan/{code}/ekspor/hasil.xlsx").data))
    assert wb.sheetnames == ["lembar", "isian"] and wb["lembar"].max_row == 3
    # in the workbook the name is a text cell, as typed: no formula, and no visible ' guard (QA)
    names = {c.value: c.data_type for c in wb["lembar"]["A"][1:]}
    assert names == {"=cmd|' /C calc'!A0": "s", "b": "s"}
    import zipfile
    sheet_xml = zipfile.ZipFile(io.BytesIO(trainer.get(f"/trainer/latihan/{code}/ekspor/hasil.xlsx").data)).read(
        "xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml and 't="inlineStr"><is><t>=cmd' in sheet_xml
    assert trainer.get(f"/trainer/latihan/{code}/ekspor/x.exe").status_code == 404
    page = trainer.get(f"/trainer/latihan/{code}").get_data(as_text=True)   # Excel first: a CSV is one column there
    assert page.index("Unduh untuk Excel (XLSX)") < page.index("Lembar (CSV)")


def test_sheets_that_nobody_named_are_never_one_trainees_attempts(trainer, code):
    """Two trainees' chat exports both hold IMG-20241127-WA0001.jpg: two rows in the class, not one trainee's
    latest sheet hiding the other as an earlier attempt."""
    batch(trainer, code, [("IMG-20241127-WA0001.jpg", jpeg_bytes())], client_token="c1")
    batch(trainer, code, [("IMG-20241127-WA0001.jpg", jpeg_bytes(color="#eee"))], client_token="c2")
    batch(trainer, code, [("budi_1.jpg", jpeg_bytes(color="#ddd"))], client_token="c3")
    batch(trainer, code, [("budi_1.jpg", jpeg_bytes(color="#ccc"))], client_token="c4")   # budi again: a retake
    rows = trainer.get(f"/trainer/latihan/{code}/hasil.json").get_json()["rows"]
    assert sorted(r["trainee"] for r in rows) == ["IMG-20241127-WA0001", "IMG-20241127-WA0001", "budi"]


def test_a_trainees_pages_sent_in_two_batches_become_one_sheet(app, trainer, code):
    """QA: page 1 photos sent one day and page 2 the next stayed two partial sheets of one trainee, and the class
    table showed only the later, hiding page 1 and its review items. Pages the QR (or a firmly read number) names
    now join across the exercise's batches; a file name alone never does."""
    first = batch(trainer, code, [("qr-27-WA0001_p1.jpg", jpeg_bytes()), ("budi_p1.jpg", jpeg_bytes(color="#ddd"))],
                  client_token="day1")
    second = batch(trainer, code, [("qr-27-WA0007_p2.jpg", jpeg_bytes(color="#eee")),
                                   ("budi_p2.jpg", jpeg_bytes(color="#ccc"))], client_token="day2")
    day2 = {i["trainee"]: i for i in trainer.get(second.location + ".json").get_json()["items"]}
    assert sorted(day2) == ["27", "budi"]
    sheet = trainer.get(day2["27"]["url"]).get_data(as_text=True)
    assert "qr-27-WA0001_p1.jpg" in sheet and "qr-27-WA0007_p2.jpg" in sheet          # both pages, one sheet
    assert [i["trainee"] for i in trainer.get(first.location + ".json").get_json()["items"]] == ["budi"]
    listed = trainer.get(f"/trainer/latihan/{code}").get_data(as_text=True)     # sheets, not pages (QA: 3 and 2)
    assert re.findall(r"· (\d+) lembar ·", listed) == ["2", "1"]
    with app.app_context():
        from grader.web.classroom import latest_sheets
        from grader.web.db import get_db
        rows = latest_sheets(get_db(), code)
    assert sorted((r["trainee"], r["attempts"]) for r in rows) == [("27", 1), ("budi", 2)]   # budi: by name only


def test_a_page_refused_once_its_qr_named_the_trainee_joins_their_other_page(app, trainer, code):
    """Rehearsal (helper-150): a page refused by the photo checks once its QR was read (glare, too dark) was a
    refused sheet of its own, which as the trainee's latest attempt hid their page 2 from the class table, or a
    refused row of nobody's beside a sheet said to miss page 1. Named by its QR, it pairs with the trainee's other
    page: one sheet, with page 1 to retake. Refused pages of nobody stay sheets of their own."""
    done = batch(trainer, code, [("qr-27-WA0002_p2.jpg", jpeg_bytes()),
                                 ("qr-27-blur-WA0001_p1.jpg", jpeg_bytes(color="#eee")),
                                 ("blur-WA0003_p1.jpg", jpeg_bytes(color="#ddd"))], client_token="rf")
    items = {i["trainee"]: i for i in trainer.get(done.location + ".json").get_json()["items"]}
    assert sorted(items) == ["27", "blur-WA0003"]
    sheet = trainer.get(items["27"]["url"]).get_data(as_text=True)
    assert "qr-27-WA0002_p2.jpg" in sheet and "qr-27-blur-WA0001_p1.jpg" in sheet          # both pages, one sheet
    with app.app_context():
        from grader.web.classroom import latest_sheets
        from grader.web.db import get_db
        rows = latest_sheets(get_db(), code)
    assert sorted((r["trainee"], r["attempts"], r["result_status"]) for r in rows) == [
        ("27", 1, "partial"), ("blur-WA0003", 1, "refused")]


def test_a_retake_sent_in_a_later_batch_completes_the_sheet_that_asked_for_it(app, trainer, code):
    """Rehearsal (helper-155): Rina's page 2 was refused for glare in the class's chat export, her sheet graded in part
    and asking for page 2 again; her retake came in the next export, a one-page sheet of its own, and the class
    table showed that one (page 1 never sent). A read page that completes a trainee's partial sheet of another batch
    joins it: one sheet of her page 1 and the retake, graded again; the refused photo stays with the sheet replaced."""
    first = batch(trainer, code, [("qr-117-WA0020_solo_p1.jpg", jpeg_bytes()),
                                  ("qr-117-blur-WA0021_solo_p2.jpg", jpeg_bytes(color="#eee"))], client_token="d1")
    [rina] = trainer.get(first.location + ".json").get_json()["items"]
    assert rina["trainee"] == "117"
    batch(trainer, code, [("qr-117-WA0035_solo_p2.jpg", jpeg_bytes(color="#ddd"))], client_token="d2")
    with app.app_context():
        from grader.web.classroom import latest_sheets
        from grader.web.db import get_db
        rows = latest_sheets(get_db(), code)
        files = [u["filename"] for u in get_db().execute(
            "SELECT filename FROM uploads WHERE submission_id=? ORDER BY position", (rows[0]["id"],))]
    assert [(r["trainee"], r["attempts"], r["result_status"]) for r in rows] == [("117", 1, "graded")]
    assert files == ["qr-117-WA0020_solo_p1.jpg", "qr-117-WA0035_solo_p2.jpg"]


def test_a_retake_completes_the_latest_of_two_partial_sheets_that_lack_its_page(app, trainer, code):
    """Retake rehearsal: Rina's page 2 was refused for glare in two chat exports (two partial sheets, each lacking page
    2); her retake of page 2 in the next export joined neither, a one-page sheet of its own, the latest in the class
    table (page 1 never sent). It completes the latest of them, the attempt the table shows; the earlier one stays
    her earlier attempt, untouched."""
    for day, shade in (("d1", "#f1f1f1"), ("d2", "#e1e1e1")):
        batch(trainer, code, [(f"qr-117-WA{day}_solo_p1.jpg", jpeg_bytes(color=shade)),
                              (f"qr-117-blur-WA{day}_solo_p2.jpg", jpeg_bytes(color=shade[:-1] + "0"))],
              client_token=day)
    batch(trainer, code, [("qr-117-WA0035_solo_p2.jpg", jpeg_bytes(color="#ddd"))], client_token="d3")
    with app.app_context():
        from grader.web.classroom import latest_sheets
        from grader.web.db import get_db
        rows = latest_sheets(get_db(), code)
        files = [u["filename"] for u in get_db().execute(
            "SELECT filename FROM uploads WHERE submission_id=? ORDER BY position", (rows[0]["id"],))]
        first = get_db().execute("SELECT state, superseded_by FROM submissions s WHERE EXISTS (SELECT 1 FROM uploads u "
                                 "WHERE u.submission_id=s.id AND u.filename='qr-117-WAd1_solo_p1.jpg') ORDER BY id"
                                 ).fetchall()
    assert [(r["trainee"], r["attempts"], r["result_status"]) for r in rows] == [("117", 2, "graded")]
    assert files == ["qr-117-WAd2_solo_p1.jpg", "qr-117-WA0035_solo_p2.jpg"]
    assert tuple(first[-1]) == ("done", None)           # the first export's sheet (its pages merged), as it was


def test_a_page_photographed_twice_in_one_batch_is_one_sheet_of_its_trainee(app, trainer, code):
    """Rehearsal (helper-89): Rina sent page 1 twice (rina-hal1.jpg, rina-hal2-wrongpage.jpg), both naming her in
    the QR. ``grader grade`` made one sheet of them, the second photo refused as ``duplicate_page`` ("Foto ini
    halaman 1 lagi"), as the trainee's upload page does; a trainer's batch of the same zip made two sheets of Rina,
    each "Halaman 2 belum dikirim", never saying that the second photo was page 1 again (10 sheets beside the CLI's
    9). Within one batch they are now one sheet, as in ``grader grade``. Across batches a page sent again stays a
    sheet of its own: a later batch's page 1 is a retake, and it must not be the photo that grading leaves out."""
    first = batch(trainer, code, [("qr-5-rina-hal1.jpg", jpeg_bytes()),
                                  ("qr-5-rina-wrongpage_p1.jpg", jpeg_bytes(color="#eee"))], client_token="d1")
    items = trainer.get(first.location + ".json").get_json()["items"]
    assert [i["trainee"] for i in items] == ["5"]
    sheet = trainer.get(items[0]["url"]).get_data(as_text=True)
    assert "qr-5-rina-hal1.jpg" in sheet and "qr-5-rina-wrongpage_p1.jpg" in sheet
    later = batch(trainer, code, [("qr-5-rina-ulang_p1.jpg", jpeg_bytes(color="#ddd"))], client_token="d2")
    assert [i["trainee"] for i in trainer.get(later.location + ".json").get_json()["items"]] == ["5"]
    with app.app_context():
        from grader.web.db import get_db
        kept = get_db().execute("SELECT COUNT(*) FROM submissions WHERE trainee='5' AND state='done'").fetchone()[0]
    assert kept == 2                      # the first batch's sheet (two photos) and the later batch's retake


def test_two_zips_of_one_name_are_two_places_and_a_named_file_keeps_its_row_before_grading(app, trainer, code):
    """Review: two uploaded "WhatsApp Chat.zip" holding budi_p1 and budi_p2 became one sheet; and a batch sheet not
    yet graded (no trainee yet) was a second row beside its own earlier attempt."""
    resp = trainer.post(f"/trainer/latihan/{code}/batch", data={
        "csrf_token": csrf_of(trainer, f"/trainer/latihan/{code}"), "client_token": "z2",
        "photos": [(io.BytesIO(zip_of({"budi_p1.jpg": jpeg_bytes()})), "WhatsApp Chat.zip"),
                   (io.BytesIO(zip_of({"budi_p2.jpg": jpeg_bytes(color="#eee")})), "WhatsApp Chat.zip")]},
        content_type="multipart/form-data")
    assert trainer.get(resp.location + ".json").get_json()["total"] == 2
    from grader.web.standing_sheets import identity_key
    row = {"trainee": None, "group_key": "budi", "token": "t1"}
    assert identity_key(row) == "budi" and identity_key({**row, "group_key": "IMG-20241127-WA0001"}) == "t1"


def test_a_replaced_sheet_takes_no_correction(app, trainer, code):
    """Review: a correction on a sheet merged into (or split from) another brought it back as a second sheet."""
    batch(trainer, code, [("sums_1.jpg", jpeg_bytes())])
    with app.app_context():
        from grader.web.db import get_db
        get_db().execute("UPDATE submissions SET state='merged' WHERE id=1")
        get_db().commit()
    token = csrf_of(trainer, "/trainer/")
    body = trainer.post("/trainer/lembar/1/koreksi", data={"field": "V.B", "value": "3"},
                        headers={"X-Requested-With": "fetch", "X-CSRF-Token": token}).get_json()
    assert not body["ok"] and "diganti" in body["message"]
    with app.app_context():
        from grader.web.db import get_db
        assert get_db().execute("SELECT state FROM submissions WHERE id=1").fetchone()["state"] == "merged"
        assert get_db().execute("SELECT COUNT(*) FROM corrections").fetchone()[0] == 0


def test_the_export_holds_the_score_the_pages_show():
    """Whole points rounded down (score_text), not the exact 98.8 beside a page that says 98."""
    from grader.grading.shown import score_text
    from grader.web.export import SHEET_COLUMNS, sheet_rows

    row = {"id": 1, "trainee": "7", "group_key": "7", "trainee_name": "Ani", "state": "done",
           "result_status": "graded", "score": 98.8, "n_ok": 80, "n_wrong": 1, "n_review": 0, "n_blank": 0,
           "n_unreadable": 0, "attempts": 1, "source": "trainee", "created_at": "2026-12-02T05:00", "error_id": None,
           "error_en": None}
    out = dict(zip(SHEET_COLUMNS, sheet_rows([row])[0]))
    assert out["score"] == 98 and str(out["score"]) == score_text(98.8)
    assert dict(zip(SHEET_COLUMNS, sheet_rows([{**row, "score": None}])[0]))["score"] is None
    assert out["partial_score"] is None


def test_the_export_gives_a_half_sheet_no_score_of_the_whole_sheet():
    """A sheet with page 2 unread scored 100 on the 9 entries of page 1: its 'score' was 100 in the export while
    the class table showed '—', so a spreadsheet's mean of the column was not the class mean."""
    from grader.web.export import SHEET_COLUMNS, sheet_rows

    row = {"id": 1, "trainee": "7", "group_key": "7", "trainee_name": "Ani", "state": "done",
           "result_status": "partial", "score": 100.0, "n_ok": 9, "n_wrong": 0, "n_review": 0, "n_blank": 0,
           "n_unreadable": 0, "attempts": 1, "source": "trainee", "created_at": "2026-12-02T05:00", "error_id": None,
           "error_en": None}
    out = dict(zip(SHEET_COLUMNS, sheet_rows([row])[0]))
    assert (out["status_code"], out["status"], out["score"], out["partial_score"]) == ("partial", "Sebagian", None, 100)
    done = dict(zip(SHEET_COLUMNS, sheet_rows([{**row, "result_status": "graded", "score": 97.5}])[0]))
    assert (done["score"], done["partial_score"]) == (97, None)


def test_the_export_says_why_a_sheet_failed_in_the_trainers_language(app, trainer, code):
    """A sheet whose grading failed: its reason in the export is Indonesian by default, English when switched, as
    are the column names; its code is the same in both."""
    batch(trainer, code, [("017_1.jpg", jpeg_bytes())], client_token="ex")
    with app.app_context():
        from grader.web.db import get_db
        get_db().execute("UPDATE submissions SET state='failed', error_code='too_slow', result=NULL, "
                         "result_status=NULL, score=NULL, "      # (never graded: its first grading failed)
                         "error_id='Penilaian terlalu lama', error_en='Grading took too long' WHERE id=1")
        get_db().commit()
    indonesian = list(csv.reader(io.StringIO(
        trainer.get(f"/trainer/latihan/{code}/ekspor/lembar.csv").data.decode("utf-8-sig"))))
    english = list(csv.reader(io.StringIO(
        trainer.get(f"/trainer/latihan/{code}/ekspor/lembar.csv?lang=en").data.decode("utf-8-sig"))))
    error, code_of_it = indonesian[0].index("Alasan"), indonesian[0].index("Alasan (kode)")
    assert (english[0][error], english[0][code_of_it]) == ("Why", "Why (code)")
    assert (indonesian[1][error], english[1][error]) == ("Penilaian terlalu lama", "Grading took too long")
    assert indonesian[1][code_of_it] == english[1][code_of_it] == "too_slow"
    from openpyxl import load_workbook
    wb = load_workbook(io.BytesIO(trainer.get(f"/trainer/latihan/{code}/ekspor/hasil.xlsx?lang=id").data))
    assert wb["lembar"].cell(2, error + 1).value == "Penilaian terlalu lama"


def test_a_sheet_whose_grading_again_failed_shows_its_earlier_score_as_not_counted(app, trainer, code):
    """h38: a sheet graded, then graded again and that failed, showed the "Gagal" badge beside its earlier score in
    the class table and the export, as if that score counted. It does not until the sheet is graded again (its page
    says "Penilaian ulang gagal"): the table says so and strikes the earlier score out, the JSON, the export's score
    and the class mean leave it out, and the export says why."""
    from grader.grading.shown import shown_score
    kept, old, sid = one_of_two_sheets_set(app, trainer, code, "state='failed', error_code='storage_full', "
                                           "error_id='Penyimpanan penuh.', error_en='The storage is full.'")
    for lang, said, label in (("id", "Penilaian ulang gagal", "hasil lama, tidak dihitung"),
                              ("en", "Grading again failed", "earlier result, not counted")):
        row, score = class_table_row(trainer, code, sid, lang)
        assert said in row and label in score and f"<s>{shown_score(old)}</s>" in score and "<b>" not in score
        assert re.search(r'data-col="wrong"[^>]*>—</td>', row)
    rows = {r["trainee"]: r for r in trainer.get(f"/trainer/latihan/{code}/hasil.json").get_json()["rows"]}
    assert rows["021"]["score"] is None and rows["021"]["state"] == "failed" and rows["017"]["score"] == kept
    assert rows["021"]["regrade_failed"] and rows["021"]["status"] is None and rows["021"]["wrong"] is None
    assert rows["017"]["status"] == "graded" and rows["017"]["wrong"] == 1 and not rows["017"]["regrade_failed"]
    sheets = list(csv.reader(io.StringIO(
        trainer.get(f"/trainer/latihan/{code}/ekspor/lembar.csv?lang=id").data.decode("utf-8-sig"))))
    head, failed = sheets[0], next(r for r in sheets[1:] if r[0] == "021")
    assert failed[head.index("Nilai")] == "" and failed[head.index("Hasil")] == ""
    assert failed[head.index("Benar")] == "" and failed[head.index("Salah")] == ""
    why = failed[head.index("Alasan")]
    assert why.startswith(f"Penilaian ulang gagal: hasil sebelumnya (nilai {shown_score(old)}) tidak dihitung")
    assert why.endswith("Penyimpanan penuh.") and failed[head.index("Alasan (kode)")] == "storage_full"
    assert english_why(trainer, code, "021") == (f"Grading again failed: the earlier result (score {shown_score(old)}) "
                                                 "does not count until the sheet is graded again. The storage is full.")
    trainer.get("/?lang=id")
    page = trainer.get(f"/trainer/lembar/{sid}").get_data(as_text=True)
    assert "Penilaian ulang gagal" in page and "tidak dihitung" in page


def test_trainer_pages_in_english(trainer, code):
    html = trainer.get(f"/trainer/latihan/{code}?lang=en").get_data(as_text=True)
    assert "Grade many sheets" in html and "Class results" in html


def test_batch_merges_single_pages_of_one_qr_trainee(trainer, code):
    """WhatsApp names carry no trainee: the QR does, so the two pages end up as one sheet."""
    resp = batch(trainer, code, [("qr-12-WA0001_p1.jpg", jpeg_bytes()), ("qr-12-WA0002_p2.jpg", jpeg_bytes(color="#eee")),
                                 ("qr-13-WA0003_p1.jpg", jpeg_bytes(color="#ddd"))], client_token="m1")
    status = trainer.get(resp.location + ".json").get_json()
    assert status["complete"] and status["total"] == 2
    assert sorted(i["trainee"] for i in status["items"]) == ["12", "13"]
    table = trainer.get(f"/trainer/latihan/{code}/hasil").get_data(as_text=True)
    assert re.findall(r'/trainer/lembar/\d+">([^<]+)</a>', table) == ["12", "13"]
    merged = next(i for i in status["items"] if i["trainee"] == "12")
    sheet = trainer.get(merged["url"]).get_data(as_text=True)
    assert "qr-12-WA0001_p1.jpg, qr-12-WA0002_p2.jpg" in sheet


def test_roster_longer_than_the_limit_is_refused_with_a_message(trainer, code):
    from grader.web.trainer.exercises import MAX_ROSTER
    token = csrf_of(trainer, "/trainer/")
    roster = "no,nama\n" + "".join(f"{i},Peserta {i}\n" for i in range(MAX_ROSTER + 1))
    resp = trainer.post(f"/trainer/latihan/{code}/lembar.pdf",
                        data={"csrf_token": token, "roster": (io.BytesIO(roster.encode()), "r.csv")},
                        content_type="multipart/form-data", follow_redirects=True)
    assert f"maksimal {MAX_ROSTER} orang" in resp.get_data(as_text=True)


def flashed_errors(page) -> list[str]:
    """The error flashes of a page, as its reader sees them."""
    import html
    return [html.unescape(m) for m in re.findall(r'<div class="flash error" role="alert">(.*?)</div>',
                                                 page.get_data(as_text=True), re.S)]


@pytest.mark.parametrize("roster, indonesian, english", [
    (b"email,telepon,alamat,kelas,kecamatan,desa,tps,catatan\nx@y,1,2,3,4,5,6,7\n",
     "Daftar peserta harus punya kolom nomor (id/no/nomor/trainee/no_peserta) dan kolom nama (name/nama); yang ada: "
     "email, telepon, alamat, kelas, kecamatan, dan 3 lainnya.",
     "The roster r.csv needs an id column (id/no/nomor/trainee/no_peserta) and a name column (name/nama); its "
     "columns are email, telepon, alamat, kelas, kecamatan, and 3 more."),
    (b"NIK;Nama Lengkap Peserta Bimtek KPPS Kecamatan Sukamaju\n1;Budi\n",
     "Daftar peserta harus punya kolom nomor (id/no/nomor/trainee/no_peserta) dan kolom nama (name/nama); yang ada: "
     "NIK, Nama Lengkap Peserta Bimtek….",
     "The roster r.csv needs an id column (id/no/nomor/trainee/no_peserta) and a name column (name/nama); its "
     "columns are NIK, Nama Lengkap Peserta Bimtek…."),
    (b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00\xb2\xc3\x8f\xa0[Content_Types].xml\xec\x97",
     "r.csv adalah buku kerja Excel, bukan CSV. Di Excel, pilih Simpan Sebagai lalu CSV, dan kirim berkas CSV itu.",
     "r.csv is an Excel workbook, not a CSV. In Excel, choose Save As, then CSV, and send that CSV file."),
    ("no;nama\n1;André\n".encode() + b"2;Budi\xff\n",
     "Daftar peserta r.csv tidak dapat dibaca: baris 3 berisi huruf yang rusak. Simpan lagi sebagai CSV UTF-8, lalu "
     "coba lagi.",
     "The roster r.csv cannot be read: line 3 holds a damaged character. Save it again as CSV UTF-8, then try "
     "again."),
    # QA: the rarer ones were lower-case fragments in English ("roster r.csv has no rows", "... empty id or name")
    (b"no,nama\n",
     "Daftar peserta r.csv kosong: di bawah baris judulnya, tulis satu peserta per baris.",
     "The roster r.csv is empty: under its header row, write one trainee per line."),
    (b"no,nama\n1,Budi\n2,\n",
     "Daftar peserta baris 3: nomor atau nama kosong. Setiap peserta perlu nomor dan nama.",
     "Roster r.csv, line 3: the number or the name is empty. Every trainee needs both."),
    (b"no,nama\n1,Budi\n001,Siti\n",
     "Daftar peserta baris 3 (Siti): nomor peserta 001 sudah dipakai di baris 2 (Budi). Setiap peserta perlu nomor "
     "sendiri.",
     "Roster r.csv, line 3 (Siti): trainee number 001 is already used on line 2 (Budi). Every trainee needs a number "
     "of their own."),
    ("no\tnama\n1\tBudi\n".encode("utf-16-le"),          # UTF-16 without its BOM: the columns were "n?o?, ?n?a?m?a?"
     "Daftar peserta r.csv bukan berkas teks CSV. Di Excel, pilih Simpan Sebagai lalu CSV UTF-8, dan kirim berkas itu.",
     "The roster r.csv is not a CSV text file. In Excel, choose Save As, then CSV UTF-8, and send that file."),
], ids=["many-columns", "long-column", "excel-workbook", "damaged-byte", "no-rows", "empty-name", "same-number",
        "utf16-without-bom"])
def test_a_bad_rosters_message_is_a_sentence_in_the_pages_language(trainer, code, roster, indonesian, english):
    """A roster without the columns it needs was refused with "found ['email', 'telepon', ...]" on an English page,
    every column of a wide export listed; an Excel workbook sent as it is, or a damaged byte, with Python's
    "'utf-8' codec can't decode byte 0xff in position 24". Each says what is wrong in a sentence, as Indonesian does."""
    token = csrf_of(trainer, "/trainer/")
    for lang, said in (("id", indonesian), ("en", english)):
        page = trainer.post(f"/trainer/latihan/{code}/lembar.pdf?lang={lang}",
                            data={"csrf_token": token, "roster": (io.BytesIO(roster), "r.csv")},
                            content_type="multipart/form-data", follow_redirects=True)
        assert flashed_errors(page) == [said]


@pytest.mark.parametrize("roster", [b"\xef\xbb\xbfNo;Nama\r\n001;Budi\r\n002;Siti\r\n",
                                    "\ufeffNo\tNama\r\n001\tBudi\r\n002\tSiti\r\n".encode("utf-16-le")],
                         ids=["csv-semicolons", "unicode-text"])
def test_an_excel_roster_separated_by_semicolons_prints_named_sheets(trainer, code, roster):
    """Excel in an Indonesian locale saves CSV with ";" and a BOM: one named sheet per trainee, not a refusal. Its
    "Unicode Text" (UTF-16 with a BOM, tabs) too."""
    token = csrf_of(trainer, "/trainer/")
    blank = trainer.get(f"/trainer/latihan/{code}/lembar.pdf").data
    resp = trainer.post(f"/trainer/latihan/{code}/lembar.pdf",
                        data={"csrf_token": token, "roster": (io.BytesIO(roster), "peserta.csv")},
                        content_type="multipart/form-data")
    assert resp.status_code == 200 and resp.data[:4] == b"%PDF"
    assert resp.data.count(b"/Type /Page ") == 2 * blank.count(b"/Type /Page ")


def test_a_trainee_number_too_long_for_the_boxes_is_refused_naming_its_row(trainer, code):
    token = csrf_of(trainer, "/trainer/")
    roster = b"no,nama\n001,Siti\n1234,Budi\n"
    resp = trainer.post(f"/trainer/latihan/{code}/lembar.pdf",
                        data={"csrf_token": token, "roster": (io.BytesIO(roster), "peserta.csv")},
                        content_type="multipart/form-data", follow_redirects=True)
    assert b"%PDF" not in resp.data
    page = resp.get_data(as_text=True)
    assert ("Daftar peserta baris 3 (Budi): nomor peserta 1234 lebih dari 3 angka, padahal lembar hanya punya "
            "3 kotak nomor peserta.") in page
    resp = trainer.post(f"/trainer/latihan/{code}/lembar.pdf?lang=en",
                        data={"csrf_token": token, "roster": (io.BytesIO(roster), "peserta.csv")},
                        content_type="multipart/form-data", follow_redirects=True)
    english = resp.get_data(as_text=True)
    assert ("Roster peserta.csv, line 3 (Budi): trainee number 1234 has more than 3 digits, but the sheet has only 3 "
            "trainee-number boxes. Use numbers of at most 3 digits.") in english


def test_a_hidden_photo_in_a_batchs_zip_is_listed_as_skipped_and_macos_files_are_not(trainer, code):
    """Input review (h35): a photo whose name began with a dot was left out of the batch without a word."""
    photos = zip_of({"kelas/017_1.jpg": jpeg_bytes(), "kelas/.017_2.jpg": jpeg_bytes(color="#f0f0f0"),
                     "__MACOSX/kelas/._017_1.jpg": b"\x00\x05\x16\x07", "kelas/.DS_Store": b"\x00\x00\x00\x01Bud1"})
    page = trainer.get(batch(trainer, code, [("kelas.zip", photos)]).location).get_data(as_text=True)
    assert "Berkas yang dilewati (1)" in page and "<code>kelas.zip: kelas/.017_2.jpg</code>" in page
    assert "Foto tersembunyi di dalam zip" in page and "MACOSX" not in page and "DS_Store" not in page


def test_file_names_from_a_zip_are_escaped(trainer, code):
    evil = '<img src=x onerror=alert(1)>'
    resp = batch(trainer, code, [("k.zip", zip_of({f"{evil}.txt": b"x", f"{evil}_1.jpg": jpeg_bytes()}))],
                 client_token="xss")
    page = trainer.get(resp.location).get_data(as_text=True)
    assert evil not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    assert evil not in trainer.get(f"/trainer/latihan/{code}/hasil").get_data(as_text=True)


def test_a_failed_sheet_can_be_graded_again_from_its_stored_photos(app, trainer, code):
    batch(trainer, code, [("017_1.jpg", jpeg_bytes())], client_token="rg")
    with app.app_context():
        from grader.web.db import get_db
        get_db().execute("UPDATE submissions SET state='failed', error_code='interrupted', "
                         "error_id='Penilaian terhenti' WHERE id=1")
    page = trainer.get("/trainer/lembar/1").get_data(as_text=True)
    assert "Penilaian terhenti" in page and "Nilai ulang dari foto yang tersimpan" in page
    # the photo that failed is shown, to judge it before grading it again (helper-66's finding)
    assert 'src="/trainer/lembar/1/foto/1"' in page and "Foto ke-1 yang dikirim (017_1.jpg)" in page
    with app.app_context():
        get_db().execute("UPDATE submissions SET error_code='not_an_image' WHERE id=1")
    assert "/trainer/lembar/1/foto/1" not in trainer.get("/trainer/lembar/1").get_data(as_text=True)
    with app.app_context():
        get_db().execute("UPDATE submissions SET error_code='interrupted' WHERE id=1")
    token = csrf_of(trainer, "/trainer/")
    resp = trainer.post("/trainer/lembar/1/nilai-ulang", data={"csrf_token": token})
    assert resp.status_code == 303
    assert "Isian per bagian" in trainer.get("/trainer/lembar/1").get_data(as_text=True)
    assert trainer.post("/trainer/lembar/99/nilai-ulang", data={"csrf_token": token}).status_code == 404


def test_batch_over_the_size_limit_gets_413(code):
    app = make_test_app(MAX_CONTENT_LENGTH=100_000)
    client = app.test_client()
    log_in(client)
    resp = batch(client, code, [("big.zip", b"PK\x03\x04" + b"\0" * 200_000)], client_token="big")
    assert resp.status_code == 413 and "Berkas terlalu besar" in resp.get_data(as_text=True)


def test_a_batch_of_too_many_files_is_said_as_such_not_as_too_large(code):
    """Review (s34): 1,200 tiny files (30 KB together) met the form parser's limit on parts, and the trainer read
    "Berkas terlalu besar. Batasnya 400 MB". It now says how many files one upload may hold; the batch form carries
    the same limit so that the browser says it before sending, and a trainee's form past it is not called a photo
    too large either."""
    import grader.web as web
    app = make_test_app(MAX_FORM_PARTS=web.FORM_PARTS_ROOM + 20)
    client = app.test_client()
    log_in(client)
    resp = batch(client, code, [(f"{n}_1.jpg", b"x") for n in range(130)], client_token="many")
    text = resp.get_data(as_text=True)
    assert resp.status_code == 413 and "Terlalu banyak berkas dalam satu unggahan: paling banyak 20." in text
    assert "terlalu besar" not in text
    form = client.get(f"/trainer/latihan/{code}").get_data(as_text=True)
    assert 'data-max-files="20"' in form and "padahal satu unggahan paling banyak 20" in form
    assert web.batch_max_files(make_test_app().config) == web.BATCH_MAX_FILES == 900
    trainee = app.test_client()
    resp = trainee.post("/", data={"csrf_token": csrf_of(trainee, "/"), "code": code,
                                   "photos": [(io.BytesIO(b"x"), f"{n}.jpg") for n in range(130)]},
                        content_type="multipart/form-data")
    assert resp.status_code == 413 and "Foto terlalu besar" not in resp.get_data(as_text=True)


def test_a_batch_finished_before_a_restart_is_merged_at_the_next_start(trainer, code, monkeypatch):
    import grader.web.grading as grading
    with monkeypatch.context() as m:
        m.setattr(grading, "after_grade_job", lambda payload, runner: None)          # as if it stopped first
        resp = batch(trainer, code, [("qr-12-a_p1.jpg", jpeg_bytes()), ("qr-12-b_p2.jpg", jpeg_bytes(color="#eee"))],
                     client_token="restart")
        assert trainer.get(resp.location + ".json").get_json()["total"] == 2
    restarted = make_test_app().test_client()
    restarted.get("/")                                                   # the first request runs the recovery
    log_in(restarted)
    status = restarted.get(resp.location + ".json").get_json()
    assert status["total"] == 1 and status["complete"] and status["items"][0]["trainee"] == "12"


def test_a_batch_counts_photos_read_until_its_pages_are_paired_then_sheets(app, trainer, code, monkeypatch):
    """Usability review: the live page said "0 / 17 lembar" for 19 photos, then "9 / 9 lembar selesai … Selesai"
    while pages were still being paired (a page then said "Halaman 2 belum dikirim" of a page 2 in the batch). The
    rows are photos until the merge step pairs them: the counter says photos read, the page 2 is being looked for,
    and the batch is complete only once paired."""
    import grader.web.grading as grading
    with monkeypatch.context() as m:
        m.setattr(grading, "after_grade_job", lambda payload, runner: None)          # the merge step not run yet
        resp = batch(trainer, code, [("qr-12-solo-a_p1.jpg", jpeg_bytes()), ("017_1.jpg", jpeg_bytes(color="#eee")),
                                     ("017_2.jpg", jpeg_bytes(color="#ddd")),
                                     ("qr-12-solo-b_p2.jpg", jpeg_bytes(color="#ccc"))], client_token="pairing")
        status = trainer.get(resp.location + ".json").get_json()
        assert (status["counter"], status["total"], status["paired"], status["complete"]) == (
            "4 / 4 foto dibaca", 3, False, False)
        page = trainer.get(resp.location).get_data(as_text=True)
        assert '<b id="batch-counter" data-field="counter">4 / 4 foto dibaca</b>' in page
        assert "data-complete" not in page and re.search(r'data-show-when="complete"\s+hidden', page)
        assert "Halaman 2 dicari di antara foto lain unggahan ini." in page and "belum dikirim" not in page
        assert "Muat ulang untuk melihat kemajuan" in page                 # (without the script: reload by hand)
        assert "4 / 4 photos read" in trainer.get(resp.location + "?lang=en").get_data(as_text=True)
    restarted = make_test_app().test_client()
    restarted.get("/")                                                   # the first request runs the merge step
    log_in(restarted)
    status = restarted.get(resp.location + ".json").get_json()
    assert (status["counter"], status["total"], status["paired"], status["complete"]) == (
        "2 / 2 lembar selesai", 2, True, True)
    page = restarted.get(resp.location).get_data(as_text=True)
    assert "data-complete" in page and "2 / 2 lembar selesai" in page and "dicari" not in page
    assert "Muat ulang untuk melihat kemajuan" not in page     # (web review: said under "Selesai." without the script)
    # the parts the page's script takes anew from the server once its rows are not the server's
    assert all(f'id="{part}" data-refresh' in page for part in ("batch-moves", "batch-skipped", "batch-rows"))
    assert page.count('role="status"') == 1 and "aria-live" not in page


def test_corrections_and_disputes_of_merged_pages_carry_over_to_the_merged_sheet():
    """A merge replaces single pages by one sheet; what a trainer or trainee said about those pages moves with it."""
    import sqlite3

    from grader.web.corrections import carry_over_reviews, corrections_for, disputes_for
    from grader.web.schema import SCHEMA

    conn = sqlite3.connect(":memory:")
    conn.row_factory = sqlite3.Row
    conn.executescript(SCHEMA)
    conn.executemany("INSERT INTO corrections(submission_id, field_id, value, previous, corrected_by, corrected_at) "
                     "VALUES (?, ?, ?, ?, ?, ?)",
                     [(1, "II.3", 7, 8, "Ibu Sari", "t1"), (2, "V.B", 4, None, "Pak Budi", "t2"),
                      (1, "II.3", 9, 8, "Ibu Sari", "t3"), (5, "I.A.1.L", 1, 2, "x", "t4")])
    conn.execute("INSERT INTO disputes(submission_id, field_id, written, disputed_at) VALUES (2, 'IV.1', '47', 't5')")
    carry_over_reviews(conn, [1, 2], 3)
    assert corrections_for(conn, 3) == {"II.3": (9, "Ibu Sari", "t3"), "V.B": (4, "Pak Budi", "t2")}   # latest wins
    assert disputes_for(conn, 3) == {"IV.1": ("47", "t5")}
    assert "I.A.1.L" not in corrections_for(conn, 3)                  # another sheet's correction stays there


def test_trainee_keys_sort_whatever_is_typed():
    from grader.page_groups import trainee_order
    assert sorted(["10", "9", "²", "Dewi", "104", "081", None], key=trainee_order) == [
        "9", "10", "081", "104", "Dewi", "²", None]


def test_a_field_of_an_unread_page_cannot_be_corrected(app, trainer, code):
    """No picture was read: a blank "confirmation" would mark the trainee blank for a page never seen."""
    import json as _json
    batch(trainer, code, [("017_1.jpg", jpeg_bytes())])
    with app.app_context():
        from grader.web.db import get_db
        db = get_db()
        res = _json.loads(db.execute("SELECT result FROM submissions WHERE id=1").fetchone()["result"])
        for f in res["fields"]:
            if f["id"] == "IV.1":
                f["status"], f["notes"], f["value"] = "unreadable", ["page_missing"], None
        db.execute("UPDATE submissions SET result=? WHERE id=1", (_json.dumps(res),))
        db.commit()
    page = trainer.get("/trainer/lembar/1").get_data(as_text=True)
    row = re.search(r'id="f-IV.1".*?</tr>', page, re.S).group(0)
    assert "<form" not in row
    got = trainer.post("/trainer/lembar/1/koreksi", data={"csrf_token": csrf_of(trainer, "/trainer/"), "field": "IV.1",
                                                          "value": ""}, follow_redirects=True)
    assert "halaman yang belum terbaca" in got.get_data(as_text=True)
    with app.app_context():
        assert get_db().execute("SELECT COUNT(*) FROM corrections").fetchone()[0] == 0


#: a class of three trainees, one photo each
CLASS = [("017_1.jpg", jpeg_bytes()), ("021_1.jpg", jpeg_bytes(color="#eeeeee")),
         ("033_1.jpg", jpeg_bytes(color="#e0e0e0"))]
#: said of a photo the same form stored before
SENT_BEFORE = "sudah tersimpan saat formulir ini dikirim sebelumnya"


@pytest.mark.parametrize("later", [False, True], ids=["at_once", "after_the_lesson"])
def test_a_batch_cut_short_by_a_full_disk_grades_what_was_stored_and_says_how_much(app, trainer, code, monkeypatch,
                                                                                   later):
    """What was stored is graded, and the photos left out are listed until they are stored. Sending the same form
    again stores them, and only them, into the same batch, however late (review: after ten minutes the photos
    stored the first time were stored a second time, two sheets for each of those trainees)."""
    from test_web_trainee import full_disk_after
    full_disk_after(monkeypatch, writes=2)              # two of three sheets fit
    resp = batch(trainer, code, CLASS, client_token="full")
    assert resp.status_code == 302 and "/trainer/batch/" in resp.location
    page = trainer.get(resp.location).get_data(as_text=True)
    assert "Penyimpanan server penuh: 2 dari 3 lembar tersimpan" in page
    status = trainer.get(resp.location + ".json").get_json()
    assert status["total"] == 2 and status["complete"]                  # the stored two were graded
    again = trainer.get(resp.location).get_data(as_text=True)            # the photo left out stays listed
    assert "<code>033_1.jpg</code>: Penyimpanan server penuh" in again and "server penuh: 2 dari" not in again
    full_disk_after(monkeypatch, writes=10)
    if later:
        stored_an_hour_ago(app)                        # room made on the disk after the lesson
    resent = batch(trainer, code, CLASS, client_token="full")                  # Back, and send again
    assert resent.location == resp.location              # the photo left out joins the batch...
    assert [i["trainee"] for i in trainer.get(resent.location + ".json").get_json()["items"]] == ["017", "021", "033"]
    page = trainer.get(resent.location).get_data(as_text=True)
    assert "kini tersimpan di unggahan ini: 1 foto" in page
    assert SENT_BEFORE not in page and "Penyimpanan server penuh" not in page     # none left out, none listed twice
    assert batch(trainer, code, CLASS, client_token="full").location == resent.location   # once more: that batch
    full_disk_after(monkeypatch, writes=0)             # nothing fits: no empty batch is left behind
    resp = batch(trainer, code, [("040_1.jpg", jpeg_bytes(color="#d0d0d0"))], client_token="full2")
    assert resp.status_code == 302 and "penyimpanan penuh" in trainer.get(resp.location).get_data(as_text=True)
    with app.app_context():
        from grader.web.db import get_db
        assert get_db().execute("SELECT COUNT(*) FROM batches").fetchone()[0] == 1     # the one above
        assert get_db().execute("SELECT COUNT(*) FROM submissions").fetchone()[0] == 3


#: what the uploader (static/app.js) sends its forms with
UPLOADER = {"X-Uploader": "1"}


def test_the_uploader_is_handed_a_batchs_redirect_so_the_page_it_opens_says_the_message(trainer, code, monkeypatch):
    """QA: with the script on, the trainer never saw what the server said of a batch (a full disk cut it short; sent
    again, the rest is stored now): the uploader followed the redirect itself, which used the flashed message up,
    then opened the batch page without it. The uploader is now handed the redirect (204, X-Uploader-Redirect), and
    the page the browser opens says the message, once. Without the header (no script), the redirect as before."""
    from test_web_trainee import full_disk_after
    with monkeypatch.context() as m:
        full_disk_after(m, writes=1)
        cut = batch(trainer, code, CLASS, client_token="js", headers=UPLOADER)
    where = cut.headers["X-Uploader-Redirect"]
    assert cut.status_code == 204 and "Location" not in cut.headers and "/trainer/batch/" in where, cut.headers
    assert cut.get_data() == b""
    assert flashed_errors(trainer.get(where)) == ["Penyimpanan server penuh: 1 dari 3 lembar tersimpan; kirim lagi foto yang "
                                    "dilewati."]
    assert flashed_errors(trainer.get(where)) == []                                   # said once
    done = batch(trainer, code, CLASS, client_token="js", headers=UPLOADER)
    assert done.status_code == 204 and done.headers["X-Uploader-Redirect"] == where
    assert "kini tersimpan di unggahan ini: 2 foto" in trainer.get(where).get_data(as_text=True)
    none = batch(trainer, code, [("catatan.txt", b"not a photo")], client_token="js2", headers=UPLOADER)
    back = none.headers["X-Uploader-Redirect"]                    # (the exercise page, where the form is)
    assert none.status_code == 204 and back.endswith(f"/trainer/latihan/{code}"), none.headers
    page = trainer.get(back)
    # one alert, then each file's reason as a status (helper-68: eight skipped photos were nine alerts)
    assert flashed_errors(page) == ["Tidak ada foto yang bisa dinilai dalam unggahan ini."]
    assert re.search(r'<div class="flash warn" role="status">catatan.txt: [^<]+</div>', page.get_data(as_text=True))
    plain = batch(trainer, code, [("040_1.jpg", jpeg_bytes(color="#d0d0d0"))], client_token="plain")
    assert plain.status_code == 302 and "/trainer/batch/" in plain.location and "X-Uploader-Redirect" not in \
        plain.headers


def test_the_same_photos_from_a_new_form_are_skipped_however_late_unless_their_sheet_was_removed(app, trainer, code):
    """A new form (the page opened again, or the class's chat exported again at lunch: a chat app exports the whole
    chat, the morning's photos with the new ones) with photos a batch stored before: they are not stored or graded
    again, however late, and each says which sheet holds it. Class day rehearsal (helper-135): past ten minutes the
    same photos were graded again, every trainee of the chat became a second attempt and every refused photo a
    second row. Only the new photo of a sending is graded; a removed sheet's photos sent again are graded anew."""
    first = batch(trainer, code, CLASS, client_token="first")
    again = batch(trainer, code, CLASS, client_token="second")
    assert again.status_code == 303 and again.location != first.location
    said = trainer.get(again.location).get_data(as_text=True)
    assert said.count("sudah pernah dikirim dan ada di lembar") == 3
    # (review s34: it opened with "Tidak ada foto yang bisa dinilai", as if the photos were bad)
    assert "Semua foto dalam unggahan ini sudah pernah dikirim dan dinilai" in said
    assert "Tidak ada foto yang bisa dinilai" not in said
    stored_an_hour_ago(app)
    new = ("044_1.jpg", jpeg_bytes(color="#c8c8c8"))
    later = batch(trainer, code, CLASS + [new], client_token="third")
    assert later.status_code == 302 and "/trainer/batch/" in later.location
    assert [i["trainee"] for i in trainer.get(later.location + ".json").get_json()["items"]] == ["044"]
    page = trainer.get(later.location).get_data(as_text=True)
    assert page.count("sudah pernah dikirim dan ada di lembar") == 3
    first_sheets = trainer.get(first.location + ".json").get_json()["items"]
    sid = first_sheets[0]["url"].rstrip("/").rsplit("/", 1)[1]
    token = csrf_of(trainer, f"/trainer/lembar/{sid}")
    assert trainer.post(f"/trainer/lembar/{sid}/hapus", data={"csrf_token": token, "confirm": "1"}).status_code == 303
    anew = batch(trainer, code, CLASS, client_token="fourth")
    assert [i["trainee"] for i in trainer.get(anew.location + ".json").get_json()["items"]] == [
        first_sheets[0]["trainee"]]


def test_the_files_left_out_of_a_batch_are_named_alike_and_said_to_the_trainer(trainer, code):
    """Usability review: a photo sent again did not say which sheet holds it, a file that is no photo was told to
    send "a photo of the practice sheet" as a trainee is, and a zip's members were named with their zip only when
    the zip reader skipped them ("b2.zip: ../../evil.jpg" but "kelas/Sari/hal1.jpg")."""
    sari = jpeg_bytes(color="#e8e8e8")
    first = batch(trainer, code, [("kelas.zip", zip_of({"kelas/Sari/hal1.jpg": sari, "kelas/Sari/hal2.jpg":
                                                        jpeg_bytes(color="#e9e9e9")}))], client_token="one")
    sheet = trainer.get(first.location + ".json").get_json()["items"][0]
    assert sheet["trainee"] == "Sari"
    photo = jpeg_bytes(color="#f1f1f1")
    again = batch(trainer, code, [("b2.zip", zip_of({"kelas/Sari/hal1.jpg": sari, "../../evil.jpg": photo,
                                                      "budi_1.jpg": photo, "budi_1 (1).jpg": photo})),
                                  ("chat.txt", b"Selamat pagi")], client_token="two")
    page = trainer.get(again.location).get_data(as_text=True)
    lines = dict(re.findall(r"<li><code>([^<]+)</code>: (.+?)</li>", page))
    assert set(lines) == {"b2.zip: kelas/Sari/hal1.jpg", "b2.zip: ../../evil.jpg", "b2.zip: budi_1 (1).jpg",
                          "chat.txt"}
    assert lines["b2.zip: kelas/Sari/hal1.jpg"] == (
        f'Foto ini sudah pernah dikirim dan ada di lembar <a href="{sheet["url"]}">Sari</a>; tidak dinilai dua kali.')
    assert "sama persis dengan b2.zip: budi_1.jpg dalam unggahan ini" in lines["b2.zip: budi_1 (1).jpg"]
    assert lines["chat.txt"].startswith("Berkas ini bukan foto atau PDF. Dilewati")
    assert "Kirim foto lembar latihan" not in page and "Kirim" not in lines["chat.txt"]
    english = trainer.get(again.location + "?lang=en").get_data(as_text=True)
    assert (f'This photo was already sent and is on sheet <a href="{sheet["url"]}">Sari</a>; it is not graded twice'
            in english) and "Skipped: sheets are graded from photos" in english


def test_a_trainer_removes_a_merged_sheet_with_its_pages_photos_and_corrections(app, trainer, code):
    """A sheet made of two merged single pages goes with both pages and every photo; nothing else is touched."""
    resp = batch(trainer, code, [("qr-12-WA0001_p1.jpg", jpeg_bytes()), ("qr-12-WA0002_p2.jpg", jpeg_bytes(color="#eee")),
                                 ("qr-13-WA0003_p1.jpg", jpeg_bytes(color="#ddd"))], client_token="rm")
    items = {i["trainee"]: i for i in trainer.get(resp.location + ".json").get_json()["items"]}
    sid = int(items["12"]["url"].rsplit("/", 1)[1])
    with app.app_context():
        from grader.web.db import get_db
        db = get_db()
        parts = [r["id"] for r in db.execute("SELECT id FROM submissions WHERE superseded_by=?", (sid,))]
        tokens = [r["token"] for r in db.execute(f"SELECT token FROM submissions WHERE id IN ({sid},{parts[0]},{parts[1]})")]
        db.execute("INSERT INTO corrections(submission_id, field_id, value, previous, corrected_by, corrected_at) "
                   "VALUES (?, 'V.A', 1, 2, 'pelatih', '2026-12-02')", (sid,))
        db.execute("INSERT INTO disputes(submission_id, field_id, written, disputed_at) "
                   "VALUES (?, 'V.B', '3', '2026-12-02')", (parts[0],))
    assert len(parts) == 2 and all((app.config["DATA_DIR"] / "submissions" / t).is_dir() for t in tokens)
    token = csrf_of(trainer, f"/trainer/lembar/{sid}")
    assert "Hapus lembar ini" in trainer.get(f"/trainer/lembar/{sid}").get_data(as_text=True)
    unconfirmed = trainer.post(f"/trainer/lembar/{sid}/hapus", data={"csrf_token": token}, follow_redirects=True)
    assert "Centang konfirmasi" in unconfirmed.get_data(as_text=True) and trainer.get(f"/trainer/lembar/{sid}").status_code == 200
    done = trainer.post(f"/trainer/lembar/{sid}/hapus", data={"csrf_token": token, "confirm": "1"}, follow_redirects=True)
    assert "Lembar 12 dan fotonya sudah dihapus" in done.get_data(as_text=True)
    assert trainer.get(f"/trainer/lembar/{sid}").status_code == 410
    assert not any((app.config["DATA_DIR"] / "submissions" / t).exists() for t in tokens)
    with app.app_context():
        db = get_db()
        left = {r["trainee"] for r in db.execute("SELECT trainee FROM submissions WHERE state != 'removed'")}
        assert left == {"13"}                              # the other trainee's sheet stays
        for table in ("uploads", "corrections", "disputes"):
            assert db.execute(f"SELECT COUNT(*) FROM {table} WHERE submission_id IN ({sid},{parts[0]},{parts[1]})").fetchone()[0] == 0
        assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    table = trainer.get(f"/trainer/latihan/{code}/hasil").get_data(as_text=True)
    assert re.findall(r'/trainer/lembar/\d+">([^<]+)</a>', table) == ["13"]
    status = trainer.get(resp.location + ".json").get_json()
    assert status["total"] == 1 and status["complete"] and [i["trainee"] for i in status["items"]] == ["13"]
    # the removed sheet's id is never given to a new upload: a page left open on it cannot act on another's
    new = batch(trainer, code, [("qr-14-WA0009_p1.jpg", jpeg_bytes(color="#ccc"))], client_token="rm2")
    new_id = int(trainer.get(new.location + ".json").get_json()["items"][0]["url"].rsplit("/", 1)[1])
    assert new_id > max([sid] + parts)
    assert trainer.post(f"/trainer/lembar/{sid}/hapus", data={"csrf_token": token, "confirm": "1"}).status_code == 410
    trainer.post(f"/trainer/lembar/{sid}/koreksi", data={"csrf_token": token, "field": "V.A", "value": "7"})
    with app.app_context():
        assert get_db().execute("SELECT COUNT(*) FROM corrections").fetchone()[0] == 0


def new_exercise(trainer, seed: int) -> str:
    resp = trainer.post("/trainer/latihan", data={"csrf_token": csrf_of(trainer, "/trainer/"), "pairs": "3",
                                                  "seed": str(seed)})
    assert resp.status_code == 302
    return resp.location.rsplit("/", 1)[1]


def test_a_trainer_removes_a_whole_exercise_with_its_class_once_the_code_is_typed(app, trainer, code):
    """After the training: the key, every sheet (batch and trainee uploads, merged pages), photos, corrections and
    disputes go; another exercise's class is not touched, and nothing of the removed class's names is kept."""
    from test_web_trainee import upload
    other = new_exercise(trainer, seed=4242)
    assert other != code
    kept = batch(trainer, other, [("qr-50-WA0001_p1.jpg", jpeg_bytes(color="#bbb"))], client_token="keep")
    gone = batch(trainer, code, [("qr-12-WA0001_p1.jpg", jpeg_bytes()), ("qr-12-WA0002_p2.jpg", jpeg_bytes(color="#eee")),
                                 ("budi_lembar.txt", b"not a photo")], client_token="gone")
    trainee = app.test_client()
    own = upload(trainee, code=code, trainee="031").location
    with app.app_context():
        from grader.web.db import get_db
        db = get_db()
        sheets = {r["id"]: r["token"] for r in db.execute("SELECT id, token FROM submissions WHERE exercise=?", (code,))}
        sid = max(sheets)
        db.execute("INSERT INTO corrections(submission_id, field_id, value, previous, corrected_by, corrected_at) "
                   "VALUES (?, 'V.A', 1, 2, 'pelatih', '2026-12-02')", (sid,))
        db.execute("INSERT INTO disputes(submission_id, field_id, written, disputed_at) "
                   "VALUES (?, 'V.B', '3', '2026-12-02')", (sid,))
        assert '"budi_lembar.txt"' in db.execute("SELECT skipped FROM batches WHERE exercise=?", (code,)).fetchone()[0]
    assert len(sheets) == 4                                # two single pages, the sheet they were merged into, the upload
    page = trainer.get(f"/trainer/latihan/{code}").get_data(as_text=True)
    assert "Hapus latihan ini" in page and "semua lembar kelas ini (2)" in page
    token = csrf_of(trainer, f"/trainer/latihan/{code}")
    for typed in ("", "ABC123", other):                      # nothing, or another code: nothing is removed
        resp = trainer.post(f"/trainer/latihan/{code}/hapus", data={"csrf_token": token, "confirm_code": typed},
                            follow_redirects=True)
        assert f"Ketik kode latihan {code}" in resp.get_data(as_text=True)
        assert trainer.get(f"/trainer/latihan/{code}/hasil").status_code == 200
    resp = trainer.post(f"/trainer/latihan/{code}/hapus", data={"csrf_token": token, "confirm_code": f" {code.lower()} "},
                        follow_redirects=True)
    assert f"Latihan {code} dihapus, beserta 2 lembar dan fotonya." in resp.get_data(as_text=True)
    assert code not in trainer.get("/trainer/").get_data(as_text=True).replace(f"Latihan {code} dihapus", "")
    for path in (f"/trainer/latihan/{code}", f"/trainer/latihan/{code}/hasil"):
        old_link = trainer.get(path)
        assert old_link.status_code == 410 and "Kembali ke daftar latihan" in old_link.get_data(as_text=True)
        assert f"Latihan {code} sudah dihapus oleh pelatihnya" in old_link.get_data(as_text=True)
    assert trainer.get(f"/trainer/lembar/{sid}").status_code == 410
    told = trainee.get(own)                                # the trainee is told why their result is gone
    assert told.status_code == 410 and "sudah dihapus oleh pelatih" in told.get_data(as_text=True)
    assert trainee.get(own + ".json").get_json() == {"error": 410, "message": "Lembar ini sudah dihapus oleh pelatih, beserta fotonya."}
    data = app.config["DATA_DIR"]
    assert not any((data / "submissions" / t).exists() for t in sheets.values())
    assert [f.name for f in (data / "exercises" / code).iterdir()] == ["removed"]      # the key went: a mark stays
    assert (data / "exercises" / code / "removed").read_text() == ""
    assert (data / "exercises" / other / "answer_key.json").is_file()
    with app.app_context():
        db = get_db()
        marks = ",".join(map(str, sheets))
        for table in ("uploads", "corrections", "disputes"):
            assert db.execute(f"SELECT COUNT(*) FROM {table} WHERE submission_id IN ({marks})").fetchone()[0] == 0
        rows = db.execute(f"SELECT state, trainee, trainee_name, group_key, result FROM submissions WHERE id IN ({marks})")
        assert {tuple(r) for r in rows} == {("removed", None, None, None, None)}
        assert db.execute("SELECT skipped FROM batches WHERE exercise=?", (code,)).fetchone()[0] == "[]"
        assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    status = trainer.get(kept.location + ".json").get_json()
    assert [i["trainee"] for i in status["items"]] == ["50"] and trainer.get(gone.location + ".json").status_code == 410
    assert trainer.get(status["items"][0]["url"]).status_code == 200


def _conn(app):
    from grader.web.db import connect
    return connect(app.config["DATABASE"])


def test_a_dispute_racing_the_removal_of_its_exercise_does_not_bring_the_sheet_back(app, trainer, code, monkeypatch):
    """Review: the dispute's regrade wrote its result (and the trainee's name) over the tombstone, state 'done'."""
    import grader.web.testing as fake
    from test_web_trainee import upload
    from grader.web.removal import remove_exercise
    trainee = app.test_client()
    own = upload(trainee, code=code, trainee="Fitri 017").location
    token = own.rsplit("/", 1)[1]
    real_regrade = fake.regrade

    def regrade_while_the_trainer_removes(*a, **k):
        conn = _conn(app)                         # the trainer's request, on its own connection
        assert remove_exercise(conn, app.config["DATA_DIR"], code) is not None
        conn.close()
        return real_regrade(*a, **k)

    monkeypatch.setattr(fake, "regrade", regrade_while_the_trainer_removes)
    from grader.exercise.store import load_key
    said = str(load_key(code).fields[fake.WRONG_FIELD])      # (the key's value: a number that differs is no dispute)
    resp = trainee.post(f"/hasil/{token}/sanggah", data={"csrf_token": csrf_of(trainee), "field": fake.WRONG_FIELD,
                                                          "written": said}, follow_redirects=True)
    assert resp.status_code == 410 or "sudah dihapus oleh pelatih" in resp.get_data(as_text=True)
    conn = _conn(app)
    row = conn.execute("SELECT state, trainee, result FROM submissions WHERE token=?", (token,)).fetchone()
    assert tuple(row) == ("removed", None, None)
    assert conn.execute("SELECT COUNT(*) FROM disputes").fetchone()[0] == 0
    assert not (app.config["DATA_DIR"] / "submissions" / token).exists()       # nor its redrawn pictures
    conn.close()


def _remove_while_the_photos_are_checked(app, monkeypatch, code: str):
    """Exercise ``code`` is removed while a batch upload, already past its exercise check, checks its photos.
    Returns the function the hook replaced, to put it back."""
    import grader.web.trainer.batch_upload as batch_upload
    from grader.web.removal import remove_exercise
    real = batch_upload.already_stored

    def removal_while_the_photos_are_checked(db, exercise, photos):
        conn = _conn(app)
        assert remove_exercise(conn, app.config["DATA_DIR"], code) is not None
        conn.close()
        return real(db, exercise, photos)

    monkeypatch.setattr(batch_upload, "already_stored", removal_while_the_photos_are_checked)
    return real


def test_a_batch_stored_while_its_exercise_is_removed_goes_with_it(app, trainer, code, monkeypatch):
    """Review: a batch past its exercise check but stored after the removal stayed, unreachable, under a code with
    no exercise. Its grading job now finds the exercise removed and removes the sheets too."""
    _remove_while_the_photos_are_checked(app, monkeypatch, code)
    batch(trainer, code, [("budi_1.jpg", jpeg_bytes()), ("siti_1.jpg", jpeg_bytes(color="#eee"))], client_token="r")
    conn = _conn(app)
    assert conn.execute("SELECT state FROM submissions WHERE exercise=?", (code,)).fetchall() != []
    assert {r[0] for r in conn.execute("SELECT state FROM submissions WHERE exercise=?", (code,))} == {"removed"}
    assert conn.execute("SELECT COUNT(*) FROM uploads").fetchone()[0] == 0
    assert not any((app.config["DATA_DIR"] / "submissions").iterdir())
    conn.close()


def test_an_upload_after_the_removal_is_refused_and_a_recreated_exercise_starts_empty(app, trainer, code):
    """The same options give the same code: the re-created exercise must not list the removed class's batches."""
    from test_web_trainee import upload
    new = new_exercise(trainer, seed=777)
    batch(trainer, new, [("budi_1.jpg", jpeg_bytes()), ("siti_1.jpg", jpeg_bytes(color="#eee"))], client_token="x")
    old_batch = trainer.get(f"/trainer/latihan/{new}").get_data(as_text=True)
    assert "<h3>Unggahan sebelumnya</h3>" in old_batch                # the list the re-created exercise must not show
    old_batch = re.search(r'href="(/trainer/batch/[^"]+)"', old_batch).group(1)
    trainer.post(f"/trainer/latihan/{new}/hapus", data={"csrf_token": csrf_of(trainer, f"/trainer/latihan/{new}"),
                                                       "confirm_code": new})
    late = upload(app.test_client(), code=new, trainee="031")      # QA: it was kept, held to 'fix' a right code
    assert late.status_code == 400 and f"Latihan {new} sudah dihapus oleh pelatihnya" in late.get_data(as_text=True)
    with app.app_context():
        from grader.web.db import get_db
        assert get_db().execute("SELECT COUNT(*) FROM submissions WHERE state != 'removed'").fetchone()[0] == 0
    gone = trainer.get(old_batch)
    assert gone.status_code == 410 and "Unggahan ini sudah dihapus bersama latihannya" in gone.get_data(as_text=True)
    assert new_exercise(trainer, seed=777) == new
    page = trainer.get(f"/trainer/latihan/{new}").get_data(as_text=True)
    assert "<h3>Unggahan sebelumnya</h3>" not in page and "semua lembar kelas ini (0)" in page
    assert trainer.get(f"/trainer/latihan/{new}/hasil.json").get_json()["rows"] == []
    assert not (app.config["DATA_DIR"] / "exercises" / new / "removed").exists()


def test_a_removal_a_crash_cut_short_is_finished_at_the_next_start(app, trainer, code):
    """The key became the removal mark, then the process died before the database step: the next start removes
    the class (its sheets would otherwise stay, listed nowhere)."""
    batch(trainer, code, [("budi_1.jpg", jpeg_bytes())], client_token="c")
    folder = app.config["DATA_DIR"] / "exercises" / code
    (folder / "answer_key.json").replace(folder / "removed")          # as remove_exercise's first step
    make_test_app(JOBS_RECOVER=True).test_client().get("/")
    conn = _conn(app)
    assert {r[0] for r in conn.execute("SELECT state FROM submissions")} == {"removed"}
    assert conn.execute("SELECT COUNT(*) FROM batches WHERE removed_at IS NULL").fetchone()[0] == 0
    conn.close()
    assert not any((app.config["DATA_DIR"] / "submissions").iterdir())


def test_files_a_removal_left_behind_go_at_the_next_start(app, trainer, code, monkeypatch):
    """The rows go first and the folders after: what a crash or an undeletable file left is swept at the next start,
    and nothing of a sheet that is kept is touched."""
    import shutil
    resp = batch(trainer, code, [("017_1.jpg", jpeg_bytes()), ("021_1.jpg", jpeg_bytes(color="#eee"))],
                 client_token="sweep")
    sids = [int(i["url"].rsplit("/", 1)[1]) for i in trainer.get(resp.location + ".json").get_json()["items"]]
    with app.app_context():
        from grader.web.db import get_db
        tokens = {r["id"]: r["token"] for r in get_db().execute("SELECT id, token FROM submissions")}
    folders = {sid: app.config["DATA_DIR"] / "submissions" / tokens[sid] for sid in sids}
    token = csrf_of(trainer, f"/trainer/lembar/{sids[0]}")
    with monkeypatch.context() as m:
        m.setattr(shutil, "rmtree", lambda *a, **k: None)              # the files cannot go (a crash, a busy disk)
        trainer.post(f"/trainer/lembar/{sids[0]}/hapus", data={"csrf_token": token, "confirm": "1"})
    assert trainer.get(f"/trainer/lembar/{sids[0]}").status_code == 410 and folders[sids[0]].is_dir()
    restarted = make_test_app(JOBS_RECOVER=True)
    assert restarted.config["DATA_DIR"] == app.config["DATA_DIR"]
    restarted.test_client().get("/")                                    # the next start
    assert not folders[sids[0]].exists() and any((folders[sids[1]] / "upload").iterdir())
    assert trainer.get(f"/trainer/lembar/{sids[1]}").status_code == 200


def test_an_exercise_is_not_removed_while_a_sheet_of_it_is_being_graded(app, trainer, code):
    batch(trainer, code, [("017_1.jpg", jpeg_bytes()), ("021_1.jpg", jpeg_bytes(color="#eee"))], client_token="busy2")
    with app.app_context():
        from grader.web.db import get_db
        get_db().execute("UPDATE submissions SET state='queued' WHERE id=2")
    token = csrf_of(trainer, f"/trainer/latihan/{code}")
    resp = trainer.post(f"/trainer/latihan/{code}/hapus", data={"csrf_token": token, "confirm_code": code},
                        follow_redirects=True)
    assert "masih ada lembar latihan ini yang sedang dinilai" in resp.get_data(as_text=True).lower()
    assert (app.config["DATA_DIR"] / "exercises" / code / "answer_key.json").is_file()
    with app.app_context():
        assert [r["state"] for r in get_db().execute("SELECT state FROM submissions ORDER BY id")] == ["done", "queued"]


def test_a_sheet_is_not_removed_while_its_batch_is_being_merged(app, trainer, code):
    """The merge step reads the batch's photos: removing one under it broke the merge or brought the photo back."""
    from grader.web.db import MERGING
    resp = batch(trainer, code, [("017_1.jpg", jpeg_bytes())], client_token="mg")
    sid = int(trainer.get(resp.location + ".json").get_json()["items"][0]["url"].rsplit("/", 1)[1])
    with app.app_context():
        from grader.web.db import get_db
        get_db().execute("UPDATE batches SET merged=?", (MERGING,))
    token = csrf_of(trainer, f"/trainer/lembar/{sid}")
    resp = trainer.post(f"/trainer/lembar/{sid}/hapus", data={"csrf_token": token, "confirm": "1"}, follow_redirects=True)
    assert "sedang dinilai" in resp.get_data(as_text=True) and trainer.get(f"/trainer/lembar/{sid}").status_code == 200


def test_a_sheet_being_graded_is_not_removed(app, trainer, code):
    batch(trainer, code, [("017_1.jpg", jpeg_bytes())], client_token="busy")
    with app.app_context():
        from grader.web.db import get_db
        get_db().execute("UPDATE submissions SET state='running'")
    token = csrf_of(trainer, "/trainer/lembar/1")
    resp = trainer.post("/trainer/lembar/1/hapus", data={"csrf_token": token, "confirm": "1"}, follow_redirects=True)
    assert "sedang dinilai" in resp.get_data(as_text=True)
    assert "Hapus lembar ini" not in resp.get_data(as_text=True)       # no remove button while it runs
    with app.app_context():
        assert get_db().execute("SELECT state FROM submissions").fetchall()[0]["state"] == "running"


def test_two_trainers_removing_one_sheet_together_are_both_told_it_is_removed(app, trainer, code, monkeypatch):
    """QA (several users): the slower of two 'Hapus' presses was told 'sedang dinilai; hapus setelah selesai'."""
    import grader.web.removal as removal

    batch(trainer, code, [("017_1.jpg", jpeg_bytes())], client_token="twice")
    other = app.test_client()
    log_in(other, name="Pak Budi")
    token = csrf_of(trainer, "/trainer/lembar/1")
    real = removal.remove_sheet
    other_token = csrf_of(other, "/trainer/lembar/1")
    pressed = []

    def other_first(conn, data_dir, sid):      # the other trainer's press lands between our page read and ours
        if not pressed:
            pressed.append(True)
            assert other.post("/trainer/lembar/1/hapus", data={"csrf_token": other_token, "confirm": "1"}
                              ).status_code == 303
        return real(conn, data_dir, sid)
    monkeypatch.setattr(removal, "remove_sheet", other_first)
    resp = trainer.post("/trainer/lembar/1/hapus", data={"csrf_token": token, "confirm": "1"}, follow_redirects=True)
    html = resp.get_data(as_text=True)
    assert pressed and "sudah dihapus" in html and "sedang dinilai" not in html


def test_an_upload_held_for_a_wrong_code_is_shown_to_trainers_who_can_grade_it(app, trainer, code):
    """QA: a trainee who mistyped the code and left had sent a sheet no class and no trainer could see."""
    from grader.web.testing import csrf_of as csrf
    trainee = app.test_client()
    from PIL import Image
    sideways = io.BytesIO()        # a phone photo taken upright, stored sideways with an EXIF rotation
    exif = Image.Exif()
    exif[0x0112] = 6
    Image.open(io.BytesIO(jpeg_bytes((800, 600)))).save(sideways, "JPEG", exif=exif)
    resp = trainee.post("/", data={"csrf_token": csrf(trainee), "code": "KQXW7", "trainee": "Rina 044",
                                   "photo_1": (io.BytesIO(sideways.getvalue()), "rina_1.jpg")},
                        content_type="multipart/form-data")
    assert trainee.get(resp.location + ".json").get_json()["state"] == "held"
    index = trainer.get("/trainer/").get_data(as_text=True)
    assert "Kiriman yang menunggu kode latihan" in index and "Rina 044" in index and "Kode latihan KQXW7 tidak ditemukan" in index
    sheet_url = re.search(r'href="(/trainer/lembar/\d+)">Lihat</a>', index).group(1)
    page = trainer.get(sheet_url).get_data(as_text=True)
    assert "Menunggu kode latihan" in page and f'<option value="{code}">' in page
    # the photo as sent, so the trainer sees which sheet it is (the code printed on it), upright
    from PIL import Image
    photo = trainer.get(re.search(r'<img class="sent-photo" src="(/trainer/lembar/\d+/foto/1)"', page).group(1))
    assert photo.status_code == 200 and Image.open(io.BytesIO(photo.data)).size == (600, 800)
    assert trainer.get(sheet_url + "/foto/2").status_code == 404
    # an exercise that is not here is refused, and nothing changes
    assert trainer.post(sheet_url + "/kode", data={"csrf_token": csrf(trainer, sheet_url), "code": "KQXW7"}).status_code == 404
    done = trainer.post(sheet_url + "/kode", data={"csrf_token": csrf(trainer, sheet_url), "code": code.lower()})
    assert done.status_code == 303
    assert trainee.get(resp.location + ".json").get_json()["state"] == "done"
    assert "Kiriman yang menunggu kode latihan" not in trainer.get("/trainer/").get_data(as_text=True)
    table = trainer.get(f"/trainer/latihan/{code}/hasil").get_data(as_text=True)
    assert "Rina 044" in table or "044" in table
    # and the trainee's own link shows the result
    assert "Hasil penilaian" in trainee.get(resp.location).get_data(as_text=True)


def test_held_uploads_are_trainer_only(app, code):
    anonymous = app.test_client()
    resp = anonymous.post("/trainer/lembar/1/kode", data={"csrf_token": csrf_of(anonymous), "code": code})
    assert resp.status_code == 302 and "/trainer/masuk" in resp.location


def test_two_corrections_of_one_sheet_at_once_both_stay_in_its_result(app, trainer, code, monkeypatch):
    """A trainer typing through the review queue sends a sheet's corrections a moment apart: a regrade that read
    the corrections before the next one was stored, and stored after it, dropped that correction from the
    result (it came back to the queue, and the score left it out) although it was saved (QA)."""
    batch(trainer, code, [("017_1.jpg", jpeg_bytes())])
    from grader.web import review_actions
    real, calls = review_actions.apply_corrections, []

    def with_a_second_correction_meanwhile(pipeline, result, corrections, key, disputes=None, **kw):
        graded = real(pipeline, result, corrections, key, disputes, **kw)
        if not calls:          # the other request's correction arrives while this regrade is computed
            calls.append(1)
            token = csrf_of(trainer, "/trainer/")
            assert trainer.post("/trainer/lembar/1/koreksi", data={"field": "V.B", "value": "5"},
                                headers={"X-Requested-With": "fetch", "X-CSRF-Token": token}).status_code == 200
        return graded

    monkeypatch.setattr(review_actions, "apply_corrections", with_a_second_correction_meanwhile)
    token = csrf_of(trainer, "/trainer/")
    assert trainer.post("/trainer/lembar/1/koreksi", data={"field": "II.3", "value": "7"},
                        headers={"X-Requested-With": "fetch", "X-CSRF-Token": token}).status_code == 200
    with app.app_context():
        import json
        from grader.web.db import get_db
        result = json.loads(get_db().execute("SELECT result FROM submissions WHERE id=1").fetchone()["result"])
    values = {f["id"]: f["value"] for f in result["fields"]}
    assert values["II.3"] == 7 and values["V.B"] == 5


def test_a_photo_twice_in_one_batch_is_graded_once(trainer, code):
    """A chat export often holds one photo twice (forwarded again): graded twice, one page was two sheets in the
    class table, and a page whose trainee number was read unsure then joined none of its trainee's pages (QA)."""
    photo = jpeg_bytes(color="#f4f4f4")
    resp = batch(trainer, code, [("chat.zip", zip_of({"IMG-20241127-WA0006.jpg": photo,
                                                       "IMG-20241127-WA0006 (1).jpg": photo,
                                                       "kelas B/IMG-20241127-WA0011.jpg": photo})),
                                 ("017_1.jpg", jpeg_bytes(color="#eee"))])
    status = trainer.get(resp.location + ".json").get_json()
    assert sorted(i["trainee"] for i in status["items"]) == ["017", "IMG-20241127-WA0006"]
    page = trainer.get(resp.location).get_data(as_text=True)
    assert "Berkas yang dilewati (2)" in page
    assert page.count("sama persis dengan chat.zip: IMG-20241127-WA0006.jpg dalam unggahan ini") == 2


def test_the_xlsx_export_holds_a_name_typed_with_a_control_character(app, trainer, code):
    """A trainee's name with a control character in it (pasted from a chat) made the class's XLSX export a 500:
    worksheets cannot hold them (QA)."""
    from openpyxl import load_workbook
    trainee = app.test_client()
    trainee.post("/", data={"csrf_token": csrf_of(trainee), "code": code, "trainee": "Budi\x0bSantoso\x1b",
                            "photo_1": (io.BytesIO(jpeg_bytes()), "p1.jpg")}, content_type="multipart/form-data")
    from grader.web.db import get_db
    with app.app_context():      # (the upload form now makes them spaces; a name stored before that kept them)
        assert get_db().execute("SELECT trainee FROM submissions").fetchone()["trainee"] == "Budi Santoso"
        get_db().execute("UPDATE submissions SET trainee=?", ("Budi\x0bSantoso\x1b",))
        get_db().commit()
    resp = trainer.get(f"/trainer/latihan/{code}/ekspor/hasil.xlsx")
    assert resp.status_code == 200
    names = {row[0] for row in load_workbook(io.BytesIO(resp.data)).worksheets[0].iter_rows(min_row=2, values_only=True)}
    assert "BudiSantoso" in names


def test_the_class_table_lists_sheets_that_name_nobody_in_the_order_of_their_labels(trainer, code):
    """Sorted by trainee, the sheets known only by a chat app's file name came in the random order of their
    tokens: IMG-…-WA0022 above WA0006 above WA0042 (QA)."""
    names = ["IMG-20241127-WA0022.jpg", "IMG-20241127-WA0006.jpg", "IMG-20241127-WA0042.jpg",
             "IMG-20241127-WA0009.jpg", "IMG-20241127-WA0031.jpg"]
    batch(trainer, code, [(n, jpeg_bytes(color=f"#e{i}e{i}e{i}")) for i, n in enumerate(names)] +
          [("017_1.jpg", jpeg_bytes(color="#fafafa"))])
    table = trainer.get(f"/trainer/latihan/{code}/hasil").get_data(as_text=True)
    shown = re.findall(r">(017|IMG-20241127-WA\d{4})</a>", table)
    assert shown == ["017"] + sorted(n[:-4] for n in names)
    table = trainer.get(f"/trainer/latihan/{code}/hasil?sort=trainee&dir=desc").get_data(as_text=True)
    assert re.findall(r">(017|IMG-20241127-WA\d{4})</a>", table) == list(reversed(shown))


def test_an_office_file_in_a_chat_export_is_not_called_a_zip(trainer, code):
    """Review: an .xlsx (a zip inside) was listed as 'zip inside a zip, extract it first'."""
    inner, outer = io.BytesIO(), io.BytesIO()
    with zipfile.ZipFile(inner, "w") as zf:
        zf.writestr("[Content_Types].xml", "<x/>")
    with zipfile.ZipFile(outer, "w") as zf:
        zf.writestr("daftar peserta.xlsx", inner.getvalue())
        zf.writestr("b_1.jpg", jpeg_bytes())
    html = trainer.get(batch(trainer, code, [("chat.zip", outer.getvalue())], client_token="ox").location).get_data(
        as_text=True)
    assert "daftar peserta.xlsx" in html and "Zip di dalam zip" not in html


def test_a_held_iphone_photo_is_shown_to_the_trainer(app, trainer):
    """Review: the preview opened photos with plain Pillow, which reads no HEIC: the trainer saw a broken image."""
    import pillow_heif
    from PIL import Image
    buf = io.BytesIO()
    pillow_heif.from_pillow(Image.new("RGB", (400, 600), "white")).save(buf, format="HEIF")
    phone = app.test_client()
    resp = phone.post("/", data={"csrf_token": csrf_of(phone), "code": "KQXW7", "trainee": "Ani",
                                 "photo_1": (io.BytesIO(buf.getvalue()), "IMG_0001.HEIC")},
                      content_type="multipart/form-data")
    assert phone.get(resp.location + ".json").get_json()["state"] == "held"
    from grader.web.db import get_db
    with app.app_context():
        sid = get_db().execute("SELECT id FROM submissions").fetchone()["id"]
    got = trainer.get(f"/trainer/lembar/{sid}/foto/1")
    assert got.status_code == 200 and Image.open(io.BytesIO(got.data)).size == (400, 600)


def test_a_correction_racing_the_merge_of_its_page_does_not_bring_the_page_back(app, trainer, code, monkeypatch):
    """QA (concurrency): a trainer corrected a batch's single page while the merge step joined it with the page 2
    of another batch. The correction was stored (and carried over to the merged sheet), but its regrade then wrote
    the page back as 'done' beside the sheet that replaced it: its batch listed it again as a sheet of its own, and
    removing the merged sheet left it and its photo behind."""
    import grader.web.testing as fake
    batch(trainer, code, [("qr-27-WA0001_p1.jpg", jpeg_bytes())], client_token="day1")
    other = app.test_client()                     # a second trainer sends the other batch
    log_in(other, name="Pak Budi")
    real_regrade, calls = fake.regrade, []

    def regrade_while_the_merge_runs(*a, **k):
        if not calls:          # the other batch's page 2 is graded meanwhile and the merge step replaces page 1
            calls.append(1)
            batch(other, code, [("qr-27-WA0007_p2.jpg", jpeg_bytes(color="#eee"))], client_token="day2")
        return real_regrade(*a, **k)

    monkeypatch.setattr(fake, "regrade", regrade_while_the_merge_runs)
    token = csrf_of(trainer, "/trainer/")
    resp = trainer.post("/trainer/lembar/1/koreksi", data={"field": "II.3", "value": "7"},
                        headers={"X-Requested-With": "fetch", "X-CSRF-Token": token})
    assert calls and resp.status_code == 400 and "terbaru" in resp.get_json()["message"]
    conn = _conn(app)
    rows = {r["id"]: (r["state"], r["superseded_by"]) for r in conn.execute("SELECT * FROM submissions")}
    assert rows[1] == ("merged", 3) and rows[2] == ("merged", 3) and rows[3][0] == "done"
    merged = json.loads(conn.execute("SELECT result FROM submissions WHERE id=3").fetchone()[0])
    assert {f["id"]: f["value"] for f in merged["fields"]}["II.3"] == 7          # the correction went along
    conn.close()


def test_which_exercise_a_sheet_refused_as_anothers_was_printed_for_is_public_to_both_its_users():
    """trainee_number.sheets_numbered imported classroom's private _printed_elsewhere: it is classroom's public
    printed_elsewhere now (since helper-180, in standing_sheets, with the rule of whose sheets are attempts), the class
    table's strays and the sheets a typed number names told apart by one rule."""
    from grader.web import standing_sheets
    from grader.web.trainer import trainee_number

    def row(*pages, status="refused"):
        return {"refused_result": json.dumps({"status": status, "pages": list(pages)})}
    other = {"refusal": {"code": "wrong_exercise"}, "sheet_exercise": "OTHER01"}
    assert trainee_number.printed_elsewhere is standing_sheets.printed_elsewhere
    assert standing_sheets.printed_elsewhere(row(other, other)) == "OTHER01"
    assert standing_sheets.printed_elsewhere(row(other, {**other, "sheet_exercise": "OTHER02"})) == ""
    assert standing_sheets.printed_elsewhere(row(other, {"refusal": {"code": "too_blurry"}})) is None
    assert standing_sheets.printed_elsewhere({"refused_result": None}) is None


def test_a_trainer_types_the_trainee_number_a_sheet_did_not_say_surely(trainer, code):
    """Rehearsal (helper-139): sheets whose written number was read unsure ("11?") stayed under their file names
    (s0001…), 6 rows of a class of 15 after the whole review queue, and nothing on the sheet's page could name
    them. The page offers the number, "?" where unsure; the trainer's number puts the sheet in its trainee's row,
    and a grading again keeps it."""
    resp = batch(trainer, code, [("num-115-a_1.jpg", jpeg_bytes()), ("s0001_1.jpg", jpeg_bytes(color="#eee")),
                                 ("num-115-b_1_otherex.jpg", jpeg_bytes(color="#d5d5d5"))])   # (115's stray sheet)
    items = trainer.get(resp.location + ".json").get_json()["items"]
    sid = next(i for i in items if i["trainee"] == "s0001")["url"].rstrip("/").rsplit("/", 1)[1]
    page = trainer.get(f"/trainer/lembar/{sid}").get_data(as_text=True)
    assert 'name="number"' in page and "dicatat dengan nama berkasnya" in page
    token = csrf_of(trainer, f"/trainer/lembar/{sid}")
    for typed, said in (("11?", "Ganti setiap tanda ? dengan angka"), ("sebelas", "angka saja"),
                        ("1234567", "paling banyak 6 angka")):
        refused = trainer.post(f"/trainer/lembar/{sid}/peserta", data={"csrf_token": token, "number": typed},
                               follow_redirects=True).get_data(as_text=True)
        assert said in refused, typed
    saved = trainer.post(f"/trainer/lembar/{sid}/peserta", data={"csrf_token": token, "number": "115"})
    assert saved.status_code == 303 and saved.location.endswith(f"/trainer/lembar/{sid}#peserta")
    page = trainer.get(f"/trainer/lembar/{sid}").get_data(as_text=True)
    assert "Nomor peserta lembar ini kini 115." in page and 'value="115"' in page
    # (115 names the batch's other sheet too: said, with that sheet, for a slip of the keyboard would otherwise
    # hide a trainee's sheet from the class table unsaid: helper-147)
    # (named as a trainer finds it: the file it came from, the sheet's name in the class table: helper-148)
    assert "Nomor 115 juga ada di lembar lain latihan ini (num-115-a):" in page    # (not the stray: no attempt here)
    table = trainer.get(f"/trainer/latihan/{code}/hasil").get_data(as_text=True)
    assert "s0001" not in re.findall(r'/trainer/lembar/\d+">([^<]+)</a>', table)
    # graded again from its photos, the sheet keeps the trainer's number
    token = csrf_of(trainer, f"/trainer/lembar/{sid}")
    with trainer.application.app_context():
        from grader.web.db import get_db
        from grader.web.trainer.results import regrade_under
        regrade_under(get_db(), int(sid), code)
        get_db().commit()
    assert trainer.get(f"/trainer/lembar/{sid}").status_code == 200
    with trainer.application.app_context():
        from grader.web.db import get_db
        row = get_db().execute("SELECT state, trainee FROM submissions WHERE id=?", (sid,)).fetchone()
    assert (row["state"], row["trainee"]) == ("done", "115")
    # a name a trainee typed instead of a number stays, as the sheet's name
    with trainer.application.app_context():
        from grader.web.db import get_db
        get_db().execute("UPDATE submissions SET trainee='Fitri', result=json_set(result, '$.identity_source', "
                         "'caller') WHERE id=?", (sid,))
        get_db().commit()
    unique = trainer.post(f"/trainer/lembar/{sid}/peserta", data={"csrf_token": token, "number": "104"},
                          follow_redirects=True).get_data(as_text=True)
    assert "Nomor peserta lembar ini kini 104." in unique and "juga ada di lembar lain" not in unique
    with trainer.application.app_context():
        from grader.web.db import get_db
        row = get_db().execute("SELECT trainee, trainee_name FROM submissions WHERE id=?", (sid,)).fetchone()
    assert (row["trainee"], row["trainee_name"]) == ("104", "Fitri")
    # a sheet its QR names offers nothing
    qr = batch(trainer, code, [("qr-007-b_1.jpg", jpeg_bytes(color="#ddd"))], client_token="qr")
    qsid = trainer.get(qr.location + ".json").get_json()["items"][0]["url"].rstrip("/").rsplit("/", 1)[1]
    assert 'name="number"' not in trainer.get(f"/trainer/lembar/{qsid}").get_data(as_text=True)


def test_a_sheet_a_bare_code_or_a_cameras_counter_names_is_listed_for_its_number(trainer, code):
    """Rehearsal (helper-161): s0005.jpg (and a camera's P1010001.JPG) named its sheet "s0005", a trainee no number
    matches, so it never reached the queue's list of sheets nothing names. They are listed there now, under their
    photos' names; photos named after trainees ("budi_santoso.jpg", "03 Siti.jpg") still name them."""
    resp = batch(trainer, code, [("s0005.jpg", jpeg_bytes()), ("P1010001.JPG", jpeg_bytes(color="#eee")),
                                 ("budi_santoso.jpg", jpeg_bytes(color="#ddd")), ("03 Siti.jpg", jpeg_bytes(color="#ccc"))])
    assert trainer.get(resp.location + ".json").get_json()["complete"]
    queue = trainer.get(f"/trainer/latihan/{code}/periksa").get_data(as_text=True)
    listed = queue[queue.index('id="tanpa-nomor"'):]
    assert "Lembar tanpa nomor peserta (2)" in listed and "s0005" in listed and "P1010001" in listed
    assert "budi" not in listed and "Siti" not in listed


def test_a_devices_short_counter_names_no_sheet_and_pairs_no_pages_in_a_batch(trainer, code):
    """Rehearsal (helper-176): IMG_1.jpg and IMG_2.jpg were one sheet of trainee "IMG", pages 1 and 2 by their names.
    They are a device's counter: two sheets nothing names, listed for their numbers under their photos' names."""
    resp = batch(trainer, code, [("IMG_1.jpg", jpeg_bytes()), ("IMG_2.jpg", jpeg_bytes(color="#eee"))])
    assert sorted(i["trainee"] for i in trainer.get(resp.location + ".json").get_json()["items"]) == ["IMG_1", "IMG_2"]
    queue = trainer.get(f"/trainer/latihan/{code}/periksa").get_data(as_text=True)
    listed = queue[queue.index('id="tanpa-nomor"'):]
    assert "Lembar tanpa nomor peserta (2)" in listed and "IMG_1" in listed and "IMG_2" in listed


def test_a_sheet_a_computers_or_an_apps_default_name_names_is_listed_for_its_number(trainer, code):
    """Rehearsal (helper-173): Untitled.jpg, "Copy of IMG_1234.jpg", Document_1.jpg and Dokumen.jpg named their sheets
    "Untitled", "Copy of IMG_1234", "Document" and "Dokumen", trainees no number matches, so they never reached the
    queue's list of sheets nothing names. They are listed there now; "Foto Andi.jpg" and "Dewi.jpg" still name."""
    resp = batch(trainer, code, [("Untitled.jpg", jpeg_bytes()), ("Copy of IMG_1234.jpg", jpeg_bytes(color="#eee")),
                                 ("Document_1.jpg", jpeg_bytes(color="#ddd")), ("Dokumen.jpg", jpeg_bytes(color="#ccc")),
                                 ("Foto Andi.jpg", jpeg_bytes(color="#bbb")), ("Dewi.jpg", jpeg_bytes(color="#aaa"))])
    assert trainer.get(resp.location + ".json").get_json()["complete"]
    queue = trainer.get(f"/trainer/latihan/{code}/periksa").get_data(as_text=True)
    listed = queue[queue.index('id="tanpa-nomor"'):]
    assert "Lembar tanpa nomor peserta (4)" in listed
    assert all(n in listed for n in ("Untitled", "Copy of IMG_1234", "Document", "Dokumen")), listed
    assert "Andi" not in listed and "Dewi" not in listed


def test_the_review_queue_lists_the_sheets_nothing_names_for_their_numbers(trainer, code):
    """Rehearsal (helper-147): after the whole review queue, 7 of a class's 20 sheets were still under their photos'
    file names (IMG-…-WA0006), their numbers read unsure, each to be found in the class table and named on its own
    page. The queue lists them after its fields, with the number and name cut from the sheet and the number read
    ("?" where unsure); a number typed there names the sheet and the queue comes back without it. Sheets named by
    their QR, a number read surely or a file name are not listed."""
    resp = batch(trainer, code, [("IMG-20261206-WA0006.jpg", jpeg_bytes()), ("num-115-a_1.jpg", jpeg_bytes(color="#eee")),
                                 ("qr-7-b_1.jpg", jpeg_bytes(color="#ddd")), ("budi_1.jpg", jpeg_bytes(color="#ccc"))])
    items = trainer.get(resp.location + ".json").get_json()["items"]
    sid = next(i for i in items if "WA0006" in i["trainee"])["url"].rstrip("/").rsplit("/", 1)[1]
    with trainer.application.app_context():
        from grader.web.db import get_db
        get_db().execute("UPDATE submissions SET result=json_set(result, '$.pages[0].trainee_number', "
                         "json('{\"value\": \"061\", \"status\": \"review\", \"sure\": \"06?\"}')) WHERE id=?", (sid,))
        get_db().commit()
    assert "1 tanpa nomor" in trainer.get(f"/trainer/latihan/{code}").get_data(as_text=True)   # (the queue's button)
    queue = trainer.get(f"/trainer/latihan/{code}/periksa").get_data(as_text=True)
    listed = queue[queue.index('id="tanpa-nomor"'):]
    assert "Lembar tanpa nomor peserta (1)" in listed and "IMG-20261206-WA0006" in listed
    # said at the queue's top, a link down to the list below its fields (helper-155: 2 sheets below 113 fields)
    said = queue.index('href="#tanpa-nomor"')
    fields_at = queue.find("data-review-item")
    assert said < queue.index('id="tanpa-nomor"') and (fields_at == -1 or said < fields_at)
    assert "1 lembar tanpa nomor peserta menunggu nomornya, di bawah antrean" in queue[said:said + 200]
    english = trainer.get(f"/trainer/latihan/{code}/periksa?lang=en").get_data(as_text=True)
    assert "1 sheet with no trainee number waits for its number, below the queue" in english
    trainer.get(f"/trainer/latihan/{code}/periksa?lang=id")
    assert re.findall(r'action="/trainer/lembar/(\d+)/peserta"', listed) == [sid]
    assert 'value="06?"' in listed and f"/trainer/lembar/{sid}/gambar/ident1.png" in listed
    token = csrf_of(trainer, f"/trainer/latihan/{code}/periksa")
    saved = trainer.post(f"/trainer/lembar/{sid}/peserta", data={"csrf_token": token, "number": "061",
                                                                 "back": f"/trainer/latihan/{code}/periksa#tanpa-nomor"})
    assert saved.status_code == 303 and saved.location.endswith(f"/trainer/latihan/{code}/periksa#tanpa-nomor")
    queue = trainer.get(f"/trainer/latihan/{code}/periksa").get_data(as_text=True)
    assert "Nomor peserta lembar IMG-20261206-WA0006 kini 061." in queue and 'id="tanpa-nomor"' not in queue
    assert "tanpa nomor" not in trainer.get(f"/trainer/latihan/{code}").get_data(as_text=True)
    table = trainer.get(f"/trainer/latihan/{code}/hasil").get_data(as_text=True)
    assert "061" in re.findall(r'/trainer/lembar/\d+">([^<]+)</a>', table)
    # (another site as the way back is not followed)
    away = trainer.post(f"/trainer/lembar/{sid}/peserta", data={"csrf_token": token, "number": "061",
                                                                "back": "//example.com/trainer/"})
    assert away.location.endswith(f"/trainer/lembar/{sid}#peserta")


def test_two_nameless_halves_given_one_number_become_one_sheet(app, trainer, code):
    """Rehearsal (helper-155): a trainee's page 1 and page 2, their number read unsure on both, were two half sheets
    under their photos' names; typing 108 for each in the queue's list made them two attempts of 108, the class
    table showing the later (page 2 only) and page 1's fields gone from the table and the queue. The number typed
    names them as a QR would: the batch's halves are merged into one sheet, graded again."""
    resp = batch(trainer, code, [("IMG-20261206-WA0015_solo_p1.jpg", jpeg_bytes()),
                                 ("IMG-20261206-WA0017_solo_p2.jpg", jpeg_bytes(color="#eee"))])
    items = trainer.get(resp.location + ".json").get_json()["items"]
    assert len(items) == 2
    sids = [i["url"].rstrip("/").rsplit("/", 1)[1] for i in items]
    token = csrf_of(trainer, f"/trainer/latihan/{code}/periksa")
    back = f"/trainer/latihan/{code}/periksa#tanpa-nomor"
    first = trainer.post(f"/trainer/lembar/{sids[0]}/peserta", data={"csrf_token": token, "number": "108", "back": back},
                         follow_redirects=True).get_data(as_text=True)
    assert "kini 108" in first and "digabung" not in first
    second = trainer.post(f"/trainer/lembar/{sids[1]}/peserta", data={"csrf_token": token, "number": "108", "back": back},
                          follow_redirects=True).get_data(as_text=True)
    assert "digabung dengan halaman lain peserta 108 (IMG-20261206-WA0015_solo)" in second
    assert "juga ada di lembar lain" not in second
    with app.app_context():
        from grader.web.classroom import latest_sheets
        from grader.web.db import get_db
        rows = latest_sheets(get_db(), code)
        merged = get_db().execute("SELECT COUNT(*) FROM uploads WHERE submission_id=?", (rows[0]["id"],)).fetchone()[0]
    assert [(r["trainee"], r["attempts"], r["state"]) for r in rows] == [("108", 1, "done")] and merged == 2


def test_a_typed_number_the_sheet_contradicts_merges_nothing(app, trainer, code):
    """Read-through (helper-156): trainee 44's page 1, its number read "04?", typed 039 by a slip of the keyboard,
    was merged at once with trainee 39's page 2 (its QR) into one sheet of 039: two trainees' pages, which nothing
    could undo. A typed number that a box read surely contradicts merges nothing; the sheet keeps the number and
    the page says another sheet has it, as before numbers merged. The number the boxes allow still merges."""
    resp = batch(trainer, code, [("unsure-044-x_solo_p1.jpg", jpeg_bytes()),
                                 ("qr-039-WA0017_solo_p2.jpg", jpeg_bytes(color="#eee"))])
    items = {i["trainee"]: i for i in trainer.get(resp.location + ".json").get_json()["items"]}
    sid = items["unsure-044-x"]["url"].rstrip("/").rsplit("/", 1)[1]
    token = csrf_of(trainer, f"/trainer/lembar/{sid}")
    slip = trainer.post(f"/trainer/lembar/{sid}/peserta", data={"csrf_token": token, "number": "039"},
                        follow_redirects=True).get_data(as_text=True)
    assert "digabung" not in slip and "Nomor 039 juga ada di lembar lain" in slip
    with app.app_context():
        from grader.web.db import get_db
        assert get_db().execute("SELECT COUNT(*) FROM submissions WHERE superseded_by IS NOT NULL").fetchone()[0] == 0
    # (read "04?": 049 agrees with every box read surely, and is taken as the trainer's word)
    from grader.web.page_merge import _typed_agrees
    assert _typed_agrees("049", "04?") and not _typed_agrees("039", "04?") and _typed_agrees("39", None)


def test_a_number_typed_while_the_batch_merges_is_merged_all_the_same(app, trainer, code):
    """Read-through of 41defbc: a number typed while a merge of its batch runs (another trainer's number typed a
    moment before, its request merging) was never merged: that merge had read the batch's pages before the number,
    this request's claim failed, and the running merge's end marked the batch merged. The two halves typed 108 stayed
    two attempts of 108, as before 41defbc. The number asks for the merge again, even while one runs."""
    from grader.web.db import MERGING
    resp = batch(trainer, code, [("IMG-20261206-WA0015_solo_p1.jpg", jpeg_bytes()),
                                 ("IMG-20261206-WA0017_solo_p2.jpg", jpeg_bytes(color="#eee"))])
    sids = [i["url"].rstrip("/").rsplit("/", 1)[1] for i in trainer.get(resp.location + ".json").get_json()["items"]]
    token = csrf_of(trainer, f"/trainer/latihan/{code}/periksa")
    trainer.post(f"/trainer/lembar/{sids[0]}/peserta", data={"csrf_token": token, "number": "108"})
    with app.app_context():
        from grader.web.db import get_db
        # a merge of the batch is running (claimed), having read its pages before the second number
        get_db().execute("UPDATE batches SET merged=? WHERE id=(SELECT batch_id FROM submissions WHERE id=?)",
                         (MERGING, sids[1]))
        get_db().commit()
    second = trainer.post(f"/trainer/lembar/{sids[1]}/peserta", data={"csrf_token": token, "number": "108"},
                          follow_redirects=True).get_data(as_text=True)
    with app.app_context():
        from grader.web.classroom import latest_sheets
        from grader.web.db import get_db
        from grader.web.page_merge import _merged
        _merged(get_db(), get_db().execute("SELECT batch_id FROM submissions WHERE id=?", (sids[1],)).fetchone()[0])
        get_db().commit()                                       # (the running merge ends, having merged nothing)
        rows = latest_sheets(get_db(), code)
    assert [(r["trainee"], r["attempts"]) for r in rows] == [("108", 1)]
    assert "digabung dengan halaman lain peserta 108" in second


def test_a_number_typed_on_a_sheet_merged_since_its_page_opened_is_refused_said(app, trainer, code):
    """Read-through of 41defbc: a sheet's page open in a second tab since its half was merged, 109 typed there was
    stored on the merged half, which no table shows, and the page said 'digabung dengan halaman lain peserta 109'
    though the sheet was 108's, merged before. The number is not stored, and the page says why."""
    resp = batch(trainer, code, [("IMG-20261206-WA0015_solo_p1.jpg", jpeg_bytes()),
                                 ("IMG-20261206-WA0017_solo_p2.jpg", jpeg_bytes(color="#eee"))])
    sids = [i["url"].rstrip("/").rsplit("/", 1)[1] for i in trainer.get(resp.location + ".json").get_json()["items"]]
    token = csrf_of(trainer, f"/trainer/latihan/{code}/periksa")
    for sid in sids:
        trainer.post(f"/trainer/lembar/{sid}/peserta", data={"csrf_token": token, "number": "108"})
    late = trainer.post(f"/trainer/lembar/{sids[0]}/peserta", data={"csrf_token": token, "number": "109",
                                                                    "back": f"/trainer/latihan/{code}/periksa"},
                        follow_redirects=True).get_data(as_text=True)
    assert "peserta 109" not in late and "kini 109" not in late
    assert "IMG-20261206-WA0015_solo sudah digabung ke lembar lain atau diganti: nomor 109 tidak disimpan." in late
    with app.app_context():
        from grader.web.db import get_db
        assert get_db().execute("SELECT trainee FROM submissions WHERE id=?", (sids[0],)).fetchone()[0] == "108"


def test_a_number_a_trainer_typed_stays_typed_by_the_trainer_when_the_sheet_is_graded_again(app, trainer, code):
    """The issue's identity order says which source named a sheet. A number a trainer typed for a half sheet became
    the sender's typing ("caller") once the sheet was graded again from its photos, and a correction's regrade
    (from its file name's reading) printed it as "nama yang diketik saat mengirim": the merge step no longer paired
    it by the number, so the trainee's other half, typed the same number, stayed an attempt of its own."""
    from grader.exercise.store import load_key
    from grader.web.testing import WRONG_FIELD
    resp = batch(trainer, code, [("IMG-20261206-WA0015_solo_p1.jpg", jpeg_bytes()),
                                 ("IMG-20261206-WA0017_solo_p2.jpg", jpeg_bytes(color="#eee"))])
    sids = [i["url"].rstrip("/").rsplit("/", 1)[1] for i in trainer.get(resp.location + ".json").get_json()["items"]]
    token = csrf_of(trainer, f"/trainer/lembar/{sids[0]}")
    assert "kini 108" in trainer.post(f"/trainer/lembar/{sids[0]}/peserta", data={"csrf_token": token, "number": "108"},
                                      follow_redirects=True).get_data(as_text=True)

    def said(sid) -> tuple[str, str]:
        printed = trainer.get(f"/trainer/lembar/{sid}/cetak").get_data(as_text=True)
        with app.app_context():
            from grader.web.db import get_db
            res = json.loads(get_db().execute("SELECT result FROM submissions WHERE id=?", (sid,)).fetchone()[0])
        return res["identity_source"], re.search(r"identitas dari ([^)]*)\)", printed).group(1)

    assert said(sids[0]) == ("trainer", "nomor yang diketik pelatih")
    trainer.post(f"/trainer/lembar/{sids[0]}/koreksi", data={"csrf_token": token, "field": WRONG_FIELD,
                                                            "value": str(load_key(code).fields[WRONG_FIELD])})
    assert said(sids[0]) == ("trainer", "nomor yang diketik pelatih")          # (a correction's regrade)
    with app.app_context():
        from grader.web.db import get_db
        from grader.web.trainer.results import regrade_under
        assert regrade_under(get_db(), int(sids[0]), code)                     # (graded again from its photos)
        get_db().commit()
    assert said(sids[0]) == ("trainer", "nomor yang diketik pelatih")
    assert "Nomor ini diketik pelatih" in trainer.get(f"/trainer/lembar/{sids[0]}").get_data(as_text=True)
    # ... so the trainee's other half, typed the same number, joins it as before any grading again
    second = trainer.post(f"/trainer/lembar/{sids[1]}/peserta", data={"csrf_token": token, "number": "108"},
                          follow_redirects=True).get_data(as_text=True)
    assert "digabung dengan halaman lain peserta 108" in second
    with app.app_context():
        from grader.web.classroom import latest_sheets
        from grader.web.db import get_db
        rows = latest_sheets(get_db(), code)
    assert [(r["trainee"], r["attempts"], r["state"]) for r in rows] == [("108", 1, "done")]
    assert said(rows[0]["id"]) == ("trainer", "nomor yang diketik pelatih")    # (the merged sheet too)


def test_a_number_a_trainer_typed_before_its_column_existed_is_the_trainers_once_the_column_is_added(app, trainer, code):
    """Rehearsal (helper-159): a number a trainer typed before ``submissions.trainer_number`` existed was kept in the
    sheet's trainee column only (the result said what grading had read: its file name, or nobody), so the column came
    NULL, the page never said "Nomor ini diketik pelatih", a grading again took the number for the sender's typing,
    and the merge step stopped pairing the half sheet by it. Nothing but that typing sets a trainee column that
    differs from what grading named: such a sheet is filled in as typed by the trainer when the column is added."""
    from grader.web.db import connect
    resp = batch(trainer, code, [("IMG-20261206-WA0015_solo_p1.jpg", jpeg_bytes()),
                                 ("IMG-20261206-WA0017_solo_p2.jpg", jpeg_bytes(color="#eee")),
                                 ("budi_1.jpg", jpeg_bytes(color="#ddd")), ("num-115-a_1.jpg", jpeg_bytes(color="#ccc"))])
    by = {i["trainee"]: i["url"].rstrip("/").rsplit("/", 1)[1]
          for i in trainer.get(resp.location + ".json").get_json()["items"]}
    sids = [by["IMG-20261206-WA0015_solo"], by["IMG-20261206-WA0017_solo"]]
    conn = connect(app.config["DATABASE"])
    conn.execute("UPDATE submissions SET trainee='108' WHERE id=?", (sids[0],))     # as the number was typed then
    conn.execute("ALTER TABLE submissions DROP COLUMN trainer_number")              # a database from before it
    conn.execute("PRAGMA user_version=0")                                           # (filled by no start yet)
    conn.close()
    app = make_test_app()                                                           # the next start
    trainer = app.test_client()
    log_in(trainer)
    assert "Nomor ini diketik pelatih" in trainer.get(f"/trainer/lembar/{sids[0]}").get_data(as_text=True)
    with app.app_context():
        from grader.web.db import get_db
        from grader.web.trainer.results import regrade_under
        assert get_db().execute("SELECT trainer_number FROM submissions WHERE id=?", (sids[0],)).fetchone()[0] == "108"
        assert regrade_under(get_db(), int(sids[0]), code)                     # (graded again from its photos)
        get_db().commit()
    assert "Nomor ini diketik pelatih" in trainer.get(f"/trainer/lembar/{sids[0]}").get_data(as_text=True)
    token = csrf_of(trainer, f"/trainer/lembar/{sids[1]}")
    second = trainer.post(f"/trainer/lembar/{sids[1]}/peserta", data={"csrf_token": token, "number": "108"},
                          follow_redirects=True).get_data(as_text=True)
    assert "digabung dengan halaman lain peserta 108" in second                 # the other half joins it
    # a sheet its file name names and one its number read names are not taken for typed: nothing says so
    with app.app_context():
        assert [get_db().execute("SELECT trainer_number FROM submissions WHERE id=?", (by[t],)).fetchone()[0]
                for t in ("budi", "115")] == [None, None]


def test_a_correction_made_in_another_tab_since_the_form_was_loaded_is_not_replaced_unsaid(trainer, code):
    """Rehearsal (helper-139): the review queue open in two tabs, tab A saved 53, then tab B (not reloaded) saved
    58: both were told "saved", and B's replaced A's without a word. The form sends the time of the field's latest
    correction it showed (``seen``); a correction made since is named, and saving again replaces it knowingly."""
    resp = batch(trainer, code, [("a_1.jpg", jpeg_bytes())])
    sid = trainer.get(resp.location + ".json").get_json()["items"][0]["url"].rstrip("/").rsplit("/", 1)[1]
    queue = trainer.get(f"/trainer/latihan/{code}/periksa").get_data(as_text=True)
    assert re.search(r'name="field" value="V.B">.*?<input type="hidden" name="seen" value="">', queue, re.S)
    token = csrf_of(trainer, "/trainer/")
    fetch = {"X-Requested-With": "fetch", "X-CSRF-Token": token}

    def save(value, seen):
        return trainer.post(f"/trainer/lembar/{sid}/koreksi", headers=fetch,
                            data={"field": "V.B", "value": value, **({} if seen is None else {"seen": seen})})

    a = save("53", "")
    assert a.status_code == 200 and a.get_json()["ok"] and a.get_json()["seen"]
    b = save("58", "")                           # the other tab, loaded before A's save
    assert b.status_code == 409 and b.get_json() == {
        "ok": False, "seen": a.get_json()["seen"],
        "message": "Ibu Sari sudah mengoreksi isian V.B menjadi 53 setelah halaman ini dibuka. Simpan lagi untuk "
                   "menggantinya dengan 58."}
    assert _value_of(trainer, sid, "V.B") == 53
    again = save("58", b.get_json()["seen"])     # Enter again: replaced knowingly
    assert again.status_code == 200 and _value_of(trainer, sid, "V.B") == 58
    assert save("", again.get_json()["seen"]).status_code == 200       # the same tab goes on with what it was told
    assert _value_of(trainer, sid, "V.B") is None
    assert save("5", None).status_code == 200    # (a form without "seen", from a page loaded before this change)
    page = trainer.get(f"/trainer/lembar/{sid}").get_data(as_text=True)
    stamp = re.search(r'name="field" value="V.B">\s*<input type="hidden" name="back" value="[^"]*"><input '
                      r'type="hidden" name="seen" value="([^"]+)">', page)
    assert stamp, "the sheet page's correction form carries the field's latest correction time"


def test_two_tabs_saving_the_same_field_at_once_store_one_and_name_it_to_the_other(app, trainer, code, monkeypatch):
    """Rehearsal (helper-193, real server): three trainers' tabs, each loaded before any correction, saved I.A.1.L
    as 5, 6 and 7 in the same moment; all three were told "saved" (each told the value 7) and the corrections table
    held all three, the last one standing: the "corrected since this page was loaded" check read the field's
    latest correction, then stored the new one, apart, so every save read "none yet". The read, the check and the
    insert are one write transaction: the second save waits for the first and is told of it (409)."""
    import threading

    import grader.web.review_actions as review_actions
    from grader.web.testing import reads_together

    resp = batch(trainer, code, [("a_1.jpg", jpeg_bytes())])
    sid = trainer.get(resp.location + ".json").get_json()["items"][0]["url"].rstrip("/").rsplit("/", 1)[1]
    other = app.test_client()
    assert log_in(other, name="Pak Budi").status_code == 302
    reads_together(monkeypatch, review_actions, "latest_corrections")  # both read before either stores
    answers = {}

    def save(client, value):
        token = csrf_of(client, "/trainer/")
        answers[value] = client.post(f"/trainer/lembar/{sid}/koreksi", data={"field": "V.B", "value": value,
                                                                           "seen": ""},
                                     headers={"X-Requested-With": "fetch", "X-CSRF-Token": token})

    tabs = [threading.Thread(target=save, args=(c, v)) for c, v in ((trainer, "53"), (other, "58"))]
    for t in tabs:
        t.start()
    for t in tabs:
        t.join(30)
    codes = sorted(a.status_code for a in answers.values())
    assert codes == [200, 409], {v: (a.status_code, a.get_json()) for v, a in answers.items()}
    kept = next(v for v, a in answers.items() if a.status_code == 200)
    told = next(a for a in answers.values() if a.status_code == 409).get_json()
    assert "sudah mengoreksi isian V.B menjadi " + kept + " setelah halaman ini dibuka" in told["message"]
    assert _value_of(trainer, sid, "V.B") == int(kept)
    with app.app_context():
        from grader.web.db import get_db
        assert [r[0] for r in get_db().execute("SELECT value FROM corrections WHERE submission_id=?", (sid,))] \
            == [int(kept)]


def test_two_corrections_within_one_second_are_told_apart_by_a_third_tab(trainer, code, monkeypatch):
    """Rehearsal (helper-196, real server): tab X saved I.A.1.L as 5; tab Y, loaded after it, saved 6 in the same
    second; tab Z, loaded after X's save and before Y's, saved 7: told "saved", it replaced Y's 6 unsaid. The
    "corrected since this page was loaded" check compared the corrections' times, to the second, and X's and Y's
    were one. The form now carries the correction's id; a form loaded before (a time) is checked as it was."""
    import grader.web.review_actions as review_actions
    same_second = "2026-12-07T05:02:28+00:00"
    monkeypatch.setattr(review_actions, "now_iso", lambda: same_second)
    resp = batch(trainer, code, [("a_1.jpg", jpeg_bytes())])
    sid = trainer.get(resp.location + ".json").get_json()["items"][0]["url"].rstrip("/").rsplit("/", 1)[1]
    fetch = {"X-Requested-With": "fetch", "X-CSRF-Token": csrf_of(trainer, "/trainer/")}

    def save(value, seen):
        return trainer.post(f"/trainer/lembar/{sid}/koreksi", headers=fetch,
                            data={"field": "V.B", "value": value, "seen": seen})

    x = save("53", "")
    assert x.status_code == 200
    y = save("58", x.get_json()["seen"])                 # tab Y, loaded after X's save
    assert y.status_code == 200 and _value_of(trainer, sid, "V.B") == 58
    z = save("60", x.get_json()["seen"])                 # tab Z, loaded after X's save, before Y's
    assert z.status_code == 409, z.get_json()
    assert "sudah mengoreksi isian V.B menjadi 58 setelah halaman ini dibuka" in z.get_json()["message"]
    assert _value_of(trainer, sid, "V.B") == 58
    assert save("60", z.get_json()["seen"]).status_code == 200      # saved again: replaced knowingly
    assert _value_of(trainer, sid, "V.B") == 60
    page = trainer.get(f"/trainer/lembar/{sid}").get_data(as_text=True)
    shown = re.search(r'name="field" value="V.B">\s*<input type="hidden" name="back" value="[^"]*"><input '
                      r'type="hidden" name="seen" value="([^"]*)">', page).group(1)
    assert shown.isdigit() and save("61", shown).status_code == 200      # the page's form: the id
    # a form loaded before this change sends the time: still checked by it
    assert save("62", same_second).status_code == 200
    assert save("63", "2026-12-07T05:00:00+00:00").status_code == 409


def _value_of(client, sid, field_id):
    with client.application.app_context():
        import json
        from grader.web.db import get_db
        result = json.loads(get_db().execute("SELECT result FROM submissions WHERE id=?", (sid,)).fetchone()["result"])
    return next(f["value"] for f in result["fields"] if f["id"] == field_id)


def test_a_correction_of_a_sheet_removed_in_another_tab_says_it_was_removed(trainer, code):
    """Rehearsal (helper-139): the review queue open in one tab, the sheet removed in another, then a correction
    saved: "Lembar ini belum punya hasil", as if it were still to be graded. It says the sheet was removed, and
    the queue's script is told (``gone``) so that it stops offering the sheet's other entries."""
    resp = batch(trainer, code, [("sums_1.jpg", jpeg_bytes())])
    sid = trainer.get(resp.location + ".json").get_json()["items"][0]["url"].rstrip("/").rsplit("/", 1)[1]
    token = csrf_of(trainer, f"/trainer/lembar/{sid}")
    assert trainer.post(f"/trainer/lembar/{sid}/hapus", data={"csrf_token": token, "confirm": "1"}).status_code == 303
    token = csrf_of(trainer, "/trainer/")
    saved = trainer.post(f"/trainer/lembar/{sid}/koreksi", data={"field": "V.B", "value": "7"},
                         headers={"X-Requested-With": "fetch", "X-CSRF-Token": token})
    assert saved.status_code == 410 and saved.get_json() == {
        "ok": False, "gone": True, "message": "Lembar ini sudah dihapus oleh pelatih, beserta fotonya."}
    page = trainer.post(f"/trainer/lembar/{sid}/koreksi", data={"field": "V.B", "value": "7", "csrf_token": token},
                        follow_redirects=True).get_data(as_text=True)
    assert "sudah dihapus oleh pelatih" in page and "belum punya hasil" not in page


def test_a_correction_of_a_page_merged_just_before_says_replaced_not_removed(app, trainer, code, monkeypatch):
    """QA (concurrency): a correction whose sheet was merged between loading it and storing the correction was
    refused as "removed by a trainer, with its photos", which it was not."""
    from grader.web import review_actions
    batch(trainer, code, [("qr-27-WA0001_p1.jpg", jpeg_bytes())], client_token="day1")
    other = app.test_client()
    log_in(other, name="Pak Budi")
    # (the merge lands once the sheet was read as current, before the correction's write transaction: in this
    # thread, a request inside that transaction would share its connection, as a test client's request shares the
    # app context, and fail to begin its own)
    real_check = review_actions.largest_value

    def merge_first(*a, **k):
        batch(other, code, [("qr-27-WA0007_p2.jpg", jpeg_bytes(color="#eee"))], client_token="day2")
        return real_check(*a, **k)

    monkeypatch.setattr(review_actions, "largest_value", merge_first)
    token = csrf_of(trainer, "/trainer/")
    resp = trainer.post("/trainer/lembar/1/koreksi", data={"field": "II.3", "value": "7"},
                        headers={"X-Requested-With": "fetch", "X-CSRF-Token": token})
    message = resp.get_json()["message"]
    assert resp.status_code == 400 and "dihapus" not in message and "diganti" in message
    assert _conn(app).execute("SELECT COUNT(*) FROM corrections").fetchone()[0] == 0


def test_a_batch_stored_while_its_exercise_is_removed_is_retired_with_it(app, trainer, code, monkeypatch):
    """QA (concurrency): the batch row of an upload past its exercise check but stored after the removal kept its
    skipped files' names (they often name trainees) and stayed open at its address; once the exercise was made
    again (the same options give the same code), the new class listed it as an earlier upload."""
    new = new_exercise(trainer, seed=778)
    real = _remove_while_the_photos_are_checked(app, monkeypatch, new)
    resp = trainer.post(f"/trainer/latihan/{new}/batch", data={
        "csrf_token": csrf_of(trainer, f"/trainer/latihan/{new}"), "client_token": "late",
        "photos": [(io.BytesIO(jpeg_bytes()), "budi_1.jpg"), (io.BytesIO(b"not a photo"), "Siti Rahma.docx")]},
        content_type="multipart/form-data")
    import grader.web.trainer.batch_upload as batch_upload
    monkeypatch.setattr(batch_upload, "already_stored", real)
    conn = _conn(app)
    assert {r[0] for r in conn.execute("SELECT state FROM submissions WHERE exercise=?", (new,))} == {"removed"}
    assert conn.execute("SELECT skipped FROM batches").fetchone()[0] == "[]"
    conn.close()
    assert trainer.get(resp.location).status_code == 410
    assert new_exercise(trainer, seed=778) == new
    assert "<h3>Unggahan sebelumnya</h3>" not in trainer.get(f"/trainer/latihan/{new}").get_data(as_text=True)


def test_a_correction_sent_just_after_the_trainee_retook_the_sheet_is_not_lost(app, trainer, code):
    """QA (concurrency, live server): a trainer corrected a field of a page the trainee kept while the trainee
    retook the other page. The retake carried over the corrections stored so far; one stored a moment later went
    to the earlier attempt only, and the trainer was told it was saved while the sheet the class table counts kept
    the field wrong (a wrong field waits in no queue). A correction of a retaken sheet is now refused, saying to
    correct the latest; one stored before the retake still goes along with it."""
    from test_web_trainee import upload
    import grader.web.testing as fake
    trainee = app.test_client()
    first = upload(trainee, code=code, trainee="Fitri 017",
                   photos=[("a_1.jpg", jpeg_bytes()), ("a_2.jpg", jpeg_bytes(color="#eee"))]).location
    headers = {"X-Requested-With": "fetch", "X-CSRF-Token": csrf_of(trainer, "/trainer/")}
    assert trainer.post("/trainer/lembar/1/koreksi", data={"field": "II.1", "value": "5"},
                        headers=headers).status_code == 200              # page 1's, before the retake: carried over
    retake = trainee.post(first + "/ulang", data={"csrf_token": csrf_of(trainee, first), "position": "2",
                                                  "photo": (io.BytesIO(jpeg_bytes(color="#ddd")), "b_2.jpg")},
                          content_type="multipart/form-data")
    assert retake.status_code == 302
    late = trainer.post("/trainer/lembar/1/koreksi", data={"field": fake.WRONG_FIELD, "value": "7"}, headers=headers)
    assert late.status_code == 400 and "terbaru" in late.get_json()["message"]
    conn = _conn(app)
    assert [tuple(r) for r in conn.execute("SELECT submission_id, field_id FROM corrections ORDER BY id")] == \
        [(1, "II.1"), (2, "II.1")]
    conn.close()


def test_a_batch_page_whose_answer_was_lost_can_ask_whether_its_sending_arrived(app, trainer, code):
    assert trainer.get("/trainer/kiriman/b7.json").status_code == 404
    resp = batch(trainer, code, [("017_1.jpg", jpeg_bytes())], client_token="b7")
    assert trainer.get("/trainer/kiriman/b7.json").get_json() == {"url": resp.location}
    page = trainer.get(f"/trainer/latihan/{code}").get_data(as_text=True)
    token = re.search(r'name="client_token" value="([^"]+)"', page).group(1)
    assert f'data-arrived="/trainer/kiriman/{token}.json"' in page
    from grader.web.db import connect
    conn = connect(app.config["DATABASE"])            # a batch cut short gives up its token: sending again stores the rest
    conn.execute("UPDATE batches SET client_token=NULL WHERE form_token='b7'")
    conn.close()
    assert trainer.get("/trainer/kiriman/b7.json").status_code == 404
    assert app.test_client().get("/trainer/kiriman/b7.json").status_code in (302, 401, 403)   # trainers only


def test_a_batch_still_being_stored_when_its_link_dropped_is_found_without_sending_it_again(app, trainer, code):
    """Review: the link dropped after the last byte while the server was still storing the batch (minutes for
    400 MB on a slow card): the page asked whether it arrived, was told no (the batch carries its form token only
    once stored whole), and the trainer's tap sent every file again, only for the server to lead to that same batch
    (a form sent while its batch is being stored is led to it). The page is now told of the batch being stored."""
    from grader.web.db import STORING, connect
    resp = batch(trainer, code, [("017_1.jpg", jpeg_bytes())], client_token="b8")
    conn = connect(app.config["DATABASE"])            # as while the request still stores the batch's photos
    conn.execute("UPDATE batches SET client_token=? WHERE form_token='b8'", (STORING + "b8",))
    conn.close()
    assert trainer.get("/trainer/kiriman/b8.json").get_json() == {"url": resp.location}
    assert batch(trainer, code, [("017_1.jpg", jpeg_bytes())], client_token="b8").location == resp.location


def test_an_error_is_announced_as_an_alert_and_other_messages_as_a_status(app, trainer, code):
    """QA: every flash was role="status", which a screen reader says only when it is idle, if at all: a refused batch
    or a failed removal went unheard. An error (a flash of category "error", the error page, a refused retake's
    reason, a result whose code could not be read) is role="alert"; a confirmation or a warning stays a status."""
    from test_web_trainee import upload

    refused = trainer.get(batch(trainer, code, [("a.txt", b"text")], client_token="al").location)
    page = refused.get_data(as_text=True)
    assert re.search(r'<div class="flash error" role="alert">Tidak ada foto yang bisa dinilai', page)
    assert 'role="status">Tidak ada foto' not in page
    made = trainer.get(f"/trainer/latihan/{new_exercise(trainer, seed=991)}").get_data(as_text=True)
    assert re.search(r'<div class="flash ok" role="status">Latihan \w+ dibuat\.</div>', made)
    missing = trainer.get("/trainer/batch/no-such-batch")
    assert missing.status_code == 404 and '<p class="errors" role="alert">' in missing.get_data(as_text=True)

    client = app.test_client()
    result = upload(client, code=code, photos=[("a_blur.jpg", jpeg_bytes())], client_token="al1").location
    retake = client.post(f"{result}/ulang", data={"csrf_token": csrf_of(client, result), "position": "1",
                                                  "client_token": "al2", "photo": (io.BytesIO(b"no photo"), "x.jpg")},
                         content_type="multipart/form-data")
    assert retake.status_code == 400
    assert re.search(r'<p class="errors" role="alert">Berkas ini bukan foto', retake.get_data(as_text=True))
    unread = upload(client, code="", photos=[("b_1.jpg", jpeg_bytes())], client_token="al3").location
    assert re.search(r'<div class="errors" role="alert">Kode latihan tidak terbaca dari lembar',
                     client.get(unread).get_data(as_text=True))


def test_a_half_sheet_in_a_batch_shows_no_score_out_of_100(app, trainer, code):
    """As in the class table: a batch's single page (its other page not in the batch) is no score of the sheet."""
    resp = batch(trainer, code, [("asolo_1.jpg", jpeg_bytes()), ("b_1.jpg", jpeg_bytes(color="#ddd"))],
                 client_token="half")
    items = {i["trainee"]: i for i in trainer.get(resp.location + ".json").get_json()["items"]}
    assert items["asolo"]["status"] == "partial" and items["asolo"]["score"] is None
    assert items["b"]["status"] == "graded" and items["b"]["score"] is not None
    page = trainer.get(resp.location).get_data(as_text=True)
    assert len(re.findall(r'<td class="num" data-col="score"[^>]*>—</td>', page)) == 1


@pytest.mark.parametrize("order", ["trainee_first", "batch_first"])
def test_a_photo_sent_again_in_another_sending_keeps_what_the_trainer_said_of_it(app, trainer, code, order):
    """helper-89's rehearsal: the trainer's batch of the class's chat photos held photos the trainees had sent
    themselves and the trainer had corrected. The batch's sheets, each trainee's latest, showed those fields unsettled
    again (the queue asked for them once more). A correction says what is written on a photo: it now follows the
    photo, whichever sending came first; a retaken (different) photo starts afresh."""
    from grader.exercise.store import load_key
    from grader.web.testing import REVIEW_FIELD
    from test_web_trainee import upload
    photo, retaken = jpeg_bytes(), jpeg_bytes(color="#dddddd")        # page 2's, which holds REVIEW_FIELD
    expected = load_key(code).fields[REVIEW_FIELD]

    def send(data: bytes, *, by_trainee: bool, name: str) -> None:
        if by_trainee:
            upload(app.test_client(), code=code, trainee="017", photos=[("017_2.jpg", data)])
        else:
            batch(trainer, code, [("017_2.jpg", data)], client_token=name)

    def latest() -> dict:
        with app.app_context():
            from grader.web.db import get_db
            row = get_db().execute("SELECT id, result FROM submissions WHERE trainee='017' ORDER BY id DESC").fetchone()
        return {"id": row["id"], **{f["id"]: f for f in json.loads(row["result"])["fields"]}}

    send(photo, by_trainee=order == "trainee_first", name="first")
    first = latest()
    assert first[REVIEW_FIELD]["status"] == "review"
    token = csrf_of(trainer, "/trainer/")
    trainer.post(f"/trainer/lembar/{first['id']}/koreksi", data={"csrf_token": token, "field": REVIEW_FIELD,
                                                                 "value": str(expected)})
    assert latest()[REVIEW_FIELD]["status"] == "ok"
    # the same photo from the other side: a new sheet, the trainee's latest, with the trainer's word on it
    send(photo, by_trainee=order == "batch_first", name="again")
    again = latest()
    assert again["id"] != first["id"]
    assert again[REVIEW_FIELD]["status"] == "ok" and again[REVIEW_FIELD]["corrected_by"] == "Ibu Sari"
    assert "Tidak ada isian yang perlu dicek" in trainer.get(f"/trainer/latihan/{code}/periksa").get_data(as_text=True)
    with app.app_context():
        from grader.web.db import get_db
        assert get_db().execute("SELECT COUNT(*) FROM corrections WHERE submission_id=?",
                                (again["id"],)).fetchone()[0] == 1          # copied once
    # a retaken photo is another photo: its field waits for the trainer again
    send(retaken, by_trainee=True, name="retaken")
    assert latest()[REVIEW_FIELD]["status"] == "review"


def test_a_retake_keeps_the_trainers_latest_word_on_a_photo_that_two_sheets_hold(app, trainer, code, monkeypatch):
    """h35b: the trainee's sheet and the trainer's batch held the same page 2 photo; the trainer corrected its field
    on the batch's sheet, then, looking again, on the trainee's sheet to another value. The trainee's retake of page 1
    took the trainee's sheet's correction and then the batch sheet's older one after it, which won (the latest by
    arrival, not by when it was said): the retake showed the value the trainer had taken back."""
    import grader.web.review_actions as review_actions
    from grader.web.testing import REVIEW_FIELD
    from test_web_trainee import upload
    page2 = jpeg_bytes()
    client = app.test_client()
    mine = upload(client, code=code, photos=[("017_1.jpg", jpeg_bytes(color="#e0e0e0")), ("017_2.jpg", page2)])
    batch(trainer, code, [("017_2.jpg", page2)], client_token="chat")
    with app.app_context():
        from grader.web.db import get_db
        own, chat = [r["id"] for r in get_db().execute("SELECT id FROM submissions ORDER BY id")]
    token = csrf_of(trainer, "/trainer/")
    for sid, value, at in ((chat, "41", "2026-11-27T03:00:00+00:00"), (own, "42", "2026-11-27T03:05:00+00:00")):
        monkeypatch.setattr(review_actions, "now_iso", lambda at=at: at)
        trainer.post(f"/trainer/lembar/{sid}/koreksi", data={"csrf_token": token, "field": REVIEW_FIELD, "value": value})
    retake = client.post(f"{mine.location}/ulang", data={
        "csrf_token": csrf_of(client), "position": "1", "photo": (io.BytesIO(jpeg_bytes(color="#d0d0d0")), "017_1.jpg")},
        content_type="multipart/form-data")
    assert retake.status_code == 302
    with app.app_context():
        from grader.web.db import get_db
        row = get_db().execute("SELECT result FROM submissions WHERE token=?",
                               (retake.location.rsplit("/", 1)[1],)).fetchone()
    field = next(f for f in json.loads(row["result"])["fields"] if f["id"] == REVIEW_FIELD)
    assert (field["value"], field["corrected_at"]) == (42, "2026-11-27T03:05:00+00:00")


def test_the_batch_page_gives_no_score_of_a_sheet_being_graded_again_or_failing_so(app, trainer, code):
    """helper-195 (rehearsal, real pipeline): while a graded sheet of a batch was graded again (the trainer's "Nilai
    ulang"), its batch row said "Sedang dinilai" beside its old "100 sementara", and once grading it again failed,
    "Gagal" beside it, a score the class table strikes out as not counted. The row says it is being graded again, or
    that grading it again failed, with the earlier score as not counted, and shows no score, in the page and its
    JSON."""
    from grader.grading.shown import shown_score
    from grader.web.db import get_db
    resp = batch(trainer, code, [("017_1.jpg", jpeg_bytes()), ("017_2.jpg", jpeg_bytes(color="#eee"))],
                 client_token="again")
    [item] = trainer.get(resp.location + ".json").get_json()["items"]
    old = item["score"]
    for assignments, label, why in (
            ("state='queued'", "Sedang dinilai ulang",
             f"Hasil sebelumnya (nilai {shown_score(old)}) tidak dihitung sampai selesai dinilai ulang."),
            ("state='failed', error_code='storage_full', error_id='Penyimpanan penuh.', error_en='Full.'", "Gagal",
             f"Penilaian ulang gagal: hasil sebelumnya (nilai {shown_score(old)}) tidak dihitung sampai lembar ini "
             "dinilai ulang. Penyimpanan penuh.")):
        with app.app_context():
            get_db().execute(f"UPDATE submissions SET {assignments} WHERE id=?", (item["id"],))
            get_db().commit()
        [again] = trainer.get(resp.location + ".json").get_json()["items"]
        assert (again["score"], again["provisional"], again["state_label"], again["error"]) == (None, False, label, why)
        page = trainer.get(resp.location).get_data(as_text=True)
        cell = re.search(r'<td class="num" data-col="score"[^>]*>(.*?)</td>', page, re.S).group(1)
        assert cell.strip() == "—" and label in page and why in page
    english = trainer.get(resp.location + ".json?lang=en").get_json()["items"][0]["error"]
    assert english.startswith(f"Grading again failed: the earlier result (score {shown_score(old)}) does not count")
    with app.app_context():
        get_db().execute("UPDATE submissions SET state='running' WHERE id=?", (item["id"],))
        get_db().commit()
    [english] = trainer.get(resp.location + ".json?lang=en").get_json()["items"]
    assert (english["state_label"], english["error"]) == (
        "Being graded again", f"The earlier result (score {shown_score(old)}) does not count until it is graded again.")
    trainer.get("/?lang=id")


def test_the_batch_page_marks_a_score_that_fields_in_review_may_change(trainer, code):
    """Review: the class table says "sementara" under a score that fields waiting for review may change; the batch
    page showed the same sheet's score bare (100, read as final)."""
    resp = batch(trainer, code, [("017_1.jpg", jpeg_bytes()), ("017_2.jpg", jpeg_bytes(color="#eee"))],
                 client_token="prov")
    [item] = trainer.get(resp.location + ".json").get_json()["items"]
    assert item["score"] is not None and item["provisional"] is True
    page = trainer.get(resp.location).get_data(as_text=True)
    cell = re.search(r'<td class="num" data-col="score"[^>]*>(.*?)</td>', page, re.S).group(1)
    assert "data-provisional" in cell and "sementara" in cell
    assert 'data-provisional-text="provisional"' in trainer.get(resp.location + "?lang=en").get_data(as_text=True)


def test_the_trainer_has_the_exercises_answer_key_to_read_and_print(app, trainer, code):
    """Print review (s34): the trainer's only key was answer_key.json, in field codes ("I.B.4.J": 119): nothing to go
    through with the class. The exercise page links a key page, section by section with the sheet's labels, every
    number once (a pair's tally and bubbles repeat it), in the trainer's language."""
    from grader.exercise.store import load_key
    key = load_key(code)
    page = trainer.get(f"/trainer/latihan/{code}").get_data(as_text=True)
    assert f'href="/trainer/latihan/{code}/kunci"' in page
    html = trainer.get(f"/trainer/latihan/{code}/kunci").get_data(as_text=True)
    # one row of the form a line: its L, P and J side by side (helper-140: one number a line ran to two pages)
    shown = {}
    for fid, cells in re.findall(r"<tr><td class=\"col-id\"><code>([^<]+)</code></td><td class=\"label\">.*?</td>"
                                 r"(.*?)</tr>", html, re.S):
        numbers = re.findall(r'<td class="num"(?: data-col="([LPJ])")?[^>]*><b>(\d+)</b></td>', cells)
        shown.update({f"{fid}.{col}" if col else fid: value for col, value in numbers})
    assert shown == {fid: str(v) for fid, v in key.fields.items()}, set(shown) ^ set(key.fields)
    assert "1. Pemilih dalam DPT</td>" in html and "Pemilih dalam DPT (L)" not in html
    assert "I. Data pemilih dan pengguna hak pilih" in html
    assert "Voters on the voter list (DPT)</td>" in trainer.get(f"/trainer/latihan/{code}/kunci?lang=en").get_data(
        as_text=True)
    assert app.test_client().get(f"/trainer/latihan/{code}/kunci").status_code in (302, 303)     # trainers only


def test_a_trainee_whose_latest_sheet_failed_grading_again_is_left_out_of_the_insight_and_queue(app, trainer, code):
    """h38b: the class table shows a trainee's newest sheet whose grading again failed as not counted, but the insight
    and the review queue took each trainee's latest *done* sheet, so they counted (and asked to check) an older
    attempt the table no longer shows. They follow the table's sheet now: that trainee is left out of both, and both
    pages say who is not counted and link the sheet to grade again."""
    from grader.web.classroom import class_summary, trainees_insight
    from grader.web.db import get_db
    from grader.web.testing import REVIEW_FIELD, WRONG_FIELD
    batch(trainer, code, [("017_1.jpg", jpeg_bytes()), ("021_1.jpg", jpeg_bytes(color="#eee"))], client_token="q1")
    batch(trainer, code, [("021_1.jpg", jpeg_bytes(color="#ddd"))], client_token="q2")      # 021 tries again
    with app.app_context():
        db = get_db()
        newest = db.execute("SELECT max(id) FROM submissions WHERE trainee='021'").fetchone()[0]
        assert db.execute("SELECT count(*) FROM submissions WHERE trainee='021' AND state='done'").fetchone()[0] == 2
        db.execute("UPDATE submissions SET state='failed', error_code='storage_full', error_id='Penyimpanan penuh.', "
                   "error_en='The storage is full.' WHERE id=?", (newest,))     # graded once; grading again failed
        db.commit()
        insight = trainees_insight(db, code)
        assert insight["trainees"] == 1                       # 017 alone, as the class mean counts
        assert [(t.id, t.count) for t in insight["fields"]] == [(WRONG_FIELD, 1)]
        assert class_summary(db, code, queue=True)["review"] == 1
    queue = trainer.get(f"/trainer/latihan/{code}/periksa").get_data(as_text=True)
    assert queue.count(f'data-field="{REVIEW_FIELD}"') == 1 and "021" not in re.findall(r"<b>(\w+)</b></a>", queue)
    for page in (queue, trainer.get(f"/trainer/latihan/{code}/wawasan").get_data(as_text=True)):
        note = re.search(r'<p class="flash warn" id="not-counted">(.*?)</p>', page, re.S).group(1)
        assert "lembar 1 peserta yang dipakai tabel kelas gagal dinilai" in note
        assert f'<a href="/trainer/lembar/{newest}">021</a>' in note
    english = trainer.get(f"/trainer/latihan/{code}/wawasan?lang=en").get_data(as_text=True)
    assert "Not counted here: the sheet the class table uses for 1 trainee failed to be graded" in english


def test_the_not_counted_note_says_the_sheet_the_table_uses_failed_not_the_latest(app, trainer, code):
    """helper-180 (tidy of helper-178's review): since a sending refused whole no longer stands for its trainee
    (``standing_sheets.standing_sheet``), the sheet the class table uses may be an earlier one whose grading failed,
    with a refused sending after it: the insight and the review queue said "lembar terakhir … gagal dinilai" (the latest
    sheet failed) of Dedi, whose latest sending was refused, not failed. They say the sheet the table uses failed."""
    phone = app.test_client()
    failed, refused = send_failed_then_refused(app, phone, code, "Dedi")
    assert phone.get(refused + ".json").get_json()["status"] == "refused"
    for url in (f"/trainer/latihan/{code}/wawasan", f"/trainer/latihan/{code}/periksa"):
        note = re.search(r'<p class="flash warn" id="not-counted">(.*?)</p>', trainer.get(url).get_data(as_text=True),
                         re.S).group(1)
        assert "lembar 1 peserta yang dipakai tabel kelas gagal dinilai" in note and "terakhir" not in note
        assert f'<a href="/trainer/lembar/{failed}">Dedi</a>' in note
    english = trainer.get(f"/trainer/latihan/{code}/wawasan?lang=en").get_data(as_text=True)
    assert "Not counted here: the sheet the class table uses for 1 trainee failed to be graded" in english
    assert "latest sheet failed" not in english


def test_a_trainee_whose_newer_sending_is_being_graded_is_not_reviewed_on_the_earlier_sheet(app, trainer, code):
    """Leftover: while a trainee's retake was still being graded, the review queue asked to check the fields of the
    sheet it replaces, as if current, and the insight counted that sheet, though the class table already shows the
    retake (waiting). Both leave the earlier sheet out now and say whose newer sheet is being graded; a dispute on
    the earlier sheet still waits, marked as on an earlier sheet. Once the retake is graded, its fields are there."""
    from grader.web.classroom import class_summary, trainees_insight
    from grader.web.db import get_db
    from grader.web.testing import REVIEW_FIELD
    batch(trainer, code, [("017_1.jpg", jpeg_bytes()), ("021_1.jpg", jpeg_bytes(color="#eee"))], client_token="p1")
    batch(trainer, code, [("021_1.jpg", jpeg_bytes(color="#ddd"))], client_token="p2")      # 021 tries again
    with app.app_context():
        db = get_db()
        earlier, newest = [r[0] for r in db.execute("SELECT id FROM submissions WHERE trainee='021' ORDER BY id")]
        # still being graded (for the first time: no result yet, unlike a sheet graded again, helper-192)
        db.execute("UPDATE submissions SET state='queued', result_status=NULL WHERE id=?", (newest,))
        db.commit()
        assert trainees_insight(db, code)["trainees"] == 1                 # 017 alone, as the class mean counts
        assert class_summary(db, code, queue=True)["review"] == 1
    queue = trainer.get(f"/trainer/latihan/{code}/periksa").get_data(as_text=True)
    assert re.findall(r'data-sid="(\d+)" data-field="([^"]+)"', queue) == [("1", REVIEW_FIELD)]
    for page in (queue, trainer.get(f"/trainer/latihan/{code}/wawasan").get_data(as_text=True)):
        note = re.search(r'<p class="flash warn" id="being-graded">(.*?)</p>', page, re.S).group(1)
        assert "lembar baru 1 peserta sedang dinilai" in note and f'<a href="/trainer/lembar/{newest}">021</a>' in note
    english = trainer.get(f"/trainer/latihan/{code}/periksa?lang=en").get_data(as_text=True)
    assert "1 trainee&#39;s newer sheet is being graded" in english
    with app.app_context():
        get_db().execute("UPDATE submissions SET state='done', result_status='graded' WHERE id=?", (newest,))
        get_db().commit()
    queue = trainer.get(f"/trainer/latihan/{code}/periksa").get_data(as_text=True)
    assert re.findall(r'data-sid="(\d+)"', queue) == ["1", str(newest)] and 'id="being-graded"' not in queue


def test_a_complete_sheet_graded_again_under_a_later_half_sending_is_not_called_a_new_sheet(app, trainer, code):
    """helper-192: while a trainee's complete sheet was graded again (its grading had failed), with page 1 sent alone
    after it, the insight and the review queue said "lembar baru 1 peserta sedang dinilai … lembar sebelumnya tidak
    dihitung lagi": the sheet being graded is the old one, which the class table keeps showing over the half sending
    (``standing_sheets.standing_sheet``), and no newer sheet replaced anything. They say it is being graded again."""
    from grader.web.db import get_db
    batch(trainer, code, [("qr-21-a_1.jpg", jpeg_bytes())], client_token="whole")
    batch(trainer, code, [("qr-21-solo-b_1.jpg", jpeg_bytes(color="#eee"))], client_token="half")  # page 1 later
    with app.app_context():
        db = get_db()
        whole, half = [tuple(r) for r in db.execute(
            "SELECT id, result_status FROM submissions WHERE state='done' ORDER BY id")]
        assert (whole[1], half[1]) == ("graded", "partial")
        db.execute("UPDATE submissions SET state='queued' WHERE id=?", (whole[0],))    # graded again, not yet done
        db.commit()
    table = trainer.get(f"/trainer/latihan/{code}/hasil.json").get_json()
    assert [r["url"] for r in table["rows"]] == [f"/trainer/lembar/{whole[0]}"]     # (the complete sheet, waiting)
    for url in (f"/trainer/latihan/{code}/wawasan", f"/trainer/latihan/{code}/periksa"):
        page = trainer.get(url).get_data(as_text=True)
        assert "lembar baru" not in page and "sebelumnya tidak dihitung" not in page, url
        note = re.search(r'<p class="flash warn" id="graded-again">(.*?)</p>', page, re.S).group(1)
        assert "lembar 1 peserta sedang dinilai ulang" in note and f'href="/trainer/lembar/{whole[0]}"' in note
    english = trainer.get(f"/trainer/latihan/{code}/wawasan?lang=en").get_data(as_text=True)
    assert "newer sheet" not in english and "is being graded again" in english
    with app.app_context():
        get_db().execute("UPDATE submissions SET state='done' WHERE id=?", (whole[0],))
        get_db().commit()
    # graded: the insight counts it, not the half sending, their latest graded sheet, and says which it counts
    insight = trainer.get(f"/trainer/latihan/{code}/wawasan?lang=id").get_data(as_text=True)
    assert "dari lembar terakhirnya yang dinilai" not in insight
    assert "dari lembar yang dipakai tabel kelas untuknya: lembar terakhirnya, kecuali kiriman yang ditolak" in insight


def test_a_graded_sheet_being_graded_again_says_so_and_its_earlier_score_is_not_counted(app, trainer, code):
    """helper-195 (rehearsal, real pipeline): while a graded sheet was graded again (the trainer's "Nilai ulang" after
    its grading again failed), its row in the class table said "Antre" (or "Sedang dinilai") beside its old "100
    sementara" and its counts, and the exports gave that score and those counts, though the mean, the insight and the
    review queue left it out ("lembar 1 peserta sedang dinilai ulang, seperti di tabel kelas"). The row says it is
    being graded again and strikes its earlier score out as not counted until then; hasil.json and the exports give
    no score, result or counts for it, and say why."""
    from grader.grading.shown import shown_score
    # (as grade_again.grade_failed_again leaves it until a worker takes it: queued, its earlier result kept)
    kept, old, sid = one_of_two_sheets_set(app, trainer, code, "state='queued'")
    for lang, said, label in (("id", "Sedang dinilai ulang", "hasil lama, tidak dihitung sampai selesai dinilai ulang"),
                              ("en", "Being graded again", "earlier result, not counted until graded again")):
        row, score = class_table_row(trainer, code, sid, lang)
        assert said in row and "Antre" not in row and "Queued" not in row
        assert label in score and f"<s>{shown_score(old)}</s>" in score and "<b>" not in score
        assert "data-provisional" not in score
        assert all(re.search(rf'data-col="{c}"[^>]*>—</td>', row) for c in ("wrong", "review", "blank"))
    rows = {r["trainee"]: r for r in trainer.get(f"/trainer/latihan/{code}/hasil.json").get_json()["rows"]}
    assert rows["021"]["graded_again"] and not rows["021"]["regrade_failed"] and rows["021"]["state"] == "queued"
    assert rows["021"]["score"] is None and rows["021"]["status"] is None and rows["021"]["wrong"] is None
    assert rows["017"]["score"] == kept and not rows["017"]["graded_again"]
    for name in ("lembar.csv", "hasil.xlsx"):
        sheets = export_table(trainer, code, name)
        head, again = sheets[0], next(r for r in sheets[1:] if r[0] == "021")
        assert again[head.index("Penilaian")] == "Antre", name
        assert not again[head.index("Nilai")] and not again[head.index("Hasil")], name
        assert not again[head.index("Salah")] and not again[head.index("Nilai sementara")], name
        assert again[head.index("Alasan")] == (f"Sedang dinilai ulang: hasil sebelumnya (nilai {shown_score(old)}) "
                                               "tidak dihitung sampai selesai dinilai ulang."), name
    assert english_why(trainer, code, "021") == (f"Being graded again: the earlier result (score {shown_score(old)}) "
                                                 "does not count until it is graded again.")
    trainer.get("/?lang=id")


def one_of_two_sheets_set(app, trainer, code, assignments: str) -> tuple[float, float, int]:
    """017's and 021's sheets graded in a batch, then 021's columns set by ``assignments`` (SQL, "state='queued'"),
    which leave it out of the class mean: ``(017's score, 021's earlier score, 021's sheet id)``."""
    from grader.web.classroom import class_summary
    from grader.web.db import get_db
    batch(trainer, code, [("017_1.jpg", jpeg_bytes()), ("021_1.jpg", jpeg_bytes(color="#eee"))], client_token="two")
    with app.app_context():
        db = get_db()
        kept, old = db.execute("SELECT score, (SELECT score FROM submissions WHERE trainee='021') FROM submissions "
                               "WHERE trainee='017'").fetchone()
        sid = db.execute("SELECT id FROM submissions WHERE trainee='021'").fetchone()[0]
        db.execute(f"UPDATE submissions SET {assignments} WHERE id=?", (sid,))
        db.commit()
        assert class_summary(db, code)["mean"] == kept           # (017's alone)
    return kept, old, sid


def class_table_row(trainer, code, sid: int, lang: str) -> tuple[str, str]:
    """Sheet ``sid``'s row of the class table in ``lang``, and its score cell's inside."""
    table = trainer.get(f"/trainer/latihan/{code}/hasil?lang={lang}").get_data(as_text=True)
    row = re.search(rf'<tr data-href="/trainer/lembar/{sid}".*?</tr>', table, re.S).group(0)
    return row, re.search(r'data-col="score"[^>]*>(.*?)</td>', row, re.S).group(1)


def english_why(trainer, code, trainee: str) -> str:
    """The "Why" of ``trainee``'s row in the class's sheets CSV, exported in English."""
    english = list(csv.reader(io.StringIO(
        trainer.get(f"/trainer/latihan/{code}/ekspor/lembar.csv?lang=en").data.decode("utf-8-sig"))))
    return next(r for r in english[1:] if r[0] == trainee)[english[0].index("Why")]


def export_table(trainer, code, name) -> list[list[str]]:
    """The sheets' table of a class's export ``name`` (``lembar.csv``, or the first sheet of ``hasil.xlsx``), as rows
    of strings ("" for an empty cell)."""
    data = trainer.get(f"/trainer/latihan/{code}/ekspor/{name}?lang=id").data
    if name.endswith(".csv"):
        return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    from openpyxl import load_workbook
    sheet = load_workbook(io.BytesIO(data), read_only=True).worksheets[0]
    return [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]


def test_a_class_page_reads_the_class_once(app, trainer, code, monkeypatch):
    """h41b: the insight and the review queue read the whole class (``classroom.latest_sheets``: every sheet of the
    exercise, with its trainee worked out) four times, once for each thing they show (the insight or the queue, the
    trainees whose latest sheet failed, and twice for those whose newer sending is being graded), and the exercise
    page twice: on a class of 300 trainees x 3 sendings, half a second of the page. Each page reads it once now, and
    a second time, the latest *finished* sheets, only while a sheet is being graded; the pages say the same."""
    import grader.web.db as db_module
    from grader.web.db import get_db
    reads = []
    connect = db_module.connect

    def traced(path):
        conn = connect(path)
        conn.set_trace_callback(lambda sql: reads.append(sql) if "END AS refused_result FROM submissions" in sql
                                else None)
        return conn
    monkeypatch.setattr(db_module, "connect", traced)
    batch(trainer, code, [("017_1.jpg", jpeg_bytes()), ("021_1.jpg", jpeg_bytes(color="#eee")),
                          ("033_1.jpg", jpeg_bytes(color="#ddd"))], client_token="r1")
    batch(trainer, code, [("021_1.jpg", jpeg_bytes(color="#ccc"))], client_token="r2")      # 021 tries again
    with app.app_context():
        failed = get_db().execute("SELECT id FROM submissions WHERE trainee='033'").fetchone()[0]
        get_db().execute("UPDATE submissions SET state='failed', error_code='storage_full', error_id='Penyimpanan "
                         "penuh.', error_en='The storage is full.' WHERE id=?", (failed,))
        get_db().commit()
    pages = {"/trainer/": 1, f"/trainer/latihan/{code}": 1, f"/trainer/latihan/{code}/hasil": 1,
             f"/trainer/latihan/{code}/hasil.json": 1, f"/trainer/latihan/{code}/wawasan": 1,
             f"/trainer/latihan/{code}/periksa": 1, f"/trainer/latihan/{code}/ekspor/lembar.csv": 1}
    shown = {}
    for url, times in pages.items():
        reads.clear()
        resp = trainer.get(url)
        assert resp.status_code == 200 and len(reads) == times, (url, len(reads))
        shown[url] = resp.get_data(as_text=True)
    assert 'id="not-counted"' in shown[f"/trainer/latihan/{code}/wawasan"]
    assert 'id="not-counted"' in shown[f"/trainer/latihan/{code}/periksa"]
    with app.app_context():
        newest = get_db().execute("SELECT max(id) FROM submissions WHERE trainee='021'").fetchone()[0]
        get_db().execute("UPDATE submissions SET state='queued', result_status=NULL WHERE id=?",
                         (newest,))                                         # still being graded, for the first time
        get_db().commit()
    for url in (f"/trainer/latihan/{code}/wawasan", f"/trainer/latihan/{code}/periksa"):
        reads.clear()
        page = trainer.get(url).get_data(as_text=True)
        assert len(reads) == 2 and 'id="being-graded"' in page and 'id="not-counted"' in page, url


def test_a_batch_row_says_a_reason_its_pages_share_once(app, trainer, code):
    """h38b walkthrough: a chat export sent under the wrong exercise had each two-page sheet's row say "a.jpg: This
    sheet is for exercise X ... b.jpg: This sheet is for exercise X ...", the same sentences twice (on a phone, ten
    lines a row). Pages refused for one reason are named together before it, once; other reasons keep their own."""
    from grader.result_rows import refusal_messages
    sent = batch(trainer, code, [("andi-otherex_1.jpg", jpeg_bytes()), ("andi-otherex_2.jpg", jpeg_bytes(color="#eee")),
                                 ("budi_1.jpg", jpeg_bytes(color="#ddd"))])
    rows = {r["trainee"]: r for r in trainer.get(sent.location + ".json").get_json()["items"]}
    both = rows["andi-otherex"]["error"]
    assert both.startswith("andi-otherex_1.jpg (halaman 1), andi-otherex_2.jpg (halaman 2): Lembar ini untuk latihan "
                           "OTHER01")
    assert both.count("Lembar ini untuk latihan OTHER01") == 1
    page = trainer.get(sent.location).get_data(as_text=True)
    assert page.count("Lembar ini untuk latihan OTHER01") == 1
    dark = {"code": "too_dark", "message_id": "Foto terlalu gelap.", "message_en": "Too dark."}
    blurry = {"code": "too_blurry", "message_id": "Foto terlalu buram.", "message_en": "Too blurry."}
    pages = [{"file": "a.jpg", "refusal": dark}, {"file": "b.jpg", "refusal": blurry}, {"file": "c.jpg", "refusal": None},
             {"file": "d.jpg", "refusal": dark}]
    assert refusal_messages({"pages": pages}, lang="id") == ["a.jpg, d.jpg: Foto terlalu gelap.",
                                                            "b.jpg: Foto terlalu buram."]
    # each with its page where it was located (a photo refused before that has none to say)
    pages[0]["page"], pages[3]["page"] = 2, None
    assert refusal_messages({"pages": pages}, lang="id") == ["a.jpg (halaman 2), d.jpg: Foto terlalu gelap.",
                                                            "b.jpg: Foto terlalu buram."]


def test_a_sheet_of_an_exercise_not_on_this_server_says_so_to_the_trainer(app, trainer, code):
    """h38b walkthrough: a class's photos of an exercise printed from another server (or removed) were refused "This
    sheet is for exercise X, not Y. Use the same sheet and code", the trainee's advice, and the trainer's sheet page
    offered nothing and said nothing more. It says that exercise is not on this server, so it cannot be graded here;
    once the exercise is here, the button to grade it under it shows instead."""
    import json as _json

    from grader.exercise.store import exercises_dir
    batch(trainer, code, [("s_1_otherex.jpg", jpeg_bytes())])
    for lang, said in (("id", "Latihan OTHER01 tidak ada di server ini"), ("en", "Exercise OTHER01 is not on this server")):
        page = trainer.get(f"/trainer/lembar/1?lang={lang}").get_data(as_text=True)
        assert said in page and "OTHER01</button>" not in page
    base = app.config["DATA_DIR"]
    key = _json.loads((exercises_dir(base) / code / "answer_key.json").read_text())
    (exercises_dir(base) / "OTHER01").mkdir()
    (exercises_dir(base) / "OTHER01" / "answer_key.json").write_text(_json.dumps({**key, "exercise": "OTHER01"}))
    page = trainer.get("/trainer/lembar/1?lang=id").get_data(as_text=True)
    assert "Nilai dengan latihan OTHER01" in page and "tidak ada di server ini" not in page


def test_a_sheet_refused_whole_has_no_counts_in_the_json_or_the_exports_as_in_the_table(app, trainer, code):
    """h38b walkthrough: the class table shows "—" for a refused sheet's wrong, to-check and blank counts, but
    hasil.json gave 0 and the exports' Benar, Salah, Perlu dicek, Kosong and Tak terbaca held 0: zero mistakes for a
    photo nobody could read, which a spreadsheet's mean counts. They are empty now, as in the table; the refusal's
    result and reason stay."""
    batch(trainer, code, [("017_1.jpg", jpeg_bytes()), ("021_1_blur.jpg", jpeg_bytes(color="#eee"))], client_token="rz")
    rows = {r["trainee"]: r for r in trainer.get(f"/trainer/latihan/{code}/hasil.json").get_json()["rows"]}
    assert rows["021"]["status"] == "refused"
    assert (rows["021"]["wrong"], rows["021"]["review"], rows["021"]["blank"]) == (None, None, None)
    assert rows["017"]["wrong"] == 1 and rows["017"]["review"] == 1
    table = trainer.get(f"/trainer/latihan/{code}/hasil").get_data(as_text=True)
    refused = re.search(r'<tr data-href="[^"]*"[^>]*>(?:(?!</tr>).)*021(?:(?!</tr>).)*</tr>', table, re.S).group(0)
    assert re.search(r'data-col="wrong"[^>]*>—</td>', refused)
    sheets = list(csv.reader(io.StringIO(
        trainer.get(f"/trainer/latihan/{code}/ekspor/lembar.csv?lang=id").data.decode("utf-8-sig"))))
    head, row = sheets[0], next(r for r in sheets[1:] if r[0] == "021")
    assert row[head.index("Hasil")] == "Ditolak" and "Foto terlalu buram" in row[head.index("Alasan")]
    assert [row[head.index(h)] for h in ("Benar", "Salah", "Perlu dicek", "Kosong", "Tidak terbaca")] == [""] * 5
    graded = next(r for r in sheets[1:] if r[0] == "017")
    assert graded[head.index("Salah")] == "1"


def test_a_batch_of_an_exercise_not_on_this_server_says_so_once(app, trainer, code):
    """h38b walkthrough: a class's chat export of exercise E4KWNN, which this server does not have, sent under another
    exercise: every row said the trainee's "use the same sheet and code", and nothing said what the trainer can do.
    The batch page says once how many sheets are printed for that exercise and that it is not here, so they cannot
    be graded here; an exercise that is here keeps its "grade them all under X" button instead."""
    sent = batch(trainer, code, [("a_1_otherex.jpg", jpeg_bytes()), ("b_1_otherex.jpg", jpeg_bytes(color="#eee")),
                                 ("c_1.jpg", jpeg_bytes(color="#ddd"))])
    for lang, said in (("id", "2 lembar di unggahan ini dicetak untuk latihan OTHER01"),
                       ("en", "Exercise OTHER01 is not on this server")):
        page = trainer.get(sent.location + f"?lang={lang}").get_data(as_text=True)
        assert page.count(said) == 1, lang
    assert "Nilai semuanya dengan latihan OTHER01" not in trainer.get(sent.location + "?lang=id").get_data(as_text=True)


def test_the_review_queue_names_a_tally_field_without_saying_its_mark_twice(trainer, code, monkeypatch):
    """Walk-through (trainer): the queue read "IV.1 turus Turus Paslon 1", as the insight did (d197631)."""
    import grader.web.testing as testing
    real = testing.grade_upload

    def with_a_tally_in_review(files, **kw):        # the stand-in reads digits only: its V.B stands for a tally
        result = real(files, **kw)
        for f in result["fields"]:
            if f["id"] == testing.REVIEW_FIELD:
                f.update(id="IV.1.tally", kind="tally", label="Turus Paslon 1", label_en="Tally, Pair 1")
        return result
    monkeypatch.setattr(testing, "grade_upload", with_a_tally_in_review)
    batch(trainer, code, [("017_1.jpg", jpeg_bytes())])
    queue = trainer.get(f"/trainer/latihan/{code}/periksa?lang=id").get_data(as_text=True)
    assert "<code>IV.1 turus</code> Paslon 1<br>" in queue and "Turus Paslon 1" not in queue
    english = trainer.get(f"/trainer/latihan/{code}/periksa?lang=en").get_data(as_text=True)
    assert "<code>IV.1 tally</code> Pair 1<br>" in english and "Tally, Pair 1" not in english


def test_the_insight_histogram_counts_each_score_in_one_range():
    """helper-140: the bars were labelled "0–20, 20–40 …", a 20 in two of them. The ranges do not overlap, and a
    score counts where it is shown (99.9 is shown 99). helper-147: in bars of 20 a class of 90-100 filled one bar;
    they are finer near the top, and a perfect sheet has its own."""
    from grader.web.classroom import _histogram
    bars = _histogram([0, 49.6, 50, 69.99, 70, 89, 90, 94.5, 95, 99.9, 100, 100])
    assert [(b["lo"], b["hi"], b["count"]) for b in bars] == [(0, 49, 2), (50, 69, 2), (70, 79, 1), (80, 89, 1),
                                                              (90, 94, 2), (95, 99, 2), (100, 100, 2)]


def test_a_trainees_attempts_are_named_on_each_of_their_sheets(trainer, code):
    """Rehearsal (helper-141): the class table said "138 (2×)" and linked the newest sheet only; neither sheet's
    page named the other, and the earlier one, corrected by a trainer, said nothing of being left out of the class
    table, the insight and the exports. Each attempt's page lists the trainee's attempts, the counted one last."""
    first = batch(trainer, code, [("138_1.jpg", jpeg_bytes())], client_token="one")
    second = batch(trainer, code, [("138_1.jpg", jpeg_bytes(color="#eee"))], client_token="two")
    ids = [trainer.get(r.location + ".json").get_json()["items"][0]["url"].rstrip("/").rsplit("/", 1)[1]
           for r in (first, second)]
    other = batch(trainer, code, [("139_1.jpg", jpeg_bytes(color="#ddd"))], client_token="three")
    lone = trainer.get(other.location + ".json").get_json()["items"][0]["url"].rstrip("/").rsplit("/", 1)[1]
    old, new = (trainer.get(f"/trainer/lembar/{i}").get_data(as_text=True) for i in ids)
    assert "Peserta ini mengirim lembar lagi sesudah lembar ini" in old and f'href="/trainer/lembar/{ids[1]}"' in old
    assert "Ini percobaan terakhir peserta ini" in new and f'href="/trainer/lembar/{ids[0]}"' in new
    assert 'id="percobaan"' not in trainer.get(f"/trainer/lembar/{lone}").get_data(as_text=True)
    assert "This trainee sent a sheet again after this one" in trainer.get(f"/trainer/lembar/{ids[0]}?lang=en").get_data(
        as_text=True)


def test_a_photo_moved_to_another_exercise_is_skipped_when_the_chat_is_sent_again(app, trainer, code):
    """helper-147 (s48): a class's chat held one sheet of another exercise; "grade it under OTHER01" moved it there,
    and it was graded with its page 2. The chat exported again at lunch and sent under this exercise graded that
    photo a second time: refused again here, moved again, it made a one-page sheet that hid the complete one from
    OTHER01's table. A photo a batch of this exercise stored is skipped whichever exercise its sheet went to."""
    import json as _json

    from grader.exercise.store import exercises_dir
    base = app.config["DATA_DIR"]
    key = _json.loads((exercises_dir(base) / code / "answer_key.json").read_text())
    (exercises_dir(base) / "OTHER01").mkdir()
    (exercises_dir(base) / "OTHER01" / "answer_key.json").write_text(_json.dumps({**key, "exercise": "OTHER01"}))
    chat = [("a_1_otherex.jpg", jpeg_bytes(color="#d8d8d8")), ("b_1.jpg", jpeg_bytes(color="#dadada"))]
    first = batch(trainer, code, chat, client_token="morning")
    token = first.location.rstrip("/").rsplit("/", 1)[1]
    # (one sheet of the batch: its button says so, not "grade them all", which read as the whole batch: helper-147)
    offer = trainer.get(first.location).get_data(as_text=True)
    assert "Nilai lembar itu dengan latihan OTHER01" in offer and "Nilai semuanya" not in offer
    moved = trainer.post(f"/trainer/batch/{token}/latihan", data={"csrf_token": csrf_of(trainer, first.location),
                                                                  "code": "OTHER01"})
    assert moved.status_code == 303
    rows = trainer.get("/trainer/latihan/OTHER01/hasil.json").get_json()["rows"]
    assert len(rows) == 1 and rows[0]["status"] == "graded"
    again = batch(trainer, code, chat + [("c_1.jpg", jpeg_bytes(color="#dcdcdc"))], client_token="lunch")
    assert [i["trainee"] for i in trainer.get(again.location + ".json").get_json()["items"]] == ["c"]
    page = trainer.get(again.location).get_data(as_text=True)
    assert page.count("sudah pernah dikirim dan ada di lembar") == 2
    assert re.search(r'ada di lembar <a href="/trainer/lembar/\d+">a \(OTHER01\)</a>', page)     # (where it went)
    assert trainer.get("/trainer/latihan/OTHER01/hasil.json").get_json()["rows"] == rows


def test_a_batch_sheet_links_its_trainee_to_their_result_page_on_its_printout_and_its_page(app, trainer, code,
                                                                                          monkeypatch):
    """helper-147 (s48): a trainee whose sheet a trainer graded in a batch had no way to their result page, and so
    none to dispute a misread: no trainer page linked it and the printout had no code. The trainer's printout now
    carries the page's address and QR code (opened at an address phones can reach: from 127.0.0.1 it would lead
    nowhere), and the sheet's page links it; the trainee's own printout does not repeat it."""
    sent = batch(trainer, code, [("017_1.jpg", jpeg_bytes())])
    sid = trainer.get(sent.location + ".json").get_json()["items"][0]["url"].rstrip("/").rsplit("/", 1)[1]
    with app.app_context():
        from grader.web.db import get_db
        token = get_db().execute("SELECT token FROM submissions WHERE id=?", (sid,)).fetchone()["token"]
    page = trainer.get(f"/trainer/lembar/{sid}").get_data(as_text=True)
    assert f'href="/hasil/{token}" target="_blank" rel="noopener" data-trainee-page>Halaman hasil untuk peserta' in page
    local = trainer.get(f"/trainer/lembar/{sid}/cetak").get_data(as_text=True)       # (the test client's localhost)
    assert "Umpan balik latihan C.Hasil" in local and "<svg" not in local and f"/hasil/{token}" not in local
    # (and the sheet's page and the class table say why, there: helper-149 printed from 127.0.0.1, untold)
    for page in (trainer.get(f"/trainer/lembar/{sid}"), trainer.get(f"/trainer/latihan/{code}/hasil")):
        assert ('data-no-qr>Dibuka lewat localhost, alamat yang tidak bisa dibuka ponsel: cetakan tanpa kode QR'
                in page.get_data(as_text=True))
    import grader.web.trainer.screen as screen
    seen = []
    monkeypatch.setattr(screen, "reachable_by_phones", lambda host: seen.append(host) or True)   # (a LAN address)
    printed = trainer.get(f"/trainer/lembar/{sid}/cetak").get_data(as_text=True)
    assert seen and f'<a href="http://localhost/hasil/{token}">' in printed and "<svg" in printed
    assert "data-no-qr" not in trainer.get(f"/trainer/lembar/{sid}").get_data(as_text=True)
    assert "pindai kodenya untuk melihat dan menyanggah bacaan kami" in printed
    own = app.test_client().get(f"/hasil/{token}/cetak").get_data(as_text=True)
    assert "Umpan balik latihan C.Hasil" in own and "<svg" not in own
    # the address is the one the printout was opened at (a phone on the network opens it)
    from grader.web.trainee.results import result_link
    with app.test_request_context("/", base_url="http://192.168.1.20:8000"):
        link = result_link({"token": token})
    assert link["url"] == f"http://192.168.1.20:8000/hasil/{token}" and str(link["qr"]).startswith("<svg")


def test_the_class_prints_every_trainees_feedback_at_once_a_page_each(trainer, code):
    """helper-147 (s48): a class of 20 was 20 tabs to print. The class table offers every trainee's feedback in one
    document, a page each, in the table's order: the latest graded sheet of each, none for a photo refused whole."""
    batch(trainer, code, [("021_1.jpg", jpeg_bytes()), ("017_1.jpg", jpeg_bytes(color="#eee")),
                          ("030_1_blur.jpg", jpeg_bytes(color="#ddd"))])
    table = trainer.get(f"/trainer/latihan/{code}/hasil").get_data(as_text=True)
    assert (f'href="/trainer/latihan/{code}/cetak?sort=trainee&amp;dir=asc" target="_blank" rel="noopener" '
            'data-class-printout>') in table
    doc = trainer.get(f"/trainer/latihan/{code}/cetak").get_data(as_text=True)
    assert doc.count('<section class="sheet">') == 2 and ".sheet + .sheet { break-before: page; }" in doc
    assert doc.index("Peserta: <b>017</b>") < doc.index("Peserta: <b>021</b>")
    # (the refused photo has no page, and is named above the first, on the screen only: helper-148)
    assert "Peserta: <b>030</b>" not in doc and re.search(r'<p class="skipped review">[^<]*: 030</p>', doc)
    turned = trainer.get(f"/trainer/latihan/{code}/cetak?sort=trainee&dir=desc").get_data(as_text=True)
    assert turned.index("Peserta: <b>021</b>") < turned.index("Peserta: <b>017</b>")     # (as the table was sorted)
    assert f"<title>Umpan balik kelas {code}</title>" in doc
    one = trainer.get("/trainer/lembar/1/cetak").get_data(as_text=True)
    assert one.count('<section class="sheet">') == 1 and "<title>Umpan balik 021</title>" in one
    empty = trainer.post("/trainer/latihan", data={"csrf_token": csrf_of(trainer, "/trainer/"), "contest": "bupati",
                                                   "pairs": "2"})
    other = empty.location.rstrip("/").rsplit("/", 1)[1]
    nothing = trainer.get(f"/trainer/latihan/{other}/cetak", follow_redirects=True).get_data(as_text=True)
    assert "Belum ada lembar yang dinilai untuk dicetak." in nothing


def test_the_class_printout_offers_print_and_a_way_back_to_the_class_table_as_it_was_sorted(trainer, code):
    """helper-188: the whole class's printout (opened in a new tab from the class table) had no "Cetak" button, as a
    phone's browser hides printing in a menu, nor a way back, where the single sheet's printout has both (commit "The
    printable feedback fits a 320 px phone..."). It has them now, on the screen only (report.py's .actions, hidden by
    @media print; the button wired by static/print.js), the way back to the table in the order it was sorted."""
    batch(trainer, code, [("021_1.jpg", jpeg_bytes()), ("017_1.jpg", jpeg_bytes(color="#eee"))])
    doc = trainer.get(f"/trainer/latihan/{code}/cetak?sort=score&dir=desc").get_data(as_text=True)
    assert ('<nav class="actions"><button type="button" data-print hidden>Cetak</button>'
            f'<a href="/trainer/latihan/{code}/hasil?sort=score&amp;dir=desc">← Kembali ke hasil</a></nav>') in doc
    assert '<script src="/static/print.js" defer></script>' in doc and "@media print { .actions { display: none; } }" \
        in doc
    assert doc.count("data-print") == 1 and doc.count('<section class="sheet">') == 2     # (once for the class)
    plain = trainer.get(f"/trainer/latihan/{code}/cetak").get_data(as_text=True)
    assert f'<a href="/trainer/latihan/{code}/hasil?sort=trainee&amp;dir=asc">' in plain
    english = trainer.get(f"/trainer/latihan/{code}/cetak?lang=en").get_data(as_text=True)
    assert "data-print" in english and "← Back to the results</a>" in english       # (the class's, not one result)
    assert trainer.get("/static/print.js").status_code == 200


def test_the_same_correction_saved_twice_is_one_correction(app, trainer, code):
    """helper-147 (s48): Enter pressed twice on the review queue's last item stored the same correction twice, one
    second apart, and the sheet's history listed it twice. The same trainer saving the same number again records
    nothing new; another number does."""
    resp = batch(trainer, code, [("a_1.jpg", jpeg_bytes())])
    sid = trainer.get(resp.location + ".json").get_json()["items"][0]["url"].rstrip("/").rsplit("/", 1)[1]
    fetch = {"X-Requested-With": "fetch", "X-CSRF-Token": csrf_of(trainer, "/trainer/")}

    def save(value, seen):
        return trainer.post(f"/trainer/lembar/{sid}/koreksi", headers=fetch,
                            data={"field": "V.B", "value": value, "seen": seen}).get_json()

    first = save("53", "")
    again = save("53", first["seen"])
    assert first["ok"] and again["ok"] and again["seen"] == first["seen"]
    other = save("58", again["seen"])
    assert other["ok"]
    with app.app_context():
        from grader.web.db import get_db
        rows = get_db().execute("SELECT value FROM corrections WHERE submission_id=? AND field_id='V.B' ORDER BY id",
                                (sid,)).fetchall()
    assert [r["value"] for r in rows] == [53, 58]


def _batch_with_a_second_photo_of_page_2(app, trainer, code, second: str, order: str):
    """Andi_1.jpg and Andi_2.jpg (trainee 101's pages, one sheet by their names) and ``second``, another photo of
    101's page 2, in one batch, ``second`` last or first: the batch's status, the class rows, the stored photos of
    the sheets graded (in their order)."""
    photos = [("qr-101-andi_1.jpg", jpeg_bytes()), ("qr-101-andi_2.jpg", jpeg_bytes(color="#eee"))]
    duplicate = (second, jpeg_bytes((300, 400), color="#ddd"))
    photos = photos + [duplicate] if order == "complete_first" else [duplicate] + photos
    resp = batch(trainer, code, photos, client_token="r165")
    status = trainer.get(resp.location + ".json").get_json()
    assert status["complete"]
    assert [i["trainee"] for i in status["items"]] == ["101"]
    with app.app_context():
        from grader.web.classroom import latest_sheets
        from grader.web.db import get_db
        rows = latest_sheets(get_db(), code)
        stored = [r["filename"] for r in get_db().execute(
            "SELECT filename FROM uploads u JOIN submissions s ON s.id=u.submission_id WHERE s.state='done' "
            "ORDER BY u.position")]
    assert [(r["trainee"], r["attempts"], r["result_status"]) for r in rows] == [("101", 1, "graded")]
    assert rows[0]["score"] is not None
    return status, stored


@pytest.mark.parametrize("order", ["complete_first", "duplicate_first"])
def test_a_second_photo_of_a_page_a_sheet_of_the_batch_holds_joins_that_sheet(app, trainer, code, order):
    """Class rehearsal reh165: one batch held Andi_1.jpg and Andi_2.jpg (trainee 101, pages 1 and 2, one sheet by
    their names) and IMG-…-WA0099.jpg, a second photo of 101's page 2 (named by its QR). The lone photo stayed a
    sheet of its own, 'Sebagian — Halaman 1 belum dikirim', with a later id than the complete sheet: the class table
    showed '101 (2×) Sebagian —', the complete sheet's score left out of it, the mean, the insight and the exports.
    It now joins the complete sheet, as ``grader grade`` makes one sheet of a trainee's page photographed twice: one
    row for 101, the complete sheet's score, every photo kept and shown on that sheet."""
    status, stored = _batch_with_a_second_photo_of_page_2(app, trainer, code, "qr-101-solo-wa0099_2.jpg", order)
    # every photo kept, on the sheet the table shows; the second photo first, so that the last photo of page 2,
    # the one graded, is the complete sheet's own
    assert stored == ["qr-101-solo-wa0099_2.jpg", "qr-101-andi_1.jpg", "qr-101-andi_2.jpg"]
    sheet = trainer.get(status["items"][0]["url"]).get_data(as_text=True)
    assert "qr-101-solo-wa0099_2.jpg" in sheet and "Halaman 1 belum dikirim" not in sheet
    assert "mengirim lembar lagi sesudah lembar ini" not in sheet


@pytest.mark.parametrize("order", ["complete_first", "refused_first"])
def test_a_refused_second_photo_of_a_page_a_sheet_of_the_batch_holds_joins_that_sheet(app, trainer, code, order):
    """As a second photo of a page joins the sheet of the batch that holds it (above), so does one refused once
    located: IMG-…-WA0099.jpg, 101's page 2 again under glare or too dark, its QR read (the stand-in's "blur" refusal
    names its page and QR so), beside Andi_1.jpg and Andi_2.jpg stayed a refused sheet of its own; stored after the
    complete sheet, it stood in the class table for 101, 'Ditolak', the 97.4 left out of the table, the mean, the
    insight and the exports. One row for 101 now, graded, every photo kept, the refused one's reason said on the
    sheet. (The real pipeline grades such a sheet: every page read, one photo refused.)"""
    second = "qr-101-solo-blur-wa0099_2.jpg"
    status, stored = _batch_with_a_second_photo_of_page_2(app, trainer, code, second, order)
    assert sorted(stored) == sorted([second, "qr-101-andi_1.jpg", "qr-101-andi_2.jpg"])
    sheet = trainer.get(status["items"][0]["url"]).get_data(as_text=True)
    assert second in sheet and "Foto terlalu buram" in sheet
    assert "Halaman 2 belum dikirim" not in sheet


@pytest.mark.parametrize("order", ["complete_first", "refused_first"])
def test_a_refused_photo_of_a_page_graded_from_another_photo_asks_for_no_retake(app, trainer, code, order):
    """Class rehearsal helper-168: a chat export held Citra's page 2 twice, first too dark, then fine; the sheet was
    graded whole from the fine one, yet its page and the trainee's result said "Foto perlu diulang — halaman 2",
    offered "Foto ulang" and said "Foto halaman 1 sudah tersimpan … Cukup foto ulang yang ini". Citra retook page 2
    as told, and the retake was refused as page 2 again, its graded photo kept. The refused photo's card now says
    its page is graded from the other photo, naming it, and offers no retake; its reason is still said."""
    second = "qr-101-solo-blur-wa0099_2.jpg"
    status, stored = _batch_with_a_second_photo_of_page_2(app, trainer, code, second, order)
    sheet = trainer.get(status["items"][0]["url"]).get_data(as_text=True)
    result = app.test_client().get(re.search(r'href="(/hasil/[^"/]+)"', sheet).group(1)).get_data(as_text=True)
    for html in (sheet, result):
        card = html[html.index('id="ulang-'):]
        card = card[:card.index("</div>\n")]
        assert "Foto terlalu buram" in card and "Foto perlu diulang" not in card
        assert "Dinilai dari foto lain — halaman 2" in card
        assert "Halaman 2 sudah dinilai dari foto qr-101-andi_2.jpg; foto ini tidak perlu diulang." in card
        assert "Foto ulang" not in card and "Cukup foto ulang yang ini" not in card
        assert 'class="card refused"' not in html
    # a retake sent as the old page asked (its form kept open on the phone): page 2 again, its graded photo kept;
    # its card says so, and no longer "Cukup foto ulang yang ini" of a photo whose page is graded
    trainee = app.test_client()
    link = re.search(r'href="(/hasil/[^"/]+)"', sheet).group(1)
    trainee.get(link)
    position = stored.index(second) + 1
    retake = trainee.post(link + "/ulang", content_type="multipart/form-data", data={
        "csrf_token": csrf_of(trainee), "position": str(position),
        "photo": (io.BytesIO(jpeg_bytes(color="#ccc")), "qr-101-solo-ulang_2.jpg")})
    html = trainee.get(retake.location).get_data(as_text=True)
    assert "Diganti foto terakhirnya — halaman 2" in html and "Cukup foto ulang yang ini" not in html


@pytest.mark.parametrize("how", ["lengkapi", "ulang"])
def test_a_batch_sheet_its_trainee_sent_again_no_longer_asks_for_a_retake_on_the_batch_page(app, trainer, code, how):
    """Class rehearsal helper-168: Dewi sent only page 1 in the class's chat export, and Citra's page 2 was refused;
    each sent the page from their result page, and the new sheet joined the batch as a row of its own. The batch
    page still said "104 Sebagian — Halaman 2 belum dikirim" (and the refused row "Ditolak") above it, and its
    counter "sebagian: 1" (or "ditolak: 1"), a retake still owed. The earlier row now says the trainee sent it again,
    linking the newer sheet, without a score, and the counter no longer counts it."""
    first = ("qr-104-solo_1.jpg", jpeg_bytes()) if how == "lengkapi" else ("qr-104-solo-blur_2.jpg", jpeg_bytes())
    resp = batch(trainer, code, [first] + ([("qr-104-solo_1.jpg", jpeg_bytes(color="#eee"))] if how == "ulang" else []))
    status = trainer.get(resp.location + ".json").get_json()
    assert status["partial"] == 1 and status["refused"] == 0
    (item,) = status["items"]
    sheet = trainer.get(item["url"]).get_data(as_text=True)
    link = re.search(r'href="(/hasil/[^"/]+)"', sheet).group(1)
    phone = app.test_client()
    phone.get(link)
    if how == "lengkapi":
        data = {"csrf_token": csrf_of(phone), "photo": (io.BytesIO(jpeg_bytes(color="#ddd")), "qr-104-solo_2.jpg")}
    else:
        position = 1 + [p["file"] for p in json.loads(_result_of(app, item["id"]))["pages"]].index(first[0])
        data = {"csrf_token": csrf_of(phone), "position": str(position),
                "photo": (io.BytesIO(jpeg_bytes(color="#ddd")), "qr-104-solo_2.jpg")}
    sent = phone.post(f"{link}/{how}", data=data, content_type="multipart/form-data")
    assert phone.get(sent.location + ".json").get_json()["status"] == "graded"
    status = trainer.get(resp.location + ".json").get_json()
    old, new = status["items"]
    assert (old["id"], old["badge"], old["score"]) == (item["id"], "retaken", None)
    assert old["moved_to"]["url"] == new["url"] and new["badge"] == "done" and new["score"] is not None
    assert status["partial"] == 0 and status["refused"] == 0
    page = trainer.get(resp.location).get_data(as_text=True)
    row = page[page.index(f'data-id="{item["id"]}"'):]
    row = row[:row.index("</tr>")]
    assert "Dikirim ulang oleh peserta" in row and f'href="{new["url"]}"' in row
    assert "belum dikirim" not in row and "Sebagian" not in row


def _result_of(app, sid: int) -> str:
    with app.app_context():
        from grader.web.db import get_db
        return get_db().execute("SELECT result FROM submissions WHERE id=?", (sid,)).fetchone()["result"]


def test_batch_page_says_a_number_read_unsure_on_a_sheet_refused_as_another_exercises_with_its_unsure_boxes(app):
    """Class rehearsal helper-168: a photo of another exercise's sheet in the class's chat export, trainee 131
    written in its boxes, read "631" with only its middle box sure (``sure`` "?3?"). The batch page's "Tertulis di
    lembar", the only word of it (a refused page has no picture of its number), said "nomor peserta 631" as a fact.
    It says "?3?", as the sheet page's number input starts with; a number no box of which was read sure, nothing."""
    from grader.web.trainer.batch_status import written_on

    def row(*numbers):
        pages = [{"page": 1, "sheet_exercise": "OTHER01", "trainee_number": n} for n in numbers]
        return {"id": 1, "token": "none", "state": "done", "updated_at": "", "result": json.dumps({"pages": pages})}
    with app.test_request_context("/?lang=id"):
        assert written_on(row({"value": "631", "status": "review", "sure": "?3?"})) == \
            "kode latihan OTHER01 · nomor peserta ?3?"
        assert written_on(row({"value": "061", "status": "ok", "sure": "061"})) == \
            "kode latihan OTHER01 · nomor peserta 061"
        assert written_on(row({"value": "631", "status": "review", "sure": "???"})) == "kode latihan OTHER01"
        assert written_on(row({"value": "061", "status": "ok"})) == "kode latihan OTHER01 · nomor peserta 061"


def test_a_batch_merged_again_leaves_a_sheet_its_trainee_completed_from_its_result_page_alone(app, trainer, code):
    """Class rehearsal helper-168: Dewi (104) sent only page 1 in the class's chat export and added page 2 from her
    result page ("Lengkapi lembar ini": a new sheet of both photos, ``retake_of`` the half, in the batch too). When the
    batch was merged again (here: the trainer types the number of a sheet nothing named; there: "Nilai semuanya
    dengan latihan X"), the half, a one-photo sheet nothing marked replaced, was taken as a second photo of page 1
    beside Dewi's completed sheet: merged into a third sheet holding her page 1 photo twice, one refused as "Foto ini
    halaman 1 lagi", her corrections copied twice. The merge step takes no sheet its trainee sent again since."""
    resp = batch(trainer, code, [("qr-104-solo_1.jpg", jpeg_bytes()), ("IMG_1234.jpg", jpeg_bytes(color="#d5d5d5"))])
    items = {i["trainee"]: i for i in trainer.get(resp.location + ".json").get_json()["items"]}
    half = items["104"]
    sheet = trainer.get(half["url"]).get_data(as_text=True)
    link = re.search(r'href="(/hasil/[^"/]+)"', sheet).group(1)
    phone = app.test_client()
    phone.get(link)
    added = phone.post(f"{link}/lengkapi", content_type="multipart/form-data", data={
        "csrf_token": csrf_of(phone), "photo": (io.BytesIO(jpeg_bytes(color="#ddd")), "qr-104-solo_2.jpg")})
    assert phone.get(added.location + ".json").get_json()["status"] == "graded"
    nameless = items["IMG_1234"]["url"].rsplit("/", 1)[1]
    token = csrf_of(trainer, f"/trainer/lembar/{nameless}")
    assert trainer.post(f"/trainer/lembar/{nameless}/peserta",
                        data={"csrf_token": token, "number": "105"}).status_code == 303
    with app.app_context():
        from grader.web.db import get_db
        sheets = [dict(r) for r in get_db().execute(
            "SELECT s.id, s.state, s.retake_of, (SELECT COUNT(*) FROM uploads u WHERE u.submission_id=s.id) AS photos "
            "FROM submissions s WHERE s.trainee='104' ORDER BY s.id")]
    assert [(s["state"], s["photos"]) for s in sheets] == [("done", 1), ("done", 2)]
    row = next(r for r in trainer.get(f"/trainer/latihan/{code}/hasil.json").get_json()["rows"] if r["trainee"] == "104")
    assert row["url"] == f"/trainer/lembar/{sheets[1]['id']}" and row["status"] == "graded"
    assert "halaman 1 lagi" not in trainer.get(row["url"]).get_data(as_text=True)


def test_a_batch_moves_no_stray_sheet_its_trainee_sent_again(app, trainer, code):
    """Rehearsal (helper-169): Dewi (104) retook page 1 of her batch sheet from her result page with a photo of
    another exercise's printout (refused: "Lembar ini untuk latihan OTHER01"), then again, from that refusal's page,
    with her own sheet. The batch page still offered "Nilai lembar itu dengan latihan OTHER01" for the stray photo she
    had replaced, and the button graded it there: OTHER01's class table then listed 104 with a sheet she never meant
    for it. A sheet its trainee sent again since is neither counted among the strays to move nor moved, from the batch
    page or from its own."""
    import json as _json

    from grader.exercise.store import exercises_dir
    base = app.config["DATA_DIR"]
    key = _json.loads((exercises_dir(base) / code / "answer_key.json").read_text())
    (exercises_dir(base) / "OTHER01").mkdir()
    (exercises_dir(base) / "OTHER01" / "answer_key.json").write_text(_json.dumps({**key, "exercise": "OTHER01"}))
    resp = batch(trainer, code, [("qr-104-solo_1.jpg", jpeg_bytes())])
    (item,) = trainer.get(resp.location + ".json").get_json()["items"]
    link = re.search(r'href="(/hasil/[^"/]+)"', trainer.get(item["url"]).get_data(as_text=True)).group(1)
    phone = app.test_client()
    phone.get(link)

    def retake(page, name, color):
        sent = phone.post(f"{page}/ulang", data={"csrf_token": csrf_of(phone, page), "position": "1",
                                                 "photo": (io.BytesIO(jpeg_bytes(color=color)), name)},
                          content_type="multipart/form-data")
        assert sent.status_code == 302, sent.status_code
        return sent.location
    stray = retake(link, "qr-104-solo-otherex_1.jpg", "#eee")
    assert phone.get(stray + ".json").get_json()["status"] == "refused"
    offer = "1 lembar di unggahan ini dicetak untuk latihan OTHER01"
    assert offer in trainer.get(resp.location).get_data(as_text=True)      # the stray, while it is her latest
    mine = retake(stray, "qr-104-solo_1.jpg", "#ddd")
    assert phone.get(mine + ".json").get_json()["status"] == "partial"
    status = trainer.get(resp.location + ".json").get_json()
    assert [it["badge"] for it in status["items"]] == ["retaken", "retaken", "partial"]
    page = trainer.get(resp.location).get_data(as_text=True)
    assert offer not in page and "dengan latihan OTHER01" not in page
    moved = trainer.post(resp.location + "/latihan", data={"csrf_token": csrf_of(trainer, resp.location),
                                                           "code": "OTHER01"})
    assert moved.status_code == 303
    assert "0 lembar dinilai ulang dengan latihan OTHER01." in trainer.get(resp.location).get_data(as_text=True)
    assert trainer.get("/trainer/latihan/OTHER01/hasil.json").get_json()["rows"] == []
    # nor the stray's own page, nor its button's address (the same rule: results.printed_for)
    with app.app_context():
        from grader.web.db import get_db
        (sid,) = get_db().execute("SELECT id FROM submissions WHERE result_status='refused'").fetchone()
    sheet = f"/trainer/lembar/{sid}"
    assert "Nilai dengan latihan OTHER01" not in trainer.get(sheet).get_data(as_text=True)
    refused = trainer.post(sheet + "/latihan", data={"csrf_token": csrf_of(trainer, sheet), "code": "OTHER01"})
    assert refused.status_code == 400
    assert trainer.get("/trainer/latihan/OTHER01/hasil.json").get_json()["rows"] == []
    with app.app_context():
        from grader.web.db import get_db
        assert {r["exercise"] for r in get_db().execute("SELECT exercise FROM submissions")} == {code}
