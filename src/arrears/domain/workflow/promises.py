"""Promises to pay: registration within policy, and evaluation from payments.

A promise is an amount and a date the debtor agreed to. Promises agreed in one conversation form
a *promise set* (several partial promises are allowed: "part today, the rest on Friday"). A newer
set replaces whatever was still open in older sets: those promises become `superseded`, which
counts neither for nor against the debtor.

Evaluation is a pure function of (promises, payments, as_of, policy) and reads the day as
closed: payments dated up to and including `as_of` count, and a promise whose deadline is `as_of`
is decided. The nightly cycle for business date D therefore calls it with `as_of = D`.

The rule, written so that it maps onto window functions (the engine can run it as SQL):

1. Per case, order the sets by (made_on, set_id); `next_start` = the next set's made_on.
2. A payment (paid_on <= as_of) belongs to the latest set with made_on <= paid_on; payments
   before the first set belong to none.
3. Within a set, order promises by (due_on, promise_id); deadline_i = due_on_i + grace_days;
   S_i = sum of the set's payments with paid_on <= min(as_of, deadline_i);
   P_i = running sum of promised amounts.
4. Cumulative credit C_i = P_i + min(0, running minimum over k <= i of (S_k - P_k));
   credited_i = C_i - C_(i-1). (This is exactly "fill the earliest promise first" with each
   payment only counting towards promises whose deadline it met.)
5. status_i = kept when credited_i = amount_i; else superseded when next_start <= deadline_i;
   else pending while as_of < deadline_i; else partially kept when credited_i > 0; else broken.
6. A broken (and, by default, a partially kept) promise is followed up on the first working day
   after its deadline.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from enum import StrEnum
from typing import TYPE_CHECKING

from arrears.domain.errors import InvalidConfig, InvalidInput
from arrears.domain.money import Money
from arrears.domain.workflow.errors import OutsidePolicy
from arrears.domain.workflow.workdays import next_working_day

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence

    from arrears.domain.model import Payment
    from arrears.domain.workflow.workdays import WorkingDays


class PromiseStatus(StrEnum):
    PENDING = "pending"
    KEPT = "kept"
    PARTIALLY_KEPT = "partially_kept"
    BROKEN = "broken"
    SUPERSEDED = "superseded"

    @property
    def is_final(self) -> bool:
        return self is not PromiseStatus.PENDING


@dataclass(frozen=True, slots=True)
class PromisePolicy:
    """Limits on promises. The default horizon of 3 days follows seed 003 ("no more than three
    days"); longer horizons are arrangements, not promises."""

    max_horizon_days: int = 3
    grace_days: int = 1
    max_promises_per_set: int = 3
    follow_up_partial: bool = True

    def __post_init__(self) -> None:
        if not 0 <= self.max_horizon_days <= 31:
            raise InvalidConfig(f"max_horizon_days must be 0-31, got {self.max_horizon_days}")
        if not 0 <= self.grace_days <= 10:
            raise InvalidConfig(f"grace_days must be 0-10, got {self.grace_days}")
        if self.max_promises_per_set < 1:
            raise InvalidConfig("max_promises_per_set must be at least 1")


@dataclass(frozen=True, slots=True)
class Promise:
    promise_id: str
    case_id: str
    set_id: str  # promises agreed together share a set id
    made_on: dt.date
    due_on: dt.date
    amount: Money

    def __post_init__(self) -> None:
        if not self.promise_id or not self.case_id or not self.set_id:
            raise InvalidInput("a promise needs a promise_id, case_id and set_id")
        if not self.amount.is_positive():
            raise InvalidInput(f"promise {self.promise_id}: amount must be positive")
        if self.due_on < self.made_on:
            raise InvalidInput(
                f"promise {self.promise_id}: due on {self.due_on}, before it was made "
                f"({self.made_on})"
            )

    def deadline(self, policy: PromisePolicy) -> dt.date:
        return self.due_on + dt.timedelta(days=policy.grace_days)


def promise_violations(
    promises: Sequence[Promise], *, policy: PromisePolicy, balance: Money | None = None
) -> tuple[str, ...]:
    """Why a new promise set cannot be registered as it stands (empty: it can)."""
    problems: list[str] = []
    if not promises:
        return ("a promise set needs at least one promise",)
    first = promises[0]
    if len(promises) > policy.max_promises_per_set:
        problems.append(
            f"{len(promises)} promises in one set; the policy allows {policy.max_promises_per_set}"
        )
    for promise in promises:
        if (promise.case_id, promise.set_id, promise.made_on) != (
            first.case_id,
            first.set_id,
            first.made_on,
        ):
            problems.append(
                f"promise {promise.promise_id}: every promise of a set has the same case, set "
                "and date"
            )
        if promise.amount.currency != first.amount.currency:
            problems.append(f"promise {promise.promise_id}: currencies differ within the set")
        horizon = (promise.due_on - promise.made_on).days
        if horizon > policy.max_horizon_days:
            problems.append(
                f"promise {promise.promise_id}: due in {horizon} days; the horizon is "
                f"{policy.max_horizon_days} days (longer terms need an arrangement)"
            )
    ids = [p.promise_id for p in promises]
    if len(set(ids)) != len(ids):
        problems.append("promise ids repeat within the set")
    if balance is not None and not problems:
        promised = sum((p.amount.amount for p in promises), Decimal(0))
        if promised > balance.amount:
            problems.append(f"{promised} {balance.currency} promised; only {balance} is owed")
    return tuple(problems)


def validate_promise_set(
    promises: Sequence[Promise], *, policy: PromisePolicy, balance: Money | None = None
) -> None:
    problems = promise_violations(promises, policy=policy, balance=balance)
    if problems:
        raise OutsidePolicy("; ".join(problems), violations=list(problems))


@dataclass(frozen=True, slots=True)
class PromiseResult:
    promise_id: str
    case_id: str
    set_id: str
    status: PromiseStatus
    amount: Money
    credited: Money
    deadline: dt.date
    follow_up_on: dt.date | None

    @property
    def shortfall(self) -> Money:
        return self.amount - self.credited


def _set_order(promises: Iterable[Promise]) -> list[tuple[dt.date, str]]:
    starts: dict[str, dt.date] = {}
    for promise in promises:
        known = starts.setdefault(promise.set_id, promise.made_on)
        if known != promise.made_on:
            raise InvalidInput(f"promise set {promise.set_id} has more than one made_on date")
    return sorted((made_on, set_id) for set_id, made_on in starts.items())


def evaluate_promises(
    promises: Sequence[Promise],
    payments: Sequence[Payment],
    *,
    as_of: dt.date,
    policy: PromisePolicy,
    calendar: WorkingDays,
) -> tuple[PromiseResult, ...]:
    """Evaluate one case's promises at the close of `as_of` (see the module docstring)."""
    live = [p for p in promises if p.made_on <= as_of]
    if not live:
        return ()
    case_ids = {p.case_id for p in live}
    if len(case_ids) != 1:
        raise InvalidInput(f"evaluate one case at a time, got cases {sorted(case_ids)}")
    currency = live[0].amount.currency
    for item in (*(p.amount for p in live), *(p.amount for p in payments)):
        if item.currency != currency:
            raise InvalidInput(f"promises and payments mix {currency} and {item.currency}")

    order = _set_order(live)
    next_start: dict[str, dt.date | None] = {}
    for index, (_, set_id) in enumerate(order):
        next_start[set_id] = order[index + 1][0] if index + 1 < len(order) else None

    attributed: dict[str, list[Payment]] = {set_id: [] for _, set_id in order}
    for payment in payments:
        if payment.paid_on > as_of:
            continue
        owner = None
        for made_on, set_id in order:
            if made_on <= payment.paid_on:
                owner = set_id
        if owner is not None:
            attributed[owner].append(payment)

    by_set: dict[str, list[Promise]] = {}
    for promise in live:
        by_set.setdefault(promise.set_id, []).append(promise)

    results: list[PromiseResult] = []
    for _, set_id in order:
        members = sorted(by_set[set_id], key=lambda p: (p.due_on, p.promise_id))
        results.extend(
            _evaluate_set(
                members,
                attributed[set_id],
                as_of=as_of,
                next_start=next_start[set_id],
                policy=policy,
                calendar=calendar,
            )
        )
    return tuple(results)


def _evaluate_set(
    members: Sequence[Promise],
    payments: Sequence[Payment],
    *,
    as_of: dt.date,
    next_start: dt.date | None,
    policy: PromisePolicy,
    calendar: WorkingDays,
) -> list[PromiseResult]:
    currency = members[0].amount.currency
    promised = Decimal(0)
    running_min = Decimal(0)
    previous_cumulative = Decimal(0)
    results: list[PromiseResult] = []
    for promise in members:
        deadline = promise.deadline(policy)
        window_end = min(as_of, deadline)
        paid = sum((p.amount.amount for p in payments if p.paid_on <= window_end), Decimal(0))
        promised += promise.amount.amount
        running_min = min(running_min, paid - promised)
        cumulative = promised + running_min
        credited = cumulative - previous_cumulative
        previous_cumulative = cumulative

        if credited == promise.amount.amount:
            status = PromiseStatus.KEPT
        elif next_start is not None and next_start <= deadline:
            status = PromiseStatus.SUPERSEDED
        elif as_of < deadline:
            status = PromiseStatus.PENDING
        elif credited > 0:
            status = PromiseStatus.PARTIALLY_KEPT
        else:
            status = PromiseStatus.BROKEN
        follow_up = None
        if status is PromiseStatus.BROKEN or (
            status is PromiseStatus.PARTIALLY_KEPT and policy.follow_up_partial
        ):
            follow_up = next_working_day(deadline, calendar)
        results.append(
            PromiseResult(
                promise_id=promise.promise_id,
                case_id=promise.case_id,
                set_id=promise.set_id,
                status=status,
                amount=promise.amount,
                credited=Money(credited, currency),
                deadline=deadline,
                follow_up_on=follow_up,
            )
        )
    return results


@dataclass(frozen=True, slots=True)
class PromiseReliability:
    """A debtor's promise record. `score` is None until some promise has been decided."""

    kept: int = 0
    partially_kept: int = 0
    broken: int = 0
    pending: int = 0
    superseded: int = 0

    @property
    def decided(self) -> int:
        return self.kept + self.partially_kept + self.broken

    @property
    def score(self) -> Decimal | None:
        """(kept + half the partially kept) / decided, to two places."""
        if self.decided == 0:
            return None
        value = (Decimal(self.kept) + Decimal(self.partially_kept) / 2) / Decimal(self.decided)
        return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN)


def reliability(results: Iterable[PromiseResult]) -> PromiseReliability:
    counts = dict.fromkeys(PromiseStatus, 0)
    for result in results:
        counts[result.status] += 1
    return PromiseReliability(
        kept=counts[PromiseStatus.KEPT],
        partially_kept=counts[PromiseStatus.PARTIALLY_KEPT],
        broken=counts[PromiseStatus.BROKEN],
        pending=counts[PromiseStatus.PENDING],
        superseded=counts[PromiseStatus.SUPERSEDED],
    )


@dataclass(frozen=True, slots=True)
class PromiseStatusChanged:
    """Event: a promise's status differs from the one stored (PromiseKept, PromiseBroken ...)."""

    promise_id: str
    case_id: str
    before: PromiseStatus | None
    after: PromiseStatus
    as_of: dt.date
    follow_up_on: dt.date | None

    @property
    def audit_tag(self) -> str:
        return f"case:promise:{self.after}"


def status_changes(
    previous: Mapping[str, str], results: Iterable[PromiseResult], *, as_of: dt.date
) -> tuple[PromiseStatusChanged, ...]:
    """The events the cycle writes: one per promise whose status changed since last stored.

    `previous` maps promise ids to the stored status (a `PromiseStatus` or its string value).
    """
    changes: list[PromiseStatusChanged] = []
    for r in results:
        stored = previous.get(r.promise_id)
        before = PromiseStatus(stored) if stored is not None else None
        if before is not r.status:
            changes.append(
                PromiseStatusChanged(
                    promise_id=r.promise_id,
                    case_id=r.case_id,
                    before=before,
                    after=r.status,
                    as_of=as_of,
                    follow_up_on=r.follow_up_on,
                )
            )
    return tuple(changes)


def follow_ups(results: Iterable[PromiseResult]) -> dict[str, dt.date]:
    """Per case, the earliest follow-up date owed to a broken (or partially kept) promise."""
    queue: dict[str, dt.date] = {}
    for result in results:
        if result.follow_up_on is not None:
            current = queue.get(result.case_id)
            if current is None or result.follow_up_on < current:
                queue[result.case_id] = result.follow_up_on
    return queue
