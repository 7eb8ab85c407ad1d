"""Tables for a spreadsheet: CSV cells defused, and XLSX workbooks, for the web's exports and ``grader grade``.

Cells that a spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``, ``@``) are prefixed with ``'``
when they come from user text; a workbook types them as text instead.
"""
from __future__ import annotations

import codecs
import csv
import io
import re

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: The separators of a CSV a trainer saves: Excel in an Indonesian locale saves CSV with ";", its "Unicode Text" tabs.
CSV_DELIMITERS = (",", ";", "\t")
UTF8_SEQUENCE_RE = re.compile(rb"[\xc2-\xf4][\x80-\xbf]")   # a character UTF-8 writes in two or more bytes


class CsvTextError(ValueError):
    """A CSV file's bytes that are no text: a damaged character on ``line``, or (``line`` None) not text at all."""

    def __init__(self, line: int | None):
        super().__init__(line)
        self.line = line


def csv_text(data: bytes) -> str:
    """A CSV file's text as Excel saves it: UTF-16 by its BOM ("Unicode Text"), else UTF-8 (BOM or not), else
    Windows-1252 (Excel's plain "CSV" on Windows). Raises :class:`CsvTextError`."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise CsvTextError(data[:exc.start].decode("utf-16", errors="replace").count("\n") + 1) from None
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            if UTF8_SEQUENCE_RE.search(data):   # UTF-8 with a damaged byte, not Windows-1252: names would print garbled
                raise CsvTextError(data[:exc.start].count(b"\n") + 1) from None
            text = data.decode("cp1252", errors="replace")
    if "\x00" in text:         # UTF-16 without its BOM, or no text at all: its columns would be said as "N?o?"
        raise CsvTextError(None)
    return text


def csv_delimiter(header: str, wanted: tuple[set[str], ...]) -> str:
    """The separator that splits ``header`` into a column of each of ``wanted`` (each a set of accepted names, in
    lower case); else the one that splits it most."""
    def columns(delimiter: str) -> set[str]:
        return {c.strip().lower() for c in next(csv.reader([header], delimiter=delimiter), [])}

    for d in CSV_DELIMITERS:
        cols = columns(d)
        if all(cols & names for names in wanted):
            return d
    return max(CSV_DELIMITERS, key=lambda d: len(columns(d)))


def spreadsheet_safe(value):
    """``value`` for a CSV cell: text a spreadsheet would run as a formula gets a leading ``'``."""
    if isinstance(value, str) and value[:1] in FORMULA_START:
        return "'" + value
    return value


def unguarded(value):
    """The text :func:`spreadsheet_safe` guarded, as typed: a workbook cell typed as text needs no guard, and
    Excel would show the apostrophe."""
    if isinstance(value, str) and value[:1] == "'" and value[1:2] in FORMULA_START:
        return value[1:]
    return value


def to_csv(columns: tuple[str, ...], rows: list[tuple]) -> bytes:
    """A header row and ``rows`` as UTF-8 CSV bytes (cells already defused by the caller)."""
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(columns)
    w.writerows(rows)
    return buf.getvalue().encode("utf-8-sig")      # the BOM makes Excel read UTF-8 names correctly


def xml_safe(value):
    """``value`` without the control characters a worksheet cannot hold (XML 1.0 forbids them): typed into a
    trainee's name, one of them made the whole class's XLSX export fail."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value


def to_xlsx(tables: dict[str, tuple[tuple[str, ...], list[tuple]]]) -> bytes:
    """One worksheet per ``name -> (columns, rows)``, with a bold, frozen header row."""
    from openpyxl import Workbook
    from openpyxl.cell import Cell
    from openpyxl.styles import Font

    def text_as_text(ws, value):
        """A string as a text cell, never a formula: so no visible ' guard is needed here. (Each row's cells are
        made here: looking the row up again once appended, ``ws[ws.max_row]``, went over every cell of the sheet
        each time, and a class of 300 trainees' fields, 13,000 rows, took minutes to export.)"""
        if not isinstance(value, str):
            return value
        cell = Cell(ws, value=value)
        cell.data_type = "s"
        return cell

    wb = Workbook()
    wb.remove(wb.active)
    for name, (columns, rows) in tables.items():
        ws = wb.create_sheet(name[:31])
        ws.append(list(columns))
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for r in rows:
            ws.append([text_as_text(ws, xml_safe(unguarded(v))) for v in r])
        ws.freeze_panes = "A2"
        for i, col in enumerate(columns, start=1):
            ws.column_dimensions[ws.cell(1, i).column_letter].width = max(10, len(col) + 2)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
