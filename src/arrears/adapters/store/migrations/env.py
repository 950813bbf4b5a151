"""Alembic environment for arrears, run programmatically by `arrears.adapters.store.migrate`.

`migrate.upgrade()` opens the connection itself and passes it in `config.attributes`; a URL in
the config (`sqlalchemy.url`) is the fallback for offline (`--sql`) runs.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from arrears.adapters.store.db import make_engine
from arrears.adapters.store.tables import metadata

config = context.config
target_metadata = metadata


def _configure_and_run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite cannot ALTER much
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if isinstance(connection, Connection):
        _configure_and_run(connection)
        return
    url = config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("no connection and no sqlalchemy.url given to the migrations")
    engine = make_engine(url)
    try:
        with engine.connect() as own:
            _configure_and_run(own)
            own.commit()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
