"""The screening page (one record at a time, keyboard first), conflicts and statistics."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, RedirectResponse
from sqlmodel import Session

from app import services
from app.deps import LeadAccess, ReviewerAccess, SessionDep, SettingsDep, ViewerAccess
from app.templating import is_htmx, render
from screening import fulltexts
from screening.decisions import reasons, record_list, resolving, stages
from screening.decisions.record_view import record_view
from screening.models import Record, Stage, Verdict
from screening.review.access import ReviewAccess
from screening.review.errors import InvalidInput
from screening.review.members import list_members
from screening.statistics import statistics as review_statistics
from extraction.reports import charts
from screening.stopping import checks

router = APIRouter(include_in_schema=False)


def _screen(request: Request, session: Session, access: ReviewAccess, stage: Stage, record: Record | None,
            status_code: int = 200, error: str | None = None):
    template = "screening/_record.html" if is_htmx(request) else "screening/page.html"
    return render(request, template, status_code=status_code, access=access, error=error,
                  view=record_view(session, access, stage, record))


def _record(session: Session, access: ReviewAccess, record_id: int, stage: Stage) -> Record:
    return stages.record_at_stage(session, access.review, record_id, stage)


def _verdict_form(form) -> tuple[Verdict, int | None, str]:
    try:
        verdict = Verdict(str(form.get("verdict", "")))
    except ValueError:
        raise InvalidInput("Choose include, exclude or maybe.", field="verdict") from None
    reason = str(form.get("reason_id") or "")
    return verdict, int(reason) if reason.isdigit() else None, str(form.get("note", ""))


@router.get("/reviews/{review_id}/screen/{stage}")
def screen(request: Request, session: SessionDep, access: ReviewerAccess, stage: Stage, record: int | None = None):
    shown = _record(session, access, record, stage) if record is not None else services.next_record(session, access, stage)
    return _screen(request, session, access, stage, shown)


@router.post("/reviews/{review_id}/screen/{stage}/{record_id}")
async def decide(request: Request, session: SessionDep, access: ReviewerAccess, stage: Stage, record_id: int):
    try:
        verdict, reason_id, note = _verdict_form(await request.form())
        decided = services.decide_and_next(session, access, record_id, stage, verdict, reason_id=reason_id, note=note)
    except InvalidInput as error:
        return _screen(request, session, access, stage, _record(session, access, record_id, stage), 422, str(error))
    if not is_htmx(request):
        return RedirectResponse(f"/reviews/{access.review.id}/screen/{stage.value}", status_code=303)
    return _screen(request, session, access, stage, decided.next)


@router.post("/reviews/{review_id}/screen/{stage}/{record_id}/undo")
def undo(request: Request, session: SessionDep, access: ReviewerAccess, stage: Stage, record_id: int):
    try:
        services.undo_decision(session, access, record_id, stage)
    except InvalidInput as error:
        return _screen(request, session, access, stage, _record(session, access, record_id, stage), 422, str(error))
    return _screen(request, session, access, stage, _record(session, access, record_id, stage))


@router.post("/reviews/{review_id}/records/{record_id}/fulltext")
async def attach_full_text(request: Request, session: SessionDep, settings: SettingsDep, access: ReviewerAccess,
                           record_id: int):
    upload = (await request.form()).get("file")
    try:
        if upload is None or isinstance(upload, str) or not upload.filename:
            raise InvalidInput("Choose the PDF to attach.", field="file")
        fulltexts.attach_pdf(session, access, record_id, upload.filename, await upload.read(),
                             files_dir=settings.data_dir / "fulltexts", max_bytes=settings.max_upload_bytes)
    except InvalidInput as error:
        return _screen(request, session, access, Stage.full_text, _record(session, access, record_id, Stage.full_text),
                       422, str(error))
    return _screen(request, session, access, Stage.full_text, _record(session, access, record_id, Stage.full_text))


@router.get("/reviews/{review_id}/records/{record_id}/fulltext.pdf")
def full_text_pdf(session: SessionDep, access: ViewerAccess, record_id: int):
    path = fulltexts.pdf_path(session, access.review.id, record_id)
    return FileResponse(path, media_type="application/pdf", content_disposition_type="inline",
                        filename=f"record-{record_id}.pdf")


@router.post("/reviews/{review_id}/records/{record_id}/not-retrieved")
async def not_retrieved(request: Request, session: SessionDep, access: ReviewerAccess, record_id: int):
    try:
        fulltexts.mark_not_retrieved(session, access, record_id, str((await request.form()).get("reason", "")))
    except InvalidInput as error:
        return _screen(request, session, access, Stage.full_text, _record(session, access, record_id, Stage.full_text),
                       422, str(error))
    return _screen(request, session, access, Stage.full_text, services.next_record(session, access, Stage.full_text))


def _conflicts(request: Request, session: Session, access: ReviewAccess, stage: Stage, status_code: int = 200,
               error: str | None = None):
    template = "screening/_conflicts.html" if is_htmx(request) else "screening/conflicts.html"
    return render(request, template, status_code=status_code, access=access, stage=stage, error=error,
                  conflicts=resolving.conflicts(session, access.review, stage),
                  reasons={reason.id: reason for reason in reasons.exclusion_reasons(session, access.review.id)},
                  people=_people(session, access.review.id))


def _people(session: Session, review_id: int) -> dict:
    return {row.user.id: row.user for row in list_members(session, review_id)}


@router.get("/reviews/{review_id}/conflicts/{stage}")
def conflicts(request: Request, session: SessionDep, access: ViewerAccess, stage: Stage):
    return _conflicts(request, session, access, stage)


@router.post("/reviews/{review_id}/conflicts/{stage}/{record_id}")
async def resolve(request: Request, session: SessionDep, access: LeadAccess, stage: Stage, record_id: int):
    try:
        verdict, reason_id, note = _verdict_form(await request.form())
        services.resolve(session, access, record_id, stage, verdict, reason_id=reason_id, note=note)
    except InvalidInput as error:
        return _conflicts(request, session, access, stage, 422, str(error))
    if not is_htmx(request):  # an override from the record list goes back there
        return RedirectResponse(f"/reviews/{access.review.id}/records?stage={stage.value}", status_code=303)
    return _conflicts(request, session, access, stage)


@router.get("/reviews/{review_id}/records")
def records_page(request: Request, session: SessionDep, access: ViewerAccess, stage: Stage = Stage.title_abstract,
                 show: str = "all", reason: str = "", q: str = ""):
    reason_id = int(reason) if reason.isdigit() else None
    listed = record_list.list_records(session, access, stage, show=show, reason_id=reason_id, search=q)
    template = "screening/_list.html" if is_htmx(request) else "screening/list.html"
    return render(request, template, access=access, stage=stage, listed=listed, show=show, reason_id=reason_id, q=q,
                  filters=record_list.LIST_FILTERS, stages=list(Stage),
                  reasons={r.id: r for r in reasons.exclusion_reasons(session, access.review.id)},
                  people=_people(session, access.review.id))


@router.get("/reviews/{review_id}/statistics")
def statistics(request: Request, session: SessionDep, access: ViewerAccess):
    return _statistics_page(request, session, access)


def _statistics_page(request: Request, session: Session, access: ReviewAccess, status_code: int = 200,
                     error: str | None = None):
    figures = review_statistics(session, access)
    curve_spec = charts.spec_json(charts.recall_curve_spec(figures.curve.points, figures.curve.total))
    return render(request, "screening/statistics.html", status_code=status_code, access=access, error=error,
                  statistics=figures, curve_spec=curve_spec)


@router.post("/reviews/{review_id}/stopping")
async def start_stopping_check(request: Request, session: SessionDep, access: LeadAccess):
    size = str((await request.form()).get("sample_size", ""))
    try:
        checks.start_check(session, access, int(size) if size.isdigit() else 0)
    except InvalidInput as error:
        return _statistics_page(request, session, access, 422, str(error))
    return RedirectResponse(f"/reviews/{access.review.id}/statistics", status_code=303)


@router.post("/reviews/{review_id}/stopping/{check_id}/record")
def record_stopping_check(request: Request, session: SessionDep, access: LeadAccess, check_id: int):
    try:
        checks.record_result(session, access, check_id)
    except InvalidInput as error:
        return _statistics_page(request, session, access, 422, str(error))
    return RedirectResponse(f"/reviews/{access.review.id}/statistics", status_code=303)
