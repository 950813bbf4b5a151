import datetime as dt
import itertools
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from arrears.domain.allocation import AllocationMode, Waterfall, allocate
from arrears.domain.errors import InvalidConfig
from arrears.domain.model import Charge, Component, Installment, Loan, Payment
from arrears.domain.money import Money
from strategies import as_of_dates, loans

D = dt.date


def eur(value: str) -> Money:
    return Money.of(value, "EUR")


def two_installment_loan(*payments: Payment, charges: tuple[Charge, ...] = ()) -> Loan:
    return Loan(
        external_id="L1",
        borrower_id="B1",
        currency="EUR",
        installments=(
            Installment(1, D(2026, 1, 1), eur("100"), eur("10"), eur("2")),
            Installment(2, D(2026, 2, 1), eur("100"), eur("8"), eur("2")),
        ),
        payments=payments,
        charges=charges,
    )


def test_default_waterfall_pays_oldest_installment_penalty_fee_interest_principal():
    loan = two_installment_loan(
        Payment("P1", D(2026, 2, 10), eur("20")),
        charges=(Charge("late", "inst-1", 1, D(2026, 1, 6), eur("5")),),
    )
    first = allocate(loan, D(2026, 2, 10)).position(1)
    assert first.paid[Component.PENALTY] == eur("5")
    assert first.paid[Component.FEE] == eur("2")
    assert first.paid[Component.INTEREST] == eur("10")
    assert first.paid[Component.PRINCIPAL] == eur("3")


def test_component_first_pays_each_component_across_due_installments():
    loan = two_installment_loan(Payment("P1", D(2026, 2, 10), eur("30")))
    waterfall = Waterfall(AllocationMode.COMPONENT_FIRST)
    result = allocate(loan, D(2026, 2, 10), waterfall)
    assert result.position(1).paid[Component.FEE] == eur("2")
    assert result.position(2).paid[Component.FEE] == eur("2")
    assert result.position(1).paid[Component.INTEREST] == eur("10")
    assert result.position(2).paid[Component.INTEREST] == eur("8")
    assert result.position(1).paid[Component.PRINCIPAL] == eur("8")
    assert result.position(2).paid[Component.PRINCIPAL] == eur("0")


def test_payments_after_as_of_and_charges_not_yet_posted_are_ignored():
    loan = two_installment_loan(
        Payment("P1", D(2026, 1, 1), eur("50")),
        Payment("P2", D(2026, 3, 1), eur("500")),
        charges=(Charge("late", "inst-1", 1, D(2026, 3, 1), eur("5")),),
    )
    result = allocate(loan, D(2026, 2, 28))
    assert result.received == eur("50")
    assert result.position(1).due[Component.PENALTY] == eur("0")


def test_overpayment_is_kept_as_credit():
    loan = two_installment_loan(Payment("P1", D(2026, 1, 1), eur("300")))
    result = allocate(loan, D(2026, 1, 1))
    assert result.credit == eur("78")
    assert all(p.is_fully_paid for p in result.positions)


def test_custom_order_is_validated():
    with pytest.raises(InvalidConfig, match="each of"):
        Waterfall(components=(Component.PRINCIPAL, Component.FEE))
    custom = Waterfall(
        components=(Component.PRINCIPAL, Component.INTEREST, Component.FEE, Component.PENALTY)
    )
    loan = two_installment_loan(Payment("P1", D(2026, 1, 5), eur("105")))
    first = allocate(loan, D(2026, 1, 5), custom).position(1)
    assert first.paid[Component.PRINCIPAL] == eur("100")
    assert first.paid[Component.INTEREST] == eur("5")


@given(loan=loans(with_charges=True), as_of=as_of_dates, mode=st.sampled_from(list(AllocationMode)))
def test_allocation_never_creates_or_loses_money(loan, as_of, mode):
    result = allocate(loan, as_of, Waterfall(mode))
    assert result.applied + result.credit == result.received
    assert result.credit.amount >= 0
    for position in result.positions:
        for component in Component:
            assert Decimal(0) <= position.paid[component].amount <= position.due[component].amount
    if result.credit.is_positive():
        assert all(p.is_fully_paid for p in result.positions)


@given(loan=loans(), as_of=as_of_dates)
def test_installment_first_never_pays_a_later_installment_before_an_earlier_one(loan, as_of):
    positions = allocate(loan, as_of).positions
    for earlier, later in itertools.pairwise(positions):
        if later.paid_total.is_positive():
            assert earlier.is_fully_paid
