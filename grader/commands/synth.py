"""``grader synth``: realistic phone photos of filled practice sheets, with truth files."""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from grader.commands import path_arg, worker_count, writable_folder
from grader.errors import GraderError
from grader.synth.copier import KINDS as COPY_KINDS
from grader.synth.generate import SynthOptions, generate
from grader.synth.values import MISTAKE_KINDS


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("synth", help="generate synthetic phone photos of filled sheets, with truth files",
                       description="Generate phone photos of filled practice sheets (handwriting from ARDIS) and "
                                   "a NAME.truth.json beside each NAME.jpg. Same options and seed, same bytes.")
    p.add_argument("--out", type=path_arg, required=True, help="output folder")
    p.add_argument("--count", type=int, default=20, help="photos of filled sheets (default 20)")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument("--pairs", default="random", help="candidate pairs 1..6, or 'random' per exercise (default)")
    p.add_argument("--contest", default=None, help="gubernur, bupati or walikota (default: random per exercise)")
    p.add_argument("--refusals", type=int, default=0, help="extra photos/files that must be refused (default 0)")
    p.add_argument("--mistakes", type=float, default=0.0,
                   help=f"share of sheets with planted trainee mistakes, 0..1 (default 0; {', '.join(MISTAKE_KINDS)})")
    p.add_argument("--pages", default="1,2", help="pages to photograph for each sheet (default 1,2)")
    p.add_argument("--max-megapixels", type=float, default=12.0,
                   help="cap the camera resolution, at least 0.5 (default 12: the cameras drawn take 2-12 MP; the "
                        "committed samples use 3)")
    p.add_argument("--template", default="chasil-kwk", help="template id (default chasil-kwk)")
    p.add_argument("--copies", type=float, default=0.0,
                   help="share of sheets whose print is a photocopy or a 'fit to page' print, 0..1 (default 0: "
                        "every sheet an exact laser print)")
    p.add_argument("--copy-kind", choices=list(COPY_KINDS), default=None,
                   help="make every copied sheet this kind (default: drawn per sheet)")
    p.add_argument("--show-through", type=float, default=0.0, metavar="STRENGTH",
                   help="each sheet printed on both sides of one paper: the other page (its print and writing) "
                        "shows through, mirrored and blurred, darkening the paper by up to STRENGTH, 0..1 "
                        "(default 0: off; a phone photo on a table shows about 0.05-0.25)")
    p.add_argument("--across-borders", type=float, default=0.0, metavar="SHARE",
                   help="writers whose digits are large and cross their box's border, as officers write on plano "
                        "forms: SHARE of each writer's digits run 0.08-0.22 of the box height over the top or bottom "
                        "line (or onto a side), 0..1 (default 0: off; a development set for reading such digits)")
    p.add_argument("--exercise", default=None, metavar="CODE_OR_KEY",
                   help="fill this exercise on every sheet (a code in the exercise store, or an answer key, as "
                        "grade --key), instead of drawing exercises; its contest and pairs decide the sheet")
    p.add_argument("--roster", type=path_arg, default=None, metavar="CSV",
                   help="the trainees (a roster CSV, as form print --roster): sheet i is row i (again from the top "
                        "when the rows run out), printed personalised and its number written in the boxes")
    p.add_argument("-j", "--jobs", type=worker_count, default=min(2, os.cpu_count() or 1),
                   help="worker processes (default: 2, or 1 on a single core)")
    p.set_defaults(func=cmd_synth)


def _options(args: argparse.Namespace) -> SynthOptions:
    if args.count < 0 or args.refusals < 0:
        raise GraderError("bad_usage", "--count and --refusals must not be negative")
    if not 0.0 <= args.mistakes <= 1.0:
        raise GraderError("bad_usage", f"--mistakes is a share between 0 and 1, got {args.mistakes}")
    if args.pairs == "random":
        pairs = None
    else:
        try:
            pairs = int(args.pairs)
        except ValueError:
            raise GraderError("bad_usage", f"--pairs must be a number or 'random', got {args.pairs!r}") from None
    try:
        pages = tuple(int(x) for x in args.pages.split(",") if x.strip())
    except ValueError:
        raise GraderError("bad_usage", f"--pages must be like 1,2 (got {args.pages!r})") from None
    if not pages or any(p not in (1, 2) for p in pages):
        raise GraderError("bad_usage", f"--pages must list pages 1 and/or 2 (got {args.pages!r})")
    if not 0.0 <= args.copies <= 1.0:
        raise GraderError("bad_usage", f"--copies is a share between 0 and 1, got {args.copies}")
    if not 0.0 <= args.show_through <= 1.0:
        raise GraderError("bad_usage", f"--show-through is a strength between 0 and 1, got {args.show_through}")
    if not 0.0 <= args.across_borders <= 1.0:
        raise GraderError("bad_usage", f"--across-borders is a share between 0 and 1, got {args.across_borders}")
    if args.max_megapixels < 0.5:
        raise GraderError("bad_usage", "--max-megapixels must be at least 0.5")
    if args.copy_kind and not args.copies:         # (it did nothing, silently: helper-145)
        raise GraderError("bad_usage", "--copy-kind picks the kind of the copied sheets: give --copies SHARE too")
    from grader.synth.generate import require_shared_data
    require_shared_data(args.count, args.refusals)
    exercise, roster = None, ()
    if args.exercise:
        if pairs is not None or args.contest:
            raise GraderError("bad_usage", "--exercise decides the contest and the pairs: leave out --contest and "
                                           "--pairs")
        from grader.synth.generate import given_exercise
        given = Path(args.exercise.strip())
        ex = given_exercise(str(given))                               # (one not found is said: exit 2)
        # (what the worker processes load again: the key's file where one was named, else the code in the store)
        exercise = str(given.resolve()) if given.exists() else ex.code
        if ex.template != args.template:
            raise GraderError("bad_usage", f"exercise {ex.code} is for template {ex.template}, not {args.template}")
    if args.roster:
        from grader.commands.form import read_roster, trainee_number_boxes
        from grader.sheet.layout import layout_sheet
        from grader.sheet.schema import resolve_template
        sheet = layout_sheet(resolve_template(args.template))
        roster = tuple(read_roster(args.roster, number_boxes=trainee_number_boxes(sheet)))
    return SynthOptions(count=args.count, seed=args.seed, pairs=pairs, contest=args.contest, refusals=args.refusals,
                        mistakes=args.mistakes, pages=pages, max_megapixels=args.max_megapixels,
                        template=args.template, copies=args.copies, copy_kind=args.copy_kind,
                        exercise=exercise, roster=roster, show_through=args.show_through,
                        across_borders=args.across_borders)


def cmd_synth(args: argparse.Namespace) -> int:
    opts = _options(args)
    from grader.sheet.layout import validate_params
    from grader.sheet.schema import resolve_template
    validate_params(resolve_template(opts.template), opts.contest, opts.pairs)
    writable_folder(args.out, f"--out {args.out}")
    t0 = time.perf_counter()
    tty = sys.stderr.isatty()

    def progress(done: int, total: int, entry: dict) -> None:
        if tty:
            print(f"\r{done}/{total} {entry['file']}".ljust(60), end="", file=sys.stderr, flush=True)

    entries = generate(args.out, opts, processes=args.jobs, progress=progress)
    if tty:
        print(file=sys.stderr)
    elapsed = time.perf_counter() - t0
    refusals = sum(1 for e in entries if e["expect_refusal"])
    planted = sum(1 for e in entries if e["mistakes"])
    sheets = len({(e["exercise"], e["truth"].rsplit("-p", 1)[0]) for e in entries if not e["expect_refusal"]})
    print(f"wrote {len(entries)} photos ({sheets} sheet(s), {refusals} refusal cases, {planted} with planted mistakes) "
          f"to {args.out} in {elapsed:.1f} s")
    # (which keys grade them: a class drawn over several exercises was graded against one, and a sheet of the
    # others refused as another exercise's; helper-141)
    # (only those whose key was written: a corrupt_file case's sheet, cut short, has none, and was listed as if it had,
    # the exercise named with no key in keys/: helper-174)
    exercises = sorted(code for code in {e["exercise"] for e in entries if e.get("exercise")}
                       if (Path(args.out) / "keys" / code / "answer_key.json").is_file())
    if exercises:
        print(f"exercises: {', '.join(exercises)} (answer keys in {Path(args.out) / 'keys'}; grade each with "
              f"grader grade … --key {Path(args.out) / 'keys' / exercises[0]})")
    return 0
