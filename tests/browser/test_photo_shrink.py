"""A camera photo goes up at the size the reader needs (static/app.js, trainee.photos.photo_long_side), not the
camera's: on a weak link a 12 MP photo is most of a trainee's wait. Real browser, real server, real pipeline."""
import cv2
import numpy as np
import pytest

from tests.browser.test_browser import PHONE, sample_sheets
from tests.test_web_upload_left_out import _stored

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def camera_size(jpeg: bytes) -> bytes:
    """``jpeg`` as a phone camera would save the same view: 4,000 px on its long side, its sensor's fine grain kept
    at quality 95 (4.2 MB; the real camera photos in ../shared/data/kawalc1/photos are about 3 MB)."""
    img = cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR)
    scale = 4000 / max(img.shape[:2])
    big = cv2.resize(img, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC)
    grain = np.random.default_rng(5).normal(0, 4, big.shape)
    big = np.clip(big + grain, 0, 255).astype(np.uint8)
    return cv2.imencode(".jpg", big, [cv2.IMWRITE_JPEG_QUALITY, 95])[1].tobytes()


def long_side(jpeg: bytes) -> int:
    return max(cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_GRAYSCALE).shape)


def test_a_camera_photo_is_sent_at_the_size_the_reader_needs_and_graded_as_the_original(
        browser, live_server, tmp_path, isolated_data_dir):
    from grader.exercise.store import load_key
    from grader.pipeline import grade_upload
    from grader.web.trainee.photos import photo_long_side

    code, [[(name_1, p1), (name_2, p2)]] = sample_sheets(isolated_data_dir, 1, live_server["code"])
    big = camera_size(p1)
    (tmp_path / "IMG_20261203_101500.jpg").write_bytes(big)
    (tmp_path / name_2).write_bytes(p2)                               # a chat-app size photo: sent as it is
    ctx = browser.new_context(viewport=PHONE, device_scale_factor=1, is_mobile=True, has_touch=True)
    page = ctx.new_page()
    page.goto(live_server["url"] + "/")
    assert page.get_attribute("#photo_1", "data-shrink-to") == str(photo_long_side())
    page.fill("#code", code)
    page.fill("#trainee", "Budi")
    page.set_input_files("#photo_1", str(tmp_path / "IMG_20261203_101500.jpg"))
    page.set_input_files("#photo_2", str(tmp_path / name_2))
    page.tap("button[type=submit]")
    page.wait_for_selector("text=Hasil penilaian", timeout=60_000)
    stored = _stored(live_server["app"], page.url.split("?")[0])
    ctx.close()

    (sent_name_1, sent_1), (sent_name_2, sent_2) = stored
    assert (sent_name_1, sent_name_2) == ("IMG_20261203_101500.jpg", name_2)    # names pair pages, name trainees
    assert abs(long_side(sent_1) - photo_long_side()) <= 1 and len(sent_1) < len(big) / 2, (long_side(sent_1),
                                                                                         len(sent_1), len(big))
    assert sent_2 == p2
    # Read as the camera's photo is: every field the two readings are both sure of holds the same value, and
    # neither reading is unsure of more than a few fields the other is sure of.
    key = load_key(str(isolated_data_dir / "exercises" / code))
    as_sent = grade_upload([(sent_name_1, sent_1), (name_2, p2)], key=key, out_dir=tmp_path / "a")
    as_taken = grade_upload([(sent_name_1, big), (name_2, p2)], key=key, out_dir=tmp_path / "b")
    assert as_sent["status"] == as_taken["status"] == "graded"
    sure = lambda res: {f["id"]: f["value"] for f in res["fields"] if f["status"] != "review"}   # noqa: E731
    a, b = sure(as_sent), sure(as_taken)
    assert {k: a[k] for k in a.keys() & b.keys()} == {k: b[k] for k in a.keys() & b.keys()}
    assert len(a.keys() ^ b.keys()) <= 3, a.keys() ^ b.keys()


def test_a_camera_photo_past_the_size_limit_is_shrunk_and_sent_not_refused(browser, live_server, tmp_path,
                                                                          isolated_data_dir):
    """Trainee rehearsal (helper-136): a 48 MP camera photo of 36 MB was refused by the form before sending ("paling
    besar 25 MB. Pilih foto lembar dari kamera ponsel"), though the same page shrinks a camera JPEG to the reader's
    size before sending it. A JPEG this browser shrinks is held to the limits as it will be sent."""
    from grader.web.trainee.photos import photo_long_side

    code, [[(name_1, p1), (name_2, p2)]] = sample_sheets(isolated_data_dir, 1, live_server["code"])
    img = cv2.imdecode(np.frombuffer(p1, np.uint8), cv2.IMREAD_COLOR)
    big = cv2.resize(img, None, fx=8000 / max(img.shape[:2]), fy=8000 / max(img.shape[:2]),
                     interpolation=cv2.INTER_LINEAR)
    grain = np.random.default_rng(6).integers(-24, 25, big.shape, dtype=np.int16)
    huge = cv2.imencode(".jpg", np.clip(big.astype(np.int16) + grain, 0, 255).astype(np.uint8),
                        [cv2.IMWRITE_JPEG_QUALITY, 97])[1].tobytes()
    assert len(huge) > 25 * 1024 * 1024, len(huge)
    (tmp_path / "IMG_20261206_081500.jpg").write_bytes(huge)
    (tmp_path / name_2).write_bytes(p2)
    ctx = browser.new_context(viewport=PHONE, device_scale_factor=1, is_mobile=True, has_touch=True)
    page = ctx.new_page()
    page.goto(live_server["url"] + "/")
    page.fill("#code", code)
    page.fill("#trainee", "Budi")
    page.set_input_files("#photo_1", str(tmp_path / "IMG_20261206_081500.jpg"))
    page.set_input_files("#photo_2", str(tmp_path / name_2))
    assert page.locator("[data-upload-error]").is_hidden()          # nothing said against the photo chosen
    page.tap("button[type=submit]")
    page.wait_for_selector("text=Hasil penilaian", timeout=90_000)
    stored = _stored(live_server["app"], page.url.split("?")[0])
    ctx.close()
    (sent_name_1, sent_1), _ = stored
    assert sent_name_1 == "IMG_20261206_081500.jpg" and abs(long_side(sent_1) - photo_long_side()) <= 1
    assert len(sent_1) < 5 * 1024 * 1024
