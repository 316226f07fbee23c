"""Full-text reports: attach a PDF and read it beside the buttons, or mark it not retrieved."""

import pytest

from screening import fulltexts

from screening.decisions import deciding, queue
from screening.review.errors import InvalidInput
from screening.models import Stage, Verdict
from screening.review.models import Role
from screening.records import kept_records
from screening.review.access import review_access
from tests.factories import import_fixture, join, make_review, make_user
from tests.web import csrf_token, log_in

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


@pytest.fixture
def at_full_text(session, tmp_path):
    lead, ann = make_user(session, email="lead@example.org"), make_user(session, email="ann@example.org")
    review = make_review(session, lead)
    join(session, review, lead, ann, Role.reviewer)
    import_fixture(session, review, lead, "import/asreview_cohen_adhd_sample.csv", uploads_dir=tmp_path)
    records = [record.id for record in kept_records(session, review.id)]
    for person in (lead, ann):
        for record_id in records[:2]:
            deciding.decide(session, review_access(session, review.id, person.id), record_id, Stage.title_abstract,
                             Verdict.include)
    return review, records[:2], review_access(session, review.id, ann.id)


def test_attach_a_pdf_and_read_it_on_the_full_text_page(client, session, settings, at_full_text):
    review, records, _ = at_full_text
    log_in(client, "ann@example.org")
    token = csrf_token(client, "/")
    response = client.post(f"/reviews/{review.id}/records/{records[0]}/fulltext", data={"csrf_token": token},
                           files={"file": ("trial.pdf", PDF, "application/pdf")}, headers={"HX-Request": "true"})
    assert response.status_code == 200 and "trial.pdf" in response.text and '<iframe class="pdf"' in response.text
    pdf = client.get(f"/reviews/{review.id}/records/{records[0]}/fulltext.pdf")
    assert pdf.content == PDF and pdf.headers["content-type"] == "application/pdf"
    assert pdf.headers["content-disposition"].startswith("inline")
    assert (settings.data_dir / "fulltexts" / str(review.id)).is_dir()


def test_a_file_that_is_not_a_pdf_is_refused(client, session, at_full_text):
    review, records, access = at_full_text
    with pytest.raises(InvalidInput, match="notes.docx is not a PDF"):
        fulltexts.attach_pdf(session, access, records[0], "notes.docx", b"PK\x03\x04", files_dir=None, max_bytes=100)
    assert fulltexts.full_text_of(session, review.id, records[0]) is None


def test_a_report_not_retrieved_leaves_the_full_text_queue_until_it_turns_up(session, tmp_path, at_full_text):
    review, records, access = at_full_text
    assert queue.next_record(session, access, Stage.full_text).id == records[0]
    with pytest.raises(InvalidInput, match="Say why"):
        fulltexts.mark_not_retrieved(session, access, records[0], "  ")
    fulltexts.mark_not_retrieved(session, access, records[0], "Not held by any library; authors did not reply")
    assert queue.next_record(session, access, Stage.full_text).id == records[1]
    fulltexts.attach_pdf(session, access, records[0], "found.pdf", PDF, files_dir=tmp_path, max_bytes=10**6)
    assert queue.next_record(session, access, Stage.full_text).id == records[0]
