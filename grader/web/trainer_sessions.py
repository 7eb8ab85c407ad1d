"""Trainer logins kept in the database, so that logging out ends a login for every copy of its cookie.

Flask's session lives in the signed cookie: clearing it at "Keluar" cleared only the browser's copy, and a copy
left on a shared training-room computer or in a proxy's log kept opening the trainer pages. Each login now gets a
random id, carried in the session cookie; the ``trainer_sessions`` table holds its SHA-256 (the database holds no
cookie that would let one in), the trainer's name and when it was last used. A request is a trainer's only while
its row is there; logging out deletes that row only, so the trainer's other devices stay logged in. A login unused
for the app's session lifetime (``PERMANENT_SESSION_LIFETIME``, 12 hours: a class day, never mid-class) is over,
as its cookie would be.
"""
from __future__ import annotations

import hashlib
import logging
import secrets
import sqlite3

from grader.web.db import ago_iso, now_iso

log = logging.getLogger(__name__)
#: a login's last use is written at most this often (seconds): a batch page polling every few seconds does not
#: write to the database on each poll, and an idle time measured to five minutes is close enough for 12 hours
TOUCH_EVERY_S = 300


def _digest(login_id: str) -> str:
    """What the database keeps of a login's id: a copy of the database lets no one in."""
    return hashlib.sha256(login_id.encode("utf-8")).hexdigest()


def start(db: sqlite3.Connection, trainer: str, *, lifetime_s: float) -> str:
    """A new login for ``trainer``: its id, for the session cookie. Logins idle past ``lifetime_s`` are dropped."""
    login_id = secrets.token_urlsafe(32)
    now = now_iso()
    db.execute("DELETE FROM trainer_sessions WHERE last_seen < ?", (ago_iso(lifetime_s),))
    db.execute("INSERT INTO trainer_sessions (id_hash, trainer, created_at, last_seen) VALUES (?, ?, ?, ?)",
               (_digest(login_id), trainer, now, now))
    return login_id


def live_trainer(db: sqlite3.Connection, login_id: str, *, lifetime_s: float) -> str | None:
    """The trainer whose login ``login_id`` is, if it is live (not logged out, used within ``lifetime_s``); its last
    use is brought up to date. A read the database refuses raises: the caller cannot tell either way."""
    digest = _digest(login_id)
    row = db.execute("SELECT trainer, last_seen FROM trainer_sessions WHERE id_hash = ?", (digest,)).fetchone()
    if row is None or row["last_seen"] < ago_iso(lifetime_s):
        return None
    if row["last_seen"] < ago_iso(TOUCH_EVERY_S):
        _touch(db, digest)
    return row["trainer"]


def _touch(db: sqlite3.Connection, digest: str) -> None:
    """Note a login's use. A write the database refuses (locked past its timeout) only leaves its idle time
    counting from the last one noted, hours from running out: the request goes on."""
    try:
        db.execute("UPDATE trainer_sessions SET last_seen = ? WHERE id_hash = ?", (now_iso(), digest))
    except sqlite3.Error as exc:
        log.warning("could not note a trainer's login as used (tried again on a later request): %s", exc)


def end(db: sqlite3.Connection, login_id: str) -> None:
    """Log out this login, for every copy of its cookie; the trainer's other logins stay."""
    db.execute("DELETE FROM trainer_sessions WHERE id_hash = ?", (_digest(login_id),))
