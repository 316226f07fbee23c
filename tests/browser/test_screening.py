"""A reviewer screens five records with the keyboard alone; the lead resolves the conflict."""

from playwright.sync_api import expect

from screening.decisions.deciding import decide
from screening.models import Stage, Verdict
from screening.review.models import Role
from screening.records import kept_records
from screening.review.access import review_access
from tests.browser.conftest import screenshot
from tests.factories import PASSWORD, import_fixture, join, make_review, make_user

# One page with one line of text: enough for Chromium's viewer to draw.
MINIMAL_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 300 144]/Contents 4 0 R/Resources<</Font<</F1 5 0 R>>>>>>endobj\n"
    b"4 0 obj<</Length 44>>stream\nBT /F1 18 Tf 20 70 Td (Full text report) Tj ET\nendstream endobj\n"
    b"5 0 obj<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def _log_in(page, live_server, email):
    page.goto(f"{live_server}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_keyboard_screening_and_conflict_resolution(live_server, page, session, backend, tmp_path):
    lead = make_user(session, email="lead@example.org", name="Lena Lead")
    ann = make_user(session, email="ann@example.org", name="Ann Screener")
    ben = make_user(session, email="ben@example.org", name="Ben Screener")
    review = make_review(session, lead, title="ADHD drug classes")
    review.inclusion_terms, review.exclusion_terms = "children\nrandomized", "adults"
    session.add(review)
    session.commit()
    join(session, review, lead, ann, Role.reviewer)
    join(session, review, lead, ben, Role.reviewer)
    import_fixture(session, review, lead, "import/asreview_cohen_adhd_sample.csv", uploads_dir=tmp_path)
    records = [record.id for record in kept_records(session, review.id)]
    decide(session, review_access(session, review.id, ben.id), records[0], Stage.title_abstract, Verdict.exclude)

    _log_in(page, live_server, "ann@example.org")
    page.goto(f"{live_server}/reviews/{review.id}/screen/title_abstract")
    expect(page.get_by_text(f"Record {records[0]}", exact=False).first).to_be_visible()
    expect(page.locator("mark.term-in").first).to_have_text("children")
    screenshot(page, f"screening-{backend}")
    for index, key in enumerate("iemie"):
        expect(page.locator("#screen .record .muted").first).to_contain_text(f"Record {records[index]}")
        page.keyboard.press(key)
    expect(page.get_by_text("Nothing left for you at this stage.")).to_be_visible()
    expect(page.locator(".progress-line")).to_contain_text("You: 5 screened, 0 left")
    page.keyboard.press("ArrowLeft")
    expect(page.get_by_text("Your decision: exclude")).to_be_visible()
    page.get_by_role("button", name="Log out").click()

    _log_in(page, live_server, "lead@example.org")
    page.goto(f"{live_server}/reviews/{review.id}/conflicts/title_abstract")
    expect(page.locator("#conflicts-heading .badge")).to_have_text("1")
    conflict = page.get_by_role("article")
    expect(conflict).to_contain_text("Ann Screener")
    expect(conflict).to_contain_text("Ben Screener")
    screenshot(page, f"conflicts-{backend}")
    page.get_by_role("button", name=f"Include record {records[0]}").click()
    expect(page.get_by_text("No conflicts at this stage.")).to_be_visible()
    page.get_by_role("link", name="Statistics").click()
    expect(page.get_by_role("row", name="Ann Screener and Ben Screener")).to_contain_text("1")

    # the included record is now at full text: attach its report and read it beside the buttons
    page.goto(f"{live_server}/reviews/{review.id}/screen/full_text")
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(MINIMAL_PDF)
    page.get_by_label("Attach the PDF").set_input_files(str(pdf))
    page.get_by_role("button", name="Attach", exact=True).click()
    expect(page.locator("iframe.pdf")).to_be_attached()
    expect(page.get_by_text("report.pdf")).to_be_visible()
    screenshot(page, f"full-text-{backend}")
