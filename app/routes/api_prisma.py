"""The JSON API for the PRISMA 2020 diagram: counts keyed by the PRISMA2020 template's
``data`` names, the arithmetic checks, the ids behind a box, and the lead's wording.
The files themselves (SVG, PNG, PDF, CSV) come from ``/reviews/{id}/prisma.{format}``."""

from __future__ import annotations

from fastapi import APIRouter, Query
from pydantic import BaseModel

from app.deps import LeadAccess, SessionDep, ViewerAccess
from extraction.reports import prisma, prisma_csv, prisma_report, prisma_scr

router = APIRouter(prefix="/api/reviews/{review_id}", tags=["reports"])


class BoxOut(BaseModel):
    key: str
    unit: str
    n: int
    ids: list[int]


class LabelIn(BaseModel):
    kind: str
    original: str
    label: str  # empty: back to the data's own name


def _report(session, access, as_of: str | None, previous: str | None):
    return prisma_report.prisma_report(session, access, as_of=prisma_report.parse_day(as_of, "as_of"),
                                       previous_until=prisma_report.parse_day(previous, "previous"))


@router.get("/prisma")
def get_prisma(session: SessionDep, access: ViewerAccess,
               as_of: str | None = Query(None, description="YYYY-MM-DD: the data as they stood that day"),
               previous: str | None = Query(None, description="YYYY-MM-DD: the previous version's date")) -> dict:
    """Every PRISMA 2020 box's n under its template ``data`` name, the split boxes' parts, the checks."""
    report = _report(session, access, as_of, previous)
    return prisma_csv.as_json(report.counts, report.checks)


@router.get("/prisma/scoping-checklist")
def get_scoping_checklist(session: SessionDep, access: ViewerAccess) -> dict:
    """The PRISMA-ScR checklist: each item answered from the review's data, or marked for the authors."""
    return prisma_scr.as_json(prisma_scr.scoping_checklist(session, access))


@router.get("/prisma/boxes/{key}", response_model=BoxOut)
def get_box(key: str, session: SessionDep, access: ViewerAccess, as_of: str | None = None,
            previous: str | None = None):
    """The ids a box counts (records, or studies), or the open records a failing check names."""
    listing = prisma_report.box_listing(session, _report(session, access, as_of, previous), key)
    return BoxOut(key=listing.key, unit=listing.unit, n=listing.n, ids=list(listing.ids))


@router.put("/prisma/labels", status_code=204)
def put_label(body: LabelIn, session: SessionDep, access: LeadAccess):
    """Reword a database, register or reason name the diagram prints; no number changes."""
    prisma.set_label(session, access, body.kind, body.original, body.label)
