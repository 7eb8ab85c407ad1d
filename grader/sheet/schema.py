"""Load and validate practice-sheet templates (``templates/*.yaml``).

A template is data: its schema is enforced here, and every problem is raised as
a :class:`~grader.errors.TemplateError` naming the file, the key path and what
is wrong, so a template author never sees a traceback.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from grader.errors import GraderError, TemplateError

TEMPLATES_DIR = Path(__file__).resolve().parents[2] / "templates"

MIN_DIGIT_BOX_MM = 7.0
FIELD_ID_RE = re.compile(r"^[A-Z][A-Z0-9]*(\.[A-Za-z0-9{}]+)*$")
RULE_CHECK_RE = re.compile(r"^\s*(?P<lhs>[^<=]+?)\s*(?P<op>==|<=)\s*(?P<rhs>[^<=]+?)\s*$")
BLOCK_TYPES = ("table", "pair_grid", "checkbox", "note")


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    x_mm: float


@dataclass(frozen=True)
class Row:
    id: str | None
    label: str
    heading: bool = False
    emphasis: bool = False
    label_en: str | None = None     # an English gloss, for pages read in English (the sheet prints ``label``)


@dataclass(frozen=True)
class TableBlock:
    section: str
    title: str
    label_x_mm: float
    columns: tuple[Column, ...]
    row_pitch_mm: float
    rows: tuple[Row, ...]
    top_mm: float | None = None
    top_after: str | None = None
    gap_mm: float = 2.0
    type: str = "table"


@dataclass(frozen=True)
class PairGridBlock:
    section: str
    title: str
    top_mm: float
    origin: tuple[float, float]
    columns: int
    col_pitch_mm: float
    row_pitch_mm: float
    pair_label: str
    empty_column_label: str
    tally_cols: int
    tally_rows: int
    tally_offset_mm: tuple[float, float]
    digits_offset_mm: tuple[float, float]
    boxes: int
    type: str = "pair_grid"
    pair_label_en: str | None = None            # English glosses of the two labels above
    empty_column_label_en: str | None = None


@dataclass(frozen=True)
class CheckboxBlock:
    id: str
    section: str
    at: tuple[float, float]
    size_mm: float
    label: str
    type: str = "checkbox"


@dataclass(frozen=True)
class NoteBlock:
    at: tuple[float, float]
    lines: tuple[str, ...]
    type: str = "note"


Block = TableBlock | PairGridBlock | CheckboxBlock | NoteBlock


@dataclass(frozen=True)
class PageSpec:
    number: int
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class RuleSpec:
    """One arithmetic rule before ``foreach`` expansion."""

    id: str
    severity: str
    check: str
    text_id: str
    text_en: str
    foreach: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # its left side is a total the trainee adds up from the right (not a number copied from the exercise, as the
    # ballots received are): a total written without one of its terms can be said to leave that term out
    summed: bool = False


@dataclass(frozen=True)
class TemplateSpec:
    """A validated template. Geometry is turned into rectangles by :mod:`grader.sheet.layout`."""

    id: str
    version: int
    title_id: str
    title_en: str
    contests: tuple[str, ...]
    default_contest: str
    contest_names: dict[str, str]
    pairs_min: int
    pairs_max: int
    default_pairs: int
    page_w_mm: float
    page_h_mm: float
    read_px_per_mm: float
    marker_dictionary: str
    marker_size_mm: float
    marker_inset_mm: float
    marker_ids_per_page: int
    style: dict[str, dict[str, float]]
    header: dict[str, Any]
    pages: tuple[PageSpec, ...]
    rules: tuple[RuleSpec, ...]
    source: str = ""


class _Reader:
    """Typed access into a YAML mapping that reports the full key path on error."""

    def __init__(self, source: str):
        self.source = source

    def fail(self, key: str, problem: str) -> TemplateError:
        return TemplateError(self.source, key, problem)

    def get(self, data: Any, key: str, path: str, kind: type | tuple, *, default: Any = ...) -> Any:
        full = f"{path}.{key}" if path else key
        if not isinstance(data, dict):
            raise self.fail(path, "must be a mapping")
        if key not in data:
            if default is ...:
                raise self.fail(full, "is required but missing")
            return default
        value = data[key]
        kinds = kind if isinstance(kind, tuple) else (kind,)
        if float in kinds and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if isinstance(value, bool) and bool not in kinds:
            raise self.fail(full, f"must be {_kind_name(kinds)}, got {value!r}")
        if not isinstance(value, kinds):
            raise self.fail(full, f"must be {_kind_name(kinds)}, got {type(value).__name__} {value!r}")
        return value

    def number(self, data: Any, key: str, path: str, *, positive: bool = True, default: Any = ...) -> float:
        value = self.get(data, key, path, float, default=default)
        if value is not None and positive and value <= 0:
            raise self.fail(f"{path}.{key}", f"must be a positive number, got {value}")
        return value

    def point(self, data: Any, key: str, path: str) -> tuple[float, float]:
        value = self.get(data, key, path, list)
        if len(value) != 2 or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value):
            raise self.fail(f"{path}.{key}", f"must be a pair of numbers [x_mm, y_mm], got {value!r}")
        return float(value[0]), float(value[1])

    def field_id(self, data: Any, key: str, path: str) -> str:
        value = self.get(data, key, path, str)
        if not FIELD_ID_RE.match(value):
            raise self.fail(f"{path}.{key}", f"'{value}' is not a valid field id (like I.A.1 or V.B)")
        return value


def _kind_name(kinds: tuple) -> str:
    names = {str: "a string", int: "an integer", float: "a number", list: "a list", dict: "a mapping", bool: "true/false"}
    return " or ".join(names.get(k, k.__name__) for k in kinds)


def load_template(path: str | Path) -> TemplateSpec:
    """Read and validate one template file.

    Raises
    ------
    TemplateError
        If the file is missing, is not YAML, or breaks the schema.
    """
    path = Path(path)
    source = path.name
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise TemplateError(source, "", f"file not found at {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise TemplateError(source, "", f"cannot read file ({exc})") from None
    return _parse_text(text, source)


@functools.lru_cache(maxsize=16)
def _parse_text(text: str, source: str) -> TemplateSpec:
    """Parse one template's text, once per text: every regrade of a stored result resolves its template, and
    parsing the YAML took half a regrade's time. Keyed by the text, so an edited file is parsed anew. (The spec is
    frozen; nothing may change it.)"""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else "?"
        raise TemplateError(source, where, f"not valid YAML ({getattr(exc, 'problem', exc)})") from None
    return parse_template(data, source=source)


def parse_template(data: Any, *, source: str = "<template>") -> TemplateSpec:
    """Validate an already-parsed template mapping. See :func:`load_template`."""
    r = _Reader(source)
    if not isinstance(data, dict):
        raise r.fail("", "the file must hold a mapping at the top level")
    tid = r.get(data, "id", "", str)
    if not re.match(r"^[a-z0-9][a-z0-9-]*$", tid):
        raise r.fail("id", f"'{tid}' must be lowercase letters, digits and dashes")
    version = r.get(data, "version", "", int)
    title = r.get(data, "title", "", dict)
    params = r.get(data, "parameters", "", dict)
    contest = r.get(params, "contest", "parameters", dict)
    contests = tuple(r.get(contest, "choices", "parameters.contest", list))
    default_contest = r.get(contest, "default", "parameters.contest", str)
    if default_contest not in contests:
        raise r.fail("parameters.contest.default", f"'{default_contest}' is not one of {list(contests)}")
    contest_names = r.get(data, "contest_names", "", dict)
    for c in contests:
        if c not in contest_names:
            raise r.fail(f"contest_names.{c}", "is required for every contest choice")
    pairs = r.get(params, "pairs", "parameters", dict)
    pmin = r.get(pairs, "min", "parameters.pairs", int)
    pmax = r.get(pairs, "max", "parameters.pairs", int)
    pdef = r.get(pairs, "default", "parameters.pairs", int)
    if not 1 <= pmin <= pdef <= pmax:
        raise r.fail("parameters.pairs", f"need 1 <= min <= default <= max, got {pmin}, {pdef}, {pmax}")

    page = r.get(data, "page", "", dict)
    markers = r.get(data, "markers", "", dict)
    inset = r.number(markers, "inset_mm", "markers")
    if inset < 8:
        raise r.fail("markers.inset_mm", f"must be at least 8 mm from the paper edge, got {inset}")
    dictionary = r.get(markers, "dictionary", "markers", str)
    if not dictionary.startswith("DICT_"):
        raise r.fail("markers.dictionary", f"'{dictionary}' is not an OpenCV ArUco dictionary name")

    style = _parse_style(r, r.get(data, "style", "", dict))
    header = _parse_header(r, r.get(data, "header", "", dict))
    pages_data = r.get(data, "pages", "", list)
    if not pages_data:
        raise r.fail("pages", "must list at least one page")
    pages = tuple(_parse_page(r, p, f"pages[{i}]") for i, p in enumerate(pages_data))
    numbers = [p.number for p in pages]
    if numbers != list(range(1, len(pages) + 1)):
        raise r.fail("pages", f"page numbers must be 1..{len(pages)} in order, got {numbers}")
    rules = tuple(_parse_rule(r, x, f"rules[{i}]") for i, x in enumerate(r.get(data, "rules", "", list, default=[])))
    ids = [x.id for x in rules]
    if len(set(ids)) != len(ids):
        dup = sorted({i for i in ids if ids.count(i) > 1})
        raise r.fail("rules", f"duplicate rule id(s): {dup}")

    return TemplateSpec(
        id=tid, version=version,
        title_id=r.get(title, "id", "title", str), title_en=r.get(title, "en", "title", str),
        contests=contests, default_contest=default_contest, contest_names=dict(contest_names),
        pairs_min=pmin, pairs_max=pmax, default_pairs=pdef,
        page_w_mm=r.number(page, "width_mm", "page"), page_h_mm=r.number(page, "height_mm", "page"),
        read_px_per_mm=r.number(page, "read_px_per_mm", "page"),
        marker_dictionary=dictionary, marker_size_mm=r.number(markers, "size_mm", "markers"),
        marker_inset_mm=inset, marker_ids_per_page=r.get(markers, "ids_per_page", "markers", int),
        style=style, header=header, pages=pages, rules=rules, source=source,
    )


def _parse_style(r: _Reader, style: dict) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    wanted = {"digit_box": ("w_mm", "h_mm", "line_mm"), "bubble": ("d_mm", "pitch_mm", "gap_mm", "line_mm"),
              "tally_cell": ("w_mm", "h_mm", "line_mm")}
    for name, keys in wanted.items():
        part = r.get(style, name, "style", dict)
        out[name] = {k: r.number(part, k, f"style.{name}") for k in keys}
    box = out["digit_box"]
    for k in ("w_mm", "h_mm"):
        if box[k] < MIN_DIGIT_BOX_MM:
            raise r.fail(f"style.digit_box.{k}", f"digit boxes must be at least {MIN_DIGIT_BOX_MM} mm, got {box[k]}")
    out["text"] = {"size_mm": r.number(style, "text_size_mm", "style")}
    return out


def _parse_header(r: _Reader, h: dict) -> dict[str, Any]:
    qr = r.get(h, "qr", "header", dict)
    trainee = r.get(h, "trainee", "header", dict)
    name = r.get(h, "name", "header", dict)
    line = r.get(name, "line", "header.name", dict)
    return {
        "title_at": r.point(h, "title_at", "header"),
        "subtitle_at": r.point(h, "subtitle_at", "header"),
        "ident_at": r.point(h, "ident_at", "header"),
        "qr": {k: r.number(qr, k, "header.qr") for k in ("x_mm", "y_mm", "size_mm")},
        "trainee": {
            "id": r.field_id(trainee, "id", "header.trainee"),
            "label": r.get(trainee, "label", "header.trainee", str),
            "label_at": r.point(trainee, "label_at", "header.trainee"),
            "boxes_at": r.point(trainee, "boxes_at", "header.trainee"),
            "boxes": r.get(trainee, "boxes", "header.trainee", int),
            # (optional: where a personalised sheet says what to write in the boxes, "(tulis 104)")
            "hint_at": r.point(trainee, "hint_at", "header.trainee") if "hint_at" in trainee else None,
        },
        "name": {
            "id": r.field_id(name, "id", "header.name"),
            "label": r.get(name, "label", "header.name", str),
            "label_at": r.point(name, "label_at", "header.name"),
            "line": {k: r.number(line, k, "header.name.line") for k in ("x_mm", "y_mm", "w_mm", "h_mm")},
        },
    }


def _parse_page(r: _Reader, p: Any, path: str) -> PageSpec:
    number = r.get(p, "number", path, int)
    blocks = r.get(p, "blocks", path, list)
    return PageSpec(number=number, blocks=tuple(_parse_block(r, b, f"{path}.blocks[{i}]") for i, b in enumerate(blocks)))


def _parse_block(r: _Reader, b: Any, path: str) -> Block:
    kind = r.get(b, "type", path, str)
    if kind not in BLOCK_TYPES:
        raise r.fail(f"{path}.type", f"unknown block type '{kind}'; expected one of {list(BLOCK_TYPES)}")
    if kind == "table":
        cols = r.get(b, "columns", path, list)
        if not cols:
            raise r.fail(f"{path}.columns", "must list at least one column")
        columns = tuple(Column(key=r.get(c, "key", f"{path}.columns[{i}]", str),
                               label=r.get(c, "label", f"{path}.columns[{i}]", str),
                               x_mm=r.number(c, "x_mm", f"{path}.columns[{i}]"))
                        for i, c in enumerate(cols))
        rows = []
        for i, row in enumerate(r.get(b, "rows", path, list)):
            rp = f"{path}.rows[{i}]"
            if isinstance(row, dict) and "heading" in row:
                rows.append(Row(id=None, label=r.get(row, "heading", rp, str), heading=True))
            else:
                rows.append(Row(id=r.field_id(row, "id", rp), label=r.get(row, "label", rp, str),
                                emphasis=r.get(row, "emphasis", rp, bool, default=False),
                                label_en=r.get(row, "label_en", rp, str, default=None)))
        top_mm = r.get(b, "top_mm", path, float, default=None)
        top_after = r.get(b, "top_after", path, str, default=None)
        if (top_mm is None) == (top_after is None):
            raise r.fail(path, "needs exactly one of top_mm or top_after")
        return TableBlock(section=r.get(b, "section", path, str), title=r.get(b, "title", path, str),
                          label_x_mm=r.number(b, "label_x_mm", path), columns=columns,
                          row_pitch_mm=r.number(b, "row_pitch_mm", path), rows=tuple(rows),
                          top_mm=top_mm, top_after=top_after, gap_mm=r.number(b, "gap_mm", path, default=2.0))
    if kind == "pair_grid":
        tally = r.get(b, "tally", path, dict)
        return PairGridBlock(
            section=r.get(b, "section", path, str), title=r.get(b, "title", path, str),
            top_mm=r.number(b, "top_mm", path), origin=r.point(b, "origin", path),
            columns=r.get(b, "columns", path, int), col_pitch_mm=r.number(b, "col_pitch_mm", path),
            row_pitch_mm=r.number(b, "row_pitch_mm", path), pair_label=r.get(b, "pair_label", path, str),
            empty_column_label=r.get(b, "empty_column_label", path, str),
            tally_cols=r.get(tally, "cols", f"{path}.tally", int), tally_rows=r.get(tally, "rows", f"{path}.tally", int),
            tally_offset_mm=r.point(b, "tally_offset_mm", path), digits_offset_mm=r.point(b, "digits_offset_mm", path),
            boxes=r.get(b, "boxes", path, int),
            pair_label_en=r.get(b, "pair_label_en", path, str, default=None),
            empty_column_label_en=r.get(b, "empty_column_label_en", path, str, default=None))
    if kind == "checkbox":
        return CheckboxBlock(id=r.field_id(b, "id", path), section=r.get(b, "section", path, str),
                             at=r.point(b, "at", path), size_mm=r.number(b, "size_mm", path),
                             label=r.get(b, "label", path, str))
    lines = r.get(b, "lines", path, list)
    return NoteBlock(at=r.point(b, "at", path), lines=tuple(str(x) for x in lines))


def _parse_rule(r: _Reader, x: Any, path: str) -> RuleSpec:
    rid = r.get(x, "id", path, str)
    severity = r.get(x, "severity", path, str)
    if severity not in ("error", "warning"):
        raise r.fail(f"{path}.severity", f"must be 'error' or 'warning', got '{severity}'")
    check = r.get(x, "check", path, str)
    if not RULE_CHECK_RE.match(check):
        raise r.fail(f"{path}.check", f"'{check}' must look like 'A + B == C' or 'A <= B'")
    foreach_raw = r.get(x, "foreach", path, dict, default={})
    foreach = {}
    for var, values in foreach_raw.items():
        if not isinstance(values, list) or not values:
            raise r.fail(f"{path}.foreach.{var}", "must be a non-empty list")
        foreach[var] = tuple(str(v) for v in values)
    used = set(re.findall(r"{(\w+)}", check))
    if used - set(foreach):
        raise r.fail(f"{path}.check", f"uses {sorted(used - set(foreach))} but foreach does not define it")
    text = r.get(x, "text", path, dict)
    return RuleSpec(id=rid, severity=severity, check=check, foreach=foreach,
                    text_id=r.get(text, "id", f"{path}.text", str), text_en=r.get(text, "en", f"{path}.text", str),
                    summed=r.get(x, "summed", path, bool, default=False))


def list_templates(directory: Path = TEMPLATES_DIR) -> list[Path]:
    """Template files shipped in ``directory``, sorted by name."""
    return sorted(directory.glob("*.yaml"))


def resolve_template(name_or_path: str) -> TemplateSpec:
    """Load a template by id (``chasil-kwk``) or by path to a YAML file."""
    p = Path(name_or_path)
    if p.suffix in (".yaml", ".yml") or p.exists():
        return load_template(p)
    candidate = TEMPLATES_DIR / f"{name_or_path}.yaml"
    if candidate.exists():
        return load_template(candidate)
    known = ", ".join(t.stem for t in list_templates()) or "none"
    # (a GraderError of the same code, not a TemplateError: no file was read, so no "file: key:" to point at)
    raise GraderError("bad_template", f"no such template {name_or_path!r} (known: {known}); name a template id or "
                                      "a .yaml file", f"Templat {name_or_path} tidak ada (yang ada: {known})")
