"""Stored records as citations: the merged view of a duplicate group, counts, and export."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, fields

import sqlalchemy as sa
from sqlmodel import Session, func, select

from screening.citation import Citation
from screening.dedup import merge_fields
from screening.exporters import citations_to_csv, citations_to_ris
from screening.models import BatchStatus, ImportBatch, MergeKind, Record, RecordRemoval

CITATION_FIELDS = tuple(f.name for f in fields(Citation))


def record_to_citation(record: Record) -> Citation:
    return Citation(**{name: getattr(record, name) for name in CITATION_FIELDS})


# Columns of bounded length (DOI, PubMed id, volume ...): PostgreSQL refuses a longer value, and a
# file may hold one (a DOI field full of notes). Such a value is cut to fit; ``raw`` keeps it whole.
_BOUNDED = {name: Record.__table__.c[name].type.length for name in CITATION_FIELDS
            if getattr(Record.__table__.c[name].type, "length", None)}


def citation_to_row(citation: Citation) -> dict:
    row = {name: getattr(citation, name) for name in CITATION_FIELDS}
    for name, length in _BOUNDED.items():
        if isinstance(row[name], str) and len(row[name]) > length:
            row[name] = row[name][:length]
    return row


def in_complete_batches(review_id: int):
    """Records of a review that count: those of finished imports."""
    return (
        select(Record)
        .join(ImportBatch, ImportBatch.id == Record.batch_id)
        .where(Record.review_id == review_id, ImportBatch.status == BatchStatus.complete)
    )


def kept_records(session: Session, review_id: int) -> list[Record]:
    """The records screening sees: one per duplicate group, in import order."""
    return list(session.exec(in_complete_batches(review_id).where(Record.duplicate_of_id.is_(None)).order_by(Record.id)))


def duplicates_of(session: Session, kept: Sequence[Record]) -> dict[int, list[Record]]:
    groups: dict[int, list[Record]] = defaultdict(list)
    if kept:
        # review_id leads the (review_id, duplicate_of_id) index: without it every record is read.
        for record in session.exec(select(Record).where(
                Record.review_id.in_({record.review_id for record in kept}),
                Record.duplicate_of_id.in_([record.id for record in kept])).order_by(Record.id)):
            groups[record.duplicate_of_id].append(record)
    return groups


def merged_citations(session: Session, kept: Sequence[Record]) -> list[Citation]:
    """Each kept record with the fields it lacks filled from its duplicates."""
    groups = duplicates_of(session, kept)
    return [
        merge_fields([record_to_citation(record)] + [record_to_citation(other) for other in groups[record.id]])
        if groups[record.id] else record_to_citation(record)
        for record in kept
    ]


# Everything deduplication and export compare or write; ``raw`` stays in the database.
_CONTENT_COLUMNS = [getattr(Record, name) for name in CITATION_FIELDS if name != "raw"]


def kept_citations(session: Session, review_id: int) -> tuple[list[int], list[Citation]]:
    """Ids and merged citations of all kept records of finished imports, read as plain rows:
    a large review would not fit in memory as ORM objects with their raw fields."""
    rows = session.connection().execute(
        sa.select(Record.id, Record.duplicate_of_id, *_CONTENT_COLUMNS)
        .join(ImportBatch, ImportBatch.id == Record.batch_id)
        .where(Record.review_id == review_id, ImportBatch.status == BatchStatus.complete)
        .order_by(Record.id)
    )
    names = [column.key for column in _CONTENT_COLUMNS]
    kept: dict[int, Citation] = {}
    duplicates: dict[int, list[Citation]] = defaultdict(list)
    for record_id, duplicate_of, *values in rows:
        citation = Citation(**dict(zip(names, values)))
        if duplicate_of is None:
            kept[record_id] = citation
        else:
            duplicates[duplicate_of].append(citation)
    citations = [
        merge_fields([citation, *duplicates[record_id]]) if record_id in duplicates else citation
        for record_id, citation in kept.items()
    ]
    return list(kept), citations


@dataclass(frozen=True)
class RecordCounts:
    """What PRISMA 2020's identification box needs."""

    by_source: dict[str, int]
    identified: int
    duplicates_auto: int
    duplicates_manual: int
    removed: int  # by the lead before screening, with a reason
    to_screen: int


def record_counts(session: Session, review_id: int) -> RecordCounts:
    rows = session.exec(
        select(ImportBatch.source_name, Record.merge_kind, func.count())
        .join(Record, Record.batch_id == ImportBatch.id)
        .where(ImportBatch.review_id == review_id, ImportBatch.status == BatchStatus.complete)
        .group_by(ImportBatch.source_name, Record.merge_kind)
    ).all()
    by_source: dict[str, int] = defaultdict(int)
    by_kind: dict[MergeKind | None, int] = defaultdict(int)
    for source, kind, count in rows:
        by_source[source] += count
        by_kind[kind] += count
    removed = session.exec(
        select(func.count()).select_from(RecordRemoval)
        .join(Record, Record.id == RecordRemoval.record_id)
        .join(ImportBatch, ImportBatch.id == Record.batch_id)
        .where(RecordRemoval.review_id == review_id, RecordRemoval.restored_at.is_(None),
               Record.duplicate_of_id.is_(None), ImportBatch.status == BatchStatus.complete)
    ).one()
    return RecordCounts(
        by_source=dict(sorted(by_source.items())),
        identified=sum(by_source.values()),
        duplicates_auto=by_kind[MergeKind.auto],
        duplicates_manual=by_kind[MergeKind.manual],
        removed=removed,
        to_screen=by_kind[None] - removed,
    )


def export_records(session: Session, review_id: int, file_format: str) -> str:
    """The review's deduplicated records, merged fields filled, as RIS or CSV.
    (Filtering by screening stage arrives with screening.)"""
    record_ids, citations = kept_citations(session, review_id)
    ids = [str(record_id) for record_id in record_ids]
    if file_format == "ris":
        return citations_to_ris(citations, ids=ids)
    if file_format == "csv":
        return citations_to_csv(citations, ids=ids)
    raise ValueError(f"Unknown export format {file_format!r}: use ris or csv")
