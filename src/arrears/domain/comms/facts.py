"""The facts a message states, per kind, and their validation before anything is rendered.

A message is a `Header` (who writes to whom, about which account, in which language, on which
business date) and the facts of its kind (`PaymentNotice`, `Reminder` ...). `validate_facts`
lists every problem at once (a missing name, a negative amount, a plan that does not add up, a
currency that differs) and raises `InvalidInput`; nothing is rendered from bad facts.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any, ClassVar, TypeAlias

from arrears.domain.comms.kinds import Language, MessageChannel, MessageKind, check_channel
from arrears.domain.comms.validation_notice import ValidationNotice
from arrears.domain.errors import InvalidInput
from arrears.domain.money import Money

if TYPE_CHECKING:
    from collections.abc import Iterable


@dataclass(frozen=True, slots=True)
class Party:
    """A person or firm with the postal address lines a letter window shows."""

    name: str
    address_lines: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Sender:
    """Who writes: the collection agency (or the creditor's collections department)."""

    name: str
    address_lines: tuple[str, ...]
    phone: str
    email: str
    website: str = ""
    agent_id: str = ""  # the staff number Chinese industry rules ask for
    hours: str = ""  # when the phone line is open, as text


@dataclass(frozen=True, slots=True)
class Header:
    kind: MessageKind
    channel: MessageChannel
    language: Language
    as_of: dt.date  # the business date the message is written for
    recipient: Party
    sender: Sender
    creditor: str  # on whose behalf we write
    account: str  # the account (loan) reference shown to the debtor


def _problems_money(name: str, value: Money, *, positive: bool = False) -> list[str]:
    if value.amount < 0 or (positive and not value.is_positive()):
        return [f"{name} must be {'positive' if positive else 'zero or more'}, got {value}"]
    return []


class _Facts:
    kind: ClassVar[MessageKind]

    def problems(self, header: Header) -> list[str]:  # pragma: no cover - overridden
        raise NotImplementedError

    def context(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}  # type: ignore[arg-type]


def _currencies(*amounts: Money) -> list[str]:
    found = sorted({a.currency for a in amounts})
    return [f"amounts mix currencies {', '.join(found)}"] if len(found) > 1 else []


@dataclass(frozen=True, slots=True)
class PaymentNotice(_Facts):
    kind: ClassVar[MessageKind] = MessageKind.PAYMENT_NOTICE
    installment_no: int
    due_date: dt.date
    amount_due: Money

    def problems(self, header: Header) -> list[str]:
        out = _problems_money("amount_due", self.amount_due, positive=True)
        if self.due_date < header.as_of:
            out.append(f"due_date {self.due_date} is before the business date {header.as_of}")
        if self.installment_no < 1:
            out.append("installment_no must be 1 or more")
        return out


@dataclass(frozen=True, slots=True)
class Reminder(_Facts):
    kind: ClassVar[MessageKind] = MessageKind.REMINDER
    days_past_due: int
    missed_installments: int
    amount_overdue: Money
    pay_by: dt.date

    def problems(self, header: Header) -> list[str]:
        out = _problems_money("amount_overdue", self.amount_overdue, positive=True)
        if self.days_past_due < 1:
            out.append("days_past_due must be 1 or more: a reminder is for an overdue account")
        if self.missed_installments < 1:
            out.append("missed_installments must be 1 or more")
        if self.pay_by < header.as_of:
            out.append(f"pay_by {self.pay_by} is before the business date {header.as_of}")
        return out


@dataclass(frozen=True, slots=True)
class PromiseConfirmation(_Facts):
    kind: ClassVar[MessageKind] = MessageKind.PROMISE_CONFIRMATION
    amount: Money
    promised_on: dt.date  # the date the debtor will pay
    made_on: dt.date  # when the promise was made

    def problems(self, header: Header) -> list[str]:
        out = _problems_money("amount", self.amount, positive=True)
        if self.promised_on < self.made_on:
            out.append(f"promised_on {self.promised_on} is before made_on {self.made_on}")
        if self.made_on > header.as_of:
            out.append(f"made_on {self.made_on} is after the business date {header.as_of}")
        return out


@dataclass(frozen=True, slots=True)
class BrokenPromise(_Facts):
    kind: ClassVar[MessageKind] = MessageKind.BROKEN_PROMISE
    amount: Money  # promised
    promised_on: dt.date
    received: Money  # paid towards it by the date (may be zero)
    amount_overdue: Money

    def problems(self, header: Header) -> list[str]:
        out = _currencies(self.amount, self.received, self.amount_overdue)
        out += _problems_money("amount", self.amount, positive=True)
        out += _problems_money("received", self.received)
        out += _problems_money("amount_overdue", self.amount_overdue, positive=True)
        if not out and self.received >= self.amount:
            out.append(f"received {self.received} covers the promise of {self.amount}: not broken")
        if self.promised_on >= header.as_of:
            out.append(f"promised_on {self.promised_on} has not passed on {header.as_of}")
        return out


@dataclass(frozen=True, slots=True)
class PlannedPayment:
    due_date: dt.date
    amount: Money


@dataclass(frozen=True, slots=True)
class ArrangementConfirmation(_Facts):
    kind: ClassVar[MessageKind] = MessageKind.ARRANGEMENT_CONFIRMATION
    payments: tuple[PlannedPayment, ...]
    total: Money

    def problems(self, header: Header) -> list[str]:
        if not self.payments:
            return ["an arrangement needs at least one payment"]
        out = _currencies(self.total, *(p.amount for p in self.payments))
        for number, payment in enumerate(self.payments, start=1):
            out += _problems_money(f"payment {number}", payment.amount, positive=True)
        dates = [p.due_date for p in self.payments]
        if dates != sorted(set(dates)):
            out.append("payment dates must be distinct and in order")
        if dates[0] < header.as_of:
            out.append(f"the first payment ({dates[0]}) is before the business date")
        if not out:
            summed = self.payments[0].amount
            for payment in self.payments[1:]:
                summed = summed + payment.amount
            if summed != self.total:
                out.append(f"payments add up to {summed}, not the total {self.total}")
        return out

    @property
    def count(self) -> int:
        return len(self.payments)

    def context(self) -> dict[str, Any]:
        return {"payments": self.payments, "total": self.total, "count": self.count}


@dataclass(frozen=True, slots=True)
class FormalDemand(_Facts):
    kind: ClassVar[MessageKind] = MessageKind.FORMAL_DEMAND
    amount_overdue: Money
    days_past_due: int
    pay_by: dt.date
    validation_period_end: dt.date | None = None  # US: a demand must not overshadow it

    MIN_NOTICE_DAYS: ClassVar[int] = 10

    def problems(self, header: Header) -> list[str]:
        out = _problems_money("amount_overdue", self.amount_overdue, positive=True)
        if self.days_past_due < 1:
            out.append("days_past_due must be 1 or more")
        earliest = header.as_of + dt.timedelta(days=self.MIN_NOTICE_DAYS)
        if self.pay_by < earliest:
            out.append(
                f"pay_by {self.pay_by} leaves less than {self.MIN_NOTICE_DAYS} days "
                f"from {header.as_of} (earliest {earliest})"
            )
        if self.validation_period_end is not None and self.pay_by <= self.validation_period_end:
            out.append(
                f"pay_by {self.pay_by} falls inside the validation period ending "
                f"{self.validation_period_end} (US-OVERSHADOW)"
            )
        return out


Facts: TypeAlias = (
    PaymentNotice
    | Reminder
    | PromiseConfirmation
    | BrokenPromise
    | ArrangementConfirmation
    | FormalDemand
    | ValidationNotice
)

FACTS_BY_KIND: dict[MessageKind, type[Any]] = {
    cls.kind: cls
    for cls in (
        PaymentNotice,
        Reminder,
        PromiseConfirmation,
        BrokenPromise,
        ArrangementConfirmation,
        FormalDemand,
        ValidationNotice,
    )
}


def _header_problems(header: Header) -> list[str]:
    out = []
    if not header.recipient.name.strip():
        out.append("recipient name is empty")
    if header.channel is MessageChannel.LETTER and not any(
        line.strip() for line in header.recipient.address_lines
    ):
        out.append("a letter needs the recipient's postal address")
    out.extend(
        f"sender {name} is empty"
        for name in ("name", "phone", "email")
        if not getattr(header.sender, name).strip()
    )
    if not any(line.strip() for line in header.sender.address_lines):
        out.append("sender address is empty")
    if header.language is Language.ZH and not header.sender.agent_id.strip():
        out.append("a Chinese message states the sender's staff number (工号): agent_id is empty")
    if not header.creditor.strip():
        out.append("creditor is empty")
    if not header.account.strip():
        out.append("account is empty")
    return out


def validate_facts(header: Header, facts: Facts) -> None:
    """Raise InvalidInput listing every problem of the header and the facts (none: return)."""
    check_channel(header.kind, header.channel)
    if facts.kind is not header.kind:
        raise InvalidInput(f"facts of a {facts.kind} given for a {header.kind}")
    problems = _header_problems(header) + facts.problems(header)
    if problems:
        raise InvalidInput(f"{header.kind} for {header.account}: " + "; ".join(problems))


def money_fields(facts: Facts) -> Iterable[Money]:
    """Every amount a message states (the renderer checks they share one currency)."""
    for value in facts.context().values():
        if isinstance(value, Money):
            yield value


__all__ = [
    "FACTS_BY_KIND",
    "ArrangementConfirmation",
    "BrokenPromise",
    "Facts",
    "FormalDemand",
    "Header",
    "Party",
    "PaymentNotice",
    "PlannedPayment",
    "PromiseConfirmation",
    "Reminder",
    "Sender",
    "money_fields",
    "validate_facts",
]
