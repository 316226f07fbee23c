"""The summary sentences, character for character as the programme published them, on
fixtures with the same counts; and every number linked to the studies it counts."""

from extraction.reports import sentences, typology
from extraction.reports.typology import Number, Observation
from tests.extraction.test_typology import interventions

PUBLISHED_INTERVENTIONS = "18 studies of 19 interventions: DBT (n = 3); CBT (n = 3); Stepped Care (n = 3); ..."
PUBLISHED_COUNTRIES = "Studies from UK, Netherlands, Australia, and Norway."
PUBLISHED_PAPERS = "47 papers identified including 1,531 service users. 28 papers from UK."


def _interventions(by="occurrences"):
    arms = interventions()
    return typology.count(arms.observations, arms.values, order=["dbt", "cbt", "stepped"], by=by)


def test_the_interventions_sentence_as_published():
    sentence = sentences.values_sentence(_interventions(), unit="studies", of_unit="interventions", limit=3)
    assert sentence.text == PUBLISHED_INTERVENTIONS
    whole = sentences.values_sentence(_interventions(), unit="studies", of_unit="interventions").text
    assert whole.startswith(PUBLISHED_INTERVENTIONS[:-5] + "; MBT (n = 2); Peer support (n = 2)")
    assert whole.endswith("; Case management (n = 1); Family therapy (n = 1).")
    linked = {part.text: part.study_ids for part in sentence.parts if part.study_ids is not None}
    assert linked["18"] == tuple(range(1, 19)) and len(linked["19"]) == 18


def test_the_base_says_why_interventions_outnumber_studies():
    assert sentences.base_sentence(_interventions()).text == "18 studies; 19 interventions, as one study tested two."
    two = typology.count([Observation(1, "a", "r1"), Observation(1, "b", "r2"), Observation(2, "a", "r3"),
                          Observation(2, "b", "r4"), Observation(3, "a", "r5"), Observation(3, "b", "r6"),
                          Observation(3, "c", "r7")], [("a", "A"), ("b", "B"), ("c", "C")])
    assert sentences.base_sentence(two).text == "3 studies; 7 interventions, as two studies tested two and one three."
    one = typology.count([Observation(1, "a")], [("a", "A")])
    assert sentences.base_sentence(one).text == "1 study; 1 intervention."


def test_the_countries_sentence_as_published_with_the_leads_labels():
    countries = [("GB", 10), ("NL", 4), ("AU", 3), ("NO", 1)]
    observations, study = [], 0
    for code, n in countries:
        for _ in range(n):
            study += 1
            observations.append(Observation(study, code))
    counts = typology.count(observations, [("NO", "Norway"), ("AU", "Australia"), ("NL", "Netherlands"),
                                           ("GB", "United Kingdom")], labels={"GB": "UK"})
    assert sentences.list_sentence(counts, opening="Studies from").text == PUBLISHED_COUNTRIES
    two = typology.count(observations[:14], [("GB", "UK"), ("NL", "Netherlands")])
    assert sentences.list_sentence(two).text == "Studies from UK and Netherlands."
    assert sentences.list_sentence(typology.count([], [])).text == "Studies from none."


def test_the_papers_sentence_as_published():
    # 47 papers, 28 of them from the UK, 1,531 service users in all
    observations = [Observation(paper, "GB" if paper <= 28 else "IE") for paper in range(1, 48)]
    sizes = [Number(paper, 33) for paper in range(1, 47)] + [Number(47, 13)]
    assert sum(number.value for number in sizes) == 1531
    counts = typology.count(observations, [("GB", "UK"), ("IE", "Ireland")])
    total = typology.numbers_total(sizes)
    text = sentences.paragraph(
        sentences.total_sentence(counts, total, unit="papers", verb="identified", number_unit="service users"),
        sentences.value_count_sentence(counts.value("GB"), unit="papers", preposition="from"))
    assert text.text == PUBLISHED_PAPERS
    assert text.json()["parts"][0] == {"text": "47", "study_ids": list(range(1, 48))}


def test_numbers_are_written_with_thousands_and_units_agree():
    assert [sentences.number_text(n) for n in (7, 1531, 1234567, 2.5, 40.25)] == ["7", "1,531", "1,234,567", "2.5", "40.2"]
    assert sentences.unit_for(1, "papers") == "paper" and sentences.unit_for(2, "papers") == "papers"
    assert sentences.unit_for(1, "service users") == "service user"
