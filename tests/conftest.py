"""Every test that touches the database runs twice: on a SQLite file and on
PostgreSQL. Each test gets its own fresh database, cloned from one migrated
template per backend (a file copy for SQLite, CREATE DATABASE ... TEMPLATE for
PostgreSQL), so tests share nothing and migrations run once per session.

PostgreSQL comes from WINNOW_TEST_POSTGRES_URL, else a server on 127.0.0.1:5432
(database ``test``). Without one the PostgreSQL half skips with a message; with
CI=true it fails instead, so CI always exercises both databases.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlmodel import Session

from app import db
from app.config import Settings
from app.main import create_app

DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
IN_CI = os.environ.get("CI") == "true"


def skip_or_fail(message: str) -> None:
    """A missing service skips the test on a developer's machine and fails it in CI."""
    if IN_CI:
        pytest.fail(f"{message} (CI=true: this may not be skipped)", pytrace=False)
    pytest.skip(message)


@cache
def postgres_server_url() -> str | None:
    url = os.environ.get("WINNOW_TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL)
    engine = sa.create_engine(url, connect_args={"connect_timeout": 3})
    try:
        with engine.connect():
            return url
    except sa.exc.OperationalError:
        return None
    finally:
        engine.dispose()


def _postgres_admin(url: str) -> sa.Engine:
    return sa.create_engine(url, isolation_level="AUTOCOMMIT")


def _with_database(url: str, name: str) -> str:
    return sa.engine.make_url(url).set(database=name).render_as_string(hide_password=False)


class Databases:
    """Makes empty or migrated databases of either backend, and drops them afterwards."""

    def __init__(self, workdir: Path):
        self.workdir = workdir
        self.sqlite_template: Path | None = None
        self.postgres_template: str | None = None
        self.created_postgres: list[str] = []

    def empty(self, backend: str) -> str:
        if backend == "sqlite":
            return f"sqlite:///{self.workdir / f'{uuid.uuid4().hex}.sqlite'}"
        return self._create_postgres(template=None)

    def migrated(self, backend: str) -> str:
        if backend == "sqlite":
            if self.sqlite_template is None:
                self.sqlite_template = self.workdir / "template.sqlite"
                db.upgrade(f"sqlite:///{self.sqlite_template}")
            copy = self.workdir / f"{uuid.uuid4().hex}.sqlite"
            shutil.copyfile(self.sqlite_template, copy)
            return f"sqlite:///{copy}"
        if self.postgres_template is None:
            url = self._create_postgres(template=None)
            db.upgrade(url)
            self.postgres_template = sa.engine.make_url(url).database
        return self._create_postgres(template=self.postgres_template)

    def _create_postgres(self, template: str | None) -> str:
        server = postgres_server_url()
        if server is None:
            skip_or_fail(
                "PostgreSQL is not reachable: start it (pg_ctlcluster ... main start) "
                "or set WINNOW_TEST_POSTGRES_URL"
            )
        name = f"winnow_test_{uuid.uuid4().hex[:12]}"
        admin = _postgres_admin(server)
        with admin.connect() as connection:
            suffix = f" TEMPLATE {template}" if template else ""
            connection.execute(sa.text(f"CREATE DATABASE {name}{suffix}"))
        admin.dispose()
        self.created_postgres.append(name)
        return _with_database(server, name)

    def drop_all(self) -> None:
        server = postgres_server_url()
        if server is None or not self.created_postgres:
            return
        admin = _postgres_admin(server)
        with admin.connect() as connection:
            for name in reversed(self.created_postgres):
                connection.execute(sa.text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()


@pytest.fixture(autouse=True)
def quick_password_hashing(monkeypatch):
    """Still Argon2, at its lowest cost: the production cost (~0.1-0.5 s a hash)
    would make each test that creates users take seconds, and proves nothing more."""
    from argon2 import PasswordHasher

    from app import accounts

    monkeypatch.setattr(accounts, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    accounts._unknown_user_hash.cache_clear()


@pytest.fixture(scope="session")
def databases(tmp_path_factory) -> Iterator[Databases]:
    made = Databases(tmp_path_factory.mktemp("databases"))
    yield made
    made.drop_all()


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request) -> str:
    return request.param


@pytest.fixture
def database_url(databases: Databases, backend: str) -> str:
    return databases.migrated(backend)


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        environment="test",
        database_url=database_url,
        data_dir=tmp_path / "data",
        secret_key="test-secret-key-that-is-long-enough-0123456789",
        run_worker=False,
        warm_up=False,  # a fifth of a second per app, times every test that starts one
    )


@pytest.fixture
def app(settings: Settings):
    application = create_app(settings)
    yield application
    application.state.engine.dispose()


@pytest.fixture
def engine(app) -> sa.Engine:
    return app.state.engine


@pytest.fixture
def session(engine) -> Iterator[Session]:
    with Session(engine) as open_session:
        yield open_session


@pytest.fixture
def client(app) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def other_client(app) -> Iterator[TestClient]:
    """A second browser, for a second person."""
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def api_token(session, tmp_path) -> str:
    """An administrator's token, leading review 1, which holds a few imported records."""
    from app.accounts import create_api_token
    from tests.factories import import_fixture, make_review, make_user

    admin = make_user(session, email="api-admin@example.org", is_admin=True)
    review = make_review(session, admin)
    import_fixture(session, review, admin, "import/embase_sample.ris", uploads_dir=tmp_path / "api-uploads")
    return create_api_token(session, admin.id, "schemathesis").secret


@pytest.fixture
def openapi_schema(app):
    import schemathesis

    return schemathesis.openapi.from_asgi("/openapi.json", app)
