"""Trainee pages through the Flask test client, with the fake pipeline run inline."""
import csv
import io
import json
import re
from pathlib import Path

import pytest
from PIL import Image

from grader.web.testing import csrf_of, jpeg_bytes, log_in, make_test_app, stored_an_hour_ago


# A second page's photo other than jpeg_bytes(): the same photo chosen for both pages is graded once (upload.py)
OTHER_PHOTO = jpeg_bytes(color="#f7f7f7")


def upload(client, *, code="", trainee="017", photos=None, token=None, client_token=None, replaces=None, lang=None):
    token = token or csrf_of(client)
    data = {"csrf_token": token, "code": code, "trainee": trainee}
    if client_token:
        data["client_token"] = client_token
    if replaces:                  # (what the page's script sends: the tokens of the sendings this one corrects)
        data["replaces"] = replaces
    for i, (name, content) in enumerate(photos or [("017_1.jpg", jpeg_bytes())], start=1):
        data[f"photo_{i}"] = (io.BytesIO(content), name)
    url = "/?lang=en" if lang else "/"
    return client.post(url, data=data, content_type="multipart/form-data")


def test_upload_page_is_indonesian_with_photo_inputs_camera_or_gallery_and_english_on_request(client):
    html = client.get("/").get_data(as_text=True)
    assert 'lang="id"' in html and "Kirim foto lembar latihan" in html
    # no capture attribute: on Android it opens the camera only, and a photo already in the gallery or sent
    # through a chat app could not be picked; without it the phone offers the camera and the gallery
    assert html.count('type="file" name="photo_') == 2 and html.count('accept="image/*,.pdf,application/pdf"') == 2 and "capture=" not in html
    assert "https://" not in html and "http://" not in html      # no CDN, nothing external
    en = client.get("/?lang=en").get_data(as_text=True)
    assert 'lang="en"' in en and "Send a photo of your practice sheet" in en
    # the choice is remembered in a cookie
    assert "Send a photo of your practice sheet" in client.get("/").get_data(as_text=True)


def test_upload_then_result_shows_score_sections_rules_and_fixes(client, code):
    resp = upload(client, code=code, photos=[("017_1.jpg", jpeg_bytes()), ("017_2.jpg", jpeg_bytes())])
    assert resp.status_code == 302 and resp.location.startswith("/hasil/")
    html = client.get(resp.location).get_data(as_text=True)
    assert "Hasil penilaian" in html
    assert re.search(r"<b>9\d</b>", html)                           # the fake gets one field wrong
    # one field waits for a trainer, so the score is said to be provisional, on the page and on paper
    assert '<span class="badge review">sementara</span>' in html and "Terbaca" in html and "Tertulis" not in html
    # the field in review shows "?" at the box we were unsure of, not our guess as a number (helper-140)
    assert re.search(r'id="f-V.B" role="row">.*?data-label="Terbaca">XX\?</td>', html, re.S)
    assert "/100 sementara" in client.get(resp.location + "/cetak").get_data(as_text=True)
    assert "II. Data penggunaan surat suara" in html and "IV. Perolehan suara" in html
    assert "Aturan hitungan yang dilanggar" in html and "Surat suara diterima" in html
    assert "Yang perlu diperbaiki" in html and "Tiga hal" not in html   # one mistake, not "three"
    img = re.search(r'src="(/hasil/[^"]+/gambar/page1.png)\?v=[^"&]+&amp;w=900"', html).group(1)
    got = client.get(img)
    assert got.status_code == 200 and got.data[:4] == b"\x89PNG"
    small = client.get(img + "?w=480")                                  # the phone copy is a JPEG
    assert small.status_code == 200 and small.data[:3] == b"\xff\xd8\xff"
    assert client.get(img + "?w=123").data[:4] == b"\x89PNG"             # other widths: the original
    status = client.get(resp.location + ".json").get_json()
    assert status["state"] == "done" and status["score"] > 90


def test_the_marked_pages_are_shown_in_page_order_whichever_input_each_photo_was_chosen_in(client, code):
    """Walk-through: page 2's photo chosen in the first input and page 1's in the second were graded as the right
    pages, but the result showed "Halaman 2" before (on a wide screen, left of) "Halaman 1"."""
    resp = upload(client, code=code, photos=[("017_p2.jpg", jpeg_bytes()), ("017_p1.jpg", OTHER_PHOTO)])
    html = client.get(resp.location).get_data(as_text=True)
    first, second = html.find('alt="Halaman 1 bertanda"'), html.find('alt="Halaman 2 bertanda"')
    assert 0 <= first < second


def test_the_upload_is_stored_before_grading(app, client, code):
    resp = upload(client, code=code)
    token = resp.location.rsplit("/", 1)[1]
    folder = app.config["DATA_DIR"] / "submissions" / token / "upload"
    assert [p.name for p in folder.iterdir()] == ["01-017_1.jpg"]
    with app.app_context():
        from grader.web.db import get_db
        row = get_db().execute("SELECT u.sha256, s.state FROM uploads u JOIN submissions s ON s.id=u.submission_id")\
            .fetchone()
    assert row["state"] == "done" and len(row["sha256"]) == 64


def test_wrong_exercise_code_keeps_the_photos_and_asks_for_the_code(app, client, code):
    resp = upload(client, code="ZZZZZZ", trainee="Siti")
    assert resp.status_code == 302
    held = client.get(resp.location).get_data(as_text=True)
    assert "Kode latihan ZZZZZZ tidak ditemukan" in held and "tidak perlu memilihnya lagi" in held
    assert client.get(resp.location + ".json").get_json()["state"] == "held"
    token = csrf_of(client)
    again = client.post(resp.location + "/kode", data={"csrf_token": token, "code": "QQQQQQ"})
    assert again.status_code == 400 and "Kode latihan QQQQQQ tidak ditemukan" in again.get_data(as_text=True)
    fixed = client.post(resp.location + "/kode", data={"csrf_token": token, "code": code.lower()})
    assert fixed.status_code == 302
    result = client.get(fixed.location).get_data(as_text=True)
    assert "Hasil penilaian" in result and code in result
    # a second fix of the same upload changes nothing
    assert client.post(resp.location + "/kode", data={"csrf_token": token, "code": "x"}).status_code == 302


def test_a_sheet_printed_for_another_exercise_asks_for_the_code_not_a_retake(client, code):
    """The photos are fine, the code typed is not the sheet's: a retake cannot fix that, a corrected code can (the
    sheet's own exercise, OTHER01, is one this server has)."""
    import shutil

    from grader.exercise.store import exercises_dir
    (exercises_dir() / "OTHER01").mkdir()
    shutil.copy(exercises_dir() / code / "answer_key.json", exercises_dir() / "OTHER01" / "answer_key.json")
    resp = upload(client, code=code, trainee="Siti", photos=[("s_1_otherex.jpg", jpeg_bytes()),
                                                               ("s_2_otherex.jpg", jpeg_bytes())])
    held = client.get(resp.location).get_data(as_text=True)
    assert client.get(resp.location + ".json").get_json()["state"] == "held"
    assert re.search(rf"Lembar ini untuk latihan OTHER01 \(\d paslon\), bukan {code}", held)
    assert "tidak perlu memilihnya lagi" in held and "Foto ulang" not in held


def test_a_sheet_of_another_class_tells_the_trainee_to_photograph_their_own_not_only_to_empty_the_code(client,
                                                                                                        code):
    """helper-142: a trainee sent by the class's QR photographed another exercise's sheet. The page only said to
    type the right code or leave it empty, and empty graded the sheet in the other class's table, out of their
    trainer's sight; typing their class's code again led back to the same page. Now it first says to fill in and
    photograph a sheet of their own exercise, with the link to send one; the code typed again is refused at once."""
    import shutil

    from grader.exercise.store import exercises_dir
    (exercises_dir() / "OTHER01").mkdir()
    shutil.copy(exercises_dir() / code / "answer_key.json", exercises_dir() / "OTHER01" / "answer_key.json")
    resp = upload(client, code=code, trainee="Siti", photos=[("s_1_otherex.jpg", jpeg_bytes())])
    held = client.get(resp.location).get_data(as_text=True)
    assert "<h1>Lembar ini untuk latihan lain</h1>" in held
    own = held.index(f"Latihan Anda {code}?")
    assert own < held.index("Latihan Anda memang OTHER01?")
    assert f"Isi lembar latihan {code} (minta kepada pelatih bila belum punya)" in held
    assert f'href="/?kode={code}">Kirim foto lembar lain</a>' in held
    token = csrf_of(client, resp.location)
    again = client.post(resp.location + "/kode", data={"csrf_token": token, "code": code.lower()})
    assert again.status_code == 400
    assert f"Lembar ini tetap bukan lembar latihan {code}" in again.get_data(as_text=True)
    assert client.get(resp.location + ".json").get_json()["state"] == "held"       # (not graded again for nothing)
    english = client.get(resp.location + "?lang=en").get_data(as_text=True)
    assert "This sheet is for another exercise" in english and f"Is your exercise {code}?" in english


def test_the_upload_page_offers_the_blank_sheet_of_its_exercise(client, code):
    """helper-142: "Unduh lembar latihan kosong" on the class's upload page opened the list of every form (18
    choices), not saying which one the exercise is. With a known code it is that exercise's sheet, its code in the
    QR; the list stays a link away."""
    import json

    from grader.exercise.store import exercises_dir
    key = json.loads((exercises_dir() / code / "answer_key.json").read_text())
    page = client.get(f"/?kode={code}").get_data(as_text=True)
    link = re.search(r'<a href="([^"]+)">Unduh lembar latihan kosong untuk latihan ' + code + "</a>", page)
    assert link and f"contest={key['contest']}" in link.group(1) and f"pairs={key['pairs']}" in link.group(1)
    pdf = client.get(link.group(1).replace("&amp;", "&"))
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert f"exercise={code}" in link.group(1) and 'href="/forms/">lembar lain</a>' in page
    assert 'href="/forms/">Unduh lembar latihan kosong</a>' in client.get("/?kode=NOSUCH").get_data(as_text=True)


def test_pending_page_stops_polling_when_the_upload_is_held(app):
    """A job that holds the upload for its code must take the waiting trainee to the code form."""
    html = (Path(app.root_path) / "templates" / "trainee" / "pending.html").read_text()
    assert 'data-poll-until="done,failed,held"' in html


def test_one_good_page_and_one_of_another_exercise_is_graded_in_part(client, code):
    resp = upload(client, code=code, trainee="Siti", photos=[("s_1.jpg", jpeg_bytes()),
                                                               ("s_2_otherex.jpg", OTHER_PHOTO)])
    html = client.get(resp.location).get_data(as_text=True)
    assert client.get(resp.location + ".json").get_json()["state"] == "done"
    assert "Lembar ini untuk latihan OTHER01" in html and "Halaman ini tidak dinilai" in html
    assert "Foto perlu diulang" not in html                      # a better photo would not help


def test_wrong_code_without_a_photo_is_explained_on_the_form(client):
    resp = upload(client, code="ZZZZZZ", trainee="Siti", photos=[("a.jpg", b"")])
    html = resp.get_data(as_text=True)
    assert resp.status_code == 400
    assert "Kode latihan ZZZZZZ tidak ditemukan" in html and 'value="Siti"' in html


@pytest.mark.parametrize("typed", [".", "./", "NJE-3T7"])
def test_a_typed_code_is_never_taken_for_a_key_file(client, code, app, tmp_path, monkeypatch, typed):
    """Review: a code typed as "." graded the sheet with whatever answer_key.json lay in the server's working
    folder, and stored the sheet under exercise "." (in no class table, queue or export)."""
    from grader.exercise.store import exercises_dir

    monkeypatch.chdir(tmp_path)
    (tmp_path / "answer_key.json").write_bytes((exercises_dir() / code / "answer_key.json").read_bytes())
    resp = upload(client, code=typed, trainee="Siti")
    assert resp.status_code == 302                     # kept, and held for a code (as any unknown code)
    held = client.get(resp.location).get_data(as_text=True)
    assert f"Kode latihan {typed} tidak ditemukan" in held and "Hasil penilaian" not in held
    assert client.get(resp.location + ".json").get_json()["state"] == "held"


def test_every_interface_string_has_an_english_translation():
    import re
    from pathlib import Path
    from grader.web.i18n_en import EN
    root = Path(__import__("grader.web").web.__file__).parent
    missing = set()
    for path in root.rglob("*.html"):
        for m in re.finditer(r"""_\(\s*(["'])((?:(?!\1).)*)\1""", path.read_text()):
            if m.group(2) not in EN:
                missing.add((path.name, m.group(2)))
    import ast
    for path in root.rglob("*.py"):      # (parsed: a string written over several lines is one string)
        for call in ast.walk(ast.parse(path.read_text())):
            if (isinstance(call, ast.Call) and getattr(call.func, "id", "") == "_" and call.args
                    and isinstance(call.args[0], ast.Constant) and isinstance(call.args[0].value, str)
                    and call.args[0].value not in EN):
                missing.add((path.name, call.args[0].value))
    from grader.web.present import NOTE_LABELS, SECTION_TITLES, SEVERITY_LABELS, STATUS_LABELS
    for table in (NOTE_LABELS, SECTION_TITLES, SEVERITY_LABELS, STATUS_LABELS):
        missing |= {("present.py", v) for v in table.values() if v not in EN}
    # the error pages' words, translated through a name (``_(messages.get(code, ...))``), which the search above
    # does not see
    tree = ast.parse((root / "__init__.py").read_text())
    messages = next(n.value for n in ast.walk(tree) if isinstance(n, ast.Assign)
                    and getattr(n.targets[0], "id", "") == "messages")
    missing |= {("__init__.py", v) for v in ast.literal_eval(messages).values() if v not in EN}
    assert not missing


def test_every_error_the_web_raises_has_english_written_for_the_page():
    """A GraderError's English is what an English page shows (``error_text``). Written for the command line, it
    read "no exercise with code ZZZZZZ (looked in /srv/…/exercises)" or "'abc' is not a count" to a trainee: each
    must be a sentence, saying what to do as its Indonesian does."""
    import ast

    def pieces(node):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return [node.value]
        if isinstance(node, ast.JoinedStr):
            return [v.value if isinstance(v, ast.Constant) else None for v in node.values]
        return []                                       # a name: its text is written (and checked) elsewhere

    root = Path(__import__("grader.web").web.__file__).parent
    files = list(root.rglob("*.py")) + [root.parent / "exercise" / "store.py"]
    bad = []
    for path in files:
        for node in ast.walk(ast.parse(path.read_text())):
            name = getattr(node, "func", None)
            if not (isinstance(node, ast.Call) and getattr(name, "id", getattr(name, "attr", "")) in
                    ("GraderError", "StorageError") and len(node.args) >= 2):
                continue
            english = pieces(node.args[1])
            if not english or path.name == "store.py" and node.args[0].value != "exercise_removed":
                continue                                # (the store's other errors: the trainee module's own)
            first, last = english[0], english[-1]
            if (first is not None and not first[:1].isupper()) or last is None or not last.rstrip("”").endswith("."):
                bad.append(f"{path.name}:{node.lineno}: {ast.unparse(node.args[1])[:60]}")
    assert not bad


def test_no_indonesian_string_is_translated_twice():
    """A key written twice in the dict keeps only its last English: one page's "Score" became another's "Grade"."""
    import ast
    from collections import Counter

    import grader.web.i18n_en as module
    tree = ast.parse(Path(module.__file__).read_text())
    table = next(n for n in ast.walk(tree) if isinstance(n, ast.Dict))
    from grader.grading.shown import STATUS_WORDS
    keys = [ast.literal_eval(k) for k in table.keys] + [indonesian for indonesian, _ in STATUS_WORDS.values()]
    twice = [k for k, n in Counter(keys).items() if n > 1]
    assert not twice


@pytest.mark.parametrize("content, message", [
    (b"GIF89a not a photo we read", "Berkas ini bukan foto"),
    (b"%PDF-1.4 damaged", "PDF ini tidak bisa dibuka"),             # (a scanner app's PDF is read: test_pdf_pages)
    (b"", "Pilih foto lembar latihan"),
    (b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + (60000).to_bytes(4, "big") * 2 + b"\x08\x02\x00\x00\x00",
     "lebih dari 80 megapiksel, bukan foto ponsel"),                  # a decompression bomb's header
])
def test_bad_files_are_refused_up_front(client, code, content, message):
    resp = upload(client, code=code, photos=[("x.jpg", content)])
    assert resp.status_code == 400
    assert message in resp.get_data(as_text=True)


@pytest.mark.parametrize("lang, words", [(None, "Berkas ini bukan foto atau PDF. Kirim foto lembar latihan (JPEG, "
                                                "PNG, WebP atau HEIC) atau PDF-nya dari aplikasi pemindai."),
                                         ("en", "This file is not a photo or a PDF. Send a photo of the practice "
                                                "sheet (JPEG, PNG, WebP or HEIC) or a scanner app&#39;s PDF of it.")])
def test_a_file_that_is_not_a_photo_is_told_a_scanner_apps_pdf_would_do(client, code, lang, words):
    """Every trainee photo input takes a scanner app's PDF: the refusal of a file that is neither says so (it named
    the photo formats only), on the upload form, a retake and a sheet's missing page alike."""
    q = "?lang=en" if lang else ""
    assert words in upload(client, code=code, photos=[("catatan.docx", b"not a photo")], lang=lang).get_data(as_text=True)
    blurred = upload(client, code=code, photos=[("017_1_blur.jpg", jpeg_bytes())]).location
    retake = client.post(blurred + "/ulang" + q, data={"csrf_token": csrf_of(client), "position": "1",
                                                     "photo": (io.BytesIO(b"hello"), "x.txt")},
                         content_type="multipart/form-data")
    assert retake.status_code == 400 and words in retake.get_data(as_text=True)
    half = upload(client, code=code, photos=[("bsolo_1.jpg", jpeg_bytes(color="#eeeeee"))]).location
    added = client.post(half + "/lengkapi" + q, data={"csrf_token": csrf_of(client),
                                                       "photo": (io.BytesIO(b"hello"), "x.txt")},
                        content_type="multipart/form-data", follow_redirects=True)
    assert words in added.get_data(as_text=True)


def test_oversize_upload_gets_413_with_an_indonesian_message(code):
    """The message names the limit per photo (what the trainee can act on), not the request's."""
    app = make_test_app(MAX_UPLOAD_BYTES=200_000, MAX_PHOTO_BYTES=3 * 1024 * 1024)
    client = app.test_client()
    resp = upload(client, code=code, photos=[("big.jpg", b"\xff\xd8\xff" + b"\0" * 300_000)])
    assert resp.status_code == 413
    assert "setiap foto paling besar 3 MB" in resp.get_data(as_text=True)


def test_the_upload_form_refuses_an_oversize_photo_before_sending_it(client):
    html = client.get("/").get_data(as_text=True)
    assert html.count('data-max-bytes="26214400"') == 2 and html.count('data-max-pdf-bytes="52428800"') == 2
    assert "padahal satu foto paling besar 25 MB." in html and "padahal PDF paling besar 50 MB." in html
    assert 'data-max-total-bytes="53411840"' in html               # the request's 51 MB, less room for the fields


def _input_limits(html: str, input_id: str) -> tuple[int, int]:
    tag = re.search(rf'<input id="{input_id}"[^>]*>', html).group(0)
    return tuple(int(re.search(rf'{name}="(\d+)"', tag).group(1)) for name in ("data-max-bytes", "data-max-pdf-bytes"))


@pytest.mark.parametrize("form", ["upload", "retake", "add_page"])
def test_every_trainee_photo_input_carries_the_servers_own_limits(code, form):
    """The browser refuses what the server would (static/app.js): each photo input names the server's limits, from
    its settings, for a photo and for a PDF of as many pages as the form takes (the upload form checked 25 MB for a
    PDF the server takes up to 50 MB; a retake or a missing page had no limit at all). At each limit the server
    takes the file (the PDF here is no real one: it is refused as unreadable, past its size check); a byte more,
    it refuses it."""
    app = make_test_app(MAX_PHOTO_BYTES=300_000, MAX_UPLOAD_BYTES=700_000)
    client = app.test_client()
    if form == "upload":
        page, input_id = "/", "photo_1"
        send = lambda name, data: upload(client, code=code, photos=[(name, data)])
    else:
        first = upload(client, code=code, photos=[("017_1_blur.jpg" if form == "retake" else "bsolo_1.jpg", jpeg_bytes())])
        page, input_id = first.location, "retake-1" if form == "retake" else "add-page"
        address, fields = (page + "/ulang", {"position": "1"}) if form == "retake" else (page + "/lengkapi", {})
        send = lambda name, data: client.post(address, data={"csrf_token": csrf_of(client, page), **fields,
                                                             "photo": (io.BytesIO(data), name)},
                                              content_type="multipart/form-data", follow_redirects=True)
    html = client.get(page).get_data(as_text=True)
    photo, pdf = _input_limits(html, input_id)
    assert (photo, pdf) == (300_000, 600_000 if form == "upload" else 300_000)
    # (and the long side its camera photos are shrunk to before sending: an A4 page at 8 px/mm filling 80% of it)
    assert re.search(rf'<input id="{input_id}"[^>]*data-shrink-to="2970"', html), input_id
    said = lambda resp: resp.get_data(as_text=True)
    assert "Foto lebih besar dari" in said(send("besar.jpg", jpeg_bytes().ljust(photo + 1, b"\0")))
    assert "PDF lebih besar dari" in said(send("pindai.pdf", b"%PDF-1.7\n".ljust(pdf + 1, b"\0")))
    assert "PDF ini tidak bisa dibuka" in said(send("pindai.pdf", b"%PDF-1.7\n".ljust(pdf, b"\0")))
    taken = send("pas.jpg", jpeg_bytes(color="#f4f4f4").ljust(photo, b"\0"))
    if taken.status_code == 302:
        taken = client.get(taken.location)
    assert taken.request.path.startswith("/hasil/") and taken.request.path != page          # a new sheet's result
    assert "lebih besar dari" not in said(taken) and "Hasil penilaian" in said(taken)


def test_every_photo_form_waits_for_its_answer_as_long_as_the_server_may_take(code):
    """Once all is sent, the uploader waits for the answer as long as the server may take to store a request of the
    form's size (sheet_storing.answer_wait_s: two minutes, and a second a MB), not the 45 s of a stalled link."""
    client = make_test_app(MAX_UPLOAD_BYTES=11 * 1024 * 1024).test_client()
    retake = upload(client, code=code, photos=[("017_1_blur.jpg", jpeg_bytes())]).location
    half = upload(client, code=code, photos=[("bsolo_1.jpg", jpeg_bytes(color="#eeeeee"))]).location
    for page, form in (("/", "#photo_1"), (retake, "#retake-1"), (half, "#add-page")):
        html = client.get(page).get_data(as_text=True)
        assert form[1:] in html and html.count("data-progress") == 1, page
        assert 'data-answer-seconds="131"' in html and 'data-processing="Sedang diproses…"' in html, page


def test_double_submit_returns_the_first_result(app, client, code):
    token = csrf_of(client)
    first = upload(client, code=code, token=token, client_token="form-1")
    second = upload(client, code=code, token=token, client_token="form-1")
    assert first.location == second.location
    same_photos = upload(client, code=code, token=token, client_token="form-2")   # same bytes, new form
    assert same_photos.location == first.location
    with app.app_context():
        from grader.web.db import get_db
        assert get_db().execute("SELECT COUNT(*) FROM submissions").fetchone()[0] == 1


def test_the_same_photos_from_a_new_form_sent_while_the_first_was_being_stored_are_its_sheet(app, client, code,
                                                                                             monkeypatch):
    """h35b's load check: 12 trainees each sent their sheet from two forms at once (the page opened again while the
    first sending was still on its way); 9 of them got two sheets, each graded. The look for an earlier sending
    came before the other one was recorded; it is made again where the sheet is recorded."""
    first = upload(client, code=code, client_token="form-1")
    raced = _sent_twice_while_the_first_was_being_stored(
        monkeypatch, lambda: upload(client, code=code, client_token="form-2"))
    assert (raced.status_code, raced.location) == (302, first.location)
    assert _counts(app) == (1, 1, 1)
    assert len(list((app.config["DATA_DIR"] / "submissions").iterdir())) == 1     # the copy left no photo behind


@pytest.mark.parametrize("trainee, name", [("", "num-104-a_1.jpg"), ("Budi", "qr-017-a_1.jpg"),
                                           ("Fitri 104", "num-104-a_1.jpg"), ("017", "017_1.jpg")])
def test_the_same_form_sent_again_after_grading_renamed_its_sheet_is_still_that_sheet(app, client, code, trainee,
                                                                                      name):
    """helper-69's review: grading writes the QR's trainee or the number read into the sheet's trainee column, so
    comparing what is typed now with that column took the same form sent again (Back, then Send) for a corrected
    sending: a second sheet, and the first shown as replaced."""
    first = upload(client, code=code, trainee=trainee, photos=[(name, jpeg_bytes())], client_token="form-1")
    again = upload(client, code=code, trainee=trainee, photos=[(name, jpeg_bytes())], client_token="form-1")
    assert first.location == again.location
    assert [(r["superseded_by"], r["state"]) for r in _sheets(app)] == [(None, "done")]


@pytest.mark.parametrize("typed, name", [("budi", "qr-017-a_1.jpg"), ("fitri 104", "num-104-a_1.jpg"),
                                         ("budi", "017_1.jpg")])
def test_the_same_form_with_only_the_case_of_its_name_corrected_after_grading_replaces_its_sheet(
        app, client, code, typed, name):
    """helper-53's finding, kept apart from helper-69's case above: the name typed is kept as typed
    (``typed_trainee``), which grading leaves alone whatever it writes in ``trainee``; so after grading, the same
    form sent again as it was is its sheet, and with only the name's case corrected it is a new sheet that replaces
    the first, as any corrected name is."""
    first = upload(client, code=code, trainee=typed, photos=[(name, jpeg_bytes())], client_token="form-1")
    assert upload(client, code=code, trainee=f" {typed}\t", photos=[(name, jpeg_bytes())],
                  client_token="form-1").location == first.location          # (spaces cleaned as before: as it was)
    corrected = upload(client, code=code, trainee=typed.title(), photos=[(name, jpeg_bytes())], client_token="form-1")
    assert corrected.status_code == 302 and corrected.location != first.location
    old, new = _sheets(app)
    assert (old["superseded_by"], new["superseded_by"], new["state"]) == (new["id"], None, "done")
    assert client.get("/kiriman/form-1.json").get_json()["url"] == corrected.location
    # the corrected form sent again as it is: the sheet it made, not a third
    assert upload(client, code=code, trainee=typed.title(), photos=[(name, jpeg_bytes())],
                  client_token="form-1").location == corrected.location and len(_sheets(app)) == 2


@pytest.mark.parametrize("script", [False, True], ids=["same_token", "new_token"])
def test_a_sheet_stored_before_the_typed_name_was_kept_is_found_by_its_form_as_before(app, client, code, script):
    """A sheet from before ``typed_trainee`` (NULL: the name as typed not known) is what its form sent, as it was
    or with only the name's case changed, as before the column: its stored trainee is not what was typed and
    cannot tell a case correction from a resend."""
    first = upload(client, code=code, trainee="budi", photos=[("qr-017-a_1.jpg", jpeg_bytes())],
                   client_token="form-1")
    with app.app_context():
        from grader.web.db import get_db
        get_db().execute("UPDATE submissions SET typed_trainee=NULL")
    for typed in ("budi", "Budi"):
        again = upload(client, code=code, trainee=typed, photos=[("qr-017-a_1.jpg", jpeg_bytes())],
                       **({"client_token": "form-2", "replaces": "form-1"} if script else {"client_token": "form-1"}))
        assert again.location == first.location
    assert [(r["superseded_by"], r["state"]) for r in _sheets(app)] == [(None, "done")]


def test_the_same_form_sent_again_after_the_lesson_is_still_the_first_sheet(app, client, code):
    """A trainee's form token is recognised at any time, not for ten minutes only (a phone that lost the answer,
    Send tapped again after the lesson); the same photos from a new form later are that sheet too, as photos the
    trainee's sheet holds (earlier_sendings.held_already: they were a new sheet until helper-164's rehearsal), but
    not under another trainee's name."""
    first = upload(client, code=code, client_token="form-1")
    stored_an_hour_ago(app)
    assert upload(client, code=code, client_token="form-1").location == first.location
    assert upload(client, code=code, client_token="form-2").location == first.location
    assert upload(client, code=code, client_token="form-3", trainee="018").location != first.location


@pytest.mark.parametrize("first, corrected", [
    ({"trainee": "Budy"}, {}),                                   # the name corrected
    ({"trainee": "budi"}, {}),                                   # only its case corrected (helper-53's finding)
    ({"code": "ZZZZZZ"}, {}),                                    # the code corrected (the first was held for it)
    ({"code": "ZZZZZZ"}, {"code": "ZZZZZY"}),                    # another code typed, still not an exercise's
    ({}, {"photos": [("017_1.jpg", jpeg_bytes(color="#eee"))]}),  # another photo (a browser without the script)
], ids=["name", "name_case", "code", "unknown_code", "photo"])
def test_a_form_sent_again_with_its_details_corrected_is_graded_with_them_and_the_first_sheet_is_kept(
        app, client, code, first, corrected):
    """QA: the sending failed, the trainee corrected the name (or the code) and sent again: the server found the
    first sending by the form's token and returned it, with the old name, silently. A form's token stands for what
    it sent: sent again with other details, it is a new sheet with them (the first is kept, as every sending
    stored is); sent again as it is, the sheet it made, as before. The lookup ("did it arrive?") leads to the
    latest sheet the form made."""
    details = {"code": code, "trainee": "Budi"}
    sent = upload(client, **{**details, **first}, client_token="form-1")
    again = upload(client, **{**details, **corrected}, client_token="form-1")
    assert sent.status_code == again.status_code == 302 and again.location != sent.location
    with app.app_context():
        from grader.web.db import get_db
        rows = get_db().execute("SELECT token, exercise, typed_code, trainee, state FROM submissions ORDER BY id"
                                ).fetchall()
    assert [r["token"] for r in rows] == [sent.location.rsplit("/", 1)[1], again.location.rsplit("/", 1)[1]]
    kept, new = rows
    assert kept["state"] in ("done", "held")                     # the first sheet is kept, as it was stored
    assert new["trainee"] == "Budi"
    if corrected.get("code"):
        assert new["state"] == "held" and new["typed_code"] == corrected["code"]
    else:
        assert new["state"] == "done" and new["exercise"] == code
    for row in rows:                                             # (and the photos of both)
        assert list((app.config["DATA_DIR"] / "submissions" / row["token"] / "upload").iterdir())
    # the corrected form sent again as it is (its answer lost too): the sheet it made, not a third
    assert upload(client, **{**details, **corrected}, client_token="form-1").location == again.location
    assert client.get("/kiriman/form-1.json").get_json()["url"] == again.location
    with app.app_context():
        assert get_db().execute("SELECT COUNT(*) FROM submissions").fetchone()[0] == 2


def _sheets(app) -> list[dict]:
    with app.app_context():
        from grader.web.db import get_db
        return [dict(r) for r in get_db().execute(
            "SELECT id, token, trainee, exercise, state, superseded_by FROM submissions ORDER BY id")]


def _trainer(app):
    from grader.web.testing import log_in
    trainer = app.test_client()
    assert log_in(trainer).status_code == 302
    return trainer


def _count(app, table: str, submission_id: int) -> int:
    with app.app_context():
        from grader.web.db import get_db
        return get_db().execute(f"SELECT COUNT(*) FROM {table} WHERE submission_id=?", (submission_id,)).fetchone()[0]


@pytest.mark.parametrize("script", [False, True], ids=["same_token", "new_token"])
@pytest.mark.parametrize("first", [
    {"trainee": "Budy"},                                         # the name corrected
    {"trainee": "budi"},                                         # only its case corrected
    {"code": "ZZZZZZ"},                                          # the code corrected (the first was held for it)
    {"photos": [("017_1.jpg", jpeg_bytes(color="#eee"))]},       # another photo
], ids=["name", "name_case", "code", "photo"])
def test_the_first_sheet_of_a_form_sent_again_corrected_is_replaced_in_every_trainer_view(
        app, client, code, first, script):
    """Reviewer: a form sent again with its name (or code, or photo) corrected after a failed sending was graded
    with the correction, but the first sending stayed a live sheet of its own: the class table showed "Budy" and
    "Budi", the insight counted two sheets, the review queue and the exports held both, and a sending first held
    for a wrong code stayed in the trainer's list of uploads waiting for a code, inviting a duplicate grading.

    The later sending replaces the first (``superseded_by``), whether the same form token came again (a browser
    without the script: the token is taken over) or the page's script sent it under a new token naming the one it
    replaces (``replaces``). The first sheet's row and photos are kept, and its own link shows what it was, with a
    note that a later sending replaced it and a link to that one; no trainer view counts it."""
    details = {"code": code, "trainee": "Budi"}
    sent = upload(client, **{**details, **first}, client_token="form-1")
    again = upload(client, **details, **({"client_token": "form-2", "replaces": "form-1"} if script
                                         else {"client_token": "form-1"}))
    _replaced_in_every_view(app, client, code, sent, again)


@pytest.mark.parametrize("first", [
    {"trainee": "Budy"},                                         # the name corrected
    {"code": "ZZZZZZ"},                                          # the code corrected (the first is held for it)
    {"photos": [("017_1.jpg", jpeg_bytes(color="#eee"))]},       # another photo
], ids=["name", "code", "photo"])
def test_a_first_sending_arriving_after_its_corrected_one_is_stored_replaced(app, client, code, first):
    """A weak link: the first sending stalled, the page gave up on it and sent the corrected form under a new token
    naming the first (``replaces``), and the first arrived after all, last. Nothing replaced it then: it was a live
    sheet beside the corrected one ("Budy" beside "Budi", or an extra attempt). It is stored replaced by the sheet
    naming its token, in the same transaction, and is seen as any replaced sending is: its own link shows what it
    was, with the note leading to the corrected one, and no trainer view counts it. (Only the name's case
    corrected, it is that sheet again: the same photos of the same trainee within minutes, find_duplicate.)"""
    details = {"code": code, "trainee": "Budi"}
    again = upload(client, **details, client_token="form-2", replaces="form-1")
    sent = upload(client, **{**details, **first}, client_token="form-1")
    _replaced_in_every_view(app, client, code, sent, again)
    assert client.get("/kiriman/form-2.json").get_json()["url"] == again.location


def test_a_late_first_sending_goes_to_what_replaced_the_sheet_naming_it(app, client, code):
    """Corrected twice, the last sending naming only the one before it: the first, arriving last, is replaced by
    the latest sheet, not by the one a correction replaced already."""
    second = upload(client, code=code, trainee="Budi", client_token="form-2", replaces="form-1")
    third = upload(client, code=code, trainee="Budi Santoso", client_token="form-3", replaces="form-2")
    upload(client, code=code, trainee="Budy", client_token="form-1")
    by_token = {r["token"]: r for r in _sheets(app)}
    latest = by_token[third.location.rsplit("/", 1)[1]]
    assert by_token[second.location.rsplit("/", 1)[1]]["superseded_by"] == latest["id"]
    assert [r["trainee"] for r in by_token.values() if r["superseded_by"] is None] == ["Budi Santoso"]
    assert client.get("/kiriman/form-1.json").get_json()["url"] == third.location


def _replaced_in_every_view(app, client, code, sent, again):
    """The sheet of ``sent`` is replaced by that of ``again`` (named Budi, under ``code``) for the trainer and on
    its own page; the lookup about its form (``form-1``) leads to the latter."""
    assert again.status_code == 302 and again.location != sent.location
    by_token = {r["token"]: r for r in _sheets(app)}
    old, new = by_token[sent.location.rsplit("/", 1)[1]], by_token[again.location.rsplit("/", 1)[1]]
    assert len(by_token) == 2 and old["superseded_by"] == new["id"] and new["superseded_by"] is None
    assert new["trainee"] == "Budi" and new["exercise"] == code and new["state"] == "done"
    assert list((app.config["DATA_DIR"] / "submissions" / old["token"] / "upload").iterdir())   # kept

    trainer = _trainer(app)
    rows = trainer.get(f"/trainer/latihan/{code}/hasil.json").get_json()["rows"]
    assert [(r["trainee"], r["url"]) for r in rows] == [("Budi", f"/trainer/lembar/{new['id']}")]
    table = trainer.get(f"/trainer/latihan/{code}/hasil").get_data(as_text=True)
    assert "Budy" not in table and f'/trainer/lembar/{old["id"]}"' not in table
    assert "1 peserta dinilai" in trainer.get(f"/trainer/latihan/{code}/wawasan").get_data(as_text=True)
    queue = trainer.get(f"/trainer/latihan/{code}/periksa").get_data(as_text=True)
    assert f'data-sid="{new["id"]}"' in queue and f'data-sid="{old["id"]}"' not in queue
    for what in ("lembar", "isian"):
        exported = list(csv.reader(io.StringIO(trainer.get(f"/trainer/latihan/{code}/ekspor/{what}.csv")
                                                .get_data(as_text=True).lstrip("\ufeff"))))[1:]
        assert exported and {r[0] for r in exported} == {"Budi"}, exported
    assert f'/trainer/lembar/{old["id"]}"' not in trainer.get("/trainer/").get_data(as_text=True)   # not "held"

    # its own link: what it was, that a later sending replaced it, and where that one is; nothing to act on
    page = client.get(sent.location)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Kiriman ini sudah diganti oleh kiriman Anda berikutnya" in html
    assert f'href="{again.location}"' in html
    assert "Foto ulang" not in html and "Bukan ini yang saya tulis?" not in html and 'name="code"' not in html
    assert "This sending was replaced by your later sending" in client.get(sent.location + "?lang=en").get_data(
        as_text=True)
    sheet = trainer.get(f"/trainer/lembar/{old['id']}").get_data(as_text=True)
    assert "Lembar ini diganti oleh kiriman berikutnya" in sheet and f'href="/trainer/lembar/{new["id"]}"' in sheet
    assert "/koreksi" not in sheet and "Nilai dengan latihan" not in sheet
    later = trainer.get(f"/trainer/lembar/{new['id']}").get_data(as_text=True)
    assert "Lembar ini menggantikan kiriman sebelumnya" in later and f'href="/trainer/lembar/{old["id"]}"' in later
    # a lookup about the first sending leads to the latest one
    assert client.get("/kiriman/form-1.json").get_json()["url"] == again.location


def test_a_true_resend_is_still_the_first_sheet_and_a_replaced_sending_is_not_found_again(app, client, code):
    """The same form sent again as it was (its answer lost) is the sheet it made, replacing nothing; and a sending
    that a correction replaced is no longer what the same photos sent again find: a new form sending "Budy" again
    within minutes is a live sheet, not the replaced one."""
    sent = upload(client, code=code, trainee="Budy", client_token="form-1")
    assert upload(client, code=code, trainee="Budy", client_token="form-1").location == sent.location
    assert [s["superseded_by"] for s in _sheets(app)] == [None]
    again = upload(client, code=code, trainee="Budi", client_token="form-2", replaces="form-1")
    third = upload(client, code=code, trainee="Budy", client_token="form-3")
    assert third.location not in (sent.location, again.location)
    old, new, latest = _sheets(app)
    assert (old["superseded_by"], new["superseded_by"], latest["superseded_by"]) == (new["id"], None, None)


def test_a_held_sending_replaced_by_a_corrected_one_is_not_graded_from_either_side(app, client, code):
    """A sending held for a wrong code and replaced by the corrected one is not to be graded a second time: its
    code can no longer be fixed by the trainee (its page shows the note instead of the form) nor picked by a
    trainer."""
    sent = upload(client, code="ZZZZZZ", trainee="Budi", client_token="form-1")
    again = upload(client, code=code, trainee="Budi", client_token="form-2", replaces="form-1")
    token = sent.location.rsplit("/", 1)[1]
    fixed = client.post(f"/hasil/{token}/kode", data={"csrf_token": csrf_of(client), "code": code})
    assert fixed.status_code in (302, 303)
    trainer = _trainer(app)
    picked = trainer.post("/trainer/lembar/1/kode", data={"csrf_token": csrf_of(trainer, "/trainer/lembar/1"),
                                                          "code": code})
    assert picked.status_code in (302, 303)
    old, new = _sheets(app)
    assert old["state"] == "held" and old["superseded_by"] == new["id"] and old["exercise"] is None
    assert f'href="{again.location}"' in client.get(sent.location).get_data(as_text=True)


@pytest.mark.parametrize("resent, replaced", [
    ({}, True),                                                  # only the name: the same photos, the same code
    ({"photos": [("017_1.jpg", jpeg_bytes(color="#eee"))]}, False),   # another photo too
], ids=["name", "name_and_photo"])
def test_a_trainers_corrections_of_the_first_sending_are_not_lost_to_a_corrected_resend(
        app, client, code, resent, replaced):
    """A trainer corrected a field of the first sending before the corrected one came. With the same photos under
    the same code, what the trainer said about them still holds: it is carried over to the new sheet, which
    replaces the first. Of other photos (or another code), it would not hold, and replacing the first silently
    would hide the trainer's work: both sheets stay in the class, for the trainer to decide."""
    from grader.exercise.store import load_key
    from grader.web.testing import REVIEW_FIELD

    upload(client, code=code, trainee="Budy", client_token="form-1")
    trainer = _trainer(app)
    value = load_key(code).fields[REVIEW_FIELD]
    saved = trainer.post("/trainer/lembar/1/koreksi", data={"csrf_token": csrf_of(trainer, "/trainer/lembar/1"),
                                                            "field": REVIEW_FIELD, "value": str(value)},
                         headers={"X-Requested-With": "fetch"})
    assert saved.get_json()["ok"]
    upload(client, code=code, trainee="Budi", client_token="form-2", replaces="form-1", **resent)
    old, new = _sheets(app)
    rows = trainer.get(f"/trainer/latihan/{code}/hasil.json").get_json()["rows"]
    assert _count(app, "corrections", old["id"]) == 1                 # the first sheet keeps its own, always
    if replaced:
        assert old["superseded_by"] == new["id"] and [r["trainee"] for r in rows] == ["Budi"]
        assert _count(app, "corrections", new["id"]) == 1
        with app.app_context():
            from grader.web.db import get_db
            res = json.loads(get_db().execute("SELECT result FROM submissions WHERE id=?", (new["id"],))
                             .fetchone()["result"])
        field = next(f for f in res["fields"] if f["id"] == REVIEW_FIELD)
        assert field["corrected_by"] == "Ibu Sari" and field["value"] == value
    else:
        assert old["superseded_by"] is None and sorted(r["trainee"] for r in rows) == ["Budi", "Budy"]
        assert _count(app, "corrections", new["id"]) == 0


def test_a_replaced_sending_takes_no_correction_dispute_or_retake(app, client, code):
    """Once replaced, a sending is the trainee's record of what they sent, not a sheet to work on: a trainer's
    correction, a trainee's dispute or a retake sent from a page opened before is refused, saying where the latest
    sheet is, and nothing is stored."""
    from grader.web.testing import REVIEW_FIELD, WRONG_FIELD

    sent = upload(client, code=code, trainee="Budy", client_token="form-1")
    page = sent.location
    form_csrf = csrf_of(client, page)
    upload(client, code=code, trainee="Budi", client_token="form-2", replaces="form-1")
    trainer = _trainer(app)
    got = trainer.post("/trainer/lembar/1/koreksi", data={"csrf_token": csrf_of(trainer, "/trainer/lembar/2"),
                                                          "field": REVIEW_FIELD, "value": "5"},
                       headers={"X-Requested-With": "fetch"})
    assert got.status_code == 400 and "koreksi di lembar terbarunya" in got.get_json()["message"]
    token = page.rsplit("/", 1)[1]
    got = client.post(f"/hasil/{token}/sanggah", data={"csrf_token": form_csrf, "field": WRONG_FIELD},
                      follow_redirects=True)
    assert "sudah diganti oleh kiriman Anda berikutnya" in got.get_data(as_text=True)
    got = client.post(f"/hasil/{token}/ulang", data={"csrf_token": form_csrf, "position": "1",
                                                    "photo": (io.BytesIO(jpeg_bytes(color="#ddd")), "lagi.jpg")},
                      content_type="multipart/form-data")
    assert got.status_code == 303 and got.location.endswith(page)
    assert len(_sheets(app)) == 2 and _count(app, "corrections", 1) == _count(app, "disputes", 1) == 0


def test_removing_a_sheet_removes_the_sendings_it_replaced(app, client, code):
    """A trainer removing the sheet (a test photo, the wrong class) removes the earlier sendings it replaced too:
    they hold the same photos, or the ones the trainee corrected, and no page would list them any more."""
    sent = upload(client, code=code, trainee="Budy", client_token="form-1")
    upload(client, code=code, trainee="Budi", client_token="form-1")
    trainer = _trainer(app)
    page = trainer.get("/trainer/lembar/2").get_data(as_text=True)
    assert "beserta fotonya dan kiriman sebelumnya yang digantikannya" in page
    removed = trainer.post("/trainer/lembar/2/hapus", data={"csrf_token": csrf_of(trainer, "/trainer/lembar/2"),
                                                            "confirm": "1"})
    assert removed.status_code == 303
    assert [s["state"] for s in _sheets(app)] == ["removed", "removed"]
    assert not (app.config["DATA_DIR"] / "submissions" / sent.location.rsplit("/", 1)[1]).exists()
    assert client.get(sent.location).status_code == 410


def test_removing_an_exercise_removes_a_held_sending_one_of_its_sheets_replaced(app, client, code):
    """A sending held for a wrong code belongs to no class; replaced by the corrected sending, it is listed
    nowhere: it goes with the class of the sheet that replaced it."""
    sent = upload(client, code="ZZZZZZ", trainee="Budi", client_token="form-1")
    upload(client, code=code, trainee="Budi", client_token="form-2", replaces="form-1")
    trainer = _trainer(app)
    removed = trainer.post(f"/trainer/latihan/{code}/hapus",
                           data={"csrf_token": csrf_of(trainer, f"/trainer/latihan/{code}"), "confirm_code": code})
    assert removed.status_code == 303
    assert [s["state"] for s in _sheets(app)] == ["removed", "removed"]
    assert not (app.config["DATA_DIR"] / "submissions" / sent.location.rsplit("/", 1)[1]).exists()


@pytest.mark.parametrize("corrected", [False, True], ids=["retake", "retake_corrected_by_trainer"])
def test_a_retake_of_a_sending_a_corrected_one_replaced_goes_with_it(app, client, code, corrected):
    """The first sending arrived after all, the trainee retook its blurry page on its result page, and then sent
    the form again with the name corrected (under a new token naming the first): the first sheet was replaced,
    but its retake, made with the name and photos the correction replaces, stayed live: "Budy" beside "Budi" in
    the class. What was made from a replaced sending is replaced with it, unless a trainer corrected it (other
    photos than the new sheet's: the correction would not hold, so both stay, as for the first sheet itself)."""
    from grader.exercise.store import load_key
    from grader.web.testing import REVIEW_FIELD

    photos = [("017_1.jpg", jpeg_bytes()), ("017_2_blur.jpg", OTHER_PHOTO)]
    sent = upload(client, code=code, trainee="Budy", photos=photos, client_token="form-1")
    retake = client.post(sent.location + "/ulang", data={"csrf_token": csrf_of(client), "position": "2",
                                                         "photo": (io.BytesIO(jpeg_bytes(color="#fafafa")),
                                                                   "017_2.jpg")},
                         content_type="multipart/form-data")
    assert retake.status_code == 302
    trainer = _trainer(app)
    if corrected:
        saved = trainer.post("/trainer/lembar/2/koreksi", data={
            "csrf_token": csrf_of(trainer, "/trainer/lembar/2"), "field": REVIEW_FIELD,
            "value": str(load_key(code).fields[REVIEW_FIELD])}, headers={"X-Requested-With": "fetch"})
        assert saved.get_json()["ok"]
    again = upload(client, code=code, trainee="Budi", photos=photos, client_token="form-2", replaces="form-1")
    first, retaken, new = _sheets(app)
    assert first["superseded_by"] == new["id"] and new["superseded_by"] is None
    rows = trainer.get(f"/trainer/latihan/{code}/hasil.json").get_json()["rows"]
    if corrected:
        assert retaken["superseded_by"] is None and sorted(r["trainee"] for r in rows) == ["Budi", "Budy"]
        return
    assert retaken["superseded_by"] == new["id"]
    assert [(r["trainee"], r["url"]) for r in rows] == [("Budi", f"/trainer/lembar/{new['id']}")]
    html = client.get(retake.location).get_data(as_text=True)
    assert "Kiriman ini sudah diganti oleh kiriman Anda berikutnya" in html and f'href="{again.location}"' in html


def test_a_retake_stored_after_its_sheet_was_replaced_is_stored_replaced(app, client, code):
    """A retake sent from the first sheet's page while the corrected sending was being stored (the page, opened
    before, still offered it): stored after the first sheet was replaced, it is replaced by the same sheet at
    once, not a live sheet made from a sending the trainee corrected."""
    from grader.web.db import get_db
    from grader.web.sheet_storing import store_submission

    upload(client, code=code, trainee="Budy", client_token="form-1")
    again = upload(client, code=code, trainee="Budi", client_token="form-2", replaces="form-1")
    first, new = _sheets(app)
    with app.app_context():
        late = store_submission(get_db(), app.config["DATA_DIR"], files=[("017_1.jpg", jpeg_bytes(color="#fafafa"))],
                                source="trainee", exercise=code, trainee="Budy", typed_trainee="Budy",
                                retake_of=first["id"], client_token="retake-form")
    assert late.created
    assert {r["id"]: r["superseded_by"] for r in _sheets(app)} == {first["id"]: new["id"], new["id"]: None,
                                                                  late.id: new["id"]}
    assert client.get(f"/hasil/{late.token}").get_data(as_text=True).count(f'href="{again.location}"') >= 1


def test_post_without_csrf_token_is_refused(client, code):
    resp = client.post("/", data={"code": code, "photo_1": (io.BytesIO(jpeg_bytes()), "a.jpg")},
                       content_type="multipart/form-data")
    assert resp.status_code == 400 and "Formulir kedaluwarsa" in resp.get_data(as_text=True)


def test_user_text_is_escaped(client, code):
    resp = upload(client, code=code, trainee='<script>alert("x")</script>')
    html = client.get(resp.location).get_data(as_text=True)
    assert "<script>alert" not in html and "&lt;script&gt;" in html


def test_refused_photo_gets_retake_message_and_one_tap_retake(client, code):
    resp = upload(client, code=code, photos=[("017_1.jpg", jpeg_bytes()), ("017_2_blur.jpg", OTHER_PHOTO)])
    html = client.get(resp.location).get_data(as_text=True)
    assert "Foto perlu diulang" in html and "Foto terlalu buram" in html
    form = re.search(r'<form method="post" action="(/hasil/[^"]+/ulang)".*?name="position" value="(\d)"', html, re.S)
    assert form.group(2) == "2"
    token = csrf_of(client)
    retake = client.post(form.group(1), data={"csrf_token": token, "position": "2",
                                              "photo": (io.BytesIO(jpeg_bytes(color="#fafafa")), "017_2.jpg")},
                         content_type="multipart/form-data")
    assert retake.status_code == 302 and retake.location != resp.location
    html = client.get(retake.location).get_data(as_text=True)
    assert "Foto perlu diulang" not in html
    assert "Percobaan sebelumnya pada latihan ini" in html        # the first attempt is listed


def test_retake_with_a_non_image_explains_and_keeps_the_result(client, code):
    resp = upload(client, code=code, photos=[("017_1_blur.jpg", jpeg_bytes())])
    token = csrf_of(client)
    bad = client.post(resp.location + "/ulang", data={"csrf_token": token, "position": "1",
                                                      "photo": (io.BytesIO(b"hello"), "x.txt")},
                      content_type="multipart/form-data")
    assert bad.status_code == 400 and "Berkas ini bukan foto" in bad.get_data(as_text=True)


def test_a_retake_with_the_very_photo_refused_says_it_is_the_same_photo(client, code):
    """helper-142: the blurry photo picked again from the gallery for "Foto ulang" was graded again and refused again
    with the same words, which read as if the new photo were blurry too. It is now said to be the same photo, and
    nothing is stored."""
    resp = upload(client, code=code, photos=[("017_1_blur.jpg", OTHER_PHOTO)])
    same = client.post(resp.location + "/ulang", data={"csrf_token": csrf_of(client), "position": "1",
                                                       "photo": (io.BytesIO(OTHER_PHOTO), "IMG_0001.jpg")},
                       content_type="multipart/form-data")
    assert same.status_code == 400
    assert "Ini foto yang sama dengan sebelumnya. Ambil foto baru dengan kamera" in same.get_data(as_text=True)
    assert client.get(resp.location + ".json").get_json()["state"] == "done"
    new = client.post(resp.location + "/ulang", data={"csrf_token": csrf_of(client), "position": "1",
                                                      "photo": (io.BytesIO(jpeg_bytes()), "IMG_0002.jpg")},
                      content_type="multipart/form-data")
    assert new.status_code == 302 and new.location != resp.location


def test_a_sheet_whose_every_photo_was_refused_is_headed_not_graded_yet(client, code):
    """Walk-through: a result page whose every photo was refused was headed "Hasil penilaian" (results) above
    cards saying to take the photos again. It is headed that the sheet is not graded yet; a sheet with a page
    read keeps "Hasil penilaian"."""
    def heading(location, lang="id"):
        html = client.get(location + f"?lang={lang}").get_data(as_text=True)
        return re.search(r"<h1>(.*?)</h1>", html, re.S).group(1)

    refused = upload(client, code=code, photos=[("017_1_blur.jpg", jpeg_bytes()), ("017_2_blur.jpg", OTHER_PHOTO)])
    assert heading(refused.location) == "Lembar belum dinilai"
    assert heading(refused.location, "en") == "Your sheet is not graded yet"
    assert "Foto perlu diulang" in client.get(refused.location + "?lang=id").get_data(as_text=True)
    half = upload(client, code=code, trainee="018", photos=[("018_1.jpg", jpeg_bytes(color="#f5f5f5")),
                                                           ("018_2_blur.jpg", jpeg_bytes(color="#f3f3f3"))])
    assert heading(half.location) == "Hasil penilaian"
    assert heading(half.location, "en") == "Your result"


def test_the_marked_pages_hold_their_place_while_they_load(client, code):
    """Walk-through: the marked pages load lazily, with no width or height, so while they loaded each was a line
    high, the captions under them bunched up and the page jumped as each arrived. Each <img> has the size of the
    aligned page the marks are drawn on: its template's page at its reading resolution (no number of its own)."""
    from grader.sheet.schema import resolve_template
    from grader.web.trainer.exercises import TEMPLATE_ID
    resp = upload(client, code=code, photos=[("017_1.jpg", jpeg_bytes()), ("017_2.jpg", OTHER_PHOTO)])
    html = client.get(resp.location).get_data(as_text=True)
    spec = resolve_template(TEMPLATE_ID)                  # (the exercise's, as the result names it)
    imgs = re.findall(r'<img class="sheet-img"[^>]*>', html)
    assert len(imgs) == 2
    for img in imgs:
        width, height = (int(re.search(rf' {a}="(\d+)"', img).group(1)) for a in ("width", "height"))
        assert (width, height) == (round(spec.page_w_mm * spec.read_px_per_mm), round(spec.page_h_mm * spec.read_px_per_mm))
        assert abs(width / height - spec.page_w_mm / spec.page_h_mm) < 1e-3


def _refused_before_the_page_was_known(app, location):
    """The sheet's refused photos as the real grader leaves a photo refused before its page is known (blurry, no
    markers): no page (the fake pipeline names the photo's place)."""
    from grader.web.db import get_db
    with app.app_context():
        db = get_db()
        row = db.execute("SELECT id, result FROM submissions WHERE token=?", (location.rsplit("/", 1)[1],)).fetchone()
        res = json.loads(row["result"])
        for page in res["pages"]:
            if page["refusal"]:
                page["page"] = None
        db.execute("UPDATE submissions SET result=? WHERE id=?", (json.dumps(res), row["id"]))
        db.commit()


def _refusal_cards(html):
    return re.findall(r'<div class="card refused" id="ulang-\d+">(.*?)<form', html, re.S)


def test_a_photo_refused_before_its_page_was_known_says_which_photo_input_it_was_sent_in(app, client, code):
    """Browser walk-through: a photo refused before its page was known (blurry, no markers) had a card saying
    "Foto perlu diulang" and its file name only, so a trainee who had sent two photos could not tell which one to
    take again. The card names the input it was chosen in, in the words of the form: "Foto halaman 2" on the upload
    form (the only photo sent is not "page 1"), each page of a scanner app's PDF its input too."""
    from test_pdf_pages import jpeg_pdf
    resp = client.post("/", content_type="multipart/form-data", data={
        "csrf_token": csrf_of(client), "code": code, "trainee": "017",
        "photo_2": (io.BytesIO(jpeg_bytes()), "IMG_1234_blur.jpg")})
    _refused_before_the_page_was_known(app, resp.location)
    [card] = _refusal_cards(client.get(resp.location).get_data(as_text=True))
    assert "Foto yang dikirim di kotak “Foto halaman 2” (IMG_1234_blur.jpg)" in card and "halaman 1" not in card
    english = _refusal_cards(client.get(resp.location + "?lang=en").get_data(as_text=True))
    assert "The photo sent in the “Photo of page 2” box (IMG_1234_blur.jpg)" in english[0]

    both = client.post("/?lang=id", content_type="multipart/form-data", data={
        "csrf_token": csrf_of(client), "code": code, "trainee": "018",
        "photo_1": (io.BytesIO(jpeg_pdf([jpeg_bytes(color="#fafafa"), jpeg_bytes(color="#f9f9f9")])), "blur-scan.pdf")})
    _refused_before_the_page_was_known(app, both.location)
    cards = _refusal_cards(client.get(both.location).get_data(as_text=True))
    assert ["Foto yang dikirim di kotak “Foto halaman 1” (blur-scan p1.jpg)" in cards[0],
            "Foto yang dikirim di kotak “Foto halaman 1” (blur-scan p2.jpg)" in cards[1]] == [True, True]


def test_a_retaken_or_added_photo_refused_says_the_button_it_was_sent_with_and_a_batchs_says_nothing(app, client, code):
    """A retake is sent with a card's "Foto ulang", a missing page with the result's "Foto halaman 2": refused
    again, the new sheet's card says so (the photo reused from the first sending keeps its input). A trainer's
    batch photo came from no such input: its card names the file only, guessing nothing; a trainee's sheet on the
    trainer's page says the input as the trainee's does."""
    from grader.web.testing import log_in
    first = upload(client, code=code, photos=[("a_1_blur.jpg", jpeg_bytes()), ("a_2_blur.jpg", OTHER_PHOTO)])
    retake = client.post(first.location + "/ulang", content_type="multipart/form-data", data={
        "csrf_token": csrf_of(client), "position": "2", "photo": (io.BytesIO(jpeg_bytes(color="#fafafa")), "b_blur.jpg")})
    _refused_before_the_page_was_known(app, retake.location)
    cards = _refusal_cards(client.get(retake.location).get_data(as_text=True))
    assert "Foto yang dikirim di kotak “Foto halaman 1” (a_1_blur.jpg)" in cards[0]
    assert "Foto yang dikirim dengan tombol “Foto ulang” (b_blur.jpg)" in cards[1]
    assert "The photo sent with the “Retake photo” button (b_blur.jpg)" in \
        _refusal_cards(client.get(retake.location + "?lang=en").get_data(as_text=True))[1]
    client.get("/?lang=id")

    half = upload(client, code=code, trainee="019", photos=[("wsolo_1.jpg", jpeg_bytes(color="#efefef"))])
    added = client.post(half.location + "/lengkapi", content_type="multipart/form-data", data={
        "csrf_token": csrf_of(client), "photo": (io.BytesIO(jpeg_bytes(color="#eeeeee")), "wsolo_2_blur.jpg")})
    _refused_before_the_page_was_known(app, added.location)
    [card] = _refusal_cards(client.get(added.location).get_data(as_text=True))
    assert "Foto yang dikirim dengan tombol “Foto halaman 2” (wsolo_2_blur.jpg)" in card

    trainer = app.test_client()
    log_in(trainer)
    from test_web_trainer import batch
    batch(trainer, code, [("IMG-20241127-WA0091-blur.jpg", jpeg_bytes(color="#ededed"))])
    from grader.web.db import get_db
    with app.app_context():
        sids = {r["source"]: r["id"] for r in get_db().execute("SELECT id, source FROM submissions ORDER BY id")}
    html = trainer.get(f"/trainer/lembar/{sids['batch']}").get_data(as_text=True)
    assert "IMG-20241127-WA0091-blur.jpg" in html and "Foto yang dikirim" not in html
    html = trainer.get(f"/trainer/lembar/{sids['trainee']}").get_data(as_text=True)
    assert "Foto yang dikirim dengan tombol “Foto halaman 2” (wsolo_2_blur.jpg)" in html


def test_attempts_are_private_to_the_browser(app, code):
    mine, other = app.test_client(), app.test_client()
    first = upload(mine, code=code, photos=[("a_1.jpg", jpeg_bytes())])
    upload(mine, code=code, photos=[("a_1.jpg", jpeg_bytes(color="#eeeeee"))])
    assert first.location.split("/")[-1] in mine.get("/").get_data(as_text=True)
    assert first.location.split("/")[-1] not in other.get("/").get_data(as_text=True)


def test_the_sendings_listed_on_the_upload_page_say_why_one_has_no_score(app, client, code):
    """Walk-through on a phone: "Kiriman dari perangkat ini" listed a blurry photo's sheet, a half sheet and an
    upload held for its code each with only "—" for a score, like a sheet still being graded; the class table says
    Ditolak, Sebagian. Each now says it, as the class table does."""
    upload(client, code=code, trainee="Dewi", photos=[("d_1_blur.jpg", jpeg_bytes(color="#fefefe"))])
    upload(client, code="ZZZZZZ", trainee="Maya", photos=[("m_1.jpg", jpeg_bytes(color="#fdfdfd"))])
    upload(client, code=code, trainee="Rina", photos=[("r_1.jpg", jpeg_bytes(color="#fcfcfc")),
                                                      ("r_2.jpg", jpeg_bytes(color="#fbfbfb"))])
    rows = {cells[1].split()[0]: cells for cells in _sendings(client.get("/").get_data(as_text=True))}
    assert "Ditolak" in rows["Dewi"][1] and "Menunggu kode latihan" in rows["Maya"][1]
    assert rows["Rina"][3] != "—"                                                # graded: its score
    # a score that entries still to check may change says so, as the result page does (helper-138: "100" alone)
    assert rows["Rina"][1] == "Rina nilai sementara" and rows["Rina"][3].isdigit()
    from grader.web.db import get_db
    with app.app_context():
        get_db().execute("UPDATE submissions SET n_review=0, n_unreadable=0 WHERE trainee_name='Rina' OR trainee='Rina'")
        get_db().commit()
    rows = {cells[1].split()[0]: cells for cells in _sendings(client.get("/").get_data(as_text=True))}
    assert rows["Rina"][1] == "Rina" and rows["Rina"][3].isdigit()              # nothing left to check
    en = {cells[1].split()[0]: cells for cells in _sendings(client.get("/?lang=en").get_data(as_text=True))}
    assert "Refused" in en["Dewi"][1] and "Waiting for an exercise code" in en["Maya"][1]


def test_a_half_sheet_completed_since_says_so_in_the_sendings_list(client, code):
    """Rehearsal (s44): after "Lengkapi lembar ini", the upload page listed the completed sheet and, below it, the
    half sheet still "Sebagian" with no score, as if work were left to finish. The half sheet now says it was sent
    again since; a half sheet never completed does not."""
    half = upload(client, code=code, trainee="Wati", photos=[("watisolo_1.jpg", jpeg_bytes(color="#efefef"))])
    upload(client, code=code, trainee="Yuni", photos=[("yunisolo_1.jpg", jpeg_bytes(color="#f2f2f2"))])
    added = client.post(half.location + "/lengkapi", content_type="multipart/form-data", data={
        "csrf_token": csrf_of(client), "photo": (io.BytesIO(jpeg_bytes(color="#eeeeee")), "watisolo_2.jpg")})
    assert added.status_code in (302, 303) and added.location != half.location
    rows = _sendings(client.get("/").get_data(as_text=True))
    wati = [r for r in rows if r[1].startswith("Wati")]
    assert len(wati) == 2 and wati[0][3] != "—" and "ada kiriman lebih baru" not in wati[0][1]   # newest first
    assert "Sebagian" in wati[1][1] and "ada kiriman lebih baru" in wati[1][1]
    [yuni] = [r for r in rows if r[1].startswith("Yuni")]
    assert "Sebagian" in yuni[1] and "ada kiriman lebih baru" not in yuni[1]
    assert "sent again since" in " ".join(r[1] for r in _sendings(client.get("/?lang=en").get_data(as_text=True)))
    client.get("/?lang=id")


def _sendings(html: str) -> list[list[str]]:
    """The upload page's "Kiriman dari perangkat ini" rows, each as its cells' text."""
    table = html[html.index('<table'):html.index("</table>")]
    return [[" ".join(re.sub(r"<[^>]+>", " ", c).split()) for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
            for row in re.findall(r"<tr(?: [^>]*)?>(.*?)</tr>", table, re.S)[1:]]


EARLIER = "Percobaan sebelumnya pada latihan ini"


def _earlier_attempts(html: str) -> list[list[str]]:
    """The rows of a result page's earlier attempts, each as its cells' text (the last one is "now")."""
    if EARLIER not in html:
        return []
    table = html[html.index(EARLIER):]
    table = table[:table.index("</table>")]
    return [[re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
            for row in re.findall(r"<tr(?: [^>]*)?>(.*?)</tr>", table, re.S)[1:]]


def test_a_shared_phone_lists_only_this_trainees_earlier_attempts(client, code):
    """QA: on a phone passed round the class, Wati's result listed Dedi's, Rudi's and Andi's scores as her earlier
    attempts. Only the same trainee's (the name or number typed, compared as the class table compares trainees:
    "wati " is "Wati"), of the same exercise, sent before it."""
    sent = {who: upload(client, code=code, trainee=who, photos=[("a_1.jpg", jpeg_bytes(color=color))]).location
            for who, color in (("Dedi", "#fefefe"), ("Rudi", "#fdfdfd"), ("Wati", "#fcfcfc"), ("Andi", "#fbfbfb"),
                               ("wati ", "#fafafa"))}
    html = client.get(sent["wati "]).get_data(as_text=True)
    listed = re.findall(r'href="(/hasil/[^"]+)"', html.split(EARLIER)[1].split("</table>")[0])
    assert listed == [sent["Wati"]] and [r[0] for r in _earlier_attempts(html)][-1] == "Sekarang"
    assert _earlier_attempts(client.get(sent["Wati"]).get_data(as_text=True)) == []    # her first: none before it
    assert _earlier_attempts(client.get(sent["Dedi"]).get_data(as_text=True)) == []


def test_a_refused_attempt_counts_no_wrong_or_blank_fields(client, code):
    """QA: a refused photo's attempt showed "Salah 0, Kosong 0", as if it had been graded without a mistake."""
    send = lambda name, color: upload(client, code=code, trainee="Rudi",
                                      photos=[(name, jpeg_bytes(color=color))]).location
    refused, graded, again = send("r_1_blur.jpg", "#fefefe"), send("r_1.jpg", "#fdfdfd"), send("r_1_blur.jpg", "#eee")
    rows = _earlier_attempts(client.get(graded).get_data(as_text=True))
    assert rows[0][1:4] == ["—", "—", "—"] and rows[1][0] == "Sekarang" and "—" not in rows[1][1:4]
    rows = _earlier_attempts(client.get(again).get_data(as_text=True))
    assert [r[1:4] for r in rows] == [["—", "—", "—"], rows[1][1:4], ["—", "—", "—"]]    # "now" refused too
    assert "—" not in rows[1][1:4] and refused in client.get(again).get_data(as_text=True)


def test_unknown_result_and_path_traversal_are_404(client, code):
    resp = upload(client, code=code)
    assert client.get("/hasil/nope").status_code == 404
    assert client.get(resp.location + "/gambar/../upload/01-017_1.jpg").status_code == 404
    assert client.get(resp.location + "/gambar/%2e%2e/upload/01-017_1.jpg").status_code == 404
    assert client.get(resp.location + "/gambar/../upload/01-017_1.jpg?w=480").status_code == 404


def test_sheet_whose_code_cannot_be_read_waits_for_it_and_shows_no_score(client, code):
    """No code typed and none read from the sheet: graded so, every field read would show as right and the score
    as 100. The sheet is held with its photos until the trainee types the code, then graded against it."""
    resp = upload(client, code="")      # the fake finds no code on the sheet
    html = client.get(resp.location).get_data(as_text=True)
    assert "Periksa kode latihan" in html and "Kode latihan tidak terbaca dari lembar" in html
    assert "Nilai</" not in html and "/ 100" not in html and "atau kosongkan" not in html
    fix = resp.location + "/kode"
    empty = client.post(fix, data={"csrf_token": csrf_of(client, resp.location), "code": ""})
    assert empty.status_code == 400 and "Ketik kode latihan." in empty.get_data(as_text=True)
    done = client.post(fix, data={"csrf_token": csrf_of(client, resp.location), "code": code})
    assert done.status_code == 302
    result = client.get(resp.location + ".json").get_json()
    assert result["state"] == "done" and result["score"] is not None


def test_printable_forms_page_and_pdf(client):
    assert "Lembar latihan" in client.get("/forms/").get_data(as_text=True)
    pdf = client.get("/forms/chasil-kwk.pdf?contest=bupati&pairs=1")
    assert pdf.status_code == 200 and pdf.data[:4] == b"%PDF"
    assert client.get("/forms/nope.pdf").status_code == 404
    for bad in ("abc", "3x", "-1", "٣"):
        resp = client.get(f"/forms/chasil-kwk.pdf?pairs={bad}")
        assert resp.status_code == 400 and "Jumlah paslon" in resp.get_data(as_text=True), bad
    assert client.get("/forms/chasil-kwk.pdf?pairs=9").status_code == 400


def test_real_photo_header_passes_the_up_front_check():
    from grader.web.photo_checks import check_photo
    buf = io.BytesIO()
    Image.new("RGB", (3000, 4000)).save(buf, "PNG")
    assert check_photo(buf.getvalue(), max_bytes=10**8) == "png"


@pytest.mark.parametrize("head, fmt", [
    (b"\xff\xd8\xff\xe0", "jpeg"), (b"\x89PNG\r\n\x1a\n", "png"), (b"RIFF\0\0\0\0WEBPVP8 ", "webp"),
    (b"\0\0\0\x18ftypheic", "heif"), (b"\0\0\0\x18ftypmif1", "heif"), (b"GIF89a", None), (b"%PDF-1.7", None),
    (b"PK\x03\x04", None), (b"<svg", None),
])
def test_image_formats_are_recognised_by_their_magic_bytes(head, fmt):
    from grader.web.photo_checks import sniff_image
    assert sniff_image(head + b"\0" * 16) == fmt


def test_a_finding_already_given_as_a_fix_is_not_repeated():
    from grader.web.present import other_findings
    res = {"top_fixes": [{"message_id": "A"}], "findings": [{"message_id": "A"}, {"message_id": "B"}]}
    assert other_findings(res) == [{"message_id": "B"}]


def test_section_badges_keep_our_doubt_apart_from_the_trainees_mistakes(app):
    from grader.web.present import sections
    res = {"fields": [{"id": "I.A.1.L", "section": "I", "status": "review"},
                      {"id": "I.A.1.P", "section": "I", "status": "unreadable"},
                      {"id": "II.1", "section": "II", "status": "wrong"},
                      {"id": "II.2", "section": "II", "status": "blank"},
                      {"id": "II.3", "section": "II", "status": "review"}]}
    with app.test_request_context():
        by_id = {s.id: s for s in sections(res)}
    assert (by_id["I"].n_wrong, by_id["I"].n_check) == (0, 2)      # unsure readings are not "to fix"
    assert (by_id["II"].n_wrong, by_id["II"].n_check) == (2, 1)


def test_a_field_in_review_says_why(client, code):
    from grader.web.testing import REVIEW_FIELD

    html = client.get(upload(client, code=code, photos=[("017_1.jpg", jpeg_bytes())]).location).get_data(as_text=True)
    row = re.search(rf'id="f-{re.escape(REVIEW_FIELD)}".*?</tr>', html, re.S).group(0)
    assert "Menunggu pelatih" in row and "kami belum yakin membaca kotak ke-3" in row     # our doubt, and which box
    # (the trainee's words: "Perlu dicek" read as their own job, helper-143 s47; the section says so too, and the
    # trainer's page keeps "Perlu dicek", the trainer's to-do)
    assert "Perlu dicek" not in html and "perlu dicek" not in html and "1 menunggu pelatih</span>" in html


def test_a_dispute_sent_from_two_tabs_at_once_is_stored_once(app, client, code, monkeypatch):
    """Rehearsal (helper-193, real server): the same dispute sent from three tabs of a result page at once stored
    two rows for the field, both tabs told "Terima kasih": the "already disputed" check read the open disputes, then
    stored the new one, apart (and so the cap on open disputes could be passed by disputes sent together). The
    read, the checks and the insert are one write transaction: the second waits and is told it is disputed."""
    import threading

    import grader.web.review_actions as review_actions
    from grader.exercise.store import load_key
    from grader.web.testing import WRONG_FIELD, reads_together

    said = str(load_key(code).fields[WRONG_FIELD])
    page = upload(client, code=code, photos=[("017_1.jpg", jpeg_bytes())]).location
    token = page.rsplit("/", 1)[1]
    other = app.test_client()                    # (the same result page, opened on another device)
    reads_together(monkeypatch, review_actions, "disputes_for")     # both read before either stores
    answers = []

    def dispute(tab):
        answers.append(tab.post(f"/hasil/{token}/sanggah", data={"csrf_token": csrf_of(tab, page),
                                                                  "field": WRONG_FIELD, "written": said},
                                follow_redirects=True).get_data(as_text=True))

    tabs = [threading.Thread(target=dispute, args=(tab,)) for tab in (client, other)]
    for t in tabs:
        t.start()
    for t in tabs:
        t.join(30)
    assert sorted(f"Isian {WRONG_FIELD} sudah disanggah dan menunggu pelatih" in a for a in answers) == [False, True]
    with app.app_context():
        from grader.web.db import get_db
        rows = get_db().execute("SELECT field_id, written FROM disputes").fetchall()
    assert [(r["field_id"], r["written"]) for r in rows] == [(WRONG_FIELD, said)]


def test_a_trainee_disputes_a_wrong_field_and_the_trainer_settles_it(app, client, code):
    """'Not what I wrote' takes the field out of the score and into the trainer's queue; a correction settles it."""
    from grader.exercise.store import load_key
    from grader.web.testing import WRONG_FIELD, log_in
    said = str(load_key(code).fields[WRONG_FIELD])       # what the key says: the trainee wrote it, we misread it

    resp = upload(client, code=code, photos=[("017_1.jpg", jpeg_bytes())])
    page = resp.location
    html = client.get(page).get_data(as_text=True)
    score_before = float(re.search(r'class="score"><b>(\d+)</b>', html).group(1))
    assert "Bukan ini yang saya tulis?" in html
    token = page.rsplit("/", 1)[1]
    got = client.post(f"/hasil/{token}/sanggah", data={"csrf_token": csrf_of(client, page), "field": WRONG_FIELD,
                                                       "written": said}, follow_redirects=True)
    html = got.get_data(as_text=True)
    assert got.status_code == 200 and f"Isian {WRONG_FIELD} tidak dihitung salah" in html
    row = re.search(rf'id="f-{re.escape(WRONG_FIELD)}".*?</tr>', html, re.S).group(0)
    assert "Menunggu pelatih" in row and f"menulis <b>{said}</b>" in row and "· menunggu pelatih" not in row
    assert "Bukan ini yang saya tulis?" not in row                   # once is enough
    assert float(re.search(r'class="score"><b>(\d+)</b>', html).group(1)) > score_before

    # What the trainee says they wrote must be what boxes can hold; nothing is stored otherwise.
    got = client.post(f"/hasil/{token}/sanggah", data={"csrf_token": csrf_of(client), "field": "II.1",
                                                       "written": "abc"}, follow_redirects=True)
    refusal = got.get_data(as_text=True)
    # (helper-138: "atau X47" beside a number pad that has no X; "atau kosongkan" read as a riddle)
    assert "Tulis bilangan yang Anda tulis di lembar (mis. 47); atau biarkan kotak ini kosong, dan pelatih" in refusal
    assert "X47" not in refusal

    # A field that was read right cannot be disputed; nothing is stored for it.
    got = client.post(f"/hasil/{token}/sanggah", data={"csrf_token": csrf_of(client), "field": "II.1"},
                      follow_redirects=True)
    assert "Isian II.1 tidak ditandai salah atau kosong" in got.get_data(as_text=True)
    # The same field again (a page opened before the first dispute): said as already disputed, stored once.
    got = client.post(f"/hasil/{token}/sanggah", data={"csrf_token": csrf_of(client), "field": WRONG_FIELD,
                                                       "written": said}, follow_redirects=True)
    assert f"Isian {WRONG_FIELD} sudah disanggah dan menunggu pelatih" in got.get_data(as_text=True)
    with app.app_context():
        from grader.web.db import get_db
        rows = get_db().execute("SELECT field_id, written FROM disputes").fetchall()
    assert [(r["field_id"], r["written"]) for r in rows] == [(WRONG_FIELD, said)]

    trainer = app.test_client()
    log_in(trainer)
    queue = trainer.get(f"/trainer/latihan/{code}/periksa").get_data(as_text=True)
    assert f'value="{WRONG_FIELD}"' in queue and f"Disanggah peserta: menulis {said}" in queue
    read = load_key(code).fields[WRONG_FIELD] + 1                   # the trainer sees we read it right
    trainer.post("/trainer/lembar/1/koreksi", data={"csrf_token": csrf_of(trainer, "/trainer/"),
                                                    "field": WRONG_FIELD, "value": str(read)})
    html = client.get(page).get_data(as_text=True)
    row = re.search(rf'id="f-{re.escape(WRONG_FIELD)}".*?</tr>', html, re.S).group(0)
    assert "Salah" in row and "menunggu pelatih" not in row and "Ibu Sari" in row
    assert float(re.search(r'class="score"><b>(\d+)</b>', html).group(1)) == score_before


def test_a_dispute_a_trainer_answered_stays_said_on_the_page_and_in_the_export(app, client, code):
    """Rehearsal (helper-89): Joko disputed V.A ("menulis 148"); the trainer checked the crop, saw 149 and confirmed
    it. Joko's page then showed only "Salah ✎ Bu Ratna", nothing of his dispute, and the fields export lost what he
    had said ("Menurut peserta", "Waktu sanggahan" empty). Both now keep it, with the dispute said as checked."""
    import csv
    import io as _io

    from grader.exercise.store import load_key
    from grader.web.testing import WRONG_FIELD, log_in
    said = str(load_key(code).fields[WRONG_FIELD])
    page = upload(client, code=code, photos=[("017_1.jpg", jpeg_bytes())]).location
    token = page.rsplit("/", 1)[1]
    client.post(f"/hasil/{token}/sanggah", data={"csrf_token": csrf_of(client, page), "field": WRONG_FIELD,
                                                 "written": said})
    trainer = app.test_client()
    log_in(trainer)
    read = load_key(code).fields[WRONG_FIELD] + 1                   # the trainer sees we read it right
    trainer.post("/trainer/lembar/1/koreksi", data={"csrf_token": csrf_of(trainer, "/trainer/"),
                                                    "field": WRONG_FIELD, "value": str(read)})
    html = client.get(page).get_data(as_text=True)
    row = re.search(rf'id="f-{re.escape(WRONG_FIELD)}".*?</tr>', html, re.S).group(0)
    assert "Salah" in row and "menunggu pelatih" not in row
    assert f"menulis <b>{said}</b>" in row and "sudah dijawab pelatih" in row and "diperiksa" not in row
    english = client.get(page + "?lang=en").get_data(as_text=True)
    assert "answered by the trainer" in re.search(rf'id="f-{re.escape(WRONG_FIELD)}".*?</tr>', english, re.S).group(0)
    exported = trainer.get(f"/trainer/latihan/{code}/ekspor/isian.csv?lang=id").get_data(as_text=True)
    rows = list(csv.DictReader(_io.StringIO(exported.lstrip("\ufeff"))))
    mine = next(r for r in rows if r["Isian (kode)"] == WRONG_FIELD)
    assert mine["Menurut peserta"] == said and mine["Waktu sanggahan"] and mine["Dikoreksi oleh"]


def test_a_dispute_survives_a_regrade(app, client, code):
    from grader.web.grading import run_grade_job
    from grader.web.testing import WRONG_FIELD

    page = upload(client, code=code, photos=[("017_1.jpg", jpeg_bytes())]).location
    token = page.rsplit("/", 1)[1]
    client.post(f"/hasil/{token}/sanggah", data={"csrf_token": csrf_of(client, page), "field": WRONG_FIELD})
    run_grade_job({"submission_id": 1}, app.extensions["grader.jobs"].ctx)
    row = re.search(rf'id="f-{re.escape(WRONG_FIELD)}".*?</tr>', client.get(page).get_data(as_text=True), re.S)
    assert "Menunggu pelatih" in row.group(0) and "Anda menyanggah bacaan ini" in row.group(0)   # (their own page)


def test_open_disputes_per_sheet_are_capped(app, client, code):
    """A trainee cannot wave away a whole sheet: after a few open disputes, they are asked to wait for the trainer."""
    import json

    from grader.web.review_actions import MAX_OPEN_DISPUTES

    page = upload(client, code=code, photos=[("017_1.jpg", jpeg_bytes())]).location
    token = page.rsplit("/", 1)[1]
    with app.app_context():                                          # make many fields wrong in the stored result
        from grader.web.db import get_db
        db = get_db()
        res = json.loads(db.execute("SELECT result FROM submissions WHERE id=1").fetchone()["result"])
        for f in res["fields"][:MAX_OPEN_DISPUTES + 2]:
            f["status"] = "wrong"
        db.execute("UPDATE submissions SET result=?, result_original=? WHERE id=1", (json.dumps(res), json.dumps(res)))
        db.commit()
        ids = [f["id"] for f in res["fields"][:MAX_OPEN_DISPUTES + 2]]
    for fid in ids[:MAX_OPEN_DISPUTES]:
        client.post(f"/hasil/{token}/sanggah", data={"csrf_token": csrf_of(client), "field": fid})
    got = client.post(f"/hasil/{token}/sanggah", data={"csrf_token": csrf_of(client), "field": ids[-1]},
                      follow_redirects=True)
    assert f"Sudah ada {MAX_OPEN_DISPUTES} sanggahan yang menunggu pelatih" in got.get_data(as_text=True)
    with app.app_context():
        from grader.web.db import get_db
        assert get_db().execute("SELECT COUNT(*) FROM disputes").fetchone()[0] == MAX_OPEN_DISPUTES


def test_a_replaced_result_cannot_be_disputed(app, client, code):
    from grader.web.testing import WRONG_FIELD

    page = upload(client, code=code, photos=[("017_1.jpg", jpeg_bytes())]).location
    token = page.rsplit("/", 1)[1]
    with app.app_context():                                          # merged into a two-page sheet meanwhile
        from grader.web.db import get_db
        get_db().execute("UPDATE submissions SET state='merged' WHERE id=1")
        get_db().commit()
    got = client.post(f"/hasil/{token}/sanggah", data={"csrf_token": csrf_of(client), "field": WRONG_FIELD})
    assert got.status_code == 303
    with app.app_context():
        from grader.web.db import get_db
        assert get_db().execute("SELECT COUNT(*) FROM disputes").fetchone()[0] == 0


def test_a_sheet_without_an_exercise_key_cannot_be_disputed_and_says_so(app, client, code, monkeypatch):
    from grader.web import review_actions
    from grader.web.testing import WRONG_FIELD

    page = upload(client, code=code, photos=[("017_1.jpg", jpeg_bytes())]).location
    token = page.rsplit("/", 1)[1]
    monkeypatch.setattr(review_actions, "load_exercise_key", lambda code, data_dir: None)   # the key is gone
    got = client.post(f"/hasil/{token}/sanggah", data={"csrf_token": csrf_of(client), "field": WRONG_FIELD},
                      follow_redirects=True)
    assert "tanpa kode latihan, jadi belum bisa disanggah" in got.get_data(as_text=True)
    with app.app_context():
        from grader.web.db import get_db
        assert get_db().execute("SELECT COUNT(*) FROM disputes").fetchone()[0] == 0


def test_a_field_id_with_odd_characters_is_refused_cleanly(client, code):
    page = upload(client, code=code, photos=[("017_1.jpg", jpeg_bytes())]).location
    token = page.rsplit("/", 1)[1]
    got = client.post(f"/hasil/{token}/sanggah", data={"csrf_token": csrf_of(client), "field": "II.3\r\nX-Evil: 1"})
    assert got.status_code == 303 and "\n" not in got.location and got.location.endswith(f"/hasil/{token}")


def test_a_photo_with_print_out_of_place_is_graded_and_a_retake_is_advised(client, code):
    resp = upload(client, code=code, photos=[("017_1.jpg", jpeg_bytes()), ("017_2_bent.jpg", OTHER_PHOTO)])
    html = client.get(resp.location).get_data(as_text=True)
    assert "Sebaiknya foto ulang" in html and "Foto perlu diulang" not in html
    assert "tidak tepat di tempat cetakannya" in html
    assert "Isian per bagian" in html                             # still graded
    form = re.search(r'<form method="post" action="(/hasil/[^"]+/ulang)".*?name="position" value="(\d)"', html, re.S)
    assert form.group(2) == "2"


def test_a_photo_of_both_pages_is_said_so_and_the_missing_page_is_added_not_retaken(client, code):
    """A photo showing both pages (helper-134, helper-136): the page says to photograph the other page on its own,
    with no retake button on that card (a retake there would replace the page that was read); the other page is
    added with the "complete this sheet" card."""
    resp = upload(client, code=code, photos=[("017_both_solo_1.jpg", jpeg_bytes())])
    html = client.get(resp.location).get_data(as_text=True)
    card = re.search(r'<div class="card advice" id="ulang-1">(.*?)</div>\s*(?:<div class="card|$)', html, re.S)
    assert card and "Foto ini menunjukkan halaman 1 dan 2 sekaligus" in card.group(1), html
    assert "Foto halaman 2 sendiri" in card.group(1) and "/ulang" not in card.group(1)
    assert "Lengkapi lembar ini" in html


def test_a_page_that_was_not_sent_or_was_refused_is_named_beside_the_score(app):
    """The score leaves out an unread page's fields: say which page and why, and don't count its fields as
    waiting for a trainer (nobody can check a page that was never read)."""
    from flask import render_template_string

    from grader.grading.shown import UnreadPages, unread_pages
    from grader.web.present import sections
    res = {"status": "partial", "score": 100.0, "counts": {"ok": 9, "unreadable": 34},
           "pages": [{"file": "p2.jpg", "page": 2, "refusal": None, "advice": None}],
           "fields": [{"id": "I.A.1.L", "page": 1, "section": "I", "status": "unreadable", "notes": ["page_missing"]},
                      {"id": "I.A.2.L", "page": 1, "section": "I", "status": "unreadable", "notes": ["page_missing"]},
                      {"id": "IV.1", "page": 2, "section": "IV", "status": "ok", "notes": []}]}
    assert unread_pages(res) == UnreadPages(missing=(1,))
    refused = {**res, "pages": res["pages"] + [{"file": "p1.jpg", "page": 1, "refusal": {"code": "too_blurry"}}]}
    assert unread_pages(refused) == UnreadPages(refused=(1,))
    unknown = {**res, "pages": res["pages"] + [{"file": "x.jpg", "page": None, "refusal": {"code": "too_blurry"}}]}
    assert unread_pages(unknown) == UnreadPages(unknown=(1,))    # refused before its page was known: maybe page 1
    assert not unread_pages({**res, "fields": res["fields"][2:]})
    with app.test_request_context("/"):
        sec = sections(refused)[0]
    assert (sec.n_unread, sec.n_check) == (2, 0)

    def summary(r):
        with app.test_request_context("/"):
            return render_template_string('{% import "_result.html" as m %}{{ m.summary(sub, res) }}', res=r,
                                          sub={"created_at": "2026-12-02T10:00:00", "exercise": "ABC"})
    assert "Halaman 1 belum dikirim." in summary(res) and "hanya dari halaman yang terbaca" in summary(res)
    # (what to do is the card's where the missing page is added: "send the sheet again" contradicted it, helper-67)
    assert "Kirim lembar lagi" not in summary(res)
    assert "9 dari 43 isian dinilai" in summary(res)     # (counts stored without their zero keys too)
    # no headline "100 / 100" for a sheet a page of which is unread (helper-63's review): its score is said as partial
    assert '<b>—</b>' in summary(res) and "belum lengkap" in summary(res) and "<b>100</b>" not in summary(res)
    assert "sementara 100 / 100 untuk halaman yang terbaca" in summary(res)
    html = summary(refused)
    assert "Foto halaman 1 ditolak (lihat di atas)." in html and "hanya dari halaman yang terbaca" in html
    assert "belum dikirim" not in html
    assert "Halaman 1 belum terbaca." in summary(unknown)
    assert "isian yang menunggu pelatih" not in summary(res)
    waiting = summary({**res, "counts": {"ok": 8, "review": 1, "unreadable": 34}})
    assert "1 isian yang menunggu pelatih belum dihitung dalam nilai" in waiting


def test_the_printable_sheet_is_in_english_when_the_page_is(client, code):
    """A trainee who switched the page to English got the printed sheet in Indonesian only."""
    resp = upload(client, code=code, photos=[("017_1.jpg", jpeg_bytes()), ("017_2.jpg", jpeg_bytes())])
    english = client.get(resp.location + "/cetak?lang=en").get_data(as_text=True)
    assert 'lang="en"' in english and "C.Hasil practice feedback" in english and "What to fix" in english
    assert "/100 provisional" in english and "IV. Votes" in english and "Waiting for the trainer" in english
    for indonesian in ("Umpan balik", "Tiga hal", "sementara", "Perolehan suara", "Seharusnya", "Halaman "):
        assert indonesian not in english, indonesian
    assert "Page " in english                                # the place of each fix, in English too
    indonesian = client.get(resp.location + "/cetak?lang=id").get_data(as_text=True)
    assert 'lang="id"' in indonesian and "Umpan balik latihan C.Hasil" in indonesian and "Halaman " in indonesian


def test_a_graded_result_has_a_one_page_printable_feedback_sheet(app, client, code):
    resp = upload(client, code=code, photos=[("017_1.jpg", jpeg_bytes()), ("017_2.jpg", OTHER_PHOTO)])
    html = client.get(resp.location).get_data(as_text=True)
    link = re.search(r'href="(/hasil/[^"]+/cetak)"', html).group(1)
    sheet = client.get(link)
    text = sheet.get_data(as_text=True)
    assert sheet.status_code == 200 and "@page { size: A4" in text and "Umpan balik latihan C.Hasil" in text
    assert "Yang perlu diperbaiki" in text and "Tiga hal" not in text and code in text    # one mistake, not "three"
    ident = re.findall(r'<img class="ident" src="([^"]+)"', text)           # what is written on the sheet
    assert len(ident) == 2 and client.get(ident[0].replace("&amp;", "&")).data[:4] == b"\x89PNG"
    from grader.web.testing import log_in
    trainer = app.test_client()
    log_in(trainer)
    printed = trainer.get("/trainer/lembar/1/cetak").get_data(as_text=True)
    assert "Umpan balik latihan C.Hasil" in printed and '<img class="ident" src="/trainer/lembar/1/gambar/' in printed
    refused = upload(client, code=code, photos=[("x_1_blur.jpg", jpeg_bytes(color="#e0e0e0"))],
                     client_token="other")      # (another photo: page 1's again would be its sheet)
    assert "/cetak" not in client.get(refused.location).get_data(as_text=True)
    # nothing to print: the sheet's page, which says why (a link opened while the grading ran said "not found")
    cetak = client.get(refused.location + "/cetak")
    assert cetak.status_code == 303 and cetak.location.endswith(refused.location.split("?")[0].rsplit("/", 1)[1])
    assert trainer.get("/trainer/lembar/2/cetak").location.endswith("/trainer/lembar/2")


def test_a_right_field_with_a_blank_leading_box_says_so_in_its_row(app):
    """The list of fixes names I.A.3.J; its row, marked right, must not contradict it."""
    from flask import render_template_string
    msg = "Kotak depan dibiarkan kosong (I.A.3.J). Isi kotak yang tidak terpakai dengan X, misalnya X47."
    res = {"fields": [{"id": "I.A.3.J", "page": 1, "section": "I", "label": "Jumlah", "kind": "digits", "value": 47,
                       "expected": 47, "status": "ok", "notes": ["blank_leading_box"]},
                      {"id": "II.1", "page": 1, "section": "II", "label": "Diterima", "kind": "digits", "value": 5,
                       "expected": 5, "status": "ok", "notes": []}],
           "findings": [{"kind": "convention", "severity": "warning", "message_id": msg, "message_en": "Leading",
                         "fields": ["I.A.3.J"]}]}
    with app.test_request_context("/"):
        html = render_template_string('{% import "_result.html" as m %}{{ m.field_table(res) }}', res=res)
    row = re.search(r'id="f-I.A.3.J".*?</tr>', html, re.S).group(0)
    assert "Benar" in row and f'<div class="small remark">{msg}</div>' in row
    assert "remark" not in re.search(r'id="f-II.1".*?</tr>', html, re.S).group(0)
    assert html.count("<details class=\"sec\" open") == 1                 # its section opens by itself


def test_a_violated_rules_card_says_its_values_once(app):
    """The card gives each violated rule's message, whose values carry their relation ("tertulis: 12 > 7"), and the
    boxes it points at; it wrote the values a second time under it ("tertulis: 12 ≠ 7 · kotak: …")."""
    from flask import render_template_string
    res = {"rules": [{"id": "disabled_voted_not_above_registered", "severity": "warning", "status": "violated",
                      "message_id": "Pemilih disabilitas (tertulis: 12 > 7)", "message_en": "Disabled voters (written: 12 > 7)",
                      "fields": ["III.B.J", "III.A.J"], "lhs": 12, "rhs": 7, "op": "<=", "expression": "III.B.J ≤ III.A.J"},
                     {"id": "ballots_balance", "severity": "error", "status": "violated",
                      "message_id": "Surat suara (tertulis: 300 ≠ 301)", "message_en": "Ballots (written: 300 ≠ 301)",
                      "fields": ["II.1", "II.2", "II.3", "II.4"], "lhs": 300, "rhs": 301, "op": "==",
                      "expression": "II.1 = II.2 + II.3 + II.4"}]}
    for lang, written, boxes in (("id", "tertulis", "isian terkait"), ("en", "written", "entries")):
        with app.test_request_context(f"/?lang={lang}"):
            app.preprocess_request()
            html = render_template_string('{% import "_result.html" as m %}{{ m.fixes_and_rules(res) }}', res=res)
        assert html.count(f"{written}: 12 &gt; 7") == 1 and html.count(f"{written}: 300 ≠ 301") == 1, lang
        assert f"{boxes}: III.B.J, III.A.J" in html and f"{boxes}: II.1, II.2, II.3, II.4" in html, lang


def test_the_qr_trainee_wins_over_the_typed_name(app, client, code):
    """A personalised sheet names its trainee: uploads of it under another typed name stay one row in the class."""
    upload(client, code=code, trainee="Dewi", photos=[("qr-12-a_1.jpg", jpeg_bytes())])
    upload(client, code=code, trainee="12", photos=[("qr-12-b_1.jpg", jpeg_bytes(color="#eee"))], client_token="x2")
    with app.app_context():
        from grader.web.classroom import latest_sheets
        from grader.web.db import get_db
        rows = latest_sheets(get_db(), code)
    assert [(r["trainee"], r["attempts"]) for r in rows] == [("12", 2)]


def test_the_number_written_on_the_sheet_wins_over_the_typed_text_which_stays_as_the_name(app, client, code):
    """QA: 'Fitri 104' typed on a sheet whose boxes say 104 made a second row beside trainee 104, and the table
    named her differently from her printed feedback."""
    upload(client, code=code, trainee="Fitri 104", photos=[("num-104-a_1.jpg", jpeg_bytes())])
    upload(client, code=code, trainee="104", photos=[("num-104-b_1.jpg", jpeg_bytes(color="#eee"))], client_token="y2")
    with app.app_context():
        from grader.web.classroom import latest_sheets
        from grader.web.db import get_db
        rows = latest_sheets(get_db(), code)
        names = [tuple(r) for r in get_db().execute("SELECT trainee, trainee_name FROM submissions ORDER BY id")]
    assert [(r["trainee"], r["attempts"]) for r in rows] == [("104", 2)]
    assert names == [("104", "Fitri 104"), ("104", None)]
    from grader.web.testing import log_in, WRONG_FIELD          # a regrade (a trainer's correction) keeps the name
    trainer = app.test_client()
    log_in(trainer)
    trainer.post("/trainer/lembar/1/koreksi", data={"csrf_token": csrf_of(trainer, "/trainer/lembar/1"),
                                                   "field": WRONG_FIELD, "value": "1"})
    with app.app_context():
        from grader.web.db import get_db
        again = [tuple(r) for r in get_db().execute("SELECT trainee, trainee_name FROM submissions ORDER BY id")]
        assert get_db().execute("SELECT COUNT(*) FROM corrections").fetchone()[0] == 1
    assert again == names


def _class_rows(app, code):
    with app.app_context():
        from grader.web.classroom import latest_sheets
        from grader.web.db import get_db
        return [(r["trainee"], r["attempts"]) for r in latest_sheets(get_db(), code)]


@pytest.mark.parametrize("typed", ["61", "Fitri"])
def test_attempts_stay_one_row_however_surely_the_number_was_read(app, code, typed):
    """Review: with the number read firmly ('061', as the pipeline writes it) on one attempt and unsure on the
    other, the row depended on the reading: '061' and '61' (or 'Fitri') were two rows of one trainee."""
    upload(app.test_client(), code=code, trainee=typed, photos=[("num-061-a_1.jpg", jpeg_bytes())])
    upload(app.test_client(), code=code, trainee=typed, photos=[("b_1.jpg", jpeg_bytes(color="#eee"))])
    rows = _class_rows(app, code)
    assert len(rows) == 1 and rows[0][1] == 2


def test_the_number_written_on_the_sheet_wins_over_a_typed_name_spelt_two_ways(app, code):
    """Issue 5 (identity: the QR, then the number written on the sheet, then the file name): a trainee who sent
    page 1 typing 'Fitri' and page 2 typing 'fitri r.', both sheets with 104 in the number boxes, was two rows of
    the class table. She is trainee 104 once, her attempts counted together, her latest typed name shown with it."""
    client = app.test_client()
    upload(client, code=code, trainee="Fitri", photos=[("num-104-a_1.jpg", jpeg_bytes())])
    upload(client, code=code, trainee="fitri r.", photos=[("num-104-b_2.jpg", jpeg_bytes(color="#eee"))],
           client_token="z2")
    with app.app_context():
        from grader.web.classroom import latest_sheets
        from grader.web.db import get_db
        rows = latest_sheets(get_db(), code)
    assert [(r["trainee"], r["trainee_name"], r["attempts"]) for r in rows] == [("104", "fitri r.", 2)]
    assert rows[0]["other_names"] == ["Fitri"]      # and the other spelling is said (two people a misread joined?)
    trainer = app.test_client()
    log_in(trainer)
    for lang, words in (("id", "juga dengan nama: Fitri"), ("en", "also named: Fitri")):
        table = trainer.get(f"/trainer/latihan/{code}/hasil?lang={lang}").get_data(as_text=True)
        assert re.search(r"104</a> <span[^>]*>fitri r\.</span>.*?\(2×\).*?<br><span[^>]*data-other-names[^>]*>" + words
                         + "</span></td>", table, re.S)
    # the sheets export says it too (h38b left it to the table)
    sheets = list(csv.DictReader(io.StringIO(trainer.get(f"/trainer/latihan/{code}/ekspor/lembar.csv?lang=id")
                                             .get_data(as_text=True).lstrip("\ufeff"))))
    assert [(r["Peserta"], r["Nama"], r["Juga dengan nama"]) for r in sheets] == [("104", "fitri r.", "Fitri")]


def test_the_result_page_names_the_number_the_sheet_is_filed_under_and_a_typed_name_it_overrode(app, code):
    """Walkthrough: 'Fitri' typed on a sheet whose boxes read 104 is trainee 104 in the class table, but her result
    page said only 'Peserta: Fitri' (a number misread firmly would file her elsewhere unseen); a personalised sheet
    whose QR names trainee 110, sent with 'Budi Santoso' typed, said '110' and nothing of the name typed (someone
    else's sheet picked up by mistake goes unnoticed)."""
    client = app.test_client()

    def who(resp, lang="id"):
        html = client.get(resp.location + ("?lang=en" if lang == "en" else "")).get_data(as_text=True)
        return re.sub(r"<[^>]+>|\s+", " ", re.search(r"<dd>((?:(?!</dd>).)*)</dd>\s*<dt>[^<]*</dt><dd>[^<]*WIB",
                                                      html, re.S).group(1)).split()

    fitri = upload(client, code=code, trainee="Fitri", photos=[("num-104-a_1.jpg", jpeg_bytes())])
    assert who(fitri) == ["Fitri", "·", "no.", "peserta", "104"]
    paper = client.get(fitri.location + "/cetak").get_data(as_text=True)      # and so does her printed feedback
    assert "Peserta: <b>Fitri</b> · no. peserta 104 (identitas dari nomor peserta di lembar)" in paper
    budi = upload(client, code=code, trainee="Budi Santoso", photos=[("qr-110-b_1.jpg", jpeg_bytes(color="#eee"))])
    assert who(budi) == ["110", "diketik", "di", "formulir:", "Budi", "Santoso"]
    assert who(budi, "en") == ["110", "typed", "on", "the", "form:", "Budi", "Santoso"]
    plain = upload(client, code=code, trainee="Fitri 104", photos=[("num-104-c_1.jpg", jpeg_bytes(color="#ddd"))])
    assert who(plain) == ["Fitri", "104"]                         # the number once, the name as typed


def test_a_typed_name_whose_sheet_number_was_not_read_joins_the_number_that_name_was_read_with(app, code):
    """The sheet's number wins over the typed name, so an attempt whose number was not read firmly (only the typed
    name says whose it is) is still one row with the attempt that read it, shown as that number; a typed name seen
    with two numbers (two Fitris in the class) joins neither, and two numbers are never one row."""
    upload(app.test_client(), code=code, trainee="Fitri", photos=[("num-104-a_1.jpg", jpeg_bytes())])
    upload(app.test_client(), code=code, trainee="Fitri", photos=[("b_1.jpg", jpeg_bytes(color="#eee"))])
    upload(app.test_client(), code=code, trainee="Budi", photos=[("num-105-c_1.jpg", jpeg_bytes(color="#ddd"))])
    with app.app_context():
        from grader.web.classroom import latest_sheets
        from grader.web.db import get_db
        rows = latest_sheets(get_db(), code)
    assert [(r["trainee"], r["trainee_name"], r["attempts"]) for r in rows] == [("104", "Fitri", 2),
                                                                               ("105", "Budi", 1)]
    upload(app.test_client(), code=code, trainee="Fitri", photos=[("num-106-d_1.jpg", jpeg_bytes(color="#ccc"))])
    assert sorted(_class_rows(app, code)) == [("104", 1), ("105", 1), ("106", 1), ("Fitri", 1)]


def test_the_review_queue_names_a_joined_attempt_as_the_class_table_does(app, code):
    """Review: Fitri's latest attempt, whose number was not read, is trainee 104's row in the class table (her first
    read 104), but the review queue listed its fields under 'Fitri', a trainee the table does not have."""
    from grader.web.testing import REVIEW_FIELD
    upload(app.test_client(), code=code, trainee="Fitri", photos=[("num-104-a_1.jpg", jpeg_bytes())])
    upload(app.test_client(), code=code, trainee="Fitri", photos=[("b_1.jpg", jpeg_bytes(color="#eee"))])
    trainer = app.test_client()
    log_in(trainer)
    queue = trainer.get(f"/trainer/latihan/{code}/periksa").get_data(as_text=True)
    assert re.findall(r'data-sid="(\d+)" data-field="([^"]+)"', queue) == [("2", REVIEW_FIELD)]
    named = r"<b>([^<]+)</b></a> (?:<span class=\"muted small\">([^<]+)</span>)?"
    assert re.findall(named, queue) == [("104", "Fitri")]
    for table in ("lembar", "isian"):         # and the exports' two tables, which join on it
        rows = list(csv.DictReader(io.StringIO(trainer.get(f"/trainer/latihan/{code}/ekspor/{table}.csv")
                                               .get_data(as_text=True).lstrip("\ufeff"))))
        assert {(r["Peserta"], r["Nama"]) for r in rows} == {("104", "Fitri")}, table


def test_a_name_typed_on_another_trainees_personalised_sheet_joins_nobody_to_that_trainee(app, code):
    """A trainee who sent Yanti's personalised sheet (its QR names 110) typing 'Budi' files it under 110, as the QR
    says; Budi's own sheet whose number was not read is still Budi's, not trainee 110's."""
    upload(app.test_client(), code=code, trainee="Budi", photos=[("qr-110-a_1.jpg", jpeg_bytes())])
    upload(app.test_client(), code=code, trainee="Budi", photos=[("b_1.jpg", jpeg_bytes(color="#eee"))])
    assert sorted(_class_rows(app, code)) == [("110", 1), ("Budi", 1)]
    with app.app_context():
        from grader.web.classroom import latest_sheets
        from grader.web.db import get_db
        rows = {r["trainee"]: r for r in latest_sheets(get_db(), code)}
    assert rows["110"]["other_names"] == ["Budi"]         # the class table says the name typed on 110's sheet


def test_a_number_read_on_the_sheet_that_contradicts_the_typed_one_never_files_it_under_another(app, code):
    """Review: 'Fitri 104' whose 104 is misread firmly as 164 became trainee 164's latest sheet and hid hers."""
    upload(app.test_client(), code=code, trainee="164", photos=[("num-164-own_1.jpg", jpeg_bytes())])
    upload(app.test_client(), code=code, trainee="Fitri 104", photos=[("num-164-fitri_1.jpg", jpeg_bytes(color="#eee"))])
    assert sorted(_class_rows(app, code)) == [("164", 1), ("Fitri 104", 1)]


def test_the_printable_feedback_names_the_trainee_the_class_table_names(app, client, code):
    """QA: 'Fitri 104' typed on a sheet whose boxes read 103 is Fitri 104's row (the numbers disagree), but the
    printed feedback said 'Peserta: 103 (identitas dari nomor peserta di lembar)'."""
    resp = upload(client, code=code, trainee="Fitri 104", photos=[("num-103-a_1.jpg", jpeg_bytes())])
    assert _class_rows(app, code) == [("Fitri 104", 1)]
    paper = client.get(resp.location + "/cetak").get_data(as_text=True)
    assert "Peserta: <b>Fitri 104</b> (identitas dari nama yang diketik saat mengirim)" in paper


def test_a_dispute_of_a_count_takes_digits_only(app, client, code):
    """"-5" is box content (a dash, then 5) for digits, but not a count of bubbles or tally marks."""
    import json as _json

    from grader.web.testing import WRONG_FIELD
    resp = upload(client, code=code, photos=[("017_1.jpg", jpeg_bytes())])
    with app.app_context():
        from grader.web.db import get_db
        db = get_db()
        res = _json.loads(db.execute("SELECT result FROM submissions").fetchone()["result"])
        for f in res["fields"]:
            if f["id"] == WRONG_FIELD:
                f["kind"] = "tally"
        db.execute("UPDATE submissions SET result=?", (_json.dumps(res),))
        db.commit()
    token = resp.location.rsplit("/", 1)[1]
    got = client.post(f"/hasil/{token}/sanggah", data={"csrf_token": csrf_of(client), "field": WRONG_FIELD,
                                                       "written": "-5"}, follow_redirects=True)
    assert "Tulis jumlah yang Anda tandai" in got.get_data(as_text=True)
    with app.app_context():
        assert get_db().execute("SELECT COUNT(*) FROM disputes").fetchone()[0] == 0


def full_disk_after(monkeypatch, writes: int):
    """Let ``writes`` photo files be written, then fail the way a full disk does, mid-file."""
    import builtins
    import errno

    import grader.web.sheet_storing as sheet_storing
    count = {"n": 0}

    class Full:
        def __init__(self, path, mode, **kw):
            self.fh = builtins.open(path, mode, **kw)
            self.record = str(path).endswith(sheet_storing.MANIFEST)   # (what a sending was sent with: not a photo)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.fh.close()

        def write(self, data):
            if self.record:
                return self.fh.write(data)
            count["n"] += 1
            if count["n"] > writes:
                self.fh.write(data[:10])
                raise OSError(errno.ENOSPC, "No space left on device")
            return self.fh.write(data)

        def flush(self):
            self.fh.flush()

        def fileno(self):
            return self.fh.fileno()

    monkeypatch.setattr(sheet_storing, "open", Full, raising=False)


def test_a_full_disk_says_so_and_leaves_nothing_half_stored(app, client, code, monkeypatch):
    full_disk_after(monkeypatch, writes=1)
    resp = upload(client, code=code, photos=[("017_1.jpg", jpeg_bytes()), ("017_2.jpg", OTHER_PHOTO)])
    assert resp.status_code == 507
    assert "penyimpanan penuh" in resp.get_data(as_text=True) and "kirim lagi" in resp.get_data(as_text=True)
    en = upload(client, code=code, photos=[("017_1.jpg", jpeg_bytes())], lang="en").get_data(as_text=True)
    assert "storage is full" in en and str(app.config["DATA_DIR"]) not in en and "Errno" not in en  # no server paths
    assert list((app.config["DATA_DIR"] / "submissions").iterdir()) == []     # no half-written photo left behind
    with app.app_context():
        from grader.web.db import get_db
        assert get_db().execute("SELECT COUNT(*) FROM submissions").fetchone()[0] == 0


def test_a_full_database_leaves_no_photo_behind(app, client, code, monkeypatch):
    """The photos fit on disk but the database cannot take the submission: say so, and keep no orphan files."""
    import sqlite3

    import grader.web.sheet_storing as sheet_storing
    import grader.web.trainee.upload as trainee_upload

    class FullConn:
        def __init__(self, conn):
            self.conn = conn

        def execute(self, sql, *args):
            if sql.startswith("INSERT INTO submissions"):
                raise sqlite3.OperationalError("database or disk is full")
            return self.conn.execute(sql, *args)

        def __getattr__(self, name):
            return getattr(self.conn, name)

    original = sheet_storing.store_submission
    monkeypatch.setattr(trainee_upload, "store_submission", lambda conn, *a, **kw: original(FullConn(conn), *a, **kw))
    resp = upload(client, code=code)
    assert resp.status_code == 507 and "penyimpanan penuh" in resp.get_data(as_text=True)
    assert list((app.config["DATA_DIR"] / "submissions").iterdir()) == []


def _database_read_only(monkeypatch, *, openable: bool) -> None:
    """The requests' database as a data folder gone read-only leaves it: opened but refusing every write (its files
    owned by another user, after a start as root) or not even opened (the folder remounted read-only after a disk
    error: WAL cannot open without writing). Real SQLite errors, with their codes."""
    import sqlite3

    import grader.web.db as db

    def read_only(path):
        if not openable:
            sqlite3.connect(f"file:{path}-gone/x?mode=ro", uri=True)      # raises SQLITE_CANTOPEN
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None, check_same_thread=False)
        conn.row_factory = sqlite3.Row
        return conn
    monkeypatch.setattr(db, "connect", read_only)


@pytest.mark.parametrize("openable", [True, False], ids=["writes_refused", "not_openable"])
def test_a_read_only_data_folder_says_so_to_the_trainee_and_keeps_nothing(app, client, code, monkeypatch, openable):
    """h35b: with the data folder remounted read-only, a trainee's upload (and their result page) answered 500 "a
    server error, try again in a moment", which sending again never cures; with only the database read-only, the
    photos were written and dropped and the same 500 said. Both are the storage's trouble, said as such (507)."""
    sent = upload(client, code=code)
    token = csrf_of(client)
    _database_read_only(monkeypatch, openable=openable)
    resp = upload(client, code=code, photos=[("018_1.jpg", OTHER_PHOTO)], token=token)
    text = resp.get_data(as_text=True)
    assert resp.status_code == 507 and "tidak bisa ditulisi" in text and "foto belum tersimpan" in text
    page = client.get(sent.location)
    if openable:                     # (reading still works: the result is shown)
        assert page.status_code == 200
    else:
        assert page.status_code == 507 and "Beri tahu pelatih" in page.get_data(as_text=True)
        assert "Coba lagi sebentar lagi" not in page.get_data(as_text=True)
    monkeypatch.undo()
    assert _counts(app)[:2] == (1, 1)
    assert len(list((app.config["DATA_DIR"] / "submissions").iterdir())) == 1      # no photo of the refused upload


def test_a_full_disk_still_shows_the_pages_as_the_database_keeps_its_wal_index_between_requests(app, client, code):
    """Rehearsal (helper-193, the data folder on a tmpfs filled to the last byte): every page answered 507, a
    trainee's result and the trainer's class table too, though only writing needs room: each request's connection
    was the only one, and SQLite deletes a WAL database's index (``-shm``) and log when its last connection closes,
    then makes and sizes them again on the next one, which a full disk refuses ("disk I/O error"; a process holding
    one connection open made every page answer 200 on the same full disk). The app keeps one connection open, idle,
    while it lives, so the index stays between requests."""
    page = upload(client, code=code).location
    assert client.get(page).status_code == 200
    database = Path(app.config["DATABASE"])
    index, log_file = database.with_name(database.name + "-shm"), database.with_name(database.name + "-wal")
    assert index.exists() and index.stat().st_size > 0 and log_file.exists()
    assert client.get(page).status_code == 200


def test_a_trainer_removing_a_first_attempt_keeps_its_retake(app, client, code):
    resp = upload(client, code=code, photos=[("017_1.jpg", jpeg_bytes()), ("017_2_blur.jpg", OTHER_PHOTO)])
    html = client.get(resp.location).get_data(as_text=True)
    action = re.search(r'<form method="post" action="(/hasil/[^"]+/ulang)"', html).group(1)
    retake = client.post(action, data={"csrf_token": csrf_of(client), "position": "2",
                                       "photo": (io.BytesIO(jpeg_bytes(color="#fafafa")), "017_2.jpg")},
                         content_type="multipart/form-data")
    from grader.web.testing import log_in
    trainer = app.test_client()
    log_in(trainer)
    removed = trainer.post("/trainer/lembar/1/hapus", data={"csrf_token": csrf_of(trainer, "/trainer/lembar/1"),
                                                            "confirm": "1"}, follow_redirects=True)
    assert "sudah dihapus" in removed.get_data(as_text=True)
    gone = client.get(resp.location)
    assert gone.status_code == 410 and "sudah dihapus oleh pelatih" in gone.get_data(as_text=True)
    again = client.get(retake.location)
    assert again.status_code == 200 and "Percobaan sebelumnya" not in again.get_data(as_text=True)


def _stored(app, token):
    from grader.web.db import get_db
    with app.app_context():
        db = get_db()
        sid = db.execute("SELECT id FROM submissions WHERE token=?", (token,)).fetchone()["id"]
        return [(u["filename"], (app.config["DATA_DIR"] / u["path"]).read_bytes()) for u in db.execute(
            "SELECT filename, path FROM uploads WHERE submission_id=? ORDER BY position", (sid,))]


def test_a_page_sent_again_on_its_own_can_take_the_other_page_from_the_earlier_sheet(app, client, code):
    """QA: a trainee who sent page 2 again alone (to fix it) left a half sheet as their latest in the class table;
    the result now offers to grade it with the page 1 they sent before, and the completed sheet is the latest."""
    page1, page2, page2_fixed = jpeg_bytes(color="#fdfdfd"), jpeg_bytes(color="#fcfcfc"), jpeg_bytes(color="#fbfbfb")
    first = upload(client, code=code, trainee="017", photos=[("a_1.jpg", page1), ("a_2.jpg", page2)])
    again = upload(client, code=code, trainee="017", photos=[("asolo_2.jpg", page2_fixed)])
    html = client.get(again.location).get_data(as_text=True)
    assert "Halaman 1 tidak ada di kiriman ini" in html
    first_token = first.location.rsplit("/", 1)[1]
    form = re.search(r'<form method="post" action="([^"]+/lengkapi)"[^>]*>.*?name="dari" value="([^"]+)"', html, re.S)
    assert form and form.group(2) == first_token and "Pakai halaman 1 dari kiriman" in html
    # the offer says whose sheet it was and links to it, so a trainee on a lent phone can check it is theirs
    offer = html[html.index('id="lengkapi"'):]
    assert "(017)" in offer and f'href="{first.location}"' in offer
    tap = {"csrf_token": csrf_of(client), "dari": first_token,
           "client_token": re.search(r'name="client_token" value="([^"]+)"', html).group(1)}
    done = client.post(form.group(1), data=tap)
    assert done.status_code == 302 and done.location not in (first.location, again.location)
    new_token = done.location.rsplit("/", 1)[1]
    # page 1 from the first sheet, the fixed page 2 from the second, in page order
    assert [data for _, data in _stored(app, new_token)] == [page1, page2_fixed]
    html = client.get(done.location).get_data(as_text=True)
    assert "Lengkapi lembar ini" not in html and "belum dikirim" not in html
    from grader.web.classroom import latest_sheets
    from grader.web.db import get_db
    with app.app_context():
        latest = latest_sheets(get_db(), code)
    assert [(r["token"], r["state"], r["attempts"]) for r in latest] == [(new_token, "done", 3)]
    # a second tap on the same button (the page not yet replaced) is the same sheet, not a fourth attempt
    assert client.post(form.group(1), data=tap).location == done.location
    with app.app_context():
        assert latest_sheets(get_db(), code)[0]["attempts"] == 3


def test_a_half_sheets_score_says_how_few_fields_it_covers(client, code):
    """QA: a sheet with page 1 missing showed a big '100 / 100 sementara' from the few fields of page 2."""
    half = client.get(upload(client, code=code, trainee="019", photos=[("csolo_2.jpg", jpeg_bytes())]).location)
    graded, total = map(int, re.search(r"(\d+) dari (\d+) isian dinilai", half.get_data(as_text=True)).groups())
    assert 0 < graded < total and "belum lengkap" in half.get_data(as_text=True)
    printed = client.get(half.request.path + "/cetak").get_data(as_text=True)       # and on paper
    assert f"({graded} dari {total} isian dinilai)" in printed and "belum lengkap" in printed
    whole = client.get(upload(client, code=code, trainee="020", photos=[("d_1.jpg", jpeg_bytes()),
                                                                         ("d_2.jpg", jpeg_bytes(color="#eee"))]).location)
    assert "isian dinilai" not in whole.get_data(as_text=True) and "belum lengkap" not in whole.get_data(as_text=True)


def test_a_half_sheets_score_is_not_the_class_tables_score_nor_in_its_mean(app, client, code):
    """helper-63's review: the class table showed a half sheet's "100" (page 2 alone) as the trainee's score, ranked
    it first, and took it into the class mean."""
    from grader.web.classroom import class_summary, latest_sheets
    from grader.web.db import get_db
    from grader.web.testing import log_in

    upload(client, code=code, trainee="019", photos=[("csolo_2.jpg", jpeg_bytes())])
    upload(client, code=code, trainee="020", photos=[("d_1.jpg", jpeg_bytes()), ("d_2.jpg", jpeg_bytes(color="#eee"))])
    with app.app_context():
        rows = {r["trainee"]: r for r in latest_sheets(get_db(), code, sort="score", descending=True)}
        summary = class_summary(get_db(), code)
        ranked = [r["trainee"] for r in latest_sheets(get_db(), code, sort="score", descending=True)]
    half, whole = rows["019"], rows["020"]
    assert half["result_status"] == "partial" and half["score"] is not None and half["full_score"] is None
    assert whole["full_score"] == whole["score"] is not None
    assert summary["mean"] == whole["score"] and ranked == ["020", "019"]        # (no full score: last)
    trainer = app.test_client()
    log_in(trainer)
    table = trainer.get(f"/trainer/latihan/{code}/hasil").get_data(as_text=True)
    half_row = re.search(r"<tr[^>]*>(?:(?!</tr>).)*019(?:(?!</tr>).)*</tr>", table, re.S).group(0)
    assert re.search(r'<td class="num" data-col="score"[^>]*><b>—</b></td>', half_row)


def test_a_missing_page_can_be_photographed_from_the_result(app, client, code):
    resp = upload(client, code=code, trainee="018", photos=[("bsolo_1.jpg", jpeg_bytes())])
    html = client.get(resp.location).get_data(as_text=True)
    assert "Lengkapi lembar ini" in html and "Foto halaman 2" in html and 'name="dari"' not in html
    bad = client.post(resp.location + "/lengkapi", data={"csrf_token": csrf_of(client),
                                                         "photo": (io.BytesIO(b"hello"), "x.txt")},
                      content_type="multipart/form-data", follow_redirects=True)
    said = bad.get_data(as_text=True)
    # said in the card the answer opens at (#lengkapi), not at the page's top, out of view on a phone; and once
    assert said.count("Berkas ini bukan foto") == 1 and said.index("Berkas ini bukan foto") > said.index('id="lengkapi"')
    page2 = jpeg_bytes(color="#f0f0f0")
    done = client.post(resp.location + "/lengkapi", data={"csrf_token": csrf_of(client),
                                                          "photo": (io.BytesIO(page2), "b_2.jpg")},
                       content_type="multipart/form-data")
    assert done.status_code == 302 and done.location != resp.location
    stored = _stored(app, done.location.rsplit("/", 1)[1])
    assert [name for name, _ in stored] == ["bsolo_1.jpg", "b_2.jpg"] and stored[1][1] == page2
    assert "Lengkapi lembar ini" not in client.get(done.location).get_data(as_text=True)


def test_only_this_trainees_own_earlier_pages_are_offered(app, client, code):
    """Another browser's sheet, or another trainee's on a lent phone, is never offered nor taken."""
    other = app.test_client()
    theirs = upload(other, code=code, trainee="020", photos=[("c_1.jpg", jpeg_bytes()), ("c_2.jpg", jpeg_bytes())])
    friend = upload(client, code=code, trainee="021", photos=[("d_1.jpg", jpeg_bytes()), ("d_2.jpg", jpeg_bytes())])
    mine = upload(client, code=code, trainee="022", photos=[("esolo_2.jpg", jpeg_bytes())])
    html = client.get(mine.location).get_data(as_text=True)
    assert "Lengkapi lembar ini" in html and 'name="dari"' not in html
    for token in (theirs.location, friend.location):
        resp = client.post(mine.location + "/lengkapi", data={"csrf_token": csrf_of(client),
                                                              "dari": token.rsplit("/", 1)[1]})
        assert resp.status_code == 400


def test_a_page_sent_with_a_name_whose_number_was_unsure_is_offered_to_that_trainees_next_half_sheet(client, code):
    """Rehearsal (helper-185, real pipeline): "Wayan" typed, page 1 sent alone, its number read unsure (the sheet
    named only by the name typed); then page 2 alone, its boxes read 031 (trainee 031, named Wayan). The second
    sheet listed the first among its earlier attempts but offered no "Pakai halaman 1": the two were compared as ids,
    "Wayan" against "031". They are one trainee's, as the class table tells them; two numbers read with one name
    typed are still two trainees."""
    first = upload(client, code=code, trainee="Wayan", photos=[("unsure-031-asolo_1.jpg", jpeg_bytes())])
    second = upload(client, code=code, trainee="Wayan", photos=[("num-031-asolo_2.jpg", jpeg_bytes(color="#eee"))])
    html = client.get(second.location).get_data(as_text=True)
    form = re.search(r'<form method="post" action="([^"]+/lengkapi)"[^>]*>.*?name="dari" value="([^"]+)"', html, re.S)
    assert form and form.group(2) == first.location.rsplit("/", 1)[1] and "Pakai halaman 1 dari kiriman" in html
    done = client.post(form.group(1), data={"csrf_token": csrf_of(client), "dari": form.group(2)})
    assert done.status_code == 302 and "Lengkapi lembar ini" not in client.get(done.location).get_data(as_text=True)
    other = upload(client, code=code, trainee="Wayan", photos=[("num-045-bsolo_1.jpg", jpeg_bytes(color="#ddd"))])
    again = upload(client, code=code, trainee="Wayan", photos=[("num-031-bsolo_2.jpg", jpeg_bytes(color="#ccc"))])
    html = client.get(again.location).get_data(as_text=True)
    assert "Lengkapi lembar ini" in html and other.location.rsplit("/", 1)[1] not in html


def test_an_old_result_link_leads_to_the_retake(client, code):
    """QA: after a retake, the old link (kept in a chat or the history) still offered 'Foto ulang' and no way on."""
    resp = upload(client, code=code, photos=[("017_1.jpg", jpeg_bytes()), ("017_2_blur.jpg", OTHER_PHOTO)])
    assert "Ada hasil yang lebih baru" not in client.get(resp.location).get_data(as_text=True)
    retake = client.post(resp.location + "/ulang", data={"csrf_token": csrf_of(client), "position": "2",
                                                         "photo": (io.BytesIO(jpeg_bytes(color="#fafafa")), "017_2.jpg")},
                         content_type="multipart/form-data")
    old = client.get(resp.location).get_data(as_text=True)
    assert "Ada hasil yang lebih baru untuk lembar ini" in old and f'href="{retake.location}"' in old


def test_a_retaken_sheet_offers_no_retake_of_its_other_page(client, code):
    """Rehearsal (helper-157): both pages refused (too dark, glare), page 1 retaken; the phone's back button opened the
    first result again, which said there was a newer one but still offered page 2's "Foto ulang": taken there, it made
    a sheet of the dark page 1 and the new page 2, and told the trainee to take page 1 again, its retake left out.
    The newer sheet is the one to go on from: the old one says why its photos were refused, and offers no retake."""
    first = upload(client, code=code, photos=[("017_1_blur.jpg", jpeg_bytes()), ("017_2_blur.jpg", OTHER_PHOTO)])
    html = client.get(first.location).get_data(as_text=True)
    assert html.count('name="position"') == 2
    retake = client.post(first.location + "/ulang", data={"csrf_token": csrf_of(client), "position": "1",
                                                           "photo": (io.BytesIO(jpeg_bytes(color="#fafafa")), "017_1.jpg")},
                         content_type="multipart/form-data")
    assert retake.status_code == 302 and retake.location != first.location
    new = client.get(retake.location).get_data(as_text=True)
    assert new.count('name="position"') == 1 and "Cukup foto ulang yang ini" in new       # page 2, from the newer
    old = client.get(first.location).get_data(as_text=True)
    assert "Ada hasil yang lebih baru untuk lembar ini" in old and f'href="{retake.location}"' in old
    assert "Foto terlalu buram" in old                     # (why those photos were refused, still said)
    assert 'name="position"' not in old and "/ulang" not in old and "Cukup foto ulang yang ini" not in old


def test_a_refused_dispute_is_said_where_the_page_opens(app, client, code):
    """QA: the error was flashed at the top but the page jumped to the field: a phone showed neither."""
    resp = upload(client, code=code, photos=[("017_1.jpg", jpeg_bytes())])
    got = client.post(resp.location + "/sanggah", data={"csrf_token": csrf_of(client), "field": "II.1",
                                                        "written": "abc"})
    assert got.status_code == 303 and "#" not in got.location
    assert "Isian II.1: " in client.get(got.location).get_data(as_text=True)


def test_control_characters_in_a_typed_name_go_nowhere(app, client, code):
    """QA: a name pasted with an escape character was stored and sent back in a cookie some clients refuse."""
    resp = upload(client, code=code, trainee="Esc\x1bName\t 017", photos=[("x_1.jpg", jpeg_bytes())])
    cookie = resp.headers.get_all("Set-Cookie")
    assert any("trainee=" in c for c in cookie) and not any(ch in "".join(cookie) for ch in "\x1b\t")
    from grader.web.db import get_db
    with app.app_context():
        assert get_db().execute("SELECT trainee FROM submissions").fetchone()["trainee"] == "Esc Name 017"


def test_invisible_characters_pasted_from_a_chat_app_are_dropped_from_the_code_and_the_name(app, client, code):
    """Review (s34): a code pasted with a zero-width space ("6ARJET\u200b") looked right and was "not found", the
    upload held; a name of only a zero-width space made an invisible trainee, and a right-to-left override showed a
    name backwards in the class table. Such characters are dropped (a code also loses no-break spaces)."""
    resp = upload(client, code=f" {code.lower()[:3]}\u00a0{code.lower()[3:]}\u200b", trainee="\u202eSari\u200b 017",
                  photos=[("x_1.jpg", jpeg_bytes())])
    assert "/ditahan" not in resp.location and "tidak ditemukan" not in client.get(resp.location).get_data(as_text=True)
    upload(client, code=code, trainee="\u200b", photos=[("y_1.jpg", jpeg_bytes(color="#fafafa"))])
    from grader.web.db import get_db
    with app.app_context():
        rows = get_db().execute("SELECT exercise, trainee FROM submissions ORDER BY id").fetchall()
    assert [(r["exercise"], r["trainee"]) for r in rows] == [(code, "Sari 017"), (code, "y")]   # (named by its file)


def test_a_g_typed_for_the_6_it_looks_like_finds_the_exercise(app, client, code):
    """Print review (s34): codes never hold G (the alphabet keeps 6 of that look-alike pair), yet "GARJET" typed off
    a handout for "6ARJET" was not found and the upload held. A G is read as 6, on the web and in the store."""
    from grader.exercise.store import load_key_by_code
    assert "6" in code, "the demo code must hold a 6 for this test"
    typed = code.replace("6", "g")
    resp = upload(client, code=typed, photos=[("x_1.jpg", jpeg_bytes())])
    assert "/ditahan" not in resp.location
    from grader.web.db import get_db
    with app.app_context():
        assert get_db().execute("SELECT exercise FROM submissions").fetchone()["exercise"] == code
    assert load_key_by_code(typed).exercise == code


def test_a_mistyped_code_is_offered_for_fixing_not_retyping(client, code):
    """QA: the held page's code field was empty, so one wrong character meant typing the whole code again."""
    resp = upload(client, code="kqxw7", photos=[("a_1.jpg", jpeg_bytes())])
    held = client.get(resp.location).get_data(as_text=True)
    assert 'name="code" value="KQXW7"' in held


def test_a_held_upload_offers_its_own_mistyped_code_not_the_browsers_latest(client, code):
    """Review: the held page took the code from the browser's latest cookie, so after a second upload with another
    typo the first upload's page offered the second one's code."""
    first = upload(client, code="kqxw7", photos=[("a_1.jpg", jpeg_bytes())])
    upload(client, code="zzzz9", photos=[("b_1.jpg", jpeg_bytes(color="#fafafa"))])
    held = client.get(first.location).get_data(as_text=True)
    assert 'name="code" value="KQXW7"' in held


def test_the_upload_form_remembers_only_a_code_that_names_an_exercise(client, code):
    """Walk-through on a shared phone: a code that names no exercise (held for fixing) was remembered for the next
    upload: the form came back filled with it, and the next trainee's sheet was held too. The form keeps the last
    code that named an exercise; the held page still offers the code as typed, to fix it."""
    upload(client, code=code.lower(), photos=[("a_1.jpg", jpeg_bytes())])
    held = upload(client, code="zzzz9", trainee="Maya", photos=[("b_1.jpg", jpeg_bytes(color="#fafafa"))])
    assert f'name="code" value="{code}"' in client.get("/").get_data(as_text=True)
    assert 'name="code" value="ZZZZ9"' in client.get(held.location).get_data(as_text=True)


def test_completing_with_the_same_photos_as_an_older_sheet_makes_a_new_latest_sheet(app, client, code):
    """Review: a half sheet (page 2) completed with page 1 of a whole sheet holding the same page 2: the photos were
    those of the whole sheet, so the upload was taken for that sheet sent again, and the half sheet stayed the
    latest. (The review's half sheet was page 2 sent again unchanged after the whole sheet: that sending is now the
    whole sheet itself, earlier_sendings.held_already; here the half sheet comes first.)"""
    page1, page2 = jpeg_bytes(color="#fdfdfd"), jpeg_bytes(color="#fcfcfc")
    again = upload(client, code=code, trainee="017", photos=[("asolo_2.jpg", page2)])
    first = upload(client, code=code, trainee="017", photos=[("a_1.jpg", page1), ("a_2.jpg", page2)])
    assert first.location != again.location
    done = client.post(again.location + "/lengkapi", data={"csrf_token": csrf_of(client),
                                                            "dari": first.location.rsplit("/", 1)[1]})
    assert done.location not in (first.location, again.location)
    from grader.web.classroom import latest_sheets
    from grader.web.db import get_db
    with app.app_context():
        assert latest_sheets(get_db(), code)[0]["token"] == done.location.rsplit("/", 1)[1]


def test_a_dispute_and_a_correction_follow_their_page_into_the_completed_sheet(app, client, code):
    """Review: completing a sheet graded it afresh, so the trainee's dispute of a page-1 field was gone (counted
    wrong again, and out of the trainer's queue)."""
    import json as _json

    from grader.exercise.store import load_key
    from grader.web.testing import WRONG_FIELD
    said = str(load_key(code).fields[WRONG_FIELD])       # what the key says: the trainee wrote it, we misread it
    resp = upload(client, code=code, trainee="030", photos=[("fsolo_1.jpg", jpeg_bytes(color="#eeeeee"))])
    client.post(resp.location + "/sanggah", data={"csrf_token": csrf_of(client), "field": WRONG_FIELD, "written": said})
    done = client.post(resp.location + "/lengkapi", data={"csrf_token": csrf_of(client),
                                                          "photo": (io.BytesIO(jpeg_bytes(color="#efefef")), "f_2.jpg")},
                       content_type="multipart/form-data")
    from grader.web.db import get_db
    with app.app_context():
        db = get_db()
        row = db.execute("SELECT id, result FROM submissions WHERE token=?", (done.location.rsplit("/", 1)[1],)).fetchone()
        disputes = db.execute("SELECT field_id, written FROM disputes WHERE submission_id=?", (row["id"],)).fetchall()
    field = next(f for f in _json.loads(row["result"])["fields"] if f["id"] == WRONG_FIELD)
    assert field["status"] == "review" and [tuple(d) for d in disputes] == [(WRONG_FIELD, said)]


def _form_tokens(html: str, action: str) -> list[str]:
    """The form token of each form on the page that posts to ``/hasil/<token>/<action>``, in page order."""
    return re.findall(rf'<form method="post" action="/hasil/[^"]+/{action}"[^>]*>.*?name="client_token" value="([^"]+)"',
                      html, re.S)


def _counts(app) -> tuple[int, int, int]:
    """(sheets, stored photos, grading jobs) in the database."""
    from grader.web.db import get_db
    with app.app_context():
        db = get_db()
        return tuple(db.execute(sql).fetchone()[0] for sql in (
            "SELECT COUNT(*) FROM submissions", "SELECT COUNT(*) FROM uploads",
            "SELECT COUNT(*) FROM jobs WHERE kind='grade'"))


def _sent_twice_while_the_first_was_being_stored(monkeypatch, send):
    """``send()`` as a resend that looked for an earlier sending before the first one was recorded (both in
    flight: the phone gave up on a stalled first one that the server was still storing)."""
    import grader.web.sheet_storing as sheet_storing
    real, looks = sheet_storing.find_duplicate, []
    real_held = sheet_storing.held_already

    def too_early(conn, **kw):
        looks.append(kw)
        return None if len(looks) == 1 else real(conn, **kw)
    with monkeypatch.context() as m:
        m.setattr(sheet_storing, "find_duplicate", too_early)
        # (nor does the first look see the first sheet's photos, not recorded yet either)
        m.setattr(sheet_storing, "held_already", lambda conn, sheet: real_held(conn, sheet) if len(looks) > 1 else None)
        resp = send()
    assert len(looks) == 2                              # looked for again where the sheet was to be recorded
    return resp


@pytest.mark.parametrize("action", ["ulang", "lengkapi"])
def test_a_retake_or_an_added_page_sent_again_returns_the_first_and_stores_it_once(app, client, code, monkeypatch,
                                                                                   action):
    """The phone sends a retake (or the missing page of a half sheet) again under the same form token when the
    network lost the first answer: the sheet the first one stored is the answer, nothing is stored or graded twice."""
    photos = {"ulang": [("017_1.jpg", jpeg_bytes()), ("017_2_blur.jpg", OTHER_PHOTO)],
              "lengkapi": [("bsolo_1.jpg", jpeg_bytes())]}[action]
    resp = upload(client, code=code, photos=photos)
    html = client.get(resp.location).get_data(as_text=True)
    form_token = _form_tokens(html, action)[-1]
    before = _counts(app)
    new_photo = jpeg_bytes(color="#f4f4f4")

    def send():
        data = {"csrf_token": csrf_of(client), "client_token": form_token,
                "photo": (io.BytesIO(new_photo), "hal2.jpg")} | ({"position": "2"} if action == "ulang" else {})
        return client.post(f"{resp.location}/{action}", data=data, content_type="multipart/form-data")
    first = send()
    assert first.status_code == 302 and first.location != resp.location
    assert _stored(app, first.location.rsplit("/", 1)[1])[1][1] == new_photo
    after = _counts(app)
    assert after == (before[0] + 1, before[1] + 2, before[2] + 1)
    again = send()
    assert (again.status_code, again.location) == (302, first.location) and _counts(app) == after
    raced = _sent_twice_while_the_first_was_being_stored(monkeypatch, send)
    assert (raced.status_code, raced.location) == (302, first.location) and _counts(app) == after
    folder = app.config["DATA_DIR"] / "submissions"
    assert len(list(folder.iterdir())) == after[0]      # the refused copy left no photo behind


def test_each_photo_form_of_a_result_page_is_its_own_sending(app, client, code):
    """Review: the retakes of both pages and the added page shared the page's one form token, so the second of
    them (after the first one's answer was lost, or from the old page) got the first one's sheet back: the photo
    just taken was dropped without a word. Each form now sends under its own token."""
    resp = upload(client, code=code, photos=[("017_1_blur.jpg", jpeg_bytes()), ("017_2_blur.jpg", OTHER_PHOTO)])
    html = client.get(resp.location).get_data(as_text=True)
    tokens = _form_tokens(html, "ulang")
    assert len(tokens) == 2
    sheets = [client.post(f"{resp.location}/ulang", content_type="multipart/form-data", data={
        "csrf_token": csrf_of(client), "client_token": token, "position": str(pos),
        "photo": (io.BytesIO(jpeg_bytes(color=f"#f{pos}f{pos}f{pos}")), f"017_{pos}.jpg")}).location
        for pos, token in enumerate(tokens, start=1)]
    assert len(set(sheets)) == 2 and resp.location not in sheets

    # a page advised to be retaken (page 1, print out of place) on a sheet whose page 2 is missing
    half = upload(client, code=code, trainee="018", photos=[("bentsolo_1.jpg", jpeg_bytes(color="#ededed"))])
    html = client.get(half.location).get_data(as_text=True)
    [retake_token], [add_token] = _form_tokens(html, "ulang"), _form_tokens(html, "lengkapi")
    retaken = client.post(f"{half.location}/ulang", content_type="multipart/form-data", data={
        "csrf_token": csrf_of(client), "client_token": retake_token, "position": "1",
        "photo": (io.BytesIO(jpeg_bytes(color="#ececec")), "c_1.jpg")})
    page2 = jpeg_bytes(color="#ebebeb")
    added = client.post(f"{half.location}/lengkapi", content_type="multipart/form-data", data={
        "csrf_token": csrf_of(client), "client_token": add_token, "photo": (io.BytesIO(page2), "c_2.jpg")})
    assert added.location not in (retaken.location, half.location)
    assert [data for _, data in _stored(app, added.location.rsplit("/", 1)[1])][1] == page2


def test_the_result_pages_photo_forms_say_in_the_pages_language_what_a_failed_sending_keeps(client, code):
    """The retake and the added page go through the uploader (static/app.js) with words of their own: not the
    upload form's 'photos, code and name', which these forms do not have; English on an English page."""
    resp = upload(client, code=code, trainee="018", photos=[("bentsolo_1.jpg", jpeg_bytes())])
    for lang, words in (("id", ["Foto ulang Anda masih di sini", "Foto halaman 2 Anda masih di sini",
                                'data-offline="Koneksi terputus atau macet."', "data-resend hidden>Kirim ulang<"]),
                        ("en", ["Your new photo is still here", "Your photo of page 2 is still here",
                                'data-offline="The connection dropped or stalled."', "data-resend hidden>Send again<"])):
        html = client.get(f"{resp.location}?lang={lang}").get_data(as_text=True)
        forms = re.findall(r'<form method="post" action="/hasil/[^"]+/(?:ulang|lengkapi)" enctype[^>]*>.*?</form>',
                           html, re.S)
        assert len(forms) == 2 and all("data-progress" in f and "data-upload-error" in f for f in forms)
        assert all(w in html for w in words), lang
        assert "kode, dan nama" not in html and "code and name" not in html


def test_a_page_whose_answer_was_lost_can_ask_whether_its_sending_arrived(app, client, code):
    """The uploader asks by the form's token (static/app.js, data-arrived) before sending the photos again."""
    assert client.get("/kiriman/never-sent.json").status_code == 404
    assert client.get("/kiriman/never-sent.json").get_json() == {"url": None}
    resp = upload(client, code=code, client_token="form-1")
    other = app.test_client()                       # the answer (and its cookie) never reached the phone
    asked = other.get("/kiriman/form-1.json")
    assert asked.status_code == 200 and asked.get_json() == {"url": resp.location}
    assert resp.location in other.get("/").get_data(as_text=True)      # now among this browser's attempts
    form = client.get("/").get_data(as_text=True)
    token = re.search(r'name="client_token" value="([^"]+)"', form).group(1)
    assert f'data-arrived="/kiriman/{token}.json"' in form              # each form names where to ask
    from grader.web.db import connect
    conn = connect(app.config["DATABASE"])
    conn.execute("UPDATE submissions SET state='removed' WHERE client_token='form-1'")
    conn.close()
    assert other.get("/kiriman/form-1.json").status_code == 404       # a removed sheet is not offered


def test_each_not_what_i_wrote_toggle_names_its_field_for_a_screen_reader(app, client, code):
    """Usability review (accessibility): the "Bukan ini yang saya tulis?" toggles, one per field marked wrong or
    blank, and their "Minta dicek pelatih" buttons were identical for a screen reader. Each carries its field's id
    and label, read out but not shown (the row already shows them)."""
    import json
    page = upload(client, code=code, photos=[("017_1.jpg", jpeg_bytes())]).location
    with app.app_context():
        from grader.web.db import get_db
        db = get_db()
        res = json.loads(db.execute("SELECT result FROM submissions").fetchone()["result"])
        for f in res["fields"]:
            if f["id"] in ("II.1", "II.2"):
                f.update(status="blank", value=None, label="Surat suara diterima" if f["id"] == "II.1" else f["label"],
                         label_en="Ballot papers received" if f["id"] == "II.1" else f["label_en"])
        db.execute("UPDATE submissions SET result=?", (json.dumps(res),))
        db.commit()
    for lang, said in (("id", "(isian II.1, Surat suara diterima)"), ("en", "(entry II.1, Ballot papers received)")):
        html = client.get(f"{page}?lang={lang}").get_data(as_text=True)
        toggles = re.findall(r'<details class="dispute"><summary class="small">(.*?)</summary>', html, re.S)
        names = [re.sub(r"<[^>]+>", "", t) for t in toggles]
        assert len(names) == 3 and len(set(names)) == 3, names
        assert all(re.search(r'<span class="visually-hidden"> \((?:isian|entry) [IV.\d]+, [^)]+\)</span>$', t)
                   for t in toggles), toggles
        assert any(n.endswith(said) for n in names), names
        buttons = re.findall(r'<button class="secondary" type="submit"[^>]*>(.*?)</button>', html, re.S)
        assert len({re.sub(r"<[^>]+>", "", b) for b in buttons}) == 3


def test_the_upload_page_lists_this_devices_sendings_with_whose_they_were(app, client, code):
    """helper-67's note: on a phone lent round the class, the upload page called everyone's sheets "Percobaan Anda";
    each sending now names its trainee, and a half sheet shows no score out of 100."""
    upload(client, code=code, trainee="Dedi 021", photos=[("d_1.jpg", jpeg_bytes()), ("d_2.jpg", jpeg_bytes(color="#eee"))])
    upload(client, code=code, trainee="Wati 022", photos=[("wsolo_2.jpg", jpeg_bytes(color="#ddd"))])
    page = client.get("/").get_data(as_text=True)
    rows = _sendings(page)
    assert "Percobaan Anda" not in page and len(rows) == 2
    wati = next(r for r in rows if "Wati 022" in r[1])
    dedi = next(r for r in rows if "Dedi 021" in r[1])
    assert wati[3] == "—" and dedi[3] != "—"


def test_a_half_sheets_earlier_attempts_table_shows_no_score_out_of_100(client, code):
    """helper-69's review: the headline said "— / 100 belum lengkap" while the attempts table under it showed the same
    half sheet's score, for the earlier attempt and for "Sekarang"."""
    send = lambda color: upload(client, code=code, trainee="Wati", photos=[("wsolo_1.jpg", jpeg_bytes(color=color))])
    send("#fefefe")
    html = client.get(send("#fdfdfd").location).get_data(as_text=True)
    table = html.split("Percobaan sebelumnya")[1].split("</table>")[0]
    cells = re.findall(r'<td class="num">(?:<b>)?([^<]*)', table)
    assert cells and "100" not in cells and cells.count("—") >= 2, cells


def test_a_trainee_who_typed_no_name_still_sees_their_earlier_unnamed_attempts(client, code):
    """helper-69's review: a sheet naming nobody is keyed by its own token, so it matched no earlier attempt at all;
    it lists the browser's earlier sheets that name nobody either, and not a named trainee's."""
    upload(client, code=code, trainee="Dedi", photos=[("d_1.jpg", jpeg_bytes(color="#eeeeee"))])
    upload(client, code=code, trainee="", photos=[("IMG-20241127-WA0001.jpg", jpeg_bytes(color="#fafafa"))])
    html = client.get(upload(client, code=code, trainee="",
                             photos=[("IMG-20241127-WA0002.jpg", jpeg_bytes(color="#f5f5f5"))]).location
                      ).get_data(as_text=True)
    assert "Percobaan sebelumnya" in html
    table = html.split("Percobaan sebelumnya")[1].split("</table>")[0]
    assert len(re.findall(r"<tr><td>", table)) == 2            # the earlier unnamed one, and "Sekarang"


def test_a_refused_photos_card_says_the_other_page_is_kept(client, code):
    """Phone walk-through: page 1 refused as blurry beside a page 2 that was read. The card said "Foto perlu diulang"
    and nothing of page 2, so a trainee told to retake sent both photos again from the upload form (its "Kirim lembar
    lain" button is right below). The card says page 2 is kept and graded, and that retaking this one is enough; a
    sending whose every photo was refused says nothing of the kind."""
    resp = upload(client, code=code, photos=[("017_1_blur.jpg", jpeg_bytes()), ("017_2.jpg", OTHER_PHOTO)])
    [card] = _refusal_cards(client.get(resp.location).get_data(as_text=True))
    assert "Foto halaman 2 sudah tersimpan dan dinilai di bawah; tidak perlu dikirim lagi. Cukup foto ulang yang ini." \
        in card
    [english] = _refusal_cards(client.get(resp.location + "?lang=en").get_data(as_text=True))
    assert "The photo of page 2 is stored and graded below" in english
    client.get("/?lang=id")
    alone = upload(client, code=code, trainee="018", photos=[("018_1_blur.jpg", jpeg_bytes(color="#fafafa"))])
    [card] = _refusal_cards(client.get(alone.location).get_data(as_text=True))
    assert "sudah tersimpan" not in card


def test_a_dispute_saying_a_number_other_than_the_keys_is_answered_at_once(app, client, code):
    """Phone walk-through: I.A.4.P read "??4" where the key says 113; the trainee, who had written 114, disputed
    with 114. The field went to review, out of the score: the sheet showed 100 / 100 "sementara" with "Terbaca 114,
    Seharusnya 113" waiting for a trainer, for an entry that is wrong whatever was read. Such a dispute is answered at
    once (the number written, the key's, and that the count is to be checked), nothing is stored and the score stays;
    the key's value, in any way boxes write it, or nothing said, is a dispute as before."""
    from grader.exercise.store import load_key
    from grader.web.testing import WRONG_FIELD
    expected = load_key(code).fields[WRONG_FIELD]
    page = upload(client, code=code, photos=[("017_1.jpg", jpeg_bytes())]).location
    token = page.rsplit("/", 1)[1]
    with app.app_context():       # the fake grading breaks a rule with this field: here its sum holds as read
        from grader.web.db import get_db
        db = get_db()
        result = json.loads(db.execute("SELECT result FROM submissions WHERE token=?", (token,)).fetchone()[0])
        for rule in result["rules"]:
            rule["status"] = "ok"
        db.execute("UPDATE submissions SET result=? WHERE token=?", (json.dumps(result), token))
        db.commit()
    html = client.get(page).get_data(as_text=True)
    score = re.search(r'class="score"><b>(\d+)</b>', html).group(1)
    got = client.post(f"/hasil/{token}/sanggah", data={"csrf_token": csrf_of(client, page), "field": WRONG_FIELD,
                                                       "written": f"X{expected + 4}"})
    assert got.status_code == 303 and "#" not in got.location          # said at the top, where the page opens
    html = client.get(got.location).get_data(as_text=True)
    assert (f"Isian {WRONG_FIELD}: Anda menulis X{expected + 4}, padahal seharusnya {expected}, jadi isian ini tetap "
            f"salah") in html
    assert re.search(r'class="score"><b>(\d+)</b>', html).group(1) == score
    row = re.search(rf'id="f-{re.escape(WRONG_FIELD)}".*?</tr>', html, re.S).group(0)
    assert "Salah" in row and "Bukan ini yang saya tulis?" in row
    with app.app_context():
        from grader.web.db import get_db
        assert get_db().execute("SELECT COUNT(*) FROM disputes").fetchone()[0] == 0
    english = client.post(f"/hasil/{token}/sanggah?lang=en", data={"csrf_token": csrf_of(client), "field": WRONG_FIELD,
                                                                   "written": str(expected + 4)}, follow_redirects=True)
    assert f"you wrote {expected + 4}, but it should be {expected}" in english.get_data(as_text=True)
    client.get("/?lang=id")
    # what the key says, written with a filler box, is a dispute: we misread it
    done = client.post(f"/hasil/{token}/sanggah", data={"csrf_token": csrf_of(client), "field": WRONG_FIELD,
                                                        "written": f"X{expected}"}, follow_redirects=True)
    assert f"Isian {WRONG_FIELD} tidak dihitung salah" in done.get_data(as_text=True)


def test_a_dispute_of_a_field_in_a_broken_rule_goes_to_a_trainer_whatever_number_it_says(app, client, code):
    """A rule broken on what we read may hold on what the trainee wrote (their total 114 = their parts, read 174):
    a dispute saying a number other than the key's is then not answered at once, but stored, and the rule waits for
    a trainer, so our misread cannot charge the trainee with a broken sum meanwhile. The field itself stays wrong on
    the trainee's own word: rehearsal (helper-136), a dispute saying "04" where the key has 24 took it out of the
    score, 99 -> 100."""
    from grader.exercise.store import load_key
    from grader.web.testing import WRONG_FIELD
    said = str(load_key(code).fields[WRONG_FIELD] + 4)
    page = upload(client, code=code, photos=[("017_1.jpg", jpeg_bytes())]).location
    token = page.rsplit("/", 1)[1]
    assert "Surat suara diterima harus sama" in client.get(page).get_data(as_text=True)      # the rule is broken
    done = client.post(f"/hasil/{token}/sanggah", data={"csrf_token": csrf_of(client, page), "field": WRONG_FIELD,
                                                        "written": said}, follow_redirects=True)
    assert f"Anda menulis {said}, padahal seharusnya" in done.get_data(as_text=True)
    assert f"isian {WRONG_FIELD} tetap dihitung salah" in done.get_data(as_text=True)
    assert f"Isian {WRONG_FIELD} tidak dihitung salah" not in done.get_data(as_text=True)
    with app.app_context():
        from grader.web.db import get_db
        assert [tuple(r) for r in get_db().execute("SELECT field_id, written FROM disputes")] == [(WRONG_FIELD, said)]
        res = json.loads(get_db().execute("SELECT result FROM submissions WHERE token=?", (token,)).fetchone()[0])
    field = next(f for f in res["fields"] if f["id"] == WRONG_FIELD)
    assert (field["status"], field["trainee_says"]) == ("wrong", said)


def test_a_field_wrong_on_the_trainees_word_offers_no_second_dispute_while_the_first_waits(app, client, code):
    """Rehearsal (helper-185): a field in a broken rule disputed saying another number than the key's stays wrong on
    the trainee's word while a trainer looks; its row still offered "Bukan ini yang saya tulis?", whose second
    sending could only be refused ("sudah disanggah"). The row says the dispute and waits; other rows still offer it."""
    from grader.exercise.store import load_key
    from grader.web.testing import WRONG_FIELD
    said = str(load_key(code).fields[WRONG_FIELD] + 4)
    page = upload(client, code=code, photos=[("017_1.jpg", jpeg_bytes())]).location
    token = page.rsplit("/", 1)[1]
    client.post(f"/hasil/{token}/sanggah", data={"csrf_token": csrf_of(client, page), "field": WRONG_FIELD,
                                                 "written": said})
    html = client.get(page).get_data(as_text=True)
    row = re.search(rf'id="f-{re.escape(WRONG_FIELD)}".*?</tr>', html, re.S).group(0)
    assert "Salah" in row and f"Anda menulis <b>{said}</b>" in row
    assert "Bukan ini yang saya tulis?" not in row and 'name="written"' not in row


def test_a_dispute_of_a_field_in_a_broken_rule_saying_just_what_we_read_is_answered_at_once(app, client, code):
    """Rehearsal (helper-185, real pipeline): a tally read 114 (key 117) in a pair's cross-check error, disputed
    saying "114": stored for a trainer, and the pair's note said "Anda menyanggah bacaan kami" (you dispute our
    reading) of the reading the trainee had just confirmed. The rule was judged on what they wrote: the page answers
    at once that the field stays wrong, stores nothing, and the broken rule stays the trainee's."""
    from grader.exercise.store import load_key
    from grader.web.testing import WRONG_FIELD
    expected = load_key(code).fields[WRONG_FIELD]
    page = upload(client, code=code, photos=[("017_1.jpg", jpeg_bytes())]).location
    token = page.rsplit("/", 1)[1]
    html = client.get(page).get_data(as_text=True)
    read = re.search(rf'id="f-{re.escape(WRONG_FIELD)}".*?data-label="Terbaca">(\d+)<', html, re.S).group(1)
    assert int(read) != expected and "Surat suara diterima harus sama" in html          # read wrong, rule broken
    got = client.post(f"/hasil/{token}/sanggah", data={"csrf_token": csrf_of(client, page), "field": WRONG_FIELD,
                                                       "written": read}, follow_redirects=True)
    said = got.get_data(as_text=True)
    assert (f"Isian {WRONG_FIELD}: Anda menulis {read}, padahal seharusnya {expected}, jadi isian ini tetap "
            f"salah") in said and "menyanggah" not in said
    assert "Surat suara diterima harus sama" in said
    with app.app_context():
        from grader.web.db import get_db
        assert get_db().execute("SELECT COUNT(*) FROM disputes").fetchone()[0] == 0


def test_the_number_a_dispute_says_is_read_as_boxes_mean_it():
    from grader.web.trainee.dispute import written_number
    assert [written_number(w, "digits") for w in ("X47", "x47", "-47", "047", "47", "XXX", "-", "")] == \
        [47, 47, 47, 47, 47, 0, 0, None]
    assert written_number("4X7", "digits") is None and written_number("abc", "digits") is None
    assert written_number("-5", "tally") is None and written_number("12", "bubbles") == 12


@pytest.mark.parametrize("header", ["bomb", "big"])
def test_a_photo_with_too_many_pixels_is_refused_in_the_same_words_in_both_languages(client, code, header):
    """h38b walkthrough (sample_scans/r009-too_large.png, a PNG header claiming 31416x31416): the English page said
    "The image is 80000000x2 pixels", a stand-in size for a header too big to open, while the Indonesian one said no
    size. Both say the limit now, the same in both, and never a size the photo does not have."""
    import struct
    import zlib

    side = 31416 if header == "bomb" else 9000            # PIL refuses the first outright, reads the second's size
    ihdr = struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0)
    png = (b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + b"IHDR" + ihdr
           + struct.pack(">I", zlib.crc32(b"IHDR" + ihdr)) + b"\x00" * 64)
    said = {}
    for lang in ("id", "en"):
        resp = client.post(f"/?lang={lang}", data={"csrf_token": csrf_of(client), "code": code, "trainee": "Ani",
                                                  "photo_1": (io.BytesIO(png), "besar.png")},
                           content_type="multipart/form-data")
        said[lang] = resp.get_data(as_text=True)
    assert "Gambar ini lebih dari 80 megapiksel, bukan foto ponsel." in said["id"]
    assert "The image has more than 80 megapixels: that is not a phone photo." in said["en"]
    assert "80000000x2" not in said["en"]


def test_a_half_sheets_summary_counts_the_page_not_sent_as_not_read_yet_not_unreadable(client, code):
    """h38b walkthrough: a trainee who sent page 1 only saw "Tak terbaca: 9" at the top of the result, as if nine
    entries of the photo sent could not be read, while the sections below said "belum terbaca" of page 2's. The
    summary counts them as the sections do, "Belum terbaca", apart from entries truly unreadable on a photo."""
    from grader.web.testing import SECTIONS_ON_PAGE2
    half = upload(client, code=code, photos=[("bsolo_1.jpg", jpeg_bytes(color="#eeeeee"))]).location
    page = client.get(half).get_data(as_text=True)
    counts = re.search(r'<div class="counts">(.*?)</div>', page, re.S).group(1)
    on_page2 = sum(page.count(f'<code>{s}.') for s in SECTIONS_ON_PAGE2)
    assert "Tidak terbaca" not in counts, counts
    n = int(re.search(r'<span class="badge unread">Belum terbaca: (\d+)</span>', counts).group(1))
    assert n == on_page2 > 0
    english = client.get(half + "?lang=en").get_data(as_text=True)
    assert f"Not read yet: {n}</span>" in english and "Unreadable:" not in english


def test_a_half_sheets_page_not_sent_shows_its_trainee_no_answers(app, client, code):
    """h38b walkthrough: a trainee who sent page 1 only was shown, on the result and its printable page, the answer
    key's number of every entry of page 2 ("Seharusnya 71") beside "Tak terbaca", before photographing page 2:
    numbers to copy onto the sheet (the trainer's key page says not to share them before the trainees finish). The
    trainee's pages show no expected number for a page not read, and call its entries "Belum terbaca"; the trainer's
    sheet page still shows the key."""
    from grader.web.testing import SECTIONS_ON_PAGE2
    half = upload(client, code=code, photos=[("bsolo_1.jpg", jpeg_bytes(color="#eeeeee"))]).location
    with app.app_context():
        from grader.web.db import get_db
        row = get_db().execute("SELECT id, result FROM submissions").fetchone()
    fields = json.loads(row["result"])["fields"]
    unread = [f for f in fields if f["section"] in SECTIONS_ON_PAGE2]
    assert unread and all(f["expected"] is not None and "page_missing" in f["notes"] for f in unread)
    page = client.get(half).get_data(as_text=True)
    for f in unread:
        cells = re.search(rf'<tr class="st-unreadable" id="f-{re.escape(f["id"])}".*?</tr>', page, re.S).group(0)
        assert re.search(r'data-label="Seharusnya">—</td>', cells), cells
        assert "Belum terbaca" in cells and "Tidak terbaca" not in cells
    printed = client.get(half + "/cetak").get_data(as_text=True)
    rows = re.findall(r"<tr><td>([^<]+)</td><td>[^<]*</td>\s*<td>([^<]*)</td><td[^>]*>([^<(]+)", printed)
    shown = {name: (expected, said.strip()) for name, expected, said in rows}
    assert shown["IV.1"] == ("", "Belum terbaca") and shown["V.A"] == ("", "Belum terbaca")
    assert "Tidak terbaca 0 · Belum terbaca" in printed
    assert shown["I.A.1.L"][0] != ""                      # a page read: the feedback's expected number stays
    trainer = app.test_client()
    log_in(trainer)
    sheet = trainer.get(f"/trainer/lembar/{row['id']}").get_data(as_text=True)
    first = unread[0]
    cells = re.search(rf'<tr class="st-unreadable" id="f-{re.escape(first["id"])}".*?</tr>', sheet, re.S).group(0)
    assert f'data-label="Seharusnya">{first["expected"]}</td>' in cells


def test_a_broken_rule_says_which_page_its_boxes_are_on(client, code):
    """h38b walkthrough: each fix said where it is ("Halaman 1, II.3"), but a broken rule listed only its boxes'
    codes, "kotak: II.1, II.2, II.3, II.4", leaving the trainee to work out which page of the sheet they are on.
    The rule says its page too, in the page's language."""
    from grader.web.testing import WRONG_FIELD
    result = upload(client, code=code, photos=[("017_1.jpg", jpeg_bytes())]).location
    for lang, said in (("id", "halaman 1"), ("en", "page 1")):
        page = client.get(result + f"?lang={lang}").get_data(as_text=True)
        rule = re.search(r'<div class="rule error">(.*?)</div>\s*</div>', page, re.S).group(1)
        assert WRONG_FIELD in rule and rule.rstrip().endswith(f"· {said}"), rule
    from grader.web.present import rule_pages
    across = {"fields": [{"id": "V.C", "page": 2}, {"id": "I.B.4.J", "page": 1}]}
    assert rule_pages(across, {"fields": ["V.C", "I.B.4.J"]}) == [1, 2]


def test_a_refused_dispute_keeps_what_the_trainee_typed_in_its_field(app, client, code):
    """Rehearsal (s44): a dispute typed "4O" (a letter O) was refused, and the page came back with the
    field's form closed and empty: the trainee had to find it and type again. What they typed now waits in that
    field's form, opened, once; the page still opens at the top, where the message is."""
    import html as _html
    import re as _re

    from grader.web.testing import WRONG_FIELD
    resp = upload(client, code=code, photos=[("017_1.jpg", jpeg_bytes())])
    got = client.post(resp.location + "/sanggah", data={"csrf_token": csrf_of(client), "field": WRONG_FIELD,
                                                        "written": "4O"})
    assert got.status_code == 303 and "#" not in got.location
    page = client.get(got.location).get_data(as_text=True)
    forms = _re.findall(r'<details class="dispute"( open)?>.*?name="field" value="([^"]+)".*?<input class="fix"'
                        r'[^>]*?name="written"([^>]*)>', page, _re.S)
    drafted = [(f, rest) for opened, f, rest in forms if opened]
    assert [f for f, _ in drafted] == [WRONG_FIELD] and 'value="4O"' in drafted[0][1]
    assert all('value=' not in rest for opened, f, rest in forms if f != WRONG_FIELD)
    # a link leads from the message to it (helper-138: three screens below it on a phone)
    assert f'<a href="#f-{WRONG_FIELD}">Ke isian ' in page and f'id="f-{WRONG_FIELD}"' in page
    again = client.get(got.location).get_data(as_text=True)          # said once: a reload starts afresh
    assert 'value="4O"' not in again and '<details class="dispute" open>' not in again
    # another sheet's page never shows it
    other = upload(client, code=code, photos=[("018_1.jpg", jpeg_bytes(color="#eee"))])
    client.post(resp.location + "/sanggah", data={"csrf_token": csrf_of(client), "field": WRONG_FIELD,
                                                  "written": "<b>x</b>"})
    page = client.get(other.location).get_data(as_text=True)
    assert "&lt;b&gt;" not in page and '<details class="dispute" open>' not in page
    mine = client.get(resp.location).get_data(as_text=True)
    assert _html.escape('<b>x</b>', quote=True) in mine and "<b>x</b>" not in mine


def test_a_half_sheet_completed_already_offers_no_page_again(app, client, code):
    """Rehearsal (helper-138): the old half sheet's page, opened again from "Kiriman dari perangkat ini", said
    there was a newer result but still offered "Lengkapi lembar ini" and the page 2 sent since; tapping it graded a
    third sheet of the same photos. It offers no page now: the newer sheet is the one to go on from. (A form of
    that page left open still stores what it sends: a photo just taken is never dropped.)"""
    half = upload(client, code=code, trainee="Wati", photos=[("watisolo_1.jpg", jpeg_bytes(color="#efefef"))])
    assert 'id="lengkapi"' in client.get(half.location).get_data(as_text=True)
    done = client.post(half.location + "/lengkapi", content_type="multipart/form-data", data={
        "csrf_token": csrf_of(client), "photo": (io.BytesIO(jpeg_bytes(color="#eeeeee")), "watisolo_2.jpg")})
    assert done.location != half.location
    old = client.get(half.location).get_data(as_text=True)
    assert "Ada hasil yang lebih baru" in old and 'id="lengkapi"' not in old and "/lengkapi" not in old


def _completed_with_page_of(client, half, lender):
    """``half``'s result page completed with "Pakai halaman … dari kiriman …" from ``lender`` (the upload responses):
    the response of that sending."""
    html = client.get(half.location).get_data(as_text=True)
    form = re.search(r'<form method="post" action="([^"]+/lengkapi)"[^>]*>.*?name="dari" value="([^"]+)"', html, re.S)
    assert form and form.group(2) == lender.location.rsplit("/", 1)[1]
    return client.post(form.group(1), data={"csrf_token": csrf_of(client), "dari": form.group(2),
                                            "client_token": re.search(r'name="client_token" value="([^"]+)"',
                                                                      html).group(1)})


def test_a_half_sheet_whose_page_completed_a_later_one_offers_nothing_again(app, client, code):
    """Rehearsal (helper-138): page 2 sent alone, then page 1 alone, completed with "Pakai halaman 2 dari
    kiriman …". The page-2 sheet stayed "Sebagian" in the list, with no word of the sheet its page went into, and
    still offered to be completed (a fourth sheet of the same photos). It now says that sheet is newer."""
    page1, page2 = jpeg_bytes(color="#fdfdfd"), jpeg_bytes(color="#fcfcfc")
    lender = upload(client, code=code, trainee="017", photos=[("bsolo_2.jpg", page2)])
    half = upload(client, code=code, trainee="017", photos=[("asolo_1.jpg", page1)])
    assert 'id="lengkapi"' in client.get(lender.location).get_data(as_text=True)
    done = _completed_with_page_of(client, half, lender)
    assert [data for _, data in _stored(app, done.location.rsplit("/", 1)[1])] == [page1, page2]
    old = client.get(lender.location).get_data(as_text=True)
    assert "Ada hasil yang lebih baru" in old and done.location in old and 'id="lengkapi"' not in old
    rows = _sendings(client.get("/").get_data(as_text=True))
    assert [("ada kiriman lebih baru" in r[1]) for r in rows] == [False, True, True]     # newest first


def test_a_half_sheet_sent_before_senders_were_kept_is_followed_by_the_sheet_its_page_completed(app, client, code):
    """Upgrade rehearsal (helper-153): half sheets sent before ``submissions.sender`` existed (NULL there) and one of
    them completed with the other's page after the upgrade. The lender kept offering "Lengkapi lembar ini" (a fourth
    sheet of the same photos), as before helper-138's fix: no browser is known for it to match. A sheet whose browser
    is not known is followed by a later trainee's sheet holding its photo, as c6cb8b4 first had it."""
    page1, page2 = jpeg_bytes(color="#fbfbfb"), jpeg_bytes(color="#fafafa")
    lender = upload(client, code=code, trainee="017", photos=[("bsolo_2.jpg", page2)])
    half = upload(client, code=code, trainee="017", photos=[("asolo_1.jpg", page1)])
    with app.app_context():
        from grader.web.db import get_db
        get_db().execute("UPDATE submissions SET sender=NULL")       # (stored by the version before the column)
    done = _completed_with_page_of(client, half, lender)
    old = client.get(lender.location).get_data(as_text=True)
    assert "Ada hasil yang lebih baru" in old and done.location in old and 'id="lengkapi"' not in old
    rows = _sendings(client.get("/").get_data(as_text=True))
    assert [("ada kiriman lebih baru" in r[1]) for r in rows] == [False, True, True]     # newest first


def test_a_trainers_batch_holding_a_trainees_photo_does_not_follow_their_sheet(app, client, code):
    """A trainer's batch of the class's chat holds the photo a trainee sent: the trainee's half sheet still offers
    its missing page and is not said to be followed (the trainee is never sent to a batch's sheet)."""
    from test_web_trainer import batch
    from grader.web.testing import log_in
    photo = jpeg_bytes(color="#f6f6f6")
    half = upload(client, code=code, trainee="Wati", photos=[("watisolo_1.jpg", photo)])
    trainer = app.test_client()
    log_in(trainer)
    batch(trainer, code, [("IMG-20241127-WA0001.jpg", photo)])
    page = client.get(half.location).get_data(as_text=True)
    assert 'id="lengkapi"' in page and "Ada hasil yang lebih baru" not in page
    assert not any("ada kiriman lebih baru" in r[1] for r in _sendings(client.get("/").get_data(as_text=True)))


def test_a_code_typed_with_one_slip_is_offered_the_code_it_most_likely_meant(app, client, code):
    """helper-142 (s47): a code typed with one slip was held with "type the right code, or leave it empty", and no
    word of the code on the handout. The held page now offers the exercises' codes one slip away; one tap grades
    the sheet under it. A code like none of them offers nothing."""
    from grader.exercise.store import one_edit_apart

    assert all(one_edit_apart("ABCDEF", slip) for slip in ("BACDEF", "ABXDEF", "ABCDE", "ABCDEFG", "ABDCEF"))
    assert not any(one_edit_apart("ABCDEF", far) for far in ("ABCDEF", "BADCEF", "ABCD", "ABCDEFGH", "XBCDEY"))
    swapped = code[1] + code[0] + code[2:]
    assert swapped != code
    held = upload(client, code=swapped.lower(), photos=[("a_1.jpg", jpeg_bytes())])
    html = client.get(held.location).get_data(as_text=True)
    offer = re.search(r"<form[^>]*data-similar-codes>.*?</form>", html, re.S).group(0)
    assert f'<button class="big" type="submit" name="code" value="{code}">' in offer
    assert "Maksud Anda kode ini?" in offer
    done = client.post(held.location + "/kode", data={"csrf_token": csrf_of(client, held.location), "code": code})
    assert done.status_code == 302
    assert "Periksa kode latihan" not in client.get(held.location).get_data(as_text=True)
    # a code nothing is like: no offer; typed again on the page, still unknown, the offer follows what was typed
    other = upload(client, code="QQQQQQ", photos=[("b_1.jpg", jpeg_bytes(color="#fafafa"))])
    assert "data-similar-codes" not in client.get(other.location).get_data(as_text=True)
    again = client.post(other.location + "/kode", data={"csrf_token": csrf_of(client, other.location),
                                                        "code": code[:-1]})
    assert again.status_code == 400 and f'value="{code}"><code>{code}</code>' in again.get_data(as_text=True)


def test_a_sending_refused_whole_says_whose_it_is(client, code):
    """Rehearsal (helper-157): a sending refused whole (a page too dark, no name typed) showed "Lembar belum dinilai"
    and the retake card only: on a phone shared by trainees, nothing said whose photo it was, though its QR named
    the trainee. The page names the trainee the sheet is stored under."""
    resp = upload(client, code=code, trainee="", photos=[("qr-107-blur_1.jpg", jpeg_bytes())])
    page = client.get(resp.location).get_data(as_text=True)
    assert "Lembar belum dinilai" in page and "Peserta: 107" in page


def test_a_classmates_page_in_a_trainees_own_upload_tells_them_to_photograph_their_own(client, code):
    """helper-166: a trainee's two-page upload (not a retake) whose page 2 was a classmate's personalised page (its QR
    names trainee 105) was refused with a trainer's batch words, "Kirim halaman setiap peserta secara terpisah", as
    if they had sent a class's pages. It tells them to photograph page 2 of their own sheet, as a retake's refusal
    does; page 1 is graded."""
    for lang, said, batch_words in (
            ("id", "Halaman 2 ini dari lembar peserta lain: No. 105. Foto halaman 2 dari lembar Anda sendiri, lalu kirim lagi.",
             "Kirim halaman setiap peserta secara terpisah"),
            ("en", "Page 2 is from another trainee&#39;s sheet: No. 105. Photograph page 2 of your own sheet, then send it "
                   "again.", "Send each trainee"),):
        resp = upload(client, code=code, trainee="Wati", photos=[("qr-104-solo_1.jpg", jpeg_bytes()),
                                                                  ("qr-105-solo_2.jpg", OTHER_PHOTO)])
        assert resp.status_code == 302
        html = client.get(resp.location + f"?lang={lang}").get_data(as_text=True)
        assert said in html and batch_words not in html
        assert client.get(resp.location + ".json").get_json()["status"] == "partial"


def test_a_photo_refused_before_its_page_was_known_on_a_whole_sheet_asks_for_no_retake(app, client, code):
    """Rehearsal helper-187: a blurred extra photo (``eka_p1 (1).jpg``), refused before its page was known, beside the
    two photos every page of the sheet was graded from, was told "Foto perlu diulang": a retake of a whole sheet. Its
    card says every page is graded from the other photos, in red no longer; on a sheet lacking a page it still asks
    for the retake (the blurred photo may be that page)."""
    page = upload(client, code=code, photos=[("017_1.jpg", jpeg_bytes()), ("017_2.jpg", jpeg_bytes(color="#eee"))]
                  ).location
    token = page.rsplit("/", 1)[1]
    blurred = {"file": "017_1 (1).jpg", "page": None, "annotated": None, "advice": None, "refusal": {
        "code": "too_blurry", "message_id": "Foto terlalu buram.", "message_en": "The photo is too blurry."}}

    def shown(status):
        with app.app_context():
            from grader.web.db import get_db
            db = get_db()
            res = json.loads(db.execute("SELECT result FROM submissions WHERE token=?", (token,)).fetchone()[0])
            res["pages"] = [p for p in res["pages"] if p["file"] != blurred["file"]] + [blurred]
            db.execute("UPDATE submissions SET result=?, result_status=? WHERE token=?",
                       (json.dumps({**res, "status": status}), status, token))
            db.commit()
        html = client.get(page).get_data(as_text=True)
        card = html[html.rindex('<div class="card', 0, html.index('id="ulang-')):]
        return card[:card.index("</div>\n")]
    card = shown("graded")
    assert "Foto terlalu buram." in card and "Dinilai dari foto lain" in card and "Foto perlu diulang" not in card
    assert "Semua halaman lembar ini sudah dinilai dari foto lain; foto ini tidak perlu diulang." in card
    assert card.startswith('<div class="card advice"')
    card = shown("partial")
    assert "Foto perlu diulang" in card and "tidak perlu diulang" not in card
