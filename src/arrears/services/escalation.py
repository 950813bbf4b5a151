"""Escalation use cases: field visits, threats and the "three stops" flow for abusive calls.

The rules live in the domain (`arrears.domain.workflow.cases`): `schedule_visit` and
`complete_visit` (two visitors, sociable hours at the address, a purpose, evidence), the
`ThreeStops` flow (remind -> equal standing -> end the call, in order) and `record_threat`.
Each use case here is ONE transaction: the rows it changes, a `case_events` row and an audit
event; case moves go through `arrears.services.cases.move_case`, supervisor referrals through
`refer_to_supervisor`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import insert, select, update

from arrears.adapters.store import tables as t
from arrears.adapters.store import workflow_tables as w
from arrears.domain.errors import InvalidInput, NotFound
from arrears.domain.workflow.cases import (
    STOP_TALK_TRACKS,
    CaseState,
    Evidence,
    FieldVisit,
    FieldVisitPolicy,
    Reason,
    Stop,
    ThreatKind,
    ThreeStops,
    VisitOutcome,
    VisitStatus,
    complete_visit,
    schedule_visit,
)
from arrears.domain.workflow.errors import InvalidFlowStep, ReasonRequired
from arrears.domain.workflow.vocab import Role
from arrears.services.cases import case_event, load_case, move_case, refer_to_supervisor

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Callable, Sequence

    from sqlalchemy import Connection

    from arrears.adapters.store.uow import SqlUnitOfWork
    from arrears.domain.workflow.stages import Strategy

THREE_STOPS_KIND = "three_stops:"
CALMED = "calmed"  # the debtor calmed down: the conversation goes on and the flow closes
MAX_RECORD_ID = 60  # case_events.reason holds the contact record id of a three-stops step


def _role(value: Role | str) -> Role:
    try:
        return Role(value)
    except ValueError:
        raise InvalidInput(
            f"unknown role {value!r} (expected one of: {', '.join(r.value for r in Role)})"
        ) from None


# ---------------------------------------------------------------------------- field visits


def _address_zone(conn: Connection, borrower_pk: int, address_id: str) -> ZoneInfo:
    """The IANA zone of one of the borrower's addresses (visits keep local sociable hours)."""
    a = t.borrower_addresses
    try:
        key = int(address_id)
    except ValueError:
        raise InvalidInput(f"address id {address_id!r} is not a stored address id") from None
    row = conn.execute(select(a.c.borrower_id, a.c.time_zone).where(a.c.id == key)).one_or_none()
    if row is None or row.borrower_id != borrower_pk:
        raise NotFound(f"address {address_id} is not one of the case's borrower's addresses")
    if not row.time_zone:
        raise InvalidInput(
            f"address {address_id} has no time zone: a visit's hours cannot be checked"
        )
    try:
        return ZoneInfo(row.time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(f"address {address_id}: unknown time zone {row.time_zone!r}") from None


def schedule_field_visit(
    uow_factory: Callable[[], SqlUnitOfWork],
    case_id: str,
    *,
    address_id: str,
    scheduled_for: dt.datetime,
    visitors: Sequence[str],
    purpose: str,
    actor_id: str,
    actor_role: Role | str,
    strategy: Strategy,
    reason: Reason | str = Reason.VERIFY_SITUATION,
    visit_id: str | None = None,
) -> FieldVisit:
    """Schedule a visit to one of the borrower's addresses, moving the case to `field_visit`
    (a supervisor's decision, within what the stage allows) unless it is there already.

    The strategy's `field_visits` policy applies: enough different visitors (two by default),
    a stated purpose, and a time inside the allowed hours in the address's own time zone."""
    role = _role(actor_role)
    policy: FieldVisitPolicy = strategy.field_visits
    if scheduled_for.tzinfo is None or scheduled_for.utcoffset() is None:
        raise InvalidInput("the visit time has no time zone (naive timestamps are refused)")
    with uow_factory() as uow:
        conn = uow.session.connection()
        now = uow.now()
        current = load_case(conn, case_id, for_update=True)
        zone = _address_zone(conn, current.borrower_pk, address_id)
        case = current.case
        if case.state is not CaseState.FIELD_VISIT:
            case = move_case(
                uow,
                case_id,
                CaseState.FIELD_VISIT,
                reason=reason,
                actor_id=actor_id,
                actor_role=role,
                note=purpose,
                strategy=strategy,
            )
        visit = schedule_visit(
            visit_id=visit_id or f"V-{uuid.uuid4().hex[:16]}",
            case=case,
            address_id=address_id,
            scheduled_for=scheduled_for.astimezone(zone),
            visitors=tuple(visitors),
            purpose=purpose,
            policy=policy,
        )
        conn.execute(
            insert(w.field_visits).values(
                visit_id=visit.visit_id,
                case_id=case_id,
                address_id=address_id,
                scheduled_for=visit.scheduled_for,
                visitors=" ".join(visit.visitors),
                purpose=visit.purpose,
                status=visit.status.value,
                created_by=actor_id,
                created_at=now,
            )
        )
        case_event(
            conn,
            case_id=case_id,
            at=now,
            kind="visit_scheduled",
            after=VisitStatus.SCHEDULED.value,
            reason=visit.visit_id,
            note=f"{visit.scheduled_for.isoformat()} by {', '.join(visit.visitors)}: {purpose}",
            actor_id=actor_id,
            actor_role=role.value,
        )
        uow.audit.record(
            actor=actor_id,
            action="case:visit:scheduled",
            subject_type="field_visit",
            subject_id=visit.visit_id,
            after={
                "case_id": case_id,
                "address_id": address_id,
                "scheduled_for": visit.scheduled_for.isoformat(),
                "visitors": list(visit.visitors),
                "purpose": purpose,
            },
        )
        uow.commit()
    return visit


def _load_visit(conn: Connection, visit_id: str) -> tuple[FieldVisit, str]:
    v = w.field_visits
    row = conn.execute(select(v).where(v.c.visit_id == visit_id)).mappings().one_or_none()
    if row is None:
        raise NotFound(f"no field visit {visit_id!r}")
    visit = FieldVisit(
        visit_id=visit_id,
        case_id=row["case_id"],
        address_id=row["address_id"],
        scheduled_for=row["scheduled_for"],
        visitors=tuple(row["visitors"].split()),
        purpose=row["purpose"],
        status=VisitStatus(row["status"]),
        outcome=VisitOutcome(row["outcome"]) if row["outcome"] else None,
        evidence=tuple(
            Evidence(str(e["kind"]), str(e["ref"]), e.get("sha256"))
            for e in (row["evidence"] or [])
        ),
        notes=row["notes"],
        completed_at=row["completed_at"],
    )
    return visit, row["case_id"]


def complete_field_visit(
    uow_factory: Callable[[], SqlUnitOfWork],
    visit_id: str,
    *,
    outcome: VisitOutcome | str,
    evidence: Sequence[Evidence],
    actor_id: str,
    actor_role: Role | str,
    strategy: Strategy,
    notes: str = "",
) -> FieldVisit:
    """Record a visit's outcome and evidence (required by the default policy); the case returns
    to `active` with reason visit_completed."""
    role = _role(actor_role)
    try:
        result = VisitOutcome(outcome)
    except ValueError:
        known = ", ".join(o.value for o in VisitOutcome)
        raise InvalidInput(
            f"unknown visit outcome {outcome!r} (expected one of: {known})"
        ) from None
    with uow_factory() as uow:
        conn = uow.session.connection()
        now = uow.now()
        visit, case_id = _load_visit(conn, visit_id)
        current = load_case(conn, case_id, for_update=True)
        done = complete_visit(
            visit,
            outcome=result,
            evidence=tuple(evidence),
            at=now,
            policy=strategy.field_visits,
            notes=notes,
        )
        conn.execute(
            update(w.field_visits)
            .where(w.field_visits.c.visit_id == visit_id)
            .values(
                status=done.status.value,
                outcome=result.value,
                evidence=[_evidence_payload(e) for e in done.evidence],
                notes=notes,
                completed_at=now,
            )
        )
        case_event(
            conn,
            case_id=case_id,
            at=now,
            kind="visit_completed",
            before=VisitStatus.SCHEDULED.value,
            after=result.value,
            reason=visit_id,
            note=notes,
            actor_id=actor_id,
            actor_role=role.value,
        )
        uow.audit.record(
            actor=actor_id,
            action="case:visit:completed",
            subject_type="field_visit",
            subject_id=visit_id,
            before={"status": visit.status.value},
            after={
                "status": done.status.value,
                "outcome": result.value,
                "evidence": [_evidence_payload(e) for e in done.evidence],
            },
        )
        if current.case.state is CaseState.FIELD_VISIT and not _other_visits_open(
            conn, case_id, visit_id
        ):
            move_case(
                uow,
                case_id,
                CaseState.ACTIVE,
                reason=Reason.VISIT_COMPLETED,
                actor_id=actor_id,
                actor_role=role,
                note=f"visit {visit_id}: {result.value}",
                strategy=strategy,
            )
        uow.commit()
    return done


def _evidence_payload(item: Evidence) -> dict[str, Any]:
    return {"kind": item.kind, "ref": item.ref, "sha256": item.sha256}


def _other_visits_open(conn: Connection, case_id: str, visit_id: str) -> bool:
    v = w.field_visits
    return (
        conn.execute(
            select(v.c.visit_id).where(
                v.c.case_id == case_id,
                v.c.visit_id != visit_id,
                v.c.status == VisitStatus.SCHEDULED.value,
            )
        ).first()
        is not None
    )


# ---------------------------------------------------------------------------------- threats


def record_threat(
    uow_factory: Callable[[], SqlUnitOfWork],
    case_id: str,
    *,
    kind: ThreatKind | str,
    note: str,
    actor_id: str,
) -> None:
    """A debtor's threat ("if you call again I won't pay") goes to a supervisor at once: a
    referral is raised (automated contact pauses) and the threat is a case event. A complaint
    to a regulator is a right and never a threat; self-harm follows the vulnerability process."""
    try:
        threat = ThreatKind(kind)
    except ValueError:
        known = ", ".join(k.value for k in ThreatKind)
        raise InvalidInput(f"unknown threat kind {kind!r} (expected one of: {known})") from None
    if not note.strip():
        raise ReasonRequired("a threat is recorded with what was said (note)")
    with uow_factory() as uow:
        conn = uow.session.connection()
        case_event(
            conn,
            case_id=case_id,
            at=uow.now(),
            kind="threat",
            reason=threat.value,
            note=note,
            actor_id=actor_id,
            actor_role=Role.COLLECTOR.value,
        )
        refer_to_supervisor(
            uow, case_id, trigger=f"threat:{threat.value}", note=note, actor_id=actor_id
        )
        uow.audit.record(
            actor=actor_id,
            action="case:threat:recorded",
            subject_type="case",
            subject_id=case_id,
            after={"kind": threat.value, "note": note},
        )
        uow.commit()


# ------------------------------------------------------------------------------ three stops


@dataclass(frozen=True, slots=True)
class StopResult:
    flow: ThreeStops
    referred: bool  # the call ended at the third stop: a supervisor reviews it


def _flow(conn: Connection, case_id: str, record_id: str) -> ThreeStops:
    """The call's three-stops flow so far, rebuilt from its case events."""
    e = w.case_events
    rows = conn.execute(
        select(e.c.kind, e.c.at, e.c.note)
        .where(
            e.c.case_id == case_id,
            e.c.reason == record_id,
            e.c.kind.startswith(THREE_STOPS_KIND),
        )
        .order_by(e.c.id)
    ).all()
    flow = ThreeStops(case_id=case_id, record_id=record_id)
    for kind, at, note in rows:
        step = kind.removeprefix(THREE_STOPS_KIND)
        if step == CALMED:
            flow = flow.calmed(at=at)
        else:
            flow = flow.log_stop(Stop(step), at=at, note=note)
    return flow


def three_stops_step(
    uow_factory: Callable[[], SqlUnitOfWork],
    case_id: str,
    *,
    record_id: str,
    stop: Stop | str,
    actor_id: str,
    talk_track: str | None = None,
    note: str = "",
) -> StopResult:
    """Log one stop of the guided flow for an abusive call, in order: remind, equal standing,
    end the call. The third stop ends the call (it continues in writing) and refers the case to
    a supervisor; `calmed` closes the flow early when the debtor calms down. `talk_track`, when
    given, must be the stop's own script."""
    if stop == CALMED:
        step: Stop | None = None
    else:
        try:
            step = Stop(stop)
        except ValueError:
            known = ", ".join((*(s.value for s in Stop), CALMED))
            raise InvalidInput(f"unknown stop {stop!r} (expected one of: {known})") from None
    expected_track = STOP_TALK_TRACKS[step] if step is not None else None
    if talk_track is not None and talk_track != expected_track:
        raise InvalidFlowStep(f"the {stop} step uses talk track {expected_track}, not {talk_track}")
    if len(record_id) > MAX_RECORD_ID:
        raise InvalidInput(f"contact record id longer than {MAX_RECORD_ID} characters")
    with uow_factory() as uow:
        conn = uow.session.connection()
        now = uow.now()
        load_case(conn, case_id, for_update=True)
        owner = conn.execute(
            select(w.contact_log.c.case_id).where(w.contact_log.c.record_id == record_id)
        ).scalar_one_or_none()
        if owner is None:
            raise NotFound(f"no contact record {record_id!r}")
        if owner != case_id:
            raise InvalidInput(f"contact record {record_id} belongs to another case")
        before = _flow(conn, case_id, record_id)
        name = step.value if step is not None else CALMED
        flow = before.log_stop(step, at=now, note=note) if step else before.calmed(at=now)
        case_event(
            conn,
            case_id=case_id,
            at=now,
            kind=f"{THREE_STOPS_KIND}{name}",
            before=before.steps[-1].stop.value if before.steps else None,
            after=name,
            reason=record_id,
            note=note,
            actor_id=actor_id,
            actor_role=Role.COLLECTOR.value,
        )
        uow.audit.record(
            actor=actor_id,
            action="contact:three_stops:step",
            subject_type="case",
            subject_id=case_id,
            after={"record_id": record_id, "stop": name, "talk_track": expected_track},
        )
        if flow.needs_supervisor_review:
            refer_to_supervisor(
                uow,
                case_id,
                trigger=f"{THREE_STOPS_KIND}{Stop.END_CALL.value}",
                note=f"call {record_id} ended at the third stop. {note}".strip(),
                actor_id=actor_id,
            )
        uow.commit()
    return StopResult(flow, referred=flow.needs_supervisor_review)


# ------------------------------------------------------------------------------- read model


@dataclass(frozen=True, slots=True)
class CaseOverview:
    """What `arrears case show` prints: the case, its arrangements, visits and events."""

    case: dict[str, Any]
    arrangements: list[dict[str, Any]]
    instalments: dict[str, list[dict[str, Any]]]
    visits: list[dict[str, Any]]
    events: list[dict[str, Any]]


def describe_case(uow_factory: Callable[[], SqlUnitOfWork], case_id: str) -> CaseOverview:
    with uow_factory() as uow:
        conn = uow.session.connection()
        row = conn.execute(select(w.cases).where(w.cases.c.case_id == case_id)).mappings().first()
        if row is None:
            raise NotFound(f"no case {case_id!r}")
        a, i, v, e = w.arrangements, w.arrangement_instalments, w.field_visits, w.case_events
        arrangements = [
            dict(r)
            for r in conn.execute(
                select(a).where(a.c.case_id == case_id).order_by(a.c.created_at)
            ).mappings()
        ]
        instalments: dict[str, list[dict[str, Any]]] = {}
        for item in conn.execute(
            select(i)
            .join(a, a.c.arrangement_id == i.c.arrangement_id)
            .where(a.c.case_id == case_id)
            .order_by(i.c.arrangement_id, i.c.number)
        ).mappings():
            instalments.setdefault(item["arrangement_id"], []).append(dict(item))
        visits = [
            dict(r)
            for r in conn.execute(
                select(v).where(v.c.case_id == case_id).order_by(v.c.scheduled_for)
            ).mappings()
        ]
        history = [
            dict(r)
            for r in conn.execute(
                select(e).where(e.c.case_id == case_id).order_by(e.c.id)
            ).mappings()
        ]
    return CaseOverview(dict(row), arrangements, instalments, visits, history)


__all__ = [
    "CaseOverview",
    "StopResult",
    "complete_field_visit",
    "describe_case",
    "record_threat",
    "schedule_field_visit",
    "three_stops_step",
]
