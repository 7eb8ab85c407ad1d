"""The files a graded sheet leaves for people to look at: each page with its verdicts drawn on it, one crop per
field, the header's number and name as a picture, and (for a later regrade) the clean aligned page.

I/O at the pipeline's edge: :func:`write_feedback_files` after grading, :func:`redraw_feedback` after a trainer's
correction or a trainee's dispute. Everything is placed by the template's geometry.
"""
from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import cv2

from grader.grading.annotate import annotate_page
from grader.grading.findings import BLANK_LEADING, finding_code
from grader.grading.grade import graded_fields
from grader.read.sheet_reader import crop_rect
from grader.sheet.layout import Rect, SheetLayout, shared_layout
from grader.sheet.schema import resolve_template

if TYPE_CHECKING:
    from grader.pipeline import PhotoRead

log = logging.getLogger(__name__)

CROP_MARGIN_MM = 1.5


def write_feedback_files(result: dict, reads: list[PhotoRead], sheet: SheetLayout, out_dir: Path, *,
                         keep_aligned: bool = False) -> None:
    """Annotated page images and one crop per field; paths in ``result`` become relative to ``out_dir``.

    ``keep_aligned`` also stores each clean aligned page, for :func:`redraw_feedback` after a regrade.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "crops").mkdir(exist_ok=True)
    by_page = {pr.page: pr for pr in reads}
    fields_by_id = {f.id: f for f in graded_fields(sheet)}
    for fr in result["fields"]:
        pr = by_page.get(fr["page"])
        if pr is None:
            continue
        crop = crop_rect(pr.aligned.gray, fields_by_id[fr["id"]].rect, pr.aligned.px_per_mm, margin_mm=CROP_MARGIN_MM)
        rel = f"crops/{fr['id']}.png"
        cv2.imwrite(str(out_dir / rel), crop)
        fr["crop"] = rel
    for page in result["pages"]:
        pr = by_page.get(page["page"]) if page["refusal"] is None else None
        if pr is None:
            continue
        ident = identity_rect(sheet, pr.page)
        if ident is not None:
            # what the trainee wrote as number and name, as a picture: a trainer tells an unnamed sheet
            # (a chat export's IMG-…-WA0006) by it; the name is never read or graded
            page["identity_crop"] = IDENTITY_NAME.format(page=pr.page)
            cv2.imwrite(str(out_dir / page["identity_crop"]),
                        crop_rect(pr.aligned.gray, ident, pr.aligned.px_per_mm, margin_mm=CROP_MARGIN_MM))
        page["annotated"] = f"page{pr.page}.jpg"
        _save_marked_page(out_dir / page["annotated"], pr.aligned.image, pr.aligned.page, result,
                          px_per_mm=pr.aligned.px_per_mm)
        if keep_aligned:   # the clean page, so a regrade (a trainer's correction) can redraw the marks on it
            cv2.imwrite(str(out_dir / ALIGNED_NAME.format(page=pr.page)), pr.aligned.image,
                        [cv2.IMWRITE_JPEG_QUALITY, 85])


ALIGNED_NAME = "aligned{page}.jpg"
IDENTITY_NAME = "ident{page}.png"


def identity_rect(sheet: SheetLayout, page: int) -> Rect | None:
    """Where page ``page``'s header holds the trainee's number boxes and name line (the template's header fields)."""
    header = sheet.spec.header
    ids = {header[k]["id"] for k in ("trainee", "name") if k in header}
    rects = [f.rect for f in sheet.pages[page - 1].fields if f.id in ids]
    return Rect.union(rects) if rects else None


def redraw_feedback(result: dict, out_dir: Path) -> None:
    """Draw a regraded result's verdicts again on the stored aligned pages (see :func:`write_feedback_files`).

    After a trainer's correction or a trainee's dispute, the marked page must show the new verdicts, not the
    first reading's. Pages stored without their aligned image (older results) keep their marks.
    """
    out_dir = Path(out_dir)
    sheet = shared_layout(resolve_template(result["template"]), contest=result["contest"], pairs=result["pairs"])
    for page in result.get("pages") or ():
        src = out_dir / ALIGNED_NAME.format(page=page.get("page"))
        if not page.get("annotated") or not src.is_file():
            continue
        image = cv2.imread(str(src), cv2.IMREAD_COLOR)
        if image is None:
            log.warning("cannot redraw %s: its aligned page is unreadable", page["annotated"])
            continue
        layout = sheet.pages[page["page"] - 1]
        _save_marked_page(out_dir / page["annotated"], image, layout, result,
                          px_per_mm=image.shape[1] / layout.width_mm)


def _save_marked_page(path: Path, image_bgr, layout, result: dict, *, px_per_mm: float) -> None:
    """The page with its fields' verdicts drawn on it, written atomically (a request never gets half an image;
    the temporary name is unique even for two threads of one process)."""
    blank_leading = frozenset(fid for x in result.get("findings") or () if finding_code(x) == BLANK_LEADING
                              for fid in x.get("fields") or ())
    img = annotate_page(image_bgr, layout, [f for f in result["fields"] if f["page"] == layout.number],
                        px_per_mm=px_per_mm, blank_leading=blank_leading)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(fd, "wb") as fh:
        img.save(fh, format="JPEG", quality=85)
    os.replace(tmp, path)
