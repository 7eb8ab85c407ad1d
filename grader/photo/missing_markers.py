"""Why a photo's markers do not fix its page: the refusal to give when fewer than three of them are found.

Policy when markers are missing (:func:`diagnose_missing`):
- the frame is very dark, or very blurred (the markers found, or the whole frame, or our
  markers reappear once the photo is shrunk): ``too_dark`` / ``too_blurry`` -- a blurred
  photo of anything is asked for again before it is judged;
- three or more of our markers once the photo is flipped left-right (a front camera that saves mirrored
  photos; a mirrored marker is no marker, so nothing of the sheet is found as it is): ``mirrored_photo``, on which
  :func:`grader.photo.align.align_photo` reads the photo flipped back instead of refusing it;
- 1-2 of our markers, and a missing one would lie outside the frame where paper runs off the frame's edge:
  ``sheet_cut_off``;
- 1-2 of our markers: ``markers_not_found``;
- none, but 3+ markers of our dictionary whose ids no known template uses: ``unknown_template``;
- none, but one of our QR codes is readable: ``markers_not_found``;
- nothing of ours at all: ``not_practice_sheet``.
"""
from __future__ import annotations

import cv2
import numpy as np

from grader.photo import quality as q
from grader.photo.locate import MarkerDetection, MarkerHit, detect_markers, page_of_marker
from grader.photo.no_ipp import without_ipp
from grader.photo.quality import QualityThresholds
from grader.photo.refusal import Refusal
from grader.sheet.identity import decode_payload
from grader.sheet.layout import PageLayout, shared_layout
from grader.sheet.schema import TemplateSpec


def diagnose_missing(gray: np.ndarray, det: MarkerDetection, specs: dict[str, TemplateSpec], spec: TemplateSpec,
                     page_no: int | None, hits: list[MarkerHit], t: QualityThresholds, *,
                     grays_per_edge: float) -> Refusal:
    """Why a page's markers do not fix it: fewer than three found (see the module docstring), or three whose fit
    the printed boxes contradict (``grader.photo.align._print_disagrees``); either way, what hid the missing one, if
    it shows."""
    measures: dict[str, float] = {"grays_per_edge": grays_per_edge}
    if grays_per_edge < t.min_grays_per_edge:     # hollowed markers: the scan, not the sheet, is the problem
        report = q.report(measures, ("binarized_scan",), markers_found=len(hits))
        return Refusal("binarized_scan", detail=f"{len(hits)} markers; {measures}", quality=report)
    if hits:
        measures.update(q.marker_measures(hits, marker_mm=spec.marker_size_mm))
        if _missing_outside(hits, shared_layout(spec).pages[page_no - 1], det.frame_size, gray):
            measures["cut_off"] = 1.0
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
    elif hits:
        code = "markers_not_found"
    elif _foreign_sheet(det, specs):
        code = "unknown_template"
    elif _our_qr_visible(gray):
        code = "markers_not_found"
    else:
        code = "not_practice_sheet"
    report = q.report(measures, (code,), markers_found=len(hits))
    return Refusal(code, detail=f"{len(hits)} markers; {measures}", quality=report)


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


def _missing_outside(hits: list[MarkerHit], page: PageLayout, frame: tuple[int, int], gray: np.ndarray) -> bool:
    """With one or two markers, would a missing marker lie clearly outside the photo, with the paper running off
    the frame's edge on the way there?

    The page is predicted with a similarity transform (rotation, scale, shift)
    from the markers found: with so few points a full homography extrapolates
    wildly. A missing marker counts as outside when its centre is beyond the
    frame edge by more than half a marker.

    A similarity cannot foreshorten: under a strong tilt it carries the scale of the near side to the far one and
    can place a marker outside a page that is wholly in the photo (attack low_toner, seed 3900: a toner streak
    hid both left markers of a page tilted 25 degrees; the bottom-left one was predicted 34 px below the frame, the
    page ended 20 px above its edge). So the prediction is checked where the page would leave the photo: a page cut
    off there runs off the frame's edge as paper, and the page is convex, so the way from a marker found to one
    beyond the edge crosses that edge on paper. Where the edge shows no paper there, the page cannot be shown to be
    cut off.
    """
    by_id = {m.id: m for m in page.markers}
    src = np.concatenate([np.array(by_id[h.id].corners) for h in hits]).astype(np.float32)
    dst = np.concatenate([h.corners for h in hits]).astype(np.float32)
    A, _ = cv2.estimateAffinePartial2D(src, dst, method=cv2.LMEDS)
    if A is None:
        return False
    scale = float(np.hypot(A[0, 0], A[1, 0]))
    w, h = frame
    found_at = np.mean([hit.corners.mean(axis=0) for hit in hits], axis=0)
    levels = None           # (the print's paper and ink levels: measured only once a marker is predicted outside)
    for m in page.markers:
        if m.id in {hit.id for hit in hits}:
            continue
        cx, cy = A @ np.array([*m.rect.center, 1.0])
        slack = 0.5 * m.rect.w * scale
        if cx < -slack or cy < -slack or cx > w - 1 + slack or cy > h - 1 + slack:
            edge = _edge_crossing(found_at, np.array([cx, cy]), frame)
            if edge is None:
                continue
            levels = levels or _levels(gray, hits)
            if _paper_at_edge(gray, edge, half=m.rect.w * scale, paper=levels[0], ink=levels[1]):
                return True
    return False


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
