"""The typology of the included studies: how many studies have each value of a choice field,
numbers (participants) summed and their median by a choice field, and two fields crossed.

The counting is pure, on plain observations: a value a study has, and the row of a repeatable
group it sits in ("" outside groups). A study counts once per value however many of its rows
have it, while the rows themselves are counted too ("18 studies; 19 interventions, as one
study tested two"). Every count keeps the ids of the studies behind it, so each number on a
page can link to its studies. ``form_summary`` reads a form's consensus into observations:
only final consensus data, which blind extraction opens to every member.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property

from sqlmodel import Session

from extraction.exporting import read_form
from extraction.forms import FieldDef, FormDef
from extraction.models import ExtractionForm, FieldType
from extraction.studies import StudyView, included_studies
from extraction.values import COUNTRIES, Node, followed_merges, is_empty
from screening.review.errors import InvalidInput
from screening.review.models import Review

YEAR = "year"  # the dimension of a study's year: its earliest report's publication year
CATEGORY = "category"  # "12.category": a hierarchical field counted by its top-level options
NOT_CODED = ""  # the key of "no value" in a cross-tab's colours


@dataclass(frozen=True)
class Observation:
    """A value a study has. ``row`` names the group rows it sits in, outermost first, as
    "g12:uid" joined by "/"; "" outside groups."""

    study_id: int
    key: str
    row: str = ""


@dataclass(frozen=True)
class Number:
    study_id: int
    value: float
    row: str = ""


@dataclass
class Dimension:
    """Something to count studies by: a choice field (a hierarchical one by category or by
    type), or the year. ``values`` are (key, label) in the form's order: the order ties keep."""

    key: str
    label: str
    values: list[tuple[str, str]]
    observations: list[Observation] = field(default_factory=list)
    group: str = ""  # the repeatable group it sits in ("Interventions"), "" at the top


@dataclass
class NumberField:
    key: str
    label: str
    unit: str
    numbers: list[Number] = field(default_factory=list)


@dataclass(frozen=True)
class ValueCount:
    key: str
    label: str
    study_ids: tuple[int, ...]
    occurrences: int  # (study, row) pairs with the value: an intervention tested in two studies counts 2

    @property
    def n(self) -> int:
        return len(self.study_ids)


@dataclass(frozen=True)
class Counts:
    """Studies per value, most first, ties in the lead's order (else the form's). The base:
    the studies with any value and how many values they have in all."""

    label: str
    values: tuple[ValueCount, ...]
    study_ids: tuple[int, ...]
    occurrences: int
    without: tuple[int, ...]  # studies of the population with no value for the field
    by: str = "studies"
    per_study: Mapping[int, int] = field(default_factory=dict)  # study id -> its values (rows) in all

    @property
    def n(self) -> int:
        return len(self.study_ids)

    @property
    def several(self) -> dict[int, int]:
        """Studies with more than one value (or row with one): study id -> how many."""
        return {study_id: number for study_id, number in self.per_study.items() if number > 1}

    def value(self, key: str) -> ValueCount:
        for value in self.values:
            if value.key == key:
                return value
        raise KeyError(key)


def _distinct(observations: Iterable[Observation]) -> list[Observation]:
    return list(dict.fromkeys(observations))


def count(observations: Iterable[Observation], values: Sequence[tuple[str, str]], *,
          population: Sequence[int] | None = None, order: Sequence[str] = (), labels: Mapping[str, str] | None = None,
          by: str = "studies", zeros: bool = False, label: str = "") -> Counts:
    """Studies per value. ``values`` are the field's (key, label) in form order; ``order`` puts
    keys first among equals (the lead's choice of ties); ``labels`` renames values for the
    text; ``by`` "studies" ranks by studies, "occurrences" by rows (interventions);
    ``zeros`` keeps values no study has (a table shows them as gaps)."""
    if by not in ("studies", "occurrences"):
        raise InvalidInput(f"Count by “{by}” is not known: use studies or occurrences.")
    observations = _distinct(observations)
    known = dict(values)
    for item in observations:  # a value no longer offered (a retired option) still counts
        known.setdefault(item.key, item.key)
    rank = _rank(order, [key for key, _ in values] + [key for key in known if key not in dict(values)])
    studies: dict[str, set[int]] = defaultdict(set)
    rows: dict[str, set[tuple[int, str]]] = defaultdict(set)
    per_study: dict[int, set[tuple[str, str]]] = defaultdict(set)
    for item in observations:
        studies[item.key].add(item.study_id)
        rows[item.key].add((item.study_id, item.row))
        per_study[item.study_id].add((item.key, item.row))
    counted = [ValueCount(key, (labels or {}).get(key) or known[key], tuple(sorted(studies[key])), len(rows[key]))
               for key in known if zeros or studies[key]]
    counted.sort(key=lambda value: (-(value.n if by == "studies" else value.occurrences), rank[value.key]))
    base = tuple(sorted(per_study))
    without = tuple(sorted(set(population or ()) - set(base)))
    return Counts(label, tuple(counted), base, sum(len(items) for items in per_study.values()), without, by,
                  {study: len(items) for study, items in per_study.items()})


def _rank(preferred: Sequence[str], natural: Sequence[str]) -> dict[str, int]:
    ordered = [key for key in preferred if key in natural] + [key for key in natural if key not in preferred]
    return {key: index for index, key in enumerate(dict.fromkeys(ordered))}


def _linked(first: str, second: str) -> bool:
    """Whether two values describe the same thing: the same study and, where both sit in
    rows of the same group, the same row (a top-level value goes with every row)."""
    for a, b in zip(first.split("/") if first else [], second.split("/") if second else []):
        group_a, _, uid_a = a.partition(":")
        group_b, _, uid_b = b.partition(":")
        if group_a != group_b:
            return True
        if uid_a != uid_b:
            return False
    return True


# --- numbers by a choice field -----------------------------------------------------------------

@dataclass(frozen=True)
class NumberSummary:
    key: str  # "" for all studies
    label: str
    study_ids: tuple[int, ...]  # the studies with a number (and the value)
    total: float
    median: float | None

    @property
    def n(self) -> int:
        return len(self.study_ids)


def _summary(key: str, label: str, per_study: Mapping[int, float]) -> NumberSummary:
    values = [per_study[study] for study in sorted(per_study)]
    return NumberSummary(key, label, tuple(sorted(per_study)), _tidy(sum(values)),
                         _tidy(statistics.median(values)) if values else None)


def _tidy(number: float) -> float:
    return int(number) if float(number).is_integer() else number


def numbers_total(numbers: Iterable[Number], label: str = "All studies") -> NumberSummary:
    """The sum over every study (each study's rows summed first) and the median of the studies' sums."""
    per_study: dict[int, float] = defaultdict(float)
    for number in dict.fromkeys(numbers):
        per_study[number.study_id] += number.value
    return _summary("", label, per_study)


def numbers_by(numbers: Iterable[Number], groups: Counts, observations: Iterable[Observation]) -> list[NumberSummary]:
    """For each value of ``groups`` (in its order): the sum of the numbers of its studies and the
    median of their sums. A number in a row goes with the values of that row and those outside
    rows: participants per arm are summed by the arm's intervention, a sample size by country."""
    numbers = list(dict.fromkeys(numbers))
    by_study: dict[int, list[Observation]] = defaultdict(list)
    for item in _distinct(observations):
        by_study[item.study_id].append(item)
    summaries = []
    for value in groups.values:
        per_study: dict[int, float] = defaultdict(float)
        for number in numbers:
            if any(item.key == value.key and _linked(item.row, number.row) for item in by_study.get(number.study_id, ())):
                per_study[number.study_id] += number.value
        summaries.append(_summary(value.key, value.label, per_study))
    return summaries


# --- two fields crossed ------------------------------------------------------------------------

@dataclass(frozen=True)
class Cell:
    row: str
    column: str
    study_ids: tuple[int, ...]
    colours: tuple[tuple[str, tuple[int, ...]], ...] = ()  # (colour key, its studies in the cell), in colour order

    @property
    def n(self) -> int:
        return len(self.study_ids)


@dataclass(frozen=True)
class CrossTab:
    rows: tuple[tuple[str, str], ...]  # (key, label), every value (empty rows are gaps too)
    columns: tuple[tuple[str, str], ...]
    cells: dict[tuple[str, str], Cell]
    colours: tuple[tuple[str, str], ...] = ()
    row_label: str = ""
    column_label: str = ""
    colour_label: str = ""

    def cell(self, row: str, column: str) -> Cell:
        return self.cells.get((row, column)) or Cell(row, column, ())

    def row_studies(self, row: str) -> tuple[int, ...]:
        return tuple(sorted({study for (key, _), cell in self.cells.items() if key == row for study in cell.study_ids}))

    def column_studies(self, column: str) -> tuple[int, ...]:
        return tuple(sorted({study for (_, key), cell in self.cells.items() if key == column for study in cell.study_ids}))


def cross_tab(rows: Dimension, columns: Dimension, colour: Dimension | None = None, *,
              labels: Mapping[str, str] | None = None) -> CrossTab:
    """Studies per pair of values: a study is in a cell when it has both values, in the same
    row of a group where both fields sit in it. With ``colour``, each cell's studies by the
    colour field's value (a study with none under ``NOT_CODED``)."""
    labels = labels or {}
    by_study: dict[int, list[Observation]] = defaultdict(list)
    for item in _distinct(columns.observations):
        by_study[item.study_id].append(item)
    found: dict[tuple[str, str], set[int]] = defaultdict(set)
    for first in _distinct(rows.observations):
        for second in by_study.get(first.study_id, ()):
            if _linked(first.row, second.row):
                found[(first.key, second.key)].add(first.study_id)
    colour_of: dict[int, list[str]] = defaultdict(list)
    colours: tuple[tuple[str, str], ...] = ()
    if colour is not None:
        for item in _distinct(colour.observations):
            if item.key not in colour_of[item.study_id]:
                colour_of[item.study_id].append(item.key)
        colours = tuple(_all_values(colour, labels)) + ((NOT_CODED, "Not coded"),)
    cells = {}
    for (row, column), studies in found.items():
        shades = ()
        if colour is not None:
            shades = tuple((key, tuple(sorted(study for study in studies if key in colour_of[study] or
                                              (key == NOT_CODED and not colour_of[study]))))
                           for key, _ in colours)
            shades = tuple((key, ids) for key, ids in shades if ids)
        cells[(row, column)] = Cell(row, column, tuple(sorted(studies)), shades)
    used_colours = {key for cell in cells.values() for key, _ in cell.colours}
    return CrossTab(tuple(_all_values(rows, labels)), tuple(_all_values(columns, labels)), cells,
                    tuple(item for item in colours if item[0] in used_colours), rows.label, columns.label,
                    colour.label if colour else "")


def _all_values(dimension: Dimension, labels: Mapping[str, str]) -> list[tuple[str, str]]:
    values = dict(dimension.values)
    for item in dimension.observations:
        values.setdefault(item.key, item.key)
    return [(key, labels.get(key) or label) for key, label in values.items()]


# --- nested typology: category > type > studies ------------------------------------------------

@dataclass(frozen=True)
class TypologyRow:
    level: int  # 0 for a category, 1 for a type within it, ...
    labels: tuple[str, ...]  # the path: ("Psychotherapy", "DBT")
    study_ids: tuple[int, ...]

    @property
    def n(self) -> int:
        return len(self.study_ids)


def nested(levels: Sequence[Dimension], *, labels: Mapping[str, str] | None = None,
           order: Sequence[str] = ()) -> list[TypologyRow]:
    """The typology table: the studies of each value of the first dimension, then within them
    of each value of the next, most studies first at each level (ties in the lead's order)."""
    rows: list[TypologyRow] = []
    labels = labels or {}

    def visit(depth: int, within: list[Observation] | None, path: tuple[str, ...]) -> None:
        if depth == len(levels):
            return
        dimension = levels[depth]
        observations = dimension.observations
        if within is not None:
            anchors: dict[int, list[Observation]] = defaultdict(list)
            for item in within:
                anchors[item.study_id].append(item)
            observations = [item for item in observations
                            if any(_linked(anchor.row, item.row) for anchor in anchors.get(item.study_id, ()))]
        counted = count(observations, dimension.values, order=order, labels=labels)
        for value in counted.values:
            mine = [item for item in observations if item.key == value.key]
            rows.append(TypologyRow(depth, path + (value.label,), value.study_ids))
            visit(depth + 1, mine, path + (value.label,))

    visit(0, None, ())
    return rows


# --- reading a form's consensus ----------------------------------------------------------------

@dataclass
class FormSummary:
    """What a form's consensus holds, ready to count: the studies with a final consensus,
    every choice field as one or two dimensions (a hierarchical one by type and by category),
    the year, and every number field."""

    form: ExtractionForm
    definition: FormDef
    studies: list[StudyView]
    dimensions: dict[str, Dimension]
    numbers: dict[str, NumberField]

    @property
    def study_ids(self) -> list[int]:
        return [view.study.id for view in self.studies]

    def dimension(self, key: str) -> Dimension:
        if key not in self.dimensions:
            names = ", ".join(f"{key} ({dimension.label})" for key, dimension in self.dimensions.items())
            raise InvalidInput(f"“{key}” is not a field to count by on “{self.form.name}”: choose one of {names}.")
        return self.dimensions[key]

    def number(self, key: str) -> NumberField:
        if key not in self.numbers:
            names = ", ".join(f"{key} ({number.label})" for key, number in self.numbers.items()) or "none"
            raise InvalidInput(f"“{key}” is not a number field of “{self.form.name}”: choose one of {names}.")
        return self.numbers[key]

    def citation(self, study_id: int) -> str:
        view = self._by_id.get(study_id)
        if view is None:
            return ""
        first = view.reports[0].citation if view.reports else None
        title = f": {first.title}" if first is not None and first.title else ""
        return f"{view.study.label}{title}"

    @cached_property
    def _by_id(self) -> dict[int, StudyView]:
        return {view.study.id: view for view in self.studies}


def _option_values(item: FieldDef, top_only: bool) -> list[tuple[str, str]]:
    options = [option for option in item.options if option.merged_into_id is None]
    if top_only:
        options = [option for option in options if option.parent_id is None]
    return [(str(option.id), option.label) for option in options]


def _top(option_id: int, item: FieldDef) -> int:
    options = item.options_by_id
    seen = set()
    while options[option_id].parent_id is not None and option_id not in seen:
        seen.add(option_id)
        option_id = options[option_id].parent_id
    return option_id


def _keys(item: FieldDef, value, top_only: bool) -> list[str]:
    kind = item.field.field_type
    if is_empty(value):
        return []
    if kind is FieldType.yes_no:
        return ["yes" if value else "no"] if isinstance(value, bool) else []
    if kind is FieldType.country:
        return [code for code in value if isinstance(code, str)] if isinstance(value, list) else []
    if kind is FieldType.short_text:
        return [text_key(value)] if isinstance(value, str) and value.strip() else []
    chosen = value if isinstance(value, list) else [value]
    options = item.options_by_id
    keys = []
    for option_id in chosen:
        if not isinstance(option_id, int) or option_id not in options:
            continue
        option_id = followed_merges(option_id, options)
        keys.append(str(_top(option_id, item) if top_only else option_id))
    return list(dict.fromkeys(keys))


def _dimensions(definition: FormDef) -> tuple[dict[str, Dimension], dict[str, NumberField], dict[int, list[tuple[str, bool]]]]:
    dimensions: dict[str, Dimension] = {}
    numbers: dict[str, NumberField] = {}
    wanted: dict[int, list[tuple[str, bool]]] = defaultdict(list)  # field id -> (dimension key, top only)

    repeated = defaultdict(int)
    for item in definition.walk():
        repeated[item.field.label.casefold()] += 1

    def visit(items: list[FieldDef], group: str) -> None:
        for item in items:
            kind = item.field.field_type
            label = item.field.label
            if repeated[label.casefold()] > 1:  # "Judgement" in each RoB 2 domain: named by its section
                label = f"{definition.section_of(item.id).label}: {label}"
            if kind is FieldType.group:
                visit(item.children, label)
                continue
            key = str(item.id)
            if kind is FieldType.hierarchical:
                dimensions[key] = Dimension(key, f"{label} (type)", _option_values(item, False), group=group)
                dimensions[f"{key}.{CATEGORY}"] = Dimension(f"{key}.{CATEGORY}", f"{label} (category)",
                                                            _option_values(item, True), group=group)
                wanted[item.id] += [(key, False), (f"{key}.{CATEGORY}", True)]
            elif kind in (FieldType.single_choice, FieldType.multiple_choice):
                dimensions[key] = Dimension(key, label, _option_values(item, False), group=group)
                wanted[item.id].append((key, False))
            elif kind is FieldType.country:
                dimensions[key] = Dimension(key, label, [], group=group)  # countries in order of first use
                wanted[item.id].append((key, False))
            elif kind is FieldType.yes_no:
                dimensions[key] = Dimension(key, label, [("yes", "Yes"), ("no", "No")], group=group)
                wanted[item.id].append((key, False))
            elif kind in (FieldType.integer, FieldType.decimal):
                numbers[key] = NumberField(key, label, item.field.unit)
            elif kind is FieldType.short_text and item.field.is_key and group:
                # a group's key text (a theme, an arm's name): the same words, whatever their case, are one value
                dimensions[key] = Dimension(key, label, [], group=group)
                wanted[item.id].append((key, False))

    for section in definition.sections:
        visit(section.fields, "")
    return dimensions, numbers, wanted


def observe(definition: FormDef, consensus: Mapping[int, Node]) -> tuple[dict[str, Dimension], dict[str, NumberField]]:
    """Each study's consensus (study id -> values) as observations of every dimension and number field."""
    dimensions, numbers, wanted = _dimensions(definition)
    fields = definition.fields_by_id

    def walk(study_id: int, node: Node, row: str) -> None:
        for field_id, entry in node.values.items():
            item = fields.get(field_id)
            if item is None:
                continue
            if str(field_id) in numbers:
                if isinstance(entry.value, (int, float)) and not isinstance(entry.value, bool):
                    numbers[str(field_id)].numbers.append(Number(study_id, entry.value, row))
                continue
            for key, top_only in wanted.get(field_id, ()):
                for value_key in _keys(item, entry.value, top_only):
                    dimensions[key].observations.append(Observation(study_id, value_key, row))
        for group_id, rows in node.groups.items():
            for each in rows:
                walk(study_id, each, f"{row}/g{group_id}:{each.uid}" if row else f"g{group_id}:{each.uid}")

    for study_id, node in consensus.items():
        walk(study_id, node, "")
    first_text: dict[str, str] = {}
    for study_id, node in consensus.items():
        _first_texts(node, fields, first_text)
    for dimension in dimensions.values():
        kind = definition.fields_by_id[int(dimension.key.split(".")[0])].field.field_type
        if kind is FieldType.country:
            codes = dict.fromkeys(item.key for item in dimension.observations)
            dimension.values = [(code, COUNTRIES.get(code, code)) for code in codes]
        elif kind is FieldType.short_text:
            keys = dict.fromkeys(item.key for item in dimension.observations)
            dimension.values = [(key, first_text.get(key, key)) for key in keys]
        elif kind is FieldType.hierarchical and not dimension.key.endswith(f".{CATEGORY}"):
            # by type: a category is a value of its own only where a study was coded with it alone
            item = definition.fields_by_id[int(dimension.key)]
            parents = {str(option.parent_id) for option in item.options if option.parent_id is not None}
            used = {each.key for each in dimension.observations}
            dimension.values = [(key, label) for key, label in dimension.values if key not in parents or key in used]
    return dimensions, numbers


def text_key(text: str) -> str:
    return " ".join(text.split()).casefold()


def _first_texts(node: Node, fields: Mapping[int, FieldDef], found: dict[str, str]) -> None:
    """Each key text as first written: the label of a theme."""
    for field_id, entry in node.values.items():
        item = fields.get(field_id)
        if item is not None and item.field.field_type is FieldType.short_text and isinstance(entry.value, str):
            found.setdefault(text_key(entry.value), " ".join(entry.value.split()))
    for rows in node.groups.values():
        for row in rows:
            _first_texts(row, fields, found)


def year_dimension(studies: Sequence[StudyView]) -> Dimension:
    """Each study's year: its earliest report's publication year (studies without one have none)."""
    observations = []
    for view in studies:
        years = [report.citation.year for report in view.reports if report.citation is not None and report.citation.year]
        if years:
            observations.append(Observation(view.study.id, str(min(years))))
    years = sorted({int(item.key) for item in observations})
    span = [str(year) for year in range(years[0], years[-1] + 1)] if years else []
    return Dimension(YEAR, "Year", [(year, year) for year in span], observations)


def form_summary(session: Session, review: Review, form: ExtractionForm,
                 studies: list[StudyView] | None = None) -> FormSummary:
    """A form's final consensus data, ready to count. Studies whose consensus is not final yet
    are left out: blind extraction opens nothing else to every member."""
    studies = studies if studies is not None else included_studies(session, review)  # citations: years, labels
    data = read_form(session, review, form, studies, consensus_only=True)
    consensus = {}
    for view in data.studies:
        node = data.consensus(view.study.id)
        if node is not None:
            consensus[view.study.id] = node
    coded = [view for view in data.studies if view.study.id in consensus]
    dimensions, numbers = observe(data.definition, consensus)
    if coded and all(report.citation is not None for view in coded for report in view.reports):
        dimensions[YEAR] = year_dimension(coded)
    return FormSummary(form, data.definition, coded, dimensions, numbers)
