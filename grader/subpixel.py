"""Sub-pixel refinement of a sampled extremum: the one parabola every measurement uses."""
from __future__ import annotations

import numpy as np


def parabola_offset(f0: np.ndarray, f1: np.ndarray, f2: np.ndarray, *, extremum: str, limit: float) -> np.ndarray:
    """Offset from the middle sample to the vertex of the parabola through ``(-1, f0), (0, f1), (1, f2)``.

    Only where the three samples bend the way ``extremum`` (``"max"`` or ``"min"``) says; elsewhere (a flat
    or wrongly bent neighbourhood) the offset is 0. Clipped to ``±limit`` samples.
    """
    if extremum not in ("max", "min"):
        raise ValueError(f"extremum must be 'max' or 'min', not {extremum!r}")
    den = f0 - 2 * f1 + f2
    bends = den < 0 if extremum == "max" else den > 0
    frac = np.where(bends, 0.5 * (f0 - f2) / np.where(bends, den, 1.0), 0.0)
    return np.clip(frac, -limit, limit)
