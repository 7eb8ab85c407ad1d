"""A "1" the network is unsure of, accepted for its shape (grader.recognize.box_shape), and only a 1."""
import cv2
import numpy as np
import pytest

from grader.recognize.box_shape import accepted_by_shape, one_upright_stroke


def drawn(*polylines, thickness=2) -> np.ndarray:
    """A 28x28 network input (ink 1 on 0) with the polylines drawn, as preprocessing leaves a digit."""
    img = np.zeros((28, 28), np.uint8)
    for pts in polylines:
        cv2.polylines(img, [np.array(pts, np.int32)], False, 255, thickness, cv2.LINE_AA)
    return img.astype(np.float32) / 255


def arc(cx, cy, r, start_deg, end_deg):
    t = np.radians(np.linspace(start_deg, end_deg, 30))
    return np.stack([cx + r * np.cos(t), cy + r * np.sin(t)], 1)


ONES = {
    "upright": drawn([(14, 4), (14, 23)]),
    "leaning": drawn([(17, 4), (11, 23)]),
    "bowed": drawn(arc(24, 14, 13, 135, 225)),            # a "(": the network's runner-up is a 6
    "bowed_right": drawn(arc(4, 14, 13, -45, 45)),       # a ")": a 9 behind
}
NOT_ONES = {
    "seven": drawn([(7, 5), (20, 5), (12, 23)]),                      # a bar, then the stem
    "flagged_one": drawn([(10, 9), (15, 4), (15, 23)]),               # a flag beside the stem: review, as before
    "two": drawn([(8, 8), (12, 4), (18, 6), (18, 11), (8, 22), (21, 22)]),
    "zero": drawn(arc(14, 14, 8, 0, 360)[:, :] * [0.7, 1.1] + [4.2, -1.4]),
    "short": drawn([(14, 9), (14, 18)]),                              # a mark, not a digit's height
    "dash": drawn([(6, 14), (22, 14)]),
    "broken": drawn([(14, 4), (14, 11)], [(14, 15), (14, 23)]),
    "two_strokes": drawn([(10, 4), (10, 23)], [(18, 4), (18, 23)]),
}


@pytest.mark.parametrize("name", sorted(ONES))
def test_a_one_written_as_one_stroke_is_one(name):
    assert one_upright_stroke(ONES[name])
    assert accepted_by_shape("1", 0.93, ONES[name])


@pytest.mark.parametrize("name", sorted(NOT_ONES))
def test_a_bar_a_base_a_loop_a_flag_or_a_short_mark_is_not(name):
    assert not one_upright_stroke(NOT_ONES[name])
    assert not accepted_by_shape("1", 0.93, NOT_ONES[name])


def test_only_a_one_the_network_already_favours_is_accepted():
    """The shape backs up the network's own reading; it never makes another class a 1, nor a weak 1 sure."""
    stroke = ONES["leaning"]
    assert not accepted_by_shape("7", 0.93, stroke)
    assert not accepted_by_shape("1", 0.79, stroke)
    assert accepted_by_shape("1", 0.80, stroke)


def test_the_classifier_accepts_an_unsure_one_by_its_shape_and_keeps_its_confidence(monkeypatch):
    from grader.recognize.digit_classifier import DigitClassifier

    clf = DigitClassifier()
    ones_at = clf.classes.index("1"), clf.classes.index("7")

    def unsure_one(inputs):         # the network's answer for every input: "1" at 0.93, "7" behind
        p = np.full((len(inputs), len(clf.classes)), 0.0, np.float32)
        p[:, ones_at[0]], p[:, ones_at[1]] = 0.93, 0.07
        return p
    monkeypatch.setattr(clf, "probabilities", unsure_one)

    def box_crop(ink: np.ndarray) -> np.ndarray:
        """A 60x72 box crop, its border at the edge, the ink in the middle."""
        crop = np.full((72, 60), 235, np.uint8)
        cv2.rectangle(crop, (1, 1), (58, 70), 40, 2)
        crop[8:64, 8:52] = np.minimum(crop[8:64, 8:52], 255 - (cv2.resize(ink, (44, 56)) * 200).astype(np.uint8))
        return crop

    one, seven = clf.classify([box_crop(ONES["leaning"]), box_crop(NOT_ONES["seven"])])
    assert (one.label, one.ambiguous, one.by_shape, one.confidence) == ("1", False, True, pytest.approx(0.93))
    assert (seven.label, seven.ambiguous, seven.by_shape) == ("1", True, False)
