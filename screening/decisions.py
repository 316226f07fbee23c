"""Screening decisions: each screener's verdicts, the queue of what they have
left, conflicts, and the lead's resolutions.

A record's outcome at a stage follows from its decisions and any resolution:
a resolution wins; otherwise it waits until the review's number of screeners
(two in dual mode) have decided; then it moves on if none excluded it, is out
if all excluded it for the same reason, and is a conflict otherwise (include
vs exclude, maybe vs exclude, and at full text two different reasons, since
PRISMA reports one reason per report). Records that moved on at title and
abstract are screened at full text.
"""

from __future__ import annotations

import enum
import functools
from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from sqlmodel import Session, select

from screening.review.agreement import Agreement, agreement
from screening.review.audit import record_event
from screening.review.errors import InvalidInput, NotFound
from screening.models import (
    BatchStatus, Decision, ExclusionReason, FullText, ImportBatch, QueueHold, Record, RecordScore, Resolution, ResolutionKind, Stage, StoppingCheck, Verdict,
)
from screening.review.models import Membership, Review, Role, User, utcnow
from screening.review.access import ReviewAccess

DEFAULT_EXCLUSION_REASONS = (
    "Wrong population", "Wrong intervention or service", "Wrong setting", "Wrong study design",
    "Wrong outcomes", "Not community-based", "Inpatient or forensic setting", "Not a primary study",
)


class Outcome(str, enum.Enum):
    pending = "pending"
    moves_on = "moves_on"
    excluded = "excluded"
    conflict = "conflict"


@dataclass(frozen=True)
class ScreenersNeeded:
    """How many screeners must decide a record: two in dual mode (one in single);
    at title and abstract, every screener of the review for the pilot records (the
    first ``pilot_size`` records, screened by everyone before the real run)."""

    ordinary: int
    pilot_ids: frozenset[int]
    everyone: int

    def for_record(self, record_id: int, stage: Stage) -> int:
        if stage is Stage.title_abstract and record_id in self.pilot_ids:
            return self.everyone
        return self.ordinary

    def sql(self, stage: Stage) -> sa.ColumnElement[int]:
        """The same rule as ``for_record``, as an SQL expression over ``Record.id``. Its numbers
        are parameters named as in ``params``, so a statement built once serves every review."""
        ordinary = sa.bindparam("ordinary", self.ordinary)
        if stage is Stage.full_text:
            return ordinary
        pilot = Record.id.in_(sa.bindparam("pilot_ids", sorted(self.pilot_ids), expanding=True))
        return sa.case((pilot, sa.bindparam("everyone", self.everyone)), else_=ordinary)

    def params(self) -> dict:
        return {"ordinary": self.ordinary, "everyone": self.everyone, "pilot_ids": sorted(self.pilot_ids)}


def screeners_needed(session: Session, review: Review) -> ScreenersNeeded:
    ordinary = 2 if review.dual_screening else 1
    if not review.pilot_size:
        return ScreenersNeeded(ordinary, frozenset(), ordinary)
    pilot = frozenset(session.exec(kept_in_review(review.id).order_by(Record.id).limit(review.pilot_size)))
    everyone = session.exec(select(sa.func.count()).select_from(Membership).where(
        Membership.review_id == review.id, Membership.role.in_([Role.reviewer, Role.lead]))).one()
    return ScreenersNeeded(ordinary, pilot, max(everyone, ordinary))


def outcome_of(decisions: list[Decision], resolution: Resolution | None, needed: int, stage: Stage) -> Outcome:
    if resolution is not None:
        return Outcome.moves_on if resolution.verdict.moves_on else Outcome.excluded
    if len(decisions) < needed:
        return Outcome.pending
    if all(decision.verdict.moves_on for decision in decisions):
        return Outcome.moves_on
    if any(decision.verdict.moves_on for decision in decisions):
        return Outcome.conflict
    if stage is Stage.full_text and len({decision.reason_id for decision in decisions}) > 1:
        return Outcome.conflict
    return Outcome.excluded


# --- which records are at a stage ------------------------------------------------------------

def kept_in_review(review_id: int):
    return (
        select(Record.id)
        .join(ImportBatch, ImportBatch.id == Record.batch_id)
        .where(Record.review_id == review_id, Record.duplicate_of_id.is_(None),
               ImportBatch.status == BatchStatus.complete)
    )


def _moved_on_from_title_abstract(needed: sa.ColumnElement[int]):
    """SQL condition: the record moved on at title and abstract (see ``outcome_of``)."""
    resolved = select(Resolution.id).where(Resolution.record_id == Record.id,
                                           Resolution.stage == Stage.title_abstract)
    resolved_in = resolved.where(Resolution.verdict != Verdict.exclude)
    agreeing = (
        select(sa.func.count()).select_from(Decision)
        .where(Decision.record_id == Record.id, Decision.stage == Stage.title_abstract,
               Decision.verdict != Verdict.exclude)
        .scalar_subquery()
    )
    any_exclude = select(Decision.id).where(Decision.record_id == Record.id, Decision.stage == Stage.title_abstract,
                                            Decision.verdict == Verdict.exclude)
    return sa.or_(
        resolved_in.exists(),
        sa.and_(~resolved.exists(), agreeing >= needed, ~any_exclude.exists()),
    )


def records_at_stage(session: Session, review: Review, stage: Stage):
    needed = screeners_needed(session, review) if stage is Stage.full_text else None
    return _records_at(review.id, stage, needed)


def _records_at(review_id: int | sa.BindParameter, stage: Stage, needed: ScreenersNeeded | None):
    query = kept_in_review(review_id)
    if stage is Stage.full_text:
        not_retrieved = select(FullText.id).where(FullText.record_id == Record.id, FullText.not_retrieved_reason != "")
        query = query.where(_moved_on_from_title_abstract(needed.sql(Stage.title_abstract)), ~not_retrieved.exists())
    return query


# --- deciding -------------------------------------------------------------------------------

def record_at_stage(session: Session, review: Review, record_id: int, stage: Stage) -> Record:
    _require_at_stage(session, review, record_id, stage)
    return session.get(Record, record_id)


def _require_at_stage(session: Session, review: Review, record_id: int, stage: Stage) -> None:
    found = session.exec(records_at_stage(session, review, stage).where(Record.id == record_id)).first()
    if found is None:
        where = "in this review" if stage is Stage.title_abstract else "at full-text screening"
        raise NotFound(f"No record {record_id} {where}.")


def _reason(session: Session, review_id: int, reason_id: int | None) -> ExclusionReason | None:
    if reason_id is None:
        return None
    reason = session.get(ExclusionReason, reason_id)
    if reason is None or reason.review_id != review_id:
        raise InvalidInput(f"No exclusion reason {reason_id} in this review.", field="reason_id")
    return reason


def _checked_verdict(session: Session, review: Review, record_id: int, stage: Stage, verdict: Verdict,
                     reason_id: int | None) -> ExclusionReason | None:
    """The record must be at the stage, and a full-text exclusion needs one of the review's reasons."""
    _require_at_stage(session, review, record_id, stage)
    reason = _reason(session, review.id, reason_id if verdict is Verdict.exclude else None)
    if stage is Stage.full_text and verdict is Verdict.exclude and reason is None:
        raise InvalidInput(
            "Excluding at full text needs a reason, because PRISMA reports why reports were excluded. "
            "Choose one from the list (the lead can add reasons).",
            field="reason_id",
        )
    return reason


def decide(
    session: Session, access: ReviewAccess, record_id: int, stage: Stage, verdict: Verdict,
    *, reason_id: int | None = None, note: str = "",
) -> Decision:
    """Record or change the screener's verdict. Sending the same verdict twice changes nothing."""
    access.require(Role.reviewer)
    review = access.review
    reason = _checked_verdict(session, review, record_id, stage, verdict, reason_id)
    if _resolution(session, record_id, stage) is not None:
        raise InvalidInput("The lead has already resolved this record; ask the lead to change it.")
    existing = _decision(session, record_id, stage, access.user_id)
    if existing is None:
        taken = set(session.exec(select(Decision.slot).where(Decision.record_id == record_id, Decision.stage == stage)))
        free = set(range(1, screeners_needed(session, review).for_record(record_id, stage) + 1)) - taken
        if not free:
            raise InvalidInput(f"Record {record_id} has already been screened by {len(taken)} reviewers.")
        existing = Decision(review_id=review.id, record_id=record_id, stage=stage, reviewer_id=access.user_id,
                            slot=min(free), verdict=verdict, reason_id=reason.id if reason else None,
                            note=note.strip()[:2000])
        session.add(existing)
        action, detail = "decision.create", {}
    else:
        new = (verdict, reason.id if reason else None, note.strip()[:2000])
        old = (existing.verdict, existing.reason_id, existing.note)
        if new == old:
            return existing
        existing.verdict, existing.reason_id, existing.note = new
        existing.updated_at = utcnow()
        session.add(existing)
        action, detail = "decision.change", {"was": old[0].value, "was_reason_id": old[1]}
    record_event(session, actor_id=access.user_id, action=action, object_type="record", object_id=record_id,
                 review_id=review.id, stage=stage.value, verdict=verdict.value,
                 reason_id=reason.id if reason else None, **detail)
    try:
        session.commit()
    except sa.exc.IntegrityError:
        # Another request took this slot (or stored this very decision) at the same moment:
        # look again, so this one changes that decision, takes another slot or is refused.
        session.rollback()
        return decide(session, access, record_id, stage, verdict, reason_id=reason_id, note=note)
    return existing


def undo_decision(session: Session, access: ReviewAccess, record_id: int, stage: Stage) -> None:
    """Withdraw the screener's own verdict (the ``u`` key), until the lead has resolved the record."""
    access.require(Role.reviewer)
    if _resolution(session, record_id, stage) is not None:
        raise InvalidInput("The lead has already resolved this record; ask the lead to change it.")
    existing = _decision(session, record_id, stage, access.user_id)
    if existing is None or existing.review_id != access.review.id:
        raise NotFound(f"You have no decision on record {record_id} to undo.")
    session.delete(existing)
    record_event(session, actor_id=access.user_id, action="decision.undo", object_type="record", object_id=record_id,
                 review_id=access.review.id, stage=stage.value, was=existing.verdict.value)
    session.commit()


def _decision(session: Session, record_id: int, stage: Stage, reviewer_id: int) -> Decision | None:
    return session.exec(select(Decision).where(
        Decision.record_id == record_id, Decision.stage == stage, Decision.reviewer_id == reviewer_id)).first()


def _resolution(session: Session, record_id: int, stage: Stage) -> Resolution | None:
    return session.exec(select(Resolution).where(Resolution.record_id == record_id, Resolution.stage == stage)).first()


# --- the screener's queue -------------------------------------------------------------------

HOLD = timedelta(minutes=5)


def next_record(session: Session, access: ReviewAccess, stage: Stage) -> Record | None:
    """The next record for this screener: at the stage, not decided by them, not resolved, and
    not already decided (or open) by as many colleagues as it needs; the stopping check's sample
    first, then the highest relevance score. The record is held for them for a few minutes.

    Choosing and holding are one claim, taken one screener at a time per review and stage, so
    two screeners asking at the same moment never both get a record's last free place."""
    review = access.review
    now = utcnow()
    params = {"review_id": review.id, "reviewer_id": access.user_id, "now": now,
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
    the stopping sample and the screeners needed. Built once: building this statement cost
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
        .outerjoin(RecordScore, RecordScore.record_id == Record.id)
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


# --- outcomes, conflicts, resolutions -------------------------------------------------------

@dataclass(frozen=True)
class RecordStatus:
    record_id: int
    decisions: list[Decision]
    resolution: Resolution | None
    outcome: Outcome


def statuses(session: Session, review: Review, stage: Stage) -> list[RecordStatus]:
    record_ids = list(session.exec(records_at_stage(session, review, stage).order_by(Record.id)))
    by_record: dict[int, list[Decision]] = defaultdict(list)
    for decision in session.exec(select(Decision).where(Decision.review_id == review.id, Decision.stage == stage)
                                 .order_by(Decision.id)):
        by_record[decision.record_id].append(decision)
    resolutions = {resolution.record_id: resolution for resolution in session.exec(
        select(Resolution).where(Resolution.review_id == review.id, Resolution.stage == stage))}
    needed = screeners_needed(session, review)
    return [
        RecordStatus(record_id, by_record[record_id], resolutions.get(record_id),
                     outcome_of(by_record[record_id], resolutions.get(record_id), needed.for_record(record_id, stage), stage))
        for record_id in record_ids
    ]


def conflicts(session: Session, review: Review, stage: Stage) -> list[RecordStatus]:
    return [status for status in statuses(session, review, stage) if status.outcome is Outcome.conflict]


def resolve(
    session: Session, access: ReviewAccess, record_id: int, stage: Stage, verdict: Verdict,
    *, reason_id: int | None = None, note: str = "",
) -> Resolution:
    """The lead's final verdict: settles a conflict, or overrides any record (both logged)."""
    access.require(Role.lead)
    review = access.review
    reason = _checked_verdict(session, review, record_id, stage, verdict, reason_id)
    decisions = list(session.exec(select(Decision).where(Decision.record_id == record_id, Decision.stage == stage)))
    needed = screeners_needed(session, review).for_record(record_id, stage)
    was_conflict = outcome_of(decisions, None, needed, stage) is Outcome.conflict
    resolution = _resolution(session, record_id, stage) or Resolution(
        review_id=review.id, record_id=record_id, stage=stage, verdict=verdict, kind=ResolutionKind.override,
        resolved_by_id=access.user_id)
    resolution.verdict, resolution.reason_id, resolution.note = verdict, reason.id if reason else None, note.strip()
    resolution.kind = ResolutionKind.conflict if was_conflict else ResolutionKind.override
    resolution.resolved_by_id, resolution.resolved_at = access.user_id, utcnow()
    session.add(resolution)
    record_event(session, actor_id=access.user_id, action=f"resolution.{resolution.kind.value}", object_type="record",
                 object_id=record_id, review_id=review.id, stage=stage.value, verdict=verdict.value,
                 reason_id=resolution.reason_id)
    session.commit()
    session.refresh(resolution)
    return resolution


# --- exclusion reasons ----------------------------------------------------------------------

def exclusion_reasons(session: Session, review_id: int) -> list[ExclusionReason]:
    """The review's offered reasons; a new review starts with a common list the lead can edit."""
    reasons = list(session.exec(select(ExclusionReason).where(
        ExclusionReason.review_id == review_id, ExclusionReason.retired.is_(False)).order_by(ExclusionReason.position)))
    if reasons or session.exec(select(ExclusionReason.id).where(ExclusionReason.review_id == review_id)).first():
        return reasons
    for position, label in enumerate(DEFAULT_EXCLUSION_REASONS):
        session.add(ExclusionReason(review_id=review_id, label=label, position=position))
    session.commit()
    return exclusion_reasons(session, review_id)


def add_exclusion_reason(session: Session, access: ReviewAccess, label: str) -> ExclusionReason:
    access.require(Role.lead)
    label = label.strip()
    if not label or len(label) > 120:
        raise InvalidInput("A reason needs 1 to 120 characters, e.g. “Wrong setting”.", field="label")
    existing = session.exec(select(ExclusionReason).where(
        ExclusionReason.review_id == access.review.id, ExclusionReason.label == label)).first()
    if existing is not None:
        existing.retired = False
        reason = existing
    else:
        count = len(exclusion_reasons(session, access.review.id))
        reason = ExclusionReason(review_id=access.review.id, label=label, position=count)
    session.add(reason)
    record_event(session, actor_id=access.user_id, action="exclusion_reason.add", object_type="exclusion_reason",
                 object_id=label, review_id=access.review.id)
    session.commit()
    session.refresh(reason)
    return reason


def retire_exclusion_reason(session: Session, access: ReviewAccess, reason_id: int) -> None:
    """Offered no more; decisions already citing it keep it."""
    access.require(Role.lead)
    reason = _reason(session, access.review.id, reason_id)
    reason.retired = True
    session.add(reason)
    record_event(session, actor_id=access.user_id, action="exclusion_reason.retire", object_type="exclusion_reason",
                 object_id=reason_id, review_id=access.review.id)
    session.commit()


# --- progress and agreement -----------------------------------------------------------------

@dataclass(frozen=True)
class Progress:
    records: int
    decided_by_me: int
    left_for_me: int
    completed: int  # every needed screener has decided, or the lead resolved it
    conflicts: int
    moved_on: int
    excluded: int


def progress(session: Session, access: ReviewAccess, stage: Stage) -> Progress:
    all_statuses = statuses(session, access.review, stage)
    mine = sum(any(d.reviewer_id == access.user_id for d in status.decisions) for status in all_statuses)
    counted = defaultdict(int)
    for status in all_statuses:
        counted[status.outcome] += 1
    left_for_me = sum(
        1 for status in all_statuses
        if status.outcome is Outcome.pending and not any(d.reviewer_id == access.user_id for d in status.decisions)
    )
    return Progress(
        records=len(all_statuses), decided_by_me=mine, left_for_me=left_for_me,
        completed=len(all_statuses) - counted[Outcome.pending], conflicts=counted[Outcome.conflict],
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



def my_decision(session: Session, access: ReviewAccess, record_id: int, stage: Stage) -> Decision | None:
    return _decision(session, record_id, stage, access.user_id)


def my_previous_record(session: Session, access: ReviewAccess, stage: Stage, before_record_id: int | None) -> int | None:
    """The record this screener decided just before the one shown (for going back)."""
    query = select(Decision.record_id, Decision.id).where(
        Decision.review_id == access.review.id, Decision.stage == stage, Decision.reviewer_id == access.user_id)
    if before_record_id is not None:
        current = _decision(session, before_record_id, stage, access.user_id)
        if current is not None:
            query = query.where(Decision.id < current.id)
    row = session.exec(query.order_by(Decision.id.desc()).limit(1)).first()
    return row[0] if row else None


def colleagues_decisions(session: Session, access: ReviewAccess, record_id: int, stage: Stage) -> list[Decision]:
    """Other screeners' verdicts, which a screener may see only when the review is not blind,
    or once they have decided themselves and the verdicts conflict."""
    others = list(session.exec(select(Decision).where(
        Decision.record_id == record_id, Decision.stage == stage, Decision.reviewer_id != access.user_id)))
    if not access.review.blind:
        return others
    mine = _decision(session, record_id, stage, access.user_id)
    if mine is None:
        return []
    needed = screeners_needed(session, access.review).for_record(record_id, stage)
    if outcome_of([mine, *others], _resolution(session, record_id, stage), needed, stage) is Outcome.conflict:
        return others
    return []


# --- the list of records, with filters and search -------------------------------------------

LIST_FILTERS = ("all", "mine", "conflicts", "maybe", "reason")


@dataclass(frozen=True)
class ListedRecord:
    record: Record
    decisions: list[Decision]  # those this member may see
    outcome: Outcome | None  # None while blind mode hides it from this member


def _sees_all_verdicts(access: ReviewAccess, status: RecordStatus) -> bool:
    """In blind mode a screener sees only their own verdicts, until a conflict opens them;
    the lead (who resolves) and viewers (who do not screen) see all."""
    return (not access.review.blind or access.role is not Role.reviewer
            or status.outcome is Outcome.conflict)


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
        sees_all = _sees_all_verdicts(access, status)
        visible = status.decisions if sees_all else [d for d in status.decisions if d.reviewer_id == access.user_id]
        if _passes(show, reason_id, access.user_id, status, visible):
            listed.append((record_id, visible, status.outcome if sees_all else None))
        if len(listed) == limit:
            break
    records = {record.id: record for record in session.exec(
        select(Record).where(Record.id.in_([record_id for record_id, _, _ in listed])))}
    return [ListedRecord(records[record_id], visible, outcome) for record_id, visible, outcome in listed]


def _passes(show: str, reason_id: int | None, user_id: int, status: RecordStatus, visible: list[Decision]) -> bool:
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
