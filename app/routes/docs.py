"""The API docs: Swagger UI served from Winnow's own static folder (npm's swagger-ui-dist,
copied by `make static`), not from a CDN, so they work on an offline network and under the CSP."""

from __future__ import annotations

from fastapi import APIRouter, Request

from app.templating import templates

router = APIRouter(include_in_schema=False)


@router.get("/docs")
def swagger_ui(request: Request):
    return templates.TemplateResponse(request, "docs/swagger.html", {"openapi_url": request.app.openapi_url})
