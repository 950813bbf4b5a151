"""Worklist priority: the expected-value heuristic and its shown components."""

from decimal import Decimal

import pytest
from workflow_fixtures import eur

from arrears.domain.errors import InvalidConfig, InvalidInput
from arrears.domain.money import Money
from arrears.domain.workflow.priority import PriorityInputs, PriorityWeights, priority, rank

WEIGHTS = PriorityWeights()


def test_expected_value_is_balance_times_probability_with_components():
    p = priority(PriorityInputs("C1", eur("1000.00"), 45), WEIGHTS)
    assert p.probability == Decimal("0.45")
    assert p.expected_value == eur("450.00")
    assert [c.name for c in p.components] == ["dpd"]
    assert "DPD 31-60" in p.components[0].explanation
    assert p.explain() == "450.00 EUR = balance x min(1, dpd 0.45)"


def test_promise_due_today_and_broken_promise_raise_priority():
    plain = priority(PriorityInputs("C1", eur(1000), 10), WEIGHTS)
    due = priority(PriorityInputs("C1", eur(1000), 10, promise_due_today=True), WEIGHTS)
    broken = priority(
        PriorityInputs("C1", eur(1000), 10, promise_due_today=True, broken_promise_follow_up=True),
        WEIGHTS,
    )
    assert plain.expected_value < due.expected_value < broken.expected_value
    assert broken.probability == Decimal(1)  # capped
    assert [c.name for c in broken.components] == ["dpd", "promise_due_today", "broken_promise"]


def test_older_debts_are_worth_less():
    values = [
        priority(PriorityInputs("C", eur(1000), dpd), WEIGHTS).expected_value
        for dpd in (0, 40, 70, 100, 150, 400)
    ]
    assert values == sorted(values, reverse=True)


def test_rank_is_deterministic_and_one_currency_at_a_time():
    items = [
        priority(PriorityInputs("C2", eur(100), 10), WEIGHTS),
        priority(PriorityInputs("C1", eur(100), 10), WEIGHTS),
        priority(PriorityInputs("C3", eur(1000), 100), WEIGHTS),
    ]
    assert [p.case_id for p in rank(items)] == ["C3", "C1", "C2"]
    with pytest.raises(InvalidInput):
        rank([*items, priority(PriorityInputs("C4", Money.of("1", "USD"), 1), WEIGHTS)])


def test_weights_are_validated():
    with pytest.raises(InvalidConfig):
        PriorityWeights(dpd_curve=((30, Decimal("0.5")),))
    with pytest.raises(InvalidConfig):
        PriorityWeights(dpd_curve=((60, Decimal("0.5")), (30, Decimal("0.4")), (None, Decimal(0))))
    with pytest.raises(InvalidConfig):
        PriorityWeights(promise_due_today=Decimal(2))
