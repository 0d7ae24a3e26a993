"""100 progress reports with a photo each, queued offline in the real app, then synced: how long until all are in.

    .venv/bin/python -m bench.sync_bench --database postgres
    .venv/bin/python -m bench.sync_bench --database sqlite

The officer fills the real report form in Debian's headless Chromium 100 times with no signal; each report
takes one phone-like JPEG (2000×1500, quality 92, photo-like texture, different bytes each time) through the
file input, so the app's own camera.js shrinks it to 1600×1200 at quality 0.8 before it waits in IndexedDB
(the blob sizes are printed). Then the network comes back (`context.set_offline(False)`: the `online` event
and Background Sync replay) and the clock runs until the database holds all 100 reports, each with its
photo, and until the app's outbox is empty. The server is the real app under uvicorn (one worker, its own
process and database). Target (issue 3): <= 30 s on loopback.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.fault_run import (  # noqa: E402
    HANOI,
    LEDGER_SCRIPT,
    PHONE,
    ServerProcess,
    prepare_environment,
    seed_officer,
    send_form,
    snapshot_code,
)
from bench.local import wait_until  # noqa: E402


def phone_photos(count: int, seed: int, into: Path) -> list[Path]:
    """Photo-like JPEGs (smooth shapes, mid-frequency detail and sensor grain), all different."""
    from PIL import Image

    rng = random.Random(seed)
    width, height = 2000, 1500

    def noise(w: int, h: int) -> Image.Image:
        return Image.frombytes("RGB", (w, h), rng.randbytes(w * h * 3))

    bases = []
    for _ in range(min(count, 8)):
        shapes = noise(40, 30).resize((width, height), Image.BICUBIC)
        detail = noise(width // 8, height // 8).resize((width, height), Image.BILINEAR)
        grain = Image.effect_noise((width, height), 40).convert("RGB")
        bases.append(Image.blend(Image.blend(shapes, detail, 0.35), grain, 0.16))
    paths = []
    for n in range(count):
        image = bases[n % len(bases)].copy()
        patch = noise(25, 25).resize((250, 250), Image.BILINEAR)
        image.paste(patch, (rng.randrange(width - 250), rng.randrange(height - 250)))
        path = into / f"IMG_{n:04d}.jpg"
        image.save(path, "JPEG", quality=92)
        paths.append(path)
    return paths


async def queue_report(page: Any, n: int, task_id: int, source: Path, stats: Counter[str]) -> None:
    """The officer fills the report form: a note, a percent, one photo from the camera."""
    await send_form(
        page, f"/app/#/task/{task_id}/report", form="#report-form", files=[str(source)], made=n + 1,
        fields={"#note": f"Báo cáo số {n + 1}: đã kiểm tra hiện trường", "#percent": str(5 * (n % 20))},
        back_to=str(task_id), stats=stats,
    )


async def run(args: argparse.Namespace, engine: str, tmp: Path) -> dict[str, Any]:
    from playwright.async_api import async_playwright

    from server.lib.db import close_pool
    from server.media.tables import Attachment
    from server.tasks.tables import ProgressReport
    from tests.factories import PASSWORD

    officer, task_ids = await seed_officer(args.tasks)
    photos_dir = tmp / "photos"
    photos_dir.mkdir()
    sources = await asyncio.to_thread(phone_photos, args.reports, args.seed, photos_dir)
    code_root = snapshot_code(tmp / "code") if args.snapshot else ROOT
    server = ServerProcess(tmp / "uvicorn.log", code_root=code_root)
    await asyncio.to_thread(server.start)

    async def on_server() -> tuple[int, int]:
        reports = await ProgressReport.select(ProgressReport.id).where(ProgressReport.task.is_in(task_ids))
        ids = [r["id"] for r in reports]
        photos = await Attachment.count().where(
            (Attachment.owner_kind == "progress_report") & Attachment.owner_id.is_in(ids)
        ) if ids else 0
        return len(ids), photos

    try:
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(
                executable_path=shutil.which("chromium") or shutil.which("chromium-browser"),
                args=["--disable-dev-shm-usage"],
            )
            context = await browser.new_context(
                base_url=server.url, viewport=PHONE, locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh",
                geolocation=HANOI, permissions=["geolocation", "background-sync"], has_touch=True, is_mobile=True,
            )
            context.set_default_timeout(30_000)
            await context.add_init_script(LEDGER_SCRIPT)
            response = await context.request.post(
                "/api/v1/auth/login", data={"username": officer.username, "password": PASSWORD},
                headers={"X-Requested-With": "dieuhanh"},
            )
            assert response.ok, await response.text()
            page = await context.new_page()
            await page.goto("/app/")
            await page.wait_for_selector("body[data-ready=yes]")
            await wait_until(page, "navigator.serviceWorker.controller !== null")
            await wait_until(page, "n => DH.db.all('tasks').then(t => t.length >= n)", len(task_ids))
            await page.evaluate(
                """async (ids) => { for (const id of ids) {
                     const r = await fetch(`/api/v1/tasks/${id}`); await DH.db.put('details', await r.json()); } }""",
                task_ids,
            )
            await page.wait_for_load_state("networkidle")

            await context.set_offline(True)
            stats: Counter[str] = Counter()
            queued_started = time.monotonic()
            for n, source in enumerate(sources):
                task_id = task_ids[n % len(task_ids)]
                try:
                    await queue_report(page, n, task_id, source, stats)
                except Exception:
                    state = await page.evaluate(
                        "DH.outbox.list().then(i => [location.hash, self.__made.length, i.length,"
                        " document.querySelector('#main').innerHTML.slice(0, 300)])")
                    print(f"DEBUG report {n}: {state}")
                    raise
            queue_seconds = time.monotonic() - queued_started
            blobs = await page.evaluate(
                """DH.outbox.list().then(items => items.flatMap(i => i.photos.map(p => p.blob.size)))"""
            )
            assert len(blobs) == args.reports, f"{len(blobs)} photos waiting, {args.reports} expected"
            assert await on_server() == (0, 0)
            await page.goto("/app/#/outbox")

            load_before = os.getloadavg()[0]
            cpu_before = server.cpu_seconds()
            started = time.monotonic()
            await context.set_offline(False)
            reports_at = photos_at = None
            while True:
                reports, photos = await on_server()
                now = time.monotonic() - started
                if reports_at is None and reports >= args.reports:
                    reports_at = now
                if photos >= args.reports:
                    photos_at = now
                    break
                if now > args.timeout:
                    raise SystemExit(f"FAIL: after {now:.0f} s only {reports} reports and {photos} photos arrived")
                await asyncio.sleep(0.05)
            await wait_until(page, "DH.outbox.list().then(items => items.length === 0)", seconds=args.timeout)
            empty_at = time.monotonic() - started
            load_after = os.getloadavg()[0]
            server_cpu = server.cpu_seconds() - cpu_before
            await browser.close()
        reports, photos = await on_server()
        return {
            "engine": engine, "reports": reports, "photos": photos, "queue_seconds": queue_seconds,
            "blob_kb_median": statistics.median(blobs) / 1024, "blob_kb_min": min(blobs) / 1024,
            "blob_kb_max": max(blobs) / 1024, "blob_mb_total": sum(blobs) / 1024 / 1024,
            "source_kb_median": statistics.median(p.stat().st_size for p in sources) / 1024,
            "reports_at": reports_at, "photos_at": photos_at, "empty_at": empty_at,
            "tracebacks": server.tracebacks(), "redrawn": stats["form_redrawn"],
            "load": (load_before, load_after), "server_cpu": server_cpu,
        }
    finally:
        server.stop()
        await close_pool()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument("--database-url", default=None, help="an existing, empty database instead of a new one")
    parser.add_argument("--reports", type=int, default=100)
    parser.add_argument("--tasks", type=int, default=10, help="the reports are spread over this many tasks")
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=300.0)
    parser.add_argument("--no-snapshot", dest="snapshot", action="store_false",
                        help="start the server from the working tree, not from a copy made at the start")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="dieuhanh-syncbench-"))
    engine, cleanup = prepare_environment(args.database, args.database_url, tmp)
    try:
        r = asyncio.run(run(args, engine, tmp))
    finally:
        cleanup()
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"\nsync bench ({r['engine']}): {args.reports} progress reports with one photo each, queued offline "
          f"in {r['queue_seconds']:.0f} s "
          f"({r['redrawn']} forms redrawn under the officer and filled again)")
    print(f"  photos: sources {r['source_kb_median']:.0f} KB (2000x1500 q92), shrunk by camera.js to 1600x1200: "
          f"median {r['blob_kb_median']:.0f} KB (min {r['blob_kb_min']:.0f}, max {r['blob_kb_max']:.0f}), "
          f"{r['blob_mb_total']:.1f} MB in all")
    print(f"  online -> all {args.reports} reports on the server: {r['reports_at']:.1f} s")
    print(f"  online -> all {args.reports} reports and photos on the server: {r['photos_at']:.1f} s (target <= 30 s)")
    print(f"  online -> the app's outbox empty: {r['empty_at']:.1f} s")
    print(f"  machine: {os.cpu_count()} cores, load average (1 min) {r['load'][0]:.1f} before the sync, "
          f"{r['load'][1]:.1f} after")
    print(f"  the server process's CPU time (user + system) during the sync: {r['server_cpu']:.1f} s "
          "(PostgreSQL's own not counted)")
    print(f"  on the server: {r['reports']} reports, {r['photos']} photos; server tracebacks: {r['tracebacks']}")
    ok = r["reports"] == args.reports and r["photos"] == args.reports and r["photos_at"] <= 30
    print(f"  RESULT: {'PASS' if ok else 'FAIL'}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
