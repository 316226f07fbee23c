"""The tables both stages share: people, the review and its settings, who belongs to it
with which role, and the audit trail every later change writes to.

All times are timezone-aware UTC (see :func:`utcnow`); SQLModel's UTCDateTime
columns return them the same from SQLite and PostgreSQL.
"""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(UTC)


def enum_column(enum_class: type[enum.Enum]) -> sa.Enum:
    """Store an enum as its value in a plain VARCHAR: portable across both
    databases and extended later without a PostgreSQL ``ALTER TYPE``."""
    return sa.Enum(
        enum_class,
        native_enum=False,
        length=20,
        values_callable=lambda members: [member.value for member in members],
    )


class User(SQLModel, table=True):
    """A person: reviewers, leads and admins alike. Passwords are hashed by
    ``app.accounts``; nothing in this package ever reads the hash."""

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, sa_column_kwargs={"unique": True})
    name: str = Field(max_length=120)
    password_hash: str = Field(max_length=300)
    is_admin: bool = False
    is_active: bool = True
    created_at: datetime = Field(default_factory=utcnow)


class UserPublic(SQLModel):
    id: int
    email: str
    name: str
    is_admin: bool


class ReviewType(str, enum.Enum):
    systematic = "systematic"
    scoping = "scoping"


class Role(str, enum.Enum):
    """A member's role in one review; each role may do all that the ones before it may."""

    viewer = "viewer"
    reviewer = "reviewer"
    lead = "lead"

    @property
    def rank(self) -> int:
        return list(Role).index(self)

    def allows(self, needed: Role) -> bool:
        return self.rank >= needed.rank


class ReviewFields(SQLModel):
    title: str = Field(min_length=1, max_length=300)
    question: str = Field(default="", max_length=5000)
    review_type: ReviewType = Field(default=ReviewType.systematic, sa_type=enum_column(ReviewType))
    eligibility_criteria: str = Field(default="", max_length=20000)


class ReviewCreate(ReviewFields):
    pass


class ReviewUpdate(ReviewFields):
    pass


class ScreeningSettings(SQLModel):
    """How screening runs: by default every record by two screeners, neither
    seeing the other's verdict until both have decided and they differ."""

    dual_screening: bool = True
    blind: bool = True
    # The first records at title and abstract, screened by every screener before the real run.
    pilot_size: int = Field(default=0, ge=0, le=1000)
    # Words to mark on the screening page, one term or phrase per line.
    inclusion_terms: str = Field(default="", max_length=5000)
    exclusion_terms: str = Field(default="", max_length=5000)


class Review(ReviewFields, ScreeningSettings, table=True):
    id: int | None = Field(default=None, primary_key=True)
    created_by_id: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class ReviewPublic(ReviewFields):
    id: int
    created_at: datetime
    updated_at: datetime


class Membership(SQLModel, table=True):
    __table_args__ = (sa.UniqueConstraint("review_id", "user_id", name="uq_membership_review_user"),)

    id: int | None = Field(default=None, primary_key=True)
    review_id: int = Field(foreign_key="review.id", index=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    role: Role = Field(sa_type=enum_column(Role))
    added_at: datetime = Field(default_factory=utcnow)


class AuditEvent(SQLModel, table=True):
    """Append-only: the migration installs triggers that refuse UPDATE and DELETE."""

    __tablename__ = "audit_event"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    actor_id: int | None = Field(default=None, foreign_key="user.id")
    review_id: int | None = Field(default=None, foreign_key="review.id", index=True)
    action: str = Field(max_length=60)
    object_type: str = Field(max_length=40)
    object_id: str = Field(default="", max_length=60)
    detail: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
