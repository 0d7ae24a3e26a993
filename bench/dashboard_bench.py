"""Time the whole province's dashboard (server.dashboard.services.dashboard) over the generated database, warm.

    .venv/bin/python -m bench.dashboard_bench
    .venv/bin/python -m bench.dashboard_bench --database-url postgres://postgres@127.0.0.1:5432/dieuhanh_bench \
        --periods month quarter year --warm 3 --runs 10

The database is the one bench/generate.py fills (1,000,000 tasks on PostgreSQL); this script only reads it.
For each period it runs the complete dashboard (all its queries, as GET /dashboard and /api/v1/dashboard do)
as the province's leader: 3 warm-up runs, then the median of 10; then each of its parts the same way, so a
slow one shows; then a figure opened (the drill-down's first page and its 50th). Also the .xlsx report
(the same dashboard with up to 5,000 overdue tasks, plus openpyxl).
Target: the whole province's dashboard for a month in <= 150 ms (issue 6).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from bench.timing import timed as _time

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/dieuhanh_bench"
TARGET_MS = 150.0


async def main(args: argparse.Namespace) -> int:
    from server.dashboard import excel, services
    from server.lib import clock
    from server.lib.db import close_pool, prepare_database, start_pool
    from server.people.services import get_actor
    from server.tasks.tables import Task

    await prepare_database()
    await start_pool()
    try:
        from server.dashboard import aggregate

        if not await aggregate.is_ready():
            print("the dashboard's unit counts are not built: the dashboard counts the tasks directly"
                  " (python -m server.dashboard.jobs rebuild)", file=sys.stderr)
        count = (await Task.raw("SELECT COUNT(*) AS n FROM tasks"))[0]["n"]
        if not count:
            print("the database holds no tasks: run bench/generate.py first", file=sys.stderr)
            return 2
        leaders = await Task.raw(
            "SELECT p.id FROM people p JOIN units u ON u.id = p.unit WHERE p.role = 'leader' AND u.parent IS NULL"
            " ORDER BY p.id LIMIT 1"
        )
        actor = await get_actor(leaders[0]["id"])
        assert actor is not None
        today = clock.today_vn()
        print(f"{count:,} tasks; leader {actor.username} of {actor.unit_name} ({actor.unit_path}); today {today}")
        print(f"{args.warm} warm-up runs, median of {args.runs}; load average {os.getloadavg()[0]:.1f}"
              f" on {os.cpu_count()} CPUs\n")
        status = 0
        for kind in args.periods:
            period = services.resolve_period(kind, today=today)
            scope = await services.scope_unit(actor, None)
            p, sc = period, scope
            parts: dict[str, Callable[[], Awaitable[Any]]] = {
                "dashboard (all)": lambda p=p: services.dashboard(actor, period=p.kind, today=today),
                "  units+weeks (one)": lambda p=p, sc=sc: services.grouped(sc.path, p, today),
                "  units+weeks direct": lambda p=p, sc=sc: services.grouped(sc.path, p, today, direct=True),
                "  people page (all)": lambda p=p: services.people_page(actor, period=p.kind, today=today),
                "  overdue (top 50)": lambda p=p, sc=sc: services.overdue_tasks(sc, p, today),
                # A figure opened: its first 50 tasks, and a page deep in the list.
                "drill-down page 1": lambda p=p: services.drilldown(actor, bucket="done_on_time", period=p.kind,
                                                                    today=today),
                "drill-down page 50": lambda p=p: services.drilldown(actor, bucket="done_on_time", period=p.kind,
                                                                      today=today, offset=4950),
            }
            if args.xlsx:

                async def report(period: services.Period = period) -> bytes:
                    data = await services.dashboard(actor, period=period.kind, today=today, overdue_limit=5000,
                                                    all_people=True)
                    return excel.build_workbook(data)

                parts["report.xlsx"] = report
            print(f"{kind}: {period.start:%d/%m/%Y}–{period.end:%d/%m/%Y}")
            for label, call in parts.items():
                median, low, high, cpu, result = await _time(call, args.warm, args.runs)
                extra = ""
                if isinstance(result, dict) and "items" in result:
                    extra = f"  {len(result['items'])} of {result['count']:,} tasks"
                if isinstance(result, services.Dashboard):
                    extra = (
                        f"  counted {result.totals.total:,}, {len(result.units)} sub-units,"
                        f" {len(result.people):,} of {result.people_total:,} people inline, {len(result.weeks)} weeks"
                    )
                    if kind == "month" and median > TARGET_MS:
                        status = 1
                print(f"  {label:<20} median {median:8.1f} ms  (min {low:.1f}, max {high:.1f};"
                      f" CPU {cpu:.0f} ms){extra}")
            print()
        print(f"target: month dashboard <= {TARGET_MS:.0f} ms warm -> {'met' if status == 0 else 'NOT met'}")
        return status
    finally:
        await close_pool()


def cli() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument(
        "--periods",
        nargs="+",
        default=["week", "month", "quarter", "year"],
        choices=["week", "month", "quarter", "year"],
    )
    parser.add_argument("--warm", type=int, default=3)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--xlsx", action="store_true", help="also time the .xlsx report")
    parser.add_argument("--no-parallel", action="store_true",
                        help="no parallel query workers (ALTER DATABASE ... SET max_parallel_workers_per_gather = 0,"
                             " reset at the end), so the CPU column counts all of the work")
    args = parser.parse_args()
    # Settings are read lazily, so the environment set here is what the engine uses.
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DATA_DIR", str(Path(tempfile.mkdtemp(prefix="dieuhanh-dash-bench-"))))
    os.environ.setdefault("SECRET_KEY", "bench")
    os.environ["PICCOLO_CONF"] = "server.piccolo_conf"
    os.environ.pop("REDIS_URL", None)
    if not args.no_parallel:
        return asyncio.run(main(args))
    asyncio.run(_parallel(args.database_url, "0"))
    try:
        return asyncio.run(main(args))
    finally:
        asyncio.run(_parallel(args.database_url, None))


async def _parallel(url: str, value: str | None) -> None:
    import asyncpg

    conn = await asyncpg.connect(url)
    try:
        name = await conn.fetchval("SELECT current_database()")
        setting = "RESET max_parallel_workers_per_gather" if value is None else \
            f"SET max_parallel_workers_per_gather = {int(value)}"
        await conn.execute(f'ALTER DATABASE "{name}" {setting}')
    finally:
        await conn.close()


if __name__ == "__main__":
    sys.exit(cli())
