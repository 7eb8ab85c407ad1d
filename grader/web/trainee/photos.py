"""The trainee's photo inputs: what they take (a photo, or a scanner app's PDF of the sheet's pages), and the checked
photos of one."""
from __future__ import annotations

import functools
import math

from flask import current_app

from grader.errors import GraderError
from grader.web.i18n import gettext as _
from grader.web.photo_checks import check_photo
from grader.web.trainee import bp

#: What the trainee's photo inputs offer: photos, and the PDF a scanner app (CamScanner, Adobe Scan, Microsoft Lens)
#: saves by default, whose page photos are graded like photos (:func:`uploaded_photos`).
PHOTO_ACCEPT = "image/*,.pdf,application/pdf"
bp.add_app_template_global(PHOTO_ACCEPT, "PHOTO_ACCEPT")
#: Room in a trainee's request for all but its files: the other fields and each part's multipart headers.
FORM_ROOM_BYTES = 64 * 1024
#: The share of a photo's long side a trainee's framed page is taken to fill. A camera photo larger than the page
#: needs at that share (:func:`photo_long_side`) is shrunk in the browser before it is sent (static/app.js): a
#: 4,000 px camera-size photo of 4.2 MB went as 1.55 MB in tests/browser/test_photo_shrink.py, and the reader reads
#: chat-app photos of 1,600 px as well as camera ones (the development photos mix both).
PAGE_FILLS = 0.8
#: ``uploads.sent_in`` of a photo sent with a result's "Foto ulang" (a refused or advised photo's card); the upload
#: form's are its inputs' names (:func:`upload_input`), a result's "Foto halaman N" for a page its sheet lacks
#: :func:`added_input`'s.
RETAKE = "retake"


def upload_input(page: int) -> str:
    """The upload form's photo input for ``page`` ("Foto halaman 1"): its name, and its photos' ``uploads.sent_in``."""
    return f"photo_{page}"


def added_input(page: int) -> str:
    """``uploads.sent_in`` of a photo sent with a result's "Foto halaman ``page``", the page its sheet lacked."""
    return f"add_{page}"


@bp.app_template_global()
def sent_in_words(sent_in: str | None, file: str) -> str | None:
    """Which photo ``file`` is, by the input a trainee chose it in (``uploads.sent_in``), in that page's words: a
    photo refused before its page was known is named so on its card (two photos sent, phones naming both alike).
    None when not known (a trainer's batch, a photo stored before inputs were kept): better nothing than a guess."""
    kind, _sep, page = (sent_in or "").partition("_")
    if sent_in == RETAKE:
        return _("Foto yang dikirim dengan tombol “{button}” ({file})", button=_("Foto ulang"), file=file)
    if not page.isdigit():
        return None
    if kind == "photo":
        return _("Foto yang dikirim di kotak “{box}” ({file})", box=_("Foto halaman {n}@@kotak", n=int(page)),
                 file=file)
    if kind == "add":
        return _("Foto yang dikirim dengan tombol “{button}” ({file})", button=_("Foto halaman {n}", n=int(page)),
                 file=file)
    return None


@bp.app_template_global()
def photo_limits(max_pages: int) -> dict[str, int]:
    """What a trainee's photo input for ``max_pages`` pages takes, in bytes: ``photo``, one photo; ``pdf``, a
    scanner app's PDF (of up to ``max_pages`` pages, each page's photo within ``photo``); ``request``, all the
    files of one form together (the app's limit on the request, less :data:`FORM_ROOM_BYTES`).

    :func:`uploaded_photos` refuses past the first two and the app past the last (413). The forms' inputs carry them
    (``_result.html``'s ``photo_limits_of``), so that the browser refuses first: on a weak network, before
    minutes of upload end in a refusal.
    """
    photo = current_app.config["MAX_PHOTO_BYTES"]
    return {"photo": photo, "pdf": photo * max_pages,
            "request": current_app.config["MAX_UPLOAD_BYTES"] - FORM_ROOM_BYTES, "long_side": photo_long_side()}


@functools.cache
def photo_long_side() -> int:
    """The long side, in pixels, of a photo whose page (:data:`PAGE_FILLS` of it) is sampled at its template's
    reading resolution: the largest over the templates (an A4 page read at 8 px/mm: 2,970 px). From the templates,
    as all geometry is."""
    from grader.sheet.schema import list_templates, resolve_template

    specs = [resolve_template(str(path)) for path in list_templates()]
    return max(math.ceil(max(s.page_w_mm, s.page_h_mm) * s.read_px_per_mm / PAGE_FILLS) for s in specs)


def chosen(upload):
    """``upload``, a photo input of a result's card ("Foto ulang", "Foto halaman 2"), as sent; GraderError
    ``no_photo`` when none was chosen. Without the script such a card is sent with its "Kirim" button, which a
    trainee may tap before choosing the photo: they were told "Berkas kosong" (empty file) of a file never chosen
    (rehearsal helper-185)."""
    if upload is None or not upload.filename:
        raise GraderError("no_photo", "No photo was chosen. Choose the page's photo first, then tap “Send”.",
                          "Belum ada foto yang dipilih. Pilih foto halamannya dulu, lalu ketuk “Kirim”.")
    return upload


def uploaded_photos(upload, *, max_pages: int) -> list[tuple[str, bytes]]:
    """An uploaded photo, or the page photos of an uploaded PDF (a scanner app's), each checked
    (:func:`~grader.web.photo_checks.check_photo`); raises GraderError."""
    from grader.photo.pdf_pages import photos_of
    from grader.photo.tiff_pages import is_tiff

    limits = photo_limits(max_pages)
    data = upload.read()
    try:
        out = photos_of(upload.filename, data, max_pages=max_pages, max_bytes=limits["pdf"],
                        max_photo_bytes=limits["photo"])
    except GraderError as exc:
        if exc.code == "too_many_pages":
            # (a scanner's TIFF is refused as what it is: "This PDF holds …" of a TIFF sends the trainee looking
            # for a PDF they never made)
            raise _too_many_pdf_pages(max_pages, kind="TIFF" if is_tiff(data) else "PDF") from None
        raise
    for _name, page in out:
        check_photo(page, max_bytes=limits["photo"])
    return out


def _too_many_pdf_pages(max_pages: int, *, kind: str) -> GraderError:
    """A scanner app's PDF (or a scanner's TIFF: ``kind``) with more pages than this form takes: the whole sheet sent
    to a one-page retake, or a stack of sheets to the upload form."""
    if max_pages == 1:
        return GraderError("too_many_pages", f"This {kind} holds more than one page. Here, send one page only: its "
                           f"photo, or a one-page {kind}. To send the whole sheet again, use “Send a photo”.",
                           f"{kind} ini berisi lebih dari satu halaman. Di sini kirim satu halaman saja: fotonya, atau "
                           f"{kind} satu halaman. Untuk mengirim ulang seluruh lembar, pakai halaman Kirim foto.")
    return GraderError("too_many_pages", f"This {kind} holds more than {max_pages} pages, but a sheet has "
                       f"{max_pages}. Send a {kind} of this sheet's pages only.",
                       f"{kind} ini berisi lebih dari {max_pages} halaman, padahal lembar ini {max_pages} halaman. "
                       f"Kirim {kind} yang berisi halaman lembar ini saja.")
