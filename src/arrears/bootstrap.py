"""The composition root: build adapters from settings and hand them to services.

Nothing is built at import time; tests call bootstrap() with their own settings or fakes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from arrears.adapters.store.db import make_engine, session_factory
from arrears.adapters.store.uow import SqlUnitOfWork
from arrears.config import Settings

if TYPE_CHECKING:
    from collections.abc import Callable

    from sqlalchemy import Engine


@dataclass(frozen=True, slots=True)
class App:
    settings: Settings
    engine: Engine
    uow_factory: Callable[[], SqlUnitOfWork]


def bootstrap(settings: Settings | None = None, *, engine: Engine | None = None) -> App:
    settings = settings or Settings()
    engine = engine or make_engine(settings.database_url)
    sessions = session_factory(engine)

    def uow_factory() -> SqlUnitOfWork:
        return SqlUnitOfWork(sessions)

    return App(settings=settings, engine=engine, uow_factory=uow_factory)
