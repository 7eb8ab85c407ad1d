"""A pair's tally and bubbles fields as people read them: "IV.1 turus", "IV.1 bulatan" ("IV.1 tally", "IV.1 bubbles"
in English), never the codes ``IV.1.tally`` and ``IV.1.bubbles`` (walkthrough: the field table's Kotak column, the
fixes, the printable sheet, the review queue and the dispute message showed the code). The codes stay in form
values, URLs, data attributes, JSON and the exports' code columns."""
import csv
import html as html_lib
import io
import json
import re

import pytest

from grader.web.testing import csrf_of, jpeg_bytes, log_in

TALLY, BUBBLES = "IV.1.tally", "IV.1.bubbles"
#: A fix as results stored before ids were worded say it.
OLD_FIX = {"message_id": "Turus Paslon 1: tertulis 12, seharusnya 11.",
           "message_en": "Tally, Pair 1: written 12, expected 11.",
           "where": f"Halaman 2, {TALLY} (Turus Paslon 1)", "where_en": f"Page 2, {TALLY} (Tally, Pair 1)"}


def visible(page: str) -> str:
    """The text a person sees: no tags (so no attributes: form values, data-field, URLs), no script or style."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    return html_lib.unescape(re.sub(r"<[^>]+>", " ", page))


@pytest.fixture
def trainer(app):
    client = app.test_client()
    assert log_in(client).status_code == 302
    return client


def sheet_with_a_pair_in_trouble(app, client, code, *, status="graded") -> str:
    """A graded sheet (fake pipeline) whose stored result has Paslon 1's tally wrong and its bubbles in review, with
    a fix stored before ids were worded; returns its result page's address."""
    resp = client.post("/", data={"csrf_token": csrf_of(client), "code": code, "trainee": "Ani",
                                  "photo_1": (io.BytesIO(jpeg_bytes()), "ani_1.jpg")},
                       content_type="multipart/form-data")
    assert resp.status_code == 302
    from grader.web.db import connect
    conn = connect(app.config["DATABASE"])
    try:
        sid, text = conn.execute("SELECT id, result FROM submissions ORDER BY id DESC LIMIT 1").fetchone()
        res = json.loads(text)
        common = {"page": 2, "section": "IV", "boxes": [], "crop": None, "corrected_by": None, "corrected_at": None}
        res["fields"] += [
            {**common, "id": TALLY, "kind": "tally", "label": "Turus Paslon 1", "label_en": "Tally, Pair 1",
             "value": 12, "expected": 11, "confidence": 0.99, "status": "wrong", "notes": []},
            {**common, "id": BUBBLES, "kind": "bubbles", "label": "Bulatan Paslon 1", "label_en": "Bubbles, Pair 1",
             "value": None, "expected": 11, "confidence": 0.3, "status": "review", "notes": ["none_filled"]}]
        res["top_fixes"] = [OLD_FIX]
        res["status"] = status
        with conn:
            conn.execute("UPDATE submissions SET result=?, result_original=? WHERE id=?",
                         (json.dumps(res), json.dumps(res), sid))
    finally:
        conn.close()
    return resp.location


def test_field_name_words_a_pairs_tally_and_bubbles_and_leaves_other_ids_alone():
    from grader.grading.shown import field_name, field_names_in
    assert (field_name(TALLY), field_name(BUBBLES)) == ("IV.1 turus", "IV.1 bulatan")
    assert (field_name(TALLY, "en"), field_name("IV.KK.bubbles", "en")) == ("IV.1 tally", "IV.KK bubbles")
    assert [field_name(i) for i in ("IV.1", "I.A.1.L", "V.C", "")] == ["IV.1", "I.A.1.L", "V.C", ""]
    assert field_names_in("Ada 3 isian kosong (IV.1.tally, IV.2, IV.KK.bubbles).") == \
        "Ada 3 isian kosong (IV.1 turus, IV.2, IV.KK bulatan)."


def test_a_fix_stored_before_reads_as_one_written_today():
    from grader.grading.summary import fix_as_worded_now
    blanks = {"message_id": f"Ada 2 isian kosong ({TALLY}, IV.2).", "message_en": f"2 fields left blank ({TALLY}, "
              "IV.2).", "where": f"Halaman 2, {TALLY} (Turus Paslon 1)", "where_en": f"Page 2, {TALLY} (Tally, Pair 1)"}
    now = fix_as_worded_now(blanks)
    assert now == {"message_id": "Ada 2 isian kosong (IV.1 turus, IV.2).",
                   "message_en": "2 fields left blank (IV.1 tally, IV.2).",
                   "where": "Halaman 2, IV.1 turus: Turus Paslon 1", "where_en": "Page 2, IV.1 tally: Tally, Pair 1"}
    assert fix_as_worded_now(now) == now


def test_the_result_page_says_the_place_in_words_in_each_language(app, client, code):
    url = sheet_with_a_pair_in_trouble(app, client, code)
    page = client.get(url).get_data(as_text=True)
    seen = visible(page)
    assert "IV.1 turus" in seen and "IV.1 bulatan" in seen and TALLY not in seen and BUBBLES not in seen
    assert "— Halaman 2, IV.1 turus" in seen            # the stored fix, in today's words (its label said once)
    assert "turus)" not in seen and "(Halaman" not in seen
    assert 'aria-label="Yang saya tulis di IV.1 turus"' in page           # a screen reader hears the words too
    assert f'name="field" value="{TALLY}"' in page and f'id="f-{TALLY}"' in page     # the code stays in the form
    english = visible(client.get(url + "?lang=en").get_data(as_text=True))
    assert "IV.1 tally" in english and "IV.1 bubbles" in english and "— Page 2, IV.1 tally" in english
    assert TALLY not in english and "IV.1 turus" not in english


def test_the_printable_sheet_says_the_place_in_words_and_the_pages_status_words(app, client, code):
    url = sheet_with_a_pair_in_trouble(app, client, code, status="partial")
    printed = visible(client.get(url + "/cetak").get_data(as_text=True))
    assert "IV.1 turus" in printed and "IV.1 bulatan" in printed and TALLY not in printed and BUBBLES not in printed
    assert "— Halaman 2, IV.1 turus" in printed and "(Turus Paslon 1)" not in printed
    # the web page's own words for a sheet and an entry (present.STATUS_LABELS), not words of its own
    assert "Sebagian" in printed and "Tidak terbaca 0" in printed
    assert "Dinilai sebagian" not in printed and "Tak terbaca" not in printed
    english = visible(client.get(url + "/cetak?lang=en").get_data(as_text=True))
    assert "IV.1 tally" in english and "Page 2, IV.1 tally" in english and TALLY not in english
    assert "Partial" in english and "Partly graded" not in english


def test_the_dispute_the_review_queue_and_the_corrections_name_the_place_in_words(app, client, trainer, code):
    url = sheet_with_a_pair_in_trouble(app, client, code)
    done = client.post(url + "/sanggah", data={"csrf_token": csrf_of(client, url), "field": TALLY, "written": "11"})
    said = visible(client.get(done.location).get_data(as_text=True))
    assert "Isian IV.1 turus tidak dihitung salah" in said and TALLY not in said
    again = client.post(url + "/sanggah", data={"csrf_token": csrf_of(client, url), "field": TALLY, "written": "11"})
    said = visible(client.get(again.location).get_data(as_text=True))
    assert "Isian IV.1 turus sudah disanggah" in said and "IV.1 turus: Isian" not in said and TALLY not in said

    queue = trainer.get(f"/trainer/latihan/{code}/periksa").get_data(as_text=True)
    seen = visible(queue)
    assert "IV.1 turus" in seen and "IV.1 bulatan" in seen and TALLY not in seen and BUBBLES not in seen
    assert f'data-field="{TALLY}" data-field-name="IV.1 turus"' in queue     # the code for the script, the words

    sid = re.search(r'action="/trainer/lembar/(\d+)/koreksi"', queue).group(1)
    back = f"/trainer/lembar/{sid}"
    fixed = trainer.post(f"/trainer/lembar/{sid}/koreksi", data={"csrf_token": csrf_of(trainer, back),
                                                                 "field": BUBBLES, "value": "11", "back": back})
    sheet = visible(trainer.get(fixed.location).get_data(as_text=True))
    assert "Koreksi IV.1 bulatan disimpan." in sheet and BUBBLES not in sheet and TALLY not in sheet
    english = visible(trainer.get(f"/trainer/latihan/{code}/periksa?lang=en").get_data(as_text=True))
    assert "IV.1 tally" in english and TALLY not in english


def test_the_entries_export_words_the_place_and_keeps_the_id_as_its_code(app, client, trainer, code):
    sheet_with_a_pair_in_trouble(app, client, code)
    text = trainer.get(f"/trainer/latihan/{code}/ekspor/isian.csv").data.decode("utf-8-sig")
    rows = {r["Isian (kode)"]: r for r in csv.DictReader(io.StringIO(text))}
    assert (rows[TALLY]["Isian"], rows[BUBBLES]["Isian"], rows["II.3"]["Isian"]) == ("IV.1 turus", "IV.1 bulatan",
                                                                                     "II.3")
    english = trainer.get(f"/trainer/latihan/{code}/ekspor/isian.csv?lang=en").data.decode("utf-8-sig")
    assert {r["Entry"] for r in csv.DictReader(io.StringIO(english)) if r["Entry (code)"] == TALLY} == {"IV.1 tally"}
