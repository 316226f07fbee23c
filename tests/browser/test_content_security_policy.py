"""Every page, loaded in headless Chromium under Winnow's Content-Security-Policy, logs no
violation, and records full of script payloads run none of them.

The pages are taken from the app's own routes, so a new page is covered the day it is added.
The review holds the hostile fixture (tests/fixtures/hostile/hostile.ris): a payload that
escaped would either run (a dialog opens) or be blocked by the CSP (a violation is logged)."""

import string

from fastapi.routing import APIRoute
from playwright.sync_api import expect

from app.main import ROUTERS
from extraction import forms
from extraction.models import FieldType
from screening.fulltexts import attach_pdf
from screening.records import kept_records
from screening.review.access import review_access
from screening.review.models import Role
from tests.browser.conftest import screenshot
from tests.browser.test_extraction import PDF, _log_in
from tests.factories import import_fixture, include_records, join, make_review, make_user

# Each violation is echoed to the console with what was blocked, so one listener sees them all.
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(`CSP violation: ${event.violatedDirective} blocked ${event.blockedURI || "inline code"}`
                + ` at ${event.sourceFile}:${event.lineNumber}`);
});
"""


def _watch(page) -> dict[str, list[str]]:
    seen = {"violations": [], "dialogs": []}
    page.add_init_script(REPORT_VIOLATIONS)
    page.on("console", lambda message: seen["violations"].append(f"{page.url}: {message.text}")
            if "Content Security Policy" in message.text or "CSP violation" in message.text else None)

    def dialog(opened):
        seen["dialogs"].append(f"{page.url}: {opened.message}")
        opened.dismiss()

    page.on("dialog", dialog)
    return seen


def _page_urls(ids: dict) -> list[str]:
    """Every HTML page of the app (no API, no download), with this review's ids filled in."""
    urls = []
    for router in ROUTERS:
        for route in router.routes:
            if not isinstance(route, APIRoute) or "GET" not in route.methods or route.path.startswith("/api/"):
                continue
            if "." in route.path.rsplit("/", 1)[-1] or route.path == "/setup":  # a download; setup is closed
                continue
            names = [name for _, name, _, _ in string.Formatter().parse(route.path) if name]
            missing = set(names) - set(ids) - {"stage"}
            assert not missing, f"{route.path}: give the CSP test an id for {missing}"
            if "{stage}" in route.path:
                urls += [route.path.format(**ids, stage=stage) for stage in ("title_abstract", "full_text")]
            else:
                urls.append(route.path.format(**ids, stage=""))
    base = f"/reviews/{ids['review_id']}"
    urls += [f"{base}/records?q=hostile", f"{base}/records?show=conflicts",
             f"{base}/screen/title_abstract?record={ids['record_id']}"]
    return urls


def _build(session, tmp_path) -> dict:
    lead = make_user(session, email="lead@example.org", name="Lena Lead", is_admin=True)
    ann = make_user(session, email="ann@example.org", name="Ann <script>alert('xss-name')</script>")
    review = make_review(session, lead, title="Hostile <svg onload=alert('xss-review')> records")
    join(session, review, lead, ann, Role.reviewer)
    batch = import_fixture(session, review, lead, "hostile/hostile.ris", uploads_dir=tmp_path)
    import_fixture(session, review, lead, "import/asreview_cohen_adhd_sample.csv", uploads_dir=tmp_path)
    record = kept_records(session, review.id)[0]
    assert "<script>" in record.title
    include_records(session, review, lead, [record.id])
    access = review_access(session, review.id, lead.id)
    attach_pdf(session, access, record.id, "hostile.pdf", PDF, files_dir=tmp_path / "files", max_bytes=10**6)
    form = forms.create_form(session, access, forms.FormSpec(
        name="Data <img src=x onerror=alert('xss-form')>", sections=[forms.SectionSpec(label="Study", fields=[
            forms.FieldSpec(label="Sample size", field_type=FieldType.integer)])]))
    return {"review_id": review.id, "record_id": record.id, "batch_id": batch.id, "form_id": form.id, "job_id": 1,
            "number": 1, "table": "wide", "key": "records_screened"}


def test_every_page_loads_without_a_csp_violation_and_no_payload_runs(live_server, page, session, backend,
                                                                      tmp_path):
    ids = _build(session, tmp_path)
    seen = _watch(page)
    _log_in(page, live_server, "lead@example.org")
    study_id = page.evaluate(
        f"fetch('/api/reviews/{ids['review_id']}/extraction/studies').then(r => r.json())")[0]["study_id"]
    ids["study_id"] = study_id
    urls = _page_urls(ids)
    assert len(urls) > 20
    statuses = {}
    for url in urls:
        response = page.goto(live_server + url)
        page.wait_for_load_state("networkidle")
        statuses[url] = response.status
    assert [url for url, status in statuses.items() if status >= 500] == []
    assert sum(status == 200 for status in statuses.values()) > 20, statuses

    # The coding page: PDF.js draws the PDF (module, worker, fonts) and htmx autosaves.
    page.goto(f"{live_server}/reviews/{ids['review_id']}/extraction/forms/{ids['form_id']}/studies/{study_id}")
    expect(page.locator("#pdf-viewer")).to_have_attribute("data-rendered", "1")
    page.get_by_label("Sample size").fill("40")
    expect(page.locator("#save-status")).to_contain_text("Draft saved")
    screenshot(page, f"csp-coding-{backend}")
    # Swagger UI at /docs, served from our static folder, draws the API under the same policy.
    page.goto(f"{live_server}/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Winnow")
    expect(page.locator(".opblock").first).to_be_visible()
    screenshot(page, f"csp-docs-{backend}")
    # An htmx search swaps the records list in.
    page.goto(f"{live_server}/reviews/{ids['review_id']}/records")
    page.locator("#q").fill("hostile")
    expect(page.locator("body")).to_contain_text("Methylphenidate for hostile input")
    page.wait_for_load_state("networkidle")
    screenshot(page, f"csp-records-{backend}")

    assert seen["dialogs"] == [], "a payload in a record ran"
    assert seen["violations"] == [], "\n".join(seen["violations"])

    # The listener does catch a violation: an inline script added to a page is blocked and reported.
    page.evaluate("""() => { const s = document.createElement("script"); s.textContent = "window.ran = 1";
                             document.body.append(s); }""")
    page.wait_for_timeout(200)
    assert page.evaluate("window.ran") is None
    assert any("script-src" in line for line in seen["violations"]), seen["violations"]
