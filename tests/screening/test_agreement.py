"""Cohen's kappa against worked examples."""

import pytest

from screening.review.agreement import agreement


def test_kappa_matches_a_hand_worked_two_by_two_example():
    # 50 records: both include 20, both exclude 15, A include/B exclude 5, A exclude/B include 10.
    # p_o = 35/50 = 0.70; A includes 25/50, B includes 30/50;
    # p_e = 0.5*0.6 + 0.5*0.4 = 0.50; kappa = (0.70 - 0.50) / (1 - 0.50) = 0.40
    pairs = [("include", "include")] * 20 + [("exclude", "exclude")] * 15 + \
            [("include", "exclude")] * 5 + [("exclude", "include")] * 10
    first = {i: a for i, (a, _) in enumerate(pairs)}
    second = {i: b for i, (_, b) in enumerate(pairs)}
    result = agreement(first, second)
    assert result.n == 50
    assert result.percent_agreement == pytest.approx(0.70)
    assert result.kappa == pytest.approx(0.40)


def test_three_verdicts_and_only_records_both_decided():
    # Only ids 1-6 are shared; maybe counts as its own verdict.
    first = {1: "include", 2: "include", 3: "maybe", 4: "exclude", 5: "exclude", 6: "exclude", 7: "include"}
    second = {1: "include", 2: "maybe", 3: "maybe", 4: "exclude", 5: "exclude", 6: "include", 8: "exclude"}
    result = agreement(first, second)
    # p_o = 4/6; A: inc 2, maybe 1, exc 3; B: inc 2, maybe 2, exc 2
    # p_e = (2*2 + 1*2 + 3*2) / 36 = 12/36; kappa = (4/6 - 1/3) / (2/3) = 0.5
    assert result.n == 6
    assert result.kappa == pytest.approx(0.5)


def test_perfect_agreement_on_one_verdict_has_no_kappa_and_no_shared_records_no_figures():
    assert agreement({1: "exclude", 2: "exclude"}, {1: "exclude", 2: "exclude"}).kappa is None
    assert agreement({1: "include"}, {2: "include"}).n == 0
    assert agreement({1: "include"}, {2: "include"}).percent_agreement is None
