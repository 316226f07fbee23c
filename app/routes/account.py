"""The user's own profile: changing the password, personal API tokens."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from app import accounts
from app.deps import CurrentUser, SessionDep
from app.security import flash, session_key
from app.templating import render
from screening.review.errors import InvalidInput

router = APIRouter(include_in_schema=False)


def _profile(request: Request, session, user, status_code: int = 200, **extra):
    extra.setdefault("password_errors", {})
    return render(
        request, "account/profile.html", status_code=status_code,
        tokens=accounts.list_api_tokens(session, user.id), **extra,
    )


@router.get("/profile")
def profile(request: Request, session: SessionDep, user: CurrentUser):
    return _profile(request, session, user)


@router.post("/profile/tokens")
async def create_token(request: Request, session: SessionDep, user: CurrentUser):
    form = await request.form()
    try:
        new = accounts.create_api_token(session, user.id, str(form.get("name", "")))
    except InvalidInput as error:
        return _profile(request, session, user, 422, error=str(error))
    return _profile(request, session, user, new_token=new)


@router.post("/profile/tokens/{token_id}/revoke")
def revoke_token(request: Request, session: SessionDep, user: CurrentUser, token_id: int):
    accounts.revoke_api_token(session, user.id, token_id)
    flash(request, "Token revoked: scripts using it can no longer sign in.")
    return RedirectResponse("/profile", status_code=303)


@router.post("/profile/password")
async def change_password(request: Request, session: SessionDep, user: CurrentUser):
    form = await request.form()
    try:
        accounts.change_password(session, user, str(form.get("current_password", "")), str(form.get("password", "")),
                                 keep_key=session_key(request))
    except InvalidInput as error:
        return _profile(request, session, user, 422, password_errors={error.field or "password": str(error)})
    flash(request, "Password changed. You stay logged in here; every other session of yours has ended.")
    return RedirectResponse("/profile", status_code=303)
