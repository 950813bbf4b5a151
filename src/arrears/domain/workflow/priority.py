"""Worklist priority: a transparent expected-value heuristic, every component shown.

    expected value = balance x probability
    probability    = min(1, base(DPD) + promise due today + broken-promise follow-up)

`base(DPD)` is a step curve (the older the debt, the less likely it is collected; seed 002 item
15: "the difficulty of collecting depends on the age of the debt, not its amount"). The uplifts
put the cases where a call most likely brings money, or where a promise was just broken, first.
It is a placeholder for a trained model, kept simple so that collectors can check it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from arrears.domain.errors import InvalidConfig, InvalidInput

if TYPE_CHECKING:
    from collections.abc import Iterable

    from arrears.domain.money import Money

_DEFAULT_CURVE = (
    (30, Decimal("0.60")),
    (60, Decimal("0.45")),
    (90, Decimal("0.30")),
    (120, Decimal("0.20")),
    (180, Decimal("0.12")),
    (None, Decimal("0.05")),
)


@dataclass(frozen=True, slots=True)
class PriorityWeights:
    """`dpd_curve`: (highest DPD of the band, or None for the rest; base probability)."""

    dpd_curve: tuple[tuple[int | None, Decimal], ...] = field(default=_DEFAULT_CURVE)
    promise_due_today: Decimal = Decimal("0.25")
    broken_promise: Decimal = Decimal("0.15")

    def __post_init__(self) -> None:
        if not self.dpd_curve or self.dpd_curve[-1][0] is not None:
            raise InvalidConfig("the DPD curve must end with an open band (max_dpd: null)")
        limits = [limit for limit, _ in self.dpd_curve[:-1] if limit is not None]
        if len(limits) != len(self.dpd_curve) - 1 or limits != sorted(set(limits)):
            raise InvalidConfig("DPD curve bands must be listed by increasing max_dpd")
        for _, value in self.dpd_curve:
            if not Decimal(0) <= value <= Decimal(1):
                raise InvalidConfig("DPD curve probabilities must be between 0 and 1")
        for value in (self.promise_due_today, self.broken_promise):
            if not Decimal(0) <= value <= Decimal(1):
                raise InvalidConfig("priority uplifts must be between 0 and 1")

    def base(self, dpd: int) -> tuple[Decimal, str]:
        lower = 0
        for limit, value in self.dpd_curve:
            if limit is None or dpd <= limit:
                band = f"DPD {lower}+" if limit is None else f"DPD {lower}-{limit}"
                return value, band
            lower = limit + 1
        raise InvalidConfig("unreachable: the curve ends with an open band")  # pragma: no cover


@dataclass(frozen=True, slots=True)
class PriorityInputs:
    case_id: str
    balance: Money
    dpd: int
    promise_due_today: bool = False
    broken_promise_follow_up: bool = False  # a broken promise's follow-up is due (or overdue)


@dataclass(frozen=True, slots=True)
class PriorityComponent:
    name: str
    value: Decimal
    explanation: str


@dataclass(frozen=True, slots=True)
class Priority:
    case_id: str
    dpd: int
    expected_value: Money
    probability: Decimal
    components: tuple[PriorityComponent, ...]

    def explain(self) -> str:
        parts = " + ".join(f"{c.name} {c.value}" for c in self.components)
        return f"{self.expected_value} = balance x min(1, {parts})"


def priority(inputs: PriorityInputs, weights: PriorityWeights) -> Priority:
    if inputs.dpd < 0:
        raise InvalidInput("DPD is never negative")
    base, band = weights.base(inputs.dpd)
    components = [PriorityComponent("dpd", base, f"base probability for {band}")]
    if inputs.promise_due_today:
        components.append(
            PriorityComponent("promise_due_today", weights.promise_due_today, "a promise is due")
        )
    if inputs.broken_promise_follow_up:
        components.append(
            PriorityComponent(
                "broken_promise", weights.broken_promise, "follow up a broken promise"
            )
        )
    probability = min(Decimal(1), sum((c.value for c in components), Decimal(0)))
    value = (inputs.balance * probability).rounded()
    return Priority(inputs.case_id, inputs.dpd, value, probability, tuple(components))


def rank(priorities: Iterable[Priority]) -> list[Priority]:
    """Highest expected value first; ties by higher DPD, then case id (stable across runs).

    Expected values are compared as amounts: rank one currency at a time (or convert first).
    """
    items = list(priorities)
    currencies = {p.expected_value.currency for p in items}
    if len(currencies) > 1:
        raise InvalidInput(f"rank one currency at a time, got {sorted(currencies)}")
    return sorted(items, key=lambda p: (-p.expected_value.amount, -p.dpd, p.case_id))
