"""Stopping: Callaghan & Müller-Hansen's test against the issue's worked values."""

import pytest

from screening.review.errors import InvalidInput
from screening.stopping.rule import additional_sample_needed, k_target, quasi_sampling_p, stopping_test

# N_tot = 2000 records, 1000 screened with rho = 95 relevant, so N = 1000 unscreened.
N, RHO = 1000, 95


def sig6(x: float) -> str:
    return f"{x:.6g}"


def test_sample_of_400_without_relevant_rejects():
    result = stopping_test(N, RHO, 400, 0)
    assert result.k_target == 6
    assert sig6(result.p_value) == "0.0461895"
    assert result.reject is True
    assert result.more_needed is None
    assert "We can reject that recall is below 95% at 95% confidence" in result.message


def test_sample_of_300_without_relevant_continues():
    result = stopping_test(N, RHO, 300, 0)
    assert result.k_target == 6
    assert sig6(result.p_value) == "0.116892"
    assert result.reject is False
    assert result.more_needed == 93  # 393 - 300
    assert "cannot yet reject" in result.message and "93 more random records" in result.message


def test_smallest_rejecting_sample_is_393():
    assert additional_sample_needed(N, RHO, 0, 0) == 393
    assert sig6(stopping_test(N, RHO, 393, 0).p_value) == "0.0495329"
    assert stopping_test(N, RHO, 393, 0).reject
    assert not stopping_test(N, RHO, 392, 0).reject
    assert additional_sample_needed(N, RHO, 400, 0) == 0


def test_one_relevant_in_600_raises_k_target():
    result = stopping_test(N, RHO, 600, 1)
    assert result.k_target == 7
    assert sig6(result.p_value) == "0.0185067"
    assert result.reject


def test_k_target_is_exact_where_floats_would_round_down():
    assert k_target(95, 0, 0.95) == 6  # 95 / 0.95 is 100, not 99.999...
    assert k_target(19, 0, 0.95) == 2
    assert k_target(90, 0, 0.9) == 11


def test_result_records_its_inputs_and_method():
    result = stopping_test(N, RHO, 400, 0, target_recall=0.95, confidence=0.95)
    assert (result.n_unscreened, result.relevant_before, result.sample_size, result.relevant_in_sample) == (
        1000,
        95,
        400,
        0,
    )
    assert "Callaghan" in result.method and "2020" in result.method


def test_impossible_null_hypothesis_rejects():
    # 5 unscreened records cannot hold the 6 that recall < 95% would need.
    assert stopping_test(5, 95, 1, 0).p_value == 0.0


@pytest.mark.parametrize(
    "args",
    [(100, 10, 101, 0), (100, 10, 5, 6), (100, -1, 5, 0)],
)
def test_impossible_inputs_are_refused(args):
    with pytest.raises(InvalidInput):
        stopping_test(*args)


def test_bad_target_is_refused():
    with pytest.raises(InvalidInput):
        stopping_test(N, RHO, 400, 0, target_recall=95)


def test_quasi_sampling_takes_the_smallest_p_over_every_tail():
    labels = [1, 1, 0, 1, 1] * 4 + [0] * 150 + [1] + [0] * 80
    n_total = 600
    result = quasi_sampling_p(labels, n_total)
    tails = []
    for start in range(len(labels)):
        tail = labels[start:]
        test = stopping_test(n_total - start, sum(labels[:start]), len(tail), sum(tail))
        tails.append((test.p_value, len(tail)))
    best = min(tails, key=lambda t: t[0])
    assert result.p_value == pytest.approx(best[0])
    assert result.tail_size == best[1]
    assert result.reject == (best[0] < 0.05)


def test_quasi_sampling_is_labelled_a_heuristic():
    result = quasi_sampling_p([1] * 30 + [0] * 900, 1000)
    assert result.reject
    assert "heuristic" in result.message.lower() and "not a guarantee" in result.message
    assert quasi_sampling_p([], 1000).reject is False
