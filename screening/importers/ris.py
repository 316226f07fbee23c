"""RIS in the dialects real exports use.

One pass over the lines reads the records: it skips Ovid's ``1.`` numbering
and header lines between records, accepts ``TY -`` with one space, folds
continuation lines (an EndNote ``KW`` list, a wrapped abstract) into their
tag, closes a record whose ``ER`` is missing, and names the line of a tag
that stands outside any record. rispy would need this pass first and then
a second one of its own, about 40% of the time of a large import, so rispy
only writes RIS (``screening.exporters``) and reads it back in the tests."""

from __future__ import annotations

import re

from screening.citation import Citation, normalise_doi
from screening.importers.errors import ImportFormatError
from screening.importers.fields import join_pages, parse_year, pmid_in_text, split_keywords

# Tags that repeat once per value; a line continuing one of them is a new
# value (EndNote writes keywords one per line under a single KW).
LIST_TAGS = frozenset({"A1", "A2", "A3", "A4", "AU", "KW", "N1", "UR", "L1", "L2", "L4", "SN", "DB"})
# Tags whose text may hold "PMID: 123" (EBSCO writes it in U2, Zotero in N1).
_NOTE_TAGS = ("N1", "U1", "U2", "U3", "U4", "U5", "M1", "M2", "AN", "ID")
# A DOI given as a link or with a prefix in a tag that is not DO.
_DOI_LIKE = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*|10\.\d{4,9}/)", re.IGNORECASE)

# "TI  - A title"; exports also write "TI - A title" and a bare "ER  -".
_TAG_LINE = re.compile(r"([A-Z][A-Z0-9]) {1,2}-(?:\s+(.*))?$")

Record = dict[str, list[str]]


def parse_ris(text: str, filename: str) -> list[Citation]:
    return [_citation(record) for record in _records(text, filename)]


def _records(text: str, filename: str) -> list[Record]:
    records: list[Record] = []
    record: Record | None = None
    last_tag = ""
    for number, line in enumerate(text.split("\n"), start=1):
        match = _TAG_LINE.match(line)
        if match:
            tag, value = match.group(1), (match.group(2) or "").strip()
            if tag == "TY":
                # A TY inside a record starts the next one: its ER is missing.
                record = {"TY": [value]}
                records.append(record)
                last_tag = "TY"
            elif tag == "ER":
                record = None
            elif record is None:
                raise ImportFormatError(
                    filename, number,
                    f"a tag line {_shorten(line.rstrip())!r} outside any record. Check the file is a complete "
                    "RIS export (each record starts with TY  - and ends with ER  -).",
                )
            else:
                record.setdefault(tag, []).append(value)
                last_tag = tag
        elif record is not None and last_tag and line.strip():
            values = record[last_tag]
            if last_tag in LIST_TAGS:
                values.append(line.strip())
            else:
                values[-1] = f"{values[-1]} {line.strip()}".strip()
    return records


def _shorten(line: str) -> str:
    return line if len(line) <= 40 else line[:37] + "..."


def _first(record: Record, *tags: str) -> str:
    return next((value for tag in tags for value in record.get(tag, ()) if value), "")


def _citation(record: Record) -> Citation:
    def first(*tags: str) -> str:
        return _first(record, *tags)

    def values(tag: str) -> list[str]:
        return [value for value in record.get(tag, ()) if value]

    abstracts = [" ".join(values(tag)) for tag in ("AB", "N2")]
    return Citation(
        title=first("TI", "T1", "CT", "BT"),
        # EndNote and Ovid write the abstract in N2 and sometimes a note in AB.
        abstract=max(abstracts, key=len),
        authors=list(dict.fromkeys(values("AU") + values("A1"))),
        year=parse_year(first("PY"), first("Y1"), first("DA")),
        journal=first("JF", "T2", "JO", "JA", "J2", "J1"),
        volume=first("VL"),
        issue=first("IS", "CP"),
        pages=join_pages(first("SP"), first("EP")),
        doi=_doi(record),
        pmid=_pmid(record),
        keywords=split_keywords(values("KW")),
        url=first("UR", "L2"),
        type=first("TY"),
        source_id=first("ID"),
        raw={
            tag: kept if tag in LIST_TAGS or len(kept) > 1 else kept[0]
            for tag, all_values in record.items()
            if (kept := [value for value in all_values if value])
        },
    )


def _doi(record: Record) -> str:
    doi = normalise_doi(_first(record, "DO", "DI"))
    if doi:
        return doi
    for tag in ("UR", "L1", "L2", "L3", "L4", "M3"):
        for value in record.get(tag, ()):
            if _DOI_LIKE.match(value):
                return normalise_doi(value)
    return ""


def _pmid(record: Record) -> str:
    databases = " ".join(record.get("DB", []) + record.get("DP", [])).lower()
    # Ovid MEDLINE and PubMed-sourced exports give the PMID as the accession
    # number or id; Embase.com gives the PMID of a record also in MEDLINE in
    # C5 and Scopus in C2. Elsewhere those tags hold other databases' ids.
    if "medline" in databases or "pubmed" in databases:
        candidates = ["AN", "ID"] + (["C5"] if "embase" in databases else [])
    elif "scopus" in databases:
        candidates = ["C2"]
    else:
        candidates = []
    for tag in candidates:
        if _first(record, tag).isdigit():
            return _first(record, tag)
    return pmid_in_text(*(value for tag in _NOTE_TAGS for value in record.get(tag, ())))
