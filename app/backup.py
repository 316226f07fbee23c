"""A whole review as one archive, and back: ``winnow export-review`` / ``winnow import-review``.

The archive is a zip holding, in format ``winnow-review`` version 1:

- ``manifest.json``: the format and its version, the schema revision (Alembic head) it was
  written under, the review's id and title, when, and for every other member of the zip its
  row count (tables) or size, and its SHA-256;
- ``tables/<table>.jsonl``: one JSON object per row, every column by name (dates as ISO 8601,
  enums as their stored values, JSON columns as JSON), in id order;
- ``files/<table>/<id>``: the stored files rows point to (uploaded exports, full-text PDFs).

Which rows belong to a review is read from the schema's foreign keys, so a table added later
is archived without a change here (or, if it cannot reach a review, the test of this module
fails until it is named in ``LEFT_OUT``). Users are the people the review's rows name, with
their password hashes, so everyone can log in after a move: treat an archive as you would the
database.

A restore keeps every id, because ids are also kept inside stored JSON (form versions, choice
values, audit events, stopping-check samples). So it goes into a database that holds none of
the archive's ids: a new one, or the same one after the review was deleted. A user already
there with the same id and email is the same person; anything else that clashes is refused,
naming the table and the ids, and nothing is written.
"""

from __future__ import annotations

import enum
import hashlib
import io
import json
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session, SQLModel

from app import db
from screening.review.audit import COMMAND_LINE, record_export
from screening.review.errors import InvalidInput

FORMAT = "winnow-review"
VERSION = 1
# Tables no review owns: the accounts' secrets, sessions and throttling state, not review data.
LEFT_OUT = {"api_token", "login_failure", "user_session"}
# Columns holding the path of a stored file, rewritten to where the restore puts the file.
FILE_COLUMNS = {"import_batch": "stored_path", "full_text": "stored_path"}


@dataclass(frozen=True)
class Archived:
    review_id: int
    title: str
    rows: dict[str, int]
    files: int


def _tables() -> list[sa.Table]:
    return [table for table in SQLModel.metadata.sorted_tables if table.name not in LEFT_OUT]


def _owner_path(table: sa.Table) -> sa.ForeignKey | None:
    """The foreign key by which a table's rows reach their review, when they have no
    ``review_id`` of their own (a form's fields reach it through their form)."""
    for column in table.columns:
        for key in column.foreign_keys:
            if key.column.table is not table and key.column.table.name not in ("user", "review"):
                return key
    return None


def _owned(table: sa.Table, review_id: int) -> sa.ColumnElement[bool]:
    if table.name == "review":
        return table.c.id == review_id
    if "review_id" in table.c:
        return table.c.review_id == review_id
    key = _owner_path(table)
    if key is None:
        raise ValueError(f"table {table.name} reaches no review: archive it or add it to LEFT_OUT")
    parent = key.column.table
    return key.parent.in_(sa.select(key.column).where(_owned(parent, review_id)))


def _user_ids(table: sa.Table, rows: list[dict]) -> set[int]:
    columns = [column.name for column in table.columns
               if any(key.column.table.name == "user" for key in column.foreign_keys)]
    return {row[name] for row in rows for name in columns if row[name] is not None}


def _to_json(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    return value


def _from_json(column: sa.Column, value: Any) -> Any:
    if value is None:
        return None
    kind = getattr(column.type, "impl", column.type)  # a TypeDecorator (UTC datetimes) by what it stores
    try:
        python_type = kind.python_type
    except NotImplementedError:  # JSON and the like: stored as they are
        return value
    if python_type is datetime:
        return datetime.fromisoformat(value)
    if python_type is date:
        return date.fromisoformat(value)
    if issubclass(python_type, enum.Enum):
        return python_type(value)
    return value


def _order(table: sa.Table) -> list[sa.Column]:
    return list(table.primary_key.columns)


def review_rows(connection: Connection, review_id: int) -> dict[str, list[dict]]:
    """Every row of the review, table by table in the order they can be inserted, users first."""
    if connection.execute(sa.select(sa.func.count()).select_from(SQLModel.metadata.tables["review"])
                          .where(SQLModel.metadata.tables["review"].c.id == review_id)).scalar_one() == 0:
        raise InvalidInput(f"There is no review {review_id}. `winnow` lists reviews on its Reviews page.")
    rows: dict[str, list[dict]] = {}
    people: set[int] = set()
    for table in _tables():
        if table.name == "user":
            continue
        found = [dict(row._mapping) for row in
                 connection.execute(sa.select(table).where(_owned(table, review_id)).order_by(*_order(table)))]
        rows[table.name] = found
        people |= _user_ids(table, found)
    user = SQLModel.metadata.tables["user"]
    users = [dict(row._mapping) for row in
             connection.execute(sa.select(user).where(user.c.id.in_(people)).order_by(user.c.id))]
    return {"user": users} | rows


def _jsonl(rows: list[dict]) -> bytes:
    return b"".join(json.dumps({k: _to_json(v) for k, v in row.items()}, ensure_ascii=False,
                               sort_keys=True).encode() + b"\n" for row in rows)


def export_review(engine: Engine, review_id: int, output: Path) -> Archived:
    """Write the review to ``output``; the archive is complete or absent, never half-written."""
    with engine.connect() as connection:
        rows = review_rows(connection, review_id)
    members: dict[str, bytes] = {f"tables/{name}.jsonl": _jsonl(found) for name, found in rows.items()}
    files = 0
    for table_name, column in FILE_COLUMNS.items():
        for row in rows.get(table_name, []):
            path = Path(row[column]) if row[column] else None
            if path is not None and path.is_file():
                members[f"files/{table_name}/{row['id']}"] = path.read_bytes()
                files += 1
    manifest = {
        "format": FORMAT, "version": VERSION, "schema": db.head_revision(), "review_id": review_id,
        "title": rows["review"][0]["title"], "exported_at": datetime.now().astimezone().isoformat(),
        "members": {name: {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data),
                           **({"rows": len(rows[name[7:-6]])} if name.startswith("tables/") else {})}
                    for name, data in members.items()},
    }
    partial = output.with_name(output.name + ".partial")
    with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False))
        for name, data in members.items():
            archive.writestr(name, data)
    partial.replace(output)
    with Session(engine) as session:
        record_export(session, actor_id=None, review_id=review_id, kind="backup", file_format="zip", via=COMMAND_LINE)
    return Archived(review_id, manifest["title"], {name: len(found) for name, found in rows.items()}, files)


def _read_archive(data: bytes) -> tuple[dict, dict[str, bytes]]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        manifest = json.loads(archive.read("manifest.json"))
    except (zipfile.BadZipFile, KeyError, ValueError):
        raise InvalidInput("This is not a Winnow review archive (a zip with a manifest.json): "
                           "write one with `winnow export-review REVIEW_ID --output review.zip`.") from None
    if manifest.get("format") != FORMAT or manifest.get("version") != VERSION:
        raise InvalidInput(f"The archive is format {manifest.get('format')} version {manifest.get('version')}; "
                           f"this Winnow reads {FORMAT} version {VERSION}.")
    if manifest.get("schema") != db.head_revision():
        raise InvalidInput(f"The archive was written under schema {manifest.get('schema')}, this Winnow is at "
                           f"{db.head_revision()}: restore it with the Winnow version that wrote it, "
                           "then upgrade that database.")
    members = {}
    for name, expected in manifest["members"].items():
        try:
            content = archive.read(name)
        except KeyError:
            raise InvalidInput(f"The archive lacks {name}, which its manifest lists: it is incomplete.") from None
        if hashlib.sha256(content).hexdigest() != expected["sha256"]:
            raise InvalidInput(f"{name} in the archive does not match its checksum: the file is damaged.")
        members[name] = content
    return manifest, members


def _clashes(connection: Connection, table: sa.Table, rows: list[dict]) -> list[tuple]:
    keys = _order(table)
    found = []
    for start in range(0, len(rows), 500):
        chunk = rows[start:start + 500]
        if len(keys) == 1:
            condition = keys[0].in_([row[keys[0].name] for row in chunk])
        else:
            condition = sa.tuple_(*keys).in_([tuple(row[key.name] for key in keys) for row in chunk])
        found += [tuple(row) for row in connection.execute(sa.select(*keys).where(condition))]
    return found


def import_review(engine: Engine, data: bytes, files_dir: Path) -> Archived:
    """Restore an archive written by ``export_review``: all of it in one transaction, or nothing."""
    manifest, members = _read_archive(data)
    tables = {table.name: table for table in _tables()}
    rows: dict[str, list[dict]] = {}
    for name in manifest["members"]:
        if name.startswith("tables/"):
            table = tables.get(name[7:-6])
            if table is None:
                raise InvalidInput(f"The archive holds a table this Winnow does not know: {name}.")
            rows[table.name] = [{key: _from_json(table.c[key], value) for key, value in json.loads(line).items()}
                                for line in members[name].splitlines() if line.strip()]
    written: list[Path] = []
    try:
        with engine.begin() as connection:
            for table in _tables():
                found = rows.get(table.name, [])
                if table.name == "user":
                    found = _users_to_add(connection, table, found)
                elif clash := _clashes(connection, table, found):
                    raise InvalidInput(
                        f"This database already holds {table.name} rows with the archive's ids "
                        f"({', '.join(str(key[0] if len(key) == 1 else key) for key in clash[:5])}"
                        f"{', ...' if len(clash) > 5 else ''}): restore into a new database (`winnow db upgrade` "
                        "on an empty one), or delete the review there first.")
                written += _place_files(table.name, found, members, files_dir / "restored" / str(manifest["review_id"]))
                _insert(connection, table, found)
            if connection.dialect.name == "postgresql":
                _advance_sequences(connection, [tables[name] for name in rows])
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise
    return Archived(manifest["review_id"], manifest["title"], {name: len(found) for name, found in rows.items()},
                    len(written))


def _users_to_add(connection: Connection, table: sa.Table, users: list[dict]) -> list[dict]:
    """The archive's users this database lacks; a person already here (same id, same email)
    is kept as they are here, with their current password."""
    here = {row.id: row.email for row in
            connection.execute(sa.select(table.c.id, table.c.email)
                               .where(sa.or_(table.c.id.in_([u["id"] for u in users]),
                                             table.c.email.in_([u["email"] for u in users]))))}
    emails_here = {email: user_id for user_id, email in here.items()}
    new = []
    for user in users:
        if here.get(user["id"]) == user["email"]:
            continue
        if user["id"] in here or user["email"] in emails_here:
            raise InvalidInput(
                f"The archive's user {user['email']} (id {user['id']}) clashes with this database's "
                f"user {here.get(user['id']) or user['email']} (id {emails_here.get(user['email'], user['id'])}): "
                "restore into a new database (`winnow db upgrade` on an empty one).")
        new.append(user)
    return new


def _place_files(table_name: str, rows: list[dict], members: dict[str, bytes], folder: Path) -> list[Path]:
    column = FILE_COLUMNS.get(table_name)
    if column is None:
        return []
    written = []
    for row in rows:
        content = members.get(f"files/{table_name}/{row['id']}")
        if content is None:
            row[column] = ""
            continue
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{table_name}-{row['id']}{Path(row[column]).suffix}"
        path.write_bytes(content)
        row[column] = str(path)
        written.append(path)
    return written


def _insert(connection: Connection, table: sa.Table, rows: list[dict]) -> None:
    """Insert the rows with their ids; a reference to a row of the same table (a duplicate's
    record, a sub-option's parent) is set afterwards, so row order does not matter."""
    if not rows:
        return
    own = [column.name for column in table.columns
           if any(key.column.table is table for key in column.foreign_keys)]
    connection.execute(sa.insert(table), [{**row, **{name: None for name in own}} for row in rows])
    for name in own:
        pointing = [{"row_id": row["id"], "target": row[name]} for row in rows if row[name] is not None]
        if pointing:
            connection.execute(table.update().where(table.c.id == sa.bindparam("row_id"))
                               .values({name: sa.bindparam("target")}), pointing)


def _advance_sequences(connection: Connection, tables: list[sa.Table]) -> None:
    """Rows inserted with their ids leave PostgreSQL's id sequences behind: move them past."""
    for table in tables:
        if list(table.primary_key.columns.keys()) != ["id"]:
            continue
        quoted = connection.dialect.identifier_preparer.format_table(table)
        connection.execute(sa.text(
            f"SELECT setval(pg_get_serial_sequence(:name, 'id'), (SELECT COALESCE(MAX(id), 0) + 1 FROM {quoted}), false)"),
            {"name": quoted})
