"""Real worker processes against one database: two at once make each reminder once; one killed with
SIGKILL mid-batch and restarted loses nothing and doubles nothing; SIGTERM stops a worker gracefully."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from pathlib import Path

from server.lib import clock
from server.lib.clock import VN_TZ
from server.notifications import jobs
from server.notifications.tables import Job, Notification
from tests.factories import make_task

ROOT = Path(__file__).resolve().parents[3]


def start_worker(name: str, **env: str) -> subprocess.Popen:
    environment = {
        **os.environ,
        "WORKER_ID": name,
        "WORKER_POLL_SECONDS": "0.2",
        "WORKER_HANDLER_MODULES": "tests.unit.notifications.slow_handlers",
        "LOG_LEVEL": "WARNING",
        **env,
    }
    return subprocess.Popen([sys.executable, "-m", "server.worker"], cwd=ROOT, env=environment)


def stop(process: subprocess.Popen) -> int:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    return process.wait(timeout=15)


async def wait_for(condition, limit: float = 25) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if await condition():
            return
        await asyncio.sleep(0.1)
    raise AssertionError("timed out")


async def test_two_worker_processes_make_each_reminder_once(nj) -> None:  # type: ignore[no-untyped-def]
    j = nj
    from server.reports.services import accept
    from tests.unit.reports.helpers import make_category, make_report

    monday = dt.datetime(2026, 3, 2, 8, 0, tzinfo=VN_TZ).astimezone(dt.UTC)
    clock.freeze(monday)
    try:
        tasks = [await make_task(j, title=f"Việc {n}", assignees=[j.officer2], deadline=dt.date(2026, 3, 5))
                 for n in range(4)]
    finally:
        clock.freeze(None)
    # Citizen reports received on Friday 27/2 with a 2-working-day target (Tuesday 3/3): due soon on Monday.
    clock.freeze(dt.datetime(2026, 2, 27, 9, 0, tzinfo=VN_TZ).astimezone(dt.UTC))
    try:
        category = await make_category(j, target_days=2, unit=j.dept)
        reports = [await make_report(category, lat=10.7 + n / 100) for n in range(2)]
        await accept(j.receptionist, reports[1]["id"])
    finally:
        clock.freeze(None)
    run = uuid.uuid4().hex[:8]
    # Only the test's ticks, as of its Monday: the workers queue no tick of their own (WORKER_SCHEDULE=0), and a
    # tick of the real hour that an earlier test's worker left queued is run now, not by them (a tick at the
    # real hour sends these March tasks 'overdue' reminders, in office hours).
    await Job.update({Job.state: "done"}).where((Job.kind == "schedule") & (Job.state == "queued")
                                                & (Job.payload == "{}"))
    due = clock.now() - dt.timedelta(days=1)  # first in the queue, before earlier tests' waiting work
    ids = [await jobs.enqueue("schedule", {"at": monday.isoformat()}, run_at=due,
                              dedupe_key=f"test-schedule:{run}:{n}") for n in range(6)]
    workers = [start_worker(f"two-{n}", WORKER_BATCH="1", WORKER_SCHEDULE="0") for n in range(2)]
    try:
        async def finished() -> bool:
            rows = await Job.select(Job.state).where(Job.id.is_in(ids))
            return all(r["state"] == "done" for r in rows)

        await wait_for(finished)
    finally:
        codes = [stop(w) for w in workers]
    assert codes == [0, 0]  # SIGTERM: a graceful stop
    rows = await Job.select(Job.attempts, Job.state).where(Job.id.is_in(ids))
    assert [(r["state"], r["attempts"]) for r in rows] == [("done", 1)] * 6  # no job was run twice
    notes = await Notification.select(Notification.task_id, Notification.kind).where(
        Notification.task_id.is_in([t["id"] for t in tasks]) & (Notification.person == j.officer2.id)
        & (Notification.kind != "assigned")  # the assignment notice came from creating the tasks
    )
    assert Counter((n["task_id"], n["kind"]) for n in notes) == Counter({(t["id"], "due_before"): 1 for t in tasks})
    report_notes = Counter()
    for report in reports:
        rows = await Notification.select(Notification.person, Notification.kind).where(
            Notification.dedupe_key.like(f"reminder:r{report['id']}:%"))
        report_notes.update((report["id"], r["person"], r["kind"]) for r in rows)
    assert report_notes == Counter({
        (reports[0]["id"], j.receptionist.id, "report_due_soon"): 1,
        (reports[1]["id"], j.receptionist.id, "report_due_soon"): 1,
        (reports[1]["id"], j.head.id, "report_due_soon"): 1,
    })


async def test_a_worker_killed_mid_batch_loses_nothing_and_doubles_nothing(nj) -> None:  # type: ignore[no-untyped-def]
    j = nj
    run = uuid.uuid4().hex[:8]
    keys = [f"slow:{run}:{n}" for n in range(8)]
    due = clock.now() - dt.timedelta(days=1)  # first in the queue, before earlier tests' waiting work
    ids = [await jobs.enqueue("slow_notify", {"person": j.head.id, "key": key}, run_at=due) for key in keys]
    victim = start_worker("victim", WORKER_BATCH="4", WORKER_LEASE_SECONDS="2", SLOW_SECONDS="0.6")

    async def some_done() -> bool:
        return await Notification.count().where(Notification.dedupe_key.is_in(keys)) >= 1

    try:
        await wait_for(some_done)
    finally:
        victim.send_signal(signal.SIGKILL)
        victim.wait(timeout=10)
    states = Counter(r["state"] for r in await Job.select(Job.state).where(Job.id.is_in(ids)))
    assert states["running"] >= 1, states  # it died holding jobs
    assert await Notification.count().where(Notification.dedupe_key.is_in(keys)) < len(keys)

    survivor = start_worker("survivor", WORKER_BATCH="4", WORKER_LEASE_SECONDS="2", SLOW_SECONDS="0.05")
    try:
        async def all_done() -> bool:
            rows = await Job.select(Job.state).where(Job.id.is_in(ids))
            return all(r["state"] == "done" for r in rows)

        await wait_for(all_done)
    finally:
        assert stop(survivor) == 0
    made = await Notification.select(Notification.dedupe_key).where(Notification.dedupe_key.is_in(keys))
    assert sorted(r["dedupe_key"] for r in made) == sorted(keys)  # each exactly once
    rows = await Job.select(Job.attempts, Job.locked_by).where(Job.id.is_in(ids))
    assert max(r["attempts"] for r in rows) == 2 and all(r["locked_by"] is None for r in rows)


async def test_a_stopping_worker_finishes_the_job_in_hand_and_gives_back_the_rest(nj) -> None:  # type: ignore[no-untyped-def]
    j = nj
    run = uuid.uuid4().hex[:8]
    keys = [f"slow:{run}:{n}" for n in range(6)]
    # Due a day ago: first in the queue, before whatever earlier tests' work is still waiting there.
    due = clock.now() - dt.timedelta(days=1)
    ids = [await jobs.enqueue("slow_notify", {"person": j.head.id, "key": key}, run_at=due) for key in keys]
    worker = start_worker("stopping", WORKER_BATCH="6", SLOW_SECONDS="1.5", WORKER_SCHEDULE="0")
    try:
        async def one_done() -> bool:  # the batch is claimed in one go; the first of it has been run
            return await Job.count().where(Job.id.is_in(ids) & (Job.state == "done")) >= 1

        await wait_for(one_done)
    finally:
        began = time.monotonic()
        code = stop(worker)
    assert code == 0 and time.monotonic() - began < 6  # the job in hand (1.5 s) finished, not the five others
    rows = await Job.select(Job.state, Job.attempts, Job.locked_by).where(Job.id.is_in(ids))
    done = [r for r in rows if r["state"] == "done"]
    given_back = [r for r in rows if r["state"] == "queued"]
    assert 1 <= len(done) <= 3 and len(done) + len(given_back) == len(keys), rows
    assert all(r["attempts"] == 0 and r["locked_by"] is None for r in given_back)  # ready for the next worker
