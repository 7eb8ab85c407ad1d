"""Read a QR code by sampling its module grid, for codes OpenCV's own sampling misses.

OpenCV usually finds our code's corners on the aligned crop but then fails to
decode it: on a curled sheet the code is sheared and slightly bent in the crop
(the page's homography is fitted to the corner markers, before the curl pass),
and its one perspective grid through four estimated corners misses modules of
5-6 px; a photocopy's spread toner or a copier streak through the finder
patterns defeats it too. Here the grid is placed through the three finder
centres (then also through the alignment pattern), found by their outlines or,
failing that, matched where the template puts them; each module centre is put
between its neighbourhood's dark and light levels and cut at the level that
best separates the code's fixed patterns; a clean code is drawn from the bits
and decoded by OpenCV at its known corners. Reed-Solomon error correction then
absorbs a few wrong modules and refuses a code with too many: noise does not
decode into a payload.
"""
from __future__ import annotations

import logging

import cv2
import numpy as np

from grader.photo.no_ipp import without_ipp
from grader.sheet.render import QR_BORDER   # the printed code's quiet zone inside its square, modules

log = logging.getLogger(__name__)

SIZES = (21, 25, 29, 33, 37, 41)     # versions 1-6 (our payloads need 2-5)
RENDER_PX = 8                        # px per module of the clean code
RENDER_QUIET = 4                     # quiet zone of the clean code, modules


def read_qr_grid(crop: np.ndarray, *, expected: tuple[float, float, float] | None = None, decode=None) -> str | None:
    """The payload of the QR code in ``crop`` (an upright gray crop around one code), or None.

    ``expected`` is where the printed code's square (with its 2-module quiet zone) should be, ``(x, y, side)``
    in crop px: it places the finder patterns when they cannot be picked out by their outlines (a copier's
    streak through them). ``decode`` (clean image -> text or "") defaults to OpenCV's decoder.
    """
    if crop.ndim != 2 or min(crop.shape) < 42:
        return None
    decode = decode or _cv_decode
    gray = crop.astype(np.float32)
    for tl, tr, bl, n in _placements(crop, gray, expected):
        for how, centres in _grids(gray, tl, tr, bl, n):
            text = decode(_render(_bits(gray, centres)))
            if text:
                log.debug("QR read from its sampled grid (%d modules, %s)", n, how)
                return text
    return None


def _placements(crop: np.ndarray, gray: np.ndarray, expected):
    """Finder centres and module counts to try: from the finders' outlines, then from the expected place."""
    finders = _finders(crop)
    if finders is not None:
        tl, tr, bl, module = finders
        yield from ((tl, tr, bl, n) for n in _sizes(tl, tr, bl, module))
    if expected is not None:
        yield from _expected_finders(gray, expected)


def _expected_finders(gray: np.ndarray, expected: tuple[float, float, float]) -> list:
    """Finder centres matched near where the template puts them, for each code size that fits well."""
    x, y, side = expected
    found = []
    for n in SIZES:
        module = side / (n + 2 * QR_BORDER)
        k = int(round(9 * module))
        if k < 9:
            continue
        cells = np.ones((9, 9), np.float32)
        cells[1:8, 1:8] = 0
        cells[2:7, 2:7] = 1
        cells[3:6, 3:6] = 0
        tmpl = cv2.resize(cells * 255, (k, k), interpolation=cv2.INTER_AREA)
        reach = int(round(2.5 * module))
        centres, scores = [], []
        for cu, cv in ((3.5, 3.5), (n - 3.5, 3.5), (3.5, n - 3.5)):
            px, py = x + (QR_BORDER + cu) * module, y + (QR_BORDER + cv) * module
            x0, y0 = int(round(px - k / 2)) - reach, int(round(py - k / 2)) - reach
            if x0 < 0 or y0 < 0 or x0 + k + 2 * reach > gray.shape[1] or y0 + k + 2 * reach > gray.shape[0]:
                break
            window = gray[y0:y0 + k + 2 * reach, x0:x0 + k + 2 * reach]
            res = cv2.matchTemplate(window, tmpl, cv2.TM_CCOEFF_NORMED)
            _, score, _, (bx, by) = cv2.minMaxLoc(res)
            centres.append(np.array([x0 + bx + (k - 1) / 2, y0 + by + (k - 1) / 2]))
            scores.append(score)
        if len(centres) == 3 and min(scores) > 0.6:
            found.append((min(scores), (*centres, n)))
    return [t for _, t in sorted(found, key=lambda f: -f[0])[:3]]


def _grids(gray: np.ndarray, tl, tr, bl, n: int):
    """Module centres to try: through the three finders, then also through the alignment pattern."""
    src = np.float32([[3.5, 3.5], [n - 3.5, 3.5], [3.5, n - 3.5]])
    affine = np.vstack([cv2.getAffineTransform(src, np.float32([tl, tr, bl])), [0, 0, 1]])
    centres = _module_centres(affine, n)
    yield "finders", centres
    if n >= 25:
        yield "alignment", _module_centres(_with_alignment(gray, affine, n), n)


def _cv_decode(img: np.ndarray) -> str:
    """OpenCV's reading of a clean code drawn by :func:`_render`.

    Its corners are known, so they are given: OpenCV's detector misses some clean codes (a data pattern that
    looks like a finder), its decoder does not.
    """
    return decode_square(img, RENDER_QUIET * RENDER_PX, img.shape[0] - RENDER_QUIET * RENDER_PX)


def decode_square(img: np.ndarray, lo: float, hi: float, detector: cv2.QRCodeDetector | None = None) -> str:
    """OpenCV's decoder (no detection) on the upright symbol whose outer corners lie at ``lo`` and ``hi`` on both
    axes, px; ``""`` when it does not read there."""
    corners = np.float32([[lo, lo], [hi, lo], [hi, hi], [lo, hi]]).reshape(1, 4, 2)
    try:
        with without_ipp():
            text, _ = (detector or cv2.QRCodeDetector()).decode(img, corners)
    except cv2.error:
        text = ""
    return text or ""


def _finders(crop: np.ndarray):
    """Centres of the top-left, top-right and bottom-left finder patterns and the module size, or None."""
    binary = cv2.adaptiveThreshold(crop, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV,
                                   _odd(min(crop.shape) // 4), 8)
    contours, hierarchy = cv2.findContours(binary, cv2.RETR_TREE, cv2.CHAIN_APPROX_SIMPLE)
    if hierarchy is None:
        return None
    hierarchy = hierarchy[0]
    found = []
    for i, c in enumerate(contours):
        child = hierarchy[i][2]
        if child < 0 or hierarchy[child][2] < 0:
            continue
        core = hierarchy[child][2]
        a_out, a_core = cv2.contourArea(c), cv2.contourArea(contours[core])
        if a_out < 49 or a_core <= 0 or not 2.5 < a_out / a_core < 12:
            continue
        x, y, w, h = cv2.boundingRect(c)
        if not 0.6 < w / h < 1.6:
            continue
        m = cv2.moments(contours[core])
        if m["m00"] <= 0:
            continue
        found.append((m["m10"] / m["m00"], m["m01"] / m["m00"], np.sqrt(a_out) / 7))
    if len(found) < 3:
        return None
    pts = np.array(found)
    tl = pts[np.argmin(pts[:, 0] + pts[:, 1])]
    tr = pts[np.argmax(pts[:, 0] - pts[:, 1])]
    bl = pts[np.argmax(pts[:, 1] - pts[:, 0])]
    if len({tuple(tl), tuple(tr), tuple(bl)}) < 3:
        return None
    module = float(np.median([tl[2], tr[2], bl[2]]))
    return tl[:2], tr[:2], bl[:2], module


def _sizes(tl, tr, bl, module: float) -> list[int]:
    """Module counts to try, the one the finders' spacing suggests first."""
    span = (np.hypot(*(tr - tl)) + np.hypot(*(bl - tl))) / 2
    est = span / module + 7
    return sorted(SIZES, key=lambda n: abs(n - est))[:3]


def _with_alignment(gray: np.ndarray, H: np.ndarray, n: int) -> np.ndarray:
    """``H`` (module -> crop px) refined to a homography through the alignment pattern, if it is found."""
    c = n - 6.5
    pattern = np.ones((7, 7), np.float32)
    pattern[1:6, 1:6] = 0
    pattern[2:5, 2:5] = 1
    pattern[3, 3] = 0
    best, best_at = -1.0, None
    steps = np.arange(-1.5, 1.5001, 0.25)
    ref = (np.indices((7, 7)).transpose(1, 2, 0)[..., ::-1] + (c - 3.0)).reshape(-1, 2)   # (u, v) of the 7x7 cells
    pz = (pattern - pattern.mean()).ravel()
    for du in steps:
        for dv in steps:
            pts = _project(H, ref + (du, dv))
            s = _sample(gray, pts)
            s = s - s.mean()
            score = float(pz @ s) / (np.linalg.norm(pz) * np.linalg.norm(s) + 1e-6)
            if score > best:
                best, best_at = score, (du, dv)
    if best < 0.5:
        return H
    src = np.float32([[3.5, 3.5], [n - 3.5, 3.5], [3.5, n - 3.5], [c, c]])
    found = np.float32([[3.5, 3.5], [n - 3.5, 3.5], [3.5, n - 3.5], [c + best_at[0], c + best_at[1]]])
    return cv2.getPerspectiveTransform(src, _project(H, found).astype(np.float32))


def _project(H: np.ndarray, uv: np.ndarray) -> np.ndarray:
    return cv2.perspectiveTransform(np.asarray(uv, np.float64).reshape(-1, 1, 2), H).reshape(-1, 2)


def _module_centres(H: np.ndarray, n: int) -> np.ndarray:
    """Crop px of every module's centre, ``(n, n, 2)``."""
    v, u = np.mgrid[0:n, 0:n] + 0.5
    return _project(H, np.stack([u, v], -1).reshape(-1, 2)).reshape(n, n, 2)


def _sample(gray: np.ndarray, pts: np.ndarray) -> np.ndarray:
    p = np.asarray(pts, np.float32).reshape(-1, 1, 2)
    return cv2.remap(gray, p[..., 0], p[..., 1], cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE).ravel()


def _bits(gray: np.ndarray, centres: np.ndarray) -> np.ndarray:
    """True for dark modules.

    Each centre (a small average) is put between its neighbourhood's dark and light levels, and cut where
    the code's fixed patterns (finders, timing, alignment: known values) are best told apart. That level
    follows the print: a photocopy's spread toner greys the light modules between dark ones.
    """
    n = centres.shape[0]
    module = float(np.linalg.norm(centres[0, 1] - centres[0, 0]))
    smooth = cv2.GaussianBlur(gray, (0, 0), max(module / 5, 0.5))
    k = _odd(int(round(3 * module)))
    kernel = np.ones((k, k), np.uint8)
    lo, hi = cv2.erode(smooth, kernel), cv2.dilate(smooth, kernel)
    pts = centres.reshape(-1, 2)
    v, lo, hi = _sample(smooth, pts), _sample(lo, pts), _sample(hi, pts)
    r = ((v - lo) / np.maximum(hi - lo, 1.0)).reshape(n, n)
    known, dark = function_patterns(n)
    cut = _best_cut(r[known], dark[known])
    return r < cut


def _best_cut(r: np.ndarray, dark: np.ndarray) -> float:
    """The level that best splits ``r`` into ``dark`` and light (the middle of the best range)."""
    levels = np.sort(np.unique(np.concatenate([r, [0.0, 1.0]])))
    cuts = (levels[:-1] + levels[1:]) / 2
    errors = np.array([np.sum((r < c) != dark) for c in cuts])
    best = np.flatnonzero(errors == errors.min())
    return float((cuts[best[0]] + cuts[best[-1]]) / 2)


def function_patterns(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Which modules of an ``n``-module code are fixed (finders with separators, timing, alignment) and dark."""
    known = np.zeros((n, n), bool)
    dark = np.zeros((n, n), bool)
    finder = np.ones((7, 7), bool)
    finder[1:6, 1:6] = False
    finder[2:5, 2:5] = True
    for r, c in ((0, 0), (0, n - 7), (n - 7, 0)):
        dark[r:r + 7, c:c + 7] = finder
        known[max(r - 1, 0):r + 8, max(c - 1, 0):c + 8] = True
    known[6, 8:n - 8] = known[8:n - 8, 6] = True
    dark[6, 8:n - 8] = dark[8:n - 8, 6] = np.arange(8, n - 8) % 2 == 0
    if n >= 25:              # versions 2-6: one alignment pattern, centred 7 modules from the far corner
        a = n - 7
        align = np.ones((5, 5), bool)
        align[1:4, 1:4] = False
        align[2, 2] = True
        known[a - 2:a + 3, a - 2:a + 3] = True
        dark[a - 2:a + 3, a - 2:a + 3] = align
    return known, dark


def _render(dark: np.ndarray) -> np.ndarray:
    """A clean code image: ``RENDER_PX`` px a module, ``RENDER_QUIET`` modules of white around."""
    img = np.where(dark, 0, 255).astype(np.uint8)
    img = np.pad(img, RENDER_QUIET, constant_values=255)
    return cv2.resize(img, None, fx=RENDER_PX, fy=RENDER_PX, interpolation=cv2.INTER_NEAREST)


def _odd(k: int) -> int:
    return max(3, k | 1)
