"""A trainer's batch: a trainee's page photo that shows a classmate's sheet is said, not "never sent"."""
import csv
import io
import json
import re
import zipfile
from contextlib import closing
from html import unescape

import pytest

from grader.web.db import connect
from grader.web.testing import csrf_of, jpeg_bytes, log_in, make_test_app

#: Each photo of the batch as the stand-in pipeline reads it ("qr-<id>-": its QR names trainee <id>; "solo": a page
#: no photo showed is left unread, as for real): joko_p2.jpg shows Yanti's page 2, by her QR
READ_AS = {"joko_p1.jpg": "qr-7-solo-joko_p1.jpg", "joko_p2.jpg": "qr-110-solo-joko_p2.jpg",
           "yanti_p1.jpg": "qr-110-solo-yanti_p1.jpg"}
NAMES = {"7": "Joko Susilo", "110": "Yanti Marpaung"}


class JokosPage2ShowsYantis:
    """The stand-in pipeline (:mod:`grader.web.testing`) reading the batch's photos as :data:`READ_AS` says, the QR
    carrying each trainee's name too; its results name the photos as sent."""

    def grade_upload(self, files, **kwargs):
        import grader.web.testing as fake
        result = fake.grade_upload([(READ_AS[name], data) for name, data in files], **kwargs)
        sent = {v: k for k, v in READ_AS.items()}
        for p in result["pages"]:
            p["file"] = sent[p["file"]]
        return {**result, "trainee_name": NAMES.get(result["trainee"])}


def _send_batch(code: str, pipeline):
    """A trainer's batch of :data:`READ_AS`'s photos, read by ``pipeline``: (the app, the trainer, the batch page's
    text)."""
    app = make_test_app(PIPELINE=pipeline)
    trainer = app.test_client()
    log_in(trainer)
    photos = [(name, jpeg_bytes(color=shade)) for name, shade in zip(READ_AS, ("#fff", "#eee", "#ddd"))]
    resp = trainer.post(f"/trainer/latihan/{code}/batch", content_type="multipart/form-data", data={
        "csrf_token": csrf_of(trainer, f"/trainer/latihan/{code}"), "client_token": "strays",
        "photos": [(io.BytesIO(data), name) for name, data in photos]})
    return app, trainer, _text(trainer.get(resp.location).get_data(as_text=True))


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def test_a_trainees_page_photo_showing_a_classmates_sheet_is_said_on_the_web_not_as_never_sent(code):
    """Rehearsal (helper-187, real pipeline): a batch's ``joko_p2.jpg`` showed Yanti's page 2 (her QR). The web files
    it with Yanti's sheet, rightly, but Joko's sheet said "Halaman 2 belum dikirim" on the batch page, its own page,
    the printout and the export (``page2=page_missing``), naming neither the photo nor Yanti. Each says now, in
    ``grader grade``'s words, which photo showed whose sheet."""
    app, trainer, batch_page = _send_batch(code, JokosPage2ShowsYantis())
    said = ("joko_p2.jpg dari lembar peserta lain: Yanti Marpaung (No. 110) menurut kode QR-nya, dan dinilai bersama "
            "lembar itu. Foto halaman 2 dari lembar Anda sendiri, lalu kirim lagi.")
    assert f"Halaman 2: {said}" in batch_page and "belum dikirim" not in batch_page
    with closing(connect(app.config["DATABASE"])) as conn:
        sheets = {r["trainee"]: r["id"] for r in conn.execute(
            "SELECT id, trainee FROM submissions WHERE state='done' AND superseded_by IS NULL")}
    assert sorted(sheets) == ["110", "7"]                   # Yanti's whole sheet holds joko_p2.jpg
    sheet = _text(trainer.get(f"/trainer/lembar/{sheets['7']}").get_data(as_text=True))
    assert f"Halaman 2: {said}" in sheet and "belum dikirim" not in sheet
    printed = _text(trainer.get(f"/trainer/lembar/{sheets['7']}/cetak").get_data(as_text=True))
    assert f"Halaman 2: {said}" in printed and "belum dikirim" not in printed
    table = trainer.get(f"/trainer/latihan/{code}/ekspor/lembar.csv").get_data(as_text=True)
    joko = [row for row in csv.reader(io.StringIO(table.lstrip("\ufeff"))) if "7" in row]
    assert len(joko) == 1 and "page2=other_trainee" in joko[0] and "page_missing" not in ",".join(joko[0])
    fields = trainer.get(f"/trainer/latihan/{code}/ekspor/isian.csv").get_data(as_text=True)
    joko = [row for row in csv.reader(io.StringIO(fields.lstrip("\ufeff"))) if row[0] == "7"]
    assert {row[-1] for row in joko if row[3] == "2"} == {"other_trainee"} and "page_missing" not in fields
    # (and a class-table row noting it as a later half sending, in short, says it as the page refused is said)
    from grader.web.present import unread_short
    with closing(connect(app.config["DATABASE"])) as conn, app.test_request_context():
        result = json.loads(conn.execute("SELECT result FROM submissions WHERE id=?", (sheets["7"],)).fetchone()[0])
        assert unread_short(result) == "halaman 2: Lembar peserta lain"
    # (in English too, as the sheet's page is asked in it: last, as the language stays chosen)
    english = _text(trainer.get(f"/trainer/lembar/{sheets['7']}?lang=en").get_data(as_text=True))
    assert ("Page 2: joko_p2.jpg is from another trainee's sheet: Yanti Marpaung (No. 110) by its QR code, and is "
            "graded with that sheet.") in english and "not sent" not in english


class JokosPage2ShowsYantisOnARosterOfOtherNames(JokosPage2ShowsYantis):
    """As :class:`JokosPage2ShowsYantis`, but the roster names the trainees otherwise than the trainer named the
    photos (a nickname, or names given by whoever collected them): no file name is a QR's name."""

    def grade_upload(self, files, **kwargs):
        result = super().grade_upload(files, **kwargs)
        return {**result, "trainee_name": {"7": "Iwan Pratama", "110": "Agus Siregar"}.get(result["trainee"])}


def test_a_trainees_page_photo_showing_a_classmates_sheet_is_said_whatever_the_roster_calls_them(code):
    """Review helper-190 (real pipeline, the web app in process on a temp data folder): ``joko_p1.jpg``
    (QR: Iwan Pratama, No. 27), ``joko_p2.jpg`` (Agus Siregar's page 2, No. 101) and ``yanti_p1.jpg`` (Agus's page 1)
    in one batch: ``grader grade`` says in Iwan's row that joko_p2.jpg is from Agus's sheet, but the web said
    "Halaman 2 belum dikirim": it names the photos before the merge, when joko_p2.jpg sat alone in its half of the
    split "joko" and only a file name that is the QR's name told that half the stray. The merge joins it to Agus's
    yanti_p1.jpg next, as grader grade grades them together: that tells it too."""
    app, _, batch_page = _send_batch(code, JokosPage2ShowsYantisOnARosterOfOtherNames())
    said = ("joko_p2.jpg dari lembar peserta lain: Agus Siregar (No. 110) menurut kode QR-nya, dan dinilai bersama "
            "lembar itu.")
    assert f"Halaman 2: {said}" in batch_page and "belum dikirim" not in batch_page
    with closing(connect(app.config["DATABASE"])) as conn:
        named = {r["trainee"]: json.loads(r["result"]).get("other_trainee_pages") for r in conn.execute(
            "SELECT trainee, result FROM submissions WHERE state='done' AND superseded_by IS NULL")}
    assert sorted(named) == ["110", "7"] and named["110"] is None      # (Agus's whole sheet names no stray)
    assert [(p["page"], p["file"], p["trainee"]) for p in named["7"]] == [(2, "joko_p2.jpg", "110")]


def _sheets(app) -> dict[str, dict]:
    """The batch's current sheets by trainee: ``{"id", "other_trainee_pages"}``."""
    with closing(connect(app.config["DATABASE"])) as conn:
        return {r["trainee"]: {"id": r["id"], "other_trainee_pages": json.loads(r["result"] or "{}").get(
                    "other_trainee_pages")}
                for r in conn.execute("SELECT id, trainee, result FROM submissions WHERE state IN ('done', 'failed') "
                                      "AND superseded_by IS NULL")}


def test_the_note_of_a_page_photo_in_a_classmates_sheet_goes_with_that_sheet_when_it_is_removed(code):
    """Rehearsal helper-192 (real pipeline, the web app on port 8192): once the trainer removed Yanti's sheet, which
    held ``joko_p2.jpg``, Joko's row on the batch page, his sheet's page, its printout and the exports still said
    that photo "dinilai bersama lembar itu" (Yanti's, gone): the note was only ever added. They say now what is true:
    page 2 is not there."""
    app, trainer, _ = _send_batch(code, JokosPage2ShowsYantis())
    sheets = _sheets(app)
    assert [p["file"] for p in sheets["7"]["other_trainee_pages"]] == ["joko_p2.jpg"]
    sheet_page = f"/trainer/lembar/{sheets['110']['id']}"
    resp = trainer.post(f"{sheet_page}/hapus", data={"csrf_token": csrf_of(trainer, sheet_page), "confirm": "1"})
    assert resp.status_code == 303 and sorted(_sheets(app)) == ["7"]
    assert _sheets(app)["7"]["other_trainee_pages"] is None
    with closing(connect(app.config["DATABASE"])) as conn:
        original = conn.execute("SELECT result_original FROM submissions WHERE id=?", (sheets["7"]["id"],)).fetchone()[0]
    assert original is None or "other_trainee_pages" not in json.loads(original)     # (a correction starts from it)
    batch = conn_batch_page(app, trainer)
    joko = f"/trainer/lembar/{sheets['7']['id']}"
    for shown in (batch, _text(trainer.get(joko).get_data(as_text=True)),
                  _text(trainer.get(f"{joko}/cetak").get_data(as_text=True))):
        assert "lembar peserta lain" not in shown and re.search(r"Halaman 2:? (foto halaman ini )?belum dikirim", shown)
    table = trainer.get(f"/trainer/latihan/{code}/ekspor/lembar.csv").get_data(as_text=True)
    assert "other_trainee" not in table and "page2=page_missing" in table


def conn_batch_page(app, trainer) -> str:
    """The text of the (one) batch's page."""
    with closing(connect(app.config["DATABASE"])) as conn:
        token = conn.execute("SELECT token FROM batches").fetchone()[0]
    return _text(trainer.get(f"/trainer/batch/{token}").get_data(as_text=True))


class JokosPage1FailsOnce(JokosPage2ShowsYantis):
    """As :class:`JokosPage2ShowsYantis`, but Joko's page 1, graded alone once the pair is split, fails the first time
    (a reason of the photo's, say a file the disk lost for a while): the trainer grades it again."""

    def __init__(self):
        self.failed = False

    def grade_upload(self, files, **kwargs):
        from grader.errors import GraderError
        if [name for name, _ in files] == ["joko_p1.jpg"] and not self.failed:
            self.failed = True
            raise GraderError("photo_missing", "The photo is missing.", "Foto tidak ada")
        return super().grade_upload(files, **kwargs)


def test_a_page_graded_again_after_its_batch_was_put_together_is_told_where_its_other_page_went(code):
    """A batch page that failed (grading again from its photos, a trainer's "Nilai ulang") was graded alone after the
    batch's merge had run without it, and nothing ran it again: Joko's sheet, graded then, said "Halaman 2 belum
    dikirim" of ``joko_p2.jpg``, graded in Yanti's sheet. Once graded again, the batch's pages are put together again
    (as after a sheet moved to its exercise), and it says where that photo went."""
    app, trainer, _ = _send_batch(code, JokosPage1FailsOnce())
    sheets = _sheets(app)
    assert sheets["110"]["other_trainee_pages"] is None
    with closing(connect(app.config["DATABASE"])) as conn:
        failed = conn.execute("SELECT id FROM submissions WHERE state='failed'").fetchone()[0]
    sheet_page = f"/trainer/lembar/{failed}"
    resp = trainer.post(f"{sheet_page}/nilai-ulang", data={"csrf_token": csrf_of(trainer, sheet_page)})
    assert resp.status_code == 303
    sheets = _sheets(app)
    assert sorted(sheets) == ["110", "7"]
    assert [(p["page"], p["file"], p["trainee"]) for p in sheets["7"]["other_trainee_pages"]] == \
        [(2, "joko_p2.jpg", "110")]
    said = "Halaman 2: joko_p2.jpg dari lembar peserta lain: Yanti Marpaung (No. 110) menurut kode QR-nya"
    assert said in conn_batch_page(app, trainer) and said in _text(trainer.get(f"/trainer/lembar/{failed}")
                                                                   .get_data(as_text=True))


def test_the_note_stays_true_when_the_classmates_page_went_to_a_sheet_of_a_later_batch(code):
    """Joko's two photos in one batch, Yanti's page 1 in the next: her page 2 (``joko_p2.jpg``) is merged into her
    sheet of that later batch. Joko's batch said so; once it was looked at again (a test photo of it removed), the
    note must stay, found in the later batch's sheet, not turn into "Halaman 2 belum dikirim"."""
    app = make_test_app(PIPELINE=JokosPage2ShowsYantis())
    trainer = app.test_client()
    log_in(trainer)
    READ_AS["coba.jpg"] = "coba.jpg"                        # (a test photo of the room, nobody's)
    try:
        for token, names in (("first", ["joko_p1.jpg", "joko_p2.jpg", "coba.jpg"]), ("next", ["yanti_p1.jpg"])):
            trainer.post(f"/trainer/latihan/{code}/batch", content_type="multipart/form-data", data={
                "csrf_token": csrf_of(trainer, f"/trainer/latihan/{code}"), "client_token": token,
                "photos": [(io.BytesIO(jpeg_bytes(color=f"#{i}{i}{i}")), name) for i, name in
                           enumerate(names, 6 if token == "next" else 3)]})
        with closing(connect(app.config["DATABASE"])) as conn:
            batches = {r["trainee"]: r["batch_id"] for r in conn.execute(
                "SELECT trainee, batch_id FROM submissions WHERE state='done' AND superseded_by IS NULL")}
            test_photo = conn.execute("SELECT id FROM submissions WHERE group_key='coba' AND state='done'").fetchone()[0]
        assert batches["7"] != batches["110"]                # (Yanti's whole sheet is the later batch's)
        assert [p["file"] for p in _sheets(app)["7"]["other_trainee_pages"]] == ["joko_p2.jpg"]
        page = f"/trainer/lembar/{test_photo}"
        trainer.post(f"{page}/hapus", data={"csrf_token": csrf_of(trainer, page), "confirm": "1"})
        assert [p["file"] for p in _sheets(app)["7"]["other_trainee_pages"]] == ["joko_p2.jpg"]
    finally:
        del READ_AS["coba.jpg"]


#: A class zip of a folder per trainee, its photos named alike in each (as the trainer asked them named): Andi's
#: second photo shows Yanti's page 2 (her QR); Budi never sent his page 2. As the stand-in pipeline reads each.
CLASS_ZIP = {"andi/{name}1.jpg": "qr-21-solo-andi_p1.jpg", "andi/{name}2.jpg": "qr-110-solo-andi_p2.jpg",
             "yanti/yanti_1.jpg": "qr-110-solo-yanti_p1.jpg", "budi/{name}1.jpg": "qr-35-solo-budi_p1.jpg"}


class AndisPage2ShowsYantis:
    """The stand-in pipeline reading :data:`CLASS_ZIP`'s photos, named ``kelas/<folder>/<name><page>.jpg``; its
    results name the photos as sent."""

    def __init__(self, name: str):
        self.read_as = {f"kelas/{k.format(name=name)}": v for k, v in CLASS_ZIP.items()}

    def grade_upload(self, files, **kwargs):
        import grader.web.testing as fake
        result = fake.grade_upload([(self.read_as[name], data) for name, data in files], **kwargs)
        sent = {v: k for k, v in self.read_as.items()}
        for p in result["pages"]:
            p["file"] = sent[p["file"]]
        names = {"21": "Andi Wijaya", "110": "Yanti Marpaung", "35": "Budi Santoso"}
        return {**result, "trainee_name": names.get(result["trainee"])}


def _send_class_zip(code: str, name: str):
    """A trainer's batch of :data:`CLASS_ZIP` in a zip, its photos named ``name`` and their page: (the app, the
    trainer, the response)."""
    pipeline = AndisPage2ShowsYantis(name)
    zipped = io.BytesIO()
    with zipfile.ZipFile(zipped, "w") as z:
        for i, member in enumerate(pipeline.read_as):
            z.writestr(member, jpeg_bytes(color=f"#{i + 3}{i + 3}{i + 3}"))
    app = make_test_app(PIPELINE=pipeline)
    trainer = app.test_client()
    log_in(trainer)
    resp = trainer.post(f"/trainer/latihan/{code}/batch", content_type="multipart/form-data", data={
        "csrf_token": csrf_of(trainer, f"/trainer/latihan/{code}"), "client_token": "kelas",
        "photos": [(io.BytesIO(zipped.getvalue()), "kelas.zip")]})
    return app, trainer, resp


@pytest.mark.parametrize("name", ["latihan_p", "hal"])
def test_a_page_photo_in_a_classmates_sheet_is_told_by_its_own_folder_not_by_a_name_another_folder_shares(code,
                                                                                                         name):
    """Rehearsal helper-192 (real pipeline, a class zip of a folder per trainee): the web compared its sheets' file
    names as one folder's. Named ``latihan_p1.jpg`` and ``latihan_p2.jpg`` in each folder, Budi, who never sent his
    page 2, was told "Halaman 2: kelas/andi/latihan_p2.jpg dari lembar peserta lain: Yanti …", a photo of Andi's
    folder (``grader grade`` said ``page2=page_missing``); named ``hal1.jpg`` and ``hal2.jpg``, a page number only
    a folder per trainee gives, Andi was told his page 2 was never sent (``grader grade``: ``page2=other_trainee``).
    Each photo's name is read in its own folder now, as grader grade reads it."""
    app, trainer, resp = _send_class_zip(code, name)
    sheets = _sheets(app)
    assert sorted(sheets) == ["110", "21", "35"]
    assert [p["file"] for p in sheets["21"]["other_trainee_pages"]] == [f"kelas/andi/{name}2.jpg"]
    assert sheets["35"]["other_trainee_pages"] is None
    page = _text(trainer.get(resp.location).get_data(as_text=True))
    assert page.count(f"kelas/andi/{name}2.jpg dari lembar peserta lain") == 1


def test_a_database_from_before_has_its_batches_notes_written_again_once(code):
    """A database from before helper-192 may hold a note no sheet bears out (Budi told that Andi's
    ``kelas/andi/latihan_p2.jpg`` was his page 2; a classmate's sheet since removed), which nothing wrote again
    until its batch was merged again. The next start writes every merged batch's notes again, once."""
    app, _, _ = _send_class_zip(code, "latihan_p")
    with closing(connect(app.config["DATABASE"])) as conn:
        budi, result = conn.execute("SELECT id, result FROM submissions WHERE trainee='35'").fetchone()
        andi = json.loads(conn.execute("SELECT result FROM submissions WHERE trainee='21' AND state='done'")
                          .fetchone()[0])["other_trainee_pages"]
        wrong = json.dumps({**json.loads(result), "other_trainee_pages": andi})      # as the folders were read then
        conn.execute("UPDATE submissions SET result=?, result_original=? WHERE id=?", (wrong, wrong, budi))
        conn.execute("PRAGMA user_version=1")                                        # (written again by no start yet)
    app = make_test_app(PIPELINE=AndisPage2ShowsYantis("latihan_p"))                 # the next start
    sheets = _sheets(app)
    assert sheets["35"]["other_trainee_pages"] is None
    assert [p["file"] for p in sheets["21"]["other_trainee_pages"]] == ["kelas/andi/latihan_p2.jpg"]
    with closing(connect(app.config["DATABASE"])) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 2
