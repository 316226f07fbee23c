"""Conflicts, and the lead's final word on a record (settling a conflict or overriding)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from screening.decisions.deciding import checked_verdict
from screening.decisions.outcomes import Outcome
from screening.decisions.stages import resolution_of, status_of, statuses
from screening.models import Decision, Record, Resolution, ResolutionKind, Stage, Verdict
from screening.review.access import ReviewAccess
from screening.review.audit import record_event
from screening.review.models import Review, Role, utcnow


@dataclass(frozen=True)
class Conflict:
    record: Record
    decisions: list[Decision]


def conflicts(session: Session, review: Review, stage: Stage) -> list[Conflict]:
    """Records whose verdicts differ, waiting for the lead, in record order."""
    waiting = [status for status in statuses(session, review, stage) if status.outcome is Outcome.conflict]
    records = {record.id: record for record in session.exec(
        select(Record).where(Record.id.in_([status.record_id for status in waiting])))}
    return [Conflict(records[status.record_id], status.decisions) for status in waiting]


def resolve(
    session: Session, access: ReviewAccess, record_id: int, stage: Stage, verdict: Verdict,
    *, reason_id: int | None = None, note: str = "",
) -> Resolution:
    """The lead's final verdict: settles a conflict, or overrides any record (both logged)."""
    access.require(Role.lead)
    review = access.review
    reason = checked_verdict(session, review, record_id, stage, verdict, reason_id)
    was_conflict = status_of(session, review, record_id, stage).outcome is Outcome.conflict
    resolution = resolution_of(session, record_id, stage) or Resolution(
        review_id=review.id, record_id=record_id, stage=stage, verdict=verdict, kind=ResolutionKind.override,
        resolved_by_id=access.user_id)
    resolution.verdict, resolution.reason_id, resolution.note = verdict, reason.id if reason else None, note.strip()
    resolution.kind = ResolutionKind.conflict if was_conflict else ResolutionKind.override
    resolution.resolved_by_id, resolution.resolved_at = access.user_id, utcnow()
    session.add(resolution)
    record_event(session, actor_id=access.user_id, action=f"resolution.{resolution.kind.value}", object_type="record",
                 object_id=record_id, review_id=review.id, stage=stage.value, verdict=verdict.value,
                 reason_id=resolution.reason_id)
    session.commit()
    session.refresh(resolution)
    return resolution
