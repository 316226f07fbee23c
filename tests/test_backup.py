"""A whole review backed up and restored: SQLite to PostgreSQL and back, beside other reviews,
twice into one database; every row the same but for its new ids, every figure the same."""

import ast
import dataclasses
import json
import random
import re
import zipfile
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import Session, SQLModel, select
from typer.testing import CliRunner

from app import backup, db
from app.accounts import AccountCreate, create_user
from app.cli import cli
from app.config import Settings
from app.demo import create_demo
from app.jobs import JOB_KINDS
from extraction import extracting, forms, reconciling
from extraction.exporting import form_tables
from extraction.models import CodedValue, Coding, CodingKind, ExtractionForm, FieldType, FormField, FormVersion
from extraction.reports import summaries
from extraction.reports.prisma import prisma_counts
from extraction.studies import included_studies
from extraction.values import Entry, Node, Row
from screening.decisions.deciding import decide
from screening.fulltexts import attach_pdf
from screening.models import Decision, ExclusionReason, ImportBatch, Record, Stage, StoppingCheck, Verdict
from screening.records import kept_records
from screening.review.access import review_access
from screening.review.errors import InvalidInput
from screening.review.models import AuditEvent, Membership, Review, Role, User
from screening.statistics import statistics
from screening.stopping.checks import start_check
from tests.factories import include_records

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
ROOT = Path(__file__).resolve().parent.parent


def _settings(url, tmp_path, name) -> Settings:
    return Settings(environment="test", database_url=url, data_dir=tmp_path / name, run_worker=False,
                    secret_key="test-secret-key-that-is-long-enough-0123456789")


def _populated(databases, tmp_path, backend="sqlite", name="source") -> tuple:
    """The demo review (import, dual blind screening, conflicts, a ranking run), then three
    records included, one full text attached, a dual data form coded by two and reconciled, and
    a stopping check under way."""
    settings = _settings(databases.migrated(backend), tmp_path, name)
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
        _reconciled_groups(session, review_access, review_id, (lead_id, ann_id, ben_id), study)
        start_check(session, review_access(session, review_id, lead_id), 5, rng=random.Random(7))
    return engine, settings, review_id


def _reconciled_groups(session, access_of, review_id, people, study) -> None:
    """A form whose differences are named by paths holding option ids: rows of a group matched by
    a choice question, a row only one extractor has, and choices the reconciler edited."""
    lead_id, ann_id, ben_id = people
    form = forms.create_form(session, access_of(session, review_id, lead_id), forms.FormSpec(
        name="Groups", sections=[forms.SectionSpec(label="Study", fields=[
            forms.FieldSpec(label="Participants", field_type=FieldType.group, fields=[
                forms.FieldSpec(label="Group", field_type=FieldType.single_choice, is_key=True,
                                options=[forms.OptionSpec(label="Carers"), forms.OptionSpec(label="Staff")]),
                forms.FieldSpec(label="Number", field_type=FieldType.integer)]),
            forms.FieldSpec(label="Methods", field_type=FieldType.multiple_choice,
                            options=[forms.OptionSpec(label="Interviews"), forms.OptionSpec(label="Focus groups")])])]))
    group, methods = forms.load_definition(session, form).sections[0].fields
    (key, number), (carers, staff), (interviews, focus) = group.children, group.children[0].options, methods.options
    codings = {ann_id: ([(carers.id, 10), (staff.id, 3)], [interviews.id]), ben_id: ([(carers.id, 12)], [focus.id])}
    for person, (rows, chosen) in codings.items():
        extracting.submit(session, access_of(session, review_id, person), form.id, study, Node(
            values={methods.id: Entry(chosen)},
            groups={group.id: [Row(uid=f"r{option}", values={
                key.id: Entry(option), number.id: Entry(count)}) for option, count in rows]}))
    lead = access_of(session, review_id, lead_id)
    paths = {item.path for item in reconciling.reconciliation(session, lead, form.id, study).differing}
    assert paths == {f"g{group.id}[{float(carers.id)}].f{number.id}", f"g{group.id}[{float(staff.id)}]", f"f{methods.id}"}
    reconciling.resolve(session, lead, form.id, study, {
        f"g{group.id}[{float(carers.id)}].f{number.id}": {"choice": "second"},
        f"g{group.id}[{float(staff.id)}]": {"choice": "edit", "values": {str(number.id): "4"}},
        f"f{methods.id}": {"choice": "edit", "value": [str(interviews.id), str(focus.id)]}}, finish=True)


def _rows(engine, review_id) -> dict:
    with engine.connect() as connection:
        return backup.review_rows(connection, review_id)


def _plain(rows) -> dict:
    """Rows as JSON, in a stable order, with stored files' paths left out (a restore puts them elsewhere)."""
    rows = {table: [dict(row) for row in found] for table, found in rows.items()}
    for table, column in backup.FILE_COLUMNS.items():
        for row in rows[table]:
            row[column] = bool(row[column])
    return {table: sorted((json.loads(json.dumps({k: backup._to_json(v) for k, v in row.items()}, sort_keys=True))
                           for row in found), key=lambda row: json.dumps(row, sort_keys=True))
            for table, found in rows.items()}


def _as_restored(rows, restored: backup.Restored) -> dict:
    """The original rows as the copy should hold them: each id the copy's."""
    fields = {row["id"]: row for row in rows["form_field"]}
    return {name: [backup.renamed_row(SQLModel.metadata.tables[name], row,
                                      lambda table, old: restored.ids[table][old], fields) for row in found]
            for name, found in rows.items()}


def _without_ids(value):
    """A figure with the ids in it left out (the integrity checks below see that they name the right
    rows), and the accounts' secrets and creation times: a person already in the target keeps theirs."""
    if isinstance(value, dict):
        return {key: _without_ids(each) for key, each in value.items()
                if key not in ("id", "sample", "labels_digest", "password_hash", "created_at") and not key.endswith("_id")}
    if isinstance(value, list):
        return [_without_ids(each) for each in value]
    return value


def _json(value):
    if hasattr(value, "model_dump"):
        return value.model_dump()
    plain = backup._to_json(value)
    return plain if plain is not value else str(value)


def _figures(engine, review_id) -> dict:
    """What the review's pages and exports show, keyed by what a person sees rather than by ids:
    screening statistics, PRISMA numbers, each form's exports and typology, the reconciliations
    left open, and every verdict by record title, source and screener."""
    with Session(engine) as session:
        review = session.get(Review, review_id)
        lead = session.exec(select(Membership.user_id).where(Membership.review_id == review_id,
                                                             Membership.role == Role.lead)).first()
        access = review_access(session, review_id, lead)
        figures = {"statistics": _without_ids(json.loads(json.dumps(dataclasses.asdict(statistics(session, access)),
                                                                    default=_json))),
                   "prisma": prisma_counts(session, review).numbers}
        titles = {record.id: record.title for record in session.exec(select(Record).where(Record.review_id == review_id))}
        for form in forms.forms_of_review(session, review_id):
            tables = []
            for table in form_tables(session, review, form):
                shown = [index for index, header in enumerate(table.headers) if not header.endswith(" id")]
                tables.append([table.name, *([row[index] for index in shown] for row in [table.headers, *table.rows])])
            summary = summaries.summarise(session, review, summaries.Choices(form_id=form.id), lambda *_: "")
            open_items = {}
            for coding in session.exec(select(Coding).where(Coding.form_id == form.id, Coding.kind == CodingKind.consensus)):
                state = reconciling.reconciliation(session, access, form.id, coding.study_id)
                open_items[state.study.study.label] = [item.where for item in state.unresolved]
            figures[form.name] = {
                "tables": json.loads(re.sub(r"record (\d+)", lambda m: f"record {titles[int(m.group(1))]!r}",
                                            json.dumps(tables, default=str))),
                "typology": summaries.typology_table(summary).rows, "counts": summaries.counts_table(summary).rows,
                "open": open_items}
        figures["verdicts"] = sorted(
            [title, source, stage.value, email, verdict.value, reason or ""]
            for title, source, stage, email, verdict, reason in session.exec(
                select(Record.title, ImportBatch.source_name, Decision.stage, User.email, Decision.verdict,
                       ExclusionReason.label)
                .join(Record, Record.id == Decision.record_id).join(ImportBatch, ImportBatch.id == Record.batch_id)
                .join(User, User.id == Decision.reviewer_id)
                .join(ExclusionReason, ExclusionReason.id == Decision.reason_id, isouter=True)
                .where(Decision.review_id == review_id)))
        return figures


def _wrong_references(engine, review_id) -> list[str]:
    """Ids inside JSON and text that name no row of the review, found by what the app reads
    them as (not by the archive's own list of where ids are)."""
    wrong = []
    with Session(engine) as session:
        def owned(table_name, row_id) -> bool:
            table = SQLModel.metadata.tables[table_name]
            return session.connection().execute(sa.select(sa.func.count()).select_from(table).where(
                table.c.id == int(row_id), backup._owned(table, review_id))).scalar_one() == 1

        for form in session.exec(select(ExtractionForm).where(ExtractionForm.review_id == review_id)):
            latest = session.exec(select(FormVersion).where(FormVersion.form_id == form.id)
                                  .order_by(FormVersion.number.desc())).first()
            if latest.definition != forms.definition_json(forms.load_definition(session, form, cached=False)):
                wrong.append(f"form {form.name}: its latest version is not the form as it stands")
        for value, field in session.exec(select(CodedValue.value, FormField).join(FormField).join(Coding).where(
                Coding.review_id == review_id)):
            if field.field_type.has_options:
                chosen = value if isinstance(value, list) else [value]
                if any(not owned("field_option", option) for option in chosen):
                    wrong.append(f"{field.label}: {value} is not its options")
        for check in session.exec(select(StoppingCheck).where(StoppingCheck.review_id == review_id)):
            wrong += [f"stopping check sample: record {record}" for record in check.sample if not owned("record", record)]
        for event in session.exec(select(AuditEvent).where(AuditEvent.review_id == review_id)):
            if event.object_type not in ("user", "exclusion_reason") and event.object_id.isdigit():
                if not owned(event.object_type, event.object_id):
                    wrong.append(f"{event.action}: {event.object_type} {event.object_id}")
            for key, table in (("form_id", "extraction_form"), ("coding_id", "coding"), ("kept", "record")):
                if event.detail.get(key) is not None and not owned(table, event.detail[key]):
                    wrong.append(f"{event.action}: {key} {event.detail[key]}")
    return wrong


def _stored_pdf(engine, review_id) -> bytes:
    table = SQLModel.metadata.tables["full_text"]
    with engine.connect() as connection:
        path = connection.execute(sa.select(table.c.stored_path).where(table.c.review_id == review_id)).scalar_one()
    return Path(path).read_bytes()


def test_a_review_goes_from_sqlite_to_postgresql_and_back_with_every_row_and_figure_intact(databases, tmp_path):
    source, _, review_id = _populated(databases, tmp_path)
    rows, figures = _rows(source, review_id), _figures(source, review_id)
    assert rows["decision"] and rows["coded_value"] and rows["ranking_run"] and rows["audit_event"]
    assert rows["full_text"] and rows["study_report"] and rows["stopping_check"][0]["sample"]
    assert not _wrong_references(source, review_id)

    archive = tmp_path / "review.zip"
    made = backup.export_review(source, review_id, archive)
    assert made.files == 2  # the demo's upload and the PDF
    manifest = json.loads(zipfile.ZipFile(archive).read("manifest.json"))
    assert manifest["format"] == "winnow-review" and manifest["members"]["tables/decision.jsonl"]["rows"] == len(rows["decision"])

    data = archive.read_bytes()
    for backend, name in [("postgresql", "pg"), ("sqlite", "back")]:
        settings = _settings(databases.migrated(backend), tmp_path, name)
        target = db.make_engine(settings.database_url)
        restored = backup.import_review(target, data, settings.uploads_dir)
        assert restored.archived_id == review_id and restored.files == 2
        assert _plain(_rows(target, restored.review_id)) == _plain(_as_restored(rows, restored)), \
            f"rows differ after the restore into {backend}"
        assert _figures(target, restored.review_id) == figures
        assert not _wrong_references(target, restored.review_id)
        assert _stored_pdf(target, restored.review_id) == PDF
        again = tmp_path / f"{name}.zip"
        rows = _rows(target, restored.review_id)  # as archived: the export's own audit event comes after
        backup.export_review(target, restored.review_id, again)
        data, review_id = again.read_bytes(), restored.review_id
        if backend == "postgresql":  # new rows after a restore get new ids, past the restored ones
            with Session(target) as session:
                user = User(email="new@example.org", name="New", password_hash="x")
                session.add(user)
                session.commit()
                assert user.id > max(row["id"] for row in rows["user"])
        target.dispose()
    source.dispose()


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_a_review_restored_beside_another_is_the_same_and_leaves_the_other_alone(databases, tmp_path, backend):
    source, _, review_id = _populated(databases, tmp_path)
    rows, figures = _rows(source, review_id), _figures(source, review_id)
    archive = tmp_path / "review.zip"
    backup.export_review(source, review_id, archive)
    # The team's server: its own review, made alike (the demo, by the same people), so every id overlaps.
    target, settings, other_id = _populated(databases, tmp_path, backend, "server")
    other_rows, other_figures = _plain(_rows(target, other_id)), _figures(target, other_id)
    people = {row["email"]: row["id"] for row in _rows(target, other_id)["user"]}

    restored = backup.import_review(target, archive.read_bytes(), settings.uploads_dir)

    assert restored.review_id != other_id
    copy = _rows(target, restored.review_id)
    assert {row["email"]: row["id"] for row in copy["user"]} == people  # the same people, their accounts as they were
    expected = _as_restored(rows, restored)
    assert _plain({**copy, "user": []}) == _plain({**expected, "user": []})
    assert _figures(target, restored.review_id) == figures
    assert not _wrong_references(target, restored.review_id)
    assert _stored_pdf(target, restored.review_id) == PDF
    assert _plain(_rows(target, other_id)) == other_rows and _figures(target, other_id) == other_figures
    source.dispose()
    target.dispose()


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_the_same_archive_restored_twice_gives_two_independent_reviews(databases, tmp_path, backend):
    source, settings, review_id = _populated(databases, tmp_path, backend)
    figures = _figures(source, review_id)
    archive = tmp_path / "review.zip"
    backup.export_review(source, review_id, archive)
    first = backup.import_review(source, archive.read_bytes(), settings.uploads_dir)
    second = backup.import_review(source, archive.read_bytes(), settings.uploads_dir)
    assert len({review_id, first.review_id, second.review_id}) == 3
    assert _figures(source, first.review_id) == _figures(source, second.review_id) == figures
    assert not set(first.ids["record"].values()) & set(second.ids["record"].values())

    with Session(source) as session:  # a verdict in one copy is in that copy only
        lead, ann = session.exec(select(Membership.user_id).where(Membership.review_id == first.review_id)
                                 .order_by(Membership.id)).all()[:2]
        waiting = next(record.id for record in kept_records(session, first.review_id) if not session.exec(
            select(Decision).where(Decision.record_id == record.id, Decision.reviewer_id == ann)).first())
        decide(session, review_access(session, first.review_id, ann), waiting, Stage.title_abstract, Verdict.exclude)
    assert _figures(source, first.review_id) != figures
    assert _figures(source, second.review_id) == _figures(source, review_id) == figures
    assert _stored_pdf(source, first.review_id) == _stored_pdf(source, second.review_id) == PDF
    source.dispose()


def test_a_restored_admin_is_a_plain_account_on_a_server_that_has_its_own_admin(databases, tmp_path):
    source, settings, review_id = _populated(databases, tmp_path)
    with Session(source) as session:
        lead = session.get(User, review_access(session, review_id, session.exec(
            select(Membership.user_id).where(Membership.review_id == review_id).order_by(Membership.id)).first()).user_id)
        lead.is_admin, lead_email = True, lead.email
        session.add(lead)
        session.commit()
    archive = tmp_path / "review.zip"
    backup.export_review(source, review_id, archive)
    admin_of = {}
    for name, server_admin in (("new-server", None), ("team-server", "owner@example.org")):
        target = db.make_engine(databases.migrated("sqlite"))
        with Session(target) as session:
            if server_admin:
                create_user(session, AccountCreate(email=server_admin, name="Owner", password="x" * 16), is_admin=True)
        backup.import_review(target, archive.read_bytes(), tmp_path / name)
        with Session(target) as session:
            admin_of[name] = session.exec(select(User.is_admin).where(User.email == lead_email)).one()
        target.dispose()
    # a new server needs someone to run it; a team's server keeps its own admins
    assert admin_of == {"new-server": True, "team-server": False}
    source.dispose()


def test_a_restore_that_fails_writes_nothing(databases, tmp_path, monkeypatch):
    source, settings, review_id = _populated(databases, tmp_path)
    archive = tmp_path / "review.zip"
    backup.export_review(source, review_id, archive)
    rows_before = _plain(_rows(source, review_id))
    inserted = backup._insert

    def insert_then_fail(connection, table, rows):
        inserted(connection, table, rows)
        if table.name == "study_report":  # one of the last tables: most of the review is written by now
            raise RuntimeError("the disk is full")

    monkeypatch.setattr(backup, "_insert", insert_then_fail)
    with pytest.raises(RuntimeError, match="disk is full"):
        backup.import_review(source, archive.read_bytes(), settings.uploads_dir)
    with source.connect() as connection:
        assert connection.exec_driver_sql("SELECT count(*) FROM review").scalar_one() == 1
    assert _plain(_rows(source, review_id)) == rows_before
    assert not any(path.is_file() for path in (settings.uploads_dir / "restored").rglob("*"))
    source.dispose()


def _rewritten(archive: Path, output: Path, member: str, change) -> bytes:
    with zipfile.ZipFile(archive) as original, zipfile.ZipFile(output, "w") as copy:
        for item in original.namelist():
            content = original.read(item)
            copy.writestr(item, change(content) if item == member else content)
    return output.read_bytes()


def test_a_damaged_foreign_or_newer_archive_is_refused_with_what_is_wrong(databases, tmp_path):
    source, settings, review_id = _populated(databases, tmp_path)
    archive = tmp_path / "review.zip"
    backup.export_review(source, review_id, archive)
    target = db.make_engine(databases.migrated("sqlite"))
    with pytest.raises(InvalidInput, match="not a Winnow review archive"):
        backup.import_review(target, b"PK not really", tmp_path)
    damaged = _rewritten(archive, tmp_path / "damaged.zip", "tables/decision.jsonl",
                         lambda content: content.replace(b'"verdict": "include"', b'"verdict": "exclude"'))
    with pytest.raises(InvalidInput, match="decision.jsonl .*checksum"):
        backup.import_review(target, damaged, tmp_path)

    def manifest_with(**changes):
        return lambda content: json.dumps({**json.loads(content), **changes}).encode()

    foreign = _rewritten(archive, tmp_path / "foreign.zip", "manifest.json", manifest_with(version=2))
    with pytest.raises(InvalidInput, match="version 2; this Winnow reads winnow-review version 1"):
        backup.import_review(target, foreign, tmp_path)
    newer = _rewritten(archive, tmp_path / "newer.zip", "manifest.json", manifest_with(schema="9999_later"))
    with pytest.raises(InvalidInput, match="schema 9999_later"):
        backup.import_review(target, newer, tmp_path)
    elsewhere = _rewritten(archive, tmp_path / "elsewhere.zip", "manifest.json", manifest_with(review_id=999))
    with pytest.raises(InvalidInput, match=f"names review 999, its tables hold {review_id}: it is damaged"):
        backup.import_review(target, elsewhere, tmp_path)
    with target.connect() as connection:
        assert connection.exec_driver_sql("SELECT count(*) FROM review").scalar_one() == 0
    source.dispose()
    target.dispose()


def test_paths_of_differences_get_the_new_ids_of_their_questions_and_of_the_options_in_row_keys():
    fields = {20: {"id": 20, "group_id": None, "is_key": False, "position": 0, "field_type": FieldType.group},
              21: {"id": 21, "group_id": 20, "is_key": True, "position": 0, "field_type": FieldType.single_choice},
              22: {"id": 22, "group_id": 20, "is_key": True, "position": 1, "field_type": FieldType.multiple_choice},
              23: {"id": 23, "group_id": 20, "is_key": False, "position": 2, "field_type": FieldType.single_choice}}
    new = {"form_field": {20: 120, 21: 121, 22: 122, 23: 123}, "field_option": {3: 9, 4: 10, 12: 2}}

    def rename(table, old):
        return new[table][old]

    resolutions = {"g20[12.0|['3', '4']].f23": {"choice": "edit", "value": "4"},
                   "g20[3.0|['12']~2]": {"choice": "edit", "values": {"23": [3], "21": 12}},
                   "g20[#2].f21": {"choice": "first"}}
    assert backup._walk(resolutions, backup._resolutions, rename, fields) == {
        "g120[2.0|['10', '9']].f123": {"choice": "edit", "value": "10"},
        "g120[9.0|['2']~2]": {"choice": "edit", "values": {"123": [9], "121": 2}},
        "g120[#2].f121": {"choice": "first"}}
    assert backup._path("not a path", rename, fields) == "not a path"


def test_every_table_is_archived_or_named_as_left_out():
    """A new table reaches a review through its foreign keys, or the archive would miss it."""
    for table in SQLModel.metadata.sorted_tables:
        if table.name not in backup.LEFT_OUT and table.name != "user":
            backup._owned(table, 1)  # raises for a table that reaches no review


def test_every_json_column_is_declared_as_holding_ids_or_not():
    """A restore rewrites the ids inside JSON only where ``ID_PLACES`` says they are: a new JSON
    column must be declared there, or in ``JSON_WITHOUT_IDS``."""
    columns = {(table.name, column.name) for table in SQLModel.metadata.sorted_tables if table.name not in backup.LEFT_OUT
               for column in table.columns if isinstance(column.type, sa.JSON)}
    declared = set(backup.ID_PLACES) | backup.JSON_WITHOUT_IDS
    assert columns - declared == set(), "declare these JSON columns in app/backup.py"
    assert not set(backup.ID_PLACES) & backup.JSON_WITHOUT_IDS
    for table, column in declared:
        assert column in SQLModel.metadata.tables[table].c, f"{table}.{column} is declared but does not exist"


def _actions_logged() -> set[str]:
    """Every audit action the code writes: the ``action`` given to ``record_event(s)``, as a
    string, an f-string's fixed part ("record.merge." + a kind), either side of a conditional,
    or a variable set from such strings in the same function."""
    found = set()

    def strings(node, function) -> set[str]:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return {node.value}
        if isinstance(node, ast.JoinedStr):
            return {"".join(part.value for part in node.values if isinstance(part, ast.Constant)) + "*"}
        if isinstance(node, ast.IfExp):
            return strings(node.body, function) | strings(node.orelse, function)
        if isinstance(node, ast.Name):
            values = set()
            for statement in ast.walk(function):
                if isinstance(statement, ast.Assign):
                    for target, value in _assigned(statement):
                        if target == node.id:
                            values |= strings(value, function)
            return values
        raise AssertionError(f"an action this test cannot read: {ast.dump(node)}")

    for path in [*ROOT.glob("screening/**/*.py"), *ROOT.glob("extraction/**/*.py"), *ROOT.glob("app/**/*.py")]:
        tree = ast.parse(path.read_text())
        for function in ast.walk(tree):
            if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            for call in ast.walk(function):
                if isinstance(call, ast.Call) and getattr(call.func, "id", "") in ("record_event", "record_events"):
                    found |= {value for keyword in call.keywords if keyword.arg == "action"
                              for value in strings(keyword.value, function)}
    return found


def _assigned(statement: ast.Assign):
    for target in statement.targets:
        if isinstance(target, ast.Name):
            yield target.id, statement.value
        elif isinstance(target, ast.Tuple) and isinstance(statement.value, ast.Tuple):
            yield from ((each.id, value) for each, value in zip(target.elts, statement.value.elts)
                        if isinstance(each, ast.Name))


def test_every_audit_action_and_job_kind_is_declared_as_holding_ids_or_not():
    declared = set(backup.AUDIT_DETAIL_IDS) | backup.AUDIT_DETAIL_WITHOUT_IDS
    actions = _actions_logged()
    assert {"decision.create", "record.merge.*", "consensus.finish", "member.add"} <= actions  # the scan finds them
    undeclared = {action for action in actions
                  if not (action in declared or action.endswith("*")
                          and any(name.startswith(action[:-1]) for name in declared))}
    assert undeclared == set(), "say in app/backup.py which ids these audit events' detail holds"
    assert set(JOB_KINDS) == set(backup.JOB_PAYLOAD_IDS)


def test_the_commands_back_up_and_restore_a_review_and_say_its_new_number(databases, tmp_path, monkeypatch):
    source, settings, review_id = _populated(databases, tmp_path)
    archive = tmp_path / "cli.zip"
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setenv("WINNOW_DATA_DIR", str(settings.data_dir))
    runner = CliRunner()
    written = runner.invoke(cli, ["export-review", str(review_id), "--output", str(archive)])
    assert written.exit_code == 0 and "files" in written.output, written.output
    restored = runner.invoke(cli, ["import-review", str(archive)])  # into the database it came from
    assert restored.exit_code == 0, restored.output
    new_id = int(re.match(r"Restored review (\d+) ", restored.output).group(1))
    assert new_id != review_id and f"review {review_id} in the archive" in restored.output
    assert _figures(source, new_id) == _figures(source, review_id)
    refused = runner.invoke(cli, ["import-review", str(tmp_path / "missing.zip")])
    assert refused.exit_code != 0
    source.dispose()
