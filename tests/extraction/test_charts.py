"""The charts' specifications and files, pure: every cell of the gap map drawn (gaps too),
text that cannot break out of its block, and SVG that is valid XML with the labels escaped."""

import json
import xml.etree.ElementTree as ElementTree

from extraction.reports import charts, typology
from extraction.reports.typology import Dimension, Observation

TRICKY = "<b>Peer & support</b>"


def _table():
    rows = Dimension("i", "Intervention", [("a", "DBT"), ("b", TRICKY)], [Observation(1, "a"), Observation(2, "a")])
    columns = Dimension("c", "Country", [("gb", "UK"), ("nl", "Netherlands")], [Observation(1, "gb"), Observation(2, "gb")])
    return typology.cross_tab(rows, columns)


def _link(ids, about=""):
    return "/s?ids=" + ",".join(map(str, ids))


def test_every_cell_is_drawn_and_only_full_ones_link():
    cells = charts.gap_map_cells(_table(), {1: "Linehan 2006"}, _link)
    assert [(c["row"], c["column"], c["n"], c["href"]) for c in cells] == [
        ("DBT", "UK", 2, "/s?ids=1,2"), ("DBT", "Netherlands", 0, ""), (TRICKY, "UK", 0, ""),
        (TRICKY, "Netherlands", 0, "")]
    assert cells[0]["studies"] == "Linehan 2006; study 2"


def test_the_spec_cannot_end_its_json_block_and_reads_back():
    spec = charts.gap_map_spec(_table(), {}, _link)
    text = charts.spec_json(spec)
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text)["layer"][0]["data"]["values"][2]["row"] == TRICKY


def test_the_offline_file_inlines_the_libraries_without_a_closing_tag_inside():
    page = charts.standalone_html("Map </title>", _table(), {1: TRICKY}, ["var a = '</script>';"])
    assert "var a = '<\\/script>';" in page and "<title>Map &lt;/title&gt;</title>" in page
    assert '<section class="cell-studies" id="cell-1"><h2>DBT × UK: 2 studies</h2>' in page
    assert "&lt;b&gt;Peer &amp; support&lt;/b&gt;" in page


def test_the_svg_is_valid_xml_with_the_labels_escaped():
    svg = charts.to_svg(charts.gap_map_spec(_table(), {}, _link))
    root = ElementTree.fromstring(svg)
    texts = [element.text for element in root.iter() if element.tag.endswith("text")]
    assert TRICKY in texts and "UK" in texts


def test_the_recall_curve_keeps_its_steps_only():
    from extraction.reports.charts import recall_curve_spec

    points = [(1, 0), (2, 1), (3, 1), (4, 1), (5, 2), (6, 2), (7, 2)]
    spec = recall_curve_spec(points, total=10)
    assert spec["data"]["values"] == [{"screened": 0, "found": 0}, {"screened": 2, "found": 1},
                                      {"screened": 5, "found": 2}, {"screened": 7, "found": 2}]
    assert spec["encoding"]["x"]["scale"]["domain"] == [0, 10] and spec["mark"]["interpolate"] == "step-after"
    assert recall_curve_spec([], total=0)["data"]["values"] == [{"screened": 0, "found": 0}]
