"""The ranking inside a review: labels from decisions, stored scores, the queue's order."""

import pytest
from sqlmodel import select

from screening.ranking import in_review, scores
from screening.decisions import deciding, queue
from screening.models import RecordScore, Stage, Verdict
from screening.review.models import Role
from screening.records import kept_records
from screening.stopping import curve
from screening.review.access import review_access
from tests.factories import join, make_user, single_screening_review

TA = Stage.title_abstract


def test_training_learns_from_decisions_and_reorders_every_queue(session, tmp_path):
    lead, ann = make_user(session), make_user(session)
    review = single_screening_review(session, lead, "labelled/cohen_2006_adhd_subset.csv", uploads_dir=tmp_path)
    join(session, review, lead, ann, Role.reviewer)
    records = kept_records(session, review.id)
    relevant = [r.id for r in records if r.raw["label_included"] == "1"]
    irrelevant = [r.id for r in records if r.raw["label_included"] == "0"]
    labelled = {record_id: 1 for record_id in relevant[:3]} | {record_id: 0 for record_id in irrelevant[:10]}
    access = review_access(session, review.id, ann.id)
    # before any label the queue is import order, and training has nothing to learn from
    assert queue.next_record(session, access, TA).id == records[0].id
    in_review.train_ranking(session, lambda *_: None, review_id=review.id)
    assert session.exec(select(RecordScore)).first() is None
    for record_id, label in labelled.items():
        deciding.decide(session, access, record_id, TA, Verdict.include if label else Verdict.exclude)
    assert curve.team_labels(session, review) == labelled
    in_review.train_ranking(session, lambda *_: None, review_id=review.id)
    run = scores.current_run(session, review.id, lead.id)
    assert (run.relevant, run.irrelevant, run.records) == (3, 10, len(records))
    # the lead, who decided nothing, now gets the highest-scored record first: a relevant one
    first = queue.next_record(session, review_access(session, review.id, lead.id), TA)
    assert first.raw["label_included"] == "1"
    score = scores.score_of(session, run, first.id)
    assert score.score == max(s.score for s in session.exec(select(RecordScore)) if s.record_id not in labelled)
    assert any(weight > 0 for _, weight in score.terms)


def test_the_recall_curve_and_what_the_last_records_suggest(session, tmp_path):
    lead = make_user(session)
    review = single_screening_review(session, lead, "labelled/cohen_2006_adhd_subset.csv", uploads_dir=tmp_path)
    access = review_access(session, review.id, lead.id)
    records = kept_records(session, review.id)
    for record, verdict in zip(records[:6], [Verdict.include, Verdict.exclude, Verdict.include,
                                            Verdict.exclude, Verdict.exclude, Verdict.exclude]):
        deciding.decide(session, access, record.id, TA, verdict)
    found = curve.recall_curve(session, review)
    assert found.points == [(1, 1), (2, 1), (3, 2), (4, 2), (5, 2), (6, 2)]
    assert (found.total, found.since_last_relevant, found.tail_size, found.tail_relevant) == (len(records), 3, 6, 2)
    assert found.remaining_estimate == pytest.approx(2 / 6 * (len(records) - 6))
    assert found.remaining_upper > found.remaining_estimate
    assert found.heuristic.message.startswith("Heuristic only")
