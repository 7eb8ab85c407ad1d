"""A number typed as its boxes are written: a trainer's correction (on the web or in a corrections file for
``grader grade``) and a trainee's dispute."""
from __future__ import annotations

import re

# typed as the form is written: X or a dash fills the unused leading boxes ("X47", "-47" are 47, "XXX" is 0)
VALUE_RE = re.compile(r"^[x\-–]{0,3}(\d{0,4})$")
BLANK_WORDS = {"", "kosong", "blank"}


def parse_value(text: str | None) -> tuple[bool, int | None]:
    """What a number typed as its boxes are written means: ``(ok, value)``: ``47``, ``X47``, ``-47`` -> 47; ``XXX``
    or ``---`` -> 0; empty or ``kosong`` -> None (a blank field)."""
    t = (text or "").strip().lower()
    if t in BLANK_WORDS:
        return True, None
    m = VALUE_RE.match(t)
    if m:
        return True, int(m.group(1) or 0)
    return False, None
