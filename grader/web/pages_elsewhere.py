"""Where a batch sheet's missing page went: the photo its file name gave that page, graded with a classmate's sheet.

A chat export's or a class zip's names pair two photos before anything is read; the QR or the number written on one
may then say it is another trainee's page (``joko_p2.jpg``, Yanti's page 2). The merge files it with that trainee's
sheet, rightly, and the sheet it was named for says so rather than "Halaman 2 belum dikirim" (its result's
``other_trainee_pages``, as ``grader grade`` says it: :func:`grader.batch.pages_in_other_sheets`). Written by the
merge (:mod:`grader.web.page_merge`) and by a sheet's removal (:mod:`grader.web.removal`), it says what is true then.
"""
from __future__ import annotations

import json
import logging
import sqlite3
from pathlib import PurePosixPath

from grader.batch import pages_in_other_sheets, place_keys
from grader.file_names import trainee_folders, trainee_from_filename
from grader.page_groups import normalise_id
from grader.web.db import RETAKEN, now_iso

log = logging.getLogger(__name__)


def name_pages_in_other_sheets(conn: sqlite3.Connection, batch_id: int) -> None:
    """Say in each graded sheet of the batch whose page no photo showed where its file name's photo of that page went:
    ``joko_p2.jpg``, showing Yanti's page 2 by its QR, is split from ``joko_p1.jpg`` and graded with Yanti's sheet, and
    Joko's sheet said "Halaman 2 belum dikirim" on the batch page, its own page, the printout and the export (rehearsal
    helper-187), though the photo was sent. As ``grader grade`` says it (:func:`grader.batch.pages_in_other_sheets`,
    by file name), stored in the sheet's result (and its first reading, which a correction starts from) as
    ``other_trainee_pages``, which those pages say. Run once the batch's pages are graded, before they are merged: a
    page already merged into its trainee's sheet (a later run, or a later batch's merge that took it) is found there
    as well.

    It says what is true now, so a note no sheet bears out any more is taken off: run again once a sheet of the batch
    is removed (:func:`grader.web.removal.remove_sheet`; Yanti's sheet removed, Joko's row said for good that
    ``joko_p2.jpg`` was graded with it, rehearsal helper-192), and by every merge of it. Its callers run it in one
    write transaction; a result is written only over the one read (never over a correction stored meanwhile)."""
    rows = conn.execute(
        "WITH RECURSIVE later(id) AS (SELECT superseded_by FROM submissions WHERE batch_id=? AND superseded_by IS NOT "
        "NULL UNION SELECT t.superseded_by FROM submissions t JOIN later l ON t.id = l.id WHERE t.superseded_by IS "
        f"NOT NULL) SELECT s.id, s.batch_id, s.result, s.result_original FROM submissions s WHERE (s.batch_id=? OR "
        f"s.id IN later) AND s.state='done' AND s.superseded_by IS NULL AND NOT {RETAKEN} ORDER BY s.id",
        (batch_id, batch_id)).fetchall()
    stored = [json.loads(r["result"]) for r in rows]
    # (the note as found, not as stored: a sheet is compared by what it holds)
    results = _with_their_trainees_photos([_as_its_name_says({k: v for k, v in res.items()
                                                               if k != "other_trainee_pages"}) for res in stored])
    files = sorted({p["file"] for res in results for p in res.get("pages") or () if p.get("file")})
    # Each name in its folder, as its stored name keeps it (a zip's kelas/andi/latihan_p2.jpg, in the sheets that
    # split or merge made too): Budi's kelas/budi/latihan_p1.jpg was told that Andi's latihan_p2.jpg, Yanti's page,
    # was his page 2 (rehearsal helper-192); and a folder per trainee names its photos' sheet, as grader grade reads it.
    places = [(str(PurePosixPath(f.replace("\\", "/")).parent), f) for f in files]
    keys = dict(zip(files, place_keys(places, trainee_folders([("", f) for f in files]))))
    pages_in_other_sheets(results, keys)
    for r, res, was in zip(rows, results, stored):
        if r["batch_id"] != batch_id:
            continue                # (a sheet of another batch, holding a page of this one: that batch's to say)
        # (once each: a photo is held by each sheet of its trainee here, _with_their_trainees_photos)
        found = list({(p["page"], p["file"]): p for p in res.get("other_trainee_pages") or ()}.values())
        if (was.get("other_trainee_pages") or []) == found:
            continue
        texts = [_noting(text, found) for text in (r["result"], r["result_original"])]
        # (its last change: the class table left open takes the row again, as after a correction)
        conn.execute("UPDATE submissions SET result=?, result_original=?, updated_at=? WHERE id=? AND "
                     "state='done' AND superseded_by IS NULL AND result=?",
                     (*texts, now_iso(), r["id"], r["result"]))
        if found:
            log.info("batch %s: sheet %s's page(s) %s shown in another trainee's sheet", batch_id, r["id"],
                     [p["page"] for p in found])
        else:
            log.info("batch %s: sheet %s's page(s) %s are in no other trainee's sheet now", batch_id, r["id"],
                     [p["page"] for p in was["other_trainee_pages"]])


def _noting(text: str | None, found: list[dict]) -> str | None:
    """A stored result (JSON, or None) with ``other_trainee_pages`` ``found``, or without it when none is."""
    if not text:
        return text
    result = {k: v for k, v in json.loads(text).items() if k != "other_trainee_pages"}
    return json.dumps({**result, "other_trainee_pages": found} if found else result, ensure_ascii=False)


def _with_their_trainees_photos(results: list[dict]) -> list[dict]:
    """The batch's graded sheets as :func:`grader.batch.pages_in_other_sheets` compares them: a sheet its pages name
    (QR, number written) holding too the photos read on the batch's other sheets of its trainee, which the merge joins
    to it next, as ``grader grade`` grades them together. ``joko_p2.jpg``, showing Agus's page 2, split from
    ``joko_p1.jpg``, sits alone in its half until merged with Agus's ``yanti_p1.jpg``; alone, it was told a stray only
    where its file name was the QR's name, and Joko's row said "Halaman 2 belum dikirim" (review helper-190, real
    pipeline). Refused photos are left out: a sheet's unread pages are as its own photos say."""
    fellows: dict[str, list[dict]] = {}
    for res in results:
        if res.get("identity_source") in ("qr", "trainee_number") and res.get("trainee"):
            fellows.setdefault(normalise_id(res["trainee"]), []).append(res)
    out = []
    for res in results:
        others = [o for o in fellows.get(normalise_id(res.get("trainee")), ()) if o is not res] \
            if res.get("identity_source") in ("qr", "trainee_number") else []
        read = [p for o in others for p in o.get("pages") or () if not p.get("refusal")]
        out.append({**res, "pages": [*(res.get("pages") or ()), *read]} if read else res)
    return out


def _as_its_name_says(result: dict) -> dict:
    """A graded sheet as :func:`grader.batch.pages_in_other_sheets` compares it: one that nothing on it names is the
    trainee its label's file name gives (a split half's label is its photo's whole name, ``joko_p1.jpg``: Joko), as
    ``grader grade`` names it."""
    if result.get("identity_source") in ("qr", "trainee_number") or not result.get("trainee"):
        return result
    return {**result, "trainee": trainee_from_filename(result["trainee"]) or result["trainee"]}
