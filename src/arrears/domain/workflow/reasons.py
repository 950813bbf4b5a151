"""Reasons for delinquency: why a debtor did not pay, as the handbooks list them.

The reason is recorded on the case by the collector (or inferred from a failed debit) and feeds
the debtor classification. Each code keeps the handbook passage it comes from, whether it is
usually temporary (a reminder fixes it), and which debtor type it points to, if any.

Seed references name the files under `shared/seeds/` by their number:
000 (Spanish talk tracks), 001 (Spanish overdue-control handbook), 002 (Chinese collection tips),
003 (English translation of a Chinese handbook), 004 (Chinese telephone-collection guide).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import TYPE_CHECKING

from arrears.domain.workflow.vocab import DebtorType

if TYPE_CHECKING:
    from collections.abc import Mapping


class DelinquencyReason(StrEnum):
    PAYDAY_MISMATCH = "payday_mismatch"
    DEBIT_FAILURE = "debit_failure"
    CASH_SHORTFALL = "cash_shortfall"
    INCOME_LOSS = "income_loss"
    BUSINESS_RECEIVABLES = "business_receivables"
    UNEXPECTED_EVENT = "unexpected_event"
    OVER_INDEBTED = "over_indebted"
    DISPUTE = "dispute"
    FORGOT = "forgot"
    THIRD_PARTY_USE = "third_party_use"
    UNWILLING = "unwilling"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class ReasonInfo:
    code: DelinquencyReason
    description: str
    seeds: tuple[str, ...]
    temporary: bool  # usually fixed by a reminder or a new debit date
    suggests: DebtorType | None  # the debtor type this reason points to on its own
    handling: str  # what arrears does about it (the lawful course)


_INFO = (
    ReasonInfo(
        DelinquencyReason.PAYDAY_MISMATCH,
        "income arrives after the due date (pay day or customer receipts fall later)",
        ("001: reasons for late payment, customer side, item 2",),
        temporary=True,
        suggests=DebtorType.COOPERATIVE,
        handling="remind before the due date; offer to move the due date where the product allows",
    ),
    ReasonInfo(
        DelinquencyReason.DEBIT_FAILURE,
        "the direct debit failed: not enough balance, often while the debtor was travelling",
        ("001: reasons for late payment, customer side, item 3", "001: payment tracking"),
        temporary=True,
        suggests=DebtorType.COOPERATIVE,
        handling="follow up the same day; confirm the account and balance; re-present the debit",
    ),
    ReasonInfo(
        DelinquencyReason.CASH_SHORTFALL,
        "not enough money this month",
        ("000: situation 1",),
        temporary=False,
        suggests=DebtorType.WILLING_UNABLE,
        handling="agree a promise within the horizon or a short plan; never suggest borrowing",
    ),
    ReasonInfo(
        DelinquencyReason.INCOME_LOSS,
        "lost job or income",
        ("000: situation 2",),
        temporary=False,
        suggests=DebtorType.WILLING_UNABLE,
        handling="hardship review: affordable plan or breathing space; never suggest borrowing",
    ),
    ReasonInfo(
        DelinquencyReason.BUSINESS_RECEIVABLES,
        "business is slow or waiting on its own customers (orders are coming)",
        ("001: reasons for late payment, customer side, item 2", "002: items 6, 7 and 17"),
        temporary=False,
        suggests=DebtorType.WILLING_UNABLE,
        handling="plan tied to real receipt dates; a partial payment now; record the expectation",
    ),
    ReasonInfo(
        DelinquencyReason.UNEXPECTED_EVENT,
        "illness, accident, disaster or a family emergency",
        ("002: item 6",),
        temporary=False,
        suggests=DebtorType.WILLING_UNABLE,
        handling="hardship and vulnerability review; pause collection where needed",
    ),
    ReasonInfo(
        DelinquencyReason.OVER_INDEBTED,
        "owes several lenders at once",
        ("003: front row and back row",),
        temporary=False,
        suggests=DebtorType.WILLING_UNABLE,
        handling="affordable plan; point to free debt advice",
    ),
    ReasonInfo(
        DelinquencyReason.DISPUTE,
        "disputes the debt or is dissatisfied with the product",
        ("002: item 11",),
        temporary=False,
        suggests=None,
        handling="put the case on hold and answer the dispute before any further collection",
    ),
    ReasonInfo(
        DelinquencyReason.FORGOT,
        "forgot the due date",
        ("002: item 11", "001: payment notice"),
        temporary=True,
        suggests=DebtorType.COOPERATIVE,
        handling="remind; offer a reminder the day before each due date",
    ),
    ReasonInfo(
        DelinquencyReason.THIRD_PARTY_USE,
        "the money was lent to, or used by, someone else",
        ("002: item 12", "003: classic case"),
        temporary=False,
        suggests=None,
        handling=(
            "the borrower stays the party we deal with; the third party is never pursued or told "
            "about the debt"
        ),
    ),
    ReasonInfo(
        DelinquencyReason.UNWILLING,
        "able to pay but does not want to",
        ("002: item 11", "001: four typical customers (3)", "003: four typical customers (3)"),
        temporary=False,
        suggests=DebtorType.ABLE_UNWILLING,
        handling="state the contract and the lawful next steps accurately; no threats",
    ),
    ReasonInfo(
        DelinquencyReason.OTHER,
        "another reason, described in the notes",
        (),
        temporary=False,
        suggests=None,
        handling="record the reason in the notes",
    ),
)

REASONS: Mapping[DelinquencyReason, ReasonInfo] = MappingProxyType({i.code: i for i in _INFO})


def reason_info(code: DelinquencyReason) -> ReasonInfo:
    return REASONS[code]
