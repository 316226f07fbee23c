"""Screening's pure rules with tiny inputs and no database: outcomes, the screeners a record
needs, blind mode's visibility and training labels, and the record list's filters."""

from types import SimpleNamespace

import pytest

from screening.decisions.outcomes import Outcome, RecordStatus, ScreenersNeeded, outcome_of
from screening.decisions.record_list import passes_filter
from screening.decisions.visibility import is_open_to, labels_visible_to, sees_verdicts, team_label
from screening.models import Stage, Verdict
from screening.review.models import Role

TA, FT = Stage.title_abstract, Stage.full_text
ANN, BEN, CAL = 1, 2, 3
IN, OUT, MAYBE = Verdict.include, Verdict.exclude, Verdict.maybe


def verdict(reviewer_id, value, reason_id=None):
    return SimpleNamespace(reviewer_id=reviewer_id, verdict=value, reason_id=reason_id)


def status(record_id, *decisions, resolution=None, needed=2, stage=TA):
    return RecordStatus.of(record_id, list(decisions), resolution, needed, stage)


@pytest.mark.parametrize("decisions, stage, expected", [
    ([], TA, Outcome.pending),
    ([verdict(ANN, IN)], TA, Outcome.pending),
    ([verdict(ANN, IN), verdict(BEN, MAYBE)], TA, Outcome.moves_on),
    ([verdict(ANN, IN), verdict(BEN, OUT)], TA, Outcome.conflict),
    ([verdict(ANN, MAYBE), verdict(BEN, OUT)], TA, Outcome.conflict),
    ([verdict(ANN, OUT), verdict(BEN, OUT)], TA, Outcome.excluded),
    ([verdict(ANN, OUT, 1), verdict(BEN, OUT, 1)], FT, Outcome.excluded),
    ([verdict(ANN, OUT, 1), verdict(BEN, OUT, 2)], FT, Outcome.conflict),  # PRISMA counts one reason per report
])
def test_outcome_of_two_verdicts(decisions, stage, expected):
    assert outcome_of(decisions, None, 2, stage) is expected


def test_a_resolution_wins_over_any_verdicts():
    conflict = [verdict(ANN, IN), verdict(BEN, OUT)]
    assert outcome_of(conflict, SimpleNamespace(verdict=OUT), 2, TA) is Outcome.excluded
    assert outcome_of([], SimpleNamespace(verdict=MAYBE), 2, TA) is Outcome.moves_on


def test_pilot_records_need_every_screener_at_title_and_abstract_only():
    needed = ScreenersNeeded(ordinary=2, pilot_ids=frozenset({7}), everyone=4)
    assert (needed.for_record(7, TA), needed.for_record(8, TA), needed.for_record(7, FT)) == (4, 2, 2)
    assert outcome_of([verdict(ANN, IN), verdict(BEN, IN)], None, needed.for_record(7, TA), TA) is Outcome.pending


def test_a_record_is_open_to_a_screener_until_they_decide_it_or_it_is_complete():
    half = status(1, verdict(ANN, IN))
    assert is_open_to(half, BEN) and not is_open_to(half, ANN)
    assert not is_open_to(status(2, verdict(ANN, IN), verdict(BEN, OUT)), CAL)  # a conflict is complete
    assert not is_open_to(status(3, resolution=SimpleNamespace(verdict=IN)), BEN)
    assert is_open_to(status(4), None)


@pytest.mark.parametrize("blind, role, member, record, sees", [
    (False, Role.reviewer, BEN, status(1, verdict(ANN, IN)), True),
    (True, Role.reviewer, BEN, status(1, verdict(ANN, IN)), False),  # open to Ben
    (True, Role.viewer, BEN, status(1, verdict(ANN, IN)), True),  # viewers never screen
    (True, Role.lead, BEN, status(1, verdict(ANN, IN)), False),  # a lead who screens is blind too
    (True, Role.lead, BEN, status(1, verdict(ANN, IN), verdict(BEN, IN)), True),  # complete
    (True, Role.reviewer, BEN, status(1, verdict(ANN, IN), verdict(BEN, IN)), False),  # agreed: not opened
    (True, Role.reviewer, CAL, status(1, verdict(ANN, IN), verdict(BEN, OUT)), True),  # a conflict opens them
])
def test_who_sees_colleagues_verdicts(blind, role, member, record, sees):
    assert sees_verdicts(blind, role, member, record) is sees


def test_team_labels_follow_the_verdicts_and_the_lead():
    assert team_label(status(1)) is None
    assert team_label(status(1, verdict(ANN, MAYBE))) == 1
    assert team_label(status(1, verdict(ANN, OUT))) == 0
    assert team_label(status(1, verdict(ANN, IN), verdict(BEN, OUT))) == 1  # a conflict: someone saw relevance
    assert team_label(status(1, verdict(ANN, IN), verdict(BEN, OUT), resolution=SimpleNamespace(verdict=OUT))) == 0


def test_blind_training_labels_never_hold_a_colleagues_verdict_on_a_record_open_to_the_screener():
    records = [
        status(1, verdict(ANN, IN), verdict(BEN, IN)),  # complete
        status(2, verdict(ANN, IN)),  # only Ann: open to Ben
        status(3, verdict(BEN, OUT)),  # only Ben: open to Ann
        status(4),
    ]
    assert labels_visible_to(records, BEN, blind=True) == {1: 1, 3: 0}
    assert labels_visible_to(records, ANN, blind=True) == {1: 1, 2: 1}
    assert labels_visible_to(records, None, blind=True) == {1: 1}  # the team's model: complete records only
    assert labels_visible_to(records, BEN, blind=False) == {1: 1, 2: 1, 3: 0}


def test_record_list_filters_see_only_the_verdicts_shown():
    mine_maybe = [verdict(BEN, MAYBE, None)]
    record = status(1, verdict(ANN, OUT, 4), *mine_maybe)
    assert passes_filter("mine", None, BEN, record, mine_maybe)
    assert not passes_filter("mine", None, CAL, record, [])
    assert passes_filter("maybe", None, BEN, record, mine_maybe)
    assert not passes_filter("reason", 4, BEN, record, mine_maybe)  # Ann's reason is hidden from Ben
    assert passes_filter("reason", 4, BEN, record, record.decisions)
    assert passes_filter("conflicts", None, BEN, record, mine_maybe)
    resolved = status(2, verdict(ANN, OUT, 4), resolution=SimpleNamespace(verdict=OUT, reason_id=5))
    assert passes_filter("reason", 5, ANN, resolved, resolved.decisions)  # the lead's reason is the one PRISMA counts
