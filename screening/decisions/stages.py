"""Which records are at a stage, how many screeners each needs, and where each stands."""

from __future__ import annotations

from collections import defaultdict

import sqlalchemy as sa
from sqlmodel import Session, select

from screening.decisions.outcomes import Outcome, RecordStatus, ScreenersNeeded
from screening.models import (
    BatchStatus, Decision, FullText, ImportBatch, Record, RecordRemoval, Resolution, Stage, Verdict,
)
from screening.review.errors import NotFound
from screening.review.models import Membership, Review, Role


def screeners_needed(session: Session, review: Review) -> ScreenersNeeded:
    ordinary = 2 if review.dual_screening else 1
    if not review.pilot_size:
        return ScreenersNeeded(ordinary, frozenset(), ordinary)
    pilot = frozenset(session.exec(kept_in_review(review.id).order_by(Record.id).limit(review.pilot_size)))
    everyone = session.exec(select(sa.func.count()).select_from(Membership).where(
        Membership.review_id == review.id, Membership.role.in_([Role.reviewer, Role.lead]))).one()
    return ScreenersNeeded(ordinary, pilot, max(everyone, ordinary))


def kept_in_review(review_id: int):
    """The records screening sees: one per duplicate group, of finished imports, and not
    removed by the lead before screening (``screening.decisions.removing``)."""
    return (
        select(Record.id)
        .join(ImportBatch, ImportBatch.id == Record.batch_id)
        .where(Record.review_id == review_id, Record.duplicate_of_id.is_(None),
               ImportBatch.status == BatchStatus.complete, ~removed_now().exists())
    )


def removed_now():
    """The lead's removal of ``Record`` before screening, while it is not undone."""
    return select(RecordRemoval.id).where(RecordRemoval.record_id == Record.id, RecordRemoval.restored_at.is_(None))


def _moved_on_from_title_abstract(needed: sa.ColumnElement[int]):
    """SQL condition: the record moved on at title and abstract (see ``outcome_of``)."""
    resolved = select(Resolution.id).where(Resolution.record_id == Record.id,
                                           Resolution.stage == Stage.title_abstract)
    resolved_in = resolved.where(Resolution.verdict != Verdict.exclude)
    agreeing = (
        select(sa.func.count()).select_from(Decision)
        .where(Decision.record_id == Record.id, Decision.stage == Stage.title_abstract,
               Decision.verdict != Verdict.exclude)
        .scalar_subquery()
    )
    any_exclude = select(Decision.id).where(Decision.record_id == Record.id, Decision.stage == Stage.title_abstract,
                                            Decision.verdict == Verdict.exclude)
    return sa.or_(
        resolved_in.exists(),
        sa.and_(~resolved.exists(), agreeing >= needed, ~any_exclude.exists()),
    )


def records_at_stage(session: Session, review: Review, stage: Stage):
    needed = screeners_needed(session, review) if stage is Stage.full_text else None
    return _records_at(review.id, stage, needed)


def _records_at(review_id: int | sa.BindParameter, stage: Stage, needed: ScreenersNeeded | None):
    query = kept_in_review(review_id)
    if stage is Stage.full_text:
        not_retrieved = select(FullText.id).where(FullText.record_id == Record.id, FullText.not_retrieved_reason != "")
        query = query.where(_moved_on_from_title_abstract(needed.sql(Stage.title_abstract)), ~not_retrieved.exists())
    return query


def record_at_stage(session: Session, review: Review, record_id: int, stage: Stage) -> Record:
    require_at_stage(session, review, record_id, stage)
    return session.get(Record, record_id)


def require_at_stage(session: Session, review: Review, record_id: int, stage: Stage) -> None:
    found = session.exec(records_at_stage(session, review, stage).where(Record.id == record_id)).first()
    if found is None:
        where = "in this review" if stage is Stage.title_abstract else "at full-text screening"
        raise NotFound(f"No record {record_id} {where}.")


def statuses(session: Session, review: Review, stage: Stage) -> list[RecordStatus]:
    """Every record at the stage with its verdicts, in record order. The verdicts are read as
    plain rows (with the Decision's fields as attributes), not ORM objects: this runs on every
    page and training, over every decision of the review."""
    record_ids = list(session.exec(records_at_stage(session, review, stage).order_by(Record.id)))
    by_record: dict[int, list[Decision]] = defaultdict(list)
    decisions = sa.select(Decision.__table__).where(Decision.review_id == review.id, Decision.stage == stage)
    for decision in session.connection().execute(decisions.order_by(Decision.id)):
        by_record[decision.record_id].append(decision)
    resolutions = {resolution.record_id: resolution for resolution in session.exec(
        select(Resolution).where(Resolution.review_id == review.id, Resolution.stage == stage))}
    needed = screeners_needed(session, review)
    return [
        RecordStatus.of(record_id, by_record[record_id], resolutions.get(record_id),
                        needed.for_record(record_id, stage), stage)
        for record_id in record_ids
    ]


def status_of(session: Session, review: Review, record_id: int, stage: Stage) -> RecordStatus:
    decisions = list(session.exec(select(Decision).where(Decision.record_id == record_id, Decision.stage == stage)
                                  .order_by(Decision.id)))
    needed = screeners_needed(session, review).for_record(record_id, stage)
    return RecordStatus.of(record_id, decisions, resolution_of(session, record_id, stage), needed, stage)


def decision_of(session: Session, record_id: int, stage: Stage, reviewer_id: int) -> Decision | None:
    return session.exec(select(Decision).where(
        Decision.record_id == record_id, Decision.stage == stage, Decision.reviewer_id == reviewer_id)).first()


def resolution_of(session: Session, record_id: int, stage: Stage) -> Resolution | None:
    return session.exec(select(Resolution).where(Resolution.record_id == record_id, Resolution.stage == stage)).first()


def included_record_ids(session: Session, review: Review) -> list[int]:
    """The records included at full text (their outcome there moves on), in import order:
    extraction's reports of included studies."""
    return [status.record_id for status in statuses(session, review, Stage.full_text)
            if status.outcome is Outcome.moves_on]
