"""One bibliographic record as read from a search export, before it is stored.

Every importer produces ``Citation`` objects; deduplication compares them; the
database's record table stores their fields. ``raw`` keeps every field the file
had, under the file's own tag names, so that nothing is lost."""

from __future__ import annotations

import re
from urllib.parse import unquote
from dataclasses import dataclass, field
from typing import Any

_DOI_PREFIX = re.compile(r"^(?:https?://)?(?:dx\.)?(?:doi\.org/)?(?:doi:\s*)?", re.IGNORECASE)


def normalise_doi(value: str | None) -> str:
    """``https://doi.org/10.1000/ABC.`` -> ``10.1000/abc``; anything without a
    ``10.`` DOI in it -> ``""``. A DOI copied from a link may come URL-encoded
    (``10.5114%2Fa.2020``), and is decoded first."""
    if not value:
        return ""
    text = _DOI_PREFIX.sub("", unquote(value.strip())).strip().rstrip(".,;").lower()
    match = re.search(r"10\.\d{4,9}/\S+", text)
    return match.group(0) if match else ""


@dataclass
class Citation:
    title: str = ""
    abstract: str = ""
    authors: list[str] = field(default_factory=list)
    year: int | None = None
    journal: str = ""
    volume: str = ""
    issue: str = ""
    pages: str = ""
    doi: str = ""
    pmid: str = ""
    keywords: list[str] = field(default_factory=list)
    url: str = ""
    type: str = ""
    # The record's own id in its file (a CSV's record_id column, an EndNote
    # record number ...), or "" when the file gives none.
    source_id: str = ""
    raw: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.doi = normalise_doi(self.doi)

    @property
    def is_empty(self) -> bool:
        """No title and no abstract: nothing a reviewer could screen."""
        return not self.title.strip() and not self.abstract.strip()
