"""Debtor classification: the four types from facts, with reasons, and overrides."""

import datetime as dt

import pytest
from workflow_fixtures import UTC, D, at, pay, record

from arrears.domain.workflow.classification import (
    Ability,
    ClassificationPolicy,
    DebtorFacts,
    Rule,
    Willingness,
    classify,
    facts_from_history,
    override_classification,
)
from arrears.domain.workflow.contact_log import Outcome, summarize
from arrears.domain.workflow.errors import ReasonRequired
from arrears.domain.workflow.promises import PromiseReliability
from arrears.domain.workflow.reasons import REASONS, DelinquencyReason
from arrears.domain.workflow.vocab import DebtorType, TargetKind

POLICY = ClassificationPolicy()
AS_OF = D(2026, 3, 31)


def facts(**kw):
    kw.setdefault("right_party_contacts_in_window", 1)
    kw.setdefault("last_right_party_contact", AS_OF)
    return DebtorFacts(as_of=AS_OF, **kw)


def test_no_adverse_facts_is_cooperative_with_its_reasons():
    result = classify(facts(reason=DelinquencyReason.FORGOT), POLICY)
    assert result.debtor_type is DebtorType.COOPERATIVE
    assert result.decided_by is Rule.DEFAULT
    rules = {f.rule for f in result.findings}
    assert {Rule.REACHED, Rule.TEMPORARY_REASON, Rule.DEFAULT} <= rules


def test_lost_contact_from_wrong_numbers_or_unanswered_attempts():
    no_number = classify(facts(working_numbers=0, right_party_contacts_in_window=0), POLICY)
    assert no_number.debtor_type is DebtorType.LOST_CONTACT
    assert no_number.decided_by is Rule.NO_WORKING_NUMBER
    unreached = classify(
        facts(
            right_party_contacts_in_window=0,
            last_right_party_contact=AS_OF - dt.timedelta(days=20),
            attempts_since_right_party_contact=8,
        ),
        POLICY,
    )
    assert unreached.debtor_type is DebtorType.LOST_CONTACT
    assert "last reached 20 days ago" in unreached.explain()[0]
    recently = classify(
        facts(
            last_right_party_contact=AS_OF - dt.timedelta(days=3),
            attempts_since_right_party_contact=8,
        ),
        POLICY,
    )
    assert recently.debtor_type is not DebtorType.LOST_CONTACT


def test_hardship_and_stated_inability_make_willing_but_unable():
    assert classify(facts(hardship_recorded=True), POLICY).debtor_type is (
        DebtorType.WILLING_UNABLE
    )
    stated = classify(facts(stated_ability=Ability.CAN_PAY_PART), POLICY)
    assert stated.decided_by is Rule.STATES_INABILITY
    by_reason = classify(facts(reason=DelinquencyReason.INCOME_LOSS), POLICY)
    assert by_reason.decided_by is Rule.REASON_INABILITY
    effort = classify(
        facts(promises=PromiseReliability(partially_kept=1), payments_in_window=1), POLICY
    )
    assert effort.decided_by is Rule.PARTIAL_EFFORT


def test_refusal_and_broken_promises_make_able_but_unwilling():
    refuses = classify(facts(stated_willingness=Willingness.REFUSES), POLICY)
    assert refuses.debtor_type is DebtorType.ABLE_UNWILLING
    broken = classify(facts(promises=PromiseReliability(broken=2)), POLICY)
    assert broken.decided_by is Rule.BROKEN_PROMISES
    one = classify(facts(promises=PromiseReliability(broken=1)), POLICY)
    assert one.debtor_type is DebtorType.COOPERATIVE


def test_hardship_outranks_refusal_and_broken_promises():
    result = classify(
        facts(
            hardship_recorded=True,
            stated_willingness=Willingness.REFUSES,
            promises=PromiseReliability(broken=3),
        ),
        POLICY,
    )
    assert result.debtor_type is DebtorType.WILLING_UNABLE
    assert {Rule.REFUSES, Rule.BROKEN_PROMISES} <= {f.rule for f in result.findings}


def test_lost_contact_outranks_everything():
    result = classify(
        facts(working_numbers=0, right_party_contacts_in_window=0, hardship_recorded=True),
        POLICY,
    )
    assert result.debtor_type is DebtorType.LOST_CONTACT


def test_dispute_and_third_party_use_are_shown():
    result = classify(facts(reason=DelinquencyReason.THIRD_PARTY_USE, dispute_open=True), POLICY)
    rules = {f.rule for f in result.findings}
    assert {Rule.THIRD_PARTY_USE, Rule.DISPUTE_OPEN} <= rules


def test_override_needs_a_reason_and_keeps_the_derivation():
    derived = classify(facts(stated_willingness=Willingness.REFUSES), POLICY)
    with pytest.raises(ReasonRequired):
        override_classification(
            derived, debtor_type=DebtorType.WILLING_UNABLE, reason=" ", by="u1", at=at(AS_OF)
        )
    changed = override_classification(
        derived,
        debtor_type=DebtorType.WILLING_UNABLE,
        reason="said in anger; lost job last week",
        by="u1",
        at=at(AS_OF),
        until=D(2026, 4, 15),
    )
    assert changed.debtor_type is DebtorType.WILLING_UNABLE
    assert changed.derived_type is DebtorType.ABLE_UNWILLING
    assert changed.overridden
    assert "said in anger" in changed.explain()[-1]
    # the nightly reclassification keeps the override while it is active, then drops it
    kept = classify(
        facts(stated_willingness=Willingness.REFUSES), POLICY, override=changed.override
    )
    assert kept.debtor_type is DebtorType.WILLING_UNABLE
    later = DebtorFacts(as_of=D(2026, 4, 16), stated_willingness=Willingness.REFUSES)
    expired = classify(later, POLICY, override=changed.override)
    assert expired.debtor_type is DebtorType.ABLE_UNWILLING
    assert expired.override is None


def test_facts_from_the_contact_log_and_payments():
    records = [
        record("K1", D(2026, 3, 10), Outcome.RIGHT_PARTY_CONTACT, Outcome.PROMISE),
        record("K2", D(2026, 3, 20), Outcome.RIGHT_PARTY_CONTACT, Outcome.HARDSHIP),
        record("K3", D(2026, 3, 25), Outcome.NO_ANSWER),
        record(
            "K4",
            D(2026, 3, 26),
            Outcome.WRONG_NUMBER,
            address="+34910000002",
            party=TargetKind.HOME,
        ),
    ]
    summary = summarize(records, as_of=AS_OF, window_days=30, tz=UTC)
    derived = facts_from_history(
        as_of=AS_OF,
        summary=summary,
        borrower_addresses=["+34600000001", "+34910000002"],
        promise_results=[],
        payments=[pay("X", D(2026, 3, 21), 10)],
        policy=POLICY,
        reason=DelinquencyReason.INCOME_LOSS,
    )
    assert derived.stated_ability is Ability.CANNOT_PAY
    assert derived.hardship_recorded
    assert derived.working_numbers == 1
    assert derived.attempts_since_right_party_contact == 2
    assert derived.payments_in_window == 1
    assert classify(derived, POLICY).debtor_type is DebtorType.WILLING_UNABLE


def test_every_reason_cites_the_handbooks_or_is_other():
    for code, info in REASONS.items():
        assert info.code is code
        assert info.seeds or code is DelinquencyReason.OTHER
        assert "borrow" not in info.handling or "never" in info.handling
