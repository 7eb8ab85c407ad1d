"""A graded sheet's corrections (a trainer's) and disputes (a trainee's), as stored: read back, applied to a result,
carried over to the sheet that replaces their pages.

They live in their own tables, never only in a result: every (re-)grading applies them again
(:mod:`grader.web.grading`), so none is lost to a regrade, a merge or a split.
"""
from __future__ import annotations

import sqlite3


def corrections_for(conn: sqlite3.Connection, submission_id: int) -> dict[str, tuple[int | None, str, str]]:
    """The latest correction per field: ``field -> (value, by, at)``."""
    out: dict[str, tuple[int | None, str, str]] = {}
    for r in conn.execute("SELECT field_id, value, corrected_by, corrected_at FROM corrections "
                          "WHERE submission_id=? ORDER BY id", (submission_id,)):
        out[r["field_id"]] = (r["value"], r["corrected_by"], r["corrected_at"])
    return out


def disputes_for(conn: sqlite3.Connection, submission_id: int) -> dict[str, tuple[str, str]]:
    """The latest dispute per field: ``field -> (what the trainee says they wrote, at)``."""
    return {r["field_id"]: (r["written"], r["disputed_at"]) for r in conn.execute(
        "SELECT field_id, written, disputed_at FROM disputes WHERE submission_id=? ORDER BY id", (submission_id,))}


def open_disputes(disputes: dict[str, tuple[str, str]] | None, corrections: dict) -> dict[str, tuple[str, str]]:
    """The disputes still open: a dispute is open while its field has no correction (the trainer's word settles it)."""
    return {f: d for f, d in (disputes or {}).items() if f not in corrections}


def apply_corrections(pipeline, result: dict, corrections: dict[str, tuple[int | None, str, str]], key,
                      disputes: dict[str, tuple[str, str]] | None = None) -> dict:
    """Regrade ``result`` with the trainer's corrections and the trainee's open disputes; stamp who and when (and on
    a corrected field the trainee had disputed, what they said and when: ``trainee_said``, ``trainee_said_at``)."""
    still_open = open_disputes(disputes, corrections)
    if (not corrections and not still_open) or key is None:
        return result
    new = pipeline.regrade(result, {f: v for f, (v, _, _) in corrections.items()}, key, disputed=set(still_open))
    for field in new.get("fields", []):
        if field.get("id") in corrections:
            _, by, at = corrections[field["id"]]
            field["corrected_by"] = by
            field["corrected_at"] = at
            if field["id"] in (disputes or {}):     # a dispute the trainer answered: said on the pages and exports
                field["trainee_said"], field["trainee_said_at"] = disputes[field["id"]]
        elif field.get("id") in still_open:
            field["trainee_says"], field["disputed_at"] = still_open[field["id"]]
    return new


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
