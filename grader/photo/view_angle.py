"""How far from straight above a photo of the sheet was taken, from where its page lies in the photo.

A sheet photographed from a steep angle (a trainee seated at a table, the phone held before the eyes: 60-80
degrees from straight above, beyond the ~30 the reader is built for) has its far edge shrunk and, past the lens's
depth of field, blurred: it is refused as blurred, glared, its markers or QR not found, and those words ("hold
the phone steady", "avoid the lamp", "make all four corner squares visible") send the trainee back to the same
angle (helper-165: 11 of 35 such photos). Where the page's place in the photo is known well enough to tell the
angle, :func:`view_angle_deg` says it, and a refusal of :data:`STEEP_REASONS` becomes ``steep_angle``, whose words
say to hold the phone straight above the sheet. Only the words of a refused photo change; nothing read is refused.
"""
from __future__ import annotations

import cv2
import numpy as np

#: A phone main camera's focal length, in shares of the photo's long side (26 mm equivalent: 0.7-0.9 across phones).
#: A photo shrunk by a chat app keeps the share; a crop would not (its angle then reads steeper than it was).
FOCAL_SHARE = 0.78
#: From this many degrees off straight above, a refusal of :data:`STEEP_REASONS` is said to be the angle's. The
#: reader is built for 30; development photos (synth, tilt at most 30, focal share 0.7-0.9) measure within 5 degrees
#: of their tilt from their markers (80 of dev21: at most 31), photos at 60-80 degrees mostly 50 or more, some
#: (their page shifted off the lens's centre, as a crop does) 43-49: 45 leaves room on both sides.
STEEP_DEG = 45.0
#: The refusals a steep angle causes and whose words would send the trainee back to the same angle: the far edge
#: blurred (out of the depth of field), squeezed (markers, QR, header unreadable) or catching a lamp's reflection;
#: and the whole page squeezed into a trapezoid too small in the frame (``sheet_too_small``, "move closer": of 16
#: generated photos at 62-72 degrees, rehearsal helper-199, three were refused so, their angle measured 62-83 from
#: their markers, and moving closer at that angle squeezes the far side as much); and a far corner's marker called
#: covered (``corner_covered``, "move what lies over it": a fourth of the same photos was, at 67.5 degrees; three
#: markers extrapolate its place worst at such an angle, and a squeezed, blurred marker is not found where it is).
STEEP_REASONS = frozenset({"too_blurry", "glare", "markers_not_found", "sheet_unidentified", "sheet_too_small",
                           "corner_covered"})


def view_angle_deg(points_mm: np.ndarray, points_px: np.ndarray, frame_size: tuple[int, int]) -> float | None:
    """Degrees between the camera's axis and the page's normal (0: straight above), or None if not known.

    Parameters
    ----------
    points_mm : (n, 2) points of the page, in millimetres, at least four not on one line (the corners of two
        markers, or of the page as its fit puts them).
    points_px : (n, 2) where they are in the photo, pixels.
    frame_size : the photo's (width, height); the principal point is taken at its centre and the focal length as
        :data:`FOCAL_SHARE` of its long side.
    """
    src = np.asarray(points_mm, np.float64).reshape(-1, 2)
    dst = np.asarray(points_px, np.float64).reshape(-1, 2)
    if len(src) < 4 or len(src) != len(dst):
        return None
    H, _ = cv2.findHomography(src, dst, 0)
    if H is None or not np.all(np.isfinite(H)):
        return None
    w, h = frame_size
    f = FOCAL_SHARE * max(w, h)
    K_inv = np.linalg.inv(np.array([[f, 0, (w - 1) / 2], [0, f, (h - 1) / 2], [0, 0, 1]]))
    m = K_inv @ H
    r1, r2 = m[:, 0], m[:, 1]
    n1, n2 = np.linalg.norm(r1), np.linalg.norm(r2)
    if n1 == 0 or n2 == 0:
        return None
    normal = np.cross(r1 / n1, r2 / n2)
    norm = np.linalg.norm(normal)
    if norm < 1e-9:
        return None
    return float(np.degrees(np.arccos(min(1.0, abs(normal[2]) / norm))))


def steep(angle: float | None) -> bool:
    """Whether ``angle`` (:func:`view_angle_deg`) is steep enough to name as a refusal's cause."""
    return angle is not None and angle >= STEEP_DEG
