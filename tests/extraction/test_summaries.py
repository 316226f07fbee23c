"""The summaries page, its downloads and its API twin, on a small coded review: the same
counts and sentences everywhere, each number a link to its studies, the gap map's cells the
cross-tab's, and spreadsheets that run no formula."""

import csv
import io
import re
import xml.etree.ElementTree as ElementTree
from html import unescape

from openpyxl import load_workbook

from extraction import extracting, studies as studies_module
from extraction.reports import charts, summaries
from extraction.reports.summaries import Choices
from extraction.studies import included_studies
from tests.extraction.test_typology import _coding, _scoping_form
from tests.factories import include_records
from tests.web import log_in

PLAN = [(["GB"], "RCT", 100, ["DBT", "CBT"]), (["GB", "NL"], "RCT", 50, ["DBT"]),
        (["NL"], "Cohort", 31, ["Peer support"]), (["NO"], "Cohort", 1350, ["CBT"])]


def _coded(session, team):
    include_records(session, team.review, team.lead, team.record_ids[:5])
    form, f, o = _scoping_form(session, team, dual=False)
    ann = team.access(session, team.ann)
    views = included_studies(session, team.review)
    for view, (countries, design, size, arms) in zip(views, PLAN):
        extracting.submit(session, ann, form.id, view.study.id, _coding(f, o, countries, design, size, arms))
    extracting.save_draft(session, ann, form.id, views[4].study.id, _coding(f, o, ["FR"], "RCT", 900, ["DBT"]))
    return form, f, [view.study.id for view in views]


def _link(study_ids, about=""):
    return "/s?ids=" + ",".join(map(str, study_ids))


def test_the_summary_counts_sentences_and_numbers(session, team):
    form, f, ids = _coded(session, team)
    choices = Choices(form_id=form.id, field=str(f["type"]), by="occurrences", of_unit="interventions",
                      number=str(f["size"]), number_unit="participants", order=["CBT"], value="CBT")
    summary = summaries.summarise(session, team.review, choices, _link)
    texts = {name: sentence.text for name, sentence in summary.sentences}
    assert texts == {
        "counts": "4 studies of 5 interventions: CBT (n = 2); DBT (n = 2); Peer support (n = 1).",
        "base": "4 studies; 5 interventions, as one study tested two.",
        "list": "Studies from CBT, DBT, and Peer support.",
        "total": "4 studies identified including 1,531 participants.",
        "value": "2 studies from CBT.",
    }
    assert [(n.label, n.total) for n in summary.numbers if n.n] == [("CBT", 1450), ("DBT", 150), ("Peer support", 31)]
    assert summary.counts.without == () and [row.labels for row in summary.typology] == [
        ("Psychotherapy",), ("Psychotherapy", "CBT"), ("Psychotherapy", "DBT"), ("Peer support",), ("Peer support", "Peer support")]


def test_the_gap_maps_cells_are_the_cross_tabs(session, team):
    form, f, ids = _coded(session, team)
    choices = Choices(form_id=form.id, field=str(f["type"]), rows=f"{f['type']}.category", columns=str(f["design"]),
                      colour=str(f["country"]))
    summary = summaries.summarise(session, team.review, choices, _link)
    cross = summary.cross
    cells = charts.gap_map_cells(cross, summary.citations, _link)
    for row, _ in cross.rows:
        for column, _ in cross.columns:
            mine = [datum for datum in cells if datum["row_key"] == row and datum["column_key"] == column]
            assert {datum["cell_n"] for datum in mine} == {cross.cell(row, column).n}
            drawn = {int(study) for datum in mine for study in datum["ids"].split(",") if study}
            assert drawn == set(cross.cell(row, column).study_ids)
    design = {label: key for key, label in cross.columns}
    category = {label: key for key, label in cross.rows}
    assert cross.cell(category["Psychotherapy"], design["RCT"]).study_ids == (ids[0], ids[1])
    assert cross.cell(category["Peer support"], design["RCT"]).n == 0  # a gap, drawn as an empty cell
    assert any(datum["n"] == 0 and datum["row"] == "Peer support" and datum["column"] == "RCT" for datum in cells)


def test_the_page_the_api_and_the_downloads_say_the_same(client, session, team):
    form, f, ids = _coded(session, team)
    studies_module.rename_study(session, team.access(session, team.lead), ids[0], "=HYPERLINK(\"http://x\")")
    studies_module.rename_study(session, team.access(session, team.lead), ids[1], "</script><script>alert(1)</script>")
    log_in(client, "lead@example.org")
    query = f"form={form.id}&field={f['type']}&by=occurrences&of_unit=interventions&number={f['size']}&labels=DBT%3DDialectical"
    page = client.get(f"/reviews/{team.review.id}/summaries?{query}")
    assert page.status_code == 200
    api = client.get(f"/api/reviews/{team.review.id}/summaries?{query}").json()
    text = unescape(re.sub(r"<[^>]+>", "", page.text))
    for sentence in api["sentences"].values():
        assert sentence["text"] in text
    assert api["sentences"]["counts"]["text"].startswith("4 studies of 5 interventions: Dialectical (n = 2); CBT (n = 2)")
    assert f"/summaries/studies?form={form.id}&amp;ids={ids[0]},{ids[1]}&amp;about=Dialectical" in page.text  # DBT's two studies
    assert 'type="application/json" data-chart="gap-map"' in page.text
    assert "<script>" not in page.text and "alert(1)</script>" not in page.text  # no inline script, a label stays text
    listed = client.get(f"/reviews/{team.review.id}/summaries/studies?form={form.id}&ids={ids[0]},{ids[4]}")
    assert listed.status_code == 200 and "1 study" in listed.text  # the draft's study is nobody's data yet

    rows = list(csv.reader(io.StringIO(client.get(f"/reviews/{team.review.id}/summaries/typology.csv?{query}")
                                       .content.decode("utf-8-sig"))))
    assert rows[0] == ["Type (category)", "Type (type)", "Studies (n)", "Studies"]
    assert rows[1][:3] == ["Psychotherapy", "", "3"] and rows[1][3].startswith("'=HYPERLINK")
    book = load_workbook(io.BytesIO(client.get(f"/reviews/{team.review.id}/summaries/typology.xlsx?{query}").content))
    sheet = book.active
    cell = sheet.cell(row=2, column=4)
    assert cell.data_type == "s" and cell.value.startswith("=HYPERLINK")  # text, not a formula

    word = client.get(f"/reviews/{team.review.id}/summaries/typology.html?{query}").text
    assert "<td>Psychotherapy</td>" in word and "=HYPERLINK(&quot;http://x&quot;)" in word

    standalone = client.get(f"/reviews/{team.review.id}/summaries/gap-map.html?{query}")
    assert standalone.status_code == 200 and "attachment" in standalone.headers["content-disposition"]
    markup = re.sub(r"<script([^>]*)>.*?</script>", r"<script\1></script>", standalone.text, flags=re.S)
    assert markup.count("<script") == 5  # vega, vega-lite, vega-embed, the spec, the embedding: all inline
    assert not re.search(r"<(script|img|link)[^>]*\b(src|href)=", markup)  # nothing to fetch
    assert "vegaEmbed" in standalone.text
    assert "=HYPERLINK(&quot;http://x&quot;)" in standalone.text  # the label escaped in the study lists
    assert "<script>alert(1)" not in standalone.text and "&lt;/script&gt;&lt;script&gt;alert(1)" in standalone.text
    svg = client.get(f"/reviews/{team.review.id}/summaries/gap-map.svg?{query}")
    ElementTree.fromstring(svg.content)  # valid XML
    assert svg.headers["content-type"].startswith("image/svg+xml")
    png = client.get(f"/reviews/{team.review.id}/summaries/gap-map.png?{query}")
    assert png.content[:8] == b"\x89PNG\r\n\x1a\n"
    specs = client.get(f"/api/reviews/{team.review.id}/summaries/charts?{query}").json()
    assert specs["gap_map"]["layer"] and specs["timeline"] is None  # this fixture's records have no year


def test_bad_choices_say_what_to_fix_and_the_page_still_shows(client, session, team):
    form, f, ids = _coded(session, team)
    log_in(client, "lead@example.org")
    page = client.get(f"/reviews/{team.review.id}/summaries?form={form.id}&field=999")
    assert page.status_code == 422 and "is not a field to count by" in page.text and "Sentences" in page.text
    page = client.get(f"/reviews/{team.review.id}/summaries?labels=nonsense")
    assert page.status_code == 422 and "e.g. United Kingdom=UK" in page.text
    api = client.get(f"/api/reviews/{team.review.id}/summaries?form={form.id}&value=Atlantis")
    assert api.status_code == 422 and "is not a value of" in api.text
