"""The application factory: configuration from the environment, the database command, the serve command."""
import sqlite3

from grader.web import create_app, settings_from_env
from grader.web.testing import log_in


def test_configuration_comes_from_the_environment_once(monkeypatch, isolated_data_dir):
    monkeypatch.setenv("GRADER_TRAINER_PASSWORD", "dari-env")
    monkeypatch.setenv("GRADER_MAX_UPLOAD_MB", "3")
    monkeypatch.setenv("GRADER_SECRET_KEY", "k" * 32)
    app = create_app({"TESTING": True, "JOBS_MODE": "inline"})
    assert app.config["MAX_PHOTO_BYTES"] == 3 * 1024 * 1024 and app.config["SECRET_KEY"] == "k" * 32
    assert app.config["DATABASE"] == str(isolated_data_dir / "grader.sqlite3")
    monkeypatch.setenv("GRADER_TRAINER_PASSWORD", "changed-later")         # read once, at creation
    assert log_in(app.test_client(), password="dari-env").status_code == 302


def test_settings_defaults():
    s = settings_from_env({})
    assert s["MAX_PHOTO_BYTES"] == 25 * 1024 * 1024 and s["JOBS_MODE"] == "process"
    assert s["SESSION_COOKIE_SECURE"] is False and s["RECOVERY_WAIT_S"] == 20
    assert settings_from_env({"GRADER_SECURE_COOKIES": "1"})["SESSION_COOKIE_SECURE"] is True


def test_secret_key_is_generated_once_and_kept(isolated_data_dir):
    a = create_app({"JOBS_MODE": "inline", "TRAINER_PASSWORD": "x"})
    b = create_app({"JOBS_MODE": "inline", "TRAINER_PASSWORD": "x"})
    assert a.config["SECRET_KEY"] == b.config["SECRET_KEY"] and len(a.config["SECRET_KEY"]) == 64


def test_init_db_command_creates_the_tables_in_wal_mode(isolated_data_dir):
    app = create_app({"JOBS_MODE": "inline", "TRAINER_PASSWORD": "x"})
    result = app.test_cli_runner().invoke(args=["init-db"])
    assert "Initialised the database" in result.output
    conn = sqlite3.connect(app.config["DATABASE"])
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"jobs", "batches", "submissions", "uploads", "corrections"} <= tables
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_database_from_an_older_version_gains_the_new_columns(tmp_path):
    """A class's database outlives an upgrade: columns added since are added in place, the rows kept."""
    from grader.web.db import connect, init_schema
    conn = connect(tmp_path / "old.sqlite3")
    init_schema(conn)
    conn.execute("INSERT INTO submissions (token, content_hash, source, created_at, updated_at) "
                 "VALUES ('t', 'h', 'trainee', 'now', 'now')")
    conn.execute("INSERT INTO jobs (kind, payload, state, created_at) VALUES ('grade', '{}', 'queued', 'now')")
    added = (("jobs", "priority"), ("jobs", "run_alone"), ("batches", "removed_at"), ("submissions", "typed_code"),
             ("submissions", "trainee_retries"), ("uploads", "place"), ("submissions", "left_out"),
             ("submissions", "typed_trainee"), ("submissions", "queue_priority"))
    for table, column in added:
        conn.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
    init_schema(conn)
    for table, column in added:
        assert column in {r["name"] for r in conn.execute(f"PRAGMA table_info({table})")}
    assert conn.execute("SELECT token FROM submissions").fetchone()["token"] == "t"
    assert conn.execute("SELECT trainee_retries FROM submissions").fetchone()[0] == 0     # (a sheet from before)
    assert conn.execute("SELECT typed_trainee FROM submissions").fetchone()[0] is None   # (not known: as before)
    assert tuple(conn.execute("SELECT state, run_alone FROM jobs").fetchone()) == ("queued", 0)


def test_serve_command_is_registered():
    import argparse

    from grader.commands import serve
    parser = argparse.ArgumentParser()
    serve.register(parser.add_subparsers())
    args = parser.parse_args(["serve", "--host", "0.0.0.0", "--port", "9000", "--demo"])
    assert (args.host, args.port, args.demo, args.func) == ("0.0.0.0", 9000, True, serve.cmd_serve)


def _children(pid: int) -> set[int]:
    """Every live descendant of ``pid`` (read from /proc)."""
    from pathlib import Path
    parents = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(stat.parent.name)] = int(fields[1])
    out, todo = set(), [pid]
    while todo:
        p = todo.pop()
        kids = {c for c, pp in parents.items() if pp == p}
        out |= kids
        todo.extend(kids)
    return out


def test_sigterm_stops_the_server_and_its_worker_processes(isolated_data_dir):
    """kill / docker stop must not leave grading workers running without their server."""
    import os
    import signal
    import socket
    import subprocess
    import sys
    import time

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = dict(os.environ, GRADER_DATA_DIR=str(isolated_data_dir), GRADER_WORKERS="2",
               GRADER_TRAINER_PASSWORD="x")
    proc = subprocess.Popen([sys.executable, "-m", "grader.cli", "serve", "--port", str(port)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    workers: set[int] = set()
    try:
        assert "serving on" in proc.stdout.readline() or "serving on" in proc.stdout.readline()
        deadline = time.time() + 60
        while len(_children(proc.pid)) < 2 and time.time() < deadline:     # the warmed-up worker processes
            time.sleep(0.2)
        workers = _children(proc.pid)
        assert len(workers) >= 2
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) != -signal.SIGTERM                 # it handled the signal and cleaned up
        deadline = time.time() + 20
        while _alive(workers) and time.time() < deadline:
            time.sleep(0.2)
        assert not _alive(workers)
    finally:
        if proc.poll() is None:
            proc.kill()
        for pid in _alive(workers):      # a failed run must not leave them behind either
            os.kill(pid, signal.SIGKILL)


def _alive(pids: set[int]) -> set[int]:
    """The ones still running (a zombie waiting for its reaper has stopped)."""
    out = set()
    for pid in pids:
        try:
            state = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            out.add(pid)
    return out


def test_unknown_page_and_json_errors(isolated_data_dir):
    app = create_app({"JOBS_MODE": "inline", "TRAINER_PASSWORD": "x"})
    client = app.test_client()
    page = client.get("/tidak-ada")
    assert page.status_code == 404 and "Halaman tidak ditemukan" in page.get_data(as_text=True)
    assert client.get("/hasil/nope.json").get_json()["error"] == 404


def test_an_error_page_leaves_a_waiting_message_for_the_page_it_was_meant_for(isolated_data_dir):
    """helper-58's finding: a 404 or 500 page shown in between (the uploader's answer, a stale link) used up a
    message flashed for the next page, e.g. a batch's "storage full: 3 of 5 stored"."""
    app = create_app({"JOBS_MODE": "inline", "TRAINER_PASSWORD": "x"})

    def boom():
        raise RuntimeError("a bug")
    app.add_url_rule("/boom", "boom", boom)
    client = app.test_client()
    for broken, code in (("/tidak-ada", 404), ("/boom", 500)):
        with client.session_transaction() as session:
            session["_flashes"] = [("warning", "Baru 3 dari 5 foto tersimpan.")]
        page = client.get(broken)
        assert page.status_code == code and "Baru 3 dari 5" not in page.get_data(as_text=True)
        assert "Baru 3 dari 5 foto tersimpan." in client.get("/").get_data(as_text=True)
        assert "Baru 3 dari 5" not in client.get("/").get_data(as_text=True)      # shown once


def test_pages_carry_security_headers(isolated_data_dir):
    app = create_app({"JOBS_MODE": "inline", "TRAINER_PASSWORD": "x"})
    resp = app.test_client().get("/")
    csp = resp.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert resp.headers["X-Content-Type-Options"] == "nosniff" and resp.headers["X-Frame-Options"] == "DENY"


def test_config_file_is_read_and_the_environment_wins(monkeypatch, isolated_data_dir):
    isolated_data_dir.mkdir(parents=True, exist_ok=True)
    (isolated_data_dir / "config.json").write_text('{"JOB_TIMEOUT_S": 33, "JOBS_WORKERS": 3}')
    monkeypatch.setenv("GRADER_WORKERS", "1")
    app = create_app({"JOBS_MODE": "inline", "TRAINER_PASSWORD": "x"})
    assert app.config["JOB_TIMEOUT_S"] == 33 and app.config["JOBS_WORKERS"] == 1


def test_every_page_names_its_icon_and_favicon_ico_is_found(isolated_data_dir):
    """QA: /favicon.ico was a 404 (a console error) on every page."""
    import re

    client = create_app({"JOBS_MODE": "inline", "TRAINER_PASSWORD": "x"}).test_client()
    for path in ("/", "/trainer/masuk", "/no-such-page"):
        html = client.get(path).get_data(as_text=True)
        href = re.search(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', html).group(1)
        icon = client.get(href)
        assert icon.status_code == 200 and icon.mimetype == "image/svg+xml" and b"<svg" in icon.data, path
    ico = client.get("/favicon.ico")
    assert ico.status_code == 200 and ico.mimetype == "image/svg+xml" and b"<svg" in ico.data


def test_the_uploader_is_handed_a_redirect_with_the_cookies_it_sets(isolated_data_dir):
    """The uploader (static/app.js) sends with X-Uploader: a redirect comes back as 204 with X-Uploader-Redirect, for
    the page to open (a message flashed for that page is shown there, not used up by the script), and with what the
    redirect set: the remembered code and name, the session. Anything but a redirect is answered as before."""
    import io

    from grader.commands.serve import ensure_demo_data
    from grader.web.testing import csrf_of, jpeg_bytes, make_test_app
    code = ensure_demo_data()
    client = make_test_app().test_client()
    data = {"csrf_token": csrf_of(client), "code": code, "trainee": "Budi", "client_token": "t1",
            "photo_1": (io.BytesIO(jpeg_bytes()), "017_1.jpg")}
    resp = client.post("/", data=data, content_type="multipart/form-data", headers={"X-Uploader": "1"})
    assert resp.status_code == 204 and resp.get_data() == b"" and "Location" not in resp.headers, resp.headers
    assert resp.headers["X-Uploader-Redirect"].startswith("/hasil/")
    cookies = " ".join(resp.headers.get_all("Set-Cookie"))
    assert f"code={code}" in cookies and "trainee=Budi" in cookies and "session=" in cookies, cookies
    assert "Hasil penilaian" in client.get(resp.headers["X-Uploader-Redirect"]).get_data(as_text=True)
    refused = client.post("/", data={"csrf_token": csrf_of(client), "code": code}, headers={"X-Uploader": "1"})
    assert refused.status_code == 400 and "X-Uploader-Redirect" not in refused.headers     # the page, written
