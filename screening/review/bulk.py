"""``insert_rows``: the one bulk insert for the tens of thousands of rows a large import writes
(records, duplicate pairs, merge events)."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa


def insert_rows(connection: sa.Connection, table: sa.Table, rows: Sequence[dict]) -> None:
    """Insert many rows, each naming the same columns: every column the table needs, since
    Python-side column defaults are not applied. PostgreSQL takes them through COPY, several
    times faster than an INSERT of many rows for the tens of thousands a large import writes."""
    if not rows:
        return
    names = list(rows[0])
    unnamed = [column.name for column in table.c if column.default is not None and column.name not in names]
    if unnamed:
        raise ValueError(f"insert_rows into {table.name}: name every column with a default; missing {unnamed}")
    if connection.dialect.name != "postgresql":
        connection.execute(sa.insert(table), rows)
        return
    dialect = connection.dialect
    # The same conversions an INSERT applies: JSON columns to JSON, enums to their values.
    convert = [table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in names]
    columns = ", ".join(dialect.identifier_preparer.quote(name) for name in names)
    with connection.connection.driver_connection.cursor() as cursor, \
            cursor.copy(f"COPY {dialect.identifier_preparer.format_table(table)} ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([value if to_db is None else to_db(value)
                            for value, to_db in zip((row[name] for name in names), convert)])


def read_rows(connection: sa.Connection, statement: sa.Select) -> list[tuple]:
    """A query's rows as the driver gives them: plain tuples, values as stored (an enum as its
    value; a date on SQLite as its text), for the hundred thousand rows a report reads, which
    SQLAlchemy's result rows make several times slower to fetch. Parameters are converted as
    usual; select only columns whose stored form the caller can use as it is."""
    dialect = connection.dialect
    compiled = statement.compile(dialect=dialect)
    params = compiled.construct_params()
    for name, value in params.items():
        processor = compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect)
        if processor is not None:
            params[name] = processor(value)
    if compiled.positiontup is not None:
        params = tuple(params[name] for name in compiled.positiontup)
    cursor = connection.connection.driver_connection.cursor()
    try:
        cursor.execute(str(compiled), params)
        return cursor.fetchall()
    finally:
        cursor.close()
