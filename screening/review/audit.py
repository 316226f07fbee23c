"""The append-only log of who changed what, when, on which object."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlmodel import Session, select

from screening.review.bulk import insert_rows
from screening.review.models import AuditEvent, utcnow

# The ``via`` of an event done by a ``winnow`` command, which runs as nobody in particular.
COMMAND_LINE = "command line"


def record_event(
    session: Session,
    *,
    actor_id: int | None,
    action: str,
    object_type: str,
    object_id: object = "",
    review_id: int | None = None,
    **detail: Any,
) -> AuditEvent:
    """Add an event to the caller's transaction, so it lands exactly when the change does."""
    event = AuditEvent(
        actor_id=actor_id,
        review_id=review_id,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        detail=detail,
    )
    session.add(event)
    return event


def record_events(
    session: Session,
    *,
    actor_id: int | None,
    action: str,
    object_type: str,
    review_id: int | None,
    details: Mapping[object, dict[str, Any]],
) -> None:
    """One change to many objects (a large import's merges: tens of thousands), logged in one
    statement in the caller's transaction; ``details`` maps each object's id to its detail."""
    at = utcnow()
    rows = [
        {"at": at, "actor_id": actor_id, "review_id": review_id, "action": action, "object_type": object_type,
         "object_id": str(object_id), "detail": detail}
        for object_id, detail in details.items()
    ]
    insert_rows(session.connection(), AuditEvent.__table__, rows)


def record_export(session: Session, *, actor_id: int | None, review_id: int, kind: str, file_format: str,
                  **detail: Any) -> None:
    """A file of the review's data has left Winnow (a download, a command's output): who took
    which, in what format. Committed at once, because the file goes whether or not anything
    else is saved after it."""
    record_event(session, actor_id=actor_id, action=f"export.{kind}", object_type="review", object_id=review_id,
                 review_id=review_id, format=file_format, **detail)
    session.commit()


def events_for_review(session: Session, review_id: int, limit: int = 50) -> list[AuditEvent]:
    query = (
        select(AuditEvent)
        .where(AuditEvent.review_id == review_id)
        .order_by(AuditEvent.id.desc())
        .limit(limit)
    )
    return list(session.exec(query))
