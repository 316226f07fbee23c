"""The screener's queue: which record they are served next, held for them a few minutes."""

from __future__ import annotations

import functools
from datetime import timedelta

import sqlalchemy as sa
from sqlmodel import Session, select

from screening.decisions.outcomes import ScreenersNeeded
from screening.decisions.stages import _records_at, decision_of, screeners_needed
from screening.models import Decision, QueueHold, Record, RecordScore, Resolution, Stage, StoppingCheck
from screening.ranking.scores import current_run
from screening.review.access import ReviewAccess
from screening.review.models import utcnow


HOLD = timedelta(minutes=5)


def next_record(session: Session, access: ReviewAccess, stage: Stage) -> Record | None:
    """The next record for this screener: at the stage, not decided by them, not resolved, and
    not already decided (or open) by as many colleagues as it needs; the stopping check's sample
    first, then the highest relevance score from the model that serves this screener (blind
    mode's rule: see ``screening.ranking.in_review``). The record is held for them for a few minutes.

    Choosing and holding are one claim, taken one screener at a time per review and stage, so
    two screeners asking at the same moment never both get a record's last free place."""
    review = access.review
    now = utcnow()
    run = current_run(session, review.id, access.user_id) if stage is Stage.title_abstract else None
    params = {"review_id": review.id, "reviewer_id": access.user_id, "now": now, "run_id": run.id if run else 0,
              "sample_ids": _stopping_sample(session, review.id, stage), **screeners_needed(session, review).params()}
    _lock_queue(session, access, stage)
    record_id = session.exec(_queue(stage), params=params).first()
    if record_id is not None:
        session.connection().execute(sa.insert(QueueHold).values(
            reviewer_id=access.user_id, review_id=review.id, stage=stage, record_id=record_id, until=now + HOLD))
    session.commit()
    return session.get(Record, record_id) if record_id is not None else None


@functools.cache
def _queue(stage: Stage):
    """The queue's query for a stage, with parameters for the review, the screener, the time,
    the ranking run whose scores order it, the stopping sample and the screeners needed. Built once: building this statement cost
    SQLAlchemy more than the database spends running it."""
    reviewer_id, review_id = sa.bindparam("reviewer_id"), sa.bindparam("review_id")
    needed = ScreenersNeeded(ordinary=0, pilot_ids=frozenset(), everyone=0)  # values come with the parameters
    # Grouped counts joined once, not correlated subqueries per record: the queue is sorted by
    # score, so every candidate is looked at before LIMIT 1.
    decided = (
        select(Decision.record_id, sa.func.count().label("n"),
               sa.func.max(sa.case((Decision.reviewer_id == reviewer_id, 1), else_=0)).label("mine"))
        .where(Decision.review_id == review_id, Decision.stage == stage)
        .group_by(Decision.record_id).subquery()
    )
    held = (
        select(QueueHold.record_id, sa.func.count().label("n"))
        .where(QueueHold.review_id == review_id, QueueHold.stage == stage,
               QueueHold.reviewer_id != reviewer_id, QueueHold.until > sa.bindparam("now"))
        .group_by(QueueHold.record_id).subquery()
    )
    resolved = select(Resolution.record_id).where(Resolution.review_id == review_id,
                                                  Resolution.stage == stage).subquery()
    in_stopping_sample = Record.id.in_(sa.bindparam("sample_ids", expanding=True))
    return (
        _records_at(review_id, stage, needed)
        .outerjoin(decided, decided.c.record_id == Record.id)
        .outerjoin(held, held.c.record_id == Record.id)
        .outerjoin(resolved, resolved.c.record_id == Record.id)
        .outerjoin(RecordScore, (RecordScore.run_id == sa.bindparam("run_id")) & (RecordScore.record_id == Record.id))
        .where(resolved.c.record_id.is_(None), sa.func.coalesce(decided.c.mine, 0) == 0,
               sa.func.coalesce(decided.c.n, 0) + sa.func.coalesce(held.c.n, 0) < needed.sql(stage))
        # A stopping check's random sample first; then the most likely relevant once the ranking
        # has learnt; import order before that, and for ties.
        .order_by(sa.case((in_stopping_sample, 0), else_=1), sa.func.coalesce(RecordScore.score, 0).desc(),
                  Record.id)
        .limit(1)
    )


def _lock_queue(session: Session, access: ReviewAccess, stage: Stage) -> None:
    """Start the claim: drop the screener's own hold, under a lock that lasts until commit.

    On PostgreSQL an advisory lock per review and stage; on SQLite the DELETE itself, since
    a write takes the database's single write lock and reads after it see every commit."""
    if session.get_bind().dialect.name == "postgresql":
        session.exec(select(sa.func.pg_advisory_xact_lock(access.review.id, _QUEUE_LOCK_KEYS[stage])))
    session.connection().execute(sa.delete(QueueHold).where(
        QueueHold.reviewer_id == access.user_id, QueueHold.review_id == access.review.id, QueueHold.stage == stage))


# Second halves of the PostgreSQL advisory lock keys (the first is the review id), apart from
# the job kinds' CRC32 keys by being negative.
_QUEUE_LOCK_KEYS = {Stage.title_abstract: -1, Stage.full_text: -2}


def _stopping_sample(session: Session, review_id: int, stage: Stage) -> list[int]:
    """The records of an open stopping check's random sample (title and abstract only)."""
    if stage is Stage.full_text:
        return []
    return list(session.exec(select(StoppingCheck.sample).where(
        StoppingCheck.review_id == review_id, StoppingCheck.recorded_at.is_(None))).first() or [])


def my_previous_record(session: Session, access: ReviewAccess, stage: Stage, before_record_id: int | None) -> int | None:
    """The record this screener decided just before the one shown (for going back)."""
    query = select(Decision.record_id, Decision.id).where(
        Decision.review_id == access.review.id, Decision.stage == stage, Decision.reviewer_id == access.user_id)
    if before_record_id is not None:
        current = decision_of(session, before_record_id, stage, access.user_id)
        if current is not None:
            query = query.where(Decision.id < current.id)
    row = session.exec(query.order_by(Decision.id.desc()).limit(1)).first()
    return row[0] if row else None
