"""The truth file written beside every synthetic photo (``NAME.truth.json``).

The format is documented in ``sample_scans/README.md``; :func:`validate_truth`
checks a loaded file against it so tests and evaluation scripts fail with a
clear message instead of a KeyError.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Callable

import numpy as np

from grader.sheet.layout import PageLayout

TRUTH_FORMAT = "grader-synth-truth/1"
REFUSAL_CODES = ("too_blurry", "too_dark", "glare", "sheet_cut_off", "sheet_too_small", "markers_not_found",
                 "not_practice_sheet", "not_an_image", "corrupt_file", "too_large")
BOX_MARKS = frozenset({"", "X", "-", "?"} | {str(d) for d in range(10)})


def truth_point_mm(page: PageLayout) -> list[tuple[float, float]]:
    """The page points whose photo positions a truth file records, in order.

    First the 16 marker corners (markers in layout order TL, TR, BR, BL, each
    clockwise from its top-left), then the four corners of every digit box of
    every digits field, in layout order (corners shared by neighbouring
    boxes are listed once).
    """
    pts: list[tuple[float, float]] = []
    for m in page.markers:
        pts += list(m.corners)
    seen = set()
    for f in page.fields:
        if f.kind != "digits":
            continue
        for b in f.boxes:
            for p in ((b.x, b.y), (b.x2, b.y), (b.x2, b.y2), (b.x, b.y2)):
                key = (round(p[0], 4), round(p[1], 4))
                if key not in seen:
                    seen.add(key)
                    pts.append(p)
    return pts


def truth_points(page: PageLayout, transform: Callable[[np.ndarray], np.ndarray]) -> list[list[float]]:
    """``[[x_mm, y_mm, x_px, y_px], ...]``: template positions and their true photo positions (pixel centres).

    ``transform`` maps template mm to photo pixels: the camera's :class:`~grader.synth.camera.PageToPhoto`,
    after the print's own placement on the paper when it was scaled or copied (:mod:`grader.synth.copier`).
    """
    mm = np.array(truth_point_mm(page), float)
    px = transform(mm)
    return [[round(float(a), 3), round(float(b), 3), round(float(c), 3), round(float(d), 3)]
            for (a, b), (c, d) in zip(mm, px)]


def write_truth(path: Path, truth: dict) -> None:
    path.write_text(json.dumps(truth, indent=1, ensure_ascii=False, sort_keys=False) + "\n", encoding="utf-8")


def load_truth(path: Path) -> dict:
    """Read and validate a truth file; raises ValueError naming the file and the problem."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ValueError(f"{path}: cannot read truth file ({exc})") from None
    problems = validate_truth(data)
    if problems:
        raise ValueError(f"{path}: " + "; ".join(problems))
    return data


def validate_truth(d: dict) -> list[str]:
    """Problems with a truth dict (empty when it follows the documented format)."""
    problems = []
    for key in ("format", "file", "template", "page", "exercise", "trainee", "contest", "pairs", "fields", "boxes",
                "expect_refusal", "mistakes", "overwritten", "truth_points", "photo"):
        if key not in d:
            problems.append(f"missing '{key}'")
    if problems:
        return problems
    if d["format"] != TRUTH_FORMAT:
        problems.append(f"format is {d['format']!r}, expected {TRUTH_FORMAT!r}")
    if d["expect_refusal"] is not None and d["expect_refusal"] not in REFUSAL_CODES:
        problems.append(f"unknown refusal code {d['expect_refusal']!r}")
    for fid, v in d["fields"].items():
        if v is not None and not isinstance(v, int):
            problems.append(f"field {fid} is {v!r}, expected an int or null")
    for fid, marks in d["boxes"].items():
        bad = [m for m in marks if m not in BOX_MARKS]
        if bad:
            problems.append(f"boxes of {fid} hold {bad}")
    for m in d["mistakes"]:
        if not isinstance(m, dict) or "kind" not in m or "fields" not in m:
            problems.append(f"malformed mistake {m!r}")
    for p in d["truth_points"]:
        if len(p) != 4:
            problems.append(f"truth point {p!r} is not [x_mm, y_mm, x_px, y_px]")
            break
    return problems


def boxes_value(marks: list[str]) -> int | None:
    """The number a row of box marks spells (X, dash, blank and 0 lead; ``XXX`` is 0); None if a box is ``?``."""
    if "?" in marks:
        return None
    digits = "".join(m for m in marks if m.isdigit())
    return int(digits) if digits else 0
