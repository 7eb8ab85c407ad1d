"""Draw a trainee's writing onto a rendered page, at the layout's geometry.

The page is rendered by :func:`grader.sheet.render.render_page` (so it is the
exact printed sheet), turned into paper and toner colours, and written on with
one pen per trainee: digits from real handwriting, X/dash fillers, bubble
fills, tally strokes, a tick and a name.
"""
from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, replace

import cv2
import numpy as np

from grader.sheet.identity import SheetIdentity
from grader.sheet.layout import FieldLayout, PageLayout, Rect, SheetLayout
from grader.sheet.render import MM_PER_INCH, render_page
from grader.synth.copier import PrintCopy, copy_print
from grader.synth.handwriting import (GlyphBank, bubble_fill_strokes, cross_strokes, dash_strokes, digit_alpha,
                                      load_glyph_bank, name_alpha, tally_strokes, tick_strokes)
from grader.synth.ink import Pen, apply_ink, paint_patch, random_pen, rasterize_strokes
from grader.synth.values import Writing

FILL_PX_PER_MM = 12.0      # resolution the page is filled at (about 305 dpi)
CORRECTION_FLUID = (0.975, 0.975, 0.96)


@dataclass(frozen=True)
class Hand:
    """A writer's habits, fixed for one sheet.

    ``glyphs[d]`` are the few ARDIS samples this writer's digit ``d`` is drawn
    from, so one sheet's digits look alike the way one person's do.
    """

    pen: Pen
    digit_height: float      # share of the box height
    slant_deg: float
    deslant: float
    jitter: float            # position jitter, share of the box size
    sloppy: float            # probability a digit touches or crosses the box border
    glyphs: tuple[tuple[int, ...], ...] = ()
    # How far (share of the box height) a sloppy digit runs beyond its top or bottom border: 0, a writer who at most
    # touches it; ``grader synth --across-borders`` draws writers whose digits cross it plainly
    # (:func:`across_borders_hand`)
    overshoot: float = 0.0

    def to_json(self) -> dict:
        return {"pen": self.pen.to_json(), "digit_height": round(self.digit_height, 3),
                "slant_deg": round(self.slant_deg, 2), "sloppy": round(self.sloppy, 3),
                **({"overshoot": round(self.overshoot, 3)} if self.overshoot else {}),
                "ardis_samples": [list(g) for g in self.glyphs]}


def random_hand(rng: np.random.Generator, bank: GlyphBank | None = None, *, samples_per_digit: int = 3) -> Hand:
    """A writer: a pen, habits, and ``samples_per_digit`` ARDIS samples for each digit."""
    bank = bank or load_glyph_bank()
    glyphs = tuple(tuple(int(i) for i in rng.choice(bank.by_digit[d], size=samples_per_digit, replace=False))
                   for d in range(10))
    return Hand(pen=random_pen(rng), digit_height=float(rng.uniform(0.55, 0.8)), slant_deg=float(rng.normal(0, 4)),
                deslant=float(rng.uniform(0.5, 1.0)), jitter=float(rng.uniform(0.03, 0.08)),
                sloppy=float(rng.choice([0.0, 0.03, 0.08])), glyphs=glyphs)


def across_borders_hand(hand: Hand, share: float, rng: np.random.Generator) -> Hand:
    """``hand`` as a writer whose digits cross their box's border, as officers write on plano forms (the real 2017
    photos of kawalc1): digits 0.8-0.95 of the box tall, ``share`` of them moved up or down (or onto a side) so that
    0.08-0.22 of the box height lies on and beyond the printed line. For a development set that tests reading such
    digits (training/README.md, fifty-fifth session); its draws come after the writer's own, so a set made without
    it is unchanged."""
    return replace(hand, digit_height=float(rng.uniform(0.8, 0.95)), sloppy=share,
                   overshoot=float(rng.uniform(0.08, 0.22)))


@dataclass
class FilledPage:
    """A page with the writing on it: uint8 RGB at ``px_per_mm``."""

    image: np.ndarray
    px_per_mm: float
    hand: Hand
    paper: dict


def _px(rect: Rect, s: float) -> tuple[float, float, float, float]:
    return rect.x * s, rect.y * s, rect.w * s, rect.h * s


def paper_page(gray: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, dict]:
    """Printed grayscale page -> uint8 RGB paper, with toner that is not quite black."""
    paper = np.array([0.955, 0.95, 0.93]) + rng.normal(0, 0.01) + np.array([1, 0.5, -1]) * rng.uniform(0, 0.015)
    toner = float(rng.uniform(0.05, 0.2))
    lut = (toner + (1 - toner) * np.arange(256) / 255.0)[:, None] * paper[None, :]
    lut = np.clip(lut * 255 + 0.5, 0, 255).astype(np.uint8).reshape(256, 1, 3)
    page = cv2.LUT(cv2.cvtColor(gray, cv2.COLOR_GRAY2RGB), lut)
    return page, {"paper_rgb": [round(float(c), 3) for c in paper], "toner": round(toner, 3)}


_RENDERS: "OrderedDict[tuple, np.ndarray]" = OrderedDict()


def _render_gray(sheet: SheetLayout, page: PageLayout, ident: SheetIdentity, px_per_mm: float) -> np.ndarray:
    """The printed page, rendered once per process for each identity (a class shares an exercise)."""
    key = (sheet.spec.id, sheet.spec.version, sheet.contest, sheet.pairs, page.number, ident, px_per_mm)
    if key not in _RENDERS:
        _RENDERS[key] = np.asarray(render_page(sheet, page, ident, dpi=px_per_mm * MM_PER_INCH))
        while len(_RENDERS) > 4:
            _RENDERS.popitem(last=False)
    return _RENDERS[key]


def _draw_digit(page: np.ndarray, bank: GlyphBank, digit: int, box: tuple[float, float, float, float], hand: Hand,
                s: float, rng: np.random.Generator, *, density: float = 1.0) -> None:
    x, y, w, h = box
    img = bank.images[int(rng.choice(hand.glyphs[digit]))] if hand.glyphs else bank.pick(digit, rng)[1]
    stroke = hand.pen.width_mm * s * rng.uniform(0.9, 1.1)
    alpha = digit_alpha(img, height_px=h * hand.digit_height * rng.uniform(0.9, 1.08), max_width_px=w * 0.85,
                        stroke_px=stroke, rng=rng, rotate_deg=hand.slant_deg + rng.normal(0, 2.5),
                        deslant=hand.deslant)
    cx = x + w / 2 + rng.normal(0, hand.jitter) * w
    cy = y + h / 2 + rng.normal(0, hand.jitter) * h
    if rng.random() < hand.sloppy:   # touching or crossing the box border
        if rng.random() < 0.5:
            if hand.overshoot:   # across the top or bottom line, by this writer's overshoot
                cy += rng.choice([-1, 1]) * ((h - alpha.shape[0]) / 2 + hand.overshoot * h * rng.uniform(0.7, 1.0))
            else:
                cy += rng.choice([-1, 1]) * (h - alpha.shape[0]) / 2 + rng.choice([-1, 1]) * rng.uniform(0.02, 0.12) * h
        else:   # a wide digit whose edge runs onto a side border
            cx += rng.choice([-1, 1]) * max(0.0, (w - alpha.shape[1]) / 2 + rng.uniform(0.0, 0.05) * w)
            cx = min(max(cx, x + w * 0.3), x + w * 0.7)
    apply_ink(page, alpha, (int(round(cx - alpha.shape[1] / 2)), int(round(cy - alpha.shape[0] / 2))), hand.pen, rng,
              density=density)


def _draw_strokes(page: np.ndarray, strokes, origin: tuple[float, float], size: tuple[float, float], hand: Hand,
                  rng: np.random.Generator, *, density: float = 1.0, pad: float = 0.5) -> None:
    """Rasterise box-local strokes with a margin of ``pad`` (share of the size) around the box."""
    w, h = size
    mx, my = int(w * pad), int(h * pad)
    ox, oy = int(np.floor(origin[0])) - mx, int(np.floor(origin[1])) - my
    shift = np.array([origin[0] - ox, origin[1] - oy])
    moved = [(pts + shift, width, dens) for pts, width, dens in strokes]
    alpha = rasterize_strokes((int(h) + 2 * my + 2, int(w) + 2 * mx + 2), moved)
    apply_ink(page, alpha, (ox, oy), hand.pen, rng, density=density)


def _correction_patch(page: np.ndarray, box: tuple[float, float, float, float], rng: np.random.Generator) -> None:
    x, y, w, h = box
    pad = int(0.25 * w)
    mw, mh = int(w) + 2 * pad, int(h) + 2 * pad
    mask = np.zeros((mh, mw), np.float32)
    center = (mw / 2 + rng.normal(0, w * 0.04), mh / 2 + rng.normal(0, h * 0.04))
    axes = (w * rng.uniform(0.45, 0.6), h * rng.uniform(0.42, 0.55))
    cv2.ellipse(mask, (int(center[0]), int(center[1])), (int(axes[0]), int(axes[1])), float(rng.normal(0, 8)),
                0, 360, 1.0, -1, cv2.LINE_AA)
    wobble = cv2.resize(rng.uniform(0.6, 1.0, (5, 5)).astype(np.float32), (mw, mh), interpolation=cv2.INTER_CUBIC)
    mask = cv2.GaussianBlur(np.clip(mask * (0.7 + 0.5 * wobble), 0, 1), (0, 0), 1.2)
    paint_patch(page, mask, (int(x) - pad, int(y) - pad), CORRECTION_FLUID, float(rng.uniform(0.82, 0.92)))


def _fill_digits(page, f: FieldLayout, writing: Writing, bank, hand: Hand, s: float, rng) -> None:
    overwrites = {i: (old, new) for i, old, new in writing.overwritten.get(f.id, [])}
    for i, (rect, c) in enumerate(zip(f.boxes, writing.boxes[f.id])):
        box = _px(rect, s)
        stroke = hand.pen.width_mm * s * rng.uniform(0.9, 1.1)
        if i in overwrites:
            old, new = overwrites[i]
            _draw_digit(page, bank, int(old), box, hand, s, rng)
            _correction_patch(page, box, rng)
            _draw_digit(page, bank, int(new), box, hand, s, rng)
        elif c.isdigit():
            _draw_digit(page, bank, int(c), box, hand, s, rng)
        elif c == "X":
            _draw_strokes(page, cross_strokes(box[2], box[3], stroke, rng), box[:2], box[2:], hand, rng)
        elif c == "-":
            _draw_strokes(page, dash_strokes(box[2], box[3], stroke, rng), box[:2], box[2:], hand, rng)


def _fill_bubbles(page, f: FieldLayout, writing: Writing, hand: Hand, s: float, rng) -> dict:
    styles = {}
    smudges = dict(writing.erased_bubbles.get(f.id, []))
    for col, (bubbles, c) in enumerate(zip(f.bubbles, writing.boxes[f.id])):
        if c == "":
            continue
        x, y, w, h = _px(bubbles[int(c)], s)
        style = str(rng.choice(["normal", "light", "over", "partial"], p=[0.68, 0.1, 0.14, 0.08]))
        styles[col] = style
        stroke = hand.pen.width_mm * s * rng.uniform(0.9, 1.2)
        strokes, dens = bubble_fill_strokes(w, stroke, rng, coverage=rng.uniform(0.5, 0.75) if style == "partial"
                                            else rng.uniform(0.9, 1.0), spill=rng.uniform(1.15, 1.4)
                                            if style == "over" else rng.uniform(0.8, 0.98), light=style == "light")
        _draw_strokes(page, strokes, (x, y), (w, h), hand, rng, density=dens, pad=0.6)
        if col in smudges:
            bx, by, bw, bh = _px(bubbles[smudges[col]], s)
            blob = np.zeros((int(bh * 2), int(bw * 2)), np.float32)
            cv2.ellipse(blob, (int(bw), int(bh)), (int(bw * 0.5), int(bh * 0.45)), float(rng.uniform(0, 180)),
                        0, 360, 1.0, -1, cv2.LINE_AA)
            blob = cv2.GaussianBlur(blob, (0, 0), bw * 0.15) * float(rng.uniform(0.12, 0.25))
            apply_ink(page, blob, (int(bx - bw / 2), int(by - bh / 2)), hand.pen, rng)
    return styles


def _fill_tally(page, f: FieldLayout, writing: Writing, hand: Hand, s: float, rng) -> None:
    for rect, count in zip(f.cells, writing.cells[f.id]):
        x, y, w, h = _px(rect, s)
        stroke = hand.pen.width_mm * s * rng.uniform(0.85, 1.1)
        _draw_strokes(page, tally_strokes(w, h, count, stroke, rng), (x, y), (w, h), hand, rng, pad=0.3)


def fill_page(sheet: SheetLayout, page: PageLayout, ident: SheetIdentity, writing: Writing,
              rng: np.random.Generator, *, px_per_mm: float = FILL_PX_PER_MM, hand: Hand | None = None,
              bank: GlyphBank | None = None, copy: PrintCopy | None = None,
              copy_rng: np.random.Generator | None = None) -> FilledPage:
    """Render ``page`` and write ``writing`` on it.

    Parameters
    ----------
    sheet, page : layout to render.
    ident : what the printed QR and header say (personalised sheets carry the trainee).
    writing : the plan from :func:`grader.synth.values.plan_writing`.
    rng : random source; the result is a pure function of the inputs and its state.
    px_per_mm : fill resolution.
    hand : the writer; drawn from ``rng`` if not given.
    bank : digit glyph source (ARDIS by default).
    copy : how the print reached the paper (a "fit to page" print, a photocopy), applied to the print before
        the trainee writes on it, at its place on the paper; its speckle comes from ``copy_rng``, so ``rng``
        draws the same writing with or without it.
    """
    bank = bank or load_glyph_bank()
    hand = hand or random_hand(rng, bank)
    s = px_per_mm
    gray = _render_gray(sheet, page, ident, s)
    if copy is not None:
        if copy_rng is None:
            raise ValueError("a copied print needs its own copy_rng")
        gray = copy_print(gray, copy, s, copy_rng)
        page = copy.placed(page)
    img, paper = paper_page(gray, rng)
    bubble_styles = {}
    for f in page.fields:
        if f.kind == "digits":
            _fill_digits(img, f, writing, bank, hand, s, rng)
        elif f.kind == "bubbles":
            bubble_styles[f.id] = _fill_bubbles(img, f, writing, hand, s, rng)
        elif f.kind == "tally":
            _fill_tally(img, f, writing, hand, s, rng)
        elif f.kind == "checkbox" and writing.fields.get(f.id):
            box = _px(f.boxes[0], s)
            _draw_strokes(img, tick_strokes(box[2], box[3], hand.pen.width_mm * s, rng), box[:2], box[2:], hand, rng,
                          pad=0.8)
        elif f.kind == "text" and not writing.personalised:
            x, y, w, h = _px(f.boxes[0], s)
            alpha = name_alpha(writing.trainee_name, height_px=h * rng.uniform(0.45, 0.6),
                               stroke_px=hand.pen.width_mm * s, rng=rng)
            alpha = alpha[:, : int(w * 1.05)]
            top = int(y + h * 0.92 - alpha.shape[0] * 0.64 + rng.normal(0, h * 0.05))
            apply_ink(img, alpha, (int(x + rng.uniform(0, w * 0.1)), top), hand.pen, rng)
    paper["bubble_styles"] = {k: v for k, v in bubble_styles.items() if v}
    return FilledPage(image=img, px_per_mm=s, hand=hand, paper=paper)
