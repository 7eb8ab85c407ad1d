"""A model's preprocessing settings (box_preprocess.PreprocessSettings): the crop margin above and below the box, and
keeping ink beyond a cleared printed line where it joins a stroke inside; recorded in its digits.json, used by the
reader that loads it. The defaults are today's preprocessing (training/README.md, "Tried and not shipped
(2026-12-07, fifty-fifth session)")."""
from __future__ import annotations

import json
import shutil

import cv2
import numpy as np
import pytest

from grader.read.sheet_reader import digit_box_crops
from grader.recognize import box_preprocess as bp
from grader.recognize.digit_classifier import MODEL_DIR, DigitClassifier
from grader.sheet.layout import FieldLayout, Rect
from training import digit_data as dd
from training import harvest_boxes as hb

TALLER = bp.PreprocessSettings(crop_margin_y_mm=1.2, keep_crossing=True)


def _tall_box(draw, *, w: int = 66, h: int = 100, top: int = 16, bottom: int = 16, side: int = 5) -> np.ndarray:
    """A box crop cut with a taller margin above and below its printed border (3 px, dark), with ``draw``'s ink."""
    rng = np.random.default_rng(0)
    img = np.clip(rng.normal(236, 4, (h, w)), 0, 255).astype(np.uint8)
    cv2.rectangle(img, (side, top), (w - 1 - side, h - 1 - bottom), 35, 3)
    draw(img)
    return img


def _seven_barred_above(img: np.ndarray) -> None:
    """A 7 whose bar is written above the box's top line (y 16), its stem crossing the line into the box."""
    cv2.line(img, (14, 8), (50, 7), 50, 3, cv2.LINE_AA)
    cv2.line(img, (50, 7), (28, 76), 50, 3, cv2.LINE_AA)


def _one_with_print_beyond(img: np.ndarray) -> None:
    """A 1 inside its box, not touching the top line; the row above's bottom line and a speck of print beyond."""
    cv2.line(img, (34, 26), (31, 76), 50, 3, cv2.LINE_AA)
    cv2.line(img, (0, 3), (65, 3), 35, 3)
    cv2.circle(img, (30, 9), 3, 40, -1)


def _bar_width(x: np.ndarray) -> int:
    """The widest row of ink in the top half of a network input, in pixels: a bar across, or a stem's top."""
    return int((x[: bp.INPUT_SIZE // 2] > 0.3).sum(axis=1).max())


def test_a_seven_barred_above_its_box_keeps_its_bar_only_with_keep_crossing():
    crop = _tall_box(_seven_barred_above)
    default, taller = bp.preprocess_boxes([crop])[0], bp.preprocess_boxes([crop], settings=TALLER)[0]
    assert _bar_width(default) <= 4, "the default clears everything beyond the top line: a 1"
    assert _bar_width(taller) >= 9, "keep_crossing keeps the bar the stem joins across the line: a 7"
    # the reader's views follow the same settings
    assert np.array_equal(bp.preprocess_for_reading([crop], settings=TALLER).inputs[0], taller)


def test_ink_beyond_a_line_that_joins_no_stroke_inside_stays_cleared():
    crop = _tall_box(_one_with_print_beyond)
    assert np.array_equal(bp.preprocess_boxes([crop], settings=TALLER), bp.preprocess_boxes([crop]))


def test_settings_are_recorded_with_the_model_and_read_by_its_classifier(tmp_path):
    assert bp.PreprocessSettings.from_params(json.loads((MODEL_DIR / "digits.json").read_text())["preprocessing"]) \
        == bp.DEFAULT_SETTINGS                        # the shipped model records none: today's preprocessing
    params = bp.preprocessing_params(TALLER)
    assert (params["crop_margin_y_mm"], params["keep_crossing"]) == (1.2, True)
    assert bp.PreprocessSettings.from_params(params) == TALLER
    model = tmp_path / "model"
    shutil.copytree(MODEL_DIR, model, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    meta = json.loads((model / "digits.json").read_text())
    meta["preprocessing"] = params
    (model / "digits.json").write_text(json.dumps(meta))
    assert DigitClassifier(model).preprocessing == TALLER
    assert DigitClassifier(MODEL_DIR).preprocessing == bp.DEFAULT_SETTINGS
    meta["preprocessing"]["crop_margin_y_mm"] = "tall"
    (model / "digits.json").write_text(json.dumps(meta))
    with pytest.raises(ValueError, match="crop_margin_y_mm must be a number of mm"):
        DigitClassifier(model)


def test_the_crop_is_taller_by_the_models_margin_above_and_below():
    gray = np.full((400, 400), 230, np.uint8)
    field = FieldLayout("A", "digits", "I", "A", 1, boxes=(Rect(10, 10, 7.5, 9.0),))
    (default,), (taller,) = (digit_box_crops(gray, [field], 8.0, settings=s) for s in (bp.DEFAULT_SETTINGS, TALLER))
    assert default.shape == (int(round((9.0 + 1.2) * 8)), int(round((7.5 + 1.2) * 8)))
    assert taller.shape == (default.shape[0] + int(round(1.2 * 8)), default.shape[1])
    assert digit_box_crops(gray, [field], 8.0)[0].shape == default.shape


def test_glyphs_across_the_border_are_drawn_only_when_asked():
    glyphs = [(np.eye(28, dtype=np.float32), str(i % 10)) for i in range(40)]
    kw = dict(digit_repeats=1, n_cross=10, n_dash=0, n_blank=0, real_repeats=0, n_overlay=0, seed=3, n_font=20)
    plain, crossing = dd.build_tasks(glyphs, [], **kw), dd.build_tasks(glyphs, [], **kw, crossing_share=0.5)
    assert all(len(t) == 3 for t in plain)                      # today's tasks, unchanged
    assert [t[:3] for t in crossing] == plain                   # the same samples and seeds, some flagged
    flagged = [t for t in crossing if len(t) == 4]
    assert 15 <= len(flagged) <= 45 and all(t[0] in ("digit", "font") for t in flagged)
    crop, target = dd._one_sample(flagged[0], margin_scale_y=2.0)
    assert crop.ndim == 2 and target.sum() == 1


def test_harvested_boxes_are_cached_per_setting(tmp_path):
    assert hb.boxes_cache_file(tmp_path) != hb.boxes_cache_file(tmp_path, TALLER)
