"""``grader grade``: grade photos (files, folders, zips) against an answer key, one row per trainee."""
from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Iterator

from grader.batch import OUTPUT_MARK, default_workers, grade_batch, mark_output_folder, progress_bar, sheet_label
from grader.commands import path_arg, worker_count, writable_file, writable_folder
from grader.corrections_file import apply_corrections, read_corrections
from grader.errors import GraderError
from grader.exercise.store import load_key
from grader.file_names import PHOTO_SUFFIXES, names_nobody
from grader.page_groups import trainee_order
from grader.result_rows import (FIELD_COLUMNS, SHEET_COLUMNS, advice_messages, field_rows, missing_page_messages,
                                refusal_messages, sheet_rows, write_csv)
from grader.spreadsheet import to_xlsx


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("grade", help="grade photos against an exercise's answer key")
    p.add_argument("paths", nargs="+", type=path_arg, help="photos, folders or zips (chat-app exports)")
    p.add_argument("--key", required=True, help="exercise code, or path to answer_key.json / its folder")
    out = p.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="print the full results as JSON")
    out.add_argument("--csv", type=path_arg, metavar="OUT",
                     help="write one row per sheet to OUT (a .csv file) and one row per field beside it, to "
                          "OUT-fields.csv")
    out.add_argument("--xlsx", type=path_arg, metavar="OUT",
                     help="write the same two tables as one workbook OUT (a .xlsx file), a worksheet each: a "
                          "spreadsheet in a locale whose list separator is ';' (Indonesian Excel) puts a CSV's "
                          "rows in one column")
    p.add_argument("--out", type=path_arg, metavar="DIR", help="folder for feedback images, crops and printable reports")
    p.add_argument("--corrections", type=path_arg, metavar="CSV",
                   help="the fields you checked on the marked pages: a CSV with trainee, field and value columns (the "
                        "fields CSV's review rows, the value as written: 47, X47, XXX, or empty for blank); each sheet "
                        "is graded again with them")
    p.add_argument("--report-lang", choices=("id", "en"),
                   help="language of the printable reports in --out (default: id, Indonesian)")
    p.add_argument("-j", "--jobs", type=worker_count, default=1,
                   help=f"worker processes, 1 or more (default 1; suggested: {default_workers()})")
    p.set_defaults(func=cmd_grade)


def _check_paths(args: argparse.Namespace) -> None:
    """Refuse a typo before a long batch, not after it (a CSV that cannot be written would lose the results). The
    tables' folders are made last, once every other check passed: a refused command (``--report-lang`` without
    ``--out``, an ``--out`` around the photos) left ``--csv OUT/x.csv``'s new folder behind, empty. (``--out`` is
    made only when new, which no later check of it refuses.)"""
    missing = [p for p in args.paths if not Path(p).exists()]
    if missing:
        raise GraderError("bad_usage", f"no such file or folder: {', '.join(map(str, missing))}")
    if args.csv is not None:
        inputs = {Path(p).resolve() for p in args.paths}
        for path in (args.csv, fields_csv(args.csv)):
            # a slip such as `--csv *.jpg` names a photo as OUT: it would be written over
            if path.suffix.lower() in PHOTO_SUFFIXES | {".zip"} or path.resolve() in inputs:
                raise GraderError("bad_usage", f"--csv {args.csv}: {path} is a photo or zip (or one of the inputs), "
                                               "and would be written over; name a .csv file")
            if path.exists() and not path.is_dir() and not path.is_file():   # (/dev/null: its -fields.csv in /dev)
                raise GraderError("bad_usage", f"--csv {args.csv}: {path} is not a regular file; name a .csv file")
        if args.csv.suffix.lower() != ".csv" and not args.csv.is_dir():      # (a folder: said by writable_file)
            # (--csv hasil.xlsx wrote CSV text into hasil.xlsx, which a spreadsheet would not open, and --csv
            # kelas/index.json wrote over that file)
            raise GraderError("bad_usage", f"--csv {args.csv}: name a .csv file" + (
                " (for a workbook, --xlsx)" if args.csv.suffix.lower() in (".xlsx", ".xls", ".ods") else ""))
    if args.xlsx is not None:
        _check_workbook(args.xlsx, args.paths)
    if args.report_lang and args.out is None:      # (it would be ignored without a word)
        raise GraderError("bad_usage", "--report-lang sets the language of the printable reports of --out; add "
                                       "--out DIR")
    if args.out is not None:
        writable_folder(args.out, f"--out {args.out}")   # (creates only a new folder, which holds no input)
        _refuse_an_out_around_the_inputs(args.out, args.paths)
        _refuse_a_folder_of_other_files(args.out)
        mark_output_folder(args.out)     # a later batch over a folder around it leaves it out
    if args.csv is not None:
        for path in (args.csv, fields_csv(args.csv)):       # (its folder made only for a name it takes)
            writable_file(path, f"--csv {args.csv}")
    if args.xlsx is not None:
        writable_file(args.xlsx, f"--xlsx {args.xlsx}")


def _check_workbook(path: Path, inputs: list[Path]) -> None:
    """``--xlsx OUT`` must name a workbook, neither a photo nor an input (``--xlsx *.jpg``); that it may be written is
    checked once the command is accepted (:func:`_check_paths`)."""
    if path.suffix.lower() != ".xlsx":
        raise GraderError("bad_usage", f"--xlsx {path}: name a .xlsx file (a spreadsheet opens a workbook by its "
                                       "name's .xlsx)")
    if path.resolve() in {Path(p).resolve() for p in inputs}:
        raise GraderError("bad_usage", f"--xlsx {path}: it is one of the inputs, and would be written over")
    if path.exists() and not path.is_dir() and not path.is_file():
        raise GraderError("bad_usage", f"--xlsx {path}: it is not a regular file; name a .xlsx file")


def _refuse_a_folder_of_other_files(out: Path) -> None:
    """``--out`` may be a new folder, an empty one, or one an earlier ``--out`` wrote (marked ``OUTPUT_MARK``), not a
    folder of other files: marked as feedback, it would be left out of every later batch, so ``--out ~/Desktop``
    hid every photo later saved on the Desktop from ``grade ~/Desktop`` (h41b's s41 walkthrough)."""
    if not out.is_dir() or (out / OUTPUT_MARK).is_file():
        return
    others = sorted(p.name for p in out.iterdir() if not p.name.startswith("."))
    if others:
        raise _not_a_feedback_folder(out, f"that folder already holds other files ({others[0]}"
                                          f"{', ...' if len(others) > 1 else ''})", "a new or empty folder")


def _refuse_an_out_around_the_inputs(out: Path, paths: list[Path]) -> None:
    """``--out`` may not be, or hold, a path to grade: it is marked as feedback (``OUTPUT_MARK``), which a batch leaves
    out, so ``grade kelas --out kelas`` graded nothing, and every later batch over ``kelas`` nothing either."""
    where = Path(out).resolve()
    held = [p for p in paths if where == Path(p).resolve() or where in Path(p).resolve().parents]
    if held:
        raise _not_a_feedback_folder(out, f"it holds the photos to grade ({held[0]})", "another folder")


def _not_a_feedback_folder(out: Path, why: str, instead: str) -> GraderError:
    """An ``--out`` refused because marking it as feedback would hide what it holds from every later batch."""
    return GraderError("bad_usage", f"--out {out}: {why}, and a feedback folder is left out of every later batch; "
                                    f"name {instead}, such as {Path(out) / 'umpan-balik'}")


def another_exercise_hint(results: list[dict], exercise: str) -> str | None:
    """When most sheets of the batch are one other exercise's, say that ``--key`` may be the wrong one: each sheet's
    refusal speaks to its trainee ("use the sheet and the code of the same exercise"), and a class graded against
    another class's code was all refused without a word to the trainer. A stray sheet among graded ones is not."""
    codes = Counter(next(iter(found)) for found in map(_other_exercises, results) if len(found) == 1)
    if not codes:
        return None
    other, n = codes.most_common(1)[0]
    if 2 * n <= len(results):
        return None
    return (f"{n} of {len(results)} sheet(s) are of exercise {other}, not {exercise}: if --key names the wrong "
            f"exercise, grade again with --key {other}")


def _other_exercises(result: dict) -> set[str]:
    """The exercises the pages of a sheet refused as another exercise's name (``sheet_exercise``)."""
    return {p["sheet_exercise"] for p in result["pages"] if p.get("sheet_exercise")}


@contextlib.contextmanager
def _warnings_counted() -> Iterator[list[logging.LogRecord]]:
    """The batch's warnings that leave out a file it could not safely take or already holds (``left_out``: an unsafe
    zip member, a copy), as they come; not those naming files that are no photos by their names."""
    seen: list[logging.LogRecord] = []
    handler = logging.Handler(logging.WARNING)
    handler.emit = lambda record: seen.append(record) if getattr(record, "left_out", False) else None
    batch_log = logging.getLogger("grader.batch")
    batch_log.addHandler(handler)
    try:
        yield seen
    finally:
        batch_log.removeHandler(handler)


def _no_photo_error(paths: list[Path], *, skipped: bool) -> GraderError:
    """Nothing to grade: a zip whose photos were all left out (unsafe paths, copies) did not 'find no photo'."""
    where = ", ".join(map(str, paths))
    if skipped:
        return GraderError("bad_usage", f"no photo to grade in {where}: every file in it was skipped, as the "
                                        "warnings above say")
    return GraderError("bad_usage", f"no photos found in {where} (looked for {' '.join(sorted(PHOTO_SUFFIXES))} "
                                    "and .zip)")


def _written_since(folder: Path, since: float) -> bool:
    """Whether anything in ``folder`` but its mark was written at or after ``since`` (a time.time())."""
    return any(p.stat().st_mtime >= since for p in folder.iterdir() if p.name != OUTPUT_MARK)


def fields_csv(path: Path) -> Path:
    """Where ``--csv OUT`` puts the one-row-per-field table: ``OUT-fields.csv`` beside it."""
    return path.with_name(f"{path.stem}-fields{path.suffix or '.csv'}")


#: Where a table line's trainee came from (issue 5: the output says which identity was used, as the CSV's
#: trainee_source does); a sheet named by nobody has none, and its label a "?"
SOURCE_WORDS = {"qr": "from the QR code", "trainee_number": "from the number on the sheet",
                "filename": "from the file name", "caller": "as given"}
#: a sheet named by the folder its photos are in (identity_source "filename" too: grader.file_names.trainee_folders)
FOLDER_WORDS = "from the folder name"


def _table(rows: list[dict], columns: tuple[str, ...]) -> tuple[tuple[str, ...], list[tuple]]:
    """``rows`` as a worksheet's columns and value tuples, numbers kept as numbers (a mean of the scores works)."""
    return columns, [tuple(row[c] for c in columns) for row in rows]


def table_label(result: dict) -> str:
    """A table line's trainee: the id with the name a personalised sheet's QR carries (a roster's ``7`` means little
    on its own), else ``?`` and the label of its files (named by nobody)."""
    if not result.get("trainee"):
        return f"?{sheet_label(result)}"
    return " ".join(filter(None, (result["trainee"], result.get("trainee_name"))))


#: What the table's marks beside a score say, in lines under the table (the CSV says it in columns of its own)
PARTIAL_NOTE = "(n)  a sheet with a page not read has no score: n is its read pages' score, the CSV's partial_score"
PROVISIONAL_NOTE = "*    fields left to review are not in the score yet, so it may change: the CSV's provisional column"


def score_cell(row: dict) -> str:
    """A sheet's score as the table shows it, from its CSV row (:func:`grader.result_rows.sheet_rows`): the sheet's
    score, or in brackets its read pages' for a sheet with a page not read (``partial_score``), and "*" where fields
    left to review may change it (``provisional``); nothing for a sheet without either."""
    shown = f"({row['partial_score']})" if row["partial_score"] != "" else str(row["score"])
    return shown + ("*" if row["provisional"] else "")


def _print_table(results: list[dict]) -> None:
    """One line per sheet on stdout (and why a page was refused, missing or worth a retake), then what the marks
    beside the scores mean, where one is shown."""
    rows = sheet_rows(results)
    labels = list(map(table_label, results))
    width = max(12, *map(len, labels))
    for label, row, res in zip(labels, rows, results):
        source = SOURCE_WORDS.get(res.get("identity_source")) if res.get("trainee") else None
        if res.get("trainee") and res.get("identity_source") == "filename" and res.get("pages") \
                and all(names_nobody(p["file"]) for p in res["pages"]):
            # (named by its folder, kelas/Andi/IMG_1234.jpg: "Andi (from the file name)" beside photos whose names
            # name nobody sent a trainer looking for Andi in them, rehearsal helper-170)
            source = FOLDER_WORDS
        # (a score that fields left to review may change is marked "*", as the CSV's provisional column and the web's
        # "sementara" mark it: a bare 100 beside "review 10" read as final, helper-150; a half sheet's read pages'
        # score is in brackets, where a lone "*" stood, helper-173)
        print(f"{label:{width}s} {score_cell(row):>6s}  wrong {row['wrong']!s:>3s}  review "
              f"{row['review']!s:>3s}  blank {row['blank']!s:>3s}  {row['status']}" + (f"  ({source})" if source else "")
              + "".join(f"\n    refused {m}" for m in refusal_messages(res))
              + "".join(f"\n    {m}" for m in missing_page_messages(res))
              + "".join(f"\n    retake advised {m}" for m in advice_messages(res)))
    if any(row["partial_score"] != "" for row in rows):
        print(PARTIAL_NOTE)
    if any(row["provisional"] for row in rows):
        print(PROVISIONAL_NOTE)


def usable_cores() -> int:
    """The processor cores this process may run on (a container's share, where the OS says it)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def cmd_grade(args: argparse.Namespace) -> int:
    key = load_key(args.key)      # before _check_paths creates the --out folder
    corrections = read_corrections(args.corrections) if args.corrections else None    # (a bad file: before the run)
    _check_paths(args)
    cores = usable_cores()
    if args.jobs > cores:
        # (-j 64 on 2 cores took 12.2 s where -j 1 took 5.2 s: each worker loads the model and fights for the cores;
        # helper-150)
        print(f"-j {args.jobs}: this machine has {cores} core(s); using {cores} worker process(es)", file=sys.stderr)
        args.jobs = cores
    t0, started = time.perf_counter(), time.time()      # (started: the clock the files' times are in)
    try:
        with _warnings_counted() as skipped:
            results = grade_batch(args.paths, key=key, workers=args.jobs, out_dir=args.out,
                                  progress=progress_bar(), keep_aligned=bool(corrections))
        elapsed = time.perf_counter() - t0
        if not results:
            raise _no_photo_error(args.paths, skipped=bool(skipped))
        # by trainee, as the web's class table and exports: in file order, a class's refused "r00x" photos came
        # before everyone and a trainee's two attempts far apart (helper-141); one trainee's sheets keep their order
        results.sort(key=lambda r: trainee_order(r.get("trainee")))
        if corrections:
            results, unknown = apply_corrections(results, corrections, key)
            for name in unknown:
                print(f"--corrections {args.corrections}: {name} names no sheet or field of this batch; left out",
                      file=sys.stderr)
        if args.out:
            from grader.grading.report import write_reports
            for result, report in zip(results, write_reports(results, args.out, lang=args.report_lang or "id")):
                result["report"] = str(report)
    except KeyboardInterrupt:
        if args.out is not None and _written_since(args.out, started):
            # (the sheets' folders and reports written so far look like a class's feedback)
            print(f"--out {args.out}: interrupted while it was written, it holds part of this batch's feedback "
                  "only; grade again to complete it", file=sys.stderr)
        raise
    if args.json:
        json.dump(results, sys.stdout, indent=1, ensure_ascii=False)
        sys.stdout.write("\n")
    elif args.csv:
        fields_path = fields_csv(args.csv)
        try:
            write_csv(args.csv, sheet_rows(results), SHEET_COLUMNS)
            write_csv(fields_path, field_rows(results), FIELD_COLUMNS)
        except OSError as exc:
            # (checked writable before the run; a disk that filled up during it must not lose the graded class)
            _print_table(results)
            raise GraderError("write_failed", f"--csv {args.csv}: cannot write {exc.filename or args.csv} "
                                              f"({exc.strerror}); the results are printed above instead") from None
        print(f"{args.csv}\n{fields_path}")
    elif args.xlsx:
        try:
            args.xlsx.write_bytes(to_xlsx({"sheets": _table(sheet_rows(results), SHEET_COLUMNS),
                                           "fields": _table(field_rows(results), FIELD_COLUMNS)}))
        except OSError as exc:
            _print_table(results)
            raise GraderError("write_failed", f"--xlsx {args.xlsx}: cannot write it ({exc.strerror}); the results "
                                              "are printed above instead") from None
        print(args.xlsx)
    else:
        _print_table(results)
    if args.out:
        print(f"feedback reports and marked pages: {args.out}", file=sys.stderr)
    unsure = [r for r in results if r["counts"]["review"]]
    if unsure:   # a CLI-only trainer must not take a 100 with fields left to review for a clean sheet
        # (as the output at hand shows them: a table the --csv, --xlsx or --json run never printed was named here)
        marked = (f"marked yes in the provisional column of {args.csv}" if args.csv else
                  f"marked yes in the provisional column of {args.xlsx}'s \"sheets\"" if args.xlsx else
                  "their \"status\": \"review\" in the JSON" if args.json else "marked * in the table")
        print(f"{sum(r['counts']['review'] for r in unsure)} field(s) on {len(unsure)} sheet(s) were not read surely "
              f"and are left to review: they are not in the scores ({marked}); "
              f"check them on the marked pages (--out) and grade again with --corrections, a CSV of the fields you "
              f"checked (trainee, field, value), or grade in the web app, whose review queue settles them",
              file=sys.stderr)
    refused, partial = (sum(r["status"] == status for r in results) for status in ("refused", "partial"))
    if refused or partial:   # a batch that ran is not a class that was graded: say what is left to retake
        where = (f"the refusal columns of {args.csv}" if args.csv else
                 f"the refusal columns of {args.xlsx}'s \"sheets\"" if args.xlsx else
                 "the pages' \"refusal\" in the JSON" if args.json else
                 "the reasons above" if sys.stdout.isatty() else
                 "the lines under those sheets in the table on standard output")   # (redirected: not above)
        print(f"{refused} of {len(results)} sheet(s) were refused and not graded, {partial} graded in part (a page "
              f"refused or missing): {where} say what to retake", file=sys.stderr)
    hint = another_exercise_hint(results, key.exercise)
    if hint:
        print(hint, file=sys.stderr)
    photos = sum(len(r["pages"]) for r in results)
    print(f"graded {len(results)} sheet(s) ({photos} photo(s)) in {elapsed:.1f} s "
          f"({60 * len(results) / max(elapsed, 1e-9):.1f} sheets/min, -j {args.jobs})", file=sys.stderr)
    return 0
