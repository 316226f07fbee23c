"""Which record of a merged group is kept, and what it borrows from the others."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import fields

from screening.citation import Citation

# The fields a reviewer and the exports use; raw and source_id stay the kept record's own.
_CONTENT_FIELDS = ("title", "abstract", "authors", "year", "journal", "volume", "issue", "pages",
                   "doi", "pmid", "keywords", "url", "type")


def _filled(value: object) -> bool:
    if isinstance(value, str):
        return bool(value.strip())
    if isinstance(value, list):
        return bool(value)
    return value is not None


def completeness(cit: Citation) -> tuple[int, int, int]:
    """(fields filled, abstract length, author count): more is more complete."""
    return (sum(_filled(getattr(cit, f)) for f in _CONTENT_FIELDS), len(cit.abstract or ""),
            len(cit.authors or []))


def choose_kept_record(citations: Sequence[Citation]) -> int:
    """Index of the most complete record; the first one on a tie."""
    if not citations:
        raise ValueError("choose_kept_record needs at least one record")
    return max(range(len(citations)), key=lambda i: (completeness(citations[i]), -i))


def merge_fields(citations: Sequence[Citation]) -> Citation:
    """A copy of the kept record with each empty field filled from the most
    complete other record that has it. Nothing the kept record says is
    overwritten, and the inputs are not changed."""
    kept_at = choose_kept_record(citations)
    merged = copy.deepcopy(citations[kept_at])
    donors = sorted((i for i in range(len(citations)) if i != kept_at),
                    key=lambda i: (completeness(citations[i]), -i), reverse=True)
    names = {f.name for f in fields(Citation)}
    for name in _CONTENT_FIELDS:
        if name not in names or _filled(getattr(merged, name)):
            continue
        for i in donors:
            value = getattr(citations[i], name)
            if _filled(value):
                setattr(merged, name, copy.deepcopy(value))
                break
    return merged
