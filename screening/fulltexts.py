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
from screening.review.uploads import check_filename, check_size, kind_of

PDF_MAGIC = b"%PDF-"
# A PDF ends with "%%EOF"; writers may add a little after it. A file without one near its end was
# cut short (an interrupted download) and would show blank or half its pages.
PDF_END = b"%%EOF"
PDF_END_WITHIN = 2048


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
    filename = check_filename(filename)
    check_size(data, filename, max_bytes)
    if not data.startswith(PDF_MAGIC):
        kind = kind_of(data) or ("a web page" if data.lstrip()[:15].lower().startswith((b"<!doctype", b"<html"))
                                 else "not a PDF file")
        shown = kind if kind.startswith("not") else f"{kind}, not a PDF"
        raise InvalidInput(f"{filename} is {shown}. Attach the report as a PDF (a publisher's site may have given "
                           "you its web page instead: download the PDF itself).", field="file")
    if PDF_END not in data[-PDF_END_WITHIN:]:
        raise InvalidInput(f"{filename} is cut short: it has no end-of-file mark, so its download was probably "
                           "interrupted. Download the PDF again and attach that.", field="file")
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
