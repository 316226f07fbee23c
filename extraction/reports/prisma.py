"""PRISMA 2020's flow diagram as counts read from the review's own data, never typed in, and
the arithmetic between its boxes checked.

Each box is keyed by its ``data`` name in the PRISMA2020 R package's input template (Haddaway
et al. 2022), so the diagram, the CSV and the JSON speak one vocabulary; the few counts the
template has no row for (what happened to records found by other methods before retrieval)
carry ``other_``-prefixed names of our own. Every box keeps the ids it counts: records for
the identification and screening boxes, records too for reports (a record included at title
and abstract is the report sought, as Winnow keeps one full text per record), studies for
"studies included".

PRISMA 2020's units: a *record* is a title or abstract of a report indexed in a database or
found another way; a *report* is a document (journal article, preprint, trial register entry,
dissertation) supplying information about a study; a *study* is an investigation, which may
have several reports.

Records found by other methods (websites, organisations, citation searching: batches so
marked) go through the same screening as the others, but the template's other-methods column
starts at "reports sought": those records' duplicates, removals and title/abstract exclusions
are counted under ``other_*`` names and shown in a note.

``as_of`` draws the diagram from the data as they stood at a moment: imports completed,
removals in force, verdicts and resolutions made, reports marked not retrieved and stopping
checks recorded by then (a verdict changed since counts with its present value; the audit
log holds the history). ``previous_until`` makes it an updated review's diagram: studies
included as of that moment are the previous version's, and the boxes count the records of
imports completed after it."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

import sqlalchemy as sa
from sqlmodel import Session, select

from extraction.models import PrismaLabel, StudyReport
from extraction.studies import sync_studies
from screening.decisions.outcomes import Outcome, outcome_of
from screening.decisions.stages import screeners_needed
from screening.models import (
    BatchStatus, Decision, ExclusionReason, FullText, IdentificationRoute, ImportBatch, MergeKind, Record,
    RecordRemoval, Resolution, Stage, StoppingCheck, Verdict,
)
from screening.review.access import ReviewAccess
from screening.review.audit import record_event
from screening.review.bulk import read_rows
from screening.review.errors import InvalidInput
from screening.review.models import Review, Role

NO_REASON = "No reason recorded"
LABEL_KINDS = ("source", "removal", "not_retrieved", "exclusion")
# The boxes whose counts split by name in the diagram and the CSV ("Name, n; Name, n"), with
# the kind of label the lead may reword for each part.
PART_KINDS = {
    "database_specific_results": "source", "register_specific_results": "source", "excluded_other": "removal",
    "dbr_notretrieved_reports": "not_retrieved", "other_notretrieved_reports": "not_retrieved",
    "dbr_excluded": "exclusion", "other_excluded": "exclusion",
    "website_specific_results": "source", "organisation_specific_results": "source",
    "citations_specific_results": "source",
}


@dataclass(frozen=True)
class Part:
    """One named part of a box: a database with its records, a reason with its reports."""

    name: str
    n: int
    ids: tuple[int, ...]


@dataclass(frozen=True)
class Box:
    key: str  # the PRISMA2020 template's data name (or an other_* name of ours)
    n: int
    ids: tuple[int, ...]  # what it counts: record ids, or study ids for the studies boxes
    unit: str  # "records", "reports" or "studies"
    parts: tuple[Part, ...] = ()


@dataclass(frozen=True)
class Automation:
    """The recorded stopping check behind "records marked as ineligible by automation tools"."""

    check_id: int
    recorded_at: datetime
    target_recall: float
    confidence: float
    p_value: float
    reject: bool
    n_unscreened: int
    sample_size: int
    relevant_in_sample: int

    @property
    def note(self) -> str:
        if not self.reject:
            return (f"The latest stopping check (p = {self.p_value:.3g}) did not support stopping at "
                    f"{self.target_recall:.0%} recall: no record is counted as marked ineligible by automation.")
        return (f"Records marked as ineligible by automation tools: records left unscreened after a stopping check "
                f"(Callaghan & Müller-Hansen 2020): a uniformly random sample of {self.sample_size:,} of the "
                f"{self.n_unscreened:,} records then unscreened, {self.relevant_in_sample} relevant, rejected "
                f"“recall below {self.target_recall:.0%}” with p = {self.p_value:.3g} "
                f"(confidence {self.confidence:.0%}), recorded {self.recorded_at:%Y-%m-%d}.")


@dataclass(frozen=True)
class PrismaCounts:
    review_id: int
    boxes: dict[str, Box]
    open: dict[str, tuple[int, ...]]  # records still open: the check names them where a sum fails
    automation: Automation | None
    other_methods: bool  # any batch marked as found by other methods
    as_of: datetime | None
    previous_until: datetime | None
    notes: tuple[str, ...] = ()

    def n(self, key: str) -> int:
        return self.boxes[key].n

    @property
    def numbers(self) -> dict[str, int]:
        return {key: box.n for key, box in self.boxes.items()}


class _Verdict(NamedTuple):
    """A screener's verdict, as ``outcome_of`` reads it."""

    reviewer_id: int
    verdict: Verdict
    reason_id: int | None


@dataclass
class _Column:
    """The running tallies of one PRISMA column (databases and registers, or other methods)."""

    duplicates: list[int] = field(default_factory=list)
    duplicates_auto: list[int] = field(default_factory=list)
    automation: list[int] = field(default_factory=list)
    removed: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    screened: list[int] = field(default_factory=list)
    excluded: list[int] = field(default_factory=list)
    sought: list[int] = field(default_factory=list)
    not_retrieved: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    assessed: list[int] = field(default_factory=list)
    reports_excluded: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    included: list[int] = field(default_factory=list)
    ta_undecided: list[int] = field(default_factory=list)
    ta_conflict: list[int] = field(default_factory=list)
    ft_undecided: list[int] = field(default_factory=list)
    ft_conflict: list[int] = field(default_factory=list)


def prisma_counts(session: Session, review: Review, *, as_of: datetime | None = None,
                  previous_until: datetime | None = None) -> PrismaCounts:
    """Every box of the review's PRISMA 2020 diagram, as of now or of ``as_of``."""
    if previous_until is not None and as_of is not None and previous_until >= as_of:
        raise InvalidInput("The previous version's date must come before the diagram's date.", field="previous_until")
    connection = session.connection()
    batch_query = sa.select(ImportBatch.id, ImportBatch.source_name, ImportBatch.identification,
                            ImportBatch.completed_at).where(ImportBatch.review_id == review.id,
                                                            ImportBatch.status == BatchStatus.complete)
    if as_of is not None:
        batch_query = batch_query.where(ImportBatch.completed_at <= as_of)
    if previous_until is not None:
        batch_query = batch_query.where(ImportBatch.completed_at > previous_until)
    batches = {row.id: row for row in connection.execute(batch_query)}

    # The review's records, read raw (merge_kind as its stored value): their batch decides
    # whether they count (a batch complete by as_of, and after previous_until).
    records = [row for row in read_rows(connection, sa.select(
        Record.id, Record.batch_id, Record.duplicate_of_id, Record.merge_kind)
        .where(Record.review_id == review.id).order_by(Record.id)) if row[1] in batches]

    removal_query = sa.select(RecordRemoval.record_id, RecordRemoval.reason).where(
        RecordRemoval.review_id == review.id)
    removal_query = removal_query.where(RecordRemoval.restored_at.is_(None)) if as_of is None else removal_query.where(
        RecordRemoval.removed_at <= as_of,
        sa.or_(RecordRemoval.restored_at.is_(None), RecordRemoval.restored_at > as_of))
    removed = dict(connection.execute(removal_query).all())

    # Per stage, keyed by record id: the loop below runs once per record of the review.
    decisions: dict[Stage, dict[int, list]] = {stage: defaultdict(list) for stage in Stage}
    decision_query = sa.select(Decision.record_id, Decision.stage, Decision.reviewer_id, Decision.verdict,
                               Decision.reason_id).where(Decision.review_id == review.id).order_by(Decision.id)
    if as_of is not None:
        decision_query = decision_query.where(Decision.decided_at <= as_of)
    stages, verdicts = {stage.value: stage for stage in Stage}, {verdict.value: verdict for verdict in Verdict}
    for record_id, stage, reviewer_id, verdict, reason_id in read_rows(connection, decision_query):
        decisions[stages[stage]][record_id].append(_Verdict(reviewer_id, verdicts[verdict], reason_id))
    resolution_query = sa.select(Resolution.record_id, Resolution.stage, Resolution.verdict,
                                 Resolution.reason_id).where(Resolution.review_id == review.id)
    if as_of is not None:
        resolution_query = resolution_query.where(Resolution.resolved_at <= as_of)
    resolutions: dict[Stage, dict[int, object]] = {stage: {} for stage in Stage}
    for row in connection.execute(resolution_query).all():
        resolutions[row.stage][row.record_id] = row
    not_retrieved_query = sa.select(FullText.record_id, FullText.not_retrieved_reason).where(
        FullText.review_id == review.id, FullText.not_retrieved_reason != "")
    if as_of is not None:
        not_retrieved_query = not_retrieved_query.where(FullText.updated_at <= as_of)
    not_retrieved = dict(connection.execute(not_retrieved_query).all())
    reason_labels = dict(connection.execute(sa.select(ExclusionReason.id, ExclusionReason.label).where(
        ExclusionReason.review_id == review.id)).all())

    check = _latest_check(session, review.id, as_of)
    automation = None if check is None else Automation(
        check.id, check.recorded_at, check.target_recall, check.confidence, check.p_value, bool(check.reject),
        check.n_unscreened, len(check.sample), check.relevant_in_sample or 0)
    stopped_at = check.started_at if check is not None and check.reject else None

    needed = screeners_needed(session, review)
    ta_needed = ft_needed = needed.ordinary  # the pilot records need everyone at title and abstract
    pilot, everyone = needed.pilot_ids, needed.everyone
    ta_decisions_of, ft_decisions_of = decisions[Stage.title_abstract], decisions[Stage.full_text]
    ta_resolution_of, ft_resolution_of = resolutions[Stage.title_abstract], resolutions[Stage.full_text]
    title_abstract, full_text, pending, conflict, moves_on = (
        Stage.title_abstract, Stage.full_text, Outcome.pending, Outcome.conflict, Outcome.moves_on)
    dbr, other = _Column(), _Column()
    identified: dict[IdentificationRoute, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    found_in = {batch_id: identified[batch.identification][batch.source_name] for batch_id, batch in batches.items()}
    column_of = {batch_id: other if batch.identification.other_methods else dbr for batch_id, batch in batches.items()}
    before_stop = {batch_id: stopped_at is not None and batch.completed_at <= stopped_at
                   for batch_id, batch in batches.items()}
    auto = MergeKind.auto.value  # as stored: the records are read raw
    for record_id, batch_id, duplicate_of_id, merge_kind in records:
        found_in[batch_id].append(record_id)
        column = column_of[batch_id]
        if duplicate_of_id is not None:
            column.duplicates.append(record_id)
            if merge_kind == auto:
                column.duplicates_auto.append(record_id)
            continue
        if record_id in removed:
            column.removed[removed[record_id]].append(record_id)
            continue
        ta_decisions = ta_decisions_of.get(record_id)
        ta_resolution = ta_resolution_of.get(record_id)
        if ta_decisions is None and ta_resolution is None:  # nobody has looked at it
            (column.automation if before_stop[batch_id] else column.ta_undecided).append(record_id)
            continue
        outcome = outcome_of(ta_decisions or [], ta_resolution, everyone if record_id in pilot else ta_needed,
                             title_abstract)
        if outcome is pending:
            column.ta_undecided.append(record_id)
            continue
        if outcome is conflict:
            column.ta_conflict.append(record_id)
            continue
        column.screened.append(record_id)
        if outcome is Outcome.excluded:
            column.excluded.append(record_id)
            continue
        column.sought.append(record_id)
        if record_id in not_retrieved:
            column.not_retrieved[" ".join(not_retrieved[record_id].split())].append(record_id)
            continue
        ft_decisions = ft_decisions_of.get(record_id, [])
        ft_resolution = ft_resolution_of.get(record_id)
        outcome = outcome_of(ft_decisions, ft_resolution, ft_needed, full_text)
        if outcome is pending:
            column.ft_undecided.append(record_id)
        elif outcome is conflict:
            column.ft_conflict.append(record_id)
        else:
            column.assessed.append(record_id)
            if outcome is moves_on:
                column.included.append(record_id)
            else:
                reason_id = ft_resolution.reason_id if ft_resolution is not None else ft_decisions[0].reason_id
                column.reports_excluded[reason_labels.get(reason_id, NO_REASON)].append(record_id)

    included = sorted(dbr.included + other.included)
    if as_of is None and previous_until is None:
        sync_studies(session, review, included)  # as the Studies page does: each new report a study of its own
    study_of = _studies_of(session, review.id, included)
    previous = None
    if previous_until is not None:
        previous = prisma_counts(session, review, as_of=previous_until)
    previous_studies = set(previous.boxes["total_studies"].ids) if previous else set()
    new_study_ids = sorted({study_of[r] for r in included if r in study_of} - previous_studies)
    unlinked = [r for r in included if r not in study_of]

    boxes: list[Box] = []

    def box(key: str, ids: Iterable[int], unit: str = "records", parts: Sequence[Part] = (), n: int | None = None):
        ids = tuple(sorted(ids))
        boxes.append(Box(key, len(ids) if n is None else n, ids, unit, tuple(parts)))

    def parts_of(groups: Mapping[str, list[int]]) -> list[Part]:
        return [Part(name, len(ids), tuple(sorted(ids)))
                for name, ids in sorted(groups.items(), key=lambda item: (-len(item[1]), item[0]))]

    def all_of(groups: Mapping[str, list[int]]) -> list[int]:
        return [record_id for ids in groups.values() for record_id in ids]

    for route, key, specific in ((IdentificationRoute.database, "database_results", "database_specific_results"),
                                 (IdentificationRoute.register, "register_results", "register_specific_results"),
                                 (IdentificationRoute.website, "website_results", "website_specific_results"),
                                 (IdentificationRoute.organisation, "organisation_results",
                                  "organisation_specific_results"),
                                 (IdentificationRoute.citation_searching, "citations_results",
                                  "citations_specific_results")):
        groups = identified.get(route, {})
        box(key, all_of(groups))
        box(specific, all_of(groups), parts=parts_of(groups))
    for prefix, column in (("", dbr), ("other_", other)):
        box(f"{prefix}duplicates", column.duplicates)
        box(f"{prefix}duplicates_automatic", column.duplicates_auto)
        box(f"{prefix}duplicates_manual", set(column.duplicates) - set(column.duplicates_auto))
        box(f"{prefix}excluded_automatic", column.automation)
        box(f"{prefix}excluded_other", all_of(column.removed), parts=parts_of(column.removed))
        box(f"{prefix}records_screened", column.screened)
        box(f"{prefix}records_excluded", column.excluded)
    for prefix, column in (("dbr_", dbr), ("other_", other)):
        box(f"{prefix}sought_reports", column.sought, "reports")
        box(f"{prefix}notretrieved_reports", all_of(column.not_retrieved), "reports", parts_of(column.not_retrieved))
        box(f"{prefix}assessed", column.assessed, "reports")
        box(f"{prefix}excluded", all_of(column.reports_excluded), "reports", parts_of(column.reports_excluded))
        box(f"{prefix}included_reports", column.included, "reports")
    new_study_count = len(new_study_ids) + len(unlinked)
    box("new_studies", new_study_ids, "studies", n=new_study_count)
    box("new_reports", included, "reports")
    box("previous_studies", previous_studies, "studies")
    previous_reports = previous.boxes["total_reports"].ids if previous else ()
    box("previous_reports", previous_reports, "reports")
    box("total_studies", previous_studies | set(new_study_ids), "studies", n=len(previous_studies) + new_study_count)
    box("total_reports", set(previous_reports) | set(included), "reports")

    open_ids = {f"{prefix}{name}": tuple(getattr(column, name))
                for prefix, column in (("", dbr), ("other_", other))
                for name in ("ta_undecided", "ta_conflict", "ft_undecided", "ft_conflict")}
    notes = []
    if automation is not None:
        notes.append(automation.note)
    other_out = len(other.duplicates) + len(all_of(other.removed)) + len(other.excluded) + len(other.automation)
    if other_out:
        notes.append(f"Records found by other methods and not sought for retrieval: {len(other.duplicates)} "
                     f"duplicates, {len(all_of(other.removed))} removed before screening, {len(other.excluded)} "
                     f"excluded on title and abstract, {len(other.automation)} left unscreened.")
    if unlinked:
        notes.append(f"{len(unlinked)} reports of included studies are not yet linked to a study; each counts as "
                     "a study of its own until the lead links it on the Studies page.")
    return PrismaCounts(review.id, {b.key: b for b in boxes}, open_ids, automation,
                        any(batch.identification.other_methods for batch in batches.values()),
                        as_of, previous_until, tuple(notes))


def _latest_check(session: Session, review_id: int, as_of: datetime | None) -> StoppingCheck | None:
    query = select(StoppingCheck).where(StoppingCheck.review_id == review_id, StoppingCheck.recorded_at.is_not(None))
    if as_of is not None:
        query = query.where(StoppingCheck.recorded_at <= as_of)
    return session.exec(query.order_by(StoppingCheck.recorded_at.desc(), StoppingCheck.id.desc())).first()


def _studies_of(session: Session, review_id: int, record_ids: list[int]) -> dict[int, int]:
    if not record_ids:
        return {}
    wanted = set(record_ids)
    rows = session.connection().execute(sa.select(StudyReport.record_id, StudyReport.study_id).where(
        StudyReport.review_id == review_id))
    return {record_id: study_id for record_id, study_id in rows if record_id in wanted}


# --- the arithmetic between boxes ---------------------------------------------------------

@dataclass(frozen=True)
class Explanation:
    label: str  # "records still undecided at title and abstract"
    open_key: str  # the key of PrismaCounts.open that lists them
    ids: tuple[int, ...]


@dataclass(frozen=True)
class Check:
    box: str  # the box whose count the identity gives
    identity: str  # "records_screened = database_results + register_results - duplicates - ..."
    expected: int  # what the other boxes give
    actual: int  # the box's own count
    explained_by: tuple[Explanation, ...] = ()

    @property
    def holds(self) -> bool:
        return self.expected == self.actual

    @property
    def difference(self) -> int:
        return self.expected - self.actual


# (box, [(sign, term)], [(open key, label)]): the identities PRISMA 2020's boxes obey, with what
# keeps each from holding while the review is under way.
IDENTITIES = (
    ("records_screened", [(1, "database_results"), (1, "register_results"), (-1, "duplicates"),
                          (-1, "excluded_automatic"), (-1, "excluded_other")],
     [("ta_undecided", "records still undecided at title and abstract"),
      ("ta_conflict", "records in an open conflict at title and abstract")]),
    ("records_excluded", [(1, "records_screened"), (-1, "dbr_sought_reports")], []),
    ("dbr_assessed", [(1, "dbr_sought_reports"), (-1, "dbr_notretrieved_reports")],
     [("ft_undecided", "reports with no full-text decision yet"),
      ("ft_conflict", "reports in an open conflict at full text")]),
    ("dbr_included_reports", [(1, "dbr_assessed"), (-1, "dbr_excluded")], []),
    ("other_sought_reports", [(1, "website_results"), (1, "organisation_results"), (1, "citations_results"),
                              (-1, "other_duplicates"), (-1, "other_excluded_automatic"),
                              (-1, "other_excluded_other"), (-1, "other_records_excluded")],
     [("other_ta_undecided", "records found by other methods still undecided at title and abstract"),
      ("other_ta_conflict", "records found by other methods in an open conflict at title and abstract")]),
    ("other_assessed", [(1, "other_sought_reports"), (-1, "other_notretrieved_reports")],
     [("other_ft_undecided", "reports found by other methods with no full-text decision yet"),
      ("other_ft_conflict", "reports found by other methods in an open conflict at full text")]),
    ("other_included_reports", [(1, "other_assessed"), (-1, "other_excluded")], []),
    ("new_reports", [(1, "dbr_included_reports"), (1, "other_included_reports")], []),
    ("total_studies", [(1, "previous_studies"), (1, "new_studies")], []),
)


def check_arithmetic(numbers: Mapping[str, int], open_ids: Mapping[str, Sequence[int]] | None = None) -> list[Check]:
    """Each identity between the boxes, from the numbers alone (so a CSV read back can be
    checked too); where one fails, the records still open that account for the difference."""
    open_ids = open_ids or {}
    checks = []
    for target, terms, reasons in IDENTITIES:
        if target not in numbers or any(term not in numbers for _, term in terms):
            continue
        expected = sum(sign * numbers[term] for sign, term in terms)
        identity = f"{target} = " + " ".join(
            (("- " if sign < 0 else "+ ") if index else ("-" if sign < 0 else "")) + term
            for index, (sign, term) in enumerate(terms))
        explained = ()
        if expected != numbers[target]:
            explained = tuple(Explanation(label, key, tuple(open_ids.get(key, ())))
                              for key, label in reasons if open_ids.get(key))
        checks.append(Check(target, identity, expected, numbers[target], explained))
    if "new_studies" in numbers and "new_reports" in numbers and numbers["new_studies"] > numbers["new_reports"]:
        checks.append(Check("new_studies", "new_studies <= new_reports (every study has a report)",
                            numbers["new_reports"], numbers["new_studies"]))
    return checks


# --- the lead's wording --------------------------------------------------------------------

def labels(session: Session, review_id: int) -> dict[tuple[str, str], str]:
    """(kind, name as the data hold it) -> the lead's wording for the diagram."""
    return {(label.kind, label.original): label.label for label in session.exec(
        select(PrismaLabel).where(PrismaLabel.review_id == review_id))}


def set_label(session: Session, access: ReviewAccess, kind: str, original: str, label: str) -> None:
    """Reword a name the diagram prints (an empty label goes back to the data's own name).
    Only the words change: every count stays as the data give it."""
    access.require(Role.lead)
    if kind not in LABEL_KINDS:
        raise InvalidInput(f"Unknown kind of label {kind!r}: use one of {', '.join(LABEL_KINDS)}.", field="kind")
    original, label = original.strip(), " ".join(label.split())
    if not original:
        raise InvalidInput("Say which name to reword.", field="original")
    if len(label) > 200:
        raise InvalidInput("A label is at most 200 characters.", field="label")
    existing = session.exec(select(PrismaLabel).where(PrismaLabel.review_id == access.review.id,
                                                      PrismaLabel.kind == kind,
                                                      PrismaLabel.original == original)).first()
    record_event(session, actor_id=access.user_id, action="prisma.label", object_type="review",
                 object_id=access.review.id, review_id=access.review.id, kind=kind, original=original,
                 before=existing.label if existing else "", after=label)
    if not label:
        if existing is not None:
            session.delete(existing)
    elif existing is None:
        session.add(PrismaLabel(review_id=access.review.id, kind=kind, original=original, label=label))
    else:
        existing.label = label
        session.add(existing)
    session.commit()


def worded(counts: PrismaCounts, wording: Mapping[tuple[str, str], str]) -> PrismaCounts:
    """The counts with their parts' names in the lead's wording; numbers and ids unchanged.
    Parts whose new names coincide are shown together."""
    boxes = {}
    for key, box in counts.boxes.items():
        kind = PART_KINDS.get(key)
        if kind is None or not box.parts:
            boxes[key] = box
            continue
        merged: dict[str, list[int]] = {}
        counts_by_name: dict[str, int] = defaultdict(int)
        for part in box.parts:
            name = wording.get((kind, part.name), part.name)
            merged.setdefault(name, []).extend(part.ids)
            counts_by_name[name] += part.n
        parts = tuple(Part(name, counts_by_name[name], tuple(sorted(ids))) for name, ids in merged.items())
        boxes[key] = Box(box.key, box.n, box.ids, box.unit, tuple(sorted(parts, key=lambda p: (-p.n, p.name))))
    return PrismaCounts(counts.review_id, boxes, counts.open, counts.automation, counts.other_methods,
                        counts.as_of, counts.previous_until, counts.notes)
