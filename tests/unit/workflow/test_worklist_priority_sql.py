"""The worklist priority in SQL gives the domain's numbers: `priority()` and `rank()`."""

from __future__ import annotations

from decimal import Decimal

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arrears.adapters.engine.base import SqlEngine, make_engine
from arrears.domain.errors import InvalidConfig
from arrears.domain.money import Money
from arrears.domain.workflow.priority import (
    Priority,
    PriorityInputs,
    PriorityWeights,
    priority,
    rank,
)
from arrears.services.worklists import currency_table, priority_sql, ranked_sql

CURRENCIES = ("EUR", "JPY", "KWD", "CNY", "MXN")  # 2, 0, 3, 2, 2 minor digits


@st.composite
def weights(draw: st.DrawFn) -> PriorityWeights:
    limits = sorted(draw(st.sets(st.integers(0, 400), max_size=5)))
    scale = draw(st.integers(2, 4))
    probability = st.integers(0, 10**scale).map(lambda n: Decimal(n).scaleb(-scale))
    curve = (*tuple((limit, draw(probability)) for limit in limits), (None, draw(probability)))
    return PriorityWeights(
        dpd_curve=curve, promise_due_today=draw(probability), broken_promise=draw(probability)
    )


cases = st.lists(
    st.tuples(
        st.sampled_from(CURRENCIES),
        st.integers(0, 10**11).map(lambda n: Decimal(n).scaleb(-4)),  # up to four decimals
        st.integers(0, 500),
        st.booleans(),
        st.booleans(),
    ),
    min_size=1,
    max_size=40,
)


def explain(p: Priority, balance: Money) -> str:
    parts = " + ".join(f"{c.name} {c.value} ({c.explanation})" for c in p.components)
    return f"{p.expected_value} = balance {balance.rounded()} x min(1, {parts})"


_BOOK: list[SqlEngine] = []


def run_sql(w: PriorityWeights, rows: list[tuple[str, Decimal, int, bool, bool]]) -> pa.Table:
    """One in-memory DuckDB for the module (its start-up dominates a tiny query)."""
    if not _BOOK:
        _BOOK.append(make_engine("duckdb"))
    book = _BOOK[0]
    book.register_arrow(
        "src",
        pa.table(
            {
                "case_id": [f"C-{i:03d}" for i in range(len(rows))],
                "currency": [r[0] for r in rows],
                "balance": pa.array([r[1] for r in rows], pa.decimal128(38, 4)),
                "dpd": pa.array([r[2] for r in rows], pa.int64()),
                "promise_due_today": [r[3] for r in rows],
                "broken_promise": [r[4] for r in rows],
            }
        ),
    )
    book.register_arrow("cur", currency_table(r[0] for r in rows))
    book.create_table("prio", priority_sql(w, "src", "cur"))
    return book.query_arrow(f"SELECT * FROM ({ranked_sql('prio')}) ORDER BY day_rank")


@settings(max_examples=20, deadline=None)
@given(w=weights(), rows=cases)
def test_sql_priority_equals_the_domain(
    w: PriorityWeights, rows: list[tuple[str, Decimal, int, bool, bool]]
) -> None:
    result = run_sql(w, rows).to_pylist()
    assert len(result) == len(rows)
    expected: dict[str, tuple[Priority, Money]] = {}
    for i, (currency, amount, dpd, due, broken) in enumerate(rows):
        balance = Money(amount, currency)
        inputs = PriorityInputs(f"C-{i:03d}", balance, dpd, due, broken)
        expected[inputs.case_id] = (priority(inputs, w), balance)
    for got in result:
        want, balance = expected[got["case_id"]]
        assert Money(got["expected_value"], got["currency"]) == want.expected_value
        assert got["probability"] == want.probability
        assert got["reasons"] == explain(want, balance)
    # within a currency the day order is the domain's rank()
    for currency in CURRENCIES:
        ours = [g["case_id"] for g in result if g["currency"] == currency]
        theirs = [
            p.case_id for p in rank(p for p, b in expected.values() if b.currency == currency)
        ]
        assert ours == theirs


def test_half_even_rounding_to_the_minor_unit() -> None:
    w = PriorityWeights(dpd_curve=((None, Decimal("0.50")),), promise_due_today=Decimal(0))
    rows = [
        ("EUR", Decimal("0.0500"), 1, False, False),  # 0.025 -> 0.02 (even)
        ("EUR", Decimal("0.0700"), 1, False, False),  # 0.035 -> 0.04 (even)
        ("JPY", Decimal(5), 1, False, False),  # 2.5 -> 2
        ("JPY", Decimal(7), 1, False, False),  # 3.5 -> 4
    ]
    got = {r["case_id"]: r["expected_value"] for r in run_sql(w, rows).to_pylist()}
    assert got == {
        "C-000": Decimal("0.02"),
        "C-001": Decimal("0.04"),
        "C-002": Decimal(2),
        "C-003": Decimal(4),
    }


def test_currencies_are_interleaved_not_compared() -> None:
    """Ten MXN cases worth more pesos than any euro case still leave the best euro case near
    the top: expected values are compared within a currency only."""
    w = PriorityWeights()
    rows = [("MXN", Decimal(10000 + i), 10, False, False) for i in range(10)]
    rows += [("EUR", Decimal(100 + i), 10, False, False) for i in range(2)]
    order = [(r["currency"], r["case_id"]) for r in run_sql(w, rows).to_pylist()]
    assert order[0] == ("MXN", "C-009")
    # MXN positions 0.05, 0.15, 0.25 ...; EUR 0.25, 0.75 (a tie goes by currency code)
    assert order[1] == ("MXN", "C-008")
    assert order[2] == ("EUR", "C-011")
    assert [c for c, _ in order].count("EUR") == 2


def test_too_many_decimals_in_weights_are_refused() -> None:
    w = PriorityWeights(promise_due_today=Decimal("0.1234567890123"))
    with pytest.raises(InvalidConfig, match="12 decimal places"):
        priority_sql(w, "src", "cur")
