"""The nightly arrangement tracking SQL gives what the domain's evaluate_arrangement gives."""

import datetime as dt
from decimal import Decimal

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arrears.adapters.engine.base import DuckDBEngine
from arrears.domain.model import Payment
from arrears.domain.money import Money
from arrears.domain.workflow.arrangements import (
    Arrangement,
    ArrangementKind,
    ArrangementPolicy,
    ArrangementState,
    Frequency,
    ScheduledInstalment,
    evaluate_arrangement,
)
from arrears.domain.workflow.promises import PromiseStatus
from arrears.domain.workflow.workdays import WorkingCalendar
from arrears.services.arrangements import LINES_SCHEMA, POLICIES_SCHEMA, track_arrangements

MONEY = pa.decimal128(38, 4)
START = dt.date(2026, 3, 2)
INSTALMENT_STATUS = {
    PromiseStatus.KEPT: "paid",
    PromiseStatus.PENDING: "scheduled",
    PromiseStatus.PARTIALLY_KEPT: "partly_paid",
    PromiseStatus.BROKEN: "missed",
}
ARRANGEMENT_STATUS = {
    ArrangementState.ON_TRACK: "active",
    ArrangementState.COMPLETED: "completed",
    ArrangementState.BROKEN: "broken",
}
DEFAULT = ArrangementPolicy(grace_days=2, missed_to_break=1)
amounts = st.integers(1, 40_000).map(lambda cents: Decimal(cents).scaleb(-2))


@st.composite
def cases(draw, index):
    """One arrangement, its borrower's payments (on two loans, some before the agreement, one
    in another currency) and the stage policy that tracks it."""
    agreed_on = START + dt.timedelta(days=draw(st.integers(0, 20)))
    count = draw(st.integers(1, 5))
    due, items = agreed_on, []
    for number in range(1, count + 1):
        due += dt.timedelta(days=draw(st.integers(0 if number == 1 else 1, 25)))
        items.append(ScheduledInstalment(number, due, Money(draw(amounts), "EUR")))
    total = sum((i.amount.amount for i in items), Decimal(0))
    arrangement = Arrangement(
        arrangement_id=f"A{index}",
        case_id=f"C{index}",
        kind=ArrangementKind.PLAN,
        agreed_on=agreed_on,
        balance=Money(total, "EUR"),
        total=Money(total, "EUR"),
        frequency=Frequency.WEEKLY,
        instalments=tuple(items),
    )
    payments = [
        (
            draw(st.sampled_from([f"L{index}a", f"L{index}b"])),
            Payment(
                f"P{index}-{k}",
                agreed_on + dt.timedelta(days=draw(st.integers(-3, -1) | st.integers(0, 120))),
                Money(draw(amounts), "EUR"),
            ),
        )
        for k in range(draw(st.integers(0, 6)))
    ]
    staged = draw(st.booleans())
    policy = (
        ArrangementPolicy(
            grace_days=draw(st.integers(0, 5)), missed_to_break=draw(st.integers(1, 3))
        )
        if staged
        else DEFAULT
    )
    return arrangement, payments, policy, staged


@st.composite
def books(draw):
    count = draw(st.integers(1, 3))
    return [draw(cases(index)) for index in range(count)], draw(st.integers(-3, 160))


def _table(rows, schema):
    columns = list(zip(*rows, strict=True)) if rows else [[] for _ in schema]
    return pa.table(
        [pa.array(c, type=f.type) for c, f in zip(columns, schema, strict=True)], schema=schema
    )


def _load(book, portfolio):
    loans, payments, lines, policies = [], [], [], []
    for index, (arrangement, paid, policy, staged) in enumerate(portfolio):
        loans.extend(
            [
                (f"L{index}a", f"B{index}", "EUR", 2 * index, index),
                (f"L{index}b", f"B{index}", "EUR", 2 * index + 1, index),
                (f"L{index}u", f"B{index}", "USD", 100 + index, index),
            ]
        )
        payments.extend((loan, p.external_id, p.paid_on, p.amount.amount) for loan, p in paid)
        # the same day and amount in another currency must not count
        payments.extend(
            (f"L{index}u", f"U{p.external_id}", p.paid_on, p.amount.amount) for _, p in paid
        )
        stage = f"S{index}" if staged else None
        if staged:
            policies.append((stage, policy.grace_days, policy.missed_to_break))
        lines.extend(
            (
                arrangement.arrangement_id,
                arrangement.case_id,
                "plan",
                "arrangement",
                index,
                "EUR",
                arrangement.agreed_on,
                stage,
                item.number,
                item.due_on,
                item.amount.amount,
                Decimal(0),
                "scheduled",
            )
            for item in arrangement.instalments
        )
    book.register_arrow(
        "loans",
        _table(
            loans,
            pa.schema(
                [
                    ("loan_id", pa.string()),
                    ("borrower_id", pa.string()),
                    ("currency", pa.string()),
                    ("loan_pk", pa.int64()),
                    ("borrower_pk", pa.int64()),
                ]
            ),
        ),
    )
    book.register_arrow(
        "payments",
        _table(
            payments,
            pa.schema(
                [
                    ("loan_id", pa.string()),
                    ("payment_id", pa.string()),
                    ("paid_on", pa.date32()),
                    ("amount", MONEY),
                ]
            ),
        ),
    )
    return _table(lines, LINES_SCHEMA), _table(policies, POLICIES_SCHEMA)


@pytest.fixture(scope="module")
def book():
    engine = DuckDBEngine()
    yield engine
    engine.close()


@settings(max_examples=50, deadline=None)
@given(books())
def test_sql_tracking_equals_the_domain(book, drawn):
    portfolio, offset = drawn
    as_of = START + dt.timedelta(days=offset)
    lines, policies = _load(book, portfolio)
    result = track_arrangements(
        book, lines, as_of=as_of, policies=policies, default=DEFAULT
    ).to_pylist()
    by_key = {(r["arrangement_id"], r["number"]): r for r in result}
    expected_rows = 0
    for arrangement, paid, policy, _ in portfolio:
        if arrangement.agreed_on > as_of:
            # not yet agreed on that day: the step leaves it alone
            assert not any(k[0] == arrangement.arrangement_id for k in by_key)
            continue
        status = evaluate_arrangement(
            arrangement,
            [p for _, p in paid],
            as_of=as_of,
            policy=policy,
            calendar=WorkingCalendar(),
        )
        for item, judged in zip(arrangement.instalments, status.instalments, strict=True):
            row = by_key[(arrangement.arrangement_id, item.number)]
            expected_rows += 1
            assert row["credited"] == judged.credited.amount
            assert row["status"] == INSTALMENT_STATUS[judged.status]
            assert row["deadline"] == judged.deadline
            assert row["arrangement_status"] == ARRANGEMENT_STATUS[status.state]
            assert row["broken_on"] == status.broken_on
    assert len(result) == expected_rows


def test_a_missed_instalment_breaks_and_a_late_payment_does_not_mend_it(book):
    """A worked example: 100 due on the 10th (grace 2), paid on the 13th: missed, broken on
    the 12th; what came late is credited to the second instalment, which is then paid."""
    items = (
        ScheduledInstalment(1, dt.date(2026, 3, 10), Money(Decimal(100), "EUR")),
        ScheduledInstalment(2, dt.date(2026, 4, 10), Money(Decimal(100), "EUR")),
    )
    arrangement = Arrangement(
        "A0",
        "C0",
        ArrangementKind.PLAN,
        dt.date(2026, 3, 2),
        Money(Decimal(200), "EUR"),
        Money(Decimal(200), "EUR"),
        Frequency.MONTHLY,
        items,
    )
    paid = [("L0a", Payment("P0", dt.date(2026, 3, 13), Money(Decimal(100), "EUR")))]
    lines, policies = _load(book, [(arrangement, paid, DEFAULT, False)])
    rows = track_arrangements(
        book, lines, as_of=dt.date(2026, 3, 20), policies=policies, default=DEFAULT
    ).to_pylist()
    assert [(r["status"], r["credited"]) for r in rows] == [
        ("missed", Decimal(0)),
        ("paid", Decimal(100)),
    ]
    assert {r["arrangement_status"] for r in rows} == {"broken"}
    assert rows[0]["broken_on"] == dt.date(2026, 3, 12)
