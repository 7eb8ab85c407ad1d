"""What an empty bubble shows: its small printed digit, whose ink differs from digit to digit (an "8" is darker
than a "1"), so that only ink standing out from that expectation counts as a fill."""
from __future__ import annotations

import functools

import numpy as np

from grader.order_stats import median, percentile


@functools.lru_cache(maxsize=8)
def printed_digit_ink(d_px: float, n: int = 10, *, inner: float = 0.7) -> np.ndarray:
    """Relative amount of printed ink of the small digits 0..n-1 inside a bubble's measured disk.

    Drawn with the same shipped font and proportions the sheet renderer uses,
    so the reader can expect a "8" to look darker than a "1" when both are empty.
    """
    from PIL import Image, ImageDraw

    from grader.sheet.render import font

    size = int(round(d_px)) * 4 + 1
    c = size // 2
    yy, xx = np.mgrid[0:size, 0:size]
    disk = np.hypot(yy - c, xx - c) <= d_px * 2 * inner
    out = np.zeros(n)
    for k in range(n):
        img = Image.new("L", (size, size), 0)
        ImageDraw.Draw(img).text((c, c), str(k), fill=255, anchor="mm", font=font(int(round(d_px * 4 * 0.62))))
        out[k] = np.asarray(img, np.float64)[disk].sum() / 255.0
    return out / max(out.mean(), 1e-9)


def empty_bubble_scores(raw: np.ndarray, *, d_px: float) -> np.ndarray:
    """Fill scores: raw darkness minus what an empty bubble with that printed digit would show.

    Per column a level, shared by the field a gain on the printed digit's ink,
    fitted on the bubbles that look empty (the few darkest are left out).
    """
    glyph = printed_digit_ink(round(d_px, 2), raw.shape[1])
    level = median(raw, axis=1, keepdims=True)
    resid = raw - level
    keep = resid < np.minimum(0.04, percentile(resid, 75) + 0.02)
    g = np.broadcast_to(glyph - glyph.mean(), raw.shape)
    denom = float((g[keep] ** 2).sum())
    gain = float((g[keep] * resid[keep]).sum() / denom) if denom > 0 else 0.0
    gain = max(gain, 0.0)
    base = raw - gain * g
    return base - median(base, axis=1, keepdims=True)
