"""Message facts: every problem is reported before anything is rendered."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from comms_samples import AS_OF, SENDER, facts, header, money, notice

from arrears.domain.comms import (
    ArrangementConfirmation,
    BrokenPromise,
    FormalDemand,
    Language,
    MessageChannel,
    MessageKind,
    Party,
    PlannedPayment,
    check_channel,
    language_for,
    mask_account,
    presets_for_country,
    validate_facts,
    validation_period_end,
)
from arrears.domain.errors import InvalidInput
from arrears.domain.money import Money
from arrears.domain.workflow.workdays import WorkingCalendar


@pytest.mark.parametrize("kind", list(MessageKind))
def test_the_samples_of_every_kind_are_valid(kind: MessageKind) -> None:
    channel = MessageChannel.LETTER
    validate_facts(header(kind, channel), facts(kind))


def test_a_validation_notice_is_only_sent_by_letter() -> None:
    with pytest.raises(InvalidInput, match=r"not sent by sms \(allowed: letter\)"):
        check_channel(MessageKind.VALIDATION_NOTICE, MessageChannel.SMS)
    with pytest.raises(InvalidInput, match="not sent by sms"):
        check_channel(MessageKind.FORMAL_DEMAND, MessageChannel.SMS)


def test_all_problems_are_listed_at_once() -> None:
    bad_header = dataclasses.replace(
        header(MessageKind.FORMAL_DEMAND, MessageChannel.LETTER),
        recipient=Party(" ", ()),
        creditor="",
    )
    demand = FormalDemand(Money.of("-1", "USD"), 0, AS_OF)
    with pytest.raises(InvalidInput) as caught:
        validate_facts(bad_header, demand)
    message = caught.value.message
    for part in (
        "recipient name is empty",
        "a letter needs the recipient's postal address",
        "creditor is empty",
        "amount_overdue must be positive",
        "days_past_due must be 1 or more",
        "leaves less than 10 days",
    ):
        assert part in message


def test_a_plan_must_add_up_and_keep_one_currency() -> None:
    h = header(MessageKind.ARRANGEMENT_CONFIRMATION, MessageChannel.SMS)
    plan = ArrangementConfirmation(
        (
            PlannedPayment(dt.date(2026, 3, 15), money("100.00")),
            PlannedPayment(dt.date(2026, 4, 15), money("100.00")),
        ),
        money("241.00"),
    )
    with pytest.raises(InvalidInput, match=r"add up to 200.00 USD, not the total 241.00 USD"):
        validate_facts(h, plan)
    mixed = ArrangementConfirmation(
        (PlannedPayment(dt.date(2026, 3, 15), Money.of("100", "EUR")),), money("100.00")
    )
    with pytest.raises(InvalidInput, match="mix currencies EUR, USD"):
        validate_facts(h, mixed)
    unordered = ArrangementConfirmation(
        (
            PlannedPayment(dt.date(2026, 4, 15), money("100.00")),
            PlannedPayment(dt.date(2026, 3, 15), money("100.00")),
        ),
        money("200.00"),
    )
    with pytest.raises(InvalidInput, match="distinct and in order"):
        validate_facts(h, unordered)


def test_a_promise_that_was_kept_is_not_broken() -> None:
    h = header(MessageKind.BROKEN_PROMISE, MessageChannel.SMS)
    kept = BrokenPromise(money("80.00"), dt.date(2026, 3, 1), money("80.00"), money("10.00"))
    with pytest.raises(InvalidInput, match="covers the promise"):
        validate_facts(h, kept)
    not_yet = BrokenPromise(money("80.00"), AS_OF, money("0.00"), money("10.00"))
    with pytest.raises(InvalidInput, match="has not passed"):
        validate_facts(h, not_yet)


def test_a_demand_inside_the_validation_period_is_refused() -> None:
    h = header(MessageKind.FORMAL_DEMAND, MessageChannel.LETTER)
    demand = FormalDemand(money("241.00"), 65, dt.date(2026, 3, 20), dt.date(2026, 4, 8))
    with pytest.raises(InvalidInput, match="US-OVERSHADOW"):
        validate_facts(h, demand)


def test_a_chinese_message_needs_the_staff_number() -> None:
    h = header(
        MessageKind.REMINDER,
        MessageChannel.SMS,
        Language.ZH,
        sender=dataclasses.replace(SENDER, agent_id=""),
    )
    with pytest.raises(InvalidInput, match="工号"):
        validate_facts(h, facts(MessageKind.REMINDER, Language.ZH))


def test_the_validation_notice_itemization_must_reconcile() -> None:
    h = header(MessageKind.VALIDATION_NOTICE, MessageChannel.LETTER)
    wrong = notice(current_amount=money("1000.00"))
    with pytest.raises(InvalidInput, match=r"is not the itemization: .* = 937.50 USD"):
        validate_facts(h, wrong)
    negative = notice(fees_since=money("-1.00"), current_amount=money("911.50"))
    with pytest.raises(InvalidInput, match="fees_since must be zero or more"):
        validate_facts(h, negative)
    early = notice(validation_period_end=dt.date(2026, 3, 31))
    with pytest.raises(InvalidInput, match="before the earliest lawful end 2026-04-08"):
        validate_facts(h, early)
    blank = notice(current_creditor=" ")
    with pytest.raises(InvalidInput, match="current_creditor is empty"):
        validate_facts(h, blank)


def test_validation_period_skips_weekends_and_holidays() -> None:
    # provided Monday 2 March 2026: receipt assumed on the 5th working day, Monday 9 March
    assert validation_period_end(dt.date(2026, 3, 2), WorkingCalendar()) == dt.date(2026, 4, 8)
    # provided Friday 22 May 2026: without holidays receipt is Friday 29 May (+30: 28 June);
    # Memorial Day (Monday 25 May) pushes receipt to Monday 1 June (+30: 1 July)
    assert validation_period_end(dt.date(2026, 5, 22), WorkingCalendar()) == dt.date(2026, 6, 28)
    calendar = WorkingCalendar(holidays=frozenset({dt.date(2026, 5, 25)}))
    assert validation_period_end(dt.date(2026, 5, 22), calendar) == dt.date(2026, 7, 1)


def test_small_helpers() -> None:
    assert mask_account("4000123412341234") == "****1234"
    assert mask_account("123") == "123"
    assert language_for("es-MX") is Language.ES
    assert language_for("zh-Hant-TW") is Language.ZH
    assert language_for("zh_CN") is Language.ZH
    assert language_for("fr-FR") is Language.EN
    assert presets_for_country("us") == ("us-regf",)
    assert presets_for_country("ES") == ("es",)
    assert presets_for_country("DE") == ("eu",)
    assert presets_for_country("BR") == ("house",)
