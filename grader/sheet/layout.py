"""Turn a validated template and its parameters into concrete geometry.

This is the one place where coordinates are computed. The printer draws what
:func:`layout_sheet` returns, the reader crops what it returns and the feedback
image frames what it returns, so the three can never disagree.
All coordinates are millimetres from the page's top-left corner.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Iterator

from grader.errors import GraderError
from grader.sheet.schema import (CheckboxBlock, NoteBlock, PairGridBlock, TableBlock, TemplateSpec)

TITLE_H_MM = 6.0
COLUMN_HEADER_H_MM = 5.0
HEADING_ROW_H_MM = 6.0
EMPTY_COLUMN_ID = "KK"  # IV.KK: the kolom kosong of a single-pair contest


@dataclass(frozen=True)
class Rect:
    """An axis-aligned rectangle in millimetres."""

    x: float
    y: float
    w: float
    h: float

    @property
    def x2(self) -> float:
        return self.x + self.w

    @property
    def y2(self) -> float:
        return self.y + self.h

    @property
    def center(self) -> tuple[float, float]:
        return self.x + self.w / 2, self.y + self.h / 2

    def to_px(self, px_per_mm: float) -> tuple[int, int, int, int]:
        """``(x, y, w, h)`` in whole pixels at ``px_per_mm``."""
        x0, y0 = round(self.x * px_per_mm), round(self.y * px_per_mm)
        return x0, y0, round(self.x2 * px_per_mm) - x0, round(self.y2 * px_per_mm) - y0

    def grow(self, mm: float) -> "Rect":
        return Rect(self.x - mm, self.y - mm, self.w + 2 * mm, self.h + 2 * mm)

    def overlaps(self, other: "Rect") -> bool:
        return self.x < other.x2 and other.x < self.x2 and self.y < other.y2 and other.y < self.y2

    @staticmethod
    def union(rects: "list[Rect] | tuple[Rect, ...]") -> "Rect":
        x, y = min(r.x for r in rects), min(r.y for r in rects)
        return Rect(x, y, max(r.x2 for r in rects) - x, max(r.y2 for r in rects) - y)


@dataclass(frozen=True)
class FieldLayout:
    """One field on a page.

    ``kind`` is ``digits``, ``bubbles``, ``tally``, ``text`` or ``checkbox``.
    ``boxes`` holds the digit boxes (or the single checkbox / text line);
    ``bubbles[i][d]`` is the bubble for digit ``d`` in column ``i``;
    ``cells`` are the tally cells. ``mirrors`` names the digits field whose
    number a bubbles or tally field repeats.
    """

    id: str
    kind: str
    section: str
    label: str
    page: int
    boxes: tuple[Rect, ...] = ()
    bubbles: tuple[tuple[Rect, ...], ...] = ()
    cells: tuple[Rect, ...] = ()
    mirrors: str | None = None
    graded: bool = True
    label_en: str | None = None     # the template's English gloss of ``label``, when it has one

    @property
    def rect(self) -> Rect:
        parts = list(self.boxes) + list(self.cells) + [b for col in self.bubbles for b in col]
        return Rect.union(parts)

    @property
    def largest_value(self) -> int | None:
        """The largest number the field can hold: 999 in three boxes or three bubble columns, five strokes a tally
        cell; None for a text line or a checkbox."""
        if self.kind == "digits":
            return 10 ** len(self.boxes) - 1
        if self.kind == "bubbles":
            return 10 ** len(self.bubbles) - 1
        if self.kind == "tally":
            return 5 * len(self.cells)
        return None

    def cell_place(self, index: int) -> tuple[int, int]:
        """Where tally cell ``index`` (layout order) lies in its grid, as people count it: (row, column), from 1,
        rows from the top and columns from the left, as the printed cells stand."""
        cell = self.cells[index]
        rows = sorted({round(c.y, 3) for c in self.cells})
        cols = sorted({round(c.x, 3) for c in self.cells})
        return rows.index(round(cell.y, 3)) + 1, cols.index(round(cell.x, 3)) + 1


@dataclass(frozen=True)
class Label:
    """Printed text. ``slot`` names text filled at print time (exercise code, trainee name)."""

    text: str
    x: float
    y: float
    size_mm: float
    bold: bool = False
    mono: bool = False
    anchor: str = "lm"   # Pillow text anchor: horizontal l/m/r, vertical t/m/s
    gray: int = 0
    slot: str | None = None
    max_w_mm: float | None = None   # a slot's text is shrunk (then cut) to fit this width, e.g. its printed line
    max_h_mm: float | None = None   # ... and may take two lines where this is tall enough for them


@dataclass(frozen=True)
class Line:
    x1: float
    y1: float
    x2: float
    y2: float
    width_mm: float = 0.2
    gray: int = 0


@dataclass(frozen=True)
class Marker:
    id: int
    rect: Rect

    @property
    def corners(self) -> tuple[tuple[float, float], ...]:
        """Corners clockwise from top-left, as ArUco reports them on an upright page."""
        r = self.rect
        return (r.x, r.y), (r.x2, r.y), (r.x2, r.y2), (r.x, r.y2)


@dataclass(frozen=True)
class PageLayout:
    number: int
    width_mm: float
    height_mm: float
    markers: tuple[Marker, ...]
    qr: Rect
    fields: tuple[FieldLayout, ...]
    labels: tuple[Label, ...]
    lines: tuple[Line, ...]
    frames: tuple[tuple[Rect, float], ...] = ()   # printed rectangles (box borders, cells), with line width


@dataclass(frozen=True)
class SheetLayout:
    """A template instantiated for one contest and number of pairs."""

    spec: TemplateSpec
    contest: str
    pairs: int
    pages: tuple[PageLayout, ...]
    pair_ids: tuple[str, ...] = field(default=())

    @property
    def px_per_mm(self) -> float:
        return self.spec.read_px_per_mm

    def fields(self) -> Iterator[FieldLayout]:
        for page in self.pages:
            yield from page.fields

    def field(self, field_id: str) -> FieldLayout:
        for f in self.fields():
            if f.id == field_id:
                return f
        raise KeyError(field_id)

    def number_fields(self) -> list[FieldLayout]:
        """Graded digit fields: the ones an answer key gives a value for."""
        return [f for f in self.fields() if f.kind == "digits" and f.graded]


def validate_params(spec: TemplateSpec, contest: str | None, pairs: int | None) -> tuple[str, int]:
    """Fill defaults and check the template parameters, with a clear message."""
    contest = contest or spec.default_contest
    pairs = spec.default_pairs if pairs is None else pairs
    if contest not in spec.contests:
        raise GraderError("bad_parameter", f"contest must be one of {', '.join(spec.contests)}, got '{contest}'",
                          f"Jenis pemilihan harus salah satu dari {', '.join(spec.contests)}")
    if not spec.pairs_min <= pairs <= spec.pairs_max:
        raise GraderError("bad_parameter", f"pairs must be {spec.pairs_min}..{spec.pairs_max}, got {pairs}",
                          f"Jumlah paslon harus {spec.pairs_min} sampai {spec.pairs_max}")
    return contest, pairs


def pair_ids_for(pairs: int) -> tuple[str, ...]:
    """Section IV field ids: one per pair, plus the kolom kosong when there is a single pair."""
    ids = tuple(str(n) for n in range(1, pairs + 1))
    return ids + (EMPTY_COLUMN_ID,) if pairs == 1 else ids


def layout_sheet(spec: TemplateSpec, *, contest: str | None = None, pairs: int | None = None) -> SheetLayout:
    """Compute every page's geometry for ``contest`` and ``pairs``."""
    contest, pairs = validate_params(spec, contest, pairs)
    pids = pair_ids_for(pairs)
    pages = tuple(_layout_page(spec, page, contest, pids, len(spec.pages)) for page in spec.pages)
    return SheetLayout(spec=spec, contest=contest, pairs=pairs, pages=pages, pair_ids=pids)


def shared_layout(spec: TemplateSpec, *, contest: str | None = None, pairs: int | None = None) -> SheetLayout:
    """:func:`layout_sheet`, computed once per template object and parameters, then shared: a layout is
    immutable, and the photo reader needs one for every photo."""
    return _shared_layout(_Same(spec), contest, pairs)


class _Same:
    """A cache key that is its object, by identity (a template holds dicts, so it has no hash of its own)."""

    __slots__ = ("obj",)

    def __init__(self, obj: object):
        self.obj = obj

    def __hash__(self) -> int:
        return id(self.obj)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Same) and other.obj is self.obj


@functools.lru_cache(maxsize=32)
def _shared_layout(spec: _Same, contest: str | None, pairs: int | None) -> SheetLayout:
    # (the cache holds the template while its layout is cached, so no other object can take its id)
    return layout_sheet(spec.obj, contest=contest, pairs=pairs)


class _PageBuilder:
    def __init__(self, spec: TemplateSpec, number: int):
        self.spec = spec
        self.number = number
        self.fields: list[FieldLayout] = []
        self.labels: list[Label] = []
        self.lines: list[Line] = []
        self.frames: list[tuple[Rect, float]] = []
        self.text_mm = spec.style["text"]["size_mm"]
        self.section_bottoms: dict[str, float] = {}

    def text(self, text: str, x: float, y: float, *, scale: float = 1.0, **kw) -> None:
        self.labels.append(Label(text, x, y, self.text_mm * scale, **kw))

    def digit_boxes(self, x: float, y: float, n: int) -> tuple[Rect, ...]:
        box = self.spec.style["digit_box"]
        rects = tuple(Rect(x + i * box["w_mm"], y, box["w_mm"], box["h_mm"]) for i in range(n))
        for r in rects:
            self.frames.append((r, box["line_mm"]))
        return rects

    def bubble_columns(self, boxes: tuple[Rect, ...]) -> tuple[tuple[Rect, ...], ...]:
        b = self.spec.style["bubble"]
        cols = []
        for box in boxes:
            cx = box.center[0]
            col = tuple(Rect(cx - b["d_mm"] / 2, box.y2 + b["gap_mm"] + d * b["pitch_mm"], b["d_mm"], b["d_mm"])
                        for d in range(10))
            for d, r in enumerate(col):
                self.labels.append(Label(str(d), *r.center, size_mm=b["d_mm"] * 0.62, anchor="mm", gray=150))
            cols.append(col)
        return tuple(cols)


def _layout_page(spec: TemplateSpec, page_spec, contest: str, pids: tuple[str, ...], n_pages: int) -> PageLayout:
    pb = _PageBuilder(spec, page_spec.number)
    _layout_header(pb, spec, contest, n_pages)
    for block in page_spec.blocks:
        if isinstance(block, TableBlock):
            _layout_table(pb, block)
        elif isinstance(block, PairGridBlock):
            _layout_pairs(pb, block, pids)
        elif isinstance(block, CheckboxBlock):
            box = Rect(block.at[0], block.at[1], block.size_mm, block.size_mm)
            pb.frames.append((box, spec.style["digit_box"]["line_mm"]))
            pb.fields.append(FieldLayout(block.id, "checkbox", block.section, block.label, pb.number, boxes=(box,),
                                         graded=False))
            pb.text(block.label, box.x2 + 3, box.center[1])
        elif isinstance(block, NoteBlock):
            for i, line in enumerate(block.lines):
                pb.text(line, block.at[0], block.at[1] + i * pb.text_mm * 1.5, scale=0.9, gray=60)
    size, inset = spec.marker_size_mm, spec.marker_inset_mm
    w, h = spec.page_w_mm, spec.page_h_mm
    origins = [(inset, inset), (w - inset - size, inset), (w - inset - size, h - inset - size), (inset, h - inset - size)]
    base = spec.marker_ids_per_page * (page_spec.number - 1)
    markers = tuple(Marker(base + k, Rect(x, y, size, size)) for k, (x, y) in enumerate(origins))
    q = spec.header["qr"]
    return PageLayout(number=page_spec.number, width_mm=w, height_mm=h, markers=markers,
                      qr=Rect(q["x_mm"], q["y_mm"], q["size_mm"], q["size_mm"]),
                      fields=tuple(pb.fields), labels=tuple(pb.labels), lines=tuple(pb.lines), frames=tuple(pb.frames))


def _layout_header(pb: _PageBuilder, spec: TemplateSpec, contest: str, n_pages: int) -> None:
    h = spec.header
    pb.text(spec.title_id, *h["title_at"], scale=1.35, bold=True)
    pb.text(f"{spec.contest_names[contest]}  ·  Halaman {pb.number} dari {n_pages}", *h["subtitle_at"], scale=0.95)
    pb.text("", *h["ident_at"], mono=True, slot="ident")
    t = h["trainee"]
    pb.text(t["label"], *t["label_at"])
    boxes = pb.digit_boxes(*t["boxes_at"], t["boxes"])
    pb.fields.append(FieldLayout(t["id"], "digits", "H", t["label"], pb.number, boxes=boxes, graded=False))
    if t.get("hint_at"):
        # (filled on a personalised sheet only: its printed name had a number beside it and empty boxes, with no word
        # of whether to write it; written, it names the trainee should the QR not be read)
        pb.text("", *t["hint_at"], scale=0.9, gray=40, slot="trainee_hint", max_w_mm=boxes[0].x - t["hint_at"][0] - 1)
    n = h["name"]
    pb.text(n["label"], *n["label_at"])
    line = n["line"]
    rect = Rect(line["x_mm"], line["y_mm"], line["w_mm"], line["h_mm"])
    pb.lines.append(Line(rect.x, rect.y2, rect.x2, rect.y2, 0.25))
    pb.fields.append(FieldLayout(n["id"], "text", "H", n["label"], pb.number, boxes=(rect,), graded=False))
    pb.text("", rect.x + 1, rect.y + rect.h * 0.55, mono=False, slot="trainee_name", max_w_mm=rect.w - 2,
            max_h_mm=rect.h)


def _layout_table(pb: _PageBuilder, block: TableBlock) -> None:
    box = pb.spec.style["digit_box"]
    if block.top_mm is not None:
        y = block.top_mm
    else:
        if block.top_after not in pb.section_bottoms:
            raise GraderError("bad_template", f"table {block.section} is placed after section "
                              f"'{block.top_after}', which is not earlier on the same page")
        y = pb.section_bottoms[block.top_after] + block.gap_mm
    pb.text(block.title, block.label_x_mm, y + TITLE_H_MM / 2, scale=1.1, bold=True)
    y += TITLE_H_MM
    n_boxes = 3
    width = n_boxes * box["w_mm"]
    right = max(c.x_mm for c in block.columns) + width
    if any(c.key for c in block.columns):
        for c in block.columns:
            pb.text(c.label, c.x_mm + width / 2, y + COLUMN_HEADER_H_MM / 2, scale=0.85, anchor="mm", bold=True)
        y += COLUMN_HEADER_H_MM
    for row in block.rows:
        if row.heading:
            pb.text(row.label, block.label_x_mm, y + HEADING_ROW_H_MM / 2, bold=True, scale=0.95)
            y += HEADING_ROW_H_MM
            continue
        pb.text(row.label, block.label_x_mm + 2, y + block.row_pitch_mm / 2, bold=row.emphasis)
        top = y + (block.row_pitch_mm - box["h_mm"]) / 2
        for c in block.columns:
            fid = f"{row.id}.{c.key}" if c.key else row.id
            boxes = pb.digit_boxes(c.x_mm, top, n_boxes)
            label = f"{row.label} ({c.key})" if c.key else row.label
            label_en = row.label_en and (f"{row.label_en} ({c.key})" if c.key else row.label_en)
            pb.fields.append(FieldLayout(fid, "digits", block.section, label, pb.number, boxes=boxes,
                                         label_en=label_en))
        y += block.row_pitch_mm
        pb.lines.append(Line(block.label_x_mm, y, right, y, 0.15, gray=170))
    pb.section_bottoms[block.section] = y


def _layout_pairs(pb: _PageBuilder, block: PairGridBlock, pids: tuple[str, ...]) -> None:
    cell = pb.spec.style["tally_cell"]
    pb.text(block.title, block.origin[0], block.top_mm + TITLE_H_MM / 2, scale=1.1, bold=True)
    bottom = block.origin[1]
    for i, pid in enumerate(pids):
        ox = block.origin[0] + (i % block.columns) * block.col_pitch_mm
        oy = block.origin[1] + (i // block.columns) * block.row_pitch_mm
        name = block.empty_column_label if pid == EMPTY_COLUMN_ID else block.pair_label.format(n=pid)
        name_en = block.empty_column_label_en if pid == EMPTY_COLUMN_ID else (
            block.pair_label_en and block.pair_label_en.format(n=pid))
        fid = f"{block.section}.{pid}"
        pb.text(name, ox, oy + 2, scale=1.05, bold=True)
        tx, ty = ox + block.tally_offset_mm[0], oy + block.tally_offset_mm[1]
        cells = tuple(Rect(tx + c * cell["w_mm"], ty + r * cell["h_mm"], cell["w_mm"], cell["h_mm"])
                      for r in range(block.tally_rows) for c in range(block.tally_cols))
        for r in cells:
            pb.frames.append((r, cell["line_mm"]))
        pb.text("Turus (hitung per lima)", tx + block.tally_cols * cell["w_mm"], oy + 2, scale=0.7, anchor="rm",
                gray=90)
        boxes = pb.digit_boxes(ox + block.digits_offset_mm[0], oy + block.digits_offset_mm[1], block.boxes)
        bubbles = pb.bubble_columns(boxes)
        pb.text("Angka", boxes[-1].x2 + 1.5, boxes[0].center[1], scale=0.75, gray=90)
        pb.text("Bulatan", boxes[-1].x2 + 1.5, bubbles[0][0].y + 2, scale=0.75, gray=90)
        pb.fields.append(FieldLayout(fid, "digits", block.section, f"Suara {name}", pb.number, boxes=boxes,
                                     label_en=name_en and f"Votes, {name_en}"))
        pb.fields.append(FieldLayout(f"{fid}.bubbles", "bubbles", block.section, f"Bulatan {name}", pb.number,
                                     bubbles=bubbles, mirrors=fid, label_en=name_en and f"Bubbles, {name_en}"))
        pb.fields.append(FieldLayout(f"{fid}.tally", "tally", block.section, f"Turus {name}", pb.number,
                                     cells=cells, mirrors=fid, label_en=name_en and f"Tally, {name_en}"))
        bottom = max(bottom, oy + block.row_pitch_mm)
    pb.section_bottoms[block.section] = bottom


def layout_problems(layout: SheetLayout) -> list[str]:
    """Geometric sanity checks: fields must not overlap each other, the markers or the QR, and must stay on paper."""
    problems = []
    for page in layout.pages:
        keep_out = [(f"marker {m.id}", m.rect.grow(1.0)) for m in page.markers] + [("QR code", page.qr.grow(1.0))]
        fields = list(page.fields)
        for i, f in enumerate(fields):
            r = f.rect
            if r.x < 0 or r.y < 0 or r.x2 > page.width_mm or r.y2 > page.height_mm:
                problems.append(f"page {page.number}: {f.id} leaves the paper")
            for name, k in keep_out:
                if r.overlaps(k):
                    problems.append(f"page {page.number}: {f.id} overlaps {name}")
            for g in fields[i + 1:]:
                if r.overlaps(g.rect):
                    problems.append(f"page {page.number}: {f.id} overlaps {g.id}")
    return problems
