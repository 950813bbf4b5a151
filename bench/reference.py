"""The reference: the delinquency computation as ONE hand-tuned DuckDB query, Parquet to Parquet.

Written for the benchmark book's policy only (installment-first waterfall, penalty / fee /
interest / principal, no grace, no tolerance, no pauses, no charges) and without input
validation: the fastest DuckDB does it, to judge the engine's general query against.

`python -m bench.reference BOOK_FOLDER AS_OF OUT.parquet`
"""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb

from arrears.adapters.engine.base import DuckDBSettings

QUERY = """
COPY (
    WITH
    received AS (
        SELECT loan_id, sum(amount) AS received, max(paid_on) AS last_paid
        FROM read_parquet('{book}/payments.parquet')
        WHERE paid_on <= DATE '{as_of}' GROUP BY loan_id
    ),
    inst AS (
        SELECT loan_id, installment_no, due_date, fee, interest, principal,
               fee + interest + principal AS due,
               sum(fee + interest + principal) OVER (PARTITION BY loan_id ORDER BY installment_no)
                 - (fee + interest + principal) AS cum_before
        FROM read_parquet('{book}/installments.parquet')
    ),
    paid AS (
        SELECT i.*, least(due, greatest(coalesce(r.received, 0) - cum_before, 0)) AS p
        FROM inst i LEFT JOIN received r USING (loan_id)
    ),
    owed AS (
        SELECT loan_id, due_date,
               fee - least(fee, p) AS o_fee,
               interest - least(interest, p - least(fee, p)) AS o_interest,
               due - p AS o_total
        FROM paid
        WHERE due_date < DATE '{as_of}'
    ),
    per_loan AS (
        SELECT loan_id,
               sum(o_fee) AS fee, sum(o_interest) AS interest, sum(o_total) AS total,
               count(*) FILTER (WHERE o_total > 0) AS missed,
               min(due_date) FILTER (WHERE o_total > 0) AS oldest
        FROM owed GROUP BY loan_id
    )
    SELECT l.loan_id,
           coalesce(date_diff('day', o.oldest, DATE '{as_of}'), 0) AS dpd,
           CASE WHEN dpd = 0 THEN 'M0' WHEN dpd <= 30 THEN 'M1' WHEN dpd <= 60 THEN 'M2'
                WHEN dpd <= 90 THEN 'M3' WHEN dpd <= 120 THEN 'M4' WHEN dpd <= 150 THEN 'M5'
                WHEN dpd <= 180 THEN 'M6' ELSE 'M7' END AS bucket,
           coalesce(o.total - o.fee - o.interest, 0)::DECIMAL(18, 2) AS overdue_principal,
           coalesce(o.interest, 0)::DECIMAL(18, 2) AS overdue_interest,
           coalesce(o.fee, 0)::DECIMAL(18, 2) AS overdue_fee,
           coalesce(o.total, 0)::DECIMAL(18, 2) AS overdue_total,
           coalesce(o.missed, 0) AS missed_installments,
           o.oldest AS oldest_unpaid_due_date,
           r.last_paid AS last_payment_date
    FROM (SELECT DISTINCT loan_id FROM read_parquet('{book}/installments.parquet')) l
    LEFT JOIN per_loan o USING (loan_id)
    LEFT JOIN received r USING (loan_id)
    ORDER BY l.loan_id
) TO '{out}' (FORMAT parquet)
"""


def main(book: Path, as_of: str, out: Path) -> None:
    con = duckdb.connect()
    DuckDBSettings.from_environment().apply(con)  # the same memory cap as the engine gets
    con.execute(QUERY.format(book=book, as_of=as_of, out=out))
    con.close()


if __name__ == "__main__":
    main(Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3]))
