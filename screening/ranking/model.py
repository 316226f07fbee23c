"""The ranker: features built once, a linear classifier refitted on every label.

Used unchanged by `screening.ranking.simulate` and by the web app's background training
job, so the benchmark measures exactly what reviewers get.

Default model (`DEFAULT_MODEL`), chosen by `bench/simulate.py`
-------------------------------------------------------------
TF-IDF word uni+bigrams, sublinear tf, terms in at least 2 records, every word
cut to its first 5 characters (truncation stemming: "depressed", "depression",
"depressive" are one feature; reviewers are shown the commonest whole word);
each whole keyword one more feature (own block, at half the weight of the text
block); linear SVM C = 0.11; relevant:irrelevant total weight 10:1; certainty
("max") querying; and each retrain also learns from 100 random unlabelled
records presumed irrelevant (at most a tenth of those left), as in Cormack and
Grossman's continuous active learning (AutoTAR/BMI, the TREC Total Recall
baseline). The classifier, C and the ratio are ASReview's elas_u4 (tuned by
its authors on the SYNERGY reviews, not on ours); what we changed is the
features and the presumed-irrelevant sample, both from outside ASReview's
search space.

Mean WSS@95 / WSS@100 against ASReview LAB 3.0.8 (same files, same priors,
same scoring; "n of m" = reviews where Winnow's WSS@95 is higher):

| reviews | seeds | ASReview | Winnow |
| --- | --- | ---: | ---: |
| the four shared (`../shared/datasets/labelled`) | 1-3 | .553 / .327 | .610 / .345, 3 of 4 |
| 15 others, from ASReview's dataset repositories | 1-3 | .487 / .331 | .494 / .393, 9 of 15 |
| the same 15, priors never used for a choice | 4-6 | .469 / .325 | .492 / .390, 10 of 15 |

Every model tried, with its figures and why it won or lost, and how to
rebuild the 15 other reviews: `TRIALS.md` beside this file.
"""

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from dataclasses import fields as dataclass_fields

import numpy as np

from screening.ranking import balancing, classifiers, features, querying
from screening.ranking.registry import UnknownComponent, lookup


@dataclass(frozen=True)
class ModelSpec:
    """A model choice as plain data (stored with a review's scores)."""

    features: str = "tfidf"
    feature_params: dict = field(default_factory=dict)
    classifier: str = "svm"
    classifier_params: dict = field(default_factory=dict)
    balancer: str = "balanced"
    balancer_params: dict = field(default_factory=dict)
    querier: str = "max"
    presumed_irrelevant: int = 0  # random unlabelled records trained on as irrelevant (see balancing)

    def __post_init__(self):
        lookup("feature extractor", self.features, features.FEATURE_EXTRACTORS)
        lookup("classifier", self.classifier, classifiers.CLASSIFIERS)
        lookup("balancer", self.balancer, balancing.BALANCERS)
        lookup("querier", self.querier, querying.QUERIERS)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping) -> "ModelSpec":
        fields = {f.name: f for f in dataclass_fields(cls)}
        unknown = sorted(set(data) - set(fields))
        if unknown:
            raise UnknownComponent(
                f"Unknown model setting(s) {', '.join(unknown)}; valid settings are: {', '.join(fields)}.",
                field="model",
            )
        return cls(**data)


DEFAULT_MODEL = ModelSpec(
    features="tfidf",
    feature_params={
        "ngram_max": 2,
        "min_df": 2,
        "max_df": 0.95,
        "keyword_weight": 0.5,
        "word_prefix": 5,
    },
    classifier="svm",
    classifier_params={"C": 0.11},
    balancer="balanced",
    balancer_params={"ratio": 10.0},
    querier="max",
    presumed_irrelevant=100,
)


@dataclass(frozen=True)
class TermContributions:
    """Terms of one record with their share of its score (feature value x weight)."""

    up: list[tuple[str, float]]  # strongest push towards relevant first
    down: list[tuple[str, float]]  # strongest push towards irrelevant first


class Ranker:
    """Scores every record of a corpus from the labels known so far.

    `fit(labels)` takes {record index: 0/1}; it needs at least one relevant and
    one irrelevant label, otherwise every score stays 0 and the queue is import order.
    """

    def __init__(self, texts: list[str], spec: ModelSpec = DEFAULT_MODEL, random_state: int = 0):
        self.spec = spec
        self.random_state = random_state
        built = features.extract(spec.features, list(texts), **spec.feature_params)
        self.matrix = built.matrix
        self.terms = built.terms
        self.model: classifiers.LinearModel | None = None
        self._scores = np.zeros(self.matrix.shape[0])

    @property
    def n_records(self) -> int:
        return self.matrix.shape[0]

    def fit(self, labels: Mapping[int, int]) -> bool:
        """Retrain on `labels`; True if a model was trained."""
        index = np.fromiter(labels.keys(), dtype=np.int64, count=len(labels))
        y = np.fromiter((int(v) for v in labels.values()), dtype=np.int64, count=len(labels))
        if len(np.unique(y)) < 2 or self.matrix.shape[1] == 0:
            self.model = None
            self._scores = np.zeros(self.n_records)
            return False
        index, y = balancing.presume_irrelevant(
            index, y, self.n_records, self.spec.presumed_irrelevant, seed=(self.random_state, len(labels))
        )
        weight = balancing.weights(self.spec.balancer, y, **self.spec.balancer_params)
        self.model = classifiers.fit(
            self.spec.classifier,
            self.matrix[index],
            y,
            weight,
            random_state=self.random_state,
            **self.spec.classifier_params,
        )
        self._scores = self.model.decision(self.matrix)
        return True

    def scores(self) -> np.ndarray:
        """One score per record, higher = more likely relevant (a linear decision value)."""
        return self._scores.copy()

    def queue(self, candidates) -> np.ndarray:
        """Candidate record indices in the order reviewers should see them."""
        return querying.queue(self.spec.querier, self._scores, np.asarray(candidates))

    def top_terms(self, record_index: int, k: int = 5) -> TermContributions:
        """The k terms that pushed this record's score up most, and the k that pushed it down."""
        return self.all_top_terms(k, rows=np.array([record_index]))[0]

    def all_top_terms(self, k: int = 5, rows: np.ndarray | None = None) -> list[TermContributions]:
        """``top_terms`` for every record (or ``rows``) at once, in k vectorised passes over the
        whole matrix: one sort per record took half of a training's time."""
        matrix = (self.matrix if rows is None else self.matrix[rows]).tocsr()
        if self.model is None or matrix.shape[0] == 0:
            return [TermContributions([], []) for _ in range(matrix.shape[0])]
        contribution = matrix.data * self.model.coef[matrix.indices]
        up, down = (_largest_per_row(matrix.indptr, sign * contribution, k) for sign in (1, -1))

        def named(picked: np.ndarray) -> list[tuple[str, float]]:
            return [(str(self.terms[matrix.indices[i]]), float(contribution[i])) for i in picked if i >= 0]

        return [TermContributions(named(up[row]), named(down[row])) for row in range(matrix.shape[0])]


def _largest_per_row(indptr: np.ndarray, values: np.ndarray, k: int) -> np.ndarray:
    """Positions of each CSR row's k largest positive values, largest first, ties in the row's
    order; -1 where a row has fewer."""
    n = len(indptr) - 1
    row_of = np.repeat(np.arange(n), np.diff(indptr))
    starts, filled = indptr[:-1], np.diff(indptr) > 0
    work = np.where(values > 0, values, -np.inf)
    picked = np.full((n, k), -1)
    for rank in range(k):
        best = np.full(n, -np.inf)
        best[filled] = np.maximum.reduceat(work, starts[filled])
        hits = np.flatnonzero((work == best[row_of]) & np.isfinite(work))
        rows, first = np.unique(row_of[hits], return_index=True)
        picked[rows, rank] = hits[first]
        work[hits[first]] = -np.inf
    return picked


def rank(texts: list[str], labels: Mapping[int, int], spec: ModelSpec = DEFAULT_MODEL) -> np.ndarray:
    """Scores for every text given {index: 0/1} labels (one-shot form of `Ranker`)."""
    ranker = Ranker(texts, spec)
    ranker.fit(labels)
    return ranker.scores()
