"""The web app with the real grading pipeline (grader.pipeline) on synthetic phone photos."""
import io
import re

from grader.commands.serve import ensure_demo_data
from grader.web.testing import csrf_of, log_in, make_test_app


def test_trainee_upload_graded_by_the_real_pipeline_then_corrected_by_a_trainer():
    from grader.photo.mock_photo import mock_photo
    code = ensure_demo_data()
    app = make_test_app(PIPELINE=None)
    client = app.test_client()
    files = {f"photo_{p}": (io.BytesIO(mock_photo(page=p, exercise=code, seed=p).jpeg()), f"foto_{p}.jpg")
             for p in (1, 2)}
    resp = client.post("/", data={"csrf_token": csrf_of(client), "code": "", **files},
                       content_type="multipart/form-data")
    html = client.get(resp.location).get_data(as_text=True)
    assert "Hasil penilaian" in html and code in html                  # the exercise came from the QR
    assert "Siti" in html                                                # the trainee name printed in the QR
    assert "perlu diperbaiki" in html and "isian kosong" in html                 # a blank sheet
    images = re.findall(r'src="(/hasil/[^"]+/gambar/page\d.jpg)\?v=[^"&]+&amp;w=900"', html)
    assert len(images) == 2
    from PIL import Image
    for img in images:
        full = Image.open(io.BytesIO(client.get(img).data))
        small = Image.open(io.BytesIO(client.get(img + "?w=480").data))
        assert full.width > 1000 and small.width == 480 and small.format == "JPEG"

    trainer = app.test_client()
    log_in(trainer)
    before = Image.open(io.BytesIO(trainer.get("/trainer/lembar/1/gambar/page1.jpg").data)).convert("RGB")
    token = csrf_of(trainer, "/trainer/")
    from grader.exercise.store import load_key
    expected = load_key(code).fields["II.1"]
    body = trainer.post("/trainer/lembar/1/koreksi", data={"field": "II.1", "value": str(expected)},
                        headers={"X-Requested-With": "fetch", "X-CSRF-Token": token}).get_json()
    assert body["ok"] and body["value"] == expected and body["status"] == "ok"
    # the marked page now shows the corrected verdict: its II.1 frame turned from amber (blank) to green
    page1 = Image.open(io.BytesIO(trainer.get("/trainer/lembar/1/gambar/page1.jpg").data)).convert("RGB")
    assert page1.size == before.size and _frame_colour(page1, code, "II.1") == "green"
    assert _frame_colour(before, code, "II.1") == "amber"
    table = trainer.get(f"/trainer/latihan/{code}/hasil").get_data(as_text=True)
    assert "Siti" in table

    # The trainee disputes a field the real grader called blank: it goes to review; the trainer's
    # correction of II.1 is kept through that regrade.
    page = resp.location
    said = str(load_key(code).fields["II.2"])          # what the key says: the trainee wrote it, the reader saw none
    client.post(f"{page}/sanggah", data={"csrf_token": csrf_of(client), "field": "II.2", "written": said})
    html = client.get(page).get_data(as_text=True)
    row = re.search(r'id="f-II.2".*?</tr>', html, re.S).group(0)
    assert "Menunggu pelatih" in row and f"menulis <b>{said}</b>" in row
    row = re.search(r'id="f-II.1".*?</tr>', html, re.S).group(0)
    assert "Benar" in row and "Ibu Sari" in row


def _frame_colour(img, code: str, field_id: str) -> str:
    """The colour of the frame drawn around ``field_id`` on a marked page (geometry from the template)."""
    import numpy as np

    from grader.exercise.store import load_key
    from grader.grading.annotate import COLOURS, FRAME_MARGIN_MM
    from grader.sheet.layout import layout_sheet
    from grader.sheet.schema import resolve_template
    key = load_key(code)
    page = layout_sheet(resolve_template(key.template), contest=key.contest, pairs=key.pairs).pages[0]
    rect = next(f for f in page.fields if f.id == field_id).rect.grow(FRAME_MARGIN_MM)
    px = img.width / page.width_mm
    y = round((rect.y + rect.y2) / 2 * px)
    x = round(rect.x * px)
    edge = np.asarray(img)[y, x:x + 3].astype(int).mean(axis=0)           # the frame's left edge, drawn inward
    return min(("green", "red", "amber"), key=lambda c: np.abs(edge - COLOURS[{"green": "ok", "red": "wrong",
                                                                              "amber": "review"}[c]]).sum())


def test_the_demo_class_is_graded_once_for_a_fresh_install(tmp_path):
    """`make run` (serve --demo) queues the sample photos of one exercise as a trainer's batch: a trainer who logs
    in finds a graded class with a refused photo among it; a restart does not queue it again."""
    import json
    import shutil
    from pathlib import Path

    from grader.web.demo import SAMPLES, seed_demo_class
    samples = tmp_path / "samples"
    (samples / "keys").mkdir(parents=True)
    shutil.copytree(SAMPLES / "keys" / "6ARJET", samples / "keys" / "6ARJET")
    index = [e for e in json.loads((SAMPLES / "index.json").read_text())["photos"]
             if e["file"].startswith(("s0001-", "s0004-", "r000-", "r001-"))]      # r001 (too dark) is left out
    for e in index:
        shutil.copy(SAMPLES / e["file"], samples / e["file"])
    (samples / "index.json").write_text(json.dumps({"photos": index}))
    app = make_test_app(PIPELINE=None)
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "index.json").write_text(json.dumps({"photos": [e for e in index if e["expect_refusal"]]}))
    with app.app_context():
        assert seed_demo_class(Path(app.config["DATA_DIR"]), empty) is None          # no sheet: no demo class
        assert seed_demo_class(Path(app.config["DATA_DIR"]), samples) == "6ARJET"
        assert seed_demo_class(Path(app.config["DATA_DIR"]), samples) == "6ARJET"          # once only
    trainer = app.test_client()
    log_in(trainer)
    assert "Hasil kelas (3 peserta)" in trainer.get("/trainer/latihan/6ARJET").get_data(as_text=True)
    batch = trainer.get("/trainer/batch/demo-class.json").get_json()
    assert batch["complete"] and batch["total"] == 3
    assert sorted(i["status"] for i in batch["items"]) == ["graded", "graded", "refused"]


def test_a_chat_export_of_sheets_without_a_roster_is_merged_by_the_number_written_on_them(tmp_path):
    """WhatsApp names carry no page number and a sheet printed without a roster has no trainee in its QR: the
    trainee number written on the sheet pairs the pages (s0004's page 2 number is read unsure, and still only
    those two pages show it), so each trainee is one sheet, not two partial ones."""
    import json
    import shutil

    from grader.exercise.store import exercises_dir
    from grader.web.demo import SAMPLES
    (exercises_dir() / "6ARJET").mkdir(parents=True)
    shutil.copy(SAMPLES / "keys" / "6ARJET" / "answer_key.json", exercises_dir() / "6ARJET" / "answer_key.json")
    app = make_test_app(PIPELINE=None)
    trainer = app.test_client()
    log_in(trainer)
    names = [f"{sid}-p{p}.jpg" for sid in ("s0004", "s0005") for p in (1, 2)]
    assert not any(json.loads((SAMPLES / n.replace(".jpg", ".truth.json")).read_text())["personalised"] for n in names)
    token = csrf_of(trainer, "/trainer/latihan/6ARJET")
    photos = [(io.BytesIO((SAMPLES / n).read_bytes()), f"IMG-20241127-WA00{i:02d}.jpg") for i, n in enumerate(names)]
    resp = trainer.post("/trainer/latihan/6ARJET/batch", data={"csrf_token": token, "client_token": "wa",
                                                               "photos": photos}, content_type="multipart/form-data")
    status = trainer.get(resp.location + ".json").get_json()
    assert status["complete"]
    done = [i for i in status["items"] if i["state"] == "done"]
    assert len(done) == 2 and all(i["status"] == "graded" for i in done)      # two whole sheets, not four halves
    # each sheet is named by the number read firmly on it (s0005's 041: its 1 accepted for its shape), not by the
    # name the chat app gave its photos, which names nobody
    assert sorted(i["trainee"] for i in done) == ["041", "103"]


def test_a_pair_by_file_name_whose_pages_name_two_trainees_is_split_and_each_page_finds_its_trainee(tmp_path):
    """QA: budi_p1 / budi_p2 were graded as one sheet (100) though page 1 reads 009 and page 2 reads 104."""
    import shutil

    from grader.exercise.store import exercises_dir
    from grader.web.demo import SAMPLES
    (exercises_dir() / "6ARJET").mkdir(parents=True)
    shutil.copy(SAMPLES / "keys" / "6ARJET" / "answer_key.json", exercises_dir() / "6ARJET" / "answer_key.json")
    app = make_test_app(PIPELINE=None)
    trainer = app.test_client()
    log_in(trainer)
    named = {"budi_p1.jpg": "s0000-p1.jpg", "budi_p2.jpg": "s0001-p2.jpg",      # trainees 9 and 104, mixed up
             "ani_p1.jpg": "s0001-p1.jpg", "ani_p2.jpg": "s0000-p2.jpg"}
    token = csrf_of(trainer, "/trainer/latihan/6ARJET")
    photos = [(io.BytesIO((SAMPLES / src).read_bytes()), name) for name, src in named.items()]
    resp = trainer.post("/trainer/latihan/6ARJET/batch", data={"csrf_token": token, "client_token": "mix",
                                                               "photos": photos}, content_type="multipart/form-data")
    status = trainer.get(resp.location + ".json").get_json()
    assert status["complete"]
    done = {i["trainee"]: i for i in status["items"] if i["state"] == "done"}
    assert sorted(done) == ["009", "104"] and all(i["status"] == "graded" for i in done.values())
    sheet = trainer.get(done["009"]["url"]).get_data(as_text=True)
    assert "budi_p1.jpg" in sheet and "ani_p2.jpg" in sheet and "budi_p2.jpg" not in sheet


def test_a_sheet_whose_qr_names_an_exercise_unknown_here_waits_for_the_code():
    """Printed for an exercise this server does not have, sent with no code typed: held with its photos, saying which
    code the sheet carries, and no score (graded without a key, every field read would show as right)."""
    from grader.photo.mock_photo import mock_photo
    ensure_demo_data()
    app = make_test_app(PIPELINE=None)
    client = app.test_client()
    files = {"photo_1": (io.BytesIO(mock_photo(page=1, exercise="ZZ9ZZ9", seed=1).jpeg()), "foto_1.jpg")}
    resp = client.post("/", data={"csrf_token": csrf_of(client), "code": "", **files},
                       content_type="multipart/form-data")
    html = client.get(resp.location).get_data(as_text=True)
    assert "Lembar ini dicetak untuk latihan ZZ9ZZ9, yang tidak ada di server ini. Tanyakan kepada pelatih" in html
    assert "/ 100" not in html
    assert client.get(resp.location + ".json").get_json()["state"] == "held"


def test_a_sending_refused_whole_is_filed_under_the_exercise_its_qr_names():
    """helper-157: a trainee's too dark photo, no code typed, was refused with its page and its QR's trainee, but the
    exercise the QR named was not stored: the sending was under no exercise, so its trainer never saw it. It is filed
    under that exercise now, its trainee beside it, as a refused row of the class."""
    import cv2
    import numpy as np
    from grader.photo.mock_photo import mock_photo
    code = ensure_demo_data()
    app = make_test_app(PIPELINE=None)
    client = app.test_client()
    dark = np.clip(mock_photo(page=1, exercise=code, seed=1).image.astype(np.float32) * 0.2, 0, 255).astype(np.uint8)
    files = {"photo_1": (io.BytesIO(cv2.imencode(".jpg", dark)[1].tobytes()), "foto_1.jpg")}
    resp = client.post("/", data={"csrf_token": csrf_of(client), "code": "", **files},
                       content_type="multipart/form-data")
    assert client.get(resp.location + ".json").get_json()["state"] == "done"
    with app.app_context():
        from grader.web.db import get_db
        row = get_db().execute("SELECT exercise, trainee_name, result_status, result FROM submissions").fetchone()
    assert "too_dark" in row["result"]
    assert (row["exercise"], row["trainee_name"], row["result_status"]) == (code, "Siti", "refused")
    trainer = app.test_client()
    log_in(trainer)
    table = trainer.get(f"/trainer/latihan/{code}/hasil").get_data(as_text=True)
    assert "Siti" in table and "Ditolak" in table


def test_a_sheet_printed_for_an_exercise_unknown_here_sent_with_another_code_sends_the_trainee_to_the_trainer():
    """Sent under a code this server has, the sheet is refused as another exercise's, and the held page used to
    offer to leave the code empty so the QR would name it: which held it as unknown here, asking for the code
    again. No code the trainee can type helps; the page says so at once, and who can."""
    from grader.photo.mock_photo import mock_photo
    code = ensure_demo_data()
    app = make_test_app(PIPELINE=None)
    client = app.test_client()
    files = {"photo_1": (io.BytesIO(mock_photo(page=1, exercise="ZZ9ZZ9", seed=1).jpeg()), "foto_1.jpg")}
    resp = client.post("/", data={"csrf_token": csrf_of(client), "code": code, **files},
                       content_type="multipart/form-data")
    html = client.get(resp.location).get_data(as_text=True)
    assert client.get(resp.location + ".json").get_json()["state"] == "held"
    assert "Lembar ini dicetak untuk latihan ZZ9ZZ9, yang tidak ada di server ini. Tanyakan kepada pelatih" in html
    assert "kosongkan agar kode dibaca dari QR" not in html and "/ 100" not in html


def test_the_demo_exercise_is_made_once_and_stays_removed_when_a_trainer_removed_it():
    """`serve --demo` wrote the demo exercise at every start: its "made" time moved (it jumped to the top of the
    trainer's list) and a removed demo exercise came back."""
    import os

    from grader.exercise.store import KEY_NAME, REMOVED_MARK, exercises_dir, removed_exercises

    code = ensure_demo_data()
    key = exercises_dir() / code / KEY_NAME
    os.utime(key, (1_000_000, 1_000_000))          # made long ago
    assert ensure_demo_data() == code and key.stat().st_mtime == 1_000_000
    key.unlink()                                    # as grader.web.removal leaves a removed exercise
    (key.parent / REMOVED_MARK).write_text("")
    assert ensure_demo_data() == code and not key.exists() and removed_exercises() == [code]
