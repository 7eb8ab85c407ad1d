"""A live server (waitress on loopback, real pipeline, worker processes) and headless Debian chromium."""
import shutil
import threading
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-dev-shm-usage"]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"


@pytest.fixture(scope="module")
def browser():
    if not (Path(CHROMIUM).exists() or shutil.which("chromium")):
        pytest.skip("Debian chromium is not installed (apt-get install chromium); the browser test needs it")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium"),
                              headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


def _serve(config):
    import waitress

    from grader.commands.serve import ensure_demo_data
    from grader.web import create_app
    from grader.web.testing import TEST_PASSWORD

    code = ensure_demo_data()
    app = create_app({"TRAINER_PASSWORD": TEST_PASSWORD, **config})
    server = waitress.create_server(app, host="127.0.0.1", port=0, threads=6)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield {"url": f"http://127.0.0.1:{server.effective_port}", "code": code, "app": app}
    # Leave the server's loop first, then close its sockets: closed under the loop's select(), the server thread
    # died with EBADF (a warning in the test run). The loop ends when its map is empty, so the browser's kept-alive
    # connections leave it too.
    channels = list(server._map.values())
    for channel in channels:
        channel.del_channel()
    thread.join(timeout=5)
    for channel in channels:
        channel.close()
    app.extensions["grader.jobs"].shutdown(wait=False)


@pytest.fixture
def live_server(isolated_data_dir):
    """The real pipeline in worker processes."""
    yield from _serve({"JOBS_MODE": "process", "JOBS_WORKERS": 2})


@pytest.fixture
def fake_live_server(isolated_data_dir):
    """The fake pipeline (grader.web.testing): every sheet has one field to review, for the review queue."""
    yield from _serve({"JOBS_MODE": "thread", "JOBS_WORKERS": 2, "PIPELINE": "grader.web.testing"})


@pytest.fixture
def shots():
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page, name):
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path
    return take
