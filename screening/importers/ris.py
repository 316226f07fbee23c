"""RIS in the dialects real exports use, read by rispy.

A generator over the lines does what rispy leaves to its caller: it drops
Ovid's ``1.`` numbering and header lines between records, accepts ``TY -``
with one space, folds continuation lines (an EndNote ``KW`` list, a wrapped
abstract) into their tag, closes a record whose ``ER`` is missing, and gives
tag lines between records to the record they belong to (``_clean_lines``),
leaving out, and naming, only those that belong to none. rispy's parser reads
those cleaned lines as they come, with the file's own tag names as keys, so
``raw`` keeps them. (Joining the cleaned lines into a text for ``rispy.loads`` to
split again cost a 100,000-record import several seconds.)"""

from __future__ import annotations

import re
from collections.abc import Iterator

import rispy

from screening.citation import Citation, normalise_doi
from screening.importers.fields import join_pages, parse_year, pmid_in_text, split_keywords
from screening.importers.left_out import LeftOut

_TAG_LINE = re.compile(r"^([A-Z][A-Z0-9]) {1,2}-(?: (.*)|\s*)$")
# Tags that repeat once per value; a line continuing one of them is a new
# value (EndNote writes keywords one per line under a single KW).
LIST_TAGS = ["A1", "A2", "A3", "A4", "AU", "KW", "N1", "UR", "L1", "L2", "L4", "SN", "DB"]
# Tags whose text may hold "PMID: 123" (EBSCO writes it in U2, Zotero in N1).
_NOTE_TAGS = ("N1", "U1", "U2", "U3", "U4", "U5", "M1", "M2", "AN", "ID")
# An article number in C7 ("093903", "e0123456"), not another id kept there ("NCT01234567").
_ARTICLE_NUMBER = re.compile(r"[A-Za-z]?\d+")
# A DOI given as a link or with a prefix in a tag that is not DO.
_DOI_LIKE = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*|10\.\d{4,9}/)", re.IGNORECASE)


class OwnTagNames(dict):
    """A rispy mapping that keys every tag by itself."""

    def __missing__(self, tag: str) -> str:
        return tag


_PARSER = rispy.RisParser(
    mapping=OwnTagNames(), list_tags=LIST_TAGS, delimiter_tags_mapping={}, enforce_list_tags=False,
)


def parse_ris(text: str, filename: str) -> tuple[list[Citation], list[LeftOut]]:
    """The file's records, and the tag lines that belong to none of them."""
    left_out: list[LeftOut] = []
    records = _PARSER.parse_lines(_clean_lines(text, left_out))
    return [_citation(record) for record in records], left_out


def _clean_lines(text: str, left_out: list[LeftOut]) -> Iterator[str]:
    """The file's records as ``TG  - value`` lines, each record opened by ``TY`` and closed by ``ER``.

    Between one record's ``ER`` and the next ``TY`` databases write more than
    numbering and links: Ovid puts tag lines there (``NL  - ...``, ``C1  -
    Database: Embase ...`` before its search history), while other exports
    start a record with a few tags before its ``TY`` line, or leave a record
    without one. So tag lines between records are held until it is clear
    which: a run that leads straight into a ``TY`` line (no blank or other
    line between) starts that record, and one that ends with an ``ER`` of its
    own is a record without a ``TY``; any other belongs to the record just
    closed, or, before the first record, to nothing: it is left out and named
    in ``left_out``."""
    pending = ""  # the last tag line of a record, held back while continuation lines may extend it
    last_tag = ""
    in_record = False
    closed = False  # a record was closed and may still take the tag lines that follow its ER
    held: list[tuple[int, str]] = []  # tag lines between records: (line number, the cleaned line)
    detached = 0  # held[:detached] are set apart from what follows by a blank or other line

    def settle(lines: list[tuple[int, str]]) -> Iterator[str]:
        """Tag lines after a record's ER go to that record; before the first record, nowhere."""
        for number, line in lines:
            if closed:
                yield line
            else:
                left_out.append(LeftOut.of(number, line, "a tag line before the first record"))

    for number, line in enumerate(text.split("\n"), start=1):
        line = line.rstrip().rstrip("\x1a")
        match = _TAG_LINE.match(line)
        if in_record:
            if match:
                tag, value = match.group(1), (match.group(2) or "").strip()
                if pending:
                    yield pending
                    pending = ""
                if tag == "TY":  # a new record before this one's ER
                    yield "ER  - "
                    yield f"TY  - {value}"
                elif tag == "ER":
                    in_record, closed, held, detached = False, True, [], 0
                else:
                    pending, last_tag = f"{tag}  - {value}", tag
            elif line.strip():
                if not pending:  # text after TY and before any other tag: it continues nothing
                    left_out.append(LeftOut.of(number, line, "a line of a record before its first tag"))
                elif last_tag in LIST_TAGS:
                    yield pending
                    pending = f"{last_tag}  - {line.strip()}"
                else:
                    pending += " " + line.strip()
            continue
        if not match:  # numbering, links, search history, blank lines
            detached = len(held)
            continue
        tag, value = match.group(1), (match.group(2) or "").strip()
        if tag not in ("TY", "ER"):
            held.append((number, f"{tag}  - {value}"))
            continue
        starting = held[detached:]
        if tag == "ER" and not starting:
            continue  # an ER with nothing to close
        yield from settle(held[:detached])
        if closed:
            yield "ER  - "
        yield f"TY  - {value if tag == 'TY' else ''}"
        yield from (line for _, line in starting)
        held, detached, last_tag = [], 0, ""
        in_record, closed = tag == "TY", tag == "ER"
    if pending:
        yield pending
    yield from settle(held)
    if in_record or closed:
        yield "ER  - "


def _tag_values(record: dict) -> dict[str, list[str]]:
    """Each tag's non-empty values as a list, whether rispy gave a string or a
    list. Built once per record: a citation looks up some forty tags."""
    values = {}
    for tag, value in record.items():
        items = [value] if isinstance(value, str) else value
        values[tag] = [item for item in items if item]
    return values


def _values(values: dict[str, list[str]], tag: str) -> list[str]:
    return values.get(tag, [])


def _first(values: dict[str, list[str]], *tags: str) -> str:
    for tag in tags:
        found = values.get(tag)
        if found:
            return found[0]
    return ""


def _citation(record: dict) -> Citation:
    values = _tag_values(record)
    abstracts = [" ".join(_values(values, tag)) for tag in ("AB", "N2")]
    return Citation(
        title=_first(values, "TI", "T1", "CT", "BT"),
        # EndNote and Ovid write the abstract in N2 and sometimes a note in AB.
        abstract=max(abstracts, key=len),
        authors=list(dict.fromkeys(_values(values, "AU") + _values(values, "A1"))),
        year=parse_year(*(_first(values, tag) for tag in ("PY", "Y1", "DA"))),
        journal=_journal(values),
        volume=_first(values, "VL"),
        issue=_first(values, "IS", "CP"),
        pages=join_pages(_first(values, "SP"), _first(values, "EP")) or _article_number(values),
        doi=_doi(values),
        pmid=_pmid(values),
        keywords=split_keywords(_values(values, "KW")),
        url=_first(values, "UR", "L2"),
        type=_first(values, "TY"),
        source_id=_first(values, "ID"),
        raw={tag: value for tag, value in record.items() if value},
    )


def _journal(values: dict[str, list[str]]) -> str:
    # EBSCOhost writes an alternative title or subtitle in T2 and the journal in JO/JF/J1
    # (zotero/translators#1700). SO is the journal in RIS written by R tools from Web of Science data.
    if any("ebsco" in provider.lower() for provider in _values(values, "DP")):
        return _first(values, "JF", "JO", "J1", "JA", "J2")
    return _first(values, "JF", "T2", "JO", "JA", "J2", "J1", "SO")


def _article_number(values: dict[str, list[str]]) -> str:
    """Scopus gives an article printed without pages its article number in C7 ("093903", "e0123456")."""
    number = _first(values, "C7")
    return number if _ARTICLE_NUMBER.fullmatch(number) else ""


def _doi(values: dict[str, list[str]]) -> str:
    doi = normalise_doi(_first(values, "DO", "DI"))
    if doi:
        return doi
    for tag in ("UR", "L1", "L2", "L3", "L4", "M3"):
        for value in _values(values, tag):
            if _DOI_LIKE.match(value):
                return normalise_doi(value)
    return ""


def _pmid(values: dict[str, list[str]]) -> str:
    databases = " ".join(_values(values, "DB") + _values(values, "DP")).lower()
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
        if _first(values, tag).isdigit():
            return _first(values, tag)
    return pmid_in_text(*(value for tag in _NOTE_TAGS for value in _values(values, tag)))
