"""Why a photo's markers do not fix its page: the refusal to give when fewer than three of them are found.

Policy when markers are missing (:func:`diagnose_missing`):
- the frame is very dark, or very blurred (the markers found, or the whole frame, or our
  markers reappear once the photo is shrunk): ``too_dark`` / ``too_blurry`` -- a blurred
  photo of anything is asked for again before it is judged;
- three or more of our markers once the photo is flipped left-right (a front camera that saves mirrored
  photos; a mirrored marker is no marker, so nothing of the sheet is found as it is): ``mirrored_photo``, on which
  :func:`grader.photo.align.align_photo` reads the photo flipped back instead of refusing it;
- 1-3 of our markers, and a missing one would lie outside the frame where paper runs off the frame's edge:
  ``sheet_cut_off``;
- three of our markers, the fourth's place well inside the frame and not dark like a marker: ``corner_covered``
  (a paper, hand or book lies over that corner: "frame all four corners" would not help);
- 1-3 of our markers: ``markers_not_found``;
- two or more of our markers whose corners say the photo was taken far from straight above, refused as blurred or
  markers not found: ``steep_angle`` (:mod:`grader.photo.view_angle`), whose words say to hold the phone above;
- fewer than two, refused as blurred or markers not found: nothing tells the angle, and the words (case
  ``no_angle``) name holding the phone straight above the sheet beside the code's own;
- none, but 3+ markers of our dictionary whose ids no known template uses: ``unknown_template``;
- none, but one of our QR codes is readable: ``markers_not_found``;
- nothing of ours at all: ``not_practice_sheet``.
"""
from __future__ import annotations

from typing import Callable

import cv2
import numpy as np

from grader.photo import quality as q
from grader.photo.locate import MarkerDetection, MarkerHit, detect_markers, page_of_marker
from grader.photo.no_ipp import without_ipp
from grader.photo.quality import QualityThresholds
from grader.photo.refusal import NO_ANGLE, Refusal
from grader.photo.view_angle import STEEP_REASONS, steep, view_angle_deg
from grader.sheet.identity import decode_payload
from grader.sheet.layout import Marker, PageLayout, Rect, shared_layout
from grader.sheet.schema import TemplateSpec


def diagnose_missing(gray: np.ndarray, det: MarkerDetection, specs: dict[str, TemplateSpec], spec: TemplateSpec,
                     page_no: int | None, hits: list[MarkerHit], t: QualityThresholds, *,
                     grays_per_edge: float) -> Refusal:
    """Why a page's markers do not fix it: fewer than three found (see the module docstring), or three whose fit
    the printed boxes contradict (``grader.photo.align._print_disagrees``); either way, what hid the missing one, if
    it shows."""
    measures: dict[str, float] = {"grays_per_edge": grays_per_edge}
    covered = None
    if grays_per_edge < t.min_grays_per_edge:     # hollowed markers: the scan, not the sheet, is the problem
        report = q.report(measures, ("binarized_scan",), markers_found=len(hits))
        return Refusal("binarized_scan", detail=f"{len(hits)} markers; {measures}", quality=report)
    if hits:
        measures.update(q.marker_measures(hits, marker_mm=spec.marker_size_mm))
        page = shared_layout(spec).pages[page_no - 1]
        to_photo = _page_to_photo(hits, page)
        if to_photo is not None and _missing_outside(hits, page, to_photo, det.frame_size, gray):
            measures["cut_off"] = 1.0
        elif to_photo is not None:
            covered = _covered_marker(hits, page, to_photo, gray)
    level, blur = q.frame_measures(det.small_gray)
    measures.update(frame_level=level, frame_blur_px=blur)
    # The markers found, when their edges measure sharp, say the photo is in focus better than the frame-wide edge
    # estimate, which the noise and low contrast of a dim photo of a pale print widen past its limit (attack
    # low_toner_dim, seed 3909: 13 pages refused as too blurry with the markers found measured 0-0.08 mm).
    sharp = q.sharp_markers(measures, t)
    if _mirrored(gray, specs, found=len(hits)):
        # First: the markers were decoded once flipped, so the photo is sharp enough, and a frame of mirrored
        # markers (each a meaningless pattern) looks like no sheet, or a blurred one, to the rest. Read flipped back
        # (align_photo), a photo also too dark is refused as such there, with its page and its QR's trainee
        # (helper-157: a mirrored dark page 1 was "too dark" with no page, its trainee told page 1 was never read).
        code = "mirrored_photo"
    elif level < t.frame_dark_level or measures.get("paper_level", 255) < t.min_paper_level or \
            (sharp and "too_dark" in q.judge(measures, t)):
        code = "too_dark"
    elif "too_blurry" in q.judge(measures, t) or (blur > t.frame_blur_px and not sharp) or \
            (not hits and _markers_when_shrunk(gray, spec)):
        code = "too_blurry"
    elif measures.get("cut_off"):
        code = "sheet_cut_off"
    elif covered is not None:
        code = "corner_covered"
    elif hits:
        code = "markers_not_found"
    elif _foreign_sheet(det, specs):
        code = "unknown_template"
    elif _our_qr_visible(gray):
        code = "markers_not_found"
    else:
        code = "not_practice_sheet"
    reasons: tuple[str, ...] = (code,)
    if code in STEEP_REASONS and len(hits) >= 2:
        # (two markers' eight corners, across the page, tell the angle; one marker's own four, too near, do not)
        by_id = {m.id: m for m in shared_layout(spec).pages[page_no - 1].markers}
        angle = view_angle_deg(np.concatenate([np.array(by_id[h.id].corners) for h in hits]),
                               np.concatenate([h.corners for h in hits]), det.frame_size)
        if steep(angle):
            measures["view_angle_deg"] = angle
            code, reasons = "steep_angle", ("steep_angle", code)
    report = q.report(measures, reasons, markers_found=len(hits))
    case = _corner_name(page, covered) if code == "corner_covered" else \
        NO_ANGLE if code in ("too_blurry", "markers_not_found") and len(hits) < 2 else None
    return Refusal(code, detail=f"{len(hits)} markers; {measures}", quality=report, case=case)


def _markers_when_shrunk(gray: np.ndarray, spec: TemplateSpec) -> bool:
    """Do our markers appear once the photo is shrunk a lot? Then the sheet is there but too blurred."""
    wanted = set(range(spec.marker_ids_per_page * len(spec.pages)))
    for side in (480, 320):
        det = detect_markers(gray, dictionary=spec.marker_dictionary, wanted_ids=wanted, side=side, refine=False)
        if sum(1 for h in det.hits if h.id in wanted) >= 2:
            return True
    return False


def _mirrored(gray: np.ndarray, specs: dict[str, TemplateSpec], *, found: int) -> bool:
    """Does the photo flipped left-right show three or more markers of one of our pages, more than it shows as
    it is? ArUco patterns are not mirror-symmetric, so a mirrored photo's markers decode as nothing or as stray
    ids, and only the flip finds the page."""
    flipped = np.ascontiguousarray(gray[:, ::-1])
    for spec in specs.values():
        det = detect_markers(flipped, dictionary=spec.marker_dictionary,
                             wanted_ids=set(range(spec.marker_ids_per_page * len(spec.pages))), refine=False)
        for page_no in range(1, len(spec.pages) + 1):
            ids = {h.id for h in det.hits if page_of_marker(spec, h.id) == page_no}
            if len(ids) >= 3 and len(ids) > found:
                return True
    return False


def _page_to_photo(hits: list[MarkerHit], page: PageLayout) -> Callable[[np.ndarray], np.ndarray] | None:
    """Template millimetres to photo pixels, fitted to the corners of the markers found.

    Three markers' twelve corners fix a homography (the page fit reads a three-marker page through one), and only
    it carries the perspective to the fourth: the similarity put a covered fourth marker of a page tilted 30
    degrees and filling the photo beyond the frame, where the covering paper ran off the edge, and the page was
    called cut off. With one or two markers a homography extrapolates wildly, so a similarity (rotation, scale,
    shift) predicts the page.
    """
    by_id = {m.id: m for m in page.markers}
    src = np.concatenate([np.array(by_id[h.id].corners) for h in hits]).astype(np.float32)
    dst = np.concatenate([h.corners for h in hits]).astype(np.float32)
    if len(hits) >= 3:
        H, _ = cv2.findHomography(src, dst, 0)
        if H is None:
            return None
        return lambda pts: cv2.perspectiveTransform(np.asarray(pts, np.float64).reshape(-1, 1, 2), H).reshape(-1, 2)
    A, _ = cv2.estimateAffinePartial2D(src, dst, method=cv2.LMEDS)
    if A is None:
        return None
    return lambda pts: np.asarray(pts, np.float64).reshape(-1, 2) @ A[:, :2].T + A[:, 2]


def _quad(to_photo: Callable[[np.ndarray], np.ndarray], r: Rect) -> np.ndarray:
    """Where rectangle ``r`` (mm) lies in the photo: its four corners, clockwise from top-left."""
    return to_photo(np.array([(r.x, r.y), (r.x2, r.y), (r.x2, r.y2), (r.x, r.y2)]))


def _side(quad: np.ndarray) -> float:
    """A quadrilateral's mean side, in pixels."""
    return float(np.mean(np.linalg.norm(quad - np.roll(quad, 1, axis=0), axis=1)))


def _missing_outside(hits: list[MarkerHit], page: PageLayout, to_photo: Callable[[np.ndarray], np.ndarray],
                     frame: tuple[int, int], gray: np.ndarray) -> bool:
    """Would a missing marker lie clearly outside the photo, with the paper running off the frame's edge on the way
    there? Outside: its predicted centre (:func:`_page_to_photo`) beyond the frame edge by more than half a marker.

    A similarity cannot foreshorten: under a strong tilt it carries the scale of the near side to the far one and
    can place a marker outside a page that is wholly in the photo (attack low_toner, seed 3900: a toner streak
    hid both left markers of a page tilted 25 degrees; the bottom-left one was predicted 34 px below the frame, the
    page ended 20 px above its edge). So the prediction is checked where the page would leave the photo: a page cut
    off there runs off the frame's edge as paper, and the page is convex, so the way from a marker found to one
    beyond the edge crosses that edge on paper. Where the edge shows no paper there, the page cannot be shown to be
    cut off.
    """
    w, h = frame
    found_at = np.mean([hit.corners.mean(axis=0) for hit in hits], axis=0)
    levels = None           # (the print's paper and ink levels: measured only once a marker is predicted outside)
    for m in page.markers:
        if m.id in {hit.id for hit in hits}:
            continue
        quad = _quad(to_photo, m.rect)
        cx, cy = quad.mean(axis=0)
        side = _side(quad)
        slack = 0.5 * side
        if cx < -slack or cy < -slack or cx > w - 1 + slack or cy > h - 1 + slack:
            edge = _edge_crossing(found_at, np.array([cx, cy]), frame)
            if edge is None:
                continue
            levels = levels or _levels(gray, hits)
            if _paper_at_edge(gray, edge, half=side, paper=levels[0], ink=levels[1]):
                return True
    return False


def _covered_marker(hits: list[MarkerHit], page: PageLayout, to_photo: Callable[[np.ndarray], np.ndarray],
                    gray: np.ndarray) -> Marker | None:
    """The one marker missing from three found, when something lies over it: its place well inside the frame
    (half a marker's side clear of every edge all round: its centre a side in, as far in as a marker cut off by
    the frame is predicted out before it is called so) and not dark like the markers found there (a marker printed there but not decoded,
    smudged or blurred, is dark: not called covered, as a phone lying over it is not either, which the
    ``markers_not_found`` words also cover). With fewer markers found, more than one is missing and the prediction
    is a similarity's: a toner streak down one side or paper too short for the page hide markers as well, and
    "remove what covers it" would send the trainee the wrong way.
    """
    if len(hits) != 3:
        return None
    found = {hit.id for hit in hits}
    (m,) = [m for m in page.markers if m.id not in found]
    h, w = gray.shape
    around = _quad(to_photo, m.rect.grow(m.rect.w / 2))
    if not ((around >= 0).all() and (around[:, 0] <= w - 1).all() and (around[:, 1] <= h - 1).all()):
        return None
    place = np.zeros(gray.shape, np.uint8)
    cv2.fillConvexPoly(place, np.round(_quad(to_photo, m.rect)).astype(np.int32), 1)
    paper, ink = _levels(gray, hits)
    return m if float(np.median(gray[place > 0])) > (paper + ink) / 2 else None


def _corner_name(page: PageLayout, m: Marker) -> str:
    """Which corner of the sheet (as printed, whichever way it lies in the photo) marker ``m`` marks:
    ``top_left``, ``top_right``, ``bottom_right`` or ``bottom_left`` (a case of ``corner_covered``'s words)."""
    cx, cy = m.rect.center
    return f"{'top' if cy < page.height_mm / 2 else 'bottom'}_{'left' if cx < page.width_mm / 2 else 'right'}"


def _levels(gray: np.ndarray, hits: list[MarkerHit]) -> tuple[float, float]:
    """Paper and ink gray levels of this photo's print, from the markers found: the median inside their outlines
    (ink), and in a ring a quarter of a marker wide around them (the blank margin the template leaves around every
    marker: paper)."""
    def mask(scale: float) -> np.ndarray:
        m = np.zeros(gray.shape, np.uint8)
        for hit in hits:
            c = hit.corners.astype(np.float64)
            centre = c.mean(axis=0)
            cv2.fillConvexPoly(m, np.round(centre + (c - centre) * scale).astype(np.int32), 1)
        return m > 0

    ring = mask(1.5) & ~mask(1.0)
    return float(np.median(gray[ring])), float(np.median(gray[mask(0.9)]))


def _edge_crossing(start: np.ndarray, end: np.ndarray, frame: tuple[int, int]) -> np.ndarray | None:
    """Where the straight way from ``start`` (inside the frame) to ``end`` (outside it) leaves the frame."""
    w, h = frame
    d = end - start
    limits = []
    for axis, size in ((0, w), (1, h)):
        if d[axis] < 0:
            limits.append(-start[axis] / d[axis])
        elif d[axis] > 0:
            limits.append((size - 1 - start[axis]) / d[axis])
    t = min(limits, default=np.inf)
    if not 0 <= t <= 1:
        return None
    return np.clip(start + t * d, 0, [w - 1, h - 1])


def _paper_at_edge(gray: np.ndarray, point: np.ndarray, *, half: float, paper: float, ink: float) -> bool:
    """Is the frame's edge at ``point`` paper: the median of a strip along the edge, ``half`` (a marker's side)
    either side of the point and a quarter of that deep, nearer the print's paper level than its ink level?
    A strip, not the point: the prediction the point comes from is a similarity's, off under a tilt."""
    h, w = gray.shape
    x, y = point
    depth = max(2, int(round(half / 4)))
    x0, x1 = int(max(0, x - half)), int(min(w, x + half + 1))
    y0, y1 = int(max(0, y - half)), int(min(h, y + half + 1))
    if x <= 0.5:
        strip = gray[y0:y1, :depth]
    elif x >= w - 1.5:
        strip = gray[y0:y1, w - depth:]
    elif y <= 0.5:
        strip = gray[:depth, x0:x1]
    else:
        strip = gray[h - depth:, x0:x1]
    return strip.size > 0 and float(np.median(strip)) > (paper + ink) / 2


def _our_qr_visible(gray: np.ndarray) -> bool:
    """Is one of our QR payloads readable anywhere in the photo (at up to ~2000 px)?"""
    f = max(1, round(max(gray.shape) / 2000))
    img = gray if f == 1 else cv2.resize(gray, (gray.shape[1] // f, gray.shape[0] // f), interpolation=cv2.INTER_AREA)
    try:
        with without_ipp():
            text, _, _ = cv2.QRCodeDetector().detectAndDecode(img)
    except cv2.error:
        return False
    if not text:
        return False
    try:
        decode_payload(text)
    except ValueError:
        return False
    return True


def _foreign_sheet(det: MarkerDetection, specs: dict[str, TemplateSpec]) -> bool:
    """Three or more markers of one page group, with ids no known template uses."""
    groups: dict[int, set[int]] = {}
    any_spec = next(iter(specs.values()))
    for h in det.hits:
        if all(page_of_marker(s, h.id) is None for s in specs.values()):
            groups.setdefault(h.id // any_spec.marker_ids_per_page, set()).add(h.id)
    return any(len(ids) >= 3 for ids in groups.values())
