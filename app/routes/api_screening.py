"""The JSON API for screening: the next record, deciding ("decide and get next"),
conflicts and their resolution, and agreement statistics."""

from __future__ import annotations

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field

from app.deps import LeadAccess, ReviewerAccess, SessionDep, ViewerAccess
from app.services import retrain_soon
from screening.decisions import deciding, outcomes, progress, queue, record_list, resolving
from screening.models import Record, Stage, Verdict
from screening.records import merged_citations

router = APIRouter(prefix="/api/reviews/{review_id}", tags=["screening"])


class RecordOut(BaseModel):
    id: int
    title: str
    abstract: str
    authors: list[str]
    year: int | None
    journal: str
    keywords: list[str]
    doi: str


class DecisionIn(BaseModel):
    verdict: Verdict
    reason_id: int | None = None
    note: str = Field(default="", max_length=2000)


class DecisionOut(BaseModel):
    record_id: int
    stage: Stage
    verdict: Verdict
    reason_id: int | None
    note: str


class Decided(BaseModel):
    decision: DecisionOut
    next: RecordOut | None


class ConflictOut(BaseModel):
    record_id: int
    decisions: list[DecisionOut]
    reviewer_ids: list[int]


class AgreementOut(BaseModel):
    n: int
    percent_agreement: float | None
    kappa: float | None


class PairOut(AgreementOut):
    first_reviewer_id: int
    second_reviewer_id: int


class StageStatistics(BaseModel):
    stage: Stage
    progress: progress.Progress
    agreement: AgreementOut
    pairs: list[PairOut]


def _record_out(session, record: Record | None) -> RecordOut | None:
    if record is None:
        return None
    citation = merged_citations(session, [record])[0]
    return RecordOut(id=record.id, title=citation.title, abstract=citation.abstract, authors=citation.authors,
                     year=citation.year, journal=citation.journal, keywords=citation.keywords, doi=citation.doi)


def _decision_out(decision) -> DecisionOut:
    return DecisionOut(record_id=decision.record_id, stage=decision.stage, verdict=decision.verdict,
                       reason_id=decision.reason_id, note=decision.note)


@router.get("/screen/{stage}/next", response_model=RecordOut | None)
def next_record(stage: Stage, session: SessionDep, access: ReviewerAccess):
    """The next record for you at this stage, or null when none is left."""
    return _record_out(session, queue.next_record(session, access, stage))


@router.post("/screen/{stage}/{record_id}", response_model=Decided)
def decide(stage: Stage, record_id: int, data: DecisionIn, session: SessionDep, access: ReviewerAccess):
    """Record (or change) your decision and get your next record. Posting the same decision twice changes nothing."""
    decision = deciding.decide(session, access, record_id, stage, data.verdict, reason_id=data.reason_id,
                                note=data.note)
    retrain_soon(session, access, stage)
    return Decided(decision=_decision_out(decision), next=_record_out(session, queue.next_record(session, access, stage)))


@router.delete("/screen/{stage}/{record_id}", status_code=204)
def undo(stage: Stage, record_id: int, session: SessionDep, access: ReviewerAccess):
    deciding.undo_decision(session, access, record_id, stage)
    retrain_soon(session, access, stage)
    return Response(status_code=204)


@router.get("/conflicts/{stage}", response_model=list[ConflictOut])
def conflicts(stage: Stage, session: SessionDep, access: ViewerAccess):
    return [
        ConflictOut(record_id=status.record_id, decisions=[_decision_out(d) for d in status.decisions],
                    reviewer_ids=[d.reviewer_id for d in status.decisions])
        for status in resolving.conflicts(session, access.review, stage)
    ]


@router.post("/conflicts/{stage}/{record_id}", response_model=DecisionOut)
def resolve(stage: Stage, record_id: int, data: DecisionIn, session: SessionDep, access: LeadAccess):
    """The lead's final decision on a record (a conflict, or an override of any record)."""
    resolution = resolving.resolve(session, access, record_id, stage, data.verdict, reason_id=data.reason_id,
                                   note=data.note)
    retrain_soon(session, access, stage)
    return _decision_out(resolution)


class ListedOut(BaseModel):
    record_id: int
    title: str
    year: int | None
    decisions: list[DecisionOut]
    outcome: outcomes.Outcome | None


@router.get("/records", response_model=list[ListedOut])
def list_records(session: SessionDep, access: ViewerAccess, stage: Stage = Stage.title_abstract, show: str = "all",
                 reason_id: int | None = None, q: str = ""):
    """Records at a stage, filtered (all, mine, conflicts, maybe, reason) and searched in titles and
    abstracts; in blind mode a reviewer sees only their own decisions until a conflict opens them."""
    return [
        ListedOut(record_id=item.record.id, title=item.record.title, year=item.record.year,
                  decisions=[_decision_out(d) for d in item.decisions], outcome=item.outcome)
        for item in record_list.list_records(session, access, stage, show=show, reason_id=reason_id, search=q)
    ]


@router.get("/statistics", response_model=list[StageStatistics])
def statistics(session: SessionDep, access: ViewerAccess):
    result = []
    for stage in Stage:
        overall, pairs = progress.agreement_by_pair(session, access.review, stage)
        result.append(StageStatistics(
            stage=stage, progress=progress.progress(session, access, stage),
            agreement=AgreementOut(**vars(overall)),
            pairs=[PairOut(first_reviewer_id=pair.first.id, second_reviewer_id=pair.second.id, **vars(pair.agreement))
                   for pair in pairs],
        ))
    return result
