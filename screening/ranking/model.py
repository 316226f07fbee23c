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
