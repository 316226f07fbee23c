"""Which pairs of records are worth comparing at all.

Comparing every pair of 50,000 records is 1.25 billion comparisons; records
that are one report share something exact, so each record goes into a few
blocks and only records sharing a block are compared:

* the DOI, the PMID;
* each of the title's two rarest words (a duplicate's title has the same rare
  words, whatever its case, punctuation, word order or database notes; two
  words, so that a typo in one still leaves the other);
* the first and the last 24 letters of the title (catches titles whose rare
  words are spelled differently, e.g. haemolytic/hemolytic);
* first author with first page, and journal initials with volume and first
  page (catch a translated title, which shares no words).

Each record sits in at most eight blocks, so the number of pairs grows with
the number of records times the block size. Blocks bigger than
``SMALL_BLOCK`` keyed on the title or first author are filtered with
``rapidfuzz.process.cdist`` on titles in C; a key shared by more than
``MAX_BLOCK`` records says nothing about identity and is dropped (the other
keys still place those records)."""

from __future__ import annotations

import os
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from functools import partial

import numpy as np
from rapidfuzz import fuzz, process

from screening.dedup.compare import TEAM_TITLE
from screening.dedup.normalise import STOPWORDS, Prepared

SMALL_BLOCK = 8
MAX_BLOCK = 3000
RARE_WORDS = 3
AFFIX = 24
# token_set_ratio below which a pair from a title block is not compared:
# ``compare`` shows nothing below TEAM_TITLE unless a page or an id agrees,
# and those have blocks of their own.
BLOCK_TITLE_CUTOFF = TEAM_TITLE
TITLE_KEYS = frozenset({"word", "head", "tail", "author-year"})


def _rare_words(prepped: list[Prepared]) -> list[list[str]]:
    freq: Counter[str] = Counter()
    words = []
    for p in prepped:
        ws = [t for t in p.tokens if len(t) > 2 and t not in STOPWORDS and not t.isdigit()]
        freq.update(ws)
        words.append(ws)
    return [sorted(ws, key=lambda w: (freq[w], w))[:RARE_WORDS] for ws in words]


def _keys(p: Prepared, rare: list[str]) -> Iterable[tuple]:
    if p.doi:
        yield ("doi", p.doi)
    if p.pmid:
        yield ("pmid", p.pmid)
    for word in rare:
        yield ("word", word)
    squeezed = p.title.replace(" ", "")
    if len(squeezed) >= AFFIX // 2:
        yield ("head", squeezed[:AFFIX])
        yield ("tail", squeezed[-AFFIX:])
    if p.surnames and p.year:
        yield ("author-year", p.surnames[0], p.year)
    if p.first_page and p.surnames:
        yield ("author-page", p.surnames[0], p.first_page)
    if p.first_page and p.volume:
        for variant in p.journals:
            yield ("journal-volume-page", "".join(t[0] for t in variant), p.volume, p.first_page)


def _alike_titles(prepped: list[Prepared], members: list[int]) -> list[tuple[int, int]]:
    """The pairs of a big title block whose titles are alike enough to compare."""
    titles = [prepped[m].title for m in members]
    scores = process.cdist(titles, titles, scorer=fuzz.token_set_ratio, dtype=np.uint8,
                           score_cutoff=BLOCK_TITLE_CUTOFF)
    xs, ys = np.nonzero(np.triu(scores, k=1))
    return [(members[x], members[y]) for x, y in zip(xs.tolist(), ys.tolist())]


def candidate_pairs(prepped: list[Prepared]) -> Iterator[tuple[int, int]]:
    """Each pair of indices (i < j) sharing a block, once."""
    blocks: dict[tuple, list[int]] = defaultdict(list)
    for idx, (p, rare) in enumerate(zip(prepped, _rare_words(prepped))):
        for key in set(_keys(p, rare)):
            blocks[key].append(idx)
    n = len(prepped)
    seen: set[int] = set()
    title_blocks = []
    for key, members in blocks.items():
        size = len(members)
        if size < 2 or size > MAX_BLOCK:
            continue
        if size <= SMALL_BLOCK or key[0] not in TITLE_KEYS:
            for x in range(size):
                for y in range(x + 1, size):
                    i, j = members[x], members[y]
                    if i * n + j not in seen:
                        seen.add(i * n + j)
                        yield i, j
        else:
            title_blocks.append(members)
    # Scoring titles is most of the cost of blocking. rapidfuzz releases the
    # GIL while it scores, so a thread per core scores blocks side by side
    # (and beside the caller comparing the pairs already given).
    with ThreadPoolExecutor(max_workers=os.cpu_count()) as pool:
        for found in pool.map(partial(_alike_titles, prepped), title_blocks):
            for i, j in found:
                if i * n + j not in seen:
                    seen.add(i * n + j)
                    yield i, j
