"""Extraction tables: the consensus data of each form, wide (one row per study), long (one row
per study, question and value) and one table per repeatable group keyed by study, with the
provenance beside the values; the per-reviewer codings for audit; as XLSX, CSV and JSON.

Only the consensus is the study's data: a study is in the data tables once its consensus is
final. The raw codings hold only what every member may see under blind extraction. Column
headers are the questions' labels ("Section: label" where a label repeats, the unit in
brackets, "(retired)" after a retired question)."""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, select

from extraction import workbook
from extraction.extracting import load_trees
from extraction.forms import FieldDef, FormDef, definition_json, forms_of_review, load_definition
from extraction.models import CONSENSUS_SLOT, Coding, CodingKind, CodingStatus, ExtractionForm, FieldType
from extraction.studies import StudyView, included_studies
from extraction.values import Entry, Node, Row, display, is_empty
from extraction.visibility import open_to_everyone
from screening.exporters import neutralise_formula
from screening.review.errors import NotFound
from screening.review.models import Review, User



@dataclass
class Table:
    name: str
    headers: list[str]
    rows: list[list[Any]]


@dataclass(frozen=True)
class FlatValue:
    item: FieldDef
    row_label: str  # "Outcomes “Self-harm” > Time points “12 months”", "" outside groups
    entry: Entry


@dataclass
class FormData:
    """One form's codings, read in a few queries: each study's codings and their trees."""

    definition: FormDef
    studies: list[StudyView]
    codings: dict[int, list[Coding]]  # study id -> codings
    trees: dict[int, Node]  # coding id -> values

    def consensus(self, study_id: int) -> Node | None:
        for coding in self.codings.get(study_id, []):
            if coding.slot == CONSENSUS_SLOT and coding.status is CodingStatus.submitted:
                return self.trees[coding.id]
        return None


def read_form(session: Session, review: Review, form: ExtractionForm, studies: list[StudyView] | None = None, *,
              consensus_only: bool = False) -> FormData:
    studies = studies if studies is not None else included_studies(session, review, citations=False)
    codings: dict[int, list[Coding]] = defaultdict(list)
    query = select(Coding).where(Coding.review_id == review.id, Coding.form_id == form.id)
    if consensus_only:
        query = query.where(Coding.slot == CONSENSUS_SLOT)
    for coding in session.exec(query.order_by(Coding.slot)):
        codings[coding.study_id].append(coding)
    trees = load_trees(session, [coding.id for each in codings.values() for coding in each])
    return FormData(load_definition(session, form), studies, dict(codings), trees)


# --- headers -----------------------------------------------------------------------------------

def _headers(definition: FormDef, items: list[FieldDef]) -> dict[int, str]:
    """Each question's column header: its label, with its section where the label repeats."""
    counts: dict[str, int] = defaultdict(int)
    for item in items:
        counts[item.field.label.casefold()] += 1
    headers = {}
    for item in items:
        label = item.field.label
        if counts[label.casefold()] > 1:
            label = f"{definition.section_of(item.id).label}: {label}"
        if item.field.unit:
            label += f" ({item.field.unit})"
        if item.field.retired:
            label += " (retired)"
        headers[item.id] = label
    return headers


def _value_cell(item: FieldDef, value: Any) -> Any:
    """Numbers stay numbers (so a spreadsheet can sum them); everything else as text."""
    if item.field.field_type in (FieldType.integer, FieldType.decimal) and isinstance(value, (int, float)) \
            and not isinstance(value, bool):
        return value
    return display(item.field, value, item.options_by_id)


def _top_fields(definition: FormDef) -> list[FieldDef]:
    return [item for section in definition.sections for item in section.fields
            if item.field.field_type is not FieldType.group]


def _groups(definition: FormDef) -> list[tuple[FieldDef, FieldDef | None]]:
    """Every repeatable group with the group it sits in (None at the top)."""
    found = []
    for section in definition.sections:
        for item in section.fields:
            if item.field.field_type is FieldType.group:
                found.append((item, None))
                found.extend((child, item) for child in item.children if child.field.field_type is FieldType.group)
    return found


def _with_provenance(items: list[FieldDef], entries: Iterator[tuple[int, Entry]]) -> set[int]:
    wanted = {item.id for item in items}
    return {field_id for field_id, entry in entries if field_id in wanted and entry.has_provenance}


def _source_header(header: str) -> str:
    return f"{header}: source"


def source_text(entry: Entry | None) -> str:
    """A value's provenance in one companion cell: "record 12, p. 4: “quoted sentence”"."""
    if entry is None or not entry.has_provenance:
        return ""
    where = ", ".join(part for part in (f"record {entry.source_record_id}" if entry.source_record_id else "",
                                        f"p. {entry.page}" if entry.page else "") if part)
    quote = f"“{entry.quote}”" if entry.quote else ""
    return ": ".join(part for part in (where, quote) if part)


def _provenance_cells(entry: Entry | None) -> list[Any]:
    """Page, quote and source record apart, for the long tables."""
    if entry is None:
        return ["", "", ""]
    return [entry.page, entry.quote, entry.source_record_id or ""]


# --- the tables --------------------------------------------------------------------------------

def _study_cells(view: StudyView) -> list[Any]:
    return [view.study.label, view.study.id]


def wide_table(data: FormData) -> Table:
    items = _top_fields(data.definition)
    headers = _headers(data.definition, items)
    consensus = [(view, data.consensus(view.study.id)) for view in data.studies]
    consensus = [(view, node) for view, node in consensus if node is not None]
    traced = _with_provenance(items, ((fid, e) for _, node in consensus for fid, e in node.values.items()))
    columns = ["Study", "Study id"]
    for item in items:
        columns.append(headers[item.id])
        if item.id in traced:
            columns.append(_source_header(headers[item.id]))
    rows = []
    for view, node in consensus:
        row = _study_cells(view)
        for item in items:
            entry = node.values.get(item.id)
            row.append(_value_cell(item, entry.value) if entry else "")
            if item.id in traced:
                row.append(source_text(entry))
        rows.append(row)
    return Table("wide", columns, rows)


def flat_values(definition: FormDef, node: Node) -> list[FlatValue]:
    """Every value of a coding in form order, with the row it sits in named by its key."""
    found: list[FlatValue] = []

    def named(defs: list[FieldDef], target: Node, where: str) -> None:
        for item in defs:
            if item.field.field_type is FieldType.group:
                for index, row in enumerate(target.rows(item.id), start=1):
                    label = f"{item.field.label} “{_row_name(item, row, index)}”"
                    named(item.children, row, f"{where} > {label}" if where else label)
                continue
            entry = target.values.get(item.id)
            if entry is not None and (not is_empty(entry.value) or entry.has_provenance):
                found.append(FlatValue(item, where, entry))

    for section in definition.sections:
        named(section.fields, node, "")
    return found


def _row_name(group: FieldDef, row: Row, index: int) -> str:
    keys = [display(child.field, row.value(child.id), child.options_by_id) for child in group.key_children()]
    return " / ".join(key for key in keys if key) or f"row {index}"


def long_table(data: FormData) -> Table:
    """One row per value: the question named as the wide sheet's column is (its group's rows in
    "Row"), the provenance apart. The form version of each value is in the raw codings."""
    headers = ["Study", "Study id", "Question", "Row", "Value", "Page", "Quote", "Source record"]
    questions = _headers(data.definition, [item for item in data.definition.walk()
                                           if item.field.field_type is not FieldType.group])
    rows = []
    for view in data.studies:
        node = data.consensus(view.study.id)
        if node is None:
            continue
        for flat in flat_values(data.definition, node):
            rows.append(_study_cells(view) + [questions[flat.item.id], flat.row_label,
                                               _value_cell(flat.item, flat.entry.value), *_provenance_cells(flat.entry)])
    return Table("long", headers, rows)


def group_table(data: FormData, group: FieldDef, parent: FieldDef | None) -> Table:
    items = [child for child in group.children if child.field.field_type is not FieldType.group]
    headers = _headers(data.definition, items)
    consensus = [(view, data.consensus(view.study.id)) for view in data.studies]
    consensus = [(view, node) for view, node in consensus if node is not None]

    def rows_of(node: Node) -> Iterator[tuple[str, Row]]:
        if parent is None:
            for row in node.rows(group.id):
                yield "", row
        else:
            for index, outer in enumerate(node.rows(parent.id), start=1):
                for row in outer.rows(group.id):
                    yield _row_name(parent, outer, index), row

    traced = _with_provenance(items, ((fid, e) for _, node in consensus for _, row in rows_of(node)
                                      for fid, e in row.values.items()))
    columns = ["Study", "Study id"] + ([parent.field.label] if parent else []) + ["Row"]
    for item in items:
        columns.append(headers[item.id])
        if item.id in traced:
            columns.append(_source_header(headers[item.id]))
    rows = []
    for view, node in consensus:
        numbers: dict[str, int] = defaultdict(int)
        for outer, row in rows_of(node):
            numbers[outer] += 1
            cells = _study_cells(view) + ([outer] if parent else []) + [numbers[outer]]
            for item in items:
                entry = row.values.get(item.id)
                cells.append(_value_cell(item, entry.value) if entry else "")
                if item.id in traced:
                    cells.append(source_text(entry))
            rows.append(cells)
    return Table(f"group-{group.id}", columns, rows)


def raw_table(data: FormData, people: dict[int, str]) -> Table:
    """Every coding as it was entered, one value a row, for audit: the extractors', the
    verifier's and the consensus, drafts included where blind extraction lets everyone see them."""
    headers = ["Study", "Study id", "Coding", "Coder", "Status", "Submitted at", "Question", "Row", "Value", "Page",
               "Quote", "Source record", "Form version"]
    rows = []
    for view in data.studies:
        codings = data.codings.get(view.study.id, [])
        for coding in codings:
            if not open_to_everyone(data.definition.form, coding, codings):
                continue
            kind = {CodingKind.extraction: f"extraction {coding.slot}"}.get(coding.kind, coding.kind.value)
            submitted = coding.submitted_at.strftime("%Y-%m-%d %H:%M") if coding.submitted_at else ""
            for flat in flat_values(data.definition, data.trees[coding.id]):
                rows.append(_study_cells(view) + [kind, people.get(coding.coder_id, ""), coding.status.value, submitted,
                                                   flat.item.field.label, flat.row_label,
                                                   _value_cell(flat.item, flat.entry.value),
                                                   *_provenance_cells(flat.entry), flat.entry.form_version or ""])
    return Table("raw", headers, rows)


def studies_table(studies: list[StudyView]) -> Table:
    """Studies and their reports: PRISMA's "studies included" and "reports of included studies"."""
    rows = [[view.study.label, view.study.id, report.report.record_id, report.citation.title, report.citation.year or "",
             "; ".join(report.citation.authors[:3]) + ("; et al." if len(report.citation.authors) > 3 else ""),
             report.citation.doi]
            for view in studies for report in view.reports]
    return Table("studies", ["Study", "Study id", "Record id", "Title", "Year", "Authors", "DOI"], rows)


def form_tables(session: Session, review: Review, form: ExtractionForm, studies: list[StudyView] | None = None,
                raw: bool = False) -> list[Table]:
    """The consensus tables of a form (wide, long, one per group), or with ``raw`` its raw codings."""
    data = read_form(session, review, form, studies, consensus_only=not raw)
    people = {user.id: user.name for user in session.exec(select(User))}
    if raw:
        return [raw_table(data, people)]
    tables = [wide_table(data), long_table(data)]
    for group, parent in _groups(data.definition):
        table = group_table(data, group, parent)
        table.name = group.field.label if parent is None else f"{parent.field.label} - {group.field.label}"
        tables.append(table)
    return tables


def form_table(session: Session, review: Review, form: ExtractionForm, name: str) -> Table:
    """One table of a form by name: wide, long, raw or group-<field id>."""
    data = read_form(session, review, form, consensus_only=name != "raw")
    if name == "wide":
        return wide_table(data)
    if name == "long":
        return long_table(data)
    if name == "raw":
        return raw_table(data, {user.id: user.name for user in session.exec(select(User))})
    for group, parent in _groups(data.definition):
        if name == f"group-{group.id}":
            return group_table(data, group, parent)
    raise NotFound(f"No table {name!r} for “{form.name}”: use wide, long, raw or group-<id> of a repeatable group.")


# --- files ----------------------------------------------------------------------------------------

def to_csv(table: Table) -> bytes:
    """UTF-8 with a byte-order mark, so Excel reads accents right; LibreOffice and scripts too.
    A text that a spreadsheet would run as a formula (= + - @, a tab or a carriage return
    first) gets screening's leading apostrophe; numbers are written as they are."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([_csv_cell(header) for header in table.headers])
    writer.writerows([_csv_cell(value) for value in row] for row in table.rows)
    return out.getvalue().encode("utf-8-sig")


def _csv_cell(value: Any) -> Any:
    return neutralise_formula(value) if isinstance(value, str) else value


_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def _sheet_name(name: str, taken: set[str]) -> str:
    base = _SHEET_FORBIDDEN.sub("-", name).strip("' ")[:31] or "Sheet"
    candidate, number = base, 2
    while candidate.casefold() in taken:
        suffix = f" ({number})"
        candidate, number = base[:31 - len(suffix)] + suffix, number + 1
    taken.add(candidate.casefold())
    return candidate


def to_xlsx(sheets: list[tuple[str, Table]]) -> bytes:
    """One sheet per table, headers bold and frozen (with the study columns, where a table
    starts with them). Every text is a text cell (``extraction.workbook``): nothing a reviewer
    typed runs as a formula, and the reader sees it as typed, apostrophe-free."""
    taken: set[str] = set()
    return workbook.write([
        workbook.Sheet(_sheet_name(name, taken), table.headers, table.rows,
                       frozen_columns=2 if table.headers[:2] == ["Study", "Study id"] else 0,
                       widths=[min(60, max(10, len(str(header)) + 2)) for header in table.headers])
        for name, table in sheets])


def review_workbook(session: Session, review: Review, form: ExtractionForm | None = None, *, raw: bool = False) -> bytes:
    """The review's extraction tables as one XLSX: the studies and their reports, then for each
    form (or the one given) its wide, long and group tables; with ``raw``, instead, every
    form's raw codings (for audit: a file of its own, as large as all the codings together)."""
    studies = included_studies(session, review)
    chosen = [form] if form is not None else forms_of_review(session, review.id)
    sheets = [] if raw else [("Studies", studies_table(studies))]
    for each in chosen:
        prefix = f"{each.name} - " if len(chosen) > 1 else ""
        for table in form_tables(session, review, each, studies, raw=raw):
            sheets.append((prefix + table.name, table))
    return to_xlsx(sheets)


# --- JSON --------------------------------------------------------------------------------------

def node_json(definition: FormDef, node: Node) -> dict[str, Any]:
    fields = definition.fields_by_id

    def entry_json(field_id: int, entry: Entry) -> dict[str, Any]:
        item = fields.get(field_id)
        return {"field_id": field_id, "label": item.field.label if item else "", "value": entry.value,
                "text": display(item.field, entry.value, item.options_by_id) if item else "",
                "page": entry.page, "quote": entry.quote, "source_record_id": entry.source_record_id,
                "form_version": entry.form_version}

    order = {field_id: index for index, field_id in enumerate(fields)}  # the form's order, whatever the storage's

    def inner(target: Node) -> dict[str, Any]:
        ordered = sorted(target.values.items(), key=lambda item: order.get(item[0], len(order)))
        return {"values": [entry_json(field_id, entry) for field_id, entry in ordered],
                "groups": {str(group_id): [{"uid": row.uid, **inner(row)} for row in rows]
                           for group_id, rows in target.groups.items()}}

    return inner(node)


def form_json(session: Session, review: Review, form: ExtractionForm) -> dict[str, Any]:
    """A form's definition, each study's consensus and the codings everyone may see, as JSON."""
    data = read_form(session, review, form)
    people = {user.id: user.name for user in session.exec(select(User))}
    studies = []
    for view in data.studies:
        codings = data.codings.get(view.study.id, [])
        consensus = data.consensus(view.study.id)
        studies.append({
            "study_id": view.study.id, "label": view.study.label,
            "record_ids": [report.report.record_id for report in view.reports],
            "consensus": node_json(data.definition, consensus) if consensus is not None else None,
            "codings": [{"coding_id": coding.id, "kind": coding.kind.value, "slot": coding.slot,
                         "coder": people.get(coding.coder_id, ""), "status": coding.status.value,
                         **node_json(data.definition, data.trees[coding.id])}
                        for coding in codings if open_to_everyone(data.definition.form, coding, codings)],
        })
    return {"form": definition_json(data.definition), "studies": studies}
