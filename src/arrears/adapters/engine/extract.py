"""Move the book from the system of record into DuckDB in bulk (Arrow batches, not ORM rows)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pyarrow as pa
from sqlalchemy import Select, select

from arrears.adapters.store import tables as t

if TYPE_CHECKING:
    from sqlalchemy import Connection, Engine

    from arrears.adapters.engine.base import SqlEngine

CHUNK = 50_000
MONEY = pa.decimal128(38, 4)


def _book_queries() -> dict[str, tuple[Select[Any], pa.Schema]]:
    """Typed Core selects, so every dialect hands back dates and Decimals, never text."""
    b, ln, i, p, c = (t.borrowers, t.loans, t.installments, t.payments, t.charges)
    return {
        "loans": (
            select(
                ln.c.external_id, b.c.external_id, ln.c.currency, ln.c.id, ln.c.borrower_id
            ).join_from(ln, b, b.c.id == ln.c.borrower_id),
            pa.schema(
                [
                    ("loan_id", pa.string()),
                    ("borrower_id", pa.string()),
                    ("currency", pa.string()),
                    ("loan_pk", pa.int64()),
                    ("borrower_pk", pa.int64()),
                ]
            ),
        ),
        "installments": (
            select(
                ln.c.external_id,
                i.c.installment_no,
                i.c.due_date,
                i.c.principal,
                i.c.interest,
                i.c.fee,
            ).join_from(i, ln, ln.c.id == i.c.loan_id),
            pa.schema(
                [
                    ("loan_id", pa.string()),
                    ("installment_no", pa.int64()),
                    ("due_date", pa.date32()),
                    ("principal", MONEY),
                    ("interest", MONEY),
                    ("fee", MONEY),
                ]
            ),
        ),
        "payments": (
            select(ln.c.external_id, p.c.external_id, p.c.paid_on, p.c.amount).join_from(
                p, ln, ln.c.id == p.c.loan_id
            ),
            pa.schema(
                [
                    ("loan_id", pa.string()),
                    ("payment_id", pa.string()),
                    ("paid_on", pa.date32()),
                    ("amount", MONEY),
                ]
            ),
        ),
        "charges": (
            select(
                ln.c.external_id,
                c.c.installment_no,
                c.c.charged_on,
                c.c.amount,
                c.c.rule_id,
                c.c.period_key,
            ).join_from(c, ln, ln.c.id == c.c.loan_id),
            pa.schema(
                [
                    ("loan_id", pa.string()),
                    ("installment_no", pa.int64()),
                    ("charged_on", pa.date32()),
                    ("amount", MONEY),
                    ("rule_id", pa.string()),
                    ("period_key", pa.string()),
                ]
            ),
        ),
    }


def read_arrow(conn: Connection, query: Select[Any], schema: pa.Schema) -> pa.Table:
    """Stream a typed Core select into Arrow on `conn` (in its transaction, its snapshot), in
    chunks of CHUNK rows; dates and Decimals stay typed. The streaming option is set on the
    statement, never on the connection, so later statements on `conn` are not affected."""
    batches: list[pa.RecordBatch] = []
    result = conn.execute(query.execution_options(yield_per=CHUNK))
    for rows in result.partitions(CHUNK):
        columns = list(zip(*rows, strict=True))
        batches.append(
            pa.record_batch(
                [
                    pa.array(col, type=field.type)
                    for col, field in zip(columns, schema, strict=True)
                ],
                schema=schema,
            )
        )
    return pa.Table.from_batches(batches, schema=schema)


def read_table(engine: Engine, query: Select[Any], schema: pa.Schema) -> pa.Table:
    """`read_arrow` on a connection of its own."""
    with engine.connect() as conn:
        return read_arrow(conn, query, schema)


def load_book(engine: Engine, target: SqlEngine) -> None:
    """Create tables loans, installments, payments, charges in `target` from the database."""
    for name, (query, schema) in _book_queries().items():
        target.register_arrow(name, read_table(engine, query, schema))
