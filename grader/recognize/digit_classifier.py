"""Classify single handwritten digit-box crops: ``0``-``9``, ``X``, ``-`` or blank.

The network is a small CNN trained by ``training/train_digits.py`` and shipped
as ``grader/models/digits.onnx``; it runs through ``cv2.dnn`` (no torch at run
time).  ``grader/models/digits.json`` carries the class list, the input size,
the calibrated softmax temperature and the review thresholds.

Each crop goes through :func:`grader.recognize.box_preprocess.preprocess_boxes` (shared with training) and the
whole sheet's boxes through the network in one batch.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import cv2
import numpy as np

from grader.config import DIGITS_MODEL_ENV
from grader.recognize.box_preprocess import INPUT_SIZE, PreprocessSettings, preprocess_for_reading
from grader.recognize.box_shape import accepted_by_shape, split_dash

__all__ = [
    "BoxReading",
    "DigitClassifier",
    "default_classifier",
    "MODEL_DIR",
    "missing_model_files",
    "model_dir",
]

logger = logging.getLogger(__name__)

MODEL_DIR = Path(__file__).resolve().parent.parent / "models"
# A box's faint view (a pen running dry: grader.recognize.box_preprocess) that reads another label at this
# probability or more makes the reading unsure. On the development photos' boxes (seed 61, 36,356 boxes) 19 boxes
# accepted and read right became unsure, and none of the 10 accepted and read wrong was caught; on simulated dry pens
# (seeds 3604 and 3606, and the sure misreads left on 3702-3704 by a first design) it caught 15 of the 21 boxes read
# wrong and surely (a 3 or a 5 read as a dash, a 0 read as 7, ...) and the 3 pale digits read blank.
FAINT_DISAGREES = 0.5
# A dash that is not one stroke (grader.recognize.box_shape.split_dash) is unsure whatever the network says of it:
# its confidence is capped here, far below any bar that holds a box against the trainee.
SPLIT_DASH_CONFIDENCE = 0.5
# A 9 is what a looped 2 becomes when its flat base, written on the bottom border, is cleared with it (helper-162:
# "227" read "927" at 1.0 and charged; three such 2s read 9 at 0.9987-0.9999 on dev49c's photocopies). A box read
# as 9 whose bottom border carries a stroke along this share of its width (box_preprocess._stroke_on_bottom) is
# unsure, capped as a split dash is. Measured with v8 on the development boxes (dev21, dev49c, dev50): it takes
# 5 of 392, 8 of 441 and 15 of 824 boxes read 9 that were 9s to review, and the three 2s read 9; a share measured
# on every side, not the bottom only, would have taken 4-6% of all accepted boxes, crosses and 1s first.
NINE_ON_BASE_SHARE = 0.2
# A digit that runs into its box's top or bottom printed line may have a stroke on the line itself, cleared with it
# and no thicker than it (a looped 2's base leaves a 9, a 7's bar a 1; NINE_ON_BASE_SHARE sees a base that thickens
# the line only). Such a box is read again with the line under the digit given back
# (box_preprocess._line_under_views); where that view reads another label at LINE_DISAGREES or more, the reading
# rests on what the line holds, and the box is not sure: its confidence is capped at LINE_UNSURE_CONFIDENCE, below
# the bar at which a box holds against the trainee (grader.grading.certainty.SURE_BOX, 0.99995; an X or a dash is
# sure from 0.999 and no stroke on a line makes one) and above the review threshold. It is not sent to review for
# it: sending those boxes to review (the faint view's rule) took 76 accepted boxes of dev49c's 12,723 to review,
# slanted 1s touching the top line first (the view gives them a bar: a 7), and the trainer's actions from 505 to
# 603, while a box below SURE_BOX is already held against no one.
LINE_DISAGREES = 0.5
LINE_UNSURE_CONFIDENCE = 0.9999
# A box is known to be empty only where a pen stroke could have been seen: ink is told from paper by its contrast
# (box_preprocess.MIN_INK, 0.22), and a light that washes the paper out (a flash's hot spot, a lamp on glossy paper)
# lowers the contrast of pen and print alike. The printed border is the reference: a box with no ink whose own
# print is lighter than this is not known to be empty (review), however sure the network is of an all-paper input.
# The print of every digit box of the development photos reaches 0.70 or more (dev21, 12,624 boxes) and 0.67 on
# photocopies (dev49c, 12,723 boxes); under a flash's hot spot (helper-165, 20 photos) a written "151" whose print
# and strokes were at 0.16-0.19 was confirmed blank at 0.9985 and its field graded blank.
BLANK_MIN_PRINT_INK = 0.5


def model_dir() -> Path:
    """The folder the shared classifier loads: ``$GRADER_DIGITS_MODEL`` when set, else ``grader/models``.

    The variable names another digits.onnx and digits.json to read with: a retrained model under evaluation
    (``grader eval --digits-model``) before it may replace the shipped one. An environment variable, so that the
    evaluation's worker processes read with the same model.
    """
    return Path(os.environ.get(DIGITS_MODEL_ENV) or MODEL_DIR)


def missing_model_files(folder: Path) -> list[str]:
    """The model files a folder lacks (``digits.onnx``, ``digits.json``): none for a usable model folder."""
    return [name for name in ("digits.onnx", "digits.json") if not (Path(folder) / name).is_file()]


@dataclass(frozen=True)
class BoxReading:
    """What one digit box contains, with a calibrated confidence.

    Attributes
    ----------
    label : str
        ``"0"``-``"9"``, ``"X"``, ``"-"``, or ``""`` for a blank box.
    confidence : float
        Calibrated probability of ``label``, in [0, 1].
    probs : dict[str, float]
        Calibrated probability of every class.
    ambiguous : bool
        True when the box should go to human review: the confidence is
        below the review threshold, or a second class is close behind (as in
        an overwritten box); except a ``1`` whose ink is one upright stroke
        (``by_shape``), which keeps its confidence. Also a dash in two marks
        (:data:`SPLIT_DASH_CONFIDENCE`) and a box whose faint view reads
        another label (``faint``). A box that reads another label with the
        printed line under its digit given back (``on_line``) keeps its
        ``ambiguous`` but not a sure confidence (:data:`LINE_UNSURE_CONFIDENCE`).
    """

    label: str
    confidence: float
    probs: dict[str, float]
    ambiguous: bool
    empty: bool = False    # no ink survived preprocessing (the network saw an all-paper input), in print dark
    #                        enough for a stroke to have shown (BLANK_MIN_PRINT_INK)
    by_shape: bool = False  # a "1" below the review threshold accepted for its shape (grader.recognize.box_shape)
    faint: str | None = None  # what the box's faint view reads, where it reads another label (then ambiguous)
    on_line: str | None = None  # what the box reads with the printed line under it given back, where that is
    #                             another label (then not sure: LINE_UNSURE_CONFIDENCE)


class DigitClassifier:
    """Batched digit-box classifier running an ONNX CNN through ``cv2.dnn``.

    Parameters
    ----------
    model_dir : pathlib.Path, optional
        Folder holding ``digits.onnx`` and ``digits.json``; defaults to the
        package's ``grader/models``.
    """

    def __init__(self, model_dir: Path | None = None) -> None:
        model_dir = Path(model_dir) if model_dir is not None else MODEL_DIR
        meta_path = model_dir / "digits.json"
        onnx_path = model_dir / "digits.onnx"
        if missing_model_files(model_dir):
            raise FileNotFoundError(
                f"digit model not found in {model_dir} (need digits.onnx and digits.json)"
            )
        self.meta: dict = json.loads(meta_path.read_text(encoding="utf-8"))
        self.classes: list[str] = list(self.meta["classes"])
        self.temperature = float(self.meta.get("temperature", 1.0))
        self.review_threshold = float(self.meta.get("review_threshold", 0.9))
        self.review_margin = float(self.meta.get("review_margin", 0.5))
        # (the crop margin and the clearing the model was trained with; a model that records none: today's)
        try:
            self.preprocessing = PreprocessSettings.from_params(self.meta.get("preprocessing") or {})
        except ValueError as exc:
            raise ValueError(f"digit model {meta_path}: {exc}") from None
        size = int(self.meta.get("input_size", INPUT_SIZE))
        if size != INPUT_SIZE:
            raise ValueError(f"model expects {size}px input, code produces {INPUT_SIZE}px")
        self._lock = threading.Lock()  # a cv2.dnn.Net is not safe to share between threads
        self._net = cv2.dnn.readNetFromONNX(str(onnx_path))
        self._net.setPreferableBackend(cv2.dnn.DNN_BACKEND_OPENCV)
        self._net.setPreferableTarget(cv2.dnn.DNN_TARGET_CPU)
        self._mean = float(self.meta.get("input_mean", 0.0))
        self._std = float(self.meta.get("input_std", 1.0))
        logger.debug("loaded digit model from %s (%d classes)", onnx_path, len(self.classes))

    def logits(self, inputs: np.ndarray) -> np.ndarray:
        """Raw network logits for preprocessed inputs of shape (N, 28, 28)."""
        if len(inputs) == 0:
            return np.zeros((0, len(self.classes)), np.float32)
        blob = ((inputs.astype(np.float32) - self._mean) / self._std)[:, None, :, :]
        with self._lock:
            self._net.setInput(np.ascontiguousarray(blob))
            out = self._net.forward()
        return np.asarray(out, dtype=np.float32).reshape(len(inputs), -1)

    def probabilities(self, inputs: np.ndarray) -> np.ndarray:
        """Calibrated class probabilities for preprocessed inputs (N, 28, 28)."""
        z = self.logits(inputs) / self.temperature
        z = z - z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)

    def classify(self, crops: Sequence[np.ndarray], *, faint_floor: float = 0.0) -> list[BoxReading]:
        """Classify box crops in one batched forward pass.

        Parameters
        ----------
        crops : sequence of numpy.ndarray
            Box crops as accepted by :func:`grader.recognize.box_preprocess.preprocess_box`.
        faint_floor : float
            The least ink the boxes' faint views take for a stroke (:func:`grader.read.show_through.faint_floor`).

        Returns
        -------
        list of BoxReading
            One reading per crop, in order.
        """
        if len(crops) == 0:
            return []
        pre = preprocess_for_reading(crops, faint_floor=faint_floor, settings=self.preprocessing)
        inputs = pre.inputs
        # one batch for every view
        probs = self.probabilities(np.concatenate([inputs, pre.faint_inputs, pre.line_inputs]))
        readings = self.readings_from_probabilities(probs[:len(inputs)])
        empty = inputs.reshape(len(inputs), -1).max(axis=1) <= 0
        out = []
        for r, e, x, base, print_ink in zip(readings, empty, inputs, pre.stroke_on_bottom, pre.print_ink):
            if e:
                r = replace(r, empty=bool(print_ink >= BLANK_MIN_PRINT_INK))   # (else the paper is washed out)
            elif r.ambiguous and accepted_by_shape(r.label, r.confidence, x):   # a 1 whose ink is one upright stroke
                r = replace(r, ambiguous=False, by_shape=True)
            elif split_dash(r.label, x) or (r.label == "9" and base >= NINE_ON_BASE_SHARE):
                # a dash in two marks (what is left of a digit, perhaps); a 9 that may be a 2 without its base
                r = replace(r, ambiguous=True, confidence=min(r.confidence, SPLIT_DASH_CONFIDENCE))
            out.append(r)
        faint_end = len(inputs) + len(pre.faint_index)
        for i, p in zip(pre.faint_index, probs[len(inputs):faint_end]):
            out[i] = self._unsettled_by_faint_view(out[i], p)
        for i, p in zip(pre.line_index, probs[faint_end:]):
            out[i] = self._unsettled_by_line_view(out[i], p)
        return out

    def _unsettled_by_line_view(self, r: BoxReading, line_probs: np.ndarray) -> BoxReading:
        """``r``, not sure (:data:`LINE_UNSURE_CONFIDENCE`) when the box's view with the printed line under the digit
        given back reads another label (:data:`LINE_DISAGREES`). The label, and whether it goes to review, stay
        what the box read without the line says."""
        k = int(np.argmax(line_probs))
        label = self.classes[k]
        if label == r.label or float(line_probs[k]) < LINE_DISAGREES:
            return r
        return replace(r, confidence=min(r.confidence, LINE_UNSURE_CONFIDENCE), on_line=label)

    def _unsettled_by_faint_view(self, r: BoxReading, faint_probs: np.ndarray) -> BoxReading:
        """``r``, unsure when the box's faint view reads another label (:data:`FAINT_DISAGREES`).

        The label stays what the ink above the threshold says; its confidence becomes the lesser of the two views'
        probabilities for it. So a dry pen's "--3" read as "---" cannot count as a sure 0, nor its pale 1 as a
        sure blank box (``empty`` is cleared: the box has ink, only too faint for the first view).
        """
        k = int(np.argmax(faint_probs))
        label = self.classes[k]
        if label in (r.label, "") or float(faint_probs[k]) < FAINT_DISAGREES:   # (more ink cannot make a box blank)
            # A box that showed no ink but whose faint view sees a mark in it is not known to be blank: it may
            # not be confirmed as surely blank (grader.read.sheet_reader.confirm_blanks), whatever the network
            # makes of the faint ink. A pale 6 under a photo's haze and a lamp's streak (the paper at full
            # white there) read as '' at 0.994, then as a surely blank leading box held against the trainee.
            return replace(r, empty=False) if r.empty and label != "" else r
        confidence = min(r.confidence, float(faint_probs[self.classes.index(r.label)]))
        return replace(r, confidence=confidence, ambiguous=True, empty=False, by_shape=False, faint=label)

    def readings_from_probabilities(self, probs: np.ndarray) -> list[BoxReading]:
        """Turn calibrated probability rows into :class:`BoxReading` objects."""
        readings = []
        order = np.argsort(-probs, axis=1)
        for row, idx in zip(probs, order):
            p1 = float(row[idx[0]])
            p2 = float(row[idx[1]]) if len(idx) > 1 else 0.0
            ambiguous = p1 < self.review_threshold or (p1 - p2) < self.review_margin
            readings.append(
                BoxReading(
                    label=self.classes[int(idx[0])],
                    confidence=min(1.0, max(0.0, p1)),
                    probs={c: float(p) for c, p in zip(self.classes, row)},
                    ambiguous=bool(ambiguous),
                )
            )
        return readings


@functools.lru_cache(maxsize=1)
def default_classifier() -> DigitClassifier:
    """The shared classifier loaded from :func:`model_dir` (loaded once)."""
    return DigitClassifier(model_dir())
