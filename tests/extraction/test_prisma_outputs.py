"""The PRISMA diagram's files and page: the SVG holds every box's number and is valid XML with
every name escaped, the CSV is the PRISMA2020 template with its counts and reads back, the
JSON has the same data names, and each count links to its records."""

import csv
import io
import re
import xml.etree.ElementTree as ElementTree

import pytest
from sqlmodel import select

from extraction.reports import prisma, prisma_csv, prisma_diagram, prisma_report
from screening import importing
from screening.models import IdentificationRoute, ImportBatch
from screening.review.access import review_access
from tests.extraction import prisma_review
from tests.factories import FIXTURES
from tests.web import csrf_token, log_in

SVG = "{http://www.w3.org/2000/svg}"
DIAGRAM_KEYS = [  # every box the SVG draws, by its data name
    "database_results", "register_results", "duplicates", "excluded_automatic", "excluded_other", "records_screened",
    "records_excluded", "dbr_sought_reports", "dbr_notretrieved_reports", "dbr_assessed", "dbr_excluded",
    "website_results", "organisation_results", "citations_results", "other_sought_reports",
    "other_notretrieved_reports", "other_assessed", "other_excluded", "total_studies", "total_reports",
]


@pytest.fixture
def world(session, tmp_path) -> prisma_review.PrismaReview:
    return prisma_review.build(session, tmp_path, title='Self-harm <script>alert("x")</script> & crisis care')


@pytest.fixture
def report(session, world) -> prisma_report.PrismaReport:
    return prisma_report.prisma_report(session, review_access(session, world.review.id, world.lead.id))


def _texts_by_key(svg: str) -> dict[str, str]:
    root = ElementTree.fromstring(svg.encode())
    found = {}
    for link in root.iter(f"{SVG}a"):
        found.setdefault(link.get("data-key"), " ".join(text.text for text in link.iter(f"{SVG}text")))
    return found


def test_the_svg_is_valid_xml_with_every_number_and_each_count_linked(report, world):
    svg = prisma_diagram.render_svg(report.counts, title=report.title, link=lambda key: f"/boxes/{key}")
    root = ElementTree.fromstring(svg.encode())
    assert root.find(f"{SVG}title").text == f"PRISMA 2020 flow diagram: {world.review.title}"
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    texts = _texts_by_key(svg)
    for key in DIAGRAM_KEYS:
        assert f"(n\u00a0=\u00a0{report.counts.n(key):,})" in texts[key], key
    for band in ("Identification", "Screening", "Included"):
        assert band in svg
    for wording in ("Records identified from:", "Records removed before screening:", "Records screened",
                    "Reports sought for retrieval", "Reports not retrieved", "Reports assessed for eligibility",
                    "Reports excluded", "Studies included in review", "Reports of included studies",
                    "Identification of new studies via other methods"):
        assert wording in svg
    assert "MEDLINE (Ovid)" in texts["database_results"] or "MEDLINE (Ovid)" in svg
    assert "Callaghan" in svg and f"p = {report.counts.automation.p_value:.3g}" in svg


def test_names_are_escaped_in_the_svg(session, world):
    access = review_access(session, world.review.id, world.lead.id)
    prisma.set_label(session, access, "removal", "Published before 1990", "<img src=x onerror=alert(1)> & older")
    svg = prisma_diagram.render_svg(prisma_report.prisma_report(session, access).counts)
    ElementTree.fromstring(svg.encode())
    assert "<img" not in svg and "&lt;img src=x onerror=alert(1)&gt; &amp;" in svg


def test_png_and_pdf_come_from_the_svg(report):
    png = prisma_report.export(report, "png")
    pdf = prisma_report.export(report, "pdf")
    assert png.data.startswith(b"\x89PNG") and png.media_type == "image/png"
    assert pdf.data.startswith(b"%PDF") and pdf.filename.endswith(".pdf")


def test_the_csv_is_the_prisma2020_template_with_its_counts(report):
    exported = prisma_report.export(report, "csv")
    text = exported.data.decode("utf-8")
    assert not exported.data.startswith(b"\xef\xbb\xbf")
    template = list(csv.DictReader(io.StringIO((FIXTURES / "prisma" / "PRISMA2020_template.csv").read_text("utf-8"))))
    written = list(csv.DictReader(io.StringIO(text)))
    assert list(written[0]) == list(template[0]) == list(prisma_csv.COLUMNS)
    assert [row["data"] for row in written] == [row["data"] for row in template]
    for mine, theirs in zip(written, template):
        assert {k: v for k, v in mine.items() if k != "n"} == {k: v for k, v in theirs.items() if k != "n"}
    values = prisma_csv.read_csv(text)
    counts = report.counts
    assert values["database_specific_results"] == "MEDLINE (Ovid), 153"
    assert values["register_specific_results"] == "ClinicalTrials.gov, 10"
    reasons = counts.boxes["dbr_excluded"].parts
    assert values["dbr_excluded"] == f"{reasons[0].name}, 2; {reasons[1].name}, 1"
    assert values["identification"] == "0" and values["total_studies_ma"] == "0"  # rows Winnow does not fill
    # Round trip: the numbers read back are the boxes' numbers, and they add up.
    numbers = prisma_csv.numbers_from_csv(text)
    assert numbers == {key: counts.n(key) for key in prisma_csv.FILLED}
    assert prisma_csv.parse_named(values["dbr_excluded"]) == [(part.name, part.n) for part in reasons]


def test_a_name_with_a_comma_or_semicolon_is_written_without_and_reported(session, world):
    batch = session.exec(select(ImportBatch).where(ImportBatch.source_name == "MEDLINE (Ovid)")).one()
    batch.source_name = "MEDLINE, Ovid; 1946-"
    session.add(batch)
    session.commit()
    report = prisma_report.prisma_report(session, review_access(session, world.review.id, world.lead.id))
    exported = prisma_report.export(report, "csv")
    assert exported.changed_names == [("MEDLINE, Ovid; 1946-", "MEDLINE Ovid 1946-")]
    assert prisma_csv.read_csv(exported.data.decode())["database_specific_results"] == "MEDLINE Ovid 1946-, 153"


def test_the_json_uses_the_template_data_names(report):
    data = prisma_csv.as_json(report.counts, report.checks)
    template_names = {row["data"] for row in prisma_csv.template_rows()} - {"NA"}
    assert set(prisma_csv.FILLED) <= set(data["data"]) and set(prisma_csv.FILLED) <= template_names
    assert data["data"]["records_screened"] == report.counts.n("records_screened")
    assert data["parts"]["database_specific_results"] == [{"name": "MEDLINE (Ovid)", "n": 153}]
    assert all(check["holds"] for check in data["checks"])
    assert data["automation"]["method"].startswith("Callaghan")


def test_the_page_shows_the_diagram_checks_and_downloads_and_links_each_box(client, session, world):
    log_in(client, world.lead.email)
    base = f"/reviews/{world.review.id}/prisma"
    page = client.get(base)
    assert page.status_code == 200
    assert "<script>alert" not in page.text
    assert "All 9 sums between the boxes hold." in page.text
    for file_format in ("svg", "png", "pdf", "csv"):
        assert f'href="{base}.{file_format}"' in page.text
    assert f'href="{base}/boxes/excluded_automatic"' in page.text
    box = client.get(f"{base}/boxes/excluded_other")
    assert box.status_code == 200 and "5 records in" in box.text
    assert all(f"<td class=\"num\">{record_id}</td>" in box.text for record_id in world.removed)
    api = client.get(f"/api/reviews/{world.review.id}/prisma/boxes/excluded_automatic").json()
    assert api == {"key": "excluded_automatic", "unit": "records", "n": len(world.automation), "ids": world.automation}
    studies = client.get(f"{base}/boxes/total_studies")
    assert studies.status_code == 200 and "4 studies in" in studies.text
    assert client.get(f"{base}/boxes/nonsense").status_code == 404
    download = client.get(f"{base}.csv")
    assert download.headers["content-type"].startswith("text/csv")
    assert client.get(f"{base}.svg").content.startswith(b"<?xml")
    assert client.get(f"{base}.gif").status_code == 422
    assert client.get(f"{base}?as_of=yesterday").status_code == 422


def test_the_page_names_a_failing_box_and_links_its_records(client, session, world, tmp_path):
    from tests.factories import import_citations
    import_citations(session, world.review, world.lead, prisma_review.citations(2, 5), source="Scopus",
                     uploads_dir=tmp_path)
    log_in(client, world.lead.email)
    page = client.get(f"/reviews/{world.review.id}/prisma")
    assert "1 of 9 sums between the boxes do not hold yet." in page.text
    assert re.search(r"off by \+2; <a href=\"[^\"]+/boxes/ta_undecided\">2 records still undecided", page.text)
    data = client.get(f"/api/reviews/{world.review.id}/prisma").json()
    [failing] = [check for check in data["checks"] if not check["holds"]]
    assert failing["box"] == "records_screened" and failing["explained_by"][0]["n"] == 2


def test_the_lead_rewords_a_name_on_the_page(client, session, world):
    log_in(client, world.lead.email)
    base = f"/reviews/{world.review.id}/prisma"
    token = csrf_token(client, base)
    answer = client.post(f"{base}/labels", data={"csrf_token": token, "kind": "source", "original": "MEDLINE (Ovid)",
                                                 "label": "MEDLINE via Ovid"})
    assert answer.status_code == 200 and "MEDLINE via Ovid (n\u00a0=\u00a0153)" in answer.text


def test_the_imports_page_marks_a_batch_as_other_methods(client, session, world):
    batch = session.exec(select(ImportBatch).where(ImportBatch.source_name == "ClinicalTrials.gov")).one()
    importing.set_identification(session, review_access(session, world.review.id, world.lead.id), batch.id,
                                 IdentificationRoute.website)
    counts = prisma.prisma_counts(session, world.review)
    assert (counts.n("register_results"), counts.n("website_results")) == (0, 10)


def test_the_cli_writes_each_format_through_the_same_report(database_url, session, world, tmp_path):
    from typer.testing import CliRunner

    from app.cli import cli

    env = {"DATABASE_URL": database_url, "WINNOW_DATA_DIR": str(tmp_path)}
    for file_format, start in (("svg", b"<?xml"), ("png", b"\x89PNG"), ("pdf", b"%PDF"), ("csv", b"data,node,box")):
        output = tmp_path / f"prisma.{file_format}"
        answer = CliRunner().invoke(cli, ["prisma", str(world.review.id), "--format", file_format,
                                          "--output", str(output)], env=env)
        assert answer.exit_code == 0, answer.output
        assert output.read_bytes().startswith(start) and f"Written {output}" in answer.output
    wrong = CliRunner().invoke(cli, ["prisma", str(world.review.id), "--format", "gif", "--output",
                                     str(tmp_path / "x.gif")], env=env)
    assert wrong.exit_code == 1 and "svg, png, pdf, csv" in wrong.output


def test_an_updated_reviews_diagram_names_the_previous_version(session, world, tmp_path):
    from screening.review.models import utcnow
    from tests.factories import import_citations

    cut = utcnow()
    import_citations(session, world.review, world.lead, prisma_review.citations(2, 13), source="Scopus",
                     uploads_dir=tmp_path)
    counts = prisma.prisma_counts(session, world.review, previous_until=cut)
    texts = _texts_by_key(prisma_diagram.render_svg(counts, link=lambda key: key))
    assert "(n\u00a0=\u00a04)" in texts["previous_studies"] and "(n\u00a0=\u00a05)" in texts["previous_reports"]
    assert "New studies included in review (n\u00a0=\u00a00)" in texts["new_studies"]
    assert "Total studies included in review" in texts["total_studies"]
