"""Marker detection and QR reading without IPP find what they found with it; the switch is this thread's only."""
from __future__ import annotations

import contextlib
import threading

import cv2
import pytest

from grader.photo.identify import read_qr
from grader.photo.load import load_photo
from grader.photo.locate import detect_markers, fit_page
from grader.photo.mock_photo import mock_photo
from grader.photo.no_ipp import without_ipp
from grader.sheet.schema import resolve_template


def test_ipp_is_off_inside_and_back_after_even_on_error():
    assert cv2.ipp.useIPP()
    with pytest.raises(RuntimeError):
        with without_ipp():
            assert not cv2.ipp.useIPP()
            raise RuntimeError
    assert cv2.ipp.useIPP()


def test_other_threads_keep_ipp():
    seen = []
    with without_ipp():
        t = threading.Thread(target=lambda: seen.append(cv2.ipp.useIPP()))
        t.start()
        t.join()
    assert seen == [True]


@pytest.mark.parametrize("rotation, blur", [(0.0, 0.0), (7.0, 1.2)])
def test_markers_and_qr_are_found_alike_with_and_without_ipp(rotation, blur, monkeypatch):
    """The detector and the QR reader run without IPP (:mod:`grader.photo.no_ipp`): with it, the same marker ids at
    the same corners, and the same payload."""
    photo = mock_photo(page=2, pairs=6, frame=(2250, 3000), rotation_deg=rotation, blur_px=blur, seed=4)
    gray = load_photo(photo.jpeg(), color=False).image
    spec = resolve_template("chasil-kwk")
    ppm = spec.read_px_per_mm
    found = {}
    for ipp in (True, False):
        switch = contextlib.nullcontext if ipp else without_ipp
        monkeypatch.setattr("grader.photo.locate.without_ipp", switch)
        monkeypatch.setattr("grader.photo.identify.without_ipp", switch)
        det = detect_markers(gray, dictionary=spec.marker_dictionary)
        fit = fit_page(photo.page, list(det.hits), px_per_mm=ppm)
        found[ipp] = ([(h.id, h.corners.tobytes()) for h in det.hits],
                      read_qr(gray, photo.page, px_per_mm=ppm, homography=fit.homography))
    assert len(found[True][0]) == 4 and found[True][1]
    assert found[True] == found[False]

