import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from arrears.domain.charges import (
    ChargePolicy,
    FeeBasis,
    LateFeeRule,
    PenaltyInterestRule,
    assess_charges,
)
from arrears.domain.delinquency import Pause
from arrears.domain.errors import InvalidConfig, InvalidInput
from arrears.domain.model import Installment, Loan, Payment
from arrears.domain.money import Money
from strategies import as_of_dates, loans, pauses

D = dt.date
LATE = LateFeeRule("late-15", days_after_due=15, flat_amounts={"EUR": Decimal(25)})
PERCENT = LateFeeRule(
    "late-pct",
    days_after_due=30,
    basis=FeeBasis.PERCENT_OF_INSTALLMENT,
    percent=Decimal("0.05"),
    cap={"EUR": Decimal(4)},
)
PENALTY = PenaltyInterestRule("penalty", annual_rate=Decimal("0.365"))


def eur(value: str) -> Money:
    return Money.of(value, "EUR")


def loan(*payments: Payment) -> Loan:
    return Loan(
        "L1",
        "B1",
        "EUR",
        (
            Installment(1, D(2026, 1, 10), eur("100"), eur("0"), eur("0")),
            Installment(2, D(2026, 2, 10), eur("100"), eur("0"), eur("0")),
        ),
        payments,
    )


def test_late_fee_is_charged_once_when_the_installment_is_still_unpaid():
    charges = assess_charges(loan(), D(2026, 1, 25), ChargePolicy(late_fees=(LATE,)))
    assert [(c.rule_id, c.period_key, c.charged_on, c.amount) for c in charges] == [
        ("late-15", "inst-1", D(2026, 1, 25), eur("25"))
    ]
    assert assess_charges(loan(), D(2026, 1, 24), ChargePolicy(late_fees=(LATE,))) == ()


def test_no_late_fee_when_paid_before_the_trigger():
    paid = loan(Payment("P1", D(2026, 1, 20), eur("100")))
    assert assess_charges(paid, D(2026, 2, 1), ChargePolicy(late_fees=(LATE,))) == ()


def test_rerunning_posts_nothing_new():
    policy = ChargePolicy(late_fees=(LATE, PERCENT), penalty_interest=(PENALTY,))
    first = assess_charges(loan(), D(2026, 4, 1), policy)
    assert first
    charged = loan().with_charges(first)
    assert assess_charges(charged, D(2026, 4, 1), policy) == ()
    assert assess_charges(charged, D(2026, 3, 1), policy) == ()


def test_percentage_fee_is_capped_and_rounded():
    charges = assess_charges(loan(), D(2026, 2, 9), ChargePolicy(late_fees=(PERCENT,)))
    assert [c.amount for c in charges] == [eur("4.00")]


def test_penalty_interest_accrues_on_overdue_principal_per_month():
    # 100 EUR overdue from 11 January; 36.5% a year = 0.10 EUR a day
    charges = assess_charges(loan(), D(2026, 1, 31), ChargePolicy(penalty_interest=(PENALTY,)))
    assert [(c.period_key, c.amount) for c in charges] == [("inst-1:2026-01", eur("2.10"))]
    # half paid on 21 February: 10 days at 100, then 8 days at 50 (penalty paid first)
    partial = loan(Payment("P1", D(2026, 2, 21), eur("52.10")))
    feb = assess_charges(partial, D(2026, 2, 28), ChargePolicy(penalty_interest=(PENALTY,)))
    amounts = {c.period_key: c.amount for c in feb}
    assert amounts["inst-1:2026-02"] == eur("2.40")  # 20 days at 0.10 + 8 days at 0.05
    assert amounts["inst-2:2026-02"] == eur("1.80")  # 18 days at 0.10 from 11 February


def test_pauses_defer_late_fees_and_stop_penalty_interest():
    pause = [Pause(D(2026, 1, 15), D(2026, 1, 25))]
    policy = ChargePolicy(late_fees=(LATE,), penalty_interest=(PENALTY,))
    assert (
        assess_charges(loan(), D(2026, 2, 3), ChargePolicy(late_fees=(LATE,)), pauses=pause) == ()
    )
    charges = assess_charges(loan(), D(2026, 2, 4), policy, pauses=pause)
    by_key = {c.period_key: c for c in charges}
    assert by_key["inst-1"].charged_on == D(2026, 2, 4)  # 15 unpaused days after 10 January
    assert by_key["inst-1:2026-01"].amount == eur("1.10")  # 21 days less 10 paused


def test_rules_are_validated():
    with pytest.raises(InvalidConfig, match="days_after_due"):
        LateFeeRule("x", days_after_due=0, flat_amounts={"EUR": Decimal(1)})
    with pytest.raises(InvalidConfig, match="amount per currency"):
        LateFeeRule("x", days_after_due=5)
    with pytest.raises(InvalidConfig, match="annual_rate"):
        PenaltyInterestRule("p", annual_rate=Decimal(2))
    with pytest.raises(InvalidConfig, match="unique"):
        ChargePolicy(late_fees=(LATE, LATE))
    charges = assess_charges(loan(), D(2026, 2, 1), ChargePolicy(late_fees=(LATE,)))
    with pytest.raises(InvalidInput, match="posted twice"):
        loan().with_charges(charges + charges)


@given(
    loan=loans(currency="EUR"),
    as_of=as_of_dates,
    later=st.integers(0, 90),
    paused=pauses(),
)
def test_fee_accrual_is_idempotent_however_often_it_reruns(loan, as_of, later, paused):
    policy = ChargePolicy(late_fees=(LATE, PERCENT), penalty_interest=(PENALTY,))
    first = assess_charges(loan, as_of, policy, pauses=paused)
    charged = loan.with_charges(first)
    assert assess_charges(charged, as_of, policy, pauses=paused) == ()
    # running day by day to a later date posts the same as one catch-up run
    end = as_of + dt.timedelta(days=later)
    stepwise = charged
    day = as_of
    while day < end:
        day += dt.timedelta(days=30)
        stepwise = stepwise.with_charges(
            assess_charges(stepwise, min(day, end), policy, pauses=paused)
        )
    catch_up = charged.with_charges(assess_charges(charged, end, policy, pauses=paused))
    assert sorted(stepwise.charges, key=lambda c: c.key) == sorted(
        catch_up.charges, key=lambda c: c.key
    )
    assert all(c.charged_on <= end and c.amount.is_positive() for c in catch_up.charges)
