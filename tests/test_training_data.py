"""Training-data helpers that need no PyTorch: glyph banks for the generator, box harvesting, glyph variants."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from grader.synth.handwriting import load_glyph_bank
from training.digit_synth import add_regional_strokes
from training.harvest_boxes import _harvest_one, write_glyph_bank

SAMPLES = Path(__file__).resolve().parents[1] / "sample_scans"


def test_glyph_bank_round_trips_through_the_generator_loader(tmp_path):
    rng = np.random.default_rng(0)
    glyphs = [(rng.random((28, 28)).astype(np.float32), str(d % 10)) for d in range(30)]
    glyphs.append((np.ones((20, 20), np.float32), "7"))   # OpenCV's 20x20 digits are centred on 28x28
    path = write_glyph_bank(glyphs, tmp_path / "bank.npz")
    bank = load_glyph_bank(str(path))
    assert bank.images.shape == (31, 28, 28) and bank.images.dtype == np.uint8
    assert sorted(bank.labels.tolist()) == sorted(int(lab) for _, lab in glyphs)
    seven = bank.images[-1]
    assert seven[4:24, 4:24].min() == 255 and seven[:4].max() == 0 and seven[:, 24:].max() == 0
    assert all(len(bank.by_digit[d]) >= 3 for d in range(10))


def test_harvested_boxes_carry_the_truth_labels_of_their_photo():
    index = json.loads((SAMPLES / "index.json").read_text())
    entry = next(e for e in index["photos"] if e["expect_refusal"] is None and not e["mistakes"])
    truth = json.loads((SAMPLES / entry["truth"]).read_text())
    crops, labels = _harvest_one(str(SAMPLES / entry["truth"]))
    expected = [lab for fid, boxes in truth["boxes"].items() if not fid.endswith((".bubbles", ".tally"))
                for lab in boxes if lab != "?"]   # "boxes" also lists each bubble column's digit
    assert sorted(labels) == sorted(expected) and len(crops) == len(labels)
    assert all(c.ndim == 2 and min(c.shape) > 20 for c in crops)   # whole boxes at the read resolution


def test_refusal_photos_give_no_boxes():
    index = json.loads((SAMPLES / "index.json").read_text())
    entry = next(e for e in index["photos"] if e["expect_refusal"] == "too_blurry")
    assert _harvest_one(str(SAMPLES / entry["truth"])) == ([], [])


def _seven() -> np.ndarray:
    c = np.zeros((56, 56), np.float32)
    c[8:12, 12:44] = 1            # the bar
    for y in range(12, 50):       # the stem, leaning left as it goes down
        x = 42 - (y - 12) // 3
        c[y, x - 2:x + 2] = 1
    return c


def test_crossed_seven_gets_a_bar_across_its_stem():
    rng = np.random.default_rng(1)
    plain = _seven()
    crossed = add_regional_strokes(plain.copy(), 7, rng, p_cross7=1.0, p_flag1=0.0)
    added = (crossed > 0.3) & ~(plain > 0.3)
    ys, xs = np.nonzero(added)
    assert len(ys) > 20
    assert 25 <= ys.mean() <= 40                       # near mid-height of the stem (rows 8-49)
    assert xs.min() < 28 < xs.max() or xs.max() - xs.min() > 10   # a horizontal bar, not a dot


def test_other_digits_and_zero_probability_are_untouched():
    rng = np.random.default_rng(2)
    g = _seven()
    assert np.array_equal(add_regional_strokes(g.copy(), 3, rng, p_cross7=1.0, p_flag1=1.0), g)
    assert np.array_equal(add_regional_strokes(g.copy(), 7, rng, p_cross7=0.0), g)
    assert np.array_equal(add_regional_strokes(np.zeros((56, 56), np.float32), 7, rng, p_cross7=1.0),
                          np.zeros((56, 56), np.float32))


def test_stroke_digits_are_reproducible_whole_and_varied():
    from training.stroke_digits import synth_stroke_digit

    for d in range(10):
        a = synth_stroke_digit(d, np.random.default_rng(d))
        assert np.array_equal(a, synth_stroke_digit(d, np.random.default_rng(d)))
        ink = a > 0.3
        assert ink.sum() > 150, d                                    # a real glyph, not a speck
        assert not (ink[:2].any() or ink[-2:].any() or ink[:, :2].any() or ink[:, -2:].any()), d  # not cut off
        others = [synth_stroke_digit(d, np.random.default_rng(100 + k)) > 0.3 for k in range(5)]
        assert all((o != ink).mean() > 0.02 for o in others), d     # every sample is a new shape


def test_flagged_ones_are_steeper_than_a_seven_bar():
    from training.stroke_digits import _one

    flags = 0
    for seed in range(200):
        strokes = _one(np.random.default_rng(seed))
        first = strokes[0]
        if len(first) == 3:                                          # flag, top of the stem, foot of the stem
            (fx, fy), (tx, ty) = first[0], first[1]
            assert fy - ty > tx - fx > 0                              # down-left of the top, steeper than 45 degrees
            flags += 1
    assert flags > 50
