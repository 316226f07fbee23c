"""``find_duplicates``: block, then judge each blocked pair."""

from __future__ import annotations

import gc
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from screening.citation import Citation
from screening.dedup.blocking import candidate_pairs
from screening.dedup.compare import DuplicatePair, compare
from screening.dedup.normalise import prepare


def find_duplicates(citations: Sequence[Citation]) -> list[DuplicatePair]:
    """Every pair of records alike enough to be one report, strongest first,
    each ``auto`` (merge without asking) or ``candidate`` (a person decides).
    Indices refer to ``citations``."""
    with paused_cycle_collection():
        prepped = [prepare(c) for c in citations]
        found = []
        for i, j in candidate_pairs(prepped):
            pair = compare(i, j, prepped[i], prepped[j])
            if pair is not None:
                found.append(pair)
    found.sort(key=lambda p: (-p.score, p.left, p.right))
    return found


@contextmanager
def paused_cycle_collection() -> Iterator[None]:
    """Pause Python's cyclic garbage collector. Reading and deduplicating a
    large file build millions of small objects (records, keys, word sets,
    pairs), none in a reference cycle, so they are freed as usual; but each
    allocation burst makes the collector rescan every object alive, the
    records read included: a third of the CPU time of deduplicating 100,000
    records, a fifth of parsing them."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
