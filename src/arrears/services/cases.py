"""Case use cases: reading a case, moving it along the state machine, supervisor referrals.

Every change goes through the domain (`arrears.domain.workflow.cases`) for the rules and is
written here in ONE transaction: the `cases` row (optimistic lock on `version`), an append-only
`case_events` row and an audit event. Callers pass the unit of work's factory; the business
instant `at` comes from the unit of work's clock unless given.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import insert, select, update

from arrears.adapters.store import tables as t
from arrears.adapters.store import workflow_tables as w
from arrears.domain.errors import Conflict, InvalidInput, NotFound
from arrears.domain.workflow.cases import (
    Case,
    CaseState,
    Reason,
    SupervisorReferral,
    escalate_to_supervisor,
    resolve_referral,
    transition,
)
from arrears.domain.workflow.vocab import Role

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Callable

    from sqlalchemy import Connection

    from arrears.adapters.store.uow import SqlUnitOfWork
    from arrears.domain.workflow.stages import Strategy


@dataclass(frozen=True, slots=True)
class CaseRow:
    """A case as stored, with the columns the domain `Case` does not carry."""

    case: Case
    borrower_pk: int
    borrower_external_id: str
    collector_id: str | None
    debtor_type: str
    hold_until: dt.date | None
    follow_up_on: dt.date | None
    opened_on: dt.date


def _referral(payload: dict[str, Any] | None) -> SupervisorReferral | None:
    if not payload:
        return None
    from datetime import datetime  # noqa: PLC0415 - local parse helper only

    def when(key: str) -> dt.datetime | None:
        value = payload.get(key)
        return datetime.fromisoformat(value) if value else None

    raised = when("raised_at")
    if raised is None:
        return None
    return SupervisorReferral(
        raised_at=raised,
        trigger=str(payload.get("trigger", "")),
        note=str(payload.get("note", "")),
        raised_by=str(payload.get("raised_by", "")),
        resolved_at=when("resolved_at"),
        resolved_by=payload.get("resolved_by"),
        resolution=payload.get("resolution"),
    )


def _referral_payload(referral: SupervisorReferral | None) -> dict[str, Any] | None:
    """Only an open referral is kept on the case (NULL once resolved, so that set-based readers
    test `referral IS NULL`); raising and resolving are in case_events and the audit log."""
    if referral is None or not referral.open:
        return None
    return {
        "raised_at": referral.raised_at.isoformat(),
        "trigger": referral.trigger,
        "note": referral.note,
        "raised_by": referral.raised_by,
        "resolved_at": referral.resolved_at.isoformat() if referral.resolved_at else None,
        "resolved_by": referral.resolved_by,
        "resolution": referral.resolution,
    }


def load_case(conn: Connection, case_id: str, *, for_update: bool = False) -> CaseRow:
    """The case, or NotFound. `for_update` locks the row on PostgreSQL."""
    c, b = w.cases, t.borrowers
    query = (
        select(c, b.c.external_id.label("borrower_external_id"))
        .join(b, b.c.id == c.c.borrower_id)
        .where(c.c.case_id == case_id)
    )
    if for_update:
        query = query.with_for_update(of=c)
    row = conn.execute(query).mappings().one_or_none()
    if row is None:
        raise NotFound(f"no case {case_id!r}")
    case = Case(
        case_id=row["case_id"],
        borrower_id=row["borrower_external_id"],
        state=CaseState(row["state"]),
        stage_id=row["stage_id"],
        closure=Reason(row["closure"]) if row["closure"] else None,
        referral=_referral(row["referral"]),
        version=row["version"],
    )
    return CaseRow(
        case=case,
        borrower_pk=row["borrower_id"],
        borrower_external_id=row["borrower_external_id"],
        collector_id=row["collector_id"],
        debtor_type=row["debtor_type"],
        hold_until=row["hold_until"],
        follow_up_on=row["follow_up_on"],
        opened_on=row["opened_on"],
    )


def save_case(
    conn: Connection, before: Case, after: Case, *, at: dt.datetime, **extra: Any
) -> None:
    """Write `after` over `before`, refusing if someone else changed the case meanwhile."""
    values: dict[str, Any] = {
        "state": after.state.value,
        "closure": after.closure.value if after.closure else None,
        "referral": _referral_payload(after.referral),
        "version": before.version + 1,
        "updated_at": at,
        **extra,
    }
    if after.state is CaseState.CLOSED:
        values.setdefault("open_borrower_id", None)
        values.setdefault("closed_on", at.date())
    result = conn.execute(
        update(w.cases)
        .where(w.cases.c.case_id == before.case_id, w.cases.c.version == before.version)
        .values(**values)
    )
    if result.rowcount != 1:
        raise Conflict(f"case {before.case_id} was changed by someone else; reload and retry")


def case_event(
    conn: Connection,
    *,
    case_id: str,
    at: dt.datetime,
    kind: str,
    actor_id: str,
    actor_role: str,
    before: str | None = None,
    after: str | None = None,
    reason: str | None = None,
    note: str = "",
) -> None:
    """Append one row to the case's event history (never edited)."""
    conn.execute(
        insert(w.case_events).values(
            case_id=case_id,
            at=at,
            kind=kind,
            before=before,
            after=after,
            reason=reason,
            note=note,
            actor_id=actor_id,
            actor_role=actor_role,
        )
    )


def _role(value: str | Role) -> Role:
    try:
        return Role(value)
    except ValueError:
        raise InvalidInput(
            f"unknown role {value!r} (expected one of: {', '.join(r.value for r in Role)})"
        ) from None


def _stage_allows(strategy: Strategy | None, stage_id: str | None) -> frozenset[CaseState] | None:
    if strategy is None or stage_id is None:
        return None
    for stage in strategy.stages:
        if stage.stage_id == stage_id:
            return stage.escalations
    return None


def move_case(
    uow: SqlUnitOfWork,
    case_id: str,
    target: CaseState | str,
    *,
    reason: Reason | str,
    actor_id: str,
    actor_role: Role | str,
    note: str = "",
    strategy: Strategy | None = None,
    at: dt.datetime | None = None,
) -> Case:
    """Apply one transition inside the caller's unit of work (which commits). Used by the
    arrangement, escalation and cycle services so that every move is written the same way."""
    conn = uow.session.connection()
    when = at or uow.now()
    current = load_case(conn, case_id, for_update=True)
    try:
        state, why = CaseState(target), Reason(reason)
    except ValueError as error:
        raise InvalidInput(str(error)) from None
    moved, event = transition(
        current.case,
        state,
        reason=why,
        actor_id=actor_id,
        actor_role=_role(actor_role),
        at=when,
        note=note,
        stage_allows=_stage_allows(strategy, current.case.stage_id),
    )
    save_case(conn, current.case, moved, at=when)
    case_event(
        conn,
        case_id=case_id,
        at=when,
        kind="transition",
        before=event.before.value,
        after=event.after.value,
        reason=event.reason.value,
        note=note,
        actor_id=actor_id,
        actor_role=event.actor_role.value,
    )
    uow.audit.record(
        actor=actor_id,
        action="workflow:case:transitioned",
        subject_type="case",
        subject_id=case_id,
        before={"state": event.before.value, "version": current.case.version},
        after={"state": event.after.value, "reason": event.reason.value, "note": note},
    )
    return moved


def transition_case(
    uow_factory: Callable[[], SqlUnitOfWork],
    case_id: str,
    target: CaseState | str,
    *,
    reason: Reason | str,
    actor_id: str,
    actor_role: Role | str,
    note: str = "",
    strategy: Strategy | None = None,
) -> Case:
    """Move a case (letter, formal demand, field visit, legal review, agency, hold, close...)
    in its own transaction."""
    with uow_factory() as uow:
        moved = move_case(
            uow,
            case_id,
            target,
            reason=reason,
            actor_id=actor_id,
            actor_role=actor_role,
            note=note,
            strategy=strategy,
        )
        uow.commit()
    return moved


def refer_to_supervisor(
    uow: SqlUnitOfWork, case_id: str, *, trigger: str, note: str, actor_id: str
) -> Case:
    """Raise a supervisor referral (a debtor's threat, an abusive call) in the caller's unit of
    work: automated contact pauses until a supervisor resolves it."""
    conn = uow.session.connection()
    when = uow.now()
    current = load_case(conn, case_id, for_update=True)
    raised, _event = escalate_to_supervisor(
        current.case, trigger=trigger, note=note, actor_id=actor_id, at=when
    )
    save_case(conn, current.case, raised, at=when)
    case_event(
        conn,
        case_id=case_id,
        at=when,
        kind="supervisor_referral",
        reason=trigger,
        note=note,
        actor_id=actor_id,
        actor_role=Role.COLLECTOR.value,
    )
    uow.audit.record(
        actor=actor_id,
        action="workflow:case:referred",
        subject_type="case",
        subject_id=case_id,
        after={"trigger": trigger, "note": note},
    )
    return raised


def resolve_supervisor_referral(
    uow_factory: Callable[[], SqlUnitOfWork],
    case_id: str,
    *,
    resolution: str,
    actor_id: str,
    actor_role: Role | str,
) -> Case:
    with uow_factory() as uow:
        conn = uow.session.connection()
        when = uow.now()
        current = load_case(conn, case_id, for_update=True)
        resolved = resolve_referral(
            current.case,
            resolution=resolution,
            actor_id=actor_id,
            actor_role=_role(actor_role),
            at=when,
        )
        save_case(conn, current.case, resolved, at=when)
        case_event(
            conn,
            case_id=case_id,
            at=when,
            kind="referral_resolved",
            note=resolution,
            actor_id=actor_id,
            actor_role=_role(actor_role).value,
        )
        uow.audit.record(
            actor=actor_id,
            action="workflow:case:referral_resolved",
            subject_type="case",
            subject_id=case_id,
            after={"resolution": resolution},
        )
        uow.commit()
    return resolved


__all__ = [
    "CaseRow",
    "case_event",
    "load_case",
    "move_case",
    "refer_to_supervisor",
    "resolve_supervisor_referral",
    "save_case",
    "transition_case",
]
