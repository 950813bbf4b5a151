from decimal import ROUND_HALF_UP, Decimal

import pytest

from arrears.domain.errors import CurrencyMismatch, InvalidInput, UnknownCurrency
from arrears.domain.money import Money, minor_units, to_decimal


def test_minor_units_follow_the_currency():
    assert minor_units("EUR") == 2
    assert minor_units("JPY") == 0
    assert minor_units("BHD") == 3


def test_rounding_is_per_currency_and_explicit():
    assert Money.of("10.125", "EUR").rounded().amount == Decimal("10.12")  # half even
    assert Money.of("10.125", "EUR").rounded(ROUND_HALF_UP).amount == Decimal("10.13")
    assert Money.of("100.5", "JPY").rounded().amount == Decimal(100)
    assert Money.of("1.23456", "BHD").rounded().amount == Decimal("1.235")


def test_arithmetic_keeps_the_currency():
    total = Money.of("1.10", "USD") + Money.of("2.20", "USD")
    assert total == Money.of("3.30", "USD")
    assert (total - Money.of("3.30", "USD")).is_zero()
    assert Money.of("2", "USD") * 3 == Money.of("6", "USD")


def test_mixing_currencies_is_refused():
    with pytest.raises(CurrencyMismatch) as info:
        _ = Money.of(1, "EUR") + Money.of(1, "USD")
    assert info.value.code == "currency_mismatch"
    assert "EUR" in info.value.message
    with pytest.raises(CurrencyMismatch):
        _ = Money.of(1, "EUR") < Money.of(2, "USD")


def test_unknown_currency_and_floats_are_refused():
    with pytest.raises(UnknownCurrency):
        Money.of(1, "EURO")
    with pytest.raises(InvalidInput, match="float"):
        to_decimal(0.1)
    with pytest.raises(InvalidInput, match="not a decimal"):
        to_decimal("1,5")
    with pytest.raises(InvalidInput, match="finite"):
        to_decimal("NaN")
