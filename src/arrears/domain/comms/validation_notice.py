"""The US validation notice (Regulation F, 12 CFR 1006.34): its facts and what it must say.

1006.34(c) lists what a validation notice contains. The facts below are those of (c)(2) (the
debt: collector and consumer names and mailing addresses, creditor on the itemization date,
account number, current creditor, itemization date, amount then, the itemization of interest,
fees, payments and credits since, the current amount) and the dates of (c)(3) (the end of the
validation period). `REQUIRED_STATEMENTS` names the statements of (c)(1), (c)(3) and (c)(4)
that every rendered notice must carry, and `required_values` the values that must be printed;
the renderer checks both on the rendered letter, so a template that drops a field cannot be
queued. The validation period ends 30 days after the consumer is assumed to receive the notice,
which is 5 days after it is provided, not counting Saturdays, Sundays and federal holidays
(1006.34(b)(5)); the calendar is passed in.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields
from enum import StrEnum
from typing import TYPE_CHECKING, Any, ClassVar, Final

from arrears.domain.comms.kinds import MessageKind

if TYPE_CHECKING:
    from arrears.domain.comms.facts import Header
    from arrears.domain.money import Money
    from arrears.domain.workflow.workdays import WorkingDays

ASSUMED_RECEIPT_DAYS: Final = 5
VALIDATION_PERIOD_DAYS: Final = 30
CFPB_WEBSITE: Final = "www.cfpb.gov/debt-collection"


class ItemizationDateType(StrEnum):
    """The five reference dates of 1006.34(b)(3); one is chosen per debt and kept."""

    LAST_STATEMENT = "last_statement"
    CHARGE_OFF = "charge_off"
    LAST_PAYMENT = "last_payment"
    TRANSACTION = "transaction"
    JUDGMENT = "judgment"


#: statements a rendered notice must carry, each in an element with this `data-field`
REQUIRED_STATEMENTS: Final = (
    "debt-collector-disclosure",  # (c)(1): the 1006.18(e) statement
    "dispute-deadline",  # (c)(3)(i): dispute in writing by the end date → verification first
    "oc-request-deadline",  # (c)(3)(ii): original creditor's name and address on request
    "assumed-valid",  # (c)(3)(iii): no dispute by then → we assume the debt is valid
    "cfpb-website",  # (c)(3)(iv): consumer protections at the CFPB's website
    "spanish-option",  # (c)(3)(vi) / (d)(3)(vi): a copy in Spanish on request
    "dispute-prompts",  # (c)(4)(i): check boxes for the dispute reasons
    "oc-request-prompt",  # (c)(4)(ii): check box for the original creditor request
    "response-address",  # (c)(4)(iii)-(iv): where to send the response form
)


def validation_period_end(provided_on: dt.date, calendar: WorkingDays) -> dt.date:
    """The earliest lawful end of the validation period for a notice provided on `provided_on`:
    the 5th day after it that is not a weekend day or holiday (assumed receipt), plus 30 days."""
    receipt = provided_on
    counted = 0
    while counted < ASSUMED_RECEIPT_DAYS:
        receipt += dt.timedelta(days=1)
        if calendar.is_working_day(receipt):
            counted += 1
    return receipt + dt.timedelta(days=VALIDATION_PERIOD_DAYS)


def mask_account(number: str) -> str:
    """An account number truncated to its last four characters (1006.34(c)(2)(iv) allows it)."""
    text = number.strip()
    return text if len(text) <= 4 else "*" * 4 + text[-4:]


@dataclass(frozen=True, slots=True)
class ValidationNotice:
    kind: ClassVar[MessageKind] = MessageKind.VALIDATION_NOTICE
    itemization_date: dt.date
    itemization_date_type: ItemizationDateType
    creditor_on_itemization_date: str
    account_number: str
    current_creditor: str
    amount_on_itemization_date: Money
    interest_since: Money
    fees_since: Money
    payments_since: Money
    credits_since: Money
    current_amount: Money
    provided_on: dt.date
    validation_period_end: dt.date
    earliest_period_end: dt.date  # validation_period_end(provided_on, calendar), by the caller
    consumer_financial_product: bool = True
    electronic_disputes: str = ""  # where disputes are accepted electronically; "" = none

    def problems(self, header: Header) -> list[str]:
        out: list[str] = []
        amounts = self.amounts()
        currencies = sorted({m.currency for m in amounts.values()})
        if len(currencies) > 1:
            return [f"amounts mix currencies {', '.join(currencies)}"]
        out += [
            f"{name} must be zero or more, got {m}" for name, m in amounts.items() if m.amount < 0
        ]
        expected = (
            self.amount_on_itemization_date
            + self.interest_since
            + self.fees_since
            - self.payments_since
            - self.credits_since
        )
        if expected != self.current_amount:
            out.append(
                f"current_amount {self.current_amount} is not the itemization: "
                f"{self.amount_on_itemization_date} + interest {self.interest_since} + fees "
                f"{self.fees_since} - payments {self.payments_since} - credits "
                f"{self.credits_since} = {expected}"
            )
        for name in ("creditor_on_itemization_date", "account_number", "current_creditor"):
            if not str(getattr(self, name)).strip():
                out.append(f"{name} is empty")
        if self.itemization_date > self.provided_on:
            out.append(
                f"itemization_date {self.itemization_date} is after the notice is provided "
                f"({self.provided_on})"
            )
        if self.provided_on < header.as_of:
            out.append(f"provided_on {self.provided_on} is before the business date")
        if self.validation_period_end < self.earliest_period_end:
            out.append(
                f"validation_period_end {self.validation_period_end} is before the earliest "
                f"lawful end {self.earliest_period_end} (assumed receipt + 30 days, US-VP)"
            )
        if not any(line.strip() for line in header.recipient.address_lines):
            out.append("the consumer's mailing address is required")
        return out

    def amounts(self) -> dict[str, Money]:
        return {
            "amount_on_itemization_date": self.amount_on_itemization_date,
            "interest_since": self.interest_since,
            "fees_since": self.fees_since,
            "payments_since": self.payments_since,
            "credits_since": self.credits_since,
            "current_amount": self.current_amount,
        }

    def context(self) -> dict[str, Any]:
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        values["account_number_shown"] = mask_account(self.account_number)
        values["cfpb_website"] = CFPB_WEBSITE
        return values


def required_values(notice: ValidationNotice, header: Header) -> tuple[tuple[str, object], ...]:
    """(data-field, value) pairs the rendered notice must print, each inside its element:
    the renderer formats the value as the template does and looks for it there."""
    values: list[tuple[str, object]] = [
        ("collector-name", header.sender.name),
        *(("collector-address", line) for line in header.sender.address_lines if line.strip()),
        ("consumer-name", header.recipient.name),
        *(("consumer-address", line) for line in header.recipient.address_lines if line.strip()),
        ("creditor-on-itemization-date", notice.creditor_on_itemization_date),
        ("account-number", mask_account(notice.account_number)),
        ("current-creditor", notice.current_creditor),
        ("itemization-date", notice.itemization_date),
        ("amount-on-itemization-date", notice.amount_on_itemization_date),
        ("interest-since", notice.interest_since),
        ("fees-since", notice.fees_since),
        ("payments-since", notice.payments_since),
        ("credits-since", notice.credits_since),
        ("current-amount", notice.current_amount),
        ("validation-period-end", notice.validation_period_end),
    ]
    if notice.consumer_financial_product:
        values.append(("cfpb-website", CFPB_WEBSITE))
    return tuple(values)


__all__ = [
    "ASSUMED_RECEIPT_DAYS",
    "CFPB_WEBSITE",
    "REQUIRED_STATEMENTS",
    "VALIDATION_PERIOD_DAYS",
    "ItemizationDateType",
    "ValidationNotice",
    "mask_account",
    "required_values",
    "validation_period_end",
]
