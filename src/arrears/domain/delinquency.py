"""Delinquency: days past due (DPD), buckets, grace days, arrears tolerance and pause periods.

Conventions (see docs/delinquency.md):
- An installment is overdue the day after its due date: DPD is 0 on the due date, 1 the day after
  (Apache Fineract's convention), counted from the oldest installment not fully paid.
- Grace days move the day ageing starts: with 3 grace days an installment due on the 1st starts
  ageing after the 4th, so DPD is 1 on the 5th.
- Tolerance: the oldest installments whose running unpaid amount stays within the tolerance do not
  age the loan. DPD is 0 exactly when the unpaid amount of installments past due (and past grace)
  is at most the tolerance.
- Pauses [start, end) stop ageing: paused days are not counted, DPD resumes after the pause.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from arrears.domain.allocation import Allocation, Waterfall, allocate
from arrears.domain.errors import InvalidBuckets, InvalidConfig
from arrears.domain.model import Component, Loan
from arrears.domain.money import Money

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence

ONE_DAY = dt.timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Bucket:
    name: str
    min_dpd: int
    max_dpd: int | None  # None: open-ended

    def contains(self, dpd: int) -> bool:
        return dpd >= self.min_dpd and (self.max_dpd is None or dpd <= self.max_dpd)


@dataclass(frozen=True, slots=True)
class BucketSet:
    """Contiguous, non-overlapping DPD ranges from 0 with an open-ended last range."""

    buckets: tuple[Bucket, ...]

    def __post_init__(self) -> None:
        validate_buckets(self.buckets)

    def classify(self, dpd: int) -> Bucket:
        for bucket in self.buckets:
            if bucket.contains(dpd):
                return bucket
        raise InvalidBuckets(f"no bucket holds DPD {dpd}")  # unreachable after validation

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(b.name for b in self.buckets)

    @classmethod
    def default(cls) -> BucketSet:
        return DEFAULT_BUCKETS


def validate_buckets(buckets: Sequence[Bucket]) -> None:
    if not buckets:
        raise InvalidBuckets("at least one bucket is needed")
    names = [b.name for b in buckets]
    if len(set(names)) != len(names):
        raise InvalidBuckets(f"bucket names must be unique, got {names}")
    ordered = sorted(buckets, key=lambda b: b.min_dpd)
    if list(ordered) != list(buckets):
        raise InvalidBuckets("buckets must be listed in increasing DPD order")
    if ordered[0].min_dpd != 0:
        raise InvalidBuckets(
            f"the first bucket must start at DPD 0, {ordered[0].name} starts "
            f"at {ordered[0].min_dpd}"
        )
    for bucket in ordered:
        if bucket.min_dpd < 0:
            raise InvalidBuckets(f"bucket {bucket.name}: min_dpd must not be negative")
        if bucket.max_dpd is not None and bucket.max_dpd < bucket.min_dpd:
            raise InvalidBuckets(
                f"bucket {bucket.name}: max_dpd {bucket.max_dpd} is below min_dpd {bucket.min_dpd}"
            )
    for earlier, later in itertools.pairwise(ordered):
        if earlier.max_dpd is None:
            raise InvalidBuckets(f"bucket {earlier.name} is open-ended but {later.name} follows it")
        if later.min_dpd <= earlier.max_dpd:
            raise InvalidBuckets(
                f"buckets {earlier.name} ({earlier.min_dpd}-{earlier.max_dpd}) "
                f"and {later.name} (from {later.min_dpd}) overlap"
            )
        if later.min_dpd > earlier.max_dpd + 1:
            raise InvalidBuckets(
                f"DPD {earlier.max_dpd + 1}-{later.min_dpd - 1} falls between "
                f"buckets {earlier.name} and {later.name}"
            )
    if ordered[-1].max_dpd is not None:
        raise InvalidBuckets(
            f"the last bucket ({ordered[-1].name}) must be open-ended "
            f"(no max_dpd) so every DPD has a bucket"
        )


DEFAULT_BUCKETS = BucketSet(
    (
        Bucket("M0", 0, 0),
        Bucket("M1", 1, 30),
        Bucket("M2", 31, 60),
        Bucket("M3", 61, 90),
        Bucket("M4", 91, 120),
        Bucket("M5", 121, 150),
        Bucket("M6", 151, 180),
        Bucket("M7", 181, None),
    )
)


@dataclass(frozen=True, slots=True)
class Pause:
    """A period in which delinquency does not age: start inclusive, end exclusive."""

    start: dt.date
    end: dt.date

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise InvalidConfig(f"a pause must end after it starts ({self.start} to {self.end})")


def merge_pauses(pauses: Iterable[Pause]) -> tuple[Pause, ...]:
    merged: list[Pause] = []
    for pause in sorted(pauses, key=lambda p: p.start):
        if merged and pause.start <= merged[-1].end:
            last = merged[-1]
            merged[-1] = Pause(last.start, max(last.end, pause.end))
        else:
            merged.append(pause)
    return tuple(merged)


def ageing_days(since: dt.date, as_of: dt.date, pauses: Iterable[Pause] = ()) -> int:
    """Days d with since < d <= as_of that fall in no pause."""
    if as_of <= since:
        return 0
    days = (as_of - since).days
    first, last_exclusive = since + ONE_DAY, as_of + ONE_DAY
    for pause in merge_pauses(pauses):
        overlap_start = max(pause.start, first)
        overlap_end = min(pause.end, last_exclusive)
        if overlap_end > overlap_start:
            days -= (overlap_end - overlap_start).days
    return days


@dataclass(frozen=True, slots=True)
class DelinquencyPolicy:
    grace_days: int = 0
    tolerance: Decimal = Decimal(0)
    tolerance_by_currency: Mapping[str, Decimal] = field(default_factory=dict)
    buckets: BucketSet = DEFAULT_BUCKETS
    waterfall: Waterfall = field(default_factory=Waterfall)

    def __post_init__(self) -> None:
        if self.grace_days < 0:
            raise InvalidConfig(f"grace_days must not be negative, got {self.grace_days}")
        if self.tolerance < 0 or any(v < 0 for v in self.tolerance_by_currency.values()):
            raise InvalidConfig("tolerance must not be negative")

    def tolerance_for(self, currency: str) -> Money:
        return Money(self.tolerance_by_currency.get(currency, self.tolerance), currency)


@dataclass(frozen=True, slots=True)
class DelinquencyStatus:
    loan_id: str
    borrower_id: str
    as_of: dt.date
    currency: str
    dpd: int
    bucket: str
    overdue: dict[Component, Money]
    missed_installments: int
    oldest_unpaid_due_date: dt.date | None
    last_payment_date: dt.date | None
    credit: Money

    @property
    def overdue_total(self) -> Money:
        result = Money.zero(self.currency)
        for value in self.overdue.values():
            result = result + value
        return result

    @property
    def is_delinquent(self) -> bool:
        return self.dpd > 0


def compute_delinquency(
    loan: Loan,
    as_of: dt.date,
    policy: DelinquencyPolicy | None = None,
    pauses: Iterable[Pause] = (),
    *,
    allocation: Allocation | None = None,
) -> DelinquencyStatus:
    """The loan's delinquency as of the business date. Payments after `as_of` are ignored."""
    policy = policy or DelinquencyPolicy()
    pauses = tuple(pauses)
    allocation = allocation or allocate(loan, as_of, policy.waterfall)
    zero = Money.zero(loan.currency)
    tolerance = policy.tolerance_for(loan.currency)
    grace = dt.timedelta(days=policy.grace_days)

    overdue = dict.fromkeys(Component, zero)
    missed = 0
    oldest_unpaid: dt.date | None = None
    ageing_from: dt.date | None = None
    running = zero
    for position in allocation.positions:
        if position.due_date >= as_of:
            continue  # due today or later: not overdue
        if not position.is_fully_paid:
            missed += 1
            oldest_unpaid = oldest_unpaid or position.due_date
            for component in Component:
                overdue[component] = overdue[component] + position.outstanding(component)
        if ageing_from is None and position.due_date + grace < as_of:
            running = running + position.outstanding_total
            if running > tolerance:
                ageing_from = position.due_date + grace

    dpd = 0 if ageing_from is None else ageing_days(ageing_from, as_of, pauses)
    paid_dates = [p.paid_on for p in loan.payments if p.paid_on <= as_of]
    return DelinquencyStatus(
        loan_id=loan.external_id,
        borrower_id=loan.borrower_id,
        as_of=as_of,
        currency=loan.currency,
        dpd=dpd,
        bucket=policy.buckets.classify(dpd).name,
        overdue=overdue,
        missed_installments=missed,
        oldest_unpaid_due_date=oldest_unpaid,
        last_payment_date=max(paid_dates) if paid_dates else None,
        credit=allocation.credit,
    )


def worst_dpd_by_borrower(statuses: Iterable[DelinquencyStatus]) -> dict[str, int]:
    """A borrower is as delinquent as their worst loan."""
    worst: dict[str, int] = {}
    for status in statuses:
        worst[status.borrower_id] = max(worst.get(status.borrower_id, 0), status.dpd)
    return worst
