"""What the C image decoders print while a command-line reader decodes: into the log, off the trainer's screen.

libjpeg and libpng, inside OpenCV, write their warnings straight to the process's standard error ("Corrupt JPEG
data: premature end of data segment", "libpng warning: iCCP: known incorrect sRGB profile"); neither OpenCV nor
Python sees them. A trainer running ``grader grade`` read such a line beside the grader's own message for the same
file, or above the row of a photo that was graded without trouble, and could not tell which photo it was about
nor whether it mattered. What it matters for is said already: a JPEG cut short is refused as ``corrupt_file``
(:mod:`grader.photo.jpeg_damage`).

:func:`decoder_messages_logged` points file descriptor 2 at a temporary file while its block runs; afterwards
the decoders' lines go to the log (debug, with English context) and anything else written there meanwhile (the
grader's own log lines, from this thread or another) goes back to standard error as it was, in order. The
redirection is the whole process's, so it is for a process that decodes one photo at a time (the command line's
readers and their worker processes), never for the web server's threads.
"""
from __future__ import annotations

import contextlib
import logging
import os
import re
import sys
import tempfile
from collections.abc import Iterator

log = logging.getLogger(__name__)

#: Lines the decoders print (libjpeg's warnings and errors, libpng's).
DECODER_LINE = re.compile(r"^(Corrupt JPEG data|Premature end of JPEG file|Invalid SOS parameters|"
                          r"Warning: unknown JFIF|Not a JPEG file|libpng (warning|error))")


@contextlib.contextmanager
def decoder_messages_logged(context: str = "") -> Iterator[None]:
    """Run the block with standard error caught; then log the decoders' lines (with ``context``, e.g. the file
    name) and write everything else back to standard error."""
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError, AttributeError):        # no descriptor 2 to catch (a closed or absent stderr)
        yield
        return
    with tempfile.TemporaryFile() as caught:
        os.dup2(caught.fileno(), 2)
        try:
            yield
        finally:
            with contextlib.suppress(OSError, ValueError, AttributeError):
                sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            caught.seek(0)
            _pass_on(caught.read().decode("utf-8", errors="replace"), context)


def _pass_on(text: str, context: str) -> None:
    others = []
    for line in text.splitlines(keepends=True):
        if DECODER_LINE.match(line):
            log.debug("image decoder%s: %s", f" ({context})" if context else "", line.rstrip())
        else:
            others.append(line)
    if others:
        sys.stderr.write("".join(others))
        sys.stderr.flush()
