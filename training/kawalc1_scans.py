"""Locate and label the digit boxes of the unlabelled 2014 C1 scans in ``../shared/data/kawalc1/photos``.

Eleven scanned Pilpres 2014 C1 forms among kawalc1's photos (Kupang's Nunbaun Delha and the five
``contoh-formulir`` examples) are none of the forms the labelled crops come from: new writers, for
**evaluation only** (never weights, calibration or any choice of threshold). Each form has the same 4 x 3
digit boxes as the labelled 2014 forms: the votes of each pair, the valid total and the invalid votes.

Where the boxes are: each scan is registered onto the labelled form ``registered_2014/1672382-...``
(SIFT features, a MAGSAC homography), whose box rectangles are found exactly by matching its own labelled
crops in it; the rectangles are mapped back into the scan and stored as quadrilaterals in the scan's own
pixels, so the evaluation cuts each box straight from the photo (:func:`grader.recognize.labelled_crops.
load_kawalc1_scan_boxes`), at the labelled crops' size.

What each box holds (:data:`LABELS`) was read by hand from the cut boxes, then checked against the form's own
sum (pair 1 + pair 2 = valid total): it holds on 9 of the 11 forms; on the other two the writer's sum is off
(28 + 87 written 111; 189 + 159 written 347) and the labels say what was written. Left out: a second scan of
the Nunbaun Delha form ...0104 (the same sheet), ``salah.jpg`` (no registration: too few matching features) and
``1386928`` (another form).

    python -m training.kawalc1_scans        # rewrites grader/recognize/kawalc1_scan_boxes.json
"""
from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np

from grader.recognize.labelled_crops import SCAN_BOXES_FILE, SHARED_DATA

REFERENCE_FORM = "1672382-005044000604"
FIELDS = ("prabowo", "jokowi", "jumlah", "tidakSah")
# photo file name (in kawalc1/photos) -> the 12 boxes row by row ("_" a blank box), as written.
LABELS = {
    "static__contoh-baru-nunbaun-delha.zip__1420460-005804400104.jpg": "109 166 275 000",
    "static__contoh-baru-nunbaun-delha.zip__1420461-005804400204.jpg": "X88 235 323 XX7",
    "static__contoh-baru-nunbaun-delha.zip__1420462-005804400304.jpg": "126 209 335 XXX",
    "static__contoh-baru-nunbaun-delha.zip__1420463-005804400404.jpg": "028 087 111 006",
    "static__contoh-baru-nunbaun-delha.zip__1420464-005804400504.jpg": "123 261 384 001",
    "static__contoh-baru-nunbaun-delha.zip__1420465-005804400604.jpg": "148 217 365 XXX",
    "static__contoh-baru-nunbaun-delha.zip__1420466-005804400704.jpg": "X67 204 271 XXX",
    "static__contoh-formulir.zip__janggal.jpg": "189 159 347 001",
    "static__contoh-formulir.zip__miring.jpg": "125 X85 210 XX3",
    "static__contoh-formulir.zip__ok.jpg": "443 _05 448 _02",
    "static__contoh-formulir.zip__terbalik.jpg": "197 X73 270 X11",
}


def reference_boxes(kawalc1: Path, ref: np.ndarray) -> list[tuple[int, int, int, int]]:
    """``(x, y, w, h)`` of the 12 boxes on the reference form ``ref``, found by its own crops (an exact match)."""
    out = []
    for field in FIELDS:
        for i in range(3):
            crop = cv2.imread(str(kawalc1 / "crops" / f"c1_2014_{REFERENCE_FORM}_{field}_{i}.png"), cv2.IMREAD_GRAYSCALE)
            score, _, (x, y), _ = cv2.minMaxLoc(cv2.matchTemplate(ref, crop, cv2.TM_SQDIFF_NORMED))
            if score > 1e-6:
                raise RuntimeError(f"crop {field}_{i} not found on the reference form")
            out.append((x, y, crop.shape[1], crop.shape[0]))
    return out


def scan_to_reference(scan: np.ndarray, ref: np.ndarray) -> np.ndarray:
    """Homography from the scan's pixels to the reference form's (SIFT, ratio test, MAGSAC)."""
    sift = cv2.SIFT_create(nfeatures=8000)
    scale = 1.2 * max(ref.shape) / max(scan.shape)          # features at about the reference's scale
    small = cv2.resize(scan, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR)
    kr, dr = sift.detectAndCompute(ref, None)
    ks, ds = sift.detectAndCompute(small, None)
    good = [a for a, b in cv2.BFMatcher(cv2.NORM_L2).knnMatch(ds, dr, k=2) if a.distance < 0.75 * b.distance]
    src = np.float32([ks[a.queryIdx].pt for a in good]) / scale
    dst = np.float32([kr[a.trainIdx].pt for a in good])
    h, inliers = cv2.findHomography(src, dst, cv2.USAC_MAGSAC, 3.0)
    if h is None or inliers.sum() < 30:
        raise RuntimeError("too few matching features")
    return h


def main() -> None:
    kawalc1 = SHARED_DATA / "kawalc1"
    ref = cv2.imread(str(kawalc1 / "registered_2014" / f"{REFERENCE_FORM}.jpg"), cv2.IMREAD_GRAYSCALE)
    rects = reference_boxes(kawalc1, ref)
    forms = []
    for name, labels in LABELS.items():
        scan = cv2.imread(str(kawalc1 / "photos" / name), cv2.IMREAD_GRAYSCALE)
        inv = np.linalg.inv(scan_to_reference(scan, ref))
        boxes = []
        for (x, y, w, h), label in zip(rects, labels.replace(" ", "")):
            corners = np.float64([[x, y], [x + w, y], [x + w, y + h], [x, y + h]]) - 0.5   # pixel edges
            quad = cv2.perspectiveTransform(corners.reshape(-1, 1, 2), inv).reshape(4, 2)
            boxes.append({"quad": np.round(quad, 1).tolist(), "label": label})
        forms.append({"photo": name, "boxes": boxes})
    head = {"about": __doc__.split("\n\n")[0].replace("\n", " "), "made_by": "python -m training.kawalc1_scans",
            "crop_size": list(rects[0][2:])}
    # (one box per line: the file is read by people checking a label too)
    lines = [json.dumps(head)[:-1] + ', "forms": [']
    for k, f in enumerate(forms):
        boxes = ",\n".join("   " + json.dumps(b) for b in f["boxes"])
        lines.append(f' {{"photo": {json.dumps(f["photo"])}, "boxes": [\n{boxes}]}}' + ("," if k < len(forms) - 1 else ""))
    SCAN_BOXES_FILE.write_text("\n".join(lines) + "]}\n")
    print(f"wrote {SCAN_BOXES_FILE}: {len(forms)} forms, {sum(len(f['boxes']) for f in forms)} boxes")


if __name__ == "__main__":
    main()
