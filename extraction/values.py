"""Values of a coding, as pure rules with no database: reading what a reviewer typed into a
field's value (or saying clearly why not), showing a value as text, telling whether two values
agree, and the tree a coding's values form (repeatable groups hold rows, rows hold values and
at most one more level of groups).

Stored values by field type: text as a string; integer as an int; decimal as an int or float;
yes/no as a bool; date as "2020", "2020-05" or "2020-05-14"; single choice as an option id;
multiple and hierarchical choice as a list of option ids; country as a list of ISO 3166-1
alpha-2 codes. A draft may also hold the text a number or date field refused."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pycountry

from extraction.models import FieldOption, FieldType, FormField

MAX_TEXT = 20000
SEPARATOR = "; "  # between the values of a multi-valued field, in tables
PATH_SEPARATOR = " > "  # between the levels of a hierarchical option: "Psychotherapy > DBT"

COUNTRIES = {country.alpha_2: country.name for country in pycountry.countries}
_THOUSANDS = re.compile(r"^-?\d{1,3}(,\d{3})+(\.\d+)?$")
_INTEGER = re.compile(r"^-?\d+$")
_DECIMAL = re.compile(r"^-?(\d+(\.\d*)?|\.\d+)$")
_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


@dataclass(frozen=True)
class Parsed:
    value: Any  # None when empty; the text as typed when refused
    error: str | None = None


def is_empty(value: Any) -> bool:
    return value is None or value == "" or value == []


def _as_list(raw: Any) -> list:
    if raw is None:
        return []
    if isinstance(raw, (list, tuple)):
        return [item for item in raw if not (isinstance(item, str) and not item.strip())]
    return [] if isinstance(raw, str) and not raw.strip() else [raw]


def _single(raw: Any) -> Any:
    """The one entry of a single-valued field: an HTML form posts a list of one."""
    if isinstance(raw, (list, tuple)):
        items = _as_list(raw)
        return items[0] if items else None
    return raw


def parse_value(field_: FormField, raw: Any, options: Mapping[int, FieldOption]) -> Parsed:
    """What a reviewer entered, as the value to store. ``options`` are the field's own options
    (retired ones too: a value chosen before an option was retired stays valid)."""
    kind = field_.field_type
    if kind in (FieldType.multiple_choice, FieldType.hierarchical):
        return _parse_options(_as_list(raw), options, several=True)
    if kind is FieldType.country:
        return _parse_countries(_as_list(raw))
    raw = _single(raw)
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return Parsed(None)
    if kind is FieldType.single_choice:
        return _parse_options([raw], options, several=False)
    if kind in (FieldType.short_text, FieldType.long_text):
        text = str(raw).strip() if kind is FieldType.long_text else " ".join(str(raw).split())
        if len(text) > MAX_TEXT:
            return Parsed(text[:MAX_TEXT], f"is {len(text):,} characters long; shorten it to {MAX_TEXT:,} at most.")
        return Parsed(text)
    if kind is FieldType.integer:
        return _parse_integer(raw)
    if kind is FieldType.decimal:
        return _parse_decimal(raw)
    if kind is FieldType.yes_no:
        return _parse_yes_no(raw)
    if kind is FieldType.date:
        return _parse_date(raw)
    raise ValueError(f"{kind.value} fields hold rows, not values")


def _parse_integer(raw: Any) -> Parsed:
    if isinstance(raw, bool):
        return Parsed(str(raw), f"“{raw}” is not a whole number: write it in digits, e.g. 12.")
    if isinstance(raw, int):
        return Parsed(raw)
    if isinstance(raw, float) and raw.is_integer():
        return Parsed(int(raw))
    text = str(raw).strip()
    digits = text.replace(",", "") if _THOUSANDS.match(text) else text
    if _INTEGER.match(digits):
        return Parsed(int(digits))
    return Parsed(text, f"“{text}” is not a whole number: write it in digits, e.g. 12.")


def _parse_decimal(raw: Any) -> Parsed:
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        return Parsed(raw)
    text = str(raw).strip()
    digits = text.replace(",", "") if _THOUSANDS.match(text) else text
    if _DECIMAL.match(digits):
        number = float(digits)
        return Parsed(int(number) if number.is_integer() and "." not in digits else number)
    return Parsed(text, f"“{text}” is not a number: write it in digits with a point for decimals, e.g. 12.5.")


def _parse_yes_no(raw: Any) -> Parsed:
    if isinstance(raw, bool):
        return Parsed(raw)
    text = str(raw).strip().casefold()
    if text in ("yes", "y", "true", "1"):
        return Parsed(True)
    if text in ("no", "n", "false", "0"):
        return Parsed(False)
    return Parsed(None, f"“{raw}” is neither yes nor no: choose one.")


def _parse_date(raw: Any) -> Parsed:
    text = str(raw).strip()
    match = _DATE.match(text)
    if match:
        year, month, day = (int(part) if part else None for part in match.groups())
        try:
            date(year, month or 1, day or 1)
        except ValueError:
            pass
        else:
            return Parsed(text)
    return Parsed(text, f"“{text}” is not a date: write a year (2020), a year and month (2020-05) "
                        "or a full date (2020-05-14).")


def _option_id(raw: Any) -> int | None:
    if isinstance(raw, int) and not isinstance(raw, bool):
        return raw
    text = str(raw).strip()
    return int(text) if text.isdigit() else None


def _parse_options(raws: list, options: Mapping[int, FieldOption], *, several: bool) -> Parsed:
    chosen: list[int] = []
    for raw in raws:
        option_id = _option_id(raw)
        if option_id is None or option_id not in options:
            return Parsed(None, f"“{raw}” is not one of this question's options: choose from the list.")
        option_id = followed_merges(option_id, options)
        if option_id not in chosen:
            chosen.append(option_id)
    if not chosen:
        return Parsed(None)
    if not several and len(chosen) > 1:
        return Parsed(None, "takes one answer: choose only one.")
    return Parsed(chosen if several else chosen[0])


def followed_merges(option_id: int, options: Mapping[int, FieldOption]) -> int:
    """The option a merged option now lives on (merges may chain)."""
    seen = set()
    while options[option_id].merged_into_id is not None and option_id not in seen:
        seen.add(option_id)
        option_id = options[option_id].merged_into_id
    return option_id


def _parse_countries(raws: list) -> Parsed:
    codes: list[str] = []
    for raw in raws:
        code = str(raw).strip().upper()
        if code not in COUNTRIES:
            return Parsed(None, f"“{raw}” is not an ISO 3166 country code: choose the country from the list.")
        if code not in codes:
            codes.append(code)
    return Parsed(codes or None)


def option_path(option_id: int, options: Mapping[int, FieldOption]) -> list[str]:
    """The labels from the top category down to the option: ["Psychotherapy", "DBT"]."""
    labels, seen = [], set()
    current: int | None = option_id
    while current is not None and current in options and current not in seen:
        seen.add(current)
        labels.append(options[current].label)
        current = options[current].parent_id
    return labels[::-1]


def display(field_: FormField, value: Any, options: Mapping[int, FieldOption]) -> str:
    """A value as text, as tables show it: several values joined by "; ", hierarchical ones as
    "Category > Type", countries by name."""
    if is_empty(value):
        return ""
    kind = field_.field_type
    if kind is FieldType.yes_no and isinstance(value, bool):
        return "Yes" if value else "No"
    if kind is FieldType.single_choice and isinstance(value, int):
        return PATH_SEPARATOR.join(option_path(value, options))
    if kind in (FieldType.multiple_choice, FieldType.hierarchical) and isinstance(value, list):
        return SEPARATOR.join(PATH_SEPARATOR.join(option_path(item, options)) for item in value)
    if kind is FieldType.country and isinstance(value, list):
        return SEPARATOR.join(COUNTRIES.get(code, code) for code in value)
    if isinstance(value, float):
        return f"{value:g}" if abs(value) < 1e15 else str(value)
    return str(value)


def comparable(field_: FormField, value: Any) -> Any:
    """What two values must share to agree: text ignoring case and spacing, choices ignoring
    their order, numbers by value."""
    if is_empty(value):
        return None
    if isinstance(value, list):
        return frozenset(value)
    if isinstance(value, str):
        return " ".join(value.split()).casefold()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    return value


def agree(field_: FormField, first: Any, second: Any) -> bool:
    return comparable(field_, first) == comparable(field_, second)


# --- the tree of a coding's values -----------------------------------------------------------

@dataclass
class Entry:
    """A value and where it came from: the report (record), the page and the quoted text."""

    value: Any
    page: str = ""
    quote: str = ""
    source_record_id: int | None = None
    form_version: int | None = None  # None: not stored yet

    @property
    def has_provenance(self) -> bool:
        return bool(self.page or self.quote or self.source_record_id)

    def same_content(self, other: Entry) -> bool:
        return (self.value, self.page, self.quote, self.source_record_id) == (
            other.value, other.page, other.quote, other.source_record_id)


@dataclass
class Node:
    """A coding, or one row of a repeatable group: values by field id, rows by group id."""

    values: dict[int, Entry] = field(default_factory=dict)
    groups: dict[int, list[Row]] = field(default_factory=dict)

    def value(self, field_id: int) -> Any:
        entry = self.values.get(field_id)
        return None if entry is None else entry.value

    def rows(self, group_id: int) -> list[Row]:
        return self.groups.get(group_id, [])


@dataclass
class Row(Node):
    uid: str = ""
