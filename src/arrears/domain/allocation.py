"""The allocation waterfall: how money received is applied to what is owed.

Allocation is recomputed as of a business date from every payment received up to that date over
every amount due (installment components and charges posted up to that date), the way a core
banking system reprocesses a loan's transactions. Money is never created or lost: what is applied
plus the credit left over equals what was received.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from arrears.domain.errors import InvalidConfig
from arrears.domain.model import Component, Loan
from arrears.domain.money import Money

if TYPE_CHECKING:
    import datetime as dt


class AllocationMode(StrEnum):
    INSTALLMENT_FIRST = "installment_first"
    """Oldest installment first; within it the component order (horizontal)."""
    COMPONENT_FIRST = "component_first"
    """Each component across every installment due by as_of, oldest first (vertical);
    installments not yet due are then prepaid installment by installment."""


DEFAULT_COMPONENT_ORDER = (
    Component.PENALTY,
    Component.FEE,
    Component.INTEREST,
    Component.PRINCIPAL,
)


@dataclass(frozen=True, slots=True)
class Waterfall:
    mode: AllocationMode = AllocationMode.INSTALLMENT_FIRST
    components: tuple[Component, ...] = DEFAULT_COMPONENT_ORDER

    def __post_init__(self) -> None:
        if sorted(self.components) != sorted(Component) or len(self.components) != len(Component):
            raise InvalidConfig(
                "allocation order must name each of penalty, fee, interest, principal once, "
                f"got {[str(c) for c in self.components]}"
            )

    def rank(self, component: Component) -> int:
        return self.components.index(component)


@dataclass(frozen=True, slots=True)
class InstallmentPosition:
    """What was due and what was paid on one installment, by component, as of a date."""

    number: int
    due_date: dt.date
    due: dict[Component, Money]
    paid: dict[Component, Money]

    def outstanding(self, component: Component) -> Money:
        return self.due[component] - self.paid[component]

    @property
    def due_total(self) -> Money:
        values = list(self.due.values())
        result = values[0]
        for value in values[1:]:
            result = result + value
        return result

    @property
    def paid_total(self) -> Money:
        values = list(self.paid.values())
        result = values[0]
        for value in values[1:]:
            result = result + value
        return result

    @property
    def outstanding_total(self) -> Money:
        return self.due_total - self.paid_total

    @property
    def is_fully_paid(self) -> bool:
        return self.outstanding_total.amount <= 0


@dataclass(frozen=True, slots=True)
class Allocation:
    currency: str
    positions: tuple[InstallmentPosition, ...]
    received: Money
    credit: Money

    def position(self, number: int) -> InstallmentPosition:
        for position in self.positions:
            if position.number == number:
                return position
        raise KeyError(number)

    @property
    def applied(self) -> Money:
        result = Money.zero(self.currency)
        for position in self.positions:
            result = result + position.paid_total
        return result


def allocate(loan: Loan, as_of: dt.date, waterfall: Waterfall | None = None) -> Allocation:
    """Apply the payments received up to `as_of` to the loan's dues, by the waterfall."""
    waterfall = waterfall or Waterfall()
    currency = loan.currency
    zero = Money.zero(currency)
    received = zero
    for payment in loan.payments:
        if payment.paid_on <= as_of:
            received = received + payment.amount

    penalties: dict[int, Money] = {}
    for charge in loan.charges:
        if charge.charged_on <= as_of:
            penalties[charge.installment_no] = (
                penalties.get(charge.installment_no, zero) + charge.amount
            )

    dues: dict[int, dict[Component, Money]] = {}
    for item in loan.installments:
        dues[item.number] = {
            Component.PENALTY: penalties.get(item.number, zero),
            Component.FEE: item.fee,
            Component.INTEREST: item.interest,
            Component.PRINCIPAL: item.principal,
        }

    lines: list[tuple[tuple[int, int, int], int, Component]] = []
    for item in loan.installments:
        for component in Component:
            rank = waterfall.rank(component)
            if item.due_date > as_of:
                key = (1, item.number, rank)
            elif waterfall.mode is AllocationMode.INSTALLMENT_FIRST:
                key = (0, item.number, rank)
            else:
                key = (0, rank, item.number)
            lines.append((key, item.number, component))
    lines.sort(key=lambda line: line[0])

    paid: dict[int, dict[Component, Money]] = {
        number: dict.fromkeys(Component, zero) for number in dues
    }
    remaining = received
    for _key, number, component in lines:
        if not remaining.is_positive():
            break
        applied = remaining.min(dues[number][component])
        paid[number][component] = applied
        remaining = remaining - applied

    positions = tuple(
        InstallmentPosition(
            number=item.number,
            due_date=item.due_date,
            due=dues[item.number],
            paid=paid[item.number],
        )
        for item in loan.installments
    )
    return Allocation(currency=currency, positions=positions, received=received, credit=remaining)
