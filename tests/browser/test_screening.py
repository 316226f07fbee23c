"""A reviewer screens five records with the keyboard alone; the lead resolves the conflict."""

from playwright.sync_api import expect

from screening.decisions import decide
from screening.models import Role, Stage, Verdict
from screening.records import kept_records
from screening.reviews import review_access
from tests.browser.conftest import screenshot
from tests.factories import PASSWORD, import_fixture, join, make_review, make_user


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
