"""``grader read`` (whole photos) and ``grader read-boxes`` (single box crops)."""
from __future__ import annotations

import argparse
import io
import json
import struct
import sys
import warnings
from pathlib import Path

import cv2
import numpy as np

from grader.commands import path_arg
from grader.errors import GraderError
from grader.exercise.store import AnswerKey, check_variant, load_key
from grader.photo.load import DEFAULT_MAX_PIXELS as MAX_CROP_PIXELS
from grader.photo.load import sniff_format


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("read", help="read every field of one or more photos (no grading)")
    p.add_argument("photos", nargs="+", type=path_arg, help="photos of practice sheets")
    p.add_argument("--template", help="template id, when the QR and header cannot be read")
    p.add_argument("--exercise", help="exercise code (or its answer_key.json), when the QR and header cannot be read: "
                                      "the sheet is read as that exercise's (its form and number of pairs); a sheet "
                                      "whose QR or header names another exercise is refused, as grade --key does")
    p.add_argument("--pairs", type=int, help="number of pairs, when the QR and header cannot be read")
    p.add_argument("--digits-engine", choices=("cnn", "tesseract"), default="cnn",
                   help="digit-box reader (default cnn; tesseract is the evaluation baseline)")
    p.add_argument("--json", action="store_true", help="JSON output (one object per photo, in a list)")
    p.set_defaults(func=cmd_read)

    p = sub.add_parser("read-boxes", help="classify single handwritten box crops")
    p.add_argument("images", nargs="+", type=path_arg, help="single box crops, any size, with or without its border")
    p.add_argument("--digits-engine", choices=("cnn", "tesseract"), default="cnn",
                   help="digit-box reader (default cnn; tesseract is the evaluation baseline: a fixed confidence, "
                        "never review)")
    p.add_argument("--json", action="store_true", help="JSON output (the only format)")
    p.set_defaults(func=cmd_read_boxes)


def _read_bytes(path: Path) -> bytes | GraderError:
    """The file's bytes, or the refusal of a photo too large to read (:func:`grader.batch.read_photo_file`)."""
    from grader.batch import read_photo_file

    if path.exists() and not path.is_file():     # a folder, or a pipe that reading would wait on forever
        raise GraderError("not_a_file", f"{path}: not a photo file (a folder or a device)",
                          f"{path}: bukan berkas foto")
    try:
        return read_photo_file(path)
    except OSError as exc:
        raise GraderError("not_found", f"{path}: {exc.strerror or exc}", f"{path}: berkas tidak dapat dibaca") from None


def _check_read_args(args: argparse.Namespace) -> AnswerKey | None:
    """A --template that does not exist, or --pairs it cannot have, is the user's mistake (exit 2), not a refusal of
    every photo (each one's ``bad_template``, though the photo may be fine).

    So is an --exercise not in the store. One that is gives its form, contest and number of pairs (returned: its
    key, None without --exercise), as grading does: a sheet whose QR and code line were not read is refused as
    unidentified with the advice to give its exercise code, and a code that only named the sheet left it refused
    (helper-145 s47: an unknown code was taken silently).
    """
    from grader.sheet.layout import validate_params
    from grader.sheet.schema import list_templates, resolve_template

    key = None
    if args.exercise is not None:
        key = load_key(args.exercise, flag="--exercise")
        # (--template may name the template by its YAML file: compared by the id it holds)
        check_variant(key, template=resolve_template(args.template).id if args.template else None, pairs=args.pairs)
        args.exercise, args.template, args.pairs = key.exercise, key.template, key.pairs
    if args.template is None and args.pairs is None:
        return key
    specs = [resolve_template(args.template)] if args.template else [resolve_template(str(p)) for p in list_templates()]
    problems = []
    for spec in specs:
        try:
            validate_params(spec, None, args.pairs)
            return key
        except GraderError as exc:
            problems.append(exc)
    raise problems[0]


def cmd_read(args: argparse.Namespace) -> int:
    from grader.batch import photos_in
    from grader.file_names import shown_name
    from grader.photo.decoder_messages import decoder_messages_logged
    from grader.pipeline import PhotoRead, read_json, read_photo, refuse_another_exercise

    key = _check_read_args(args)
    out = []
    for path in args.photos:
        data = _read_bytes(path)
        items = [(shown_name(str(path)), data)] if isinstance(data, GraderError) else photos_in(str(path), data)
        for name, data in items:      # (a scanned PDF: each page's photo)
            if isinstance(data, GraderError):
                pr = PhotoRead(file=name, refusal=data)
            else:
                with decoder_messages_logged(name):
                    pr = read_photo(data, filename=name, template=args.template, exercise=args.exercise,
                                    contest=key.contest if key else None, pairs=args.pairs, engine=args.digits_engine)
                # (a sheet whose QR names another exercise is refused, as grade --key refuses it: not read as its own)
                if key is not None and pr.aligned is not None:
                    refuse_another_exercise(pr, key)
            out.append(read_json(pr))
    if args.json:
        json.dump(out, sys.stdout, indent=1, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        for o in out:
            if o.get("refusal"):
                print(f"{o['file']}: refused ({o['refusal']['code']}): {o['refusal']['message_en']}")
                continue
            print(f"{o['file']}: {o['template']} page {o['page']}, exercise {o['exercise'] or '-'} "
                  f"(identity from {o['identity_source']})")
            for fid, f in o["fields"].items():
                print(f"  {fid:16s} {str(f['value']):>5s}  {f['status']:10s} {f['confidence']:.3f}")
    return 0      # a refused photo is a result (its "refusal" says why), not a failure of the command


def _header_pixels(data: bytes) -> int:
    """Width × height as the image's header claims them, without decoding it (0 where Pillow cannot tell)."""
    from PIL import Image, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as im:
                return im.width * im.height
    except Image.DecompressionBombError:
        return MAX_CROP_PIXELS + 1
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, struct.error):
        return 0                                    # not an image Pillow reads: OpenCV decides


def _decode_with_pillow(data: bytes) -> np.ndarray | None:
    """A HEIC/AVIF crop as BGR, turned upright by its EXIF orientation, or ``None`` when it cannot be decoded."""
    from PIL import Image, ImageOps

    try:
        with Image.open(io.BytesIO(data)) as im:
            rgb = np.asarray(ImageOps.exif_transpose(im).convert("RGB"))
    except Exception:       # (libheif and libavif raise several types for damaged files)
        return None
    return cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR)


def _box_crop(path: Path) -> np.ndarray | GraderError:
    """The crop in ``path``, or why it cannot be classified (a missing file raises: a typo, not a bad crop)."""
    from grader.recognize.box_preprocess import MIN_CROP_SIDE

    data = _read_bytes(path)
    if isinstance(data, GraderError):
        return data
    phone_format = sniff_format(data) in ("heif", "avif")
    if phone_format:
        import pillow_heif
        pillow_heif.register_heif_opener()         # (Pillow then reads a HEIC's header and pixels; AVIF it reads)
    if _header_pixels(data) > MAX_CROP_PIXELS:      # a decompression bomb: refused before decoding
        mp = MAX_CROP_PIXELS // 1_000_000
        return GraderError("too_large", f"The image claims more than {mp} megapixels: that is no box crop.",
                           f"Gambar mengaku lebih dari {mp} megapiksel: itu bukan potongan kotak.")
    if phone_format:       # an iPhone's HEIC or a newer Android's AVIF, which cv2.imdecode does not read
        img = _decode_with_pillow(data)
    else:
        img = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_UNCHANGED) if data else None   # (b"": cv2.error)
    if img is None or img.size == 0:
        return GraderError("not_an_image", "Not an image file.", "Bukan berkas gambar.")
    if min(img.shape[:2]) < MIN_CROP_SIDE:
        h, w = img.shape[:2]
        least = f"{MIN_CROP_SIDE}x{MIN_CROP_SIDE} px"
        return GraderError("crop_too_small", f"{w}x{h} px is too small to hold a box: a crop needs at least {least}.",
                           f"{w}x{h} px terlalu kecil untuk sebuah kotak: potongan minimal {least}.")
    if img.dtype == np.uint16:      # a 16-bit PNG: its top byte (kept as 16 bits, ink read as paper: a blank box)
        img = (img >> 8).astype(np.uint8)
    elif img.dtype != np.uint8:
        img = cv2.normalize(img, None, 0, 255, cv2.NORM_MINMAX).astype(np.uint8)
    if img.ndim == 3 and img.shape[2] == 4:     # laid on white paper: ink on a transparent ground is not all black
        alpha = img[:, :, 3:].astype(np.float32) / 255.0
        img = (img[:, :, :3].astype(np.float32) * alpha + 255.0 * (1.0 - alpha)).round().astype(np.uint8)
    return img


def cmd_read_boxes(args: argparse.Namespace) -> int:
    """One entry per image, in order; an image that cannot be classified is an entry with its refusal, so one
    bad crop never loses the others' readings."""
    from grader.pipeline import classifier_for, refusal_json

    crops = [_box_crop(path) for path in args.images]
    good = [crop for crop in crops if not isinstance(crop, GraderError)]
    readings = iter(classifier_for(args.digits_engine).classify(good))
    out = []
    for path, crop in zip(args.images, crops):
        if isinstance(crop, GraderError):
            out.append({"file": str(path), "refusal": refusal_json(crop)})
            continue
        r = next(readings)
        out.append({"file": str(path), "label": r.label, "confidence": round(float(r.confidence), 4),
                    **({"review": True} if r.ambiguous else {})})
    json.dump(out, sys.stdout, indent=1)
    sys.stdout.write("\n")
    return 0
