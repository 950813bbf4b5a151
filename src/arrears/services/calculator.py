"""The standalone delinquency calculator: files in, one row per loan out (set-based).

The input files are validated and typed in DuckDB (one scan each, `adapters.engine.files`); the
delinquency query then runs on the chosen engine: DuckDB on the typed tables (default), or Spark
on Parquet copies of them written to a scratch folder (`work_dir`, by default next to `out`; on
a cluster it must be storage every executor reads). Either way the result is written by DuckDB,
atomically, in the same types and order, so the two engines' files are identical.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from arrears.adapters.config_files import load_delinquency_config
from arrears.adapters.engine.base import DuckDBEngine, DuckDBSettings, make_engine
from arrears.adapters.engine.delinquency import EngineInputs, delinquency_sql, pauses_table
from arrears.adapters.engine.files import FileSpec, file_format, load_all
from arrears.domain.errors import InvalidInput

if TYPE_CHECKING:
    import datetime as dt

    import duckdb
    import pyarrow as pa

    from arrears.domain.delinquency import DelinquencyPolicy

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


def _quote(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def _compute_on_spark(
    con: duckdb.DuckDBPyConnection,
    policy: DelinquencyPolicy,
    as_of: dt.date,
    *,
    scale: int,
    pauses: pa.Table,
    work_dir: Path,
) -> None:
    """Hand the typed inputs to Spark as Parquet, run the query there, keep the result in
    DuckDB table `result`."""
    work_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".arrears-spark-", dir=work_dir) as scratch:
        folder = Path(scratch)
        for name in ("installments", "payments"):
            con.execute(f"COPY {name} TO {_quote(folder / f'{name}.parquet')} (FORMAT parquet)")
        spark = make_engine("spark")
        try:
            spark.register_parquet("installments", folder / "installments.parquet")
            spark.register_parquet("payments", folder / "payments.parquet")
            spark.register_arrow("pauses", pauses)
            table = spark.query_arrow(
                delinquency_sql(policy, as_of, EngineInputs(pauses="pauses"), scale=scale)
            )
        finally:
            spark.close()
    con.register("spark_result", table)
    con.execute("CREATE TEMP TABLE result AS SELECT * FROM spark_result ORDER BY loan_id")
    con.unregister("spark_result")


def run_calculator(
    *,
    as_of: dt.date,
    installments: Path,
    payments: Path,
    out: Path,
    config: Path | None = None,
    threads: int | None = None,
    engine: str = "duckdb",
    memory_limit: str | None = None,
    temp_directory: Path | None = None,
    work_dir: Path | None = None,
) -> CalculatorSummary:
    """Validate the inputs, compute delinquency as of `as_of` on `engine` (duckdb or spark) and
    write `out` atomically. `threads`, `memory_limit` (e.g. "8GB") and `temp_directory` (where
    DuckDB spills) tune DuckDB; unset, they come from ARREARS_DUCKDB_* (docs/engines.md)."""
    if engine not in {"duckdb", "spark"}:
        raise InvalidInput(f"unknown engine {engine!r}: use duckdb or spark")
    loaded = load_delinquency_config(config)
    out_format = file_format(out)
    tuned = DuckDBSettings.from_environment().override(
        threads=threads, memory_limit=memory_limit, temp_directory=temp_directory
    )
    duck = DuckDBEngine(settings=tuned)
    con = duck.con
    try:
        load_all(con, [(installments, INSTALLMENTS), (payments, PAYMENTS)], scale=loaded.scale)
        pauses = pauses_table(loaded.pauses)
        if engine == "spark":
            _compute_on_spark(
                con,
                loaded.policy,
                as_of,
                scale=loaded.scale,
                pauses=pauses,
                work_dir=work_dir or out.parent,
            )
        else:
            con.register("pauses", pauses)
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
            options = "FORMAT csv, HEADER true" if out_format == "csv" else "FORMAT parquet"
            con.execute(f"COPY result TO {_quote(tmp)} ({options})")
            tmp.replace(out)
        finally:
            tmp.unlink(missing_ok=True)
        counts = con.sql("SELECT bucket, count(*) FROM result GROUP BY bucket").fetchall()
    finally:
        duck.close()
    by_bucket = dict.fromkeys(loaded.policy.buckets.names, 0)
    by_bucket.update({str(name): int(n) for name, n in counts})
    total = sum(by_bucket.values())
    first = loaded.policy.buckets.names[0]
    return CalculatorSummary(
        loans=total, delinquent=total - by_bucket[first], by_bucket=by_bucket, out=out
    )
