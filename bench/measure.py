"""Run a command in a fresh process and measure it: wall time and peak memory of the whole
process tree (the Python process and its children, e.g. Spark's JVM), sampled from /proc."""

from __future__ import annotations

import os
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

PAGE = os.sysconf("SC_PAGE_SIZE")
INTERVAL = 0.25  # sampling the whole /proc tree costs CPU on a small machine


@dataclass(frozen=True, slots=True)
class Measured:
    wall_s: float
    cpu_s: float  # user + system time of the process and the children it waited for
    peak_mb: float
    output: str


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        tree.setdefault(ppid, []).append(int(entry.name))
    return tree


def tree_rss(root: int) -> int:
    """Resident bytes of `root` and all its descendants."""
    tree = _children()
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        try:
            total += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE
        except OSError:
            continue
        todo.extend(tree.get(pid, []))
    return total


def run(args: list[str], *, env: dict[str, str] | None = None) -> Measured:
    log = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115 - closed below
    started = time.perf_counter()
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
        args,
        stdout=log,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, **(env or {})},
    )
    peak = 0
    while True:
        peak = max(peak, tree_rss(process.pid))
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            break
        time.sleep(INTERVAL)
    wall = time.perf_counter() - started
    log.seek(0)
    output = log.read()
    log.close()
    code = os.waitstatus_to_exitcode(status)
    process.returncode = code
    if code != 0:
        raise RuntimeError(f"{' '.join(args)} failed ({code}):\n{output[-3000:]}")
    return Measured(
        wall_s=wall, cpu_s=usage.ru_utime + usage.ru_stime, peak_mb=peak / 2**20, output=output
    )
