"""Subcommands of the ``grader`` CLI; each module has ``register(subparsers)``."""
from __future__ import annotations

import argparse


def worker_count(text: str) -> int:
    """``-j N``: a number of worker processes, 1 or more (argparse reports anything else as bad usage)."""
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of worker processes, got {text!r}") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"the number of worker processes must be 1 or more, got {n}")
    return n
