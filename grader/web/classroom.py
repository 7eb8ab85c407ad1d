"""Class-level views of the stored results: the sheet that stands for each trainee (their latest not refused whole,
nor read in part when they have a complete one: :func:`~grader.web.standing_sheets.standing_sheet`), and what the
class gets wrong.

Pure functions over rows and result dicts, so the pages, the exports and the
tests share one definition of "the class table".
"""
from __future__ import annotations

import hashlib
import json
import sqlite3
from collections import Counter
from dataclasses import dataclass

from grader.grading.findings import BLANK_LEADING, PAIR_MISMATCH, finding_code, pair_base
from grader.grading.review_queue import on_unread_page, queue_order, waiting
from grader.grading.shown import full_score, shown_score, shown_value
from grader.page_groups import normalise_id, trainee_order
from grader.web.standing_sheets import being_graded_again, partly_read, refused_whole, standing_sheet, trainees_sheets

WRONG_STATUSES = ("wrong", "blank")      # what the trainee got wrong; "unreadable" is ours (or a page not read)
# Habits a trainer can teach to the whole class, by the finding (or field status) that shows them on a sheet, with the
# words the insight page uses. A trainee counts once per habit (on the sheet that stands for them, if graded:
# :func:`trainees_insight`), however often it shows. Only what we read surely counts: not a box that looks as if it
# holds two digits (on the development photos most of those held one unclear digit, not a correction), nor a pair whose
# readings disagree only through a reading we are unsure of.
BLANK_FIELD = "blank_field"
HABITS = {PAIR_MISMATCH: "Turus, angka dan bulatan satu paslon (atau kolom kosong) tidak sama",
          BLANK_LEADING: "Kotak depan dibiarkan kosong, bukan diisi X",
          BLANK_FIELD: "Isian dibiarkan kosong"}
# (the class table's sort by time is by each trainee's newest sending, ``last_sent_at``, not by the sheet that stands
# for them: a trainee who has just sent again, refused whole or read in part, is among the newest, where a trainer
# watching the class send looks; sorted by the standing sheet's time, they stayed at the bottom: helper-178)
SORT_COLUMNS = {"trainee": "trainee_key", "score": "full_score", "wrong": "n_wrong", "review": "n_review",
                "blank": "n_blank", "time": "last_sent_at", "state": "state"}


def latest_sheets(conn: sqlite3.Connection, exercise: str, *, sort: str = "trainee", descending: bool = False,
                  include_pending: bool = True) -> list[dict]:
    """One row per trainee (the sheet that stands for them: :func:`~grader.web.standing_sheets.standing_sheet`, their
    latest but for a later sending refused whole) for ``exercise``, with the number of attempts; without
    ``include_pending``, of their *finished* sheets (graded, refused or failed), the one the class table shows once
    nothing is being graded.

    A sending refused whole (too blurry, too dark, a photo of something else: no page read) after another sheet of
    theirs holds no work of theirs to grade: it does not hide that sheet's score behind "Ditolak" (in the table, its
    mean, the insight, the review queue and the exports, which all count these rows). It is an attempt, counted, and
    their row lists it (``refused_later``: its id, its time and its result), so that the trainer sees it was sent
    and can open it. A trainee who only ever sent refused photos is shown by the latest, as before. So too a sending
    read in part (a page not sent, or its photo refused) after a complete sheet of theirs: the complete sheet stands,
    and the row lists it (``partial_later``: its id, its time and its result) until the trainee completes it. A half
    sheet that stands for its trainee keeps its result on its row (``partial_result``; None on any other row), as a
    refused one does: the class table says which page is unread, and why.

    A sheet refused whole as printed for another exercise (a stray photo in a class's batch, stored under the number
    written on it) is no attempt at this one: it never stands for a trainee who has another sheet here, whose
    score it would hide behind "Ditolak"; their row lists it (``strays``: its id and the exercise printed on it),
    so that the trainer can move it where it belongs. A trainee with nothing else here is shown by it.

    A retake that graded nothing its sheet had not (page 1 sent as page 2's retake: :func:`~grader.web.grading.graded_nothing_new`)
    is no attempt either while that sheet is its trainee's here: the trainee is shown by that sheet (the same pages,
    graded from the same photos) or by a later one, and it is not counted (helper-164: "(3×)" for one sheet, a
    wrong-page retake and the page then added)."""
    out = []
    for k, (sheets, strays) in trainees_sheets(conn, exercise, include_pending=include_pending).items():
        at = standing_sheet([r for r, _ in sheets])
        r, who = sheets[at]
        # (the name typed too, where the sheet gave another: "Budi" typed on Yanti's personalised sheet)
        names: dict[str, str] = {}              # the trainee's names, as their sheets carried them, newest last
        for s, w in sheets:
            for name in (s["typed_trainee"], w["name"]):
                if name and normalise_id(name) != k:
                    names.pop(normalise_id(name), None)
                    names[normalise_id(name)] = name
        # (``refused_result``, a refused sheet's result, stays on its row: the class table says why from it)
        out.append({**dict(r), "trainee": who["trainee"], "trainee_name": who["name"], "trainee_key": k,
                    **counted_score(r), "counts_count": counts_count(r), "attempts": len(sheets), "strays": strays,
                    "last_sent_at": sheets[-1][0]["created_at"],
                    **later_sendings([s for s, _ in sheets[at + 1:]]),
                    # (a trainee's attempts under other names, "Fitri" and "fitri r." with 104 read on both, or a name
                    # typed on their personalised sheet by someone else: said beside the latest, so that two people
                    # in one row are seen)
                    "other_names": [n for n_id, n in reversed(names.items())
                                    if n_id != normalise_id(who["name"])]})
    # (a half sheet that stands for its trainee keeps its result, as a refused one does: its row says which page is
    # unread and why, not "Sebagian" alone; so does each later half sending a row lists. One read for the class.)
    results = results_by_id(conn, [r["id"] for r in out if partly_read(r)]
                            + [s["id"] for r in out for s in r["partial_later"]])
    for r in out:
        r["partial_result"] = results.get(r["id"]) if partly_read(r) else None
        for s in r["partial_later"]:
            s["partial_result"] = results[s["id"]]
    col = SORT_COLUMNS.get(sort, "trainee_key")
    order = _by_trainee if col == "trainee_key" else (lambda r: r[col])
    known = sorted((r for r in out if r[col] is not None), key=order, reverse=descending)
    return known + [r for r in out if r[col] is None]      # missing values last either way


def later_sendings(later: list) -> dict[str, list[dict]]:
    """The sendings after the sheet that stands for a trainee (:func:`standing_sheet`), as its row lists them:
    ``refused_later`` those refused whole (``refused_result``, their result), ``partial_later`` those read in part after
    a complete sheet (their ``partial_result`` is read afterwards for the whole table at once,
    :func:`latest_sheets`: a whole class's results are not read for its table), each with its ``id`` and
    ``created_at``."""
    return {"refused_later": [{"id": s["id"], "created_at": s["created_at"], "refused_result": s["refused_result"]}
                              for s in later if refused_whole(s)],
            "partial_later": [{"id": s["id"], "created_at": s["created_at"]} for s in later if not refused_whole(s)]}


def results_by_id(conn: sqlite3.Connection, sheet_ids: list[int]) -> dict[int, str]:
    """``id -> result`` (as stored, JSON) of the given sheets: the few half sheets a class table's rows say why of,
    in one read (a whole class's results are not read for its table)."""
    if not sheet_ids:
        return {}
    marks = ",".join("?" * len(sheet_ids))
    return dict(conn.execute(f"SELECT id, result FROM submissions WHERE id IN ({marks})", sheet_ids).fetchall())


def regrade_failed(row) -> bool:
    """Whether a sheet was graded once and grading it again failed: it keeps its earlier result, which does not
    count until it is graded again (its page says "Penilaian ulang gagal"; a sheet never graded, or refused,
    says "Tidak dapat dinilai")."""
    return row["state"] == "failed" and row["result_status"] not in (None, "refused")


def earlier_result_only(row) -> bool:
    """Whether what a sheet holds is an earlier result that does not count: its grading again failed
    (:func:`regrade_failed`) or is under way (:func:`being_graded_again`)."""
    return regrade_failed(row) or being_graded_again(row)


def counts_count(row) -> bool:
    """Whether a sheet's counts (right, wrong, to check, blank, unreadable) are the class's to count, in the class
    table, ``hasil.json`` and the exports alike: not for a sheet not graded yet, refused whole (no page was read: its
    zeros are no trainee's zero mistakes, and a spreadsheet's mean of them would count them), or holding an earlier
    result only (:func:`earlier_result_only`: its grading again failed, or is under way)."""
    return row["n_wrong"] is not None and row["result_status"] != "refused" and not earlier_result_only(row)


def counted_score(row) -> dict:
    """A sheet's ``full_score`` as the class counts it (its mean, its ranking, the exports), and the
    ``earlier_score`` of a sheet whose grading again failed (:func:`regrade_failed`) or is under way
    (``graded_again``: :func:`being_graded_again`): shown struck out, as the earlier result that does not count,
    never as its score. (A graded sheet being graded again showed "Antre", its old "100 sementara" and its counts in
    the class table and the exports, while the mean, the insight and the review queue left it out: rehearsal
    helper-195.)"""
    score = full_score(row["result_status"], row["score"])
    if earlier_result_only(row):
        return {"full_score": None, "earlier_score": score, "regrade_failed": regrade_failed(row),
                "graded_again": being_graded_again(row)}
    return {"full_score": score, "earlier_score": None, "regrade_failed": False, "graded_again": False}


def earlier_disputed_sheets(conn: sqlite3.Connection, exercise: str, latest_ids: set[int]) -> list[int]:
    """Graded sheets of ``exercise`` that hold a trainee's dispute but no longer stand for their trainee (not in
    ``latest_ids``: a retake, or another sheet read with the same trainee number, came after). Their disputes still wait
    for a trainer: the trainee's page of that sheet says so, and a later sheet must not make the trainer's queue forget
    them."""
    rows = conn.execute("SELECT DISTINCT s.id FROM submissions s JOIN disputes d ON d.submission_id = s.id "
                        "WHERE s.exercise=? AND s.state='done' AND s.superseded_by IS NULL ORDER BY s.id",
                        (exercise,)).fetchall()
    return [r["id"] for r in rows if r["id"] not in latest_ids]


def table_version(rows: list[dict]) -> str:
    """What :func:`latest_sheets` shows, in short: it changes when a sheet arrives, is graded, corrected or removed
    (each row's sheet, its last change and its attempts), whatever the sort. The class table left open asks for it
    (``hasil.json``) and takes its new rows when it has changed."""
    shown = ";".join(f"{r['id']}:{r['state']}:{r['updated_at']}:{r['attempts']}:{[s['id'] for s in r['strays']]}"
                     f":{[s['id'] for s in r['refused_later']]}:{[s['id'] for s in r['partial_later']]}"
                     for r in sorted(rows, key=lambda r: r["id"]))
    return hashlib.sha256(shown.encode()).hexdigest()[:16]


def _by_trainee(row: dict) -> tuple:
    """Named sheets by :func:`~grader.page_groups.trainee_order`; then the sheets that name nobody (keyed by their token), by the label the
    table shows them with (``IMG-20241127-WA0006``), not in the random order of their tokens."""
    if row["trainee_key"] == row["token"]:
        return (2, 0, (row["group_key"] or row["token"]).casefold())
    return trainee_order(row["trainee_key"])


def class_summary(conn: sqlite3.Connection, exercise: str, *, queue: bool = False) -> dict:
    """What the class table shows, counted the same way everywhere: one sheet per trainee (:func:`standing_sheet`);
    ``n`` its rows, ``trainees`` those but the refused photos that name nobody, counted apart (``refused``:
    :func:`refused_unnamed`).

    ``queue`` also counts the fields waiting in the review queue, as the queue itself does (it reads every
    graded row's result, so only the exercise page asks), and the sheets it lists for their numbers
    (:func:`unnamed_sheets`).
    """
    rows = latest_sheets(conn, exercise)
    done = [r for r in rows if r["state"] == "done"]
    scores = [r["full_score"] for r in done if r["full_score"] is not None]
    refused = sum(1 for r in rows if refused_unnamed(r))
    out = {"n": len(rows), "trainees": len(rows) - refused, "refused": refused, "graded": len(done),
           "mean": sum(scores) / len(scores) if scores else None}
    if queue:
        out["review"] = len(queue_fields(conn, exercise, latest=rows))
        out["unnamed"] = len(unnamed_sheets(conn, exercise, latest=rows))
    return out


def refused_unnamed(row: dict) -> bool:
    """Whether a row of the class table (:func:`latest_sheets`) is a refused photo that names nobody: a row of its
    own, for the trainer to see, but no trainee to count (its trainee may well have sent again, named: a rehearsal's
    class of 20 read "Hasil kelas (24)" with 4 such photos)."""
    return row["trainee_key"] == row["token"] and row["result_status"] == "refused"


def queue_fields(conn: sqlite3.Connection, exercise: str, *,
                 latest: list[dict] | None = None) -> list[tuple[dict, dict, dict, bool]]:
    """The review queue's fields, sheet by sheet, each sheet's in :func:`queue_order`, as ``(row, result, field,
    earlier)``: every waiting field of the sheet that stands for each trainee, if it is graded (:func:`current_graded`),
    and the disputes still open on their earlier sheets (``earlier``: :func:`earlier_disputed_sheets`; those sheets'
    other unsure fields are not listed, as the class table no longer counts them, nor those of a sheet whose trainee's
    newer sending is still being graded: :func:`newer_being_graded`). ``latest``: :func:`latest_sheets` as the caller
    read it for the same page (read here otherwise)."""
    shown = current_graded(conn, exercise, latest=latest)
    ids = [r["id"] for r in shown]
    earlier = set(earlier_disputed_sheets(conn, exercise, set(ids)))
    return [(row, res, f, row["id"] in earlier)
            for row, res in results_of(conn, ids + sorted(earlier), named_as=shown)
            for f in queue_order(res.get("fields") or [])
            if row["id"] not in earlier or f.get("disputed_at")]


def results_of(conn: sqlite3.Connection, sheet_ids: list[int], *,
               named_as: list[dict] = ()) -> list[tuple[dict, dict]]:
    """``(row, result)`` for the given sheets that have a result; a sheet among ``named_as`` (rows of
    :func:`latest_sheets`) with the trainee and name the class table gives it: an attempt joined to its trainee's number
    by the name typed (:func:`~grader.web.standing_sheets.identity_keys`) is that trainee's in the review queue and the
    exports too."""
    if not sheet_ids:
        return []
    marks = ",".join("?" * len(sheet_ids))
    rows = conn.execute(f"SELECT id, token, trainee, trainee_name, group_key, score, result FROM submissions "
                        f"WHERE id IN ({marks}) AND result IS NOT NULL ORDER BY id", sheet_ids).fetchall()
    shown = {r["id"]: {"trainee": r["trainee"], "trainee_name": r["trainee_name"]} for r in named_as}
    return [({**dict(r), **shown.get(r["id"], {})}, json.loads(r["result"])) for r in rows]


@dataclass(frozen=True)
class Tally:
    id: str
    label: str
    count: int
    share: float          # of the graded sheets
    label_en: str | None = None


def trainees_insight(conn: sqlite3.Connection, exercise: str, *, latest: list[dict] | None = None) -> dict:
    """:func:`class_insight` per trainee, as the class table counts them: the sheet that stands for each
    (:func:`standing_sheet`), if it is graded (one whose grading failed, or that is being graded, counts for none, not
    as an older attempt: :func:`failed_latest`, :func:`newer_being_graded`). A trainee who sent several times (attempts,
    a page sent again, a form sent again corrected: ``superseded_by``) counts once; a sheet that names nobody
    (``IMG-…-WA0091``, no number read on it) is a row of its own there, and here too. ``latest``: :func:`latest_sheets`
    as the caller read it for the same page (read here otherwise)."""
    sheets = current_graded(conn, exercise, latest=latest)
    return class_insight([res for _, res in results_of(conn, [r["id"] for r in sheets])])


# A page that shows the class (the insight, the review queue, the exercise page) reads :func:`latest_sheets` once and
# gives it to each of the functions below as ``latest``: each read it again before, four times for one page, the
# whole class's sheets every time. Without ``latest`` they read it themselves (a caller wanting one of them only).

def _latest_or_read(conn: sqlite3.Connection, exercise: str, latest: list[dict] | None) -> list[dict]:
    return latest_sheets(conn, exercise) if latest is None else latest


def current_graded(conn: sqlite3.Connection, exercise: str, *, latest: list[dict] | None = None) -> list[dict]:
    """The sheet that stands for each trainee (:func:`standing_sheet`: their latest not refused whole, nor read in part
    after a complete one), if it is graded: the sheets the class table counts, which the insight counts and the review
    queue lists. A trainee whose standing sheet failed (:func:`failed_latest`) or is still being graded
    (:func:`newer_being_graded`) has none here: an earlier attempt the table no longer shows is not counted, nor its
    fields asked to be checked as if they were the trainee's current ones."""
    return [r for r in _latest_or_read(conn, exercise, latest) if r["state"] == "done"]


def unnamed_sheets(conn: sqlite3.Connection, exercise: str, *,
                   latest: list[dict] | None = None) -> list[tuple[dict, dict]]:
    """``(row, result)`` of the class's graded sheets that nothing names: no QR trainee, no trainee number read
    surely, no name typed or given by a file name, and no number typed by a trainer yet. The class table shows each
    under its photo's file name (``IMG-…-WA0006``), a row no correction names. The review queue lists them after its
    fields, each number to be typed off the sheet's picture: helper-147 found 7 of a class's 20 sheets so once the
    whole queue was done, each to be found on its own page."""
    rows = [r for r in current_graded(conn, exercise, latest=latest)
            if not r["trainee"] and r["result_status"] != "refused"]
    return results_of(conn, [r["id"] for r in rows])


def failed_latest(conn: sqlite3.Connection, exercise: str, *, latest: list[dict] | None = None) -> list[dict]:
    """The trainees whose standing sheet failed (its first grading, or grading it again: :func:`regrade_failed`), as the
    class table shows them: not counted; a sending refused whole may have come after it (:func:`standing_sheet`), so it
    is not always their latest. The insight and the review queue leave them out, rather than count or list an older
    attempt the table no longer shows, and say so until the sheet is graded again."""
    return [r for r in _latest_or_read(conn, exercise, latest) if r["state"] == "failed"]


def newer_being_graded(conn: sqlite3.Connection, exercise: str, *, latest: list[dict] | None = None) -> list[dict]:
    """The trainees whose standing sheet (a retake, a page added, a batch's later photo; their latest but for sendings
    refused whole, or read in part after a complete one: :func:`standing_sheet`) is still being graded while an
    earlier sheet of theirs was graded: the class table shows the new one, waiting, so the insight and the review
    queue leave the earlier one out (:func:`current_graded`) and say so until the new one is graded. (The sheet that
    stands for each trainee among their *finished* ones is read only when some standing sheet is being graded: none,
    no one.)"""
    pending = [r for r in _latest_or_read(conn, exercise, latest) if r["state"] in ("queued", "running")
               and r["result_status"] is None]          # (not one graded before, graded again: graded_again)
    if not pending:
        return []
    graded = {r["trainee_key"] for r in latest_sheets(conn, exercise, include_pending=False) if r["state"] == "done"}
    return [r for r in pending if r["trainee_key"] in graded]


def graded_again(conn: sqlite3.Connection, exercise: str, *, latest: list[dict] | None = None) -> list[dict]:
    """The trainees whose standing sheet (:func:`standing_sheet`) was graded before and is being graded again (a
    trainer's "Nilai ulang" after its grading again failed; a sheet moved to this exercise): the class table shows it,
    waiting, so the insight and the review queue leave it out (:func:`current_graded`) and say so until it is graded.
    Not :func:`newer_being_graded`'s "new sheet" replacing an earlier one: a complete sheet graded again stands over
    its trainee's half sending that came after it, and the pages called it "lembar baru", the half sending "lembar
    sebelumnya" (rehearsal helper-192)."""
    return [r for r in _latest_or_read(conn, exercise, latest) if being_graded_again(r)]


def trainee_mistakes(fields: list[dict]) -> list[dict]:
    """The fields of a sheet its trainee got wrong (:data:`WRONG_STATUSES`), one a mistake: a pair's tally or bubbles
    wrong as its digits are, the same number, are one miscount, counted at the digits, as the sheet's feedback says it
    once ("angka, bulatan dan turus"). helper-147: one miscount filled three of the insight's bars, which could not
    tell it from a tally alone counted otherwise than its number (a habit the insight counts apart). Digits held wrong
    at their tally's and bubbles' number (unsure boxes, ``read_as`` "X??", value 16) are that number's miscount too:
    compared by their shown reading alone, one miscount was three bars again (rehearsal helper-182)."""
    wrong = [f for f in fields if f.get("status") in WRONG_STATUSES]
    digits = {(f["id"], f["status"], shown) for f in wrong if f.get("kind") == "digits"
              for shown in {shown_value(f), shown_value({"value": f.get("value")})}}
    return [f for f in wrong
            if f.get("kind") not in ("tally", "bubbles") or (pair_base(f), f["status"], shown_value(f)) not in digits]


#: Why a sheet's rule is not checkable yet: a field of it waits for a trainer (the review queue), or is on a page not
#: read (not sent, or its photo refused: only the trainee's photo can read it).
UNCHECKED_WHY = ("review", "unread")


def unchecked_rules(result: dict) -> dict[str, int]:
    """How many of a graded sheet's rules are not checkable yet (:data:`UNCHECKED_WHY`), per reason: a rule we could
    not check may be one the trainee broke (a failing sum with an unsure term goes to review, never "violated":
    grader.grading.grade), so the insight cannot say "no rule broken" while there are any (helper-169: it did, with
    a trainee's broken rule behind two fields in review). A rule left unchecked by a field written blank, which no
    review or retake will read, is not counted: that field counts as blank already. A field on a page not read
    counts before one waiting: a trainer's check cannot make such a rule checkable."""
    fields = {f.get("id"): f for f in result.get("fields") or []}
    out = dict.fromkeys(UNCHECKED_WHY, 0)
    for rule in result.get("rules") or []:
        if rule.get("status") != "not_checkable":
            continue
        terms = [fields[fid] for fid in rule.get("fields") or () if fid in fields]
        if any(f.get("value") is None and not waiting(f) and not on_unread_page(f) for f in terms):
            continue                                  # written blank: never checkable
        if any(on_unread_page(f) for f in terms):
            out["unread"] += 1
        elif any(waiting(f) for f in terms):
            out["review"] += 1
    return out


def class_insight(results: list[dict], *, top: int = 12) -> dict:
    """Which fields and rules the class gets wrong most, and which writing habits show, on how many of ``results``
    (one per trainee: :func:`trainees_insight`); ``trainees`` of them graded, the shares out of those."""
    graded = [r for r in results if r.get("status") in ("graded", "partial")]
    n = len(graded) or 1
    fields: Counter = Counter()
    labels: dict[str, tuple[str, str | None]] = {}
    rules: Counter = Counter()
    rule_text: dict[str, tuple[str, str]] = {}
    for res in graded:
        for f in trainee_mistakes(res.get("fields") or []):
            fields[f["id"]] += 1
            labels[f["id"]] = (f.get("label") or f["id"], f.get("label_en"))
        for rule in res.get("rules") or []:
            if rule.get("status") == "violated":
                base = rule["id"].split("[")[0]
                rid = rule["id"]
                rules[rid] += 1
                # the rule itself, not one sheet's message with its numbers ("tertulis: 236 ≠ 237")
                rule_text[rid] = (rule.get("text_id") or rule.get("message_id") or base,
                                  rule.get("text_en") or rule.get("message_en") or base)
    habits: Counter = Counter()
    for res in graded:
        shown = {finding_code(x) for x in res.get("findings") or []}
        if any(f.get("status") == "blank" for f in res.get("fields") or []):
            shown.add(BLANK_FIELD)
        habits.update(shown & set(HABITS))
    unchecked = [unchecked_rules(r) for r in graded]
    scores = [s for r in graded if (s := full_score(r.get("status"), r.get("score"))) is not None]
    # fields a trainer has still to check: until then a mean, a field's count or a bar may move (a misread
    # corrected to a mistake, a doubt confirmed right)
    unsettled = [sum(1 for f in r.get("fields") or [] if waiting(f)) for r in graded]
    return {
        "trainees": len(graded),
        "waiting": {"fields": sum(unsettled), "trainees": sum(1 for n in unsettled if n)},
        "scored": len(scores),       # the trainees whose sheet is whole: the mean and the spread are theirs
        "mean_score": sum(scores) / len(scores) if scores else None,
        "fields": [Tally(fid, labels[fid][0], c, c / n, labels[fid][1]) for fid, c in fields.most_common(top)],
        "rules": [{"id": rid, "message_id": rule_text[rid][0], "message_en": rule_text[rid][1], "count": c,
                   "share": c / n} for rid, c in rules.most_common(top)],
        # the rules not checkable yet, which may be broken: "no rule broken" is said only if there are none
        "unchecked_rules": {why: {"rules": sum(u[why] for u in unchecked),
                                  "trainees": sum(1 for u in unchecked if u[why])} for why in UNCHECKED_WHY},
        "habits": [{"code": code, "text": HABITS[code], "count": c, "share": c / n} for code, c in habits.most_common()],
        "histogram": _histogram(scores),
    }


#: The score ranges of the insight's bars, finer near the top, where a practice class's scores are: in bars of 20, a
#: whole class of 90-100 filled "80–100" and the chart told the trainer nothing (helper-147). A perfect sheet has its
#: own bar.
SCORE_RANGES = ((0, 49), (50, 69), (70, 79), (80, 89), (90, 94), (95, 99), (100, 100))


def _histogram(scores: list[float]) -> list[dict]:
    """The class's scores, as shown (whole points, :func:`shown_score`), counted in :data:`SCORE_RANGES`, which do
    not overlap ("0–20, 20–40" left a 20 in two bars; helper-140)."""
    counts = [0] * len(SCORE_RANGES)
    for s in scores:
        shown = min(max(shown_score(s), 0), 100)
        counts[next(i for i, (lo, hi) in enumerate(SCORE_RANGES) if lo <= shown <= hi)] += 1
    top = max(counts) or 1
    return [{"lo": lo, "hi": hi, "count": c, "share": c / top} for (lo, hi), c in zip(SCORE_RANGES, counts)]
