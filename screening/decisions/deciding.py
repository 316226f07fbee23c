"""A screener's verdict on a record: recording, changing and withdrawing it."""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session, select

from screening.decisions.reasons import reason_in_review
from screening.decisions.stages import decision_of, require_at_stage, resolution_of, screeners_needed
from screening.models import Decision, ExclusionReason, Stage, Verdict
from screening.review.access import ReviewAccess
from screening.review.audit import record_event
from screening.review.errors import InvalidInput, NotFound
from screening.review.models import Review, Role, utcnow


def checked_verdict(session: Session, review: Review, record_id: int, stage: Stage, verdict: Verdict,
                     reason_id: int | None) -> ExclusionReason | None:
    """The record must be at the stage, and a full-text exclusion needs one of the review's reasons."""
    require_at_stage(session, review, record_id, stage)
    reason = reason_in_review(session, review.id, reason_id if verdict is Verdict.exclude else None)
    if stage is Stage.full_text and verdict is Verdict.exclude and reason is None:
        raise InvalidInput(
            "Excluding at full text needs a reason, because PRISMA reports why reports were excluded. "
            "Choose one from the list (the lead can add reasons).",
            field="reason_id",
        )
    return reason


def decide(
    session: Session, access: ReviewAccess, record_id: int, stage: Stage, verdict: Verdict,
    *, reason_id: int | None = None, note: str = "",
) -> Decision:
    """Record or change the screener's verdict. Sending the same verdict twice changes nothing."""
    access.require(Role.reviewer)
    review = access.review
    reason = checked_verdict(session, review, record_id, stage, verdict, reason_id)
    if resolution_of(session, record_id, stage) is not None:
        raise InvalidInput("The lead has already resolved this record; ask the lead to change it.")
    existing = decision_of(session, record_id, stage, access.user_id)
    if existing is None:
        taken = set(session.exec(select(Decision.slot).where(Decision.record_id == record_id, Decision.stage == stage)))
        free = set(range(1, screeners_needed(session, review).for_record(record_id, stage) + 1)) - taken
        if not free:
            raise InvalidInput(f"Record {record_id} has already been screened by {len(taken)} reviewers.")
        existing = Decision(review_id=review.id, record_id=record_id, stage=stage, reviewer_id=access.user_id,
                            slot=min(free), verdict=verdict, reason_id=reason.id if reason else None,
                            note=note.strip()[:2000])
        session.add(existing)
        action, detail = "decision.create", {}
    else:
        new = (verdict, reason.id if reason else None, note.strip()[:2000])
        old = (existing.verdict, existing.reason_id, existing.note)
        if new == old:
            return existing
        existing.verdict, existing.reason_id, existing.note = new
        existing.updated_at = utcnow()
        session.add(existing)
        action, detail = "decision.change", {"was": old[0].value, "was_reason_id": old[1]}
    record_event(session, actor_id=access.user_id, action=action, object_type="record", object_id=record_id,
                 review_id=review.id, stage=stage.value, verdict=verdict.value,
                 reason_id=reason.id if reason else None, **detail)
    try:
        session.commit()
    except sa.exc.IntegrityError:
        # Another request took this slot (or stored this very decision) at the same moment:
        # look again, so this one changes that decision, takes another slot or is refused.
        session.rollback()
        return decide(session, access, record_id, stage, verdict, reason_id=reason_id, note=note)
    return existing


def undo_decision(session: Session, access: ReviewAccess, record_id: int, stage: Stage) -> None:
    """Withdraw the screener's own verdict (the ``u`` key), until the lead has resolved the record."""
    access.require(Role.reviewer)
    if resolution_of(session, record_id, stage) is not None:
        raise InvalidInput("The lead has already resolved this record; ask the lead to change it.")
    existing = decision_of(session, record_id, stage, access.user_id)
    if existing is None or existing.review_id != access.review.id:
        raise NotFound(f"You have no decision on record {record_id} to undo.")
    session.delete(existing)
    record_event(session, actor_id=access.user_id, action="decision.undo", object_type="record", object_id=record_id,
                 review_id=access.review.id, stage=stage.value, was=existing.verdict.value)
    session.commit()


def my_decision(session: Session, access: ReviewAccess, record_id: int, stage: Stage) -> Decision | None:
    return decision_of(session, record_id, stage, access.user_id)
