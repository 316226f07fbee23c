"""The review's recent activity, written for people from the audit log: who did what to which
record or import, repeats grouped ("Ann screened 5 records"), and blind mode kept: of a
colleague's screening a member learns how much, never which records or how."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from screening.models import ImportBatch
from screening.review.access import ReviewAccess
from screening.review.audit import events_for_review
from screening.review.audit_log import ACTIONS, action_in_words
from screening.review.models import AuditEvent, User

SCREENING = {"decision.create", "decision.change"}  # a screener's verdicts: counted, never shown one by one
# an extractor's drafts save every few seconds: one line for a run of them
GROUPED = SCREENING | {"decision.undo", "duplicate.decide", "record.merge.auto", "record.merge.manual", "coding.save"}
UNSAID = {"dedup.run"}  # the import's own line gives the same figures


@dataclass(frozen=True)
class ActivityLine:
    at: datetime  # the latest event of the line
    text: str


def recent_activity(session: Session, access: ReviewAccess, limit: int = 10, scanned: int = 300) -> list[ActivityLine]:
    events = [event for event in events_for_review(session, access.review.id, limit=scanned)
              if event.action not in UNSAID]
    people = {event.actor_id for event in events} | {
        int(event.object_id) for event in events if event.object_type == "user" and event.object_id.isdigit()}
    names = {user.id: user.name for user in session.exec(select(User).where(User.id.in_(people - {None})))}
    batches = {int(event.object_id) for event in events if event.object_type == "import_batch"}
    sources = {str(batch_id): source for batch_id, source in session.exec(
        select(ImportBatch.id, ImportBatch.source_name).where(ImportBatch.id.in_(batches)))}
    return describe(events, viewer_id=access.user_id, names=names, sources=sources)[:limit]


def describe(events: Sequence[AuditEvent], *, viewer_id: int, names: Mapping[int, str],
             sources: Mapping[str, str] | None = None) -> list[ActivityLine]:
    """Lines for events given newest first. A run of events of one kind that repeats (people
    screening, duplicates decided) becomes one line per person counting the distinct objects,
    however their events interleave. ``names`` are people's by user id, ``sources`` the
    import batches' by batch id."""
    sources = sources or {}
    lines: list[ActivityLine] = []
    run: list[AuditEvent] = []
    for event in [*events, None]:
        if run and event is not None and event.action in GROUPED and _kind(event) == _kind(run[0]):
            run.append(event)
            continue
        by_person: dict[int | None, list[AuditEvent]] = {}
        for each in run:
            by_person.setdefault(each.actor_id, []).append(each)
        lines += [_line(group, viewer_id, names, sources) for group in by_person.values()]
        run = [event] if event is not None else []
    return lines


def _kind(event: AuditEvent) -> tuple:
    action = "decision" if event.action in SCREENING else event.action
    return action, event.detail.get("stage")


def _plural(count: int | Sequence, word: str) -> str:
    # Every line's text is built for every event, so a detail named alike in another event
    # (a study link's ``records`` is a list of ids) must not break the page.
    count = count if isinstance(count, int) else len(count)
    return f"{count:,} {word}{'' if count == 1 else 's'}"


def _line(run: list[AuditEvent], viewer_id: int, names: Mapping[int, str], sources: Mapping[str, str]) -> ActivityLine:
    event = run[0]
    who = "You" if event.actor_id == viewer_id else names.get(event.actor_id, "Winnow")
    detail, action = event.detail, event.action
    stage = {"title_abstract": " at title and abstract", "full_text": " at full text"}.get(detail.get("stage"), "")
    count = len({e.object_id for e in run})
    batch = sources.get(event.object_id, f"import {event.object_id}") if event.object_type == "import_batch" else ""
    named = names.get(int(event.object_id)) if event.object_type == "user" and event.object_id.isdigit() else None
    texts = {
        "decision.create": f"{who} screened {_plural(count, 'record')}{stage}",
        "decision.change": f"{who} screened {_plural(count, 'record')}{stage}",
        "decision.undo": f"{who} withdrew {_plural(count, 'decision')}{stage}",
        "resolution.conflict": f"{who} resolved the conflict on record {event.object_id}{stage}",
        "resolution.override": f"{who} set the outcome of record {event.object_id}{stage}",
        "review.create": f"{who} created the review",
        "review.update": f"{who} edited the review's description",
        "review.screening_settings": f"{who} changed the screening settings",
        "member.add": f"{who} added {named or detail.get('email', 'a member')} as {detail.get('role', 'member')}",
        "member.role": f"{who} made {named or detail.get('email', 'a member')} {detail.get('role', 'member')}",
        "member.remove": f"{who} removed {named or 'a member'} from the review",
        "import.upload": f"{who} uploaded {detail.get('filename', 'a file')} ({detail.get('source', 'no source')})",
        "import.complete": f"{batch[:1].upper()}{batch[1:]} imported: {_plural(detail.get('records', 0), 'record')}, "
                           f"{detail.get('merged_automatically', 0):,} merged as duplicates, "
                           f"{_plural(detail.get('candidates', 0), 'possible duplicate')} for a person",
        "import.skip_empty": f"{who} left out {_plural(detail.get('records', 0), 'record')} with no title or abstract "
                             f"from the {batch} import",
        "import.cancel": f"{who} cancelled the {batch} import",
        "duplicate.decide": f"{who} decided {_plural(count, 'possible duplicate')}",
        "record.merge.auto": f"{_plural(count, 'record')} merged automatically as duplicates",
        "record.merge.manual": f"{who} merged {_plural(count, 'duplicate record')}",
        "record.unmerge": f"{who} unmerged record {event.object_id}",
        "exclusion_reason.add": f"{who} added the exclusion reason “{event.object_id}”",
        "exclusion_reason.retire": f"{who} retired an exclusion reason",
        "fulltext.attach": f"{who} attached the full text of record {event.object_id}",
        "fulltext.not_retrieved": f"{who} marked the report of record {event.object_id} not retrieved",
        "stopping.start": f"{who} started a stopping check: {_plural(detail.get('sample_size', 0), 'record')} sampled",
        "stopping.record": f"{who} recorded the stopping check's result",
    }
    if action.startswith("export."):
        return ActivityLine(at=event.at, text=f"{who} {action_in_words(action)} ({detail.get('format', 'a file')})")
    said = f"{who} {action_in_words(action)}" if action in ACTIONS else f"{who}: {action_in_words(action)}"
    text = texts.get(action) or said
    return ActivityLine(at=event.at, text=text)
