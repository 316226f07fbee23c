"""The typology, counted by hand: studies per value, a study with two interventions counted once
per value and its two rows counted too, numbers by a choice field, two fields crossed, the
nested table; then the same read from a form's consensus, where only final consensus counts."""

import pytest

from extraction import extracting, forms
from extraction.models import FieldType
from extraction.reports import typology
from extraction.reports.typology import Dimension, Number, Observation
from extraction.studies import included_studies
from extraction.values import Entry, Node, Row
from screening.review.errors import InvalidInput
from tests.factories import include_records

# 18 studies of 19 interventions: study 1 tested DBT and CBT, in two arms.
INTERVENTIONS = {"dbt": "DBT", "cbt": "CBT", "stepped": "Stepped Care", "mbt": "MBT", "peer": "Peer support",
                 "crisis": "Crisis house", "steps": "STEPPS", "case": "Case management", "family": "Family therapy"}
FORM_ORDER = ["mbt", "peer", "crisis", "steps", "case", "family", "stepped", "cbt", "dbt"]
ARMS = [(1, "dbt"), (1, "cbt"), (2, "dbt"), (3, "dbt"), (4, "cbt"), (5, "cbt"), (6, "stepped"), (7, "stepped"),
        (8, "stepped"), (9, "mbt"), (10, "mbt"), (11, "peer"), (12, "peer"), (13, "crisis"), (14, "crisis"),
        (15, "steps"), (16, "steps"), (17, "case"), (18, "family")]


def interventions() -> Dimension:
    return Dimension("arm", "Intervention", [(key, INTERVENTIONS[key]) for key in FORM_ORDER],
                     [Observation(study, key, f"g1:{study}-{index}") for index, (study, key) in enumerate(ARMS)],
                     group="Arms")


def test_each_study_counts_once_per_value_and_the_base_counts_the_rows():
    counts = typology.count(interventions().observations, interventions().values, population=range(1, 20),
                            order=["dbt", "cbt", "stepped"])
    assert (counts.n, counts.occurrences, counts.several, counts.without) == (18, 19, {1: 2}, (19,))
    assert [(value.label, value.n) for value in counts.values] == [
        ("DBT", 3), ("CBT", 3), ("Stepped Care", 3), ("MBT", 2), ("Peer support", 2), ("Crisis house", 2),
        ("STEPPS", 2), ("Case management", 1), ("Family therapy", 1)]
    assert counts.value("dbt").study_ids == (1, 2, 3) and counts.value("cbt").study_ids == (1, 4, 5)


def test_ties_keep_the_form_order_unless_the_lead_orders_them():
    counts = typology.count(interventions().observations, interventions().values)
    assert [value.key for value in counts.values[:3]] == ["stepped", "cbt", "dbt"]
    counts = typology.count(interventions().observations, interventions().values, order=["cbt"])
    assert [value.key for value in counts.values[:3]] == ["cbt", "stepped", "dbt"]


def test_a_value_twice_in_one_study_counts_one_study_and_two_rows():
    observations = [Observation(1, "cbt", "g1:a"), Observation(1, "cbt", "g1:b"), Observation(2, "cbt", "g1:c"),
                    Observation(2, "cbt", "g1:c")]  # the same observation twice counts once
    counts = typology.count(observations, [("cbt", "CBT")])
    assert (counts.value("cbt").n, counts.value("cbt").occurrences, counts.occurrences) == (2, 3, 3)
    more = observations + [Observation(3, "dbt"), Observation(4, "dbt")]
    by_studies = typology.count(more, [("dbt", "DBT"), ("cbt", "CBT")])
    assert [value.key for value in by_studies.values] == ["dbt", "cbt"]  # 2 studies each: the form's order
    by_rows = typology.count(more, [("dbt", "DBT"), ("cbt", "CBT")], by="occurrences")
    assert [value.key for value in by_rows.values] == ["cbt", "dbt"]  # 3 rows against 2
    with pytest.raises(InvalidInput, match="studies or occurrences"):
        typology.count(observations, [], by="arms")


def test_zeros_show_values_no_study_has():
    counts = typology.count([Observation(1, "a")], [("a", "A"), ("b", "B")], zeros=True)
    assert [(value.key, value.n) for value in counts.values] == [("a", 1), ("b", 0)]


def test_numbers_sum_by_a_choice_field_per_row_or_per_study():
    countries = [Observation(1, "GB"), Observation(2, "GB"), Observation(2, "NL"), Observation(3, "NL")]
    sizes = [Number(1, 100), Number(2, 50), Number(3, 31)]
    by_country = typology.count(countries, [("GB", "UK"), ("NL", "Netherlands")])
    summaries = typology.numbers_by(sizes, by_country, countries)
    assert [(s.label, s.total, s.median, s.study_ids) for s in summaries] == [
        ("UK", 150, 75, (1, 2)), ("Netherlands", 81, 40.5, (2, 3))]
    assert typology.numbers_total(sizes).total == 181
    # participants per arm go with the arm's intervention, not with the study's other arm
    arms = [Observation(1, "dbt", "g1:a"), Observation(1, "cbt", "g1:b")]
    participants = [Number(1, 40, "g1:a"), Number(1, 35, "g1:b")]
    by_arm = typology.numbers_by(participants, typology.count(arms, [("dbt", "DBT"), ("cbt", "CBT")]), arms)
    assert [(s.key, s.total) for s in by_arm] == [("dbt", 40), ("cbt", 35)]


def test_a_cross_tab_pairs_values_of_one_study_and_one_row():
    arms = interventions()
    design = Dimension("design", "Design", [("rct", "RCT"), ("cohort", "Cohort")],
                       [Observation(study, "rct" if study <= 10 else "cohort") for study in range(1, 19)])
    country = Dimension("country", "Country", [], [Observation(study, "GB" if study % 2 else "NL") for study in range(1, 18)])
    table = typology.cross_tab(arms, design, country)
    assert table.cell("dbt", "rct").study_ids == (1, 2, 3)
    assert table.cell("family", "rct").n == 0 and table.cell("family", "cohort").study_ids == (18,)
    assert table.cell("cbt", "rct").colours == (("GB", (1, 5)), ("NL", (4,)))
    assert table.cell("family", "cohort").colours == (("", (18,)),)  # study 18 has no country: not coded
    assert [key for key, _ in table.rows] == FORM_ORDER and [key for key, _ in table.columns] == ["rct", "cohort"]
    # two fields of the same group pair row by row: study 1's DBT arm is not its CBT arm's
    setting = Dimension("setting", "Setting", [("in", "Inpatient"), ("out", "Outpatient")],
                        [Observation(1, "in", "g1:1-0"), Observation(1, "out", "g1:1-1")])
    paired = typology.cross_tab(arms, setting)
    assert paired.cell("dbt", "in").study_ids == (1,) and paired.cell("dbt", "out").n == 0


def test_the_nested_typology_lists_categories_then_their_types():
    category = Dimension("c", "Category", [("psy", "Psychotherapy"), ("soc", "Social")],
                         [Observation(1, "psy", "g1:a"), Observation(1, "soc", "g1:b"), Observation(2, "psy", "g1:c")])
    kind = Dimension("t", "Type", [("dbt", "DBT"), ("cbt", "CBT"), ("peer", "Peer support")],
                     [Observation(1, "dbt", "g1:a"), Observation(1, "peer", "g1:b"), Observation(2, "cbt", "g1:c")])
    rows = typology.nested([category, kind])
    assert [(row.level, row.labels, row.study_ids) for row in rows] == [
        (0, ("Psychotherapy",), (1, 2)), (1, ("Psychotherapy", "DBT"), (1,)), (1, ("Psychotherapy", "CBT"), (2,)),
        (0, ("Social",), (1,)), (1, ("Social", "Peer support"), (1,))]


# --- from the database: a form's consensus ---------------------------------------------------------

def _scoping_form(session, team, dual: bool):
    spec = forms.FormSpec(name="Charting", dual=dual, sections=[forms.SectionSpec(label="Study", fields=[
        forms.FieldSpec(label="Country", field_type=FieldType.country),
        forms.FieldSpec(label="Design", field_type=FieldType.single_choice,
                        options=[forms.OptionSpec(label="RCT"), forms.OptionSpec(label="Cohort")]),
        forms.FieldSpec(label="Sample size", field_type=FieldType.integer, unit="participants"),
        forms.FieldSpec(label="Interventions", field_type=FieldType.group, fields=[
            forms.FieldSpec(label="Name", field_type=FieldType.short_text, is_key=True),
            forms.FieldSpec(label="Type", field_type=FieldType.hierarchical, options=[
                forms.OptionSpec(label="Psychotherapy", children=[forms.OptionSpec(label="DBT"),
                                                                   forms.OptionSpec(label="CBT")]),
                forms.OptionSpec(label="Peer support")])]),
    ])])
    form = forms.create_form(session, team.access(session, team.lead), spec)
    definition = forms.load_definition(session, form)
    country, design, size, group = definition.sections[0].fields
    name, kind = group.children
    ids = {option.label: option.id for item in (design, kind) for option in item.options}
    return form, {"country": country.id, "design": design.id, "size": size.id, "group": group.id, "name": name.id,
                  "type": kind.id}, ids


def _coding(f, o, countries, design, size, arms):
    return Node(values={f["country"]: Entry(countries), f["design"]: Entry(o[design]), f["size"]: Entry(size)},
                groups={f["group"]: [Row(uid=f"r{index}", values={f["name"]: Entry(arm), f["type"]: Entry([o[arm]])})
                                     for index, arm in enumerate(arms)]})


def test_a_forms_consensus_counts_and_an_unfinished_one_does_not(session, team):
    include_records(session, team.review, team.lead, team.record_ids[:5])
    form, f, o = _scoping_form(session, team, dual=False)
    ann = team.access(session, team.ann)
    studies = included_studies(session, team.review)
    plan = [(["GB"], "RCT", 100, ["DBT", "CBT"]), (["GB", "NL"], "RCT", 50, ["DBT"]),
            (["NL"], "Cohort", 31, ["Peer support"]), (["NO"], "Cohort", 7, ["CBT"])]
    for view, (countries, design, size, arms) in zip(studies, plan):
        extracting.submit(session, ann, form.id, view.study.id, _coding(f, o, countries, design, size, arms))
    extracting.save_draft(session, ann, form.id, studies[4].study.id, _coding(f, o, ["FR"], "RCT", 900, ["DBT"]))

    summary = typology.form_summary(session, team.review, form)
    ids = [view.study.id for view in studies]
    assert summary.study_ids == ids[:4]  # the draft is nobody's data yet
    types = typology.count(summary.dimension(str(f["type"])).observations, summary.dimension(str(f["type"])).values)
    assert [(value.label, value.study_ids) for value in types.values] == [
        ("DBT", (ids[0], ids[1])), ("CBT", (ids[0], ids[3])), ("Peer support", (ids[2],))]
    assert (types.n, types.occurrences, types.several) == (4, 5, {ids[0]: 2})
    # by type, a category nobody coded alone is no value of its own (no empty "Psychotherapy" row)
    assert [label for _, label in summary.dimension(str(f["type"])).values] == ["DBT", "CBT", "Peer support"]
    category = summary.dimension(f"{f['type']}.category")
    categories = typology.count(category.observations, category.values)
    assert [(value.label, value.n, value.occurrences) for value in categories.values] == [
        ("Psychotherapy", 3, 4), ("Peer support", 1, 1)]
    countries = summary.dimension(str(f["country"]))
    by_country = typology.count(countries.observations, countries.values)
    assert [(value.label, value.n) for value in by_country.values] == [
        ("United Kingdom", 2), ("Netherlands", 2), ("Norway", 1)]
    sizes = typology.numbers_by(summary.number(str(f["size"])).numbers, by_country, countries.observations)
    assert [s.total for s in sizes] == [150, 81, 7]
    assert summary.dimension("year").observations == []  # this fixture's records give no year
    with pytest.raises(InvalidInput, match="is not a field to count by"):
        summary.dimension("999")


def test_dual_extraction_counts_only_once_reconciled(session, team):
    form, f, o = _scoping_form(session, team, dual=True)
    study = included_studies(session, team.review)[0]
    for person in (team.ann, team.ben):
        extracting.submit(session, team.access(session, person), form.id, study.study.id,
                          _coding(f, o, ["GB"], "RCT", 10, ["DBT"]))
    assert typology.form_summary(session, team.review, form).study_ids == []
    from extraction import reconciling
    reconciling.resolve(session, team.access(session, team.lead), form.id, study.study.id, {}, finish=True)
    assert typology.form_summary(session, team.review, form).study_ids == [study.study.id]


def test_a_studys_year_is_its_earliest_reports_and_the_years_between_are_gaps():
    from extraction.models import Study, StudyReport
    from extraction.studies import Report, StudyView
    from screening.citation import Citation

    def view(study_id, *years):
        return StudyView(Study(id=study_id, review_id=1, label=f"S{study_id}"),
                         [Report(StudyReport(review_id=1, study_id=study_id, record_id=study_id * 10 + index),
                                 Citation(title="t", year=year)) for index, year in enumerate(years)])

    years = typology.year_dimension([view(1, 2004, 2001), view(2, 2003), view(3, None)])
    assert years.observations == [Observation(1, "2001"), Observation(2, "2003")]
    assert [key for key, _ in years.values] == ["2001", "2002", "2003"]
