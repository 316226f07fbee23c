"""The "am I done?" check: a random sample first in every queue, then the recorded test."""

import random

import pytest

from screening.stopping import checks

from screening.decisions import deciding, queue
from screening.review.errors import InvalidInput
from screening.models import Stage, Verdict
from screening.records import kept_records
from screening.review.access import review_access
from screening.stopping.rule import stopping_test
from tests.factories import make_user, single_screening_review

TA = Stage.title_abstract


def test_a_check_samples_the_unscreened_puts_them_first_and_records_the_test(session, tmp_path):
    lead = make_user(session)
    review = single_screening_review(session, lead, "labelled/cohen_2006_adhd_subset.csv", uploads_dir=tmp_path)
    access = review_access(session, review.id, lead.id)
    records = kept_records(session, review.id)
    for record in records[:40]:
        verdict = Verdict.include if record.raw["label_included"] == "1" else Verdict.exclude
        deciding.decide(session, access, record.id, TA, verdict)
    rho = sum(record.raw["label_included"] == "1" for record in records[:40])
    with pytest.raises(InvalidInput, match="1 to 120"):
        checks.start_check(session, access, 500)
    check = checks.start_check(session, access, 30, rng=random.Random(1))
    assert (check.n_unscreened, check.relevant_before, len(check.sample)) == (120, rho, 30)
    with pytest.raises(InvalidInput, match="already under way"):
        checks.start_check(session, access, 10)
    with pytest.raises(InvalidInput, match="30 sampled records still wait"):
        checks.record_result(session, access, check.id)
    labels = {record.id: record.raw["label_included"] for record in records}
    for _ in check.sample:
        record = queue.next_record(session, access, TA)
        assert record.id in check.sample  # the sample comes first
        deciding.decide(session, access, record.id, TA, Verdict.include if labels[record.id] == "1" else Verdict.exclude)
    progress = checks.check_progress(session, review, check)
    k = sum(labels[record_id] == "1" for record_id in check.sample)
    assert (progress.screened, progress.relevant) == (30, k)
    assert progress.test.p_value == pytest.approx(stopping_test(120, rho, 30, k).p_value)
    recorded = checks.record_result(session, access, check.id)
    assert recorded.p_value == progress.test.p_value and recorded.recorded_at is not None
    assert checks.active_check(session, review.id) is None
