"""Tesseract as a digit-box classifier: the baseline the evaluation shows next to our CNN.

Same interface as :class:`grader.recognize.digit_classifier.DigitClassifier`.
Tesseract gives no calibrated probability for one character, so every box it
reads gets a fixed confidence and nothing is ever flagged as ambiguous: it is
a baseline, not a reader to trust.
"""
from __future__ import annotations

from typing import Sequence

import cv2
import numpy as np

from grader.recognize.digit_classifier import BoxReading

BASELINE_CONFIDENCE = 0.99
TESSERACT_CONFIG = "--psm 10 -c tessedit_char_whitelist=0123456789X-"


def tesseract_predict(crop: np.ndarray) -> str:
    """Read one box crop with tesseract (``--psm 10``), mapped to our classes.

    The crop is enlarged to at least 64 px tall and padded with paper, which
    helps tesseract; the first whitelisted character is the answer and no
    character means blank.
    """
    import pytesseract

    img = crop if crop.ndim == 2 else cv2.cvtColor(crop, cv2.COLOR_BGR2GRAY)
    if img.shape[0] < 64:
        s = 64 / img.shape[0]
        img = cv2.resize(img, (max(1, round(img.shape[1] * s)), 64), interpolation=cv2.INTER_CUBIC)
    img = cv2.copyMakeBorder(img, 16, 16, 16, 16, cv2.BORDER_REPLICATE)
    text = pytesseract.image_to_string(img, config=TESSERACT_CONFIG)
    for ch in text:
        if ch in "0123456789X-":
            return ch
    return ""


class TesseractBoxClassifier:
    def classify(self, crops: Sequence[np.ndarray], *, faint_floor: float = 0.0) -> list[BoxReading]:
        """Each crop read by tesseract (the baseline has no faint view: ``faint_floor`` changes nothing)."""
        out = []
        for crop in crops:
            label = tesseract_predict(crop)
            out.append(BoxReading(label=label, confidence=BASELINE_CONFIDENCE, probs={label: BASELINE_CONFIDENCE},
                                  ambiguous=False))
        return out
