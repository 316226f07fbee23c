"""Possible duplicates side by side for the lead to decide, and merged groups to undo."""

from __future__ import annotations

from fastapi import APIRouter, Request

from app.deps import LeadAccess, SessionDep, ViewerAccess
from app.templating import is_htmx, render
from screening import deduplicating
from screening.review.errors import InvalidInput

router = APIRouter(include_in_schema=False)


def _page(request: Request, session, access, status_code: int = 200, error: str | None = None):
    template = "duplicates/_lists.html" if is_htmx(request) else "duplicates/page.html"
    return render(
        request, template, status_code=status_code, access=access, error=error,
        candidates=deduplicating.candidate_pairs(session, access.review.id),
        waiting=deduplicating.count_candidates(session, access.review.id),
        groups=deduplicating.merged_groups(session, access.review.id),
    )


@router.get("/reviews/{review_id}/duplicates")
def duplicates_page(request: Request, session: SessionDep, access: ViewerAccess):
    return _page(request, session, access)


@router.post("/reviews/{review_id}/duplicates/{pair_id}")
async def decide(request: Request, session: SessionDep, access: LeadAccess, pair_id: int):
    verdict = (await request.form()).get("verdict")
    if verdict not in ("same", "different"):
        return _page(request, session, access, 422, "Choose “Same report” or “Different”.")
    try:
        deduplicating.decide_pair(session, access, pair_id, same_report=verdict == "same")
    except InvalidInput as error:
        return _page(request, session, access, 422, str(error))
    return _page(request, session, access)


@router.post("/reviews/{review_id}/records/{record_id}/unmerge")
def unmerge(request: Request, session: SessionDep, access: LeadAccess, record_id: int):
    try:
        deduplicating.unmerge_record(session, access, record_id)
    except InvalidInput as error:
        return _page(request, session, access, 422, str(error))
    return _page(request, session, access)
