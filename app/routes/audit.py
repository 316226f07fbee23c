"""The lead's audit log page: every change and export in the review, filtered, and as CSV."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request

from app.deps import LeadAccess, SessionDep
from app.downloads import download
from app.templating import is_htmx, render
from screening.review import audit_log
from screening.review.errors import InvalidInput

router = APIRouter(include_in_schema=False)
BASE = "/reviews/{review_id}/audit"


@router.get(BASE)
def audit_page(request: Request, session: SessionDep, access: LeadAccess, person: str = "", kind: str = "",
               since: str = Query("", alias="from"), until: str = Query("", alias="to"), page: int = 1):
    error, status = "", 200
    try:
        shown = audit_log.audit_page(session, access, audit_log.parse_filters(person, kind, since, until), page)
    except InvalidInput as problem:  # what to fix, in place of the table; the form keeps what was typed
        error, status = str(problem), 422
        shown = audit_log.audit_page(session, access, audit_log.AuditFilters())
    query = shown.filters.as_query()
    template = "reviews/_audit_table.html" if is_htmx(request) else "reviews/audit.html"
    return render(request, template, status_code=status, access=access, log=shown, error=error,
                  typed={"person": person, "kind": kind, "from": since, "to": until}, query=urlencode(query),
                  older=urlencode({**query, "page": shown.page + 1}), newer=urlencode({**query, "page": shown.page - 1}))


@router.get(f"{BASE}.csv")
def audit_csv(session: SessionDep, access: LeadAccess, person: str = "", kind: str = "",
              since: str = Query("", alias="from"), until: str = Query("", alias="to")):
    filters = audit_log.parse_filters(person, kind, since, until)
    return download(session, access, "audit", audit_log.audit_csv(session, access, filters), "text/csv; charset=utf-8",
                    f"review-{access.review.id}-audit.csv", filters=filters.as_query())
