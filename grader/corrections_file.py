"""A trainer's corrections for ``grader grade --corrections FILE``: the fields they checked on the marked pages, a CSV
with the fields CSV's own ``trainee``, ``field`` and ``value`` columns (its review rows, the value typed as the boxes
are written, "X47", "XXX" or empty for blank; ``files`` names a sheet that names nobody). Each sheet is graded again
with them, as the web's review queue grades it: a trainer on the command line could not settle a field left to
review, and a sheet's score stayed provisional (helper-150)."""
from __future__ import annotations

import csv
import io
from pathlib import Path

from grader.errors import GraderError
from grader.exercise.store import AnswerKey
from grader.grading.typed_value import parse_value
from grader.page_groups import normalise_id
from grader.result_rows import sheet_files
from grader.spreadsheet import CsvTextError, csv_delimiter, csv_text

REQUIRED = ("trainee", "field", "value")


def sheet_key(trainee: str | None, files: str | None) -> str | None:
    """How a correction names its sheet: the trainee as an id compares ("39" is "039"), else its files."""
    return normalise_id(trainee) if (trainee or "").strip() else (f"files:{files.strip()}" if files else None)


def read_corrections(path: Path) -> dict[str, dict[str, int | None]]:
    """``sheet key -> {field id: value}`` from the CSV at ``path`` (comma, semicolon or tab separated, as Excel saves
    it: :func:`grader.spreadsheet.csv_text`, as a roster is read); ``bad_usage`` naming the row for a value no boxes
    hold or a row that names no sheet."""
    what = f"--corrections {path}"
    try:
        text = csv_text(path.read_bytes())
    except OSError as exc:
        raise GraderError("bad_usage", f"{what}: cannot be opened ({exc.strerror or exc})") from None
    except CsvTextError as exc:
        raise GraderError("bad_usage", f"{what}: not a CSV text file" + (
            f" (line {exc.line} holds a damaged character)" if exc.line else "") + "; save it again as CSV UTF-8") \
            from None
    header = next((x for x in text.splitlines() if x.strip()), "")
    rows = csv.DictReader(io.StringIO(text, newline=""),
                          delimiter=csv_delimiter(header, tuple({c} for c in REQUIRED)))
    columns = {c.strip().lower(): c for c in rows.fieldnames or ()}
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        raise GraderError("bad_usage", f"{what}: no {', '.join(missing)} column; its header must name trainee, field "
                                       "and value (the fields CSV's own columns)")
    out: dict[str, dict[str, int | None]] = {}
    for n, row in enumerate(rows, start=2):
        get = {c: (row.get(columns[c]) or "").strip() for c in columns}
        key = sheet_key(get["trainee"], get.get("files"))
        ok, value = parse_value(get["value"])
        if key is None or not get["field"]:
            raise GraderError("bad_usage", f"{what}: row {n} names no sheet (trainee or files) or no field")
        if not ok:
            raise GraderError("bad_usage", f"{what}: row {n}: '{get['value']}' is no number as boxes hold it (47, X47, "
                                           "XXX, or empty for blank)")
        out.setdefault(key, {})[get["field"]] = value
    return out


def apply_corrections(results: list[dict], corrections: dict[str, dict[str, int | None]],
                      key: AnswerKey | None) -> tuple[list[dict], list[str]]:
    """``results`` graded again with the corrections that name them, and what named nothing ("017: IV.9", "090").
    A sheet's marked pages in its ``feedback_dir`` are drawn again, where its aligned pages were kept."""
    from grader.grading.feedback_files import redraw_feedback
    from grader.pipeline import regrade

    used, unknown, out = set(), [], []
    for r in results:
        k = sheet_key(r.get("trainee"), sheet_files(r))
        mine = corrections.get(k) if r.get("status") != "refused" else None
        if not mine:
            out.append(r)
            continue
        used.add(k)
        fields = {f["id"] for f in r.get("fields") or ()}
        unknown += [f"{k}: {fid}" for fid in mine if fid not in fields]
        known = {fid: v for fid, v in mine.items() if fid in fields}
        if known:
            r = regrade(r, known, key)
            if r.get("feedback_dir"):
                redraw_feedback(r, Path(r["feedback_dir"]))
        out.append(r)
    unknown += [k for k in corrections if k not in used]
    return out, unknown
