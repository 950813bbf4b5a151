"""Promises to pay: policy checks, evaluation (unit and properties), follow-up dates."""

import datetime as dt
import random
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from workflow_fixtures import CALENDAR, D, eur, pay, promise

from arrears.domain.errors import InvalidInput
from arrears.domain.model import Payment
from arrears.domain.money import Money
from arrears.domain.workflow.errors import OutsidePolicy
from arrears.domain.workflow.promises import (
    Promise,
    PromisePolicy,
    PromiseReliability,
    PromiseStatus,
    evaluate_promises,
    follow_ups,
    promise_violations,
    reliability,
    status_changes,
    validate_promise_set,
)
from arrears.domain.workflow.workdays import WorkingCalendar, next_working_day

POLICY = PromisePolicy()  # horizon 3, grace 1


def evaluate(promises, payments, as_of, policy=POLICY):
    return {
        r.promise_id: r
        for r in evaluate_promises(
            promises, payments, as_of=as_of, policy=policy, calendar=CALENDAR
        )
    }


# ---- registration --------------------------------------------------------------------------


def test_horizon_is_three_days_by_default():
    ok = promise("P1", D(2026, 3, 2), D(2026, 3, 5), 100)
    late = promise("P2", D(2026, 3, 2), D(2026, 3, 6), 100, set_id="P1")
    assert promise_violations([ok], policy=POLICY) == ()
    problems = promise_violations([ok, late], policy=POLICY)
    assert any("horizon is 3 days" in p for p in problems)
    with pytest.raises(OutsidePolicy) as err:
        validate_promise_set([ok, late], policy=POLICY)
    assert err.value.code == "outside_policy"


def test_a_set_of_partial_promises_is_allowed_up_to_the_limit():
    made = D(2026, 3, 2)
    parts = [promise(f"P{n}", made, made + dt.timedelta(days=n), 10, set_id="S") for n in range(4)]
    assert promise_violations(parts[:3], policy=POLICY) == ()
    assert any("3" in p for p in promise_violations(parts, policy=POLICY))


def test_more_than_the_balance_cannot_be_promised():
    p = promise("P1", D(2026, 3, 2), D(2026, 3, 3), 150)
    assert promise_violations([p], policy=POLICY, balance=eur(100))
    assert promise_violations([p], policy=POLICY, balance=eur(150)) == ()


def test_promises_of_a_set_share_case_and_date():
    a = promise("P1", D(2026, 3, 2), D(2026, 3, 3), 10, set_id="S")
    b = promise("P2", D(2026, 3, 1), D(2026, 3, 3), 10, set_id="S")
    assert promise_violations([a, b], policy=POLICY)


def test_a_promise_is_positive_and_not_due_before_it_was_made():
    with pytest.raises(InvalidInput):
        promise("P1", D(2026, 3, 2), D(2026, 3, 1), 10)
    with pytest.raises(InvalidInput):
        Promise("P1", "C1", "S", D(2026, 3, 2), D(2026, 3, 2), eur(0))


# ---- evaluation ------------------------------------------------------------------------------


def test_kept_partially_kept_broken_and_pending():
    made = D(2026, 3, 2)  # Monday
    p = promise("P1", made, D(2026, 3, 4), 100)  # deadline Thursday 5 March (1 grace day)
    assert evaluate([p], [], D(2026, 3, 4))["P1"].status is PromiseStatus.PENDING
    assert evaluate([p], [], D(2026, 3, 5))["P1"].status is PromiseStatus.BROKEN
    late_pay = [pay("X", D(2026, 3, 5), 100)]  # inside the grace day
    assert evaluate([p], late_pay, D(2026, 3, 5))["P1"].status is PromiseStatus.KEPT
    too_late = [pay("X", D(2026, 3, 6), 100)]
    assert evaluate([p], too_late, D(2026, 3, 9))["P1"].status is PromiseStatus.BROKEN
    part = evaluate([p], [pay("X", D(2026, 3, 3), 40)], D(2026, 3, 5))["P1"]
    assert part.status is PromiseStatus.PARTIALLY_KEPT
    assert part.credited == eur(40)
    assert part.shortfall == eur(60)


def test_kept_as_soon_as_paid_even_before_the_due_date():
    p = promise("P1", D(2026, 3, 2), D(2026, 3, 4), 100)
    result = evaluate([p], [pay("X", D(2026, 3, 2), 120)], D(2026, 3, 2))["P1"]
    assert result.status is PromiseStatus.KEPT
    assert result.credited == eur(100)


def test_payments_before_the_promise_do_not_count():
    p = promise("P1", D(2026, 3, 2), D(2026, 3, 4), 100)
    result = evaluate([p], [pay("X", D(2026, 3, 1), 100)], D(2026, 3, 5))["P1"]
    assert result.status is PromiseStatus.BROKEN


def test_broken_promise_follow_up_is_the_next_working_day():
    # deadline Thursday 5 March; Friday 6 March is a holiday in CALENDAR -> Monday 9 March
    p = promise("P1", D(2026, 3, 2), D(2026, 3, 4), 100)
    result = evaluate([p], [], D(2026, 3, 5))["P1"]
    assert result.follow_up_on == D(2026, 3, 9)
    assert follow_ups([result]) == {"C1": D(2026, 3, 9)}


def test_partial_follow_up_can_be_switched_off():
    p = promise("P1", D(2026, 3, 2), D(2026, 3, 3), 100)
    policy = PromisePolicy(follow_up_partial=False)
    result = evaluate([p], [pay("X", D(2026, 3, 3), 1)], D(2026, 3, 9), policy)["P1"]
    assert result.status is PromiseStatus.PARTIALLY_KEPT
    assert result.follow_up_on is None


def test_earliest_promise_of_a_set_is_filled_first():
    made = D(2026, 3, 2)
    first = promise("P1", made, D(2026, 3, 2), 50, set_id="S")
    second = promise("P2", made, D(2026, 3, 5), 50, set_id="S")
    results = evaluate([second, first], [pay("X", D(2026, 3, 2), 70)], D(2026, 3, 3))
    assert results["P1"].status is PromiseStatus.KEPT
    assert results["P2"].credited == eur(20)
    assert results["P2"].status is PromiseStatus.PENDING


def test_a_new_set_supersedes_open_promises():
    old = promise("P1", D(2026, 3, 2), D(2026, 3, 5), 100)
    new = promise("P2", D(2026, 3, 4), D(2026, 3, 6), 80)
    results = evaluate([old, new], [pay("X", D(2026, 3, 6), 80)], D(2026, 3, 9))
    assert results["P1"].status is PromiseStatus.SUPERSEDED
    assert results["P2"].status is PromiseStatus.KEPT
    counts = reliability(results.values())
    assert counts == PromiseReliability(kept=1, superseded=1)


def test_a_decided_promise_is_not_superseded_by_a_later_set():
    old = promise("P1", D(2026, 3, 2), D(2026, 3, 3), 100)  # deadline 4 March
    new = promise("P2", D(2026, 3, 10), D(2026, 3, 11), 100)
    results = evaluate([old, new], [], D(2026, 3, 12))
    assert results["P1"].status is PromiseStatus.BROKEN


def test_promises_made_after_as_of_are_ignored():
    p = promise("P1", D(2026, 3, 9), D(2026, 3, 10), 100)
    assert evaluate([p], [], D(2026, 3, 8)) == {}


def test_one_case_and_one_currency_at_a_time():
    a = promise("P1", D(2026, 3, 2), D(2026, 3, 3), 10)
    b = Promise("P2", "C2", "P2", D(2026, 3, 2), D(2026, 3, 3), eur(10))
    with pytest.raises(InvalidInput):
        evaluate([a, b], [], D(2026, 3, 5))
    with pytest.raises(InvalidInput):
        evaluate([a], [Payment("X", D(2026, 3, 2), Money.of("1", "USD"))], D(2026, 3, 5))


def test_reliability_score():
    assert PromiseReliability().score is None
    assert PromiseReliability(kept=1, partially_kept=1, broken=2).score == Decimal("0.38")


def test_status_changes_are_the_events_to_write():
    p = promise("P1", D(2026, 3, 2), D(2026, 3, 3), 100)
    results = evaluate_promises([p], [], as_of=D(2026, 3, 4), policy=POLICY, calendar=CALENDAR)
    events = status_changes({"P1": PromiseStatus.PENDING}, results, as_of=D(2026, 3, 4))
    assert [(e.before, e.after, e.audit_tag) for e in events] == [
        (PromiseStatus.PENDING, PromiseStatus.BROKEN, "case:promise:broken")
    ]
    assert status_changes({"P1": PromiseStatus.BROKEN}, results, as_of=D(2026, 3, 4)) == ()


def test_next_working_day_skips_weekends_and_holidays():
    assert next_working_day(D(2026, 3, 5), CALENDAR) == D(2026, 3, 9)
    assert next_working_day(D(2026, 3, 2), CALENDAR) == D(2026, 3, 3)
    friday_weekend = WorkingCalendar(weekend=frozenset({4, 5}))  # Friday-Saturday weekend
    assert next_working_day(D(2026, 3, 5), friday_weekend) == D(2026, 3, 8)


# ---- properties ------------------------------------------------------------------------------

START = D(2026, 3, 2)


@st.composite
def histories(draw):
    sets = draw(st.integers(1, 3))
    promises = []
    for s in range(sets):
        made = START + dt.timedelta(days=draw(st.integers(0, 12)))
        for n in range(draw(st.integers(1, 3))):
            due = made + dt.timedelta(days=draw(st.integers(0, 3)))
            cents = draw(st.integers(1, 20_000))
            promises.append(
                Promise(f"S{s}P{n}", "C1", f"S{s}", made, due, Money(Decimal(cents) / 100, "EUR"))
            )
    payments = [
        Payment(
            f"X{k}",
            START + dt.timedelta(days=draw(st.integers(-2, 20))),
            Money(Decimal(draw(st.integers(1, 20_000))) / 100, "EUR"),
        )
        for k in range(draw(st.integers(0, 5)))
    ]
    as_of = START + dt.timedelta(days=draw(st.integers(0, 24)))
    grace = draw(st.integers(0, 2))
    return promises, payments, as_of, PromisePolicy(grace_days=grace)


def oracle(promises, payments, as_of, policy):
    """Plain greedy: each payment, in date order, fills the earliest-due promise of its set
    whose deadline it met."""
    live = [p for p in promises if p.made_on <= as_of]
    order = sorted({(p.made_on, p.set_id) for p in live})
    capacity = {p.promise_id: p.amount.amount for p in live}
    credited = dict.fromkeys(capacity, Decimal(0))
    for payment in sorted(payments, key=lambda x: (x.paid_on, x.external_id)):
        if payment.paid_on > as_of:
            continue
        owners = [s for m, s in order if m <= payment.paid_on]
        if not owners:
            continue
        left = payment.amount.amount
        members = sorted(
            (p for p in live if p.set_id == owners[-1]), key=lambda p: (p.due_on, p.promise_id)
        )
        for p in members:
            if payment.paid_on <= p.deadline(policy) and left > 0:
                take = min(left, capacity[p.promise_id])
                capacity[p.promise_id] -= take
                credited[p.promise_id] += take
                left -= take
    statuses = {}
    for p in live:
        later = [m for m, s in order if (m, s) > (p.made_on, p.set_id)]
        if credited[p.promise_id] == p.amount.amount:
            statuses[p.promise_id] = PromiseStatus.KEPT
        elif later and later[0] <= p.deadline(policy):
            statuses[p.promise_id] = PromiseStatus.SUPERSEDED
        elif as_of < p.deadline(policy):
            statuses[p.promise_id] = PromiseStatus.PENDING
        elif credited[p.promise_id] > 0:
            statuses[p.promise_id] = PromiseStatus.PARTIALLY_KEPT
        else:
            statuses[p.promise_id] = PromiseStatus.BROKEN
    return credited, statuses


@given(histories())
def test_cumulative_rule_equals_the_plain_greedy(history):
    promises, payments, as_of, policy = history
    results = evaluate(promises, payments, as_of, policy)
    credited, statuses = oracle(promises, payments, as_of, policy)
    assert {k: r.credited.amount for k, r in results.items()} == credited
    assert {k: r.status for k, r in results.items()} == statuses


@given(histories())
def test_credit_is_bounded_by_promises_and_payments(history):
    promises, payments, as_of, policy = history
    results = evaluate(promises, payments, as_of, policy)
    paid = sum((p.amount.amount for p in payments if p.paid_on <= as_of), Decimal(0))
    assert sum((r.credited.amount for r in results.values()), Decimal(0)) <= paid
    for r in results.values():
        assert Decimal(0) <= r.credited.amount <= r.amount.amount
        assert (r.status is PromiseStatus.KEPT) == (r.credited == r.amount)
        if r.status is PromiseStatus.PENDING:
            assert as_of < r.deadline
        assert (r.follow_up_on is not None) == (
            r.status in {PromiseStatus.BROKEN, PromiseStatus.PARTIALLY_KEPT}
        )
        if r.follow_up_on is not None:
            assert r.follow_up_on > r.deadline
            assert CALENDAR.is_working_day(r.follow_up_on)


@given(histories(), st.integers(1, 10))
def test_a_decided_promise_stays_decided(history, days_later):
    promises, payments, as_of, policy = history
    now = evaluate(promises, payments, as_of, policy)
    later = evaluate(promises, payments, as_of + dt.timedelta(days=days_later), policy)
    for pid, result in now.items():
        if result.status.is_final:
            assert later[pid].status is result.status
            assert later[pid].credited == result.credited


@given(histories(), st.integers(0, 20), st.integers(1, 5_000))
def test_another_payment_never_reduces_credit(history, day, cents):
    promises, payments, as_of, policy = history
    extra = Payment("EXTRA", START + dt.timedelta(days=day), Money(Decimal(cents) / 100, "EUR"))
    before = evaluate(promises, payments, as_of, policy)
    after = evaluate(promises, [*payments, extra], as_of, policy)
    total_before = sum((r.credited.amount for r in before.values()), Decimal(0))
    total_after = sum((r.credited.amount for r in after.values()), Decimal(0))
    assert total_after >= total_before
    for pid, result in before.items():
        if result.status is PromiseStatus.KEPT:
            assert after[pid].status is PromiseStatus.KEPT


@given(histories(), st.randoms(use_true_random=False))
def test_input_order_does_not_matter(history, rnd: random.Random):
    promises, payments, as_of, policy = history
    shuffled_p, shuffled_x = list(promises), list(payments)
    rnd.shuffle(shuffled_p)
    rnd.shuffle(shuffled_x)
    assert evaluate(promises, payments, as_of, policy) == evaluate(
        shuffled_p, shuffled_x, as_of, policy
    )


def test_stored_statuses_may_be_plain_strings():
    p = promise("P1", D(2026, 3, 2), D(2026, 3, 3), 100)
    results = evaluate_promises([p], [], as_of=D(2026, 3, 4), policy=POLICY, calendar=CALENDAR)
    assert status_changes({"P1": "broken"}, results, as_of=D(2026, 3, 4)) == ()
