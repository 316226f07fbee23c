"""PubMed's MEDLINE text format (``.nbib``, "Send to: Citation manager").

Each line is a tag padded to four characters, ``- `` and a value; a value
that wraps goes on in lines indented by six spaces; a blank line ends a
record, which starts with ``PMID-``."""

from __future__ import annotations

import re

from screening.citation import Citation
from screening.importers.fields import parse_year
from screening.importers.left_out import LeftOut

_TAG_LINE = re.compile(r"^([A-Z][A-Z0-9]{0,3}) {0,3}- ?(.*)$")
_DOI_ID = re.compile(r"^(\S+)\s*\[doi\]$")


def parse_medline(text: str, filename: str) -> tuple[list[Citation], list[LeftOut]]:
    """The file's records, and the lines that belong to none of them.

    A run of lines after a blank line that does not start with ``PMID-`` is a
    record of its own when it has a title or an abstract (its PMID line is
    missing); otherwise its tags belong to the record before the blank line,
    as RIS tags after an ``ER`` do. Lines that are neither tag nor
    continuation lines, and lines before the first record, are left out."""
    records: list[dict[str, list[str]]] = []
    left_out: list[LeftOut] = []
    record: dict[str, list[str]] | None = None  # the record being read; None after a blank line
    run: list[list] = []  # [line number, tag, value] after a blank line, until it is clear whose they are
    last_tag = ""
    for number, line in enumerate(text.split("\n"), start=1):
        line = line.rstrip()
        if not line:
            _place(run, records, left_out)
            record, run = None, []
            continue
        if line[0].isspace():
            if record is not None:
                record[last_tag][-1] += " " + line.strip()
            elif run:
                run[-1][2] += " " + line.strip()
            else:
                left_out.append(LeftOut.of(number, line, "an indented line outside any record"))
            continue
        match = _TAG_LINE.match(line)
        if not match:
            where = f"in record {len(records)}" if records else "before the first record"
            left_out.append(LeftOut.of(number, line, f"neither a tag line nor a continuation line, {where}"))
            continue
        tag, value = match.group(1), match.group(2).strip()
        if tag == "PMID":
            _place(run, records, left_out)
            record, run = {}, []
            records.append(record)
        if record is None:
            run.append([number, tag, value])
        else:
            record.setdefault(tag, []).append(value)
            last_tag = tag
    _place(run, records, left_out)
    return [_citation(record) for record in records], left_out


def _place(run: list[list], records: list[dict[str, list[str]]], left_out: list[LeftOut]) -> None:
    """Give the tag lines that followed a blank line to a record: their own, the one before, or none."""
    if not run:
        return
    if any(tag in ("TI", "BTI", "AB") for _, tag, _ in run):
        records.append({})
    elif not records:
        left_out.extend(LeftOut.of(number, f"{tag}  - {value}", "a tag line before the first record")
                        for number, tag, value in run)
        return
    for _, tag, value in run:
        records[-1].setdefault(tag, []).append(value)


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
