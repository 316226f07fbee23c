"""PubMed's MEDLINE text format (``.nbib``, "Send to: Citation manager").

Each line is a tag padded to four characters, ``- `` and a value; a value
that wraps goes on in lines indented by six spaces; a blank line ends a
record, which starts with ``PMID-``."""

from __future__ import annotations

import re

from screening.citation import Citation
from screening.importers.errors import ImportFormatError
from screening.importers.fields import parse_year

_TAG_LINE = re.compile(r"^([A-Z][A-Z0-9]{0,3}) {0,3}- ?(.*)$")
_DOI_ID = re.compile(r"^(\S+)\s*\[doi\]$")


def parse_medline(text: str, filename: str) -> list[Citation]:
    records: list[dict[str, list[str]]] = []
    record: dict[str, list[str]] | None = None
    last_tag = ""
    for number, line in enumerate(text.split("\n"), start=1):
        line = line.rstrip()
        if not line:
            record = None
            continue
        if line[0].isspace():
            if record is None:
                raise ImportFormatError(filename, number, _problem("an indented line outside any record"))
            record[last_tag][-1] += " " + line.strip()
            continue
        match = _TAG_LINE.match(line)
        if not match:
            raise ImportFormatError(
                filename, number,
                _problem(f"{line[:40]!r} is neither a tag line ('TI  - ...') nor a continuation line"),
            )
        tag, value = match.group(1), match.group(2).strip()
        if tag == "PMID" or record is None:
            if tag != "PMID":
                raise ImportFormatError(filename, number, _problem(f"a record starts with {tag} instead of PMID"))
            record = {}
            records.append(record)
        record.setdefault(tag, []).append(value)
        last_tag = tag
    return [_citation(record) for record in records]


def _problem(what: str) -> str:
    return (
        f"{what}. Check the file is a complete MEDLINE export from PubMed "
        "(each record starts with PMID- and records are separated by a blank line)."
    )


def _citation(record: dict[str, list[str]]) -> Citation:
    def first(*tags: str) -> str:
        return next((record[tag][0] for tag in tags if record.get(tag)), "")

    return Citation(
        title=first("TI", "BTI"),
        abstract=first("AB"),
        authors=record.get("FAU") or record.get("AU") or [],
        year=parse_year(first("DP"), first("DEP")),
        journal=first("JT", "TA"),
        volume=first("VI"),
        issue=first("IP"),
        pages=first("PG"),
        doi=_doi(record),
        pmid=first("PMID"),
        keywords=list(dict.fromkeys(record.get("MH", []) + record.get("OT", []))),
        type=first("PT"),
        raw={tag: values[0] if len(values) == 1 else values for tag, values in record.items()},
    )


def _doi(record: dict[str, list[str]]) -> str:
    for value in record.get("LID", []) + record.get("AID", []):
        match = _DOI_ID.match(value)
        if match:
            return match.group(1)
    return ""
