"""Demo class results for a fresh install: a trainer who logs in finds a graded class to look around in.

The sample photos in ``sample_scans/`` (made by our generator, with their answer keys) of the exercise with the
most sheets are queued once as a trainer's batch, and the workers grade them as they would any batch: the class
table, the review queue, the insight page and the exports all have something in them from the first start.
"""
from __future__ import annotations

import json
import logging
import shutil
from collections import Counter
from pathlib import Path

from grader.exercise.store import exercises_dir
from grader.web.db import get_db, now_iso
from grader.web.batch_storing import store_batch

log = logging.getLogger(__name__)

SAMPLES = Path(__file__).resolve().parents[2] / "sample_scans"
DEMO_CLIENT_TOKEN = "demo-class"        # marks the one demo batch, so a restart does not queue it again
DEMO_REFUSALS = ("too_blurry", "sheet_cut_off", "not_practice_sheet")


def seed_demo_class(data_dir: Path, samples: Path = SAMPLES) -> str | None:
    """Queue the demo batch once (inside an app context); returns its exercise code, or None without samples."""
    index = samples / "index.json"
    if not index.is_file():
        log.info("no sample photos at %s: no demo class", samples)
        return None
    photos = json.loads(index.read_text())["photos"]
    sheets = Counter(p["exercise"] for p in photos if p.get("exercise") and not p.get("expect_refusal"))
    if not sheets:
        log.info("no sample sheets in %s: no demo class", index)
        return None
    code = sheets.most_common(1)[0][0]
    db = get_db()
    if db.execute("SELECT 1 FROM batches WHERE client_token=?", (DEMO_CLIENT_TOKEN,)).fetchone():
        return code
    target = exercises_dir() / code
    if not (target / "answer_key.json").is_file():        # the sample key becomes an exercise of this install
        target.mkdir(parents=True, exist_ok=True)
        shutil.copy(samples / "keys" / code / "answer_key.json", target / "answer_key.json")
    # the exercise's sheets, and a few photos a phone got wrong, which are refused with their reasons
    # (all read before the batch row is written: a missing file leaves no half demo behind)
    files = [(p["file"], (samples / p["file"]).read_bytes()) for p in photos
             if (p.get("exercise") == code and not p.get("expect_refusal")) or p.get("expect_refusal") in DEMO_REFUSALS]
    batch_id = db.execute("INSERT INTO batches(token, client_token, exercise, created_by, skipped, created_at) "
                          "VALUES (?,?,?,?,?,?)", (DEMO_CLIENT_TOKEN, DEMO_CLIENT_TOKEN, code, "demo", "[]",
                                                   now_iso())).lastrowid
    stored = store_batch(db, data_dir, batch_id=batch_id, exercise=code, photos=files)
    log.info("demo class: %d sheets of exercise %s queued for grading", len(stored), code)
    return code
