"""A token's last use is recorded at most once a minute: a busy API client adds no write per
request, and a later use after the minute is still recorded."""

import datetime as dt

import pytest
from sqlalchemy import select

from api_support import PASSWORD, fast_password_hashing
from arrears.adapters.store import security_tables as s
from arrears.adapters.store.db import session_factory
from arrears.adapters.store.uow import SqlUnitOfWork
from arrears.domain.security.roles import Role
from arrears.services.security import create_user, issue_token, resolve

pytestmark = pytest.mark.integration
T0 = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)


def test_last_use_is_refreshed_at_most_once_a_minute(engine, monkeypatch):
    fast_password_hashing(monkeypatch)
    sessions = session_factory(engine)
    clock = {"now": T0}

    def factory():
        return SqlUnitOfWork(sessions, clock=lambda: clock["now"])

    create_user(
        factory, username="dialer", password=PASSWORD, role=Role.ANALYST,
        actor="test",
    )  # fmt: skip
    token = issue_token(
        factory, username="dialer", name="t", ttl=dt.timedelta(days=1), actor="test"
    ).secret

    def last_used():
        with engine.connect() as conn:
            return conn.execute(select(s.api_tokens.c.last_used_at)).scalar_one()

    resolve(factory, kind="token", secret=token)
    assert last_used() == T0
    clock["now"] = T0 + dt.timedelta(seconds=30)
    resolve(factory, kind="token", secret=token)
    assert last_used() == T0  # within the minute: no write
    clock["now"] = T0 + dt.timedelta(seconds=90)
    resolve(factory, kind="token", secret=token)
    assert last_used() == T0 + dt.timedelta(seconds=90)
