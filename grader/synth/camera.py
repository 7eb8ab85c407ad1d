"""Camera geometry: where each point of the paper lands in the photo.

A pinhole camera (focal length of a phone's main camera) looks at the page
from up to about 30° off the normal, at any roll, from a distance that makes
the sheet cover the wanted share of the frame. The paper is not flat: a
height field lifts one edge or corner (curl) and adds gentle waves, and every
lifted point is seen along the ray through the camera centre, which gives
the true non-linear displacement in the photo. :class:`PageToPhoto` maps page
millimetres to photo pixels exactly (used for the truth points) and back
(used to render the photo with ``cv2.remap``).

Photo coordinates are OpenCV pixel-centre coordinates: the centre of the
top-left pixel is ``(0, 0)``.
"""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np


@dataclass(frozen=True)
class Curl:
    """Paper height above the table, in mm: one edge or corner lifting, plus waves.

    ``normal`` is the unit direction pointing from the lifted edge into the
    page and ``offset`` places the edge (``s = p · normal - offset`` is the
    distance in from it).
    """

    normal: tuple[float, float] = (1.0, 0.0)
    offset: float = 0.0
    lift_mm: float = 0.0
    reach_mm: float = 50.0
    wave_mm: float = 0.0
    wave_k: tuple[float, float] = (0.0, 0.0)
    wave_phase: float = 0.0

    def _s(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        return x * self.normal[0] + y * self.normal[1] - self.offset

    def height(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Height above the table (mm) at page point (x, y)."""
        t = np.clip(1 - self._s(x, y) / self.reach_mm, 0, 1)   # constant past the edge (no paper there)
        z = self.lift_mm * t ** 2
        if self.wave_mm:
            z = z + self.wave_mm * (1 + np.sin(self.wave_k[0] * x + self.wave_k[1] * y + self.wave_phase)) / 2
        return z

    def shrink(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """How far (mm) a point moves towards the page's inside because the paper bends up."""
        t = np.clip(1 - self._s(x, y) / self.reach_mm, 0, 1)
        return 2 * self.lift_mm ** 2 / (3 * self.reach_mm) * t ** 3

    def slope(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Gradient of the height, for shading."""
        e = 0.5
        return ((self.height(x + e, y) - self.height(x - e, y)) / (2 * e),
                (self.height(x, y + e) - self.height(x, y - e)) / (2 * e))

    def to_json(self) -> dict:
        return {"normal": [round(v, 4) for v in self.normal], "offset_mm": round(self.offset, 2),
                "lift_mm": round(self.lift_mm, 2), "reach_mm": round(self.reach_mm, 1),
                "wave_mm": round(self.wave_mm, 2)}


def random_curl(rng: np.random.Generator, page_w: float, page_h: float, *, strength: float | None = None) -> Curl:
    """A curl of one edge or corner; ``strength`` 0..1 scales the lift (drawn if None)."""
    if strength is None:
        strength = float(rng.choice([0.0, rng.uniform(0.05, 0.4), rng.uniform(0.4, 1.0)], p=[0.35, 0.45, 0.2]))
    choices = {"left": ((1, 0), 0), "right": ((-1, 0), -page_w), "top": ((0, 1), 0), "bottom": ((0, -1), -page_h)}
    k = rng.integers(6)
    if k < 4:
        normal, offset = list(choices.values())[k]
    else:   # a corner
        cx, cy = (0.0 if rng.random() < 0.5 else page_w), (0.0 if k == 4 else page_h)
        n = np.array([1.0 if cx == 0 else -1.0, 1.0 if cy == 0 else -1.0]) / np.sqrt(2)
        normal, offset = tuple(n), float(n @ [cx, cy])
    wave = float(rng.uniform(0, 1.2) * (strength > 0))
    ang = rng.uniform(0, np.pi)
    period = rng.uniform(120, 300)
    return Curl(normal=(float(normal[0]), float(normal[1])), offset=float(offset),
                lift_mm=float(strength * rng.uniform(4, 14)), reach_mm=float(rng.uniform(30, 90)),
                wave_mm=wave, wave_k=(float(np.cos(ang) * 2 * np.pi / period), float(np.sin(ang) * 2 * np.pi / period)),
                wave_phase=float(rng.uniform(0, 2 * np.pi)))


@dataclass(frozen=True)
class PageToPhoto:
    """Page millimetres -> photo pixels, through the paper's curl and a pinhole camera.

    ``homography`` maps a *flat* page point (mm) to the photo; ``camera_xy`` is
    the foot of the camera centre on the page plane and ``camera_height_mm``
    its height, so a point lifted by ``z`` appears at
    ``p + (p - camera_xy) * z / (h - z)`` on the page plane.
    ``post_scale`` is a final resize ``(sx, sy)`` (chat-app recompression).
    """

    homography: np.ndarray
    camera_xy: tuple[float, float]
    camera_height_mm: float
    curl: Curl
    post_scale: tuple[float, float] = (1.0, 1.0)

    def displaced(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Where a page point appears on the flat page plane once the paper is curled."""
        z = self.curl.height(x, y)
        k = z / (self.camera_height_mm - z)
        sh = self.curl.shrink(x, y)
        n = self.curl.normal
        return (x + (x - self.camera_xy[0]) * k + sh * n[0], y + (y - self.camera_xy[1]) * k + sh * n[1])

    def __call__(self, pts_mm: np.ndarray) -> np.ndarray:
        """Map ``(n, 2)`` page points in mm to photo pixels."""
        pts = np.asarray(pts_mm, float).reshape(-1, 2)
        dx, dy = self.displaced(pts[:, 0], pts[:, 1])
        out = _apply_h(self.homography, dx, dy)
        return (out + 0.5) * np.asarray(self.post_scale) - 0.5

    def inverse(self, pts_px: np.ndarray, *, iterations: int = 8) -> np.ndarray:
        """Map ``(n, 2)`` photo pixels back to page mm (fixed-point inversion of the curl)."""
        pts = (np.asarray(pts_px, float).reshape(-1, 2) + 0.5) / np.asarray(self.post_scale) - 0.5
        flat = _apply_h(np.linalg.inv(self.homography), pts[:, 0], pts[:, 1])
        x, y = flat[:, 0].copy(), flat[:, 1].copy()
        for _ in range(iterations):
            dx, dy = self.displaced(x, y)
            x, y = x - (dx - flat[:, 0]), y - (dy - flat[:, 1])
        return np.stack([x, y], axis=1)

    def scale_at(self, pt_mm: tuple[float, float]) -> float:
        """Photo pixels per page mm near ``pt_mm``."""
        p = np.array([pt_mm, (pt_mm[0] + 1, pt_mm[1]), (pt_mm[0], pt_mm[1] + 1)])
        q = self(p)
        a, b = q[1] - q[0], q[2] - q[0]
        return float(np.sqrt(abs(a[0] * b[1] - a[1] * b[0])))


def _apply_h(h: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    w = h[2, 0] * x + h[2, 1] * y + h[2, 2]
    return np.stack([(h[0, 0] * x + h[0, 1] * y + h[0, 2]) / w, (h[1, 0] * x + h[1, 1] * y + h[1, 2]) / w], axis=1)


def _rot(axis: np.ndarray, angle: float) -> np.ndarray:
    r, _ = cv2.Rodrigues(np.asarray(axis, float).reshape(3, 1) * angle)
    return r


@dataclass(frozen=True)
class Pose:
    """Camera pose relative to the page: what the truth file records under ``photo``."""

    tilt_deg: float
    tilt_axis_deg: float
    roll_deg: float
    focal_px: float
    distance_mm: float
    look_at_mm: tuple[float, float]

    def to_json(self) -> dict:
        return {"tilt_deg": round(self.tilt_deg, 2), "tilt_axis_deg": round(self.tilt_axis_deg, 1),
                "roll_deg": round(self.roll_deg, 2), "focal_px": round(self.focal_px, 1),
                "distance_mm": round(self.distance_mm, 1), "look_at_mm": [round(v, 1) for v in self.look_at_mm]}


def camera_transform(pose: Pose, size: tuple[int, int], curl: Curl, *, shift_px: tuple[float, float] = (0, 0)
                     ) -> PageToPhoto:
    """The page-to-photo mapping for ``pose`` in a ``size`` = (width, height) frame."""
    w, h = size
    roll = _rot([0, 0, 1], np.radians(pose.roll_deg))
    a = np.radians(pose.tilt_axis_deg)
    tilt = _rot([np.cos(a), np.sin(a), 0], np.radians(pose.tilt_deg))
    r = roll @ tilt                       # world (page) -> camera
    axis_world = r.T @ np.array([0.0, 0.0, 1.0])
    look = np.array([pose.look_at_mm[0], pose.look_at_mm[1], 0.0])
    centre = look - pose.distance_mm * axis_world   # camera above the page (negative z: z points into the table)
    t = -r @ centre
    k = np.array([[pose.focal_px, 0, (w - 1) / 2 + shift_px[0]], [0, pose.focal_px, (h - 1) / 2 + shift_px[1]],
                  [0, 0, 1]])
    hom = k @ np.column_stack([r[:, 0], r[:, 1], t])
    return PageToPhoto(homography=hom / hom[2, 2], camera_xy=(float(centre[0]), float(centre[1])),
                       camera_height_mm=float(-centre[2]), curl=curl)


def polygon_area(pts: np.ndarray) -> float:
    x, y = pts[:, 0], pts[:, 1]
    return float(abs(np.dot(x, np.roll(y, 1)) - np.dot(y, np.roll(x, 1))) / 2)


def outline(page_w: float, page_h: float, n: int = 12) -> np.ndarray:
    """Points along the paper's edge (mm), clockwise from the top-left corner."""
    t = np.linspace(0, 1, n, endpoint=False)
    return np.concatenate([np.stack([t * page_w, 0 * t], 1), np.stack([page_w + 0 * t, t * page_h], 1),
                           np.stack([page_w * (1 - t), page_h + 0 * t], 1), np.stack([0 * t, page_h * (1 - t)], 1)])


def place_page(pose: Pose, size: tuple[int, int], curl: Curl, page_wh: tuple[float, float], keep_in: np.ndarray,
               coverage: float, rng: np.random.Generator, *, margin_px: float = 4.0, keep_out: np.ndarray | None = None
               ) -> tuple[PageToPhoto, Pose]:
    """Choose the camera distance and frame shift so the sheet covers ``coverage`` of the frame.

    ``keep_in`` (mm points) must land inside the frame (the markers, for a
    readable photo); if the wanted coverage cannot fit, the camera backs off.
    ``keep_out`` (optional) must land *outside* the frame (a cut-off corner).
    Returns the mapping and the final pose.
    """
    w, h = size
    edge = outline(*page_wh)
    frame_area = float(w * h)
    dist = pose.distance_mm
    for _ in range(4):   # distance for the wanted coverage (area scales as 1/d^2)
        p = Pose(pose.tilt_deg, pose.tilt_axis_deg, pose.roll_deg, pose.focal_px, dist, pose.look_at_mm)
        area = polygon_area(camera_transform(p, size, curl)(edge))
        dist *= np.sqrt(area / (coverage * frame_area))
    for _ in range(60):
        p = Pose(pose.tilt_deg, pose.tilt_axis_deg, pose.roll_deg, pose.focal_px, dist, pose.look_at_mm)
        base = camera_transform(p, size, curl)
        pts = base(keep_in)
        lo = np.array([margin_px, margin_px]) - pts.min(axis=0)
        hi = np.array([w - 1 - margin_px, h - 1 - margin_px]) - pts.max(axis=0)
        if np.all(lo <= hi):
            if keep_out is None:
                return camera_transform(p, size, curl, shift_px=tuple(rng.uniform(lo, hi))), p
            # Push the keep-out points just off the frame: the smallest shift from a random
            # in-frame placement towards the box corner that moves them furthest out, plus a little.
            d = base(keep_out).mean(axis=0) - pts.mean(axis=0)
            far = np.where(d > 0, hi, lo)
            start = rng.uniform(lo, hi)
            if _all_outside(camera_transform(p, size, curl, shift_px=tuple(far))(keep_out), w, h):
                a, b = 0.0, 1.0
                for _ in range(20):
                    mid = (a + b) / 2
                    m = camera_transform(p, size, curl, shift_px=tuple(start + (far - start) * mid))
                    a, b = (a, mid) if _all_outside(m(keep_out), w, h) else (mid, b)
                t = b + rng.uniform(0, 0.15) * (1 - b)
                return camera_transform(p, size, curl, shift_px=tuple(start + (far - start) * t)), p
        dist *= 1.04
    raise RuntimeError("could not place the page in the frame")


def _all_outside(pts: np.ndarray, w: int, h: int) -> bool:
    return bool(np.all((pts[:, 0] < 0) | (pts[:, 0] > w - 1) | (pts[:, 1] < 0) | (pts[:, 1] > h - 1)))


def page_maps(transform: PageToPhoto, size: tuple[int, int], page_px_per_mm: tuple[float, float], *,
              step: int = 8) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``cv2.remap`` maps (page pixel coordinates per photo pixel) and the page mm coordinates on a coarse grid.

    The exact inverse is computed every ``step`` pixels and interpolated
    linearly in between (the mapping is smooth, so the error is far below a
    pixel). ``page_px_per_mm`` is ``(x, y)`` resolution of the page image. Returns ``map_x, map_y`` (full size, float32) and the coarse
    ``mm_x, mm_y`` grids (for shading), sampled at photo pixels
    ``(i - 0.5) * step - 0.5``.
    """
    w, h = size
    nx, ny = int(np.ceil(w / step)) + 2, int(np.ceil(h / step)) + 2
    gx = (np.arange(nx) - 0.5) * step - 0.5
    gy = (np.arange(ny) - 0.5) * step - 0.5
    xx, yy = np.meshgrid(gx, gy)
    mm = transform.inverse(np.stack([xx.ravel(), yy.ravel()], 1)).reshape(ny, nx, 2)
    maps = []
    for axis in (0, 1):
        coarse = np.ascontiguousarray(mm[..., axis] * page_px_per_mm[axis] - 0.5, dtype=np.float32)
        maps.append(cv2.resize(coarse, (nx * step, ny * step), interpolation=cv2.INTER_LINEAR)[step:step + h,
                                                                                              step:step + w])
    return maps[0], maps[1], mm[..., 0].astype(np.float32), mm[..., 1].astype(np.float32)
