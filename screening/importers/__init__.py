"""Reading search results exported from bibliographic databases and
reference managers. ``parse_file`` is the one entry point: it detects the
encoding and the format from the bytes and returns ``Citation`` objects."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from screening.citation import Citation
from screening.importers.bibtex import parse_bibtex
from screening.importers.detect import OLE_MAGIC, ZIP_MAGIC, delimiter_of, detect_text_format
from screening.importers.endnote_xml import parse_endnote_xml
from screening.importers.errors import ImportFormatError
from screening.importers.left_out import LeftOut, left_out_summary
from screening.importers.medline import parse_medline
from screening.importers.ovid_tagged import parse_ovid_tagged
from screening.importers.ris import parse_ris
from screening.importers.tabular import parse_delimited, parse_endnote_tab, parse_xlsx
from screening.importers.text import decode
from screening.importers.wos import parse_wos

__all__ = ["FORMAT_NAMES", "ImportFormatError", "LeftOut", "ParsedFile", "left_out_summary", "parse_file"]

FORMAT_NAMES = {
    "ris": "RIS",
    "medline": "MEDLINE/nbib",
    "wos": "Web of Science plain text",
    "ovid_tagged": "Ovid tagged text",
    "bibtex": "BibTeX",
    "endnote_xml": "EndNote XML",
    "endnote_tab": "EndNote tab-delimited",
    "csv": "CSV",
    "tsv": "TSV",
    "xlsx": "XLSX",
}


@dataclass
class ParsedFile:
    format: str
    encoding: str
    citations: list[Citation] = field(default_factory=list)
    # Lines that belong to no record (a tag line before the first one ...), for the import's report.
    left_out: list[LeftOut] = field(default_factory=list)


def _parse_csv(text: str, filename: str) -> list[Citation]:
    return parse_delimited(text, filename, delimiter_of(text.split("\n", 1)[0]) or ",")


def _parse_tsv(text: str, filename: str) -> list[Citation]:
    return parse_delimited(text, filename, "\t")


# Formats read record by record: what no record can take, or a record that cannot be read, is left
# out and named, and the rest is imported.
_LENIENT_PARSERS: dict[str, Callable[[str, str], tuple[list[Citation], list[LeftOut]]]] = {
    "ris": parse_ris,
    "medline": parse_medline,
    "wos": parse_wos,
    "ovid_tagged": parse_ovid_tagged,
    "bibtex": parse_bibtex,
}
_TEXT_PARSERS: dict[str, Callable[[str, str], list[Citation]]] = {
    "endnote_xml": parse_endnote_xml,
    "endnote_tab": parse_endnote_tab,
    "csv": _parse_csv,
    "tsv": _parse_tsv,
}


def parse_file(data: bytes, filename: str) -> ParsedFile:
    """Parse an uploaded export. ``filename`` is used only in messages.

    Raises ``ImportFormatError`` for an empty, binary, unknown or malformed
    file, and for a file that holds no records at all. Records with neither
    title nor abstract are kept: the caller asks the user about them."""
    if not data:
        raise ImportFormatError(
            filename, None,
            "the file is empty (0 bytes). Export the search results again and upload that file.",
        )
    if data.startswith(ZIP_MAGIC):
        parsed = ParsedFile("xlsx", "", parse_xlsx(data, filename))
    elif data.startswith(OLE_MAGIC):
        raise ImportFormatError(
            filename, None,
            "this is an old Excel .xls workbook, which Winnow does not read. "
            "Open it in Excel or LibreOffice and save it as .xlsx or CSV.",
        )
    else:
        text, encoding = decode(data, filename)
        if not text.strip():
            raise ImportFormatError(
                filename, None,
                "the file holds only blank lines. Export the search results again and upload that file.",
            )
        format_ = detect_text_format(text)
        if format_ is None:
            start = text.strip().split("\n", 1)[0][:60]
            raise ImportFormatError(
                filename, 1,
                f"this is not a format Winnow reads: {', '.join(FORMAT_NAMES.values())}. "
                f"The file starts with {start!r}. Export the search results again in one of these formats.",
            )
        if format_ in _LENIENT_PARSERS:
            citations, left_out = _LENIENT_PARSERS[format_](text, filename)
        else:
            citations, left_out = _TEXT_PARSERS[format_](text, filename), []
        parsed = ParsedFile(format_, encoding, citations, left_out)
    if not parsed.citations:
        unread = f" ({left_out_summary(parsed.left_out)})" if parsed.left_out else ""
        raise ImportFormatError(
            filename, None,
            f"no records found in this {FORMAT_NAMES[parsed.format]} file{unread}. "
            "Check that the export finished and holds the search results.",
        )
    return parsed
