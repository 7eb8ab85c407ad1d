"""Reading accuracy on generated photos with truth files (``NAME.jpg`` + ``NAME.truth.json``).

Counts, per field kind, how often the value read equals what was written,
how often an auto-accepted (``ok``) reading is wrong, and how often a field is
sent to review; per digit box, accuracy by class with a confusion matrix.
The answer key plays no part: truth is what the trainee *wrote*.
"""
from __future__ import annotations

import json
import logging
from collections import Counter, defaultdict
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from grader.exercise.store import AnswerKey
from grader.grading.grade import grade_sheet
from grader.photo.evaluation import sheet_variant
from grader.pipeline import read_photo
from grader.read.context import apply_context
from grader.read.numbers import NOTE_ACROSS_BORDERS, NOTE_ONE_BY_SHAPE, NOTE_OVERWRITTEN
from grader.rules import expand_rules

log = logging.getLogger(__name__)

BOX_CLASSES = ("0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "X", "-", "")


def truth_files(folder: Path) -> list[Path]:
    return sorted(Path(folder).glob("*.truth.json"))


def photo_for(truth_path: Path) -> Path:
    stem = truth_path.name[: -len(".truth.json")]
    for suffix in (".jpg", ".jpeg", ".png", ".webp", ".heic"):
        p = truth_path.with_name(stem + suffix)
        if p.exists():
            return p
    raise FileNotFoundError(f"no photo beside {truth_path}")


def _compare_one(args: tuple[str, str]) -> dict:
    truth_path, engine = Path(args[0]), args[1]
    truth = json.loads(truth_path.read_text())
    photo = photo_for(truth_path)
    # Read as the product does: every grading knows the exercise, so the form's variant (template, contest, pairs:
    # which boxes exist, never what belongs in them) is given; the sheet's own QR still comes first. Read
    # without it, a page whose QR and header are unreadable had its variant guessed (3 pairs on a 6-pair print:
    # another pair's boxes read, right answers marked wrong), which no trainee's sheet meets.
    pr = read_photo(photo.read_bytes(), filename=photo.name, engine=engine, **sheet_variant(truth))
    out = {"file": photo.name, "expect_refusal": truth.get("expect_refusal"),
           "refused": pr.refusal.code if pr.refusal else None, "fields": [], "boxes": [],
           "ms": pr.timings_ms.get("total")}
    if pr.refusal or truth.get("expect_refusal"):
        return out
    overwritten = set(truth.get("overwritten", []))
    key = truth.get("key") or {}
    sheet = pr.aligned.sheet
    in_context = apply_context(pr.readings, expand_rules(sheet.spec.rules, sheet))
    # Verdicts as the trainee sees them had they sent this page alone: graded by the grader itself (context, the
    # rules' doubt, the bar for "wrong"), not re-derived here, so this section and the grading one cannot disagree
    # on what a verdict is. (Rules that need the other page are not checkable on one page.)
    verdicts = {f["id"]: f["status"] for f in grade_sheet(sheet, pr.readings, AnswerKey(
        exercise=truth.get("exercise") or "", template=sheet.spec.id, template_version=sheet.spec.version,
        contest=sheet.contest, pairs=sheet.pairs, fields=dict(key), raw={}))["fields"]} if key else {}
    for fid, true_value in truth["fields"].items():
        r = pr.readings.get(fid)
        if r is None or fid.startswith("H."):
            continue
        expected = key.get(fid.split(".bubbles")[0].split(".tally")[0])
        out["fields"].append({"id": fid, "kind": r.kind, "truth": true_value, "value": r.value, "status": r.status,
                              "status_in_context": in_context[fid].status,
                              "confidence": r.confidence, "overwritten": fid in overwritten,
                              "noted_overwritten": NOTE_OVERWRITTEN in r.notes,
                              "one_by_shape": NOTE_ONE_BY_SHAPE in r.notes,
                              "noted_across_borders": NOTE_ACROSS_BORDERS in r.notes,
                              "verdict": verdicts.get(fid) if expected is not None else None,
                              "trainee_right": expected is not None and true_value == expected})
        if r.kind == "digits":
            for t, got in zip(truth.get("boxes", {}).get(fid, []), r.boxes):
                out["boxes"].append((t, got))
    return out


def evaluate_reading(folder: Path, *, engine: str = "cnn", workers: int = 1, limit: int | None = None) -> dict:
    """Reading metrics over every non-refusal truth file in ``folder``."""
    paths = truth_files(folder)
    if limit:   # a bounded run (the slow tesseract baseline) reads readable photos only
        paths = [p for p in paths if json.loads(p.read_text()).get("expect_refusal") is None][:limit]
    jobs = [(str(p), engine) for p in paths]
    if workers > 1:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            rows = list(pool.map(_compare_one, jobs, chunksize=2))
    else:
        rows = [_compare_one(j) for j in jobs]
    return summarise(rows, engine=engine)


def summarise(rows: list[dict], *, engine: str) -> dict:
    readable = [r for r in rows if not r["expect_refusal"]]
    by_kind: dict[str, Counter] = defaultdict(Counter)
    for r in readable:
        for f in r["fields"]:
            c = by_kind[f["kind"]]
            c["fields"] += 1
            c["exact"] += f["value"] == f["truth"]
            if f["status"] == "ok":
                c["accepted"] += 1
                c["accepted_wrong"] += f["value"] != f["truth"]
                if f.get("one_by_shape"):             # accepted with a 1 the network was unsure of (box_shape)
                    c["by_shape"] += 1
                    c["by_shape_wrong"] += f["value"] != f["truth"]
            else:
                c["review"] += 1
                # (read right all the same, the reader only unsure: the price of its threshold, not a misread)
                c["review_exact"] += f["value"] == f["truth"]
            if f["status_in_context"] == "ok":       # accepted once context has backed readings up
                c["ctx_accepted"] += 1
                c["ctx_accepted_wrong"] += f["value"] != f["truth"]
            if f["verdict"] is not None:
                c["graded"] += 1
                c["false_wrong"] += f["verdict"] == "wrong" and f["trainee_right"]
                c["trainee_wrong"] += not f["trainee_right"]
                c["mistake_flagged"] += not f["trainee_right"] and f["verdict"] == "wrong"
                c["mistake_to_review"] += not f["trainee_right"] and f["verdict"] == "review"
                c["verdict_review"] += f["verdict"] in ("review", "unreadable")
                c["false_ok"] += f["verdict"] == "ok" and not f["trainee_right"]
            if f["overwritten"]:
                c["overwritten"] += 1
                c["overwritten_to_review"] += f["status"] != "ok"
            if f.get("noted_overwritten"):      # the reader's "two digits in a box": how often on a planted correction?
                c["noted_overwritten"] += 1
                c["noted_overwritten_on_planted"] += f["overwritten"]
            # the reader's "a digit on a border between boxes": no development photo has one written so
            c["noted_across_borders"] += bool(f.get("noted_across_borders"))
    kinds = {}
    for kind, c in by_kind.items():
        n = c["fields"] or 1
        kinds[kind] = {"fields": c["fields"], "exact_read": c["exact"] / n,
                       "auto_accepted": c["accepted"] / n,
                       "auto_accepted_wrong_share": c["accepted_wrong"] / max(c["accepted"], 1),
                       "auto_accepted_wrong": c["accepted_wrong"], "review_share": c["review"] / n,
                       "review_read_exactly_share": c["review_exact"] / max(c["review"], 1),
                       "auto_accepted_with_a_one_by_shape": c["by_shape"],
                       "auto_accepted_with_a_one_by_shape_wrong": c["by_shape_wrong"],
                       "accepted_after_context": c["ctx_accepted"] / n,
                       "accepted_after_context_wrong": c["ctx_accepted_wrong"],
                       "accepted_after_context_wrong_share": c["ctx_accepted_wrong"] / max(c["ctx_accepted"], 1),
                       "overwritten_fields": c["overwritten"], "overwritten_sent_to_review": c["overwritten_to_review"],
                       "noted_overwritten": c["noted_overwritten"],
                       "noted_overwritten_on_planted": c["noted_overwritten_on_planted"],
                       "noted_across_borders": c["noted_across_borders"],
                       # Grading verdicts against each photo's answer key (the trainee's point of view):
                       "verdict_false_wrong": c["false_wrong"],
                       "verdict_false_wrong_share": c["false_wrong"] / max(c["graded"], 1),
                       "verdict_review_share": c["verdict_review"] / max(c["graded"], 1),
                       "verdict_false_ok": c["false_ok"],
                       "planted_wrong_fields": c["trainee_wrong"],
                       "planted_flagged_wrong": c["mistake_flagged"],
                       "planted_sent_to_review": c["mistake_to_review"]}
    conf: dict[str, Counter] = {k: Counter() for k in BOX_CLASSES}
    for r in readable:
        for t, got in r["boxes"]:
            if t in conf:   # "?" (overwritten) boxes have no single right answer
                conf[t][got] += 1
    per_class = {(k or "blank"): {"n": sum(conf[k].values()),
                                  "accuracy": conf[k][k] / sum(conf[k].values()) if conf[k] else None}
                 for k in BOX_CLASSES}
    total = sum(sum(c.values()) for c in conf.values())
    correct = sum(conf[k][k] for k in BOX_CLASSES)
    ms = sorted(r["ms"] for r in readable if r["ms"] and not r["refused"])
    return {"engine": engine, "photos": len(rows), "readable_photos": len(readable),
            "refused_readable": sum(1 for r in readable if r["refused"]),
            "fields": kinds,
            "boxes": {"n": total, "accuracy": correct / total if total else None, "per_class": per_class,
                      "confusion": {(k or "blank"): {(g or "blank"): n for g, n in conf[k].items()}
                                    for k in BOX_CLASSES}},
            "median_ms_per_photo": ms[len(ms) // 2] if ms else None}
