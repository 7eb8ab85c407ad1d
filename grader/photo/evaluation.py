"""Measure alignment and the quality gate on photos with truth files (``grader synth`` output).

Each photo ``NAME.jpg`` has ``NAME.truth.json`` beside it with at least
``expect_refusal`` (null for a readable photo, else the reason code) and, for
readable photos, ``truth_points``: ``[x_mm, y_mm, x_px, y_px]`` of digit-box and
marker corners (true template position, true photo position).
"""
from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from grader.photo.align import align_photo
from grader.photo.locate import frame_to_mm
from grader.photo.quality import QualityThresholds
from grader.photo.refusal import Refusal

log = logging.getLogger(__name__)

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp", ".heic", ".heif")
LOCATED_MAX_ERROR_MM = 1.0     # a readable photo counts as located if every digit-box corner is this close
LARGEST_ERRORS = 8             # the accepted photos with the largest box-corner error the report names


@dataclass
class PhotoResult:
    name: str
    expect: str | None
    got: str | None                 # refusal code, or None when accepted
    also_ok: tuple[str, ...] = ()   # other refusal codes the truth accepts (``refusal_also_ok``)
    page_ok: bool | None = None
    errors_mm: np.ndarray | None = None          # digit-box corners
    marker_errors_mm: np.ndarray | None = None   # marker corners (a hidden marker's are extrapolated)
    measures: dict | None = None
    ms: float = 0.0


def _stats(errors: np.ndarray) -> dict | None:
    if not errors.size:
        return None
    return {"median": round(float(np.median(errors)), 4), "p99": round(float(np.percentile(errors, 99)), 4),
            "max": round(float(np.max(errors)), 4), "points": int(errors.size)}


def photo_pairs(directory: Path) -> list[tuple[Path, Path]]:
    """``(image, truth)`` pairs in ``directory``, sorted by name."""
    pairs = []
    for truth in sorted(Path(directory).glob("*.truth.json")):
        stem = truth.name[: -len(".truth.json")]
        for suffix in IMAGE_SUFFIXES:
            img = truth.with_name(stem + suffix)
            if img.exists():
                pairs.append((img, truth))
                break
    return pairs


def sheet_variant(truth: dict) -> dict:
    """What the grading of a page knows before reading it, from its exercise: the form's variant and the code.
    Nothing for a photo meant to be refused (another form, a page cut off...), read as before: its truth describes
    the photo, not an exercise it was sent for."""
    if truth.get("expect_refusal"):
        return {}
    return {k: truth[k] for k in ("template", "exercise", "contest", "pairs") if truth.get(k) is not None}


def evaluate_photo(image: Path, truth_path: Path, *, thresholds: QualityThresholds | None = None) -> PhotoResult:
    """Align one photo and compare with its truth."""
    truth = json.loads(truth_path.read_text())
    expect = truth.get("expect_refusal")
    also = tuple(truth.get("refusal_also_ok") or ())
    t0 = time.perf_counter()
    try:
        aligned = align_photo(image.read_bytes(), filename=image.name, thresholds=thresholds, **sheet_variant(truth))
    except Refusal as exc:
        q = exc.quality.measures if exc.quality is not None else {}
        return PhotoResult(image.name, expect, exc.code, also, measures=q, ms=(time.perf_counter() - t0) * 1000)
    ms = (time.perf_counter() - t0) * 1000
    res = PhotoResult(image.name, expect, None, also, measures=aligned.quality.measures, ms=ms)
    if "page" in truth:
        res.page_ok = aligned.page.number == truth["page"]
    pts = np.asarray(truth.get("truth_points") or [], dtype=np.float64).reshape(-1, 4)
    if len(pts):
        frame = aligned.photo_to_frame(pts[:, 2:])
        err = np.linalg.norm(frame_to_mm(frame, px_per_mm=aligned.px_per_mm) - pts[:, :2], axis=1)
        marker = _is_marker_corner(pts[:, :2], aligned.page)
        res.errors_mm, res.marker_errors_mm = err[~marker], err[marker]
    return res


def _is_marker_corner(points_mm: np.ndarray, page) -> np.ndarray:
    corners = np.array([c for m in page.markers for c in m.corners])
    d = np.linalg.norm(points_mm[:, None, :] - corners[None], axis=2)
    return d.min(axis=1) < 1e-3


def evaluate_alignment(directory: str | Path, *, thresholds: QualityThresholds | None = None,
                       limit: int | None = None) -> dict:
    """Located share, wrong refusals, wrong acceptances and box-corner error over a folder of photos.

    Returns
    -------
    dict with ``readable``, ``refusal_set`` (counts), ``located_share``,
    ``wrongly_refused_share``, ``wrongly_accepted_share``, ``refusal_code_agreement``,
    ``corner_error_mm`` (digit-box corners after warping, template mm: ``median``, ``p99``,
    ``max``), ``marker_corner_error_mm``, ``refused`` (name -> code for
    readable photos that were refused), ``accepted_bad`` (names), ``largest_errors_mm`` (``[name, mm]`` of the
    :data:`LARGEST_ERRORS` accepted readable photos with the largest digit-box corner error, largest first) and
    ``per_photo``.
    """
    pairs = photo_pairs(Path(directory))[:limit]
    results = [evaluate_photo(img, tr, thresholds=thresholds) for img, tr in pairs]
    readable = [r for r in results if r.expect is None]
    bad = [r for r in results if r.expect is not None]
    located = [r for r in readable if r.got is None and r.page_ok is not False and
               (r.errors_mm is None or float(np.max(r.errors_mm)) <= LOCATED_MAX_ERROR_MM)]
    errors = np.concatenate([r.errors_mm for r in readable if r.got is None and r.errors_mm is not None] or
                            [np.zeros(0)])
    marker_errors = np.concatenate([r.marker_errors_mm for r in readable
                                    if r.got is None and r.marker_errors_mm is not None] or [np.zeros(0)])
    refused_bad = [r for r in bad if r.got is not None]

    def share(a: list, b: list) -> float | None:
        return round(len(a) / len(b), 4) if b else None

    return {
        "readable": len(readable), "refusal_set": len(bad),
        "located_share": share(located, readable),
        "wrongly_refused_share": share([r for r in readable if r.got is not None], readable),
        "wrongly_accepted_share": share([r for r in bad if r.got is None], bad),
        "refusal_code_agreement": share([r for r in refused_bad if r.got == r.expect or r.got in r.also_ok],
                                        refused_bad),
        "corner_error_mm": _stats(errors),
        "marker_corner_error_mm": _stats(marker_errors),
        "median_ms": round(float(np.median([r.ms for r in results])), 1) if results else None,
        "refused": {r.name: r.got for r in readable if r.got is not None},
        "accepted_bad": [r.name for r in bad if r.got is None],
        "wrong_code": {r.name: f"{r.expect}->{r.got}" for r in refused_bad
                       if r.got != r.expect and r.got not in r.also_ok},
        "not_located": [r.name for r in readable if r.got is None and r not in located],
        # (a photo off by 2 mm in one corner, its boxes read in review as out of place, counts as not located and is
        # otherwise lost in the pooled percentiles: rehearsal helper-199 had to align a set again to find them)
        "largest_errors_mm": [[r.name, round(float(np.max(r.errors_mm)), 3)] for r in sorted(
            (r for r in readable if r.got is None and r.errors_mm is not None and r.errors_mm.size),
            key=lambda r: -float(np.max(r.errors_mm)))[:LARGEST_ERRORS]],
        "per_photo": [{"name": r.name, "expect": r.expect, "got": r.got,
                       "p99_mm": None if r.errors_mm is None else round(float(np.percentile(r.errors_mm, 99)), 3),
                       "measures": {k: round(v, 4) for k, v in (r.measures or {}).items()}} for r in results],
    }
