"""Full-text reports: a PDF attached to a record for full-text screening, or a
note that it could not be obtained (PRISMA's "reports not retrieved"; such a
record leaves the full-text queue).

PDFs are files in the review's files folder (``WINNOW_DATA_DIR/fulltexts``),
not database rows: they can be large, and a file server backs them up as well
as a database would. With web workers on several hosts, that folder must be
storage they share."""

from __future__ import annotations

import uuid
from pathlib import Path

from sqlmodel import Session, select

from screening.review.audit import record_event
from screening.decisions.stages import record_at_stage
from screening.review.errors import InvalidInput, NotFound
from screening.review.files import write_whole
from screening.models import FullText, Stage
from screening.review.models import Role, utcnow
from screening.review.access import ReviewAccess

PDF_MAGIC = b"%PDF-"


def full_text_of(session: Session, review_id: int, record_id: int) -> FullText | None:
    return session.exec(select(FullText).where(FullText.review_id == review_id, FullText.record_id == record_id)).first()


def _entry(session: Session, access: ReviewAccess, record_id: int) -> FullText:
    access.require(Role.reviewer)
    existing = full_text_of(session, access.review.id, record_id)
    if existing is not None:  # a report marked not retrieved may turn up later
        return existing
    record_at_stage(session, access.review, record_id, Stage.full_text)
    return FullText(review_id=access.review.id, record_id=record_id, updated_by_id=access.user_id)


def attach_pdf(session: Session, access: ReviewAccess, record_id: int, filename: str, data: bytes, *,
               files_dir: Path, max_bytes: int) -> FullText:
    entry = _entry(session, access, record_id)
    if not data.startswith(PDF_MAGIC):
        raise InvalidInput(f"{filename} is not a PDF file. Attach the report as a PDF.", field="file")
    if len(data) > max_bytes:
        raise InvalidInput(f"{filename} is {len(data) / 2**20:.0f} MB, over the limit of {max_bytes / 2**20:.0f} MB.",
                           field="file")
    folder = files_dir / str(access.review.id)
    folder.mkdir(parents=True, exist_ok=True)
    stored = folder / f"{record_id}-{uuid.uuid4().hex}.pdf"
    write_whole(stored, data, what=filename)
    entry.filename, entry.stored_path, entry.size_bytes = filename[:255], str(stored), len(data)
    entry.not_retrieved_reason = ""
    entry.updated_by_id, entry.updated_at = access.user_id, utcnow()
    session.add(entry)
    record_event(session, actor_id=access.user_id, action="fulltext.attach", object_type="record",
                 object_id=record_id, review_id=access.review.id, filename=entry.filename, size=len(data))
    session.commit()
    session.refresh(entry)
    return entry


def mark_not_retrieved(session: Session, access: ReviewAccess, record_id: int, reason: str) -> FullText:
    entry = _entry(session, access, record_id)
    reason = reason.strip()
    if not reason or len(reason) > 500:
        raise InvalidInput("Say why the report could not be retrieved (1 to 500 characters), "
                           "e.g. “not available from the library or the authors”.", field="reason")
    entry.not_retrieved_reason = reason
    entry.updated_by_id, entry.updated_at = access.user_id, utcnow()
    session.add(entry)
    record_event(session, actor_id=access.user_id, action="fulltext.not_retrieved", object_type="record",
                 object_id=record_id, review_id=access.review.id, reason=reason)
    session.commit()
    session.refresh(entry)
    return entry


def pdf_path(session: Session, review_id: int, record_id: int) -> Path:
    entry = full_text_of(session, review_id, record_id)
    if entry is None or not entry.stored_path:
        raise NotFound(f"No PDF is attached to record {record_id}.")
    return Path(entry.stored_path)
