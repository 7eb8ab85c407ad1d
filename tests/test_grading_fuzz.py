"""A seeded, adversarial property fuzzer of grading's promise: never mark a trainee wrong because of our own
misreading.

Each random sheet: a real template and answer key (:func:`grader.exercise.scenario.generate_exercise`); what the
trainee truly wrote (the key, or with planted mistakes: a wrong count written the same way three times, L and P
swapped, a sum off by one, a tally or a bubble of another value, the digits alone slipped, a field zeroed or at
random, a blank leading box, a field left empty), spelled in boxes the ways trainees do ("X47", "-47", "047",
"XXX", "--0"); readings derived from it as the reader's contract allows (grader/grading/certainty.py): a box we
misread is below :data:`SURE_BOX`, and its field is in review (box under the digit model's review threshold) or
accepted below the bar for "wrong"; an X or a dash is never misread surely; a bubbles or tally misread is in review;
plus honest unsure boxes read right, overwritten boxes, marks in review, and a page not received. Optionally
(``adversarial``) misreads chosen to do harm: offsetting a failing rule of the trainee's, landing on the key, or on
the pair's marks. Then grading (:func:`grader.grading.grade.grade_sheet`), a regrade of the stored result
(:func:`grader.pipeline.regrade`) that must say the same, the trainee disputing and a trainer correcting some
fields, and a trainer settling every field in review with what was written. Every charge is checked against the
truth (:func:`check`).

Long runs: ``python tests/test_grading_fuzz.py --n 10000 --seed 11 [--adversarial] [--firm-misreads]``
(``--sure-misreads``: boxes misread surely, outside the contract, to see the checks fire).
"""
from __future__ import annotations

import argparse
import json
import random
import sys
import traceback
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest

import grader
from grader.exercise.scenario import generate_exercise
from grader.exercise.store import AnswerKey
from grader.grading.certainty import SURE_BOX, SURE_FILLER, WRONG_MIN_CONFIDENCE
from grader.grading.findings import BLANK_LEADING, PAIR_MISMATCH
from grader.grading.grade import grade_sheet
from grader.read.numbers import NOTE_ONE_BY_SHAPE, BoxLabel, assemble_number
from grader.read.sheet_reader import EMPTY_BLANK_CONFIDENCE, FieldReading
from grader.recognize.bubbles import NOTE_LIGHT, NOTE_MULTIPLE
from grader.rules import expand_rules
from grader.sheet.layout import layout_sheet
from grader.sheet.schema import resolve_template

SPEC = resolve_template("chasil-kwk")
# A box the digit model is less sure of than this is ambiguous: its field goes to review (grader.recognize)
AMBIGUOUS_BELOW = json.loads((Path(grader.__file__).parent / "models" / "digits.json").read_text())["review_threshold"]
DIGITS = "0123456789"


@dataclass
class Truth:
    spelled: dict = field(default_factory=dict)     # digits field -> labels as written
    marks: dict = field(default_factory=dict)       # IV.x.bubbles / IV.x.tally -> value
    planted: list = field(default_factory=list)

    def value(self, fid):
        if fid in self.marks:
            return self.marks[fid]
        r = assemble_number([BoxLabel(b, 1.0, False) for b in self.spelled[fid]])
        return r.value


def spell(rng, v, n=3, blank_leading=False):
    s = str(v)
    if len(s) > n:
        raise ValueError(v)
    pad = n - len(s)
    if v == 0 and rng.random() < 0.7:
        # "XXX" (or "--0", "XX0", "-X-")
        filler = rng.choice(["X", "X", "-"])
        labels = [filler] * n if rng.random() < 0.6 else [filler] * (n - 1) + ["0"]
        if blank_leading:
            labels[0] = ""
        return tuple(labels)
    if blank_leading and pad:
        k = rng.randint(1, pad)
        lead = [""] * k + [rng.choice(["X", "-"])] * (pad - k)
        return tuple(lead + list(s))
    filler = rng.choices(["X", "-", "0"], weights=[8, 2, 1])[0]
    return tuple([filler] * pad + list(s))


def plant(rng, sheet, truth_vals, marks, kinds):
    """Plant trainee mistakes into the truth (values dict + marks dict). Returns list of planted kinds."""
    planted = []
    pids = list(sheet.pair_ids)
    rows = [r for r in ("I.A.1", "I.A.2", "I.A.3", "I.A.4", "I.B.1", "I.B.2", "I.B.3", "I.B.4", "III.A", "III.B")]
    for kind in kinds:
        if kind == "wrong_count":        # consistent in all three marks
            pid = rng.choice(pids)
            fid = f"IV.{pid}"
            v = max(0, min(199, truth_vals[fid] + rng.choice([-3, -2, -1, 1, 2, 3, 10])))
            truth_vals[fid] = v
            marks[f"{fid}.bubbles"] = v
            marks[f"{fid}.tally"] = v
        elif kind == "swap_lp":
            row = rng.choice(rows)
            truth_vals[f"{row}.L"], truth_vals[f"{row}.P"] = truth_vals[f"{row}.P"], truth_vals[f"{row}.L"]
        elif kind == "sum_off":
            fid = rng.choice(["I.A.1.J", "I.A.4.J", "I.A.4.L", "I.B.4.P", "I.B.4.J", "II.1", "II.4", "V.A", "V.C",
                              "III.A.J", "I.B.2.J", "V.B"])
            truth_vals[fid] = max(0, min(999, truth_vals[fid] + rng.choice([-1, 1])))
        elif kind == "tally_off":
            pid = rng.choice(pids)
            t = f"IV.{pid}.tally"
            marks[t] = max(0, min(200, marks[t] + rng.choice([-5, -1, 1, 2, 5])))
        elif kind == "bubble_other":
            pid = rng.choice(pids)
            b = f"IV.{pid}.bubbles"
            s = list(f"{marks[b]:03d}")
            i = rng.randrange(3)
            s[i] = rng.choice([d for d in DIGITS if d != s[i]])
            marks[b] = int("".join(s))
        elif kind == "digits_slip":     # digits alone differ from the marks
            pid = rng.choice(pids)
            fid = f"IV.{pid}"
            truth_vals[fid] = max(0, min(999, truth_vals[fid] + rng.choice([-10, -1, 1, 9, 100])))
        elif kind == "random_field":
            fid = rng.choice([f for f in truth_vals if not f.startswith("IV.")])
            truth_vals[fid] = rng.randint(0, 999)
        elif kind == "zeroed":
            fid = rng.choice(list(truth_vals))
            truth_vals[fid] = 0
            if fid.startswith("IV.") and rng.random() < 0.5:
                marks[f"{fid}.bubbles"] = marks[f"{fid}.tally"] = 0
        else:
            raise ValueError(kind)
        planted.append(kind)
    return planted


MISTAKES = ["wrong_count", "swap_lp", "sum_off", "tally_off", "bubble_other", "digits_slip", "random_field", "zeroed"]


def read_box(rng, label, p, stats, firm_misreads):
    """One box as the reader could give it: (BoxLabel, misread?)."""
    other_labels = [c for c in DIGITS + "X-" if c != label]
    if "by_shape" in p and label in DIGITS and rng.random() < p["by_shape"]:
        # a "1" the network was unsure of, accepted for its one upright stroke (grader.recognize.box_shape): right,
        # or our misread of another digit; the box is accepted at the network's low confidence
        if label != "1":
            stats["box_misreads"] += 1
        return BoxLabel("1", rng.uniform(0.3, 0.99), False), label != "1", True
    if rng.random() < p["misread"]:
        wrong = rng.choice(other_labels + ([""] if label in "X-" else []))
        mode = rng.random()
        if wrong == "":
            conf = rng.uniform(0.5, 0.996)          # a blank the network guessed: middling
        elif firm_misreads and mode < 0.5:
            # firm as a whole with this box below SURE_BOX (within the contract: held only to its sure boxes); or, with
            # "sure", a box misread surely: OUTSIDE the contract
            conf = 1.0 if firm_misreads == "sure" else rng.uniform(WRONG_MIN_CONFIDENCE, SURE_BOX - 1e-5)
        elif mode < 0.6:
            conf = rng.uniform(0.6, AMBIGUOUS_BELOW - 1e-4)
        else:
            conf = rng.uniform(AMBIGUOUS_BELOW, WRONG_MIN_CONFIDENCE - 1e-4)   # accepted, field below firm bar
        if wrong in "X-" and wrong != "" and conf >= WRONG_MIN_CONFIDENCE:
            conf = 0.998                                  # a filler is sure at 0.999: never misread that surely
        stats["box_misreads"] += 1
        return BoxLabel(wrong, conf, conf < AMBIGUOUS_BELOW), True, False
    u = rng.random()
    if label == "":
        # a truly blank box: by ink (0.9995, not ambiguous) or a network guess
        if u < 0.8:
            return BoxLabel("", EMPTY_BLANK_CONFIDENCE, False), False, False
        c = rng.uniform(0.5, 0.999)
        return BoxLabel("", c, c < AMBIGUOUS_BELOW), False, False
    if u < p["honest_low"]:
        c = rng.uniform(p.get("low_from", 0.6), 0.99994)
        return BoxLabel(label, c, c < AMBIGUOUS_BELOW), False, False
    if u < p["honest_low"] + p["overwritten"]:
        return BoxLabel(label, rng.uniform(0.6, 0.99), True, overwritten=True), False, False
    return BoxLabel(label, rng.choice([1.0, 1.0, 1.0, 0.99999]), False), False, False


def read_digits(rng, f, labels, p, stats, firm_misreads):
    boxes, missed, by_shape = zip(*(read_box(rng, lab, p, stats, firm_misreads) for lab in labels))
    misread = any(missed)
    if misread and not firm_misreads:
        # contract: a field holding a misread box is below the firm bar (or in review): product of confidences
        conf = 1.0
        for b in boxes:
            conf *= b.confidence
        assert round(conf, 4) < WRONG_MIN_CONFIDENCE or any(b.ambiguous for b in boxes), (labels, boxes)
    num = assemble_number(boxes)
    notes = num.notes + ((NOTE_ONE_BY_SHAPE,) if any(by_shape) else ())
    unsure = [k for k, b in enumerate(boxes) if b.ambiguous or b.overwritten]
    r = FieldReading(f.id, "digits", f.page, num.value, num.confidence, num.status, num.boxes, num.box_confidence,
                     notes, detail={"unsure_boxes": unsure} if unsure else {})
    return r, misread


def read_mark(rng, f, true_value, p, stats):
    u = rng.random()
    if u < p["mark_misread"]:
        stats["mark_misreads"] += 1
        if f.kind == "bubbles":
            if rng.random() < 0.3:
                return FieldReading(f.id, f.kind, f.page, None, rng.uniform(0.0, 0.3), "review",
                                    notes=(NOTE_MULTIPLE,)), True
            s = list(f"{true_value:03d}")
            i = rng.randrange(3)
            s[i] = rng.choice([d for d in DIGITS if d != s[i]])
            return FieldReading(f.id, f.kind, f.page, int("".join(s)), rng.uniform(0.3, 0.5), "review",
                                notes=(NOTE_LIGHT,)), True
        v = max(0, true_value + rng.choice([-5, -2, -1, 1, 2, 5]))
        return FieldReading(f.id, f.kind, f.page, v, rng.uniform(0.3, 0.95), "review"), True
    if u < p["mark_misread"] + p["mark_honest_review"]:
        notes = (NOTE_LIGHT,) if f.kind == "bubbles" else ()
        return FieldReading(f.id, f.kind, f.page, true_value, rng.uniform(0.41, 0.8), "review", notes=notes), False
    return FieldReading(f.id, f.kind, f.page, true_value, rng.uniform(0.6, 0.99), "ok"), False


def weak_misread(rng, f, truth_labels, target, firm_misreads=False):
    """A digits reading of ``f`` that says ``target`` where the trainee wrote ``truth_labels``, each box that differs
    read only as unsurely as the contract allows."""
    labels = tuple(f"{target:X>3}") if target > 0 else ("X", "X", rng.choice(["X", "0"]))
    boxes = []
    for t, lab in zip(truth_labels, labels):
        if t == lab:
            boxes.append(BoxLabel(lab, 1.0, False))
            continue
        if lab == "X" and t == "":
            lab = ""
        if firm_misreads and rng.random() < 0.5:
            c = (1.0 if firm_misreads == "sure" else rng.uniform(WRONG_MIN_CONFIDENCE, SURE_BOX - 1e-5)) \
                if lab not in ("X", "-", "") else 0.998
        elif rng.random() < 0.6:
            c = rng.uniform(0.6, AMBIGUOUS_BELOW - 1e-4)
        else:
            c = rng.uniform(AMBIGUOUS_BELOW, WRONG_MIN_CONFIDENCE - 1e-4)
        boxes.append(BoxLabel(lab, c, c < AMBIGUOUS_BELOW))
    num = assemble_number(boxes)
    unsure = [k for k, b in enumerate(boxes) if b.ambiguous]
    return FieldReading(f.id, "digits", f.page, num.value, num.confidence, num.status, num.boxes, num.box_confidence,
                        num.notes, detail={"unsure_boxes": unsure} if unsure else {})


def adversarial_misreads(rng, sheet, key, truth, readings, misread, stats):
    """Misreads chosen to do harm: offsetting a trainee's failing rule, landing on the key, or on the pair's marks."""
    rules = [r for r in expand_rules(sheet.spec.rules, sheet) if r.op == "=="]
    for _ in range(rng.randint(1, 3)):
        mode = rng.choice(["offset", "offset", "key", "marks", "mark_to_digits"])
        target_fid = target = None
        if mode == "offset":
            failing = [r for r in rules if all(truth.value(f) is not None for f in r.fields)
                       and sum(truth.value(f) for f in r.lhs) != sum(truth.value(f) for f in r.rhs)]
            if not failing:
                continue
            rule = rng.choice(failing)
            target_fid = rng.choice(rule.fields)
            d = sum(truth.value(f) for f in rule.rhs) - sum(truth.value(f) for f in rule.lhs)
            target = truth.value(target_fid) + (d if target_fid in rule.lhs else -d)
        elif mode == "key":
            target_fid = rng.choice(sorted(truth.spelled))
            target = key.fields[target_fid]
        elif mode == "marks":
            pid = rng.choice(sheet.pair_ids)
            target_fid, target = f"IV.{pid}", truth.marks[f"IV.{pid}.tally"]
        else:
            pid = rng.choice(sheet.pair_ids)
            m = rng.choice(["bubbles", "tally"])
            mid = f"IV.{pid}.{m}"
            if mid not in readings or readings.get(f"IV.{pid}") is None or readings[f"IV.{pid}"].value is None:
                continue
            v = readings[f"IV.{pid}"].value
            if v == truth.marks[mid]:
                continue
            notes = (NOTE_LIGHT,) if m == "bubbles" else ()
            readings[mid] = FieldReading(mid, m, 2, v, rng.uniform(0.41, 0.79), "review", notes=notes)
            misread.add(mid)
            stats["adversarial"] += 1
            continue
        if target_fid not in readings or target is None or not 0 <= target <= 999 or target == truth.value(target_fid):
            continue
        readings[target_fid] = weak_misread(rng, sheet.field(target_fid), truth.spelled[target_fid], target)
        if readings[target_fid].value != truth.value(target_fid):
            misread.add(target_fid)
            stats["adversarial"] += 1


def make_case(seed, firm_misreads=False, adversarial=False):
    rng = random.Random(seed)
    pairs = rng.choice([1, 1, 2, 3, 4, 5])
    traps = tuple(t for t in ("damaged", "dptb") if rng.random() < 0.3)
    contest = rng.choice(["gubernur", "bupati", "walikota"])
    ex = generate_exercise(SPEC, contest=contest, pairs=pairs, seed=seed % 997, traps=traps)
    key = AnswerKey.from_json(ex.to_key_json())
    sheet = layout_sheet(SPEC, contest=ex.contest, pairs=ex.pairs)
    vals = dict(key.fields)
    marks = {}
    for pid in sheet.pair_ids:
        marks[f"IV.{pid}.bubbles"] = marks[f"IV.{pid}.tally"] = vals[f"IV.{pid}"]
    clean = rng.random() < 0.35
    kinds = [] if clean else rng.sample(MISTAKES, rng.choice([1, 1, 2, 3]))
    planted = plant(rng, sheet, vals, marks, kinds)
    blank_lead = set()
    if not clean and rng.random() < 0.3:
        blank_lead = set(rng.sample(sorted(vals), rng.randint(1, 3)))
        planted.append("blank_leading")
    truth = Truth(planted=planted)
    for fid, v in vals.items():
        truth.spelled[fid] = spell(rng, v, 3, fid in blank_lead)
    if not clean and rng.random() < 0.15:          # a field the trainee left empty
        for fid in rng.sample(sorted(vals), rng.randint(1, 2)):
            truth.spelled[fid] = ("", "", "")
        planted.append("left_blank")
    truth.marks = marks
    # the reader
    level = rng.choice(["clean", "mild", "rough", "fuzzy", "wild"])
    p = {"clean": dict(misread=0.0, honest_low=0.02, overwritten=0.0, mark_misread=0.0, mark_honest_review=0.02),
         "mild": dict(misread=0.02, honest_low=0.05, overwritten=0.005, mark_misread=0.05, mark_honest_review=0.05),
         "rough": dict(misread=0.08, honest_low=0.12, overwritten=0.02, mark_misread=0.15, mark_honest_review=0.1),
         # many boxes just under the sure bar (accepted, 0.997-0.99995): firm fields that are not exact
         "fuzzy": dict(misread=0.04, honest_low=0.5, overwritten=0.0, mark_misread=0.1, mark_honest_review=0.1,
                       low_from=0.997),
         "wild": dict(misread=0.2, honest_low=0.3, overwritten=0.03, mark_misread=0.3, mark_honest_review=0.2)}[level]
    # (on a quarter of the sheets, from their own draw so that the others read as they always did: 1s by their shape)
    if level != "clean" and random.Random(seed * 7 + 1).random() < 0.25:
        p = dict(p, by_shape=0.03)
    stats = Counter()
    readings, misread = {}, set()
    missing_page = rng.choice([None] * 8 + [1, 2])
    for f in sheet.fields():
        if not f.graded or f.kind not in ("digits", "bubbles", "tally") or f.page == missing_page:
            continue
        if f.kind == "digits":
            r, m = read_digits(rng, f, truth.spelled[f.id], p, stats, firm_misreads)
        else:
            r, m = read_mark(rng, f, truth.marks[f.id], p, stats)
        readings[f.id] = r
        if m and r.value != truth.value(f.id):
            misread.add(f.id)
    if adversarial and level != "clean":
        adversarial_misreads(rng, sheet, key, truth, readings, misread, stats)
    clean = clean and not blank_lead and "left_blank" not in planted
    return dict(sheet=sheet, key=key, truth=truth, readings=readings, misread=misread, clean=clean,
                level=level, missing_page=missing_page, rng=rng, stats=stats, pairs=ex.pairs, contest=ex.contest,
                exercise=ex)


def check(case, res, label=""):
    """Every charge against the truth. Returns a list of problem strings."""
    sheet, key, truth = case["sheet"], case["key"], case["truth"]
    problems = []
    for f in res["fields"]:
        fid = f["id"]
        exp = f["expected"]
        tv = truth.value(fid) if (fid in truth.spelled or fid in truth.marks) else None
        if f["status"] == "wrong" and tv == exp:
            known = ""
            if "backed_up_by_bubbles_and_tally" in f["notes"] and truth.marks.get(f"{fid}.bubbles") == \
                    truth.marks.get(f"{fid}.tally") != tv:
                known = "KNOWN(marks backup) "
            elif "pinned_by_arithmetic" in f["notes"]:
                known = "KNOWN?(pin) "
            problems.append(f"{label}{known}FALSE WRONG {fid}: trainee wrote {tv} == key {exp}; read {f['value']} "
                            f"boxes {f['boxes']} {f['box_confidence']} conf {f['confidence']} notes {f['notes']}")
        if f["status"] == "blank" and tv is not None:
            problems.append(f"{label}FALSE BLANK {fid}: trainee wrote {tv}")
    rules = {r.id: r for r in expand_rules(sheet.spec.rules, sheet)}
    for rr in res["rules"]:
        if rr["status"] != "violated":
            continue
        rule = rules[rr["id"]]
        tvals = {f: truth.value(f) for f in rule.fields}
        # (a field the trainee left blank counts as nothing, or as what we read it as: a misread blank backed up by
        # the pair's marks is the marks' number; the rule is the trainee's only if it fails either way)
        shown = {f["id"]: f["value"] for f in res["fields"]}
        holds = False
        for fill in ({f: 0 for f in tvals if tvals[f] is None},
                     {f: shown.get(f) or 0 for f in tvals if tvals[f] is None}):
            tv = {**tvals, **fill}
            lhs, rhs = sum(tv[f] for f in rule.lhs), sum(tv[f] for f in rule.rhs)
            holds |= (lhs == rhs if rule.op == "==" else lhs <= rhs)
        if holds:
            problems.append(f"{label}FALSE VIOLATION {rr['id']}: true {tvals} holds; msg {rr['message_en']}")
    for fd in res["findings"]:
        if fd["code"] == PAIR_MISMATCH:
            tv = {fid: truth.value(fid) for fid in fd["fields"]}
            if len(set(tv.values())) <= 1:
                problems.append(f"{label}FALSE PAIR MISMATCH {fd['fields']}: true {tv}; {fd['message_en']}")
        if fd["code"] == BLANK_LEADING:
            for fid in fd["fields"]:
                if "" not in truth.spelled.get(fid, ()):
                    problems.append(f"{label}FALSE BLANK-LEADING {fid}: written {truth.spelled.get(fid)}")
        if fd["severity"] in ("error", "warning") and fd["kind"] == "cross_check" and fd["code"] != PAIR_MISMATCH:
            problems.append(f"{label}odd finding {fd}")
    if case["clean"]:
        charged = [f["id"] for f in res["fields"] if f["status"] in ("wrong", "blank")]
        viol = [r["id"] for r in res["rules"] if r["status"] == "violated"]
        errs = [x["code"] for x in res["findings"] if x["severity"] in ("error", "warning")]
        if charged or viol or errs or (res["score"] is not None and res["score"] != 100.0):
            problems.append(f"{label}CLEAN SHEET CHARGED: fields {charged} rules {viol} findings {errs} "
                            f"score {res['score']}")
    # consistency: a field in review although nothing about it is unsure and it is right
    for f in res["fields"]:
        if f["status"] != "review" or f["kind"] != "digits":
            continue
        fid = f["id"]
        r = case["readings"].get(fid)
        if r is None or r.status != "ok" or f["value"] != f["expected"] or fid in case.get("disputed", ()):
            continue
        if all(c >= SURE_BOX or (b in "X-" and b and c >= SURE_FILLER)
               for b, c in zip(r.boxes, r.box_confidence)):
            problems.append(f"{label}REVIEW OF A SURE RIGHT FIELD {fid}: {f['value']} {f['boxes']} "
                            f"{f['box_confidence']} notes {f['notes']}")
    return problems


def run_one(seed, firm_misreads=False, extras=True, adversarial=False, keyless=False):
    case = make_case(seed, firm_misreads, adversarial)
    sheet, key, readings = case["sheet"], case["key"], case["readings"]
    # (without an answer key, grading checks the form's own rules and the pairs' marks: no field can be wrong)
    res = grade_sheet(sheet, readings, None if keyless else key)
    problems = check(case, res)
    if not extras or keyless:
        return case, res, problems
    rng = case["rng"]
    # a regrade with nothing new must say the same (the stored result read back)
    from grader import pipeline
    stored = {"template": "chasil-kwk", "contest": case["contest"], "pairs": case["pairs"], "pages": [], **res}
    again = pipeline.regrade(stored, {}, key)
    a = {f["id"]: (f["status"], f["notes"]) for f in res["fields"]}
    b = {f["id"]: (f["status"], f["notes"]) for f in again["fields"]}
    for fid in a:
        if a[fid][0] != b[fid][0] or sorted(a[fid][1]) != sorted(b[fid][1]):
            problems.append(f"REGRADE CHANGED {fid}: {a[fid]} -> {b[fid]}")
    ra = {r["id"]: r["status"] for r in res["rules"]}
    rb = {r["id"]: r["status"] for r in again["rules"]}
    for rid in ra:
        if ra[rid] != rb[rid]:
            problems.append(f"REGRADE CHANGED rule {rid}: {ra[rid]} -> {rb[rid]}")
    fa = sorted((x["code"], x["severity"], tuple(x["fields"])) for x in res["findings"])
    fb = sorted((x["code"], x["severity"], tuple(x["fields"])) for x in again["findings"])
    if fa != fb:
        problems.append(f"REGRADE CHANGED findings {fa} -> {fb}")
    # the trainee disputes some fields; the trainer corrects some review fields to what was written
    review = [f["id"] for f in res["fields"] if f["status"] == "review" and f["id"] in readings]
    flagged = [f["id"] for f in res["fields"] if f["status"] in ("wrong", "review") and f["id"] in readings]
    disputed = set(rng.sample(flagged, min(len(flagged), rng.randint(0, 2))))
    fixed = rng.sample(review, min(len(review), rng.randint(0, len(review))))
    corrections = {fid: case["truth"].value(fid) for fid in fixed}
    case2 = dict(case, disputed=disputed)
    res2 = pipeline.regrade(stored, corrections, key, disputed=disputed)
    problems += check(case2, res2, label="[corrected/disputed] ")
    for f in res2["fields"]:
        if f["id"] in disputed and f["id"] not in corrections and f["status"] == "wrong":
            problems.append(f"DISPUTED FIELD STILL WRONG {f['id']}: notes {f['notes']}")
    # ... and that result, stored and regraded with nothing new, says the same (corrections kept, disputes still open)
    stored2 = {**stored, **res2}
    res2b = pipeline.regrade(stored2, {}, key, disputed=disputed)
    for f, g in zip(res2["fields"], res2b["fields"]):
        if (f["status"], sorted(f["notes"])) != (g["status"], sorted(g["notes"])):
            problems.append(f"REGRADE AFTER CORRECTIONS CHANGED {f['id']}: {f['status']} {f['notes']} -> "
                            f"{g['status']} {g['notes']}")
    # the trainer settles everything in review with what was written: each such field then has the truth's verdict
    settle = {f["id"]: case["truth"].value(f["id"]) for f in res["fields"]
              if f["status"] == "review" and f["id"] in readings}
    res3 = pipeline.regrade(stored, settle, key)
    problems += check(case, res3, label="[settled] ")
    for f in res3["fields"]:
        if f["id"] in settle:
            tv = settle[f["id"]]
            want = "blank" if tv is None else "ok" if tv == f["expected"] else "wrong"
            if f["status"] != want:
                problems.append(f"[settled] {f['id']} corrected to {tv} (key {f['expected']}) is {f['status']}, "
                                f"not {want}: notes {f['notes']}")
    return case, res, problems



# About 8 ms a sheet with its regrades: the two runs below take about 10 s.
SHEETS = 500


@pytest.mark.parametrize("adversarial", [False, True], ids=["random", "adversarial"])
def test_no_trainee_is_charged_for_our_misreading(adversarial):
    bad = {}
    for i in range(SHEETS):
        seed = (2 if adversarial else 1) * 1_000_000 + i
        case, res, problems = run_one(seed, adversarial=adversarial)
        if problems:
            bad[seed] = problems[:3]
    assert not bad, bad


def test_without_a_key_no_rule_or_pair_is_charged_for_our_misreading():
    bad = {}
    for i in range(300):
        case, res, problems = run_one(4_000_000 + i, adversarial=True, keyless=True)
        if problems:
            bad[4_000_000 + i] = problems[:3]
    assert not bad, bad


def test_a_misread_box_in_a_field_firm_as_a_whole_is_never_charged():
    """A box misread at 0.999 to SURE_BOX, its field then firm as a whole (1, 1, 0.9996): the network misreads some
    writers' styles that surely, so such a field is held only to its sure boxes (certainty.held). Before, it was
    charged wherever no rule caught it (key 98, written 98, read "X91" at 0.9996 with its rules not checkable:
    wrong); 3,000 sheets of seed 6 gave 902 false wrongs and 33 false pair mismatches."""
    bad = {}
    for i in range(300):
        case, res, problems = run_one(3_000_000 + i, firm_misreads="firm", extras=False, adversarial=i % 2 == 1)
        if problems:
            bad[3_000_000 + i] = problems[:3]
    assert not bad, bad


def test_the_fuzzer_sees_a_charge_for_a_misread_outside_the_contract():
    """Boxes misread surely (1.0: outside the reader's contract) are charged: the checks can fail."""
    assert any(run_one(3_000_000 + i, firm_misreads="sure", extras=False)[2] for i in range(200))

def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=500)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--firm-misreads", action="store_const", const="firm",
                    help="misread boxes at 0.999 to SURE_BOX, their fields firm as a whole (within the contract)")
    ap.add_argument("--sure-misreads", dest="firm_misreads", action="store_const", const="sure",
                    help="misread boxes at 1.0 (outside the contract: charges expected)")
    ap.add_argument("--no-extras", action="store_true")
    ap.add_argument("--adversarial", action="store_true")
    ap.add_argument("--keyless", action="store_true", help="grade without the answer key (rules and marks only)")
    ap.add_argument("--verbose", action="store_true")
    ap.add_argument("--stop", type=int, default=20)
    args = ap.parse_args(argv)
    totals = Counter()
    bad = []
    for i in range(args.n):
        seed = args.seed * 1_000_000 + i
        try:
            case, res, problems = run_one(seed, args.firm_misreads, not args.no_extras, args.adversarial, args.keyless)
        except Exception:
            print(f"seed {seed}: CRASH\n{traceback.format_exc()}")
            bad.append(seed)
            continue
        totals["sheets"] += 1
        totals["clean"] += case["clean"]
        totals["misread_fields"] += len(case["misread"])
        totals["missing_page"] += case["missing_page"] is not None
        totals.update(case["stats"])
        for k in case["truth"].planted:
            totals["planted:" + k] += 1
        for s in ("ok", "wrong", "review", "blank", "unreadable"):
            totals["field_" + s] += res["counts"][s]
        totals["violated"] += sum(r["status"] == "violated" for r in res["rules"])
        totals["pair_mismatch"] += sum(x["code"] == PAIR_MISMATCH for x in res["findings"])
        if problems:
            bad.append(seed)
            print(f"seed {seed} ({case['level']}, pairs {case['pairs']}, planted {case['truth'].planted}, "
                  f"misread {sorted(case['misread'])}, missing page {case['missing_page']}):")
            for p in problems[:8]:
                print("   ", p)
            if len(bad) >= args.stop:
                break
    print(dict(totals))
    print(f"bad seeds: {bad}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
