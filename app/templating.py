"""Jinja2 templates with what every page needs: the user, the CSRF token, flashes."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from markupsafe import Markup, escape
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


def highlight(text: str, inclusion_terms: str, exclusion_terms: str) -> Markup:
    """Mark the lead's inclusion and exclusion terms (one per line) in two colours."""
    terms = {term.strip().casefold(): "term-in" for term in inclusion_terms.splitlines() if term.strip()}
    terms |= {term.strip().casefold(): "term-out" for term in exclusion_terms.splitlines() if term.strip()}
    if not terms or not text:
        return escape(text or "")
    pattern = re.compile("|".join(re.escape(term) for term in sorted(terms, key=len, reverse=True)), re.IGNORECASE)
    pieces, last = [], 0
    for match in pattern.finditer(text):
        pieces.append(escape(text[last:match.start()]))
        pieces.append(Markup('<mark class="{}">{}</mark>').format(terms[match.group(0).casefold()], match.group(0)))
        last = match.end()
    pieces.append(escape(text[last:]))
    return Markup("").join(pieces)


def moment(value: datetime | date, pattern: str) -> Markup:
    """A date or time as people read it, in a ``<time>`` element that keeps the exact value
    for machines (and for the guide's screenshots, which show every time fixed)."""
    return Markup('<time datetime="{}">{}</time>').format(value.isoformat(), value.strftime(pattern))


templates.env.filters["highlight"] = highlight
templates.env.filters["moment"] = moment


def is_htmx(request: Request) -> bool:
    return request.headers.get("HX-Request") == "true"


def render(request: Request, name: str, status_code: int = 200, headers: dict | None = None, **context: Any) -> Response:
    context.setdefault("user", getattr(request.state, "user", None))
    return templates.TemplateResponse(request, name, context, status_code=status_code, headers=headers)
