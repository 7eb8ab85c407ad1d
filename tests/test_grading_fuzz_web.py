"""A second seeded fuzzer of "never mark a trainee wrong because of our own misreading" (tests/test_grading_fuzz.py
makes the sheets): what it leaves out.

- Reader notes on digits fields, each with a misread the note allows: a box out of place (every box ambiguous, one
  read at up to 1.0 as a neighbour's digit), a number across the borders (the field held for review, halves read at
  any confidence), faint ink (a box ambiguous, read otherwise at up to 0.5), an overwritten box (read otherwise
  at up to 1.0), a 1 by its shape (a box read "1" at the network's low confidence), on fields that rules may pin.
- The web's path of corrections and disputes (:func:`grader.web.corrections.apply_corrections`, always from the
  sheet's original reading with every stored correction, as :mod:`grader.web.review_actions` does): it must reach
  the pipeline path's verdicts; a trainee disputes fields held against them (wrong or blank, as
  ``review_actions.dispute_field`` allows) saying what they wrote; the trainer answers with the trainee's word
  (the queue's "written" button, through ``parse_value``), keeps a reading (Enter on ``correction_prefill``, only
  where it holds no "?" and says what was written) or types what is written; then settles every field still in
  review, round after round, and no false charge may remain.
- The texts: each of ``top_fixes`` is at a place charged to the trainee (a field wrong or blank, a rule violated, a
  cross-check or convention finding), and what a fix or a wrong field's caption says was written (``value_read``:
  "?" for a box not read surely) agrees with what the trainee wrote.
- The score: a sheet whose only differences from the key are our misreads scores 100 (or nothing), before and after
  the trainer's corrections.

Long runs: ``python tests/test_grading_fuzz_web.py --n 3000 --seed 31 [--adversarial] [--firm-misreads] [--no-notes]``.
"""
from __future__ import annotations

import argparse
import random
import re
import sys
import traceback
from collections import Counter

import pytest
from test_grading_fuzz import DIGITS, SHEETS, check, make_case

from grader import pipeline
from grader.grading.annotate import _caption
from grader.grading.certainty import SURE_BOX, SURE_FILLER
from grader.grading.findings import PAIR_MISMATCH
from grader.grading.grade import NOTE_WRONG_BY_OWN_WORD, grade_sheet
from grader.grading.shown import value_read
from grader.grading.summary import _where, score
from grader.read.numbers import (NOTE_ACROSS_BORDERS, NOTE_BOX_OUT_OF_PLACE, NOTE_FAINT_INK, NOTE_ONE_BY_SHAPE,
                                 BoxLabel, assemble_number)
from grader.read.sheet_reader import FieldReading, _held_for_review
from grader.rules import expand_rules
from grader.web.corrections import apply_corrections, open_disputes
from grader.web.trainee.dispute import written_number
from grader.web.present import correction_prefill
from grader.grading.typed_value import parse_value
from grader.web.review_actions import DISPUTABLE, MAX_OPEN_DISPUTES

NOTE_KINDS = ["out_of_place", "across", "faint", "overwritten", "by_shape"]


def other_label(rng, lab):
    return rng.choice([c for c in DIGITS + "X-" if c != lab] + ([""] if lab in "X-" else []))


def noted_reading(rng, f, labels, kind):
    """A digits reading of ``f`` (written ``labels``) with ``kind``'s note and a misread it allows."""
    labels = list(labels)
    n = len(labels)
    boxes = [BoxLabel(lab, 1.0, False) for lab in labels]
    extra, hold = (), False
    k = rng.randrange(n)
    if kind == "out_of_place":      # crops off their boxes: a neighbour's digit read surely; every box ambiguous
        read = list(labels)
        if rng.random() < 0.5:
            read = read[1:] + [rng.choice(DIGITS)] if rng.random() < 0.5 else [rng.choice(DIGITS + "X")] + read[:-1]
        else:
            read[k] = other_label(rng, read[k])
        boxes = [BoxLabel(lab, rng.choice([1.0, rng.uniform(0.9, 1.0)]), True) for lab in read]
        extra = (NOTE_BOX_OUT_OF_PLACE,)
    elif kind == "across":          # halves of digits in boxes: anything, at any confidence; held for review
        for j in rng.sample(range(n), rng.randint(1, 2)):
            c = rng.choice([1.0, rng.uniform(0.5, 1.0)])
            boxes[j] = BoxLabel(other_label(rng, labels[j]), c, rng.random() < 0.3)
        extra, hold = (NOTE_ACROSS_BORDERS,), True
    elif kind == "faint":
        # the faint view reads another label: ambiguous, at most the faint view's probability of the dark view's label
        # (grader.recognize.digit_classifier)
        boxes[k] = BoxLabel(other_label(rng, labels[k]), rng.uniform(0.05, 0.5), True)
        extra = (NOTE_FAINT_INK,)
    elif kind == "overwritten":
        boxes[k] = BoxLabel(other_label(rng, labels[k]), rng.uniform(0.6, 1.0), rng.random() < 0.5, overwritten=True)
    elif kind == "by_shape":
        digits = [j for j, lab in enumerate(labels) if lab in DIGITS]
        if not digits:
            return None
        k = rng.choice(digits)
        boxes[k] = BoxLabel("1", rng.uniform(0.3, 0.99), False)
        extra = (NOTE_ONE_BY_SHAPE,)
    num = assemble_number(boxes)
    unsure = [j for j, b in enumerate(boxes) if b.ambiguous or b.overwritten]
    status = _held_for_review(num.status) if hold else num.status
    return FieldReading(f.id, "digits", f.page, num.value, num.confidence, status, num.boxes, num.box_confidence,
                        num.notes + extra, detail={"unsure_boxes": unsure} if unsure else {})


def add_reader_notes(case, seed):
    rng = random.Random(seed * 31 + 7)
    rate = rng.choice([0.0, 0.03, 0.1, 0.25])
    sheet, truth, readings = case["sheet"], case["truth"], case["readings"]
    # (fields that rules hold: a note there may meet a pin by arithmetic)
    for fid in sorted(readings):
        r = readings[fid]
        if r.kind != "digits" or rng.random() >= rate:
            continue
        kind = rng.choice(NOTE_KINDS)
        new = noted_reading(rng, sheet.field(fid), truth.spelled[fid], kind)
        if new is None:
            continue
        readings[fid] = new
        case["stats"]["note:" + kind] += 1
        if new.value != truth.value(fid):
            case["misread"].add(fid)
        else:
            case["misread"].discard(fid)
        if kind == "out_of_place":
            # a pair's tally grid and bubble column beside boxes out of place may be read off their print too: the
            # reader holds them for review with the same note (grader.read.sheet_reader), read right or not
            beside = random.Random(seed * 41 + len(fid))
            for mid in (f"{fid}.tally", f"{fid}.bubbles"):
                m = readings.get(mid)
                if m is None:
                    continue
                value = m.value if beside.random() < 0.5 else beside.choice([None, 0, max(0, truth.marks[mid] - 1),
                                                                              truth.marks[mid] + 1])
                readings[mid] = FieldReading(mid, m.kind, m.page, value, beside.uniform(0.3, 1.0),
                                             _held_for_review(m.status), notes=m.notes + (NOTE_BOX_OUT_OF_PLACE,))
                case["stats"]["note:marks_beside"] += 1
                if value != truth.marks[mid]:
                    case["misread"].add(mid)


def norm(lab):
    return "X" if lab == "-" else lab


def written_claim_problems(truth, f, label):
    """What a result says the trainee wrote in a field held against them agrees with what they wrote."""
    fid = f["id"]
    shown = value_read(f)
    tv = truth.value(fid)
    if shown is None:
        return []
    if "?" not in str(shown):
        return [] if int(shown) == tv else [f"{label}SAYS WRITTEN {shown} at {fid} ({f['status']}): trainee wrote "
                                            f"{tv} {truth.spelled.get(fid)}; boxes {f.get('boxes')} "
                                            f"{f.get('box_confidence')} notes {f['notes']}"]
    spelled = truth.spelled[fid]
    for lab, c, t in zip(f["boxes"], f["box_confidence"], spelled):
        sure = c >= SURE_BOX or (lab in ("X", "-") and c >= SURE_FILLER)
        if sure and norm(lab) != norm(t):
            return [f"{label}SAYS WRITTEN {shown} at {fid}: trainee wrote {spelled}; boxes {f['boxes']} "
                    f"{f['box_confidence']} notes {f['notes']}"]
    return []


def text_problems(case, res, label=""):
    sheet, truth = case["sheet"], case["truth"]
    problems = []
    fields = {f["id"]: f for f in res["fields"]}
    charged = {f["id"] for f in res["fields"] if f["status"] in ("wrong", "blank")}
    for r in res["rules"]:
        if r["status"] == "violated" and r["severity"] == "error":
            charged |= set(r["fields"])
    for x in res["findings"]:
        if x["severity"] in ("error", "warning") and x["kind"] in ("cross_check", "convention"):
            charged |= set(x["fields"])
    places = {}
    for fid in fields:
        places.setdefault(_where(sheet, fid)["where_en"], set()).add(fid)
    for fx in res["top_fixes"]:
        at = places.get(fx["where_en"], set())
        if not at & charged:
            problems.append(f"{label}FIX AT AN UNCHARGED PLACE {fx['where_en']}: {fx['message_en']} "
                            f"(statuses {[fields[i]['status'] for i in at]})")
        m = re.search(r": written (\S+), expected", fx["message_en"])
        if m and not fx["message_en"].startswith(("Pair", "Paslon")):
            for fid in at:
                if fields[fid]["status"] == "wrong":
                    problems += written_claim_problems(truth, fields[fid], label + "[fix] ")
    rules = {r.id: r for r in expand_rules(sheet.spec.rules, sheet)}
    for rr in res["rules"]:
        if rr["status"] != "violated":
            continue
        # what a violated rule's message says was written: its sums, or each term (as read surely: "?" where not)
        rule = rules[rr["id"]]
        tv = {fid: truth.value(fid) for fid in rule.fields}
        if any(v is None for v in tv.values()):
            continue                        # (a field left blank: check() already weighs it)
        m = re.search(r"\(written: (.+?) [≠>] (.+?)(?:; it fails whatever.*)?\)$", rr["message_en"])
        sides = [re.sub(r" = \d+$", "", side) for side in m.groups()]
        for side, fids in zip(sides, (rule.lhs, rule.rhs)):
            terms = side.split(" + ")
            if len(terms) != len(fids):      # (a side said as its sum; a rule's terms are said, sure or not)
                # (by design as below: a field read as the key has it, or pinned there, is taken at that value)
                at_key = sum(fields[f]["value"] if fields[f]["status"] == "ok" and fields[f]["value"] ==
                             fields[f]["expected"] else tv[f] for f in fids)
                if "?" not in side and int(side) == at_key != sum(tv[f] for f in fids):
                    case["stats"]["design:key_value_cited"] += 1
                elif "?" in side or int(side) != sum(tv[f] for f in fids):
                    problems.append(f"{label}RULE SAYS WRITTEN {side} for {list(fids)}: trainee wrote "
                                    f"{[tv[f] for f in fids]}: {rr['message_en']}")
                continue
            for term, fid in zip(terms, fids):
                if fields[fid]["status"] == "ok" and term == str(fields[fid]["expected"]) != str(tv[fid]):
                    # (by design, certainty.shown_term: a field read as the key has it is shown at that value, as its
                    # row says "ok"; a misread of ours landing exactly on the key is then cited as written)
                    case["stats"]["design:key_value_cited"] += 1
                    continue
                shown = dict(fields[fid], read_as=term)
                problems += written_claim_problems(truth, shown, label + f"[rule {rr['id']}] ")
    for f in res["fields"]:
        if f["status"] == "wrong":          # the feedback image's caption "read → expected", the pages' "written"
            said = _caption(f).split(" → ")[0]
            problems += written_claim_problems(truth, dict(f, read_as=said) if value_read(f) is not None else f,
                                               label + "[caption] ")
    # the score counts only what is settled, and never below what the trainee's own writing earns on those items
    # (a field in review is out of it; a field "ok" on our misread of a wrong value only raises it)
    as_written = []
    for f in res["fields"]:
        tv = truth.value(f["id"]) if f["id"] in truth.spelled or f["id"] in truth.marks else None
        verdict = f["status"] if f["status"] not in ("ok", "wrong", "blank") else \
            "blank" if tv is None else "ok" if tv == f["expected"] else "wrong"
        as_written.append(dict(f, status=verdict))
    rules_written = []
    for r in res["rules"]:
        if r["status"] in ("ok", "violated"):
            rule = rules[r["id"]]
            val = {fid: truth.value(fid) or 0 for fid in rule.fields}
            lhs, rhs = sum(val[f] for f in rule.lhs), sum(val[f] for f in rule.rhs)
            r = dict(r, status="ok" if (lhs == rhs if rule.op == "==" else lhs <= rhs) else "violated")
        rules_written.append(r)
    earned = score(as_written, rules_written)
    if res["score"] is not None and earned is not None and res["score"] < earned - 1e-9:
        problems.append(f"{label}SCORE {res['score']} BELOW WHAT THE WRITING EARNS ON THE SAME ITEMS {earned}")
    if case["clean"] and res["score"] not in (None, 100.0):
        problems.append(f"{label}CLEAN SHEET SCORED {res['score']}")
    return problems


def same_verdicts(a, b, label):
    out = []
    fa = {f["id"]: (f["status"], sorted(f["notes"]), f["value"]) for f in a["fields"]}
    fb = {f["id"]: (f["status"], sorted(f["notes"]), f["value"]) for f in b["fields"]}
    out += [f"{label}{fid}: {fa[fid]} vs {fb.get(fid)}" for fid in fa if fa[fid] != fb.get(fid)]
    ra = {r["id"]: r["status"] for r in a["rules"]}
    rb = {r["id"]: r["status"] for r in b["rules"]}
    out += [f"{label}rule {rid}: {ra[rid]} vs {rb.get(rid)}" for rid in ra if ra[rid] != rb.get(rid)]
    xa = sorted((x["code"], x["severity"], tuple(x["fields"])) for x in a["findings"])
    xb = sorted((x["code"], x["severity"], tuple(x["fields"])) for x in b["findings"])
    if xa != xb:
        out.append(f"{label}findings {xa} vs {xb}")
    if a["score"] != b["score"]:
        out.append(f"{label}score {a['score']} vs {b['score']}")
    return out


def spelled_text(truth, fid):
    return "".join(truth.spelled[fid]) if fid in truth.spelled else str(truth.marks[fid])


def run_one(seed, adversarial=False, notes=True, firm_misreads=False):
    case = make_case(seed, firm_misreads, adversarial)
    if notes:
        add_reader_notes(case, seed)
    sheet, key, readings, truth = case["sheet"], case["key"], case["readings"], case["truth"]
    rng = random.Random(seed * 17 + 3)
    res = grade_sheet(sheet, readings, key)
    problems = check(case, res) + text_problems(case, res)
    for f in res["fields"]:     # (how often a note met context: a 1 by its shape pinned, an overwritten box backed up)
        for note in {"one_by_its_shape", "overwritten_box", "faint_ink"} & set(f["notes"]):
            for ctx in {"pinned_by_arithmetic", "backed_up_by_bubbles_and_tally", "backed_up_by_arithmetic"} & set(
                    f["notes"]):
                case["stats"][f"met:{note}+{ctx}"] += 1
    # the web stores this reading, then regrades it from there with every correction and dispute stored
    reading = {"template": "chasil-kwk", "contest": case["contest"], "pairs": case["pairs"], "pages": [], **res}
    held = [f["id"] for f in res["fields"] if f["status"] in DISPUTABLE and f["id"] in readings]
    disputes = {fid: (spelled_text(truth, fid), "2026-01-01T00:00:00")
                for fid in rng.sample(held, min(len(held), rng.randint(0, MAX_OPEN_DISPUTES)))}
    cur = apply_corrections(pipeline, reading, {}, key, disputes)
    kinds = {f["id"]: f["kind"] for f in res["fields"]}

    def said_in(open_now) -> dict:
        """What each open dispute says was written: a number other than the key's keeps its field wrong."""
        return {fid: n for fid, (w, _) in open_now.items() if (n := written_number(w, kinds.get(fid))) is not None}

    def held_on_own_word(f, said) -> bool:
        return (f["status"] == "wrong" and said.get(f["id"]) not in (None, key.fields.get(f["id"]))
                and NOTE_WRONG_BY_OWN_WORD in f["notes"] and f["read_as"] == str(said[f["id"]]))
    said = said_in(disputes)
    problems += same_verdicts(cur, pipeline.regrade(reading, {}, key, disputed=set(disputes), said=said),
                              "[web/pipe disputes] ")
    problems += check(dict(case, disputed=set(disputes)), cur, "[web disputed] ")
    problems += text_problems(case, cur, "[web disputed] ")
    problems += [f"[web disputed] DISPUTE OPEN, FIELD STILL {f['status']}: {f['id']} {f['notes']}"
                 for f in cur["fields"] if f["id"] in disputes and f["status"] in DISPUTABLE
                 and not held_on_own_word(f, said)]
    corrections = {}
    for rnd in range(10):       # (a correction may put other fields of a failing rule in review: round after round)
        waiting = [f for f in cur["fields"] if (f["status"] == "review" or f.get("disputed_at"))
                   and f["id"] not in corrections and f["id"] in readings]
        if not waiting:
            break
        # the first round some of the fields, the later ones every field still waiting
        todo = waiting if rnd else rng.sample(waiting, rng.randint(0, len(waiting)))
        for f in todo:
            fid = f["id"]
            ok, prefill = parse_value(correction_prefill(f))
            if fid in disputes and rng.random() < 0.7:
                ok, v = parse_value(disputes[fid][0])      # the "written" button: the trainee's word
                case["stats"]["web:written_button"] += 1
            elif ok and prefill == truth.value(fid) and rng.random() < 0.7:
                v = prefill                                # Enter on the reading: kept
                case["stats"]["web:kept"] += 1
            else:
                ok, v = parse_value(spelled_text(truth, fid))
                case["stats"]["web:typed"] += 1
            assert ok, (fid, spelled_text(truth, fid))
            corrections[fid] = (v, "trainer", f"2026-01-{rnd + 2:02d}T00:00:00")
        if rnd == 0:
            # the trainee, seeing the sheet after the trainer's first corrections, disputes more of what is held
            # against them (never a corrected field, at most MAX_OPEN_DISPUTES open at once)
            cur = apply_corrections(pipeline, reading, corrections, key, disputes)
            room = MAX_OPEN_DISPUTES - len(open_disputes(disputes, corrections))
            more = [f["id"] for f in cur["fields"] if f["status"] in DISPUTABLE and f["id"] in readings
                    and f["id"] not in corrections and f["id"] not in disputes]
            for fid in random.Random(seed * 19 + 1).sample(more, min(len(more), max(0, room), 2)):
                disputes[fid] = (spelled_text(truth, fid), "2026-01-02T12:00:00")
                case["stats"]["web:late_dispute"] += 1
        cur = apply_corrections(pipeline, reading, corrections, key, disputes)
        still_open = open_disputes(disputes, corrections)
        pipe = pipeline.regrade(reading, {f: v for f, (v, _, _) in corrections.items()}, key,
                                disputed=set(still_open), said=said_in(still_open))
        problems += same_verdicts(cur, pipe, f"[web/pipe round {rnd}] ")
        problems += check(dict(case, disputed=set(still_open)), cur, f"[web round {rnd}] ")
        problems += text_problems(case, cur, f"[web round {rnd}] ")
        problems += [f"[web round {rnd}] DISPUTE OPEN, FIELD STILL {f['status']}: {f['id']} {f['notes']}"
                     for f in cur["fields"] if f["id"] in still_open and f["status"] in DISPUTABLE
                     and not held_on_own_word(f, said_in(still_open))]
        for f in cur["fields"]:
            if f["id"] in corrections:
                tv = truth.value(f["id"])
                want = "blank" if tv is None else "ok" if tv == f["expected"] else "wrong"
                if f["status"] != want:
                    problems.append(f"[web round {rnd}] {f['id']} corrected to {tv} (key {f['expected']}) is "
                                    f"{f['status']}, not {want}: notes {f['notes']}")
    if not open_disputes(disputes, corrections):
        left = [f["id"] for f in cur["fields"] if f["status"] == "review" and f["id"] in readings]
        if left:
            problems.append(f"[web settled] still in review after every round: {left}")
    return case, res, problems


def bad_seeds(seeds, adversarial=False, notes=True, stop=None, totals=None, firm_misreads=False):
    """The seeds whose sheets break a promise, each with its first problems (a crash is one)."""
    bad = {}
    for seed in seeds:
        try:
            case, res, problems = run_one(seed, adversarial, notes, firm_misreads)
        except Exception:       # noqa: BLE001 - a crash is a finding like any other
            problems, case = [f"CRASH\n{traceback.format_exc()}"], None
        if case is not None and totals is not None:
            totals.update(case["stats"], sheets=1, clean=case["clean"], misread_fields=len(case["misread"]),
                          pair_mismatch=sum(x["code"] == PAIR_MISMATCH for x in res["findings"]))
        if problems:
            bad[seed] = problems[:8]
            if stop and len(bad) >= stop:
                break
    return bad


# About 18 ms a sheet with its web rounds: the two runs below take about 9 s.
@pytest.mark.parametrize("adversarial", [False, True], ids=["random", "adversarial"])
def test_web_corrections_reader_notes_and_texts_charge_no_misreading(adversarial):
    first = (6 if adversarial else 5) * 1_000_000
    bad = bad_seeds(range(first, first + SHEETS // 2), adversarial)
    assert not bad, {seed: problems[:3] for seed, problems in bad.items()}


def arguments(seed: int) -> argparse.ArgumentParser:
    """The long runs' options (this fuzzer's and tests/test_grading_fuzz_routes.py's), first seed ``seed``."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=500)
    ap.add_argument("--seed", type=int, default=seed)
    ap.add_argument("--adversarial", action="store_true")
    ap.add_argument("--no-notes", action="store_true", help="leave the reader notes out")
    ap.add_argument("--firm-misreads", action="store_const", const="firm",
                    help="misread boxes at 0.999 to SURE_BOX, their fields firm as a whole (within the contract)")
    ap.add_argument("--sure-misreads", dest="firm_misreads", action="store_const", const="sure",
                    help="misread boxes at 1.0 (outside the contract: charges expected, the checks seen to fire)")
    ap.add_argument("--stop", type=int, default=20)
    return ap


def report(bad: dict, totals: Counter) -> int:
    """Print a long run's bad seeds with their problems, and its counts; the exit status."""
    for seed, problems in bad.items():
        print(f"seed {seed}:", *problems, sep="\n    ")
    print(dict(totals))
    print(f"bad seeds: {list(bad)}")
    return 1 if bad else 0


def main(argv=None):
    args = arguments(30).parse_args(argv)
    totals = Counter()
    first = args.seed * 1_000_000
    bad = bad_seeds(range(first, first + args.n), args.adversarial, not args.no_notes, args.stop, totals,
                    args.firm_misreads)
    return report(bad, totals)


if __name__ == "__main__":
    sys.exit(main())
