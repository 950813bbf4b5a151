"""The set-based DuckDB engine gives exactly what the pure-Python domain gives, loan by loan."""

import datetime as dt
from decimal import Decimal

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given
from hypothesis import strategies as st

from arrears.adapters.engine.base import DuckDBEngine
from arrears.adapters.engine.delinquency import EngineInputs, delinquency_sql
from arrears.domain.allocation import AllocationMode, Waterfall
from arrears.domain.delinquency import (
    Bucket,
    BucketSet,
    DelinquencyPolicy,
    compute_delinquency,
    merge_pauses,
)
from arrears.domain.model import Component, Installment, Loan, Payment
from arrears.domain.money import Money
from strategies import as_of_dates, loans, pauses

MONEY = pa.decimal128(38, 4)


@st.composite
def portfolios(draw):
    count = draw(st.integers(1, 5))
    book = [draw(loans(currency="EUR", with_charges=True, loan_id=f"L{i}")) for i in range(count)]
    book_pauses = {loan.external_id: draw(pauses()) for loan in book}
    return book, book_pauses


def load(con, book, book_pauses):
    def table(rows, schema):
        columns = list(zip(*rows, strict=True)) if rows else [[] for _ in schema]
        return pa.table(
            [pa.array(c, type=f.type) for c, f in zip(columns, schema, strict=True)], schema=schema
        )

    inst = table(
        [
            (
                ln.external_id,
                i.number,
                i.due_date,
                i.principal.amount,
                i.interest.amount,
                i.fee.amount,
            )
            for ln in book
            for i in ln.installments
        ],
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
    )
    pay = table(
        [
            (ln.external_id, p.external_id, p.paid_on, p.amount.amount)
            for ln in book
            for p in ln.payments
        ],
        pa.schema(
            [
                ("loan_id", pa.string()),
                ("payment_id", pa.string()),
                ("paid_on", pa.date32()),
                ("amount", MONEY),
            ]
        ),
    )
    chg = table(
        [
            (ln.external_id, c.installment_no, c.charged_on, c.amount.amount)
            for ln in book
            for c in ln.charges
        ],
        pa.schema(
            [
                ("loan_id", pa.string()),
                ("installment_no", pa.int64()),
                ("charged_on", pa.date32()),
                ("amount", MONEY),
            ]
        ),
    )
    pse = table(
        [
            (loan, p.start, p.end)
            for loan, items in book_pauses.items()
            for p in merge_pauses(items)
        ],
        pa.schema(
            [("loan_id", pa.string()), ("start_date", pa.date32()), ("end_date", pa.date32())]
        ),
    )
    for name, arrow in {
        "installments": inst,
        "payments": pay,
        "charges": chg,
        "pauses": pse,
    }.items():
        con.register(f"a_{name}", arrow)
        con.execute(f"CREATE OR REPLACE TABLE {name} AS SELECT * FROM a_{name}")
        con.unregister(f"a_{name}")


policies = st.builds(
    DelinquencyPolicy,
    grace_days=st.integers(0, 7),
    tolerance=st.integers(0, 2000).map(lambda n: Decimal(n) / 100),
    buckets=st.sampled_from(
        [
            BucketSet.default(),
            BucketSet((Bucket("current", 0, 0), Bucket("early", 1, 10), Bucket("late", 11, None))),
        ]
    ),
    waterfall=st.sampled_from(
        [
            Waterfall(),
            Waterfall(AllocationMode.COMPONENT_FIRST),
            Waterfall(
                components=(
                    Component.PRINCIPAL,
                    Component.INTEREST,
                    Component.FEE,
                    Component.PENALTY,
                )
            ),
        ]
    ),
)


SHARED = duckdb.connect(":memory:")  # one in-memory database for all examples: fast


@pytest.fixture
def con():
    connection = duckdb.connect(":memory:")
    yield connection
    connection.close()


@given(portfolio=portfolios(), as_of=as_of_dates, policy=policies)
def test_engine_equals_domain(portfolio, as_of, policy):
    book, book_pauses = portfolio
    load(SHARED, book, book_pauses)
    sql = delinquency_sql(policy, as_of, EngineInputs(charges="charges", pauses="pauses"), scale=4)
    rows = {r[0]: r for r in SHARED.sql(sql).fetchall()}
    expected_ids = {ln.external_id for ln in book if ln.installments or ln.payments}
    assert set(rows) == expected_ids
    for loan in book:
        if loan.external_id not in rows:
            continue
        status = compute_delinquency(loan, as_of, policy, pauses=book_pauses[loan.external_id])
        (_, dpd, bucket, principal, interest, fee, total, missed, oldest, last_paid) = rows[
            loan.external_id
        ]
        assert dpd == status.dpd
        assert bucket == status.bucket
        assert principal == status.overdue[Component.PRINCIPAL].amount
        assert interest == status.overdue[Component.INTEREST].amount
        assert fee == status.overdue[Component.FEE].amount
        assert total == status.overdue_total.amount
        assert missed == status.missed_installments
        assert oldest == status.oldest_unpaid_due_date
        assert last_paid == status.last_payment_date


def test_edge_cases_by_example(con):
    """Overpayment, zero installments, same-day payments, payments after as_of."""
    d = dt.date
    eur = lambda v: Money.of(v, "EUR")  # noqa: E731
    book = [
        Loan(
            "over",
            "B",
            "EUR",
            (Installment(1, d(2026, 1, 1), eur("10"), eur("0"), eur("0")),),
            (Payment("o1", d(2026, 1, 1), eur("50")),),
        ),
        Loan("none", "B", "EUR", (), (Payment("n1", d(2026, 1, 1), eur("5")),)),
        Loan(
            "same",
            "B",
            "EUR",
            (Installment(1, d(2026, 1, 1), eur("10"), eur("0"), eur("0")),),
            (Payment("s1", d(2026, 1, 5), eur("4")), Payment("s2", d(2026, 1, 5), eur("6"))),
        ),
        Loan(
            "later",
            "B",
            "EUR",
            (Installment(1, d(2026, 1, 1), eur("10"), eur("0"), eur("0")),),
            (Payment("l1", d(2026, 3, 1), eur("10")),),
        ),
    ]
    load(con, book, {})
    rows = {
        r[0]: r for r in con.sql(delinquency_sql(DelinquencyPolicy(), d(2026, 2, 1))).fetchall()
    }
    assert rows["over"][1:3] == (0, "M0")
    assert rows["none"][1:3] == (0, "M0")
    assert rows["same"][1:3] == (0, "M0")
    assert rows["same"][9] == d(2026, 1, 5)
    assert rows["later"][1:3] == (31, "M2")
    assert rows["later"][9] is None


def test_a_parquet_input_replaces_an_earlier_arrow_table(tmp_path):
    engine = DuckDBEngine()
    try:
        engine.register_arrow("payments", pa.table({"amount": pa.array([1], pa.int64())}))
        pq.write_table(pa.table({"amount": pa.array([2, 3], pa.int64())}), tmp_path / "p.parquet")
        engine.register_parquet("payments", tmp_path / "p.parquet")
        assert engine.query_arrow("SELECT sum(amount) AS s FROM payments").to_pylist() == [{"s": 5}]
    finally:
        engine.close()
