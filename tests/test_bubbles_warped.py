"""Bubble-column reader on bent columns and erased-beside-light fills (failure modes seen on generated photos).

The aligner's curl correction can leave a bubble column shifted by more than a millimetre part way
down, with some outlines oval; the reader must follow the outlines there, and still refuse a column it
cannot follow. A pale erased smudge beside a light pen fill is an erased mistake, not a second fill.
"""
import cv2
import numpy as np
import pytest

from grader.recognize.bubbles import decide_column, locate_bubbles, read_bubbles
from test_bubbles import PX, filled, spelled


def _column_strip(sheet, fid: str, col: int):
    f = sheet.field(fid)
    x, y, w, h = f.bubbles[col][0].grow(0.8).to_px(PX)
    y2 = f.bubbles[col][-1].grow(0.8).to_px(PX)[1] + h
    return f, x, y, w, y2


def test_column_stepped_down_part_way_is_followed(sheet, blank_page):
    """From bubble 3 down, the middle column sits 1 mm lower and 0.6 mm to the right: still read exactly."""
    rng = np.random.default_rng(31)
    gray = filled(sheet, blank_page, {"IV.1.bubbles": spelled(275)}, rng, hard=False)
    f, x, y, w, y2 = _column_strip(sheet, "IV.1.bubbles", 1)
    top = int(round(f.bubbles[1][3].y * PX - 0.45 * PX))            # between bubbles 2 and 3
    dy, dx = int(round(1.0 * PX)), int(round(0.6 * PX))
    out = gray.copy()
    part = gray[top:y2 - dy, x - 8:x + w + 8]
    out[top + dy:y2, x - 8 + dx:x + w + 8 + dx] = part
    out[top:top + dy, x - 8:x + w + 8] = np.median(gray[top:top + dy, x - 8:x + w + 8])   # plain paper in the gap
    r = read_bubbles(out, f, px_per_mm=PX)
    assert (r.value, r.status) == (275, "ok"), r
    m = locate_bubbles(out, f, px_per_mm=PX)
    shift = m.centres[1, 5] - m.centres[0, 5]                        # column 1 against column 0, at bubble 5
    assert abs(shift[1] - dy) <= 2 and abs(shift[0] - (f.bubbles[1][5].center[0] - f.bubbles[0][5].center[0])
                                           * PX - dx) <= 2


def test_oval_bubbles_of_a_stretched_stretch_are_not_misaligned(sheet, blank_page):
    """Bubbles 1-2 of the first column stretched to 1.25 times their height (the rest pushed down)."""
    rng = np.random.default_rng(32)
    gray = filled(sheet, blank_page, {"IV.2.bubbles": spelled(418)}, rng, hard=False)
    f, x, y, w, y2 = _column_strip(sheet, "IV.2.bubbles", 0)
    a = int(round(f.bubbles[0][1].y * PX - 0.45 * PX))
    b = int(round(f.bubbles[0][2].y2 * PX + 0.45 * PX))
    out = gray.copy()
    seg = gray[a:b, x - 8:x + w + 8]
    tall = cv2.resize(seg, (seg.shape[1], int(seg.shape[0] * 1.25)), interpolation=cv2.INTER_LINEAR)
    rest = gray[b:y2, x - 8:x + w + 8]
    col = np.vstack([tall, rest])[: y2 - a]
    out[a:y2, x - 8:x + w + 8] = col
    r = read_bubbles(out, f, px_per_mm=PX)
    assert (r.value, r.status) == (418, "ok"), r
    assert "misaligned" not in r.column_notes


def test_squeezed_column_goes_to_review_never_to_a_shifted_digit(sheet, blank_page):
    """A column squeezed to 0.7 of its height cannot be followed: review, not a neighbour's digit."""
    rng = np.random.default_rng(33)
    gray = filled(sheet, blank_page, {"IV.3.bubbles": spelled(186)}, rng, hard=False)
    f, x, y, w, y2 = _column_strip(sheet, "IV.3.bubbles", 1)
    strip = gray[y:y2, x:x + w]
    short = cv2.resize(strip, (w, int(strip.shape[0] * 0.7)), interpolation=cv2.INTER_AREA)
    out = gray.copy()
    out[y:y2, x:x + w] = np.median(strip)
    out[y:y + short.shape[0], x:x + w] = short
    r = read_bubbles(out, f, px_per_mm=PX)
    assert r.status == "review" and r.value is None
    assert r.digits[1] is None


def test_decide_column_smudge_rule_needs_a_strokeless_second_mark():
    scores = np.full(10, 0.0)
    scores[5], scores[2] = 0.24, 0.12            # a light fill and a second, half as dark
    peaks = np.full(10, 0.01)
    peaks[5], peaks[2] = 0.30, 0.09              # the second is an even pale smudge: no pen strokes
    digit, note, conf, ok = decide_column(scores, peaks=peaks)
    assert (digit, note, ok) == (5, "erased_second", True) and conf < 0.8
    # Without the stroke evidence the same scores stay doubtful.
    assert decide_column(scores)[3] is False
    # A second mark with pen strokes in it (a light second fill) is never taken for an erasure.
    peaks[2] = 0.2
    assert decide_column(scores, peaks=peaks)[3] is False
    # Nor a third mark.
    peaks[2] = 0.09
    scores[7] = 0.06
    assert decide_column(scores, peaks=peaks)[3] is False


def test_decide_column_residue_beside_a_firm_fill_is_an_erasure_only_without_pen_strokes():
    # Dev photos (seed 23): an erased fill left 0.15-0.17 beside a firm fill of 0.58-0.82, its darkest part
    # no darker than its mean; those columns went to review.
    scores = np.full(10, 0.0)
    scores[4], scores[8] = 0.66, 0.16
    peaks = np.full(10, 0.01)
    peaks[4], peaks[8] = 0.65, 0.16
    digit, note, conf, ok = decide_column(scores, peaks=peaks)
    assert (digit, note, ok) == (4, "erased_second", True) and conf < 0.8
    # Hatched by the same pen (strokes at half the fill's darkness): a second fill, review.
    peaks[8] = 0.33
    assert decide_column(scores, peaks=peaks)[1:4:2] == ("multiple_filled", False)
    # Beside a weaker fill the same residue is no longer far below it: review.
    peaks[8] = 0.16
    scores[4], peaks[4] = 0.45, 0.45
    assert decide_column(scores, peaks=peaks)[3] is False
    # Darker than ``residue_level``: review, however even.
    scores[4], peaks[4], scores[8], peaks[8] = 0.9, 0.9, 0.22, 0.22
    assert decide_column(scores, peaks=peaks)[3] is False


@pytest.mark.parametrize("kind", ["light", "pale"])
def test_a_light_second_fill_beside_a_firm_one_goes_to_review(sheet, blank_page, kind):
    """A pale but real second fill must never pass as an erased mistake. The even "pale" fills (a third of a
    pen fill's darkness, 0.30-0.44 of the firm fill) sit just beyond the residue rule's reach: loosening it
    to 0.35 accepts some of them."""
    for seed in range(40, 52):
        rng = np.random.default_rng(seed)
        gray = filled(sheet, blank_page, {"IV.2.bubbles": [[(0, "fill")], [(6, "fill"), (2, kind)], [(1, "fill")]]},
                      rng, hard=bool(seed % 2))
        r = read_bubbles(gray, sheet.field("IV.2.bubbles"), px_per_mm=PX)
        assert r.status == "review" and r.digits[1] is None, (seed, r.fill[1])
        # Nor does it say a number the firm fill favours: which fill the trainee meant is theirs to say.
        assert r.value is None, (seed, r.fill[1], r.value)


@pytest.mark.parametrize("kind", ["light", "pale"])
def test_a_real_second_fill_stays_in_review_when_the_digits_and_tally_show_the_firm_one(sheet, blank_page, kind):
    """Two bubbles filled in one column is the trainee's to explain, not ours to settle: the pair's digits and tally
    showing the darker one (as a trainee who wrote 61 everywhere and also filled a 2 lightly does) say nothing
    about the second fill. Context (grader.read.context) must not accept the field: it stays in review, for a
    trainer to see both marks."""
    from grader.grading.grade import grade_readings
    from grader.read.context import apply_context
    from grader.read.sheet_reader import FieldReading, _read_bubbles
    for seed in range(40, 46):
        rng = np.random.default_rng(seed)
        gray = filled(sheet, blank_page, {"IV.2.bubbles": [[(0, "fill")], [(6, "fill"), (2, kind)], [(1, "fill")]]},
                      rng, hard=bool(seed % 2))
        readings = {"IV.2": FieldReading("IV.2", "digits", 2, 61, 0.9995, "ok"),
                    "IV.2.tally": FieldReading("IV.2.tally", "tally", 2, 61, 0.99, "ok"),
                    "IV.2.bubbles": _read_bubbles(gray, sheet.field("IV.2.bubbles"), 2, PX)}
        assert readings["IV.2.bubbles"].status == "review"
        after = apply_context(readings)
        assert after["IV.2.bubbles"].status == "review", (seed, after["IV.2.bubbles"])
        graded = {f["id"]: f for f in grade_readings(sheet, after, None)["fields"]}
        assert graded["IV.2.bubbles"]["status"] == "review", seed


def test_one_stretched_bubble_pushing_the_column_down_is_never_read_as_a_neighbour(sheet, blank_page):
    """Bubble 1 of every column stretched 1.3-1.7 times (the rest pushed down by up to 2.7 mm, as a bad
    curl correction left one generated photo): the field is read exactly or sent to review, never
    auto-accepted with a neighbour's digits."""
    f = sheet.field("IV.1.bubbles")
    for k, factor in enumerate((1.3, 1.5, 1.7)):
        rng = np.random.default_rng(40 + k)
        gray = filled(sheet, blank_page, {"IV.1.bubbles": spelled(57)}, rng, hard=False)
        out = gray.copy()
        for col in range(3):
            _, x, _, w, y2 = _column_strip(sheet, "IV.1.bubbles", col)
            a = int(round(f.bubbles[col][1].y * PX - 0.45 * PX))
            b = int(round(f.bubbles[col][1].y2 * PX + 0.45 * PX))
            seg = gray[a:b, x - 8:x + w + 8]
            tall = cv2.resize(seg, (seg.shape[1], int(seg.shape[0] * factor)), interpolation=cv2.INTER_LINEAR)
            out[a:y2, x - 8:x + w + 8] = np.vstack([tall, gray[b:y2, x - 8:x + w + 8]])[: y2 - a]
        r = read_bubbles(out, f, px_per_mm=PX)
        assert r.value == 57 or r.status == "review", (factor, r)
        assert not (r.status == "ok" and r.value != 57), (factor, r)


def _faded(sheet, blank_page, fid: str, rows: tuple[int, int], keep: float = 0.12) -> np.ndarray:
    """``blank_page`` with the print of bubble rows ``rows[0]..rows[1]`` of ``fid`` faded to ``keep`` of its
    darkness across the field: a pale band of a photocopy whose toner ran short (before anything is written)."""
    f = sheet.field(fid)
    x, _, w, _ = f.rect.grow(2.0).to_px(PX)
    y0 = int(round((f.bubbles[0][rows[0]].y - 0.4) * PX))
    y1 = int(round((f.bubbles[0][rows[1]].y2 + 0.4) * PX))
    page = blank_page.copy()
    page[y0:y1, x:x + w] = 1 - (1 - page[y0:y1, x:x + w]) * keep
    return page


def test_rings_faded_by_a_pale_copy_are_not_misaligned_and_the_pen_is_read(sheet, blank_page):
    """Rows 4-6 of every column printed almost white: their bubbles are placed by the rest of the column, and a
    fill in them (the 4 of 418) or beside them is read; faint is not misplaced."""
    rng = np.random.default_rng(34)
    page = _faded(sheet, blank_page, "IV.2.bubbles", (4, 6))
    gray = filled(sheet, page, {"IV.2.bubbles": spelled(418)}, rng, hard=False)
    m = locate_bubbles(gray, sheet.field("IV.2.bubbles"), px_per_mm=PX)
    assert m.outline[:, 5].max() < 0.3 * np.median(m.outline)                # the rings really are gone there
    r = read_bubbles(gray, sheet.field("IV.2.bubbles"), px_per_mm=PX)
    assert (r.value, r.status) == (418, "ok"), r
    assert not {"misaligned", "faint_print"} & set(r.column_notes)


def test_an_empty_column_with_faded_rings_goes_to_review_as_faint_print(sheet, blank_page):
    """An empty column cannot be taken for a leading zero where its print is too pale to show what is there."""
    rng = np.random.default_rng(35)
    page = _faded(sheet, blank_page, "IV.3.bubbles", (3, 6))
    gray = filled(sheet, page, {"IV.3.bubbles": [[], [(4, "fill")], [(7, "fill")]]}, rng, hard=False)
    r = read_bubbles(gray, sheet.field("IV.3.bubbles"), px_per_mm=PX)
    assert (r.value, r.status) == (None, "review"), r
    assert r.column_notes == ("faint_print", "", "") and r.digits[1:] == (4, 7)


def test_a_bent_column_is_still_misaligned_beside_faded_rings(sheet, blank_page):
    """Faded rows elsewhere do not excuse a column stretched out of place: printed rings away from the bubbles."""
    rng = np.random.default_rng(36)
    page = _faded(sheet, blank_page, "IV.1.bubbles", (7, 8))
    gray = filled(sheet, page, {"IV.1.bubbles": spelled(253)}, rng, hard=False)
    f, x, y, w, y2 = _column_strip(sheet, "IV.1.bubbles", 1)
    strip = gray[y:y2, x:x + w]
    stretched = cv2.resize(strip, (w, int(strip.shape[0] * 1.4)), interpolation=cv2.INTER_LINEAR)
    gray = gray.copy()
    gray[y:y2, x:x + w] = stretched[:strip.shape[0]]
    r = read_bubbles(gray, f, px_per_mm=PX)
    assert r.status == "review" and r.column_notes[1] == "misaligned"


@pytest.mark.parametrize("pitches", (1, -1))
def test_a_column_moved_by_one_bubble_is_never_read_as_its_neighbours_digit(sheet, blank_page, pitches):
    """Rehearsal (helper-151): on a strongly curved photo (an ultra-wide lens, a cockled sheet) a whole column sat
    one bubble off its place after alignment. Each bubble found its neighbour's ring within the search, the one at
    the column's end found none and was taken for a ring a pale copy faded, and the column was read one digit off:
    34 written, 33 read at 0.99 and marked wrong. A column whose only faint ring is an end one is read as moved:
    review, never a neighbour's digit; so is one whose last printed ring is left a bubble past its last bubble."""
    rng = np.random.default_rng(151)
    gray = filled(sheet, blank_page, {"IV.1.bubbles": spelled(34)}, rng, hard=False)
    f = sheet.field("IV.1.bubbles")
    pitch = (f.bubbles[2][1].y - f.bubbles[2][0].y) * PX
    _, x, y, w, y2 = _column_strip(sheet, "IV.1.bubbles", 2)
    dy = int(round(pitches * pitch))
    out = gray.copy()
    src = gray[y:y2, x - 8:x + w + 8].copy()
    out[y:y2, x - 8:x + w + 8] = np.median(src)                                 # plain paper where it was
    out[y + dy:y2 + dy, x - 8:x + w + 8] = src                                  # the whole column, a bubble off
    r = read_bubbles(out, f, px_per_mm=PX)
    assert r.status == "review" and r.column_notes[2] == "misaligned", r
