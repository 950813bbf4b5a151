"""The charge accrual SQL posts exactly what the domain's `assess_charges` posts, run as the
nightly cycle runs it: window after window of business dates, each seeing the charges before."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from arrears.adapters.engine.base import DuckDBEngine
from arrears.adapters.engine.charges import (
    ChargeWindow,
    accrue_charges,
    month_ends,
)
from arrears.domain.allocation import AllocationMode, Waterfall
from arrears.domain.charges import (
    ChargePolicy,
    FeeBasis,
    LateFeeRule,
    PenaltyInterestRule,
    assess_charges,
)
from arrears.domain.delinquency import DelinquencyPolicy, Pause, merge_pauses
from arrears.domain.model import Installment, Loan, Payment
from arrears.domain.money import Money
from strategies import START, loans, pauses

MONEY = pa.decimal128(38, 4)
D = dt.date
FLAT = LateFeeRule(
    "late-10", days_after_due=10, flat_amounts={"EUR": Decimal(25), "JPY": Decimal(3000)}
)
PERCENT = LateFeeRule(
    "pct-20",
    days_after_due=20,
    basis=FeeBasis.PERCENT_OF_INSTALLMENT,
    percent=Decimal("0.0525"),
    cap={"EUR": Decimal("30.00"), "CNY": Decimal("80.5")},
)
PENALTY = PenaltyInterestRule("penalty", annual_rate=Decimal("0.2375"))
ALL_RULES = ChargePolicy(late_fees=(FLAT, PERCENT), penalty_interest=(PENALTY,))


def _table(rows, schema):
    columns = list(zip(*rows, strict=True)) if rows else [[] for _ in schema]
    return pa.table(
        [pa.array(c, type=f.type) for c, f in zip(columns, schema, strict=True)], schema=schema
    )


CHARGES_SCHEMA = pa.schema(
    [
        ("loan_id", pa.string()),
        ("installment_no", pa.int64()),
        ("rule_id", pa.string()),
        ("period_key", pa.string()),
        ("charged_on", pa.date32()),
        ("amount", MONEY),
    ]
)


def _load(engine, book, book_pauses):
    engine.register_arrow(
        "loans",
        _table(
            [(ln.external_id, ln.currency) for ln in book],
            pa.schema([("loan_id", pa.string()), ("currency", pa.string())]),
        ),
    )
    engine.register_arrow(
        "installments",
        _table(
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
        ),
    )
    engine.register_arrow(
        "payments",
        _table(
            [(ln.external_id, p.paid_on, p.amount.amount) for ln in book for p in ln.payments],
            pa.schema([("loan_id", pa.string()), ("paid_on", pa.date32()), ("amount", MONEY)]),
        ),
    )
    engine.register_arrow(
        "pauses",
        _table(
            [(loan, p.start, p.end) for loan, items in book_pauses.items() for p in items],
            pa.schema(
                [("loan_id", pa.string()), ("start_date", pa.date32()), ("end_date", pa.date32())]
            ),
        ),
    )


def engine_run(engine, book, book_pauses, policy, charges, cuts):  # noqa: PLR0917
    """Run the step for windows (cuts[k-1], cuts[k]]; returns {(loan, rule, period): (inst,
    date, amount)}."""
    _load(engine, book, book_pauses)
    posted: list[tuple] = []
    for since, until in itertools.pairwise(cuts):
        engine.register_arrow("charges", _table(posted, CHARGES_SCHEMA))
        name = accrue_charges(engine, policy, charges, ChargeWindow(since, until))
        new = engine.query_arrow(
            f"SELECT loan_id, installment_no, rule_id, period_key, charged_on, amount FROM {name}"
        )
        posted.extend(zip(*(c.to_pylist() for c in new.columns), strict=True))
    return {(r[0], r[2], r[3]): (r[1], r[4], r[5]) for r in posted}


def domain_run(book, book_pauses, policy, charges, days):
    result = {}
    for loan in book:
        current = loan
        for day in days:
            new = assess_charges(
                current,
                day,
                charges,
                pauses=book_pauses.get(loan.external_id, ()),
                waterfall=policy.waterfall,
            )
            current = current.with_charges(new)
            for c in new:
                result[(loan.external_id, c.rule_id, c.period_key)] = (
                    c.installment_no,
                    c.charged_on,
                    c.amount.amount,
                )
    return result


@pytest.fixture(scope="module")
def engine():
    con = DuckDBEngine(threads=1)
    yield con
    con.close()


def _loan(loan_id="L1", currency="EUR", payments=()):
    return Loan(
        external_id=loan_id,
        borrower_id="B1",
        currency=currency,
        installments=tuple(
            Installment(
                number=n,
                due_date=D(2026, n, 5),
                principal=Money(Decimal("100.00"), currency),
                interest=Money(Decimal("10.00"), currency),
                fee=Money(Decimal(0), currency),
            )
            for n in (1, 2, 3)
        ),
        payments=tuple(
            Payment(external_id=f"{loan_id}-{i}", paid_on=day, amount=Money(amount, currency))
            for i, (day, amount) in enumerate(payments)
        ),
    )


def test_day_by_day_equals_the_domain_on_a_small_book(engine):
    book = [
        _loan("L1"),
        _loan("L2", payments=((D(2026, 1, 5), Decimal("110.00")), (D(2026, 2, 20), Decimal(60)))),
        _loan("L3", payments=((D(2026, 1, 30), Decimal("500.00")),)),
    ]
    book_pauses = {"L2": (Pause(D(2026, 2, 10), D(2026, 2, 17)),)}
    days = [D(2026, 1, 1) + dt.timedelta(days=n) for n in range(100)]
    policy = DelinquencyPolicy()
    got = engine_run(engine, book, book_pauses, policy, ALL_RULES, days)
    want = domain_run(book, book_pauses, policy, ALL_RULES, days[1:])
    assert got == want
    assert {key[1] for key in got} == {"late-10", "pct-20", "penalty"}
    # a rerun of the last day finds everything posted
    assert engine.query_arrow("SELECT count(*) FROM chg_candidates").column(0)[0].as_py() >= 0


@st.composite
def books(draw):
    count = draw(st.integers(1, 4))
    currency = draw(st.sampled_from(("EUR", "JPY", "CNY")))
    book = [draw(loans(currency=currency, loan_id=f"L{i}")) for i in range(count)]
    book_pauses = {ln.external_id: merge_pauses(draw(pauses())) for ln in book}
    return book, book_pauses


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    books(),
    st.lists(st.integers(1, 120), min_size=1, max_size=5),
    st.sampled_from(list(AllocationMode)),
    st.sampled_from(
        (ALL_RULES, ChargePolicy(late_fees=(PERCENT,)), ChargePolicy(penalty_interest=(PENALTY,)))
    ),
)
def test_windows_of_cycles_equal_the_domain(engine, drawn, gaps, mode, charges):
    book, book_pauses = drawn
    policy = DelinquencyPolicy(waterfall=Waterfall(mode))
    cuts = [START - dt.timedelta(days=1)]
    for gap in gaps:
        cuts.append(cuts[-1] + dt.timedelta(days=gap))
    got = engine_run(engine, book, book_pauses, policy, charges, cuts)
    want = domain_run(book, book_pauses, policy, charges, cuts[1:])
    assert got == want


def test_month_ends_of_a_window():
    assert month_ends(D(2026, 1, 31), D(2026, 3, 31)) == [D(2026, 2, 28), D(2026, 3, 31)]
    assert month_ends(D(2026, 1, 30), D(2026, 1, 31)) == [D(2026, 1, 31)]
    assert month_ends(D(2026, 1, 31), D(2026, 2, 27)) == []
