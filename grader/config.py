"""Configuration read once, at the edge, from the environment.

``GRADER_DATA_DIR`` (default ``./instance``) holds the SQLite database,
uploads, derived images and the exercise store. ``GRADER_DIGITS_MODEL`` names a folder with another digit
model to read with (a candidate under evaluation: ``grader eval --digits-model``).
"""
from __future__ import annotations

import os
from pathlib import Path


def data_dir() -> Path:
    return Path(os.environ.get("GRADER_DATA_DIR") or "instance").resolve()


# (read by grader.recognize.digit_classifier.model_dir; checked by the command line before any work)
DIGITS_MODEL_ENV = "GRADER_DIGITS_MODEL"
