"""What `grader grade` writes, and what it must never write over or read back: a review of the command line
(session 33) found a photo written over by `--csv`, a second run grading the first run's marked pages, a partial
sheet not told which page was missing, unnamed sheets that the fields table could not tell apart, and a Ctrl-C
that could hang with worker processes."""
import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from grader.batch import OUTPUT_MARK
from grader.cli import main

SAMPLES = Path(__file__).resolve().parents[1] / "sample_scans"
KEY = str(SAMPLES / "keys" / "6ARJET")          # the exercise of sample sheet s0001
REPO = Path(__file__).resolve().parents[1]


def _rows(path: Path) -> list[dict]:
    return list(csv.DictReader(path.open(encoding="utf-8-sig")))


def test_a_csv_named_like_a_photo_or_an_input_is_refused_and_the_photo_kept(tmp_path, capsys):
    """`--csv kelas/*.jpg` made the first photo OUT: it was written over with the table, exit 0."""
    folder = tmp_path / "kelas"
    folder.mkdir()
    for n in ("s0001-p1.jpg", "s0001-p2.jpg"):
        shutil.copy(SAMPLES / n, folder / n)
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    for out in (folder / "s0001-p1.jpg", tmp_path / "kelas.zip", tmp_path / "Kelas.JPEG"):
        assert main(["grade", str(folder / "s0001-p2.jpg"), "--key", KEY, "--csv", str(out)]) == 2
        err = capsys.readouterr().err
        assert "would be written over; name a .csv file" in err and "Traceback" not in err
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before
    assert not (tmp_path / "kelas.zip").exists()


def test_a_second_run_leaves_out_the_first_runs_feedback_and_tables(tmp_path, capsys, caplog):
    """The second of two identical runs graded 92 "sheets": every marked page, crop and header strip of the first
    run's --out folder inside the class folder, the trainee's sheet made of the marked copies."""
    folder = tmp_path / "K"
    folder.mkdir()
    for n in ("s0001-p1.jpg", "s0001-p2.jpg"):
        shutil.copy(SAMPLES / n, folder / n)
    args = ["grade", str(folder), "--key", KEY, "--out", str(folder / "feedback"), "--csv", str(folder / "hasil.csv")]
    assert main(args) == 0
    first, first_fields = _rows(folder / "hasil.csv"), _rows(folder / "hasil-fields.csv")
    assert (folder / "feedback" / OUTPUT_MARK).is_file() and any((folder / "feedback").rglob("*.jpg"))
    with caplog.at_level("WARNING", logger="grader.batch"):
        assert main(args) == 0
    assert "feedback written by grader grade --out" in caplog.text
    second, second_fields = _rows(folder / "hasil.csv"), _rows(folder / "hasil-fields.csv")
    assert len(first) == len(second) == 1
    assert second == first and second_fields == first_fields
    # each field row names its sheet's photos, as the sheet row does: the two tables join on it
    assert {r["files"] for r in second_fields} == {second[0]["files"]}
    assert second[0]["files"] == f"{folder / 's0001-p1.jpg'};{folder / 's0001-p2.jpg'}"


def test_a_second_run_into_the_same_out_folder_keeps_no_page_or_report_of_the_first(tmp_path, capsys, caplog):
    """A trainer's run (h41b): grading s0001's two pages into --out, then page 1 alone into the same folder, left the
    first run's page2.jpg, ident2.png and page-2 crops in the sheet's folder beside a report saying page 2 was never
    sent; and a sheet of the first run only (here the blurred photo's) kept its report, as if graded again."""
    fb, blurred = tmp_path / "fb", str(SAMPLES / "r000-too_blurry.jpg")
    p1, p2 = (str(SAMPLES / f"s0001-p{n}.jpg") for n in (1, 2))
    assert main(["grade", p1, p2, blurred, "--key", KEY, "--out", str(fb)]) == 0
    [sheet] = [d for d in fb.iterdir() if d.is_dir()]
    assert (sheet / "page2.jpg").is_file() and len(list(fb.glob("*-feedback.html"))) == 2
    page2_crops = {p.name for p in (sheet / "crops").iterdir()} - {f"{fid}.png" for fid in _page1_fields(sheet)}
    assert page2_crops
    (tmp_path / "kosong").mkdir()      # a run that finds no photo (exit 2) keeps the earlier run's feedback
    assert main(["grade", str(tmp_path / "kosong"), "--key", KEY, "--out", str(fb)]) == 2
    assert (sheet / "page2.jpg").is_file() and len(list(fb.glob("*-feedback.html"))) == 2
    own = fb / "Andi"                  # a folder of the trainer's own, no sheet's: page1.jpg in it is not ours
    own.mkdir()
    (own / "page1.jpg").write_bytes(b"a photo")
    with caplog.at_level("WARNING", logger="grader.batch"):
        assert main(["grade", p1, "--key", KEY, "--out", str(fb)]) == 0
    assert "replaced the feedback of an earlier run (2 report(s))" in caplog.text
    assert (own / "page1.jpg").read_bytes() == b"a photo"
    own.joinpath("page1.jpg").unlink()
    own.rmdir()
    [sheet] = [d for d in fb.iterdir() if d.is_dir()]       # (named anew: page 1 alone may name its trainee apart)
    assert sorted(p.name for p in sheet.iterdir()) == ["crops", "ident1.png", "page1.jpg"]
    assert not page2_crops & {p.name for p in (sheet / "crops").iterdir()}
    assert [p.name for p in fb.glob("*-feedback.html")] == [f"{sheet.name}-feedback.html"]
    assert (fb / OUTPUT_MARK).is_file()


def test_an_out_folder_that_holds_the_photos_is_refused_and_not_marked(tmp_path, capsys, monkeypatch):
    """`grader grade kelas --out kelas` (the feedback put beside the photos, h41b) marked the class folder as a
    feedback folder: that run graded nothing ("no photos found"), and every later batch over it left it out as
    "feedback written by grader grade --out", until the hidden mark was found and deleted."""
    kelas = tmp_path / "kelas"
    (kelas / "Andi").mkdir(parents=True)
    for n in (1, 2):
        shutil.copy(SAMPLES / f"s0001-p{n}.jpg", kelas / "Andi" / f"hal{n}.jpg")
    monkeypatch.chdir(tmp_path)
    for photos, out in (([str(kelas)], str(kelas)), ([str(kelas / "Andi" / "hal1.jpg")], str(kelas)),
                        (["kelas"], "."), (["kelas/Andi"], "kelas")):
        assert main(["grade", *photos, "--key", KEY, "--out", out]) == 2
        err = capsys.readouterr().err
        assert "holds the photos to grade" in err and "name another folder" in err, err
        assert not list(tmp_path.rglob(OUTPUT_MARK))
    assert main(["grade", str(kelas), "--key", KEY, "--out", str(kelas / "umpan-balik")]) == 0   # inside it: fine
    capsys.readouterr()
    assert main(["grade", str(kelas), "--key", KEY, "--json"]) == 0
    assert len(json.loads(capsys.readouterr().out)) == 1


def test_a_ctrl_c_while_the_feedback_is_written_says_the_out_folder_is_incomplete(tmp_path, capsys, monkeypatch):
    """Interrupted while --out was being written (h41b: timeout -s INT 7.2 on a chat export: 12 sheets' folders,
    3 of 16 reports), the batch said only 'grader: interrupted', and the folder looked like a class's feedback."""
    fb = tmp_path / "fb"
    photos = [str(SAMPLES / f"s0001-p{n}.jpg") for n in (1, 2)]

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt
    monkeypatch.setattr("grader.grading.report.write_reports", interrupted)
    assert main(["grade", *photos, "--key", KEY, "--out", str(fb)]) == 130
    err = capsys.readouterr().err
    assert f"--out {fb}: interrupted while it was written, it holds part of this batch's feedback" in err, err
    monkeypatch.setattr("grader.commands.grade.grade_batch", interrupted)      # (before any writing: not said)
    assert main(["grade", *photos, "--key", KEY, "--out", str(tmp_path / "fb2")]) == 130
    assert "part of this batch" not in capsys.readouterr().err


def test_json_with_out_names_each_sheets_feedback_folder_and_report(tmp_path, capsys):
    """`--json --out DIR` gave each page's marked page as "page1.jpg" and each field's crop as "crops/I.A.1.L.png",
    relative to a sheet folder the JSON never named (h41b): a script could not find one sheet's files among the
    class's folders."""
    fb = tmp_path / "fb"
    photos = [str(SAMPLES / f"s0001-p{n}.jpg") for n in (1, 2)] + [str(SAMPLES / "r000-too_blurry.jpg")]
    assert main(["grade", *photos, "--key", KEY, "--json", "--out", str(fb)]) == 0
    results = json.loads(capsys.readouterr().out)
    assert len(results) == 2
    for r in results:
        assert Path(r["report"]).is_file() and Path(r["report"]).parent == fb
        if r["status"] == "refused":       # (no page read: no marked page or crop, no folder)
            assert "feedback_dir" not in r
            continue
        folder = Path(r["feedback_dir"])
        assert folder.parent == fb and folder.is_dir()
        assert all((folder / p["annotated"]).is_file() for p in r["pages"] if p["annotated"])
        assert all((folder / f["crop"]).is_file() for f in r["fields"] if f.get("crop"))
    assert any(p["annotated"] for r in results for p in r["pages"])
    assert main(["grade", photos[0], "--key", KEY, "--json"]) == 0
    assert "feedback_dir" not in json.loads(capsys.readouterr().out)[0]      # (no --out, no feedback)


def _page1_fields(sheet_folder: Path) -> set[str]:
    """The field ids on page 1 of the sample sheets' form (as the feedback crops name them)."""
    from grader.exercise.store import load_key
    from grader.sheet.layout import shared_layout
    from grader.sheet.schema import resolve_template
    key = load_key(KEY)
    layout = shared_layout(resolve_template(key.template), contest=key.contest, pairs=key.pairs)
    return {f.id for f in layout.pages[0].fields}


def test_a_sheet_with_a_page_not_sent_says_which_page_to_photograph(tmp_path, capsys):
    """A partial sheet's summary pointed at "the reasons above", and there were none; its CSV said nothing."""
    photo = str(SAMPLES / "s0001-p1.jpg")
    assert main(["grade", photo, "--key", KEY]) == 0
    out, err = capsys.readouterr()
    assert "partial" in out and "page 2: no photo of this page was sent; photograph it" in out
    # (stdout is no terminal here, as when redirected to a file: the reasons are not "above")
    assert ("graded in part (a page refused or missing): the lines under those sheets in the table on standard "
            "output say what to retake") in err
    table = tmp_path / "t.csv"
    assert main(["grade", photo, "--key", KEY, "--csv", str(table)]) == 0
    [row] = _rows(table)
    assert row["status"] == "partial" and row["refusal"] == "page2=page_missing"
    assert row["provisional"] == ("yes" if int(row["review"]) else "")    # its read pages' score may still change
    assert row["refusal_message"].startswith("page 2: no photo of this page was sent")
    assert table.read_bytes().startswith(b"\xef\xbb\xbf")          # with a BOM, as the web export: Excel reads UTF-8


def test_a_page_whose_photo_was_refused_is_not_said_to_be_missing(tmp_path, capsys):
    """Read-through: every field of an unread page is noted page_missing, refused or never sent; a sheet whose page 2
    photo was refused as blurred was also told "page 2: no photo of this page was sent"."""
    import cv2

    (tmp_path / "k").mkdir()
    shutil.copy(SAMPLES / "s0001-p1.jpg", tmp_path / "k" / "s0001-p1.jpg")
    sharp = cv2.imread(str(SAMPLES / "s0001-p2.jpg"))
    cv2.imwrite(str(tmp_path / "k" / "s0001-p2.jpg"), cv2.GaussianBlur(sharp, (0, 0), 12))
    table = tmp_path / "t.csv"
    assert main(["grade", str(tmp_path / "k"), "--key", KEY, "--csv", str(table), "--out", str(tmp_path / "fb")]) == 0
    [row] = _rows(table)
    assert row["status"] == "partial" and row["refusal"].endswith("s0001-p2.jpg=too_blurry")
    assert "page_missing" not in row["refusal"] and "no photo of this page" not in row["refusal_message"]
    assert "belum dikirim" not in next((tmp_path / "fb").glob("*-feedback.html")).read_text()


def test_ctrl_c_stops_a_batch_with_workers_at_once(tmp_path):
    """With -j 2, a Ctrl-C (SIGINT to the terminal's process group, workers included) printed a traceback from the
    executor and could hang for good (CPython gh-107219). The batch must stop within seconds, exit 130, and leave
    no worker behind."""
    proc = _batch_in_a_terminal(tmp_path, copies=4)
    time.sleep(5)                 # the workers have started and are reading
    assert proc.poll() is None, "the batch ended before it could be interrupted: give it more photos"
    os.killpg(proc.pid, signal.SIGINT)
    _assert_stopped_cleanly(proc)
    deadline = time.monotonic() + 10      # (a worker that just ended may be a zombie for a moment, until reaped)
    while True:
        try:
            os.killpg(proc.pid, 0)
        except ProcessLookupError:
            break
        assert time.monotonic() < deadline, "a worker process outlived the interrupted batch"
        time.sleep(0.2)


def test_ctrl_c_while_the_workers_are_still_starting_stops_the_batch(tmp_path):
    """A Ctrl-C in the first seconds of a -j 2 batch (h41b: `timeout -s INT 2`, as a trainer who sees the wrong
    --key at once): the workers, still importing before their initializer could ignore SIGINT, died with a
    KeyboardInterrupt traceback each, broke the pool, and the batch hung for good after 'grader: interrupted'
    (CPython gh-107219), until killed."""
    proc = _batch_in_a_terminal(tmp_path, copies=1)
    deadline = time.monotonic() + 60
    while len(_starting_workers(proc.pid)) < 2:
        assert proc.poll() is None and time.monotonic() < deadline, "the workers were never started"
        time.sleep(0.01)
    time.sleep(0.3)           # (both spawned: they import for seconds more, and the parent waits on them)
    os.killpg(proc.pid, signal.SIGINT)
    _assert_stopped_cleanly(proc)


def test_a_second_ctrl_c_while_the_batch_stops_does_not_hang_it(tmp_path):
    """An impatient trainer's Ctrl-C pressed twice (h41b: the second 0.05-0.5 s after the first) interrupted the
    executor's clean-up at exit: an 'Exception ignored in threading' traceback, then a hang for good."""
    proc = _batch_in_a_terminal(tmp_path, copies=4)     # (2 were read in 5 s once reads no longer warped a colour page)
    time.sleep(5)                 # the workers have started and are reading
    assert proc.poll() is None, "the batch ended before it could be interrupted: give it more photos"
    os.killpg(proc.pid, signal.SIGINT)
    time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGINT)
    _assert_stopped_cleanly(proc)


def _batch_in_a_terminal(tmp_path: Path, *, copies: int) -> subprocess.Popen:
    """`grader grade -j 2` of ``copies`` copies of the sample sheets, in its own process group as a terminal runs it."""
    folder = tmp_path / "kelas"
    folder.mkdir()
    for copy in range(copies):    # (a byte after the JPEG's end makes each copy another photo, still readable)
        for p in sorted(SAMPLES.glob("s00*.jpg")):
            (folder / f"{copy}-{p.name}").write_bytes(p.read_bytes() + bytes([copy]))
    env = dict(os.environ, PYTHONPATH=str(REPO))
    # (as from a terminal: a suite started in the background, `make test &` or a CI step, inherits SIGINT ignored,
    # and the batch would then rightly run to its end)
    return subprocess.Popen([sys.executable, "-m", "grader.cli", "grade", str(folder), "--key", KEY, "-j", "2"],
                            cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            start_new_session=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))


def _assert_stopped_cleanly(proc: subprocess.Popen) -> None:
    """The interrupted batch exits 130 within 30 s, saying so, without a traceback."""
    try:
        rc = proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        raise AssertionError("the interrupted batch did not stop within 30 s")
    err = proc.stderr.read().decode()
    assert rc == 130 and "interrupted" in err, err
    assert "Traceback" not in err and "InvalidStateError" not in err, err


def _starting_workers(pid: int) -> list[str]:
    """The worker processes ``pid`` has spawned so far (Linux's /proc)."""
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        return [c for c in children if b"spawn_main" in Path(f"/proc/{c}/cmdline").read_bytes()]
    except OSError:             # (a child that just ended)
        return []


def test_a_new_exercise_with_a_store_it_cannot_write_is_refused_before_writing_anything(tmp_path, monkeypatch,
                                                                                        capsys):
    """It wrote answer_key.json and handout.pdf, then crashed with a PermissionError traceback (exit 1)."""
    monkeypatch.setenv("GRADER_DATA_DIR", "/proc/grader-store")
    out = tmp_path / "latihan"
    assert main(["exercise", "new", "chasil-kwk", "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert "the exercise store /proc/grader-store/exercises" in err and "cannot create" in err
    assert "Traceback" not in err and not out.exists()


def test_a_report_language_without_reports_is_refused(tmp_path, capsys):
    """--report-lang en without --out was ignored without a word (the reports it names are written by --out)."""
    assert main(["grade", str(SAMPLES / "s0001-p1.jpg"), "--key", KEY, "--report-lang", "en"]) == 2
    assert "add --out DIR" in capsys.readouterr().err
    assert main(["grade", str(SAMPLES / "s0001-p1.jpg"), "--key", KEY, "--report-lang", "en",
                 "--out", str(tmp_path / "fb")]) == 0
    assert "C.Hasil practice feedback" in next((tmp_path / "fb").glob("*-feedback.html")).read_text()


def test_the_summary_points_above_only_when_the_table_is_on_the_terminal(capsys, monkeypatch):
    """With stdout redirected (`grader grade kelas > hasil.txt`) the summary on the terminal said "the reasons above",
    and nothing was above it (h41b's s41 leftover)."""
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    assert main(["grade", str(SAMPLES / "s0001-p1.jpg"), "--key", KEY]) == 0
    assert "graded in part (a page refused or missing): the reasons above say what to retake" in capsys.readouterr().err


def test_the_note_on_fields_left_to_review_names_the_output_that_was_written(tmp_path, capsys):
    """Rehearsal (helper-176): with --csv, --xlsx or --json, where no table is printed, the note on fields left to
    review said they were "marked * in the table, provisional in the CSV". It names the output at hand."""
    photos = [str(SAMPLES / "s0001-p1.jpg"), str(SAMPLES / "s0001-p2.jpg")]      # (a sheet with fields in review)
    said = {}
    for name, extra in (("table", []), ("csv", ["--csv", str(tmp_path / "k.csv")]),
                        ("xlsx", ["--xlsx", str(tmp_path / "k.xlsx")]), ("json", ["--json"])):
        assert main(["grade", *photos, "--key", KEY, *extra]) == 0
        said[name] = next(line for line in capsys.readouterr().err.splitlines() if "left to review" in line)
    assert "(marked * in the table)" in said["table"]
    assert f"(marked yes in the provisional column of {tmp_path / 'k.csv'})" in said["csv"]
    assert f"(marked yes in the provisional column of {tmp_path / 'k.xlsx'}'s \"sheets\")" in said["xlsx"]
    assert '(their "status": "review" in the JSON)' in said["json"]
    assert not any("table" in said[name] for name in ("csv", "xlsx", "json"))


def test_xlsx_holds_the_two_tables_of_the_csv_as_a_workbook(tmp_path, capsys):
    """A CSV's commas put each row in one column in Excel where the list separator is ';' (an Indonesian locale):
    `--xlsx` writes the same sheets and fields tables as one workbook, numbers as numbers."""
    from openpyxl import load_workbook

    photos = [str(SAMPLES / n) for n in ("s0001-p1.jpg", "s0001-p2.jpg", "s0002-p1.jpg", "r001-too_dark.jpg")]
    assert main(["grade", *photos, "--key", KEY, "--csv", str(tmp_path / "t.csv")]) == 0
    assert main(["grade", *photos, "--key", KEY, "--xlsx", str(tmp_path / "t.xlsx")]) == 0
    out, err = capsys.readouterr()
    assert out.splitlines()[-1] == str(tmp_path / "t.xlsx")
    assert f"the refusal columns of {tmp_path / 't.xlsx'}'s \"sheets\" say what to retake" in err
    book = load_workbook(tmp_path / "t.xlsx")
    assert book.sheetnames == ["sheets", "fields"]
    for name, csv_path in (("sheets", tmp_path / "t.csv"), ("fields", tmp_path / "t-fields.csv")):
        rows = list(book[name].iter_rows(values_only=True))
        expected = _rows(csv_path)
        assert rows[0] == tuple(expected[0])
        # (a workbook keeps 0.0 as the number 0; the CSV says "0.0")
        assert [{k: _same_cell(v, e[k]) for k, v in zip(rows[0], r)} for r, e in zip(rows[1:], expected)] == expected
        assert len(rows) == len(expected) + 1
    graded = [r for r in book["sheets"].iter_rows(min_row=2, values_only=True) if r[4] != "refused"]
    assert len(graded) == 2 and all(isinstance(r[5] if r[5] is not None else r[6], int) for r in graded)
    # the value read beside the expected one, both numbers (class day, helper-135: 333 of 368 values were text, so
    # a trainer's =H2=I2 was FALSE on every row); a field read in part stays text ("?42")
    fields = list(book["fields"].iter_rows(values_only=True))
    at = {c: fields[0].index(c) for c in ("kind", "value", "expected", "status")}
    digits = [r for r in fields[1:] if r[at["kind"]] == "digits" and r[at["value"]] not in (None, "")]
    assert digits and all(isinstance(r[at["expected"]], int) for r in digits)
    assert all(isinstance(r[at["value"]], int) or "?" in r[at["value"]] for r in digits)
    # (every field read surely a number; one in review with a box we were unsure of says "X?8", as its page does)
    assert all(isinstance(r[at["value"]], int) for r in digits if r[at["status"]] == "ok")
    assert sum(isinstance(r[at["value"]], int) for r in digits) > 0.7 * len(digits)


def _same_cell(value, csv_text: str) -> str:
    """``csv_text`` when a workbook's cell holds the same as it, else the cell as text (to show in the diff)."""
    if value is None:
        return "" if csv_text == "" else "<empty>"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return csv_text if csv_text and float(csv_text) == value else repr(value)
    return value


def test_an_xlsx_named_otherwise_or_like_an_input_is_refused_before_grading(tmp_path, capsys):
    photo = tmp_path / "s0001-p1.jpg"
    shutil.copy(SAMPLES / "s0001-p1.jpg", photo)
    before = photo.read_bytes()
    for out, words in ((tmp_path / "hasil.csv", "name a .xlsx file"), (photo, "name a .xlsx file"),
                       (tmp_path / "nope" / "h.csv", "name a .xlsx file"), (tmp_path, "name a .xlsx file")):
        assert main(["grade", str(photo), "--key", KEY, "--xlsx", str(out)]) == 2
        err = capsys.readouterr().err
        assert words in err and "Traceback" not in err
    assert photo.read_bytes() == before and not list(tmp_path.glob("*.xlsx"))


def test_the_fields_exports_say_a_reading_in_review_as_its_page_does_not_our_guess():
    """helper-146: the fields export's read column said 74 for a field whose page said "-7?" (its last box unsure):
    a trainer reading the spreadsheet took our guess for what was written. CLI and web rows say it as the page does;
    a field read surely stays a number."""
    from grader.grading.shown import shown_reading
    from grader.result_rows import field_rows
    from grader.web.export import field_rows as web_field_rows
    unsure = {"id": "IV.KK", "page": 2, "section": "IV", "kind": "digits", "status": "review", "value": 74,
              "expected": 74, "confidence": 0.97, "boxes": ["-", "7", "4"], "unsure_boxes": [2], "notes": ["unsure_box"],
              "label": "Suara Kolom kosong", "label_en": "Votes, Empty column"}
    sure = {**unsure, "id": "IV.1", "status": "ok", "value": 82, "boxes": ["X", "8", "2"], "unsure_boxes": [],
            "notes": [], "expected": 82}
    result = {"trainee": "101", "exercise": "XDH3KD", "fields": [unsure, sure], "pages": []}
    rows = {r["field"]: r["value"] for r in field_rows([result])}
    assert rows == {"IV.KK": "-7?", "IV.1": 82} and shown_reading(unsure) == "-7?"
    row = {"trainee": "101", "group_key": None, "trainee_name": "Siti"}
    cells = [r[7] for r in web_field_rows([(row, result)], lang="id", zone="WIB")]
    assert cells == ["'-7?", 82]          # (a cell starting "-" is quoted in the web's spreadsheets: not a formula)
