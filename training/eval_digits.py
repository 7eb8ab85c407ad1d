"""Print the digit-classifier evaluation as JSON.

Usage (from the repository root)::

    python -m training.eval_digits                 # classifier + tesseract baseline
    python -m training.eval_digits --no-tesseract  # fast
    python -m training.eval_digits --forms train   # sanity check on training forms

Held-out kawalc1 forms are read from ``grader/models/digits.json``; the boxes of the 2014 C1 scans
(``kawalc1_scans``, none of them in training) from ``grader/recognize/kawalc1_scan_boxes.json``, and those of the
photographed 2017 plano forms (``kawalc1_photos``, none in training either) from
``grader/recognize/kawalc1_photo_boxes.json``.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from grader.recognize.digit_classifier import DigitClassifier
from grader.recognize.digit_eval import (benchmark_batch, evaluate_ardis, evaluate_kawalc1, evaluate_kawalc1_photos,
                                        evaluate_kawalc1_scans, evaluate_real_pooled)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Evaluate the digit-box classifier (JSON on stdout).")
    ap.add_argument("--model-dir", type=Path, default=None)
    ap.add_argument("--no-tesseract", action="store_true", help="skip the tesseract baseline")
    ap.add_argument("--tesseract-limit", type=int, default=None,
                    help="run tesseract on only the first N ARDIS images")
    ap.add_argument("--forms", choices=["heldout", "train"], default="heldout",
                    help="which kawalc1 forms (train is only a sanity check)")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    clf = DigitClassifier(args.model_dir)
    split = clf.meta["kawalc1_split"]
    forms = split["heldout_forms"] if args.forms == "heldout" else split["train_forms"]
    tess = not args.no_tesseract
    report = {
        "model": {
            "temperature": clf.temperature,
            "review_threshold": clf.review_threshold,
            "review_margin": clf.review_margin,
        },
        "kawalc1_" + args.forms: evaluate_kawalc1(clf, forms=forms, tesseract=tess),
        "kawalc1_scans": evaluate_kawalc1_scans(clf, tesseract=tess),
        "kawalc1_photos": evaluate_kawalc1_photos(clf, tesseract=tess),
        **({"real_pooled": evaluate_real_pooled(clf, tesseract=tess)} if args.forms == "heldout" else {}),
        "ardis_test": evaluate_ardis(clf, tesseract=tess, tesseract_limit=args.tesseract_limit),
        "speed": benchmark_batch(clf),
    }
    json.dump(report, sys.stdout, indent=2)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
