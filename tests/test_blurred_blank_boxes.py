"""A blurry photo the gate still accepts: a box whose pale, thin digit was blurred below the ink threshold is not a
"surely blank" box, so the trainee is not told off for leaving it blank."""
from dataclasses import replace

import numpy as np

from grader.exercise.store import AnswerKey
from grader.grading.findings import BLANK_LEADING, finding_code
from grader.pipeline import grade_upload, read_photo
from grader.read.sheet_reader import BLANK_MAX_BLUR_MM, EMPTY_BLANK_CONFIDENCE
from grader.synth.fill import fill_page
from grader.synth.generate import SynthOptions, _cap_megapixels, plan_sheet
from grader.synth.photo import sample_conditions, take_photo


def _blurred_page_two():
    """Sheet 5 of seed 3816, page 2, as attack blur_hard photographed it: hand shake and defocus, a small sheet in a
    chat-app photo (the gate measures 0.31 mm of blur and accepts it). Its V.A is 183, V.B 008 and V.C 191."""
    plan = plan_sheet(SynthOptions(count=1, seed=3816, mistakes=0.0, pages=(1, 2)), 5)
    page = plan.sheet.pages[1]
    rng = np.random.default_rng([3816, 2, 5, 2])
    filled = fill_page(plan.sheet, page, plan.ident.for_page(2), plan.writing, rng, hand=plan.hand)
    cond = replace(_cap_megapixels(sample_conditions(rng), 12.0), defocus_mm=0.3382, motion_mm=0.4593,
                   motion_angle_deg=115.27)
    return plan, take_photo(filled, page, cond, rng)


def test_no_blank_box_is_held_against_the_trainee_on_a_blurry_photo():
    plan, photo = _blurred_page_two()
    assert [plan.writing.boxes[f] for f in ("V.A", "V.C")] == [["1", "8", "3"], ["1", "9", "1"]]
    key = AnswerKey.from_json(plan.exercise.to_key_json())
    assert read_photo(photo.data).aligned.quality.blur_mm > BLANK_MAX_BLUR_MM   # (the premise: accepted, that blurry)
    res = grade_upload([("blurred_p2.jpg", photo.data)], key=key)
    assert not [x for x in res["findings"] if finding_code(x) == BLANK_LEADING], res["findings"]
    fields = {f["id"]: f for f in res["fields"]}
    assert EMPTY_BLANK_CONFIDENCE not in fields["V.A"]["box_confidence"], fields["V.A"]
