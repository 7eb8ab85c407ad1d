"""Quick synthetic phone photos of a rendered practice page, with exact ground truth.

For unit tests and experiments only; the realistic generator with handwriting,
lighting and curl is ``grader synth``. Here a clean page render is placed in a
frame by a known homography (rotation, keystone tilt, size, position), with
optional blur, darkening, noise and occluders, and encoded as JPEG.
"""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from grader.sheet.identity import SheetIdentity
from grader.sheet.layout import PageLayout, SheetLayout, layout_sheet
from grader.sheet.render import MM_PER_INCH, render_page
from grader.sheet.schema import resolve_template


@dataclass(frozen=True)
class MockPhoto:
    image: np.ndarray            # BGR uint8 photo
    mm_to_photo: np.ndarray      # 3x3 homography: flat page mm -> photo px (pixel centres at integers)
    sheet: SheetLayout
    page: PageLayout
    identity: SheetIdentity
    curl_mm: float = 0.0         # lift of the left edge (see :func:`curl_displace`)
    curl_reach_mm: float = 60.0

    def jpeg(self, quality: int = 90) -> bytes:
        ok, buf = cv2.imencode(".jpg", self.image, [cv2.IMWRITE_JPEG_QUALITY, quality])
        assert ok
        return buf.tobytes()

    def photo_points(self, points_mm: np.ndarray) -> np.ndarray:
        """True photo positions of page points (mm), through the curl and the camera."""
        pts = curl_displace(np.asarray(points_mm, dtype=np.float64).reshape(-1, 2), lift_mm=self.curl_mm,
                            reach_mm=self.curl_reach_mm, page_h_mm=self.page.height_mm)
        return cv2.perspectiveTransform(pts.reshape(-1, 1, 2), self.mm_to_photo).reshape(-1, 2)

    def box_corners_mm(self) -> np.ndarray:
        """Every digit box's four corners on this page, mm."""
        boxes = [b for f in self.page.fields if f.kind == "digits" for b in f.boxes]
        return np.array([p for b in boxes for p in ((b.x, b.y), (b.x2, b.y), (b.x2, b.y2), (b.x, b.y2))])


def mock_photo(*, template: str = "chasil-kwk", page: int = 1, contest: str = "bupati", pairs: int = 3,
               exercise: str | None = "EX-12", frame: tuple[int, int] = (1500, 2000), coverage: float = 0.55,
               rotation_deg: float = 0.0, tilt: float = 0.0, shift: tuple[float, float] = (0.0, 0.0),
               blur_px: float = 0.0, brightness: float = 1.0, noise: float = 2.0, hide_markers: tuple[int, ...] = (),
               hide_qr: bool = False, curl_mm: float = 0.0, curl_reach_mm: float = 60.0, dpi: float = 150,
               seed: int = 0) -> MockPhoto:
    """Photograph page ``page`` of a freshly rendered sheet.

    Parameters
    ----------
    frame : photo (width, height) px.
    coverage : page area / frame area.
    rotation_deg : in-plane rotation of the page (counter-clockwise, degrees).
    tilt : keystone strength in [0, 0.5): the page's far edge is shortened by this share.
    shift : page centre offset, as a share of the frame size.
    blur_px, brightness, noise : Gaussian defocus (photo px), gain, noise sigma.
    hide_markers : marker indices k (0 = TL, 1 = TR, 2 = BR, 3 = BL) to cover with an occluder.
    hide_qr : cover the QR code.
    curl_mm, curl_reach_mm : the left edge lifts, moving print near it by up to ``curl_mm``
        (not a homography: the second alignment pass has to correct it).
    """
    rng = np.random.default_rng(seed)
    spec = resolve_template(template)
    sheet = layout_sheet(spec, contest=contest, pairs=pairs)
    pg = sheet.pages[page - 1]
    ident = SheetIdentity(spec.id, spec.version, page, contest, pairs, exercise, "12", "Siti")
    render = np.asarray(render_page(sheet, pg, ident, dpi=dpi)).copy()
    s = dpi / MM_PER_INCH
    for k in hide_markers:
        r = pg.markers[k].rect.grow(1.5)
        cv2.rectangle(render, (round(r.x * s), round(r.y * s)), (round(r.x2 * s), round(r.y2 * s)), 150, -1)
    if hide_qr:
        r = pg.qr.grow(0.5)
        cv2.rectangle(render, (round(r.x * s), round(r.y * s)), (round(r.x2 * s), round(r.y2 * s)), 200, -1)

    W, H = frame
    k = np.sqrt(coverage * W * H / (pg.width_mm * pg.height_mm))        # photo px per mm
    hw, hh = pg.width_mm * k / 2, pg.height_mm * k / 2
    quad = np.array([[-hw, -hh], [hw, -hh], [hw, hh], [-hw, hh]])
    quad[:2, 0] *= 1 - tilt                                              # keystone: top edge further away
    a = np.deg2rad(rotation_deg)
    rot = np.array([[np.cos(a), np.sin(a)], [-np.sin(a), np.cos(a)]])
    quad = quad @ rot.T + (W / 2 + shift[0] * W, H / 2 + shift[1] * H)
    page_mm = np.array([[0, 0], [pg.width_mm, 0], [pg.width_mm, pg.height_mm], [0, pg.height_mm]])
    mm_to_photo = cv2.getPerspectiveTransform(page_mm.astype(np.float32), quad.astype(np.float32)).astype(np.float64)
    # render pixel centre c <-> mm (c + 0.5) / s; photo coords are pixel centres.
    render_to_mm = np.array([[1 / s, 0, 0.5 / s], [0, 1 / s, 0.5 / s], [0, 0, 1]])
    M = mm_to_photo @ render_to_mm
    background = _background(rng, W, H)
    if curl_mm:
        # Photo pixel -> flat page mm -> the page point seen there (undo the curl) -> render pixel.
        yy, xx = np.mgrid[0:H, 0:W].astype(np.float32)
        flat = cv2.perspectiveTransform(np.stack([xx, yy], -1).reshape(-1, 1, 2).astype(np.float64),
                                        np.linalg.inv(mm_to_photo)).reshape(-1, 2)
        src = flat.copy()
        for _ in range(6):
            src = src - (curl_displace(src, lift_mm=curl_mm, reach_mm=curl_reach_mm, page_h_mm=pg.height_mm) - flat)
        mx = (src[:, 0] * s - 0.5).reshape(H, W).astype(np.float32)
        my = (src[:, 1] * s - 0.5).reshape(H, W).astype(np.float32)
        gray = cv2.remap(render, mx, my, cv2.INTER_LINEAR, dst=background, borderMode=cv2.BORDER_TRANSPARENT)
    else:
        gray = cv2.warpPerspective(render, M, (W, H), dst=background, flags=cv2.INTER_LINEAR,
                                   borderMode=cv2.BORDER_TRANSPARENT)
    img = cv2.cvtColor(gray, cv2.COLOR_GRAY2BGR).astype(np.float32)
    img *= np.array([0.92, 0.97, 1.0], dtype=np.float32)   # warm indoor cast
    if blur_px > 0:
        img = cv2.GaussianBlur(img, (0, 0), blur_px)
    img = img * brightness + rng.normal(0, noise, img.shape).astype(np.float32)
    return MockPhoto(image=np.clip(img, 0, 255).astype(np.uint8), mm_to_photo=mm_to_photo,
                     sheet=sheet, page=pg, identity=ident, curl_mm=curl_mm, curl_reach_mm=curl_reach_mm)


def curl_displace(points_mm: np.ndarray, *, lift_mm: float, reach_mm: float, page_h_mm: float) -> np.ndarray:
    """Where page points appear on the flat page plane when the left edge curls up.

    Points within ``reach_mm`` of the left edge move right by up to ``lift_mm``
    (quadratically towards the edge) and slightly away from the page's middle row.
    """
    p = np.array(points_mm, dtype=np.float64).reshape(-1, 2)
    if not lift_mm:
        return p
    t = np.clip(1 - p[:, 0] / reach_mm, 0, None) ** 2
    p[:, 0] += lift_mm * t
    p[:, 1] += 0.3 * lift_mm * t * (p[:, 1] - page_h_mm / 2) / page_h_mm
    return p


def _background(rng: np.random.Generator, w: int, h: int) -> np.ndarray:
    """A wooden-table-ish background: smooth gray gradient with streaks."""
    y = np.linspace(0, 1, h, dtype=np.float32)[:, None]
    x = np.linspace(0, 1, w, dtype=np.float32)[None, :]
    base = 90 + 30 * x - 20 * y + 8 * np.sin(40 * y + 3 * x)
    return np.clip(base + rng.normal(0, 4, (h, w)), 0, 255).astype(np.uint8)
