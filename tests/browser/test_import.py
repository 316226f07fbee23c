"""A lead uploads a search export, watches the import finish, and settles a possible duplicate."""

from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.factories import FIXTURES, make_review, make_user


def test_upload_watch_progress_and_decide_a_duplicate(live_server, page, session, backend):
    lead = make_user(session, email="lead@example.org", name="Lena Lead")
    review = make_review(session, lead, title="Stroke rehabilitation")
    page.goto(f"{live_server}/login")
    page.get_by_label("Email").fill("lead@example.org")
    page.get_by_label("Password").fill("correct horse battery staple")
    page.get_by_role("button", name="Log in").click()

    page.goto(f"{live_server}/reviews/{review.id}/imports")
    page.get_by_label("Export file").set_input_files(str(FIXTURES / "dedup/stroke_sample.csv"))
    page.get_by_label("Source").fill("Embase (Ovid)")
    page.get_by_label("Date searched").fill("2024-05-31")
    page.get_by_role("button", name="Import").click()
    expect(page.locator("progress").first).to_be_attached()
    expect(page.get_by_text("Imported 54 records")).to_be_visible(timeout=20_000)
    expect(page.get_by_role("row", name="Embase (Ovid) 54")).to_be_visible()
    screenshot(page, f"imports-{backend}")

    page.get_by_role("link", name="Duplicates").click()
    waiting = page.locator("#candidates-heading .badge")
    expect(waiting).to_have_text("1")  # a thesis and its Dissertation Abstracts entry
    expect(page.locator("mark").first).to_be_visible()
    screenshot(page, f"duplicates-{backend}")
    page.get_by_role("button", name="Different reports").first.click()
    expect(waiting).to_have_text("0")
    page.get_by_role("button", name="Unmerge").first.click()
    expect(page.get_by_role("heading", name="Merged records")).to_be_visible()
