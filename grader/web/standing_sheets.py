"""Which sheets of an exercise are one trainee's attempts, and which of them stands for the trainee.

Whose a sheet is (:func:`identity_keys`: the QR, the number written on it, a name typed, a file name that names
someone); which sheets are no attempt at this exercise (a stray printed for another, a retake that graded nothing
new: :func:`trainees_sheets`); and the one of each trainee's attempts that the class table shows and the insight,
the review queue and the exports count (:func:`standing_sheet`: their latest not refused whole, nor read in part
when they have a complete sheet). The class views (:mod:`grader.web.classroom`) are built on it, and a sheet's page
lists its fellow attempts by it (:func:`attempts_of`): one rule for all of them.
"""
from __future__ import annotations

import json
import sqlite3

from grader.page_groups import normalise_id
from grader.web.grading import graded_nothing_new, has_digits, only_wrong_exercise, printed_exercise


def identity_key(row) -> str:
    """Who a sheet belongs to: the trainee (QR, number on the sheet, typed name or a file name that names someone;
    before grading, the batch's file name if it names someone), else the sheet itself: two sheets that nobody
    named (``IMG-…-WA0006`` from two trainees' chats) are two rows, never one trainee's attempts."""
    from grader.file_names import trainee_from_filename, uncopied

    # (less a copy's marks: "Budi - Copy", a batch's label before batches dropped them, is Budi, as is a new one)
    named_by_file = uncopied(row["group_key"]) if row["group_key"] and trainee_from_filename(row["group_key"]) else None
    # (normalised as trainee ids are compared everywhere: "061" read on the sheet is "61" typed)
    return normalise_id(row["trainee"] or named_by_file) or row["token"]


def identity_keys(rows) -> list[dict]:
    """:func:`identity_key` of each of ``rows`` (one exercise's sheets), with a name typed on the upload form joined
    to the trainee its sheets name: ``{"key", "trainee", "name"}``, ``trainee`` and ``name`` as a row shows them.

    The sheet names its trainee before the typing does (the QR, then the number written on it: issue 5), so
    "Fitri" typed on a sheet whose boxes read 104 is trainee 104, named Fitri (:func:`grader.web.grading.store_result`).
    An attempt whose number was not read firmly is still only the name typed; it is 104's too when a sheet of 104
    carried that name (as typed, in any case and spacing: the number and the name written by one hand, or a QR
    naming her so) and no sheet of another number did. A name typed on another trainee's personalised sheet (picked
    up by mistake: its QR names someone else) joins nobody to that trainee; a name seen with two numbers (two Fitris)
    joins neither; a typed text with a number in it ("Fitri 104", "61") is an identity of its own; and a batch's
    sheet has no typing (``typed_trainee`` NULL)."""
    base = [identity_key(r) for r in rows]
    named: dict[str, dict[str, str]] = {}          # a typed name -> {key: trainee as shown} of the sheets naming it
    for r, k in zip(rows, base):
        typed = _typed_name(r)
        if typed and k != typed and k != r["token"] and normalise_id(r["trainee_name"]) == typed:
            named.setdefault(typed, {})[k] = r["trainee"]
    out = []
    for r, k in zip(rows, base):
        typed = _typed_name(r)
        joined = named.get(typed, {}) if typed and k == typed else {}
        if len(joined) == 1:
            (key, shown), = joined.items()
            out.append({"key": key, "trainee": shown, "name": r["trainee_name"] or r["trainee"]})
        else:
            out.append({"key": k, "trainee": r["trainee"], "name": r["trainee_name"]})
    return out


def _typed_name(row) -> str | None:
    """The name typed on the upload form, as trainees are compared (:func:`normalise_id`), if it is a name only."""
    typed = row["typed_trainee"] if "typed_trainee" in row.keys() else None
    if not typed or has_digits(typed):
        return None
    return normalise_id(typed)


def refused_whole(row) -> bool:
    """Whether a sheet was graded and every photo of it refused (no page read)."""
    return row["state"] == "done" and row["result_status"] == "refused"


def complete(row) -> bool:
    """Whether a sheet's last grading read every page (its result ``graded``: no page missing or refused), also
    while it is graded again or once that failed, keeping that result (:func:`grader.web.classroom.regrade_failed`):
    it is still the trainee's whole work, which a half sending after it does not replace. (Asked "state done", such
    a sheet was stood over by page 1 sent alone after it, "Sebagian" in the table and the exports, rather than
    "Penilaian ulang gagal" noting the half sending: helper-183/189.)"""
    return row["result_status"] == "graded"


def being_graded_again(row) -> bool:
    """Whether a sheet graded before is being graded again (queued or running with its earlier result kept: a
    trainer's "Nilai ulang" after its grading again failed, a sheet moved to another exercise): that result does not
    count until the grading ends, as the insight and the review queue leave it out
    (:func:`grader.web.classroom.graded_again`)."""
    return row["state"] in ("queued", "running") and row["result_status"] is not None


def partly_read(row) -> bool:
    """Whether a sheet was graded with a page not read (``partial``: a page not sent, or its photo refused)."""
    return row["state"] == "done" and row["result_status"] == "partial"


def standing_sheet(sheets: list) -> int:
    """Which of one trainee's attempts at an exercise (oldest first, none empty) stands for them in the class table,
    the insight, the review queue and the exports: their latest sheet not refused whole (:func:`refused_whole`) nor
    partly read (:func:`partly_read`) when they have a complete one (:func:`complete`, also one being graded again or
    whose grading again failed), graded, being graded or failed; the latest of all only when every one was refused
    whole.

    A sending refused whole read no page: the trainee's work is on the earlier sheet (a trainee's later blurred photo
    made "Ditolak" of their 85 and took it out of the mean, the insight and the exports; helper-175), and a sheet
    whose grading failed is still the trainer's to grade again from its photos. A later sending read in part (page 1
    retaken alone after a refused steep photo, or sent with a classmate's page 2) is no more the trainee's whole
    work: their complete sheet still stands, 100 and not "Sebagian" out of the mean and the exports until page 2
    came (rehearsal helper-182), and the row says that a later sending is incomplete. Once its pages are put
    together with the trainee's other page (their result page's "Lengkapi lembar ini",
    :func:`grader.web.trainee.retake.complete`; a batch's merge, :mod:`grader.web.page_merge`), that complete sheet
    is the latest complete one, and stands. A trainee with no complete sheet is shown by their latest sheet not
    refused whole, partial or not: it is the most of their work there is."""
    whole = any(complete(r) for r in sheets)
    kept = [i for i, r in enumerate(sheets) if not refused_whole(r) and not (whole and partly_read(r))]
    return kept[-1] if kept else len(sheets) - 1


def trainees_sheets(conn: sqlite3.Connection, exercise: str, *,
                     include_pending: bool = True) -> dict[str, tuple[list[tuple], list[dict]]]:
    """Each trainee's sheets of ``exercise`` (by :func:`identity_keys`), in the order they first sent: ``key ->
    (attempts, strays)``, ``attempts`` their sheets counted as attempts (``(row, who)``, oldest first; strays and
    retakes that graded nothing new left out: :func:`~grader.web.classroom.latest_sheets`), ``strays`` the sheets of
    another exercise under their number (``{"id", "exercise"}``). A trainee with nothing but strays has those as
    attempts."""
    rows = _current_sheets(conn, exercise, include_pending=include_pending)
    sheets: dict[str, list[tuple]] = {}
    strays: dict[str, list[dict]] = {}
    for r, (who, code, stray, again) in zip(rows, _whose(conn, rows)):
        if again:
            continue
        if stray:
            strays.setdefault(who["key"], []).append({"id": r["id"], "exercise": code or None})
            continue
        sheets.setdefault(who["key"], []).append((r, who))
    return {k: (v, strays.get(k, [])) for k, v in sheets.items()}


def attempts_of(conn: sqlite3.Connection, exercise: str, sheet_id: int) -> list[dict]:
    """The sheets of ``exercise`` that the class table counts as one trainee's attempts with sheet ``sheet_id``
    (:func:`~grader.web.classroom.latest_sheets`' rule), oldest first, each ``{"id", "created_at", "state",
    "result_status", "score", "counted", "graded_again"}`` (:func:`being_graded_again`); the ``counted`` one
    (:func:`standing_sheet`) is the one the table, the insight and the exports count: the last, or a graded one before
    the sendings refused whole (or read in part, after a complete one) that followed it. Empty for a sheet with no other attempt, or one the table lists apart (a stray
    printed for another exercise).

    The class table said "(2×)" and linked the newest sheet only; neither sheet's page named the other, and an
    earlier attempt a trainer had corrected said nothing of being left out of every count (helper-141)."""
    for sheets, _ in trainees_sheets(conn, exercise).values():
        same = [r for r, _ in sheets]
        if sheet_id in {r["id"] for r in same}:
            if len(same) < 2:
                return []
            at = standing_sheet(same)
            return [{"id": r["id"], "created_at": r["created_at"], "state": r["state"],
                     "result_status": r["result_status"], "score": r["score"], "counted": i == at,
                     "graded_again": being_graded_again(r)}
                    for i, r in enumerate(same)]
    return []


def counted_attempt(conn: sqlite3.Connection, row) -> dict | None:
    """The attempt (:func:`attempts_of`) that stands for ``row``'s trainee in the class (:func:`standing_sheet`),
    None where ``row`` has no exercise or no fellow attempt: read once for a result page's two questions below."""
    if not row["exercise"]:
        return None
    return next((a for a in attempts_of(conn, row["exercise"], row["id"]) if a["counted"]), None)


def earlier_sheet_stands(row, counted: dict | None) -> bool:
    """Whether a sending refused whole, or read in part, leaves an earlier graded sheet of its trainee standing for
    them in the class (``counted``: :func:`counted_attempt`): its trainee's result page says that the trainer still
    counts that sheet, which they could not tell from "Lembar belum dinilai" (helper-175). Not one whose grading
    again failed: it stands, but the trainer counts it only once it is graded again."""
    return _stands_before(row, counted) and counted["state"] == "done"


def earlier_sheet_graded_again(row, counted: dict | None) -> bool:
    """Whether the earlier graded sheet that stands for a sending refused whole, or read in part
    (:func:`earlier_sheet_stands` but for its state), is being graded again (a trainer's "Nilai ulang" after its
    grading again failed): the class table keeps it standing, its earlier score not counted until it is graded
    (``classroom.being_graded_again``), and its trainee's page says so rather than nothing (rehearsal helper-195:
    Yanti's page 1 sent alone after her complete sheet dropped "Pelatih tetap menghitung lembar lengkap Anda
    sebelumnya…" while that sheet was graded again)."""
    return _stands_before(row, counted) and counted["state"] in ("queued", "running")


def earlier_sheet_regrade_failed(row, counted: dict | None) -> bool:
    """Whether the earlier graded sheet that stands for a sending refused whole, or read in part
    (:func:`earlier_sheet_stands` but for its state), failed its grading again (``classroom.regrade_failed``): the
    class table keeps it standing, its earlier score not counted until it is graded again, and its trainee's page
    says so, and to tell the trainer, rather than nothing (rehearsal,
    helper-198: the half sending's page fell silent about it once its grading again failed)."""
    return _stands_before(row, counted) and counted["state"] == "failed"


def _stands_before(row, counted: dict | None) -> bool:
    """Whether ``row`` is a sending refused whole, or read in part, and ``counted`` an earlier sheet of its trainee,
    graded before (not refused whole), that stands for them in the class."""
    if row["state"] != "done" or row["result_status"] not in ("refused", "partial"):
        return False
    return counted is not None and counted["id"] < row["id"] and counted["result_status"] not in (None, "refused")


def another_sheet_stands(row, counted: dict | None) -> bool:
    """Whether a sheet of ``row``'s trainee other than it stands for them in the class (``counted``:
    :func:`counted_attempt`): an earlier complete one, or a later one, such as a trainer's batch graded after a half
    sending. That half sending's page then must not say the trainer sees it, their latest (rehearsal helper-187: it
    did under a later complete sheet, which :func:`earlier_sheet_stands` leaves out)."""
    return counted is not None and counted["id"] != row["id"]


def _current_sheets(conn: sqlite3.Connection, exercise: str, *, include_pending: bool = True) -> list[sqlite3.Row]:
    """The sheets of ``exercise`` the class counts (not replaced by a later sending of their form), oldest first;
    without ``include_pending``, only those graded, refused or failed."""
    states = "('done','failed','queued','running')" if include_pending else "('done','failed')"
    return conn.execute(
        f"SELECT id, token, trainee, trainee_name, typed_trainee, group_key, state, result_status, score, n_ok, "
        f"n_wrong, n_review, n_blank, n_unreadable, error_code, error_id, error_en, source, created_at, updated_at, "
        # (a retake's result that refused a photo as a page again, for graded_nothing_new)
        f"retake_of, CASE WHEN retake_of IS NOT NULL AND state='done' AND instr(result, '\"duplicate_page\"') > 0 "
        f"THEN result END AS again_result, "
        f"CASE WHEN result_status='refused' THEN result END AS refused_result "
        f"FROM submissions WHERE exercise=? AND state IN {states} AND superseded_by IS NULL ORDER BY id",
        (exercise,)).fetchall()


def _whose(conn: sqlite3.Connection, rows) -> list[tuple[dict, str | None, bool, bool]]:
    """For each of an exercise's ``rows``: whom it belongs to (:func:`identity_keys`), the exercise printed on it
    when it is refused whole as another's (:func:`printed_elsewhere`), whether it is then a stray beside its
    trainee's attempts here rather than an attempt, and whether it is a retake that graded nothing the sheet it was
    made from had not, that sheet its trainee's here (see :func:`~grader.web.classroom.latest_sheets`)."""
    whose = identity_keys(rows)
    printed = [printed_elsewhere(r) for r in rows]
    here = {who["key"] for who, code in zip(whose, printed) if code is None}
    key_of = {r["id"]: who["key"] for r, who in zip(rows, whose)}
    return [(who, code, code is not None and who["key"] in here,
             bool(r["again_result"]) and key_of.get(r["retake_of"]) == who["key"]
             and graded_nothing_new(conn, r, json.loads(r["again_result"])))
            for r, who, code in zip(rows, whose, printed)]


def printed_elsewhere(row) -> str | None:
    """The exercise printed on a sheet refused whole as another exercise's (every page ``wrong_exercise``), else
    None: such a sheet is no attempt at this one (the class table's strays, and the other sheets a trainee number
    typed names: :func:`grader.web.trainer.trainee_number.sheets_numbered`). ``row`` has the sheet's
    ``refused_result``. (Empty when its pages do not name one exercise, two pages of two exercises: still no attempt
    at this one.)"""
    if not row["refused_result"]:
        return None
    result = json.loads(row["refused_result"])
    if not only_wrong_exercise(result):
        return None
    return printed_exercise(result) or ""
