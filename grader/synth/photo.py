"""Take a simulated phone photo of a filled page.

:class:`Conditions` holds every knob (all recorded in the truth file under
``photo``); :func:`sample_conditions` draws them over the range DESIGN.md asks
for, and :func:`take_photo` renders: camera geometry and curl
(:mod:`camera`), table, papers, light and fingers (:mod:`scene`), then
optics, sensor noise, phone sharpening and JPEG, optionally followed by a
chat app's downscale and recompression.
"""
from __future__ import annotations

import io
from dataclasses import asdict, dataclass, replace

import cv2
import numpy as np
from PIL import Image

from grader.sheet.layout import PageLayout
from grader.synth.camera import Pose, PageToPhoto, page_maps, place_page, random_curl
from grader.synth.fill import FilledPage
from grader.synth.scene import BACKGROUNDS, CASTS, background, draw_occluder, draw_other_papers, lighting

MEGAPIXELS = (2.0, 3.0, 5.0, 8.0, 12.0)
MARKER_MARGIN_MM = 2.0
_STEP = 8               # coarse grid of the exact mapping, in photo pixels


@dataclass(frozen=True)
class Conditions:
    """Everything that decides how a photo looks (recorded in the truth file)."""

    megapixels: float = 8.0
    aspect: float = 4 / 3
    landscape: bool = False
    roll_deg: float = 0.0
    tilt_deg: float = 0.0
    tilt_axis_deg: float = 0.0
    focal_factor: float = 0.78          # focal length / longest side (a phone's main camera)
    coverage: float = 0.7               # paper area / frame area wanted
    curl_strength: float = 0.0
    background: str = "wood"
    papers: int = 0
    exposure: float = 1.0
    gradient: float = 0.1
    vignette: float = 0.15
    shadow: float = 0.0
    cast: str = "neutral"
    cast_strength: float = 1.0
    defocus_mm: float = 0.0             # Gaussian sigma, in paper millimetres
    motion_mm: float = 0.0              # motion-blur length, in paper millimetres
    motion_angle_deg: float = 0.0
    noise: float = 0.01
    sharpen: float = 0.4
    jpeg_quality: int = 90
    chat_app: bool = False
    chat_side: int = 1600
    chat_quality: int = 70
    exif_orientation: int = 1           # 6, 8 or 3: pixels stored turned, with an EXIF tag (camera originals)
    finger: bool = False
    hidden_marker: int | None = None    # 0..3 (TL, TR, BR, BL) covered by a paper or finger
    crease: str | None = None           # "h" or "v": the sheet was folded in half
    glare: float = 0.0
    cut_marker: int | None = None       # 0..3: that corner marker is left outside the frame

    def to_json(self) -> dict:
        d = asdict(self)
        return {k: (round(v, 4) if isinstance(v, float) else v) for k, v in d.items()}


def sample_conditions(rng: np.random.Generator) -> Conditions:
    """Conditions of a readable photo, spread over the range in DESIGN.md's quality bar."""
    r = rng.random()
    if r < 0.55:
        roll = rng.normal(0, 6)
    elif r < 0.7:
        roll = 90 + rng.normal(0, 6)
    elif r < 0.8:
        roll = -90 + rng.normal(0, 6)
    elif r < 0.9:
        roll = 180 + rng.normal(0, 6)
    else:
        roll = rng.uniform(-180, 180)
    sideways = abs(((roll + 180) % 180) - 90) < 30
    chat = bool(rng.random() < 0.35)
    return Conditions(
        megapixels=float(rng.choice(MEGAPIXELS)), aspect=4 / 3 if rng.random() < 0.8 else 16 / 9,
        landscape=bool(rng.random() < (0.8 if sideways else 0.15)), roll_deg=float(roll),
        tilt_deg=float(30 * np.sqrt(rng.random()) if rng.random() < 0.9 else rng.uniform(0, 5)),
        tilt_axis_deg=float(rng.uniform(0, 360)), focal_factor=float(rng.uniform(0.7, 0.9)),
        coverage=float(rng.uniform(0.35, 0.95)), curl_strength=float(rng.choice(
            [0.0, rng.uniform(0.05, 0.4), rng.uniform(0.4, 1.0)], p=[0.35, 0.45, 0.2])),
        background=str(rng.choice(BACKGROUNDS)), papers=int(rng.choice([0, 0, 1, 2])),
        exposure=float(rng.uniform(0.7, 1.1)), gradient=float(rng.uniform(0, 0.3)),
        vignette=float(rng.uniform(0.05, 0.35)), shadow=float(rng.uniform(0.2, 0.5) if rng.random() < 0.35 else 0),
        cast=str(rng.choice(list(CASTS), p=[0.4, 0.2, 0.15, 0.15, 0.1])), cast_strength=float(rng.uniform(0.3, 1.0)),
        defocus_mm=float(rng.uniform(0, 0.09) if rng.random() < 0.6 else 0),
        motion_mm=float(rng.uniform(0, 0.2) if rng.random() < 0.3 else 0),
        motion_angle_deg=float(rng.uniform(0, 180)), noise=float(rng.uniform(0.004, 0.02)),
        sharpen=float(rng.uniform(0.1, 0.8)), jpeg_quality=int(rng.integers(80, 96)), chat_app=chat,
        chat_side=int(rng.choice([1600, 1600, 1600, 2048])), chat_quality=int(rng.integers(60, 76)),
        finger=bool(rng.random() < 0.12), hidden_marker=int(rng.integers(4)) if rng.random() < 0.06 else None,
        crease=str(rng.choice(["h", "v"])) if rng.random() < 0.2 else None,
        exif_orientation=1 if chat else int(rng.choice([1, 6, 8, 3], p=[0.55, 0.35, 0.05, 0.05])))


@dataclass
class Photo:
    """An encoded photo, the exact page-to-photo mapping and what was simulated."""

    data: bytes
    size: tuple[int, int]
    transform: PageToPhoto
    info: dict


def frame_size(megapixels: float, aspect: float, landscape: bool) -> tuple[int, int]:
    long = int(round(np.sqrt(megapixels * 1e6 * aspect) / 16) * 16)
    short = int(round(long / aspect / 16) * 16)
    return (long, short) if landscape else (short, long)


def _marker_points(page: PageLayout, *, only: int | None = None, grow: float = MARKER_MARGIN_MM) -> np.ndarray:
    pts = []
    for k, m in enumerate(page.markers):
        if only is not None and k != only:
            continue
        r = m.rect.grow(grow)
        pts += [(r.x, r.y), (r.x2, r.y), (r.x2, r.y2), (r.x, r.y2)]
    return np.array(pts, float)


def _crease(img: np.ndarray, axis: str, s: float, rng: np.random.Generator) -> None:
    """A fold line across the page (uint8 RGB, in place): a thin dark and light ridge, a slight step in light."""
    h, w = img.shape[:2]
    pos = int((h if axis == "h" else w) / 2 + rng.normal(0, 8 * s))
    half = int(2 * s)
    prof = np.ones(2 * half, np.float32)
    prof[half - max(1, int(0.25 * s)):half] = rng.uniform(0.82, 0.92)
    prof[half:half + max(1, int(0.3 * s))] = rng.uniform(1.02, 1.05)
    step = float(rng.uniform(0.95, 1.0))
    if axis == "h":
        img[pos - half:pos + half] = np.clip(img[pos - half:pos + half] * prof[:, None, None], 0, 255)
        img[pos + half:] = cv2.convertScaleAbs(img[pos + half:], alpha=step)
    else:
        img[:, pos - half:pos + half] = np.clip(img[:, pos - half:pos + half] * prof[None, :, None], 0, 255)
        img[:, pos + half:] = cv2.convertScaleAbs(np.ascontiguousarray(img[:, pos + half:]), alpha=step)


def _margin_finger(page: PageLayout, rng: np.random.Generator) -> np.ndarray:
    """A thumb holding the sheet at its left or right margin, its tip clear of every field (mm polygon)."""
    fields_x = [f.rect.x for f in page.fields] + [f.rect.x2 for f in page.fields]
    left = rng.random() < 0.5
    inner = min(fields_x) - 1.5 if left else page.width_mm - max(fields_x) - 1.5
    y = rng.uniform(60, page.height_mm - 60)
    tip, width = min(inner, rng.uniform(6, 12)), rng.uniform(16, 21)
    angle = rng.normal(0, 0.25)
    t = np.linspace(-np.pi / 2, np.pi / 2, 12)
    cap = np.stack([tip - width / 2 * (1 - np.cos(t)) * 0.9, width / 2 * np.sin(t)], 1)   # rounded tip
    base = np.array([[-60.0, width / 2 * 1.1], [-60.0, -width / 2 * 1.1]])
    pts = np.concatenate([cap, base])
    rot = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    pts = (pts - [tip, 0]) @ rot.T + [tip, y]
    if not left:
        pts[:, 0] = page.width_mm - pts[:, 0]
    return pts


def _corner_finger(page: PageLayout, k: int, rng: np.random.Generator) -> np.ndarray:
    """A fingertip coming in diagonally over corner marker ``k``, clear of the header text (mm polygon)."""
    m = page.markers[k].rect
    sx, sy = (1, 1) if k == 0 else (-1, 1) if k == 1 else (-1, -1) if k == 2 else (1, -1)
    corner = np.array([0.0 if sx > 0 else page.width_mm, 0.0 if sy > 0 else page.height_mm])
    c = np.array(m.center) + np.array([sx, sy]) * rng.uniform(1.5, 2.5)   # fingertip centre, past the marker's centre
    r = rng.uniform(7.0, 7.5)
    d = (c - corner) / np.linalg.norm(c - corner)                          # pointing into the page
    n = np.array([-d[1], d[0]])
    t = np.linspace(-np.pi / 2, np.pi / 2, 12)
    cap = c + np.outer(np.cos(t), d) * r + np.outer(np.sin(t), n) * r
    back = c - d * 60
    return np.concatenate([cap, [back - n * r * 1.1, back + n * r * 1.1][::-1]])


def _marker_cover(page: PageLayout, k: int, rng: np.random.Generator) -> np.ndarray:
    """A polygon (mm) covering corner marker ``k`` but nothing printed near it."""
    r = page.markers[k].rect.grow(rng.uniform(1.5, 3.0))
    xs = [r.x - 15, r.x2, r.x2, r.x - 15] if k in (0, 3) else [r.x, r.x2 + 15, r.x2 + 15, r.x]
    ys = [r.y - 15, r.y - 15, r.y2, r.y2] if k in (0, 1) else [r.y, r.y, r.y2 + 15, r.y2 + 15]
    return np.stack([xs, ys], 1)


def _motion_kernel(length: float, angle_deg: float) -> np.ndarray:
    n = int(np.ceil(length)) | 1
    k = np.zeros((n, n), np.float32)
    c = n // 2
    a = np.radians(angle_deg)
    d = np.array([np.cos(a), np.sin(a)]) * length / 2
    cv2.line(k, (int(round((c - d[0]) * 16)), int(round((c - d[1]) * 16))),
             (int(round((c + d[0]) * 16)), int(round((c + d[1]) * 16))), 1.0, 1, cv2.LINE_AA, 4)
    return k / max(float(k.sum()), 1e-6)


def _add_glare(planes: list[np.ndarray], transform: PageToPhoto, page: PageLayout, mm_scale: float,
               strength: float, rng: np.random.Generator) -> None:
    """A specular highlight (a lamp reflected by glossy paper) over the fields. In place on float planes.

    It is centred near a digit box: the refusal it stands for is glare *over the numbers*; a highlight
    over printed labels only leaves the sheet readable, and the gate rightly accepts it.
    """
    h, w = planes[0].shape
    boxes = [b for f in page.fields if f.kind == "digits" for b in f.boxes]
    if boxes:
        b = boxes[int(rng.integers(len(boxes)))]
        centre_mm = [b.x + b.w / 2 + rng.uniform(-8, 8), b.y + b.h / 2 + rng.uniform(-8, 8)]
    else:
        centre_mm = [rng.uniform(50, page.width_mm - 50), rng.uniform(70, page.height_mm - 90)]
    c = transform(np.array([centre_mm]))[0]
    r = mm_scale * rng.uniform(30, 55)
    x0, y0 = max(0, int(c[0] - 2 * r)), max(0, int(c[1] - 2 * r))
    x1, y1 = min(w, int(c[0] + 2 * r)), min(h, int(c[1] + 2 * r))
    if x0 >= x1 or y0 >= y1:
        return
    yy, xx = np.mgrid[y0:y1, x0:x1].astype(np.float32)
    ang = rng.uniform(0, np.pi)
    u = ((xx - c[0]) * np.cos(ang) + (yy - c[1]) * np.sin(ang)) / r
    v = (-(xx - c[0]) * np.sin(ang) + (yy - c[1]) * np.cos(ang)) / (r * rng.uniform(0.4, 0.8))
    blob = np.exp(-(u ** 2 + v ** 2) * 2.5) * strength
    for p in planes:
        p[y0:y1, x0:x1] += blob


# EXIF orientation -> how the stored pixels are turned from the displayed picture (np.rot90 turns).
_EXIF_TURNS = {1: 0, 6: 1, 3: 2, 8: 3}


def encode_jpeg(bgr: np.ndarray, quality: int, *, orientation: int = 1) -> bytes:
    """JPEG bytes whose *displayed* picture (after the EXIF Orientation tag) is ``bgr``.

    Phones store the sensor's pixels and a tag saying how to turn them; with
    ``orientation`` 6, 8 or 3 the pixels are stored turned and the tag undoes it.
    """
    if orientation == 1:
        ok, buf = cv2.imencode(".jpg", bgr, [cv2.IMWRITE_JPEG_QUALITY, quality])
        return buf.tobytes()
    stored = np.ascontiguousarray(np.rot90(bgr[..., ::-1], _EXIF_TURNS[orientation]))
    exif = Image.Exif()
    exif[0x0112] = orientation
    out = io.BytesIO()
    Image.fromarray(stored).save(out, "JPEG", quality=quality, exif=exif.tobytes())
    return out.getvalue()


def take_photo(filled: FilledPage, page: PageLayout, cond: Conditions, rng: np.random.Generator) -> Photo:
    """Photograph ``filled`` (a page of ``page``'s layout) under ``cond``; returns JPEG bytes and the mapping."""
    size = frame_size(cond.megapixels, cond.aspect, cond.landscape)
    w, h = size
    pw, ph = page.width_mm, page.height_mm
    curl = random_curl(rng, pw, ph, strength=cond.curl_strength)
    pose = Pose(tilt_deg=cond.tilt_deg, tilt_axis_deg=cond.tilt_axis_deg, roll_deg=cond.roll_deg,
                focal_px=cond.focal_factor * max(w, h), distance_mm=400.0,
                look_at_mm=(pw / 2 + rng.normal(0, 15), ph / 2 + rng.normal(0, 20)))
    keep_out = None
    if cond.cut_marker is not None:
        m = page.markers[cond.cut_marker].rect.grow(1.0)
        keep_out = np.array([(m.x, m.y), (m.x2, m.y), (m.x2, m.y2), (m.x, m.y2)])
    keep_in = _marker_points(page) if cond.cut_marker is None else \
        _marker_points(page, only=(cond.cut_marker + 2) % 4)
    transform, pose = place_page(pose, size, curl, (pw, ph), keep_in, cond.coverage, rng, keep_out=keep_out)
    s = filled.px_per_mm
    mm_scale = transform.scale_at((pw / 2, ph / 2))       # photo px per paper mm
    page_img = filled.image
    if cond.crease:
        page_img = page_img.copy()
        _crease(page_img, cond.crease, s, rng)
    level = min(1.0, 1.5 * mm_scale / s)
    if level < 0.95:
        page_img = cv2.resize(page_img, (round(page_img.shape[1] * level), round(page_img.shape[0] * level)),
                              interpolation=cv2.INTER_AREA)
    lvl_xy = (page_img.shape[1] / pw, page_img.shape[0] / ph)
    rgba = cv2.cvtColor(page_img, cv2.COLOR_RGB2RGBA)
    map_x, map_y, mm_x, mm_y = page_maps(transform, size, lvl_xy, step=_STEP)
    warped = cv2.split(cv2.remap(rgba, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT))
    del map_x, map_y, rgba
    alpha = warped[3].astype(np.float32)
    alpha *= 1 / 255.0
    coverage = float(cv2.mean(alpha)[0])

    bg = background(cond.background, size, rng)
    papers = draw_other_papers(bg, cond.papers, mm_scale, rng)
    inv = 1 - alpha
    planes = [cv2.blendLinear(p, b, alpha, inv) for p, b in zip(warped[:3], cv2.split(bg))]
    del bg, warped, alpha, inv
    occluders = []
    if cond.finger:
        draw_occluder(planes, transform(_margin_finger(page, rng)), rng, kind="finger")
        occluders.append("finger")
    if cond.hidden_marker is not None:
        kind = "finger" if rng.random() < 0.4 else "paper"
        cover = _corner_finger(page, cond.hidden_marker, rng) if kind == "finger" else \
            _marker_cover(page, cond.hidden_marker, rng)
        draw_occluder(planes, transform(cover), rng, kind=kind)
        occluders.append(f"{kind} over marker {page.markers[cond.hidden_marker].id}")

    # Light, on the coarse grid: exposure, gradient, vignette, shadows, curl shading, the sheet's own shadow.
    ny, nx = mm_x.shape
    gx = ((np.arange(nx) - 0.5) * _STEP - 0.5) / w - 0.5
    gy = ((np.arange(ny) - 0.5) * _STEP - 0.5) / h - 0.5
    xn, yn = np.meshgrid(gx.astype(np.float32), gy.astype(np.float32))
    light, light_info = lighting(xn, yn, rng, exposure=cond.exposure, gradient=cond.gradient,
                                 vignette=cond.vignette, shadow=cond.shadow)
    inside = ((mm_x >= 0) & (mm_x <= pw) & (mm_y >= 0) & (mm_y <= ph)).astype(np.float32)
    sx, sy = curl.slope(mm_x, mm_y)
    la = rng.uniform(0, 2 * np.pi)
    shade = np.clip(1 + 0.6 * (sx * np.cos(la) + sy * np.sin(la)), 0.6, 1.3)
    cast_shadow = cv2.GaussianBlur(cv2.warpAffine(inside, np.float32([[1, 0, rng.uniform(-2, 2)],
                                                                      [0, 1, rng.uniform(0, 3)]]),
                                                  (nx, ny)), (0, 0), max(1.0, mm_scale * 2 / _STEP))
    light *= (1 + (shade - 1) * inside) * (1 - rng.uniform(0.15, 0.35) * cast_shadow * (1 - inside))
    light = cv2.resize(light.astype(np.float32), (nx * _STEP, ny * _STEP),
                       interpolation=cv2.INTER_LINEAR)[_STEP:_STEP + h, _STEP:_STEP + w]
    cast = 1 + (np.asarray(CASTS[cond.cast], np.float32) - 1) * cond.cast_strength
    # From here on, one float32 plane per channel (cheaper than interleaved 3-channel arithmetic).
    planes = [cv2.multiply(ch, light, dtype=cv2.CV_32F, scale=float(c) / 255.0) for ch, c in zip(planes, cast)]
    del light
    if cond.glare > 0:
        _add_glare(planes, transform, page, mm_scale, cond.glare, rng)
    # Optics.
    kernel = _motion_kernel(cond.motion_mm * mm_scale, cond.motion_angle_deg) if cond.motion_mm * mm_scale > 1 \
        else None
    for i, p in enumerate(planes):
        if cond.defocus_mm * mm_scale > 0.3:
            p = cv2.GaussianBlur(p, (0, 0), cond.defocus_mm * mm_scale)
        if kernel is not None:
            p = cv2.filter2D(p, -1, kernel)
        planes[i] = p
    # Sensor noise (correlated, as after demosaicing), stronger when the exposure was pushed.
    sigma = cond.noise * (1.0 / max(cond.exposure, 0.05)) ** 0.25
    lum = cv2.resize(rng.standard_normal((h // 2, w // 2), dtype=np.float32) * (sigma * 1.6), size,
                     interpolation=cv2.INTER_LINEAR)
    chroma = rng.standard_normal((3, h // 4, w // 4), dtype=np.float32) * (sigma * 0.8)
    out_planes = []
    for p, c in zip(planes, chroma):
        p += lum
        p += cv2.resize(c, size, interpolation=cv2.INTER_LINEAR)
        if cond.sharpen > 0:
            p = cv2.addWeighted(p, 1 + cond.sharpen, cv2.GaussianBlur(p, (0, 0), 1.2), -cond.sharpen, 0)
        out_planes.append(cv2.convertScaleAbs(p, alpha=255))
    del planes, lum
    out = cv2.merge(out_planes[::-1])   # BGR for encoding
    if cond.chat_app:   # the camera's JPEG, decoded, shrunk and recompressed by the app (which drops EXIF)
        ok, buf = cv2.imencode(".jpg", out, [cv2.IMWRITE_JPEG_QUALITY, cond.jpeg_quality])
        scale = min(1.0, cond.chat_side / max(w, h))
        nw, nh = round(w * scale), round(h * scale)
        small_img = cv2.resize(cv2.imdecode(buf, cv2.IMREAD_COLOR), (nw, nh), interpolation=cv2.INTER_AREA)
        ok, buf = cv2.imencode(".jpg", small_img, [cv2.IMWRITE_JPEG_QUALITY, cond.chat_quality])
        data = buf.tobytes()
        transform = replace(transform, post_scale=(nw / w, nh / h))
        size = (nw, nh)
    else:
        data = encode_jpeg(out, cond.jpeg_quality, orientation=cond.exif_orientation)
    info = {"conditions": cond.to_json(), "pose": pose.to_json(), "curl": curl.to_json(),
            "coverage": round(coverage, 4), "px_per_mm": round(mm_scale * transform.post_scale[0], 3),
            "camera_size": list(frame_size(cond.megapixels, cond.aspect, cond.landscape)), "size": list(size),
            "light": light_info, "papers": papers, "occluders": occluders}
    return Photo(data=data, size=size, transform=transform, info=info)
