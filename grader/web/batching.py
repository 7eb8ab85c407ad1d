"""Group a batch of photos into sheets: one group per trainee, pages in order.

Photos are grouped by file name first: ``017_1.jpg`` and ``017_2.jpg``,
``budi-hal1.jpg`` and ``budi-hal2.jpg``, ``siti (1).jpg`` and ``siti (2).jpg``,
``eko.jpg`` and ``eko_2.jpg`` are one trainee's two pages. After grading, single-page sheets of the same
trainee (by the QR's trainee id or the number written on the sheet) are merged (see :func:`merge_candidates`).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import PurePosixPath

from grader.file_names import (MAX_PAGES, named_pages, page_copied, split_page, trainee_folders,
                                trainee_from_filename)
from grader.page_groups import PageEvidence, group_pages, normalise_id, page_number_evidence


@dataclass
class PhotoGroup:
    key: str                                   # the file's stem as named, shown when nothing better is known
    files: list[tuple[str, bytes]] = field(default_factory=list)
    positions: list[int] = field(default_factory=list)     # each file's place in the list grouped


def group_by_filename(files: list[tuple[str, bytes]], folders: list[str] | None = None) -> list[PhotoGroup]:
    """Groups of at most two photos but for a copy of a page the group holds (``Budi_p2 (1).jpg`` beside ``Budi_p1``
    and ``Budi_p2``: that page again, as ``grader grade`` reads it), pages in order; a name without a page number is
    its own group, unless it is the one such name beside the one name of its stem with a page number (``eko.jpg``
    and ``eko_2.jpg``: :func:`grader.file_names.named_pages`, as ``grader grade`` reads them). Each group says where
    its photos stand in ``files`` (``positions``).

    ``folders`` (one per file: the zip and folder it came from) keep names of different zips and folders apart.
    A folder per trainee names the photos in it whose own names name nobody, and holds them together
    (``kelas/Andi/IMG-…-WA0006.jpg`` and ``…-WA0007.jpg`` are Andi's two pages: :func:`trainee_folders`).
    """
    groups: dict[str, PhotoGroup] = {}
    order: list[str] = []
    folders = folders or [""] * len(files)
    names = [n for n, _ in files]
    page_of: list[int] = []
    by_folder = trainee_folders([(_upload_of(place, name), name) for place, name in zip(folders, names)])
    for i, ((name, data), named) in enumerate(zip(files, named_pages(list(zip(folders, names))))):
        stem = split_page(name)[0]
        if named is not None:
            key = f"{named[0]}\x00{named[1]}"
        elif by_folder[i]:
            key = f"{folders[i]}\x00\x00folder"     # (a folder holds at most a sheet's pages: trainee_folders)
        else:
            key = f"{stem}\x00{len(order)}"
        full = key in groups and len(groups[key].files) >= MAX_PAGES
        if full and named is not None and page_copied(name) and named[2] in {page_of[p] for p in groups[key].positions}:
            # a copy of a page its group holds ("Budi_p2 (1).jpg" beside Budi_p1.jpg and a blurred Budi_p2.jpg, a
            # second download or a retake): that page again, in that sheet, as grader grade reads it (the last photo
            # of a page is graded); not a one-page sheet of its own, a second half of the trainee's (helper-178)
            full = False
        if key not in groups or full:
            if key in groups:
                key = f"{key}\x00{len(order)}"
            # (a name that is only a page, kelas/Lestari/hal1.jpg, or that names nobody, kelas/Andi/foto.jpg, is
            # labelled by its folder, as grader grade does)
            groups[key] = PhotoGroup(by_folder[i] or trainee_from_filename(name)
                                     or split_page(name, keep_case=True)[0])
            order.append(key)
        groups[key].files.append((name, data))
        groups[key].positions.append(i)
        page_of.append(named[2] if named else 0)
    out = []
    for k in order:
        g = groups[k]
        paged = sorted(zip(g.positions, g.files), key=lambda pf: page_of[pf[0]])
        out.append(PhotoGroup(g.key, [f for _, f in paged], [p for p, _ in paged]))
    return out


def _upload_of(place: str, name: str) -> str:
    """The upload a photo came in (its zip, or the loose files of one sending), from its place (the zip and the
    folder in it, :func:`grader.web.trainer.batch_files.collect_photos`) less the folder its name gives."""
    folder = str(PurePosixPath(name.replace("\\", "/")).parent)
    return place[:-len(folder)] if place.endswith(folder) else place


#: A single page's ``identity_source`` in the merge step when a trainer typed its trainee number
#: (:func:`grader.web.page_merge.merge_after_numbering`).
TYPED_BY_TRAINER = "trainer"


def is_named(row: dict) -> bool:
    """Whether a single page's trainee is named by its QR, by its number read firmly, or by a number a trainer typed
    (strong evidence)."""
    return row.get("identity_source") in ("qr", "trainee_number", TYPED_BY_TRAINER)


def merge_candidates(rows: list[dict], *, repeats: bool = False) -> list[list[dict]]:
    """Pairs of single-page sheets that are one trainee's page 1 and page 2, by the same evidence and rules as
    ``grader grade`` (:mod:`grader.page_groups`): the QR's trainee or the number written on the sheet, read
    firmly (``"027"`` written is QR ``27``), or else an unsure number that only these two pages show. Chat
    exports carry no page numbers in their file names, and a class printed without a roster has no trainee in
    its QR, so the written number is what pairs their pages. A file name is evidence here only where the batch's
    file names paired two pages that two sendings of it stored (``budi_1.jpg`` stored, and the form sent again
    after a failure with ``budi_2.jpg`` added): as file names do, that pairs them unless what is read contradicts.

    ``rows`` are dicts with ``id``, ``exercise``, ``trainee``, ``identity_source``, ``pages`` (the page numbers
    the pipeline recognised) and optionally ``trainee_number`` (the page's number read unsure, as the result's
    pages hold it: ``value``, ``status``, ``sure``) and ``pairs_with`` (the id of the page stored before that the
    file names pair this one with). Returns the groups
    that make a whole sheet (page 1 and page 2), pages in order. A page photographed twice by a trainee whom
    the QR or a firm number names goes into the group too: grading says which photo it took, as ``grader
    grade`` does (``duplicate_page``); weaker evidence never joins a page twice. With ``repeats`` (the pages of
    one batch), such a trainee's page photographed twice is one sheet even with no other page, as in ``grader
    grade``: not two sheets of one trainee, each said to miss the other page. Across batches it is not: a page
    sent again later is a retake, which grading must not be the photo it leaves out.
    """
    singles = [r for r in rows if len(r.get("pages") or []) == 1 and r["pages"][0] is not None]
    ids = {r["id"] for r in singles}
    # a page sent later and the page its file name pairs it with share a key, as file names in one sending do
    # (the page stored first names the key; a page always pairs with one stored before it)
    link = {r["id"]: r["pairs_with"] for r in singles if r.get("pairs_with") in ids}
    linked = set(link) | set(link.values())

    def first_stored(i: int) -> int:
        while i in link:
            i = link[i]
        return i

    def evidence(r: dict) -> PageEvidence:
        said = ({"trainee": normalise_id(r.get("trainee"))} if is_named(r)
                else page_number_evidence(r.get("trainee_number")))
        file_key = ("sent again", str(first_stored(r["id"]))) if r["id"] in linked else None
        return PageEvidence(page=r["pages"][0], exercise=r.get("exercise"), file_key=file_key, **said)

    out = []
    for group in group_pages([evidence(r) for r in singles]):
        sheet = sorted((singles[i] for i in group), key=lambda r: r["pages"][0])
        pages = [r["pages"][0] for r in sheet]
        # a number a trainer typed joins only a page its sheet lacks: typed for another trainee's sheet by a slip of
        # the keyboard, it must not hide that sheet as a page photographed again (helper-147's 039 for X44)
        if any(r.get("identity_source") == TYPED_BY_TRAINER for r in sheet):
            whole = pages == [1, 2]
        else:
            whole = len(sheet) >= 2 and (set(pages) == {1, 2} or repeats)
        if whole:
            out.append(sheet)
    return out
