"""An XLSX workbook of plain tables, written straight to its XML parts.

A 300-study export is some 150,000 cells; a spreadsheet library makes an object of each
cell, and that alone took more than the 2 s an export may take. A table here needs only text
and numbers, a bold header row frozen at the top (and the study columns at the left), and
column widths, so each sheet is written as the Office Open XML text itself, row by row, into
the zip. Texts are inline strings: nothing a reviewer typed is ever read as a formula (or as
an error code such as ``#N/A``), and a reader sees it exactly as typed. Characters XML 1.0
cannot hold (control characters other than tab and line breaks) are dropped.

Tests read every workbook back with openpyxl; LibreOffice opens them too."""

from __future__ import annotations

import io
import math
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from openpyxl.utils import get_column_letter

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_RELATIONSHIPS = "http://schemas.openxmlformats.org/package/2006/relationships"
MAX_TEXT = 32767  # what a cell can hold

_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")  # tab, line feed and carriage return are allowed
_XML_SPECIAL = re.compile(r"[&<>\r]")
_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"}  # a bare CR would read back as LF


@dataclass(frozen=True)
class Sheet:
    name: str  # at most 31 characters, none of []:*?/\ (the caller makes it so)
    headers: Sequence[Any]
    rows: Iterable[Sequence[Any]]
    frozen_columns: int = 0  # columns kept in view at the left, beside the frozen header row
    widths: Sequence[float] = ()


def text(value: str) -> str:
    """A text as XML character data: dropped what XML refuses, escaped the rest."""
    if _NOT_XML.search(value):
        value = _NOT_XML.sub("", value)
    if _XML_SPECIAL.search(value):
        value = _XML_SPECIAL.sub(lambda match: _ESCAPES[match.group()], value)
    return value


def _attribute(value: str) -> str:
    return text(value).replace('"', "&quot;")


def _cells(values: Sequence[Any], number: int, columns: list[str], style: str) -> str:
    """One row's XML; an empty value ("" or None) has no cell at all."""
    parts = [f'<row r="{number}">']
    for index, value in enumerate(values):
        if value is None or value == "":
            continue
        if index >= len(columns):
            columns.extend(get_column_letter(n + 1) for n in range(len(columns), index + 1))
        where = f"{columns[index]}{number}"
        if value is True or value is False:
            parts.append(f'<c r="{where}" t="b"{style}><v>{int(value)}</v></c>')
        elif isinstance(value, int) or (isinstance(value, float) and math.isfinite(value)):
            parts.append(f'<c r="{where}"{style}><v>{value!r}</v></c>')
        else:
            content = text(str(value)[:MAX_TEXT])
            space = ' xml:space="preserve"' if content[:1].isspace() or content[-1:].isspace() else ""
            parts.append(f'<c r="{where}" t="inlineStr"{style}><is><t{space}>{content}</t></is></c>')
    parts.append("</row>")
    return "".join(parts)


def _sheet_head(sheet: Sheet) -> str:
    frozen = sheet.frozen_columns
    corner = f"{get_column_letter(frozen + 1)}2"
    pane = (f'<pane xSplit="{frozen}" ySplit="1" topLeftCell="{corner}" activePane="bottomRight" state="frozen"/>'
            '<selection pane="bottomRight"/>' if frozen else
            f'<pane ySplit="1" topLeftCell="{corner}" activePane="bottomLeft" state="frozen"/>'
            '<selection pane="bottomLeft"/>')
    cols = "".join(f'<col min="{n}" max="{n}" width="{width:g}" customWidth="1"/>'
                   for n, width in enumerate(sheet.widths, start=1))
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{MAIN}">'
            f'<sheetViews><sheetView workbookViewId="0">{pane}</sheetView></sheetViews>'
            f'<sheetFormatPr defaultRowHeight="15"/>' + (f"<cols>{cols}</cols>" if cols else "") + "<sheetData>")


_STYLES = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<styleSheet xmlns="{MAIN}">'
           '<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
           '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
           '<fills count="2"><fill><patternFill patternType="none"/></fill>'
           '<fill><patternFill patternType="gray125"/></fill></fills>'
           '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
           '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
           '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
           '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>'
           '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
           '</styleSheet>')
_BOLD = ' s="1"'
_ROWS_PER_WRITE = 500


def write(sheets: Sequence[Sheet]) -> bytes:
    """The workbook's bytes: one worksheet per sheet, in order."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as book:
        overrides = "".join(f'<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="application/'
                            'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
                            for n in range(1, len(sheets) + 1))
        book.writestr("[Content_Types].xml", (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/styles.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            f'{overrides}</Types>'))
        book.writestr("_rels/.rels", (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="{PACKAGE_RELATIONSHIPS}">'
            f'<Relationship Id="rId1" Type="{RELATIONSHIPS}/officeDocument" Target="xl/workbook.xml"/>'
            '</Relationships>'))
        entries = "".join(f'<sheet name="{_attribute(sheet.name)}" sheetId="{n}" r:id="rId{n}"/>'
                          for n, sheet in enumerate(sheets, start=1))
        book.writestr("xl/workbook.xml", (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook xmlns="{MAIN}" '
            f'xmlns:r="{RELATIONSHIPS}"><bookViews><workbookView/></bookViews><sheets>{entries}</sheets></workbook>'))
        links = "".join(f'<Relationship Id="rId{n}" Type="{RELATIONSHIPS}/worksheet" Target="worksheets/sheet{n}.xml"/>'
                        for n in range(1, len(sheets) + 1))
        book.writestr("xl/_rels/workbook.xml.rels", (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="{PACKAGE_RELATIONSHIPS}">'
            f'{links}<Relationship Id="rId{len(sheets) + 1}" Type="{RELATIONSHIPS}/styles" Target="styles.xml"/>'
            '</Relationships>'))
        book.writestr("xl/styles.xml", _STYLES)
        for n, sheet in enumerate(sheets, start=1):
            columns: list[str] = []
            with book.open(f"xl/worksheets/sheet{n}.xml", "w") as part:
                chunk = [_sheet_head(sheet), _cells(sheet.headers, 1, columns, _BOLD)]
                for number, row in enumerate(sheet.rows, start=2):
                    chunk.append(_cells(row, number, columns, ""))
                    if len(chunk) >= _ROWS_PER_WRITE:
                        part.write("".join(chunk).encode("utf-8"))
                        chunk = []
                chunk.append("</sheetData></worksheet>")
                part.write("".join(chunk).encode("utf-8"))
    return out.getvalue()
