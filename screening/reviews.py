"""Reviews and their membership: creating, editing, who belongs with which role."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, func, select

from screening.audit import record_event
from screening.errors import InvalidInput, NotFound, PermissionDenied
from screening.models import Membership, Review, ReviewCreate, ReviewUpdate, Role, ScreeningSettings, User, utcnow


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


@dataclass(frozen=True)
class MemberRow:
    membership: Membership
    user: User


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


def list_members(session: Session, review_id: int) -> list[MemberRow]:
    rows = session.exec(
        select(Membership, User)
        .join(User, User.id == Membership.user_id)
        .where(Membership.review_id == review_id)
        .order_by(Membership.id)
    ).all()
    return [MemberRow(membership=membership, user=user) for membership, user in rows]


def add_member(session: Session, access: ReviewAccess, email: str, role: Role) -> Membership:
    """Add an existing account to the review, or change the role of one already in it."""
    access.require(Role.lead)
    user = session.exec(select(User).where(User.email == email.strip().lower())).first()
    if user is None or not user.is_active:
        raise InvalidInput(
            f"No active account with the email {email.strip()!r}. "
            "An administrator creates accounts on the Users page.",
            field="email",
        )
    review_id = access.review.id
    membership = session.exec(
        select(Membership).where(Membership.review_id == review_id, Membership.user_id == user.id)
    ).first()
    if membership is None:
        membership = Membership(review_id=review_id, user_id=user.id, role=role)
        action = "member.add"
    else:
        if membership.role == role:
            return membership
        _refuse_removing_last_lead(session, membership, new_role=role)
        membership.role = role
        action = "member.role"
    session.add(membership)
    record_event(
        session, actor_id=access.user_id, action=action, object_type="user",
        object_id=user.id, review_id=review_id, email=user.email, role=role.value,
    )
    session.commit()
    session.refresh(membership)
    return membership


def remove_member(session: Session, access: ReviewAccess, user_id: int) -> None:
    access.require(Role.lead)
    review_id = access.review.id
    membership = session.exec(
        select(Membership).where(Membership.review_id == review_id, Membership.user_id == user_id)
    ).first()
    if membership is None:
        raise NotFound(f"User {user_id} is not a member of this review.")
    _refuse_removing_last_lead(session, membership, new_role=None)
    session.delete(membership)
    record_event(
        session, actor_id=access.user_id, action="member.remove", object_type="user",
        object_id=user_id, review_id=review_id, role=membership.role.value,
    )
    session.commit()


def _refuse_removing_last_lead(session: Session, membership: Membership, new_role: Role | None) -> None:
    """A review without a lead could never be managed again."""
    if membership.role != Role.lead or new_role == Role.lead:
        return
    leads = session.exec(
        select(func.count())
        .select_from(Membership)
        .where(Membership.review_id == membership.review_id, Membership.role == Role.lead)
    ).one()
    if leads <= 1:
        raise InvalidInput(
            "This is the review's only lead. Make another member lead first.", field="role"
        )


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
