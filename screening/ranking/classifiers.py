"""Linear classifiers the ranker can fit, by name.

Each one fits labelled rows and returns a `LinearModel`: a weight per feature
and an intercept. Keeping every choice linear means one scoring path (a sparse
matrix-vector product over the whole corpus) and one explanation path (feature
value x weight) whatever the classifier."""

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression
from sklearn.naive_bayes import MultinomialNB
from sklearn.svm import LinearSVC

from screening.ranking.registry import lookup


@dataclass(frozen=True)
class LinearModel:
    coef: np.ndarray  # one weight per feature column
    intercept: float

    def decision(self, matrix: sp.spmatrix) -> np.ndarray:
        return np.asarray(matrix @ self.coef).ravel() + self.intercept


def svm(x, y, weight, C: float = 0.11, random_state: int = 0) -> LinearModel:
    """Linear SVM (squared hinge), ASReview's default classifier."""
    model = LinearSVC(C=C, loss="squared_hinge", random_state=random_state).fit(x, y, sample_weight=weight)
    return LinearModel(model.coef_.ravel().copy(), float(model.intercept_[0]))


def logistic(x, y, weight, C: float = 1.0, random_state: int = 0) -> LinearModel:
    """L2 logistic regression; its decision value is the log-odds of relevance."""
    model = LogisticRegression(C=C, solver="liblinear", random_state=random_state).fit(x, y, sample_weight=weight)
    return LinearModel(model.coef_.ravel().copy(), float(model.intercept_[0]))


def naive_bayes(x, y, weight, alpha: float = 3.822, random_state: int = 0) -> LinearModel:
    """Multinomial naive Bayes; for two classes its log-odds is linear in the features."""
    model = MultinomialNB(alpha=alpha).fit(x, y, sample_weight=weight)
    log_prob = model.feature_log_prob_
    prior = model.class_log_prior_
    return LinearModel((log_prob[1] - log_prob[0]).copy(), float(prior[1] - prior[0]))


CLASSIFIERS = {"svm": svm, "logistic": logistic, "naive_bayes": naive_bayes}


def fit(name: str, x, y, weight, random_state: int = 0, **params) -> LinearModel:
    """Fit the named classifier; `random_state` makes solvers that shuffle repeatable."""
    return lookup("classifier", name, CLASSIFIERS)(x, y, weight, random_state=random_state, **params)
