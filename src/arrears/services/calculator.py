"""The standalone delinquency calculator: files in, one row per loan out (set-based, DuckDB)."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from arrears.adapters.config_files import load_delinquency_config
from arrears.adapters.engine.delinquency import EngineInputs, delinquency_sql, pauses_table
from arrears.adapters.engine.files import FileSpec, file_format, load_all

if TYPE_CHECKING:
    import datetime as dt

INSTALLMENTS = FileSpec(
    name="installments",
    columns={
        "loan_id": "text",
        "installment_no": "int",
        "due_date": "date",
        "principal": "money",
        "interest": "money",
        "fee": "money",
    },
    key=("loan_id", "installment_no"),
    increasing=("loan_id", "installment_no", "due_date"),
)
PAYMENTS = FileSpec(
    name="payments",
    columns={
        "loan_id": "text",
        "payment_id": "text",
        "paid_on": "date",
        "amount": "positive_money",
    },
    key=("payment_id",),
)


@dataclass(frozen=True, slots=True)
class CalculatorSummary:
    loans: int
    delinquent: int
    by_bucket: dict[str, int]
    out: Path


def run_calculator(
    *,
    as_of: dt.date,
    installments: Path,
    payments: Path,
    out: Path,
    config: Path | None = None,
    threads: int | None = None,
) -> CalculatorSummary:
    """Validate the inputs, compute delinquency as of `as_of` and write `out` atomically."""
    loaded = load_delinquency_config(config)
    out_format = file_format(out)
    con = duckdb.connect(":memory:")
    try:
        if threads:
            con.execute(f"SET threads = {int(threads)}")
        load_all(con, [(installments, INSTALLMENTS), (payments, PAYMENTS)], scale=loaded.scale)
        con.register("pauses", pauses_table(loaded.pauses))
        query = delinquency_sql(
            loaded.policy,
            as_of,
            EngineInputs(pauses="pauses"),
            scale=loaded.scale,
        )
        con.execute(f"CREATE TEMP TABLE result AS {query}")
        out.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{out.name}.", dir=out.parent)
        os.close(fd)
        tmp = Path(tmp_name)
        try:
            target = "'" + str(tmp).replace("'", "''") + "'"
            options = "FORMAT csv, HEADER true" if out_format == "csv" else "FORMAT parquet"
            con.execute(f"COPY result TO {target} ({options})")
            tmp.replace(out)
        finally:
            tmp.unlink(missing_ok=True)
        counts = con.sql("SELECT bucket, count(*) FROM result GROUP BY bucket").fetchall()
    finally:
        con.close()
    by_bucket = dict.fromkeys(loaded.policy.buckets.names, 0)
    by_bucket.update({str(name): int(n) for name, n in counts})
    total = sum(by_bucket.values())
    first = loaded.policy.buckets.names[0]
    return CalculatorSummary(
        loans=total, delinquent=total - by_bucket[first], by_bucket=by_bucket, out=out
    )
