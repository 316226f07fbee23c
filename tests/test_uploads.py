"""Uploads refused cleanly, with a message saying what and how to fix it, and nothing kept: file
names with paths, the wrong kind of file, ZIPs that are not workbooks, XLSX zip bombs, bodies over
the size limit, PDFs that are not PDFs or were cut short."""

import io
import zipfile

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from app import accounts
from app.main import create_app
from screening.importers import ImportFormatError, parse_file
from screening.models import FullText, ImportBatch
from screening.records import kept_records
from screening.review.errors import InvalidInput
from screening.review.uploads import check_filename
from tests.browser.test_extraction import PDF
from tests.factories import FIXTURES, import_fixture, include_records, make_review, make_user
from tests.web import log_in, post_form

RIS = (FIXTURES / "import/embase_sample.ris").read_bytes()


def _workbook(sheet: bytes = b"<worksheet/>", **extra: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
        for name, data in extra.items():
            archive.writestr(name, data)
    return out.getvalue()


@pytest.fixture
def lead(session):
    user = make_user(session, email="lead@example.org", is_admin=True)
    review = make_review(session, user)
    token = accounts.create_api_token(session, user.id, "uploads").secret
    return {"user": user, "review": review, "headers": {"Authorization": f"Bearer {token}"}}


def _import(client, lead, filename: str, data: bytes, content_type: str = "application/octet-stream"):
    return client.post(f"/api/reviews/{lead['review'].id}/imports", headers=lead["headers"],
                       data={"source_name": "Embase"}, files={"file": (filename, data, content_type)})


def _nothing_kept(session, settings) -> None:
    assert session.exec(select(ImportBatch)).all() == []
    assert not settings.uploads_dir.exists() or list(settings.uploads_dir.iterdir()) == []


# (A Windows path, C:\Users\me\embase.ris, reaches Winnow as embase.ris: the form parser keeps
# its last part, as old Internet Explorer sent the whole path. check_filename refuses it too.)
@pytest.mark.parametrize("filename", ["../../etc/embase.ris", "reports/embase.ris", "..", "x" * 300 + ".ris"])
def test_a_file_name_with_a_path_or_control_characters_is_refused(client, session, settings, lead, filename):
    response = _import(client, lead, filename, RIS)
    assert response.status_code == 422, response.text
    problem = response.json()["detail"][0]
    assert problem["loc"] == ["body", "file"]
    assert any(words in problem["msg"] for words in ("folder path", "control characters", "characters long"))
    _nothing_kept(session, settings)


def test_check_filename_takes_plain_names_only():
    assert check_filename("Embase 2024 (Ovid) – résumé.ris") == "Embase 2024 (Ovid) – résumé.ris"
    # control characters (the test client percent-encodes them on the way, so they are tried here)
    for name in ("C:\\Users\\me\\embase.ris", "/etc/passwd", ".", "", "a\x00b.ris", "line\nbreak.ris", "a\u202eb.ris"):
        with pytest.raises(InvalidInput):
            check_filename(name)


@pytest.mark.parametrize(("data", "said"), [
    (PDF, "is a PDF document, not an export of search results"),
    (b"\x89PNG\r\n\x1a\n" + bytes(100), "is a PNG image"),
    (b"\x1f\x8b\x08" + bytes(100), "is a gzip archive"),
    (b"\x7fELF" + bytes(100), "is a program"),
])
def test_the_wrong_kind_of_file_is_refused_at_upload_naming_what_it_is(client, session, settings, lead, data, said):
    response = _import(client, lead, "results.ris", data, "application/x-research-info-systems")
    assert response.status_code == 422
    message = response.json()["detail"][0]["msg"]
    assert said in message and "RIS" in message and "export the records again" in message
    _nothing_kept(session, settings)


def test_a_zip_that_is_not_a_workbook_is_refused(client, session, settings, lead):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("embase.ris", RIS)
    response = _import(client, lead, "results.zip", out.getvalue())
    assert response.status_code == 422
    assert "a ZIP archive, not an Excel workbook" in response.json()["detail"][0]["msg"]
    _nothing_kept(session, settings)


def test_an_xlsx_zip_bomb_is_refused_before_anything_unpacks_it(client, session, settings, lead):
    bomb = _workbook(sheet=b"<worksheet>" + b" " * (80 << 20) + b"</worksheet>")
    assert len(bomb) < 1 << 20  # under a megabyte, unpacking to 80
    response = _import(client, lead, "results.xlsx", bomb)
    assert response.status_code == 422
    message = response.json()["detail"][0]["msg"]
    assert "would unpack from 0.1 MB to 80 MB" in message and "as CSV" in message
    _nothing_kept(session, settings)
    # the import job, reading a file kept before this check, refuses it the same way
    with pytest.raises(ImportFormatError, match="would unpack"):
        parse_file(bomb, "results.xlsx")


def test_a_workbook_of_many_parts_is_refused_too():
    many = _workbook(**{f"xl/media/{number}.bin": b"" for number in range(10_001)})
    with pytest.raises(ImportFormatError, match="10004 parts"):
        parse_file(many, "results.xlsx")


def test_a_body_over_the_upload_limit_is_refused_before_it_is_read(settings, session, lead):
    small = create_app(settings.model_copy(update={"max_upload_mb": 1}))
    try:
        with TestClient(small) as client:
            big = RIS * (3 * 2**20 // len(RIS))
            api = _import(client, lead, "big.ris", big)
            assert api.status_code == 413
            assert "over the limit of 1 MB" in api.json()["detail"] and "WINNOW_MAX_UPLOAD_MB" in api.json()["detail"]
            log_in(client, "lead@example.org")
            page = post_form(client, f"/reviews/{lead['review'].id}/imports", {"source_name": "Embase"},
                             files={"file": ("big.ris", big, "text/plain")})
            assert page.status_code == 413 and "over the limit of 1 MB" in page.text
            assert "text/html" in page.headers["content-type"]
            within = _import(client, lead, "embase.ris", RIS)
            assert within.status_code == 202
    finally:
        small.state.engine.dispose()


@pytest.fixture
def record_at_full_text(session, lead, tmp_path):
    import_fixture(session, lead["review"], lead["user"], "import/embase_sample.ris", uploads_dir=tmp_path)
    record = kept_records(session, lead["review"].id)[0]
    include_records(session, lead["review"], lead["user"], [record.id])
    return record


@pytest.mark.parametrize(("filename", "data", "said"), [
    ("report.pdf", b"<!DOCTYPE html><html><body>Sign in to read</body></html>", "is a web page, not a PDF"),
    ("report.pdf", b"\x89PNG\r\n\x1a\n" + bytes(100), "is a PNG image, not a PDF"),
    ("report.pdf", b"just some text", "is not a PDF file"),
    ("report.pdf", PDF[: len(PDF) // 2], "is cut short"),
    ("report.pdf", b"", "is empty"),
    ("../../report.pdf", PDF, "folder path"),
])
def test_a_full_text_that_is_not_a_whole_pdf_is_refused(client, session, settings, lead, record_at_full_text,
                                                        filename, data, said):
    response = client.put(f"/api/reviews/{lead['review'].id}/records/{record_at_full_text.id}/fulltext",
                          headers=lead["headers"], files={"file": (filename, data, "application/pdf")})
    assert response.status_code == 422
    assert said in response.json()["detail"][0]["msg"]
    assert session.exec(select(FullText).where(FullText.stored_path.is_not(None))).all() == []
    files = settings.data_dir / "fulltexts"
    assert not files.exists() or not any(path.is_file() for path in files.rglob("*"))


def test_a_whole_pdf_is_attached(client, session, lead, record_at_full_text):
    response = client.put(f"/api/reviews/{lead['review'].id}/records/{record_at_full_text.id}/fulltext",
                          headers=lead["headers"], files={"file": ("report.pdf", PDF, "application/pdf")})
    assert response.status_code == 200, response.text
