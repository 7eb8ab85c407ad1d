"""Why a photo was refused: stable reason codes with English and Indonesian messages.

The codes are a product surface: the JSON output, the web page, the sample
generator's truth files (``expect_refusal``) and the tests all use them, so a
code, once published, never changes meaning.
"""
from __future__ import annotations

from typing import Any

from grader.errors import GraderError

#: code -> (English message, Indonesian message). Each says what to do next.
MESSAGES: dict[str, tuple[str, str]] = {
    "not_an_image": (
        "This file is not a photo. Send a JPEG, PNG, WebP or HEIC photo of the practice sheet.",
        "Berkas ini bukan foto. Kirim foto lembar latihan dalam format JPEG, PNG, WebP atau HEIC.",
    ),
    "corrupt_file": (
        "The photo file is damaged or incomplete. Send the photo again (not a preview or thumbnail).",
        "Berkas foto rusak atau tidak lengkap. Kirim ulang fotonya (bukan pratinjau atau gambar kecil).",
    ),
    "too_large": (
        "The file is too large or its dimensions are implausible. Send an ordinary phone photo (at most 25 MB).",
        "Berkas terlalu besar atau ukurannya tidak wajar. Kirim foto ponsel biasa (maksimal 25 MB).",
    ),
    "binarized_scan": (
        "This is a black-and-white scan (a scanner app's B&W or document filter, or a copier's B&W mode), which "
        "erases parts of the sheet such as the corner squares and filled bubbles. Scan it again in colour or "
        "grayscale (the 'Original' mode), or just take an ordinary photo of the sheet.",
        "Ini hasil pindaian hitam-putih (filter B&W/Dokumen di aplikasi pemindai, atau mode hitam-putih mesin "
        "fotokopi), yang menghapus sebagian isi lembar seperti kotak hitam di sudut dan bulatan yang diisi. "
        "Pindai ulang dalam mode berwarna atau abu-abu (mode \"Asli\"/\"Original\"), atau foto saja lembarnya "
        "seperti biasa.",
    ),
    "too_blurry": (
        "The photo is too blurry. Hold the phone steady, make sure it is in focus, and take the photo again.",
        "Foto terlalu buram. Pegang ponsel lebih stabil dan pastikan fokus, lalu foto ulang.",
    ),
    "too_dark": (
        "The photo is too dark. Move to a brighter place or turn on a light, and take the photo again.",
        "Foto terlalu gelap. Pindah ke tempat yang lebih terang atau nyalakan lampu, lalu foto ulang.",
    ),
    "glare": (
        "Glare covers part of the numbers. Tilt the sheet or move away from the lamp or window, and take the photo again.",
        "Ada pantulan cahaya yang menutupi angka. Miringkan lembar atau menjauh dari lampu/jendela, lalu foto ulang.",
    ),
    "sheet_too_small": (
        "The sheet is too small in the photo. Move closer so the sheet fills most of the picture, and take the photo again.",
        "Lembar terlalu kecil di foto. Dekatkan ponsel agar lembar memenuhi sebagian besar foto, lalu foto ulang.",
    ),
    "sheet_cut_off": (
        "Part of the sheet is cut off. Make sure all four black corner squares are inside the picture.",
        "Sebagian lembar terpotong. Pastikan keempat kotak hitam di sudut lembar masuk ke dalam foto, lalu foto ulang.",
    ),
    # A corner marker inside the picture but hidden (grader.photo.missing_markers): "get all four corners inside
    # the picture" (sheet_cut_off) would not help. The corner is named where it is known (CASES).
    "corner_covered": (
        "A corner of the sheet is covered: its black corner square is inside the picture but hidden. Move away the "
        "paper, hand or object lying over it, and take the photo again.",
        "Salah satu sudut lembar tertutup: kotak hitam di sudut itu ada di dalam foto tetapi tidak terlihat. "
        "Singkirkan kertas, tangan, atau benda yang menutupinya, lalu foto ulang.",
    ),
    "markers_not_found": (
        "The black corner squares of the sheet could not be found. Photograph the whole sheet flat, with nothing covering its corners. "
        "If the small white squares inside them are smudged or filled in (a photocopy too dark), or a square is not printed "
        "on the paper at all (printed on paper shorter than A4 without 'fit to page'), ask the trainer for a cleaner sheet.",
        "Kotak hitam di sudut lembar tidak ditemukan. Foto seluruh lembar dalam keadaan rata dan jangan ada yang menutupi sudutnya. "
        "Jika kotak putih kecil di dalamnya kabur atau tertutup tinta (fotokopi terlalu gelap), atau kotak hitamnya tidak tercetak "
        "sama sekali (dicetak di kertas yang lebih pendek dari A4 tanpa \"sesuaikan ke halaman\"), minta lembar yang lebih bersih kepada pelatih.",
    ),
    # A page photographed far from straight above (grader.photo.view_angle): its far edge squeezed and out of focus,
    # it was refused as blurred, glared or its corner squares or QR not found, whose words sent the trainee back to
    # the same angle (helper-165: 11 of 35 photos at 62-78 degrees).
    "steep_angle": (
        "The sheet was photographed at a steep angle, so its far side is squeezed and out of focus. Hold the phone "
        "straight above the sheet, level with it (stand up if you are seated at a table), and take the photo again.",
        "Lembar difoto terlalu miring, sehingga bagian yang jauh tampak mengecil dan buram. Pegang ponsel tepat di atas "
        "lembar, sejajar dengan kertas (berdirilah bila Anda duduk di depan meja), lalu foto ulang.",
    ),
    # (no longer raised: align_photo reads a mirrored photo flipped back; kept for results stored before)
    "mirrored_photo": (
        "The photo is mirrored (left and right swapped), as some front cameras save them. Take the photo with the "
        "back camera, or turn off 'mirror front camera' in the camera settings, and send it again.",
        "Foto terbalik kiri-kanan (seperti bayangan cermin); beberapa kamera depan menyimpan foto seperti ini. Foto "
        "dengan kamera belakang, atau matikan pengaturan \"cermin kamera depan\" di kamera, lalu kirim ulang.",
    ),
    # Said as well of a close-up of part of a practice sheet, taken to make the numbers large: with none of its corner
    # squares and not its QR code in the picture, nothing tells it from another form. "This is not a practice sheet"
    # alone sent its trainee back to the same close-up (helper-165: 5 of 15 close-ups of a page were refused so).
    "not_practice_sheet": (
        "No practice sheet was found in this photo: none of its black corner squares is in the picture. Photograph "
        "the whole practice sheet you filled in (from your trainer), from far enough that all four black corner "
        "squares are inside the picture; not an official KPU form or another picture.",
        "Lembar latihan tidak ditemukan di foto ini: tidak ada kotak hitam sudut lembar di dalam foto. Foto seluruh "
        "lembar latihan yang Anda isi (dari pelatih), dari jarak yang cukup agar keempat kotak hitam di sudutnya "
        "masuk ke dalam foto; bukan formulir resmi KPU atau gambar lain.",
    ),
    "unknown_template": (
        "This sheet's form type is not known to this grader. Ask the trainer for a new practice sheet.",
        "Jenis lembar ini tidak dikenal oleh aplikasi. Minta lembar latihan baru kepada pelatih.",
    ),
    "sheet_unidentified": (
        "The sheet's QR code and the code line printed beside it cannot be read, so it is not known how many "
        "candidate pairs this sheet has. Take the photo again with the top of the sheet sharp and free of shadow, "
        "or grade it with its exercise code.",
        "Kode QR di bagian atas lembar dan baris kode di sebelahnya tidak terbaca, jadi belum diketahui lembar "
        "latihan mana ini. Foto ulang dengan bagian atas lembar tajam dan tanpa bayangan, atau kirim ulang sambil "
        "mengetik kode latihannya (tertera pada soal).",
    ),
}

#: The stable codes, in the order the quality gate reports them.
REASON_CODES: tuple[str, ...] = tuple(MESSAGES)

LOW_RESOLUTION = "low_resolution"
#: The picture is a screenshot (grader.photo.align.screenshot): neither moving closer nor more pixels of it can help.
SCREENSHOT = "screenshot"
#: Fewer than two of the sheet's markers were found (grader.photo.missing_markers): nothing tells the angle the photo
#: was taken at, and a steep one (a trainee seated at a table) is a likely cause, so the words name it as well.
NO_ANGLE = "no_angle"

#: (code, case) -> (English, Indonesian): words for a narrower case of a code, where the code's own would send the
#: trainee the wrong way. The code stays the same (it is what was measured).
CASES: dict[tuple[str, str], tuple[str, str]] = {
    # The sheet fills the picture, but the picture has too few pixels (a screenshot, a preview, a shrunken copy):
    # "move closer" cannot help (a 360x480 photo of a sheet filling it, helper-134's rehearsal).
    ("sheet_too_small", LOW_RESOLUTION): (
        "The photo has too few pixels to read the handwriting: it is a screenshot, a preview or a shrunken copy. "
        "Send the photo as the camera took it.",
        "Foto ini terlalu kecil (terlalu sedikit piksel) untuk membaca tulisan: ini tangkapan layar, pratinjau, atau "
        "salinan yang diperkecil. Kirim foto asli dari kamera."),
    # A screenshot of a chat or a gallery showing the sheet's photo small (helper-162): "move closer" cannot help.
    ("sheet_too_small", SCREENSHOT): (
        "This looks like a screenshot, and the sheet in it is too small to read. Send the photo of the sheet itself, "
        "as the camera took it, not a screenshot of it.",
        "Gambar ini tampaknya tangkapan layar, dan lembar di dalamnya terlalu kecil untuk dibaca. Kirim foto lembar "
        "itu sendiri, foto asli dari kamera, bukan tangkapan layarnya."),
}
# Blurred or its corner squares not found, and too few of them found to tell the angle (NO_ANGLE): photos taken
# 65-80 degrees from straight above lose their far side's squares first, and with none or one left their refusal
# did not name the angle, sending the trainee back to it (rehearsal helper-199). The code's words, and the angle's.
_BLURRY, _NOT_FOUND = MESSAGES["too_blurry"], MESSAGES["markers_not_found"]
CASES[("too_blurry", NO_ANGLE)] = (
    _BLURRY[0].replace("Hold the phone steady,", "Hold the phone steady, straight above the sheet and level with it "
                       "(a sheet photographed at an angle is out of focus at its far side),"),
    _BLURRY[1].replace("Pegang ponsel lebih stabil", "Pegang ponsel lebih stabil, tepat di atas lembar dan sejajar dengan "
                       "kertas (lembar yang difoto miring menjadi buram di bagian yang jauh),"))
CASES[("markers_not_found", NO_ANGLE)] = (
    _NOT_FOUND[0].replace("Photograph the whole sheet flat,", "Hold the phone straight above the sheet, level with it "
                          "(not at an angle from your seat), and photograph the whole sheet flat,"),
    _NOT_FOUND[1].replace("Foto seluruh lembar dalam keadaan rata", "Pegang ponsel tepat di atas lembar, sejajar dengan "
                          "kertas (jangan miring dari tempat duduk), lalu foto seluruh lembar dalam keadaan rata"))
# A covered corner, named on the sheet as printed (grader.photo.missing_markers._corner_name).
for _case, _en, _id in (("top_left", "top-left", "kiri atas"), ("top_right", "top-right", "kanan atas"),
                        ("bottom_right", "bottom-right", "kanan bawah"), ("bottom_left", "bottom-left", "kiri bawah")):
    CASES[("corner_covered", _case)] = (
        f"The {_en} corner of the sheet is covered: its black corner square is inside the picture but hidden. Move "
        "away the paper, hand or object lying over it, and take the photo again.",
        f"Sudut {_id} lembar tertutup: kotak hitam di sudut itu ada di dalam foto tetapi tidak terlihat. Singkirkan "
        "kertas, tangan, atau benda yang menutupinya, lalu foto ulang.")


class Refusal(GraderError):
    """A photo the grader will not read, with a stable reason code.

    Parameters
    ----------
    code : str
        One of :data:`REASON_CODES`.
    detail : str, optional
        Technical detail for logs (appended to nothing the user sees).
    quality : object, optional
        The :class:`~grader.photo.quality.QualityReport` measured so far, if any.
    case : str, optional
        A narrower case of ``code`` with words of its own (:data:`CASES`); others keep the code's words.

    A page refused after it was located also says which page it is (``page``, by its markers) and, where its QR was
    read, the sheet's identity (``identity``): the trainee's retake names the page, and a batch names the trainee.
    """

    def __init__(self, code: str, *, detail: str = "", quality: Any = None, case: str | None = None):
        if code not in MESSAGES:
            raise ValueError(f"unknown refusal code {code!r}")
        en, ind = CASES.get((code, case or ""), MESSAGES[code])
        super().__init__(code, en, ind)
        self.detail = detail
        self.quality = quality
        self.page: int | None = None
        self.identity: Any = None       # grader.sheet.identity.SheetIdentity, from the QR

    @property
    def reasons(self) -> list[str]:
        """All reasons the gate found (the first is :attr:`code`)."""
        if self.quality is not None and getattr(self.quality, "reasons", None):
            return list(self.quality.reasons)
        return [self.code]

    def __repr__(self) -> str:
        return f"Refusal({self.code!r}, detail={self.detail!r})"


def message(code: str, *, lang: str = "id") -> str:
    """The user message for ``code`` in ``lang`` (``"id"`` or ``"en"``)."""
    en, ind = MESSAGES[code]
    return ind if lang == "id" else en
