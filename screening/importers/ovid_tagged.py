"""Ovid's tagged text export (Export > "Citation Manager", fields with their tags).

Each record opens with a number in angle brackets (``<1. >``) and a ``VN  -
Ovid Technologies`` line; a tag of two to five capitals, one or two spaces,
``-`` and the value follow. A value goes on in the lines after it that are no
tag line (indented, or, in Ovid's funding notes, HTML), with blank lines
between them at times. The databases differ in their tags: PsycINFO gives the
journal, volume, issue and pages in ``JN``, ``VO``, ``IP``, ``PG`` as well as in
the ``SO`` citation ("Behavioural and Cognitive Psychotherapy. Vol.43(5), Sep
2015, pp. 623-634."), Ovid MEDLINE its PubMed id in ``UI``, Journals@Ovid only
``SO`` ("American Journal Of Industrial Medicine June 2015;58(6):688-696"), and
``IS`` is an ISSN, not an issue."""

from __future__ import annotations

import re

from screening.citation import Citation
from screening.importers.fields import parse_year, split_keywords
from screening.importers.left_out import LeftOut

_RECORD_NUMBER = re.compile(r"^\s*<\s*\d+\.?\s*>\s*$")
_TAG_LINE = re.compile(r"^\s*([A-Z][A-Z0-9]{1,4}) {1,2}- ?(.*)$")
# What Ovid appends to a title to say what kind of document it is.
_TYPE_NOTE = re.compile(r"(?:\.\s*)?\[(?:Article|Report|Miscellaneous|References)\][.\s]*$")
# Degrees, affiliation numbers and roles Journals@Ovid and BIOSIS append to a name.
_NAME_TAIL = re.compile(r"\s*\[[^\]]*\]|(?:,?\s+(?:MD|PhD|Ph\.D\.|MPH|MSc|BSc|MA|BA|MB|RN|FACSM)\b\.?)+|[\d,+*\s]+$")
# The citation: "Vol.43(5), ... pp. 623-634" (PsycINFO) or "2015;58(6):688-696" / "201(2-3):327-334".
_SO_PSYCINFO = re.compile(r"Vol\.?\s*(\w+)(?:\(([^)]*)\))?.*?pp\.\s*([\w-]+)", re.IGNORECASE)
_SO_MEDLINE = re.compile(r"(\d+)\s*\(([^)]*)\)\s*:\s*([\w-]+)")
_SO_JOURNAL = re.compile(r"^(.*?)(?:\.\s+(?=Vol\.|\d)|\s+(?:January|February|March|April|May|June|July|August|"
                         r"September|October|November|December|Winter|Spring|Summer|Autumn|Fall)\b|\s+\d{4};|\.\s*$)")


def detects(head: str) -> bool:
    """Ovid puts this line at the top of every record."""
    return re.search(r"^\s*VN {1,2}- ?Ovid Technologies", head[:2000], re.MULTILINE) is not None


def parse_ovid_tagged(text: str, filename: str) -> tuple[list[Citation], list[LeftOut]]:
    """The file's records; lines before the first (Ovid's search history) are the export's, not data."""
    records: list[dict[str, list[str]]] = []
    record: dict[str, list[str]] | None = None
    last_tag = ""
    for line in text.split("\n"):
        if not line.strip():
            continue
        if _RECORD_NUMBER.match(line):
            record = None
            continue
        match = _TAG_LINE.match(line)
        if match:
            last_tag = match.group(1)
            if last_tag == "VN" or record is None:
                record = {}
                records.append(record)
            record.setdefault(last_tag, []).append(match.group(2).strip())
        elif record is not None:
            record[last_tag][-1] = f"{record[last_tag][-1]} {line.strip()}".strip()
    return [_citation(record) for record in records], []


def _citation(record: dict[str, list[str]]) -> Citation:
    def first(*tags: str) -> str:
        return next((record[tag][0] for tag in tags if record.get(tag) and record[tag][0]), "")

    source = first("SO")
    volume, issue, pages = first("VO", "VI"), first("IP"), first("PG")
    cited = _SO_PSYCINFO.search(source) or _SO_MEDLINE.search(source)
    if cited and not (volume or pages):
        volume, issue, pages = cited.group(1), cited.group(2) or "", cited.group(3)
    journal = first("JN", "JT")
    if not journal and source:
        found = _SO_JOURNAL.match(source)
        journal = (found.group(1) if found else source).strip().rstrip(".")
    names = record.get("FA") or [name for value in record.get("AU", []) for name in value.split(";")]
    return Citation(
        title=_TYPE_NOTE.sub("", first("TI")).strip(),
        abstract=first("AB"),
        authors=[name for name in (_NAME_TAIL.sub("", n).strip() for n in names) if name],
        year=parse_year(first("YR"), first("DP"), source),
        journal=journal,
        volume=volume,
        issue=issue,
        pages=pages,
        doi=first("DO", "DI"),
        pmid=next((value for value in (first("UI"), first("PM")) if value.isdigit()), ""),
        keywords=split_keywords([k for value in record.get("ID", []) + record.get("KW", []) for k in re.split(r"[;,]", value)]
                                + record.get("MH", [])),
        type=first("DT", "PT"),
        source_id=first("AN"),
        raw={tag: values[0] if len(values) == 1 else values for tag, values in record.items()},
    )
