"""A graded sheet's corrections (a trainer's) and disputes (a trainee's), as stored: read back, applied to a result,
carried over to the sheet that replaces their pages or holds their photos again.

They live in their own tables, never only in a result: every (re-)grading applies them again
(:mod:`grader.web.grading`), so none is lost to a regrade, a merge or a split.
"""
from __future__ import annotations

import json
import sqlite3


def corrections_for(conn: sqlite3.Connection, submission_id: int) -> dict[str, tuple[int | None, str, str]]:
    """The latest correction per field: ``field -> (value, by, at)``."""
    return latest_corrections(conn, submission_id)[0]


def latest_corrections(conn: sqlite3.Connection, submission_id: int) \
        -> tuple[dict[str, tuple[int | None, str, str]], dict[str, int]]:
    """The latest correction per field, ``field -> (value, by, at)``, and its id, ``field -> id``, read at once.

    The id tells one correction from another exactly: two corrections of a field stored within one second share
    their time (``at``), and a page's "corrected since this page was loaded" check must not take the later for the
    earlier (:func:`grader.web.review_actions.correct_field`'s ``seen``)."""
    out: dict[str, tuple[int | None, str, str]] = {}
    ids: dict[str, int] = {}
    for r in conn.execute("SELECT id, field_id, value, corrected_by, corrected_at FROM corrections "
                          "WHERE submission_id=? ORDER BY id", (submission_id,)):
        out[r["field_id"]] = (r["value"], r["corrected_by"], r["corrected_at"])
        ids[r["field_id"]] = r["id"]
    return out, ids


def disputes_for(conn: sqlite3.Connection, submission_id: int) -> dict[str, tuple[str, str]]:
    """The latest dispute per field: ``field -> (what the trainee says they wrote, at)``."""
    return {r["field_id"]: (r["written"], r["disputed_at"]) for r in conn.execute(
        "SELECT field_id, written, disputed_at FROM disputes WHERE submission_id=? ORDER BY id", (submission_id,))}


def open_disputes(disputes: dict[str, tuple[str, str]] | None, corrections: dict) -> dict[str, tuple[str, str]]:
    """The disputes still open: a dispute is open while its field has no correction (the trainer's word settles it)."""
    return {f: d for f, d in (disputes or {}).items() if f not in corrections}


def apply_corrections(pipeline, result: dict, corrections: dict[str, tuple[int | None, str, str]], key,
                      disputes: dict[str, tuple[str, str]] | None = None, ids: dict[str, int] | None = None) -> dict:
    """Regrade ``result`` with the trainer's corrections and the trainee's open disputes; stamp who and when (and on
    a corrected field the trainee had disputed, what they said and when: ``trainee_said``, ``trainee_said_at``), and
    which correction it is, ``correction_id``, from ``ids`` (:func:`latest_corrections`): a correction's form sends
    it back as ``seen``."""
    still_open = open_disputes(disputes, corrections)
    if (not corrections and not still_open) or key is None:
        return result
    from grader.web.trainee.dispute import written_number

    read = {f.get("id"): f.get("value") for f in result.get("fields", [])}
    kinds = {f.get("id"): f.get("kind") for f in result.get("fields", [])}
    # (what the trainee says they wrote: a number other than the key's keeps the field wrong, on their word)
    said = {f: n for f, (w, _) in still_open.items() if (n := written_number(w or "", kinds.get(f))) is not None}
    new = pipeline.regrade(result, {f: v for f, (v, _, _) in corrections.items()}, key, disputed=set(still_open),
                           said=said)
    for field in new.get("fields", []):
        if field.get("id") in corrections:
            value, by, at = corrections[field["id"]]
            field["corrected_by"] = by
            field["corrected_at"] = at
            if ids and field["id"] in ids:
                field["correction_id"] = ids[field["id"]]
            # the trainer kept what was read (Enter on the reading, or typed it over the "?"): checked, not changed
            field["confirmed"] = field["id"] in read and read[field["id"]] == value
            if field["id"] in (disputes or {}):     # a dispute the trainer answered: said on the pages and exports
                field["trainee_said"], field["trainee_said_at"] = disputes[field["id"]]
        elif field.get("id") in still_open:
            field["trainee_says"], field["disputed_at"] = still_open[field["id"]]
    return new


def pages_read_from(result: dict | None, file: str) -> set[int]:
    """The pages of ``result`` that the photo ``file`` was read as (none if it was refused: a refused photo's page
    number is the page it was expected to be, whose fields another photo may hold)."""
    return {p["page"] for p in (result or {}).get("pages") or ()
            if p.get("file") == file and p.get("page") and not p.get("refusal")}


def fields_on_pages(result: dict | None, pages: set[int]) -> list[str]:
    """The ids of ``result``'s fields on ``pages``: what was said about those pages' photos covers these."""
    return [f["id"] for f in (result or {}).get("fields") or () if f.get("page") in pages]


def carry_over_reviews(conn: sqlite3.Connection, old_ids: list[int], new_id: int,
                       fields: list[str] | None = None) -> None:
    """Copy the corrections and disputes of merged single pages onto the sheet that replaces them (in their
    order, so the latest still wins): a trainer's or trainee's word is never lost to a merge or a split.
    ``fields`` keeps only those fields (a split's half takes the fields of its own page)."""
    marks = ",".join("?" * len(old_ids))
    only = f" AND field_id IN ({','.join('?' * len(fields))})" if fields is not None else ""
    args = (new_id, *old_ids, *(fields or ()))
    conn.execute(f"INSERT INTO corrections(submission_id, field_id, value, previous, corrected_by, corrected_at) "
                 f"SELECT ?, field_id, value, previous, corrected_by, corrected_at FROM corrections "
                 f"WHERE submission_id IN ({marks}){only} ORDER BY id", args)
    conn.execute(f"INSERT INTO disputes(submission_id, field_id, written, disputed_at) "
                 f"SELECT ?, field_id, written, disputed_at FROM disputes WHERE submission_id IN ({marks}){only} "
                 f"ORDER BY id", args)


def carry_over_same_photos(conn: sqlite3.Connection, new_id: int) -> int:
    """Copy onto a new sheet what a trainer corrected and a trainee disputed of the same photos on other sheets of
    its exercise: a trainer's batch of the class's chat photos holds photos the trainees sent themselves (or the
    other way round), and the new sheet, each trainee's latest, would otherwise show again, unsettled, the fields
    the trainer already settled. A correction says what is written in a field of a photo, so it holds wherever that
    photo goes; only the fields of the page the photo was read as on the earlier sheet come along (a refused photo
    gives none). In the order they were said (rows carried over from sheet to sheet keep their time, not their
    arrival), after what the new sheet holds, so the latest word still wins: a row said before the new sheet's own word
    on that field, or held already, is not copied. Returns how many rows were copied."""
    new = conn.execute("SELECT exercise FROM submissions WHERE id=?", (new_id,)).fetchone()
    if new is None or new["exercise"] is None:
        return 0
    held = conn.execute(
        "SELECT s.id, s.result, u.filename FROM uploads u JOIN submissions s ON s.id = u.submission_id "
        "WHERE s.exercise=? AND s.id != ? AND s.state='done' AND s.superseded_by IS NULL AND s.result IS NOT NULL "
        "AND u.sha256 IN (SELECT sha256 FROM uploads WHERE submission_id=?) AND (EXISTS (SELECT 1 FROM corrections "
        "c WHERE c.submission_id=s.id) OR EXISTS (SELECT 1 FROM disputes d WHERE d.submission_id=s.id))",
        (new["exercise"], new_id, new_id)).fetchall()
    fields: dict[int, set[str]] = {}
    for r in held:
        result = json.loads(r["result"])
        fields.setdefault(r["id"], set()).update(fields_on_pages(result, pages_read_from(result, r["filename"])))
    if not fields:
        return 0
    copied = 0
    for table, columns, said_at in (("corrections", "field_id, value, previous, corrected_by, corrected_at",
                                     "corrected_at"), ("disputes", "field_id, written, disputed_at", "disputed_at")):
        names = [c.strip() for c in columns.split(",")]
        rows = [r for r in conn.execute(
            f"SELECT id, submission_id, {columns} FROM {table} WHERE submission_id IN "
            f"({','.join('?' * len(fields))}) ORDER BY {said_at}, id", tuple(fields))
            if r["field_id"] in fields[r["submission_id"]]]
        own = conn.execute(f"SELECT {columns} FROM {table} WHERE submission_id=? ORDER BY id", (new_id,)).fetchall()
        have = {tuple(r[n] for n in names) for r in own}
        last_said = {r["field_id"]: r[said_at] for r in own}        # (the word the new sheet holds now, per field)
        for r in rows:
            values = tuple(r[n] for n in names)
            if values not in have and r[said_at] >= last_said.get(r["field_id"], ""):
                have.add(values)
                last_said[r["field_id"]] = r[said_at]
                conn.execute(f"INSERT INTO {table}(submission_id, {columns}) VALUES (?{', ?' * len(names)})",
                             (new_id, *values))
                copied += 1
    return copied
