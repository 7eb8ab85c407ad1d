"""Download a class's results: sheets and fields as CSV, or both as one XLSX workbook."""
from __future__ import annotations

from flask import Response, abort, current_app

from grader.spreadsheet import to_csv, to_xlsx
from grader.web.classroom import latest_sheets, results_of
from grader.web.db import get_db
from grader.web.export import field_headers, field_rows, sheet_headers, sheet_rows
from grader.web.i18n import get_lang
from grader.web.i18n import gettext as _
from grader.web.trainer import bp
from grader.web.trainer.exercises import get_key

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _tables(code: str):
    """The exercise's key, then its sheets' and its fields' ``(header row, rows)``, in the trainer's language."""
    key = get_key(code)
    db = get_db()
    sheets = latest_sheets(db, key.exercise)
    results = results_of(db, [r["id"] for r in sheets], named_as=sheets)
    by_id = {row["id"]: res for row, res in results}
    # (the fields in the sheets' order, the class table's: by sheet id they ran 028, 109, 038…; helper-141)
    place = {r["id"]: n for n, r in enumerate(sheets)}
    results = sorted(results, key=lambda pair: place[pair[0]["id"]])
    zone, lang = current_app.config["TIMEZONE"], get_lang()
    inputs: dict[int, list] = {}
    for u in db.execute(f"SELECT submission_id, sent_in FROM uploads WHERE submission_id IN "
                        f"({','.join('?' * len(sheets))}) ORDER BY submission_id, position", [r["id"] for r in sheets]):
        inputs.setdefault(u["submission_id"], []).append(u["sent_in"])      # (who sent each page: export.sent_by)
    return key, (sheet_headers(lang), sheet_rows(sheets, by_id, lang=lang, zone=zone, inputs=inputs)), \
        (field_headers(lang), field_rows(results, lang=lang, zone=zone))


@bp.get("/latihan/<code>/ekspor/<what>.<ext>")
def export(code: str, what: str, ext: str):
    if (what, ext) not in {("lembar", "csv"), ("isian", "csv"), ("hasil", "xlsx")}:
        abort(404)
    key, sheets, fields = _tables(code)
    name = f"{key.exercise}-{what}.{ext}"
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    if ext == "xlsx":
        return Response(to_xlsx({_("lembar"): sheets, _("isian"): fields}), mimetype=XLSX, headers=headers)
    columns, rows = sheets if what == "lembar" else fields
    return Response(to_csv(columns, rows), content_type="text/csv; charset=utf-8", headers=headers)
