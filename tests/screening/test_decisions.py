"""Screening decisions in the domain: queue, dual and blind rules, conflicts, resolution, kappa."""

import pytest
from sqlmodel import select

from screening.decisions import deciding, progress, queue, reasons, resolving, stages
from screening.decisions.outcomes import Outcome
from screening.review.errors import InvalidInput, NotFound
from screening.models import Stage, Verdict
from screening.review.models import AuditEvent, Role, User
from screening.records import kept_records
from screening.review.access import review_access
from tests.factories import import_fixture, join, make_review, make_user

TA, FT = Stage.title_abstract, Stage.full_text


@pytest.fixture
def team(session, tmp_path):
    lead, ann, ben = make_user(session, name="Lead"), make_user(session, name="Ann"), make_user(session, name="Ben")
    review = make_review(session, lead)
    join(session, review, lead, ann, Role.reviewer)
    join(session, review, lead, ben, Role.reviewer)
    import_fixture(session, review, lead, "import/asreview_cohen_adhd_sample.csv", uploads_dir=tmp_path)
    access = {person.name: review_access(session, review.id, person.id) for person in (lead, ann, ben)}
    return review, access, [record.id for record in kept_records(session, review.id)]


def test_each_screener_works_through_their_own_queue_in_import_order(session, team):
    review, access, records = team
    assert queue.next_record(session, access["Ann"], TA).id == records[0]
    deciding.decide(session, access["Ann"], records[0], TA, Verdict.include)
    assert queue.next_record(session, access["Ann"], TA).id == records[1]
    assert queue.next_record(session, access["Ben"], TA).id == records[0]  # still needs a second screener


def test_a_record_decided_by_two_leaves_everyone_elses_queue(session, team):
    review, access, records = team
    deciding.decide(session, access["Ann"], records[0], TA, Verdict.exclude)
    deciding.decide(session, access["Ben"], records[0], TA, Verdict.exclude)
    assert queue.next_record(session, access["Lead"], TA).id == records[1]
    with pytest.raises(InvalidInput, match="already been screened by 2"):
        deciding.decide(session, access["Lead"], records[0], TA, Verdict.include)


def test_deciding_twice_is_harmless_and_a_change_is_logged(session, team):
    review, access, records = team
    first = deciding.decide(session, access["Ann"], records[0], TA, Verdict.include, note="adults")
    again = deciding.decide(session, access["Ann"], records[0], TA, Verdict.include, note="adults")
    assert again.id == first.id
    deciding.decide(session, access["Ann"], records[0], TA, Verdict.maybe)
    actions = session.exec(select(AuditEvent.action).where(AuditEvent.object_type == "record")
                           .order_by(AuditEvent.id)).all()
    assert actions == ["decision.create", "decision.change"]


def test_conflicts_exactly_where_verdicts_differ_and_gone_once_resolved(session, team):
    review, access, records = team
    pairs = {records[0]: (Verdict.include, Verdict.exclude), records[1]: (Verdict.maybe, Verdict.exclude),
             records[2]: (Verdict.include, Verdict.maybe), records[3]: (Verdict.exclude, Verdict.exclude)}
    for record_id, (ann, ben) in pairs.items():
        deciding.decide(session, access["Ann"], record_id, TA, ann)
        deciding.decide(session, access["Ben"], record_id, TA, ben)
    assert [conflict.record.id for conflict in resolving.conflicts(session, review, TA)] == records[:2]
    with pytest.raises(Exception, match="lead role"):
        resolving.resolve(session, access["Ann"], records[0], TA, Verdict.include)
    resolving.resolve(session, access["Lead"], records[0], TA, Verdict.include)
    resolving.resolve(session, access["Lead"], records[1], TA, Verdict.exclude)
    assert resolving.conflicts(session, review, TA) == []
    with pytest.raises(InvalidInput, match="already resolved"):
        deciding.decide(session, access["Ann"], records[0], TA, Verdict.exclude)
    # included and agreed records move on to full text; excluded ones do not
    at_full_text = list(session.exec(stages.records_at_stage(session, review, FT)))
    assert at_full_text == [records[0], records[2]]


def test_a_full_text_exclusion_needs_a_reason(session, team):
    review, access, records = team
    for person in ("Ann", "Ben"):
        deciding.decide(session, access[person], records[0], TA, Verdict.include)
    with pytest.raises(InvalidInput, match="needs a reason"):
        deciding.decide(session, access["Ann"], records[0], FT, Verdict.exclude)
    with pytest.raises(NotFound, match="at full-text screening"):
        deciding.decide(session, access["Ann"], records[1], FT, Verdict.include)
    offered = reasons.exclusion_reasons(session, review.id)
    deciding.decide(session, access["Ann"], records[0], FT, Verdict.exclude, reason_id=offered[0].id)
    deciding.decide(session, access["Ben"], records[0], FT, Verdict.exclude, reason_id=offered[1].id)
    # two reasons for one report: the lead picks the one PRISMA will count
    assert [s.outcome for s in stages.statuses(session, review, FT)] == [Outcome.conflict]


def test_single_screening_needs_one_verdict(session, team):
    review, access, records = team
    review.dual_screening = False
    session.add(review)
    session.commit()
    deciding.decide(session, access["Ann"], records[0], TA, Verdict.include)
    assert queue.next_record(session, access["Ben"], TA).id == records[1]
    assert stages.statuses(session, review, TA)[0].outcome is Outcome.moves_on


def test_undo_withdraws_my_verdict_only(session, team):
    review, access, records = team
    deciding.decide(session, access["Ann"], records[0], TA, Verdict.include)
    deciding.undo_decision(session, access["Ann"], records[0], TA)
    assert queue.next_record(session, access["Ann"], TA).id == records[0]
    with pytest.raises(NotFound):
        deciding.undo_decision(session, access["Ben"], records[0], TA)


def test_progress_and_agreement(session, team):
    review, access, records = team
    verdicts = [(Verdict.include, Verdict.include), (Verdict.exclude, Verdict.exclude),
                (Verdict.exclude, Verdict.include), (Verdict.exclude, Verdict.exclude)]
    for record_id, (ann, ben) in zip(records, verdicts):
        deciding.decide(session, access["Ann"], record_id, TA, ann)
        deciding.decide(session, access["Ben"], record_id, TA, ben)
    mine = progress.progress(session, access["Ann"], TA)
    assert (mine.records, mine.decided_by_me, mine.completed, mine.conflicts, mine.moved_on) == (len(records), 4, 4, 1, 1)
    overall, pairs = progress.agreement_by_pair(session, review, TA)
    # 3 of 4 agree; Ann in 1/4, Ben in 2/4: p_e = 1/4*2/4 + 3/4*2/4 = 0.5; kappa = (0.75-0.5)/0.5 = 0.5
    assert (overall.n, overall.percent_agreement, overall.kappa) == (4, 0.75, 0.5)
    assert [(pair.first.name, pair.second.name, pair.agreement.kappa) for pair in pairs] == [("Ann", "Ben", 0.5)]


def test_pilot_records_are_screened_by_everyone_first(session, team):
    review, access, records = team
    review.pilot_size = 2
    session.add(review)
    session.commit()
    for person in ("Ann", "Ben"):
        deciding.decide(session, access[person], records[0], TA, Verdict.include)
    # two of three screeners is not enough for a pilot record: the lead still gets it first
    assert queue.next_record(session, access["Lead"], TA).id == records[0]
    assert stages.statuses(session, review, TA)[0].outcome is Outcome.pending
    deciding.decide(session, access["Lead"], records[0], TA, Verdict.exclude)
    assert stages.statuses(session, review, TA)[0].outcome is Outcome.conflict
    for person, verdict in (("Ann", Verdict.include), ("Ben", Verdict.exclude), ("Lead", Verdict.exclude)):
        deciding.decide(session, access[person], records[1], TA, verdict)
    pilot_ids = stages.screeners_needed(session, review).pilot_ids
    assert pilot_ids == {records[0], records[1]}
    overall, pairs = progress.agreement_by_pair(session, review, TA, pilot_ids)
    assert overall.n == 2 and len(pairs) == 3  # every pair of the three screeners
    # after the pilot, ordinary records need two screeners again
    deciding.decide(session, access["Ann"], records[2], TA, Verdict.include)
    deciding.decide(session, access["Ben"], records[2], TA, Verdict.include)
    assert queue.next_record(session, access["Lead"], TA).id == records[3]


def test_screeners_racing_for_one_record_never_make_more_than_two_decisions(session, engine, team):
    import threading

    from sqlmodel import Session

    from screening.models import Decision

    review, access, records = team
    extra = [make_user(session, name=f"Extra {n}") for n in range(4)]
    for person in extra:
        join(session, review, session.get(type(extra[0]), review.created_by_id), person, Role.reviewer)
    start, outcomes = threading.Barrier(len(extra)), []

    def screen(user_id):
        with Session(engine) as own:
            start.wait()
            try:
                deciding.decide(own, review_access(own, review.id, user_id), records[0], TA, Verdict.include)
                outcomes.append("stored")
            except InvalidInput as error:
                outcomes.append(str(error))

    threads = [threading.Thread(target=screen, args=(person.id,)) for person in extra]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    stored = session.exec(select(Decision).where(Decision.record_id == records[0])).all()
    assert len(stored) == 2 and sorted(decision.slot for decision in stored) == [1, 2]
    assert outcomes.count("stored") == 2
    assert all("already been screened by 2" in outcome for outcome in outcomes if outcome != "stored")


def test_a_record_open_with_enough_screeners_is_passed_over_by_the_next(session, team):
    review, access, records = team
    assert queue.next_record(session, access["Ann"], TA).id == records[0]
    assert queue.next_record(session, access["Ben"], TA).id == records[0]  # dual: two may open it
    assert queue.next_record(session, access["Lead"], TA).id == records[1]  # a third is sent on
    # each screener holds one record: Ann's hold moves on with her, to the record the lead has open
    deciding.decide(session, access["Ann"], records[0], TA, Verdict.include)
    assert queue.next_record(session, access["Ann"], TA).id == records[1]
    assert queue.next_record(session, access["Lead"], TA).id == records[1]
    assert queue.next_record(session, access["Ben"], TA).id == records[0]  # Ben's own hold still counts for him


def test_screeners_asking_at_once_are_never_handed_a_record_beyond_its_two_places(session, engine, team):
    import threading
    from collections import Counter

    from sqlmodel import Session

    review, access, records = team
    lead = session.get(User, review.created_by_id)
    crowd = [make_user(session, name=f"Crowd {n}") for n in range(8)]
    for person in crowd:
        join(session, review, lead, person, Role.reviewer)
    start, handed = threading.Barrier(len(crowd)), []

    def ask(user_id):
        with Session(engine) as own:
            person_access = review_access(own, review.id, user_id)
            start.wait()
            handed.append(queue.next_record(own, person_access, TA).id)

    threads = [threading.Thread(target=ask, args=(person.id,)) for person in crowd]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # eight screeners asking together: dual screening hands each record to two of them, no more
    assert sorted(Counter(handed).values()) == [2, 2, 2, 2]
    assert set(handed) == set(records[:4])


def test_progress_counted_in_the_database_agrees_with_the_outcome_rule(session, tmp_path):
    """``progress`` writes ``outcome_of`` in SQL; a random review holds the two to each other."""
    import random

    from screening.decisions.visibility import is_open_to

    people = [make_user(session, name=name) for name in ("Lead", "Ann", "Ben")]
    review = make_review(session, people[0], pilot_size=3)
    for person in people[1:]:
        join(session, review, people[0], person, Role.reviewer)
    import_fixture(session, review, people[0], "labelled/cohen_2006_adhd_subset.csv", uploads_dir=tmp_path)
    access = {person.name: review_access(session, review.id, person.id) for person in people}
    records = [record.id for record in kept_records(session, review.id)][:40]
    rng = random.Random(11)
    offered = [reason.id for reason in reasons.exclusion_reasons(session, review.id)]
    for record_id in records:
        for person in rng.sample(list(access), rng.randint(0, 3)):
            try:
                deciding.decide(session, access[person], record_id, TA, rng.choice(list(Verdict)))
            except InvalidInput:  # the record's places are taken
                pass
    for record_id in rng.sample(records, 4):
        resolving.resolve(session, access["Lead"], record_id, TA, rng.choice([Verdict.include, Verdict.exclude]))
    for status in stages.statuses(session, review, FT)[:-2]:  # the last two stay undecided
        for person in rng.sample(["Ann", "Ben"], rng.randint(1, 2)):
            verdict = rng.choice([Verdict.include, Verdict.exclude, Verdict.exclude])
            deciding.decide(session, access[person], status.record_id, FT, verdict,
                            reason_id=offered[0] if rng.random() < 0.7 else offered[1])
    for stage in (TA, FT):
        at_stage = stages.statuses(session, review, stage)
        outcomes = [status.outcome for status in at_stage]
        assert len(set(outcomes)) == 4, stage  # every branch of the rule is met
        for person, member in access.items():
            counted = progress.progress(session, member, stage)
            assert counted.records == len(at_stage)
            assert counted.decided_by_me == sum(any(d.reviewer_id == member.user_id for d in s.decisions)
                                                for s in at_stage)
            assert counted.left_for_me == sum(is_open_to(status, member.user_id) for status in at_stage)
            assert (counted.completed, counted.conflicts, counted.moved_on, counted.excluded) == (
                len(at_stage) - outcomes.count(Outcome.pending), outcomes.count(Outcome.conflict),
                outcomes.count(Outcome.moves_on), outcomes.count(Outcome.excluded)), (person, stage)
