"""The extraction pages: forms and their builder, studies and their reports, the queue per
form, the coding page (the study's PDF beside the form, drafts saved as you type), the
reconciliation page, and the extraction tables to download."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from sqlmodel import Session

from app.deps import LeadAccess, ReviewerAccess, SessionDep, ViewerAccess
from app.downloads import download
from app.extraction_input import change_from_form, choices_from_form, coding_from_form
from app.templating import is_htmx, render
from extraction import exporting, extracting, form_templates, forms, reconciling, studies
from extraction.extracting import CodingInvalid
from extraction.models import FieldType
from extraction.values import COUNTRIES, display
from screening.fulltexts import full_text_of
from screening.review.access import ReviewAccess
from screening.review.errors import InvalidInput
from screening.review.members import list_members

router = APIRouter(include_in_schema=False)
BASE = "/reviews/{review_id}/extraction"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TEMPLATE_NAMES = {"scoping": "Scoping review: community services", "economic": "Economic evaluation (CHEERS 2022)",
                  "qualitative": "Qualitative evidence synthesis", "rob2": "Risk of bias: Cochrane RoB 2",
                  "casp_qualitative": "CASP qualitative checklist"}


def _people(session: Session, review_id: int) -> dict[int, str]:
    return {row.user.id: row.user.name for row in list_members(session, review_id)}


def _overview(request: Request, session: Session, access: ReviewAccess, status_code: int = 200, error: str = ""):
    form_list = forms.forms_of_review(session, access.review.id)
    return render(request, "extraction/overview.html", status_code=status_code, access=access, error=error,
                  forms=form_list, queues={form.id: extracting.queue(session, access, form.id) for form in form_list},
                  studies=studies.included_studies(session, access.review, citations=False), templates=TEMPLATE_NAMES)


@router.get(BASE)
def overview(request: Request, session: SessionDep, access: ViewerAccess):
    return _overview(request, session, access)


@router.post(f"{BASE}/forms")
async def create_form(request: Request, session: SessionDep, access: LeadAccess):
    data = await request.form()
    try:
        chosen = str(data.get("template") or "")
        spec = form_templates.template(chosen) if chosen else forms.FormSpec(
            name=str(data.get("name") or "").strip() or "Data extraction",
            sections=[forms.SectionSpec(label="Study")])
        form = forms.create_form(session, access, spec)
    except InvalidInput as error:
        return _overview(request, session, access, 422, str(error))
    return RedirectResponse(f"/reviews/{access.review.id}/extraction/forms/{form.id}/edit", status_code=303)


def _builder(request: Request, session: Session, access: ReviewAccess, form_id: int, status_code: int = 200,
             error: str = ""):
    form = forms.form_in_review(session, access.review.id, form_id)
    template = "extraction/_builder.html" if is_htmx(request) else "extraction/builder.html"
    return render(request, template, status_code=status_code, access=access, form=form, error=error,
                  definition=forms.load_definition(session, form), versions=forms.versions(session, form.id),
                  field_types=list(FieldType), people=_people(session, access.review.id))


@router.get(f"{BASE}/forms/{{form_id}}/edit")
def builder(request: Request, session: SessionDep, access: LeadAccess, form_id: int):
    return _builder(request, session, access, form_id)


@router.post(f"{BASE}/forms/{{form_id}}/edit")
async def change_form(request: Request, session: SessionDep, access: LeadAccess, form_id: int):
    try:
        forms.apply_change(session, access, form_id, change_from_form(await request.form()))
    except InvalidInput as error:
        session.rollback()
        return _builder(request, session, access, form_id, 422, str(error))
    if not is_htmx(request):
        return RedirectResponse(f"/reviews/{access.review.id}/extraction/forms/{form_id}/edit", status_code=303)
    return _builder(request, session, access, form_id)


def _studies_page(request: Request, session: Session, access: ReviewAccess, status_code: int = 200, error: str = ""):
    return render(request, "extraction/studies.html", status_code=status_code, access=access, error=error,
                  studies=studies.included_studies(session, access.review),
                  suggestions=studies.link_suggestions(session, access.review))


@router.get(f"{BASE}/studies")
def studies_page(request: Request, session: SessionDep, access: ViewerAccess):
    return _studies_page(request, session, access)


@router.post(f"{BASE}/studies/{{study_id}}/link")
async def link_study(request: Request, session: SessionDep, access: LeadAccess, study_id: int):
    into = str((await request.form()).get("into_id") or "")
    try:
        studies.link_studies(session, access, study_id, int(into) if into.isdigit() else 0)
    except InvalidInput as error:
        return _studies_page(request, session, access, 422, str(error))
    return RedirectResponse(f"/reviews/{access.review.id}/extraction/studies", status_code=303)


@router.post(f"{BASE}/studies/{{study_id}}/rename")
async def rename_study(request: Request, session: SessionDep, access: LeadAccess, study_id: int):
    try:
        studies.rename_study(session, access, study_id, str((await request.form()).get("label") or ""))
    except InvalidInput as error:
        return _studies_page(request, session, access, 422, str(error))
    return RedirectResponse(f"/reviews/{access.review.id}/extraction/studies", status_code=303)


@router.post(f"{BASE}/reports/{{report_id}}/split")
def split_report(request: Request, session: SessionDep, access: LeadAccess, report_id: int):
    try:
        studies.split_report(session, access, report_id)
    except InvalidInput as error:
        return _studies_page(request, session, access, 422, str(error))
    return RedirectResponse(f"/reviews/{access.review.id}/extraction/studies", status_code=303)


@router.get(f"{BASE}/forms/{{form_id}}")
def form_queue(request: Request, session: SessionDep, access: ViewerAccess, form_id: int):
    form = forms.form_in_review(session, access.review.id, form_id)
    count, agreement = reconciling.agreement_by_field(session, access, form.id)
    return render(request, "extraction/queue.html", access=access, form=form,
                  definition=forms.load_definition(session, form), items=extracting.queue(session, access, form.id),
                  agreement=agreement, agreement_studies=count, people=_people(session, access.review.id))


def _coding_page(request: Request, session: Session, access: ReviewAccess, state: extracting.CodingState,
                 status_code: int = 200, error: str = ""):
    # a save answers the form alone; the whole page also lists the reports with their titles
    study = state.study if is_htmx(request) else studies.study_in_review(session, access.review, state.study.study.id)
    reports = [(report, full_text_of(session, access.review.id, report.report.record_id)) for report in study.reports]
    template = "extraction/_coding.html" if is_htmx(request) else "extraction/coding.html"
    return render(request, template, status_code=status_code, access=access, state=state, error=error,
                  reports=reports, countries=COUNTRIES,
                  next_study=_next_study(session, access, state.form.id, state.study.study.id))


def _next_study(session: Session, access: ReviewAccess, form_id: int, study_id: int) -> int | None:
    waiting = [item.study.study.id for item in extracting.queue(session, access, form_id)
               if item.next_step in ("code", "continue", "verify") and item.study.study.id != study_id]
    return waiting[0] if waiting else None


@router.get(f"{BASE}/forms/{{form_id}}/studies/{{study_id}}")
def coding_page(request: Request, session: SessionDep, access: ReviewerAccess, form_id: int, study_id: int):
    return _coding_page(request, session, access, extracting.coding_state(session, access, form_id, study_id))


@router.post(f"{BASE}/forms/{{form_id}}/studies/{{study_id}}")
async def save_coding(request: Request, session: SessionDep, access: ReviewerAccess, form_id: int, study_id: int):
    """Autosave (answers the save status alone), add or remove a row, or submit."""
    data = await request.form()
    action = str(data.get("action") or "save")
    raw = coding_from_form(data)
    try:
        if action == "submit":
            state = extracting.submit(session, access, form_id, study_id, raw)
            if not is_htmx(request):
                return RedirectResponse(f"/reviews/{access.review.id}/extraction/forms/{form_id}", status_code=303)
            return _coding_page(request, session, access, state)
        add_row = remove_row = None
        if action.startswith("add_row:"):
            group, _, parent = action.removeprefix("add_row:").partition(":")
            add_row = (int(group) if group.isdigit() else 0, parent)
        elif action.startswith("remove_row:"):
            remove_row = action.removeprefix("remove_row:")
        state = extracting.save_draft(session, access, form_id, study_id, raw, add_row=add_row, remove_row=remove_row)
    except CodingInvalid as error:
        state = extracting.coding_state(session, access, form_id, study_id, problems=error.problems)
        return _coding_page(request, session, access, state, 422, str(error))
    except InvalidInput as error:
        if action == "autosave":
            return render(request, "extraction/_save_status.html", status_code=422, error=str(error), state=None)
        return _coding_page(request, session, access, extracting.coding_state(session, access, form_id, study_id),
                            422, str(error))
    if action == "autosave":
        return render(request, "extraction/_save_status.html", state=state, error="")
    return _coding_page(request, session, access, state)


@router.post(f"{BASE}/forms/{{form_id}}/studies/{{study_id}}/reopen")
def reopen_coding(request: Request, session: SessionDep, access: ReviewerAccess, form_id: int, study_id: int):
    try:
        state = extracting.reopen(session, access, form_id, study_id)
    except InvalidInput as error:
        return _coding_page(request, session, access, extracting.coding_state(session, access, form_id, study_id),
                            422, str(error))
    return _coding_page(request, session, access, state)


def _reconcile_page(request: Request, session: Session, access: ReviewAccess, state: reconciling.Reconciliation,
                    status_code: int = 200, error: str = ""):
    template = "extraction/_reconcile.html" if is_htmx(request) else "extraction/reconcile.html"
    return render(request, template, status_code=status_code, access=access, state=state, error=error,
                  people=_people(session, access.review.id), countries=COUNTRIES, show=_show)


def _show(item, value) -> str:
    """A value as the pages show it (a field definition and a stored value)."""
    return display(item.field, value, item.options_by_id)


@router.get(f"{BASE}/forms/{{form_id}}/studies/{{study_id}}/reconcile")
def reconcile_page(request: Request, session: SessionDep, access: ViewerAccess, form_id: int, study_id: int):
    return _reconcile_page(request, session, access, reconciling.reconciliation(session, access, form_id, study_id))


@router.post(f"{BASE}/forms/{{form_id}}/studies/{{study_id}}/reconcile")
async def reconcile(request: Request, session: SessionDep, access: ReviewerAccess, form_id: int, study_id: int):
    data = await request.form()
    finish = data.get("action") == "finish"
    try:
        state = reconciling.resolve(session, access, form_id, study_id, choices_from_form(data), finish=finish)
    except CodingInvalid as error:
        state = reconciling.reconciliation(session, access, form_id, study_id, problems=error.problems)
        return _reconcile_page(request, session, access, state, 422, str(error))
    except InvalidInput as error:
        return _reconcile_page(request, session, access, reconciling.reconciliation(session, access, form_id, study_id),
                               422, str(error))
    if finish and not is_htmx(request):
        return RedirectResponse(f"/reviews/{access.review.id}/extraction/forms/{form_id}", status_code=303)
    return _reconcile_page(request, session, access, state)


@router.post(f"{BASE}/forms/{{form_id}}/studies/{{study_id}}/reconcile/reopen")
def reopen_consensus(request: Request, session: SessionDep, access: ReviewerAccess, form_id: int, study_id: int):
    try:
        state = reconciling.reopen_consensus(session, access, form_id, study_id)
    except InvalidInput as error:
        return _reconcile_page(request, session, access, reconciling.reconciliation(session, access, form_id, study_id),
                               422, str(error))
    return _reconcile_page(request, session, access, state)


@router.get(f"{BASE}/export.xlsx")
def export_workbook(session: SessionDep, access: ViewerAccess):
    return download(session, access, "extraction", exporting.review_workbook(session, access.review), XLSX,
                    f"review-{access.review.id}-extraction.xlsx")


@router.get(f"{BASE}/raw.xlsx")
def export_raw_codings(session: SessionDep, access: ViewerAccess):
    """Every reviewer's coding as entered, for audit (what blind extraction lets everyone see)."""
    return download(session, access, "codings", exporting.review_workbook(session, access.review, raw=True), XLSX,
                    f"review-{access.review.id}-codings.xlsx")


@router.get(f"{BASE}/forms/{{form_id}}/tables/{{table}}.csv")
def export_table(session: SessionDep, access: ViewerAccess, form_id: int, table: str):
    form = forms.form_in_review(session, access.review.id, form_id)
    content = exporting.to_csv(exporting.form_table(session, access.review, form, table))
    return download(session, access, "extraction_table", content, "text/csv; charset=utf-8",
                    f"form-{form.id}-{table}.csv", form_id=form.id, table=table)
