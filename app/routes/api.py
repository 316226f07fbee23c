"""The JSON API for scripts: the same domain functions as the pages, under ``/api/``.

Authenticate with the session cookie or ``Authorization: Bearer <token>``
(tokens are made on the profile page)."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Response
from pydantic import BaseModel

from app import accounts
from app.deps import AdminUser, CurrentUser, LeadAccess, SessionDep, ViewerAccess
from app.jobs import job_for_review
from app.models import JobStatus
from screening.review import members, reviews
from screening.review.access import ReviewAccess, review_access, reviews_for_user
from screening.review.models import ReviewCreate, ReviewPublic, ReviewUpdate, Role, UserPublic

router = APIRouter(prefix="/api", tags=["api"])


class ReviewWithRole(ReviewPublic):
    role: Role


class MemberIn(BaseModel):
    email: str
    role: Role


class MemberOut(BaseModel):
    user_id: int
    email: str
    name: str
    role: Role


class JobOut(BaseModel):
    id: int
    kind: str
    status: JobStatus
    progress: float
    message: str
    error: str
    attempts: int
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


def _with_role(access: ReviewAccess) -> ReviewWithRole:
    return ReviewWithRole(**access.review.model_dump(), role=access.role)


def _members(session, review_id: int) -> list[MemberOut]:
    return [
        MemberOut(user_id=row.user.id, email=row.user.email, name=row.user.name, role=row.membership.role)
        for row in members.list_members(session, review_id)
    ]


@router.get("/me", response_model=UserPublic)
def me(user: CurrentUser):
    return user


@router.get("/users", response_model=list[UserPublic])
def list_users(session: SessionDep, admin: AdminUser):
    return accounts.list_users(session)


@router.post("/users", response_model=UserPublic, status_code=201)
def create_user(data: accounts.AccountCreate, session: SessionDep, admin: AdminUser):
    return accounts.create_user(session, data, actor_id=admin.id)


class PasswordReset(BaseModel):
    password: str


class AccountActive(BaseModel):
    active: bool


class UserAccount(UserPublic):
    is_active: bool


@router.post("/users/{user_id}/password", response_model=UserAccount)
def reset_password(user_id: int, data: PasswordReset, session: SessionDep, admin: AdminUser):
    """Set a new password for someone (an administrator only): all their sessions end."""
    return accounts.reset_password(session, admin.id, user_id, data.password)


@router.put("/users/{user_id}/active", response_model=UserAccount)
def set_active(user_id: int, data: AccountActive, session: SessionDep, admin: AdminUser):
    """Deactivate an account (no log-in, no API token; its decisions stay attributed) or reactivate it."""
    return accounts.set_active(session, admin.id, user_id, data.active)


@router.get("/reviews", response_model=list[ReviewWithRole])
def list_reviews(session: SessionDep, user: CurrentUser):
    return [_with_role(access) for access in reviews_for_user(session, user.id)]


@router.post("/reviews", response_model=ReviewWithRole, status_code=201)
def create_review(data: ReviewCreate, session: SessionDep, user: CurrentUser):
    review = reviews.create_review(session, data, user.id)
    return _with_role(review_access(session, review.id, user.id))


@router.get("/reviews/{review_id}", response_model=ReviewWithRole)
def get_review(access: ViewerAccess):
    return _with_role(access)


@router.put("/reviews/{review_id}", response_model=ReviewWithRole)
def update_review(data: ReviewUpdate, session: SessionDep, access: LeadAccess):
    reviews.update_review(session, access, data)
    return _with_role(access)


@router.get("/reviews/{review_id}/members", response_model=list[MemberOut])
def list_members(session: SessionDep, access: ViewerAccess):
    return _members(session, access.review.id)


@router.put("/reviews/{review_id}/members", response_model=list[MemberOut])
def put_member(data: MemberIn, session: SessionDep, access: LeadAccess):
    """Add an existing account to the review, or change a member's role."""
    members.add_member(session, access, data.email, data.role)
    return _members(session, access.review.id)


@router.delete("/reviews/{review_id}/members/{user_id}", status_code=204)
def delete_member(user_id: int, session: SessionDep, access: LeadAccess):
    members.remove_member(session, access, user_id)
    return Response(status_code=204)


@router.get("/reviews/{review_id}/jobs/{job_id}", response_model=JobOut)
def get_job(job_id: int, session: SessionDep, access: ViewerAccess):
    return job_for_review(session, access.review.id, job_id)
