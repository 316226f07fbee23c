"""Importing search exports into a review, following each import, and exporting records."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from sqlmodel import Session

from app.deps import LeadAccess, SessionDep, SettingsDep, ViewerAccess
from app.downloads import download
from app.models import Job
from app.services import skip_empty_and_continue, start_import
from app.templating import is_htmx, render
from screening import importing
from screening.review.errors import InvalidInput
from screening.importing import BatchRequest
from screening.decisions import removing
from screening.models import BatchStatus, IdentificationRoute
from screening.records import export_records, record_counts
from screening.review.access import ReviewAccess

router = APIRouter(include_in_schema=False)
EXPORT_TYPES = {"ris": "application/x-research-info-systems", "csv": "text/csv"}


def _imports_page(request: Request, session: Session, access: ReviewAccess, status_code: int = 200,
                  errors: dict | None = None, values: dict | None = None):
    rows = [(batch, _job_of(session, batch)) for batch in importing.batches(session, access.review.id)]
    return render(
        request, "imports/page.html", status_code=status_code, access=access, rows=rows,
        counts=record_counts(session, access.review.id), sources=importing.COMMON_SOURCES,
        routes=list(IdentificationRoute), removals=removing.removal_reasons(session, access.review.id),
        errors=errors or {}, values=values or {},
    )


def _job_of(session: Session, batch) -> Job | None:
    return session.get(Job, batch.job_id) if batch.job_id else None


@router.get("/reviews/{review_id}/imports")
def imports_page(request: Request, session: SessionDep, access: ViewerAccess):
    return _imports_page(request, session, access)


@router.post("/reviews/{review_id}/imports")
async def upload(request: Request, session: SessionDep, settings: SettingsDep, access: LeadAccess):
    form = await request.form()
    upload_file = form.get("file")
    values = {name: form.get(name, "") for name in ("source_name", "search_date", "search_string", "identification")}
    try:
        if upload_file is None or isinstance(upload_file, str) or not upload_file.filename:
            raise InvalidInput("Choose a file to import.", field="file")
        batch_request = BatchRequest(
            source_name=str(values["source_name"]), filename=upload_file.filename,
            search_date=importing.parse_search_date(str(values["search_date"])), search_string=str(values["search_string"]),
            skip_empty=form.get("skip_empty") == "on",
            identification=importing.parse_identification(str(values["identification"])),
        )
        start_import(session, settings, access, batch_request, await upload_file.read())
    except InvalidInput as error:
        return _imports_page(request, session, access, 422, {error.field or "form": str(error)}, values)
    return RedirectResponse(f"/reviews/{access.review.id}/imports", status_code=303)


@router.get("/reviews/{review_id}/imports/{batch_id}")
def batch_status(request: Request, session: SessionDep, access: ViewerAccess, batch_id: int):
    batch = importing.batch_in_review(session, access.review.id, batch_id)
    response = render(request, "imports/_batch.html", access=access, batch=batch, job=_job_of(session, batch))
    if is_htmx(request) and batch.status not in (BatchStatus.queued, BatchStatus.importing):
        # The import has just ended: reload the page so the record counts beside it are current.
        response.headers["HX-Refresh"] = "true"
    return response


@router.post("/reviews/{review_id}/imports/{batch_id}/skip-empty")
def skip_empty(request: Request, session: SessionDep, access: LeadAccess, batch_id: int):
    skip_empty_and_continue(session, access, batch_id)
    return _after_batch_action(request, session, access, batch_id)


@router.post("/reviews/{review_id}/imports/{batch_id}/cancel")
def cancel(request: Request, session: SessionDep, access: LeadAccess, batch_id: int):
    importing.cancel_batch(session, access, batch_id)
    return _after_batch_action(request, session, access, batch_id)


@router.post("/reviews/{review_id}/imports/{batch_id}/identification")
async def identification(request: Request, session: SessionDep, access: LeadAccess, batch_id: int):
    form = await request.form()
    route = importing.parse_identification(str(form.get("identification", "")))
    importing.set_identification(session, access, batch_id, route)
    return _after_batch_action(request, session, access, batch_id)


@router.post("/reviews/{review_id}/removals")
async def remove(request: Request, session: SessionDep, access: LeadAccess):
    """Remove records before screening, with a reason: named by id, or all published before a year."""
    form = await request.form()
    values = {name: str(form.get(name, "")) for name in ("reason", "record_ids", "published_before")}
    try:
        ids, year = _removal_target(values["record_ids"], values["published_before"])
        removing.remove_records(session, access, values["reason"], record_ids=ids, published_before=year)
    except InvalidInput as error:
        return _imports_page(request, session, access, 422, {error.field or "form": str(error)}, values)
    return RedirectResponse(f"/reviews/{access.review.id}/imports#removals-heading", status_code=303)


def _removal_target(record_ids: str, published_before: str) -> tuple[list[int] | None, int | None]:
    if published_before.strip():
        if not published_before.strip().isdigit():
            raise InvalidInput(f"“{published_before}” is not a year: give one such as 1990.", field="published_before")
        return None, int(published_before)
    return (removing.parse_record_ids(record_ids) if record_ids.strip() else None), None


@router.post("/reviews/{review_id}/removals/restore")
async def restore(request: Request, session: SessionDep, access: LeadAccess):
    form = await request.form()
    removing.restore_records(session, access, str(form.get("reason", "")))
    return RedirectResponse(f"/reviews/{access.review.id}/imports#removals-heading", status_code=303)


def _after_batch_action(request: Request, session: Session, access: ReviewAccess, batch_id: int):
    if is_htmx(request):
        return batch_status(request, session, access, batch_id)
    return RedirectResponse(f"/reviews/{access.review.id}/imports", status_code=303)


@router.get("/reviews/{review_id}/export.{file_format}")
def export(session: SessionDep, access: ViewerAccess, file_format: str):
    if file_format not in EXPORT_TYPES:
        raise InvalidInput(f"Export as .ris or .csv, not .{file_format}.")
    return download(session, access, "records", export_records(session, access.review.id, file_format),
                    EXPORT_TYPES[file_format], f"review-{access.review.id}-records.{file_format}")
