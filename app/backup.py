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
fails until it is named in ``LEFT_OUT``). Users are the people the review's rows name (by a
foreign key or inside JSON, see below), with their password hashes, so everyone can log in
after a move: treat an archive as you would the database.

A restore gives every row a new id and rewrites every reference to it, so a review goes into
any database of the same schema revision: an empty one, the team's server that holds other
reviews, or the very database it came from (a second, independent copy). Ids are stored in
three kinds of places, all rewritten:

- foreign-key columns, found from the schema (a new one is rewritten without a change here);
- ids inside JSON columns and text columns, declared in ``ID_PLACES`` (form versions'
  definitions, choice values, the reconciler's choices and their paths, audit events' detail
  and object, stopping checks' samples, jobs' payloads); every JSON column is either there or
  in ``JSON_WITHOUT_IDS``, and the tests fail for one that is neither;
- the primary keys themselves.

New ids come from the target database as it would give them: PostgreSQL's id sequences (so
rows others insert meanwhile never take them, and the sequences stay ahead), SQLite's largest
id plus one (SQLite has one writer at a time; a write between reading it and inserting fails
the restore loudly, never silently). They are given in the archive's id order, so whatever
lists rows by id lists the copy the same way. An id that JSON names but no archived row holds
(a field deleted since an old form version named it) gets a new one too, naming no row, so it
can never name a row of another review. A user whose email the target already has is that
person: the copy points at them and their account stays as it is, password included; anyone
else is added with a new id, and without admin rights where the target has an admin already. A ranking run's ``labels_digest`` hashes the record ids it learnt
from and is kept as archived, so the copy's next training trains again instead of skipping.

All of it happens in one transaction: a restore that fails writes nothing, and the files it
had placed are removed again. Stored files (``FILE_COLUMNS``) are put under
``restored/<new review id>/`` with their bytes as archived.
"""

from __future__ import annotations

import ast
import enum
import hashlib
import io
import json
import re
import zipfile
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session, SQLModel

from app import db
from extraction.models import FieldType
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


@dataclass(frozen=True)
class Restored:
    review_id: int  # the copy's, in this database
    archived_id: int  # the review's id in the archive (and in the database it came from)
    title: str
    rows: dict[str, int]
    files: int
    ids: dict[str, dict[int, int]] = field(repr=False)  # table -> archive's id -> the copy's


# --- where ids are kept ------------------------------------------------------------------------
#
# A shape says where ids sit in a value: a table's name, an id of that table (a number, its
# digits as text, or a list of them: a reviewer's choices as typed); [shape], a list of such;
# {key: shape}, those keys of an object (the others hold no ids); a function
# (value, rename, fields), a value only code can read (a difference's path); None, no ids.
# ``fields`` are the archive's form fields by id: what a choice value holds depends on its field.

Rename = Callable[[str, int], int]
Fields = Mapping[int, Mapping[str, Any]]


def _option_shape(form_field: Mapping[str, Any] | None) -> str | None:
    return "field_option" if form_field is not None and FieldType(form_field["field_type"]).has_options else None


_PATH_SEGMENT = re.compile(r"([fg])(\d+)")
_KEY_END = re.compile(r"\](?=$|\.[fg]\d)")


def _path_segments(path: str) -> list[tuple[str, int, str | None]] | None:
    """A difference's path (``extraction.reconciling``: "f12", "g20[cbt].f21") as (f or g,
    field id, the row's key or None); None for text that is no such path."""
    segments, rest = [], path
    while rest:
        found = _PATH_SEGMENT.match(rest)
        if found is None:
            return None
        kind, field_id, rest, key = found.group(1), int(found.group(2)), rest[found.end():], None
        if kind == "g" and rest.startswith("["):
            end = _KEY_END.search(rest)
            if end is None:
                return None
            key, rest = rest[1:end.start()], rest[end.end():]
        segments.append((kind, field_id, key))
        if rest.startswith("."):
            rest = rest[1:]
        elif rest:
            return None
    return segments


def _path(path: Any, rename: Rename, fields: Fields) -> Any:
    segments = _path_segments(path) if isinstance(path, str) else None
    if segments is None:
        return path
    return ".".join(f"{kind}{rename('form_field', field_id)}"
                    + (f"[{_row_key(key, field_id, rename, fields)}]" if key is not None else "")
                    for kind, field_id, key in segments)


def _row_key(key: str, group_id: int, rename: Rename, fields: Fields) -> str:
    """A row's key in a path: its key questions' values joined by "|" (``reconciling._row_key``),
    where a choice question's value is its option ids; "#3" for a row matched by position."""
    body, repeat = re.fullmatch(r"(.*?)(~\d+)?", key, flags=re.DOTALL).groups()
    keys = sorted((item for item in fields.values() if item["group_id"] == group_id and item["is_key"]),
                  key=lambda item: (item["position"], item["id"]))
    parts = body.split("|")
    if body.startswith("#") or len(parts) != len(keys):  # by position, or text holding a "|": no options
        return key
    return "|".join(_key_part(part, item, rename) for part, item in zip(parts, keys)) + (repeat or "")


def _key_part(part: str, item: Mapping[str, Any], rename: Rename) -> str:
    kind = FieldType(item["field_type"])
    try:
        if kind is FieldType.single_choice and part != "None":
            return str(float(rename("field_option", int(float(part)))))
        if kind.has_options and part != "None":
            return str(sorted(str(rename("field_option", int(each))) for each in ast.literal_eval(part)))
    except (ValueError, SyntaxError, TypeError):
        pass  # not what a choice's key looks like: left as it is
    return part


def _resolutions(value: Any, rename: Rename, fields: Fields) -> Any:
    """A consensus's choices by path; an edited value names options as typed ("value", of the
    path's last question; "values", of a row's questions by their ids as text)."""
    if not isinstance(value, dict):
        return value
    return {_path(path, rename, fields): _resolution(path, choice, rename, fields) for path, choice in value.items()}


def _resolution(path: str, choice: Any, rename: Rename, fields: Fields) -> Any:
    if not isinstance(choice, dict):
        return choice
    segments = _path_segments(path)
    question = fields.get(segments[-1][1]) if segments else None
    changed = dict(choice)
    if "value" in choice:
        changed["value"] = _walk(choice["value"], _option_shape(question), rename, fields)
    if isinstance(choice.get("values"), dict):
        changed["values"] = {
            (str(rename("form_field", int(question))) if question.isdigit() else question):
            _walk(given, _option_shape(fields.get(int(question))) if question.isdigit() else None, rename, fields)
            for question, given in choice["values"].items()}
    return changed


_OPTION: dict[str, Any] = {"id": "field_option", "merged_into_id": "field_option"}
_OPTION["children"] = [_OPTION]
_FIELD: dict[str, Any] = {"id": "form_field", "options": [_OPTION]}
_FIELD["fields"] = [_FIELD]
# ``extraction.forms.definition_json``: the form as it stood at a version.
_DEFINITION = {"id": "extraction_form", "reconciler_id": "user",
               "sections": [{"id": "form_section", "fields": [_FIELD]}]}

_CODING = {"form_id": "extraction_form", "coding_id": "coding"}
_REASON = {"reason_id": "exclusion_reason"}
# The detail of audit events that hold ids, by action; ``AUDIT_DETAIL_WITHOUT_IDS`` the others.
AUDIT_DETAIL_IDS: dict[str, Any] = {
    "record.merge.auto": {"kept": "record"},
    "record.merge.manual": {"kept": "record"},
    "record.unmerge": {"was_kept_by": "record"},
    "decision.create": _REASON,
    "decision.change": {**_REASON, "was_reason_id": "exclusion_reason"},
    "resolution.conflict": _REASON,
    "resolution.override": _REASON,
    "study.link": {"linked_study": "study", "records": ["record"]},
    "study.split": {"from_study": "study", "record_id": "record"},
    "coding.start": _CODING,
    "coding.save": {**_CODING, "fields": ["form_field"]},
    "coding.submit": _CODING,
    "coding.reopen": _CODING,
    # each difference settled, by path: its question's label, the side taken, the value held
    "consensus.save": {**_CODING, "choices": _resolutions},
    "consensus.finish": {**_CODING, "choices": _resolutions},
    "consensus.reopen": _CODING,
    "form.change": {"field_id": "form_field", "option_id": "field_option", "into_id": "field_option",
                    "changes": {"reconciler_id": "user"}},  # a settings change's; a field change's is names
    # any file leaving Winnow (``record_export``): a form's table, the audit log filtered by person
    "export.*": {"form_id": "extraction_form", "filters": {"person": "user"}},
}
AUDIT_DETAIL_WITHOUT_IDS = {
    "review.create", "review.update", "review.screening_settings", "member.add", "member.role", "member.remove",
    "import.upload", "import.complete", "import.skip_empty", "import.cancel", "import.identification", "dedup.run",
    "duplicate.decide", "decision.undo", "exclusion_reason.add", "exclusion_reason.retire", "record.remove",
    "records.remove", "record.restore", "fulltext.attach", "fulltext.not_retrieved", "stopping.start",
    "stopping.record", "study.rename", "prisma.label", "form.create", "user.create", "user.password_change",
    "user.password_reset", "user.activate", "user.deactivate", "token.create", "token.revoke",
}
# An audit event's object_id is the id of a row of the table its object_type names, except:
AUDIT_OBJECT_NOT_AN_ID = {"exclusion_reason.add"}  # the reason's label
# The ids in a job's payload, by kind (``app.jobs.JOB_KINDS``).
JOB_PAYLOAD_IDS: dict[str, Any] = {"import": {"batch_id": "import_batch"}, "train": {}}


def _audit_object(row: Mapping[str, Any], fields: Fields) -> str | None:
    if row["action"] in AUDIT_OBJECT_NOT_AN_ID or row["object_type"] not in SQLModel.metadata.tables:
        return None
    return row["object_type"]


def _audit_detail(action: str) -> Any:
    """The ids an event's detail holds: declared for its action, or for its family ("export.*")."""
    return AUDIT_DETAIL_IDS.get(action, AUDIT_DETAIL_IDS.get(action.split(".", 1)[0] + ".*"))


def _always(shape: Any) -> Callable[[Mapping[str, Any], Fields], Any]:
    return lambda row, fields: shape


# Every JSON or text column holding ids, with the shape of its value as a function of its row.
ID_PLACES: dict[tuple[str, str], Callable[[Mapping[str, Any], Fields], Any]] = {
    ("audit_event", "object_id"): _audit_object,
    ("audit_event", "detail"): lambda row, fields: _audit_detail(row["action"]),
    ("coded_value", "value"): lambda row, fields: _option_shape(fields.get(row["field_id"])),
    ("coding", "resolutions"): _always(_resolutions),
    ("form_version", "definition"): _always(_DEFINITION),
    ("job", "payload"): lambda row, fields: JOB_PAYLOAD_IDS.get(row["kind"]),
    ("stopping_check", "sample"): _always(["record"]),
}
JSON_WITHOUT_IDS = {
    ("import_batch", "empty_examples"),  # positions in the file and the file's own record ids
    ("record", "authors"), ("record", "keywords"), ("record", "raw"),  # as the file gave them
    ("duplicate_pair", "reasons"), ("ranking_run", "model"), ("record_score", "terms"),
}


def _walk(value: Any, shape: Any, rename: Rename, fields: Fields) -> Any:
    if shape is None or value is None:
        return value
    if isinstance(shape, str):
        return _id(value, shape, rename)
    if isinstance(shape, list):
        return [_walk(each, shape[0], rename, fields) for each in value] if isinstance(value, list) else value
    if isinstance(shape, dict):
        return ({key: _walk(each, shape.get(key), rename, fields) for key, each in value.items()}
                if isinstance(value, dict) else value)
    return shape(value, rename, fields)


def _id(value: Any, table: str, rename: Rename) -> Any:
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return rename(table, value)
    if isinstance(value, str) and value.isdigit():
        return str(rename(table, int(value)))
    if isinstance(value, list):
        return [_id(each, table, rename) for each in value]
    return value  # text a reviewer typed that names no option: kept as typed


def _target(column: sa.Column) -> str | None:
    return next((key.column.table.name for key in column.foreign_keys), None)


def renamed_row(table: sa.Table, row: Mapping[str, Any], rename: Rename, fields: Fields) -> dict[str, Any]:
    """The row with every id it holds passed through ``rename(table name, id)``: its own, its
    foreign keys' and those inside its JSON and text (``ID_PLACES``)."""
    changed = dict(row)
    for name, value in row.items():
        column = table.c[name]
        if value is None:
            continue
        if column.primary_key and name == "id":
            changed[name] = rename(table.name, value)
        elif (target := _target(column)) is not None:
            changed[name] = rename(target, value)
        elif (table.name, name) in ID_PLACES:
            changed[name] = _walk(value, ID_PLACES[table.name, name](row, fields), rename, fields)
    return changed


def _named_ids(rows: Mapping[str, list[dict]]) -> dict[str, set[int]]:
    """Every id the rows hold or name, by table."""
    named: dict[str, set[int]] = defaultdict(set)

    def note(table: str, old: int) -> int:
        named[table].add(old)
        return old

    fields = _fields(rows)
    for table in _tables():
        for row in rows.get(table.name, []):
            renamed_row(table, row, note, fields)
    return named


def _fields(rows: Mapping[str, list[dict]]) -> dict[int, dict]:
    return {row["id"]: row for row in rows.get("form_field", [])}


# --- writing an archive ------------------------------------------------------------------------

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
    for table in _tables():
        if table.name != "user":
            rows[table.name] = [dict(row._mapping) for row in connection.execute(
                sa.select(table).where(_owned(table, review_id)).order_by(*_order(table)))]
    user = SQLModel.metadata.tables["user"]
    users = [dict(row._mapping) for row in connection.execute(
        sa.select(user).where(user.c.id.in_(sorted(_named_ids(rows)["user"]))).order_by(user.c.id))]
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


# --- restoring one -----------------------------------------------------------------------------

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


def _archived_rows(manifest: dict, members: dict[str, bytes]) -> dict[str, list[dict]]:
    tables = {table.name: table for table in _tables()}
    rows: dict[str, list[dict]] = {}
    for name in manifest["members"]:
        if name.startswith("tables/"):
            table = tables.get(name[7:-6])
            if table is None:
                raise InvalidInput(f"The archive holds a table this Winnow does not know: {name}.")
            rows[table.name] = [{key: _from_json(table.c[key], value) for key, value in json.loads(line).items()}
                                for line in members[name].splitlines() if line.strip()]
    return rows


def import_review(engine: Engine, data: bytes, files_dir: Path) -> Restored:
    """Restore an archive written by ``export_review`` as a new review: every row with a new id,
    every reference rewritten; all of it in one transaction, or nothing."""
    manifest, members = _read_archive(data)
    rows = _archived_rows(manifest, members)
    if [row["id"] for row in rows.get("review", [])] != [manifest.get("review_id")]:
        raise InvalidInput(f"The archive's manifest names review {manifest.get('review_id')}, its tables hold "
                           f"{', '.join(str(row['id']) for row in rows.get('review', [])) or 'none'}: it is damaged.")
    fields = _fields(rows)
    named = _named_ids(rows)
    written: list[Path] = []
    try:
        with engine.begin() as connection:
            ids, people_here = _new_ids(connection, named, rows.get("user", []))
            review_id = ids["review"][manifest["review_id"]]
            folder = files_dir / "restored" / str(review_id)
            for table in _tables():
                old = rows.get(table.name, [])
                new = [renamed_row(table, row, lambda name, value: ids[name][value], fields) for row in old]
                if table.name == "user":
                    new = _newcomers(connection, [row for row in new if row["id"] not in people_here])
                written += _place_files(table.name, old, new, members, folder)
                _insert(connection, table, new)
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise
    return Restored(review_id, manifest["review_id"], manifest["title"],
                    {name: len(found) for name, found in rows.items()}, len(written), ids)


def _new_ids(connection: Connection, named: Mapping[str, set[int]], users: list[dict]
             ) -> tuple[dict[str, dict[int, int]], set[int]]:
    """For every table, the archive's ids to the copy's, given in the archive's order; and the
    ids of the people already here (matched by email), who are not added again."""
    user = SQLModel.metadata.tables["user"]
    emails = {row["email"]: row["id"] for row in users}
    here = {email: user_id for email, user_id in connection.execute(
        sa.select(user.c.email, user.c.id).where(user.c.email.in_(list(emails))))}
    ids: dict[str, dict[int, int]] = {"user": {emails[email]: user_id for email, user_id in here.items()}}
    for name, wanted in named.items():
        kept = ids.setdefault(name, {})
        fresh = sorted(wanted - set(kept))
        kept.update(zip(fresh, _fresh_ids(connection, SQLModel.metadata.tables[name], len(fresh))))
    return ids, set(here.values())


def _newcomers(connection: Connection, users: list[dict]) -> list[dict]:
    """People the target does not know yet. Rights over a whole server are the server's to give:
    an admin of the laptop a review comes from arrives as a plain account, unless the target
    has no admin at all (a new server), where someone must be able to run it."""
    user = SQLModel.metadata.tables["user"]
    if connection.execute(sa.select(user.c.id).where(user.c.is_admin.is_(True)).limit(1)).first() is None:
        return users
    return [{**row, "is_admin": False} for row in users]


def _fresh_ids(connection: Connection, table: sa.Table, count: int) -> list[int]:
    """``count`` ids no row of ``table`` holds, in increasing order."""
    if count == 0:
        return []
    if connection.dialect.name == "postgresql":
        return sorted(connection.execute(
            sa.text("SELECT nextval(pg_get_serial_sequence(:name, 'id')) FROM generate_series(1, :count)"),
            {"name": connection.dialect.identifier_preparer.format_table(table), "count": count}).scalars())
    start = connection.execute(sa.select(sa.func.coalesce(sa.func.max(table.c.id), 0))).scalar_one() + 1
    return list(range(start, start + count))


def _place_files(table_name: str, old: list[dict], new: list[dict], members: dict[str, bytes],
                 folder: Path) -> list[Path]:
    """Write each row's archived file (by its archived id) where the copy's row (by its new id) points."""
    column = FILE_COLUMNS.get(table_name)
    if column is None:
        return []
    written = []
    for archived, row in zip(old, new):
        content = members.get(f"files/{table_name}/{archived['id']}")
        if content is None:
            row[column] = ""
            continue
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{table_name}-{row['id']}{Path(archived[column]).suffix}"
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
