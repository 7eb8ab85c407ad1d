"""Reading/verdict metrics of `grader eval` on hand-made comparison rows, and where its verdicts come from."""
import json

import pytest

from grader.evaluation import summarise


def _field(truth, value, status, verdict, right, in_context=None):
    return {"id": "F", "kind": "digits", "truth": truth, "value": value, "status": status, "confidence": 0.9,
            "status_in_context": in_context or status, "overwritten": False, "verdict": verdict,
            "trainee_right": right}


def test_reading_and_verdict_shares():
    rows = [{"file": "a.jpg", "expect_refusal": None, "refused": None, "ms": 10.0, "boxes": [("4", "4"), ("7", "1")],
             "fields": [_field(47, 47, "ok", "ok", True),          # right, read right
                        _field(47, 41, "ok", "ok", False),         # accepted misread that happens to match the key
                        _field(12, 12, "review", "ok", True, "ok"),  # review in reading, backed up by context
                        _field(13, 13, "review", "review", False),  # a planted mistake left to review
                        _field(9, 9, "ok", "wrong", False)]}]      # a planted mistake flagged
    k = summarise(rows, engine="cnn")["fields"]["digits"]
    assert k["fields"] == 5 and k["exact_read"] == 4 / 5
    assert k["auto_accepted_wrong"] == 1 and k["auto_accepted_wrong_share"] == 1 / 3
    assert k["review_share"] == 2 / 5 and k["review_read_exactly_share"] == 1.0
    assert k["accepted_after_context"] == 4 / 5 and k["accepted_after_context_wrong"] == 1
    assert k["accepted_after_context_wrong_share"] == 1 / 4
    assert k["verdict_review_share"] == 1 / 5 and k["verdict_false_ok"] == 1
    assert (k["planted_wrong_fields"], k["planted_flagged_wrong"], k["planted_sent_to_review"]) == (3, 1, 1)
    assert k["verdict_false_wrong"] == 0
    assert (k["noted_overwritten"], k["noted_overwritten_on_planted"]) == (0, 0)
    rows[0]["fields"][3].update(noted_overwritten=True)                           # an unclear digit, noted
    rows[0]["fields"][4].update(noted_overwritten=True, overwritten=True)         # a real correction, noted
    k = summarise(rows, engine="cnn")["fields"]["digits"]
    assert (k["overwritten_fields"], k["noted_overwritten"], k["noted_overwritten_on_planted"]) == (1, 2, 1)
    assert (k["auto_accepted_with_a_one_by_shape"], k["auto_accepted_with_a_one_by_shape_wrong"]) == (0, 0)
    rows[0]["fields"][0].update(one_by_shape=True)            # accepted with a 1 taken for its shape, read right
    rows[0]["fields"][1].update(one_by_shape=True)            # ... and the misread
    rows[0]["fields"][3].update(one_by_shape=True)            # in review for another box: not counted
    k = summarise(rows, engine="cnn")["fields"]["digits"]
    assert (k["auto_accepted_with_a_one_by_shape"], k["auto_accepted_with_a_one_by_shape_wrong"]) == (2, 1)
    rows[0]["fields"][3].update(value=18)                      # the one in review misread: half read exactly
    assert summarise(rows, engine="cnn")["fields"]["digits"]["review_read_exactly_share"] == 1 / 2
    b = summarise(rows, engine="cnn")["boxes"]
    assert b["n"] == 2 and b["accuracy"] == 0.5 and b["per_class"]["7"]["accuracy"] == 0.0


def test_the_summary_line_of_a_real_crop_set_gives_its_scores():
    """`grader eval` printed only the description of each real-crop set, none of its scores."""
    from grader.commands.evaluate import crops_line
    report = {"data": "kawalc1 2014 C1 scans", "classifier": {"n": 132, "top1_accuracy": 0.9318, "top95_accuracy": 0.944,
                                                            "auto_accepted_share": 0.4621,
                                                            "auto_accepted_wrong_share": 0.0},
              "tesseract": {"top1_accuracy": 0.25}}
    line = crops_line("kawalc1_scans", report)
    assert line.startswith("kawalc1_scans (132 boxes; kawalc1 2014 C1 scans)")
    for part in ("top-1  93.18%", "most confident 95%  94.40%", "auto-accepted  46.21% with   0.00% of them wrong",
                 "tesseract top-1  25.00%"):
        assert part in line


@pytest.mark.parametrize("photo", ["s0000-p1", "s0010-p1"])
def test_the_reading_sections_verdicts_are_the_graders_own(photo):
    """The reading section's verdicts (verdict 'wrong' on a right answer, verdict review) are what the grader gives
    that page sent alone, not a simpler re-derivation: that one had said a right answer was marked wrong on a dev
    page (0.9991, a 0 read 8) whose row sum the grader in fact doubts, so it was never shown wrong."""
    from pathlib import Path

    from grader.evaluation import _compare_one
    from grader.exercise.store import load_key
    from grader.pipeline import grade_upload

    samples = Path(__file__).resolve().parents[1] / "sample_scans"
    row = _compare_one((str(samples / f"{photo}.truth.json"), "cnn"))
    truth = json.loads((samples / f"{photo}.truth.json").read_text())
    key = load_key(str(samples / "keys" / truth["exercise"]))
    graded = {f["id"]: f["status"] for f in grade_upload([(f"{photo}.jpg", (samples / f"{photo}.jpg").read_bytes())],
                                                         key=key)["fields"]}
    verdicts = {f["id"]: f["verdict"] for f in row["fields"] if f["verdict"] is not None}
    assert len(verdicts) > 20
    assert verdicts == {fid: graded[fid] for fid in verdicts}
