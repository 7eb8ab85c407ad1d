"""Printed sheets: every variant's markers are detectable and its QR decodes to the right identity."""
import codecs
import itertools
import json

import cv2
import numpy as np
import pytest

from grader.cli import main
from grader.sheet.identity import SheetIdentity, decode_payload
from grader.sheet.layout import layout_sheet
from grader.sheet.render import render_sheet
from grader.sheet.schema import list_templates, load_template, resolve_template

DPI = 150  # a low-resolution print still has to work; keeps the test quick


def _variants():
    for path in list_templates():
        spec = load_template(path)
        for contest, pairs in itertools.product(spec.contests, range(spec.pairs_min, spec.pairs_max + 1)):
            yield pytest.param(spec, contest, pairs, id=f"{spec.id}-{contest}-{pairs}")


@pytest.mark.parametrize("spec,contest,pairs", list(_variants()))
def test_markers_and_qr_on_every_rendered_page(spec, contest, pairs):
    sheet = layout_sheet(spec, contest=contest, pairs=pairs)
    ident = SheetIdentity(spec.id, spec.version, 1, contest, pairs, exercise="K7QX2M", trainee="017")
    detector = cv2.aruco.ArucoDetector(cv2.aruco.getPredefinedDictionary(getattr(cv2.aruco, spec.marker_dictionary)))
    for page, img in zip(sheet.pages, render_sheet(sheet, ident, dpi=DPI)):
        gray = np.asarray(img)
        corners, ids, _ = detector.detectMarkers(gray)
        assert ids is not None and sorted(ids.ravel().tolist()) == [m.id for m in page.markers]
        s = DPI / 25.4
        for c, i in zip(corners, ids.ravel()):
            expected = np.array(next(m for m in page.markers if m.id == i).corners) * s
            assert np.abs(c.reshape(4, 2) - expected).max() < 2.0  # pixels: corners where the layout says
        got = decode_payload(_decode_qr_region(gray, page.qr.grow(4), s))
        assert got == ident.for_page(page.number)


def test_a_roster_name_stays_on_its_line_clear_of_the_qr_and_keeps_the_number():
    """A 75-character name once ran across the QR and off the page; it now shrinks, then is cut before the number."""
    from PIL import Image, ImageDraw

    from grader.sheet.render import fit_text
    spec = load_template(next(p for p in list_templates() if p.stem == "chasil-kwk"))
    page = layout_sheet(spec, pairs=3).pages[0]
    line = next(f for f in page.fields if f.id == "H.NAME").boxes[0]
    label = next(lb for lb in page.labels if lb.slot == "trainee_name")
    assert line.x < label.x and label.x + label.max_w_mm <= line.x2 < page.qr.x      # the slot's room is its line
    s = DPI / 25.4
    draw = ImageDraw.Draw(Image.new("L", (10, 10)))
    room, size = round(label.max_w_mm * s), round(label.size_mm * s)
    head, face = fit_text(draw, "Sri Siregar", "  (No. 136)", room, size)
    assert head == "Sri Siregar" and face.size == size                                # a short name is untouched
    long = "Raden Ajeng Kusumawardhani Puspitasari Wulandari Hadiningrat Binti Sastrowardoyo"
    head, face = fit_text(draw, long, "  (No. 136)", room, size)
    assert head.endswith("…") and long.startswith(head[:-1]) and face.size < size
    assert draw.textlength(head + "  (No. 136)", font=face) <= room                   # the number is kept, and fits


def test_a_long_roster_name_takes_two_lines_of_its_line_at_a_readable_size_not_one_line_of_tiny_letters():
    """helper-140 (s46): a long roster name shrank to about 1.5 mm letters on one line. It now breaks between words
    onto two lines within the name line's height, the number kept with it, before it shrinks further or is cut."""
    from PIL import Image, ImageDraw

    from grader.sheet.identity import SheetIdentity
    from grader.sheet.render import fit_lines, render_page
    spec = load_template(next(p for p in list_templates() if p.stem == "chasil-kwk"))
    sheet = layout_sheet(spec, pairs=3)
    page = sheet.pages[0]
    line = next(f for f in page.fields if f.id == "H.NAME").boxes[0]
    label = next(lb for lb in page.labels if lb.slot == "trainee_name")
    s = DPI / 25.4
    draw = ImageDraw.Draw(Image.new("L", (10, 10)))
    room, tall, size = round(label.max_w_mm * s), round(label.max_h_mm * s), round(label.size_mm * s)
    assert fit_lines(draw, "Sri Siregar", "  (No. 136)", room, tall, size)[0] == ["Sri Siregar  (No. 136)"]
    name = "Muhammad Rizky Ramadhan Saputra Nasution bin Abdullah"
    lines, face = fit_lines(draw, name, "  (No. 081)", room, tall, size)
    assert len(lines) == 2 and " ".join(lines) == name + "  (No. 081)" and lines[1].endswith("(No. 081)")
    assert face.size >= 0.85 * size and all(draw.textlength(t, font=face) <= room for t in lines)
    endless = " ".join([name] * 4)                          # (no two lines hold it: cut on one, the number kept)
    [cut], face = fit_lines(draw, endless, "  (No. 081)", room, tall, size)
    assert "…" in cut and cut.endswith("(No. 081)")
    ident = SheetIdentity(spec.id, spec.version, 1, "bupati", 3, trainee="81", trainee_name=name)
    gray = np.asarray(render_page(sheet, page, ident, dpi=DPI))
    x, y, w, h = line.to_px(s)
    ink = gray[:, x:x + w] < 128
    ink[y + h - 3:y + h + 3] = False                        # (the printed line under it)
    above = round(1.5 * s)                                  # (the ident line's print is 3 mm above the line)
    rows = np.flatnonzero(ink[y - above:y + h + above].any(axis=1)) + y - above
    assert rows.min() >= y and rows.max() < y + h           # both lines inside the line's height
    assert np.flatnonzero(ink[y:y + h - 3].any(axis=1)).size > 0.5 * (h - 3)     # (two rows of letters, not one)


def test_a_personalised_sheet_says_what_to_write_in_its_number_boxes_and_a_blank_sheet_says_nothing():
    """Named sheets printed the roster's number beside the name and left the number boxes empty with no word of
    whether to write in them (s45-s47 notes). The label under "No. peserta" now says "(tulis X81)": written, the
    number names the trainee should the QR not be read. A sheet for anyone prints nothing there."""
    from grader.sheet.identity import SheetIdentity
    from grader.sheet.render import render_page
    spec = load_template(next(p for p in list_templates() if p.stem == "chasil-kwk"))
    sheet = layout_sheet(spec, pairs=3)
    page = sheet.pages[0]
    hint = next(lb for lb in page.labels if lb.slot == "trainee_hint")
    boxes = next(f for f in page.fields if f.id == "H.TRAINEE").boxes
    label = next(lb for lb in page.labels if lb.text == "No. peserta")
    assert hint.x == label.x and hint.y > label.y and hint.x + hint.max_w_mm < boxes[0].x   # under it, clear of them
    s = DPI / 25.4
    x0, x1 = round(hint.x * s), round(boxes[0].x * s) - 2
    y0, y1 = round((label.y + 2.2) * s), round((hint.y + hint.size_mm) * s)    # (below the label's descenders)

    def ink(ident):
        gray = np.asarray(render_page(sheet, page, ident, dpi=DPI))
        return int((gray[y0:y1, x0:x1] < 160).sum())
    named = SheetIdentity(spec.id, spec.version, 1, "bupati", 3, trainee="81", trainee_name="Fitri")
    anyone = SheetIdentity(spec.id, spec.version, 1, "bupati", 3, exercise="K7QX2M")
    assert ink(named) > 40 and ink(anyone) == 0
    from grader.sheet.render import _hint_slot
    # (an unused box crossed, as the sheet's instructions say: "tulis 081" beside "47 ditulis X 4 7" left a trainee
    # between the two; helper-149)
    assert _hint_slot(named, 3) == ("(tulis X81)", "") and _hint_slot(anyone, 3) == ("", "")
    assert _hint_slot(SheetIdentity(spec.id, spec.version, 1, "bupati", 3, trainee="7", trainee_name="A"), 3)[0] == \
        "(tulis XX7)"


def _decode_qr_region(gray, rect, px_per_mm):
    """Decode the QR where the layout puts it (as the reader does on an aligned page)."""
    x, y, w, h = rect.to_px(px_per_mm)
    crop = cv2.cvtColor(np.ascontiguousarray(gray[y:y + h, x:x + w]), cv2.COLOR_GRAY2BGR)
    return cv2.QRCodeDetector().detectAndDecode(crop)[0]


def _stored_exercise(contest: str, pairs: int) -> str:
    """An exercise of chasil-kwk registered in the test's store; its code."""
    from grader.exercise.scenario import generate_exercise
    from grader.exercise.store import save_exercise

    ex = generate_exercise(resolve_template("chasil-kwk"), contest=contest, pairs=pairs, seed=3)
    save_exercise(ex)
    return ex.code


def test_form_print_cli_writes_pdf_and_pngs(tmp_path):
    out = tmp_path / "sheet.pdf"
    code = _stored_exercise("gubernur", 4)
    rc = main(["form", "print", "chasil-kwk", "--exercise", code.lower(),
               "-o", str(out), "--png", str(tmp_path / "sheet.png"), "--dpi", "100"])
    assert rc == 0
    pdf = out.read_bytes()
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF") and pdf.count(b"/Type /Page ") == 2
    p1 = cv2.imread(str(tmp_path / "sheet.png"), cv2.IMREAD_GRAYSCALE)
    p2 = cv2.imread(str(tmp_path / "sheet-p2.png"), cv2.IMREAD_GRAYSCALE)
    assert p1.shape == p2.shape == (round(297 / 25.4 * 100), round(210 / 25.4 * 100))
    text, _, _ = cv2.QRCodeDetector().detectAndDecode(cv2.cvtColor(p2, cv2.COLOR_GRAY2BGR))
    ident = decode_payload(text)
    assert (ident.page, ident.pairs, ident.contest, ident.exercise) == (2, 4, "gubernur", code)


def test_a_sheet_printed_for_an_exercise_carries_the_exercises_variant_or_is_refused(tmp_path, capsys):
    """Review: --exercise was printed into the QR beside the template's default contest and pairs (bupati, 3), so
    no sheet printed for a walikota exercise of 2 pairs could be graded; an unknown code printed too."""
    code = _stored_exercise("walikota", 2)
    png = tmp_path / "s.png"
    assert main(["form", "print", "chasil-kwk", "--exercise", code, "-o", str(tmp_path / "s.pdf"),
                 "--png", str(png), "--dpi", "100"]) == 0
    ident = decode_payload(cv2.QRCodeDetector().detectAndDecode(cv2.imread(str(png)))[0])
    assert (ident.contest, ident.pairs, ident.exercise) == ("walikota", 2, code)
    capsys.readouterr()
    for extra, said in ((["--exercise", "ZZZZZZ"], "no exercise with code ZZZZZZ"),
                        (["--exercise", code, "--pairs", "3"], f"--pairs 3 contradicts exercise {code} (pairs 2)"),
                        (["--exercise", code, "--contest", "bupati"], "--contest bupati contradicts")):
        assert main(["form", "print", "chasil-kwk", *extra, "-o", str(tmp_path / "x.pdf")]) == 2
        err = capsys.readouterr().err
        assert said in err and "Traceback" not in err
    assert not (tmp_path / "x.pdf").exists()


def test_roster_prints_one_personalised_sheet_per_trainee(tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("No,Nama\n001,Siti Aminah\n002,Budi Santoso\n", encoding="utf-8")
    out = tmp_path / "class.pdf"
    assert main(["form", "print", "chasil-kwk", "--roster", str(roster), "-o", str(out),
                 "--png", str(tmp_path / "c.png"), "--dpi", "100"]) == 0
    assert out.read_bytes().count(b"/Type /Page ") == 4
    seen = []
    for name in ("c.png", "c-p3.png"):
        img = cv2.imread(str(tmp_path / name))
        seen.append(decode_payload(cv2.QRCodeDetector().detectAndDecode(img)[0]))
    assert [(i.trainee, i.trainee_name, i.page) for i in seen] == [("001", "Siti Aminah", 1),
                                                                    ("002", "Budi Santoso", 1)]


def test_bad_roster_is_a_clear_usage_error(tmp_path, capsys):
    roster = tmp_path / "roster.csv"
    roster.write_text("email\nx@y\n")
    assert main(["form", "print", "chasil-kwk", "--roster", str(roster), "-o", str(tmp_path / "x.pdf")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("grader: error:") and "needs an id column" in err and "Traceback" not in err


def test_a_roster_that_cannot_be_opened_is_said_in_a_sentence(tmp_path, capsys):
    """It said "cannot read roster PATH: [Errno 2] No such file or directory: 'PATH'", Python's words included."""
    missing = tmp_path / "kelas.csv"
    assert main(["form", "print", "chasil-kwk", "--roster", str(missing), "-o", str(tmp_path / "x.pdf")]) == 2
    err = capsys.readouterr().err
    assert err == f"grader: error: The roster {missing} cannot be opened: No such file or directory.\n"


@pytest.mark.parametrize("data", [
    b"id;name\n1;Budi\n002;Siti Aminah\n",                          # Excel, Indonesian locale
    b"\xef\xbb\xbfNo;Nama\r\n1;Budi\r\n002;Siti Aminah\r\n",          # ... with its BOM and CRLF
    b"nomor\tnama\n1\tBudi\n002\tSiti Aminah\n",                     # tab separated
    b'no,nama\n1,Budi\n002,"Siti Aminah"\n',
], ids=["semicolon", "semicolon-bom-crlf", "tab", "comma"])
def test_a_roster_is_read_whatever_its_separator(data):
    from grader.commands.form import parse_roster

    assert parse_roster(data, "r.csv", number_boxes=3) == [("1", "Budi"), ("002", "Siti Aminah")]


def test_a_semicolon_roster_with_a_comma_in_a_name_keeps_the_name_whole():
    from grader.commands.form import parse_roster

    assert parse_roster(b"no;nama\n1;Budi, S.Pd\n", "r.csv", number_boxes=3) == [("1", "Budi, S.Pd")]


def test_a_windows_1252_roster_from_excel_keeps_its_accented_names():
    from grader.commands.form import parse_roster

    assert parse_roster("no;nama\n1;André Siregar\n".encode("cp1252"), "r.csv", number_boxes=3) == [
        ("1", "André Siregar")]


def test_a_utf8_roster_with_a_damaged_byte_is_refused_not_garbled():
    """Review: read as Windows-1252, every accented name of it printed garbled (AndrÃ©) without a word."""
    from grader.commands.form import parse_roster
    from grader.errors import GraderError

    with pytest.raises(GraderError) as info:
        parse_roster("no;nama\n1;André\n".encode() + b"2;Budi\xff\n", "r.csv", number_boxes=3)
    assert info.value.code == "bad_roster"


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_a_roster_saved_as_excels_unicode_text_is_read(tmp_path, encoding):
    """Input review (h35): Excel's "Unicode Text" (UTF-16 with its BOM, tab separated) was read as Windows-1252 and
    refused for its columns "ÿþN?o?, ?N?a?m?a?". It is read, accented names and all."""
    from grader.commands.form import parse_roster

    bom = codecs.BOM_UTF16_LE if encoding == "utf-16-le" else codecs.BOM_UTF16_BE
    data = bom + "No\tNama\r\n001\tSiti Aminah\r\n002\tAndré Siregar\r\n".encode(encoding)
    assert parse_roster(data, "kelas.txt", number_boxes=3) == [("001", "Siti Aminah"), ("002", "André Siregar")]
    roster = tmp_path / "kelas.txt"
    roster.write_bytes(data)
    out = tmp_path / "class.pdf"
    assert main(["form", "print", "chasil-kwk", "--roster", str(roster), "-o", str(out), "--dpi", "50"]) == 0
    assert out.read_bytes().count(b"/Type /Page ") == 4


def test_a_roster_in_utf16_without_its_bom_or_cut_short_is_refused_in_words():
    from grader.commands.form import parse_roster
    from grader.errors import GraderError

    text = "No\tNama\r\n001\tSiti\r\n"
    with pytest.raises(GraderError) as info:
        parse_roster(text.encode("utf-16-le"), "kelas.txt", number_boxes=3)
    assert info.value.message == ("The roster kelas.txt is not a CSV text file. In Excel, choose Save As, then CSV "
                                  "UTF-8, and send that file.")
    assert "?" not in info.value.message_id
    with pytest.raises(GraderError) as info:
        parse_roster(text.encode("utf-16")[:-1], "kelas.txt", number_boxes=3)      # an odd byte: a character cut
    assert "line 2 holds a damaged character" in info.value.message


def test_a_semicolon_roster_prints_from_the_cli(tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_bytes(b"\xef\xbb\xbfNo;Nama\r\n001;Siti Aminah\r\n002;Budi Santoso\r\n")
    out = tmp_path / "class.pdf"
    assert main(["form", "print", "chasil-kwk", "--roster", str(roster), "-o", str(out), "--dpi", "50"]) == 0
    assert out.read_bytes().count(b"/Type /Page ") == 4


def test_a_trainee_number_longer_than_the_number_boxes_is_refused_naming_its_row(tmp_path, capsys):
    roster = tmp_path / "roster.csv"
    roster.write_text("no,nama\n001,Siti\n1234,Budi\n", encoding="utf-8")
    out = tmp_path / "x.pdf"
    assert main(["form", "print", "chasil-kwk", "--roster", str(roster), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert "line 3 (Budi): trainee number 1234 has more than 3 digits" in err and err.count("\n") == 1
    assert not out.exists()


def test_the_number_box_count_comes_from_the_template(tmp_path):
    """A template with four trainee-number boxes takes a four-digit number; leading zeros never count."""
    from grader.commands.form import parse_roster, trainee_number_boxes
    from grader.errors import GraderError
    from grader.sheet.schema import TEMPLATES_DIR

    text = (TEMPLATES_DIR / "chasil-kwk.yaml").read_text(encoding="utf-8")
    assert "    boxes: 3\n" in text
    wide = tmp_path / "wide.yaml"
    wide.write_text(text.replace("    boxes: 3\n", "    boxes: 4\n", 1), encoding="utf-8")
    boxes = trainee_number_boxes(layout_sheet(load_template(wide)))
    assert boxes == 4
    assert parse_roster(b"no,nama\n1234,Budi\n", "r.csv", number_boxes=boxes) == [("1234", "Budi")]
    assert parse_roster(b"no,nama\n0012,Budi\n", "r.csv", number_boxes=3) == [("0012", "Budi")]
    with pytest.raises(GraderError, match="12345 has more than 4 digits"):
        parse_roster(b"no,nama\n12345,Budi\n", "r.csv", number_boxes=boxes)


def test_form_layout_json_matches_the_geometry(capsys):
    assert main(["form", "layout", "chasil-kwk", "--pairs", "2", "--dpi", "254", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["pairs"] == 2 and data["px_per_mm"] == pytest.approx(10)
    p1, p2 = data["pages"]
    assert p1["size_px"] == [2100, 2970]
    assert p1["markers"][0] == {"id": 0, "corners": [[100.0, 100.0], [220.0, 100.0], [220.0, 220.0], [100.0, 220.0]]}
    fields = {f["id"]: f for f in p2["fields"]}
    assert len(fields["IV.1.bubbles"]["bubbles"]) == 3 and len(fields["IV.1.bubbles"]["bubbles"][0]) == 10
    assert len(fields["IV.2.tally"]["cells"]) == 40
    assert fields["V.A"]["boxes"][0][2] == 75  # 7.5 mm at 10 px/mm


@pytest.mark.parametrize("argv,needle", [
    (["form", "print", "no-such-template", "-o", "x.pdf"], "no such template"),
    (["form", "print", "chasil-kwk", "--pairs", "9", "-o", "x.pdf"], "pairs must be 1..6"),
    (["form", "print", "chasil-kwk", "--contest", "presiden", "-o", "x.pdf"], "contest must be one of"),
    (["form", "layout"], "the following arguments are required"),
    (["frobnicate"], "invalid choice"),
])
def test_user_mistakes_exit_2_with_one_line(argv, needle, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert needle in err and err.count("\n") == 1


@pytest.mark.parametrize("data", [b"no;nama\n1;Budi\n1;Budi Santoso\n", b"no,nama\n001,Budi\n2,Ani\n1,Siti\n"])
def test_a_roster_that_gives_two_trainees_one_number_is_refused_naming_both_rows(data):
    """Two sheets with one trainee number in their QR would be graded as one trainee's pages (QA)."""
    from grader.commands.form import parse_roster
    from grader.errors import GraderError
    with pytest.raises(GraderError) as info:
        parse_roster(data, "r.csv", number_boxes=3)
    assert info.value.code == "bad_roster"
    assert "baris 2" in info.value.message_id and "sudah dipakai" in info.value.message_id


@pytest.mark.parametrize("data", [b'no;nama\r\n1;"Budi\r\nSantoso"\r\n2;Ani\r\n', b"no;nama\r\n1;Budi\x0bSantoso\r\n2;Ani\r\n"])
def test_a_line_break_inside_a_roster_name_is_a_space(data):
    """Excel writes a cell's Alt+Enter line break inside quotes: the name printed as "BudiSantoso"; a vertical tab
    cut the row in two and the roster was refused for a line 3 the file did not have (QA)."""
    from grader.commands.form import parse_roster
    assert parse_roster(data, "r.csv", number_boxes=3) == [("1", "Budi Santoso"), ("2", "Ani")]


def test_a_roster_number_must_be_digits_and_a_names_invisible_characters_go():
    """Print review (s34): roster numbers '-1' and 'AB-12' were accepted, though a trainee can only write digits in
    the number boxes (the sheet then relied on its QR alone); and a name pasted with a zero-width space or a
    right-to-left override printed invisible or backwards, in the QR and the class table too."""
    from grader.commands.form import parse_roster
    from grader.errors import GraderError
    for tid in ("-1", "AB-12", "１２"):                   # (full-width digits are no ASCII digits either)
        with pytest.raises(GraderError) as exc:
            parse_roster(f"no;nama\n{tid};Budi\n".encode(), "r.csv", number_boxes=3)
        assert exc.value.code == "bad_roster" and "is not a number" in exc.value.message and "baris 2" in \
            exc.value.message_id
    got = parse_roster("no;nama\n\u200b7\u200b;\u202eSiti\u200bAminah\ufeff\n".encode(), "r.csv", number_boxes=3)
    assert got == [("7", "Siti Aminah")]


HOW_TO_FILL = "Cara mengisi: satu angka balok per kotak"


@pytest.mark.parametrize("pairs", range(1, 7))
def test_both_pages_print_how_to_fill_in_and_sheets_printed_without_it_on_page_2_still_pass_the_glare_check(pairs):
    """Leftover: page 2 of the printed practice sheet lacked the 'Cara mengisi' lines that page 1 has. They are
    printed in the free strip below section V, clear of every field and marker, without moving a field, so a page 2
    printed before them (the same template version) still reads: the glare check, the one reading step that looks
    for printed text, never counts their place (only print within 4 mm of a read field), and such a page shows no
    washed-out print."""
    import dataclasses

    from grader.photo.quality import GLARE_FIELD_MARGIN_MM, GLARE_TILE_MM, washed_print_share
    from grader.sheet.render import MM_PER_INCH, font, render_page
    spec = resolve_template("chasil-kwk")
    sheet = layout_sheet(spec, contest="bupati", pairs=pairs)
    for page in sheet.pages:
        notes = [lb for lb in page.labels if lb.text.startswith(HOW_TO_FILL)]
        assert len(notes) == 1, page.number
    page = sheet.pages[1]
    notes = [lb for lb in page.labels if lb.gray == 60 and lb.y > 268]      # the two lines of page 2's note
    assert [lb.text.split(":")[0] for lb in notes] == ["Cara mengisi", "Contoh"]
    px = 100
    for lb in notes:        # each line's extent, clear of the fields (with the glare margin and a tile), and markers
        width = font(round(lb.size_mm * px)).getlength(lb.text) / px
        x0, x1, y0, y1 = lb.x, lb.x + width, lb.y - lb.size_mm / 2, lb.y + lb.size_mm / 2
        assert x1 < spec.page_w_mm - 24
        for f in page.fields:
            r = f.rect.grow(GLARE_FIELD_MARGIN_MM + GLARE_TILE_MM)
            assert x1 < r.x or x0 > r.x2 or y1 < r.y or y0 > r.y2, (lb.text, f.id)
        for m in page.markers:
            r = m.rect.grow(2.0)
            assert x1 < r.x or x0 > r.x2 or y1 < r.y or y0 > r.y2, (lb.text, m.id)
    # a page 2 as printed before the note: the same page without its lines, read against today's layout
    old_page = dataclasses.replace(page, labels=tuple(lb for lb in page.labels if lb not in notes))
    ident = SheetIdentity(spec.id, spec.version, 2, "bupati", pairs, exercise="K7QX2M")
    ppm = spec.read_px_per_mm
    old_print = np.asarray(render_page(sheet, old_page, ident, dpi=ppm * MM_PER_INCH))
    assert washed_print_share(old_print, page, sheet, px_per_mm=ppm) == 0.0


def test_a_named_sheet_prints_the_trainee_number_as_its_boxes_hold_it():
    """helper-140: a named sheet printed "(No. 3)" beside empty number boxes that hold three digits, and every page of
    the app says the trainee "003"; the name line says "(No. 003)"."""
    from grader.sheet.identity import SheetIdentity
    from grader.sheet.render import _name_slot
    ident = SheetIdentity("chasil-kwk", 1, 1, "bupati", 3, exercise="ABC123", trainee="3", trainee_name="Budi")
    assert _name_slot(ident) == ("Budi", "  (No. 003)")
    assert _name_slot(SheetIdentity("chasil-kwk", 1, 1, "bupati", 3, trainee_name="Budi")) == ("Budi", "")
