"""Grading on generated sheets with planted trainee mistakes (``grader synth --mistakes``).

Every planted mistake is classed as

- ``found``: reported as its own kind of finding (a wrong count or swapped L/P as ``wrong`` fields,
  a sum off by one as a violated rule, a blank leading box as a convention warning, a tally or
  bubbles that disagree with the digits as a cross-check error);
- ``review``: not reported, but one of its fields, or a cross-check, rule or convention finding
  about it, is left to a trainer: we were unsure, and said so;
- ``missed``: neither (the trainee would not learn of it).

A clean sheet (no planted mistake) should show nothing against the trainee: no ``wrong``
field, no violated error rule, no error or warning finding. The answer key of each sheet is the
one ``grader synth`` wrote beside the photos; truth is what the trainee *wrote*.

Both are measured twice: as graded, and after a simulated trainer has cleared the sheet's review
queue (:func:`clear_review_queue`), which is how a result reaches the trainee in a class.
"""
from __future__ import annotations

import json
from collections import Counter, defaultdict
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from grader.grading.review_queue import REVIEW_STATUSES, queue_order, waiting
from grader.rules import evaluate_rules, expand_rules

FOUND, REVIEW, MISSED = "found", "review", "missed"


def classify_mistake(result: dict, mistake: dict) -> str:
    """``found``, ``review`` or ``missed`` for one planted mistake in one graded result."""
    kind, fields = mistake["kind"], set(mistake["fields"])
    status = {f["id"]: f["status"] for f in result["fields"]}
    about = [x for x in result["findings"] if fields & set(x["fields"])]
    rules = [r for r in result["rules"] if fields & set(r["fields"])]
    if kind in ("wrong_count", "swapped_lp"):
        found = all(status.get(f) == "wrong" for f in fields if f in status)
    elif kind == "sum_off_by_one":
        found = any(r["status"] == "violated" for r in rules)
    elif kind == "blank_leading_box":
        found = any(x["kind"] == "convention" and x["severity"] != "review" for x in about)
    elif kind in ("tally_mismatch", "bubbles_mismatch"):
        found = any(x["kind"] == "cross_check" and x["severity"] == "error" for x in about)
    else:
        raise ValueError(f"unknown mistake kind {kind!r}")
    if found:
        return FOUND
    unsure = (any(status.get(f) in REVIEW_STATUSES for f in fields)
              or any(x["severity"] == "review" for x in about) or any(r["status"] == "not_checkable" for r in rules))
    return REVIEW if unsure else MISSED


def against_trainee(result: dict) -> list[str]:
    """Everything the result holds against the trainee: wrong fields, violated error rules, error/warning findings."""
    out = [f"wrong {f['id']}" for f in result["fields"] if f["status"] == "wrong"]
    out += [f"rule {r['id']}" for r in result["rules"] if r["status"] == "violated" and r["severity"] == "error"]
    out += [f"{x['kind']} {','.join(x['fields'])}" for x in result["findings"] if x["severity"] in ("error", "warning")]
    return out


def clear_review_queue(result: dict, written: dict[str, int | None], key) -> tuple[dict, int]:
    """A trainer clears one sheet's review queue: the first waiting field in the queue's order is corrected to
    what the trainee wrote (or confirmed) and the sheet regraded, which may settle other waiting fields (or put
    one back in review); repeat. (The web page keeps the order it was loaded in and marks what a regrade settled.)

    Returns the final result and the number of trainer actions it took.
    """
    from grader.pipeline import regrade

    actions = 0
    while True:
        queue = queue_order(result["fields"])
        if not queue:
            return result, actions
        f = queue[0]
        result = regrade(result, {f["id"]: written.get(f["id"], f["value"])}, key)
        actions += 1


def sheets_in(folder: Path) -> dict[str, list[Path]]:
    """Truth files of the readable photos, grouped by sheet (a trainee's pages)."""
    sheets: dict[str, list[Path]] = defaultdict(list)
    for tp in sorted(Path(folder).glob("*.truth.json")):
        truth = json.loads(tp.read_text())
        if truth.get("expect_refusal") is None and truth.get("sheet"):
            sheets[truth["sheet"]].append(tp)
    return dict(sheets)


def _grade_sheet(truth_paths: list[str]) -> dict:
    from grader.evaluation import photo_for
    from grader.exercise.store import load_key
    from grader.pipeline import grade_upload

    truths = [json.loads(Path(p).read_text()) for p in truth_paths]
    folder = Path(truth_paths[0]).parent
    key = load_key(str(folder / "keys" / truths[0]["exercise"]))
    photos = [photo_for(Path(p)) for p in truth_paths]
    files = [(photo.name, photo.read_bytes()) for photo in photos]
    result = grade_upload(files, key=key)
    mistakes = [m for t in truths for m in t.get("mistakes", [])]
    written = {fid: v for t in truths for fid, v in t["fields"].items()}
    n_waiting = sum(map(waiting, result["fields"]))
    reviewed, actions = clear_review_queue(result, written, key)
    return {"sheet": truths[0]["sheet"], "refused_pages": sum(p["refusal"] is not None for p in result["pages"]),
            "mistakes": [{"kind": m["kind"], "fields": m["fields"], "outcome": classify_mistake(result, m),
                          "after_review": classify_mistake(reviewed, m)} for m in mistakes],
            "against_trainee": against_trainee(result) if not mistakes else [],
            "against_trainee_after_review": against_trainee(reviewed) if not mistakes else [],
            "right_charged": right_charged(result, written),
            "rules_falsely_violated": rules_falsely_violated(result, written),
            "waiting": n_waiting, "trainer_actions": actions}


def rules_falsely_violated(result: dict, written: dict[str, int | None]) -> list[str]:
    """Rules reported ``violated`` although they hold on what the trainee wrote: our misreading held against them.

    Counted on every sheet (a planted mistake elsewhere does not excuse a false violation), errors and warnings.
    """
    from grader.sheet.layout import layout_sheet
    from grader.sheet.schema import resolve_template

    sheet = layout_sheet(resolve_template(result["template"]), contest=result["contest"], pairs=result["pairs"])
    holding = {rr.rule.id for rr in evaluate_rules(expand_rules(sheet.spec.rules, sheet), written)
               if rr.status == "ok"}
    return [r["id"] for r in result["rules"] if r["status"] == "violated" and r["id"] in holding]


def right_charged(result: dict, written: dict[str, int | None]) -> list[str]:
    """Fields marked ``wrong`` although the trainee wrote what the key expects: our misreading held against them.

    Counted on every sheet, also those with planted mistakes elsewhere (clean sheets alone would miss these).
    """
    return [f["id"] for f in result["fields"]
            if f["status"] == "wrong" and f["id"] in written and written[f["id"]] == f["expected"]]


def evaluate_grading(folder: Path, *, workers: int = 1, limit: int | None = None) -> dict:
    """Planted mistakes by kind and outcome, and what clean sheets were charged with."""
    sheets = sorted(sheets_in(folder).values())[:limit]
    jobs = [[str(p) for p in paths] for paths in sheets]
    if workers > 1:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            rows = list(pool.map(_grade_sheet, jobs, chunksize=2))
    else:
        rows = [_grade_sheet(j) for j in jobs]
    clean = [r for r in rows if not r["mistakes"]]

    def outcomes(outcome: str, charges: str) -> dict:
        by_kind: dict[str, Counter] = defaultdict(Counter)
        for r in rows:
            for m in r["mistakes"]:
                by_kind[m["kind"]][m[outcome]] += 1
        total = Counter()
        for c in by_kind.values():
            total.update(c)
        charged = [r for r in clean if r[charges]]
        return {"planted": {k: {o: c[o] for o in (FOUND, REVIEW, MISSED)} for k, c in sorted(by_kind.items())},
                "planted_total": {o: total[o] for o in (FOUND, REVIEW, MISSED)},
                "clean_sheets": len(clean), "clean_sheets_charged": len(charged),
                "clean_sheet_charges": [{"sheet": r["sheet"], "charges": r[charges]} for r in charged]}

    return {"sheets": len(rows), "sheets_with_a_refused_page": sum(r["refused_pages"] > 0 for r in rows),
            "right_answers_marked_wrong": [{"sheet": r["sheet"], "fields": r["right_charged"]}
                                           for r in rows if r["right_charged"]],
            "rules_violated_though_they_hold": [{"sheet": r["sheet"], "rules": r["rules_falsely_violated"]}
                                                for r in rows if r["rules_falsely_violated"]],
            **outcomes("outcome", "against_trainee"),
            "after_review": {"fields_waiting": sum(r["waiting"] for r in rows),
                             "trainer_actions": sum(r["trainer_actions"] for r in rows),
                             **outcomes("after_review", "against_trainee_after_review")}}
