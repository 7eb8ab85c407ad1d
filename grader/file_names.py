"""What a photo's file name says: the zip it came from, its page number, and whose sheet it may be.

Names are weak evidence (:mod:`grader.page_groups`): the QR and the number written on the sheet come first.
Every reading of a file name lives here, so the CLI's labels, the batch grouping and the web batch agree.
"""
from __future__ import annotations

import re
from pathlib import PurePath, PurePosixPath

#: What a batch takes as a photo by its name (a PDF: a scanner's photos).
PHOTO_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".webp", ".heic", ".heif", ".avif", ".pdf", ".tif", ".tiff"})
# A photo read from a zip is named "kelas/chat.zip:IMG-1.jpg" (grader.batch.iter_inputs).
ZIP_MEMBER_RE = re.compile(r"^(?P<zip>.*\.zip):(?P<member>.+)$", re.IGNORECASE | re.DOTALL)
# "_p1", "-hal-2", " page 1", " (2)", "hal2": the sheet has two pages, so only 1 and 2 are page numbers.
# (A run of separators is read one way, and the stem ends before it, not inside it: "budi" and 1,000 spaces took 3 s a
# reading, cubic in the run, helper-173. The same names match, with the same stem once stripped and the same page.)
PAGE_SUFFIX_RE = re.compile(
    r"^(?P<stem>(?:.*?[^\s_.\-])??)(?:[\s_.\-]*(?:\(\s*(?P<paren>[12])\s*\))"
    r"|[\s_.\-]+(?:(?:p|pg|hal|halaman|page|lembar|lbr)[\s_.\-]*)?(?P<sep>[12])"
    r"|(?:p|pg|hal|halaman|page|lembar|lbr)[\s_.\-]*(?P<word>[12]))$", re.IGNORECASE)
MAX_PAGES = 2
# A file name that is only a page ("hal1", "p2", "lembar_1"): in a folder per trainee, the folder names the sheet.
# A chat app's sticker in a chat export ("STK-20261206-WA0003.webp"): a picture, never a photo of a sheet. Stickers
# are in nearly every class group's export; read, each was a refused "sheet" (helper-137).
CHAT_STICKER_RE = re.compile(r"^STK-\d{8}-WA\d+\.webp$", re.IGNORECASE)
BARE_PAGE_RE = re.compile(r"^(?:p|pg|hal|halaman|page|lembar|lbr)[\s_.\-]*(?P<page>[12])$", re.IGNORECASE)
# Names a phone, a chat app or a browser gives a photo (IMG-20241127-WA0006, IMG_1234, PXL_…, DSC01234,
# "WhatsApp Image 2024-11-27 at 10.15.32", 20241127_101530, "Foto 3", "image (2)"; an iPhone's WhatsApp export
# 00000012-PHOTO-2024-11-27-10-15-32, WhatsApp Web in Indonesian "Gambar WhatsApp 2024-11-27 pukul 10.15.32_…",
# scanner apps' "CamScanner 11-27-2024 10.15" and "Adobe Scan 27 Nov 2024", Android's photo picker's media id
# 1000012345), other chat apps' (Messenger's received_1234567890123456, Signal's signal-2024-11-27-101530, Telegram's
# telegram-cloud-photo-size-…, LINE's LINE_ALBUM_… and LINE_P2024…): they say nothing about whose sheet it is, and two
# trainees' phones give the same ones. So do other cameras' and apps' (GoPro's GOPR0001 and GP010001, DJI_0001, PICT0001,
# HPIM0001, a scanner's SCN_0001 or DOC_0001, an iPhone's edited IMG_E1234 and its shared photo's UUID, FB_IMG_…,
# Snapchat-…, a Mac's "Screen Shot …"), and a bare code: one letter and a counter of four digits or more (s0005, a
# sample set's or a scanner's; P1010001, Panasonic's and Olympus's), with a page or a copy's mark (helper-161: such
# sheets sat in the class table under a code no number matches, never in the list of sheets nothing names). A letter
# and three digits (P017) may be the sheet's three-box trainee number, a name the trainer chose: it still names.
# A computer's or an app's default for a file nobody named, in English or Indonesian, is no one's either: "Untitled (1)",
# "Tanpa judul", Canva's "Desain tanpa judul", Word's "Dokumen1", "Document_1", a browser's "download" and "unnamed",
# a camera's DCIM_0001, CamScanner's "New Doc 12-06-2026 10.15", a screenshot on Windows or a Mac in Indonesian
# ("Tangkapan layar …", "Cuplikan layar …", "Jepretan Layar … pukul …"); and so is a copy of any of these: Google
# Drive's "Copy of IMG_1234" ("Salinan dari …"), a Mac's "IMG_1234 copy 2", Windows' "… - Copy (2)" ("… - Salinan")
# (helper-173: each named its sheet's trainee). A word with a name after it still names: "Foto Andi", "Dokumen Budi".
# A bare "img" is a default too ("img.jpg", "img (2)": a web page's picture saved; helper-176, trainee "img").
# A device's prefix with a counter of one or two digits, "IMG_1", "DSC_12", "PXL 3", is a counter too: helper-176, they
# named trainee "IMG" (not "Sam_1"). Such a counter is no page (_page_read), nor is any default name's ("Document_2").
_COPY_OF = r"(?:(?:copy of|salinan(?: dari)?)\s+)?"
_COPIED = r"(?:\s*(?:-\s*)?(?:copy|salinan)(?:\s*\(?\d+\)?)?|\s*\(\d+\))*"     # (one way to read spaces: linear)
_PAGE_OR_COPY = r"(?:[\s_.\-]*(?:(?:p|pg|hal|halaman|page|lembar|lbr)[\s_.\-]*)?[12]|\s*\(\d+\))?"
# What a screenshot's name begins with: Android's and Windows' "Screenshot_…", a Mac's "Screen Shot …", Windows in
# Indonesian "Tangkapan layar …" and "Cuplikan layar …", a Mac in Indonesian "Jepretan Layar … pukul …".
_SCREENSHOT = r"(?:screen ?shot|tangkapan layar|cuplikan layar|jepretan layar)"
_DEVICE = r"(?:img|vid|pxl|mvimg|dsc|dscn|dscf|cimg|gopr|gp|dji|pict|hpim|scn|doc|img_e|dcim)"
CAMERA_NAME_RE = re.compile(
    r"^" + _COPY_OF + r"(?:(?:" + _DEVICE + r"|sam|wa)[-_ ]?\d{3}.*|" + _DEVICE + r"[-_ ]?\d{1,2}" + _PAGE_OR_COPY
    + r"|(?:whatsapp image|gambar whatsapp|foto whatsapp|camscanner|adobe scan|" + _SCREENSHOT + r")\b.*|new doc[\s_\-]+\d.*|\d{8}[-_ ]\d{6}.*"
    r"|received_\d+.*|signal-\d{4}-\d{2}-\d{2}.*|telegram-cloud-.*|line_(?:album_.*|p?\d{6}.*)"
    r"|\d{8}-(?:photo|video)-\d{4}-.*|1000\d{6}|fb_img_\d+.*|snapchat-\d+.*"
    r"|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
    r"|[a-z][-_]?\d{4,}" + _PAGE_OR_COPY +
    r"|(?:image|img|photo|foto|gambar|picture|pic|screenshot|scan|capture|camera|untitled(?: document| design)?"
    r"|(?:dokumen |desain )?tanpa judul|document|dokumen|download|unnamed)(?:[\s_\-(]*\d.*)?)"
    + _COPIED + r"$", re.I)


# A name a phone or a computer gives a screenshot (Android's "Screenshot_20241206-101530_WhatsApp", a Mac's "Screen Shot
# …", in Indonesian "Tangkapan layar …", "Jepretan Layar … pukul …"), or a copy's ("Copy of Screenshot_…"): the
# picture is of a screen, not the camera's photo. The names CAMERA_NAME_RE reads as a screenshot's (helper-176: a Mac's
# in Indonesian was not one here).
SCREENSHOT_NAME_RE = re.compile(r"^" + _COPY_OF + _SCREENSHOT, re.IGNORECASE)


def named_screenshot(file: str) -> bool:
    """Whether a photo's own file name (a zip's member's, without folders) is one a screenshot is given."""
    return bool(SCREENSHOT_NAME_RE.match(member_path(file).name))


def shown_name(path: str) -> str:
    """``path`` as text any output can hold (CSV, JSON, HTML): bytes of a name that are not UTF-8, which a file
    system keeps as Python's surrogate escapes, become U+FFFD, as a file manager shows them."""
    return path.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def split_member(file: str) -> tuple[str | None, str]:
    """``(zip, member)`` for a photo read from a zip, else ``(None, file)``: a folder may have a colon in its
    name, only a zip has one after ``.zip``."""
    m = ZIP_MEMBER_RE.match(file)
    return (m["zip"], m["member"]) if m else (None, file)


def member_path(file: str) -> PurePosixPath:
    """The photo's own path (inside its zip, for a zip member), with either kind of slash."""
    return PurePosixPath(split_member(file)[1].replace("\\", "/"))


def photo_name(file: str) -> str:
    """A photo as the trainee knows it: its file name, without the trainer's folders (``zip:member`` keeps the zip)."""
    container = split_member(file)[0]
    name = member_path(file).name
    return f"{member_path(container).name}:{name}" if container else name      # (the zip's name, either slash)


# A second copy's mark a phone, a browser or a file manager adds: "IMG-…-WA0006 (1).jpg", "C.Hasil (12).jpg".
COPY_MARK_RE = re.compile(r"^(?P<base>.*?) ?\((?P<n>\d+)\)(?P<suffix>\.[^.]*)?$")


def taken_order(path: PurePath) -> tuple:
    """Sort key that puts photos in the order they were taken, as far as their names tell: the last photo of a page
    is the one graded (``duplicate_page``), in a folder and in a zip alike. Phone cameras and chat apps name photos
    in time order (IMG_20261206_101112, IMG-…-WA0007), so this is name order, folder by folder, except that a
    copy's mark comes after its original and counts as a number: "x.jpg" < "x (1).jpg" < "x (2)" < "x (12)" (plain
    name order put "x (1).jpg" first, as the photo and "x.jpg" as its copy)."""
    m = COPY_MARK_RE.match(path.name)
    # (a copy's number by its length, then its digits: no int() of a run Python refuses past 4,300 digits)
    n = (m["n"].lstrip("0") or "0") if m else ""
    last = (m["base"] + (m["suffix"] or ""), len(n), n) if m else (path.name, 0, "")
    return (*((part, 0) for part in path.parent.parts), last)


def trainee_from_filename(name: str) -> str | None:
    """A trainee name from a photo's file name: ``budi_p1.jpg`` → ``budi`` (``zip:member`` names use the member);
    None for a name the camera or the chat app gave (:data:`CAMERA_NAME_RE`)."""
    member = member_path(name)
    stem = page_stem(member.name)
    if BARE_PAGE_RE.match(stem):        # "hal1" names nobody; in Budi/hal1.jpg the folder does
        return uncopied(member.parent.name) or None
    named = split_page(member.name, keep_case=True)[0]
    return None if not stem or _default_name(stem, named) else uncopied(named)


# A copy's marks before a name: Google Drive's "Copy of …", "Salinan dari …" (not "Salinan dari" alone, a name).
# ("Copy of Copy of budi": a copy's copy, as a cloud drive names it)
_COPY_OF_NAME_RE = re.compile(r"^(?:(?:copy of|salinan dari|salinan(?!\s+dari\s*$))\s+)+", re.I)


def uncopied(name: str) -> str:
    """A name less a copy's marks around it, as a file manager, a browser or a cloud drive adds them: ``eko - Copy``,
    ``eko copy 2``, ``eko - Salinan``, ``eko (3)``, ``Copy of eko`` are ``eko`` (helper-176: ``eko - Copy.jpg`` named
    trainee "eko - Copy", a copy of eko's photo: a trainee of its own beside eko.jpg's). A name that is
    only marks (``Copy``, ``Salinan dari``) stays: what names someone is unchanged, only whom. The marks stay in the
    name a photo's pages are paired by (:func:`page_stem`: ``eko (1)`` beside ``eko`` may be another trainee's
    download)."""
    copied = _COPY_MARKS_REVERSED_RE.match(name[::-1])
    bare = name[:len(name) - copied.end()].rstrip(" _-") if copied else name
    prefix = _COPY_OF_NAME_RE.match(bare)
    return bare[prefix.end() if prefix else 0:].strip() or name


def _default_name(stem: str, named: str) -> bool:
    """Whether a photo's name (its :func:`page_stem`, and ``named``, that less its page: :func:`split_page`) is one
    the camera, the chat app or the computer gave, with or without its page said: "Untitled_p2" and "Foto_p1" named
    "Untitled" and "Foto" (helper-182), since a counter after a default name is a digit and "_p2" is none."""
    return bool(CAMERA_NAME_RE.match(stem) or CAMERA_NAME_RE.match(named))


def names_nobody(name: str) -> bool:
    """Whether a photo's own file name names nobody: a name the camera or the chat app gave
    (:data:`CAMERA_NAME_RE`: ``foto``, ``IMG-…-WA0006``, ``scan 3``), or only a page (``hal1``, ``page2``)."""
    member = member_path(name)
    stem = page_stem(member.name)
    return not stem or bool(BARE_PAGE_RE.match(stem)) or _default_name(stem, split_page(member.name)[0])


# Folders a phone, a chat app or a file manager makes: they hold anyone's photos, and name nobody. So does the name a
# computer gives a new folder, in English or Indonesian: Windows' "New folder (2)" ("Folder baru"), a Mac's "untitled
# folder 2" ("folder tanpa judul"), helper-173: each named its photos' sheet "from the folder name".
MEDIA_FOLDER_RE = re.compile(
    r"^(?:photos?|images?|pictures?|pics?|fotos?|gambar|media|files?|camera|dcim|screenshots?|scans?|downloads?"
    r"|uploads?|documents?|whatsapp\b.*|telegram\b.*|chatexport.*|__macosx"
    r"|(?:new folder|folder baru|untitled folder|folder tanpa judul)(?:\s*\(\d+\)|\s+\d+)?)$", re.IGNORECASE)


def trainee_folders(entries: list[tuple[str, str]]) -> list[str | None]:
    """For ``(upload, path)`` entries, one per photo of a batch (``upload``: the zip or the loose files it came in;
    ``path``: its path there), the name of the folder that names the photo's trainee, else None.

    A photo whose own name names nobody (:func:`names_nobody`) in a folder per trainee (``kelas/Andi/foto.jpg``,
    ``kelas/Sari/IMG-…-WA0006.jpg``) is that trainee's: the folder is the better file-name identity. Not a folder
    that is the upload's root or holds all of its photos (``kelas/`` around a whole class, a folder zipped as it
    is), one that holds more photos than a sheet has pages (a wave's or a chat's photos), nor one a phone or an app
    makes (:data:`MEDIA_FOLDER_RE`).
    """
    paths = [(upload, PurePosixPath(path.replace("\\", "/")).parent.parts) for upload, path in entries]
    shared: dict[str, tuple[str, ...]] = {}
    for upload, folder in paths:
        common = shared.get(upload, folder)
        n = next((k for k, (a, b) in enumerate(zip(common, folder)) if a != b), min(len(common), len(folder)))
        shared[upload] = common[:n]
    photos_in: dict[tuple[str, tuple[str, ...]], int] = {}
    for key in paths:
        photos_in[key] = photos_in.get(key, 0) + 1
    out = []
    for (upload, folder), (_upload, path) in zip(paths, entries):
        name = folder[-1].strip() if folder else ""
        mine = (len(folder) > len(shared[upload]) and photos_in[(upload, folder)] <= MAX_PAGES and name
                and not MEDIA_FOLDER_RE.match(name) and not CAMERA_NAME_RE.match(name))
        out.append(uncopied(name) if mine and names_nobody(path) else None)     # ("Budi - Copy" is Budi's folder)
    return out


# A copy's marks after a page number said plainly leave the page in force: "budi_p2 (1)" (a browser's or WhatsApp
# Web's second download of budi_p2.jpg), "budi_1 - Copy", "budi hal 2 copy 2", "budi_p2 - Salinan" are Budi's page 2
# or 1 (helper-176: each was trainee "budi_p2", page 1, or "budi_1 - Copy", a sheet of its own); "Budi/hal2 (1)" names
# nobody, as "hal2" does (it was trainee "hal2"), and is a page of Budi's by the folder only (named_pages).
# Not after " (2)", itself a count a copy's mark may be ("eko (2) (1)"). Matched on the name reversed, from its end:
# a long name is read once.
_COPY_MARKS_REVERSED_RE = re.compile(r"(?:[\s_\-]*(?:\)\d+\(|(?:\)?\d+\(?\s*)?(?:ypoc|nanilas)(?![^\W_])))+", re.I)
# So do a copy's marks before such a name, Google Drive's "Copy of budi_p1" ("Salinan dari …"): Budi's page 1, as
# "budi_p2 - Copy" beside it is his page 2 (helper-178: they were trainee "Copy of budi"'s page 1 and Budi's page 2,
# two half sheets of one trainee). Before a name with no page, "Copy of budi", the mark stays, as "budi - Copy"'s does.
_COPY_OF_PREFIX_RE = re.compile(r"^" + _COPY_OF, re.I)


def page_stem(filename: str) -> str:
    """A photo's file name without its folders and suffix, as its page number is read (:func:`split_page`): without
    the copy's marks around a page number said plainly or a name that is only a page (``budi_p2 (1)`` →
    ``budi_p2``, ``hal1 - Copy`` → ``hal1``, ``Copy of budi_p1`` → ``budi_p1``; ``eko (1)`` and ``Copy of eko``
    stay)."""
    stem = _file_stem(filename)
    copied = _COPY_MARKS_REVERSED_RE.match(stem[::-1])
    if copied and _page_only_after(under := stem[:len(stem) - copied.end()].rstrip(" _-")):
        stem = under
    prefix = _COPY_OF_PREFIX_RE.match(stem).end()
    return stem[prefix:] if prefix and _page_only_after(stem[prefix:]) else stem


def _file_stem(filename: str) -> str:
    """A file name without its folders (either kind of slash) and suffix, as it was given."""
    return PurePosixPath(filename.replace("\\", "/")).stem.strip()


def page_copied(filename: str) -> bool:
    """Whether a photo's name carries a copy's marks around its page (``budi_p2 (1)``, ``Copy of budi_p2``), which
    :func:`page_stem` leaves out."""
    return page_stem(filename) != _file_stem(filename)


def _page_only_after(stem: str) -> bool:
    """Whether a name less a copy's marks is a page number said plainly after a name (``budi_p2``), or a page only
    (``hal1``): what a copy's marks may be taken from (:func:`page_stem`)."""
    m = PAGE_SUFFIX_RE.match(stem)
    return bool(BARE_PAGE_RE.match(stem) or (m and not m["paren"] and m["stem"].strip(" _.-")))


def _page_read(filename: str) -> tuple[str, re.Match | None]:
    """A file name's :func:`page_stem` and :data:`PAGE_SUFFIX_RE`'s match of it; None for a default name's counter
    (:func:`_a_count`), which is no page."""
    stem = page_stem(filename)
    m = PAGE_SUFFIX_RE.match(stem)
    return stem, None if m and _a_count(stem, m) else m


def _a_count(stem: str, m: re.Match) -> bool:
    """Whether the page number :data:`PAGE_SUFFIX_RE` read off ``stem`` (``m``) is a default name's counter: a bare
    number (no page word before it), the name's only one, on a name a camera, an app or a computer gives with it
    (:data:`CAMERA_NAME_RE`): ``IMG_1``, ``Document_2``, ``Untitled (2)``, ``Foto 1``, ``scan_2``. After a name
    that has its counter (``s0013_2``, ``IMG_1234_2``), a 1 or 2 was added to it, and stays a page.

    Such a counter names no page. An app counts the files it saves, not a sheet's pages: two trainees' phones each
    give ``Document_1`` and ``Document_2``, a computer ``Untitled (1)`` and ``(2)``, and a trainer's folder of them
    held Fitri's page 1 (its number read ``10?``) and Bambang's page 2 (``103``), graded as one sheet of 103's,
    where ``IMG_1`` and ``IMG_2`` were two (helper-182's finding, helper-184's rehearsal). Read as pages, the names
    pair two trainees' pages when nothing read on them says otherwise, a mixed sheet; read as counters, a scanner
    app's two pages of one sheet still join by its QR or the number written on it (:mod:`grader.page_groups`), and
    are two half sheets only where nothing names anyone: a partial sheet, never a mixed one. The page on the sheet
    is printed, and read, anyway. A page said with a word stays a page (``Untitled_p2``, ``Foto hal 1``,
    ``s0013-p1``): someone wrote it."""
    said = stem[m.end("stem"):]
    return not re.search(r"[^\W\d_]", said) and not re.search(r"\d", m["stem"]) and bool(CAMERA_NAME_RE.match(stem))


def split_page(filename: str, *, keep_case: bool = False) -> tuple[str, int | None]:
    """``("budi", 2)`` for ``Budi_hal2.JPG`` and its copy ``Budi_hal2 (1).JPG`` (``("Budi", 2)`` with ``keep_case``,
    for showing); ``(stem, None)`` when the name carries no page number."""
    stem, m = _page_read(filename)
    if m and m["stem"].strip(" _.-"):
        page = m["paren"] or m["sep"] or m["word"]
        stem, number = m["stem"].strip(" _.-"), int(page)
    else:
        number = None
    return (stem if keep_case else stem.lower()), number


def page_said_plainly(filename: str) -> bool:
    """Whether the file name says its page as a person names one (``budi_p1``, ``Budi-hal2``, ``017_2``, ``hal1``), not
    as a browser counts downloads of one name (``C.Hasil (2)``, which two trainees' sheets may share)."""
    stem, m = _page_read(filename)
    return bool(BARE_PAGE_RE.match(stem) or (m and m["stem"].strip(" _.-") and not m["paren"]))


# (The base ends before a run of separators and the number begins a run of digits: each run is read once. "budi", 20,000
# spaces and "x" took 5 s, quadratic in the run, helper-176; the same names match, with the same base and number.)
NUMBERED_RE = re.compile(r"^(?P<base>(?:.*?[^\s_.\-])??)[\s_.\-]*(?:\(\s*(?P<paren>\d+)\s*\)|(?<!\d)(?P<num>\d+))$")


def named_pages(entries: list[tuple[str, str]]) -> list[tuple[str, str, int] | None]:
    """For ``(folder or zip, file name)`` entries: ``(folder, stem, page)`` where the name carries a page number
    (:func:`split_page`), else None.

    A name whose number runs on past 2 among the names of its folder carries none: ``Foto 1`` … ``Foto 12`` or a
    browser's ``C.Hasil (1)`` … ``(6)`` are a camera's or a download's count, and ``Foto 1`` and ``Foto 2`` are
    then no more one trainee's page 1 and page 2 than ``Foto 7`` and ``Foto 8``.

    A name without a page number takes the other page of the one name of its folder and stem that has one
    (:func:`unmarked_partners`): ``eko.jpg`` beside ``eko_2.jpg`` is Eko's page 1, as a trainer names a sheet's photos.
    """
    counted = set()
    for folder, name in entries:
        m = NUMBERED_RE.match(_file_stem(name).lower())
        count = (m["paren"] or m["num"]).lstrip("0") if m else ""
        if m and (len(count) > 1 or int(count or 0) > MAX_PAGES):
            counted.add((folder, m["base"].strip(" _.-")))
    out = []
    for folder, name in entries:
        stem, page = split_page(name)
        bare = BARE_PAGE_RE.match(_file_stem(name))
        # Budi/hal1.jpg (or chat.zip:kelas/Budi/hal1.jpg): a folder per trainee names the sheet. Not a zip's root or
        # an upload's loose files (the web batch takes a zip's members without their folders): hal1.jpg there may be
        # anyone's. Nor a copy, "hal2 (1).jpg", which may be another trainee's download of "hal2.jpg": it is a page
        # of the folder's sheet only where the folder is one trainee's (trainee_folders: two photos at the most).
        if page is None and bare and re.split(r"[:/\\]", folder)[-1].strip() not in ("", "."):
            stem, page = "", int(bare["page"])
        out.append(None if page is None or (folder, stem) in counted else (folder, stem, page))
    for i, j in unmarked_partners(entries, out).items():
        out[i] = (*out[j][:2], MAX_PAGES + 1 - out[j][2])
    return out


def unmarked_partners(entries: list[tuple[str, str]], named: list[tuple[str, str, int] | None]) -> dict[int, int]:
    """For :func:`named_pages`' ``entries`` and their page numbers (``named``), the names without a page number that
    pair with one that has one, ``{unmarked: marked}``: a trainer names the first photo plainly and the second
    with a 2 (``eko.jpg`` and ``eko_2.jpg``, ``eko hal 2.jpg``, ``eko (2).jpg``), helper-171.

    Only where the pair is the one reading of the names: in one folder or zip, one name without a page number and
    one with it of the same stem (as page numbers are paired: :func:`split_page`'s, in any case), nothing else of
    that stem but copies of that one (``eko_2 (1).jpg``, a second download of ``eko_2.jpg``: :func:`page_stem`), and a name that names someone (not a camera's or a chat's, :func:`names_nobody`: two phones' or two
    chats' ``IMG_1234.jpg`` are anyone's). ``eko (1).jpg`` beside ``eko.jpg`` is not a page: it is how a browser (or
    a phone's download) names the second file of one name, which may be another trainee's ``C.Hasil.jpg``; ``eko
    (2).jpg`` is how a person numbers the second photo (a download's third name has the ``(1)`` beside it, and then
    nothing pairs). Names are weak evidence: a QR or a number read firmly that says otherwise still splits them
    (:mod:`grader.page_groups`)."""
    stems: dict[tuple[str, str], list[int]] = {}
    for i, ((folder, name), page) in enumerate(zip(entries, named)):
        stem, number = split_page(name)
        if page is not None and page[1]:
            stems.setdefault(page[:2], []).append(i)
        elif page is None and number is None and stem and not names_nobody(name):
            stems.setdefault((folder, stem), []).append(i)
    out = {}
    for found in stems.values():
        marked = [i for i in found if named[i] is not None]
        unmarked = [i for i in found if named[i] is None]
        if len(unmarked) != 1 or not marked or len({page_stem(entries[j][1]).casefold() for j in marked}) != 1:
            continue
        if all(page_said_plainly(entries[j][1]) or named[j][2] == MAX_PAGES for j in marked):
            out[unmarked[0]] = marked[0]
    return out
