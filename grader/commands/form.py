"""``grader form print`` and ``grader form layout``: printable sheets and their geometry."""
from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from pathlib import Path

from grader.commands import path_arg, writable_file
from grader.errors import GraderError
from grader.exercise.store import check_variant, load_key_by_code
from grader.invisible import visible_words
from grader.page_groups import normalise_id
from grader.sheet.identity import SheetIdentity
from grader.sheet.layout import SheetLayout, layout_sheet
from grader.sheet.render import render_sheet, write_pdf
from grader.sheet.schema import resolve_template
from grader.spreadsheet import CsvTextError, csv_delimiter, csv_text

ROSTER_ID_COLUMNS = ("id", "no", "nomor", "trainee", "no_peserta")
ROSTER_NAME_COLUMNS = ("name", "nama")


def register(sub: argparse._SubParsersAction) -> None:
    form = sub.add_parser("form", help="print practice sheets or show their layout")
    fsub = form.add_subparsers(dest="form_command", metavar="ACTION", parser_class=type(form))
    fsub.required = True

    p = fsub.add_parser("print", help="write a printable A4 PDF (and PNG) of a template")
    _variant_args(p)
    p.add_argument("--exercise", help="exercise code (from the store) to print in the header and the QR; its contest "
                                      "and pairs are used")
    p.add_argument("--roster", type=path_arg, help="CSV with id and name columns: one personalised sheet per trainee")
    p.add_argument("-o", "--output", type=path_arg, required=True, help="output PDF path")
    p.add_argument("--png", type=path_arg, help="also write PNG page(s); pages after the first get -p2, -p3 ...")
    p.add_argument("--dpi", type=_print_dpi, default=300,
                   help=f"raster resolution, {PRINT_DPI_RANGE[0]} to {PRINT_DPI_RANGE[1]} (default 300)")
    p.set_defaults(func=cmd_print)

    p = fsub.add_parser("layout", help="print the geometry of every page in pixels")
    _variant_args(p)
    p.add_argument("--dpi", type=_positive_dpi, default=None,
                   help="pixel scale (default: the template's reading frame)")
    p.add_argument("--json", action="store_true", help="JSON output (the only format)")
    p.set_defaults(func=cmd_layout)


#: the resolutions a sheet can be printed at: below 13 dpi the corner markers cannot be drawn at all (25 gives each
#: of their cells two pixels); above, one page's raster alone takes gigabytes
PRINT_DPI_RANGE = (25, 1200)


def _positive_dpi(text: str) -> float:
    """``--dpi D`` of ``form layout``: a pixel scale, above 0 (argparse reports anything else as bad usage)."""
    try:
        dpi = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of dots per inch, got {text!r}") from None
    if not dpi > 0:     # (also refuses nan)
        raise argparse.ArgumentTypeError(f"must be above 0, got {text}")
    return dpi


def _print_dpi(text: str) -> float:
    """``--dpi D`` of ``form print``: a resolution in :data:`PRINT_DPI_RANGE`."""
    try:
        dpi = float(text)
    except ValueError:
        dpi = None
    if dpi is None or not PRINT_DPI_RANGE[0] <= dpi <= PRINT_DPI_RANGE[1]:     # (nan is in no range)
        raise argparse.ArgumentTypeError(f"must be from {PRINT_DPI_RANGE[0]} to {PRINT_DPI_RANGE[1]}, got {text!r}")
    return dpi


def _variant_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("template", help="template id (e.g. chasil-kwk) or path to a template YAML")
    p.add_argument("--contest", help="gubernur, bupati or walikota (default: the template's, bupati on chasil-kwk)")
    p.add_argument("--pairs", type=int, help="number of candidate pairs (1 adds the kolom kosong; default: the "
                                             "template's, 3 on chasil-kwk)")


# How an Excel workbook begins: .xlsx (a zip) and the older .xls; sent as the roster instead of a CSV saved from it
WORKBOOK_MAGIC = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0")
#: a roster's header columns named in a message: this many at most, each cut to this many characters
COLUMNS_SHOWN, COLUMN_CHARS = 5, 30


def read_roster(path: Path, *, number_boxes: int) -> list[tuple[str, str]]:
    """``(trainee id, name)`` rows from a roster CSV file, with a clear error for a bad file."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise GraderError("bad_roster", f"The roster {path} cannot be opened: {exc.strerror or exc}.",
                          f"Daftar peserta {path} tidak dapat dibuka.") from None
    return parse_roster(data, str(path), number_boxes=number_boxes)


def parse_roster(data: bytes, source: str, *, number_boxes: int) -> list[tuple[str, str]]:
    """``(trainee id, name)`` rows from a roster CSV's bytes; ``source`` names it in the messages.

    Comma, semicolon (Excel in an Indonesian locale) and tab separated files are read, with or without the
    UTF-8 BOM Excel writes, or in Windows-1252 (Excel's plain "CSV" on Windows, where a name like "Andrés" is
    not UTF-8), or in UTF-16 with its BOM (Excel's "Unicode Text", tab separated); the header row decides the
    separator. A numeric trainee id must fit the sheet's
    ``number_boxes`` trainee-number boxes (leading zeros aside), or the trainee could never write it there.
    """
    if data.startswith(WORKBOOK_MAGIC):
        raise GraderError("bad_roster", f"{source} is an Excel workbook, not a CSV. In Excel, choose Save As, then "
                          "CSV, and send that CSV file.",
                          f"{source} adalah buku kerja Excel, bukan CSV. Di Excel, pilih Simpan Sebagai lalu CSV, dan "
                          "kirim berkas CSV itu.")
    text = _roster_text(data, source)
    # (read as a file, not split with str.splitlines: that also breaks a line at a vertical tab or a line break
    # inside a quoted cell, Excel's Alt+Enter, which cut the name in two or glued its halves together)
    header = next((x for x in text.splitlines() if x.strip()), "")
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=csv_delimiter(
        header, (set(ROSTER_ID_COLUMNS), set(ROSTER_NAME_COLUMNS))))
    rows = [(reader.line_num, row) for row in reader]
    if not rows:
        raise GraderError("bad_roster", f"The roster {source} is empty: under its header row, write one trainee per "
                          "line.",
                          f"Daftar peserta {source} kosong: di bawah baris judulnya, tulis satu peserta per baris.")
    cols = {c.strip().lower(): c for c in reader.fieldnames if c}
    id_col = next((cols[c] for c in ROSTER_ID_COLUMNS if c in cols), None)
    name_col = next((cols[c] for c in ROSTER_NAME_COLUMNS if c in cols), None)
    if not id_col or not name_col:
        found = [c.strip() for c in reader.fieldnames if c and c.strip()]
        raise GraderError("bad_roster", f"The roster {source} needs an id column ({'/'.join(ROSTER_ID_COLUMNS)}) "
                          f"and a name column ({'/'.join(ROSTER_NAME_COLUMNS)}); its columns are "
                          f"{_columns_in_words(found, lang='en')}.",
                          f"Daftar peserta harus punya kolom nomor ({'/'.join(ROSTER_ID_COLUMNS)}) dan kolom nama "
                          f"({'/'.join(ROSTER_NAME_COLUMNS)}); yang ada: {_columns_in_words(found, lang='id')}.")
    out = []
    seen: dict[str, tuple[int, str]] = {}     # trainee id as grouping compares it -> (line, name)
    for line, row in rows:
        # (a name pasted from a chat app or a spreadsheet may carry zero-width or direction characters: an invisible
        # or backwards name on the sheet, in its QR and in the class table)
        tid, name = visible_words(row.get(id_col)), visible_words(row.get(name_col))
        if not tid or not name:
            raise GraderError("bad_roster", f"Roster {source}, line {line}: the number or the name is empty. Every "
                              "trainee needs both.",
                              f"Daftar peserta baris {line}: nomor atau nama kosong. Setiap peserta perlu nomor dan "
                              "nama.")
        if not (tid.isascii() and tid.isdigit()):
            # the trainee writes it in the number boxes, which hold digits; the sheet would carry it in its QR only
            raise GraderError("bad_roster", f"Roster {source}, line {line} ({name}): trainee number {tid!r} is not a "
                              "number. Give every trainee a number of digits only, as they will write it on the sheet.",
                              f"Daftar peserta baris {line} ({name}): nomor peserta {tid} bukan angka. Beri setiap "
                              f"peserta nomor yang hanya berisi angka, seperti yang akan ditulisnya di lembar.")
        if len(str(int(tid))) > number_boxes:
            raise _number_too_long(source, line, tid, name, number_boxes)
        # two sheets with one trainee number in their QR would be graded as one trainee's pages
        first = seen.setdefault(normalise_id(tid), (line, name))
        if first[0] != line:
            raise GraderError(
                "bad_roster", f"Roster {source}, line {line} ({name}): trainee number {tid} is already used on line "
                f"{first[0]} ({first[1]}). Every trainee needs a number of their own.",
                f"Daftar peserta baris {line} ({name}): nomor peserta {tid} sudah dipakai di baris {first[0]} "
                f"({first[1]}). Setiap peserta perlu nomor sendiri.")
        out.append((tid, name))
    return out


def _roster_text(data: bytes, source: str) -> str:
    """A roster file's text (:func:`grader.spreadsheet.csv_text`), or the roster's own refusal."""
    try:
        return csv_text(data)
    except CsvTextError as exc:
        if exc.line is not None:
            raise _damaged_roster(source, exc.line) from None
        raise GraderError("bad_roster", f"The roster {source} is not a CSV text file. In Excel, choose Save As, then "
                          "CSV UTF-8, and send that file.",
                          f"Daftar peserta {source} bukan berkas teks CSV. Di Excel, pilih Simpan Sebagai lalu CSV "
                          "UTF-8, dan kirim berkas itu.") from None


def _damaged_roster(source: str, line: int) -> GraderError:
    return GraderError("bad_roster", f"The roster {source} cannot be read: line {line} holds a damaged character. "
                       "Save it again as CSV UTF-8, then try again.",
                       f"Daftar peserta {source} tidak dapat dibaca: baris {line} berisi huruf yang rusak. Simpan "
                       "lagi sebagai CSV UTF-8, lalu coba lagi.")


def _columns_in_words(columns: list[str], *, lang: str) -> str:
    """A roster's header columns for a message in ``lang``: "a, b, c, and 2 more" (at most :data:`COLUMNS_SHOWN`,
    each cut by :func:`_short_column`); "none" for a header without any."""
    if not columns:
        return "none" if lang == "en" else "tidak ada"
    shown = [_short_column(c) for c in columns[:COLUMNS_SHOWN]]
    more = len(columns) - len(shown)
    if more:
        shown.append(f"and {more} more" if lang == "en" else f"dan {more} lainnya")
    return ", ".join(shown)


def _short_column(column: str) -> str:
    """A header column as a message shows it: printable (a binary file's first line is not), and past
    :data:`COLUMN_CHARS` cut after a whole word, with "…"."""
    column = "".join(ch if ch.isprintable() else "?" for ch in column)
    if len(column) <= COLUMN_CHARS:
        return column
    head = column[:COLUMN_CHARS]
    return (head.rsplit(" ", 1)[0] if " " in head else head).rstrip() + "…"


def _number_too_long(source: str, line: int, tid: str, name: str, boxes: int) -> GraderError:
    """A roster number the sheet's trainee-number boxes cannot hold: the trainee could never write it there."""
    return GraderError(
        "bad_roster",
        f"Roster {source}, line {line} ({name}): trainee number {tid} has more than {boxes} digits, but the sheet "
        f"has only {boxes} trainee-number boxes. Use numbers of at most {boxes} digits.",
        f"Daftar peserta baris {line} ({name}): nomor peserta {tid} lebih dari {boxes} angka, padahal lembar hanya "
        f"punya {boxes} kotak nomor peserta. Pakai nomor paling banyak {boxes} angka.")


def trainee_number_boxes(sheet: SheetLayout) -> int:
    """How many digits the sheet's trainee-number boxes hold (the template's ``header.trainee.boxes``)."""
    return len(sheet.field(sheet.spec.header["trainee"]["id"]).boxes)


def sheets_for(sheet: SheetLayout, exercise: str | None, roster: list[tuple[str, str]] | None):
    """One identity per printed sheet: a blank one, or one per roster row."""
    base = SheetIdentity(template=sheet.spec.id, version=sheet.spec.version, page=1, contest=sheet.contest,
                         pairs=sheet.pairs, exercise=exercise)
    if not roster:
        return [base]
    return [SheetIdentity(**{**base.__dict__, "trainee": tid, "trainee_name": name}) for tid, name in roster]


def exercise_variant(args: argparse.Namespace, spec) -> tuple[str | None, str | None, int | None]:
    """(exercise code, contest, pairs) to print: an exercise's own, from the store (its QR must name the variant its
    key grades, or no sheet printed with it could be graded); ``--contest``/``--pairs`` may only repeat them."""
    if not args.exercise:
        return None, args.contest, args.pairs
    key = load_key_by_code(args.exercise)        # an unknown code stops here, with its reason
    check_variant(key, template=spec.id, contest=args.contest, pairs=args.pairs)
    return key.exercise, key.contest, key.pairs


def cmd_print(args: argparse.Namespace) -> int:
    spec = resolve_template(args.template)
    exercise, contest, pairs = exercise_variant(args, spec)
    sheet = layout_sheet(spec, contest=contest, pairs=pairs)
    roster = read_roster(args.roster, number_boxes=trainee_number_boxes(sheet)) if args.roster else None
    # (a slip such as `-o kelas.zip` or `--png IMG_001.jpg` wrote the sheets over a class's photos, and `--png x.zip`
    # ended in a traceback after the PDF was written: helper-150; grade's --csv refuses the like)
    for flag, path, suffix in (("-o", args.output, ".pdf"), ("--png", args.png, ".png")):
        if path is not None and path.suffix.lower() != suffix and not path.is_dir():      # (a folder: said below)
            raise GraderError("bad_usage", f"{flag} {path}: name a {suffix} file")
    writable_file(args.output, f"-o {args.output}")     # before rendering, not after it
    if args.png:
        writable_file(args.png, f"--png {args.png}")
    pages = []
    for ident in sheets_for(sheet, exercise, roster):
        pages.extend(render_sheet(sheet, ident, dpi=args.dpi))
    write_pdf(pages, args.output, dpi=args.dpi)
    written = [str(args.output)]
    if args.png:
        for i, img in enumerate(pages):
            path = args.png if i == 0 else args.png.with_name(f"{args.png.stem}-p{i + 1}{args.png.suffix}")
            img.save(path, dpi=(args.dpi, args.dpi))
            written.append(str(path))
    print("\n".join(written))
    return 0


def layout_json(sheet: SheetLayout, px_per_mm: float) -> dict:
    """The geometry of every page in pixels at ``px_per_mm``, as plain JSON."""
    def r(rect):
        return list(rect.to_px(px_per_mm))

    pages = []
    for page in sheet.pages:
        pages.append({
            "page": page.number,
            "size_px": [round(page.width_mm * px_per_mm), round(page.height_mm * px_per_mm)],
            "markers": [{"id": m.id, "corners": [[round(x * px_per_mm, 2), round(y * px_per_mm, 2)]
                                                 for x, y in m.corners]} for m in page.markers],
            "qr": r(page.qr),
            "fields": [{"id": f.id, "kind": f.kind, "section": f.section, "label": f.label,
                        "graded": f.graded, "mirrors": f.mirrors, "rect": r(f.rect),
                        "boxes": [r(b) for b in f.boxes],
                        "bubbles": [[r(b) for b in col] for col in f.bubbles],
                        "cells": [r(c) for c in f.cells]} for f in page.fields],
        })
    return {"template": sheet.spec.id, "version": sheet.spec.version, "contest": sheet.contest,
            "pairs": sheet.pairs, "px_per_mm": px_per_mm, "pages": pages}


def cmd_layout(args: argparse.Namespace) -> int:
    spec = resolve_template(args.template)
    sheet = layout_sheet(spec, contest=args.contest, pairs=args.pairs)
    px_per_mm = args.dpi / 25.4 if args.dpi else spec.read_px_per_mm
    json.dump(layout_json(sheet, px_per_mm), sys.stdout, indent=1)
    sys.stdout.write("\n")
    return 0
