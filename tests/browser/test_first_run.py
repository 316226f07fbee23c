"""A new team's first minutes, in a real browser: set up, log in, create a review,
invite a colleague, log out."""

from playwright.sync_api import expect

from tests.browser.conftest import screenshot


def test_first_account_review_and_colleague(live_server, page, backend):
    page.goto(live_server)
    expect(page).to_have_url(f"{live_server}/setup")
    screenshot(page, f"setup-{backend}")
    page.get_by_label("Your name").fill("Ada Lead")
    page.get_by_label("Email").fill("ada@example.org")
    page.get_by_label("Password").fill("a long passphrase")
    page.get_by_role("button", name="Create administrator account").click()
    expect(page.get_by_text("Welcome, Ada Lead")).to_be_visible()

    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(f"{live_server}/login")
    page.get_by_label("Email").fill("ada@example.org")
    page.get_by_label("Password").fill("wrong password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_have_text("Wrong email or password.")
    page.get_by_label("Password").fill("a long passphrase")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Your reviews")).to_be_visible()

    page.get_by_role("link", name="Users").click()
    page.get_by_label("Name").fill("Bea Reviewer")
    page.get_by_label("Email").fill("bea@example.org")
    page.get_by_label("Initial password").fill("another passphrase")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_text("Account created for Bea Reviewer")).to_be_visible()

    page.get_by_role("link", name="Reviews").click()
    page.get_by_role("link", name="New review").click()
    page.get_by_label("Title").fill("Community services for people with complex emotional needs")
    page.get_by_label("Review question").fill("What community services exist, and how are they organised?")
    page.get_by_label("Scoping review").check()
    page.get_by_role("button", name="Create review").click()
    expect(page.get_by_role("heading", name="Community services for people with complex emotional needs")).to_be_visible()
    screenshot(page, f"review-overview-{backend}")

    page.get_by_role("link", name="Members").click()
    page.get_by_label("Email").fill("nobody@example.org")
    page.get_by_role("button", name="Add member").click()
    expect(page.get_by_role("alert")).to_contain_text("No active account")
    page.get_by_label("Email").fill("bea@example.org")
    page.get_by_label("Role").select_option("reviewer")
    page.get_by_role("button", name="Add member").click()
    row = page.get_by_role("row", name="Bea Reviewer")
    expect(row).to_contain_text("reviewer")
    screenshot(page, f"members-{backend}")

    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_text("You are logged out.")).to_be_visible()
    page.goto(f"{live_server}/")
    expect(page).to_have_url(f"{live_server}/login")
