"""Portfolio reports computed set-based over the book (DuckDB), never loan by loan in Python."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from arrears.adapters.config_files import load_delinquency_config
from arrears.adapters.engine.base import DuckDBEngine
from arrears.adapters.engine.delinquency import EngineInputs, delinquency_sql, pauses_table
from arrears.adapters.engine.extract import load_book

if TYPE_CHECKING:
    import datetime as dt
    from pathlib import Path

    from sqlalchemy import Engine


@dataclass(frozen=True, slots=True)
class BucketRow:
    bucket: str
    loans: int
    share: float
    borrowers: int  # borrowers whose worst loan is in this bucket
    overdue: dict[str, Decimal]  # currency -> overdue total


@dataclass(frozen=True, slots=True)
class BucketReport:
    as_of: dt.date
    rows: tuple[BucketRow, ...]
    currencies: tuple[str, ...]
    loans: int
    borrowers: int
    delinquent_loans: int

    @property
    def delinquent_share(self) -> float:
        return self.delinquent_loans / self.loans if self.loans else 0.0


def bucket_report(engine: Engine, *, as_of: dt.date, config: Path | None = None) -> BucketReport:
    loaded = load_delinquency_config(config)
    policy = loaded.policy
    book = DuckDBEngine()
    con = book.con
    try:
        load_book(engine, book)
        book.register_arrow("pauses", pauses_table(loaded.pauses))
        con.execute(
            "CREATE TEMP TABLE status AS "
            + delinquency_sql(
                policy, as_of, EngineInputs(charges="charges", pauses="pauses"), scale=4
            )
        )
        by_bucket = dict(con.sql("SELECT bucket, count(*) FROM status GROUP BY bucket").fetchall())
        overdue = con.sql(
            "SELECT s.bucket, l.currency, sum(s.overdue_total) FROM status s "
            "JOIN loans l USING (loan_id) GROUP BY 1, 2"
        ).fetchall()
        worst = dict(
            con.sql(
                "SELECT bucket, count(*) FROM (SELECT l.borrower_id, max(s.dpd) AS dpd "
                "FROM status s JOIN loans l USING (loan_id) GROUP BY 1) w "
                "JOIN (SELECT DISTINCT dpd, bucket FROM status) b USING (dpd) GROUP BY 1"
            ).fetchall()
        )
        borrowers = con.sql("SELECT count(DISTINCT borrower_id) FROM loans").fetchall()[0][0]
    finally:
        con.close()
    total = sum(int(v) for v in by_bucket.values())
    currencies = tuple(sorted({str(c) for _, c, _ in overdue}))
    amounts: dict[str, dict[str, Decimal]] = {}
    for bucket, currency, amount in overdue:
        amounts.setdefault(str(bucket), {})[str(currency)] = Decimal(amount)
    report_rows = tuple(
        BucketRow(
            bucket=name,
            loans=int(by_bucket.get(name, 0)),
            share=int(by_bucket.get(name, 0)) / total if total else 0.0,
            borrowers=int(worst.get(name, 0)),
            overdue=amounts.get(name, {}),
        )
        for name in policy.buckets.names
    )
    first = policy.buckets.names[0]
    return BucketReport(
        as_of=as_of,
        rows=report_rows,
        currencies=currencies,
        loans=total,
        borrowers=int(borrowers),
        delinquent_loans=total - int(by_bucket.get(first, 0)),
    )
