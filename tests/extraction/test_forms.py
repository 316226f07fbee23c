"""Forms: built from a spec or a template, and every kind of change keeps the values coded."""

import pytest
from sqlmodel import select

from extraction import extracting, form_templates, forms
from extraction.models import CodedValue, FieldType, FormVersion
from extraction.studies import included_studies
from extraction.values import Entry, Node, display
from screening.review.audit import events_for_review
from screening.review.errors import InvalidInput, PermissionDenied


def _spec():
    return forms.FormSpec(name="Data", dual=False, sections=[forms.SectionSpec(label="Study", fields=[
        forms.FieldSpec(label="Design", field_type=FieldType.single_choice,
                        options=[forms.OptionSpec(label=label) for label in ("RCT", "Randomised trial", "Cohort")]),
        forms.FieldSpec(label="Components", field_type=FieldType.multiple_choice,
                        options=[forms.OptionSpec(label=label) for label in ("Groups", "Individual", "Phone")]),
        forms.FieldSpec(label="Notes", field_type=FieldType.long_text),
    ])])


def _options(definition, label):
    item = next(item for item in definition.walk() if item.field.label == label)
    return item, {option.label: option for option in item.options}


def _code(session, team, form, values):
    """Ann codes the first study and submits (single extraction: it becomes the consensus)."""
    study = included_studies(session, team.review)[0]
    raw = Node(values={field_id: Entry(value) for field_id, value in values.items()})
    extracting.submit(session, team.access(session, team.ann), form.id, study.study.id, raw)
    return study


def _consensus_values(session, form, study):
    codings = extracting.study_codings(session, form.id, study.study.id)
    return extracting.load_tree(session, extracting.consensus_of(codings))


def test_the_scoping_template_builds_its_form_with_hierarchical_intervention_types(session, team):
    form = forms.create_form(session, team.access(session, team.lead), form_templates.template("scoping"))
    definition = forms.load_definition(session, form)
    labels = [item.field.label for item in definition.walk()]
    assert labels[:3] == ["Study design", "Setting", "Country"]
    intervention, options = _options(definition, "Intervention type")
    assert intervention.field.field_type is FieldType.hierarchical
    dbt = options["Dialectical behaviour therapy (DBT)"]
    assert display(intervention.field, [dbt.id], intervention.options_by_id) == \
        "Psychotherapy > Dialectical behaviour therapy (DBT)"
    outcomes = next(item for item in definition.walk() if item.field.label == "Outcomes")
    assert [child.field.label for child in outcomes.children] == ["Outcome", "Measure", "Time points"]
    assert outcomes.children[2].children[0].field.is_key
    assert form.version == 1
    first = session.exec(select(FormVersion).where(FormVersion.form_id == form.id)).one()
    assert first.definition["sections"][0]["fields"][0]["label"] == "Study design"


def test_economic_template_carries_the_28_cheers_items_and_appraisal_templates_their_questions(session, team):
    lead = team.access(session, team.lead)
    economic = forms.load_definition(session, forms.create_form(session, lead, form_templates.template("economic")))
    cheers = next(s for s in economic.sections if s.section.label.startswith("CHEERS"))
    assert len(cheers.fields) == 28 and cheers.fields[-1].field.label == "28. Conflicts of interest"
    assert [o.label for o in cheers.fields[0].options] == ["Yes", "No", "Not applicable"]
    rob2 = forms.load_definition(session, forms.create_form(session, lead, form_templates.template("rob2")))
    assert len(rob2.sections) == 6
    assert [o.label for o in rob2.sections[0].fields[0].options] == ["Low", "Some concerns", "High"]
    casp = forms.load_definition(session, forms.create_form(session, lead, form_templates.template("casp_qualitative")))
    questions = [item for item in casp.walk() if item.field.field_type is FieldType.single_choice]
    assert len(questions) == 10 and [o.label for o in questions[0].options] == ["Yes", "No", "Can't tell"]
    qualitative = forms.load_definition(session, forms.create_form(session, lead, form_templates.template("qualitative")))
    themes = next(item for item in qualitative.walk() if item.field.label == "Themes")
    assert [c.field.label for c in themes.children] == ["Theme", "Description", "Supporting quote", "Page"]


def test_renaming_an_option_carries_its_values_and_says_so_in_the_log(session, team):
    lead = team.access(session, team.lead)
    form = forms.create_form(session, lead, _spec())
    design, options = _options(forms.load_definition(session, form), "Design")
    study = _code(session, team, form, {design.id: options["RCT"].id})
    forms.rename_option(session, lead, options["RCT"].id, "Randomised controlled trial")
    definition = forms.load_definition(session, form)
    design, _ = _options(definition, "Design")
    tree = _consensus_values(session, form, study)
    assert display(design.field, tree.value(design.id), design.options_by_id) == "Randomised controlled trial"
    assert form.version == 2
    event = events_for_review(session, team.review.id, limit=1)[0]
    # Ann's coding and the consensus it became
    assert event.action == "form.change" and event.detail["values_carried"] == 2


def test_merging_an_option_moves_every_value_onto_the_other(session, team):
    lead = team.access(session, team.lead)
    form = forms.create_form(session, lead, _spec())
    definition = forms.load_definition(session, form)
    design, options = _options(definition, "Design")
    components, parts = _options(definition, "Components")
    study = _code(session, team, form, {design.id: options["Randomised trial"].id,
                                        components.id: [parts["Phone"].id, parts["Individual"].id]})
    forms.merge_option(session, lead, options["Randomised trial"].id, options["RCT"].id)
    forms.merge_option(session, lead, parts["Phone"].id, parts["Individual"].id)
    tree = _consensus_values(session, form, study)
    assert tree.value(design.id) == options["RCT"].id
    assert tree.value(components.id) == [parts["Individual"].id]  # two values became one, not a duplicate
    # the extractor's own coding migrated too, not only the consensus
    ann_coding = extracting.my_coding(extracting.study_codings(session, form.id, study.study.id), team.ann.id)
    assert extracting.load_tree(session, ann_coding).value(design.id) == options["RCT"].id
    merged = forms.load_definition(session, form).fields_by_id[design.id].options_by_id[options["Randomised trial"].id]
    assert merged.retired and merged.merged_into_id == options["RCT"].id
    assert events_for_review(session, team.review.id, limit=2)[1].detail["values_moved"] == 2


def test_retiring_an_option_keeps_its_values_and_stops_offering_it(session, team):
    lead = team.access(session, team.lead)
    form = forms.create_form(session, lead, _spec())
    design, options = _options(forms.load_definition(session, form), "Design")
    study = _code(session, team, form, {design.id: options["Cohort"].id})
    forms.set_option_retired(session, lead, options["Cohort"].id, True)
    design, _ = _options(forms.load_definition(session, form), "Design")
    assert [option.label for option in design.options if not option.retired] == ["RCT", "Randomised trial"]
    tree = _consensus_values(session, form, study)
    assert display(design.field, tree.value(design.id), design.options_by_id) == "Cohort"


def test_adding_a_field_flags_the_studies_coded_before_it_and_asks_nothing_else(session, team):
    lead = team.access(session, team.lead)
    form = forms.create_form(session, lead, _spec())
    design, options = _options(forms.load_definition(session, form), "Design")
    study = _code(session, team, form, {design.id: options["Cohort"].id})
    section = forms.load_definition(session, form).sections[0].section
    forms.add_field(session, lead, form.id, section.id,
                    forms.FieldSpec(label="Funding", field_type=FieldType.short_text, required=True))
    item = next(i for i in extracting.queue(session, team.access(session, team.ann), form.id) if i.study.study.id == study.study.id)
    assert item.lacking == ["Funding"] and item.mine.status.value == "submitted"
    state = extracting.coding_state(session, team.access(session, team.ann), form.id, study.study.id)
    assert [missing.field.label for missing in state.missing] == ["Funding"]
    assert state.tree.value(design.id) == options["Cohort"].id


def test_retiring_a_field_keeps_its_values_through_later_saves(session, team):
    lead = team.access(session, team.lead)
    form = forms.create_form(session, lead, _spec())
    notes = next(item for item in forms.load_definition(session, form).walk() if item.field.label == "Notes")
    study = included_studies(session, team.review)[0]
    ann = team.access(session, team.ann)
    extracting.save_draft(session, ann, form.id, study.study.id, Node(values={notes.id: Entry("Recruited in 2004")}))
    forms.set_field_retired(session, lead, notes.id, True)
    # the page no longer offers the field, so the next save does not send it: the value stays
    state = extracting.save_draft(session, ann, form.id, study.study.id, Node())
    assert state.tree.value(notes.id) == "Recruited in 2004"
    retired = next(e for e in events_for_review(session, team.review.id) if e.action == "form.change")
    assert retired.detail["values_kept"] == 1 and retired.detail["change"].startswith("Retired the field “Notes”")


def test_form_changes_are_for_the_lead_only_and_bad_specs_are_refused_clearly(session, team):
    with pytest.raises(PermissionDenied):
        forms.create_form(session, team.access(session, team.ann), _spec())
    nested = forms.FieldSpec(label="A", field_type=FieldType.group, fields=[
        forms.FieldSpec(label="B", field_type=FieldType.group, fields=[
            forms.FieldSpec(label="C", field_type=FieldType.group, fields=[])])])
    spec = forms.FormSpec(name="Too deep", sections=[forms.SectionSpec(label="S", fields=[nested])])
    with pytest.raises(InvalidInput, match="one more level of groups"):
        forms.create_form(session, team.access(session, team.lead), spec)
    texty = forms.FormSpec(name="Options on text", sections=[forms.SectionSpec(label="S", fields=[
        forms.FieldSpec(label="Name", field_type=FieldType.short_text, options=[forms.OptionSpec(label="x")])])])
    with pytest.raises(InvalidInput, match="“Name”: a short text field takes no options"):
        forms.create_form(session, team.access(session, team.lead), texty)
    assert forms.forms_of_review(session, team.review.id) == []


def test_every_change_is_a_version_with_the_form_as_it_then_stood(session, team):
    lead = team.access(session, team.lead)
    form = forms.create_form(session, lead, _spec())
    design, options = _options(forms.load_definition(session, form), "Design")
    forms.add_option(session, lead, design.id, "Case series")
    forms.move_option(session, lead, options["Cohort"].id, -1)
    forms.update_field(session, lead, design.id, label="Study design", help="", required=True, unit="", is_key=False)
    history = forms.versions(session, form.id)
    assert [v.number for v in history] == [4, 3, 2, 1]
    assert history[0].change == "Renamed the field “Design” to “Study design”"
    assert [o["label"] for o in history[1].definition["sections"][0]["fields"][0]["options"]] == \
        ["RCT", "Cohort", "Randomised trial", "Case series"]
    assert session.exec(select(CodedValue)).all() == []


def test_sections_move_and_an_unanswered_one_is_removed_with_its_fields(session, team):
    lead = team.access(session, team.lead)
    form = forms.create_form(session, lead, _spec())
    forms.add_section(session, lead, form.id, "Outcomes")
    study, outcomes = (section.section for section in forms.load_definition(session, form).sections)
    forms.add_field(session, lead, form.id, outcomes.id, forms.FieldSpec(
        label="Measure", field_type=FieldType.single_choice, options=[forms.OptionSpec(label="EQ-5D")]))
    forms.move_section(session, lead, outcomes.id, -1)
    assert [s.section.label for s in forms.load_definition(session, form).sections] == ["Outcomes", "Study"]
    forms.move_section(session, lead, outcomes.id, -1)  # already first: no change, no version
    version = form.version
    assert forms.remove_section(session, lead, outcomes.id) is None
    assert [s.section.label for s in forms.load_definition(session, form).sections] == ["Study"]
    assert forms.version_of(session, form, version).definition["sections"][0]["label"] == "Outcomes"  # history kept
    assert forms.versions(session, form.id)[0].change == "Removed the section “Outcomes” and its 1 unanswered field"


def test_removing_a_section_whose_fields_hold_values_retires_them_and_keeps_every_value(session, team):
    lead = team.access(session, team.lead)
    form = forms.create_form(session, lead, _spec())
    definition = forms.load_definition(session, form)
    (section,) = definition.sections
    design, rct = _options(definition, "Design")[0], _options(definition, "Design")[1]["RCT"]
    notes = next(item for item in definition.walk() if item.field.label == "Notes")
    study = _code(session, team, form, {design.id: rct.id, notes.id: "Community team"})
    assert forms.remove_section(session, lead, section.section.id) is not None  # stays, to show its values
    after = forms.load_definition(session, form)
    assert all(item.field.retired for item in after.walk())
    assert forms.versions(session, form.id)[0].change == "Removed the section “Study”: its 3 fields retired, 4 values kept"  # the extraction and the consensus
    consensus = _consensus_values(session, form, study)
    assert consensus.value(design.id) == rct.id and consensus.value(notes.id) == "Community team"
    state = extracting.coding_state(session, team.access(session, team.ann), form.id, study.study.id)
    assert state.tree.value(notes.id) == "Community team"  # still shown to its coder


def test_the_builder_escapes_labels_in_its_buttons(client, session, team):
    from tests.web import log_in
    lead = team.access(session, team.lead)
    form = forms.create_form(session, lead, forms.FormSpec(name="Data", sections=[
        forms.SectionSpec(label="<b>Study</b>", fields=[forms.FieldSpec(label="<img src=x>", field_type=FieldType.short_text)]),
        forms.SectionSpec(label="Second")]))
    log_in(client, "lead@example.org")
    page = client.get(f"/reviews/{team.review.id}/extraction/forms/{form.id}/edit").text
    assert "<img src=x>" not in page and "<b>Study</b>" not in page
    assert "move the section &lt;b&gt;Study&lt;/b&gt; down" in page and "move &lt;img src=x&gt; up" in page
