"""BibTeX, read with bibtexparser; LaTeX accents become Unicode and the
braces that protect capitals are dropped."""

from __future__ import annotations

import re

import bibtexparser
from bibtexparser.bibdatabase import UndefinedString
from bibtexparser.bparser import BibTexParser
from bibtexparser.customization import convert_to_unicode

from screening.citation import Citation
from screening.importers.fields import join_pages, parse_year, split_keywords
from screening.importers.left_out import LeftOut

# An entry's opening line: "@article{key," (not @comment, @string, @preamble).
_ENTRY_START = re.compile(r"^[ \t]*@(?!comment\b|string\b|preamble\b)([A-Za-z]+)[ \t]*[{(][ \t]*([^,\s]*)", re.MULTILINE | re.IGNORECASE)


def parse_bibtex(text: str, filename: str) -> tuple[list[Citation], list[LeftOut]]:
    """The entries bibtexparser reads, and the opening line of each it cannot read."""
    entries = _entries(text)
    return [_citation(entry) for entry in entries], _dropped(text, {entry.get("ID", "") for entry in entries})


# A file naming more undefined @string macros than this is not worth reading again for each.
_MAX_UNDEFINED = 50


def _entries(text: str) -> list[dict[str, str]]:
    """bibtexparser refuses a whole file for one macro it does not know (``journal = nmi`` with
    no ``@string{nmi = ...}``): such a macro is read as its own name, which is what the file says."""
    undefined: dict[str, str] = {}
    while True:
        parser = BibTexParser(common_strings=True, ignore_nonstandard_types=False)
        parser.customization = convert_to_unicode
        parser.bib_database.strings.update(undefined)
        try:
            return bibtexparser.loads(text, parser=parser).entries
        except UndefinedString as error:
            name = str(error.args[0]) if error.args else ""
            if name in undefined or len(undefined) >= _MAX_UNDEFINED:
                raise
            undefined[name] = name


def _dropped(text: str, keys: set[str]) -> list[LeftOut]:
    """bibtexparser skips an entry it cannot read without a word: name each, by the line it starts on."""
    return [
        LeftOut.of(text.count("\n", 0, match.start()) + 1, match.group(0).strip(),
                   f"the @{match.group(1)} entry {match.group(2)!r} cannot be read: check its braces and commas")
        for match in _ENTRY_START.finditer(text) if match.group(2) not in keys
    ]


def _clean(value: str) -> str:
    return " ".join(value.replace("{", "").replace("}", "").split())


def _citation(entry: dict[str, str]) -> Citation:
    fields = {name: _clean(value) for name, value in entry.items()}

    def first(*names: str) -> str:
        return next((fields[name] for name in names if fields.get(name)), "")

    authors = [name.strip() for name in re.split(r"\s+and\s+", first("author")) if name.strip()]
    return Citation(
        title=first("title"),
        abstract=first("abstract"),
        authors=authors,
        year=parse_year(first("year"), first("date")),
        journal=first("journal", "journaltitle", "booktitle"),
        volume=first("volume"),
        issue=first("number", "issue"),
        pages=join_pages(first("pages")),
        doi=first("doi"),
        pmid=first("pmid"),
        keywords=split_keywords(first("keywords", "keyword").replace(",", ";")),
        url=first("url"),
        type=first("ENTRYTYPE"),
        source_id=first("ID"),
        raw=fields,
    )
