"""The nightly cycle: ordered, named, set-based steps for one business date.

Each step computes over the whole book in the batch engine (DuckDB by default, Spark at scale)
and writes its results in ONE database transaction together with the record that it finished,
so a crash leaves every step either done or not started. `--resume RUN_ID` skips the finished
steps; every step is also idempotent for its business date (it replaces its own partition or
changes only what differs), so a rerun of a finished day changes nothing.

A per-date lock row makes a second cycle for the same date refuse to start.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, delete, exists, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from arrears.adapters.config_files import load_delinquency_config
from arrears.adapters.engine.base import make_engine
from arrears.adapters.engine.delinquency import EngineInputs, delinquency_sql, pauses_table
from arrears.adapters.engine.extract import load_book
from arrears.adapters.store import tables as t
from arrears.adapters.store.bulk import bulk_insert
from arrears.adapters.strategy_files import load_strategy
from arrears.domain.errors import Conflict, DomainError, InvalidInput, NotFound
from arrears.services.arrangements import step_arrangement_tracking
from arrears.services.classification import step_classification
from arrears.services.cycle_charges import POLICY_KEY, step_charge_accrual
from arrears.services.workflow_cycle import (
    step_case_opening,
    step_case_segmentation,
    step_promise_evaluation,
    step_strategy_handover,
)
from arrears.services.worklists import step_build_worklists

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Callable
    from pathlib import Path

    import pyarrow as pa
    from sqlalchemy import Connection, Engine

    from arrears.adapters.engine.base import SqlEngine
    from arrears.adapters.store.uow import SqlUnitOfWork
    from arrears.domain.delinquency import DelinquencyPolicy
    from arrears.domain.workflow.stages import Strategy


class CycleRefused(DomainError):
    code = "cycle_refused"


@dataclass
class CycleContext:
    business_date: dt.date
    run_id: str
    book: SqlEngine
    policy: DelinquencyPolicy
    strategy: Strategy
    computed: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class StepResult:
    step: str
    rows: int
    skipped: bool  # already finished by an earlier attempt of this run


@dataclass(frozen=True, slots=True)
class CycleSummary:
    run_id: str
    business_date: dt.date
    engine: str
    resumed: bool
    steps: tuple[StepResult, ...]


def _rows(table: pa.Table) -> list[tuple[Any, ...]]:
    return list(zip(*(column.to_pylist() for column in table.columns), strict=True))


# ------------------------------------------------------------------------------------ steps


def compute_status(ctx: CycleContext) -> None:
    """Every loan's delinquency as of the business date, in the engine, for the steps to read."""
    sql = delinquency_sql(
        ctx.policy,
        ctx.business_date,
        EngineInputs(charges="charges", pauses="pauses"),
        scale=4,
    )
    ctx.book.create_table("status", sql)


def step_delinquency_snapshot(ctx: CycleContext, conn: Connection) -> int:
    """Write every loan's DPD, bucket and overdue amounts for the business date."""
    snapshot = ctx.book.query_arrow(
        "SELECT l.loan_pk, s.dpd, s.bucket, s.overdue_principal, s.overdue_interest, "
        "s.overdue_fee, s.overdue_total - s.overdue_principal - s.overdue_interest "
        "- s.overdue_fee AS overdue_penalty, s.overdue_total, s.missed_installments, "
        "s.oldest_unpaid_due_date, s.last_payment_date "
        "FROM status s JOIN loans l ON l.loan_id = s.loan_id ORDER BY l.loan_pk"
    )
    table = t.delinquency_snapshots
    conn.execute(delete(table).where(table.c.business_date == ctx.business_date))
    columns = (
        "loan_id",
        "dpd",
        "bucket",
        "overdue_principal",
        "overdue_interest",
        "overdue_fee",
        "overdue_penalty",
        "overdue_total",
        "missed_installments",
        "oldest_unpaid_due_date",
        "last_payment_date",
    )
    rows = [(r[0], *r[1:]) for r in _rows(snapshot)]
    return bulk_insert(
        conn,
        table,
        ("business_date", *columns),
        ((ctx.business_date, *row) for row in rows),
    )


def step_bucket_transitions(ctx: CycleContext, conn: Connection) -> int:
    """Lift the open bucket tag of every loan whose bucket changed, open one for every loan now
    in a delinquent bucket without one. History rows are never deleted."""
    day = ctx.business_date
    history, snap = t.bucket_history, t.delinquency_snapshots
    today = and_(snap.c.business_date == day, snap.c.loan_id == history.c.loan_id)
    changed = and_(
        history.c.lifted_on.is_(None), exists().where(today, snap.c.bucket != history.c.bucket)
    )
    lifted = conn.execute(select(func.count()).select_from(history).where(changed)).scalar_one()
    conn.execute(update(history).where(changed).values(lifted_on=day))
    current = ctx.policy.buckets.names[0]
    to_open = select(snap.c.loan_id, snap.c.bucket, snap.c.dpd, snap.c.business_date).where(
        snap.c.business_date == day,
        snap.c.bucket != current,
        ~exists().where(history.c.loan_id == snap.c.loan_id, history.c.lifted_on.is_(None)),
    )
    opened = conn.execute(select(func.count()).select_from(to_open.subquery())).scalar_one()
    conn.execute(insert(history).from_select(["loan_id", "bucket", "dpd", "added_on"], to_open))
    return int(lifted) + int(opened)


def step_customer_aggregation(ctx: CycleContext, conn: Connection) -> int:
    """Per borrower and currency: loans, delinquent loans, worst DPD and bucket, total overdue."""
    aggregate = ctx.book.query_arrow(
        "SELECT l.borrower_pk, l.currency, count(*) AS loans, "
        "count(*) FILTER (WHERE s.dpd > 0) AS delinquent_loans, max(s.dpd) AS worst_dpd, "
        "arg_max(s.bucket, s.dpd) AS worst_bucket, sum(s.overdue_total) AS overdue_total "
        "FROM status s JOIN loans l ON l.loan_id = s.loan_id "
        "GROUP BY l.borrower_pk, l.currency ORDER BY l.borrower_pk, l.currency"
    )
    table = t.borrower_snapshots
    conn.execute(delete(table).where(table.c.business_date == ctx.business_date))
    return bulk_insert(
        conn,
        table,
        (
            "business_date",
            "borrower_id",
            "currency",
            "loans",
            "delinquent_loans",
            "worst_dpd",
            "worst_bucket",
            "overdue_total",
        ),
        ((ctx.business_date, *row) for row in _rows(aggregate)),
    )


Step = tuple[str, "Callable[[CycleContext, Connection], int]"]
STEPS: tuple[Step, ...] = (
    ("delinquency_snapshot", step_delinquency_snapshot),
    ("bucket_transitions", step_bucket_transitions),
    ("charge_accrual", step_charge_accrual),
    ("promise_evaluation", step_promise_evaluation),
    ("arrangement_tracking", step_arrangement_tracking),
    ("customer_aggregation", step_customer_aggregation),
    ("case_opening", step_case_opening),
    ("classification", step_classification),
    ("case_segmentation", step_case_segmentation),
    ("strategy_handover", step_strategy_handover),
    ("worklists", step_build_worklists),
)
STEP_NAMES = tuple(name for name, _ in STEPS)


# ------------------------------------------------------------------------- runs and locks


def _start_run(
    uow_factory: Callable[[], SqlUnitOfWork],
    *,
    business_date: dt.date,
    engine: str,
    actor: str,
    resume: str | None,
) -> tuple[str, set[str]]:
    runs, locks, steps = t.cycle_runs, t.cycle_locks, t.cycle_steps
    with uow_factory() as uow:
        conn = uow.session.connection()
        now = uow.now()
        if resume is not None:
            run = conn.execute(select(runs).where(runs.c.run_id == resume)).one_or_none()
            if run is None:
                raise NotFound(f"no cycle run {resume!r}")
            if run.business_date != business_date:
                raise CycleRefused(f"run {resume} is for {run.business_date}, not {business_date}")
            if run.status == "completed":
                raise CycleRefused(f"run {resume} already completed; nothing to resume")
            done = set(conn.execute(select(steps.c.step).where(steps.c.run_id == resume)).scalars())
            holder = conn.execute(
                select(locks.c.run_id).where(locks.c.business_date == business_date)
            ).scalar_one_or_none()
            if holder is None:
                conn.execute(
                    insert(locks).values(
                        business_date=business_date, run_id=resume, acquired_at=now
                    )
                )
            elif holder != resume:
                raise CycleRefused(f"the cycle for {business_date} is held by run {holder}")
            conn.execute(update(runs).where(runs.c.run_id == resume).values(status="running"))
            uow.audit.record(
                actor=actor,
                action="cycle:run:resumed",
                subject_type="cycle_run",
                subject_id=resume,
                after={"business_date": business_date.isoformat(), "done": sorted(done)},
            )
            uow.commit()
            return resume, done
        latest = conn.execute(
            select(func.max(runs.c.business_date)).where(runs.c.status == "completed")
        ).scalar_one_or_none()
        if latest is not None and business_date < latest:
            raise CycleRefused(
                f"cycles run forward: {latest} is already completed, {business_date} is earlier"
            )
        run_id = str(uuid.uuid4())
        conn.execute(
            insert(runs).values(
                run_id=run_id,
                business_date=business_date,
                engine=engine,
                status="running",
                actor=actor,
                started_at=now,
            )
        )
        try:
            with conn.begin_nested():
                conn.execute(
                    insert(locks).values(
                        business_date=business_date, run_id=run_id, acquired_at=now
                    )
                )
        except IntegrityError:
            holder = conn.execute(
                select(locks.c.run_id, locks.c.acquired_at).where(
                    locks.c.business_date == business_date
                )
            ).one()
            raise CycleRefused(
                f"a cycle for {business_date} is already running (run {holder.run_id}, started "
                f"{holder.acquired_at:%Y-%m-%d %H:%M:%S} UTC); if it crashed, resume it with "
                f"--resume {holder.run_id}"
            ) from None
        uow.audit.record(
            actor=actor,
            action="cycle:run:started",
            subject_type="cycle_run",
            subject_id=run_id,
            after={"business_date": business_date.isoformat(), "engine": engine},
        )
        uow.commit()
        return run_id, set()


def _mark_failed(uow_factory: Callable[[], SqlUnitOfWork], *, run_id: str) -> None:
    """Say so; the lock stays with the run, which `--resume` picks up where it stopped."""
    with uow_factory() as uow:
        uow.session.connection().execute(
            update(t.cycle_runs).where(t.cycle_runs.c.run_id == run_id).values(status="failed")
        )
        uow.commit()


def _finish_run(
    uow_factory: Callable[[], SqlUnitOfWork], *, run_id: str, business_date: dt.date, actor: str
) -> None:
    with uow_factory() as uow:
        conn = uow.session.connection()
        conn.execute(
            update(t.cycle_runs)
            .where(t.cycle_runs.c.run_id == run_id)
            .values(status="completed", finished_at=uow.now())
        )
        conn.execute(delete(t.cycle_locks).where(t.cycle_locks.c.business_date == business_date))
        uow.audit.record(
            actor=actor,
            action="cycle:run:completed",
            subject_type="cycle_run",
            subject_id=run_id,
        )
        uow.commit()


def run_cycle(
    uow_factory: Callable[[], SqlUnitOfWork],
    store: Engine,
    *,
    business_date: dt.date,
    engine: str = "duckdb",
    actor: str = "cycle",
    resume: str | None = None,
    config: Path | None = None,
    strategy: Path | None = None,
    after_step: Callable[[str], None] | None = None,
) -> CycleSummary:
    """Run (or resume) the cycle for `business_date`. `after_step` is called after each step
    commits (progress display; tests use it to crash the process between steps)."""
    if engine not in {"duckdb", "spark"}:
        raise InvalidInput(f"unknown engine {engine!r}: use duckdb or spark")
    loaded = load_delinquency_config(config)
    plan = load_strategy(strategy)
    plan.check_buckets(loaded.policy.buckets)
    run_id, done = _start_run(
        uow_factory, business_date=business_date, engine=engine, actor=actor, resume=resume
    )
    book = make_engine(engine)
    results: list[StepResult] = []
    try:
        load_book(store, book)
        book.register_arrow("pauses", pauses_table(loaded.pauses))
        ctx = CycleContext(
            business_date=business_date,
            run_id=run_id,
            book=book,
            policy=loaded.policy,
            strategy=plan,
        )
        ctx.computed[POLICY_KEY] = loaded.charges
        compute_status(ctx)
        for name, step in STEPS:
            if name in done:
                results.append(StepResult(name, 0, skipped=True))
                continue
            with uow_factory() as uow:
                conn = uow.session.connection()
                rows = step(ctx, conn)
                conn.execute(
                    insert(t.cycle_steps).values(
                        run_id=run_id, step=name, rows=rows, finished_at=uow.now()
                    )
                )
                uow.audit.record(
                    actor=actor,
                    action="cycle:step:completed",
                    subject_type="cycle_run",
                    subject_id=run_id,
                    after={"step": name, "rows": rows},
                )
                uow.commit()
            results.append(StepResult(name, rows, skipped=False))
            if after_step is not None:
                after_step(name)
    except Exception as error:
        _mark_failed(uow_factory, run_id=run_id)
        if isinstance(error, Conflict):
            raise CycleRefused(f"run {run_id}: {error.message}") from error
        raise
    finally:
        book.close()
    _finish_run(uow_factory, run_id=run_id, business_date=business_date, actor=actor)
    return CycleSummary(
        run_id=run_id,
        business_date=business_date,
        engine=engine,
        resumed=resume is not None,
        steps=tuple(results),
    )
