"""Money: a Decimal amount with an ISO 4217 currency and explicit, per-currency rounding."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from functools import cache
from typing import TYPE_CHECKING, Self

from babel.numbers import get_currency_precision, list_currencies

from arrears.domain.errors import CurrencyMismatch, InvalidInput, UnknownCurrency

if TYPE_CHECKING:
    from collections.abc import Iterable

DEFAULT_ROUNDING = ROUND_HALF_EVEN


@cache
def _known_currencies() -> frozenset[str]:
    return frozenset(list_currencies())


@cache
def minor_units(currency: str) -> int:
    """Digits after the decimal point for a currency (CLDR data via Babel): EUR 2, JPY 0."""
    check_currency(currency)
    return int(get_currency_precision(currency))


@cache
def quantum(currency: str) -> Decimal:
    return Decimal(1).scaleb(-minor_units(currency))


def check_currency(currency: str) -> str:
    if currency not in _known_currencies():
        raise UnknownCurrency(currency=currency)
    return currency


def to_decimal(value: object, *, field: str = "amount") -> Decimal:
    """Parse a money amount without ever passing through float."""
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int) and not isinstance(value, bool):
        result = Decimal(value)
    elif isinstance(value, str):
        try:
            result = Decimal(value.strip())
        except InvalidOperation:
            raise InvalidInput(f"{field}: {value!r} is not a decimal number") from None
    else:
        raise InvalidInput(f"{field}: {value!r} ({type(value).__name__}) is not a decimal amount")
    if not result.is_finite():
        raise InvalidInput(f"{field}: {value!r} is not a finite amount")
    return result


@dataclass(frozen=True, slots=True)
class Money:
    """An amount of one currency. Arithmetic across currencies raises CurrencyMismatch."""

    amount: Decimal
    currency: str

    def __post_init__(self) -> None:
        if not isinstance(self.amount, Decimal):
            object.__setattr__(self, "amount", to_decimal(self.amount))
        check_currency(self.currency)

    @classmethod
    def of(cls, amount: object, currency: str) -> Self:
        return cls(to_decimal(amount), currency)

    @classmethod
    def zero(cls, currency: str) -> Self:
        return cls(Decimal(0), currency)

    def _check(self, other: Money) -> None:
        if other.currency != self.currency:
            raise CurrencyMismatch(left=self.currency, right=other.currency)

    def __add__(self, other: Money) -> Money:
        self._check(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._check(other)
        return Money(self.amount - other.amount, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def __mul__(self, factor: Decimal | int) -> Money:
        if isinstance(factor, float):  # pragma: no cover - guarded by typing
            raise InvalidInput("money is never multiplied by a float")
        return Money(self.amount * Decimal(factor), self.currency)

    def __lt__(self, other: Money) -> bool:
        self._check(other)
        return self.amount < other.amount

    def __le__(self, other: Money) -> bool:
        self._check(other)
        return self.amount <= other.amount

    def __gt__(self, other: Money) -> bool:
        self._check(other)
        return self.amount > other.amount

    def __ge__(self, other: Money) -> bool:
        self._check(other)
        return self.amount >= other.amount

    def is_zero(self) -> bool:
        return self.amount == 0

    def is_positive(self) -> bool:
        return self.amount > 0

    def rounded(self, rounding: str = DEFAULT_ROUNDING) -> Money:
        """Round to the currency's minor unit with an explicit rounding mode."""
        return Money(self.amount.quantize(quantum(self.currency), rounding=rounding), self.currency)

    def min(self, other: Money) -> Money:
        return min(self, other)

    def max(self, other: Money) -> Money:
        return max(self, other)

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"


def total(items: Iterable[Money], currency: str) -> Money:
    result = Money.zero(currency)
    for item in items:
        result = result + item
    return result
