"""SQLite storage for the web app: one connection per request, WAL mode, an ``init-db`` command.

The database file is ``<instance>/grader.sqlite3``. Background workers open
their own connections with :func:`connect` (same settings), so the pages and
the workers can read and write at the same time.
"""
from __future__ import annotations

import errno
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path

import click
from flask import Flask, abort, current_app, g
from flask.cli import with_appcontext

from grader.web.schema import SCHEMA

BUSY_TIMEOUT_MS = 30_000
#: what a request that met the database locked past :data:`BUSY_TIMEOUT_MS` is told to wait before sending again, in
#: seconds (``Retry-After`` of its 503: :func:`database_busy`)
BUSY_RETRY_AFTER_S = 30
#: state of a sheet a trainer removed: its row stays as a tombstone (see grader.web.removal)
REMOVED = "removed"
#: batches.merged: 0 the merge step is due once every sheet is graded, 1 it ran, MERGING it is running
MERGING = 2
#: SQL: sheet ``s`` its trainee sent again since from its result page, a retake or the page it lacked (the newer
#: sheet, ``retake_of`` it and not removed, is theirs now)
RETAKEN = f"EXISTS (SELECT 1 FROM submissions f WHERE f.retake_of = s.id AND f.state != '{REMOVED}')"
#: batches.client_token is this prefix + the form's token while the batch's photos are being stored; a crash that
#: cut the storing short leaves it, and the next start clears it, so sending the form again stores what is missing
#: (batches.form_token keeps the form's token for good: what the form stored before is not stored again)
STORING = "storing:"


def batch_cut_short(batch) -> bool:
    """Whether a crash, a full disk or an error cut a batch's sending short (a ``batches`` row with ``client_token``
    and ``form_token``): its form never got to mark it stored whole. What it stored is graded; but a crash leaves no
    word of the photos it never stored, so the batch says it was cut short until its form, or the same photos from a
    new one, are sent again (helper-139: such a batch said "Selesai" with 30 of its 32 photos missing)."""
    return batch["client_token"] is None and batch["form_token"] is not None


#: SQLite's answers for a disk that will not take or give the database's bytes: read-only (the data folder remounted
#: so, or its files owned by another user), an I/O error, full, not openable. Said to the sender as the storage's
#: trouble (507), not as a passing error of the server ("try again in a moment"), which sending again would not cure.
STORAGE_REFUSALS = frozenset({sqlite3.SQLITE_READONLY, sqlite3.SQLITE_IOERR, sqlite3.SQLITE_FULL,
                              sqlite3.SQLITE_CANTOPEN})


def storage_refused(exc: BaseException) -> bool:
    """Whether ``exc`` is the database refused by its disk (:data:`STORAGE_REFUSALS`; when it carries no code, a
    :func:`disk_full`)."""
    if not isinstance(exc, sqlite3.OperationalError):
        return False
    code = getattr(exc, "sqlite_errorcode", None)
    return code & 0xFF in STORAGE_REFUSALS if code is not None else disk_full(exc)


def database_busy(exc: BaseException | None) -> bool:
    """Whether ``exc`` is the database locked by another writer past :data:`BUSY_TIMEOUT_MS` (SQLite's BUSY or
    LOCKED; by its words when it carries no code): a passing state, answered 503 with ``Retry-After``, and its
    sender told whether what they sent was kept, never the generic "server error"."""
    if not isinstance(exc, sqlite3.OperationalError):
        return False
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
    return "database is locked" in str(exc) or "database table is locked" in str(exc)


def disk_full(exc: BaseException | None) -> bool:
    """Whether ``exc`` is a disk that takes no more bytes: a file's write refused as out of space or past a quota
    (ENOSPC, EDQUOT), or SQLite's "database or disk is full" (by its code; by its words when it carries none, as
    when it crossed from a worker process). The one test of a full disk: storing an upload, a grading job and the
    runner recording one all say it so."""
    if isinstance(exc, OSError):
        return exc.errno in (errno.ENOSPC, errno.EDQUOT)
    if not isinstance(exc, sqlite3.OperationalError):
        return False
    code = getattr(exc, "sqlite_errorcode", None)
    return code & 0xFF == sqlite3.SQLITE_FULL if code is not None else "disk is full" in str(exc)


def now_iso() -> str:
    """The current UTC time, ISO 8601 to the second."""
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


def ago_iso(seconds: float) -> str:
    """``seconds`` before now, as the database stores times (:func:`now_iso`)."""
    return (datetime.now(timezone.utc) - timedelta(seconds=seconds)).replace(microsecond=0).isoformat()


def connect(path: Path | str) -> sqlite3.Connection:
    """A connection with the app's settings: WAL, foreign keys, row access by name, a generous busy timeout."""
    conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None,
                           check_same_thread=False)
    conn.row_factory = sqlite3.Row
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA journal_mode = WAL")
    # FULL: a commit survives a power cut (a trainee was told the photo is kept); the app commits a few times per sheet
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


#: columns added to tables after databases holding them were made: ``(table, column, declaration)``
ADDED_COLUMNS = (
    ("jobs", "priority", "INTEGER NOT NULL DEFAULT 0"),      # job priorities
    ("batches", "removed_at", "TEXT"),                       # removals
    ("submissions", "typed_code", "TEXT"),                   # held uploads' codes
    ("batches", "form_token", "TEXT"),                       # a batch's form, kept when a crash cuts it short
    ("submissions", "pairs_with", "INTEGER REFERENCES submissions(id)"),   # pages of two sendings of a batch
    ("submissions", "trainee_retries", "INTEGER NOT NULL DEFAULT 0"),     # a trainee's "try again" on a failure
    ("uploads", "place", "TEXT"),                            # where in a batch's sending a photo came from
    ("jobs", "run_alone", "INTEGER NOT NULL DEFAULT 0"),     # suspects of killing their worker, across restarts
    ("submissions", "left_out", "TEXT"),                     # a trainee's files not graded with the sheet
    ("submissions", "typed_trainee", "TEXT"),                # the name as typed on the upload form (NULL: not known)
    ("submissions", "replaces", "TEXT"),                     # the form tokens a sending corrects (NULL: none)
    ("submissions", "queue_priority", "INTEGER"),            # a request's priority, until its grading job is made
    ("uploads", "sent_in", "TEXT"),                          # the photo input a trainee chose a photo in
    ("submissions", "printed_code", "TEXT"),                 # a held upload's code as printed on its sheet (QR)
    ("submissions", "sender", "TEXT"),                       # the trainee's browser that sent it (NULL: not known)
    ("submissions", "trainer_number", "TEXT"),               # a trainee number a trainer typed (NULL: none)
)


@contextmanager
def immediate(conn: sqlite3.Connection) -> Iterator[None]:
    """One write transaction, taken at once (``BEGIN IMMEDIATE``: another writer waits for it, or it for them, rather
    than either reading a state the other is changing). Committed when the block ends (also by ``return``), rolled
    back on an error, the commit's own included (the disk full at the last moment): a connection that is used again
    must not be left inside a transaction, where its next ``BEGIN`` would fail."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


def init_schema(conn: sqlite3.Connection) -> None:
    """Create the tables that do not exist yet, and add to an older database the columns it lacks (idempotent)."""
    conn.executescript(SCHEMA)
    for table, column, declaration in ADDED_COLUMNS:
        if column not in {r["name"] for r in conn.execute(f"PRAGMA table_info({table})")}:
            conn.execute(f"ALTER TABLE {table} ADD COLUMN {column} {declaration}")
    # (once per database: it reads every numbered sheet's result, some 0.3 s a start for 10,000 sheets, and nothing
    # made since needs it)
    if conn.execute("PRAGMA user_version").fetchone()[0] < FILLED_VERSION:
        fill_trainer_numbers(conn)
        conn.execute(f"PRAGMA user_version={FILLED_VERSION}")
    if conn.execute("PRAGMA user_version").fetchone()[0] < NOTED_VERSION:
        note_pages_elsewhere_again(conn)
        conn.execute(f"PRAGMA user_version={NOTED_VERSION}")


#: ``PRAGMA user_version`` of a database whose sheets :func:`fill_trainer_numbers` has filled (0: an older one)
FILLED_VERSION = 1
#: ``PRAGMA user_version`` of a database whose merged batches :func:`note_pages_elsewhere_again` has looked at again
NOTED_VERSION = 2


def note_pages_elsewhere_again(conn: sqlite3.Connection) -> int:
    """Write again, as they are true now, the notes of every merged batch's sheets that a page photo of theirs is in a
    classmate's sheet (:func:`grader.web.pages_elsewhere.name_pages_in_other_sheets`); returns how many batches.

    Before helper-192 such a note was only ever added, and a class zip's names were compared across its folders: a
    database from then may hold a note of a classmate's sheet since removed, or one naming another folder's photo
    (Budi told that Andi's ``latihan_p2.jpg`` was his page 2), which nothing else would write again until the batch
    was merged again. Run once per database (:data:`NOTED_VERSION`), each batch in a transaction of its own."""
    from grader.web.pages_elsewhere import name_pages_in_other_sheets

    batches = [r[0] for r in conn.execute("SELECT id FROM batches WHERE merged=1 ORDER BY id")]
    for batch_id in batches:
        with immediate(conn):
            name_pages_in_other_sheets(conn, batch_id)
    return len(batches)


def fill_trainer_numbers(conn: sqlite3.Connection) -> int:
    """Fill ``submissions.trainer_number`` of the sheets a trainer numbered before the column existed, and say so in
    their results as :func:`grader.web.trainer.trainee_number.set_trainee` does now; returns how many.

    Then a typed number went only into the sheet's ``trainee`` column (no correction or other record was kept), so the
    column came NULL and a grading again took the number for its sender's typing: the page lost "Nomor ini diketik
    pelatih" and the merge step stopped pairing the half sheet by it (helper-159). Nothing else makes that column
    differ from the trainee its stored result names, unless a QR or a number read names another (grading writes the
    column with its result, filling it only when empty, and is given the column as the sender's word): such a sheet
    holding a number there was numbered by a trainer. One graded again since from its photos, its result naming the
    number as the sender's, is not told from a sender's typing and is left as it is. Run once per database
    (:data:`FILLED_VERSION`), also one that made the column before this filled it: nothing made since matches (a
    trainer's number fills it)."""
    # (a number as set_trainee takes it, at most trainee_number.MAX_DIGITS digits; a result that is no JSON, never
    # written, is read as naming nobody rather than stopping the start)
    named = "CASE WHEN json_valid(result) THEN json_extract(result, '$.{}') END"
    return conn.execute(
        "UPDATE submissions SET trainer_number=trainee, result=json_set(result, '$.trainee', trainee, "
        "'$.identity_source', 'trainer') WHERE trainer_number IS NULL AND result IS NOT NULL AND state != ? "
        "AND trainee GLOB '[0-9]*' AND NOT trainee GLOB '*[^0-9]*' AND length(trainee) <= 6 AND json_valid(result) "
        f"AND COALESCE({named.format('identity_source')}, '') NOT IN ('qr', 'trainee_number', 'trainer') "
        f"AND trainee IS NOT {named.format('trainee')}", (REMOVED,)).rowcount


def get_db() -> sqlite3.Connection:
    """The request's connection, opened on first use."""
    if "db" not in g:
        g.db = connect(current_app.config["DATABASE"])
    return g.db


def sheet_or_abort(column: str, value) -> sqlite3.Row:
    """The request's sheet: the ``submissions`` row whose ``column`` (``token`` for a trainee's link, ``id`` for a
    trainer's page) is ``value``; 404 if there is none, 410 if a trainer removed it."""
    if column not in ("token", "id"):
        raise ValueError(f"sheets are found by token or id, not {column!r}")
    row = get_db().execute(f"SELECT * FROM submissions WHERE {column}=?", (value,)).fetchone()
    if row is None:
        abort(404)
    if row["state"] == REMOVED:
        abort(410)
    return row


def close_db(e: BaseException | None = None) -> None:
    db = g.pop("db", None)
    if db is not None:
        db.close()


@click.command("init-db")
@with_appcontext
def init_db_command() -> None:
    """Create the database tables (existing data is kept)."""
    conn = connect(current_app.config["DATABASE"])
    init_schema(conn)
    conn.close()
    click.echo(f"Initialised the database at {current_app.config['DATABASE']}")


def init_app(app: Flask) -> None:
    app.teardown_appcontext(close_db)
    app.cli.add_command(init_db_command)
    Path(app.config["DATABASE"]).parent.mkdir(parents=True, exist_ok=True)
    conn = connect(app.config["DATABASE"])
    try:
        init_schema(conn)
    except BaseException:
        conn.close()
        raise
    # Kept open, idle, while the app lives: SQLite deletes a WAL database's index (-shm) and log when its last
    # connection closes, and the next connection must make and size them again, which a full disk refuses; every
    # page, a trainee's result and the class table too, answered 507 though only writing needs room (rehearsal,
    # helper-193). Idle, it holds no lock and keeps no checkpoint from running.
    app.extensions["grader.db_kept"] = conn
