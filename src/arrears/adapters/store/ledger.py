"""The contact ledger repository: append-only rows; the current view follows amendments."""

from __future__ import annotations

import abc
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from arrears.adapters.store import tables as t
from arrears.domain.errors import Conflict, NotFound

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Callable, Sequence

    from sqlalchemy.orm import Session


@dataclass(frozen=True, slots=True)
class LedgerRow:
    event_key: str
    type: str
    person_id: str | None
    occurred_at: dt.datetime
    debt_ids: list[str]
    payload: dict[str, Any]
    source: str
    recorded_by: str
    recorded_at: dt.datetime
    amends: str | None = None
    amend_reason: str | None = None


class ContactLedger(abc.ABC):
    @abc.abstractmethod
    def get(self, event_key: str) -> LedgerRow | None: ...

    @abc.abstractmethod
    def append(self, rows: Sequence[LedgerRow]) -> None:
        """Insert rows (amendments name the key they amend); nothing is ever updated."""

    @abc.abstractmethod
    def current(self, person_id: str) -> list[LedgerRow]:
        """The person's events in recording order, each replaced by its latest amendment."""


class SqlContactLedger(ContactLedger):
    def __init__(self, session: Session, clock: Callable[[], dt.datetime]) -> None:
        self._session = session
        self._clock = clock

    def _row(self, record: Any, amends: str | None) -> LedgerRow:
        return LedgerRow(
            event_key=record.event_key,
            type=record.type,
            person_id=record.person_id,
            occurred_at=record.occurred_at,
            debt_ids=list(record.debt_ids),
            payload=dict(record.payload),
            source=record.source,
            recorded_by=record.recorded_by,
            recorded_at=record.recorded_at,
            amends=amends,
            amend_reason=record.amend_reason,
        )

    def get(self, event_key: str) -> LedgerRow | None:
        ledger = t.contact_ledger
        amended = ledger.alias("amended")
        found = self._session.execute(
            select(ledger, amended.c.event_key.label("amends_key"))
            .outerjoin(amended, amended.c.id == ledger.c.amends_id)
            .where(ledger.c.event_key == event_key)
        ).one_or_none()
        return None if found is None else self._row(found, found.amends_key)

    def append(self, rows: Sequence[LedgerRow]) -> None:
        ledger = t.contact_ledger
        conn = self._session.connection()
        for row in rows:
            amends_id = None
            if row.amends is not None:
                amends_id = conn.execute(
                    select(ledger.c.id).where(ledger.c.event_key == row.amends)
                ).scalar_one_or_none()
                if amends_id is None:
                    raise NotFound(f"no ledger event {row.amends!r} to amend")
            try:
                conn.execute(
                    insert(ledger).values(
                        event_key=row.event_key,
                        type=row.type,
                        person_id=row.person_id,
                        occurred_at=row.occurred_at,
                        debt_ids=row.debt_ids,
                        payload=row.payload,
                        source=row.source,
                        recorded_by=row.recorded_by,
                        recorded_at=row.recorded_at,
                        amends_id=amends_id,
                        amend_reason=row.amend_reason,
                    )
                )
            except IntegrityError as error:
                raise Conflict(f"ledger event {row.event_key!r}: {error.orig}") from error

    def current(self, person_id: str) -> list[LedgerRow]:
        ledger = t.contact_ledger
        records = self._session.execute(
            select(ledger).where(ledger.c.person_id == person_id).order_by(ledger.c.id)
        ).all()
        keys = {r.id: r.event_key for r in records}
        by_id = {r.id: r for r in records}
        # follow each amendment chain to its root: the root's place, the latest content
        root: dict[int, int] = {}
        for record in records:
            origin = record.id
            while by_id[origin].amends_id is not None and by_id[origin].amends_id in by_id:
                origin = by_id[origin].amends_id
            root[record.id] = origin
        latest: dict[int, Any] = {}
        for record in records:  # ids increase, so the last one seen is the latest amendment
            latest[root[record.id]] = record
        # recording order, each correction standing where the record it corrects stood
        return [
            self._row(latest[origin], keys.get(latest[origin].amends_id))
            for origin in sorted(latest)
        ]


__all__ = ["ContactLedger", "LedgerRow", "SqlContactLedger"]
