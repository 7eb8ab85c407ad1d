"""How the practice sheet reached the paper a trainee writes on: a "fit to page" print or a photocopy.

A trainer prints one master (``grader form print``, the web's ``lembar.pdf``) and photocopies it for the
class, often in black and white, or prints the PDF from a viewer whose default is "fit to page". Either
way the printed sheet sits on the paper a little smaller (fit: 94-97 %, a copier: 97-100 %), turned and
shifted, and a copier also changes the print itself: its optics blur, its contrast curve darkens the mid
greys (the grey digits in the bubbles, the grey labels and guide lines) or fades them, toner spreads or
thins the lines, and it adds a grey or uneven background, toner speckle and streaks; a copy of a copy does
it twice.

:func:`random_print_copy` draws one such :class:`PrintCopy` from a random source, and
:func:`copy_print` applies it to the rendered grayscale page *before* the trainee writes on it (the ink
never goes through the copier). :meth:`PrintCopy.place` maps template millimetres to where they sit on
the paper, and :meth:`PrintCopy.placed` gives a page layout at those places, so the handwriting lands in the
printed boxes and the truth points follow the print.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import cv2
import numpy as np

from grader.sheet.layout import Line, Marker, PageLayout, Rect

#: Kinds of print, with the share of copied sheets drawn for each.
KINDS = {"fit": 0.25, "copy": 0.35, "fit_copy": 0.2, "copy_of_copy": 0.2}
_BAYER = (np.array([[0, 8, 2, 10], [12, 4, 14, 6], [3, 11, 1, 9], [15, 7, 13, 5]], np.float32) + 0.5) / 16


@dataclass(frozen=True)
class CopierPass:
    """One pass through a copier, in the copy's own paper frame.

    Parameters
    ----------
    blur_mm : sigma of the optics' blur.
    mid, gain : contrast curve on 0 (black) .. 1 (white): ``0.5 + (v - mid) * gain``, clipped. A high ``mid``
        darkens mid greys (grey 150 is 0.59), a low one fades them.
    spread_mm : toner spread: dark lines thicken by this much on each side (a light copy thins and fades them
        through its contrast curve instead).
    fog : grey laid over the whole page (0 = white background), ``uneven`` its low-frequency variation. The
        copier takes the original's paper for white, so a copy of a copy does not compound its fog.
    speckle_per_cm2 : toner dots per square centimetre.
    streaks : dark lines along the feed direction (``(position share, width mm, darkness)``), ``vertical`` or
        not; ``light_band`` a paler band where toner ran short (``(position share, width mm, lightening)``).
    screen : mid greys halftoned (a copier's text/photo mode).
    """

    blur_mm: float
    mid: float
    gain: float
    spread_mm: float
    fog: float
    uneven: float
    speckle_per_cm2: float
    streaks: tuple[tuple[float, float, float], ...]
    vertical: bool
    light_band: tuple[float, float, float] | None
    screen: bool

    def to_json(self) -> dict:
        return {"blur_mm": round(self.blur_mm, 3), "mid": round(self.mid, 3), "gain": round(self.gain, 3),
                "spread_mm": round(self.spread_mm, 3), "fog": round(self.fog, 3), "uneven": round(self.uneven, 3),
                "speckle_per_cm2": round(self.speckle_per_cm2, 3),
                "streaks": [[round(v, 3) for v in s] for s in self.streaks], "vertical": self.vertical,
                "light_band": None if self.light_band is None else [round(v, 3) for v in self.light_band],
                "screen": self.screen}


@dataclass(frozen=True)
class PrintCopy:
    """A print on paper: its placement (``scale`` about the page centre, ``angle_deg``, ``offset_mm``) and the
    copier passes it went through (none for a "fit to page" print)."""

    kind: str
    scale: float
    angle_deg: float
    offset_mm: tuple[float, float]
    passes: tuple[CopierPass, ...] = ()

    def to_json(self) -> dict:
        return {"kind": self.kind, "scale": round(self.scale, 4), "angle_deg": round(self.angle_deg, 3),
                "offset_mm": [round(v, 3) for v in self.offset_mm], "passes": [p.to_json() for p in self.passes]}

    def matrix(self, page_wh: tuple[float, float]) -> np.ndarray:
        """The 2 x 3 affine matrix from template mm to paper mm."""
        c = np.array(page_wh, float) / 2
        a = np.radians(self.angle_deg)
        kr = self.scale * np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
        return np.hstack([kr, (c - kr @ c + np.asarray(self.offset_mm, float))[:, None]])

    def place(self, pts_mm: np.ndarray, page_wh: tuple[float, float]) -> np.ndarray:
        """Template points ``(n, 2)`` in mm -> where they are printed on the paper, in mm."""
        m = self.matrix(page_wh)
        return np.asarray(pts_mm, float).reshape(-1, 2) @ m[:, :2].T + m[:, 2]

    def placed(self, page: PageLayout) -> PageLayout:
        """``page`` with everything printed moved to where it sits on the paper (rectangles stay upright: their
        centres are placed exactly, their sides scaled; the paper keeps its size)."""
        wh = (page.width_mm, page.height_mm)

        def point(x: float, y: float) -> tuple[float, float]:
            p = self.place(np.array([[x, y]]), wh)[0]
            return float(p[0]), float(p[1])

        def rect(r: Rect) -> Rect:
            cx, cy = point(*r.center)
            w, h = r.w * self.scale, r.h * self.scale
            return Rect(cx - w / 2, cy - h / 2, w, h)

        fields = tuple(replace(f, boxes=tuple(map(rect, f.boxes)), cells=tuple(map(rect, f.cells)),
                               bubbles=tuple(tuple(map(rect, col)) for col in f.bubbles)) for f in page.fields)
        labels = tuple(replace(lb, x=point(lb.x, lb.y)[0], y=point(lb.x, lb.y)[1], size_mm=lb.size_mm * self.scale)
                       for lb in page.labels)
        lines = tuple(Line(*point(ln.x1, ln.y1), *point(ln.x2, ln.y2), ln.width_mm * self.scale, ln.gray)
                      for ln in page.lines)
        return replace(page, markers=tuple(Marker(m.id, rect(m.rect)) for m in page.markers), qr=rect(page.qr),
                       fields=fields, labels=labels, lines=lines,
                       frames=tuple((rect(r), w * self.scale) for r, w in page.frames))


def random_copier_pass(rng: np.random.Generator) -> CopierPass:
    """One copier pass, over the range of office copiers (dark and light settings, clean and dirty drums)."""
    streaks = tuple((float(rng.uniform(0.05, 0.95)), float(rng.uniform(0.08, 0.3)), float(rng.uniform(0.15, 0.6)))
                    for _ in range(int(rng.poisson(0.7))))
    band = (float(rng.uniform(0.1, 0.9)), float(rng.uniform(3, 15)), float(rng.uniform(0.15, 0.4))) \
        if rng.random() < 0.2 else None
    return CopierPass(blur_mm=float(rng.uniform(0.02, 0.06)), mid=float(rng.uniform(0.45, 0.75)),
                      gain=float(rng.uniform(1.4, 2.8)),
                      spread_mm=float(rng.uniform(0.04, 0.1)) if rng.random() < 0.5 else 0.0,
                      fog=float(rng.uniform(0.03, 0.15)) if rng.random() < 0.4 else 0.0,
                      uneven=float(rng.uniform(0, 0.06)), speckle_per_cm2=float(rng.uniform(0, 1.5)),
                      streaks=streaks, vertical=bool(rng.random() < 0.5), light_band=band,
                      screen=bool(rng.random() < 0.25))


def random_print_copy(rng: np.random.Generator, kind: str | None = None) -> PrintCopy:
    """A "fit to page" print, a copy, a copy of a fit print or a copy of a copy (``kind``, else drawn)."""
    kind = kind or str(rng.choice(list(KINDS), p=list(KINDS.values())))
    if kind not in KINDS:
        raise ValueError(f"unknown print kind {kind!r}; expected one of {', '.join(KINDS)}")
    fit = kind in ("fit", "fit_copy")
    copies = {"fit": 0, "copy": 1, "fit_copy": 1, "copy_of_copy": 2}[kind]
    scale = float(rng.uniform(0.94, 0.97)) if fit else 1.0
    angle = float(np.clip(rng.normal(0, 0.15), -0.4, 0.4))
    offset = np.clip(rng.normal(0, 0.7, 2), -2, 2)
    for _ in range(copies):   # the master on the copier's glass: reduced a little or not, turned and shifted
        scale *= 1.0 if rng.random() < 0.5 else float(rng.uniform(0.97, 1.0))
        angle += float(np.clip(rng.normal(0, 0.4), -1.2, 1.2))
        offset = offset + np.clip(rng.normal(0, 1.5, 2), -4, 4)
    return PrintCopy(kind, scale, angle, (float(offset[0]), float(offset[1])),
                     tuple(random_copier_pass(rng) for _ in range(copies)))


def copy_print(gray: np.ndarray, copy: PrintCopy, px_per_mm: float, rng: np.random.Generator) -> np.ndarray:
    """The rendered page ``gray`` (uint8, 255 white, the template at ``px_per_mm``) as ``copy`` put it on paper.

    Returns a new array of the same size; ``gray`` is left as it is. Speckle and streaks come from ``rng``.
    """
    h, w = gray.shape
    s = px_per_mm
    m = copy.matrix((w / s, h / s))
    # Pixel centres: px = mm * s - 0.5, on both sides.
    m_px = m.copy()
    m_px[:, 2] = s * m[:, 2] + m[:, :2] @ np.array([0.5, 0.5]) - 0.5
    out = cv2.warpAffine(gray, m_px, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT,
                         borderValue=255)
    for p in copy.passes:
        out = _copier_pass(out, p, s, rng)
    return out


def _copier_pass(gray: np.ndarray, p: CopierPass, s: float, rng: np.random.Generator) -> np.ndarray:
    h, w = gray.shape
    # Automatic exposure: the original's paper is taken for white (a copy's grey background is not copied on).
    paper = max(float(np.percentile(gray[::8, ::8], 90)), 64.0)
    out = cv2.GaussianBlur(cv2.convertScaleAbs(gray, alpha=255 / paper), (0, 0), max(p.blur_mm * s, 0.3))
    radius = p.spread_mm * s
    if radius >= 0.5:
        out = cv2.erode(out, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * round(radius) + 1,) * 2))
    lut = np.clip((0.5 + (np.arange(256) / 255.0 - p.mid) * p.gain) * 255 + 0.5, 0, 255).astype(np.uint8)
    out = cv2.LUT(out, lut)
    if p.screen:   # mid greys halftoned: a 4 x 4 ordered dither
        v = out.astype(np.float32) / 255
        tile = np.tile(_BAYER, (h // 4 + 1, w // 4 + 1))[:h, :w]
        mid = (v > 0.2) & (v < 0.8)
        out = np.where(mid, np.where(v > tile, 255, 0), out).astype(np.uint8)
    light = np.ones((h, w), np.float32)
    if p.fog or p.uneven:
        field = cv2.resize(rng.normal(0, 1, (6, 5)).astype(np.float32), (w, h), interpolation=cv2.INTER_CUBIC)
        light *= 1 - p.fog - p.uneven * field
    if p.light_band is not None:
        pos, width_mm, lighten = p.light_band
        along = np.arange(w if p.vertical else h, dtype=np.float32)
        band = np.exp(-((along - pos * len(along)) / (width_mm * s / 2)) ** 2) * lighten
        # A paler band brings the dark parts up towards white.
        dark = 1 - out.astype(np.float32) / 255
        dark *= 1 - (band[None, :] if p.vertical else band[:, None])
        out = np.clip((1 - dark) * 255 + 0.5, 0, 255).astype(np.uint8)
    out = np.clip(out * light + 0.5, 0, 255).astype(np.uint8)
    for pos, width_mm, darkness in p.streaks:
        t = max(1, round(width_mm * s))
        value = int(255 * (1 - darkness))
        line = np.full((h, w), 255, np.uint8)
        if p.vertical:
            x = int(pos * w)
            cv2.line(line, (x, 0), (x, h - 1), value, t)
        else:
            y = int(pos * h)
            cv2.line(line, (0, y), (w - 1, y), value, t)
        out = np.minimum(out, line)
    n = int(rng.poisson(p.speckle_per_cm2 * (w / s / 10) * (h / s / 10)))
    xs, ys = rng.uniform(0, w, n), rng.uniform(0, h, n)
    radii, values = rng.uniform(0.04, 0.15, n) * s, rng.uniform(0, 0.7, n) * 255
    for x, y, r, v in zip(xs, ys, radii, values):
        cv2.circle(out, (int(x), int(y)), max(1, int(round(r))), int(v), -1, cv2.LINE_AA)
    return out
