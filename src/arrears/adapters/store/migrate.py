"""Run the Alembic migrations programmatically: no alembic.ini on disk is needed.

The migration scripts live inside the package (`arrears/adapters/store/migrations`), so an
installed wheel can create and upgrade its own database: `arrears db upgrade`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from arrears.adapters.store.db import make_engine, normalise_url

if TYPE_CHECKING:
    from collections.abc import Callable

    from sqlalchemy import Engine

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config(url: str | None = None) -> Config:
    """An Alembic Config built in code (for the programmatic API and for tooling)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("path_separator", "os")
    if url is not None:
        rendered = normalise_url(url).render_as_string(hide_password=False)
        config.set_main_option("sqlalchemy.url", rendered.replace("%", "%%"))
    return config


def head() -> str:
    """The newest revision the package ships."""
    revision = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if revision is None:  # pragma: no cover - the package always ships a revision
        raise RuntimeError("no migrations found")
    return revision


def upgrade(url: str, revision: str = "head") -> None:
    """Create or migrate the schema at `url` to `revision`, in one transaction."""
    _run(url, lambda config: command.upgrade(config, revision))


def downgrade(url: str, revision: str) -> None:
    """Migrate the schema at `url` down to `revision` (`base` removes everything)."""
    _run(url, lambda config: command.downgrade(config, revision))


def current(url: str) -> str | None:
    """The revision the database at `url` is at; None when it has never been migrated."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()


def _run(url: str, action: Callable[[Config], None]) -> None:
    engine: Engine = make_engine(url)
    try:
        with engine.begin() as connection:
            config = alembic_config()
            config.attributes["connection"] = connection
            action(config)
    finally:
        engine.dispose()
