"""Engines and sessions for SQLite (the embedded default) and PostgreSQL (production).

SQLite connections get `PRAGMA foreign_keys = ON`, a busy timeout, WAL journaling for file
databases, and real transactions: the driver's own implicit transaction handling is switched
off and SQLAlchemy emits `BEGIN` itself, so reads and writes of one unit of work share one
transaction and savepoints work.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from enum import Enum
from typing import TYPE_CHECKING, Any

from sqlalchemy import create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.engine import URL

SQLITE_BUSY_TIMEOUT_S = 30


def _json_default(value: object) -> object:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def json_dumps(value: object) -> str:
    """JSON for audit payloads: Decimal as text (never float), dates in ISO form."""
    return json.dumps(value, default=_json_default, ensure_ascii=False, sort_keys=True)


def normalise_url(url: str | URL) -> URL:
    """`postgresql://` and `postgres://` mean psycopg 3 (the driver this project installs)."""
    parsed = make_url(url) if isinstance(url, str) else url
    if parsed.drivername in {"postgresql", "postgres"}:
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def make_engine(url: str | URL, **options: Any) -> Engine:
    """An Engine for `sqlite:///file.db`, `sqlite://` (memory) or `postgresql+psycopg://...`."""
    parsed = normalise_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed, **options)
    options.setdefault("pool_pre_ping", True)
    return create_engine(parsed, json_serializer=json_dumps, **options)


def _sqlite_engine(url: URL, **options: Any) -> Engine:
    database = url.database or ""
    in_memory = database in {"", ":memory:"} or database.startswith("file::memory:")
    connect_args = dict(options.pop("connect_args", {}))
    connect_args.setdefault("timeout", SQLITE_BUSY_TIMEOUT_S)
    engine = create_engine(url, json_serializer=json_dumps, connect_args=connect_args, **options)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # hand transaction control to SQLAlchemy (see the module docstring)
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA foreign_keys = ON")
            if not in_memory:
                cursor.execute("PRAGMA journal_mode = WAL")
                cursor.execute("PRAGMA synchronous = NORMAL")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN")

    return engine


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions bound to `engine`; objects stay readable after commit."""
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=False)
