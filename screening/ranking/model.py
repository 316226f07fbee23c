"""The ranker: features built once, a linear classifier refitted on every label.

Used unchanged by `screening.simulate` and by the web app's background training
job, so the benchmark measures exactly what reviewers get."""

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field

import numpy as np

from screening.ranking import balancing, classifiers, features, querying
from screening.ranking.registry import lookup


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

    def __post_init__(self):
        lookup("feature extractor", self.features, features.FEATURE_EXTRACTORS)
        lookup("classifier", self.classifier, classifiers.CLASSIFIERS)
        lookup("balancer", self.balancer, balancing.BALANCERS)
        lookup("querier", self.querier, querying.QUERIERS)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping) -> "ModelSpec":
        return cls(**data)


DEFAULT_MODEL = ModelSpec()


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
        if self.model is None:
            return TermContributions([], [])
        row = self.matrix.getrow(record_index)
        contribution = row.data * self.model.coef[row.indices]
        order = np.argsort(-contribution, kind="stable")
        up = [(str(self.terms[row.indices[i]]), float(contribution[i])) for i in order[:k] if contribution[i] > 0]
        order = np.argsort(contribution, kind="stable")
        down = [(str(self.terms[row.indices[i]]), float(contribution[i])) for i in order[:k] if contribution[i] < 0]
        return TermContributions(up, down)


def rank(texts: list[str], labels: Mapping[int, int], spec: ModelSpec = DEFAULT_MODEL) -> np.ndarray:
    """Scores for every text given {index: 0/1} labels (one-shot form of `Ranker`)."""
    ranker = Ranker(texts, spec)
    ranker.fit(labels)
    return ranker.scores()
