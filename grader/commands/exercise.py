"""``grader exercise new``: a scenario, its handout and its answer key."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from grader.commands import path_arg, writable_folder
from grader.exercise.handout import render_handout
from grader.exercise.scenario import TRAPS, generate_exercise
from grader.exercise.store import exercises_dir, list_exercises, save_exercise
from grader.sheet.render import write_pdf
from grader.sheet.schema import resolve_template

HANDOUT_DPI = 200


def register(sub: argparse._SubParsersAction) -> None:
    ex = sub.add_parser("exercise", help="create and list exercises (scenario, handout, answer key)")
    esub = ex.add_subparsers(dest="exercise_command", metavar="ACTION", parser_class=type(ex))
    esub.required = True
    p = esub.add_parser("new", help="generate an exercise: DIR/answer_key.json and DIR/handout.pdf")
    p.add_argument("template", help="template id or path")
    p.add_argument("--contest", help="gubernur, bupati or walikota (default: the template's, bupati on chasil-kwk)")
    p.add_argument("--pairs", type=int, help="number of candidate pairs (default: the template's, 3 on chasil-kwk; "
                                             "one with the kolom_kosong trap)")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0; same seed, same exercise)")
    p.add_argument("--trap", action="append", choices=TRAPS, default=[],
                   help="plant a deliberate difficulty (repeatable; default: none)")
    p.add_argument("-o", "--output", type=path_arg, required=True, help="output folder")
    p.add_argument("--no-register", action="store_true", help="do not add the key to the exercise store")
    p.set_defaults(func=cmd_new)
    p = esub.add_parser("list", help="list exercises in the store")
    p.set_defaults(func=cmd_list)


def cmd_new(args: argparse.Namespace) -> int:
    spec = resolve_template(args.template)
    ex = generate_exercise(spec, contest=args.contest, pairs=args.pairs, seed=args.seed, traps=tuple(args.trap))
    if not args.no_register:      # the store too, before anything is written (a key left unregistered is half done)
        writable_folder(exercises_dir(), f"the exercise store {exercises_dir()} (GRADER_DATA_DIR; or --no-register)")
    writable_folder(args.output, f"-o {args.output}")
    (args.output / "answer_key.json").write_text(json.dumps(ex.to_key_json(), indent=1, ensure_ascii=False))
    write_pdf(render_handout(ex, dpi=HANDOUT_DPI), args.output / "handout.pdf", dpi=HANDOUT_DPI)
    if not args.no_register:
        save_exercise(ex)
    if args.pairs is not None and ex.pairs != args.pairs:      # the kolom kosong trap makes a single-pair region
        print(f"grader: warning: a kolom kosong exists only with a single pair: exercise {ex.code} has {ex.pairs} "
              f"pair, not {args.pairs}", file=sys.stderr)
    elif args.pairs is None and "kolom_kosong" in ex.traps:    # (not the template's 3 pairs, said: helper-145)
        print(f"grader: note: a kolom kosong exists only with a single pair: exercise {ex.code} has {ex.pairs} pair",
              file=sys.stderr)
    print(f"exercise {ex.code}: {args.output / 'answer_key.json'}, {args.output / 'handout.pdf'}")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    keys = list_exercises()
    for key in keys:
        # (its traps too, by their codes as --trap takes them, as the web's list says them: helper-145)
        print(f"{key.exercise}\t{key.template}\t{key.contest}\t{key.pairs} paslon\t"
              f"{','.join(key.raw.get('traps') or ()) or '-'}")
    if not keys:      # (said on stderr: stdout stays a table, empty)
        print(f"no exercises in {exercises_dir()} (GRADER_DATA_DIR); make one with `grader exercise new`",
              file=sys.stderr)
    return 0
