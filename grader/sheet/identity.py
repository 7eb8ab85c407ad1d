"""What a sheet says about itself: the payload of its QR code.

The payload is short plain text so a small QR stays readable on a phone
photo: ``KPPS1;<template>;<version>;<page>;<contest>;<pairs>;<exercise>;<trainee id>;<name>``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace

PREFIX = "KPPS1"
_SAFE = re.compile(r"[;\n\r]")
# A roster name in the QR is cut to this many characters: the code grows with its payload, and a name pasted with an
# address or titles (300 characters: version 14, 0.32 mm modules in the 25 mm code) made the code unreadable on
# phone photos, so the sheet lost its trainee. The printed name line cuts long names too.
MAX_QR_NAME_CHARS = 60


@dataclass(frozen=True)
class SheetIdentity:
    template: str
    version: int
    page: int
    contest: str
    pairs: int
    exercise: str | None = None
    trainee: str | None = None
    trainee_name: str | None = None

    def for_page(self, page: int) -> "SheetIdentity":
        return replace(self, page=page)


def encode_payload(ident: SheetIdentity) -> str:
    """Serialise ``ident`` for the QR code."""
    parts = [PREFIX, ident.template, str(ident.version), str(ident.page), ident.contest, str(ident.pairs),
             ident.exercise or "", ident.trainee or "", (ident.trainee_name or "")[:MAX_QR_NAME_CHARS].rstrip()]
    return ";".join(_SAFE.sub(" ", p) for p in parts)


def decode_payload(text: str) -> SheetIdentity:
    """Parse a QR payload.

    Raises
    ------
    ValueError
        If the text is not one of our sheets' payloads.
    """
    parts = text.split(";")
    if len(parts) != 9 or parts[0] != PREFIX:
        raise ValueError(f"not a practice-sheet QR payload: {text[:40]!r}")
    try:
        version, page, pairs = int(parts[2]), int(parts[3]), int(parts[5])
    except ValueError:
        raise ValueError(f"malformed practice-sheet QR payload: {text[:40]!r}") from None
    return SheetIdentity(template=parts[1], version=version, page=page, contest=parts[4], pairs=pairs,
                         exercise=parts[6] or None, trainee=parts[7] or None, trainee_name=parts[8] or None)


def ident_line(ident: SheetIdentity) -> str:
    """The header line printed in a clean font, for the OCR fallback when the QR is unreadable."""
    return (f"ID {ident.template} V{ident.version} HAL {ident.page} PASLON {ident.pairs} "
            f"KODE {ident.exercise or '-'}")


IDENT_LINE_RE = re.compile(r"ID\s+(?P<template>[a-z0-9-]+)\s+V(?P<version>\d+)\s+HAL\s+(?P<page>\d+)\s+"
                           r"PASLON\s+(?P<pairs>\d+)\s+KODE\s+(?P<exercise>[A-Z0-9-]+)")
