"""The fault run's phone: the app in a phone-sized Chromium context, the script that keeps the ledger, a camera
photo, an officer filling the app's forms, and the officer's changes. Moved from bench/fault_run.py."""

from __future__ import annotations

import asyncio
import io
import random
from collections import Counter
from typing import Any

from bench.fault_server import ServerProcess
from bench.fault_verdict import Made
from bench.local import wait_until

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


class Officer:
    """What the officer does in the app during a fault run: a phone's browser context, signed in, with the
    ledger's script; the app opened; the changes (progress reports, submissions, extensions, comments) made
    through the app's own forms, and moved into the ledger. FaultRun adds the faults and the run."""

    browser: Any
    server: ServerProcess
    username: str
    password: str
    task_ids: list[int]
    seed: int
    rng: random.Random
    log: Any
    verbose: bool
    ledger: list[Made]
    stats: Counter[str]
    submitted: set[int]
    extended: set[int]
    offline: bool
    context: Any
    page: Any
    comment_kind: bool
    cycle_no: int

    @property
    def server_busy_now(self) -> bool:
        raise NotImplementedError

    async def _intercept(self, route: Any) -> None:
        raise NotImplementedError

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
