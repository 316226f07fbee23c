"""Tables the web layer owns: API tokens, log-in sessions, login throttling and background jobs.

The domain tables live in ``screening.review.models`` (users, reviews, members, audit) and ``screening.models``."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from screening.review.models import enum_column, utcnow


class ApiToken(SQLModel, table=True):
    """A personal token for scripts. Only its SHA-256 is stored: the token is
    random and long, so a slow password hash would add nothing but latency."""

    __tablename__ = "api_token"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    name: str = Field(max_length=100)
    prefix: str = Field(max_length=16)
    token_hash: str = Field(max_length=64, sa_column_kwargs={"unique": True})
    created_at: datetime = Field(default_factory=utcnow)
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None


class UserSession(SQLModel, table=True):
    """A log-in, held on the server: the signed cookie carries only its random key, whose SHA-256
    is stored. Log-out, a password change (for the other sessions), a password reset and
    deactivation end sessions here, so a copied cookie stops working at once."""

    __tablename__ = "user_session"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    key_hash: str = Field(max_length=64, sa_column_kwargs={"unique": True})
    created_at: datetime = Field(default_factory=utcnow)
    ended_at: datetime | None = None


class LoginFailure(SQLModel, table=True):
    """Failed logins by client address, kept in the database so that throttling
    holds across several web workers."""

    __tablename__ = "login_failure"
    __table_args__ = (sa.Index("ix_login_failure_address_at", "address", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    address: str = Field(max_length=64)
    at: datetime = Field(default_factory=utcnow)


class JobStatus(str, enum.Enum):
    queued = "queued"
    running = "running"
    succeeded = "succeeded"
    failed = "failed"


class Job(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=50)
    review_id: int | None = Field(default=None, foreign_key="review.id", index=True)
    created_by_id: int | None = Field(default=None, foreign_key="user.id")
    payload: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    status: JobStatus = Field(default=JobStatus.queued, sa_type=enum_column(JobStatus), index=True)
    progress: float = 0.0
    message: str = Field(default="", max_length=300)
    error: str = Field(default="", sa_type=sa.Text)
    attempts: int = 0
    worker: str = Field(default="", max_length=100)
    lease_until: datetime | None = None
    not_before: datetime | None = None  # a job queued to gather a burst of work waits until then
    created_at: datetime = Field(default_factory=utcnow)
    started_at: datetime | None = None
    finished_at: datetime | None = None
