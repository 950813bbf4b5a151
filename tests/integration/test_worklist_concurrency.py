"""Claiming under concurrency: workers on their own connections never get the same case.

PostgreSQL: 20 threads claim from one team queue of 200 items (`FOR UPDATE SKIP LOCKED`).
SQLite: 6 threads, 60 items, through the single-writer path; no "database is locked" errors.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter
from decimal import Decimal
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import func, insert, select

from arrears.adapters.store import tables as t
from arrears.adapters.store import workflow_tables as w
from arrears.adapters.store.db import make_engine, session_factory
from arrears.adapters.store.uow import SqlUnitOfWork
from arrears.services.worklists import claim_next

if TYPE_CHECKING:
    from sqlalchemy import Engine

pytestmark = pytest.mark.integration

D = dt.date(2026, 11, 23)
NOW = dt.datetime(2026, 11, 23, 1, 0, tzinfo=dt.UTC)


def one_queue(engine: Engine, size: int, workers: int) -> None:
    """`size` open items in the team queue front_row:es, and `workers` collectors for it."""
    with engine.begin() as conn:
        conn.execute(
            insert(w.collectors),
            [
                {
                    "collector_id": f"W{n:02d}",
                    "full_name": f"Worker {n}",
                    "languages": "es",
                    "stages": "front_row",
                    "capacity": 0,
                }
                for n in range(workers)
            ],
        )
        conn.execute(
            insert(t.borrowers),
            [
                {
                    "id": i + 1,
                    "external_id": f"B{i:04d}",
                    "full_name": f"Borrower {i}",
                    "language": "es-ES",
                    "country": "ES",
                    "created_at": NOW,
                    "updated_at": NOW,
                }
                for i in range(size)
            ],
        )
        conn.execute(
            insert(w.cases),
            [
                {
                    "case_id": f"C{i:04d}",
                    "borrower_id": i + 1,
                    "open_borrower_id": i + 1,
                    "opened_on": D,
                    "stage_id": "front_row",
                    "created_at": NOW,
                    "updated_at": NOW,
                }
                for i in range(size)
            ],
        )
        conn.execute(
            insert(w.worklist_items),
            [
                {
                    "business_date": D,
                    "case_id": f"C{i:04d}",
                    "collector_id": None,
                    "queue": "front_row:es",
                    "rank": i + 1,
                    "expected_value": Decimal("10.00"),
                    "currency": "EUR",
                    "reasons": "test",
                }
                for i in range(size)
            ],
        )


def test_workers_never_claim_the_same_case(database_url: str) -> None:
    postgres = database_url.startswith("postgresql")
    workers, size = (20, 200) if postgres else (6, 60)
    setup = make_engine(database_url)
    try:
        one_queue(setup, size, workers)
    finally:
        setup.dispose()
    claims: dict[str, list[str]] = {f"W{n:02d}": [] for n in range(workers)}
    errors: list[BaseException] = []
    start = threading.Barrier(workers)

    def work(collector_id: str) -> None:
        # each worker has its own engine, so its own connection and transactions
        engine = make_engine(database_url)
        sessions = session_factory(engine)
        try:
            start.wait()
            while True:
                item = claim_next(
                    lambda: SqlUnitOfWork(sessions), collector_id=collector_id, business_date=D
                )
                if item is None:
                    return
                claims[collector_id].append(item.case_id)
        except BaseException as error:  # noqa: BLE001 - reported by the main thread
            errors.append(error)
        finally:
            engine.dispose()

    threads = [threading.Thread(target=work, args=(c,)) for c in claims]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    taken = [case for got in claims.values() for case in got]
    duplicates = [case for case, n in Counter(taken).items() if n > 1]
    assert duplicates == []
    assert sorted(taken) == [f"C{i:04d}" for i in range(size)]  # together, all of them
    assert sum(1 for got in claims.values() if got) > 1  # really concurrent, not one worker
    check = make_engine(database_url)
    try:
        with check.connect() as conn:
            by_status = dict(
                conn.execute(
                    select(w.worklist_items.c.status, func.count()).group_by(
                        w.worklist_items.c.status
                    )
                ).all()
            )
            claimed_events = conn.execute(
                select(func.count())
                .select_from(w.case_events)
                .where(w.case_events.c.kind == "worklist_claimed")
            ).scalar_one()
            owners = dict(
                conn.execute(
                    select(w.worklist_items.c.case_id, w.worklist_items.c.claimed_by)
                ).all()
            )
    finally:
        check.dispose()
    assert by_status == {"claimed": size}
    assert claimed_events == size
    assert all(owners[case] == who for who, got in claims.items() for case in got)
