"""Locating, identifying and warping synthetic phone photos of rendered sheets."""
from __future__ import annotations

import cv2
import numpy as np
import pytest

from grader.photo.align import AlignedPage, _map_buffers, align_photo
from grader.photo.curl import CurlField, curl_maps, curl_maps_shape
from grader.photo.locate import frame_to_mm
from grader.photo.mock_photo import MockPhoto, mock_photo
from grader.photo.refusal import Refusal, message


def box_corner_errors_mm(photo: MockPhoto, aligned: AlignedPage) -> np.ndarray:
    """Distance between where each digit-box corner lands after warping and where the template has it."""
    mm = photo.box_corners_mm()
    frame = aligned.photo_to_frame(photo.photo_points(mm))
    return np.linalg.norm(frame_to_mm(frame, px_per_mm=aligned.px_per_mm) - mm, axis=1)


@pytest.mark.parametrize("rotation", [0, 90, 180, 270, 143])
def test_any_rotation_aligns_with_sub_mm_error(rotation):
    frame = (2000, 1500) if rotation in (90, 270) else (1500, 2000)
    photo = mock_photo(rotation_deg=rotation, frame=frame, coverage=0.5 if rotation % 90 == 0 else 0.35,
                       seed=rotation)
    aligned = align_photo(photo.jpeg())
    err = box_corner_errors_mm(photo, aligned)
    assert aligned.markers_found == 4
    assert np.percentile(err, 99) < 0.3, err.max()
    assert aligned.quality.ok and not aligned.quality.reasons


def test_perspective_tilt_aligns():
    photo = mock_photo(tilt=0.3, rotation_deg=-12, coverage=0.45, seed=3)
    aligned = align_photo(photo.jpeg())
    assert np.percentile(box_corner_errors_mm(photo, aligned), 99) < 0.3


@pytest.mark.parametrize("hidden", [0, 2])
def test_one_hidden_marker_still_aligns(hidden):
    photo = mock_photo(hide_markers=(hidden,), rotation_deg=90, frame=(2000, 1500), coverage=0.5, seed=7)
    aligned = align_photo(photo.jpeg())
    assert aligned.markers_found == 3
    assert np.percentile(box_corner_errors_mm(photo, aligned), 99) < 0.3


def test_hidden_marker_on_curled_paper_keeps_the_homography_that_bends_less():
    """The top-left marker hidden and that edge curled by 3 mm: the markers' homography extrapolates into the
    curl and a fit to the box grid does not. Both let as many borders be measured; the one that needs less
    bending is nearer the page (with the first one kept instead, boxes land 1.1 mm off)."""
    photo = mock_photo(page=2, hide_markers=(0,), curl_mm=3, curl_reach_mm=70, rotation_deg=90, frame=(2000, 1500),
                       coverage=0.5, seed=1)
    aligned = align_photo(photo.jpeg())
    assert aligned.markers_found == 3
    assert np.percentile(box_corner_errors_mm(photo, aligned), 99) < 0.3


def test_warped_page_shows_the_template():
    """The aligned gray image has dark marker squares exactly where the layout puts them."""
    photo = mock_photo(rotation_deg=180, seed=11)
    aligned = align_photo(photo.jpeg())
    ppm = aligned.px_per_mm
    assert aligned.gray.shape == (round(297 * ppm), round(210 * ppm))
    assert aligned.image.shape == aligned.gray.shape + (3,)
    for m in aligned.page.markers:
        x, y, w, h = m.rect.to_px(ppm)
        inner = aligned.gray[y + 3:y + h // 6 - 2, x + 3:x + w - 3]        # the marker's black border row
        outer = aligned.gray[y - 12:y - 4, x:x + w]                        # white margin above it
        assert inner.mean() < 90 and outer.mean() > 180


def test_qr_gives_identity_and_variant():
    photo = mock_photo(page=2, pairs=5, contest="walikota", exercise="LAT-7", seed=5)
    aligned = align_photo(photo.jpeg())
    assert aligned.identity_source == "qr"
    ident = aligned.identity
    assert (ident.template, ident.page, ident.pairs, ident.contest, ident.exercise) == \
        ("chasil-kwk", 2, 5, "walikota", "LAT-7")
    assert ident.trainee == "12" and ident.trainee_name == "Siti"
    assert aligned.sheet.pairs == 5 and aligned.page.number == 2
    assert any(f.id == "IV.5" for f in aligned.page.fields)


def test_ocr_fallback_when_qr_is_covered():
    photo = mock_photo(hide_qr=True, pairs=4, contest="gubernur", exercise="EX-31", frame=(1800, 2400), seed=9)
    aligned = align_photo(photo.jpeg(), pairs=2, exercise="WRONG")
    assert aligned.identity_source == "ocr"
    ident = aligned.identity
    assert (ident.template, ident.page, ident.pairs, ident.exercise, ident.contest) == \
        ("chasil-kwk", 1, 4, "EX-31", "gubernur")


def test_caller_fallback_when_nothing_is_readable(monkeypatch):
    import grader.photo.align as align_mod

    monkeypatch.setattr(align_mod, "identity_from_ocr", lambda *a, **k: None)
    photo = mock_photo(hide_qr=True, page=2, pairs=4, seed=13)
    aligned = align_photo(photo.jpeg(), pairs=4, exercise="EX-9", contest="walikota")
    assert aligned.identity_source == "caller"
    assert (aligned.identity.page, aligned.identity.pairs, aligned.identity.exercise) == (2, 4, "EX-9")
    assert aligned.sheet.pairs == 4


def test_nothing_readable_and_no_caller_word_is_refused_not_guessed(monkeypatch):
    """helper-92's darkest photocopies: QR and header unreadable, read without an exercise, the page took the
    template's default of 3 pairs on a 6-pair print, and V.A was read from another pair's boxes (right answers
    marked wrong). Without the sheet's or the caller's word the variant is not guessed: the page is refused."""
    import grader.photo.align as align_mod

    monkeypatch.setattr(align_mod, "identity_from_ocr", lambda *a, **k: None)
    photo = mock_photo(hide_qr=True, page=2, pairs=6, seed=13)
    with pytest.raises(Refusal) as refused:
        align_photo(photo.jpeg())
    assert refused.value.code == "sheet_unidentified"
    assert "kode latihannya" in refused.value.message_id and "exercise code" in refused.value.message
    assert align_photo(photo.jpeg(), pairs=6).sheet.pairs == 6           # the exercise's word is enough


def test_exif_rotated_photo_aligns():
    """A photo stored sideways with an EXIF orientation tag is handled (and upright after loading)."""
    import io

    from PIL import Image

    photo = mock_photo(seed=17)
    stored = cv2.rotate(photo.image, cv2.ROTATE_90_COUNTERCLOCKWISE)
    exif = Image.Exif()
    exif[0x0112] = 6
    buf = io.BytesIO()
    Image.fromarray(cv2.cvtColor(stored, cv2.COLOR_BGR2RGB)).save(buf, format="JPEG", quality=90, exif=exif.tobytes())
    aligned = align_photo(buf.getvalue())
    assert aligned.photo.shape == photo.image.shape
    assert np.percentile(box_corner_errors_mm(photo, aligned), 99) < 0.3


def test_refuse_false_returns_the_page_with_its_reasons():
    photo = mock_photo(brightness=0.18, seed=19)
    with pytest.raises(Refusal):
        align_photo(photo.jpeg())
    aligned = align_photo(photo.jpeg(), refuse=False)
    assert not aligned.quality.ok and aligned.quality.reasons[0] == "too_dark"


def test_paper_curl_is_corrected_by_the_second_pass():
    """A lifted edge moves the print by millimetres; the box-grid pass brings it back under 0.3 mm."""
    photo = mock_photo(curl_mm=5, curl_reach_mm=70, rotation_deg=90, frame=(2000, 1500), coverage=0.5, seed=21)
    flat = align_photo(photo.jpeg(), correct_curl=False, refuse=False)
    bent = align_photo(photo.jpeg())
    assert np.percentile(box_corner_errors_mm(photo, flat), 99) > 1.0
    assert bent.curl is not None
    assert np.percentile(box_corner_errors_mm(photo, bent), 99) < 0.3
    # The warped image agrees with the mapping: the first digit box's left border is dark where the layout says.
    box = bent.page.fields[0].boxes[0]
    x, y, w, h = box.to_px(bent.px_per_mm)
    assert bent.gray[y + h // 2, x:x + 3].min() < 110


def test_curl_correction_follows_the_bubble_columns():
    """Page 2 under the same curl: the bubble columns lie far from any box border, where a field fitted to
    the borders alone is off by about 2 mm (half a bubble); measuring the printed rings brings them back."""
    photo = mock_photo(page=2, curl_mm=5, curl_reach_mm=70, rotation_deg=90, frame=(2000, 1500), coverage=0.5,
                       seed=21)
    bent = align_photo(photo.jpeg())
    mm = np.array([b.center for f in bent.page.fields if f.kind == "bubbles" for col in f.bubbles for b in col])
    frame = bent.photo_to_frame(photo.photo_points(mm))
    errors = np.linalg.norm(frame_to_mm(frame, px_per_mm=bent.px_per_mm) - mm, axis=1)
    assert len(mm) >= 60 and np.percentile(errors, 99) < 0.3


def test_bubble_rings_leave_the_tally_grids_to_their_own_measurements(monkeypatch):
    """The rings bend the field at the bubble columns only: the warped tally grids are the same pixels as
    without them (their lines were measured), the bubble columns are not."""
    import grader.photo.curl as curl
    photo = mock_photo(page=2, curl_mm=5, curl_reach_mm=70, rotation_deg=90, frame=(2000, 1500), coverage=0.5,
                       seed=21)
    with_rings = align_photo(photo.jpeg())
    monkeypatch.setattr(curl, "bubble_points", lambda *a, **k: ((np.zeros((0, 2)), np.zeros(0)),) * 2)
    without = align_photo(photo.jpeg())
    ppm = with_rings.px_per_mm
    for f in with_rings.page.fields:
        x, y, w, h = f.rect.to_px(ppm)
        a, b = with_rings.gray[y:y + h, x:x + w].astype(int), without.gray[y:y + h, x:x + w].astype(int)
        if f.kind == "tally":
            assert np.array_equal(a, b), f.id
        elif f.kind == "bubbles":
            assert np.abs(a - b).mean() > 2, f.id


def test_flat_page_keeps_the_plain_homography():
    photo = mock_photo(seed=22)
    assert align_photo(photo.jpeg()).curl is None


def _shrink_marker(monkeypatch, marker_id: int, share: float) -> None:
    """Markers found by ``_find_fourth`` come back with marker ``marker_id``'s corners scaled by ``share`` about
    its centre (what an unrefined marker on a dark photocopy gave helper-88: 1 mm off)."""
    import dataclasses

    import grader.photo.align as align

    found = align._find_fourth

    def shrunk(*args, **kwargs):
        return [dataclasses.replace(h, corners=h.corners.mean(0) + share * (h.corners - h.corners.mean(0)))
                if h.id == marker_id else h for h in found(*args, **kwargs)]

    monkeypatch.setattr(align, "_find_fourth", shrunk)


def test_three_markers_a_flat_refit_mends_are_read_through_it(monkeypatch):
    """The top-left marker hidden and the bottom-left one's corners found 5 % too small: the hidden corner lands
    far off, and the markers' homography needs bending (2.2 mm) that still leaves boxes 4.3 mm off. The one
    refitted to the box grid finds every border within 0.15 mm of where it puts it and is the one kept, bent by
    its own small field (it used to be dropped: "flat" and "nothing measured" were the same None)."""
    _shrink_marker(monkeypatch, 3, 0.95)
    photo = mock_photo(hide_markers=(0,), tilt=0.3, rotation_deg=90, frame=(2000, 1500), coverage=0.5, seed=7)
    aligned = align_photo(photo.jpeg())
    assert aligned.markers_found == 3
    assert box_corner_errors_mm(photo, aligned).max() < 0.3


def test_three_markers_the_printed_boxes_contradict_are_refused_not_read(monkeypatch):
    """One marker hidden and another's corners found 5 % too small. Three markers fix the perspective only
    through their own shapes, so the hidden corner lands far off; the box grid shows it (borders still at the
    edge of the search after the curl pass). When the box grid gives no better homography (here: none at all;
    on this photo the refit would mend it, see the test above), the page is refused as a missing marker instead
    of being read 4 mm off."""
    import grader.photo.align as align

    _shrink_marker(monkeypatch, 2, 0.95)
    monkeypatch.setattr(align, "refit_homography", lambda *args, **kwargs: None)
    photo = mock_photo(hide_markers=(1,), tilt=0.3, rotation_deg=90, frame=(2000, 1500), coverage=0.5, seed=7)
    with pytest.raises(Refusal) as exc:
        align_photo(photo.jpeg(), refuse=False)      # geometry is refused even when quality is not
    # (the hidden marker's place, well inside the photo, is neither ink nor where the frame cuts the page: covered)
    assert exc.value.code == "corner_covered" and exc.value.message_id.startswith("Sudut kanan atas lembar tertutup")
    english, indonesian = message("markers_not_found", lang="en"), message("markers_not_found")
    assert "covering its corners" in english and "a photocopy too dark" in english
    assert "fotokopi terlalu gelap" in indonesian and "pelatih" in indonesian


def test_warp_maps_in_the_kept_buffers_are_the_maps_made_afresh():
    """The curled page's sampling maps are filled into this thread's buffers (no fresh 32 MB a photo); the same
    values, the buffers reused for the next photo and remade for another frame size."""
    rng = np.random.default_rng(5)
    field = CurlField(dx=rng.normal(size=(30, 21)).astype(np.float32),
                      dy=rng.normal(size=(30, 21)).astype(np.float32), step=16.0)
    homography = np.array([[0.9, 0.05, 12.0], [-0.04, 1.1, 7.0], [1e-5, 2e-5, 1.0]])
    size = (330, 475)
    buffers = _map_buffers(curl_maps_shape(field))
    kept = curl_maps(homography, field, size, out=buffers)
    fresh = curl_maps(homography, field, size)
    assert all(np.array_equal(k, f) and np.shares_memory(k, b) for k, f, b in zip(kept, fresh, buffers))
    assert _map_buffers(curl_maps_shape(field))[0] is buffers[0]
    assert _map_buffers((64, 48))[0].shape == (64, 48)
