"""The lead removes records before screening, each with a reason ("published before 1990"):
PRISMA 2020's "records removed for other reasons". A removed record leaves the screening
queue, the record list and the stopping check (``stages.kept_in_review``); a restore puts it
back. Both are logged; the removal's row stays, so the diagram can be drawn as of any date.

Only records nobody has screened yet can be removed: one already decided at title and
abstract is excluded there instead, so that each record is counted in one PRISMA box."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session, func, select

from screening.decisions.stages import kept_in_review
from screening.models import Decision, Record, RecordRemoval, Resolution, Stage
from screening.review.access import ReviewAccess
from screening.review.audit import record_event, record_events
from screening.review.bulk import insert_rows
from screening.review.errors import InvalidInput
from screening.review.models import Role, utcnow
from screening.stopping.checks import active_check

MAX_REASON = 200


@dataclass(frozen=True)
class Removed:
    removed: int  # records removed now
    skipped_screened: int  # matched, but already screened: left in screening


@dataclass(frozen=True)
class RemovalReason:
    reason: str
    records: int


def _clean_reason(reason: str) -> str:
    reason = " ".join(reason.split())
    if not reason or len(reason) > MAX_REASON:
        raise InvalidInput(f"Give the reason for removing the records (1 to {MAX_REASON} characters), "
                           "e.g. “published before 1990”.", field="reason")
    return reason


def _screened(session: Session, review_id: int) -> set[int]:
    """Records with a verdict or a resolution at title and abstract."""
    decided = select(Decision.record_id).where(Decision.review_id == review_id, Decision.stage == Stage.title_abstract)
    resolved = select(Resolution.record_id).where(Resolution.review_id == review_id,
                                                  Resolution.stage == Stage.title_abstract)
    return set(session.exec(decided)) | set(session.exec(resolved))


def remove_records(session: Session, access: ReviewAccess, reason: str, *, record_ids: list[int] | None = None,
                   published_before: int | None = None) -> Removed:
    """Remove the named records, or every unscreened record published before a year (records
    with no year are kept: nothing says they are old). Named records must all be unscreened;
    a year's records already screened are left where they are, and counted in the answer."""
    access.require(Role.lead)
    reason = _clean_reason(reason)
    review = access.review
    if (record_ids is None) == (published_before is None):
        raise InvalidInput("Name the records to remove, or a year: records published before it are removed.",
                           field="record_ids")
    candidates = kept_in_review(review.id)
    if record_ids is not None:
        wanted = set(record_ids)
        if not wanted:
            raise InvalidInput("Name at least one record to remove.", field="record_ids")
        candidates = candidates.where(Record.id.in_(wanted))
    else:
        if not 1000 <= published_before <= 2200:
            raise InvalidInput(f"{published_before} is not a year of publication: give one such as 1990.",
                               field="published_before")
        candidates = candidates.where(Record.year.is_not(None), Record.year < published_before)
    found = set(session.exec(candidates))
    screened = found & _screened(session, review.id)
    check = active_check(session, review.id)
    sampled = found & set(check.sample) if check else set()
    if record_ids is not None:
        problems = []
        if missing := sorted(wanted - found):
            problems.append(f"not in screening (a duplicate, already removed, or not in this review): "
                            f"{', '.join(map(str, missing[:20]))}")
        if screened:
            problems.append(f"already screened at title and abstract (exclude them there instead): "
                            f"{', '.join(map(str, sorted(screened)[:20]))}")
        if sampled - screened:
            problems.append(f"in the stopping check's sample: {', '.join(map(str, sorted(sampled - screened)[:20]))}")
        if problems:
            raise InvalidInput("Nothing was removed. Records " + "; records ".join(problems) + ".",
                               field="record_ids")
    chosen = sorted(found - screened - sampled)
    now = utcnow()
    insert_rows(session.connection(), RecordRemoval.__table__, [
        {"review_id": review.id, "record_id": record_id, "reason": reason, "removed_by_id": access.user_id,
         "removed_at": now, "restored_by_id": None, "restored_at": None} for record_id in chosen])
    record_events(session, actor_id=access.user_id, action="record.remove", object_type="record",
                  review_id=review.id, details={record_id: {"reason": reason} for record_id in chosen})
    record_event(session, actor_id=access.user_id, action="records.remove", object_type="review",
                 object_id=review.id, review_id=review.id, reason=reason, records=len(chosen),
                 published_before=published_before, skipped_screened=len(screened | sampled))
    session.commit()
    return Removed(len(chosen), len(screened | sampled))


def restore_records(session: Session, access: ReviewAccess, reason: str, *,
                    record_ids: list[int] | None = None) -> int:
    """Undo the removals given for a reason (all of them, or those of the named records);
    the records go back to screening. Returns how many came back."""
    access.require(Role.lead)
    query = select(RecordRemoval).where(RecordRemoval.review_id == access.review.id,
                                        RecordRemoval.reason == " ".join(reason.split()),
                                        RecordRemoval.restored_at.is_(None))
    if record_ids is not None:
        query = query.where(RecordRemoval.record_id.in_(record_ids))
    removals = list(session.exec(query))
    if not removals:
        raise InvalidInput(f"No records are removed for the reason “{reason}”.", field="reason")
    now = utcnow()
    session.connection().execute(sa.update(RecordRemoval).where(
        RecordRemoval.id.in_([removal.id for removal in removals])).values(restored_at=now, restored_by_id=access.user_id))
    record_events(session, actor_id=access.user_id, action="record.restore", object_type="record",
                  review_id=access.review.id, details={removal.record_id: {"reason": removal.reason}
                                                       for removal in removals})
    session.commit()
    return len(removals)


def removal_reasons(session: Session, review_id: int) -> list[RemovalReason]:
    """The reasons records are removed for now, with how many each, most first."""
    rows = session.exec(select(RecordRemoval.reason, func.count()).where(
        RecordRemoval.review_id == review_id, RecordRemoval.restored_at.is_(None))
        .group_by(RecordRemoval.reason).order_by(func.count().desc(), RecordRemoval.reason)).all()
    return [RemovalReason(reason, count) for reason, count in rows]


def parse_record_ids(text: str) -> list[int]:
    """"12, 15 17": record ids as a form gives them."""
    parts = text.replace(",", " ").replace(";", " ").split()
    bad = [part for part in parts if not part.isdigit()]
    if bad:
        raise InvalidInput(f"Record ids are whole numbers separated by commas or spaces; “{bad[0]}” is not one.",
                           field="record_ids")
    return [int(part) for part in parts]
