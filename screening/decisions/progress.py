"""How far screening has got, for a member and for the team, and agreement between screeners."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from sqlmodel import Session, select

from screening.decisions.outcomes import Outcome, RecordStatus
from screening.decisions.stages import statuses
from screening.decisions.visibility import is_open_to
from screening.models import Decision, Stage
from screening.review.access import ReviewAccess
from screening.review.agreement import Agreement, agreement
from screening.review.models import Review, User


@dataclass(frozen=True)
class Progress:
    stage: Stage
    records: int
    decided_by_me: int
    left_for_me: int  # records the queue may yet serve me
    completed: int  # every needed screener has decided, or the lead resolved it
    conflicts: int
    moved_on: int  # at full text: included
    excluded: int


def progress(session: Session, access: ReviewAccess, stage: Stage) -> Progress:
    return progress_of(statuses(session, access.review, stage), access.user_id, stage)


def progress_of(at_stage: Sequence[RecordStatus], member_id: int, stage: Stage) -> Progress:
    counted = Counter(status.outcome for status in at_stage)
    return Progress(
        stage=stage, records=len(at_stage),
        decided_by_me=sum(any(d.reviewer_id == member_id for d in status.decisions) for status in at_stage),
        left_for_me=sum(is_open_to(status, member_id) for status in at_stage),
        completed=len(at_stage) - counted[Outcome.pending], conflicts=counted[Outcome.conflict],
        moved_on=counted[Outcome.moves_on], excluded=counted[Outcome.excluded],
    )


@dataclass(frozen=True)
class PairAgreement:
    first: User
    second: User
    agreement: Agreement


def agreement_by_pair(
    session: Session, review: Review, stage: Stage, record_ids: frozenset[int] | None = None,
) -> tuple[Agreement, list[PairAgreement]]:
    """Kappa on what screening decides (moves on vs excluded), for every pair of screeners and
    overall (each record's first two verdicts), over the records both decided; ``record_ids``
    narrows it (to the pilot records, say)."""
    verdicts: dict[int, dict[int, str]] = defaultdict(dict)  # reviewer -> record -> moves on?
    first_two: dict[int, list[str]] = defaultdict(list)
    query = select(Decision).where(Decision.review_id == review.id, Decision.stage == stage)
    if record_ids is not None:
        query = query.where(Decision.record_id.in_(sorted(record_ids)))
    for decision in session.exec(query.order_by(Decision.id)):
        label = "in" if decision.verdict.moves_on else "out"
        verdicts[decision.reviewer_id][decision.record_id] = label
        first_two[decision.record_id].append(label)
    overall = agreement(
        {record: labels[0] for record, labels in first_two.items() if len(labels) >= 2},
        {record: labels[1] for record, labels in first_two.items() if len(labels) >= 2},
    )
    people = {user.id: user for user in session.exec(select(User).where(User.id.in_(list(verdicts))))}
    reviewer_ids = sorted(verdicts)
    pairs = [
        PairAgreement(people[a], people[b], agreement(verdicts[a], verdicts[b]))
        for index, a in enumerate(reviewer_ids) for b in reviewer_ids[index + 1:]
        if set(verdicts[a]) & set(verdicts[b])
    ]
    return overall, pairs
