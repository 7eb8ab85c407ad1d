"""The trainee handout: the scenario in plain Indonesian and the ballot list to count.

Rendered as A4 pages with the same fonts and PDF writer as the sheets.
"""
from __future__ import annotations

from PIL import Image, ImageDraw

from grader.exercise.scenario import DAMAGED, INVALID, Exercise, pair_name
from grader.sheet.render import MM_PER_INCH, font
from grader.sheet.schema import resolve_template

PAGE_W_MM, PAGE_H_MM, MARGIN_MM = 210.0, 297.0, 18.0
BALLOT_COLUMNS = 10     # ten to a row: a row is a tens ("21. … 30."), and 20% fewer rows keep more handouts to one page
QR_MM = 32.0        # the upload page's QR code: a phone reads it from a desk's distance at any modules count


class _Pages:
    """A tiny top-to-bottom text flow over A4 pages."""

    def __init__(self, dpi: float):
        self.s = dpi / MM_PER_INCH
        self.pages: list[Image.Image] = []
        self.continued: str | None = None      # a heading said again at the top of a page the flow runs onto
        self.new_page()

    def new_page(self) -> None:
        self.img = Image.new("L", (round(PAGE_W_MM * self.s), round(PAGE_H_MM * self.s)), 255)
        self.draw = ImageDraw.Draw(self.img)
        self.pages.append(self.img)
        self.y = MARGIN_MM
        if self.continued and len(self.pages) > 1:
            self.draw.text((self.px(MARGIN_MM), self.px(self.y)), self.continued, fill=0,
                           font=font(self.px(4), bold=True))
            self.y += 4 + 1.6

    def px(self, mm: float) -> int:
        return round(mm * self.s)

    def ensure(self, h_mm: float) -> None:
        if self.y + h_mm > PAGE_H_MM - MARGIN_MM:
            self.new_page()

    def text(self, text: str, *, size: float = 3.6, bold: bool = False, indent: float = 0.0, gap: float = 1.6,
             mono: bool = False) -> None:
        self.ensure(size + gap)
        self.draw.text((self.px(MARGIN_MM + indent), self.px(self.y)), text, fill=0,
                       font=font(self.px(size), bold=bold, mono=mono))
        self.y += size + gap

    def wrapped(self, text: str, *, size: float = 3.6, width_mm: float = PAGE_W_MM - 2 * MARGIN_MM,
                indent: float = 0.0) -> None:
        for line in self.lines(text, size=size, width_mm=width_mm):
            self.text(line, size=size, indent=indent)

    def lines(self, text: str, *, size: float, width_mm: float) -> list[str]:
        """``text`` broken into lines of at most ``width_mm`` at ``size``."""
        f, out, line = font(self.px(size)), [], ""
        for word in text.split():
            trial = f"{line} {word}".strip()
            if f.getlength(trial) > self.px(width_mm) and line:
                out.append(line)
                line = word
            else:
                line = trial
        return out + ([line] if line else [])


def render_handout(ex: Exercise, *, dpi: float = 200, upload_url: str | None = None) -> list[Image.Image]:
    """Pages of the handout for ``ex``; with ``upload_url`` (the upload page, code filled in), it ends with that
    address and its QR code, so a trainee scans instead of typing an address and a code."""
    p = _Pages(dpi)
    f = ex.facts
    p.text(f"SOAL LATIHAN PENGISIAN MODEL C.HASIL-KWK {_office(ex)}", size=5, bold=True)
    p.text(f"Kode latihan: {ex.code}     (ketik kode ini saat mengirim foto)", size=4.2, bold=True, gap=4)
    p.wrapped(f"Anda adalah anggota KPPS di TPS {ex.tps}, {ex.village}. Pemungutan suara sudah selesai. "
              f"Gunakan data di bawah ini untuk mengisi lembar latihan C.Hasil (halaman 1 dan 2). "
              f"Hitung surat suara satu per satu dengan turus (per lima), lalu tulis angkanya di kotak "
              f"dan hitamkan bulatan yang sesuai. Kotak depan yang tidak terpakai diisi X.")
    # How the reader counts tally cells and reads bubble columns (grader.recognize.tally_groups, bubbles): said to the
    # trainee, who otherwise may put one stroke per cell or fill down the columns, and be sent to review for it.
    p.wrapped("Turus: satu kotak turus berisi satu ikat lima (empat garis tegak, yang kelima mencoret), diisi dari "
              "kiri ke kanan, baris demi baris; ikat terakhir boleh kurang dari lima. Bulatan: hitamkan tepat satu "
              "bulatan di setiap kolom; untuk kotak yang diisi X, hitamkan bulatan 0.", size=3.3)
    if "KK" in _pair_codes(ex):          # (one pair: the kolom kosong is a column of section IV)
        p.wrapped("Kolom kosong dihitung sebagai suara sah: jumlah suara sah (V.A) adalah suara paslon ditambah suara "
                  "kolom kosong.", size=3.3)
    p.y += 3
    p.text("Data pemilih", size=4, bold=True)
    rows = [
        ("Pemilih dalam DPT", f["dpt_l"], f["dpt_p"]),
        ("Pemilih pindahan (DPPh)", f["dpph_l"], f["dpph_p"]),
        ("Pemilih tambahan (DPTb) yang datang dengan e-KTP", f["dptb_l"], f["dptb_p"]),
        ("Pemilih DPT yang datang memilih", f["voted_dpt_l"], f["voted_dpt_p"]),
        ("Pemilih DPPh yang datang memilih", f["voted_dpph_l"], f["voted_dpph_p"]),
        ("Pemilih disabilitas terdaftar", f["disabled_l"], f["disabled_p"]),
        ("Pemilih disabilitas yang memilih", f["disabled_voted_l"], f["disabled_voted_p"]),
    ]
    p.text(f"{'':52s}{'Laki-laki':>10s}{'Perempuan':>11s}", size=3.4, mono=True)
    for label, men, women in rows:
        p.text(f"{label:52s}{men:>10d}{women:>11d}", size=3.4, mono=True)
    p.y += 2
    p.wrapped(f"Surat suara yang diterima TPS (termasuk cadangan 2,5%): {f['ballots_received']} lembar. "
              f"Semua pemilih DPTb yang datang ikut memilih. Surat suara yang rusak atau keliru coblos "
              f"ditukar dengan yang baru; surat suara itu tercatat dalam daftar di bawah sebagai RS.")
    p.y += 3
    legend = ", ".join(f"{_code(pid)} = {pair_name(pid)}" for pid in _pair_codes(ex))
    p.text("Daftar surat suara (urutan saat dibuka)", size=4, bold=True)
    p.wrapped(f"Keterangan: {legend}; {INVALID} = suara tidak sah; {DAMAGED} = surat suara rusak / keliru "
              f"coblos (tidak masuk kotak suara, dicatat di II.3). Jumlah: {len(ex.ballots)} surat suara.", size=3.3)
    p.y += 2
    p.continued = "Daftar surat suara (lanjutan)"
    _ballot_table(p, ex.ballots)
    p.continued = None
    p.y += 4
    # the closing steps (and their QR code) on one page: a sentence cut across pages left a page of half a line
    if upload_url is None:
        lines = p.lines(CLOSING, size=CLOSING_SIZE, width_mm=PAGE_W_MM - 2 * MARGIN_MM)
        p.ensure(len(lines) * (CLOSING_SIZE + 1.6))
        for line in lines:
            p.text(line, size=CLOSING_SIZE)
    else:
        _closing_with_qr(p, upload_url)
    _number_pages(p, ex.code)
    return p.pages


def _office(ex: Exercise) -> str:
    """The office elected, as the form's template names it ("WALI KOTA", not the contest's code "walikota")."""
    name = resolve_template(ex.template).contest_names.get(ex.contest, ex.contest.upper())
    return name.removeprefix("PEMILIHAN ").split(" DAN ")[0]


def _number_pages(p: _Pages, code: str) -> None:
    """On a handout of more than one page, each page's foot says its exercise code and "hal. n/N": a loose second
    page (the ballot list run on, with no heading) still says which exercise it belongs to."""
    if len(p.pages) < 2:
        return
    for n, page in enumerate(p.pages, start=1):
        ImageDraw.Draw(page).text((p.px(MARGIN_MM), p.px(PAGE_H_MM - MARGIN_MM / 2)),
                                  f"Kode latihan {code} · hal. {n}/{len(p.pages)}", fill=0,
                                  font=font(p.px(3.0)), anchor="ls")


# (the trainee's page is "Kirim foto", as the app names it; helper-143: "unggah di halaman latihan" named no page)
CLOSING = ("Setelah selesai: foto kedua halaman lembar latihan di tempat terang, ponsel tegak lurus di atasnya, "
           "lalu kirim fotonya di halaman Kirim foto dengan kode latihan di atas.")
CLOSING_WITH_QR = ("Setelah selesai: foto kedua halaman lembar latihan di tempat terang, ponsel tegak lurus di "
                   "atasnya, lalu pindai kode QR ini untuk membuka halaman Kirim foto (kode latihan sudah terisi):")
CLOSING_SIZE, URL_SIZE = 3.3, 3.6    # the closing steps' and the address's type, in mm
QR_SMALLEST_MM = 24.0   # a smaller code to keep the closing steps on the last page (a phone still reads it on a desk)


def _closing_with_qr(p: _Pages, url: str) -> None:
    """The closing steps beside the upload page's QR code, with its address under them (for a phone that has no QR
    reader). Above the code, the steps and the code needed 44 mm: a handout whose ballot list left 35 mm on its page
    took a second sheet of paper for them alone (helper-140). Beside it they need the code's height; and the code
    shrinks to :data:`QR_SMALLEST_MM` before the block goes on a page of its own."""
    from grader.sheet.render import qr_matrix

    for side_mm in (QR_MM, 28.0, QR_SMALLEST_MM):
        lines, pieces, height = _closing_layout(p, url, side_mm)
        if p.y + height <= PAGE_H_MM - MARGIN_MM:
            break
    else:                        # on a page of its own after all: the code at its full size, the words laid out for it
        side_mm = QR_MM
        lines, pieces, _ = _closing_layout(p, url, side_mm)
        p.new_page()
    side = p.px(side_mm)
    p.img.paste(Image.fromarray(qr_matrix(url)).resize((side, side), Image.NEAREST), (p.px(MARGIN_MM), p.px(p.y + 1)))
    top = p.y
    p.y += 1
    for line in lines:
        p.text(line, size=CLOSING_SIZE, indent=side_mm + 4)
    p.y += 1
    for piece in pieces:
        p.text(piece, size=URL_SIZE, mono=True, indent=side_mm + 4)
    p.y = max(p.y, top + side_mm + 2)


def _closing_layout(p: _Pages, url: str, side_mm: float) -> tuple[list[str], list[str], float]:
    """The closing steps' lines and the address's pieces beside a code of ``side_mm``, and the block's height."""
    width = PAGE_W_MM - 2 * MARGIN_MM - side_mm - 4
    lines = p.lines(CLOSING_WITH_QR, size=CLOSING_SIZE, width_mm=width)
    # (a long host name ran off the paper: the address is broken into lines that fit beside the code)
    mono = font(p.px(URL_SIZE), mono=True)
    per_line = max(8, int(p.px(width) // max(mono.getlength("M"), 1)))
    pieces = [url[k:k + per_line] for k in range(0, len(url), per_line)]
    return lines, pieces, max(side_mm, len(lines) * (CLOSING_SIZE + 1.6) + 1 + len(pieces) * (URL_SIZE + 1.6)) + 2


def _code(ballot: str) -> str:
    """Printed ballot code: P1, P2 ... for pairs; KK, TS and RS as they are."""
    return f"P{ballot}" if ballot.isdigit() else ballot


def _pair_codes(ex: Exercise) -> list[str]:
    return [str(n) for n in range(1, ex.pairs + 1)] + (["KK"] if ex.pairs == 1 else [])


def _ballot_table(p: _Pages, ballots: tuple[str, ...]) -> None:
    size = 3.3
    row_h = size + 1.3
    col_w = (PAGE_W_MM - 2 * MARGIN_MM) / BALLOT_COLUMNS
    for start in range(0, len(ballots), BALLOT_COLUMNS):
        p.ensure(row_h)
        for j, code in enumerate(ballots[start:start + BALLOT_COLUMNS]):
            x = MARGIN_MM + j * col_w
            p.draw.text((p.px(x), p.px(p.y)), f"{start + j + 1:>3d}. {_code(code)}", fill=0,
                        font=font(p.px(size), mono=True, bold=code in (INVALID, DAMAGED)))
        p.y += row_h
