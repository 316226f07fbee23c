"""The lead builds a two-field form, two reviewers code one study blind (one quoting the PDF),
the lead reconciles it, and the XLSX downloaded from the page holds the consensus."""

from openpyxl import load_workbook
from playwright.sync_api import expect

from screening.fulltexts import attach_pdf
from screening.records import kept_records
from screening.review.access import review_access
from screening.review.models import Role
from tests.browser.conftest import screenshot
from tests.factories import PASSWORD, import_fixture, include_records, join, make_review, make_user

# One page with one sentence: enough for PDF.js to draw and give a text layer.
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 400 200]/Contents 4 0 R/Resources<</Font<</F1 5 0 R>>>>>>endobj\n"
    b"4 0 obj<</Length 55>>stream\nBT /F1 14 Tf 20 100 Td (Forty people were randomised.) Tj ET\nendstream endobj\n"
    b"5 0 obj<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def _log_in(page, live_server, email):
    page.goto(f"{live_server}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def _log_out(page):
    page.get_by_role("button", name="Log out").click()


def _add_field(page, label, kind, options=""):
    adder = page.locator("details.add-field").last
    adder.locator("summary").click()
    adder.get_by_label("Question").fill(label)
    adder.get_by_label("Type").select_option(kind)
    if options:
        adder.get_by_label("Options, one a line").fill(options)
    adder.get_by_role("button", name="Add the field").click()
    expect(page.locator(".field-row strong", has_text=label)).to_be_visible()


def _code(page, live_server, review_id, form_id, study_id, size, *, quote=False):
    page.goto(f"{live_server}/reviews/{review_id}/extraction/forms/{form_id}/studies/{study_id}")
    expect(page.locator("#pdf-viewer")).to_have_attribute("data-rendered", "1")
    page.get_by_label("Sample size").fill(size)
    page.get_by_label("Design").select_option(label="RCT")
    expect(page.locator("#save-status")).to_contain_text("Draft saved")
    if quote:
        # select the sentence in the PDF's text layer and take it as the sample size's source
        page.evaluate("""() => {
            const span = document.querySelector('#pdf-viewer .textLayer span');
            const range = document.createRange(); range.selectNodeContents(span);
            const selection = document.getSelection(); selection.removeAllRanges(); selection.addRange(range);
        }""")
        page.wait_for_timeout(200)
        question = page.locator(".question", has=page.get_by_label("Sample size"))
        question.locator("summary").click()
        question.get_by_role("button", name="Use the text selected in the PDF").click()
        expect(question.get_by_label("Quote")).to_have_value("Forty people were randomised.")
        expect(question.get_by_label("Page")).to_have_value("1")
    return page


def test_two_reviewers_code_blind_the_lead_reconciles_and_downloads_the_xlsx(live_server, page, session, backend,
                                                                             tmp_path):
    lead = make_user(session, email="lead@example.org", name="Lena Lead")
    ann = make_user(session, email="ann@example.org", name="Ann Extractor")
    ben = make_user(session, email="ben@example.org", name="Ben Extractor")
    review = make_review(session, lead, title="Community services for complex emotional needs")
    join(session, review, lead, ann, Role.reviewer)
    join(session, review, lead, ben, Role.reviewer)
    import_fixture(session, review, lead, "import/asreview_cohen_adhd_sample.csv", uploads_dir=tmp_path)
    record = kept_records(session, review.id)[0]
    include_records(session, review, lead, [record.id])
    attach_pdf(session, review_access(session, review.id, lead.id), record.id, "reimer.pdf", PDF,
               files_dir=tmp_path / "files", max_bytes=10**6)

    _log_in(page, live_server, "lead@example.org")
    page.goto(f"{live_server}/reviews/{review.id}")
    page.get_by_role("link", name="Extraction").click()
    screenshot(page, f"extraction-overview-empty-{backend}")
    page.get_by_label("Name (for an empty form)").fill("Pilot form")
    page.get_by_role("button", name="Create the form").click()
    expect(page.get_by_role("heading", name="Pilot form")).to_be_visible()
    _add_field(page, "Sample size", "integer")
    _add_field(page, "Design", "single_choice", "RCT\nCohort")
    screenshot(page, f"extraction-builder-{backend}")
    form_id = int(page.url.rstrip("/").split("/")[-2])
    study_id = int(page.evaluate(f"fetch('/api/reviews/{review.id}/extraction/studies').then(r => r.json())")[0]["study_id"])
    page.goto(f"{live_server}/reviews/{review.id}/extraction/studies")
    screenshot(page, f"extraction-studies-{backend}")
    _log_out(page)

    _log_in(page, live_server, "ann@example.org")
    _code(page, live_server, review.id, form_id, study_id, "twelve", quote=True)
    page.get_by_role("button", name="Submit").click()
    expect(page.get_by_role("alert")).to_contain_text("Sample size: “twelve” is not a whole number: write it in digits")
    screenshot(page, f"extraction-coding-refused-{backend}")
    page.get_by_label("Sample size").fill("40")
    page.get_by_role("button", name="Submit").click()
    expect(page.locator(".coding-head")).to_contain_text("your coding: submitted")
    expect(page.get_by_label("Sample size")).to_be_disabled()
    page.get_by_role("link", name="Back to the queue").click()
    expect(page.get_by_role("link", name="Submitted")).to_be_visible()
    screenshot(page, f"extraction-queue-{backend}")
    _log_out(page)

    _log_in(page, live_server, "ben@example.org")
    _code(page, live_server, review.id, form_id, study_id, "42")
    expect(page.get_by_text("Blind: you will see your colleague's values once you have both submitted.")).to_be_visible()
    expect(page.get_by_text("Forty people")).to_have_count(1)  # the PDF's text, never Ann's quote
    screenshot(page, f"extraction-coding-{backend}")
    page.keyboard.press("Control+Enter")
    expect(page.locator(".coding-head")).to_contain_text("your coding: submitted")
    _log_out(page)

    _log_in(page, live_server, "lead@example.org")
    page.goto(f"{live_server}/reviews/{review.id}/extraction/forms/{form_id}")
    page.get_by_role("link", name="Reconcile").click()
    expect(page.get_by_role("heading", name="Reimer: 1 of 2 answers differ")).to_be_visible()
    differing = page.locator("tr.differs")
    expect(differing).to_have_count(1)
    expect(differing).to_contain_text("Sample size")
    expect(differing).to_contain_text("Forty people were randomised.")
    screenshot(page, f"extraction-reconcile-{backend}")
    page.get_by_label("Take Ben Extractor's Sample size").check()
    page.get_by_role("button", name="Finish: make this the consensus").click()
    expect(page.get_by_text("final")).to_be_visible()
    page.get_by_role("link", name="Extraction", exact=True).first.click()
    screenshot(page, f"extraction-overview-{backend}")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the XLSX").click()
    saved = tmp_path / "extraction.xlsx"
    download.value.save_as(saved)
    wide = list(load_workbook(saved)["wide"].iter_rows(values_only=True))
    assert wide == [("Study", "Study id", "Sample size", "Design"), ("Reimer", study_id, 42, "RCT")]


def test_the_scoping_template_codes_outcomes_with_time_points_and_studies_are_linked(live_server, page, session,
                                                                                     backend, tmp_path):
    lead = make_user(session, email="lead@example.org", name="Lena Lead")
    ann = make_user(session, email="ann@example.org", name="Ann Extractor")
    review = make_review(session, lead, title="Community services for complex emotional needs")
    join(session, review, lead, ann, Role.reviewer)
    import_fixture(session, review, lead, "import/asreview_cohen_adhd_sample.csv", uploads_dir=tmp_path)
    include_records(session, review, lead, [record.id for record in kept_records(session, review.id)[:3]])

    _log_in(page, live_server, "lead@example.org")
    page.goto(f"{live_server}/reviews/{review.id}/extraction")
    page.get_by_label("Start from").select_option(label="Scoping review: community services")
    page.get_by_role("button", name="Create the form").click()
    expect(page.locator(".field-row strong", has_text="Intervention type")).to_be_visible()
    form_id = int(page.url.rstrip("/").split("/")[-2])
    page.goto(f"{live_server}/reviews/{review.id}/extraction/studies")
    page.get_by_label("Link Jorenby to").select_option(label="Reimer (study 1)")
    page.locator("form", has=page.get_by_label("Link Jorenby to")).get_by_role("button", name="Link").click()
    expect(page.get_by_role("heading", name="2 studies from 3 reports")).to_be_visible()
    screenshot(page, f"extraction-studies-linked-{backend}")
    _log_out(page)

    _log_in(page, live_server, "ann@example.org")
    page.goto(f"{live_server}/reviews/{review.id}/extraction/forms/{form_id}")
    page.get_by_role("link", name="Code it").first.click()
    page.get_by_role("button", name="Add a row: Outcomes").click()
    page.get_by_role("textbox", name="Outcome", exact=True).fill("Self-harm")
    page.get_by_role("button", name="Add a row: Time points").click()
    page.get_by_role("textbox", name="Time point", exact=True).fill("12 months")
    page.get_by_label("Dialectical behaviour therapy (DBT)").check()
    page.get_by_role("listbox", name="Country").select_option(["GB", "NL"])
    page.wait_for_load_state("networkidle")  # the last change's autosave has landed, not only an earlier one
    expect(page.locator("#save-status")).to_contain_text("Draft saved")
    page.reload()
    expect(page.get_by_role("textbox", name="Time point", exact=True)).to_have_value("12 months")  # autosaved, nested row and all
    expect(page.get_by_label("Dialectical behaviour therapy (DBT)")).to_be_checked()
    screenshot(page, f"extraction-coding-scoping-{backend}")
    page.get_by_role("button", name="Submit").click()
    expect(page.get_by_role("alert")).to_contain_text("Study design is required")
    expect(page.get_by_role("alert")).not_to_contain_text("Country is required")


def test_a_verifier_corrects_an_extraction_and_sees_each_change_marked(live_server, page, session, backend, tmp_path):
    from extraction import extracting, forms
    from extraction.studies import included_studies
    from extraction.values import Entry, Node

    lead = make_user(session, email="lead@example.org", name="Lena Lead")
    ann = make_user(session, email="ann@example.org", name="Ann Extractor")
    ben = make_user(session, email="ben@example.org", name="Ben Verifier")
    review = make_review(session, lead, title="Community services for complex emotional needs")
    join(session, review, lead, ann, Role.reviewer)
    join(session, review, lead, ben, Role.reviewer)
    import_fixture(session, review, lead, "import/asreview_cohen_adhd_sample.csv", uploads_dir=tmp_path)
    include_records(session, review, lead, [record.id for record in kept_records(session, review.id)[:1]])
    spec = forms.FormSpec(name="Data extraction", dual=False, verification=True, sections=[forms.SectionSpec(
        label="Study", fields=[forms.FieldSpec(label="Sample size", field_type="integer"),
                               forms.FieldSpec(label="Setting", field_type="short_text")])])
    form = forms.create_form(session, review_access(session, review.id, lead.id), spec)
    size, setting = (item.id for item in forms.load_definition(session, form).sections[0].fields)
    study = included_studies(session, review)[0].study.id
    extracting.submit(session, review_access(session, review.id, ann.id), form.id, study,
                      Node(values={size: Entry(40), setting: Entry("Specialist service")}))

    _log_in(page, live_server, "ben@example.org")
    page.goto(f"{live_server}/reviews/{review.id}/extraction/forms/{form.id}/studies/{study}")
    expect(page.get_by_label("Sample size")).to_have_value("40")  # opens filled with the extraction
    page.get_by_label("Sample size").fill("44")
    page.get_by_role("button", name="Save the draft").click()
    expect(page.locator(f"#f{size}-changed")).to_have_text("Changed from the extraction, which had “40”.")
    expect(page.locator(f"#f{setting}-changed")).to_have_count(0)
    expect(page.locator(".notice")).to_contain_text("You have changed 1 of the extraction's answers")
    screenshot(page, f"extraction-verifying-{backend}")


def test_the_reconciler_keeps_a_row_one_extractor_added_with_a_correction(live_server, page, session, backend, tmp_path):
    from extraction import extracting, forms
    from extraction.studies import included_studies
    from extraction.values import Entry, Node, Row

    lead = make_user(session, email="lead@example.org", name="Lena Lead")
    people = [make_user(session, email=f"{name.lower()}@example.org", name=f"{name} Extractor") for name in ("Ann", "Ben")]
    review = make_review(session, lead, title="Community services for complex emotional needs")
    for person in people:
        join(session, review, lead, person, Role.reviewer)
    import_fixture(session, review, lead, "import/asreview_cohen_adhd_sample.csv", uploads_dir=tmp_path)
    include_records(session, review, lead, [record.id for record in kept_records(session, review.id)[:1]])
    spec = forms.FormSpec(name="Data extraction", sections=[forms.SectionSpec(label="Study", fields=[
        forms.FieldSpec(label="Arms", field_type="group", fields=[
            forms.FieldSpec(label="Arm", field_type="short_text", is_key=True),
            forms.FieldSpec(label="Participants", field_type="integer")])])])
    form = forms.create_form(session, review_access(session, review.id, lead.id), spec)
    arms = forms.load_definition(session, form).sections[0].fields[0]
    arm, participants = arms.children
    study = included_studies(session, review)[0].study.id
    for person, names in zip(people, (["DBT"], ["DBT", "Usual care"])):
        extracting.submit(session, review_access(session, review.id, person.id), form.id, study, Node(groups={arms.id: [
            Row(uid=f"r{n}", values={arm.id: Entry(name), participants.id: Entry(20)}) for n, name in enumerate(names)]}))

    _log_in(page, live_server, "lead@example.org")
    page.goto(f"{live_server}/reviews/{review.id}/extraction/forms/{form.id}/studies/{study}/reconcile")
    page.get_by_label("Keep it, changed:").check()
    page.get_by_label("Participants").fill("19")
    screenshot(page, f"extraction-reconcile-row-edit-{backend}")
    page.get_by_role("button", name="Finish: make this the consensus").click()
    expect(page.get_by_text("Consensus final")).to_be_visible()
    consensus = extracting.load_tree(session, extracting.consensus_of(extracting.study_codings(session, form.id, study)))
    assert [(row.value(arm.id), row.value(participants.id)) for row in consensus.rows(arms.id)] == \
        [("DBT", 20), ("Usual care", 19)]
