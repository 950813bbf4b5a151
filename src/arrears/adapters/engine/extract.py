"""Move the book from the system of record into DuckDB in bulk (Arrow batches, not ORM rows)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pyarrow as pa
from sqlalchemy import text

if TYPE_CHECKING:
    import duckdb
    from sqlalchemy import Engine

CHUNK = 50_000
MONEY = pa.decimal128(38, 4)

BOOK_QUERIES: dict[str, tuple[str, pa.Schema]] = {
    "loans": (
        (
            "SELECT l.external_id, b.external_id, l.currency FROM loans l "
            "JOIN borrowers b ON b.id = l.borrower_id"
        ),
        pa.schema(
            [("loan_id", pa.string()), ("borrower_id", pa.string()), ("currency", pa.string())]
        ),
    ),
    "installments": (
        (
            "SELECT l.external_id, i.installment_no, i.due_date, i.principal, i.interest, i.fee "
            "FROM installments i JOIN loans l ON l.id = i.loan_id"
        ),
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
        (
            "SELECT l.external_id, p.external_id, p.paid_on, p.amount "
            "FROM payments p JOIN loans l ON l.id = p.loan_id"
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
        (
            "SELECT l.external_id, c.installment_no, c.charged_on, c.amount "
            "FROM charges c JOIN loans l ON l.id = c.loan_id"
        ),
        pa.schema(
            [
                ("loan_id", pa.string()),
                ("installment_no", pa.int64()),
                ("charged_on", pa.date32()),
                ("amount", MONEY),
            ]
        ),
    ),
}


def read_table(engine: Engine, sql: str, schema: pa.Schema) -> pa.Table:
    batches: list[pa.RecordBatch] = []
    with engine.connect() as conn:
        result = conn.execution_options(stream_results=True, yield_per=CHUNK).execute(text(sql))
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


def load_book(engine: Engine, con: duckdb.DuckDBPyConnection) -> None:
    """Create DuckDB tables loans, installments, payments, charges from the database."""
    for name, (sql, schema) in BOOK_QUERIES.items():
        arrow = read_table(engine, sql, schema)
        con.register(f"_arrow_{name}", arrow)
        con.execute(f"CREATE OR REPLACE TABLE {name} AS SELECT * FROM _arrow_{name}")
        con.unregister(f"_arrow_{name}")
