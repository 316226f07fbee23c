"""Exports read back, by rispy and by Winnow's own importer, with the same
fields they were written from."""

from __future__ import annotations

from pathlib import Path

import pytest
import rispy

from screening.citation import Citation
from screening.exporters import CSV_COLUMNS, citations_to_csv, citations_to_ris
from screening.importers import parse_file

FIXTURES = Path(__file__).parent.parent / "fixtures" / "import"
KEPT = ("title", "abstract", "authors", "year", "journal", "volume", "issue", "pages", "doi", "pmid", "keywords", "url")
SOURCES = ["zotero.csv", "embase_sample.ris", "pubmed.nbib", "library.bib", "endnote.xml", "ebsco_cinahl.ris"]


def _fields(citations):
    return [tuple(getattr(citation, name) for name in KEPT) for citation in citations]


@pytest.mark.parametrize("exporter", [citations_to_ris, citations_to_csv])
@pytest.mark.parametrize("name", SOURCES)
def test_export_reads_back_through_parse_file_with_the_same_fields(name, exporter):
    citations = parse_file((FIXTURES / name).read_bytes(), name).citations
    text = exporter(citations)
    again = parse_file(text.encode("utf-8"), f"export-of-{name}").citations
    assert _fields(again) == _fields(citations)


def test_ris_export_reads_back_with_rispy():
    citations = parse_file((FIXTURES / "pubmed_zotero_sample.ris").read_bytes(), "p.ris").citations
    entries = rispy.loads(citations_to_ris(citations, ids=[101, 102, 103]))
    first = entries[0]
    assert len(entries) == 3
    assert first["id"] == "101"
    assert first["title"] == citations[0].title
    assert first["authors"] == ["Rudnik, Agata", "Piotrowicz, Grazyna", "Basinska, Malgorzata A.", "Rashedi, Vahid"]
    assert (first["year"], first["secondary_title"], first["start_page"], first["end_page"]) == (
        "2019", "Przeglad gastroenterologiczny", "121", "128",
    )
    assert first["doi"] == "10.5114/pg.2018.81081"
    assert first["keywords"][:2] == ["biological treatment", "Crohn's disease"]


def test_ids_fill_the_record_id_column_and_the_ris_id_tag():
    citations = [Citation(title="A", source_id="file-1"), Citation(title="B", source_id="file-2")]
    assert [c.source_id for c in parse_file(citations_to_csv(citations, ids=[7, 8]).encode(), "x.csv").citations] == ["7", "8"]
    assert [c.source_id for c in parse_file(citations_to_ris(citations).encode(), "x.ris").citations] == ["file-1", "file-2"]
    with pytest.raises(ValueError):
        citations_to_csv(citations, ids=[7])


def test_csv_has_the_documented_columns_and_joins_lists():
    citation = Citation(title="T", authors=["Smith, J", "Jones, K"], keywords=["a", "b"], year=2020)
    header, row = citations_to_csv([citation]).splitlines()
    assert header.split(",") == CSV_COLUMNS
    assert '"Smith, J; Jones, K"' in row and ",a; b," in row


@pytest.mark.parametrize(
    ("exporter", "abstract"),
    [
        (citations_to_csv, "First paragraph.\nSecond paragraph."),
        # RIS holds one value per line, so the paragraphs join.
        (citations_to_ris, "First paragraph. Second paragraph."),
    ],
)
def test_awkward_values_survive_export(exporter, abstract):
    citation = Citation(
        title='=HYPERLINK("http://evil.example")',
        abstract="First paragraph.\nSecond paragraph.",
        authors=["Health and Safety Executive"],
        type="Book Section",
    )
    back = parse_file(exporter([citation]).encode(), "awkward").citations[0]
    assert (back.title, back.abstract, back.authors) == (citation.title, abstract, citation.authors)


def test_csv_cell_that_would_run_as_a_formula_is_written_as_text():
    assert "\'=HYPERLINK" in citations_to_csv([Citation(title="=HYPERLINK(1)")])


def test_ris_type_is_a_ris_code():
    types = [Citation(title="x", type=t) for t in ("Book Section", "journalArticle", "THES", "")]
    assert [entry["type_of_reference"] for entry in rispy.loads(citations_to_ris(types))] == ["CHAP", "JOUR", "THES", "JOUR"]
