"""Turn digit-box crops into the network's input: the one preprocessing that training and reading share.

Preprocessing (:func:`preprocess_boxes`, vectorised over a whole sheet's
boxes; :func:`preprocess_box` for one) is shared by training and inference, so
what the network saw in training is exactly what it sees here:

1. grey, resized to a ``WORK_SIZE`` square tile (the true aspect ratio is
   remembered and restored in step 6);
2. ink = ``1 - image / paper`` where *paper* is a local background estimate
   (max filter), which removes shading and exposure differences;
3. printed box borders: rows (columns) in an outer band of each side that
   are mostly covered by long straight runs of ``ink > MIN_INK`` are printed
   lines; everything from the innermost such line out to the crop edge is
   cleared (it is border, a neighbouring box or printed text). A partial line
   lying inside a full-length one is a pen stroke, not a border, and stays.
   A model trained with ``keep_crossing`` (:class:`PreprocessSettings`) keeps
   the ink beyond a line that a stroke inside joins across it (:func:`_crossing_ink`);
4. ink mask: remaining ink above ``max(MIN_INK, REL_INK * strongest ink)``;
5. specks that are tiny compared with the largest stroke are dropped;
6. the remaining ink is scaled so its bounding box fits ``DIGIT_SIZE`` pixels,
   but never magnified beyond what the crop size allows (so a speck or a small
   cross stays small), and centred by mass in an ``INPUT_SIZE`` square, as in
   MNIST.

Reading (not training) also takes a second, faint view of boxes with pale ink
(:func:`preprocess_boxes_and_faint`), and a view of boxes whose digit runs into
a cleared top or bottom line with that line given back under the digit
(:func:`_line_under_views`): a reading the views disagree on is not sure
(:mod:`grader.recognize.digit_classifier`).

All tiles of a batch are stacked into one tall image (with padding between
them) so that each OpenCV operation runs once per batch, not once per box.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import cv2
import numpy as np

from grader.true_runs import longest_true_run

#: Side of the network input, in pixels.
INPUT_SIZE = 28
#: The ink bounding box is scaled to fit this many pixels (MNIST uses 20).
DIGIT_SIZE = 20
#: The reader cuts each digit box this far (mm of paper) beyond its printed border (the classifier expects border
#: fragments at the crop's edges); a model may ask for more above and below (:class:`PreprocessSettings`).
CROP_MARGIN_MM = 0.6
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
#: A border line must cover at least this fraction of the side it runs along.
BORDER_MIN_SPAN = 0.6
#: A line covering this much is certainly printed. Inside such a line, a shorter one is handwriting: the flat
#: base of a 2 or the bar of a 7 covers 0.6-0.7 of the crop, a printed border of our sheet 0.94 or more.
BORDER_FULL_SPAN = 0.8
#: Bumped whenever the preprocessing logic changes (not only its settings): cached training inputs are keyed on it.
PREPROCESSING_VERSION = 2
# A stroke lying along the bottom border (:func:`_stroke_on_bottom`): ink this strong (``_ink_maps``) is counted; a
# column where the cleared rows below the kept part hold this many more pixels of it than the border's own
# thickness (:func:`_stroke_on_bottom`) carries a stroke.
BORDER_STROKE_INK = 0.6
BORDER_STROKE_EXTRA_PX = 2
#: Side of the max filter that estimates the paper brightness.
PAPER_KERNEL = 15
#: Fewer ink pixels than this (at working size) means a blank box.
MIN_INK_PIXELS = 6
#: A crop narrower or lower than this many pixels holds no readable box (it is refused, not guessed).
MIN_CROP_SIDE = 4
# The faint view (:func:`preprocess_boxes_and_faint`), for pens running dry. Its threshold is the lowest of these
# that stays above the box's paper texture: ``FAINT_NOISE`` times the 90th percentile of the ink measured on the
# paper away from the strokes (mottled paper and JPEG noise reach 0.13 there; a fixed 0.10 read noise as strokes
# in 0.75% of ordinary boxes). Set on the development photos' boxes (seed 61, 36,356 boxes), a darkest copy of a
# copy (tests/test_copier.py), and simulated dry pens (seeds 3604, 3606, and the sure misreads left on 3702-3704
# by a first, fixed 0.15 threshold).
FAINT_MIN_INK = 0.10
FAINT_REL_INK = 0.12
FAINT_NOISE = 1.5
FAINT_STRETCH = 2.0
FAINT_GAIN = 0.3         # the added ink must be this share of the ink already seen, or more
#: Ink this close (pixels at working size) to a stroke already seen is the stroke's edge, not a faint stroke.
FAINT_CLEARANCE = 2
#: Paper closer than this (pixels at working size) to a stroke is not used to measure the texture.
TEXTURE_CLEARANCE = 3



@dataclass(frozen=True)
class PreprocessSettings:
    """The preprocessing settings a model was trained with, which the reader must use with it: recorded in the
    ``preprocessing`` block of its ``digits.json`` (:func:`preprocessing_params`), read back by
    :meth:`from_params`. A model that records none of them (the shipped v8) reads as the defaults: the crop
    ``CROP_MARGIN_MM`` beyond the border on every side, everything beyond a printed line cleared.

    Attributes
    ----------
    crop_margin_mm : how far beyond the printed border the reader cuts the box, left and right (mm of paper).
    crop_margin_y_mm : the same above and below (None: ``crop_margin_mm``). A taller crop holds what a digit written
        across its top or bottom line puts beyond it (the bar of a 7, the top of a 9's loop).
    keep_crossing : keep ink beyond a cleared printed line where it joins, across the line, a stroke inside the box
        (:func:`_crossing_ink`); off, everything from a printed line out is cleared.
    """

    crop_margin_mm: float = CROP_MARGIN_MM
    crop_margin_y_mm: float | None = None
    keep_crossing: bool = False

    def __post_init__(self) -> None:
        for name in ("crop_margin_mm", "crop_margin_y_mm"):
            value = getattr(self, name)
            if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))
                                      or not 0 <= value <= 5):
                raise ValueError(f"preprocessing setting {name} must be a number of mm from 0 to 5; got {value!r}")
        if not isinstance(self.keep_crossing, bool):
            raise ValueError(f"preprocessing setting keep_crossing must be true or false; got {self.keep_crossing!r}")

    @property
    def margins_mm(self) -> tuple[float, float]:
        """``(x, y)``: the crop's margin beyond the border left and right, and above and below."""
        return self.crop_margin_mm, self.crop_margin_mm if self.crop_margin_y_mm is None else self.crop_margin_y_mm

    @classmethod
    def from_params(cls, params: Mapping) -> PreprocessSettings:
        """The settings recorded in a model's ``preprocessing`` block (absent ones: the defaults).

        Raises
        ------
        ValueError
            If a recorded setting has a value the reader cannot use.
        """
        return cls(**{name: params[name] for name in ("crop_margin_mm", "crop_margin_y_mm", "keep_crossing")
                      if name in params})


#: Today's preprocessing: what a model that records no settings was trained with.
DEFAULT_SETTINGS = PreprocessSettings()


def preprocessing_params(settings: PreprocessSettings = DEFAULT_SETTINGS) -> dict:
    """The preprocessing settings, as recorded with a trained model and in the key of cached training inputs."""
    return {
        "function": "grader.recognize.box_preprocess.preprocess_boxes",
        "work_size": WORK_SIZE, "digit_size": DIGIT_SIZE, "min_magnify_fraction": MIN_MAGNIFY_FRACTION,
        "min_ink": MIN_INK, "rel_ink": REL_INK, "border_band": BORDER_BAND, "border_min_span": BORDER_MIN_SPAN,
        "border_full_span": BORDER_FULL_SPAN, "paper_kernel": PAPER_KERNEL,
        "min_ink_pixels": MIN_INK_PIXELS, "input_size": INPUT_SIZE, "version": PREPROCESSING_VERSION,
        "crop_margin_mm": settings.crop_margin_mm, "crop_margin_y_mm": settings.crop_margin_y_mm,
        "keep_crossing": settings.keep_crossing,
    }


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
    if arr.shape[0] < MIN_CROP_SIDE or arr.shape[1] < MIN_CROP_SIDE:
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


def _to_work_tile(gray: np.ndarray) -> tuple[np.ndarray, float, float]:
    """Resize a grey crop to a WORK_SIZE square tile.

    Returns the tile and the factors (sy, sx) that map tile pixels back to an
    aspect-preserving image whose longer side is WORK_SIZE.
    """
    h0, w0 = gray.shape
    s = WORK_SIZE / max(h0, w0)
    th, tw = h0 * s, w0 * s  # aspect-preserving working size
    interp = cv2.INTER_AREA if (h0 > WORK_SIZE and w0 > WORK_SIZE) else cv2.INTER_LINEAR
    tile = cv2.resize(gray, (WORK_SIZE, WORK_SIZE), interpolation=interp)
    return tile, th / WORK_SIZE, tw / WORK_SIZE


def _kth(values: np.ndarray, q: float) -> np.ndarray:
    """Per-row q-quantile (0..1) of a 2-D array, by partial sort.

    Callers pass every second pixel of every second row, which is plenty for
    a paper or ink level and four times cheaper.
    """
    k = min(values.shape[1] - 1, max(0, int(round(q * (values.shape[1] - 1)))))
    return np.partition(values, k, axis=1)[:, k]


def _stack_with_gap(tiles: np.ndarray, gap: int, mode: str) -> np.ndarray:
    """Stack (N, S, S) tiles into one tall image, each padded by ``gap`` pixels.

    ``mode`` is ``"edge"`` (replicate) or ``"zero"``; the padding keeps
    neighbourhood operations from mixing two tiles.
    """
    if mode == "edge":
        padded = np.pad(tiles, ((0, 0), (gap, gap), (gap, gap)), mode="edge")
    else:
        padded = np.pad(tiles, ((0, 0), (gap, gap), (gap, gap)))
    n, h, w = padded.shape
    return np.ascontiguousarray(padded.reshape(n * h, w))


def _unstack(tall: np.ndarray, n: int, gap: int) -> np.ndarray:
    """Inverse of :func:`_stack_with_gap`."""
    side = WORK_SIZE + 2 * gap
    return tall.reshape(n, side, side)[:, gap : gap + WORK_SIZE, gap : gap + WORK_SIZE]


def _ink_maps(tiles: np.ndarray) -> np.ndarray:
    """Ink strength in [0, 1] per tile: ``1 - pixel / local paper brightness``."""
    n = len(tiles)
    gap = PAPER_KERNEL // 2 + 1
    tall = _stack_with_gap(tiles, gap, "edge")
    kernel = np.ones((PAPER_KERNEL, PAPER_KERNEL), np.uint8)
    paper = cv2.dilate(tall, kernel)
    paper = cv2.blur(paper, (5, 5))
    paper = _unstack(paper, n, gap).astype(np.float32)
    g = tiles.astype(np.float32)
    # Paper cannot be darker than the pixel itself, nor (for a fully inked
    # region) far darker than the crop's bright paper level.
    floor = 0.6 * _kth(tiles[:, ::2, ::2].reshape(n, -1), 0.9).astype(np.float32)
    paper = np.maximum(np.maximum(paper, g), np.maximum(floor, 1.0)[:, None, None])
    return np.clip(1.0 - g / paper, 0.0, 1.0)


def _line_coverage(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-row and per-column coverage by long straight runs.

    ``mask`` is (N, S, S) uint8.  Returns ``(rows, cols)``, each (N, S): the
    fraction of a row (column) covered by horizontal (vertical) runs of at
    least ``0.3 * S`` pixels, taking the union of three neighbouring rows
    (columns) so that a slightly tilted line still counts.  Text, digits and
    blobs of ink cover little of a row; a printed line covers most of it.
    """
    n, side = len(mask), WORK_SIZE
    gap = 2
    tall = _stack_with_gap(mask, gap, "zero")
    length = max(3, int(0.3 * side))
    runs_h = _unstack(cv2.morphologyEx(tall, cv2.MORPH_OPEN, np.ones((1, length), np.uint8)), n, gap)
    runs_v = _unstack(cv2.morphologyEx(tall, cv2.MORPH_OPEN, np.ones((length, 1), np.uint8)), n, gap)
    h = runs_h > 0
    v = runs_v > 0
    h3 = h.copy()
    h3[:, 1:] |= h[:, :-1]
    h3[:, :-1] |= h[:, 1:]
    v3 = v.copy()
    v3[:, :, 1:] |= v[:, :, :-1]
    v3[:, :, :-1] |= v[:, :, 1:]
    return h3.mean(axis=2), v3.mean(axis=1)


def _border_keep(mask: np.ndarray) -> np.ndarray:
    """Where handwriting may be: not a printed border, nor beyond one.

    Parameters
    ----------
    mask : numpy.ndarray
        (N, S, S) uint8 {0, 255} candidate ink.

    Returns
    -------
    numpy.ndarray
        (N, S, S) bool, False from each printed line found in the outer
        ``BORDER_BAND`` of a side out to that side's edge (border, neighbouring
        boxes, printed text beyond them). A line shorter than
        ``BORDER_FULL_SPAN`` counts only when no full-length line is in that
        side's band; inside a full one, it is handwriting.
    """
    n, side = len(mask), WORK_SIZE
    band = max(2, int(round(BORDER_BAND * side)))
    rows_cov, cols_cov = _line_coverage(mask)
    idx = np.arange(side)
    lims = []
    for cov in (rows_cov, cols_cov):
        line = cov >= BORDER_MIN_SPAN  # (N, S)
        full = cov >= BORDER_FULL_SPAN
        # Where the printed border runs the full length, a shorter line inside it is handwriting (a 2's flat
        # base cleared as a border, with everything beyond it, leaves a 9). Crops whose border is only
        # partly inside (real forms cut loosely) have no full line, and keep the partial-line rule. (A border
        # tilted by 4 degrees or more inside its crop then leaves fragments, which lower the confidence:
        # review. Counting partial lines next to a full one as border too cut strokes that run along it.)
        has_near_full = (full & (idx < band)[None, :]).any(axis=1)[:, None]
        has_far_full = (full & (idx >= side - band)[None, :]).any(axis=1)[:, None]
        near = line & (idx < band)[None, :] & (full | ~has_near_full)
        far = line & (idx >= side - band)[None, :] & (full | ~has_far_full)
        lo = np.where(near.any(axis=1), np.max(np.where(near, idx, -1), axis=1) + 2, 0)
        hi = np.where(far.any(axis=1), np.min(np.where(far, idx, side), axis=1) - 1, side)
        lims.append((lo, hi))
    (top, bottom), (left, right) = lims
    keep_rows = (idx[None, :] >= top[:, None]) & (idx[None, :] < bottom[:, None])
    keep_cols = (idx[None, :] >= left[:, None]) & (idx[None, :] < right[:, None])
    return keep_rows[:, :, None] & keep_cols[:, None, :]


def _stroke_on_bottom(ink: np.ndarray, keep: np.ndarray) -> np.ndarray:
    """Per box, the longest run of columns (a share of the kept width) where the cleared rows under the kept part,
    the bottom border's, hold a pen stroke: more strong ink than the border's own thickness.

    The border is cleared with the rows around it (:func:`_border_keep`), so a stroke written on it or touching it
    along its length goes with it: a looped 2 whose flat base lay on the bottom border became a 9, read at 0.9999
    and more (helper-162's digits drawn large; three 2s on dev49c's photocopies). A printed border is as thick
    along its whole length; a digit that only touches it thickens it over a stroke's width.
    """
    side = ink.shape[1]
    kept_rows, kept_cols = keep.any(axis=2), keep.any(axis=1)
    last = np.where(kept_rows.any(axis=1), side - 1 - kept_rows[:, ::-1].argmax(axis=1), side - 1)
    first = np.where(kept_rows.any(axis=1), kept_rows.argmax(axis=1), 0)
    rows = np.arange(side)[None, :]
    strong = ink > BORDER_STROKE_INK
    thick = (strong & (rows > last[:, None])[:, :, None]).sum(axis=1).astype(np.float32)     # (N, columns)
    # the border's own thickness: the 10th percentile of its columns (where no stroke lies along it), or the top
    # border's median, printed alike, if less (a base may run along most of the bottom border)
    top = (strong & (rows < first[:, None])[:, :, None]).sum(axis=1).astype(np.float32)
    own = np.minimum(np.nanpercentile(np.where(kept_cols, thick, np.nan), 10, axis=1),
                     np.nanmedian(np.where(kept_cols, top, np.nan), axis=1))
    extra = (thick >= own[:, None] + BORDER_STROKE_EXTRA_PX) & kept_cols
    return longest_true_run(extra, axis=1) / np.maximum(kept_cols.sum(axis=1), 1)


def _components(mask: np.ndarray):
    """Drop specks; return the cleaned mask and per-tile ink bounding boxes.

    Returns ``(mask, boxes, ink_pixels)`` where ``boxes`` is (N, 4) int
    ``y0, y1, x0, x1`` (exclusive ends) of the kept ink in each tile.
    """
    n, side = len(mask), WORK_SIZE
    gap = 1
    pitch = side + 2 * gap
    tall = _stack_with_gap(mask, gap, "zero")
    count, labels, stats, _ = cv2.connectedComponentsWithStats(tall, connectivity=8)
    boxes = np.zeros((n, 4), np.int64)
    ink = np.zeros(n, np.int64)
    if count <= 1:
        return np.zeros_like(mask), boxes, ink
    x, y, w, h, area = (stats[1:, i] for i in range(5))
    tile = y // pitch
    largest = np.zeros(n, np.int64)
    np.maximum.at(largest, tile, area)
    keep = np.zeros(count, bool)
    keep[1:] = ((area >= 0.08 * largest[tile]) | (area >= 40)) & (area >= 3)
    cleaned = _unstack(np.where(keep[labels], 255, 0).astype(np.uint8), n, gap)
    k = keep[1:]
    ly, lx = y - tile * pitch - gap, x - gap
    y0 = np.full(n, side, np.int64)
    x0 = np.full(n, side, np.int64)
    y1 = np.zeros(n, np.int64)
    x1 = np.zeros(n, np.int64)
    np.minimum.at(y0, tile[k], ly[k])
    np.minimum.at(x0, tile[k], lx[k])
    np.maximum.at(y1, tile[k], (ly + h)[k])
    np.maximum.at(x1, tile[k], (lx + w)[k])
    np.add.at(ink, tile[k], area[k])
    boxes[:] = np.stack([y0, y1, x0, x1], axis=1)
    return cleaned, boxes, ink


def preprocess_boxes(crops: Sequence[np.ndarray], *, settings: PreprocessSettings = DEFAULT_SETTINGS) -> np.ndarray:
    """Turn many digit-box crops into network inputs at once (vectorised).

    Parameters
    ----------
    crops : sequence of numpy.ndarray
        Box crops as accepted by :func:`preprocess_box`.
    settings : the model's preprocessing settings (its ``keep_crossing``; the crop margin is the reader's).

    Returns
    -------
    numpy.ndarray
        ``float32`` array of shape ``(N, INPUT_SIZE, INPUT_SIZE)``.

    Raises
    ------
    ValueError
        If any crop is not a valid image (see :func:`preprocess_box`).
    """
    return _preprocess(crops, reading=False, settings=settings).inputs


@dataclass(frozen=True)
class ReadingInputs:
    """What the reader gives the network for a batch of boxes (:func:`preprocess_for_reading`)."""

    inputs: np.ndarray         # (N, INPUT_SIZE, INPUT_SIZE), as :func:`preprocess_boxes`
    faint_index: np.ndarray    # (M,) the boxes with a faint view
    faint_inputs: np.ndarray   # (M, INPUT_SIZE, INPUT_SIZE) their views
    stroke_on_bottom: np.ndarray  # (N,) :func:`_stroke_on_bottom`: a stroke cleared with the bottom border
    # (N,) the strongest ink in the crop before its borders are cleared: in a box with no handwriting, its printed
    # border's darkness, what a pen stroke there is seen against (grader.recognize.digit_classifier)
    print_ink: np.ndarray
    # (K,) the boxes whose ink runs into a cleared top or bottom line (a box twice for both), and (K, INPUT_SIZE,
    # INPUT_SIZE) their views with that line given back under the digit (:func:`_line_under_views`)
    line_index: np.ndarray
    line_inputs: np.ndarray


def preprocess_boxes_and_faint(crops: Sequence[np.ndarray], *, faint: bool = True
                               ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The network inputs of :func:`preprocess_boxes`, and a second, *faint* view of the boxes that have faint ink.

    A pen running dry leaves part of a digit pale: below the ink threshold, a 3 whose tail alone is dark becomes a
    dash, and a pale 1 a blank box. The faint view looks again at a lower threshold, just above the paper's own
    texture (``FAINT_*``), and adds what it finds away from the strokes already seen at full strength (ink at
    ``FAINT_STRETCH`` times that threshold or more is black), as a reader looking harder would. Only boxes where it
    adds ``FAINT_GAIN`` of the ink already seen or more get one.

    Returns
    -------
    (inputs, faint_index, faint_inputs)
        ``inputs`` as :func:`preprocess_boxes`; ``faint_index`` (M,) the boxes with a faint view, and
        ``faint_inputs`` (M, INPUT_SIZE, INPUT_SIZE) their views. Empty when ``faint`` is False.
    """
    r = _preprocess(crops, reading=faint)
    return r.inputs, r.faint_index, r.faint_inputs


def preprocess_for_reading(crops: Sequence[np.ndarray], *, faint_floor: float = 0.0,
                           settings: PreprocessSettings = DEFAULT_SETTINGS) -> ReadingInputs:
    """:func:`preprocess_boxes_and_faint` with its faint views, what the border clearing may have taken
    (:func:`_stroke_on_bottom`, and the views with a cleared line given back: :func:`_line_under_views`) and how
    dark the print is in each crop, for the reader's doubts (:mod:`grader.recognize.digit_classifier`).
    ``faint_floor``: the least ink the faint views take for a stroke, on a page whose back shows through it
    (:func:`grader.read.show_through.faint_floor`; 0: none). ``settings``: the model's
    (:class:`PreprocessSettings`)."""
    return _preprocess(crops, reading=True, faint_floor=faint_floor, settings=settings)


def _preprocess(crops: Sequence[np.ndarray], *, reading: bool, faint_floor: float = 0.0,
                settings: PreprocessSettings = DEFAULT_SETTINGS) -> ReadingInputs:
    """The network inputs, and when ``reading`` the faint views and the border measure (training needs neither)."""
    n = len(crops)
    none = np.zeros(0, np.int64), np.zeros((0, INPUT_SIZE, INPUT_SIZE), np.float32)
    if n == 0:
        return ReadingInputs(none[1], *none, np.zeros(0), np.zeros(0), *none)
    tiles = np.empty((n, WORK_SIZE, WORK_SIZE), np.uint8)
    aspect = np.empty((n, 2), np.float64)
    for i, crop in enumerate(crops):
        tiles[i], aspect[i, 0], aspect[i, 1] = _to_work_tile(_as_gray_uint8(crop))

    ink = _ink_maps(tiles)
    # Borders are found on everything inky; the relative ink threshold is
    # then taken over what is left, so a dark printed border cannot make
    # light ballpoint handwriting look like noise.
    candidate = np.where(ink > MIN_INK, 255, 0).astype(np.uint8)
    keep = _border_keep(candidate)
    on_bottom = _stroke_on_bottom(ink, keep) if reading else np.zeros(n)
    print_ink = _kth(ink[:, ::2, ::2].reshape(n, -1), 0.995)
    uncleared = ink
    ink = np.where(keep, ink, 0.0)
    strongest = _kth(ink[:, ::2, ::2].reshape(n, -1), 0.995)
    thr = np.maximum(MIN_INK, REL_INK * strongest)
    mask, boxes, ink_pixels = _components(np.where(ink > thr[:, None, None], 255, 0).astype(np.uint8))
    inside = mask
    if settings.keep_crossing:
        crossing = _crossing_ink(mask > 0, uncleared > thr[:, None, None], candidate, keep)
        if crossing.any():
            mask, boxes, ink_pixels = _components(np.where((mask > 0) | crossing, 255, 0).astype(np.uint8))
            ink = np.where(keep | _grow(crossing.astype(np.uint8) * 255, 1), uncleared, 0.0)
    soft = np.where(_grow(mask, 1), np.clip(ink / np.maximum(strongest, MIN_INK)[:, None, None], 0.0, 1.0), 0.0)
    inputs = _place_glyphs(soft, boxes, ink_pixels, aspect)
    if not reading:
        return ReadingInputs(inputs, *none, on_bottom, print_ink, *none)
    # (the line views are of the ink inside the box: what the clearing took from a line, not what lay beyond it)
    lines = _line_under_views(uncleared, candidate, keep, inside, thr, strongest, aspect)

    # The faint view adds only ink at least FAINT_CLEARANCE from the strokes already seen: near them, a lower
    # threshold would only thicken them (copier toner spread made a 5 an 8), which says nothing of a dry pen.
    low = np.maximum(np.maximum(FAINT_MIN_INK, FAINT_REL_INK * strongest), FAINT_NOISE * _paper_texture(ink, mask))
    low = np.maximum(low, faint_floor)    # (the back of the paper seen through it is no stroke: 0 on most pages)
    added = (ink > low[:, None, None]) & ~_grow(mask, FAINT_CLEARANCE)
    added, _, added_pixels = _components(np.where(added, 255, 0).astype(np.uint8))
    _, both_boxes, both_pixels = _components(np.where((mask > 0) | (added > 0), 255, 0).astype(np.uint8))
    index = np.nonzero((added_pixels >= MIN_INK_PIXELS) & (added_pixels + 1 >= FAINT_GAIN * (ink_pixels + 1)))[0]
    if not len(index):
        return ReadingInputs(inputs, *none, on_bottom, print_ink, *lines)
    top = np.minimum(np.maximum(strongest, MIN_INK), FAINT_STRETCH * low)[index, None, None]
    pale = np.where(_grow(added[index], 1), np.clip(ink[index] / top, 0.0, 1.0), 0.0)
    faint_inputs = _place_glyphs(np.maximum(soft[index], pale), both_boxes[index], both_pixels[index], aspect[index])
    return ReadingInputs(inputs, index, faint_inputs, on_bottom, print_ink, *lines)


def _crossing_ink(strokes: np.ndarray, over: np.ndarray, candidate: np.ndarray, keep: np.ndarray) -> np.ndarray:
    """Per tile, the ink beyond a cleared printed line that joins a kept stroke across the line
    (``PreprocessSettings.keep_crossing``): the part of a digit written across its box's border.

    A stroke that reaches the first (last) kept row or column is followed straight through the cleared rows of the
    line (the gap the removed printed line leaves: the row between the kept part and the line, then the rows the
    line covers), while they hold ink; the ink it meets beyond the line, and all ink 8-connected to that there, is
    kept, with the line's pixels where the stroke crosses it. Ink beyond that joins no stroke (a neighbouring box,
    printed text, another printed line) stays cleared, and the printed lines' own rows and columns are never kept
    outside the crossing.

    ``strokes``: (N, S, S) bool, the kept strokes; ``over``: (N, S, S) bool, ink above the tile's threshold before
    the clearing; ``candidate``: the ink mask the borders were found on (:func:`_border_keep`); ``keep``: its
    result. Returns (N, S, S) bool.
    """
    rows_cov, cols_cov = _line_coverage(candidate)
    kept_rows, kept_cols = keep.any(axis=2), keep.any(axis=1)
    out = np.zeros_like(strokes)
    reaching = strokes & ~_shrunk_keep(keep)
    for i in np.nonzero(reaching.any(axis=(1, 2)) & kept_rows.any(axis=1))[0]:
        printed_rows = _printed(rows_cov[i], kept_rows[i])
        printed_cols = _printed(cols_cov[i], kept_cols[i])
        beyond = over[i] & ~keep[i] & ~printed_rows[:, None] & ~printed_cols[None, :]
        found = np.zeros_like(strokes[i])
        # the top, bottom, left and right sides, each as the top side of a flipped or transposed view
        for flip, transpose in ((False, False), (True, False), (False, True), (True, True)):
            def view(a: np.ndarray) -> np.ndarray:
                a = a.T if transpose else a
                return a[::-1] if flip else a
            kept_1d, printed_1d = (kept_cols[i], printed_cols) if transpose else (kept_rows[i], printed_rows)
            found_view = view(found)      # (a view: writing to it writes to ``found``)
            found_view |= _across_top(view(strokes[i]), view(over[i]), view(beyond),
                                      view(kept_1d), view(printed_1d))
        out[i] = found
    return out


def _shrunk_keep(keep: np.ndarray) -> np.ndarray:
    """Per tile, the kept area less its first and last rows and columns (a stroke outside it reaches an edge)."""
    inner = np.zeros_like(keep)
    inner[:, 1:-1, 1:-1] = keep[:, 1:-1, 1:-1] & keep[:, :-2, 1:-1] & keep[:, 2:, 1:-1] & keep[:, 1:-1, :-2] \
        & keep[:, 1:-1, 2:]
    return inner


def _printed(coverage: np.ndarray, kept: np.ndarray) -> np.ndarray:
    """The cleared rows (columns) of one tile a printed line covers, on each side of the kept part: to
    ``BORDER_FULL_SPAN`` where a row of that side is covered that far (a shorter line beside a full one is
    handwriting, as in :func:`_border_keep`: the bar of a 7 above the top line), else to ``BORDER_MIN_SPAN``."""
    idx = np.arange(len(kept))
    first, last = int(kept.argmax()), len(kept) - 1 - int(kept[::-1].argmax())
    out = np.zeros(len(kept), bool)
    for side in (idx < first, idx > last):
        full = (coverage >= BORDER_FULL_SPAN) & side
        out |= full if full.any() else (coverage >= BORDER_MIN_SPAN) & side
    return out


def _across_top(strokes: np.ndarray, over: np.ndarray, beyond: np.ndarray, kept: np.ndarray,
                printed: np.ndarray) -> np.ndarray:
    """:func:`_crossing_ink` for the top side of one tile (2-D arrays; ``kept`` and ``printed`` per row)."""
    found = np.zeros_like(strokes)
    top = int(kept.argmax())
    if top == 0 or not kept.any():
        return found
    contact = _spread(strokes[top])
    r, walked = top - 1, []
    while r >= 0 and (printed[r] or r == top - 1) and contact.any():
        contact = contact & over[r]
        walked.append(r)
        r -= 1
    if r < 0 or not contact.any() or not walked:
        return found
    seeds = beyond[r] & _spread(contact)
    if not seeds.any():
        return found
    _, labels = cv2.connectedComponents(beyond.astype(np.uint8), connectivity=8)
    found = np.isin(labels, np.unique(labels[r][seeds])) & beyond
    cols = contact & _spread(found[r])
    found[walked] |= over[walked] & cols[None, :]
    return found


def _spread(row: np.ndarray) -> np.ndarray:
    """A row of bools, each set one place either side too (8-connected continuation into the next row)."""
    out = row.copy()
    out[1:] |= row[:-1]
    out[:-1] |= row[1:]
    return out


def _line_under_views(ink: np.ndarray, candidate: np.ndarray, keep: np.ndarray, mask: np.ndarray, thr: np.ndarray,
                      strongest: np.ndarray, aspect: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The boxes whose ink runs into a cleared top or bottom printed line, and a view of each with the line, its own
    printed thickness only, given back under the digit's width (as if its ink there were pen).

    The clearing (:func:`_border_keep`) takes a stroke drawn on the line itself with it: a looped 2 whose base lies
    on the bottom line is left a 9, a 7 whose bar lies on the top line a 1. A stroke no thicker than the line leaves
    no trace a measure of the line could find (:func:`_stroke_on_bottom` sees one that thickens it). Where the two
    views read differently, the reading rests on what the line holds (:mod:`grader.recognize.digit_classifier`).
    (The left and right lines are not looked at: the strokes the clearing was seen to take lay on the top and
    bottom ones.)

    ``ink`` is the ink before clearing, ``candidate`` its mask at ``MIN_INK``, ``keep`` :func:`_border_keep`'s,
    ``mask`` the digit's kept strokes; returns ``(index, inputs)``: (K,) and (K, INPUT_SIZE, INPUT_SIZE).
    """
    n, side = len(mask), WORK_SIZE
    kept_rows, kept_cols = keep.any(axis=2), keep.any(axis=1)
    has = kept_rows.any(axis=1)
    first = np.where(has, kept_rows.argmax(axis=1), 0)
    last = np.where(has, side - 1 - kept_rows[:, ::-1].argmax(axis=1), side - 1)
    strokes = mask > 0
    at = np.arange(n)
    touch_top = has & (first > 0) & strokes[at, first].any(axis=1)
    touch_bottom = has & (last < side - 1) & strokes[at, last].any(axis=1)
    views, index = [], []
    for i in np.nonzero(touch_top | touch_bottom)[0]:
        cols = np.nonzero(strokes[i].any(axis=0))[0]
        x0, x1 = int(cols[0]), int(cols[-1]) + 1
        coverage = (candidate[i] > 0)[:, kept_cols[i]].mean(axis=1)
        for touching, start, step in ((touch_top[i], int(first[i]) - 1, -1), (touch_bottom[i], int(last[i]) + 1, 1)):
            rows = _rows_to_line(coverage, start, step) if touching else None
            if rows is None:
                continue
            given = np.zeros((side, side), bool)     # (one view a line: each may hold a stroke, or not)
            given[rows[0]:rows[1], x0:x1] = True
            line = np.zeros((side, side), bool)
            line[rows[2]:rows[3], x0:x1] = True
            added = given & (ink[i] > thr[i])
            if not _joined(strokes[i], added, line):
                continue
            both = strokes[i] | added
            ys, xs = np.nonzero(both)
            soft = np.where(_grow(both[None].astype(np.uint8) * 255, 1)[0] & (keep[i] | given),
                            np.clip(ink[i] / max(float(strongest[i]), MIN_INK), 0.0, 1.0), 0.0)
            views.append(_place_glyphs(soft[None], np.array([[ys.min(), ys.max() + 1, xs.min(), xs.max() + 1]]),
                                       np.array([len(ys)]), aspect[i:i + 1])[0])
            index.append(i)
    if not index:
        return np.zeros(0, np.int64), np.zeros((0, INPUT_SIZE, INPUT_SIZE), np.float32)
    return np.array(index, np.int64), np.stack(views)


def _rows_to_line(coverage: np.ndarray, start: int, step: int) -> tuple[int, int, int, int] | None:
    """From row ``start`` outward by ``step``, the rows up to and through the printed line's own rows (those covered
    to ``BORDER_MIN_SPAN`` or more), and those rows alone: ``(lo, hi, line_lo, line_hi)``, two ``[lo, hi)`` ranges;
    None when no line is met within the border band."""
    band = max(2, int(round(BORDER_BAND * WORK_SIZE)))
    r, inner, outer = start, None, None
    while 0 <= r < WORK_SIZE and abs(r - start) < band:
        if coverage[r] >= BORDER_MIN_SPAN:
            inner = r if inner is None else inner
            outer = r
        elif inner is not None:
            break
        r += step
    if inner is None:
        return None
    return (start, outer + 1, inner, outer + 1) if step > 0 else (outer, start + 1, outer, inner + 1)


def _joined(strokes: np.ndarray, added: np.ndarray, line: np.ndarray) -> bool:
    """Whether ink on the ``line`` rows joins the kept ``strokes`` through the ``added`` ink (8-connected): a digit
    that runs into the printed line, not one that stops short of it."""
    _, labels = cv2.connectedComponents((strokes | added).astype(np.uint8), connectivity=8)
    return bool(np.intersect1d(labels[strokes], labels[added & line]).size)


def _grow(mask: np.ndarray, r: int) -> np.ndarray:
    """Per tile, where ``mask`` is set or within ``r`` pixels (a square of side 2r + 1) of it, as bool."""
    n = len(mask)
    side = 2 * r + 1
    return _unstack(cv2.dilate(_stack_with_gap(mask, r, "zero"), np.ones((side, side), np.uint8)), n, r) > 0


def _paper_texture(ink: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Per tile, the 90th percentile of the ink on paper at least ``TEXTURE_CLEARANCE`` pixels from ``mask``'s
    strokes (0 where too little such paper is left), i.e. how dark the paper's own texture and noise get."""
    n = len(ink)
    # (cleared borders count, as clean paper)
    paper = np.where(_grow(mask, TEXTURE_CLEARANCE), np.nan, ink)[:, ::2, ::2].reshape(n, -1)
    enough = np.isfinite(paper).sum(axis=1) >= 50
    out = np.zeros(n)
    if enough.any():
        out[enough] = np.nanpercentile(paper[enough], 90, axis=1)
    return out


def _place_glyphs(soft: np.ndarray, boxes: np.ndarray, ink_pixels: np.ndarray, aspect: np.ndarray) -> np.ndarray:
    """Step 6: each tile's ``soft`` ink (0..1) inside its ink box, scaled and centred by mass in the network input."""
    n = len(soft)
    out = np.zeros((n, INPUT_SIZE, INPUT_SIZE), np.float32)
    soft = soft.astype(np.float32)
    cap = DIGIT_SIZE / (MIN_MAGNIFY_FRACTION * WORK_SIZE)
    for i in np.nonzero(ink_pixels >= MIN_INK_PIXELS)[0]:
        y0, y1, x0, x1 = boxes[i]
        y0, x0 = max(0, y0 - 1), max(0, x0 - 1)
        y1, x1 = min(WORK_SIZE, y1 + 1), min(WORK_SIZE, x1 + 1)
        glyph = soft[i, y0:y1, x0:x1]
        gh, gw = (y1 - y0) * aspect[i, 0], (x1 - x0) * aspect[i, 1]  # true-aspect size
        scale = min(DIGIT_SIZE / max(gh, gw), cap)
        nw = min(INPUT_SIZE, max(1, int(round(gw * scale))))
        nh = min(INPUT_SIZE, max(1, int(round(gh * scale))))
        shrink = nw < glyph.shape[1] and nh < glyph.shape[0]
        glyph = cv2.resize(glyph, (nw, nh),
                           interpolation=cv2.INTER_AREA if shrink else cv2.INTER_LINEAR)
        total = float(glyph.sum())
        if total <= 1e-6:
            continue
        cy = float(glyph.sum(axis=1) @ np.arange(nh)) / total
        cx = float(glyph.sum(axis=0) @ np.arange(nw)) / total
        oy = min(max(int(round(INPUT_SIZE / 2 - 0.5 - cy)), 0), INPUT_SIZE - nh)
        ox = min(max(int(round(INPUT_SIZE / 2 - 0.5 - cx)), 0), INPUT_SIZE - nw)
        out[i, oy : oy + nh, ox : ox + nw] = np.clip(glyph, 0.0, 1.0)
    return out


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
    return preprocess_boxes([crop])[0]
