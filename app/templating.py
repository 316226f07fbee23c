"""Jinja2 templates with what every page needs: the user, the CSRF token, flashes."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from starlette.responses import Response

from app.config import PROJECT_ROOT
from app.security import CSRF_FIELD, csrf_token, pop_flashes


def _page_context(request: Request) -> dict[str, Any]:
    return {
        "csrf_token": csrf_token(request),
        "csrf_field": CSRF_FIELD,
        "flashes": pop_flashes(request),
    }


templates = Jinja2Templates(directory=PROJECT_ROOT / "templates", context_processors=[_page_context])


def is_htmx(request: Request) -> bool:
    return request.headers.get("HX-Request") == "true"


def render(request: Request, name: str, status_code: int = 200, **context: Any) -> Response:
    context.setdefault("user", getattr(request.state, "user", None))
    return templates.TemplateResponse(request, name, context, status_code=status_code)
