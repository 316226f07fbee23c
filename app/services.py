"""Use cases that join a domain step to a background job, shared by pages, API and CLI."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, select

from app.config import Settings
from app.jobs import enqueue
from app.models import Job, JobStatus
from screening import importing
from screening.models import ImportBatch, Stage
from screening.review.models import utcnow
from screening.review.access import ReviewAccess


def start_import(
    session: Session, settings: Settings, access: ReviewAccess, request: importing.BatchRequest, data: bytes
) -> ImportBatch:
    batch = importing.create_batch(
        session, access, request, data, uploads_dir=settings.uploads_dir, max_bytes=settings.max_upload_bytes
    )
    return _queue(session, access, batch)


def skip_empty_and_continue(session: Session, access: ReviewAccess, batch_id: int) -> ImportBatch:
    return _queue(session, access, importing.consent_to_skip_empty(session, access, batch_id))


def _queue(session: Session, access: ReviewAccess, batch: ImportBatch) -> ImportBatch:
    job = enqueue(session, "import", review_id=access.review.id, created_by_id=access.user_id, batch_id=batch.id)
    batch.job_id = job.id
    session.add(batch)
    session.commit()
    session.refresh(batch)
    return batch


# How long a training waits after the decision that queued it, so the decisions of a busy team
# in that moment share one training instead of keeping a CPU core retraining without pause.
TRAINING_GATHERS = timedelta(seconds=2)


def retrain_soon(session: Session, access: ReviewAccess, stage: Stage) -> None:
    """After a title/abstract decision: queue a training of the review's ranking unless one is
    already waiting; that one will see this decision too, so a burst costs one training."""
    if stage is not Stage.title_abstract:
        return
    waiting = session.exec(select(Job.id).where(
        Job.review_id == access.review.id, Job.kind == "train", Job.status == JobStatus.queued)).first()
    if waiting is None:
        enqueue(session, "train", review_id=access.review.id, created_by_id=access.user_id,
                not_before=utcnow() + TRAINING_GATHERS)
