"""The other side of a sheet printed on both sides, showing through the paper (``grader synth --show-through``).

A trainer saving paper prints page 1 on the front of one paper and page 2 on its back. Held on a table and
photographed, the back's print and the trainee's writing on it show through, mirrored left-right (a portrait
sheet printed duplex turns about its long edge), spread a little by the paper and faint.

:func:`show_through` lays the back's filled page over the front's as such a darkening, on the paper as it is
filled (before the camera model): the back is mirrored about the paper's centre (both sides are the same
paper, ``page.width_mm`` wide, so the template's geometry decides where each back mark falls), blurred by
:data:`PAPER_DIFFUSION_MM`, and multiplied into the front with ``strength`` the darkening a solid black back
mark causes (0.1: the paper behind it 10 % darker).
"""
from __future__ import annotations

import cv2
import numpy as np

#: Sigma of the blur the paper's fibres give the back's marks seen through it.
PAPER_DIFFUSION_MM = 0.3


def show_through(front: np.ndarray, back: np.ndarray, *, strength: float, px_per_mm: float,
                 back_paper_rgb) -> np.ndarray:
    """The front page with the back page showing through it.

    Parameters
    ----------
    front, back : uint8 RGB pages of one paper, as filled (:class:`grader.synth.fill.FilledPage`), the same size.
    strength : darkening of the front where the back is solid black, 0 (none) .. 1.
    px_per_mm : the pages' resolution (the blur is in paper millimetres).
    back_paper_rgb : the back's paper colour, 0..1 per channel: what is paper there shows nothing through.

    Returns
    -------
    A new uint8 RGB page; ``front`` itself when ``strength`` is 0.
    """
    if front.shape != back.shape or front.ndim != 3 or front.shape[2] != 3:
        raise ValueError(f"front and back must be RGB pages of one size, got {front.shape} and {back.shape}")
    if not 0.0 <= strength <= 1.0:
        raise ValueError(f"strength is a share between 0 and 1, got {strength}")
    if strength == 0:
        return front
    paper = np.asarray(back_paper_rgb, np.float32).reshape(1, 1, 3) * 255.0
    # what the back's marks take from the light, 0 on bare paper .. 1 under solid black
    absorbed = 1.0 - np.minimum(back.astype(np.float32) / paper, 1.0)
    absorbed = cv2.flip(absorbed, 1)                      # seen from the front: mirrored about the paper's centre
    absorbed = cv2.GaussianBlur(absorbed, (0, 0), PAPER_DIFFUSION_MM * px_per_mm)
    out = front.astype(np.float32) * (1.0 - strength * absorbed)
    return np.clip(out + 0.5, 0, 255).astype(np.uint8)
