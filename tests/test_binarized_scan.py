"""Scanner apps' black-and-white filters: the quality gate recognises them and refuses them as
``binarized_scan`` (markers found or not), on the CLI and on the web page; photos and gray scans pass."""
from __future__ import annotations

import functools
import io
import json
from pathlib import Path

import cv2
import numpy as np
import pytest

from grader.photo.align import align_photo
from grader.photo.mock_photo import mock_photo
from grader.photo.quality import QualityThresholds, grays_per_edge
from grader.photo.refusal import MESSAGES, Refusal
from grader.synth.scanner_filter import ORDINARY, VARIANTS, adaptive_bw, page_corners_px, scan

SAMPLES = Path(__file__).resolve().parents[1] / "sample_scans"
LIMIT = QualityThresholds().min_grays_per_edge
MARGIN = 2.0        # photos and gray scans must stay this far above the limit (the lowest real photo: 2.7x)
KPU_PHOTOS = Path(__file__).resolve().parents[2] / "shared" / "data" / "kawalc1" / "photos"


def _gray(data: bytes) -> np.ndarray:
    return cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_GRAYSCALE)


@pytest.fixture(scope="module")
def sample() -> tuple[bytes, np.ndarray]:
    truth = json.loads((SAMPLES / "s0001-p2.truth.json").read_text())
    return (SAMPLES / truth["file"]).read_bytes(), page_corners_px(truth)


@pytest.mark.parametrize("filt", VARIANTS, ids=lambda f: f.name)
def test_every_simulated_bw_filter_is_below_the_limit(sample, filt):
    """Also once a chat app has shrunk the scan (1600 and 1280 px), which turns each edge into a few grays."""
    data, corners = sample
    assert grays_per_edge(_gray(scan(data, filt, page_corners=corners))) < LIMIT


def test_the_photo_and_its_ordinary_scans_are_far_above_the_limit(sample):
    data, corners = sample
    assert grays_per_edge(_gray(data)) > MARGIN * LIMIT
    for filt in ORDINARY:
        assert grays_per_edge(_gray(scan(data, filt, page_corners=corners))) > MARGIN * LIMIT, filt.name


def _chat_copy(gray: np.ndarray, side: int) -> np.ndarray:
    scale = min(1.0, side / max(gray.shape))
    small = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    return _gray(cv2.imencode(".jpg", small, [cv2.IMWRITE_JPEG_QUALITY, 70])[1].tobytes())


def test_real_photos_and_scans_of_official_forms_are_above_the_limit_also_at_chat_sizes():
    """Real camera noise (photos of 2014-2024 forms, some low-resolution scans): none may look like a B&W scan."""
    photos = sorted(p for p in KPU_PHOTOS.iterdir() if p.suffix.lower() in (".jpg", ".jpeg", ".png", ".webp"))
    assert len(photos) >= 40
    for path in photos:
        gray = _gray(path.read_bytes())
        for side in (None, 1600, 1024):
            value = grays_per_edge(gray if side is None else _chat_copy(gray, side))
            assert value > MARGIN * LIMIT, (path.name, side, value)


@functools.lru_cache(maxsize=1)
def _photo_gray() -> np.ndarray:
    return cv2.cvtColor(mock_photo(seed=21, coverage=0.8).image, cv2.COLOR_BGR2GRAY)


@functools.lru_cache(maxsize=2)
def _bw_photo(block: float) -> bytes:
    bw = adaptive_bw(_photo_gray(), block=block, offset=10)
    return cv2.imencode(".jpg", bw, [cv2.IMWRITE_JPEG_QUALITY, 85])[1].tobytes()


@pytest.mark.parametrize("block, markers_found", [(15, False), (1 / 8, True)])
def test_a_bw_scan_is_refused_as_binarized_whether_or_not_its_markers_are_found(block, markers_found):
    """A 15 px neighbourhood hollows the markers (they were reported missing); one of 1/8 of the width
    leaves them whole (the page was read)."""
    with pytest.raises(Refusal) as caught:
        align_photo(_bw_photo(block))
    assert caught.value.code == "binarized_scan"
    assert (caught.value.quality.markers_found >= 3) is markers_found


def test_read_cli_reports_the_refusal(tmp_path, capsys):
    from grader.cli import main

    path = tmp_path / "scan.jpg"
    path.write_bytes(_bw_photo(1 / 8))
    assert main(["read", str(path), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    got = out[0] if isinstance(out, list) else out
    assert got["refusal"] == {"code": "binarized_scan", "message_id": MESSAGES["binarized_scan"][1],
                              "message_en": MESSAGES["binarized_scan"][0]}
    assert "grayscale" in got["refusal"]["message_en"]


def test_the_upload_page_tells_the_trainee_to_scan_again_in_colour_or_gray():
    from grader.commands.serve import ensure_demo_data
    from grader.web.testing import csrf_of, make_test_app

    code = ensure_demo_data()
    client = make_test_app(PIPELINE=None).test_client()
    resp = client.post("/", data={"csrf_token": csrf_of(client), "code": code, "trainee": "017",
                                  "photo_1": (io.BytesIO(_bw_photo(15)), "017_1.jpg")},
                       content_type="multipart/form-data")
    html = client.get(resp.location).get_data(as_text=True)
    assert "Foto perlu diulang" in html and "hitam-putih" in html and "mode berwarna atau abu-abu" in html


@pytest.mark.parametrize("brightness", [1.3, 1.7])
def test_a_sharp_over_exposed_close_up_is_not_called_a_bw_scan(brightness):
    """Review: with the limit at 5.0, a sharp, low-noise close-up with its paper clipped to white (3.7-4.6 grays
    per edge) was refused as a black-and-white scan, a message that is wrong for an ordinary photo."""
    data = mock_photo(seed=21, brightness=brightness, coverage=0.95).jpeg(quality=90)
    assert grays_per_edge(_gray(data)) < 5.0                    # (the case: close to the B&W scans' range)
    try:
        align_photo(data)
    except Refusal as exc:
        assert exc.code != "binarized_scan", exc.code
