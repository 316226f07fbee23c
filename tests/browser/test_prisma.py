"""The lead opens the PRISMA page of a review screened to a stopping check, sees the diagram
with every count, and follows a box through to the records it counts."""

from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.extraction import prisma_review
from tests.factories import PASSWORD


def test_the_prisma_page_links_each_box_to_its_records(live_server, page, session, backend, tmp_path):
    world = prisma_review.build(session, tmp_path, title="Crisis care for young people")
    page.goto(f"{live_server}/login")
    page.get_by_label("Email").fill(world.lead.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="Crisis care for young people").click()
    page.get_by_role("navigation", name="Review").get_by_role("link", name="PRISMA").click()
    expect(page.get_by_role("heading", name="PRISMA 2020 flow diagram")).to_be_visible()
    diagram = page.locator(".prisma-figure svg")
    expect(diagram).to_contain_text(f"Records screened (n = {world.expected['records_screened']})")
    expect(diagram).to_contain_text("Studies included in review (n = 4)")
    expect(page.get_by_text("All 9 sums between the boxes hold.")).to_be_visible()
    if backend == "sqlite":
        screenshot(page, "prisma-page")
    page.locator('.prisma-figure a[data-key="excluded_other"]').first.click()
    expect(page.get_by_role("heading", name="5 records in excluded_other")).to_be_visible()
    rows = page.locator(".prisma-box-list tbody tr")
    expect(rows).to_have_count(5)
    expect(rows.first).to_contain_text("1985")
    page.get_by_role("link", name="PRISMA", exact=True).first.click()
    page.locator('.prisma-figure a[data-key="total_studies"]').click()
    expect(page.get_by_role("heading", name="4 studies in total_studies")).to_be_visible()


def test_the_lead_marks_a_batch_as_other_methods_and_restores_removed_records(live_server, page, session, backend,
                                                                                tmp_path):
    world = prisma_review.build(session, tmp_path, title="Crisis care for young people")
    page.goto(f"{live_server}/login")
    page.get_by_label("Email").fill(world.lead.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{live_server}/reviews/{world.review.id}/imports")
    removals = page.locator("section", has=page.get_by_role("heading", name="Removed before screening"))
    expect(removals.locator("tbody tr")).to_contain_text("Published before 1990")
    registers = page.locator("article.batch", has_text="ClinicalTrials.gov")
    registers.get_by_label("Found through").select_option("website")
    registers.get_by_role("button", name="Save").click()
    expect(page.locator("article.batch", has_text="ClinicalTrials.gov").locator(".badge")).to_have_text("Website")
    if backend == "sqlite":
        screenshot(page, "imports-identification-and-removals")
    removals.get_by_role("button", name="Restore to screening").click()
    expect(page.get_by_text("No records removed.")).to_be_visible()
    page.goto(f"{live_server}/reviews/{world.review.id}/prisma")
    diagram = page.locator(".prisma-figure svg")
    expect(diagram).to_contain_text("Websites (n = 10)")
    expect(diagram).to_contain_text("Records removed for other reasons (n = 0)")
    # Back in screening, unscreened, after the stopping check that allowed stopping: automation's now.
    expect(diagram).to_contain_text(f"automation tools (n = {len(world.automation) + 5})")


def test_the_scoping_checklist_shows_what_the_data_answer(live_server, page, session, backend, tmp_path):
    world = prisma_review.build(session, tmp_path, title="Crisis care for young people")
    page.goto(f"{live_server}/login")
    page.get_by_label("Email").fill(world.lead.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{live_server}/reviews/{world.review.id}/prisma")
    page.get_by_role("link", name="PRISMA-ScR checklist").click()
    expect(page.get_by_role("heading", name="PRISMA-ScR checklist")).to_be_visible()
    answered = page.locator(".prisma-scr tr.answered")
    expect(answered.first).to_contain_text("Information sources")
    expect(answered.first).to_contain_text("MEDLINE (Ovid) (database)")
    expect(page.locator(".prisma-scr tr.to-write").first).to_contain_text("The authors must write this.")
    if backend == "sqlite":
        screenshot(page, "prisma-scoping-checklist")
