"""The counts as the PRISMA2020 R package and Shiny app read them (Haddaway, Page, Pritchard &
McGuinness 2022, Campbell Systematic Reviews 18:e1230; MIT licence): its input template,
version 1.1.4 (``PRISMA2020_template.csv`` beside this module, shipped unchanged), with the same
8 columns and the same rows in the same order, and only the ``n`` column filled in. UTF-8
without a byte-order mark.

A box split by name ("database_specific_results", "dbr_excluded") holds ``Name, n; Name, n``
in one cell, so a name must hold no comma and no semicolon: such characters are replaced by a
space in the CSV, and each name so changed is reported in ``Written.changed`` so the page can
say so (the lead may reword the name instead). The JSON API returns the same counts under the
same ``data`` names."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from extraction.reports.prisma import Box, Check, PrismaCounts, check_arithmetic

TEMPLATE = Path(__file__).with_name("PRISMA2020_template.csv")
COLUMNS = ("data", "node", "box", "description", "boxtext", "tooltips", "url", "n")
# The template's rows Winnow fills, each from the box of the same name. Rows not named here
# (title boxes, the meta-analysis box Winnow knows nothing of) keep the template's value.
FILLED = (
    "previous_studies", "previous_reports", "database_results", "database_specific_results", "register_results",
    "register_specific_results", "website_results", "organisation_results", "citations_results", "duplicates",
    "excluded_automatic", "excluded_other", "records_screened", "records_excluded", "dbr_sought_reports",
    "dbr_notretrieved_reports", "other_sought_reports", "other_notretrieved_reports", "dbr_assessed",
    "dbr_excluded", "other_assessed", "other_excluded", "new_studies", "new_reports", "total_studies",
    "total_reports",
)
NAMED = {"database_specific_results", "register_specific_results", "dbr_excluded", "other_excluded"}
_SEPARATORS = re.compile(r"[,;]+")


@dataclass(frozen=True)
class Written:
    text: str
    changed: list[tuple[str, str]]  # (name as the data hold it, name as written) where a , or ; went


def template_rows() -> list[dict[str, str]]:
    with TEMPLATE.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def clean_name(name: str) -> str:
    return " ".join(_SEPARATORS.sub(" ", name).split())


def named_cell(box: Box, changed: list[tuple[str, str]]) -> str:
    """``Name, n; Name, n``; a box with no parts (nothing counted, or a total) gives its n."""
    if not box.parts:
        return str(box.n)
    cells = []
    for part in box.parts:
        name = clean_name(part.name)
        if name != part.name:
            changed.append((part.name, name))
        cells.append(f"{name}, {part.n}")
    return "; ".join(cells)


def write_csv(counts: PrismaCounts) -> Written:
    changed: list[tuple[str, str]] = []
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in template_rows():
        key = row["data"]
        if key in FILLED:
            box = counts.boxes[key]
            row = row | {"n": named_cell(box, changed) if key in NAMED else str(box.n)}
        writer.writerow(row)
    return Written(buffer.getvalue(), changed)


def read_csv(text: str) -> dict[str, str]:
    """A PRISMA2020 template CSV as ``data`` -> ``n`` (rows with no data name left out)."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    if tuple(reader.fieldnames or ()) != COLUMNS:
        raise ValueError(f"Not a PRISMA2020 template: its columns are {reader.fieldnames}, not {list(COLUMNS)}.")
    return {row["data"]: row["n"] for row in reader if row["data"] not in ("NA", "")}


def parse_named(cell: str) -> list[tuple[str, int]]:
    """``Name, n; Name, n`` back into its parts."""
    parts = []
    for item in filter(None, (piece.strip() for piece in cell.split(";"))):
        name, _, number = item.rpartition(",")
        parts.append((name.strip(), int(number)))
    return parts


def numbers_from_csv(text: str) -> dict[str, int]:
    """Each filled row's count (a named cell's parts summed), for checking a CSV's arithmetic."""
    values = read_csv(text)
    numbers = {}
    for key in FILLED:
        cell = values.get(key, "0")
        numbers[key] = sum(n for _, n in parse_named(cell)) if key in NAMED and "," in cell else int(cell)
    return numbers


def as_json(counts: PrismaCounts, checks: list[Check] | None = None, id_limit: int = 1000) -> dict:
    """The counts keyed by the same ``data`` names: each box's n; the parts of split boxes by
    name; the arithmetic checks with the open records behind a failing one (at most
    ``id_limit`` ids each: the box pages list them all)."""
    checks = check_arithmetic(counts.numbers, counts.open) if checks is None else checks
    return {
        "review_id": counts.review_id,
        "as_of": counts.as_of.isoformat() if counts.as_of else None,
        "previous_until": counts.previous_until.isoformat() if counts.previous_until else None,
        "data": counts.numbers,
        "parts": {key: [{"name": part.name, "n": part.n} for part in box.parts]
                  for key, box in counts.boxes.items() if box.parts},
        "units": {key: box.unit for key, box in counts.boxes.items()},
        "checks": [{"box": check.box, "identity": check.identity, "expected": check.expected,
                    "actual": check.actual, "holds": check.holds,
                    "explained_by": [{"label": item.label, "n": len(item.ids), "record_ids": list(item.ids[:id_limit])}
                                     for item in check.explained_by]} for check in checks],
        "automation": None if counts.automation is None else {
            "stopping_check_id": counts.automation.check_id, "method": "Callaghan & Müller-Hansen (2020)",
            "p_value": counts.automation.p_value, "reject": counts.automation.reject,
            "target_recall": counts.automation.target_recall, "confidence": counts.automation.confidence},
        "notes": list(counts.notes),
    }
