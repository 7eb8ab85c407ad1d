"""Printable practice sheets: the list of templates and their PDFs, rendered from the template."""
from __future__ import annotations

import io

from flask import Blueprint, abort, render_template, request, send_file

from grader.errors import GraderError
from grader.sheet.identity import SheetIdentity
from grader.sheet.layout import layout_sheet
from grader.sheet.render import render_sheet, write_pdf
from grader.sheet.schema import list_templates, load_template

bp = Blueprint("forms", __name__)
PRINT_DPI = 300


@bp.get("/forms/")
def index():
    templates = [load_template(p) for p in list_templates()]
    return render_template("forms/index.html", templates=templates)


@bp.get("/forms/<template_id>.pdf")
def form_pdf(template_id: str):
    paths = {p.stem: p for p in list_templates()}
    if template_id not in paths:
        abort(404)
    spec = load_template(paths[template_id])
    raw = (request.args.get("pairs") or "").strip()
    if raw and not (raw.isascii() and raw.isdigit()):       # (type=int would print the default 3 pairs)
        abort(400, "Jumlah paslon harus berupa angka, misalnya pairs=3.")
    try:
        pairs = int(raw) if raw else None
        sheet = layout_sheet(spec, contest=request.args.get("contest"), pairs=pairs)
    except GraderError as exc:
        abort(400, exc.message_id)
    exercise = (request.args.get("exercise") or "").strip().upper() or None
    ident = SheetIdentity(template=spec.id, version=spec.version, page=1, contest=sheet.contest,
                          pairs=sheet.pairs, exercise=exercise)
    buf = io.BytesIO()
    write_pdf(render_sheet(sheet, ident, dpi=PRINT_DPI), buf, dpi=PRINT_DPI)
    buf.seek(0)
    name = f"{spec.id}-{sheet.contest}-{sheet.pairs}paslon.pdf"
    return send_file(buf, mimetype="application/pdf", download_name=name)
