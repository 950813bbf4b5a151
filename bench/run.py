"""`make bench`: cached portfolios, then per size and engine the delinquency step, the whole
cycle (engine path) and the hand-tuned DuckDB reference, side by side; contact-policy checks.

Every measurement runs in a fresh process; wall time and the peak resident memory of the whole
process tree (Python and, for Spark, its JVM) are sampled from /proc (bench/measure.py).

- delinquency step: the engine's general query (`delinquency_sql`, as the cycle runs it) on
  the Parquet book, the result written to Parquet (bench/step.py)
- calculator: `arrears delinquency --engine E` on the same files: the step plus input
  validation (BENCH_CALCULATOR=0 skips it)
- reference: the same computation as one hand-tuned DuckDB query (bench/reference.py)
- whole cycle: every cycle step's engine SQL on the Parquet book, results to Parquet
  (bench/cycle_bench.py; what it does and does not include is said there)

Environment: BENCH_SIZES (default "100000,1000000"; add 10000000 for 10M), BENCH_ENGINES
(default "duckdb,spark"), BENCH_SPARK_MAX (largest size Spark runs, default 1000000: local Spark
on two cores takes too long beyond), BENCH_POLICY=0 skips the contact-policy benchmark,
BENCH_REPEAT (default 1) takes the fastest of n runs. ARREARS_DUCKDB_* settings pass through.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import subprocess
import sys
from pathlib import Path
from typing import Any

from bench import measure
from bench.book import AS_OF, book

ROOT = Path(__file__).resolve().parent
CACHE = ROOT / "cache"
RESULTS = ROOT / "results"


def _best(args: list[str], repeat: int) -> measure.Measured:
    runs = [measure.run(args) for _ in range(repeat)]
    return min(runs, key=lambda m: m.wall_s)


def _figures(result: measure.Measured) -> dict[str, Any]:
    return {
        "wall_s": round(result.wall_s, 2),
        "cpu_s": round(result.cpu_s, 2),
        "peak_mb": round(result.peak_mb),
    }


def delinquency_step(folder: Path, accounts: int, engine: str, repeat: int) -> dict[str, Any]:
    out = CACHE / f"status-{accounts}-{engine}.parquet"
    args = [sys.executable, "-m", "bench.step", str(folder), AS_OF.isoformat(), engine, str(out)]
    return _figures(_best(args, repeat))


def calculator(folder: Path, accounts: int, engine: str, repeat: int) -> dict[str, Any]:
    out = CACHE / f"calculator-{accounts}-{engine}.parquet"
    result = _best(
        [
            sys.executable,
            "-c",
            "from arrears.entrypoints.cli import main; main()",
            "delinquency",
            "--as-of",
            AS_OF.isoformat(),
            "--installments",
            str(folder / "installments.parquet"),
            "--payments",
            str(folder / "payments.parquet"),
            "--out",
            str(out),
            "--engine",
            engine,
        ],
        repeat,
    )
    return _figures(result)


def reference(folder: Path, accounts: int, repeat: int) -> dict[str, Any]:
    out = CACHE / f"reference-{accounts}.parquet"
    args = [sys.executable, "-m", "bench.reference", str(folder), AS_OF.isoformat(), str(out)]
    result = _best(args, repeat)
    return _figures(result)


def whole_cycle(folder: Path, accounts: int, engine: str, repeat: int) -> dict[str, Any]:
    out = CACHE / f"cycle-{accounts}-{engine}"
    base = [sys.executable, "-m", "bench.cycle_bench", str(folder), AS_OF.isoformat(), engine]
    if not (out / "history.parquet").exists():
        measure.run([*base, str(out), "--prepare"])
    result = _best([*base, str(out)], repeat)
    line = next(x for x in result.output.splitlines() if x.startswith("CYCLE"))
    detail = json.loads(line[len("CYCLE") :])
    return {**_figures(result), **detail}


def same_results(accounts: int, engines: list[str]) -> bool | None:
    """Do the engines' delinquency files hold the same rows as the reference's?"""
    import duckdb  # noqa: PLC0415

    files = [CACHE / f"status-{accounts}-{e}.parquet" for e in engines]
    files = [f for f in files if f.exists()]
    ref = CACHE / f"reference-{accounts}.parquet"
    if not files or not ref.exists():
        return None
    con = duckdb.connect()
    try:
        for path in files:
            differing = con.sql(
                f"SELECT count(*) FROM ((SELECT * FROM '{path}' EXCEPT ALL SELECT * FROM '{ref}') "
                f"UNION ALL (SELECT * FROM '{ref}' EXCEPT ALL SELECT * FROM '{path}'))"
            ).fetchall()[0][0]
            if differing:
                return False
        return True
    finally:
        con.close()


def machine() -> dict[str, object]:
    cpu = "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    versions: dict[str, str] = {}
    for module in ("duckdb", "pyarrow", "pyspark", "sqlglot", "numpy"):
        try:
            versions[module] = __import__(module).__version__
        except ImportError:
            versions[module] = "not installed"
    try:
        java = subprocess.run(
            ["java", "-version"],  # noqa: S607 - whatever java is on PATH, as Spark uses it
            capture_output=True,
            text=True,
            check=False,
        ).stderr.splitlines()[0]
    except (OSError, IndexError):
        java = "not installed"
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpu": cpu,
        "cpus": os.cpu_count(),
        "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
        "load_average_at_start": os.getloadavg(),
        "java": java,
        **versions,
    }


def markdown(report: dict[str, Any]) -> str:
    lines = [
        f"# Benchmark {report['stamp']}",
        "",
        "Machine: " + ", ".join(f"{k} {v}" for k, v in report["machine"].items()),
        "",
        (
            "| accounts | engine | step wall s | step CPU s | reference wall s "
            "| reference CPU s | ratio wall | ratio CPU | step peak MB | reference peak MB "
            "| cycle wall s | cycle CPU s | cycle peak MB | same rows as reference "
            "| calculator wall s | calculator CPU s | calculator peak MB |"
        ),
        (
            "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: "
            "| ---: | --- | ---: | ---: | ---: |"
        ),
    ]
    for row in report["rows"]:
        step, ref, cycle = row.get("delinquency"), row.get("reference"), row.get("cycle")

        def cell(part: dict[str, Any] | None, key: str) -> str:
            return "skipped" if part is None else f"{part[key]:,}"

        def ratio(key: str, step: dict[str, Any] | None, ref: dict[str, Any] | None) -> str:
            return f"{step[key] / ref[key]:.2f}x" if step and ref and ref[key] else "-"

        lines.append(
            f"| {row['accounts']:,} | {row['engine']} | {cell(step, 'wall_s')} "
            f"| {cell(step, 'cpu_s')} | {cell(ref, 'wall_s')} | {cell(ref, 'cpu_s')} "
            f"| {ratio('wall_s', step, ref)} | {ratio('cpu_s', step, ref)} "
            f"| {cell(step, 'peak_mb')} | {cell(ref, 'peak_mb')} | {cell(cycle, 'wall_s')} "
            f"| {cell(cycle, 'cpu_s')} | {cell(cycle, 'peak_mb')} "
            f"| {row.get('same_as_reference', '-')} | {cell(row.get('calculator'), 'wall_s')} "
            f"| {cell(row.get('calculator'), 'cpu_s')} "
            f"| {cell(row.get('calculator'), 'peak_mb')} |"
        )
    for row in report["rows"]:
        if row.get("cycle"):
            steps = ", ".join(f"{k} {v}s" for k, v in row["cycle"]["steps"].items())
            lines.append(f"\n{row['accounts']:,} {row['engine']} cycle steps: {steps}")
    if report.get("notes"):
        lines += ["", *(f"- {note}" for note in report["notes"])]
    return "\n".join(lines) + "\n"


def main() -> None:
    sizes = [int(s) for s in os.environ.get("BENCH_SIZES", "100000,1000000").split(",") if s]
    engines = [e for e in os.environ.get("BENCH_ENGINES", "duckdb,spark").split(",") if e]
    spark_max = int(os.environ.get("BENCH_SPARK_MAX", "1000000"))
    repeat = int(os.environ.get("BENCH_REPEAT", "1"))
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    report: dict[str, Any] = {"stamp": stamp, "machine": machine(), "rows": [], "notes": []}
    for accounts in sizes:
        folder = book(accounts)
        ref = reference(folder, accounts, repeat)
        print(
            f"{accounts:>12,}  reference      {ref['wall_s']:8.2f} s "
            f"({ref['cpu_s']:.2f} s CPU) {ref['peak_mb']:7} MB"
        )
        for engine in engines:
            row: dict[str, Any] = {"accounts": accounts, "engine": engine, "reference": ref}
            if engine == "spark" and accounts > spark_max:
                report["notes"].append(
                    f"Spark skipped at {accounts:,} accounts (BENCH_SPARK_MAX={spark_max:,}): "
                    "local mode on this machine's cores takes too long"
                )
                report["rows"].append(row)
                continue
            row["delinquency"] = delinquency_step(folder, accounts, engine, repeat)
            row["same_as_reference"] = same_results(accounts, [engine])
            row["cycle"] = whole_cycle(folder, accounts, engine, repeat)
            if os.environ.get("BENCH_CALCULATOR", "1") != "0":
                row["calculator"] = calculator(folder, accounts, engine, repeat)
            report["rows"].append(row)
            step, cycle = row["delinquency"], row["cycle"]
            print(json.dumps(row, default=str))
            print(
                f"{accounts:>12,}  {engine:<7} step   {step['wall_s']:8.2f} s "
                f"{step['peak_mb']:7} MB  ({step['wall_s'] / ref['wall_s']:.2f}x reference wall, "
                f"{step['cpu_s'] / ref['cpu_s']:.2f}x CPU)  "
                f"cycle {cycle['wall_s']:8.2f} s {cycle['peak_mb']:7} MB"
            )
    report["machine"]["load_average_at_end"] = os.getloadavg()
    if os.environ.get("BENCH_POLICY", "1") != "0":
        from bench import policy_bench  # noqa: PLC0415 - only when asked for

        report["policy"] = policy_bench.main()
    RESULTS.mkdir(parents=True, exist_ok=True)
    target = RESULTS / f"bench-{stamp}.json"
    target.write_text(json.dumps(report, indent=2, default=str) + "\n")
    (RESULTS / f"bench-{stamp}.md").write_text(markdown(report))
    print(f"results: {target.relative_to(ROOT.parent)} and .md")
    # -- the desk's load test (bench/load_desk.py; owned with it): only with BENCH_LOAD=1 ------
    if os.environ.get("BENCH_LOAD", "0") == "1":
        from bench import load_desk  # noqa: PLC0415 - only when asked for

        load_desk.main()


if __name__ == "__main__":
    main()
