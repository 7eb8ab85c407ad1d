"""The writing convention: X/dash/zero/blank leading boxes, impossible patterns, unsure boxes."""
import pytest

from grader.read.numbers import (NOTE_BLANK_LEADING, NOTE_IMPOSSIBLE, NOTE_OVERWRITTEN, NOTE_TRAILING_BLANK,
                                 NOTE_UNSURE_BOX, BoxLabel, assemble_number)


def boxes(text, conf=0.99, ambiguous=()):
    return [BoxLabel("" if ch == "_" else ch, conf, i in ambiguous) for i, ch in enumerate(text)]


@pytest.mark.parametrize("text,value", [("X47", 47), ("-47", 47), ("047", 47), ("XXX", 0), ("---", 0),
                                        ("X-5", 5), ("123", 123), ("X05", 5), ("000", 0), ("XX0", 0)])
def test_valid_patterns_read_ok(text, value):
    r = assemble_number(boxes(text))
    assert (r.value, r.status, r.notes) == (value, "ok", ())
    assert r.confidence == pytest.approx(0.99 ** 3)


def test_blank_leading_box_reads_but_is_reported():
    r = assemble_number(boxes("_47"))
    assert (r.value, r.status, r.notes) == (47, "ok", (NOTE_BLANK_LEADING,))


@pytest.mark.parametrize("text", ["_XX", "__X", "_--", "X_X", "X_-"])
def test_zero_with_blank_leading_boxes_reads_zero_and_is_reported(text):
    r = assemble_number(boxes(text))
    assert (r.value, r.status, r.notes) == (0, "ok", (NOTE_BLANK_LEADING,))


def test_all_blank_is_blank():
    r = assemble_number(boxes("___"))
    assert (r.value, r.status) == (None, "blank")


@pytest.mark.parametrize("text,note", [("4X7", NOTE_IMPOSSIBLE), ("47X", NOTE_IMPOSSIBLE),
                                       ("47_", NOTE_TRAILING_BLANK), ("XX_", NOTE_TRAILING_BLANK),
                                       ("X__", NOTE_TRAILING_BLANK), ("_X_", NOTE_TRAILING_BLANK),
                                       ("4_7", NOTE_IMPOSSIBLE)])
def test_impossible_patterns_go_to_review(text, note):
    r = assemble_number(boxes(text))
    assert r.status == "review" and r.value is None and note in r.notes


def test_one_unsure_box_sends_the_field_to_review_but_keeps_the_best_reading():
    r = assemble_number(boxes("X47", ambiguous=(2,)))
    assert (r.value, r.status) == (47, "review") and NOTE_UNSURE_BOX in r.notes


def test_overwritten_box_goes_to_review():
    b = boxes("X47")
    b[1] = BoxLabel("4", 0.99, False, overwritten=True)
    r = assemble_number(b)
    assert r.status == "review" and NOTE_OVERWRITTEN in r.notes


def test_values_within_keeps_sure_boxes_and_tries_everything_else():
    from grader.read.numbers import values_within
    # "1?6": the middle box could be any digit, or an X a person would read as 16 (or 106)
    assert values_within(("1", "1", "6"), (True, False, True)) == frozenset(range(106, 200, 10)) | {16}
    # an unsure first box may also be an unused box (X or blank): "?47" is 47 or 047..947
    assert values_within(("7", "4", "7"), (False, True, True)) == frozenset({47} | {d * 100 + 47 for d in range(10)})
    # a sure X before an unsure box: the number has at most two digits
    assert values_within(("X", "4", "7"), (True, False, False)) == frozenset(range(100))
    # an unsure last box may be an X after the digit ("X4X", written from the left): 4 as meant, or 40
    assert values_within(("X", "4", "7"), (True, True, False)) == frozenset(range(40, 50)) | {4}
    # a sure X between digits is off the convention: 16 or 106, as a person might take "1X6"
    assert values_within(("1", "X", "6"), (True, True, True)) == frozenset({16, 106})
    assert values_within(("X", "X", "X"), (True, True, True)) == frozenset({0})
    assert values_within(("1",) * 5, (False,) * 5) is None      # too many free boxes: could be anything


def test_sure_spelling_shows_unsure_boxes_as_question_marks():
    from grader.read.numbers import sure_spelling
    assert sure_spelling(("1", "1", "6"), (False, True, True)) == "?16"
    assert sure_spelling(("X", "4", "7"), (True, False, True)) == "X?7"
    assert sure_spelling(("", "4", "7"), (True, False, True)) == "?7"
    assert sure_spelling(("X", "X", "X"), (True, True, True)) == "0"
    assert sure_spelling(("X", "X", "X"), (False, False, True)) == "??X"    # "5XX" from the left is possible
    assert sure_spelling(("X", "4", "7"), (True, True, True)) == "47"
