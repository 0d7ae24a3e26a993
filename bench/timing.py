"""One request or call timed warm, as the in-process benchmarks time it (bench.dashboard_bench, bench.query_bench):
the wall-clock time and the CPU it cost, this process's plus, on PostgreSQL on this machine, its backends'."""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Awaitable, Callable
from typing import Any

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _read(path: str) -> str:
    with open(path) as f:  # a /proc file: no disk involved
        return f.read()


async def backend_cpu_ms() -> float | None:
    """CPU time used so far by this database's client backends (PostgreSQL on this machine only; else None).

    The machine is shared: wall-clock times grow with other people's load, CPU time much less. A parallel
    query's workers are not counted (they are gone when we look): run with --no-parallel to compare like with like.
    """
    from server.tasks.tables import Task

    try:
        rows = await Task.raw(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND backend_type = 'client backend'"
        )
    except Exception:  # SQLite
        return None
    total = 0
    for row in rows:
        try:
            fields = _read(f"/proc/{row['pid']}/stat").rsplit(")", 1)[1].split()
        except OSError:
            return None
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total * 1000 / CLOCK_TICKS


async def timed(
    call: Callable[[], Awaitable[Any]], warm: int, runs: int
) -> tuple[float, float, float, float | None, Any]:
    """Median, min and max wall-clock ms, the median CPU ms (this process + the database's backends), and the last
    result, after `warm` calls not counted."""
    result = None
    for _ in range(warm):
        result = await call()
    times, cpus = [], []
    for _ in range(runs):
        db0, cpu0 = await backend_cpu_ms(), time.process_time()
        t0 = time.perf_counter()
        result = await call()
        times.append((time.perf_counter() - t0) * 1000)
        cpu = (time.process_time() - cpu0) * 1000
        db1 = await backend_cpu_ms()
        cpus.append(cpu + (db1 - db0) if db0 is not None and db1 is not None else cpu)
    # CPU ticks are 10 ms: the median over the runs is what to read.
    return statistics.median(times), min(times), max(times), statistics.median(cpus), result
