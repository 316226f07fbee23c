"""Importing a search export into a review: a batch per file, all or nothing.

``create_batch`` keeps the uploaded file and queues it; ``import_batch`` is the
background job (the CLI calls it too): it parses the file, asks before skipping
records with no title and no abstract, stores the records in chunks while it
deduplicates them with the review's others. Until the batch is ``complete`` its
records count nowhere, and a failure removes them, so an import never half-lands.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import Session, select

from screening.review.audit import record_event
from screening.review.bulk import insert_rows
from screening.citation import Citation
from screening.dedup import find_duplicates
from screening.dedup.finding import paused_cycle_collection
from screening.deduplicating import merge_duplicates
from screening.importers import FORMAT_NAMES, left_out_summary, parse_file
from screening.importers.detect import ZIP_MAGIC
from screening.importers.tabular import check_workbook
from screening.models import BatchStatus, IdentificationRoute, ImportBatch, Record
from screening.review.errors import InvalidInput, NotFound
from screening.review.files import write_whole
from screening.review.models import Role, utcnow
from screening.records import citation_to_row, kept_citations
from screening.review.access import ReviewAccess
from screening.review.uploads import check_filename, kind_of

CHUNK = 2000
# Choices offered on the import form; any other name may be typed.
COMMON_SOURCES = (
    "MEDLINE (Ovid)", "MEDLINE (PubMed)", "Embase (Ovid)", "Embase.com", "PsycINFO (Ovid)",
    "CINAHL (EBSCO)", "Scopus", "Web of Science", "Cochrane Library (CENTRAL)", "ProQuest",
    "Google Scholar", "Trial registers", "Citation searching", "Other",
)
Report = Callable[[float, str], None]


@dataclass(frozen=True)
class BatchRequest:
    source_name: str
    filename: str
    search_date: date | None = None
    search_string: str = ""
    skip_empty: bool = False
    identification: IdentificationRoute = IdentificationRoute.database


def parse_search_date(value: str) -> date | None:
    if not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput(f"“{value}” is not a date: use the form 2024-05-31.", field="search_date") from None


def create_batch(
    session: Session, access: ReviewAccess, request: BatchRequest, data: bytes, *, uploads_dir: Path, max_bytes: int
) -> ImportBatch:
    """Check the upload, keep the file and record the batch; the caller queues ``import_batch``."""
    access.require(Role.lead)
    filename = check_filename(request.filename)
    source = request.source_name.strip()
    if not source or len(source) > 120:
        raise InvalidInput("Name the source of the file (1 to 120 characters), e.g. “Embase (Ovid)”.", field="source_name")
    if not data:
        raise InvalidInput(f"{request.filename} is empty (0 bytes): export the search results again.", field="file")
    if len(data) > max_bytes:
        raise InvalidInput(
            f"{request.filename} is {len(data) / 2**20:.0f} MB, over the limit of {max_bytes / 2**20:.0f} MB. "
            "Split the export into smaller files, or ask the administrator to raise WINNOW_MAX_UPLOAD_MB.",
            field="file",
        )
    kind = kind_of(data)
    if kind is not None:
        raise InvalidInput(f"{filename} is {kind}, not an export of search results. Winnow imports "
                           f"{', '.join(FORMAT_NAMES.values())}: export the records again in one of these.",
                           field="file")
    if data.startswith(ZIP_MAGIC):
        check_workbook(data, filename)
    uploads_dir.mkdir(parents=True, exist_ok=True)
    stored = uploads_dir / f"{uuid.uuid4().hex}-{_safe_name(request.filename)}"
    write_whole(stored, data, what=request.filename)
    batch = ImportBatch(
        review_id=access.review.id, source_name=source, search_date=request.search_date,
        search_string=request.search_string, filename=request.filename[:255], stored_path=str(stored),
        skip_empty=request.skip_empty, identification=request.identification, created_by_id=access.user_id,
    )
    session.add(batch)
    session.flush()
    record_event(session, actor_id=access.user_id, action="import.upload", object_type="import_batch",
                 object_id=batch.id, review_id=access.review.id, filename=batch.filename, source=source)
    session.commit()
    session.refresh(batch)
    return batch


def _safe_name(filename: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", Path(filename).name)[-100:] or "upload"


def import_batch(session: Session, report: Report, *, batch_id: int, review_id: int) -> None:
    """The import job. Safe to run again after an interruption: it starts the batch over."""
    batch = session.get(ImportBatch, batch_id)
    if batch is None or batch.review_id != review_id:
        raise NotFound(f"No import batch {batch_id} in review {review_id}.")
    if batch.status in (BatchStatus.complete, BatchStatus.cancelled):
        return
    _remove_records(session, batch)  # what an interrupted earlier attempt left
    try:
        with paused_cycle_collection():
            _import(session, report, batch)
    except Exception as error:
        session.rollback()
        _remove_records(session, batch)
        batch = session.get(ImportBatch, batch_id)
        batch.status = BatchStatus.failed
        batch.error = str(error) if isinstance(error, InvalidInput) else f"Unexpected error: {error}"
        session.add(batch)
        session.commit()
        raise


def _import(session: Session, report: Report, batch: ImportBatch) -> None:
    report(0.02, f"Reading {batch.filename}")
    # The bytes go once parsed: a large file is 100 MB not held while deduplicating.
    parsed = parse_file(Path(batch.stored_path).read_bytes(), batch.filename)
    batch.file_format, batch.encoding, batch.records_read = parsed.format, parsed.encoding, len(parsed.citations)
    empty = [(position, citation) for position, citation in enumerate(parsed.citations, start=1) if citation.is_empty]
    batch.empty_count = len(empty)
    batch.empty_examples = [
        {"position": position, "source_id": citation.source_id, "authors": citation.authors[:3],
         "year": citation.year, "journal": citation.journal}
        for position, citation in empty[:5]
    ]
    if empty and not batch.skip_empty:
        batch.status = BatchStatus.needs_consent
        session.add(batch)
        session.commit()
        report(1.0, f"{len(empty)} records have no title and no abstract: waiting for your decision")
        return
    batch.status = BatchStatus.importing
    session.add(batch)
    session.commit()

    review_id, batch_id = batch.review_id, batch.id
    earlier_ids, earlier = kept_citations(session, review_id)
    new = [(position, citation) for position, citation in enumerate(parsed.citations, start=1) if not citation.is_empty]
    citations = earlier + [citation for _, citation in new]
    # A second thread stores the records while this one compares them, so the database's work
    # (PostgreSQL's own process, SQLite's C code outside the GIL) takes the second core.
    # Until it is done only that thread uses the session.
    with ThreadPoolExecutor(max_workers=1) as storing:
        stored = storing.submit(_store, session, report, batch_id, review_id, new)
        found = find_duplicates(citations)
        stored.result()
    report(0.7, "Merging duplicates")
    new_ids = session.exec(select(Record.id).where(Record.batch_id == batch_id).order_by(Record.position)).all()
    merged = merge_duplicates(session, review_id, earlier_ids + list(new_ids), citations, found,
                              actor_id=batch.created_by_id)
    batch.status = BatchStatus.complete
    batch.record_count = len(new)
    batch.completed_at = utcnow()
    batch.error = ""
    session.add(batch)
    record_event(session, actor_id=batch.created_by_id, action="import.complete", object_type="import_batch",
                 object_id=batch.id, review_id=batch.review_id, records=len(new), skipped_empty=len(empty),
                 merged_automatically=merged.auto_merged, candidates=merged.candidates,
                 lines_left_out=[vars(item) for item in parsed.left_out])
    session.commit()
    # Fresh planner statistics: without them PostgreSQL plans the queue's query for an empty
    # table (nested loops over thousands of records) until autovacuum catches up.
    session.connection().exec_driver_sql("ANALYZE record")
    session.commit()
    left_out = left_out_summary(parsed.left_out)
    report(1.0, f"Imported {len(new):,} records; {merged.auto_merged:,} duplicates merged, "
                f"{merged.candidates:,} possible duplicates to check" + (f"; {left_out}" if left_out else ""))


def _store(session: Session, report: Report, batch_id: int, review_id: int, new: list[tuple[int, Citation]]) -> None:
    for start in range(0, len(new), CHUNK):
        rows = [{**citation_to_row(citation), "review_id": review_id, "batch_id": batch_id, "position": position}
                for position, citation in new[start:start + CHUNK]]
        # Each chunk commits so the progress bar moves and SQLite never holds one huge write.
        insert_rows(session.connection(), Record.__table__, rows)
        session.commit()
        stored = start + len(rows)
        report(0.05 + 0.6 * stored / len(new), f"Stored {stored:,} of {len(new):,} records, finding duplicates")


def _remove_records(session: Session, batch: ImportBatch) -> None:
    session.connection().execute(sa.delete(Record).where(Record.batch_id == batch.id))
    session.commit()


def consent_to_skip_empty(session: Session, access: ReviewAccess, batch_id: int) -> ImportBatch:
    """The importer agrees to leave out records with no title and no abstract; the caller requeues the job."""
    access.require(Role.lead)
    batch = batch_in_review(session, access.review.id, batch_id)
    if batch.status != BatchStatus.needs_consent:
        raise InvalidInput(f"Import {batch_id} is not waiting for a decision (it is {batch.status.value}).")
    batch.skip_empty = True
    batch.status = BatchStatus.queued
    session.add(batch)
    record_event(session, actor_id=access.user_id, action="import.skip_empty", object_type="import_batch",
                 object_id=batch.id, review_id=access.review.id, records=batch.empty_count)
    session.commit()
    session.refresh(batch)
    return batch


def cancel_batch(session: Session, access: ReviewAccess, batch_id: int) -> ImportBatch:
    access.require(Role.lead)
    batch = batch_in_review(session, access.review.id, batch_id)
    if batch.status != BatchStatus.needs_consent:
        raise InvalidInput(f"Only an import waiting for a decision can be cancelled; {batch_id} is {batch.status.value}.")
    batch.status = BatchStatus.cancelled
    session.add(batch)
    record_event(session, actor_id=access.user_id, action="import.cancel", object_type="import_batch",
                 object_id=batch.id, review_id=access.review.id)
    session.commit()
    session.refresh(batch)
    return batch


def parse_identification(value: str) -> IdentificationRoute:
    try:
        return IdentificationRoute(value.strip() or IdentificationRoute.database.value)
    except ValueError:
        names = ", ".join(route.value for route in IdentificationRoute)
        raise InvalidInput(f"“{value}” is not a way of identifying records: use one of {names}.",
                           field="identification") from None


def set_identification(session: Session, access: ReviewAccess, batch_id: int,
                       route: IdentificationRoute) -> ImportBatch:
    """Say where a batch's records were found: a database or register (PRISMA's main column),
    or another method (websites, organisations, citation searching), which has its own column."""
    access.require(Role.lead)
    batch = batch_in_review(session, access.review.id, batch_id)
    if batch.identification is not route:
        record_event(session, actor_id=access.user_id, action="import.identification", object_type="import_batch",
                     object_id=batch.id, review_id=access.review.id, before=batch.identification.value,
                     after=route.value)
        batch.identification = route
        session.add(batch)
        session.commit()
        session.refresh(batch)
    return batch


def batch_in_review(session: Session, review_id: int, batch_id: int) -> ImportBatch:
    batch = session.get(ImportBatch, batch_id)
    if batch is None or batch.review_id != review_id:
        raise NotFound(f"No import {batch_id} in this review.")
    return batch


def batches(session: Session, review_id: int) -> list[ImportBatch]:
    return list(session.exec(select(ImportBatch).where(ImportBatch.review_id == review_id).order_by(ImportBatch.id.desc())))

