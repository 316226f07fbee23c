"""Importing real and documented exports: every fixture file reads with the
right record count and the right fields on a spot-checked record."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from screening.importers import ImportFormatError, LeftOut, left_out_summary, parse_file

FIXTURES = Path(__file__).parent.parent / "fixtures" / "import"

# (file, format, encoding, record count, index of the spot-checked record,
#  the fields it must have).
CASES = [
    (
        "dedup_stroke_sample.csv", "csv", "utf-8", 8, 0,
        {
            "title": "Efficacy observation of batroxobin for treatment of vascular cognitive impairment. [Chinese]",
            "authors": ["Zhai, Q. J.", "Yue, X. Y.", "Hong, Z.", "Xu, G. L.", "Liu, X. F."],
            "year": 2010, "journal": "Chinese Journal of Cerebrovascular Diseases",
            "volume": "7", "issue": "2", "pages": "73-76", "source_id": "id_0000001",
        },
    ),
    (
        "asreview_cohen_adhd_sample.csv", "csv", "utf-8", 5, 0,
        {
            "title": "The effectiveness of clonidine as an analgesic in paediatric adenotonsillectomy.",
            "authors": ["Reimer, E J", "Dunn, G S", "Montgomery, C J", "Sanderson, P M", "Scheepers, L D", "Merrick, P M"],
            "year": None, "pmid": "10051933", "source_id": "1",
            "abstract_starts": "To compare the analgesic effects of preoperative oral clonidine",
            "keywords_first": ["Acetaminophen", "Adenoidectomy", "Administration, Oral"],
        },
    ),
    (
        "zotero.csv", "csv", "utf-8-sig", 2, 1,
        {
            "title": "Outcomes of inflammatory bowel disease surgery in obese versus non-obese patients: a meta-analysis.",
            "authors": ["Hicks, G.", "Abdulaal, A.", "Slesser, A. A. P.", "Mohsen, Y."],
            "year": 2019, "journal": "Techniques in coloproctology", "volume": "23", "issue": "10",
            "pages": "947-955", "doi": "10.1007/s10151-019-02080-0", "pmid": "31538262",
            "keywords": ["Crohn's disease", "Obesity"], "type": "journalArticle", "source_id": "7TNW3CZA",
        },
    ),
    (
        "rayyan.csv", "csv", "utf-8", 2, 0,
        {
            "title": "Duplication cysts: Diagnosis management and the role of endoscopic ultrasound",
            "authors": ["Liu R.", "Adler D.G."], "year": 2014, "journal": "Endoscopic Ultrasound",
            "pages": "152-160", "doi": "10.4103/2303-9027.138783", "source_id": "rayyan-354128901",
            "keywords": ["article", "endoscopic ultrasonography", "duplication cyst"],
        },
    ),
    (
        "covidence.tsv", "tsv", "utf-8", 2, 0,
        {
            "title": "Mindfulness for inflammatory bowel disease",
            "authors": ["Rudnik, Agata", "Piotrowicz, Grazyna"], "year": 2019,
            "doi": "10.5114/pg.2018.81081", "abstract": "A preliminary report on coping and flexibility.",
            "keywords": ["mindfulness", "quality of life"], "source_id": "",
        },
    ),
    (
        "embase_sample.ris", "ris", "utf-8-sig", 2, 1,
        {
            "title": "Endoscopic ultrasound-guided fine-needle aspiration in the diagnosis of foregut duplication "
            "cysts: The value of demonstrating detached ciliary tufts in cyst fluid",
            "authors_first": ["Eloubeidi M.A.", "Cohn M."], "year": 2004, "journal": "Cancer",
            "volume": "102", "issue": "4", "pages": "253-258", "doi": "10.1002/cncr.20369", "pmid": "15368318",
            "abstract_starts": "BACKGROUND. The management of foregut duplication cysts",
        },
    ),
    (
        "pubmed_zotero_sample.ris", "ris", "utf-8", 3, 1,
        {
            "title": "Outcomes of inflammatory bowel disease surgery in obese versus non-obese patients: a meta-analysis.",
            "authors": ["Hicks, G.", "Abdulaal, A.", "Slesser, A. A. P.", "Mohsen, Y."], "year": 2019,
            "journal": "Techniques in coloproctology", "pages": "947-955", "doi": "10.1007/s10151-019-02080-0",
            "abstract_starts": "BACKGROUND: Obesity is considered a risk factor",
        },
    ),
    (
        "zotero_library_sample.ris", "ris", "utf-8", 3, 0,
        {
            "title": "An open source machine learning framework for efficient and transparent systematic reviews",
            "authors_first": ["van de Schoot, Rens", "de Bruin, Jonathan"], "year": 2021,
            "journal": "Nature Machine Intelligence", "volume": "3", "issue": "2", "pages": "125-133",
            "doi": "10.1038/s42256-020-00287-7",
        },
    ),
    ("tag_notes.ris", "ris", "utf-8-sig", 12, 0, {"title": "Only title", "abstract": "", "type": "GEN"}),
    (
        "ovid.ris", "ris", "utf-8", 2, 0,
        {
            "title": "Outcomes of inflammatory bowel disease surgery in obese versus non-obese patients: a meta-analysis.",
            "authors": ["Hicks, G", "Abdulaal, A", "Slesser, A A P", "Mohsen, Y"], "year": 2019,
            "journal": "Techniques in Coloproctology", "pages": "947-955", "pmid": "31538262",
            "doi": "10.1007/s10151-019-02080-0", "abstract_starts": "BACKGROUND: Obesity",
            "keywords": ["*Inflammatory Bowel Diseases/su [Surgery]", "Humans", "Obesity/co [Complications]"],
        },
    ),
    ("ovid.ris", "ris", "utf-8", 2, 1, {"pmid": "", "year": 2014, "authors": ["Liu, R", "Adler, D G"]}),
    (
        "ovid_psycinfo.ris", "ris", "utf-8", 3, 0,
        {
            "title": "Mentalization-based treatment for adolescents who self-harm: a pilot randomised trial.",
            "authors": ["Okonkwo, Adaeze", "Lindqvist, Maja", "Ferreira, Tiago"], "year": 2019,
            "journal": "Clinical Psychology & Psychotherapy", "volume": "26", "issue": "3", "pages": "316-325",
            "doi": "10.1002/cpp.2353", "pmid": "", "abstract_starts": "Adolescents who self-harm",
            "keywords": ["Self-Injurious Behavior", "Mentalization", "Adolescent Development"], "type": "JOUR",
        },
    ),
    ("ovid_psycinfo.ris", "ris", "utf-8", 3, 2, {"type": "CHAP", "year": 2018, "pages": "101-118"}),
    (
        "scopus.ris", "ris", "utf-8-sig", 2, 0,
        {
            "journal": "Przeglad Gastroenterologiczny", "pmid": "31316690", "doi": "10.5114/pg.2018.81081",
            "authors_first": ["Rudnik, A."], "year": 2019, "keywords": ["biological treatment", "Crohn's disease", "mindfulness"],
        },
    ),
    (
        "wos.ris", "ris", "utf-8-sig", 2, 0,
        {
            "title": "An open source machine learning framework for efficient and transparent systematic reviews",
            "journal": "NATURE MACHINE INTELLIGENCE", "year": 2021, "pages": "125-133", "pmid": "",
            "doi": "10.1038/s42256-020-00287-7",
        },
    ),
    (
        "proquest.ris", "ris", "utf-8", 2, 0,
        {
            "title": "Digital transformation strategy in incumbent firms: a longitudinal study", "authors": [],
            "year": 2022, "journal": "Journal of Business Strategy", "doi": "10.1108/jbs-01-2022-0011", "pmid": "",
        },
    ),
    ("proquest.ris", "ris", "utf-8", 2, 1, {"type": "THES", "authors": ["Okafor, Chidubem"], "year": 2023}),
    (
        "ebsco_cinahl.ris", "ris", "cp1252", 2, 0,
        {
            "title": "Nurses\u2019 experiences of caring for patients after bariatric surgery",
            "authors": ["M\u00fcller, Anna", "Ferr\u00e9, Jos\u00e9"], "year": 2019, "issue": "9/10",
            "pages": "1660-1670", "pmid": "30687921", "doi": "10.1111/jocn.14780", "source_id": "138421937",
            "abstract_starts": "Background: Little is known",
        },
    ),
    (
        "rayyan.ris", "ris", "utf-8", 2, 0,
        {"pages": "661-668", "journal": "Annals of Surgery", "doi": "10.1097/sla.0000000000003456", "year": 2019},
    ),
    (
        "endnote.ris", "ris", "utf-8", 2, 0,
        {
            "title": "Chalk biostratigraphy: a wrapped title", "year": 2015, "pages": "73-6", "source_id": "12",
            "keywords": ["article", "biostratigraphy", "Cretaceous", "chalk"], "doi": "10.1016/j.cretres.2015.01.002",
        },
    ),
    ("endnote.ris", "ris", "utf-8", 2, 1, {"title": "Active learning in practice", "year": 2018, "type": "BOOK"}),
    (
        "pubmed.nbib", "medline", "utf-8", 2, 0,
        {
            "title": "Outcomes of inflammatory bowel disease surgery in obese versus non-obese patients: a meta-analysis.",
            "abstract": "BACKGROUND: Obesity is considered a risk factor for many chronic diseases and obese "
            "patients are often considered higher risk surgical candidates.",
            "authors": ["Hicks, G", "Abdulaal, A", "Slesser, A A P", "Mohsen, Y"], "year": 2019,
            "journal": "Techniques in coloproctology", "volume": "23", "issue": "10", "pages": "947-955",
            "doi": "10.1007/s10151-019-02080-0", "pmid": "31538262", "type": "Journal Article",
            "keywords": ["Humans", "*Inflammatory Bowel Diseases/surgery", "Obesity/*complications", "Perioperative outcomes"],
        },
    ),
    ("pubmed.nbib", "medline", "utf-8", 2, 1, {"authors": ["Reimer EJ", "Dunn GS"], "year": 1999, "doi": "", "pmid": "10051933"}),
    (
        "library.bib", "bibtex", "utf-8", 2, 0,
        {
            "title": "An open source machine learning framework for efficient and transparent systematic reviews",
            "authors": ["van de Schoot, Rens", "de Bruin, Jonathan", "Schram, Raoul"], "year": 2021,
            "journal": "Nature Machine Intelligence", "issue": "2", "pages": "125-133",
            "doi": "10.1038/s42256-020-00287-7", "keywords": ["active learning", "systematic reviews"],
            "type": "article", "source_id": "vandeschoot2021open", "abstract_starts": "To help researchers",
        },
    ),
    (
        "library.bib", "bibtex", "utf-8", 2, 1,
        {
            "title": "Effects of \u00dcbung on DNA repair in M\u00fcnster cohorts",
            "authors": ["M\u00fcller, Anna", "Ferr\u00e9, Jos\u00e9"], "year": 2019,
            "journal": "Proceedings of the European Workshop", "pmid": "30687921", "pages": "12-19",
        },
    ),
    (
        "endnote.xml", "endnote_xml", "utf-8", 2, 0,
        {
            "title": "Outcomes of inflammatory bowel disease surgery in obese versus non-obese patients: a meta-analysis",
            "authors": ["Hicks, G.", "Abdulaal, A."], "year": 2019, "journal": "Techniques in Coloproctology",
            "volume": "23", "issue": "10", "pages": "947-955", "doi": "10.1007/s10151-019-02080-0",
            "pmid": "31538262", "keywords": ["Humans", "*Obesity/complications"], "type": "Journal Article",
            "source_id": "42", "url": "https://www.ncbi.nlm.nih.gov/pubmed/31538262",
            "abstract": "BACKGROUND: Obesity is considered a risk factor for many chronic diseases.",
        },
    ),
    ("endnote.xml", "endnote_xml", "utf-8", 2, 1, {"type": "Book Section", "source_id": "43", "year": 2018}),
    (
        "zotero_endnote.xml", "endnote_xml", "utf-8", 1, 0,
        {
            "authors": ["van de Schoot, Rens", "de Bruin, Jonathan"], "year": 2021, "pages": "125-133",
            "journal": "Nature Machine Intelligence", "doi": "10.1038/s42256-020-00287-7", "source_id": "",
        },
    ),
    (
        "endnote_tab.txt", "endnote_tab", "utf-8", 2, 0,
        {
            "authors": ["Hicks, G.", "Abdulaal, A.", "Slesser, A. A. P."], "year": 2019,
            "journal": "Techniques in Coloproctology", "issue": "10", "keywords": ["Humans", "Obesity"],
            "doi": "10.1007/s10151-019-02080-0", "type": "Journal Article", "source_id": "42",
        },
    ),
    ("endnote_tab.txt", "endnote_tab", "utf-8", 2, 1, {"type": "Book", "title": "Active learning in practice"}),
    (
        "endnote_tab_journal.txt", "endnote_tab", "utf-8", 2, 1,
        {"authors": ["Woo, W", "Lee, L"], "year": 1995, "journal": "J. of Clothing", "type": "Journal Article"},
    ),
]


def _check(citation, expected: dict) -> None:
    for name, value in expected.items():
        if name == "abstract_starts":
            assert citation.abstract.startswith(value)
        elif name in ("keywords_first", "authors_first"):
            assert getattr(citation, name.removesuffix("_first"))[: len(value)] == value
        else:
            assert getattr(citation, name) == value, name


@pytest.mark.parametrize(("name", "format_", "encoding", "count", "index", "expected"), CASES, ids=[f"{c[0]}-{c[4]}" for c in CASES])
def test_fixture_imports_with_right_count_and_fields(name, format_, encoding, count, index, expected):
    parsed = parse_file((FIXTURES / name).read_bytes(), name)
    assert (parsed.format, parsed.encoding, len(parsed.citations)) == (format_, encoding, count)
    _check(parsed.citations[index], expected)


def test_raw_keeps_every_non_empty_column_under_its_own_name():
    citation = parse_file((FIXTURES / "rayyan.csv").read_bytes(), "rayyan.csv").citations[0]
    assert citation.raw["issn"] == "2226-7190"
    assert citation.raw["notes"].startswith("RAYYAN-INCLUSION")


def test_record_with_no_title_or_abstract_is_kept_for_the_caller_to_ask_about():
    parsed = parse_file((FIXTURES / "covidence.tsv").read_bytes(), "covidence.tsv")
    assert parsed.citations[1].year == 2020
    assert not parsed.citations[1].is_empty  # it has a title
    data = b"title,abstract,doi\n,,10.1/x\n"
    assert parse_file(data, "x.csv").citations[0].is_empty


def test_semicolon_delimited_csv_and_cp1252_encoding():
    data = "Titel;Title;Year\nx;Étude des cœurs;2018\n".encode("cp1252")
    parsed = parse_file(data, "excel.csv")
    assert (parsed.encoding, parsed.citations[0].title, parsed.citations[0].year) == ("cp1252", "Étude des cœurs", 2018)


def test_utf16_with_bom_is_decoded():
    data = "title\tabstract\nMüller’s study\tAn abstract\n".encode("utf-16")
    parsed = parse_file(data, "export.txt")
    assert (parsed.format, parsed.encoding, parsed.citations[0].title) == ("tsv", "utf-16", "Müller’s study")


def test_xlsx_columns_are_mapped_by_name():
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Record ID", "TITLE", "Abstract", "Authors", "Publication Year", "DOI"])
    sheet.append([17, "A spreadsheet record", "Text", "Smith J; Jones K", 2019, "doi:10.1000/XYZ"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    parsed = parse_file(buffer.getvalue(), "records.xlsx")
    citation = parsed.citations[0]
    assert (parsed.format, parsed.encoding) == ("xlsx", "")
    assert (citation.source_id, citation.title, citation.authors, citation.year, citation.doi) == (
        "17", "A spreadsheet record", ["Smith J", "Jones K"], 2019, "10.1000/xyz",
    )


@pytest.mark.parametrize(
    ("cell", "authors"),
    [
        ("Reimer, E J; Dunn, G S", ["Reimer, E J", "Dunn, G S"]),
        ("Zuber, J and Le Quintrec, M", ["Zuber, J", "Le Quintrec, M"]),
        ("Zuber J, Le Quintrec M", ["Zuber J", "Le Quintrec M"]),
        ("van de Schoot, Rens", ["van de Schoot, Rens"]),
        ("Smith, J.//Jones, K.", ["Smith, J.", "Jones, K."]),
    ],
)
def test_author_cells_are_split_into_names(cell, authors):
    data = f'title,authors\nT,"{cell}"\n'.encode()
    assert parse_file(data, "a.csv").citations[0].authors == authors


def test_tabular_file_without_title_or_abstract_column_names_what_it_found():
    with pytest.raises(ImportFormatError) as caught:
        parse_file(b"Name,Heading,Year\nx,y,2019\n", "mine.csv")
    message = str(caught.value)
    assert message.startswith("mine.csv, line 1: no column holds titles or abstracts")
    assert "'Name', 'Heading', 'Year'" in message
    assert "primarytitle" in message and "abstractnote" in message
    assert (caught.value.filename, caught.value.line) == ("mine.csv", 1)


def test_unclosed_quote_names_the_line_it_starts_on():
    data = b'title,abstract\n"ok",fine\n"broken,abstract\nmore\n'
    with pytest.raises(ImportFormatError) as caught:
        parse_file(data, "bad.csv")
    assert str(caught.value).startswith("bad.csv, line 3: this row cannot be read as comma-separated values")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty.ris: the file is empty (0 bytes)"),
        (b"\n  \r\n", "empty.ris: the file holds only blank lines"),
        (b"%PDF-1.4\n\x00\x01\x02binary", "empty.ris: this is a binary file"),
        (b"Hello, this is a letter\nnot an export", "empty.ris, line 1: no column holds titles or abstracts"),
        (b"Dear colleague\nplease find attached", "empty.ris, line 1: this is not a format Winnow reads: RIS, MEDLINE/nbib"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "empty.ris: this is an old Excel .xls workbook"),
        (b"PK\x03\x04not really a workbook", "empty.ris: this is a ZIP file but not an Excel workbook"),
        (b"title,abstract\n", "empty.ris: no records found in this CSV file"),
    ],
)
def test_unreadable_files_get_a_message_naming_the_file(data, message):
    with pytest.raises(ImportFormatError) as caught:
        parse_file(data, "empty.ris")
    assert str(caught.value).startswith(message)


def test_ris_keeps_every_tag_under_its_own_name():
    citation = parse_file((FIXTURES / "scopus.ris").read_bytes(), "scopus.ris").citations[0]
    assert citation.raw["J2"] == "Prz. Gastroenterol."
    assert citation.raw["N1"] == ["Export Date: 12 March 2024"]
    assert citation.raw["KW"] == ["biological treatment", "Crohn's disease", "mindfulness"]


def test_ris_raw_has_rispys_shape_a_list_for_a_repeated_or_list_tag():
    data = b"TY  - JOUR\nTI  - \n  A title\n  wrapped\nAU  - One, A\nKW  - alpha\nbeta\nM3  - x\nM3  - y\nVL  - 3\nER  - \n"
    citation = parse_file(data, "tags.ris").citations[0]
    assert citation.title == "A title wrapped" and citation.authors == ["One, A"]
    assert citation.raw == {"TY": "JOUR", "TI": "A title wrapped", "AU": ["One, A"], "KW": ["alpha", "beta"],
                            "M3": ["x", "y"], "VL": "3"}


def test_ris_tag_line_after_er_belongs_to_the_record_just_closed():
    """Ovid writes NL (and other tags) after a record's ER, before the next record's number (issue 15)."""
    parsed = parse_file((FIXTURES / "ovid_psycinfo.ris").read_bytes(), "ovid_psycinfo.ris")
    assert [c.raw["NL"] for c in parsed.citations] == [
        "Clin Psychol Psychother", "BMC Psychiatry", "Handbook of personality disorder services"]
    assert parsed.left_out == []


def test_ris_tag_line_after_er_in_front_of_a_search_history_joins_that_record():
    """Ovid Embase: "C1  - Database: Embase <...>" and the search strategy after the first record (rispy#61)."""
    parsed = parse_file((FIXTURES / "ovid_embase_search_history.ris").read_bytes(), "embase.ris")
    first, second = parsed.citations
    assert first.raw["C1"] == "Database: Embase <1980 to 2024 Week 25>"
    assert "C1" not in second.raw and second.title == "Home-based rehabilitation after stroke: a randomised trial"
    assert parsed.left_out == []


def test_ris_tags_running_straight_into_a_late_type_line_start_that_record():
    """An export that writes DB, TI, SP and AB before the record's TY line (ESHackathon/CiteSource#27)."""
    first, second = parse_file((FIXTURES / "late_type_line.ris").read_bytes(), "late.ris").citations
    assert "SP" not in first.raw and first.title == "Chacma baboon home ranges in a montane reserve"
    assert (second.title, second.pages, second.journal, second.volume) == (
        "Population structure and habitat use of baboons in a canyon nature reserve", "67-76", "Koedoe", "49")
    assert second.raw["DB"] == ["McK"] and second.abstract == "Baboon troops were counted over two years."


def test_ris_tags_closed_by_an_er_of_their_own_are_a_record_without_a_type_line():
    data = b"TY  - JOUR\nTI  - One\nER  - \n\nTI  - Two\nAU  - Two, B\nER  - \nNL  - Late note\n"
    parsed = parse_file(data, "no_ty.ris")
    assert [(c.title, c.type, c.authors) for c in parsed.citations] == [("One", "JOUR", []), ("Two", "", ["Two, B"])]
    assert parsed.citations[1].raw["NL"] == "Late note" and parsed.left_out == []


def test_ris_tag_lines_before_the_first_record_are_left_out_and_named():
    data = b"C1  - Database: Embase\nAU  - Stray, A\n\n1.\nTY  - JOUR\nTI  - One\nER  - \n"
    parsed = parse_file(data, "embase.ris")
    assert [c.title for c in parsed.citations] == ["One"] and "C1" not in parsed.citations[0].raw
    assert parsed.left_out == [LeftOut(1, "C1  - Database: Embase", "a tag line before the first record"),
                               LeftOut(2, "AU  - Stray, A", "a tag line before the first record")]
    assert left_out_summary(parsed.left_out) == "2 lines left out: lines 1, 2 (a tag line before the first record)"


def test_ris_record_headers_of_the_cochrane_library_are_not_tags():
    """Cochrane's "Record #1 of 2", "Provider:" lines and "TY  -  JOUR" with two spaces (rispy#30)."""
    parsed = parse_file((FIXTURES / "cochrane_central.ris").read_bytes(), "central.ris")
    assert [c.title for c in parsed.citations] == [
        "Constraint-induced movement therapy after stroke: a randomised controlled trial",
        "Mirror therapy for arm function after stroke"]
    assert (parsed.citations[0].type, parsed.citations[0].doi) == ("JOUR", "10.1177/1545968315586462")
    assert parsed.left_out == []


def test_ris_article_number_is_the_locator_of_an_article_without_pages():
    """Scopus writes an article number in C7 and no SP (bibx's Scopus sample)."""
    numbered, paged = parse_file((FIXTURES / "scopus_article_number.ris").read_bytes(), "scopus.ris").citations
    assert (numbered.pages, paged.pages) == ("093903", "121-128")
    assert numbered.raw["N1"][1].startswith("References: Mayergoyz")


def test_ris_ebsco_t2_is_an_alternative_title_not_the_journal():
    """EBSCOhost writes a subtitle in T2 and the journal in JO (zotero/translators#1700)."""
    citation = parse_file((FIXTURES / "ebsco_t2_subtitle.ris").read_bytes(), "ebsco.ris").citations[0]
    assert (citation.title, citation.journal, citation.pages) == ("Ruts and peaks.", "Time", "48-49")


def test_unicode_line_separators_inside_a_value_are_spaces():
    """Atypon's RIS wraps long values with U+2028 (noted in Zotero's RIS translator)."""
    citation = parse_file((FIXTURES / "atypon_line_separator.ris").read_bytes(), "tandf.ris").citations[0]
    assert citation.abstract == "Twelve speakers were followed for a year. Intelligibility improved in ten."


def test_medline_lines_that_are_no_tag_are_left_out_and_named_with_their_record():
    data = b"PMID- 1\nTI  - One\n\nPMID- 2\nTI  - Two\ngarbage here\nAB  - Kept.\n"
    parsed = parse_file(data, "pubmed.nbib")
    assert [(c.pmid, c.title, c.abstract) for c in parsed.citations] == [("1", "One", ""), ("2", "Two", "Kept.")]
    assert parsed.left_out == [LeftOut(6, "garbage here", "neither a tag line nor a continuation line, in record 2")]


def test_medline_tags_after_a_blank_line_belong_to_the_record_before_unless_they_are_one():
    data = b"PMID- 1\nTI  - One\n\nSO  - Late source\n\nTI  - No PMID line\nAU  - Two B\n\nPMID- 3\nTI  - Three\n"
    parsed = parse_file(data, "pubmed.nbib")
    assert [(c.pmid, c.title) for c in parsed.citations] == [("1", "One"), ("", "No PMID line"), ("3", "Three")]
    assert parsed.citations[0].raw["SO"] == "Late source" and parsed.citations[1].authors == ["Two B"]
    assert parsed.left_out == []


def test_a_bibtex_entry_that_cannot_be_read_is_left_out_and_named_the_rest_imported():
    data = b"@article{one,\n title={Fine}}\n\n@article{two,\n title = {Broken\n year=2019}\n\n@book{three, title={Also fine}}\n"
    parsed = parse_file(data, "refs.bib")
    assert [c.title for c in parsed.citations] == ["Fine", "Also fine"]
    assert parsed.left_out == [LeftOut(4, "@article{two", "the @article entry 'two' cannot be read: check its braces and commas")]


def test_a_file_of_nothing_but_unreadable_entries_says_which_they_are():
    with pytest.raises(ImportFormatError) as caught:
        parse_file(b"@article{two,\n title = {Broken\n year=2019}\n", "refs.bib")
    assert str(caught.value).startswith(
        "refs.bib: no records found in this BibTeX file (1 line left out: line 1 (the @article entry 'two' cannot be "
        "read: check its braces and commas)).")


def test_web_of_science_plain_text_is_read_by_its_own_field_tags():
    """Clarivate's field tags: FN/VR header, PT ... ER records, three-space continuation lines, EF."""
    parsed = parse_file((FIXTURES / "wos_plain.txt").read_bytes(), "savedrecs.txt")
    assert (parsed.format, len(parsed.citations)) == ("wos", 3)
    article, paper, editorial = parsed.citations
    assert article.title == "Digital platforms and the governance of complementors: a longitudinal case study"
    assert article.authors == ["Carignani, Andrea", "Rossi, Marta"]
    assert (article.journal, article.year, article.volume, article.issue, article.pages, article.doi) == (
        "INFORMATION SYSTEMS JOURNAL", 2021, "31", "2", "250-278", "10.1111/isj.12300")
    assert article.keywords == ["platform governance", "complementors", "case study", "ECOSYSTEMS", "INNOVATION",
                                "OPENNESS", "CONTROL"]
    assert (article.type, article.source_id, article.raw["J9"]) == ("Article", "WOS:000612345600003", "INFORM SYST J")
    assert paper.journal == "PROCEEDINGS OF THE 54TH ANNUAL HAWAII INTERNATIONAL CONFERENCE ON SYSTEM SCIENCES (HICSS)"
    assert (paper.type, paper.pages, paper.raw["SP"]) == ("Proceedings Paper", "4567", "Shidler Coll Business")
    assert (editorial.pages, editorial.pmid) == ("c1804", "20388674")


def test_web_of_science_wrapped_values_and_a_repeated_tag_are_read_not_refused():
    data = (b"FN Clarivate Analytics Web of Science\nVR 1.0\nPT J\nAU A, B\n   C, D\n   E, F\n"
            b"TI First part\n   second part\nTI Again\n   more\nER\n\nEF\n")
    citation = parse_file(data, "savedrecs.txt").citations[0]
    assert (citation.title, citation.authors) == ("First part second part", ["A, B", "C, D", "E, F"])
    assert citation.raw["TI"] == ["First part second part", "Again more"]


def test_ovid_tagged_text_is_read_whatever_database_it_came_from():
    """Ovid's tagged export: "<1. >" and "VN  - Ovid Technologies" open each record (zotero/translators'
    OVID Tagged translator's test cases); PsycINFO, Ovid MEDLINE and Journals@Ovid give the locator differently."""
    parsed = parse_file((FIXTURES / "ovid_tagged.txt").read_bytes(), "ovid.txt")
    assert (parsed.format, len(parsed.citations), parsed.left_out) == ("ovid_tagged", 3, [])
    psycinfo, medline, journals = parsed.citations
    assert psycinfo.title == "A comparison of reassurance seeking among Japanese individuals with OCD and depression"
    assert (psycinfo.authors, psycinfo.year, psycinfo.journal, psycinfo.volume, psycinfo.issue, psycinfo.pages) == (
        ["Kobayashi, Osamu", "Sawada, Yoko"], 2015, "Behavioural and Cognitive Psychotherapy", "43", "5", "623-634")
    assert (psycinfo.doi, psycinfo.pmid, psycinfo.type) == ("10.1017/s1352465814000277", "24892981", "Journal Article")
    assert psycinfo.abstract.endswith("three groups. Results: individuals with OCD sought reassurance more intensely.")
    assert psycinfo.raw["IN"] == ("Kobayashi, Osamu: Chiba University, Chiba, Japan "
                                  "Sawada, Yoko: University of Tsukuba, Tsukuba, Japan")
    assert psycinfo.raw["IS"] == "1352-4658" and psycinfo.keywords[:2] == ["Obsessive-compulsive disorder", "cognitive model"]
    assert (medline.pmid, medline.authors, medline.journal, medline.volume, medline.issue, medline.pages) == (
        "31538262", ["Hicks, George", "Abdulaal, Arman"], "Techniques in Coloproctology", "23", "10", "947-955")
    assert (journals.title, journals.authors) == (
        '"Injury, Illness, and Work Restriction in Merchant Seafarers"', ["Lefkowitz, Rafael Y.", "Slade, Martin D."])
    assert (journals.journal, journals.year, journals.volume, journals.issue, journals.pages, journals.doi) == (
        "American Journal Of Industrial Medicine", 2015, "58", "6", "688-696", "10.1002/ajim.22459")
    assert journals.keywords == ["seafarers", "disability", "telemedicine"]


def test_web_of_science_tab_delimited_columns_are_read_by_what_their_tags_mean():
    """ID is Keywords Plus, SP the conference sponsors, PG the page count, DA the file's date."""
    parsed = parse_file((FIXTURES / "wos_tab.txt").read_bytes(), "savedrecs.txt")
    article, paper = parsed.citations
    assert (article.source_id, article.pages, article.year, article.journal) == (
        "WOS:000612345600003", "250-278", 2021, "INFORMATION SYSTEMS JOURNAL")
    assert article.authors == ["Carignani, Andrea", "Rossi, Marta"]
    assert article.keywords == ["platform governance", "complementors", "ECOSYSTEMS", "INNOVATION"]
    assert (paper.pages, paper.type) == ("4567", "Proceedings Paper")


def test_scopus_csv_article_number_stands_for_pages_when_there_are_none():
    numbered, paged = parse_file((FIXTURES / "scopus.csv").read_bytes(), "scopus.csv").citations
    assert (numbered.pages, numbered.pmid, numbered.doi, numbered.journal) == (
        "c1804", "20388674", "10.1136/bmj.c1804", "BMJ (Online)")
    assert paged.pages == "121-128"


def test_ris_with_one_space_tags_and_a_new_record_before_er():
    data = b"TY - JOUR\nTI - First\nTY  - JOUR\nTI  - Second\nER  -"
    titles = [c.title for c in parse_file(data, "odd.ris").citations]
    assert titles == ["First", "Second"]


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        (
            "cut.xml", b"<?xml version=\"1.0\"?>\n<xml><records>\n<record><titles><title>x</titles>\n",
            "cut.xml, line 3: the XML is not well formed",
        ),
    ],
)
def test_malformed_files_name_the_line_at_fault(name, data, message):
    with pytest.raises(ImportFormatError) as caught:
        parse_file(data, name)
    assert str(caught.value).startswith(message)


@pytest.mark.parametrize("written, doi", [
    ("https://doi.org/10.1000/ABC.", "10.1000/abc"),
    ("doi:10.5114%2Fpg.2018.81081", "10.5114/pg.2018.81081"),  # copied from a link, URL-encoded
    ("10.1002/(SICI)1097-0258(19980815)17:15<1661::AID-SIM968>3.0.CO;2-2", "10.1002/(sici)1097-0258(19980815)17:15<1661::aid-sim968>3.0.co;2-2"),
    ("no identifier here", ""),
])
def test_dois_are_read_however_they_are_written(written, doi):
    from screening.citation import normalise_doi

    assert normalise_doi(written) == doi
