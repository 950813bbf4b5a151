"""Late fees and penalty interest, charged by rule, once per rule and period.

A charge is identified by (rule id, period key). `assess_charges` returns only the charges whose
key is not yet posted on the loan, so running it again for the same business date - or for any
earlier one - posts nothing new. Charges are assessed in date order because each posted charge is
owed before principal and so changes what later payments cover.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal
from enum import StrEnum
from typing import TYPE_CHECKING

from arrears.domain.allocation import Waterfall, allocate
from arrears.domain.delinquency import ONE_DAY, Pause, ageing_days, merge_pauses
from arrears.domain.errors import InvalidConfig
from arrears.domain.model import Charge, Component, Installment, Loan
from arrears.domain.money import Money, quantum

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping


class FeeBasis(StrEnum):
    FLAT = "flat"
    PERCENT_OF_INSTALLMENT = "percent_of_installment"


@dataclass(frozen=True, slots=True)
class LateFeeRule:
    """A fee posted once per installment when it is still unpaid `days_after_due` ageing days
    (paused days do not count) after its due date."""

    rule_id: str
    days_after_due: int
    basis: FeeBasis = FeeBasis.FLAT
    flat_amounts: Mapping[str, Decimal] = field(default_factory=dict)  # currency -> amount
    percent: Decimal = Decimal(0)  # of the installment's unpaid principal + interest
    cap: Mapping[str, Decimal] = field(default_factory=dict)  # currency -> maximum per charge

    def __post_init__(self) -> None:
        if not self.rule_id:
            raise InvalidConfig("a fee rule needs a rule_id")
        if self.days_after_due < 1:
            raise InvalidConfig(f"{self.rule_id}: days_after_due must be at least 1")
        if self.basis is FeeBasis.FLAT and not self.flat_amounts:
            raise InvalidConfig(f"{self.rule_id}: a flat fee needs an amount per currency")
        if self.basis is FeeBasis.PERCENT_OF_INSTALLMENT and not Decimal(0) < self.percent <= 1:
            raise InvalidConfig(f"{self.rule_id}: percent must be in (0, 1], got {self.percent}")
        if any(v < 0 for v in (*self.flat_amounts.values(), *self.cap.values())):
            raise InvalidConfig(f"{self.rule_id}: amounts must not be negative")


@dataclass(frozen=True, slots=True)
class PenaltyInterestRule:
    """Interest on overdue principal at `annual_rate` (actual/365), accrued daily and posted
    per installment once per calendar month, on the month's last day. Paused days accrue nothing."""

    rule_id: str
    annual_rate: Decimal

    def __post_init__(self) -> None:
        if not self.rule_id:
            raise InvalidConfig("a penalty rule needs a rule_id")
        if not Decimal(0) < self.annual_rate <= 1:
            raise InvalidConfig(
                f"{self.rule_id}: annual_rate must be in (0, 1], got {self.annual_rate}"
            )


@dataclass(frozen=True, slots=True)
class ChargePolicy:
    late_fees: tuple[LateFeeRule, ...] = ()
    penalty_interest: tuple[PenaltyInterestRule, ...] = ()
    rounding: str = ROUND_HALF_EVEN

    def __post_init__(self) -> None:
        ids = [r.rule_id for r in self.late_fees] + [r.rule_id for r in self.penalty_interest]
        if len(ids) != len(set(ids)):
            raise InvalidConfig(f"charge rule ids must be unique, got {ids}")


def _date_after_ageing(due: dt.date, days: int, pauses: tuple[Pause, ...]) -> dt.date:
    """The first date on which an installment due on `due` has aged `days` unpaused days."""
    candidate = due + dt.timedelta(days=days)
    while ageing_days(due, candidate, pauses) < days:
        candidate += ONE_DAY
    return candidate


def _month_end(day: dt.date) -> dt.date:
    first_next = (day.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    return first_next - ONE_DAY


def _late_fee(rule: LateFeeRule, item: Installment, unpaid_core: Money) -> Money | None:
    currency = item.currency
    if rule.basis is FeeBasis.FLAT:
        if currency not in rule.flat_amounts:
            return None  # the rule has no amount for this currency
        amount = rule.flat_amounts[currency]
    else:
        amount = unpaid_core.amount * rule.percent
    if currency in rule.cap:
        amount = min(amount, rule.cap[currency])
    return Money(amount, currency)


def assess_charges(
    loan: Loan,
    as_of: dt.date,
    policy: ChargePolicy,
    *,
    pauses: Iterable[Pause] = (),
    waterfall: Waterfall | None = None,
) -> tuple[Charge, ...]:
    """The charges due on `loan` up to `as_of` that are not posted yet (none on a rerun)."""
    waterfall = waterfall or Waterfall()
    paused = merge_pauses(pauses)
    posted = {c.key for c in loan.charges}
    new: list[Charge] = []
    current = loan

    # Candidate postings in date order: (date, order, installment, rule kind, rule).
    candidates: list[tuple[dt.date, int, int, str]] = []
    for item in loan.installments:
        if item.due_date >= as_of:
            continue
        for fee_rule in policy.late_fees:
            when = _date_after_ageing(item.due_date, fee_rule.days_after_due, paused)
            if when <= as_of:
                candidates.append((when, 0, item.number, fee_rule.rule_id))
        for penalty_rule in policy.penalty_interest:
            month_end = _month_end(item.due_date + ONE_DAY)
            while month_end <= as_of:
                candidates.append((month_end, 1, item.number, penalty_rule.rule_id))
                month_end = _month_end(month_end + ONE_DAY)
    candidates.sort()

    fees = {r.rule_id: r for r in policy.late_fees}
    penalties = {r.rule_id: r for r in policy.penalty_interest}
    by_number = {i.number: i for i in loan.installments}
    for when, kind, number, rule_id in candidates:
        item = by_number[number]
        if kind == 0:
            key = (rule_id, f"inst-{number}")
            if key in posted:
                continue
            position = allocate(current, when, waterfall).position(number)
            unpaid_core = position.outstanding(Component.PRINCIPAL) + position.outstanding(
                Component.INTEREST
            )
            if position.outstanding_total.is_positive():
                amount = _late_fee(fees[rule_id], item, unpaid_core)
            else:
                amount = None
        else:
            key = (rule_id, f"inst-{number}:{when:%Y-%m}")
            if key in posted:
                continue
            amount = _penalty_for_month(
                current,
                number=number,
                month_end=when,
                rule=penalties[rule_id],
                pauses=paused,
                waterfall=waterfall,
            )
        if amount is None:
            continue
        amount = Money(
            amount.amount.quantize(quantum(loan.currency), policy.rounding), loan.currency
        )
        if not amount.is_positive():
            continue
        charge = Charge(
            rule_id=key[0], period_key=key[1], installment_no=number, charged_on=when, amount=amount
        )
        new.append(charge)
        posted.add(key)
        current = current.with_charges((charge,))
    return tuple(new)


def _penalty_for_month(
    loan: Loan,
    *,
    number: int,
    month_end: dt.date,
    rule: PenaltyInterestRule,
    pauses: tuple[Pause, ...],
    waterfall: Waterfall,
) -> Money:
    item = next(i for i in loan.installments if i.number == number)
    start = max(month_end.replace(day=1), item.due_date + ONE_DAY)
    if start > month_end:
        return Money.zero(loan.currency)
    # What an allocation sees changes only on payment, charge and due dates: evaluate once per
    # stretch between such dates and weigh by the unpaused days in it.
    changes = {start, month_end + ONE_DAY}
    changes.update(p.paid_on for p in loan.payments)
    changes.update(c.charged_on for c in loan.charges)
    changes.update(i.due_date for i in loan.installments)
    edges = sorted(d for d in changes if start <= d <= month_end + ONE_DAY)
    accrued = Decimal(0)
    for begin, end in itertools.pairwise(edges):
        days = ageing_days(begin - ONE_DAY, end - ONE_DAY, pauses)
        if days:
            position = allocate(loan, begin, waterfall).position(number)
            accrued += position.outstanding(Component.PRINCIPAL).amount * days
    return Money(accrued * rule.annual_rate / 365, loan.currency)
