"""Borrowers, related parties, loans, installment schedules and payments (plain typed classes)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

from arrears.domain.errors import InvalidInput
from arrears.domain.money import Money, check_currency

if TYPE_CHECKING:
    import datetime as dt
    from decimal import Decimal


class PhoneKind(StrEnum):
    MOBILE = "mobile"
    HOME = "home"
    WORK = "work"


class PartyRole(StrEnum):
    GUARANTOR = "guarantor"
    REFERENCE = "reference"


class Relation(StrEnum):
    SPOUSE = "spouse"
    PARENT = "parent"
    CHILD = "child"
    SIBLING = "sibling"
    RELATIVE = "relative"
    FRIEND = "friend"
    COLLEAGUE = "colleague"
    EMPLOYER = "employer"
    OTHER = "other"


class Component(StrEnum):
    """Parts of an amount due, in the default allocation order."""

    PENALTY = "penalty"
    FEE = "fee"
    INTEREST = "interest"
    PRINCIPAL = "principal"


@dataclass(frozen=True, slots=True)
class Phone:
    kind: PhoneKind
    e164: str
    region_code: str  # ISO 3166 alpha-2 the number belongs to
    time_zones: tuple[str, ...] = ()  # IANA zones the number may be in (from phonenumbers)


@dataclass(frozen=True, slots=True)
class Address:
    line: str
    city: str
    postal_code: str
    region: str
    country: str
    time_zone: str | None


@dataclass(frozen=True, slots=True)
class Borrower:
    external_id: str
    full_name: str
    language: str
    country: str
    region: str | None = None
    occupation: str | None = None
    employer: str | None = None
    phones: tuple[Phone, ...] = ()
    emails: tuple[str, ...] = ()
    addresses: tuple[Address, ...] = ()


@dataclass(frozen=True, slots=True)
class RelatedParty:
    external_id: str
    borrower_id: str
    role: PartyRole
    relation: Relation
    full_name: str
    phones: tuple[Phone, ...] = ()
    emails: tuple[str, ...] = ()
    language: str | None = None
    guarantee_enforceable: bool = False

    def __post_init__(self) -> None:
        if self.guarantee_enforceable and self.role is not PartyRole.GUARANTOR:
            raise InvalidInput("only a guarantor's guarantee can be enforceable")


@dataclass(frozen=True, slots=True)
class Installment:
    number: int
    due_date: dt.date
    principal: Money
    interest: Money
    fee: Money

    def __post_init__(self) -> None:
        if self.number < 1:
            raise InvalidInput(f"installment_no must be >= 1, got {self.number}")
        currencies = {self.principal.currency, self.interest.currency, self.fee.currency}
        if len(currencies) != 1:
            raise InvalidInput(f"installment {self.number} mixes currencies {sorted(currencies)}")
        for name in ("principal", "interest", "fee"):
            if getattr(self, name).amount < 0:
                raise InvalidInput(f"installment {self.number}: {name} must not be negative")

    @property
    def currency(self) -> str:
        return self.principal.currency

    @property
    def total(self) -> Money:
        return self.principal + self.interest + self.fee


@dataclass(frozen=True, slots=True)
class Payment:
    external_id: str
    paid_on: dt.date
    amount: Money

    def __post_init__(self) -> None:
        if not self.amount.is_positive():
            raise InvalidInput(f"payment {self.external_id}: amount must be positive")


@dataclass(frozen=True, slots=True)
class Charge:
    """A late fee or penalty interest posted on an installment. Unique per (rule, period)."""

    rule_id: str
    period_key: str
    installment_no: int
    charged_on: dt.date
    amount: Money

    @property
    def key(self) -> tuple[str, str]:
        return (self.rule_id, self.period_key)


@dataclass(frozen=True, slots=True)
class Loan:
    external_id: str
    borrower_id: str
    currency: str
    installments: tuple[Installment, ...]
    payments: tuple[Payment, ...] = ()
    charges: tuple[Charge, ...] = ()
    product: str = "personal"
    principal: Money | None = None
    disbursed_on: dt.date | None = None
    annual_interest_rate: Decimal | None = field(default=None)

    def __post_init__(self) -> None:
        check_currency(self.currency)
        numbers = [i.number for i in self.installments]
        if numbers != sorted(set(numbers)):
            raise InvalidInput(f"loan {self.external_id}: installment numbers must be unique")
        ordered = sorted(self.installments, key=lambda i: i.number)
        for earlier, later in itertools.pairwise(ordered):
            if later.due_date <= earlier.due_date:
                raise InvalidInput(
                    f"loan {self.external_id}: due dates must increase with installment_no "
                    f"({earlier.number}: {earlier.due_date}, {later.number}: {later.due_date})"
                )
        object.__setattr__(self, "installments", tuple(ordered))
        for item in self.installments:
            if item.currency != self.currency:
                raise InvalidInput(
                    f"loan {self.external_id}: installment {item.number} is in {item.currency}, "
                    f"the loan in {self.currency}"
                )
        for payment in self.payments:
            if payment.amount.currency != self.currency:
                raise InvalidInput(
                    f"loan {self.external_id}: payment {payment.external_id} is in "
                    f"{payment.amount.currency}, the loan in {self.currency}"
                )
        keys = [c.key for c in self.charges]
        if len(keys) != len(set(keys)):
            raise InvalidInput(f"loan {self.external_id}: a charge is posted twice for one period")

    def with_charges(self, extra: tuple[Charge, ...]) -> Loan:
        return Loan(
            external_id=self.external_id,
            borrower_id=self.borrower_id,
            currency=self.currency,
            installments=self.installments,
            payments=self.payments,
            charges=self.charges + extra,
            product=self.product,
            principal=self.principal,
            disbursed_on=self.disbursed_on,
            annual_interest_rate=self.annual_interest_rate,
        )
