"""Hypothesis strategies for loans, payments and charges shared by the unit tests."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import strategies as st

from arrears.domain.delinquency import Pause
from arrears.domain.model import Charge, Installment, Loan, Payment
from arrears.domain.money import Money

START = dt.date(2026, 1, 1)
CURRENCIES = ("EUR", "JPY", "CNY", "USD")


def cents(currency: str, low: int = 0, high: int = 200_000) -> st.SearchStrategy[Money]:
    scale = 0 if currency == "JPY" else 2
    return st.integers(low, high).map(lambda n: Money(Decimal(n).scaleb(-scale), currency))


@st.composite
def loans(
    draw: st.DrawFn,
    *,
    max_installments: int = 6,
    with_charges: bool = False,
    currency: str | None = None,
    loan_id: str = "L1",
) -> Loan:
    cur = currency or draw(st.sampled_from(CURRENCIES))
    count = draw(st.integers(0, max_installments))
    due = START + dt.timedelta(days=draw(st.integers(0, 40)))
    installments = []
    for number in range(1, count + 1):
        installments.append(
            Installment(
                number=number,
                due_date=due,
                principal=draw(cents(cur, 0, 50_000)),
                interest=draw(cents(cur, 0, 5_000)),
                fee=draw(cents(cur, 0, 500)),
            )
        )
        due += dt.timedelta(days=draw(st.integers(1, 45)))
    payments = [
        Payment(
            external_id=f"{loan_id}-P{index}",
            paid_on=START + dt.timedelta(days=draw(st.integers(0, 400))),
            amount=draw(cents(cur, 1, 60_000)),
        )
        for index in range(draw(st.integers(0, 8)))
    ]
    charges = []
    if with_charges and installments:
        for index in range(draw(st.integers(0, 3))):
            number = draw(st.integers(1, count))
            charges.append(
                Charge(
                    rule_id="late",
                    period_key=f"k{index}",
                    installment_no=number,
                    charged_on=installments[number - 1].due_date
                    + dt.timedelta(days=draw(st.integers(1, 60))),
                    amount=draw(cents(cur, 1, 3_000)),
                )
            )
    return Loan(
        external_id=loan_id,
        borrower_id="B-" + loan_id,
        currency=cur,
        installments=tuple(installments),
        payments=tuple(payments),
        charges=tuple(charges),
    )


@st.composite
def pauses(draw: st.DrawFn) -> tuple[Pause, ...]:
    result = []
    for _ in range(draw(st.integers(0, 2))):
        start = START + dt.timedelta(days=draw(st.integers(0, 400)))
        result.append(Pause(start, start + dt.timedelta(days=draw(st.integers(1, 60)))))
    return tuple(result)


as_of_dates = st.integers(0, 450).map(lambda n: START + dt.timedelta(days=n))
