"""The feedback image: the aligned page with a coloured frame around every graded field.

Frames come from the template layout, so they sit exactly on the printed
boxes of the aligned page: green for right, red for wrong (with the expected
value beside it), amber for anything we are not sure of or that is blank.
"""
from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw

from grader.sheet.layout import PageLayout
from grader.sheet.render import font

COLOURS = {"ok": (20, 150, 60), "wrong": (210, 30, 30), "review": (235, 150, 0), "blank": (235, 150, 0),
           "unreadable": (235, 150, 0)}
FRAME_MARGIN_MM = 0.8
LABEL_MM = 2.6


def annotate_page(image_bgr: np.ndarray, page: PageLayout, fields: list[dict], *, px_per_mm: float) -> Image.Image:
    """Draw each graded field's verdict on the aligned page.

    Parameters
    ----------
    image_bgr : the page in the template frame.
    page : its layout.
    fields : result field dicts (``id``, ``status``, ``value``, ``expected``) of this page.
    """
    img = Image.fromarray(np.ascontiguousarray(image_bgr[:, :, ::-1])).convert("RGB")
    overlay = Image.new("RGBA", img.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    by_id = {f.id: f for f in page.fields}
    text_font = font(round(LABEL_MM * px_per_mm), bold=True)
    width = max(2, round(0.45 * px_per_mm))
    for fr in fields:
        layout = by_id.get(fr["id"])
        if layout is None:
            continue
        colour = COLOURS.get(fr["status"], COLOURS["review"])
        r = layout.rect.grow(FRAME_MARGIN_MM)
        box = [r.x * px_per_mm, r.y * px_per_mm, r.x2 * px_per_mm, r.y2 * px_per_mm]
        draw.rectangle(box, fill=colour + (28,))   # overlay pixels are replaced, not blended: fill first
        draw.rectangle(box, outline=colour + (255,), width=width)
        text = _caption(fr)
        if text:
            tx, ty = box[2] + 0.8 * px_per_mm, box[1]
            if layout.kind != "digits":   # bubbles and tally captions go under the block
                tx, ty = box[0], box[3] + 0.3 * px_per_mm
            bbox = draw.textbbox((tx, ty), text, font=text_font)
            draw.rectangle([bbox[0] - 3, bbox[1] - 2, bbox[2] + 3, bbox[3] + 2], fill=(255, 255, 255, 220))
            draw.text((tx, ty), text, font=text_font, fill=colour + (255,))
    return Image.alpha_composite(img.convert("RGBA"), overlay).convert("RGB")


def _caption(fr: dict) -> str:
    value = "?" if fr.get("value") is None else str(fr["value"])
    if fr["status"] == "wrong":
        return f"{value} → {fr['expected']}"
    if fr["status"] == "review":
        return f"{value}?"
    if fr["status"] == "blank":
        return "kosong"
    if fr["status"] == "unreadable":
        return "?"
    return value
