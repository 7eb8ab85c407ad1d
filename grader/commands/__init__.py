"""Subcommands of the ``grader`` CLI; each module has ``register(subparsers)``."""
from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from grader.errors import GraderError


def count_of(things: str):
    """An argparse type for a number of ``things``, 1 or more (argparse reports anything else as bad usage)."""
    def parse(text: str) -> int:
        try:
            n = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a number of {things}, got {text!r}") from None
        if n < 1:
            raise argparse.ArgumentTypeError(f"the number of {things} must be 1 or more, got {n}")
        return n
    return parse


#: ``-j N``: a number of worker processes
worker_count = count_of("worker processes")


def path_arg(text: str) -> Path:
    """An argparse type for a file or folder named on the command line. An empty one is refused: it would mean the
    current folder (``--csv $OUT`` with OUT unset wrote there, or crashed)."""
    if not text.strip():
        raise argparse.ArgumentTypeError("an empty path (an unset shell variable?); name a file or folder")
    return Path(text)


def writable_folder(path: Path, what: str) -> Path:
    """An output folder, created if needed and checked writable before any work: a path that cannot be one is the
    user's mistake, said at once (exit 2), not a traceback after a long run. ``what`` names it: ``"--out DIR"``."""
    if path.exists() and not path.is_dir():
        raise GraderError("bad_usage", f"{what}: that is a file; name a folder (it is created if needed)")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise GraderError("bad_usage", f"{what}: cannot create that folder ({exc.strerror})") from None
    try:
        tempfile.TemporaryFile(dir=path).close()     # an existing folder may still be read-only
    except OSError as exc:
        raise GraderError("bad_usage", f"{what}: cannot write in that folder ({exc.strerror})") from None
    return path


def writable_file(path: Path, what: str) -> Path:
    """An output file checked writable before any work (see :func:`writable_folder`); its folder is created if
    needed, as an output folder is (``grade --csv`` refused a folder ``form print -o`` made, and ``grade --out
    hasil/umpan --csv hasil/kelas.csv`` refused the folder its ``--out`` was about to make). A file that did not
    exist is not left behind by the check."""
    if path.is_dir():
        raise GraderError("bad_usage", f"{what}: {path} is a folder; name a file")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise GraderError("bad_usage", f"{what}: cannot create the folder {path.parent} ({exc.strerror})") from None
    existed = path.exists()
    try:
        open(path, "a").close()    # writable now, not only once the work is done
    except OSError as exc:
        raise GraderError("bad_usage", f"{what}: cannot write {path} ({exc.strerror})") from None
    if not existed:
        path.unlink()              # until the work is done: a refused or interrupted run leaves no empty file
    return path
