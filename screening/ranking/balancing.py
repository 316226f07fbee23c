"""Sample weights that make the few relevant labels count (class imbalance).

Relevant records are typically 1-10% of a search; unweighted, a classifier
learns "everything is irrelevant". `ratio` is the total weight of the relevant
class to the total weight of the irrelevant class (ASReview's `balanced`)."""

import numpy as np

from screening.ranking.registry import lookup


def balanced(y: np.ndarray, ratio: float = 10.0) -> np.ndarray:
    n_relevant = int((y == 1).sum())
    n_irrelevant = len(y) - n_relevant
    weight = np.ones(len(y))
    if n_relevant and n_irrelevant:
        weight[y == 0] = n_relevant / (ratio * n_irrelevant)
    return weight * (len(y) / weight.sum())


def per_record(y: np.ndarray, ratio: float = 10.0) -> np.ndarray:
    """Each relevant record weighs `ratio` times an irrelevant one."""
    weight = np.where(y == 1, float(ratio), 1.0)
    return weight * (len(y) / weight.sum())


def none(y: np.ndarray) -> np.ndarray:
    return np.ones(len(y))


BALANCERS = {"balanced": balanced, "per_record": per_record, "none": none}


def weights(name: str, y: np.ndarray, **params) -> np.ndarray:
    return lookup("balancer", name, BALANCERS)(y, **params)


def presume_irrelevant(
    index: np.ndarray, y: np.ndarray, n_records: int, count: int, seed
) -> tuple[np.ndarray, np.ndarray]:
    """Add `count` randomly drawn unlabelled records to the training set as irrelevant.

    Cormack and Grossman's continuous active learning (AutoTAR, the TREC Total
    Recall baseline) trains on the reviewed documents plus 100 random unreviewed
    ones "temporarily labelled not relevant". With relevant records a few percent
    of a search, nearly every draw is truly irrelevant, and the draws show the
    classifier what the whole corpus looks like, so words common everywhere stop
    counting as evidence of relevance. Never more than a tenth of the unlabelled
    records: in a small review, or near the end of one, presuming most of what is
    left irrelevant would bury the relevant records still to be found. `seed` makes
    the draw repeatable (the app and the simulation draw the same records for the
    same labels)."""
    unlabelled = np.ones(n_records, dtype=bool)
    unlabelled[index] = False
    pool = np.flatnonzero(unlabelled)
    size = min(count, len(pool) // 10)
    if size <= 0:
        return index, y
    drawn = np.random.default_rng(seed).choice(pool, size=size, replace=False)
    return np.concatenate([index, drawn]), np.concatenate([y, np.zeros(len(drawn), dtype=y.dtype)])
