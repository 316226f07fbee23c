"""Which unlabelled record to ask for next, given the current scores.

"max" (certainty) querying asks for the record most likely to be relevant,
which is what a reviewer wants to read next and what the benchmark rewards.
Ties keep import order, so before any model exists the queue is import order."""

import numpy as np

from screening.ranking.registry import lookup


def max_first(scores: np.ndarray, candidates: np.ndarray) -> np.ndarray:
    """Candidates (record indices) from the highest score down, ties in import order."""
    candidates = np.asarray(candidates, dtype=np.int64)
    return candidates[np.argsort(-scores[candidates], kind="stable")]


QUERIERS = {"max": max_first}


def queue(name: str, scores: np.ndarray, candidates: np.ndarray) -> np.ndarray:
    return lookup("querier", name, QUERIERS)(scores, candidates)
