"""``grader bench``: speed as ratios to ``cv2.imdecode`` of the same photo, measured in the same run.

These machines are noisy, so each photo is decoded, aligned and read in
interleaved repetitions and the medians compared; bare times are reported
only beside their ratios.
"""
from __future__ import annotations

import argparse
import itertools
import json
import statistics
import sys
import time
from pathlib import Path

import cv2
import numpy as np

from grader.commands import path_arg
from grader.errors import GraderError

DEFAULT_DIR = Path(".cache/bench")
DECODED_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp"}     # what OpenCV decodes: not HEIC, nor a scanner's PDF


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("bench", help="speed report (ratios to decoding the same photo)")
    p.add_argument("--photos", type=path_arg, help="folder of photos (default: generate 12 MP and chat-app sets)")
    p.add_argument("--count", type=int, default=8, help="photos per generated set (default 8)")
    p.add_argument("--repeat", type=int, default=7, help="interleaved repetitions per photo (default 7)")
    p.add_argument("--load", action="store_true", help="also run the web load check (20 concurrent uploads)")
    p.add_argument("--batch", type=int, default=0,
                   help="also time `grade -j 1` vs `-j 2` on N generated sheets (default 0: not timed)")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.set_defaults(func=cmd_bench)


def _generated(name: str, *, count: int, megapixels: float, chat: bool) -> Path:
    """A small, reproducible bench set; photos are filtered to the wanted kind by their truth files."""
    from grader.synth.generate import SynthOptions, generate

    folder = DEFAULT_DIR / name
    if not any(folder.glob("*.truth.json")):
        # The generator draws 2-12 MP and chat-app recompression at random; draw enough to filter from.
        generate(folder, SynthOptions(count=count * 10, seed=77, max_megapixels=megapixels), processes=2)
    out = []
    for t in sorted(folder.glob("*.truth.json")):
        cond = json.loads(t.read_text())["photo"]["conditions"]
        if cond["chat_app"] == chat and (chat or cond["megapixels"] >= megapixels - 0.5):
            out.append(t.with_name(t.name.replace(".truth.json", ".jpg")))
    return folder, out[:count]


def bench_photos(paths: list[Path], *, repeat: int) -> dict:
    from grader.photo.align import align_photo
    from grader.pipeline import read_photo

    rows = []
    for p in paths:
        data = p.read_bytes()
        # Warm both timed paths outside the timing: the read's caches (model load), and the decoder's first
        # 36 MB output, which on this VM faults its pages in at up to twice the steady decode time.
        read_photo(data)
        cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
        dec, ali, full = [], [], []
        for _ in range(repeat):
            t0 = time.perf_counter()
            img = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
            t1 = time.perf_counter()
            try:
                align_photo(data, refuse=False)
            except GraderError:
                pass   # the whole read below reports the refusal
            t2 = time.perf_counter()
            pr = read_photo(data)
            t3 = time.perf_counter()
            dec.append(t1 - t0)
            ali.append(t2 - t1)
            full.append(t3 - t2)
        d = statistics.median(dec)
        rows.append({"file": p.name, "megapixels": round(img.shape[0] * img.shape[1] / 1e6, 1),
                     "decode_ms": round(1000 * d, 1), "align_ms": round(1000 * statistics.median(ali), 1),
                     "read_ms": round(1000 * statistics.median(full), 1),
                     "align_ratio": round(statistics.median(ali) / d, 2),
                     "read_ratio": round(statistics.median(full) / d, 2),
                     "refused": pr.refusal.code if pr.refusal else None})
    ok = [r for r in rows if not r["refused"]]
    return {"photos": len(rows), "per_photo": rows,
            "median_align_ratio": statistics.median(r["align_ratio"] for r in ok) if ok else None,
            "median_read_ratio": statistics.median(r["read_ratio"] for r in ok) if ok else None,
            "median_decode_ms": statistics.median(r["decode_ms"] for r in ok) if ok else None}


def bench_batch(sheets: int) -> dict:
    """Throughput of batch grading with one and two workers on the same generated sheets."""
    from grader.batch import grade_batch
    from grader.synth.generate import SynthOptions, generate

    folder = DEFAULT_DIR / f"batch{sheets}"
    if not any(folder.glob("*.jpg")):
        generate(folder, SynthOptions(count=sheets, seed=5, pages=(2,), mistakes=0.2), processes=2)
    import os
    import shutil
    import tempfile

    from grader.exercise.store import exercises_dir
    photos = [str(p) for p in sorted(folder.glob("*.jpg"))]    # (not its keys and truth files: no warnings of them)
    out = {}
    old_env = os.environ.get("GRADER_DATA_DIR")
    # The keys go to a store of the bench's own (the workers inherit it), never the web app's ./instance, whose
    # trainer pages would list every generated exercise.
    with tempfile.TemporaryDirectory(prefix="grader-bench-") as tmp:
        os.environ["GRADER_DATA_DIR"] = tmp
        try:
            for k in (folder / "keys").glob("*/answer_key.json"):   # let the QR's exercise code find each key
                (exercises_dir() / k.parent.name).mkdir(parents=True, exist_ok=True)
                shutil.copy(k, exercises_dir() / k.parent.name / "answer_key.json")
            for j in (1, 2):
                t0 = time.perf_counter()
                results = grade_batch(photos, key=None, workers=j)
                dt = time.perf_counter() - t0
                out[f"j{j}"] = {"sheets": len(results), "seconds": round(dt, 1),
                                "sheets_per_minute": round(60 * len(results) / dt, 1)}
        finally:
            if old_env is None:
                os.environ.pop("GRADER_DATA_DIR", None)
            else:
                os.environ["GRADER_DATA_DIR"] = old_env
    out["speedup"] = round(out["j2"]["sheets_per_minute"] / out["j1"]["sheets_per_minute"], 2)
    return out


def _decodes(path: Path) -> bool:
    """Whether the baseline, ``cv2.imdecode``, reads ``path`` (a text saved as ``.jpg`` has no decode time)."""
    return cv2.imdecode(np.fromfile(path, np.uint8), cv2.IMREAD_COLOR) is not None


def photos_to_bench(folder: Path, count: int | None = None) -> list[Path]:
    """The photos of ``--photos``, at most ``count``: those of a ``grader synth`` set that are not refusal cases, by
    their truth files; in a folder without truth files, every photo in it that the baseline, ``cv2.imdecode``,
    decodes."""
    if not folder.is_dir():
        raise GraderError("bad_usage", f"--photos {folder}: no such folder")
    truths = sorted(folder.glob("*.truth.json"))
    if truths:
        photos = [t.with_name(t.name.replace(".truth.json", ".jpg")) for t in truths
                  if json.loads(t.read_text()).get("expect_refusal") is None][:count]
    else:
        candidates = (p for p in sorted(folder.iterdir()) if p.suffix.lower() in DECODED_SUFFIXES and p.is_file())
        photos = list(itertools.islice(filter(_decodes, candidates), count))
    if not photos:
        raise GraderError("bad_usage", f"--photos {folder}: no photos to time in that folder")
    return photos


def cmd_bench(args: argparse.Namespace) -> int:
    report = {}
    if args.count < 1 or args.repeat < 1 or args.batch < 0:
        raise GraderError("bad_usage", "--count and --repeat must be 1 or more, --batch 0 or more")
    if args.photos:
        report["photos"] = bench_photos(photos_to_bench(args.photos, args.count), repeat=args.repeat)
    else:
        _, big = _generated("12mp", count=args.count, megapixels=12.0, chat=False)
        report["12mp"] = bench_photos(big, repeat=args.repeat)
        _, chat = _generated("chat", count=args.count, megapixels=12.0, chat=True)
        report["chat_app"] = bench_photos(chat, repeat=args.repeat)
    if args.batch:
        report["batch"] = bench_batch(args.batch)
    if args.load:
        from grader.web.bench_load import run_load_check
        report["web_load"] = run_load_check(uploads=20)
    if args.json:
        json.dump(report, sys.stdout, indent=1, default=str)
        sys.stdout.write("\n")
        return 0
    for name, r in report.items():
        if name in ("batch", "web_load"):
            print(f"{name}: {json.dumps(r, default=str)}")
            continue
        print(f"{name}: {r['photos']} photos; decode median {r['median_decode_ms']:.1f} ms; "
              f"load+gate+locate+warp = {r['median_align_ratio']:.2f}x decode; "
              f"whole read = {r['median_read_ratio']:.2f}x decode")
    return 0
