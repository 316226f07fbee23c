"""How far screening has got, for a member and for the team, and agreement between screeners."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session, select

from screening.decisions.outcomes import Outcome
from screening.decisions.stages import records_at_stage, screeners_needed
from screening.models import Decision, Record, Resolution, Stage, Verdict
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
    """Counted in the database, one row per outcome: this runs on every screening page. The
    outcome is ``outcome_of``'s rule written in SQL; a test holds the two to each other."""
    review = access.review
    needed = screeners_needed(session, review)
    verdicts = (
        select(Decision.record_id, sa.func.count().label("n"),
               sa.func.sum(sa.case((Decision.verdict != Verdict.exclude, 1), else_=0)).label("moving"),
               sa.func.count(sa.distinct(sa.func.coalesce(Decision.reason_id, -1))).label("reasons"),
               sa.func.max(sa.case((Decision.reviewer_id == access.user_id, 1), else_=0)).label("mine"))
        .where(Decision.review_id == review.id, Decision.stage == stage)
        .group_by(Decision.record_id).subquery()
    )
    resolved = select(Resolution.record_id, Resolution.verdict).where(
        Resolution.review_id == review.id, Resolution.stage == stage).subquery()
    decided = sa.func.coalesce(verdicts.c.n, 0)
    outcome = sa.case(
        (resolved.c.record_id.is_not(None),
         sa.case((resolved.c.verdict != Verdict.exclude, Outcome.moves_on.value), else_=Outcome.excluded.value)),
        (decided < needed.sql(stage), Outcome.pending.value),
        (verdicts.c.moving == decided, Outcome.moves_on.value),
        (verdicts.c.moving > 0, Outcome.conflict.value),
        (sa.and_(sa.literal(stage is Stage.full_text), verdicts.c.reasons > 1), Outcome.conflict.value),
        else_=Outcome.excluded.value,
    )
    mine = sa.func.coalesce(verdicts.c.mine, 0)
    rows = session.connection().execute(
        records_at_stage(session, review, stage)
        .outerjoin(verdicts, verdicts.c.record_id == Record.id)
        .outerjoin(resolved, resolved.c.record_id == Record.id)
        .with_only_columns(outcome.label("outcome"), mine.label("mine"), sa.func.count())
        .group_by(outcome, mine),
        needed.params(),
    ).all()
    counted: Counter = Counter()
    mine_by_outcome: Counter = Counter()
    for value, is_mine, count in rows:
        counted[Outcome(value)] += count
        mine_by_outcome[Outcome(value)] += count if is_mine else 0
    records = sum(counted.values())
    return Progress(
        stage=stage, records=records, decided_by_me=sum(mine_by_outcome.values()),
        left_for_me=counted[Outcome.pending] - mine_by_outcome[Outcome.pending],
        completed=records - counted[Outcome.pending], conflicts=counted[Outcome.conflict],
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
