"""Studies and their reports: every record included at full text is a report of exactly one
study. Each report starts as a study of its own; the lead links the reports of one study
(a protocol, its results paper, a conference abstract, a follow-up) and can split them again.
Winnow suggests links where reports share a trial registration number, or authors and a
similar title. PRISMA counts "studies included" and "reports of included studies" from here.

A report whose record later leaves the included set (the lead overrides its full-text
decision) stays linked, and counts again if the record comes back; a study with no included
report is not listed, and its codings are kept."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from rapidfuzz import fuzz
from sqlmodel import Session, select

from extraction.models import Coding, Study, StudyReport
from screening.citation import Citation
from screening.decisions.outcomes import Outcome, outcome_of
from screening.decisions.stages import included_record_ids, records_at_stage, resolution_of, screeners_needed
from screening.models import Decision, Record, Stage
from screening.records import merged_citations
from screening.review.access import ReviewAccess
from screening.review.audit import record_event
from screening.review.errors import InvalidInput, NotFound
from screening.review.models import Review, Role

# ClinicalTrials.gov, ISRCTN, ANZCTR, EudraCT / EU CTR, DRKS, Netherlands, China, India, UMIN.
REGISTRATION = re.compile(
    r"\b(NCT\d{8}|ISRCTN\d{8}|ACTRN\d{14}|\d{4}-\d{6}-\d{2}|DRKS\d{8}|NTR\d{3,5}|NL\d{4,5}|"
    r"ChiCTR[-\w]{6,20}|CTRI/\d{4}/\d{2,3}/\d{6}|UMIN\d{9})\b", re.IGNORECASE)
SIMILAR_TITLES = 60  # rapidfuzz token_set_ratio from which two titles count as alike


@dataclass(frozen=True)
class Report:
    report: StudyReport
    citation: Citation | None  # None when the caller asked for the reports alone


@dataclass(frozen=True)
class StudyView:
    study: Study
    reports: list[Report]  # its reports of included records, first imported first


@dataclass(frozen=True)
class LinkSuggestion:
    first_id: int
    second_id: int
    reason: str


def study_label(citation: Citation, record_id: int) -> str:
    """"Linehan 2006": the first author's surname and the year, as tables cite a study."""
    surname = citation.authors[0].split(",")[0].strip() if citation.authors else ""
    if surname and " " in surname and "," not in citation.authors[0]:
        surname = surname.split()[-1]
    parts = [part for part in (surname, str(citation.year) if citation.year else "") if part]
    return " ".join(parts)[:200] or f"Record {record_id}"


def sync_studies(session: Session, review: Review, included: list[int]) -> None:
    """Give every included record without a report a study of its own. Safe to run from
    several requests at once: the record's unique report wins, the other insert is dropped."""
    if not included:
        return
    linked = set(session.exec(select(StudyReport.record_id).where(StudyReport.review_id == review.id)))
    new = [record_id for record_id in included if record_id not in linked]
    if not new:
        return
    records = list(session.exec(select(Record).where(Record.id.in_(new)).order_by(Record.id)))
    for record, citation in zip(records, merged_citations(session, records)):
        try:
            with session.begin_nested():
                study = Study(review_id=review.id, label=study_label(citation, record.id))
                session.add(study)
                session.flush()
                session.add(StudyReport(review_id=review.id, study_id=study.id, record_id=record.id))
        except sa.exc.IntegrityError:
            continue  # another request linked this record at the same moment
    session.commit()


def included_studies(session: Session, review: Review, *, citations: bool = True) -> list[StudyView]:
    """The review's included studies with their included reports, in the order of their first
    report; each report with its record's citation unless ``citations`` is False (a queue needs
    only the studies, and reading every record is most of the cost)."""
    included = included_record_ids(session, review)
    sync_studies(session, review, included)
    included = set(included)
    rows = session.exec(select(StudyReport, Study).join(Study, Study.id == StudyReport.study_id)
                        .where(StudyReport.review_id == review.id).order_by(StudyReport.record_id)).all()
    rows = [(report, study) for report, study in rows if report.record_id in included]
    cited: dict[int, Citation] = {}
    if citations:
        records = {record.id: record for record in session.exec(
            select(Record).where(Record.id.in_([report.record_id for report, _ in rows])))}
        ordered = [records[report.record_id] for report, _ in rows]
        cited = dict(zip((record.id for record in ordered), merged_citations(session, ordered)))
    by_study: dict[int, StudyView] = {}
    for report, study in rows:
        view = by_study.setdefault(study.id, StudyView(study, []))
        view.reports.append(Report(report, cited.get(report.record_id)))
    return list(by_study.values())


def study_in_review(session: Session, review: Review, study_id: int, *, citations: bool = True) -> StudyView:
    """One included study with its included reports, read without going through all the others
    (and without its records' citations if ``citations`` is False)."""
    study = session.get(Study, study_id)
    reports = [] if study is None or study.review_id != review.id else list(session.exec(
        select(StudyReport).where(StudyReport.study_id == study.id).order_by(StudyReport.record_id)))
    reports = [report for report in reports if _is_included(session, review, report.record_id)]
    if not reports:
        raise NotFound(f"No included study {study_id} in this review.")
    if not citations:
        return StudyView(study, [Report(report, None) for report in reports])
    records = [session.get(Record, report.record_id) for report in reports]
    return StudyView(study, [Report(report, citation)
                             for report, citation in zip(reports, merged_citations(session, records))])


def _is_included(session: Session, review: Review, record_id: int) -> bool:
    """The record is at full text and its outcome there moves on: ``included_record_ids``' rule,
    for one record (that one reads every record of the review)."""
    at_full_text = session.exec(records_at_stage(session, review, Stage.full_text).where(Record.id == record_id)).first()
    if at_full_text is None:
        return False
    decisions = list(session.exec(select(Decision).where(Decision.record_id == record_id,
                                                         Decision.stage == Stage.full_text)))
    needed = screeners_needed(session, review).for_record(record_id, Stage.full_text)
    outcome = outcome_of(decisions, resolution_of(session, record_id, Stage.full_text), needed, Stage.full_text)
    return outcome is Outcome.moves_on


def rename_study(session: Session, access: ReviewAccess, study_id: int, label: str) -> Study:
    access.require(Role.lead)
    study = study_in_review(session, access.review, study_id).study
    label = " ".join(label.split())
    if not label or len(label) > 200:
        raise InvalidInput("Name the study in 1 to 200 characters, e.g. “Linehan 2006”.", field="label")
    if label != study.label:
        record_event(session, actor_id=access.user_id, action="study.rename", object_type="study",
                     object_id=study.id, review_id=access.review.id, was=study.label, label=label)
        study.label = label
        session.add(study)
        session.commit()
    return study


def link_studies(session: Session, access: ReviewAccess, study_id: int, into_id: int) -> Study:
    """The reports of one study become reports of another: they are one study. Its codings
    move with them, onto each form where the other study has none yet; where both studies are
    coded on the same form the link is refused, since one coding would have to go."""
    access.require(Role.lead)
    if study_id == into_id:
        raise InvalidInput("Choose another study to link this one to.", field="into_id")
    moving = study_in_review(session, access.review, study_id)
    into = study_in_review(session, access.review, into_id)
    moving_codings = list(session.exec(select(Coding).where(Coding.study_id == moving.study.id)))
    coded_forms = set(session.exec(select(Coding.form_id).where(Coding.study_id == into.study.id)))
    clash = sorted({coding.form_id for coding in moving_codings} & coded_forms)
    if clash:
        raise InvalidInput(
            f"Both “{moving.study.label}” and “{into.study.label}” are already coded on the same form, so linking "
            "them would leave one study with two sets of codings. Link reports before coding them, or ask the "
            "reviewers which coding to keep.", field="into_id")
    for report in session.exec(select(StudyReport).where(StudyReport.study_id == moving.study.id)):
        report.study_id = into.study.id
        session.add(report)
    for coding in moving_codings:
        coding.study_id = into.study.id
        session.add(coding)
    session.flush()
    session.delete(moving.study)  # nothing points at it any more
    record_event(session, actor_id=access.user_id, action="study.link", object_type="study",
                 object_id=into.study.id, review_id=access.review.id, linked_study=moving.study.id,
                 linked_label=moving.study.label, records=[r.report.record_id for r in moving.reports],
                 codings_moved=len(moving_codings))
    session.commit()
    return into.study


def split_report(session: Session, access: ReviewAccess, report_id: int) -> Study:
    """A report leaves its study and becomes a study of its own; the codings stay with the old study."""
    access.require(Role.lead)
    report = session.get(StudyReport, report_id)
    if report is None or report.review_id != access.review.id:
        raise NotFound(f"No report {report_id} in this review.")
    siblings = session.exec(select(sa.func.count()).select_from(StudyReport)
                            .where(StudyReport.study_id == report.study_id)).one()
    if siblings < 2:
        raise InvalidInput("This is the study's only report: there is nothing to split it from.", field="report_id")
    record = session.get(Record, report.record_id)
    study = Study(review_id=access.review.id, label=study_label(merged_citations(session, [record])[0], record.id))
    session.add(study)
    session.flush()
    old_study = report.study_id
    report.study_id = study.id
    session.add(report)
    record_event(session, actor_id=access.user_id, action="study.split", object_type="study", object_id=study.id,
                 review_id=access.review.id, from_study=old_study, record_id=report.record_id)
    session.commit()
    return study


def link_suggestions(session: Session, review: Review) -> list[LinkSuggestion]:
    return suggest_links([(view.study.id, [report.citation for report in view.reports])
                          for view in included_studies(session, review)])


def registration_numbers(citation: Citation) -> set[str]:
    texts = [citation.title, citation.abstract, citation.url, *citation.keywords,
             *(str(value) for value in citation.raw.values())]
    return {match.upper() for text in texts if text for match in REGISTRATION.findall(text)}


def _surnames(citation: Citation) -> list[str]:
    names = []
    for author in citation.authors:
        surname = author.split(",")[0] if "," in author else (author.split() or [""])[-1 if " " in author else 0]
        surname = surname.strip().casefold()
        if surname:
            names.append(surname)
    return names


def suggest_links(studies: Sequence[tuple[int, Iterable[Citation]]]) -> list[LinkSuggestion]:
    """Pairs of studies that may be one: a shared trial registration number, or at least two
    shared authors (or the same first author) with similar titles. Pure, for any list."""
    registrations: dict[str, set[int]] = defaultdict(set)
    by_surname: dict[str, set[int]] = defaultdict(set)
    citations: dict[int, list[Citation]] = {}
    for study_id, cited in studies:
        citations[study_id] = list(cited)
        for citation in citations[study_id]:
            for number in registration_numbers(citation):
                registrations[number].add(study_id)
            for surname in _surnames(citation):
                by_surname[surname].add(study_id)
    found: dict[tuple[int, int], str] = {}
    for number, ids in sorted(registrations.items()):
        for pair in _pairs(ids):
            found.setdefault(pair, f"both cite the trial registration {number}")
    candidates = {pair for ids in by_surname.values() if len(ids) < 50 for pair in _pairs(ids)} - set(found)
    for first, second in sorted(candidates):
        reason = _authors_and_title(citations[first], citations[second])
        if reason:
            found[(first, second)] = reason
    return [LinkSuggestion(first, second, reason) for (first, second), reason in sorted(found.items())]


def _pairs(ids: set[int]) -> list[tuple[int, int]]:
    ordered = sorted(ids)
    return [(a, b) for index, a in enumerate(ordered) for b in ordered[index + 1:]]


def _authors_and_title(first: list[Citation], second: list[Citation]) -> str:
    for a in first:
        for b in second:
            names_a, names_b = _surnames(a), _surnames(b)
            shared = [name for name in dict.fromkeys(names_a) if name in names_b]
            same_first = bool(names_a and names_b and names_a[0] == names_b[0])
            if (len(shared) >= 2 or same_first) and fuzz.token_set_ratio(a.title.casefold(), b.title.casefold()) >= SIMILAR_TITLES:
                who = ", ".join(name.title() for name in shared[:3])
                return f"share the author{'s' if len(shared) > 1 else ''} {who} and similar titles"
    return ""
