"""The summaries page: for a form's consensus, the counts of a field the lead picks with the
sentences written from them (each number a link to its studies), numbers summed by the field,
a cross-tab and its evidence gap map, studies over time and the nested typology table; and
the downloads: the typology as CSV and XLSX, the gap map as self-contained HTML, SVG and PNG."""

from __future__ import annotations

from fastapi import APIRouter, Request

from app.config import PROJECT_ROOT
from app.deps import SessionDep, ViewerAccess
from app.downloads import download
from app.summaries_input import choices_from_query, ids_from_query, studies_link
from app.templating import render
from extraction.reports import appraisal, charts, summaries
from extraction.reports.summaries import Choices
from screening.review.access import ReviewAccess
from screening.review.errors import InvalidInput, NotFound

router = APIRouter(include_in_schema=False)
BASE = "/reviews/{review_id}/summaries"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
VEGA = [PROJECT_ROOT / "app/static/vendor/vega" / name for name in ("vega.min.js", "vega-lite.min.js", "vega-embed.min.js")]


def _summary(request: Request, session, access: ReviewAccess) -> summaries.Summary:
    choices = choices_from_query(request.query_params)
    return summaries.summarise(session, access.review, choices, studies_link(access.review.id, choices))


@router.get(BASE)
def summaries_page(request: Request, session: SessionDep, access: ViewerAccess):
    error, status = "", 200
    try:
        summary = _summary(request, session, access)
    except InvalidInput as problem:  # the page again with the defaults, and what to fix
        error, status = str(problem), 422
        form = request.query_params.get("form", "")
        choices = Choices(form_id=int(form) if form.isdigit() else None)
        summary = summaries.summarise(session, access.review, choices, studies_link(access.review.id, choices))
    link = studies_link(access.review.id, summary.choices)
    return render(request, "reports/summaries.html", status_code=status, access=access, summary=summary, error=error,
                  link=link,
                  query=request.url.query, gap_map=charts.spec_json(summary.gap_map) if summary.gap_map else "",
                  timeline=charts.spec_json(summary.timeline_chart) if summary.timeline_chart else "",
                  appraisal_chart=charts.spec_json(summary.appraisal_chart) if summary.appraisal_chart else "",
                  symbols=appraisal.SYMBOLS)


@router.get(f"{BASE}/studies")
def summary_studies(request: Request, session: SessionDep, access: ViewerAccess):
    summary = _summary(request, session, access)
    shown = summaries.studies_of(summary, ids_from_query(request.query_params.get("ids", "")))
    about = " ".join(request.query_params.get("about", "").split())[:200]
    return render(request, "reports/summaries_studies.html", access=access, summary=summary, studies=shown, about=about,
                  link=studies_link(access.review.id, summary.choices))


@router.get(f"{BASE}/typology.csv")
def typology_csv(request: Request, session: SessionDep, access: ViewerAccess):
    table = summaries.typology_table(_summary(request, session, access))
    return download(session, access, "typology", summaries.table_csv(table), "text/csv; charset=utf-8", "typology.csv")


@router.get(f"{BASE}/typology.xlsx")
def typology_xlsx(request: Request, session: SessionDep, access: ViewerAccess):
    table = summaries.typology_table(_summary(request, session, access))
    return download(session, access, "typology", summaries.table_xlsx(table), XLSX, "typology.xlsx")


@router.get(f"{BASE}/typology.html")
def typology_html(request: Request, session: SessionDep, access: ViewerAccess):
    """For Word: open the file, or paste its table."""
    table = summaries.typology_table(_summary(request, session, access))
    return download(session, access, "typology", summaries.table_html(table, f"{access.review.title}: typology"),
                    "text/html; charset=utf-8", "typology.html")


def _gap_map(request: Request, session, access: ReviewAccess) -> summaries.Summary:
    summary = _summary(request, session, access)
    if summary.cross is None:
        raise NotFound("This review has no coded form to map yet: reconcile a study's data first.")
    return summary


@router.get(f"{BASE}/gap-map.html")
def gap_map_html(request: Request, session: SessionDep, access: ViewerAccess):
    summary = _gap_map(request, session, access)
    libraries = [path.read_text(encoding="utf-8") for path in VEGA]
    title = f"{access.review.title}: {summary.cross.row_label} by {summary.cross.column_label}"
    return download(session, access, "gap_map",
                    charts.standalone_html(title, summary.cross, summary.citations, libraries),
                    "text/html; charset=utf-8", "gap-map.html")


@router.get(f"{BASE}/gap-map.svg")
def gap_map_svg(request: Request, session: SessionDep, access: ViewerAccess):
    return download(session, access, "gap_map", charts.to_svg(_gap_map(request, session, access).gap_map),
                    "image/svg+xml", "gap-map.svg")


@router.get(f"{BASE}/gap-map.png")
def gap_map_png(request: Request, session: SessionDep, access: ViewerAccess):
    return download(session, access, "gap_map", charts.to_png(_gap_map(request, session, access).gap_map),
                    "image/png", "gap-map.png")


def _timeline(request: Request, session, access: ReviewAccess) -> dict:
    summary = _summary(request, session, access)
    if summary.timeline_chart is None:
        raise NotFound("No coded study has a publication year yet.")
    return summary.timeline_chart


@router.get(f"{BASE}/timeline.svg")
def timeline_svg(request: Request, session: SessionDep, access: ViewerAccess):
    return download(session, access, "timeline", charts.to_svg(_timeline(request, session, access)),
                    "image/svg+xml", "studies-by-year.svg")


@router.get(f"{BASE}/timeline.png")
def timeline_png(request: Request, session: SessionDep, access: ViewerAccess):
    return download(session, access, "timeline", charts.to_png(_timeline(request, session, access)),
                    "image/png", "studies-by-year.png")


def _appraisal(request: Request, session, access: ReviewAccess) -> dict:
    summary = _summary(request, session, access)
    if summary.appraisal_chart is None:
        raise NotFound("This form has no judgement question (RoB 2, CASP) with final data: choose an appraisal form.")
    return summary.appraisal_chart


@router.get(f"{BASE}/appraisal.svg")
def appraisal_svg(request: Request, session: SessionDep, access: ViewerAccess):
    return download(session, access, "appraisal", charts.to_svg(_appraisal(request, session, access)),
                    "image/svg+xml", "appraisal.svg")


@router.get(f"{BASE}/appraisal.png")
def appraisal_png(request: Request, session: SessionDep, access: ViewerAccess):
    return download(session, access, "appraisal", charts.to_png(_appraisal(request, session, access)),
                    "image/png", "appraisal.png")
