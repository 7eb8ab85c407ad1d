"""Whether a sending was sent before: what the same form sent, or the same photos recently.

A double submit (the same form token with the same details and photos, or the same photos for the same exercise and
trainee within :data:`DUPLICATE_WINDOW_S`) is the sheet it made, returned instead of a new one. The same form sent
again with its details or photos changed is a new sheet, which corrects the sheets its earlier sendings made
(:func:`sent_before`; :mod:`grader.web.resent` replaces them). A trainee's sending of photos that a sheet of theirs
already holds, and nothing else, at any time, is that sheet (:func:`held_already`).
"""
from __future__ import annotations

import hashlib
import sqlite3
from typing import TYPE_CHECKING

from grader.page_groups import normalise_id
from grader.web.db import REMOVED, ago_iso

if TYPE_CHECKING:
    from grader.web.sheet_storing import NewSheet

DUPLICATE_WINDOW_S = 600
#: ``submissions.left_out`` code of a trainee's page whose input held the same photo as an earlier page's (graded
#: once: :mod:`grader.web.trainee.upload`)
SAME_PHOTO = "same_photo"


def content_hash(exercise: str | None, trainee: str | None, photo_digests: list[bytes],
                 retake_of: int | None = None, left_out: tuple[str, ...] = ()) -> str:
    """What makes two submissions the same sending, from the photos' sha256 digests. A retake or a completed sheet
    names the sheet it follows: the same photos as an older sheet are then a new, latest sheet, not that older one
    sent again. ``left_out`` names the files sent with them that were not graded (``"page:code"``,
    :attr:`~grader.web.sheet_storing.NewSheet.left_out`): the same photo with a document for page 2 is told of that
    document."""
    head = f"{exercise or ''}|{(trainee or '').strip().lower()}" + (f"|after {retake_of}" if retake_of else "") + \
        (f"|left out {','.join(left_out)}" if left_out else "")
    h = hashlib.sha256(head.encode())
    for digest in photo_digests:
        h.update(digest)
    return h.hexdigest()


def sent_with_form(conn: sqlite3.Connection, client_token: str) -> sqlite3.Row | None:
    """The sheet (``id``, ``token``, ``content_hash``, ``typed_trainee``, ``state``, ``superseded_by``) the form
    with this token made last, unless removed: a form's token is recorded with what it sent, so a double submit, and
    a page whose answer was lost, find it."""
    return conn.execute("SELECT id, token, content_hash, typed_trainee, state, superseded_by FROM submissions "
                        "WHERE client_token=? AND state != ?", (client_token, REMOVED)).fetchone()


def same_name_typed(earlier: str | None, now: str | None) -> bool:
    """Whether two sendings carry the same name as typed (``submissions.typed_trainee``): exactly, case included.
    A name not known (None: a batch's sheet, a sheet stored before the column was added) is not told apart: such
    a sheet is the same sending by its digest alone, which ignores the name's case, as before."""
    return earlier is None or now is None or earlier == now


def find_duplicate(conn: sqlite3.Connection, *, client_token: str | None, digest: str,
                   batch_id: int | None = None, typed_trainee: str | None = None,
                   replaces: tuple[str, ...] = ()) -> sqlite3.Row | None:
    """An earlier submission this one repeats: what the same form sent, if it is the same sending (``digest``,
    :func:`content_hash`), or the same photos recently.

    The same form sent again with another name, code or photo (a sending that failed, corrected before it was sent
    again) is not the sheet it made first: that would be returned with the details the trainee has just corrected.
    It is a new sending, which takes the form's token over and replaces the first sheet
    (:func:`grader.web.sheet_storing.store_sheets`).
    A sheet a later sending replaced is not what the same photos sent again from another form are: those are a
    new sheet, not one the class no longer counts.

    The digest ignores the name's case (two forms' "budi" and "Budi" within minutes are one sending), so the name
    as typed (``typed_trainee``) is compared too (:func:`same_name_typed`): the same form sent again with only its
    case corrected, under its token or a new one naming it in ``replaces``, is a correction like any other. It is
    compared with the name the form typed (``submissions.typed_trainee``), never with the sheet's trainee column,
    which grading rewrites (the QR's trainee, the number read on the sheet): the form sent again as it was after
    grading is still its sheet (helper-69's review of aa0cf17)."""
    if client_token:
        row = sent_with_form(conn, client_token)
        if row and row["content_hash"] == digest and same_name_typed(row["typed_trainee"], typed_trainee):
            return row
    tokens = [t for t in (client_token, *replaces) if t]
    # (not a sheet of this form's tokens with the name typed otherwise: this sending corrects it; a typed name not
    # known on either side, NULL, is never "other", and coalesce keeps such a sheet)
    other_name = f"AND NOT coalesce(client_token IN ({','.join('?' * len(tokens))}) AND typed_trainee != ?, 0) " \
        if tokens else ""
    return conn.execute(
        f"SELECT id, token FROM submissions WHERE content_hash=? AND state NOT IN ('failed', ?) AND batch_id IS ? "
        f"AND created_at >= ? AND superseded_by IS NULL {other_name}ORDER BY id DESC LIMIT 1",
        (digest, REMOVED, batch_id, ago_iso(DUPLICATE_WINDOW_S), *((*tokens, typed_trainee) if tokens else ()))
    ).fetchone()


#: a sheet holding a form's token is another sending of that form than ``(digest, typed name)``: other details or
#: photos, or the name typed otherwise (its case: the digest ignores it). A typed name not known on either side
#: (NULL) is not "other" (SQL's NULL: :func:`same_name_typed`)
OTHER_SENDING = "(content_hash != ? OR typed_trainee != ?)"


def sent_before(conn: sqlite3.Connection, sheet: NewSheet) -> list[int]:
    """The sheets earlier sendings of ``sheet``'s form made, which it corrects and replaces: the one holding its
    form token with other details or photos, and those holding a token it ``replaces``."""
    tokens = ([sheet.client_token] if sheet.client_token else []) + list(sheet.replaces)
    if not tokens:
        return []
    marks = ",".join("?" * len(tokens))
    return [r["id"] for r in conn.execute(
        f"SELECT id FROM submissions WHERE client_token IN ({marks}) AND (client_token != ? OR {OTHER_SENDING}) "
        f"AND superseded_by IS NULL AND state NOT IN ('merged', ?) ORDER BY id",
        (*tokens, sheet.client_token or "", sheet.digest, sheet.typed_trainee, REMOVED))]


def held_already(conn: sqlite3.Connection, sheet: NewSheet) -> sqlite3.Row | None:
    """The trainee's live sheet of the same exercise that holds every photo ``sheet`` sends (by digest), when it sends
    nothing else: ``id``, ``token`` and ``photos_held`` (1), the latest such sheet (its result, being graded or
    graded; not one whose grading failed).

    Class rehearsal (helper-164): a sheet graded whole, its page 1 sent again alone from a new upload form (the very
    photo chosen again in the gallery) made a half sheet, the trainee's latest, and the class table showed
    "Sebagian" over the whole sheet's 100. Nothing in it was new: the trainee is led to the sheet that graded it, at
    any time (:data:`DUPLICATE_WINDOW_S` is for a sending repeated whole; these photos are each the sheet's already,
    and stay stored with it). A new photo of the page (other bytes), a file beside them that was not graded, another
    trainee (the name as the class table compares it, :func:`~grader.page_groups.normalise_id`, with the name typed
    or the trainee the sheet names) or another exercise is a sending of its own, as is one that corrects an earlier
    sending of its form (:func:`sent_before`: a name or code corrected with the same photos). Only a trainee's upload:
    a retake or a completed sheet is the sheet it is made from and another photo (:func:`content_hash`), and a
    trainer's batch neither looks for it nor is looked at (the trainee is never sent to a batch's sheet;
    :func:`grader.web.batch_storing.already_stored` skips a batch's own photos)."""
    if sheet.batch_id is not None or sheet.retake_of is not None or not sheet.exercise or not sheet.files or \
            any(n["code"] != SAME_PHOTO for n in sheet.left_out) or sent_before(conn, sheet):
        return None
    digests = sorted({d.hex() for d in sheet.photo_digests})
    marks = ",".join("?" * len(digests))
    rows = conn.execute(
        f"SELECT id, token, trainee, typed_trainee, 1 AS photos_held FROM submissions WHERE id IN (SELECT "
        f"submission_id FROM uploads WHERE sha256 IN ({marks}) GROUP BY submission_id HAVING "
        f"COUNT(DISTINCT sha256) = ?) AND exercise=? AND batch_id IS NULL AND superseded_by IS NULL "
        f"AND state IN ('queued', 'running', 'done') ORDER BY id DESC", (*digests, len(digests), sheet.exercise))
    who = normalise_id(sheet.trainee) or ""
    return next((r for r in rows if who in {normalise_id(r["typed_trainee"]) or "", normalise_id(r["trainee"]) or ""}),
                None)
