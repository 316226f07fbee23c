"""The review's reasons for excluding at full text, as PRISMA reports them: a common list to
start, which the lead edits; a retired reason stays with the decisions that cite it."""

from __future__ import annotations

from sqlmodel import Session, select

from screening.models import ExclusionReason
from screening.review.access import ReviewAccess
from screening.review.audit import record_event
from screening.review.errors import InvalidInput
from screening.review.models import Role


DEFAULT_EXCLUSION_REASONS = (
    "Wrong population", "Wrong intervention or service", "Wrong setting", "Wrong study design",
    "Wrong outcomes", "Not community-based", "Inpatient or forensic setting", "Not a primary study",
)


def exclusion_reasons(session: Session, review_id: int) -> list[ExclusionReason]:
    """The review's offered reasons; a new review starts with a common list the lead can edit."""
    reasons = list(session.exec(select(ExclusionReason).where(
        ExclusionReason.review_id == review_id, ExclusionReason.retired.is_(False)).order_by(ExclusionReason.position)))
    if reasons or session.exec(select(ExclusionReason.id).where(ExclusionReason.review_id == review_id)).first():
        return reasons
    for position, label in enumerate(DEFAULT_EXCLUSION_REASONS):
        session.add(ExclusionReason(review_id=review_id, label=label, position=position))
    session.commit()
    return exclusion_reasons(session, review_id)


def add_exclusion_reason(session: Session, access: ReviewAccess, label: str) -> ExclusionReason:
    access.require(Role.lead)
    label = label.strip()
    if not label or len(label) > 120:
        raise InvalidInput("A reason needs 1 to 120 characters, e.g. “Wrong setting”.", field="label")
    existing = session.exec(select(ExclusionReason).where(
        ExclusionReason.review_id == access.review.id, ExclusionReason.label == label)).first()
    if existing is not None:
        existing.retired = False
        reason = existing
    else:
        count = len(exclusion_reasons(session, access.review.id))
        reason = ExclusionReason(review_id=access.review.id, label=label, position=count)
    session.add(reason)
    record_event(session, actor_id=access.user_id, action="exclusion_reason.add", object_type="exclusion_reason",
                 object_id=label, review_id=access.review.id)
    session.commit()
    session.refresh(reason)
    return reason


def retire_exclusion_reason(session: Session, access: ReviewAccess, reason_id: int) -> None:
    """Offered no more; decisions already citing it keep it."""
    access.require(Role.lead)
    reason = reason_in_review(session, access.review.id, reason_id)
    reason.retired = True
    session.add(reason)
    record_event(session, actor_id=access.user_id, action="exclusion_reason.retire", object_type="exclusion_reason",
                 object_id=reason_id, review_id=access.review.id)
    session.commit()


def reason_in_review(session: Session, review_id: int, reason_id: int | None) -> ExclusionReason | None:
    if reason_id is None:
        return None
    reason = session.get(ExclusionReason, reason_id)
    if reason is None or reason.review_id != review_id:
        raise InvalidInput(f"No exclusion reason {reason_id} in this review.", field="reason_id")
    return reason
