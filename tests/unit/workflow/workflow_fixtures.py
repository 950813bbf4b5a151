"""Shared builders for the workflow tests."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from arrears.domain.model import (
    Address,
    Borrower,
    PartyRole,
    Payment,
    Phone,
    PhoneKind,
    RelatedParty,
    Relation,
)
from arrears.domain.money import Money
from arrears.domain.workflow.contact_log import ContactRecord, Outcome
from arrears.domain.workflow.promises import Promise
from arrears.domain.workflow.vocab import Channel, ContactPurpose, Direction, TargetKind
from arrears.domain.workflow.workdays import WorkingCalendar

D = dt.date
UTC = dt.UTC
# Monday 2026-03-02 ... a calendar with a holiday on Friday 6 March
CALENDAR = WorkingCalendar(holidays=frozenset({D(2026, 3, 6)}))


def eur(value: str | int) -> Money:
    return Money(Decimal(value), "EUR")


def at(day: dt.date, hour: int = 10, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


def pay(pid: str, day: dt.date, amount: str | int) -> Payment:
    return Payment(pid, day, eur(amount))


def promise(
    pid: str, made: dt.date, due: dt.date, amount: str | int, *, set_id: str | None = None
) -> Promise:
    return Promise(pid, "C1", set_id or pid, made, due, eur(amount))


BORROWER = Borrower(
    external_id="B1",
    full_name="Ana Ruiz",
    language="es",
    country="ES",
    phones=(
        Phone(PhoneKind.WORK, "+34910000003", "ES"),
        Phone(PhoneKind.MOBILE, "+34600000001", "ES"),
        Phone(PhoneKind.HOME, "+34910000002", "ES"),
    ),
    emails=("ana@example.org",),
    addresses=(Address("Calle Mayor 1", "Madrid", "28013", "MD", "ES", "Europe/Madrid"),),
)
REFERENCE = RelatedParty(
    "R1",
    "B1",
    PartyRole.REFERENCE,
    Relation.SIBLING,
    "Luis Ruiz",
    phones=(Phone(PhoneKind.MOBILE, "+34600000011", "ES"),),
)
GUARANTOR_ENFORCEABLE = RelatedParty(
    "G1",
    "B1",
    PartyRole.GUARANTOR,
    Relation.PARENT,
    "Carmen Ruiz",
    phones=(Phone(PhoneKind.MOBILE, "+34600000021", "ES"),),
    guarantee_enforceable=True,
)
GUARANTOR_NOT_ENFORCEABLE = RelatedParty(
    "G2",
    "B1",
    PartyRole.GUARANTOR,
    Relation.FRIEND,
    "Pablo Gil",
    phones=(Phone(PhoneKind.MOBILE, "+34600000022", "ES"),),
)


def record(
    rid: str,
    day: dt.date,
    *outcomes: Outcome,
    channel: Channel = Channel.CALL,
    address: str = "+34600000001",
    party: TargetKind = TargetKind.MOBILE,
    purpose: ContactPurpose = ContactPurpose.DEBT,
    direction: Direction = Direction.OUTBOUND,
    attempt_id: str | None = None,
    amends: str | None = None,
    amend_reason: str | None = None,
    hour: int = 10,
    case_id: str = "C1",
) -> ContactRecord:
    return ContactRecord(
        record_id=rid,
        case_id=case_id,
        at=at(day, hour),
        logged_at=at(day, hour, 30),
        channel=channel,
        direction=direction,
        address=address,
        party=party,
        party_id="B1" if party.is_borrower else "R1",
        purpose=purpose,
        outcomes=outcomes,
        collector_id="u1",
        attempt_id=attempt_id,
        amends=amends,
        amend_reason=amend_reason,
    )
