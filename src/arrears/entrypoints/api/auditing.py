"""Audit a service's write in the service's own transaction.

The workflow services open their own unit of work from the factory they are given. The API
hands them a factory whose units of work append the request's record to the audit chain just
before they commit, so the change and its audit record commit together or not at all, without
the services knowing about HTTP requests.
"""

from collections.abc import Callable, Mapping
from typing import Any

from arrears.adapters.store.db import session_factory
from arrears.adapters.store.uow import SqlUnitOfWork
from arrears.bootstrap import App
from arrears.services.security import Principal, audit_append


class _AuditingUnitOfWork(SqlUnitOfWork):
    def __init__(self, factory: "AuditedWrites") -> None:
        super().__init__(factory.sessions)
        self._factory = factory

    def _commit(self) -> None:
        if not self._factory.recorded:
            self._factory.append(self)
        super()._commit()


class AuditedWrites:
    """A unit-of-work factory: the first commit through it carries the audit record."""

    def __init__(
        self,
        app: App,
        principal: Principal,
        request_id: str,
        *,
        action: str,
        entity: str,
        entity_id: str,
        after: Mapping[str, Any] | None = None,
    ) -> None:
        self.sessions = session_factory(app.engine)
        self.principal = principal
        self.request_id = request_id
        self.action = action
        self.entity = entity
        self.entity_id = entity_id
        self.after = after
        self.recorded = False

    def append(self, uow: SqlUnitOfWork) -> None:
        audit_append(
            uow,
            actor=self.principal.actor,
            role=self.principal.role,
            request_id=self.request_id,
            action=self.action,
            entity=self.entity,
            entity_id=self.entity_id,
            after=self.after,
        )
        self.recorded = True

    def __call__(self) -> SqlUnitOfWork:
        return _AuditingUnitOfWork(self)


UowFactory = Callable[[], SqlUnitOfWork]

__all__ = ["AuditedWrites", "UowFactory"]
