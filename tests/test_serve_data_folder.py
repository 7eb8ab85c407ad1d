"""One `grader serve` per data folder (grader.web.serving_lock): a second server on another port must not run its
start-up recovery on the first's work in progress."""
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time

import pytest

from grader.cli import main


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture()
def first_server(tmp_path, monkeypatch):
    """A real `grader serve` on the data folder, serving; yields (process, port, database path)."""
    data = tmp_path / "data"
    monkeypatch.setenv("GRADER_JOBS", "thread")
    monkeypatch.setenv("GRADER_TRAINER_PASSWORD", "x")
    monkeypatch.setenv("GRADER_DATA_DIR", str(data))
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "grader", "serve", "--port", str(port)], env=os.environ.copy(),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 60
        for line in proc.stdout:              # (waits for its start-up, recovery included, to end)
            if "grader: serving on" in line:
                break
            assert time.monotonic() < deadline, "the first server did not start"
        else:
            pytest.fail("the first server ended before serving")
        yield proc, port, data / "grader.sqlite3"
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(10)
        proc.stdout.close()


def a_running_job(database) -> int:
    """A job the first server is grading right now (as its worker marks it)."""
    with sqlite3.connect(database) as conn:
        return conn.execute("INSERT INTO jobs (kind, payload, state, attempts, created_at, started_at) VALUES "
                            "('grade', '{\"submission_id\": 999}', 'running', 1, '2026-01-01T00:00:00Z', "
                            "'2026-01-01T00:00:00Z')").lastrowid


def job_row(database, job_id):
    with sqlite3.connect(database) as conn:
        return conn.execute("SELECT state, run_alone FROM jobs WHERE id=?", (job_id,)).fetchone()


@pytest.fixture()
def served_at_once(monkeypatch):
    """waitress's server returns at once: what `grader serve` does before it serves is the point."""
    import waitress

    class Served:
        def print_listen(self, *a):
            pass

        def run(self):
            pass
    monkeypatch.setattr(waitress, "create_server", lambda *a, **k: Served())


def test_a_second_server_on_another_port_stops_before_touching_the_first_ones_jobs(first_server, served_at_once,
                                                                                   capsys):
    """Rehearsal (helper-196): `grader serve --port 8197` on the data folder of a server running on 8196 started,
    and its recovery logged "recovered jobs: 11 re-dispatched (2 to run alone)": the two sheets the first server's
    workers were grading were queued again as interrupted and graded by the second beside them, both at once. It
    now exits 2 before it touches the folder, naming the server that holds it."""
    proc, port, database = first_server
    job = a_running_job(database)
    assert main(["serve", "--port", str(free_port())]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and err.count("\n") == 1 and err.startswith("grader: error: "), err
    assert "already serving the data folder" in err and f"process {proc.pid} at http://127.0.0.1:{port}/" in err
    assert job_row(database, job) == ("running", 0)          # left to the server grading it
    assert proc.poll() is None


def test_a_server_killed_leaves_no_lock_behind(first_server, served_at_once):
    """The lock goes with its process however it ends (kill -9): the next start takes the folder and, the first
    server being gone for real, recovers its interrupted job."""
    proc, port, database = first_server
    job = a_running_job(database)
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)
    second = free_port()
    assert main(["serve", "--port", str(second)]) == 0
    assert job_row(database, job)[1] == 1                    # re-queued as interrupted (to run alone)
    assert f"http://127.0.0.1:{second}/" in (database.parent / "serving.lock").read_text()


def test_a_folder_that_cannot_be_locked_is_served_unguarded_and_said(tmp_path, monkeypatch, caplog):
    """A data folder on a share without locks (flock fails with ENOLCK, not 'held by another') must not stop the
    server with a traceback: it serves, and the log says the folder is unguarded."""
    import errno
    import fcntl

    from grader.web import serving_lock

    def no_locks(fd, op):
        raise OSError(errno.ENOLCK, "No locks available")

    monkeypatch.setattr(fcntl, "flock", no_locks)
    with caplog.at_level("WARNING", logger="grader.web.serving_lock"):
        held = serving_lock.hold_data_folder(tmp_path / "data", "http://127.0.0.1:1/")
    held.close()
    assert "cannot lock" in caplog.text and "No locks available" in caplog.text
