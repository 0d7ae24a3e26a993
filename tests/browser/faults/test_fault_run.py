"""The randomized fault run (bench/fault_run.py), short: 12 seeded cycles with at least two server SIGKILLs.

The real app in headless Chromium, the real server in a process of its own on the test database; the
officer's changes (reports with photos, submissions, extension requests) meet offline periods, reopened
pages, a second tab, duplicate sends and a server killed at a random moment or right after it committed.
Nothing the app put in its outbox may be missing on the server, and nothing may be there twice.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from pathlib import Path
from typing import Any

from playwright.async_api import Browser

from bench.fault_run import FaultRun, ServerProcess, summary
from server.lib import clock
from tests.factories import PASSWORD, make_person, make_task

SEED = 20261122
CYCLES = 12


async def test_a_short_fault_run_loses_nothing_and_doubles_nothing(browser: Browser, j: Any, tmp_path: Path) -> None:
    officer = await make_person(j.dept_sub, "officer", "Đỗ Thị Hiện Trường")
    task_ids = []
    for n in range(8):
        task = await make_task(j, title=f"Kiểm tra sau bão, điểm {n + 1}", assignees=[officer],
                               deadline=clock.today_vn() + dt.timedelta(days=3))
        task_ids.append(task["id"])
    server = ServerProcess(tmp_path / "uvicorn.log")
    started = time.monotonic()
    await asyncio.to_thread(server.start)
    try:
        run = FaultRun(browser=browser, server=server, username=officer.username, password=PASSWORD,
                       task_ids=task_ids, seed=SEED, cycles=CYCLES, min_kills=2)
        verdict = await run.run()
    finally:
        server.stop()
    report = summary(run, verdict, "the test database", time.monotonic() - started)
    print(report)  # shown with -s, and in the failure message
    kills = run.stats["kills_random"] + run.stats["kills_after_commit"]
    assert kills >= 2, report
    assert verdict.made >= CYCLES, report
    assert verdict.lost == [], report
    assert verdict.duplicated == [], report
    assert not [item for item in verdict.left_in_outbox if item["waiting"]], report
