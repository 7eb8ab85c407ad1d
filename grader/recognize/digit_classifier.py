"""Classify single handwritten digit-box crops: ``0``-``9``, ``X``, ``-`` or blank.

The network is a small CNN trained by ``training/train_digits.py`` and shipped
as ``grader/models/digits.onnx``; it runs through ``cv2.dnn`` (no torch at run
time).  ``grader/models/digits.json`` carries the class list, the input size,
the calibrated softmax temperature and the review thresholds.

Preprocessing (:func:`preprocess_box`) is shared by training and inference, so
what the network saw in training is exactly what it sees here:

1. grey, resized so that the longer side is ``WORK_SIZE`` pixels;
2. ink = ``1 - image / paper`` where *paper* is a local background estimate
   (morphological closing), which removes shading and exposure differences;
3. ink mask: ink above ``max(MIN_INK, REL_INK * strongest ink)``;
4. printed box borders: long straight lines in an outer band of each side
   are found with a morphological opening; everything from that line out to
   the crop edge is cleared (it is border, or a neighbouring box);
5. specks that are tiny compared with the largest stroke are dropped;
6. the remaining ink is scaled so its bounding box fits ``DIGIT_SIZE`` pixels,
   but never magnified beyond what the crop size allows (so a speck or a small
   cross stays small), and centred by mass in an ``INPUT_SIZE`` square, as in
   MNIST.
"""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

__all__ = [
    "BoxReading",
    "DigitClassifier",
    "default_classifier",
    "preprocess_box",
    "MODEL_DIR",
]

logger = logging.getLogger(__name__)

MODEL_DIR = Path(__file__).resolve().parent.parent / "models"

#: Side of the network input, in pixels.
INPUT_SIZE = 28
#: The ink bounding box is scaled to fit this many pixels (MNIST uses 20).
DIGIT_SIZE = 20
#: Working resolution: the longer side of the crop is resized to this.
WORK_SIZE = 64
#: Ink smaller than this fraction of the working size is not magnified.
MIN_MAGNIFY_FRACTION = 0.4
#: Minimum ink strength (1 - pixel/paper) to count as ink.
MIN_INK = 0.22
#: Ink also has to reach this fraction of the strongest ink in the crop.
REL_INK = 0.35
#: Outer band (fraction of the side) where a long line is taken as a border.
BORDER_BAND = 0.26
#: A border line must span at least this fraction of the side it runs along.
BORDER_MIN_SPAN = 0.6
#: Each piece of a border line must be at least this long on its own.
BORDER_PIECE_SPAN = 0.4
#: A straight line this long (fraction of the side) is a box divider anywhere.
FULL_LINE_SPAN = 0.88
#: Such a divider within this outer fraction also clears what lies beyond it.
FAR_BAND = 0.35
#: Fewer ink pixels than this (at working size) means a blank box.
MIN_INK_PIXELS = 6


# --------------------------------------------------------------------------
# Preprocessing
# --------------------------------------------------------------------------


def _as_gray_uint8(crop: np.ndarray) -> np.ndarray:
    """Validate a crop and return it as a 2-D uint8 grey image."""
    arr = np.asarray(crop)
    if arr.ndim == 3:
        if arr.shape[2] == 1:
            arr = arr[:, :, 0]
        elif arr.shape[2] in (3, 4):
            if arr.dtype != np.uint8:
                arr = _to_uint8(arr)
            code = cv2.COLOR_BGR2GRAY if arr.shape[2] == 3 else cv2.COLOR_BGRA2GRAY
            arr = cv2.cvtColor(np.ascontiguousarray(arr), code)
        else:
            raise ValueError(
                f"crop must be grey (H, W) or BGR (H, W, 3); got shape {arr.shape}"
            )
    elif arr.ndim != 2:
        raise ValueError(
            f"crop must be a 2-D grey or 3-D BGR array; got {arr.ndim} dimension(s)"
        )
    if arr.shape[0] < 4 or arr.shape[1] < 4:
        raise ValueError(f"crop is too small to read: shape {arr.shape}")
    if arr.dtype != np.uint8:
        arr = _to_uint8(arr)
    return np.ascontiguousarray(arr)


def _to_uint8(arr: np.ndarray) -> np.ndarray:
    """Convert a float (0..1 or 0..255) or integer image to uint8."""
    if arr.dtype == bool:
        return arr.astype(np.uint8) * 255
    a = arr.astype(np.float32)
    if np.issubdtype(arr.dtype, np.floating) and a.size and float(np.nanmax(a)) <= 1.0:
        a = a * 255.0
    return np.clip(np.nan_to_num(a), 0, 255).astype(np.uint8)


def _ink_map(gray: np.ndarray) -> np.ndarray:
    """Ink strength in [0, 1]: ``1 - pixel / local paper brightness``."""
    g = gray.astype(np.float32)
    k = max(9, (max(g.shape) // 3) | 1)
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (k, k))
    paper = cv2.morphologyEx(g, cv2.MORPH_CLOSE, kernel)
    paper = cv2.GaussianBlur(paper, (0, 0), k / 4)
    # Paper cannot be darker than what is seen at the pixel itself, and a
    # global floor keeps a fully inked region from being taken as paper.
    paper = np.maximum(paper, g)
    floor = float(np.percentile(g, 90)) * 0.6
    paper = np.maximum(paper, max(floor, 1.0))
    return np.clip(1.0 - g / paper, 0.0, 1.0)


def _remove_borders(mask: np.ndarray) -> np.ndarray:
    """Clear printed box borders (and anything beyond them) near the edges."""
    h, w = mask.shape
    out = mask.copy()
    # Close small gaps along the line direction first.
    hmask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, np.ones((1, 5), np.uint8))
    vmask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, np.ones((5, 1), np.uint8))
    hlines = cv2.morphologyEx(
        hmask, cv2.MORPH_OPEN, np.ones((1, max(3, int(0.3 * w))), np.uint8)
    )
    vlines = cv2.morphologyEx(
        vmask, cv2.MORPH_OPEN, np.ones((max(3, int(0.3 * h)), 1), np.uint8)
    )
    band_h = max(2, int(round(BORDER_BAND * h)))
    band_w = max(2, int(round(BORDER_BAND * w)))

    def _long_parts(lines: np.ndarray, horizontal: bool) -> np.ndarray:
        """Keep only line pieces that are long on their own (not stroke bits)."""
        n, lab, stats, _ = cv2.connectedComponentsWithStats(lines, connectivity=8)
        keep = np.zeros(n, dtype=bool)
        along = w if horizontal else h
        length = stats[:, cv2.CC_STAT_WIDTH if horizontal else cv2.CC_STAT_HEIGHT]
        keep[1:] = length[1:] >= BORDER_PIECE_SPAN * along
        return np.where(keep[lab], 255, 0).astype(np.uint8)

    hlines = _long_parts(hlines, True)
    vlines = _long_parts(vlines, False)

    def _span(lines: np.ndarray, axis: int) -> float:
        covered = lines.any(axis=axis)
        return float(covered.mean()) if covered.size else 0.0

    # top
    top = hlines[:band_h]
    if _span(top, 0) >= BORDER_MIN_SPAN:
        rows = np.nonzero(top.any(axis=1))[0]
        out[: rows.max() + 2] = 0
    # bottom
    bottom = hlines[h - band_h :]
    if _span(bottom, 0) >= BORDER_MIN_SPAN:
        rows = np.nonzero(bottom.any(axis=1))[0]
        out[max(0, h - band_h + rows.min() - 1) :] = 0
    # left
    left = vlines[:, :band_w]
    if _span(left, 1) >= BORDER_MIN_SPAN:
        cols = np.nonzero(left.any(axis=0))[0]
        out[:, : cols.max() + 2] = 0
    # right
    right = vlines[:, w - band_w :]
    if _span(right, 1) >= BORDER_MIN_SPAN:
        cols = np.nonzero(right.any(axis=0))[0]
        out[:, max(0, w - band_w + cols.min() - 1) :] = 0
    return out


def _drop_specks(mask: np.ndarray) -> np.ndarray:
    """Remove connected components that are tiny next to the largest one."""
    n, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    if n <= 1:
        return mask
    areas = stats[1:, cv2.CC_STAT_AREA]
    largest = int(areas.max())
    keep = np.zeros(n, dtype=bool)
    keep[1:] = (areas >= 0.08 * largest) | (areas >= 40)
    keep[1:] &= areas >= 3
    return np.where(keep[labels], 255, 0).astype(np.uint8)


def preprocess_box(crop: np.ndarray) -> np.ndarray:
    """Turn one digit-box crop into the network input.

    Parameters
    ----------
    crop : numpy.ndarray
        A single box crop of any size, uint8 grey ``(H, W)`` or BGR
        ``(H, W, 3)`` (BGRA and ``(H, W, 1)`` are accepted too), dark ink on
        light paper.  Parts of the printed box border may lie inside the crop
        edges.  Other dtypes are converted (floats in [0, 1] are scaled).

    Returns
    -------
    numpy.ndarray
        ``float32`` array of shape ``(INPUT_SIZE, INPUT_SIZE)``, ink = 1 and
        paper = 0, the ink centred by mass as in MNIST.  An empty box gives an
        all-zero array.

    Raises
    ------
    ValueError
        If the crop is not a 2-D or 3-D image, has an unsupported channel
        count, or is smaller than 4 pixels on a side.
    """
    gray = _as_gray_uint8(crop)
    h0, w0 = gray.shape
    s = WORK_SIZE / max(h0, w0)
    wh = (max(4, int(round(w0 * s))), max(4, int(round(h0 * s))))
    interp = cv2.INTER_AREA if s < 1 else cv2.INTER_LINEAR
    work = cv2.resize(gray, wh, interpolation=interp)

    ink = _ink_map(work)
    strongest = float(np.percentile(ink, 99.5))
    thr = max(MIN_INK, REL_INK * strongest)
    mask = np.where(ink > thr, 255, 0).astype(np.uint8)
    mask = _remove_borders(mask)
    mask = _drop_specks(mask)

    out = np.zeros((INPUT_SIZE, INPUT_SIZE), np.float32)
    if int(np.count_nonzero(mask)) < MIN_INK_PIXELS:
        return out

    soft = ink * (cv2.dilate(mask, np.ones((3, 3), np.uint8)) > 0)
    soft = np.clip(soft / max(strongest, MIN_INK), 0.0, 1.0).astype(np.float32)
    ys, xs = np.nonzero(mask)
    y0, y1 = max(0, ys.min() - 1), min(soft.shape[0], ys.max() + 2)
    x0, x1 = max(0, xs.min() - 1), min(soft.shape[1], xs.max() + 2)
    glyph = soft[y0:y1, x0:x1]
    gh, gw = glyph.shape
    scale = min(
        DIGIT_SIZE / max(gh, gw),
        DIGIT_SIZE / (MIN_MAGNIFY_FRACTION * WORK_SIZE),
    )
    nw, nh = max(1, int(round(gw * scale))), max(1, int(round(gh * scale)))
    glyph = cv2.resize(
        glyph, (nw, nh), interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
    )
    total = float(glyph.sum())
    if total <= 1e-6:
        return out
    yy, xx = np.mgrid[0:nh, 0:nw]
    cy = float((yy * glyph).sum() / total)
    cx = float((xx * glyph).sum() / total)
    oy = int(round(INPUT_SIZE / 2 - 0.5 - cy))
    ox = int(round(INPUT_SIZE / 2 - 0.5 - cx))
    oy = min(max(oy, 0), INPUT_SIZE - nh) if nh <= INPUT_SIZE else 0
    ox = min(max(ox, 0), INPUT_SIZE - nw) if nw <= INPUT_SIZE else 0
    out[oy : oy + nh, ox : ox + nw] = glyph[: INPUT_SIZE - oy, : INPUT_SIZE - ox]
    return out


# --------------------------------------------------------------------------
# Classifier
# --------------------------------------------------------------------------


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
        an overwritten box).
    """

    label: str
    confidence: float
    probs: dict[str, float]
    ambiguous: bool


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
        if not meta_path.is_file() or not onnx_path.is_file():
            raise FileNotFoundError(
                f"digit model not found in {model_dir} (need digits.onnx and digits.json)"
            )
        self.meta: dict = json.loads(meta_path.read_text(encoding="utf-8"))
        self.classes: list[str] = list(self.meta["classes"])
        self.temperature = float(self.meta.get("temperature", 1.0))
        self.review_threshold = float(self.meta.get("review_threshold", 0.9))
        self.review_margin = float(self.meta.get("review_margin", 0.5))
        size = int(self.meta.get("input_size", INPUT_SIZE))
        if size != INPUT_SIZE:
            raise ValueError(f"model expects {size}px input, code produces {INPUT_SIZE}px")
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
        self._net.setInput(np.ascontiguousarray(blob))
        return np.asarray(self._net.forward(), dtype=np.float32).reshape(len(inputs), -1)

    def probabilities(self, inputs: np.ndarray) -> np.ndarray:
        """Calibrated class probabilities for preprocessed inputs (N, 28, 28)."""
        z = self.logits(inputs) / self.temperature
        z = z - z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)

    def classify(self, crops: Sequence[np.ndarray]) -> list[BoxReading]:
        """Classify box crops in one batched forward pass.

        Parameters
        ----------
        crops : sequence of numpy.ndarray
            Box crops as accepted by :func:`preprocess_box`.

        Returns
        -------
        list of BoxReading
            One reading per crop, in order.
        """
        if len(crops) == 0:
            return []
        inputs = np.stack([preprocess_box(c) for c in crops])
        return self.readings_from_probabilities(self.probabilities(inputs))

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
    """The shared classifier loaded from ``grader/models`` (loaded once)."""
    return DigitClassifier()
