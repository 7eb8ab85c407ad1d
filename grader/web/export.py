"""Exports of a class's results: one table of sheets and one of fields, as CSV or XLSX.

Cells that a spreadsheet would run as a formula (starting with ``=``, ``+``,
``-``, ``@``) are prefixed with ``'`` when they come from user text.
"""
from __future__ import annotations

import csv
import io

from grader.batch import refusal_messages, refusals, retake_advised
from grader.grading.shown import sheet_scores, value_read
from grader.web.local_time import DEFAULT_ZONE, exported

SHEET_COLUMNS = ("trainee", "name", "state", "status", "score", "partial_score", "ok", "wrong", "review", "blank",
                 "unreadable", "attempts", "source", "submitted_at", "error", "refusal", "retake_advised")
FIELD_COLUMNS = ("trainee", "name", "field", "page", "section", "label", "kind", "value", "expected", "status",
                 "confidence", "notes", "trainee_says", "disputed_at", "corrected_by", "corrected_at")


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value):
    if isinstance(value, str) and value[:1] in FORMULA_START:
        return "'" + value
    return value


def _unguarded(value):
    """The text :func:`spreadsheet_safe` guarded, as typed: a workbook cell typed as text needs no guard, and
    Excel would show the apostrophe."""
    if isinstance(value, str) and value[:1] == "'" and value[1:2] in FORMULA_START:
        return value[1:]
    return value


def sheet_rows(sheets: list[dict], results: dict[int, dict] | None = None, *, lang: str = "id",
               zone: str = DEFAULT_ZONE) -> list[tuple]:
    """One row per sheet; ``results`` (sheet id -> result) fills the refused pages (``file=code``, as in
    ``grader grade``'s CSV, and their reasons in the ``error`` column) and the retake advice.

    The column names and codes stay the same in every language; the reasons in words (``error``) are in
    ``lang`` ("id" or "en"), the trainer's. Times carry ``zone``'s offset (:func:`~grader.web.local_time.exported`).
    A sheet with a page unread (``partial``) has no ``score``, as the class table shows none: its score over the
    pages read is ``partial_score``, so a spreadsheet's mean of ``score`` is the class mean."""
    results = results or {}
    return [tuple(spreadsheet_safe(v) for v in (
        r["trainee"] or r["group_key"], r["trainee_name"], r["state"], r["result_status"],
        *sheet_scores(r["result_status"], r["score"]), r["n_ok"], r["n_wrong"], r["n_review"], r["n_blank"],
        r["n_unreadable"], r["attempts"], r["source"], exported(r["created_at"], zone),
        r["error_" + lang] or " ".join(refusal_messages(results.get(r["id"]), lang=lang)) or None,
        refusals(results.get(r["id"])), retake_advised(results.get(r["id"])))) for r in sheets]



def field_rows(results: list[tuple[dict, dict]], *, zone: str = DEFAULT_ZONE) -> list[tuple]:
    out = []
    for row, res in results:
        who = row["trainee"] or row["group_key"]
        for f in res.get("fields") or []:
            out.append(tuple(spreadsheet_safe(v) for v in (
                who, row["trainee_name"], f.get("id"), f.get("page"), f.get("section"), f.get("label"),
                # (a field wrong by its sure boxes: what was read surely, "?41", never our guess at the rest)
                f.get("kind"), value_read(f), f.get("expected"), f.get("status"),
                f.get("confidence"),
                ";".join(f.get("notes") or ()), f.get("trainee_says"), exported(f.get("disputed_at"), zone),
                f.get("corrected_by"), exported(f.get("corrected_at"), zone))))
    return out


def to_csv(columns: tuple[str, ...], rows: list[tuple]) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(columns)
    w.writerows(rows)
    return buf.getvalue().encode("utf-8-sig")      # the BOM makes Excel read UTF-8 names correctly


def _xml_safe(value):
    """``value`` without the control characters a worksheet cannot hold (XML 1.0 forbids them): typed into a
    trainee's name, one of them made the whole class's XLSX export fail."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value


def to_xlsx(tables: dict[str, tuple[tuple[str, ...], list[tuple]]]) -> bytes:
    """One worksheet per ``name -> (columns, rows)``, with a bold, frozen header row."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    wb.remove(wb.active)
    for name, (columns, rows) in tables.items():
        ws = wb.create_sheet(name[:31])
        ws.append(list(columns))
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for r in rows:
            ws.append([_xml_safe(_unguarded(v)) for v in r])
            for cell in ws[ws.max_row]:
                if isinstance(cell.value, str):
                    cell.data_type = "s"      # text, never a formula: so no visible ' guard is needed here
        ws.freeze_panes = "A2"
        for i, col in enumerate(columns, start=1):
            ws.column_dimensions[ws.cell(1, i).column_letter].width = max(10, len(col) + 2)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
