"""Digit-box classifier: the shipped model, preprocessing and real held-out crops."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from grader.config import DIGITS_MODEL_ENV
from grader.recognize.box_preprocess import (INPUT_SIZE, preprocess_box, preprocess_boxes, preprocess_boxes_and_faint,
                                             preprocess_for_reading)
from grader.recognize.digit_classifier import (LINE_UNSURE_CONFIDENCE, MODEL_DIR, BoxReading, DigitClassifier,
                                              default_classifier, model_dir)
from grader.recognize.digit_eval import evaluate_kawalc1_photos, evaluate_kawalc1_scans, score_predictions
from grader.recognize.labelled_crops import (PHOTO_BOXES_FILE, SCAN_BOXES_FILE, SHARED_DATA, load_kawalc1_crops,
                                             load_kawalc1_photo_boxes, load_kawalc1_scan_boxes, split_row)

CLASSES = [str(d) for d in range(10)] + ["X", "-", ""]
KAWALC1 = SHARED_DATA / "kawalc1"

# Measured on the held-out forms with the shipped model (see training/README.md);
# the floor sits a little below the measurement so a real regression fails.
HELDOUT_TOP1_FLOOR = 0.93  # measured 0.947 (54/57) with model v8; 0.965 with v3
SCANS_TOP1_FLOOR = 0.9     # the 2014 C1 scans' boxes: measured 0.932 (123/132) with model v8
PHOTOS_TOP1_FLOOR = 0.94   # the 2017 plano photos' boxes: measured 0.981 (104/106) with model v8


@pytest.fixture(scope="module")
def clf() -> DigitClassifier:
    return default_classifier()


def _box(draw, *, w: int = 66, h: int = 80, border: int = 3, margin: int = 5,
         paper: int = 236, seed: int = 0) -> np.ndarray:
    """A box crop like the reader's: paper, dark border near the edges, ink."""
    rng = np.random.default_rng(seed)
    img = np.clip(rng.normal(paper, 4, (h, w)), 0, 255).astype(np.uint8)
    cv2.rectangle(img, (margin, margin), (w - 1 - margin, h - 1 - margin), 35, border)
    draw(img)
    return img


def _cross(img: np.ndarray) -> None:
    cv2.line(img, (20, 24), (46, 58), 50, 3, cv2.LINE_AA)
    cv2.line(img, (46, 22), (21, 57), 50, 3, cv2.LINE_AA)


def _dash(img: np.ndarray) -> None:
    cv2.line(img, (20, 41), (46, 39), 50, 3, cv2.LINE_AA)


def _blank(img: np.ndarray) -> None:
    img[img.shape[0] // 3, img.shape[1] // 2] = 180  # a faint speck


# --------------------------------------------------------------------------
# The shipped model
# --------------------------------------------------------------------------


def test_model_files_are_small_and_describe_themselves():
    onnx_path, meta_path = MODEL_DIR / "digits.onnx", MODEL_DIR / "digits.json"
    assert onnx_path.stat().st_size < 2 * 1024 * 1024
    meta = json.loads(meta_path.read_text())
    assert meta["classes"] == CLASSES
    assert meta["input_size"] == INPUT_SIZE
    assert meta["temperature"] > 0
    assert 0.5 <= meta["review_threshold"] < 1
    split = meta["kawalc1_split"]
    assert split["by"] == "form"
    assert not set(split["train_forms"]) & set(split["heldout_forms"])
    assert "not used" in meta["training"]["sources"]["ardis"]


def test_model_loads_through_cv2_dnn_and_runs_a_batch():
    net = cv2.dnn.readNetFromONNX(str(MODEL_DIR / "digits.onnx"))
    net.setInput(np.zeros((7, 1, INPUT_SIZE, INPUT_SIZE), np.float32))
    out = net.forward()
    assert out.shape == (7, len(CLASSES))


def test_default_classifier_is_cached():
    assert default_classifier() is default_classifier()


def test_a_candidate_model_is_read_from_the_environment_folder(tmp_path, monkeypatch):
    """grader eval --digits-model: a retrained model is checked at field level before it replaces the shipped one;
    the environment variable carries the folder to the evaluation's worker processes."""
    monkeypatch.delenv(DIGITS_MODEL_ENV, raising=False)
    assert model_dir() == MODEL_DIR
    for name in ("digits.onnx", "digits.json"):
        (tmp_path / name).write_bytes((MODEL_DIR / name).read_bytes())
    meta = json.loads((tmp_path / "digits.json").read_text())
    meta["review_threshold"] = 0.5            # tells the candidate from the shipped model
    (tmp_path / "digits.json").write_text(json.dumps(meta))
    monkeypatch.setenv(DIGITS_MODEL_ENV, str(tmp_path))
    default_classifier.cache_clear()
    try:
        assert model_dir() == tmp_path
        assert default_classifier().review_threshold == 0.5
    finally:
        monkeypatch.delenv(DIGITS_MODEL_ENV)
        default_classifier.cache_clear()
    assert default_classifier().review_threshold == json.loads((MODEL_DIR / "digits.json").read_text())[
        "review_threshold"]


def test_missing_model_dir_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="digits.onnx"):
        DigitClassifier(tmp_path)


# --------------------------------------------------------------------------
# Readings
# --------------------------------------------------------------------------


def test_synthetic_cross_dash_and_blank_boxes_with_borders(clf):
    crops = [_box(_cross, seed=1), _box(_dash, seed=2), _box(_blank, seed=3),
             _box(_blank, seed=4, paper=170)]
    labels = [r.label for r in clf.classify(crops)]
    assert labels == ["X", "-", "", ""]


def test_printed_digit_in_a_bordered_box(clf):
    def three(img):
        cv2.putText(img, "3", (17, 60), cv2.FONT_HERSHEY_SIMPLEX, 1.5, 40, 4, cv2.LINE_AA)

    reading = clf.classify([_box(three)])[0]
    assert reading.label == "3"


def test_readings_are_calibrated_probabilities(clf):
    readings = clf.classify([_box(_cross), _box(_blank)])
    for r in readings:
        assert isinstance(r, BoxReading)
        assert 0.0 <= r.confidence <= 1.0
        assert set(r.probs) == set(CLASSES)
        assert abs(sum(r.probs.values()) - 1.0) < 1e-4
        assert r.confidence == pytest.approx(max(r.probs.values()))
        assert r.probs[r.label] == pytest.approx(r.confidence)


def test_overlaid_digits_go_to_review(clf):
    """An overwritten box (two real digits on top of each other) is ambiguous."""
    crops = {c.label: c.image for c in load_kawalc1_crops(KAWALC1, forms=["2014-1672382"])}
    pairs = [("1", "8"), ("6", "0"), ("9", "5"), ("2", "6"), ("0", "5"), ("8", "2")]
    overlays = []
    for a, b in pairs:
        ia, ib = crops[a], crops[b]
        overlays.append(np.minimum(ia, cv2.resize(ib, ia.shape[::-1])))
    readings = clf.classify(overlays)
    flagged = sum(r.ambiguous for r in readings)
    assert flagged >= len(pairs) - 1, [(r.label, round(r.confidence, 3)) for r in readings]


def test_batch_equals_one_by_one(clf):
    crops = [_box(_cross), _box(_dash, w=50, h=90), _box(_blank, w=30, h=30)]
    batch = clf.classify(crops)
    single = [clf.classify([c])[0] for c in crops]
    for a, b in zip(batch, single):
        assert a.label == b.label
        assert a.confidence == pytest.approx(b.confidence, abs=1e-5)


def test_empty_batch(clf):
    assert clf.classify([]) == []


@pytest.mark.skipif(not KAWALC1.is_dir(), reason="../shared/data/kawalc1 not present")
def test_heldout_kawalc1_forms_accuracy(clf):
    forms = clf.meta["kawalc1_split"]["heldout_forms"]
    crops = load_kawalc1_crops(KAWALC1, forms=forms)
    assert len(crops) >= 50
    assert {c.label for c in crops} >= {"X", "-", "", "1", "2"}
    readings = clf.classify([c.image for c in crops])
    score = score_predictions([c.label for c in crops], [r.label for r in readings],
                              [r.confidence for r in readings])
    assert score["top1_accuracy"] >= HELDOUT_TOP1_FLOOR, score


def _scan_numbers() -> dict[str, list[int]]:
    """Each scanned form's four numbers as labelled (pair 1, pair 2, valid total, invalid)."""
    spec = json.loads(SCAN_BOXES_FILE.read_text())
    out = {}
    for form in spec["forms"]:
        text = "".join(b["label"] for b in form["boxes"]).replace("X", "0").replace("_", "0")
        out[form["photo"]] = [int(text[i:i + 3]) for i in range(0, 12, 3)]
    return out


def test_scan_box_labels_agree_with_each_forms_own_sum_but_two_writers_sums():
    """A typo in a hand-read label would most likely break the form's sum; two writers' own sums are off, as
    written (the file's labels say what is on the paper, not what should be)."""
    numbers = _scan_numbers()
    off = {photo for photo, (a, b, total, _) in numbers.items() if a + b != total}
    assert off == {"static__contoh-baru-nunbaun-delha.zip__1420463-005804400404.jpg",    # 28 + 87 written 111
                   "static__contoh-formulir.zip__janggal.jpg"}                          # 189 + 159 written 347
    assert len(numbers) == 11


def test_scan_box_file_is_what_its_script_writes():
    """The labels in the committed file are the hand-read ones the script holds (neither edited alone)."""
    from training.kawalc1_scans import LABELS

    spec = json.loads(SCAN_BOXES_FILE.read_text())
    assert {f["photo"]: "".join(b["label"] for b in f["boxes"]) for f in spec["forms"]} == \
        {photo: text.replace(" ", "") for photo, text in LABELS.items()}


@pytest.mark.skipif(not KAWALC1.is_dir(), reason="../shared/data/kawalc1 not present")
def test_scanned_forms_boxes_are_read_and_no_misread_is_accepted(clf):
    crops = load_kawalc1_scan_boxes(KAWALC1)
    assert len(crops) == 132 and len({c.form for c in crops}) == 11
    assert all(c.image.shape == (62, 28) for c in crops)
    assert {c.label for c in crops} >= {"X", "", "0", "1", "9"}
    score = evaluate_kawalc1_scans(clf, data_dir=KAWALC1)["classifier"]
    assert score["top1_accuracy"] >= SCANS_TOP1_FLOOR, score
    assert score["auto_accepted_share"] > 0.3 and score["auto_accepted_wrong_share"] == 0.0, score


def _photo_numbers() -> dict[str, dict[str, int | None]]:
    """Each photographed plano form's numbers as labelled, by field (None: a box left out as ambiguous, or no
    digit at all); X and blank boxes count as 0, as the form's convention has it."""
    spec = json.loads(PHOTO_BOXES_FILE.read_text())
    return {form["photo"]: {f["field"]: None if "?" in f["label"] or not any(c.isdigit() for c in f["label"])
                            else int("".join(c if c.isdigit() else "0" for c in f["label"]))
                            for f in form["fields"]}
            for form in spec["forms"]}


def test_photo_box_labels_hold_each_forms_sums():
    """The hand-read labels of the photographed forms agree with the forms' own arithmetic, wherever every
    number of a sum was labelled: the three pairs make the valid votes, and the data section repeats the valid and
    invalid votes and adds them up."""
    checked = 0
    for photo, n in _photo_numbers().items():
        sums = [(("1", "2", "3"), "sah"), (("1", "2", "3"), "data_sah"), (("data_sah", "data_tidak_sah"), "data_total"),
                (("sah",), "data_sah"), (("tidak_sah",), "data_tidak_sah")]
        for terms, total in sums:
            values = [n.get(t) for t in (*terms, total)]
            if None in values:
                continue
            assert sum(values[:-1]) == values[-1], (photo, terms, total, values)
            checked += 1
    assert checked >= 12


def test_photo_box_file_is_what_its_script_writes():
    """The rows and labels in the committed file are the hand-read ones the script holds (neither edited alone)."""
    from training.kawalc1_photos import build, dumps

    assert PHOTO_BOXES_FILE.read_text() == dumps(build())


def test_a_row_of_boxes_is_split_evenly_along_its_slanted_edges():
    quad = np.array([[0.0, 0.0], [30.0, 3.0], [30.0, 13.0], [0.0, 10.0]])
    boxes = split_row(quad, 3)
    assert len(boxes) == 3
    np.testing.assert_allclose(boxes[1], [[10, 1], [20, 2], [20, 12], [10, 11]])
    np.testing.assert_allclose(boxes[0][0], quad[0]) and np.testing.assert_allclose(boxes[2][2], quad[2])


@pytest.mark.skipif(not KAWALC1.is_dir(), reason="../shared/data/kawalc1 not present")
def test_photographed_forms_boxes_are_read_and_no_misread_is_accepted(clf):
    crops = load_kawalc1_photo_boxes(KAWALC1)
    assert len(crops) == 106 and len({c.form for c in crops}) == 5
    assert {c.label for c in crops} >= {"X", "", "0", "1", "9"}
    # each box keeps its own shape: the tall boxes of the Jumlah column, the wide ones of the data section
    assert any(c.image.shape[0] > c.image.shape[1] for c in crops) and any(
        c.image.shape[1] > c.image.shape[0] for c in crops)
    score = evaluate_kawalc1_photos(clf, data_dir=KAWALC1)["classifier"]
    assert score["top1_accuracy"] >= PHOTOS_TOP1_FLOOR, score
    assert score["auto_accepted_share"] > 0.2 and score["auto_accepted_wrong_share"] == 0.0, score


def test_tesseract_reads_each_real_crop_once_across_the_evaluations(monkeypatch):
    """The pooled real set holds the three real sets' crops again: tesseract (about 120 ms a crop) reads each crop
    once, and the pooled figures keep the time measured on the first reading."""
    import grader.recognize.digit_eval as digit_eval

    calls = []
    monkeypatch.setattr(digit_eval, "_TESSERACT_READ", {})
    monkeypatch.setattr(digit_eval, "tesseract_predict", lambda crop: calls.append(crop.shape) or str(crop.shape[0]))
    crops = [np.zeros((30, 20), np.uint8), np.full((30, 20), 255, np.uint8), np.zeros((31, 20), np.uint8)]
    first = digit_eval._tesseract_all(crops[:2])
    pooled = digit_eval._tesseract_all([crops[1].copy(), crops[0].copy(), crops[2]])
    assert len(calls) == 3
    assert first[0] == ["30", "30"] and pooled[0] == ["30", "30", "31"]


# --------------------------------------------------------------------------
# Preprocessing
# --------------------------------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(h=st.integers(4, 160), w=st.integers(4, 160), seed=st.integers(0, 2**16))
def test_preprocess_any_size(h, w, seed):
    rng = np.random.default_rng(seed)
    crop = rng.integers(0, 256, (h, w), dtype=np.uint8)
    x = preprocess_box(crop)
    assert x.shape == (INPUT_SIZE, INPUT_SIZE)
    assert x.dtype == np.float32
    assert 0.0 <= x.min() and x.max() <= 1.0


def test_preprocess_gray_bgr_and_bgra_agree():
    gray = _box(_cross)
    bgr = cv2.cvtColor(gray, cv2.COLOR_GRAY2BGR)
    bgra = cv2.cvtColor(gray, cv2.COLOR_GRAY2BGRA)
    ref = preprocess_box(gray)
    assert ref.max() > 0.5
    np.testing.assert_allclose(preprocess_box(bgr), ref, atol=1e-6)
    np.testing.assert_allclose(preprocess_box(bgra), ref, atol=1e-6)
    np.testing.assert_allclose(preprocess_box(gray[:, :, None]), ref, atol=1e-6)
    np.testing.assert_allclose(preprocess_box(gray.astype(np.float32) / 255), ref, atol=0.02)


def test_preprocess_centres_ink_and_drops_the_border():
    x = preprocess_box(_box(_dash))
    ys, xs = np.nonzero(x > 0.3)
    assert len(ys) > 5
    assert abs(ys.mean() - (INPUT_SIZE - 1) / 2) < 2
    assert abs(xs.mean() - (INPUT_SIZE - 1) / 2) < 2
    # a dash stays a flat stroke: the border lines were not kept
    assert ys.max() - ys.min() < 8


def _flat_based_two(img: np.ndarray) -> None:
    """A 2 whose flat base runs long and low in the box, close to the printed bottom border."""
    cv2.ellipse(img, (33, 26), (13, 11), 0, 180, 360, 50, 3, cv2.LINE_AA)
    cv2.line(img, (46, 27), (13, 64), 50, 3, cv2.LINE_AA)
    cv2.line(img, (13, 64), (55, 64), 50, 3, cv2.LINE_AA)


def test_preprocess_keeps_a_long_pen_stroke_inside_the_printed_border():
    # The base covers about 0.65 of the crop's width, as long as a partly visible border would; inside a
    # full-length printed border it is handwriting. Cleared, the 2 became a 9 read at 0.9999.
    x = preprocess_box(_box(_flat_based_two))
    ys, xs = np.nonzero(x > 0.3)
    bottom = xs[ys >= ys.max() - 1]
    assert bottom.max() - bottom.min() >= 0.6 * (xs.max() - xs.min())


def _looped_two_based_on_the_border(img: np.ndarray) -> None:
    """A looped 2 whose flat base runs along the printed bottom border, touching it (the border is cleared with the
    rows around it, and the base with them)."""
    cv2.ellipse(img, (33, 27), (12, 11), 0, 0, 360, 50, 3, cv2.LINE_AA)
    cv2.line(img, (44, 32), (16, 71), 50, 3, cv2.LINE_AA)
    cv2.line(img, (16, 71), (54, 71), 50, 3, cv2.LINE_AA)


def _nine_to_the_border(img: np.ndarray) -> None:
    """A 9 whose stem reaches the bottom border: it touches it over a stroke's width only."""
    cv2.ellipse(img, (33, 28), (12, 11), 0, 0, 360, 50, 3, cv2.LINE_AA)
    cv2.line(img, (45, 28), (40, 72), 50, 3, cv2.LINE_AA)


def test_a_nine_whose_bottom_border_carries_a_stroke_is_unsure(clf):
    # helper-162: digits drawn large, a looped 2's base on the bottom border went with it, and "227" was read "927"
    # at 1.0 and charged. What the border took is not known: the 9 may be a 2, so it is no sure 9.
    r = clf.classify([_box(_looped_two_based_on_the_border)])[0]
    assert r.label != "9" or (r.ambiguous and r.confidence <= 0.5), r
    # a 9 whose stem merely reaches the border, and a cross in its corners, carry no stroke along it
    r = clf.classify([_box(_nine_to_the_border)])[0]
    assert r.label == "9" and not r.ambiguous, r
    share = preprocess_for_reading([_box(d) for d in (_looped_two_based_on_the_border, _nine_to_the_border, _cross,
                                                      _flat_based_two)]).stroke_on_bottom
    assert share[0] >= 0.5 and max(share[1:]) < 0.2, share


def _looped_two_based_on_the_line(img: np.ndarray) -> None:
    """A looped 2 whose flat base is drawn on the printed bottom line itself, no thicker than the line: cleared with
    it, the base leaves a 9, and the border is as thick there as anywhere (no :func:`_stroke_on_bottom` to see)."""
    cv2.ellipse(img, (31, 28), (12, 12), 0, 0, 360, 50, 3, cv2.LINE_AA)
    cv2.line(img, (42, 33), (28, 74), 50, 3, cv2.LINE_AA)
    cv2.line(img, (28, 74), (54, 74), 50, 3, cv2.LINE_AA)


def _seven_barred_on_the_line(img: np.ndarray) -> None:
    """A 7 whose bar is drawn on the printed top line: cleared with it, the stem leaves a 1."""
    cv2.line(img, (14, 5), (50, 5), 50, 3, cv2.LINE_AA)
    cv2.line(img, (50, 5), (28, 68), 50, 3, cv2.LINE_AA)


def test_a_digit_whose_stroke_may_lie_on_a_printed_line_is_not_sure(clf):
    # A 2's base on the bottom line goes with it (helper-162's "227" read "927" at 1.0 and charged; dev49c's s0086
    # "207" read "907" at 0.9999). Whether the line under a digit that runs into it carries a stroke is not known:
    # a box whose reading changes when it does is never sure enough to hold against the trainee. Its label, and
    # whether it goes to review, are still the pixels' (training/README.md, "a stroke on a cleared line").
    from grader.grading.certainty import SURE_BOX
    crop = _box(_looped_two_based_on_the_line)
    network = clf.readings_from_probabilities(clf.probabilities(preprocess_boxes([crop])))[0]
    assert network.label == "9" and network.confidence >= SURE_BOX, network       # the trap: a sure 9
    r = clf.classify([crop])[0]
    assert r.label == "9" and r.on_line == "2" and r.confidence < SURE_BOX and not r.ambiguous, r
    # the 7 without its bar is a 1 (accepted for its shape); with the line given back, a 7
    r = clf.classify([_box(_seven_barred_on_the_line)])[0]
    assert r.label == "1" and r.on_line == "7" and r.confidence < SURE_BOX, r
    # a 9 whose stem merely reaches the bottom line reads a 9 either way, and a cross in its corners has no view
    assert list(preprocess_for_reading([_box(_nine_to_the_border), _box(_cross)]).line_index) == [0]
    for draw in (_nine_to_the_border, _cross):
        r = clf.classify([_box(draw)])[0]
        network = clf.readings_from_probabilities(clf.probabilities(preprocess_boxes([_box(draw)])))[0]
        assert r.on_line is None and r.confidence == network.confidence, r
    assert LINE_UNSURE_CONFIDENCE < SURE_BOX


def test_preprocess_still_drops_a_partial_border_line():
    # A crop cut loosely from a real form shows only part of its border: with no full-length line
    # further out, a line over 0.6 of the side is still taken as printed and cleared.
    def partial_border(img: np.ndarray) -> None:
        img[:] = np.clip(np.random.default_rng(1).normal(236, 4, img.shape), 0, 255).astype(np.uint8)
        cv2.line(img, (0, 72), (45, 72), 35, 3)
        _dash(img)
    x = preprocess_box(_box(partial_border))
    ys, _ = np.nonzero(x > 0.3)
    assert ys.max() - ys.min() < 8


@pytest.mark.parametrize("turns", [0, 1, 2, 3])
def test_border_rule_on_every_side(turns):
    """On each side: a full-length printed line is cleared with what lies beyond it; a partial line inside it is
    handwriting and stays; with no full line, a partial line is a border and goes."""
    from grader.recognize.box_preprocess import WORK_SIZE, _border_keep
    s = WORK_SIZE

    def on_side(rows: list[tuple[int, int, int]]) -> np.ndarray:
        m = np.zeros((s, s), np.uint8)
        for row, x0, x1 in rows:                       # drawn on the bottom side, then turned to another side
            m[row - 1:row + 2, x0:x1] = 255
        return np.rot90(m, turns).copy()

    border, stroke = (s - 5, 0, s), (s - 14, 10, 52)   # full line; a 2's base, 0.66 of the side
    keep = np.rot90(_border_keep(on_side([border, stroke])[None])[0], -turns)
    assert keep[stroke[0], 20:40].all() and not keep[border[0]].any()
    keep = np.rot90(_border_keep(on_side([stroke])[None])[0], -turns)
    assert not keep[stroke[0]:].any() and keep[stroke[0] - 6].any()


def test_preprocess_blank_box_with_border_is_empty():
    assert not preprocess_box(_box(_blank)).any()
    plain = np.full((40, 40), 200, np.uint8)
    assert not preprocess_box(plain).any()


def test_preprocess_batch_matches_single():
    crops = [_box(_cross), _box(_dash, w=40, h=100), np.full((10, 50), 255, np.uint8)]
    batch = preprocess_boxes(crops)
    for crop, row in zip(crops, batch):
        np.testing.assert_allclose(preprocess_box(crop), row, atol=1e-6)


@pytest.mark.parametrize(
    "bad",
    [np.zeros(30, np.uint8), np.zeros((2, 30, 30, 3), np.uint8), np.zeros((30, 30, 2), np.uint8),
     np.zeros((2, 40), np.uint8)],
    ids=["1-D", "4-D", "2-channel", "too-small"],
)
def test_preprocess_rejects_bad_input(bad):
    with pytest.raises(ValueError, match="crop"):
        preprocess_box(bad)


# --------------------------------------------------------------------------
# A pen running dry: the faint view
# --------------------------------------------------------------------------

def _dry_three(pale: int):
    """A 3 whose pen ran dry: only the tail of the lower bowl dark, the rest at grey level ``pale``."""
    def draw(img: np.ndarray) -> None:
        cv2.ellipse(img, (33, 30), (11, 9), 0, -160, 90, pale, 3, cv2.LINE_AA)
        cv2.ellipse(img, (33, 49), (12, 10), 0, -90, 100, pale, 3, cv2.LINE_AA)
        cv2.ellipse(img, (33, 49), (12, 10), 0, 60, 120, 50, 3, cv2.LINE_AA)
    return draw


def _pale_one(img: np.ndarray, level: int = 192) -> None:
    """A 1 whose ink is a fifth of the paper's brightness (0.19 on paper at 236): below the ink threshold."""
    cv2.line(img, (34, 22), (32, 58), level, 3, cv2.LINE_AA)


def test_a_dry_pen_three_that_the_dark_ink_alone_reads_as_a_dash_is_unsure(clf):
    """Found by an adversarial run: "--3" with a pale 3 was read "---", a sure 0, and marked wrong."""
    crop = _box(_dry_three(192))
    dark_only = clf.readings_from_probabilities(clf.probabilities(preprocess_boxes([crop])))[0]
    from grader.grading.certainty import SURE_FILLER
    assert dark_only.label == "-" and dark_only.confidence >= SURE_FILLER   # the trap: the tail alone is a sure dash
    r = clf.classify([crop])[0]
    assert r.ambiguous and r.faint == "3" and r.label == "-" and r.confidence < 0.5, r


def test_a_pale_one_is_not_an_empty_box(clf):
    """A 1 too pale for the ink threshold left nothing, and the box was confirmed blank ("write X there")."""
    crop = _box(_pale_one)
    assert preprocess_boxes([crop]).max() == 0
    r = clf.classify([crop])[0]
    assert not r.empty and r.ambiguous and r.faint == "1", r


def _skipped_pale_six(img: np.ndarray) -> None:
    """A 6 at a twentieth of white paper's darkness (paper washed to 250 by a lamp's streak over a plastic sleeve),
    its stroke skipping every few pixels: below the ink threshold, and a mark the faint view cannot name."""
    layer = np.zeros_like(img)
    cv2.ellipse(layer, (33, 48), (8, 7), 0, 0, 360, 255, 2, cv2.LINE_AA)
    cv2.line(layer, (26, 46), (36, 22), 255, 2, cv2.LINE_AA)
    yy, xx = np.mgrid[:img.shape[0], :img.shape[1]]
    layer[((xx + yy) // 5) % 2 == 0] = 0
    a = layer / 255.0
    img[:] = (img * (1 - a) + 212 * a).astype(np.uint8)


def test_a_box_whose_faint_view_sees_a_mark_is_never_confirmed_blank(clf):
    """Found on photos through a plastic sleeve (helper reh164): a pale 6 in "X64" showed no ink, its faint view
    read '5' at 0.21, too unsure to doubt the box, so the box stayed `empty`, was confirmed blank at 0.9995, and
    the trainee was told they had left a leading box blank. A mark seen there means the box is not known blank."""
    from grader.read.sheet_reader import EMPTY_BLANK_CONFIDENCE, confirm_blanks
    crop = _box(_skipped_pale_six, paper=250)
    inputs, faint_index, faint_inputs = preprocess_boxes_and_faint([crop])
    assert inputs.max() == 0 and list(faint_index) == [0]                  # the trap: no ink, but a faint mark
    faint = clf.probabilities(faint_inputs)[0]
    assert clf.classes[int(np.argmax(faint))] != "" and faint.max() < 0.5
    r = clf.classify([crop])[0]
    assert r.label == "" and not r.empty, r
    confirmed = confirm_blanks([r], np.array([True]))[0]
    assert confirmed.confidence < EMPTY_BLANK_CONFIDENCE, confirmed
    blank = clf.classify([_box(_blank)])[0]                                # a box with nothing in it still is blank
    assert blank.empty and confirm_blanks([blank], np.array([True]))[0].confidence == EMPTY_BLANK_CONFIDENCE


def _washed_out(draw, wash: float = 0.8):
    """A box under a flash's hot spot: paper, print and ink all lifted ``wash`` of the way to white."""
    def washed(img: np.ndarray) -> None:
        draw(img)
        img[:] = np.clip(img + (255.0 - img) * wash, 0, 255).astype(np.uint8)
    return washed


def _firm_one(img: np.ndarray) -> None:
    cv2.line(img, (34, 22), (31, 58), 60, 3, cv2.LINE_AA)


def test_a_box_washed_out_with_its_print_is_never_confirmed_blank(clf):
    """Found by an adversarial run (helper-165, a flash's hot spot): a written "151", its print and strokes lifted
    to 0.16-0.19 of the paper's darkness, showed no ink, was confirmed blank at 0.9985, and the field was graded
    blank. Where the printed border itself is that pale, a pen stroke could not have shown: not known blank."""
    from grader.read.sheet_reader import EMPTY_BLANK_CONFIDENCE, confirm_blanks
    for draw in (_firm_one, _blank):
        crop = _box(_washed_out(draw), paper=240)
        inputs, faint_index, _ = preprocess_boxes_and_faint([crop])
        assert inputs.max() == 0 and not len(faint_index)        # the trap: no ink, and no faint mark either
        r = clf.classify([crop])[0]
        assert r.label == "" and not r.empty, r
        assert confirm_blanks([r], np.array([True]))[0].confidence < EMPTY_BLANK_CONFIDENCE
    blank = clf.classify([_box(_blank, paper=240)])[0]          # the same box in ordinary light still is blank
    assert blank.empty and confirm_blanks([blank], np.array([True]))[0].confidence == EMPTY_BLANK_CONFIDENCE


def test_firm_and_lightly_pale_digits_get_no_faint_doubt(clf):
    """Ink all dark, or a whole digit evenly light (a soft pencil), reads the same in both views."""
    for pale in (50, 120):
        r = clf.classify([_box(_dry_three(pale))])[0]
        assert r.faint is None and r.label == "3", (pale, r)
    for draw in (_cross, _dash):
        r = clf.classify([_box(draw)])[0]
        assert r.faint is None and not r.ambiguous, r


def _dry_two_remains(img: np.ndarray) -> None:
    """What a dry pen left of a 2 with its pale body below every threshold: the flat base, and the dot where the
    pen touched down."""
    cv2.line(img, (20, 46), (40, 46), 70, 3)
    cv2.ellipse(img, (38, 24), (4, 2), 0, 0, 360, 70, -1)


def test_a_dash_in_two_marks_is_not_a_sure_dash(clf):
    """Found by an adversarial run: a 2's base and touch-down dot read as a dash at 0.9991, so "211" was "-11",
    wrong by its sure boxes."""
    crop = _box(_dry_two_remains)
    network = clf.readings_from_probabilities(clf.probabilities(preprocess_boxes([crop])))[0]
    from grader.grading.certainty import SURE_FILLER
    assert network.label == "-" and network.confidence >= SURE_FILLER      # the trap
    r = clf.classify([crop])[0]
    assert r.label == "-" and r.ambiguous and r.confidence < SURE_FILLER, r
    plain = clf.classify([_box(_dash)])[0]
    assert plain.label == "-" and not plain.ambiguous and plain.confidence >= SURE_FILLER, plain
