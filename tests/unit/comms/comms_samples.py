"""Sample senders, recipients and facts of every message kind, for the comms tests."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from arrears.domain.comms import (
    ArrangementConfirmation,
    BrokenPromise,
    Facts,
    FormalDemand,
    Header,
    ItemizationDateType,
    Language,
    MessageChannel,
    MessageKind,
    Party,
    PaymentNotice,
    PlannedPayment,
    PromiseConfirmation,
    Reminder,
    Sender,
    ValidationNotice,
    validation_period_end,
)
from arrears.domain.money import Money
from arrears.domain.workflow.workdays import WorkingCalendar

AS_OF = dt.date(2026, 3, 2)  # a Monday
SENDER = Sender(
    "Norte Collections",
    ("100 Main Street", "Springfield, IL 62701"),
    "+1 800 555 0100",
    "help@norte.example",
    agent_id="A-1027",
)
CURRENCY = {Language.EN: "USD", Language.ES: "EUR", Language.ZH: "CNY"}
NAMES = {Language.EN: "Mary Jones", Language.ES: "María López", Language.ZH: "王芳"}
PRESET = {Language.EN: "us-regf", Language.ES: "es", Language.ZH: "cn"}


def money(amount: str, language: Language = Language.EN) -> Money:
    return Money(Decimal(amount), CURRENCY[language])


def header(
    kind: MessageKind,
    channel: MessageChannel,
    language: Language = Language.EN,
    *,
    name: str | None = None,
    sender: Sender = SENDER,
) -> Header:
    return Header(
        kind=kind,
        channel=channel,
        language=language,
        as_of=AS_OF,
        recipient=Party(name or NAMES[language], ("12 Elm St", "Albany, NY 12207")),
        sender=sender,
        creditor="Bank One",
        account="L-1001",
    )


def notice(language: Language = Language.EN, **changes: object) -> ValidationNotice:
    end = validation_period_end(AS_OF, WorkingCalendar())
    m = lambda a: money(a, language)  # noqa: E731 - a short local helper
    values: dict[str, object] = {
        "itemization_date": dt.date(2026, 1, 31),
        "itemization_date_type": ItemizationDateType.LAST_STATEMENT,
        "creditor_on_itemization_date": "Bank One",
        "account_number": "4000123412341234",
        "current_creditor": "Bank One",
        "amount_on_itemization_date": m("1000.00"),
        "interest_since": m("12.50"),
        "fees_since": m("25.00"),
        "payments_since": m("100.00"),
        "credits_since": m("0.00"),
        "current_amount": m("937.50"),
        "provided_on": AS_OF,
        "validation_period_end": end,
        "earliest_period_end": end,
    }
    values.update(changes)
    return ValidationNotice(**values)  # type: ignore[arg-type]


def facts(kind: MessageKind, language: Language = Language.EN) -> Facts:
    m = lambda a: money(a, language)  # noqa: E731 - a short local helper
    samples: dict[MessageKind, Facts] = {
        MessageKind.PAYMENT_NOTICE: PaymentNotice(3, dt.date(2026, 3, 10), m("120.50")),
        MessageKind.REMINDER: Reminder(12, 1, m("1234.50"), dt.date(2026, 3, 12)),
        MessageKind.PROMISE_CONFIRMATION: PromiseConfirmation(
            m("80.00"), dt.date(2026, 3, 9), AS_OF
        ),
        MessageKind.BROKEN_PROMISE: BrokenPromise(
            m("80.00"), dt.date(2026, 3, 1), m("0.00"), m("241.00")
        ),
        MessageKind.ARRANGEMENT_CONFIRMATION: ArrangementConfirmation(
            (
                PlannedPayment(dt.date(2026, 3, 15), m("100.00")),
                PlannedPayment(dt.date(2026, 4, 15), m("141.00")),
            ),
            m("241.00"),
        ),
        MessageKind.FORMAL_DEMAND: FormalDemand(m("241.00"), 65, dt.date(2026, 3, 20)),
        MessageKind.VALIDATION_NOTICE: notice(language),
    }
    return samples[kind]
