"""Helpers for the API tests: an in-process client over a bootstrapped App, users and tokens.

Starlette's TestClient warns at import that it prefers the `httpx2` package; the project locks
`httpx`, so that one warning is silenced here (pytest turns warnings into errors).
"""

import datetime as dt
import warnings

import pytest
from argon2 import PasswordHasher

from arrears.bootstrap import App, bootstrap
from arrears.config import Settings
from arrears.domain.security import Role
from arrears.entrypoints.api import create_app
from arrears.services import security
from arrears.services.security import create_user, issue_token

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    from fastapi.testclient import TestClient

PASSWORD = "correct horse battery staple"  # noqa: S105 - a test fixture
#: argon2id with the smallest cost: the production parameters take ~0.25 s per hash
FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


def fast_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Hash and verify with `FAST_HASHER` in this test (as Django's test hasher does)."""
    monkeypatch.setattr(security, "_hasher", FAST_HASHER)
    monkeypatch.setattr(security, "_DUMMY_HASH", FAST_HASHER.hash("dummy password"))


def api_app(database_url: str, **settings: object) -> App:
    return bootstrap(Settings(database_url=database_url, environment="test", **settings))


def client(app: App) -> TestClient:
    return TestClient(create_app(app))


def add_user(app: App, username: str, role: Role, *, team: str | None = None) -> str:
    """Create a user and return a bearer token for them."""
    create_user(
        app.uow_factory, username=username, password=PASSWORD, role=role, team=team, actor="test"
    )
    return issue_token(
        app.uow_factory, username=username, name="test", ttl=dt.timedelta(days=1), actor="test"
    ).secret


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


__all__ = [
    "FAST_HASHER",
    "PASSWORD",
    "TestClient",
    "add_user",
    "api_app",
    "bearer",
    "client",
    "fast_password_hashing",
]
