"""Integration fixtures: a real database, migrated with Alembic, on SQLite and on PostgreSQL.

- `database_url`: a clean, migrated database for one test. SQLite: a copy of a migrated template
  file. PostgreSQL: one fresh database per test module (`arrears_test_<random>`, created on the
  server of ARREARS_TEST_POSTGRES_URL, migrated with `upgrade()`, dropped afterwards), emptied
  before each test. When PostgreSQL is unreachable the `postgres` params are skipped, with the
  reason in the report.
- `engine`, `uow_factory`: built on `database_url` and disposed after the test.
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine, make_url

from arrears.adapters.store.db import make_engine, session_factory
from arrears.adapters.store.migrate import upgrade
from arrears.adapters.store.tables import metadata
from arrears.adapters.store.uow import SqlUnitOfWork

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
]


def postgres_admin_url() -> str:
    return os.environ.get("ARREARS_TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL)


def _postgres_unreachable(url: str) -> str | None:
    """None when PostgreSQL answers at `url`, else why not."""
    import psycopg  # noqa: PLC0415 - only the PostgreSQL params need it

    parsed = make_url(url)
    try:
        connection = psycopg.connect(
            parsed.set(drivername="postgresql").render_as_string(hide_password=False),
            connect_timeout=3,
        )
    except psycopg.Error as error:
        return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    connection.close()
    return None


@pytest.fixture(scope="session")
def postgres_server() -> str:
    url = postgres_admin_url()
    problem = _postgres_unreachable(url)
    if problem is not None:
        shown = make_url(url).render_as_string(hide_password=True)
        pytest.skip(
            f"PostgreSQL not reachable at {shown}: set ARREARS_TEST_POSTGRES_URL ({problem})"
        )
    return url


def _admin_execute(admin_url: str, statement: str) -> None:
    engine = make_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(text(statement))
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def migrated_template(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A migrated database per backend and test module: a SQLite file or a PostgreSQL db."""
    backend: str = request.param
    if backend == "sqlite":
        path = tmp_path_factory.mktemp("sqlite-template") / "template.db"
        url = f"sqlite:///{path}"
        upgrade(url)
        yield url
        return
    admin = request.getfixturevalue("postgres_server")
    name = f"arrears_test_{uuid.uuid4().hex[:12]}"
    _admin_execute(admin, f'CREATE DATABASE "{name}"')
    url = make_url(admin).set(database=name).render_as_string(hide_password=False)
    try:
        upgrade(url)
        yield url
    finally:
        _admin_execute(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "migrated_template" in metafunc.fixturenames:
        metafunc.parametrize("migrated_template", BACKENDS, indirect=True, scope="module")


def _truncate_all(url: str) -> None:
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            names = ", ".join(f'"{table.name}"' for table in metadata.sorted_tables)
            # TRUNCATE bypasses the row-level append-only triggers: test set-up only
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    finally:
        engine.dispose()


@pytest.fixture
def database_url(migrated_template: str, tmp_path: Path) -> str:
    """A clean, migrated database for this test (see the module docstring)."""
    if migrated_template.startswith("sqlite"):
        template = Path(make_url(migrated_template).database or "")
        target = tmp_path / "arrears.db"
        shutil.copyfile(template, target)
        return f"sqlite:///{target}"
    _truncate_all(migrated_template)
    return migrated_template


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def uow_factory(engine: Engine) -> Callable[[], SqlUnitOfWork]:
    sessions = session_factory(engine)
    return lambda: SqlUnitOfWork(sessions)
