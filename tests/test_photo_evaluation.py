"""Alignment evaluation against truth files, and the speed benchmark's report shape."""
from __future__ import annotations

import json

import numpy as np

from grader.photo.bench import bench_align, size_class
from grader.photo.evaluation import evaluate_alignment
from grader.photo.load import load_photo
from grader.photo.mock_photo import MockPhoto, mock_photo


def _write(tmp_path, name: str, photo: MockPhoto, expect: str | None) -> None:
    (tmp_path / f"{name}.jpg").write_bytes(photo.jpeg())
    mm = np.concatenate([np.array([c for m in photo.page.markers for c in m.corners]), photo.box_corners_mm()])
    px = photo.photo_points(mm)
    truth = {"template": "chasil-kwk", "page": photo.page.number, "expect_refusal": expect,
             "refusal_also_ok": [], "truth_points": np.concatenate([mm, px], axis=1).round(3).tolist()}
    (tmp_path / f"{name}.truth.json").write_text(json.dumps(truth))


def test_evaluate_alignment_counts_both_kinds_of_mistake(tmp_path):
    _write(tmp_path, "a", mock_photo(rotation_deg=180, seed=31), None)
    _write(tmp_path, "b", mock_photo(page=2, pairs=4, curl_mm=4, seed=32), None)
    _write(tmp_path, "c", mock_photo(blur_px=6, seed=33), "too_blurry")
    _write(tmp_path, "d", mock_photo(brightness=0.15, seed=34), "sheet_cut_off")   # wrong label on purpose
    r = evaluate_alignment(tmp_path)
    assert (r["readable"], r["refusal_set"]) == (2, 2)
    assert r["located_share"] == 1.0 and r["wrongly_refused_share"] == 0.0
    assert r["wrongly_accepted_share"] == 0.0
    assert r["refusal_code_agreement"] == 0.5 and r["wrong_code"] == {"d.jpg": "sheet_cut_off->too_dark"}
    assert r["corner_error_mm"]["p99"] < 0.3
    assert r["marker_corner_error_mm"]["points"] == 32
    assert len(r["per_photo"]) == 4
    # the accepted photos by their largest box-corner error, largest first (the curled page b before the flat a)
    assert [name for name, _ in r["largest_errors_mm"]] == ["b.jpg", "a.jpg"]
    assert r["largest_errors_mm"][0][1] >= r["largest_errors_mm"][1][1] > 0


def test_bench_align_reports_ratios(tmp_path):
    path = tmp_path / "p.jpg"
    path.write_bytes(mock_photo(frame=(1200, 1600), seed=35).jpeg())
    r = bench_align([path], repeat=2)
    row = r["photos"][0]
    assert row["class"] == "chat" and row["refused"] is None
    assert row["decode_ms"] > 0 and row["align_ms"] > row["front_ms"] > 0
    assert r["summary"]["chat"]["ratio"] == row["ratio"] > 1
    assert size_class(4000, 3000) == "12mp" and size_class(2000, 1500) == "other"


def test_gray_decode_matches_colour():
    photo = mock_photo(seed=36)
    data = photo.jpeg()
    gray = load_photo(data, color=False).image
    colour = load_photo(data).image
    assert gray.ndim == 2 and gray.shape == colour.shape[:2]
    import cv2
    assert np.abs(gray.astype(int) - cv2.cvtColor(colour, cv2.COLOR_BGR2GRAY).astype(int)).mean() < 2
