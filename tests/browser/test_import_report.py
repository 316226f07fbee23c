"""An export with a line that belongs to no record imports, and the import's message names the line."""

from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.factories import FIXTURES, make_review, make_user


def test_a_line_left_out_of_an_import_is_named_on_the_imports_page(live_server, page, session, backend, tmp_path):
    lead = make_user(session, email="lead@example.org", name="Lena Lead")
    review = make_review(session, lead, title="Complex emotional needs")
    export = tmp_path / "psycinfo.ris"
    export.write_bytes(b"NL  - Clin Psychol Psychother\r\n\r\n" + (FIXTURES / "import/ovid_psycinfo.ris").read_bytes())
    page.goto(f"{live_server}/login")
    page.get_by_label("Email").fill("lead@example.org")
    page.get_by_label("Password").fill("correct horse battery staple")
    page.get_by_role("button", name="Log in").click()

    page.goto(f"{live_server}/reviews/{review.id}/imports")
    page.get_by_label("Export file").set_input_files(str(export))
    page.get_by_label("Source").fill("PsycINFO (Ovid)")
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_text("Imported 3 records")).to_be_visible(timeout=20_000)
    expect(page.get_by_text("1 line left out: line 1 (a tag line before the first record)")).to_be_visible()
    expect(page.get_by_role("row", name="PsycINFO (Ovid) 3")).to_be_visible()
    screenshot(page, f"imports-left-out-{backend}")
