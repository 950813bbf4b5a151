"""The outbox repository: queue, claim, and move messages through their states.

Claims are single statements: `UPDATE … WHERE id IN (SELECT … LIMIT n)` (with `FOR UPDATE SKIP
LOCKED` on PostgreSQL, so concurrent dispatchers take disjoint rows). On SQLite the claiming
UPDATE is the first statement of its transaction, so it takes the database's single write lock
before it reads: one writer at a time, never two claims of a row. Every later change of a claimed
row is guarded by its `claim_id`, so a dispatcher that lost its claim (taken over after its lease
ran out) changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError

from arrears.adapters.store import outbox_tables as o
from arrears.domain.errors import Conflict

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Mapping, Sequence

    from sqlalchemy.engine import Connection
    from sqlalchemy.orm import Session


@dataclass(frozen=True, slots=True)
class OutboxRow:
    id: int
    idempotency_key: str
    kind: str
    channel: str
    language: str
    person_id: str
    loan_id: str
    recipient: str
    recipient_name: str
    template_id: str
    subject: str | None
    body_text: str
    body_html: str | None
    presets: list[str]
    verdict: dict[str, Any]
    state: str
    attempts: int
    max_attempts: int
    next_attempt_at: dt.datetime
    claim_id: str | None
    claimed_at: dt.datetime | None
    started_at: dt.datetime | None
    sent_at: dt.datetime | None
    provider_ref: str | None
    last_error: str | None
    created_at: dt.datetime

    @classmethod
    def of(cls, record: Any) -> OutboxRow:
        values = {name: getattr(record, name) for name in cls.__dataclass_fields__}
        values["presets"] = list(record.presets)
        values["verdict"] = dict(record.verdict)
        return cls(**values)


class SqlOutbox:
    def __init__(self, session: Session) -> None:
        self._session = session

    @property
    def _conn(self) -> Connection:
        return self._session.connection()

    def get(self, idempotency_key: str) -> OutboxRow | None:
        record = self._conn.execute(
            select(o.outbox_messages).where(o.outbox_messages.c.idempotency_key == idempotency_key)
        ).one_or_none()
        return None if record is None else OutboxRow.of(record)

    def by_id(self, message_id: int) -> OutboxRow:
        record = self._conn.execute(
            select(o.outbox_messages).where(o.outbox_messages.c.id == message_id)
        ).one()
        return OutboxRow.of(record)

    def add(self, values: Mapping[str, Any]) -> int:
        """Insert a message; Conflict when its idempotency key was queued meanwhile."""
        try:
            result = self._conn.execute(insert(o.outbox_messages).values(**values))
        except IntegrityError as error:
            key = values.get("idempotency_key")
            raise Conflict(f"outbox message {key!r}: {error.orig}") from error
        key = result.inserted_primary_key
        return int(key[0]) if key else 0

    def claim_due(
        self, *, claim_id: str, now: dt.datetime, limit: int, states: Sequence[str]
    ) -> list[OutboxRow]:
        """Claim up to `limit` due messages for `claim_id` (state → sending); oldest due first."""
        m = o.outbox_messages
        due = (
            select(m.c.id)
            .where(m.c.state.in_(states), m.c.next_attempt_at <= now)
            .order_by(m.c.next_attempt_at, m.c.id)
            .limit(limit)
        )
        if self._conn.dialect.name == "postgresql":
            due = due.with_for_update(skip_locked=True)
        self._conn.execute(
            update(m)
            .where(m.c.id.in_(due.scalar_subquery()))
            .values(
                state="sending",
                claim_id=claim_id,
                claimed_at=now,
                started_at=None,
                updated_at=now,
            )
        )
        records = self._conn.execute(
            select(m).where(m.c.claim_id == claim_id, m.c.state == "sending").order_by(m.c.id)
        ).all()
        return [OutboxRow.of(r) for r in records]

    def stale(self, *, claimed_before: dt.datetime, limit: int) -> list[OutboxRow]:
        m = o.outbox_messages
        records = self._conn.execute(
            select(m)
            .where(m.c.state == "sending", m.c.claimed_at < claimed_before)
            .order_by(m.c.claimed_at, m.c.id)
            .limit(limit)
        ).all()
        return [OutboxRow.of(r) for r in records]

    def change(self, message_id: int, *, holder: str | None, **values: Any) -> bool:
        """Update a message if claim `holder` still holds it (None: only if it is unclaimed)."""
        m = o.outbox_messages
        guard = m.c.claim_id.is_(None) if holder is None else m.c.claim_id == holder
        result = self._conn.execute(update(m).where(m.c.id == message_id, guard).values(**values))
        return bool(result.rowcount == 1)

    def add_attempt(self, message_id: int, claim_id: str, claimed_at: dt.datetime) -> None:
        self._conn.execute(
            insert(o.outbox_attempts).values(
                message_id=message_id, claim_id=claim_id, claimed_at=claimed_at
            )
        )

    def finish_attempt(
        self,
        message_id: int,
        claim_id: str,
        *,
        outcome: str,
        at: dt.datetime,
        error: str | None = None,
    ) -> None:
        a = o.outbox_attempts
        self._conn.execute(
            update(a)
            .where(a.c.message_id == message_id, a.c.claim_id == claim_id)
            .values(outcome=outcome, finished_at=at, error=error)
        )

    def add_event(
        self,
        message_id: int,
        kind: str,
        *,
        at: dt.datetime,
        actor: str,
        detail: Mapping[str, Any] | None = None,
    ) -> None:
        self._conn.execute(
            insert(o.outbox_events).values(
                message_id=message_id,
                type=kind,
                occurred_at=at,
                actor=actor,
                detail=None if detail is None else dict(detail),
            )
        )

    def events(self, message_id: int) -> list[tuple[str, dt.datetime, dict[str, Any] | None]]:
        e = o.outbox_events
        return [
            (r.type, r.occurred_at, None if r.detail is None else dict(r.detail))
            for r in self._conn.execute(
                select(e.c.type, e.c.occurred_at, e.c.detail)
                .where(e.c.message_id == message_id)
                .order_by(e.c.id)
            )
        ]

    def attempts(self, message_id: int) -> list[tuple[str, str | None, str | None]]:
        a = o.outbox_attempts
        return [
            (r.claim_id, r.outcome, r.error)
            for r in self._conn.execute(
                select(a.c.claim_id, a.c.outcome, a.c.error)
                .where(a.c.message_id == message_id)
                .order_by(a.c.id)
            )
        ]

    def counts(self) -> dict[str, int]:
        m = o.outbox_messages
        rows = self._conn.execute(select(m.c.state, func.count()).group_by(m.c.state)).all()
        return {state: int(count) for state, count in rows}

    def listing(self, *, state: str | None = None, limit: int = 50) -> list[OutboxRow]:
        m = o.outbox_messages
        query = select(m).order_by(m.c.id.desc()).limit(limit)
        if state is not None:
            query = query.where(m.c.state == state)
        return [OutboxRow.of(r) for r in self._conn.execute(query).all()]


__all__ = ["OutboxRow", "SqlOutbox"]
