"""The JSON API for imports and deduplication (records export: ``/reviews/{id}/export.ris|csv``)."""

from __future__ import annotations

from datetime import date, datetime

from fastapi import APIRouter, File, Form, UploadFile
from pydantic import BaseModel

from app.deps import LeadAccess, SessionDep, SettingsDep, ViewerAccess
from app.services import skip_empty_and_continue, start_import
from screening import deduplicating, importing
from screening.importing import BatchRequest
from screening.decisions import removing
from screening.models import BatchStatus, IdentificationRoute, PairStatus
from screening.records import RecordCounts, record_counts

router = APIRouter(prefix="/api/reviews/{review_id}", tags=["imports"])


class BatchOut(BaseModel):
    id: int
    source_name: str
    search_date: date | None
    filename: str
    file_format: str
    status: BatchStatus
    identification: IdentificationRoute
    records_read: int
    record_count: int
    empty_count: int
    error: str
    job_id: int | None
    created_at: datetime
    completed_at: datetime | None


class PairOut(BaseModel):
    id: int
    first_record_id: int
    second_record_id: int
    score: float
    reasons: list[str]
    status: PairStatus


class IdentificationIn(BaseModel):
    identification: IdentificationRoute


class RemovalIn(BaseModel):
    reason: str
    record_ids: list[int] | None = None
    published_before: int | None = None


class RestoreIn(BaseModel):
    reason: str
    record_ids: list[int] | None = None


class RestoredOut(BaseModel):
    restored: int


class Verdict(BaseModel):
    same_report: bool


@router.get("/imports", response_model=list[BatchOut])
def list_imports(session: SessionDep, access: ViewerAccess):
    return importing.batches(session, access.review.id)


@router.post("/imports", response_model=BatchOut, status_code=202)
async def create_import(
    session: SessionDep,
    settings: SettingsDep,
    access: LeadAccess,
    file: UploadFile = File(description="The export file, in any format Winnow reads."),
    source_name: str = Form(description="Where the records come from, e.g. 'Embase (Ovid)'."),
    search_date: str = Form("", description="YYYY-MM-DD"),
    search_string: str = Form(""),
    skip_empty: bool = Form(False, description="Leave out records with no title and no abstract without asking."),
    identification: IdentificationRoute = Form(IdentificationRoute.database,
                                               description="database or register, or another method: website, "
                                                           "organisation, citation_searching."),
):
    """Queue an import; follow it with GET .../imports/{batch_id}."""
    request = BatchRequest(source_name=source_name, filename=file.filename or "upload",
                           search_date=importing.parse_search_date(search_date), search_string=search_string,
                           skip_empty=skip_empty, identification=identification)
    return start_import(session, settings, access, request, await file.read())


@router.get("/imports/{batch_id}", response_model=BatchOut)
def get_import(batch_id: int, session: SessionDep, access: ViewerAccess):
    return importing.batch_in_review(session, access.review.id, batch_id)


@router.post("/imports/{batch_id}/skip-empty", response_model=BatchOut, status_code=202)
def skip_empty(batch_id: int, session: SessionDep, access: LeadAccess):
    return skip_empty_and_continue(session, access, batch_id)


@router.post("/imports/{batch_id}/cancel", response_model=BatchOut)
def cancel(batch_id: int, session: SessionDep, access: LeadAccess):
    """Import nothing from a batch waiting for consent to leave out its empty records."""
    return importing.cancel_batch(session, access, batch_id)


@router.put("/imports/{batch_id}/identification", response_model=BatchOut)
def set_identification(batch_id: int, body: IdentificationIn, session: SessionDep, access: LeadAccess):
    """Where the batch's records were found: PRISMA's databases-and-registers column or other methods."""
    return importing.set_identification(session, access, batch_id, body.identification)


@router.get("/removals", response_model=list[removing.RemovalReason])
def list_removals(session: SessionDep, access: ViewerAccess):
    """The reasons records are removed before screening for, with how many each."""
    return removing.removal_reasons(session, access.review.id)


@router.post("/removals", response_model=removing.Removed)
def remove(body: RemovalIn, session: SessionDep, access: LeadAccess):
    """Remove records before screening with a reason: the named ones, or all unscreened published before a year."""
    return removing.remove_records(session, access, body.reason, record_ids=body.record_ids,
                                   published_before=body.published_before)


@router.post("/removals/restore", response_model=RestoredOut)
def restore(body: RestoreIn, session: SessionDep, access: LeadAccess):
    """Put records removed for a reason back into screening (all of them, or the named ones)."""
    return RestoredOut(restored=removing.restore_records(session, access, body.reason, record_ids=body.record_ids))


@router.get("/records/counts", response_model=RecordCounts)
def counts(session: SessionDep, access: ViewerAccess):
    return record_counts(session, access.review.id)


def _pair_out(view: deduplicating.CandidateView) -> PairOut:
    pair = view.pair
    return PairOut(id=pair.id, first_record_id=view.first.id, second_record_id=view.second.id,
                   score=pair.score, reasons=pair.reasons, status=pair.status)


@router.get("/duplicates", response_model=list[PairOut])
def list_candidates(session: SessionDep, access: ViewerAccess):
    return [_pair_out(view) for view in deduplicating.candidate_pairs(session, access.review.id, limit=1000)]


@router.post("/duplicates/{pair_id}", response_model=PairStatus)
def decide(pair_id: int, verdict: Verdict, session: SessionDep, access: LeadAccess):
    return deduplicating.decide_pair(session, access, pair_id, verdict.same_report).status


@router.post("/records/{record_id}/unmerge", status_code=204)
def unmerge(record_id: int, session: SessionDep, access: LeadAccess):
    deduplicating.unmerge_record(session, access, record_id)
