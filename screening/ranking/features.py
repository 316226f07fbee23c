"""Turn records into one sparse feature matrix, built once per corpus.

The vectoriser is fitted on every text, labelled or not (as ASReview does): the
vocabulary and idf weights then never change while labels arrive, so each
retrain only fits the classifier.

A record's text is its title and abstract, then (after `KEYWORDS_MARKER`) its
keywords separated by ";". Keywords are controlled-vocabulary phrases (MeSH
terms, author keywords), so each whole keyword is one feature in its own block
instead of being run into the abstract's word n-grams, where generic headings
("Humans", "Female") made noisy bigrams.

Words can be cut to their first few characters (truncation stemming), so that
"depressed", "depression" and "depressive" are one feature: early in a review
the few relevant labels then count for every form of a word. It needs no
stemmer or word list, so it works the same in any language.
"""

import re
from collections import Counter
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

from screening.ranking.registry import lookup

KEYWORDS_MARKER = "\nKeywords: "


def record_text(title: str | None, abstract: str | None, keywords: str | None = None) -> str:
    """The text a record is ranked on: title and abstract, then its keywords ("a; b; c")."""
    text = " ".join(part.strip() for part in (title, abstract) if part and part.strip())
    if keywords and keywords.strip():
        text += KEYWORDS_MARKER + keywords.strip()
    return text


def split_keywords(text: str) -> tuple[str, list[str]]:
    body, _, keywords = text.partition(KEYWORDS_MARKER)
    return body, [k.strip().lower() for k in keywords.split(";") if k.strip()]


WORD = re.compile(r"(?u)\b\w\w+\b")  # scikit-learn's default token pattern


class WordPrefixes:
    """Tokeniser that cuts each word to its first `length` characters.

    Remembers how often each whole word was seen, so a feature can be shown to
    reviewers as its commonest word ("depression") rather than a stub ("depre")."""

    def __init__(self, length: int):
        self.length = length
        self.seen: Counter = Counter()

    def __call__(self, text: str) -> list[str]:
        words = WORD.findall(text)
        self.seen.update(words)
        return [word[: self.length] for word in words]

    def display_names(self, terms: np.ndarray) -> np.ndarray:
        commonest: dict[str, tuple[int, str]] = {}
        for word, count in self.seen.items():
            prefix = word[: self.length]
            if (count, word) > commonest.get(prefix, (0, "")):
                commonest[prefix] = (count, word)
        names = [" ".join(commonest[p][1] if p in commonest else p for p in term.split(" ")) for term in terms]
        return np.array(names, dtype=object)


@dataclass(frozen=True)
class Features:
    matrix: sp.csr_matrix  # one row per record
    terms: np.ndarray  # column index -> term shown to reviewers


def _block(vectoriser: TfidfVectorizer, documents) -> tuple[sp.csr_matrix, np.ndarray]:
    try:
        matrix = vectoriser.fit_transform(documents)
    except ValueError:  # every document empty, or every term pruned
        return sp.csr_matrix((len(documents), 0)), np.array([], dtype=object)
    return matrix.tocsr(), vectoriser.get_feature_names_out().astype(object)


def tfidf(
    texts: list[str],
    ngram_max: int = 2,
    min_df: int = 2,
    max_df: float = 0.95,
    keyword_weight: float = 1.0,
    word_prefix: int = 0,
) -> Features:
    """TF-IDF over word n-grams with sublinear tf, plus a block of whole keywords.

    Each block is L2-normalised per record; the keyword block is scaled by
    `keyword_weight` (0 drops keywords). `word_prefix` > 0 cuts every word of
    the title and abstract to that many characters before making n-grams."""
    n = len(texts)
    split = [split_keywords(t) for t in texts]
    prefixes = WordPrefixes(word_prefix) if word_prefix > 0 else None
    words, words_terms = _block(
        TfidfVectorizer(
            ngram_range=(1, ngram_max),
            sublinear_tf=True,
            min_df=min_df if n >= 2 * min_df else 1,
            max_df=max_df if n > 1 else 1.0,
            tokenizer=prefixes,
            token_pattern=None if prefixes else WORD.pattern,
        ),
        [body for body, _ in split],
    )
    if prefixes:
        words_terms = prefixes.display_names(words_terms)
    blocks, terms = [words], [words_terms]
    if keyword_weight > 0 and any(k for _, k in split):
        keywords, keyword_terms = _block(
            TfidfVectorizer(analyzer=lambda keywords: keywords, min_df=min_df if n >= 2 * min_df else 1),
            [k for _, k in split],
        )
        if keywords.shape[1]:  # else every keyword was pruned as too rare
            blocks.append(normalize(keywords) * keyword_weight)
            terms.append(np.array([f"keyword: {t}" for t in keyword_terms], dtype=object))
    return Features(sp.hstack(blocks, format="csr"), np.concatenate(terms))


FEATURE_EXTRACTORS = {"tfidf": tfidf}


def extract(name: str, texts: list[str], **params) -> Features:
    return lookup("feature extractor", name, FEATURE_EXTRACTORS)(texts, **params)
