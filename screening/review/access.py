"""A review as one member sees it: the one check of who may do what, used by both stages."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from screening.review.errors import NotFound, PermissionDenied
from screening.review.models import Membership, Review, Role


@dataclass(frozen=True)
class ReviewAccess:
    """A review as one member sees it: what they may do follows from ``role``."""

    review: Review
    role: Role
    user_id: int

    def require(self, needed: Role) -> None:
        if not self.role.allows(needed):
            raise PermissionDenied(
                f"This needs the {needed.value} role in “{self.review.title}”; "
                f"you are a {self.role.value}. Ask the review's lead."
            )


def review_access(session: Session, review_id: int, user_id: int) -> ReviewAccess:
    """The review and the user's role in it. A non-member learns nothing, not
    even that the review exists: the same NotFound as for a missing id."""
    row = session.exec(
        select(Review, Membership.role)
        .join(Membership, Membership.review_id == Review.id)
        .where(Review.id == review_id, Membership.user_id == user_id)
    ).first()
    if row is None:
        raise NotFound(f"No review {review_id} among your reviews.")
    review, role = row
    return ReviewAccess(review=review, role=role, user_id=user_id)


def reviews_for_user(session: Session, user_id: int) -> list[ReviewAccess]:
    rows = session.exec(
        select(Review, Membership.role)
        .join(Membership, Membership.review_id == Review.id)
        .where(Membership.user_id == user_id)
        .order_by(Review.updated_at.desc(), Review.id.desc())
    ).all()
    return [ReviewAccess(review=review, role=role, user_id=user_id) for review, role in rows]
