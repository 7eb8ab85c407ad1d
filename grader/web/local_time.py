"""Times as the class reads them: stored in UTC, shown in the trainer's Indonesian time zone.

The database keeps UTC (``db.now_iso``), which is unambiguous but seven to nine hours off the clock on the
classroom wall: a trainer looking for "the sheet sent at 09:10" found it listed at 02:10. Indonesia has three
zones and no daylight saving time, so a fixed offset per zone is exact and needs no time-zone database (slim
container images have none). The zone is the ``TIMEZONE`` setting (``GRADER_TIMEZONE``), ``WIB`` by default.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from flask import Flask, current_app

from grader.errors import SettingError

#: Indonesia's time zones and their offsets from UTC, in hours (fixed all year)
ZONES = {"WIB": 7, "WITA": 8, "WIT": 9}
DEFAULT_ZONE = "WIB"


def zone_name(value: str | None) -> str:
    """The zone called ``value`` (any case; empty = the default); a :class:`SettingError` (a ValueError) names
    the three there are."""
    name = (value or DEFAULT_ZONE).strip().upper()
    if name not in ZONES:
        raise SettingError(f"GRADER_TIMEZONE={value!r}: use one of {', '.join(ZONES)} (Indonesian time zones)")
    return name


def to_zone(iso: str | None, zone: str) -> datetime | None:
    """The stored time ``iso`` in ``zone``; None when there is none or it does not parse (an older row is shown
    as stored rather than failing the page)."""
    if not iso:
        return None
    try:
        moment = datetime.fromisoformat(iso)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:          # every time the app writes is UTC
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone(timedelta(hours=ZONES[zone]), zone))


#: months as an Indonesian page writes them ("2 Des 2026, 09.10 WIB"; helper-143: ISO dates read as foreign)
MONTHS = {"id": ("Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"),
          "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")}


def shown(iso: str | None, zone: str, lang: str = "id") -> str:
    """``2 Des 2026, 09.10 WIB`` (``2 Dec 2026, 09:10 WIB`` in English): minutes are enough on a page, and the zone
    says which clock."""
    moment = to_zone(iso, zone)
    if moment is None:
        return (iso or "")[:16].replace("T", " ")
    clock = f"{moment:%H.%M}" if lang == "id" else f"{moment:%H:%M}"
    return f"{moment.day} {MONTHS.get(lang, MONTHS['id'])[moment.month - 1]} {moment.year}, {clock} {zone}"


def exported(iso: str | None, zone: str) -> str | None:
    """ISO 8601 with the zone's offset (``2026-12-02T09:10:00+07:00``): a spreadsheet and a script read the same
    instant as the database, and a trainer reads the wall clock."""
    moment = to_zone(iso, zone)
    return moment.isoformat() if moment is not None else iso


def init_app(app: Flask) -> None:
    """Check the configured zone at start (a typo fails there, not on the first page) and add the ``waktu``
    filter: ``{{ sub.created_at | waktu }}``."""
    app.config["TIMEZONE"] = zone_name(app.config.get("TIMEZONE"))
    from grader.web.i18n import get_lang
    app.jinja_env.filters["waktu"] = lambda iso: shown(iso, current_app.config["TIMEZONE"], get_lang())
