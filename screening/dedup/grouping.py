"""Turn pairwise verdicts into merge groups without chaining distinct studies.

Plain union-find over automatic pairs is single linkage: A~B and B~C merge A
with C even when A and C are two different reports that each resemble B (a
protocol, its results paper, and a record whose title is cut short). Here a
group only grows when *every* record joining it has an automatic verdict with
*every* record already in it (complete linkage). Pairs are taken strongest
first, so a borderline link never blocks a clear one. An automatic pair left
unmerged by this rule goes to a person instead.

One exception: an erratum named by one record of an article's group joins the
whole group, as long as it is alike with every other record of it but for
the pages and kind an erratum has by nature (``DuplicatePair.erratum``); the
other records of the article need not name it too."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace

from screening.dedup.compare import DuplicatePair

CHAIN_REASON = "not merged automatically: its group would hold records that are not all alike"


def _plan(n: int, pairs: Iterable[DuplicatePair]) -> tuple[list[list[int]], list[DuplicatePair]]:
    pairs = list(pairs)
    auto = {(p.left, p.right) for p in pairs if p.decision == "auto"}
    auto_or_erratum = auto | {(p.left, p.right) for p in pairs if p.erratum}
    group_of = list(range(n))
    members: dict[int, list[int]] = {i: [i] for i in range(n)}
    refused: list[DuplicatePair] = []
    ordered = sorted((p for p in pairs if p.decision == "auto"), key=lambda p: (-p.score, p.left, p.right))
    for pair in ordered:
        ga, gb = group_of[pair.left], group_of[pair.right]
        if ga == gb:
            continue
        alike = auto_or_erratum if pair.erratum else auto
        if all((min(x, y), max(x, y)) in alike for x in members[ga] for y in members[gb]):
            if len(members[ga]) < len(members[gb]):
                ga, gb = gb, ga
            for x in members[gb]:
                group_of[x] = ga
            members[ga].extend(members.pop(gb))
        else:
            refused.append(pair)
    groups = sorted(sorted(m) for m in members.values() if len(m) > 1)
    return groups, refused


def group_duplicates(n: int, pairs: Iterable[DuplicatePair]) -> list[list[int]]:
    """Groups (sorted lists of at least two indices in ``range(n)``) to merge
    automatically; records in no group stay as they are."""
    return _plan(n, pairs)[0]


def pairs_for_review(n: int, pairs: Sequence[DuplicatePair]) -> list[DuplicatePair]:
    """The pairs a person should decide: every candidate pair, and every
    automatic pair the grouping refused (re-labelled ``candidate``), except
    pairs whose two records already sit in one automatic group, and only the
    strongest pair between two groups (or a group and a record): a person
    decides about the merged records, so one decision covers them all."""
    groups, refused = _plan(n, pairs)
    group_of = {i: g[0] for g in groups for i in g}
    out = [replace(p, decision="candidate", score=min(p.score, 0.89), reasons=p.reasons + (CHAIN_REASON,))
           for p in refused]
    out += [p for p in pairs if p.decision == "candidate"]
    shown: dict[tuple[int, int], DuplicatePair] = {}
    for p in sorted(out, key=lambda p: (-p.score, p.left, p.right)):
        left, right = group_of.get(p.left, p.left), group_of.get(p.right, p.right)
        if left != right:
            shown.setdefault((min(left, right), max(left, right)), p)
    return list(shown.values())
