"""Background jobs kept in the database, so a page can show their progress, a
user can leave and come back, and a restart loses nothing.

A job is a plain function ``fn(session, report, **payload)`` taking ids in its
payload (plus ``review_id`` for a review's job); the worker and the tests call
the very same function. A worker claims
a job with a compare-and-set UPDATE (behind ``FOR UPDATE SKIP LOCKED`` on
PostgreSQL), so with several web processes exactly one runs it. While it runs,
a heartbeat renews its lease; a job whose lease runs out (its process died) is
claimed again, up to ``max_attempts`` times, then marked failed with the reason.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import zlib
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any, Protocol

import sqlalchemy as sa
import sqlalchemy.orm
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from app.models import Job, JobStatus
from screening.review.errors import NotFound, WinnowError
from screening.importing import import_batch
from screening.review.models import utcnow

log = logging.getLogger(__name__)

Report = Callable[[float, str], None]


class JobFunction(Protocol):
    def __call__(self, session: Session, report: Report, **payload: Any) -> None: ...


def train_ranking(session: Session, report: Report, **payload: Any) -> None:
    # Imported on first use: scikit-learn and SciPy take seconds to load, and every CLI
    # command (winnow dedup, winnow import ...) imports this module.
    from screening.ranking.in_review import train_ranking as train

    train(session, report, **payload)


# The job kinds Winnow runs.
JOB_KINDS: dict[str, JobFunction] = {
    "import": import_batch,
    "train": train_ranking,
}


def enqueue(
    session: Session,
    kind: str,
    *,
    review_id: int | None = None,
    created_by_id: int | None = None,
    not_before: datetime | None = None,
    kinds: Mapping[str, JobFunction] | None = None,
    **payload: Any,
) -> Job:
    known = JOB_KINDS if kinds is None else kinds
    if kind not in known:
        raise ValueError(f"Unknown job kind {kind!r}; known kinds: {', '.join(sorted(known)) or 'none'}")
    job = Job(kind=kind, review_id=review_id, created_by_id=created_by_id, not_before=not_before, payload=payload)
    session.add(job)
    session.commit()
    session.refresh(job)
    return job


def job_for_review(session: Session, review_id: int, job_id: int) -> Job:
    job = session.get(Job, job_id)
    if job is None or job.review_id != review_id:
        raise NotFound(f"No job {job_id} in this review.")
    return job


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"


def _lease_expired(now) -> sa.ColumnElement[bool]:
    return sa.and_(Job.status == JobStatus.running, Job.lease_until < now)


def fail_abandoned_jobs(engine: Engine, max_attempts: int) -> int:
    """Jobs whose process died ``max_attempts`` times are not tried again."""
    now = utcnow()
    with Session(engine) as session:
        result = session.exec(
            sa.update(Job)
            .where(_lease_expired(now), Job.attempts >= max_attempts)
            .values(
                status=JobStatus.failed,
                finished_at=now,
                error=(
                    f"Interrupted {max_attempts} times: the process running this job stopped "
                    "before it finished. Start it again; if it keeps failing, see the server log."
                ),
            )
        )
        session.commit()
        return result.rowcount


def _claimable(now) -> sa.ColumnElement[bool]:
    """Queued, or abandoned by a dead worker; and no sibling running. At most one
    job of a kind runs for a review at a time (two imports must not deduplicate
    the same records at once; one training per review)."""
    sibling = sa.orm.aliased(Job)
    no_sibling_running = ~sa.exists().where(
        sibling.kind == Job.kind,
        sibling.review_id == Job.review_id,
        sibling.id != Job.id,
        sibling.status == JobStatus.running,
        sibling.lease_until >= now,
    )
    due = sa.or_(Job.not_before.is_(None), Job.not_before <= now)
    return sa.and_(sa.or_(sa.and_(Job.status == JobStatus.queued, due), _lease_expired(now)), no_sibling_running)


def claim_next_job(engine: Engine, worker: str, lease_seconds: int) -> Job | None:
    with Session(engine, expire_on_commit=False) as session:
        candidates = session.exec(
            select(Job.id).where(_claimable(utcnow())).order_by(Job.id).limit(5).with_for_update(skip_locked=True)
        ).all()
        for job_id in candidates:
            if (job := _try_claim(session, job_id, worker, lease_seconds)) is not None:
                return job
        session.commit()
    return None


def claim_job(engine: Engine, job_id: int, worker: str, lease_seconds: int) -> Job | None:
    """Claim one given job (the CLI runs its own import this way); None if another worker has it."""
    with Session(engine, expire_on_commit=False) as session:
        job = _try_claim(session, job_id, worker, lease_seconds)
        session.commit()
        return job


def _try_claim(session: Session, job_id: int, worker: str, lease_seconds: int) -> Job | None:
    job = session.get(Job, job_id)
    if job is None:
        return None
    if job.review_id is not None and session.get_bind().dialect.name == "postgresql":
        # Serialise claims of one kind for one review, so the sibling check in
        # the UPDATE sees a claim another process has just committed.
        session.exec(sa.select(sa.func.pg_advisory_xact_lock(job.review_id, _kind_key(job.kind))))
    now = utcnow()
    claimed = session.exec(
        sa.update(Job)
        .where(Job.id == job_id, _claimable(now))
        .values(
            status=JobStatus.running,
            worker=worker,
            lease_until=now + timedelta(seconds=lease_seconds),
            attempts=Job.attempts + 1,
            started_at=now,
            error="",
        )
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        return None
    session.commit()
    session.refresh(job)
    return job


def _kind_key(kind: str) -> int:
    return zlib.crc32(kind.encode()) & 0x7FFFFFFF


class _Heartbeat(threading.Thread):
    """Renews a running job's lease so no other worker takes it while it is alive."""

    def __init__(self, engine: Engine, job_id: int, worker: str, lease_seconds: int):
        super().__init__(daemon=True, name=f"job-{job_id}-heartbeat")
        self.engine, self.job_id, self.worker, self.lease_seconds = engine, job_id, worker, lease_seconds
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(self.lease_seconds / 3):
            try:
                _update_own_job(
                    self.engine, self.job_id, self.worker,
                    lease_until=utcnow() + timedelta(seconds=self.lease_seconds),
                )
            except sa.exc.OperationalError:
                log.warning("Could not renew the lease of job %s; will try again", self.job_id)


def _update_own_job(engine: Engine, job_id: int, worker: str, **values: Any) -> None:
    with Session(engine) as session:
        session.exec(sa.update(Job).where(Job.id == job_id, Job.worker == worker).values(**values))
        session.commit()


def run_job(
    engine: Engine,
    job: Job,
    worker: str,
    lease_seconds: int,
    kinds: Mapping[str, JobFunction],
    on_progress: Report | None = None,
) -> None:
    """Run a claimed job to the end and record how it ended; ``on_progress``
    also hears each progress report (the CLI draws its progress bar with it)."""

    def report(progress: float, message: str = "") -> None:
        progress = max(0.0, min(1.0, progress))
        _update_own_job(engine, job.id, worker, progress=progress, message=message[:300])
        if on_progress is not None:
            on_progress(progress, message)

    heartbeat = _Heartbeat(engine, job.id, worker, lease_seconds)
    heartbeat.start()
    try:
        function = kinds[job.kind]
        arguments = dict(job.payload)
        if job.review_id is not None:
            arguments["review_id"] = job.review_id
        with Session(engine) as session:
            function(session, report, **arguments)
    except WinnowError as error:
        outcome = {"status": JobStatus.failed, "error": str(error)}
    except Exception as error:  # a bug must end as a failed job with its reason, not a stuck one
        log.exception("Job %s (%s) failed", job.id, job.kind)
        outcome = {"status": JobStatus.failed, "error": f"Unexpected error ({type(error).__name__}): {error}"}
    else:
        outcome = {"status": JobStatus.succeeded, "progress": 1.0}
    finally:
        heartbeat.stopped.set()
        heartbeat.join()
    _update_own_job(engine, job.id, worker, finished_at=utcnow(), lease_until=None, **outcome)


def run_next_job(
    engine: Engine,
    *,
    lease_seconds: int = 60,
    max_attempts: int = 3,
    kinds: Mapping[str, JobFunction] | None = None,
    worker: str | None = None,
) -> bool:
    """Claim and run one job; False when there was none to run."""
    worker = worker or worker_name()
    fail_abandoned_jobs(engine, max_attempts)
    job = claim_next_job(engine, worker, lease_seconds)
    if job is None:
        return False
    run_job(engine, job, worker, lease_seconds, JOB_KINDS if kinds is None else kinds)
    return True


def follow_job(engine: Engine, job_id: int, settings, on_progress: Callable[[float], None]) -> None:
    """Run the job here as soon as it may be claimed (no worker took it, or the
    one that did died); while another worker runs it, show its progress."""
    worker = worker_name()
    while True:
        job = claim_job(engine, job_id, worker, settings.job_lease_seconds)
        if job is not None:
            run_job(engine, job, worker, settings.job_lease_seconds, JOB_KINDS,
                    on_progress=lambda progress, message: on_progress(progress))
            return
        with Session(engine) as session:
            job = session.get(Job, job_id)
        on_progress(job.progress)
        if job.status in (JobStatus.succeeded, JobStatus.failed):
            return
        threading.Event().wait(0.5)


class Worker(threading.Thread):
    """Runs jobs until stopped; ``winnow serve`` starts one per process, ``winnow worker`` runs one alone."""

    def __init__(self, engine: Engine, *, lease_seconds: int, max_attempts: int, poll_seconds: float = 1.0):
        super().__init__(daemon=True, name="winnow-worker")
        self.engine = engine
        self.lease_seconds, self.max_attempts, self.poll_seconds = lease_seconds, max_attempts, poll_seconds
        self.stopping = threading.Event()

    def run(self) -> None:
        worker = worker_name()
        while not self.stopping.is_set():
            try:
                ran = run_next_job(
                    self.engine, lease_seconds=self.lease_seconds, max_attempts=self.max_attempts, worker=worker
                )
            except sa.exc.OperationalError:
                log.exception("The job worker could not reach the database; retrying")
                ran = False
            if not ran:
                self.stopping.wait(self.poll_seconds)

    def stop(self) -> None:
        self.stopping.set()
        self.join(timeout=30)
