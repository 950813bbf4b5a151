"""Logging contacts and recording promises to pay: the collector's two most frequent writes.

`log_contact` writes, in ONE transaction: the workflow's contact record (append-only; a
correction is a new record naming the one it amends and why), the matching event in the contact
ledger that the contact policy counts (a call attempt, a conversation, a message sent), the
planned attempt marked done, a supervisor referral at once when the debtor threatened (seed 002
item 14), and the audit event. A record that references no attempt the system planned or the
dialer reported is kept but flagged `unplanned` ("no fake records", seed 004): supervisors see
the flags.

`record_promises` validates a promise set against the strategy's policy (horizon, count, amounts,
at most the balance) and stores it with each promise's deadline fixed (due date + grace), so the
nightly evaluation is a pure function of stored rows. A new set clears the case's follow-up.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, insert, select, update

from arrears.adapters.store import tables as t
from arrears.adapters.store import workflow_tables as w
from arrears.domain.errors import InvalidInput, NotFound
from arrears.domain.money import Money
from arrears.domain.workflow.contact_log import ContactRecord, Outcome
from arrears.domain.workflow.promises import Promise, PromiseStatus, validate_promise_set
from arrears.domain.workflow.vocab import Channel, ContactPurpose, Direction, TargetKind
from arrears.services.cases import case_event, load_case, refer_to_supervisor
from arrears.services.ledger import _event_row, _validate_event

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Callable, Sequence

    from sqlalchemy import Connection

    from arrears.adapters.store.uow import SqlUnitOfWork
    from arrears.domain.workflow.promises import PromisePolicy

UNPLANNED = "unplanned"
# the workflow's reach outcome -> the contact policy's call outcome (COMPLIANCE-RULES 1.1)
CALL_OUTCOME = {
    Outcome.NO_ANSWER: "no_answer_rang",
    Outcome.BUSY: "busy",
    Outcome.VOICEMAIL: "voicemail_reached",
    Outcome.WRONG_NUMBER: "answered",
    Outcome.NOT_IN_SERVICE: "not_in_service",
    Outcome.RIGHT_PARTY_CONTACT: "answered",
    Outcome.THIRD_PARTY: "answered",
}


@dataclass(frozen=True, slots=True)
class Logged:
    record_id: str
    flag: str | None
    referred: bool  # a supervisor referral was raised


def _record_id(case_id: str, at: dt.datetime, address: str, collector: str) -> str:
    key = f"{case_id}\x1f{at.isoformat()}\x1f{address}\x1f{collector}"
    return "cr_" + hashlib.sha256(key.encode()).hexdigest()[:24]


def _debt_ids(conn: Connection, borrower_pk: int) -> list[str]:
    loans = t.loans
    return list(
        conn.execute(
            select(loans.c.external_id)
            .where(loans.c.borrower_id == borrower_pk)
            .order_by(loans.c.external_id)
        ).scalars()
    )


def _ledger_lines(record: ContactRecord, debts: list[str]) -> list[dict[str, Any]]:
    """The contact policy's view of the record (what its frequency rules count)."""
    ts = record.at.isoformat()
    if record.channel is Channel.CALL and record.direction is Direction.OUTBOUND:
        lines: list[dict[str, Any]] = [
            {
                "type": "call_attempt",
                "id": record.record_id,
                "ts": ts,
                "person_id": record.party_id,
                "number": record.address,
                "attributed_debt_ids": debts,
                "outcome": CALL_OUTCOME[record.reach],
                "number_owner_status": "third_party"
                if record.reach is Outcome.WRONG_NUMBER
                else "consumer"
                if record.party.is_borrower
                else "third_party",
            }
        ]
        if record.is_right_party_contact:
            lines.append(
                {
                    "type": "conversation",
                    "id": f"{record.record_id}:talk",
                    "ts": ts,
                    "person_id": record.party_id,
                    "initiated_by": "us",
                    "call_id": record.record_id,
                    "debts_discussed": debts if record.purpose is ContactPurpose.DEBT else [],
                    "medium": "phone",
                }
            )
        return lines
    if record.direction is Direction.OUTBOUND and record.channel in {
        Channel.SMS,
        Channel.EMAIL,
        Channel.LETTER,
    }:
        return [
            {
                "type": "message_sent",
                "id": record.record_id,
                "ts": ts,
                "person_id": record.party_id,
                "channel": record.channel.value,
                "debt_ids": debts if record.purpose is ContactPurpose.DEBT else [],
                "address": record.address,
                "purpose": "collection"
                if record.purpose is not ContactPurpose.LOCATION_ONLY
                else "location_info",
            }
        ]
    return []


def log_contact(
    uow_factory: Callable[[], SqlUnitOfWork],
    *,
    case_id: str,
    at: dt.datetime,
    channel: str,
    direction: str,
    address: str,
    party: str,
    party_id: str,
    purpose: str,
    outcomes: Sequence[str],
    collector_id: str,
    notes: str = "",
    talk_track: str | None = None,
    duration_seconds: int | None = None,
    attempt_id: str | None = None,
    amends: str | None = None,
    amend_reason: str | None = None,
) -> Logged:
    """Validate and write one contact record (see the module docstring)."""
    try:
        parsed_outcomes = tuple(Outcome(o) for o in outcomes)
        chan, way, who, why = (
            Channel(channel),
            Direction(direction),
            TargetKind(party),
            ContactPurpose(purpose),
        )
    except ValueError as error:
        raise InvalidInput(f"contact record: {error}") from None
    with uow_factory() as uow:
        conn = uow.session.connection()
        now = uow.now()
        case = load_case(conn, case_id, for_update=True)
        record = ContactRecord(
            record_id=_record_id(case_id, at, address, collector_id)
            if amends is None
            else _record_id(case_id, now, address, f"{collector_id}~{amends}"),
            case_id=case_id,
            at=at,
            logged_at=now,
            channel=chan,
            direction=way,
            address=address,
            party=who,
            party_id=party_id,
            purpose=why,
            outcomes=parsed_outcomes,
            collector_id=collector_id,
            notes=notes,
            talk_track=talk_track,
            duration_seconds=duration_seconds,
            attempt_id=attempt_id,
            amends=amends,
            amend_reason=amend_reason,
        )
        log = w.contact_log
        if conn.execute(select(log.c.record_id).where(log.c.record_id == record.record_id)).first():
            raise InvalidInput(f"contact record {record.record_id} is already logged")
        if (
            amends is not None
            and not conn.execute(
                select(log.c.record_id).where(log.c.record_id == amends, log.c.case_id == case_id)
            ).first()
        ):
            raise NotFound(f"case {case_id} has no contact record {amends!r} to amend")
        flag = _reference_flag(conn, record)
        conn.execute(
            insert(log).values(
                record_id=record.record_id,
                case_id=case_id,
                at=record.at,
                logged_at=now,
                channel=chan.value,
                direction=way.value,
                address=address,
                party=who.value,
                party_id=party_id,
                purpose=why.value,
                outcomes=" ".join(o.value for o in parsed_outcomes),
                collector_id=collector_id,
                notes=notes,
                talk_track=talk_track,
                duration_seconds=duration_seconds,
                attempt_id=attempt_id,
                flag=flag,
                amends=amends,
                amend_reason=amend_reason,
            )
        )
        if attempt_id is not None and flag is None:
            conn.execute(
                update(w.planned_attempts)
                .where(w.planned_attempts.c.attempt_id == attempt_id)
                .values(status="done")
            )
        if amends is None:
            debts = _debt_ids(conn, case.borrower_pk)
            rows = [
                _event_row(
                    _validate_event(json.dumps(line), f"contact {record.record_id}"),
                    source="manual",
                    actor=collector_id,
                    now=now,
                )
                for line in _ledger_lines(record, debts)
            ]
            if rows:
                uow.ledger.append(rows)
        referred = False
        if record.needs_supervisor:
            refer_to_supervisor(
                uow,
                case_id,
                trigger="threat",
                note=notes or "the debtor threatened during a contact",
                actor_id=collector_id,
            )
            referred = True
        uow.audit.record(
            actor=collector_id,
            action="contact:record:logged" if amends is None else "contact:record:amended",
            subject_type="case",
            subject_id=case_id,
            after={
                "record_id": record.record_id,
                "channel": chan.value,
                "outcomes": [o.value for o in parsed_outcomes],
                "flag": flag,
                "amends": amends,
                "amend_reason": amend_reason,
            },
        )
        uow.commit()
    return Logged(record_id=record.record_id, flag=flag, referred=referred)


def _reference_flag(conn: Connection, record: ContactRecord) -> str | None:
    """`unplanned` when an attempt-type record names no attempt planned or reported for its case."""
    if not record.needs_attempt or record.amends is not None:
        return None
    if record.attempt_id is None:
        return UNPLANNED
    attempts = w.planned_attempts
    found = conn.execute(
        select(attempts.c.case_id).where(attempts.c.attempt_id == record.attempt_id)
    ).scalar_one_or_none()
    return None if found == record.case_id else UNPLANNED


def report_dialer_attempt(
    uow_factory: Callable[[], SqlUnitOfWork],
    *,
    attempt_id: str,
    case_id: str,
    business_date: dt.date,
    channel: str,
    address: str,
) -> None:
    """Register an attempt the dialer made on its own (e.g. a predictive campaign), so that the
    collector's record of it is not `unplanned`."""
    with uow_factory() as uow:
        conn = uow.session.connection()
        load_case(conn, case_id)
        conn.execute(
            insert(w.planned_attempts).values(
                attempt_id=attempt_id,
                business_date=business_date,
                case_id=case_id,
                source="dialer",
                channel=channel,
                target="borrower",
                address=address,
                purpose=ContactPurpose.DEBT.value,
                status="released",
            )
        )
        uow.audit.record(
            actor="dialer",
            action="dialer:attempt:reported",
            subject_type="case",
            subject_id=case_id,
            after={"attempt_id": attempt_id, "channel": channel},
        )
        uow.commit()


# ------------------------------------------------------------------------------ promises


def _balance(conn: Connection, borrower_pk: int, currency: str, as_of: dt.date) -> Money | None:
    """The borrower's overdue amount in `currency` from the latest snapshot on or before as_of."""
    snap = t.borrower_snapshots
    latest = conn.execute(
        select(func.max(snap.c.business_date)).where(
            snap.c.borrower_id == borrower_pk, snap.c.business_date <= as_of
        )
    ).scalar_one_or_none()
    if latest is None:
        return None
    amount = conn.execute(
        select(snap.c.overdue_total).where(
            snap.c.borrower_id == borrower_pk,
            snap.c.business_date == latest,
            snap.c.currency == currency,
        )
    ).scalar_one_or_none()
    return None if amount is None or amount <= 0 else Money(Decimal(amount), currency)


def record_promises(
    uow_factory: Callable[[], SqlUnitOfWork],
    *,
    case_id: str,
    made_on: dt.date,
    items: Sequence[tuple[dt.date, Money]],
    policy: PromisePolicy,
    made_by: str,
    method: str | None = None,
    contact_record_id: str | None = None,
) -> list[str]:
    """Store one promise set (one or several partial promises agreed in one conversation)."""
    if not items:
        raise InvalidInput("a promise set needs at least one (date, amount)")
    digest = hashlib.sha256(
        "\x1f".join(
            (case_id, made_on.isoformat(), *(f"{d}:{m.amount}:{m.currency}" for d, m in items))
        ).encode()
    ).hexdigest()[:16]
    set_id = f"ps_{digest}"
    promises = [
        Promise(
            promise_id=f"{set_id}_{n}",
            case_id=case_id,
            set_id=set_id,
            made_on=made_on,
            due_on=due_on,
            amount=amount,
        )
        for n, (due_on, amount) in enumerate(sorted(items, key=lambda i: i[0]), start=1)
    ]
    with uow_factory() as uow:
        conn = uow.session.connection()
        now = uow.now()
        case = load_case(conn, case_id, for_update=True)
        if not case.case.state.is_open:
            raise InvalidInput(f"case {case_id} is closed: no promises on a closed case")
        currency = promises[0].amount.currency
        validate_promise_set(
            promises, policy=policy, balance=_balance(conn, case.borrower_pk, currency, made_on)
        )
        existing = w.promises
        if conn.execute(select(existing.c.promise_id).where(existing.c.set_id == set_id)).first():
            raise InvalidInput(f"this promise set is already recorded ({set_id})")
        conn.execute(
            insert(existing),
            [
                {
                    "promise_id": p.promise_id,
                    "case_id": case_id,
                    "set_id": set_id,
                    "made_on": made_on,
                    "due_on": p.due_on,
                    "deadline": p.deadline(policy),
                    "amount": p.amount.amount,
                    "currency": p.amount.currency,
                    "method": method,
                    "status": PromiseStatus.PENDING.value,
                    "credited": Decimal(0),
                    "made_by": made_by,
                    "contact_record_id": contact_record_id,
                    "created_at": now,
                }
                for p in promises
            ],
        )
        conn.execute(
            update(w.cases)
            .where(w.cases.c.case_id == case_id)
            .values(follow_up_on=None, updated_at=now)
        )
        case_event(
            conn,
            case_id=case_id,
            at=now,
            kind="promise_made",
            after=set_id,
            note="; ".join(f"{p.amount} by {p.due_on}" for p in promises),
            actor_id=made_by,
            actor_role="collector",
        )
        uow.audit.record(
            actor=made_by,
            action="workflow:promise:recorded",
            subject_type="case",
            subject_id=case_id,
            after={
                "set_id": set_id,
                "promises": [
                    {"due_on": p.due_on.isoformat(), "amount": str(p.amount.amount)}
                    for p in promises
                ],
                "currency": currency,
            },
        )
        uow.commit()
    return [p.promise_id for p in promises]


__all__ = ["Logged", "log_contact", "record_promises", "report_dialer_attempt"]
