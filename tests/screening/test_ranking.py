"""Ranking: learns from labels, explains itself, refuses unknown components."""

import numpy as np
import pytest

from screening.ranking.features import record_text
from screening.ranking.model import DEFAULT_MODEL, ModelSpec, Ranker, rank
from screening.ranking.registry import UnknownComponent
from screening.ranking.classifiers import CLASSIFIERS

STATIN = [
    "Statin therapy lowers cholesterol in a randomised trial of adults",
    "Randomised trial of statin dose and LDL cholesterol",
    "Cholesterol lowering with statin drugs: a randomised controlled trial",
    "Effect of statin treatment on cholesterol and cardiovascular events",
]
OTHER = [
    "Soil bacteria diversity in alpine meadows",
    "Machine translation of legal documents",
    "Alpine meadow plant survey after drought",
    "Legal translation quality and machine errors",
    "Bacteria in river sediment samples",
    "Drought effects on soil moisture in meadows",
]


def corpus():
    # Interleave so that import order alone would not put the statin records first.
    texts = [STATIN[0], OTHER[0], OTHER[1], STATIN[1], OTHER[2], OTHER[3], STATIN[2], OTHER[4], OTHER[5], STATIN[3]]
    relevant = {i for i, t in enumerate(texts) if t in STATIN}
    return texts, relevant


@pytest.mark.parametrize("classifier", sorted(CLASSIFIERS))
def test_obviously_relevant_records_rank_first(classifier):
    texts, relevant = corpus()
    labels = {0: 1, 1: 0}  # one statin trial relevant, one soil study irrelevant
    scores = rank(texts, labels, ModelSpec(classifier=classifier))
    unlabelled = [i for i in range(len(texts)) if i not in labels]
    top = sorted(unlabelled, key=lambda i: -scores[i])[: len(relevant) - 1]
    assert set(top) == relevant - {0}


def test_queue_is_ranked_order_of_candidates():
    texts, relevant = corpus()
    ranker = Ranker(texts)
    ranker.fit({0: 1, 1: 0})
    queue = list(ranker.queue([i for i in range(len(texts)) if i not in (0, 1)]))
    assert set(queue[:3]) == relevant - {0}
    assert sorted(queue) == [2, 3, 4, 5, 6, 7, 8, 9]


def test_without_both_classes_the_queue_is_import_order():
    texts, _ = corpus()
    ranker = Ranker(texts)
    assert ranker.fit({0: 1, 3: 1}) is False
    assert np.all(ranker.scores() == 0)
    assert list(ranker.queue([9, 2, 5])) == [9, 2, 5]  # ties keep the order given
    assert ranker.top_terms(2).up == []


def test_ranker_and_rank_agree():
    texts, _ = corpus()
    labels = {0: 1, 1: 0, 2: 0}
    ranker = Ranker(texts)
    ranker.fit(labels)
    assert np.allclose(ranker.scores(), rank(texts, labels))


@pytest.mark.parametrize(
    "field, name, valid",
    [
        ("classifier", "random_forest", "logistic"),
        ("balancer", "double", "balanced"),
        ("features", "doc2vec", "tfidf"),
        ("querier", "uncertainty", "max"),
    ],
)
def test_unknown_component_names_list_the_valid_ones(field, name, valid):
    with pytest.raises(UnknownComponent) as caught:
        ModelSpec(**{field: name})
    assert name in str(caught.value)
    assert valid in str(caught.value)


def test_model_choice_is_plain_data():
    stored = DEFAULT_MODEL.to_dict()
    assert ModelSpec.from_dict(stored) == DEFAULT_MODEL
    with pytest.raises(UnknownComponent):
        ModelSpec.from_dict({**stored, "classifier": "bert"})
    with pytest.raises(UnknownComponent, match="classifier_params"):
        ModelSpec.from_dict({**stored, "classifer_params": {}})


def test_closed_form_naive_bayes_equals_sklearn():
    import scipy.sparse as sp
    from sklearn.naive_bayes import MultinomialNB

    from screening.ranking.classifiers import naive_bayes

    rng = np.random.default_rng(0)
    x = sp.random(200, 300, density=0.05, format="csr", random_state=1)
    y = (rng.random(200) < 0.2).astype(int)
    weight = rng.random(200) + 0.1
    ours = naive_bayes(x, y, weight, alpha=3.822)
    theirs = MultinomialNB(alpha=3.822).fit(x, y, sample_weight=weight).predict_joint_log_proba(x)
    assert np.allclose(ours.decision(x), theirs[:, 1] - theirs[:, 0])


def test_top_terms_name_the_words_that_drive_the_score():
    texts, _ = corpus()
    ranker = Ranker(texts)
    ranker.fit({0: 1, 1: 0, 2: 0, 4: 0})
    # A record mixing the relevant topic with an irrelevant one.
    mixed = Ranker(texts + ["Statin cholesterol effects on soil bacteria"])
    mixed.fit({0: 1, 1: 0, 2: 0, 4: 0})
    terms = mixed.top_terms(len(texts), k=3)
    up_words = {term for term, _ in terms.up}
    down_words = {term for term, _ in terms.down}
    assert up_words & {"statin", "cholesterol", "statin cholesterol"}
    assert down_words & {"soil", "bacteria", "soil bacteria"}
    assert all(weight > 0 for _, weight in terms.up)
    assert all(weight < 0 for _, weight in terms.down)
    assert [w for _, w in terms.up] == sorted((w for _, w in terms.up), reverse=True)
    assert len(terms.up) <= 3 and len(terms.down) <= 3


def test_top_terms_add_up_to_the_score():
    texts, _ = corpus()
    ranker = Ranker(texts)
    ranker.fit({0: 1, 1: 0})
    terms = ranker.top_terms(3, k=10_000)
    total = sum(w for _, w in terms.up) + sum(w for _, w in terms.down)
    assert total + ranker.model.intercept == pytest.approx(ranker.scores()[3])


def test_record_text_joins_title_abstract_and_keywords():
    assert record_text("A title", " An abstract. ", "Humans; Child") == "A title An abstract.\nKeywords: Humans; Child"
    assert record_text("Only title", None, "") == "Only title"


def test_each_keyword_is_one_feature_and_can_explain_a_score():
    texts = [
        record_text("Trial one", "Children with the disorder were treated.", "Attention Deficit Disorder; Humans"),
        record_text("Trial two", "Children with the disorder were treated.", "Attention Deficit Disorder; Child"),
        record_text("Survey one", "Adults answered a survey about work.", "Humans; Employment"),
        record_text("Survey two", "Adults answered a survey about work.", "Employment; Adult"),
    ]
    ranker = Ranker(texts)
    assert "keyword: attention deficit disorder" in set(ranker.terms)
    assert not any("humans child" in t for t in ranker.terms)  # no n-grams across keywords
    ranker.fit({0: 1, 2: 0})
    up = [term for term, _ in ranker.top_terms(1, k=10).up]
    assert "keyword: attention deficit disorder" in up


def test_presumed_irrelevant_records_are_drawn_from_the_unlabelled_and_repeatable():
    from screening.ranking.balancing import presume_irrelevant

    index, y = np.array([0, 5]), np.array([1, 0])
    drawn_index, drawn_y = presume_irrelevant(index, y, n_records=1000, count=50, seed=(0, 2))
    assert list(drawn_index[:2]) == [0, 5] and list(drawn_y[:2]) == [1, 0]
    extra = drawn_index[2:]
    assert len(extra) == 50 and len(set(extra)) == 50 and not set(extra) & {0, 5}
    assert np.all(drawn_y[2:] == 0)
    again, _ = presume_irrelevant(index, y, n_records=1000, count=50, seed=(0, 2))
    assert np.array_equal(again, drawn_index)


def test_never_more_than_a_tenth_of_the_unlabelled_records_are_presumed_irrelevant():
    from screening.ranking.balancing import presume_irrelevant

    index, y = np.array([0, 1]), np.array([1, 0])
    assert len(presume_irrelevant(index, y, n_records=302, count=100, seed=0)[0]) == 2 + 30
    assert len(presume_irrelevant(index, y, n_records=10, count=100, seed=0)[0]) == 2  # small review: none


def test_ranking_with_presumed_irrelevant_records_is_the_same_for_the_same_labels():
    texts, _ = corpus()
    texts = texts * 30  # large enough for a draw
    spec = ModelSpec(presumed_irrelevant=20)
    labels = {0: 1, 1: 0}
    first, second = Ranker(texts, spec), Ranker(texts, spec)
    first.fit(labels)
    second.fit(labels)
    assert np.array_equal(first.scores(), second.scores())


def test_word_prefixes_join_forms_of_a_word_and_show_the_commonest_whole_word():
    from screening.ranking.features import tfidf

    texts = ["Depression in mice", "Depressive symptoms in rats", "Depression trial", "Soil survey"]
    built = tfidf(texts, min_df=1, word_prefix=5)
    terms = list(built.terms)
    assert "depression" in terms and "depressive" not in terms  # one feature for both forms
    assert "depression symptoms" in terms  # bigrams are shown with whole words too
    column = terms.index("depression")
    assert np.all(built.matrix[:3, column].toarray() > 0) and built.matrix[3, column] == 0
