"""A trainer's exports as a trainer opens them in a spreadsheet: headers and words in the trainer's language (the
pages' words), numbers as numbers, and the codes behind the words at the end of each row; the command line's CSV
keeps its English codes."""
import csv
import io
import json

import pytest
from openpyxl import load_workbook

from grader.web.testing import REVIEW_FIELD, WRONG_FIELD, csrf_of, jpeg_bytes, log_in

SHEET_HEADERS = {
    "id": ["Peserta", "Nama", "Juga dengan nama", "Penilaian", "Hasil", "Nilai", "Nilai halaman yang terbaca", "Nilai sementara",
           "Benar", "Salah",
           "Perlu dicek", "Kosong", "Tidak terbaca", "Belum terbaca", "Percobaan",
           "Kiriman berikutnya ditolak", "Kiriman berikutnya belum lengkap", "Dikirim oleh", "Dikirim", "Alasan",
           "Sebaiknya foto ulang", "Penilaian (kode)", "Hasil (kode)", "Dikirim oleh (kode)", "Alasan (kode)",
           "Sebaiknya foto ulang (kode)"],
    "en": ["Trainee", "Name", "Also named", "Grading", "Result", "Score", "Score of the pages read", "Provisional score",
           "Correct", "Wrong", "To check",
           "Blank", "Unreadable", "Not read yet", "Attempts", "Later sending refused",
           "Later sending incomplete", "Sent by", "Sent", "Why", "A retake is advised", "Grading (code)",
           "Result (code)", "Sent by (code)", "Why (code)", "A retake is advised (code)"]}
FIELD_HEADERS = {
    "id": ["Peserta", "Nama", "Isian", "Halaman", "Bagian", "Uraian", "Jenis", "Terbaca", "Seharusnya", "Status",
           "Keyakinan", "Alasan", "Menurut peserta", "Waktu sanggahan", "Dikoreksi oleh", "Waktu koreksi",
           "Isian (kode)", "Jenis (kode)", "Status (kode)", "Alasan (kode)"],
    "en": ["Trainee", "Name", "Entry", "Page", "Section", "Description", "Kind", "Read as", "Expected", "Status",
           "Confidence", "Why", "The trainee says", "Disputed at", "Corrected by", "Corrected at", "Entry (code)",
           "Kind (code)", "Status (code)", "Why (code)"]}
#: What the class's two sheets and two of b's entries say, in each language: the pages' words, then the codes.
SAID = {
    "id": {"b": ("Selesai", "Dinilai", "Pelatih", None), "c": ("Selesai", "Ditolak", "Pelatih",
                                                              "c_1_blur.jpg (halaman 1): Foto terlalu buram. Pegang "
                                                              "ponsel lebih stabil, lalu foto ulang."),
           WRONG_FIELD: (f"Isian {WRONG_FIELD}", "angka", "Salah", None),
           REVIEW_FIELD: (f"Isian {REVIEW_FIELD}", "angka", "Perlu dicek", "kami belum yakin membaca kotak ke-3")},
    "en": {"b": ("Done", "Graded", "Trainer", None), "c": ("Done", "Refused", "Trainer",
                                                           "c_1_blur.jpg (page 1): The photo is too blurry. Hold the "
                                                           "phone steady and take it again."),
           WRONG_FIELD: (f"Entry {WRONG_FIELD}", "digits", "Wrong", None),
           REVIEW_FIELD: (f"Entry {REVIEW_FIELD}", "digits", "To check", "we are not sure how to read box 3")}}
CODES = {"b": ("done", "graded", "batch", None, None),
         "c": ("done", "refused", "batch", "c_1_blur.jpg=too_blurry", None),
         WRONG_FIELD: ("digits", "wrong", None), REVIEW_FIELD: ("digits", "review", "unsure_box")}


@pytest.fixture
def trainer(app):
    client = app.test_client()
    assert log_in(client).status_code == 302
    return client


def send_batch(trainer, code, files):
    return trainer.post(f"/trainer/latihan/{code}/batch", data={
        "csrf_token": csrf_of(trainer, f"/trainer/latihan/{code}"), "client_token": "x1",
        "photos": [(io.BytesIO(data), name) for name, data in files]}, content_type="multipart/form-data")


def csv_table(trainer, url) -> list[list[str]]:
    resp = trainer.get(url)
    assert resp.status_code == 200 and resp.headers["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.reader(io.StringIO(resp.data.decode("utf-8-sig"))))


def by_first(rows, key_col: int = 0) -> dict:
    """Rows by the value of their column ``key_col``, each a list with None for an empty cell."""
    return {r[key_col]: [None if v == "" else v for v in r] for r in rows}


def test_a_page_its_trainee_added_to_a_batch_sheet_is_not_said_sent_by_the_trainer(app, trainer, code):
    """A trainee's page joined to a batch's sheet (the page 2 the trainer's half sheet lacked, added from its result
    page, which the trainer's printout links) was exported "Dikirim oleh: Pelatih", the trainee's photo said to be
    the trainer's. Each page says who sent it; a sheet all of one sender says it once, as before."""
    send_batch(trainer, code, [("d_solo_1.jpg", jpeg_bytes()), ("e_1.jpg", jpeg_bytes(color="#ddd"))])
    with app.app_context():
        from grader.web.db import get_db
        token = get_db().execute("SELECT token FROM submissions WHERE trainee='d'").fetchone()[0]
    phone = app.test_client()
    added = phone.post(f"/hasil/{token}/lengkapi", content_type="multipart/form-data", data={
        "csrf_token": csrf_of(phone), "photo": (io.BytesIO(jpeg_bytes(color="#eee")), "d_solo_2.jpg")})
    assert added.status_code == 302 and token not in added.location
    col = {h: i for i, h in enumerate(SHEET_HEADERS["id"])}
    for lang, said in (("id", "Pelatih (halaman 1), Peserta (halaman 2)"), ("en", "Trainer (page 1), Trainee (page 2)")):
        rows = by_first(csv_table(trainer, f"/trainer/latihan/{code}/ekspor/lembar.csv?lang={lang}")[1:])
        assert (rows["d"][col["Dikirim oleh"]], rows["d"][col["Dikirim oleh (kode)"]]) == (said, "page1=batch;page2=trainee")
        assert rows["d"][col["Percobaan"]] == "2"
        assert (rows["e"][col["Dikirim oleh"]], rows["e"][col["Dikirim oleh (kode)"]]) == (SAID[lang]["b"][2], "batch")


def test_a_later_sending_refused_whole_leaves_the_graded_sheet_in_the_exports(app, trainer, code):
    """helper-175: a trainee's graded sheet, then a sending of theirs refused whole (blurred photos: no page read),
    was exported as the refused one, "Ditolak" and no score, so a spreadsheet's mean left the trainee out. The row
    is the graded sheet's, with its fields, and says when the later sending was refused and why, in both tables of
    the workbook too."""
    phone = app.test_client()
    for trainee, photos in (("Wati", [("a_1.jpg", jpeg_bytes()), ("a_2.jpg", jpeg_bytes(color="#f7f7f7"))]),
                            ("Wati", [("a_1_blur.jpg", jpeg_bytes(color="#ddd")), ("a_2_blur.jpg", jpeg_bytes(color="#ccc"))])):
        data = {"csrf_token": csrf_of(phone), "code": code, "trainee": trainee,
                **{f"photo_{i}": (io.BytesIO(c), n) for i, (n, c) in enumerate(photos, start=1)}}
        assert phone.post("/", data=data, content_type="multipart/form-data").status_code == 302
    for lang, why in (("id", "(Foto kabur)"), ("en", "(Blurry photo)")):
        col = {h: i for i, h in enumerate(SHEET_HEADERS[lang])}
        (row,) = [[None if v == "" else v for v in r]
                  for r in csv_table(trainer, f"/trainer/latihan/{code}/ekspor/lembar.csv?lang={lang}")[1:]]
        assert row[col[SHEET_HEADERS[lang][4]]] == SAID[lang]["b"][1] and float(row[col[SHEET_HEADERS[lang][5]]]) > 90
        assert row[col[SHEET_HEADERS[lang][14]]] == "2" and row[col[SHEET_HEADERS[lang][15]]].endswith(why)
        assert row[col[SHEET_HEADERS[lang][19]]] is None                        # (no refusal of its own)
        fields = csv_table(trainer, f"/trainer/latihan/{code}/ekspor/isian.csv?lang={lang}")[1:]
        assert len(fields) > 30 and {f[0] for f in fields} == {"Wati"}
    book = load_workbook(io.BytesIO(trainer.get(f"/trainer/latihan/{code}/ekspor/hasil.xlsx?lang=id").data))
    sheets = [[c.value for c in r] for r in book.worksheets[0].iter_rows()]
    assert sheets[0][15] == "Kiriman berikutnya ditolak" and sheets[1][4] == "Dinilai" and sheets[1][5] > 90
    assert sheets[1][15].endswith("(Foto kabur)") and book.worksheets[1].max_row > 30


def test_a_trainees_retake_merged_with_a_later_batchs_page_is_still_said_sent_by_the_trainee(app, trainer, code):
    """Rehearsal (helper-159): a page a trainee retook from their batch sheet's result page lost who sent it once the
    merge step put it together with their other page from a later batch (or split a pair): the merged sheet's
    photos were stored without their ``uploads.sent_in``, and the export said "Pelatih" of the trainee's photo.
    A merged sheet keeps each photo's input."""
    send_batch(trainer, code, [("qr-117-blur-WA0020_solo_p1.jpg", jpeg_bytes()),
                               ("qr-117-blur-WA0021_solo_p2.jpg", jpeg_bytes(color="#eee"))])
    with app.app_context():
        from grader.web.db import get_db
        token = get_db().execute("SELECT token FROM submissions").fetchone()[0]
    phone = app.test_client()
    retaken = phone.post(f"/hasil/{token}/ulang", content_type="multipart/form-data", data={
        "csrf_token": csrf_of(phone), "position": 1,
        "photo": (io.BytesIO(jpeg_bytes(color="#ccc")), "qr-117-WA0030_solo_p1.jpg")})
    assert retaken.status_code == 302 and token not in retaken.location
    trainer.post(f"/trainer/latihan/{code}/batch", data={
        "csrf_token": csrf_of(trainer, f"/trainer/latihan/{code}"), "client_token": "x2",
        "photos": [(io.BytesIO(jpeg_bytes(color="#ddd")), "qr-117-WA0035_solo_p2.jpg")]},
        content_type="multipart/form-data")
    with app.app_context():
        from grader.web.classroom import latest_sheets
        [row] = latest_sheets(get_db(), code)
        sent = [tuple(u) for u in get_db().execute(
            "SELECT filename, sent_in FROM uploads WHERE submission_id=? ORDER BY position", (row["id"],))]
    assert sent == [("qr-117-WA0030_solo_p1.jpg", "retake"), ("qr-117-WA0035_solo_p2.jpg", None)]   # merged
    col = {h: i for i, h in enumerate(SHEET_HEADERS["id"])}
    rows = by_first(csv_table(trainer, f"/trainer/latihan/{code}/ekspor/lembar.csv")[1:])
    assert (rows["117"][col["Dikirim oleh"]], rows["117"][col["Dikirim oleh (kode)"]]) == (
        "Peserta (halaman 1), Pelatih (halaman 2)", "page1=trainee;page2=batch")


@pytest.mark.parametrize("lang", ["id", "en"])
def test_the_exports_speak_the_trainers_language_and_keep_the_codes_at_the_end(app, trainer, code, lang):
    """Trainers read the exports in a spreadsheet: the headers were the code names ("trainee", "state", "status",
    "notes") and the cells the codes ("done", "wrong", "unsure_box") in Indonesian as in English. Now both say what
    the pages say, in the pages' language (Indonesian unless switched), with the codes at the row's end."""
    send_batch(trainer, code, [("b_1.jpg", jpeg_bytes()), ("c_1_blur.jpg", jpeg_bytes(color="#ddd"))])
    if lang == "en":
        trainer.get(f"/trainer/latihan/{code}?lang=en")                 # the switch, remembered as the pages do
    said = SAID[lang]
    sheets = csv_table(trainer, f"/trainer/latihan/{code}/ekspor/lembar.csv")
    assert sheets[0] == SHEET_HEADERS[lang]
    col = {h: i for i, h in enumerate(SHEET_HEADERS["id"])}
    rows = by_first(sheets[1:])
    for who in ("b", "c"):
        row = rows[who]
        assert tuple(row[col[h]] for h in ("Penilaian", "Hasil", "Dikirim oleh", "Alasan")) == said[who]
        assert tuple(row[-5:]) == CODES[who]
    assert rows["b"][col["Salah"]] == "1" and rows["b"][col["Perlu dicek"]] == "1"
    # b's score may change once its entry is checked; c has no score to change
    assert (rows["b"][col["Nilai sementara"]], rows["c"][col["Nilai sementara"]]) == ("ya" if lang == "id" else "yes", None)

    fields = csv_table(trainer, f"/trainer/latihan/{code}/ekspor/isian.csv")
    assert fields[0] == FIELD_HEADERS[lang]
    col = {h: i for i, h in enumerate(FIELD_HEADERS["id"])}
    entries = by_first([r for r in fields[1:] if r[0] == "b"], col["Isian"])
    for fid in (WRONG_FIELD, REVIEW_FIELD):
        row = entries[fid]
        assert tuple(row[col[h]] for h in ("Uraian", "Jenis", "Status", "Alasan")) == said[fid]
        assert tuple(row[-3:]) == CODES[fid]
    assert entries[REVIEW_FIELD][col["Keyakinan"]] == "0.4"

    resp = trainer.get(f"/trainer/latihan/{code}/ekspor/hasil.xlsx")
    wb = load_workbook(io.BytesIO(resp.data))
    assert wb.sheetnames == (["lembar", "isian"] if lang == "id" else ["sheets", "entries"])
    sheet_ws, field_ws = wb.worksheets
    assert [c.value for c in sheet_ws[1]] == SHEET_HEADERS[lang]
    b = next(r for r in sheet_ws.iter_rows(min_row=2, values_only=True) if r[0] == "b")
    assert b[3:5] == said["b"][:2] and b[-5:] == CODES["b"]
    assert isinstance(b[5], int) and b[6] is None and (b[9], b[10]) == (1, 1)     # numbers stay numbers
    assert b[7] == ("ya" if lang == "id" else "yes")        # one entry still to check: the score may change
    assert [c.value for c in field_ws[1]] == FIELD_HEADERS[lang]
    row = next(r for r in field_ws.iter_rows(min_row=2, values_only=True) if r[0] == "b" and r[2] == WRONG_FIELD)
    assert (row[6], row[9], row[-3:-1]) == (said[WRONG_FIELD][1], said[WRONG_FIELD][2], CODES[WRONG_FIELD][:2])
    assert isinstance(row[7], int) and isinstance(row[8], int) and isinstance(row[10], float)


def test_a_half_sheet_keeps_no_score_and_its_score_of_the_pages_read(app, trainer, code):
    """A sheet with page 2 unsent: "Sebagian", an empty "Nilai" and its score over page 1 beside it, in both
    exports; its unread entries "Belum terbaca", as its page and its printed sheet say (they said "Tak terbaca" here:
    helper-141), with their code."""
    trainee = app.test_client()
    trainee.post("/", data={"csrf_token": csrf_of(trainee), "code": code, "trainee": "Ani",
                            "photo_1": (io.BytesIO(jpeg_bytes()), "solo-p1.jpg")}, content_type="multipart/form-data")
    sheets = csv_table(trainer, f"/trainer/latihan/{code}/ekspor/lembar.csv")
    row = dict(zip(sheets[0], sheets[1]))
    assert (row["Hasil"], row["Nilai"], row["Hasil (kode)"], row["Dikirim oleh"]) == ("Sebagian", "", "partial",
                                                                                     "Peserta")
    assert int(row["Nilai halaman yang terbaca"]) > 0
    # (its unsent page's entries counted as "Belum terbaca", not as "Tidak terbaca", as its result page counts them:
    # "Tidak terbaca 31" read as an illegible photo; the s45-s47 notes)
    assert int(row["Belum terbaca"]) > 0 and int(row["Tidak terbaca"]) == 0
    from grader.result_rows import field_counts, sheet_rows
    with app.app_context():
        from grader.web.db import get_db
        stored = json.loads(get_db().execute("SELECT result FROM submissions").fetchone()["result"])
    unsent = sum(1 for f in stored["fields"] if f["page"] == 2)
    assert field_counts(stored)[3:] == (0, unsent) == (int(row["Tidak terbaca"]), int(row["Belum terbaca"]))
    [cli] = sheet_rows([stored])                                           # (grader grade --csv's row)
    assert (cli["unreadable"], cli["not_read"]) == (0, unsent)
    ws = load_workbook(io.BytesIO(trainer.get(f"/trainer/latihan/{code}/ekspor/hasil.xlsx").data))["lembar"]
    cells = dict(zip((c.value for c in ws[1]), (c.value for c in ws[2])))
    assert cells["Nilai"] is None and cells["Nilai halaman yang terbaca"] == int(row["Nilai halaman yang terbaca"])
    fields = csv_table(trainer, f"/trainer/latihan/{code}/ekspor/isian.csv")
    unread = [dict(zip(fields[0], r)) for r in fields[1:] if r[fields[0].index("Halaman")] == "2"]
    assert unread and {(r["Status"], r["Status (kode)"], r["Alasan (kode)"]) for r in unread} == {
        ("Belum terbaca", "unreadable", "page_missing")}
    english = csv_table(trainer, f"/trainer/latihan/{code}/ekspor/isian.csv?lang=en")
    assert {r[english[0].index("Status")] for r in english[1:] if r[english[0].index("Page")] == "2"} == {
        "Not read yet"}


def test_the_command_lines_csv_keeps_its_english_codes(app, trainer, code, tmp_path, monkeypatch):
    """The same sheet the web export words ("Salah", "Perlu dicek") is, in ``grader grade --csv``, the CSV it always
    was: English column names and codes (English in logs and on the command line)."""
    send_batch(trainer, code, [("b_1.jpg", jpeg_bytes()), ("c_1_blur.jpg", jpeg_bytes(color="#ddd"))])
    fields = csv_table(trainer, f"/trainer/latihan/{code}/ekspor/isian.csv")
    web = {r[2]: dict(zip(fields[0], r)) for r in fields[1:] if r[0] == "b"}
    assert (web[WRONG_FIELD]["Status"], web[REVIEW_FIELD]["Status"]) == ("Salah", "Perlu dicek")

    from grader.cli import main
    from grader.web.db import connect
    conn = connect(app.config["DATABASE"])
    results = [json.loads(r["result"]) for r in conn.execute("SELECT result FROM submissions ORDER BY id")]
    conn.close()
    monkeypatch.setattr("grader.commands.grade.grade_batch", lambda *a, **kw: results)
    photo = tmp_path / "b_1.jpg"
    photo.write_bytes(jpeg_bytes())
    out = tmp_path / "kelas.csv"
    assert main(["grade", str(photo), "--key", code, "--csv", str(out)]) == 0
    sheet_lines = out.read_text(encoding="utf-8-sig").splitlines()
    assert sheet_lines[0] == ("trainee,trainee_name,trainee_source,exercise,status,score,partial_score,provisional,wrong,"
                              "review,blank,unreadable,not_read,violated_rules,refusal,refusal_message,retake_advised,files")
    sheets = {r["trainee"]: r for r in csv.DictReader(sheet_lines)}
    assert (sheets["b"]["status"], sheets["c"]["status"], sheets["c"]["refusal"]) == (
        "graded", "refused", "c_1_blur.jpg=too_blurry")
    assert sheets["c"]["refusal_message"] == ("c_1_blur.jpg (page 1): The photo is too blurry. Hold the phone steady "
                                              "and take it again.")
    field_lines = (tmp_path / "kelas-fields.csv").read_text(encoding="utf-8-sig").splitlines()
    assert field_lines[0] == "trainee,exercise,field,page,section,kind,status,value,expected,confidence,notes,files"
    cli = {r["field"]: r for r in csv.DictReader(field_lines) if r["trainee"] == "b"}
    assert (cli[WRONG_FIELD]["status"], cli[WRONG_FIELD]["kind"]) == ("wrong", "digits")
    assert (cli[REVIEW_FIELD]["status"], cli[REVIEW_FIELD]["notes"]) == ("review", "unsure_box")


@pytest.mark.parametrize("lang, words", [("id", "bent_1.jpg: IV.1 bulatan"), ("en", "bent_1.jpg: IV.1 bubbles")])
def test_the_retake_advice_names_the_fields_in_words_and_keeps_their_ids_as_its_code(app, trainer, code, lang, words):
    """A page whose print was out of place was exported as "bent_1.jpg=IV.1.bubbles" in the trainer's worded
    column: the field's id, a code. Now it is worded as the pages word it, and the ids go to its code column."""
    send_batch(trainer, code, [("bent_1.jpg", jpeg_bytes())])
    if lang == "en":
        trainer.get(f"/trainer/latihan/{code}?lang=en")
    sheets = csv_table(trainer, f"/trainer/latihan/{code}/ekspor/lembar.csv")
    [row] = by_first(sheets[1:]).values()
    col = {h: i for i, h in enumerate(SHEET_HEADERS["id"])}
    assert row[col["Sebaiknya foto ulang"]] == words
    assert row[col["Sebaiknya foto ulang (kode)"]] == "bent_1.jpg=IV.1.bubbles"


def test_a_score_is_marked_provisional_in_the_export_until_its_entries_are_checked(app, trainer, code):
    """helper-89's rehearsal: the class table says "sementara" under a score that entries still to check may change,
    but the export showed the same score as if final. It is marked "ya" until the trainer settles the entry."""
    from grader.exercise.store import load_key
    send_batch(trainer, code, [("b_1.jpg", jpeg_bytes())])

    def marked() -> str:
        sheets = csv_table(trainer, f"/trainer/latihan/{code}/ekspor/lembar.csv")
        return dict(zip(sheets[0], sheets[1]))["Nilai sementara"]
    assert marked() == "ya"
    trainer.post("/trainer/lembar/1/koreksi", data={"csrf_token": csrf_of(trainer, "/trainer/"), "field": REVIEW_FIELD,
                                                    "value": str(load_key(code).fields[REVIEW_FIELD])})
    assert marked() == ""


def test_the_workbook_takes_as_long_per_row_however_many_rows_came_before(monkeypatch):
    """h41b: the XLSX export of a class of 300 trainees (13,000 rows of fields) did not finish in minutes: each row
    written was looked up again by the sheet's last row (``ws[ws.max_row]``), and both that and the row's width went
    over every cell written before it. Writing a row no longer looks at the sheet: the lookups do not grow with the
    rows; the cells are the same, a text that looks like a formula still a text cell."""
    from openpyxl.worksheet.worksheet import Worksheet

    from grader.spreadsheet import to_xlsx
    looked = []
    for name in ("max_row", "max_column"):
        real = getattr(Worksheet, name)
        monkeypatch.setattr(Worksheet, name, property(lambda ws, real=real: looked.append(1) or real.fget(ws)))

    def lookups(n: int) -> int:
        looked.clear()
        rows = [(f"=HYPERLINK(\"x{i}\")", i, i / 3, None, "Budi\x07") for i in range(n)]
        book = load_workbook(io.BytesIO(to_xlsx({"isian": (("a", "b", "c", "d", "e"), rows)})))
        cells = list(book["isian"].iter_rows(min_row=2, values_only=True))
        assert cells[-1] == (f"=HYPERLINK(\"x{n - 1}\")", n - 1, (n - 1) / 3, None, "Budi")
        assert {c.data_type for c in book["isian"]["A"][1:]} == {"s"}
        return len(looked)
    few = lookups(10)
    assert lookups(400) == few


def test_the_fields_export_lists_the_sheets_in_the_sheets_exports_order(app, trainer, code):
    """Rehearsal (helper-141): the sheets' export is in the class table's order (by trainee), the fields' export was
    in the order the sheets were stored (028, 109, 038, 089…), so a trainer's filter by trainee ran all over."""
    resp = send_batch(trainer, code, [(f"{n}_1.jpg", jpeg_bytes(color=f"#e{i}e{i}e{i}"))
                                      for i, n in enumerate(["109", "028", "089", "038"])])
    assert resp.status_code in (302, 303)
    sheets = [r[0] for r in csv_table(trainer, f"/trainer/latihan/{code}/ekspor/lembar.csv")[1:]]
    fields = list(dict.fromkeys(r[0] for r in csv_table(trainer, f"/trainer/latihan/{code}/ekspor/isian.csv")[1:]))
    assert sheets == ["028", "038", "089", "109"] and fields == sheets
    book = load_workbook(io.BytesIO(trainer.get(f"/trainer/latihan/{code}/ekspor/hasil.xlsx").data))
    assert list(dict.fromkeys(r[0] for r in book["isian"].iter_rows(min_row=2, values_only=True))) == sheets
