"""The pages of a TIFF scan: what an office scanner's "scan to folder" or a fax app saves, one image per page.

Each page is taken out as a PNG photo (lossless: the scan's pixels as they are, only 16-bit samples brought to 8)
and read like any photo, so a stack of a class's sheets in one TIFF is graded as a copier's PDF is. A page's own
problems are the pipeline's to say: a one-bit (black-and-white) page comes out black and white and is refused as
``binarized_scan``, with what to change on the scanner.
"""
from __future__ import annotations

import io
import logging
import math
import warnings

import numpy as np
from PIL import Image, ImageSequence

from grader.errors import GraderError
from grader.photo.load import DEFAULT_MAX_PIXELS

log = logging.getLogger(__name__)

_MAGIC = (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+")      # little/big endian; classic and BigTIFF
# A page may be larger than a photo is allowed to be: it is reduced by a whole factor to fit, as a reader would lower
# the scanner's resolution. Past this (a 1200 dpi scan of A4 is 140 MP; 600 dpi, 35 MP), decoding it alone costs
# too much. (Pillow's own check refuses a first page past twice its limit, 179 MP, before this one.)
MAX_PAGE_PIXELS = 2 * DEFAULT_MAX_PIXELS
#: The long side, in pixels, below which a page is not reduced for its stated resolution: an A4 page at 256 dpi, more
#: than the grader's 8 px/mm (2,376 px) with room to spare.
READ_LONG_SIDE = 3000
#: What a page's PNG may weigh where its caller names no limit: the web's default photo limit (25 MB).
DEFAULT_PHOTO_BYTES = 25 * 1024 * 1024


def is_tiff(data: bytes) -> bool:
    """Whether ``data`` is a TIFF file (by its byte-order mark and magic number)."""
    return data[:4] in _MAGIC


def tiff_photos(data: bytes, *, max_pages: int, max_photo_bytes: int | None = None) -> list[bytes]:
    """The photo (a PNG file) of each page of a TIFF, in page order, each at most ``max_photo_bytes`` (the limit the
    caller holds a photo to; :data:`DEFAULT_PHOTO_BYTES` without).

    Raises
    ------
    GraderError
        ``corrupt_file`` (damaged, or stored in a way not read here), ``too_large`` (a page past
        :data:`MAX_PAGE_PIXELS`) or ``too_many_pages`` (more than ``max_pages`` pages).
    """
    from grader.photo.pdf_pages import too_many_pages

    photos = []
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")          # Pillow warns of a large first page before its own bomb check
            with Image.open(io.BytesIO(data)) as tiff:
                if _camera_raw(data, tiff):
                    raise _raw_photo()
                # (counting walks every page's directory: one cut off by a truncated file fails it, and then the
                # pages before it are still read, below)
                try:
                    frames = getattr(tiff, "n_frames", 1)
                except (OSError, ValueError, SyntaxError, EOFError, KeyError, TypeError):
                    frames = None
            if frames is not None and frames > max_pages:
                raise too_many_pages(max_pages)
            with Image.open(io.BytesIO(data)) as tiff:
                for n, page in enumerate(ImageSequence.Iterator(tiff)):
                    if n >= max_pages:
                        raise too_many_pages(max_pages)
                    try:
                        photos.append(_page_png(page, max_bytes=max_photo_bytes or DEFAULT_PHOTO_BYTES))
                    except GraderError as exc:
                        # (a later page past the size limit refused the whole stack: the pages before it are kept)
                        if photos and exc.code == "too_large":
                            raise TiffPartlyRead(photos, too_large=True) from None
                        raise
    except GraderError:
        raise
    except Image.DecompressionBombError:
        raise _too_large() from None
    except (OSError, ValueError, SyntaxError, EOFError, KeyError, TypeError, MemoryError) as exc:
        log.info("unreadable TIFF: %s", exc)
        if photos:          # (a stack cut short in its last page lost every page: the ones read are kept)
            raise TiffPartlyRead(photos) from None
        raise GraderError("corrupt_file", "This TIFF scan cannot be opened (damaged, or stored in a way this grader "
                          "cannot read). Scan again as JPEG or PDF, or send photos.",
                          "Hasil pindaian TIFF ini tidak bisa dibuka (rusak, atau disimpan dengan cara yang tidak bisa "
                          "dibaca aplikasi ini). Pindai ulang sebagai JPEG atau PDF, atau kirim fotonya.") from None
    return photos


class TiffPartlyRead(GraderError):
    """A TIFF damaged (or past the size limit: ``too_large``) in a page after its first: ``photos``, the PNGs of
    the pages before it, are read
    (:func:`grader.photo.pdf_pages.photos_of` names them, ``pages``, and the damaged one, ``damaged_name``); a caller
    that can take some pages of a file (a batch) grades them and refuses that page by its name, one that cannot
    (a trainee's sheet) refuses the file with these words."""

    def __init__(self, photos: list[bytes], *, too_large: bool = False):
        n = len(photos) + 1
        if too_large:                # (a page past MAX_PAGE_PIXELS: the pages after it are not read either)
            limit = MAX_PAGE_PIXELS // 1_000_000
            super().__init__("too_large", f"Page {n} of this TIFF scan has more than {limit} megapixels, and is not "
                             f"read, nor any page after it. Scan them again at 300 dpi.",
                             f"Halaman {n} dari hasil pindaian TIFF ini lebih dari {limit} megapiksel, dan tidak "
                             f"dibaca, begitu pula halaman sesudahnya. Pindai ulang dengan 300 dpi.")
        else:
            # (a file cut short loses the directories of the pages after it too: they are not known to be there)
            super().__init__("corrupt_file", f"Page {n} of this TIFF scan, and any page after it, cannot be opened "
                             f"(damaged, or stored in a way this grader cannot read). Scan them again as JPEG or PDF, "
                             f"or send photos of them.",
                             f"Halaman {n} dari hasil pindaian TIFF ini, dan halaman sesudahnya bila ada, tidak bisa "
                             f"dibuka (rusak, atau disimpan dengan cara yang tidak bisa dibaca aplikasi ini). Pindai "
                             f"ulang sebagai JPEG atau PDF, atau kirim fotonya.")
        self.photos = photos
        self.pages: list[tuple[str, bytes]] = []
        self.damaged_name = ""


def _page_png(page: Image.Image, *, max_bytes: int) -> bytes:
    """One TIFF page as an 8-bit grey or colour PNG file, reduced to fit a photo's pixel limit and ``max_bytes``."""
    w, h = page.size
    if w * h > MAX_PAGE_PIXELS:
        raise _too_large()
    bilevel, dpi = page.mode == "1", page.info.get("dpi")
    if page.mode in ("I;16", "I;16B", "I;16L", "I;16N", "I"):
        samples = np.asarray(page, dtype=np.uint32)
        # 16-bit grey (some scanners' "48-bit"/"16-bit" modes): its top 8 bits; an "I" page holding 8-bit values
        # stays as it is
        shift = 8 if samples.max(initial=0) > 255 else 0
        page = Image.fromarray((samples >> shift).astype(np.uint8), "L")
    elif page.mode == "1" or page.mode == "L":
        page = page.convert("L")
    else:
        page = page.convert("RGB")                  # palette, CMYK, YCbCr, 16-bit RGB, with or without alpha
    factor = math.ceil(math.sqrt(w * h / DEFAULT_MAX_PIXELS)) if w * h > DEFAULT_MAX_PIXELS else 1
    # A page scanned at 600 dpi or more is read at 300 dpi or more (the grader samples a sheet at 8 px/mm, 203 dpi):
    # encoding it whole first cost 3.4 s of a colour A4 page's 5.8 s, only to find it too heavy. A resolution the
    # page's pixels belie (600 dpi said of a 2,000 px page) reduces it no lower than READ_LONG_SIDE. (A one-bit page
    # is left as it is: its refusal as a black-and-white scan tells the reader what to change.)
    if dpi and not bilevel:
        by_dpi = int(min(float(v) for v in dpi) // 300)
        while by_dpi > 1 and max(w, h) // by_dpi < READ_LONG_SIDE:
            by_dpi -= 1
        factor = max(factor, by_dpi)
    # A lossless page weighs far more than the scanner's file: a 600 dpi colour A4 page (7.6 MB coded as JPEG in
    # the TIFF) is a 45 MB PNG, which every caller then refused as a photo past its limit ("Send an ordinary phone
    # photo"). Such a page has twice the resolution the grader reads at: it is reduced by a larger whole factor,
    # each try's size saying the next, until its PNG fits.
    while True:
        # (a one-bit page reduced by averaging turned grey and escaped its refusal: it is sampled, staying one-bit)
        png = _png(page if factor == 1 else page.resize((w // factor, h // factor), Image.NEAREST) if bilevel
                   else page.reduce(factor))
        if len(png) <= max_bytes or factor * 64 > min(w, h):
            return png                 # (a page that cannot fit is left to the caller's own limit and words)
        factor = max(factor + 1, math.ceil(factor * math.sqrt(len(png) / max_bytes)))


def _png(page: Image.Image) -> bytes:
    out = io.BytesIO()
    page.save(out, "PNG", compress_level=1)
    return out.getvalue()


def _camera_raw(data: bytes, tiff: Image.Image) -> bool:
    """Whether a TIFF is a camera's RAW photo (DNG, Canon CR2, Nikon NEF and others are TIFF files): its first image
    is a DNG's, a CR2's, or marked a reduced-resolution preview (NewSubfileType bit 0), which no scanner's page is.
    Read as a scan, its small preview was graded as a page."""
    tags = getattr(tiff, "tag_v2", {})
    return data[8:10] == b"CR" or 50706 in tags or int(tags.get(254, 0) or 0) & 1 == 1


def _raw_photo() -> GraderError:
    return GraderError("not_an_image", "This file is a camera's RAW photo (DNG or similar), which the grader does not "
                       "read. Send the JPEG photo the camera saved with it.",
                       "Berkas ini foto RAW dari kamera (DNG atau sejenisnya), yang tidak dibaca aplikasi ini. Kirim "
                       "foto JPEG yang disimpan kamera bersamanya.")


def tiff_too_large(mb: int) -> GraderError:
    """A TIFF file past ``mb`` MB, refused before it is opened, with how to make it smaller (a scanner's TIFF is often
    stored uncompressed); the CLI's file limit and a web form's scan limit say the same."""
    return GraderError("too_large", f"The TIFF is larger than {mb} MB. Scan it again with compression (JPEG or LZW) or "
                       f"at 300 dpi, or split its pages into several files.",
                       f"TIFF lebih besar dari {mb} MB. Pindai ulang dengan kompresi (JPEG atau LZW) atau 300 dpi, "
                       f"atau bagi halamannya menjadi beberapa berkas.")


def _too_large() -> GraderError:
    limit = MAX_PAGE_PIXELS // 1_000_000
    return GraderError("too_large", f"A page of this TIFF scan has more than {limit} megapixels. Scan it again at "
                       f"300 dpi.", f"Satu halaman hasil pindaian TIFF ini lebih dari {limit} megapiksel. Pindai "
                       f"ulang dengan 300 dpi.")
