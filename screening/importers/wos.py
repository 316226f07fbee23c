"""Web of Science's plain text export ("Plain text file", also what "Other file formats" writes),
read by rispy's ``WokParser``.

The field tags are Clarivate's (Web of Science Core Collection field tags): the
file opens with ``FN`` and ``VR``, each record with ``PT`` and ends with ``ER``,
the file with ``EF``; a value that goes on over several lines continues in
lines indented by three spaces, and list fields (``AU``, ``AF``, ``CR`` ...)
give one value per line that way. Several tags mean something else than in RIS
(``SP`` is the conference's sponsors, ``ID`` Keywords Plus, ``PG`` the page
count), so this is a format of its own."""

from __future__ import annotations

from collections.abc import Iterator

import rispy

from screening.citation import Citation
from screening.importers.fields import join_pages, parse_year, split_keywords
from screening.importers.left_out import LeftOut
from screening.importers.ris import OwnTagNames

LIST_TAGS = ["AU", "AF", "BA", "BF", "BE", "CA", "GP", "CR", "C1", "C3"]

_PARSER = rispy.WokParser(mapping=OwnTagNames(), list_tags=LIST_TAGS, enforce_list_tags=False)


def parse_wos(text: str, filename: str) -> tuple[list[Citation], list[LeftOut]]:
    return [_citation(record) for record in _PARSER.parse_lines(_lines(text))], []


def _lines(text: str) -> Iterator[str]:
    """The lines rispy should see: no blank lines (it reads one as a tag named ""), and a wrapped
    value of a tag that is no list joined into one line (rispy cannot extend a tag given twice)."""
    held, tag = "", ""
    for line in text.split("\n"):
        line = line.rstrip()
        if not line.strip():
            continue
        continued = line.startswith("   ")
        if continued and held and tag not in LIST_TAGS:
            held += " " + line.strip()
            continue
        if held:
            yield held
        held = line
        if not continued:
            tag = line[:2]
    if held:
        yield held


def _citation(record: dict) -> Citation:
    def first(*tags: str) -> str:
        for tag in tags:
            value = record.get(tag)
            if isinstance(value, list):
                value = next((item for item in value if item), "")
            if value:
                return value
        return ""

    def listed(tag: str) -> list[str]:
        value = record.get(tag) or []
        return [item for item in ([value] if isinstance(value, str) else value) if item]

    keywords = [part for tag in ("DE", "ID") for part in listed(tag)]
    return Citation(
        title=first("TI"),
        abstract=first("AB"),
        authors=listed("AF") or listed("AU"),
        year=parse_year(first("PY"), first("EY"), first("PD")),
        journal=first("SO"),
        volume=first("VL"),
        issue=first("IS"),
        # An electronic article number where a journal prints no pages.
        pages=join_pages(first("BP"), first("EP")) or first("AR"),
        doi=first("DI"),
        pmid=first("PM"),
        keywords=split_keywords(keywords),
        type=first("DT", "PT"),
        source_id=first("UT"),
        raw={tag: value for tag, value in record.items() if value},
    )
