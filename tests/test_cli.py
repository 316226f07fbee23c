"""The winnow command: migrating, creating accounts, refusing to serve an old schema."""

import csv
import re

import sqlalchemy as sa
from sqlmodel import Session, select
from typer.testing import CliRunner

from app import db
from app.cli import cli
from screening.review.models import AuditEvent, User

runner = CliRunner()


def _env(url, tmp_path):
    return {"DATABASE_URL": url, "WINNOW_DATA_DIR": str(tmp_path)}


def test_db_upgrade_then_user_create(databases, backend, tmp_path):
    url = databases.empty(backend)
    env = _env(url, tmp_path)
    upgraded = runner.invoke(cli, ["db", "upgrade"], env=env)
    assert upgraded.exit_code == 0, upgraded.output
    assert f"revision {db.head_revision()}" in upgraded.output
    created = runner.invoke(
        cli, ["user", "create", "--email", "Lead@Example.org", "--name", "Lead", "--admin", "--password-stdin"],
        input="a long passphrase\n", env=env,
    )
    assert created.exit_code == 0, created.output
    engine = db.make_engine(url)
    with Session(engine) as session:
        user = session.exec(select(User)).one()
        assert (user.email, user.is_admin) == ("lead@example.org", True)
    engine.dispose()
    again = runner.invoke(
        cli, ["user", "create", "--email", "lead@example.org", "--name", "Lead", "--password-stdin"],
        input="a long passphrase\n", env=env,
    )
    assert again.exit_code == 1 and "already exists" in again.output


def test_user_create_refuses_a_short_password(databases, backend, tmp_path):
    env = _env(databases.migrated(backend), tmp_path)
    result = runner.invoke(cli, ["user", "create", "--email", "a@example.org", "--name", "A", "--password-stdin"],
                           input="short\n", env=env)
    assert result.exit_code == 1 and "password" in result.output and "at least 10 characters" in result.output


def test_serve_refuses_a_database_that_is_behind(databases, backend, tmp_path):
    result = runner.invoke(cli, ["serve"], env=_env(databases.empty(backend), tmp_path))
    assert result.exit_code == 1
    assert "Run: winnow db upgrade" in result.output


def test_serve_refuses_several_workers_on_sqlite(databases, tmp_path):
    result = runner.invoke(cli, ["serve", "--workers", "2"], env=_env(databases.migrated("sqlite"), tmp_path))
    assert result.exit_code == 1 and "need PostgreSQL" in result.output


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    result = runner.invoke(cli, ["db", "upgrade"], env={**_env(f"sqlite:///{tmp_path}/x.sqlite", tmp_path),
                                                        "WINNOW_ENVIRONMENT": "production"})
    assert result.exit_code == 1 and "WINNOW_SECRET_KEY must be set" in result.output
    assert not sa.inspect(db.make_engine(f"sqlite:///{tmp_path}/x.sqlite")).get_table_names()


def test_import_dedup_and_export_from_the_terminal(databases, backend, tmp_path):
    from pathlib import Path

    from screening.review.models import ReviewCreate
    from screening.review.reviews import create_review
    from tests.factories import FIXTURES, make_user

    url = databases.migrated(backend)
    env = _env(url, tmp_path)
    engine = db.make_engine(url)
    with Session(engine) as session:
        lead = make_user(session)
        review = create_review(session, ReviewCreate(title="Terminal"), lead.id)
    imported = runner.invoke(cli, ["import", str(review.id), str(FIXTURES / "dedup/stroke_sample.csv"),
                                   "--source", "Embase", "--search-date", "2024-01-31"], env=env)
    assert imported.exit_code == 0, imported.output
    assert "Imported 54 records" in imported.output
    waiting = runner.invoke(cli, ["import", str(review.id), str(FIXTURES / "import/tag_notes.ris"), "--source", "Zotero"], env=env)
    assert waiting.exit_code == 1 and "run again with --skip-empty" in waiting.output
    exported = runner.invoke(cli, ["export", str(review.id), "--output", str(tmp_path / "out.ris")], env=env)
    assert exported.exit_code == 0 and (tmp_path / "out.ris").read_text().startswith("TY  - ")
    with Session(engine) as session:  # the file that left is in the review's audit log
        logged = session.exec(select(AuditEvent).where(AuditEvent.action == "export.records")).one()
    assert (logged.review_id, logged.actor_id, logged.detail) == (review.id, None, {"format": "ris", "via": "command line"})
    missing = runner.invoke(cli, ["export", "999", "--output", str(tmp_path / "none.ris")], env=env)
    assert missing.exit_code == 1 and "No review 999" in missing.output and not (tmp_path / "none.ris").exists()
    groups = runner.invoke(cli, ["dedup", str(FIXTURES / "dedup/stroke_sample.csv"), str(FIXTURES / "import/ovid.ris"),
                                 "--output", str(tmp_path / "groups.csv")], env=env)
    assert groups.exit_code == 0, groups.output
    rows = Path(tmp_path / "groups.csv").read_text().splitlines()
    assert rows[0] == "record_id,group_id,match"
    assert rows[1].startswith("stroke_sample.csv:id_0000001,")
    assert any(row.startswith("ovid.ris:") for row in rows)
    engine.dispose()


def test_demo_makes_a_review_with_conflicts_and_kappa_to_show(databases, backend, tmp_path):
    from screening.decisions.progress import agreement_by_pair
    from screening.decisions.resolving import conflicts
    from screening.models import Stage
    from screening.review.models import Review

    url = databases.migrated(backend)
    result = runner.invoke(cli, ["demo"], env=_env(url, tmp_path))
    assert result.exit_code == 0, result.output
    passwords = [line.split()[1] for line in result.output.splitlines() if "@example.org" in line]
    assert len(passwords) == 3 and len(set(passwords)) == 3
    engine = db.make_engine(url)
    with Session(engine) as session:
        review = session.exec(select(Review)).one()
        assert len(conflicts(session, review, Stage.title_abstract)) == 4
        overall, _ = agreement_by_pair(session, review, Stage.title_abstract)
        assert overall.n >= 40 and overall.kappa < 1  # the first 40, and the relevant ones taken on to extraction
        from app.demo import EXTRACTED, RECONCILED
        from extraction.models import Coding, CodingKind, CodingStatus
        from extraction.studies import included_studies

        assert len(included_studies(session, review)) == EXTRACTED
        consensus = session.exec(select(Coding).where(Coding.kind == CodingKind.consensus,
                                                      Coding.status == CodingStatus.submitted)).all()
        assert len(consensus) == RECONCILED
        lead = session.exec(select(User).where(User.email == "demo-lead@example.org")).one()
        assert lead.is_admin  # the first account of a fresh install can manage it
        from screening.ranking.scores import current_run

        assert current_run(session, review.id, lead.id).relevant > 0  # the queue is ranked from the start
    engine.dispose()
    again = runner.invoke(cli, ["demo"], env=_env(url, tmp_path))
    assert again.exit_code == 1 and "already exist" in again.output


def test_simulate_prints_the_figures_and_writes_the_order(tmp_path):
    from tests.factories import FIXTURES

    order = tmp_path / "order.csv"
    result = runner.invoke(cli, ["simulate", str(FIXTURES / "labelled/cohen_2006_adhd_subset.csv"),
                                 "--prior", "1", "--prior", "13", "--seed", "1", "--output", str(order)])
    assert result.exit_code == 0, result.output
    assert "WSS@95" in result.output and "recall@10%" in result.output
    rows = order.read_text().splitlines()
    assert rows[0] == "record_id,label" and len(rows) > 20
    unknown = runner.invoke(cli, ["simulate", str(FIXTURES / "labelled/cohen_2006_adhd_subset.csv"),
                                  "--prior", "nope", "--output", str(order)])
    assert unknown.exit_code == 1


def test_simulate_a_blind_team_prints_the_decisions_until_found(tmp_path):
    from tests.factories import FIXTURES

    with open(FIXTURES / "labelled/cohen_2006_adhd_subset.csv", newline="") as whole:
        rows = list(csv.reader(whole))[:31]  # the header and 30 records
    small = tmp_path / "small.csv"
    with open(small, "w", newline="") as part:
        csv.writer(part).writerows(rows)
    relevant = sum(row[-1] == "1" for row in rows[1:])
    result = runner.invoke(cli, ["simulate", str(small), "--prior", "1", "--prior", "13", "--screeners", "2",
                                 "--error", "0.1", "--seed", "3"])
    assert result.exit_code == 0, result.output
    assert re.search(rf"2 screeners \(complete\): (\d+|never) decisions for 95%, (\d+|never) for 100% of {relevant} relevant",
                     result.output), result.output
    bad = runner.invoke(cli, ["simulate", str(small), "--prior", "1", "--prior", "13", "--screeners", "2",
                              "--design", "telepathy"])
    assert bad.exit_code == 1 and "Unknown design" in bad.output


def test_serve_runs_background_jobs_in_a_worker_process_of_its_own(databases, backend, tmp_path):
    import os
    import socket
    import subprocess
    import sys
    import time

    from app.jobs import enqueue
    from app.models import Job, JobStatus
    from tests.factories import make_review, make_user

    url = databases.migrated(backend)
    engine = db.make_engine(url)
    with Session(engine) as session:
        review = make_review(session, make_user(session))
        job_id = enqueue(session, "train", review_id=review.id).id
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "app.cli", "serve", "--port", str(port)],
                              env={**os.environ, **_env(url, tmp_path)}, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        for _ in range(600):  # a liveness bound (a minute), not a speed target
            with Session(engine) as session:
                job = session.get(Job, job_id)
            if job.status in (JobStatus.succeeded, JobStatus.failed):
                break
            time.sleep(0.1)
    finally:
        server.terminate()
        server.wait(timeout=60)
    engine.dispose()
    assert job.status is JobStatus.succeeded, job.error
    worker_pid = int(job.worker.split(":")[1])
    assert worker_pid != server.pid  # not a thread of the web process
    assert not os.path.exists(f"/proc/{worker_pid}")  # and it stopped with the server
