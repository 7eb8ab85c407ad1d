"""Batch grading from the command line: folders and zips in, one row per sheet out, nothing stops the batch."""
import csv
import io
import json
import os
import re
import shutil
import zipfile
from dataclasses import replace
from pathlib import Path

import cv2
import numpy as np
import pytest

from grader.batch import OUTPUT_MARK, iter_inputs
from grader.cli import main
from grader.commands.grade import PARTIAL_NOTE, PROVISIONAL_NOTE
from grader.exercise.store import load_key
from grader.file_names import trainee_from_filename
from grader.grading.report import render_report
from grader.grading.feedback_files import CROP_MARGIN_MM
from grader.pipeline import grade_upload, regrade
from tests.test_web_trainer import zip_of

SAMPLES = Path(__file__).resolve().parents[1] / "sample_scans"


def sample(name):
    return SAMPLES / name


def truth(name):
    return json.loads(sample(name.rsplit(".", 1)[0] + ".truth.json").read_text())


def first_sheet():
    t = truth("s0001-p1.jpg")
    return t["exercise"], ["s0001-p1.jpg", "s0001-p2.jpg"]


def test_batch_from_a_zip_and_files_gives_one_row_per_sheet(tmp_path, capsys, caplog):
    code, names = first_sheet()
    z = tmp_path / "chat-export.zip"
    with zipfile.ZipFile(z, "w") as zf:
        for n in names:
            zf.writestr(f"WhatsApp Media/{n}", sample(n).read_bytes())
        zf.writestr("../../evil.jpg", b"\xff\xd8 not really")           # path traversal: skipped, reported
        zf.writestr("notes.jpg", b"this is not a photo")
    blurry = tmp_path / "r000-too_blurry.jpg"
    blurry.write_bytes(sample("r000-too_blurry.jpg").read_bytes())
    out = tmp_path / "class.csv"
    key_dir = SAMPLES / "keys" / code
    with caplog.at_level("WARNING", logger="grader.batch"):
        assert main(["grade", str(z), str(blurry), "--key", str(key_dir), "--csv", str(out), "-j", "2",
                     "--out", str(tmp_path / "feedback")]) == 0
    rows = list(csv.DictReader(out.open(encoding="utf-8-sig")))
    err = capsys.readouterr().err        # fields left to review are said to be out of the scores
    assert ("left to review: they are not in the scores" in err) == any(int(r["review"]) for r in rows)
    sheet = next(r for r in rows if names[0] in r["files"])
    t = truth(names[0])
    expected_who = {"qr": t["trainee"].zfill(3), "trainee_number": t["trainee"].zfill(3), "filename": "s0001"}
    assert sheet["trainee"] == expected_who[sheet["trainee_source"]]
    assert sheet["trainee_source"] == ("qr" if t["personalised"] else sheet["trainee_source"])
    assert sheet["status"] == "graded" and float(sheet["score"]) > 0
    assert sheet["files"].count(";") == 1           # both pages combined into one sheet
    refused = {r["refusal"].split("=")[-1] for r in rows if r["refusal"]}
    # a refused sheet has no counts (helper-141: its zeros read as a sheet without a mistake), as in the web's table
    assert all((r["wrong"], r["review"], r["blank"], r["unreadable"]) == ("", "", "", "") for r in rows
               if r["status"] == "refused") and any(r["status"] == "refused" for r in rows)
    assert {"too_blurry", "not_an_image"} <= refused
    assert not any("evil.jpg" in r["files"] for r in rows), "a skipped zip member is no sheet"
    assert f"skipped {z}:../../evil.jpg [zip_path_traversal]" in caplog.text
    fields = list(csv.DictReader((tmp_path / "class-fields.csv").open(encoding="utf-8-sig")))
    assert {f["field"] for f in fields if f["trainee"] == sheet["trainee"]} >= {"I.A.1.L", "IV.1", "IV.1.tally", "V.C"}
    assert all(f["notes"] for f in fields if f["status"] == "review")       # every doubt says why
    report = next((tmp_path / "feedback").glob(f"{sheet['trainee']}*-feedback.html")).read_text()
    assert "perlu diperbaiki" in report and code in report
    assert re.search(r"identitas dari (kode QR|nomor peserta di lembar|nama berkas)\)", report)   # in words
    assert "· Status: Dinilai" in report and "<th>Seharusnya</th>" in report
    assert (tmp_path / "feedback" / sheet["trainee"] / "page2.jpg").exists()


def test_a_personalised_sheets_feedback_is_named_by_its_trainee_and_the_name_its_qr_carries(tmp_path):
    """helper-89's rehearsal: ``--out`` named a roster's sheets "1".."8", which a trainer cannot match to anyone
    without the roster; the QR carries the name too, and the CSV left it out."""
    t = truth("s0002-p1.jpg")
    assert t["personalised"] and t["trainee_name"]
    out = tmp_path / "kelas.csv"
    assert main(["grade", str(sample("s0002-p1.jpg")), str(sample("s0002-p2.jpg")), "--key",
                 str(SAMPLES / "keys" / t["exercise"]), "--csv", str(out), "--out", str(tmp_path / "umpan")]) == 0
    [row] = list(csv.DictReader(out.open(encoding="utf-8-sig")))
    assert (row["trainee"], row["trainee_name"], row["trainee_source"]) == (t["trainee"], t["trainee_name"], "qr")
    folder = f"{t['trainee']}_{t['trainee_name'].replace(' ', '_')}"        # "110_Yanti_Marpaung"
    assert sorted(p.name for p in (tmp_path / "umpan").iterdir()) == [OUTPUT_MARK, folder, f"{folder}-feedback.html"]
    report = (tmp_path / "umpan" / f"{folder}-feedback.html").read_text(encoding="utf-8")
    assert f'src="{folder}/ident1.png"' in report and (tmp_path / "umpan" / folder / "page1.jpg").is_file()


def test_a_trainee_number_from_a_qr_is_written_as_the_sheets_boxes_hold_it():
    """Rehearsal (helper-141): trainee 81's sheet read "081" from its boxes, and their personalised retake "81" from
    its QR: two trainees in a CLI batch's rows and feedback files, and a name that changed between the web's exports.
    A number is written as the three boxes hold it, whichever told it."""
    from grader.page_groups import number_text
    t = truth("s0010-p1.jpg")
    assert t["personalised"] and t["trainee"] == "27"
    res = grade_upload([(str(sample(f"s0010-p{n}.jpg")), sample(f"s0010-p{n}.jpg").read_bytes()) for n in (1, 2)],
                       key=load_key(str(SAMPLES / "keys" / t["exercise"])))
    assert (res["trainee"], res["identity_source"]) == ("027", "qr")
    assert [number_text(x) for x in (81, "81", "081", "0081", " 7 ", "Budi", "1234")] == [
        "081", "081", "081", "081", "007", "Budi", "1234"]


def test_a_personalised_sheet_refused_as_another_exercises_still_names_its_trainee():
    """Rehearsal (helper-141): Dewi Nasution's named sheet graded against another exercise's key was refused as
    "043, from the number on the sheet": the QR's name was lost with the page, and the trainer could not see whose
    sheet needed the right code."""
    t = truth("s0010-p1.jpg")
    other = next(k for k in sorted(p.name for p in (SAMPLES / "keys").iterdir()) if k != t["exercise"])
    res = grade_upload([(str(sample(f"s0010-p{n}.jpg")), sample(f"s0010-p{n}.jpg").read_bytes()) for n in (1, 2)],
                       key=load_key(str(SAMPLES / "keys" / other)))
    assert res["status"] == "refused" and {p["refusal"]["code"] for p in res["pages"]} == {"wrong_exercise"}
    assert (res["trainee"], res["trainee_name"], res["identity_source"]) == ("027", t["trainee_name"], "qr")


def test_a_page_refused_once_its_qr_was_read_is_its_trainees_page_to_retake(tmp_path):
    """Rehearsal (helper-150): a class's photo of a personalised page 1 too dark to grade, its QR still readable,
    was a refused row of nobody's, and its trainee's page 2 a sheet told that no photo of page 1 was sent. The
    refusal now says which page it is and whose sheet, and a batch makes one sheet of the two: page 1 to retake."""
    import cv2
    import numpy as np

    from grader.batch import grade_batch
    from grader.pipeline import read_photo
    t = truth("s0010-p1.jpg")
    assert t["personalised"]
    dark = np.clip(cv2.imread(str(sample("s0010-p1.jpg"))).astype(np.float32) * 0.2, 0, 255).astype(np.uint8)
    (tmp_path / "IMG-20261206-WA0001.jpg").write_bytes(cv2.imencode(".jpg", dark)[1].tobytes())
    (tmp_path / "IMG-20261206-WA0002.jpg").write_bytes(sample("s0010-p2.jpg").read_bytes())
    pr = read_photo((tmp_path / "IMG-20261206-WA0001.jpg").read_bytes())
    assert pr.refusal.code == "too_dark" and pr.refused_page == 1 and pr.sheet_trainee == (t["trainee"],
                                                                                          t["trainee_name"])
    results = grade_batch([str(tmp_path)], key=load_key(str(SAMPLES / "keys" / t["exercise"])))
    assert len(results) == 1
    res = results[0]
    assert (res["trainee"], res["trainee_name"], res["status"]) == ("027", t["trainee_name"], "partial")
    assert [(p["page"], (p["refusal"] or {}).get("code")) for p in res["pages"]] == [(1, "too_dark"), (2, None)]


def test_a_refused_pages_qr_never_names_a_sheet_over_its_graded_pages_number_or_the_uploaders():
    """Read-through of fe40100: a page too dark to grade, its QR read, named the sheet over the number written on
    the page graded beside it and over the number the uploader typed: Yanti's dark page 1 beside Fitri's page 2
    (104 written, 104 typed) made Fitri's page Yanti's sheet, graded, by QR. No page was checked against the
    refused one (other_trainee is for pages read); its QR names a sheet nothing else names, as a batch's lone photo."""
    from grader.pipeline import grade_upload
    yanti, fitri = truth("s0002-p1.jpg"), truth("s0001-p2.jpg")
    assert yanti["personalised"] and not fitri["personalised"] and fitri["trainee"] == "104"
    dark = np.clip(cv2.imread(str(sample("s0002-p1.jpg"))).astype(np.float32) * 0.2, 0, 255).astype(np.uint8)
    photo = ("IMG-20261206-WA0001.jpg", cv2.imencode(".jpg", dark)[1].tobytes())
    key = load_key(str(SAMPLES / "keys" / fitri["exercise"]))
    for caller in (None, "104"):
        res = grade_upload([photo, ("IMG-20261206-WA0002.jpg", sample("s0001-p2.jpg").read_bytes())], key=key,
                           trainee=caller)
        # (refused as another trainee's page, as Yanti's page 1 photographed well beside it would be)
        assert [(p["page"], (p["refusal"] or {}).get("code")) for p in res["pages"]] == [(1, "other_trainee"),
                                                                                          (2, None)]
        assert (res["trainee"], res["trainee_name"], res["identity_source"]) == ("104", None, "trainee_number")
    res = grade_upload([photo], key=key)                     # (alone, it is still its QR's trainee's page)
    assert (res["trainee"], res["trainee_name"], res["identity_source"]) == ("110", yanti["trainee_name"], "qr")


def test_grade_lists_the_sheets_by_trainee_as_the_class_table_does(tmp_path):
    """Rehearsal (helper-141): the CLI's rows ran in file order, a class's refused r00x photos before everyone; the
    web's table and exports run by trainee. The CSV, the JSON and the terminal table all run by trainee now."""
    names = ["s0002-p1.jpg", "s0002-p2.jpg", "s0000-p1.jpg", "s0000-p2.jpg", "s0003-p1.jpg", "s0003-p2.jpg"]
    for n in names:
        (tmp_path / f"z{n}").write_bytes(sample(n).read_bytes())       # (file order: 0000, 0002, 0003)
    key = str(SAMPLES / "keys" / truth("s0000-p1.jpg")["exercise"])
    out = tmp_path / "kelas.csv"
    assert main(["grade", str(tmp_path), "--key", key, "--csv", str(out)]) == 0
    rows = list(csv.DictReader(out.open(encoding="utf-8-sig")))
    numbers = [int(r["trainee"]) for r in rows if r["trainee"].isdigit()]
    assert len(numbers) >= 2 and numbers == sorted(numbers), [r["trainee"] for r in rows]


def test_grade_refuses_bad_paths_before_reading_and_names_what_it_leaves_out(tmp_path, capsys, caplog):
    """QA: a --csv into a missing folder crashed after the whole batch (results lost); a typo or an empty folder
    exited 0; files that are not photos were left out without a word."""
    key = str(SAMPLES / "keys" / first_sheet()[0])
    photo = str(sample("r000-too_blurry.jpg"))
    cases = {"no such file or folder": [photo, str(tmp_path / "nope.jpg")],
             "is a folder; name a file": [photo, "--csv", str(tmp_path)],
             "that is a file; name a folder": [photo, "--out", photo],
             "cannot create that folder": [photo, "--out", photo + "/sub"],
             "cannot write": [photo, "--csv", "/proc/x.csv"],
             "cannot write in that folder": [photo, "--out", "/proc"]}    # review: a traceback after the batch
    for said, argv in cases.items():
        assert main(["grade", *argv, "--key", key]) == 2
        err = capsys.readouterr().err
        assert said in err and "Traceback" not in err and "graded" not in err      # refused before any reading
    (tmp_path / "empty").mkdir()
    assert main(["grade", str(tmp_path / "empty"), "--key", key, "--csv", str(tmp_path / "t.csv")]) == 2
    assert "no photos found" in capsys.readouterr().err
    assert not list(tmp_path.glob("t*.csv"))                  # no empty table left behind
    folder = tmp_path / "kelas"
    folder.mkdir()
    (folder / "catatan.docx").write_bytes(b"PK")
    (folder / "scan.pdf").write_bytes(b"%PDF-1.4 x")    # a PDF is read (a scanner's photos); this one is damaged
    with zipfile.ZipFile(folder / "chat.zip", "w") as zf:
        zf.writestr("inner.zip", b"PK")
        zf.writestr("_chat.txt", "hi")
        zf.writestr("budi_p1.jpg", sample("r000-too_blurry.jpg").read_bytes())
    with caplog.at_level("WARNING", logger="grader.batch"):
        assert main(["grade", str(folder), "--key", key]) == 0
    out, err = capsys.readouterr()
    assert "catatan.docx" in caplog.text and "chat.zip:_chat.txt" in caplog.text
    assert "scan.pdf: This PDF cannot be opened" in out
    assert "zip inside a zip" in caplog.text and "chat.zip:inner.zip" in caplog.text
    assert "chat.zip:budi_p1.jpg: The photo is too blurry" in out      # the reason in words


def test_grade_writes_its_tables_into_a_folder_it_makes_as_form_print_and_out_do(tmp_path, capsys):
    """`grader form print -o some/missing/dir/x.pdf` made the folders, and `grade --csv missing/dir/x.csv` (or --xlsx)
    refused them, even beside an --out that was about to make that folder. Every output's folder is made now, as an
    output folder is; a name refused is refused before any folder is made."""
    key = str(SAMPLES / "keys" / first_sheet()[0])
    photo = str(sample("r000-too_blurry.jpg"))
    new = tmp_path / "hasil" / "kelas-a"
    assert main(["grade", photo, "--key", key, "--csv", str(new / "kelas.csv"), "--out", str(new / "umpan-balik")]) == 0
    assert main(["grade", photo, "--key", key, "--xlsx", str(tmp_path / "x" / "kelas.xlsx")]) == 0
    assert "error" not in capsys.readouterr().err
    assert (new / "kelas.csv").is_file() and (new / "kelas-fields.csv").is_file()
    assert (tmp_path / "x" / "kelas.xlsx").is_file()
    for argv in (["--csv", str(tmp_path / "a" / "kelas.xlsx")], ["--xlsx", str(tmp_path / "b" / "kelas.csv")]):
        assert main(["grade", photo, "--key", key, *argv]) == 2
        assert "name a" in capsys.readouterr().err
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()


def test_files_it_skips_are_named_with_their_reason_and_are_no_sheets(tmp_path, capsys, caplog):
    """QA: an unsafe zip member (../evil.jpg), a zip that is not one and a notes.txt named on the command line were
    sheet rows, counted in 'graded N sheet(s)'; they are skipped files, each named in a warning."""
    key = str(SAMPLES / "keys" / first_sheet()[0])
    notes = tmp_path / "notes.txt"
    notes.write_text("catatan")
    bad = tmp_path / "broken.zip"
    bad.write_bytes(b"PK\x03\x04 not really a zip")
    chat = tmp_path / "chat.zip"
    with zipfile.ZipFile(chat, "w") as zf:
        zf.writestr("../evil.jpg", sample("r000-too_blurry.jpg").read_bytes())
        zf.writestr("budi_p1.jpg", sample("r000-too_blurry.jpg").read_bytes())
        zf.writestr(".budi_p2.jpg", sample("r000-too_blurry.jpg").read_bytes())     # a photo hidden: said, as the web does
        zf.writestr("__MACOSX/._budi_p1.jpg", b"\x00\x05\x16\x07")                   # macOS's resource fork: not said
    with caplog.at_level("WARNING", logger="grader.batch"):
        assert main(["grade", str(notes), str(bad), str(chat), "--key", key, "--json"]) == 0
    out, err = capsys.readouterr()
    assert [[p["file"] for p in r["pages"]] for r in json.loads(out)] == [[f"{chat}:budi_p1.jpg"]]
    assert "graded 1 sheet(s) (1 photo(s))" in err
    assert f"skipped {chat}:../evil.jpg [zip_path_traversal]" in caplog.text
    assert f"skipped {chat}:.budi_p2.jpg [zip_hidden]: A hidden photo" in caplog.text and "MACOSX" not in caplog.text
    assert f"skipped {bad} [bad_zip]: not a readable zip file" in caplog.text
    assert "not photos" in caplog.text and str(notes) in caplog.text
    # alone, a file that is not a photo grades nothing: exit 2 with the reason, no "graded 1 sheet(s)"
    assert main(["grade", str(notes), "--key", key]) == 2
    err = capsys.readouterr().err
    assert f"no photos found in {notes}" in err and "graded" not in err and "Traceback" not in err


def test_a_linked_folder_in_the_class_folder_is_graded_and_a_broken_link_is_named(tmp_path, capsys, caplog):
    """A class folder holding a link to a trainee's folder elsewhere (`kelas/Budi -> /media/usb/Budi`) graded without
    Budi, said nothing and counted one sheet fewer (h41b); a broken link and a pipe named like photos were left out
    unsaid, though the README names every file it skips (`not_a_file`). A link back up (`a/atas -> ..`) must end."""
    elsewhere = tmp_path / "usb" / "Budi"
    elsewhere.mkdir(parents=True)
    (elsewhere / "hal1.jpg").write_bytes(sample("r000-too_blurry.jpg").read_bytes())
    kelas = tmp_path / "kelas"
    (kelas / "a").mkdir(parents=True)
    (kelas / "Budi").symlink_to(elsewhere, target_is_directory=True)
    (kelas / "a" / "atas").symlink_to("..", target_is_directory=True)
    (kelas / "a" / "andi_p1.jpg").write_bytes(sample("r001-too_dark.jpg").read_bytes())
    (kelas / "hilang.jpg").symlink_to(tmp_path / "nowhere.jpg")
    os.mkfifo(kelas / "pipa.jpg")
    with caplog.at_level("WARNING", logger="grader.batch"):
        assert main(["grade", str(kelas), "--key", str(SAMPLES / "keys" / first_sheet()[0]), "--json"]) == 0
    files = sorted(p["file"] for r in json.loads(capsys.readouterr().out) for p in r["pages"])
    assert files == [str(kelas / "Budi" / "hal1.jpg"), str(kelas / "a" / "andi_p1.jpg")]
    for left_out in ("hilang.jpg", "pipa.jpg"):
        assert f"skipped {kelas / left_out} [not_a_file]" in caplog.text


def test_a_batch_whose_photos_were_all_skipped_does_not_say_it_found_none(tmp_path, capsys):
    """A zip whose photos were all skipped as unsafe (h41b: ../ and absolute paths) ended with 'no photos found in
    evil.zip (looked for .avif .heic ... and .zip)', as if it held no photo, below the warnings naming four."""
    evil = tmp_path / "evil.zip"
    with zipfile.ZipFile(evil, "w") as zf:
        zf.writestr(zipfile.ZipInfo("../../budi_p1.jpg"), sample("r000-too_blurry.jpg").read_bytes())
        zf.writestr(zipfile.ZipInfo("/tmp/budi_p2.jpg"), sample("r000-too_blurry.jpg").read_bytes())
    key = str(SAMPLES / "keys" / first_sheet()[0])
    assert main(["grade", str(evil), "--key", key]) == 2
    err = capsys.readouterr().err
    assert f"no photo to grade in {evil}: every file in it was skipped, as the warnings above say" in err, err
    (tmp_path / "kosong").mkdir()
    assert main(["grade", str(tmp_path / "kosong"), "--key", key]) == 2
    assert f"no photos found in {tmp_path / 'kosong'} (looked for" in capsys.readouterr().err


def test_a_zip_member_is_named_with_its_folders_which_name_the_trainee(tmp_path):
    """QA: kelas/Lestari/hal1.jpg in a zip was reported as b3.zip:hal1.jpg, so the folder that names Lestari was
    lost and two trainees' hal1.jpg had one name."""
    from grader.batch import grade_batch
    z = tmp_path / "b3.zip"
    with zipfile.ZipFile(z, "w") as zf:       # refused photos: only their names can say whose they are
        zf.writestr("kelas/Lestari/hal1.jpg", sample("r000-too_blurry.jpg").read_bytes())
        zf.writestr("kelas/Lestari/hal2.jpg", sample("r001-too_dark.jpg").read_bytes())
        zf.writestr("kelas/Budi/hal1.jpg", sample("r006-glare.jpg").read_bytes())
    results = grade_batch([str(z)], key=load_key(str(SAMPLES / "keys" / first_sheet()[0])))
    assert sorted((r["trainee"], r["identity_source"], [p["file"] for p in r["pages"]]) for r in results) == [
        ("Budi", "filename", [f"{z}:kelas/Budi/hal1.jpg"]),
        ("Lestari", "filename", [f"{z}:kelas/Lestari/hal1.jpg", f"{z}:kelas/Lestari/hal2.jpg"])]


def test_the_printable_report_of_a_refused_sheet_says_it_was_not_graded():
    res = {"trainee": "budi", "trainee_name": None, "identity_source": "filename", "exercise": "ABC",
           "status": "refused", "score": None, "counts": {s: 0 for s in ("ok", "wrong", "review", "blank", "unreadable")},
           "pages": [{"file": "/home/pelatih/kelas/budi_p1.jpg", "page": None, "advice": None,
                      "refusal": {"code": "too_blurry", "message_id": "Foto terlalu buram.", "message_en": "x"}}],
           "top_fixes": [], "rules": [], "findings": [], "fields": []}
    html = render_report(res)
    assert "belum dinilai" in html and "Bagus" not in html and "Tiga hal" not in html
    assert "budi_p1.jpg: Foto terlalu buram." in html and "/home/pelatih" not in html


def test_the_printable_report_of_a_sheet_named_by_nobody_names_its_photos_and_no_empty_section():
    """Printed reports of a chat export (h41b): a sheet no QR, number or file name named said "Trainee: ? (identity
    from ?)", naming neither the trainee nor the photos it was made of; and a refused sheet's report ended with an
    "Entries by section" heading over nothing."""
    counts = {s: 0 for s in ("ok", "wrong", "review", "blank", "unreadable")}
    res = {"trainee": None, "trainee_name": None, "identity_source": None, "exercise": "ABC", "status": "refused",
           "score": None, "counts": counts, "top_fixes": [], "rules": [], "findings": [], "fields": [],
           "pages": [{"file": "/home/pelatih/chat.zip:IMG-20261205-WA0004.jpg", "page": None, "advice": None,
                      "refusal": {"code": "too_blurry", "message_id": "Foto terlalu buram.", "message_en": "Blurred."}},
                     {"file": "/home/pelatih/chat.zip:IMG-20261205-WA0012.jpg", "page": None, "advice": None,
                      "refusal": {"code": "too_blurry", "message_id": "Foto terlalu buram.", "message_en": "Blurred."}}]}
    for lang, said, section in (("id", "tidak dikenali; foto chat.zip:IMG-20261205-WA0004.jpg, "
                                       "chat.zip:IMG-20261205-WA0012.jpg", "Isian per bagian"),
                                ("en", "not identified; photos chat.zip:IMG-20261205-WA0004.jpg, "
                                       "chat.zip:IMG-20261205-WA0012.jpg", "Entries by section")):
        html = render_report(res, lang=lang)
        assert said in html and "from ?" not in html and "dari ?" not in html and section not in html


def test_grade_json_and_unknown_key(capsys):
    assert main(["grade", str(sample("s0002-p2.jpg")), "--key", "NOSUCH"]) == 2
    assert "NOSUCH" in capsys.readouterr().err


def test_the_table_says_where_each_trainee_came_from_and_the_name_the_qr_carries(tmp_path, capsys):
    """Issue 5 asks that the output say which identity was used (QR, number on the sheet, file name); the CSV and
    JSON did, the table a CLI-only trainer reads did not (h41b): `104` read off the sheet and `s0001` taken from a
    file name looked alike, and a personalised sheet showed its number without the name its QR carries."""
    args = ["--key", str(SAMPLES / "keys" / first_sheet()[0])]
    photos = []
    for n in first_sheet()[1]:      # (named as a class names them: the sample's own "s0001" names nobody)
        photos.append(str(tmp_path / n.replace("s0001", "budi")))
        shutil.copy(sample(n), photos[-1])
    for given in (photos, photos[:1]):
        assert main(["grade", *given, *args, "--json"]) == 0
        [result] = json.loads(capsys.readouterr().out)
        assert main(["grade", *given, *args]) == 0
        [line] = [x for x in capsys.readouterr().out.splitlines()
                  if not x.startswith(" ") and x not in (PARTIAL_NOTE, PROVISIONAL_NOTE)]      # (the notes under it)
        said = {"qr": "from the QR code", "trainee_number": "from the number on the sheet",
                "filename": "from the file name"}[result["identity_source"]]
        assert line.startswith(result["trainee"]) and line.endswith(f"({said})"), line
    from grader.commands.grade import table_label
    result = {"trainee": "7", "trainee_name": "Siti Rahma", "identity_source": "qr", "pages": [], "status": "graded"}
    assert table_label(result) == "7 Siti Rahma"


def test_a_trainees_page_whose_photo_shows_a_classmates_sheet_is_said_in_her_row_not_as_never_sent(tmp_path, capsys):
    """Rehearsal (helper-182): Fitri's ``fitri_p2.jpg`` shows Yanti's page 2 (she photographed the wrong sheet). The QR
    wins, so it is graded with Yanti's page 1; Fitri's row said her page 2 was never sent, and the trainer hunted a
    missing photo. It names the photo and whose sheet it shows, in the web's ``other_trainee`` words."""
    folder = tmp_path / "kelas"
    folder.mkdir()
    for name, photo in (("fitri_p1.jpg", "s0001-p1.jpg"), ("fitri_p2.jpg", "s0002-p2.jpg"),
                        ("IMG-20241127-WA0003.jpg", "s0002-p1.jpg")):
        shutil.copy(sample(photo), folder / name)
    assert truth("s0002-p2.jpg")["personalised"] and not truth("s0001-p1.jpg")["personalised"]
    args = ["grade", str(folder), "--key", str(SAMPLES / "keys" / first_sheet()[0])]
    assert main([*args, "--json"]) == 0
    yanti, fitri = json.loads(capsys.readouterr().out)       # (her number is read unsure: named by her file name)
    assert fitri["trainee"] == "fitri" and yanti["trainee"] == "110" and yanti["status"] == "graded"
    assert fitri["other_trainee_pages"] == [{"page": 2, "file": str(folder / "fitri_p2.jpg"), "trainee": "110",
                                             "trainee_name": "Yanti Marpaung", "identity_source": "qr"}]
    assert "other_trainee_pages" not in yanti
    said = (f"page 2: {folder / 'fitri_p2.jpg'} is from another trainee's sheet: Yanti Marpaung (No. 110) by its QR "
            "code, and is graded with that sheet. Photograph page 2 of your own sheet, then send it again.")
    assert main(args) == 0
    table = capsys.readouterr().out
    assert f"\n    {said}\n" in table and "no photo of this page was sent" not in table
    assert main([*args, "--csv", str(tmp_path / "hasil.csv")]) == 0
    with open(tmp_path / "hasil.csv", encoding="utf-8-sig") as fh:
        row = list(csv.DictReader(fh))[1]
    assert row["trainee"] == "fitri" and row["refusal"] == "page2=other_trainee" and row["refusal_message"] == said


def test_her_printed_feedback_and_fields_say_her_page_shows_a_classmates_sheet_not_that_it_was_never_sent(
        tmp_path, capsys):
    """Rehearsal leftovers (helper-184): with the row right (above), Fitri's printed feedback (``--out``) still told her
    "foto halaman ini belum dikirim" for page 2, and the fields CSV noted ``page_missing`` on its fields, though her
    photo of it was there: it showed Yanti's page 2. Both now say the photo is from another trainee's sheet."""
    folder = tmp_path / "kelas"
    folder.mkdir()
    for name, photo in (("fitri_p1.jpg", "s0001-p1.jpg"), ("fitri_p2.jpg", "s0002-p2.jpg"),
                        ("IMG-20241127-WA0003.jpg", "s0002-p1.jpg")):
        shutil.copy(sample(photo), folder / name)
    out, table = tmp_path / "umpan", tmp_path / "hasil.csv"
    assert main(["grade", str(folder), "--key", str(SAMPLES / "keys" / first_sheet()[0]), "--out", str(out),
                 "--csv", str(table)]) == 0
    html = (out / "fitri-feedback.html").read_text(encoding="utf-8")
    assert ("Halaman 2: fitri_p2.jpg dari lembar peserta lain: Yanti Marpaung (No. 110) menurut kode QR-nya, dan "
            "dinilai bersama lembar itu. Foto halaman 2 dari lembar Anda sendiri, lalu kirim lagi.</p>") in html
    assert "belum dikirim" not in html and str(folder) not in html
    with open(tmp_path / "hasil-fields.csv", encoding="utf-8-sig") as fh:
        fitri = [row for row in csv.DictReader(fh) if row["trainee"] == "fitri"]
    assert {row["notes"] for row in fitri if row["page"] == "2"} == {"other_trainee"}
    assert not any("page_missing" in row["notes"] for row in fitri)


def test_a_classmates_page_under_a_trainees_name_joins_the_classmates_named_page_by_its_qr(tmp_path, capsys):
    """Rehearsal (helper-184): as above, with Yanti's own photo named too (``yanti_p1.jpg``): both of her pages carry
    her QR, yet the names said two sheets' pages, and Yanti had two half rows, each with a page "never sent". The QR
    wins over names that call its pages two sheets' (grader.page_groups), where no page repeats."""
    folder = tmp_path / "kelas"
    folder.mkdir()
    for name, photo in (("fitri_p1.jpg", "s0001-p1.jpg"), ("fitri_p2.jpg", "s0002-p2.jpg"),
                        ("yanti_p1.jpg", "s0002-p1.jpg")):
        shutil.copy(sample(photo), folder / name)
    assert main(["grade", str(folder), "--key", str(SAMPLES / "keys" / first_sheet()[0]), "--json"]) == 0
    yanti, fitri = json.loads(capsys.readouterr().out)
    assert yanti["trainee"] == "110" and yanti["status"] == "graded"
    assert sorted(Path(p["file"]).name for p in yanti["pages"]) == ["fitri_p2.jpg", "yanti_p1.jpg"]
    assert fitri["trainee"] == "fitri" and [p["file"] for p in fitri["other_trainee_pages"]] == [
        str(folder / "fitri_p2.jpg")]


def test_a_page_named_as_anothers_is_said_in_the_row_its_name_is_of():
    """Two sheets of one name's photos alone (``eka_p1`` Eka's, ``eka_p2`` Dewi's by its QR) are either one's stray:
    the name tells whose it is, or neither row names the other's photo."""
    from grader.batch import pages_in_other_sheets
    from grader.result_rows import missing_page_messages

    def sheet(trainee, name, file, page):
        other = 3 - page
        return {"trainee": trainee, "trainee_name": name, "identity_source": "qr", "status": "partial",
                "pages": [{"file": file, "page": page}], "fields": [{"page": other, "notes": ["page_missing"]}]}
    for stem, said in (("eka", [True, False]), ("dewi", [False, True]), ("budi", [False, False])):
        eka, dewi = sheet("11", "Eka Putri", f"{stem}_p1.jpg", 1), sheet("12", "Dewi Lestari", f"{stem}_p2.jpg", 2)
        pages_in_other_sheets([eka, dewi], {f"{stem}_p1.jpg": ("kelas", stem), f"{stem}_p2.jpg": ("kelas", stem)})
        assert ["other_trainee_pages" in r for r in (eka, dewi)] == said, stem
    assert missing_page_messages(eka) == ["page 2: no photo of this page was sent; photograph it and send it with "
                                          "the others"]
    eka, dewi = sheet("11", "Eka Putri", "eka_p1.jpg", 1), sheet("12", "Dewi Lestari", "eka_p2.jpg", 2)
    dewi["identity_source"] = "trainee_number"
    pages_in_other_sheets([eka, dewi], {"eka_p1.jpg": ("kelas", "eka"), "eka_p2.jpg": ("kelas", "eka")})
    assert missing_page_messages(eka, lang="id") == [
        "halaman 2: eka_p2.jpg dari lembar peserta lain: Dewi Lestari (No. 12) (nomor peserta yang tertulis), dan "
        "dinilai bersama lembar itu. Foto halaman 2 dari lembar Anda sendiri, lalu kirim lagi."]


def test_a_class_chat_export_larger_than_a_web_upload_is_read_whole(tmp_path):
    """Review: the web's 400-file limit refused a class export of 401 photos as a bad zip ('no photos found')."""
    z = tmp_path / "chat.zip"
    with zipfile.ZipFile(z, "w") as zf:
        for k in range(401):
            zf.writestr(f"IMG-20241127-WA{k:04d}.jpg", b"\xff\xd8\xff" + bytes(64))
    assert len([name for name, data in iter_inputs([z]) if isinstance(data, bytes)]) == 401


def test_a_class_chat_export_gives_one_row_per_trainee(tmp_path):
    """QA: s0004's pages were split into two rows (one number read firmly, one not), and two chat exports that
    both hold IMG-…-WA0001.jpg merged two trainees into one row with a duplicate page."""
    from grader.batch import grade_batch
    for chat, sid in (("a", "s0005"), ("b", "s0003")):
        with zipfile.ZipFile(tmp_path / f"chat{chat}.zip", "w") as zf:
            for page in (1, 2):
                zf.writestr(f"IMG-20241127-WA000{page}.jpg", sample(f"{sid}-p{page}.jpg").read_bytes())
    folder = tmp_path / "kelas"
    folder.mkdir()
    for page in (1, 2):
        (folder / f"s0004-p{page}.jpg").write_bytes(sample(f"s0004-p{page}.jpg").read_bytes())
    for sub, sid in (("kelasA", "s0000"), ("kelasB", "s0001")):      # two exports both called "WhatsApp Chat.zip"
        (tmp_path / sub).mkdir()
        with zipfile.ZipFile(tmp_path / sub / "WhatsApp Chat.zip", "w") as zf:
            for page in (1, 2):
                zf.writestr(f"IMG-20241127-WA000{page}.jpg", sample(f"{sid}-p{page}.jpg").read_bytes())
    key = load_key(str(SAMPLES / "keys" / truth("s0004-p1.jpg")["exercise"]))
    paths = [tmp_path / "chata.zip", tmp_path / "chatb.zip", folder, tmp_path / "kelasA", tmp_path / "kelasB"]
    results = grade_batch([str(p) for p in paths], key=key, out_dir=tmp_path / "out")
    assert len(results) == 5
    assert all(r["status"] == "graded" and not any(p["refusal"] for p in r["pages"]) for r in results)
    assert sorted(sorted(p["file"].replace(str(tmp_path) + "/", "") for p in r["pages"]) for r in results) == [
        ["chata.zip:IMG-20241127-WA0001.jpg", "chata.zip:IMG-20241127-WA0002.jpg"],
        ["chatb.zip:IMG-20241127-WA0001.jpg", "chatb.zip:IMG-20241127-WA0002.jpg"],
        ["kelas/s0004-p1.jpg", "kelas/s0004-p2.jpg"],
        ["kelasA/WhatsApp Chat.zip:IMG-20241127-WA0001.jpg", "kelasA/WhatsApp Chat.zip:IMG-20241127-WA0002.jpg"],
        ["kelasB/WhatsApp Chat.zip:IMG-20241127-WA0001.jpg", "kelasB/WhatsApp Chat.zip:IMG-20241127-WA0002.jpg"]]
    # sheets that end up with one name (chat photos carry none) each keep their own marked pages and report
    from grader.grading.report import write_reports
    reports = write_reports(results, tmp_path / "out")
    assert len({p.name for p in reports}) == 5 and len(list((tmp_path / "out").glob("*/page1.jpg"))) == 5
    for report in reports:          # each printed page shows what is written on its own sheet, found beside it
        src = re.findall(r'<img class="ident" src="([^"]+)"', report.read_text())
        assert len(src) == 2 and all((report.parent / s).is_file() for s in src)
        assert src[0].startswith(report.name.replace("-feedback.html", "") + "/")


def test_a_pair_named_by_its_files_stays_one_sheet_when_its_numbers_differ_only_in_an_unsure_box(tmp_path):
    """QA: s0008-p1/-p2 read 063 (the last box unsure) and 069, and were split into two partial sheets (on the web
    the page-1 half then fell out of the class table and the review queue)."""
    from grader.batch import grade_batch
    from grader.page_groups import may_be_one
    folder = tmp_path / "kelas"
    folder.mkdir()
    for page in (1, 2):
        (folder / f"s0008-p{page}.jpg").write_bytes(sample(f"s0008-p{page}.jpg").read_bytes())
    key = load_key(str(SAMPLES / "keys" / truth("s0008-p1.jpg")["exercise"]))
    results = grade_batch([str(folder)], key=key)
    assert len(results) == 1 and results[0]["status"] == "graded"
    numbers = [p["trainee_number"] for p in results[0]["pages"]]
    assert [p["page"] for p in results[0]["pages"]] == [1, 2]
    assert numbers[0]["value"] != numbers[1]["value"] and {n["status"] for n in numbers} == {"review"}
    assert may_be_one(*((n["value"].lstrip("0"), n["sure"]) for n in numbers))
    assert "?" in numbers[0]["sure"] + numbers[1]["sure"]


def test_wrong_exercise_sheet_is_refused_not_graded():
    code, names = first_sheet()
    other = next(p for p in (SAMPLES / "keys").iterdir() if p.name != code)
    res = grade_upload([(names[1], sample(names[1]).read_bytes())], key=load_key(str(other)))
    assert res["status"] == "refused" and res["pages"][0]["refusal"]["code"] == "wrong_exercise"
    assert "bukan" in res["pages"][0]["refusal"]["message_id"]
    assert res["pages"][0]["sheet_exercise"] == code            # so a trainer can grade it under its own exercise


@pytest.mark.parametrize("misread", [lambda c: c[:1] + c[2:], lambda c: "G" + c[1:-1] + "S"], ids=["dropped", "two"])
def test_an_exercise_code_misread_by_ocr_is_not_another_exercise(monkeypatch, misread):
    """With the QR unreadable (a speckled copy of a copy), the code comes from tesseract's reading of the header
    line, which may drop a character or misread two ("6DWUR6" as "GDWURS"): the page is graded against its key,
    not refused as another exercise's. The same code from a QR is another exercise's (a QR is exact)."""
    import grader.photo.align as align
    code, names = first_sheet()
    key = load_key(str(SAMPLES / "keys" / code))
    real_qr = align.identity_from_qr
    monkeypatch.setattr(align, "identity_from_qr", lambda *a, **kw: None)
    monkeypatch.setattr(align, "identity_from_ocr", lambda *a, **kw: replace(
        real_qr(*a, **{k: v for k, v in kw.items() if k != "specs"}), exercise=misread(code), trainee=None,
        trainee_name=None))
    res = grade_upload([(n, sample(n).read_bytes()) for n in names], key=key)
    assert [p["refusal"] for p in res["pages"]] == [None, None] and res["status"] == "graded"
    monkeypatch.setattr(align, "identity_from_qr", lambda *a, **kw: replace(real_qr(*a, **kw), exercise=misread(code)))
    res = grade_upload([(names[0], sample(names[0]).read_bytes())], key=key)
    assert res["pages"][0]["refusal"]["code"] == "wrong_exercise"


def _read(file: str, page: int, trainee: str | None, name: str | None = None, *, number: int | None = None,
          number_status: str = "ok", box_confidence: tuple[float, ...] = (0.9995,) * 3,
          unsure_boxes: tuple[int, ...] = (), notes: tuple[str, ...] = ()):
    """A PhotoRead whose aligned page carries only what the page-ownership check looks at: its QR's trainee and
    name, and the trainee number written on it (``number``, read ``number_status``)."""
    from types import SimpleNamespace

    from grader.pipeline import TRAINEE_FIELD, PhotoRead
    from grader.read.sheet_reader import FieldReading
    ident = SimpleNamespace(trainee=trainee, trainee_name=name)
    readings = {} if number is None else {TRAINEE_FIELD: FieldReading(
        TRAINEE_FIELD, "digits", page, number, min(box_confidence), number_status, tuple(f"{number:03d}"),
        box_confidence, notes, {"unsure_boxes": list(unsure_boxes)} if unsure_boxes else {})}
    sheet = SimpleNamespace(pages=(SimpleNamespace(number=1), SimpleNamespace(number=2)))
    return PhotoRead(file=file, aligned=SimpleNamespace(identity=ident, page=SimpleNamespace(number=page), sheet=sheet),
                     readings=readings)


def test_pages_of_another_trainee_are_refused_not_mixed_into_one_result():
    from grader.pipeline import _refuse_pages_that_do_not_belong
    reads = [_read("a.jpg", 1, "136", "Sri Siregar"), _read("b.jpg", 2, "63", "Sri Susanti")]
    _refuse_pages_that_do_not_belong(reads, caller=None)
    assert reads[0].refusal is None and reads[1].aligned is None and reads[1].page == 2
    assert reads[1].refusal.code == "other_trainee" and "Sri Susanti (No. 063)" in reads[1].refusal.message_id
    # the trainee who uploaded names themselves: their page is the one kept
    reads = [_read("a.jpg", 1, "136"), _read("b.jpg", 2, "63")]
    _refuse_pages_that_do_not_belong(reads, caller="63")
    assert reads[0].refusal.code == "other_trainee" and reads[1].refusal is None
    # ... or types their roster name, or their number as the sheet's three boxes hold it: a classmate's page
    # uploaded first does not make the sheet theirs
    for typed in (" sri  SUSANTI", "063"):
        reads = [_read("a.jpg", 1, "136", "Sri Siregar"), _read("b.jpg", 2, "63", "Sri Susanti")]
        _refuse_pages_that_do_not_belong(reads, caller=typed)
        assert reads[0].refusal.code == "other_trainee" and reads[1].refusal is None
    # one trainee's QR written "027" on one page and "27" on another is one trainee
    reads = [_read("a.jpg", 1, "027"), _read("b.jpg", 2, "27")]
    _refuse_pages_that_do_not_belong(reads, caller=None)
    assert reads[0].refusal is None and reads[1].refusal is None
    # a page with no trainee in its QR (a blank practice sheet) may belong to anyone
    reads = [_read("a.jpg", 1, "136"), _read("b.jpg", 2, None)]
    _refuse_pages_that_do_not_belong(reads, caller="Dewi")
    assert reads[0].refusal is None and reads[1].refusal is None


def test_a_page_too_dark_whose_qr_names_another_trainee_is_refused_as_theirs_as_a_bright_one_is():
    """Retake rehearsal: a classmate's page 2 (its QR read) sent as the retake of page 2, too dark as well, was
    refused only as too dark, so the trainee took it again in better light, still the classmate's page. It is
    refused as another trainee's, as the same page photographed well is; its QR still never names the sheet over a
    page read or the uploader's word, and a dark page of the sheet's own trainee stays too dark."""
    from grader.photo.refusal import Refusal
    from grader.pipeline import PhotoRead, _refuse_pages_that_do_not_belong, identify_trainee

    def dark(trainee, name=None, page=2):
        return PhotoRead(file="ulang.jpg", refusal=Refusal("too_dark"), refused_page=page, sheet_trainee=(trainee, name))

    for caller in (None, "Budi", "17"):
        reads = [_read("a.jpg", 1, "17", "Budi Santoso"), dark("63", "Sri Susanti")]
        _refuse_pages_that_do_not_belong(reads, caller=caller)
        assert reads[0].refusal is None and reads[1].refusal.code == "other_trainee" and reads[1].page == 2
        assert "Halaman 2 ini dari lembar peserta lain: Sri Susanti (No. 063)" in reads[1].refusal.message_id
        assert identify_trainee(reads, caller=caller)[:2] == ("017", "Budi Santoso")
    # beside a page whose number is written, not printed in a QR, as well
    reads = [_read("a.jpg", 2, None, number=104), dark("110", page=1)]
    _refuse_pages_that_do_not_belong(reads, caller=None)
    assert reads[1].refusal.code == "other_trainee" and identify_trainee(reads)[0] == "104"
    # the sheet's own trainee's dark page, or a dark page alone, stays too dark (a retake in better light helps)
    for reads in ([_read("a.jpg", 1, "17"), dark("017")], [dark("63")]):
        _refuse_pages_that_do_not_belong(reads, caller="Budi")
        assert reads[-1].refusal.code == "too_dark"
    # the uploader names the dark page's trainee: the page read that names another is the one refused, as when bright
    reads = [_read("a.jpg", 1, "17"), dark("63")]
    _refuse_pages_that_do_not_belong(reads, caller="063")
    assert reads[0].refusal.code == "other_trainee" and reads[1].refusal.code == "too_dark"


def test_another_trainees_page_sent_as_a_retake_tells_the_trainee_to_photograph_their_own():
    """Rehearsal (helper-164): a classmate's page 2 sent as a trainee's retake of page 2 (the web's photos kept beside
    it) was refused ending "Kirim halaman setiap peserta secara terpisah", a batch's words: a retake is one photo,
    and the trainee is to photograph page 2 of their own sheet. A sending without kept photos keeps the words it had
    if it is a batch's sheet; a trainee's own upload of two pages is told as a retake is (helper-166); a kept photo
    refused (the retake names the uploader) keeps the batch's words."""
    from grader.photo.refusal import Refusal
    from grader.pipeline import PhotoRead, _refuse_pages_that_do_not_belong
    reads = [_read("a.jpg", 1, "17", "Budi Santoso"), _read("ulang.jpg", 2, "63", "Sri Susanti")]
    _refuse_pages_that_do_not_belong(reads, caller="17", kept=[0])
    assert reads[0].refusal is None and reads[1].refusal.code == "other_trainee"
    said = reads[1].refusal
    assert said.message_id == ("Halaman 2 ini dari lembar peserta lain: Sri Susanti (No. 063). Foto halaman 2 dari "
                               "lembar Anda sendiri, lalu kirim lagi.")
    assert said.message == ("Page 2 is from another trainee's sheet: Sri Susanti (No. 063). Photograph page 2 of your "
                            "own sheet, then send it again.")
    # a classmate's page too dark as well (its QR read), sent as the retake: the same words
    dim = PhotoRead(file="ulang.jpg", refusal=Refusal("too_dark"), refused_page=2, sheet_trainee=("63", "Sri Susanti"))
    reads = [_read("a.jpg", 1, "17", "Budi Santoso"), dim]
    _refuse_pages_that_do_not_belong(reads, caller="17", kept=[0])
    assert reads[1].refusal.code == "other_trainee" and "lembar Anda sendiri" in reads[1].refusal.message_id
    # no photo kept: a batch's sheet is told as before; a trainee's own upload of two pages (own_sheet, the web's
    # upload page) is told to photograph their own page (helper-166: it was given the batch's words)
    reads = [_read("a.jpg", 1, "17", "Budi Santoso"), _read("b.jpg", 2, "63", "Sri Susanti")]
    _refuse_pages_that_do_not_belong(reads, caller="17")
    assert reads[1].refusal.message_id.endswith("Kirim halaman setiap peserta secara terpisah.")
    reads = [_read("a.jpg", 1, "17", "Budi Santoso"), _read("b.jpg", 2, "63", "Sri Susanti")]
    _refuse_pages_that_do_not_belong(reads, caller="17", own_sheet=True)
    assert reads[1].refusal.message_id.endswith("Foto halaman 2 dari lembar Anda sendiri, lalu kirim lagi.")
    assert reads[1].refusal.message.endswith("Photograph page 2 of your own sheet, then send it again.")
    # the kept photo refused (the retake names the uploader, the kept page another): not "your own sheet" of it
    reads = [_read("a.jpg", 1, "63", "Sri Susanti"), _read("ulang.jpg", 2, "17", "Budi Santoso")]
    _refuse_pages_that_do_not_belong(reads, caller="17", kept=[0], own_sheet=True)
    assert reads[0].refusal.code == "other_trainee" and "Anda sendiri" not in reads[0].refusal.message_id


def test_a_page_whose_written_number_names_another_trainee_is_refused_not_mixed_in():
    """Trainee rehearsal (helper-134): Siti's personalised page 1 (QR trainee 70) sent with a classmate's page 2,
    a blank practice sheet whose number boxes read 015 firmly, was graded as one sheet, 100 / 100, with no word.
    A batch keeps those pages apart by the same evidence (grader.page_groups); one upload now does too."""
    from grader.pipeline import _refuse_pages_that_do_not_belong, identify_trainee
    reads = [_read("a.jpg", 1, "70", "Siti Santoso", number=70), _read("b.jpg", 2, None, number=15)]
    _refuse_pages_that_do_not_belong(reads, caller=None)
    assert reads[0].refusal is None and reads[1].aligned is None and reads[1].page == 2
    assert reads[1].refusal.code == "other_trainee"
    assert "No. 015 (nomor peserta yang tertulis)" in reads[1].refusal.message_id
    # two blank sheets, numbers read firmly: the one the uploader typed is kept
    reads = [_read("a.jpg", 1, None, number=70), _read("b.jpg", 2, None, number=15)]
    _refuse_pages_that_do_not_belong(reads, caller="15")
    assert reads[0].refusal.code == "other_trainee" and reads[1].refusal is None
    # ... and names the sheet: the number on the page refused as the classmate's is theirs (it named the sheet 070)
    assert identify_trainee(reads, caller="15")[:3:2] == ("015", "trainee_number")
    # the same number written on both ("070" beside the QR's "70"), an unsure one, or one read ok that differs only
    # in boxes read below the bar for calling a trainee wrong (a 7 read 1 at 0.998), names nobody else
    for other in (_read("b.jpg", 2, None, number=70), _read("b.jpg", 2, None, number=15, number_status="review"),
                  _read("b.jpg", 2, None, number=10, box_confidence=(1.0, 0.998, 1.0))):
        reads = [_read("a.jpg", 1, "70", "Siti Santoso", number=70), other]
        _refuse_pages_that_do_not_belong(reads, caller=None)
        assert reads[0].refusal is None and reads[1].refusal is None
    # a personalised page is its QR's trainee's, whatever number is written on it
    reads = [_read("a.jpg", 1, "70", "Siti Santoso", number=15), _read("b.jpg", 2, None, number=70)]
    _refuse_pages_that_do_not_belong(reads, caller=None)
    assert reads[0].refusal is None and reads[1].refusal is None


def test_a_number_read_in_part_still_tells_another_trainees_page_by_its_sure_boxes():
    """Trainee rehearsal (helper-185): Wayan's page 1, her 093 read with its middle box unsure ("0?3", in review),
    sent with a classmate's page 2 whose 145 was read firmly, was graded as one sheet: a number in review named
    nobody, so nothing was set against the 145. Its sure boxes differ from it: two trainees' pages. The page that
    comes first (or the one the typed number fits) is kept; the other is refused, its number said as read."""
    from grader.pipeline import _refuse_pages_that_do_not_belong, identify_trainee
    wayan = dict(number=93, number_status="review", box_confidence=(1.0, 0.7, 1.0), unsure_boxes=(1,))
    reads = [_read("a.jpg", 1, None, **wayan), _read("b.jpg", 2, None, number=145)]
    _refuse_pages_that_do_not_belong(reads, caller="Wayan", own_sheet=True)
    assert reads[0].refusal is None and reads[1].refusal.code == "other_trainee"
    assert "No. 145 (nomor peserta yang tertulis)" in reads[1].refusal.message_id
    assert identify_trainee(reads, caller="Wayan")[0] != "145"
    # the classmate's page first, and Wayan types her number: it fits her page's sure boxes, which is kept
    reads = [_read("b.jpg", 2, None, number=145), _read("a.jpg", 1, None, **wayan)]
    _refuse_pages_that_do_not_belong(reads, caller="93", own_sheet=True)
    assert reads[0].refusal.code == "other_trainee" and reads[1].refusal is None
    # ... or types nothing: the page first is kept, and the other said by its sure boxes, not the favoured digit
    reads = [_read("b.jpg", 2, None, number=145), _read("a.jpg", 1, None, **wayan)]
    _refuse_pages_that_do_not_belong(reads, caller=None)
    assert reads[0].refusal is None and "No. 0?3 (nomor peserta yang tertulis)" in reads[1].refusal.message_id
    # one trainee's pages: 093 beside its own number read in part (only the unsure box differs), or a number whose
    # every differing box is below the bar, or one in review for a digit across two boxes, are one sheet
    for other in (_read("b.jpg", 2, None, number=93), _read("b.jpg", 2, None, number=83),
                  _read("b.jpg", 2, None, number=145, number_status="review", box_confidence=(0.998, 0.99, 0.9),
                        unsure_boxes=(2,)),
                  _read("b.jpg", 2, None, number=145, number_status="review", unsure_boxes=(2,),
                        notes=("across_borders",))):
        reads = [_read("a.jpg", 1, None, **wayan), other]
        _refuse_pages_that_do_not_belong(reads, caller=None)
        assert reads[0].refusal is None and reads[1].refusal is None, other.readings


def test_the_page_a_photo_repeats_is_named_as_the_trainee_knows_it_not_by_the_trainers_folders():
    """Rehearsal (helper-89): ``grader grade kelas.zip --out fb/`` printed on Rina's feedback sheet "photos.zip:
    rina-hal2.jpg: Foto ini halaman 1 lagi (sudah ada di /tmp/h89/photos.zip:rina-hal1.jpg)": the photo it refused
    named as she knows it, the one it repeats by the trainer's whole path. Both are named alike now."""
    from grader.pipeline import _refuse_pages_that_do_not_belong
    reads = [_read("/home/bu-ratna/bimtek/kelas.zip:Rina/hal1.jpg", 1, "5"),
             _read("/home/bu-ratna/bimtek/kelas.zip:Rina/hal2.jpg", 1, "5")]
    _refuse_pages_that_do_not_belong(reads, caller=None)
    refusal = reads[0].refusal
    assert refusal.code == "duplicate_page"
    assert "(kelas.zip:hal2.jpg)" in refusal.message_id and "bu-ratna" not in refusal.message_id
    assert "(kelas.zip:hal2.jpg)" in refusal.message and "bu-ratna" not in refusal.message


def test_a_page_photographed_again_is_graded_by_its_last_photo():
    """Rehearsal (helper-137, a class's chat export): a trainee sent page 1, page 2, then page 1 again (a retake,
    after mending a number). The first photo of page 1 was graded and the retake refused as "page 1 again"; a
    retake on the web replaces the page. Now the last photo of a page counts, and the earlier one says which."""
    from grader.pipeline import _refuse_pages_that_do_not_belong
    reads = [_read("IMG-20261205-WA0001.jpg", 1, "5"), _read("IMG-20261205-WA0002.jpg", 2, "5"),
             _read("IMG-20261205-WA0007.jpg", 1, "5")]
    _refuse_pages_that_do_not_belong(reads, caller=None)
    assert [r.refusal and r.refusal.code for r in reads] == ["duplicate_page", None, None]
    assert "yang dinilai foto terakhir halaman itu (IMG-20261205-WA0007.jpg)" in reads[0].refusal.message_id
    assert reads[0].refused_page == 1 and reads[2].aligned is not None
    # three photos of one page: only the last is graded
    reads = [_read(f"{n}.jpg", 2, "5") for n in "abc"]
    _refuse_pages_that_do_not_belong(reads, caller=None)
    assert [r.refusal and r.refusal.code for r in reads] == ["duplicate_page", "duplicate_page", None]
    assert all("(c.jpg)" in r.refusal.message_id for r in reads[:2])


def test_a_new_photo_of_a_page_a_kept_photo_shows_does_not_replace_it():
    """Retake rehearsal: page 1 sent by mistake as the web retake of page 2 was graded over the page 1 kept from the
    sheet retaken (the last photo of a page counts). A photo ``kept`` from an earlier sheet is graded over a new one
    of its page, which is refused saying so; without ``kept`` the last photo still counts."""
    from grader.pipeline import _refuse_pages_that_do_not_belong
    reads = [_read("hal1.jpg", 1, "5"), _read("ulang.jpg", 1, "5")]
    _refuse_pages_that_do_not_belong(reads, caller=None, kept=[0])
    assert reads[0].refusal is None and reads[1].refusal.code == "duplicate_page"
    assert reads[1].refusal.message_id == ("Foto ini halaman 1, yang sudah dinilai dari foto yang tersimpan (hal1.jpg); "
                                           "foto ini tidak menggantikannya. Halaman 2 belum terkirim: foto juga "
                                           "halaman itu.")
    reads = [_read("hal1.jpg", 1, "5"), _read("ulang.jpg", 1, "5")]
    _refuse_pages_that_do_not_belong(reads, caller=None)
    assert reads[0].refusal.code == "duplicate_page" and reads[1].refusal is None


def test_the_later_photo_of_a_page_in_a_zip_goes_by_its_name_not_by_where_the_zipper_put_it(tmp_path):
    """s45's note: "later" in a zip was its member order, in a folder its sorted names. A zip written with the
    retake first (a file manager zips in the order photos were ticked) graded the trainee's first photo of page 1
    and refused the mended retake."""
    from grader.batch import grade_batch
    first = sample("s0005-p1.jpg").read_bytes()
    retake = cv2.imencode(".jpg", cv2.imdecode(np.frombuffer(first, np.uint8), cv2.IMREAD_COLOR),
                          [cv2.IMWRITE_JPEG_QUALITY, 90])[1].tobytes()     # (another photo of the page: not a copy)
    chat = tmp_path / "chat.zip"
    with zipfile.ZipFile(chat, "w") as zf:
        zf.writestr("IMG-20261206-WA0007.jpg", retake)
        zf.writestr("IMG-20261206-WA0001.jpg", first)
        zf.writestr("IMG-20261206-WA0002.jpg", sample("s0005-p2.jpg").read_bytes())
    assert [n.rsplit(":", 1)[1] for n, _ in iter_inputs([chat])] == [
        "IMG-20261206-WA0001.jpg", "IMG-20261206-WA0002.jpg", "IMG-20261206-WA0007.jpg"]
    key = load_key(str(SAMPLES / "keys" / truth("s0005-p1.jpg")["exercise"]))
    [result] = grade_batch([str(chat)], key=key)
    refused = {p["file"].rsplit(":", 1)[1]: p["refusal"]["code"] for p in result["pages"] if p["refusal"]}
    assert refused == {"IMG-20261206-WA0001.jpg": "duplicate_page"}


def test_a_folder_lists_a_copy_after_its_original_and_numbered_copies_by_number(tmp_path):
    """Plain name order put "x (1).jpg" before "x.jpg" (a space sorts before a dot) and "x (12)" before "x (2)": a
    photo downloaded twice was graded by its copy, and the original named the copy."""
    for name in ("x (12).jpg", "x (2).jpg", "x.jpg", "x (1).jpg", "w.jpg"):
        (tmp_path / name).write_bytes(sample("s0005-p1.jpg").read_bytes())
    assert [Path(n).name for n, _ in iter_inputs([tmp_path])] == ["w.jpg", "x.jpg", "x (1).jpg", "x (2).jpg",
                                                                  "x (12).jpg"]


def test_the_same_page_twice_is_said_and_the_other_page_is_missing():
    code, names = first_sheet()
    res = grade_upload([(n, sample(names[0]).read_bytes()) for n in ("one.jpg", "again.jpg")],
                       key=load_key(str(SAMPLES / "keys" / code)))
    assert res["status"] == "partial"
    assert [p["refusal"] and p["refusal"]["code"] for p in res["pages"]] == ["duplicate_page", None]
    said = res["pages"][0]["refusal"]["message_id"]
    assert said.endswith("halaman 1 lagi: yang dinilai foto terakhir halaman itu (again.jpg). Halaman 2 belum "
                         "terkirim: foto juga halaman itu.")
    assert [p["page"] for p in res["pages"]] == [1, 1]           # the refused photo still says which page it showed
    assert all("page_missing" in f["notes"] for f in res["fields"] if f["page"] == 2)
    # a whole sheet (helper-138: "if the other page was not sent, take a photo of it" beside a page 2 read)
    res = grade_upload([(n, sample(names[k]).read_bytes()) for n, k in (("one.jpg", 0), ("two.jpg", 1),
                                                                        ("again.jpg", 0))],
                       key=load_key(str(SAMPLES / "keys" / code)))
    assert [p["refusal"] and p["refusal"]["code"] for p in res["pages"]] == ["duplicate_page", None, None]
    assert res["pages"][0]["refusal"]["message_id"].endswith("yang dinilai foto terakhir halaman itu (again.jpg).")
    assert res["pages"][0]["refusal"]["message_en"].endswith("the last photo of it (again.jpg) is graded instead.")


def test_feedback_image_frames_sit_on_the_template_geometry(tmp_path):
    code, names = first_sheet()
    res = grade_upload([(n, sample(n).read_bytes()) for n in names], key=load_key(str(SAMPLES / "keys" / code)),
                       out_dir=tmp_path)
    img = cv2.imread(str(tmp_path / "page1.jpg"))
    assert img.shape[:2] == (2376, 1680)   # the template frame at 8 px/mm
    from grader.sheet.layout import Rect, layout_sheet
    from grader.sheet.schema import resolve_template
    sheet = layout_sheet(resolve_template(res["template"]), contest=res["contest"], pairs=res["pairs"])
    f = next(x for x in res["fields"] if x["id"] == "I.A.1.L")
    r = sheet.field("I.A.1.L").rect.grow(0.8)
    x, y = round(r.x * 8), round(r.center[1] * 8)
    colour = img[y, x + 1:x + 3].mean(axis=0)   # BGR inside the frame line (PIL draws it inward)
    expected = {"ok": (60, 150, 20), "wrong": (30, 30, 210)}.get(f["status"], (0, 150, 235))
    assert np.abs(colour - np.array(expected)).max() < 60
    assert all((tmp_path / x["crop"]).exists() for x in res["fields"] if x["page"] == 1)
    # the number and name the trainee wrote, cut from the header by the template (a trainer tells sheets apart by it)
    ident = cv2.imread(str(tmp_path / res["pages"][0]["identity_crop"]), cv2.IMREAD_GRAYSCALE).astype(float)
    box = Rect.union([sheet.field("H.TRAINEE").rect, sheet.field("H.NAME").rect]).grow(CROP_MARGIN_MM)
    x, y, w, h = box.to_px(8)
    assert ident.shape == (h, w) and h < 15 * 8           # one header line (under 15 mm), not the page
    marked = cv2.imread(str(tmp_path / "page1.jpg"), cv2.IMREAD_GRAYSCALE).astype(float)   # the same aligned page

    def differs(dx: int, dy: int) -> float:
        return float(np.abs(marked[y + dy:y + dy + h, x + dx:x + dx + w] - ident).mean())
    assert differs(0, 0) < 6 and differs(0, 0) < differs(16, 0) / 2 and differs(0, 0) < differs(0, 16) / 2


def test_the_marked_page_puts_an_x_in_a_leading_box_left_blank(tmp_path):
    """Review (s34): the trainee was told "Kotak depan dibiarkan kosong (I.A.3.J)" but the marked page framed that
    field green and nothing more: the box to fix was not shown. Sample s0000's I.A.3.J ("  02"): its first box
    carries an amber X (the field stays green: its number is right); a field without the finding has none."""
    names = ["s0000-p1.jpg", "s0000-p2.jpg"]
    res = grade_upload([(n, sample(n).read_bytes()) for n in names],
                       key=load_key(str(SAMPLES / "keys" / truth(names[0])["exercise"])), out_dir=tmp_path)
    assert any(x["code"] == "blank_leading_box" and x["fields"] == ["I.A.3.J"] for x in res["findings"])
    img = cv2.imread(str(tmp_path / "page1.jpg")).astype(int)
    from grader.sheet.layout import layout_sheet
    from grader.sheet.schema import resolve_template
    sheet = layout_sheet(resolve_template(res["template"]), contest=res["contest"], pairs=res["pairs"])

    def amber_in(fid: str) -> int:
        b = sheet.field(fid).boxes[0]
        x, y, w, h = (round(v * 8) for v in (b.x, b.y, b.w, b.h))
        inner = img[y + h // 4:y + 3 * h // 4, x + w // 4:x + 3 * w // 4]      # inside the box, off its outline
        bgr = np.array((0, 150, 235))
        return int((np.abs(inner - bgr).max(axis=-1) < 50).sum())
    assert amber_in("I.A.3.J") > 20
    assert amber_in("I.A.3.P") == 0


def test_regrade_applies_a_trainer_correction_and_keeps_it():
    code, names = first_sheet()
    key = load_key(str(SAMPLES / "keys" / code))
    res = grade_upload([(n, sample(n).read_bytes()) for n in names], key=key)
    target = "I.A.1.L"
    wrong_value = key.fields[target] + 1
    again = regrade(res, {target: wrong_value}, key, by="pelatih1", at="2026-11-29T10:00:00")
    f = next(x for x in again["fields"] if x["id"] == target)
    assert (f["value"], f["status"], f["corrected_by"]) == (wrong_value, "wrong", "pelatih1")
    third = regrade(again, {"V.A": key.fields["V.A"]}, key)
    kept = next(x for x in third["fields"] if x["id"] == target)
    assert kept["corrected_by"] == "pelatih1" and kept["value"] == wrong_value
    # regrading again and again gives the same notes: the grader's own notes are not carried over and repeated
    assert [f["notes"] for f in regrade(third, {}, key)["fields"]] == [f["notes"] for f in third["fields"]]
    assert all(len(f["notes"]) == len(set(f["notes"])) for f in third["fields"])


def test_context_is_undone_exactly_so_a_regrade_can_run_it_again():
    from grader.pipeline import read_photo
    from grader.read.context import apply_context, undo_context
    from grader.rules import expand_rules

    changed = 0
    for name in sorted(p.name for p in SAMPLES.glob("s*.jpg"))[:6]:
        pr = read_photo(sample(name).read_bytes(), filename=name)
        if pr.refusal:
            continue
        sheet = pr.aligned.sheet
        ctx = apply_context(pr.readings, expand_rules(sheet.spec.rules, sheet))
        changed += sum(ctx[f] != pr.readings[f] for f in ctx)
        assert {f: undo_context(r) for f, r in ctx.items()} == pr.readings
    assert changed >= 3                                  # context did back up or doubt something on these photos


@pytest.mark.parametrize("name", [
    "WhatsApp Chat - Pelatihan KPPS.zip:00000012-PHOTO-2026-12-05-08-01-23.jpg",   # WhatsApp's export on an iPhone
    "Gambar WhatsApp 2026-12-05 pukul 08.01.23_a1b2c3d4.jpg",   # WhatsApp Web/Desktop in Indonesian
    "WhatsApp Image 2026-12-05 at 08.01.23_a1b2c3d4.jpeg",
    "CamScanner 12-05-2026 08.01.jpg", "CamScanner 12-05-2026 08.01_1.jpg", "Adobe Scan 5 Des 2026.jpg",
    "1000012345.jpg",                                           # Android's photo picker: the photo's media id
    # other chat apps: Messenger, Signal, Telegram, LINE (h41b's s41 leftover)
    "received_1234567890123456.jpeg", "signal-2026-12-05-080123.jpg", "signal-2026-12-05-08-01-23-456.jpg",
    "telegram-cloud-photo-size-2-5431-y.jpg", "LINE_ALBUM_Kelas KPPS_261205.jpg", "LINE_P20261205_080123456.jpg"])
def test_names_that_chat_and_scanner_apps_give_name_nobody(name):
    """A trainer's chat export and downloads (h41b): an iPhone's WhatsApp export (00000012-PHOTO-…), WhatsApp Web
    in Indonesian (Gambar WhatsApp … pukul …), CamScanner and Adobe Scan, and Android's picker (1000012345) were
    taken for trainees' names, 'from the file name' in the CSV, and two CamScanner scans of one minute paired."""
    assert trainee_from_filename(name) is None


@pytest.mark.parametrize("name", [
    "s0005.jpg", "s0005-p1.jpg", "S0005_2.JPG", "s0005 (1).jpg",   # a sample set's or a scanner's bare counter
    "P1010001.JPG",                                                 # Panasonic's and Olympus's cameras
    "GOPR0001.JPG", "GP010001.JPG", "DJI_0001.JPG", "PICT0001.JPG", "HPIM0001.JPG", "SCN_0001.jpg", "DOC_0001.jpg",
    "IMG_E1234.jpg",                                                # an iPhone's edited photo
    "FB_IMG_1700000000000.jpg", "Snapchat-123456789.jpg", "Screen Shot 2026-12-05 at 08.01.23.png",
    "5F3A2B1C-1D2E-4F50-8A9B-0C1D2E3F4A5B.jpg",                     # an iPhone's share of a photo: its UUID
    # a device's prefix with a short counter (helper-176: trainee "IMG", "IMG_12", "DSC_5")
    "IMG_1.jpg", "IMG_12.jpg", "IMG1.jpg", "DSC_5.jpg", "PXL 3.jpg", "VID_2 (1).jpg", "IMG_1 copy.jpg",
    "DJI_07_p2.jpg"])
def test_a_devices_counter_or_a_bare_code_names_nobody(name):
    """Rehearsal (helper-161): s0005.jpg named its sheet's trainee "s0005", as did a camera's P1010001 or a GoPro's
    GOPR0001, so such sheets never reached the trainer's list of sheets nothing names (they sat in the class table
    under a code, never to be matched with the trainee's number). A letter and a counter of four digits or more, or
    a device's or an app's default name, names nobody."""
    assert trainee_from_filename(name) is None


@pytest.mark.parametrize("name", [
    "Untitled.jpg", "Untitled (1).jpg", "Untitled-1.png", "Untitled design.png", "Tanpa judul.jpg",
    "Desain tanpa judul (2).png", "Dokumen tanpa judul.jpg",                      # a computer's and Canva's defaults
    "Document_1.jpg", "Document 1.jpg", "Dokumen.jpg", "Dokumen1.jpg", "Dokumen 1.jpg",    # Word's, in Indonesian too
    "DCIM_0001.jpg", "image.jpg", "image (3).jpg", "photo.jpg", "Foto.jpg", "Gambar.jpg", "download (1).jpg",
    "unnamed.jpg", "Scan 2026-12-06.jpg", "CamScanner 12-06-2026 10.15.jpg", "New Doc 12-06-2026 10.15.jpg",
    "WhatsApp Image 2026-12-06 at 10.15.32.jpeg", "Screenshot_20261206-101532.jpg",
    "Tangkapan layar 2026-12-06 101532.png", "Cuplikan layar 2026-12-06 101532.png",   # Windows in Indonesian
    "Jepretan Layar 2026-12-06 pukul 10.15.32.png",                                    # a Mac in Indonesian
    # a copy of a name that names nobody: Google Drive's, a Mac's, Windows', in English and in Indonesian
    "Copy of IMG_1234.jpg", "Salinan dari IMG_1234.jpg", "IMG_1234 copy.jpg", "IMG_1234 copy 2.jpg",
    "Untitled - Copy (2).jpg", "image - Salinan.jpg", "s0005 copy.jpg"])
def test_a_computers_or_an_apps_default_name_names_nobody(name):
    """Rehearsal (helper-173): a sheet photographed as Untitled.jpg was the sheet of trainee "Untitled", and "Copy of
    IMG_1234", "Document_1", "DCIM_0001" or "Dokumen" named their sheets' trainees, so those sheets never reached
    the list of sheets nothing names. A default name a computer or an app gives, in English or Indonesian, and a
    copy of a name that names nobody, name nobody."""
    assert trainee_from_filename(name) is None


@pytest.mark.parametrize("name, page", [("Untitled_p2.jpg", 2), ("Foto_p1.jpg", 1), ("download hal 2.jpg", 2),
                                        ("Document-page-1.jpg", 1), ("image_p2.jpg", 2), ("Dokumen_p2.jpg", 2)])
def test_a_default_name_with_a_page_mark_names_nobody_and_keeps_its_page(name, page):
    """Rehearsal (helper-182): "Untitled_p2.jpg" named trainee "Untitled" (and "Foto_p1" "Foto"): the default names
    were matched with the page mark still on, and "_p2" is no counter. A default name with a page said plainly names
    nobody, and its page stays said; a real name with one still names."""
    from grader.file_names import names_nobody, split_page
    assert trainee_from_filename(name) is None and names_nobody(name)
    assert split_page(name)[1] == page
    assert trainee_from_filename("Budi_p2.jpg") == "Budi" and trainee_from_filename("Foto Andi_p1.jpg") == "Foto Andi"


@pytest.mark.parametrize("first, second", [("Document_1", "Document_2"), ("Untitled (1)", "Untitled (2)"),
                                           ("Foto 1", "Foto 2"), ("IMG_1", "IMG_2")])
def test_a_default_names_counter_is_no_page_and_pairs_no_two_trainees(tmp_path, first, second):
    """Rehearsal (helper-182): Fitri's page 1 (her number read ``10?``) and Bambang's page 2 (``103``, read surely)
    as ``Document_1.jpg`` and ``Document_2.jpg`` were graded as one sheet of 103's, as ``Foto 1``/``Foto 2`` were,
    where ``IMG_1``/``IMG_2`` were two (``Untitled (1)``/``(2)`` only by a download's count's weaker pairing). A
    default name's counter is an app's count of its files, no page: the sheets stay apart, each named by what is
    read on it or by nobody; a page said with a word still is one."""
    from grader.batch import grade_batch
    from grader.file_names import named_pages, split_page
    folder = tmp_path / "kelas"
    folder.mkdir()
    shutil.copy(sample("s0001-p1.jpg"), folder / f"{first}.jpg")
    shutil.copy(sample("s0004-p2.jpg"), folder / f"{second}.jpg")
    results = grade_batch([str(folder)], key=load_key(str(SAMPLES / "keys" / first_sheet()[0])))
    assert sorted([Path(p["file"]).name for p in r["pages"]] for r in results) == [[f"{first}.jpg"], [f"{second}.jpg"]]
    assert {r["trainee"] for r in results} == {"103", None}
    assert named_pages([("kelas", f"{first}.jpg"), ("kelas", f"{second}.jpg")]) == [None, None]
    assert split_page(f"{second}.jpg")[1] is None and split_page(f"{first.split()[0].split('_')[0]}_p2.jpg")[1] == 2


def test_the_webs_stand_in_pipeline_names_nobody_by_the_real_rule(tmp_path):
    """The web tests' stand-in pipeline (grader.web.testing) matched a default name with its page mark on, so it
    named "Untitled_p2.jpg" trainee "Untitled" where the real pipeline names nobody (4bc9410): web tests did not
    exercise the real rule. It takes it from grader.file_names now."""
    from grader.web import testing
    for name in ("Untitled_p2.jpg", "Foto_p1.jpg", "download hal 2.jpg", "Dokumen_p2.jpg", "Document_2.jpg",
                 "IMG_1.jpg", "Copy of IMG_1234.jpg", "kelas/Budi/hal1.jpg", "Budi_p2.jpg", "Foto Andi_p1.jpg"):
        result = testing.grade_upload([(name, b"")], out_dir=tmp_path)
        assert result["trainee"] == trainee_from_filename(name), name
    assert trainee_from_filename("kelas/Budi/hal1.jpg") == "Budi" and trainee_from_filename("Untitled_p2.jpg") is None


@pytest.mark.parametrize("stem", ["image" + " " * 20000 + "x", "s0005" + " " * 20000 + "x",
                                  "Untitled" + " - copy" * 4000 + "x"])
def test_reading_a_long_name_for_a_cameras_takes_no_time(stem):
    """A zip's member or an upload may have a name of thousands of characters. helper-173's copy marks read a run of
    spaces two ways ("image" and 20,000 spaces took 6 s), as the bare code's page mark already did ("s0005" and
    spaces: 3 s): each is read one way now."""
    import time
    from grader.file_names import CAMERA_NAME_RE
    start = time.perf_counter()
    assert not CAMERA_NAME_RE.match(stem)
    assert time.perf_counter() - start < 0.5


def test_reading_a_long_names_page_takes_no_time():
    """Rehearsal (helper-173): grader grade of a zip whose one member is "budi", 1,000 spaces and "x.jpg" took 7 s
    (0.4 s as "budi.jpg"): the page mark's pattern read a run of separators in cubic time, 3 s a reading (and a
    name of 2,000 spaces 22 s). Such a name is read in milliseconds, and as before."""
    import time
    from grader.file_names import split_page, trainee_from_filename
    start = time.perf_counter()
    assert split_page("budi" + " " * 1500 + "x.jpg") == ("budi" + " " * 1500 + "x", None)
    assert split_page("budi" + " _" * 750 + "hal 2.jpg") == ("budi", 2)
    assert trainee_from_filename("Budi" + " " * 1500 + "p1.jpg") == "Budi"
    assert time.perf_counter() - start < 0.5


@pytest.mark.parametrize("stem", ["budi" + " " * 20000 + "x", "budi" + " -" * 10000 + "x", "1" * 20000 + "x"],
                         ids=["spaces", "separators", "digits"])
def test_pairing_a_long_names_pages_takes_no_time(stem):
    """Rehearsal (helper-176): named_pages, which pairs a folder's or a zip's photos by name on the command line and
    the web alike, took 5 s for a name of "budi", 20,000 spaces and "x" (2 s for 20,000 digits): the pattern that
    tells a count past 2 read a run in quadratic time. It reads one in milliseconds, as before."""
    import time
    from grader.file_names import named_pages
    start = time.perf_counter()
    assert named_pages([("d", stem + ".jpg"), ("d", "eko (3).jpg"), ("d", "eko (2).jpg")]) == [None, None, None]
    assert time.perf_counter() - start < 0.5


def test_a_name_of_thousands_of_digits_fails_nothing():
    """Review (helper-178): a zip member named with more than 4,300 digits made the web batch fail to store: the
    name rules turned digit runs into numbers with int(), which Python refuses past 4,300 digits (ValueError). Such a
    name is read as any other: a number's order and comparison need no int of the whole run."""
    from pathlib import PurePosixPath
    from grader.file_names import named_pages, taken_order
    from grader.page_groups import normalise_id, number_text, trainee_order
    digits = "1" * 5000
    assert normalise_id("000" + digits) == digits and normalise_id("0081") == "81" and normalise_id("000") == "0"
    assert number_text(digits) == digits and number_text("81") == "081" and number_text("0081") == "081"
    assert trainee_order(digits) > trainee_order("999") > trainee_order("104") > trainee_order("81")
    assert trainee_order("Andi") > trainee_order(digits)
    assert named_pages([("d", digits + ".jpg"), ("d", f"eko ({digits}).jpg")]) == [None, None]
    names = [f"x ({digits}).jpg", "x (12).jpg", "x.jpg", "x (2).jpg", "x (1).jpg"]
    assert sorted(names, key=lambda n: taken_order(PurePosixPath(n))) == [
        "x.jpg", "x (1).jpg", "x (2).jpg", "x (12).jpg", f"x ({digits}).jpg"]


def test_a_new_folders_default_name_names_nobody(tmp_path):
    """Rehearsal (helper-173): a refused photo in kelas/New folder/ (Windows' name for a new folder; "Folder baru" in
    Indonesian, a Mac's "untitled folder", "folder tanpa judul") was the sheet of trainee "New folder", "from the folder
    name". Such a folder names nobody, on the command line and in the web batch alike (trainee_folders); a folder
    named after a trainee still names them, and so does a trainee's "Folder Andi"."""
    from grader.file_names import trainee_folders
    folders = ["New folder", "New folder (2)", "Folder baru", "Folder baru (3)", "untitled folder", "untitled folder 2",
               "folder tanpa judul", "Andi", "Folder Andi"]
    assert trainee_folders([("z", f"kelas/{f}/IMG_1001.jpg") for f in folders]) == [None] * 7 + ["Andi", "Folder Andi"]
    for i, folder in enumerate(("New folder", "Folder baru (2)", "Sari")):          # with the real pipeline
        (tmp_path / "kelas" / folder).mkdir(parents=True)
        (tmp_path / "kelas" / folder / f"IMG_100{i}.jpg").write_bytes(sample("r000-too_blurry.jpg").read_bytes()
                                                                     + b"x" * (i + 1))
    out = tmp_path / "class.csv"
    assert main(["grade", str(tmp_path / "kelas"), "--key", str(SAMPLES / "keys" / first_sheet()[0]),
                 "--csv", str(out)]) == 0
    rows = {Path(r["files"]).parent.name: (r["trainee"], r["trainee_source"])
            for r in csv.DictReader(out.open(encoding="utf-8-sig"))}
    assert rows == {"New folder": ("", ""), "Folder baru (2)": ("", ""), "Sari": ("Sari", "filename")}


@pytest.mark.parametrize("name,expected", [("budi.jpg", "budi"), ("Siti Aminah.jpg", "Siti Aminah"),
                                           ("andi_hal2.jpg", "andi"), ("eko (2).jpg", "eko"), ("Dewi.jpg", "Dewi"),
                                           ("Foto Andi.jpg", "Foto Andi"), ("Dokumen Budi.jpg", "Dokumen Budi"),
                                           ("Untung.jpg", "Untung"), ("Copy of budi.jpg", "budi")])
def test_a_name_beside_a_default_word_still_names_its_trainee(name, expected):
    """The default names above are whole names: a trainee's name with one of their words still names the trainee."""
    assert trainee_from_filename(name) == expected


@pytest.mark.parametrize("name,expected", [
    ("eko - Copy.jpg", "eko"), ("eko copy 2.jpg", "eko"), ("Eko - Salinan.jpg", "Eko"), ("eko - Copy (2).jpg", "eko"),
    ("Copy of eko.jpg", "eko"), ("Salinan dari Eko.jpg", "Eko"), ("eko (3).jpg", "eko"), ("eko (2) (1).jpg", "eko"),
    ("kelas/Budi - Copy/hal1.jpg", "Budi"),
    # a copy of a copy, as a cloud drive names it (it named "Copy of budi": helper-190)
    ("Copy of Copy of budi.jpg", "budi"), ("Salinan dari Salinan dari Sri.jpg", "Sri"),
    ("Copy of Salinan dari Eko - Copy.jpg", "Eko"),
    # a name that is only a copy's marks still names, as before: only whom a name names changes
    ("Copy.jpg", "Copy"), ("Salinan dari.jpg", "Salinan dari"), ("budi_p2copy.jpg", "budi_p2copy"),
    # a bare "img" is a default name, as "image" is; with a name after it, it names
    ("img.jpg", None), ("IMG.JPG", None), ("img (2).jpg", None), ("Img Andi.jpg", "Img Andi")])
def test_a_copy_of_a_trainees_photo_names_that_trainee_and_img_names_nobody(name, expected):
    """Rehearsal (helper-176): "eko - Copy.jpg", a copy of Eko's photo, named trainee "eko - Copy" (a trainee of its
    own beside eko.jpg's Eko), and "img.jpg" named trainee "img". A copy's marks around a name are no part of whom it
    names; a bare "img" names nobody."""
    from grader.file_names import trainee_folders
    assert trainee_from_filename(name) == expected
    assert trainee_folders([("", "kelas/Sari - Copy/IMG_1234.jpg"), ("", "kelas/Budi/foto.jpg")]) == ["Sari", "Budi"]


def test_a_sheet_photographed_as_untitled_is_no_trainees_in_the_table_and_the_csv(tmp_path, capsys):
    """Rehearsal (helper-173), with the real pipeline: a blurred photo saved as Untitled.jpg (and one as Document_1.jpg)
    was a refused sheet of trainee "Untitled" ("Document"), "from the file name"; budi.jpg still names Budi."""
    blurry = sample("r000-too_blurry.jpg").read_bytes()
    for i, name in enumerate(("Untitled.jpg", "Document_1.jpg", "budi.jpg")):
        (tmp_path / name).write_bytes(blurry + b"x" * (i + 1))          # (not byte for byte one photo)
    code = truth("s0005-p1.jpg")["exercise"]
    out = tmp_path / "class.csv"
    assert main(["grade", str(tmp_path / "Untitled.jpg"), str(tmp_path / "Document_1.jpg"), str(tmp_path / "budi.jpg"),
                 "--key", str(SAMPLES / "keys" / code), "--csv", str(out)]) == 0
    rows = {Path(r["files"]).name: r for r in csv.DictReader(out.open(encoding="utf-8-sig"))}
    assert {n: (r["trainee"], r["trainee_source"]) for n, r in rows.items()} == {
        "Untitled.jpg": ("", ""), "Document_1.jpg": ("", ""), "budi.jpg": ("budi", "filename")}
    capsys.readouterr()
    assert main(["grade", str(tmp_path / "Untitled.jpg"), "--key", str(SAMPLES / "keys" / code)]) == 0
    table = capsys.readouterr().out
    assert table.startswith("?Untitled ") and "from the file name" not in table, table     # (a label, no trainee)


def test_a_devices_short_counter_names_no_sheet_with_the_real_pipeline(tmp_path):
    """Rehearsal (helper-176), with the real pipeline: a blurred IMG_2.jpg beside IMG_1.jpg was a refused sheet of
    trainee "IMG", and IMG_12.jpg one of "IMG_12", "from the file name". They name nobody now."""
    blurry = sample("r000-too_blurry.jpg").read_bytes()
    for i, name in enumerate(("IMG_1.jpg", "IMG_2.jpg", "IMG_12.jpg")):
        (tmp_path / name).write_bytes(blurry + b"x" * (i + 1))          # (not byte for byte one photo)
    out = tmp_path / "class.csv"
    assert main(["grade", str(tmp_path), "--key", str(SAMPLES / "keys" / truth("s0005-p1.jpg")["exercise"]),
                 "--csv", str(out)]) == 0
    rows = {Path(r["files"]).name: (r["trainee"], r["trainee_source"])
            for r in csv.DictReader(out.open(encoding="utf-8-sig"))}
    assert rows == {"IMG_1.jpg": ("", ""), "IMG_2.jpg": ("", ""), "IMG_12.jpg": ("", "")}, rows


@pytest.mark.parametrize("name,expected", [("budi_santoso.jpg", "budi_santoso"), ("03 Siti.jpg", "03 Siti"),
                                           ("Ai_1.jpg", "Ai"), ("Siti Aisyah 2.jpg", "Siti Aisyah"),
                                           ("P017.jpg", "P017"), ("Dewi-0012.jpg", "Dewi-0012")])
def test_names_a_class_gives_its_photos_still_name_their_trainee(name, expected):
    """Trainers name photos after trainees (a name, a seat's "03 Siti", a code of the sheet's three-box number "P017"):
    those keep naming them beside the counters above."""
    assert trainee_from_filename(name) == expected


@pytest.mark.parametrize("name,expected", [("017.jpg", "017"), ("3171234567890001_p1.jpg", "3171234567890001"),
                                           ("Budi 1000.jpg", "Budi 1000")])
def test_a_trainees_number_or_nik_as_a_file_name_still_names_them(name, expected):
    assert trainee_from_filename(name) == expected


@pytest.mark.parametrize("name,expected", [("budi_p1.jpg", "budi"), ("Siti-hal-2.JPG", "Siti"),
                                           ("017 page 1.jpeg", "017"), ("imam_p2.jpg", "imam"),
                                           ("/kelas/Budi/hal1.jpg", "Budi"), ("k.zip:Siti/p2.jpg", "Siti"),
                                           ("hal1.jpg", None), ("k.zip:hal2.jpg", None),
                                           ("Foto Budi (1).jpg", "Foto Budi"), ("Sam_1.jpg", "Sam"),
                                           # the page rule the batch pairs photos by: only 1 and 2 are pages
                                           ("Budi lembar 2.jpg", "Budi"), ("budihal1.jpg", "budi"),
                                           ("budi_3.jpg", "budi_3"), ("x:y/k.zip:ani_p1.jpg", "ani"),
                                           # names the camera or the chat app gave name nobody
                                           ("IMG_0042.jpg", None), ("chat.zip:IMG-20241127-WA0006.jpg", None),
                                           ("WhatsApp Image 2024-11-27 at 10.15.32.jpeg", None),
                                           ("PXL_20241127_101010123.jpg", None), ("Foto 3.jpg", None)])
def test_trainee_from_filename(name, expected):
    assert trainee_from_filename(name) == expected


@pytest.mark.parametrize("name,page,trainee", [
    ("budi_p2 (1).jpg", ("budi", 2), "budi"), ("budi_1 (1).jpg", ("budi", 1), "budi"),
    ("budi_p2 - Copy.jpg", ("budi", 2), "budi"), ("budi_p2 copy.jpg", ("budi", 2), "budi"),
    ("Budi hal 2 copy 2.jpg", ("budi", 2), "Budi"), ("budi_p2 - Salinan.jpg", ("budi", 2), "budi"),
    ("budi_p2 - Copy (2).jpg", ("budi", 2), "budi"), ("budi_p1 (1) (1).jpg", ("budi", 1), "budi"),
    ("Budi/hal2 (1).jpg", ("hal2", None), "Budi"), ("s0005-p1 (1).jpg", ("s0005", 1), None),
    # a copy's mark after no page number said plainly: as before ("eko (1)" is no copy of a page 1)
    ("eko (1).jpg", ("eko", 1), "eko"), ("eko (2) (1).jpg", ("eko (2)", 1), "eko"),
    ("eko - Copy.jpg", ("eko - copy", None), "eko"), ("budi_p2copy.jpg", ("budi_p2copy", None), "budi_p2copy")])
def test_a_copys_mark_after_a_page_number_leaves_the_page_in_force(name, page, trainee):
    """Rehearsal (helper-176): "budi_p2 (1).jpg", a browser's or WhatsApp Web's second download of budi_p2.jpg, was
    trainee "budi_p2", page 1, a sheet of its own (and "budi_1 - Copy.jpg" trainee "budi_1 - Copy", no page). A copy's
    mark, "(1)", " - Copy", " copy 2", " - Salinan", after a page number said plainly leaves that page in force."""
    from grader.file_names import page_said_plainly, split_page
    assert split_page(name) == page
    assert trainee_from_filename(name) == trainee
    assert page_said_plainly(name) == (page[0] in ("budi", "hal2", "s0005"))      # (as the name before the copy)


def test_a_copy_of_a_numbered_page_is_that_page_with_the_real_pipeline(tmp_path):
    """Rehearsal (helper-176), with the real pipeline: budi_p1.jpg and a blurred "budi_p2 (1).jpg" were two sheets,
    009's with page 2 missing and a refused one of trainee "budi_p2"; sari_1.jpg and "sari_2 - Copy.jpg" likewise.
    Each pair is one sheet now, its page 2 refused; beside budi_p2.jpg, the copy is a retake of page 2. And
    Eko/hal1.jpg with a blurred "Eko/hal2 (1).jpg" was 069's sheet and a refused one of trainee "hal2"."""
    blurry = sample("r000-too_blurry.jpg").read_bytes()
    for folder, files in {"a": {"budi_p1.jpg": sample("s0000-p1.jpg").read_bytes(), "budi_p2 (1).jpg": blurry,
                                "sari_1.jpg": sample("s0001-p1.jpg").read_bytes(), "sari_2 - Copy.jpg": blurry + b"x"},
                          "b": {"budi_p1.jpg": sample("s0003-p1.jpg").read_bytes(),
                                "budi_p2.jpg": sample("s0003-p2.jpg").read_bytes(), "budi_p2 (1).jpg": blurry,
                                # a copy of a name that is only a page: its folder's where the folder is one trainee's
                                "Eko/hal1.jpg": sample("s0006-p1.jpg").read_bytes(), "Eko/hal2 (1).jpg": blurry + b"x"}
                          }.items():
        for name, data in files.items():
            (tmp_path / folder / name).parent.mkdir(parents=True, exist_ok=True)
            (tmp_path / folder / name).write_bytes(data)
        out = tmp_path / f"{folder}.csv"
        assert main(["grade", str(tmp_path / folder), "--key", str(SAMPLES / "keys" / truth("s0000-p1.jpg")["exercise"]),
                     "--csv", str(out)]) == 0
        rows = [(r["trainee"], [Path(f).name for f in r["files"].split(";")], r["refusal"].split("/")[-1])
                for r in csv.DictReader(out.open(encoding="utf-8-sig"))]
        assert rows == {"a": [("009", ["budi_p1.jpg", "budi_p2 (1).jpg"], "budi_p2 (1).jpg=too_blurry"),
                              ("sari", ["sari_1.jpg", "sari_2 - Copy.jpg"], "sari_2 - Copy.jpg=too_blurry")],
                        "b": [("061", ["budi_p1.jpg", "budi_p2.jpg", "budi_p2 (1).jpg"], "budi_p2 (1).jpg=too_blurry"),
                              ("069", ["hal1.jpg", "hal2 (1).jpg"], "hal2 (1).jpg=too_blurry")]}[folder], rows


def test_report_escapes_user_text():
    html = render_report({"trainee": "<script>alert(1)</script>", "trainee_name": None, "identity_source": "filename",
                          "exercise": "ABC", "status": "graded", "score": 50.0,
                          "counts": {"ok": 1, "wrong": 0, "review": 0, "blank": 0, "unreadable": 0},
                          "pages": [], "top_fixes": [], "rules": [], "findings": [],
                          "fields": [{"id": "V.A", "section": "V", "value": 1, "expected": 1, "status": "ok"}]})
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_a_retake_advice_reaches_the_sheet_csv_and_the_printable_report():
    from grader.result_rows import SHEET_COLUMNS, sheet_rows

    advice = {"code": "print_out_of_place", "fields": ["IV.1.bubbles", "IV.3.bubbles"],
              "message_id": "Di foto halaman 2, bulatan 2 isian tidak tepat di tempat cetakannya.", "message_en": "x"}
    res = {"trainee": "42", "trainee_name": None, "identity_source": "qr", "exercise": "ABC", "status": "graded",
           "score": 80.0, "counts": {"ok": 9, "wrong": 0, "review": 6, "blank": 0, "unreadable": 0},
           "pages": [{"file": "a-p1.jpg", "page": 1, "refusal": None, "advice": None},
                     {"file": "a-p2.jpg", "page": 2, "refusal": None, "advice": advice}],
           "top_fixes": [], "rules": [], "findings": [], "fields": []}
    row = sheet_rows([res])[0]
    assert set(row) == set(SHEET_COLUMNS)
    assert row["score"] == 80
    assert sheet_rows([{**res, "score": 98.8}])[0]["score"] == 98         # as every page shows it
    # a sheet with a page unread: no score of the whole sheet, its read pages' score beside it
    half = sheet_rows([{**res, "status": "partial", "score": 100.0}])[0]
    assert (half["score"], half["partial_score"], row["partial_score"]) == ("", 100, "")
    assert row["retake_advised"] == "a-p2.jpg=IV.1.bubbles,IV.3.bubbles" and row["refusal"] == ""
    assert "a-p2.jpg: Di foto halaman 2, bulatan 2 isian" in render_report(res)


def test_a_retake_is_no_longer_advised_for_fields_a_trainer_has_settled():
    code, names = first_sheet()
    key = load_key(str(SAMPLES / "keys" / code))
    res = grade_upload([(n, sample(n).read_bytes()) for n in names], key=key)
    page = next(p for p in res["pages"] if p["page"] == 2)
    assert page["advice"] is None
    page["advice"] = {"code": "print_out_of_place", "fields": ["IV.1.bubbles", "IV.2.bubbles"],
                      "message_id": "…", "message_en": "…"}
    once = regrade(res, {"IV.1.bubbles": key.fields["IV.1"]}, key)
    advice = next(p for p in once["pages"] if p["page"] == 2)["advice"]
    assert advice["fields"] == ["IV.2.bubbles"] and "halaman 2, bulatan di 1 isian" in advice["message_id"]
    twice = regrade(once, {"IV.2.bubbles": key.fields["IV.2"]}, key)
    assert next(p for p in twice["pages"] if p["page"] == 2)["advice"] is None


def test_a_bare_page_name_typed_inside_its_folder_is_named_by_the_folder(tmp_path, monkeypatch):
    """``grader grade hal1.jpg`` inside Budi/ labels the sheet Budi, as ``grader grade Budi/hal1.jpg`` does."""
    folder = tmp_path / "Budi"
    folder.mkdir()
    (folder / "hal1.jpg").write_bytes(b"x")
    (folder / "other.jpg").write_bytes(b"y")
    monkeypatch.chdir(folder)
    names = [name for name, _ in iter_inputs(["hal1.jpg", "other.jpg"])]
    assert [trainee_from_filename(n) for n in names] == ["Budi", "other"]
    assert names == ["../Budi/hal1.jpg", "other.jpg"]   # still a path to it, without the trainer's folders


def test_the_header_picture_is_cut_by_the_templates_header_fields_only():
    """A text field elsewhere on a page (a note line) must not stretch the header picture down the page."""
    from types import SimpleNamespace as NS

    from grader.grading.feedback_files import identity_rect
    from grader.sheet.layout import Rect
    fields = [NS(id="H.TRAINEE", kind="digits", rect=Rect(38, 28, 22.5, 9)), NS(id="H.NAME", kind="text",
              rect=Rect(82, 28, 74, 8)), NS(id="X.NOTE", kind="text", rect=Rect(20, 200, 100, 20))]
    sheet = NS(spec=NS(header={"trainee": {"id": "H.TRAINEE"}, "name": {"id": "H.NAME"}}), pages=[NS(fields=fields)])
    assert identity_rect(sheet, 1) == Rect(38, 28, 118, 9)


def test_a_reading_we_are_unsure_of_is_printed_with_its_doubt_not_as_a_number():
    """Rehearsal (helper-140): the printed sheet said "Terbaca 8 · Seharusnya 68 · Perlu dicek", which a trainee reads
    as "I wrote 8", when the box we were unsure of may hold the 6. A digits field in review shows "?" at the boxes
    it names ("X?8"), on paper as on the result page; a field read surely shows its number."""
    from grader.grading.shown import shown_reading
    unsure = {"id": "I.B.1.P", "kind": "digits", "status": "review", "value": 8, "boxes": ["X", "X", "8"],
              "unsure_boxes": [1], "expected": 68, "notes": [], "section": "I"}
    sure = {**unsure, "id": "I.B.1.L", "status": "ok", "value": 68, "boxes": ["X", "6", "8"], "unsure_boxes": []}
    assert (shown_reading(unsure), shown_reading(sure)) == ("X?8", "68")
    assert shown_reading({**unsure, "disputed_at": "2026-12-06T08:00:00"}) == "8"    # (a trainer looks at it whole)
    assert shown_reading({"id": "IV.1", "kind": "tally", "status": "review", "value": 7}) == "7"
    res = {"trainee": "017", "trainee_name": None, "identity_source": "caller", "exercise": "ABC", "status": "graded",
           "score": 90.0, "counts": {"ok": 1, "wrong": 0, "review": 1, "blank": 0, "unreadable": 0},
           "fields": [unsure, sure], "rules": [], "findings": [], "top_fixes": [], "pages": []}
    html = render_report(res)
    assert re.search(r"<td>X\?8</td>\s*<td>68</td>", html) and not re.search(r"<td>8</td>\s*<td>68</td>", html)


def test_a_score_waiting_on_an_unreadable_field_is_provisional_on_paper():
    """Review: an unreadable field of a read page waits for a trainer and is out of the score like one in review,
    but only review made the printed score 'sementara'."""
    res = {"trainee": "017", "trainee_name": None, "identity_source": "caller", "exercise": "ABC", "status": "graded",
           "score": 100.0, "counts": {"ok": 30, "wrong": 0, "review": 0, "blank": 0, "unreadable": 1},
           "fields": [], "rules": [], "findings": [], "top_fixes": [], "pages": []}
    assert "/100 sementara" in render_report(res)
    # nothing to fix yet is not "Bagus!" while entries wait (review s34: printed beside a field read 0, key 1)
    assert "Bagus" not in render_report(res) and "masih menunggu diperiksa pelatih" in render_report(res)
    res["counts"]["unreadable"] = 0
    assert "sementara" not in render_report(res) and "Bagus" in render_report(res)


@pytest.mark.parametrize("jobs", ["0", "-2", "two"])
def test_a_worker_count_below_one_is_refused_not_taken_for_one(jobs, capsys):
    """Review: -j 0 and -j -2 ran the batch with one worker without a word."""
    key = str(SAMPLES / "keys" / first_sheet()[0])
    for command in (["grade", str(sample("r000-too_blurry.jpg")), "--key", key], ["synth", "--out", "x"]):
        assert main([*command, "-j", jobs]) == 2
        err = capsys.readouterr().err
        assert "-j/--jobs" in err and "worker processes" in err and err.count("\n") == 1 and "graded" not in err


def test_a_batch_refused_or_interrupted_leaves_no_empty_tables_or_folders(tmp_path, capsys, monkeypatch):
    """Review: an unknown --key (or Ctrl-C during the batch) left an empty OUT.csv and OUT-fields.csv (created to
    check they could be written) and the --out folder behind, as if a batch had graded nobody."""
    photo, out = str(sample("r000-too_blurry.jpg")), tmp_path / "hasil"
    outputs = ["--csv", str(out / "kelas.csv"), "--out", str(out / "umpan")]
    out.mkdir()
    assert main(["grade", photo, "--key", "NOSUCH", *outputs]) == 2
    assert "NOSUCH" in capsys.readouterr().err and list(out.iterdir()) == []

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt
    monkeypatch.setattr("grader.commands.grade.grade_batch", interrupted)
    assert main(["grade", photo, "--key", str(SAMPLES / "keys" / first_sheet()[0]), *outputs]) == 130
    assert "interrupted" in capsys.readouterr().err
    assert [p.name for p in out.iterdir()] == ["umpan"]       # the folder asked for, and no table of nobody


def test_a_refused_command_makes_no_folder_for_its_tables(tmp_path, capsys):
    """Review: ``--csv OUT/x.csv`` (or ``--xlsx``) made its missing folder before the later checks, so a command
    refused by them (``--report-lang`` without ``--out``, an ``--out`` holding the photos) left an empty folder
    behind. Folders are made only once the command is accepted."""
    key = str(SAMPLES / "keys" / first_sheet()[0])
    photos = tmp_path / "kelas"
    photos.mkdir()
    (photos / "s.jpg").write_bytes(sample("r000-too_blurry.jpg").read_bytes())
    for n, (table, refused_by) in enumerate([(t, r) for t in ("csv", "xlsx") for r in (
            ["--report-lang", "en"], ["--out", str(photos)], ["--key", "NOSUCH"])]):
        out = tmp_path / f"hasil{n}" / f"kelas.{table}"
        assert main(["grade", str(photos), "--key", key, f"--{table}", str(out), *refused_by]) == 2, refused_by
        assert "error" in capsys.readouterr().err
        assert not out.parent.exists(), (table, refused_by)


def test_a_file_name_that_is_not_utf8_is_written_with_a_replacement_character(tmp_path, capsys):
    """Review: a photo named in another encoding (bytes that are not UTF-8, as an old camera or a Windows zip tool
    may leave them) crashed --csv and --out with a UnicodeEncodeError after the whole batch."""
    folder = tmp_path / "kelas"
    folder.mkdir()
    (folder / os.fsdecode(b"siti\xe9_p1.jpg")).write_bytes(sample("r000-too_blurry.jpg").read_bytes())
    table = tmp_path / "kelas.csv"
    assert main(["grade", str(folder), "--key", str(SAMPLES / "keys" / first_sheet()[0]), "--csv", str(table),
                 "--out", str(tmp_path / "umpan")]) == 0
    row, = csv.DictReader(table.open(encoding="utf-8-sig"))
    assert row["trainee"] == "siti\ufffd" and row["files"] == f"{folder}/siti\ufffd_p1.jpg"
    assert "siti\ufffd_p1.jpg" in next((tmp_path / "umpan").glob("*-feedback.html")).read_text(encoding="utf-8")
    capsys.readouterr()
    assert main(["read", str(next(folder.iterdir())), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["file"] == f"{folder}/siti\ufffd_p1.jpg"


def test_the_same_photo_twice_is_graded_once_and_the_copy_is_named(tmp_path, capsys, caplog):
    """Review: a photo named twice (a file and its folder, or forwarded twice in a chat) was a second sheet row of
    its trainee, counted in 'graded N sheet(s)'; the web batch grades it once (same_photo)."""
    folder = tmp_path / "kelas"
    folder.mkdir()
    photo = folder / "budi_p1.jpg"
    photo.write_bytes(sample("r000-too_blurry.jpg").read_bytes())
    (folder / "IMG-20241127-WA0007.jpg").write_bytes(photo.read_bytes())
    with caplog.at_level("WARNING", logger="grader.batch"):
        assert main(["grade", str(photo), str(folder), "--key", str(SAMPLES / "keys" / first_sheet()[0]),
                     "--json"]) == 0
    out, err = capsys.readouterr()
    assert [[p["file"] for p in r["pages"]] for r in json.loads(out)] == [[str(photo)]]
    assert "graded 1 sheet(s) (1 photo(s))" in err
    for copy in (folder / "IMG-20241127-WA0007.jpg", photo):
        assert f"skipped {copy} [same_photo]: the same photo as {photo}; graded once" in caplog.text


def test_many_copies_of_photos_already_in_the_batch_are_counted_not_listed_one_by_one(tmp_path, capsys, caplog):
    """A class folder holding a chat export and the folder it was unzipped to (h41b): each of its photos was said
    again as a copy, one warning line each, 60 lines for a class of 30 that buried the warnings that matter."""
    folder = tmp_path / "kelas"
    folder.mkdir()
    blurred = sample("r000-too_blurry.jpg").read_bytes()
    with zipfile.ZipFile(folder / "WhatsApp Chat.zip", "w") as zf:
        for k in range(8):      # (bytes after the JPEG's end: eight photos, each its own)
            (folder / f"IMG-20261205-WA{k:04d}.jpg").write_bytes(blurred + bytes(k))
            zf.writestr(f"IMG-20261205-WA{k:04d}.jpg", blurred + bytes(k))
    with caplog.at_level("WARNING", logger="grader.batch"):
        assert main(["grade", str(folder), "--key", str(SAMPLES / "keys" / first_sheet()[0])]) == 0
    assert "graded 8 sheet(s) (8 photo(s))" in capsys.readouterr().err
    named = [r.getMessage() for r in caplog.records if "[same_photo]: the same photo as" in r.getMessage()]
    assert len(named) == 5 and all("WhatsApp Chat.zip:IMG-20261205-WA" in m for m in named)
    assert "and 3 more photo(s) the batch already holds byte for byte [same_photo], each graded once" in caplog.text


def test_a_class_graded_against_another_exercises_key_says_which_key_to_give(capsys):
    """`--key` of another existing exercise (h41b: a trainer's slip between two classes' codes) refused every sheet
    with a message for the trainee ("Use the sheet and the exercise code of the same exercise"), exit 0, and nothing
    said that the trainer's --key was what was wrong. One stray sheet of another exercise among graded ones is the
    trainee's mistake, and gets no such hint."""
    photos = [str(sample(f"s0001-p{n}.jpg")) for n in (1, 2)] + [str(sample(f"s0002-p{n}.jpg")) for n in (1, 2)]
    assert main(["grade", *photos, "--key", str(SAMPLES / "keys" / "E4KWNN")]) == 0
    err = capsys.readouterr().err
    assert "2 of 2 sheet(s) are of exercise 6ARJET, not E4KWNN: if --key names the wrong exercise, grade again " \
           "with --key 6ARJET" in err, err
    stray = [str(sample(f"s0008-p{n}.jpg")) for n in (1, 2)]           # an E4KWNN sheet among 6ARJET ones
    assert main(["grade", *photos, *stray, "--key", str(SAMPLES / "keys" / "6ARJET")]) == 0
    assert "grade again with --key" not in capsys.readouterr().err


def test_a_batch_with_refused_sheets_says_so_in_its_summary(tmp_path, capsys):
    """Review: 'graded 11 sheet(s)' was all a batch said when 10 of them were refused and graded not at all."""
    photos = [str(sample(n)) for n in ("r000-too_blurry.jpg", "r001-too_dark.jpg")]
    assert main(["grade", *photos, "--key", str(SAMPLES / "keys" / first_sheet()[0]),
                 "--csv", str(tmp_path / "kelas.csv")]) == 0
    err = capsys.readouterr().err
    assert "2 of 2 sheet(s) were refused and not graded" in err and "the refusal columns of" in err


def test_a_chat_export_larger_than_one_photo_is_opened(tmp_path, caplog):
    """Review: a zip over the 25 MB a single photo may have (any class's chat export with a video in it) was
    refused whole as one too_large 'photo', so none of its photos was graded."""
    chat = tmp_path / "WhatsApp Chat.zip"
    with zipfile.ZipFile(chat, "w") as zf:
        zf.writestr("budi_p1.jpg", sample("r000-too_blurry.jpg").read_bytes())
        zf.writestr("VID-20241127-WA0001.mp4", np.random.default_rng(0).bytes(31 * 1024 * 1024))
    with caplog.at_level("WARNING", logger="grader.batch"):
        items = list(iter_inputs([chat]))
    assert [(name, type(data)) for name, data in items] == [(f"{chat}:budi_p1.jpg", bytes)]


def test_report_lang_en_writes_the_printable_reports_in_english(tmp_path, capsys):
    """A trainer of a class that reads English asks for the printed pages in English; the default stays Indonesian."""
    photo = str(sample("r000-too_blurry.jpg"))
    key = str(SAMPLES / "keys" / first_sheet()[0])
    for lang, folder in (("en", "english"), (None, "default")):
        extra = ["--report-lang", lang] if lang else []
        assert main(["grade", photo, "--key", key, "--out", str(tmp_path / folder), *extra]) == 0
    english = next((tmp_path / "english").glob("*-feedback.html")).read_text(encoding="utf-8")
    default = next((tmp_path / "default").glob("*-feedback.html")).read_text(encoding="utf-8")
    assert 'lang="en"' in english and "This sheet is not graded yet" in english and "belum dinilai" not in english
    assert "r000-too_blurry.jpg: The photo" in english                   # the refusal, in English too
    assert 'lang="id"' in default and "Lembar ini belum dinilai" in default
    assert main(["grade", photo, "--key", key, "--out", str(tmp_path / "x"), "--report-lang", "fr"]) == 2
    assert "invalid choice: 'fr'" in capsys.readouterr().err


def test_a_folder_per_trainee_names_and_holds_together_photos_whose_names_name_nobody():
    """helper-63's review, for the command line as for the web batch: a class's zip of folders per trainee
    (kelas/Andi/IMG-…-WA0006.jpg) named the sheet by its camera file name, and did not hold Andi's two photos
    together; the folder around the whole class, or a folder of more photos than a sheet has pages, names nobody."""
    from grader.batch import folder_names, group_reads
    from grader.pipeline import PhotoRead, named_by_folder

    files = ["/t/kelas.zip:kelas/Andi/IMG-20241127-WA0006.jpg", "/t/kelas.zip:kelas/Andi/IMG-20241127-WA0007.jpg",
             "/t/kelas.zip:kelas/Sari/foto.jpg", "/t/kelas.zip:kelas/Budi_p1.jpg",
             "/t/kelas.zip:kelas/wave/a.jpg", "/t/kelas.zip:kelas/wave/b.jpg", "/t/kelas.zip:kelas/wave/c.jpg"]
    reads = [PhotoRead(file=f) for f in files]
    assert folder_names(reads) == ["Andi", "Andi", "Sari", None, None, None, None]
    groups = [[pr.file.rsplit("/", 1)[1] for pr in g] for g in group_reads(reads)]
    assert ["IMG-20241127-WA0006.jpg", "IMG-20241127-WA0007.jpg"] in groups and ["foto.jpg"] in groups
    assert ["a.jpg"] in groups and ["b.jpg"] in groups               # a wave's photos are not one sheet
    assert folder_names([PhotoRead(file="/t/Andi/foto.jpg"), PhotoRead(file="/t/Andi/hal2.jpg")]) == [None, None]
    assert named_by_folder({"trainee": None}, "Andi") == {"trainee": "Andi", "identity_source": "filename"}
    assert named_by_folder({"trainee": "104", "identity_source": "qr"}, "Andi")["trainee"] == "104"


def test_grade_batch_names_a_sheet_by_its_trainees_folder_after_the_qr_and_the_number(tmp_path, monkeypatch):
    import grader.batch as batch
    from grader.pipeline import PhotoRead

    with zipfile.ZipFile(tmp_path / "kelas.zip", "w") as zf:
        for name, content in (("kelas/Andi/IMG-20241127-WA0006.jpg", b"1"), ("kelas/Andi/IMG-20241127-WA0007.jpg", b"2"),
                              ("kelas/Sari/foto.jpg", b"3")):
            zf.writestr(name, b"\xff\xd8\xff" + content)
    monkeypatch.setattr(batch, "read_all", lambda items, **k: [PhotoRead(file=name) for name, _ in items])
    said = {"foto.jpg": "104"}                # as if the number written on Sari's sheet were read firmly
    monkeypatch.setattr(batch, "grade_reads", lambda group, **k: {
        "trainee": said.get(group[0].file.rsplit("/", 1)[1]), "identity_source": "trainee_number",
        "files": [pr.file.rsplit("/", 1)[1] for pr in group]})
    results = batch.grade_batch([str(tmp_path / "kelas.zip")], key=None)
    assert sorted((r["trainee"], r["identity_source"], len(r["files"])) for r in results) == [
        ("104", "trainee_number", 1), ("Andi", "filename", 2)]


def test_a_name_without_a_page_number_is_one_sheet_with_the_same_name_numbered_2(tmp_path, monkeypatch):
    """Rehearsal (helper-170): in one folder eko.jpg (page 1) with eko_2.jpg, "eko (2).jpg" or "eko hal 2.jpg" (page
    2) were two rows both named eko, each saying its other page was never sent. A trainer names the first photo
    plainly and the second with a 2: one sheet, as the web batch groups them. Names are weak evidence: numbers read
    firmly that differ (dewi: 103 and 104) still keep the pages apart; a browser's second download of one name
    ("C.Hasil (1).jpg" beside "C.Hasil.jpg") and a camera's name (IMG_1234) pair nothing."""
    import grader.batch as batch
    from grader.page_groups import PageEvidence
    from grader.pipeline import PhotoRead

    folder = tmp_path / "kelas"
    folder.mkdir()
    said = {"eko.jpg": (1, None), "eko_2.jpg": (2, None), "budi.jpg": (1, None), "budi (2).jpg": (2, None),
            "sari.jpg": (1, None), "sari hal 2.jpg": (2, None), "dewi.jpg": (1, "103"), "dewi_2.jpg": (2, "104"),
            "C.Hasil.jpg": (1, None), "C.Hasil (1).jpg": (2, None), "IMG_1234.jpg": (1, None),
            "IMG_1234 (2).jpg": (2, None)}
    for i, name in enumerate(said):
        (folder / name).write_bytes(b"\xff\xd8\xff" + bytes([i]))
    monkeypatch.setattr(batch, "read_all", lambda items, **k: [PhotoRead(file=name) for name, _ in items])
    monkeypatch.setattr(batch, "page_evidence", lambda pr, key: PageEvidence(
        file_key=key, page=said[Path(pr.file).name][0], trainee=said[Path(pr.file).name][1]))
    monkeypatch.setattr(batch, "grade_reads", lambda group, **k: {"files": [Path(pr.file).name for pr in group]})
    results = batch.grade_batch([str(folder)], key=None)
    assert sorted(sorted(r["files"]) for r in results) == [
        ["C.Hasil (1).jpg"], ["C.Hasil.jpg"], ["IMG_1234 (2).jpg"], ["IMG_1234.jpg"], ["budi (2).jpg", "budi.jpg"],
        ["dewi.jpg"], ["dewi_2.jpg"], ["eko.jpg", "eko_2.jpg"], ["sari hal 2.jpg", "sari.jpg"]]


def test_a_table_that_cannot_be_written_at_the_end_prints_the_results_instead(tmp_path, capsys, monkeypatch):
    """Review (s34): --csv on a disk that filled up during the batch ended in an OSError traceback, exit 1, and the
    whole graded class was lost (with --csv nothing goes to stdout). It now prints the table and exits 2 saying
    why. An empty --csv or path (an unset shell variable) and a --csv that is no regular file (/dev/null, whose
    -fields.csv would be made in /dev) are refused before any work."""
    import errno
    exercise, files = first_sheet()
    key = str(SAMPLES / "keys" / exercise)

    def disk_full(path, rows, columns):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
    monkeypatch.setattr("grader.commands.grade.write_csv", disk_full)
    out = tmp_path / "kelas.csv"
    assert main(["grade", *(str(sample(f)) for f in files), "--key", key, "--csv", str(out)]) == 2
    printed = capsys.readouterr()
    assert re.search(r"^\S+ +\d+\*? +wrong +\d+ +review", printed.out, re.M), printed.out      # the sheet's row
    assert f"cannot write {out} (No space left on device); the results are printed above instead" in printed.err
    assert "Traceback" not in printed.err

    for argv in (["grade", str(sample(files[0])), "--key", key, "--csv", ""],
                 ["grade", "", "--key", key], ["grade", str(sample(files[0])), "--key", key, "--out", " "]):
        assert main(argv) == 2
        assert "an empty path (an unset shell variable?)" in capsys.readouterr().err
    assert main(["grade", str(sample(files[0])), "--key", key, "--csv", "/dev/null"]) == 2
    assert "/dev/null is not a regular file" in capsys.readouterr().err
    assert not Path("/dev/null-fields.csv").exists()


def test_a_class_scan_is_held_to_a_scans_limit_not_a_photos(tmp_path, monkeypatch):
    """A copier's 40 MB PDF of a whole class was refused by the command line as "larger than 30 MB ... or a PDF of
    fewer pages", where the web's batch form takes it: a PDF or TIFF is held to the web batch's limit for one (20
    photos' worth), and past it refused by its size, unread, with words for a scan."""
    import grader.batch as batch
    from grader.errors import GraderError
    from grader.web import settings_from_env
    from grader.web.trainer.batch_files import PDF_PHOTOS

    assert batch.MAX_SCAN_BYTES == PDF_PHOTOS * settings_from_env({})["MAX_PHOTO_BYTES"]
    for name, refused in (("kelas.pdf", False), ("SCAN0001.TIF", False), ("IMG_0001.jpg", True)):
        f = tmp_path / name
        with f.open("wb") as fh:
            fh.truncate(40 * 1024 * 1024)                     # sparse: no disk used
        got = batch.read_photo_file(f)
        assert isinstance(got, GraderError) == refused, name
    huge = tmp_path / "kelas-besar.pdf"
    with huge.open("wb") as fh:
        fh.truncate(batch.MAX_SCAN_BYTES + 1)
    real = Path.read_bytes
    monkeypatch.setattr(Path, "read_bytes", lambda p: real(p) if p != huge else pytest.fail("read the whole file"))
    refusal = batch.read_photo_file(huge)
    assert refusal.code == "too_large" and refusal.message.startswith("The PDF is larger than 500 MB.")
    assert "photo" not in refusal.message and "PDF" in refusal.message_id


def test_an_out_folder_of_other_files_is_refused_and_not_marked(tmp_path, capsys):
    """``--out ~/Desktop`` marked the Desktop as feedback, which every later batch leaves out: ``grade ~/Desktop`` then
    graded nothing saved there (h41b's s41 walkthrough). A folder of other files is refused before any work; a new
    folder, an empty one and one an earlier --out wrote are taken."""
    photo = sample("s0000-p1.jpg")
    key = SAMPLES / "keys" / truth("s0000-p1.jpg")["exercise"]
    desktop = tmp_path / "Desktop"
    desktop.mkdir()
    (desktop / "surat.docx").write_bytes(b"not a photo")
    assert main(["grade", str(photo), "--key", str(key), "--out", str(desktop)]) == 2
    err = capsys.readouterr().err
    assert "already holds other files (surat.docx)" in err and "Traceback" not in err
    assert not (desktop / OUTPUT_MARK).exists()
    for out in (tmp_path / "baru", tmp_path / "kosong"):
        if out.name == "kosong":
            out.mkdir()
        assert main(["grade", str(photo), "--key", str(key), "--out", str(out)]) == 0
        assert (out / OUTPUT_MARK).is_file()
        assert main(["grade", str(photo), "--key", str(key), "--out", str(out)]) == 0     # its own, again
    capsys.readouterr()


def test_a_wrong_exercise_refusal_counts_one_pair_as_one():
    """'(1 pairs)' in the refusal of a one-pair (kolom kosong) exercise's sheet (h41b's s41 walkthrough)."""
    from grader.pipeline import wrong_exercise_error

    err = wrong_exercise_error("ABC123", 1, "XYZ789", 3)
    assert "(1 pair), not XYZ789 (3 pairs)" in err.message and "(1 paslon)" in err.message_id


def test_a_batch_holds_of_each_read_only_what_grading_it_needs():
    """Class day (helper-137): a batch holds every read until all are done, and each held its page warped in
    colour: 172 photos took 3 GB. Without feedback files a read keeps no page; with them, its gray page and the
    photo's file, from which the colour page is warped again to draw it, and let go after."""
    from grader.batch import read_all, release_pages
    from grader.photo.align import AlignedPage

    code, names = first_sheet()
    key = load_key(str(SAMPLES / "keys" / code))
    items = [(n, sample(n).read_bytes()) for n in names]
    bare = read_all(items, key=key)
    kept = read_all(items, key=key, keep_pages=True)
    for pr, (_, data) in zip(bare, items):
        assert pr.readings and pr.aligned.identity.exercise == code
        assert pr.aligned.gray.size == 0 and pr.aligned.photo_gray.size == 0 and pr.aligned.data == b""
        assert "image" not in pr.aligned.__dict__
    whole = AlignedPage.image.func                     # (the colour page as drawing asks for it)
    for pr, (_, data) in zip(kept, items):
        assert pr.aligned.gray.size > 0 and pr.aligned.data == data and "image" not in pr.aligned.__dict__
        assert whole(pr.aligned).shape[:2] == pr.aligned.gray.shape
        pr.aligned.image                                # (cached, as drawing the feedback leaves it)
    release_pages(kept)
    assert all("image" not in pr.aligned.__dict__ and "photo" not in pr.aligned.__dict__ for pr in kept)
    assert [pr.readings for pr in bare] == [pr.readings for pr in kept]


def test_a_chat_exports_stickers_voice_notes_and_chat_text_are_counted_not_listed(tmp_path, caplog):
    """Class day (helper-137): a chat export's stickers (STK-…-WA0003.webp) were graded and refused as "not a practice
    sheet", 3 of 4 "sheets" refused; its 40 voice notes and its _chat.txt printed 41 warning lines, one each, where the
    same files in a folder printed one. Now a zip's non-photos are counted in one line, and stickers in another,
    as in a folder."""
    photo = sample("s0001-p1.jpg").read_bytes()
    members = {"IMG-20261206-WA0001.jpg": photo, "_chat.txt": b"06/12/26 08.01 - Budi: <Media>",
               "STK-20261206-WA0003.webp": b"RIFF\x00\x00\x00\x00WEBPVP8 ", "STK-20261206-WA0004.webp": b"RIFF",
               **{f"PTT-20261206-WA00{10 + i}.opus": b"OggS" for i in range(40)}}
    z = tmp_path / "WhatsApp Chat - Kelas.zip"
    z.write_bytes(zip_of(members))
    folder = tmp_path / "unzipped"
    folder.mkdir()
    for name, data in members.items():
        (folder / name).write_bytes(data)
    for source in (z, folder):
        caplog.clear()
        with caplog.at_level("WARNING", logger="grader.batch"):
            items = list(iter_inputs([source]))
        assert [Path(n).name.rsplit(":", 1)[-1] for n, _ in items] == ["IMG-20261206-WA0001.jpg"], source
        lines = [r.getMessage() for r in caplog.records]
        assert len(lines) == 2, lines
        assert any(m.startswith("skipped 41 file(s) that are not photos") and ".opus 40, .txt 1" in m for m in lines)
        assert any(m.startswith("skipped 2 chat sticker(s), not photos: ") for m in lines)


def test_a_zips_utf8_names_without_their_flag_are_read_as_written(tmp_path):
    """Class day (helper-137): macOS Finder and many Android zippers write UTF-8 names without the flag that says so;
    "Désy Ratnasari/hal1.jpg" came out as "D├⌐sy Ratnasari", the trainee so named. A cp437 name keeps its reading."""
    photo = sample("s0001-p1.jpg").read_bytes()
    raw = zip_of({"DXXsy Ratnasari/hal1.jpg": photo, "Andr\u00e9/hal1.jpg": photo[:-1]})
    raw = raw.replace(b"DXXsy", "Désy".encode("utf-8"))              # the same name, UTF-8, no flag
    assert raw.count("Désy".encode("utf-8")) == 2
    z = tmp_path / "kelas.zip"
    z.write_bytes(raw)
    names = [n.rsplit(":", 1)[-1] for n, _ in iter_inputs([z])]
    assert "Désy Ratnasari/hal1.jpg" in names and "André/hal1.jpg" in names, names
    assert trainee_from_filename("Désy Ratnasari/hal1.jpg") == "Désy Ratnasari"


def test_empty_files_are_each_a_page_to_send_again_not_one_photo(tmp_path, capsys):
    """Class day (helper-137): Andi's and Budi's hal1.jpg, both 0 bytes (downloads that did not finish), were "the
    same photo", Budi's never said; each is now its own refused page, named as an unfinished download."""
    for who in ("Andi", "Budi"):
        (tmp_path / "nol" / who).mkdir(parents=True)
        (tmp_path / "nol" / who / "hal1.jpg").write_bytes(b"")
    items = list(iter_inputs([tmp_path / "nol"]))
    assert [(Path(n).parent.name, d.code) for n, d in items] == [("Andi", "empty_file"), ("Budi", "empty_file")]
    assert "0 bytes" in items[0][1].message and "Kirim ulang" in items[0][1].message_id


@pytest.mark.parametrize("out", ["hasil.xlsx", "hasil", "index.json"])
def test_csv_must_name_a_csv_file(tmp_path, capsys, out):
    """Class day (helper-137): --csv hasil.xlsx wrote CSV text into hasil.xlsx (which a spreadsheet refuses to open),
    --csv kelas/index.json wrote over that file."""
    code, names = first_sheet()
    assert main(["grade", str(sample(names[0])), "--key", str(SAMPLES / "keys" / code),
                 "--csv", str(tmp_path / out)]) == 2
    err = capsys.readouterr().err
    assert "name a .csv file" in err and not (tmp_path / out).exists()
    assert ("--xlsx" in err) == out.endswith(".xlsx")


@pytest.mark.parametrize("columns", [120, 44, 30, 20])
def test_the_progress_bar_never_wraps_on_a_narrow_terminal(monkeypatch, columns):
    """Rehearsal (s44): on a terminal under 45 columns (a phone's), the 45-character line wrapped and "\\r" went
    back to its last part only, leaving one line per photo. The bar now narrows, or goes, to fit."""
    import io
    import os
    import shutil

    from grader.batch import progress_bar

    class Tty(io.StringIO):
        def isatty(self):
            return True

    monkeypatch.setattr(shutil, "get_terminal_size", lambda *a, **k: os.terminal_size((columns, 24)))
    out = Tty()
    show = progress_bar(out)
    for done in range(0, 101, 7):
        show(done, 100)
    show(100, 100)
    lines = [part for line in out.getvalue().split("\n") for part in line.split("\r") if part]
    assert lines and max(map(len, lines)) < columns
    assert lines[-1].endswith("100/100 photos") and ("[" in lines[-1]) == (columns >= 23)


def test_the_terminal_table_marks_a_score_that_review_may_change(capsys):
    """helper-150 (s48): the table printed "010 Sri Mulyani  100  wrong 0  review 10", a bare 100 read as final; only
    the CSV's provisional column said otherwise. Such a score is marked "*", as the footer says."""
    from grader.commands.grade import _print_table
    res = {"trainee": "010", "trainee_name": "Sri Mulyani", "identity_source": "qr", "exercise": "ABC",
           "status": "graded", "score": 100.0, "counts": {"ok": 30, "wrong": 0, "review": 10, "blank": 0, "unreadable": 0},
           "pages": [{"file": "a-p1.jpg", "page": 1, "refusal": None, "advice": None}], "top_fixes": [], "rules": [],
           "findings": [], "fields": []}
    _print_table([res, {**res, "trainee": "011", "counts": {**res["counts"], "review": 0}}])
    first, second, note = capsys.readouterr().out.splitlines()
    assert "010 Sri Mulyani" in first and "  100*  wrong   0  review  10" in first
    assert "011 Sri Mulyani" in second and "   100  wrong   0  review   0" in second
    assert note == PROVISIONAL_NOTE and note.startswith("*  ")         # (under the table, helper-173)
    # (the note said where the CSV says it and stopped, "…: the CSV's provisional": rehearsal helper-182)
    assert note.endswith(" the CSV's provisional column") and PARTIAL_NOTE.endswith(" the CSV's partial_score")


def test_the_terminal_table_shows_a_half_sheets_read_pages_score_in_brackets_with_a_note(capsys):
    """Rehearsal (helper-173): a sheet with page 2 not sent showed "041   *  wrong 0  review 6 … partial", a lone "*"
    where the score goes; its read pages' score was only in the CSV's partial_score. The table shows it in brackets,
    "(100)*", and a note under the table says what the brackets and the "*" mean, as the CSV's columns do."""
    from grader.commands.grade import _print_table
    res = {"trainee": "041", "trainee_name": None, "identity_source": "trainee_number", "exercise": "ABC",
           "status": "partial", "score": 100.0, "counts": {"ok": 30, "wrong": 0, "review": 6, "blank": 0,
                                                           "unreadable": 0},
           "pages": [{"file": "a-p1.jpg", "page": 1, "refusal": None, "advice": None}], "top_fixes": [], "rules": [],
           "findings": [], "fields": []}
    settled = {**res, "trainee": "042", "counts": {**res["counts"], "review": 0}}
    _print_table([res, settled])
    lines = capsys.readouterr().out.splitlines()
    rows = [x for x in lines if x.startswith("04")]
    assert "041          (100)*  wrong   0  review   6" in rows[0], rows[0]
    assert "042           (100)  wrong   0  review   0" in rows[1], rows[1]
    assert lines[-2:] == [PARTIAL_NOTE, PROVISIONAL_NOTE] and PARTIAL_NOTE.startswith("(n)  ")
    _print_table([{**settled, "status": "graded"}])                    # no mark shown: no note
    assert capsys.readouterr().out.splitlines()[-1].endswith("graded  (from the number on the sheet)")


def test_a_half_sheets_row_in_the_table_says_the_csvs_partial_score(tmp_path, capsys):
    """Rehearsal (helper-173), with the real pipeline: one page of a two-page sheet, its row's score column was "*";
    it now shows the CSV's partial_score in brackets, marked "*" where the CSV says provisional."""
    key = str(SAMPLES / "keys" / truth("s0005-p1.jpg")["exercise"])
    photo = tmp_path / "s0005-p1.jpg"
    photo.write_bytes(sample("s0005-p1.jpg").read_bytes())
    out = tmp_path / "class.csv"
    assert main(["grade", str(photo), "--key", key, "--csv", str(out)]) == 0
    [row] = csv.DictReader(out.open(encoding="utf-8-sig"))
    assert row["status"] == "partial" and row["score"] == "" and row["partial_score"]
    capsys.readouterr()
    assert main(["grade", str(photo), "--key", key]) == 0
    table = capsys.readouterr().out.splitlines()
    cell = f"({row['partial_score']})" + ("*" if row["provisional"] == "yes" else "")
    assert f" {cell}  wrong " in table[0], table
    assert PARTIAL_NOTE in table


def test_a_refused_sheets_printout_has_no_counts_and_a_sheet_of_another_exercise_is_not_told_to_retake():
    """helper-150 (s48): a refused sheet's printout said "Benar 0 · Salah 0 · Menunggu pelatih 0 …", and one of
    another exercise was told "Foto ulang sesuai petunjuk di atas", which no retake mends."""
    from grader.grading.report import render_report
    from grader.pipeline import refusal_json, wrong_exercise_error
    other = {"file": "a-p1.jpg", "page": 1, "advice": None,
             "refusal": refusal_json(wrong_exercise_error("OTHER01", 2, "ABC123", 2))}
    res = {"trainee": "42", "trainee_name": None, "identity_source": "qr", "exercise": "ABC123", "status": "refused",
           "score": None, "counts": {"ok": 0, "wrong": 0, "review": 0, "blank": 0, "unreadable": 0}, "pages": [other],
           "top_fixes": [], "rules": [], "findings": [], "fields": []}
    html = render_report(res)
    assert "Benar 0" not in html and "Lembar ini dicetak untuk latihan lain. Isi lembar latihan ini" in html
    assert "Foto ulang sesuai petunjuk di atas" not in html
    blurry = {**other, "refusal": {"code": "too_blurry", "message_id": "Foto terlalu buram.", "message_en": "Blurry."}}
    assert "Foto ulang sesuai petunjuk di atas" in render_report({**res, "pages": [blurry]})


def test_more_workers_than_cores_are_not_started(tmp_path, capsys, monkeypatch):
    """helper-150 (s48): -j 64 on a 2-core machine started 64 workers, each loading the model: 12.2 s where -j 1
    took 5.2 s. The workers are held to the cores, and the command says so."""
    import grader.commands.grade as grade
    seen = {}

    def fake_batch(paths, *, key, workers, out_dir, progress, keep_aligned):
        seen["workers"] = workers
        return []
    monkeypatch.setattr(grade, "usable_cores", lambda: 2)
    monkeypatch.setattr(grade, "grade_batch", fake_batch)
    code, names = first_sheet()
    assert main(["grade", str(sample(names[0])), "--key", str(SAMPLES / "keys" / code), "-j", "64"]) == 2
    assert seen["workers"] == 2
    assert "-j 64: this machine has 2 core(s); using 2 worker process(es)" in capsys.readouterr().err


def test_a_chat_exports_pdf_without_a_photo_is_left_out_not_a_refused_sheet(tmp_path, capsys, caplog):
    """helper-150 (s48): the handout the trainer shared in the class's chat, and a document, came back as refused
    "sheets" of the CLI's batch, counted among those to retake. As in the web's batch, such a PDF in a chat export is
    left out with a line naming it; a PDF with a sheet's photos is graded."""
    code, names = first_sheet()
    handout = tmp_path / "lembar.pdf"
    assert main(["form", "print", "chasil-kwk", "-o", str(handout), "--dpi", "40"]) == 0
    z = tmp_path / "WhatsApp Chat.zip"
    with zipfile.ZipFile(z, "w") as zf:
        for n in names:
            zf.writestr(n, sample(n).read_bytes())
        zf.writestr("DOC-20241127-WA0001.pdf", handout.read_bytes())
        zf.writestr("DOC-20241127-WA0002.pdf", b"%PDF-1.4 a document cut short")
    capsys.readouterr()
    with caplog.at_level("WARNING", logger="grader.batch"):
        assert main(["grade", str(z), "--key", str(SAMPLES / "keys" / code), "--json"]) == 0
    results = json.loads(capsys.readouterr().out)
    assert len(results) == 1 and results[0]["status"] != "refused"
    assert not any("DOC-" in p["file"] for r in results for p in r["pages"])
    said = caplog.text
    assert "DOC-20241127-WA0001.pdf [pdf_no_photo]" in said and "DOC-20241127-WA0002.pdf [pdf_unreadable]" in said


def test_a_trainer_on_the_command_line_settles_the_fields_left_to_review_with_a_corrections_file(tmp_path, capsys):
    """helper-150 (s48): fields left to review kept a sheet's score provisional, and a trainer using only the command
    line had no way to settle them. --corrections takes the fields CSV's review rows with the value as written; each
    sheet is graded again with them, as the web's review queue grades it. A row naming nothing is said; a value no
    boxes hold stops the command before the run."""
    code, names = first_sheet()
    key_dir = SAMPLES / "keys" / code
    photos = [str(sample(n)) for n in names]
    out = tmp_path / "kelas.csv"
    assert main(["grade", *photos, "--key", str(key_dir), "--csv", str(out), "--out", str(tmp_path / "fb1")]) == 0
    fields = list(csv.DictReader((tmp_path / "kelas-fields.csv").open(encoding="utf-8-sig")))
    waiting = [f for f in fields if f["status"] == "review"]
    assert waiting, "the sample sheet has fields left to review"
    from grader.exercise.store import load_key
    key = load_key(str(key_dir))
    checked = tmp_path / "dicek.csv"
    with checked.open("w", newline="", encoding="utf-8") as fh:          # (semicolons, as Indonesian Excel saves)
        w = csv.writer(fh, delimiter=";")
        w.writerow(["trainee", "field", "value", "files"])
        for f in waiting:
            w.writerow([f["trainee"], f["field"], key.fields[f["field"].removesuffix(".tally").removesuffix(
                ".bubbles")] if f["kind"] != "digits" else f"X{key.fields[f['field']]}", f["files"]])
        w.writerow(["999", "IV.1", "12", ""])
    capsys.readouterr()
    assert main(["grade", *photos, "--key", str(key_dir), "--csv", str(out), "--corrections", str(checked),
                 "--out", str(tmp_path / "fb2")]) == 0
    err = capsys.readouterr().err
    # (the marked pages are drawn again with the corrected verdicts: the amber frames of the fields settled are gone)
    [before] = (tmp_path / "fb1").rglob(f"page{waiting[0]['page']}.jpg")
    after_page = tmp_path / "fb2" / before.relative_to(tmp_path / "fb1")
    assert after_page.is_file() and after_page.read_bytes() != before.read_bytes()
    assert "--corrections" in err and "999 names no sheet or field of this batch" in err
    [row] = list(csv.DictReader(out.open(encoding="utf-8-sig")))
    assert (row["review"], row["provisional"]) == ("0", "")
    after = {f["field"]: f for f in csv.DictReader((tmp_path / "kelas-fields.csv").open(encoding="utf-8-sig"))}
    assert all(after[f["field"]]["status"] in ("ok", "wrong") for f in waiting)
    bad = tmp_path / "salah.csv"
    bad.write_text("trainee,field,value\n017,IV.1,empat\n", encoding="utf-8")
    assert main(["grade", *photos, "--key", str(key_dir), "--corrections", str(bad)]) == 2
    assert "row 2: 'empat' is no number as boxes hold it" in capsys.readouterr().err


def test_the_printout_asks_no_retake_of_a_refused_photo_of_a_page_graded_from_another():
    """Class rehearsal helper-168: Citra's page 2 was sent twice in the class's chat export, first too dark, then fine;
    the sheet was graded whole, yet its printout said in red "IMG-…-WA0006.jpg: Foto terlalu gelap. … lalu foto
    ulang." It says page 2 is graded from the other photo and this one need not be taken again; a page no other
    photo shows still reads as a retake."""
    dark = {"code": "too_dark", "message_id": "Foto terlalu gelap. Pindah ke tempat yang lebih terang atau nyalakan "
            "lampu, lalu foto ulang.", "message_en": "The photo is too dark. Take the photo again."}
    res = {"trainee": "103", "trainee_name": None, "identity_source": "qr", "exercise": "ABC123", "status": "graded",
           "score": 100.0, "counts": {"ok": 46}, "top_fixes": [], "rules": [], "findings": [], "fields": [],
           "pages": [{"file": "IMG-20261206-WA0005.jpg", "page": 1, "refusal": None, "advice": None},
                     {"file": "IMG-20261206-WA0006.jpg", "page": 2, "refusal": dark, "advice": None},
                     {"file": "IMG-20261206-WA0007.jpg", "page": 2, "refusal": None, "advice": None}]}
    html = render_report(res)
    assert ('<p class="review">IMG-20261206-WA0006.jpg: Foto terlalu gelap. Pindah ke tempat yang lebih terang atau '
            'nyalakan lampu, lalu foto ulang. Halaman 2 sudah dinilai dari foto IMG-20261206-WA0007.jpg; foto ini '
            'tidak perlu diulang.</p>') in html
    assert "The photo is too dark. Take the photo again. Page 2 is graded from the photo IMG-20261206-WA0007.jpg; " \
           "this photo need not be taken again." in render_report(res, lang="en")
    alone = {**res, "status": "partial", "pages": res["pages"][:2]}
    assert '<p class="wrong">IMG-20261206-WA0006.jpg: Foto terlalu gelap. Pindah ke tempat yang lebih terang atau ' \
           'nyalakan lampu, lalu foto ulang.</p>' in render_report(alone)


def test_a_refused_photo_of_a_page_another_photo_shows_graded_is_not_told_to_retake_in_the_table_and_csv(capsys):
    """Rehearsal helper-170: a chat export held Citra's page 2 twice, first too dark, then fine; the sheet was graded
    whole from the fine one, yet the terminal's table and the CSV's refusal_message said "…WA0006.jpg (page 2): The
    photo is too dark. … take the photo again." with nothing more, and a trainer chased a retake of a graded sheet
    (the web's card and the printed feedback already say the page is graded from the other photo). The reason is
    followed by the page graded from the other photo, in both languages; a photo of a page no other photo shows, and
    a duplicate_page (whose reason says so itself), are said as before."""
    from grader.commands.grade import _print_table
    from grader.result_rows import refusal_messages, sheet_rows
    dark = {"code": "too_dark", "message_id": "Foto terlalu gelap.", "message_en": "The photo is too dark."}
    pages = [{"file": "c.zip:WA0005.jpg", "page": 1, "refusal": None, "advice": None},
             {"file": "c.zip:WA0006.jpg", "page": 2, "refusal": dark, "advice": None},
             {"file": "c.zip:WA0007.jpg", "page": 2, "refusal": None, "advice": None}]
    res = {"trainee": "103", "trainee_name": "Citra Lestari", "identity_source": "qr", "exercise": "ABC",
           "status": "graded", "score": 100.0, "counts": {"ok": 46, "wrong": 0, "review": 0, "blank": 0, "unreadable": 0},
           "pages": pages, "top_fixes": [], "rules": [], "findings": [], "fields": []}
    said = "c.zip:WA0006.jpg (page 2): The photo is too dark. Page 2 is graded from the photo c.zip:WA0007.jpg; " \
           "this photo need not be taken again."
    assert refusal_messages(res) == [said]
    assert refusal_messages(res, lang="id") == ["c.zip:WA0006.jpg (halaman 2): Foto terlalu gelap. Halaman 2 sudah "
                                                "dinilai dari foto c.zip:WA0007.jpg; foto ini tidak perlu diulang."]
    assert sheet_rows([res])[0]["refusal_message"] == said
    _print_table([res])
    assert f"refused {said}" in capsys.readouterr().out
    # a page no other photo shows graded: its reason alone, as before
    alone = {**res, "status": "partial", "pages": pages[:2]}
    assert refusal_messages(alone) == ["c.zip:WA0006.jpg (page 2): The photo is too dark."]
    both_dark = {**res, "pages": [pages[0], pages[1], {**pages[2], "refusal": dark}]}
    assert refusal_messages(both_dark) == ["c.zip:WA0006.jpg (page 2), c.zip:WA0007.jpg (page 2): The photo is too dark."]
    again = {"code": "duplicate_page", "message_id": "Halaman 2 lagi.", "message_en": "Page 2 again."}
    assert refusal_messages({**res, "pages": [pages[0], {**pages[1], "refusal": again}, pages[2]]}) == [
        "c.zip:WA0006.jpg (page 2): Page 2 again."]


def test_the_terminal_table_says_a_sheet_named_by_its_folder_is_named_from_the_folder_name(capsys):
    """Rehearsal helper-170: kelas/Andi/IMG_1234.jpg and IMG_1235.jpg, a folder per trainee, were one sheet named
    Andi, and the table said "Andi … graded  (from the file name)", though neither photo's name says Andi. A sheet
    whose photos' own names name nobody was named by its folder, and the table says so; one named by its files as
    before."""
    from grader.commands.grade import _print_table
    res = {"trainee": "Andi", "trainee_name": None, "identity_source": "filename", "exercise": "ABC",
           "status": "graded", "score": 100.0, "counts": {"ok": 46, "wrong": 0, "review": 0, "blank": 0, "unreadable": 0},
           "pages": [{"file": "kelas/Andi/IMG_1234.jpg", "page": 1, "refusal": None, "advice": None},
                     {"file": "k.zip:kelas/Andi/hal2.jpg", "page": 2, "refusal": None, "advice": None}],
           "top_fixes": [], "rules": [], "findings": [], "fields": []}
    named = {**res, "trainee": "budi", "pages": [{**res["pages"][0], "file": "kelas/budi_1.jpg"},
                                                  {**res["pages"][1], "file": "kelas/budi_2.jpg"}]}
    _print_table([res, named, {**res, "identity_source": "qr", "trainee": "017"}])
    andi, budi, qr = capsys.readouterr().out.splitlines()
    assert andi.startswith("Andi") and andi.endswith("(from the folder name)"), andi
    assert budi.startswith("budi") and budi.endswith("(from the file name)"), budi
    assert qr.endswith("(from the QR code)"), qr


def test_a_photo_refused_before_its_page_was_known_on_a_whole_sheet_is_not_told_to_retake():
    """Rehearsal helper-187: ``grader grade`` told Eka to retake a blurred ``eka_p1 (1).jpg``, refused before its
    page was known, though her sheet was graded whole from eka_p1.jpg and eka_p2.jpg. The table, the CSV and the
    printout say every page is graded from the other photos; on a sheet lacking a page the reason stands alone."""
    from grader.result_rows import refusal_messages
    blur = {"code": "too_blurry", "message_id": "Foto terlalu buram.", "message_en": "The photo is too blurry."}
    pages = [{"file": "eka_p1.jpg", "page": 1, "refusal": None, "advice": None},
             {"file": "eka_p1 (1).jpg", "page": None, "refusal": blur, "advice": None},
             {"file": "eka_p2.jpg", "page": 2, "refusal": None, "advice": None}]
    res = {"trainee": "Eka", "trainee_name": None, "identity_source": "filename", "exercise": "ABC", "status": "graded",
           "score": 100.0, "counts": {"ok": 46}, "pages": pages, "top_fixes": [], "rules": [], "findings": [],
           "fields": []}
    assert refusal_messages(res) == ["eka_p1 (1).jpg: The photo is too blurry. Every page of the sheet is graded from "
                                     "the other photos; this photo need not be taken again."]
    assert ('<p class="review">eka_p1 (1).jpg: Foto terlalu buram. Semua halaman lembar ini sudah dinilai dari foto '
            'lain; foto ini tidak perlu diulang.</p>') in render_report(res)
    half = {**res, "status": "partial", "pages": pages[:2]}
    assert refusal_messages(half) == ["eka_p1 (1).jpg: The photo is too blurry."]
    assert '<p class="wrong">eka_p1 (1).jpg: Foto terlalu buram.</p>' in render_report(half)
