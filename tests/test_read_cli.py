"""``grader read-boxes`` from the command line: one entry per image, a bad image never loses the others."""
import json

import cv2
import numpy as np

from grader.cli import main
from grader.recognize.digit_classifier import default_classifier


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
