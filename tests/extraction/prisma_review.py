"""A review built through the service functions with known decisions, so that every box of its
PRISMA 2020 diagram has a number known in advance (``EXPECTED``). Shared by the counting,
page and browser tests."""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

from sqlmodel import Session, select

from app.services import decide_and_next, resolve
from extraction import studies
from screening.decisions import removing
from screening.decisions.reasons import exclusion_reasons
from screening.fulltexts import mark_not_retrieved
from screening.models import IdentificationRoute, RecordRemoval, Stage, Verdict
from screening.records import kept_records
from screening.review.access import review_access
from screening.review.models import Review, Role, User
from screening.stopping import checks
from tests.factories import import_citations, join, make_review, make_user

TA, FT = Stage.title_abstract, Stage.full_text
WORDS = ("anxiety depression trial cohort school nurse stepped care therapy dialectical behaviour group online "
         "parent child adolescent community crisis ward discharge peer relapse housing employment telephone "
         "mindfulness exercise sleep carer trauma eating disorder psychosis bipolar clinic rural urban").split()


def citations(count: int, seed: int, *, old: int = 0) -> list[dict]:
    """``count`` records unlike one another (no duplicates among them); the first ``old`` from 1985."""
    rng = random.Random(seed)
    rows = []
    for index in range(count):
        title = " ".join(rng.sample(WORDS, 9)).capitalize() + f" {seed}-{index}"
        rows.append({"title": title, "abstract": " ".join(rng.choices(WORDS, k=40)),
                     "authors": f"Author{seed}x{index}, A.", "year": 1985 if index < old else 2000 + index % 20,
                     "journal": "Journal of Tests", "doi": f"10.1000/prisma.{seed}.{index}"})
    return rows


# Known in advance: the boxes whose number does not hang on the stopping check's sample size.
EXPECTED = {
    "database_results": 153, "register_results": 10, "website_results": 0, "organisation_results": 0,
    "citations_results": 4, "duplicates": 3, "excluded_other": 5,
    "dbr_sought_reports": 8, "dbr_notretrieved_reports": 1, "dbr_assessed": 7, "dbr_excluded": 3,
    "dbr_included_reports": 4, "other_sought_reports": 3, "other_notretrieved_reports": 1, "other_assessed": 2,
    "other_excluded": 1, "other_included_reports": 1, "new_studies": 4, "new_reports": 5, "total_studies": 4,
    "total_reports": 5, "previous_studies": 0, "previous_reports": 0,
}
SCREENED_BEFORE_CHECK = 60  # databases and registers records screened by ranked screening


@dataclass
class PrismaReview:
    review: Review
    lead: User
    screener: User
    sample: list[int]  # the stopping check's sample, all excluded
    automation: list[int]  # the records left unscreened after it
    removed: list[int]
    reasons: list[str]  # the review's first two exclusion reasons

    @property
    def expected(self) -> dict[str, int]:
        screened = SCREENED_BEFORE_CHECK + len(self.sample)
        return EXPECTED | {"excluded_automatic": len(self.automation), "records_screened": screened,
                           "records_excluded": screened - 8}


def build(session: Session, uploads_dir: Path, *, title: str = "PRISMA world") -> PrismaReview:
    lead = make_user(session, name="Lena Lead")
    screener = make_user(session, name="Sam Screener")
    review = make_review(session, lead, title=title)
    review.dual_screening = False
    session.add(review)
    session.commit()
    join(session, review, lead, screener, Role.reviewer)
    medline = citations(150, 1, old=5)
    import_citations(session, review, lead, medline + medline[5:8], source="MEDLINE (Ovid)", uploads_dir=uploads_dir)
    import_citations(session, review, lead, citations(10, 2), source="ClinicalTrials.gov",
                     identification=IdentificationRoute.register, uploads_dir=uploads_dir)
    import_citations(session, review, lead, citations(4, 3), source="Reference lists",
                     identification=IdentificationRoute.citation_searching, uploads_dir=uploads_dir)
    lead_access, access = review_access(session, review.id, lead.id), review_access(session, review.id, screener.id)
    removed = removing.remove_records(session, lead_access, "Published before 1990", published_before=1990)
    assert removed.removed == 5
    removed_ids = set(session.exec(select(RecordRemoval.record_id).where(RecordRemoval.review_id == review.id)))
    kept = [record for record in kept_records(session, review.id) if record.id not in removed_ids]
    other, dbr = kept[-4:], kept[:-4]
    reasons = exclusion_reasons(session, review.id)[:2]

    def decide(record, stage, verdict, reason=None):
        decide_and_next(session, access, record.id, stage, verdict, reason_id=reason.id if reason else None)

    # Other methods: 3 of 4 move on; one report not retrieved, one included, one excluded.
    for record in other[:3]:
        decide(record, TA, Verdict.include)
    decide(other[3], TA, Verdict.exclude)
    mark_not_retrieved(session, access, other[0].id, "Not held by any library")
    decide(other[1], FT, Verdict.include)
    decide(other[2], FT, Verdict.exclude, reasons[0])
    # Databases and registers: 8 of the first 60 move on.
    included_ta = dbr[:8]
    for record in dbr[:SCREENED_BEFORE_CHECK]:
        decide(record, TA, Verdict.include if record in included_ta else Verdict.exclude)
    mark_not_retrieved(session, access, included_ta[0].id, "Not available from the library or the authors")
    decide(included_ta[1], FT, Verdict.exclude, reasons[0])
    decide(included_ta[2], FT, Verdict.exclude, reasons[0])
    decide(included_ta[3], FT, Verdict.include)
    decide(included_ta[4], FT, Verdict.include)
    decide(included_ta[5], FT, Verdict.exclude, reasons[1])
    decide(included_ta[6], FT, Verdict.include)
    resolve(session, lead_access, included_ta[7].id, FT, Verdict.include)  # the lead's override
    # The stopping check: a sample of the rest, all irrelevant, then the lead records it.
    size = checks.suggested_sample_size(session, review)
    check = checks.start_check(session, lead_access, size, rng=random.Random(7))
    by_id = {record.id: record for record in kept}
    for record_id in check.sample:
        decide(by_id[record_id], TA, Verdict.exclude)
    recorded = checks.record_result(session, lead_access, check.id)
    assert recorded.reject, "the fixture's check must allow stopping"
    # Two included reports are one study.
    views = studies.included_studies(session, review, citations=False)
    first, second = (view for view in views if view.reports[0].report.record_id in (included_ta[3].id, included_ta[4].id))
    studies.link_studies(session, lead_access, second.study.id, first.study.id)
    screened = {record.id for record in dbr[:SCREENED_BEFORE_CHECK]} | set(check.sample)
    automation = [record.id for record in dbr if record.id not in screened]
    return PrismaReview(review, lead, screener, list(check.sample), automation, sorted(removed_ids),
                        [reason.label for reason in reasons])
