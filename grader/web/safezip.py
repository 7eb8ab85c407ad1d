"""Read the photos out of an uploaded zip without trusting it.

Refused outright (the whole zip): not a zip, too many members, a total
expanded size over the limit. Skipped with a reason (the rest is kept): a
video, voice note or text by its name (:data:`NOT_PHOTOS`, not read), a
hidden photo (its name or a folder above it begins with a dot: Android's
``.trashed-…`` and ``.thumbnails/``, a photo hidden by hand), a member with
an absolute path, a ``..`` component, a symlink or other special file, an
implausible compression ratio (a zip bomb; not judged on a TIFF, which a scanner
may store uncompressed), or one that expands past the
per-file limit. Left out without a word: what macOS adds beside each file
(``__MACOSX/``, ``._name``) and hidden files that are no photo by name
(``.DS_Store``, ``.nomedia``). Nothing is ever written outside memory here;
the caller stores what it gets under names it chooses.
"""
from __future__ import annotations

import io
import lzma
import stat
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from grader.errors import GraderError
from grader.file_names import CHAT_STICKER_RE, PHOTO_SUFFIXES, taken_order

CHUNK = 1 << 16
# What a chat app's export holds besides photos (videos, voice notes, the chat's text, contacts): named as not a
# photo without being read, and never counted against the size limits, so a class group's video neither reads as
# "a file too large" nor pushes the whole export over its limit.
OTHER_MEMBERS_FACTOR = 5   # a zip may list this many times max_members in all, videos and texts included
NOT_PHOTOS = frozenset({".mp4", ".3gp", ".mov", ".avi", ".mkv", ".webm", ".opus", ".ogg", ".m4a", ".aac", ".mp3",
                        ".amr", ".wav", ".txt", ".vcf"})


@dataclass(frozen=True)
class ZipLimits:
    max_members: int = 400
    max_total_bytes: int = 800 * 1024 * 1024
    max_member_bytes: int = 25 * 1024 * 1024
    max_ratio: float = 50.0          # photos barely compress; 50:1 is a bomb, not a photo
    #: A member named as a scan (a PDF or a TIFF: a class's stack) may be this large; None: ``max_member_bytes``.
    max_scan_bytes: int | None = None

    def member_bytes(self, name: str) -> int:
        """What a member of this name may hold: a scan's limit for a PDF or a TIFF, else a photo's. (Held to a photo's,
        a zipped scanner folder's stack was skipped as too large; a video in a chat export is still skipped unread.)"""
        if self.max_scan_bytes is not None and name.lower().endswith((".pdf", ".tif", ".tiff")):
            return self.max_scan_bytes
        return self.max_member_bytes


@dataclass(frozen=True)
class Skipped:
    name: str
    code: str
    message_id: str
    message_en: str


@dataclass
class ZipContents:
    files: list[tuple[str, bytes]] = field(default_factory=list)    # (base name or path in the zip, bytes)
    skipped: list[Skipped] = field(default_factory=list)


HIDDEN_PHOTO = ("zip_hidden", "Foto tersembunyi di dalam zip (nama berkas atau foldernya diawali titik); dilewati. "
                "Jika ini foto lembar, hapus titik di depan namanya lalu kirim lagi.",
                "A hidden photo inside the zip (its name or its folder's begins with a dot); skipped. If it is a "
                "sheet's photo, remove the dot before its name and send it again.")


def _bad_zip(msg_en: str, msg_id: str) -> GraderError:
    return GraderError("bad_zip", msg_en, msg_id)


def _member_problem(info: zipfile.ZipInfo, limits: ZipLimits) -> tuple[str, str, str] | None:
    name = info.filename.replace("\\", "/")
    parts = PurePosixPath(name).parts
    if name.startswith("/") or (parts and parts[0].endswith(":")):
        return ("zip_absolute_path", "Nama berkas di dalam zip berupa jalur absolut; dilewati.",
                "An absolute path inside the zip; skipped.")
    if ".." in parts:
        return ("zip_path_traversal", "Nama berkas di dalam zip mengandung '..'; dilewati.",
                "A '..' path inside the zip; skipped.")
    mode = info.external_attr >> 16
    if mode and not (stat.S_ISREG(mode) or mode & 0o170000 == 0):
        return ("zip_link", "Tautan atau berkas khusus di dalam zip; dilewati.",
                "A link or special file inside the zip; skipped.")
    if info.file_size > limits.member_bytes(name):
        return ("too_large", "Berkas di dalam zip terlalu besar; dilewati.", "A file inside the zip is too large; skipped.")
    if (info.file_size > 1024 * 1024 and info.file_size > limits.max_ratio * max(info.compress_size, 1)
            and not _raw_bitmap(name)):
        return ("zip_bomb", "Berkas di dalam zip mengembang tidak wajar (bom zip); dilewati.",
                "A file inside the zip expands implausibly (a zip bomb); skipped.")
    return None


def _raw_bitmap(name: str) -> bool:
    """A TIFF: an office scanner may store its pages uncompressed, and a clean white page deflates past 100:1 (a
    zipped scanner folder was skipped as bombs). Its expansion is still held to the member limit as it is read."""
    return name.lower().endswith((".tif", ".tiff"))


def _macos_metadata(path: PurePosixPath) -> bool:
    """What macOS's Archive Utility zips beside each file (``__MACOSX/``, ``._name``): never a photo, never said."""
    return "__MACOSX" in path.parts or path.name.startswith("._")


def _hidden(path: PurePosixPath) -> bool:
    """A member whose name, or a folder's above it, begins with a dot (a ``..`` or absolute path aside: an unsafe
    path, said as such)."""
    if ".." in path.parts or path.is_absolute():
        return False
    return any(part.startswith(".") for part in path.parts)


def _read_capped(zf: zipfile.ZipFile, info: zipfile.ZipInfo, cap: int) -> bytes | None:
    """The member's bytes, or ``None`` if it really expands past ``cap`` (headers can lie)."""
    out = io.BytesIO()
    with zf.open(info) as fh:
        while True:
            chunk = fh.read(CHUNK)
            if not chunk:
                return out.getvalue()
            out.write(chunk)
            if out.tell() > cap:
                return None


CHAT_STICKER = ("chat_sticker", "Stiker obrolan, bukan foto; dilewati.", "A chat sticker, not a photo; skipped.")


def member_name(info: zipfile.ZipInfo) -> str:
    """A member's name as its zipper wrote it. macOS Finder and many Android zippers write UTF-8 without the flag
    that says so, and ``zipfile`` then reads it as cp437: "Désy Ratnasari" became "D├⌐sy Ratnasari", the trainee
    and the feedback folder so named (helper-137). A name that is valid UTF-8 is taken as such; a real cp437 or
    cp850 name (Windows) is almost never valid UTF-8, and keeps its reading."""
    name = info.filename
    if info.flag_bits & 0x800 or name.isascii():
        return name
    try:
        return name.encode("cp437").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return name


def read_zip(data: bytes, *, limits: ZipLimits = ZipLimits(), keep_folders: bool = False) -> ZipContents:
    """The regular files in zip ``data`` as ``(base name, bytes)``, in the order their names say they were taken
    (:func:`~grader.file_names.taken_order`), with every skipped member and why; with ``keep_folders``, as ``(path
    in the zip, bytes)``: ``kelas/Lestari/hal1.jpg``, where a folder may name the trainee (a member with an absolute
    or ``..`` path is skipped either way).

    Raises
    ------
    GraderError
        ``bad_zip`` if ``data`` is not a readable zip, has too many members or
        expands past ``limits.max_total_bytes`` in total.
    """
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError):
        raise _bad_zip("not a readable zip file", "Berkas zip rusak atau bukan zip.") from None
    if len(infos) > OTHER_MEMBERS_FACTOR * limits.max_members:      # (videos and texts included: each is listed)
        raise _bad_zip(f"the zip has {len(infos)} entries; at most {OTHER_MEMBERS_FACTOR * limits.max_members}",
                       f"Zip berisi {len(infos)} berkas; maksimal {OTHER_MEMBERS_FACTOR * limits.max_members}.")
    out = ZipContents()
    entries = []
    for info in infos:
        info.filename = member_name(info)
        path = PurePosixPath(info.filename.replace("\\", "/"))
        if info.is_dir() or _macos_metadata(path):
            continue
        if CHAT_STICKER_RE.match(path.name):
            out.skipped.append(Skipped(info.filename, *CHAT_STICKER))
            continue
        if _hidden(path):
            if path.suffix.lower() in PHOTO_SUFFIXES:       # (a trainer would look for it among the sheets)
                out.skipped.append(Skipped(info.filename, *HIDDEN_PHOTO))
            continue
        if path.suffix.lower() in NOT_PHOTOS:
            out.skipped.append(Skipped(info.filename, "not_an_image", "Berkas ini bukan foto; dilewati.",
                                       "This file is not a photo; skipped."))
        else:
            entries.append((info, path))
    if len(entries) > limits.max_members:
        raise _bad_zip(f"the zip has {len(entries)} files; at most {limits.max_members} per upload",
                       f"Zip berisi {len(entries)} berkas; maksimal {limits.max_members} per unggahan.")
    if sum(info.file_size for info, _ in entries) > limits.max_total_bytes:
        raise _bad_zip("the zip expands to too much data", "Isi zip terlalu besar setelah dibuka (bom zip?).")
    # In the order the photos were taken as their names tell, as a folder's files are: which photo of a page is the
    # later one (``duplicate_page``: the last counts) must not hang on the order a zipper wrote its members in.
    entries.sort(key=lambda e: taken_order(e[1]))
    total = 0
    for info, path in entries:
        base = path.name
        if not base:
            continue
        problem = _member_problem(info, limits)
        if problem is None and info.flag_bits & 0x1:
            problem = ("zip_encrypted", "Berkas di dalam zip dikunci kata sandi; dilewati.",
                       "A password-protected file inside the zip; skipped.")
        if problem is None:
            try:
                cap = min(limits.member_bytes(info.filename), limits.max_total_bytes - total)
                content = _read_capped(zf, info, cap)
            # (damaged data: a CRC mismatch is BadZipFile, but a broken deflate or LZMA stream raises its own codec's
            # error, which crashed the whole batch, good photos included)
            except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError, zlib.error,
                    lzma.LZMAError):
                problem = ("corrupt_file", "Berkas di dalam zip rusak; dilewati.", "A damaged file inside the zip; skipped.")
            else:
                if content is None:
                    problem = ("zip_bomb", "Berkas di dalam zip mengembang tidak wajar (bom zip); dilewati.",
                               "A file inside the zip expands implausibly (a zip bomb); skipped.")
        if problem is not None:
            out.skipped.append(Skipped(info.filename, *problem))
            continue
        total += len(content)
        out.files.append((str(path) if keep_folders else base, content))
    return out
