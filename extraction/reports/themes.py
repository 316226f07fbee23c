"""A qualitative synthesis's theme-by-study matrix: which studies report each theme (a
repeatable group's key text, the same words in any case being one theme), with each theme's
number of studies, participants and countries. Pure on a form's summary."""

from __future__ import annotations

from dataclasses import dataclass

from extraction.models import FieldType
from extraction.reports.typology import Dimension, FormSummary, numbers_total


@dataclass(frozen=True)
class ThemeRow:
    key: str
    label: str
    study_ids: tuple[int, ...]
    participants: float | None  # the studies' participants summed; None without a number field
    countries: tuple[str, ...]  # most studies first


@dataclass
class ThemeMatrix:
    label: str
    studies: list[tuple[int, str]]
    rows: list[ThemeRow]

    def has(self, row: ThemeRow, study_id: int) -> bool:
        return study_id in row.study_ids


def _kind(summary: FormSummary, dimension: Dimension) -> FieldType | None:
    base = dimension.key.split(".")[0]
    item = summary.definition.fields_by_id.get(int(base)) if base.isdigit() else None
    return item.field.field_type if item is not None else None


def theme_field(summary: FormSummary) -> str | None:
    """The form's theme question: a group's key text whose label or group says "theme"."""
    for key, dimension in summary.dimensions.items():
        if _kind(summary, dimension) is FieldType.short_text and "theme" in f"{dimension.label} {dimension.group}".casefold():
            return key
    return None


def theme_matrix(summary: FormSummary, key: str | None = None, number: str | None = None) -> ThemeMatrix | None:
    key = key or theme_field(summary)
    if key is None:
        return None
    dimension = summary.dimension(key)
    numbers = summary.number(number).numbers if number else next(iter(summary.numbers.values())).numbers \
        if summary.numbers else None
    country = next((each for each in summary.dimensions.values() if _kind(summary, each) is FieldType.country), None)
    labels = dict(dimension.values)
    rows = []
    for theme, label in labels.items():
        studies = tuple(sorted({item.study_id for item in dimension.observations if item.key == theme}))
        participants = None
        if numbers is not None:
            participants = numbers_total([n for n in numbers if n.study_id in studies]).total
        countries: tuple[str, ...] = ()
        if country is not None:
            names = dict(country.values)
            counted: dict[str, int] = {}
            for item in country.observations:
                if item.study_id in studies:
                    counted[item.key] = counted.get(item.key, 0) + 1
            countries = tuple(names.get(code, code) for code, _ in sorted(counted.items(), key=lambda pair: -pair[1]))
        rows.append(ThemeRow(theme, label, studies, participants, countries))
    rows.sort(key=lambda row: -len(row.study_ids))  # stable: ties in order of first mention
    return ThemeMatrix(dimension.label, [(view.study.id, view.study.label) for view in summary.studies], rows)
