"""The cycle's charge accrual step on real databases: the domain's charges, once, crash or not."""

import datetime as dt
import os
import subprocess
import sys
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from arrears.adapters.store import tables as t
from arrears.domain.charges import (
    ChargePolicy,
    LateFeeRule,
    PenaltyInterestRule,
    assess_charges,
)
from arrears.domain.model import Borrower, Installment, Loan, Payment
from arrears.domain.money import Money
from arrears.services.cycle import STEP_NAMES, run_cycle

pytestmark = pytest.mark.integration
D1 = dt.date(2026, 3, 31)  # the first cycle: a fee date and a month end
D2 = dt.date(2026, 5, 1)  # the next one covers April 1 .. May 1
RULES = ChargePolicy(
    late_fees=(LateFeeRule("late-21", 21, flat_amounts={"EUR": Decimal("25.00")}),),
    penalty_interest=(PenaltyInterestRule("penalty", Decimal("0.24")),),
)
CONFIG = """\
charges:
  late_fees:
    - {rule_id: late-21, days_after_due: 21, amount: {EUR: "25.00"}}
  penalty_interest:
    - {rule_id: penalty, annual_rate: "0.24"}
"""


def eur(value: str) -> Money:
    return Money(Decimal(value), "EUR")


def book() -> list[Loan]:
    loans = []
    for i in range(6):
        installments = tuple(
            Installment(n, dt.date(2026, n + 2, 10), eur("100.00"), eur("10.00"), eur("0"))
            for n in range(1, 5)
        )
        paid = eur(str(40 * i))  # nothing, a part of one installment, ... two installments
        payments = (Payment(f"P{i}", dt.date(2026, 3, 9), paid),) if paid.is_positive() else ()
        loans.append(
            Loan(
                f"L{i}",
                f"B{i % 3}",
                "EUR",
                installments,
                payments,
                principal=eur("400.00"),
                disbursed_on=dt.date(2026, 2, 10),
            )
        )
    return loans


@pytest.fixture
def loaded(uow_factory, tmp_path):
    with uow_factory() as uow:
        for i in range(3):
            uow.borrowers.add(Borrower(f"B{i}", f"Borrower {i}", "es", "ES"))
        for loan in book():
            uow.loans.add(loan)
        uow.commit()
    config = tmp_path / "delinquency.yaml"
    config.write_text(CONFIG, encoding="utf-8")
    return config


def posted(engine) -> dict[tuple[str, str, str], tuple[int, dt.date, Decimal]]:
    charges, loans = t.charges, t.loans
    with engine.connect() as connection:
        rows = connection.execute(
            select(
                loans.c.external_id,
                charges.c.rule_id,
                charges.c.period_key,
                charges.c.installment_no,
                charges.c.charged_on,
                charges.c.amount,
            ).join(loans, loans.c.id == charges.c.loan_id)
        ).all()
        count = connection.execute(select(func.count()).select_from(charges)).scalar_one()
    assert count == len(rows)
    return {(r[0], r[1], r[2]): (r[3], r[4], Decimal(r[5])) for r in rows}


def expected() -> dict[tuple[str, str, str], tuple[int, dt.date, Decimal]]:
    """The domain, cycle after cycle."""
    result = {}
    for loan in book():
        current = loan
        for day in (D1, D2):
            new = assess_charges(current, day, RULES)
            current = current.with_charges(new)
            for c in new:
                result[(loan.external_id, c.rule_id, c.period_key)] = (
                    c.installment_no,
                    c.charged_on,
                    c.amount.amount,
                )
    return result


def test_two_cycles_charge_what_the_domain_charges_once(uow_factory, engine, loaded):
    run_cycle(uow_factory, engine, business_date=D1, config=loaded)
    first = posted(engine)
    assert first
    assert {when for _, when, _ in first.values()} == {D1}
    rerun = run_cycle(uow_factory, engine, business_date=D1, config=loaded)
    assert {s.step: s.rows for s in rerun.steps}["charge_accrual"] == 0
    assert posted(engine) == first
    run_cycle(uow_factory, engine, business_date=D2, config=loaded)
    assert posted(engine) == expected()
    assert {rule for _, rule, _ in posted(engine)} == {"late-21", "penalty"}


def test_without_rules_the_step_charges_nothing(uow_factory, engine, loaded):
    summary = run_cycle(uow_factory, engine, business_date=D1)
    assert {s.step: s.rows for s in summary.steps}["charge_accrual"] == 0
    assert posted(engine) == {}


def test_a_crash_after_charge_accrual_then_resume_charges_nothing_twice(
    uow_factory, engine, database_url, loaded
):
    assert "charge_accrual" in STEP_NAMES
    command = [
        sys.executable,
        "-c",
        "from arrears.entrypoints.cli import main; main()",
        "--database-url",
        database_url,
        "cycle",
        "--as-of",
        D1.isoformat(),
        "--config",
        str(loaded),
    ]
    env = {**os.environ, "ARREARS_CYCLE_CRASH_AFTER": "charge_accrual"}
    crashed = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    assert crashed.returncode == 137, crashed.stderr
    with engine.connect() as connection:
        run = connection.execute(select(t.cycle_runs)).one()
    charged = posted(engine)
    assert charged
    resumed = run_cycle(uow_factory, engine, business_date=D1, config=loaded, resume=run.run_id)
    assert {s.step for s in resumed.steps if s.skipped} >= {"charge_accrual"}
    assert posted(engine) == charged
    # even a fresh run for the finished day (a rerun) finds every charge posted
    run_cycle(uow_factory, engine, business_date=D1, config=loaded)
    assert posted(engine) == charged
    run_cycle(uow_factory, engine, business_date=D2, config=loaded)
    assert posted(engine) == expected()
