"""Importing into a review and deduplicating there: all or nothing, reversible, counted."""

import pytest
import rispy
from sqlmodel import select

from app import jobs
from app.models import Job, JobStatus
from app.services import start_import
from screening import deduplicating, importing
from screening.review.errors import InvalidInput
from screening.importing import BatchRequest
from screening.models import BatchStatus, DuplicatePair, ImportBatch, MergeKind, PairStatus, Record
from screening.review.models import AuditEvent
from screening.review.bulk import insert_rows
from screening.records import kept_records, record_counts
from screening.review.access import review_access
from tests.factories import FIXTURES, import_fixture, make_review, make_user
from tests.web import csrf_token, log_in

STROKE = "dedup/stroke_sample.csv"  # 54 records, 20 labelled duplicate groups


@pytest.fixture
def lead(session):
    return make_user(session, email="lead@example.org")


@pytest.fixture
def review(session, lead):
    return make_review(session, lead)


@pytest.fixture
def uploads(tmp_path):
    return tmp_path / "uploads"


def _access(session, review, user):
    return review_access(session, review.id, user.id)


def test_an_import_stores_every_record_with_its_source_and_merges_sure_duplicates(session, review, lead, uploads):
    batch = import_fixture(session, review, lead, STROKE, source="Embase (Ovid)", uploads_dir=uploads)
    assert (batch.status, batch.file_format, batch.records_read, batch.record_count) == (BatchStatus.complete, "csv", 54, 54)
    first = session.exec(select(Record).where(Record.batch_id == batch.id, Record.position == 1)).one()
    assert first.title.startswith("Efficacy observation of batroxobin")
    assert first.authors[0] == "Zhai, Q. J." and first.year == 2010 and first.raw["true_group"] == "g1"
    counts = record_counts(session, review.id)
    assert counts.by_source == {"Embase (Ovid)": 54}
    assert counts.duplicates_auto > 0 and counts.duplicates_manual == 0
    assert counts.identified == counts.to_screen + counts.duplicates_auto == 54
    # a distinct study is never merged: every automatic group holds one labelled study
    for record in session.exec(select(Record).where(Record.duplicate_of_id.is_not(None))):
        assert record.raw["true_group"] == session.get(Record, record.duplicate_of_id).raw["true_group"] != ""
    assert session.exec(select(AuditEvent).where(AuditEvent.action == "import.complete")).one().detail["records"] == 54
    # every automatic merge is in the audit log, naming the record kept, and its pair is stored
    merged = {str(record.id): record.duplicate_of_id
              for record in session.exec(select(Record).where(Record.duplicate_of_id.is_not(None)))}
    logged = {event.object_id: event.detail["kept"]
              for event in session.exec(select(AuditEvent).where(AuditEvent.action == "record.merge.auto"))}
    assert logged == merged
    stored = session.exec(select(DuplicatePair).where(DuplicatePair.status == PairStatus.auto_merged)).all()
    assert {pair.first_id for pair in stored} | {pair.second_id for pair in stored} >= {int(i) for i in merged}


def test_the_same_records_from_a_second_source_merge_into_the_first(session, review, lead, uploads):
    import_fixture(session, review, lead, STROKE, source="MEDLINE", uploads_dir=uploads)
    before = record_counts(session, review.id)
    second = import_fixture(session, review, lead, STROKE, source="Embase", uploads_dir=uploads)
    after = record_counts(session, review.id)
    assert after.by_source == {"Embase": 54, "MEDLINE": 54}
    assert after.duplicates_auto >= before.duplicates_auto + 50
    # the few copies too thin to merge unasked (no authors, or no journal, volume or pages) go to a person
    still_kept = [record.id for record in kept_records(session, review.id) if record.batch_id == second.id]
    waiting = {record_id for pair in deduplicating.candidate_pairs(session, review.id)
               for record_id in (pair.first.id, pair.second.id)}
    assert still_kept and set(still_kept) <= waiting


def test_a_file_that_cannot_be_read_is_refused_and_leaves_nothing(session, review, lead, uploads):
    access = _access(session, review, lead)
    with pytest.raises(InvalidInput, match="empty.ris is empty"):
        importing.create_batch(session, access, BatchRequest("Embase", "empty.ris"), b"", uploads_dir=uploads, max_bytes=100)
    with pytest.raises(InvalidInput, match="over the limit"):
        importing.create_batch(session, access, BatchRequest("Embase", "big.ris"), b"x" * 101, uploads_dir=uploads, max_bytes=100)
    truncated = (FIXTURES / "import/ovid.ris").read_bytes()[:-400] + b"\x00\x01\x02garbage"
    batch = importing.create_batch(session, access, BatchRequest("Embase", "truncated.ris"), truncated,
                                   uploads_dir=uploads, max_bytes=10**6)
    with pytest.raises(InvalidInput, match="truncated.ris"):
        importing.import_batch(session, lambda *_: None, batch_id=batch.id, review_id=review.id)
    session.refresh(batch)
    assert batch.status == BatchStatus.failed and "truncated.ris" in batch.error
    assert session.exec(select(Record)).all() == []


def test_lines_that_belong_to_no_record_are_left_out_and_named_in_the_import_report(session, review, lead, uploads):
    data = (b"AU  - Stray, A\n\n" + (FIXTURES / "import/ovid_psycinfo.ris").read_bytes())
    batch = importing.create_batch(session, _access(session, review, lead), BatchRequest("PsycINFO (Ovid)", "psyc.ris"),
                                   data, uploads_dir=uploads, max_bytes=10**6)
    messages = []
    importing.import_batch(session, lambda progress, message: messages.append(message), batch_id=batch.id,
                           review_id=review.id)
    session.refresh(batch)
    assert (batch.status, batch.record_count) == (BatchStatus.complete, 3)
    assert messages[-1].endswith("; 1 line left out: line 1 (a tag line before the first record)")
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "import.complete")).one()
    assert event.detail["lines_left_out"] == [{"line": 1, "text": "AU  - Stray, A", "why": "a tag line before the first record"}]


def test_records_with_no_title_and_no_abstract_wait_for_consent(session, review, lead, uploads):
    batch = import_fixture(session, review, lead, "import/tag_notes.ris", uploads_dir=uploads)
    assert (batch.status, batch.empty_count, batch.records_read) == (BatchStatus.needs_consent, 11, 12)
    assert len(batch.empty_examples) == 5
    assert session.exec(select(Record)).all() == []
    importing.consent_to_skip_empty(session, _access(session, review, lead), batch.id)
    importing.import_batch(session, lambda *_: None, batch_id=batch.id, review_id=review.id)
    session.refresh(batch)
    assert (batch.status, batch.record_count) == (BatchStatus.complete, 1)


def test_an_interrupted_import_runs_again_from_the_start(session, review, lead, uploads):
    access = _access(session, review, lead)
    data = (FIXTURES / STROKE).read_bytes()
    batch = importing.create_batch(session, access, BatchRequest("Embase", "s.csv"), data, uploads_dir=uploads, max_bytes=10**6)
    session.add(Record(review_id=review.id, batch_id=batch.id, position=1, title="left by a dead worker"))
    session.commit()
    importing.import_batch(session, lambda *_: None, batch_id=batch.id, review_id=review.id)
    assert len(session.exec(select(Record).where(Record.batch_id == batch.id)).all()) == 54
    assert session.exec(select(Record).where(Record.title == "left by a dead worker")).first() is None


@pytest.mark.parametrize("failing", ["insert_rows", "find_duplicates"])
def test_a_failure_while_storing_or_comparing_leaves_nothing(session, review, lead, uploads, monkeypatch, failing):
    # Records are stored and committed in chunks by one thread while another compares them.
    monkeypatch.setattr(importing, "CHUNK", 10)
    real, calls = getattr(importing, failing), []

    def fails_after_two_calls(*args, **kwargs):
        calls.append(1)
        if len(calls) > 2 or failing == "find_duplicates":
            raise RuntimeError("disk full")
        return real(*args, **kwargs)

    monkeypatch.setattr(importing, failing, fails_after_two_calls)
    with pytest.raises(RuntimeError, match="disk full"):
        import_fixture(session, review, lead, STROKE, uploads_dir=uploads)
    batch = session.exec(select(ImportBatch)).one()
    assert (batch.status, batch.error) == (BatchStatus.failed, "Unexpected error: disk full")
    assert session.exec(select(Record)).all() == []


def test_unmerge_restores_a_record_and_deduplication_does_not_merge_it_again(session, review, lead, uploads):
    import_fixture(session, review, lead, STROKE, uploads_dir=uploads)
    access = _access(session, review, lead)
    duplicate = session.exec(select(Record).where(Record.merge_kind == MergeKind.auto)).first()
    kept_before = len(kept_records(session, review.id))
    deduplicating.unmerge_record(session, access, duplicate.id)
    assert len(kept_records(session, review.id)) == kept_before + 1
    assert session.get(Record, duplicate.id).duplicate_of_id is None
    deduplicating.deduplicate_review(session, review.id, actor_id=lead.id)
    session.commit()
    assert session.get(Record, duplicate.id).duplicate_of_id is None
    assert session.exec(select(AuditEvent).where(AuditEvent.action == "record.unmerge")).one().object_id == str(duplicate.id)


def test_bulk_rows_name_every_column_with_a_default(session, review):
    # PostgreSQL's COPY would leave such a column NULL where an INSERT fills in its default.
    pair = {"review_id": review.id, "first_id": 1, "second_id": 2, "score": 0.9, "status": PairStatus.candidate}
    with pytest.raises(ValueError, match="reasons"):
        insert_rows(session.connection(), DuplicatePair.__table__, [pair])


@pytest.mark.parametrize("same_report", [True, False])
def test_a_lead_decides_a_candidate_pair(session, review, lead, uploads, same_report):
    import_fixture(session, review, lead, STROKE, uploads_dir=uploads)
    access = _access(session, review, lead)
    [view] = deduplicating.candidate_pairs(session, review.id)
    pages = next(field for field in view.fields if field.name == "pages")
    assert pages.differs and any(differs for _, differs in pages.first_marked)
    decided = deduplicating.decide_pair(session, access, view.pair.id, same_report=same_report)
    assert decided.status == (PairStatus.same if same_report else PairStatus.different)
    kept_ids = {view.first.id, view.second.id}
    assert len([r for r in kept_records(session, review.id) if r.id in kept_ids]) == (1 if same_report else 2)
    assert record_counts(session, review.id).duplicates_manual == (1 if same_report else 0)
    with pytest.raises(InvalidInput, match="already decided"):
        deduplicating.decide_pair(session, access, view.pair.id, same_report=not same_report)
    deduplicating.deduplicate_review(session, review.id, actor_id=lead.id)
    session.commit()
    assert deduplicating.count_candidates(session, review.id) == 0


def test_upload_on_the_page_runs_as_a_job_and_shows_the_result(client, session, engine, review, lead):
    log_in(client, "lead@example.org")
    token = csrf_token(client, "/")
    response = client.post(
        f"/reviews/{review.id}/imports",
        data={"source_name": "Scopus", "search_date": "2024-05-31", "csrf_token": token},
        files={"file": ("stroke.csv", (FIXTURES / STROKE).read_bytes(), "text/csv")},
        follow_redirects=True,
    )
    assert response.status_code == 200 and "Waiting to start" in response.text
    assert jobs.run_next_job(engine) is True
    page = client.get(f"/reviews/{review.id}/imports").text
    assert "Imported 54 records" in page and "Scopus" in page and "2024-05-31" in page
    duplicates = client.get(f"/reviews/{review.id}/duplicates").text
    assert "<mark>" in duplicates and "Same report: merge" in duplicates


def test_a_bad_upload_on_the_page_is_explained_and_the_form_kept(client, session, review, lead):
    log_in(client, "lead@example.org")
    token = csrf_token(client, "/")
    response = client.post(
        f"/reviews/{review.id}/imports",
        data={"source_name": "Scopus", "search_date": "31/05/2024", "search_string": "kept query", "csrf_token": token},
        files={"file": ("a.ris", b"TY  - JOUR\nTI  - x\nER  - \n", "text/plain")},
    )
    assert response.status_code == 422
    assert "is not a date: use the form 2024-05-31" in response.text and "kept query" in response.text
    assert importing.batches(session, review.id) == []


def test_import_and_decide_through_the_api(client, session, engine, review, lead):
    log_in(client, "lead@example.org")
    headers = {"X-CSRF-Token": csrf_token(client, "/")}
    created = client.post(f"/api/reviews/{review.id}/imports", data={"source_name": "PubMed"},
                          files={"file": ("s.csv", (FIXTURES / STROKE).read_bytes())}, headers=headers)
    assert created.status_code == 202 and created.json()["status"] == "queued"
    jobs.run_next_job(engine)
    batch = client.get(f"/api/reviews/{review.id}/imports/{created.json()['id']}").json()
    assert (batch["status"], batch["record_count"]) == ("complete", 54)
    assert client.get(f"/api/reviews/{review.id}/jobs/{batch['job_id']}").json()["progress"] == 1.0
    pairs = client.get(f"/api/reviews/{review.id}/duplicates").json()
    decided = client.post(f"/api/reviews/{review.id}/duplicates/{pairs[0]['id']}", json={"same_report": False}, headers=headers)
    assert decided.json() == "different"
    assert client.get(f"/api/reviews/{review.id}/records/counts").json()["identified"] == 54


def test_export_as_ris_and_csv_reads_back(client, session, review, lead, uploads):
    import_fixture(session, review, lead, STROKE, uploads_dir=uploads)
    log_in(client, "lead@example.org")
    ris = client.get(f"/reviews/{review.id}/export.ris")
    assert ris.headers["content-disposition"].endswith('.ris"')
    entries = rispy.loads(ris.text)
    assert len(entries) == record_counts(session, review.id).to_screen
    assert entries[0]["title"].startswith("Efficacy observation of batroxobin")
    csv_text = client.get(f"/reviews/{review.id}/export.csv").text
    assert csv_text.splitlines()[0].startswith("record_id,title,abstract,authors")
    refused = client.get(f"/reviews/{review.id}/export.pdf")
    assert refused.status_code == 422 and "Export as .ris or .csv" in refused.text


def test_worker_path_and_job_record(session, engine, settings, review, lead):
    batch = start_import(session, settings, review_access(session, review.id, lead.id),
                         BatchRequest("Embase", "s.csv"), (FIXTURES / STROKE).read_bytes())
    jobs.run_next_job(engine)
    job = session.get(Job, batch.job_id)
    session.refresh(job)
    assert job.status == JobStatus.succeeded and "Imported 54 records" in job.message
    assert session.exec(select(DuplicatePair)).all()
