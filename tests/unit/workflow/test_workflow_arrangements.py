"""Arrangements: plans and settlements within policy, approval by role, schedule tracking."""

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from workflow_fixtures import CALENDAR, D, eur, pay

from arrears.domain.errors import InvalidConfig, InvalidInput
from arrears.domain.money import Money, quantum
from arrears.domain.workflow.arrangements import (
    ApprovalRule,
    ArrangementKind,
    ArrangementPolicy,
    ArrangementState,
    Frequency,
    add_months,
    approval_for,
    evaluate_arrangement,
    plan_for_affordable,
    propose_plan,
    propose_settlement,
    settlement_amount,
    split_evenly,
)
from arrears.domain.workflow.errors import OutsidePolicy
from arrears.domain.workflow.promises import PromiseStatus
from arrears.domain.workflow.vocab import Role

MINIMUMS = {"EUR": Decimal("20.00"), "JPY": Decimal(3000), "USD": Decimal("20.00")}
POLICY = ArrangementPolicy(
    plans_allowed=True,
    settlements_allowed=True,
    max_instalments=6,
    max_term_days=184,
    max_first_due_days=14,
    min_instalment=MINIMUMS,
    max_discount_rate=Decimal("0.20"),
    grace_days=3,
    approvals=(
        ApprovalRule(Role.COLLECTOR, Decimal(0), 3, 92),
        ApprovalRule(Role.SUPERVISOR, Decimal("0.10"), 6, 184),
        ApprovalRule(Role.MANAGER, Decimal("0.20"), 6, 184),
    ),
)
AS_OF = D(2026, 3, 2)


def plan(balance="1000.00", n=4, first=D(2026, 3, 10), freq=Frequency.MONTHLY, **kw):
    return propose_plan(
        arrangement_id="A1",
        case_id="C1",
        balance=eur(balance),
        as_of=AS_OF,
        first_due=first,
        instalments=n,
        frequency=freq,
        policy=kw.pop("policy", POLICY),
        **kw,
    )


def test_plan_splits_exactly_with_odd_cents_first():
    arrangement = plan("100.00", 3)
    assert [i.amount for i in arrangement.instalments] == [eur("33.34"), eur("33.33"), eur("33.33")]
    assert arrangement.kind is ArrangementKind.PLAN
    assert arrangement.discount == eur(0)


def test_monthly_dates_clamp_to_month_end():
    assert add_months(D(2026, 1, 31), 1) == D(2026, 2, 28)
    assert add_months(D(2026, 1, 31), 2) == D(2026, 3, 31)
    assert add_months(D(2026, 11, 30), 3) == D(2027, 2, 28)


def test_down_payment_then_even_instalments():
    arrangement = plan("1000.00", 4, down_payment=eur("250.00"))
    assert [i.amount for i in arrangement.instalments] == [eur(250)] + [eur(250)] * 3


def test_plan_limits_are_all_reported():
    with pytest.raises(OutsidePolicy) as err:
        plan("100.00", 8, first=D(2026, 4, 30))
    violations = err.value.fields["violations"]
    assert any("at most 6" in v for v in violations)
    assert any("first instalment" in v for v in violations)
    assert any("term" in v for v in violations)
    assert any("below the minimum" in v for v in violations)


def test_a_small_balance_may_be_paid_in_one_instalment_below_the_minimum():
    assert plan("5.00", 1).total == eur("5.00")


def test_plans_can_be_switched_off_per_stage():
    with pytest.raises(OutsidePolicy):
        plan(policy=ArrangementPolicy(plans_allowed=False, min_instalment=MINIMUMS))


def test_settlement_rounds_up_so_the_discount_never_exceeds_the_rate():
    assert settlement_amount(eur("100.01"), Decimal("0.10")) == eur("90.01")
    s = propose_settlement(
        arrangement_id="S1",
        case_id="C1",
        balance=eur("100.01"),
        as_of=AS_OF,
        first_due=AS_OF,
        discount_rate=Decimal("0.10"),
        policy=POLICY,
    )
    assert s.kind is ArrangementKind.SETTLEMENT
    assert s.discount_rate <= Decimal("0.10")
    with pytest.raises(OutsidePolicy):
        propose_settlement(
            arrangement_id="S1",
            case_id="C1",
            balance=eur(100),
            as_of=AS_OF,
            first_due=AS_OF,
            discount_rate=Decimal("0.25"),
            policy=POLICY,
        )


def test_approval_goes_to_the_least_senior_role_that_covers_it():
    small = plan("300.00", 3)
    assert approval_for(small, POLICY, proposer=Role.COLLECTOR).required_role is Role.COLLECTOR
    longer = plan("600.00", 5)
    decision = approval_for(longer, POLICY, proposer=Role.COLLECTOR)
    assert decision.required_role is Role.SUPERVISOR
    assert not decision.proposer_may_approve
    assert approval_for(longer, POLICY, proposer=Role.MANAGER).proposer_may_approve
    settlement = propose_settlement(
        arrangement_id="S1",
        case_id="C1",
        balance=eur(1000),
        as_of=AS_OF,
        first_due=AS_OF,
        discount_rate=Decimal("0.15"),
        policy=POLICY,
    )
    assert approval_for(settlement, POLICY, proposer=Role.SUPERVISOR).required_role is Role.MANAGER


def test_approval_rules_must_fit_inside_the_stage_limits():
    with pytest.raises(InvalidConfig):
        ArrangementPolicy(
            max_instalments=3, approvals=(ApprovalRule(Role.COLLECTOR, Decimal(0), 4, 90),)
        )
    with pytest.raises(InvalidConfig):
        ArrangementPolicy(
            approvals=(
                ApprovalRule(Role.SUPERVISOR, Decimal(0), 3, 90),
                ApprovalRule(Role.COLLECTOR, Decimal(0), 3, 90),
            )
        )


def test_hardship_plan_is_sized_to_what_the_debtor_can_afford():
    result = plan_for_affordable(
        arrangement_id="H1",
        case_id="C1",
        balance=eur("500.00"),
        affordable=eur("120.00"),
        as_of=AS_OF,
        first_due=D(2026, 3, 15),
        frequency=Frequency.MONTHLY,
        policy=POLICY,
    )
    assert result.affordable
    assert result.arrangement is not None
    assert len(result.arrangement.instalments) == 5
    assert max(i.amount for i in result.arrangement.instalments) <= eur(120)
    assert not any("borrow" in note for note in result.notes)


def test_hardship_beyond_the_stage_limits_is_referred_not_pressed():
    result = plan_for_affordable(
        arrangement_id="H1",
        case_id="C1",
        balance=eur("5000.00"),
        affordable=eur("100.00"),
        as_of=AS_OF,
        first_due=D(2026, 3, 15),
        frequency=Frequency.MONTHLY,
        policy=POLICY,
    )
    assert not result.affordable
    assert any("hardship review" in note for note in result.notes)
    nothing = plan_for_affordable(
        arrangement_id="H1",
        case_id="C1",
        balance=eur("5000.00"),
        affordable=eur(0),
        as_of=AS_OF,
        first_due=D(2026, 3, 15),
        frequency=Frequency.MONTHLY,
        policy=POLICY,
    )
    assert nothing.arrangement is None
    assert "breathing space" in nothing.notes[0]


def test_tracking_a_plan_on_track_broken_and_completed():
    arrangement = plan("300.00", 3, freq=Frequency.WEEKLY)  # 10, 17, 24 March
    on_track = evaluate_arrangement(
        arrangement,
        [pay("X1", D(2026, 3, 10), 100)],
        as_of=D(2026, 3, 14),
        policy=POLICY,
        calendar=CALENDAR,
    )
    assert on_track.state is ArrangementState.ON_TRACK
    assert on_track.next_due is not None
    assert on_track.next_due.deadline == D(2026, 3, 20)
    broken = evaluate_arrangement(
        arrangement,
        [pay("X1", D(2026, 3, 10), 100)],
        as_of=D(2026, 3, 20),
        policy=POLICY,
        calendar=CALENDAR,
    )
    assert broken.state is ArrangementState.BROKEN
    assert broken.broken_on == D(2026, 3, 20)
    done = evaluate_arrangement(
        arrangement,
        [pay("X1", D(2026, 3, 10), 100), pay("X2", D(2026, 3, 16), 200)],
        as_of=D(2026, 3, 16),
        policy=POLICY,
        calendar=CALENDAR,
    )
    assert done.state is ArrangementState.COMPLETED
    assert done.remaining == eur(0)


def test_payments_before_the_agreement_do_not_count_towards_it():
    arrangement = plan("300.00", 3, freq=Frequency.WEEKLY)
    status = evaluate_arrangement(
        arrangement,
        [pay("X0", D(2026, 3, 1), 300)],
        as_of=D(2026, 3, 13),
        policy=POLICY,
        calendar=CALENDAR,
    )
    assert status.instalments[0].status is PromiseStatus.BROKEN


def test_amounts_with_too_many_decimals_are_refused():
    with pytest.raises(InvalidInput):
        split_evenly(eur("10.001"), 2)


# ---- properties ------------------------------------------------------------------------------

currencies = st.sampled_from(["EUR", "JPY", "USD"])


@st.composite
def balances(draw):
    currency = draw(currencies)
    units = draw(st.integers(1, 5_000_000))
    return Money(Decimal(units) * quantum(currency), currency)


@given(balances(), st.integers(1, 60))
def test_split_sums_exactly_and_is_even(total, count):
    parts = split_evenly(total, count)
    assert len(parts) == count
    assert sum((p.amount for p in parts), Decimal(0)) == total.amount
    assert max(p.amount for p in parts) - min(p.amount for p in parts) <= quantum(total.currency)
    assert all(p.amount == p.rounded().amount for p in parts)


@given(balances(), st.integers(1, 8), st.integers(0, 20), st.sampled_from(list(Frequency)))
def test_plans_sum_exactly_and_respect_every_limit(balance, count, first_in, frequency):
    first = AS_OF + dt.timedelta(days=first_in)
    try:
        arrangement = propose_plan(
            arrangement_id="A",
            case_id="C",
            balance=balance,
            as_of=AS_OF,
            first_due=first,
            instalments=count,
            frequency=frequency,
            policy=POLICY,
        )
    except OutsidePolicy:
        return
    amounts = [i.amount for i in arrangement.instalments]
    assert sum((a.amount for a in amounts), Decimal(0)) == balance.amount
    assert len(amounts) <= POLICY.max_instalments
    assert arrangement.term_days <= POLICY.max_term_days
    assert (first - AS_OF).days <= POLICY.max_first_due_days
    if len(amounts) > 1:
        assert min(amounts) >= POLICY.minimum(balance.currency)
    approval_for(arrangement, POLICY, proposer=Role.COLLECTOR)  # some role can approve it


@given(balances(), st.integers(0, 20))
def test_settlements_never_discount_more_than_allowed(balance, percent):
    rate = Decimal(percent) / 100
    s = propose_settlement(
        arrangement_id="S",
        case_id="C",
        balance=balance,
        as_of=AS_OF,
        first_due=AS_OF,
        discount_rate=rate,
        policy=POLICY,
    )
    assert s.discount_rate <= rate
    assert s.balance - s.total < balance * rate + Money(quantum(balance.currency), balance.currency)
    assert sum((i.amount.amount for i in s.instalments), Decimal(0)) == s.total.amount


@given(balances(), st.integers(1, 2_000_000))
def test_hardship_plans_stay_within_policy(balance, affordable_units):
    affordable = Money(Decimal(affordable_units) * quantum(balance.currency), balance.currency)
    result = plan_for_affordable(
        arrangement_id="H",
        case_id="C",
        balance=balance,
        affordable=affordable,
        as_of=AS_OF,
        first_due=AS_OF + dt.timedelta(days=7),
        frequency=Frequency.MONTHLY,
        policy=POLICY,
    )
    assert result.arrangement is not None
    amounts = [i.amount for i in result.arrangement.instalments]
    assert sum((a.amount for a in amounts), Decimal(0)) == balance.amount
    assert len(amounts) <= POLICY.max_instalments
    assert result.affordable == (max(amounts) <= affordable)


def test_without_approval_rules_a_collector_approves_inside_the_limits():
    policy = ArrangementPolicy(min_instalment=MINIMUMS)
    arrangement = plan("600.00", 6, policy=policy)
    assert approval_for(arrangement, policy, proposer=Role.COLLECTOR).proposer_may_approve
