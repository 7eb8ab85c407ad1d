"""What a (simulated) trainee writes on a sheet: the key, their habits and their mistakes.

The answer key comes from :func:`grader.exercise.scenario.generate_exercise`.
A :class:`Writing` is everything written on both pages, box by box, so the
truth file can record exactly what a reader should read, and which mistakes
were planted on purpose.

Conventions (see ``sample_scans/README.md``):

* unused leading boxes get the writer's filler: ``X`` (most), ``-`` or ``0``;
  ``XXX`` means 0. A blank leading box (``""``) only appears as a planted
  ``blank_leading_box`` mistake;
* every bubble column gets exactly one bubble, leading positions included
  (bubble 0 above an ``X`` box), so the bubbles spell the zero-padded number;
* tally strokes fill cells left to right, top to bottom, five per cell.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from grader.sheet.layout import SheetLayout

MISTAKE_KINDS = ("wrong_count", "swapped_lp", "sum_off_by_one", "blank_leading_box", "tally_mismatch",
                 "bubbles_mismatch")
_FIRST_NAMES = ("Siti", "Budi", "Dewi", "Agus", "Sri", "Ahmad", "Nur", "Rina", "Joko", "Wahyu", "Yuli", "Eko",
                "Fitri", "Hendra", "Ani", "Rudi", "Lestari", "Bambang", "Putri", "Iwan", "Ratna", "Dedi", "Yanti")
_LAST_NAMES = ("Rahmawati", "Santoso", "Lestari", "Saputra", "Wulandari", "Hidayat", "Siregar", "Nasution",
               "Kurniawan", "Susanti", "Pratama", "Setiawan", "Harahap", "Marpaung", "Handayani", "Syahputra")


@dataclass
class Writing:
    """Everything one trainee wrote on one sheet (all pages).

    Attributes
    ----------
    fields : value per field id as written (digits, ``.bubbles``, ``.tally``,
        ``H.CHECK`` as 0/1); ``H.NAME`` is ``None`` (text, informational).
    boxes : per digits field, one string per box (``"0"``-``"9"``, ``"X"``,
        ``"-"``, ``""`` blank, ``"?"`` overwritten); per bubbles field, the
        filled digit per column.
    cells : per tally field, the stroke count per cell (only the used cells).
    overwritten : field id -> ``[(box index, old digit, new digit), ...]``.
    erased_bubbles : bubbles field -> ``[(column, digit), ...]``: faint smudges of an erased fill.
    mistakes : planted mistakes, ``{"kind", "fields", "expected", "written"}``.
    """

    key: dict[str, int]
    fields: dict[str, int | None]
    boxes: dict[str, list[str]]
    cells: dict[str, list[int]]
    overwritten: dict[str, list[tuple[int, str, str]]]
    erased_bubbles: dict[str, list[tuple[int, int]]]
    mistakes: list[dict]
    trainee: str
    trainee_name: str
    personalised: bool
    filler: str
    extra: dict = field(default_factory=dict)


def _digits_fields(sheet: SheetLayout) -> list:
    return [f for f in sheet.fields() if f.kind == "digits"]


def box_strings(value: int, n: int, filler: str) -> list[str]:
    """The boxes for ``value`` in ``n`` boxes with ``filler`` in unused leading boxes (``XXX`` is 0)."""
    s = "" if value == 0 else str(value)
    if len(s) > n:
        raise ValueError(f"{value} does not fit in {n} boxes")
    return [filler] * (n - len(s)) + list(s)


def tally_cells(count: int, n_cells: int) -> list[int]:
    """Strokes per cell: full groups of five, then the remainder."""
    full, rest = divmod(count, 5)
    cells = [5] * full + ([rest] if rest else [])
    if len(cells) > n_cells:
        raise ValueError(f"a tally of {count} does not fit in {n_cells} cells")
    return cells


def _plant(kind: str, written: dict[str, int], sheet: SheetLayout, rng: np.random.Generator,
           bubble_override: dict, tally_override: dict, blank_fields: set) -> dict | None:
    """Change ``written`` to carry one mistake of ``kind``; returns its record, or None if impossible."""
    key = dict(written)
    pair_fields = [f"IV.{p}" for p in sheet.pair_ids]
    rows = [f.id[:-2] for f in sheet.number_fields() if f.id.endswith(".L")]
    if kind == "wrong_count":
        counts = [f for f in written if (f.endswith((".L", ".P")) and ".4." not in f)] + pair_fields + \
                 ["II.1", "II.3", "V.B"]
        fid = counts[rng.integers(len(counts))]
        delta = int(rng.choice([-1, 1]) * rng.integers(1, 13))
        new = min(999, max(0, written[fid] + delta))
        cap = sheet.field(f"{fid}.tally").largest_value if fid in pair_fields else 999
        if new == written[fid] or new > cap:
            return None
        written[fid] = new
        return {"kind": kind, "fields": [fid], "expected": {fid: key[fid]}, "written": {fid: new}}
    if kind == "swapped_lp":
        cands = [r for r in rows if written[f"{r}.L"] != written[f"{r}.P"]]
        if not cands:
            return None
        r = cands[rng.integers(len(cands))]
        written[f"{r}.L"], written[f"{r}.P"] = written[f"{r}.P"], written[f"{r}.L"]
        fs = [f"{r}.L", f"{r}.P"]
        return {"kind": kind, "fields": fs, "expected": {f: key[f] for f in fs}, "written": {f: written[f] for f in fs}}
    if kind == "sum_off_by_one":
        sums = [f for f in written if f.endswith(".J") or ".4." in f] + ["II.2", "II.4", "V.A", "V.C"]
        fid = sums[rng.integers(len(sums))]
        new = written[fid] + (1 if written[fid] == 0 or rng.random() < 0.5 else -1)
        if new > 999:
            new = written[fid] - 1
        written[fid] = new
        return {"kind": kind, "fields": [fid], "expected": {fid: key[fid]}, "written": {fid: new}}
    if kind == "blank_leading_box":
        cands = [f for f, v in written.items() if v < 100 and f not in blank_fields]
        if not cands:
            return None
        fid = cands[rng.integers(len(cands))]
        blank_fields.add(fid)
        return {"kind": kind, "fields": [fid], "expected": {fid: key[fid]}, "written": {fid: written[fid]}}
    if kind in ("tally_mismatch", "bubbles_mismatch"):
        pid = pair_fields[rng.integers(len(pair_fields))]
        value = written[pid]
        if kind == "tally_mismatch":
            cap = sheet.field(f"{pid}.tally").largest_value
            delta = int(rng.choice([-1, 1]) * rng.integers(1, 6))
            new = min(cap, max(0, value + delta))
            if new == value or f"{pid}.tally" in tally_override:
                return None
            tally_override[f"{pid}.tally"] = new
            fs = [f"{pid}.tally", pid]
            return {"kind": kind, "fields": fs, "expected": {pid: key[pid]}, "written": {fs[0]: new, pid: value}}
        n = len(sheet.field(pid).boxes)
        cols = [int(c) for c in str(value).zfill(n)]
        i = int(rng.integers(n)) if value >= 10 else n - 1
        cols[i] = int((cols[i] + rng.integers(1, 10)) % 10)
        new = int("".join(map(str, cols)))
        if f"{pid}.bubbles" in bubble_override:
            return None
        bubble_override[f"{pid}.bubbles"] = new
        fs = [f"{pid}.bubbles", pid]
        return {"kind": kind, "fields": fs, "expected": {pid: key[pid]}, "written": {fs[0]: new, pid: value}}
    raise ValueError(f"unknown mistake kind {kind!r}")


def plan_writing(sheet: SheetLayout, key: dict[str, int], rng: np.random.Generator, *, mistake_rate: float = 0.0,
                 mistake_kinds: tuple[str, ...] = MISTAKE_KINDS, personalised: bool | None = None) -> Writing:
    """Decide everything a trainee writes on ``sheet`` for answer key ``key``.

    Parameters
    ----------
    sheet : the laid-out sheet.
    key : expected value of every graded digits field.
    rng : the random source (the whole plan is reproducible from it).
    mistake_rate : probability that the sheet carries planted mistakes (one, sometimes two).
    mistake_kinds : which kinds may be planted.
    personalised : whether the sheet was printed with the trainee's name and number
        (drawn at random when None).
    """
    written = dict(key)
    bubble_override: dict[str, int] = {}
    tally_override: dict[str, int] = {}
    blank_fields: set[str] = set()
    mistakes: list[dict] = []
    if mistake_kinds and rng.random() < mistake_rate:
        want = 1 if rng.random() < 0.75 else 2
        touched: set[str] = set()
        for _ in range(20):
            if len(mistakes) >= want:
                break
            kind = str(mistake_kinds[rng.integers(len(mistake_kinds))])
            # (a trial's marks are kept only with its record: a rejected one's tally or bubbles drawn anyway were a
            # mistake on the sheet that its truth did not list: helper-142)
            trial, bubbles, tallies, blanks = dict(written), dict(bubble_override), dict(tally_override), set(blank_fields)
            rec = _plant(kind, trial, sheet, rng, bubbles, tallies, blanks)
            if rec is None or touched & set(rec["fields"]):
                continue
            written, bubble_override, tally_override, blank_fields = trial, bubbles, tallies, blanks
            touched |= set(rec["fields"])
            mistakes.append(rec)

    filler = str(rng.choice(["X", "-", "0"], p=[0.8, 0.14, 0.06]))
    trainee_no = int(rng.integers(1, 150))
    name = f"{_FIRST_NAMES[rng.integers(len(_FIRST_NAMES))]} {_LAST_NAMES[rng.integers(len(_LAST_NAMES))]}"
    personalised = bool(rng.random() < 0.3) if personalised is None else personalised
    fields: dict[str, int | None] = {}
    boxes: dict[str, list[str]] = {}
    cells: dict[str, list[int]] = {}
    for f in _digits_fields(sheet):
        value = trainee_no if f.id == "H.TRAINEE" else written[f.id]
        fields[f.id] = value
        fill = filler if rng.random() > 0.03 else str(rng.choice(["X", "-"]))
        b = box_strings(value, len(f.boxes), fill)
        if f.id in blank_fields:
            lead = [i for i, c in enumerate(b) if c in ("X", "-", "0") and i < len(b) - len(str(value))]
            b[lead[0] if rng.random() < 0.7 or len(lead) == 1 else lead[-1]] = ""
        boxes[f.id] = b
    for f in sheet.fields():
        if f.kind == "bubbles":
            v = bubble_override.get(f.id, written[f.mirrors])
            fields[f.id] = v
            boxes[f.id] = list(str(v).zfill(len(f.bubbles)))
        elif f.kind == "tally":
            v = tally_override.get(f.id, written[f.mirrors])
            fields[f.id] = v
            cells[f.id] = tally_cells(v, len(f.cells))
        elif f.kind == "checkbox":
            fields[f.id] = int(rng.random() < 0.7)
        elif f.kind == "text":
            fields[f.id] = None

    overwritten: dict[str, list[tuple[int, str, str]]] = {}
    if rng.random() < 0.35:
        cands = [(fid, i) for fid, b in boxes.items() if not fid.endswith(".bubbles")
                 for i, c in enumerate(b) if c.isdigit()]
        for k in rng.choice(len(cands), size=min(len(cands), int(rng.integers(1, 3))), replace=False):
            fid, i = cands[int(k)]
            new = boxes[fid][i]
            old = str((int(new) + int(rng.integers(1, 10))) % 10)
            overwritten.setdefault(fid, []).append((i, old, new))
            boxes[fid][i] = "?"
    erased: dict[str, list[tuple[int, int]]] = {}
    for fid, b in boxes.items():
        if fid.endswith(".bubbles") and rng.random() < 0.12:
            col = int(rng.integers(len(b)))
            digit = int((int(b[col]) + rng.integers(1, 10)) % 10)
            erased[fid] = [(col, digit)]
    return Writing(key=dict(key), fields=fields, boxes=boxes, cells=cells, overwritten=overwritten,
                   erased_bubbles=erased, mistakes=mistakes, trainee=str(trainee_no), trainee_name=name,
                   personalised=personalised, filler=filler)
