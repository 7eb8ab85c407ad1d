"""Decode photo bytes into an upright BGR image, refusing what is not a usable photo.

JPEG, PNG and WebP are decoded by ``cv2.imdecode`` (the fastest decoder we
have); HEIC/HEIF goes through pillow-heif, and AVIF (newer Android cameras and
chat apps) through Pillow, whose wheels bundle libavif (pillow-heif here is built
without it). Dimensions and the EXIF orientation
are read from the headers with Pillow (which parses headers lazily and does not
decode pixels) so decompression bombs are refused before any pixel is decoded.
"""
from __future__ import annotations

import io
import logging
import struct
import time
import warnings
from dataclasses import dataclass, field

import cv2
import numpy as np
from PIL import Image, UnidentifiedImageError

from grader.photo.jpeg_damage import image_data_ran_out
from grader.photo.refusal import LOW_RESOLUTION, Refusal

log = logging.getLogger(__name__)

DEFAULT_MAX_BYTES = 25 * 1024 * 1024
DEFAULT_MAX_PIXELS = 64_000_000      # a 200 MP sensor saves 12-50 MP by default; more is a bomb
DEFAULT_MAX_SIDE = 16_384
DEFAULT_MAX_ASPECT = 6.0             # a phone photo of an A4 sheet is never a strip
MIN_SIDE = 240                       # below this no sheet can be read

_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"}
_AVIF_BRANDS = {b"avif", b"avis"}

# EXIF orientation -> operations turning the stored pixels upright.
_ORIENT_OPS: dict[int, tuple[int | None, bool]] = {   # (cv2 rotate code, flip horizontally first)
    2: (None, True), 3: (cv2.ROTATE_180, False), 4: (cv2.ROTATE_180, True),
    5: (cv2.ROTATE_90_CLOCKWISE, True), 6: (cv2.ROTATE_90_CLOCKWISE, False),
    7: (cv2.ROTATE_90_COUNTERCLOCKWISE, True), 8: (cv2.ROTATE_90_COUNTERCLOCKWISE, False),
}


@dataclass(frozen=True)
class LoadedPhoto:
    """A decoded photo.

    Attributes
    ----------
    image : uint8 array, upright (EXIF orientation applied): BGR, or gray when loaded with ``color=False``.
    format : ``jpeg``, ``png``, ``webp``, ``heif`` or ``avif``.
    orientation : the EXIF orientation tag that was applied (1 = none).
    stored_size : ``(width, height)`` as stored in the file, before orientation.
    """

    image: np.ndarray
    format: str
    orientation: int = 1
    stored_size: tuple[int, int] = (0, 0)
    timings_ms: dict[str, float] = field(default_factory=dict)


def sniff_format(data: bytes) -> str | None:
    """The container format from the magic bytes, or ``None`` if it is not an image we read."""
    if data[:3] == b"\xff\xd8\xff":
        return "jpeg"
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    if data[4:8] == b"ftyp" and data[8:12] in _HEIF_BRANDS:
        return "heif"
    if data[4:8] == b"ftyp" and data[8:12] in _AVIF_BRANDS:
        return "avif"
    return None


def load_photo(data: bytes, *, color: bool = True, max_bytes: int = DEFAULT_MAX_BYTES,
               max_pixels: int = DEFAULT_MAX_PIXELS, max_side: int = DEFAULT_MAX_SIDE) -> LoadedPhoto:
    """Decode ``data`` into an upright BGR (or gray) image.

    Parameters
    ----------
    data : the file's bytes.
    color : decode BGR; with False, decode straight to gray (a JPEG then skips
        chroma upsampling and colour conversion: about half the decoding time).
    max_bytes : refuse larger files (``too_large``).
    max_pixels, max_side : refuse images whose header claims more (``too_large``), before decoding.

    Raises
    ------
    Refusal
        ``not_an_image``, ``corrupt_file``, ``too_large`` or ``sheet_too_small`` (a thumbnail).
    """
    t0 = time.perf_counter()
    if len(data) > max_bytes:
        raise Refusal("too_large", detail=f"{len(data)} bytes > {max_bytes}")
    fmt = sniff_format(data)
    if fmt is None:
        raise Refusal("not_an_image", detail=f"unknown magic {data[:12]!r}")
    if fmt in ("heif", "avif"):
        decode = _decode_heif if fmt == "heif" else _decode_avif
        image, orientation, stored = decode(data, max_pixels=max_pixels, max_side=max_side)
        if not color:
            image = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    else:
        (w, h), orientation = _header_size_and_orientation(data, fmt)
        halve = jpeg_decoded_at_half(fmt, w, h, max_pixels=max_pixels)
        # (the limits apply to what is decoded)
        _check_dimensions(-(-w // 2) if halve else w, -(-h // 2) if halve else h, max_pixels=max_pixels,
                          max_side=max_side)
        _check_complete(data, fmt)
        if halve:   # (the decoder's own scaling: neither the time nor the memory of the full size is spent)
            flags = cv2.IMREAD_REDUCED_COLOR_2 if color else cv2.IMREAD_REDUCED_GRAYSCALE_2
        else:
            flags = cv2.IMREAD_COLOR if color else cv2.IMREAD_GRAYSCALE
        flags |= cv2.IMREAD_IGNORE_ORIENTATION
        image = cv2.imdecode(np.frombuffer(data, np.uint8), flags)
        if image is None:
            raise Refusal("corrupt_file", detail=f"{fmt} decoder failed")
        if fmt == "jpeg" and image_data_ran_out(data, image):    # (before rotation: the grey is at the stored end)
            raise Refusal("corrupt_file", detail="JPEG image data damaged: the decoder filled the rest with grey")
        stored = (image.shape[1], image.shape[0])
        image = apply_orientation(image, orientation)
    return LoadedPhoto(image=image, format=fmt, orientation=orientation, stored_size=stored,
                       timings_ms={"decode": (time.perf_counter() - t0) * 1000})


def jpeg_decoded_at_half(fmt: str, w: int, h: int, *, max_pixels: int) -> bool:
    """Whether a JPEG is decoded at half its size: one past ``max_pixels`` and within four times it. Phones sold
    widely in Indonesia save 108 MP photos in their "high resolution" mode (12000 x 9000); refused as too_large,
    their senders were told to send "an ordinary phone photo" of one they had just taken. At half size it is 27 MP,
    more than a sheet needs, and a JPEG decoder scales while it decodes, so such a header costs what a photo within
    the limit does. Other formats cannot be decoded smaller and keep the limit. (Pillow, which reads the header,
    still refuses one past twice its own bomb limit, about 179 MP: a 200 MP mode's photo stays too_large.)"""
    return fmt == "jpeg" and max_pixels < w * h <= 4 * max_pixels


def apply_orientation(image: np.ndarray, orientation: int) -> np.ndarray:
    """Turn stored pixels upright according to the EXIF orientation tag (1..8)."""
    op = _ORIENT_OPS.get(orientation)
    if op is None:
        return image
    rotate, flip = op
    if flip:
        image = cv2.flip(image, 1)
    if rotate is not None:
        image = cv2.rotate(image, rotate)
    return image


def _check_dimensions(w: int, h: int, *, max_pixels: int, max_side: int) -> None:
    if w <= 0 or h <= 0:
        raise Refusal("corrupt_file", detail=f"header says {w}x{h}")
    if w * h > max_pixels or max(w, h) > max_side or max(w, h) / min(w, h) > DEFAULT_MAX_ASPECT:
        raise Refusal("too_large", detail=f"header says {w}x{h}")
    if min(w, h) < MIN_SIDE:
        raise Refusal("sheet_too_small", detail=f"only {w}x{h} pixels", case=LOW_RESOLUTION)


def _header_size_and_orientation(data: bytes, fmt: str) -> tuple[tuple[int, int], int]:
    """Read the stored size and EXIF orientation without decoding pixels."""
    try:
        # Our own pixel limit applies (checked next); Pillow's warning would be noise. Its global
        # MAX_IMAGE_PIXELS is left alone: other code in the process relies on it.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            im = Image.open(io.BytesIO(data))
        with im:
            size = im.size
            if fmt == "png":
                orientation = _png_orientation(data)
            else:
                orientation = int(im.getexif().get(0x0112, 1) or 1)
    except Image.DecompressionBombError as exc:
        raise Refusal("too_large", detail=f"{fmt} header: {exc}") from None
    except (UnidentifiedImageError, SyntaxError, struct.error, ValueError) as exc:
        raise Refusal("corrupt_file", detail=f"{fmt} header: {exc}") from None
    except OSError as exc:
        raise Refusal("corrupt_file", detail=f"{fmt} header: {exc}") from None
    return size, orientation if 1 <= orientation <= 8 else 1


def _png_orientation(data: bytes) -> int:
    """Orientation from a PNG ``eXIf`` chunk (Pillow would decode the whole image to find it)."""
    pos = data.find(b"eXIf")
    if pos < 4:
        return 1
    length = struct.unpack(">I", data[pos - 4:pos])[0]
    exif = Image.Exif()
    try:
        exif.load(data[pos + 4:pos + 4 + length])
    except Exception:   # a damaged EXIF block only loses the orientation
        return 1
    return int(exif.get(0x0112, 1) or 1)


def _check_complete(data: bytes, fmt: str) -> None:
    """Refuse truncated files: decoders would silently fill the missing part with gray."""
    if fmt == "png":
        if not png_reaches_end(data):
            raise Refusal("corrupt_file", detail="PNG without IEND chunk")
    elif fmt == "webp":
        riff_size = struct.unpack("<I", data[4:8])[0]
        if len(data) < riff_size + 8:
            raise Refusal("corrupt_file", detail=f"WebP has {len(data)} of {riff_size + 8} bytes")
    elif fmt == "jpeg":
        tail = data[-4096:].rstrip(b"\x00")
        if tail.endswith(b"\xff\xd9"):
            return
        # Phones may append data after the image (motion photos, vendor trailers): let a
        # strict decoder tell a trailer from a truncation. Rare, so its cost does not matter.
        try:
            with Image.open(io.BytesIO(data)) as im:
                im.draft("L", (im.width // 8, im.height // 8))
                im.load()
        except OSError as exc:
            raise Refusal("corrupt_file", detail=f"JPEG: {exc}") from None


def png_reaches_end(data: bytes) -> bool:
    """Whether a PNG's chunks run whole up to its end chunk (IEND). The chunks are walked by their lengths, not the
    file's last bytes looked at: data after the image (as phones and apps append to their pictures, and as the JPEG
    check above allows) leaves a complete PNG complete, and a file cut short anywhere misses a chunk's end."""
    pos = 8
    while pos + 12 <= len(data):
        length = struct.unpack(">I", data[pos:pos + 4])[0]
        if data[pos + 4:pos + 8] == b"IEND":
            return True
        pos += 12 + length          # length, type, the chunk's data, its CRC
    return False


def _decode_heif(data: bytes, *, max_pixels: int, max_side: int) -> tuple[np.ndarray, int, tuple[int, int]]:
    import pillow_heif

    try:
        heif = pillow_heif.open_heif(io.BytesIO(data), convert_hdr_to_8bit=True)
        w, h = heif.size
    except Exception as exc:   # libheif raises several types for damaged files
        raise Refusal("corrupt_file", detail=f"HEIF header: {exc}") from None
    _check_dimensions(w, h, max_pixels=max_pixels, max_side=max_side)
    try:
        rgb = np.asarray(heif)
    except Exception as exc:
        raise Refusal("corrupt_file", detail=f"HEIF decode: {exc}") from None
    if rgb.ndim == 2:
        image = cv2.cvtColor(rgb, cv2.COLOR_GRAY2BGR)
    elif rgb.shape[2] == 4:
        image = cv2.cvtColor(rgb, cv2.COLOR_RGBA2BGR)
    else:
        image = cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR)
    # libheif applies the container's rotation (irot/imir) itself and pillow-heif drops the
    # EXIF orientation accordingly, so what we get is already upright.
    return image, 1, (w, h)


def _decode_avif(data: bytes, *, max_pixels: int, max_side: int) -> tuple[np.ndarray, int, tuple[int, int]]:
    """An AVIF photo through Pillow: size and EXIF orientation from the header first (a bomb is refused before any
    pixel is decoded), then the pixels, turned upright here as a JPEG's are (Pillow leaves the orientation to us)."""
    (w, h), orientation = _header_size_and_orientation(data, "avif")
    _check_dimensions(w, h, max_pixels=max_pixels, max_side=max_side)
    try:
        with Image.open(io.BytesIO(data)) as im:
            rgb = np.asarray(im.convert("RGB"))
    except Exception as exc:   # libavif's errors for damaged files come as several types
        raise Refusal("corrupt_file", detail=f"AVIF decode: {exc}") from None
    return apply_orientation(cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR), orientation), orientation, (w, h)
