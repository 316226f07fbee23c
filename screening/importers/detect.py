"""Which format a file is in, judged from its content. The file name is not
trusted: databases name RIS files .txt and spreadsheets .csv freely."""

from __future__ import annotations

import re

from screening.importers import ovid_tagged
from screening.importers.tabular import COLUMN_NAMES, column_key

_ENDNOTE_XML = re.compile(r"<(?:xml|records?)\b", re.IGNORECASE)
_MEDLINE = re.compile(r"^PMID- ?\d", re.MULTILINE)
# Web of Science plain text ends each record with a bare "ER" line.
_WOS_END = re.compile(r"^ER\s*$", re.MULTILINE)
_RIS = re.compile(r"^[ \t]*TY {1,2}-", re.MULTILINE)
_BIBTEX = re.compile(r"^[ \t]*@[A-Za-z]+[ \t]*[{(]", re.MULTILINE)
_DELIMITERS = ("\t", ",", ";")
# The first record of every format lies in the file's first characters, even after Ovid's
# search history; searching a 100 MB file for a MEDLINE tag it lacks cost a second.
_SNIFFED = 200_000

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"


def detect_text_format(text: str) -> str | None:
    """``ris``, ``medline``, ``wos``, ``ovid_tagged``, ``bibtex``, ``endnote_xml``,
    ``endnote_tab``, ``csv`` or ``tsv``; ``None`` for anything else."""
    head = text.lstrip()[:_SNIFFED]
    first_line = head.split("\n", 1)[0]
    if head.startswith("<") and _ENDNOTE_XML.search(head[:2000]):
        return "endnote_xml"
    if first_line.startswith("*") and "\t" not in first_line:
        return "endnote_tab"
    if _MEDLINE.search(head):
        return "medline"
    if (first_line.startswith("FN ") or first_line.startswith("PT ")) and _WOS_END.search(head):
        return "wos"  # "FN Clarivate Analytics Web of Science", "VR 1.0", "PT J" ...
    if ovid_tagged.detects(head):
        return "ovid_tagged"
    if _RIS.search(head):
        return "ris"
    if _BIBTEX.search(head):
        return "bibtex"
    delimiter = delimiter_of(first_line)
    if delimiter == "\t":
        keys = {column_key(name) for name in first_line.split("\t")}
        return "endnote_tab" if "referencetype" in keys else "tsv"
    if delimiter:
        return "csv"
    if column_key(first_line) in COLUMN_NAMES["title"] + COLUMN_NAMES["abstract"]:
        return "csv"
    return None


def delimiter_of(header: str) -> str | None:
    """The character a header row is split on: the commonest of tab, comma
    and semicolon (European Excel writes ``;``)."""
    counts = {delimiter: header.count(delimiter) for delimiter in _DELIMITERS}
    best = max(counts, key=counts.get)
    return best if counts[best] else None
