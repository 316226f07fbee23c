"""``find_duplicates``: block, then judge each blocked pair."""

from __future__ import annotations

from collections.abc import Sequence

from screening.citation import Citation
from screening.dedup.blocking import candidate_pairs
from screening.dedup.compare import DuplicatePair, compare
from screening.dedup.normalise import prepare


def find_duplicates(citations: Sequence[Citation]) -> list[DuplicatePair]:
    """Every pair of records alike enough to be one report, strongest first,
    each ``auto`` (merge without asking) or ``candidate`` (a person decides).
    Indices refer to ``citations``."""
    prepped = [prepare(c) for c in citations]
    found = []
    for i, j in candidate_pairs(prepped):
        pair = compare(i, j, prepped[i], prepped[j])
        if pair is not None:
            found.append(pair)
    found.sort(key=lambda p: (-p.score, p.left, p.right))
    return found
