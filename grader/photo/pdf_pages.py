"""The photos inside a PDF: the pages a scanner app or an office copier saved as JPEG or Flate-coded images.

Phone scanner apps and copiers save a scanned sheet as a PDF holding one image per page. Those images are the
photos: each page's largest one is taken out, a JPEG as it is (no decoding, no re-encoding), a Flate-coded one
(lossless, as many scanner apps write grey or colour scans) as a PNG (:mod:`grader.photo.pdf_flate`), and read
like any photo. A PDF with no such image (a text document) holds no photo, and says so; one whose only images
are coded in a way not read here says that.
"""
from __future__ import annotations

import io
import logging
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from grader.errors import GraderError
from grader.photo.pdf_flate import MAX_INFLATED_PER_PAGE, InflateBudget, UnreadableImage, flate_image_png
from grader.photo.tiff_pages import TiffPartlyRead, is_tiff, tiff_photos, tiff_too_large

log = logging.getLogger(__name__)
# pypdf warns of what it mends as it reads ("EOF marker not found", "invalid pdf header") on standard error, without
# the file's name: a chat export's junk PDF printed them beside every grading of the class (helper-150). A PDF it
# cannot read is refused here, naming the file; the mending is not the trainer's business.
logging.getLogger("pypdf").setLevel(logging.ERROR)

MAX_PDF_PAGES = 200          # a copier's scan of a whole class is about 60
_MAX_FORM_DEPTH = 3          # images wrapped in form objects, as some apps do
# Objects looked at in the whole file, each once: a scan has a few per page. A crafted file naming the same
# objects from every page and form would otherwise cost work growing with the fourth power of its size.
_MAX_OBJECTS = 2000
#: The producer named in the PDFs this grader writes (:func:`grader.sheet.render.write_pdf`): a blank sheet or a
#: handout sent back is no scan of a filled-in sheet (its clean page would read as a black-and-white scan).
OWN_PDF_PRODUCER = "grader practice sheet"


@dataclass
class _Walk:
    """What one PDF's pages have shown so far: each object is looked at once, each image decoded once."""
    named: dict = field(default_factory=dict)    # object key -> the images it names (at most _MAX_OBJECTS keys)
    photos: dict = field(default_factory=dict)   # image key -> its photo file, or None (none read here)
    black_and_white: bool = False                # an image was a one-bit scan
    unreadable_image: bool = False               # an image's coding was not read here


#: The first bytes of a zip (an empty one's too): a chat export whose first member is a PDF holds "%PDF-" in its first
#: kilobyte.
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")


def is_pdf(data: bytes) -> bool:
    """Whether ``data`` is a PDF (its header may follow a little junk, as readers allow; not a zip whose first member
    is one: ``grader read kelas.zip`` said "This PDF cannot be opened", helper-150)."""
    return b"%PDF-" in data[:1024] and data[:4] not in ZIP_MAGIC


def pdf_photos(data: bytes, *, max_pages: int = MAX_PDF_PAGES) -> list[bytes]:
    """The photo (JPEG or PNG file) of each page of a PDF, in page order (pages without one are left out).

    Raises
    ------
    GraderError
        ``pdf_unreadable`` (damaged or password-protected, or its only images are coded in a way not read here),
        ``pdf_no_photo`` (no page holds a photo), ``binarized_scan`` or ``too_many_pages`` (more than
        ``max_pages`` pages with a photo).
    """
    from pypdf import PasswordType, PdfReader
    from pypdf.errors import DependencyError, PyPdfError

    locked = GraderError("pdf_unreadable", "This PDF is password-protected. Send the photos, or a PDF without a password.",
                         "PDF ini terkunci kata sandi. Kirim fotonya, atau PDF tanpa kata sandi.")
    try:
        reader = PdfReader(io.BytesIO(data))
        # A PDF locked only against printing or copying (an owner password, the user's empty) opens in every viewer
        # without a password: its sender has none to remove. (AES needs a crypto library we do not ship.)
        try:
            if reader.is_encrypted and reader.decrypt("") == PasswordType.NOT_DECRYPTED:
                raise locked
        except DependencyError:
            raise locked from None
        if len(reader.pages) > MAX_PDF_PAGES:
            raise too_many_pages(MAX_PDF_PAGES)
        if reader.metadata is not None and reader.metadata.producer == OWN_PDF_PRODUCER:
            raise GraderError("pdf_no_photo", "This PDF was made by this grader (a sheet or a handout to print), "
                              "not a photo of a filled-in sheet. Print the sheet, fill it in by hand, and send a photo "
                              "of it.", "PDF ini dibuat oleh aplikasi ini (lembar atau bahan untuk dicetak), bukan "
                              "foto lembar yang sudah diisi. Cetak lembarnya, isi dengan tangan, lalu kirim fotonya.")
        photos = []
        walk = _Walk()
        # Inflating a Flate-coded image costs its full size, whatever the file's: a few hundred kilobytes of zeros
        # declare a 64 MP image. A PDF may make that work for as many pages as it may hold photos, and a little more
        # (pages whose image turns out unreadable only once inflated hold none, and would otherwise be free).
        budget = InflateBudget((max_pages + 2) * MAX_INFLATED_PER_PAGE)
        for page in reader.pages:
            best = _page_photo(page.get("/Resources"), walk=walk, budget=budget)
            if best is not None:
                photos.append(best)
                if len(photos) > max_pages:
                    raise too_many_pages(max_pages)
    except GraderError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError, OSError) as exc:
        log.info("unreadable PDF: %s", exc)
        raise GraderError("pdf_unreadable", "This PDF cannot be opened (damaged?). Send the photos themselves.",
                          "PDF ini tidak bisa dibuka (rusak?). Kirim fotonya saja.") from None
    if not photos and walk.black_and_white:
        # a copier's or an app's black-and-white scan (fax or JBIG2 coding, one bit a pixel): a scan all the same,
        # whose sender is told what to change, not that the PDF holds none
        from grader.photo.refusal import MESSAGES
        raise GraderError("binarized_scan", *MESSAGES["binarized_scan"])
    if not photos and walk.unreadable_image:
        raise GraderError("pdf_unreadable", "This PDF's scans are stored in a way this grader cannot read (only JPEG "
                          "images and 8-bit grey or colour lossless images are read). Send the photos themselves.",
                          "Hasil pindaian dalam PDF ini disimpan dengan cara yang tidak bisa dibaca aplikasi ini "
                          "(hanya gambar JPEG dan gambar abu-abu atau berwarna 8-bit tanpa kompresi lossy yang bisa "
                          "dibaca). Kirim fotonya saja.")
    if not photos:
        raise GraderError("pdf_no_photo", "This PDF holds no photo or scan of a sheet (a document saved as PDF has none). "
                          "Send the photo itself, or the PDF a scanner app made.",
                          "PDF ini tidak berisi foto atau hasil pindaian lembar. Kirim fotonya, atau PDF dari "
                          "aplikasi pemindai.")
    return photos


def too_many_pages(limit: int) -> GraderError:
    return GraderError("too_many_pages", f"Too many pages: at most {limit}.", f"Terlalu banyak halaman: paling banyak {limit}.")


def pdf_page_names(name: str, count: int, *, suffixes: list[str] | None = None) -> list[str]:
    """Names for a PDF's page photos (a folder or zip prefix kept). A single page keeps the PDF's own name. Two pages
    are one sheet's, said as a person names pages, ``Budi p1.jpg`` and ``Budi p2.jpg`` for ``Budi.pdf``: they pair
    as one trainee's sheet as plainly as ``budi_p1`` does (:func:`grader.file_names.page_said_plainly`), also when
    one page's trainee number is read surely and the other's with a box in doubt. More pages are numbered as a
    download is, ``scan (1).jpg`` … ``scan (6).jpg``: a copier's stack, whose numbers past 2 name nobody
    (:func:`grader.file_names.named_pages`). ``suffixes``: each page's (``.png`` for a lossless scan's), ``.jpg``
    without."""
    path = PurePosixPath(name.replace("\\", "/"))
    prefix = name[: len(name) - len(path.name)]
    suffixes = suffixes or [".jpg"] * count
    if count == 1:                   # one page per PDF: its own name says the page (Budi_2.pdf, Budi/hal2.pdf)
        return [f"{prefix}{path.stem}{suffixes[0]}"]
    page = "{stem} p{i}" if count == 2 else "{stem} ({i})"
    return [prefix + page.format(stem=path.stem, i=i) + suffix for i, suffix in enumerate(suffixes, start=1)]


def _page_photo(resources, *, walk: _Walk, budget: InflateBudget) -> bytes | None:
    """A page's photo: the largest of its image objects (by the size they declare, and those inside its form objects)
    that is read here; only that one is decoded, so a page naming many large images costs one."""
    images = sorted(_images(resources, depth=0, walk=walk).items(), key=lambda kv: -kv[1][0])
    for key, (area, obj) in images:
        if key not in walk.photos:
            walk.photos[key] = _photo_of(obj, walk=walk, budget=budget)
        if walk.photos[key] is not None:
            if _layered(area, [o for k, (_a, o) in images if k != key]):
                raise layered_scan()
            return walk.photos[key]
    return None


def _mask_area(obj) -> int:
    """The pixels of the one-bit layer an image object draws or is cut by: its own when it is a stencil
    (``/ImageMask``), its ``/Mask`` or ``/SMask`` image's when it has one (a colour-key ``/Mask`` array is no layer)."""
    if obj.get("/ImageMask"):
        return int(obj.get("/Width", 0)) * int(obj.get("/Height", 0))
    for entry in ("/Mask", "/SMask"):
        mask = obj.get(entry)
        mask = mask.get_object() if mask is not None else None
        if hasattr(mask, "get") and mask.get("/Width") is not None:
            return int(mask.get("/Width", 0)) * int(mask.get("/Height", 0))
    return 0


def _layered(photo_area: int, others: list) -> bool:
    """Whether a page is a copier's layered ("compact", "high compression", MRC) scan: beside the photo, another
    image draws a one-bit layer at least half the photo's size. Such a copier keeps the page's dark ink (print,
    handwriting, often the corner markers) in that full-resolution layer and only the paper and colours in the
    photo, so the photo alone is a sheet without its writing. A small masked image (an app's watermark, a logo) is
    no such layer."""
    return any(_mask_area(o) * 2 >= photo_area for o in others)


def layered_scan() -> GraderError:
    return GraderError(
        "pdf_unreadable",
        "This PDF is a layered scan (a copier's \"compact\" or \"high compression\" PDF): the handwriting is stored "
        "apart from the page's picture and cannot be read. Scan again with high compression off (or as JPEG), or "
        "send photos of the pages.",
        "PDF ini hasil pindaian berlapis (PDF \"compact\" atau \"high compression\" dari mesin fotokopi): tulisan "
        "tangan disimpan terpisah dari gambar halaman dan tidak bisa dibaca. Pindai ulang dengan high compression "
        "dimatikan (atau sebagai JPEG), atau kirim foto halaman-halamannya.")


def _images(resources, *, depth: int, walk: _Walk) -> dict:
    """``{object key: (declared area, image object)}`` of every image the resources name, directly or inside their
    form objects.

    ``walk.named`` remembers, for the whole file, what each object named, so an object named from many pages or
    forms is looked at once. Only those objects count toward :data:`_MAX_OBJECTS`, not the images decoded.
    """
    if resources is None or depth > _MAX_FORM_DEPTH:
        return {}
    objects = resources.get_object().get("/XObject")
    found: dict = {}
    for ref in (objects.get_object().values() if objects is not None else ()):
        key = (ref.idnum, ref.generation) if hasattr(ref, "idnum") else id(ref)
        if key not in walk.named:
            if len(walk.named) >= _MAX_OBJECTS:
                raise GraderError("pdf_unreadable", "This PDF is too complex to be a scan. Send the photos themselves.",
                                  "PDF ini terlalu rumit untuk hasil pindaian. Kirim fotonya saja.")
            walk.named[key] = {}                # (a form that names itself ends here)
            obj = ref.get_object()
            kind = obj.get("/Subtype")
            if kind == "/Form":
                walk.named[key] = _images(obj.get("/Resources"), depth=depth + 1, walk=walk)
            elif kind == "/Image":
                walk.named[key] = {key: (max(int(obj.get("/Width", 0)) * int(obj.get("/Height", 0)), 1), obj)}
        found.update(walk.named[key])
    return found


def _photo_of(obj, *, walk: _Walk, budget: InflateBudget) -> bytes | None:
    """The photo file (JPEG or PNG) of an image object, or None when it is none read here (what it was is noted in
    ``walk``)."""
    filters = _filters(obj)
    if set(filters) & {"/CCITTFaxDecode", "/JBIG2Decode"} or obj.get("/BitsPerComponent") == 1 \
            or obj.get("/ImageMask"):
        walk.black_and_white = True
        return None
    if _jpeg_stream(filters):
        found = obj.get_data()        # (a JPEG stream decodes to itself: the photo's own bytes)
        if len(filters) > 1:          # inflated from its wrapping: count it as a Flate image's pixels are
            budget.spend(len(found))
    elif "/JPXDecode" in filters:     # JPEG 2000, as PDF optimisers and some copiers store scans: not read here
        walk.unreadable_image = True
        return None
    elif filters == ["/FlateDecode"]:
        try:
            found = flate_image_png(obj, budget=budget)
        except UnreadableImage as exc:
            log.info("PDF image not read: %s", exc)
            walk.unreadable_image = True
            return None
    else:
        return None
    return found if found[:3] in (b"\xff\xd8\xff", b"\x89PN") else None


def _jpeg_stream(filters: list[str]) -> bool:
    """Whether an image is a JPEG file, as stored or wrapped in Flate coding (some PDF writers compress every stream
    again, the JPEG's too): its bytes, once the wrapping is inflated, are the photo."""
    return bool(filters) and filters[-1] == "/DCTDecode" and all(f == "/FlateDecode" for f in filters[:-1])


def _filters(obj) -> list[str]:
    f = obj.get("/Filter")
    if f is None:
        return []
    f = f.get_object()
    return [str(x) for x in f] if isinstance(f, list) else [str(f)]


def photos_of(name: str, data: bytes, *, max_pages: int = MAX_PDF_PAGES,
              max_bytes: int | None = None, max_photo_bytes: int | None = None) -> list[tuple[str, bytes]]:
    """``[(name, data)]`` for a photo; for a PDF or a TIFF scan, its page photos named by :func:`pdf_page_names`.

    ``max_bytes`` bounds a PDF's or a TIFF's size before it is parsed (a photo's own limit is checked by the caller);
    ``max_photo_bytes``, that limit, is what a TIFF page's PNG is reduced to fit.
    """
    tiff = is_tiff(data)
    if not tiff and not is_pdf(data):
        return [(name, data)]
    if max_bytes is not None and len(data) > max_bytes:
        mb = max_bytes // (1024 * 1024)
        if tiff:                     # (a scanner's TIFF is often stored uncompressed: it said only "larger than")
            raise tiff_too_large(mb)
        raise GraderError("too_large", f"The PDF is larger than {mb} MB.", f"PDF lebih besar dari {mb} MB.")
    if tiff:                         # an office scanner's TIFF: its pages, taken out as PNG photos
        try:
            photos = tiff_photos(data, max_pages=max_pages, max_photo_bytes=max_photo_bytes)
        except TiffPartlyRead as exc:    # (the pages read, and the damaged one, named as in the whole stack)
            names = pdf_page_names(name, len(exc.photos) + 1, suffixes=[".png"] * (len(exc.photos) + 1))
            exc.pages, exc.damaged_name = list(zip(names, exc.photos)), names[-1]
            raise
        return list(zip(pdf_page_names(name, len(photos), suffixes=[".png"] * len(photos)), photos))
    photos = pdf_photos(data, max_pages=max_pages)
    suffixes = [".png" if p[:4] == b"\x89PNG" else ".jpg" for p in photos]
    return list(zip(pdf_page_names(name, len(photos), suffixes=suffixes), photos))
