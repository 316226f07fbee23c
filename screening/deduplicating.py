"""Deduplication inside a review: automatic merges, pairs for a lead to decide,
reversible merges, every step in the audit log.

A merge never edits a record: the duplicate points at the record kept for its
group (``Record.duplicate_of_id``), so unmerging restores both exactly. Pairs a
person called *different* are never proposed or merged again.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session, or_, select

from screening.review.audit import record_event, record_events
from screening.review.bulk import insert_rows
from screening.citation import Citation
from screening.dedup import DuplicatePair as FoundPair
from screening.dedup import choose_kept_record, find_duplicates, group_duplicates, pairs_for_review
from screening.review.errors import InvalidInput, NotFound
from screening.models import DuplicatePair, MergeKind, PairStatus, Record
from screening.review.models import Role, utcnow
from screening.records import kept_citations, merged_citations
from screening.review.access import ReviewAccess

SETTLED = (PairStatus.different, PairStatus.unmerged)


@dataclass(frozen=True)
class DedupOutcome:
    auto_merged: int
    candidates: int


def deduplicate_review(session: Session, review_id: int, *, actor_id: int | None) -> DedupOutcome:
    """Compare the review's kept records, merge the sure pairs and store the uncertain ones
    for a lead. Does not commit."""
    kept, citations = kept_citations(session, review_id)
    return merge_duplicates(session, review_id, kept, citations, find_duplicates(citations), actor_id=actor_id)


def merge_duplicates(
    session: Session, review_id: int, kept: Sequence[int], citations: Sequence[Citation],
    found: Sequence[FoundPair], *, actor_id: int | None,
) -> DedupOutcome:
    """Act on ``find_duplicates(citations)``, the citations of the kept records whose ids are
    ``kept``: merge the sure pairs and store the uncertain ones for a lead, except pairs a person
    has settled. Does not commit: the import commits it together with the batch's completion."""
    known = {(pair.first_id, pair.second_id): pair for pair in session.exec(
        select(DuplicatePair).where(DuplicatePair.review_id == review_id))}
    found = [
        pair for pair in found
        if _key(kept[pair.left], kept[pair.right]) not in known
        or known[_key(kept[pair.left], kept[pair.right])].status not in SETTLED
    ]
    groups = group_duplicates(len(kept), found)
    merges = {}
    for group in groups:
        keeper = group[choose_kept_record([citations[i] for i in group])]
        merges |= {kept[index]: kept[keeper] for index in group if index != keeper}
    _merge(session, review_id, merges, MergeKind.auto, actor_id)
    merged = len(merges)
    in_group = {index: group[0] for group in groups for index in group}
    new_pairs: dict[tuple[int, int], dict] = {}
    for pair in found:
        if pair.left in in_group and in_group[pair.left] == in_group.get(pair.right):
            _store_pair(session, known, new_pairs, review_id, kept[pair.left], kept[pair.right], pair,
                        PairStatus.auto_merged)
    waiting = 0
    for pair in pairs_for_review(len(kept), found):
        if _store_pair(session, known, new_pairs, review_id, kept[pair.left], kept[pair.right], pair,
                       PairStatus.candidate):
            waiting += 1
    insert_rows(session.connection(), DuplicatePair.__table__, list(new_pairs.values()))
    if merged or waiting:
        record_event(session, actor_id=actor_id, action="dedup.run", object_type="review", object_id=review_id,
                     review_id=review_id, merged_automatically=merged, candidates=waiting)
    session.flush()
    return DedupOutcome(auto_merged=merged, candidates=waiting)


def _key(first: int, second: int) -> tuple[int, int]:
    return (first, second) if first < second else (second, first)


def _store_pair(session, known, new_pairs, review_id, first_id, second_id, found, status) -> bool:
    """Note a pair not stored before in ``new_pairs`` (True), or promote a stored candidate that
    has now merged automatically."""
    key = _key(first_id, second_id)
    if key in new_pairs:
        return False
    if key in known:
        if known[key].status == PairStatus.candidate and status == PairStatus.auto_merged:
            known[key].status = status
            session.add(known[key])
        return False
    new_pairs[key] = {"review_id": review_id, "first_id": key[0], "second_id": key[1],
                      "score": round(found.score, 4), "reasons": list(found.reasons), "status": status}
    return True


def _merge(session: Session, review_id: int, merges: dict[int, int], kind: MergeKind, actor_id: int | None) -> None:
    """Point each duplicate (key) at the record kept for it (value), in a few bulk
    statements by primary key: one UPDATE per merge, with the ORM checking every
    loaded record, made a large import quadratic."""
    if not merges:
        return
    connection = session.connection()
    # Records already merged into a record now merged away follow it, so every pointer names a kept record.
    existing = connection.execute(
        sa.select(Record.id, Record.duplicate_of_id)
        .where(Record.review_id == review_id, Record.duplicate_of_id.is_not(None))
    ).all()
    followers = [{"record": record, "kept": merges[old_kept]} for record, old_kept in existing if old_kept in merges]
    table = Record.__table__
    repoint = sa.update(table).where(table.c.id == sa.bindparam("record")).values(duplicate_of_id=sa.bindparam("kept"))
    # One UPDATE per merged record, not one per column: on PostgreSQL each rewrites the row and its indexes.
    connection.execute(repoint.values(merge_kind=kind.value),
                       [{"record": duplicate, "kept": kept} for duplicate, kept in merges.items()])
    if followers:
        connection.execute(repoint, followers)
    session.expire_all()
    record_events(session, actor_id=actor_id, action=f"record.merge.{kind.value}", object_type="record",
                  review_id=review_id, details={duplicate: {"kept": kept} for duplicate, kept in merges.items()})


def kept_record_of(session: Session, record: Record) -> Record:
    return session.get(Record, record.duplicate_of_id) if record.duplicate_of_id else record


@dataclass(frozen=True)
class FieldComparison:
    name: str
    first: str
    second: str
    differs: bool
    first_marked: list[tuple[str, bool]]  # (word, differs) for highlighting
    second_marked: list[tuple[str, bool]]


@dataclass(frozen=True)
class CandidateView:
    pair: DuplicatePair
    first: Record
    second: Record
    fields: list[FieldComparison]


COMPARED_FIELDS = ("title", "authors", "year", "journal", "volume", "issue", "pages", "doi", "pmid", "abstract")


def candidate_pairs(session: Session, review_id: int, limit: int = 50) -> list[CandidateView]:
    """Pairs waiting for a lead, each side shown as its group's merged record."""
    pairs = list(session.exec(
        select(DuplicatePair)
        .where(DuplicatePair.review_id == review_id, DuplicatePair.status == PairStatus.candidate)
        .order_by(DuplicatePair.score.desc(), DuplicatePair.id)
    ))
    views = []
    for pair in pairs:
        first = kept_record_of(session, session.get(Record, pair.first_id))
        second = kept_record_of(session, session.get(Record, pair.second_id))
        if first.id == second.id:
            continue  # merged since, through other pairs
        cited_first, cited_second = merged_citations(session, [first, second])
        views.append(CandidateView(pair, first, second, compare_fields(cited_first, cited_second)))
        if len(views) == limit:
            break
    return views


def count_candidates(session: Session, review_id: int) -> int:
    return session.exec(
        select(sa.func.count()).select_from(DuplicatePair)
        .where(DuplicatePair.review_id == review_id, DuplicatePair.status == PairStatus.candidate)
    ).one()


def compare_fields(first: Citation, second: Citation) -> list[FieldComparison]:
    comparisons = []
    for name in COMPARED_FIELDS:
        a, b = _shown(getattr(first, name)), _shown(getattr(second, name))
        marked_a, marked_b = _mark_differences(a, b)
        comparisons.append(FieldComparison(name, a, b, a.casefold() != b.casefold(), marked_a, marked_b))
    return comparisons


def _shown(value) -> str:
    if isinstance(value, list):
        return "; ".join(value)
    return "" if value is None else str(value)


def _mark_differences(a: str, b: str) -> tuple[list[tuple[str, bool]], list[tuple[str, bool]]]:
    words_a, words_b = a.split(), b.split()
    matcher = difflib.SequenceMatcher(a=[w.casefold() for w in words_a], b=[w.casefold() for w in words_b],
                                      autojunk=False)
    same_a, same_b = set(), set()
    for block in matcher.get_matching_blocks():
        same_a.update(range(block.a, block.a + block.size))
        same_b.update(range(block.b, block.b + block.size))
    return ([(w, i not in same_a) for i, w in enumerate(words_a)],
            [(w, i not in same_b) for i, w in enumerate(words_b)])


def decide_pair(session: Session, access: ReviewAccess, pair_id: int, same_report: bool) -> DuplicatePair:
    """A lead's verdict on a candidate pair: one report (merge) or distinct (never proposed again)."""
    access.require(Role.lead)
    pair = _pair_in_review(session, access.review.id, pair_id)
    if pair.status != PairStatus.candidate:
        raise InvalidInput(f"This pair was already decided ({pair.status.value.replace('_', ' ')}).")
    first = kept_record_of(session, session.get(Record, pair.first_id))
    second = kept_record_of(session, session.get(Record, pair.second_id))
    if same_report and first.id != second.id:
        both = merged_citations(session, [first, second])
        keeper, other = (first, second) if choose_kept_record(both) == 0 else (second, first)
        _merge(session, access.review.id, {other.id: keeper.id}, MergeKind.manual, access.user_id)
    pair.status = PairStatus.same if same_report else PairStatus.different
    pair.decided_by_id, pair.decided_at = access.user_id, utcnow()
    session.add(pair)
    record_event(session, actor_id=access.user_id, action="duplicate.decide", object_type="duplicate_pair",
                 object_id=pair.id, review_id=access.review.id, same_report=same_report)
    session.commit()
    session.refresh(pair)
    return pair


def unmerge_record(session: Session, access: ReviewAccess, record_id: int) -> Record:
    """Take a record out of its group; it is screened on its own again, as imported."""
    access.require(Role.lead)
    record = session.get(Record, record_id)
    if record is None or record.review_id != access.review.id:
        raise NotFound(f"No record {record_id} in this review.")
    if record.duplicate_of_id is None:
        raise InvalidInput(f"Record {record_id} is not merged into another record.")
    kept_id = record.duplicate_of_id
    for pair in session.exec(select(DuplicatePair).where(
        DuplicatePair.review_id == access.review.id,
        or_(DuplicatePair.first_id == record_id, DuplicatePair.second_id == record_id),
        DuplicatePair.status.in_([PairStatus.auto_merged, PairStatus.same]),
    )):
        pair.status = PairStatus.unmerged
        pair.decided_by_id, pair.decided_at = access.user_id, utcnow()
        session.add(pair)
    record.duplicate_of_id, record.merge_kind = None, None
    session.add(record)
    record_event(session, actor_id=access.user_id, action="record.unmerge", object_type="record",
                 object_id=record_id, review_id=access.review.id, was_kept_by=kept_id)
    session.commit()
    session.refresh(record)
    return record


@dataclass(frozen=True)
class MergedGroup:
    kept: Record
    duplicates: list[Record]


def merged_groups(session: Session, review_id: int, limit: int = 100) -> list[MergedGroup]:
    duplicates = list(session.exec(
        select(Record).where(Record.review_id == review_id, Record.duplicate_of_id.is_not(None))
        .order_by(Record.duplicate_of_id, Record.id)
    ))
    groups: dict[int, list[Record]] = {}
    for record in duplicates:
        groups.setdefault(record.duplicate_of_id, []).append(record)
    kept_ids = list(groups)[:limit]
    kept = {record.id: record for record in session.exec(select(Record).where(Record.id.in_(kept_ids)))}
    return [MergedGroup(kept[kept_id], groups[kept_id]) for kept_id in kept_ids]


def _pair_in_review(session: Session, review_id: int, pair_id: int) -> DuplicatePair:
    pair = session.get(DuplicatePair, pair_id)
    if pair is None or pair.review_id != review_id:
        raise NotFound(f"No possible duplicate {pair_id} in this review.")
    return pair
