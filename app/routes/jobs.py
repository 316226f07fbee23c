"""A background job's progress, as a partial that polls itself while the job runs."""

from __future__ import annotations

from fastapi import APIRouter, Request

from app.deps import SessionDep, ViewerAccess
from app.jobs import job_for_review
from app.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/reviews/{review_id}/jobs/{job_id}")
def job_progress(request: Request, session: SessionDep, access: ViewerAccess, job_id: int):
    job = job_for_review(session, access.review.id, job_id)
    return render(request, "jobs/_progress.html", access=access, job=job)
