"""Photos and files a reader must refuse, each with its stable reason code.

Kinds (the reason code each one expects; ``also_ok`` lists codes that are an
acceptable answer too, because the photo honestly shows both problems):

* ``too_blurry``: heavy defocus or camera shake;
* ``too_dark``: a night-time photo without light;
* ``glare``: a lamp reflected over the fields, burning them out;
* ``sheet_cut_off``: one corner marker (and the corner of the sheet) outside the frame;
* ``sheet_too_small``: the sheet fills only a few percent of the frame;
* ``not_practice_sheet`` (``something_else``): a table with other papers and no sheet;
* ``not_practice_sheet`` (``kpu_form``): a photo of an official KPU form
  (``../shared/data/kawalc1/photos``), re-encoded and resized;
* ``not_an_image``: a text file named ``.jpg``;
* ``corrupt_file``: a truncated JPEG;
* ``too_large``: a PNG whose header claims about 900 megapixels (a decompression bomb).
"""
from __future__ import annotations

import struct
import zlib
from dataclasses import replace
from pathlib import Path

import cv2
import numpy as np

from grader.synth.photo import Conditions
from grader.synth.scene import BACKGROUNDS, background, draw_other_papers, lighting

KAWALC1_PHOTOS = Path(__file__).resolve().parents[3] / "shared" / "data" / "kawalc1" / "photos"

# kind -> (expected code, other acceptable codes)
REFUSAL_KINDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "too_blurry": ("too_blurry", ()),
    "too_dark": ("too_dark", ()),
    "glare": ("glare", ()),
    "sheet_cut_off": ("sheet_cut_off", ("markers_not_found",)),
    "sheet_too_small": ("sheet_too_small", ("markers_not_found",)),
    "something_else": ("not_practice_sheet", ("markers_not_found",)),
    "kpu_form": ("not_practice_sheet", ("markers_not_found",)),
    "not_an_image": ("not_an_image", ()),
    "corrupt_file": ("corrupt_file", ()),
    "too_large": ("too_large", ()),
}
SHEET_KINDS = ("too_blurry", "too_dark", "glare", "sheet_cut_off", "sheet_too_small")
# The kinds of a generated refusal set, in this repeating order (every kind within the first ten).
REFUSAL_CYCLE = ("too_blurry", "too_dark", "sheet_cut_off", "sheet_too_small", "something_else", "kpu_form",
                 "glare", "not_an_image", "corrupt_file", "too_large", "too_blurry", "too_dark", "sheet_cut_off",
                 "kpu_form", "sheet_too_small", "too_blurry", "glare", "something_else")


def refusal_conditions(kind: str, base: Conditions, rng: np.random.Generator) -> Conditions:
    """Turn readable conditions into ones that must be refused for ``kind`` (a sheet is in the photo)."""
    if kind == "too_blurry":
        if rng.random() < 0.6:
            return replace(base, defocus_mm=float(rng.uniform(0.7, 1.6)), motion_mm=0.0)
        return replace(base, motion_mm=float(rng.uniform(3.0, 7.0)), defocus_mm=float(rng.uniform(0, 0.2)))
    if kind == "too_dark":
        return replace(base, exposure=float(rng.uniform(0.07, 0.16)), noise=float(rng.uniform(0.01, 0.025)),
                       cast=str(rng.choice(["evening", "warm", "neutral"])), chat_app=False)
    if kind == "glare":
        return replace(base, glare=float(rng.uniform(1.5, 3.0)), exposure=float(rng.uniform(0.85, 1.05)))
    if kind == "sheet_cut_off":
        return replace(base, cut_marker=int(rng.integers(4)), coverage=float(rng.uniform(0.55, 0.9)),
                       hidden_marker=None)
    if kind == "sheet_too_small":
        return replace(base, coverage=float(rng.uniform(0.02, 0.1)), megapixels=float(rng.choice([2.0, 3.0, 5.0])),
                       hidden_marker=None)
    raise ValueError(f"{kind} is not a refusal with a sheet in the photo")


def something_else(rng: np.random.Generator, *, size: tuple[int, int] = (1600, 1200)) -> tuple[bytes, dict]:
    """A photo of a table with other papers on it, and no practice sheet."""
    w, h = size
    kind = str(rng.choice(BACKGROUNDS))
    img = background(kind, size, rng)
    papers = draw_other_papers(img, int(rng.integers(1, 4)), float(rng.uniform(3, 6)), rng)
    yy, xx = np.mgrid[0:h // 16, 0:w // 16].astype(np.float32)
    light, _ = lighting(xx / (w // 16) - 0.5, yy / (h // 16) - 0.5, rng, exposure=float(rng.uniform(0.7, 1.1)),
                        gradient=float(rng.uniform(0, 0.3)), vignette=0.2, shadow=0.0)
    light = cv2.resize(light, size, interpolation=cv2.INTER_LINEAR)
    out = np.clip(img.astype(np.float32) * light[..., None] + rng.normal(0, 3, img.shape), 0, 255).astype(np.uint8)
    ok, buf = cv2.imencode(".jpg", cv2.cvtColor(out, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, 85])
    return buf.tobytes(), {"background": kind, "papers": papers, "size": [w, h]}


def kawalc1_photos() -> list[Path]:
    """The official-form photos available for the ``kpu_form`` kind (sorted, so choices are reproducible)."""
    if not KAWALC1_PHOTOS.is_dir():
        return []
    return sorted(p for p in KAWALC1_PHOTOS.iterdir() if p.suffix.lower() in (".jpg", ".jpeg", ".png", ".webp"))


def kpu_form(rng: np.random.Generator) -> tuple[bytes, dict]:
    """A real photo of an official form (not our sheet), resized, maybe rotated, and re-encoded."""
    photos = kawalc1_photos()
    if not photos:
        raise FileNotFoundError(f"no official-form photos under {KAWALC1_PHOTOS}")
    src = photos[int(rng.integers(len(photos)))]
    img = cv2.imread(str(src), cv2.IMREAD_COLOR)
    if img is None:
        raise ValueError(f"cannot decode {src}")
    side = int(rng.integers(1000, 2200))
    f = min(1.0, side / max(img.shape[:2]))
    img = cv2.resize(img, None, fx=f, fy=f, interpolation=cv2.INTER_AREA)
    turn = int(rng.integers(4))
    if turn:
        img = np.ascontiguousarray(np.rot90(img, turn))
    q = int(rng.integers(65, 90))
    ok, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, q])
    rel = f"../shared/data/kawalc1/photos/{src.name}"
    return buf.tobytes(), {"source": rel, "rotated_deg": 90 * turn, "jpeg_quality": q,
                           "size": [img.shape[1], img.shape[0]]}


def not_an_image(rng: np.random.Generator) -> tuple[bytes, dict]:
    """What a chat export sometimes contains instead of a photo."""
    lines = ["[12/11/24 19.03] Pak Budi: Ini foto lembar latihan saya",
             "[12/11/24 19.04] Bu Siti: Baik pak, nanti saya periksa",
             "<attached: 00000042-PHOTO-2024-11-12.jpg>"]
    text = "\n".join(lines[: int(rng.integers(1, len(lines) + 1))]) + "\n"
    return text.encode("utf-8"), {"content": "chat-export text"}


def corrupt_file(jpeg: bytes, rng: np.random.Generator) -> tuple[bytes, dict]:
    """A JPEG cut short, as an interrupted download leaves it."""
    keep = float(rng.uniform(0.3, 0.7))
    return jpeg[: int(len(jpeg) * keep)], {"truncated_to": round(keep, 3), "original_bytes": len(jpeg)}


def too_large(rng: np.random.Generator) -> tuple[bytes, dict]:
    """A small PNG that claims about 900 megapixels (a decompression bomb), written row by row."""
    w = h = int(rng.integers(28000, 32000))
    row = b"\x00" + b"\x00" * ((w + 7) // 8)          # filter byte + one bit per pixel
    comp = zlib.compressobj(9)
    body = b"".join(comp.compress(row) for _ in range(h)) + comp.flush()

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)

    png = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 1, 0, 0, 0, 0)) +
           chunk(b"IDAT", body) + chunk(b"IEND", b""))
    return png, {"claimed_size": [w, h]}
