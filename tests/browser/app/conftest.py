"""The installable app under test: phone-sized Chromium contexts, a server that can be killed, DB checks.

Reuses tests/browser/conftest.py (`server_url`, `browser`, `j`, `_signed_in_states`). Waiting is always
for a condition, with a deadline: never a sleep standing in for synchronisation.
"""

from __future__ import annotations

import asyncio
import io
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from playwright.async_api import Browser, BrowserContext, Page

from bench.fault_run import ServerProcess
from server.media.tables import Attachment
from server.tasks.tables import ProgressReport
from tests.browser.conftest import PHONE
from tests.factories import PASSWORD

ROOT = Path(__file__).resolve().parents[3]
HANOI = {"latitude": 21.0285, "longitude": 105.8542, "accuracy": 12}
PERMISSIONS = ["geolocation", "background-sync"]


async def eventually(check: Callable[[], Awaitable[Any]], within: float = 20.0, what: str = "condition") -> Any:
    """Poll `check` until it returns something truthy, or fail after `within` seconds."""
    deadline = time.monotonic() + within
    while True:
        result = await check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


async def reports_of(task_id: int) -> list[dict[str, Any]]:
    """The task's progress reports, each with its photos (attachments) and their stored size."""
    reports = await ProgressReport.select().where(ProgressReport.task == task_id).order_by(ProgressReport.id)
    for report in reports:
        report["photos"] = await Attachment.select(
            Attachment.id, Attachment.client_id, Attachment.file.width, Attachment.file.height
        ).where((Attachment.owner_kind == "progress_report") & (Attachment.owner_id == report["id"]))
    return reports


def jpeg(width: int, height: int, colour: tuple[int, int, int]) -> dict[str, Any]:
    """A camera-sized photo for the file input (the app shrinks it before it waits in the outbox)."""
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(buffer, "JPEG", quality=90)
    return {"name": f"IMG_{colour[0]}.jpg", "mimeType": "image/jpeg", "buffer": buffer.getvalue()}


async def sign_in_api(context: BrowserContext, actor: Any) -> None:
    response = await context.request.post(
        "/api/v1/auth/login",
        data={"username": actor.username, "password": PASSWORD},
        headers={"X-Requested-With": "dieuhanh"},
    )
    assert response.ok, await response.text()


@pytest.fixture
async def phone(
    browser: Browser, server_url: str, _signed_in_states: dict[int, Any]
) -> AsyncIterator[Callable[..., Awaitable[BrowserContext]]]:
    """Phone contexts (390×844, Vietnamese, GPS in Hanoi), signed in as `actor` through the API."""
    contexts: list[BrowserContext] = []

    async def make(actor: Any, base_url: str | None = None, permissions: list[str] | None = None) -> BrowserContext:
        reuse = base_url is None and actor.id in _signed_in_states
        context = await browser.new_context(
            base_url=base_url or server_url, viewport=PHONE, locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh",
            geolocation=HANOI, permissions=PERMISSIONS if permissions is None else permissions,
            has_touch=True, is_mobile=True, storage_state=_signed_in_states[actor.id] if reuse else None,
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        if not reuse:
            await sign_in_api(context, actor)
            if base_url is None:
                _signed_in_states[actor.id] = await context.storage_state()
        return context

    yield make
    for context in contexts:
        await context.close()


async def open_app(context: BrowserContext, path: str = "/app/") -> Page:
    """Open the app and wait until it has rendered, its first refresh and replay are over (so no redraw of
    that start lands in the middle of a test's taps) and its service worker controls the page."""
    page = await context.new_page()
    await page.goto(path)
    await page.wait_for_selector("body[data-started=yes]", state="attached")
    # Polled from here: wait_for_function's in-page polling evaluates a string, which the app's CSP (no
    # 'unsafe-eval') refuses whenever the worker is not in control at the first look.
    await eventually(lambda: page.evaluate("navigator.serviceWorker.controller !== null"), what="the service worker")
    return page


async def badge_count(page: Page) -> int:
    return int(await page.locator("#badge").get_attribute("data-count") or 0)


@pytest.fixture
def killable_server(migrated_database: None, tmp_path: Path) -> Iterator[ServerProcess]:
    """The app in a subprocess of its own, so a test may SIGKILL it mid-sync and start it again."""
    server = ServerProcess(tmp_path / "uvicorn.log")
    server.start()
    yield server
    server.stop()
