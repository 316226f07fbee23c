"""Faults: a worker killed with SIGKILL in the middle of an import or a training, and a disk
that fills while a PDF is saved. Nothing half-done may show, and the work can be run again."""

import errno
import os
import random
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from app import jobs
from app.models import Job, JobStatus
from app.services import decide_and_next, start_import
from screening import fulltexts
from screening.decisions import queue
from screening.importing import BatchRequest
from screening.models import BatchStatus, ImportBatch, RankingRun, Record, RecordScore, Stage, Verdict
from screening.records import kept_records
from screening.review.access import review_access
from screening.review.errors import WinnowError
from screening.review.models import Role, utcnow
from tests.factories import import_fixture, include_records, join, make_review, make_user

BIG = 8_000  # records: enough that storing them takes several of the import's commits


def _ris(count: int) -> bytes:
    """Distinct records (no two alike, so deduplication has little to compare), made up."""
    chance = random.Random(3)
    syllables = ["ka", "lo", "mi", "ne", "ru", "sa", "ti", "vo", "ze", "pa", "do", "fi"]
    words = sorted({"".join(chance.choices(syllables, k=4)) for _ in range(3000)})
    lines = []
    for n in range(count):
        title = " ".join(chance.sample(words, 9))
        lines += ["TY  - JOUR", f"TI  - {title}", f"AU  - {chance.choice(words).title()}, A.", f"PY  - {1990 + n % 30}",
                  f"JO  - {chance.choice(words).title()} Journal", f"VL  - {n % 40}", f"SP  - {n}", "ER  - ", ""]
    return "\n".join(lines).encode()


def _worker(settings) -> subprocess.Popen:
    environment = os.environ | {"DATABASE_URL": settings.database_url, "WINNOW_DATA_DIR": str(settings.data_dir),
                                "WINNOW_ENVIRONMENT": "test", "WINNOW_SECRET_KEY": settings.secret_key}
    return subprocess.Popen([sys.executable, "-m", "app.cli", "worker"], env=environment,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _wait_for(condition, what: str, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.02)


def _lease_runs_out(engine, job_id: int) -> None:
    """What the lease's expiry does in time: the job is free for another worker."""
    with Session(engine) as session:
        session.exec(sa.update(Job).where(Job.id == job_id).values(lease_until=utcnow() - timedelta(seconds=1)))
        session.commit()


def test_a_worker_killed_in_the_middle_of_an_import_leaves_no_partial_batch_and_it_runs_again(settings, engine, session):
    lead = make_user(session, email="lead@example.org")
    review = make_review(session, lead)
    import_fixture(session, review, lead, "import/asreview_cohen_adhd_sample.csv", uploads_dir=settings.uploads_dir)
    before = [record.id for record in kept_records(session, review.id)]
    batch = start_import(session, settings, review_access(session, review.id, lead.id),
                         BatchRequest(source_name="Big search", filename="big.ris"), _ris(BIG))
    batch_id, job_id = batch.id, batch.job_id

    def stored() -> int:
        with Session(engine) as reading:
            return reading.exec(select(sa.func.count()).select_from(Record).where(Record.batch_id == batch_id)).one()

    worker = _worker(settings)
    try:
        _wait_for(lambda: stored() > 0, "the import to store its first records")
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=30)
    finally:
        worker.kill()
    with Session(engine) as reading:
        interrupted = reading.get(ImportBatch, batch_id)
        assert interrupted.status is not BatchStatus.complete and stored() > 0
        assert [record.id for record in kept_records(reading, review.id)] == before  # nothing of it shows
    _lease_runs_out(engine, job_id)
    assert jobs.run_next_job(engine) is True
    with Session(engine) as reading:
        finished = reading.get(ImportBatch, batch_id)
        job = reading.get(Job, job_id)
        assert finished.status is BatchStatus.complete and finished.record_count == BIG
        assert job.status is JobStatus.succeeded and job.attempts == 2
        positions = reading.exec(select(Record.position).where(Record.batch_id == batch_id)).all()
        assert sorted(positions) == list(range(1, BIG + 1))  # each record once: no leftovers of the first try
        assert set(before) <= {record.id for record in kept_records(reading, review.id)}


def test_a_worker_killed_while_training_leaves_the_previous_ranking_in_use(settings, engine, session):
    lead, ann = make_user(session, email="lead@example.org"), make_user(session, email="ann@example.org")
    review = make_review(session, lead)
    review.dual_screening = False
    session.add(review)
    session.commit()
    join(session, review, lead, ann, Role.reviewer)
    import_fixture(session, review, lead, "labelled/cohen_2006_adhd_subset.csv", uploads_dir=settings.uploads_dir)
    access = review_access(session, review.id, ann.id)
    records = kept_records(session, review.id)
    for record in records[:30]:
        verdict = Verdict.include if record.raw["label_included"] == "1" else Verdict.exclude
        decide_and_next(session, access, record.id, Stage.title_abstract, verdict, training_delay=timedelta(0))
    assert jobs.run_next_job(engine) is True
    first = session.exec(select(RankingRun).where(RankingRun.review_id == review.id, RankingRun.current)).one()
    scored = session.exec(select(sa.func.count()).select_from(RecordScore).where(RecordScore.run_id == first.id)).one()
    decide_and_next(session, access, records[30].id, Stage.title_abstract, Verdict.exclude, training_delay=timedelta(0))
    job_id = session.exec(select(Job.id).where(Job.kind == "train", Job.status == JobStatus.queued)).one()

    def state() -> JobStatus:
        with Session(engine) as reading:
            return reading.get(Job, job_id).status

    worker = _worker(settings)
    try:
        _wait_for(lambda: state() is not JobStatus.queued, "the worker to take the training")
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=30)
    finally:
        worker.kill()
    with Session(engine) as reading:
        current = reading.exec(select(RankingRun).where(RankingRun.review_id == review.id, RankingRun.current)).all()
        if reading.get(Job, job_id).status is not JobStatus.succeeded:  # killed before it finished
            assert [run.id for run in current] == [first.id]
            assert reading.exec(select(sa.func.count()).select_from(RecordScore)
                                .where(RecordScore.run_id == first.id)).one() == scored
        assert len(current) == 1  # one ranking in use, never none or two
        served = queue.next_record(reading, review_access(reading, review.id, ann.id), Stage.title_abstract)
        assert served is not None and served.id not in {record.id for record in records[:31]}
    _lease_runs_out(engine, job_id)
    jobs.run_next_job(engine)
    with Session(engine) as reading:
        assert reading.get(Job, job_id).status is JobStatus.succeeded
        latest = reading.exec(select(RankingRun).where(RankingRun.review_id == review.id, RankingRun.current)).one()
        assert latest.id != first.id


def test_a_full_disk_while_saving_a_pdf_leaves_a_clear_error_and_no_file(settings, session, monkeypatch):
    lead = make_user(session, email="lead@example.org")
    review = make_review(session, lead)
    import_fixture(session, review, lead, "import/asreview_cohen_adhd_sample.csv", uploads_dir=settings.uploads_dir)
    record_id = kept_records(session, review.id)[0].id
    include_records(session, review, lead, [record_id])
    folder = settings.data_dir / "fulltexts"
    real_write = os.write

    def write_half_then_fail(fd, data):
        if len(data) > 1000:  # the PDF: half of it reaches the disk, then the disk is full
            real_write(fd, bytes(data[: len(data) // 2]))
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(fd, data)

    monkeypatch.setattr(os, "write", write_half_then_fail)
    pdf = b"%PDF-1.4\n" + b"0" * 50_000 + b"\n%%EOF\n"
    with pytest.raises(WinnowError, match="disk is full"):
        fulltexts.attach_pdf(session, review_access(session, review.id, lead.id), record_id, "trial.pdf", pdf,
                             files_dir=folder, max_bytes=10**6)
    monkeypatch.undo()
    session.rollback()
    assert fulltexts.full_text_of(session, review.id, record_id) is None
    assert [path for path in Path(folder).rglob("*") if path.is_file()] == []


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)  # SQLite has no server to lose
def test_the_app_reconnects_after_postgresql_drops_its_connections(client, session, engine):
    """What a PostgreSQL restart does to a running app: every connection it holds is cut. The
    next requests get fresh ones, and nothing acknowledged before is lost."""
    from tests.web import csrf_token, log_in

    lead = make_user(session, email="lead@example.org")
    review = make_review(session, lead)
    import_fixture(session, review, lead, "import/asreview_cohen_adhd_sample.csv", uploads_dir=Path("/tmp"))
    records = [record.id for record in kept_records(session, review.id)]
    session.close()
    log_in(client, "lead@example.org")
    headers = {"X-CSRF-Token": csrf_token(client, "/")}
    api = f"/api/reviews/{review.id}/screen/title_abstract"
    assert client.post(f"{api}/{records[0]}", json={"verdict": "include"}, headers=headers).status_code == 200
    with engine.connect() as connection:  # the pool now holds connections the server is about to cut
        database = connection.exec_driver_sql("SELECT current_database()").scalar_one()
    admin = sa.create_engine(engine.url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        cut = connection.exec_driver_sql(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            (database,)).scalar_one()
    admin.dispose()
    assert cut >= 1
    for record_id in records[1:4]:
        answer = client.post(f"{api}/{record_id}", json={"verdict": "exclude"}, headers=headers)
        assert answer.status_code == 200, answer.text
    with Session(engine) as reading:
        from screening.models import Decision

        stored = reading.exec(select(Decision.record_id).where(Decision.review_id == review.id)).all()
    assert sorted(stored) == sorted(records[:4])
