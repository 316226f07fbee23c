"""The PRISMA report as the page, the API and the CLI all ask for it: the counts in the lead's
wording, their arithmetic checked, one file in one format, and the records behind a box."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timezone

import sqlalchemy as sa
from sqlmodel import Session

from extraction.models import Study
from extraction.reports import prisma, prisma_csv, prisma_diagram
from extraction.reports.prisma import Check, PrismaCounts
from screening.models import ImportBatch, Record
from screening.review.access import ReviewAccess
from screening.review.errors import InvalidInput, NotFound

FORMATS = {"svg": "image/svg+xml", "png": "image/png", "pdf": "application/pdf", "csv": "text/csv; charset=utf-8"}
BOX_LIST_LIMIT = 500


@dataclass(frozen=True)
class PrismaReport:
    counts: PrismaCounts  # names in the lead's wording
    checks: list[Check]
    title: str

    @property
    def failing(self) -> list[Check]:
        return [check for check in self.checks if not check.holds]

    @property
    def as_of_text(self) -> str:
        when = self.counts.as_of.date().isoformat() if self.counts.as_of else datetime.now(timezone.utc).date().isoformat()
        text = f"Counts drawn by Winnow from the review's data as of {when}."
        if self.counts.previous_until:
            text += f" Previous version: studies included by {self.counts.previous_until.date().isoformat()}."
        return text


@dataclass(frozen=True)
class Exported:
    data: bytes
    media_type: str
    filename: str
    changed_names: list[tuple[str, str]]  # CSV only: names whose , or ; were replaced


@dataclass(frozen=True)
class BoxListing:
    key: str
    unit: str  # records, reports or studies
    n: int
    rows: list[dict]  # the first BOX_LIST_LIMIT, each with id and a label
    ids: tuple[int, ...]


def parse_day(value: str | None, field: str) -> datetime | None:
    """"2024-05-31" as the end of that day (UTC): the data as they stood that evening."""
    if value is None or not value.strip():
        return None
    try:
        day = date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput(f"“{value}” is not a date: use the form 2024-05-31.", field=field) from None
    return datetime.combine(day, time.max, tzinfo=timezone.utc)


def prisma_report(session: Session, access: ReviewAccess, *, as_of: datetime | None = None,
                  previous_until: datetime | None = None) -> PrismaReport:
    """Every member may see the diagram: its counts are team totals of settled records, the
    same whatever a colleague has decided of a record still open (blind mode's rule)."""
    counts = prisma.prisma_counts(session, access.review, as_of=as_of, previous_until=previous_until)
    checks = prisma.check_arithmetic(counts.numbers, counts.open)
    worded = prisma.worded(counts, prisma.labels(session, access.review.id))
    return PrismaReport(worded, checks, access.review.title)


def export(report: PrismaReport, file_format: str) -> Exported:
    if file_format not in FORMATS:
        raise InvalidInput(f"The diagram comes as {', '.join(FORMATS)}, not {file_format!r}.", field="format")
    filename = f"prisma-review-{report.counts.review_id}.{file_format}"
    if file_format == "csv":
        written = prisma_csv.write_csv(report.counts)
        return Exported(written.text.encode("utf-8"), FORMATS["csv"], filename, written.changed)
    svg = prisma_diagram.render_svg(report.counts, title=report.title, as_of_text=report.as_of_text)
    data = {"svg": lambda: svg.encode("utf-8"), "png": lambda: prisma_diagram.svg_to_png(svg),
            "pdf": lambda: prisma_diagram.svg_to_pdf(svg)}[file_format]()
    return Exported(data, FORMATS[file_format], filename, [])


def box_listing(session: Session, report: PrismaReport, key: str) -> BoxListing:
    """What a box counts (or the open records a failing check names): ids, and the first few
    with their titles or study labels, for the page's links."""
    counts = report.counts
    if key in counts.boxes:
        box = counts.boxes[key]
        ids, unit = box.ids, box.unit
        n = box.n
    elif key in counts.open:
        ids, unit = counts.open[key], "records"
        n = len(ids)
    else:
        raise NotFound(f"No box {key!r} in the PRISMA diagram.")
    shown = list(ids[:BOX_LIST_LIMIT])
    if unit == "studies":
        rows = [{"id": study_id, "label": label} for study_id, label in session.connection().execute(
            sa.select(Study.id, Study.label).where(Study.id.in_(shown), Study.review_id == counts.review_id)
            .order_by(Study.id))]
    else:
        rows = [{"id": record_id, "label": title or f"Record {record_id}", "year": year, "source": source}
                for record_id, title, year, source in session.connection().execute(
                    sa.select(Record.id, Record.title, Record.year, ImportBatch.source_name)
                    .join(ImportBatch, ImportBatch.id == Record.batch_id)
                    .where(Record.id.in_(shown), Record.review_id == counts.review_id).order_by(Record.id))]
    return BoxListing(key, unit, n, rows, ids)
