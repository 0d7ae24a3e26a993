"""The desk's background work, run by the worker (server/worker.py imports `register_jobs`).

- `dashboard_export`: build a large báo cáo tổng hợp (.xlsx and the A4 page's figures) for the person who asked.
- `dashboard_counts_check` (every schedule tick; does its real work at most every KPI_CHECK_HOURS, default 6):
  compare the kept unit counts with the tasks and rebuild them when they differ or were never built; also
  forgets exports older than a week.

By hand:  python -m server.dashboard.jobs rebuild   (after a bulk load, or to repair)
          python -m server.dashboard.jobs check     (compare now; rebuild only when they differ)
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import sys
from collections.abc import Callable
from typing import Any

from server.dashboard import aggregate, exports

CHECK_KIND = "dashboard_counts_check"


def _check_every() -> dt.timedelta:
    return dt.timedelta(hours=float(os.environ.get("KPI_CHECK_HOURS", "6")))


async def handle_export(payload: dict[str, Any]) -> None:
    await exports.build(int(payload["export_id"]))


async def handle_check(payload: dict[str, Any]) -> None:
    await aggregate.check(every=_check_every(), force=bool(payload.get("force")))
    await exports.purge()


def register_jobs(register: Callable[..., None]) -> None:
    aggregate.subscribe()
    register(exports.JOB_KIND, handle_export)
    register(CHECK_KIND, handle_check, every_tick=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m server.dashboard.jobs", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["rebuild", "check"])
    args = parser.parse_args(argv)

    async def run() -> dict[str, Any]:
        from server.lib.db import close_pool, prepare_database, start_pool

        await prepare_database()
        await start_pool()
        try:
            if args.command == "rebuild":
                return await aggregate.rebuild()
            return await aggregate.check(force=True)
        finally:
            await close_pool()

    print(json.dumps(asyncio.run(run()), default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
