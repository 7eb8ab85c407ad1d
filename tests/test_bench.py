"""`grader bench --batch N` (`make bench`): a speed report, which must leave the web app's data alone."""
import logging
import os


def test_the_batch_bench_adds_no_exercise_to_the_data_dir_and_grades_only_photos(tmp_path, monkeypatch, caplog):
    """`make bench` copied the generated sheets' answer keys into `$GRADER_DATA_DIR/exercises` (./instance), so the
    trainer's exercise list of `make run` gained a dozen synthetic exercises; and it graded the synth folder whole,
    warning of every key and index file in it as "not a photo"."""
    from grader.commands.bench import bench_batch

    data = tmp_path / "instance"
    monkeypatch.chdir(tmp_path)                          # (.cache/bench/ is relative to the working folder)
    monkeypatch.setenv("GRADER_DATA_DIR", str(data))
    with caplog.at_level(logging.WARNING, logger="grader.batch"):
        out = bench_batch(1)
    assert out["j1"]["sheets"] == out["j2"]["sheets"] == 1
    assert not (data / "exercises").exists()
    assert os.environ["GRADER_DATA_DIR"] == str(data)
    assert not [r for r in caplog.records if "not photos" in r.getMessage()]


def test_bench_photos_times_only_the_photos_the_decoder_reads(tmp_path, capsys):
    """`grader bench --photos DIR` on a folder without truth files times "every photo in it that the baseline,
    cv2.imdecode, decodes": a chat export's text saved as .jpg stopped the command with a traceback."""
    import shutil
    from pathlib import Path

    from grader.cli import main
    from grader.commands.bench import photos_to_bench

    samples = Path(__file__).resolve().parents[1] / "sample_scans"
    shutil.copy(samples / "s0000-p1.jpg", tmp_path / "a.jpg")
    shutil.copy(samples / "r007-not_an_image.jpg", tmp_path / "b.jpg")
    assert [p.name for p in photos_to_bench(tmp_path)] == ["a.jpg"]
    assert main(["bench", "--photos", str(tmp_path), "--count", "5", "--repeat", "1"]) == 0
    assert "photos: 1 photos" in capsys.readouterr().out
