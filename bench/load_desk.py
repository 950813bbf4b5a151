"""The desk's load test: simulated collectors working their day over the HTTP API on PostgreSQL.

`python -m bench.load_desk` (or `BENCH_LOAD=1 make bench`):

1. a fresh PostgreSQL database (dropped and created), migrated (`arrears db upgrade`);
2. a generated book (`arrears generate`, cached under bench/cache/desk-book-<n>) imported,
   a demo floor of collectors (`arrears collectors seed-demo`), the nightly cycle for the
   business date (so the worklists exist), then one user and bearer token per collector;
3. the API served by uvicorn on a free loopback port (the same `create_app(bootstrap())` as
   `arrears serve`, with `--workers`);
4. one asyncio task and one httpx client per collector, each looping: claim next -> read the
   case (the account screen's data) -> log the call -> record a promise -> complete, with a
   think time between requests, for a warm-up then a measured window; a collector whose list
   and pools are empty has nothing left to do (`claim-next` answers `item: null`: an expected
   business outcome, not an error) and stops;
5. the database then counts what was written (contact records, promises, completed items) and
   compares with the successful responses: a lost write is a 2xx the database does not hold.

Why asyncio + httpx and not locust: locust is not a locked dependency and its gevent
monkey-patching does not mix with the project's code; 200 coroutines with one client each give
the same closed-loop model (one outstanding request per collector) with latencies taken around
each request on the client side, so they include queueing in the server and the database.

Environment: BENCH_LOAD_COLLECTORS (200), BENCH_LOAD_ACCOUNTS (20000), BENCH_LOAD_DURATION_S
(60), BENCH_LOAD_WARMUP_S (10), BENCH_LOAD_THINK_S (mean pause between a collector's requests,
10: reading the account and talking take a person far longer; 1 is a stress run, 0 back to
back), BENCH_LOAD_WORKERS (uvicorn worker processes, 2), BENCH_LOAD_PG_URL
(the server, postgresql+psycopg://postgres@127.0.0.1:5432), BENCH_LOAD_DB (arrears_load),
BENCH_LOAD_THREADS (handler threads per worker; FastAPI's default 40 when unset),
BENCH_LOAD_REUSE=1 keeps a database already prepared (faster reruns; the day's worklists are
re-opened first), BENCH_LOAD_PROFILE=1 runs one worker with every request handler under
cProfile and writes the hottest functions next to the results.
"""

from __future__ import annotations

import asyncio
import contextlib
import cProfile
import datetime as dt
import io
import json
import os
import platform
import pstats
import random
import secrets
import socket
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import anyio.to_thread
import httpx
from sqlalchemy import create_engine, func, select, text, update
from sqlalchemy.engine import make_url

from arrears.adapters.store import workflow_tables as w

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Callable

    from fastapi import FastAPI

ROOT = Path(__file__).resolve().parent
CACHE = ROOT / "cache"
RESULTS = ROOT / "results"
BUSINESS_DATE = dt.date(2026, 11, 23)
OPERATIONS = ("claim_next", "get_case", "log_contact", "record_promise", "complete")
TARGET_P99_MS = 50.0
PROFILE_TOP = 40


@dataclass(frozen=True, slots=True)
class Config:
    collectors: int
    accounts: int
    duration_s: float
    warmup_s: float
    think_s: float
    workers: int
    server_url: str
    database: str
    reuse: bool
    profile: bool

    @classmethod
    def from_env(cls) -> Config:
        env = os.environ.get
        return cls(
            collectors=int(env("BENCH_LOAD_COLLECTORS", "200")),
            accounts=int(env("BENCH_LOAD_ACCOUNTS", "20000")),
            duration_s=float(env("BENCH_LOAD_DURATION_S", "60")),
            warmup_s=float(env("BENCH_LOAD_WARMUP_S", "10")),
            think_s=float(env("BENCH_LOAD_THINK_S", "10")),
            workers=int(env("BENCH_LOAD_WORKERS", "2")),
            server_url=env("BENCH_LOAD_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432"),
            database=env("BENCH_LOAD_DB", "arrears_load"),
            reuse=env("BENCH_LOAD_REUSE", "0") == "1",
            profile=env("BENCH_LOAD_PROFILE", "0") == "1",
        )

    @property
    def database_url(self) -> str:
        return f"{self.server_url.rstrip('/')}/{self.database}"


# -- preparing the database --------------------------------------------------------------------


def _arrears(database_url: str, *args: str) -> None:
    command = [str(Path(sys.executable).with_name("arrears")), "--database-url", database_url]
    subprocess.run([*command, *args], check=True, stdout=subprocess.DEVNULL)  # noqa: S603


def _recreate_database(config: Config) -> None:
    admin = create_engine(
        make_url(f"{config.server_url.rstrip('/')}/postgres"), isolation_level="AUTOCOMMIT"
    )
    name = config.database
    if not name.replace("_", "").isalnum():
        msg = f"BENCH_LOAD_DB must be letters, digits and _: {name!r}"
        raise SystemExit(msg)
    try:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()


def _book(accounts: int) -> Path:
    folder = CACHE / f"desk-book-{accounts}"
    if not (folder / "payments.csv").exists():
        folder.mkdir(parents=True, exist_ok=True)
        _arrears(
            "sqlite://",
            "generate",
            "--accounts",
            str(accounts),
            "--as-of",
            BUSINESS_DATE.isoformat(),
            "--out",
            str(folder),
        )
    return folder


def prepare(config: Config) -> dict[str, float]:
    """A fresh, migrated database with the book imported, the floor seeded and the day's
    worklists built. Returns the seconds each part took."""
    timings: dict[str, float] = {}
    started = time.perf_counter()
    folder = _book(config.accounts)
    timings["generate_s"] = time.perf_counter() - started
    started = time.perf_counter()
    _recreate_database(config)
    url = config.database_url
    _arrears(url, "db", "upgrade")
    for kind in ("borrowers", "related-parties", "loans", "installments", "payments"):
        _arrears(url, "import", kind, str(folder / f"{kind}.csv"))
    timings["import_s"] = time.perf_counter() - started
    started = time.perf_counter()
    _arrears(url, "collectors", "seed-demo", "--count", str(config.collectors))
    _arrears(url, "cycle", "--as-of", BUSINESS_DATE.isoformat())
    timings["cycle_s"] = time.perf_counter() - started
    started = time.perf_counter()
    settle(url)
    timings["settle_s"] = time.perf_counter() - started
    return timings


def settle(database_url: str) -> None:
    """A database in its steady state, as a server's would be: statistics gathered and dirty
    pages written now, not by autovacuum and a checkpoint in the middle of the window (the first
    fresh-database runs showed second-long contact and promise requests from just that)."""
    engine = create_engine(make_url(database_url), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(text("VACUUM (ANALYZE)"))
            with contextlib.suppress(Exception):  # CHECKPOINT needs a privileged role
                connection.execute(text("CHECKPOINT"))
    finally:
        engine.dispose()


def reopen_day(database_url: str) -> None:
    """For a rerun on a prepared database: the day's items claimable again (the earlier run's
    contacts and promises stay; the counts below are taken as differences)."""
    engine = create_engine(make_url(database_url))
    try:
        with engine.begin() as connection:
            connection.execute(
                update(w.worklist_items)
                .where(w.worklist_items.c.business_date == BUSINESS_DATE)
                .values(status="open", claimed_by=None, claimed_at=None)
            )
    finally:
        engine.dispose()


def issue_tokens(database_url: str) -> dict[str, str]:
    """One collector user and one API token per collector of the floor (bearer secrets by
    collector id). The users never log in, so their passwords are hashed with argon2id at its
    lowest cost: the production cost (~0.25 s a hash) would add a minute of set-up."""
    from argon2 import PasswordHasher  # noqa: PLC0415

    from arrears.bootstrap import bootstrap  # noqa: PLC0415
    from arrears.config import Settings  # noqa: PLC0415
    from arrears.domain.security import Role  # noqa: PLC0415
    from arrears.services import security  # noqa: PLC0415

    security._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)  # noqa: SLF001
    app = bootstrap(Settings(database_url=database_url))
    tokens: dict[str, str] = {}
    try:
        with app.engine.connect() as connection:
            collectors = connection.execute(
                select(w.collectors.c.collector_id).order_by(w.collectors.c.collector_id)
            ).scalars()
            ids = list(collectors)
        existing = {u.username for u in security.list_users(app.uow_factory)}
        for collector_id in ids:
            if collector_id not in existing:
                security.create_user(
                    app.uow_factory,
                    username=collector_id,
                    password=secrets.token_urlsafe(24),
                    role=Role.COLLECTOR,
                    actor="bench",
                )
            tokens[collector_id] = security.issue_token(
                app.uow_factory,
                username=collector_id,
                name="load test",
                ttl=dt.timedelta(hours=2),
                actor="bench",
            ).secret
    finally:
        app.engine.dispose()
    return tokens


# -- the server --------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


_PROFILE_LOCK = threading.Lock()
#: the merged stats of every profiled call so far, and where to write them
_PROFILE: dict[str, Any] = {"stats": None, "calls": 0, "out": None}
DUMP_EVERY = 50  # calls: the file is rewritten as the run goes (a worker is stopped by signal)


def _profiled(call: Callable[..., Any]) -> Callable[..., Any]:
    def run(*args: Any, **kwargs: Any) -> Any:
        profile = cProfile.Profile()
        profile.enable()
        try:
            return call(*args, **kwargs)
        finally:
            profile.disable()
            with _PROFILE_LOCK:
                merged = _PROFILE["stats"]
                if merged is None:
                    _PROFILE["stats"] = pstats.Stats(profile)
                else:
                    merged.add(profile)
                _PROFILE["calls"] += 1
                if _PROFILE["calls"] % DUMP_EVERY == 0:
                    _PROFILE["stats"].dump_stats(_PROFILE["out"])

    return run


def _install_profiler(out: Path) -> None:
    """Every sync handler and dependency FastAPI runs in its thread pool runs under its own
    cProfile (a profile sees one thread); the stats are merged and written every 50 calls."""
    from fastapi import routing  # noqa: PLC0415
    from fastapi.dependencies import utils as dependency_utils  # noqa: PLC0415
    from starlette.concurrency import run_in_threadpool  # noqa: PLC0415

    async def profiled_threadpool(call: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        return await run_in_threadpool(_profiled(call), *args, **kwargs)

    _PROFILE["out"] = str(out)
    setattr(routing, "run_in_threadpool", profiled_threadpool)  # noqa: B010
    setattr(dependency_utils, "run_in_threadpool", profiled_threadpool)  # noqa: B010


def serve_app() -> FastAPI:
    """The uvicorn factory (`--factory`): the API as `arrears serve` builds it."""
    from arrears.bootstrap import bootstrap  # noqa: PLC0415
    from arrears.entrypoints.api import create_app  # noqa: PLC0415

    profile_to = os.environ.get("BENCH_LOAD_PROFILE_OUT")
    if profile_to:
        _install_profiler(Path(profile_to))
    api = create_app(bootstrap())
    threads = int(os.environ.get("BENCH_LOAD_THREADS", "0"))
    if threads > 0:  # an experiment: fewer handler threads than FastAPI's default 40

        @contextlib.asynccontextmanager
        async def lifespan(_api: FastAPI) -> AsyncIterator[None]:
            anyio.to_thread.current_default_thread_limiter().total_tokens = threads
            yield

        api.router.lifespan_context = lifespan
    return api


@contextlib.contextmanager
def server(config: Config, port: int, profile_out: Path | None) -> Any:
    env = {**os.environ, "ARREARS_DATABASE_URL": config.database_url}
    if profile_out is not None:
        env["BENCH_LOAD_PROFILE_OUT"] = str(profile_out)
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "bench.load_desk:serve_app",
        "--factory",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(1 if profile_out else config.workers),
        "--no-access-log",
        "--log-level",
        "warning",
    ]
    process = subprocess.Popen(command, env=env, cwd=ROOT.parent)  # noqa: S603
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code < 500:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                msg = "the API server did not start"
                raise SystemExit(msg)
            time.sleep(0.3)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


# -- the simulated collectors ------------------------------------------------------------------


@dataclass(slots=True)
class Tally:
    """What the collectors saw: latencies (s) and outcomes per operation."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: {o: [] for o in OPERATIONS})
    ok: dict[str, int] = field(default_factory=lambda: dict.fromkeys(OPERATIONS, 0))
    errors: dict[str, int] = field(default_factory=lambda: dict.fromkeys(OPERATIONS, 0))
    error_samples: list[str] = field(default_factory=list)
    empty: int = 0  # claim-next with nothing left: a business outcome
    #: successful writes over the whole run (warm-up included): what the database must hold
    written: dict[str, int] = field(default_factory=lambda: dict.fromkeys(OPERATIONS, 0))


@dataclass(slots=True)
class Clock:
    measuring: bool = False
    stopping: bool = False


class Collector:
    def __init__(
        self,
        collector_id: str,
        client: httpx.AsyncClient,
        tally: Tally,
        clock: Clock,
        amount: str,
    ) -> None:
        self.collector_id = collector_id
        self.amount = amount
        self.client = client
        self.tally = tally
        self.clock = clock
        self.rng = random.Random(collector_id)
        self.contacts = 0

    async def _call(
        self, op: str, method: str, path: str, body: dict[str, Any] | None = None
    ) -> httpx.Response | None:
        started = time.perf_counter()
        try:
            response = await self.client.request(method, path, json=body)
        except httpx.HTTPError as error:
            self._failed(op, f"{op}: {type(error).__name__}: {error}")
            return None
        elapsed = time.perf_counter() - started
        if self.clock.measuring:
            self.tally.latencies[op].append(elapsed)
        if response.is_success:
            self.tally.written[op] += 1
            if self.clock.measuring:
                self.tally.ok[op] += 1
            return response
        self._failed(op, f"{op}: {response.status_code} {response.text[:200]}")
        return None

    def _failed(self, op: str, sample: str) -> None:
        self.tally.errors[op] += 1  # counted in warm-up too: any error fails the run
        if len(self.tally.error_samples) < 20:
            self.tally.error_samples.append(sample)

    async def _think(self, mean: float) -> None:
        if mean > 0:
            await asyncio.sleep(self.rng.uniform(0.5 * mean, 1.5 * mean))

    async def work(self, think_s: float) -> None:
        await self._think(think_s)  # collectors do not all start in the same instant
        while not self.clock.stopping:
            if not await self.one_case(think_s):
                return

    async def one_case(self, think_s: float) -> bool:
        """One case worked end to end; False when there is nothing left to claim."""
        day = BUSINESS_DATE.isoformat()
        claimed = await self._call(
            "claim_next", "POST", "/worklist/claim-next", {"business_date": day}
        )
        if claimed is None:
            return True
        item = claimed.json()["item"]
        if item is None:
            self.tally.empty += 1
            return False
        case_id = item["case_id"]
        await self._think(think_s)
        screen = await self._call("get_case", "GET", f"/cases/{case_id}")
        borrower = screen.json()["case"].get("borrower_id", "unknown") if screen else "unknown"
        await self._think(think_s)
        self.contacts += 1
        at = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
        logged = await self._call(
            "log_contact",
            "POST",
            f"/cases/{case_id}/contacts",
            {
                "at": at.isoformat(),
                "channel": "call",
                "direction": "outbound",
                "address": f"+3460{self.contacts:07d}",
                "party": "mobile",
                "party_id": str(borrower),
                "purpose": "debt",
                "outcomes": ["right_party_contact", "promise"],
                "notes": "load test",
                "duration_seconds": 180,
            },
        )
        await self._think(think_s)
        await self._call(
            "record_promise",
            "POST",
            f"/cases/{case_id}/promises",
            {
                "made_on": day,
                "currency": item["currency"],
                "items": [
                    {
                        "due_on": (BUSINESS_DATE + dt.timedelta(days=2)).isoformat(),
                        "amount": self.amount,
                    }
                ],
                "method": "transfer",
                "contact_record_id": logged.json()["record_id"] if logged else None,
            },
        )
        await self._think(think_s)
        await self._call(
            "complete", "POST", f"/worklist/{case_id}/complete", {"business_date": day}
        )
        return True


async def _sample_load(samples: list[float], clock: Clock) -> None:
    while not clock.stopping:
        if clock.measuring:
            samples.append(os.getloadavg()[0])
        await asyncio.sleep(1.0)


async def drive(
    config: Config, port: int, tokens: dict[str, str], amount: str
) -> tuple[Tally, float, list[float]]:
    """Run the collectors: warm-up, then the measured window; in-flight cases are finished
    before returning (no claim is left open). Returns the tally, the measured seconds and the
    1-minute load averages sampled each second of the window."""
    tally, clock = Tally(), Clock()
    load: list[float] = []
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    clients = [
        httpx.AsyncClient(
            base_url=f"http://127.0.0.1:{port}",
            headers={"Authorization": f"Bearer {secret}"},
            timeout=httpx.Timeout(60.0),
            limits=limits,
        )
        for secret in tokens.values()
    ]
    try:
        collectors = [
            Collector(cid, client, tally, clock, amount)
            for cid, client in zip(tokens, clients, strict=True)
        ]
        sampler = asyncio.create_task(_sample_load(load, clock))
        tasks = [asyncio.create_task(c.work(config.think_s)) for c in collectors]
        await asyncio.sleep(config.warmup_s)
        clock.measuring = True
        started = time.perf_counter()
        await asyncio.sleep(config.duration_s)
        clock.measuring = False
        measured = time.perf_counter() - started
        clock.stopping = True
        await asyncio.gather(*tasks)
        await sampler
    finally:
        await asyncio.gather(*(c.aclose() for c in clients))
    return tally, measured, load


# -- checking and reporting --------------------------------------------------------------------


def counts(database_url: str) -> dict[str, int]:
    engine = create_engine(make_url(database_url))
    wi = w.worklist_items
    try:
        with engine.connect() as connection:

            def count(query: Any) -> int:
                return int(connection.execute(query).scalar_one())

            return {
                "contacts": count(select(func.count()).select_from(w.contact_log)),
                "promises": count(select(func.count()).select_from(w.promises)),
                "done": count(
                    select(func.count())
                    .select_from(wi)
                    .where(wi.c.business_date == BUSINESS_DATE, wi.c.status == "done")
                ),
                "claimed": count(
                    select(func.count())
                    .select_from(wi)
                    .where(wi.c.business_date == BUSINESS_DATE, wi.c.status == "claimed")
                ),
                "items": count(
                    select(func.count()).select_from(wi).where(wi.c.business_date == BUSINESS_DATE)
                ),
            }
    finally:
        engine.dispose()


def _ms(values: list[float], q: float) -> float | None:
    if not values:
        return None
    if len(values) == 1:
        return round(values[0] * 1000, 1)
    cuts = statistics.quantiles(values, n=1000, method="inclusive")
    return round(cuts[round(q * 1000) - 1] * 1000, 1)


def _stats(latencies: list[float], ok: int, errors: int, seconds: float) -> dict[str, Any]:
    return {
        "requests": len(latencies),
        "ok": ok,
        "errors": errors,
        "throughput_rps": round(len(latencies) / seconds, 1),
        "p50_ms": _ms(latencies, 0.50),
        "p95_ms": _ms(latencies, 0.95),
        "p99_ms": _ms(latencies, 0.99),
        "max_ms": round(max(latencies) * 1000, 1) if latencies else None,
    }


def machine() -> dict[str, Any]:
    model = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    memory_gb = 0.0
    with contextlib.suppress(OSError, ValueError, IndexError):
        first = Path("/proc/meminfo").read_text().splitlines()[0]
        memory_gb = round(int(first.split()[1]) / 1024 / 1024, 1)
    return {
        "cpu": model or platform.processor(),
        "cores": os.cpu_count(),
        "memory_gb": memory_gb,
        "python": platform.python_version(),
        "system": platform.platform(),
        "shared": "a shared development machine: other engineers' builds and tests ran at the "
        "same time (see the load averages)",
    }


def _postgres_version(database_url: str) -> str:
    engine = create_engine(make_url(database_url))
    try:
        with engine.connect() as connection:
            return str(connection.execute(text("SHOW server_version")).scalar_one())
    finally:
        engine.dispose()


def lost_writes(tally: Tally, before: dict[str, int], after: dict[str, int]) -> dict[str, Any]:
    checks = {
        "contacts": (tally.written["log_contact"], after["contacts"] - before["contacts"]),
        "promises": (tally.written["record_promise"], after["promises"] - before["promises"]),
        "completed": (tally.written["complete"], after["done"] - before["done"]),
    }
    return {
        name: {"acknowledged": acked, "in_database": stored, "lost": acked - stored}
        for name, (acked, stored) in checks.items()
    }


def profile_summary(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    stats = pstats.Stats(str(path))
    rows = []
    for (filename, line, name), (_cc, calls, tottime, cumtime, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        rows.append(
            {
                "function": f"{_short(filename)}:{line}:{name}",
                "calls": calls,
                "own_s": round(tottime, 3),
                "cumulative_s": round(cumtime, 3),
            }
        )
    rows.sort(key=lambda r: r["cumulative_s"], reverse=True)
    return rows[:PROFILE_TOP]


def _short(filename: str) -> str:
    for marker in ("site-packages/", "src/"):
        if marker in filename:
            return filename.split(marker, 1)[1]
    return filename


def markdown(result: dict[str, Any]) -> str:
    cfg, m, load = result["config"], result["machine"], result["load_average"]
    lines = [
        f"# Desk load test {result['started_at']}",
        "",
        (
            f"{cfg['collectors']} simulated collectors (asyncio + httpx, one client each) "
            f"against `uvicorn` with {result['server']['workers']} worker(s) on loopback, "
            f"PostgreSQL {result['postgres']}, book of {cfg['accounts']:,} accounts, "
            f"{result['worklist_items']:,} worklist items for {result['business_date']}. "
            f"Think time {cfg['think_s']} s (mean) between a collector's requests; "
            f"{cfg['warmup_s']:.0f} s warm-up, {result['measured_s']:.0f} s measured."
        ),
        "",
        (
            f"Machine: {m['cpu']}, {m['cores']} cores, {m['memory_gb']} GB RAM — "
            f"**{m['shared']}**; 1-minute load average during the window: min {load['min']}, "
            f"mean {load['mean']}, max {load['max']}. The load driver, the API server and "
            "PostgreSQL share these cores."
        ),
        "",
        "| operation | requests | req/s | p50 ms | p95 ms | p99 ms | max ms | errors |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, s in [*result["operations"].items(), ("**overall**", result["overall"])]:
        lines.append(
            f"| {name} | {s['requests']:,} | {s['throughput_rps']} | {s['p50_ms']} | "
            f"{s['p95_ms']} | {s['p99_ms']} | {s['max_ms']} | {s['errors']} |"
        )
    lines += [
        "",
        (
            f"Claims answered 'nothing left' (a business outcome): {result['queue_empty']}. "
            f"Items still claimed after the run: {result['left_claimed']}."
        ),
        "",
        "| written | acknowledged (2xx) | in the database | lost |",
        "| --- | ---: | ---: | ---: |",
    ]
    for name, row in result["lost_writes"].items():
        lines.append(
            f"| {name} | {row['acknowledged']:,} | {row['in_database']:,} | {row['lost']} |"
        )
    verdict = result["verdict"]
    lines += [
        "",
        (
            f"Target p99 <= {TARGET_P99_MS:.0f} ms: "
            f"**{'met' if verdict['p99_met'] else 'not met'}**; errors: "
            f"**{verdict['errors']}**; lost writes: **{verdict['lost_writes']}**."
        ),
    ]
    if result.get("profile"):
        lines += ["", "Hottest functions in the request handlers (cProfile, cumulative):", ""]
        lines += ["| function | calls | own s | cumulative s |", "| --- | ---: | ---: | ---: |"]
        lines += [
            f"| `{r['function']}` | {r['calls']:,} | {r['own_s']} | {r['cumulative_s']} |"
            for r in result["profile"][:25]
        ]
    if result["error_samples"]:
        lines += ["", "First errors:", "", *[f"- `{e}`" for e in result["error_samples"]]]
    return "\n".join(lines) + "\n"


def run(config: Config | None = None) -> dict[str, Any]:
    config = config or Config.from_env()
    started_at = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    url = config.database_url
    if config.reuse:
        reopen_day(url)
        prepared: dict[str, float] = {}
    else:
        prepared = prepare(config)
    tokens = dict(list(issue_tokens(url).items())[: config.collectors])
    before = counts(url)
    # a promise set's id is derived from its case, day and amounts: on a reused database the
    # same cases are worked again, so each run promises its own amount, small enough to lie
    # within any balance owed (the promise policy refuses more than is owed)
    amount = str(Decimal("1.00") + Decimal(before["promises"] % 100) / 100)
    RESULTS.mkdir(parents=True, exist_ok=True)
    profile_out = RESULTS / f"load-desk-{started_at}.prof" if config.profile else None
    port = _free_port()
    with server(config, port, profile_out):
        tally, measured, load = asyncio.run(drive(config, port, tokens, amount))
    after = counts(url)
    operations = {
        op: _stats(tally.latencies[op], tally.ok[op], tally.errors[op], measured)
        for op in OPERATIONS
    }
    everything = [x for op in OPERATIONS for x in tally.latencies[op]]
    overall = _stats(everything, sum(tally.ok.values()), sum(tally.errors.values()), measured)
    lost = lost_writes(tally, before, after)
    lost_total = sum(abs(row["lost"]) for row in lost.values())
    result: dict[str, Any] = {
        "started_at": started_at,
        "business_date": BUSINESS_DATE.isoformat(),
        "config": {
            "collectors": len(tokens),
            "accounts": config.accounts,
            "duration_s": config.duration_s,
            "warmup_s": config.warmup_s,
            "think_s": config.think_s,
        },
        "server": {
            "workers": 1 if config.profile else config.workers,
            "threads_per_worker": int(os.environ.get("BENCH_LOAD_THREADS", "0")) or 40,
            "profiled": config.profile,
        },
        "prepare_s": {k: round(v, 1) for k, v in prepared.items()},
        "machine": machine(),
        "postgres": _postgres_version(url),
        "load_average": {
            "min": round(min(load), 2) if load else None,
            "mean": round(statistics.fmean(load), 2) if load else None,
            "max": round(max(load), 2) if load else None,
        },
        "measured_s": round(measured, 1),
        "worklist_items": after["items"],
        "operations": operations,
        "overall": overall,
        "queue_empty": tally.empty,
        "left_claimed": after["claimed"] - before["claimed"],
        "lost_writes": lost,
        "error_samples": tally.error_samples,
        "verdict": {
            "p99_met": overall["p99_ms"] is not None and overall["p99_ms"] <= TARGET_P99_MS,
            "errors": sum(tally.errors.values()),
            "lost_writes": lost_total,
        },
    }
    if profile_out is not None:
        result["profile"] = profile_summary(profile_out)
    stem = RESULTS / f"load-desk-{started_at}"
    stem.with_suffix(".json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    stem.with_suffix(".md").write_text(markdown(result), encoding="utf-8")
    return result


def main() -> None:
    result = run()
    report = io.StringIO()
    report.write(markdown(result))
    sys.stdout.write(report.getvalue())
    verdict = result["verdict"]
    if verdict["errors"] or verdict["lost_writes"]:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
