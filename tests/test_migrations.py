"""The schema comes from the migrations, and the migrations agree with the models."""

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import Session, SQLModel

from app import db
from screening.review.audit import record_event


def test_upgrade_to_head_then_downgrade_to_base(databases, backend):
    url = databases.empty(backend)
    db.upgrade(url)
    engine = db.make_engine(url)
    assert db.current_revision(engine) == db.head_revision()
    assert {"user", "review", "membership", "audit_event", "job", "api_token"} <= set(sa.inspect(engine).get_table_names())
    db.downgrade(url, "base")
    assert db.current_revision(engine) is None
    assert sa.inspect(engine).get_table_names() == ["alembic_version"]
    engine.dispose()


def test_models_and_migrations_agree(database_url):
    engine = db.make_engine(database_url)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, SQLModel.metadata)
    engine.dispose()
    assert differences == []


def test_a_database_behind_the_code_is_refused_with_the_command_to_run(databases, backend):
    engine = db.make_engine(databases.empty(backend))
    with pytest.raises(db.SchemaOutOfDate, match="winnow db upgrade"):
        db.check_schema_current(engine)
    engine.dispose()


def test_the_audit_log_cannot_be_rewritten(engine):
    with Session(engine) as session:
        record_event(session, actor_id=None, action="test.event", object_type="test")
        session.commit()
    for statement in ("UPDATE audit_event SET action = 'forged'", "DELETE FROM audit_event"):
        with pytest.raises(sa.exc.DatabaseError, match="append-only"):
            with engine.begin() as connection:
                connection.execute(sa.text(statement))
    with engine.connect() as connection:
        assert connection.execute(sa.text("SELECT action FROM audit_event")).scalar_one() == "test.event"


def test_sqlite_runs_in_wal_mode_with_foreign_keys(databases):
    engine = db.make_engine(databases.migrated("sqlite"))
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    engine.dispose()
