import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = (REPO / ".." / "shared").resolve()


@pytest.fixture(autouse=True)
def isolated_data_dir(tmp_path, monkeypatch):
    """Every test gets its own data folder (exercise store, uploads, database)."""
    d = tmp_path / "data"
    monkeypatch.setenv("GRADER_DATA_DIR", str(d))
    return d


@pytest.fixture(scope="session")
def chasil_spec():
    from grader.sheet.schema import resolve_template
    return resolve_template("chasil-kwk")
