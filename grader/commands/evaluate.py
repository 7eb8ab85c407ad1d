"""``grader eval``: the accuracy report (alignment, reading, grading of planted mistakes, real crops,
out-of-domain, tesseract baseline).

Generated photos come from ``grader synth`` (ARDIS writers, never in the
recognizer's training data); the real crops are the kawalc1 forms held out
from training (split by form, recorded in ``grader/models/digits.json``), and
the boxes of eleven 2014 C1 scans and of five photographed 2017 plano forms that no labelled crop comes from
(``training/kawalc1_scans.py``, ``grader/recognize/kawalc1_photo_boxes.json``), also pooled.
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
from pathlib import Path

from grader.commands import path_arg, worker_count, writable_file
from grader.config import DIGITS_MODEL_ENV
from grader.errors import GraderError

log = logging.getLogger(__name__)

DEFAULT_DIR = Path(".cache/eval")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("eval", help="accuracy report on generated photos and real labelled crops")
    p.add_argument("--photos", type=path_arg, help="folder of photos with truth files (default: generate one)")
    p.add_argument("--sheets", type=int, default=300, help="sheets to generate (two photos each; default 300)")
    p.add_argument("--refusals", type=int, default=40, help="refusal-set photos to generate (default 40)")
    p.add_argument("--seed", type=int, default=1, help="seed of the generated photos (default 1, the reporting set's)")
    p.add_argument("--tesseract-photos", type=int, default=12,
                   help="photos also read with the tesseract baseline (slow: about 10 s a photo, 80 ms a box, in the "
                        "reporting runs of 4998826 and 8810457; default 12)")
    p.add_argument("--tesseract-ardis", type=int, default=300,
                   help="ARDIS test digits also read with tesseract (default 300 of 1000)")
    p.add_argument("--digits-model", type=path_arg, metavar="DIR",
                   help="read with the digits.onnx and digits.json in DIR instead of the shipped model (a retrained "
                        "model is checked this way before it replaces grader/models)")
    p.add_argument("-j", "--jobs", type=worker_count, default=2, help="worker processes (default 2)")
    p.add_argument("--json", action="store_true", help="print the whole report as JSON")
    p.add_argument("-o", "--output", type=path_arg, default=Path("eval_out/eval.json"),
                   help="where to save the report (default eval_out/eval.json)")
    p.set_defaults(func=cmd_eval)


def ensure_photos(folder: Path, *, sheets: int, refusals: int, seed: int, jobs: int) -> Path:
    """Generate the evaluation set once; reuse it while its size and seed match."""
    from grader.synth.generate import SynthOptions, generate, require_shared_data

    stamp = folder / "eval-set.json"
    want = {"sheets": sheets, "refusals": refusals, "seed": seed}
    if stamp.exists() and json.loads(stamp.read_text()) == want:
        return folder
    require_shared_data(2 * sheets, refusals)
    t0 = time.perf_counter()
    generate(folder, SynthOptions(count=2 * sheets, seed=seed, refusals=refusals, mistakes=0.3), processes=jobs)
    stamp.write_text(json.dumps(want))
    log.warning("generated %d photos in %.0f s", 2 * sheets + refusals, time.perf_counter() - t0)
    return folder


def _check_args(args: argparse.Namespace) -> None:
    """Refuse a typo before the long run, not after it (a report that cannot be written would be lost)."""
    if min(args.sheets, args.refusals, args.tesseract_photos, args.tesseract_ardis) < 0:
        raise GraderError("bad_usage", "--sheets, --refusals, --tesseract-photos and --tesseract-ardis must not be "
                                       "negative")
    if args.photos is not None:
        if not args.photos.is_dir():
            raise GraderError("bad_usage", f"--photos {args.photos}: no such folder")
        if not any(args.photos.glob("*.truth.json")):
            raise GraderError("bad_usage", f"--photos {args.photos}: no truth files (NAME.truth.json beside NAME.jpg) "
                                           "in that folder; write a set with grader synth")
    if args.digits_model is not None:
        from grader.recognize.digit_classifier import missing_model_files

        missing = missing_model_files(args.digits_model)
        if missing:
            raise GraderError("bad_usage", f"--digits-model {args.digits_model}: no {' or '.join(missing)} in that "
                                           "folder (python -m training.train_digits --out-dir writes both)")
    writable_file(args.output, f"-o {args.output}")


def digit_model_report() -> dict:
    """Which digit model the report's readings come from: its folder, training time and calibration."""
    from grader.recognize.digit_classifier import MODEL_DIR, model_dir

    folder = model_dir().resolve()
    meta = json.loads((folder / "digits.json").read_text(encoding="utf-8"))
    return {"dir": str(folder), "shipped": folder == MODEL_DIR.resolve(), "trained_at": meta.get("trained_at"),
            "temperature": meta.get("temperature"), "review_threshold": meta.get("review_threshold")}


def cmd_eval(args: argparse.Namespace) -> int:
    from grader.evaluation import evaluate_reading
    from grader.grading.mistakes_eval import evaluate_grading
    from grader.photo.evaluation import evaluate_alignment
    from grader.recognize.digit_eval import (evaluate_ardis, evaluate_kawalc1, evaluate_kawalc1_photos,
                                             evaluate_kawalc1_scans, evaluate_real_pooled)

    _check_args(args)
    if args.digits_model is not None:
        # set before any classifier loads; the worker processes inherit it
        os.environ[DIGITS_MODEL_ENV] = str(args.digits_model.resolve())
    folder = args.photos or ensure_photos(DEFAULT_DIR / f"seed{args.seed}", sheets=args.sheets,
                                          refusals=args.refusals, seed=args.seed, jobs=args.jobs)
    report: dict = {"photos_dir": str(folder), "digit_model": digit_model_report(), "split": {
        "generated_photos": "ARDIS writers (synthesis only; never in recognizer training)",
        "kawalc1": "held-out forms only (list in the digit model's digits.json)",
        "kawalc1_scans": "2014 C1 scans no labelled crop comes from, boxes labelled by hand; never in training",
        "kawalc1_photos": "phone photos of 2017 plano forms (five writers) no labelled crop comes from, boxes placed "
                          "and labelled by hand; never in training",
        "real_pooled": "kawalc1 held-out crops, 2014 scans and 2017 photos together",
        "ardis_test": "ARDIS X_test, out-of-domain (ARDIS never in training)"}}
    t0 = time.perf_counter()
    align = evaluate_alignment(folder)
    report["alignment"] = {k: v for k, v in align.items() if k != "per_photo"}
    report["reading"] = evaluate_reading(folder, workers=args.jobs)
    if args.tesseract_photos:
        report["reading_tesseract_baseline"] = evaluate_reading(folder, engine="tesseract", workers=args.jobs,
                                                                limit=args.tesseract_photos)
    report["grading"] = evaluate_grading(folder, workers=args.jobs)
    report["kawalc1_heldout"] = evaluate_kawalc1(tesseract=True)
    report["kawalc1_scans"] = evaluate_kawalc1_scans(tesseract=True)
    report["kawalc1_photos"] = evaluate_kawalc1_photos(tesseract=True)
    report["real_pooled"] = evaluate_real_pooled(tesseract=True)
    report["ardis_test"] = evaluate_ardis(tesseract=True, tesseract_limit=args.tesseract_ardis)
    report["seconds"] = round(time.perf_counter() - t0, 1)
    args.output.write_text(json.dumps(report, indent=1, default=str))
    if args.json:
        json.dump(report, sys.stdout, indent=1, default=str)
        sys.stdout.write("\n")
    else:
        print_summary(report)
        print(f"full report: {args.output}")
    return 0


def _pct(x) -> str:
    return "   –  " if x is None else f"{100 * x:6.2f}%"


def print_summary(r: dict) -> None:
    m = r.get("digit_model")
    if m and not m["shipped"]:
        print(f"Digit model under evaluation (not the shipped one): {m['dir']} (trained {m['trained_at']}, "
              f"temperature {m['temperature']}, review threshold {m['review_threshold']})")
    a = r["alignment"]
    print(f"Alignment ({a['readable']} readable photos, {a['refusal_set']} refusal-set photos)")
    print(f"  located {_pct(a['located_share'])}  wrongly refused {_pct(a['wrongly_refused_share'])}  "
          f"wrongly accepted {_pct(a['wrongly_accepted_share'])}")
    if a.get("corner_error_mm"):
        c = a["corner_error_mm"]
        print(f"  box-corner error: median {c['median']:.3f} mm, p99 {c['p99']:.3f} mm")
    if a.get("largest_errors_mm"):
        print("  largest box-corner errors: " + ", ".join(f"{n} {mm:.2f} mm" for n, mm in a["largest_errors_mm"][:5]))
    for name in ("reading", "reading_tesseract_baseline"):
        if name not in r:
            continue
        rd = r[name]
        print(f"Reading [{rd['engine']}] on {rd['readable_photos']} photos; boxes {_pct(rd['boxes']['accuracy'])} "
              f"of {rd['boxes']['n']}")
        for kind, k in rd["fields"].items():
            print(f"  {kind:8s} fields {k['fields']:6d}  exact {_pct(k['exact_read'])}  auto-accepted wrong "
                  f"{_pct(k['auto_accepted_wrong_share'])}  review {_pct(k['review_share'])} "
                  f"({_pct(k['review_read_exactly_share'])} of it read exactly all the same)  "
                  f"verdict 'wrong' on a right answer {k['verdict_false_wrong']} ({_pct(k['verdict_false_wrong_share'])})"
                  f"  planted wrong values flagged {k['planted_flagged_wrong']}/{k['planted_wrong_fields']}"
                  f"  verdict review (after context) {_pct(k['verdict_review_share'])}"
                  f"  accepted after context {_pct(k['accepted_after_context'])}, wrong among them "
                  f"{_pct(k['accepted_after_context_wrong_share'])} ({k['accepted_after_context_wrong']})"
                  f"  verdict 'ok' on a wrong answer {k['verdict_false_ok']}")
            if k["overwritten_fields"] or k["noted_overwritten"]:
                print(f"  {'':8s} planted corrections (an old digit under correction fluid, a new one on it): "
                      f"{k['overwritten_fields']}, {k['overwritten_sent_to_review']} of them sent to review; fields the "
                      f"reader noted 'overwritten' (two digits in a box): {k['noted_overwritten']}, "
                      f"{k['noted_overwritten_on_planted']} of them on a planted correction")
            if kind == "digits" and "noted_across_borders" in k:
                print(f"  {'':8s} fields the reader noted 'across borders' (a digit on the border between two boxes): "
                      f"{k['noted_across_borders']}")
    g = r.get("grading")
    if g:
        print(f"Grading {g['sheets']} sheets: planted mistakes found as their kind / left to review / missed:")
        _print_outcomes(g)
        a = g["after_review"]
        print(f"After a trainer clears the review queues ({a['trainer_actions']} corrections or confirmations for "
              f"{a['fields_waiting']} fields waiting): found / left to review / missed:")
        _print_outcomes(a)
    for name in ("kawalc1_heldout", "kawalc1_scans", "kawalc1_photos", "real_pooled", "ardis_test"):
        if r.get(name):
            print(crops_line(name, r[name]))


def crops_line(name: str, d: dict) -> str:
    """One line for a labelled-crop set's report (:mod:`grader.recognize.digit_eval`): what it is, and the scores."""
    c, t = d["classifier"], d.get("tesseract") or {}
    return (f"{name} ({c['n']} boxes; {d['data']}): top-1 {_pct(c['top1_accuracy'])}, on the most confident 95% "
            f"{_pct(c['top95_accuracy'])}, auto-accepted {_pct(c['auto_accepted_share'])} with "
            f"{_pct(c['auto_accepted_wrong_share'])} of them wrong; tesseract top-1 {_pct(t.get('top1_accuracy'))}")


def _print_outcomes(g: dict) -> None:
    for kind, o in {**g["planted"], "all": g["planted_total"]}.items():
        print(f"  {kind:18s} {o['found']:4d} / {o['review']:4d} / {o['missed']:4d}")
    print(f"  clean sheets with anything held against the trainee: {g['clean_sheets_charged']} of {g['clean_sheets']}")
    if "right_answers_marked_wrong" in g:
        charged = g["right_answers_marked_wrong"]
        print(f"  right answers marked wrong, on any sheet: {sum(len(x['fields']) for x in charged)}"
              + "".join(f"  [{x['sheet']}: {', '.join(x['fields'])}]" for x in charged))
    if "rules_violated_though_they_hold" in g:
        false = g["rules_violated_though_they_hold"]
        print(f"  rules reported violated that hold as written, on any sheet: {sum(len(x['rules']) for x in false)}"
              + "".join(f"  [{x['sheet']}: {', '.join(x['rules'])}]" for x in false))

