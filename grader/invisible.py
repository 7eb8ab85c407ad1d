"""Characters that show nothing, or turn what follows around, in text people type or paste: control characters,
and the invisible format ones a paste from a chat app or a spreadsheet brings (zero-width spaces and joiners,
direction marks and overrides, the BOM). In a name they make an invisible trainee, or one shown backwards; in a
code, one that looks right and is not found."""
from __future__ import annotations

import re

INVISIBLE_RE = re.compile("[\x00-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064"
                          "\u2066-\u206f\ufeff\ufff9-\ufffb]")


def visible_words(text: str | None) -> str:
    """``text`` without invisible characters (each one a space), its words joined by single spaces."""
    return " ".join(INVISIBLE_RE.sub(" ", text or "").split())
