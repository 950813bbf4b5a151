"""Arrangements on SQLite and PostgreSQL: proposals within policy, approval by role, and the
nightly tracking that completes or breaks them and moves the case."""

import datetime as dt
from decimal import Decimal

import pytest
from case_setup import (
    STRATEGY,
    audit_actions,
    case_row,
    count,
    events,
    pay,
    run_step,
    seed_case,
)
from sqlalchemy import select
from typer.testing import CliRunner

from arrears.adapters.store import workflow_tables as w
from arrears.domain.errors import Conflict
from arrears.domain.workflow.errors import OutsidePolicy, ReasonRequired, RoleRequired
from arrears.entrypoints.cli import app
from arrears.services.arrangements import (
    approve_arrangement,
    cancel_arrangement,
    propose_arrangement,
    reject_arrangement,
    step_arrangement_tracking,
)

pytestmark = pytest.mark.integration

AS_OF = dt.date(2026, 4, 1)


def propose(uow_factory, *, role="collector", instalments=3, **options):
    defaults = {
        "kind": "plan",
        "as_of": AS_OF,
        "first_due": dt.date(2026, 4, 10),
        "instalments": instalments,
        "frequency": "monthly",
        "actor_id": "ana",
        "actor_role": role,
        "strategy": STRATEGY,
    }
    return propose_arrangement(uow_factory, "C-1", **{**defaults, **options})


def instalments_of(engine, arrangement_id):
    i = w.arrangement_instalments
    with engine.connect() as conn:
        return [
            (r.number, r.paid, r.status)
            for r in conn.execute(
                select(i).where(i.c.arrangement_id == arrangement_id).order_by(i.c.number)
            )
        ]


def arrangement_status(engine, arrangement_id):
    a = w.arrangements
    with engine.connect() as conn:
        return conn.execute(
            select(a.c.status, a.c.broken_on, a.c.required_role).where(
                a.c.arrangement_id == arrangement_id
            )
        ).one()


def test_a_plan_within_the_collectors_authority_runs_at_once_until_cancelled(engine, uow_factory):
    seed_case(uow_factory)
    proposed = propose(uow_factory)
    assert proposed.status == "active"
    assert [str(i.amount) for i in proposed.arrangement.instalments] == ["400.00 EUR"] * 3
    assert proposed.arrangement.total.amount == Decimal("1200.00")
    case = case_row(engine, "C-1")
    assert (case["state"], case["version"]) == ("arrangement", 2)
    kinds = [e[0] for e in events(engine, "C-1")]
    assert kinds == ["arrangement_proposed", "transition"]
    assert events(engine, "C-1")[1][1:] == ("arrangement", "plan_agreed")
    assert "case:arrangement:proposed" in audit_actions(engine)
    with pytest.raises(Conflict, match="already has arrangement"):
        propose(uow_factory)
    arrangement_id = proposed.arrangement.arrangement_id
    with pytest.raises(ReasonRequired):
        cancel_arrangement(
            uow_factory, arrangement_id, actor_id="ana", actor_role="collector", note=" "
        )
    cancel_arrangement(
        uow_factory, arrangement_id, actor_id="ana", actor_role="collector", note="wrong borrower"
    )
    assert arrangement_status(engine, arrangement_id).status == "cancelled"
    assert case_row(engine, "C-1")["state"] == "active"
    assert events(engine, "C-1")[-1] == ("transition", "active", "arrangement_cancelled")
    assert "case:arrangement:cancelled" in audit_actions(engine)


def test_above_the_threshold_a_supervisor_approves(engine, uow_factory):
    seed_case(uow_factory)
    proposed = propose(uow_factory, instalments=5, frequency="monthly")
    assert (proposed.status, proposed.required_role) == ("pending_approval", "supervisor")
    assert case_row(engine, "C-1")["state"] == "active"
    arrangement_id = proposed.arrangement.arrangement_id
    with pytest.raises(RoleRequired, match="needs supervisor"):
        approve_arrangement(uow_factory, arrangement_id, actor_id="ana", actor_role="collector")
    assert arrangement_status(engine, arrangement_id).status == "pending_approval"
    approve_arrangement(
        uow_factory, arrangement_id, actor_id="sam", actor_role="supervisor", strategy=STRATEGY
    )
    assert arrangement_status(engine, arrangement_id).status == "active"
    assert case_row(engine, "C-1")["state"] == "arrangement"
    assert ("arrangement_approved", "active", arrangement_id) in events(engine, "C-1")
    assert "case:arrangement:approved" in audit_actions(engine)


def test_a_discount_needs_the_role_whose_limit_covers_it(engine, uow_factory):
    seed_case(uow_factory)
    proposed = propose(uow_factory, kind="settlement", instalments=1, discount_rate=Decimal("0.15"))
    assert proposed.arrangement.total.amount == Decimal("1020.00")
    assert (proposed.status, proposed.required_role) == ("pending_approval", "manager")
    arrangement_id = proposed.arrangement.arrangement_id
    with pytest.raises(ReasonRequired):
        reject_arrangement(
            uow_factory, arrangement_id, actor_id="max", actor_role="manager", note=""
        )
    reject_arrangement(
        uow_factory, arrangement_id, actor_id="max", actor_role="manager", note="too generous"
    )
    assert arrangement_status(engine, arrangement_id).status == "rejected"
    assert case_row(engine, "C-1")["state"] == "active"
    assert "case:arrangement:rejected" in audit_actions(engine)


def test_outside_policy_names_the_limits_and_writes_nothing_and_hardship_fits_the_debtor(
    engine, uow_factory
):
    seed_case(uow_factory)
    with pytest.raises(OutsidePolicy) as error:
        propose(uow_factory, instalments=8, first_due=dt.date(2026, 5, 1))
    assert "8 instalments; this stage allows at most 6" in error.value.message
    assert "due in 30 days; at most 14 are allowed" in error.value.message
    with pytest.raises(OutsidePolicy, match="exceeds this stage's maximum"):
        propose(uow_factory, kind="settlement", instalments=1, discount_rate=Decimal("0.30"))
    assert count(engine, w.arrangements) == 0
    assert events(engine, "C-1") == []
    assert case_row(engine, "C-1")["version"] == 1
    # hardship: sized to what the debtor can afford, or a hardship review, never borrowing
    with pytest.raises(OutsidePolicy, match="hardship review") as error:
        propose(uow_factory, affordable=Decimal("50.00"))
    assert error.value.fields["hardship_review"] is True
    proposed = propose(uow_factory, affordable=Decimal("250.00"))
    amounts = {i.amount.amount for i in proposed.arrangement.instalments}
    assert len(proposed.arrangement.instalments) == 5
    assert amounts == {Decimal("240.00")}
    assert proposed.required_role == "supervisor"


def test_tracking_credits_payments_then_a_missed_instalment_breaks_the_plan(engine, uow_factory):
    seed_case(uow_factory)
    arrangement_id = propose(uow_factory).arrangement.arrangement_id
    pay(uow_factory, "B-1", "P-0", dt.date(2026, 3, 30), "50.00")  # before: not counted
    pay(uow_factory, "B-1", "P-1", dt.date(2026, 4, 9), "400.00")
    assert run_step(engine, uow_factory, step_arrangement_tracking, dt.date(2026, 4, 15)) == 1
    assert instalments_of(engine, arrangement_id) == [
        (1, Decimal("400.00"), "paid"),
        (2, Decimal(0), "scheduled"),
        (3, Decimal(0), "scheduled"),
    ]
    before = (events(engine, "C-1"), audit_actions(engine))
    assert run_step(engine, uow_factory, step_arrangement_tracking, dt.date(2026, 4, 15)) == 0
    assert (events(engine, "C-1"), audit_actions(engine)) == before

    pay(uow_factory, "B-1", "P-2", dt.date(2026, 5, 12), "100.00")  # part of the second
    assert run_step(engine, uow_factory, step_arrangement_tracking, dt.date(2026, 5, 14)) == 2
    status = arrangement_status(engine, arrangement_id)
    assert (status.status, status.broken_on) == ("broken", dt.date(2026, 5, 13))
    assert instalments_of(engine, arrangement_id)[1] == (2, Decimal("100.00"), "partly_paid")
    case = case_row(engine, "C-1")
    assert (case["state"], case["stage_id"]) == ("active", "back_row")
    assert events(engine, "C-1")[-2:] == [
        ("arrangement_broken", "broken", arrangement_id),
        ("transition", "active", "arrangement_broken"),
    ]
    assert audit_actions(engine)[-2:] == ["case:arrangement:broken", "workflow:case:transitioned"]
    # a broken arrangement is no longer tracked: the rerun changes nothing
    assert run_step(engine, uow_factory, step_arrangement_tracking, dt.date(2026, 5, 14)) == 0


def test_a_paid_settlement_closes_the_case_as_settled(engine, uow_factory):
    seed_case(uow_factory)
    proposed = propose(
        uow_factory,
        kind="settlement",
        instalments=2,
        discount_rate=Decimal("0.10"),
        role="supervisor",
    )
    assert proposed.status == "active"
    pay(uow_factory, "B-1", "P-1", dt.date(2026, 4, 10), "540.00")
    pay(uow_factory, "B-1", "P-2", dt.date(2026, 5, 11), "540.00")
    assert run_step(engine, uow_factory, step_arrangement_tracking, dt.date(2026, 5, 12)) == 3
    arrangement_id = proposed.arrangement.arrangement_id
    assert arrangement_status(engine, arrangement_id).status == "completed"
    case = case_row(engine, "C-1")
    assert (case["state"], case["closure"], case["open_borrower_id"]) == (
        "closed",
        "settled",
        None,
    )
    assert events(engine, "C-1")[-1] == ("transition", "closed", "settled")


def test_the_cli_prints_the_schedule_and_the_approval_needed(engine, uow_factory, database_url):
    seed_case(uow_factory)
    result = CliRunner().invoke(
        app,
        [
            "--database-url",
            database_url,
            "case",
            "arrangement",
            "propose",
            "C-1",
            "--kind",
            "plan",
            "--instalments",
            "4",
            "--first-due",
            "2026-04-10",
            "--as-of",
            "2026-04-01",
            "--by",
            "ana",
            "--role",
            "collector",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "300.00 EUR" in result.output
    assert "2026-07-10" in result.output
    assert "pending_approval" in result.output
    assert "supervisor" in result.output
    shown = CliRunner().invoke(app, ["--database-url", database_url, "case", "show", "C-1"])
    assert shown.exit_code == 0, shown.output
    assert "pending_approval" in shown.output
    assert "arrangement_proposed" in shown.output
