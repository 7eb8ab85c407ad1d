"""Digit fields whose printed boxes are not where the crops are cut (paper folded or bent more than the alignment
followed) are read, but none of their boxes is held against the trainee; nor are the fields beside them, which a
shift by a whole box or row period leaves looking in place."""
import cv2
import numpy as np
import pytest

from grader.grading.certainty import box_reasoned, wrong_whatever_unsure
from grader.read.box_check import suspect_fields
from grader.read.numbers import NOTE_BOX_OUT_OF_PLACE
from grader.read.sheet_reader import read_page_fields
from grader.recognize.digit_classifier import default_classifier

PX = 8.0
WRITTEN = {"I.A.1.J": "172", "I.A.2.J": "XX3", "I.A.3.J": "XX1", "I.A.4.J": "176"}


@pytest.fixture(scope="module")
def page_one(sheet):
    """Page 1 of ``sheet`` at 8 px/mm (uint8), the J column of section I.A written in."""
    from grader.sheet.identity import SheetIdentity
    from grader.sheet.render import MM_PER_INCH, render_page
    ident = SheetIdentity(template="chasil-kwk", version=1, page=1, contest="bupati", pairs=4, exercise="T3ST01")
    gray = np.asarray(render_page(sheet, sheet.pages[0], ident, dpi=PX * MM_PER_INCH), np.uint8).copy()
    fields = {f.id: f for f in sheet.pages[0].fields}
    for fid, text in WRITTEN.items():
        for box, ch in zip(fields[fid].boxes, text):
            x, y, w, h = box.to_px(PX)
            big = np.full((80, 66), 255, np.uint8)
            if ch == "X":
                cv2.line(big, (12, 14), (54, 66), 40, 3, cv2.LINE_AA)
                cv2.line(big, (54, 14), (12, 66), 40, 3, cv2.LINE_AA)
            else:
                cv2.putText(big, ch, (18, 60), cv2.FONT_HERSHEY_SIMPLEX, 1.6, 40, 3, cv2.LINE_AA)
            ink = cv2.resize(big, (w, h), interpolation=cv2.INTER_AREA).astype(np.float32) - 255
            gray[y:y + h, x:x + w] = np.clip(gray[y:y + h, x:x + w] + ink, 0, 255).astype(np.uint8)
    return gray


def _read(gray, sheet):
    return read_page_fields(gray, sheet.pages[0], px_per_mm=PX, classifier=default_classifier(), kinds=("digits",))


def test_a_page_in_place_has_no_field_out_of_place(sheet, page_one):
    out = _read(page_one, sheet)
    assert not [fid for fid, r in out.items() if NOTE_BOX_OUT_OF_PLACE in r.notes]
    assert out["I.A.1.J"].value == 172 and out["I.A.2.J"].value == 3, out


def test_a_section_shifted_a_whole_row_is_not_held_against_the_trainee(sheet, page_one):
    """Section I's print one row (10.5 mm) lower than the template has it, as on a rolled sheet (attack "roll",
    seed 3801): the crop of I.A.2.J holds I.A.1.J's boxes, whose borders sit exactly where I.A.2.J's should. Before,
    it was read 172, surely, and a trainee who wrote 3 there was marked wrong."""
    fields = {f.id: f for f in sheet.pages[0].fields}
    first, last = fields["I.A.1.L"].rect, fields["I.B.4.J"].rect
    x0, x1 = int((first.x - 3) * PX), int((last.x2 + 3) * PX)
    y0, y1 = int((first.y - 14) * PX), int((last.y2 + 14) * PX)
    pitch = round((fields["I.A.2.J"].rect.y - fields["I.A.1.J"].rect.y) * PX)
    gray = page_one.copy()
    gray[y0 + pitch:y1, x0:x1] = page_one[y0:y1 - pitch, x0:x1]
    out = _read(gray, sheet)
    assert out["I.A.2.J"].value == 172, out["I.A.2.J"]     # (the premise: the crop holds the row above, read as it)
    for fid, text in WRITTEN.items():
        r = out[fid]
        assert r.status == "review" and not wrong_whatever_unsure(r, int(text.lstrip("X"))), r
    for fid in WRITTEN:
        assert NOTE_BOX_OUT_OF_PLACE in out[fid].notes and not box_reasoned(out[fid]), out[fid]


def test_a_section_shifted_a_whole_box_sideways_is_not_held_against_the_trainee(sheet, page_one):
    """Section I's print one box to the right: every box but each field's first finds the borders of the box left of
    it where its own should be, and reads its digit. The boxes around cannot rule that shift out, so the fields stay
    suspect, though only the first box of each shows it."""
    fields = {f.id: f for f in sheet.pages[0].fields}
    first, last = fields["I.A.1.L"].rect, fields["I.B.4.J"].rect
    x0, x1 = int((first.x - 12) * PX), int((last.x2 + 12) * PX)
    y0, y1 = int((first.y - 3) * PX), int((last.y2 + 3) * PX)
    boxes = fields["I.A.1.J"].boxes
    pitch = round((boxes[1].x - boxes[0].x) * PX)
    gray = page_one.copy()
    gray[y0:y1, x0 + pitch:x1] = page_one[y0:y1, x0:x1 - pitch]
    out = _read(gray, sheet)
    for fid, text in WRITTEN.items():
        r = out[fid]
        assert r.status == "review" and not wrong_whatever_unsure(r, int(text.lstrip("X"))), r
        assert NOTE_BOX_OUT_OF_PLACE in r.notes and not box_reasoned(r), r


@pytest.mark.parametrize("side", ["left", "top and bottom"])
def test_a_border_hidden_under_correction_fluid_leaves_the_field_in_place(sheet, page_one, side):
    """Correction fluid over one border of a box hides that pair of borders from the search, as it hid one on 24 of
    the 300 development photos (seed 61). A shift of the print by a whole box or row would hide it too, but then the
    boxes around, found in place, would not be: the field is read as usual. Before, it and the fields of its row or
    column went to review, though read right. (A field between rows alike, as I.A.2's, stays suspect: the boxes
    within reach cannot rule out the print being a row off there.)"""
    f = {g.id: g for g in sheet.pages[0].fields}["I.A.4.J"]
    box = f.boxes[2]
    gray = page_one.copy()
    x, y, w, h = box.to_px(PX)
    if side == "left":
        gray[y - 2:y + h + 2, x - 3:x + 4] = 248
    else:                                   # (a stroke of fluid across the box: top and bottom)
        gray[y - 3:y + 4, x - 2:x + w + 2] = 248
        gray[y + h - 4:y + h + 3, x - 2:x + w + 2] = 248
    out = _read(gray, sheet)
    assert not [fid for fid, r in out.items() if NOTE_BOX_OUT_OF_PLACE in r.notes], out
    assert out["I.A.4.J"].value == 176 and out["I.A.4.J"].status == "ok", out["I.A.4.J"]


@pytest.mark.parametrize("side", ["left", "right"])
def test_a_side_border_under_correction_fluid_between_rows_alike_leaves_the_field_in_place(sheet, page_one, side):
    """Between rows alike the boxes around cannot rule out the print being a row off, but a row's shift would bring
    the left and right borders of the box above to where these are, and they would show: fluid over a box's side
    border leaves its field, and the fields of its row, in place. (h42a's photocopies: 64 of the 82 fields flagged
    on 3,080 pages were within 0.35 mm of their place, most of them boxes so covered.) Its top and bottom hidden
    there, the field stays suspect, as a row's shift would hide them: see the test above."""
    f = {g.id: g for g in sheet.pages[0].fields}["I.A.2.J"]
    x, y, w, h = f.boxes[1].to_px(PX)
    gray = page_one.copy()
    edge = x if side == "left" else x + w
    gray[y - 2:y + h + 2, edge - 3:edge + 4] = 248
    out = _read(gray, sheet)
    assert not [fid for fid, r in out.items() if NOTE_BOX_OUT_OF_PLACE in r.notes], out
    assert out["I.A.2.J"].value == 3 and out["I.A.2.J"].status == "ok", out["I.A.2.J"]
    covered = page_one.copy()
    covered[y - 3:y + 4, x - 2:x + w + 2] = 248
    covered[y + h - 4:y + h + 3, x - 2:x + w + 2] = 248
    assert NOTE_BOX_OUT_OF_PLACE in _read(covered, sheet)["I.A.2.J"].notes


def test_a_field_out_of_place_makes_its_neighbours_suspect_and_many_the_whole_page(sheet):
    page = sheet.pages[0]
    digits = [f for f in page.fields if f.kind == "digits"]
    placed = np.ones((sum(len(f.boxes) for f in digits), 2), bool)      # per box: left/right, top/bottom in place
    start = {f.id: sum(len(g.boxes) for g in digits[:k]) for k, f in enumerate(digits)}
    both = placed.copy()
    both[start["I.A.2.P"] + 1] = False                # (a box whose borders are all missing: every way)
    near = suspect_fields(digits, both)
    assert {"I.A.2.P", "I.A.1.P", "I.A.3.P", "I.A.2.L", "I.A.2.J"} <= near
    assert not {"I.B.4.P", "II.4", "III.B.P"} & near
    sideways = placed.copy()
    sideways[start["I.A.2.P"] + 1, 0] = False         # its left or right border missing: its own row only
    assert suspect_fields(digits, sideways) == {"I.A.2.P", "I.A.2.L", "I.A.2.J"}
    upright = placed.copy()
    upright[start["I.A.2.P"] + 1, 1] = False          # its top or bottom border missing: its own column only
    assert suspect_fields(digits, upright) == {"I.A.2.P", "I.A.1.P", "I.A.3.P"}
    many = placed.copy()
    for fid in ("I.A.1.L", "I.B.1.J", "II.3"):
        many[start[fid], 0] = False
    assert suspect_fields(digits, many) == {f.id for f in digits}
    assert suspect_fields(digits, placed) == set()


def test_a_tally_grid_on_a_page_out_of_place_is_not_read_blank(sheet, blank_page, monkeypatch):
    """Page 2 half a box off everywhere: a tally grid read "blank" there is not held against the trainee (folded
    sheet, attack "fold", seed 3820: the grid a whole row off, its first row's strokes above it, and a tally of 25
    said not written)."""
    import grader.read.sheet_reader as reader
    monkeypatch.setattr(reader, "_read_tally", lambda gray, f, page, px: reader.FieldReading(
        f.id, f.kind, page, 0, 1.0, "blank"))
    gray = np.roll((blank_page * 255).astype(np.uint8), int(4.5 * PX), axis=1)
    out = read_page_fields(gray, sheet.pages[1], px_per_mm=PX, classifier=default_classifier())
    marks = [f.id for f in sheet.pages[1].fields if f.kind in ("tally", "bubbles")]
    assert marks and all(out[fid].status == "review" for fid in marks), {fid: out[fid].status for fid in marks}
    assert all(NOTE_BOX_OUT_OF_PLACE in out[fid].notes for fid in marks)


def test_a_page_out_of_place_advises_a_flat_retake_of_that_page(sheet, blank_page, monkeypatch):
    """Page 2 half a box off everywhere (a folded sheet): every field of it waits for a trainer, and the trainee is
    told why and what to do (unfold the sheet, lay it flat, photograph page 2 again), in the result's advice, on the
    web page's field rows and on the command line. Before, the page was graded with every field in review and no
    advice at all (bubble columns out of place were the only advice)."""
    import grader.read.sheet_reader as reader
    from grader.retake_advice import print_out_of_place_advice, retake_advice
    from grader.web.present import note_text
    monkeypatch.setattr(reader, "_read_tally", lambda gray, f, page, px: reader.FieldReading(
        f.id, f.kind, page, 0, 1.0, "blank"))
    monkeypatch.setattr(reader, "_read_bubbles", lambda gray, f, page, px: reader.FieldReading(
        f.id, f.kind, page, 0, 1.0, "ok"))
    page = sheet.pages[1]
    gray = np.roll((blank_page * 255).astype(np.uint8), int(4.5 * PX), axis=1)
    out = read_page_fields(gray, page, px_per_mm=PX, classifier=default_classifier())
    advice = retake_advice(page, out, file="b-p2.jpg")
    assert advice is not None and advice["code"] == "page_out_of_place", advice
    assert set(advice["fields"]) == {f.id for f in page.fields if f.graded and f.id in out}
    assert "foto ulang halaman 2" in advice["message_id"] and "rata di atas meja" in advice["message_id"]
    assert "unfold it, press it flat on a table and photograph page 2 again" in advice["message_en"]
    assert "cairan koreksi" in advice["message_id"] and "correction fluid" in advice["message_en"]  # (not only a fold hides them)
    from grader.result_rows import advice_messages
    assert advice_messages({"pages": [{"file": "b-p2.jpg", "advice": advice}]}) == [
        f"b-p2.jpg: {advice['message_en']}"]
    said = note_text(next(iter(out.values())).notes, lang="id")
    assert "foto ulang halaman ini" in said and "kotak tercetak" not in said, said
    # a trainer settling some fields leaves the advice about the page, for the rest
    rest = print_out_of_place_advice(2, advice["fields"][1:], page_off=True)
    assert rest["code"] == "page_out_of_place" and rest["message_en"] == advice["message_en"].replace(
        f"so {len(advice['fields'])} field", f"so {len(advice['fields']) - 1} field")
    # the same page in place: no advice
    flat = read_page_fields((blank_page * 255).astype(np.uint8), page, px_per_mm=PX, classifier=default_classifier())
    assert retake_advice(page, flat, file="b-p2.jpg") is None
