"""Helpers for the API tests: an in-process client over a bootstrapped App, users and tokens.

Starlette's TestClient warns at import that it prefers the `httpx2` package; the project locks
`httpx`, so that one warning is silenced here (pytest turns warnings into errors).
"""

import datetime as dt
import warnings
from decimal import Decimal

import pytest
from argon2 import PasswordHasher
from sqlalchemy import func, insert, select

from arrears.adapters.store import security_tables as s
from arrears.adapters.store import tables as t
from arrears.bootstrap import App, bootstrap
from arrears.config import Settings
from arrears.domain.model import Borrower, Installment, Loan, Phone, PhoneKind
from arrears.domain.money import Money
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


# -- a small book, cases and the audit trail ---------------------------------------------------

NOW = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)
NATIONAL_IDS = {1: "12345678Z", 2: "X1234567L", 3: "PEGJ800101HDFRRN09"}


def eur(amount):
    return Money(Decimal(amount), "EUR")


def seed(app, borrowers=5):
    with app.uow_factory() as uow:
        for n in range(1, borrowers + 1):
            uow.borrowers.add(
                Borrower(
                    external_id=f"B-{n:02d}",
                    full_name=("Lucía Fernández" if n % 2 else "Wang Fang") + f" {n}",
                    language="es-ES" if n % 2 else "zh-CN",
                    country="ES" if n % 2 else "CN",
                    phones=(Phone(PhoneKind.MOBILE, f"+3461234{n:04d}", "ES", ("Europe/Madrid",)),),
                    emails=(f"b{n}@example.es",),
                ),
                national_id=NATIONAL_IDS.get(n, f"ID-{n:06d}"),
            )
            uow.loans.add(
                Loan(
                    external_id=f"L-{n:02d}",
                    borrower_id=f"B-{n:02d}",
                    currency="EUR",
                    principal=eur("1200.00"),
                    disbursed_on=dt.date(2026, 1, 15),
                    installments=tuple(
                        Installment(
                            n_, dt.date(2026, 1 + n_, 15), eur("400.00"), eur("10.00"), eur("0.00")
                        )
                        for n_ in (1, 2, 3)
                    ),
                )
            )
        uow.commit()


def assign(app, *, case_borrower, collector=None, queue=None, stage=None):
    """A case for borrower B-<n>, assigned to `collector` or waiting in `queue`."""
    with app.engine.begin() as connection:
        for collector_id, team in (("carla", "north"), ("diego", "south")):
            if not connection.execute(
                select(func.count()).where(
                    t.metadata.tables["collectors"].c.collector_id == collector_id
                )
            ).scalar():
                connection.execute(
                    insert(t.metadata.tables["collectors"]),
                    {
                        "collector_id": collector_id,
                        "full_name": collector_id.title(),
                        "team": team,
                        "languages": "es",
                        "capacity": 50,
                    },
                )
        borrower_pk = connection.execute(
            select(t.borrowers.c.id).where(t.borrowers.c.external_id == case_borrower)
        ).scalar_one()
        case_id = f"C-{case_borrower}"
        connection.execute(
            insert(t.metadata.tables["cases"]),
            {
                "case_id": case_id,
                "borrower_id": borrower_pk,
                "open_borrower_id": borrower_pk,
                "opened_on": dt.date(2026, 11, 1),
                "collector_id": collector,
                "stage_id": stage,
                "stage_entered_on": dt.date(2026, 11, 1) if stage else None,
                "created_at": NOW,
                "updated_at": NOW,
            },
        )
        if queue:
            connection.execute(
                insert(t.metadata.tables["worklist_items"]),
                {
                    "business_date": dt.date(2026, 11, 23),
                    "case_id": case_id,
                    "collector_id": None,
                    "queue": queue,
                    "rank": 1,
                    "expected_value": Decimal("100.00"),
                    "currency": "EUR",
                    "reasons": "test",
                },
            )


def audit_actions(app):
    with app.engine.connect() as connection:
        return connection.execute(
            select(
                s.audit_log.c.action,
                s.audit_log.c.actor,
                s.audit_log.c.entity_id,
                s.audit_log.c.request_id,
                s.audit_log.c.after,
            ).order_by(s.audit_log.c.seq)
        ).all()


__all__ = [
    "FAST_HASHER",
    "PASSWORD",
    "TestClient",
    "add_user",
    "api_app",
    "assign",
    "audit_actions",
    "bearer",
    "client",
    "fast_password_hashing",
    "seed",
]
