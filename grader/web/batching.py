"""Group a batch of photos into sheets: one group per trainee, pages in order.

Photos are grouped by file name first: ``017_1.jpg`` and ``017_2.jpg``,
``budi-hal1.jpg`` and ``budi-hal2.jpg``, ``siti (1).jpg`` and ``siti (2).jpg``
are one trainee's two pages. After grading, single-page sheets of the same
trainee (by the QR's trainee id) are merged (see :func:`merge_candidates`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath

PAGE_SUFFIX_RE = re.compile(
    r"^(?P<stem>.*?)(?:[\s_.\-]*(?:\(\s*(?P<paren>[12])\s*\))"
    r"|[\s_.\-]+(?:p|pg|hal|halaman|page|lembar|lbr)?[\s_.\-]*(?P<sep>[12])"
    r"|(?:p|pg|hal|halaman|page|lembar|lbr)[\s_.\-]*(?P<word>[12]))$", re.IGNORECASE)
MAX_PAGES = 2


@dataclass
class PhotoGroup:
    key: str                                   # normalised stem, shown as the trainee when nothing better is known
    files: list[tuple[str, bytes]] = field(default_factory=list)


def split_page(filename: str) -> tuple[str, int | None]:
    """``("budi", 2)`` for ``Budi_hal2.JPG``; ``(stem, None)`` when the name carries no page number."""
    stem = PurePosixPath(filename.replace("\\", "/")).stem.strip()
    m = PAGE_SUFFIX_RE.match(stem)
    if m and m["stem"].strip(" _.-"):
        page = m["paren"] or m["sep"] or m["word"]
        return m["stem"].strip(" _.-").lower(), int(page)
    return stem.lower(), None


def group_by_filename(files: list[tuple[str, bytes]]) -> list[PhotoGroup]:
    """Groups of at most two photos, pages in order; a name without a page number is its own group."""
    groups: dict[str, PhotoGroup] = {}
    order: list[str] = []
    for name, data in files:
        stem, page = split_page(name)
        key = stem if page is not None else f"{stem}\x00{len(order)}"
        if key not in groups or len(groups[key].files) >= MAX_PAGES:
            if key in groups:
                key = f"{key}\x00{len(order)}"
            groups[key] = PhotoGroup(stem)
            order.append(key)
        groups[key].files.append((name, data))
    out = []
    for k in order:
        g = groups[k]
        g.files.sort(key=lambda f: split_page(f[0])[1] or 0)
        out.append(g)
    return out


def merge_candidates(rows: list[dict]) -> list[list[dict]]:
    """Sets of single-page sheets of one trainee (same exercise and QR trainee id, different pages).

    ``rows`` are dicts with ``id``, ``exercise``, ``trainee``, ``identity_source`` and ``pages`` (the page
    numbers the pipeline recognised). Returns lists of at least two rows whose pages do not overlap.
    """
    by_trainee: dict[tuple, list[dict]] = {}
    for r in rows:
        if r.get("identity_source") != "qr" or not r.get("trainee") or len(r.get("pages") or []) != 1:
            continue
        by_trainee.setdefault((r.get("exercise"), r["trainee"]), []).append(r)
    out = []
    for group in by_trainee.values():
        pages = [r["pages"][0] for r in group]
        if len(group) == 2 and len(set(pages)) == 2 and None not in pages:
            out.append(sorted(group, key=lambda r: r["pages"][0]))
    return out
