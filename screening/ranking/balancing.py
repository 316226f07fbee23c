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
