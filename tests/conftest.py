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


@pytest.fixture
def code():
    """The demo exercise's code, in this test's data folder (the web tests' exercise)."""
    from grader.commands.serve import ensure_demo_data
    return ensure_demo_data()


@pytest.fixture
def app():
    """A web app on this test's data folder, grading with the fake pipeline inline (grader.web.testing)."""
    from grader.web.testing import make_test_app
    return make_test_app()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture(scope="session")
def chasil_spec():
    from grader.sheet.schema import resolve_template
    return resolve_template("chasil-kwk")


@pytest.fixture(scope="module")
def sheet(chasil_spec):
    """A four-pair Bupati sheet: the layout the mark-reader tests draw on."""
    from grader.sheet.layout import layout_sheet
    return layout_sheet(chasil_spec, contest="bupati", pairs=4)


@pytest.fixture(scope="module")
def blank_page(sheet):
    """Page 2 of ``sheet`` rendered at 8 px/mm, as float luminance in [0, 1]."""
    import numpy as np
    from grader.sheet.identity import SheetIdentity
    from grader.sheet.render import MM_PER_INCH, render_page
    ident = SheetIdentity(template="chasil-kwk", version=1, page=2, contest="bupati", pairs=4, exercise="T3ST01")
    img = render_page(sheet, sheet.pages[1], ident, dpi=8.0 * MM_PER_INCH)
    return np.asarray(img, np.float32) / 255.0
