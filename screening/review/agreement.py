"""Agreement between two screeners: percent agreement and Cohen's kappa,
over the records both decided (with ranking, screeners may stop before
seeing every record, so ``n`` is always reported beside the figures).

Kappa = (p_o - p_e) / (1 - p_e), where p_o is the share of records on which
the two agree and p_e the agreement expected by chance from each screener's
own rates of each verdict (Cohen 1960)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Agreement:
    n: int
    percent_agreement: float | None
    kappa: float | None  # None when undefined: no shared records, or chance agreement is total


def agreement(first: Mapping[Hashable, str], second: Mapping[Hashable, str]) -> Agreement:
    """``first`` and ``second`` map record ids to each screener's verdict."""
    shared = sorted(set(first) & set(second), key=str)
    n = len(shared)
    if n == 0:
        return Agreement(0, None, None)
    observed = sum(first[record] == second[record] for record in shared) / n
    first_rates = Counter(first[record] for record in shared)
    second_rates = Counter(second[record] for record in shared)
    expected = sum(first_rates[verdict] * second_rates[verdict] for verdict in first_rates) / (n * n)
    kappa = None if expected == 1 else (observed - expected) / (1 - expected)
    return Agreement(n, observed, kappa)
