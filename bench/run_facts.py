"""The KPI figures timed in-process, and the facts of the machine and the dataset for bench.run's report."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import platform
import statistics
import subprocess
import time
from pathlib import Path
from typing import Any

from bench.local import cpu_model, memory_gib
from bench.run_common import log

# ---------------------------------------------------------------------------------------------------------
# The KPI query, in-process.


def periods(today: dt.date) -> list[tuple[str, dt.date, dt.date]]:
    month_start = today.replace(day=1)
    next_month = (month_start + dt.timedelta(days=32)).replace(day=1)
    quarter_first = 3 * ((today.month - 1) // 3) + 1
    quarter_start = dt.date(today.year, quarter_first, 1)
    quarter_end = (
        dt.date(today.year + 1, 1, 1) if quarter_first == 10 else dt.date(today.year, quarter_first + 3, 1)
    ) - dt.timedelta(days=1)
    return [
        (f"month ({month_start:%m/%Y})", month_start, next_month - dt.timedelta(days=1)),
        (f"quarter (Q{(quarter_first - 1) // 3 + 1}/{today.year})", quarter_start, quarter_end),
        (f"year ({today.year})", dt.date(today.year, 1, 1), dt.date(today.year, 12, 31)),
    ]


async def measure_kpi(root_path: str, warm: int, runs: int) -> tuple[list[dict[str, Any]], int, int]:
    # What /api/v1/kpi shows: the kept counts (server.kpi.counts), the tasks counted only until they are built.
    from server.kpi.services import kept_figures as figures
    from server.lib import clock
    from server.lib.db import close_pool, prepare_database, start_pool

    await prepare_database()
    await start_pool()
    results = []
    try:
        today = clock.today_vn()
        for label, start, end in periods(today):
            for _ in range(warm):
                result = await figures(start, end, unit_path=root_path)
            times = []
            for _ in range(runs):
                t0 = time.perf_counter()
                result = await figures(start, end, unit_path=root_path)
                times.append((time.perf_counter() - t0) * 1000)
            results.append(
                {
                    "label": label,
                    "start": start,
                    "end": end,
                    "median_ms": statistics.median(times),
                    "min_ms": min(times),
                    "max_ms": max(times),
                    "counted": result.total,
                    "done": result.done,
                }
            )
            log(f"  KPI {label:<22} median {statistics.median(times):8.1f} ms  ({result.total:,} tasks counted)")
    finally:
        await close_pool()
    return results, warm, runs


# ---------------------------------------------------------------------------------------------------------
# The machine and the data.


def machine() -> dict[str, str]:
    cpu, ram = cpu_model(), memory_gib()
    nproc = subprocess.run(["nproc"], capture_output=True, text=True, check=False).stdout.strip()
    wrk_version = subprocess.run(["wrk", "-v"], capture_output=True, text=True, check=False).stdout.split("[")[0]
    import litestar
    import piccolo
    import uvicorn

    return {
        "nproc": nproc or str(os.cpu_count()),
        "cpu": cpu,
        "ram": ram,
        "python": platform.python_version(),
        "litestar": ".".join(str(part) for part in tuple(litestar.__version__)[:3]),
        "uvicorn": uvicorn.__version__,
        "piccolo": piccolo.__VERSION__,
        "wrk": wrk_version.strip(),
        "os": platform.platform(),
    }


def dataset_postgres(url: str) -> dict[str, Any]:
    import asyncpg

    async def read() -> dict[str, Any]:
        conn = await asyncpg.connect(url)
        try:
            info: dict[str, Any] = {"engine_version": "PostgreSQL " + await conn.fetchval("SHOW server_version")}
            for table in ("tasks", "task_assignees", "task_coordinating_units", "people", "units", "directives"):
                info[table] = await conn.fetchval(f"SELECT count(*) FROM {table}")
            info["settings"] = {
                name: await conn.fetchval(f"SHOW {name}")
                for name in ("shared_buffers", "work_mem", "jit", "max_parallel_workers_per_gather")
            }
            info["size"] = await conn.fetchval("SELECT pg_size_pretty(pg_database_size(current_database()))")
            return info
        finally:
            await conn.close()

    return asyncio.run(read())


def dataset_sqlite(path: str) -> dict[str, Any]:
    import sqlite3

    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        info: dict[str, Any] = {"engine_version": f"SQLite {sqlite3.sqlite_version}"}
        for table in ("tasks", "task_assignees", "task_coordinating_units", "people", "units", "directives"):
            info[table] = conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        info["settings"] = {"journal_mode": conn.execute("PRAGMA journal_mode").fetchone()[0]}
        info["size"] = f"{Path(path).stat().st_size / 1024 / 1024:.0f} MB"
        return info
    finally:
        conn.close()
