"""The labelled box crops the digit evaluation reads, as dark ink on light paper.

- kawalc1's labelled crops (``labels.csv``), with the form each was cut from, for the split by form;
- the boxes hand-labelled on kawalc1's 2014 C1 scans (:data:`SCAN_BOXES_FILE`);
- the boxes hand-labelled on kawalc1's photos of 2017 plano forms (:data:`PHOTO_BOXES_FILE`);
- the ARDIS-IV test digits, inverted and padded with paper to look like box crops.
"""
from __future__ import annotations

import csv
import json
import os
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

#: ``../shared/data`` beside the checkout (override with ``GRADER_SHARED_DATA``).
SHARED_DATA = Path(
    os.environ.get("GRADER_SHARED_DATA")
    or Path(__file__).resolve().parents[3] / "shared" / "data"
)

#: Boxes located and hand-labelled on eleven unlabelled 2014 C1 scans of kawalc1 (``training/kawalc1_scans.py``).
SCAN_BOXES_FILE = Path(__file__).with_name("kawalc1_scan_boxes.json")

#: Rows of boxes placed and labelled by hand on five photographed 2017 plano forms of kawalc1 (see the file's "about").
PHOTO_BOXES_FILE = Path(__file__).with_name("kawalc1_photo_boxes.json")

#: labels.csv label -> classifier class ("_" is a blank box).
LABEL_TO_CLASS = {**{str(d): str(d) for d in range(10)}, "X": "X", "-": "-", "_": ""}


@dataclass(frozen=True)
class LabelledCrop:
    """One labelled box crop (dark ink on light paper)."""

    file: str
    form: str
    kind: str
    label: str  # "0".."9", "X", "-", "" (blank)
    image: np.ndarray


def pad_normalised(img: np.ndarray, pad: int = 10) -> np.ndarray:
    """Pad an MNIST-style 28x28 digit (dark on light) with paper, like a box crop.

    Parameters
    ----------
    img : numpy.ndarray
        uint8 grey image, dark ink on light paper, ink filling most of it.
    pad : int
        Paper margin added on every side, in pixels.
    """
    return cv2.copyMakeBorder(img, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=255)


def form_id(file: str) -> str:
    """Form id of a kawalc1 crop file name (e.g. ``2014-1672382``, ``2019-set1``).

    Raises
    ------
    ValueError
        If the file name follows none of the known patterns.
    """
    name = Path(file).name
    for pattern, prefix in (
        (r"c1_2014_(\d+)-", "2014-"),
        (r"numbers_(set\d+)_", "2019-"),
        (r"extracted_(\d+)_", "2014-"),
        (r"tukangsortir_(\d+)-", "2014-"),
    ):
        m = re.match(pattern, name)
        if m:
            return prefix + m.group(1)
    raise ValueError(f"cannot tell the form of {file!r}")


def load_kawalc1_crops(
    data_dir: Path | None = None, *, forms: Sequence[str] | None = None
) -> list[LabelledCrop]:
    """Load the labelled single-box crops of kawalc1.

    Parameters
    ----------
    data_dir : pathlib.Path, optional
        The ``kawalc1`` folder; defaults to ``../shared/data/kawalc1``.
    forms : sequence of str, optional
        Keep only crops of these form ids; all forms when None.

    Returns
    -------
    list of LabelledCrop
        Crops with a usable label (``?`` and ``multi/unlabeled`` are skipped).
        The ``2014_preprocessed_28x28`` crops (white on black, already
        normalised) are inverted and padded with paper.
    """
    data_dir = Path(data_dir) if data_dir is not None else SHARED_DATA / "kawalc1"
    wanted = set(forms) if forms is not None else None
    out = []
    with open(data_dir / "labels.csv", newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row["label"] not in LABEL_TO_CLASS:
                continue
            form = form_id(row["file"])
            if wanted is not None and form not in wanted:
                continue
            img = cv2.imread(str(data_dir / row["file"]), cv2.IMREAD_GRAYSCALE)
            if img is None:
                raise FileNotFoundError(data_dir / row["file"])
            if row["kind"] == "2014_preprocessed_28x28":
                img = pad_normalised(255 - img)
            out.append(LabelledCrop(row["file"], form, row["kind"],
                                    LABEL_TO_CLASS[row["label"]], img))
    return out


def load_ardis_test(path: Path | None = None) -> tuple[list[np.ndarray], list[str]]:
    """ARDIS-IV test digits as dark-on-light padded crops, with their labels."""
    path = Path(path) if path is not None else SHARED_DATA / "ardis_iv" / "ardis_iv_28x28.npz"
    with np.load(path) as data:
        xs, ys = data["X_test"], data["y_test"]
    crops = [pad_normalised(255 - x.astype(np.uint8)) for x in xs]
    return crops, [str(int(y)) for y in ys]


def load_kawalc1_scan_boxes(data_dir: Path | None = None, boxes_file: Path | None = None) -> list[LabelledCrop]:
    """The digit boxes of the 2014 C1 scans among kawalc1's photos, cut straight from each photo.

    Each box is a quadrilateral in the photo's pixels (:data:`SCAN_BOXES_FILE`), warped to the size of the
    labelled 2014 crops, as those were cut from their registered forms. The form id is ``2014-scan-<photo>``.
    """
    spec = json.loads(Path(boxes_file or SCAN_BOXES_FILE).read_text())
    w, h = spec["crop_size"]
    out = []
    for form, photo, stem in _form_photos(spec, data_dir):
        for k, box in enumerate(form["boxes"]):
            # (area sampling when the photo is finer than the crop, as when the labelled crops were cut)
            shrink = cv2.contourArea(np.float32(box["quad"])) > w * h
            image = _warped(photo, box["quad"], (w, h), cv2.INTER_AREA if shrink else cv2.INTER_LINEAR)
            out.append(LabelledCrop(f"{form['photo']}#{k}", f"2014-scan-{stem}", "2014_scan_box",
                                    LABEL_TO_CLASS[box["label"]], image))
    return out


def _form_photos(spec: dict, data_dir: Path | None) -> Iterator[tuple[dict, np.ndarray, str]]:
    """Each form of a hand-placed boxes file with its photo (grey) and the photo's short name."""
    data_dir = Path(data_dir) if data_dir is not None else SHARED_DATA / "kawalc1"
    for form in spec["forms"]:
        photo = cv2.imread(str(data_dir / "photos" / form["photo"]), cv2.IMREAD_GRAYSCALE)
        if photo is None:
            raise FileNotFoundError(data_dir / "photos" / form["photo"])
        yield form, photo, Path(form["photo"]).stem.split("__")[-1]


def load_kawalc1_photo_boxes(data_dir: Path | None = None, boxes_file: Path | None = None) -> list[LabelledCrop]:
    """The digit boxes of the photographed 2017 plano forms among kawalc1's photos, cut straight from each photo.

    Each field's quadrilateral (:data:`PHOTO_BOXES_FILE`) is split evenly into its boxes, one per character of its
    label (``?``: left out). A box is rectified at its own size in the photo, so a wide, short box of the forms'
    data section keeps its shape, with the printed border at the crop's edge, as the labelled crops have it. The
    form id is ``2017-photo-<photo>``.
    """
    spec = json.loads(Path(boxes_file or PHOTO_BOXES_FILE).read_text())
    out = []
    for form, photo, stem in _form_photos(spec, data_dir):
        for field in form["fields"]:
            for k, box in enumerate(split_row(np.float64(field["quad"]), len(field["label"]))):
                label = field["label"][k]
                if label == "?":
                    continue
                out.append(LabelledCrop(f"{form['photo']}#{field['field']}.{k}", f"2017-photo-{stem}",
                                        "2017_photo_box", LABEL_TO_CLASS[label], _rectified(photo, box)))
    return out


def split_row(quad: np.ndarray, n: int) -> list[np.ndarray]:
    """A row of ``n`` equal boxes' quadrilaterals (top-left, top-right, bottom-right, bottom-left) from the row's."""
    tl, tr, br, bl = quad
    top = [tl + (tr - tl) * k / n for k in range(n + 1)]
    bottom = [bl + (br - bl) * k / n for k in range(n + 1)]
    return [np.array([top[k], top[k + 1], bottom[k + 1], bottom[k]]) for k in range(n)]


def _rectified(photo: np.ndarray, quad: np.ndarray) -> np.ndarray:
    """``quad`` of ``photo`` warped to an upright crop of its own mean width and height."""
    tl, tr, br, bl = quad
    w = max(1, round((np.linalg.norm(tr - tl) + np.linalg.norm(br - bl)) / 2))
    h = max(1, round((np.linalg.norm(bl - tl) + np.linalg.norm(br - tr)) / 2))
    return _warped(photo, quad, (w, h), cv2.INTER_LINEAR)


def _warped(photo: np.ndarray, quad, size: tuple[int, int], interpolation: int) -> np.ndarray:
    """``quad`` (top-left, top-right, bottom-right, bottom-left) of ``photo`` warped onto an upright ``(w, h)`` crop,
    its corners on the crop's outer pixel edges."""
    w, h = size
    target = np.float32([[-0.5, -0.5], [w - 0.5, -0.5], [w - 0.5, h - 0.5], [-0.5, h - 0.5]])
    m = cv2.getPerspectiveTransform(np.float32(quad), target)
    return cv2.warpPerspective(photo, m, (w, h), flags=interpolation, borderMode=cv2.BORDER_REPLICATE)
