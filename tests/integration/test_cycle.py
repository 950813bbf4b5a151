"""The nightly cycle on real databases: exact against the domain, idempotent, locked, resumable."""

import datetime as dt
import os
import shutil
import subprocess
import sys
from decimal import Decimal

import pytest
from sqlalchemy import select

from arrears.adapters.store import tables as t
from arrears.adapters.store import workflow_tables as w
from arrears.adapters.store.db import make_engine, session_factory
from arrears.adapters.store.migrate import upgrade
from arrears.adapters.store.uow import SqlUnitOfWork
from arrears.domain.delinquency import compute_delinquency
from arrears.domain.model import Borrower, Charge, Installment, Loan, Payment
from arrears.domain.money import Money
from arrears.services.cycle import STEP_NAMES, CycleRefused, _start_run, run_cycle

pytestmark = pytest.mark.integration
D = dt.date(2026, 6, 1)
# a write step, a money step and a workflow step: the same code path runs after every step
POSTGRES_CRASH_POINTS = ("bucket_transitions", "charge_accrual", "case_segmentation")


def eur(value: str) -> Money:
    return Money(Decimal(value), "EUR")


def book() -> tuple[list[Borrower], list[Loan]]:
    borrowers = [Borrower(f"B{i}", f"Borrower {i}", "es", "ES") for i in range(4)]
    loans = []
    for i in range(8):
        installments = tuple(
            Installment(n, dt.date(2026, n, 10), eur("100.00"), eur("10.00"), eur("1.00"))
            for n in range(1, 7)
        )
        paid = eur(str(111 * (i % 5)))  # 0 to 4 installments' worth, paid early
        payments = (Payment(f"P{i}", dt.date(2026, 1, 5), paid),) if paid.is_positive() else ()
        charges = (
            (Charge("late", "inst-1", 1, dt.date(2026, 1, 25), eur("5.00")),) if i == 5 else ()
        )
        loans.append(
            Loan(
                f"L{i}",
                f"B{i % 4}",
                "EUR",
                installments,
                payments,
                charges,
                principal=eur("600.00"),
                disbursed_on=dt.date(2025, 12, 10),
            )
        )
    return borrowers, loans


@pytest.fixture
def loaded(uow_factory):
    return load_book(uow_factory)


def state(engine) -> dict[str, list[tuple]]:
    """Everything the cycle writes, keyed by external ids, without run ids and timestamps."""
    snap, hist, bor = t.delinquency_snapshots, t.bucket_history, t.borrower_snapshots
    loans, borrowers = t.loans, t.borrowers
    with engine.connect() as connection:
        snaps = connection.execute(
            select(loans.c.external_id, *(c for c in snap.c if c.name != "loan_id"))
            .join(loans, loans.c.id == snap.c.loan_id)
            .order_by(snap.c.business_date, loans.c.external_id)
        ).all()
        history = connection.execute(
            select(
                loans.c.external_id, hist.c.bucket, hist.c.dpd, hist.c.added_on, hist.c.lifted_on
            )
            .join(loans, loans.c.id == hist.c.loan_id)
            .order_by(loans.c.external_id, hist.c.added_on)
        ).all()
        per_borrower = connection.execute(
            select(borrowers.c.external_id, *(c for c in bor.c if c.name != "borrower_id"))
            .join(borrowers, borrowers.c.id == bor.c.borrower_id)
            .order_by(bor.c.business_date, borrowers.c.external_id)
        ).all()
        workflow = {
            name: sorted(
                tuple(str(v) for k, v in row.items() if k not in {"id", "created_at"})
                for row in connection.execute(select(table)).mappings()
            )
            for name, table in {
                "cases": w.cases,
                "assignments": w.case_assignments,
                "attempts": w.planned_attempts,
                "case_events": w.case_events,
                "charges": t.charges,
            }.items()
        }
    return {
        "snapshots": [tuple(r) for r in snaps],
        "history": [tuple(r) for r in history],
        "borrowers": [tuple(r) for r in per_borrower],
        **workflow,
    }


def load_book(uow_factory):
    borrowers, loans = book()
    with uow_factory() as uow:
        for borrower in borrowers:
            uow.borrowers.add(borrower)
        for loan in loans:
            uow.loans.add(loan)
        uow.commit()
    return loans


def uninterrupted_state(tmp_path, day):
    """The end state of a cycle that nothing interrupted, on a fresh SQLite database."""
    url = f"sqlite:///{tmp_path / 'reference.db'}"
    upgrade(url)
    reference = make_engine(url)
    try:
        sessions = session_factory(reference)
        factory = lambda: SqlUnitOfWork(sessions)  # noqa: E731
        load_book(factory)
        run_cycle(factory, reference, business_date=day)
        return state(reference)
    finally:
        reference.dispose()


def cycle(uow_factory, engine, day, **options):
    return run_cycle(uow_factory, engine, business_date=day, **options)


def test_snapshot_equals_the_domain_loan_by_loan(uow_factory, engine, loaded):
    summary = cycle(uow_factory, engine, D)
    assert [s.step for s in summary.steps] == list(STEP_NAMES)
    with engine.connect() as connection:
        rows = {
            r.external_id: r
            for r in connection.execute(
                select(t.loans.c.external_id, t.delinquency_snapshots).join(
                    t.loans, t.loans.c.id == t.delinquency_snapshots.c.loan_id
                )
            )
        }
    assert len(rows) == len(loaded)
    for loan in loaded:
        expected = compute_delinquency(loan, D)
        row = rows[loan.external_id]
        assert (row.dpd, row.bucket) == (expected.dpd, expected.bucket), loan.external_id
        assert row.overdue_total == expected.overdue_total.amount
        assert row.missed_installments == expected.missed_installments
        assert row.oldest_unpaid_due_date == expected.oldest_unpaid_due_date
    assert rows["L5"].overdue_penalty == Decimal("5.0000")  # unpaid late fee
    # borrower level: worst DPD across the borrower's loans
    with engine.connect() as connection:
        worst = dict(
            connection.execute(
                select(t.borrowers.c.external_id, t.borrower_snapshots.c.worst_dpd).join(
                    t.borrowers, t.borrowers.c.id == t.borrower_snapshots.c.borrower_id
                )
            ).all()
        )
    for borrower in ("B0", "B1", "B2", "B3"):
        mine = [compute_delinquency(ln, D).dpd for ln in loaded if ln.borrower_id == borrower]
        assert worst[borrower] == max(mine)


def test_rerunning_a_finished_day_changes_nothing(uow_factory, engine, loaded):
    cycle(uow_factory, engine, D)
    before = state(engine)
    again = cycle(uow_factory, engine, D)
    assert {s.step: s.rows for s in again.steps}["bucket_transitions"] == 0
    assert state(engine) == before


def test_bucket_history_follows_transitions_and_is_never_deleted(uow_factory, engine, loaded):
    cycle(uow_factory, engine, D)
    first = state(engine)["history"]
    assert first
    assert all(row[4] is None for row in first)  # all open
    later = dt.date(2026, 7, 15)
    cycle(uow_factory, engine, later)
    history = state(engine)["history"]
    assert set(first) - {(r[0], r[1], r[2], r[3], None) for r in history} <= {
        (r[0], r[1], r[2], r[3], None) for r in first
    }
    assert len(history) > len(first)  # moved buckets: old tag lifted, new one opened
    assert {r[:4] for r in first} <= {r[:4] for r in history}
    lifted = [r for r in history if r[4] == later]
    assert lifted
    assert all(sum(1 for x in history if x[0] == r[0] and x[4] is None) <= 1 for r in history)


def test_cycles_run_forward_and_one_at_a_time(uow_factory, engine, loaded):
    cycle(uow_factory, engine, D)
    with pytest.raises(CycleRefused, match="cycles run forward"):
        cycle(uow_factory, engine, D - dt.timedelta(days=1))
    later = D + dt.timedelta(days=1)
    holder, _ = _start_run(
        uow_factory, business_date=later, engine="duckdb", actor="other", resume=None
    )
    with pytest.raises(CycleRefused, match=f"already running \\(run {holder}"):
        cycle(uow_factory, engine, later)
    # the holder can finish what it started
    summary = cycle(uow_factory, engine, later, resume=holder)
    assert summary.resumed
    assert [s.skipped for s in summary.steps] == [False] * len(STEP_NAMES)


@pytest.mark.parametrize("crash_after", STEP_NAMES[:-1])
def test_a_crash_after_any_step_then_resume_equals_an_uninterrupted_run(  # noqa: PLR0917
    uow_factory, engine, database_url, loaded, crash_after, tmp_path
):
    if database_url.startswith("postgresql") and crash_after not in POSTGRES_CRASH_POINTS:
        pytest.skip(
            f"crash after {crash_after}: covered on SQLite; PostgreSQL runs the representative "
            f"points {', '.join(POSTGRES_CRASH_POINTS)} to keep the suite fast"
        )
    command = [
        sys.executable,
        "-c",
        "from arrears.entrypoints.cli import main; main()",
        "--database-url",
        database_url,
        "cycle",
        "--as-of",
        D.isoformat(),
    ]
    env = {**os.environ, "ARREARS_CYCLE_CRASH_AFTER": crash_after}
    crashed = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    assert crashed.returncode == 137, crashed.stderr
    with engine.connect() as connection:
        run = connection.execute(select(t.cycle_runs)).one()
        done = set(connection.execute(select(t.cycle_steps.c.step)).scalars())
    assert run.status == "running"
    assert done == set(STEP_NAMES[: STEP_NAMES.index(crash_after) + 1])
    with pytest.raises(CycleRefused, match=f"--resume {run.run_id}"):
        cycle(uow_factory, engine, D)
    resumed = cycle(uow_factory, engine, D, resume=run.run_id)
    assert [s.step for s in resumed.steps if s.skipped] == sorted(done, key=STEP_NAMES.index)
    assert state(engine) == uninterrupted_state(tmp_path, D)


def test_the_cycle_on_spark_writes_exactly_what_duckdb_writes(
    uow_factory, engine, loaded, tmp_path
):
    pytest.importorskip("pyspark")
    if shutil.which("java") is None:
        pytest.skip("Spark needs a Java runtime (java not on PATH)")
    if engine.dialect.name != "sqlite":
        pytest.skip(
            "the Spark cycle reads the store through the same Arrow extract on every "
            "database: one store (SQLite) is enough, Spark is the costly part"
        )
    run_cycle(uow_factory, engine, business_date=D, engine="spark")
    assert state(engine) == uninterrupted_state(tmp_path, D)
