"""Ink darkness measured against the local paper, so that shadows and uneven light cancel out.

Shared by the mark readers (bubble columns, tally cells): both decide on ink standing out from the paper around it.
"""
from __future__ import annotations

import cv2
import numpy as np

from grader.photo.no_ipp import without_ipp


def paper_darkness_u8(gray: np.ndarray, *, window_px: int) -> np.ndarray:
    """Darkness relative to the local paper as uint8: 0 = paper, 255 = black.

    The paper level is a morphological closing over ``window_px`` (wider than
    any pen mark or printed line), so shadows and gradients cancel; a closing
    keeps the edges of shadows in place, where a blurred maximum would smear
    light into them. Paper light varies slowly, so it is estimated at a
    quarter of the resolution.

    Parameters
    ----------
    gray : uint8 grayscale crop.
    window_px : size of the paper-estimation window in pixels.
    """
    if gray.dtype != np.uint8 or gray.ndim != 2:
        raise ValueError("gray must be a 2-D uint8 array")
    h, w_img = gray.shape
    f = 4 if min(h, w_img) >= 64 and window_px >= 12 else 1
    w = max(3, int(round(window_px / f)) | 1)
    with without_ipp():     # (small images: IPP's toll per call outweighs its speed, see grader.photo.no_ipp)
        small = cv2.resize(gray, (max(1, w_img // f), max(1, h // f)), interpolation=cv2.INTER_AREA) if f > 1 else gray
        paper = cv2.morphologyEx(small, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (w, w)))
        if f > 1:
            paper = cv2.resize(paper, (w_img, h), interpolation=cv2.INTER_LINEAR)
        paper = cv2.max(paper, gray)
        return cv2.bitwise_not(cv2.divide(gray, np.maximum(paper, 1), scale=255.0))   # 255 - x for uint8


def paper_darkness(gray: np.ndarray, *, window_px: int) -> np.ndarray:
    """Darkness relative to the local paper as float32 in 0..1 (see :func:`paper_darkness_u8`)."""
    return paper_darkness_u8(gray, window_px=window_px).astype(np.float32) / 255.0
