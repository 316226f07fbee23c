"""Use cases that join a domain step to a background job, shared by the pages, the API, the CLI,
the demo, the simulation and the benchmarks: each is the one way to do its thing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import Session, select

from app.config import Settings
from app.jobs import enqueue
from app.models import Job, JobStatus
from screening import importing
from screening.decisions import deciding, queue, resolving
from screening.models import Decision, ImportBatch, Record, Resolution, Stage, Verdict
from screening.review import reviews
from screening.review.access import ReviewAccess
from screening.review.models import Review, ScreeningSettings, utcnow


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


def retrain_soon(session: Session, review_id: int, user_id: int, delay: timedelta = TRAINING_GATHERS) -> Job:
    """Queue a training of the review's ranking unless one is already waiting; that one will
    see this change too, so a burst of decisions costs one training. Returns the job."""
    waiting = session.exec(select(Job).where(
        Job.review_id == review_id, Job.kind == "train", Job.status == JobStatus.queued)).first()
    return waiting or enqueue(session, "train", review_id=review_id, created_by_id=user_id,
                              not_before=utcnow() + delay)


# Screening's use cases. Every decision, undo and resolution goes through these, from the
# pages, the API, the demo, the simulation and the benchmarks alike, so each one retrains the
# ranking (title and abstract only: full-text verdicts are not its labels) and each screener
# is then served by the queue under blind mode's rule.

@dataclass(frozen=True)
class Decided:
    decision: Decision
    next: Record | None  # the screener's next record, held for them


def next_record(session: Session, access: ReviewAccess, stage: Stage) -> Record | None:
    return queue.next_record(session, access, stage)


def decide_and_next(
    session: Session, access: ReviewAccess, record_id: int, stage: Stage, verdict: Verdict, *,
    reason_id: int | None = None, note: str = "", training_delay: timedelta = TRAINING_GATHERS,
) -> Decided:
    decision = deciding.decide(session, access, record_id, stage, verdict, reason_id=reason_id, note=note)
    if stage is Stage.title_abstract:
        retrain_soon(session, access.review.id, access.user_id, training_delay)
    return Decided(decision, queue.next_record(session, access, stage))


def undo_decision(session: Session, access: ReviewAccess, record_id: int, stage: Stage, *,
                  training_delay: timedelta = TRAINING_GATHERS) -> None:
    deciding.undo_decision(session, access, record_id, stage)
    if stage is Stage.title_abstract:
        retrain_soon(session, access.review.id, access.user_id, training_delay)


def resolve(
    session: Session, access: ReviewAccess, record_id: int, stage: Stage, verdict: Verdict, *,
    reason_id: int | None = None, note: str = "", training_delay: timedelta = TRAINING_GATHERS,
) -> Resolution:
    resolution = resolving.resolve(session, access, record_id, stage, verdict, reason_id=reason_id, note=note)
    if stage is Stage.title_abstract:
        retrain_soon(session, access.review.id, access.user_id, training_delay)
    return resolution


def update_screening_settings(session: Session, access: ReviewAccess, data: ScreeningSettings) -> Review:
    """Dual or single, blind or not, and the pilot decide what each model may learn from."""
    review = reviews.update_screening_settings(session, access, data)
    retrain_soon(session, review.id, access.user_id, timedelta(0))
    return review
