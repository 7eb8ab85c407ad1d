"""The feedback image: the aligned page with a coloured frame around every graded field.

Frames come from the template layout, so they sit exactly on the printed
boxes of the aligned page: green for right, red for wrong (with the expected
value beside it), amber for anything we are not sure of or that is blank, and
an amber X in a leading box the trainee left blank.
"""
from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw

from grader.grading.shown import boxes_to_name, cells_to_name, shown_value
from grader.sheet.layout import FieldLayout, PageLayout
from grader.sheet.render import font

COLOURS = {"ok": (20, 150, 60), "wrong": (210, 30, 30), "review": (235, 150, 0), "blank": (235, 150, 0),
           "unreadable": (235, 150, 0)}
FRAME_MARGIN_MM = 0.8
LABEL_MM = 2.6
MIN_LABEL_MM = 1.8          # smallest caption, still legible on a phone held at arm's length
CAPTION_GAP_MM = 0.5        # between a frame and its caption, and a caption and the next field's boxes
PAGE_EDGE_MM = 4.0          # a caption stops this far from the page edge
UNSURE_BOX_LINE_MM = 0.3    # a box the reader was unsure of: outlined on its printed border ...
UNSURE_BOX_ALPHA = 70       # ... and tinted more strongly than its field (28)


def annotate_page(image_bgr: np.ndarray, page: PageLayout, fields: list[dict], *, px_per_mm: float,
                  blank_leading: frozenset[str] = frozenset()) -> Image.Image:
    """Draw each graded field's verdict on the aligned page.

    Parameters
    ----------
    image_bgr : the page in the template frame.
    page : its layout.
    fields : result field dicts (``id``, ``status``, ``value``, ``expected``, ``boxes``) of this page.
    blank_leading : the fields the result tells off for a leading box left blank (its warning, read surely): each
        such box gets an amber "X", what belongs there (a right number stays framed green; the box is the fix).
    """
    img = Image.fromarray(np.ascontiguousarray(image_bgr[:, :, ::-1])).convert("RGB")
    overlay = Image.new("RGBA", img.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    by_id = {f.id: f for f in page.fields}
    width = max(2, round(0.45 * px_per_mm))
    captions = []
    for fr in fields:
        layout = by_id.get(fr["id"])
        if layout is None:
            continue
        colour = COLOURS.get(fr["status"], COLOURS["review"])
        r = layout.rect.grow(FRAME_MARGIN_MM)
        box = [r.x * px_per_mm, r.y * px_per_mm, r.x2 * px_per_mm, r.y2 * px_per_mm]
        draw.rectangle(box, fill=colour + (28,))   # overlay pixels are replaced, not blended: fill first
        draw.rectangle(box, outline=colour + (255,), width=width)
        if layout.kind == "tally":
            cells = [layout.cells[c["cell"]] for c in cells_to_name(fr) if 0 <= c["cell"] < len(layout.cells)]
            _mark_cells(draw, cells, colour, px_per_mm=px_per_mm)
        if layout.kind == "digits":
            _mark_unsure_boxes(draw, layout, boxes_to_name(fr), colour, px_per_mm=px_per_mm)
            if fr["id"] in blank_leading:
                _mark_blank_leading(draw, layout, fr.get("boxes") or [], px_per_mm=px_per_mm)
        if _caption(fr):
            captions.append((fr, layout, colour))
    for fr, layout, colour in captions:           # after every frame, so no frame is drawn over a caption
        _draw_caption(draw, fr, layout, page, colour, px_per_mm=px_per_mm)
    return Image.alpha_composite(img.convert("RGBA"), overlay).convert("RGB")


def _mark_unsure_boxes(draw: ImageDraw.ImageDraw, layout: FieldLayout, unsure, colour, *, px_per_mm: float) -> None:
    """Each box the reader was unsure of, outlined and tinted inside its field's frame: where a trainer looks first
    (the page says "kami belum yakin membaca kotak ke-3")."""
    _mark_cells(draw, [layout.boxes[k] for k in unsure if 0 <= k < len(layout.boxes)], colour, px_per_mm=px_per_mm)


def _mark_cells(draw: ImageDraw.ImageDraw, rects, colour, *, px_per_mm: float) -> None:
    """Outline and tint each rectangle (a digit box, a tally cell) inside its field's frame: where a trainer looks
    first (the page names it: "kotak ke-3", "kotak baris 2, kolom 3" of a tally)."""
    width = max(2, round(UNSURE_BOX_LINE_MM * px_per_mm))
    for b in rects:
        box = [b.x * px_per_mm, b.y * px_per_mm, b.x2 * px_per_mm, b.y2 * px_per_mm]
        draw.rectangle(box, fill=colour + (UNSURE_BOX_ALPHA,), outline=colour + (255,), width=width)


def _mark_blank_leading(draw: ImageDraw.ImageDraw, layout: FieldLayout, labels, *, px_per_mm: float) -> None:
    """The leading boxes left blank, outlined in amber with the X that belongs in them."""
    colour = COLOURS["review"]
    width = max(2, round(UNSURE_BOX_LINE_MM * px_per_mm))
    for b, label in zip(layout.boxes, labels):
        if label != "":
            break
        box = [b.x * px_per_mm, b.y * px_per_mm, b.x2 * px_per_mm, b.y2 * px_per_mm]
        draw.rectangle(box, outline=colour + (255,), width=width)
        size = 0.7 * min(b.w, b.h) * px_per_mm
        draw.text(((b.x + b.w / 2) * px_per_mm, (b.y + b.h / 2) * px_per_mm), "X", font=font(round(size)),
                  fill=colour + (255,), anchor="mm")


def _room_right_mm(layout: FieldLayout, page: PageLayout) -> float:
    """Free width (mm) right of a field's frame, up to the next field's printed boxes on its row (its frame
    may be covered: captions are drawn last, and the boxes, where the trainee wrote, stay clear) or the page
    edge."""
    r = layout.rect
    start = r.x2 + FRAME_MARGIN_MM + CAPTION_GAP_MM
    ahead = [f.rect.x for f in page.fields if f.rect.x >= r.x2 and f.rect.y < r.y2 and f.rect.y2 > r.y]
    return min(ahead, default=page.width_mm - PAGE_EDGE_MM) - start - CAPTION_GAP_MM


def _draw_caption(draw: ImageDraw.ImageDraw, fr: dict, layout: FieldLayout, page: PageLayout, colour, *,
                  px_per_mm: float) -> None:
    """The value read (and the expected one) beside a digits field, under a bubbles or tally block.

    Beside a digits field the caption must fit before the next column's boxes (the L and P columns sit
    7.5 mm apart), or the expected value of a wrong L would hide under P's frame: it is split into two lines
    ("112" over "→ 113") and made smaller until it fits. "kosong" goes inside a blank field's own frame,
    where nothing is written.
    """
    text = _caption(fr)
    r = layout.rect.grow(FRAME_MARGIN_MM)
    if layout.kind != "digits":   # bubbles and tally captions go under the block
        _label(draw, (r.x * px_per_mm, (r.y2 + CAPTION_GAP_MM) * px_per_mm), text, LABEL_MM * px_per_mm, colour)
        return
    if fr["status"] == "blank":
        size = LABEL_MM * px_per_mm
        tw = draw.textlength(text, font=font(round(size), bold=True))
        _label(draw, ((r.x + r.w / 2) * px_per_mm - tw / 2, (r.y + r.h / 2 - LABEL_MM / 2) * px_per_mm), text, size,
               colour)
        return
    room = _room_right_mm(layout, page) * px_per_mm
    x, y = (r.x2 + CAPTION_GAP_MM) * px_per_mm, r.y * px_per_mm
    lines = [text]
    for mm in np.arange(LABEL_MM, MIN_LABEL_MM - 1e-9, -0.1):
        for lines in ([text], text.replace(" → ", "\n→ ").split("\n")):
            if max(draw.textlength(t, font=font(round(mm * px_per_mm), bold=True)) for t in lines) <= room:
                _label(draw, (x, y), "\n".join(lines), mm * px_per_mm, colour)
                return
    _label(draw, (x, y), "\n".join(lines), MIN_LABEL_MM * px_per_mm, colour)   # as small as is still legible


def _label(draw: ImageDraw.ImageDraw, at: tuple[float, float], text: str, size_px: float, colour) -> None:
    text_font = font(round(size_px), bold=True)
    bbox = draw.multiline_textbbox(at, text, font=text_font, spacing=2)
    draw.rectangle([bbox[0] - 3, bbox[1] - 2, bbox[2] + 3, bbox[3] + 2], fill=(255, 255, 255, 220))
    draw.multiline_text(at, text, font=text_font, fill=colour + (255,), spacing=2)


def _caption(fr: dict) -> str:
    value = shown_value(fr, empty="?")
    if fr["status"] == "wrong":
        return f"{value} → {fr['expected']}"
    if fr["status"] == "review":
        return f"{value}?"
    if fr["status"] == "blank":
        return "kosong"
    if fr["status"] == "unreadable":
        return "?"
    return value
