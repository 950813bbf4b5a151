"""The nightly cycle's set-based work on a Parquet-fed book: what "whole cycle" measures.

The system-of-record cycle (`arrears cycle`) reads the book from SQLite / PostgreSQL and writes
every step's rows back through the database; at 10M accounts that is the database's time, not
the engine's. This runs the same engine SQL for every step on the Parquet book and writes each
step's rows to Parquet instead (the bulk write), in one process:

1. status: the delinquency query (`delinquency_sql`, as `services.cycle.compute_status` builds it)
2. delinquency_snapshot: status joined to loans, written (the step's SELECT)
3. bucket_transitions: open bucket tags (from the previous day's run) lifted / opened
4. charge_accrual: `accrue_charges` with a late fee, a capped percent fee and penalty interest
5. customer_aggregation: per borrower and currency (the step's SELECT)

`python -m bench.cycle_bench BOOK AS_OF ENGINE OUT_DIR [--prepare]`; --prepare writes the
previous day's open tags (history.parquet) for step 3 and is not timed.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import time
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from arrears.adapters.engine.base import make_engine
from arrears.adapters.engine.charges import ChargeWindow, accrue_charges
from arrears.adapters.engine.delinquency import EngineInputs, delinquency_sql, pauses_table
from arrears.domain.charges import ChargePolicy, FeeBasis, LateFeeRule, PenaltyInterestRule
from arrears.domain.delinquency import DelinquencyPolicy

RULES = ChargePolicy(
    late_fees=(
        LateFeeRule("late-15", 15, flat_amounts={"EUR": Decimal("25.00")}),
        LateFeeRule(
            "late-30-pct",
            30,
            basis=FeeBasis.PERCENT_OF_INSTALLMENT,
            percent=Decimal("0.05"),
            cap={"EUR": Decimal("40.00")},
        ),
    ),
    penalty_interest=(PenaltyInterestRule("penalty", Decimal("0.24")),),
)
CHARGES = pa.schema(
    [
        ("loan_id", pa.string()),
        ("installment_no", pa.int64()),
        ("charged_on", pa.date32()),
        ("amount", pa.decimal128(38, 4)),
        ("rule_id", pa.string()),
        ("period_key", pa.string()),
    ]
)


def main(book: Path, as_of: dt.date, engine_name: str, out: Path, *, prepare: bool) -> None:
    out.mkdir(parents=True, exist_ok=True)
    policy = DelinquencyPolicy()
    timings: dict[str, float] = {}
    started = time.perf_counter()
    engine = make_engine(engine_name)

    def step(name: str, started_at: float) -> float:
        now = time.perf_counter()
        timings[name] = round(now - started_at, 3)
        return now

    try:
        engine.register_parquet("installments", book / "installments.parquet")
        engine.register_parquet("payments", book / "payments.parquet")
        engine.register_parquet("loan_file", book / "loans.parquet")
        engine.create_table(
            "loans",
            "SELECT loan_id, borrower_id, currency, "
            "CAST(substr(loan_id, 2) AS BIGINT) AS loan_pk, "
            "CAST(substr(borrower_id, 2) AS BIGINT) AS borrower_pk FROM loan_file",
        )
        engine.register_arrow("charges", CHARGES.empty_table())
        engine.register_arrow("pauses", pauses_table({}))
        day = as_of - dt.timedelta(days=1) if prepare else as_of
        t = step("load", started)
        engine.create_table(
            "status",
            delinquency_sql(policy, day, EngineInputs(charges="charges", pauses="pauses"), scale=4),
        )
        t = step("status", t)
        if prepare:
            tags = engine.query_arrow(
                "SELECT loan_id, bucket FROM status WHERE bucket <> 'M0' ORDER BY loan_id"
            )
            pq.write_table(tags, out / "history.parquet")
            return
        snapshot = engine.query_arrow(
            "SELECT l.loan_pk, s.dpd, s.bucket, s.overdue_principal, s.overdue_interest, "
            "s.overdue_fee, s.overdue_total - s.overdue_principal - s.overdue_interest "
            "- s.overdue_fee AS overdue_penalty, s.overdue_total, s.missed_installments, "
            "s.oldest_unpaid_due_date, s.last_payment_date "
            "FROM status s JOIN loans l ON l.loan_id = s.loan_id ORDER BY l.loan_pk"
        )
        pq.write_table(snapshot, out / "snapshot.parquet")
        del snapshot
        t = step("delinquency_snapshot", t)
        engine.register_parquet("history", out / "history.parquet")
        transitions = engine.query_arrow(
            "SELECT h.loan_id, h.bucket AS from_bucket, s.bucket AS to_bucket, 'lifted' AS kind "
            "FROM history h JOIN status s ON s.loan_id = h.loan_id WHERE s.bucket <> h.bucket "
            "UNION ALL SELECT s.loan_id, CAST(NULL AS VARCHAR), s.bucket, 'opened' "
            "FROM status s LEFT JOIN history h ON h.loan_id = s.loan_id "
            "WHERE s.bucket <> 'M0' AND (h.loan_id IS NULL OR h.bucket <> s.bucket) "
            "ORDER BY 1, 4"
        )
        pq.write_table(transitions, out / "transitions.parquet")
        t = step("bucket_transitions", t)
        name = accrue_charges(
            engine, policy, RULES, ChargeWindow(as_of - dt.timedelta(days=1), as_of)
        )
        charges = engine.query_arrow(
            f"SELECT l.loan_pk, n.* FROM {name} n JOIN loans l ON l.loan_id = n.loan_id "
            "ORDER BY l.loan_pk, n.rule_id, n.period_key"
        )
        pq.write_table(charges, out / "charges.parquet")
        t = step("charge_accrual", t)
        aggregate = engine.query_arrow(
            "SELECT l.borrower_pk, l.currency, count(*) AS loans, "
            "count(*) FILTER (WHERE s.dpd > 0) AS delinquent_loans, max(s.dpd) AS worst_dpd, "
            "arg_max(s.bucket, s.dpd) AS worst_bucket, sum(s.overdue_total) AS overdue_total "
            "FROM status s JOIN loans l ON l.loan_id = s.loan_id "
            "GROUP BY l.borrower_pk, l.currency ORDER BY l.borrower_pk, l.currency"
        )
        pq.write_table(aggregate, out / "borrowers.parquet")
        step("customer_aggregation", t)
        rows = {
            "snapshot": pq.read_metadata(out / "snapshot.parquet").num_rows,
            "transitions": transitions.num_rows,
            "charges": charges.num_rows,
            "borrowers": aggregate.num_rows,
        }
        print("CYCLE" + json.dumps({"steps": timings, "rows": rows}))
    finally:
        engine.close()


if __name__ == "__main__":
    main(
        Path(sys.argv[1]),
        dt.date.fromisoformat(sys.argv[2]),
        sys.argv[3],
        Path(sys.argv[4]),
        prepare="--prepare" in sys.argv[5:],
    )
