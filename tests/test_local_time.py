"""Times are stored in UTC and shown on the classroom's clock (WIB, WITA or WIT)."""
import csv
import io
import re

import pytest

from grader.commands.serve import ensure_demo_data
from grader.web import settings_from_env
from grader.web.local_time import exported, shown, zone_name
from grader.web.testing import csrf_of, jpeg_bytes, log_in, make_test_app


def test_stored_utc_is_shown_in_each_indonesian_zone():
    assert shown("2026-12-02T02:10:00+00:00", "WIB") == "2 Des 2026, 09.10 WIB"
    assert shown("2026-12-02T02:10:00+00:00", "WITA") == "2 Des 2026, 10.10 WITA"
    assert shown("2026-12-01T20:30:00+00:00", "WIT") == "2 Des 2026, 05.30 WIT"        # the date turns too
    assert shown("2026-08-17T01:05:00+00:00", "WIB", "en") == "17 Aug 2026, 08:05 WIB"   # (helper-143: not ISO)
    assert exported("2026-12-02T02:10:00+00:00", "WIB") == "2026-12-02T09:10:00+07:00"  # the same instant
    assert shown(None, "WIB") == "" and exported(None, "WIB") is None
    assert shown("kemarin", "WIB") == "kemarin"          # not a time: shown as stored, the page still renders


def test_the_zone_setting_is_checked_at_start():
    assert zone_name(None) == "WIB" and zone_name(" wita ") == "WITA"
    with pytest.raises(ValueError, match="WIB, WITA, WIT"):
        zone_name("Asia/Jakarta")
    assert settings_from_env({"GRADER_TIMEZONE": "WIT"})["TIMEZONE"] == "WIT"
    with pytest.raises(ValueError, match="GRADER_TIMEZONE"):
        make_test_app(TIMEZONE="GMT+7")


@pytest.mark.parametrize("zone, hours", [(None, 7), ("WITA", 8)])
def test_pages_and_exports_show_the_classroom_clock(isolated_data_dir, zone, hours):
    """QA (review of the pages): every time was UTC without saying so, 7 to 9 hours off the wall clock."""
    app = make_test_app(**({"TIMEZONE": zone} if zone else {}))
    code = ensure_demo_data()
    client = app.test_client()
    resp = client.post("/", data={"csrf_token": csrf_of(client), "code": code, "trainee": "017",
                                  "photo_1": (io.BytesIO(jpeg_bytes()), "017_1.jpg")},
                       content_type="multipart/form-data")
    from grader.web.db import get_db
    with app.app_context():
        stored = get_db().execute("SELECT created_at FROM submissions").fetchone()["created_at"]
    label = zone or "WIB"
    html = client.get(resp.location).get_data(as_text=True)
    assert shown(stored, label) in html and stored[:16].replace("T", " ") not in html
    assert int(shown(stored, label).split(", ")[1][:2]) == (int(stored[11:13]) + hours) % 24
    assert log_in(client).status_code == 302
    table = client.get(f"/trainer/latihan/{code}/hasil").get_data(as_text=True)
    assert re.search(rf"\d\d\.\d\d {label}</td>", table)
    rows = list(csv.DictReader(io.StringIO(
        client.get(f"/trainer/latihan/{code}/ekspor/lembar.csv").data.decode("utf-8-sig"))))
    assert rows[0]["Dikirim"] == exported(stored, label) and rows[0]["Dikirim"].endswith(f"+0{hours}:00")
