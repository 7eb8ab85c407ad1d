"""A sent photo checked before anything of it is stored, and its name as sent, cleaned for showing.

What is clearly not a usable photo (empty, past the size limit, not a photo or a PDF by its magic bytes, a header
claiming more pixels than a phone takes) is refused at once with a reason in both languages; the pipeline checks
again when it decodes (truncated files, bombs in HEIC).
"""
from __future__ import annotations

import warnings

from PIL import Image

from grader.errors import GraderError
from grader.invisible import INVISIBLE_RE
from grader.photo.load import DEFAULT_MAX_PIXELS, sniff_format

MAX_PIXELS = 80_000_000
#: A JPEG may claim more: the pipeline decodes one of up to four times its pixel limit at half size
#: (:func:`grader.photo.load.jpeg_decoded_at_half`), as phones' 108 MP modes save them.
MAX_JPEG_PIXELS = 4 * DEFAULT_MAX_PIXELS

# One magic-byte sniffer for the whole app: the photo loader's.
sniff_image = sniff_format


def check_photo(data: bytes, *, max_bytes: int) -> str:
    """Refuse what is clearly not a usable photo before storing it; returns the format.

    Raises ``GraderError`` with code ``empty_file``, ``too_large`` or ``not_an_image``.
    The pipeline checks again when it decodes (truncated files, bombs in HEIC).
    Every caller has opened a PDF first (:func:`grader.photo.pdf_pages.photos_of`), so what is refused as
    ``not_an_image`` is neither a photo nor a PDF, and the message offers both.
    """
    if not data:
        raise GraderError("empty_file", "The file is empty. Choose a photo of the practice sheet.",
                          "Berkas kosong. Pilih foto lembar latihan.")
    if len(data) > max_bytes:
        raise GraderError("too_large", f"The photo is larger than {max_bytes // (1024 * 1024)} MB. Send an ordinary "
                          f"phone photo.",
                          f"Foto lebih besar dari {max_bytes // (1024 * 1024)} MB. Kirim foto ponsel biasa.")
    fmt = sniff_image(data)
    if fmt is None:
        raise GraderError("not_an_image", "This file is not a photo or a PDF. Send a photo of the practice sheet "
                          "(JPEG, PNG, WebP or HEIC) or a scanner app's PDF of it.",
                          "Berkas ini bukan foto atau PDF. Kirim foto lembar latihan (JPEG, PNG, WebP atau HEIC) "
                          "atau PDF-nya dari aplikasi pemindai.")
    if fmt in ("jpeg", "png", "webp"):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                import io

                w, h = Image.open(io.BytesIO(data)).size   # reads the header only
        except Image.DecompressionBombError:
            w, h = MAX_PIXELS, 2
        except Exception:  # noqa: BLE001 - a damaged file: the pipeline reports it precisely
            if fmt != "png" or len(data) < 24:
                return fmt
            w, h = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
        most = MAX_JPEG_PIXELS if fmt == "jpeg" else MAX_PIXELS
        if w * h > most:
            # (the same words in both languages, and never the stand-in size of a header too big to open: it read
            # "The image is 80000000x2 pixels" in English; a trainee is told the limit, a phone photo is far below it)
            limit = most // 1_000_000
            raise GraderError("too_large", f"The image has more than {limit} megapixels: that is not a phone photo. "
                              f"Send an ordinary phone photo.",
                              f"Gambar ini lebih dari {limit} megapiksel, bukan foto ponsel. Kirim foto ponsel biasa.")
    return fmt


def display_name(name: str, fallback: str) -> str:
    """A photo's name as sent, with its folders in a zip (``kelas/Lestari/hal1.jpg``: a folder may name the
    trainee, as in ``grader grade``): shown (escaped) and read for identity and page numbers (``C.Hasil (2).jpg``
    as grouping read it), never used as a path; control characters and ``.``/``..`` parts are dropped."""
    parts = [INVISIBLE_RE.sub("", p).strip()[:80] for p in (name or "").replace("\\", "/").split("/")]
    return "/".join(p for p in parts if p and p not in (".", ".."))[-200:].lstrip("/") or fallback
