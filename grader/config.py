"""Configuration read once, at the edge, from the environment.

``GRADER_DATA_DIR`` (default ``./instance``) holds the SQLite database,
uploads, derived images and the exercise store.
"""
from __future__ import annotations

import os
from pathlib import Path


def data_dir() -> Path:
    return Path(os.environ.get("GRADER_DATA_DIR") or "instance").resolve()
