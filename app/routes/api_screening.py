"""The JSON API for screening: the next record, deciding ("decide and get next"), conflicts and
their resolution, the record list, statistics, the screening settings, the exclusion reasons,
full texts and the stopping check. The same service functions as the pages."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, File, Response, UploadFile
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field

from app import services
from app.deps import LeadAccess, ReviewerAccess, SessionDep, SettingsDep, ViewerAccess
from screening import fulltexts
from screening.decisions import outcomes, progress, reasons, record_list, resolving
from screening.models import Decision, Record, Resolution, Stage, Verdict
from screening.ranking.scores import current_run, score_of
from screening.records import merged_citations
from screening.review.models import ScreeningSettings
from screening.statistics import statistics as review_statistics
from screening.stopping import checks

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
    score: float | None = Field(description="Relevance from the model that ranks your queue (title and abstract)")
    terms: list[tuple[str, float]] = Field(description="Words that raised (weight > 0) or lowered the score")


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


class ListedOut(BaseModel):
    record_id: int
    title: str
    year: int | None
    decisions: list[DecisionOut]
    outcome: outcomes.Outcome | None


class ReasonIn(BaseModel):
    label: str = Field(min_length=1, max_length=120)


class ReasonOut(BaseModel):
    id: int
    label: str
    position: int


class NotRetrievedIn(BaseModel):
    reason: str = Field(min_length=1, max_length=500, examples=["Not available from the library or the authors"])


class FullTextOut(BaseModel):
    record_id: int
    filename: str
    size_bytes: int
    not_retrieved_reason: str
    updated_at: datetime


class StoppingCheckIn(BaseModel):
    sample_size: int = Field(gt=0, description="Random unscreened records to screen; GET gives the suggested size")


class StoppingCheckOut(BaseModel):
    id: int
    started_at: datetime
    n_unscreened: int
    relevant_before: int
    sample: list[int]
    target_recall: float
    confidence: float
    screened: int | None = Field(default=None, description="Sampled records settled so far (a check under way)")
    relevant: int | None = Field(default=None, description="Relevant among those (a check under way)")
    relevant_in_sample: int | None
    p_value: float | None
    reject: bool | None
    recorded_at: datetime | None


class StoppingOut(BaseModel):
    under_way: StoppingCheckOut | None
    suggested_sample_size: int
    recorded: list[StoppingCheckOut]


def _record_out(session, access, stage: Stage, record: Record | None) -> RecordOut | None:
    if record is None:
        return None
    citation = merged_citations(session, [record])[0]
    run = current_run(session, access.review.id, access.user_id) if stage is Stage.title_abstract else None
    score = score_of(session, run, record.id)
    return RecordOut(id=record.id, title=citation.title, abstract=citation.abstract, authors=citation.authors,
                     year=citation.year, journal=citation.journal, keywords=citation.keywords, doi=citation.doi,
                     score=score.score if score else None,
                     terms=[(term, weight) for term, weight in score.terms] if score else [])


def _decision_out(decision: Decision | Resolution) -> DecisionOut:
    return DecisionOut(record_id=decision.record_id, stage=decision.stage, verdict=decision.verdict,
                       reason_id=decision.reason_id, note=decision.note)


def _check_out(check, progress=None) -> StoppingCheckOut:
    figures = {"screened": progress.screened, "relevant": progress.relevant} if progress else {}
    return StoppingCheckOut(**check.model_dump(), **figures)


@router.get("/screen/{stage}/next", response_model=RecordOut | None)
def next_record(stage: Stage, session: SessionDep, access: ReviewerAccess):
    """The next record for you at this stage (held for you a few minutes), or null when none is left."""
    return _record_out(session, access, stage, services.next_record(session, access, stage))


@router.post("/screen/{stage}/{record_id}", response_model=Decided)
def decide(stage: Stage, record_id: int, data: DecisionIn, session: SessionDep, access: ReviewerAccess):
    """Record (or change) your decision and get your next record. Posting the same decision twice changes nothing."""
    decided = services.decide_and_next(session, access, record_id, stage, data.verdict, reason_id=data.reason_id,
                                       note=data.note)
    return Decided(decision=_decision_out(decided.decision), next=_record_out(session, access, stage, decided.next))


@router.delete("/screen/{stage}/{record_id}", status_code=204)
def undo(stage: Stage, record_id: int, session: SessionDep, access: ReviewerAccess):
    """Withdraw your decision, until the lead has resolved the record."""
    services.undo_decision(session, access, record_id, stage)
    return Response(status_code=204)


@router.get("/conflicts/{stage}", response_model=list[ConflictOut])
def conflicts(stage: Stage, session: SessionDep, access: ViewerAccess):
    return [
        ConflictOut(record_id=conflict.record.id, decisions=[_decision_out(d) for d in conflict.decisions],
                    reviewer_ids=[d.reviewer_id for d in conflict.decisions])
        for conflict in resolving.conflicts(session, access.review, stage)
    ]


@router.post("/conflicts/{stage}/{record_id}", response_model=DecisionOut)
def resolve(stage: Stage, record_id: int, data: DecisionIn, session: SessionDep, access: LeadAccess):
    """The lead's final decision on a record (a conflict, or an override of any record)."""
    resolution = services.resolve(session, access, record_id, stage, data.verdict, reason_id=data.reason_id,
                                  note=data.note)
    return _decision_out(resolution)


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
    """Progress and agreement per stage: the same figures as the overview and the Statistics page."""
    return [
        StageStatistics(
            stage=item.stage, progress=item.progress, agreement=AgreementOut(**vars(item.agreement)),
            pairs=[PairOut(first_reviewer_id=pair.first.id, second_reviewer_id=pair.second.id, **vars(pair.agreement))
                   for pair in item.pairs],
        )
        for item in review_statistics(session, access).stages
    ]


@router.get("/settings/screening", response_model=ScreeningSettings)
def screening_settings(access: ViewerAccess):
    return ScreeningSettings.model_validate(access.review, from_attributes=True)


@router.put("/settings/screening", response_model=ScreeningSettings)
def update_screening_settings(data: ScreeningSettings, session: SessionDep, access: LeadAccess):
    """Dual or single screening, blind mode, the pilot and the terms to mark (the lead)."""
    review = services.update_screening_settings(session, access, data)
    return ScreeningSettings.model_validate(review, from_attributes=True)


@router.get("/exclusion-reasons", response_model=list[ReasonOut])
def exclusion_reasons(session: SessionDep, access: ViewerAccess):
    """The reasons offered for excluding at full text; give a reason's id when you exclude."""
    return reasons.exclusion_reasons(session, access.review.id)


@router.post("/exclusion-reasons", response_model=ReasonOut, status_code=201)
def add_exclusion_reason(data: ReasonIn, session: SessionDep, access: LeadAccess):
    return reasons.add_exclusion_reason(session, access, data.label)


@router.delete("/exclusion-reasons/{reason_id}", status_code=204)
def retire_exclusion_reason(reason_id: int, session: SessionDep, access: LeadAccess):
    """Offer the reason no more; decisions that cite it keep it."""
    reasons.retire_exclusion_reason(session, access, reason_id)
    return Response(status_code=204)


@router.put("/records/{record_id}/fulltext", response_model=FullTextOut)
async def attach_full_text(record_id: int, session: SessionDep, settings: SettingsDep, access: ReviewerAccess,
                           file: UploadFile = File(description="The report as a PDF.")):
    entry = fulltexts.attach_pdf(session, access, record_id, file.filename or "report.pdf", await file.read(),
                                 files_dir=settings.data_dir / "fulltexts", max_bytes=settings.max_upload_bytes)
    return FullTextOut.model_validate(entry, from_attributes=True)


@router.get("/records/{record_id}/fulltext.pdf", response_class=FileResponse)
def full_text_pdf(record_id: int, session: SessionDep, access: ViewerAccess):
    """The report as attached, shown as the screening page shows it: the publisher's file, not
    the review's data, so reading it is no export for the audit log."""
    return FileResponse(fulltexts.pdf_path(session, access.review.id, record_id), media_type="application/pdf",
                        content_disposition_type="inline", filename=f"record-{record_id}.pdf")


@router.post("/records/{record_id}/not-retrieved", response_model=FullTextOut)
def mark_not_retrieved(record_id: int, data: NotRetrievedIn, session: SessionDep, access: ReviewerAccess):
    """The report could not be obtained (PRISMA's "reports not retrieved"); it leaves the full-text queue."""
    entry = fulltexts.mark_not_retrieved(session, access, record_id, data.reason)
    return FullTextOut.model_validate(entry, from_attributes=True)


@router.get("/stopping", response_model=StoppingOut)
def stopping(session: SessionDep, access: ViewerAccess):
    """The stopping check under way (its sample comes first in every queue), the size suggested for a new one,
    and the checks recorded."""
    figures = review_statistics(session, access)
    return StoppingOut(
        under_way=_check_out(figures.check.check, figures.check) if figures.check else None,
        suggested_sample_size=figures.suggested_sample,
        recorded=[_check_out(check) for check in figures.recorded_checks],
    )


@router.post("/stopping", response_model=StoppingCheckOut, status_code=201)
def start_stopping_check(data: StoppingCheckIn, session: SessionDep, access: LeadAccess):
    """Draw a uniformly random sample of the unscreened records for Callaghan and Müller-Hansen's test."""
    return _check_out(checks.start_check(session, access, data.sample_size))


@router.post("/stopping/{check_id}/record", response_model=StoppingCheckOut)
def record_stopping_check(check_id: int, session: SessionDep, access: LeadAccess):
    """Record the test's result once every sampled record is screened (cited under the PRISMA diagram)."""
    return _check_out(checks.record_result(session, access, check_id))
