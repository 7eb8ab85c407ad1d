"""Find the sheet's ArUco corner markers and the homography into the template frame.

Markers are detected on a downscaled grayscale copy (fast), then each marker's
four corners are refined on the full-resolution photo by fitting straight
lines to its four outer edges (sub-pixel, unbiased by blur) and intersecting
them. Marker ids say which page is shown and where its top-left is, so any
in-plane rotation works; three markers (12 corners) are enough.
"""
from __future__ import annotations

import itertools
import logging
from dataclasses import dataclass

import cv2
import numpy as np

from grader.order_stats import median, percentile
from grader.photo.no_ipp import without_ipp
from grader.sheet.layout import PageLayout, shared_layout
from grader.sheet.schema import TemplateSpec

log = logging.getLogger(__name__)

DETECT_SIDE_PX = 1000       # long side of the copy markers are detected on
EDGE_SAMPLES = 14           # profiles per marker edge for line fitting
# Share of each marker cell, on every side, left out when its bit is read: only the cell's centre counts.
# A photocopy grows the black modules into the white cells (toner spread, a dark setting: an isolated white
# cell of a 12 mm marker shrinks by a few tenths of a millimetre) and a light copy shrinks them; OpenCV's
# default (0.13) reads almost the whole cell (none of its 4 px per cell left out), so a dark copy's markers
# no longer decode. Measured in grader/synth/copier.py's darkest copies: 38 of 40 photos refused, none with this.
CELL_MARGIN = 0.3


@dataclass(frozen=True)
class MarkerHit:
    """One detected marker.

    Attributes
    ----------
    id : ArUco id.
    corners : (4, 2) float64 photo pixels, in the marker's own TL, TR, BR, BL order.
    refined : whether edge-line refinement on the full image succeeded.
    edge_sigma_px : blur of the marker's edges (Gaussian sigma, full-res px), per side TL-TR, TR-BR, BR-BL, BL-TL.
    paper_level, ink_level : gray levels just outside and inside the marker border.
    """

    id: int
    corners: np.ndarray
    refined: bool = False
    edge_sigma_px: tuple[float, float, float, float] = (np.nan,) * 4
    paper_level: float = np.nan
    ink_level: float = np.nan

    @property
    def side_px(self) -> float:
        c = self.corners
        return float(np.mean(np.linalg.norm(c - np.roll(c, -1, axis=0), axis=1)))


@dataclass(frozen=True)
class MarkerDetection:
    """All markers of one dictionary found in a photo, plus the downscaled gray copy used."""

    hits: tuple[MarkerHit, ...]
    small_gray: np.ndarray
    scale: float                  # small = full * scale
    frame_size: tuple[int, int]   # full-res (width, height)


def downscale_gray(gray: np.ndarray, *, side: int = DETECT_SIDE_PX) -> tuple[np.ndarray, float]:
    """A copy of ``gray`` shrunk by a whole factor so its long side is about ``side``, and the scale.

    Whole factors keep ``cv2.INTER_AREA`` on its fast path (a box filter).
    """
    if gray.ndim == 3:
        gray = cv2.cvtColor(gray, cv2.COLOR_BGR2GRAY)
    h, w = gray.shape[:2]
    f = max(1, round(max(h, w) / side))
    if f == 1:
        return gray, 1.0
    return cv2.resize(gray[:h // f * f, :w // f * f], (w // f, h // f), interpolation=cv2.INTER_AREA), 1.0 / f


def _parameters() -> cv2.aruco.DetectorParameters:
    params = cv2.aruco.DetectorParameters()
    params.perspectiveRemoveIgnoredMarginPerCell = CELL_MARGIN
    return params


def _detector(dictionary: str, *, thorough: bool) -> cv2.aruco.ArucoDetector:
    params = _parameters()
    params.minMarkerPerimeterRate = 0.03
    params.maxMarkerPerimeterRate = 0.6
    if not thorough:
        # One threshold window, and a threshold offset that ignores table texture and sensor
        # noise (fewer contours to trace): 3-4x faster, enough for ordinary photos.
        params.adaptiveThreshWinSizeMin = 15
        params.adaptiveThreshWinSizeMax = 15
        params.adaptiveThreshConstant = 25
    else:
        params.adaptiveThreshWinSizeMin = 5
        params.adaptiveThreshWinSizeMax = 45
        params.adaptiveThreshWinSizeStep = 8
        params.minMarkerPerimeterRate = 0.02
    return cv2.aruco.ArucoDetector(cv2.aruco.getPredefinedDictionary(getattr(cv2.aruco, dictionary)), params)


def detect_markers(gray: np.ndarray, *, dictionary: str, wanted_ids: set[int] | None = None,
                   side: int = DETECT_SIDE_PX, refine: bool = True) -> MarkerDetection:
    """Detect markers on a downscaled copy of ``gray`` and refine them on ``gray`` itself.

    Parameters
    ----------
    gray : the photo, full resolution, uint8 grayscale.
    dictionary : OpenCV ArUco dictionary name (``DICT_4X4_50``).
    wanted_ids : the ids a sheet can carry. While fewer than 3 of them are found,
        slower settings are tried: several threshold windows, then twice the resolution.
    side : long side of the detection copy.
    refine : fit edge lines on the full-resolution image.
    """
    small, scale = downscale_gray(gray, side=side)

    def count(hs: list[MarkerHit]) -> int:
        return sum(1 for h in hs if wanted_ids is None or h.id in wanted_ids)

    hits = _detect(small, scale, dictionary, thorough=False)
    hit_scale = scale
    # Three markers fix the page; the caller looks for a fourth in a small window where they
    # predict it (:func:`detect_near`), far cheaper than searching the whole frame again.
    if count(hits) < 3:
        more = _detect(small, scale, dictionary, thorough=True)
        if count(more) > count(hits):
            hits = more
    if count(hits) < 3 and scale < 1.0:
        finer, fscale = downscale_gray(gray, side=2 * side)
        more = _detect(finer, fscale, dictionary, thorough=False)
        if count(more) > count(hits):
            hits, hit_scale = more, fscale
            log.debug("markers found only at finer scale %.3f", fscale)
    if count(hits) < 3:
        more = _detect(without_thin_lines(small), scale, dictionary, thorough=True)
        if count(more) > count(hits):
            hits, hit_scale = more, scale
            log.debug("markers found once thin dark lines were closed")
    if refine:
        hits = [refine_marker(gray, h, scale=hit_scale) for h in hits]
    return MarkerDetection(hits=tuple(hits), small_gray=small, scale=scale,
                           frame_size=(gray.shape[1], gray.shape[0]))


def detect_near(gray: np.ndarray, quad_px: np.ndarray, *, dictionary: str, marker_id: int) -> MarkerHit | None:
    """Look for marker ``marker_id`` around its predicted corners ``quad_px`` (full-res px), thoroughly.

    Used when three markers were found: the fourth is searched where they say it
    must be, in a small crop at a resolution where the marker is 60-120 px wide.
    """
    side = float(np.mean(np.linalg.norm(quad_px - np.roll(quad_px, -1, axis=0), axis=1)))
    h, w = gray.shape[:2]
    x0, y0 = np.floor(quad_px.min(axis=0) - side).astype(int)
    x1, y1 = np.ceil(quad_px.max(axis=0) + side).astype(int)
    x0, y0, x1, y1 = max(x0, 0), max(y0, 0), min(x1, w), min(y1, h)
    if x1 - x0 < 16 or y1 - y0 < 16:
        return None
    f = max(1, int(side // 90))
    roi = gray[y0:y1, x0:x1]
    if f > 1:
        rh, rw = roi.shape
        roi = cv2.resize(roi[:rh // f * f, :rw // f * f], (rw // f, rh // f), interpolation=cv2.INTER_AREA)
    params = _parameters()
    params.minMarkerPerimeterRate = 0.05
    params.adaptiveThreshWinSizeMin, params.adaptiveThreshWinSizeMax, params.adaptiveThreshWinSizeStep = 5, 45, 8
    det = cv2.aruco.ArucoDetector(cv2.aruco.getPredefinedDictionary(getattr(cv2.aruco, dictionary)), params)
    with without_ipp():
        corners, ids, _ = det.detectMarkers(roi)
        if ids is None or marker_id not in ids.ravel():
            corners, ids, _ = det.detectMarkers(without_thin_lines(roi))
    if ids is None:
        return None
    for c, i in zip(corners, ids.ravel()):
        if int(i) == marker_id:
            pts = (c.reshape(4, 2).astype(np.float64) + 0.5) * f - 0.5 + (x0, y0)
            return refine_marker(gray, MarkerHit(marker_id, pts), scale=1.0 / f)
    return None


def without_thin_lines(gray: np.ndarray) -> np.ndarray:
    """``gray`` with dark lines one or two pixels wide closed (a 3 x 3 grey closing), larger dark areas kept.

    A copier's drum streak (0.1-0.3 mm of toner along the whole page) that crosses a marker joins its black border
    to the line, so the marker's outline is no longer a quadrilateral and it is not detected: a light copy on
    orange paper with a streak through its top markers was refused as markers_not_found with all four markers
    sharp in the photo (attack coloured_copy, seed 3903). At detection scale a streak is a pixel or two wide and a
    marker cell four or more, so closing the lines leaves the cells readable. Tried only when the plain passes
    find fewer than three markers.
    """
    return cv2.morphologyEx(gray, cv2.MORPH_CLOSE, np.ones((3, 3), np.uint8))


def _detect(small: np.ndarray, scale: float, dictionary: str, *, thorough: bool) -> list[MarkerHit]:
    with without_ipp():     # (hundreds of candidate quads, each a small warp: see grader.photo.no_ipp)
        corners, ids, _ = _detector(dictionary, thorough=thorough).detectMarkers(small)
    if ids is None:
        return []
    # Pixel centres: the small copy's pixel i covers full-res [i/scale, (i+1)/scale).
    return [MarkerHit(int(i), (c.reshape(4, 2).astype(np.float64) + 0.5) / scale - 0.5)
            for c, i in zip(corners, ids.ravel())]


def refine_marker(image: np.ndarray, hit: MarkerHit, *, scale: float) -> MarkerHit:
    """Refine a marker's corners by fitting lines to its four outer edges on the full image.

    Also measures the edge blur and the ink/paper levels, which the quality gate uses.
    Returns ``hit`` unchanged if the edges cannot be measured.
    """
    c = hit.corners
    side = hit.side_px
    if not np.isfinite(side) or side < 8:
        return hit
    reach = max(2.0, min(side / 8.0, 1.5 / scale + 1.0))   # normal search distance, < one marker cell
    pad = int(np.ceil(reach + side / 6 + 4))
    x0, y0 = np.floor(c.min(axis=0)).astype(int) - pad
    x1, y1 = np.ceil(c.max(axis=0)).astype(int) + pad
    h, w = image.shape[:2]
    x0, y0, x1, y1 = max(x0, 0), max(y0, 0), min(x1, w), min(y1, h)
    if x1 - x0 < 8 or y1 - y0 < 8:
        return hit
    roi = image[y0:y1, x0:x1]
    if roi.ndim == 3:
        roi = cv2.cvtColor(roi, cv2.COLOR_BGR2GRAY)
    roi = roi.astype(np.float32)   # small: the marker and its surroundings only
    local = c - (x0, y0)
    centre = local.mean(axis=0)
    lines, sigmas, papers, inks = [], [], [], []
    for k in range(4):
        a, b = local[k], local[(k + 1) % 4]
        fit = _fit_edge(roi, a, b, centre, reach=reach)
        if fit is None:
            return hit
        line, sigma, paper, ink = fit
        lines.append(line)
        sigmas.append(sigma)
        papers.append(paper)
        inks.append(ink)
    new = np.array([_intersect(lines[(k - 1) % 4], lines[k]) for k in range(4)])
    if not np.all(np.isfinite(new)) or np.max(np.linalg.norm(new - local, axis=1)) > reach + 2:
        return hit
    return MarkerHit(hit.id, new + (x0, y0), refined=True, edge_sigma_px=tuple(float(s) for s in sigmas),
                     paper_level=float(median(papers)), ink_level=float(median(inks)))


def _fit_edge(roi: np.ndarray, a: np.ndarray, b: np.ndarray, centre: np.ndarray, *, reach: float):
    """Sub-pixel edge points along a-b (dark inside, light outside), a fitted line, the blur and levels."""
    d = b - a
    length = float(np.hypot(*d))
    t_dir = d / length
    normal = np.array([-t_dir[1], t_dir[0]])
    if np.dot(centre - (a + b) / 2, normal) > 0:   # make the normal point outwards
        normal = -normal
    ts = np.linspace(0.2, 0.8, EDGE_SAMPLES)
    step = 0.5
    inner = min(reach + 2.5, 0.85 * length / 6)     # stay inside the marker's black border cell
    offsets = np.arange(-inner, reach + 2.5 + 1e-6, step)
    pts = a[None, None, :] + ts[:, None, None] * d[None, None, :] + offsets[None, :, None] * normal[None, None, :]
    prof = cv2.remap(roi, pts[..., 0].astype(np.float32), pts[..., 1].astype(np.float32), cv2.INTER_LINEAR,
                     borderMode=cv2.BORDER_REPLICATE)   # (samples, offsets), dark -> light
    ink = float(median(prof[:, :3]))
    paper = float(median(prof[:, -3:]))
    contrast = paper - ink
    if contrast < 12:
        return None
    grad = np.diff(prof, axis=1)
    mid = offsets[:-1] + step / 2
    window = (mid >= -min(reach, inner - 1.0)) & (mid <= reach)
    grad_in = np.where(window[None, :], grad, -np.inf)
    peak = np.argmax(grad_in, axis=1)
    ok = (peak >= 1) & (peak < grad.shape[1] - 1)
    if ok.sum() < EDGE_SAMPLES // 2:
        return None
    rows = np.nonzero(ok)[0]
    p = peak[ok]
    g0, g1, g2 = grad[rows, p - 1], grad[rows, p], grad[rows, p + 1]
    den = g0 - 2 * g1 + g2
    frac = np.where(den < 0, 0.5 * (g0 - g2) / np.where(den < 0, den, -1.0), 0.0)
    pos = mid[p] + np.clip(frac, -1, 1) * step
    # Edge width from the steepest slope: a step blurred by sigma rises at most
    # contrast / (sigma * sqrt(2 pi)) per pixel. Unlike a 10-90 % rise it ignores
    # JPEG ringing and uneven paper beside the edge.
    widths = contrast * step / (np.maximum(g1, 1e-3) * np.sqrt(2 * np.pi))
    pts_edge = a[None, :] + ts[ok][:, None] * d[None, :] + pos[:, None] * normal[None, :]
    # Robust line: drop the worst quarter (ink touching the marker, specks), refit.
    line = _fit_line(pts_edge)
    res = np.abs((pts_edge - line[0]) @ line[1])
    keep = res <= max(percentile(res, 75), 0.3)
    if keep.sum() >= 4:
        line = _fit_line(pts_edge[keep])
    sigma = float(median(widths))
    return line, sigma, paper, ink


def _fit_line(pts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Total-least-squares line: (a point on it, its unit normal)."""
    m = pts.mean(axis=0)
    _, _, vt = np.linalg.svd(pts - m)
    return m, vt[1]


def _intersect(l1, l2) -> np.ndarray:
    (p1, n1), (p2, n2) = l1, l2
    a = np.array([n1, n2])
    if abs(np.linalg.det(a)) < 1e-6:
        return np.array([np.nan, np.nan])
    return np.linalg.solve(a, np.array([n1 @ p1, n2 @ p2]))


@dataclass(frozen=True)
class PageFit:
    """The homography of one page, from the markers that belong to it."""

    page: PageLayout
    homography: np.ndarray          # photo px -> template px
    hits: tuple[MarkerHit, ...]     # the markers used, one per id
    residual_mm: float              # RMS reprojection error of the marker corners, template mm
    missing: tuple[int, ...]        # ids of this page's markers that were not used


def page_of_marker(spec: TemplateSpec, marker_id: int) -> int | None:
    """The page number whose markers include ``marker_id``, or None."""
    page = marker_id // spec.marker_ids_per_page + 1
    return page if 1 <= page <= len(spec.pages) else None


MAX_MARKER_CHOICES = 64    # combinations of repeated marker ids weighed against each other (beyond: the largest)
CONSISTENT_MM = 0.75       # RMS marker-corner residual (mm) above which four markers do not agree on the page


def choose_page(spec: TemplateSpec, hits: tuple[MarkerHit, ...]) -> tuple[int | None, list[MarkerHit]]:
    """The page most markers belong to, and those markers, one per id.

    An id seen twice (the sheet lies on another printed copy of the same page, whose uncovered markers show
    around it) is settled by geometry, not size: of every choice of one hit per id, the one whose markers fit
    the page best (:func:`_most_consistent`). Taking the largest hit could put the other sheet's marker into
    the fit; three markers, one of them foreign, still fit a (wrong) homography, and the missing fourth could
    then be predicted outside the frame: a clean photo refused as ``sheet_cut_off``.
    """
    by_page: dict[int, dict[int, list[MarkerHit]]] = {}
    for h in hits:
        page = page_of_marker(spec, h.id)
        if page is None:
            continue
        by_page.setdefault(page, {}).setdefault(h.id, []).append(h)
    if not by_page:
        return None, []
    page = max(by_page, key=lambda p: (len(by_page[p]), sum(max(c.side_px for c in hs) for hs in by_page[p].values())))
    found = by_page[page]
    largest = [max(found[i], key=lambda h: h.side_px) for i in sorted(found)]
    if all(len(hs) == 1 for hs in found.values()) or len(found) < 3:
        return page, largest
    # (marker positions do not depend on the variant: the shared layout has them)
    return page, _most_consistent(shared_layout(spec).pages[page - 1], found, largest,
                                  px_per_mm=spec.read_px_per_mm)


def _most_consistent(page: PageLayout, found: dict[int, list[MarkerHit]], largest: list[MarkerHit], *,
                     px_per_mm: float) -> list[MarkerHit]:
    """Of every choice of one hit per id, the one :func:`fit_page` fits best.

    Preferred: a fit within the tolerance :func:`fit_page` drops a marker at, then one that keeps more markers,
    then the smaller residual; ties keep the larger markers (the order of :func:`itertools.product` over hits
    sorted largest first, the old rule).
    """
    ids = sorted(found)
    options = [sorted(found[i], key=lambda h: -h.side_px) for i in ids]
    if int(np.prod([len(o) for o in options])) > MAX_MARKER_CHOICES:
        return largest
    best, best_key = largest, None
    for combo in itertools.product(*options):
        fit = fit_page(page, list(combo), px_per_mm=px_per_mm)
        if fit is None:
            continue
        key = (fit.residual_mm > CONSISTENT_MM, -len(fit.hits), fit.residual_mm)
        if best_key is None or key < best_key:
            best, best_key = list(combo), key
    return best


def fit_page(page: PageLayout, hits: list[MarkerHit], *, px_per_mm: float) -> PageFit | None:
    """Homography from the markers' corners (photo px) to the template frame (``mm * px_per_mm``).

    Needs at least three markers. With four, a marker that disagrees with the
    other three by more than 1.5 mm (a false detection, a marker on another
    paper) is dropped.
    """
    layout = {m.id: m for m in page.markers}
    hits = [h for h in hits if h.id in layout]
    if len(hits) < 3:
        return None
    fit = _fit(page, layout, hits, px_per_mm)
    if len(hits) == 4 and fit.residual_mm > CONSISTENT_MM:
        trials = [_fit(page, layout, [h for h in hits if h is not out], px_per_mm) for out in hits]
        best = min(trials, key=lambda f: f.residual_mm)
        if best.residual_mm < fit.residual_mm / 3:
            log.info("dropped inconsistent marker(s) %s", best.missing)
            fit = best
    return fit


def _fit(page: PageLayout, layout: dict, hits: list[MarkerHit], px_per_mm: float) -> PageFit:
    src = np.concatenate([h.corners for h in hits]).astype(np.float64)
    dst = mm_to_frame(np.concatenate([np.array(layout[h.id].corners) for h in hits]), px_per_mm=px_per_mm)
    H, _ = cv2.findHomography(src, dst, 0)
    proj = cv2.perspectiveTransform(src[None], H)[0]
    residual = float(np.sqrt(np.mean(np.sum((proj - dst) ** 2, axis=1)))) / px_per_mm
    used = {h.id for h in hits}
    return PageFit(page=page, homography=H, hits=tuple(hits), residual_mm=residual,
                   missing=tuple(m for m in layout if m not in used))


def mm_to_frame(points_mm: np.ndarray, *, px_per_mm: float) -> np.ndarray:
    """Template-frame pixel coordinates (OpenCV convention: pixel centres at integers) of points in mm.

    Millimetre ``x`` is the left edge of pixel ``x * px_per_mm`` as in :meth:`Rect.to_px`
    and :func:`render_page`, i.e. coordinate ``x * px_per_mm - 0.5``.
    """
    return np.asarray(points_mm, dtype=np.float64) * px_per_mm - 0.5


def frame_to_mm(points_px: np.ndarray, *, px_per_mm: float) -> np.ndarray:
    """Inverse of :func:`mm_to_frame`."""
    return (np.asarray(points_px, dtype=np.float64) + 0.5) / px_per_mm


def project_mm(homography: np.ndarray, points_mm: np.ndarray, *, px_per_mm: float) -> np.ndarray:
    """Photo pixel positions of template points given in mm (inverse of the page homography)."""
    inv = np.linalg.inv(homography)
    pts = mm_to_frame(np.asarray(points_mm, dtype=np.float64).reshape(-1, 1, 2), px_per_mm=px_per_mm)
    return cv2.perspectiveTransform(pts, inv).reshape(-1, 2)
