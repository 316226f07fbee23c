"""The PRISMA 2020 page: the diagram drawn inline with each count linked to its records, the
arithmetic check, downloads, and the lead's wording of names."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from app.deps import LeadAccess, SessionDep, ViewerAccess
from app.downloads import download
from app.templating import render
from extraction.reports import prisma, prisma_csv, prisma_diagram, prisma_report, prisma_scr
from extraction.reports.prisma import LABEL_KINDS, PART_KINDS

router = APIRouter(include_in_schema=False)


def _dates(as_of: str | None, previous: str | None) -> dict:
    return {"as_of": prisma_report.parse_day(as_of, "as_of"),
            "previous_until": prisma_report.parse_day(previous, "previous")}


def _given(as_of: str | None, previous: str | None) -> dict[str, str]:
    return {name: value for name, value in (("as_of", as_of), ("previous", previous)) if value}


def _query(as_of: str | None, previous: str | None) -> str:
    given = _given(as_of, previous)
    return f"?{urlencode(given)}" if given else ""


@router.get("/reviews/{review_id}/prisma")
def prisma_page(request: Request, session: SessionDep, access: ViewerAccess, as_of: str | None = None,
                previous: str | None = None):
    report = prisma_report.prisma_report(session, access, **_dates(as_of, previous))
    base, query = f"/reviews/{access.review.id}/prisma", _query(as_of, previous)
    svg = prisma_diagram.render_svg(report.counts, title=report.title, as_of_text=report.as_of_text,
                                    link=lambda key: f"{base}/boxes/{key}{query}")
    names = sorted({(PART_KINDS[key], part.name) for key, box in report.counts.boxes.items()
                    if key in PART_KINDS for part in box.parts})
    return render(request, "reports/prisma.html", access=access, report=report,
                  svg=svg.split("\n", 1)[1], base=base, query=query, as_of=as_of or "", previous=previous or "",
                  changed=prisma_csv.write_csv(report.counts).changed, names=names,
                  wording=prisma.labels(session, access.review.id), kinds=LABEL_KINDS)


@router.get("/reviews/{review_id}/prisma.{file_format}")
def prisma_file(session: SessionDep, access: ViewerAccess, file_format: str, as_of: str | None = None,
                previous: str | None = None):
    report = prisma_report.prisma_report(session, access, **_dates(as_of, previous))
    exported = prisma_report.export(report, file_format)
    return download(session, access, "prisma", exported.data, exported.media_type, exported.filename,
                    **_given(as_of, previous))


@router.get("/reviews/{review_id}/prisma/scoping-checklist")
def scoping_checklist_page(request: Request, session: SessionDep, access: ViewerAccess):
    checklist = prisma_scr.scoping_checklist(session, access)
    return render(request, "reports/prisma_scr.html", access=access, checklist=checklist,
                  base=f"/reviews/{access.review.id}/prisma")


@router.get("/reviews/{review_id}/prisma/scoping-checklist.md")
def scoping_checklist_file(session: SessionDep, access: ViewerAccess):
    text = prisma_scr.as_markdown(prisma_scr.scoping_checklist(session, access))
    return download(session, access, "checklist", text.encode(), "text/markdown; charset=utf-8",
                    "prisma-scr-checklist.md")


@router.get("/reviews/{review_id}/prisma/boxes/{key}")
def prisma_box(request: Request, session: SessionDep, access: ViewerAccess, key: str, as_of: str | None = None,
               previous: str | None = None):
    report = prisma_report.prisma_report(session, access, **_dates(as_of, previous))
    listing = prisma_report.box_listing(session, report, key)
    return render(request, "reports/prisma_box.html", access=access, listing=listing,
                  limit=prisma_report.BOX_LIST_LIMIT, back=f"/reviews/{access.review.id}/prisma{_query(as_of, previous)}")


@router.post("/reviews/{review_id}/prisma/labels")
async def prisma_label(request: Request, session: SessionDep, access: LeadAccess):
    form = await request.form()
    prisma.set_label(session, access, str(form.get("kind", "")), str(form.get("original", "")),
                     str(form.get("label", "")))
    return RedirectResponse(f"/reviews/{access.review.id}/prisma#wording-heading", status_code=303)
