"""Creating a review and changing its description and screening settings."""

from __future__ import annotations

from sqlmodel import Session

from screening.review.access import ReviewAccess
from screening.review.audit import record_event
from screening.review.models import Membership, Review, ReviewCreate, ReviewUpdate, Role, ScreeningSettings, utcnow


def create_review(session: Session, data: ReviewCreate, creator_id: int) -> Review:
    """The creator becomes the review's first lead."""
    review = Review.model_validate(data, update={"created_by_id": creator_id})
    session.add(review)
    session.flush()
    session.add(Membership(review_id=review.id, user_id=creator_id, role=Role.lead))
    record_event(
        session, actor_id=creator_id, action="review.create", object_type="review",
        object_id=review.id, review_id=review.id, title=review.title,
    )
    session.commit()
    session.refresh(review)
    return review


def update_review(session: Session, access: ReviewAccess, data: ReviewUpdate) -> Review:
    access.require(Role.lead)
    review = access.review
    changes = {
        name: value
        for name, value in data.model_dump().items()
        if getattr(review, name) != value
    }
    for name, value in changes.items():
        setattr(review, name, value)
    if changes:
        review.updated_at = utcnow()
        record_event(
            session, actor_id=access.user_id, action="review.update", object_type="review",
            object_id=review.id, review_id=review.id, fields=sorted(changes),
        )
    session.add(review)
    session.commit()
    session.refresh(review)
    return review


def update_screening_settings(session: Session, access: ReviewAccess, data: ScreeningSettings) -> Review:
    access.require(Role.lead)
    review = access.review
    changes = {name: value for name, value in data.model_dump().items() if getattr(review, name) != value}
    for name, value in changes.items():
        setattr(review, name, value)
    if changes:
        review.updated_at = utcnow()
        record_event(session, actor_id=access.user_id, action="review.screening_settings", object_type="review",
                     object_id=review.id, review_id=review.id, changes=changes)
    session.add(review)
    session.commit()
    session.refresh(review)
    return review
