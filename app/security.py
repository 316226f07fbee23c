"""Session cookie contents and CSRF protection.

The session is Starlette's signed cookie (HttpOnly, SameSite=Lax, Secure when
``WINNOW_HTTPS_ONLY``), naming a session held in the database (``user_session``), so that
log-out and a password change end it on the server too. Every state-changing request must echo the session's
CSRF token, as the ``csrf_token`` form field or the ``X-CSRF-Token`` header
(htmx sends the header: ``base.html`` sets it on ``<body hx-headers>``).
Requests authenticated by an API token carry no cookie an attacker could ride
on, so they need no CSRF token.
"""

from __future__ import annotations

import secrets

from fastapi import HTTPException, Request

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"


def csrf_token(request: Request) -> str:
    token = request.session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return token


def bearer_token(request: Request) -> str | None:
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


async def verify_csrf(request: Request) -> None:
    """Applied to every route by ``create_app``."""
    if request.method in SAFE_METHODS or bearer_token(request):
        return
    expected = request.session.get("csrf")
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        sent = (await request.form()).get(CSRF_FIELD)
    if not expected or not isinstance(sent, str) or not secrets.compare_digest(expected, sent):
        raise HTTPException(
            status_code=403,
            detail="The form's security token is missing or out of date. Reload the page and try again.",
        )


def log_in(request: Request, user_id: int, session_key: str) -> None:
    """``session_key`` names the server-side session (``app.accounts.start_session``)."""
    # A fresh CSRF token on log-in: a token planted before it is worth nothing after.
    request.session.clear()
    request.session["user_id"] = user_id
    request.session["sid"] = session_key
    request.session["csrf"] = secrets.token_urlsafe(32)


def session_key(request: Request) -> str | None:
    key = request.session.get("sid")
    return key if isinstance(key, str) else None


def log_out(request: Request) -> None:
    request.session.clear()


def flash(request: Request, message: str, category: str = "info") -> None:
    request.session.setdefault("flash", []).append({"message": message, "category": category})


def pop_flashes(request: Request) -> list[dict[str, str]]:
    return request.session.pop("flash", [])
