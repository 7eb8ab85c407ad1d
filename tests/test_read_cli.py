"""``grader read-boxes`` from the command line: one entry per image, a bad image never loses the others."""
import json
from pathlib import Path

import cv2
import numpy as np
import pytest

from grader.cli import main
from grader.recognize.digit_classifier import default_classifier

KEY = Path(__file__).resolve().parents[1] / "sample_scans" / "keys" / "6ARJET"


def _digit_box(digit: str) -> np.ndarray:
    """A box crop as the reader cuts it: paper, a dark border, one handwritten-looking digit."""
    img = np.full((80, 66, 3), 236, np.uint8)
    cv2.rectangle(img, (3, 3), (62, 76), (40, 40, 40), 3)
    cv2.putText(img, digit, (17, 62), cv2.FONT_HERSHEY_SIMPLEX, 1.8, (30, 30, 30), 4, cv2.LINE_AA)
    return img


def test_read_boxes_refuses_a_bad_image_in_its_entry_and_classifies_the_rest(tmp_path, capsys):
    """QA: a 1x1 or 2x40 PNG crashed the whole command with a traceback (ValueError from the classifier), and a
    non-image ended it with exit 2, so the other crops' readings were lost."""
    good = tmp_path / "box7.png"
    cv2.imwrite(str(good), _digit_box("7"))
    dot, sliver = tmp_path / "dot.png", tmp_path / "sliver.png"
    cv2.imwrite(str(dot), np.zeros((1, 1), np.uint8))
    cv2.imwrite(str(sliver), np.zeros((40, 2), np.uint8))
    notes = tmp_path / "notes.txt"
    notes.write_text("not a picture")
    empty = tmp_path / "empty.png"                       # QA: a 0-byte file was a cv2.error traceback
    empty.write_bytes(b"")
    assert main(["read-boxes", str(dot), str(good), str(sliver), str(notes), str(empty), "--json"]) == 0
    out, err = capsys.readouterr()
    entries = json.loads(out)
    assert [e["file"] for e in entries] == [str(dot), str(good), str(sliver), str(notes), str(empty)]
    refused = {e["file"]: e["refusal"] for e in entries if "refusal" in e}
    assert {f: r["code"] for f, r in refused.items()} == {str(dot): "crop_too_small", str(sliver): "crop_too_small",
                                                        str(notes): "not_an_image", str(empty): "not_an_image"}
    assert "1x1 px" in refused[str(dot)]["message_en"] and "2x40 px" in refused[str(sliver)]["message_en"]
    assert all(e["refusal"]["message_id"] and "label" not in e for e in entries if "refusal" in e)
    expected = default_classifier().classify([_digit_box("7")])[0]
    for e in (entries[1],):
        assert e["label"] == expected.label and e["confidence"] == round(expected.confidence, 4)
    assert "Traceback" not in err


def test_read_boxes_names_a_missing_file_in_one_line_and_exits_2(tmp_path, capsys):
    good = tmp_path / "box.png"
    cv2.imwrite(str(good), _digit_box("3"))
    assert main(["read-boxes", str(good), str(tmp_path / "nope.png"), "--json"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and "nope.png" in err and "Traceback" not in err


def test_read_refuses_a_huge_file_by_its_size_without_reading_it(tmp_path, capsys, monkeypatch):
    """Review: ``grader read`` took a 3 GB file whole into memory (22 s, 3 GB) to refuse it as too_large; a batch
    tells it by its size, and its reason repeated the path and said nothing to do."""
    huge = tmp_path / "huge.jpg"
    with huge.open("wb") as fh:
        fh.truncate(3 * 1024 ** 3)                   # sparse: no disk used
    real = Path.read_bytes
    monkeypatch.setattr(Path, "read_bytes", lambda p: real(p) if p != huge else pytest.fail("read the whole file"))
    for command in (["read", str(huge), "--json"], ["grade", str(huge), "--key", str(KEY), "--json"]):
        assert main(command) == 0
        entry = json.loads(capsys.readouterr().out)[0]
        refusal = entry.get("refusal") or entry["pages"][0]["refusal"]
        assert refusal["code"] == "too_large" and refusal["message_en"].startswith("The file is larger than 25 MB.")
        assert str(huge) not in refusal["message_en"] and "Kirim" in refusal["message_id"]


def test_a_photo_over_the_photo_limit_is_told_one_limit(tmp_path, capsys):
    """helper-170: a 27 MB photo passed the command line's 30 MB check by its size, was read, and was refused by
    the photo loader's own 25 MB limit in other words ("too large or its dimensions are implausible … at most 25 MB"),
    while the README said 30 MB: two limits for one photo. One limit now, the loader's, told by the file's size before
    it is read."""
    big = tmp_path / "IMG_20241127_101530.jpg"
    with big.open("wb") as fh:
        fh.truncate(27 * 1024 ** 2)                  # sparse: no disk used
    for command in (["read", str(big), "--json"], ["grade", str(big), "--key", str(KEY), "--json"]):
        assert main(command) == 0
        entry = json.loads(capsys.readouterr().out)[0]
        refusal = entry.get("refusal") or entry["pages"][0]["refusal"]
        assert refusal["code"] == "too_large" and refusal["message_en"].startswith("The file is larger than 25 MB.")


def test_read_boxes_refuses_a_decompression_bomb_before_decoding_it(capsys):
    """Review: a 50 kB PNG whose header claims about 900 megapixels was decoded (2 GB of memory, 13 s) and
    classified as a '9'."""
    bomb = Path(__file__).resolve().parents[1] / "sample_scans" / "r009-too_large.png"
    assert main(["read-boxes", str(bomb), "--json"]) == 0
    entry, = json.loads(capsys.readouterr().out)
    assert entry["refusal"]["code"] == "too_large" and "label" not in entry
    assert "megapixels" in entry["refusal"]["message_en"]


def test_read_boxes_reads_16_bit_and_transparent_crops_as_the_8_bit_crop(tmp_path, capsys):
    """Review: a 16-bit PNG of a clear 1 was read blank (its ink taken for paper), and black ink on a transparent
    ground was read 0 at 0.36 (the alpha dropped: all black)."""
    box = _digit_box("4")
    cv2.imwrite(str(tmp_path / "b8.png"), box)
    cv2.imwrite(str(tmp_path / "b16.png"), box.astype(np.uint16) * 257)
    rgba = np.zeros((*box.shape[:2], 4), np.uint8)
    gray = box if box.ndim == 2 else cv2.cvtColor(box, cv2.COLOR_BGR2GRAY)
    rgba[:, :, 3] = 255 - gray                  # the ink as opacity on a transparent ground
    cv2.imwrite(str(tmp_path / "ba.png"), rgba)
    assert main(["read-boxes", *(str(tmp_path / n) for n in ("b8.png", "b16.png", "ba.png")), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [e["label"] for e in out] == [out[0]["label"]] * 3 and out[0]["label"] == "4"
    assert out[1]["confidence"] == pytest.approx(out[0]["confidence"], abs=1e-3)


def test_read_boxes_reads_a_heic_crop_as_the_png_crop(tmp_path, capsys):
    """Rehearsal (helper-137): a box cropped on an iPhone and saved as HEIC was refused "not_an_image", though
    ``grader grade`` reads HEIC photos. A HEIC crop is read as the same crop in PNG; a damaged one is refused in
    its own entry."""
    import pillow_heif
    from PIL import Image
    pillow_heif.register_heif_opener()
    box = _digit_box("7")
    cv2.imwrite(str(tmp_path / "b.png"), box)
    Image.fromarray(cv2.cvtColor(box, cv2.COLOR_BGR2RGB)).save(tmp_path / "b.heic", format="HEIF", quality=95)
    heic = (tmp_path / "b.heic").read_bytes()
    assert pillow_heif.is_supported(heic)
    (tmp_path / "cut.heic").write_bytes(heic[: len(heic) // 2])
    assert main(["read-boxes", *(str(tmp_path / n) for n in ("b.png", "b.heic", "cut.heic")), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out[0]["label"] == out[1]["label"] == "7"
    assert out[1]["confidence"] == pytest.approx(out[0]["confidence"], abs=0.05)
    assert out[2]["refusal"]["code"] == "not_an_image"


def test_read_with_an_exercise_code_reads_a_sheet_whose_qr_and_code_line_are_unread(tmp_path, capsys, monkeypatch,
                                                                                      isolated_data_dir):
    """The refusal of a sheet nothing identified advises its exercise code, and `grader read --exercise CODE` took
    the code as a name only: the sheet, its pairs still unknown, was refused again. An unknown code was taken
    silently (helper-145, s47). The stored exercise now gives the form and its pairs; an unknown one exits 2."""
    import shutil

    import grader.photo.align as align_mod
    from grader.photo.mock_photo import mock_photo

    shutil.copytree(KEY, isolated_data_dir / "exercises" / "6ARJET")
    monkeypatch.setattr(align_mod, "identity_from_ocr", lambda *a, **k: None)
    photo = tmp_path / "lembar.jpg"
    photo.write_bytes(mock_photo(hide_qr=True, page=2, pairs=2, contest="walikota", exercise=None, seed=5).jpeg())
    assert main(["read", "--json", str(photo)]) == 0
    assert json.loads(capsys.readouterr().out)[0]["refusal"]["code"] == "sheet_unidentified"
    assert main(["read", "--json", "--exercise", "6arjet", str(photo)]) == 0
    got = json.loads(capsys.readouterr().out)[0]
    assert got.get("refusal") is None, got
    assert (got["exercise"], got["identity_source"], got["page"]) == ("6ARJET", "caller", 2)
    assert {"IV.1", "IV.2"} <= set(got["fields"]) and "IV.3" not in got["fields"]
    assert main(["read", "--exercise", "6ARJXX", str(photo)]) == 2
    assert "no exercise with code 6ARJXX" in capsys.readouterr().err
    assert main(["read", "--exercise", "6ARJET", "--pairs", "3", str(photo)]) == 2
    assert "--pairs 3 contradicts exercise 6ARJET (pairs 2)" in capsys.readouterr().err
    # (--template as the template's YAML file names the same template: helper-148)
    template = Path(__file__).resolve().parents[1] / "templates" / "chasil-kwk.yaml"
    assert main(["read", "--json", "--exercise", "6ARJET", "--template", str(template), str(photo)]) == 0
    assert json.loads(capsys.readouterr().out)[0]["exercise"] == "6ARJET"


def test_read_with_an_exercise_code_refuses_a_sheet_whose_qr_names_another_exercise(tmp_path, capsys,
                                                                                    isolated_data_dir):
    """`grader read --exercise 6ARJET` on a sheet whose QR names OTHER1 read it as OTHER1's, without a word. It is
    refused now, naming both codes, as `grader grade --key 6ARJET` refuses that sheet (wrong_exercise); without
    --exercise it is read as its QR says."""
    import shutil

    from grader.photo.mock_photo import mock_photo

    shutil.copytree(KEY, isolated_data_dir / "exercises" / "6ARJET")
    photo = tmp_path / "lembar.jpg"
    photo.write_bytes(mock_photo(page=2, pairs=2, contest="walikota", exercise="OTHER1", seed=5).jpeg())
    assert main(["read", "--json", "--exercise", "6ARJET", str(photo)]) == 0
    got = json.loads(capsys.readouterr().out)[0]
    assert (got["refusal"]["code"], got["sheet_exercise"], got["page"], got["fields"]) == (
        "wrong_exercise", "OTHER1", 2, {})
    assert got["refusal"]["message_en"].startswith("This sheet is for exercise OTHER1 (2 pairs), not 6ARJET (2 pairs).")
    assert main(["read", "--exercise", "6ARJET", str(photo)]) == 0
    assert capsys.readouterr().out.startswith(f"{photo}: refused (wrong_exercise): This sheet is for exercise "
                                              "OTHER1 (2 pairs), not 6ARJET (2 pairs).")
    assert main(["read", "--json", str(photo)]) == 0
    got = json.loads(capsys.readouterr().out)[0]
    assert (got.get("refusal"), got["exercise"], got["identity_source"]) == (None, "OTHER1", "qr")


def test_read_says_a_zip_is_no_photo_not_a_damaged_pdf(tmp_path, capsys):
    """helper-150 (s48): `grader read kelas.zip` said "This PDF cannot be opened (damaged?)": the chat export's first
    member was a PDF, whose header lay in the zip's first kilobyte."""
    import zipfile

    from grader.photo.pdf_pages import is_pdf
    with zipfile.ZipFile(tmp_path / "kelas.zip", "w") as z:
        z.writestr("DOC-20241127-WA0001.pdf", b"%PDF-1.4\n% a handout shared in the chat")
        z.writestr("IMG-20241127-WA0002.jpg", b"\xff\xd8\xff not really a photo")
    data = (tmp_path / "kelas.zip").read_bytes()
    assert b"%PDF-" in data[:1024] and not is_pdf(data) and is_pdf(b"junk\n%PDF-1.7\n")
    assert main(["read", "--json", str(tmp_path / "kelas.zip")]) == 0
    [got] = json.loads(capsys.readouterr().out)
    assert got["refusal"]["code"] == "not_an_image"


def test_read_names_a_qr_trainee_as_grade_does_and_pypdf_mends_in_silence(tmp_path, capsys, caplog):
    """helper-150 (s48): `read` printed a QR's trainee "6" where `grade` printed "006"; and pypdf's warnings about a
    damaged PDF it mends ("EOF marker not found") reached the terminal without the file's name."""
    import logging

    roster = tmp_path / "kelas.csv"
    roster.write_text("id,name\n6,Ani\n", encoding="utf-8")
    sheet = tmp_path / "ani.pdf"
    assert main(["form", "print", "chasil-kwk", "--roster", str(roster), "-o", str(sheet), "--png",
                 str(tmp_path / "ani.png"), "--dpi", "150"]) == 0
    capsys.readouterr()
    page = cv2.imread(str(tmp_path / "ani.png"), cv2.IMREAD_GRAYSCALE).astype(np.float32) * 0.8 + 25   # (paper, not a
    page = cv2.GaussianBlur(page, (3, 3), 0) + np.random.default_rng(0).normal(0, 3, page.shape)       # pure render)
    cv2.imwrite(str(tmp_path / "ani.jpg"), np.clip(page, 0, 255).astype(np.uint8), [cv2.IMWRITE_JPEG_QUALITY, 90])
    assert main(["read", "--json", str(tmp_path / "ani.jpg")]) == 0
    [got] = json.loads(capsys.readouterr().out)
    assert (got["trainee"], got["identity_source"]) == ("006", "qr")
    cut = tmp_path / "scan.pdf"
    cut.write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n")          # (no xref, no EOF marker)
    with caplog.at_level(logging.WARNING):
        assert main(["read", "--json", str(cut)]) == 0
    capsys.readouterr()
    assert not [r for r in caplog.records if r.name.startswith("pypdf")]
