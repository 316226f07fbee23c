"""The user's own profile: personal API tokens."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from app import accounts
from app.deps import CurrentUser, SessionDep
from app.security import flash
from app.templating import render
from screening.review.errors import InvalidInput

router = APIRouter(include_in_schema=False)


def _profile(request: Request, session, user, status_code: int = 200, **extra):
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
