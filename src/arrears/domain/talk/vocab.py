"""The talk-track vocabulary: what a debtor says (intents), and what kind of text a track is.

Intent values are stable: they are stored with recognised utterances, used as labels in the
held-out evaluation set and named in the library files, so a new meaning gets a new value. Each
intent keeps the handbook passage it comes from (seed numbers as in
`arrears.domain.workflow.reasons`: 000 Spanish talk tracks, 001 Spanish overdue-control handbook,
002 Chinese collection tips, 003 English translation of a Chinese handbook, 004 Chinese
telephone-collection guide) and the lawful way arrears handles it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import TYPE_CHECKING

from arrears.domain.workflow.reasons import DelinquencyReason

if TYPE_CHECKING:
    from collections.abc import Mapping


class Intent(StrEnum):
    """What the debtor's words mean for the conversation (objection, situation or offer)."""

    NO_MONEY_NOW = "no_money_now"
    LOST_INCOME = "lost_income"
    STOP_PRESSURE = "stop_pressure"
    PAY_WHEN_ABLE = "pay_when_able"
    LENT_TO_OTHER = "lent_to_other"
    BUSINESS_SLOW = "business_slow"
    THREAT_NOT_PAY = "threat_not_pay"
    DISPUTE = "dispute"
    FORGOT = "forgot"
    DEBIT_FAILED = "debit_failed"
    PAYDAY_MISMATCH = "payday_mismatch"
    ABUSIVE = "abusive"
    SOMEONE_ELSE_PAYS = "someone_else_pays"
    DISCOUNT_REQUEST = "discount_request"
    ALREADY_PAID = "already_paid"
    WRONG_PERSON = "wrong_person"
    PROMISE_OFFER = "promise_offer"
    PLAN_REQUEST = "plan_request"
    BUSY_CALL_LATER = "busy_call_later"
    ILLNESS_EMERGENCY = "illness_emergency"
    LAWYER = "lawyer"


@dataclass(frozen=True, slots=True)
class IntentInfo:
    intent: Intent
    description: str
    seeds: tuple[str, ...]
    reason: DelinquencyReason | None  # the delinquency reason to record, where there is one
    handling: str  # the lawful course the talk track follows


_R = DelinquencyReason
_INFO = (
    IntentInfo(
        Intent.NO_MONEY_NOW,
        '"no money this month"',
        ("000: first part, situation 1",),
        _R.CASH_SHORTFALL,
        "find what can be paid now and when the rest can; promise within the horizon or a plan",
    ),
    IntentInfo(
        Intent.LOST_INCOME,
        '"I lost my job", no income',
        ("000: first part, situation 2",),
        _R.INCOME_LOSS,
        "hardship review: income and outgoings, an affordable plan or breathing space",
    ),
    IntentInfo(
        Intent.STOP_PRESSURE,
        '"stop pressuring me, I will find a way"',
        ("000: first part, situation 3", "002: item 10"),
        None,
        "acknowledge, lower the pace, agree one concrete next step and the next contact",
    ),
    IntentInfo(
        Intent.PAY_WHEN_ABLE,
        '"I will pay when I have money"',
        ("000: first part, situation 4",),
        _R.CASH_SHORTFALL,
        "ask for a date and amount; offer a part payment now and a plan for the rest",
    ),
    IntentInfo(
        Intent.LENT_TO_OTHER,
        '"I lent the money to someone else, ask them"',
        ("002: item 12",),
        _R.THIRD_PARTY_USE,
        "the borrower remains responsible; never contact or pursue the third party",
    ),
    IntentInfo(
        Intent.BUSINESS_SLOW,
        '"business is bad, but orders are coming"',
        ("002: items 6, 7 and 17", "001: reasons for late payment, customer side, item 2"),
        _R.BUSINESS_RECEIVABLES,
        "tie a plan to the real receipt dates; a part payment now; record the expectation",
    ),
    IntentInfo(
        Intent.THREAT_NOT_PAY,
        '"if you call again I will not pay"',
        ("002: item 14",),
        _R.UNWILLING,
        "stay calm, state the obligation accurately, offer the preferred channel and time",
    ),
    IntentInfo(
        Intent.DISPUTE,
        "disputes the debt or is dissatisfied with the product",
        ("002: item 11",),
        _R.DISPUTE,
        "record the dispute, put collection on hold, explain how it will be answered",
    ),
    IntentInfo(
        Intent.FORGOT,
        "forgot the due date",
        ("002: item 11", "001: payment notice"),
        _R.FORGOT,
        "give amount and ways to pay; offer a reminder before each due date",
    ),
    IntentInfo(
        Intent.DEBIT_FAILED,
        "the direct debit failed: balance too low, often while travelling",
        ("001: reasons for late payment, customer side, item 3", "001: payment tracking"),
        _R.DEBIT_FAILURE,
        "confirm the account and the balance; agree when the debit can be presented again",
    ),
    IntentInfo(
        Intent.PAYDAY_MISMATCH,
        "income arrives after the due date",
        ("001: reasons for late payment, customer side, item 2",),
        _R.PAYDAY_MISMATCH,
        "promise on pay day within the horizon; explain how to ask for a new due date",
    ),
    IntentInfo(
        Intent.ABUSIVE,
        "insults or shouts at the collector",
        ("000: second part, item 1 (the three stops)", "004: basic telephone etiquette"),
        None,
        "three lawful stops: ask for respect, say the call will end, end it politely",
    ),
    IntentInfo(
        Intent.SOMEONE_ELSE_PAYS,
        "says another person (relative, partner, guarantor) should pay",
        ("003: classic case", "002: item 12"),
        _R.THIRD_PARTY_USE,
        "the debt is discussed with the borrower only; others are not told about it",
    ),
    IntentInfo(
        Intent.DISCOUNT_REQUEST,
        "asks for a reduction or a discount",
        ("003: 26 pressure words, item 6 (avoid reducing the amount at will)",),
        None,
        "no discount promised on the call; a settlement only within policy, by approval",
    ),
    IntentInfo(
        Intent.ALREADY_PAID,
        "says the payment has already been made",
        ("001: payment tracking, item 3 (keep payment records)",),
        None,
        "ask for date, amount and channel; check before any further contact",
    ),
    IntentInfo(
        Intent.WRONG_PERSON,
        "says the number is not the borrower's",
        ("004: the number was left by the debtor; first contact", "001: payment notice, 2 (1)"),
        None,
        "apologise, disclose nothing, record the number as wrong",
    ),
    IntentInfo(
        Intent.PROMISE_OFFER,
        "offers to pay an amount on a date",
        ("003: confirm the repayment time (no more than three days)", "004: negotiation"),
        None,
        "confirm amount, date and method within the promise horizon",
    ),
    IntentInfo(
        Intent.PLAN_REQUEST,
        "asks to pay in instalments",
        ("001: four typical customers (4)", "003: four typical customers (4)"),
        _R.CASH_SHORTFALL,
        "collect income and outgoings; offer a plan within the stage's policy",
    ),
    IntentInfo(
        Intent.BUSY_CALL_LATER,
        "cannot talk now, asks to be called later",
        ("001: payment notice (choose the time)", "COMPLIANCE-RULES 8.1 (inconvenient time)"),
        None,
        "agree a convenient time and record it; the time is then respected",
    ),
    IntentInfo(
        Intent.ILLNESS_EMERGENCY,
        "illness, accident, bereavement or another emergency",
        ("002: item 6",),
        _R.UNEXPECTED_EVENT,
        "vulnerability care: pause where needed, offer support and a plan later",
    ),
    IntentInfo(
        Intent.LAWYER,
        "is represented by a lawyer or debt adviser",
        ("COMPLIANCE-RULES 8.1 (attorney representation)",),
        None,
        "take the representative's details; further contact goes through them",
    ),
)

INTENTS: Mapping[Intent, IntentInfo] = MappingProxyType({i.intent: i for i in _INFO})


class TrackKind(StrEnum):
    """What a track is for in a conversation or a contact plan."""

    OPENING = "opening"  # identity and purpose, with a preset's required disclosures
    VERIFICATION = "verification"  # confirm who is on the line before the debt is discussed
    RESPONSE = "response"  # the answer to an intent (objection, situation, offer)
    PROMISE = "promise"  # confirm amount, date and method within the horizon
    CLOSING = "closing"
    STEP = "step"  # the content of a strategy step (a call's aim, an SMS, an email, a letter)


class TrackStatus(StrEnum):
    DRAFT = "draft"
    APPROVED = "approved"
    RETIRED = "retired"


class Audience(StrEnum):
    """Who hears the text: decides what may be said (location-only for references)."""

    BORROWER = "borrower"
    REFERENCE = "reference"
    GUARANTOR = "guarantor"
    ANY = "any"  # before identity is confirmed: nothing about the debt
