"""A trainee's sending whose photos a graded sheet of theirs already holds (the same photo chosen again in the upload
form): it lands on that sheet rather than becoming a newer attempt that hides it (the fake pipeline, inline)."""
import re

import pytest

from grader.web.testing import jpeg_bytes, log_in, stored_an_hour_ago
from test_web_trainee import upload

PAGE_1, PAGE_2 = jpeg_bytes(color="#fdfdfd"), jpeg_bytes(color="#fcfcfc")
HELD = "Foto yang Anda kirim sudah dinilai di lembar ini"


def _class(app, code) -> list[tuple[str, str, int]]:
    from grader.web.classroom import latest_sheets
    from grader.web.db import get_db
    with app.app_context():
        return [(r["token"], r["result_status"], r["attempts"]) for r in latest_sheets(get_db(), code)]


def _sheets(app) -> int:
    from grader.web.db import get_db
    with app.app_context():
        return get_db().execute("SELECT COUNT(*) FROM submissions").fetchone()[0]


def _text(client, location: str, lang: str = "id") -> str:
    html = client.get(f"{location}?lang={lang}").get_data(as_text=True)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _token(location: str) -> str:
    return location.rsplit("/", 1)[1]


@pytest.mark.parametrize("later", [False, True], ids=["at_once", "an_hour_later"])
def test_page_1_sent_again_alone_after_the_sheet_is_whole_lands_on_the_whole_sheet(app, client, code, later):
    """Rehearsal (helper-164): a trainee's sheet graded whole, page 1 sent again alone from a new upload form, the
    very photo chosen again. That made a half sheet, the trainee's latest, and the class table showed "Sebagian"
    over the whole sheet's score. The sending is that sheet: the trainee is led to its result and told why."""
    whole = upload(client, code=code, trainee="017", photos=[("017solo_p1.jpg", PAGE_1), ("017solo_p2.jpg", PAGE_2)])
    assert _class(app, code) == [(_token(whole.location), "graded", 1)]
    if later:
        stored_an_hour_ago(app)
    again = upload(client, code=code, trainee="017", photos=[("IMG_0001solo_p1.jpg", PAGE_1)])
    assert again.status_code == 302 and again.location == whole.location
    assert _class(app, code) == [(_token(whole.location), "graded", 1)] and _sheets(app) == 1
    text = _text(client, again.location)
    assert HELD in text and "tidak dinilai lagi" in text
    assert HELD not in _text(client, again.location)                  # said once, where the sending landed
    # the name typed in another case, as the class table compares names, is the same trainee
    upload(client, code=code, trainee="017 ", photos=[("x_2solo.jpg", PAGE_2)])
    assert _sheets(app) == 1


def test_page_1_sent_again_in_english_is_told_in_english(app, client, code):
    whole = upload(client, code=code, trainee="Budi", photos=[("asolo_p1.jpg", PAGE_1), ("asolo_p2.jpg", PAGE_2)])
    again = upload(client, code=code, trainee="budi", photos=[("asolo_p1.jpg", PAGE_1)], lang="en")
    assert again.location == whole.location
    assert "The photos you sent were already graded on this sheet" in _text(client, again.location, "en")


def test_a_half_sheets_page_sent_again_alone_is_that_half_sheet(app, client, code):
    """The same page of a half sheet sent again is that sheet, not a second half sheet; with the missing page sent
    beside it, it is a new attempt (page 2 is new)."""
    half = upload(client, code=code, trainee="017", photos=[("017solo_p1.jpg", PAGE_1)])
    stored_an_hour_ago(app)
    assert upload(client, code=code, trainee="017", photos=[("017solo_p1.jpg", PAGE_1)]).location == half.location
    both = upload(client, code=code, trainee="017", photos=[("017solo_p1.jpg", PAGE_1), ("017solo_p2.jpg", PAGE_2)])
    assert both.location != half.location
    assert _class(app, code) == [(_token(both.location), "graded", 2)]


def test_a_new_photo_another_name_or_another_exercise_is_still_a_new_sheet(app, client, code):
    """Only the same bytes, the same trainee and the same exercise are the sheet already graded: a new photo of page
    1 is a genuine new attempt, and another trainee (or another exercise) sending the same photo gets a sheet of
    their own."""
    whole = upload(client, code=code, trainee="017", photos=[("017solo_p1.jpg", PAGE_1), ("017solo_p2.jpg", PAGE_2)])
    retaken = upload(client, code=code, trainee="017", photos=[("017solo_p1.jpg", jpeg_bytes(color="#fbfbfb"))])
    assert retaken.location != whole.location
    # (as before, a new attempt; read in part, it leaves the whole sheet standing: standing_sheets.standing_sheet)
    assert _class(app, code) == [(_token(whole.location), "graded", 2)]
    other = upload(client, code=code, trainee="Yanti", photos=[("solo_p1.jpg", PAGE_1)])
    assert other.location not in (whole.location, retaken.location)
    trainer = app.test_client()
    assert log_in(trainer).status_code == 302
    from test_web_trainer import new_exercise
    elsewhere = new_exercise(trainer, seed=4242)
    moved = upload(client, code=elsewhere, trainee="017", photos=[("017solo_p1.jpg", PAGE_1)])
    assert moved.location not in (whole.location, retaken.location, other.location)
    assert _sheets(app) == 4


def test_a_photo_a_trainers_batch_holds_is_still_the_trainees_own_sheet(app, client, code):
    """Trainer batches keep their behaviour: a trainee sending a photo the trainer's batch graded from the chat gets
    a sheet of their own (the trainee is never sent to a batch's sheet), and a batch holding a trainee's photo is
    stored as before."""
    from test_web_trainer import batch
    trainer = app.test_client()
    assert log_in(trainer).status_code == 302
    batch(trainer, code, [("017_p1.jpg", PAGE_1), ("017_p2.jpg", PAGE_2)], client_token="b1")
    before = _sheets(app)
    own = upload(client, code=code, trainee="017", photos=[("017_p1.jpg", PAGE_1), ("017_p2.jpg", PAGE_2)])
    assert _sheets(app) == before + 1 and "/hasil/" in own.location
    photo = jpeg_bytes(color="#fafafa")
    upload(client, code=code, trainee="018", photos=[("018_p1.jpg", photo)])
    batch(trainer, code, [("018_p1.jpg", photo)], client_token="b2")
    assert _sheets(app) == before + 3
