"""Turning an upload's bytes into text: which encoding it is in."""

from __future__ import annotations

import codecs

from screening.importers.errors import ImportFormatError

# Control characters that never occur in a text export; finding them means the
# upload is a binary file (a PDF, a Word document, a zip ...).
_BINARY_CONTROLS = frozenset(chr(c) for c in range(32) if chr(c) not in "\t\n\r\f\v\x1a")


def decode(data: bytes, filename: str) -> tuple[str, str]:
    """Return ``(text, encoding)``, trying UTF-8 (with or without a byte-order
    mark), then UTF-16 (byte-order mark, or a NUL in every other byte), then
    cp1252, the encoding of Windows exports that are not UTF-8. Line endings
    become ``\\n``; Unicode line and paragraph separators, which some
    publishers' RIS puts inside a value to wrap it, become spaces."""
    if data.startswith(codecs.BOM_UTF8):
        text, encoding = data[len(codecs.BOM_UTF8):].decode("utf-8", errors="replace"), "utf-8-sig"
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text, encoding = data.decode("utf-16", errors="replace"), "utf-16"
    elif _looks_like_bomless_utf16(data):
        encoding = "utf-16-le" if data[1:2] == b"\x00" else "utf-16-be"
        text = data.decode(encoding, errors="replace")
    else:
        try:
            text, encoding = data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            # cp1252 leaves five bytes undefined; Latin-1 maps every byte, so
            # a file with one of them still reads.
            try:
                text, encoding = data.decode("cp1252"), "cp1252"
            except UnicodeDecodeError:
                text, encoding = data.decode("latin-1"), "latin-1"
    if any(char in _BINARY_CONTROLS for char in text[:4096]):
        raise ImportFormatError(
            filename,
            None,
            "this is a binary file, not a text export of search results. "
            "Export the records from the database as RIS, MEDLINE/nbib, BibTeX, "
            "EndNote XML, CSV or XLSX and upload that file.",
        )
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.replace("\u2028", " ").replace("\u2029", " "), encoding


def _looks_like_bomless_utf16(data: bytes) -> bool:
    sample = data[:200]
    if len(sample) < 4:
        return False
    even, odd = sample[0::2], sample[1::2]
    return even.count(0) > len(even) * 0.4 or odd.count(0) > len(odd) * 0.4
