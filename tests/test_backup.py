"""A whole review backed up and restored: SQLite to PostgreSQL and back, every row the same."""

import dataclasses
import json
import zipfile

import pytest
from sqlmodel import Session, SQLModel, select
from typer.testing import CliRunner

from app import backup, db
from app.cli import cli
from app.config import Settings
from app.demo import create_demo
from extraction import extracting, forms, reconciling
from extraction.models import FieldType
from extraction.studies import included_studies
from extraction.values import Entry, Node
from screening.fulltexts import attach_pdf
from screening.records import kept_records
from screening.review.access import review_access
from screening.review.errors import InvalidInput
from screening.review.models import Membership, Role, User
from screening.statistics import statistics
from tests.factories import include_records

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def _settings(url, tmp_path, name) -> Settings:
    return Settings(environment="test", database_url=url, data_dir=tmp_path / name, run_worker=False,
                    secret_key="test-secret-key-that-is-long-enough-0123456789")


def _populated(databases, tmp_path) -> tuple:
    """The demo review (import, dual blind screening, conflicts, a ranking run), then three
    records included, one full text attached, and a dual data form coded by two and reconciled."""
    settings = _settings(databases.migrated("sqlite"), tmp_path, "source")
    engine = db.make_engine(settings.database_url)
    review_id = create_demo(engine, settings).review_id
    with Session(engine) as session:
        lead_id, ann_id, ben_id = session.exec(select(Membership.user_id).where(Membership.review_id == review_id)
                                               .order_by(Membership.id)).all()
        lead = session.get(User, lead_id)
        records = [record.id for record in kept_records(session, review_id)][-3:]
        review = review_access(session, review_id, lead_id).review
        include_records(session, review, lead, records)
        attach_pdf(session, review_access(session, review_id, lead_id), records[0], "trial.pdf", PDF,
                   files_dir=settings.data_dir / "fulltexts", max_bytes=10**6)
        form = forms.create_form(session, review_access(session, review_id, lead_id), forms.FormSpec(
            name="Data", sections=[forms.SectionSpec(label="Study", fields=[
                forms.FieldSpec(label="Sample size", field_type=FieldType.integer)])]))
        size = forms.load_definition(session, form).sections[0].fields[0].id
        study = included_studies(session, review)[0].study.id
        for person, value in ((ann_id, 40), (ben_id, 42)):
            extracting.submit(session, review_access(session, review_id, person), form.id, study,
                              Node(values={size: Entry(value)}))
        lead_access = review_access(session, review_id, lead_id)
        differing = reconciling.reconciliation(session, lead_access, form.id, study).differing
        reconciling.resolve(session, lead_access, form.id, study, {item.path: {"choice": "second"} for item in differing},
                            finish=True)
    return engine, settings, review_id


def _comparable(engine, review_id) -> dict:
    """Every row of the review as JSON, with stored files' paths left out (a restore puts them elsewhere)."""
    with engine.connect() as connection:
        rows = backup.review_rows(connection, review_id)
    for table, column in backup.FILE_COLUMNS.items():
        for row in rows[table]:
            row[column] = bool(row[column])
    return {table: [json.loads(json.dumps({k: backup._to_json(v) for k, v in row.items()}, sort_keys=True))
                    for row in found] for table, found in rows.items()}


def _figures(engine, review_id) -> dict:
    with Session(engine) as session:
        lead = session.exec(select(Membership.user_id).where(Membership.review_id == review_id,
                                                             Membership.role == Role.lead)).first()
        figures = statistics(session, review_access(session, review_id, lead))
        return json.loads(json.dumps(dataclasses.asdict(figures), default=_plain))


def _plain(value):
    """A figure's value as JSON: a row by its columns, an instant as ISO 8601 whatever its time zone object."""
    if hasattr(value, "model_dump"):
        return value.model_dump()
    plain = backup._to_json(value)
    return plain if plain is not value else str(value)


def test_a_review_goes_from_sqlite_to_postgresql_and_back_with_every_row_and_figure_intact(databases, tmp_path):
    source, _, review_id = _populated(databases, tmp_path)
    before, figures = _comparable(source, review_id), _figures(source, review_id)
    assert before["decision"] and before["coded_value"] and before["ranking_run"] and before["audit_event"]
    assert {row["id"] for row in before["full_text"]} and before["study_report"]

    archive = tmp_path / "review.zip"
    made = backup.export_review(source, review_id, archive)
    assert made.files == 2  # the demo's upload and the PDF
    manifest = json.loads(zipfile.ZipFile(archive).read("manifest.json"))
    assert manifest["format"] == "winnow-review" and manifest["members"]["tables/decision.jsonl"]["rows"] == len(before["decision"])

    hops = [("postgresql", "pg"), ("sqlite", "back")]
    data = archive.read_bytes()
    for backend, name in hops:
        settings = _settings(databases.migrated(backend), tmp_path, name)
        target = db.make_engine(settings.database_url)
        restored = backup.import_review(target, data, settings.uploads_dir)
        assert restored.review_id == review_id and restored.files == 2
        assert _comparable(target, review_id) == before, f"rows differ after the restore into {backend}"
        assert _figures(target, review_id) == figures
        with Session(target) as session:  # the stored PDF is where its row says, byte for byte
            path = session.exec(select(SQLModel.metadata.tables["full_text"].c.stored_path)).first()
        assert open(path, "rb").read() == PDF
        again = tmp_path / f"{name}.zip"
        backup.export_review(target, review_id, again)
        data = again.read_bytes()
        if backend == "postgresql":  # new rows after a restore get new ids, past the restored ones
            with Session(target) as session:
                user = User(email="new@example.org", name="New", password_hash="x")
                session.add(user)
                session.commit()
                assert user.id > max(row["id"] for row in before["user"])
                session.delete(user)
                session.commit()
        target.dispose()
    source.dispose()


def test_a_restore_that_clashes_is_refused_and_writes_nothing(databases, tmp_path):
    source, settings, review_id = _populated(databases, tmp_path)
    archive = tmp_path / "review.zip"
    backup.export_review(source, review_id, archive)
    rows_before = _comparable(source, review_id)
    with pytest.raises(InvalidInput, match="already holds|clashes with"):
        backup.import_review(source, archive.read_bytes(), settings.uploads_dir)
    assert _comparable(source, review_id) == rows_before
    assert not (settings.uploads_dir / "restored").exists() or not any((settings.uploads_dir / "restored").rglob("*.*"))
    source.dispose()


def test_a_damaged_or_foreign_archive_is_refused_with_what_is_wrong(databases, tmp_path):
    source, settings, review_id = _populated(databases, tmp_path)
    archive = tmp_path / "review.zip"
    backup.export_review(source, review_id, archive)
    target = db.make_engine(databases.migrated("sqlite"))
    with pytest.raises(InvalidInput, match="not a Winnow review archive"):
        backup.import_review(target, b"PK not really", tmp_path)
    damaged = tmp_path / "damaged.zip"
    with zipfile.ZipFile(archive) as original, zipfile.ZipFile(damaged, "w") as copy:
        for item in original.namelist():
            content = original.read(item)
            copy.writestr(item, content.replace(b'"verdict": "include"', b'"verdict": "exclude"')
                          if item == "tables/decision.jsonl" else content)
    with pytest.raises(InvalidInput, match="decision.jsonl .*checksum"):
        backup.import_review(target, damaged.read_bytes(), tmp_path)
    with target.connect() as connection:
        assert connection.exec_driver_sql("SELECT count(*) FROM review").scalar_one() == 0
    source.dispose()
    target.dispose()


def test_every_table_is_archived_or_named_as_left_out():
    """A new table reaches a review through its foreign keys, or the archive would miss it."""
    for table in SQLModel.metadata.sorted_tables:
        if table.name not in backup.LEFT_OUT and table.name != "user":
            backup._owned(table, 1)  # raises for a table that reaches no review


def test_the_commands_back_up_and_restore_a_review(databases, tmp_path, monkeypatch):
    source, settings, review_id = _populated(databases, tmp_path)
    archive = tmp_path / "cli.zip"
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setenv("WINNOW_DATA_DIR", str(settings.data_dir))
    runner = CliRunner()
    written = runner.invoke(cli, ["export-review", str(review_id), "--output", str(archive)])
    assert written.exit_code == 0 and "files" in written.output, written.output
    target = _settings(databases.migrated("sqlite"), tmp_path, "cli-target")
    monkeypatch.setenv("DATABASE_URL", target.database_url)
    monkeypatch.setenv("WINNOW_DATA_DIR", str(target.data_dir))
    restored = runner.invoke(cli, ["import-review", str(archive)])
    assert restored.exit_code == 0 and f"Restored review {review_id}" in restored.output, restored.output
    again = runner.invoke(cli, ["import-review", str(archive)])
    assert again.exit_code == 1 and ("already holds" in again.output or "clashes" in again.output)
    source.dispose()
