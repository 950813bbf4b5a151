"""`make bench`: generate cached portfolios and time the delinquency calculator on them.

Each measurement runs in a fresh process so its peak memory (ru_maxrss) is its own.
Sizes come from BENCH_SIZES (default "100000"); the nightly-cycle issue extends this to 1M / 10M
with the whole cycle and a hand-tuned reference query.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent
CACHE = ROOT / "cache"
RESULTS = ROOT / "results"
AS_OF = dt.date(2026, 11, 23)


def portfolio(accounts: int) -> Path:
    from arrears.services.generate import generate_portfolio  # noqa: PLC0415

    folder = CACHE / f"book-{accounts}"
    if not (folder / "payments.parquet").exists():
        started = time.perf_counter()
        generate_portfolio(accounts=accounts, as_of=AS_OF, out_dir=folder, fmt="parquet")
        print(f"generated {accounts:,} accounts in {time.perf_counter() - started:.1f}s")
    return folder


def measure(args: list[str]) -> dict[str, float]:
    code = (
        "import json, resource, sys, time\n"
        "from arrears.entrypoints.cli import app\n"
        "t = time.perf_counter()\n"
        "try:\n"
        "    app(sys.argv[1:], standalone_mode=False)\n"
        "finally:\n"
        "    print('BENCH' + json.dumps({'wall_s': time.perf_counter() - t, "
        "'peak_mb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))\n"
    )
    done = subprocess.run(  # noqa: S603 - our own interpreter and arguments
        [sys.executable, "-c", code, *args], capture_output=True, text=True, check=True
    )
    line = next(x for x in done.stdout.splitlines() if x.startswith("BENCH"))
    return json.loads(line[len("BENCH") :])


def machine() -> dict[str, object]:
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
    }


def main() -> None:
    sizes = [int(s) for s in os.environ.get("BENCH_SIZES", "100000").split(",") if s]
    rows = []
    for accounts in sizes:
        folder = portfolio(accounts)
        result = measure(
            [
                "delinquency",
                "--as-of",
                AS_OF.isoformat(),
                "--installments",
                str(folder / "installments.parquet"),
                "--payments",
                str(folder / "payments.parquet"),
                "--out",
                str(CACHE / f"status-{accounts}.parquet"),
            ]
        )
        rows.append({"accounts": accounts, "step": "delinquency calculator", **result})
        print(
            f"{accounts:>12,} accounts  delinquency calculator  "
            f"{result['wall_s']:8.2f} s  {result['peak_mb']:8.0f} MB peak"
        )
    if os.environ.get("BENCH_POLICY", "1") != "0":
        from bench import policy_bench  # noqa: PLC0415 - only when asked for

        policy = policy_bench.main()
        rows.append({"step": "contact policy checks", **policy})
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    target = RESULTS / f"bench-{stamp}.json"
    target.write_text(json.dumps({"machine": machine(), "results": rows}, indent=2) + "\n")
    print(f"results: {target.relative_to(ROOT.parent)}")


if __name__ == "__main__":
    main()
