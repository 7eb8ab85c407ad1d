"""The training script's calibration: temperature and review threshold from held-out logits, and the
calibration split's stand-ins for unseen writers (pen-stroke numerals), without training anything."""
import argparse

import numpy as np
import pytest

from training import digit_data as dd
from training import train_digits as td


def _logits(n_right: int, n_wrong_sure: int, n_wrong_unsure: int, seed: int = 0):
    """Logits of a 13-class problem: right answers at high margins, some wrong ones at given margins."""
    rng = np.random.default_rng(seed)
    n = n_right + n_wrong_sure + n_wrong_unsure
    targets = rng.integers(0, 13, n)
    logits = rng.normal(0, 0.3, (n, 13)).astype(np.float32)
    top = targets.copy()
    wrong = np.arange(n) >= n_right
    top[wrong] = (targets[wrong] + 1) % 13
    margin = np.concatenate([rng.uniform(6, 14, n_right), np.full(n_wrong_sure, 9.0), np.full(n_wrong_unsure, 2.0)])
    logits[np.arange(n), top] += margin
    return logits, targets


def test_threshold_keeps_error_among_accepted_within_the_limit():
    logits, targets = _logits(5000, 0, 200)
    cal = td.calibrate(logits, targets, max_error=0.0003)
    assert cal["error_among_accepted"] <= 0.0003
    assert cal["accepted_share"] > 0.9   # the unsure wrong ones are cut, the sure right ones kept
    assert 0.5 <= cal["threshold"] < 1.0


def test_a_stricter_error_limit_never_lowers_the_threshold():
    logits, targets = _logits(5000, 6, 200, seed=1)   # a few confident misreads among sure right answers
    loose = td.calibrate(logits, targets, max_error=0.002)
    strict = td.calibrate(logits, targets, max_error=0.0003)
    assert strict["threshold"] >= loose["threshold"]
    assert strict["accepted_share"] <= loose["accepted_share"]
    assert strict["error_among_accepted"] <= 0.0003 or strict["threshold"] == 0.9999


def test_temperature_grows_with_confident_mistakes():
    clean = td.calibrate(*_logits(3000, 0, 0, seed=2), max_error=0.002)["temperature"]
    noisy = td.calibrate(*_logits(3000, 150, 0, seed=2), max_error=0.002)["temperature"]
    assert noisy > 1.5 * clean


@pytest.fixture(scope="module")
def base_split():
    """The calibration set without stroke numerals or photos (here, no glyphs: the X / dash / blank boxes)."""
    return td.calibration_split([], argparse.Namespace(cal_stroke=0, workers=1, cal_photos=0, cache=None))


@pytest.mark.parametrize("n", [0, 25])
def test_calibration_split_adds_stroke_numerals_as_digits(base_split, n):
    base_x, base_y, _ = base_split
    assert len(base_x) > 0 and {dd.CLASSES[i] for i in base_y.argmax(1)} <= {"X", "-", ""}
    args = argparse.Namespace(cal_stroke=n, workers=1, cal_photos=0, cache=None)
    x, y, photo_boxes = td.calibration_split([], args)
    k = len(base_x)
    assert photo_boxes == 0 and len(x) == len(y) == k + n
    assert (y[:k] == base_y).all() and (x[:k] == base_x).all()
    labels = [dd.CLASSES[i] for i in y[k:].argmax(1)]
    assert set(labels) <= set("0123456789") and (n == 0 or len(set(labels)) == 10)
    assert all(xi.max() > 0 for xi in x[k:])   # rendered ink, not empty inputs


def test_the_temperature_never_goes_below_its_floor():
    logits, targets = _logits(3000, 0, 0, seed=3)
    free = td.calibrate(logits, targets, max_error=0.002)["temperature"]
    floored = td.calibrate(logits, targets, max_error=0.002, min_temperature=free * 1.5)
    assert floored["temperature"] == pytest.approx(free * 1.5)
    assert td.calibrate(logits, targets, max_error=0.002, min_temperature=free / 2)["temperature"] == free
