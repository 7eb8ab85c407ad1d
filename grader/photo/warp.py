"""Warp a photo into the template frame (the page at ``px_per_mm``) with one resampling."""
from __future__ import annotations

import cv2
import numpy as np

from grader.sheet.layout import PageLayout, Rect

PAPER_WHITE = 255


def frame_size(page: PageLayout, *, px_per_mm: float) -> tuple[int, int]:
    """``(width, height)`` of the template frame of ``page`` in pixels."""
    return round(page.width_mm * px_per_mm), round(page.height_mm * px_per_mm)


def warp_to_frame(image: np.ndarray, homography: np.ndarray, size: tuple[int, int], *,
                  interpolation: int = cv2.INTER_LINEAR) -> np.ndarray:
    """Resample ``image`` (any channels, uint8) through ``homography`` (photo px -> frame px).

    Pixels that fall outside the photo become paper white, so a cut-off corner
    looks blank rather than black.
    """
    border = PAPER_WHITE if image.ndim == 2 else (PAPER_WHITE,) * image.shape[2]
    return cv2.warpPerspective(image, homography, size, flags=interpolation, borderMode=cv2.BORDER_CONSTANT,
                               borderValue=border)


def warp_region(image: np.ndarray, homography: np.ndarray, rect: Rect, *, px_per_mm: float) -> np.ndarray:
    """Warp only ``rect`` (template mm) out of ``image``.

    ``homography`` maps photo px into the template frame at ``px_per_mm`` (use
    :func:`rescale_homography` to read a region at another resolution than the page).
    """
    x, y, w, h = rect.to_px(px_per_mm)
    shift = np.array([[1, 0, -x], [0, 1, -y], [0, 0, 1]], dtype=np.float64)
    return warp_to_frame(image, shift @ homography, (w, h))


def rescale_homography(homography: np.ndarray, *, from_px_per_mm: float, to_px_per_mm: float) -> np.ndarray:
    """The same homography into a frame of a different resolution (pixel-centre convention kept)."""
    k = to_px_per_mm / from_px_per_mm
    # frame coordinate u = mm*ppm - 0.5  ->  u' = (u + 0.5) * k - 0.5
    s = np.array([[k, 0, 0.5 * k - 0.5], [0, k, 0.5 * k - 0.5], [0, 0, 1]], dtype=np.float64)
    return s @ homography
