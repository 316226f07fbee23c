"""Screening's tables: import batches and their records, duplicate pairs, decisions and
resolutions, full texts, the ranking's runs and scores, stopping checks and queue holds.

The review, its members and the audit log are ``screening.review.models``'.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from screening.review.models import enum_column, utcnow

class BatchStatus(str, enum.Enum):
    queued = "queued"
    importing = "importing"
    needs_consent = "needs_consent"  # records with no title and no abstract wait for the importer's word
    complete = "complete"
    failed = "failed"
    cancelled = "cancelled"


class IdentificationRoute(str, enum.Enum):
    """Where a batch's records were found, as PRISMA 2020's two columns tell them apart:
    databases and registers (the main column), or other methods."""

    database = "database"
    register = "register"
    website = "website"
    organisation = "organisation"
    citation_searching = "citation_searching"

    @property
    def other_methods(self) -> bool:
        return self not in (IdentificationRoute.database, IdentificationRoute.register)

    @property
    def label(self) -> str:
        return {"database": "Database", "register": "Register", "website": "Website",
                "organisation": "Organisation", "citation_searching": "Citation searching"}[self.value]


class ImportBatch(SQLModel, table=True):
    """One uploaded search export. Its records count anywhere only once it is ``complete``."""

    __tablename__ = "import_batch"

    id: int | None = Field(default=None, primary_key=True)
    review_id: int = Field(foreign_key="review.id", index=True)
    source_name: str = Field(max_length=120)
    search_date: date | None = None
    search_string: str = Field(default="", sa_type=sa.Text)
    filename: str = Field(max_length=255)
    stored_path: str = Field(default="", max_length=500)
    file_format: str = Field(default="", max_length=20)
    encoding: str = Field(default="", max_length=20)
    status: BatchStatus = Field(default=BatchStatus.queued, sa_type=enum_column(BatchStatus))
    identification: IdentificationRoute = Field(default=IdentificationRoute.database,
                                                 sa_type=enum_column(IdentificationRoute))
    skip_empty: bool = False
    records_read: int = 0
    record_count: int = 0
    empty_count: int = 0
    empty_examples: list[dict[str, Any]] = Field(default_factory=list, sa_type=sa.JSON)
    error: str = Field(default="", sa_type=sa.Text)
    job_id: int | None = Field(default=None, foreign_key="job.id")
    created_by_id: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow)
    completed_at: datetime | None = None


class MergeKind(str, enum.Enum):
    auto = "auto"
    manual = "manual"


class Record(SQLModel, table=True):
    """One record as its file gave it; never edited and never deleted.

    A duplicate points at the record kept for its group (``duplicate_of_id``,
    always a record that is itself no duplicate). Screening sees only kept
    records; their fields are filled from the group's others when shown
    (``screening.records.merged_citation``), so an unmerge restores both as
    they were."""

    __table_args__ = (sa.Index("ix_record_review_canonical", "review_id", "duplicate_of_id"),)

    id: int | None = Field(default=None, primary_key=True)
    review_id: int = Field(foreign_key="review.id")
    batch_id: int = Field(foreign_key="import_batch.id", index=True)
    position: int
    source_id: str = Field(default="", max_length=200)
    title: str = Field(default="", sa_type=sa.Text)
    abstract: str = Field(default="", sa_type=sa.Text)
    authors: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    year: int | None = None
    journal: str = Field(default="", sa_type=sa.Text)
    volume: str = Field(default="", max_length=100)
    issue: str = Field(default="", max_length=100)
    pages: str = Field(default="", max_length=100)
    doi: str = Field(default="", max_length=300, index=True)
    pmid: str = Field(default="", max_length=30, index=True)
    keywords: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    url: str = Field(default="", sa_type=sa.Text)
    type: str = Field(default="", max_length=100)
    raw: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    duplicate_of_id: int | None = Field(default=None, foreign_key="record.id")
    merge_kind: MergeKind | None = Field(default=None, sa_type=enum_column(MergeKind))


class RecordRemoval(SQLModel, table=True):
    """The lead took a kept record out before screening, with a reason (PRISMA's "records
    removed for other reasons", e.g. "published before 1990"). Undone by setting
    ``restored_at``, so the row stays and the diagram can be drawn as of any date."""

    __tablename__ = "record_removal"
    __table_args__ = (sa.Index("ix_record_removal_record_restored", "record_id", "restored_at"),)

    id: int | None = Field(default=None, primary_key=True)
    review_id: int = Field(foreign_key="review.id", index=True)
    record_id: int = Field(foreign_key="record.id")
    reason: str = Field(max_length=200)
    removed_by_id: int = Field(foreign_key="user.id")
    removed_at: datetime = Field(default_factory=utcnow)
    restored_by_id: int | None = Field(default=None, foreign_key="user.id")
    restored_at: datetime | None = None


class PairStatus(str, enum.Enum):
    candidate = "candidate"  # waits for a lead
    auto_merged = "auto_merged"
    same = "same"  # a person said: one report
    different = "different"  # a person said: distinct; never proposed again
    unmerged = "unmerged"  # merged, then undone by a person


class DuplicatePair(SQLModel, table=True):
    """Two records deduplication found alike, and what became of them."""

    __tablename__ = "duplicate_pair"
    __table_args__ = (sa.UniqueConstraint("first_id", "second_id", name="uq_duplicate_pair_records"),)

    id: int | None = Field(default=None, primary_key=True)
    review_id: int = Field(foreign_key="review.id", index=True)
    first_id: int = Field(foreign_key="record.id")
    second_id: int = Field(foreign_key="record.id")
    score: float
    reasons: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    status: PairStatus = Field(sa_type=enum_column(PairStatus))
    decided_by_id: int | None = Field(default=None, foreign_key="user.id")
    decided_at: datetime | None = None


class Stage(str, enum.Enum):
    title_abstract = "title_abstract"
    full_text = "full_text"

    @property
    def label(self) -> str:
        return "Title and abstract" if self is Stage.title_abstract else "Full text"


class Verdict(str, enum.Enum):
    include = "include"
    exclude = "exclude"
    maybe = "maybe"  # moves on like include, flagged for a second look

    @property
    def moves_on(self) -> bool:
        return self is not Verdict.exclude


class ExclusionReason(SQLModel, table=True):
    """A review's reasons for excluding at full text, as PRISMA reports them."""

    __tablename__ = "exclusion_reason"
    __table_args__ = (sa.UniqueConstraint("review_id", "label", name="uq_exclusion_reason_label"),)

    id: int | None = Field(default=None, primary_key=True)
    review_id: int = Field(foreign_key="review.id", index=True)
    label: str = Field(max_length=120)
    position: int = 0
    retired: bool = False  # kept for the decisions that cite it, offered no more


class Decision(SQLModel, table=True):
    """One screener's verdict on one record at one stage; changes are in the audit log."""

    __table_args__ = (
        sa.UniqueConstraint("record_id", "stage", "reviewer_id", name="uq_decision_record_stage_reviewer"),
        # At most as many decisions as slots: two screeners posting at once cannot both take the last one.
        sa.UniqueConstraint("record_id", "stage", "slot", name="uq_decision_record_stage_slot"),
        sa.Index("ix_decision_review_stage", "review_id", "stage"),
    )

    id: int | None = Field(default=None, primary_key=True)
    review_id: int = Field(foreign_key="review.id")
    record_id: int = Field(foreign_key="record.id")
    stage: Stage = Field(sa_type=enum_column(Stage))
    reviewer_id: int = Field(foreign_key="user.id", index=True)
    slot: int  # 1 to the number of screeners the record needs
    verdict: Verdict = Field(sa_type=enum_column(Verdict))
    reason_id: int | None = Field(default=None, foreign_key="exclusion_reason.id")
    note: str = Field(default="", max_length=2000)
    decided_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class ResolutionKind(str, enum.Enum):
    conflict = "conflict"  # the lead settled two differing verdicts
    override = "override"  # the lead set the outcome regardless of the verdicts


class Resolution(SQLModel, table=True):
    """The lead's final word on a record at a stage; it wins over the screeners' verdicts."""

    __table_args__ = (sa.UniqueConstraint("record_id", "stage", name="uq_resolution_record_stage"),)

    id: int | None = Field(default=None, primary_key=True)
    review_id: int = Field(foreign_key="review.id", index=True)
    record_id: int = Field(foreign_key="record.id")
    stage: Stage = Field(sa_type=enum_column(Stage))
    verdict: Verdict = Field(sa_type=enum_column(Verdict))
    reason_id: int | None = Field(default=None, foreign_key="exclusion_reason.id")
    note: str = Field(default="", max_length=2000)
    kind: ResolutionKind = Field(sa_type=enum_column(ResolutionKind))
    resolved_by_id: int = Field(foreign_key="user.id")
    resolved_at: datetime = Field(default_factory=utcnow)


class FullText(SQLModel, table=True):
    """A record's full-text report: the PDF a reviewer attached, or why it could not be had
    (PRISMA's "reports not retrieved")."""

    __tablename__ = "full_text"

    id: int | None = Field(default=None, primary_key=True)
    review_id: int = Field(foreign_key="review.id", index=True)
    record_id: int = Field(foreign_key="record.id", sa_column_kwargs={"unique": True})
    filename: str = Field(default="", max_length=255)
    stored_path: str = Field(default="", max_length=500)
    size_bytes: int = 0
    not_retrieved_reason: str = Field(default="", max_length=500)  # set: the report could not be obtained
    updated_by_id: int = Field(foreign_key="user.id")
    updated_at: datetime = Field(default_factory=utcnow)


class RankingRun(SQLModel, table=True):
    """One training of a review's relevance ranking: what it learnt from, with which model.

    The team's model (``screener_id`` None) serves every queue: in blind mode it learns from
    the records whose screening is complete, without blind mode from every verdict. A run
    with a ``screener_id`` is a blind screener's model of their own, the alternative the team
    simulation measures (see ``screening.ranking.in_review``); a screener's queue reads it
    when there is one. ``current`` marks the runs whose scores are kept; ``labels_digest``
    lets a training skip a model whose labels did not change."""

    __tablename__ = "ranking_run"
    __table_args__ = (sa.Index("ix_ranking_run_review_current", "review_id", "current"),)

    id: int | None = Field(default=None, primary_key=True)
    review_id: int = Field(foreign_key="review.id", index=True)
    screener_id: int | None = Field(default=None, foreign_key="user.id")
    current: bool = True
    labels_digest: str = Field(default="", max_length=64)
    trained_at: datetime = Field(default_factory=utcnow)
    records: int
    relevant: int
    irrelevant: int
    model: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)


class RecordScore(SQLModel, table=True):
    """A record's relevance score from one current ranking run, stored so that every web worker
    serves a screener the same order; ``terms`` are the words that pushed the score up (positive
    weights) or down. Kept for the records the run's screeners may still be served (see
    ``screening.ranking.in_review``)."""

    __tablename__ = "record_score"

    run_id: int = Field(foreign_key="ranking_run.id", primary_key=True)
    record_id: int = Field(foreign_key="record.id", primary_key=True)
    review_id: int = Field(foreign_key="review.id", index=True)
    score: float
    terms: list[list[Any]] = Field(default_factory=list, sa_type=sa.JSON)


class StoppingCheck(SQLModel, table=True):
    """The lead's "am I done?" check (Callaghan & Müller-Hansen 2020): a uniformly random
    sample of the records left unscreened, screened as usual, then a hypergeometric test of
    "recall is below the target". Recorded, so the PRISMA diagram can cite it."""

    __tablename__ = "stopping_check"

    id: int | None = Field(default=None, primary_key=True)
    review_id: int = Field(foreign_key="review.id", index=True)
    started_by_id: int = Field(foreign_key="user.id")
    started_at: datetime = Field(default_factory=utcnow)
    target_recall: float = 0.95
    confidence: float = 0.95
    n_unscreened: int  # N when sampling began
    relevant_before: int  # rho: relevant found by ranked screening before sampling
    sample: list[int] = Field(default_factory=list, sa_type=sa.JSON)  # record ids, drawn uniformly
    # Filled when the lead records the result, once every sampled record is screened.
    relevant_in_sample: int | None = None
    p_value: float | None = None
    reject: bool | None = None
    recorded_at: datetime | None = None


class QueueHold(SQLModel, table=True):
    """The record a screener has open: for a few minutes it counts towards the screeners the
    record needs, so colleagues' queues pass over it instead of all opening the same one."""

    __tablename__ = "queue_hold"

    reviewer_id: int = Field(foreign_key="user.id", primary_key=True)
    review_id: int = Field(foreign_key="review.id", primary_key=True)
    stage: Stage = Field(sa_type=enum_column(Stage), primary_key=True)
    record_id: int = Field(foreign_key="record.id", index=True)
    until: datetime
