"""Turn records into one sparse feature matrix, built once per corpus.

The vectoriser is fitted on every text, labelled or not (as ASReview does): the
vocabulary and idf weights then never change while labels arrive, so each
retrain only fits the classifier.

A record's text is its title and abstract, then (after `KEYWORDS_MARKER`) its
keywords separated by ";". Keywords are controlled-vocabulary phrases (MeSH
terms, author keywords), so each whole keyword is one feature in its own block
instead of being run into the abstract's word n-grams, where generic headings
("Humans", "Female") made noisy bigrams.
"""

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
) -> Features:
    """TF-IDF over word n-grams with sublinear tf, plus a block of whole keywords.

    Each block is L2-normalised per record; the keyword block is scaled by
    `keyword_weight` (0 drops keywords)."""
    n = len(texts)
    split = [split_keywords(t) for t in texts]
    words, words_terms = _block(
        TfidfVectorizer(
            ngram_range=(1, ngram_max),
            sublinear_tf=True,
            min_df=min_df if n >= 2 * min_df else 1,
            max_df=max_df if n > 1 else 1.0,
        ),
        [body for body, _ in split],
    )
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
