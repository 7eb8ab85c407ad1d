"""``grader grade``: grade photos (files, folders, zips) against an answer key, one row per trainee."""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from grader.batch import (FIELD_COLUMNS, SHEET_COLUMNS, default_workers, field_rows, grade_batch, progress_bar,
                          sheet_rows, write_csv)
from grader.exercise.store import load_key


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("grade", help="grade photos against an exercise's answer key")
    p.add_argument("paths", nargs="+", help="photos, folders or zips (chat-app exports)")
    p.add_argument("--key", required=True, help="exercise code, or path to answer_key.json / its folder")
    out = p.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="print the full results as JSON")
    out.add_argument("--csv", type=Path, metavar="OUT",
                     help="write one row per sheet to OUT and one row per field to OUT with -fields")
    p.add_argument("--out", type=Path, help="folder for feedback images, crops and printable reports")
    p.add_argument("-j", "--jobs", type=int, default=1, help=f"worker processes (suggested: {default_workers()})")
    p.set_defaults(func=cmd_grade)


def cmd_grade(args: argparse.Namespace) -> int:
    key = load_key(args.key)
    t0 = time.perf_counter()
    results = grade_batch(args.paths, key=key, workers=max(1, args.jobs), out_dir=args.out,
                          progress=progress_bar())
    elapsed = time.perf_counter() - t0
    if args.out:
        from grader.grading.report import write_reports
        write_reports(results, args.out)
    if args.json:
        json.dump(results, sys.stdout, indent=1, ensure_ascii=False)
        sys.stdout.write("\n")
    elif args.csv:
        write_csv(args.csv, sheet_rows(results), SHEET_COLUMNS)
        fields_path = args.csv.with_name(f"{args.csv.stem}-fields{args.csv.suffix or '.csv'}")
        write_csv(fields_path, field_rows(results), FIELD_COLUMNS)
        print(f"{args.csv}\n{fields_path}")
    else:
        for row in sheet_rows(results):
            print(f"{row['trainee'] or '?':12s} {str(row['score']):>6s}  wrong {row['wrong']:3d}  review "
                  f"{row['review']:3d}  blank {row['blank']:3d}  {row['status']}"
                  + (f"  refused: {row['refusal']}" if row["refusal"] else "")
                  + (f"  retake advised: {row['retake_advised']}" if row["retake_advised"] else ""))
    photos = sum(len(r["pages"]) for r in results)
    print(f"graded {len(results)} sheets ({photos} photos) in {elapsed:.1f} s "
          f"({60 * len(results) / max(elapsed, 1e-9):.1f} sheets/min, -j {args.jobs})", file=sys.stderr)
    return 0
