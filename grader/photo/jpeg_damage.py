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

Data overwritten in the middle of the file (a copy or a transfer gone wrong) makes the decoder lose its place: it
takes the rest of the data for other blocks, paints the rest of the picture in a shifted or clipped colour, a flood
over the sheet's lower part, and often runs out before its last block, but its last pixel is then anything. Such a photo was refused
as ``markers_not_found`` ("photograph the whole sheet flat"), where the file itself was what needed sending again.
:func:`damaged_inside` asks the decoder the same question without the one-pixel test, at full size; it costs two
decodes, so it is asked only of a photo about to be refused (:func:`grader.photo.align.align_photo`).
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
    return _filler_read(data, _small_gray)


def damaged_inside(data: bytes) -> bool:
    """Whether JPEG ``data``'s image data is damaged inside, though it decodes: :func:`image_data_ran_out`'s question
    asked of the picture at full size and whatever its last pixel. A decoder that lost its place in overwritten
    data reads on past where the file's blocks end, as a starved one does, and takes the filler for more. (At full
    size: at an eighth, only the blocks' mean is compared, and half the damaged files of a trial looked whole.
    Generated photos with 80 random overwrites of 1-300 bytes in one: 43 found so, the others mostly a smaller
    shift of colour; 599 whole photos, generated and real: none.) For a photo about to be refused: it decodes the
    file twice more, with Pillow, whose decoder keeps libjpeg's warnings to itself (a whole file's decoder skipping
    the filler warns of "extraneous bytes", which OpenCV's would print on the server's terminal for every refused
    photo)."""
    if data[:3] != b"\xff\xd8\xff":
        return False
    return _filler_read(data, _full_gray)


def _filler_read(data: bytes, decode) -> bool:
    """Whether ``decode`` (bytes -> picture) of JPEG ``data`` reads filler bytes put where its image data ends as
    more of the picture (a whole file's decoder has finished before them and skips them), or gives up on the file."""
    start = _scan_data_start(data)
    end = _END_OF_DATA.search(data, start) if start is not None else None
    if end is None:
        return False
    try:
        whole = decode(data)
        filled = decode(data[:end.start()] + _FILLER + data[end.start():])
    except (OSError, ValueError, SyntaxError):      # Pillow's stricter decoder gave up on it: damaged
        return True
    return not np.array_equal(whole, filled)


def _full_gray(data: bytes) -> np.ndarray:
    """The picture in gray at full size, as stored (the decoder's own gray: no colour conversion)."""
    with Image.open(io.BytesIO(data)) as im:
        im.draft("L", im.size)
        return np.asarray(im.convert("L"))


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
