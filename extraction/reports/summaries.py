"""The summaries of a form's consensus that the summaries page, its API twin and its downloads
show: the counts of the field the lead picked with their sentences, numbers summed by it, two
fields crossed (table and gap map), studies over time, and the nested typology table.

The lead's choices are plain data (``Choices``) read from the page's query, so a summary is a
link that can be shared and comes out the same while the data do; labels and the order of ties
are given by the values' own labels ("United Kingdom=UK")."""

from __future__ import annotations

import csv
import html
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from dataclasses import field as _field  # Choices has a field named field
from typing import Any

from sqlmodel import Session

from extraction.exporting import Table, to_xlsx
from extraction.forms import form_in_review, forms_of_review
from extraction.models import ExtractionForm
from extraction.reports import appraisal as appraising, charts, sentences, themes, typology
from extraction.reports.sentences import Sentence
from extraction.reports.typology import (
    YEAR, Counts, CrossTab, Dimension, FormSummary, NumberSummary, TypologyRow,
)
from screening.exporters import neutralise_formula
from screening.review.errors import InvalidInput
from screening.review.models import Review

MAX_TEXT = 200


@dataclass
class Choices:
    """What the lead picked; every field may be left empty for its default."""

    form_id: int | None = None
    field: str = ""  # the dimension to count: a field id, "12.category", "year"
    by: str = "studies"  # or "occurrences": rank and count rows (interventions)
    unit: str = "studies"
    of_unit: str = ""  # "interventions": "18 studies of 19 interventions"
    opening: str = "Studies from"
    order: list[str] = _field(default_factory=list)  # labels first among equals, in this order
    labels: dict[str, str] = _field(default_factory=dict)  # a value's label -> the label to write
    number: str = ""  # a number field's id, summed by the counted field
    number_unit: str = "participants"
    verb: str = "identified"
    value: str = ""  # one value's label: "28 papers from UK"
    preposition: str = "from"
    rows: str = ""  # the cross-tab's and gap map's rows, columns and colour
    columns: str = ""
    colour: str = ""
    stack: str = ""  # what the studies-over-time chart is stacked by
    levels: list[str] = _field(default_factory=list)  # the nested typology's levels, outermost first

    def check(self) -> None:
        for name in ("unit", "of_unit", "opening", "number_unit", "verb", "preposition", "value"):
            if len(getattr(self, name)) > MAX_TEXT:
                raise InvalidInput(f"The {name.replace('_', ' ')} is {len(getattr(self, name))} characters long: "
                                   f"shorten it to {MAX_TEXT} at most.")
        if self.by not in ("studies", "occurrences"):
            raise InvalidInput(f"Count by “{self.by}” is not known: use studies or occurrences.")


def parse_labels(text: str) -> dict[str, str]:
    """"United Kingdom=UK" lines (or "; " between them) as {"United Kingdom": "UK"}."""
    found = {}
    for line in text.replace(";", "\n").splitlines():
        if not line.strip():
            continue
        old, sep, new = line.partition("=")
        if not sep or not old.strip() or not new.strip():
            raise InvalidInput(f"“{line.strip()}” is not a relabelling: write the value, “=”, then its new label, "
                               "e.g. United Kingdom=UK.")
        found[old.strip()] = new.strip()[:MAX_TEXT]
    return found


def parse_order(text: str) -> list[str]:
    return [item.strip() for item in text.replace(";", ",").split(",") if item.strip()]


@dataclass
class Summary:
    forms: list[ExtractionForm]
    choices: Choices
    data: FormSummary | None = None
    dimension: Dimension | None = None
    counts: Counts | None = None
    sentences: list[tuple[str, Sentence]] = _field(default_factory=list)
    total: NumberSummary | None = None
    numbers: list[NumberSummary] = _field(default_factory=list)
    cross: CrossTab | None = None
    gap_map: dict[str, Any] | None = None
    timeline: CrossTab | None = None
    timeline_chart: dict[str, Any] | None = None
    typology: list[TypologyRow] = _field(default_factory=list)
    levels: list[Dimension] = _field(default_factory=list)  # the typology's, outermost first
    appraisal: appraising.Appraisal | None = None
    appraisal_chart: dict[str, Any] | None = None
    themes: themes.ThemeMatrix | None = None
    citations: dict[int, str] = _field(default_factory=dict)

    @property
    def form(self) -> ExtractionForm | None:
        return self.data.form if self.data else None


def _keyed(dimension: Dimension, choices: Choices) -> tuple[dict[str, str], list[str]]:
    """The lead's labels and tie order, given by labels, as the dimension's keys."""
    by_label: dict[str, str] = {}
    for key, label in dimension.values:
        by_label.setdefault(label.casefold(), key)
        by_label.setdefault(key.casefold(), key)
    labels = {by_label[old.casefold()]: new for old, new in choices.labels.items() if old.casefold() in by_label}
    for key, new in list(labels.items()):  # the new label names the value too, in the tie order
        by_label.setdefault(new.casefold(), key)
    order = [by_label[item.casefold()] for item in choices.order if item.casefold() in by_label]
    return labels, order


def _dimension_or_none(data: FormSummary, key: str) -> Dimension | None:
    return data.dimension(key) if key else None


def _default(data: FormSummary, skip: Sequence[str] = ()) -> str:
    for key in data.dimensions:
        if key != YEAR and key not in skip:
            return key
    return ""


def counts_of(data: FormSummary, dimension: Dimension, choices: Choices, by: str | None = None) -> Counts:
    labels, order = _keyed(dimension, choices)
    return typology.count(dimension.observations, dimension.values, population=data.study_ids, order=order,
                          labels=labels, by=by or choices.by, label=dimension.label, zeros=True)


def summarise(session: Session, review: Review, choices: Choices, studies_link: Callable[[Sequence[int]], str]) -> Summary:
    """Everything the summaries page shows for the lead's choices. ``studies_link`` makes the
    address of the list of some studies (each number links to its studies)."""
    choices.check()
    forms = forms_of_review(session, review.id)
    summary = Summary(forms, choices)
    if not forms:
        return summary
    form = form_in_review(session, review.id, choices.form_id) if choices.form_id else forms[0]
    choices.form_id = form.id
    data = typology.form_summary(session, review, form)
    summary.data = data
    summary.citations = {view.study.id: data.citation(view.study.id) for view in data.studies}
    summary.appraisal = appraising.appraisal(data) if data.studies else None
    if summary.appraisal is not None:
        summary.appraisal_chart = appraising.summary_spec(summary.appraisal, studies_link)
    if data.studies:
        summary.themes = themes.theme_matrix(data, number=choices.number or None)
    choices.field = choices.field or _default(data)
    if not choices.field:
        return summary
    dimension = data.dimension(choices.field)
    summary.dimension = dimension
    counts = counts_of(data, dimension, choices)
    summary.counts = counts
    summary.sentences = _sentences(data, dimension, counts, choices)
    if choices.number:
        numbers = data.number(choices.number).numbers
        summary.total = typology.numbers_total(numbers)
        summary.numbers = typology.numbers_by(numbers, counts, dimension.observations)
    rows = data.dimension(choices.rows or choices.field)
    columns = data.dimension(choices.columns or _default(data, skip=[rows.key, rows.key.split(".")[0]]) or rows.key)
    choices.rows, choices.columns = rows.key, columns.key
    colour = _dimension_or_none(data, choices.colour)
    labels = {}
    for each in (rows, columns) + ((colour,) if colour else ()):
        labels |= _keyed(each, choices)[0]
    summary.cross = typology.cross_tab(rows, columns, colour, labels=labels)
    summary.gap_map = charts.gap_map_spec(summary.cross, summary.citations, studies_link)
    if YEAR in data.dimensions and data.dimensions[YEAR].observations:
        if not choices.stack:  # stacked by design where the form has a question called so
            choices.stack = next((key for key, each in data.dimensions.items() if "design" in each.label.casefold()), "")
        stack = _dimension_or_none(data, choices.stack) or Dimension("", "All studies", [("all", "Studies")],
                                                                     [typology.Observation(study, "all")
                                                                      for study in data.study_ids])
        summary.timeline = typology.cross_tab(data.dimensions[YEAR], stack, labels=_keyed(stack, choices)[0])
        summary.timeline_chart = charts.timeline_spec(summary.timeline, summary.citations, studies_link)
    levels = [data.dimension(key) for key in choices.levels] or _default_levels(data, dimension)
    summary.levels = levels
    level_labels, level_order = {}, []
    for each in levels:
        keyed_labels, keyed_order = _keyed(each, choices)
        level_labels |= keyed_labels
        level_order += keyed_order
    summary.typology = typology.nested(levels, labels=level_labels, order=level_order)
    return summary


def _default_levels(data: FormSummary, dimension: Dimension) -> list[Dimension]:
    """Category > type for a hierarchical field; else the field alone."""
    base = dimension.key.split(".")[0]
    if f"{base}.{typology.CATEGORY}" in data.dimensions:
        return [data.dimensions[f"{base}.{typology.CATEGORY}"], data.dimensions[base]]
    return [dimension]


def _sentences(data: FormSummary, dimension: Dimension, counts: Counts, choices: Choices) -> list[tuple[str, Sentence]]:
    found = [("counts", sentences.values_sentence(counts, unit=choices.unit, of_unit=choices.of_unit))]
    if counts.occurrences != counts.n:
        found.append(("base", sentences.base_sentence(counts, unit=choices.unit, of_unit=choices.of_unit or "values")))
    found.append(("list", sentences.list_sentence(counts, opening=choices.opening)))
    total = typology.numbers_total(data.number(choices.number).numbers) if choices.number else None
    found.append(("total", sentences.total_sentence(None, total, unit=choices.unit, verb=choices.verb,
                                                    number_unit=choices.number_unit,
                                                    study_ids=tuple(data.study_ids))))
    if choices.value:
        labels, _ = _keyed(dimension, choices)
        wanted = choices.value.casefold()
        for value in counts.values:
            if wanted in (value.label.casefold(), value.key.casefold(), dict(dimension.values).get(value.key, "").casefold()):
                found.append(("value", sentences.value_count_sentence(value, unit=choices.unit,
                                                                      preposition=choices.preposition)))
                break
        else:
            names = ", ".join(value.label for value in counts.values)
            raise InvalidInput(f"“{choices.value}” is not a value of {dimension.label}: choose one of {names}.")
    return found


def studies_of(summary: Summary, study_ids: Sequence[int]) -> list:
    """The studies behind a number: only studies of the form's final consensus, in their order."""
    if summary.data is None:
        return []
    wanted = set(study_ids)
    return [view for view in summary.data.studies if view.study.id in wanted]


# --- the typology table as files ---------------------------------------------------------------

def typology_table(summary: Summary) -> Table:
    """The nested typology, one column per level (a row fills its own level's), then the
    number of studies and their citations."""
    depth = max((row.level for row in summary.typology), default=0) + 1
    levels = [each.label for each in summary.levels]
    headers = (levels + [f"Level {index + 1}" for index in range(len(levels), depth)])[:depth] + ["Studies (n)", "Studies"]
    rows = []
    for row in summary.typology:
        cells = ["" for _ in range(depth)]
        cells[row.level] = row.labels[-1]
        rows.append(cells + [row.n, "; ".join(summary.citations.get(study, f"study {study}") for study in row.study_ids)])
    return Table("Typology", headers, rows)


def table_csv(table: Table) -> bytes:
    """UTF-8 with a byte-order mark (Excel reads accents right); a cell that would run as a
    formula (=, +, -, @) is made text, as screening's exports do."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([neutralise_formula(str(cell)) for cell in table.headers])
    for row in table.rows:
        writer.writerow([neutralise_formula(cell) if isinstance(cell, str) else cell for cell in row])
    return out.getvalue().encode("utf-8-sig")


def table_html(table: Table, title: str) -> str:
    """The table as an HTML file that Word opens as a table (and pastes as one), every cell escaped;
    the typology's nesting shown by indenting its first column."""
    head = "".join(f"<th>{html.escape(str(cell))}</th>" for cell in table.headers)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(cell))}</td>" for cell in row) + "</tr>" for row in table.rows)
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
            "<style>table{border-collapse:collapse;font-family:Calibri,Arial,sans-serif;font-size:10pt}"
            "td,th{border:1px solid #999;padding:2pt 4pt;vertical-align:top;text-align:left}</style></head>"
            f"<body><h1>{html.escape(title)}</h1><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
            "</body></html>\n")


def table_xlsx(table: Table) -> bytes:
    return to_xlsx([(table.name, table)])


def counts_table(summary: Summary) -> Table:
    counts = summary.counts
    headers = [counts.label if counts else "Value", "Studies (n)", "Rows (n)", "Studies"]
    rows = [[value.label, value.n, value.occurrences, "; ".join(summary.citations.get(s, f"study {s}")
                                                              for s in value.study_ids)]
            for value in (counts.values if counts else ())]
    return Table("Counts", headers, rows)


def summary_json(summary: Summary) -> dict[str, Any]:
    """The same counts and sentences as the page, for the API."""
    choices = summary.choices
    counts = summary.counts
    return {
        "form_id": summary.form.id if summary.form else None,
        "forms": [{"id": form.id, "name": form.name} for form in summary.forms],
        "dimensions": {key: dimension.label for key, dimension in summary.data.dimensions.items()} if summary.data else {},
        "number_fields": {key: number.label for key, number in summary.data.numbers.items()} if summary.data else {},
        "choices": {"field": choices.field, "by": choices.by, "unit": choices.unit, "of_unit": choices.of_unit,
                    "number": choices.number, "rows": choices.rows, "columns": choices.columns, "colour": choices.colour,
                    "levels": choices.levels},
        "studies": summary.data.study_ids if summary.data else [],
        "counts": None if counts is None else {
            "label": counts.label, "n": counts.n, "occurrences": counts.occurrences, "study_ids": list(counts.study_ids),
            "without": list(counts.without),
            "values": [{"key": value.key, "label": value.label, "n": value.n, "occurrences": value.occurrences,
                        "study_ids": list(value.study_ids)} for value in counts.values]},
        "sentences": {name: sentence.json() for name, sentence in summary.sentences},
        "numbers": None if summary.total is None else {
            "total": summary.total.total, "median": summary.total.median, "study_ids": list(summary.total.study_ids),
            "by_value": [{"key": item.key, "label": item.label, "n": item.n, "total": item.total, "median": item.median,
                          "study_ids": list(item.study_ids)} for item in summary.numbers]},
        "cross_tab": None if summary.cross is None else cross_tab_json(summary.cross),
        "appraisal": None if summary.appraisal is None else {
            "domains": [{"key": domain.key, "label": domain.label} for domain in summary.appraisal.domains],
            "judgements": [{"study_id": study, "domain": domain, "level": judgement.level, "label": judgement.label}
                           for (study, domain), judgement in summary.appraisal.judgements.items()],
            "shares": [{"domain": share.domain.key, "level": share.level, "share": share.share,
                        "study_ids": list(share.study_ids)} for share in summary.appraisal.shares]},
        "themes": None if summary.themes is None else [
            {"key": row.key, "label": row.label, "study_ids": list(row.study_ids), "participants": row.participants,
             "countries": list(row.countries)} for row in summary.themes.rows],
        "typology": [{"level": row.level, "path": list(row.labels), "n": row.n, "study_ids": list(row.study_ids)}
                     for row in summary.typology],
    }


def cross_tab_json(table: CrossTab) -> dict[str, Any]:
    return {"rows": [{"key": key, "label": label} for key, label in table.rows],
            "columns": [{"key": key, "label": label} for key, label in table.columns],
            "colours": [{"key": key, "label": label} for key, label in table.colours],
            "cells": [{"row": row, "column": column, "n": table.cell(row, column).n,
                       "study_ids": list(table.cell(row, column).study_ids),
                       "colours": {key: list(ids) for key, ids in table.cell(row, column).colours}}
                      for row, _ in table.rows for column, _ in table.columns]}
