"""Coding a study: drafts keep what was typed, submit names each problem, dual extraction is
blind until both submit, and verification starts from the first coding."""

import pytest

from extraction import extracting, forms
from extraction.extracting import CodingInvalid
from extraction.models import CodingKind, CodingStatus, FieldType, FormField
from extraction.reconciling import reconciliation
from extraction.studies import included_studies
from extraction.values import Entry, Node, Row, parse_value
from screening.review.errors import InvalidInput, NotFound


def _form(session, team, *, dual=True, verification=False):
    spec = forms.FormSpec(name="Data", dual=dual, verification=verification, sections=[forms.SectionSpec(
        label="Study", fields=[
            forms.FieldSpec(label="Sample size", field_type=FieldType.integer, required=True),
            forms.FieldSpec(label="Country", field_type=FieldType.country, required=True),
            forms.FieldSpec(label="Arms", field_type=FieldType.group, fields=[
                forms.FieldSpec(label="Arm", field_type=FieldType.short_text, is_key=True, required=True),
                forms.FieldSpec(label="Participants", field_type=FieldType.integer)]),
        ])])
    form = forms.create_form(session, team.access(session, team.lead), spec)
    definition = forms.load_definition(session, form)
    size, country, arms = definition.sections[0].fields
    return form, size.id, country.id, arms.id, arms.children[0].id, arms.children[1].id


def test_number_fields_refuse_words_and_say_how_to_write_them():
    integer = FormField(label="Sample size", field_type=FieldType.integer, form_id=1, section_id=1)
    assert parse_value(integer, "1,531", {}).value == 1531
    refused = parse_value(integer, "twelve", {})
    assert refused.value == "twelve"
    assert refused.error == "“twelve” is not a whole number: write it in digits, e.g. 12."
    decimal = FormField(label="Cost", field_type=FieldType.decimal, form_id=1, section_id=1)
    assert parse_value(decimal, "12.5", {}).value == 12.5
    assert "is not a number" in parse_value(decimal, "12,5", {}).error
    day = FormField(label="Date", field_type=FieldType.date, form_id=1, section_id=1)
    assert parse_value(day, "2020-05", {}).value == "2020-05"
    assert "not a date" in parse_value(day, "2020-13", {}).error
    country = FormField(label="Country", field_type=FieldType.country, form_id=1, section_id=1)
    assert parse_value(country, ["gb", "NL", "GB"], {}).value == ["GB", "NL"]
    assert "not an ISO 3166 country code" in parse_value(country, ["Narnia"], {}).error


def test_a_draft_keeps_refused_text_and_submit_names_every_problem(session, team):
    form, size, country, arms, arm, participants = _form(session, team, dual=False)
    study = included_studies(session, team.review)[0].study.id
    ann = team.access(session, team.ann)
    raw = Node(values={size: Entry("twelve")}, groups={arms: [Row(uid="a1", values={participants: Entry("40")})]})
    state = extracting.save_draft(session, ann, form.id, study, raw)
    assert state.tree.value(size) == "twelve"  # nothing typed is lost
    assert state.problems == {"f%d" % size: "Sample size: “twelve” is not a whole number: write it in digits, e.g. 12."}
    with pytest.raises(CodingInvalid) as refused:
        extracting.submit(session, ann, form.id, study)
    assert refused.value.problems == {
        f"f{size}": "Sample size: “twelve” is not a whole number: write it in digits, e.g. 12.",
        f"f{country}": "Country is required: answer it before submitting.",
        f"g{arms}.a1.f{arm}": "Arms, row 1: Arm is required: answer it before submitting.",
    }
    assert str(refused.value).startswith("3 answers need attention before submitting: Sample size: “twelve”")
    state = extracting.coding_state(session, ann, form.id, study)
    assert state.coding.status is CodingStatus.draft and state.tree.rows(arms)[0].value(participants) == 40
    fixed = Node(values={size: Entry("12"), country: Entry(["GB"])},
                 groups={arms: [Row(uid="a1", values={arm: Entry("CBT"), participants: Entry("40")})]})
    state = extracting.submit(session, ann, form.id, study, fixed)
    assert state.submitted and state.consensus.status is CodingStatus.submitted  # single extraction: the data


def test_dual_extraction_is_blind_until_both_have_submitted(session, team):
    form, size, country, *_ = _form(session, team)
    study = included_studies(session, team.review)[0].study.id
    ann, ben, lead = (team.access(session, person) for person in (team.ann, team.ben, team.lead))
    extracting.submit(session, ann, form.id, study, Node(values={size: Entry("12"), country: Entry(["GB"])}))
    ann_coding = extracting.coding_state(session, ann, form.id, study).coding
    ben_state = extracting.save_draft(session, ben, form.id, study, Node(values={size: Entry("14")}))
    assert ben_state.tree.value(size) == 14  # Ben's own coding holds only Ben's values
    for access in (ben, lead):  # neither Ben nor the lead sees Ann's values, submitted as they are
        with pytest.raises(NotFound, match="codings open once both extractors have submitted"):
            extracting.visible_coding(session, access, form.id, study, ann_coding.id)
    with pytest.raises(InvalidInput, match="once both extractors have submitted"):
        reconciliation(session, lead, form.id, study)
    extracting.submit(session, ben, form.id, study, Node(values={size: Entry("14"), country: Entry(["GB"])}))
    coding, tree = extracting.visible_coding(session, ben, form.id, study, ann_coding.id)
    assert tree.value(size) == 12
    # a third reviewer finds the study full
    lead_state = extracting.coding_state(session, lead, form.id, study)
    assert lead_state.can_start == "It is already coded by two reviewers."
    assert [item.next_step for item in extracting.queue(session, lead, form.id)][:1] == ["reconcile"]


def test_verification_starts_from_the_extraction_and_its_corrections_become_the_data(session, team):
    form, size, country, *_ = _form(session, team, dual=False, verification=True)
    study = included_studies(session, team.review)[0].study.id
    ann, ben = team.access(session, team.ann), team.access(session, team.ben)
    assert extracting.coding_state(session, ben, form.id, study).can_start is None  # Ben could extract it
    extracting.submit(session, ann, form.id, study, Node(values={size: Entry("12"), country: Entry(["GB"])}))
    assert extracting.coding_state(session, ann, form.id, study).consensus is None  # waits for its verifier
    state = extracting.save_draft(session, ben, form.id, study, extracting.coding_state(session, ben, form.id, study).tree)
    assert state.coding.kind is CodingKind.verification and state.tree.value(size) == 12  # pre-filled
    corrected = Node(values={size: Entry("21"), country: Entry(["GB"])})
    state = extracting.submit(session, ben, form.id, study, corrected)
    consensus = extracting.load_tree(session, state.consensus)
    assert consensus.value(size) == 21 and state.consensus.status is CodingStatus.submitted
    with pytest.raises(InvalidInput, match="already being verified|already coded"):
        extracting.save_draft(session, team.access(session, team.lead), form.id, study, Node())


def test_a_verifier_sees_what_they_changed_from_the_extraction(session, team):
    form, size, country, arms, arm, participants = _form(session, team, dual=False, verification=True)
    study = included_studies(session, team.review)[0].study.id
    ann, ben = team.access(session, team.ann), team.access(session, team.ben)
    extracting.submit(session, ann, form.id, study, Node(values={size: Entry("12"), country: Entry(["GB"])}, groups={
        arms: [Row(uid="a1", values={arm: Entry("DBT"), participants: Entry(6)}),
               Row(uid="a2", values={arm: Entry("Usual care"), participants: Entry(6)})]}))
    start = extracting.save_draft(session, ben, form.id, study, extracting.coding_state(session, ben, form.id, study).tree)
    assert start.changed == {}  # nothing changed yet: the verifier's copy agrees throughout
    state = extracting.save_draft(session, ben, form.id, study, Node(values={size: Entry("21"), country: Entry(["gb"])},
                                  groups={arms: [Row(uid="a1", values={arm: Entry("DBT"), participants: Entry(7)})]}))
    assert state.changed == {f"f{size}": "12", f"g{arms}.a1.f{participants}": "6", f"g{arms}.a2": "removed"}
    assert extracting.coding_state(session, ben, form.id, study).changed == state.changed  # as the page shows it
    assert extracting.coding_state(session, ann, form.id, study).changed == {}  # the extractor is no verifier


def test_unchanged_values_keep_the_form_version_they_were_entered_under(session, team):
    form, size, country, *_ = _form(session, team, dual=False)
    study = included_studies(session, team.review)[0].study.id
    ann, lead = team.access(session, team.ann), team.access(session, team.lead)
    extracting.save_draft(session, ann, form.id, study, Node(values={size: Entry("12")}))
    forms.rename_section(session, lead, forms.load_definition(session, form).sections[0].section.id, "The study")
    state = extracting.save_draft(session, ann, form.id, study,
                                  Node(values={size: Entry("12"), country: Entry(["NL"], page="3", quote="Dutch sites")}))
    assert state.tree.values[size].form_version == 1
    assert state.tree.values[country].form_version == 2
    assert (state.tree.values[country].page, state.tree.values[country].quote) == ("3", "Dutch sites")
    forms.rename_section(session, lead, forms.load_definition(session, form).sections[0].section.id, "Study")
    consensus = extracting.load_tree(session, extracting.submit(session, ann, form.id, study).consensus)
    # the study's data, copied from the submitted coding at version 3, keeps each value's own version
    assert (consensus.values[size].form_version, consensus.values[country].form_version) == (1, 2)
