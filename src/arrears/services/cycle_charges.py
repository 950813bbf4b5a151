"""The nightly cycle's fee / penalty accrual step: late fees and penalty interest, set-based.

The rules come from the delinquency config's `charges` section (docs/cycle.md). The step assesses
the charges whose posting date falls in the days this cycle covers - after the previous completed
cycle's business date, up to and including this one (only the business date itself for the first
cycle) - in the engine (`arrears.adapters.engine.charges`), and bulk-inserts those not already
posted for (loan, rule, period key). Together with the per-step transaction and the database's
unique (loan, rule, period key), a rerun or a resume never charges twice.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from arrears.adapters.engine.charges import ChargeWindow, accrue_charges
from arrears.adapters.store import tables as t
from arrears.adapters.store.bulk import bulk_insert
from arrears.adapters.store.uow import utc_now
from arrears.domain.charges import ChargePolicy

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from arrears.services.cycle import CycleContext

log = logging.getLogger(__name__)
POLICY_KEY = "charge_policy"  # CycleContext.computed[POLICY_KEY]: the run's ChargePolicy
NOTE_KEY = "charge_accrual"  # what the step did, for the summary and the tests
COLUMNS = (
    "loan_id",
    "installment_no",
    "rule_id",
    "period_key",
    "charged_on",
    "amount",
    "currency",
    "created_at",
)


def charge_window(conn: Connection, business_date: dt.date) -> ChargeWindow:
    """(previous completed cycle's business date, business date]; only the business date when
    no earlier cycle completed."""
    runs = t.cycle_runs
    previous = conn.execute(
        select(func.max(runs.c.business_date)).where(
            runs.c.status == "completed", runs.c.business_date < business_date
        )
    ).scalar_one_or_none()
    since = previous if previous is not None else business_date - dt.timedelta(days=1)
    return ChargeWindow(since=since, until=business_date)


def step_charge_accrual(ctx: CycleContext, conn: Connection) -> int:
    """Post the late fees and penalty interest due in this cycle's days; returns how many."""
    policy: Any = ctx.computed.get(POLICY_KEY)
    if not isinstance(policy, ChargePolicy) or not (policy.late_fees or policy.penalty_interest):
        ctx.computed[NOTE_KEY] = "no charge rules configured: nothing charged"
        log.info("cycle %s: no charge rules configured, nothing charged", ctx.run_id)
        return 0
    window = charge_window(conn, ctx.business_date)
    name = accrue_charges(ctx.book, ctx.policy, policy, window)
    new = ctx.book.query_arrow(
        "SELECT l.loan_pk, n.installment_no, n.rule_id, n.period_key, n.charged_on, n.amount, "
        f"l.currency FROM {name} n JOIN loans l ON l.loan_id = n.loan_id "
        "ORDER BY l.loan_pk, n.rule_id, n.period_key"
    )
    now = utc_now()
    rows = zip(*(column.to_pylist() for column in new.columns), strict=True)
    written = bulk_insert(conn, t.charges, COLUMNS, ((*row, now) for row in rows))
    ctx.computed[NOTE_KEY] = f"{written} charges for {window.since} < date <= {window.until}"
    return written
