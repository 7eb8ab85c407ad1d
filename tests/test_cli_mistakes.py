"""The README's contract for every command: a user's mistake exits 2 with a one-line reason on stderr, never a
traceback, and is said before the work it would have spoiled (a long eval whose report cannot be written)."""
import os
import signal
import socket
from pathlib import Path

import pytest

from grader.cli import main
from grader.web import settings_from_env

SAMPLES = Path(__file__).resolve().parents[1] / "sample_scans"


def refused(argv, capsys):
    """Run ``grader argv``: it must exit 2 with one line on stderr; that line."""
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and err.count("\n") == 1 and err.startswith("grader: error: "), err
    return err


def test_unwritable_outputs_are_refused_before_any_work(tmp_path, capsys):
    """Review (README audit): an -o, --png or --out that could not be written was an OSError traceback, exit 1,
    from form print, exercise new, synth and eval (eval's only after the whole run)."""
    a_file = tmp_path / "a.pdf"
    a_file.write_bytes(b"%PDF")
    no_dir = "/proc/no-such/x"           # a folder nobody can create, root included
    cases = {
        "cannot create the folder": ["form", "print", "chasil-kwk", "-o", f"{no_dir}/x.pdf"],
        "is a folder; name a file": ["form", "print", "chasil-kwk", "-o", str(tmp_path)],
        "--png": ["form", "print", "chasil-kwk", "-o", str(tmp_path / "ok.pdf"), "--png", "/proc/x.png"],
        "cannot create that folder": ["exercise", "new", "chasil-kwk", "-o", no_dir],
        "that is a file; name a folder": ["synth", "--out", str(a_file), "--count", "1"],
        "cannot write /proc/e.json": ["eval", "--photos", str(SAMPLES), "-o", "/proc/e.json"],
    }
    # (helper-150: `-o kelas.zip` and `--png IMG_001.jpg` wrote the sheets over a class's photos, `--png x.zip` was a
    # traceback once the PDF was written)
    photo = tmp_path / "IMG_001.jpg"
    photo.write_bytes(b"\xff\xd8 a trainee's photo")
    cases |= {"-o {}: name a .pdf file".format(photo): ["form", "print", "chasil-kwk", "-o", str(photo)],
              "--png {}: name a .png file".format(photo): ["form", "print", "chasil-kwk", "-o", str(tmp_path / "ok.pdf"),
                                                           "--png", str(photo)],
              "--png x.zip: name a .png file": ["form", "print", "chasil-kwk", "-o", str(tmp_path / "ok.pdf"),
                                                "--png", "x.zip"]}
    for said, argv in cases.items():
        assert said in refused(argv, capsys)
    assert not (tmp_path / "ok.pdf").exists()        # refused before rendering: nothing left half written
    assert photo.read_bytes() == b"\xff\xd8 a trainee's photo"
    assert main(["synth", "--out", str(tmp_path / "new" / "set"), "--count", "0"]) == 0   # a new folder is made


def test_bad_values_are_refused_with_the_reason(tmp_path, capsys):
    """Review (README audit): --dpi 0 or -5 on form print was an OpenCV or Pillow traceback (form layout printed
    negative pixels); a bench or eval --photos folder that does not exist reported zeros, exit 0; bench --repeat 0
    was a StatisticsError; read --template with a typo refused every photo as bad_template, exit 0."""
    (tmp_path / "empty").mkdir()
    photo = str(SAMPLES / "s0000-p1.jpg")
    cases = {
        "--dpi: must be from 25 to 1200": ["form", "print", "chasil-kwk", "-o", str(tmp_path / "x.pdf"), "--dpi", "0"],
        "--dpi: must be above 0": ["form", "layout", "chasil-kwk", "--json", "--dpi", "-5"],
        "no such folder": ["eval", "--photos", str(tmp_path / "nope")],
        "no truth files": ["eval", "--photos", str(tmp_path / "empty")],
        "must not be negative": ["eval", "--sheets", "-1"],
        "no digits.onnx or digits.json in that folder": ["eval", "--photos", str(SAMPLES), "--digits-model",
                                                         str(tmp_path / "empty")],
        "--photos": ["bench", "--photos", str(tmp_path / "nope")],
        "no photos to time": ["bench", "--photos", str(tmp_path / "empty")],
        "--repeat must be 1 or more": ["bench", "--photos", str(SAMPLES), "--repeat", "0"],
        "no such template": ["read", photo, "--template", "chasil-kwkk"],
        "pairs must be 1..6": ["read", photo, "--pairs", "9"],
        "a port is from 1 to 65535": ["serve", "--port", "99999"],
        "request threads must be 1 or more": ["serve", "--threads", "0"],
    }
    for said, argv in cases.items():
        assert said in refused(argv, capsys)


def test_reading_a_pipe_is_refused_not_waited_on(tmp_path, capsys):
    """Review: `grader read` of a named pipe waited forever (grade skips it as not_a_file)."""
    fifo = tmp_path / "photo.jpg"
    os.mkfifo(fifo)

    def waited(*_):
        raise AssertionError("waited on the pipe")

    before = signal.signal(signal.SIGALRM, waited)
    signal.alarm(20)        # a regression fails here, not hangs the suite
    try:
        for command in ("read", "read-boxes"):
            assert "not a photo file" in refused([command, str(fifo), "--json"], capsys)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, before)


@pytest.mark.parametrize("name, value, said", [
    ("GRADER_MAX_UPLOAD_MB", "25MB", "GRADER_MAX_UPLOAD_MB='25MB': expected a whole number"),
    ("GRADER_WORKERS", "0", "GRADER_WORKERS='0'"),
    ("GRADER_JOBS", "threads", "use one of process, thread, inline"),
    ("GRADER_TIMEZONE", "PST", "use one of WIB, WITA, WIT"),
    # (review s34: "true" was taken for off, and behind HTTPS the cookies then also went over plain HTTP)
    ("GRADER_SECURE_COOKIES", "true", "GRADER_SECURE_COOKIES='true': use 1 (on) or 0 (off)"),
])
def test_serve_with_a_setting_it_cannot_use_exits_2(monkeypatch, capsys, name, value, said):
    """Review (README audit): a documented setting with a value it cannot take was a ValueError traceback, exit 1."""
    monkeypatch.setenv("GRADER_JOBS", "inline")
    monkeypatch.setenv(name, value)
    assert said in refused(["serve", "--port", "8809"], capsys)


def test_a_time_zone_it_cannot_use_stops_serve_before_a_trainer_password_is_made(monkeypatch, capsys, tmp_path):
    """helper-145: GRADER_TIMEZONE=PST was said after the start had made (and printed) a trainer password and written
    it to the data folder; now nothing is made first."""
    monkeypatch.setenv("GRADER_JOBS", "inline")
    monkeypatch.setenv("GRADER_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("GRADER_TRAINER_PASSWORD", raising=False)
    monkeypatch.setenv("GRADER_TIMEZONE", "PST")
    assert "use one of WIB, WITA, WIT" in refused(["serve", "--port", "8811"], capsys)
    assert not (tmp_path / "data" / "trainer-password.txt").exists()


def test_settings_stay_valueerrors_for_the_wsgi_factory():
    with pytest.raises(ValueError, match="GRADER_JOB_TIMEOUT_S"):
        settings_from_env({"GRADER_JOB_TIMEOUT_S": "2m"})
    assert settings_from_env({"GRADER_WORKERS": "3"})["JOBS_WORKERS"] == 3


def test_serve_on_a_port_taken_exits_2(monkeypatch, capsys, tmp_path):
    """Review (README audit): a second `grader serve` on the same port was an OSError traceback, exit 1. And
    (review s34) it stopped only after its start-up had run on the data folder it shares with the running server
    (recovery re-queued that server's jobs): the port is taken first, before the data folder is touched."""
    monkeypatch.setenv("GRADER_JOBS", "inline")
    monkeypatch.setenv("GRADER_TRAINER_PASSWORD", "x")
    monkeypatch.setenv("GRADER_DATA_DIR", str(tmp_path / "data"))
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        err = refused(["serve", "--port", str(port), "--demo"], capsys)
    assert f"cannot serve on 127.0.0.1:{port}" in err and "choose another --port" in err
    assert not (tmp_path / "data").exists()                   # no database, no demo exercise, no recovery
    for host in ("256.1.1.1", ""):       # (review s34: a traceback, waitress's ValueError after the resolver's)
        assert f"cannot serve on {host}:8000" in refused(["serve", "--host", host], capsys)


def test_serve_on_every_interface_prints_the_addresses_phones_open(monkeypatch, capsys, tmp_path):
    """`grader serve --host 0.0.0.0` printed "serving on http://0.0.0.0:8000/", an address no phone opens; the
    trainer had to find the laptop's address by other means (helper-140). It prints the network's addresses too."""
    import waitress

    import grader.web.lan_address as lan_address
    from grader.cli import main
    monkeypatch.setenv("GRADER_JOBS", "inline")
    monkeypatch.setenv("GRADER_TRAINER_PASSWORD", "x")
    monkeypatch.setenv("GRADER_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setattr(lan_address, "lan_addresses", lambda: ["192.168.1.20"])

    class Served:                 # (the server returns at once: what is printed before it runs is the point)
        def print_listen(self, *a):
            pass

        def run(self):
            pass
    monkeypatch.setattr(waitress, "create_server", lambda *a, **k: Served())
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    assert main(["serve", "--host", "0.0.0.0", "--port", str(port)]) == 0
    assert f"grader: on this computer's network: http://192.168.1.20:{port}/" in capsys.readouterr().out


def test_a_candidate_model_folder_without_the_model_is_refused_before_any_work(tmp_path, monkeypatch, capsys):
    """GRADER_DIGITS_MODEL (a retrained model under evaluation) naming a folder without the model files: one line
    with the reason and exit 2 before reading anything, not a traceback at the first photo (or, for a server, every
    upload failing)."""
    monkeypatch.setenv("GRADER_DIGITS_MODEL", str(tmp_path))
    for argv in (["read", str(SAMPLES / "s0000-p1.jpg"), "--json"], ["serve", "--port", "8799"]):
        said = refused(argv, capsys)
        assert "GRADER_DIGITS_MODEL" in said and "no digits.onnx or digits.json" in said


def test_a_usage_mistake_names_the_command_once_and_where_its_help_is(capsys):
    """Review (s33): argparse's message came out as "grader: error: grader grade: the following arguments ...",
    the program named twice and no word on where to look next."""
    err = refused(["grade"], capsys)
    assert err == ("grader: error: grade: the following arguments are required: paths, --key "
                   "(see 'grader grade --help')\n")
    assert refused(["form", "print"], capsys).startswith("grader: error: form print: ")
    assert "(see 'grader --help')" in refused(["no-such-command"], capsys)


def test_synth_without_the_shared_data_says_what_is_missing_and_where_to_put_it(monkeypatch, capsys, tmp_path):
    """helper-145: a clone with no ../shared beside it ended `grader synth` (and `make samples`, `grader eval`) in a
    FileNotFoundError traceback, exit 1. It is said in one line, exit 2, before anything is written."""
    import grader.synth.refusals as refusals
    monkeypatch.setenv("GRADER_ARDIS", str(tmp_path / "nowhere.npz"))
    said = refused(["synth", "--out", str(tmp_path / "out"), "--count", "2"], capsys)
    assert "nowhere.npz" in said and "GRADER_ARDIS" in said and not (tmp_path / "out").exists()
    monkeypatch.chdir(tmp_path)                      # (eval makes its set in a folder of the working directory)
    said = refused(["eval", "--sheets", "2", "--refusals", "0", "-o", str(tmp_path / "e.json")], capsys)
    assert "nowhere.npz" in said
    monkeypatch.delenv("GRADER_ARDIS")
    monkeypatch.setattr(refusals, "KAWALC1_PHOTOS", tmp_path / "no-photos")
    said = refused(["synth", "--out", str(tmp_path / "out"), "--count", "0", "--refusals", "8"], capsys)
    assert "no-photos" in said and "fewer --refusals" in said and not (tmp_path / "out").exists()


def test_synth_with_an_unknown_exercise_names_its_own_flag_for_a_key_file(monkeypatch, capsys, tmp_path):
    """helper-145: synth's message said "give the key itself, --key path/to/answer_key.json"; synth has no --key."""
    monkeypatch.chdir(tmp_path)
    said = refused(["synth", "--out", str(tmp_path / "out"), "--count", "2", "--exercise", "NOPE12"], capsys)
    assert "--exercise path/to/answer_key.json" in said and "--key" not in said


def test_synth_copy_kind_without_copies_is_refused_not_ignored(capsys, tmp_path):
    """helper-145: --copy-kind fit without --copies wrote exact laser prints, exit 0, as if asked for nothing."""
    said = refused(["synth", "--out", str(tmp_path / "out"), "--count", "2", "--copy-kind", "fit"], capsys)
    assert "--copies" in said and not (tmp_path / "out").exists()
