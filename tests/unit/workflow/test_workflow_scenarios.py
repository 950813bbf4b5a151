"""One scenario per handbook situation, in pure-domain form, with the lawful course arrears takes.

Seeds: 000 (Spanish talk tracks), 001 (Spanish handbook), 002 (Chinese tips), 003 (English),
004 (Chinese telephone guide). Where a handbook's answer is unlawful (pressure to borrow from
family, threats, ultimatums), the scenario asserts the lawful counterpart instead.
"""

import datetime as dt
from decimal import Decimal

from workflow_fixtures import (
    BORROWER,
    CALENDAR,
    GUARANTOR_ENFORCEABLE,
    GUARANTOR_NOT_ENFORCEABLE,
    REFERENCE,
    UTC,
    D,
    at,
    eur,
    pay,
    promise,
    record,
)

from arrears.adapters.strategy_files import load_strategy
from arrears.domain.workflow.arrangements import (
    Frequency,
    approval_for,
    plan_for_affordable,
    propose_plan,
)
from arrears.domain.workflow.cases import (
    Case,
    CaseState,
    Reason,
    Stop,
    ThreatKind,
    ThreeStops,
    record_threat,
    transition,
)
from arrears.domain.workflow.classification import (
    Ability,
    DebtorFacts,
    Rule,
    Willingness,
    classify,
    facts_from_history,
)
from arrears.domain.workflow.contact_log import ContactLog, Outcome, summarize
from arrears.domain.workflow.contact_plan import build_contact_plan
from arrears.domain.workflow.planning import plan_attempts
from arrears.domain.workflow.promises import (
    PromiseStatus,
    evaluate_promises,
    promise_violations,
)
from arrears.domain.workflow.reasons import REASONS, DelinquencyReason
from arrears.domain.workflow.stages import CasePosition, StepContext, assign, steps_due
from arrears.domain.workflow.vocab import (
    Channel,
    ContactPurpose,
    DebtorType,
    Role,
    TargetKind,
)

STRATEGY = load_strategy()
AS_OF = D(2026, 3, 2)  # a Monday
FRONT = CasePosition(12, "M1")
BACK = CasePosition(75, "M3")


def reached(**kw) -> DebtorFacts:
    return DebtorFacts(
        as_of=AS_OF, right_party_contacts_in_window=1, last_right_party_contact=AS_OF, **kw
    )


def test_no_money_this_month():
    """Seed 000 situation 1. Handbook: warn about the children's future. arrears: record the
    reason, treat as willing but unable, and agree a short plan the collector may approve."""
    facts = reached(reason=DelinquencyReason.CASH_SHORTFALL, stated_ability=Ability.CAN_PAY_PART)
    kind = classify(facts, STRATEGY.classification)
    assert kind.debtor_type is DebtorType.WILLING_UNABLE
    assignment = assign(STRATEGY, case_id="C1", position=FRONT, debtor_type=kind.debtor_type)
    assert assignment is not None
    assert assignment.treatment_id == "front_hardship"
    policy = STRATEGY.stage("front_row").arrangements
    plan = propose_plan(
        arrangement_id="A1",
        case_id="C1",
        balance=eur("240.00"),
        as_of=AS_OF,
        first_due=D(2026, 3, 10),
        instalments=2,
        frequency=Frequency.MONTHLY,
        policy=policy,
    )
    assert [i.amount for i in plan.instalments] == [eur(120), eur(120)]
    assert approval_for(plan, policy, proposer=Role.COLLECTOR).proposer_may_approve


def test_lost_job():
    """Seed 000 situation 2. Handbook: borrow from family and friends. arrears: hardship; with
    nothing affordable, a breathing-space hold that pauses all automated contact."""
    facts = reached(reason=DelinquencyReason.INCOME_LOSS, hardship_recorded=True)
    assert classify(facts, STRATEGY.classification).debtor_type is DebtorType.WILLING_UNABLE
    offer = plan_for_affordable(
        arrangement_id="H1",
        case_id="C1",
        balance=eur("900.00"),
        affordable=eur(0),
        as_of=AS_OF,
        first_due=D(2026, 3, 15),
        frequency=Frequency.MONTHLY,
        policy=STRATEGY.stage("front_row").arrangements,
    )
    assert offer.arrangement is None
    assert "breathing space" in offer.notes[0]
    assert not any("family" in n or "friends" in n for n in offer.notes)
    case, _ = transition(
        Case("C1", "B1"),
        CaseState.ON_HOLD,
        reason=Reason.BREATHING_SPACE,
        actor_id="u1",
        actor_role=Role.COLLECTOR,
        at=at(AS_OF),
    )
    assert case.automated_contact_paused


def test_stop_pressuring_me():
    """Seed 000 situation 3. Handbook: "pay within a week, no more time". arrears: a request to
    ease pressure is not a refusal; a promise inside the three-day horizon is taken, a one-week
    ultimatum is not a promise, and nobody chases the debtor while the promise is pending."""
    log = ContactLog("C1").append(record("K1", AS_OF, Outcome.RIGHT_PARTY_CONTACT, Outcome.PROMISE))
    summary = summarize(log.current(), as_of=AS_OF, window_days=30, tz=UTC)
    facts = facts_from_history(
        as_of=AS_OF,
        summary=summary,
        borrower_addresses=["+34600000001"],
        promise_results=[],
        payments=[],
        policy=STRATEGY.classification,
    )
    assert facts.stated_willingness is Willingness.WILLING
    assert classify(facts, STRATEGY.classification).debtor_type is DebtorType.COOPERATIVE
    in_three_days = promise("P1", AS_OF, AS_OF + dt.timedelta(days=3), 200)
    in_a_week = promise("P2", AS_OF, AS_OF + dt.timedelta(days=7), 200)
    assert promise_violations([in_three_days], policy=STRATEGY.promises) == ()
    assert promise_violations([in_a_week], policy=STRATEGY.promises)
    treatment = STRATEGY.treatments["front_service"]
    assert steps_due(treatment, 2, StepContext(promise_pending=True)) == ()


def test_will_pay_when_i_have_money_partial_now_and_grace_days():
    """Seed 000 situation 4. A partial payment now and the rest within the horizon; the grace
    day is the policy's, not a favour, and a miss is followed up on the next working day."""
    made = D(2026, 3, 2)
    now = promise("P1", made, made, 100, set_id="S1")
    rest = promise("P2", made, D(2026, 3, 5), 300, set_id="S1")
    assert promise_violations([now, rest], policy=STRATEGY.promises) == ()
    payments = [pay("X1", made, 100)]
    mid = {
        r.promise_id: r
        for r in evaluate_promises(
            [now, rest],
            payments,
            as_of=D(2026, 3, 3),
            policy=STRATEGY.promises,
            calendar=CALENDAR,
        )
    }
    assert mid["P1"].status is PromiseStatus.KEPT
    assert mid["P2"].status is PromiseStatus.PENDING
    # the rest arrives one day late: inside the grace day, so kept
    kept = evaluate_promises(
        [now, rest],
        [*payments, pay("X2", D(2026, 3, 6), 300)],
        as_of=D(2026, 3, 6),
        policy=STRATEGY.promises,
        calendar=CALENDAR,
    )
    assert {r.status for r in kept} == {PromiseStatus.KEPT}
    # it does not arrive: broken at the close of Friday 6 March (a holiday in the test
    # calendar), so the follow-up is on Monday 9 March
    missed = evaluate_promises(
        [now, rest], payments, as_of=D(2026, 3, 6), policy=STRATEGY.promises, calendar=CALENDAR
    )
    broken = next(r for r in missed if r.promise_id == "P2")
    assert broken.status is PromiseStatus.BROKEN
    assert broken.follow_up_on == D(2026, 3, 9)


def test_lent_the_money_to_someone_else():
    """Seed 002 item 12. The borrower stays the party we deal with; the person named is never
    pursued or told about the debt, and no one outside the contract is added to the plan."""
    facts = reached(reason=DelinquencyReason.THIRD_PARTY_USE)
    result = classify(facts, STRATEGY.classification)
    assert Rule.THIRD_PARTY_USE in {f.rule for f in result.findings}
    plan = build_contact_plan(BORROWER, (REFERENCE,), order=STRATEGY.contact_order)
    assert {t.person_id for t in plan.targets} == {"B1"}
    assert "borrower stays the party" in REASONS[DelinquencyReason.THIRD_PARTY_USE].handling


def test_business_is_bad_but_orders_are_coming():
    """Seed 002 items 6-7 ("drawing a big pie"). Handbook: refuse to listen. arrears: record the
    reason, take a down payment now and a plan tied to the expected receipts; a longer plan
    goes to a supervisor."""
    facts = reached(reason=DelinquencyReason.BUSINESS_RECEIVABLES)
    kind = classify(facts, STRATEGY.classification)
    assert kind.debtor_type is DebtorType.WILLING_UNABLE
    policy = STRATEGY.stage("back_row").arrangements
    plan = propose_plan(
        arrangement_id="A1",
        case_id="C1",
        balance=eur("3000.00"),
        as_of=AS_OF,
        first_due=D(2026, 3, 6),
        instalments=5,
        frequency=Frequency.MONTHLY,
        policy=policy,
        down_payment=eur("600.00"),
    )
    assert plan.instalments[0].amount == eur(600)
    assert sum((i.amount.amount for i in plan.instalments), Decimal(0)) == Decimal(3000)
    decision = approval_for(plan, policy, proposer=Role.COLLECTOR)
    assert decision.required_role is Role.SUPERVISOR
    assert not decision.proposer_may_approve


def test_if_you_call_again_i_will_not_pay():
    """Seed 002 item 14: report to a supervisor at once. The threat is logged, the case is
    referred, automated contact pauses, and the classification shows the refusal."""
    call = record("K1", AS_OF, Outcome.RIGHT_PARTY_CONTACT, Outcome.THREAT)
    assert call.needs_supervisor
    case, event = record_threat(
        Case("C1", "B1"),
        kind=ThreatKind.REFUSAL_IF_CONTACTED,
        note="said on call K1",
        actor_id="u1",
        at=call.at,
    )
    assert event.trigger == "threat:refusal_if_contacted"
    assert case.automated_contact_paused
    summary = summarize([call], as_of=AS_OF, window_days=30, tz=UTC)
    facts = facts_from_history(
        as_of=AS_OF,
        summary=summary,
        borrower_addresses=["+34600000001"],
        promise_results=[],
        payments=[],
        policy=STRATEGY.classification,
    )
    assert classify(facts, STRATEGY.classification).decided_by is Rule.REFUSES


def _lost_contact_facts():
    records = [
        record(f"K{n}", AS_OF - dt.timedelta(days=14 - n), Outcome.NO_ANSWER) for n in range(7)
    ]
    summary = summarize(records, as_of=AS_OF, window_days=30, tz=UTC)
    return facts_from_history(
        as_of=AS_OF,
        summary=summary,
        borrower_addresses=["+34600000001"],
        promise_results=[],
        payments=[],
        policy=STRATEGY.classification,
    )


def _trace_attempts(guarantor):
    facts = _lost_contact_facts()
    kind = classify(facts, STRATEGY.classification)
    assert kind.debtor_type is DebtorType.LOST_CONTACT
    assignment = assign(STRATEGY, case_id="C1", position=BACK, debtor_type=kind.debtor_type)
    assert assignment is not None
    assert assignment.treatment_id == "back_trace"
    plan = build_contact_plan(
        BORROWER, (REFERENCE, guarantor), order=STRATEGY.contact_order, lost_contact=True
    )
    treatment = STRATEGY.treatments[assignment.treatment_id]
    due = steps_due(treatment, 0) + steps_due(treatment, 1)
    return plan_attempts(
        case_id="C1",
        as_of=AS_OF,
        stage_id="back_row",
        treatment_id="back_trace",
        due=due,
        plan=plan,
        borrower=BORROWER,
    )


def test_lost_contact_guarantor_only_if_enforceable_references_for_location_only():
    """Seeds 001 and 003, lost contact: ask the guarantor to honour the guarantee. arrears: only
    where the contract makes it enforceable; references are asked where the borrower is, never
    told about the debt."""
    attempts, _ = _trace_attempts(GUARANTOR_ENFORCEABLE)
    purposes = {(a.person_id, a.purpose) for a in attempts if a.channel is Channel.CALL}
    assert purposes == {("G1", ContactPurpose.GUARANTEE), ("R1", ContactPurpose.LOCATION_ONLY)}

    attempts, skipped = _trace_attempts(GUARANTOR_NOT_ENFORCEABLE)
    purposes = {(a.person_id, a.purpose) for a in attempts if a.channel is Channel.CALL}
    assert purposes == {("R1", ContactPurpose.LOCATION_ONLY)}
    assert any("guarantor" in s.reason for s in skipped)
    # a reference's answer is a third party's: it can never carry a promise or a debt talk
    note = record(
        "K9",
        AS_OF,
        Outcome.THIRD_PARTY,
        Outcome.NEW_CONTACT_INFO,
        party=TargetKind.REFERENCE,
        purpose=ContactPurpose.LOCATION_ONLY,
    )
    assert not note.is_right_party_contact


def test_debit_failed_while_travelling_is_followed_up_the_same_day():
    """Seed 001, reasons (3) and payment tracking: a failed debit is followed up the same day."""
    stage = STRATEGY.stage_for(CasePosition(0, "M0", days_before_due=0))
    assert stage is not None
    assert stage.stage_id == "payment_tracking"
    due = steps_due(STRATEGY.treatments["tracking"], 0, StepContext(debit_failed_today=True))
    assert [d.step.channel for d in due] == [Channel.CALL, Channel.SMS]
    assert REASONS[DelinquencyReason.DEBIT_FAILURE].temporary


def test_abusive_debtor_three_stops():
    """Seed 000, skills 1: remind, state equal standing, then (instead of the handbook's threat)
    say the call will end and continue in writing, and end it. Every step is logged."""
    flow = ThreeStops("C1", "K1")
    for minute, stop in enumerate((Stop.REMIND, Stop.EQUAL_STANDING, Stop.END_CALL)):
        flow = flow.log_stop(stop, at=at(AS_OF, 10, minute))
    assert flow.call_ended
    assert flow.needs_supervisor_review
    call = record("K1", AS_OF, Outcome.RIGHT_PARTY_CONTACT, Outcome.ABUSIVE)
    assert not call.needs_supervisor  # reviewed, not escalated at once
