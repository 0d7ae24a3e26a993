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
import io
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.local import free_port, is_healthy, wait_until

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

PHONE = {"width": 390, "height": 844}
HANOI = {"latitude": 21.0285, "longitude": 105.8542, "accuracy": 12}
HEADERS = {"X-Requested-With": "dieuhanh"}

# Every change the app put in its outbox (IndexedDB) is noted for the harness's ledger.
LEDGER_SCRIPT = """
(() => {
  // The app's modules cannot be patched from outside (a module namespace is frozen): the ledger listens to the
  // event the outbox sends for every change it adds, and reads the change from the phone's database.
  self.__made = [];
  addEventListener('outbox-changed', (event) => {
    const added = event.detail && event.detail.added;
    if (!added || !self.DH) return;
    DH.db.get('outbox', added).then((item) => {
      if (item) self.__made.push({id: item.id, kind: item.kind, task_id: item.task_id, body: item.body,
                                  photos: (item.photos || []).length});
    });
  });
})();
"""

# The same outbox sent twice at once, the way sync.js sends it; then every photo still waiting uploaded twice at
# once, to the report ids the server answered (what a second tab that heard the answers would do).
DOUBLE_SEND = """
async () => {
  const headers = {'X-Requested-With': 'dieuhanh'};
  const items = await DH.outbox.list();
  const changes = items.filter((i) => !i.answer)
    .map((i) => ({id: i.id, kind: i.kind, task_id: i.task_id, body: i.body}));
  const statuses = [];
  const send = async (url, init) => {
    try {
      const r = await fetch(url, Object.assign({method: 'POST', credentials: 'same-origin'}, init));
      statuses.push(r.status);
      return r.ok ? await r.json() : null;
    } catch (e) { statuses.push(0); return null; }
  };
  const reportOf = new Map(items.filter((i) => i.report_id).map((i) => [i.id, i.report_id]));
  if (changes.length) {
    const init = {headers: Object.assign({'Content-Type': 'application/json'}, headers),
                  body: JSON.stringify({changes: changes.slice(0, 100)})};
    for (const answer of await Promise.all([send('/api/v1/sync', init), send('/api/v1/sync', init)])) {
      for (const result of (answer && answer.results) || []) {
        if (result.body && result.body.report_id) reportOf.set(result.id, result.body.report_id);
      }
    }
  }
  const jobs = [];
  for (const item of items) {
    if (!reportOf.has(item.id)) continue;
    for (const photo of item.photos || []) {
      if (photo.done) continue;
      const upload = () => {
        const form = new FormData();
        form.append('data', photo.blob, photo.name);
        return send(`/api/v1/progress/${reportOf.get(item.id)}/attachments`,
                    {headers: Object.assign({'Idempotency-Key': photo.key}, headers), body: form});
      };
      jobs.push(upload(), upload());
    }
  }
  await Promise.all(jobs);
  return statuses;
}
"""




class ServerProcess:
    """The real app under uvicorn, in a process of its own (same port every start), so it can be SIGKILLed."""

    def __init__(self, log_path: Path, port: int | None = None, code_root: Path = ROOT) -> None:
        self.code_root = code_root
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0
        self.start_seconds: list[float] = []

    def start(self) -> None:
        started = time.monotonic()
        env = {**os.environ, "BASE_URL": self.url, "PYTHONUNBUFFERED": "1"}
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "uvicorn", "server.app:create_app", "--factory", "--host", "127.0.0.1",
                 "--port", str(self.port), "--log-level", "warning"],
                cwd=self.code_root, env=env, stdout=log, stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 60
        while not is_healthy(self.url):
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the app did not start:\n{self.log_path.read_text(errors='replace')[-3000:]}")
            time.sleep(0.05)
        self.starts += 1
        self.start_seconds.append(time.monotonic() - started)

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill(self) -> None:
        """SIGKILL: no shutdown, no flush; open transactions die with the process."""
        if self.running:
            assert self.process is not None
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def stop(self) -> None:
        if self.running:
            assert self.process is not None
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()

    def cpu_seconds(self) -> float:
        """CPU time (user + system) the running server process has used so far."""
        if not self.running:
            return 0.0
        assert self.process is not None
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def tracebacks(self) -> int:
        if not self.log_path.exists():
            return 0
        return self.log_path.read_text(errors="replace").count("Traceback")


def small_photo(rng: random.Random, label: str) -> dict[str, Any]:
    """A small camera photo, different bytes every time (so no two photos share a stored file by accident)."""
    from PIL import Image, ImageDraw

    width, height = rng.choice([(640, 480), (480, 640), (800, 600)])
    image = Image.new("RGB", (width, height), tuple(rng.randrange(256) for _ in range(3)))
    draw = ImageDraw.Draw(image)
    for _ in range(12):
        x, y = rng.randrange(width), rng.randrange(height)
        draw.rectangle((x, y, x + rng.randrange(20, 200), y + rng.randrange(20, 200)),
                       fill=tuple(rng.randrange(256) for _ in range(3)))
    draw.text((10, 10), label, fill=(255, 255, 255))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=90)
    return {"name": f"IMG_{label}.jpg", "mimeType": "image/jpeg", "buffer": buffer.getvalue()}


async def send_form(
    page: Any,
    path: str,
    fields: dict[str, str],
    *,
    form: str,
    files: list[Any] | None = None,
    made: int = 1,
    back_to: str | None = None,
    stats: Counter[str] | None = None,
    attempts: int = 3,
) -> None:
    """Fill one of the app's forms the way an officer does and send it; wait until the change is in the outbox.

    The app's screens are drawn by overlapping async renders, so a render started earlier (the task page
    after the previous form, or after a sync) can finish last and replace the form being filled. Nothing was
    queued then; like the officer, fill it again.
    """
    for attempt in range(attempts):
        try:
            if attempt == 0:
                await page.goto(path)
            else:
                await page.evaluate("DH.app.render()")
            for selector, value in fields.items():
                await page.locator(f"{form} {selector}").fill(value, timeout=10_000)
            if files:
                await page.locator(f"{form} #camera").set_input_files(files, timeout=10_000)
                await page.locator(f"{form} #previews img").nth(len(files) - 1).wait_for(
                    state="attached", timeout=60_000)
            await page.locator(f"{form} button[type=submit]").click(timeout=10_000)
            await wait_until(page, f"self.__made.length >= {made}", seconds=20)
            break
        except Exception:
            if await page.evaluate(f"self.__made.length >= {made}"):
                break
            if attempt == attempts - 1:
                raise
            if stats is not None:
                stats["form_redrawn"] += 1
    if back_to:
        await page.wait_for_url(f"**/app/#/task/{back_to}")  # the form's own way back, before the next step
        await page.locator("[data-state]").wait_for(state="attached")


@dataclass
class Made:
    """One change in the ledger: what the app put in its outbox."""

    id: str
    kind: str
    task_id: int
    token: str
    photos: int
    cycle: int


@dataclass
class Verdict:
    made: int
    by_kind: dict[str, int]
    photos_taken: int
    photos_on_server: int
    lost: list[str] = field(default_factory=list)
    duplicated: list[str] = field(default_factory=list)
    left_in_outbox: list[dict[str, Any]] = field(default_factory=list)
    unledgered: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.lost and not self.duplicated


class FaultRun:
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

    # ------------------------------------------------------------------ browser
    async def _new_context(self) -> Any:
        context = await self.browser.new_context(
            base_url=self.server.url, viewport=PHONE, locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh",
            geolocation=HANOI, permissions=["geolocation", "background-sync"], has_touch=True, is_mobile=True,
        )
        context.set_default_timeout(15_000)
        await context.add_init_script(LEDGER_SCRIPT)

        def on_page(page: Any) -> None:
            page.on("dialog", lambda dialog: asyncio.ensure_future(dialog.accept()))

        context.on("page", on_page)
        for pattern in ("**/api/v1/sync", "**/api/v1/progress/*/attachments"):
            await context.route(pattern, self._intercept)
        response = await context.request.post(
            "/api/v1/auth/login", data={"username": self.username, "password": self.password}, headers=HEADERS
        )
        if not response.ok:
            raise RuntimeError(f"sign-in failed: {response.status} {await response.text()}")
        return context

    async def _open(self, first: bool = False) -> Any:
        page = await self.context.new_page()
        await page.goto("/app/")
        await page.wait_for_selector("body[data-ready=yes]")
        if first:
            await wait_until(page, "navigator.serviceWorker.controller !== null")
        if not self.offline and self.server.running and not self.server_busy_now:
            # The app's start refreshes the task cache and then redraws whatever screen is open (a form
            # being filled included): let it finish, as an officer waits for the list to appear.
            try:
                await page.wait_for_load_state("networkidle", timeout=5_000)
            except Exception:
                pass
        return page

    async def _collect(self, page: Any) -> None:
        """Move what the app put in its outbox into the ledger."""
        if page is None or page.is_closed():
            return
        try:
            made = await page.evaluate("self.__made ? self.__made.splice(0) : []")
        except Exception as error:  # the page went away under us: nothing was confirmed on it
            self.stats["collect_errors"] += 1
            if self.verbose:
                self.log(f"  collect failed: {error}")
            return
        for entry in made:
            body = entry["body"] or {}
            text = body.get("note") or body.get("reason") or ""
            token = text.split("[", 1)[1].split("]", 1)[0] if "[" in text else ""
            self.ledger.append(
                Made(entry["id"], entry["kind"], entry["task_id"], token, entry["photos"], self.cycle_no)
            )
            self.stats[f"made_{entry['kind']}"] += 1
            # A late render may have shown another task's screen: whatever was sent, never send it twice.
            if entry["kind"] == "transition":
                self.submitted.add(entry["task_id"])
            elif entry["kind"] == "extension":
                self.extended.add(entry["task_id"])
            self.stats["photos_taken"] += entry["photos"]

    # ------------------------------------------------------------------ the officer's changes
    def _token(self) -> str:
        return f"F{self.seed}-{len(self.ledger) + self.stats['tokens']:05d}"

    async def report(self) -> None:
        task_id = self.rng.choice(self.task_ids)
        self.stats["tokens"] += 1
        token = self._token()
        photo = small_photo(self.rng, token) if self.rng.random() < 0.4 else None
        percent = self.rng.randrange(0, 101, 5)
        await send_form(
            self.page, f"/app/#/task/{task_id}/report", form="#report-form", files=[photo] if photo else None,
            fields={"#note": f"Báo cáo tiến độ [{token}] tại hiện trường", "#percent": str(percent)},
            back_to=str(task_id), stats=self.stats,
        )

    async def submit(self) -> None:
        candidates = [t for t in self.task_ids if t not in self.submitted]
        if not candidates:
            return await self.report()
        task_id = self.rng.choice(candidates)
        page = self.page
        self.submitted.add(task_id)  # even if the click fails below: never submit one task twice
        await page.goto(f"/app/#/task/{task_id}")
        for attempt in range(3):
            try:
                if attempt:
                    await page.evaluate("DH.app.render()")
                await page.locator("[data-action=submit]").click(timeout=10_000)  # the confirm() is accepted
                await wait_until(page, "self.__made.length > 0", seconds=20)
                break
            except Exception:
                if await page.evaluate("self.__made.length > 0"):
                    break
                if attempt == 2:
                    raise
                self.stats["form_redrawn"] += 1

    async def extension(self) -> None:
        candidates = [t for t in self.task_ids if t not in self.extended]
        if not candidates:
            return await self.report()
        task_id = self.rng.choice(candidates)
        self.extended.add(task_id)  # one pending request per task is all the server accepts
        self.stats["tokens"] += 1
        token = self._token()
        import datetime as dt

        from server.lib import clock

        await send_form(
            self.page, f"/app/#/task/{task_id}/extend", form="#extend-form", back_to=str(task_id), stats=self.stats,
            fields={"#deadline": (clock.today_vn() + dt.timedelta(days=60)).isoformat(),
                    "#reason": f"Cần thêm thời gian [{token}] do mưa lớn"},
        )

    async def comment(self) -> None:
        """Only when POST /api/v1/sync accepts `comment` changes (the app has no comment form yet)."""
        task_id = self.rng.choice(self.task_ids)
        self.stats["tokens"] += 1
        token = self._token()
        await self.page.evaluate(
            "([id, note]) => DH.app.queue('comment', id, {note})", [task_id, f"Ý kiến [{token}] về nhiệm vụ"]
        )

    async def change(self) -> None:
        kinds = ["report"] * 6 + ["submit", "extension"] + (["comment"] * 2 if self.comment_kind else [])
        kind = self.rng.choice(kinds)
        try:
            await getattr(self, kind)()
        except Exception as error:  # a step that could not finish is not a change; the ledger says what was
            self.stats["action_errors"] += 1
            self.log(f"  cycle {self.cycle_no}: {kind} did not finish: {str(error).splitlines()[0][:160]}")
            if self.page.is_closed():
                self.page = await self._open()
        await self._collect(self.page)

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


async def verify(ledger: list[Made], task_ids: list[int], token_prefix: str) -> Verdict:
    """Compare the ledger with the server's records, read straight from the database."""
    from server.media.tables import Attachment
    from server.tasks.tables import ExtensionRequest, ProgressReport, TaskEvent

    reports = await ProgressReport.select(
        ProgressReport.id, ProgressReport.client_id, ProgressReport.note, ProgressReport.task
    ).where(ProgressReport.task.is_in(task_ids))
    report_ids = [r["id"] for r in reports]
    photos = await Attachment.select(Attachment.id, Attachment.owner_id, Attachment.client_id).where(
        (Attachment.owner_kind == "progress_report") & Attachment.owner_id.is_in(report_ids)
    ) if report_ids else []
    extensions = await ExtensionRequest.select(ExtensionRequest.id, ExtensionRequest.reason).where(
        ExtensionRequest.task.is_in(task_ids)
    )
    events = await TaskEvent.select(TaskEvent.id, TaskEvent.task, TaskEvent.kind, TaskEvent.to_state,
                                    TaskEvent.note).where(TaskEvent.task.is_in(task_ids))
    photos_of: Counter[int] = Counter(p["owner_id"] for p in photos)
    verdict = Verdict(
        made=len(ledger), by_kind=dict(Counter(m.kind for m in ledger)),
        photos_taken=sum(m.photos for m in ledger), photos_on_server=len(photos),
    )
    ledger_ids = {m.id for m in ledger}
    same_token = Counter(m.token for m in ledger if m.token)
    submits_of = Counter(m.task_id for m in ledger if m.kind == "transition")
    for m in ledger:
        what = f"{m.kind} {m.id} (task {m.task_id}, cycle {m.cycle}{', ' + m.token if m.token else ''})"
        if m.kind == "progress":
            mine = [r for r in reports if r["client_id"] == m.id]
            # A report carrying this change's note under another id would be a double the ids cannot show.
            others = [r for r in reports if m.token and m.token in r["note"] and r["client_id"] not in ledger_ids]
            if not mine:
                verdict.lost.append(what)
                continue
            if len(mine) + len(others) > 1:
                verdict.duplicated.append(f"{what}: {len(mine) + len(others)} reports")
            count = sum(photos_of[r["id"]] for r in mine)
            keyed = sum(1 for p in photos if (p["client_id"] or "").startswith(f"{m.id}.photo."))
            if count < m.photos:
                verdict.lost.append(f"{what}: {m.photos - count} of {m.photos} photos missing")
            elif count > m.photos or keyed > m.photos:
                verdict.duplicated.append(f"{what}: {count} photos for {m.photos} taken")
        elif m.kind == "extension":
            n, expected = sum(1 for e in extensions if m.token in e["reason"]), same_token[m.token]
            if n < expected:
                verdict.lost.append(what)
            elif n > expected:
                verdict.duplicated.append(f"{what}: {n} requests")
        elif m.kind == "transition":
            n = sum(1 for e in events if e["task"] == m.task_id and e["kind"] == "transition"
                    and e["to_state"] == "submitted")
            if n < submits_of[m.task_id]:
                verdict.lost.append(what)
            elif n > submits_of[m.task_id]:
                verdict.duplicated.append(f"{what}: submitted {n} times")
        elif m.kind == "comment":
            n, expected = sum(1 for e in events if e["kind"] == "comment" and m.token in (e["note"] or "")), \
                same_token[m.token]
            if n < expected:
                verdict.lost.append(what)
            elif n > expected:
                verdict.duplicated.append(f"{what}: {n} comments")
    # Records of this run that the ledger does not know: a change the harness missed, or a double with a new id.
    known = {m.token for m in ledger if m.token} | {m.id for m in ledger}
    for r in reports:
        token = r["note"].split("[", 1)[1].split("]", 1)[0] if "[" in r["note"] else ""
        if token.startswith(token_prefix) and token not in known and r["client_id"] not in known:
            verdict.unledgered.append(f"progress report {r['id']} ({token})")
    return verdict


def summary(run: FaultRun, verdict: Verdict, engine: str, seconds: float) -> str:
    s = run.stats
    kills = s["kills_random"] + s["kills_after_commit"]
    lines = [
        "",
        f"fault run: seed {run.seed}, {run.cycles} cycles, {engine}, {seconds:.0f} s "
        f"(cycles {s['cycle_seconds']} s, final drain {s['drain_seconds']} s; "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)",
        f"  changes made:      {verdict.made} ({', '.join(f'{k} {v}' for k, v in sorted(verdict.by_kind.items()))}),"
        f" photos taken {verdict.photos_taken}",
        f"  faults:            {kills} server SIGKILLs ({s['kills_random']} at a random moment, "
        f"{s['kills_after_commit']} after commit before the answer), {run.server.starts} server starts",
        f"                     {s['went_offline']} offline / {s['went_online']} online, {s['reopened']} page reopens, "
        f"{s['second_tab']} second tabs, {s['double_sends']} double sends "
        f"(statuses {dict(sorted(run.double_send_statuses.items()))})",
        f"  harness:           {s['action_errors']} steps that did not finish, server tracebacks in log: "
        f"{run.server.tracebacks()}, forms redrawn under the officer (filled again): {s['form_redrawn']}",
        f"  on the server:     photos {verdict.photos_on_server} of {verdict.photos_taken}",
        f"  left in outbox:    {len(verdict.left_in_outbox)}"
        + "".join(f"\n    {item['kind']} {item['id']}: {item['outcome']} {item['answer']}"
                  for item in verdict.left_in_outbox[:10]),
        f"  LOST:              {len(verdict.lost)}" + "".join(f"\n    {x}" for x in verdict.lost[:20]),
        f"  DUPLICATED:        {len(verdict.duplicated)}" + "".join(f"\n    {x}" for x in verdict.duplicated[:20]),
    ]
    if verdict.unledgered:
        lines.append(f"  not in the ledger: {len(verdict.unledgered)}" + "".join(
            f"\n    {x}" for x in verdict.unledgered[:10]))
    lines.append(f"  RESULT:            {'PASS' if verdict.ok else 'FAIL'} "
                 f"({len(verdict.lost)} lost, {len(verdict.duplicated)} duplicated)")
    return "\n".join(lines)


# ---------------------------------------------------------------------- the stand-alone benchmark
def snapshot_code(into: Path) -> Path:
    """A copy of the app's code for the server to start from: other people editing the working tree
    mid-run must not change (or break) the server between two restarts."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in ("server", "pwa", "citizen_portal"):
        if (ROOT / name).exists():
            shutil.copytree(ROOT / name, into / name, ignore=ignore)
    return into

def prepare_environment(database: str, database_url: str | None, tmp: Path) -> tuple[str, Any]:
    """Environment for a database of the run's own; returns (engine name, cleanup)."""
    os.environ["DATA_DIR"] = str(tmp)
    os.environ.setdefault("SECRET_KEY", "fault-run-secret-key")
    os.environ["PICCOLO_CONF"] = "server.piccolo_conf"
    os.environ.pop("REDIS_URL", None)
    if database_url:
        os.environ["DATABASE_URL"] = database_url
        return ("sqlite" if database_url.startswith("sqlite") else "postgresql"), (lambda: None)
    if database == "sqlite":
        os.environ["DATABASE_URL"] = f"sqlite:///{tmp / 'fault.sqlite'}"
        return "sqlite", (lambda: None)
    import asyncpg

    admin = os.environ.get("PG_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    name = f"dieuhanh_fault_{os.getpid()}"

    async def admin_sql(sql: str) -> None:
        conn = await asyncpg.connect(admin, timeout=5)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(admin_sql(f'DROP DATABASE IF EXISTS "{name}"'))
    asyncio.run(admin_sql(f'CREATE DATABASE "{name}"'))
    os.environ["DATABASE_URL"] = f"{admin.rsplit('/', 1)[0]}/{name}"
    return "postgresql", (lambda: asyncio.run(admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')))


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
