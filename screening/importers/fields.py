"""Cleaning field values the way every format needs: years, author lists,
keyword lists, page ranges and PubMed ids buried in free text."""

from __future__ import annotations

import re

# A four-digit year from 1500 to 2099 standing on its own: "2019//",
# "2019/05/01/", "May 2019", "2019.0" from a spreadsheet all give 2019.
_YEAR = re.compile(r"(?<!\d)(1[5-9]\d\d|20\d\d)(?!\d)")
_KEYWORD_SEPARATOR = re.compile(r";|//")
_PMID = re.compile(r"\d{1,9}(?:\.0)?")
_PMID_IN_TEXT = re.compile(r"\b(?:PMID|PubMed\s*ID)\s*[:=]?\s*(\d{1,9})\b", re.IGNORECASE)


def parse_year(*values: str | None) -> int | None:
    """The first year found in ``values``, tried in order; ``None`` when none
    holds one (an RIS ``PY  - 10 15`` has no year to read)."""
    for value in values:
        match = _YEAR.search(value or "")
        if match:
            return int(match.group(1))
    return None


def split_authors(value: str) -> list[str]:
    """Split one cell of authors into names.

    ``;`` wins, then `` and `` (BibTeX style), then ``//`` (EndNote
    tab-delimited). Commas split only when every part has a space in it, as in
    PubMed's ``Zuber J, Le Quintrec M``; ``Reimer, E J`` is one author whose
    surname comes first."""
    value = value.strip()
    if not value:
        return []
    for separator in (";", " and ", "//"):
        if separator in value:
            return _non_empty(value.split(separator))
    if "," in value:
        parts = _non_empty(value.split(","))
        if len(parts) > 1 and all(" " in part for part in parts):
            return parts
    return [value]


def split_keywords(values: list[str] | str) -> list[str]:
    """Keywords from one or many values, each possibly separated by ``;`` (or
    EndNote's ``//``), in order and without repeats."""
    items = [values] if isinstance(values, str) else values
    seen: dict[str, None] = {}
    for item in items:
        for keyword in _KEYWORD_SEPARATOR.split(item):
            keyword = keyword.strip()
            if keyword:
                seen.setdefault(keyword, None)
    return list(seen)


def join_pages(start: str, end: str = "") -> str:
    """``("73", "76")`` -> ``73-76``; a start that already holds a range, or
    an end equal to the start, is kept as it is."""
    start, end = start.strip(), end.strip()
    start = start.replace("--", "-")
    if not end or "-" in start or end == start:
        return start
    return f"{start}-{end}" if start else end


def clean_pmid(value: str) -> str:
    """A PubMed id as digits; ``10051933.0`` from a spreadsheet is fixed and
    anything that is not an id gives ``""``."""
    value = value.strip()
    return value.split(".")[0] if _PMID.fullmatch(value) else ""


def pmid_in_text(*values: str) -> str:
    """A PubMed id written out as ``PMID: 123`` or ``PubMed ID: 123``."""
    for value in values:
        match = _PMID_IN_TEXT.search(value or "")
        if match:
            return match.group(1)
    return ""


def _non_empty(parts: list[str]) -> list[str]:
    return [part.strip() for part in parts if part.strip()]
