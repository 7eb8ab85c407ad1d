"""What a phone scanner app's black-and-white "document" filter (or a copier's B&W mode) does to a photo.

CamScanner, Adobe Scan, Google Drive scan, Microsoft Lens and office copiers offer a B&W filter: the page is
(usually) cropped and flattened to its four edges, turned gray, and each pixel is set black or white by a local
adaptive threshold (black where it is darker than the mean of its neighbourhood minus a constant). Inside a
dark area wider than the neighbourhood the mean is dark too, so the area comes out white: the corner markers
(12 mm) are hollowed to their outlines, and a filled bubble or a dense stroke can be too. The result is saved
as a JPEG (alone or inside a PDF), rarely as a PNG, and is often forwarded through a chat app.

:func:`scan` simulates one such filter on a photo, deterministically, so the reader's behaviour on it can be
measured (``tests/test_binarized_scan.py``) and the quality gate's binarization check
(:func:`grader.photo.quality.grays_per_edge`) can be tested on it. :func:`page_corners_px` gives the page's
corners in a generated photo from its truth file, where a scanner app would find the paper's edges.
:data:`VARIANTS` are the B&W filters measured and :data:`ORDINARY` the ordinary scans that must stay
readable (``scripts/measure_binarized_scans.py`` reads and grades sheets through each and prints the numbers).
"""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from grader.sheet.layout import layout_sheet
from grader.sheet.schema import resolve_template

CHAT_QUALITY = 70          # a chat app's recompression (DESIGN.md: JPEG quality 60-75)


@dataclass(frozen=True)
class ScanFilter:
    """One scanner-app output mode.

    Parameters
    ----------
    mode : ``"bw"`` (adaptive threshold), ``"gray"`` (the app's "Original"/"Asli" or grayscale mode) or
        ``"gray_enhanced"`` (grayscale with the levels stretched, 1 % of pixels clipped to black and white at
        each end, as a "Lighten"/"Enhance" filter does: the ordinary scan closest to two-level).
    block : side of the threshold's neighbourhood: pixels if >= 1, else a share of the output width (apps
        scale it with the page); made odd, at least 3.
    offset : the constant subtracted from the local mean (OpenCV's ``C``): larger keeps faint marks white.
    method : ``"mean"`` (box mean) or ``"gaussian"`` (Gaussian-weighted mean).
    dewarp : crop and flatten the page to its edges first, at the photo's own resolution (needs the corners).
    output : ``"jpeg"`` or ``"png"``.
    quality : JPEG quality of the app's output.
    chat_side : when set, the output is then forwarded through a chat app: longest side scaled to this many
        pixels and recompressed at :data:`CHAT_QUALITY`.
    """

    mode: str = "bw"
    block: float = 31
    offset: float = 10.0
    method: str = "mean"
    dewarp: bool = True
    output: str = "jpeg"
    quality: int = 85
    chat_side: int | None = None

    @property
    def name(self) -> str:
        """A short label for reports, e.g. ``bw-mean-b31-c10-dewarp-jpeg``."""
        if self.mode != "bw":
            parts = [self.mode]
        else:
            block = f"b{int(self.block)}" if self.block >= 1 else f"bW/{round(1 / self.block)}"
            parts = ["bw", self.method, block, f"c{self.offset:g}"]
        parts += ["dewarp" if self.dewarp else "frame", self.output if self.output == "png" else f"jpeg{self.quality}"]
        if self.chat_side:
            parts.append(f"chat{self.chat_side}")
        return "-".join(parts)


#: The filters measured: B&W over block sizes from 15 px to 1/8 of the width, both methods, a few offsets,
#: with and without the page crop, JPEG and PNG, and forwarded by a chat app; then the ordinary scans that
#: must never be refused.
VARIANTS: tuple[ScanFilter, ...] = (
    ScanFilter(block=15, offset=10),
    ScanFilter(block=15, offset=5, method="gaussian"),
    ScanFilter(block=31, offset=10),
    ScanFilter(block=31, offset=20, method="gaussian", output="png"),
    ScanFilter(block=51, offset=15),
    ScanFilter(block=1 / 16, offset=10, method="gaussian"),
    ScanFilter(block=1 / 8, offset=10),
    ScanFilter(block=1 / 8, offset=25, output="png"),
    ScanFilter(block=25, offset=10, dewarp=False, quality=75),
    ScanFilter(block=1 / 8, offset=15, method="gaussian", dewarp=False),
    ScanFilter(block=31, offset=10, chat_side=1600),
    ScanFilter(block=1 / 8, offset=10, chat_side=1280),
)
ORDINARY: tuple[ScanFilter, ...] = (
    ScanFilter(mode="gray"),
    ScanFilter(mode="gray", output="png"),
    ScanFilter(mode="gray_enhanced"),
    ScanFilter(mode="gray_enhanced", chat_side=1600),
)


def scan(data: bytes, filt: ScanFilter, *, page_corners: np.ndarray | None = None) -> bytes:
    """The file a scanner app with filter ``filt`` makes of the photo ``data`` (JPEG/PNG bytes).

    ``page_corners`` (4 x 2, photo px, clockwise from the page's top-left) are needed when ``filt.dewarp``.
    """
    gray = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_GRAYSCALE)
    if gray is None:
        raise ValueError("not a decodable image")
    if filt.dewarp:
        if page_corners is None:
            raise ValueError("dewarping needs the page corners")
        gray = flatten_page(gray, page_corners)
    if filt.mode == "bw":
        gray = adaptive_bw(gray, block=filt.block, offset=filt.offset, method=filt.method)
    elif filt.mode == "gray_enhanced":
        gray = stretch_levels(gray)
    elif filt.mode != "gray":
        raise ValueError(f"unknown mode {filt.mode!r}")
    out = _encode(gray, filt.output, filt.quality)
    if filt.chat_side:
        small = _shrink(cv2.imdecode(np.frombuffer(out, np.uint8), cv2.IMREAD_UNCHANGED), filt.chat_side)
        out = _encode(small, "jpeg", CHAT_QUALITY)
    return out


def adaptive_bw(gray: np.ndarray, *, block: float, offset: float, method: str = "mean") -> np.ndarray:
    """Black (0) where a pixel is darker than its neighbourhood's mean minus ``offset``, else white (255)."""
    side = block if block >= 1 else block * gray.shape[1]
    side = max(3, int(round(side)) | 1)
    how = {"mean": cv2.ADAPTIVE_THRESH_MEAN_C, "gaussian": cv2.ADAPTIVE_THRESH_GAUSSIAN_C}[method]
    return cv2.adaptiveThreshold(gray, 255, how, cv2.THRESH_BINARY, side, offset)


CLIP_SHARE = 0.01          # share of pixels clipped to black, and to white, by the levels stretch


def stretch_levels(gray: np.ndarray) -> np.ndarray:
    """Levels stretched so that :data:`CLIP_SHARE` of the pixels clip at each end (an "Enhance" filter)."""
    lo, hi = np.percentile(gray, [100 * CLIP_SHARE, 100 * (1 - CLIP_SHARE)])
    scaled = (gray.astype(np.float32) - lo) * (255.0 / max(hi - lo, 1.0))
    return np.clip(scaled, 0, 255).astype(np.uint8)


def flatten_page(gray: np.ndarray, corners: np.ndarray) -> np.ndarray:
    """The page cut out along ``corners`` and flattened to a rectangle, at about the photo's resolution."""
    c = np.asarray(corners, np.float32).reshape(4, 2)
    w = int(round(max(np.linalg.norm(c[1] - c[0]), np.linalg.norm(c[2] - c[3]))))
    h = int(round(max(np.linalg.norm(c[3] - c[0]), np.linalg.norm(c[2] - c[1]))))
    dst = np.float32([[0, 0], [w - 1, 0], [w - 1, h - 1], [0, h - 1]])
    return cv2.warpPerspective(gray, cv2.getPerspectiveTransform(c, dst), (w, h), flags=cv2.INTER_LINEAR,
                               borderMode=cv2.BORDER_REPLICATE)


def page_corners_px(truth: dict) -> np.ndarray:
    """The page's four corners (clockwise from top-left) in a generated photo, from its truth file.

    The truth points (marker and box corners, mm and photo px) fix a homography; the paper's corners come from
    the template's page size. Curl bends the paper's edge away from it a little, as a scanner app's edge
    detection would too.
    """
    sheet = layout_sheet(resolve_template(truth["template"]), contest=truth["contest"], pairs=truth["pairs"])
    page = sheet.pages[truth["page"] - 1]
    pts = np.asarray(truth["truth_points"], np.float64)
    h, _ = cv2.findHomography(pts[:, :2], pts[:, 2:], cv2.RANSAC, 3.0)
    corners_mm = np.float64([[0, 0], [page.width_mm, 0], [page.width_mm, page.height_mm], [0, page.height_mm]])
    return cv2.perspectiveTransform(corners_mm.reshape(-1, 1, 2), h).reshape(4, 2)


def _encode(img: np.ndarray, output: str, quality: int) -> bytes:
    if output == "png":
        ok, buf = cv2.imencode(".png", img)
    else:
        ok, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise ValueError(f"could not encode {output}")
    return buf.tobytes()


def _shrink(img: np.ndarray, side: int) -> np.ndarray:
    f = side / max(img.shape[:2])
    if f >= 1:
        return img
    return cv2.resize(img, (round(img.shape[1] * f), round(img.shape[0] * f)), interpolation=cv2.INTER_AREA)
