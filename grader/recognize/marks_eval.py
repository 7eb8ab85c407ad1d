"""Measure the bubble and tally readers on generated photos with truth files.

Each ``NAME.jpg`` beside a ``NAME.truth.json`` (from ``grader synth``) is
aligned with :func:`grader.photo.align.align_photo`, exactly as the pipeline
does; a photo the aligner refuses falls back to the truth geometry (the
``truth_points`` of the generator), and is counted, so alignment failures
do not hide reader failures. Fields ``<pair>.bubbles`` and ``<pair>.tally``
are compared with the truth values.
"""
from __future__ import annotations

import json
import logging
import time
from collections import Counter
from pathlib import Path

import cv2
import numpy as np

from grader.recognize.bubbles import read_bubbles
from grader.recognize.tally import read_tally
from grader.sheet.layout import layout_sheet
from grader.sheet.schema import resolve_template

log = logging.getLogger(__name__)

ACCEPTED = ("ok", "blank")


def _truth_geometry_frame(photo_bytes: bytes, truth: dict):
    """The page in the template frame from the generator's own corner correspondences."""
    spec = resolve_template(truth["template"])
    sheet = layout_sheet(spec, contest=truth["contest"], pairs=truth["pairs"])
    page = sheet.pages[truth["page"] - 1]
    pts = truth["truth_points"]
    pts = np.asarray(json.loads(pts) if isinstance(pts, str) else pts, np.float64)
    ppm = sheet.px_per_mm
    frame = pts[:, :2] * ppm - 0.5
    h, _ = cv2.findHomography(pts[:, 2:4], frame)
    photo = cv2.imdecode(np.frombuffer(photo_bytes, np.uint8), cv2.IMREAD_GRAYSCALE)
    size = (round(page.width_mm * ppm), round(page.height_mm * ppm))
    gray = cv2.warpPerspective(photo, h, size, flags=cv2.INTER_LINEAR, borderValue=255)
    return gray, sheet, page


def _align(photo_bytes: bytes, truth: dict, name: str):
    from grader.photo.align import align_photo   # imported late: the photo package is optional for the readers
    try:
        a = align_photo(photo_bytes, filename=name, template=truth.get("template"), refuse=False)
        return a.gray, a.sheet, a.page, "aligned"
    except Exception as exc:   # any refusal: fall back to the generator's geometry, and count it
        log.info("%s: aligner refused (%s); using the truth geometry", name, exc)
        gray, sheet, page = _truth_geometry_frame(photo_bytes, truth)
        return gray, sheet, page, "truth_geometry"


def evaluate_marks(photo_dir: str | Path, *, limit: int | None = None, details: bool = False,
                   geometry: str = "aligner") -> dict:
    """Accuracy of the bubble and tally readers on a folder of generated photos.

    Parameters
    ----------
    photo_dir : folder with ``NAME.jpg`` and ``NAME.truth.json`` pairs.
    limit : evaluate at most this many photos (in name order).
    details : include one record per wrong or reviewed field.
    geometry : ``"aligner"`` (the pipeline's :func:`align_photo`, falling back to
        the truth geometry when it refuses) or ``"truth"`` (the generator's
        own page-to-photo correspondences, without curl): comparing the two
        separates reading errors from alignment errors.

    Returns
    -------
    dict with, for ``bubbles`` and ``tally``: ``fields``, ``exact`` (share read
    exactly), ``accepted_wrong`` (share of accepted fields that are wrong),
    ``review`` (share sent to review), and for tally also ``cells`` /
    ``cell_exact``; plus ``photos``, ``alignment`` counts and reader timing.
    """
    if geometry not in ("aligner", "truth"):
        raise ValueError(f"geometry must be 'aligner' or 'truth', got {geometry!r}")
    photo_dir = Path(photo_dir)
    truths = sorted(photo_dir.glob("*.truth.json"))
    stats = {k: Counter() for k in ("bubbles", "tally")}
    alignment = Counter()
    wrong: list[dict] = []
    read_ms: list[float] = []
    photos = 0
    for tp in truths:
        truth = json.loads(tp.read_text())
        fields = {k: v for k, v in truth.get("fields", {}).items() if k.endswith((".bubbles", ".tally"))}
        if truth.get("expect_refusal") or not fields:
            continue
        image = tp.with_name(truth.get("file") or tp.name.replace(".truth.json", ".jpg"))
        if not image.exists():
            continue
        if limit is not None and photos >= limit:
            break
        photos += 1
        if geometry == "truth":
            gray, sheet, page = _truth_geometry_frame(image.read_bytes(), truth)
            how = "truth_geometry"
        else:
            gray, sheet, page, how = _align(image.read_bytes(), truth, image.name)
        alignment[how] += 1
        t0 = time.perf_counter()
        for f in page.fields:
            if f.id not in fields:
                continue
            expected = fields[f.id]
            if f.kind == "bubbles":
                r = read_bubbles(gray, f, px_per_mm=sheet.px_per_mm)
                got, status, kind = r.value, r.status, "bubbles"
                extra = {"digits": r.digits, "notes": r.column_notes}
            elif f.kind == "tally":
                r = read_tally(gray, f, px_per_mm=sheet.px_per_mm)
                got, status, kind = r.count, r.status, "tally"
                cells = truth.get("cells", {}).get(f.id, [])
                truth_cells = list(cells) + [0] * (len(r.per_cell) - len(cells))
                stats["tally"]["cells"] += len(truth_cells)
                stats["tally"]["cells_exact"] += sum(a == b for a, b in zip(r.per_cell, truth_cells))
                extra = {"per_cell": r.per_cell, "truth_cells": truth_cells}
            else:
                continue
            s = stats[kind]
            s["fields"] += 1
            s["exact"] += got == expected
            if status in ACCEPTED:
                s["accepted"] += 1
                s["accepted_wrong"] += got != expected
            else:
                s["review"] += 1
            if details and (got != expected or status not in ACCEPTED):
                wrong.append({"photo": image.name, "field": f.id, "expected": expected, "read": got,
                              "status": status, "confidence": round(r.confidence, 3), **extra})
        read_ms.append((time.perf_counter() - t0) * 1000)
    report: dict = {"photos": photos, "alignment": dict(alignment)}
    for kind, s in stats.items():
        n = s["fields"]
        report[kind] = {
            "fields": n,
            "exact": s["exact"] / n if n else None,
            "accepted_wrong": s["accepted_wrong"] / s["accepted"] if s["accepted"] else None,
            "accepted_wrong_of_all": s["accepted_wrong"] / n if n else None,
            "review": s["review"] / n if n else None,
        }
    if stats["tally"]["cells"]:
        report["tally"]["cells"] = stats["tally"]["cells"]
        report["tally"]["cell_exact"] = stats["tally"]["cells_exact"] / stats["tally"]["cells"]
    report["read_ms_per_page"] = {"median": float(np.median(read_ms)) if read_ms else None,
                                  "max": float(np.max(read_ms)) if read_ms else None}
    if details:
        report["problems"] = wrong
    return report
