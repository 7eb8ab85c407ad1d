"""Calibrate trained digit weights the way ``train_digits`` does, without training.

    python -m training.calibrate_digits --model-dir grader/models            # print what the script would choose
    python -m training.calibrate_digits --model-dir DIR --write              # and write it into DIR/digits.json

Rebuilds ``train_digits``'s calibration split from its caches (``.cache/train``; generates what is missing), runs
the network of ``DIR/digits.onnx`` on it through ``cv2.dnn`` and fits the temperature and review threshold by the
same rules and options (``train_digits.add_calibration_options``). This is how the shipped weights' calibration
is checked against the current script (training/README.md, "Calibration drift").
"""
from __future__ import annotations

import argparse
import json
import logging
from datetime import date
from pathlib import Path

from grader.recognize import digit_classifier as dc
from training import digit_data as dd
from training import train_digits as td


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model-dir", type=Path, default=dc.MODEL_DIR)
    ap.add_argument("--cache", type=Path, default=dd.DEFAULT_CACHE)
    ap.add_argument("--workers", type=int, default=2)
    td.add_calibration_options(ap)
    ap.add_argument("--write", action="store_true", help="write the temperature and threshold into digits.json")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")

    dd.fetch_sources(args.cache)
    _, glyphs_val, _ = td.glyph_splits(args.cache)
    clf = dc.DigitClassifier(args.model_dir)
    # (the calibration boxes are cut and preprocessed as the model's own settings say; glyphs across the border in the
    # share its run drew them)
    args.settings = clf.preprocessing
    args.crossing_share = float(clf.meta.get("training", {}).get("crossing_share", 0.0))
    xv, yv, n_photo_boxes = td.calibration_split(glyphs_val, args)
    cal = td.calibrate(clf.logits(xv), yv.argmax(1), args.max_error, args.min_temperature)
    report = {"model_dir": str(args.model_dir), "calibration_samples": int(len(xv)),
              "calibration_photo_boxes": n_photo_boxes, "cal_stroke": args.cal_stroke, "max_error": args.max_error,
              "min_temperature": args.min_temperature,
              "shipped": {"temperature": clf.temperature, "review_threshold": clf.review_threshold},
              "script": {k: round(v, 5) for k, v in cal.items()}}
    print(json.dumps(report, indent=2))
    if args.write:
        meta_path = args.model_dir / "digits.json"
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        meta["temperature"], meta["review_threshold"] = round(cal["temperature"], 4), cal["threshold"]
        meta["calibration"].update(td.calibration_meta(cal, len(xv), args),
                                   recalibrated_by="training/calibrate_digits.py",
                                   recalibrated_at=date.today().isoformat())
        meta_path.write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
