"""What a route needs, as named dependencies: the database session, the user,
and, for every review-scoped route, the review with the user's role in it.

``ViewerAccess``, ``ReviewerAccess`` and ``LeadAccess`` are the one way a route
reaches a review: a non-member gets 404 (as if the review did not exist), a
member below the needed role 403. Pages and the API use the same ones.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlmodel import Session

from app.accounts import user_for_session, user_for_token
from app.config import Settings
from app.security import bearer_token, session_key
from screening.review.errors import PermissionDenied
from screening.review.models import Role, User
from screening.review.access import ReviewAccess, review_access


class NotAuthenticated(Exception):
    """No valid session or API token: pages redirect to log-in, the API answers 401."""


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_session(request: Request) -> Iterator[Session]:
    # A request's objects stay loaded after its commits: reloading the review and the user
    # after every commit cost a database round trip each, for data the request just read.
    with Session(request.app.state.engine, expire_on_commit=False) as session:
        yield session


SettingsDep = Annotated[Settings, Depends(get_settings)]
SessionDep = Annotated[Session, Depends(get_session)]


def optional_user(request: Request, session: SessionDep) -> User | None:
    user = _user_from_request(request, session)
    request.state.user = user  # for the page layout's header
    return user


def _user_from_request(request: Request, session: Session) -> User | None:
    token = bearer_token(request)
    if token is not None:
        user = user_for_token(session, token)
        if user is None:
            raise NotAuthenticated("The API token is unknown or revoked.")
        return user
    user_id, key = request.session.get("user_id"), session_key(request)
    if user_id is None:
        return None
    user = user_for_session(session, user_id, key) if isinstance(user_id, int) and key else None
    if user is None:  # ended on the server (log-out elsewhere, password change, deactivation)
        request.session.clear()
    return user


def current_user(user: Annotated[User | None, Depends(optional_user)]) -> User:
    if user is None:
        raise NotAuthenticated("Log in first.")
    return user


def admin_user(user: Annotated[User, Depends(current_user)]) -> User:
    if not user.is_admin:
        raise PermissionDenied("Only an administrator can do this.")
    return user


OptionalUser = Annotated[User | None, Depends(optional_user)]
CurrentUser = Annotated[User, Depends(current_user)]
AdminUser = Annotated[User, Depends(admin_user)]


def member_of_review(needed: Role):
    def dependency(review_id: int, user: CurrentUser, session: SessionDep) -> ReviewAccess:
        access = review_access(session, review_id, user.id)
        access.require(needed)
        return access

    return dependency


ViewerAccess = Annotated[ReviewAccess, Depends(member_of_review(Role.viewer))]
ReviewerAccess = Annotated[ReviewAccess, Depends(member_of_review(Role.reviewer))]
LeadAccess = Annotated[ReviewAccess, Depends(member_of_review(Role.lead))]
