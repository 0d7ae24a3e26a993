"""The randomized fault run of issue 3: the real app's outbox under offline / reopen / SIGKILL / duplicate replays.

    .venv/bin/python -m bench.fault_run --cycles 200 --database postgres [--seed N]
    .venv/bin/python -m bench.fault_run --cycles 200 --database sqlite [--seed N]

An officer works in the real app (pwa/, in Debian's headless Chromium through Playwright) against the real
server (uvicorn in a process of its own, on a database of its own). Each seeded cycle does a random mix of:
progress reports through the report form (a note, sometimes a photo through camera.js), submissions for
approval, extension requests (and comments when the sync endpoint knows that kind); the network going
away and coming back (`context.set_offline`); the page closed and reopened; the server SIGKILLed at a
random moment or right after it committed a change but before the phone heard the answer, then started
again; duplicate replays (a second tab replaying the same outbox, or the same outbox and photos sent twice
at once).

The harness keeps a ledger of every change the app put in its outbox (its client UUID, read back from the
phone's database when the outbox announces it, i.e. once the change is durable on the phone). At the end, network and
server back, it waits for the outbox to empty and compares the ledger with the database, queried directly:
lost = in the ledger but not on the server (or fewer photos), duplicated = more than one record for one
change (or more photos than were taken). Exit status 1 if either is not zero.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from bench.fault_phone import DOUBLE_SEND, HANOI, HEADERS, PHONE, Officer
from bench.fault_server import ROOT, ServerProcess, prepare_environment, snapshot_code
from bench.fault_verdict import Made, Verdict, summary, verify
from bench.local import wait_until

# The harness is in four modules: the server (fault_server), the phone and the officer (fault_phone), the ledger
# and the verdict (fault_verdict), and here the faults and the run. The names tests import stay importable here.
__all__ = ["HANOI", "HEADERS", "PHONE", "FaultRun", "ServerProcess", "Verdict", "main", "summary", "verify"]


class FaultRun(Officer):
    """Drives one officer's app through `cycles` seeded cycles of changes and faults, then checks the ledger."""

    def __init__(
        self,
        *,
        browser: Any,
        server: ServerProcess,
        username: str,
        password: str,
        task_ids: list[int],
        seed: int,
        cycles: int,
        min_kills: int = 0,
        log: Any = print,
        verbose: bool = False,
    ) -> None:
        self.browser = browser
        self.server = server
        self.username = username
        self.password = password
        self.task_ids = list(task_ids)
        self.seed = seed
        self.cycles = cycles
        self.rng = random.Random(seed)
        self.log = log
        self.verbose = verbose
        self.ledger: list[Made] = []
        self.stats: Counter[str] = Counter()
        self.double_send_statuses: Counter[int] = Counter()
        self.submitted: set[int] = set()
        self.extended: set[int] = set()
        self.offline = False
        self.context: Any = None
        self.page: Any = None
        self.second: Any = None
        self.server_idle = asyncio.Event()  # cleared while a kill is under way (server down or starting again)
        self.server_idle.set()
        self.background: set[asyncio.Task[Any]] = set()
        self.armed: str | None = None  # "sync" or "attachments": the next such request dies after commit
        self.forced_kill_cycles = (
            {int((k + 0.5) * cycles / min_kills) for k in range(min_kills)} if min_kills else set()
        )
        self.comment_kind = _sync_knows("comment")
        self.cycle_no = 0

    # ------------------------------------------------------------------ faults
    async def set_offline(self, offline: bool) -> None:
        if offline != self.offline:
            await self.context.set_offline(offline)
            self.offline = offline
            self.stats["went_offline" if offline else "went_online"] += 1

    async def reopen(self) -> None:
        await self._collect(self.page)
        await self.page.close()
        if self.second is not None and self.rng.random() < 0.5:
            await self.second.close()
            self.second = None
        self.page = await self._open()
        self.stats["reopened"] += 1

    async def second_tab(self) -> None:
        if self.second is None:
            self.second = await self._open()
            self.stats["second_tab"] += 1
        else:
            await self.second.close()
            self.second = None

    async def double_send(self) -> None:
        """The signal returns and two replays race: the app's own and a second copy of the same outbox."""
        await self.set_offline(False)
        await self.server_idle.wait()
        statuses = await self.page.evaluate(DOUBLE_SEND)
        self.double_send_statuses.update(statuses)
        self.stats["double_sends"] += 1

    async def _restart(self, downtime: float) -> None:
        try:
            await asyncio.sleep(downtime)
            await asyncio.to_thread(self.server.start)
        finally:
            self.server_idle.set()

    async def kill_at_random(self, forced: bool = False) -> None:
        """SIGKILL at a random moment from now, whatever the app is doing, then start again."""
        delay, downtime = self.rng.uniform(0.0, 0.8), self.rng.uniform(0.0, 1.0)
        if forced:
            await self.server_idle.wait()  # a kill the run promised: wait for the last one's restart
        if self.server_busy_now:
            return
        self.server_idle.clear()

        async def run() -> None:
            await asyncio.sleep(delay)
            self.server.kill()
            self.stats["kills_random"] += 1
            await self._restart(downtime)

        self._spawn(run())

    async def kill_mid_sync(self) -> None:
        """The next change (or photo) the page sends is committed, then the server dies before answering."""
        if self.armed is None:
            self.armed = self.rng.choice(["sync", "attachments"])

    async def _intercept(self, route: Any) -> None:
        kind = "attachments" if route.request.url.endswith("/attachments") else "sync"
        if self.armed != kind or self.server_busy_now:
            await route.continue_()
            return
        self.armed = None
        self.server_idle.clear()
        try:
            await route.fetch()
        except Exception:  # the server was already down: nothing reached it
            pass
        self.server.kill()
        self.stats["kills_after_commit"] += 1
        try:
            await route.abort("connectionreset")
        except Exception:
            pass
        # Started again in the background: a route handler that waits holds up the page's other requests.
        self._spawn(self._restart(self.rng.uniform(0.0, 0.6)))

    @property
    def server_busy_now(self) -> bool:
        return not self.server_idle.is_set()

    def _spawn(self, coroutine: Any) -> asyncio.Task[Any]:
        task = asyncio.ensure_future(coroutine)
        self.background.add(task)

        def done(task: asyncio.Task[Any]) -> None:
            self.background.discard(task)
            if not task.cancelled() and task.exception() is not None:
                self.stats["harness_errors"] += 1
                self.log(f"  background step failed: {task.exception()!r}")

        task.add_done_callback(done)
        return task

    # ------------------------------------------------------------------ the run
    async def cycle(self) -> None:
        rng = self.rng
        steps: list[str] = ["change"] * rng.randint(1, 3)
        if rng.random() < 0.4:
            steps.insert(0, "offline")
        if (self.offline or "offline" in steps) and rng.random() < 0.75:
            steps.append("online")
        forced = self.cycle_no in self.forced_kill_cycles
        for name, chance in (("kill_at_random", 0.22), ("kill_mid_sync", 0.15), ("reopen", 0.3),
                             ("second_tab", 0.12), ("double_send", 0.2)):
            if rng.random() < chance:
                steps.append(name)
        if forced:
            steps.append("kill_forced")
        head, tail = steps[:1], steps[1:]
        rng.shuffle(tail)
        for step in head + tail:
            began = time.monotonic()
            if step == "offline":
                await self.set_offline(True)
            elif step == "online":
                await self.set_offline(False)
            elif step == "kill_forced":
                await self.kill_at_random(forced=True)
            else:
                await getattr(self, step)()
            if self.verbose:
                self.log(f"    {step}: {time.monotonic() - began:.2f} s (busy={self.server_busy_now})")
            # A random pause lets replays be in flight when the next fault lands.
            await asyncio.sleep(rng.choice([0, 0, 0.05, 0.15, 0.4]))

    async def drain(self, within: float = 180.0) -> list[dict[str, Any]]:
        """Network and server back; wait until nothing waits in the outbox (refused items stay, and are shown)."""
        self.armed = None
        while self.background:
            await asyncio.gather(*list(self.background), return_exceptions=True)
        if not self.server.running:
            await asyncio.to_thread(self.server.start)
        await self.set_offline(False)
        if self.page.is_closed():
            self.page = await self._open()
        deadline = time.monotonic() + within
        nudged = 0.0
        while True:
            items = await self.page.evaluate(
                "DH.outbox.list().then(items => items.map(i => ({id: i.id, kind: i.kind, outcome: i.outcome,"
                " waiting: DH.outbox.isWaiting(i), answer: i.answer})))"
            )
            if not any(item["waiting"] for item in items):
                return items
            if time.monotonic() > deadline:
                self.log(f"  the outbox did not empty within {within:.0f} s: {len(items)} items left")
                return items
            if time.monotonic() - nudged > 3:
                # What a phone does when the signal comes back: the app's own `online` handler replays.
                await self.page.evaluate("dispatchEvent(new Event('online'))")
                nudged = time.monotonic()
            await asyncio.sleep(0.2)

    async def run(self) -> Verdict:
        self.context = await self._new_context()
        try:
            self.page = await self._open(first=True)
            await wait_until(self.page, "n => DH.db.all('tasks').then(t => t.length >= n)", len(self.task_ids))
            # Every task's detail is cached, as after an officer browsed them: the forms open offline.
            await self.page.evaluate(
                """async (ids) => { for (const id of ids) {
                     const r = await fetch(`/api/v1/tasks/${id}`); await DH.db.put('details', await r.json()); } }""",
                self.task_ids,
            )
            started = time.monotonic()
            for n in range(self.cycles):
                self.cycle_no = n
                await self.cycle()
                if self.verbose or (n + 1) % 25 == 0:
                    self.log(f"  cycle {n + 1}/{self.cycles}: {len(self.ledger)} changes, "
                             f"{self.stats['kills_random'] + self.stats['kills_after_commit']} kills, "
                             f"{time.monotonic() - started:.0f} s")
            self.stats["cycle_seconds"] = round(time.monotonic() - started)
            drain_started = time.monotonic()
            left = await self.drain()
            await self._collect(self.page)
            if self.second is not None:
                await self._collect(self.second)
            self.stats["drain_seconds"] = round(time.monotonic() - drain_started)
            verdict = await verify(self.ledger, self.task_ids, f"F{self.seed}-")
            verdict.left_in_outbox = left
            return verdict
        finally:
            await self.context.close()


def _sync_knows(kind: str) -> bool:
    try:
        from server.sync.batch import KINDS
    except Exception:
        return False
    return kind in KINDS


# ---------------------------------------------------------------------- the stand-alone benchmark
async def seed_officer(tasks: int) -> tuple[Any, list[int]]:
    import datetime as dt

    from server.lib import clock
    from server.lib.db import prepare_database, start_pool
    from server.migrate import migrate
    from tests.factories import make_jurisdiction, make_task

    await migrate()
    await prepare_database()
    await start_pool()
    j = await make_jurisdiction()
    ids = []
    for n in range(tasks):
        task = await make_task(j, title=f"Kiểm tra hiện trường số {n + 1}", assignees=[j.officer],
                               deadline=clock.today_vn() + dt.timedelta(days=2 + n % 20))
        ids.append(task["id"])
    return j.officer, ids


async def main_async(args: argparse.Namespace, engine: str, tmp: Path) -> Verdict:
    from playwright.async_api import async_playwright

    from server.lib.db import close_pool
    from tests.factories import PASSWORD

    officer, task_ids = await seed_officer(args.tasks)
    code_root = snapshot_code(tmp / "code") if args.snapshot else ROOT
    server = ServerProcess(tmp / "uvicorn.log", code_root=code_root)
    await asyncio.to_thread(server.start)
    started = time.monotonic()
    try:
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(
                executable_path=shutil.which("chromium") or shutil.which("chromium-browser"),
                args=["--disable-dev-shm-usage"],
            )
            try:
                run = FaultRun(browser=browser, server=server, username=officer.username, password=PASSWORD,
                               task_ids=task_ids, seed=args.seed, cycles=args.cycles, min_kills=args.min_kills,
                               verbose=args.verbose)
                verdict = await run.run()
            finally:
                await browser.close()
        print(summary(run, verdict, engine, time.monotonic() - started))
        print(f"  server start time: median {sorted(server.start_seconds)[len(server.start_seconds) // 2]:.2f} s")
        return verdict
    finally:
        server.stop()
        await close_pool()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cycles", type=int, default=200)
    parser.add_argument("--seed", type=int, default=None, help="default: a random seed (printed)")
    parser.add_argument("--database", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument("--database-url", default=None, help="an existing, empty database instead of a new one")
    parser.add_argument("--tasks", type=int, default=60, help="the officer's tasks (each is submitted at most once)")
    parser.add_argument("--min-kills", type=int, default=10, help="cycles spread over the run that always kill")
    parser.add_argument("--verbose", action="store_true")
    parser.add_argument("--no-snapshot", dest="snapshot", action="store_false",
                        help="start the server from the working tree, not from a copy made at the start")
    args = parser.parse_args()
    if args.seed is None:
        args.seed = random.SystemRandom().randrange(1, 1_000_000)
    print(f"fault run: seed {args.seed} (repeat with --seed {args.seed}), {args.cycles} cycles", flush=True)
    tmp = Path(tempfile.mkdtemp(prefix="dieuhanh-fault-"))
    engine, cleanup = prepare_environment(args.database, args.database_url, tmp)
    try:
        verdict = asyncio.run(main_async(args, engine, tmp))
    finally:
        cleanup()
        shutil.rmtree(tmp, ignore_errors=True)
    sys.exit(0 if verdict.ok else 1)


if __name__ == "__main__":
    main()
