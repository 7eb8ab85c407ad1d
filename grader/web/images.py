"""Smaller copies of the derived images for phones on a weak connection, made once and kept beside them."""
from __future__ import annotations

import os
import threading
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError
from werkzeug.security import safe_join

#: widths a page may ask for (``?w=``); anything else gets the original
WIDTHS = (480, 900)
JPEG_QUALITY = 80


def derived_file(folder: Path, name: str) -> Path | None:
    """``folder/name`` if it is a file inside ``folder`` (no ``..``, no absolute paths), else ``None``."""
    joined = safe_join(str(folder), name)
    return Path(joined) if joined and Path(joined).is_file() else None


def scaled_copy(folder: Path, name: str, width: int) -> Path | None:
    """A JPEG copy of ``folder/name`` at most ``width`` px wide (cached under ``folder/_w<width>/``)."""
    src = derived_file(folder, name)
    if src is None or width not in WIDTHS:
        return None
    dst = folder / f"_w{width}" / Path(name).with_suffix(".jpg")
    if not _is_fresh(dst, src):
        with Image.open(src) as img:
            _write_jpeg(img.convert("RGB") if img.mode not in ("RGB", "L") else img, dst, width)
    return dst


def photo_preview(src: Path, cache: Path, width: int = 900) -> Path | None:
    """A JPEG copy of an uploaded photo, upright (its EXIF orientation applied) and at most ``width`` px wide, cached
    at ``cache``; None when the photo cannot be opened (damaged)."""
    if _is_fresh(cache, src):
        return cache
    from pillow_heif import register_heif_opener

    register_heif_opener()                        # (an iPhone's HEIC photo; the grader reads those too)
    try:
        with Image.open(src) as img:
            _write_jpeg(ImageOps.exif_transpose(img).convert("RGB"), cache, width)
    except (OSError, UnidentifiedImageError, Image.DecompressionBombError):
        return None
    return cache


def _is_fresh(copy: Path, src: Path) -> bool:
    return copy.is_file() and copy.stat().st_mtime >= src.stat().st_mtime


def _write_jpeg(img: Image.Image, dst: Path, width: int) -> None:
    """``img`` at most ``width`` px wide as the JPEG ``dst``, written whole or not at all: two requests at once
    never serve half a file, nor write into each other's temporary file."""
    if img.width > width:
        img = img.resize((width, round(img.height * width / img.width)), Image.Resampling.LANCZOS)
    dst.parent.mkdir(parents=True, exist_ok=True)
    tmp = dst.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
    img.save(tmp, "JPEG", quality=JPEG_QUALITY)
    tmp.replace(dst)
