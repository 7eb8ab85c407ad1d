"""The C decoders' own warnings, which they print on standard error, stay off a command-line user's screen."""
import logging
import os
from pathlib import Path

from grader.cli import main
from grader.photo.decoder_messages import decoder_messages_logged

SAMPLES = Path(__file__).resolve().parents[1] / "sample_scans"


def test_a_damaged_jpeg_graded_from_the_command_line_is_said_once_in_the_graders_words(tmp_path, capfd, caplog):
    """libjpeg printed "Corrupt JPEG data: premature end of data segment" on the terminal beside the grader's own
    row for the photo (s35 note): which file, and does it matter? The grader's words say both; libjpeg's go to
    the log."""
    data = (SAMPLES / "s0001-p1.jpg").read_bytes()
    bad = tmp_path / "budi_1.jpg"
    bad.write_bytes(data[: len(data) // 2] + b"\xff\xd9")
    key = str(next((SAMPLES / "keys").iterdir()))
    with caplog.at_level(logging.DEBUG, logger="grader.photo.decoder_messages"):
        assert main(["grade", str(bad), "--key", key, "-j", "1"]) == 0
        out, err = capfd.readouterr()
        assert "Corrupt JPEG data" not in out + err
        assert "budi_1.jpg: The photo file is damaged or incomplete" in out
        assert any("Corrupt JPEG data" in r.getMessage() and "budi_1.jpg" in r.getMessage() for r in caplog.records)
        assert main(["read", str(bad)]) == 0
        out, err = capfd.readouterr()
        assert "Corrupt JPEG data" not in out + err and "corrupt_file" in out


def test_what_else_is_written_meanwhile_reaches_standard_error_in_order(capfd):
    with decoder_messages_logged("x.jpg"):
        os.write(2, b"first\n")
        os.write(2, b"Corrupt JPEG data: premature end of data segment\n")
        os.write(2, b"libpng warning: iCCP: known incorrect sRGB profile\nsecond\n")
    os.write(2, b"third\n")
    assert capfd.readouterr().err == "first\nsecond\nthird\n"
