"""The ``winnow`` command. Each command calls the same functions as the pages and the API."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError
from sqlmodel import Session, select

from app import accounts, db
from app.config import Settings
from app.forms import field_messages
from app.jobs import follow_job
from app.models import Job
from app.services import start_import
from extraction import exporting
from extraction.forms import form_in_review, forms_of_review
from screening.dedup import dedup_files, write_groups_csv
from screening.review.errors import WinnowError
from screening.importing import BatchRequest, cancel_batch, parse_search_date
from screening.models import BatchStatus, ImportBatch
from screening.review.models import Membership, Review, Role, User
from screening.records import export_records
from screening.review.access import ReviewAccess, review_access
from screening.review.audit import COMMAND_LINE, record_export

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
    run_jobs: Annotated[bool, typer.Option("--jobs/--no-jobs", help="Run a job worker process beside the web.")] = True,
) -> None:
    """Serve the web app, and (unless --no-jobs) one `winnow worker` process for background jobs.

    Jobs run in their own process, not in the web processes: training a ranking is CPU work
    that would otherwise hold up every page served while it runs."""
    import os
    import signal
    import subprocess

    import uvicorn

    settings = _settings()
    if workers > 1 and settings.is_sqlite:
        _fail("Several web workers need PostgreSQL: set DATABASE_URL=postgresql+psycopg://... "
              "(a SQLite file serves one process).")
    try:
        db.check_schema_current(db.make_engine(settings.database_url))
    except db.SchemaOutOfDate as error:
        _fail(str(error))
    os.environ["WINNOW_RUN_WORKER"] = "false"
    job_worker = subprocess.Popen([sys.executable, "-m", "app.cli", "worker"]) if run_jobs else None
    # uvicorn passes SIGTERM on once it has shut down; as an exit, so the worker is stopped below.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    typer.echo(f"Winnow is serving on http://{host}:{port}  (Ctrl+C stops it)")
    try:
        uvicorn.run("app.main:create_app", factory=True, host=host, port=port, workers=workers,
                    log_level="info", proxy_headers=True)
    finally:
        if job_worker is not None:
            _stop(job_worker)


def _stop(process) -> None:
    """Ask a child process to finish its current step, then insist."""
    import subprocess

    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()


@cli.command()
def worker() -> None:
    """Run background jobs (`winnow serve` starts one; run more, or run it apart with serve --no-jobs)."""
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


def _ready_engine(settings: Settings):
    engine = db.make_engine(settings.database_url)
    try:
        db.check_schema_current(engine)
    except db.SchemaOutOfDate as error:
        _fail(str(error))
    return engine


def _review_access(session: Session, review_id: int, email: str | None) -> ReviewAccess:
    """The review as ``email`` sees it; without an email, as its first lead."""
    if email:
        user = session.exec(select(User).where(User.email == email.strip().lower())).first()
        if user is None:
            _fail(f"No account with the email {email}.")
        return review_access(session, review_id, user.id)
    lead = session.exec(
        select(Membership.user_id).where(Membership.review_id == review_id, Membership.role == Role.lead)
        .order_by(Membership.id)
    ).first()
    if lead is None:
        _fail(f"No review {review_id}.")
    return review_access(session, review_id, lead)


def _exported(session: Session, review_id: int, kind: str, file_format: str, **detail) -> None:
    record_export(session, actor_id=None, review_id=review_id, kind=kind, file_format=file_format, via=COMMAND_LINE,
                  **detail)


@cli.command("import")
def import_file(
    review_id: Annotated[int, typer.Argument(help="The review's number (in its address: /reviews/N).")],
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="The export file, any format Winnow reads.")],
    source: Annotated[str, typer.Option(help="Where the records come from, e.g. 'Embase (Ovid)'.")],
    search_date: Annotated[str, typer.Option(help="When the search ran, YYYY-MM-DD.")] = "",
    search_string: Annotated[str, typer.Option(help="The search as run.")] = "",
    skip_empty: Annotated[bool, typer.Option("--skip-empty", help="Leave out records with no title and no abstract.")] = False,
    user: Annotated[str | None, typer.Option(help="The lead importing (default: the review's first lead).")] = None,
) -> None:
    """Import a search export into a review, with a progress bar; the same job the web page queues."""
    settings = _settings()
    engine = _ready_engine(settings)
    with Session(engine) as session:
        try:
            access = _review_access(session, review_id, user)
            request = BatchRequest(source_name=source, filename=file.name, search_date=parse_search_date(search_date),
                                   search_string=search_string, skip_empty=skip_empty)
            batch = start_import(session, settings, access, request, file.read_bytes())
        except WinnowError as error:
            _fail(str(error))
        batch_id, job_id = batch.id, batch.job_id
    with typer.progressbar(length=1000, label=f"Importing {file.name}") as bar:
        follow_job(engine, job_id, settings, lambda progress: bar.update(int(progress * 1000) - bar.pos))
    with Session(engine) as session:
        batch = session.get(ImportBatch, batch_id)
        job = session.get(Job, job_id)
        if batch.status == BatchStatus.needs_consent:
            cancel_batch(session, _review_access(session, review_id, user), batch_id)
            _fail(f"{batch.empty_count} of {batch.records_read} records have no title and no abstract. "
                  "Nothing was imported; run again with --skip-empty to leave them out.")
        if batch.status != BatchStatus.complete:
            _fail(f"Not imported: {batch.error or job.error}")
        typer.echo(job.message)


@cli.command()
def dedup(
    files: Annotated[list[Path], typer.Argument(exists=True, dir_okay=False, help="Export files, any format Winnow reads.")],
    output: Annotated[Path, typer.Option(help="Where to write record_id,group_id,match.")],
) -> None:
    """Deduplicate export files outside any review, without a database, for judging on labelled data."""
    try:
        rows = dedup_files(files)
    except WinnowError as error:
        _fail(str(error))
    write_groups_csv(rows, output)
    merged = sum(row.match == "auto" for row in rows)
    waiting = sum(row.match == "candidate" for row in rows)
    typer.echo(f"{len(rows):,} records: {merged:,} in automatic merge groups, {waiting:,} in pairs for a person; "
               f"written to {output}")


@cli.command()
def export(
    review_id: Annotated[int, typer.Argument(help="The review's number.")],
    output: Annotated[Path, typer.Option(help="The file to write; .ris or .csv decides the format.")],
) -> None:
    """Export a review's deduplicated records as RIS or CSV."""
    file_format = output.suffix.lower().lstrip(".")
    if file_format not in ("ris", "csv"):
        _fail("Name an output file ending in .ris or .csv.")
    engine = _ready_engine(_settings())
    with Session(engine) as session:
        if session.get(Review, review_id) is None:
            _fail(f"No review {review_id}.")
        output.write_text(export_records(session, review_id, file_format), encoding="utf-8")
        _exported(session, review_id, "records", file_format)
    typer.echo(f"Written {output}")


@cli.command("export-extraction")
def export_extraction(
    review_id: Annotated[int, typer.Argument(help="The review's number.")],
    output: Annotated[Path, typer.Option(help="The file to write: .xlsx (every table), .csv (one table) or .json.")],
    form: Annotated[int | None, typer.Option(help="Only this form (its number in /extraction/forms/N); needed for .csv.")] = None,
    table: Annotated[str, typer.Option(help="For .csv: wide, long, raw or group-<field id>.")] = "wide",
    raw: Annotated[bool, typer.Option("--raw", help="For .xlsx: every reviewer's raw codings (for audit) instead.")] = False,
) -> None:
    """Export a review's extraction tables (the consensus data, and the raw codings for audit)."""
    file_format = output.suffix.lower().lstrip(".")
    if file_format not in ("xlsx", "csv", "json"):
        _fail("Name an output file ending in .xlsx, .csv or .json.")
    if file_format == "csv" and form is None:
        _fail("A CSV file holds one table: give --form N (and --table wide, long, raw or group-<id>).")
    engine = _ready_engine(_settings())
    with Session(engine) as session:
        review = session.get(Review, review_id)
        if review is None:
            _fail(f"No review {review_id}.")
        try:
            chosen = form_in_review(session, review.id, form) if form is not None else None
            if file_format == "xlsx":
                output.write_bytes(exporting.review_workbook(session, review, chosen, raw=raw))
            elif file_format == "csv":
                output.write_bytes(exporting.to_csv(exporting.form_table(session, review, chosen, table)))
            else:
                data = [exporting.form_json(session, review, each)
                        for each in ([chosen] if chosen else forms_of_review(session, review.id))]
                output.write_text(json.dumps(data, indent=2, ensure_ascii=False), encoding="utf-8")
        except WinnowError as error:
            _fail(str(error))
        if file_format == "csv":
            _exported(session, review.id, "extraction_table", file_format, form_id=form, table=table)
        else:
            chosen_only = {"form_id": form} if form is not None else {}
            _exported(session, review.id, "codings" if raw else "extraction", file_format, **chosen_only)
    typer.echo(f"Written {output}")


@cli.command("export-review")
def export_review(
    review_id: Annotated[int, typer.Argument(help="The review's number.")],
    output: Annotated[Path, typer.Option(help="The archive to write, e.g. review.zip.")],
) -> None:
    """Back up a whole review (records, decisions, extraction, audit log, files) as one archive."""
    from app import backup

    engine = _ready_engine(_settings())
    try:
        made = backup.export_review(engine, review_id, output)
    except WinnowError as error:
        _fail(str(error))
    typer.echo(f"Written {output}: review {made.review_id} ({made.title}), "
               f"{sum(made.rows.values()):,} rows in {len(made.rows)} tables, {made.files} files.")


@cli.command("import-review")
def import_review(
    archive: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="An archive from `winnow export-review`.")],
) -> None:
    """Restore a review from its archive into this database (SQLite or PostgreSQL) as a new review beside any others."""
    from app import backup

    settings = _settings()
    engine = _ready_engine(settings)
    try:
        made = backup.import_review(engine, archive.read_bytes(), settings.uploads_dir)
    except WinnowError as error:
        _fail(str(error))
    typer.echo(f"Restored review {made.review_id} ({made.title}), review {made.archived_id} in the archive: "
               f"{sum(made.rows.values()):,} rows, {made.files} files.")


@cli.command()
def prisma(
    review_id: Annotated[int, typer.Argument(help="The review's number.")],
    output: Annotated[Path, typer.Option(help="The file to write.")],
    format: Annotated[str, typer.Option("--format", help="svg, png, pdf or csv (the PRISMA2020 template).")] = "svg",
    as_of: Annotated[str, typer.Option(help="YYYY-MM-DD: the data as they stood that day.")] = "",
    previous: Annotated[str, typer.Option(help="YYYY-MM-DD: the previous version's date, for an updated review.")] = "",
) -> None:
    """Write the review's PRISMA 2020 flow diagram (SVG, PNG, PDF) or its counts as the PRISMA2020 CSV."""
    from extraction.reports import prisma_report

    engine = _ready_engine(_settings())
    with Session(engine) as session:
        try:
            report = prisma_report.prisma_report(
                session, _review_access(session, review_id, None),
                as_of=prisma_report.parse_day(as_of, "as_of"), previous_until=prisma_report.parse_day(previous, "previous"))
            exported = prisma_report.export(report, format.lower())
        except WinnowError as error:
            _fail(str(error))
        output.write_bytes(exported.data)
        _exported(session, review_id, "prisma", format.lower(),
                  **{name: value for name, value in (("as_of", as_of), ("previous", previous)) if value})
    for original, written in exported.changed_names:
        typer.echo(f"Note: “{original}” is written as “{written}” (the template separates names with , and ;).")
    failing = report.failing
    typer.echo(f"Written {output}" + (f"; {len(failing)} sums between the boxes do not hold yet: "
                                      + ", ".join(check.box for check in failing) if failing else ""))


@cli.command()
def demo() -> None:
    """Create a demo review from a real labelled dataset, with two reviewers and some decisions made."""
    from app.demo import create_demo

    settings = _settings()
    engine = _ready_engine(settings)
    try:
        made = create_demo(engine, settings)
    except WinnowError as error:
        _fail(str(error))
    typer.echo(f"Demo review {made.review_id} is ready. Accounts (passwords are shown only this once):")
    for email, password in made.passwords.items():
        typer.echo(f"  {email}  {password}")
    typer.echo("Serve with `winnow serve` (or `make run`) and log in at http://127.0.0.1:8000")


@cli.command()
def simulate(
    data: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="CSV: record_id, title, abstract, [keywords], label_included.")],
    prior: Annotated[list[str], typer.Option(help="A record_id labelled first; give one relevant and one irrelevant.")],
    output: Annotated[Path | None, typer.Option(help="Where to write record_id,label in the order asked for (one screener).")] = None,
    seed: Annotated[int, typer.Option(help="Seed for tie-breaking, the records the model presumes irrelevant, and the screeners' errors.")] = 0,
    screeners: Annotated[int, typer.Option(help="2: a blind dual-screening team, screening through the app itself.")] = 1,
    error: Annotated[float, typer.Option(help="With --screeners 2: each screener's chance of flipping a label.")] = 0.0,
    design: Annotated[str, typer.Option(help="With --screeners 2: complete (Winnow's), own or shared; see app/simulation.py.")] = "complete",
    head_start: Annotated[int, typer.Option(help="With --screeners 2: decisions the first screener makes alone.")] = 0,
) -> None:
    """Replay a labelled review through the ranking, exactly as screening uses it, and score the order;
    with --screeners 2, a blind team through the app, counting the decisions until 95% and 100% are found."""
    from screening.ranking.simulate import read_labelled_csv, run_simulation_file  # scikit-learn loads only here

    try:
        if screeners > 1:
            from app.simulation import simulate_team

            team = simulate_team(read_labelled_csv(data), prior, screeners=screeners, design=design, error=error,
                                 seed=seed, head_start=head_start)
            typer.echo(f"{team.screeners} screeners ({team.design}): {_reached(team.decisions_for_95)} decisions for 95%, "
                       f"{_reached(team.decisions_for_100)} for 100% of {team.relevant} relevant; "
                       f"{team.resolutions} conflicts resolved, {team.missed} relevant missed; wall {team.wall_seconds:.0f} s")
            return
        if output is None:
            _fail("Name the --output file for the screening order.")
        result = run_simulation_file(data, prior, seed=seed, output_path=output)
    except (WinnowError, ValueError) as error_:
        _fail(str(error_))
    metrics = result.metrics
    typer.echo(f"WSS@95 {metrics.wss95:.3f}  WSS@100 {metrics.wss100:.3f}  "
               f"recall@10% {metrics.recall_at_10pct:.3f}  wall {result.wall_seconds:.1f} s  (order in {output})")


def _reached(decisions: int | None) -> str:
    return "never" if decisions is None else f"{decisions:,}"


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


if __name__ == "__main__":  # how `winnow serve` starts its job worker
    main()
