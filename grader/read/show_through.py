"""How strongly the other side of the paper shows through a page: a sheet printed on both sides.

A trainer saving paper prints page 2 on the back of page 1. In a photo of either side, the back's print and the
trainee's writing on it show through, mirrored left-right (a portrait sheet printed on both sides turns about its
long edge) and faint. A digit box's faint view (:mod:`grader.recognize.box_preprocess`), which looks just above
the paper's texture for the strokes of a pen running dry, sees those mirrored strokes and lines as strokes and
sends the field to review: at show-through 0.25 (``grader synth --show-through``; a phone photo of a sheet on a
table shows about 0.05-0.25) the digit fields whose verdict waited for a trainer went from 11.3 % to 16.4 % (40
sheets, seed 194), nearly all for the faint view (``faint_ink``: 5 fields with nothing showing through, 87 then).

:func:`show_through_level` measures it from the template alone: the other page's print, rendered and mirrored
about the paper's centre, falls on places of the front where the front prints nothing and no one writes; the ink
there, above the ink right beside it, is what shows through. :func:`faint_floor` turns that into the least ink
the faint view may take for a stroke: ink no darker than the back seen through the paper cannot be told from it.
On a page that shows nothing of its back the floor is 0 and the faint view is as it was.
"""
from __future__ import annotations

import threading

import cv2
import numpy as np

from grader.sheet.identity import SheetIdentity
from grader.sheet.layout import PageLayout, SheetLayout

#: A page whose level is this or more shows its back. Measured on the aligned pages of generated photos (seed 194,
#: 40 sheets, and 16 photocopied ones, seed 33): printed on one side, -0.005 to 0.002; at show-through 0.08,
#: 0.0035-0.013; at 0.15, 0.008-0.029; at 0.25, 0.020-0.048.
SHOWS_THROUGH = 0.006
#: The faint view's floor, in ink, per unit of level. The level is measured on thin print lines, which the paper
#: blurs; the back's pen strokes, wider, show darker. 8 took the fields the faint view sent to review at show-through
#: 0.25 from 87 to 4 and at 0.15 from 17 to 7 (of 1,608 digit fields, 5 on the same sheets printed on one side;
#: seed 194), with no field more accepted wrong.
GHOST_INK_PER_LEVEL = 8.0
#: What is kept clear of the front's own print and writing (mm): a pen stroke runs out of its box, print blurs.
FRONT_CLEARANCE_MM = (1.0, 2.0)
#: Beside a back line, how far the paper it is compared with lies (mm).
BESIDE_MM = 0.5
#: The window whose brightest pixel is taken for the paper's own brightness (mm).
PAPER_WINDOW_MM = 1.875

_PLACES: dict[tuple, tuple[np.ndarray, np.ndarray] | None] = {}
_LOCK = threading.Lock()


def back_page_number(page_no: int) -> int:
    """The page printed on the back of page ``page_no`` when a sheet is printed on both sides (1 and 2, 3 and 4)."""
    return page_no + 1 if page_no % 2 else page_no - 1


def _print(sheet: SheetLayout, page_no: int, px_per_mm: float, shape: tuple[int, int]) -> np.ndarray:
    """Where the template prints on page ``page_no``, as a mask of the reading frame."""
    from grader.sheet.render import MM_PER_INCH, render_page
    ident = SheetIdentity(sheet.spec.id, sheet.spec.version, page_no, sheet.contest, sheet.pairs, "X")
    ref = np.asarray(render_page(sheet, sheet.pages[page_no - 1], ident, dpi=px_per_mm * MM_PER_INCH))
    if ref.shape != shape:
        ref = cv2.resize(ref, (shape[1], shape[0]), interpolation=cv2.INTER_AREA)
    return ref < 128


def _rects(page: PageLayout, px_per_mm: float, shape: tuple[int, int], grow_mm: float) -> np.ndarray:
    """Where ``page`` is written on (boxes, tally cells, bubbles) and its markers and QR, grown by ``grow_mm``."""
    mask = np.zeros(shape, np.uint8)
    rects = [r for f in page.fields for r in (*f.boxes, *f.cells, *(b for col in f.bubbles for b in col))]
    for r in rects + [m.rect for m in page.markers] + [page.qr]:
        g = r.grow(grow_mm)
        x0, y0 = max(0, int(g.x * px_per_mm)), max(0, int(g.y * px_per_mm))
        mask[y0:int(np.ceil(g.y2 * px_per_mm)), x0:int(np.ceil(g.x2 * px_per_mm))] = 1
    return mask > 0


def _places(sheet: SheetLayout, page_no: int, px_per_mm: float, shape: tuple[int, int]
            ) -> tuple[np.ndarray, np.ndarray] | None:
    """Flat indices of the frame where the back's print shows on bare front paper, and of the paper beside them;
    None when nothing is printed on the back of page ``page_no``. Made once per form variant and frame."""
    key = (sheet.spec.id, sheet.spec.version, sheet.contest, sheet.pairs, page_no, px_per_mm, shape)
    with _LOCK:
        if key not in _PLACES:
            _PLACES[key] = _find_places(sheet, page_no, px_per_mm, shape)
            while len(_PLACES) > 16:
                _PLACES.pop(next(iter(_PLACES)))
        return _PLACES[key]


def _find_places(sheet: SheetLayout, page_no: int, px_per_mm: float, shape: tuple[int, int]
                 ) -> tuple[np.ndarray, np.ndarray] | None:
    back = back_page_number(page_no)
    if back > len(sheet.pages):
        return None
    page = sheet.pages[page_no - 1]
    print_mm, rect_mm = FRONT_CLEARANCE_MM
    k = 2 * int(round(print_mm * px_per_mm)) + 1
    front = cv2.dilate(_print(sheet, page_no, px_per_mm, shape).astype(np.uint8), np.ones((k, k), np.uint8)) > 0
    front |= _rects(page, px_per_mm, shape, rect_mm)
    behind = cv2.flip(_print(sheet, back, px_per_mm, shape).astype(np.uint8), 1)    # seen from the front
    k = 2 * int(round(BESIDE_MM * px_per_mm)) + 1
    near = cv2.dilate(behind, np.ones((k, k), np.uint8)) > 0
    behind = behind > 0
    on, beside = behind & ~front, near & ~behind & ~front
    return np.flatnonzero(on), np.flatnonzero(beside)


def show_through_level(gray: np.ndarray, sheet: SheetLayout, page: PageLayout, *, px_per_mm: float) -> float:
    """How much darker the page is where its back's print lies than right beside it (0: nothing shows through).

    Parameters
    ----------
    gray : the page warped into the template frame (``page`` mm × ``px_per_mm``), uint8.
    sheet, page : its layout.
    px_per_mm : the frame's resolution.

    Returns
    -------
    The median ink (``1 - pixel / paper``) on the back's mirrored print lines less that beside them; 0 when
    the sheet has no page on the back of this one.
    """
    places = _places(sheet, page.number, float(px_per_mm), tuple(gray.shape[:2]))
    if places is None or not len(places[0]) or not len(places[1]):
        return 0.0
    k = int(round(PAPER_WINDOW_MM * px_per_mm)) | 1
    paper, flat = cv2.dilate(gray, np.ones((k, k), np.uint8)).ravel(), gray.ravel()

    def ink(at: np.ndarray) -> np.ndarray:     # (only where it is looked at: about a tenth of the frame)
        return 1.0 - flat[at].astype(np.float32) / np.maximum(paper[at].astype(np.float32), 1.0)

    return float(np.median(ink(places[0])) - np.median(ink(places[1])))


def faint_floor(level: float) -> float:
    """The least ink a box's faint view may take for a stroke on a page whose back shows ``level`` through it."""
    return GHOST_INK_PER_LEVEL * level if level >= SHOWS_THROUGH else 0.0
