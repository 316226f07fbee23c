"""The JSON API for the summaries page: the same counts, sentences (each number with the ids
of its studies), numbers, cross-tab and typology, and the charts' Vega-Lite specifications.
The query takes the page's parameters: form, field, by, unit, of_unit, opening, order, labels,
number, number_unit, verb, value, preposition, rows, columns, colour, stack, level."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from app.deps import SessionDep, ViewerAccess
from app.summaries_input import choices_from_query, studies_link
from extraction.reports import summaries
from screening.review.access import ReviewAccess

router = APIRouter(prefix="/api/reviews/{review_id}/summaries", tags=["summaries"])
JSON = dict[str, Any]


def _summary(request: Request, session, access: ReviewAccess) -> summaries.Summary:
    choices = choices_from_query(request.query_params)
    return summaries.summarise(session, access.review, choices, studies_link(access.review.id, choices))


@router.get("", response_model=JSON)
def summary(request: Request, session: SessionDep, access: ViewerAccess):
    """Counts of the chosen field, its sentences, numbers by it, the cross-tab and the typology."""
    return summaries.summary_json(_summary(request, session, access))


@router.get("/charts", response_model=JSON)
def charts(request: Request, session: SessionDep, access: ViewerAccess):
    """The gap map's and the studies-over-time chart's Vega-Lite specifications (null when empty)."""
    found = _summary(request, session, access)
    return {"gap_map": found.gap_map, "timeline": found.timeline_chart}
