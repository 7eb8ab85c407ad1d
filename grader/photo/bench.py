"""Speed of the photo front end, as a ratio to decoding the same file in the same run.

``bench_align(paths)`` times ``cv2.imdecode`` and :func:`align_photo` on each
photo, interleaved so machine noise hits both alike, and reports medians and
their ratio per photo and per size class (12 MP and up, chat-app size, other).
``align`` covers load + locate + identify + curl pass + warp + gate; ``front``
leaves out identification (the QR read), i.e. load + gate + locate + warp.
"""
from __future__ import annotations

import logging
import time
from pathlib import Path

import cv2
import numpy as np

from grader.photo.align import align_photo
from grader.photo.refusal import Refusal

log = logging.getLogger(__name__)


def size_class(width: int, height: int) -> str:
    """``12mp`` (10 MP and up), ``chat`` (long side 1600 px or less) or ``other``."""
    if width * height >= 10e6:
        return "12mp"
    if max(width, height) <= 1600:
        return "chat"
    return "other"


def bench_photo(data: bytes, *, repeat: int = 5) -> dict:
    """Median ms of ``cv2.imdecode`` and of ``align_photo`` on one photo's bytes."""
    buf = np.frombuffer(data, np.uint8)
    decode, align, front = [], [], []
    shape = None
    refused = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        img = cv2.imdecode(buf, cv2.IMREAD_COLOR)
        decode.append((time.perf_counter() - t0) * 1000)
        shape = img.shape[:2] if img is not None else (0, 0)
        del img
        t0 = time.perf_counter()
        try:
            aligned = align_photo(data, refuse=False)
            total = (time.perf_counter() - t0) * 1000
            align.append(total)
            front.append(total - aligned.timings_ms.get("identify", 0.0))
        except Refusal as exc:
            refused = exc.code
            align.append((time.perf_counter() - t0) * 1000)
    d, a = float(np.median(decode)), float(np.median(align))
    row = {"width": int(shape[1]), "height": int(shape[0]), "class": size_class(shape[1], shape[0]),
           "decode_ms": round(d, 2), "align_ms": round(a, 2), "ratio": round(a / d, 3) if d else None,
           "refused": refused}
    if front:
        f = float(np.median(front))
        row.update(front_ms=round(f, 2), front_ratio=round(f / d, 3) if d else None)
    return row


def bench_align(paths: list[str | Path], *, repeat: int = 5) -> dict:
    """Decode vs align medians and ratios for each photo, and the median ratio per size class.

    Returns
    -------
    dict: ``photos`` (one row per file: size, class, ``decode_ms``, ``align_ms``,
    ``ratio``, ``front_ms``, ``front_ratio``, ``refused``) and ``summary``
    (per class and ``all``: count, median ``ratio`` and ``front_ratio``, median ms).
    """
    rows = []
    for p in paths:
        row = bench_photo(Path(p).read_bytes(), repeat=repeat)
        row["file"] = str(p)
        rows.append(row)
        log.info("%s: %s", p, row)
    summary = {}
    for cls in ("12mp", "chat", "other", "all"):
        sel = [r for r in rows if (cls == "all" or r["class"] == cls) and r["refused"] is None]
        if not sel:
            continue
        summary[cls] = {
            "photos": len(sel),
            "ratio": round(float(np.median([r["ratio"] for r in sel])), 3),
            "front_ratio": round(float(np.median([r["front_ratio"] for r in sel])), 3),
            "decode_ms": round(float(np.median([r["decode_ms"] for r in sel])), 1),
            "align_ms": round(float(np.median([r["align_ms"] for r in sel])), 1),
        }
    return {"photos": rows, "summary": summary}
