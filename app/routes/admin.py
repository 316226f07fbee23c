"""Administration: creating accounts for colleagues, resetting their passwords, deactivating them."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from app import accounts
from app.deps import AdminUser, SessionDep
from app.forms import parse_form
from app.security import flash
from app.templating import render
from screening.review.errors import InvalidInput

router = APIRouter(include_in_schema=False)


def _users_page(request: Request, session, status_code: int = 200, errors=None, values=None, created=None,
                account_errors=None):
    return render(
        request, "admin/users.html", status_code=status_code, users=accounts.list_users(session),
        errors=errors or {}, values=values or {}, created=created, account_errors=account_errors or {},
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


@router.post("/admin/users/{user_id}/password")
async def reset_password(request: Request, session: SessionDep, admin: AdminUser, user_id: int):
    form = await request.form()
    try:
        person = accounts.reset_password(session, admin.id, user_id, str(form.get("password", "")))
    except InvalidInput as error:
        return _users_page(request, session, 422, account_errors={user_id: str(error)})
    flash(request, f"New password set for {person.name}; their sessions have ended. Give it to them privately.")
    return RedirectResponse("/admin/users", status_code=303)


@router.post("/admin/users/{user_id}/active")
async def set_active(request: Request, session: SessionDep, admin: AdminUser, user_id: int):
    form = await request.form()
    try:
        person = accounts.set_active(session, admin.id, user_id, form.get("active") == "true")
    except InvalidInput as error:
        return _users_page(request, session, 422, account_errors={user_id: str(error)})
    flash(request, f"{person.name} can log in again." if person.is_active else
          f"{person.name} is deactivated: they cannot log in or use their API tokens; their decisions stay theirs.")
    return RedirectResponse("/admin/users", status_code=303)
