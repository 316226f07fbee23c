"""Tiny builders shared by domain, route and browser tests."""

from __future__ import annotations

import csv
import io
import itertools
from datetime import date
from pathlib import Path

from sqlmodel import Session

from app.accounts import AccountCreate, create_user
from screening.importing import BatchRequest, create_batch, import_batch
from screening.decisions.resolving import resolve
from screening.models import IdentificationRoute, ImportBatch, Stage, Verdict
from screening.review.models import Review, ReviewCreate, Role, User
from screening.review.access import review_access
from screening.review.members import add_member
from screening.review.reviews import create_review

PASSWORD = "correct horse battery staple"
_numbers = itertools.count(1)


def make_user(session: Session, *, name: str | None = None, email: str | None = None, is_admin: bool = False) -> User:
    number = next(_numbers)
    return create_user(
        session,
        AccountCreate(email=email or f"person{number}@example.org", name=name or f"Person {number}", password=PASSWORD),
        is_admin=is_admin,
    )


def make_review(session: Session, lead: User, **fields) -> Review:
    fields.setdefault("title", f"Community services for complex emotional needs {next(_numbers)}")
    return create_review(session, ReviewCreate(**fields), lead.id)


def join(session: Session, review: Review, lead: User, member: User, role: Role) -> None:
    add_member(session, review_access(session, review.id, lead.id), member.email, role)


FIXTURES = Path(__file__).resolve().parent / "fixtures"


def import_fixture(session: Session, review: Review, lead: User, relative_path: str, *, source: str = "Embase",
                   skip_empty: bool = False, uploads_dir: Path) -> ImportBatch:
    """Upload a fixture file and run the import job in-line, as the worker would."""
    path = FIXTURES / relative_path
    access = review_access(session, review.id, lead.id)
    batch = create_batch(session, access, BatchRequest(source_name=source, filename=path.name, skip_empty=skip_empty),
                         path.read_bytes(), uploads_dir=uploads_dir, max_bytes=50 * 2**20)
    import_batch(session, lambda progress, message: None, batch_id=batch.id, review_id=review.id)
    session.refresh(batch)
    return batch


def single_screening_review(session: Session, lead: User, relative_path: str, *, uploads_dir: Path) -> Review:
    """A review screened by one reviewer per record, with a fixture file imported."""
    review = make_review(session, lead)
    review.dual_screening = False
    session.add(review)
    session.commit()
    import_fixture(session, review, lead, relative_path, uploads_dir=uploads_dir)
    return review


def include_records(session: Session, review: Review, lead: User, record_ids: list[int]) -> None:
    """The lead includes the records at both stages (an override each), so they reach extraction."""
    access = review_access(session, review.id, lead.id)
    for record_id in record_ids:
        for stage in (Stage.title_abstract, Stage.full_text):
            resolve(session, access, record_id, stage, Verdict.include)


def import_citations(session: Session, review: Review, lead: User, rows: list[dict], *, source: str,
                     identification: IdentificationRoute = IdentificationRoute.database, uploads_dir: Path,
                     search_date: date | None = None, search_string: str = "") -> ImportBatch:
    """Import records given as dicts (title, abstract, authors, year, doi, journal) as a CSV
    upload, run in-line as the worker would."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=["title", "abstract", "authors", "year", "journal", "doi"])
    writer.writeheader()
    writer.writerows(rows)
    access = review_access(session, review.id, lead.id)
    batch = create_batch(session, access, BatchRequest(source_name=source, filename=f"{source}.csv",
                                                       identification=identification, search_date=search_date,
                                                       search_string=search_string),
                         buffer.getvalue().encode(), uploads_dir=uploads_dir, max_bytes=50 * 2**20)
    import_batch(session, lambda progress, message: None, batch_id=batch.id, review_id=review.id)
    session.refresh(batch)
    return batch
