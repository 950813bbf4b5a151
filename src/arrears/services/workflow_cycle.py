"""The workflow's nightly steps: promise evaluation, case segmentation, strategy hand-over.

Each is a cycle step (`step(ctx, conn) -> rows`, one transaction, see `services.cycle`): it reads
what it needs from the system of record as Arrow (typed Core selects, streamed), computes in the
batch engine with the SQL of `adapters.workflow_sql` (one statement for the whole book, no
per-case Python loop), and writes back in bulk only what changed, so a rerun of a finished day
changes nothing.

- `promise_evaluation`: every promise of a case that still has a pending one gets the status
  and credit the domain rule gives at the close of the business date; newly broken (and, by
  policy, partly kept) promises set the case's follow-up day: the first working day after the
  deadline.
- `case_segmentation`: each borrower's position (worst DPD, bucket, days to the next unpaid due
  date) picks the strategy's stage, the debtor type picks the segment, a SHA-256 point picks the
  champion or a challenger arm; borrowers entering a stage get a case (deterministic id), cases
  whose borrower is current again close as cured (or paid, for a pre-due case), and the day's
  assignment of every open case is stored for reporting by arm.
- `strategy_handover`: the treatment steps due today become planned attempts (the contact plan's
  first fitting number or address) for cases whose automated contact may run: working states
  only, no open supervisor referral, no hold, no pending promise.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import pyarrow as pa
from sqlalchemy import and_, bindparam, delete, func, select, update

from arrears.adapters.engine.extract import read_arrow
from arrears.adapters.store import tables as t
from arrears.adapters.store import workflow_tables as w
from arrears.adapters.store.bulk import bulk_insert
from arrears.adapters.workflow_sql import (
    case_position_sql,
    due_steps_sql,
    promise_evaluation_sql,
    segmentation_sql,
    strategy_tables,
)
from arrears.domain.workflow.cases import CaseState
from arrears.domain.workflow.promises import PromiseStatus
from arrears.domain.workflow.stages import StageKind
from arrears.domain.workflow.vocab import ContactPurpose, TargetKind
from arrears.domain.workflow.workdays import WorkingCalendar, next_working_day

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from sqlalchemy import Connection

    from arrears.services.cycle import CycleContext

MONEY = pa.decimal128(38, 4)
ACTOR = "cycle"
# cases the cycle closes by itself when the borrower is current again; later states (legal,
# agency, hold, write-off) and running arrangements are closed by people or their own step
AUTO_CLOSABLE = (CaseState.ACTIVE, CaseState.LETTER, CaseState.FORMAL_DEMAND)
# states in which the strategy's treatment runs automated contact
TREATED = (CaseState.ACTIVE, CaseState.LETTER, CaseState.FORMAL_DEMAND)


def _dialect(ctx: CycleContext) -> str:
    return "spark" if type(ctx.book).__name__ == "SparkEngine" else "duckdb"


def _event_rows(
    events: Iterable[tuple[str, str, str | None, str | None, str | None, str]], at: dt.datetime
) -> Iterable[tuple[Any, ...]]:
    for case_id, kind, before, after, reason, note in events:
        yield (case_id, at, kind, before, after, reason, note, ACTOR, "system")


EVENT_COLUMNS = (
    "case_id",
    "at",
    "kind",
    "before",
    "after",
    "reason",
    "note",
    "actor_id",
    "actor_role",
)


def _instant(ctx: CycleContext) -> dt.datetime:
    """Cycle writes are stamped at the end of the business date (UTC), not the wall clock, so
    that a rerun writes identical rows."""
    return dt.datetime.combine(ctx.business_date, dt.time(23, 59, 59), tzinfo=dt.UTC)


# ------------------------------------------------------------------------------ promises


def step_promise_evaluation(ctx: CycleContext, conn: Connection) -> int:
    day = ctx.business_date
    p, c, ln, pay = w.promises, w.cases, t.loans, t.payments
    in_scope = (
        select(p.c.case_id).where(p.c.status == PromiseStatus.PENDING.value).distinct()
    ).subquery()
    promises = read_arrow(
        conn,
        select(
            p.c.promise_id,
            p.c.case_id,
            p.c.set_id,
            p.c.made_on,
            p.c.due_on,
            p.c.deadline,
            p.c.amount,
            p.c.currency,
            p.c.status,
            p.c.credited,
        ).where(p.c.case_id.in_(select(in_scope.c.case_id))),
        pa.schema(
            [
                ("promise_id", pa.string()),
                ("case_id", pa.string()),
                ("set_id", pa.string()),
                ("made_on", pa.date32()),
                ("due_on", pa.date32()),
                ("deadline", pa.date32()),
                ("amount", MONEY),
                ("currency", pa.string()),
                ("stored_status", pa.string()),
                ("stored_credited", MONEY),
            ]
        ),
    )
    if promises.num_rows == 0:
        return 0
    first_made = (
        select(p.c.case_id, func.min(p.c.made_on).label("since"))
        .where(p.c.case_id.in_(select(in_scope.c.case_id)))
        .group_by(p.c.case_id)
        .subquery()
    )
    payments = read_arrow(
        conn,
        select(c.c.case_id, pay.c.paid_on, pay.c.amount, pay.c.currency)
        .join_from(pay, ln, ln.c.id == pay.c.loan_id)
        .join(c, c.c.borrower_id == ln.c.borrower_id)
        .join(first_made, first_made.c.case_id == c.c.case_id)
        .where(pay.c.paid_on >= first_made.c.since, pay.c.paid_on <= day),
        pa.schema(
            [
                ("case_id", pa.string()),
                ("paid_on", pa.date32()),
                ("amount", MONEY),
                ("currency", pa.string()),
            ]
        ),
    )
    ctx.book.register_arrow("wf_promises", promises)
    ctx.book.register_arrow("wf_case_payments", payments)
    sql = promise_evaluation_sql(day, promises="wf_promises", payments="wf_case_payments")
    changed = ctx.book.query_arrow(
        f"SELECT r.promise_id, r.case_id, r.status, r.credited, r.deadline "
        f"FROM ({sql}) r JOIN wf_promises s ON s.promise_id = r.promise_id "
        f"WHERE r.status <> s.stored_status OR r.credited <> s.stored_credited "
        f"ORDER BY r.promise_id"
    ).to_pylist()
    if not changed:
        return 0
    conn.execute(
        update(p)
        .where(p.c.promise_id == bindparam("b_id"))
        .values(
            status=bindparam("b_status"),
            credited=bindparam("b_credited"),
            evaluated_on=day,
            follow_up_on=bindparam("b_follow"),
        ),
        [
            {
                "b_id": r["promise_id"],
                "b_status": r["status"],
                "b_credited": r["credited"],
                "b_follow": _follow_up(ctx, r["status"], r["deadline"]),
            }
            for r in changed
        ],
    )
    follow: dict[str, dt.date] = {}
    events = []
    for r in changed:
        due = _follow_up(ctx, r["status"], r["deadline"])
        if due is not None:
            follow[r["case_id"]] = min(due, follow.get(r["case_id"], due))
        events.append(
            (r["case_id"], f"promise_{r['status']}", None, r["status"], r["promise_id"], "")
        )
    if follow:
        conn.execute(
            update(c)
            .where(c.c.case_id == bindparam("b_id"))
            .values(follow_up_on=bindparam("b_on")),
            [{"b_id": case_id, "b_on": on} for case_id, on in sorted(follow.items())],
        )
    bulk_insert(conn, w.case_events, EVENT_COLUMNS, _event_rows(events, _instant(ctx)))
    return len(changed)


def _follow_up(ctx: CycleContext, status: str, deadline: dt.date) -> dt.date | None:
    policy = ctx.strategy.promises
    if status == PromiseStatus.BROKEN.value or (
        status == PromiseStatus.PARTIALLY_KEPT.value and policy.follow_up_partial
    ):
        return next_working_day(deadline, WorkingCalendar())
    return None


# ---------------------------------------------------------------------------- segmentation


def _open_cases(conn: Connection) -> pa.Table:
    c = w.cases
    return read_arrow(
        conn,
        select(
            c.c.case_id,
            c.c.borrower_id,
            c.c.state,
            c.c.stage_id,
            c.c.stage_entered_on,
            c.c.segment_id,
            c.c.arm,
            c.c.treatment_id,
            c.c.debtor_type,
        ).where(c.c.open_borrower_id.is_not(None)),
        pa.schema(
            [
                ("case_id", pa.string()),
                ("borrower_pk", pa.int64()),
                ("state", pa.string()),
                ("stage_id", pa.string()),
                ("stage_entered_on", pa.date32()),
                ("segment_id", pa.string()),
                ("arm", pa.string()),
                ("treatment_id", pa.string()),
                ("debtor_type", pa.string()),
            ]
        ),
    )


def _segment(ctx: CycleContext, conn: Connection) -> None:
    """(Re)compute `wf_positions` and `wf_segmented` from the store's current open cases."""
    day, book, strategy = ctx.business_date, ctx.book, ctx.strategy
    for name, table in strategy_tables(strategy).items():
        book.register_arrow(name, table)
    book.register_arrow("wf_open_cases", _open_cases(conn))
    book.create_table("wf_positions", case_position_sql(day))
    book.create_table(
        "wf_segmented",
        segmentation_sql(
            day,
            strategy_version=strategy.version,
            positions="wf_positions",
            cases="wf_open_cases",
            dialect=_dialect(ctx),
        ),
    )


def step_case_opening(ctx: CycleContext, conn: Connection) -> int:
    """Open a case for each borrower entering a stage; close working cases whose borrower is
    current again. Runs before classification, so that new cases are classified the same night
    and placed in their segment by `case_segmentation`."""
    day, book = ctx.business_date, ctx.book
    _segment(ctx, conn)
    at = _instant(ctx)
    events: list[tuple[str, str, str | None, str | None, str | None, str]] = []

    # 1. borrowers entering a stage without an open case: open one
    new = book.query_arrow(
        "SELECT case_id, borrower_pk, stage_id, stage_entered_on, segment_id, arm, treatment_id "
        "FROM wf_segmented WHERE is_new ORDER BY case_id"
    ).to_pylist()
    bulk_insert(
        conn,
        w.cases,
        (
            "case_id",
            "borrower_id",
            "open_borrower_id",
            "state",
            "opened_on",
            "stage_id",
            "stage_entered_on",
            "segment_id",
            "arm",
            "treatment_id",
            "debtor_type",
            "version",
            "created_at",
            "updated_at",
        ),
        (
            (
                r["case_id"],
                r["borrower_pk"],
                r["borrower_pk"],
                CaseState.ACTIVE.value,
                day,
                r["stage_id"],
                r["stage_entered_on"],
                r["segment_id"],
                r["arm"],
                r["treatment_id"],
                "cooperative",
                1,
                at,
                at,
            )
            for r in new
        ),
    )
    events.extend((r["case_id"], "opened", None, r["stage_id"], "entered_stage", "") for r in new)

    # 3. open cases whose borrower is in no stage any more: close the working ones
    closing = book.query_arrow(
        "SELECT c.case_id, c.state, "
        "(SELECT MIN(s.kind) FROM wf_stages s WHERE s.stage_id = c.stage_id) AS stage_kind "
        "FROM wf_open_cases c WHERE c.case_id NOT IN (SELECT case_id FROM wf_segmented) "
        "AND c.state IN (" + ", ".join(f"'{s.value}'" for s in AUTO_CLOSABLE) + ") "
        "ORDER BY c.case_id"
    ).to_pylist()
    if closing:
        c = w.cases
        conn.execute(
            update(c)
            .where(c.c.case_id == bindparam("b_id"), c.c.open_borrower_id.is_not(None))
            .values(
                state=CaseState.CLOSED.value,
                closure=bindparam("b_reason"),
                closed_on=day,
                open_borrower_id=None,
                version=c.c.version + 1,
                updated_at=at,
            ),
            [{"b_id": r["case_id"], "b_reason": _closure(r["stage_kind"])} for r in closing],
        )
        events.extend(
            (
                r["case_id"],
                "transition",
                r["state"],
                CaseState.CLOSED.value,
                _closure(r["stage_kind"]),
                "no stage applies: the borrower is current",
            )
            for r in closing
        )

    bulk_insert(conn, w.case_events, EVENT_COLUMNS, _event_rows(events, at))
    return len(new) + len(closing)


def step_case_segmentation(ctx: CycleContext, conn: Connection) -> int:
    """Place every open case (classified tonight) in its stage, segment and arm, and store the
    day's assignment; a stage or treatment change restarts the treatment's clock."""
    day, book, strategy = ctx.business_date, ctx.book, ctx.strategy
    _segment(ctx, conn)
    at = _instant(ctx)
    events: list[tuple[str, str, str | None, str | None, str | None, str]] = []

    # 2. open cases whose stage, segment or arm changed
    moved = book.query_arrow(
        "SELECT s.case_id, s.stage_id, s.stage_entered_on, s.segment_id, s.arm, s.treatment_id, "
        "s.previous_stage FROM wf_segmented s JOIN wf_open_cases c ON c.case_id = s.case_id "
        "WHERE c.stage_id IS DISTINCT FROM s.stage_id OR c.segment_id IS DISTINCT FROM "
        "s.segment_id OR c.arm IS DISTINCT FROM s.arm OR c.treatment_id IS DISTINCT FROM "
        "s.treatment_id ORDER BY s.case_id"
    ).to_pylist()
    if moved:
        c = w.cases
        conn.execute(
            update(c)
            .where(c.c.case_id == bindparam("b_id"))
            .values(
                stage_id=bindparam("b_stage"),
                stage_entered_on=bindparam("b_entered"),
                segment_id=bindparam("b_segment"),
                arm=bindparam("b_arm"),
                treatment_id=bindparam("b_treatment"),
                version=c.c.version + 1,
                updated_at=at,
            ),
            [
                {
                    "b_id": r["case_id"],
                    "b_stage": r["stage_id"],
                    "b_entered": r["stage_entered_on"],
                    "b_segment": r["segment_id"],
                    "b_arm": r["arm"],
                    "b_treatment": r["treatment_id"],
                }
                for r in moved
            ],
        )
        events.extend(
            (r["case_id"], "stage", r["previous_stage"], r["stage_id"], "position", "")
            for r in moved
            if r["previous_stage"] != r["stage_id"]
        )

    # 4. today's assignment of every open case in a stage (replaces the day's partition)
    a = w.case_assignments
    conn.execute(delete(a).where(a.c.business_date == day))
    assigned = book.query_arrow(
        f"SELECT case_id, stage_id, segment_id, arm, treatment_id, point, dpd, days_before_due, "
        f"CASE WHEN stage_kind = '{StageKind.PRE_DUE.value}' THEN -days_before_due "
        f"ELSE CAST(date_diff('day', stage_entered_on, DATE '{day.isoformat()}') AS BIGINT) END "
        f"AS treatment_day, COALESCE(overdue_total, 0) AS overdue_total, currency "
        f"FROM wf_segmented ORDER BY case_id"
    )
    rows = bulk_insert(
        conn,
        a,
        (
            "business_date",
            "case_id",
            "strategy_version",
            "stage_id",
            "segment_id",
            "arm",
            "treatment_id",
            "point",
            "dpd",
            "days_before_due",
            "treatment_day",
            "overdue_total",
            "currency",
        ),
        (
            (day, r[0], strategy.version, *r[1:])
            for r in zip(*(col.to_pylist() for col in assigned.columns), strict=True)
        ),
    )
    bulk_insert(conn, w.case_events, EVENT_COLUMNS, _event_rows(events, at))
    return rows + len(moved)


def _closure(stage_kind: str | None) -> str:
    return "paid" if stage_kind == StageKind.PRE_DUE.value else "cured"


# ------------------------------------------------------------------------------ hand-over


def _contact_points(ctx: CycleContext, conn: Connection, order: Sequence[TargetKind]) -> str:
    """Register the contact plan, flattened, as `wf_contacts`: one row per (borrower, target,
    channel kind, rank, person, address, purpose); built in SQL from the contact tables."""
    ph, em, ad, rp, c, b = (
        t.borrower_phones,
        t.borrower_emails,
        t.borrower_addresses,
        t.related_parties,
        w.cases,
        t.borrowers,
    )
    open_borrowers = select(c.c.borrower_id).where(c.c.open_borrower_id.is_not(None))
    book = ctx.book
    book.register_arrow(
        "wf_phones",
        read_arrow(
            conn,
            select(ph.c.borrower_id, ph.c.kind, ph.c.e164, ph.c.id, b.c.external_id)
            .join(b, b.c.id == ph.c.borrower_id)
            .where(ph.c.borrower_id.in_(open_borrowers)),
            pa.schema(
                [
                    ("borrower_pk", pa.int64()),
                    ("kind", pa.string()),
                    ("number", pa.string()),
                    ("pk", pa.int64()),
                    ("person_id", pa.string()),
                ]
            ),
        ),
    )
    book.register_arrow(
        "wf_emails",
        read_arrow(
            conn,
            select(em.c.borrower_id, em.c.email, em.c.id, b.c.external_id)
            .join(b, b.c.id == em.c.borrower_id)
            .where(em.c.borrower_id.in_(open_borrowers)),
            pa.schema(
                [
                    ("borrower_pk", pa.int64()),
                    ("email", pa.string()),
                    ("pk", pa.int64()),
                    ("person_id", pa.string()),
                ]
            ),
        ),
    )
    book.register_arrow(
        "wf_addresses",
        read_arrow(
            conn,
            select(
                ad.c.borrower_id,
                (ad.c.line + ", " + ad.c.postal_code + " " + ad.c.city + ", " + ad.c.country).label(
                    "postal"
                ),
                ad.c.id,
                b.c.external_id,
            )
            .join(b, b.c.id == ad.c.borrower_id)
            .where(ad.c.borrower_id.in_(open_borrowers)),
            pa.schema(
                [
                    ("borrower_pk", pa.int64()),
                    ("postal", pa.string()),
                    ("pk", pa.int64()),
                    ("person_id", pa.string()),
                ]
            ),
        ),
    )
    book.register_arrow(
        "wf_parties",
        read_arrow(
            conn,
            select(
                rp.c.borrower_id,
                rp.c.role,
                rp.c.phone_e164,
                rp.c.guarantee_enforceable,
                rp.c.id,
                rp.c.external_id,
            ).where(rp.c.borrower_id.in_(open_borrowers), rp.c.phone_e164.is_not(None)),
            pa.schema(
                [
                    ("borrower_pk", pa.int64()),
                    ("role", pa.string()),
                    ("number", pa.string()),
                    ("enforceable", pa.bool_()),
                    ("pk", pa.int64()),
                    ("person_id", pa.string()),
                ]
            ),
        ),
    )
    rank = " ".join(f"WHEN '{kind.value}' THEN {n}" for n, kind in enumerate(order))
    debt, location, guarantee = (
        ContactPurpose.DEBT.value,
        ContactPurpose.LOCATION_ONLY.value,
        ContactPurpose.GUARANTEE.value,
    )
    book.create_table(
        "wf_contacts",
        f"""
SELECT borrower_pk, 'borrower' AS target, 'phone' AS channel_kind,
       (CASE kind {rank} ELSE 99 END) * 1000000000 + pk AS rank, person_id,
       number AS address, '{debt}' AS purpose
FROM wf_phones
UNION ALL
SELECT borrower_pk, 'borrower', 'mobile', pk, person_id, number, '{debt}'
FROM wf_phones WHERE kind = '{TargetKind.MOBILE.value}'
UNION ALL
SELECT borrower_pk, 'borrower', 'email', pk, person_id, email, '{debt}' FROM wf_emails
UNION ALL
SELECT borrower_pk, 'borrower', 'postal', pk, person_id, postal, '{debt}' FROM wf_addresses
UNION ALL
SELECT borrower_pk, 'reference', 'phone', pk, person_id, number, '{location}'
FROM wf_parties WHERE role = 'reference'
UNION ALL
SELECT borrower_pk, 'guarantor', 'phone', pk, person_id, number, '{guarantee}'
FROM wf_parties WHERE role = 'guarantor' AND enforceable
""",
    )
    return "wf_contacts"


def _workable(conn: Connection, day: dt.date) -> pa.Table:
    """Open cases whose automated contact may run today."""
    c, p = w.cases, w.promises
    pending = select(p.c.case_id).where(p.c.status == PromiseStatus.PENDING.value)
    query = select(c.c.case_id, c.c.borrower_id, c.c.referral).where(
        c.c.open_borrower_id.is_not(None),
        c.c.state.in_([s.value for s in TREATED]),
        (c.c.hold_until.is_(None)) | (c.c.hold_until < day),
        c.c.case_id.not_in(pending),
    )
    ids: list[str] = []
    pks: list[int] = []
    for case_id, borrower_pk, referral in conn.execute(query):
        if referral and not referral.get("resolved_at"):
            continue  # waiting for a supervisor: no automated contact
        ids.append(case_id)
        pks.append(borrower_pk)
    return pa.table(
        {"case_id": pa.array(ids, pa.string()), "borrower_pk": pa.array(pks, pa.int64())}
    )


def step_strategy_handover(ctx: CycleContext, conn: Connection) -> int:
    day, book = ctx.business_date, ctx.book
    a = w.case_assignments
    assignments = read_arrow(
        conn,
        select(
            a.c.case_id, w.cases.c.borrower_id, a.c.stage_id, a.c.treatment_id, a.c.treatment_day
        )
        .join(w.cases, w.cases.c.case_id == a.c.case_id)
        .where(a.c.business_date == day),
        pa.schema(
            [
                ("case_id", pa.string()),
                ("borrower_pk", pa.int64()),
                ("stage_id", pa.string()),
                ("treatment_id", pa.string()),
                ("treatment_day", pa.int64()),
            ]
        ),
    )
    book.register_arrow("wf_assignments", assignments)
    book.register_arrow("wf_workable", _workable(conn, day))
    contacts = _contact_points(ctx, conn, ctx.strategy.contact_order.kinds)
    for name, table in strategy_tables(ctx.strategy).items():
        book.register_arrow(name, table)
    due = book.query_arrow(
        due_steps_sql(
            day,
            assignments="wf_assignments",
            workable="wf_workable",
            contacts=contacts,
            dialect=_dialect(ctx),
        )
        + " ORDER BY attempt_id"
    )
    pa_t = w.planned_attempts
    conn.execute(
        delete(pa_t).where(
            and_(
                pa_t.c.business_date == day,
                pa_t.c.source == "planned",
                pa_t.c.status == "planned",
            )
        )
    )
    kept = set(conn.execute(select(pa_t.c.attempt_id).where(pa_t.c.business_date == day)).scalars())
    rows = (
        (r[0], day, *r[1:], "planned", "planned")
        for r in zip(*(col.to_pylist() for col in due.columns), strict=True)
        if r[0] not in kept
    )
    return bulk_insert(
        conn,
        pa_t,
        (
            "attempt_id",
            "business_date",
            "case_id",
            "stage_id",
            "treatment_id",
            "step_index",
            "channel",
            "target",
            "person_id",
            "address",
            "purpose",
            "talk_track",
            "contingent",
            "source",
            "status",
        ),
        rows,
    )


__all__ = [
    "step_case_opening",
    "step_case_segmentation",
    "step_promise_evaluation",
    "step_strategy_handover",
]
