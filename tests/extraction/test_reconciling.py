"""Reconciliation: exactly the differing fields, rows matched by key before comparing, the
consensus from agreed values and the reconciler's choices, and agreement per field."""

import pytest

from extraction import extracting, forms, reconciling
from extraction.extracting import CodingInvalid
from extraction.models import CodingStatus, FieldType
from extraction.reconciling import build_consensus, compare, differences, field_agreement
from extraction.studies import included_studies
from extraction.values import Entry, Node, Row
from screening.review.errors import PermissionDenied


@pytest.fixture
def outcome_form(session, team):
    """Design (single choice), sample size, and outcomes > time points, keyed by name."""
    spec = forms.FormSpec(name="Data", sections=[forms.SectionSpec(label="Study", fields=[
        forms.FieldSpec(label="Design", field_type=FieldType.single_choice,
                        options=[forms.OptionSpec(label="RCT"), forms.OptionSpec(label="Cohort")]),
        forms.FieldSpec(label="Sample size", field_type=FieldType.integer),
        forms.FieldSpec(label="Outcomes", field_type=FieldType.group, fields=[
            forms.FieldSpec(label="Outcome", field_type=FieldType.short_text, is_key=True),
            forms.FieldSpec(label="Measure", field_type=FieldType.short_text),
            forms.FieldSpec(label="Time points", field_type=FieldType.group, fields=[
                forms.FieldSpec(label="Time point", field_type=FieldType.short_text, is_key=True),
                forms.FieldSpec(label="Mean", field_type=FieldType.decimal)])])])])
    form = forms.create_form(session, team.access(session, team.lead), spec)
    definition = forms.load_definition(session, form)
    design, size, outcomes = definition.sections[0].fields
    ids = {"design": design.id, "rct": design.options[0].id, "cohort": design.options[1].id, "size": size.id,
           "outcomes": outcomes.id, "outcome": outcomes.children[0].id, "measure": outcomes.children[1].id,
           "times": outcomes.children[2].id, "time": outcomes.children[2].children[0].id,
           "mean": outcomes.children[2].children[1].id}
    return form, definition, ids


def _coding(ids, design, size, outcomes):
    """outcomes: [(name, measure, [(time, mean)])] in the order given."""
    return Node(values={ids["design"]: Entry(design), ids["size"]: Entry(size)}, groups={ids["outcomes"]: [
        Row(uid=f"o{name}{index}", values={ids["outcome"]: Entry(name), ids["measure"]: Entry(measure)},
            groups={ids["times"]: [Row(uid=f"t{name}{time}{index}", values={ids["time"]: Entry(time), ids["mean"]: Entry(mean)})
                                   for time, mean in times]})
        for index, (name, measure, times) in enumerate(outcomes)]})


def test_compare_finds_exactly_the_differing_fields_with_rows_matched_by_key(outcome_form):
    _, definition, ids = outcome_form
    # Ann and Ben list the outcomes in different orders and spell one key differently in case
    ann = _coding(ids, ids["rct"], 40, [("Self-harm", "ZAN", [("12 months", 3.5), ("6 months", 4.0)]),
                                         ("Depression", "BDI", [("12 months", 10.0)])])
    ben = _coding(ids, ids["rct"], 42, [("depression", "BDI", [("12 months", 11.0)]),
                                         ("Self-harm", "ZAN", [("6 months", 4.0), ("12 months", 3.5), ("24 months", 2.0)])])
    found = differences(compare(definition, ann, ben))
    assert [item.where for item in found] == [
        "Sample size",
        "Outcomes “Self-harm”: Time points “24 months”",
        "Outcomes “Depression”: Time points “12 months”: Mean",
    ]
    assert found[1].first_row is None and found[1].second_row.value(ids["mean"]) == 2.0
    assert (found[2].first.value, found[2].second.value) == (10.0, 11.0)


def test_the_consensus_takes_agreed_values_and_the_reconcilers_choices(outcome_form):
    _, definition, ids = outcome_form
    ann = _coding(ids, ids["rct"], 40, [("Self-harm", "ZAN", [("12 months", 3.5)])])
    ben = _coding(ids, ids["cohort"], 42, [("Self-harm", "ZAN", [("12 months", 3.5), ("24 months", 2.0)])])
    paths = [item.path for item in differences(compare(definition, ann, ben))]
    node, unresolved, _ = build_consensus(definition, ann, ben, {})
    assert [item.path for item in unresolved] == paths and ids["design"] not in node.values
    choices = {paths[0]: {"choice": "second"}, paths[1]: {"choice": "edit", "value": "41"},
               paths[2]: {"choice": "keep"}}
    node, unresolved, problems = build_consensus(definition, ann, ben, choices)
    assert unresolved == [] and problems == {}
    assert node.value(ids["design"]) == ids["cohort"] and node.value(ids["size"]) == 41
    times = node.rows(ids["outcomes"])[0].rows(ids["times"])
    assert [(row.value(ids["time"]), row.value(ids["mean"])) for row in times] == [("12 months", 3.5), ("24 months", 2.0)]
    _, unresolved, problems = build_consensus(definition, ann, ben, {**choices, paths[1]: {"choice": "edit", "value": "many"}})
    assert list(problems.values()) == ["Sample size: “many” is not a whole number: write it in digits, e.g. 12."]


def test_a_row_only_one_coding_has_can_be_kept_with_the_reconcilers_changes(outcome_form):
    _, definition, ids = outcome_form
    ann = _coding(ids, ids["rct"], 40, [("Self-harm", "ZAN", [])])
    ben = _coding(ids, ids["rct"], 40, [("Self-harm", "ZAN", []), ("Depression", "BDI", [])])
    (row_path,) = [item.path for item in differences(compare(definition, ann, ben))]
    edit = {row_path: {"choice": "edit", "values": {str(ids["measure"]): "PHQ-9"}}}
    node, unresolved, problems = build_consensus(definition, ann, ben, edit)
    assert unresolved == [] and problems == {}
    depression = node.rows(ids["outcomes"])[1]
    assert (depression.value(ids["outcome"]), depression.value(ids["measure"])) == ("Depression", "PHQ-9")
    assert ben.rows(ids["outcomes"])[1].value(ids["measure"]) == "BDI"  # Ben's coding is untouched
    cleared = {row_path: {"choice": "edit", "values": {str(ids["measure"]): ""}}}
    assert ids["measure"] not in build_consensus(definition, ann, ben, cleared)[0].rows(ids["outcomes"])[1].values


def test_a_refused_value_in_an_edited_row_is_named_and_the_row_stays_unsettled(session, team, outcome_form):
    form, definition, ids = outcome_form
    study = included_studies(session, team.review)[0].study.id
    ann, ben, lead = (team.access(session, person) for person in (team.ann, team.ben, team.lead))
    extracting.submit(session, ann, form.id, study, _coding(ids, ids["rct"], 40, [("Self-harm", "ZAN", [])]))
    extracting.submit(session, ben, form.id, study, _coding(ids, ids["rct"], 40, [("Self-harm", "ZAN", [("6 months", 1.0)])]))
    (row_path,) = [item.path for item in reconciling.reconciliation(session, lead, form.id, study).differing]
    state = reconciling.resolve(session, lead, form.id, study,
                                {row_path: {"choice": "edit", "values": {str(ids["mean"]): "a lot"}}})
    assert state.problems == {f"{row_path}.f{ids['mean']}": "Outcomes “Self-harm”: Time points “6 months”: Mean: "
                              "“a lot” is not a number: write it in digits with a point for decimals, e.g. 12.5."}
    with pytest.raises(CodingInvalid):
        reconciling.resolve(session, lead, form.id, study, {}, finish=True)
    state = reconciling.resolve(session, lead, form.id, study,
                                {row_path: {"choice": "edit", "values": {str(ids["mean"]): "1.5"}}}, finish=True)
    consensus = extracting.load_tree(session, state.consensus)
    (time,) = consensus.rows(ids["outcomes"])[0].rows(ids["times"])
    assert (time.value(ids["time"]), time.value(ids["mean"])) == ("6 months", 1.5)


def test_agreement_per_field_with_kappa_for_choices(outcome_form):
    _, definition, ids = outcome_form
    rct, cohort = ids["rct"], ids["cohort"]
    pairs = [(_coding(ids, a, size_a, []), _coding(ids, b, size_b, []))
             for a, b, size_a, size_b in ((rct, rct, 10, 10), (rct, cohort, 20, 21), (cohort, cohort, 30, 30),
                                          (cohort, cohort, 40, 40))]
    figures = {figure.where: figure.agreement for figure in field_agreement(definition, pairs)}
    assert figures["Design"].n == 4 and figures["Design"].percent_agreement == 0.75
    # p_o = 3/4; Ann RCT 2/4, Ben RCT 1/4: p_e = (2*1 + 2*3)/16 = 1/2; kappa = (0.75 - 0.5) / 0.5
    assert figures["Design"].kappa == pytest.approx(0.5)
    assert figures["Sample size"].percent_agreement == 0.75 and figures["Sample size"].kappa is None


def test_the_reconciler_settles_each_difference_then_finishes(session, team, outcome_form):
    form, _, ids = outcome_form
    study = included_studies(session, team.review)[0].study.id
    ann, ben, lead = (team.access(session, person) for person in (team.ann, team.ben, team.lead))
    extracting.submit(session, ann, form.id, study, _coding(ids, ids["rct"], 40, []))
    extracting.submit(session, ben, form.id, study, _coding(ids, ids["rct"], 44, []))
    state = reconciling.reconciliation(session, lead, form.id, study)
    assert [item.where for item in state.differing] == ["Sample size"]
    with pytest.raises(PermissionDenied):
        reconciling.resolve(session, ann, form.id, study, {f"f{ids['size']}": {"choice": "first"}})
    with pytest.raises(CodingInvalid, match="Sample size: choose a side"):
        reconciling.resolve(session, lead, form.id, study, {}, finish=True)
    state = reconciling.resolve(session, lead, form.id, study, {f"f{ids['size']}": {"choice": "second"}}, finish=True)
    assert state.consensus.status is CodingStatus.submitted
    tree = extracting.load_tree(session, state.consensus)
    assert tree.value(ids["size"]) == 44 and tree.value(ids["design"]) == ids["rct"]
    count, figures = reconciling.agreement_by_field(session, lead, form.id)
    assert count == 1 and {f.where: f.agreement.percent_agreement for f in figures}["Sample size"] == 0.0
