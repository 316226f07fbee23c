"""Checks every uploaded file passes before Winnow keeps it: a plain file name, a size within the
limit, and content of the kind asked for. Each refusal says what was wrong and how to fix it;
nothing is stored when one is raised."""

from __future__ import annotations

import unicodedata

from screening.review.errors import InvalidInput

MAX_NAME_LENGTH = 255

# What a file starts with, for the kinds people upload by mistake.
KNOWN_KINDS = (
    (b"%PDF-", "a PDF document"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!\x1a\x07", "a RAR archive"),
    (b"\x7fELF", "a program"),
    (b"MZ\x90\x00", "a Windows program"),
)


def check_filename(filename: str) -> str:
    """The name as sent, when it is a plain file name: no folder path, no control characters."""
    name = filename or ""
    if not name.strip():
        raise InvalidInput("The file has no name: save it under a name such as embase.ris and upload it again.",
                           field="file")
    if "/" in name or "\\" in name or name.strip() in (".", ".."):
        raise InvalidInput(f"“{_shown(name)}” is a file name with a folder path in it. Upload the file under a plain "
                           "name such as embase.ris (no / or \\).", field="file")
    if any(unicodedata.category(character) in ("Cc", "Cf") for character in name):
        raise InvalidInput(f"“{_shown(name)}” holds control characters, which a file name may not. "
                           "Rename the file and upload it again.", field="file")
    if len(name) > MAX_NAME_LENGTH:
        raise InvalidInput(f"The file name is {len(name)} characters long, over {MAX_NAME_LENGTH}: "
                           "rename the file and upload it again.", field="file")
    return name


def check_size(data: bytes, filename: str, max_bytes: int) -> None:
    if not data:
        raise InvalidInput(f"{filename} is empty (0 bytes): export or save it again and upload that file.",
                           field="file")
    if len(data) > max_bytes:
        raise InvalidInput(
            f"{filename} is {len(data) / 2**20:.0f} MB, over the limit of {max_bytes / 2**20:.0f} MB. "
            "Split it into smaller files, or ask the administrator to raise WINNOW_MAX_UPLOAD_MB.", field="file")


def kind_of(data: bytes) -> str | None:
    """What the bytes are, for the kinds named in ``KNOWN_KINDS``; None for anything else."""
    return next((kind for magic, kind in KNOWN_KINDS if data.startswith(magic)), None)


def _shown(name: str) -> str:
    printable = "".join(character if character.isprintable() else "?" for character in name)
    return printable[:80] + ("…" if len(printable) > 80 else "")
