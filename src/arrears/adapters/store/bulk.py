"""Bulk writes, the fastest way each database offers: COPY on PostgreSQL (psycopg 3), executemany
of rows pre-converted by the columns' own bind processors on SQLite (the same conversions
SQLAlchemy applies — e.g. money to scaled integers — without its per-row bookkeeping)."""

from __future__ import annotations

from itertools import islice
from typing import TYPE_CHECKING, Any

from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError

from arrears.domain.errors import Conflict

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Sequence

    from sqlalchemy import Connection, Table

CHUNK = 4000


def _chunks(rows: Iterable[Sequence[Any]], size: int) -> Iterator[list[Sequence[Any]]]:
    iterator = iter(rows)
    while batch := list(islice(iterator, size)):
        yield batch


def bulk_insert(
    conn: Connection, table: Table, columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> int:
    """Insert `rows` (tuples in `columns` order) into `table`; returns the number written.
    Surrogate keys are not returned. A constraint violation raises Conflict."""
    dialect = conn.dialect
    count = 0
    if dialect.name == "postgresql" and dialect.driver == "psycopg":
        raw: Any = conn.connection.dbapi_connection
        names = ", ".join(f'"{c}"' for c in columns)
        try:
            with (
                raw.cursor() as cursor,
                cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy,
            ):
                for row in rows:
                    copy.write_row(row)
                    count += 1
        except Exception as error:
            if str(getattr(error, "sqlstate", "") or "").startswith("23"):
                raise Conflict(
                    f"the database refused the change: {error}", table=table.name
                ) from error
            raise
        return count
    if dialect.paramstyle != "qmark":  # other drivers: SQLAlchemy's own executemany
        for batch in _chunks(rows, CHUNK):
            try:
                conn.execute(insert(table), [dict(zip(columns, r, strict=True)) for r in batch])
            except IntegrityError as error:
                raise Conflict(
                    f"the database refused the change: {error.orig}", table=table.name
                ) from error
            count += len(batch)
        return count
    compiled = insert(table).compile(dialect=dialect, column_keys=list(columns))
    statement = str(compiled)
    # the compiled statement lists the columns in the table's order, not the caller's
    order = [list(columns).index(name) for name in compiled.positiontup or ()]
    if sorted(order) != list(range(len(columns))):
        raise ValueError(f"bulk_insert into {table.name}: columns {columns} do not match")
    processors = [table.c[columns[i]].type.bind_processor(dialect) for i in order]
    for batch in _chunks(rows, CHUNK):
        converted = [
            tuple(
                value if convert is None or value is None else convert(value)
                for convert, value in zip(processors, (row[i] for i in order), strict=True)
            )
            for row in batch
        ]
        try:
            conn.exec_driver_sql(statement, converted)
        except IntegrityError as error:
            raise Conflict(
                f"the database refused the change: {error.orig}", table=table.name
            ) from error
        count += len(converted)
    return count
