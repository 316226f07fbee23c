"""What a record's screening decisions add up to: the rules, with no database.

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
from dataclasses import dataclass

import sqlalchemy as sa

from screening.models import Decision, Record, Resolution, Stage


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


@dataclass(frozen=True)
class RecordStatus:
    """Where one record stands at a stage: its verdicts, any resolution, and their outcome."""

    record_id: int
    decisions: list[Decision]
    resolution: Resolution | None
    outcome: Outcome

    @classmethod
    def of(cls, record_id: int, decisions: list[Decision], resolution: Resolution | None, needed: int,
           stage: Stage) -> RecordStatus:
        return cls(record_id, decisions, resolution, outcome_of(decisions, resolution, needed, stage))
