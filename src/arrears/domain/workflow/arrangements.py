"""Arrangements: payment plans and settlements, computed within per-stage policy limits.

- Amounts are `Money`, rounded to the currency's minor unit; a schedule always sums exactly to
  the agreed total (the odd minor units go to the earliest instalments).
- The stage's policy sets hard limits (number of instalments, term, minimum instalment, maximum
  discount); approval rules say which role may approve what inside those limits.
- Hardship (willing but unable) leads to a plan sized to what the debtor can afford, or to a
  hardship review when no plan fits; never to a suggestion to borrow elsewhere.
- An arrangement is tracked like a schedule (the promise evaluation applied to its instalments);
  a broken arrangement returns the case to its stage (see `cases.py`).
"""

from __future__ import annotations

import calendar as _calendar
import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from enum import StrEnum
from types import MappingProxyType
from typing import TYPE_CHECKING

from arrears.domain.errors import InvalidConfig, InvalidInput
from arrears.domain.money import Money, quantum
from arrears.domain.workflow.errors import OutsidePolicy
from arrears.domain.workflow.promises import (
    Promise,
    PromisePolicy,
    PromiseResult,
    PromiseStatus,
    evaluate_promises,
)
from arrears.domain.workflow.vocab import Role

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from arrears.domain.model import Payment
    from arrears.domain.workflow.workdays import WorkingDays


class Frequency(StrEnum):
    WEEKLY = "weekly"
    FORTNIGHTLY = "fortnightly"
    MONTHLY = "monthly"


class ArrangementKind(StrEnum):
    PLAN = "plan"  # the whole balance, in instalments
    SETTLEMENT = "settlement"  # a discounted amount that closes the debt once paid


@dataclass(frozen=True, slots=True)
class ApprovalRule:
    """What a role may approve on its own."""

    role: Role
    max_discount_rate: Decimal
    max_instalments: int
    max_term_days: int


def _rate_ok(rate: Decimal) -> bool:
    return Decimal(0) <= rate < Decimal(1)


@dataclass(frozen=True, slots=True)
class ArrangementPolicy:
    """Hard limits for one stage, and who approves what inside them."""

    plans_allowed: bool = True
    settlements_allowed: bool = False
    max_instalments: int = 6
    max_term_days: int = 180
    max_first_due_days: int = 14
    min_instalment: Mapping[str, Decimal] = field(default_factory=lambda: MappingProxyType({}))
    max_discount_rate: Decimal = Decimal(0)
    grace_days: int = 3
    missed_to_break: int = 1
    approvals: tuple[ApprovalRule, ...] = ()

    def __post_init__(self) -> None:
        if self.max_instalments < 1:
            raise InvalidConfig("max_instalments must be at least 1")
        if self.max_term_days < 0 or self.max_first_due_days < 0:
            raise InvalidConfig("max_term_days and max_first_due_days must not be negative")
        if not _rate_ok(self.max_discount_rate):
            raise InvalidConfig("max_discount_rate must be at least 0 and below 1")
        if self.missed_to_break < 1:
            raise InvalidConfig("missed_to_break must be at least 1")
        if not 0 <= self.grace_days <= 10:
            raise InvalidConfig("grace_days must be 0-10")
        for currency, value in self.min_instalment.items():
            if value < 0:
                raise InvalidConfig(f"min_instalment.{currency} must not be negative")
        object.__setattr__(self, "min_instalment", MappingProxyType(dict(self.min_instalment)))
        ranks = [rule.role.rank for rule in self.approvals]
        if ranks != sorted(set(ranks)):
            raise InvalidConfig("approval rules must name each role once, lowest authority first")
        for rule in self.approvals:
            if (
                rule.max_discount_rate > self.max_discount_rate
                or rule.max_instalments > self.max_instalments
                or rule.max_term_days > self.max_term_days
            ):
                raise InvalidConfig(f"approval rule for {rule.role} exceeds the stage's limits")
            if not _rate_ok(rule.max_discount_rate):
                raise InvalidConfig(f"approval rule for {rule.role}: bad max_discount_rate")

    def minimum(self, currency: str) -> Money:
        value = self.min_instalment.get(currency)
        if value is None:
            raise OutsidePolicy(
                f"no minimum instalment is configured for {currency}", currency=currency
            )
        return Money(value, currency)


@dataclass(frozen=True, slots=True)
class ScheduledInstalment:
    number: int
    due_on: dt.date
    amount: Money


@dataclass(frozen=True, slots=True)
class Arrangement:
    arrangement_id: str
    case_id: str
    kind: ArrangementKind
    agreed_on: dt.date
    balance: Money  # owed when agreed
    total: Money  # what the debtor pays under the arrangement
    frequency: Frequency
    instalments: tuple[ScheduledInstalment, ...]

    def __post_init__(self) -> None:
        if not self.instalments:
            raise InvalidInput(f"arrangement {self.arrangement_id} has no instalments")
        paid = Money.zero(self.total.currency)
        for expected, item in enumerate(self.instalments, start=1):
            if item.number != expected:
                raise InvalidInput(f"arrangement {self.arrangement_id}: numbering gap")
            if not item.amount.is_positive():
                raise InvalidInput(f"arrangement {self.arrangement_id}: instalment not positive")
            paid = paid + item.amount
        if paid != self.total:
            raise InvalidInput(
                f"arrangement {self.arrangement_id}: instalments sum to {paid}, not {self.total}"
            )
        dates = [i.due_on for i in self.instalments]
        if dates != sorted(set(dates)) or dates[0] < self.agreed_on:
            raise InvalidInput(
                f"arrangement {self.arrangement_id}: due dates must increase from the agreement"
            )
        if self.total > self.balance:
            raise InvalidInput(f"arrangement {self.arrangement_id}: total exceeds the balance")

    @property
    def discount(self) -> Money:
        return self.balance - self.total

    @property
    def discount_rate(self) -> Decimal:
        return self.discount.amount / self.balance.amount

    @property
    def term_days(self) -> int:
        return (self.instalments[-1].due_on - self.agreed_on).days

    @property
    def currency(self) -> str:
        return self.total.currency


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day of the month `months` later, clamped to the month's last day."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, _calendar.monthrange(year, month)[1]))


def due_dates(first_due: dt.date, count: int, frequency: Frequency) -> tuple[dt.date, ...]:
    if frequency is Frequency.MONTHLY:
        return tuple(add_months(first_due, k) for k in range(count))
    step = 7 if frequency is Frequency.WEEKLY else 14
    return tuple(first_due + dt.timedelta(days=step * k) for k in range(count))


def _units(money: Money) -> int:
    scaled = money.amount / quantum(money.currency)
    if scaled != scaled.to_integral_value():
        raise InvalidInput(
            f"{money} has more decimals than {money.currency} allows; round it first"
        )
    return int(scaled)


def split_evenly(total: Money, count: int) -> tuple[Money, ...]:
    """`count` amounts in minor units that differ by at most one unit and sum to `total`."""
    if count < 1:
        raise InvalidInput("an amount is split into at least one part")
    units = _units(total)
    base, extra = divmod(units, count)
    step = quantum(total.currency)
    return tuple(
        Money(Decimal(base + (1 if k < extra else 0)) * step, total.currency) for k in range(count)
    )


def _require_positive(balance: Money) -> None:
    if not balance.is_positive():
        raise InvalidInput(f"nothing to arrange: the balance is {balance}")
    _units(balance)


def _limit_problems(
    arrangement_total: Money,
    amounts: Sequence[Money],
    dates: Sequence[dt.date],
    *,
    as_of: dt.date,
    policy: ArrangementPolicy,
) -> list[str]:
    problems: list[str] = []
    if len(amounts) > policy.max_instalments:
        problems.append(
            f"{len(amounts)} instalments; this stage allows at most {policy.max_instalments}"
        )
    first_gap = (dates[0] - as_of).days
    if first_gap < 0:
        problems.append("the first instalment cannot be due before the agreement")
    elif first_gap > policy.max_first_due_days:
        problems.append(
            f"the first instalment is due in {first_gap} days; at most "
            f"{policy.max_first_due_days} are allowed"
        )
    term = (dates[-1] - as_of).days
    if term > policy.max_term_days:
        problems.append(f"the term is {term} days; this stage allows {policy.max_term_days}")
    if len(amounts) > 1:
        minimum = policy.minimum(arrangement_total.currency)
        small = [str(a) for a in amounts if a < minimum]
        if small:
            problems.append(f"instalments {', '.join(small)} are below the minimum {minimum}")
    return problems


def _raise_if(problems: list[str]) -> None:
    if problems:
        raise OutsidePolicy("; ".join(problems), violations=problems)


def _build(
    *,
    arrangement_id: str,
    case_id: str,
    kind: ArrangementKind,
    balance: Money,
    total: Money,
    as_of: dt.date,
    first_due: dt.date,
    instalments: int,
    frequency: Frequency,
    down_payment: Money | None,
    policy: ArrangementPolicy,
) -> Arrangement:
    if instalments < 1:
        raise InvalidInput("an arrangement has at least one instalment")
    if down_payment is not None:
        if instalments < 2:
            raise InvalidInput("a down payment needs at least one further instalment")
        if not down_payment.is_positive() or down_payment >= total:
            raise InvalidInput(f"the down payment must be positive and below {total}")
        _units(down_payment)
        amounts = (down_payment, *split_evenly(total - down_payment, instalments - 1))
    else:
        amounts = split_evenly(total, instalments)
    dates = due_dates(first_due, instalments, frequency)
    _raise_if(_limit_problems(total, amounts, dates, as_of=as_of, policy=policy))
    return Arrangement(
        arrangement_id=arrangement_id,
        case_id=case_id,
        kind=kind,
        agreed_on=as_of,
        balance=balance,
        total=total,
        frequency=frequency,
        instalments=tuple(
            ScheduledInstalment(n, d, a)
            for n, (d, a) in enumerate(zip(dates, amounts, strict=True), start=1)
        ),
    )


def propose_plan(
    *,
    arrangement_id: str,
    case_id: str,
    balance: Money,
    as_of: dt.date,
    first_due: dt.date,
    instalments: int,
    frequency: Frequency,
    policy: ArrangementPolicy,
    down_payment: Money | None = None,
) -> Arrangement:
    """A plan for the whole balance; raises OutsidePolicy listing every limit it breaks."""
    _require_positive(balance)
    if not policy.plans_allowed:
        raise OutsidePolicy("payment plans are not offered in this stage")
    return _build(
        arrangement_id=arrangement_id,
        case_id=case_id,
        kind=ArrangementKind.PLAN,
        balance=balance,
        total=balance,
        as_of=as_of,
        first_due=first_due,
        instalments=instalments,
        frequency=frequency,
        down_payment=down_payment,
        policy=policy,
    )


def settlement_amount(balance: Money, discount_rate: Decimal) -> Money:
    """The balance less the discount, rounded up to the minor unit: the discount granted never
    exceeds the rate asked for."""
    if not _rate_ok(discount_rate):
        raise InvalidInput(f"a discount rate is at least 0 and below 1, got {discount_rate}")
    raw = balance.amount * (Decimal(1) - discount_rate)
    return Money(raw.quantize(quantum(balance.currency), rounding=ROUND_CEILING), balance.currency)


def propose_settlement(
    *,
    arrangement_id: str,
    case_id: str,
    balance: Money,
    as_of: dt.date,
    first_due: dt.date,
    discount_rate: Decimal,
    policy: ArrangementPolicy,
    instalments: int = 1,
    frequency: Frequency = Frequency.MONTHLY,
) -> Arrangement:
    """A settlement: a discounted total, paid at once or in a few instalments."""
    _require_positive(balance)
    if not policy.settlements_allowed:
        raise OutsidePolicy("settlements are not offered in this stage")
    if discount_rate > policy.max_discount_rate:
        raise OutsidePolicy(
            f"a {discount_rate:%} discount exceeds this stage's maximum of "
            f"{policy.max_discount_rate:%}",
            violations=["max_discount_rate"],
        )
    total = settlement_amount(balance, discount_rate)
    return _build(
        arrangement_id=arrangement_id,
        case_id=case_id,
        kind=ArrangementKind.SETTLEMENT,
        balance=balance,
        total=total,
        as_of=as_of,
        first_due=first_due,
        instalments=instalments,
        frequency=frequency,
        down_payment=None,
        policy=policy,
    )


@dataclass(frozen=True, slots=True)
class HardshipPlan:
    """What fits a debtor who is willing but unable: a plan, and whether it is affordable."""

    arrangement: Arrangement | None
    affordable: bool
    notes: tuple[str, ...]


def plan_for_affordable(
    *,
    arrangement_id: str,
    case_id: str,
    balance: Money,
    affordable: Money,
    as_of: dt.date,
    first_due: dt.date,
    frequency: Frequency,
    policy: ArrangementPolicy,
) -> HardshipPlan:
    """Size a plan to what the debtor says they can pay per period.

    When no plan within the stage's limits is affordable the answer is a hardship review (a
    pause, a longer plan approved above the stage, or a write-down), never "borrow elsewhere".
    """
    _require_positive(balance)
    if not affordable.is_positive():
        return HardshipPlan(
            None,
            affordable=False,
            notes=("nothing affordable now: refer for hardship review (pause or breathing space)",),
        )
    if not policy.plans_allowed:
        return HardshipPlan(None, affordable=False, notes=("no plans in this stage: refer",))
    units_total, units_affordable = _units(balance), _units(affordable.rounded(ROUND_FLOOR))
    needed = -(-units_total // max(units_affordable, 1))
    minimum_units = _units(policy.minimum(balance.currency))
    count = max(1, min(needed, policy.max_instalments))
    while count > 1 and (
        units_total // count < minimum_units
        or (due_dates(first_due, count, frequency)[-1] - as_of).days > policy.max_term_days
    ):
        count -= 1
    arrangement = _build(
        arrangement_id=arrangement_id,
        case_id=case_id,
        kind=ArrangementKind.PLAN,
        balance=balance,
        total=balance,
        as_of=as_of,
        first_due=first_due,
        instalments=count,
        frequency=frequency,
        down_payment=None,
        policy=policy,
    )
    largest = max(i.amount for i in arrangement.instalments)
    fits = largest <= affordable
    notes: list[str] = [f"{count} instalment(s) of at most {largest}"]
    if not fits:
        notes.append(
            f"more than the {affordable} the debtor can afford: refer for hardship review "
            "(a longer plan approved above this stage, a pause, or a write-down)"
        )
    return HardshipPlan(arrangement, affordable=fits, notes=tuple(notes))


@dataclass(frozen=True, slots=True)
class ApprovalDecision:
    required_role: Role
    proposer_may_approve: bool
    reasons: tuple[str, ...]


def approval_for(
    arrangement: Arrangement, policy: ArrangementPolicy, *, proposer: Role
) -> ApprovalDecision:
    """The least senior role whose limits cover the arrangement.

    Without approval rules, a collector may approve anything inside the stage's limits.
    """
    rate, count, term = (
        arrangement.discount_rate,
        len(arrangement.instalments),
        arrangement.term_days,
    )
    rules = policy.approvals or (
        ApprovalRule(
            Role.COLLECTOR, policy.max_discount_rate, policy.max_instalments, policy.max_term_days
        ),
    )
    for rule in rules:
        if (
            rate <= rule.max_discount_rate
            and count <= rule.max_instalments
            and term <= rule.max_term_days
        ):
            reasons = (
                f"discount {rate:.2%} <= {rule.max_discount_rate:.2%}",
                f"{count} <= {rule.max_instalments} instalments",
                f"term {term} <= {rule.max_term_days} days",
                f"within the {rule.role}'s authority",
            )
            return ApprovalDecision(rule.role, proposer.covers(rule.role), reasons)
    raise OutsidePolicy(
        f"arrangement {arrangement.arrangement_id}: no role may approve a {rate:.2%} discount "
        f"over {count} instalments and {term} days in this stage"
    )


class ArrangementState(StrEnum):
    ON_TRACK = "on_track"
    COMPLETED = "completed"
    BROKEN = "broken"


@dataclass(frozen=True, slots=True)
class ArrangementStatus:
    arrangement_id: str
    state: ArrangementState
    instalments: tuple[PromiseResult, ...]
    paid: Money
    remaining: Money
    broken_on: dt.date | None  # the deadline of the instalment that broke it

    @property
    def next_due(self) -> PromiseResult | None:
        pending = [r for r in self.instalments if r.status is PromiseStatus.PENDING]
        return pending[0] if pending else None


def _as_promises(arrangement: Arrangement) -> tuple[Promise, ...]:
    return tuple(
        Promise(
            promise_id=f"{arrangement.arrangement_id}#{item.number}",
            case_id=arrangement.case_id,
            set_id=arrangement.arrangement_id,
            made_on=arrangement.agreed_on,
            due_on=item.due_on,
            amount=item.amount,
        )
        for item in arrangement.instalments
    )


def evaluate_arrangement(
    arrangement: Arrangement,
    payments: Sequence[Payment],
    *,
    as_of: dt.date,
    policy: ArrangementPolicy,
    calendar: WorkingDays,
) -> ArrangementStatus:
    """Track the arrangement's instalments like promises (grace from the stage's policy).

    It breaks when `missed_to_break` instalments have been missed or only partly paid by their
    deadline; it completes when every instalment is paid.
    """
    results = evaluate_promises(
        _as_promises(arrangement),
        [p for p in payments if p.paid_on >= arrangement.agreed_on],
        as_of=as_of,
        policy=PromisePolicy(
            max_horizon_days=0, grace_days=policy.grace_days, max_promises_per_set=1
        ),
        calendar=calendar,
    )
    paid = Money.zero(arrangement.currency)
    for result in results:
        paid = paid + result.credited
    missed = [
        r for r in results if r.status in {PromiseStatus.BROKEN, PromiseStatus.PARTIALLY_KEPT}
    ]
    if len(missed) >= policy.missed_to_break:
        state, broken_on = ArrangementState.BROKEN, missed[policy.missed_to_break - 1].deadline
    elif all(r.status is PromiseStatus.KEPT for r in results):
        state, broken_on = ArrangementState.COMPLETED, None
    else:
        state, broken_on = ArrangementState.ON_TRACK, None
    return ArrangementStatus(
        arrangement_id=arrangement.arrangement_id,
        state=state,
        instalments=results,
        paid=paid,
        remaining=arrangement.total - paid,
        broken_on=broken_on,
    )
