"""The JSON API for the review's audit log (its CSV: ``/reviews/{id}/audit.csv``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Query
from pydantic import BaseModel

from app.deps import LeadAccess, SessionDep
from screening.review import audit_log

router = APIRouter(prefix="/api/reviews/{review_id}", tags=["audit"])


class AuditEventOut(BaseModel):
    id: int
    at: datetime
    actor_id: int | None
    who: str
    kind: str
    action: str
    what: str
    object_type: str
    object_id: str
    detail: dict[str, Any]
    verdict_hidden: bool


class AuditPageOut(BaseModel):
    events: list[AuditEventOut]
    page: int
    has_older: bool


@router.get("/audit", response_model=AuditPageOut)
def audit(session: SessionDep, access: LeadAccess, person: str = Query("", description="a member's user id"),
          kind: str = Query("", description=f"one of {', '.join([*audit_log.KINDS, audit_log.OTHER])}"),
          since: str = Query("", alias="from", description="YYYY-MM-DD, in UTC"),
          until: str = Query("", alias="to", description="YYYY-MM-DD, in UTC, the day included"), page: int = 1):
    """The review's audit log, newest first, 100 events a page; a colleague's verdict on a record
    still open to you is left out (blind mode) and marked ``verdict_hidden``."""
    shown = audit_log.audit_page(session, access, audit_log.parse_filters(person, kind, since, until), page)
    return AuditPageOut(events=[AuditEventOut(**{name: getattr(row, name) for name in AuditEventOut.model_fields})
                                for row in shown.rows], page=shown.page, has_older=shown.has_older)
