"""The set-based engine seam: the nightly cycle's steps are SQL written once (DuckDB dialect) and
run by an `SqlEngine`: DuckDB embedded by default, Apache Spark for books one machine cannot hold
(`arrears.adapters.engine.spark`, which transpiles the same SQL with SQLGlot)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

import duckdb

if TYPE_CHECKING:
    from pathlib import Path

    import pyarrow as pa


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


class DuckDBEngine:
    """The default engine: DuckDB in this process, in memory or on a spill file."""

    name = "duckdb"

    def __init__(self, *, threads: int | None = None, memory_limit: str | None = None) -> None:
        self.con = duckdb.connect(":memory:")
        if threads:
            self.con.execute(f"SET threads = {int(threads)}")
        if memory_limit:
            self.con.execute("SET memory_limit = ?", [memory_limit])

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
        return DuckDBEngine()
    if name == "spark":
        from arrears.adapters.engine.spark import SparkEngine  # noqa: PLC0415 - optional, heavy

        return SparkEngine(**options)
    from arrears.domain.errors import InvalidInput  # noqa: PLC0415

    raise InvalidInput(f"unknown engine {name!r}: use duckdb or spark")
