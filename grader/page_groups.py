"""Which photos of a batch are one trainee's sheet.

A batch (a folder, a class's chat export) mixes many trainees' pages. The evidence that two photos belong
together, strongest first:

1. the same trainee: the personalised QR's trainee, else the trainee number written on the sheet and read
   firmly (a page whose QR names a trainee is that trainee's, whatever number is written on it);
2. the same file name without its page suffix (``budi_p1`` / ``budi_p2``), within one folder or zip: two chat
   exports both hold ``IMG-…-WA0001.jpg``, and those are not one trainee's;
3. the same trainee number where it was not read firmly (the number the pixels favour).

Strong evidence (1) joins pages outright. Weaker evidence joins two groups only when nothing contradicts it:
no two trainees and no two exercises in one group. An unsure number (3) also needs the two groups' pages to
complement each other (page 1 with page 2), so that a misread number cannot merge two trainees' sheets. This
module sees only the evidence, never the photos, so it is tested on hand-made cases.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PageEvidence:
    """What one photo says about whose sheet it is. Trainee ids are normalised (``"027"`` and ``"27"`` match)."""

    page: int | None = None              # the page it shows, when it was read
    exercise: str | None = None          # the exercise its QR names
    trainee: str | None = None           # QR trainee, else the firmly read trainee number
    trainee_guess: str | None = None     # the trainee number the pixels favour, read unsure
    file_key: tuple[str, str] | None = None   # (folder or zip, file name without its page suffix)


def normalise_id(text: str | None) -> str | None:
    """A trainee id for comparing: numbers without leading zeros, names in one case and spacing."""
    if text is None:
        return None
    t = " ".join(str(text).split()).casefold()
    if t.isascii() and t.isdigit():
        return str(int(t))
    return t or None


def group_pages(evidence: list[PageEvidence]) -> list[list[int]]:
    """Indices of ``evidence`` grouped into sheets, each group and the groups in the order first seen."""
    parent = list(range(len(evidence)))
    members = {i: [i] for i in range(len(evidence))}

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def values(r: int, attr: str) -> set:
        return {getattr(evidence[i], attr) for i in members[r]} - {None}

    def compatible(a: int, b: int, *, disjoint_pages: bool) -> bool:
        if len(values(a, "trainee") | values(b, "trainee")) > 1:
            return False
        if len(values(a, "exercise") | values(b, "exercise")) > 1:
            return False
        return not (disjoint_pages and values(a, "page") & values(b, "page"))

    def join(i: int, j: int, *, disjoint_pages: bool = False, strong: bool = False) -> bool:
        a, b = root(i), root(j)
        if a == b:
            return True
        if strong:
            if len(values(a, "exercise") | values(b, "exercise")) > 1:
                return False
        elif not compatible(a, b, disjoint_pages=disjoint_pages):
            return False
        a, b = min(a, b), max(a, b)       # the earlier photo's group absorbs the later one
        parent[b] = a
        members[a] += members.pop(b)
        return True

    def join_by(attr: str, **how) -> None:
        seen: dict = {}
        for i, e in enumerate(evidence):
            v = getattr(e, attr)
            if v is not None:
                earlier = seen.setdefault(v, [])
                any(join(j, i, **how) for j in earlier)       # the first group it fits
                earlier.append(i)

    join_by("trainee", strong=True)
    join_by("file_key")
    # an unsure number joins pages with the same unsure number, or the group of a firmly identified trainee
    for i, e in enumerate(evidence):
        if e.trainee is None and e.trainee_guess is not None:
            any(join(j, i, disjoint_pages=True) for j, o in enumerate(evidence)
                if j != i and e.trainee_guess in (o.trainee, o.trainee_guess))
    return [sorted(m) for _, m in sorted(members.items())]
