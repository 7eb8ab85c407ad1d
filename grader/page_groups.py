"""Which photos of a batch are one trainee's sheet.

A batch (a folder, a class's chat export) mixes many trainees' pages. The evidence that two photos belong
together, strongest first:

1. the same trainee: the personalised QR's trainee, else the trainee number written on the sheet and read
   firmly (a page whose QR names a trainee is that trainee's, whatever number is written on it);
2. the same file name with a page number (``budi_p1`` / ``Budi-hal2``, as the web batch reads them), within
   one folder or zip: two chat exports both hold ``IMG-…-WA0001.jpg``, and those are not one trainee's, and a
   name without a page number (``Foto 12``) says nothing, but for ``eko.jpg`` beside ``eko_2.jpg`` (the one
   name of its stem with a page number: :func:`grader.file_names.named_pages`);
3. the same trainee number where it was not read firmly (the number the pixels favour).

Strong evidence (1) joins pages outright, one sheet per trainee and exercise, except photos named plainly as two
sheets' pages (``s0013-p1`` and ``s0064-p2``): a number read alike on two named sheets is a misread or two trainees
who wrote one number, and those pages stay with their names' sheets (not a QR's pages, which no page repeats: a QR is
neither; ``eka_p2``, a photo of Dewi's page 2, joins Dewi's ``dewi_p1``). Weaker evidence joins groups only
when nothing contradicts it: one exercise, one trainee by every number read on them (firm or unsure), and no
page twice. A firm number contradicts any other; two unsure ones contradict unless they differ in one box only,
which one of them read unsure: ``063`` read with its last box unsure and ``069`` named as one sheet's two pages are
one trainee (one misread box is the likelier story than file names that lie), ``068`` read surely there is not, and
neither is a firm ``063`` when the names are a download's count (``C.Hasil (1).jpg`` / ``(2)`` may be two trainees'
downloads). Names that say their pages plainly (``budi_p1`` / ``budi_p2``, ``017_1``) do pair a firm ``037`` with
a ``057`` whose middle box was read unsure: a person named them as one sheet's pages. An unsure
number (3) joins all the photos that show it, or none: if they hold a page twice, one of
them is misread, and which one cannot be told, so they stay apart (a partial sheet, never a mixed one). This
module sees only the evidence, never the photos, so it is tested on hand-made cases.
"""
from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

NUMBER_CHARS = set("0123456789?")


@dataclass(frozen=True)
class PageEvidence:
    """What one photo says about whose sheet it is. Trainee ids are normalised (``"027"`` and ``"27"`` match)."""

    page: int | None = None              # the page it shows, when it was read
    exercise: str | None = None          # the exercise its QR names
    trainee: str | None = None           # QR trainee, else the firmly read trainee number
    trainee_guess: str | None = None     # the trainee number the pixels favour, read unsure
    trainee_sure: str | None = None      # that number's boxes as read surely, "?" where unsure ("06?")
    file_key: tuple[str, str] | None = None   # (folder or zip, file name without its page suffix)
    named_page: bool = False             # that name says its page plainly ("budi_p1"), not as a download's "(1)"
    by_qr: bool = False                  # ``trainee`` is the personalised QR's, not a number read


def normalise_id(text: str | None) -> str | None:
    """A trainee id for comparing: numbers without leading zeros, names in one case and spacing."""
    if text is None:
        return None
    t = " ".join(str(text).split()).casefold()
    if t.isascii() and t.isdigit():
        return t.lstrip("0") or "0"     # (no int(): Python refuses one past 4,300 digits, a zip member's name may not)
    return t or None


def number_text(value: int | str) -> str:
    """A trainee number as the sheet's three boxes hold it ("081"), read there (81) or carried by a QR ("81", as
    the roster had it); any other id as it is. The same trainee was "081" on one sheet and "81" on their
    personalised retake: two rows and two feedback files in a CLI batch, a name that changed in the web's exports
    (helper-141)."""
    text = str(value).strip()
    digits = text.lstrip("0") if text.isascii() and text.isdigit() else None
    return digits.rjust(3, "0") if digits is not None and len(digits) <= 3 else text


def trainee_order(text: str | None) -> tuple:
    """Sort key for trainees as a class list runs: numbers in number order (4, 9, 69, 104; "081" as 81), then names
    in letter order, then sheets that name nobody."""
    t = normalise_id(text)
    if t is None:
        return (2, 0, "")
    # (a number without leading zeros: its length, then its digits, is its number's order)
    return (0, len(t), t) if t.isascii() and t.isdigit() else (1, 0, t)   # ("²".isdigit() too)


def number_evidence(value, status: str | None, sure: str | None = None) -> dict:
    """``trainee``, ``trainee_guess`` and ``trainee_sure`` (:class:`PageEvidence` fields) from the trainee number
    read on a page: firm when read ``ok``; a guess, with the digits read surely (``sure``, as
    :func:`grader.pipeline.sure_digits` gives them), when in ``review``; nothing otherwise."""
    number = normalise_id(None if value is None else str(value))
    if status == "ok":
        return {"trainee": number}
    if status == "review":
        return {"trainee_guess": number, "trainee_sure": sure}
    return {}


def page_number_evidence(number: dict | None) -> dict:
    """:func:`number_evidence` of a trainee number as a result's page holds it (``value``, ``status``, ``sure``)."""
    number = number or {}
    return number_evidence(number.get("value"), number.get("status"), number.get("sure"))


def may_be_one(a: tuple[str, str | None], b: tuple[str, str | None]) -> bool:
    """Whether two trainee numbers read unsure, each ``(number, boxes as read surely)`` as in
    :class:`PageEvidence`, may name one trainee: equal, or differing in one box only, which one of them read unsure
    (``63`` as ``06?`` and ``69``: one misread box). Two differing boxes, or a differing box read surely on both,
    are two trainees."""
    (va, sa), (vb, sb) = a, b
    if va == vb:
        return True
    if not (sa and sb) or not set(va + vb + sa + sb) <= NUMBER_CHARS:
        return False
    w = max(map(len, (va, vb, sa, sb)))
    va, vb, sa, sb = (x.rjust(w, "0") for x in (va, vb, sa, sb))
    differ = [k for k in range(w) if va[k] != vb[k]]
    return len(differ) == 1 and "?" in (sa[differ[0]], sb[differ[0]])


def group_pages(evidence: list[PageEvidence]) -> list[list[int]]:
    """Indices of ``evidence`` grouped into sheets, each group and the groups in the order first seen."""
    parent = list(range(len(evidence)))
    members = {i: [i] for i in range(len(evidence))}

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def values(roots: set[int], attr: str) -> list:
        return [getattr(evidence[i], attr) for r in roots for i in members[r] if getattr(evidence[i], attr) is not None]

    def one_sheet(roots: set[int], *, strong: bool = False, named: bool = False) -> bool:
        """Whether these groups can be one trainee's one sheet: one exercise, and (unless a QR or a firm
        number already says so) one trainee, by any number read, and no page twice. ``named``: file names that say
        their pages plainly pair them, and a firm number admits an unsure one that may be it (:func:`may_be_one`)."""
        if len(set(values(roots, "exercise"))) > 1:
            return False
        if strong:
            return not named_as_two_sheets(roots)
        # (a page twice within one group is a retake of one trainee's page, said later as duplicate_page)
        pages = [p for r in roots for p in set(values({r}, "page"))]
        firm = set(values(roots, "trainee"))
        guesses = {(evidence[i].trainee_guess, evidence[i].trainee_sure) for r in roots for i in members[r]
                   if evidence[i].trainee_guess}
        # a firm number admits only itself; unsure ones may differ by one box read unsure (may_be_one)
        agree = (len(firm) <= 1
                 and all(g == n or (named and may_be_one((n, n), (g, sure))) for n in firm for g, sure in guesses)
                 and all(may_be_one(a, b) for a, b in combinations(guesses, 2)))
        return agree and len(pages) == len(set(pages))

    def named_as_two_sheets(roots: set[int]) -> bool:
        """Whether two of these groups hold photos named plainly as two sheets' pages (``s0013-p1``, ``s0064-p2``):
        two trainees' pages, one of whose numbers is misread (or both wrote one number), so a firm number does not
        join them (a partial sheet, never a mixed one). Generated classes (h42a, seeds 4211 and 4212, 80 sheets each):
        9 and 7 sheets were graded mixed, with 13 and 10 pages refused as duplicates; none after.

        Not where a personalised sheet's QR names the trainee on every page that names one and no page repeats: a QR
        is neither misread nor two trainees', so such names are one sheet's photos named by two people. Dewi's
        ``dewi_p1`` and the ``eka_p2`` Eka took of Dewi's page 2 were two half sheets of Dewi's (helper-184's
        rehearsal of helper-182's finding). Two of one trainee's sheets (two attempts) repeat a page, and stay
        apart."""
        named = [{evidence[i].file_key for i in members[r]
                  if evidence[i].named_page and evidence[i].page is not None and evidence[i].file_key} for r in roots]
        if not any(ka != kb for a, b in combinations(named, 2) for ka in a for kb in b):
            return False
        pages = [p for r in roots for p in set(values({r}, "page"))]
        by_qr = all(evidence[i].by_qr for r in roots for i in members[r] if evidence[i].trainee is not None)
        return not (by_qr and len(pages) == len(set(pages)))

    def join(roots: set[int]) -> None:
        first, *rest = sorted(roots)               # the earliest photo's group absorbs the others
        for r in rest:
            parent[r] = first
            members[first] += members.pop(r)

    def same(key) -> dict:
        """Indices by ``key(evidence)``, where it is not None."""
        found: dict = {}
        for i, e in enumerate(evidence):
            if key(e) is not None:
                found.setdefault(key(e), []).append(i)
        return found

    named_sheets = same(lambda e: e.file_key if e.named_page else None).values()
    for pages in same(lambda e: e.trainee).values():          # 1. the same QR trainee or firmly read number
        # first the photos named plainly as one sheet's pages, whose names and number agree: then another sheet's
        # page that shows (or is misread as) the same number finds that sheet whole, and is kept apart from it
        # (named_as_two_sheets); so a named photo has joined its mates before the loop below
        for mates in named_sheets:
            mates = [i for i in mates if i in pages]
            for i in mates[1:]:
                if root(i) != root(mates[0]) and one_sheet({root(mates[0]), root(i)}, strong=True):
                    join({root(mates[0]), root(i)})
        for i in pages[1:]:
            roots = {root(j) for j in pages[:pages.index(i) + 1]}
            # the first group of this trainee that this photo fits (one trainee may do two exercises)
            fit = next((r for r in sorted(roots) if r != root(i) and one_sheet({r, root(i)}, strong=True)), None)
            if fit is not None:
                join({fit, root(i)})
    for pages in same(lambda e: e.file_key).values():         # 2. the same file name, in the same folder or zip
        for i in pages[1:]:
            fit = next((root(j) for j in pages[:pages.index(i)] if root(j) != root(i)
                        and one_sheet({root(j), root(i)}, named=evidence[i].named_page and evidence[j].named_page)),
                       None)
            if fit is not None:
                join({fit, root(i)})
    # 3. an unsure number: only where it is unambiguous, within one exercise (a trainee may do two)
    firm = same(lambda e: (e.trainee, e.exercise) if e.trainee is not None else None)
    for number, pages in same(lambda e: (e.trainee_guess, e.exercise) if e.trainee_guess is not None else None).items():
        roots = {root(i) for i in pages + firm.get(number, [])}
        if len(roots) > 1 and one_sheet(roots):
            join(roots)
    return [sorted(m) for _, m in sorted(members.items())]
