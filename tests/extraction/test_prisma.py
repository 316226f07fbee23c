"""PRISMA 2020 counts from a review built with known decisions, and the arithmetic check."""

from datetime import timedelta

import pytest

from app.services import decide_and_next
from extraction.reports import prisma
from screening.models import Stage, Verdict
from screening.review.access import review_access
from screening.review.models import utcnow
from tests.extraction import prisma_review
from tests.factories import import_citations


@pytest.fixture
def world(session, tmp_path) -> prisma_review.PrismaReview:
    return prisma_review.build(session, tmp_path)


def test_every_box_has_its_known_count(session, world):
    counts = prisma.prisma_counts(session, world.review)
    assert {key: counts.n(key) for key in world.expected} == world.expected
    assert counts.n("excluded_automatic") == len(world.automation) > 0
    assert counts.boxes["excluded_automatic"].ids == tuple(world.automation)
    assert counts.boxes["excluded_other"].ids == tuple(world.removed)
    assert [(part.name, part.n) for part in counts.boxes["database_specific_results"].parts] == [("MEDLINE (Ovid)", 153)]
    assert [(part.name, part.n) for part in counts.boxes["register_specific_results"].parts] == [("ClinicalTrials.gov", 10)]
    assert [(part.name, part.n) for part in counts.boxes["excluded_other"].parts] == [("Published before 1990", 5)]
    assert [(part.name, part.n) for part in counts.boxes["dbr_excluded"].parts] == [
        (world.reasons[0], 2), (world.reasons[1], 1)]
    assert [(p.name, p.n) for p in counts.boxes["dbr_notretrieved_reports"].parts] == [
        ("Not available from the library or the authors", 1)]
    assert counts.n("duplicates_automatic") == 3 and counts.n("duplicates_manual") == 0
    assert counts.other_methods
    assert counts.automation.reject and f"p = {counts.automation.p_value:.3g}" in counts.notes[0]
    assert "Callaghan" in counts.notes[0]
    assert len(counts.boxes["new_studies"].ids) == 4  # real study ids, the two linked reports as one


def test_every_identity_holds_once_screening_is_done(session, world):
    counts = prisma.prisma_counts(session, world.review)
    checks = prisma.check_arithmetic(counts.numbers, counts.open)
    assert checks and all(check.holds for check in checks), [c for c in checks if not c.holds]


def test_a_report_with_no_decision_breaks_assessed_and_the_check_names_it(session, world):
    # A screener includes one of the records left to automation: it is screened now, and sought,
    # but nobody has assessed its report.
    record_id = world.automation[0]
    decide_and_next(session, review_access(session, world.review.id, world.screener.id), record_id,
                    Stage.title_abstract, Verdict.include)
    counts = prisma.prisma_counts(session, world.review)
    failing = [check for check in prisma.check_arithmetic(counts.numbers, counts.open) if not check.holds]
    assert [(check.box, check.difference) for check in failing] == [("dbr_assessed", 1)]
    assert failing[0].explained_by[0].ids == (record_id,)
    assert "no full-text decision" in failing[0].explained_by[0].label


def test_records_imported_after_the_stopping_check_are_undecided_not_automation(session, world, tmp_path):
    batch = import_citations(session, world.review, world.lead, prisma_review.citations(3, 9), source="Scopus",
                             uploads_dir=tmp_path)
    counts = prisma.prisma_counts(session, world.review)
    assert counts.n("database_results") == 156 and counts.n("excluded_automatic") == len(world.automation)
    [check] = [check for check in prisma.check_arithmetic(counts.numbers, counts.open) if not check.holds]
    assert (check.box, check.difference) == ("records_screened", 3)
    assert len(check.explained_by[0].ids) == 3
    assert [part.name for part in counts.boxes["database_specific_results"].parts] == ["MEDLINE (Ovid)", "Scopus"]
    # As of a moment before that import, the diagram is what it was.
    before = prisma.prisma_counts(session, world.review, as_of=batch.created_at - timedelta(microseconds=1))
    assert before.n("database_results") == 153


def test_the_check_names_the_box_of_numbers_that_do_not_add_up():
    numbers = {"database_results": 100, "register_results": 0, "duplicates": 10, "excluded_automatic": 5,
               "excluded_other": 5, "records_screened": 78, "records_excluded": 70, "dbr_sought_reports": 8,
               "dbr_notretrieved_reports": 1, "dbr_assessed": 7}
    failing = [check for check in prisma.check_arithmetic(numbers, {"ta_undecided": (4, 9)}) if not check.holds]
    assert [(check.box, check.expected, check.actual, check.difference) for check in failing] == [
        ("records_screened", 80, 78, 2)]
    assert failing[0].explained_by[0].ids == (4, 9)
    assert failing[0].identity.startswith("records_screened = database_results + register_results - duplicates")


def test_an_updated_review_counts_its_previous_studies(session, world, tmp_path):
    cut = utcnow()
    import_citations(session, world.review, world.lead, prisma_review.citations(2, 11), source="Scopus",
                     uploads_dir=tmp_path)
    counts = prisma.prisma_counts(session, world.review, previous_until=cut)
    assert (counts.n("previous_studies"), counts.n("previous_reports")) == (4, 5)
    assert (counts.n("database_results"), counts.n("new_studies"), counts.n("total_studies")) == (2, 0, 4)


def test_the_leads_wording_changes_names_not_numbers(session, world):
    access = review_access(session, world.review.id, world.lead.id)
    prisma.set_label(session, access, "source", "MEDLINE (Ovid)", "MEDLINE")
    prisma.set_label(session, access, "exclusion", world.reasons[1], "Not the right service")
    counts = prisma.prisma_counts(session, world.review)
    shown = prisma.worded(counts, prisma.labels(session, world.review.id))
    assert shown.numbers == counts.numbers
    assert [part.name for part in shown.boxes["database_specific_results"].parts] == ["MEDLINE"]
    assert shown.boxes["dbr_excluded"].parts[1].name == "Not the right service"
    prisma.set_label(session, access, "source", "MEDLINE (Ovid)", "")
    assert prisma.labels(session, world.review.id) == {("exclusion", world.reasons[1]): "Not the right service"}
