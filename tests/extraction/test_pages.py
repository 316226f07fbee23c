"""The extraction pages' own forms: the builder's changes and a coding with repeatable rows, as posted."""

import re

from extraction import extracting, forms
from extraction.studies import included_studies
from extraction.values import Entry, Node, Row
from tests.web import log_in, post_form


def test_the_builder_makes_groups_keys_and_hierarchies_from_its_forms(client, session, team):
    log_in(client, "lead@example.org")
    base = f"/reviews/{team.review.id}/extraction"
    created = post_form(client, f"{base}/forms", {"template": "", "name": "Charting"}, follow_redirects=False)
    assert created.status_code == 303
    form = forms.forms_of_review(session, team.review.id)[0]
    section = forms.load_definition(session, form).sections[0].section.id
    edit = f"{base}/forms/{form.id}/edit"
    post_form(client, edit, {"change": "add_field", "section_id": section, "label": "Intervention type",
                             "field_type": "hierarchical", "options": "Psychotherapy > DBT\nPsychotherapy > CBT\nPeer support"})
    post_form(client, edit, {"change": "add_field", "section_id": section, "label": "Arms", "field_type": "group"})
    arms = next(i for i in forms.load_definition(session, form).walk() if i.field.label == "Arms")
    post_form(client, edit, {"change": "add_field", "section_id": section, "group_id": arms.id, "label": "Arm",
                             "field_type": "short_text", "is_key": "1", "required": "1"})
    refused = post_form(client, edit, {"change": "add_field", "section_id": section, "label": "  ", "field_type": "integer"})
    assert refused.status_code == 422 and "Give the field a label" in refused.text
    definition = forms.load_definition(session, form)
    intervention = next(i for i in definition.walk() if i.field.label == "Intervention type")
    assert [(o.label, o.parent_id is None) for o in intervention.options] == [
        ("Psychotherapy", True), ("DBT", False), ("CBT", False), ("Peer support", True)]
    arm = next(i for i in definition.walk() if i.field.label == "Arm")
    assert arm.field.group_id == arms.id and arm.field.is_key and arm.field.required
    assert forms.versions(session, form.id)[0].number == 4  # created, then three fields added


def test_a_coding_with_rows_is_posted_row_by_row_and_submitted(client, session, team):
    spec = forms.FormSpec(name="Data", dual=False, sections=[forms.SectionSpec(label="S", fields=[
        forms.FieldSpec(label="Arms", field_type="group", fields=[
            forms.FieldSpec(label="Arm", field_type="short_text", is_key=True, required=True),
            forms.FieldSpec(label="Participants", field_type="integer")])])])
    form = forms.create_form(session, team.access(session, team.lead), spec)
    arms = forms.load_definition(session, form).sections[0].fields[0]
    arm, participants = arms.children
    study = included_studies(session, team.review)[0].study.id
    log_in(client, "ann@example.org")
    url = f"/reviews/{team.review.id}/extraction/forms/{form.id}/studies/{study}"
    page = post_form(client, url, {"action": f"add_row:{arms.id}:"}, headers={"HX-Request": "true"})
    uid = re.search(rf'name="rows" value="g{arms.id}\.(\w+)\."', page.text).group(1)
    row = f"g{arms.id}.{uid}."
    saved = post_form(client, url, {"action": "autosave", "rows": row, f"{row}f{arm.id}": "DBT",
                                    f"{row}f{participants.id}": "forty", f"{row}f{participants.id}.page": "7"},
                      headers={"HX-Request": "true"})
    assert "Arms, row 1: Participants: “forty” is not a whole number" in saved.text
    done = post_form(client, url, {"action": "submit", "rows": row, f"{row}f{arm.id}": "DBT",
                                   f"{row}f{participants.id}": "40", f"{row}f{participants.id}.page": "7"},
                     follow_redirects=False)
    assert done.status_code == 303
    tree = extracting.coding_state(session, team.access(session, team.ann), form.id, study).tree
    (stored,) = tree.rows(arms.id)
    assert (stored.uid, stored.value(arm.id), stored.value(participants.id), stored.values[participants.id].page) == \
        (uid, "DBT", 40, "7")


def test_the_verifier_page_marks_each_answer_changed_from_the_extraction(client, session, team):
    spec = forms.FormSpec(name="Checked", dual=False, verification=True, sections=[forms.SectionSpec(label="S", fields=[
        forms.FieldSpec(label="Sample size", field_type="integer"), forms.FieldSpec(label="Setting", field_type="short_text")])])
    form = forms.create_form(session, team.access(session, team.lead), spec)
    size, setting = (item.id for item in forms.load_definition(session, form).sections[0].fields)
    study = included_studies(session, team.review)[0].study.id
    extracting.submit(session, team.access(session, team.ann), form.id, study,
                      Node(values={size: Entry(12), setting: Entry("Clinic")}))
    ben = team.access(session, team.ben)
    extracting.save_draft(session, ben, form.id, study, Node(values={
        size: Entry(21), setting: Entry("Clinic")}))
    log_in(client, "ben@example.org")
    page = client.get(f"/reviews/{team.review.id}/extraction/forms/{form.id}/studies/{study}").text
    assert f'id="f{size}-changed"' in page and "Changed from the extraction, which had “12”." in page
    assert f'id="f{setting}-changed"' not in page
    assert "You have changed 1 of the extraction" in page


def test_a_removed_section_leaves_the_coding_page_unless_the_coding_holds_its_values(client, session, team):
    lead = team.access(session, team.lead)
    form = forms.create_form(session, lead, forms.FormSpec(name="Data", dual=False, sections=[
        forms.SectionSpec(label="Setting", fields=[forms.FieldSpec(label="Where", field_type="short_text")]),
        forms.SectionSpec(label="Costs", fields=[forms.FieldSpec(label="Perspective", field_type="short_text")])]))
    setting, costs = forms.load_definition(session, form).sections
    first, second = (view.study.id for view in included_studies(session, team.review)[:2])
    extracting.save_draft(session, team.access(session, team.ann), form.id, first,
                          Node(values={costs.fields[0].id: Entry("NHS")}))
    forms.remove_section(session, lead, costs.section.id)
    log_in(client, "ann@example.org")
    base = f"/reviews/{team.review.id}/extraction/forms/{form.id}/studies"
    assert "NHS" in client.get(f"{base}/{first}").text and ">Costs</h3>" in client.get(f"{base}/{first}").text
    assert ">Costs</h3>" not in client.get(f"{base}/{second}").text
    assert ">Setting</h3>" in client.get(f"{base}/{second}").text


def test_the_reconciler_edits_a_row_only_one_extractor_added_on_the_page(client, session, team):
    spec = forms.FormSpec(name="Data", sections=[forms.SectionSpec(label="S", fields=[
        forms.FieldSpec(label="Arms", field_type="group", fields=[
            forms.FieldSpec(label="Arm", field_type="short_text", is_key=True),
            forms.FieldSpec(label="Participants", field_type="integer")])])])
    form = forms.create_form(session, team.access(session, team.lead), spec)
    arms = forms.load_definition(session, form).sections[0].fields[0]
    arm, participants = arms.children
    study = included_studies(session, team.review)[0].study.id
    for person, rows in ((team.ann, ["DBT"]), (team.ben, ["DBT", "Usual care"])):
        extracting.submit(session, team.access(session, person), form.id, study, Node(groups={arms.id: [
            Row(uid=f"r{n}", values={arm.id: Entry(name), participants.id: Entry(20)})
            for n, name in enumerate(rows)]}))
    log_in(client, "lead@example.org")
    url = f"/reviews/{team.review.id}/extraction/forms/{form.id}/studies/{study}/reconcile"
    page = client.get(url).text
    path = re.search(r'name="choice:(g[^"]+)" value="edit"', page).group(1)
    assert f'name="value:{path}.f{participants.id}" value="20"' in page  # filled with the row as coded
    done = post_form(client, url, {"action": "finish", f"choice:{path}": "edit", f"value:{path}.f{arm.id}": "Usual care",
                                   f"value:{path}.f{participants.id}": "19"}, follow_redirects=False)
    assert done.status_code in (200, 303), done.text[:500]
    consensus = extracting.load_tree(session, extracting.consensus_of(extracting.study_codings(session, form.id, study)))
    assert [(row.value(arm.id), row.value(participants.id)) for row in consensus.rows(arms.id)] == \
        [("DBT", 20), ("Usual care", 19)]
