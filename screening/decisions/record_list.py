"""The list of records at a stage, with filters and a search, as blind mode lets a member see it."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session, select

from screening.decisions.outcomes import Outcome, RecordStatus
from screening.decisions.stages import statuses
from screening.decisions.visibility import sees_verdicts
from screening.models import Decision, Record, Stage, Verdict
from screening.review.access import ReviewAccess
from screening.review.errors import InvalidInput


LIST_FILTERS = ("all", "mine", "conflicts", "maybe", "reason")


@dataclass(frozen=True)
class ListedRecord:
    record: Record
    decisions: list[Decision]  # those this member may see
    outcome: Outcome | None  # None while blind mode hides it from this member


def list_records(
    session: Session, access: ReviewAccess, stage: Stage, *, show: str = "all", reason_id: int | None = None,
    search: str = "", limit: int = 100,
) -> list[ListedRecord]:
    if show not in LIST_FILTERS:
        raise InvalidInput(f"Unknown filter {show!r}: use one of {', '.join(LIST_FILTERS)}.", field="show")
    found = {status.record_id: status for status in statuses(session, access.review, stage)}
    if search.strip():
        pattern = f"%{search.strip()}%"
        matching = set(session.exec(select(Record.id).where(
            Record.id.in_(list(found)), sa.or_(Record.title.ilike(pattern), Record.abstract.ilike(pattern)))))
        found = {record_id: status for record_id, status in found.items() if record_id in matching}
    listed = []
    for record_id, status in found.items():
        sees_all = sees_verdicts(access.review.blind, access.role, access.user_id, status)
        visible = status.decisions if sees_all else [d for d in status.decisions if d.reviewer_id == access.user_id]
        if passes_filter(show, reason_id, access.user_id, status, visible):
            listed.append((record_id, visible, status.outcome if sees_all else None))
        if len(listed) == limit:
            break
    records = {record.id: record for record in session.exec(
        select(Record).where(Record.id.in_([record_id for record_id, _, _ in listed])))}
    return [ListedRecord(records[record_id], visible, outcome) for record_id, visible, outcome in listed]


def passes_filter(show: str, reason_id: int | None, user_id: int, status: RecordStatus, visible: list[Decision]) -> bool:
    """Whether a record, with the verdicts this member may see of it, passes the list's filter."""
    if show == "mine":
        return any(decision.reviewer_id == user_id for decision in visible)
    if show == "conflicts":
        return status.outcome is Outcome.conflict
    if show == "maybe":
        return any(decision.verdict is Verdict.maybe for decision in visible)
    if show == "reason":
        reasons = {decision.reason_id for decision in visible}
        if status.resolution is not None:
            reasons = {status.resolution.reason_id}
        return reason_id in reasons
    return True
