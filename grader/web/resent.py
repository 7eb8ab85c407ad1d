"""A sending corrected and sent again: the later sheet replaces the earlier one.

A trainee whose sending seemed to fail may correct the name, the exercise code or a photo and send the same form
again. That is a new sheet, graded with what was corrected (:func:`grader.web.earlier_sendings.find_duplicate`). If the
first sending arrived after all, the sheet it made is then replaced: its ``superseded_by`` names the new sheet,
and the class table, the review queue, the insight, the exports (:func:`grader.web.classroom.latest_sheets`) and the
list of uploads waiting for a code leave it out. Its row and photos are kept: its own link shows what it was, says
that a later sending replaced it and leads there. It takes no correction, dispute, retake or code any more, and it
goes with the sheet that replaced it when a trainer removes that one (:mod:`grader.web.removal`).

How a sending names the one it replaces: the same form token sent again with other details, the name's case
included (``submissions.typed_trainee``; a browser without the script; the new sheet takes the token over), or the
tokens the page's script sends in ``replaces``: it gives the form a new token when what the form holds changed
after a failed sending, and names the tokens the form held before. Those are kept with the new sheet
(``submissions.replaces``): a sending slower than its correction (a weak link; the page gave up on it) arrives after
it, and is stored replaced by it at once (:func:`replaced_on_arrival`), so it is never live; its link shows what it
was as any replaced sending's does. (Under the same token, a browser without the script, a late first sending
cannot be told from a correction: it would take the token over and replace the corrected sheet.)

The retakes and completed sheets made from a replaced sheet go with it (:func:`supersede`): they hold its name,
code and other page, which the later sending corrects, so the class would show "Budy" beside "Budi" again.

A trainer's corrections of the first sheet are never lost to this. Of the same photos under the same exercise (only
the name corrected) they still hold, and they are carried over to the new sheet, with the trainee's disputes. Of
other photos or another exercise they would not hold: the first sheet is then not replaced, and both stay in the
class for the trainer to see and decide (removing one by hand).

A form sent again after the sheet it made was completed on its result page (a page added, or retaken), holding the
photos that sheet holds now, is that sheet (:func:`completed_since`).
"""
from __future__ import annotations

import logging
import re
import sqlite3
from typing import TYPE_CHECKING

from grader.web.db import REMOVED, ago_iso, now_iso
from grader.web.earlier_sendings import DUPLICATE_WINDOW_S, content_hash, same_name_typed

if TYPE_CHECKING:
    from grader.web.sheet_storing import NewSheet

log = logging.getLogger(__name__)

#: the most form tokens one sending may say it replaces (a form corrected and sent again after each of its failures)
MAX_REPLACED = 10
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{1,100}$")


def replaced_tokens(text: str | None) -> tuple[str, ...]:
    """The form tokens a sending says it replaces: the ``replaces`` field, space-separated, the latest
    :data:`MAX_REPLACED` of them; what is not a form token is ignored."""
    return tuple(t for t in (text or "").split() if TOKEN_RE.match(t))[-MAX_REPLACED:]


def supersede(conn: sqlite3.Connection, earlier_id: int, new_id: int) -> bool:
    """Within the transaction storing sheet ``new_id``: mark sheet ``earlier_id`` (the one a sending of the same
    form made before) replaced by it, carrying over the corrections and disputes of the same photos under the same
    exercise, and so the live sheets made from it (its retakes and completed sheets, theirs in turn): they hold the
    details and photos the new sending corrects. Returns False, changing nothing, when the earlier sheet is gone,
    merged or already replaced, or when a trainer corrected it and the new sheet holds other photos or another
    exercise (see the module's notes); a sheet made from it that is kept so keeps its own retakes too."""
    earlier = conn.execute("SELECT id, exercise, state, superseded_by FROM submissions WHERE id=?",
                           (earlier_id,)).fetchone()
    new = conn.execute("SELECT exercise FROM submissions WHERE id=?", (new_id,)).fetchone()
    if earlier is None or new is None or earlier_id == new_id or earlier["state"] in ("merged", REMOVED) or \
            earlier["superseded_by"] is not None:
        return False
    if earlier["exercise"] is not None and earlier["exercise"] == new["exercise"] and \
            _photos(conn, earlier_id) == _photos(conn, new_id):
        from grader.web.corrections import carry_over_reviews

        carry_over_reviews(conn, [earlier_id], new_id)
    elif conn.execute("SELECT 1 FROM corrections WHERE submission_id=?", (earlier_id,)).fetchone():
        log.info("sheet %s, corrected by a trainer, was sent again with other photos or another exercise as sheet "
                 "%s: both are kept in the class", earlier_id, new_id)
        return False
    conn.execute("UPDATE submissions SET superseded_by=?, updated_at=? WHERE id=?", (new_id, now_iso(), earlier_id))
    for made in conn.execute("SELECT id FROM submissions WHERE retake_of=? AND superseded_by IS NULL AND state NOT IN "
                             "('merged', ?) ORDER BY id", (earlier_id, REMOVED)).fetchall():
        supersede(conn, made["id"], new_id)
    return True


def replaced_on_arrival(conn: sqlite3.Connection, sheet: NewSheet) -> sqlite3.Row | None:
    """The sheet that replaces ``sheet`` as it is stored (``id``, ``token``), if a later sending replaced its
    sending before it arrived: a sending on a weak link, slower than the corrected one the page sent after giving up
    on it, whose form token that one names in ``replaces``; or a retake or completion of a sheet replaced while it
    was being sent (its page offers neither once replaced). The latest sheet naming the token, or what replaced
    that in turn (:func:`replacement_of`); None when none is live (removed by a trainer, say)."""
    if sheet.client_token:
        named = conn.execute(
            "SELECT id, token, state, superseded_by, created_at FROM submissions WHERE replaces IS NOT NULL AND "
            "instr(' ' || replaces || ' ', ' ' || ? || ' ') > 0 AND state NOT IN ('merged', ?) "
            "ORDER BY superseded_by IS NULL DESC, id DESC LIMIT 1", (sheet.client_token, REMOVED)).fetchone()
        if named is not None:
            live = named if named["superseded_by"] is None else replacement_of(conn, named)
            if live is not None:
                return live
    if sheet.retake_of is not None:
        origin = conn.execute("SELECT id, state, superseded_by FROM submissions WHERE id=?",
                              (sheet.retake_of,)).fetchone()
        return replacement_of(conn, origin) if origin is not None else None
    return None


def _photos(conn: sqlite3.Connection, submission_id: int) -> list[str]:
    return [r[0] for r in conn.execute("SELECT sha256 FROM uploads WHERE submission_id=? ORDER BY position",
                                       (submission_id,))]


def completed_since(conn: sqlite3.Connection, sheet: NewSheet) -> sqlite3.Row | None:
    """A sheet that already holds what ``sheet`` sends, as the retake or the completed sheet (``retake_of``) of an
    earlier sending: ``id``, ``token``.

    A trainee's half sheet (page 2 was not a photo) is completed on its result page; the upload form, shown again
    by Back with page 2 chosen again, then sends both pages: that is the completed sheet, not the same photos
    graded a third time as another sheet of the class, nor a correction replacing the half one. Looked for among
    the sheets that follow the one the form's token made, at any time (a form's token is recognised at any time),
    and among those stored within :data:`~grader.web.earlier_sendings.DUPLICATE_WINDOW_S` for the same exercise (a page shown again by Back
    sends under a new token). A retake or a completed sheet itself is not looked for (:func:`~grader.web.earlier_sendings.content_hash`).
    As in :func:`~grader.web.earlier_sendings.find_duplicate`, the form's own sheets are it only with the name typed as it
    was, case and all (a retake or a completed sheet keeps the name its upload form typed); the others, from
    another form, by the digest, which ignores the name's case.
    """
    if sheet.retake_of is not None:
        return None
    rows = conn.execute(
        "WITH RECURSIVE later(id) AS (SELECT f.id FROM submissions f JOIN submissions s ON f.retake_of = s.id "
        "WHERE s.client_token=? UNION SELECT f.id FROM submissions f JOIN later ON f.retake_of = later.id) "
        "SELECT id, token, retake_of, content_hash, typed_trainee, id IN later AS of_form FROM submissions "
        "WHERE (id IN later OR (exercise IS ? AND retake_of IS NOT NULL AND created_at >= ?)) AND batch_id IS ? "
        "AND superseded_by IS NULL AND state NOT IN ('failed', 'merged', ?) ORDER BY id DESC",
        (sheet.client_token, sheet.exercise, ago_iso(DUPLICATE_WINDOW_S), sheet.batch_id, REMOVED)).fetchall()
    return next((r for r in rows if r["content_hash"] == content_hash(
        sheet.exercise or sheet.typed_code, sheet.trainee, sheet.photo_digests, r["retake_of"],
        sheet.left_out_codes) and (not r["of_form"] or same_name_typed(r["typed_trainee"], sheet.typed_trainee))),
        None)


def replacement_of(conn: sqlite3.Connection, row) -> sqlite3.Row | None:
    """The sheet that replaces sheet ``row`` now (``id``, ``token``, ``created_at``): the later sending of its form
    that replaced it, or the one that replaced that in turn. None when no later sending replaced it (a page merged
    into a sheet is :mod:`grader.web.page_merge`'s, not this)."""
    found, seen = None, set()
    while row["superseded_by"] is not None and row["state"] != "merged" and row["id"] not in seen:
        seen.add(row["id"])
        nxt = conn.execute("SELECT id, token, state, superseded_by, created_at FROM submissions WHERE id=?",
                           (row["superseded_by"],)).fetchone()
        if nxt is None or nxt["state"] == REMOVED:
            break
        found = row = nxt
    return found


def replaced_by_sheet(conn: sqlite3.Connection, submission_id: int) -> list[sqlite3.Row]:
    """The earlier sendings sheet ``submission_id`` replaced (``id``, ``token``, ``created_at``), oldest first."""
    return conn.execute("SELECT id, token, created_at FROM submissions WHERE superseded_by=? AND state NOT IN "
                        "('merged', ?) ORDER BY id", (submission_id, REMOVED)).fetchall()
