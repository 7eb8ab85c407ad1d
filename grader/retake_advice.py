"""Advice to photograph again a page that passed the quality gate and was graded, but whose photo leaves many of
its fields to a trainer: the print out of place (curled or folded paper), or most of its digits unclear.

The advice names the fields it is about; a trainer who settles them takes them out of it (:func:`advice_without`),
and with none left there is no advice. The web page shows it with a retake button, the command line and the
exports say it in words (:mod:`grader.result_rows`).
"""
from __future__ import annotations

import logging
from collections.abc import Mapping

from grader.read.numbers import NOTE_BOX_OUT_OF_PLACE, NOTE_PAGE_OUT_OF_PLACE
from grader.read.sheet_reader import FieldReading
from grader.sheet.layout import PageLayout

log = logging.getLogger(__name__)

# The bubble reader's note that a column's printed rings are not where the template puts them on the warped
# page. (The tally reader's "bent_grid" is not used: on 400 dev photos it fired on 8 grids that were all aligned
# within 0.2 mm, for strokes over the printed lines, where a retake would not help. Nor is its "faint_print": rings
# a pale photocopy faded away are no sign of a misplaced page, and a retake would not bring them back.)
PRINT_OUT_OF_PLACE_NOTES = frozenset({"misaligned"})
# The advice's code when the alignment of the whole page is off (the fields' note NOTE_PAGE_OUT_OF_PLACE).
PAGE_OUT_OF_PLACE_ADVICE = NOTE_PAGE_OUT_OF_PLACE
PRINT_OUT_OF_PLACE_ADVICE = "print_out_of_place"
# The advice's code when most of the page's digit boxes are unclear to the reader: a photo of a screen (moire), a
# photo too soft or too noisy to read, though it passed the gate.
UNCLEAR_PHOTO_ADVICE = "unclear_photo"
# A digit box read below this is unclear (not merely below the review threshold, 0.997: an ordinary writer's page
# has a third of its fields in review).
UNCLEAR_BOX = 0.9
# The share of a page's digit boxes read below UNCLEAR_BOX from which its photo is advised again. On the development
# photos (seed 61, 598 pages, ARDIS writers, copies and cheap cameras among them; throwaway script, s44) the most was
# 0.20 on a page 1 and 0.28 on a page 2 (median 0.05); a page 1 photographed off a monitor (helper-134's rehearsal,
# every field in review and no word why) 0.82.
UNCLEAR_PAGE_SHARE = 0.5
# The advice's code when the photo shows another page of the sheet as well, one no other photo brought: only one page
# of a photo is read (grader.photo.align.AlignedPage.other_page).
TWO_PAGES_ADVICE = "two_pages"


def retake_advice(page: PageLayout, readings: Mapping[str, FieldReading], *, file: str = "",
                  unsent_other: int | None = None) -> dict | None:
    """Advice to retake the accepted photo of ``page`` read as ``readings``, or None.

    ``unsent_other``: another page of the sheet that the photo shows too and no photo of the sending brought (one
    photo of both pages): the trainee is told to photograph it on its own (:func:`two_pages_advice`), first.

    Where the bubble reader found the printed rings away from their place (curled or folded paper that the alignment
    could not follow), those fields (and perhaps their neighbours) wait for a trainer, and a flat retake lets them be
    read. Where the alignment of the whole page is off (``page_out_of_place``: a folded sheet), every field of the
    page waits, and the advice says so: lay the sheet flat and photograph that page again. Otherwise, where most of
    the page's digit boxes are unclear (:data:`UNCLEAR_PAGE_SHARE`), the fields in review wait for a trainer, and a
    clear photo of the paper lets them be read.
    """
    if unsent_other is not None:
        return two_pages_advice(page.number, unsent_other)
    graded = {f.id for f in page.fields if f.graded}
    notes = {fid: set(r.notes or ()) for fid, r in readings.items() if fid in graded}
    page_off = any(NOTE_PAGE_OUT_OF_PLACE in n for n in notes.values())
    shown = PRINT_OUT_OF_PLACE_NOTES | ({NOTE_BOX_OUT_OF_PLACE} if page_off else set())
    if page_off:
        log.warning("%s: page %d has many printed boxes out of place (folded paper, or box lines covered); "
                    "a flat retake is advised if it is folded", file, page.number)
    advice = print_out_of_place_advice(page.number, sorted(fid for fid, n in notes.items() if shown & n),
                                       page_off=page_off)
    if advice is not None:
        return advice
    digits = [r for fid, r in readings.items() if fid in graded and r.kind == "digits"]
    boxes = [c for r in digits for c in r.box_confidence]
    unclear = sum(c < UNCLEAR_BOX for c in boxes)
    if boxes and unclear >= UNCLEAR_PAGE_SHARE * len(boxes):
        log.warning("%s: page %d has %d of %d digit boxes read below %.2f; a clearer photo is advised",
                    file, page.number, unclear, len(boxes), UNCLEAR_BOX)
        return unclear_photo_advice(page.number, sorted(r.id for r in digits if r.status == "review"))
    return None


def print_out_of_place_advice(page: int, fields: list[str], *, page_off: bool = False) -> dict | None:
    """The retake advice for page ``page`` naming ``fields`` (None for no fields): one text, wherever it is built.

    ``page_off``: the alignment of the whole page is off (code ``page_out_of_place``), not a few bubble columns.
    """
    if not fields:
        return None
    n = len(fields)
    if page_off:
        return {"code": PAGE_OUT_OF_PLACE_ADVICE, "fields": fields,
                "message_id": f"Di foto halaman {page}, kotak-kotak cetakan di banyak isian tidak terlihat di "
                              f"tempatnya (kertas terlipat atau melengkung, atau garis kotaknya tertutup cairan koreksi atau "
                              f"pita koreksi?), jadi {n} isian halaman ini belum bisa dibaca dengan pasti dan "
                              f"menunggu pelatih. Bila kertas terlipat, buka lipatannya, tekan hingga rata di atas "
                              f"meja, lalu foto ulang halaman {page}.",
                "message_en": f"On the photo of page {page}, the printed boxes of many fields are not seen in their "
                              f"place (folded or curled paper, or box lines under correction fluid or tape?), so {n} "
                              f"field(s) of this page could not be read surely and wait for a trainer. If the sheet "
                              f"is folded, unfold it, press it flat on a table and photograph page {page} again."}
    return {"code": PRINT_OUT_OF_PLACE_ADVICE, "fields": fields,
            "message_id": f"Di foto halaman {page}, bulatan di {n} isian tidak tepat di tempat cetakannya (kertas "
                          f"melengkung atau terlipat?), jadi isian itu (dan mungkin isian di sekitarnya) belum "
                          f"bisa dibaca dengan pasti dan menunggu pelatih. Foto ulang dengan lembar rata di "
                          f"permukaan datar agar semua isian terbaca.",
            "message_en": f"On the photo of page {page}, the bubbles of {n} field(s) are not where the sheet prints "
                          f"them (curled or folded paper?), so those fields (and perhaps the ones around them) "
                          f"could not be read surely and wait for a trainer. Retake it with the sheet lying flat "
                          f"so that every field can be read."}


def unclear_photo_advice(page: int, fields: list[str]) -> dict | None:
    """The retake advice for page ``page`` whose digits are mostly unclear, naming the ``fields`` waiting for a
    trainer (None for none)."""
    if not fields:
        return None
    n = len(fields)
    return {"code": UNCLEAR_PHOTO_ADVICE, "fields": fields,
            "message_id": f"Sebagian besar angka di foto halaman {page} tidak terbaca dengan jelas, jadi {n} isian "
                          f"menunggu pelatih. Foto ulang halaman {page}: foto kertasnya langsung (bukan dari layar), "
                          f"di tempat terang, dengan ponsel tegak lurus di atas lembar dan gambar yang tajam.",
            "message_en": f"Most digits on the photo of page {page} could not be read clearly, so {n} field(s) wait "
                          f"for a trainer. Photograph page {page} again: the paper itself (not a screen), in good "
                          f"light, with the phone straight above the sheet and the picture sharp."}


def two_pages_advice(page: int, other: int) -> dict:
    """The advice for a photo of page ``page`` that shows page ``other`` too, which no photo of the sending brought."""
    return {"code": TWO_PAGES_ADVICE, "fields": [],
            "message_id": f"Foto ini menunjukkan halaman {page} dan {other} sekaligus; hanya halaman {page} yang "
                          f"dinilai. Foto halaman {other} sendiri (satu foto per halaman, lembar memenuhi foto), lalu "
                          f"kirim.",
            "message_en": f"This photo shows pages {page} and {other} together; only page {page} was graded. "
                          f"Photograph page {other} on its own (one photo per page, the sheet filling the picture) "
                          f"and send it."}


def advice_without(advice: dict, page: int, settled: Mapping[str, object]) -> dict | None:
    """``advice`` on page ``page`` once the ``settled`` fields (a trainer's corrections) are out of it: the same
    text for the fields left, or None when none is left."""
    if advice["code"] == TWO_PAGES_ADVICE:       # (about a page not read: no field of it to settle)
        return advice
    left = [f for f in advice["fields"] if f not in settled]
    if advice["code"] == UNCLEAR_PHOTO_ADVICE:
        return unclear_photo_advice(page, left)
    return print_out_of_place_advice(page, left, page_off=advice["code"] == PAGE_OUT_OF_PLACE_ADVICE)
