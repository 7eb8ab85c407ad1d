"""Evaluate the digit-box classifier on real and out-of-domain data.

Three data sets, each returned as a plain JSON-ready dict:

- the kawalc1 real crops of the *held-out forms* (the list recorded in
  ``grader/models/digits.json`` by the training script; split by form);
- the ARDIS test set (out-of-domain: Swedish church records; white-on-black
  28x28, inverted and padded with paper to look like a box crop);
- the same data through tesseract (``--psm 10``), as the baseline.

Nothing here is needed to read a sheet; ``grader eval`` and
``training/eval_digits.py`` call these functions.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import cv2
import numpy as np

from grader.recognize.digit_classifier import DigitClassifier, default_classifier
from grader.recognize.labelled_crops import (LabelledCrop, load_ardis_test, load_kawalc1_crops, load_kawalc1_photo_boxes,
                                             load_kawalc1_scan_boxes)
from grader.recognize.tesseract_boxes import tesseract_predict

__all__ = [
    "benchmark_batch",
    "evaluate_ardis",
    "evaluate_kawalc1",
    "evaluate_kawalc1_photos",
    "evaluate_kawalc1_scans",
    "evaluate_real_pooled",
    "score_predictions",
]

logger = logging.getLogger(__name__)

# --------------------------------------------------------------------------
# Scoring
# --------------------------------------------------------------------------


def _name(c: str) -> str:
    return c if c else "blank"


def _ece(conf: np.ndarray, correct: np.ndarray, bins: int = 10) -> float:
    """Expected calibration error: mean |accuracy - confidence| over confidence bins."""
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.digitize(conf, edges[1:-1]), 0, bins - 1)
    total = 0.0
    for b in range(bins):
        sel = which == b
        if sel.any():
            total += sel.mean() * abs(float(correct[sel].mean()) - float(conf[sel].mean()))
    return total


def score_predictions(
    truth: Sequence[str],
    pred: Sequence[str],
    conf: Sequence[float] | None = None,
    accepted: Sequence[bool] | None = None,
    classes: Sequence[str] | None = None,
) -> dict:
    """Accuracy figures for one set of predictions, as a JSON-ready dict.

    Parameters
    ----------
    truth, pred : sequence of str
        True and predicted classes (``""`` is blank).
    conf : sequence of float, optional
        Confidence of each prediction; enables ``top95_accuracy`` (accuracy
        on the 95% most confident boxes).
    accepted : sequence of bool, optional
        Whether each box was auto-accepted (not sent to review).
    classes : sequence of str, optional
        Class order for the confusion matrix.

    Returns
    -------
    dict
        ``n``, ``top1_accuracy``, ``per_class`` (accuracy and count per true
        class), ``confusion`` (true -> predicted -> count) and, when given
        the inputs, ``top95_accuracy``, ``mean_confidence``,
        ``expected_calibration_error``, ``auto_accepted_share``,
        ``auto_accepted_wrong_share`` and ``review_share``.  Blank is named
        ``"blank"``.
    """
    truth, pred = list(truth), list(pred)
    n = len(truth)
    correct = np.array([t == p for t, p in zip(truth, pred)], dtype=bool)
    classes = list(classes) if classes is not None else sorted(set(truth) | set(pred))
    out: dict = {"n": n, "top1_accuracy": round(float(correct.mean()), 4) if n else None}
    if conf is not None and n:
        c = np.asarray(conf, dtype=float)
        k = max(1, int(np.floor(0.95 * n)))
        order = np.argsort(-c, kind="stable")[:k]
        out["top95_n"] = k
        out["top95_accuracy"] = round(float(correct[order].mean()), 4)
        out["top95_min_confidence"] = round(float(c[order].min()), 4)
        out["mean_confidence"] = round(float(c.mean()), 4)
        out["expected_calibration_error"] = round(_ece(c, correct), 4)
    if accepted is not None and n:
        a = np.asarray(accepted, dtype=bool)
        out["auto_accepted_share"] = round(float(a.mean()), 4)
        out["auto_accepted_wrong_share"] = (
            round(float((~correct[a]).mean()), 4) if a.any() else 0.0
        )
        out["review_share"] = round(float((~a).mean()), 4)
    per_class = {}
    for cls in classes:
        idx = [i for i, t in enumerate(truth) if t == cls]
        if idx:
            per_class[_name(cls)] = {
                "n": len(idx),
                "accuracy": round(float(correct[idx].mean()), 4),
            }
    out["per_class"] = per_class
    out["confusion"] = {
        _name(t): {
            _name(p): int(sum(1 for a, b in zip(truth, pred) if a == t and b == p))
            for p in classes
            if any(a == t and b == p for a, b in zip(truth, pred))
        }
        for t in classes
        if t in truth
    }
    return out


def _classify_all(clf: DigitClassifier, crops: Sequence[np.ndarray]):
    readings = clf.classify(crops)
    return (
        [r.label for r in readings],
        [r.confidence for r in readings],
        [not r.ambiguous for r in readings],
    )


# Tesseract's reading of each crop already read, and what it took: the pooled real set holds the three real sets'
# crops again, and reading them a second time cost about 30 s of a reporting run (eval at 55e247c).
_TESSERACT_READ: dict[bytes, tuple[str, float]] = {}


def _tesseract_all(crops: Sequence[np.ndarray]) -> tuple[list[str], float]:
    """Tesseract's label for each crop, and its mean time per crop (as measured when the crop was first read)."""
    out = []
    for c in crops:
        key = hashlib.sha1(np.ascontiguousarray(c).tobytes() + repr(c.shape).encode()).digest()
        if key not in _TESSERACT_READ:
            t0 = time.perf_counter()
            label = tesseract_predict(c)
            _TESSERACT_READ[key] = (label, 1000 * (time.perf_counter() - t0))
        out.append(_TESSERACT_READ[key])
    return [label for label, _ in out], sum(ms for _, ms in out) / max(1, len(out))


def evaluate_kawalc1(
    classifier: DigitClassifier | None = None,
    *,
    data_dir: Path | None = None,
    forms: Sequence[str] | None = None,
    tesseract: bool = False,
    list_errors: bool = True,
) -> dict:
    """Evaluate on the kawalc1 crops of the held-out forms.

    Parameters
    ----------
    classifier : DigitClassifier, optional
        Defaults to :func:`default_classifier`.
    data_dir : pathlib.Path, optional
        The ``kawalc1`` folder.
    forms : sequence of str, optional
        Forms to evaluate; defaults to ``kawalc1_split.heldout_forms`` of the
        model's ``digits.json`` (never the training forms).
    tesseract : bool
        Also run the tesseract baseline on the same crops.
    list_errors : bool
        Include every misread crop (file, truth, prediction, confidence).
    """
    clf = classifier or default_classifier()
    if forms is None:
        forms = clf.meta["kawalc1_split"]["heldout_forms"]
    crops = load_kawalc1_crops(data_dir, forms=forms)
    return _evaluate_crops(clf, crops, "kawalc1 labelled crops of the held-out forms (split by form)", list(forms),
                           tesseract=tesseract, list_errors=list_errors)


def evaluate_kawalc1_scans(classifier: DigitClassifier | None = None, *, data_dir: Path | None = None,
                           tesseract: bool = False, list_errors: bool = True) -> dict:
    """Evaluate on the boxes of the eleven 2014 C1 scans (:func:`load_kawalc1_scan_boxes`): forms and writers
    that no labelled crop comes from, so none of them was in training. Same report as :func:`evaluate_kawalc1`."""
    clf = classifier or default_classifier()
    crops = load_kawalc1_scan_boxes(data_dir)
    return _evaluate_crops(clf, crops, "kawalc1 2014 C1 scans with no labelled crop, boxes labelled by hand "
                           "(training/kawalc1_scans.py); never in training", sorted({c.form for c in crops}),
                           tesseract=tesseract, list_errors=list_errors)


def evaluate_kawalc1_photos(classifier: DigitClassifier | None = None, *, data_dir: Path | None = None,
                            tesseract: bool = False, list_errors: bool = True) -> dict:
    """Evaluate on the boxes of five photographed 2017 plano forms (:func:`load_kawalc1_photo_boxes`): phone
    photos, five writers no labelled crop comes from, so none of them was in training. Same report as
    :func:`evaluate_kawalc1`."""
    clf = classifier or default_classifier()
    crops = load_kawalc1_photo_boxes(data_dir)
    return _evaluate_crops(clf, crops, "kawalc1 photos of 2017 plano forms, boxes placed and labelled by hand "
                           "(grader/recognize/kawalc1_photo_boxes.json); never in training",
                           sorted({c.form for c in crops}), tesseract=tesseract, list_errors=list_errors)


def evaluate_real_pooled(classifier: DigitClassifier | None = None, *, data_dir: Path | None = None,
                         tesseract: bool = False) -> dict:
    """The three real sets no weight was trained on, as one: the held-out forms' crops, the 2014 scans' boxes and
    the 2017 photos' boxes. One of the 57 held-out crops is 1.75 points of its own figure; pooled, a box is 0.34."""
    clf = classifier or default_classifier()
    crops = (load_kawalc1_crops(data_dir, forms=clf.meta["kawalc1_split"]["heldout_forms"])
             + load_kawalc1_scan_boxes(data_dir) + load_kawalc1_photo_boxes(data_dir))
    return _evaluate_crops(clf, crops, "every real box never in training: kawalc1 held-out crops, 2014 scans and "
                           "2017 photos", sorted({c.form for c in crops}), tesseract=tesseract, list_errors=False)


def _evaluate_crops(clf: DigitClassifier, crops: list[LabelledCrop], data: str, forms: list[str], *,
                    tesseract: bool, list_errors: bool) -> dict:
    """The classifier's (and optionally tesseract's) scores on labelled crops, with every misread listed."""
    truth = [c.label for c in crops]
    pred, conf, acc = _classify_all(clf, [c.image for c in crops])
    out = {
        "data": data,
        "forms": forms,
        "classifier": score_predictions(truth, pred, conf, acc, clf.classes),
    }
    out["classifier"]["by_kind"] = {
        kind: score_predictions(
            [t for t, c in zip(truth, crops) if c.kind == kind],
            [p for p, c in zip(pred, crops) if c.kind == kind],
        )["top1_accuracy"]
        for kind in sorted({c.kind for c in crops})
    }
    if list_errors:
        out["classifier"]["errors"] = [
            {"file": c.file, "truth": _name(c.label), "pred": _name(p), "confidence": round(f, 4),
             "auto_accepted": a}
            for c, p, f, a in zip(crops, pred, conf, acc)
            if p != c.label
        ]
    if tesseract:
        tpred, ms = _tesseract_all([c.image for c in crops])
        out["tesseract"] = score_predictions(truth, tpred, classes=clf.classes)
        out["tesseract"]["ms_per_box"] = round(ms, 1)
    return out


def evaluate_ardis(
    classifier: DigitClassifier | None = None,
    *,
    path: Path | None = None,
    tesseract: bool = False,
    tesseract_limit: int | None = None,
) -> dict:
    """Evaluate on the ARDIS-IV test set (out-of-domain; never trained on).

    Parameters
    ----------
    classifier : DigitClassifier, optional
        Defaults to :func:`default_classifier`.
    path : pathlib.Path, optional
        The ``ardis_iv_28x28.npz`` file.
    tesseract : bool
        Also run the tesseract baseline.
    tesseract_limit : int, optional
        Run tesseract on only the first N images (about 0.1 s each).
    """
    clf = classifier or default_classifier()
    crops, truth = load_ardis_test(path)
    pred, conf, acc = _classify_all(clf, crops)
    out = {
        "data": "ARDIS-IV X_test (1000 digits), inverted and padded with 10 px of paper",
        "classifier": score_predictions(truth, pred, conf, acc, clf.classes),
    }
    if tesseract:
        n = len(crops) if tesseract_limit is None else min(len(crops), tesseract_limit)
        tpred, ms = _tesseract_all(crops[:n])
        out["tesseract"] = score_predictions(truth[:n], tpred, classes=clf.classes)
        out["tesseract"]["ms_per_box"] = round(ms, 1)
        out["classifier_same_subset_top1"] = score_predictions(truth[:n], pred[:n])["top1_accuracy"]
    return out


def benchmark_batch(
    classifier: DigitClassifier | None = None,
    crops: Sequence[np.ndarray] | None = None,
    *,
    n: int = 100,
    repeats: int = 20,
    timer: Callable[[], float] = time.perf_counter,
) -> dict:
    """Time :meth:`DigitClassifier.classify` on a batch of ``n`` crops.

    Returns the median milliseconds per batch, split into preprocessing and
    the whole call.
    """
    clf = classifier or default_classifier()
    if crops is None:
        rng = np.random.default_rng(0)
        crops = [
            np.clip(rng.normal(235, 8, (80, 66)), 0, 255).astype(np.uint8) for _ in range(n)
        ]
        for c in crops:
            cv2.rectangle(c, (4, 4), (61, 75), 30, 3)
            cv2.putText(c, str(int(rng.integers(0, 10))), (18, 60), cv2.FONT_HERSHEY_SIMPLEX,
                        1.6, 40, 4)
    crops = list(crops)[:n]
    from grader.recognize.box_preprocess import preprocess_boxes

    clf.classify(crops)  # warm-up
    total, pre = [], []
    for _ in range(repeats):
        t0 = timer()
        preprocess_boxes(crops)
        t1 = timer()
        clf.classify(crops)
        t2 = timer()
        pre.append(t1 - t0)
        total.append(t2 - t1)
    return {
        "n_crops": len(crops),
        "ms_per_batch": round(1000 * float(np.median(total)), 2),
        "ms_preprocess": round(1000 * float(np.median(pre)), 2),
    }
