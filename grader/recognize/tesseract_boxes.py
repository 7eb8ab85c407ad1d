"""Tesseract as a digit-box classifier: the baseline the evaluation shows next to our CNN.

Same interface as :class:`grader.recognize.digit_classifier.DigitClassifier`.
Tesseract gives no calibrated probability for one character, so every box it
reads gets a fixed confidence and nothing is ever flagged as ambiguous: it is
a baseline, not a reader to trust.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from grader.recognize.digit_classifier import BoxReading
from grader.recognize.digit_eval import tesseract_predict

BASELINE_CONFIDENCE = 0.99


class TesseractBoxClassifier:
    def classify(self, crops: Sequence[np.ndarray]) -> list[BoxReading]:
        out = []
        for crop in crops:
            label = tesseract_predict(crop)
            out.append(BoxReading(label=label, confidence=BASELINE_CONFIDENCE, probs={label: BASELINE_CONFIDENCE},
                                  ambiguous=False))
        return out
