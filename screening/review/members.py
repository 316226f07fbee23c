"""Who belongs to a review, with which role; a review always keeps a lead."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, func, select

from screening.review.access import ReviewAccess
from screening.review.audit import record_event
from screening.review.errors import InvalidInput, NotFound
from screening.review.models import Membership, Role, User


@dataclass(frozen=True)
class MemberRow:
    membership: Membership
    user: User


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
