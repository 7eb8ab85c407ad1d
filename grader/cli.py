"""The ``grader`` console script: parses arguments and dispatches to a command module.

Each module in :mod:`grader.commands` registers its own subcommands; this file
only owns the exit-code contract: 0 on success, 2 with a one-line reason on
stderr for a user's mistake (never a traceback).
"""
from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
from pathlib import Path

from grader.config import DIGITS_MODEL_ENV
from grader.errors import GraderError

# Command modules, each with ``register(subparsers)``; order is the help order.
COMMAND_MODULES = ("form", "exercise", "synth", "read", "grade", "evaluate", "bench", "serve")

log = logging.getLogger("grader")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse would exit with its own format
        # "grader: error: grade: ... (see 'grader grade --help')": main() already says "grader"
        command = self.prog.partition(" ")[2]
        raise GraderError("bad_usage", f"{command + ': ' if command else ''}{message} (see '{self.prog} --help')")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="grader", description="Grade photos of hand-filled C.Hasil practice sheets.")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress to stderr")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(f"grader.commands.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"grader.commands.{name}":
                raise
            continue  # command not built yet
        module.register(sub)
    return parser


def _check_digits_model_env() -> None:
    """A ``GRADER_DIGITS_MODEL`` folder (a candidate digit model) without the model files is said before any work,
    not as a traceback at the first photo, nor as every upload of a server failing."""
    folder = os.environ.get(DIGITS_MODEL_ENV)
    if not folder:
        return
    from grader.recognize.digit_classifier import missing_model_files

    missing = missing_model_files(Path(folder))
    if missing:
        raise GraderError("bad_usage", f"{DIGITS_MODEL_ENV}={folder}: no {' or '.join(missing)} in that folder; "
                                       "unset it to read with the shipped model")


def main(argv: list[str] | None = None) -> int:
    try:
        parser = build_parser()
        args = parser.parse_args(argv)
        logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                            format="%(levelname)s %(name)s: %(message)s")
        _check_digits_model_env()
        return int(args.func(args) or 0)
    except GraderError as exc:
        print(f"grader: error: {exc.message}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("grader: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
