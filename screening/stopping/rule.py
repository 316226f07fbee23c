"""When may screening stop? Callaghan & Müller-Hansen's hypergeometric test.

Callaghan, M. W. & Müller-Hansen, F. (2020). Statistical stopping criteria for
automated screening in systematic reviews. Systematic Reviews 9:273.
https://doi.org/10.1186/s13643-020-01521-4

After ranked screening has found `rho` relevant records, a uniformly random
sample of `n` of the `N` records still unscreened is screened and holds `k`
relevant ones. H0 is "recall is below the target". Under H0 at least
K_tar = floor((rho + k) / target - rho + 1) relevant records were among the N,
and seeing k or fewer of them in the sample has probability
p = hypergeometric cdf(k; N, K_tar, n). p below 1 - confidence rejects H0.

`quasi_sampling_p` is the same authors' ranked heuristic: every tail of the
screening order is treated as if it were a random sample. It assumes the ranking
was no better than random in that tail, which active learning usually is not,
so it is an indication, never a guarantee.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
from scipy.stats import hypergeom

from screening.review.errors import InvalidInput

METHOD = "Callaghan & Müller-Hansen (2020) hypergeometric stopping test, Systematic Reviews 9:273"


def k_target(relevant_before: int, relevant_in_sample: int, target_recall: float) -> int:
    """Fewest relevant records among the unscreened if recall were below target."""
    target = Fraction(target_recall).limit_denominator(1_000_000)  # 95/0.95 must be exactly 100
    return math.floor(Fraction(relevant_before + relevant_in_sample) / target - relevant_before + 1)


def _p_value(n_unscreened: int, k_tar, sample_size, relevant_in_sample) -> np.ndarray:
    p = hypergeom.cdf(relevant_in_sample, n_unscreened, np.minimum(k_tar, n_unscreened), sample_size)
    # More relevant records than unscreened ones: H0 is impossible.
    return np.where(np.asarray(k_tar) > n_unscreened, 0.0, p)


@dataclass(frozen=True)
class StoppingTest:
    n_unscreened: int  # N: records unscreened when random sampling began
    relevant_before: int  # rho: relevant found by ranked screening before sampling
    sample_size: int  # n
    relevant_in_sample: int  # k
    target_recall: float
    confidence: float
    k_target: int
    p_value: float
    reject: bool  # True: recall below target is rejected, screening may stop
    more_needed: int | None  # further random records with no relevant one that would reject
    message: str
    method: str = METHOD


def _check(n_unscreened, relevant_before, sample_size, relevant_in_sample, target_recall, confidence):
    if not 0 < target_recall < 1:
        raise InvalidInput("Target recall must be between 0 and 1, e.g. 0.95.", field="target_recall")
    if not 0 < confidence < 1:
        raise InvalidInput("Confidence must be between 0 and 1, e.g. 0.95.", field="confidence")
    if min(n_unscreened, relevant_before, sample_size, relevant_in_sample) < 0:
        raise InvalidInput("Counts cannot be negative.")
    if sample_size > n_unscreened:
        raise InvalidInput(
            f"The sample ({sample_size}) cannot be larger than the unscreened records ({n_unscreened}).",
            field="sample_size",
        )
    if relevant_in_sample > sample_size:
        raise InvalidInput("The sample cannot hold more relevant records than records.", field="relevant_in_sample")


def additional_sample_needed(
    n_unscreened: int,
    relevant_before: int,
    sample_size: int,
    relevant_in_sample: int,
    target_recall: float = 0.95,
    confidence: float = 0.95,
) -> int:
    """How many more random records, none of them relevant, would make the test reject (0 if it already does)."""
    _check(n_unscreened, relevant_before, sample_size, relevant_in_sample, target_recall, confidence)
    k_tar = k_target(relevant_before, relevant_in_sample, target_recall)
    alpha = 1 - confidence

    def rejects(n: int) -> bool:
        return float(_p_value(n_unscreened, k_tar, n, relevant_in_sample)) < alpha

    low, high = sample_size, n_unscreened  # p falls as n grows; p = 0 once every record is screened
    if rejects(low):
        return 0
    while high - low > 1:
        middle = (low + high) // 2
        low, high = (low, middle) if rejects(middle) else (middle, high)
    return high - sample_size


def stopping_test(
    n_unscreened: int,
    relevant_before: int,
    sample_size: int,
    relevant_in_sample: int,
    target_recall: float = 0.95,
    confidence: float = 0.95,
) -> StoppingTest:
    """Test H0 "recall < target" after screening a random sample of the unscreened records."""
    _check(n_unscreened, relevant_before, sample_size, relevant_in_sample, target_recall, confidence)
    k_tar = k_target(relevant_before, relevant_in_sample, target_recall)
    p = float(_p_value(n_unscreened, k_tar, sample_size, relevant_in_sample))
    reject = p < 1 - confidence
    more = None if reject else additional_sample_needed(
        n_unscreened, relevant_before, sample_size, relevant_in_sample, target_recall, confidence
    )
    target_pc, confidence_pc = f"{target_recall:.0%}", f"{confidence:.0%}"
    if reject:
        message = (
            f"We can reject that recall is below {target_pc} at {confidence_pc} confidence "
            f"(p = {p:.4g}): screening may stop."
        )
    else:
        message = (
            f"We cannot yet reject that recall is below {target_pc} at {confidence_pc} confidence "
            f"(p = {p:.4g}). Screening {more} more random record{'s' if more != 1 else ''}, "
            "with no relevant one among them, would settle it."
        )
    return StoppingTest(
        n_unscreened=n_unscreened,
        relevant_before=relevant_before,
        sample_size=sample_size,
        relevant_in_sample=relevant_in_sample,
        target_recall=target_recall,
        confidence=confidence,
        k_target=k_tar,
        p_value=p,
        reject=reject,
        more_needed=more,
        message=message,
    )


@dataclass(frozen=True)
class QuasiSampling:
    p_value: float  # smallest p over every tail of the screening order
    tail_size: int  # length of the tail that gave it
    reject: bool
    message: str
    method: str = "Ranked quasi-sampling heuristic (Callaghan & Müller-Hansen 2020)"


def quasi_sampling_p(
    labels_in_order: Sequence[int],
    n_total: int,
    target_recall: float = 0.95,
    confidence: float = 0.95,
) -> QuasiSampling:
    """Heuristic p-value: each tail of the screening order treated as a random sample.

    `labels_in_order` are the 0/1 decisions in the order records were screened;
    `n_total` counts every record, screened or not."""
    labels = np.asarray(labels_in_order, dtype=np.int64)
    screened = len(labels)
    if screened > n_total:
        raise InvalidInput("More records screened than there are records.")
    heuristic = "a heuristic that assumes the ranking was no better than random in the last records screened"
    if screened == 0:
        return QuasiSampling(1.0, 0, False, f"Nothing screened yet; this is {heuristic}.")
    before = np.arange(screened)  # records screened before each tail starts
    relevant_before = np.concatenate([[0], np.cumsum(labels)[:-1]])
    in_tail = labels.sum() - relevant_before
    target = Fraction(target_recall).limit_denominator(1_000_000)
    k_tar = np.array(
        [math.floor(Fraction(int(r + k)) / target - int(r) + 1) for r, k in zip(relevant_before, in_tail)]
    )
    n_unscreened = n_total - before
    p = hypergeom.cdf(in_tail, n_unscreened, np.minimum(k_tar, n_unscreened), screened - before)
    p = np.where(k_tar > n_unscreened, 0.0, p)
    best = int(np.argmin(p))
    p_min = float(p[best])
    reject = p_min < 1 - confidence
    verdict = "would reject" if reject else "would not reject"
    message = (
        f"Heuristic only: treating the last {screened - best} records screened as a random sample, "
        f"the test {verdict} that recall is below {target_recall:.0%} (p = {p_min:.4g}). "
        f"This is {heuristic}, not a guarantee."
    )
    return QuasiSampling(p_min, screened - best, reject, message)
