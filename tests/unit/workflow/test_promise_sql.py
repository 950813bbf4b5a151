"""The cycle's promise evaluation SQL equals the domain's `evaluate_promises`, promise by
promise, on generated cases (several sets, partial promises, same-day sets, late and early
payments, payments after the business date)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pyarrow as pa
from hypothesis import given
from hypothesis import strategies as st

from arrears.adapters.engine.base import DuckDBEngine
from arrears.adapters.workflow_sql import promise_evaluation_sql
from arrears.domain.model import Payment
from arrears.domain.money import Money
from arrears.domain.workflow.promises import Promise, PromisePolicy, evaluate_promises
from arrears.domain.workflow.workdays import WorkingCalendar

START = dt.date(2026, 3, 2)
POLICY = PromisePolicy(max_horizon_days=5, grace_days=2)
MONEY = pa.decimal128(38, 4)


@st.composite
def histories(draw: st.DrawFn) -> tuple[list[Promise], list[Payment], dt.date]:
    promises: list[Promise] = []
    for set_no in range(draw(st.integers(1, 3))):
        made_on = START + dt.timedelta(days=draw(st.integers(0, 12)))
        promises.extend(
            Promise(
                promise_id=f"P{set_no}-{member}",
                case_id="C1",
                set_id=f"S{set_no}",
                made_on=made_on,
                due_on=made_on + dt.timedelta(days=draw(st.integers(0, 5))),
                amount=Money(Decimal(draw(st.integers(1, 500))), "EUR"),
            )
            for member in range(draw(st.integers(1, 3)))
        )
    payments = [
        Payment(
            external_id=f"X{n}",
            paid_on=START + dt.timedelta(days=draw(st.integers(-3, 25))),
            amount=Money(Decimal(draw(st.integers(1, 400))) / 2, "EUR"),
        )
        for n in range(draw(st.integers(0, 5)))
    ]
    as_of = START + dt.timedelta(days=draw(st.integers(0, 25)))
    return promises, payments, as_of


def _run_sql(promises: list[Promise], payments: list[Payment], as_of: dt.date) -> dict[str, tuple]:
    engine = DuckDBEngine()
    try:
        engine.register_arrow(
            "promises_in",
            pa.table(
                {
                    "promise_id": [p.promise_id for p in promises],
                    "case_id": [p.case_id for p in promises],
                    "set_id": [p.set_id for p in promises],
                    "made_on": pa.array([p.made_on for p in promises], pa.date32()),
                    "due_on": pa.array([p.due_on for p in promises], pa.date32()),
                    "deadline": pa.array([p.deadline(POLICY) for p in promises], pa.date32()),
                    "amount": pa.array([p.amount.amount for p in promises], MONEY),
                    "currency": [p.amount.currency for p in promises],
                }
            ),
        )
        engine.register_arrow(
            "payments_in",
            pa.table(
                {
                    "case_id": pa.array(["C1"] * len(payments), pa.string()),
                    "paid_on": pa.array([p.paid_on for p in payments], pa.date32()),
                    "amount": pa.array([p.amount.amount for p in payments], MONEY),
                    "currency": pa.array(["EUR"] * len(payments), pa.string()),
                }
            ),
        )
        result = engine.query_arrow(
            promise_evaluation_sql(as_of, promises="promises_in", payments="payments_in")
        ).to_pylist()
    finally:
        engine.close()
    return {r["promise_id"]: (r["status"], r["credited"], r["deadline"]) for r in result}


@given(histories())
def test_sql_equals_the_domain_promise_by_promise(history):
    promises, payments, as_of = history
    expected = {
        r.promise_id: (r.status.value, r.credited.amount, r.deadline)
        for r in evaluate_promises(
            promises, payments, as_of=as_of, policy=POLICY, calendar=WorkingCalendar()
        )
    }
    got = _run_sql(promises, payments, as_of)
    assert set(got) == set(expected)
    for promise_id, (status, credited, deadline) in expected.items():
        assert got[promise_id][0] == status, promise_id
        assert Decimal(got[promise_id][1]) == credited, promise_id
        assert got[promise_id][2] == deadline


def test_a_worked_example_part_now_rest_later():
    made = START
    promises = [
        Promise("P1", "C1", "S1", made, made, Money(Decimal(100), "EUR")),
        Promise("P2", "C1", "S1", made, made + dt.timedelta(days=3), Money(Decimal(200), "EUR")),
    ]
    payments = [
        Payment("X1", made, Money(Decimal(100), "EUR")),
        Payment("X2", made + dt.timedelta(days=6), Money(Decimal(50), "EUR")),
    ]
    got = _run_sql(promises, payments, made + dt.timedelta(days=10))
    assert got["P1"][0] == "kept"
    # P2's deadline is day 5 (3 + 2 grace): the payment on day 6 is late and does not count
    assert got["P2"][0] == "broken"
    assert Decimal(got["P2"][1]) == 0
