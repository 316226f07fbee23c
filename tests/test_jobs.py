"""Background jobs: run once, report progress, survive a dead worker, fail with a reason."""

import threading
from datetime import timedelta

import sqlalchemy as sa
from sqlmodel import Session

from app import jobs
from app.models import Job, JobStatus
from screening.review.errors import InvalidInput
from screening.review.models import Review, utcnow
from tests.factories import make_review, make_user
from tests.web import log_in

seen_progress: list[tuple[float, str]] = []


def counting_job(session, report, *, review_id, steps):
    for step in range(1, steps + 1):
        report(step / steps, f"step {step} of {steps}")
    review = session.get(Review, review_id)
    review.question += "x"
    session.add(review)
    session.commit()


def refusing_job(session, report, review_id=None):
    raise InvalidInput("line 3 of search.ris is not RIS")


def crashing_job(session, report, review_id=None):
    raise KeyError("boom")


KINDS = {"count": counting_job, "refuse": refusing_job, "crash": crashing_job}


def _job(engine, job_id) -> Job:
    with Session(engine) as session:
        return session.get(Job, job_id)


def test_the_worker_runs_a_queued_job_to_success_with_progress(engine, session):
    review = make_review(session, make_user(session))
    job = jobs.enqueue(session, "count", review_id=review.id, kinds=KINDS, steps=4)
    assert jobs.run_next_job(engine, kinds=KINDS) is True
    done = _job(engine, job.id)
    assert (done.status, done.progress, done.message, done.attempts) == (JobStatus.succeeded, 1.0, "step 4 of 4", 1)
    assert done.finished_at >= done.started_at
    session.refresh(review)
    assert review.question == "x"
    assert jobs.run_next_job(engine, kinds=KINDS) is False  # nothing left: it ran exactly once


def test_a_job_queued_for_later_waits_until_then(engine, session):
    review = make_review(session, make_user(session))
    job = jobs.enqueue(session, "count", review_id=review.id, kinds=KINDS, steps=1,
                       not_before=utcnow() + timedelta(minutes=1))
    assert jobs.run_next_job(engine, kinds=KINDS) is False
    job.not_before = utcnow() - timedelta(seconds=1)
    session.add(job)
    session.commit()
    assert jobs.run_next_job(engine, kinds=KINDS) is True
    assert _job(engine, job.id).status == JobStatus.succeeded


def test_a_refused_job_fails_with_the_domain_message_and_a_bug_with_its_type(engine, session):
    refused = jobs.enqueue(session, "refuse", kinds=KINDS)
    crashed = jobs.enqueue(session, "crash", kinds=KINDS)
    jobs.run_next_job(engine, kinds=KINDS)
    jobs.run_next_job(engine, kinds=KINDS)
    assert _job(engine, refused.id).error == "line 3 of search.ris is not RIS"
    assert _job(engine, crashed.id).status == JobStatus.failed
    assert _job(engine, crashed.id).error.startswith("Unexpected error (KeyError)")


def test_unknown_job_kinds_are_refused_at_enqueue(session):
    try:
        jobs.enqueue(session, "nope", kinds=KINDS)
    except ValueError as error:
        assert "known kinds: count, crash, refuse" in str(error)
    else:
        raise AssertionError("enqueue accepted an unknown kind")


def _simulate_dead_worker(engine, job_id, attempts):
    with Session(engine) as session:
        session.exec(
            sa.update(Job).where(Job.id == job_id).values(
                status=JobStatus.running, worker="gone:1:1", attempts=attempts, lease_until=utcnow() - timedelta(seconds=1)
            )
        )
        session.commit()


def test_a_job_whose_worker_died_is_run_again(engine, session):
    review = make_review(session, make_user(session))
    job = jobs.enqueue(session, "count", review_id=review.id, kinds=KINDS, steps=1)
    _simulate_dead_worker(engine, job.id, attempts=1)
    assert jobs.run_next_job(engine, kinds=KINDS) is True
    assert (_job(engine, job.id).status, _job(engine, job.id).attempts) == (JobStatus.succeeded, 2)


def test_a_job_interrupted_too_often_is_failed_with_the_reason(engine, session):
    job = jobs.enqueue(session, "refuse", kinds=KINDS)
    _simulate_dead_worker(engine, job.id, attempts=3)
    assert jobs.run_next_job(engine, kinds=KINDS, max_attempts=3) is False
    failed = _job(engine, job.id)
    assert failed.status == JobStatus.failed and "Interrupted 3 times" in failed.error


def test_a_running_job_with_a_live_lease_is_not_taken(engine, session):
    job = jobs.enqueue(session, "refuse", kinds=KINDS)
    assert jobs.claim_next_job(engine, "first", lease_seconds=60).id == job.id
    assert jobs.claim_next_job(engine, "second", lease_seconds=60) is None


def test_racing_workers_claim_each_job_exactly_once(engine, session):
    created = {jobs.enqueue(session, "refuse", kinds=KINDS).id for _ in range(20)}
    claims: list[tuple[str, int]] = []
    start = threading.Barrier(4)

    def claim_all(name):
        start.wait()
        while (job := jobs.claim_next_job(engine, name, lease_seconds=60)) is not None:
            claims.append((name, job.id))

    threads = [threading.Thread(target=claim_all, args=(f"worker-{n}",)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    claimed_ids = [job_id for _, job_id in claims]
    assert sorted(claimed_ids) == sorted(created)  # every job once, none twice


def test_the_progress_partial_polls_while_running_and_stops_when_done(client, engine, session):
    lead = make_user(session, email="lead@example.org")
    review = make_review(session, lead)
    job = jobs.enqueue(session, "count", review_id=review.id, kinds=KINDS, steps=2)
    log_in(client, "lead@example.org")
    queued = client.get(f"/reviews/{review.id}/jobs/{job.id}").text
    assert 'hx-trigger="every 1s"' in queued and "queued" in queued
    jobs.run_next_job(engine, kinds=KINDS)
    done = client.get(f"/reviews/{review.id}/jobs/{job.id}").text
    assert "hx-trigger" not in done and 'value="100"' in done
    assert client.get(f"/api/reviews/{review.id}/jobs/{job.id}").json()["status"] == "succeeded"


def test_the_in_process_worker_thread_runs_jobs_and_stops(engine, session, monkeypatch):
    review = make_review(session, make_user(session))
    monkeypatch.setattr(jobs, "JOB_KINDS", KINDS)
    job = jobs.enqueue(session, "count", review_id=review.id, steps=1)
    worker = jobs.Worker(engine, lease_seconds=30, max_attempts=3, poll_seconds=0.05)
    worker.start()
    for _ in range(200):
        if _job(engine, job.id).status == JobStatus.succeeded:
            break
        threading.Event().wait(0.05)
    worker.stop()
    assert _job(engine, job.id).status == JobStatus.succeeded
    assert not worker.is_alive()


def test_one_job_of_a_kind_runs_per_review_at_a_time(engine, session):
    first_review, second_review = make_review(session, make_user(session)), make_review(session, make_user(session))
    first = jobs.enqueue(session, "refuse", review_id=first_review.id, kinds=KINDS)
    waiting = jobs.enqueue(session, "refuse", review_id=first_review.id, kinds=KINDS)
    other_review = jobs.enqueue(session, "refuse", review_id=second_review.id, kinds=KINDS)
    other_kind = jobs.enqueue(session, "crash", review_id=first_review.id, kinds=KINDS)
    claimed = [jobs.claim_next_job(engine, f"w{n}", lease_seconds=60) for n in range(4)]
    assert [job.id if job else None for job in claimed] == [first.id, other_review.id, other_kind.id, None]
    _simulate_dead_worker(engine, first.id, attempts=1)  # its lease ran out: the sibling may go
    assert jobs.claim_next_job(engine, "w5", lease_seconds=60).id in {first.id, waiting.id}
