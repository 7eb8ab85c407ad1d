"""Tell a JPEG damaged inside its image data from a whole one, though both decode.

A JPEG whose image data was cut short or overwritten but still ends with its end marker decodes without an
error: libjpeg warns ("Corrupt JPEG data: premature end of data segment"), leaves every block it had no data for
at zero and so paints the rest of the picture a flat grey of exactly 128. Neither OpenCV nor Pillow tell the
caller about that warning, so the damage would be read as a sheet cut off at the bottom, and the trainee told to
frame the sheet again instead of sending the original file.

The sign is asked of the decoder itself, and only when the picture looks filled: when the stored image's last
pixel is exactly neutral 128 (a one-pixel test on the timed path), the file is decoded twice more, small, once
as it is and once with filler bytes put where its image data ends. A whole file's decoder has finished before
the filler and skips it, so both pictures are the same; a starved decoder reads the filler as the missing data,
and the pictures differ.
"""
from __future__ import annotations

import io
import re

import numpy as np
from PIL import Image

# the first marker that ends a scan's data: not a stuffed 0xFF00 and not a restart marker (0xFFD0-0xFFD7)
_END_OF_DATA = re.compile(rb"\xff[^\x00\xd0-\xd7\xff]")
_FILLER = bytes((i * 73 + 41) % 255 for i in range(512))      # no 0xFF: plain image data, no marker


def image_data_ran_out(data: bytes, image: np.ndarray) -> bool:
    """Whether the decoder ran out of image data before the last block of JPEG ``data``.

    ``image`` is the picture decoded from ``data`` (BGR or gray, as stored: before any EXIF rotation).
    """
    if not np.all(image[-1, -1] == 128):
        return False
    start = _scan_data_start(data)
    end = _END_OF_DATA.search(data, start) if start is not None else None
    if end is None:
        return False
    try:
        whole = _small_gray(data)
    except (OSError, ValueError, SyntaxError):      # Pillow's stricter decoder gave up on it: damaged
        return True
    try:
        filled = _small_gray(data[:end.start()] + _FILLER + data[end.start():])
    except (OSError, ValueError, SyntaxError):
        return True
    return not np.array_equal(whole, filled)


def _scan_data_start(data: bytes) -> int | None:
    """Where the first scan's image data begins: after the segments before it (an EXIF thumbnail's own scan is
    inside one of them, so a plain search for the scan marker could find the thumbnail's)."""
    pos = 2
    while pos + 4 <= len(data):
        if data[pos] != 0xFF:
            return None
        marker = data[pos + 1]
        if marker == 0xFF:                                   # fill byte before a marker
            pos += 1
            continue
        length = int.from_bytes(data[pos + 2:pos + 4], "big")
        if marker == 0xDA:                                   # start of scan
            return pos + 2 + length
        pos += 2 + length
    return None


def _small_gray(data: bytes) -> np.ndarray:
    """The picture at an eighth of its size in gray (one value a block: all a block's data is still read)."""
    with Image.open(io.BytesIO(data)) as im:
        im.draft("L", (max(im.width // 8, 1), max(im.height // 8, 1)))
        return np.asarray(im)
