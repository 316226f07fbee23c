"""Records whose titles, abstracts, authors and keywords hold script payloads import whole and
are shown escaped on every page and partial; exported, their formula-like cells stay text.

The fixture is tests/fixtures/hostile/hostile.ris. Every GET route of a review is fetched, so a
page added later is covered too (tests/browser/test_content_security_policy.py runs the same
records in a real browser)."""

import csv
import io
import string

from fastapi.routing import APIRoute

from app.main import ROUTERS
from extraction import forms
from extraction.models import FieldType
from screening.fulltexts import attach_pdf
from screening.importers import parse_file
from screening.records import kept_records
from screening.review.access import review_access
from screening.review.models import Role
from tests.browser.test_extraction import PDF
from tests.factories import FIXTURES, import_fixture, include_records, join, make_review, make_user
from tests.web import log_in

# The payloads as the fixture writes them: none may reach an HTML page unescaped.
PAYLOADS = ['<script>alert("xss-', "<img src=x onerror", "<svg onload", "<svg/onload", "<svg><script>",
            "<iframe src=", "<b onmouseover", '"><svg onload', "</textarea><script", 'href="javascript:',
            "href='javascript:", 'src="javascript:']
ESCAPED_TITLE = "&lt;script&gt;alert(&#34;xss-title&#34;)&lt;/script&gt;Methylphenidate for hostile input"


def _hostile_review(session, tmp_path) -> dict:
    lead = make_user(session, email="lead@example.org", name="Lead")
    ann = make_user(session, email="ann@example.org", name="Ann")
    review = make_review(session, lead, title="Hostile records")
    join(session, review, lead, ann, Role.reviewer)
    batch = import_fixture(session, review, lead, "hostile/hostile.ris", uploads_dir=tmp_path)
    records = kept_records(session, review.id)
    include_records(session, review, lead, [records[0].id])
    access = review_access(session, review.id, lead.id)
    attach_pdf(session, access, records[0].id, "hostile.pdf", PDF, files_dir=tmp_path / "files", max_bytes=10**6)
    form = forms.create_form(session, access, forms.FormSpec(name="Data", sections=[forms.SectionSpec(
        label="Study", fields=[forms.FieldSpec(label="Sample size", field_type=FieldType.integer)])]))
    return {"review_id": review.id, "record_id": records[0].id, "batch_id": batch.id, "form_id": form.id,
            "job_id": 1, "number": 1, "table": "wide", "file_format": "csv", "batch": batch, "key": "records_screened"}


def _review_urls(ids: dict) -> list[str]:
    urls = []
    for router in ROUTERS:
        for route in router.routes:
            if not (isinstance(route, APIRoute) and "GET" in route.methods and "{review_id}" in route.path):
                continue
            stages = ("title_abstract", "full_text") if "{stage}" in route.path else ("",)
            names = {name for _, name, _, _ in string.Formatter().parse(route.path) if name} - {"stage"}
            assert names <= set(ids), f"{route.path}: give the hostile-records test an id for {names - set(ids)}"
            urls += [route.path.format(**ids, stage=stage) for stage in stages]
    base = f"/reviews/{ids['review_id']}"
    return urls + [f"{base}/records?q=hostile", f"{base}/screen/title_abstract?record={ids['record_id']}"]


def test_hostile_records_import_whole_and_every_page_shows_them_escaped(client, session, tmp_path):
    ids = _hostile_review(session, tmp_path)
    assert ids["batch"].record_count == 3
    log_in(client, "lead@example.org")
    ids["study_id"] = client.get(f"/api/reviews/{ids['review_id']}/extraction/studies").json()[0]["study_id"]
    pages_with_the_title = set()
    for person in ("lead@example.org", "ann@example.org"):
        log_in(client, person)
        for url in _review_urls(ids):
            for headers in ({}, {"HX-Request": "true"}):
                response = client.get(url, headers=headers, follow_redirects=False)
                assert response.status_code < 500, url
                if not response.headers.get("content-type", "").startswith("text/html"):
                    continue
                found = [payload for payload in PAYLOADS if payload.lower() in response.text.lower()]
                assert not found, f"{url} ({person}, {headers or 'full page'}) shows {found} unescaped"
                if ESCAPED_TITLE in response.text:
                    pages_with_the_title.add(url.split("?")[0].rsplit(f"/reviews/{ids['review_id']}", 1)[-1])
    # The records really are on the pages that show records, so the absence above means something.
    study = ids["study_id"]
    for page in ("/records", "/screen/title_abstract", "/duplicates",
                 f"/extraction/forms/{ids['form_id']}/studies/{study}", "/extraction/studies"):
        assert page in pages_with_the_title, f"{page} did not show the hostile record: {sorted(pages_with_the_title)}"


def test_exported_csv_keeps_every_formula_like_cell_as_text(client, session, tmp_path):
    ids = _hostile_review(session, tmp_path)
    log_in(client, "lead@example.org")
    exported = client.get(f"/reviews/{ids['review_id']}/export.csv").text
    cells = [cell for row in csv.reader(io.StringIO(exported)) for cell in row]
    assert not [cell for cell in cells if cell.startswith(("=", "+", "-", "@", "\t", "\r"))]
    for text in ("'=1+2 a formula-like title", "'+Plus, Paula; -Minus, Max", "'@SUM(A1:A9) an abstract"):
        assert any(cell.startswith(text) for cell in cells), text
    # Read back into Winnow, each field is what the source held: the apostrophe only kept the
    # spreadsheet from running it.
    fields = lambda c: (c.title, c.abstract, c.authors, c.keywords)  # noqa: E731
    back = parse_file(exported.encode(), "export.csv").citations
    original = parse_file((FIXTURES / "hostile/hostile.ris").read_bytes(), "hostile.ris").citations
    assert sorted(map(fields, back)) == sorted(map(fields, original))
