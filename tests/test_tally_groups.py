"""Tally group assembly: from per-cell measurements to counts, confidences and a status (no images)."""
import numpy as np

from grader.recognize.tally_groups import assemble_reading
from grader.recognize.tally_strokes import CellMeasure

PX = 8.0
CELL_H_MM = 7.5


def measures(cells: list[tuple[int, float]], n: int = 40, **changes) -> CellMeasure:
    """Clean measurements for ``cells`` = [(uprights, diagonal), ...] then empty cells up to ``n``.

    ``changes`` override single cells: ``name={cell: value}``.
    """
    up = np.zeros(n, int)
    diag = np.zeros(n)
    for i, (u, d) in enumerate(cells):
        up[i], diag[i] = u, d
    five = diag >= 0.6
    m = dict(uprights=up, agreement=np.ones(n), diagonal=diag,
             ink=np.where(five, 5.4, up) * 60.0, band_rows=np.where(up > 0, 30, 0),
             column_span=np.where(up > 0, 0.7, 0.0), straightness=np.ones(n), widest=np.where(up == 3, 1.1, 0.0),
             faint_uprights=up.copy(), streak=np.zeros(n), stray_mm2=np.zeros(n))
    for name, per_cell in changes.items():
        for i, v in per_cell.items():
            m[name][i] = v
    return CellMeasure(**m)


def read(m: CellMeasure):
    return assemble_reading(m, field_id="IV.1.tally", cell_h_mm=CELL_H_MM, px_per_mm=PX)


def test_clean_groups_are_accepted():
    r = read(measures([(4, 1.0), (4, 1.0), (3, 0.0)]))
    assert (r.count, r.status) == (13, "ok") and r.per_cell[:4] == (5, 5, 3, 0)


def test_short_diagonal_over_three_uprights_is_a_joint_not_a_crossing_stroke():
    # Three uprights where two touch (a hook at the top): a short diagonal piece. The old reader counted
    # it as a crossing stroke (4); it is three strokes, and doubtful.
    r = read(measures([(4, 1.0), (4, 1.0), (3, 0.65)]))
    assert r.per_cell[2] == 3 and r.count == 13
    assert r.status == "review" and r.cell_confidence[2] < 0.6 and "joined_strokes" in r.reasons


def test_long_diagonal_over_three_uprights_is_a_group_with_two_uprights_merged():
    # Inside the grid (followed by more groups) it reads five and may be accepted.
    r = read(measures([(4, 1.0), (3, 1.0), (4, 1.0), (2, 0.0)]))
    assert r.per_cell[:4] == (5, 5, 5, 2) and r.count == 17
    assert r.status == "ok" and 0.6 <= r.cell_confidence[1] <= 0.65
    # In the last used cell, where a short count is allowed, a five from three uprights is not trusted.
    r = read(measures([(4, 1.0), (3, 1.0)]))
    assert r.count == 10 and r.status == "review" and "unclear_crossing" in r.reasons


def test_a_faint_stroke_seen_only_at_a_low_threshold_sends_the_field_to_review():
    r = read(measures([(4, 1.0), (2, 0.0)], faint_uprights={1: 3}))
    assert r.count == 7 and r.status == "review" and r.cell_confidence[1] <= 0.5 and "faint_stroke" in r.reasons
    # Far past the last used cell (print residue in an empty cell) it changes nothing.
    r = read(measures([(4, 1.0), (2, 0.0)], faint_uprights={30: 1}))
    assert r.status == "ok" and r.reasons == ()


def test_misplaced_printed_borders_send_the_field_to_review_where_they_matter():
    r = read(measures([(4, 1.0), (2, 0.0)], straightness={1: 0.3}))
    assert r.status == "review" and "bent_grid" in r.reasons
    # The cell after the last used one may have lost its strokes to the line filter: also doubtful.
    r = read(measures([(4, 1.0), (2, 0.0)], straightness={2: 0.3}))
    assert r.status == "review"
    # Further on, a false stroke would break the filling order anyway: no doubt needed.
    r = read(measures([(4, 1.0), (2, 0.0)], straightness={20: 0.3}))
    assert r.status == "ok" and r.count == 7


def test_blank_field():
    r = read(measures([]))
    assert (r.count, r.status) == (0, "blank")


def test_an_upright_twice_as_wide_as_the_others_may_be_two_without_a_crossing_stroke():
    # Four strokes in the last cell, two drawn over each other: three uprights, one about twice as wide.
    r = read(measures([(4, 1.0), (3, 0.0)], widest={1: 1.9}))
    assert r.count == 8 and r.status == "review" and r.cell_confidence[1] <= 0.5
    r = read(measures([(4, 1.0), (3, 0.0)], widest={1: 1.3}))
    assert r.status == "ok"


def test_a_closed_group_in_the_last_cell_needs_its_uprights_seen_apart_too():
    # Three thick felt-pen strokes, the middle one leaning: four uprights (pale tops) over 7 rows under a
    # "crossing stroke" (the leaning one) read five, and a right 13 was charged as 15 (dev photocopies, s0093).
    r = read(measures([(4, 1.0), (4, 1.0), (4, 0.97)], band_rows={2: 7}))
    assert r.status == "review" and "short_strokes" in r.reasons and r.unsure_cells == (2,)
    # The same group seen apart over 1.5 mm is accepted, and so is a short run in a cell before the last.
    r = read(measures([(4, 1.0), (4, 1.0), (4, 0.97)], band_rows={2: 12}))
    assert (r.count, r.status) == (15, "ok")
    r = read(measures([(4, 1.0), (4, 1.0), (2, 0.0)], band_rows={1: 4}))
    assert (r.count, r.status) == (12, "ok")
    # Uprights seen apart over so few rows without a crossing stroke may be a bent line's residue.
    r = read(measures([(4, 1.0), (2, 0.0)], band_rows={1: 4}))
    assert r.status == "review"


def test_every_reason_a_reader_gives_has_words_for_the_trainer():
    """The review queue says why a field is there; a code without words would show nothing."""
    from grader.read import context, numbers
    from grader.recognize import bubbles, tally_groups
    from grader.grading.grade import NOTE_DISPUTED, NOTE_NOT_SURE_ENOUGH, NOTE_RULE_DOUBT
    from grader.web.present import NOTE_LABELS

    codes = {v for m in (tally_groups,) for k, v in vars(m).items() if k.startswith("WHY_")}
    codes |= {bubbles.NOTE_NONE, bubbles.NOTE_MULTIPLE, bubbles.NOTE_LIGHT, bubbles.NOTE_ERASED,
              bubbles.NOTE_MISALIGNED, bubbles.NOTE_FAINT, bubbles.NOTE_AROUND, numbers.NOTE_UNSURE_BOX, numbers.NOTE_OVERWRITTEN, numbers.NOTE_IMPOSSIBLE,
              numbers.NOTE_TRAILING_BLANK, context.NOTE_DISAGREES_WEAK, NOTE_DISPUTED, NOTE_NOT_SURE_ENOUGH,
              NOTE_RULE_DOUBT}
    assert len(codes) >= 20 and codes <= set(NOTE_LABELS)


def test_a_field_in_review_names_the_cells_in_doubt_and_an_accepted_one_none():
    """A trainer checks the doubtful cell instead of counting every stroke of the field again."""
    r = read(measures([(4, 1.0), (4, 1.0), (3, 0.65)]))                 # a joint in the third cell
    assert r.status == "review" and r.unsure_cells == (2,)
    r = read(measures([(4, 1.0), (2, 0.0), (4, 1.0)]))                  # a short group before a full one
    assert r.status == "review" and "out_of_order" in r.reasons and r.unsure_cells == (1,)
    r = read(measures([(4, 1.0), (4, 1.0), (3, 0.0)]))
    assert r.status == "ok" and r.unsure_cells == ()


def test_the_last_cells_uprights_seen_apart_over_little_more_than_a_millimetre_are_doubtful():
    # Three thick felt-pen strokes whose pale tops split into four runs over 8 rows (1 mm at 8 px/mm) of the last
    # used cell were accepted as four: a right tally of 18 read 19 and charged (synth seed 4217).
    r = read(measures([(4, 1.0), (4, 1.0), (4, 1.0), (4, 0.0)], band_rows={3: 8}))
    assert r.status == "review" and "short_strokes" in r.reasons and r.unsure_cells == (3,)
    r = read(measures([(4, 1.0), (4, 1.0), (4, 1.0), (4, 0.0)], band_rows={3: 12}))
    assert (r.count, r.status) == (19, "ok")
