"""The review's audit log as its lead reads it: every event, newest first, a page at a time or
whole as CSV, filtered by person, kind and date. Blind mode holds here too: a lead who also
screens does not learn a colleague's verdict on a record still open to the lead."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select

from screening.decisions.stages import statuses
from screening.decisions.visibility import sees_verdicts
from screening.exporters import neutralise_formula
from screening.models import Stage
from screening.review.access import ReviewAccess
from screening.review.errors import InvalidInput
from screening.review.models import AuditEvent, Role, User

PAGE_SIZE = 100
OTHER = "other"
# The action families the lead filters by, each the prefixes of its actions ("decision." is
# decision.create, .change and .undo). An action no prefix names is "other".
KINDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "decisions": ("Screening decisions", ("decision.",)),
    "resolutions": ("Resolutions by the lead", ("resolution.",)),
    "duplicates": ("Duplicates and merges", ("duplicate.", "record.merge.", "record.unmerge", "dedup.")),
    "imports": ("Imports, removals and restores", ("import.", "record.remove", "records.remove", "record.restore")),
    "full_texts": ("Full texts", ("fulltext.",)),
    "stopping": ("Stopping checks", ("stopping.",)),
    "forms": ("Extraction forms", ("form.",)),
    "studies": ("Studies (links and splits)", ("study.",)),
    "codings": ("Codings", ("coding.",)),
    "consensus": ("Consensus", ("consensus.",)),
    "exports": ("Exports and downloads", ("export.",)),
    "settings": ("Review, members and settings", ("review.", "member.", "exclusion_reason.", "prisma.")),
}
EXPORTS = {
    "records": "the records", "extraction": "the extraction workbook", "codings": "every reviewer's raw codings",
    "extraction_table": "an extraction table", "prisma": "the PRISMA diagram", "checklist": "the PRISMA-ScR checklist",
    "typology": "the typology table", "gap_map": "the evidence gap map", "timeline": "the studies-by-year chart",
    "appraisal": "the appraisal chart", "backup": "a backup of the whole review", "audit": "the audit log",
}
ACTIONS = {
    "decision.create": "screened", "decision.change": "changed their verdict", "decision.undo": "withdrew their verdict",
    "resolution.conflict": "resolved a conflict", "resolution.override": "set the outcome (override)",
    "duplicate.decide": "decided a possible duplicate", "record.merge.auto": "merged automatically as a duplicate",
    "record.merge.manual": "merged as a duplicate", "record.unmerge": "unmerged", "dedup.run": "deduplicated",
    "import.upload": "uploaded a search export", "import.complete": "import finished",
    "import.skip_empty": "left out records with no title or abstract", "import.cancel": "cancelled an import",
    "import.identification": "set how the records were identified", "record.remove": "removed from the review",
    "records.remove": "removed records from the review", "record.restore": "restored to the review",
    "fulltext.attach": "attached a full text", "fulltext.not_retrieved": "marked a report not retrieved",
    "stopping.start": "started a stopping check", "stopping.record": "recorded a stopping check's result",
    "form.create": "created a form", "form.change": "changed a form", "study.rename": "renamed a study",
    "study.link": "linked reports as one study", "study.split": "split a study", "coding.start": "started a coding",
    "coding.save": "saved coded values", "coding.submit": "submitted a coding", "coding.reopen": "reopened a coding",
    "consensus.save": "saved consensus values", "consensus.finish": "finished a consensus",
    "consensus.reopen": "reopened a consensus", "exclusion_reason.add": "added an exclusion reason",
    "exclusion_reason.retire": "retired an exclusion reason", "review.create": "created the review",
    "review.update": "edited the review", "review.screening_settings": "changed the screening settings",
    "member.add": "added a member", "member.role": "changed a member's role", "member.remove": "removed a member",
    "prisma.label": "reworded a name in the PRISMA diagram",
}
# The events that carry a screener's verdict, which blind mode may hide.
VERDICTS = {"decision.create", "decision.change", "decision.undo"}
CSV_COLUMNS = ["id", "at_utc", "actor_id", "who", "kind", "action", "what", "object_type", "object_id", "detail"]


def kind_of(action: str) -> str:
    return next((kind for kind, (_, prefixes) in KINDS.items() if action.startswith(prefixes)), OTHER)


def action_in_words(action: str) -> str:
    if action.startswith("export."):
        return f"exported {EXPORTS.get(action[len('export.'):], action[len('export.'):])}"
    return ACTIONS.get(action) or action.replace(".", " ").replace("_", " ")


@dataclass(frozen=True)
class AuditFilters:
    person_id: int | None = None
    kind: str = ""
    since: date | None = None  # from this day on, in UTC
    until: date | None = None  # up to and including this day

    def as_query(self) -> dict[str, str]:
        """The filters as the page's query parameters, for its links (older, CSV)."""
        given = {"person": self.person_id or "", "kind": self.kind, "from": self.since or "", "to": self.until or ""}
        return {name: str(value) for name, value in given.items() if value}


def parse_filters(person: str = "", kind: str = "", since: str = "", until: str = "") -> AuditFilters:
    """The filters as typed in the page's form (or an API query): empty means any."""
    person, kind = person.strip(), kind.strip()
    if person and not person.isdigit():
        raise InvalidInput(f"Choose a person from the list (a member's number), not “{person[:40]}”.", field="person")
    if kind and kind not in KINDS and kind != OTHER:
        raise InvalidInput(f"There is no kind of change “{kind[:40]}”; choose one of {', '.join([*KINDS, OTHER])}.",
                           field="kind")
    first, last = _day(since, "from"), _day(until, "to")
    if first and last and last < first:
        raise InvalidInput(f"The date range ends ({last}) before it starts ({first}): swap the two dates.", field="to")
    return AuditFilters(person_id=int(person) if person else None, kind=kind, since=first, until=last)


def _day(text: str, name: str) -> date | None:
    text = text.strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"The “{name}” date “{text[:40]}” is not a day: write it as YYYY-MM-DD, "
                           "e.g. 2026-12-01, or leave it empty.", field=name) from None


@dataclass(frozen=True)
class AuditRow:
    id: int
    at: datetime
    actor_id: int | None
    who: str
    kind: str
    action: str
    what: str
    object_type: str
    object_id: str
    detail: dict[str, Any]
    verdict_hidden: bool = False  # blind mode: a colleague's verdict on a record still open to the reader

    @property
    def detail_text(self) -> str:
        return ", ".join(f"{name}={_compact(value)}" for name, value in self.detail.items() if value not in (None, ""))


@dataclass(frozen=True)
class AuditPage:
    rows: list[AuditRow]
    filters: AuditFilters
    page: int
    has_older: bool
    people: list[tuple[int, str]] = field(default_factory=list)  # everyone the log names, for the filter

    @property
    def first_number(self) -> int:
        """The position in the filtered log of the page's first (newest) event, counting from 1."""
        return (self.page - 1) * PAGE_SIZE + 1

    @property
    def kinds(self) -> list[tuple[str, str]]:
        return [(kind, label) for kind, (label, _) in KINDS.items()] + [(OTHER, "Anything else")]


def audit_page(session: Session, access: ReviewAccess, filters: AuditFilters, page: int = 1) -> AuditPage:
    """One page of the log (newest first, PAGE_SIZE events), and whether older events follow."""
    access.require(Role.lead)
    if page < 1:
        raise InvalidInput(f"Pages are numbered from 1, not {page}.", field="page")
    query = _query(access.review.id, filters).offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1)
    events = list(session.exec(query))
    people = session.exec(
        select(User.id, User.name).where(User.id.in_(
            select(AuditEvent.actor_id).where(AuditEvent.review_id == access.review.id).distinct()))
        .order_by(User.name)).all()
    return AuditPage(rows=_rows(session, access, events[:PAGE_SIZE]), filters=filters, page=page,
                     has_older=len(events) > PAGE_SIZE, people=[(user_id, name) for user_id, name in people])


def audit_csv(session: Session, access: ReviewAccess, filters: AuditFilters) -> str:
    """Every event the filters select, newest first, as CSV (times in UTC, the detail as JSON)."""
    access.require(Role.lead)
    rows = _rows(session, access, list(session.exec(_query(access.review.id, filters))))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        cells = [row.id, row.at.isoformat(), row.actor_id or "", row.who, row.kind, row.action, row.what,
                 row.object_type, row.object_id, json.dumps(row.detail, ensure_ascii=False, sort_keys=True)]
        writer.writerow([neutralise_formula(cell) if isinstance(cell, str) else cell for cell in cells])
    return buffer.getvalue()


def _query(review_id: int, filters: AuditFilters):
    query = select(AuditEvent).where(AuditEvent.review_id == review_id)
    if filters.person_id is not None:
        query = query.where(AuditEvent.actor_id == filters.person_id)
    if filters.kind == OTHER:
        query = query.where(sa.not_(_any_prefix(prefix for _, prefixes in KINDS.values() for prefix in prefixes)))
    elif filters.kind:
        query = query.where(_any_prefix(KINDS[filters.kind][1]))
    if filters.since:
        query = query.where(AuditEvent.at >= datetime.combine(filters.since, time.min, tzinfo=UTC))
    if filters.until:
        query = query.where(AuditEvent.at < datetime.combine(filters.until + timedelta(days=1), time.min, tzinfo=UTC))
    return query.order_by(AuditEvent.id.desc())


def _any_prefix(prefixes: Iterable[str]):
    # startswith with autoescape: the "_" in "exclusion_reason." is a letter here, not LIKE's wildcard
    return sa.or_(*(AuditEvent.action.startswith(prefix, autoescape=True) for prefix in prefixes))


def _rows(session: Session, access: ReviewAccess, events: Sequence[AuditEvent]) -> list[AuditRow]:
    names = dict(session.exec(select(User.id, User.name).where(
        User.id.in_({event.actor_id for event in events} - {None}))).all())
    hidden = _hidden_verdicts(session, access, events)
    rows = []
    for event in events:
        secret = event.id in hidden
        detail = {"stage": event.detail.get("stage")} if secret else dict(event.detail)
        who = names.get(event.actor_id) or (f"Winnow ({event.detail['via']})" if event.detail.get("via") else "Winnow")
        rows.append(AuditRow(id=event.id, at=event.at, actor_id=event.actor_id, who=who, kind=kind_of(event.action),
                             action=event.action, what=action_in_words(event.action),
                             object_type=event.object_type, object_id=event.object_id, detail=detail,
                             verdict_hidden=secret))
    return rows


def _hidden_verdicts(session: Session, access: ReviewAccess, events: Sequence[AuditEvent]) -> set[int]:
    """The events (by id) whose verdict the reader may not see: a colleague's verdict on a record
    the reader does not see verdicts on (blind mode's one rule, ``sees_verdicts``)."""
    review = access.review
    candidates = [event for event in events if event.action in VERDICTS and event.actor_id != access.user_id]
    if not review.blind or not candidates:
        return set()
    visible: set[tuple[str, str]] = set()
    for stage in {event.detail.get("stage") for event in candidates} & {stage.value for stage in Stage}:
        visible |= {(stage, str(status.record_id)) for status in statuses(session, review, Stage(stage))
                    if sees_verdicts(review.blind, access.role, access.user_id, status)}
    # a record no stage lists any more (removed from the review) keeps its verdicts hidden too
    return {event.id for event in candidates if (event.detail.get("stage"), event.object_id) not in visible}


def _compact(value: Any) -> str:
    if isinstance(value, (dict, list)):
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=isinstance(value, dict))
        return text if len(text) <= 200 else f"{text[:199]}…"
    return str(value)
