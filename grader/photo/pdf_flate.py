"""A page image a scanner app saved Flate-coded (zlib, lossless) in a PDF, as a PNG file.

Many scanner apps store a grey or colour scan as Flate-coded pixels, not as a JPEG. PNG holds the same kind of
data (zlib-coded rows), so such an image becomes a PNG photo and is read like any other: with PNG's row
predictors (``/Predictor`` 10 and up) the stream already is PNG's image data and is wrapped as it is; without
(or with the TIFF predictor, 2), the pixels are inflated and coded again as a PNG file.

Only 8-bit grey and RGB images are read (``/DeviceGray``, ``/DeviceRGB``, or an ICC profile with 1 or 3
components); anything else (CMYK, palettes, 16 bits, a ``/Decode`` remapping) raises :class:`UnreadableImage`
rather than being read with wrong colours or lines.
"""
from __future__ import annotations

import struct
import zlib

import cv2
import numpy as np

from grader.errors import GraderError
from grader.photo.load import DEFAULT_MAX_PIXELS, DEFAULT_MAX_SIDE
from grader.photo.refusal import Refusal

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_COLOUR_TYPE = {1: 0, 3: 2}           # components -> PNG colour type (grey, RGB)


#: The most pixel bytes one page's image may inflate to: the largest photo taken, in colour.
MAX_INFLATED_PER_PAGE = DEFAULT_MAX_PIXELS * 3


class UnreadableImage(ValueError):
    """A Flate-coded image in a form this reader does not decode (the message says which, for the log)."""


class InflateBudget:
    """The pixel bytes one PDF may still inflate; spending past it refuses the PDF (``pdf_unreadable``)."""

    def __init__(self, left: int):
        self.left = left

    def spend(self, size: int) -> None:
        if size > self.left:
            raise GraderError("pdf_unreadable", "This PDF holds far more image data than the photos of its pages "
                              "could. Send the photos themselves.", "PDF ini berisi data gambar jauh lebih banyak "
                              "daripada foto halaman-halamannya. Kirim fotonya saja.")
        self.left -= size


def flate_image_png(obj, *, budget: InflateBudget | None = None) -> bytes:
    """The PNG file of a ``/FlateDecode`` image object (a pypdf stream object).

    Pixels inflated here (not those wrapped as they are, with PNG's predictors) are spent from ``budget``.

    Raises
    ------
    UnreadableImage
        Not 8-bit grey or RGB, an unknown predictor, or pixel data shorter than the image.
    Refusal
        ``too_large``: dimensions no photo has (checked before anything is inflated).
    GraderError
        ``pdf_unreadable``: past the ``budget``.
    """
    w, h = int(_get(obj, "/Width", 0)), int(_get(obj, "/Height", 0))
    if w <= 0 or h <= 0:
        raise UnreadableImage(f"size {w}x{h}")
    if w * h > DEFAULT_MAX_PIXELS or max(w, h) > DEFAULT_MAX_SIDE:
        raise Refusal("too_large", detail=f"PDF image of {w}x{h}")
    bits = _get(obj, "/BitsPerComponent")
    if bits is None or int(bits) != 8:
        raise UnreadableImage(f"{bits} bits a component")
    comps = _components(_get(obj, "/ColorSpace"))
    decode = _get(obj, "/Decode")
    if decode is not None and [float(v) for v in decode] != [0.0, 1.0] * comps:
        raise UnreadableImage(f"/Decode {list(decode)}")
    parms = _decode_parms(_get(obj, "/DecodeParms"))
    predictor = int(_get(parms, "/Predictor", 1))
    raw = obj._data                # the stream as stored, still Flate-coded (pypdf's get_data() would inflate it)
    if predictor >= 10:
        shape = tuple(int(_get(parms, key, default)) for key, default in
                      (("/Colors", 1), ("/BitsPerComponent", 8), ("/Columns", 1)))
        if shape != (comps, 8, w):
            raise UnreadableImage(f"PNG predictor for (colours, bits, columns) {shape}, image {(comps, 8, w)}")
        return _png(w, h, comps, raw)
    if predictor not in (1, 2):
        raise UnreadableImage(f"predictor {predictor}")
    size = w * h * comps
    if budget is not None:
        budget.spend(size)
    try:
        pixels = zlib.decompressobj().decompress(raw, size)
    except zlib.error as exc:
        raise UnreadableImage(f"Flate data: {exc}") from None
    if len(pixels) < size:
        raise UnreadableImage(f"{len(pixels)} of {size} pixel bytes")
    image = np.frombuffer(pixels, np.uint8).reshape(h, w, comps)
    if predictor == 2:             # TIFF: each sample is the difference from the one to its left
        image = np.cumsum(image, axis=1, dtype=np.uint8)
    image = image[:, :, 0] if comps == 1 else cv2.cvtColor(image, cv2.COLOR_RGB2BGR)
    # (libpng's row filters make the file a third smaller than plain rows: under the photo size limit)
    return cv2.imencode(".png", image, [cv2.IMWRITE_PNG_COMPRESSION, 1])[1].tobytes()


def _get(d, key: str, default=None):
    """``d[key]`` with an indirect reference followed (pypdf's ``get`` does not)."""
    value = d.get(key, default)
    return value.get_object() if hasattr(value, "get_object") else value


def _components(space) -> int:
    """1 or 3 for the colour spaces read here."""
    if space in ("/DeviceGray", "/DeviceRGB"):
        return 1 if space == "/DeviceGray" else 3
    if isinstance(space, list) and len(space) == 2 and space[0] == "/ICCBased":
        n = int(_get(space[1].get_object(), "/N", 0))
        if n in _COLOUR_TYPE:
            return n
    raise UnreadableImage(f"colour space {space}")


def _decode_parms(parms) -> dict:
    if isinstance(parms, list):                            # one entry per filter; the only filter is Flate
        parms = parms[0].get_object() if parms else None
    return parms if isinstance(parms, dict) else {}


def _png(w: int, h: int, comps: int, image_data: bytes) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    header = struct.pack(">IIBBBBB", w, h, 8, _COLOUR_TYPE[comps], 0, 0, 0)
    return _PNG_SIGNATURE + chunk(b"IHDR", header) + chunk(b"IDAT", image_data) + chunk(b"IEND", b"")
