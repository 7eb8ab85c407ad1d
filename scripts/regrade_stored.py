"""Grade generated sheets once, keep the results, and regrade them with the current code: for grading changes.

Reading the photos is the slow part of ``grader eval``; a change to grading alone (``grader.grading``,
``grader.read.context``, ``grader.rules``) can be measured on the stored readings in seconds, with the grading
code of any checkout (run it with that checkout on ``PYTHONPATH``). A regrade starts from the readings as the
reader gave them (``grader.pipeline.regrade``), exactly as the web app regrades after a correction.

    python scripts/regrade_stored.py store .cache/eval/dev_p1 .cache/s17/dev_p1.pkl     # reads the photos (-j 2)
    python scripts/regrade_stored.py count .cache/s17/dev_p1.pkl [more.pkl ...]          # regrade and count

``count`` prints planted mistakes by kind as found / review / missed (``grader.grading.mistakes_eval``), the clean
sheets charged with anything, right answers marked wrong, rules reported violated that hold as written, and
cross-check errors on a pair whose three written values agree. Use development sets only (never the evaluation
set: decisions taken on it would make its figures meaningless).
"""
from __future__ import annotations

import argparse
import json
import pickle
from collections import Counter, defaultdict
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from grader.exercise.store import load_key
from grader.grading.mistakes_eval import (against_trainee, classify_mistake, right_charged, rules_falsely_violated,
                                          sheets_in)
from grader.pipeline import regrade


def _key_of(paths: list[str], truths: list[dict]):
    return load_key(str(Path(paths[0]).parent / "keys" / truths[0]["exercise"]))


def _grade_one(paths: list[str]) -> dict:
    from grader.evaluation import photo_for
    from grader.pipeline import grade_upload

    truths = [json.loads(Path(p).read_text()) for p in paths]
    files = [(photo_for(Path(p)).name, photo_for(Path(p)).read_bytes()) for p in paths]
    return {"paths": paths, "truths": truths, "result": grade_upload(files, key=_key_of(paths, truths))}


def store(folder: Path, out: Path, jobs: int) -> None:
    work = [[str(p) for p in v] for v in sorted(sheets_in(folder).values())]
    with ProcessPoolExecutor(jobs) as pool:
        rows = list(pool.map(_grade_one, work, chunksize=2))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(pickle.dumps(rows))
    print(f"stored {len(rows)} graded sheets in {out}")


def count(stores: list[Path]) -> None:
    kinds: dict[str, Counter] = defaultdict(Counter)
    totals: Counter = Counter()
    charged, false_rules, right_wrong, false_cross = [], [], [], []
    for path in stores:
        for row in pickle.loads(path.read_bytes()):
            truths = row["truths"]
            res = regrade(row["result"], {}, _key_of(row["paths"], truths))
            sheet = truths[0]["sheet"]
            written = {fid: v for t in truths for fid, v in t["fields"].items()}
            mistakes = [m for t in truths for m in t.get("mistakes", [])]
            for m in mistakes:
                kinds[m["kind"]][classify_mistake(res, m)] += 1
            if not mistakes:
                totals["clean sheets"] += 1
                if against_trainee(res):
                    charged.append((sheet, against_trainee(res)))
            false_rules += [(sheet, r) for r in rules_falsely_violated(res, written)]
            right_wrong += [(sheet, f) for f in right_charged(res, written)]
            false_cross += [(sheet, x["message_en"]) for x in res["findings"]
                            if x["kind"] == "cross_check" and x["severity"] == "error"
                            and len({written.get(f) for f in x["fields"]}) == 1]
            for r in res["rules"]:
                totals[f"rules {r['status']}"] += 1
            totals["fields"] += len(res["fields"])
            totals["fields in review"] += sum(f["status"] == "review" for f in res["fields"])
    print(", ".join(f"{k} {v}" for k, v in sorted(totals.items())))
    for kind, c in sorted(kinds.items()):
        print(f"  {kind:20s} found {c['found']:4d}  review {c['review']:4d}  missed {c['missed']:4d}")
    for name, items in (("clean sheets charged", charged), ("rules violated that hold as written", false_rules),
                        ("right answers marked wrong", right_wrong),
                        ("cross-check errors on three agreeing values", false_cross)):
        print(f"{name}: {len(items)}" + "".join(f"\n  {a}: {b}" for a, b in items))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("store", help="grade a generated folder and keep the results")
    s.add_argument("folder", type=Path)
    s.add_argument("out", type=Path)
    s.add_argument("-j", "--jobs", type=int, default=2)
    c = sub.add_parser("count", help="regrade stored results with this code and count the outcomes")
    c.add_argument("stores", type=Path, nargs="+")
    a = ap.parse_args()
    if a.cmd == "store":
        store(a.folder, a.out, a.jobs)
    else:
        count(a.stores)


if __name__ == "__main__":
    main()
