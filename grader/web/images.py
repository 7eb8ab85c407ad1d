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
    if dst.is_file() and dst.stat().st_mtime >= src.stat().st_mtime:
        return dst
    dst.parent.mkdir(parents=True, exist_ok=True)
    with Image.open(src) as img:
        img = img.convert("RGB") if img.mode not in ("RGB", "L") else img
        if img.width > width:
            img = img.resize((width, round(img.height * width / img.width)), Image.Resampling.LANCZOS)
        tmp = dst.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")   # (two requests at once)
        img.save(tmp, "JPEG", quality=JPEG_QUALITY)
    tmp.replace(dst)           # atomic: two requests at once never serve half a file
    return dst


def photo_preview(src: Path, cache: Path, width: int = 900) -> Path | None:
    """A JPEG copy of an uploaded photo, upright (its EXIF orientation applied) and at most ``width`` px wide, cached
    at ``cache``; None when the photo cannot be opened here (a HEIC photo: the grader reads those, PIL does not)."""
    if cache.is_file() and cache.stat().st_mtime >= src.stat().st_mtime:
        return cache
    from pillow_heif import register_heif_opener

    register_heif_opener()                        # (an iPhone's HEIC photo; the grader reads those too)
    try:
        with Image.open(src) as img:
            img = ImageOps.exif_transpose(img).convert("RGB")
            if img.width > width:
                img = img.resize((width, round(img.height * width / img.width)), Image.Resampling.LANCZOS)
            cache.parent.mkdir(parents=True, exist_ok=True)
            tmp = cache.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")   # (two requests at once)
            img.save(tmp, "JPEG", quality=JPEG_QUALITY)
    except (OSError, UnidentifiedImageError, Image.DecompressionBombError):
        return None
    tmp.replace(cache)
    return cache
