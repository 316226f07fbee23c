"""The lead opens the summaries of a coded review: the sentences, the evidence gap map drawn
by Vega, a click on a bubble through to its studies, and the studies-by-year chart."""

import re

from playwright.sync_api import expect

from extraction import extracting, forms
from extraction.models import FieldType
from extraction.studies import included_studies
from extraction.values import Entry, Node, Row
from screening.records import kept_records
from screening.review.access import review_access
from screening.review.members import list_members
from screening.review.models import Role
from tests.browser.conftest import SCREENSHOTS, screenshot
from tests.browser.test_extraction import _log_in
from tests.factories import import_fixture, include_records, join, make_review, make_user

# Country, design, intervention types (one arm each): study 1 tested DBT and CBT.
PLAN = [("GB", "RCT", ["DBT", "CBT"]), ("GB", "RCT", ["DBT"]), ("NL", "Cohort", ["Peer support"]),
        ("AU", "RCT", ["CBT"]), ("GB", "Qualitative", ["Peer support"]), ("NO", "Cohort", ["DBT"])]


def coded_review(session, tmp_path):
    """A review of six studies charted on a single-extraction form (a demo for the pages too)."""
    lead = make_user(session, email="lead@example.org", name="Lena Lead")
    ann = make_user(session, email="ann@example.org", name="Ann Extractor")
    review = make_review(session, lead, title="Community services for complex emotional needs")
    join(session, review, lead, ann, Role.reviewer)
    import_fixture(session, review, lead, "dedup/stroke_sample.csv", uploads_dir=tmp_path)
    include_records(session, review, lead, [record.id for record in kept_records(session, review.id)[:len(PLAN)]])
    spec = forms.FormSpec(name="Charting", dual=False, sections=[forms.SectionSpec(label="Study", fields=[
        forms.FieldSpec(label="Country", field_type=FieldType.country),
        forms.FieldSpec(label="Design", field_type=FieldType.single_choice, options=[
            forms.OptionSpec(label=label) for label in ("RCT", "Cohort", "Qualitative")]),
        forms.FieldSpec(label="Service users", field_type=FieldType.integer),
        forms.FieldSpec(label="Interventions", field_type=FieldType.group, fields=[
            forms.FieldSpec(label="Type", field_type=FieldType.hierarchical, is_key=True, options=[
                forms.OptionSpec(label="Psychotherapy", children=[forms.OptionSpec(label="DBT"), forms.OptionSpec(label="CBT")]),
                forms.OptionSpec(label="Peer support")])])])])
    form = forms.create_form(session, review_access(session, review.id, lead.id), spec)
    country, design, users, group = forms.load_definition(session, form).sections[0].fields
    options = {option.label: option.id for item in (design, group.children[0]) for option in item.options}
    access = review_access(session, review.id, ann.id)
    for index, (view, (code, kind, arms)) in enumerate(zip(included_studies(session, review), PLAN)):
        node = Node(values={country.id: Entry([code]), design.id: Entry(options[kind]), users.id: Entry(100 + index)},
                    groups={group.id: [Row(uid=f"r{n}", values={group.children[0].id: Entry([options[arm]])})
                                       for n, arm in enumerate(arms)]})
        extracting.submit(session, access, form.id, view.study.id, node)
    return review, form, {"country": country.id, "design": design.id, "users": users.id, "type": group.children[0].id}


def test_the_gap_map_is_drawn_and_a_bubble_lists_its_studies(live_server, page, session, tmp_path):
    review, form, f = coded_review(session, tmp_path)
    _log_in(page, live_server, "lead@example.org")
    page.goto(f"{live_server}/reviews/{review.id}")
    page.get_by_role("link", name="Summaries").click()
    query = (f"form={form.id}&field={f['type']}&by=occurrences&of_unit=interventions&rows={f['type']}"
             f"&columns={f['country']}&colour={f['design']}&stack={f['design']}&number={f['users']}"
             f"&number_unit=service+users&labels=United+Kingdom%3DUK")
    page.goto(f"{live_server}/reviews/{review.id}/summaries?{query}")
    expect(page.locator("[data-sentence=counts]")).to_have_text(
        "6 studies of 7 interventions: DBT (n = 3); CBT (n = 2); Peer support (n = 2).")
    bubbles = page.locator("#gap-map svg .mark-symbol path")
    expect(bubbles.first).to_be_visible()
    expect(page.locator("#timeline svg .mark-rect path").first).to_be_visible()
    screenshot(page, "summaries")
    page.locator("#gap-map").screenshot(path=str(SCREENSHOTS / "summaries-gap-map.png"))
    # the DBT row's UK column holds studies 1 and 2, both RCTs: the largest bubble in that row
    dbt_uk = page.locator("table.cross-tab tr", has_text="DBT").locator("td").nth(0)
    expect(dbt_uk).to_have_text("2")
    bubbles.first.click(force=True)  # its number, drawn on it, links to the same studies
    expect(page).to_have_url(re.compile(r"/summaries/studies\?form=\d+&ids=[\d,]+&about="))
    expect(page.get_by_role("heading", level=2)).to_have_text("2 studies of “Charting”: DBT × UK (RCT)")
    screenshot(page, "summaries-studies")
    page.goto(f"{live_server}/reviews/{review.id}/summaries?{query}")
    page.locator("table.cross-tab tr", has_text="DBT").locator("td a").first.click()
    expect(page.get_by_role("heading", level=2)).to_have_text("2 studies of “Charting”: DBT × UK")


def test_the_appraisal_traffic_lights_and_chart(live_server, page, session, tmp_path):
    from extraction import form_templates

    review, _, _ = coded_review(session, tmp_path)
    spec = form_templates.template("rob2")
    spec.dual = False
    people = {member.user.email: member.user for member in list_members(session, review.id)}
    lead = review_access(session, review.id, people["lead@example.org"].id)
    form = forms.create_form(session, lead, spec)
    judgements = [section.fields[0] for section in forms.load_definition(session, form).sections]
    ann = review_access(session, review.id, people["ann@example.org"].id)
    answers = ["Low", "Some concerns", "High"]
    for index, view in enumerate(included_studies(session, review)[:4]):
        values = {item.id: Entry(next(o.id for o in item.options if o.label == answers[(index + n) % 3]))
                  for n, item in enumerate(judgements)}
        extracting.submit(session, ann, form.id, view.study.id, Node(values=values))
    _log_in(page, live_server, "lead@example.org")
    page.goto(f"{live_server}/reviews/{review.id}/summaries?form={form.id}")
    expect(page.locator("table.traffic-light tbody tr")).to_have_count(4)
    expect(page.locator("#appraisal-chart svg .mark-rect path").first).to_be_visible()
    screenshot(page, "summaries-appraisal")


def test_the_theme_by_study_matrix(live_server, page, session, tmp_path):
    from extraction import form_templates

    review, _, _ = coded_review(session, tmp_path)
    people = {member.user.email: member.user for member in list_members(session, review.id)}
    spec = form_templates.template("qualitative")
    spec.dual = False
    form = forms.create_form(session, review_access(session, review.id, people["lead@example.org"].id), spec)
    fields = {item.field.label: item for item in forms.load_definition(session, form).walk()}
    ann = review_access(session, review.id, people["ann@example.org"].id)
    found = [["Feeling heard", "Continuity of care"], ["Feeling heard"], ["Stigma", "feeling heard"]]
    for view, themes in zip(included_studies(session, review), found):
        node = Node(values={fields["Country"].id: Entry(["GB"])}, groups={
            fields["Participants"].id: [Row(uid="p", values={fields["Group"].id: Entry(fields["Group"].options[0].id),
                                                             fields["Number"].id: Entry(10)})],
            fields["Themes"].id: [Row(uid=f"t{i}", values={fields["Theme"].id: Entry(theme)})
                                  for i, theme in enumerate(themes)]})
        extracting.submit(session, ann, form.id, view.study.id, node)
    _log_in(page, live_server, "lead@example.org")
    page.goto(f"{live_server}/reviews/{review.id}/summaries?form={form.id}")
    first = page.locator("table.theme-matrix tbody tr").first
    expect(first.locator("th")).to_have_text("Feeling heard")
    expect(first.locator("td").nth(0)).to_have_text("3")
    expect(first.locator("td").nth(1)).to_have_text("30")
    page.locator("#themes-heading").scroll_into_view_if_needed()
    screenshot(page, "summaries-themes")
