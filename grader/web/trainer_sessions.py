"""Trainer logins kept in the database, so that logging out ends a login for every copy of its cookie.

Flask's session lives in the signed cookie: clearing it at "Keluar" cleared only the browser's copy, and a copy
left on a shared training-room computer or in a proxy's log kept opening the trainer pages. Each login now gets a
random id, carried in the session cookie; the ``trainer_sessions`` table holds its SHA-256 (the database holds no
cookie that would let one in), the trainer's name and when it was last used. A request is a trainer's only while
its row is there; logging out deletes that row only, so the trainer's other devices stay logged in. A login unused
for the app's session lifetime (``PERMANENT_SESSION_LIFETIME``, 12 hours: a class day, never mid-class) is over,
as its cookie would be.

"Keluar dari semua perangkat" deletes every row: a login left open on a borrowed laptop or a lost phone ends without
the device. There is one trainer password, so every login is a trainer's and all of them end. So do they when the
server starts with another password than the one it last started with (:func:`password_hash`): the logins the old
password let in end with it.
"""
from __future__ import annotations

import hashlib
import logging
import secrets
import sqlite3

from werkzeug.security import check_password_hash, generate_password_hash

from grader.web.db import ago_iso, immediate, now_iso

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


def end_all(db: sqlite3.Connection) -> int:
    """Log out every trainer login, on every device (the caller's too): how many there were."""
    return db.execute("DELETE FROM trainer_sessions").rowcount


def password_hash(db: sqlite3.Connection, password: str) -> str:
    """The hash a login's password is checked against, kept in the table ``trainer_password``. The same password as
    the last start's keeps its hash; another one (the trainer password changed: it leaked, or someone who knew it
    should no longer log in) is hashed and kept, and every trainer login ends: they were let in by the old one. A
    database keeping no hash yet (its first start, or one from before hashes were kept) ends no login."""
    kept = db.execute("SELECT hash FROM trainer_password WHERE id = 1").fetchone()
    if kept is not None and check_password_hash(kept["hash"], password):
        return kept["hash"]
    new_hash = generate_password_hash(password)
    with immediate(db):
        kept = db.execute("SELECT hash FROM trainer_password WHERE id = 1").fetchone()
        if kept is not None and check_password_hash(kept["hash"], password):
            return kept["hash"]                 # another process starting with the new password was first
        ended = end_all(db) if kept is not None else 0
        db.execute("INSERT OR REPLACE INTO trainer_password (id, hash, set_at) VALUES (1, ?, ?)", (new_hash, now_iso()))
    if kept is not None:
        log.warning("the trainer password is not the one the server last started with: every trainer login is "
                    "ended (%d), and trainers log in with the new one", ended)
    return new_hash
