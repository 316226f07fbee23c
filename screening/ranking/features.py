"""Turn records into one sparse feature matrix, built once per corpus.

The vectoriser is fitted on every text, labelled or not (as ASReview does): the
vocabulary and idf weights then never change while labels arrive, so each
retrain only fits the classifier."""

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer

from screening.ranking.registry import lookup


def record_text(title: str | None, abstract: str | None, keywords: str | None = None) -> str:
    """The text a record is ranked on: title, abstract and keywords."""
    return " ".join(part.strip() for part in (title, abstract, keywords) if part and part.strip())


@dataclass(frozen=True)
class Features:
    matrix: sp.csr_matrix  # one row per record
    terms: np.ndarray  # column index -> term shown to reviewers


def tfidf(texts: list[str], ngram_max: int = 2, min_df: int = 1, max_df: float = 0.95) -> Features:
    """TF-IDF over word n-grams with sublinear term frequency (the issue's baseline)."""
    vectoriser = TfidfVectorizer(
        ngram_range=(1, ngram_max),
        sublinear_tf=True,
        min_df=min_df,
        max_df=max_df if len(texts) > 1 else 1.0,
        dtype=np.float64,
    )
    try:
        matrix = vectoriser.fit_transform(texts)
    except ValueError:  # every text empty, or every term pruned: nothing to learn from
        return Features(sp.csr_matrix((len(texts), 0)), np.array([], dtype=object))
    return Features(matrix.tocsr(), vectoriser.get_feature_names_out())


FEATURE_EXTRACTORS = {"tfidf": tfidf}


def extract(name: str, texts: list[str], **params) -> Features:
    return lookup("feature extractor", name, FEATURE_EXTRACTORS)(texts, **params)
