"""A finished batch's pages, put together per trainee: single pages merged, file-name pairs of two trainees split.

A batch's photos are graded one sheet each as they come (a chat export names nobody); once the last one is
graded, :func:`merge_batch` joins the single pages that the QR or a firmly read trainee number give to one
trainee (across the exercise's batches), after :func:`split_contradicting_pairs` has undone pairs that file
names made of two trainees' pages. A merged sheet is a new submission built from the stored photos, recorded
in one transaction with its pages marked ``merged`` and their corrections carried over, and only if those pages are
still single then: a page is merged (a pair split) once, however many runs of the merge read it at the same time
(:func:`_replace`). At startup, :func:`merge_finished_batches` finishes what a crash left.
"""
from __future__ import annotations

import json
import logging
import sqlite3
from contextlib import closing
from pathlib import Path

from grader.errors import GraderError
from grader.file_names import page_said_plainly
from grader.page_groups import PageEvidence, group_pages, normalise_id, page_number_evidence
from grader.web.batching import TYPED_BY_TRAINER, is_named, merge_candidates
from grader.photo.refusal import REASON_CODES
from grader.sheet.schema import resolve_template
from grader.web.corrections import carry_over_reviews, fields_on_pages, pages_read_from
from grader.web.db import MERGING, RETAKEN, STORING, connect, immediate, now_iso
from grader.web.grading import stored_photos_sent_in
from grader.web.grading_queue import BATCH_PRIORITY, queue_grading
from grader.web.job_followups import refused
from grader.web.pages_elsewhere import name_pages_in_other_sheets
from grader.web.sheet_storing import NewSheet, store_sheets, store_submission
from grader.web.stranded import queue_stranded

log = logging.getLogger(__name__)


def _kept_sheets(photos: int) -> str:
    """SQL: a graded sheet ``s`` of ``photos`` photos that nothing replaced (what a split or a merge may take); nor
    its trainee sent again since, from its result page: the batch merged again took Dewi's half sheet, completed by
    her since, as a second photo of page 1 beside the sheet completing it (rehearsal helper-168)."""
    return (f"s.state='done' AND s.superseded_by IS NULL AND NOT {RETAKEN} AND "
            f"(SELECT COUNT(*) FROM uploads u WHERE u.submission_id=s.id) = {int(photos)}")


def merge_finished_batches(runner) -> int:
    """At startup: queue the sheets a crash or an error left marked queued but without a grading job (between a
    sheet's storing, or its claim to be graded again, and its queueing), as their callers would have queued them
    (:mod:`grader.web.stranded`), then merge batches that finished while the merge step could not run. Returns how
    many batches were merged."""
    queue_stranded(runner, older_than_s=0)         # (every request waits for this: none is between its commits)
    conn = connect(runner.ctx.database)
    try:
        # a batch a crash cut short while its photos were stored: the same form sent again stores the rest into it
        # (the photos stored are grouped with the rest, not stored again)
        conn.execute("UPDATE batches SET client_token=NULL WHERE client_token LIKE ? || '%'", (STORING,))
        # a merge a crash cut short is claimed again (it only touches sheets still single, so it resumes; a refused
        # merge of this process resuming meanwhile may run beside it: each page is replaced once, by one of them)
        conn.execute(f"UPDATE batches SET merged=0 WHERE merged={MERGING}")
        ids = [r["id"] for r in conn.execute(
            "SELECT id FROM batches b WHERE merged=0 AND NOT EXISTS (SELECT 1 FROM submissions s "
            "WHERE s.batch_id=b.id AND s.state IN ('queued', 'running'))")]
        for batch_id in ids:
            merge_batch(conn, batch_id, runner)
        return len(ids)
    finally:
        conn.close()


def split_contradicting_pairs(conn: sqlite3.Connection, batch_id: int, runner) -> int:
    """Split the batch's sheets that were paired by file name but whose pages name two trainees (or hold one page
    twice, or a page refused as another trainee's).

    A file name (``budi_p1``, ``Foto 1``) pairs two photos before anything is read. When the trainee numbers
    read on them then contradict (``009`` on page 1, ``104`` on page 2, by :mod:`grader.page_groups`' rules),
    the pair was two trainees' pages: each photo becomes a single-page sheet of its own, graded again, and the
    merge step pairs it by the number written on it. The pair is kept, marked ``merged``. Returns how many.
    """
    ctx = runner.ctx
    jobs, split = [], 0
    for r in conn.execute(f"SELECT id, exercise, result FROM submissions s WHERE batch_id=? AND {_kept_sheets(2)}",
                          (batch_id,)).fetchall():
        result = json.loads(r["result"])
        if not _holds_two_trainees(result):
            continue
        held = _photos_of(conn, ctx.data_dir, [r["id"]])
        if held is None:
            continue
        photos, inputs = held
        # Each half is named by its photo's whole name: the name they share (budi_p1 / budi_p2) paired two
        # trainees, so naming both "budi" would make them one trainee's attempts in the class table and hide one.
        halves = [NewSheet(files=[photo], source="batch", exercise=r["exercise"], trainee=photo[0],
                           batch_id=batch_id, group_key=photo[0], sent_in=(sent_in,))
                  for photo, sent_in in zip(photos, inputs)]
        # a trainer's corrections and a trainee's disputes follow the page their field is on
        # (a refused photo's page may be the kept one's page too: its half gets none of them)
        def replace_pair(c: sqlite3.Connection, new_ids: list[int]) -> None:
            # (with the halves, in one transaction: a crash between them would split the pair again)
            _replace(c, [r["id"]], new_ids[0])
            for (name, _data), sid in zip(photos, new_ids):
                carry_over_reviews(c, [r["id"]], sid, fields_on_pages(result, pages_read_from(result, name)))
        try:
            new_ids = [new.id for new in store_sheets(conn, Path(ctx.data_dir), halves, then=replace_pair)]
        except AlreadyReplaced:
            # changed since it was read: split by another run of the merge (its halves are graded, then merged with
            # the batch's other pages by that run's next merge, as after this one's split), or graded again
            if conn.execute("SELECT state FROM submissions WHERE id=?", (r["id"],)).fetchone()["state"] == "merged":
                log.info("batch %s: sheet %s was split meanwhile by another run of its merge", batch_id, r["id"])
                split += 1
            continue
        log.info("batch %s: sheet %s paired by file name holds two trainees' pages; split into %s",
                 batch_id, r["id"], new_ids)
        jobs += new_ids
        split += 1
    if jobs:
        # the merge runs again once these are graded (every new sheet is stored and queued before any runs)
        conn.execute("UPDATE batches SET merged=0 WHERE id=?", (batch_id,))
    for sid in jobs:
        queue_grading(conn, sid, priority=BATCH_PRIORITY, runner=runner)
    return split


class AlreadyReplaced(Exception):
    """Raised inside a merge's or a split's transaction (:func:`_replace`): a sheet it read as single is merged or
    replaced already; its new sheet is not stored (the transaction is rolled back, its photos removed)."""


def _replace(conn: sqlite3.Connection, old_ids: list[int], new_id: int) -> None:
    """In the transaction storing ``new_id``: mark the sheets ``old_ids`` merged into it, if each is still a graded
    sheet nothing replaced (:func:`_kept_sheets`); else raise :class:`AlreadyReplaced`.

    Two runs of the merge of one batch may read the same single pages before either stores its merged sheet: at
    start, :func:`merge_finished_batches` resets the batches claimed for a merge, while a merge the database refused
    may be resuming in the job runner's thread (:func:`merge_claimed_batch`); or the merge of another batch of the
    exercise takes the same page across batches. The store's ``BEGIN IMMEDIATE`` puts the two stores one after the
    other, and this check makes the second store nothing: each page is merged once, into one sheet."""
    marks = ",".join("?" * len(old_ids))
    replaced = conn.execute(f"UPDATE submissions SET state='merged', superseded_by=?, updated_at=? WHERE id IN "
                            f"({marks}) AND state='done' AND superseded_by IS NULL", (new_id, now_iso(), *old_ids))
    if replaced.rowcount != len(old_ids):
        raise AlreadyReplaced(f"sheet(s) {old_ids} were merged or replaced meanwhile")


def _holds_two_trainees(result: dict) -> bool:
    """Whether a pair made by file names holds two trainees' photos: a page refused as another trainee's (by its
    QR), or pages whose trainee numbers contradict (:mod:`grader.page_groups`' rules), also where one was refused
    as the same page again (C.Hasil (1).jpg and (2).jpg, two trainees' page 1s). A page 1 photographed again by
    one trainee, with no number saying otherwise, stays their sheet ("this is page 1 again")."""
    pages = result.get("pages", [])
    codes = {(p.get("refusal") or {}).get("code") for p in pages}
    if "other_trainee" in codes:
        return True
    if result.get("identity_source") == "qr":
        return False                # the QR names the trainee of both pages
    twice = "duplicate_page" in codes
    # names that say their pages plainly (s0014-p1, s0014-p2) let a firm number admit an unsure one that may be it
    # (133, and 130 with its last box unsure), as grader grade pairs them
    plain = all(page_said_plainly(p.get("file") or "") for p in pages)
    evidence = [PageEvidence(page=None if twice else p.get("page"), file_key=("pair", "pair"), named_page=plain,
                             **page_number_evidence(p.get("trainee_number")))
                for p in pages if not p.get("refusal") or p["refusal"].get("code") == "duplicate_page"]
    return len(group_pages(evidence)) >= 2


def merge_batch(conn: sqlite3.Connection, batch_id: int, runner) -> None:
    """Merge single-page sheets of one trainee (QR or firmly read trainee number) in a finished batch, and regrade.

    Runs once per batch (claimed with ``batches.merged``). The merged sheet is
    a new submission built from the stored photos; the originals are kept,
    marked ``merged`` and linked to it. The claim is this function's only write on ``conn``: if the database refuses
    it, nothing has changed, and the caller may run it again. The merge itself is a step of the job runner's
    (``runner.now``, :func:`merge_claimed_batch`): if the database refuses it part way, it is resumed later.
    """
    pending = conn.execute("SELECT COUNT(*) FROM submissions WHERE batch_id=? AND state IN ('queued', 'running')",
                           (batch_id,)).fetchone()[0]
    if pending or conn.execute(f"UPDATE batches SET merged={MERGING} WHERE id=? AND merged=0 RETURNING id",
                               (batch_id,)).fetchone() is None:
        return
    runner.now(merge_claimed_batch, runner, batch_id)


def merge_claimed_batch(runner, batch_id: int) -> None:
    """Merge a batch claimed for it (``MERGING``), then mark it done, unless a split asked for another merge once its
    halves are graded (while ``MERGING``, no sheet of the batch can be removed, :func:`grader.web.removal.remove_sheet`,
    as this step reads their photos).

    If the database refuses a step for now (locked past its timeout), the batch stays claimed and this is raised, to
    be run again: it resumes, as it only touches sheets still single, and nothing else claims the batch meanwhile
    (released, it would be merged by nothing until the last sheet graded again or the next start) but the start's
    :func:`merge_finished_batches`, which may run it beside this one: the two merge each page once (:func:`_replace`),
    so running it twice, even at the same time, merges the batch as running it once does. Another error
    would come again: the batch is marked done as it is (its pages graded, single: the trainer sees them all, and
    the page says the batch is complete) and the error raised, to be logged."""
    with closing(connect(runner.ctx.database)) as conn:
        row = conn.execute("SELECT merged FROM batches WHERE id=?", (batch_id,)).fetchone()
        if row is None or row["merged"] != MERGING:
            return                      # (a split asked for another merge before a refusal cut this short)
        try:
            _merge_claimed_batch(conn, batch_id, runner)
        except Exception as exc:
            if refused(exc):
                raise
            _merged(conn, batch_id)
            raise
        _merged(conn, batch_id)


def _merged(conn: sqlite3.Connection, batch_id: int) -> None:
    conn.execute(f"UPDATE batches SET merged=1 WHERE id=? AND merged={MERGING}", (batch_id,))


def _merge_claimed_batch(conn: sqlite3.Connection, batch_id: int, runner) -> None:
    ctx = runner.ctx
    if split_contradicting_pairs(conn, batch_id, runner):
        return                                      # merged once the halves are graded
    with immediate(conn):           # (read and written at once: no grading or correction stored between)
        name_pages_in_other_sheets(conn, batch_id)
    singles = _single_pages(conn, "s.batch_id=?", (batch_id,))
    groups = merge_candidates(singles, repeats=True)        # (a page twice: one sheet, as grader grade makes it)
    # A trainee's other page may have come in another batch of the exercise (page 1 photos one day, page 2 the
    # next): pages that the QR or a firmly read number name join across batches, weaker evidence never does.
    merged = {r["id"] for g in groups for r in g}
    mine = [r for r in singles if r["id"] not in merged and is_named(r)]
    if mine:
        codes = sorted({r["exercise"] for r in mine if r["exercise"]})
        others = [r for r in _single_pages(
            conn, f"s.source='batch' AND s.batch_id != ? AND s.exercise IN ({','.join('?' * len(codes))}) AND NOT "
                  "EXISTS (SELECT 1 FROM batches b WHERE b.id = s.batch_id AND b.merged = ?)",    # (busy merging)
            (batch_id, *codes, MERGING)) if is_named(r)]
        ids = {r["id"] for r in mine}
        groups += [g for g in merge_candidates(mine + others) if any(r["id"] in ids for r in g)]
    # A page that completes a trainee's sheet left partial in another batch (its other page refused or never sent):
    # the retake the sheet asked for, sent in a later chat export (helper-155: a one-page sheet of its own, the class
    # table showing the trainee's other page as never sent).
    merged = {r["id"] for g in groups for r in g}
    for single in singles:
        if single["id"] not in merged and is_named(single) and not single["refused"]:
            partial = _partial_sheet_completed_by(conn, single, batch_id)
            if partial is not None:
                groups.append([partial, single])
    # A second photo of a page that a sheet of this batch holds already, its trainee's (Andi_1.jpg and Andi_2.jpg a
    # sheet by their names, IMG-…-WA0099.jpg page 2 again, named by its QR): one sheet with it, as ``grader grade``
    # makes one of a page photographed twice, not a one-page sheet of its own that, stored later, stood in the class
    # table for the trainee, its complete sheet left out (reh165). Its photo goes first: the last photo of a page is
    # graded, so the sheet's own stays graded and this one is refused as that page again, kept and shown there. So
    # too a blurry or dark second photo its QR names: refused, it stood in the table as the trainee's latest attempt,
    # "Ditolak" hiding the complete sheet's score (the s51 probe).
    merged = {r["id"] for g in groups for r in g}
    joining: dict[int, list[dict]] = {}
    for single in singles:
        if single["id"] not in merged and is_named(single) and single["identity_source"] != TYPED_BY_TRAINER:
            holder = _sheet_holding_page(conn, single, batch_id)
            if holder is not None:
                joining.setdefault(holder["id"], [holder]).insert(-1, single)
    groups += joining.values()
    for group in groups:
        held = _photos_of(conn, ctx.data_dir, [r["id"] for r in group],
                          keep={r["id"]: r["keep"] for r in group if "keep" in r})
        if held is None:
            continue
        files, inputs = held
        named = next((r["trainee"] for r in group if is_named(r)), None)
        typed = next((r["trainee"] for r in group if r["identity_source"] == TYPED_BY_TRAINER), None)
        def replace_pages(c: sqlite3.Connection, new_id: int, group=group, typed=typed) -> None:
            _replace(c, [r["id"] for r in group], new_id)
            carry_over_reviews(c, [r["id"] for r in group], new_id)
            if typed:       # (the merged sheet is named by the trainer's number too: grading.named_by_trainer)
                c.execute("UPDATE submissions SET trainer_number=? WHERE id=?", (typed, new_id))
        try:
            new = store_submission(conn, Path(ctx.data_dir), files=files, source="batch",
                                   exercise=group[0]["exercise"], trainee=named, batch_id=batch_id,
                                   group_key=named or group[0]["group_key"], sent_in=tuple(inputs), dedupe=False,
                                   then=replace_pages)
        except AlreadyReplaced:
            log.info("batch %s: sheets %s were merged meanwhile by another run of a merge", batch_id,
                     [r["id"] for r in group])
            continue
        log.info("batch %s: merged sheets %s of trainee %s into %s", batch_id, [r["id"] for r in group],
                 group[0]["trainee"], new.id)
        queue_grading(conn, new.id, priority=BATCH_PRIORITY, runner=runner)


def _photos_of(conn: sqlite3.Connection, data_dir: str, sheet_ids: list[int],
               keep: dict[int, set[str]] | None = None) -> tuple[list[tuple[str, bytes]], list[str | None]] | None:
    """The sheets' stored photos (of a sheet in ``keep``, only those of its file names) and each one's input
    (``uploads.sent_in``: a page its trainee retook or added from a batch sheet's result page stays theirs in the
    merged sheet or the half, as the export's "Dikirim oleh" and its refusal card say; helper-159), or None when one
    is missing from the disk: those sheets stay as they are (each says ``photo_missing`` if graded again), and the
    batch's other trainees are still merged."""
    keep = keep or {}
    try:
        held = [(photo, sent_in) for sid in sheet_ids for photo, sent_in in stored_photos_sent_in(conn, data_dir, sid)
                if sid not in keep or photo[0] in keep[sid]]
    except GraderError as exc:
        log.error("sheets %s are left as they are: %s", sheet_ids, exc)
        return None
    return [photo for photo, _ in held], [sent_in for _, sent_in in held]


def merge_after_numbering(conn: sqlite3.Connection, sid: int, runner) -> bool:
    """Merge the batch of sheet ``sid`` again now that a trainer typed its trainee number: a half sheet nothing named
    finds its trainee's other half, as pages the QR names do (helper-155: two nameless halves typed 108 became two
    attempts, page 1's fields gone from the table and the queue). True when ``sid`` was merged into a sheet."""
    row = conn.execute("SELECT batch_id FROM submissions WHERE id=?", (sid,)).fetchone()
    if row is None or row["batch_id"] is None:
        return False
    # (a merge running may have read the batch's pages before this number: asked again, as a split asks, its end
    # leaves the batch due, and this run, or the one after the sheets it queued are graded, merges with the number)
    conn.execute("UPDATE batches SET merged=0 WHERE id=? AND merged != 0", (row["batch_id"],))
    merge_batch(conn, row["batch_id"], runner)
    return conn.execute("SELECT superseded_by FROM submissions WHERE id=?", (sid,)).fetchone()["superseded_by"] \
        is not None


def _partial_sheet_completed_by(conn: sqlite3.Connection, single: dict, batch_id: int) -> dict | None:
    """The sheet of another batch that ``single`` (a page read, its trainee named) completes: the same exercise
    and trainee (its QR, its number read firmly or typed by a trainer), graded in part, its pages read being all but
    ``single``'s; as a group member of :func:`_merge_claimed_batch`, with ``keep``, the names of its photos that were
    read (its refused photo of that page stays with it, replaced). Of two that would do (the trainee's page 2 refused
    in two chat exports), the latest: the class table's attempt, which the retake was sent to complete (it joined
    neither, a one-page sheet of its own the latest). None when no sheet would do."""
    found = []
    for r in conn.execute("SELECT s.id, s.exercise, s.trainee, s.group_key, s.result FROM submissions s WHERE "
                          "s.source='batch' AND s.batch_id != ? AND s.exercise=? AND s.state='done' AND "
                          f"s.superseded_by IS NULL AND NOT {RETAKEN} AND s.result_status='partial' AND NOT EXISTS "
                          "(SELECT 1 FROM batches b WHERE b.id = s.batch_id AND b.merged = ?) ORDER BY s.id",
                          (batch_id, single["exercise"], MERGING)):
        row, res, read = _sheet_as_compared(r)
        pages = res.get("pages") or []
        stored = {u["filename"] for u in conn.execute("SELECT filename FROM uploads WHERE submission_id=?", (r["id"],))}
        if not (_names_trainee_of(row, single) and res.get("template") and None not in read
                and {p.get("file") for p in pages} <= stored):   # (a PDF's pages are no photos of their own)
            continue
        if set(range(1, len(resolve_template(res["template"]).pages) + 1)) - read == set(single["pages"]):
            found.append({**row, "keep": {p["file"] for p in pages if not p.get("refusal")}})
    return found[-1] if found else None


def _sheet_holding_page(conn: sqlite3.Connection, single: dict, batch_id: int) -> dict | None:
    """The sheet of more than one photo in batch ``batch_id`` that holds ``single``'s page read already: graded, of
    the same exercise and trainee (its QR or its number read firmly; a number a trainer typed never hides a sheet as
    a page photographed again, :func:`grader.web.batching.merge_candidates`); as a group member of
    :func:`_merge_claimed_batch`. Of two, the first stored. None when no sheet does."""
    for r in conn.execute("SELECT s.id, s.exercise, s.trainee, s.group_key, s.result FROM submissions s WHERE "
                          "s.batch_id=? AND s.exercise=? AND s.id != ? AND s.state='done' AND s.superseded_by IS NULL "
                          f"AND NOT {RETAKEN} AND (SELECT COUNT(*) FROM uploads u WHERE u.submission_id=s.id) > 1 "
                          "ORDER BY s.id",
                          (batch_id, single["exercise"], single["id"])):
        row, _, read = _sheet_as_compared(r)
        if _names_trainee_of(row, single) and row["identity_source"] != TYPED_BY_TRAINER \
                and set(single["pages"]) <= read:
            return row
    return None


def _sheet_as_compared(r) -> tuple[dict, dict, set]:
    """A stored sheet (``id``, ``exercise``, ``group_key``, ``trainee``, ``result``) as the merge step compares it
    with a single page: its row, named as :func:`_identity` names it; its result; the pages it read."""
    res = json.loads(r["result"])
    row = {"id": r["id"], "exercise": r["exercise"], "group_key": r["group_key"], **_identity(r, res)}
    return row, res, {p.get("page") for p in res.get("pages") or () if not p.get("refusal")}


def _names_trainee_of(row: dict, single: dict) -> bool:
    """Whether a sheet is named surely (:func:`grader.web.batching.is_named`) as the trainee of ``single``."""
    return is_named(row) and normalise_id(row["trainee"]) == normalise_id(single["trainee"])


def _refused_of_named(page: dict, result: dict) -> bool:
    """Whether a page refused by the photo checks (glare, too dark) once located pairs as its page: its QR named
    the trainee, so with their other page it is one sheet with a page to retake, not a refused photo of nobody's
    beside a sheet said to miss that page (helper-150). Never a page refused as another exercise's or trainee's."""
    return page.get("page") is not None and result.get("identity_source") == "qr" and \
        (page.get("refusal") or {}).get("code") in REASON_CODES


def _identity(row, result: dict) -> dict:
    """A sheet's ``trainee`` and ``identity_source`` as the merge step compares them: a number a trainer typed for it
    (its trainee column, where grading put its result's) names it (``TYPED_BY_TRAINER``), else its result does.
    A typed number that a box read surely on the sheet contradicts (``04?`` typed 039) names nothing to merge by: a
    slip of the keyboard must not join one trainee's page to another's sheet, which nothing could undo (helper-156);
    the sheet keeps the number, and the page says another sheet has it (``trainee_number.sheets_numbered``)."""
    # (its result says so once the number is stored, grading.named_by_trainer; a sheet numbered before that
    # column, its trainee column only)
    by_trainer = result.get("identity_source") == TYPED_BY_TRAINER or row["trainee"] != result.get("trainee")
    typed = row["trainee"] if row["trainee"] and by_trainer else None
    if typed and not all(_typed_agrees(typed, (p.get("trainee_number") or {}).get("sure"))
                         for p in result.get("pages") or ()):
        source = result.get("identity_source")
        return {"trainee": typed, "identity_source": None if source == TYPED_BY_TRAINER else source}
    return {"trainee": typed or result.get("trainee"),
            "identity_source": TYPED_BY_TRAINER if typed else result.get("identity_source")}


def _typed_agrees(typed: str, sure: str | None) -> bool:
    """Whether a typed number agrees with every box of the number read on a page that was read surely (``sure``, as
    :func:`grader.pipeline.sure_digits` spells it: ``"04?"``); any number agrees with a page where none was read."""
    if not sure or not typed.isdigit():
        return True
    digits = typed.rjust(len(sure), "0")
    return len(digits) == len(sure) and all(b == "?" or b == d for b, d in zip(sure, digits))


def _single_pages(conn: sqlite3.Connection, where: str, params: tuple) -> list[dict]:
    """Graded sheets of one photo, not replaced, matching ``where``: what the merge step pairs
    (:func:`grader.web.batching.merge_candidates`)."""
    rows = []
    for r in conn.execute(f"SELECT s.id, s.exercise, s.trainee, s.group_key, s.pairs_with, s.result FROM submissions s "
                          f"WHERE {where} AND {_kept_sheets(1)} ORDER BY s.id", params):
        res = json.loads(r["result"])
        read = [p for p in res.get("pages", []) if not p.get("refusal") or _refused_of_named(p, res)]
        unsure = [p["trainee_number"] for p in read if (p.get("trainee_number") or {}).get("status") == "review"]
        rows.append({"id": r["id"], "exercise": res.get("exercise") or r["exercise"], **_identity(r, res),
                     "group_key": r["group_key"], "pairs_with": r["pairs_with"],
                     "pages": [p.get("page") for p in read], "trainee_number": unsure[0] if unsure else None,
                     "refused": any(p.get("refusal") for p in read)})
    return rows
