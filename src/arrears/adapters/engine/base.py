"""The set-based engine seam: the nightly cycle's steps are SQL written once (DuckDB dialect) and
run by an `SqlEngine`: DuckDB embedded by default, Apache Spark for books one machine cannot hold
(`arrears.adapters.engine.spark`, which transpiles the same SQL with SQLGlot)."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import duckdb

from arrears.domain.errors import InvalidConfig

if TYPE_CHECKING:
    import pyarrow as pa

THREADS_ENV = "ARREARS_DUCKDB_THREADS"
MEMORY_ENV = "ARREARS_DUCKDB_MEMORY_LIMIT"
TEMP_ENV = "ARREARS_DUCKDB_TEMP_DIRECTORY"


class SqlEngine(Protocol):
    name: str

    def register_arrow(self, name: str, table: pa.Table) -> None:
        """Make an Arrow table queryable as `name`."""

    def register_parquet(self, name: str, path: Path) -> None:
        """Make a Parquet file (or folder of files) queryable as `name`."""

    def create_table(self, name: str, sql: str) -> None:
        """Materialise the result of `sql` (DuckDB dialect) as table / view `name`."""

    def query_arrow(self, sql: str) -> pa.Table:
        """Run `sql` (DuckDB dialect) and return the result as Arrow."""

    def close(self) -> None: ...


@dataclass(frozen=True, slots=True)
class DuckDBSettings:
    """How much of the machine DuckDB may use. `memory_limit` ("8GB", "75%") caps its buffer
    manager: beyond it, joins, sorts and aggregates spill to `temp_directory`. None: DuckDB's
    defaults (all cores, 80% of RAM, a spill folder beside a file database only)."""

    threads: int | None = None
    memory_limit: str | None = None
    temp_directory: Path | None = None

    @classmethod
    def from_environment(cls) -> DuckDBSettings:
        """ARREARS_DUCKDB_THREADS, ARREARS_DUCKDB_MEMORY_LIMIT, ARREARS_DUCKDB_TEMP_DIRECTORY."""
        threads = os.environ.get(THREADS_ENV, "").strip()
        if threads and not threads.isdigit():
            raise InvalidConfig(f"{THREADS_ENV} must be a whole number, got {threads!r}")
        temp = os.environ.get(TEMP_ENV, "").strip()
        return cls(
            threads=int(threads) if threads else None,
            memory_limit=os.environ.get(MEMORY_ENV, "").strip() or None,
            temp_directory=Path(temp) if temp else None,
        )

    def override(
        self,
        *,
        threads: int | None = None,
        memory_limit: str | None = None,
        temp_directory: Path | None = None,
    ) -> DuckDBSettings:
        """These settings with the given (not None) values in their place."""
        return replace(
            self,
            threads=threads or self.threads,
            memory_limit=memory_limit or self.memory_limit,
            temp_directory=temp_directory or self.temp_directory,
        )

    def apply(self, con: duckdb.DuckDBPyConnection) -> None:
        try:
            if self.threads:
                con.execute(f"SET threads = {int(self.threads)}")
            if self.memory_limit:
                con.execute(f"SET memory_limit = '{_setting(self.memory_limit)}'")
            if self.temp_directory:
                self.temp_directory.mkdir(parents=True, exist_ok=True)
                con.execute(f"SET temp_directory = '{_setting(str(self.temp_directory))}'")
        except duckdb.Error as exc:
            raise InvalidConfig(f"DuckDB setting refused: {exc}") from None


def _setting(value: str) -> str:
    return value.replace("'", "''")


class DuckDBEngine:
    """The default engine: DuckDB in this process, in memory (spilling to a temp directory)."""

    name = "duckdb"

    def __init__(
        self,
        *,
        threads: int | None = None,
        memory_limit: str | None = None,
        settings: DuckDBSettings | None = None,
    ) -> None:
        self.con = duckdb.connect(":memory:")
        chosen = (settings or DuckDBSettings()).override(threads=threads, memory_limit=memory_limit)
        chosen.apply(self.con)

    def _drop(self, name: str) -> None:
        """Drop whatever `name` is (a table hides a view of the same name; DROP needs the kind)."""
        kinds = self.con.execute(
            "SELECT 'TABLE' FROM duckdb_tables() WHERE table_name = ? UNION ALL "
            "SELECT 'VIEW' FROM duckdb_views() WHERE view_name = ? AND NOT internal",
            [name, name],
        ).fetchall()
        for (kind,) in kinds:
            self.con.execute(f"DROP {kind} IF EXISTS {name}")

    def register_arrow(self, name: str, table: pa.Table) -> None:
        self._drop(name)
        self.con.register(f"_arrow_{name}", table)
        self.con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT * FROM _arrow_{name}")
        self.con.unregister(f"_arrow_{name}")

    def register_parquet(self, name: str, path: Path) -> None:
        target = "'" + str(path).replace("'", "''") + "'"
        self._drop(name)
        self.con.execute(f"CREATE TEMP VIEW {name} AS SELECT * FROM read_parquet({target})")

    def create_table(self, name: str, sql: str) -> None:
        self.con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS {sql}")

    def query_arrow(self, sql: str) -> pa.Table:
        return self.con.sql(sql).to_arrow_table()

    def close(self) -> None:
        self.con.close()


def make_engine(name: str, **options: str) -> SqlEngine:
    if name == "duckdb":
        return DuckDBEngine(settings=DuckDBSettings.from_environment())
    if name == "spark":
        from arrears.adapters.engine.spark import SparkEngine  # noqa: PLC0415 - optional, heavy

        return SparkEngine(**options)
    from arrears.domain.errors import InvalidInput  # noqa: PLC0415

    raise InvalidInput(f"unknown engine {name!r}: use duckdb or spark")
