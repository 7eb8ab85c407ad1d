"""The cheap quality gate: can this photo be read, and if not, what should the trainee do?

Measures are taken where they matter and in physical units so one threshold
fits every camera: blur is the width of the marker edges in millimetres of
paper, darkness is the paper level next to the markers, size is pixels per
millimetre of paper and the share of the frame the page covers, glare is the
share of printed digit boxes washed out in the aligned page. When no marker
can be found at all, frame-wide measures on the small copy say whether
darkness or blur is the likely cause. Before any of that, a black-and-white
scan (a scanner app's B&W filter) is recognised by the grays missing at its edges.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

from grader.photo.locate import MarkerHit
from grader.sheet.layout import PageLayout, SheetLayout

SAMPLING_SIGMA_PX = 0.5   # edge width (Gaussian sigma) of a perfectly sharp photo: pixels, demosaicing, JPEG

# Order in which reasons are reported: the first is the refusal code.
# A B&W scan comes first: its hollowed marks also upset every other measure, and only a new scan helps.
# Low resolution inflates the blur measured in mm, so size is judged before blur.
REASON_ORDER = ("binarized_scan", "too_dark", "sheet_cut_off", "sheet_too_small", "too_blurry", "glare")


@dataclass(frozen=True)
class QualityThresholds:
    """Where the gate refuses. Defaults are calibrated on ``sample_scans`` (see ``evaluation.py``)."""

    max_blur_mm: float = 0.35          # Gaussian sigma of a printed edge, in mm of paper
    min_marker_contrast: float = 0.65  # (paper - marker ink) / paper; heavy blur greys the marker's black border
    # ... but a printer short of toner greys it too, with sharp edges: pale markers whose edges are sharper than this
    # are a faint print, not a blurred photo (see ``judge``).
    faint_print_max_blur_mm: float = 0.175
    min_paper_level: float = 55.0      # gray level of the paper beside the markers
    min_contrast: float = 28.0         # paper minus marker ink
    min_px_per_mm: float = 2.4         # photo pixels per mm of paper
    min_coverage: float = 0.12         # page area / frame area
    max_glare_fraction: float = 0.005  # share of digit boxes whose printed border is washed out
    max_washed_print: float = 0.003    # share of printed 4 mm tiles washed to white
    frame_dark_level: float = 70.0     # no markers: 90th percentile gray below this -> too_dark
    frame_blur_px: float = 1.5         # no markers: strongest edges wider than this (small copy) -> too_blurry
    # Gray pixels per black/white edge below which the frame is a B&W scan. Chosen on dev sheets (seed 21, 30
    # pages; scripts/measure_binarized_scans.py --grays-only --chat-sides 2048,1600,1280,1024): simulated B&W
    # filters <= 0.6 (all refused); once a chat app has shrunk them, which averages each edge into a few grays,
    # 1,520 of 1,560 pages are below 3.0 (the rest up to 5.7); simulated gray scans, also shrunk, >= 13.0. The 44
    # real photos and scans of official forms (../shared/data/kawalc1/photos) score >= 8.2, also at chat sizes
    # (2.7x the limit). Not higher: a sharp, low-noise, over-exposed close-up (mock_photo, paper clipped to white)
    # scores 3.7-4.6, an ordinary photo that must not be called a scan; a noise-free render of the sheet 3.6.
    min_grays_per_edge: float = 3.0


@dataclass(frozen=True)
class QualityReport:
    """What the gate measured and decided.

    ``reasons`` are stable refusal codes (empty when ``ok``); the numbers are
    kept for logs, evaluation and threshold tuning (``None`` when not measured).
    """

    ok: bool
    reasons: tuple[str, ...] = ()
    blur_mm: float | None = None
    paper_level: float | None = None
    contrast: float | None = None
    px_per_mm: float | None = None
    coverage: float | None = None
    glare_fraction: float | None = None
    frame_level: float | None = None
    frame_blur_px: float | None = None
    markers_found: int = 0
    measures: dict[str, float] = field(default_factory=dict)

    def to_json(self) -> dict:
        out = {"ok": self.ok, "reasons": list(self.reasons)}
        for k in ("blur_mm", "paper_level", "contrast", "px_per_mm", "coverage", "glare_fraction",
                  "frame_level", "frame_blur_px"):
            v = getattr(self, k)
            if v is not None:
                out[k] = round(float(v), 4)
        out["markers_found"] = self.markers_found
        return out


def frame_measures(small_gray: np.ndarray) -> tuple[float, float]:
    """Frame-wide brightness (90th percentile gray) and edge width (Gaussian sigma, small-copy px).

    At the strongest edges a step of contrast C blurred by sigma rises at most
    C / (sigma * sqrt(2 pi)) per pixel; C is taken locally (the gray range in a
    15 px window), so a scene of many different contrasts is judged fairly.
    Measured across x and across y separately and averaged: motion blur along
    one axis leaves the other sharp, and a scene with few edges along one axis
    (ruled lines) would make the worse one unreliable.
    """
    level = float(np.percentile(small_gray[::2, ::2], 90))
    g = small_gray.astype(np.float32)
    kernel = np.ones((15, 15), np.uint8)
    local_range = cv2.dilate(g, kernel) - cv2.erode(g, kernel)
    sigmas = []
    for dx, dy in ((1, 0), (0, 1)):
        grad = np.abs(cv2.Sobel(g, cv2.CV_32F, dx, dy, ksize=3)) / 8.0
        edge = grad >= np.percentile(grad, 99.5)
        sigmas.append(float(np.median(local_range[edge] / (np.maximum(grad[edge], 1e-3) * np.sqrt(2 * np.pi)))))
    return level, float(np.mean(sigmas))


GRAY_BAND = 16            # levels within this of black (0) or white (255) count as black or white, not gray
EDGE_ROW_STEP = 4         # every 4th row is scanned, at full resolution: shrinking would average edges into grays
MIN_EDGES = 200           # fewer black/white edges crossed than this (a blank frame): too little to judge


def grays_per_edge(gray: np.ndarray) -> float:
    """Gray pixels per black/white edge along the frame's rows: a B&W scan has almost none.

    A scanner app's black-and-white filter thresholds each pixel against its neighbourhood's mean, which
    hollows any dark area wider than the neighbourhood (the corner markers, a filled bubble, a dense stroke)
    and drops faint strokes, so the page can be misread. Its output is black and white only; JPEG ringing
    stays near those levels. A photo or a gray scan, even a clean one with its paper clipped to white, keeps
    grays at every edge (its transitions are a few pixels wide) and in pen strokes, shading and background.
    Counting grays per edge crossed (rather than per pixel) makes the measure independent of how much print
    and how many pixels the frame holds. ``inf`` when the frame crosses too few edges to tell.
    """
    rows = gray[::EDGE_ROW_STEP]
    grays = np.count_nonzero((rows > GRAY_BAND) & (rows < 255 - GRAY_BAND))
    light = rows > 127
    edges = np.count_nonzero(light[:, 1:] != light[:, :-1])
    return float(grays) / edges if edges >= MIN_EDGES else float("inf")


def marker_measures(hits: list[MarkerHit] | tuple[MarkerHit, ...], *, marker_mm: float) -> dict[str, float]:
    """Blur (mm of paper), paper level and ink contrast from the refined markers' edge profiles."""
    blurs, papers, contrasts = [], [], []
    for h in hits:
        if not h.refined:
            continue
        px_per_mm = h.side_px / marker_mm
        s = np.asarray(h.edge_sigma_px, dtype=float)
        # Motion blur widens one pair of opposite edges: judge by the worse pair. Remove the
        # width every edge has from pixel sampling alone, so low resolution does not count as blur.
        worst = max(np.mean(s[[0, 2]]), np.mean(s[[1, 3]]))
        blurs.append(np.sqrt(max(worst ** 2 - SAMPLING_SIGMA_PX ** 2, 0.0)) / px_per_mm)
        papers.append(h.paper_level)
        contrasts.append(h.paper_level - h.ink_level)
    if not blurs:
        return {}
    paper, contrast = float(np.median(papers)), float(np.median(contrasts))
    return {"blur_mm": float(np.median(blurs)), "blur_mm_max": float(np.max(blurs)), "paper_level": paper,
            "contrast": contrast, "marker_contrast": contrast / max(paper, 1.0)}


def sheet_extent(page_corners_px: np.ndarray, frame_size: tuple[int, int], *, page_mm: tuple[float, float]) -> dict[str, float]:
    """Pixels per mm of paper and the share of the frame the page covers, from the page's corners in the photo."""
    area = float(cv2.contourArea(page_corners_px.astype(np.float32)))
    w, h = frame_size
    return {"px_per_mm": float(np.sqrt(area / (page_mm[0] * page_mm[1]))), "coverage": area / float(w * h)}


MIN_INK_INSIDE = 0.02    # share of a box's inside darker than the washed level that is handwriting seen: no glare


def glare_fraction(gray: np.ndarray, page: PageLayout, *, px_per_mm: float, washed_level: int = 235) -> float:
    """Share of the page's digit boxes whose printed border has vanished into a bright blob.

    A box is washed out when fewer than 10 % of its border-strip pixels are
    darker than ``washed_level``: glare hides print and handwriting alike, while
    an evenly bright (but not saturated) page still shows every border.

    Alike: a highlight is a smooth blob, brightest in its middle, so one that washes out all around a box
    washes out its inside too, handwriting included (synthetic glare, 20 photos of dev seed 3790 and
    sample_scans/r006: of 107 washed boxes, none with a pixel inside darker than ``washed_level``). A box whose
    border is gone but whose inside still shows handwriting (at least ``MIN_INK_INSIDE`` of it dark) has its
    border covered by something matte and white, written on afterwards: correction tape taller than the box,
    which leaves the number readable (attack correction_tape, seed 3710, 15 sheets: 23 such boxes, at least 8 % of
    the inside dark; 7 pages had been refused as glare). It is not counted. A taped box left blank still is.
    """
    index, box_of, inner, inner_of, n_boxes = _border_pixels(page, px_per_mm, gray.shape)
    if n_boxes == 0:
        return 0.0
    dark = gray.ravel() < washed_level

    def dark_share(pixels: np.ndarray, owner: np.ndarray) -> np.ndarray:      # per box
        return np.bincount(owner, weights=dark[pixels], minlength=n_boxes) / \
            np.maximum(np.bincount(owner, minlength=n_boxes), 1)

    washed = (dark_share(index, box_of) < 0.10) & (dark_share(inner, inner_of) < MIN_INK_INSIDE)
    boxes = [b for f in page.fields if f.kind == "digits" for b in f.boxes]
    for i in np.nonzero(washed)[0]:
        x, y, w, h = boxes[i].grow(0.4).to_px(px_per_mm)
        washed[i] = not print_displaced_near(gray, (x, y, w, h), px_per_mm=px_per_mm)
    return float(np.mean(washed))


# Print displaced, not washed out. On a folded sheet the alignment can leave the print several millimetres from
# where the template has it (attack "fold_mild", seed 3819: a 4 degree quarter fold moved the J column 7 mm; the
# columns L, P and J stand 7.5 mm apart): the template's place then shows bare paper, as under glare, and such pages
# were refused as glare (fold seed 3820: 5 pages), telling the trainee to move away from a lamp there was none of.
# What tells them apart is the print around the place, and the paper in it: a highlight is a blob that lifts the
# print near what it washes out as well (glare attacks, seeds 3814 and 3815: within DISPLACED_REACH_MM of most
# washed boxes and tiles, the darkest pixel at 0.4 of the washed paper's level or more), and where its edge is sharp
# enough to leave print dark nearby, it clips the paper it covers to white (median 255, at or above CLIPPED_LEVEL);
# displaced print is still there at full darkness (0.2 of the paper or less: below PRINT_DARK_SHARE) beside paper
# at its own level (246-249 on the brightest folded page, fold_mild seed 3819).
DISPLACED_REACH_MM = 8.0
PRINT_DARK_SHARE = 0.25
CLIPPED_LEVEL = 254


def print_displaced_near(gray: np.ndarray, rect_px: tuple[int, int, int, int], *, px_per_mm: float,
                         reach_mm: float = DISPLACED_REACH_MM, dark_share: float = PRINT_DARK_SHARE) -> bool:
    """Is the print of a place whose print looks washed out (``rect_px``: x, y, w, h) displaced rather than washed
    out? It is when print at full darkness (below ``dark_share`` of the paper level inside the place) lies within
    ``reach_mm`` of it and the paper there is not clipped to white (:data:`CLIPPED_LEVEL`): the paper is not flat."""
    x, y, w, h = rect_px
    r = round(reach_mm * px_per_mm)
    inside = gray[max(y, 0):max(y + h, 0), max(x, 0):max(x + w, 0)]
    around = gray[max(y - r, 0):max(y + h + r, 0), max(x - r, 0):max(x + w + r, 0)]
    if inside.size == 0 or around.size == 0:
        return False
    paper = float(np.median(inside))
    return paper < CLIPPED_LEVEL and bool(around.min() < dark_share * paper)


GLARE_TILE_MM = 4.0
# Only print this near a field that is read (digit boxes, bubbles, tally grids: their own lines, rings and the
# labels beside them) counts. Print away from every field (section titles, row labels, the filling instructions)
# washed out hides nothing that is graded, and is where a folded sheet's print lies farthest from the template
# (nothing there for the alignment to follow): attack "fold", seed 3800, 3 readable pages of 15 sheets refused as
# glare for the instruction line or a title a few millimetres off its place.
GLARE_FIELD_MARGIN_MM = GLARE_TILE_MM


def washed_print_share(gray: np.ndarray, page: PageLayout, sheet: SheetLayout, *, px_per_mm: float,
                       washed_level: int = 230) -> float:
    """Share of the page's printed area where the print has vanished into white: glare.

    The page is cut into 4 mm tiles. Tiles where the template prints something
    (text, lines, boxes) should hold a dark pixel; a specular reflection washes
    ink and paper alike to white, so such a tile whose darkest pixel is still
    above ``washed_level`` is washed out. An evenly bright page keeps its print dark.
    Only tiles near a field that is read (:data:`GLARE_FIELD_MARGIN_MM`) are counted
    washed; the share is of all printed tiles.
    """
    expected, counted = _expected_print_tiles(sheet, page.number, px_per_mm, gray.shape[:2])
    t = round(GLARE_TILE_MM * px_per_mm)
    h, w = (gray.shape[0] // t) * t, (gray.shape[1] // t) * t
    # (rows of a tile first: whole rows against each other, then t values each; NumPy's one reduction over
    # both axes walks the page a few values at a time, seven times slower)
    tile_min = gray[:h, :w].reshape(h // t, t, w // t, t).min(axis=1).min(axis=2)
    # Print may sit up to a tile away from where the template has it (imperfect alignment on
    # curled paper): a tile is washed out only if its neighbours are too.
    padded = np.pad(tile_min, 1, mode="edge")
    tile_min = np.min([padded[1 + dy:padded.shape[0] - 1 + dy, 1 + dx:padded.shape[1] - 1 + dx]
                       for dy in (-1, 0, 1) for dx in (-1, 0, 1)], axis=0)
    n = int(expected.sum())
    washed = counted & (tile_min >= washed_level)
    for r, c in np.argwhere(washed):
        washed[r, c] = not print_displaced_near(gray, (c * t, r * t, t, t), px_per_mm=px_per_mm)
    return float(np.sum(washed)) / n if n else 0.0


_PRINT_CACHE: dict[tuple, tuple[np.ndarray, np.ndarray]] = {}


def _expected_print_tiles(sheet: SheetLayout, page_no: int, px_per_mm: float,
                          shape: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """Per 4 mm tile of the frame: does the template print there, and is that print near a field that is read?"""
    from grader.sheet.identity import SheetIdentity
    from grader.sheet.render import MM_PER_INCH, render_page

    key = (sheet.spec.id, sheet.contest, sheet.pairs, page_no, px_per_mm, shape)
    if key not in _PRINT_CACHE:
        page = sheet.pages[page_no - 1]
        ident = SheetIdentity(sheet.spec.id, sheet.spec.version, page_no, sheet.contest, sheet.pairs, "X")
        ref = np.asarray(render_page(sheet, page, ident, dpi=px_per_mm * MM_PER_INCH))
        ref = cv2.resize(ref, (shape[1], shape[0]), interpolation=cv2.INTER_NEAREST) if ref.shape != shape else ref
        t = round(GLARE_TILE_MM * px_per_mm)
        h, w = (shape[0] // t) * t, (shape[1] // t) * t
        # A tile must hold a fair amount of print (not just the tip of a letter), so that a
        # slight misregistration or blur cannot make its print look washed away.
        ink = (ref[:h, :w] < 100).reshape(h // t, t, w // t, t).mean(axis=(1, 3))
        expected = ink >= 0.04
        # Ignore tiles at the paper edge, which curl and cut-off margins make unreliable, and the
        # markers and QR code: a finger or a paper over a marker is allowed, and is no glare.
        expected[[0, -1], :] = False
        expected[:, [0, -1]] = False
        for r in [m.rect for m in page.markers] + [page.qr]:
            x, y, rw, rh = r.grow(3.0).to_px(px_per_mm)
            expected[max(y // t, 0):(y + rh) // t + 1, max(x // t, 0):(x + rw) // t + 1] = False
        near = np.zeros_like(expected)
        for f in page.fields:
            if f.kind in ("digits", "bubbles", "tally"):
                x, y, rw, rh = f.rect.grow(GLARE_FIELD_MARGIN_MM).to_px(px_per_mm)
                near[max(y // t, 0):(y + rh) // t + 1, max(x // t, 0):(x + rw) // t + 1] = True
        if len(_PRINT_CACHE) > 32:
            _PRINT_CACHE.clear()
        _PRINT_CACHE[key] = expected, expected & near
    return _PRINT_CACHE[key]


_BORDER_CACHE: dict[tuple, tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, int]] = {}


def _border_pixels(page: PageLayout, px_per_mm: float,
                   shape: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, int]:
    """Flat indices of every digit box's border strip in the frame and which box each belongs to; the same for
    the box's inside (where the handwriting is); and the number of boxes."""
    boxes = [b for f in page.fields if f.kind == "digits" for b in f.boxes]
    key = (tuple(boxes), px_per_mm, shape[:2])
    if key not in _BORDER_CACHE:
        h, w = shape[:2]
        t = max(2, round(0.8 * px_per_mm))
        k = t + max(1, round(0.4 * px_per_mm))     # the inside: from 0.8 mm within the printed edge, clear of its line
        idx, owner, inner, inner_owner = [], [], [], []
        for i, b in enumerate(boxes):
            x, y, bw, bh = b.grow(0.4).to_px(px_per_mm)
            mask = np.zeros((bh, bw), bool)
            mask[:t], mask[-t:], mask[:, :t], mask[:, -t:] = True, True, True, True
            inside = np.zeros((bh, bw), bool)
            inside[k:-k, k:-k] = True
            for part, into, into_owner in ((mask, idx, owner), (inside, inner, inner_owner)):
                yy, xx = np.nonzero(part)
                yy, xx = yy + y, xx + x
                ok = (yy >= 0) & (yy < h) & (xx >= 0) & (xx < w)
                into.append(yy[ok] * w + xx[ok])
                into_owner.append(np.full(int(ok.sum()), i))
        if len(_BORDER_CACHE) > 32:
            _BORDER_CACHE.clear()
        flat = [np.concatenate(a) if a else np.zeros(0, int) for a in (idx, owner, inner, inner_owner)]
        _BORDER_CACHE[key] = (*flat, len(boxes))
    return _BORDER_CACHE[key]


def sharp_markers(measures: dict[str, float], thresholds: QualityThresholds) -> bool:
    """Were markers measured, with edges sharp enough (``faint_print_max_blur_mm``) to say the photo is in focus
    whatever their contrast or the frame's edges say?"""
    blur = measures.get("blur_mm")
    return blur is not None and blur <= thresholds.faint_print_max_blur_mm


def judge(measures: dict[str, float], thresholds: QualityThresholds) -> tuple[str, ...]:
    """The refusal reasons ``measures`` call for, most important first."""
    t = thresholds
    found = set()
    m = measures.get
    if m("grays_per_edge") is not None and m("grays_per_edge") < t.min_grays_per_edge:
        found.add("binarized_scan")
    if m("paper_level") is not None and (m("paper_level") < t.min_paper_level or m("contrast") < t.min_contrast):
        found.add("too_dark")
    elif m("paper_level") is None and m("frame_level") is not None and m("frame_level") < t.frame_dark_level:
        found.add("too_dark")       # (no marker measured: the frame's brightness, as when no marker was found)
    # Low marker contrast stands for blur only when the edges are not sharp. Blur that greys the markers' 2 mm black
    # border below the contrast limit widens their edges well past the blur limit (mock photos blurred 5-5.5 px:
    # contrast 0.67, blur 0.58-0.66 mm); a low-toner print at 40-60 % darkness has contrast 0.35-0.41 with edges
    # of 0-0.1 mm (attack low_toner, seed 3900: all 30 pages were refused as too blurry), and sharp photos that
    # pass measure up to 0.32 mm.
    if (m("blur_mm") is not None and m("blur_mm") > t.max_blur_mm) or \
            (m("marker_contrast") is not None and m("marker_contrast") < t.min_marker_contrast
             and "too_dark" not in found and not sharp_markers(measures, t)):
        found.add("too_blurry")
    if (m("glare_fraction") is not None and m("glare_fraction") > t.max_glare_fraction) or \
            (m("washed_print") is not None and m("washed_print") > t.max_washed_print):
        found.add("glare")
    if m("cut_off"):
        found.add("sheet_cut_off")
    if (m("px_per_mm") is not None and m("px_per_mm") < t.min_px_per_mm) or \
            (m("coverage") is not None and m("coverage") < t.min_coverage):
        found.add("sheet_too_small")
    return tuple(r for r in REASON_ORDER if r in found)


# The share of the frame a sheet fills when the phone is brought as close as the sheet allows: an A4 page fills 0.94
# of a 4:3 frame edge to edge, and a trainee leaves a margin around it.
CLOSEST_COVERAGE = 0.9


def small_for_pixels(measures: dict[str, float], thresholds: QualityThresholds) -> bool:
    """``sheet_too_small`` for the photo's pixels, not for the sheet's place in it: too few pixels per mm of paper
    even were the sheet to fill the frame (:data:`CLOSEST_COVERAGE`): a screenshot, a preview or a shrunken copy,
    where moving closer cannot help.

    Not merely a sheet covering more than ``min_coverage``: a chat app's 1200x1600 photo taken at 70 degrees, the
    sheet a trapezoid over 0.18 of the frame at 2.34 px/mm, was told it was a screenshot to be sent as the camera
    took it (helper-165), where moving closer gives it 5 px/mm.
    """
    m, t = measures.get, thresholds
    px, coverage = m("px_per_mm"), m("coverage")
    if px is None or px >= t.min_px_per_mm:
        return False
    return coverage is None or px * np.sqrt(CLOSEST_COVERAGE / max(coverage, 1e-6)) < t.min_px_per_mm


def report(measures: dict[str, float], reasons: tuple[str, ...], *, markers_found: int) -> QualityReport:
    """Bundle measures and reasons into a :class:`QualityReport`."""
    m = measures.get
    return QualityReport(ok=not reasons, reasons=reasons, blur_mm=m("blur_mm"), paper_level=m("paper_level"),
                         contrast=m("contrast"), px_per_mm=m("px_per_mm"), coverage=m("coverage"),
                         glare_fraction=m("glare_fraction"), frame_level=m("frame_level"),
                         frame_blur_px=m("frame_blur_px"), markers_found=markers_found,
                         measures={k: float(v) for k, v in measures.items()})
