"""The team simulation runs the app itself: one screener through it orders records exactly as
the ranking replay does, two error-free blind screeners take twice the decisions, and errors
bring conflicts for the lead."""

import pytest

from app.simulation import simulate_team
from screening.ranking.simulate import read_labelled_csv, simulate
from tests.factories import FIXTURES


@pytest.fixture(scope="module")
def records():
    """40 records of the subset, 4 relevant; the first two are the priors."""
    labelled = read_labelled_csv(FIXTURES / "labelled/cohen_2006_adhd_subset.csv")
    relevant = [r for r in labelled if r.label][:4]
    irrelevant = [r for r in labelled if not r.label][:36]
    return [relevant[0], irrelevant[0], *relevant[1:], *irrelevant[1:]]


def priors(records):
    return [records[0].record_id, records[1].record_id]


def test_one_screener_through_the_app_is_the_ranking_replay(records):
    replay = simulate(records, priors(records))
    team = simulate_team(records, priors(records), screeners=1)
    assert (team.decisions_for_95, team.decisions_for_100) == (replay.metrics.screened_for_95,
                                                               replay.metrics.screened_for_100)
    assert team.resolutions == team.missed == 0


@pytest.mark.parametrize("design", ["complete", "own"])
def test_two_blind_screeners_without_errors_take_twice_the_decisions(records, design):
    single = simulate_team(records, priors(records), screeners=1)
    team = simulate_team(records, priors(records), screeners=2, design=design)
    assert team.decisions_for_100 == 2 * single.decisions_for_100 and team.resolutions == 0


def test_errors_make_conflicts_the_lead_resolves(records):
    team = simulate_team(records, priors(records), screeners=2, error=0.3, seed=2, design="complete")
    assert team.resolutions > 0
    assert team.decisions_for_100 is None or team.decisions_for_100 <= team.decisions
    assert 0 <= team.missed <= team.relevant
    with pytest.raises(ValueError, match="Unknown design"):
        simulate_team(records, priors(records), design="telepathy")
