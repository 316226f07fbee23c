"""A throwaway PostgreSQL database for a benchmark run, shared by the bench scripts."""

from __future__ import annotations

import secrets
from collections.abc import Callable


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
