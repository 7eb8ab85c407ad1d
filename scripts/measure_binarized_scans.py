"""Measure the reader on simulated scanner-app B&W filters (``grader.synth.scanner_filter``).

For every generated sheet in ``--photos`` (a ``grader synth`` folder: truth files and ``keys/``) and every
filter variant, each page is filtered, read with ``grader.pipeline.read_photo`` and the sheet graded against
its key. Per variant it reports: refusals by code; for the pages read, the fields accepted (``ok``) with a
value other than what was written; and after grading, the fields called ``wrong`` although the trainee wrote
the key's value. It also prints the gate's grays per edge for every filtered page and every original.

    python scripts/measure_binarized_scans.py --photos sample_scans [--sheets 11] [--variants bw|ordinary|all]
    python scripts/measure_binarized_scans.py --photos sample_scans --every-file
    python scripts/measure_binarized_scans.py --photos .cache/eval/dev_marks --sheets 15 --grays-only \
        --chat-sides 2048,1600,1280,1024      # grays per edge only (no reading), each variant also at chat sizes
"""
from __future__ import annotations

import argparse
import json
import logging
from collections import Counter, defaultdict
from pathlib import Path

from grader.exercise.store import load_key
from grader.pipeline import grade_reads, read_photo
from grader.synth.scanner_filter import ORDINARY, VARIANTS, page_corners_px, scan


def sheets_of(folder: Path, limit: int) -> list[list[tuple[Path, dict]]]:
    """The readable sheets of a synth folder: their pages' photos and truth, at most ``limit`` sheets."""
    by_sheet: dict[str, list] = defaultdict(list)
    for t in sorted(folder.glob("*.truth.json")):
        truth = json.loads(t.read_text())
        if truth.get("expect_refusal") or truth.get("page") is None:
            continue
        by_sheet[truth["sheet"]].append((t.with_name(truth["file"]), truth))
    return [by_sheet[s] for s in sorted(by_sheet)][:limit]


def grays_per_edge(data: bytes) -> float | None:
    """The quality gate's grays per edge of a file (None before the gate had one, or for a file it cannot load)."""
    from grader.errors import GraderError
    from grader.photo import quality
    from grader.photo.load import load_photo
    measure = getattr(quality, "grays_per_edge", None)
    try:
        return None if measure is None else measure(load_photo(data, color=False).image)
    except GraderError:
        return None


def measure_sheet(pages: list[tuple[Path, dict]], filt, folder: Path) -> dict:
    """Filter, read and grade one sheet; what went wrong, in numbers."""
    reads, out = [], Counter()
    truth_fields: dict[str, int | None] = {}
    values = []
    for photo, truth in pages:
        data = photo.read_bytes()
        if filt is not None:
            data = scan(data, filt, page_corners=page_corners_px(truth) if filt.dewarp else None)
        values.append(grays_per_edge(data))
        pr = read_photo(data, filename=photo.name)
        reads.append(pr)
        out["pages"] += 1
        if pr.refusal is not None:
            out[f"refused:{pr.refusal.code}"] += 1
            continue
        out["read"] += 1
        truth_fields.update({k: v for k, v in truth["fields"].items() if not k.startswith("H.")})
        for fid, r in pr.readings.items():
            if fid not in truth["fields"] or fid.startswith("H."):
                continue
            if r.value != truth["fields"][fid]:
                out[f"misread:{r.kind}"] += 1
                out[f"misread_accepted:{r.kind}"] += r.status == "ok"
    key = load_key(str(folder / "keys" / pages[0][1]["exercise"]))
    result = grade_reads(reads, key=key)
    for f in result["fields"]:
        written = truth_fields.get(f["id"])
        if f["id"] not in truth_fields or f["expected"] is None:
            continue
        out["false_wrong"] += f["status"] == "wrong" and written == f["expected"]
        out["false_ok"] += f["status"] == "ok" and written != f["expected"]
    return {"counts": out, "grays_per_edge": values}


def grays_only(sheets: list[list[tuple[Path, dict]]], filters: list, chat_sides: list[int]) -> None:
    """Per variant (and per chat size): the spread of grays per edge, and how many pages the gate calls B&W."""
    from dataclasses import replace

    from grader.photo.quality import QualityThresholds
    limit = QualityThresholds().min_grays_per_edge
    variants = [None]
    for f in filters:
        variants.append(f)
        if f.chat_side is None:                  # (a variant already forwarded is kept as it is)
            variants += [replace(f, chat_side=side) for side in chat_sides]
    values: dict[str, list[float]] = defaultdict(list)
    for pages in sheets:
        for photo, truth in pages:
            data = photo.read_bytes()
            for filt in variants:
                out = data if filt is None else scan(data, filt, page_corners=page_corners_px(truth)
                                                     if filt.dewarp else None)
                value = grays_per_edge(out)
                if value is not None:
                    values["original" if filt is None else filt.name].append(value)
    for name, v in values.items():
        below = sum(x < limit for x in v)
        print(f"{name:48s} pages {len(v):3d}  min {min(v):6.2f}  median {sorted(v)[len(v) // 2]:6.2f}  "
              f"max {max(v):6.2f}  below the limit ({limit:g}) {below}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--photos", type=Path, default=Path("sample_scans"))
    ap.add_argument("--sheets", type=int, default=11)
    ap.add_argument("--variants", choices=("bw", "ordinary", "all", "none"), default="all")
    ap.add_argument("--json", type=Path, help="write every number here too")
    ap.add_argument("--every-file", action="store_true",
                    help="only print the grays per edge of every photo file in --photos (refusal cases too)")
    ap.add_argument("--grays-only", action="store_true",
                    help="only the grays per edge of each variant's pages (no reading), against the gate's limit")
    ap.add_argument("--chat-sides", default="",
                    help="with --grays-only: also each variant forwarded by a chat app at these sides, e.g. 1600,1024")
    args = ap.parse_args()
    logging.basicConfig(level=logging.ERROR)
    chosen = {"bw": VARIANTS, "ordinary": (None, *ORDINARY), "all": (None, *ORDINARY, *VARIANTS),
              "none": (None,)}[args.variants]
    if args.every_file:
        shares = {p.name: grays_per_edge(p.read_bytes()) for p in sorted(args.photos.iterdir())
                  if p.suffix.lower() in (".jpg", ".jpeg", ".png")}
        known = [v for v in shares.values() if v is not None]
        print(f"{len(known)} photos: grays_per_edge {min(known):.4f}..{max(known):.4f}; lowest: "
              f"{min(shares, key=lambda k: shares[k] if shares[k] is not None else float('inf'))}")
        return
    sheets = sheets_of(args.photos, args.sheets)
    if args.grays_only:
        sides = [int(x) for x in args.chat_sides.split(",") if x]
        grays_only(sheets, [f for f in chosen if f is not None], sides)
        return
    report = {}
    for filt in chosen:
        name = "original" if filt is None else filt.name
        total, values = Counter(), []
        for pages in sheets:
            r = measure_sheet(pages, filt, args.photos)
            total.update(r["counts"])
            values += [v for v in r["grays_per_edge"] if v is not None]
        report[name] = {"counts": dict(total), "grays_per_edge": values}
        span = f" grays_per_edge {min(values):.4f}..{max(values):.4f}" if values else ""
        print(f"{name:44s} {dict(sorted(total.items()))}{span}", flush=True)
    if args.json:
        args.json.write_text(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
