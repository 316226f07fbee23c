"""Deduplicate export files outside any review: what ``winnow dedup`` runs."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, TextIO

from screening.citation import Citation
from screening.dedup.finding import find_duplicates
from screening.dedup.grouping import group_duplicates, pairs_for_review
from screening.dedup.merging import choose_kept_record

GROUPS_CSV_COLUMNS = ("record_id", "group_id", "match")


@dataclass(frozen=True, slots=True)
class GroupRow:
    """One record read. ``group_id`` is shared by records merged automatically
    (it is the record id of the record kept); ``match`` is ``auto`` for those,
    ``candidate`` for a record in a pair waiting for a person, else ``unique``."""

    record_id: str
    group_id: str
    match: Literal["auto", "candidate", "unique"]


def record_ids(paths: Sequence[Path], citations_per_file: Sequence[Sequence[Citation]]) -> list[str]:
    """The file's own record id (``source_id``), else the 1-based position in
    the file; prefixed with ``name:`` when there are several files."""
    ids = []
    for path, citations in zip(paths, citations_per_file):
        for pos, cit in enumerate(citations, start=1):
            own = (cit.source_id or "").strip() or str(pos)
            ids.append(f"{Path(path).name}:{own}" if len(paths) > 1 else own)
    return ids


def group_rows(citations: Sequence[Citation], ids: Sequence[str]) -> list[GroupRow]:
    """Deduplicate ``citations`` together; one row per record, in input order."""
    pairs = find_duplicates(citations)
    groups = group_duplicates(len(citations), pairs)
    group_id: dict[int, str] = {}
    for group in groups:
        kept = group[choose_kept_record([citations[i] for i in group])]
        for i in group:
            group_id[i] = ids[kept]
    waiting = {i for p in pairs_for_review(len(citations), pairs) for i in (p.left, p.right)}
    rows = []
    for i, rid in enumerate(ids):
        if i in group_id:
            rows.append(GroupRow(rid, group_id[i], "auto"))
        else:
            rows.append(GroupRow(rid, rid, "candidate" if i in waiting else "unique"))
    return rows


def read_files(paths: Sequence[Path]) -> list[list[Citation]]:
    # Imported here so that the dedup engine itself never depends on the importers.
    from screening.importers import parse_file

    return [parse_file(Path(p).read_bytes(), Path(p).name).citations for p in paths]


def dedup_files(paths: Sequence[Path]) -> list[GroupRow]:
    """Read each file with the importers and deduplicate all records together."""
    paths = [Path(p) for p in paths]
    per_file = read_files(paths)
    ids = record_ids(paths, per_file)
    return group_rows([c for cits in per_file for c in cits], ids)


def write_groups_csv(rows: Iterable[GroupRow], out: Path | TextIO) -> None:
    """``record_id,group_id,match`` with a header row, UTF-8."""
    if isinstance(out, (str, Path)):
        with open(out, "w", encoding="utf-8", newline="") as handle:
            write_groups_csv(rows, handle)
        return
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(GROUPS_CSV_COLUMNS)
    for row in rows:
        writer.writerow((row.record_id, row.group_id, row.match))
