"""This browser's attempts: remembered in the signed session, the earlier ones of a sheet's exercise, and the pages
they can give a graded sheet that lacks one."""
from __future__ import annotations

import json
import secrets

from flask import session

from grader.web.db import REMOVED, get_db
from grader.web.grading import kept_photos
from grader.web.present import unread_pages
from grader.web.standing_sheets import identity_keys

MY_ATTEMPTS = 40


def remember_attempt(token: str) -> None:
    mine = [t for t in session.get("mine", []) if t != token]
    session["mine"] = (mine + [token])[-MY_ATTEMPTS:]


def sender_id() -> str:
    """This browser, as the sender of a trainee's sheets (``submissions.sender``): a random id kept in its session.
    With the name typed it tells two trainees of one name apart, each on their own phone (the "sent again since" of
    a sending a crash left unrecorded: :mod:`grader.web.unrecorded`)."""
    if not isinstance(session.get("sender"), str):
        session["sender"] = secrets.token_urlsafe(12)
    return session["sender"]


def earlier_attempts(row) -> list:
    """This browser's other sheets of ``row``'s exercise, whoever they name (a phone lent round remembers the
    friend's too: :func:`own_attempts` are the trainee's own), oldest first."""
    mine = [t for t in session.get("mine", []) if t != row["token"]]
    if not mine or not row["exercise"]:
        return []
    marks = ",".join("?" * len(mine))
    return get_db().execute(
        f"SELECT id, token, trainee, trainee_name, typed_trainee, group_key, score, state, result_status, n_wrong, "
        f"n_review, n_blank, created_at, result FROM submissions WHERE token IN ({marks}) AND exercise=? "
        f"AND state != '{REMOVED}' AND superseded_by IS NULL ORDER BY id",     # (not one replaced)
        (*mine, row["exercise"])).fetchall()


def own_attempts(row) -> list:
    """The earlier attempts a result page lists: this browser's sheets of the same exercise by the same trainee,
    told apart as the class table tells them (:func:`grader.web.standing_sheets.identity_keys`: "wati " is "Wati"; a
    sheet naming nobody is nobody else's), sent before it (the table ends with it, "now"). A phone shared in class must
    not list Dedi's and Rudi's scores under Wati's. A sheet that names nobody lists this browser's earlier sheets
    that name nobody either: there is no name to tell them apart by, and none of them is a named trainee's."""
    earlier = [a for a in earlier_attempts(row) if a["id"] < row["id"]]
    *keys, who = [k["key"] for k in identity_keys([*earlier, row])]
    nobody = who == row["token"]
    return [a for a, k in zip(earlier, keys) if k == who or nobody and k == a["token"]]


def later_sheet_of(sheet: str) -> str:
    """SQL condition on ``n`` (submissions): a sheet that follows sheet ``sheet`` (an SQL expression for its id): made
    from it (a retake, the sheet completed with a missing page), or a later sheet from the same browser holding one
    of its photos (its page 2 lent to complete another sheet: helper-138 found that sheet still offering to be
    completed). A trainer's batch holding the same photo is not one: the trainee is never sent to a batch's sheet. A
    sheet whose browser is not known (sent before ``submissions.sender`` was kept) is followed by a later trainee's
    sheet holding its photo, whichever browser sent that (helper-153: after an upgrade it offered its page again)."""
    return (f"n.state NOT IN ('{REMOVED}', 'merged') AND (n.retake_of = {sheet} OR (n.id > {sheet} "
            f"AND n.source = 'trainee' AND (SELECT o.sender IS NULL OR o.sender = n.sender FROM submissions o "
            f"WHERE o.id = {sheet}) "
            f"AND n.id IN (SELECT v.submission_id FROM uploads u JOIN uploads v ON v.sha256 = u.sha256 "
            f"WHERE u.submission_id = {sheet})))")


def newer_sheet(row):
    """The newest sheet that follows this one (:func:`later_sheet_of`), if any."""
    return get_db().execute(f"SELECT n.token, n.created_at FROM submissions n WHERE {later_sheet_of(':sheet')} "
                            f"ORDER BY n.id DESC LIMIT 1", {"sheet": row["id"]}).fetchone()


def missing_pages(row, res: dict | None) -> set[int]:
    """Pages of a graded sheet that no photo of it showed (never sent, not refused): the trainee may add them."""
    if row["state"] != "done" or not res or res.get("status") != "partial":
        return set()
    return set(unread_pages(res).missing)


def duplicate_photos(res: dict | None) -> list[int]:
    """Places (1-based, upload order) of the photos a result refused as a page it had read already
    (``duplicate_page``): on a sheet lacking a page, that page is what the trainee should send, not this one again."""
    return [i for i, p in enumerate((res or {}).get("pages") or (), start=1)
            if (p.get("refusal") or {}).get("code") == "duplicate_page"]


def read_pages(res: dict) -> dict[int, int]:
    """``page -> index`` of the photo that showed it, for the pages a result read (photos are in upload order)."""
    return {p["page"]: i for i, p in reversed(list(enumerate(res.get("pages") or []))) if p.get("page") and not p.get("refusal")}


def page_offers(row, missing: set[int]) -> list[dict]:
    """This browser's earlier graded sheets of the same exercise that read a page this one lacks, newest first, one
    per page. A trainee who sent page 2 again on its own (to fix it) can grade it together with the page 1 they
    sent before, instead of leaving a half sheet as their latest. Each offer names whom that sheet names, and the
    page links to it: on a phone lent round, neither sheet may name anyone, and the trainee decides by looking."""
    offers: dict[int, dict] = {}
    attempts = earlier_attempts(row)
    for a in reversed(attempts):
        for page in sorted(pages_for(row, a, missing, attempts)):
            offers.setdefault(page, {"page": page, "token": a["token"], "created_at": a["created_at"],
                                     "who": a["trainee_name"] or a["trainee"]})
    return [offers[p] for p in sorted(offers)]


def pages_for(row, attempt, missing: set[int], attempts=None) -> set[int]:
    """The missing pages that an earlier ``attempt`` (a row of :func:`earlier_attempts`, ``attempts`` if given) read.
    None from a sheet naming another trainee: a phone lent to a friend remembers the friend's attempts too."""
    if attempt["state"] != "done" or not attempt["result"]:
        return set()
    if row["trainee"] and attempt["trainee"] and not _one_trainee(row, attempt, attempts):
        return set()
    return missing & set(read_pages(json.loads(attempt["result"])))


def _one_trainee(row, attempt, attempts=None) -> bool:
    """Whether ``attempt`` names the trainee ``row`` names, as the class table and the earlier attempts listed tell
    them (:func:`grader.web.standing_sheets.identity_keys`, over this browser's sheets of the exercise): "Wayan"
    typed with a page 1 whose number was not read firmly is trainee 031 of the page 2 sent next, its boxes read 031
    beside the same name. Compared as ids alone they were two trainees, and the page 1 sent minutes before was not
    offered to complete the sheet, though listed among its earlier attempts (rehearsal helper-185)."""
    rows = [a for a in (earlier_attempts(row) if attempts is None else attempts) if a["id"] != row["id"]]
    if not any(a["id"] == attempt["id"] for a in rows):
        rows.append(attempt)
    keys = {r["id"]: k["key"] for r, k in zip([*rows, row], identity_keys([*rows, row]))}
    return keys[attempt["id"]] == keys[row["id"]]


def wrong_page_photos(row, res: dict | None) -> list[dict]:
    """The new photos of a retake or a completed sheet refused as a page its kept photos show (``duplicate_page``,
    :func:`grader.web.grading.kept_photos`): page 1 sent by mistake as the retake of page 2. Each says its place
    (``pos``), the page it showed (``sent``), the pages still to photograph (``meant``), and why the sheet it was made
    from refused its photos that this one no longer holds (``why``, refusals: page 2's glare), which the trainee
    was told there and must still see here (retake rehearsal: "Halaman 2 belum dikirim", the glare not said)."""
    missing = sorted(unread_pages(res).missing) if res and row["retake_of"] else []
    if not missing:
        return []
    db = get_db()
    earlier = db.execute("SELECT result FROM submissions WHERE id=?", (row["retake_of"],)).fetchone()
    def photos(sheet_id: int) -> list[str]:
        return [u["sha256"] for u in db.execute("SELECT sha256 FROM uploads WHERE submission_id=? ORDER BY position",
                                                (sheet_id,))]
    old, new = photos(row["retake_of"]), photos(row["id"])
    kept = set(kept_photos(db, row))        # the same photo sent again as the retake is a new photo too
    old_pages = json.loads(earlier["result"]).get("pages") or [] if earlier and earlier["result"] else []
    why = [p["refusal"] for p, sha in zip(old_pages, old)
           if sha not in new and p.get("refusal") and p["refusal"].get("code") != "duplicate_page"]
    return [{"pos": i, "sent": p["page"], "meant": missing, "why": why}
            for i, p in enumerate(res.get("pages") or [], start=1)
            if i - 1 < len(new) and i - 1 not in kept and p.get("page")
            and (p.get("refusal") or {}).get("code") == "duplicate_page"]
