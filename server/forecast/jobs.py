"""The forecast's background work, run by the worker (server/worker.py imports `register_jobs`).

- `forecast_refresh` (every schedule tick): for each jurisdiction never fitted, or last fitted before today once it
  is FORECAST_HOUR (default 2) local time, queues one `forecast_fit` job (once per jurisdiction and night).
- `forecast_fit`: fits the late-risk model on the jurisdiction's history and scores its open tasks
  (server.forecast.services.refresh), then fits the learned routing on its accepted reports
  (server.forecast.suggestions.refresh_routing).

By hand:  python -m server.forecast.jobs refresh [--jurisdiction ID]   (after a bulk load, or for the demo)
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import datetime as dt
import json
import os
import sys
from collections.abc import Callable
from typing import Any

from server.forecast import services, suggestions
from server.lib import clock, jobs

JOB_KIND = "forecast_refresh"
FIT_KIND = "forecast_fit"


async def handle_refresh(payload: dict[str, Any]) -> None:
    """Queue one fit per jurisdiction that is due: a province's hundred communes are a hundred short jobs that
    several workers share and a stopping worker is never stuck behind, not one job that runs for minutes."""
    now = clock.now().astimezone(clock.VN_TZ)
    if payload.get("force"):
        due = await services.jurisdictions()
    else:
        due = await services.due_jurisdictions(now.date(), now.hour, int(os.environ.get("FORECAST_HOUR", "2")))
    for jurisdiction in due:
        # One slot per jurisdiction and night: the ticks until it has run add nothing.
        slot = f"{FIT_KIND}:{jurisdiction}:{now.date().isoformat()}{':force' if payload.get('force') else ''}"
        # The night's date travels with the job: a fit queued before local midnight and run after it still
        # fits as of the night it belongs to.
        await jobs.enqueue(FIT_KIND, {"jurisdiction": jurisdiction, "today": now.date().isoformat()},
                           dedupe_key=slot)


async def handle_fit(payload: dict[str, Any]) -> None:
    given = payload.get("today")
    today = dt.date.fromisoformat(given) if given else clock.today_vn()
    jurisdiction = int(payload["jurisdiction"])
    await services.refresh(jurisdiction, today)
    await suggestions.refresh_routing(jurisdiction, today)


def register_jobs(register: Callable[..., None]) -> None:
    register(JOB_KIND, handle_refresh, every_tick=True)
    register(FIT_KIND, handle_fit)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m server.forecast.jobs", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["refresh"])
    parser.add_argument("--jurisdiction", type=int, default=None)
    args = parser.parse_args(argv)

    async def run() -> list[dict[str, Any]]:
        from server.lib.db import close_pool, prepare_database, start_pool

        await prepare_database()
        await start_pool()
        try:
            ids = [args.jurisdiction] if args.jurisdiction else await services.jurisdictions()
            done = []
            for j in ids:
                done.append(dataclasses.asdict(await services.refresh(j)))
                done.append({"routing": dataclasses.asdict(await suggestions.refresh_routing(j))})
            return done
        finally:
            await close_pool()

    print(json.dumps(asyncio.run(run())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
