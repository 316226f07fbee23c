"""Review pages: the dashboard, creating a review, its overview, settings and members."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from app import services
from app.deps import CurrentUser, LeadAccess, OptionalUser, SessionDep, ViewerAccess
from app.forms import parse_form
from app.security import flash
from app.templating import is_htmx, render
from screening.activity import recent_activity
from screening.decisions import reasons
from screening.review import members, reviews
from screening.review.access import reviews_for_user
from screening.review.errors import InvalidInput
from screening.review.models import ReviewCreate, ReviewType, ReviewUpdate, Role, ScreeningSettings
from screening.statistics import stage_progress

router = APIRouter(include_in_schema=False)


@router.get("/")
def dashboard(request: Request, session: SessionDep, user: OptionalUser):
    if user is None:
        return RedirectResponse("/login", status_code=303)
    return render(request, "reviews/dashboard.html", reviews=reviews_for_user(session, user.id))


@router.get("/reviews/new")
def new_review_page(request: Request, user: CurrentUser):
    return render(request, "reviews/new.html", errors={}, values={}, review_types=list(ReviewType))


@router.post("/reviews/new")
async def create_review(request: Request, session: SessionDep, user: CurrentUser):
    form = await request.form()
    data, errors = parse_form(ReviewCreate, form)
    if data is None:
        return render(
            request, "reviews/new.html", status_code=422, errors=errors, values=dict(form),
            review_types=list(ReviewType),
        )
    review = reviews.create_review(session, data, user.id)
    flash(request, f"Review “{review.title}” created. You are its lead.")
    return RedirectResponse(f"/reviews/{review.id}", status_code=303)


@router.get("/reviews/{review_id}")
def overview(request: Request, session: SessionDep, access: ViewerAccess):
    return render(
        request, "reviews/overview.html", access=access,
        members=members.list_members(session, access.review.id),
        progress=stage_progress(session, access), activity=recent_activity(session, access),
    )


def _settings_page(request: Request, session, access, status_code: int = 200, errors=None, values=None):
    return render(
        request, "reviews/settings.html", status_code=status_code, access=access, errors=errors or {},
        values=values if values is not None else access.review.model_dump(), review_types=list(ReviewType),
        reasons=reasons.exclusion_reasons(session, access.review.id),
    )


@router.get("/reviews/{review_id}/settings")
def settings_page(request: Request, session: SessionDep, access: LeadAccess):
    return _settings_page(request, session, access)


@router.post("/reviews/{review_id}/settings")
async def update_settings(request: Request, session: SessionDep, access: LeadAccess):
    form = await request.form()
    data, errors = parse_form(ReviewUpdate, form)
    if data is None:
        return _settings_page(request, session, access, 422, errors, dict(form))
    reviews.update_review(session, access, data)
    flash(request, "Review settings saved.")
    return RedirectResponse(f"/reviews/{access.review.id}", status_code=303)


@router.post("/reviews/{review_id}/settings/screening")
async def update_screening(request: Request, session: SessionDep, access: LeadAccess):
    form = await request.form()
    data, errors = parse_form(ScreeningSettings, {
        "dual_screening": form.get("dual_screening") == "on", "blind": form.get("blind") == "on",
        "pilot_size": form.get("pilot_size") or 0,
        "inclusion_terms": form.get("inclusion_terms", ""), "exclusion_terms": form.get("exclusion_terms", ""),
    })
    if data is None:
        return _settings_page(request, session, access, 422, errors)
    services.update_screening_settings(session, access, data)
    flash(request, "Screening settings saved.")
    return RedirectResponse(f"/reviews/{access.review.id}/settings", status_code=303)


@router.post("/reviews/{review_id}/settings/reasons")
async def add_reason(request: Request, session: SessionDep, access: LeadAccess):
    try:
        reasons.add_exclusion_reason(session, access, str((await request.form()).get("label", "")))
    except InvalidInput as error:
        return _settings_page(request, session, access, 422, {"label": str(error)})
    return RedirectResponse(f"/reviews/{access.review.id}/settings", status_code=303)


@router.post("/reviews/{review_id}/settings/reasons/{reason_id}/retire")
def retire_reason(session: SessionDep, access: LeadAccess, reason_id: int):
    reasons.retire_exclusion_reason(session, access, reason_id)
    return RedirectResponse(f"/reviews/{access.review.id}/settings", status_code=303)


def _members_response(request: Request, session, access, status_code: int = 200, error: str | None = None,
                      email: str = ""):
    template = "reviews/_members.html" if is_htmx(request) else "reviews/members.html"
    return render(
        request, template, status_code=status_code, access=access, error=error, email=email,
        members=members.list_members(session, access.review.id), roles=list(Role),
    )


@router.get("/reviews/{review_id}/members")
def members_page(request: Request, session: SessionDep, access: ViewerAccess):
    return _members_response(request, session, access)


@router.post("/reviews/{review_id}/members")
async def add_member(request: Request, session: SessionDep, access: LeadAccess):
    form = await request.form()
    email = str(form.get("email", ""))
    try:
        role = Role(str(form.get("role", "")))
        members.add_member(session, access, email, role)
    except ValueError:
        return _members_response(request, session, access, 422, "Choose a role: lead, reviewer or viewer.", email)
    except InvalidInput as error:
        return _members_response(request, session, access, 422, str(error), email)
    return _members_response(request, session, access)


@router.post("/reviews/{review_id}/members/{user_id}/remove")
def remove_member(request: Request, session: SessionDep, access: LeadAccess, user_id: int):
    try:
        members.remove_member(session, access, user_id)
    except InvalidInput as error:
        return _members_response(request, session, access, 422, str(error))
    return _members_response(request, session, access)
