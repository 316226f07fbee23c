"""Blind mode: what a member may see of colleagues' verdicts."""

from __future__ import annotations

from sqlmodel import Session, select

from screening.decisions.outcomes import Outcome, RecordStatus, outcome_of
from screening.decisions.stages import decision_of, resolution_of, screeners_needed
from screening.models import Decision, Stage
from screening.review.access import ReviewAccess
from screening.review.models import Role


def colleagues_decisions(session: Session, access: ReviewAccess, record_id: int, stage: Stage) -> list[Decision]:
    """Other screeners' verdicts, which a screener may see only when the review is not blind,
    or once they have decided themselves and the verdicts conflict."""
    others = list(session.exec(select(Decision).where(
        Decision.record_id == record_id, Decision.stage == stage, Decision.reviewer_id != access.user_id)))
    if not access.review.blind:
        return others
    mine = decision_of(session, record_id, stage, access.user_id)
    if mine is None:
        return []
    needed = screeners_needed(session, access.review).for_record(record_id, stage)
    if outcome_of([mine, *others], resolution_of(session, record_id, stage), needed, stage) is Outcome.conflict:
        return others
    return []

def sees_all_verdicts(access: ReviewAccess, status: RecordStatus) -> bool:
    """In blind mode a screener sees only their own verdicts, until a conflict opens them;
    the lead (who resolves) and viewers (who do not screen) see all."""
    return (not access.review.blind or access.role is not Role.reviewer
            or status.outcome is Outcome.conflict)
