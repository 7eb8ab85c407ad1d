"""The public entry point: photo bytes in, the page aligned to its template frame out (or a Refusal).

Flow: load (grayscale decode) -> detect markers (small copy) and refine them
(full image) -> fit the homography for the page the marker ids name ->
identify (QR, else OCR of the header, else the caller's word; read from small
warps) -> lay the sheet out for the identified variant -> curl pass (bend the
mapping to the printed box grid) -> one warp into the template frame ->
quality gate. Marker geometry does not depend on the number of pairs, so
locating before identifying is safe; only the final layout needs the variant.

A black-and-white scan (no grays at its edges: a scanner app's B&W filter, which hollows the
markers and can hollow filled bubbles) is refused as ``binarized_scan``, whether its markers are found (by
the gate) or not (first of the reasons below), so it is never read nor reported as missing markers.

Why a page's markers do not fix it, when they do not: :mod:`grader.photo.missing_markers`. One of those reasons
is no reason to refuse: a mirrored photo (some front cameras save them so) is the sheet as written once flipped
back, handwriting and all, so it is read flipped (``AlignedPage.mirrored``) instead of asked for again.
"""
from __future__ import annotations

import functools
import logging
import threading
import time
from dataclasses import dataclass, field, replace

import cv2
import numpy as np

from grader.file_names import named_screenshot
from grader.photo import quality as q
from grader.photo.curl import (CurlField, CurlFit, curl_maps, curl_maps_shape, fit_curl_field, measure_borders,
                               refit_homography)
from grader.photo.print_grid import SEARCH_MM, photo_sampler
from grader.photo.identify import identity_from_ocr, identity_from_qr
from grader.photo.jpeg_damage import damaged_inside
from grader.photo.load import DEFAULT_MAX_BYTES, load_photo
from grader.photo.locate import (MarkerDetection, MarkerHit, PageFit, choose_page, detect_markers, detect_near, fit_page,
                                 mm_to_frame, page_of_marker, project_mm)
from grader.photo.missing_markers import diagnose_missing
from grader.photo.quality import QualityReport, QualityThresholds
from grader.photo.refusal import LOW_RESOLUTION, SCREENSHOT, Refusal
from grader.photo.view_angle import STEEP_REASONS, steep, view_angle_deg
from grader.photo.warp import frame_size, warp_to_frame
from grader.sheet.identity import SheetIdentity
from grader.sheet.layout import PageLayout, SheetLayout, shared_layout
from grader.sheet.schema import TemplateSpec, list_templates, resolve_template

log = logging.getLogger(__name__)

CUT_OFF_MARGIN = 0.005     # a predicted marker corner this close to the frame edge (share of size) counts as out


@dataclass(frozen=True)
class AlignedPage:
    """A photo's page in the template frame.

    ``gray`` is warped eagerly (from a grayscale decode, which is about twice as
    fast as a colour one); ``image`` (BGR) and ``photo`` are decoded and warped
    the first time they are asked for, since most readers only need gray.
    ``homography`` maps photo pixels to template-frame pixels (pixel centres at
    integers; millimetre ``x`` is frame coordinate ``x * px_per_mm - 0.5``).
    """

    gray: np.ndarray
    sheet: SheetLayout
    page: PageLayout
    identity: SheetIdentity
    identity_source: str            # "qr" | "ocr" | "caller"
    homography: np.ndarray
    markers_found: int
    quality: QualityReport
    timings_ms: dict[str, float]
    photo_gray: np.ndarray = field(repr=False, compare=False)   # the decoded photo, upright gray
    data: bytes = field(default=b"", repr=False, compare=False)  # the file, for the colour decode
    curl: CurlField | None = field(default=None, repr=False, compare=False)   # second-pass correction, if any
    other_page: int | None = None   # another page of the sheet whose markers also show (both pages in one photo)
    mirrored: bool = False          # the file is the sheet flipped left-right; gray and photo are flipped back

    @functools.cached_property
    def photo(self) -> np.ndarray:
        """The decoded photo, upright BGR."""
        if not self.data:
            return cv2.cvtColor(self.photo_gray, cv2.COLOR_GRAY2BGR)
        image = load_photo(self.data, max_bytes=len(self.data)).image
        return np.ascontiguousarray(image[:, ::-1]) if self.mirrored else image

    @functools.cached_property
    def image(self) -> np.ndarray:
        """The page in the template frame, BGR uint8 (same size as ``gray``)."""
        return _resample(self.photo, self.homography, self.curl, (self.gray.shape[1], self.gray.shape[0]))

    @property
    def px_per_mm(self) -> float:
        return self.sheet.px_per_mm

    def photo_to_frame(self, points_px: np.ndarray) -> np.ndarray:
        """Template-frame pixel coordinates of photo pixel coordinates ``(n, 2)``."""
        pts = np.asarray(points_px, dtype=np.float64).reshape(-1, 1, 2)
        v = cv2.perspectiveTransform(pts, self.homography).reshape(-1, 2)
        return v if self.curl is None else self.curl.frame_from_warped(v)


def _resample(image: np.ndarray, homography: np.ndarray, curl: CurlField | None, size: tuple[int, int]) -> np.ndarray:
    """The photo in the template frame: through the homography, bent by the curl field if there is one."""
    if curl is None:
        return warp_to_frame(image, homography, size)
    map_x, map_y = curl_maps(homography, curl, size, out=_map_buffers(curl_maps_shape(curl)))
    border = 255 if image.ndim == 2 else (255,) * image.shape[2]
    return cv2.remap(image, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=border)


_maps = threading.local()


def _map_buffers(shape: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """This thread's two float32 buffers for the warp's sampling maps, kept from one photo to the next.

    The maps (32 MB for an A4 page at 8 px/mm) are used once and dropped; allocated afresh, every one of their
    pages faults in zeroed memory first, which on this VM cost more than filling them (warp stage of a 12 MP
    page 2: 18 ms with fresh maps, 12.5 ms with these). Only :func:`_resample` uses them, at once.
    """
    buffers = getattr(_maps, "buffers", None)
    if buffers is None or buffers[0].shape != shape:
        buffers = _maps.buffers = (np.empty(shape, np.float32), np.empty(shape, np.float32))
    return buffers


def align_photo(data: bytes, *, filename: str = "", template: str | None = None, exercise: str | None = None,
                contest: str | None = None, pairs: int | None = None, thresholds: QualityThresholds | None = None,
                refuse: bool = True, correct_curl: bool = True, max_bytes: int = DEFAULT_MAX_BYTES) -> AlignedPage:
    """Load, check, locate, identify and warp one photo of a practice-sheet page.

    Parameters
    ----------
    data : the photo file's bytes (JPEG, PNG, WebP, HEIC/HEIF).
    filename : for log messages, and whether the photo's name is a screenshot's (a refusal's words:
        :func:`screenshot`).
    template, exercise, contest, pairs : what the caller knows; used when the
        sheet's QR and printed header are both unreadable (``template`` also
        restricts which template's markers are looked for).
    thresholds : quality-gate thresholds (defaults: :class:`QualityThresholds`).
    refuse : when False, quality failures do not raise if the page could be
        located; the result then carries ``quality.ok == False``. Geometry and
        file failures always raise.
    correct_curl : run the second pass that bends the mapping to the printed box
        grid when the paper is not flat (see :mod:`grader.photo.curl`).

    A photo whose markers are found only once it is flipped left-right (``mirrored_photo``) is read flipped back.

    Raises
    ------
    Refusal
        With one of the stable reason codes of :mod:`grader.photo.refusal`.
    """
    align = functools.partial(_align_page, data, filename=filename, template=template, exercise=exercise,
                              contest=contest, pairs=pairs, thresholds=thresholds or QualityThresholds(),
                              refuse=refuse, correct_curl=correct_curl, max_bytes=max_bytes)
    try:
        try:
            return align(mirrored=False)
        except Refusal as refusal:
            if refusal.code != "mirrored_photo":
                raise
        # (flipped back, a refusal is about the photo itself: blur, glare, a corner cut off)
        log.info("%s: the photo is mirrored left-right (a front camera's); read flipped back", filename or "photo")
        return align(mirrored=True)
    except Refusal as refusal:
        raise _file_damaged(refusal, data, filename) from None


#: Refusals about the file itself, not the picture in it: nothing to ask of its decoder.
FILE_REFUSALS = frozenset({"not_an_image", "corrupt_file", "too_large"})


def _file_damaged(refusal: Refusal, data: bytes, filename: str) -> Refusal:
    """``refusal``, or ``corrupt_file`` when the photo's JPEG data is damaged inside (:func:`damaged_inside`): the
    rest of its picture a flood of colour over the sheet, it was refused for what the flood hid (its markers, as
    ``markers_not_found``), and the trainee told to photograph the sheet again rather than send the file again."""
    if refusal.code in FILE_REFUSALS or not damaged_inside(data):
        return refusal
    damaged = Refusal("corrupt_file", detail=f"{filename}: JPEG image data damaged inside (the decoder ran out before "
                                             f"its last block); it would have been refused as {refusal.code}")
    damaged.page, damaged.identity = refusal.page, refusal.identity
    return damaged


def _align_page(data: bytes, *, filename: str, template: str | None, exercise: str | None, contest: str | None,
                pairs: int | None, thresholds: QualityThresholds, refuse: bool, correct_curl: bool, max_bytes: int,
                mirrored: bool) -> AlignedPage:
    """:func:`align_photo` on the photo as it is, or flipped left-right (``mirrored``)."""
    timings: dict[str, float] = {}
    clock = _Clock(timings)
    loaded = load_photo(data, color=False, max_bytes=max_bytes)
    gray = loaded.image
    if mirrored:
        gray = np.ascontiguousarray(gray[:, ::-1])
    grays_per_edge = q.grays_per_edge(gray)
    clock("load")
    specs = _candidate_specs(template)
    spec, detection, page_no, hits = _locate(gray, specs)
    clock("detect")
    if page_no is None or len(hits) < 3:
        raise diagnose_missing(gray, detection, specs, spec, page_no, hits, thresholds, grays_per_edge=grays_per_edge)
    page = shared_layout(spec).pages[page_no - 1]
    ppm = spec.read_px_per_mm
    if len(hits) == 3:
        hits = _find_fourth(gray, spec, page, hits, detection.frame_size)
    fit = fit_page(page, hits, px_per_mm=ppm)
    clock("fit")
    ident, source = _identify(gray, fit.homography, page, spec, specs, page_no=page_no, exercise=exercise,
                              contest=contest, pairs=pairs)
    if ident.template != spec.id:   # the sheet names another template: use its geometry
        spec = specs[ident.template]
        page = shared_layout(spec).pages[page_no - 1]
        ppm = spec.read_px_per_mm
        fit = fit_page(page, hits, px_per_mm=ppm)
        if fit is None:
            raise Refusal("unknown_template", detail=f"{filename}: markers do not fit template {spec.id}")
    try:
        sheet = shared_layout(spec, contest=ident.contest, pairs=ident.pairs)
    except Exception as exc:   # parameters out of the template's range: not a sheet we printed
        raise Refusal("unknown_template", detail=f"{filename}: {exc}") from None
    page = sheet.pages[page_no - 1]
    size = frame_size(page, px_per_mm=ppm)
    clock("identify")
    curl = None
    if correct_curl:
        anchors = _marker_residuals(fit, page, ppm)
        sample = photo_sampler(gray, fit.homography)
        borders = measure_borders(sample, page, px_per_mm=ppm)      # (measured once: both fits below start from it)
        found = fit_curl_field(sample, page, px_per_mm=ppm, frame_size=size, anchors=anchors, borders=borders)
        if found is not None and found.field is not None and (found.saturated or fit.missing):
            # Some borders moved as far as the search reaches, or a marker is missing and the
            # homography extrapolates into its corner: on a strongly curled page it can be far
            # off there. Try one fitted to the box grid, keep whichever lets more borders be measured
            # (as many: whichever needs less bending, i.e. is nearer the page). The refit is bent by its own
            # field however small: the borders it was fitted to cannot tell it is flat elsewhere.
            better = refit_homography(fit.homography, sample, page, px_per_mm=ppm, anchors=anchors, borders=borders)
            if better is not None:
                refit = replace(fit, homography=better)
                found2 = fit_curl_field(photo_sampler(gray, better), page, px_per_mm=ppm, frame_size=size,
                                        anchors=_marker_residuals(refit, page, ppm), flat_mm=0.0)
                if found2 is not None and found2.nearer_than(found):
                    fit, found = refit, found2
        if fit.missing and _print_disagrees(found):
            raise _located(diagnose_missing(gray, detection, specs, spec, page_no, list(fit.hits), thresholds,
                                            grays_per_edge=grays_per_edge), page_no, ident, source)
        curl = found.field if found is not None else None
        clock("curl")
    frame_gray = _resample(gray, fit.homography, curl, size)
    clock("warp")
    measures = _sheet_measures(fit, detection, spec, page)
    measures["grays_per_edge"] = grays_per_edge
    if "paper_level" not in measures:
        # (no marker's edges could be measured, as in a photo too dark to refine them: its brightness is the frame's,
        # as for markers not found (missing_markers); a photo at a tenth of its light was read, 34 fields in review
        # and "the paper may be folded", rehearsal helper-170)
        measures["frame_level"], measures["frame_blur_px"] = q.frame_measures(detection.small_gray)
    if source != UNIDENTIFIED:
        # (both look for the print where the layout has it: a guessed variant's layout is not this sheet's, and bent
        # to another variant's boxes the frame shows "vanished" print that is only elsewhere)
        measures["glare_fraction"] = q.glare_fraction(frame_gray, page, px_per_mm=ppm)
        measures["washed_print"] = q.washed_print_share(frame_gray, page, sheet, px_per_mm=ppm)
    reasons = q.judge(measures, thresholds)
    report = q.report(measures, reasons, markers_found=len(fit.hits))
    clock("gate")
    if refuse and (reasons or source == UNIDENTIFIED):
        reasons = reasons or ("sheet_unidentified",)
        angle = _page_view_angle(fit, page, ppm, detection.frame_size)
        if reasons[0] in STEEP_REASONS and steep(angle):
            # (the angle is why the far side is blurred, glared or its QR unread: its words first, see view_angle)
            reasons = ("steep_angle", *reasons)
            report = q.report(measures, reasons, markers_found=len(fit.hits))
        case = None
        if reasons[0] == "sheet_too_small":
            case = SCREENSHOT if screenshot(loaded.format, gray.shape, filename) else \
                LOW_RESOLUTION if q.small_for_pixels(measures, thresholds) else None
        detail = f"{filename}: neither the QR nor the header line was read" if reasons[-1] == "sheet_unidentified" \
            else f"{filename}: {measures}"
        raise _located(Refusal(reasons[0], detail=f"{detail}; view angle {angle or 0:.0f} deg", quality=report,
                               case=case), page_no, ident, source)
    log.info("%s: page %d of %s via %s, %d markers, residual %.3f mm", filename or "photo", page_no, spec.id,
             source, len(fit.hits), fit.residual_mm)
    return AlignedPage(gray=frame_gray, sheet=sheet, page=page, identity=ident, identity_source=source,
                       homography=fit.homography, markers_found=len(fit.hits), quality=report, timings_ms=timings,
                       photo_gray=gray, data=data, curl=curl, other_page=_other_page(spec, detection, page_no),
                       mirrored=mirrored)


#: A phone screen's shape, its long side over its short one: 18:9 and longer (a camera's photo is 4:3, 3:2 or 16:9, a
#: scanner's page A4's 1.41).
SCREEN_ASPECT = 1.9


def screenshot(fmt: str, shape: tuple[int, ...], filename: str) -> bool:
    """Whether the file says it is a screenshot, not a camera's photo: its name is one a screenshot is given
    (:func:`grader.file_names.named_screenshot`), or it is a PNG, which no phone camera writes, of a phone screen's
    shape (a scanner's PNG page has a page's). A chat app forwards a screenshot as a JPEG of its own name: then
    nothing says so, and nothing is guessed from the pixels (a sheet far off in a camera's photo looks alike)."""
    return named_screenshot(filename) or (fmt == "png" and max(shape[:2]) >= SCREEN_ASPECT * min(shape[:2]))


def _located(refusal: Refusal, page_no: int, ident: SheetIdentity, source: str) -> Refusal:
    """``refusal`` of a page its markers named, with that page and, when its QR was read, the sheet's identity (the
    trainee a batch's refused photo belongs to: helper-150 saw them unnamed rows)."""
    refusal.page = page_no
    refusal.identity = ident if source == "qr" else None
    return refusal


def _print_disagrees(found: CurlFit | None) -> bool:
    """Does the printed box grid say a three-marker page fit is far off, beyond what bending can surely mend?

    Three markers fix a homography only through the markers' own shapes (the fourth corner is extrapolated
    some 15 times the marker size away), so a small error in one marker's corners -- a dark photocopy's toner
    spread, a marker found only on the small copy -- throws the far corner 5-13 mm off (extreme dark copies
    with a hidden marker: 7 right answers marked wrong). The printed borders are the independent check: when,
    after the curl pass and the refit, some are still at the edge of the search (``saturated``) and the field
    moves the print by more than half the search reach, the page is not surely aligned and is refused as a
    missing marker (which it is), never read. Curled pages the refit mends stay well below (dev set: at most
    0.4 mm among saturated three-marker pages, 2.7 mm among the rest). A fit the page is flat under (no field)
    has nothing to disagree with: every border was found where it puts it.
    """
    return found is not None and found.saturated and found.max_shift_mm > 0.5 * SEARCH_MM


def _marker_residuals(fit: PageFit, page: PageLayout, ppm: float) -> tuple[np.ndarray, np.ndarray]:
    """Marker corners in the frame (layout) and where the homography actually put them minus that."""
    by_id = {m.id: m for m in page.markers}
    expected = mm_to_frame(np.concatenate([np.array(by_id[h.id].corners) for h in fit.hits]), px_per_mm=ppm)
    seen = cv2.perspectiveTransform(np.concatenate([h.corners for h in fit.hits]).reshape(-1, 1, 2),
                                    fit.homography).reshape(-1, 2)
    return expected, seen - expected


def _find_fourth(gray: np.ndarray, spec: TemplateSpec, page: PageLayout, hits: list[MarkerHit],
                 frame: tuple[int, int]) -> list[MarkerHit]:
    """With three markers, search the fourth where they predict it (unless that is outside the photo)."""
    fit = fit_page(page, hits, px_per_mm=spec.read_px_per_mm)
    if fit is None or not fit.missing:
        return hits
    marker = next(m for m in page.markers if m.id == fit.missing[0])
    quad = project_mm(fit.homography, marker.corners, px_per_mm=spec.read_px_per_mm)
    if _outside(quad, frame):
        return hits
    found = detect_near(gray, quad, dictionary=spec.marker_dictionary, marker_id=marker.id)
    return hits + [found] if found is not None else hits


class _Clock:
    def __init__(self, timings: dict[str, float]):
        self.timings = timings
        self.t = time.perf_counter()

    def __call__(self, name: str) -> None:
        now = time.perf_counter()
        self.timings[name] = self.timings.get(name, 0.0) + (now - self.t) * 1000
        self.t = now


@functools.lru_cache(maxsize=16)
def _spec(name: str) -> TemplateSpec:
    return resolve_template(name)


def _candidate_specs(template: str | None) -> dict[str, TemplateSpec]:
    if template:
        spec = _spec(template)
        return {spec.id: spec}
    specs = {}
    for path in list_templates():
        spec = _spec(str(path))
        specs[spec.id] = spec
    return specs


def _locate(gray: np.ndarray, specs: dict[str, TemplateSpec]):
    """Detect markers for every distinct dictionary; keep the template whose page has the most."""
    best = None
    detections: dict[str, MarkerDetection] = {}
    for spec in specs.values():
        wanted = set(range(spec.marker_ids_per_page * len(spec.pages)))
        det = detections.get(spec.marker_dictionary)
        if det is None:
            det = detect_markers(gray, dictionary=spec.marker_dictionary, wanted_ids=wanted)
            detections[spec.marker_dictionary] = det
        page_no, hits = choose_page(spec, det.hits)
        if best is None or len(hits) > len(best[3]):
            best = (spec, det, page_no, hits)
    return best


# Markers of another page of the sheet that make it a second page in the photo: a trainee who photographs both pages
# side by side has one graded and was told the other was never sent (helper-134, helper-136). A sheet lying on
# another copy shows at most a marker or two of it; the 600 development photos (seed 61) showed none.
OTHER_PAGE_MARKERS = 3


def _other_page(spec: TemplateSpec, detection: MarkerDetection, page_no: int) -> int | None:
    """Another page of the sheet with :data:`OTHER_PAGE_MARKERS` or more of its markers in the photo, or None."""
    ids: dict[int, set[int]] = {}
    for h in detection.hits:
        other = page_of_marker(spec, h.id)
        if other is not None and other != page_no:
            ids.setdefault(other, set()).add(h.id)
    seen = [p for p, found in sorted(ids.items()) if len(found) >= OTHER_PAGE_MARKERS]
    return seen[0] if seen else None


def _sheet_measures(fit: PageFit, detection: MarkerDetection, spec: TemplateSpec, page: PageLayout) -> dict:
    ppm = spec.read_px_per_mm
    m = q.marker_measures(fit.hits, marker_mm=spec.marker_size_mm)
    corners = project_mm(fit.homography, [(0, 0), (page.width_mm, 0), (page.width_mm, page.height_mm),
                                          (0, page.height_mm)], px_per_mm=ppm)
    m.update(q.sheet_extent(corners, detection.frame_size, page_mm=(page.width_mm, page.height_mm)))
    m["residual_mm"] = fit.residual_mm
    m["cut_off"] = float(any(_outside(project_mm(fit.homography, mk.corners, px_per_mm=ppm), detection.frame_size)
                             for mk in page.markers if mk.id in fit.missing))
    return m


def _page_view_angle(fit: PageFit, page: PageLayout, ppm: float, frame: tuple[int, int]) -> float | None:
    """Degrees from straight above the photo was taken at, from the page's corners where its fit puts them."""
    corners_mm = np.array([(0, 0), (page.width_mm, 0), (page.width_mm, page.height_mm), (0, page.height_mm)], float)
    return view_angle_deg(corners_mm, project_mm(fit.homography, corners_mm, px_per_mm=ppm), frame)


def _outside(points: np.ndarray, frame: tuple[int, int]) -> bool:
    w, h = frame
    mx, my = CUT_OFF_MARGIN * w, CUT_OFF_MARGIN * h
    p = np.asarray(points)
    return bool(np.any((p[:, 0] < mx) | (p[:, 0] > w - 1 - mx) | (p[:, 1] < my) | (p[:, 1] > h - 1 - my)))


#: The identity source of a page that nothing identified (no QR, no header line read) and that was read without
#: an exercise (``grader read``), on a template whose number of pairs varies. Its variant is only the template's
#: default, a guess: on another variant it puts another pair's boxes where this sheet has V.A, and right answers
#: would be read from the wrong boxes and marked wrong. Such a page is refused (``sheet_unidentified``) once the
#: quality gate has had its say (a blurred photo is refused as blurred: that is why nothing was read); the gate's
#: glare measures, which look for print where the layout has it, are not taken on a guessed layout. Every
#: grading knows its exercise and never meets this.
UNIDENTIFIED = "guess"


def _identify(gray: np.ndarray, homography: np.ndarray, page: PageLayout, spec: TemplateSpec,
              specs: dict[str, TemplateSpec], *, page_no: int, exercise: str | None, contest: str | None,
              pairs: int | None) -> tuple[SheetIdentity, str]:
    """QR, else OCR of the header, else the caller's word; read from small warps of the photo."""
    ppm = spec.read_px_per_mm
    ident, source = identity_from_qr(gray, page, px_per_mm=ppm, homography=homography), "qr"
    if ident is None:
        known = dict(specs)
        for path in list_templates():
            s = _spec(str(path))
            known.setdefault(s.id, s)
        ident, source = identity_from_ocr(gray, page, px_per_mm=ppm, specs=known, homography=homography), "ocr"
    if ident is None:
        c, p = contest or spec.default_contest, spec.default_pairs if pairs is None else pairs
        # (with no word from the caller on a template whose pairs vary, the default is a guess: see UNIDENTIFIED)
        ident, source = SheetIdentity(template=spec.id, version=spec.version, page=page_no, contest=c, pairs=p,
                                      exercise=exercise), \
            UNIDENTIFIED if pairs is None and spec.pairs_min != spec.pairs_max else "caller"
    if ident.template not in specs:
        try:
            other = _spec(ident.template)
        except Exception:
            raise Refusal("unknown_template", detail=f"sheet says template {ident.template!r}") from None
        specs[other.id] = other
    if ident.version != specs[ident.template].version:
        raise Refusal("unknown_template", detail=f"{ident.template} version {ident.version} "
                                                 f"!= {specs[ident.template].version}")
    if ident.page != page_no:
        log.warning("%s says page %d, markers say page %d: trusting the markers", source, ident.page, page_no)
        ident = ident.for_page(page_no)
    return ident, source
