"""The ``winnow`` command. Each command calls the same functions as the pages and the API."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from pydantic import ValidationError
from sqlmodel import Session

from app import accounts, db
from app.config import Settings
from app.forms import field_messages
from screening.errors import WinnowError

cli = typer.Typer(help="Winnow: systematic and scoping reviews, from search results to published tables.",
                  no_args_is_help=True)
db_cli = typer.Typer(help="Database schema.", no_args_is_help=True)
user_cli = typer.Typer(help="Accounts.", no_args_is_help=True)
cli.add_typer(db_cli, name="db")
cli.add_typer(user_cli, name="user")


def _fail(message: str) -> None:
    typer.secho(message, fg=typer.colors.RED, err=True)
    raise typer.Exit(code=1)


def _settings() -> Settings:
    try:
        return Settings()
    except ValidationError as error:
        _fail("Winnow's settings are not valid:\n" + "\n".join(f"  {k}: {v}" for k, v in field_messages(error).items()))


@cli.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="Web processes; more than one needs PostgreSQL.")] = 1,
    run_worker: Annotated[bool, typer.Option("--jobs/--no-jobs", help="Run background jobs in the web processes.")] = True,
) -> None:
    """Serve the web app (and, unless --no-jobs, run background jobs in-process)."""
    import os

    import uvicorn

    settings = _settings()
    if workers > 1 and settings.is_sqlite:
        _fail("Several web workers need PostgreSQL: set DATABASE_URL=postgresql+psycopg://... "
              "(a SQLite file serves one process).")
    try:
        db.check_schema_current(db.make_engine(settings.database_url))
    except db.SchemaOutOfDate as error:
        _fail(str(error))
    os.environ["WINNOW_RUN_WORKER"] = "true" if run_worker else "false"
    typer.echo(f"Winnow is serving on http://{host}:{port}  (Ctrl+C stops it)")
    uvicorn.run("app.main:create_app", factory=True, host=host, port=port, workers=workers,
                log_level="info", proxy_headers=True)


@cli.command()
def worker() -> None:
    """Run background jobs alone, for teams that serve with --no-jobs."""
    import signal

    from app.jobs import Worker

    settings = _settings()
    engine = db.make_engine(settings.database_url)
    try:
        db.check_schema_current(engine)
    except db.SchemaOutOfDate as error:
        _fail(str(error))
    job_worker = Worker(engine, lease_seconds=settings.job_lease_seconds, max_attempts=settings.job_max_attempts)
    signal.signal(signal.SIGTERM, lambda *_: job_worker.stopping.set())
    typer.echo("Winnow worker running jobs (Ctrl+C stops it)")
    job_worker.start()
    try:
        while job_worker.is_alive():
            job_worker.join(timeout=1)
    except KeyboardInterrupt:
        job_worker.stop()


@db_cli.command("upgrade")
def db_upgrade() -> None:
    """Apply the database migrations this version of Winnow needs."""
    settings = _settings()
    db.upgrade(settings.database_url)
    typer.echo(f"Database is at revision {db.head_revision()}.")


@user_cli.command("create")
def user_create(
    email: Annotated[str, typer.Option(prompt=True, help="The person's email; they log in with it.")],
    name: Annotated[str, typer.Option(prompt=True, help="The name shown to colleagues.")],
    admin: Annotated[bool, typer.Option("--admin", help="Make the account an administrator.")] = False,
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="Read the password from standard input.")] = False,
) -> None:
    """Create an account (asks for the password, never takes it as an argument)."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    settings = _settings()
    engine = db.make_engine(settings.database_url)
    try:
        db.check_schema_current(engine)
        data = accounts.AccountCreate(email=email, name=name, password=password)
        with Session(engine) as session:
            user = accounts.create_user(session, data, is_admin=admin)
    except ValidationError as error:
        _fail("; ".join(f"{k}: {v}" for k, v in field_messages(error).items()))
    except (WinnowError, db.SchemaOutOfDate) as error:
        _fail(str(error))
    typer.echo(f"Created {'administrator ' if admin else ''}account {user.email} (id {user.id}).")


def main() -> None:
    cli()
