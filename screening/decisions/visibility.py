"""Blind mode: what a member may learn of colleagues' verdicts.

The rule, for every view and for the ranking alike: nothing a screener sees depends on a
colleague's verdict on a record that is still *open* to them, one the queue may yet serve
them (not resolved, not decided by them, and not yet decided by as many screeners as it
needs). Outside the rule: blind mode off, conflicts (both screeners have decided), and
records whose screening is complete. ``is_open_to``, ``sees_verdicts`` and
``labels_visible_to`` are that rule as pure functions."""

from __future__ import annotations

from collections.abc import Iterable

from sqlmodel import Session, select

from screening.decisions.outcomes import Outcome, RecordStatus
from screening.decisions.stages import decision_of, status_of
from screening.models import Decision, Stage
from screening.review.access import ReviewAccess
from screening.review.models import Role


def is_open_to(status: RecordStatus, screener_id: int | None) -> bool:
    """The queue may yet serve this record to this screener (None: to a screener who has
    decided nothing, such as one who joins later)."""
    return status.outcome is Outcome.pending and not any(d.reviewer_id == screener_id for d in status.decisions)


def sees_verdicts(blind: bool, role: Role, member_id: int, status: RecordStatus) -> bool:
    """Whether a member sees every verdict on a record, or only their own. Viewers never
    screen, so nothing is open to them; a lead, who resolves, sees all but the records still
    open to them; a reviewer sees colleagues' verdicts when a conflict opens them."""
    if not blind or role is Role.viewer or status.outcome is Outcome.conflict:
        return True
    return role is Role.lead and not is_open_to(status, member_id)


def team_label(status: RecordStatus) -> int | None:
    """What screening has said of a record so far, as a training label: the lead's resolution
    wins; relevant if any screener included it or marked it maybe; irrelevant once screeners
    have excluded it and none included it; None while nobody has decided."""
    if status.resolution is not None:
        return int(status.resolution.verdict.moves_on)
    if any(decision.verdict.moves_on for decision in status.decisions):
        return 1
    if status.decisions and status.outcome is not Outcome.conflict:
        return 0
    return None


def labels_visible_to(statuses: Iterable[RecordStatus], screener_id: int | None, blind: bool) -> dict[int, int]:
    """The labels a screener's ranking may learn from. Without blind mode, every verdict. In
    blind mode, the records whose screening is complete, and the screener's own verdicts on
    the others, never a colleague's verdict on a record still open to them; ``screener_id``
    None gives the complete records alone (the team's model, safe for every screener)."""
    labels = {}
    for status in statuses:
        if not blind or status.outcome is not Outcome.pending:
            label = team_label(status)
        else:
            mine = [decision for decision in status.decisions if decision.reviewer_id == screener_id]
            label = int(mine[0].verdict.moves_on) if mine else None
        if label is not None:
            labels[status.record_id] = label
    return labels


def colleagues_decisions(session: Session, access: ReviewAccess, record_id: int, stage: Stage) -> list[Decision]:
    """Other screeners' verdicts on a record, shown on the screening page where blind mode
    allows: not blind, or the screener has decided it too and the verdicts conflict."""
    others = list(session.exec(select(Decision).where(
        Decision.record_id == record_id, Decision.stage == stage, Decision.reviewer_id != access.user_id)))
    if not access.review.blind:
        return others
    if decision_of(session, record_id, stage, access.user_id) is None:
        return []
    return others if status_of(session, access.review, record_id, stage).outcome is Outcome.conflict else []
