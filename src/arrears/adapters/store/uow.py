"""The Unit of Work: one transaction, the repositories that share it, and the clock.

Services depend on `UnitOfWork` (an abstract base) and take a factory of them, so tests can hand
in a fake without a database::

    with uow_factory() as uow:
        loan = uow.loans.get("L-1")
        ...
        uow.audit.record(actor=actor, action="loan:payment:recorded", ...)
        uow.commit()

Leaving the block without `commit()` rolls everything back. Callbacks registered with
`after_commit` (notifications, outbox flushes) run only once the commit succeeded.
"""

from __future__ import annotations

import abc
import datetime as dt
from typing import TYPE_CHECKING, Self

from arrears.adapters.store.ledger import ContactLedger, SqlContactLedger
from arrears.adapters.store.repositories import (
    AuditLog,
    BorrowerRepository,
    BucketHistoryRepository,
    IngestStore,
    LoanRepository,
    SqlAuditLog,
    SqlBorrowerRepository,
    SqlBucketHistoryRepository,
    SqlIngestStore,
    SqlLoanRepository,
)

if TYPE_CHECKING:
    from collections.abc import Callable
    from types import TracebackType

    from sqlalchemy.orm import Session, sessionmaker


def utc_now() -> dt.datetime:
    """The wall clock, read only here at the adapter edge (timezone-aware, UTC)."""
    return dt.datetime.now(dt.UTC)


class UnitOfWork(abc.ABC):
    borrowers: BorrowerRepository
    loans: LoanRepository
    bucket_history: BucketHistoryRepository
    audit: AuditLog
    ingest: IngestStore
    ledger: ContactLedger

    def __init__(self, *, clock: Callable[[], dt.datetime] | None = None) -> None:
        self._clock = clock or utc_now
        self._after_commit: list[Callable[[], None]] = []

    def now(self) -> dt.datetime:
        """The current instant from the unit of work's clock (injectable for tests)."""
        return self._clock()

    def __enter__(self) -> Self:
        self._after_commit = []
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.rollback()  # a no-op after commit()

    def after_commit(self, callback: Callable[[], None]) -> None:
        """Run `callback` once this unit of work has committed (never if it rolls back)."""
        self._after_commit.append(callback)

    def commit(self) -> None:
        self._commit()
        callbacks, self._after_commit = self._after_commit, []
        for callback in callbacks:
            callback()

    def rollback(self) -> None:
        self._after_commit = []
        self._rollback()

    @abc.abstractmethod
    def _commit(self) -> None: ...

    @abc.abstractmethod
    def _rollback(self) -> None: ...


class SqlUnitOfWork(UnitOfWork):
    """A unit of work over one SQLAlchemy session (and so one database transaction)."""

    session: Session

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        *,
        clock: Callable[[], dt.datetime] | None = None,
    ) -> None:
        super().__init__(clock=clock)
        self._session_factory = session_factory

    def __enter__(self) -> Self:
        self.session = self._session_factory()
        self.borrowers = SqlBorrowerRepository(self.session, self.now)
        self.loans = SqlLoanRepository(self.session, self.now)
        self.bucket_history = SqlBucketHistoryRepository(self.session, self.now)
        self.audit = SqlAuditLog(self.session, self.now)
        self.ingest = SqlIngestStore(self.session, self.now)
        self.ledger = SqlContactLedger(self.session, self.now)
        return super().__enter__()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        try:
            super().__exit__(exc_type, exc, traceback)
        finally:
            self.session.close()

    def _commit(self) -> None:
        self.session.commit()

    def _rollback(self) -> None:
        self.session.rollback()


__all__ = ["SqlUnitOfWork", "UnitOfWork", "utc_now"]
