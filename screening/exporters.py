"""Writing citations back out as RIS (for Zotero, EndNote and other
screening tools) and as CSV (for spreadsheets). Both read back through
``screening.importers.parse_file`` with the same fields."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

import rispy

from screening.citation import Citation

CSV_COLUMNS = [
    "record_id", "title", "abstract", "authors", "year", "journal", "volume",
    "issue", "pages", "doi", "pmid", "keywords", "url",
]

# Reference types written by the importers' sources, as RIS codes; anything
# else is exported as a journal article, the commonest type in a search.
_RIS_TYPES = {
    "journal article": "JOUR", "journalarticle": "JOUR", "article": "JOUR",
    "book": "BOOK", "book section": "CHAP", "booksection": "CHAP", "incollection": "CHAP",
    "conference paper": "CPAPER", "conferencepaper": "CPAPER", "inproceedings": "CPAPER",
    "conference proceedings": "CONF", "thesis": "THES", "phdthesis": "THES",
    "report": "RPRT", "techreport": "RPRT", "generic": "GEN",
}
# A cell starting with one of these runs as a formula when the CSV is opened
# in a spreadsheet; a leading apostrophe makes it text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class _RisWriter(rispy.RisWriter):
    """rispy's writer without its ``1.`` line before each record, which
    some readers take for a stray line."""

    def set_header(self, count: int) -> str:
        return ""


def citations_to_ris(citations: Sequence[Citation], ids: Sequence[object] | None = None) -> str:
    """RIS text, one record per citation; ``ids`` (the database's record
    ids, say) go in each record's ``ID`` tag, else the citation's own id."""
    entries = [_ris_entry(citation, record_id) for citation, record_id in _with_ids(citations, ids)]
    return rispy.dumps(entries, implementation=_RisWriter)


def citations_to_csv(citations: Sequence[Citation], ids: Sequence[object] | None = None) -> str:
    """CSV text with ``CSV_COLUMNS``; authors and keywords joined with ``; ``."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for citation, record_id in _with_ids(citations, ids):
        row = [
            record_id, citation.title, citation.abstract, _join_authors(citation.authors),
            citation.year or "", citation.journal, citation.volume, citation.issue, citation.pages,
            citation.doi, citation.pmid, "; ".join(citation.keywords), citation.url,
        ]
        writer.writerow([neutralise_formula(str(value)) for value in row])
    return buffer.getvalue()


def _with_ids(citations: Sequence[Citation], ids: Sequence[object] | None) -> list[tuple[Citation, str]]:
    if ids is None:
        return [(citation, citation.source_id) for citation in citations]
    return [(citation, str(record_id)) for citation, record_id in zip(citations, ids, strict=True)]


def _join_authors(authors: list[str]) -> str:
    # The importer splits one cell on " and " when it has no ";"; a lone
    # corporate author such as "Health and Safety Executive" keeps whole
    # with a trailing ";".
    joined = "; ".join(authors)
    return f"{joined};" if len(authors) == 1 and (" and " in joined or "//" in joined) else joined


def neutralise_formula(value: str) -> str:
    """A CSV cell's text that a spreadsheet shows as text, never runs: a leading apostrophe
    before a formula's first character (the importers take it off again). Extraction's and
    the summaries' tables use it too."""
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


def _one_line(value: str) -> str:
    """RIS has one value per line; a line break inside one would end it."""
    return " ".join(value.split())


def _ris_entry(citation: Citation, record_id: str) -> dict:
    start, _, end = citation.pages.partition("-")
    fields = {
        "type_of_reference": _ris_type(citation.type),
        "id": record_id,
        "title": citation.title,
        "authors": citation.authors,
        "year": str(citation.year or ""),
        "secondary_title": citation.journal,
        "volume": citation.volume,
        "number": citation.issue,
        "start_page": start,
        "end_page": end,
        "doi": citation.doi,
        "abstract": citation.abstract,
        "keywords": citation.keywords,
        "urls": [citation.url] if citation.url else [],
        # RIS has no PubMed id tag; a note in this form is what EBSCO writes
        # and what the importer reads back.
        "notes": [f"PMID: {citation.pmid}"] if citation.pmid else [],
    }
    entry = {}
    for key, value in fields.items():
        if isinstance(value, list):
            value = [_one_line(item) for item in value if item.strip()]
        else:
            value = _one_line(value)
        if value:
            entry[key] = value
    return entry


def _ris_type(value: str) -> str:
    """A type read from RIS (``JOUR``, ``CHAP`` ...) stays as it is."""
    if 2 <= len(value) <= 6 and value.isupper() and value.isalpha():
        return value
    return _RIS_TYPES.get(value.strip().lower(), "JOUR")
