"""Random and mutated RIS, MEDLINE, BibTeX, EndNote XML, CSV and XLSX bytes thrown at the importers:
each file gives records or the one clear ImportFormatError, never another exception; imported
through a review, a file lands whole or not at all (no partial batch).

Hypothesis runs derandomised, so a failure found once is found again; the counts of inputs
tried are printed by ``bench/fuzz_importers.py``."""

import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from sqlmodel import func, select

from screening.importers import ImportFormatError, parse_file
from screening.importing import BatchRequest, create_batch, import_batch
from screening.models import BatchStatus, ImportBatch, Record
from screening.review.access import review_access
from screening.review.errors import InvalidInput
from tests.factories import FIXTURES, make_review, make_user


def _xlsx() -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(["Title", "Abstract", "Authors", "Year"])
    sheet.append(["Methylphenidate for ADHD", "A trial.", "Smith, J; Doe, A", 2019])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


SEEDS = {
    "embase.ris": (FIXTURES / "import/embase_sample.ris").read_bytes(),
    "pubmed.nbib": (FIXTURES / "import/pubmed.nbib").read_bytes(),
    "library.bib": (FIXTURES / "import/library.bib").read_bytes(),
    "endnote.xml": (FIXTURES / "import/endnote.xml").read_bytes(),
    "zotero.csv": (FIXTURES / "import/zotero.csv").read_bytes(),
    "records.xlsx": _xlsx(),
}
# Pieces of each format's syntax, so random text meets the parsers' own branches.
TOKENS = [b"TY  - JOUR\n", b"ER  - \n", b"TI  - ", b"AU  - ", b"PMID- 123\n", b"TI  - ", b"FAU - ", b"AB  - ",
          b"@article{key,\n", b"title = {", b"}", b"author = \"", b"<xml><records><record>", b"<title>",
          b"</record>", b"<style face=\"normal\">", b"]]>", b"<![CDATA[", b"Title,Abstract,Authors\n", b"\"", b",",
          b"\t", b"\r\n", b"\n", b"\xef\xbb\xbf", b"\xff\xfe", b"\x00", b"\xe9", b"&amp;", b"&#0;", b"PK\x03\x04"]


@st.composite
def mutated(draw) -> tuple[str, bytes]:
    name = draw(st.sampled_from(sorted(SEEDS)))
    data = bytearray(SEEDS[name])
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, len(data)))
        operation = draw(st.sampled_from(["cut", "insert", "token", "flip", "truncate", "repeat"]))
        if operation == "cut":
            del data[at:at + draw(st.integers(1, 200))]
        elif operation == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=40))
        elif operation == "token":
            data[at:at] = draw(st.sampled_from(TOKENS))
        elif operation == "flip" and data:
            data[min(at, len(data) - 1)] = draw(st.integers(0, 255))
        elif operation == "truncate":
            data = data[:at]
        elif operation == "repeat":
            data[at:at] = data[max(0, at - 300):at]
    return name, bytes(data)


noise = st.tuples(st.sampled_from(sorted(SEEDS)), st.one_of(
    st.binary(max_size=2000),
    st.lists(st.sampled_from(TOKENS) | st.binary(max_size=20), max_size=60).map(b"".join),
    st.text(max_size=500).map(str.encode),
))
inputs = mutated() | noise


def _parse_or_refuse(name: str, data: bytes) -> int:
    try:
        parsed = parse_file(data, name)
    except ImportFormatError as error:
        assert str(error).startswith(name) and error.problem, "the error must name the file and the problem"
        return 0
    assert parsed.citations, "a file read without error holds records"
    return len(parsed.citations)


@settings(max_examples=600, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(inputs)
def test_any_bytes_give_records_or_the_clear_import_error(example):
    _parse_or_refuse(*example)


def test_every_seed_reads_whole():
    assert all(_parse_or_refuse(name, data) > 0 for name, data in SEEDS.items())


@pytest.fixture
def review_and_lead(session):
    lead = make_user(session, email="lead@example.org")
    return make_review(session, lead), lead


@settings(max_examples=40, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
@given(example=inputs)
def test_an_import_lands_whole_or_not_at_all(session, review_and_lead, tmp_path, example):
    name, data = example
    review, lead = review_and_lead
    access = review_access(session, review.id, lead.id)
    try:
        batch = create_batch(session, access, BatchRequest(source_name="Fuzz", filename=name, skip_empty=True),
                             data, uploads_dir=tmp_path, max_bytes=10 * 2**20)
    except InvalidInput:
        return  # refused at upload: nothing kept
    try:
        import_batch(session, lambda *_: None, batch_id=batch.id, review_id=review.id)
    except InvalidInput:
        pass  # the clear message, on the batch
    session.expire_all()
    batch = session.get(ImportBatch, batch.id)
    stored = session.exec(select(func.count()).select_from(Record).where(Record.batch_id == batch.id)).one()
    if batch.status == BatchStatus.complete:
        assert stored == batch.record_count == batch.records_read - batch.empty_count
    else:
        assert batch.status == BatchStatus.failed and stored == 0
        assert batch.error and not batch.error.startswith("Unexpected error"), batch.error


# What the fuzzing found, each pinned down.

def test_text_after_a_ty_line_and_before_any_tag_is_left_out_named():
    short = parse_file(b"TY  -\n!", "short.ris")  # once a KeyError inside rispy
    assert [c.is_empty for c in short.citations] == [True] and short.left_out[0].text == "!"
    parsed = parse_file(b"TY  - JOUR\nstray words\nTI  - A title\nER  - \n", "stray.ris")
    assert [c.title for c in parsed.citations] == ["A title"]
    assert [(item.line, item.text) for item in parsed.left_out] == [(2, "stray words")]


def test_a_bibtex_macro_never_defined_is_read_as_its_name():
    text = "@article{key,\n  title = {A title},\n  journal = nmi,\n  year = 2021\n}\n"
    parsed = parse_file(text.encode(), "library.bib")  # once bibtexparser's UndefinedString
    assert [(c.title, c.journal) for c in parsed.citations] == [("A title", "nmi")]


def test_a_workbook_damaged_inside_its_compressed_data_is_refused_clearly():
    data = bytearray(SEEDS["records.xlsx"])
    start = data.index(b"xl/worksheets/sheet1.xml") + len(b"xl/worksheets/sheet1.xml")
    data[start + 5:start + 40] = bytes(range(200, 235))  # the sheet's deflate stream, garbled
    with pytest.raises(ImportFormatError, match="damaged|not an Excel workbook"):
        parse_file(bytes(data), "records.xlsx")


def test_a_field_longer_than_its_column_is_cut_to_fit_and_kept_whole_in_raw(session, review_and_lead, tmp_path):
    """Found on PostgreSQL, which refuses a DOI over 300 characters that SQLite took."""
    review, lead = review_and_lead
    long_doi = "10.1000/" + "x" * 400
    data = f"TY  - JOUR\nTI  - A title\nDO  - {long_doi}\nVL  - {'9' * 150}\nER  - \n".encode()
    access = review_access(session, review.id, lead.id)
    batch = create_batch(session, access, BatchRequest(source_name="Long", filename="long.ris"), data,
                         uploads_dir=tmp_path, max_bytes=2**20)
    import_batch(session, lambda *_: None, batch_id=batch.id, review_id=review.id)
    record = session.exec(select(Record).where(Record.batch_id == batch.id)).one()
    assert (len(record.doi), len(record.volume)) == (300, 100)
    assert long_doi in str(record.raw)
