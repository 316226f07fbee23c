"""Administration: creating accounts for colleagues."""

from __future__ import annotations

from fastapi import APIRouter, Request

from app import accounts
from app.deps import AdminUser, SessionDep
from app.forms import parse_form
from app.templating import render
from screening.review.errors import InvalidInput

router = APIRouter(include_in_schema=False)


def _users_page(request: Request, session, status_code: int = 200, errors=None, values=None, created=None):
    return render(
        request, "admin/users.html", status_code=status_code, users=accounts.list_users(session),
        errors=errors or {}, values=values or {}, created=created,
    )


@router.get("/admin/users")
def users_page(request: Request, session: SessionDep, admin: AdminUser):
    return _users_page(request, session)


@router.post("/admin/users")
async def create_user(request: Request, session: SessionDep, admin: AdminUser):
    form = await request.form()
    data, errors = parse_form(accounts.AccountCreate, form)
    values = {"email": form.get("email", ""), "name": form.get("name", "")}
    if data is not None:
        try:
            created = accounts.create_user(session, data, is_admin=form.get("is_admin") == "on", actor_id=admin.id)
        except InvalidInput as error:
            errors = {error.field or "form": str(error)}
        else:
            return _users_page(request, session, created=created)
    return _users_page(request, session, 422, errors, values)
