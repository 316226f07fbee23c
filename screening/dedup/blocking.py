"""Which pairs of records are worth comparing at all.

Comparing every pair of 50,000 records is 1.25 billion comparisons; records
that are one report share something exact, so each record goes into a few
blocks and only records sharing a block are compared:

* the DOI, the PMID;
* each pair of the title's three rarest words (a duplicate's title has the
  same rare words, whatever its case, punctuation, word order or database
  notes; of three words a typo in one still leaves a pair). Words are read
  with British and American spellings made one (haemolytic/hemolytic,
  randomised/randomized), and the last word of a long title is left out, as
  databases cut long titles short mid-word. A pair of rare words is shared by
  few titles, so these blocks are small; a single rare word was not
  (at 100,000 records its blocks held thousands of titles);
* the first 32 letters of the title (a title cut short, or whose rare words
  are misspelled);
* first author with year, first author with first page, and journal
  initials with volume and first page (catch a translated title, which
  shares no words).

Each record sits in at most ten blocks, so the number of pairs grows with
the number of records times the block size. Pairs from blocks keyed on the
title or first author are kept only when their titles are alike
(``rapidfuzz.process.cpdist``, all such pairs scored at once in C); a key
shared by more than ``MAX_BLOCK`` records says nothing about identity and is
dropped (the other keys still place those records).

A title key shared by more than ``WIDE_BLOCK`` records (an export of a series
whose titles differ by a word or a number: "Annual report 1990", "Annual report
1991" ...) would otherwise put every pair of them to ``compare``, most of them
alike in title: 2,000 such records made 578,000 pairs and took 48 s. In such a
block each record is paired only with the ``WINDOW`` titles that follow it in
alphabetical order, where a copy of its own title sorts (the sorted-neighbourhood
method), so the pairs grow with the block, not with its square."""

from __future__ import annotations

import itertools
import re
from collections import Counter, defaultdict
from functools import lru_cache

import numpy as np
from rapidfuzz import fuzz, process

from screening.dedup.compare import TEAM_TITLE
from screening.dedup.normalise import Prepared, page_number

MAX_BLOCK = 3000
WIDE_BLOCK = 100  # the largest title block of the hand-labelled sets holds 29 records
WINDOW = 50
RARE_WORDS = 3
HEAD = 32
# Databases cut titles at 200 to 255 characters, often mid-word.
LONG_TITLE = 150
# token_set_ratio below which a pair from a title block is not compared:
# ``compare`` shows nothing below TEAM_TITLE unless a page or an id agrees,
# and those have blocks of their own.
BLOCK_TITLE_CUTOFF = TEAM_TITLE

# British spellings read as American, for blocking only: haem/hem, oedema/edema,
# randomise/randomize, tumour/tumor, centre/center, analyse/analyze.
_SPELLING = ((re.compile(r"ae|oe"), "e"), (re.compile(r"is(e|es|ed|ing|ation|ations)$"), r"iz\1"),
             (re.compile(r"our(s?)$"), r"or\1"), (re.compile(r"tre(s?)$"), r"ter\1"),
             (re.compile(r"yse(s?)$"), r"yze\1"))


@lru_cache(maxsize=1 << 18)  # words repeat across titles
def spelling_key(word: str) -> str:
    for pattern, replacement in _SPELLING:
        word = pattern.sub(replacement, word)
    return word


def _rare_words(prepped: list[Prepared]) -> list[list[str]]:
    """Each title's ``RARE_WORDS`` rarest words (rarest in this set of records)."""
    words = []
    for p in prepped:
        content = p.words
        if len(p.title) >= LONG_TITLE:
            content = content - {p.title.rsplit(" ", 1)[-1]}
        words.append({spelling_key(w) for w in content if len(w) > 2})
    freq: Counter[str] = Counter()
    for ws in words:
        freq.update(ws)
    # Rarest first, ties in alphabetical order (two stable sorts in C).
    return [sorted(sorted(ws), key=freq.__getitem__)[:RARE_WORDS] for ws in words]


def _blocks(prepped: list[Prepared]) -> tuple[dict[tuple, list[int]], dict[tuple, list[int]]]:
    """(blocks whose pairs need alike titles, blocks whose pairs are all compared),
    each a key and the indices of its records in ascending order."""
    by_title: dict[tuple, list[int]] = defaultdict(list)
    exact: dict[tuple, list[int]] = defaultdict(list)
    for idx, (p, rare) in enumerate(zip(prepped, _rare_words(prepped))):
        if p.doi:
            exact[("doi", p.doi)].append(idx)
        if p.pmid:
            exact[("pmid", p.pmid)].append(idx)
        if len(rare) == 1:
            by_title[("word", rare[0])].append(idx)
        for pair in itertools.combinations(sorted(rare), 2):
            by_title[("words", *pair)].append(idx)
        if len(p.title) >= HEAD // 2:
            squeezed = p.title.replace(" ", "")
            if len(squeezed) >= HEAD // 2:
                by_title[("head", squeezed[:HEAD])].append(idx)
        if p.surnames:
            first_author = p.surnames[0]
            if p.year:
                by_title[("author-year", first_author, p.year)].append(idx)
            if p.first_page:
                page = page_number(p.first_page)
                exact[("author-page", first_author, page)].append(idx)
        if p.first_page and p.volume:
            page = page_number(p.first_page)
            for initials in p.journal_initials:
                exact[("journal-volume-page", initials, p.volume, page)].append(idx)
    return by_title, exact


def _block_pairs(blocks: dict[tuple, list[int]], n: int, titles: list[str] | None = None) -> np.ndarray:
    """Every pair of each block of 2 to ``MAX_BLOCK`` records, as sorted unique codes ``i * n + j`` (i < j).
    Given ``titles``, a block of more than ``WIDE_BLOCK`` gives only each record's pairs with
    the ``WINDOW`` records after it in the order of their titles, however large the block."""
    small: list[int] = []
    bigger: list[np.ndarray] = []
    for members in blocks.values():
        size = len(members)
        if titles is not None and size > WIDE_BLOCK:
            ordered = np.asarray(sorted(members, key=lambda index: (titles[index], index)), dtype=np.int64)
            for step in range(1, min(WINDOW, size - 1) + 1):
                left, right = ordered[:-step], ordered[step:]
                bigger.append(np.minimum(left, right) * n + np.maximum(left, right))
        elif size == 2:
            small.append(members[0] * n + members[1])
        elif 2 < size <= 16:  # numpy's set-up costs more than a small block's pairs
            small.extend(i * n + j for i, j in itertools.combinations(members, 2))
        elif 16 < size <= MAX_BLOCK:
            at = np.asarray(members, dtype=np.int64)
            left, right = np.triu_indices(size, 1)
            bigger.append(at[left] * n + at[right])
    return np.unique(np.concatenate([np.asarray(small, dtype=np.int64), *bigger]))


def candidate_pairs(prepped: list[Prepared]) -> list[tuple[int, int]]:
    """Each pair of indices (i < j) sharing a block, once, in ascending order."""
    n = len(prepped)
    by_title, exact = _blocks(prepped)
    titles = [p.title for p in prepped]
    exact_codes = _block_pairs(exact, n)
    title_codes = np.setdiff1d(_block_pairs(by_title, n, titles), exact_codes, assume_unique=True)
    # Scoring titles is most of the cost of blocking: all pairs at once, in C,
    # on every core (rapidfuzz releases the GIL).
    lefts, rights = (title_codes // n).tolist(), (title_codes % n).tolist()
    scores = process.cpdist([titles[i] for i in lefts], [titles[j] for j in rights], scorer=fuzz.token_set_ratio,
                            dtype=np.uint8, score_cutoff=BLOCK_TITLE_CUTOFF, workers=-1)
    codes = np.union1d(exact_codes, title_codes[scores >= BLOCK_TITLE_CUTOFF])
    return list(zip((codes // n).tolist(), (codes % n).tolist()))
