"""First-run setup, log-in and log-out."""

from __future__ import annotations

from urllib.parse import urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from app import accounts
from app.deps import OptionalUser, SessionDep, SettingsDep
from app.forms import parse_form
from app.security import flash, log_in, log_out, session_key
from app.templating import render
from screening.review.errors import InvalidInput

router = APIRouter(include_in_schema=False)


def _safe_next(target: str | None) -> str:
    """Only a path on this site: never an open redirect to another host."""
    if not target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


@router.get("/setup")
def setup_page(request: Request, session: SessionDep):
    if accounts.has_any_user(session):
        return RedirectResponse("/login", status_code=303)
    return render(request, "auth/setup.html", errors={}, values={})


@router.post("/setup")
async def setup(request: Request, session: SessionDep):
    form = await request.form()
    data, errors = parse_form(accounts.AccountCreate, form)
    if data is not None:
        try:
            user = accounts.create_first_admin(session, data)
        except InvalidInput as error:
            errors = {error.field or "form": str(error)}
        else:
            log_in(request, user.id, accounts.start_session(session, user.id))
            flash(request, f"Welcome, {user.name}. Your administrator account is ready.")
            return RedirectResponse("/", status_code=303)
    values = {"email": form.get("email", ""), "name": form.get("name", "")}
    return render(request, "auth/setup.html", status_code=422, errors=errors, values=values)


@router.get("/login")
def login_page(request: Request, session: SessionDep, user: OptionalUser, next: str | None = None):
    if not accounts.has_any_user(session):
        return RedirectResponse("/setup", status_code=303)
    if user is not None:
        return RedirectResponse(_safe_next(next), status_code=303)
    return render(request, "auth/login.html", error=None, email="", next=_safe_next(next))


@router.post("/login")
async def login(request: Request, session: SessionDep, settings: SettingsDep):
    form = await request.form()
    email, password = str(form.get("email", "")), str(form.get("password", ""))
    target = _safe_next(str(form.get("next", "")))
    address = request.client.host if request.client else "unknown"
    try:
        user = accounts.authenticate(
            session, email, password, address,
            max_failures=settings.login_max_failures, lockout_minutes=settings.login_lockout_minutes,
        )
    except accounts.TooManyAttempts as error:
        return render(request, "auth/login.html", status_code=429, error=str(error), email=email, next=target)
    except InvalidInput as error:
        return render(request, "auth/login.html", status_code=401, error=str(error), email=email, next=target)
    log_in(request, user.id, accounts.start_session(session, user.id))
    return RedirectResponse(target, status_code=303)


@router.post("/logout")
def logout(request: Request, session: SessionDep):
    key = session_key(request)
    if key:
        accounts.end_session(session, key)  # a copy of the cookie is worth nothing from now on
    log_out(request)
    flash(request, "You are logged out.")
    return RedirectResponse("/login", status_code=303)
