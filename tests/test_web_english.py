"""The app read in English, as an English-reading trainee and trainer use it: every page, flash and error in
English, one name for one thing, and the language kept from page to page."""
import io
import re

import pytest

from grader.web.testing import csrf_of, jpeg_bytes, log_in


def lang_links(html: str) -> dict[str, str]:
    """The header's language links, ``{"ID": href, "EN": href}``."""
    bar = re.search(r'<span class="lang">(.*?)</span>', html).group(1)
    return {name: href.replace("&amp;", "&") for href, name in re.findall(r'<a href="([^"]*)"[^>]*>(ID|EN)</a>', bar)}


def send(client, url, *, lang="en", **fields):
    """POST a form of the page at ``url`` (its CSRF token added), as a browser on that page: with its Referer."""
    data = {"csrf_token": csrf_of(client), **fields}
    return client.post(url, data=data, content_type="multipart/form-data",
                       headers={"Referer": f"http://localhost{url.rsplit('/', 1)[0]}?lang={lang}"})


def test_switching_language_keeps_the_code_the_classroom_qr_filled_in(client, code):
    """The classroom screen's QR opens /?kode=<code>: a trainee who switches to English must not lose the code."""
    links = lang_links(client.get(f"/?kode={code}").get_data(as_text=True))
    assert links == {"ID": f"/?kode={code}&lang=id", "EN": f"/?kode={code}&lang=en"}
    english = client.get(links["EN"]).get_data(as_text=True)
    assert f'value="{code}"' in english and "Send a photo of your practice sheet" in english


def test_switching_language_keeps_the_class_tables_order(app, code):
    trainer = app.test_client()
    log_in(trainer)
    html = trainer.get(f"/trainer/latihan/{code}/hasil?sort=score&dir=desc").get_data(as_text=True)
    assert lang_links(html)["EN"] == f"/trainer/latihan/{code}/hasil?sort=score&dir=desc&lang=en"


def test_switching_language_on_a_page_that_answers_a_form_goes_back_to_that_forms_page(client, code):
    """A refused retake and a wrong code typed again are shown at the form's address, which takes only a POST: the
    language link there opened "This page cannot be opened that way" (405)."""
    first = client.post("/?lang=en", data={"csrf_token": csrf_of(client), "code": code, "trainee": "Ann",
                                           "photo_1": (io.BytesIO(jpeg_bytes()), "a_blur.jpg")},
                        content_type="multipart/form-data")
    result = first.location
    refused = send(client, f"{result}/ulang", position="1", photo=(io.BytesIO(b"not a photo"), "x.jpg"))
    assert refused.status_code == 400
    links = lang_links(refused.get_data(as_text=True))
    assert links["ID"] == f"{result}?lang=id" and client.get(links["ID"]).status_code == 200

    held = client.post("/", data={"csrf_token": csrf_of(client), "code": "ZZZZZZ", "trainee": "Ann",
                                  "photo_1": (io.BytesIO(jpeg_bytes()), "a.jpg")}, content_type="multipart/form-data")
    again = send(client, f"{held.location}/kode", code="QQQQQQ")
    assert again.status_code == 400 and lang_links(again.get_data(as_text=True))["ID"] == f"{held.location}?lang=id"
    # without a Referer (a privacy setting), the start page
    bare = client.post(f"{held.location}/kode", data={"csrf_token": csrf_of(client), "code": "QQQQQQ"})
    assert lang_links(bare.get_data(as_text=True))["ID"] == "/?lang=id"


def test_the_printable_feedback_link_no_longer_says_the_sheet_is_in_indonesian(app, client, code):
    """The printed sheet follows the page's language now; its link said "(1 page, in Indonesian)"."""
    resp = client.post("/?lang=en", data={"csrf_token": csrf_of(client), "code": code, "trainee": "Ann",
                                          "photo_1": (io.BytesIO(jpeg_bytes()), "a.jpg")},
                       content_type="multipart/form-data")
    html = client.get(resp.location).get_data(as_text=True)
    assert "Printable feedback (1 page)</a>" in html and "in Indonesian" not in html
    assert "C.Hasil practice feedback" in client.get(resp.location + "/cetak").get_data(as_text=True)
    trainer = app.test_client()
    log_in(trainer)
    sheet = trainer.get("/trainer/lembar/1?lang=en").get_data(as_text=True)
    assert "Printable feedback (1 page)</a>" in sheet and "in Indonesian" not in sheet


def test_the_exercise_page_names_the_roster_columns_it_reads_and_says_the_handout_is_in_indonesian(app, code):
    """A roster's name column may be called "name" (grader.commands.form.ROSTER_NAME_COLUMNS): the English page asked
    for "nama". The handout is the Indonesian scenario whatever the page's language: the link says so."""
    from grader.commands.form import ROSTER_ID_COLUMNS, ROSTER_NAME_COLUMNS
    trainer = app.test_client()
    log_in(trainer)
    html = trainer.get(f"/trainer/latihan/{code}?lang=en").get_data(as_text=True)
    assert "(a CSV with columns no and name)" in html and "nama" not in html
    assert "no" in ROSTER_ID_COLUMNS and "name" in ROSTER_NAME_COLUMNS
    assert "Handout (PDF, in Indonesian)" in html


def test_a_wrong_exercise_code_is_explained_in_english_without_the_servers_folders(app, client, isolated_data_dir):
    resp = client.post("/?lang=en", data={"csrf_token": csrf_of(client), "code": "ZZZZZZ", "trainee": "Ann",
                                          "photo_1": (io.BytesIO(jpeg_bytes()), "a.jpg")},
                       content_type="multipart/form-data")
    held = client.get(resp.location).get_data(as_text=True)
    assert "Exercise code ZZZZZZ was not found. Check the code on the handout." in held
    assert str(isolated_data_dir) not in held and "looked in" not in held
    trainer = app.test_client()
    log_in(trainer)
    waiting = trainer.get("/trainer/?lang=en").get_data(as_text=True)        # the trainer's list of held uploads
    assert "Exercise code ZZZZZZ was not found" in waiting and str(isolated_data_dir) not in waiting


def test_a_refused_dispute_says_what_to_write_in_english(client, code):
    resp = client.post("/?lang=en", data={"csrf_token": csrf_of(client), "code": code, "trainee": "Ann",
                                          "photo_1": (io.BytesIO(jpeg_bytes()), "a.jpg")},
                       content_type="multipart/form-data")
    from grader.web.testing import WRONG_FIELD
    client.post(resp.location + "/sanggah", data={"csrf_token": csrf_of(client), "field": WRONG_FIELD,
                                                  "written": "abc"})
    html = client.get(resp.location).get_data(as_text=True)
    assert (f"{WRONG_FIELD}: Write the number you wrote on the sheet (e.g. 47); or leave this box empty and a "
            "trainer will look at what you wrote.") in html
    assert "'abc'" not in html and "&#39;abc&#39;" not in html


def test_one_name_for_one_thing_in_english():
    """An "isian" is an entry on every English page (it was a "field" on some, an "entry" on others); the count of
    entries a trainer checks is headed as their status is labelled; and the exercise list's heading is not the
    page's heading again ("Exercises" / "Exercises")."""
    from grader.web.i18n_en import EN
    from grader.web.present import STATUS_LABELS
    english = [v for value in EN.values() for v in (value if isinstance(value, tuple) else (value,))]
    assert not [v for v in english if re.search(r"\bfields?\b", re.sub(r"\{field\}", "", v), re.I)]
    # (the class table heads the count with the status label itself; a section's badge says the same words)
    assert EN["perlu dicek"] == EN[STATUS_LABELS["review"]].lower()
    assert EN["Daftar latihan"] != EN["Latihan"]


def test_a_disputes_flashes_name_the_entry_in_english(client, code):
    from grader.web.testing import WRONG_FIELD
    from grader.exercise.store import load_key
    said = str(load_key(code).fields[WRONG_FIELD])        # the key's: the trainee wrote it, we misread it
    resp = client.post("/?lang=en", data={"csrf_token": csrf_of(client), "code": code, "trainee": "Ann",
                                          "photo_1": (io.BytesIO(jpeg_bytes()), "a.jpg")},
                       content_type="multipart/form-data")
    done = client.post(resp.location + "/sanggah", data={"csrf_token": csrf_of(client), "field": WRONG_FIELD,
                                                         "written": said})
    html = client.get(done.location).get_data(as_text=True)
    assert f"Thank you. Entry {WRONG_FIELD} will not count as wrong until a trainer has checked it." in html
    again = client.post(resp.location + "/sanggah", data={"csrf_token": csrf_of(client), "field": WRONG_FIELD,
                                                          "written": said})
    html = client.get(again.location).get_data(as_text=True)
    assert f"Entry {WRONG_FIELD} is already disputed" in html and f"{WRONG_FIELD}: Entry" not in html


def test_the_printed_sheet_says_in_english_what_the_page_says():
    """The printable sheet had words of its own in English: "right" and "trainer checks" where the page says
    "Correct" and "To check", "fields" for entries, "Ballot papers" for ballots, "IV. Votes" for the same
    "IV. Perolehan suara"; and it promised "Three things to fix" above one."""
    from grader.grading.report import SECTION, render_report
    from grader.grading.shown import STATUS_WORDS, TRAINEE_STATUS_WORDS
    from grader.web.i18n_en import EN
    from grader.web.present import SECTION_TITLES, STATUS_LABELS
    for status, (indonesian, english) in STATUS_WORDS.items():      # (the trainer's pages' words)
        assert (indonesian, english) == (STATUS_LABELS[status], EN[STATUS_LABELS[status]]), status
    for status, (indonesian, english) in TRAINEE_STATUS_WORDS.items():      # (the printed sheet's: report.py)
        assert english == EN[indonesian], status
    for sid, (indonesian, english) in SECTION.items():
        if indonesian == SECTION_TITLES[sid]:
            assert english == EN[indonesian], sid
    assert SECTION["II"][1] == EN[SECTION_TITLES["II"]]
    fix = {"message_id": "Isi X di kotak depan.", "message_en": "Fill the leading box with X.", "where": "Halaman 1",
           "where_en": "Page 1"}
    result = {"status": "graded", "score": 90, "trainee": "017", "exercise": "ABC123", "identity_source": "qr",
              "counts": {"ok": 9, "wrong": 1, "review": 1, "blank": 0, "unreadable": 0}, "pages": [], "rules": [],
              "findings": [], "top_fixes": [fix],
              "fields": [{"id": "II.1", "section": "II", "value": 5, "expected": 4, "status": "wrong"}]}
    english = render_report(result, lang="en")
    assert "What to fix" in english and "Three things" not in english
    assert "Correct 9 · Wrong 1 · Waiting for the trainer 1" in english and "Entries by section" in english
    assert "II. Ballots" in english and "<th>Read as</th>" in english
    body = english.split("</style>")[1]
    assert not re.search(r"\b(fields|right)\b", body, re.I) and "Trainer checks" not in body
    indonesian = render_report({**result, "top_fixes": [fix] * 3}, lang="id")
    assert "Tiga hal yang perlu diperbaiki" in indonesian and "Yang perlu" not in indonesian
    # h38b walkthrough: the broken rules' heading was "Aturan hitung yang tidak terpenuhi" / "Arithmetic rules not
    # met" on paper, "Aturan hitungan yang dilanggar" / "Arithmetic rules broken" on the page
    rule = {"id": "ballots", "status": "violated", "severity": "error", "message_id": "II.1 harus sama dengan ...",
            "message_en": "II.1 must equal ...", "fields": ["II.1"]}
    heading = "Aturan hitungan yang dilanggar"
    assert f"<h2>{heading}</h2>" in render_report({**result, "rules": [rule]}, lang="id")
    assert f"<h2>{EN[heading]}</h2>" in render_report({**result, "rules": [rule]}, lang="en")
    from pathlib import Path
    import grader.web
    assert heading in (Path(grader.web.__file__).parent / "templates" / "_result.html").read_text()

def test_the_printed_sheet_says_which_entries_a_trainer_corrected():
    """h38b walkthrough: a value the trainer corrected was printed under "Terbaca" ("Read as") like any reading, while
    the page marks it "✎ trainer". The printed sheet says it was corrected by the trainer, in both languages."""
    from grader.grading.report import render_report
    fields = [{"id": "IV.1.bubbles", "section": "IV", "value": 71, "expected": 71, "status": "ok",
               "corrected_by": "Ibu Sari", "corrected_at": "2026-12-05T10:00:00"},
              {"id": "IV.2", "section": "IV", "value": 54, "expected": 54, "status": "ok", "corrected_by": None}]
    result = {"status": "graded", "score": 100, "trainee": "069", "exercise": "ABC123", "identity_source": "qr",
              "counts": {"ok": 2, "wrong": 0, "review": 0, "blank": 0, "unreadable": 0}, "pages": [], "rules": [],
              "findings": [], "top_fixes": [], "fields": fields}
    for lang, said in (("id", "dikoreksi pelatih"), ("en", "corrected by the trainer")):
        page = render_report(result, lang=lang)
        rows = re.findall(r"<tr><td>([^<]+)</td>.*?</tr>", page, re.S)
        assert page.count(said) == 1, lang
        corrected = re.search(r"<tr><td>IV\.1 (?:bulatan|bubbles)</td>.*?</tr>", page, re.S).group(0)
        assert said in corrected and rows


def test_the_printed_sheet_says_checked_not_corrected_where_the_trainer_kept_the_reading():
    """Trainer walk-through: the trainer pressed Enter on a field read 307 (unsure) and answered a trainee's dispute
    by keeping the 127 read; the printed feedback said "✎ corrected by the trainer" beside both, as if the trainer had
    changed what the trainee wrote. A value kept as read says "checked by the trainer"; one changed, "corrected"."""
    import copy
    from grader.grading.report import render_report
    from grader.web.corrections import apply_corrections

    class Regrade:
        def regrade(self, result, corrections, key, disputed=(), said=None):
            new = copy.deepcopy(result)
            for f in new["fields"]:
                if f["id"] in corrections:
                    f["value"] = corrections[f["id"]]
                    f["status"] = "ok" if f["value"] == f["expected"] else "wrong"
            return new

    fields = [{"id": "II.1", "section": "II", "value": 307, "expected": 307, "status": "review", "corrected_by": None},
              {"id": "I.B.1.P", "section": "I", "value": 100, "expected": 105, "status": "review", "corrected_by": None}]
    result = {"status": "graded", "score": 100, "trainee": "069", "exercise": "ABC123", "identity_source": "qr",
              "counts": {"ok": 0, "wrong": 0, "review": 2, "blank": 0, "unreadable": 0}, "pages": [], "rules": [],
              "findings": [], "top_fixes": [], "fields": fields}
    graded = apply_corrections(Regrade(), result, {"II.1": (307, "Bu Sari", "t"), "I.B.1.P": (105, "Bu Sari", "t")},
                               key=object())
    for lang, checked, corrected in (("id", "diperiksa pelatih", "dikoreksi pelatih"),
                                     ("en", "checked by the trainer", "corrected by the trainer")):
        page = render_report(graded, lang=lang)
        kept = re.search(r"<tr><td>II\.1</td>.*?</tr>", page, re.S).group(0)
        changed = re.search(r"<tr><td>I\.B\.1\.P</td>.*?</tr>", page, re.S).group(0)
        assert checked in kept and corrected not in kept, lang
        assert corrected in changed and checked not in changed, lang


def test_counts_of_one_are_singular_in_english(app, client, code):
    """'1 pairs', '1 trainees graded', '1 entries waiting to be checked are': English has a singular."""
    from grader.web.i18n import gettext
    with app.test_request_context("/?lang=en"):
        app.preprocess_request()
        assert gettext("{n} paslon", n=1) == "1 pair" and gettext("{n} paslon", n=3) == "3 pairs"
        assert gettext("{n} peserta dinilai", n=1) == "1 trainee graded"
    with app.test_request_context("/"):
        app.preprocess_request()
        assert gettext("{n} paslon", n=1) == "1 paslon"
    resp = client.post("/?lang=en", data={"csrf_token": csrf_of(client), "code": code, "trainee": "Ann",
                                          "photo_1": (io.BytesIO(jpeg_bytes()), "a.jpg")},
                       content_type="multipart/form-data")
    result = client.get(resp.location).get_data(as_text=True)       # the fake pipeline leaves one entry unsure
    assert "1 entry waiting for the trainer is not counted in the score yet; it may change once the trainer checks " \
           "it." in result
    trainer = app.test_client()
    log_in(trainer)
    token = csrf_of(trainer, "/trainer/")
    created = trainer.post("/trainer/latihan", data={"csrf_token": token, "contest": "bupati", "pairs": "1"})
    exercise = trainer.get(created.location + "?lang=en").get_data(as_text=True)
    assert " · 1 pair · " in exercise and "1 pairs" not in exercise
    assert "1 trainee graded" in trainer.get(f"/trainer/latihan/{code}/wawasan").get_data(as_text=True)
    review = trainer.get(f"/trainer/latihan/{code}/periksa").get_data(as_text=True)
    assert 'data-more-text="{n} more entries now need checking; reload the page"' in review
    assert 'data-more-text-one="1 more entry now needs checking; reload the page"' in review


def test_the_printed_sheet_says_a_fix_once():
    """A fix the sheet lists under "What to fix" was printed again under "Notes" (the page leaves it out there)."""
    from grader.grading.report import render_report
    fix = {"message_id": "Kotak depan dibiarkan kosong (I.A.3.J).", "message_en": "Leading box left blank (I.A.3.J).",
           "where": "Halaman 1", "where_en": "Page 1"}
    other = {"message_id": "Paslon 1: turus 71, bulatan 571.", "message_en": "Pair 1: tally 71, bubbles 571.",
             "severity": "review"}
    result = {"status": "graded", "score": 100, "trainee": "017", "exercise": "ABC123", "identity_source": "qr",
              "counts": {"ok": 9, "wrong": 0, "review": 1, "blank": 0, "unreadable": 0}, "pages": [], "rules": [],
              "findings": [{**fix, "severity": "warning"}, other], "top_fixes": [fix], "fields": []}
    english = render_report(result, lang="en")
    assert english.count("Leading box left blank") == 1 and "Other notes" in english and "Pair 1: tally" in english
    alone = render_report({**result, "findings": [{**fix, "severity": "warning"}]}, lang="en")
    assert "Other notes" not in alone and "Notes" not in alone


def test_the_overwritten_boxes_finding_gives_the_same_advice_in_english():
    """Its Indonesian says how to correct a box (correction fluid, then write again clearly); the English only said
    that a trainer will check."""
    from types import SimpleNamespace

    from grader.grading.findings import NOTE_OVERWRITTEN, conventions
    reading = SimpleNamespace(id="II.1", notes=(NOTE_OVERWRITTEN,), value=188, boxes=("1", "8", "8"),
                              box_confidence=(0.9, 0.9, 0.9))
    [finding] = conventions(None, {"II.1": reading})
    assert "cairan koreksi" in finding.message_id and "correction fluid" in finding.message_en


def test_a_sheet_being_graded_is_not_labelled_graded_in_english(app):
    """The class table and a batch's rows said "Graded" for a sheet still being graded; and Indonesian said
    "Dinilai" for both, which a trainee reads as done (helper-143): now "Sedang dinilai"."""
    from grader.web.present import status_label
    with app.test_request_context("/?lang=en"):
        app.preprocess_request()
        assert status_label("running") == "Being graded" and status_label("graded") == "Graded"
    with app.test_request_context("/"):
        app.preprocess_request()
        assert status_label("running") == "Sedang dinilai" and status_label("graded") == "Dinilai"


def test_a_batchs_one_sheet_of_another_exercise_is_graded_as_it_not_them_all(app, code):
    import json

    from grader.exercise.store import exercises_dir
    from tests.test_web_trainer import batch
    key = json.loads((exercises_dir(app.config["DATA_DIR"]) / code / "answer_key.json").read_text())
    (exercises_dir(app.config["DATA_DIR"]) / "OTHER01").mkdir()
    (exercises_dir(app.config["DATA_DIR"]) / "OTHER01" / "answer_key.json").write_text(
        json.dumps({**key, "exercise": "OTHER01"}))
    trainer = app.test_client()
    log_in(trainer)
    page = trainer.get(batch(trainer, code, [("s_1_otherex.jpg", jpeg_bytes())]).location + "?lang=en")
    html = page.get_data(as_text=True)
    assert f"1 sheet in this upload was printed for exercise OTHER01, not {code}." in html
    assert "Grade it under exercise OTHER01" in html and "them all" not in html


def test_entry_labels_have_english_glosses_from_the_template(app, client, code):
    """QA: in English the result, the review queue and the fixes named each entry by its Indonesian label
    ("1. Pemilih dalam DPT (L)"); the template now carries an English gloss (label_en) beside what it prints."""
    from grader.grading.summary import _where
    from grader.sheet.layout import layout_sheet
    from grader.sheet.schema import resolve_template

    sheet = layout_sheet(resolve_template("chasil-kwk"), contest=None, pairs=2)
    fields = {f.id: f for p in sheet.pages for f in p.fields}
    assert (fields["I.A.1.L"].label, fields["I.A.1.L"].label_en) == ("1. Pemilih dalam DPT (L)",
                                                                      "1. Voters on the voter list (DPT) (L)")
    assert fields["IV.2.tally"].label_en == "Tally, Pair 2" and fields["IV.2.tally"].label == "Turus Paslon 2"
    graded = [f for f in fields.values() if f.graded and f.kind != "checkbox"]
    assert all(f.label_en for f in graded), [f.id for f in graded if not f.label_en]
    assert _where(sheet, "II.3") == {"where": "Halaman 1, II.3 (3. Surat suara rusak / keliru coblos)",
                                     "where_en": "Page 1, II.3 (3. Ballots damaged or spoiled)"}
    # and the pages show the gloss in English, the label in Indonesian
    resp = client.post("/?lang=en", data={"csrf_token": csrf_of(client), "code": code, "trainee": "Ann",
                                          "photo_1": (io.BytesIO(jpeg_bytes()), "a.jpg")},
                       content_type="multipart/form-data")
    assert 'id-inline">V.B</span>Entry V.B' in client.get(resp.location + "?lang=en").get_data(as_text=True)
    assert 'id-inline">V.B</span>Isian V.B' in client.get(resp.location + "?lang=id").get_data(as_text=True)
    trainer = app.test_client()
    log_in(trainer)
    assert "<code>V.B</code> Entry V.B<br>" in trainer.get(f"/trainer/latihan/{code}/periksa?lang=en").get_data(
        as_text=True)


def test_every_page_has_a_title_of_its_own_in_both_languages(app, client, code):
    """Almost every page's <title> was the generic "Latihan C.Hasil": a phone's tabs and history, and a trainer's
    browser with the class table, the review queue and three sheets open, showed one name for all of them."""
    from grader.web.db import connect
    from tests.test_web_trainer import batch

    sent = client.post("/", data={"csrf_token": csrf_of(client), "code": code, "trainee": "Ann",
                                  "photo_1": (io.BytesIO(jpeg_bytes()), "a.jpg")}, content_type="multipart/form-data")
    held = client.post("/", data={"csrf_token": csrf_of(client), "code": "ZZZZZZ", "trainee": "Ann",
                                  "photo_1": (io.BytesIO(jpeg_bytes()), "a.jpg")}, content_type="multipart/form-data")
    trainer = app.test_client()
    log_in(trainer)
    batch_page = batch(trainer, code, [("017_1.jpg", jpeg_bytes())]).location
    queued = client.post("/", data={"csrf_token": csrf_of(client), "code": code, "trainee": "Budi",
                                    "photo_1": (io.BytesIO(jpeg_bytes()), "b.jpg")},
                         content_type="multipart/form-data").location
    conn = connect(app.config["DATABASE"])
    with conn:
        # (queued as just sent: no result yet; a sheet graded before and queued again is "Sedang dinilai ulang…")
        conn.execute("UPDATE submissions SET state='queued', result_status=NULL WHERE token=?",
                     (queued.rsplit("/", 1)[1],))
    conn.close()
    pages = {   # address: (the title in Indonesian, in English), before " — Latihan C.Hasil" / " — C.Hasil practice"
        (client, "/"): ("Kirim foto", "Send a photo"),
        (client, sent.location): ("Hasil Ann", "Result for Ann"),
        (client, queued): ("Sedang dinilai…", "Grading…"),
        (client, held.location): ("Periksa kode latihan", "Check the exercise code"),
        (client, "/forms/"): ("Lembar latihan", "Practice sheets"),
        (client, "/tidak-ada"): ("Kesalahan 404", "Error 404"),
        (app.test_client(), "/trainer/masuk"): ("Masuk sebagai pelatih", "Trainer log in"),
        (trainer, "/trainer/"): ("Latihan", "Exercises"),
        (trainer, f"/trainer/latihan/{code}"): (f"Latihan {code}", f"Exercise {code}"),
        (trainer, batch_page): (f"Penilaian banyak lembar {code}", f"Batch grading {code}"),
        (trainer, f"/trainer/latihan/{code}/hasil"): (f"Hasil kelas {code}", f"Class results {code}"),
        (trainer, f"/trainer/latihan/{code}/periksa"): (f"Antrean periksa {code}", f"Review queue {code}"),
        (trainer, f"/trainer/latihan/{code}/wawasan"): (f"Rekap kelas {code}", f"Class insight {code}"),
        (trainer, "/trainer/lembar/1"): (f"Lembar Ann · {code}", f"Sheet Ann · {code}"),
        (trainer, f"/trainer/latihan/{code}/layar"): (f"Kirim foto · {code}", f"Send a photo · {code}"),
    }
    for (who, address), (indonesian, english) in pages.items():
        for lang, title, app_name in (("id", indonesian, "Latihan C.Hasil"), ("en", english, "C.Hasil practice")):
            html = who.get(f"{address}{'&' if '?' in address else '?'}lang={lang}").get_data(as_text=True)
            shown = re.search(r"<title>(.*?)</title>", html, re.S).group(1)
            assert shown == f"{title} — {app_name}", (address, lang, shown)


def visible_text(html: str) -> str:
    """What a reader sees of ``html``: its text, without the tags, their attributes, scripts and styles."""
    import html as entities
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return entities.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


#: the codes a result and a sheet's state are stored with; a page says them in words
CODE_WORDS = ("error", "warning", "review", "cross_check", "convention", "too_slow")


def test_code_words_reach_no_page_a_finding_is_badged_in_the_pages_language(app, client, code):
    """The "Other notes" of a result badged each finding with its severity: "error" and "warning" on an English
    page (the codes themselves), "salah" and "peringatan" in lower case beside "Perlu dicek"; an unknown severity read
    "peringatan". A failed sheet said its error code, "(too_slow)", after its reason."""
    import json

    from grader.web.db import connect
    sent = client.post("/", data={"csrf_token": csrf_of(client), "code": code, "trainee": "Ann",
                                  "photo_1": (io.BytesIO(jpeg_bytes()), "a.jpg")}, content_type="multipart/form-data")
    conn = connect(app.config["DATABASE"])
    res = json.loads(conn.execute("SELECT result FROM submissions WHERE id=1").fetchone()["result"])
    res["findings"] = [{"kind": kind, "severity": severity, "message_id": f"Temuan {n}.", "message_en": f"Finding {n}.",
                        "fields": ["II.1"]}
                       for n, (kind, severity) in enumerate([("cross_check", "error"), ("convention", "warning"),
                                                             ("cross_check", "review"), ("convention", "info")])]
    with conn:
        conn.execute("UPDATE submissions SET result=? WHERE id=1", (json.dumps(res),))
    trainer = app.test_client()
    log_in(trainer)
    badges = {"id": ["Salah", "Peringatan", "Perlu dicek", "Catatan"], "en": ["Wrong", "Warning", "To check", "Note"]}
    # (the trainee's page says a finding left for the trainer waits for the trainer: helper-143, s47)
    trainees = {"id": "Menunggu pelatih", "en": "Waiting for the trainer"}
    for lang, words in badges.items():
        for who, address in ((client, sent.location), (trainer, "/trainer/lembar/1")):
            html = who.get(f"{address}?lang={lang}").get_data(as_text=True)
            notes = html.split("<h2>" + ("Catatan lain" if lang == "id" else "Other notes"))[1].split("</ul>")[0]
            shown = [trainees[lang] if who is client and w == words[2] else w for w in words]
            assert re.findall(r'<span class="badge [a-z]+">([^<]*)</span>', notes) == shown, (address, lang)
            assert not re.findall(rf"\b({'|'.join(CODE_WORDS)})\b", visible_text(html)), (address, lang)
    with conn:
        conn.execute("UPDATE submissions SET state='failed', error_code='too_slow', "
                     "error_id='Penilaian terlalu lama.', error_en='Grading took too long.' WHERE id=1")
    conn.close()
    for lang in ("id", "en"):
        failed = visible_text(trainer.get(f"/trainer/lembar/1?lang={lang}").get_data(as_text=True))
        assert ("Penilaian terlalu lama." if lang == "id" else "Grading took too long.") in failed
        assert not re.findall(rf"\b({'|'.join(CODE_WORDS)})\b", failed), lang


def test_a_trainer_logged_out_is_told_so_in_the_pages_language(app, code):
    """The review queue saves with a script: a trainer who had logged out in another tab was told the server's
    "login required" beside the field, in English on an Indonesian page."""
    trainer = app.test_client()
    log_in(trainer)
    token = csrf_of(trainer, "/trainer/")
    trainer.post("/trainer/keluar", data={"csrf_token": token})
    for lang, said in (("id", "Anda belum masuk sebagai pelatih. Masuk lagi, lalu coba lagi."),
                       ("en", "You are not logged in as a trainer. Log in again, then try again.")):
        answer = trainer.post(f"/trainer/lembar/1/koreksi?lang={lang}", data={"field": "V.B", "value": "5"},
                              headers={"X-Requested-With": "fetch", "X-CSRF-Token": token})
        assert answer.status_code == 401 and answer.get_json()["message"] == said


@pytest.mark.parametrize("lang, boxes, said", [
    ("id", [2], "kami belum yakin membaca kotak ke-3"), ("id", [2, 0], "kami belum yakin membaca kotak ke-1 dan 3"),
    ("id", [0, 1, 2], "kami belum yakin membaca kotak ke-1, 2 dan 3"),
    ("id", [], "ada kotak yang belum kami baca dengan yakin"), ("en", [1], "we are not sure how to read box 2"),
    ("en", [0, 2], "we are not sure how to read boxes 1 and 3"), ("en", [], "we could not read a box surely")])
def test_an_unsure_box_is_named_where_the_reader_said_which(app, lang, boxes, said):
    """A trainer looks at the box we were unsure of first; a result stored without the list keeps the general words."""
    from grader.web.present import note_text
    with app.test_request_context(f"/?lang={lang}"):
        from flask import g
        g.lang = lang
        assert note_text(["unsure_box", "overwritten_box"], boxes).split("; ")[0] == said
