"""Arrangement use cases: propose, approve, reject and cancel plans and settlements, and the
nightly step that tracks their instalments.

The rules live in the domain (`arrears.domain.workflow.arrangements`): the stage's
`ArrangementPolicy` bounds every proposal, `approval_for` names the role that must approve it,
`evaluate_arrangement` says whether it is on track, completed or broken. This module stores what
the domain decides, in ONE transaction per use case, with a case event and an audit event, and
moves the case through `arrears.services.cases.move_case` (the one write path for transitions).

Tracking (`step_arrangement_tracking`) runs in the nightly cycle as set-based SQL in the batch
engine: the running-minimum formulation of the promise rule (see `promises.py`) applied to every
active arrangement at once. The domain function stays the reference; a property test checks the
SQL against it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import pyarrow as pa
from sqlalchemy import bindparam, func, insert, select, type_coerce, update
from sqlalchemy.orm import sessionmaker

from arrears.adapters.store import tables as t
from arrears.adapters.store import workflow_tables as w
from arrears.adapters.store.uow import SqlUnitOfWork
from arrears.domain.errors import Conflict, InvalidInput, NotFound
from arrears.domain.money import Money
from arrears.domain.workflow.arrangements import (
    ApprovalDecision,
    Arrangement,
    ArrangementKind,
    ArrangementPolicy,
    Frequency,
    ScheduledInstalment,
    approval_for,
    plan_for_affordable,
    propose_plan,
    propose_settlement,
)
from arrears.domain.workflow.cases import TRANSITIONS, CaseState, Reason
from arrears.domain.workflow.errors import (
    OutsidePolicy,
    ReasonRequired,
    RoleRequired,
    TransitionNotAllowed,
)
from arrears.domain.workflow.vocab import Role
from arrears.services.cases import case_event, load_case, move_case

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Callable, Sequence

    from sqlalchemy import Connection

    from arrears.adapters.engine.base import SqlEngine
    from arrears.domain.workflow.stages import Strategy
    from arrears.services.cycle import CycleContext

MONEY = pa.decimal128(38, 4)
CYCLE_ACTOR = "cycle"
OPEN_STATUSES = ("pending_approval", "active")


# ---------------------------------------------------------------------------- read helpers


def _role(value: Role | str) -> Role:
    try:
        return Role(value)
    except ValueError:
        raise InvalidInput(
            f"unknown role {value!r} (expected one of: {', '.join(r.value for r in Role)})"
        ) from None


def stage_policy(strategy: Strategy, stage_id: str | None) -> ArrangementPolicy:
    """The arrangement limits of the case's stage; a case without a stage has none to use."""
    if stage_id is None:
        raise InvalidInput(
            "the case has no strategy stage yet (the nightly cycle assigns one); "
            "arrangements are bounded by the stage's policy"
        )
    return strategy.stage(stage_id).arrangements


def outstanding_balance(
    conn: Connection, borrower_pk: int, *, as_of: dt.date, currency: str | None = None
) -> Money:
    """What the borrower owes on their loans at the close of `as_of`, in one currency: every
    instalment (due or not) plus charges posted, less payments received."""
    ln, i, c, p = t.loans, t.installments, t.charges, t.payments
    owed: dict[str, Decimal] = {}

    def add(rows: Any, sign: int) -> None:
        for row_currency, amount in rows:
            owed[row_currency] = owed.get(row_currency, Decimal(0)) + sign * (amount or 0)

    add(
        conn.execute(
            select(
                ln.c.currency,
                type_coerce(func.sum(i.c.principal + i.c.interest + i.c.fee), t.Money),
            )
            .join_from(i, ln, ln.c.id == i.c.loan_id)
            .where(ln.c.borrower_id == borrower_pk)
            .group_by(ln.c.currency)
        ),
        1,
    )
    add(
        conn.execute(
            select(ln.c.currency, type_coerce(func.sum(c.c.amount), t.Money))
            .join_from(c, ln, ln.c.id == c.c.loan_id)
            .where(ln.c.borrower_id == borrower_pk, c.c.charged_on <= as_of)
            .group_by(ln.c.currency)
        ),
        1,
    )
    add(
        conn.execute(
            select(ln.c.currency, type_coerce(func.sum(p.c.amount), t.Money))
            .join_from(p, ln, ln.c.id == p.c.loan_id)
            .where(ln.c.borrower_id == borrower_pk, p.c.paid_on <= as_of)
            .group_by(ln.c.currency)
        ),
        -1,
    )
    positive = {k: v for k, v in owed.items() if v > 0}
    if currency is not None:
        if currency not in positive:
            raise InvalidInput(f"the borrower owes nothing in {currency}")
        return Money(positive[currency], currency).rounded()
    if len(positive) != 1:
        owing = ", ".join(sorted(positive)) or "none"
        raise InvalidInput(
            f"the borrower owes in {len(positive)} currencies ({owing}); name one with currency="
        )
    ((code, amount),) = positive.items()
    return Money(amount, code).rounded()


# ------------------------------------------------------------------------------- proposing


@dataclass(frozen=True, slots=True)
class ProposedArrangement:
    arrangement: Arrangement
    status: str  # active (within the proposer's authority) | pending_approval
    approval: ApprovalDecision
    notes: tuple[str, ...] = ()

    @property
    def required_role(self) -> Role:
        return self.approval.required_role


def _agreed_reason(kind: ArrangementKind) -> Reason:
    return Reason.PLAN_AGREED if kind is ArrangementKind.PLAN else Reason.SETTLEMENT_AGREED


def _build(
    *,
    arrangement_id: str,
    case_id: str,
    kind: ArrangementKind,
    balance: Money,
    as_of: dt.date,
    first_due: dt.date,
    instalments: int,
    frequency: Frequency,
    down_payment: Money | None,
    discount_rate: Decimal | None,
    affordable: Money | None,
    policy: ArrangementPolicy,
) -> tuple[Arrangement, tuple[str, ...]]:
    if affordable is not None:
        if kind is not ArrangementKind.PLAN:
            raise InvalidInput("an affordable amount sizes a payment plan, not a settlement")
        hardship = plan_for_affordable(
            arrangement_id=arrangement_id,
            case_id=case_id,
            balance=balance,
            affordable=affordable,
            as_of=as_of,
            first_due=first_due,
            frequency=frequency,
            policy=policy,
        )
        if hardship.arrangement is None or not hardship.affordable:
            raise OutsidePolicy(
                "no plan within this stage's limits is affordable: " + "; ".join(hardship.notes),
                violations=list(hardship.notes),
                hardship_review=True,
            )
        return hardship.arrangement, hardship.notes
    if kind is ArrangementKind.PLAN:
        if discount_rate is not None:
            raise InvalidInput(
                "a payment plan covers the whole balance; a discount is a settlement"
            )
        return (
            propose_plan(
                arrangement_id=arrangement_id,
                case_id=case_id,
                balance=balance,
                as_of=as_of,
                first_due=first_due,
                instalments=instalments,
                frequency=frequency,
                policy=policy,
                down_payment=down_payment,
            ),
            (),
        )
    if down_payment is not None:
        raise InvalidInput("a settlement is paid in equal instalments; no down payment")
    return (
        propose_settlement(
            arrangement_id=arrangement_id,
            case_id=case_id,
            balance=balance,
            as_of=as_of,
            first_due=first_due,
            discount_rate=discount_rate if discount_rate is not None else Decimal(0),
            policy=policy,
            instalments=instalments,
            frequency=frequency,
        ),
        (),
    )


def _open_arrangement(conn: Connection, case_id: str) -> str | None:
    a = w.arrangements
    return conn.execute(
        select(a.c.arrangement_id).where(a.c.case_id == case_id, a.c.status.in_(OPEN_STATUSES))
    ).scalar()


def propose_arrangement(
    uow_factory: Callable[[], SqlUnitOfWork],
    case_id: str,
    *,
    kind: ArrangementKind | str,
    as_of: dt.date,
    first_due: dt.date,
    instalments: int,
    frequency: Frequency | str,
    actor_id: str,
    actor_role: Role | str,
    strategy: Strategy,
    down_payment: Decimal | None = None,
    discount_rate: Decimal | None = None,
    affordable: Decimal | None = None,
    currency: str | None = None,
    arrangement_id: str | None = None,
) -> ProposedArrangement:
    """Compute a plan or settlement within the case's stage policy and store it.

    It is `active` at once (and the case moves to `arrangement`) when the proposer's role covers
    the approval it needs, else `pending_approval` naming the role. Limits broken raise
    `OutsidePolicy` listing each of them; nothing is written then. `affordable` (hardship: the
    debtor is willing but unable) sizes the plan to what they can pay per period.
    """
    try:
        arrangement_kind, period = ArrangementKind(kind), Frequency(frequency)
    except ValueError as error:
        raise InvalidInput(str(error)) from None
    role = _role(actor_role)
    with uow_factory() as uow:
        conn = uow.session.connection()
        now = uow.now()
        current = load_case(conn, case_id, for_update=True)
        case = current.case
        existing = _open_arrangement(conn, case_id)
        if existing is not None:
            raise Conflict(
                f"case {case_id} already has arrangement {existing} open; cancel it first",
                arrangement_id=existing,
            )
        if (case.state, CaseState.ARRANGEMENT) not in TRANSITIONS:
            raise TransitionNotAllowed(
                "an arrangement cannot be agreed in this state",
                case_id=case_id,
                from_state=case.state,
                to_state=CaseState.ARRANGEMENT,
            )
        policy = stage_policy(strategy, case.stage_id)
        balance = outstanding_balance(conn, current.borrower_pk, as_of=as_of, currency=currency)
        money = balance.currency
        arrangement, notes = _build(
            arrangement_id=arrangement_id or f"A-{uuid.uuid4().hex[:16]}",
            case_id=case_id,
            kind=arrangement_kind,
            balance=balance,
            as_of=as_of,
            first_due=first_due,
            instalments=instalments,
            frequency=period,
            down_payment=Money(down_payment, money) if down_payment is not None else None,
            discount_rate=discount_rate,
            affordable=Money(affordable, money) if affordable is not None else None,
            policy=policy,
        )
        approval = approval_for(arrangement, policy, proposer=role)
        status = "active" if approval.proposer_may_approve else "pending_approval"
        _insert(conn, arrangement, status=status, approval=approval, actor_id=actor_id, now=now)
        case_event(
            conn,
            case_id=case_id,
            at=now,
            kind="arrangement_proposed",
            after=status,
            reason=arrangement.arrangement_id,
            note="; ".join((*approval.reasons, *notes)),
            actor_id=actor_id,
            actor_role=role.value,
        )
        uow.audit.record(
            actor=actor_id,
            action="case:arrangement:proposed",
            subject_type="arrangement",
            subject_id=arrangement.arrangement_id,
            after=_summary(arrangement, status=status, required=approval.required_role),
        )
        if status == "active":
            move_case(
                uow,
                case_id,
                CaseState.ARRANGEMENT,
                reason=_agreed_reason(arrangement.kind),
                actor_id=actor_id,
                actor_role=role,
                note=f"arrangement {arrangement.arrangement_id}",
                strategy=strategy,
            )
        uow.commit()
    return ProposedArrangement(arrangement, status, approval, notes)


def _summary(arrangement: Arrangement, *, status: str, required: Role) -> dict[str, Any]:
    return {
        "case_id": arrangement.case_id,
        "kind": arrangement.kind.value,
        "status": status,
        "balance": str(arrangement.balance.amount),
        "total": str(arrangement.total.amount),
        "currency": arrangement.currency,
        "instalments": len(arrangement.instalments),
        "term_days": arrangement.term_days,
        "required_role": required.value,
    }


def _insert(
    conn: Connection,
    arrangement: Arrangement,
    *,
    status: str,
    approval: ApprovalDecision,
    actor_id: str,
    now: dt.datetime,
) -> None:
    active = status == "active"
    conn.execute(
        insert(w.arrangements).values(
            arrangement_id=arrangement.arrangement_id,
            case_id=arrangement.case_id,
            kind=arrangement.kind.value,
            status=status,
            agreed_on=arrangement.agreed_on,
            balance=arrangement.balance.amount,
            total=arrangement.total.amount,
            currency=arrangement.currency,
            frequency=arrangement.frequency.value,
            required_role=None if active else approval.required_role.value,
            proposed_by=actor_id,
            decided_by=actor_id if active else None,
            decided_at=now if active else None,
            created_at=now,
        )
    )
    conn.execute(
        insert(w.arrangement_instalments),
        [
            {
                "arrangement_id": arrangement.arrangement_id,
                "number": item.number,
                "due_on": item.due_on,
                "amount": item.amount.amount,
                "paid": Decimal(0),
                "status": "scheduled",
            }
            for item in arrangement.instalments
        ],
    )


# ----------------------------------------------------------------------------- decisions


def load_arrangement(conn: Connection, arrangement_id: str) -> tuple[Arrangement, dict[str, Any]]:
    """The stored arrangement as the domain object, and its row (status, approval columns)."""
    a, i = w.arrangements, w.arrangement_instalments
    row = conn.execute(select(a).where(a.c.arrangement_id == arrangement_id)).mappings().first()
    if row is None:
        raise NotFound(f"no arrangement {arrangement_id!r}")
    currency = row["currency"]
    items = conn.execute(
        select(i.c.number, i.c.due_on, i.c.amount)
        .where(i.c.arrangement_id == arrangement_id)
        .order_by(i.c.number)
    ).all()
    arrangement = Arrangement(
        arrangement_id=arrangement_id,
        case_id=row["case_id"],
        kind=ArrangementKind(row["kind"]),
        agreed_on=row["agreed_on"],
        balance=Money(row["balance"], currency),
        total=Money(row["total"], currency),
        frequency=Frequency(row["frequency"]),
        instalments=tuple(
            ScheduledInstalment(n, due, Money(amount, currency)) for n, due, amount in items
        ),
    )
    return arrangement, dict(row)


def _decide(
    uow_factory: Callable[[], SqlUnitOfWork],
    arrangement_id: str,
    *,
    approve: bool,
    actor_id: str,
    actor_role: Role | str,
    note: str,
    strategy: Strategy | None,
) -> str:
    role = _role(actor_role)
    with uow_factory() as uow:
        conn = uow.session.connection()
        now = uow.now()
        arrangement, row = load_arrangement(conn, arrangement_id)
        load_case(conn, arrangement.case_id, for_update=True)
        if row["status"] != "pending_approval":
            raise Conflict(f"arrangement {arrangement_id} is {row['status']}, not pending approval")
        required = _role(row["required_role"] or Role.COLLECTOR)
        if not role.covers(required):
            raise RoleRequired(
                f"{'approving' if approve else 'rejecting'} arrangement {arrangement_id}",
                required=required,
                actual=role,
                actor=actor_id,
            )
        if not approve and not note.strip():
            raise ReasonRequired("a rejection says why (note)")
        status = "active" if approve else "rejected"
        result = conn.execute(
            update(w.arrangements)
            .where(
                w.arrangements.c.arrangement_id == arrangement_id,
                w.arrangements.c.status == "pending_approval",
            )
            .values(status=status, decided_by=actor_id, decided_at=now, decision_note=note)
        )
        if result.rowcount != 1:
            raise Conflict(f"arrangement {arrangement_id} was decided meanwhile; reload")
        case_event(
            conn,
            case_id=arrangement.case_id,
            at=now,
            kind="arrangement_approved" if approve else "arrangement_rejected",
            before="pending_approval",
            after=status,
            reason=arrangement_id,
            note=note,
            actor_id=actor_id,
            actor_role=role.value,
        )
        uow.audit.record(
            actor=actor_id,
            action="case:arrangement:approved" if approve else "case:arrangement:rejected",
            subject_type="arrangement",
            subject_id=arrangement_id,
            before={"status": "pending_approval", "required_role": required.value},
            after={"status": status, "note": note, "role": role.value},
        )
        if approve:
            move_case(
                uow,
                arrangement.case_id,
                CaseState.ARRANGEMENT,
                reason=_agreed_reason(arrangement.kind),
                actor_id=actor_id,
                actor_role=role,
                note=f"arrangement {arrangement_id} approved",
                strategy=strategy,
            )
        uow.commit()
    return status


def approve_arrangement(
    uow_factory: Callable[[], SqlUnitOfWork],
    arrangement_id: str,
    *,
    actor_id: str,
    actor_role: Role | str,
    note: str = "",
    strategy: Strategy | None = None,
) -> str:
    """Approve a pending arrangement (the role must cover the one it needs); the case moves to
    `arrangement` with reason plan_agreed / settlement_agreed."""
    return _decide(
        uow_factory,
        arrangement_id,
        approve=True,
        actor_id=actor_id,
        actor_role=actor_role,
        note=note,
        strategy=strategy,
    )


def reject_arrangement(
    uow_factory: Callable[[], SqlUnitOfWork],
    arrangement_id: str,
    *,
    actor_id: str,
    actor_role: Role | str,
    note: str,
) -> str:
    """Reject a pending arrangement, saying why; the case stays where it is."""
    return _decide(
        uow_factory,
        arrangement_id,
        approve=False,
        actor_id=actor_id,
        actor_role=actor_role,
        note=note,
        strategy=None,
    )


def cancel_arrangement(
    uow_factory: Callable[[], SqlUnitOfWork],
    arrangement_id: str,
    *,
    actor_id: str,
    actor_role: Role | str,
    note: str,
    strategy: Strategy | None = None,
) -> str:
    """Cancel a pending or running arrangement (the debtor withdrew, it was entered in error).
    A running one returns the case to `active` with reason arrangement_cancelled."""
    role = _role(actor_role)
    if not note.strip():
        raise ReasonRequired("a cancellation says why (note)")
    with uow_factory() as uow:
        conn = uow.session.connection()
        now = uow.now()
        arrangement, row = load_arrangement(conn, arrangement_id)
        current = load_case(conn, arrangement.case_id, for_update=True)
        before = row["status"]
        if before not in OPEN_STATUSES:
            raise Conflict(f"arrangement {arrangement_id} is {before}; only open ones cancel")
        conn.execute(
            update(w.arrangements)
            .where(w.arrangements.c.arrangement_id == arrangement_id)
            .values(status="cancelled", decided_by=actor_id, decided_at=now, decision_note=note)
        )
        case_event(
            conn,
            case_id=arrangement.case_id,
            at=now,
            kind="arrangement_cancelled",
            before=before,
            after="cancelled",
            reason=arrangement_id,
            note=note,
            actor_id=actor_id,
            actor_role=role.value,
        )
        uow.audit.record(
            actor=actor_id,
            action="case:arrangement:cancelled",
            subject_type="arrangement",
            subject_id=arrangement_id,
            before={"status": before},
            after={"status": "cancelled", "note": note},
        )
        if before == "active" and current.case.state is CaseState.ARRANGEMENT:
            move_case(
                uow,
                arrangement.case_id,
                CaseState.ACTIVE,
                reason=Reason.ARRANGEMENT_CANCELLED,
                actor_id=actor_id,
                actor_role=role,
                note=note,
                strategy=strategy,
            )
        uow.commit()
    return "cancelled"


# ------------------------------------------------------------------------ nightly tracking

LINES_SCHEMA = pa.schema(
    [
        ("arrangement_id", pa.string()),
        ("case_id", pa.string()),
        ("kind", pa.string()),
        ("case_state", pa.string()),
        ("borrower_pk", pa.int64()),
        ("currency", pa.string()),
        ("agreed_on", pa.date32()),
        ("stage_id", pa.string()),
        ("number", pa.int64()),
        ("due_on", pa.date32()),
        ("amount", MONEY),
        ("stored_paid", MONEY),
        ("stored_status", pa.string()),
    ]
)
POLICIES_SCHEMA = pa.schema(
    [("stage_id", pa.string()), ("grace_days", pa.int64()), ("missed_to_break", pa.int64())]
)


def tracking_sql(as_of: dt.date, *, default: ArrangementPolicy) -> str:
    """Every active arrangement's instalments at the close of `as_of` (DuckDB dialect).

    Reads `arrangement_lines` (LINES_SCHEMA), `arrangement_policies` (POLICIES_SCHEMA), and the
    book's `payments` and `loans`. The promise rule, for one set per arrangement: S_i = payments
    from `agreed_on` to min(as_of, deadline_i); P_i = running sum of instalments; credited
    cumulatively C_i = P_i + min(0, running min of S_k - P_k). An instalment is paid when fully
    credited, scheduled until its deadline, then partly_paid or missed; `missed_to_break` of
    those break the arrangement (on the deadline of the one that broke it); all paid completes.
    """
    day = f"DATE '{as_of.isoformat()}'"
    return f"""
    WITH lines AS (
        SELECT x.*,
               x.due_on + CAST(COALESCE(p.grace_days, {default.grace_days}) AS INTEGER)
                   AS deadline,
               COALESCE(p.missed_to_break, {default.missed_to_break}) AS missed_to_break
        FROM arrangement_lines x
        LEFT JOIN arrangement_policies p ON p.stage_id = x.stage_id
        WHERE x.agreed_on <= {day}
    ),
    paid AS (
        SELECT s.arrangement_id, s.number, COALESCE(SUM(py.amount), 0) AS s_paid
        FROM lines s
        LEFT JOIN (
            SELECT l.borrower_pk, l.currency, p.paid_on, p.amount
            FROM payments p JOIN loans l ON l.loan_id = p.loan_id
        ) py
          ON py.borrower_pk = s.borrower_pk AND py.currency = s.currency
         AND py.paid_on >= s.agreed_on AND py.paid_on <= LEAST(s.deadline, {day})
        GROUP BY s.arrangement_id, s.number
    ),
    running AS (
        SELECT s.*, CAST(d.s_paid AS DECIMAL(38, 4)) AS s_paid,
               CAST(SUM(s.amount) OVER (PARTITION BY s.arrangement_id ORDER BY s.number
                   ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS DECIMAL(38, 4)) AS p_cum
        FROM lines s JOIN paid d ON d.arrangement_id = s.arrangement_id AND d.number = s.number
    ),
    cumulative AS (
        SELECT r.*,
               r.p_cum + LEAST(CAST(0 AS DECIMAL(38, 4)), MIN(r.s_paid - r.p_cum) OVER (
                   PARTITION BY r.arrangement_id ORDER BY r.number
                   ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)) AS c_cum
        FROM running r
    ),
    credited AS (
        SELECT c.*,
               CAST(c.c_cum - COALESCE(LAG(c.c_cum) OVER (
                   PARTITION BY c.arrangement_id ORDER BY c.number), 0) AS DECIMAL(38, 4))
                   AS credited
        FROM cumulative c
    ),
    judged AS (
        SELECT c.*,
               CASE WHEN c.credited = c.amount THEN 'paid'
                    WHEN {day} < c.deadline THEN 'scheduled'
                    WHEN c.credited > 0 THEN 'partly_paid'
                    ELSE 'missed' END AS status,
               CASE WHEN c.credited <> c.amount AND {day} >= c.deadline THEN 1 ELSE 0 END
                   AS is_missed
        FROM credited c
    ),
    counted AS (
        SELECT j.*,
               SUM(j.is_missed) OVER (PARTITION BY j.arrangement_id ORDER BY j.number
                   ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS missed_so_far,
               SUM(j.is_missed) OVER (PARTITION BY j.arrangement_id) AS missed_total,
               MIN(CASE WHEN j.status = 'paid' THEN 1 ELSE 0 END) OVER (
                   PARTITION BY j.arrangement_id) AS all_paid
        FROM judged j
    ),
    verdicts AS (
        SELECT arrangement_id,
               MIN(CASE WHEN is_missed = 1 AND missed_so_far = missed_to_break
                        THEN deadline END) AS broken_on,
               MAX(CASE WHEN missed_total >= missed_to_break THEN 1 ELSE 0 END) AS broken,
               MIN(all_paid) AS completed
        FROM counted
        GROUP BY arrangement_id
    )
    SELECT c.arrangement_id, c.case_id, c.kind, c.case_state, c.number, c.due_on, c.deadline,
           c.amount, c.credited, c.status, c.stored_paid, c.stored_status,
           CASE WHEN v.broken = 1 THEN 'broken'
                WHEN v.completed = 1 THEN 'completed'
                ELSE 'active' END AS arrangement_status,
           v.broken_on
    FROM counted c JOIN verdicts v ON v.arrangement_id = c.arrangement_id
    ORDER BY c.arrangement_id, c.number
    """


def policies_table(strategy: Strategy) -> pa.Table:
    """Grace days and missed-to-break per stage: a handful of rows from the strategy."""
    stages = strategy.stages
    return pa.table(
        {
            "stage_id": [s.stage_id for s in stages],
            "grace_days": [s.arrangements.grace_days for s in stages],
            "missed_to_break": [s.arrangements.missed_to_break for s in stages],
        },
        schema=POLICIES_SCHEMA,
    )


def _active_lines(conn: Connection) -> pa.Table:
    a, i, c = w.arrangements, w.arrangement_instalments, w.cases
    query = (
        select(
            a.c.arrangement_id,
            a.c.case_id,
            a.c.kind,
            c.c.state,
            c.c.borrower_id,
            a.c.currency,
            a.c.agreed_on,
            c.c.stage_id,
            i.c.number,
            i.c.due_on,
            i.c.amount,
            i.c.paid,
            i.c.status,
        )
        .join_from(i, a, a.c.arrangement_id == i.c.arrangement_id)
        .join(c, c.c.case_id == a.c.case_id)
        .where(a.c.status == "active")
        .order_by(a.c.arrangement_id, i.c.number)
    )
    rows = conn.execute(query).all()
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in LINES_SCHEMA]
    return pa.table(
        [pa.array(col, type=f.type) for col, f in zip(columns, LINES_SCHEMA, strict=True)],
        schema=LINES_SCHEMA,
    )


def track_arrangements(
    book: SqlEngine,
    lines: pa.Table,
    *,
    as_of: dt.date,
    policies: pa.Table,
    default: ArrangementPolicy | None = None,
) -> pa.Table:
    """Run the tracking SQL in the batch engine over `lines` (the book's `payments` and `loans`
    must be loaded); `policies` gives grace days and missed-to-break per stage, `default` the
    values for a case without a known stage. One row per instalment with its new status and its
    arrangement's."""
    book.register_arrow("arrangement_lines", lines)
    book.register_arrow("arrangement_policies", policies)
    return book.query_arrow(tracking_sql(as_of, default=default or ArrangementPolicy()))


@dataclass(frozen=True, slots=True)
class _Outcome:
    arrangement_id: str
    case_id: str
    kind: str
    case_state: str
    status: str
    broken_on: dt.date | None


def _closing_move(outcome: _Outcome) -> tuple[CaseState, Reason]:
    if outcome.status == "broken":
        return CaseState.ACTIVE, Reason.ARRANGEMENT_BROKEN
    if outcome.kind == ArrangementKind.SETTLEMENT.value:
        return CaseState.CLOSED, Reason.SETTLED
    return CaseState.CLOSED, Reason.PAID


def step_arrangement_tracking(ctx: CycleContext, conn: Connection) -> int:
    """Nightly: credit payments to active arrangements' instalments and settle their fate.

    Set-based: one query in the batch engine computes every instalment of every active
    arrangement; the database is updated with two executemany statements for the rows whose
    values changed. Arrangements that completed or broke tonight (a few per night, not one per
    account) then move their case through `move_case`, one by one, because each move must pass
    the domain's transition rules and write its own case event and audit row. A rerun of the
    same day finds nothing changed and writes nothing. Returns the number of rows changed.
    """
    result = track_arrangements(
        ctx.book,
        _active_lines(conn),
        as_of=ctx.business_date,
        policies=policies_table(ctx.strategy),
    )
    data = result.to_pydict()
    changed_lines = [
        {
            "a_id": arrangement_id,
            "a_number": number,
            "new_paid": credited,
            "new_status": status,
        }
        for arrangement_id, number, credited, status, stored_paid, stored_status in zip(
            data["arrangement_id"],
            data["number"],
            data["credited"],
            data["status"],
            data["stored_paid"],
            data["stored_status"],
            strict=True,
        )
        if credited != stored_paid or status != stored_status
    ]
    outcomes = {
        arrangement_id: _Outcome(arrangement_id, case_id, kind, case_state, status, broken_on)
        for arrangement_id, case_id, kind, case_state, status, broken_on in zip(
            data["arrangement_id"],
            data["case_id"],
            data["kind"],
            data["case_state"],
            data["arrangement_status"],
            data["broken_on"],
            strict=True,
        )
        if status != "active"
    }
    i, a = w.arrangement_instalments, w.arrangements
    if changed_lines:
        conn.execute(
            update(i)
            .where(i.c.arrangement_id == bindparam("a_id"), i.c.number == bindparam("a_number"))
            .values(paid=bindparam("new_paid", type_=t.Money), status=bindparam("new_status")),
            changed_lines,
        )
    if outcomes:
        conn.execute(
            update(a)
            .where(a.c.arrangement_id == bindparam("a_id"), a.c.status == "active")
            .values(status=bindparam("new_status"), broken_on=bindparam("new_broken_on")),
            [
                {"a_id": o.arrangement_id, "new_status": o.status, "new_broken_on": o.broken_on}
                for o in outcomes.values()
            ],
        )
        _apply_outcomes(conn, sorted(outcomes.values(), key=lambda o: o.arrangement_id), ctx)
    return len(changed_lines) + len(outcomes)


def _apply_outcomes(conn: Connection, outcomes: Sequence[_Outcome], ctx: CycleContext) -> None:
    """The case moves for tonight's completed and broken arrangements, in the step's own
    transaction (a unit of work over the step's connection, joined through a savepoint)."""
    sessions = sessionmaker(bind=conn, join_transaction_mode="create_savepoint")
    with SqlUnitOfWork(sessions) as uow:
        for outcome in outcomes:
            target, reason = _closing_move(outcome)
            note = f"arrangement {outcome.arrangement_id} {outcome.status} on {ctx.business_date}"
            case_event(
                uow.session.connection(),
                case_id=outcome.case_id,
                at=uow.now(),
                kind=f"arrangement_{outcome.status}",
                before="active",
                after=outcome.status,
                reason=outcome.arrangement_id,
                note=note,
                actor_id=CYCLE_ACTOR,
                actor_role=Role.COLLECTOR.value,
            )
            uow.audit.record(
                actor=CYCLE_ACTOR,
                action=f"case:arrangement:{outcome.status}",
                subject_type="arrangement",
                subject_id=outcome.arrangement_id,
                before={"status": "active"},
                after={
                    "status": outcome.status,
                    "broken_on": outcome.broken_on.isoformat() if outcome.broken_on else None,
                    "business_date": ctx.business_date.isoformat(),
                    "run_id": ctx.run_id,
                },
            )
            state = CaseState(outcome.case_state)
            rule = TRANSITIONS.get((state, target))
            if rule is None or reason not in rule.reasons:
                continue  # e.g. the case was put on hold meanwhile: the event says what happened
            move_case(
                uow,
                outcome.case_id,
                target,
                reason=reason,
                actor_id=CYCLE_ACTOR,
                actor_role=Role.COLLECTOR,
                note=note,
                strategy=ctx.strategy,
            )
        uow.commit()


__all__ = [
    "LINES_SCHEMA",
    "POLICIES_SCHEMA",
    "ProposedArrangement",
    "approve_arrangement",
    "cancel_arrangement",
    "load_arrangement",
    "outstanding_balance",
    "policies_table",
    "propose_arrangement",
    "reject_arrangement",
    "stage_policy",
    "step_arrangement_tracking",
    "track_arrangements",
    "tracking_sql",
]
