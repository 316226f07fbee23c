"""The screening page (one record at a time, keyboard first), conflicts and statistics."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, RedirectResponse
from sqlmodel import Session

from app.deps import LeadAccess, ReviewerAccess, SessionDep, SettingsDep, ViewerAccess
from app.services import retrain_soon
from app.templating import is_htmx, render
from screening import fulltexts
from screening.ranking import scores
from screening.stopping import checks, curve
from screening.decisions import deciding, progress, queue, reasons, record_list, resolving, stages, visibility
from screening.review.errors import InvalidInput
from screening.models import Record, Stage, Verdict
from screening.records import merged_citations
from screening.review.access import ReviewAccess
from screening.review.members import list_members

router = APIRouter(include_in_schema=False)
STAGE_NAMES = {Stage.title_abstract: "Title and abstract", Stage.full_text: "Full text"}


def _screen(request: Request, session: Session, access: ReviewAccess, stage: Stage, record_id: int | None = None,
            status_code: int = 200, error: str | None = None):
    record = (stages.record_at_stage(session, access.review, record_id, stage) if record_id is not None
              else queue.next_record(session, access, stage))
    context = {
        "access": access, "stage": stage, "stage_name": STAGE_NAMES[stage], "error": error,
        "progress": progress.progress(session, access, stage),
        "reasons": reasons.exclusion_reasons(session, access.review.id),
        "record": record, "citation": merged_citations(session, [record])[0] if record else None,
    }
    if record is not None:
        context |= {
            "full_text": fulltexts.full_text_of(session, access.review.id, record.id),
            "score": scores.score_of(session, scores.current_run(session, access.review.id, access.user_id), record.id)
                     if stage is Stage.title_abstract else None,
            "mine": deciding.my_decision(session, access, record.id, stage),
            "colleagues": visibility.colleagues_decisions(session, access, record.id, stage),
            "previous": queue.my_previous_record(session, access, stage, record.id),
        }
    else:
        context["previous"] = queue.my_previous_record(session, access, stage, None)
    template = "screening/_record.html" if is_htmx(request) else "screening/page.html"
    return render(request, template, status_code=status_code, **context)


def _verdict_form(form) -> tuple[Verdict, int | None, str]:
    try:
        verdict = Verdict(str(form.get("verdict", "")))
    except ValueError:
        raise InvalidInput("Choose include, exclude or maybe.", field="verdict") from None
    reason = str(form.get("reason_id") or "")
    return verdict, int(reason) if reason.isdigit() else None, str(form.get("note", ""))


@router.get("/reviews/{review_id}/screen/{stage}")
def screen(request: Request, session: SessionDep, access: ReviewerAccess, stage: Stage, record: int | None = None):
    return _screen(request, session, access, stage, record)


@router.post("/reviews/{review_id}/screen/{stage}/{record_id}")
async def decide(request: Request, session: SessionDep, access: ReviewerAccess, stage: Stage, record_id: int):
    try:
        verdict, reason_id, note = _verdict_form(await request.form())
        deciding.decide(session, access, record_id, stage, verdict, reason_id=reason_id, note=note)
        retrain_soon(session, access, stage)
    except InvalidInput as error:
        return _screen(request, session, access, stage, record_id, 422, str(error))
    if not is_htmx(request):
        return RedirectResponse(f"/reviews/{access.review.id}/screen/{stage.value}", status_code=303)
    return _screen(request, session, access, stage)


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
        return _screen(request, session, access, Stage.full_text, record_id, 422, str(error))
    return _screen(request, session, access, Stage.full_text, record_id)


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
        return _screen(request, session, access, Stage.full_text, record_id, 422, str(error))
    return _screen(request, session, access, Stage.full_text)


@router.post("/reviews/{review_id}/screen/{stage}/{record_id}/undo")
def undo(request: Request, session: SessionDep, access: ReviewerAccess, stage: Stage, record_id: int):
    try:
        deciding.undo_decision(session, access, record_id, stage)
        retrain_soon(session, access, stage)
    except InvalidInput as error:
        return _screen(request, session, access, stage, record_id, 422, str(error))
    return _screen(request, session, access, stage, record_id)


def _conflicts(request: Request, session: Session, access: ReviewAccess, stage: Stage, status_code: int = 200,
               error: str | None = None):
    found = resolving.conflicts(session, access.review, stage)
    records = {record.id: record for record in _records(session, [status.record_id for status in found])}
    template = "screening/_conflicts.html" if is_htmx(request) else "screening/conflicts.html"
    return render(request, template, status_code=status_code, access=access, stage=stage,
                  stage_name=STAGE_NAMES[stage], conflicts=found, records=records, error=error,
                  reasons={reason.id: reason for reason in reasons.exclusion_reasons(session, access.review.id)},
                  people=_people(session, access.review.id))


def _records(session: Session, record_ids: list[int]) -> list[Record]:
    return [session.get(Record, record_id) for record_id in record_ids]


def _people(session: Session, review_id: int) -> dict:
    return {row.user.id: row.user for row in list_members(session, review_id)}


@router.get("/reviews/{review_id}/conflicts/{stage}")
def conflicts(request: Request, session: SessionDep, access: ViewerAccess, stage: Stage):
    return _conflicts(request, session, access, stage)


@router.post("/reviews/{review_id}/conflicts/{stage}/{record_id}")
async def resolve(request: Request, session: SessionDep, access: LeadAccess, stage: Stage, record_id: int):
    form = await request.form()
    try:
        verdict, reason_id, note = _verdict_form(form)
        resolving.resolve(session, access, record_id, stage, verdict, reason_id=reason_id, note=note)
        retrain_soon(session, access, stage)
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
    return render(request, template, access=access, stage=stage, stage_name=STAGE_NAMES[stage], listed=listed,
                  show=show, reason_id=reason_id, q=q, filters=record_list.LIST_FILTERS, stage_names=STAGE_NAMES,
                  reasons={r.id: r for r in reasons.exclusion_reasons(session, access.review.id)},
                  people=_people(session, access.review.id))


@router.get("/reviews/{review_id}/statistics")
def statistics(request: Request, session: SessionDep, access: ViewerAccess):
    return _statistics_page(request, session, access)


def _statistics_page(request: Request, session: Session, access: ReviewAccess, status_code: int = 200,
                     error: str | None = None):
    by_stage = []
    for stage in Stage:
        overall, pairs = progress.agreement_by_pair(session, access.review, stage)
        by_stage.append({"stage": stage, "name": STAGE_NAMES[stage], "overall": overall, "pairs": pairs,
                       "progress": progress.progress(session, access, stage)})
    pilot_ids = stages.screeners_needed(session, access.review).pilot_ids
    pilot = progress.agreement_by_pair(session, access.review, Stage.title_abstract, pilot_ids) if pilot_ids else None
    check = checks.active_check(session, access.review.id)
    return render(
        request, "screening/statistics.html", status_code=status_code, access=access, stages=by_stage, pilot=pilot,
        pilot_size=len(pilot_ids), curve=curve.recall_curve(session, access.review),
        run=scores.current_run(session, access.review.id, access.user_id), error=error,
        check=checks.check_progress(session, access.review, check) if check else None,
        suggested=checks.suggested_sample_size(session, access.review) if not check else 0,
        recorded=checks.recorded_checks(session, access.review.id),
    )


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
