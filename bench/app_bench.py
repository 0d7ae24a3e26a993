"""Benchmarks of the installable app (issue 3): the shell's size gzipped, and an offline cold start.

    .venv/bin/python bench/app_bench.py

Offline cold start: a signed-in officer with 50 tasks opened the app once (shell precached, tasks in
IndexedDB); the network goes away, the page is closed, and a new page navigates to /app/. Measured from
the navigation to the first task card on screen, median of 7 (targets: shell <= 150 KB gzip, start <= 1 s).
"""

from __future__ import annotations

import asyncio
import gzip
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.local import wait_until  # noqa: E402

TMP = Path(tempfile.mkdtemp(prefix="dieuhanh-bench-"))
os.environ["DATA_DIR"] = str(TMP)
os.environ["DATABASE_URL"] = f"sqlite:///{TMP / 'bench.sqlite'}"
os.environ.setdefault("SECRET_KEY", "bench-secret-key")
os.environ["PICCOLO_CONF"] = "server.piccolo_conf"


def shell_size() -> tuple[int, int]:
    from server.app_shell import shell_files  # the service worker's precache list, read from the app's imports

    files = ["/service-worker.js", *shell_files()]
    raw = zipped = 0
    for url in dict.fromkeys(files):
        path = ROOT / "pwa" / ("sw.js" if url == "/service-worker.js" else url.removeprefix("/app/") or "index.html")
        if path.is_dir():
            path = path / "index.html"
        data = path.read_bytes()
        raw += len(data)
        zipped += len(gzip.compress(data, 6))
    return raw, zipped


def start_server(port: int) -> subprocess.Popen[bytes]:
    server = subprocess.Popen([sys.executable, "-m", "uvicorn", "server.app:create_app", "--factory", "--host",
                               "127.0.0.1", "--port", str(port), "--log-level", "warning"], cwd=ROOT, env=os.environ)
    for _ in range(300):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1)
            return server
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("the app did not start")


async def cold_start() -> list[float]:
    from playwright.async_api import async_playwright

    from server.lib import clock
    from server.lib.db import start_pool
    from server.migrate import migrate
    from tests.factories import PASSWORD, make_jurisdiction, make_task

    await migrate()
    await start_pool()
    j = await make_jurisdiction()
    for n in range(50):
        await make_task(j, title=f"Nhiệm vụ {n}", assignees=[j.officer],
                        deadline=clock.today_vn() + __import__("datetime").timedelta(days=n))
    port = 8765
    url = f"http://127.0.0.1:{port}"
    server = await asyncio.to_thread(start_server, port)
    try:
        async with async_playwright() as p:
            browser = await p.chromium.launch(
                executable_path=shutil.which("chromium"), args=["--disable-dev-shm-usage"]
            )
            context = await browser.new_context(base_url=url, viewport={"width": 390, "height": 844})
            await context.request.post(
                "/api/v1/auth/login",
                data={"username": j.officer.username, "password": PASSWORD},
                headers={"X-Requested-With": "dieuhanh"},
            )
            page = await context.new_page()
            await page.goto("/app/")
            await wait_until(page, "navigator.serviceWorker.controller !== null")
            await page.wait_for_selector("a[data-task-id]")
            await wait_until(page, "new Promise(r => DH.db.all('tasks').then(t => r(t.length === 50)))")
            await context.set_offline(True)
            times = []
            for _ in range(7):
                await page.close()
                page = await context.new_page()
                started = time.perf_counter()
                await page.goto("/app/")
                await page.wait_for_selector("a[data-task-id]")
                times.append(time.perf_counter() - started)
            await browser.close()
        return times
    finally:
        server.terminate()
        await asyncio.to_thread(server.wait)


def main() -> None:
    raw, zipped = shell_size()
    print(f"shell: {raw / 1024:.1f} KB raw, {zipped / 1024:.1f} KB gzip (target <= 150 KB)")
    times = asyncio.run(cold_start())
    print(f"offline cold start to the task list (50 tasks): median {statistics.median(times) * 1000:.0f} ms, "
          f"max {max(times) * 1000:.0f} ms (target <= 1000 ms)")
    shutil.rmtree(TMP, ignore_errors=True)


if __name__ == "__main__":
    main()
