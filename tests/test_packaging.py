"""What can be checked of the set-up without Docker: one entry point, one set of requirements."""
import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _pins(path):
    return {line.split("==")[0].lower(): line.split("==")[1]
            for line in path.read_text().splitlines() if "==" in line and not line.startswith("#")}


def test_runtime_requirements_are_pinned_and_opencv_is_4x():
    pins = _pins(REPO / "requirements.txt")
    assert pins["opencv-python-headless"].startswith("4.")
    import cv2
    assert cv2.__version__.startswith("4.") and hasattr(cv2.aruco, "generateImageMarker")
    for line in (REPO / "requirements.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            assert "==" in line, f"unpinned requirement: {line}"


def test_dockerfile_uses_the_same_requirements_and_entry_point():
    docker = (REPO / "Dockerfile").read_text()
    assert "pip install --no-cache-dir -r requirements-build.txt -r requirements.txt" in docker
    assert re.search(r"tesseract-ocr\b.*tesseract-ocr-ind", docker)
    cmd = re.search(r'^CMD \[(.*)\]', docker, re.M).group(1)
    assert '"grader", "serve"' in cmd
    makefile = (REPO / "Makefile").read_text()
    assert "$(BIN)/grader serve" in makefile
    assert "grader = \"grader.cli:main\"" in (REPO / "pyproject.toml").read_text()


def test_console_script_runs():
    out = subprocess.run([sys.executable, "-m", "grader", "--help"], capture_output=True, text=True, check=True)
    for command in ("form", "exercise", "serve"):
        assert command in out.stdout


def test_ci_runs_make_test():
    assert "make test" in (REPO / ".ci" / "run").read_text()
