"""Spreadsheet-shaped exports: CSV, TSV, XLSX and EndNote tab-delimited text.

Columns are matched by name, ignoring case, spaces and punctuation, against
the names the common exports use (ASReview, Zotero, Rayyan, Covidence,
Scopus, PubMed, EndNote), so no one has to rename columns by hand; Web of
Science's tab-delimited export, headed by its field tags, is read by what
those tags mean."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Iterator

from screening.citation import Citation
from screening.importers.errors import ImportFormatError
from screening.importers.fields import (
    clean_pmid,
    join_pages,
    parse_year,
    pmid_in_text,
    split_authors,
    split_keywords,
)

# For each Citation field, the column names that fill it, best first. When a
# row leaves the best column empty, the next one present is used.
COLUMN_NAMES: dict[str, tuple[str, ...]] = {
    "title": ("title", "primarytitle", "articletitle", "documenttitle", "ti", "t1"),
    "abstract": ("abstract", "abstractnote", "ab", "n2"),
    "authors": ("authors", "author", "authorfullnames", "au", "a1"),
    "year": ("year", "publicationyear", "publishedyear", "pubyear", "py", "date", "publicationdate"),
    "journal": (
        "journal", "publicationtitle", "sourcetitle", "journaltitle", "journalbook",
        "journalname", "secondarytitle", "jf", "t2", "jo",
    ),
    "volume": ("volume", "vl"),
    "issue": ("issue", "number", "is"),
    "pages": ("pages", "page", "pg"),
    "doi": ("doi", "di", "do", "electronicresourcenumber"),
    "pmid": ("pmid", "pubmedid", "pubmed"),
    "url": ("url", "link", "urls", "ur"),
    "type": ("itemtype", "referencetype", "documenttype", "publicationtype", "type", "ty"),
    "source_id": ("recordid", "id", "key", "recordnumber", "covidence", "refid"),
}
KEYWORD_COLUMNS = (
    "keywords", "keyword", "manualtags", "automatictags", "authorkeywords",
    "indexkeywords", "meshterms", "kw", "tags",
)
_PAGE_RANGE_COLUMNS = (("pagestart", "pageend"), ("startpage", "endpage"))
# An electronic article number (Scopus's "Art. No."), the locator of an article printed without pages.
_ARTICLE_NUMBER_COLUMNS = ("artno", "articlenumber")

# Web of Science's tab-delimited export heads its columns with its field tags, several of which
# mean something else under the names above ("ID" is Keywords Plus, "SP" conference sponsors,
# "PG" the page count, "DA" the date the file was made); a header with PT, UT and SO is one.
_WOS_SIGNATURE = {"pt", "ut", "so"}
WOS_COLUMN_NAMES: dict[str, tuple[str, ...]] = {
    "title": ("ti",), "abstract": ("ab",), "authors": ("af", "au"), "year": ("py", "ey", "pd"),
    "journal": ("so",), "volume": ("vl",), "issue": ("is",), "pages": (), "doi": ("di",), "pmid": ("pm",),
    "url": (), "type": ("dt", "pt"), "source_id": ("ut",),
}
_WOS_KEYWORDS = ("de", "id")
_WOS_PAGES = ("bp", "ep")
_WOS_ARTICLE_NUMBER = ("ar",)
# Free-text columns where a PubMed id hides as "PMID: 123" (Zotero's Extra).
_NOTE_COLUMNS = ("extra", "notes", "note")

_FORMULA_STARTS = ("=", "+", "-", "@")
_MAX_FIELD = 10 * 1024 * 1024


def column_key(name: str) -> str:
    """``Abstract Note`` -> ``abstractnote``; ``record_id`` -> ``recordid``."""
    return re.sub(r"[^0-9a-z]", "", name.lower())


def parse_delimited(text: str, filename: str, delimiter: str) -> list[Citation]:
    return _citations(_csv_rows(text, filename, delimiter, first_line=1), filename)


def parse_endnote_tab(text: str, filename: str) -> list[Citation]:
    """EndNote's tab-delimited text: a ``*Journal Article`` (or ``*Generic``)
    line naming the default reference type, then a header row of EndNote
    field names, then one row per reference. The type line may be missing
    when a ``Reference Type`` column names each row's type."""
    reference_type, first_line = "", 1
    if text.startswith("*"):
        type_line, _, text = text.partition("\n")
        reference_type, first_line = type_line.lstrip("*").strip(), 2
    citations = _citations(_csv_rows(text, filename, "\t", first_line), filename)
    for citation in citations:
        citation.type = citation.type or reference_type
    return citations


# An XLSX is a ZIP of XML. A real export unpacks to a few times its size; a "zip bomb" unpacks a
# small upload to gigabytes and would hold an import job for hours. The sizes are the archive's
# own declarations, which Python's zipfile never reads past.
MAX_UNPACKED_BYTES = 1 << 30
MAX_RATIO = 100  # unpacked / packed, for archives unpacking beyond RATIO_FROM_BYTES
RATIO_FROM_BYTES = 50 << 20
MAX_MEMBERS = 10_000


def check_workbook(data: bytes, filename: str) -> None:
    """Refuse a ZIP that is not an Excel workbook, or that would unpack far beyond what a
    workbook of its size holds, before anything reads its sheets."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise ImportFormatError(filename, None, f"this is a ZIP file but not an Excel workbook Winnow can read "
                                f"({error}). Open it in Excel or LibreOffice and save it as .xlsx or CSV.") from error
    names = {member.filename for member in members}
    if "[Content_Types].xml" not in names or not any(name.startswith("xl/") for name in names):
        raise ImportFormatError(filename, None, "this is a ZIP archive, not an Excel workbook. Upload the export "
                                "itself (RIS, CSV, XLSX ...), not a folder of files zipped together.")
    unpacked = sum(member.file_size for member in members)
    if (len(members) > MAX_MEMBERS or unpacked > MAX_UNPACKED_BYTES
            or (unpacked > RATIO_FROM_BYTES and unpacked > MAX_RATIO * len(data))):
        raise ImportFormatError(
            filename, None,
            f"this workbook would unpack from {len(data) / 2**20:.1f} MB to {unpacked / 2**20:.0f} MB in "
            f"{len(members)} parts, far more than a spreadsheet of records holds, so Winnow does not open it. "
            "Save the records from Excel or LibreOffice as a fresh .xlsx or as CSV.")


def parse_xlsx(data: bytes, filename: str) -> list[Citation]:
    # openpyxl is only needed for spreadsheets; importing it here keeps the
    # other formats from paying for it. With defusedxml installed (a dependency), openpyxl
    # refuses XML entity bombs inside the workbook.
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    check_workbook(data, filename)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise ImportFormatError(
            filename, None,
            f"this is a ZIP file but not an Excel workbook Winnow can read ({error}). "
            "Open it in Excel or LibreOffice and save it as .xlsx or CSV.",
        ) from error
    except Exception as error:  # openpyxl on a damaged workbook fails in a dozen ways (zlib, XML, types)
        raise _damaged(filename, error) from error
    try:
        return _citations(_sheet_rows(workbook, filename), filename)
    finally:
        workbook.close()


def _sheet_rows(workbook, filename: str) -> Iterator[tuple[int, list[str]]]:
    """The first sheet's rows; only openpyxl's reading is guarded here, not what uses the rows."""
    try:
        for number, row in enumerate(workbook.worksheets[0].iter_rows(values_only=True), start=1):
            yield number, [_cell_text(value) for value in row]
    except Exception as error:  # a sheet's compressed data or XML damaged part-way
        raise _damaged(filename, error) from error


def _damaged(filename: str, error: Exception) -> ImportFormatError:
    return ImportFormatError(filename, None, f"this Excel workbook is damaged ({type(error).__name__}: "
                             f"{str(error)[:120]}). Open it in Excel or LibreOffice and save it again as .xlsx or CSV.")


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        # A year or volume typed into Excel comes back as 2019.0.
        return str(int(value))
    return str(value).strip()


def _csv_rows(text: str, filename: str, delimiter: str, first_line: int) -> Iterator[tuple[int, list[str]]]:
    """Rows with the file line each starts on. ``strict`` makes an unclosed
    quote an error instead of silently swallowing the rest of the file."""
    # The limit is process-wide; abstracts and keyword lists can pass the
    # default 128 KB in EndNote exports.
    csv.field_size_limit(max(csv.field_size_limit(), _MAX_FIELD))
    reader = csv.reader(io.StringIO(text), delimiter=delimiter, strict=True)
    while True:
        start = first_line + reader.line_num
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise ImportFormatError(
                filename, start,
                f"this row cannot be read as {_delimiter_name(delimiter)}-separated values ({error}). "
                "Check that a quoted cell is closed with a double quote and that quotes inside "
                "a cell are doubled (\"\").",
            ) from error
        yield start, row


def _delimiter_name(delimiter: str) -> str:
    return {"\t": "tab", ",": "comma", ";": "semicolon"}[delimiter]


def _citations(rows: Iterable[tuple[int, list[str]]], filename: str) -> list[Citation]:
    rows = iter(rows)
    header = next((row for _, row in rows if any(cell.strip() for cell in row)), None)
    if header is None:
        raise ImportFormatError(filename, None, "the file has no header row and no records.")
    header = [cell.strip() for cell in header]
    columns = _map_columns(header, filename)
    citations = []
    for _, row in rows:
        cells = {name: _unescape(value.strip()) for name, value in zip(header, row) if name and value and value.strip()}
        if cells:
            citations.append(_citation(cells, columns))
    return citations


def _unescape(cell: str) -> str:
    """Drop the apostrophe a spreadsheet-safe export (Winnow's own included)
    puts before a cell that would otherwise run as a formula."""
    return cell[1:] if cell[:1] == "'" and cell[1:2] in _FORMULA_STARTS else cell


def _map_columns(header: list[str], filename: str) -> dict[str, list[str]]:
    """For each field (and ``keywords``, ``page_start``, ``page_end``,
    ``notes``), the header names present that fill it, best first."""
    by_key: dict[str, str] = {}
    for name in header:
        by_key.setdefault(column_key(name), name)
    wos = _WOS_SIGNATURE <= by_key.keys()
    names, keywords, ranges, numbers, notes = (
        (WOS_COLUMN_NAMES, _WOS_KEYWORDS, (_WOS_PAGES,), _WOS_ARTICLE_NUMBER, ()) if wos
        else (COLUMN_NAMES, KEYWORD_COLUMNS, _PAGE_RANGE_COLUMNS, _ARTICLE_NUMBER_COLUMNS, _NOTE_COLUMNS)
    )
    columns = {field: [by_key[key] for key in keys if key in by_key] for field, keys in names.items()}
    columns["keywords"] = [by_key[key] for key in keywords if key in by_key]
    columns["notes"] = [by_key[key] for key in notes if key in by_key]
    columns["article_number"] = [by_key[key] for key in numbers if key in by_key]
    for start, end in ranges:
        if start in by_key:
            columns.setdefault("page_start", [by_key[start]])
            columns.setdefault("page_end", [by_key[end]] if end in by_key else [])
    if not columns["title"] and not columns["abstract"]:
        found = ", ".join(repr(name) for name in header if name) or "none"
        raise ImportFormatError(
            filename, 1,
            f"no column holds titles or abstracts. Columns found: {found}. "
            f"Winnow reads titles from a column named one of {_accepted('title')} "
            f"and abstracts from one of {_accepted('abstract')} (case, spaces and "
            "punctuation do not matter). Rename the column and upload the file again.",
        )
    return columns


def _accepted(field: str) -> str:
    return ", ".join(COLUMN_NAMES[field])


def _citation(cells: dict[str, str], columns: dict[str, list[str]]) -> Citation:
    def first(field: str) -> str:
        return next((cells[name] for name in columns.get(field, ()) if name in cells), "")

    pages = first("pages") or join_pages(first("page_start"), first("page_end")) or first("article_number")
    return Citation(
        title=first("title"),
        abstract=first("abstract"),
        authors=split_authors(first("authors")),
        year=parse_year(*(cells.get(name) for name in columns["year"])),
        journal=first("journal"),
        volume=first("volume"),
        issue=first("issue"),
        pages=pages,
        doi=first("doi"),
        pmid=clean_pmid(first("pmid")) or pmid_in_text(*(cells.get(name, "") for name in columns["notes"])),
        keywords=split_keywords([cells[name] for name in columns["keywords"] if name in cells]),
        url=first("url"),
        type=first("type"),
        source_id=first("source_id"),
        raw=cells,
    )
