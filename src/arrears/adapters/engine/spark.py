"""Apache Spark as an `SqlEngine`: the DuckDB SQL, transpiled, for books one machine cannot hold.

Local mode (`local[*]`, the default) runs in one JVM beside this process, headless and offline: no
UI, the driver bound to 127.0.0.1. A cluster is named by `master` (or `ARREARS_SPARK_MASTER`, e.g.
`spark://host:7077`), with extra settings from `conf` (or `ARREARS_SPARK_CONF`, `k=v,k=v`); see
docs/engines.md for what changes on a cluster.

The session is set up for exact money: ANSI mode (an overflowing DECIMAL or a bad cast raises, as in
DuckDB, instead of becoming NULL) and no precision loss in DECIMAL arithmetic (Spark may otherwise
cut the scale of a result to make room for its integer digits).
"""

from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING

from pyspark.errors import PySparkRuntimeError
from pyspark.sql import SparkSession

from arrears.adapters.engine.dialects import transpile
from arrears.domain.errors import InvalidConfig

if TYPE_CHECKING:
    from collections.abc import Mapping

    import pyarrow as pa
    from pyspark.sql import DataFrame

MASTER_ENV = "ARREARS_SPARK_MASTER"
CONF_ENV = "ARREARS_SPARK_CONF"
DEFAULT_MASTER = "local[*]"

# per session: the SQL semantics the engine SQL is written for
SESSION_CONF = {
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.ansi.enabled": "true",
    "spark.sql.decimalOperations.allowPrecisionLoss": "false",
    "spark.sql.execution.arrow.useLargeVarTypes": "false",  # plain strings, as DuckDB gives
}
# when this engine starts Spark: headless, quiet, nothing written to the working directory
STARTUP_CONF = {
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.catalogImplementation": "in-memory",  # no Hive metastore_db / derby.log
    "spark.log.level": "WARN",
}
# local mode only: a driver on a cluster must be reachable by its executors
LOCAL_CONF = {
    "spark.driver.host": "127.0.0.1",
    "spark.driver.bindAddress": "127.0.0.1",
}
_LOCAL_THREADS = re.compile(r"local\[(\d+|\*)(?:,\s*\d+)?\]")
_CONF_SPLIT = re.compile(r",(?=\s*[A-Za-z0-9_.\-]+\s*=)")


def parse_conf(text: str) -> dict[str, str]:
    """`k=v,k=v` as a dict. A comma only separates settings when a `key=` follows it, so values
    may hold commas (`spark.jars=a.jar,b.jar`)."""
    result: dict[str, str] = {}
    for item in _CONF_SPLIT.split(text.strip()):
        if not item.strip():
            continue
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise InvalidConfig(f"Spark setting {item.strip()!r} is not key=value")
        result[key.strip()] = value.strip()
    return result


def is_local(master: str) -> bool:
    return master == "local" or master.startswith("local[")


def local_threads(master: str) -> int:
    """How many cores a local master uses: `local` 1, `local[4]` 4, `local[*]` all."""
    match = _LOCAL_THREADS.fullmatch(master)
    if match is None:
        return 1
    return (os.cpu_count() or 1) if match.group(1) == "*" else max(1, int(match.group(1)))


def _running_session() -> SparkSession | None:
    try:
        return SparkSession.active()
    except PySparkRuntimeError:
        return None


def spark_settings(master: str, conf: Mapping[str, str] | None = None) -> dict[str, str]:
    """Every setting a new session gets: ours, then local-mode ones, then `conf` over them."""
    settings = {**STARTUP_CONF, **SESSION_CONF}
    if is_local(master):
        settings.update(LOCAL_CONF)
        partitions = str(local_threads(master))
        settings["spark.sql.shuffle.partitions"] = partitions  # one per core, not 200
        settings["spark.default.parallelism"] = partitions
    settings.update(conf or {})
    return settings


class SparkEngine:
    """Spark SQL through a SparkSession: inputs are temporary views, results come back as Arrow.

    `master` and `conf` default to `ARREARS_SPARK_MASTER` (else `local[*]`) and
    `ARREARS_SPARK_CONF`; `conf` is a mapping or `k=v,k=v` text and wins over the environment.
    When Spark already runs in this process the engine joins it (`master` and the settings only
    a new SparkContext reads are then ignored).
    """

    name = "spark"

    def __init__(
        self,
        *,
        master: str | None = None,
        conf: Mapping[str, str] | str | None = None,
        app_name: str = "arrears",
    ) -> None:
        extra = parse_conf(os.environ.get(CONF_ENV, ""))
        extra.update(parse_conf(conf) if isinstance(conf, str) else dict(conf or {}))
        existing = _running_session()
        if existing is not None:
            # Spark already runs in this process (a notebook, another engine): share its
            # SparkContext (and master), with our own SQL settings and temporary views
            settings = spark_settings(existing.sparkContext.master or "", extra)
            self._setup(existing.newSession(), settings, owns_session=False)
            return
        master = master or os.environ.get(MASTER_ENV) or DEFAULT_MASTER
        settings = spark_settings(master, extra)
        if is_local(master):
            # read by the JVM at start: otherwise it looks up (and warns about) the host's address
            os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
        builder = SparkSession.builder.master(master).appName(app_name)
        for key, value in settings.items():
            builder = builder.config(key, value)
        self._setup(builder.getOrCreate(), settings, owns_session=True)

    @classmethod
    def from_session(cls, session: SparkSession) -> SparkEngine:
        """An engine on an existing session's SparkContext (closing it leaves Spark running)."""
        engine = cls.__new__(cls)
        engine._setup(session.newSession(), SESSION_CONF, owns_session=False)  # noqa: SLF001
        return engine

    def _setup(
        self, session: SparkSession, settings: Mapping[str, str], *, owns_session: bool
    ) -> None:
        self.session = session
        self._owns_session = owns_session
        self._closed = False
        self._views: set[str] = set()
        self._cached: dict[str, DataFrame] = {}
        for key, value in settings.items():
            if self.session.conf.isModifiable(key):  # SQL settings: per session, even if shared
                self.session.conf.set(key, value)

    def register_arrow(self, name: str, table: pa.Table) -> None:
        self._replace_view(name, self.session.createDataFrame(table))

    def register_parquet(self, name: str, path: os.PathLike[str] | str) -> None:
        """`path`: a file or folder, local or on shared storage (`s3a://`, `hdfs://`, ...) that
        every executor can read; pass URLs as `str` (a `Path` would fold their `//`)."""
        self._replace_view(name, self.session.read.parquet(os.fspath(path)))

    def create_table(self, name: str, sql: str) -> None:
        """Run `sql` now and keep its result (memory, spilling to disk) as view `name`, as DuckDB's
        CREATE TABLE AS does: errors surface here and later steps read the stored rows.

        The result is a local checkpoint: materialised at once (before replacing, as `sql` may
        read the view it replaces) and with its lineage cut, so a table built from tables built
        from tables (the charge step's waves) does not drag every earlier plan along; Spark would
        otherwise re-analyse them all for each statement, and run out of heap. On a cluster the
        rows live on the executors: losing one fails the step, and the cycle is resumed."""
        frame = self.session.sql(transpile(sql)).localCheckpoint(eager=True)
        self._replace_view(name, frame)
        self._cached[name] = frame

    def query_arrow(self, sql: str) -> pa.Table:
        return self.session.sql(transpile(sql)).toArrow()

    def close(self) -> None:
        """Drop what this engine cached and registered; stop Spark if this engine started it
        (engines sharing it then stop too: close the one that started Spark last)."""
        if self._closed:
            return
        self._closed = True
        for frame in self._cached.values():
            frame.unpersist()
        self._cached.clear()
        if self._owns_session:
            self.session.stop()
        else:
            for view in self._views:
                self.session.catalog.dropTempView(view)
        self._views.clear()

    def _replace_view(self, name: str, frame: DataFrame) -> None:
        old = self._cached.pop(name, None)
        frame.createOrReplaceTempView(name)
        self._views.add(name)
        if old is not None and not old.sameSemantics(frame):  # the same plan shares one cache
            old.unpersist()
