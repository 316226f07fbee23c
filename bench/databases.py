"""A throwaway database for a benchmark run, SQLite or PostgreSQL, shared by the bench scripts."""

from __future__ import annotations

import secrets
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path


class Unavailable(Exception):
    """The database asked for cannot be made here; the message says why."""


@contextmanager
def fresh_database(kind: str, server_url: str, prefix: str) -> Iterator[tuple[str, str]]:
    """A fresh, empty database and a temporary folder for the run's files, both gone afterwards:
    a SQLite file in the folder, or a new ``<prefix>_<random>`` database on the PostgreSQL
    server at ``server_url`` (``Unavailable`` when it cannot be reached)."""
    drop = None
    if kind == "postgresql":
        made = postgres_database(server_url, prefix)
        if isinstance(made, str):
            raise Unavailable(made)
        url, drop = made
    try:
        with tempfile.TemporaryDirectory(prefix=f"{prefix.replace('_', '-')}-{kind}-") as folder:
            if kind == "sqlite":
                url = f"sqlite:///{Path(folder) / 'winnow.sqlite'}"
            yield url, folder
    finally:
        if drop is not None:
            drop()


def postgres_database(server_url: str, prefix: str) -> tuple[str, Callable[[], None]] | str:
    """A fresh database on the server and the function that drops it, or why not."""
    try:
        import psycopg
        from sqlalchemy.engine import make_url
    except ImportError as error:
        return f"no PostgreSQL driver ({error})"
    base = make_url(server_url)
    name = f"{prefix}_{secrets.token_hex(4)}"
    dsn = base.set(drivername="postgresql").render_as_string(hide_password=False)
    try:
        with psycopg.connect(dsn, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except Exception as error:  # noqa: BLE001 - any failure means: skip, say why
        return f"{base.render_as_string(hide_password=True)} unreachable ({str(error).strip().splitlines()[0]})"

    def drop() -> None:
        with psycopg.connect(dsn, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return base.set(database=name).render_as_string(hide_password=False), drop
