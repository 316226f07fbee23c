"""The JSON API for extraction: forms (create, change, read, versions), studies and their
reports, a reviewer's coding (read, save a draft, submit, reopen), the codings blind
extraction lets you see, reconciliation (the differences, the reconciler's choices), agreement
per question, and the extraction data with provenance. The same functions as the pages.

A coding is sent and returned as a tree: ``values`` maps a question's id to
``{"value", "page", "quote", "source_record_id"}``; ``groups`` maps a repeatable group's id to
its rows, each ``{"uid", "values", "groups"}``. Choice values are option ids (lists of them for
multiple and hierarchical choices), countries ISO 3166-1 alpha-2 codes."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from app.deps import LeadAccess, ReviewerAccess, SessionDep, ViewerAccess
from extraction import exporting, extracting, form_templates, forms, reconciling, studies
from extraction.extracting import CodingInvalid
from extraction.values import Entry, Node, Row
from screening.review.access import ReviewAccess
from screening.review.errors import NotFound

router = APIRouter(prefix="/api/reviews/{review_id}/extraction", tags=["extraction"])
JSON = dict[str, Any]


class EntryIn(BaseModel):
    value: Any = None
    page: str = Field(default="", max_length=20)
    quote: str = Field(default="", max_length=5000)
    source_record_id: int | None = None


class RowIn(BaseModel):
    uid: str = Field(default="", max_length=32)
    values: dict[int, EntryIn] = Field(default_factory=dict)
    groups: dict[int, list[RowIn]] = Field(default_factory=dict)


class CodingIn(BaseModel):
    values: dict[int, EntryIn] = Field(default_factory=dict)
    groups: dict[int, list[RowIn]] = Field(default_factory=dict)


class NewForm(BaseModel):
    """Either a template's name (scoping, economic, qualitative, rob2, casp_qualitative) or a whole form."""

    template: Literal["scoping", "economic", "qualitative", "rob2", "casp_qualitative"] | None = None
    form: forms.FormSpec | None = None


class LinkIn(BaseModel):
    into_id: int


class ResolveIn(BaseModel):
    """Choices by difference path: {"choice": "first" | "second" | "edit" | "keep" | "drop", "value": ...};
    a row only one coding has takes "keep", "drop" or "edit" with "values": {question id: value}."""

    choices: dict[str, dict[str, Any]] = Field(default_factory=dict)
    finish: bool = False


def _node(data: CodingIn | RowIn, row: bool = False) -> Node:
    node = Row(uid=data.uid) if row else Node()
    node.values = {field_id: Entry(entry.value, entry.page, entry.quote, entry.source_record_id)
                   for field_id, entry in data.values.items()}
    node.groups = {group_id: [_node(item, row=True) for item in rows] for group_id, rows in data.groups.items()}
    return node


def _invalid(error: CodingInvalid) -> JSONResponse:
    """Every problem as its own entry, in FastAPI's 422 shape: loc names the input's path."""
    return JSONResponse({"detail": [{"loc": ["body", path], "msg": message, "type": "invalid"}
                                    for path, message in error.problems.items()]}, status_code=422)


def _form_json(session, access: ReviewAccess, form_id: int) -> JSON:
    return forms.definition_json(forms.load_definition(session, forms.form_in_review(session, access.review.id, form_id)))


def _coding_json(state: extracting.CodingState) -> JSON:
    coding = state.coding
    return {"study_id": state.study.study.id, "form_id": state.form.id,
            "coding": None if coding is None else {
                "coding_id": coding.id, "kind": coding.kind.value, "status": coding.status.value,
                "form_version": coding.form_version, "submitted_at": coding.submitted_at},
            "can_start": state.can_start, "missing": [item.field.label for item in state.missing],
            "changed_from_extraction": state.changed,
            "problems": state.problems, **exporting.node_json(state.definition, state.tree)}


@router.get("/forms", response_model=list[JSON])
def list_forms(session: SessionDep, access: ViewerAccess):
    """The review's forms, each with its sections, fields and options."""
    return [_form_json(session, access, form.id) for form in forms.forms_of_review(session, access.review.id)]


@router.post("/forms", response_model=JSON, status_code=201)
def create_form(data: NewForm, session: SessionDep, access: LeadAccess):
    """Create a form from a template or from a whole description (sections, fields, options)."""
    spec = form_templates.template(data.template) if data.template else data.form
    if spec is None:
        spec = forms.FormSpec(name="Data extraction")
    return _form_json(session, access, forms.create_form(session, access, spec).id)


@router.get("/forms/{form_id}", response_model=JSON)
def get_form(form_id: int, session: SessionDep, access: ViewerAccess):
    return _form_json(session, access, form_id)


@router.post("/forms/{form_id}/changes", response_model=JSON)
def change_form(form_id: int, change: forms.FormChange, session: SessionDep, access: LeadAccess):
    """One change to the form (a new version, logged); the form as it now stands."""
    forms.apply_change(session, access, form_id, change)
    return _form_json(session, access, form_id)


@router.get("/forms/{form_id}/versions", response_model=list[JSON])
def list_versions(form_id: int, session: SessionDep, access: ViewerAccess):
    form = forms.form_in_review(session, access.review.id, form_id)
    return [{"number": v.number, "change": v.change, "changed_at": v.changed_at, "changed_by_id": v.changed_by_id}
            for v in forms.versions(session, form.id)]


@router.get("/forms/{form_id}/versions/{number}", response_model=JSON)
def get_version(form_id: int, number: int, session: SessionDep, access: ViewerAccess):
    """The form as it stood at a version."""
    return forms.version_of(session, forms.form_in_review(session, access.review.id, form_id), number).definition


@router.get("/studies", response_model=list[JSON])
def list_studies(session: SessionDep, access: ViewerAccess):
    """Included studies with their reports (records included at full text)."""
    return [{"study_id": view.study.id, "label": view.study.label,
             "reports": [{"report_id": r.report.id, "record_id": r.report.record_id, "title": r.citation.title,
                          "year": r.citation.year} for r in view.reports]}
            for view in studies.included_studies(session, access.review)]


@router.post("/studies/{study_id}/link", response_model=JSON)
def link_study(study_id: int, data: LinkIn, session: SessionDep, access: LeadAccess):
    """Make this study's reports (and codings) part of another study."""
    study = studies.link_studies(session, access, study_id, data.into_id)
    return {"study_id": study.id, "label": study.label}


class RenameIn(BaseModel):
    label: str = Field(min_length=1, max_length=200, examples=["Linehan 2006"])


@router.post("/studies/{study_id}/rename", response_model=JSON)
def rename_study(study_id: int, data: RenameIn, session: SessionDep, access: LeadAccess):
    """The study's name in tables and reports (by default its first report's first author and year)."""
    study = studies.rename_study(session, access, study_id, data.label)
    return {"study_id": study.id, "label": study.label}


@router.post("/reports/{report_id}/split", response_model=JSON)
def split_report(report_id: int, session: SessionDep, access: LeadAccess):
    study = studies.split_report(session, access, report_id)
    return {"study_id": study.id, "label": study.label}


@router.get("/forms/{form_id}/queue", response_model=list[JSON])
def queue(form_id: int, session: SessionDep, access: ViewerAccess):
    """Each included study on the form: your next step, extractions begun and submitted, the consensus."""
    return [{"study_id": item.study.study.id, "label": item.study.study.label, "next_step": item.next_step,
             "mine": item.mine.status.value if item.mine else None, "started": item.started,
             "submitted": item.submitted, "consensus": item.consensus.status.value if item.consensus else None,
             "lacking": item.lacking}
            for item in extracting.queue(session, access, form_id)]


@router.get("/forms/{form_id}/studies/{study_id}/coding", response_model=JSON)
def get_coding(form_id: int, study_id: int, session: SessionDep, access: ReviewerAccess):
    """Your coding of the study (or, before you start verifying, the values to verify)."""
    return _coding_json(extracting.coding_state(session, access, form_id, study_id))


@router.put("/forms/{form_id}/studies/{study_id}/coding", response_model=JSON)
def save_coding(form_id: int, study_id: int, data: CodingIn, session: SessionDep, access: ReviewerAccess):
    """Save your draft: the whole coding, as it now stands. Refused entries are kept as sent
    and listed in ``problems``; nothing is lost."""
    return _coding_json(extracting.save_draft(session, access, form_id, study_id, _node(data)))


@router.post("/forms/{form_id}/studies/{study_id}/coding/submit", response_model=JSON)
def submit_coding(form_id: int, study_id: int, session: SessionDep, access: ReviewerAccess,
                  data: CodingIn | None = None):
    """Submit your coding (with the body: save it first). A 422 lists every problem by input."""
    try:
        state = extracting.submit(session, access, form_id, study_id, _node(data) if data is not None else None)
    except CodingInvalid as error:
        return _invalid(error)
    return _coding_json(state)


@router.post("/forms/{form_id}/studies/{study_id}/coding/reopen", response_model=JSON)
def reopen_coding(form_id: int, study_id: int, session: SessionDep, access: ReviewerAccess):
    return _coding_json(extracting.reopen(session, access, form_id, study_id))


@router.get("/forms/{form_id}/studies/{study_id}/codings", response_model=list[JSON])
def visible_codings(form_id: int, study_id: int, session: SessionDep, access: ViewerAccess):
    """The study's codings you may see: your own, and the others once both extractions are submitted."""
    form = forms.form_in_review(session, access.review.id, form_id)
    definition = forms.load_definition(session, form)
    codings = extracting.study_codings(session, form.id, studies.study_in_review(session, access.review, study_id).study.id)
    shown = []
    for coding in codings:
        try:
            found, tree = extracting.visible_coding(session, access, form_id, study_id, coding.id)
        except NotFound:
            continue
        shown.append({"coding_id": found.id, "kind": found.kind.value, "slot": found.slot, "coder_id": found.coder_id,
                      "status": found.status.value, **exporting.node_json(definition, tree)})
    return shown


def _reconciliation_json(state: reconciling.Reconciliation) -> JSON:
    def entry(value: Entry | None) -> JSON | None:
        return None if value is None else {"value": value.value, "page": value.page, "quote": value.quote,
                                           "source_record_id": value.source_record_id}

    return {"study_id": state.study.study.id, "first_coding_id": state.first.id, "second_coding_id": state.second.id,
            "consensus": state.consensus.status.value if state.consensus else None,
            "unresolved": [item.path for item in state.unresolved], "problems": state.problems,
            "items": [{"path": item.path, "where": item.where, "field_id": item.field.id, "agrees": item.agrees,
                       "row": item.is_row, "first": entry(item.first), "second": entry(item.second),
                       "resolution": state.resolutions.get(item.path)} for item in state.items]}


@router.get("/forms/{form_id}/studies/{study_id}/reconciliation", response_model=JSON)
def get_reconciliation(form_id: int, study_id: int, session: SessionDep, access: ViewerAccess):
    """Both codings question by question (open once both are submitted); ``agrees`` false where they differ."""
    return _reconciliation_json(reconciling.reconciliation(session, access, form_id, study_id))


@router.post("/forms/{form_id}/studies/{study_id}/reconciliation/reopen", response_model=JSON)
def reopen_consensus(form_id: int, study_id: int, session: SessionDep, access: ReviewerAccess):
    """Open a final consensus again for the reconciler to change; its values stay as they were."""
    return _reconciliation_json(reconciling.reopen_consensus(session, access, form_id, study_id))


@router.post("/forms/{form_id}/studies/{study_id}/reconciliation", response_model=JSON)
def resolve(form_id: int, study_id: int, data: ResolveIn, session: SessionDep, access: ReviewerAccess):
    """The reconciler's choices; ``finish`` makes the consensus final once every difference is settled."""
    try:
        state = reconciling.resolve(session, access, form_id, study_id, data.choices, finish=data.finish)
    except CodingInvalid as error:
        return _invalid(error)
    return _reconciliation_json(state)


@router.get("/forms/{form_id}/agreement", response_model=JSON)
def agreement(form_id: int, session: SessionDep, access: ViewerAccess):
    """Agreement per question: n, percent agreement, and Cohen's kappa for choice questions."""
    count, figures = reconciling.agreement_by_field(session, access, form_id)
    return {"studies": count, "fields": [
        {"field_id": figure.field.id, "question": figure.where, "n": figure.agreement.n,
         "percent_agreement": figure.agreement.percent_agreement, "kappa": figure.agreement.kappa}
        for figure in figures]}


@router.get("/forms/{form_id}/data", response_model=JSON)
def data(form_id: int, session: SessionDep, access: ViewerAccess):
    """The form, each study's consensus and the codings everyone may see, with provenance."""
    return exporting.form_json(session, access.review, forms.form_in_review(session, access.review.id, form_id))
